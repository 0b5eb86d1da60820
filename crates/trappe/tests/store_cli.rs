//! The database commands as a user runs them: import, history, changes, export,
//! backup; and a real process killed with SIGKILL in the middle of an import, on
//! SQLite and on PostgreSQL.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{example, import_departments, import_example, stdout, Db};
use predicates::prelude::*;
use rstest::rstest;

/// The example imported; the departments' import places all 405 departments.
fn load_example(db: &Db) {
    import_example(db).stdout(predicate::str::contains(
        "Placering pr. 2024-03-01 beregnet for 405 afdelinger",
    ));
}

/// The example with every department's unemployment raised by 30 points (capped).
fn autumn_file(db: &Db) -> PathBuf {
    let text = std::fs::read_to_string(example("copenhagen/departments.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let sep = if header.contains(';') { ';' } else { ',' };
    let col = header
        .split(sep)
        .position(|h| h == "unemployment_pct")
        .unwrap();
    let mut out = vec![header.to_string()];
    for l in lines {
        let mut cells: Vec<String> = l.split(sep).map(str::to_string).collect();
        if let Ok(v) = cells[col].replace(',', ".").parse::<f64>() {
            cells[col] = format!("{:.1}", (v + 30.0).min(100.0));
        }
        out.push(cells.join(&sep.to_string()));
    }
    let p = db.path("autumn.csv");
    std::fs::write(&p, out.join("\n") + "\n").unwrap();
    p
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
fn killed_mid_import_leaves_the_database_as_before_and_readers_see_the_old_state(
    #[case] engine: &str,
) {
    if !common::available(engine) {
        return;
    }
    let db = Db::new(engine);
    load_example(&db);
    let overview_before =
        stdout(
            db.trappe()
                .args(["overview", "--on", "2024-12-31", "--format", "json"]),
        );
    let snapshots_before = stdout(db.trappe().args(["snapshots"]));
    let autumn = autumn_file(&db);
    let marker = db.path("holding");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("trappe"))
        .current_dir(db.dir.path())
        .env("TRAPPE_TEST_HOLD_IMPORT", &marker)
        .args([
            "--db",
            &db.url,
            "import",
            "departments",
            &autumn.display().to_string(),
            "--as-of",
            "2024-09-01",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !marker.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the import never reached its hold point"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before its hold point"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The import's rows are written but not committed: a reader sees the old state,
    // and is not kept waiting.
    let t = Instant::now();
    assert_eq!(stdout(db.trappe().args(["snapshots"])), snapshots_before);
    assert_eq!(
        stdout(
            db.trappe()
                .args(["overview", "--on", "2024-12-31", "--format", "json"])
        ),
        overview_before
    );
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "readers waited for the writer"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(stdout(db.trappe().args(["snapshots"])), snapshots_before);
    assert_eq!(
        stdout(
            db.trappe()
                .args(["overview", "--on", "2024-12-31", "--format", "json"])
        ),
        overview_before
    );
    // And the same import, run to the end, goes through afterwards.
    db.trappe()
        .args([
            "import",
            "departments",
            &autumn.display().to_string(),
            "--as-of",
            "2024-09-01",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "har skiftet trin siden 2024-03-01",
        ));
    assert_ne!(
        stdout(
            db.trappe()
                .args(["overview", "--on", "2024-12-31", "--format", "json"])
        ),
        overview_before
    );
}

#[test]
fn import_history_changes_and_export() {
    let db = Db::new("sqlite");
    load_example(&db);
    // Again: nothing changes.
    import_departments(&db).stdout(predicate::str::contains("Uændret"));
    let autumn = autumn_file(&db);
    let out = stdout(db.trappe().args([
        "import",
        "departments",
        &autumn.display().to_string(),
        "--as-of",
        "2024-09-01",
    ]));
    assert!(out.contains("ledighed"), "{out}");
    let changes = stdout(db.trappe().args([
        "changes",
        "--from",
        "2024-03-01",
        "--to",
        "2024-09-01",
        "--format",
        "json",
    ]));
    let changes: serde_json::Value = serde_json::from_str(&changes).unwrap();
    let n = changes.as_array().unwrap().len();
    assert!(n > 0);
    // Copenhagen holds the department staircase until approved [CPH 6.2]: the moves in
    // force and the computed ones (proposals) are counted apart.
    let in_force = changes
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["in_force"] == true)
        .count();
    assert!(
        out.contains(&format!("{in_force} har skiftet trin")),
        "{out}"
    );
    if n > in_force {
        assert!(
            out.contains(&format!(
                "{} har et andet beregnet trin (forslag, ikke gældende)",
                n - in_force
            )),
            "{out}"
        );
    }
    let history = stdout(db.trappe().args(["history", "101-0001", "--format", "csv"]));
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 3, "header and two dates: {history}");
    assert!(lines[0].starts_with("Gældende fra;"), "{history}");
    assert!(
        lines[1].starts_with("01-03-2024;") && lines[2].starts_with("01-09-2024;"),
        "{history}"
    );
    let english = stdout(
        db.trappe()
            .args(["history", "101-0001", "--format", "csv", "--lang", "en"]),
    );
    assert!(english.starts_with("In force from,"), "{english}");
    // Exports to a file, the format by extension.
    let xlsx = db.path("overview.xlsx");
    db.trappe()
        .args([
            "export",
            "overview",
            "--on",
            "2024-12-31",
            "--output",
            &xlsx.display().to_string(),
        ])
        .assert()
        .success();
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK\x03\x04"));
    let csv = db.path("changes.csv");
    db.trappe()
        .args([
            "export",
            "changes",
            "--from",
            "2024-03-01",
            "--to",
            "2024-09-01",
            "--output",
            &csv.display().to_string(),
        ])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap().lines().count(),
        n + 1
    );
    // The audit log names who imported what.
    let audit = stdout(db.trappe().args(["audit"]));
    assert!(
        audit
            .lines()
            .next()
            .unwrap()
            .contains("analyst\timport\tdepartments 2024-09-01"),
        "{audit}"
    );
}

#[test]
fn bad_files_are_refused_with_a_clear_message_and_nothing_is_stored() {
    let db = Db::new("sqlite");
    let not_zip = db.path("figures.xlsx");
    std::fs::write(&not_zip, "department_id;name\n").unwrap();
    let empty = db.path("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let cut = db.path("cut.csv");
    let full = std::fs::read_to_string(example("copenhagen/departments.csv")).unwrap();
    let header = full.lines().next().unwrap();
    let sep = if header.contains(';') { ';' } else { ',' };
    let second = full.lines().nth(1).unwrap();
    let half: Vec<&str> = second.split(sep).take(4).collect();
    std::fs::write(
        &cut,
        format!("{header}\n{second}\n{}", half.join(&sep.to_string())),
    )
    .unwrap();
    let big = db.path("big.csv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(2 * 1024 * 1024 * 1024)
        .unwrap();
    // Issue 13: what an attacker or a careless user uploads.
    let far_cell = db.path("far.xlsx");
    std::fs::write(&far_cell, common::far_cell_workbook()).unwrap();
    let header_only = db.path("header-only.csv");
    std::fs::write(&header_only, format!("{header}\n")).unwrap();
    let damaged = db.path("damaged.csv");
    // UTF-8 throughout ("Søndre …"), and one byte in the middle that is not.
    let mut damaged_bytes = full.replace("Syntetisk", "Søndre").into_bytes();
    let bad = damaged_bytes.len() / 2;
    damaged_bytes[bad] = 0xF8;
    std::fs::write(&damaged, damaged_bytes).unwrap();
    let bom_id = db.path("bom-id.csv");
    let mut lines: Vec<String> = full.lines().map(str::to_string).collect();
    lines[5] = format!("\u{feff}{}", lines[5]);
    std::fs::write(&bom_id, lines.join("\n")).unwrap();
    for (file, says) in [
        (&not_zip, "not a zip"),
        (&empty, "empty"),
        (&cut, "line 3"),
        (&big, "2.0 GB; trappe reads files up to 20 MB"),
        (&far_cell, "has a cell at XFD1048576"),
        (
            &header_only,
            "line 2: expected rows of data below the header",
        ),
        (&damaged, "is not UTF-8, but the file is UTF-8 elsewhere"),
        (&bom_id, "line 6, column department_id"),
    ] {
        let t = Instant::now();
        db.trappe()
            .args([
                "import",
                "departments",
                &file.display().to_string(),
                "--as-of",
                "2024-03-01",
                "--agreement",
                "copenhagen-2024",
            ])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(says).and(predicate::str::contains(
                file.file_name().unwrap().to_string_lossy().as_ref(),
            )));
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "{} took {:?}",
            file.display(),
            t.elapsed()
        );
    }
    let snapshots = stdout(db.trappe().args(["snapshots"]));
    assert!(snapshots.trim().is_empty(), "{snapshots}");
}

#[test]
fn backup_and_restore_from_the_command_line() {
    let db = Db::new("sqlite");
    load_example(&db);
    let backup = db.path("copy.db");
    db.trappe()
        .args(["backup", &backup.display().to_string()])
        .assert()
        .success();
    let autumn = autumn_file(&db);
    db.trappe()
        .args([
            "import",
            "departments",
            &autumn.display().to_string(),
            "--as-of",
            "2024-09-01",
        ])
        .assert()
        .success();
    db.trappe()
        .args(["restore", &backup.display().to_string()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--yes"));
    db.trappe()
        .args(["restore", &backup.display().to_string(), "--yes"])
        .assert()
        .success();
    let snapshots = stdout(db.trappe().args(["snapshots"]));
    assert!(!snapshots.contains("2024-09-01"), "{snapshots}");
    assert!(Path::new(&backup).exists());
}

/// `trappe import departments FILE --as-of DATE [extra…]`.
fn import_on(db: &Db, file: &Path, on: &str, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = db.trappe();
    cmd.args([
        "import",
        "departments",
        &file.display().to_string(),
        "--as-of",
        on,
        "--lang",
        "en",
    ])
    .args(extra);
    cmd
}

#[test]
fn a_header_only_or_shrunken_file_is_refused_and_a_wrong_snapshot_can_be_withdrawn() {
    let rows_on = |db: &Db| {
        stdout(
            db.trappe()
                .args(["overview", "--on", "2024-10-01", "--format", "csv"]),
        )
        .lines()
        .count()
            - 1
    };
    let db = Db::new("sqlite");
    load_example(&db);
    let full = std::fs::read_to_string(example("copenhagen/departments.csv")).unwrap();
    let header = full.lines().next().unwrap();
    let snapshots = |db: &Db| stdout(db.trappe().args(["snapshots"]));
    let before = snapshots(&db);

    // Only the header line: refused for every kind, naming the file and line 2.
    let header_only = db.path("header-only.csv");
    std::fs::write(&header_only, format!("{header}\n")).unwrap();
    import_on(&db, &header_only, "2024-09-01", &[])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("header-only.csv line 2").and(predicate::str::contains(
                "expected rows of data below the header, but there are none",
            )),
        );
    let areas = std::fs::read_to_string(example("copenhagen/areas.csv")).unwrap();
    let areas_header = db.path("areas-header.csv");
    std::fs::write(
        &areas_header,
        format!("{}\n", areas.lines().next().unwrap()),
    )
    .unwrap();
    db.trappe()
        .args([
            "import",
            "areas",
            &areas_header.display().to_string(),
            "--list-date",
            "2024-12-01",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("areas-header.csv line 2"));
    let homes = std::fs::read_to_string(example("copenhagen/homes.csv")).unwrap();
    let homes_header = db.path("homes-header.csv");
    std::fs::write(
        &homes_header,
        format!("{}\n", homes.lines().next().unwrap()),
    )
    .unwrap();
    db.trappe()
        .args(["homes", "import", &homes_header.display().to_string()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("homes-header.csv line 2"));
    assert_eq!(snapshots(&db), before, "nothing stored");

    // 100 of the 405 departments gone: refused, unless --allow-drop says so.
    let lines: Vec<&str> = full.lines().collect();
    let shrunk = db.path("shrunk.csv");
    std::fs::write(&shrunk, format!("{header}\n{}\n", lines[101..].join("\n"))).unwrap();
    import_on(&db, &shrunk, "2024-09-01", &[])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("would drop 100 departments")
                .and(predicate::str::contains("municipality 101 (25 %)"))
                .and(predicate::str::contains("more than 10 %"))
                .and(predicate::str::contains("--allow-drop")),
        );
    assert_eq!(snapshots(&db), before, "nothing stored");
    import_on(
        &db,
        &shrunk,
        "2024-09-01",
        &["--allow-drop", "--actor", "jens"],
    )
    .assert()
    .success()
    .stdout(predicate::str::contains("305 rows"));
    let audit = stdout(db.trappe().args(["audit", "--limit", "1"]));
    assert_eq!(rows_on(&db), 305);
    assert!(
        audit.contains("jens\timport\tdepartments 2024-09-01")
            && audit.contains("\"allow_drop\":true")
            && audit.contains("\"departments\":100"),
        "{audit}"
    );

    // That file was wrong after all: the right one for the date is refused until the
    // wrong one is withdrawn, with a reason.
    let right = PathBuf::from(example("copenhagen/departments.csv"));
    import_on(&db, &right, "2024-09-01", &[])
        .assert()
        .failure()
        .stderr(predicate::str::contains("withdraw"));
    db.trappe()
        .args(["snapshots", "withdraw", "departments", "2024-09-01"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--reason"));
    db.trappe()
        .args([
            "snapshots",
            "withdraw",
            "departments",
            "2024-09-01",
            "--reason",
            "a partial file",
            "--actor",
            "kommune",
            "--lang",
            "en",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Withdrawn: departments' key figures 2024-09-01")
                .and(predicate::str::contains("run"))
                .and(predicate::str::contains("(of 2024-03-01)")),
        );
    let list = snapshots(&db);
    assert!(
        list.contains("shrunk.csv\twithdrawn ") && list.contains("by kommune: a partial file"),
        "{list}"
    );
    let audit = stdout(db.trappe().args(["audit", "--limit", "1"]));
    assert!(
        audit.contains("kommune\twithdraw\tdepartments 2024-09-01")
            && audit.contains("a partial file"),
        "{audit}"
    );
    // The overview of the autumn is the spring's again (405 departments, not 305),
    // then the right file's.
    assert_eq!(rows_on(&db), 405);
    import_on(&db, &right, "2024-09-01", &[])
        .assert()
        .success()
        .stdout(predicate::str::contains("405 rows"));
    let list = snapshots(&db);
    assert_eq!(list.matches("2024-09-01").count(), 2, "{list}");
}
