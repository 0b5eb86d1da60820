//! Runs the `trappe` binary as a user would: the example data, the output formats and
//! the errors for bad input.

use std::path::PathBuf;

use assert_cmd::Command;
use predicates::prelude::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn trappe() -> Command {
    let mut c = Command::cargo_bin("trappe").unwrap();
    c.current_dir(root());
    c
}

/// Runs the command, expects success and parses standard output as JSON.
fn stdout_json(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("standard output is JSON")
}

fn cph(format: &str) -> Command {
    let mut c = trappe();
    c.args([
        "classify",
        "--agreement",
        "copenhagen-2024",
        "--departments",
        "examples/copenhagen/departments.csv",
        "--areas",
        "examples/copenhagen/areas.csv",
        "--on",
        "2024-03-01",
        "--format",
        format,
    ]);
    c
}

// Golden test: the Copenhagen example lands on the baseline of CPH 6.2 figs 6–9 / B15
// (step 1 has the 2 departments of the 951–999-resident candidate area on top of 307).
#[test]
fn copenhagen_example_table_is_the_baseline() {
    let out = cph("table").assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    let summary: String = text.lines().skip(3).take(8).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!(summary);
}

#[test]
fn fallback_to_earlier_list_is_said_on_stderr() {
    cph("table").assert().success().stderr(predicate::str::contains(
        "der kendes ingen grænseværdier for listen pr. 2023-12-01; værdierne fra listen pr. 2022-12-01 bruges",
    ));
}

#[test]
fn json_has_one_object_per_department_with_the_agreed_fields() {
    let v = stdout_json(&mut cph("json"));
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 405);
    for item in items {
        let staircase = item["staircase"].as_str().unwrap();
        assert!(staircase == "area" || staircase == "department");
        let step = item["step"].as_str().unwrap();
        assert!(["1", "2", "3", "4"].contains(&step));
        assert!(!item["reasons"].as_array().unwrap().is_empty());
        assert_eq!(item["receipt"]["agreement"], "copenhagen-2024");
        assert_eq!(item["receipt"]["thresholds_fallback"], true);
        if staircase == "department" {
            assert!(item["need"].is_string());
        }
    }
    let step4 = items
        .iter()
        .filter(|i| i["staircase"] == "department" && i["step"] == "4")
        .count();
    assert_eq!(step4, 16);
}

#[test]
fn decisions_move_the_candidate_area_to_the_area_staircase() {
    let v = stdout_json(cph("json").args(["--decisions", "examples/copenhagen/decisions.csv"]));
    let in_a15: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["area_id"] == "A15")
        .collect();
    assert_eq!(in_a15.len(), 2);
    for i in in_a15 {
        assert_eq!(i["staircase"], "area");
        let codes: Vec<&str> = i["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"area_staircase_by_decision"), "{codes:?}");
    }
}

#[test]
fn aalborg_gives_red_yellow_green_and_the_one_overview() {
    let out = trappe()
        .args([
            "classify",
            "--agreement",
            "aalborg-2023",
            "--departments",
            "examples/aalborg/departments.csv",
            "--areas",
            "examples/aalborg/areas.csv",
            "--on",
            "2024-03-01",
            "--lang",
            "en",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("One overview of red and yellow departments"),
        "{text}"
    );
    for colour in ["Red", "Yellow", "Green"] {
        assert!(text.contains(colour), "{colour}");
    }
}

#[test]
fn a_bad_number_names_file_line_column_and_value_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("departments.csv");
    let text = std::fs::read_to_string(root().join("examples/copenhagen/departments.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[16].split(',').map(str::to_string).collect();
    cells[10] = "4.5x".into();
    lines[16] = cells.join(",");
    std::fs::write(&path, lines.join("\n")).unwrap();
    trappe()
        .args([
            "classify",
            "--agreement",
            "copenhagen-2024",
            "--departments",
        ])
        .arg(&path)
        .args(["--on", "2024-03-01", "--format", "json"])
        .assert()
        .failure()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "departments.csv line 17, column unemployment_pct: \"4.5x\" is not a number",
        ));
}

#[test]
fn unknown_agreement_and_date_outside_period_are_errors() {
    trappe()
        .args([
            "classify",
            "--agreement",
            "odense-2030",
            "--departments",
            "examples/copenhagen/departments.csv",
            "--on",
            "2024-03-01",
        ])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("unknown agreement \"odense-2030\"")
                .and(predicate::str::contains("copenhagen-2024, aalborg-2023")),
        );
    trappe()
        .args([
            "classify",
            "--agreement",
            "copenhagen-2024",
            "--departments",
            "examples/copenhagen/departments.csv",
            "--on",
            "2023-06-01",
        ])
        .assert()
        .failure()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "2023-06-01 is outside the agreement's period 2024-01-01 – 2027-12-31",
        ));
}

#[test]
fn departments_of_another_municipality_are_an_error_unless_asked_for() {
    trappe()
        .args([
            "classify",
            "--agreement",
            "copenhagen-2024",
            "--departments",
            "examples/aalborg/departments.csv",
            "--on",
            "2024-03-01",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "municipality 851 is not covered by the agreement",
        ));
}

