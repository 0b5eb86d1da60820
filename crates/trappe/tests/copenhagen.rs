//! Copenhagen to the letter [CPH: ../shared/seeds/003_…]: rule paths the agreement's text
//! decides that change real lettings.

mod common;

use common::{example, stdout, Db};
use serde_json::Value;

/// Registers a vacancy of a home of 101-0403 (area A14), vacated and received on `on`;
/// returns (channel, slot, reason codes).
fn register(db: &Db, home: &str, on: &str) -> (String, u64, Vec<String>) {
    let v: Value = serde_json::from_str(&stdout(db.trappe().args([
        "vacancy",
        "register",
        "--department",
        "101-0403",
        "--home",
        home,
        "--vacated",
        on,
        "--received",
        on,
        "--format",
        "json",
    ])))
    .unwrap();
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
    let list = dir.path().join("list-2024.csv");
    std::fs::write(
        &list,
        common::example_text("copenhagen/areas.csv").replace(",omdannelse,", ",none,"),
    )
    .unwrap();
    db.trappe()
        .args([
            "import",
            "areas",
            &list.display().to_string(),
            "--list-date",
            "2024-12-01",
        ])
        .assert()
        .success();
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
