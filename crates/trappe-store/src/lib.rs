//! trappe's storage: key-figure snapshots, state lists, agreements, placements with
//! their receipts and an append-only audit log, in an embedded SQLite file (the
//! default, no set-up) or in PostgreSQL (`DATABASE_URL=postgres://…`).
//!
//! Every write that belongs together is one transaction, so a process killed half-way
//! leaves the database as it was, and readers see either the old or the new state.

pub mod applicants;
mod areas;
pub mod db;
pub mod import;
pub mod letting;
mod live;
pub mod ownership;
pub mod placement_decisions;
pub mod read;
pub mod standing;
pub mod test_support;
pub mod users;

use std::path::{Path, PathBuf};

use chrono::Utc;
use trappe_formats::agreement_file::sha256_hex;

pub use db::{Conn, Engine, Row, Value};

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

/// The default database file, in the working directory.
pub const DEFAULT_SQLITE_FILE: &str = "trappe.db";

impl Location {
    /// `postgres://…` / `postgresql://…` is PostgreSQL; `sqlite:PATH` or a plain path
    /// is a SQLite file.
    pub fn parse(s: &str) -> Location {
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Location::Postgres(s.to_string())
        } else {
            Location::Sqlite(PathBuf::from(s.strip_prefix("sqlite:").unwrap_or(s)))
        }
    }

    /// `--db` if given, else `DATABASE_URL`, else `./trappe.db`.
    pub fn choose(flag: Option<&str>) -> Location {
        match flag {
            Some(s) => Location::parse(s),
            None => match std::env::var("DATABASE_URL") {
                Ok(s) if !s.trim().is_empty() => Location::parse(s.trim()),
                _ => Location::Sqlite(PathBuf::from(DEFAULT_SQLITE_FILE)),
            },
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "SQLite file {}", p.display()),
            // Never print a password that may be in the URL.
            Location::Postgres(url) => match url.split_once('@') {
                Some((_, host)) => write!(f, "PostgreSQL at {host}"),
                None => write!(f, "PostgreSQL at {url}"),
            },
        }
    }
}

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("the database holds something unexpected: {0}")]
    Corrupt(String),
    #[error("migration {version} ({name}) was changed after it was applied to this database; applied migrations are never edited")]
    MigrationEdited { version: i64, name: String },
    #[error("the database is at schema version {found}, newer than this trappe knows ({known}); use a newer trappe")]
    TooNew { found: i64, known: i64 },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Input(#[from] trappe_formats::table_in::InputErrors),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Io(String),
}

/// One migration: a version, a name and the SQL for each engine.
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sqlite: include_str!("../migrations/sqlite/0001_initial.sql"),
        postgres: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "letting",
        sqlite: include_str!("../migrations/sqlite/0002_letting.sql"),
        postgres: include_str!("../migrations/postgres/0002_letting.sql"),
    },
    Migration {
        version: 3,
        name: "applicants",
        sqlite: include_str!("../migrations/sqlite/0003_applicants.sql"),
        postgres: include_str!("../migrations/postgres/0003_applicants.sql"),
    },
    Migration {
        version: 4,
        name: "users",
        sqlite: include_str!("../migrations/sqlite/0004_users.sql"),
        postgres: include_str!("../migrations/postgres/0004_users.sql"),
    },
    Migration {
        version: 5,
        name: "snapshot_withdrawal",
        sqlite: include_str!("../migrations/sqlite/0005_snapshot_withdrawal.sql"),
        postgres: include_str!("../migrations/postgres/0005_snapshot_withdrawal.sql"),
    },
    Migration {
        version: 6,
        name: "overview",
        sqlite: include_str!("../migrations/sqlite/0006_overview.sql"),
        postgres: include_str!("../migrations/postgres/0006_overview.sql"),
    },
    Migration {
        version: 7,
        name: "municipalities",
        sqlite: include_str!("../migrations/sqlite/0007_municipalities.sql"),
        postgres: include_str!("../migrations/postgres/0007_municipalities.sql"),
    },
    Migration {
        version: 8,
        name: "placement_decisions",
        sqlite: include_str!("../migrations/sqlite/0008_placement_decisions.sql"),
        postgres: include_str!("../migrations/postgres/0008_placement_decisions.sql"),
    },
];

