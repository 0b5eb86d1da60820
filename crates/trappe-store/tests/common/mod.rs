//! Helpers shared by the storage test suites (`storage.rs`, `applicants_store.rs`):
//! a fresh database of either engine, the Copenhagen example and its imports. Every
//! test runs against the embedded SQLite file and against PostgreSQL (127.0.0.1:5432,
//! database `test`, or $TRAPPE_TEST_POSTGRES), each in its own temporary directory or
//! schema.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use trappe_formats::table_in::TableOptions;
use trappe_rules::Date;
use trappe_store::import::{ImportContext, ImportFile, ImportReport, Kind};
use trappe_store::letting::RegisterRequest;
use trappe_store::{Engine, Location, Store, StoreError};

pub fn date(s: &str) -> Date {
    s.parse().unwrap()
}

pub fn example(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn example_text(rel: &str) -> String {
    String::from_utf8(example(rel)).unwrap()
}

pub fn postgres_base() -> String {
    trappe_store::test_support::postgres_url()
}

/// Whether a test can run on `engine`: SQLite always; PostgreSQL when it answers (else
/// the test is skipped with a line on the terminal, or fails under CI).
pub fn available(engine: Engine) -> bool {
    engine != Engine::Postgres || trappe_store::test_support::needs_postgres()
}

/// A fresh, empty database of one engine; dropped (dir or schema) at the end.
pub struct Fresh {
    pub location: Location,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Some(schema) = &self.schema {
            if let Ok(mut c) = postgres::Client::connect(&postgres_base(), postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

static N: AtomicUsize = AtomicUsize::new(0);

/// A fresh database; on PostgreSQL the schema is `trappe_test_{process}_{n}`.
pub fn fresh(engine: Engine) -> Fresh {
    fresh_named(engine, "trappe_test")
}

/// A fresh database; on PostgreSQL the schema is `{prefix}_{process}_{n}`.
pub fn fresh_named(engine: Engine, prefix: &str) -> Fresh {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            Fresh {
                location: Location::Sqlite(dir.path().join("trappe.db")),
                _dir: Some(dir),
                schema: None,
            }
        }
        Engine::Postgres => {
            let schema = format!(
                "{prefix}_{}_{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            );
            let mut c = postgres::Client::connect(&postgres_base(), postgres::NoTls)
                .unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is needed for the storage tests ({}): {e}. Start it as the README says, or set TRAPPE_TEST_POSTGRES",
                        postgres_base()
                    )
                });
            c.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .unwrap();
            let sep = if postgres_base().contains('?') {
                '&'
            } else {
                '?'
            };
            Fresh {
                location: Location::Postgres(format!(
                    "{}{sep}options=-c%20search_path%3D{schema}",
                    postgres_base()
                )),
                _dir: None,
                schema: Some(schema),
            }
        }
    }
}

pub fn open(f: &Fresh) -> Store {
    Store::open(&f.location).unwrap()
}

pub fn import(
    store: &mut Store,
    kind: Kind,
    on: &str,
    name: &str,
    bytes: &[u8],
    agreement: Option<&trappe_formats::LoadedAgreement>,
) -> Result<ImportReport, StoreError> {
    store.import(
        &ImportFile {
            kind,
            reference_date: date(on),
            file_name: name,
            bytes,
            options: TableOptions::default(),
        },
        &ImportContext {
            actor: "test",
            agreement,
            any_municipality: None,
            program_version: "test",
            allow_drop: false,
            municipality: None,
            change_agreement: None,
        },
    )
}

pub fn copenhagen() -> trappe_formats::LoadedAgreement {
    trappe_formats::load_builtin("copenhagen-2024").unwrap()
}

/// Imports the Copenhagen example (areas, decisions, departments) as of 2024-03-01:
/// 101-0001 on department step 4, 101-0365 on area step 1 (challenged on
/// unemployment), 101-0403 on area step 2 (area A14, omdannelse).
pub fn load_example(store: &mut Store) {
    let a = copenhagen();
    import(
        store,
        Kind::Areas,
        "2023-12-01",
        "areas.csv",
        &example("copenhagen/areas.csv"),
        Some(&a),
    )
    .unwrap();
    import(
        store,
        Kind::Decisions,
        "2024-01-15",
        "decisions.csv",
        &example("copenhagen/decisions.csv"),
        None,
    )
    .unwrap();
    let r = import_departments(store).unwrap();
    assert_eq!(r.runs.len(), 1, "one run on the departments' date");
}

/// Imports the example's departments as of 2024-03-01.
pub fn import_departments(store: &mut Store) -> Result<ImportReport, StoreError> {
    import(
        store,
        Kind::Departments,
        "2024-03-01",
        "departments.csv",
        &example("copenhagen/departments.csv"),
        None,
    )
}

/// The example with its homes; 101-0058 is on dept step 1, 101-0038 on step 2,
/// 101-0017 on step 3, 101-0001 on step 4 (placed 2024-03-01).
pub fn load_example_with_homes(store: &mut Store) {
    load_example(store);
    let homes = trappe_formats::table_in::read_homes(&example("copenhagen/homes.csv"), "homes.csv")
        .unwrap();
    store.import_homes(&homes, "homes.csv", "test").unwrap();
}

pub fn register(
    store: &mut Store,
    dept: &str,
    home: &str,
    on: &str,
) -> Result<trappe_store::letting::Registered, StoreError> {
    store.register_vacancy(&RegisterRequest {
        department: dept,
        home,
        vacated: date(on),
        received: Some(date(on)),
        available_from: None,
        actor: "test",
    })
}

/// Plain family homes of a department (no special rules), as ids.
pub fn plain_homes(store: &mut Store, dept: &str) -> Vec<String> {
    store
        .homes(dept)
        .unwrap()
        .into_iter()
        .filter(|h| {
            h.special.is_none()
                && h.disability_fitted.is_none()
                && !h.accessibility
                && h.shared_kitchen.is_none()
        })
        .map(|h| h.id)
        .collect()
}

pub fn count(store: &mut Store, table: &str) -> i64 {
    trappe_store::test_support::sql(store)
        .query_opt(&format!("SELECT COUNT(*) FROM {table}"), &[])
        .unwrap()
        .unwrap()
        .int(0)
        .unwrap()
}
