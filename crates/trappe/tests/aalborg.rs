//! Aalborg's traffic light end to end through the command line [AAL: ../shared/seeds/001_…]:
//! the municipality's colour is the one in force, trappe's own colour an estimate beside
//! it; the colour decides the channel of every vacancy; the red criteria are checked and
//! ranked, marked as the parties' to confirm.

mod common;

use assert_cmd::Command;
use common::{example, import_aalborg, stdout, Db};
use serde_json::Value;

fn json(cmd: &mut Command) -> Value {
    serde_json::from_str(&stdout(cmd)).unwrap()
}

fn failure(cmd: &mut Command) -> String {
    let out = cmd.assert().failure().get_output().clone();
    String::from_utf8(out.stderr).unwrap()
}

/// The overview in force on a date, as the command line's JSON (department id → row).
fn overview(db: &Db, on: &str) -> std::collections::HashMap<String, Value> {
    let rows = json(
        db.trappe()
            .args(["overview", "--on", on, "--format", "json"]),
    );
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["department_id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

/// Registers a vacancy of home 0001 of a department (vacated 10 September 2024, received
/// on the 2nd), as JSON.
fn register(db: &Db, department: &str) -> Value {
    json(db.trappe().args([
        "vacancy",
        "register",
        "--department",
        department,
        "--home",
        "0001",
        "--vacated",
        "2024-09-10",
        "--received",
        "2024-09-02",
        "--format",
        "json",
    ]))
}

/// A department's colour in a CSV overview file of the example.
fn colour_in(file: &str, department: &str) -> Option<String> {
    common::example_text(&format!("aalborg/{file}"))
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!("{department},"))
                .map(str::to_string)
        })
}

/// "Med udgangspunkt i monitorering indplaceres samtlige af kommunens boligafdelinger …"
/// and "Data/monitoreringsværktøj opdateres 3 gange årligt af Aalborg Kommune": before the
/// municipality's first overview the computed colour is in force, marked provisional;
/// from it on, the municipality's colour, with trappe's computed colour beside it as an
/// estimate; a department the latest overview omits has no colour in force.
#[test]
fn the_municipalitys_overview_is_in_force_and_the_computed_colour_an_estimate() {
    let db = Db::new("sqlite");
    import_aalborg(&db, &[]);
    let before = overview(&db, "2024-03-01");
    assert_eq!(before.len(), 220);
    assert!(
        before.values().all(|r| r["basis"] == "provisional"),
        "provisional until the first overview"
    );
    // Departments without figures (small ones: Landsbyggefonden publishes none) have no
    // computed colour: "no data", not Copenhagen's pooling.
    assert!(before.values().any(|r| r["step"] == "no-data"));
    assert!(before.values().all(|r| r["pool_id"].is_null()));
    let first = stdout(db.trappe().args([
        "import",
        "overview",
        &example("aalborg/overview-2024-04-01.csv"),
        "--as-of",
        "2024-04-01",
    ]));
    assert!(
        first.contains("kommunens oversigt pr. 2024-04-01"),
        "{first}"
    );
    let second = stdout(db.trappe().args([
        "import",
        "overview",
        &example("aalborg/overview-2024-08-01.csv"),
        "--as-of",
        "2024-08-01",
        "--lang",
        "en",
    ]));
    // What changed between the two updates: the colours the second changes, and the
    // department it leaves out.
    assert!(
        second.contains("851-0038") && second.contains("Yellow → Green"),
        "{second}"
    );
    assert!(
        second.contains("851-0220") && second.contains("omits the department"),
        "{second}"
    );
    let now = overview(&db, "2024-09-01");
    for (id, row) in &now {
        match colour_in("overview-2024-08-01.csv", id) {
            Some(c) => {
                assert_eq!(row["step"], c.as_str(), "{id}");
                assert_eq!(row["basis"], "overview", "{id}");
            }
            None => {
                assert_eq!(row["step"], "not-in-overview", "{id}");
                assert_eq!(row["basis"], "not_in_overview", "{id}");
            }
        }
        assert!(
            row["computed_step"].is_string(),
            "{id}: the estimate beside it"
        );
    }
    // Where the municipality judged otherwise, the difference is shown.
    let differs = now.values().filter(|r| r["differs"] == true).count();
    assert!(differs > 0 && differs < 220, "{differs}");
    // A department without figures has the municipality's colour.
    let no_data: Vec<&Value> = before.values().filter(|r| r["step"] == "no-data").collect();
    let id = no_data[0]["department_id"].as_str().unwrap();
    assert_eq!(now[id]["computed_step"], "no-data");
    assert!(now[id]["step"] == "green" || now[id]["step"] == "yellow");
}

