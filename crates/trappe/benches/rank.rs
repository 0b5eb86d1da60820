//! Ranking applicants for a vacancy: reading and checking an applicants file of 10,000
//! households, and ranking them under the tightened criteria (area step 2) and under A.
//!
//! Run: `cargo bench -p trappe --bench rank`

use criterion::{criterion_group, criterion_main, Criterion};

use trappe_formats::household::read_applicants;
use trappe_formats::load_builtin;
use trappe_rules::agreement::{Channel, Staircase};
use trappe_rules::applicant::{rank, requirement, RankVacancy};
use trappe_rules::Date;

fn bench(c: &mut Criterion) {
    let loaded = load_builtin("copenhagen-2024").unwrap();
    let rules = loaded.agreement.applicants.as_ref().unwrap();
    let on = Date::from_ymd_opt(2024, 3, 1).unwrap();
    let text = trappe_formats::synth::applicants_json(10_000);
    let households = read_applicants("applicants.json", &text, on).unwrap();
    let mut g = c.benchmark_group("rank_10000_applicants");
    g.sample_size(10);
    g.bench_function("read_and_check_json", |b| {
        b.iter(|| read_applicants("applicants.json", &text, on).unwrap().len())
    });
    for (name, staircase, step, set) in [
        ("rank_tightened_all", Staircase::Area, "2", "tightened:all"),
        ("rank_a", Staircase::Department, "4", "A"),
    ] {
        let req = requirement(
            Some(rules),
            Channel::Flexible,
            Some(set),
            staircase,
            step,
            &[],
            false,
            "bench",
        )
        .unwrap();
        let v = RankVacancy {
            department: "101-0001",
            area: None,
            on,
            requirement: &req,
            internal_priority: false,
            internal_criteria_everywhere: false,
        };
        g.bench_function(name, |b| b.iter(|| rank(rules, &v, &households).len()));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
