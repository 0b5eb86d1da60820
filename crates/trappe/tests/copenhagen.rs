//! Copenhagen to the letter [CPH: ../shared/seeds/003_…]: rule paths the agreement's text
//! decides that change real lettings.

mod common;

use common::{example, stdout, Db};
use serde_json::Value;

/// Registers a vacancy of a department's home, vacated and received on `on`: the JSON
/// the command prints.
fn register_vacancy(db: &Db, department: &str, home: &str, on: &str) -> Value {
    serde_json::from_str(&stdout(db.trappe().args([
        "vacancy",
        "register",
        "--department",
        department,
        "--home",
        home,
        "--vacated",
        on,
        "--received",
        on,
        "--format",
        "json",
    ])))
    .unwrap()
}

/// Registers a vacancy of a home of 101-0403 (area A14), vacated and received on `on`;
/// returns (channel, slot, reason codes).
fn register(db: &Db, home: &str, on: &str) -> (String, u64, Vec<String>) {
    let v = register_vacancy(db, "101-0403", home, on);
    (
        v["channel"].as_str().unwrap().to_string(),
        v["wheel"]["slot"].as_u64().unwrap(),
        v["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect(),
    )
}

/// Writes `text` to a file in the database's folder and imports it as `kind` of `date`;
/// returns what the import printed.
fn import_text(db: &Db, kind: &str, name: &str, text: &str, date: &str) -> String {
    let file = db.path(name);
    std::fs::write(&file, text).unwrap();
    let flag = if kind == "areas" {
        "--list-date"
    } else {
        "--as-of"
    };
    stdout(
        db.trappe()
            .args(["import", kind, &file.display().to_string(), flag, date]),
    )
}

/// CPH 6.1.6: "den boligsociale anvisning fortsat suspenderes i en overgangsperiode …
/// indtil området i fire år i træk ikke har været udpeget som udsat boligområde, eller til
/// udviklingsplanen er gennemført". A14 is an omdannelsesområde on the list of 2023 and on
/// none on the list of 2024: its departments' allocation slots go to the organisation
/// (urban-renewal rehousing, else flexible letting) in the transition — the wheel's slots 3 and 6 on department
/// step 3 — until the municipality records that the development plan is completed (a
/// decisions file, ground `development_plan_completed`), after which slot 3 goes to the
/// allocation again.
#[test]
fn the_development_plan_transition_suspends_allocation_in_the_wheel_until_completed() {
    let db = Db::new("sqlite");
    common::import_example(&db).success();
    db.trappe()
        .args(["homes", "import", &example("copenhagen/homes.csv")])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    import_text(
        &db,
        "areas",
        "list-2024.csv",
        &common::example_text("copenhagen/areas.csv").replace(",omdannelse,", ",none,"),
        "2024-12-01",
    );
    let mut allocation_slots = 0;
    for (i, home) in ["0001", "0002", "0003", "0004", "0005", "0006"]
        .into_iter()
        .enumerate()
    {
        let (channel, slot, reasons) = register(&db, home, "2025-03-03");
        assert_eq!(slot, i as u64 + 1);
        assert_ne!(
            channel, "municipal_allocation",
            "slot {slot} in the transition"
        );
        if slot % 3 == 0 {
            // The allocation slot goes on through its fallbacks, as an unused allocation
            // home would: urban-renewal rehousing, else flexible letting (B4: 'Hvis boligen
            // ikke anvendes til boligsocial anvisning, kan den ved behov anvendes til
            // byfornyelsesgenhusning. Ellers udlejes den efter fleksible A-kriterier').
            allocation_slots += 1;
            assert!(
                reasons.contains(&"development_plan_transition".to_string()),
                "{reasons:?}"
            );
            assert_eq!(channel, "urban_renewal");
        }
    }
    assert_eq!(allocation_slots, 2);
    // The municipality records the development plan as completed.
    let decisions = dir.path().join("decisions.csv");
    std::fs::write(
        &decisions,
        "area_id,ground,decided_by,decided_on\nA14,development_plan_completed,Borgerrepræsentationen,2025-03-20\n",
    )
    .unwrap();
    db.trappe()
        .args([
            "import",
            "decisions",
            &decisions.display().to_string(),
            "--as-of",
            "2025-04-01",
        ])
        .assert()
        .success();
    let mut seen = Vec::new();
    for home in ["0007", "0008", "0009", "0010", "0011", "0012"] {
        seen.push(register(&db, home, "2025-04-10"));
    }
    // The completion ends the limits of the former omdannelse area too (B5: 'Indtil
    // udviklingsplanen er gennemført').
    let household = dir.path().join("h.json");
    std::fs::write(
        &household,
        r#"{"members": [{"relation": "applicant", "birth_date": "1990-01-01", "eu_eea_swiss_citizen": false}]}"#,
    )
    .unwrap();
    let limits = |on: &str| -> Value {
        serde_json::from_str(&stdout(db.trappe().args([
            "applicant",
            "limits",
            "--department",
            "101-0403",
            "--on",
            on,
            "--household",
            &household.display().to_string(),
            "--citizen",
            "K-1",
            "--format",
            "json",
        ])))
        .unwrap()
    };
    assert_eq!(limits("2025-03-03")["area_status"], "former_omdannelse");
    assert_eq!(limits("2025-04-10")["area_status"], "not_designated");
    let (channel, slot, _) = &seen[5];
    assert_eq!(
        (channel.as_str(), *slot),
        ("municipal_allocation", 3),
        "{seen:?}"
    );
    assert!(seen
        .iter()
        .all(|(_, _, r)| !r.contains(&"development_plan_transition".to_string())));
}

/// Every department's (step, basis, computed step) in force on a date.
fn placements(db: &Db, on: &str) -> std::collections::BTreeMap<String, (String, String, String)> {
    let rows: Value = serde_json::from_str(&stdout(
        db.trappe()
            .args(["overview", "--on", on, "--format", "json"]),
    ))
    .unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (
                text("department_id"),
                (text("step"), text("basis"), text("computed_step")),
            )
        })
        .collect()
}

