//! `classify` end to end on the national-scale set (100 municipalities × 100 departments):
//! parse the departments and areas CSV, classify, write JSON.
//!
//! Run: `cargo bench -p trappe --bench classify`

use criterion::{criterion_group, criterion_main, Criterion};

use trappe_formats::output::{write_classification, Format};
use trappe_formats::{load_builtin, synth, table_in, Lang};
use trappe_rules::placement::{classify, ClassifyInput};

fn bench(c: &mut Criterion) {
    let loaded = load_builtin("copenhagen-2024").unwrap();
    let list = loaded.law.lists.last().unwrap();
    let data = synth::national(2024, &loaded.agreement, list, 100, 100);
    let on = "2024-03-01".parse().unwrap();
    c.bench_function("classify_10000_departments_csv_to_json", |b| {
        b.iter(|| {
            let deps =
                table_in::read_departments(data.departments_csv.as_bytes(), "departments.csv")
                    .unwrap();
            let areas =
                table_in::read_areas(data.areas_csv.as_bytes(), "areas.csv", false).unwrap();
            let result = classify(ClassifyInput {
                agreement: &loaded.agreement,
                law: &loaded.law,
                on,
                data_reference_date: None,
                departments: &deps,
                areas: Some(&areas),
                decisions: &[],
                pools: None,
                any_municipality: true,
                program_version: "bench",
            })
            .unwrap();
            let mut out = Vec::with_capacity(deps.len() * 4096);
            write_classification(
                &mut out,
                Format::Json,
                Lang::Da,
                &loaded.agreement,
                &deps,
                &result,
            )
            .unwrap();
            assert_eq!(result.placements.len(), 10_000);
            out.len()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