#[test]
fn agreement_check_accepts_the_shipped_files_and_reports_problems_with_lines() {
    for f in [
        "agreements/copenhagen-2024.toml",
        "agreements/aalborg-2023.toml",
        "agreements/law/almenboligloven-61.toml",
    ] {
        trappe()
            .args(["agreement", "check", f])
            .assert()
            .success()
            .stdout(predicate::str::contains(": ok"));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("law")).unwrap();
    std::fs::copy(
        root().join("agreements/law/almenboligloven-61.toml"),
        dir.path().join("law/almenboligloven-61.toml"),
    )
    .unwrap();
    let text = std::fs::read_to_string(root().join("agreements/copenhagen-2024.toml")).unwrap();
    let broken = text
        .replace("to_pct = 25.0", "to_pct = 26.0")
        .replace("flexible = \"possible\"", "flexible = \"maybe\"");
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, broken).unwrap();
    trappe()
        .args(["agreement", "check"])
        .arg(&path)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("broken.toml:")
                .and(predicate::str::contains("overlapping the band below"))
                .and(predicate::str::contains(
                    "flexible = \"maybe\"; expected \"none\", \"possible\" or \"required\"",
                )),
        );
}

#[test]
fn designate_json_has_area_id_designation_and_reasons() {
    let v = stdout_json(trappe().args([
        "designate",
        "--areas",
        "examples/copenhagen/areas.csv",
        "--on",
        "2022-12-01",
        "--format",
        "json",
    ]));
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 15);
    let a14 = items.iter().find(|i| i["area_id"] == "A14").unwrap();
    assert_eq!(a14["designation"], "omdannelse");
    assert!(!a14["reasons"].as_array().unwrap().is_empty());
    let a15 = items.iter().find(|i| i["area_id"] == "A15").unwrap();
    assert_eq!(a15["designation"], "none");
    assert_eq!(a15["would_be"], "forebyggelse");
}

