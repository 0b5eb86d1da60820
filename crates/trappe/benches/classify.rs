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

/// The stages of the same pipeline, to see where the time goes.
fn stages(c: &mut Criterion) {
    let loaded = load_builtin("copenhagen-2024").unwrap();
    let list = loaded.law.lists.last().unwrap();
    let data = synth::national(2024, &loaded.agreement, list, 100, 100);
    let on = "2024-03-01".parse().unwrap();
    let deps = table_in::read_departments(data.departments_csv.as_bytes(), "d.csv").unwrap();
    let areas = table_in::read_areas(data.areas_csv.as_bytes(), "a.csv", false).unwrap();
    let input = ClassifyInput {
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
    };
    let result = classify(input).unwrap();
    c.bench_function("stage_parse_csv_10000", |b| {
        b.iter(|| {
            table_in::read_departments(data.departments_csv.as_bytes(), "d.csv")
                .unwrap()
                .len()
        })
    });
    c.bench_function("stage_classify_10000", |b| {
        b.iter(|| classify(input).unwrap().placements.len())
    });
    for (name, format) in [
        ("stage_write_json_10000", Format::Json),
        ("stage_write_table_10000", Format::Table),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| {
                let mut out = Vec::new();
                write_classification(
                    &mut out,
                    format,
                    Lang::Da,
                    &loaded.agreement,
                    &deps,
                    &result,
                )
                .unwrap();
                out.len()
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench, stages
}
criterion_main!(benches);