impl Migration {
    fn sql(&self, engine: Engine) -> &'static str {
        match engine {
            Engine::Sqlite => self.sqlite,
            Engine::Postgres => self.postgres,
        }
    }
}

/// Checks the applied migrations against the known ones: an edited or unknown one is
/// an error. Returns whether every known migration is applied.
fn check_applied(engine: Engine, applied: &[Row]) -> Result<bool, StoreError> {
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    for row in applied {
        let version = row.int(0)?;
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == version) else {
            return Err(StoreError::TooNew {
                found: version,
                known,
            });
        };
        if row.text(2)? != sha256_hex(m.sql(engine).as_bytes()) {
            return Err(StoreError::MigrationEdited {
                version,
                name: row.text(1)?,
            });
        }
    }
    Ok(MIGRATIONS
        .iter()
        .all(|m| applied.iter().any(|r| r.int(0).ok() == Some(m.version))))
}

/// The SHA-256 of each migration as applied, for the test that refuses edits.
pub fn migration_hashes() -> Vec<(i64, &'static str, String, String)> {
    MIGRATIONS
        .iter()
        .map(|m| {
            (
                m.version,
                m.name,
                sha256_hex(m.sqlite.as_bytes()),
                sha256_hex(m.postgres.as_bytes()),
            )
        })
        .collect()
}

/// The advisory lock migrations take on PostgreSQL ("trap" in ASCII), the same in
/// every release.
const MIGRATION_LOCK: i64 = 74726170;