/// "Afdelingens farve er afgørende for hvorvidt man kan: Melde boliger ind til
/// boliganvisningen … Om boliganvisningen må anvise borgere til afdelingen. Muligheden
/// for, eller krav om, anvendelse af fleksibel udlejning": red lets every vacancy by the
/// red criteria, yellow by the waiting list (flexible only by agreed criteria), green
/// reports every fourth to the allocation, which may decline it back to the waiting list;
/// a department without a colour in force is refused.
#[test]
fn the_colour_decides_the_channel_of_a_vacancy() {
    let db = Db::new("sqlite");
    import_aalborg(&db, &["2024-04-01", "2024-08-01"]);
    let now = overview(&db, "2024-09-01");
    let of = |colour: &str| -> String {
        let mut ids: Vec<&String> = now
            .iter()
            .filter(|(_, r)| r["step"] == colour)
            .map(|(id, _)| id)
            .collect();
        ids.sort();
        ids[0].clone()
    };
    let register = |department: &str| register(&db, department);
    let red = register(&of("red"));
    assert_eq!(red["step"], "red");
    assert_eq!(red["channel"], "flexible");
    assert_eq!(red["criteria"], "employment|education");
    let yellow = register(&of("yellow"));
    assert_eq!(yellow["channel"], "waiting_list");
    let green = register(&of("green"));
    assert_eq!(green["channel"], "municipal_allocation");
    assert_eq!(green["fallback"], serde_json::json!(["waiting_list"]));
    // The allocation declines: the home returns to the organisation's waiting list.
    let id = green["vacancy"].as_i64().unwrap().to_string();
    let returned = json(db.trappe().args([
        "vacancy",
        "resolve",
        &id,
        "--outcome",
        "returned",
        "--on",
        "2024-09-04",
        "--format",
        "json",
    ]));
    assert_eq!(returned["current_channel"], "waiting_list", "{returned}");
    // Nobody meeting the red criteria: let from the waiting list, recorded as such.
    let id = red["vacancy"].as_i64().unwrap().to_string();
    let let_ = json(db.trappe().args([
        "vacancy",
        "resolve",
        &id,
        "--outcome",
        "let",
        "--channel",
        "waiting-list",
        "--no-qualified-applicant",
        "--on",
        "2024-10-01",
        "--format",
        "json",
    ]));
    assert_eq!(let_["resolved"], true, "{let_}");
    // The table shows the red criteria by their labels, marked as not yet confirmed.
    let text = stdout(
        db.trappe()
            .args(["vacancy", "show", &red["vacancy"].to_string()]),
    );
    assert!(
        text.contains("krav til beskæftigelse eller krav til uddannelse"),
        "{text}"
    );
    assert!(text.contains("afventer parternes bekræftelse"), "{text}");
    // The department the latest overview omits.
    let err = failure(db.trappe().args([
        "vacancy",
        "register",
        "--department",
        "851-0220",
        "--home",
        "0001",
        "--vacated",
        "2024-09-10",
        "--received",
        "2024-09-02",
    ]));
    assert!(err.contains("no colour in force"), "{err}");
}

/// The red criteria (employment or education, set by Aalborg Kommune and not published)
/// are written on the parties' behalf: a check and a ranking on a red department use
/// them and say they await the parties' confirmation.
#[test]
fn an_applicant_is_checked_and_ranked_for_a_red_department() {
    let db = Db::new("sqlite");
    import_aalborg(&db, &["2024-04-01"]);
    let check = stdout(db.trappe().args([
        "applicant",
        "check",
        "--agreement",
        "aalborg-2023",
        "--department",
        "851-0001",
        "--on",
        "2024-09-10",
        "--household",
        &example("aalborg/household.json"),
    ]));
    assert!(check.contains("OPFYLDT"), "{check}");
    assert!(check.contains("afventer parternes bekræftelse"), "{check}");
    let ranked = json(db.trappe().args([
        "applicant",
        "rank",
        "--department",
        "851-0001",
        "--on",
        "2024-09-10",
        "--applicants",
        &example("aalborg/applicants.json"),
        "--dry-run",
        "--format",
        "json",
    ]));
    let order: Vec<&str> = ranked["ranking"]
        .as_array()
        .unwrap_or_else(|| panic!("{ranked}"))
        .iter()
        .map(|r| r["applicant"].as_str().unwrap())
        .collect();
    // 15 + 12 hours of permanent work, then the student, before those meeting neither
    // (by seniority: 2011 before 2013).
    assert_eq!(order, ["A-5002", "A-5003", "A-5001", "A-5004"]);
    assert_eq!(
        ranked["requirement"]["to_confirm"],
        serde_json::json!(["employment", "education"])
    );
}

