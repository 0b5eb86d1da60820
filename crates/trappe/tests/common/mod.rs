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
    trappe_store::test_support::postgres_url()
}

/// Whether a test can run on `engine` ("sqlite" or "postgres"): SQLite always;
/// PostgreSQL when it answers (else the test is skipped with a line on the terminal, or
/// fails under CI).
pub fn available(engine: &str) -> bool {
    engine == "sqlite" || trappe_store::test_support::needs_postgres()
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

/// Imports the Esbjerg example under `agreement` (a built-in name or a file): the list of
/// 2023-12-01, the departments as of 2024-03-01 and the homes; each must succeed.
pub fn import_esbjerg(db: &Db, agreement: &str) {
    let (areas, departments, homes) = (
        example("esbjerg/areas.csv"),
        example("esbjerg/departments.csv"),
        example("esbjerg/homes.csv"),
    );
    for args in [
        vec![
            "import",
            "areas",
            &areas,
            "--list-date",
            "2023-12-01",
            "--agreement",
            agreement,
        ],
        vec![
            "import",
            "departments",
            &departments,
            "--as-of",
            "2024-03-01",
        ],
        vec!["homes", "import", &homes],
    ] {
        db.trappe().args(&args).assert().success();
    }
}

/// Imports the Aalborg example: the list of 2023-12-01 (naming the agreement), the
/// departments as of 2024-03-01, the homes, and the municipality's colour overviews of
/// the given dates (each must succeed).
pub fn import_aalborg(db: &Db, overviews: &[&str]) {
    let (areas, departments, homes) = (
        example("aalborg/areas.csv"),
        example("aalborg/departments.csv"),
        example("aalborg/homes.csv"),
    );
    let mut steps: Vec<Vec<String>> = vec![
        [
            "import",
            "areas",
            &areas,
            "--list-date",
            "2023-12-01",
            "--agreement",
            "aalborg-2023",
        ]
        .map(String::from)
        .to_vec(),
        [
            "import",
            "departments",
            &departments,
            "--as-of",
            "2024-03-01",
        ]
        .map(String::from)
        .to_vec(),
        ["homes", "import", &homes].map(String::from).to_vec(),
    ];
    for on in overviews {
        let file = example(&format!("aalborg/overview-{on}.csv"));
        steps.push(
            ["import", "overview", &file, "--as-of", on]
                .map(String::from)
                .to_vec(),
        );
    }
    for args in steps {
        db.trappe().args(&args).assert().success();
    }
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
    /// The server's database (a SQLite path or a PostgreSQL URL), for the command line.
    pub db: String,
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
            db: db.to_string(),
            _dir: dir,
        }
    }
}

/// An XLSX workbook of one sheet ("Ark1") whose `<sheetData>` is `sheet_data`, written by
/// hand so that it can hold what no spreadsheet program writes (issue 13's hostile files).
pub fn workbook(sheet_data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    for (name, body) in [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#).unwrap();
    zip.write_all(sheet_data).unwrap();
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap();
    buf.into_inner()
}

/// A 1 KB workbook whose only cells are A1 and XFD1048576 (Excel's last cell): read as a
/// rectangle it would be 16,384 × 1,048,576 cells, and the process aborted.
pub fn far_cell_workbook() -> Vec<u8> {
    workbook(br#"<row r="1"><c r="A1" t="inlineStr"><is><t>department_id</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#)
}

/// A zip bomb of real-looking rows: about 82 MB of sheet XML in well under 1 MB.
pub fn zip_bomb_workbook() -> Vec<u8> {
    let mut data =
        br#"<row r="1"><c r="A1" t="inlineStr"><is><t>department_id</t></is></c></row>"#.to_vec();
    for _ in 0..1_300_000 {
        data.extend_from_slice(
            br#"<row><c t="inlineStr"><is><t>d</t></is></c><c><v>1</v></c></row>"#,
        );
    }
    workbook(&data)
}

/// The peak resident memory of a process, in KB (Linux: `VmHWM` in /proc/PID/status).
pub fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
