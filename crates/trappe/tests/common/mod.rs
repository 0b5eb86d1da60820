//! Helpers shared by the test suites (`store_cli.rs`, `applicant_cli.rs`, `web.rs`, `browser.rs`):
//! the example files, a database of either engine to run `trappe` against, and the
//! import of the Copenhagen example.

#![allow(dead_code)]

use std::path::PathBuf;

use assert_cmd::assert::Assert;
use assert_cmd::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn example(rel: &str) -> String {
    root().join("examples").join(rel).display().to_string()
}

pub fn example_text(rel: &str) -> String {
    std::fs::read_to_string(example(rel)).unwrap()
}

pub fn postgres_base() -> String {
    std::env::var("TRAPPE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A database for one test: a SQLite file in a temp dir, or a fresh PostgreSQL schema.
/// The temp dir is also the working directory of the commands.
pub struct Db {
    pub url: String,
    pub dir: tempfile::TempDir,
    schema: Option<String>,
}

impl Db {
    /// `engine` is "sqlite" or anything else for PostgreSQL.
    pub fn new(engine: &str) -> Db {
        let dir = tempfile::tempdir().unwrap();
        match engine {
            "sqlite" => Db {
                url: dir.path().join("trappe.db").display().to_string(),
                dir,
                schema: None,
            },
            _ => {
                let schema = format!(
                    "trappe_cli_{}_{}",
                    std::process::id(),
                    dir.path()
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .replace(['.', '-'], "_")
                        .to_lowercase()
                );
                let mut c = postgres::Client::connect(&postgres_base(), postgres::NoTls)
                    .expect("PostgreSQL on 127.0.0.1:5432 (see the README)");
                c.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
                Db {
                    url: format!("{}?options=-c%20search_path%3D{schema}", postgres_base()),
                    dir,
                    schema: Some(schema),
                }
            }
        }
    }

    pub fn trappe(&self) -> Command {
        let mut c = Command::cargo_bin("trappe").unwrap();
        c.current_dir(self.dir.path())
            .env("USER", "analyst")
            .env_remove("DATABASE_URL")
            .args(["--db", &self.url]);
        c
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(s) = &self.schema {
            if let Ok(mut c) = postgres::Client::connect(&postgres_base(), postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {s} CASCADE"));
            }
        }
    }
}

pub fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

/// Imports the Copenhagen example: areas (list of 2023-12-01, copenhagen-2024),
/// decisions (2024-01-15) and departments (2024-03-01), each of which must succeed.
/// Returns the departments' import, for more to be asserted of it.
pub fn import_example(db: &Db) -> Assert {
    db.trappe()
        .args([
            "import",
            "areas",
            &example("copenhagen/areas.csv"),
            "--list-date",
            "2023-12-01",
            "--agreement",
            "copenhagen-2024",
        ])
        .assert()
        .success();
    db.trappe()
        .args([
            "import",
            "decisions",
            &example("copenhagen/decisions.csv"),
            "--as-of",
            "2024-01-15",
        ])
        .assert()
        .success();
    import_departments(db)
}

/// Imports the example's departments as of 2024-03-01, which must succeed.
pub fn import_departments(db: &Db) -> Assert {
    db.trappe()
        .args([
            "import",
            "departments",
            &example("copenhagen/departments.csv"),
            "--as-of",
            "2024-03-01",
        ])
        .assert()
        .success()
}

/// A running `trappe serve --demo` on a free loopback port and a temporary SQLite file;
/// killed when dropped (the web and browser suites).
pub struct Server {
    pub child: std::process::Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("web.db").display().to_string();
        Server::start_on(dir, &db, std::process::Stdio::inherit())
    }

    /// A demo server on a given database (a path or a PostgreSQL URL), its log (stderr)
    /// going to `stderr`.
    pub fn start_logged(db: &str, stderr: std::fs::File) -> Server {
        Server::start_on(tempfile::tempdir().unwrap(), db, stderr.into())
    }

    fn start_on(dir: tempfile::TempDir, db: &str, stderr: std::process::Stdio) -> Server {
        use std::io::{BufRead, BufReader};
        use std::process::Stdio;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trappe"))
            .args(["--db", db])
            .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let base = first
            .split_whitespace()
            .nth(1)
            .unwrap_or_else(|| panic!("the server prints its address first: {first:?}"))
            .trim_end_matches('/')
            .to_string();
        Server {
            child,
            base,
            _dir: dir,
        }
    }
}