#[test]
fn generator_is_deterministic_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    trappe()
        .args(["generate", "--preset", "copenhagen", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let a = std::fs::read(dir.path().join("departments.csv")).unwrap();
    let b = std::fs::read(root().join("examples/copenhagen/departments.csv")).unwrap();
    assert_eq!(
        a, b,
        "examples/copenhagen was generated with the default seed"
    );
}

#[test]
fn json_keeps_the_input_order_and_adds_reason_text_on_request() {
    let v = stdout_json(&mut cph("json"));
    let items = v.as_array().unwrap();
    // The departments file lists 101-0001 … 101-0405 in order; the JSON is written by
    // several threads and must keep that order.
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["department_id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    assert!(items[0]["reasons"][0].get("text").is_none());

    let v = stdout_json(cph("json").arg("--reason-text"));
    let first = &v[0]["reasons"][0];
    assert_eq!(first["code"], "criterion");
    assert!(
        first["text"].as_str().unwrap().starts_with("Ledighed "),
        "{first}"
    );
}

#[test]
fn receipt_file_lists_every_parameter_and_matches_the_placements() {
    let dir = tempfile::tempdir().unwrap();
    let receipt = dir.path().join("receipt.json");
    let items = stdout_json(cph("json").arg("--receipt").arg(&receipt));
    let full: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    assert_eq!(
        items[0]["receipt"]["parameters_sha256"],
        full["parameters_sha256"]
    );
    let params = full["parameters"].as_array().unwrap();
    let unemployment = params
        .iter()
        .find(|p| p["name"] == "udsat.unemployment")
        .unwrap();
    assert_eq!(unemployment["value"], "> 40");
    assert_eq!(unemployment["valid_for"], "list of 2022-12-01");
    let band = params
        .iter()
        .find(|p| p["name"] == "allocated_band.at_least_25")
        .unwrap();
    assert_eq!(band["valid_for"], "2024-01-01 – 2027-12-31");
    assert!(band["source"].as_str().unwrap().contains("CPH 6.2 fig 5"));
}

// The scriptable preview of the issue: dept step 4 on 2026-03-01, 18 vacancies from a
// fresh wheel [CPH B4 III trin 4]: flexible A everywhere but slot 3 (both rounds) and
// slot 9 in round 2 (alternating A / allocation).
#[test]
fn wheel_preview_json_for_dept_4() {
    let v = stdout_json(trappe().args([
        "wheel",
        "preview",
        "--agreement",
        "copenhagen-2024",
        "--staircase",
        "department",
        "--step",
        "4",
        "--on",
        "2026-03-01",
        "--vacancies",
        "18",
        "--format",
        "json",
    ]));
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 18);
    for (i, r) in rows.iter().enumerate() {
        let n = i + 1;
        let slot = (i % 9) + 1;
        assert_eq!(r["n"], n);
        assert_eq!(r["slot"], slot);
        let allocation = slot == 3 || (slot == 9 && n > 9);
        if allocation {
            assert_eq!(r["channel"], "municipal_allocation", "n {n}");
            assert!(r["criteria"].is_null());
        } else {
            assert_eq!(r["channel"], "flexible", "n {n}");
            assert_eq!(r["criteria"], "A");
        }
    }
}

// Bad input to the wheel: a step without a wheel on the date is an error naming it.
#[test]
fn wheel_preview_of_an_unknown_step_is_an_error() {
    trappe()
        .args([
            "wheel",
            "preview",
            "--agreement",
            "copenhagen-2024",
            "--staircase",
            "department",
            "--step",
            "7",
            "--on",
            "2026-03-01",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no letting wheel for department step 7 on 2026-03-01",
        ));
}

// A whole letting through the binary: register, try a forbidden outcome (nothing
// written), return, fall back and let; the ledger shows every entry.
#[test]
fn a_vacancy_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut c = trappe();
        c.arg("--db").arg(db).args(args);
        c
    };
    run(&[
        "import",
        "departments",
        "examples/copenhagen/departments.csv",
        "--as-of",
        "2024-03-01",
        "--agreement",
        "copenhagen-2024",
    ])
    .assert()
    .success();
    run(&["homes", "import", "examples/copenhagen/homes.csv"])
        .assert()
        .success();
    // Dept 4 (101-0001): slots 1 and 2 flexible, slot 3 allocation.
    for home in ["0001", "0002"] {
        run(&[
            "vacancy",
            "register",
            "--department",
            "101-0001",
            "--home",
            home,
            "--vacated",
            "2024-06-03",
            "--received",
            "2024-05-02",
        ])
        .assert()
        .success();
    }
    let r = stdout_json(&mut run(&[
        "vacancy",
        "register",
        "--department",
        "101-0001",
        "--home",
        "0003",
        "--vacated",
        "2024-06-03",
        "--received",
        "2024-05-02",
        "--format",
        "json",
    ]));
    assert_eq!(r["channel"], "municipal_allocation");
    assert_eq!(r["wheel"]["slot"], 3);
    assert_eq!(
        r["fallback"],
        serde_json::json!(["urban_renewal", "flexible"])
    );
    // CPH B14: received 2 May → move-in by 1 June; the offered 3 June is later.
    assert_eq!(r["deadlines"]["municipality_move_in_by"], "2024-06-03");
    let id = r["vacancy"].as_i64().unwrap().to_string();
    run(&[
        "vacancy",
        "resolve",
        &id,
        "--outcome",
        "let",
        "--channel",
        "flexible",
        "--on",
        "2024-07-01",
    ])
    .assert()
    .failure()
    .stderr(predicate::str::contains(
        "only after the municipality returned it",
    ));
    run(&[
        "vacancy",
        "resolve",
        &id,
        "--outcome",
        "returned",
        "--on",
        "2024-05-06",
    ])
    .assert()
    .success();
    run(&[
        "vacancy",
        "resolve",
        &id,
        "--outcome",
        "not-used",
        "--on",
        "2024-05-06",
    ])
    .assert()
    .success();
    run(&[
        "vacancy",
        "resolve",
        &id,
        "--outcome",
        "let",
        "--channel",
        "flexible",
        "--on",
        "2024-07-01",
    ])
    .assert()
    .success();
    // The vacancy let is no longer open; the two flexible ones are.
    let open = stdout_json(&mut run(&["vacancy", "list", "--open", "--format", "json"]));
    let open: Vec<i64> = open
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["vacancy"].as_i64().unwrap())
        .collect();
    assert_eq!(open, [2, 1]);
    let ledger = stdout_json(&mut run(&[
        "vacancy", "ledger", "101-0001", "--format", "json",
    ]));
    let actions: Vec<&str> = ledger
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["register", "register", "register", "returned", "not_used", "let"]
    );
    run(&[
        "report",
        "lettings",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--format",
        "csv",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("101-0001"));
}

// Issue 13, item 9: a name imported as a formula reaches no spreadsheet as one.
#[test]
fn csv_output_neutralises_cells_a_spreadsheet_would_run_as_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("departments.csv");
    let text = std::fs::read_to_string(root().join("examples/copenhagen/departments.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let hostile = [
        "=HYPERLINK(\"\"http://x.test\"\";\"\"klik\"\")",
        "+1+cmd",
        "-2+3",
        "@SUM(A1)",
    ];
    for (i, name) in hostile.iter().enumerate() {
        let mut cells: Vec<String> = lines[i + 1].split(',').map(str::to_string).collect();
        cells[1] = format!("\"{name}\"");
        lines[i + 1] = cells.join(",");
    }
    std::fs::write(&path, lines.join("\n")).unwrap();
    let out = trappe()
        .args([
            "classify",
            "--agreement",
            "copenhagen-2024",
            "--departments",
        ])
        .arg(&path)
        .args(["--areas", "examples/copenhagen/areas.csv"])
        .args(["--on", "2024-03-01", "--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let names: Vec<String> = reader
        .records()
        .take(4)
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    assert_eq!(
        names,
        [
            "'=HYPERLINK(\"http://x.test\";\"klik\")",
            "'+1+cmd",
            "'-2+3",
            "'@SUM(A1)"
        ]
    );
}