/// Bad overview files: an unknown department, a colour that is not one, a date outside
/// the agreement, an agreement that does not put an overview in force — each a clear
/// error naming what is wrong, and nothing stored.
#[test]
fn a_bad_overview_is_refused_and_nothing_is_stored() {
    let db = Db::new("sqlite");
    import_aalborg(&db, &[]);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    };
    let snapshots = |db: &Db| stdout(db.trappe().args(["snapshots"])).lines().count();
    let held = snapshots(&db);
    let cases = [
        (
            write(
                "unknown.csv",
                "department_id,colour\n851-0001,rød\n999-0001,gul\n",
            ),
            "2024-04-01",
            "line 3, column department_id: \"999-0001\" is not a department trappe holds",
        ),
        (
            write("orange.csv", "department_id,colour\n851-0001,orange\n"),
            "2024-04-01",
            "line 2, column colour: \"orange\" is not a colour; expected red, yellow or green",
        ),
        (
            write("late.csv", "department_id,colour\n851-0001,red\n"),
            "2026-02-01",
            "outside the agreement aalborg-2023",
        ),
        (
            write("empty.csv", "department_id,colour\n"),
            "2024-04-01",
            "line 2",
        ),
    ];
    for (file, on, expected) in &cases {
        let err = failure(
            db.trappe()
                .args(["import", "overview", file, "--as-of", on]),
        );
        assert!(err.contains(expected), "{file}: {err}");
    }
    assert_eq!(snapshots(&db), held, "nothing stored");
    // Copenhagen's agreement computes its placement: an overview is refused.
    let cph = Db::new("sqlite");
    common::import_example(&cph).success();
    let err =
        failure(
            cph.trappe()
                .args(["import", "overview", &cases[0].0, "--as-of", "2024-04-01"]),
        );
    assert!(
        err.contains("puts the computed placement in force"),
        "{err}"
    );
}

