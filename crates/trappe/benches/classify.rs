//! `classify` end to end on the national-scale set (100 municipalities × 100 departments):
//! parse the departments and areas CSV, classify, write JSON; and each stage alone.
//!
//! Run: `cargo bench -p trappe --bench classify`

use criterion::{criterion_group, criterion_main, Criterion};

use trappe_formats::output::{write_classification, Format};
use trappe_formats::synth::Generated;
use trappe_formats::{load_builtin, synth, table_in, Lang, LoadedAgreement};
use trappe_rules::placement::{classify, Area, ClassifyInput, Department};

/// The Copenhagen agreement and the generated national set (seed 2024).
fn setup() -> (LoadedAgreement, Generated) {
    let loaded = load_builtin("copenhagen-2024").unwrap();
    let list = loaded.law.lists.last().unwrap();
    let data = synth::national(2024, &loaded.agreement, list, 100, 100);
    (loaded, data)
}

fn parse(data: &Generated) -> (Vec<Department>, Vec<Area>) {
    let deps = table_in::read_departments(data.departments_csv.as_bytes(), "d.csv").unwrap();
    let areas = table_in::read_areas(data.areas_csv.as_bytes(), "a.csv", false).unwrap();
    (deps, areas)
}

fn input<'a>(
    loaded: &'a LoadedAgreement,
    deps: &'a [Department],
    areas: &'a [Area],
) -> ClassifyInput<'a> {
    ClassifyInput {
        agreement: &loaded.agreement,
        law: &loaded.law,
        on: "2024-03-01".parse().unwrap(),
        data_reference_date: None,
        departments: deps,
        areas: Some(areas),
        decisions: &[],
        pools: None,
        any_municipality: true,
        overview: None,
        standing: None,
        program_version: "bench",
    }
}

fn write(
    loaded: &LoadedAgreement,
    deps: &[Department],
    result: &trappe_rules::Classification,
    format: Format,
) -> usize {
    let mut out = Vec::with_capacity(deps.len() * 4096);
    write_classification(&mut out, format, Lang::Da, &loaded.agreement, deps, result).unwrap();
    out.len()
}

fn bench(c: &mut Criterion) {
    let (loaded, data) = setup();
    c.bench_function("classify_10000_departments_csv_to_json", |b| {
        b.iter(|| {
            let (deps, areas) = parse(&data);
            let result = classify(input(&loaded, &deps, &areas)).unwrap();
            assert_eq!(result.placements.len(), 10_000);
            write(&loaded, &deps, &result, Format::Json)
        })
    });
}

/// The stages of the same pipeline, to see where the time goes.
fn stages(c: &mut Criterion) {
    let (loaded, data) = setup();
    let (deps, areas) = parse(&data);
    let result = classify(input(&loaded, &deps, &areas)).unwrap();
    c.bench_function("stage_parse_csv_10000", |b| {
        b.iter(|| {
            table_in::read_departments(data.departments_csv.as_bytes(), "d.csv")
                .unwrap()
                .len()
        })
    });
    c.bench_function("stage_classify_10000", |b| {
        b.iter(|| {
            classify(input(&loaded, &deps, &areas))
                .unwrap()
                .placements
                .len()
        })
    });
    c.bench_function("stage_write_json_10000", |b| {
        b.iter(|| write(&loaded, &deps, &result, Format::Json))
    });
    c.bench_function("stage_write_table_10000", |b| {
        b.iter(|| write(&loaded, &deps, &result, Format::Table))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench, stages
}
criterion_main!(benches);
