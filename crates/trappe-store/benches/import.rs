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
                allow_drop: false,
                municipality: None,
                change_agreement: None,
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

/// Sustained vacancy registration: the Copenhagen example (405 departments, 53,334
/// homes) and one registration per iteration, each its own transaction (wheel state
/// derived from the ledger, special rules, deadlines, ledger entry), cycling through
/// the departments' homes so the ledger keeps growing.
fn bench_register(c: &mut Criterion) {
    let loaded = load_builtin("copenhagen-2024").unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/copenhagen");
    let deps = std::fs::read(root.join("departments.csv")).unwrap();
    let homes_csv = std::fs::read(root.join("homes.csv")).unwrap();
    let homes = trappe_formats::table_in::read_homes(&homes_csv, "homes.csv").unwrap();
    let mut g = c.benchmark_group("register_vacancy");
    g.throughput(criterion::Throughput::Elements(1));
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    let mut n = 0;
    for (engine, pg) in [("sqlite", false), ("postgres", true)] {
        let (mut store, _guard) = fresh(pg, &mut n);
        store
            .import(
                &ImportFile {
                    kind: Kind::Departments,
                    reference_date: "2024-03-01".parse().unwrap(),
                    file_name: "departments.csv",
                    bytes: &deps,
                    options: TableOptions::default(),
                },
                &ImportContext {
                    actor: "bench",
                    agreement: Some(&loaded),
                    any_municipality: None,
                    program_version: "bench",
                    allow_drop: false,
                    municipality: None,
                    change_agreement: None,
                },
            )
            .unwrap();
        store.import_homes(&homes, "homes.csv", "bench").unwrap();
        let mut i = 0usize;
        g.bench_function(engine, |b| {
            b.iter(|| {
                // Stride through the homes so successive registrations hit different
                // departments, as a letting office's day does.
                let h = &homes[(i * 7919) % homes.len()];
                i += 1;
                store
                    .register_vacancy(&trappe_store::letting::RegisterRequest {
                        department: &h.department_id,
                        home: &h.id,
                        vacated: "2024-06-03".parse().unwrap(),
                        received: Some("2024-05-02".parse().unwrap()),
                        available_from: None,
                        actor: "bench",
                    })
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench, bench_register);
criterion_main!(benches);