/// The example's departments file with the named columns of `ids` set to the values given.
fn edited_departments(ids: &[&str], cells: &[(&str, &str)]) -> String {
    let text = common::example_text("copenhagen/departments.csv");
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let at = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    let mut out = vec![header.to_string()];
    for line in lines {
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        if ids.contains(&f[0].as_str()) {
            for (name, value) in cells {
                f[at(name)] = value.to_string();
            }
        }
        out.push(f.join(","));
    }
    out.join("\n") + "\n"
}

/// The example's departments file with `ids` pushed past every udsat threshold and a high
/// allocated share: department step 4 by CPH 6.2 fig 5.
fn with_step_4(ids: &[&str]) -> String {
    edited_departments(
        ids,
        &[
            ("unemployment_pct", "60.0"),
            ("convictions_pct", "4.0"),
            ("primary_education_pct", "75.0"),
            ("income_pct", "40.0"),
            ("allocated_pct", "30.0"),
        ],
    )
}

fn wheel_key(db: &Db, department: &str, home: &str, on: &str) -> String {
    register_vacancy(db, department, home, on)["wheel"]["key"]
        .as_str()
        .unwrap()
        .to_string()
}

/// CPH 6.2: "De socioøkonomiske nøgletal og anvisningsdata genberegnes midtvejs i
/// aftaleperioden, så der kan ske omplacering på afdelingstrappen i foråret 2026. Forslag
/// til omplacering forelægges Samarbejdsforum til godkendelse." A September 2024 file whose
/// figures put two step-1 departments on step 4 leaves them on step 1 in force, with the
/// computed step 4 beside it as the proposal; letting uses step 1. Samarbejdsforum's
/// recorded approval of one of them moves exactly that one from its date; withdrawing the
/// approval moves it back.
#[rstest::rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
fn the_department_staircase_moves_only_by_an_approved_re_placement(#[case] engine: &str) {
    if !common::available(engine) {
        return;
    }
    let db = Db::new(engine);
    common::import_example(&db).success();
    db.trappe()
        .args(["homes", "import", &example("copenhagen/homes.csv")])
        .assert()
        .success();
    let spring = placements(&db, "2024-04-01");
    // Two departments on department step 1 with their own figures, outside any area.
    let rows: Value = serde_json::from_str(&stdout(db.trappe().args([
        "overview",
        "--on",
        "2024-04-01",
        "--format",
        "json",
    ])))
    .unwrap();
    let ones: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["step"] == "1"
                && r["basis"] == "held"
                && r["pool_id"].is_null()
                && r["area_id"].is_null()
                && r["unemployment_pct"].is_number()
        })
        .take(2)
        .map(|r| r["department_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ones.len(), 2, "two held step-1 departments in the example");
    let (a, b) = (ones[0].as_str(), ones[1].as_str());

    // The September file: computed moves, listed as proposals, none in force.
    let out = import_text(
        &db,
        "departments",
        "autumn.csv",
        &with_step_4(&[a, b]),
        "2024-09-01",
    );
    assert!(
        out.lines()
            .any(|l| l.contains(a) && l.contains("beregnet forslag, ikke gældende")),
        "{out}"
    );
    let october = placements(&db, "2024-10-01");
    for id in [a, b] {
        assert_eq!(
            october[id],
            ("1".to_string(), "held".to_string(), "4".to_string()),
            "{id}"
        );
    }
    for (id, p) in &october {
        if id != a && id != b {
            assert_eq!(
                (&p.0, &p.1),
                (&spring[id].0, &spring[id].1),
                "{id} in force as before"
            );
        }
    }
    // The changes and the history say which is in force.
    let changes: Value = serde_json::from_str(&stdout(db.trappe().args([
        "changes",
        "--from",
        "2024-03-01",
        "--to",
        "2024-12-31",
        "--format",
        "json",
    ])))
    .unwrap();
    let row = changes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department_id"] == a)
        .unwrap();
    assert_eq!(row["in_force"], false, "{row}");
    assert!(
        row["after"].as_str().unwrap().contains("ikke gældende"),
        "{row}"
    );
    let history: Value = serde_json::from_str(&stdout(
        db.trappe().args(["history", a, "--format", "json"]),
    ))
    .unwrap();
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            &last["step"],
            &last["basis"],
            &last["computed_step"],
            &last["differs"]
        ),
        (
            &Value::from("1"),
            &Value::from("held"),
            &Value::from("4"),
            &Value::from(true)
        ),
        "{last}"
    );
    // Letting uses the placement in force.
    assert_eq!(wheel_key(&db, a, "0001", "2024-10-01"), "department:1");

    // The proposal in spring 2026 names both.
    let proposal: Value = serde_json::from_str(&stdout(db.trappe().args([
        "placement",
        "proposal",
        "--on",
        "2026-04-01",
        "--json",
    ])))
    .unwrap();
    let moves: Vec<&str> = proposal["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["department_id"].as_str().unwrap())
        .collect();
    assert_eq!(moves, [a, b]);
    assert_eq!(proposal["approved_by"], "Samarbejdsforum");

    // Samarbejdsforum approves one of them, in force from 1 May 2026.
    let out = stdout(db.trappe().args([
        "placement",
        "approve",
        "--from",
        "2026-05-01",
        "--decided-on",
        "2026-04-20",
        "--reference",
        "Samarbejdsforum 20.04.2026, pkt. 5",
        "--department",
        a,
    ]));
    assert!(out.contains("1 afdeling(er) flyttet"), "{out}");
    let before = placements(&db, "2026-04-30");
    let after = placements(&db, "2026-05-01");
    assert_eq!(before[a].0, "1");
    assert_eq!(
        after[a],
        ("4".to_string(), "approved".to_string(), "4".to_string())
    );
    assert_eq!(after[b], october[b], "not approved: held");
    let moved: Vec<&String> = after
        .iter()
        .filter(|(id, p)| p.0 != october[id.as_str()].0)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(moved, [a], "exactly the approved department moved");
    assert_eq!(wheel_key(&db, a, "0002", "2026-05-04"), "department:4");

    // A wrong approval is withdrawn: the held step is in force again.
    let list: Value = serde_json::from_str(&stdout(db.trappe().args([
        "placement",
        "decisions",
        "--json",
    ])))
    .unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["reference"], "Samarbejdsforum 20.04.2026, pkt. 5");
    db.trappe()
        .args([
            "placement",
            "withdraw",
            &id.to_string(),
            "--reason",
            "forkert afdeling",
        ])
        .assert()
        .success();
    assert_eq!(placements(&db, "2026-05-01")[a], october[a]);
    // An approval of a department on the area staircase, or of a step that does not
    // exist, is refused with nothing recorded.
    let area_dept = spring
        .iter()
        .find(|(_, p)| p.1 == "computed")
        .map(|(id, _)| id.clone())
        .expect("a department on the area staircase");
    for (dept, why) in [
        (format!("{area_dept}=4"), "follows the computation"),
        (
            format!("{b}=5"),
            "is not a step of the department staircase",
        ),
    ] {
        db.trappe()
            .args([
                "placement",
                "approve",
                "--from",
                "2026-05-01",
                "--decided-on",
                "2026-04-20",
                "--reference",
                "x",
                "--department",
                &dept,
            ])
            .assert()
            .failure()
            .stderr(predicates::str::contains(why));
    }
    let list: Value = serde_json::from_str(&stdout(db.trappe().args([
        "placement",
        "decisions",
        "--json",
    ])))
    .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

