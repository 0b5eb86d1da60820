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

/// A deterministic applicants file: households of 1–4 members with varied work,
/// education, income and the odd conviction.
fn applicants_json(n: usize) -> String {
    let mut seed: u64 = 2024;
    let mut next = |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let members = 1 + next(4) as usize;
        let mut ms = Vec::new();
        for m in 0..members {
            let relation = match m {
                0 => "applicant",
                1 => "spouse",
                _ => "child",
            };
            let age = if m >= 2 { next(18) } else { 18 + next(60) };
            let work = match next(5) {
                0 => String::new(),
                1 => r#", "work": [{"kind": "fleksjob"}]"#.to_string(),
                2 => format!(
                    r#", "work": [{{"kind": "permanent", "weekly_hours": {}}}]"#,
                    15 + next(25)
                ),
                3 => {
                    r#", "education": {"kind": "su_eligible", "starts": "2023-09-01"}"#.to_string()
                }
                _ => r#", "work": [{"kind": "apprentice"}]"#.to_string(),
            };
            let conviction = if next(20) == 0 {
                r#", "convictions": [{"law": "criminal_code", "date": "2023-05-01"}]"#
            } else {
                ""
            };
            ms.push(format!(
                r#"{{"relation": "{relation}", "age": {age}{work}{conviction}, "monthly_gross_income": {}, "completed_education": {{"level": "{}", "completed_on": "2005-06-30", "taken_in": "denmark"}}}}"#,
                15000 + next(25000),
                if next(3) == 0 { "primary" } else { "vocational" }
            ));
        }
        out.push(format!(
            r#"{{"id": "V-{i:05}", "seniority": "{}-{:02}-{:02}", "members": [{}]}}"#,
            2000 + next(24),
            1 + next(12),
            1 + next(28),
            ms.join(", ")
        ));
    }
    format!("[{}]", out.join(",\n"))
}

fn bench(c: &mut Criterion) {
    let loaded = load_builtin("copenhagen-2024").unwrap();
    let rules = loaded.agreement.applicants.as_ref().unwrap();
    let on = Date::from_ymd_opt(2024, 3, 1).unwrap();
    let text = applicants_json(10_000);
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