/// Several municipalities in one database: Copenhagen and Aalborg import their lists and
/// figures for the same dates; each department is placed and let under its own
/// municipality's agreement; Copenhagen's placements are exactly those of a database of
/// its own; a department absent from Aalborg's next file leaves Copenhagen's data alone; a
/// file that says no municipality is placed by its departments or refused with the
/// choice; a department of one municipality in another's file is refused; and changing a
/// municipality's agreement is an explicit, audited act.
#[test]
fn two_municipalities_live_in_one_database() {
    let both = Db::new("sqlite");
    common::import_example(&both).success();
    both.trappe()
        .args(["homes", "import", &example("copenhagen/homes.csv")])
        .assert()
        .success();
    import_aalborg(&both, &["2024-04-01"]);
    let alone = Db::new("sqlite");
    common::import_example(&alone).success();
    // Copenhagen exactly as before, beside Aalborg.
    for on in ["2024-03-01", "2024-05-01", "2026-06-01"] {
        let mine = overview(&alone, on);
        let shared = overview(&both, on);
        assert_eq!(shared.len(), mine.len() + 220, "{on}");
        for (id, row) in &mine {
            for key in ["staircase", "step", "need", "allocated_band", "pool_id"] {
                assert_eq!(shared[id][key], row[key], "{on} {id} {key}");
            }
        }
    }
    // The law's limits on allocation read Copenhagen's own lists: the same as alone
    // (a department of A14, udsat on Copenhagen's list of 2023-12-01, the same date as
    // Aalborg's list).
    let dir0 = tempfile::tempdir().unwrap();
    let household = dir0.path().join("non-eu.json");
    std::fs::write(&household, r#"{"members": [{"relation": "applicant", "birth_date": "1990-01-01", "eu_eea_swiss_citizen": false}]}"#).unwrap();
    let household = household.display().to_string();
    let limits = |db: &Db| -> Value {
        json(db.trappe().args([
            "applicant",
            "limits",
            "--department",
            "101-0403",
            "--on",
            "2024-03-01",
            "--household",
            &household,
            "--citizen",
            "K-1",
            "--format",
            "json",
        ]))
    };
    let (mine, shared) = (limits(&alone), limits(&both));
    assert_eq!(shared["area_status"], "udsat");
    assert_eq!(shared["area_status"], mine["area_status"]);
    assert_eq!(shared["allowed"], mine["allowed"]);
    // Each lets under its own agreement.
    let register = |department: &str| -> Value {
        json(both.trappe().args([
            "vacancy",
            "register",
            "--department",
            department,
            "--home",
            "0001",
            "--vacated",
            "2024-09-10",
            "--received",
            "2024-09-02",
            "--format",
            "json",
        ]))
    };
    assert_eq!(register("101-0001")["agreement"], "copenhagen-2024");
    assert_eq!(register("851-0001")["agreement"], "aalborg-2023");
    // Aalborg's next figures without one department: Copenhagen keeps all of its own.
    let dir = tempfile::tempdir().unwrap();
    let text = common::example_text("aalborg/departments.csv");
    let fewer: String = text
        .lines()
        .filter(|l| !l.starts_with("851-0002,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let file = dir.path().join("aalborg-2024-09.csv");
    std::fs::write(&file, &fewer).unwrap();
    let file = file.display().to_string();
    let out = stdout(
        both.trappe()
            .args(["import", "departments", &file, "--as-of", "2024-09-01"]),
    );
    assert!(out.contains("kommune 851"), "{out}");
    let after = overview(&both, "2024-09-15");
    assert!(!after.contains_key("851-0002"));
    assert_eq!(after.keys().filter(|k| k.starts_with("101-")).count(), 405);
    // A file that names no municipality and whose rows do not say: refused, with the choice.
    let decisions = dir.path().join("decisions.csv");
    std::fs::write(
        &decisions,
        "area_id,ground,decided_by,decided_on\nX9,residents_over_threshold,BR,2024-06-01\n",
    )
    .unwrap();
    let err = failure(both.trappe().args([
        "import",
        "decisions",
        &decisions.display().to_string(),
        "--as-of",
        "2024-06-01",
    ]));
    assert!(
        err.contains("several municipalities (101, 851)") && err.contains("--municipality"),
        "{err}"
    );
    // A Copenhagen department in Aalborg's file.
    let stray = format!(
        "{fewer}{}",
        text.lines()
            .nth(1)
            .unwrap()
            .replacen("851-0001", "101-0001", 1)
    );
    std::fs::write(dir.path().join("stray.csv"), stray).unwrap();
    let err = failure(both.trappe().args([
        "import",
        "departments",
        &dir.path().join("stray.csv").display().to_string(),
        "--as-of",
        "2024-10-01",
        "--municipality",
        "851",
    ]));
    assert!(
        err.contains("column department_id: \"101-0001\" is held for municipality 101"),
        "{err}"
    );
    // Another agreement for Aalborg: refused unless said so, then recorded.
    let edited = dir.path().join("aalborg-edited.toml");
    let mut agreement =
        std::fs::read_to_string(common::root().join("agreements/aalborg-2023.toml")).unwrap();
    agreement.push_str("\n# edited\n");
    std::fs::write(&edited, agreement).unwrap();
    let edited = edited.display().to_string();
    let args = [
        "import",
        "overview",
        &example("aalborg/overview-2024-08-01.csv"),
        "--as-of",
        "2024-08-01",
        "--agreement",
        &edited,
    ];
    let err = failure(both.trappe().args(args));
    assert!(
        err.contains("municipality 851 is placed by the agreement aalborg-2023")
            && err.contains("--change-agreement"),
        "{err}"
    );
    stdout(
        both.trappe()
            .args(args)
            .args(["--change-agreement", "the parties' revision of 2024"]),
    );
    let audit = stdout(both.trappe().args(["audit", "--limit", "5"]));
    assert!(
        audit.contains("change_agreement\tmunicipality 851")
            && audit.contains("the parties' revision of 2024"),
        "{audit}"
    );
    // Aalborg's overview cannot colour Copenhagen's departments.
    let cph_colours = dir.path().join("cph-colours.csv");
    std::fs::write(
        &cph_colours,
        "department_id,colour\n851-0001,red\n101-0001,gul\n",
    )
    .unwrap();
    let err = failure(both.trappe().args([
        "import",
        "overview",
        &cph_colours.display().to_string(),
        "--as-of",
        "2024-08-15",
        "--municipality",
        "851",
    ]));
    assert!(err.contains("line 3, column department_id: \"101-0001\" is not a department trappe holds for this municipality"), "{err}");
    // The same file again with another agreement: the change is checked and recorded
    // (not silently dropped because nothing else changed).
    let again = [
        "import",
        "departments",
        &file,
        "--as-of",
        "2024-09-01",
        "--agreement",
        "aalborg-2023",
    ];
    let err = failure(both.trappe().args(again));
    assert!(err.contains("--change-agreement"), "{err}");
    let out = stdout(
        both.trappe()
            .args(again)
            .args(["--change-agreement", "back to the published file"]),
    );
    assert!(out.contains("Uændret") && out.contains("beregnet"), "{out}");
    let audit = stdout(both.trappe().args(["audit", "--limit", "3"]));
    assert!(audit.contains("back to the published file"), "{audit}");
    // Copenhagen's agreement cannot be given to Aalborg.
    let err = failure(both.trappe().args([
        "import",
        "overview",
        &example("aalborg/overview-2024-08-01.csv"),
        "--as-of",
        "2024-08-02",
        "--agreement",
        "copenhagen-2024",
        "--municipality",
        "851",
    ]));
    assert!(err.contains("covers 101, not 851"), "{err}");
}