/// The example's departments file with `ids` given no figures (the indicator columns and
/// the allocated share left empty), as a file for departments on the area staircase may.
fn without_figures(ids: &[&str]) -> String {
    edited_departments(
        ids,
        &[
            ("unemployment_pct", ""),
            ("convictions_pct", ""),
            ("primary_education_pct", ""),
            ("income_pct", ""),
            ("allocated_pct", ""),
        ],
    )
}

/// The placement in force of one department on a date: (staircase, step, basis).
fn in_force(db: &Db, department: &str, on: &str) -> (String, String, String) {
    let v: Value = serde_json::from_str(&stdout(
        db.trappe()
            .args(["overview", "--on", on, "--format", "json"]),
    ))
    .unwrap();
    let r = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department_id"] == department)
        .unwrap();
    let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
    (text("staircase"), text("step"), text("basis"))
}

/// The tightened criteria a check applies for a department on a date.
fn tightened(db: &Db, department: &str, on: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(&stdout(db.trappe().args([
        "applicant",
        "check",
        "--department",
        department,
        "--on",
        on,
        "--household",
        &example("copenhagen/household.json"),
        "--format",
        "json",
    ])))
    .unwrap();
    v["tightened_criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

/// CPH 6.1.5: "Hvis et område ikke længere er udpeget som udsat boligområde eller
/// forebyggelsesområde videreføres den hidtidige udlejning, indtil de enkelte afdelingers
/// data er opgjort, og en revideret udlejning ud fra afdelingsdata kan træde i kraft." and
/// "Afdelinger i områder, der nyudpeges som forebyggelsesområder, udlejer straks alle
/// ledige familieboliger efter almindelige fleksible kriterier om beskæftigelse og
/// uddannelse. Det afklares snarest muligt af kommunen, om … skærpede kriterier".
/// On the list of 1 December 2024 A01 is no longer designated and A14 (an
/// omdannelsesområde on area step 2) is newly a prevention area: A01's departments,
/// without figures of their own, keep area step 1 until a departments file gives them
/// figures; A14's let by the ordinary criteria until the municipality's recorded decision
/// puts the risk zone's criteria in force.
#[rstest::rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
fn areas_joining_and_leaving_the_lists_follow_6_1_5(#[case] engine: &str) {
    if !common::available(engine) {
        return;
    }
    let db = Db::new(engine);
    common::import_example(&db).success();
    import_text(
        &db,
        "departments",
        "autumn.csv",
        &without_figures(&["101-0365", "101-0366", "101-0367"]),
        "2024-09-01",
    );
    let text = common::example_text("copenhagen/areas.csv")
        .replace(
            "A01,Syntetisk område A01,2079,forebyggelse,",
            "A01,Syntetisk område A01,2079,none,",
        )
        .replace(
            "A14,Syntetisk område A14,1300,omdannelse,",
            "A14,Syntetisk område A14,1300,forebyggelse,",
        );
    import_text(&db, "areas", "list-2024.csv", &text, "2024-12-01");

    // A01 left the lists; its departments have no figures: the letting continues.
    let area_1 = "Områdetrappen".to_string();
    assert_eq!(in_force(&db, "101-0365", "2024-11-30").2, "computed");
    assert_eq!(
        in_force(&db, "101-0365", "2024-12-02"),
        (area_1.clone(), "1".into(), "continued".into())
    );
    // A14 is newly a prevention area: area step 1 at once, the ordinary criteria.
    assert_eq!(in_force(&db, "101-0403", "2024-11-30").1, "2");
    assert_eq!(
        in_force(&db, "101-0403", "2024-12-02"),
        (area_1.clone(), "1".into(), "awaiting_decision".into())
    );
    assert!(tightened(&db, "101-0403", "2024-12-02").is_empty());
    // The proposal names A14's department with the risk zone's criteria.
    let p: Value = serde_json::from_str(&stdout(db.trappe().args([
        "placement",
        "proposal",
        "--on",
        "2024-12-02",
        "--json",
    ])))
    .unwrap();
    let awaiting: Vec<(&str, &Value)> = p["awaiting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["department_id"].as_str().unwrap(),
                &r["criteria_proposed"],
            )
        })
        .collect();
    assert_eq!(
        awaiting.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        ["101-0403"]
    );
    let proposed = awaiting[0].1.clone();
    assert!(!proposed.as_array().unwrap().is_empty(), "{proposed}");

    // The municipality decides: the proposed criteria from 6 January 2025. The letting
    // of its department changes then, and the decision says so.
    let out = stdout(db.trappe().args([
        "placement",
        "decide-criteria",
        "--from",
        "2025-01-06",
        "--decided-on",
        "2025-01-03",
        "--reference",
        "KK sag 2025-0001",
    ]));
    assert!(
        out.lines().any(|l| l.contains("2025-01-06 101-0403")),
        "{out}"
    );
    assert!(tightened(&db, "101-0403", "2025-01-05").is_empty());
    assert_eq!(
        serde_json::to_value(tightened(&db, "101-0403", "2025-01-06")).unwrap(),
        proposed
    );
    assert_eq!(in_force(&db, "101-0403", "2025-01-06").2, "decided");
    // A decision for a department that awaits none is refused.
    db.trappe()
        .args([
            "placement",
            "decide-criteria",
            "--from",
            "2025-01-06",
            "--decided-on",
            "2025-01-03",
            "--reference",
            "x",
            "--department",
            "101-0368",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "not in a newly designated prevention area",
        ));

    // The departments file of March 2025 gives A01's departments figures: the revised
    // letting from department data is in force, held from then on.
    db.trappe()
        .args([
            "import",
            "departments",
            &example("copenhagen/departments.csv"),
            "--as-of",
            "2025-03-01",
        ])
        .assert()
        .success();
    assert_eq!(in_force(&db, "101-0365", "2025-02-28").2, "continued");
    let march = in_force(&db, "101-0365", "2025-03-01");
    assert_eq!(
        (march.0.as_str(), march.2.as_str()),
        ("Afdelingstrappen", "held")
    );
}
