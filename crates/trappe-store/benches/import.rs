//! Importing the 10,000-department national set (100 municipalities × 100
//! departments, seed 2024) into a fresh database: parse and validate, write the
//! snapshot, the master data and the audit entry, place every department and store the
//! placements with their receipt, all in one transaction. CSV and XLSX, into SQLite
//! and into PostgreSQL (127.0.0.1:5432, database `test`, or $TRAPPE_TEST_POSTGRES).
//!
//! Run: `cargo bench -p trappe-store --bench import`

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

use trappe_formats::table_in::TableOptions;
use trappe_formats::{load_builtin, synth, LoadedAgreement};
use trappe_store::import::{ImportContext, ImportFile, Kind};
use trappe_store::{Location, Store};

fn postgres_base() -> String {
    std::env::var("TRAPPE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh database; the temp dir or schema lives as long as the returned guard.
enum Guard {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Schema(String),
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Schema(s) = self {
            if let Ok(mut c) = postgres::Client::connect(&postgres_base(), postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {s} CASCADE"));
            }
        }
    }
}

fn fresh(postgres: bool, n: &mut usize) -> (Store, Guard) {
    *n += 1;
    if postgres {
        let schema = format!("trappe_bench_{}_{n}", std::process::id());
        let mut c = postgres::Client::connect(&postgres_base(), postgres::NoTls).unwrap();
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .unwrap();
        let url = format!("{}?options=-c%20search_path%3D{schema}", postgres_base());
        (
            Store::open(&Location::Postgres(url)).unwrap(),
            Guard::Schema(schema),
        )
    } else {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&Location::Sqlite(dir.path().join("trappe.db"))).unwrap();
        (store, Guard::Dir(dir))
    }
}

fn import(store: &mut Store, agreement: &LoadedAgreement, name: &str, bytes: &[u8]) -> usize {
    let r = store
        .import(
            &ImportFile {
                kind: Kind::Departments,
                reference_date: "2024-03-01".parse().unwrap(),
                file_name: name,
                bytes,
                options: TableOptions::default(),
            },
            &ImportContext {
                actor: "bench",
                agreement: Some(agreement),
                any_municipality: Some(true),
                program_version: "bench",
            },
        )
        .unwrap();
    assert_eq!(r.runs[0].departments, 10_000);
    r.rows
}

fn bench(c: &mut Criterion) {
    let loaded = load_builtin("copenhagen-2024").unwrap();
    let list = loaded.law.lists.last().unwrap();
    let data = synth::national(2024, &loaded.agreement, list, 100, 100);
    let csv = data.departments_csv.into_bytes();
    let xlsx = synth::csv_to_xlsx(std::str::from_utf8(&csv).unwrap(), "Afdelinger").unwrap();
    let mut g = c.benchmark_group("import_10000_departments");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let mut n = 0;
    for (engine, pg) in [("sqlite", false), ("postgres", true)] {
        for (format, bytes) in [("csv", &csv), ("xlsx", &xlsx)] {
            g.bench_function(format!("{format}_into_{engine}"), |b| {
                b.iter_batched(
                    || fresh(pg, &mut n),
                    |(mut store, guard)| {
                        let rows =
                            import(&mut store, &loaded, &format!("national.{format}"), bytes);
                        // Closing is part of the cost: SQLite checkpoints the WAL
                        // into the database file when the last connection closes.
                        drop(store);
                        (rows, guard)
                    },
                    BatchSize::PerIteration,
                )
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