/// An open database.
pub struct Store {
    conn: Conn,
    pub location: Location,
    /// Agreements parsed from their stored text, by content hash (parsing one takes
    /// longer than registering a vacancy).
    agreements: std::collections::HashMap<String, std::sync::Arc<trappe_rules::Agreement>>,
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates to the newest schema.
    pub fn open(location: &Location) -> Result<Store, StoreError> {
        let conn = match location {
            Location::Sqlite(path) => Conn::Sqlite(open_sqlite(path)?),
            Location::Postgres(url) => Conn::Postgres(Box::new(db::PgConn::new(
                postgres::Client::connect(url, postgres::NoTls)?,
            ))),
        };
        let mut store = Store {
            conn,
            location: location.clone(),
            agreements: std::collections::HashMap::new(),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn engine(&self) -> Engine {
        self.conn.engine()
    }

    /// The schema version the database is at.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        let row = self
            .conn
            .query_opt("SELECT MAX(version) FROM schema_migrations", &[])?;
        Ok(row.and_then(|r| r.opt_int(0).ok().flatten()).unwrap_or(0))
    }

    /// Brings the schema up to date. A database already up to date is only read, so
    /// opening it never waits for a running import.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let engine = self.engine();
        if let Ok(applied) = self.conn.query(
            "SELECT version, name, sha256 FROM schema_migrations ORDER BY version",
            &[],
        ) {
            if check_applied(engine, &applied)? {
                return Ok(());
            }
        }
        self.conn.batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )",
        )?;
        self.conn.transaction(|c| {
            // Several app servers may start at once: one migrates, the others wait.
            c.lock_id(MIGRATION_LOCK)?;
            let applied = c.query(
                "SELECT version, name, sha256 FROM schema_migrations ORDER BY version",
                &[],
            )?;
            check_applied(engine, &applied)?;
            for m in MIGRATIONS {
                if applied.iter().any(|r| r.int(0).ok() == Some(m.version)) {
                    continue;
                }
                let sql = m.sql(engine);
                c.batch(sql)?;
                c.execute(
                    "INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES ($1, $2, $3, $4)",
                    &[
                        Value::Int(m.version),
                        m.name.into(),
                        sha256_hex(sql.as_bytes()).into(),
                        Utc::now().to_rfc3339().into(),
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// Appends one entry to the audit log (inside the caller's transaction).
    pub fn audit(
        conn: &mut Conn,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
            &[
                Utc::now().into(),
                actor.into(),
                action.into(),
                subject.into(),
                detail.to_string().into(),
            ],
        )?;
        Ok(())
    }

    /// A consistent copy of a SQLite database while it is in use (SQLite's online
    /// backup), written to a temporary file and renamed into place. The audit log of
    /// the live database records it.
    pub fn backup(&mut self, to: &Path, actor: &str) -> Result<(), StoreError> {
        let Conn::Sqlite(c) = &self.conn else {
            return Err(StoreError::Invalid(
                "backup of PostgreSQL is done with pg_dump (see the README: `pg_dump --format=custom --file trappe.dump \"$DATABASE_URL\"`)".into(),
            ));
        };
        let tmp = tmp_path(to);
        let _ = std::fs::remove_file(&tmp);
        c.backup(rusqlite::DatabaseName::Main, &tmp, None)?;
        std::fs::rename(&tmp, to)
            .map_err(|e| StoreError::Io(format!("cannot write {}: {e}", to.display())))?;
        Store::audit(
            &mut self.conn,
            actor,
            "backup",
            &to.display().to_string(),
            &serde_json::json!({}),
        )
    }

    /// Replaces the database's content with a backup, after checking that the backup
    /// is a trappe database this program can read.
    pub fn restore(&mut self, from: &Path, actor: &str) -> Result<(), StoreError> {
        let Conn::Sqlite(c) = &mut self.conn else {
            return Err(StoreError::Invalid(
                "restore of PostgreSQL is done with pg_restore (see the README: `pg_restore --clean --if-exists --dbname \"$DATABASE_URL\" trappe.dump`)".into(),
            ));
        };
        if !from.is_file() {
            return Err(StoreError::NotFound(format!(
                "{} does not exist or is not a file",
                from.display()
            )));
        }
        {
            let probe = rusqlite::Connection::open_with_flags(
                from,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )?;
            let check: Result<i64, _> =
                probe.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                    r.get(0)
                });
            match check {
                Ok(v) if v <= MIGRATIONS.last().map_or(0, |m| m.version) => {}
                Ok(v) => {
                    return Err(StoreError::TooNew {
                        found: v,
                        known: MIGRATIONS.last().map_or(0, |m| m.version),
                    })
                }
                Err(e) => {
                    return Err(StoreError::Invalid(format!(
                        "{} is not a trappe database: {e}",
                        from.display()
                    )))
                }
            }
        }
        c.restore(
            rusqlite::DatabaseName::Main,
            from,
            None::<fn(rusqlite::backup::Progress)>,
        )?;
        self.migrate()?;
        // Recorded in the restored database's own log, after what it held.
        Store::audit(
            &mut self.conn,
            actor,
            "restore",
            &from.display().to_string(),
            &serde_json::json!({}),
        )
    }
}

fn tmp_path(p: &Path) -> PathBuf {
    let mut name = p.file_name().unwrap_or_default().to_os_string();
    name.push(".trappe-tmp");
    p.with_file_name(name)
}

fn open_sqlite(path: &Path) -> Result<rusqlite::Connection, StoreError> {
    let c = rusqlite::Connection::open(path)?;
    c.busy_timeout(std::time::Duration::from_secs(30))?;
    // WAL: readers go on during an import and see the last committed state; FULL
    // makes a committed import survive a power cut, not only a killed process.
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "FULL")?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    // A national import writes ~20 MB in one transaction; with SQLite's default 2 MB
    // page cache it spills pages to the WAL twice. 64 MB is a ceiling, not an
    // allocation: a small database uses what it needs.
    c.pragma_update(None, "cache_size", -65_536)?;
    Ok(c)
}
