//! The storage suite: every test runs against the embedded SQLite file and against
//! PostgreSQL (127.0.0.1:5432, database `test`, or $TRAPPE_TEST_POSTGRES), each in its
//! own temporary directory or schema.

mod common;

use common::{
    copenhagen, count, date, example, example_text, fresh, import, import_departments,
    load_example, load_example_with_homes, open, plain_homes, register,
};
use rstest::rstest;
use trappe_rules::agreement::Staircase;
use trappe_rules::placement::{classify, ClassifyInput};
use trappe_store::import::Kind;
use trappe_store::read::Why;
use trappe_store::{Engine, Location, Store, StoreError};

/// A departments CSV: the example with some of one department's cells changed.
fn with_cells(department: &str, changes: &[(&str, &str)]) -> Vec<u8> {
    let text = example_text("copenhagen/departments.csv");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let sep = if lines[0].contains(';') { ';' } else { ',' };
    let header: Vec<String> = lines[0].split(sep).map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let id = col("department_id");
    for l in lines.iter_mut().skip(1) {
        let mut cells: Vec<String> = l.split(sep).map(str::to_string).collect();
        if cells[id] == department {
            for (name, value) in changes {
                cells[col(name)] = value.to_string();
            }
            *l = cells.join(&sep.to_string());
        }
    }
    (lines.join("\n") + "\n").into_bytes()
}

fn with_unemployment(department: &str, value: &str) -> Vec<u8> {
    with_cells(department, &[("unemployment_pct", value)])
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn stored_placements_equal_a_classification_of_the_files(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    assert_eq!(store.engine(), engine);
    load_example(&mut store);
    let overview = store.overview(date("2024-06-30")).unwrap();
    assert_eq!(overview.on_date, date("2024-03-01"));
    assert_eq!(overview.list_date, Some(date("2023-12-01")));

    // The same inputs straight from the files, through the rules core.
    let a = copenhagen();
    let deps =
        trappe_formats::table_in::read_departments(&example("copenhagen/departments.csv"), "d")
            .unwrap();
    let areas =
        trappe_formats::table_in::read_areas(&example("copenhagen/areas.csv"), "a", false).unwrap();
    let decisions =
        trappe_formats::table_in::read_decisions(&example("copenhagen/decisions.csv"), "x")
            .unwrap();
    let direct = classify(ClassifyInput {
        agreement: &a.agreement,
        law: &a.law,
        on: date("2024-03-01"),
        data_reference_date: Some(date("2024-03-01")),
        departments: &deps,
        areas: Some(&areas),
        decisions: &decisions,
        pools: None,
        any_municipality: false,
        overview: None,
        standing: None,
        program_version: "test",
    })
    .unwrap();
    assert_eq!(overview.rows.len(), deps.len());
    for (row, p) in overview.rows.iter().zip(&direct.placements) {
        assert_eq!(
            row.department, deps[p.department],
            "figures round-trip exactly"
        );
        assert_eq!(row.placement.staircase, p.staircase);
        assert_eq!(
            row.placement.step, p.step,
            "department {}",
            row.department.id
        );
    }
    // The receipt names the agreement by hash, and the agreement is stored under it.
    let receipt = store.receipt("101", date("2024-03-01")).unwrap();
    assert_eq!(
        receipt["agreement_sha256"],
        a.agreement.content_sha256.as_str()
    );
    assert!(receipt["parameters"]
        .as_array()
        .is_some_and(|p| !p.is_empty()));
    assert_eq!(count(&mut store, "agreement"), 1);
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn reimporting_the_same_file_changes_nothing(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let before = (
        count(&mut store, "placement_run"),
        count(&mut store, "audit_log"),
        count(&mut store, "department_figures"),
    );
    let r = import_departments(&mut store).unwrap();
    assert!(r.unchanged);
    assert!(r.runs.is_empty());
    let after = (
        count(&mut store, "placement_run"),
        count(&mut store, "audit_log"),
        count(&mut store, "department_figures"),
    );
    assert_eq!(before, after);
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn other_content_for_a_date_held_is_refused_and_nothing_is_written(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let before = (
        count(&mut store, "snapshot"),
        count(&mut store, "audit_log"),
        count(&mut store, "placement"),
    );
    let other = with_unemployment("101-0001", "55.0");
    let err = import(
        &mut store,
        Kind::Departments,
        "2024-03-01",
        "fixed.csv",
        &other,
        None,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Conflict(_)), "{msg}");
    assert!(
        msg.contains("never overwritten") && msg.contains("2024-03-01"),
        "{msg}"
    );
    assert_eq!(
        before,
        (
            count(&mut store, "snapshot"),
            count(&mut store, "audit_log"),
            count(&mut store, "placement")
        )
    );
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_file_with_bad_rows_imports_nothing_and_names_every_bad_cell(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    let bad = b"department_id;name;organisation_id;area_id;local_district;family_homes;residents;unemployment_pct;convictions_pct;primary_education_pct;income_pct\n\
A1;One;O1;;Nord;120;300;12,5;1,0;40;80\n\
A2;Two;O1;;Nord;many;300;12,5;1,0;40;80\n\
A3;Three;O1;;Nord;100;300;12,5;1,0;40;eighty\n";
    let err = import(
        &mut store,
        Kind::Departments,
        "2024-03-01",
        "bad.csv",
        bad,
        Some(&copenhagen()),
    )
    .unwrap_err();
    let StoreError::Input(errors) = &err else {
        panic!("{err}")
    };
    assert_eq!(errors.errors.len(), 2, "{err}");
    assert_eq!(
        (
            errors.errors[0].line,
            errors.errors[0].column.as_str(),
            errors.errors[0].value.as_str()
        ),
        (3, "family_homes", "many")
    );
    assert_eq!(
        (
            errors.errors[1].line,
            errors.errors[1].column.as_str(),
            errors.errors[1].value.as_str()
        ),
        (4, "income_pct", "eighty")
    );
    for table in [
        "snapshot",
        "department_figures",
        "department",
        "audit_log",
        "placement_run",
        "agreement",
    ] {
        assert_eq!(count(&mut store, table), 0, "{table} must stay empty");
    }
}

/// Every indicator past the udsat thresholds and a high allocated share: department
/// step 4 (CPH 6.2 fig 5).
const STEP_4: [(&str, &str); 5] = [
    ("unemployment_pct", "60.0"),
    ("convictions_pct", "4.0"),
    ("primary_education_pct", "75.0"),
    ("income_pct", "40.0"),
    ("allocated_pct", "30.0"),
];

/// A department of the example on department step 1 on 1 March 2024, with figures of its
/// own.
fn step_1_department(store: &mut Store) -> trappe_rules::placement::Department {
    let first = store.overview(date("2024-03-01")).unwrap();
    first
        .rows
        .iter()
        .find(|r| {
            r.placement.staircase == Staircase::Department
                && r.placement.step == "1"
                && r.department.figures.is_some()
                && r.placement.pool_id.is_none()
        })
        .unwrap()
        .department
        .clone()
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_new_snapshot_lists_who_moved_and_why(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    // Pick a department on department step 1 and push its unemployment far up.
    let target = step_1_department(&mut store);
    let moved = with_cells(&target.id, &STEP_4);
    let r = import(
        &mut store,
        Kind::Departments,
        "2024-09-01",
        "autumn.csv",
        &moved,
        None,
    )
    .unwrap();
    assert_eq!(r.runs.len(), 1);
    let run = &r.runs[0];
    assert_eq!(run.compared_with.map(|(_, d)| d), Some(date("2024-03-01")));
    let change = run
        .changes
        .iter()
        .find(|c| c.department_id == target.id)
        .expect("the department moved");
    // Copenhagen holds the department staircase until Samarbejdsforum approves a
    // re-placement [CPH 6.2]: the move is the computed one, listed as not in force.
    assert!(!change.in_force, "{change:?}");
    let (before, after) = change.moved();
    assert_eq!(before.unwrap().step, "1");
    assert_ne!(after.unwrap().step, "1");
    let in_force = change.after.as_ref().unwrap();
    assert_eq!(
        (in_force.step.as_str(), in_force.basis.as_str()),
        ("1", "held")
    );
    assert!(
        trappe_app::text::placement_after(change, trappe_formats::Lang::Da)
            .contains("beregnet forslag, ikke gældende")
    );
    assert!(
        change.why.iter().any(|w| matches!(
            w,
            Why::Criterion {
                criterion: trappe_rules::Criterion::Unemployment,
                met_now: true,
                ..
            }
        )),
        "{:?}",
        change.why
    );
    assert!(change
        .why
        .iter()
        .map(|w| trappe_app::text::change_why(w, trappe_formats::Lang::Da))
        .any(|s| s.contains("ledighed") && s.contains("60")));
    // Every change is a real move, of the placement in force or of the computed one.
    assert!(run.changes.iter().all(|c| {
        let (b, a) = c.moved();
        b != a
    }));
    // No department-staircase placement in force moved: they are held.
    assert!(run.changes.iter().all(|c| !c.in_force
        || c.after
            .as_ref()
            .is_none_or(|p| p.staircase != Staircase::Department)));
    // The same answer from `changes` between the two dates, and none within one.
    let c = store
        .changes(date("2024-03-01"), date("2024-12-31"))
        .unwrap();
    assert_eq!(c.changes.len(), run.changes.len());
    assert!(store
        .changes(date("2024-03-01"), date("2024-08-31"))
        .unwrap()
        .changes
        .is_empty());
    // And from the run's number, as the import's output suggests.
    let by_run = store.changes_of_run(run.run_id).unwrap();
    assert_eq!(by_run.from, run.compared_with);
    assert_eq!(by_run.changes.len(), run.changes.len());
    // The first run has nothing before it.
    let first_run = store.changes_of_run(by_run.from.unwrap().0).unwrap();
    assert_eq!(first_run.from, None);
    assert!(first_run.changes.is_empty());
    assert!(matches!(
        store.changes_of_run(9_999),
        Err(StoreError::NotFound(_))
    ));
    // History shows both snapshots, oldest first, with the figures as imported.
    let h = store.history(&target.id).unwrap();
    assert_eq!(
        h.iter().map(|e| e.figures_date).collect::<Vec<_>>(),
        [date("2024-03-01"), date("2024-09-01")]
    );
    assert_eq!(
        h[1].department.figures.unwrap().unemployment_pct,
        "60.0".parse().unwrap()
    );
    assert_eq!(h[0].department.figures, target.figures);
    assert!(matches!(
        store.history("NO-SUCH"),
        Err(StoreError::NotFound(_))
    ));
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn an_older_snapshot_delivered_late_corrects_history_without_overwriting_newer(
    #[case] engine: Engine,
) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let newer = with_unemployment("101-0001", "11.0");
    import(
        &mut store,
        Kind::Departments,
        "2024-09-01",
        "autumn.csv",
        &newer,
        None,
    )
    .unwrap();
    // The spring file arrives late, dated before both.
    let older = with_unemployment("101-0001", "12.0");
    let r = import(
        &mut store,
        Kind::Departments,
        "2024-02-01",
        "late.csv",
        &older,
        None,
    )
    .unwrap();
    // Copenhagen's department staircase holds from the first placement in the period
    // [CPH 6.2], which the late file now is: every later run is recomputed on it.
    assert_eq!(
        r.runs.iter().map(|r| r.on_date).collect::<Vec<_>>(),
        [date("2024-02-01"), date("2024-03-01"), date("2024-09-01")],
    );
    let h = store.history("101-0001").unwrap();
    assert_eq!(
        h.iter().map(|e| e.figures_date).collect::<Vec<_>>(),
        [date("2024-02-01"), date("2024-03-01"), date("2024-09-01")]
    );
    let as_of = trappe_store::test_support::sql(&mut store)
        .query_opt(
            "SELECT as_of FROM department WHERE id = $1",
            &["101-0001".into()],
        )
        .unwrap()
        .unwrap()
        .date(0)
        .unwrap();
    assert_eq!(
        as_of,
        date("2024-09-01"),
        "master data follows the newest snapshot"
    );
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_new_state_list_recomputes_the_placement_from_its_date(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    // The 1 December 2024 list: every designated area taken off.
    let text = example_text("copenhagen/areas.csv");
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let sep = if header.contains(';') { ';' } else { ',' };
    let col = header.split(sep).position(|h| h == "designation").unwrap();
    let mut out = vec![header.clone()];
    for l in lines {
        let mut cells: Vec<&str> = l.split(sep).collect();
        cells[col] = "none";
        out.push(cells.join(&sep.to_string()));
    }
    let r = import(
        &mut store,
        Kind::Areas,
        "2024-12-01",
        "list-2024.csv",
        (out.join("\n") + "\n").as_bytes(),
        None,
    )
    .unwrap();
    assert_eq!(r.runs.len(), 1);
    assert_eq!(r.runs[0].on_date, date("2024-12-01"));
    assert!(
        !r.runs[0].changes.is_empty(),
        "departments leave the area staircase"
    );
    assert!(r.runs[0]
        .changes
        .iter()
        .all(|c| c.before.as_ref().unwrap().staircase == Staircase::Area));
    let on_area = |o: &trappe_store::read::Overview| {
        o.rows
            .iter()
            .filter(|r| r.placement.staircase == Staircase::Area)
            .count()
    };
    let before = store.overview(date("2024-11-30")).unwrap();
    let o = store.overview(date("2024-12-01")).unwrap();
    assert_eq!(o.list_date, Some(date("2024-12-01")));
    assert_eq!(o.figures_date, date("2024-03-01"));
    // Only the area put on the area staircase by a recorded decision stays on it.
    assert_eq!(on_area(&before) - on_area(&o), r.runs[0].changes.len());
    assert!(o
        .rows
        .iter()
        .filter(|r| r.placement.staircase == Staircase::Area)
        .all(|r| r.department.area_id.as_deref() == Some("A15")));
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn the_audit_log_is_append_only(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let log = store.audit_log(10).unwrap();
    // The three imports, and the first one naming Copenhagen's agreement.
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].subject, "departments 2024-03-01");
    assert_eq!(log[0].actor, "test");
    assert_eq!(log[0].detail["rows"], 405);
    assert_eq!(log[0].detail["municipality"], "101");
    assert_eq!(log[3].action, "name_agreement");
    assert_eq!(log[3].subject, "municipality 101");
    assert!(trappe_store::test_support::sql(&mut store)
        .execute("UPDATE audit_log SET actor = 'x'", &[])
        .is_err());
    assert!(trappe_store::test_support::sql(&mut store)
        .execute("DELETE FROM audit_log", &[])
        .is_err());
    assert_eq!(store.audit_log(10).unwrap().len(), 4);
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn reopening_migrates_nothing_and_an_edited_migration_is_refused(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let newest = trappe_store::migration_hashes().len() as i64;
    assert_eq!(
        newest, 8,
        "initial, letting, applicants, users, snapshot_withdrawal, overview, municipalities, placement_decisions"
    );
    let mut store = open(&f);
    assert_eq!(store.schema_version().unwrap(), newest);
    drop(store);
    let mut store = open(&f);
    assert_eq!(count(&mut store, "schema_migrations"), newest);
    trappe_store::test_support::sql(&mut store)
        .execute("UPDATE schema_migrations SET sha256 = 'edited'", &[])
        .unwrap();
    drop(store);
    let err = Store::open(&f.location).err().unwrap();
    assert!(
        matches!(err, StoreError::MigrationEdited { version: 1, .. }),
        "{err}"
    );
}

#[test]
fn migrations_are_never_edited() {
    // An applied migration is never edited: add a new numbered one instead. These are
    // the SHA-256 hashes of the migrations as released (sqlite, postgres); a failure
    // here means a released migration was changed.
    let pinned: &[(i64, &str, &str, &str)] = &[
        (
            1,
            "initial",
            "5d2dd709fa7792f1910d3235103a28941eb58ca7546815400a17c739e7903ae0",
            "6ed97b3727f2c6355f822bdc49e1b6f7f0d57cf1f6aaafbeebb6c12ccec72333",
        ),
        (
            2,
            "letting",
            "6d39796a36cb1f64dc82a488de42b374820ec23d3f9e223855766d23aaf3aece",
            "e4584c99b93eb6bc70423fd41628660a51d10de257463b533c973a0775971f39",
        ),
        (
            3,
            "applicants",
            "601bb5b7da0de550c9245e757071a1573e44dec4900fb0ff18499a068057b786",
            "ca45d44f58bd57bcc3dd797edbcce32fb9bc4b1e993a7a33e3979342cf6b0c1b",
        ),
        (
            4,
            "users",
            "c672299e91a26d70748a52c60e3e9d56421d1e0b8bf62231d4770f12c4a58fff",
            "ff6a1940a305c78381c5ee58b1471d85e0cb34737cce9f385f1a0a6e440a4b1a",
        ),
        (
            5,
            "snapshot_withdrawal",
            "012de323000f2e4f960e62021fd6d01e46ac182ae0d6508869b256fb298ca724",
            "bf505e741d321d5068eaef9307ac989cfe6725d51c1ea8fb324d664b6f2f4f19",
        ),
        (
            6,
            "overview",
            "a8ee9fbd2b2f5a871c2ea5c624b48cc273821d8f623453d7fa9a9aaed19e9a3f",
            "1211a80a5a09e63395fff26b080b530c863e951d1676cc5eff04c258775ebbef",
        ),
        (
            7,
            "municipalities",
            "20dafbcc77826bd8a1640a28658789304dbf55071b94d496b2b91cebef820302",
            "e450087c3cf3f35c4902ccd2f5f7c269376ac0596183751f7bfa09c882b4a5c4",
        ),
        (
            8,
            "placement_decisions",
            "8cd5b1ab13ab42d43b53b10cb3477d1b7f8c3d5400dd4c1dc799bc602cf0191b",
            "85ef7642db40937946b9b17fe94a4aedab549f4c7c8214bc716d80ce1144d964",
        ),
    ];
    let now = trappe_store::migration_hashes();
    for (v, name, sqlite, pg) in pinned {
        let m = now
            .iter()
            .find(|m| m.0 == *v)
            .expect("a released migration was removed");
        assert_eq!(
            (m.1, m.2.as_str(), m.3.as_str()),
            (*name, *sqlite, *pg),
            "migration {v} was edited"
        );
    }
}

#[test]
fn backup_while_in_use_and_restore() {
    let f = fresh(Engine::Sqlite);
    let mut store = open(&f);
    load_example(&mut store);
    let Location::Sqlite(path) = &f.location else {
        unreachable!()
    };
    let backup = path.with_file_name("backup.db");
    // A second connection holds a read transaction open while the backup is taken.
    let reader = rusqlite::Connection::open(path).unwrap();
    reader
        .execute_batch("BEGIN; SELECT COUNT(*) FROM snapshot;")
        .unwrap();
    store.backup(&backup, "operator").unwrap();
    reader.execute_batch("COMMIT").unwrap();
    let moved = with_unemployment("101-0001", "60.0");
    import(
        &mut store,
        Kind::Departments,
        "2024-09-01",
        "autumn.csv",
        &moved,
        None,
    )
    .unwrap();
    assert_eq!(count(&mut store, "placement_run"), 2);
    store.restore(&backup, "operator").unwrap();
    assert_eq!(count(&mut store, "placement_run"), 1);
    assert_eq!(store.history("101-0001").unwrap().len(), 1);
    // The restored log holds what the backup held, then the restore.
    let log = store.audit_log(10).unwrap();
    assert_eq!(log[0].action, "restore");
    assert!(log
        .iter()
        .all(|e| e.action != "backup" || e.subject != backup.display().to_string()));
    // Not a trappe database: refused, nothing replaced.
    let junk = path.with_file_name("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(store.restore(&junk, "operator").is_err());
    assert_eq!(count(&mut store, "placement_run"), 1);
}

#[test]
fn postgres_backup_points_to_pg_dump() {
    if !common::available(Engine::Postgres) {
        return;
    }
    let f = fresh(Engine::Postgres);
    let mut store = open(&f);
    let err = store
        .backup(std::path::Path::new("/tmp/x.db"), "operator")
        .unwrap_err()
        .to_string();
    assert!(err.contains("pg_dump"), "{err}");
}

// ---------------------------------------------------------------------------
// Letting: the homes register and the vacancy ledger.

use trappe_rules::agreement::Channel;
use trappe_store::letting::{Correction, Decision, LetChannel, Outcome};

/// Registers the homes in order and returns the channel each got.
fn channels(store: &mut Store, dept: &str, homes: &[String], on: &str) -> Vec<Option<Channel>> {
    homes
        .iter()
        .map(|h| register(store, dept, h, on).unwrap().assignment.channel)
        .collect()
}

fn ledger_len(store: &mut Store) -> i64 {
    count(store, "vacancy_entry")
}

// CPH B4 III trin 4 / CPH 6.2.4 fig 9: over 18 vacancies dept 4 gives 15 flexible A and
// 3 allocation (1/9 + 1/18); the slot cycles 1–9 and slot 9 alternates A / allocation.
#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn the_ledger_follows_the_dept_4_wheel_over_two_rounds(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    let homes = plain_homes(&mut store, "101-0001");
    let mut got = Vec::new();
    for home in homes.iter().take(18) {
        let r = register(&mut store, "101-0001", home, "2024-06-03").unwrap();
        let w = r.assignment.wheel.clone().unwrap();
        got.push((w.slot, w.round, r.assignment.channel.unwrap()));
    }
    let slots: Vec<u32> = got.iter().map(|g| g.0).collect();
    assert_eq!(
        slots,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    );
    let alloc: Vec<(u32, u64)> = got
        .iter()
        .filter(|g| g.2 == Channel::MunicipalAllocation)
        .map(|g| (g.0, g.1))
        .collect();
    assert_eq!(
        alloc,
        [(3, 1), (3, 2), (9, 2)],
        "slot 3 each round, slot 9 in round 2"
    );
    assert_eq!(got.iter().filter(|g| g.2 == Channel::Flexible).count(), 15);
    // Replay: the stored ledger explains each vacancy as registered.
    let v = store.vacancy(3).unwrap();
    assert_eq!(v.registration["assignment"]["wheel"]["slot"], 3);
    assert_eq!(
        v.current_channel.map(|c| c.as_str()),
        Some("municipal_allocation")
    );
}

// Two vacancies registered at the same moment in one department never get the same
// slot: 100 registrations from 50 connections at once (PostgreSQL's default limit of
// 100 connections leaves room for the other tests running beside this one).
#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn parallel_registrations_never_share_a_slot(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    let homes = plain_homes(&mut store, "101-0002");
    assert!(homes.len() >= 100);
    drop(store);
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(50));
    let location = f.location.clone();
    let handles: Vec<_> = homes
        .chunks(2)
        .take(50)
        .map(|pair| {
            let pair: Vec<String> = pair.to_vec();
            let barrier = barrier.clone();
            let location = location.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&location).unwrap();
                barrier.wait();
                pair.iter()
                    .map(|h| {
                        register(&mut s, "101-0002", h, "2024-06-03")
                            .unwrap()
                            .assignment
                            .wheel
                            .unwrap()
                            .position
                    })
                    .collect::<Vec<u64>>()
            })
        })
        .collect();
    let mut positions: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    positions.sort_unstable();
    assert_eq!(
        positions,
        (0..100).collect::<Vec<u64>>(),
        "every position taken exactly once"
    );
    let mut store = open(&f);
    let ledger = store.ledger("101-0002").unwrap();
    let seqs: Vec<i64> = ledger.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=100).collect::<Vec<i64>>());
}

// Bad input: each a clear error naming the rule, and nothing written.
#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn bad_vacancies_and_outcomes_are_refused_and_nothing_is_written(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    let homes = plain_homes(&mut store, "101-0001");
    let err = |r: Result<_, StoreError>| r.err().map(|e| e.to_string()).unwrap_or_default();
    let before = ledger_len(&mut store);
    let e = err(register(&mut store, "101-9999", "0001", "2024-06-03").map(|_| ()));
    assert!(e.contains("unknown department 101-9999"), "{e}");
    let e = err(register(&mut store, "101-0001", "9999", "2024-06-03").map(|_| ()));
    assert!(e.contains("unknown home 9999"), "{e}");
    let e = err(register(&mut store, "101-0001", &homes[0], "2024-01-02").map(|_| ()));
    assert!(e.contains("no placement in force on 2024-01-02"), "{e}");
    let e = err(register(&mut store, "101-0001", &homes[0], "2028-01-03").map(|_| ()));
    assert!(e.contains("outside the agreement's period"), "{e}");
    assert_eq!(ledger_len(&mut store), before);

    // Slots 1, 2 flexible; slot 3 allocation.
    for h in &homes[..3] {
        register(&mut store, "101-0001", h, "2024-06-03").unwrap();
    }
    let alloc = 3;
    let n = ledger_len(&mut store);
    let let_to = |channel| Outcome::Let {
        on: date("2024-07-01"),
        channel,
        no_qualified_applicant: false,
        refugee_shared: false,
    };
    // An allocation home let from the waiting list without being returned first.
    let e = err(store
        .resolve_vacancy(alloc, &let_to(LetChannel::Flexible), None, "test")
        .map(|_| ()));
    assert!(e.contains("only after the municipality returned it"), "{e}");
    // Returning a flexible home.
    let e = err(store
        .resolve_vacancy(
            1,
            &Outcome::Returned {
                on: date("2024-06-05"),
            },
            None,
            "test",
        )
        .map(|_| ()));
    assert!(
        e.contains("only a home with the municipal allocation can be returned"),
        "{e}"
    );
    // A flexible home to the waiting list without saying nobody qualified.
    let e = err(store
        .resolve_vacancy(1, &let_to(LetChannel::WaitingList), None, "test")
        .map(|_| ()));
    assert!(e.contains("--no-qualified-applicant"), "{e}");
    assert_eq!(ledger_len(&mut store), n);
    // Resolving twice.
    store
        .resolve_vacancy(1, &let_to(LetChannel::Flexible), None, "test")
        .unwrap();
    let e = err(store
        .resolve_vacancy(1, &let_to(LetChannel::Flexible), None, "test")
        .map(|_| ()));
    assert!(e.contains("resolved already"), "{e}");
    assert_eq!(ledger_len(&mut store), n + 1);
    // A correction is a new entry: the flexible letting was really an internal transfer.
    let wrong = store.vacancy(1).unwrap().outcomes[0].id;
    let e = err(store
        .resolve_vacancy(
            1,
            &let_to(LetChannel::InternalTransfer),
            Some(&Correction {
                entry: wrong + 100,
                note: "typo".into(),
            }),
            "test",
        )
        .map(|_| ()));
    assert!(e.contains("only the last outcome can be corrected"), "{e}");
    let v = store
        .resolve_vacancy(
            1,
            &let_to(LetChannel::InternalTransfer),
            Some(&Correction {
                entry: wrong,
                note: "an internal transfer, not flexible".into(),
            }),
            "test",
        )
        .unwrap();
    assert!(v.resolved);
    assert_eq!(
        v.superseded.iter().map(|o| o.id).collect::<Vec<_>>(),
        [wrong]
    );
    assert_eq!(v.outcomes.len(), 1);
    let lettings = store
        .lettings_report(date("2024-01-01"), date("2024-12-31"), false)
        .unwrap();
    let row = lettings.iter().find(|r| r.key == "101-0001").unwrap();
    assert_eq!(row.total, 1, "the corrected letting no longer counts");
    assert_eq!(row.by_channel.get("internal_transfer"), Some(&1));
    assert_eq!(ledger_len(&mut store), n + 2);
    // The fallback after a return: urban renewal, then flexible A (dept 4, CPH 6.2.4).
    let v = store
        .resolve_vacancy(
            alloc,
            &Outcome::Returned {
                on: date("2024-06-05"),
            },
            None,
            "test",
        )
        .unwrap();
    assert_eq!(v.current_channel.map(|c| c.as_str()), Some("urban_renewal"));
    let v = store
        .resolve_vacancy(
            alloc,
            &Outcome::NotUsed {
                on: date("2024-06-05"),
            },
            None,
            "test",
        )
        .unwrap();
    assert_eq!(v.current_channel.map(|c| c.as_str()), Some("flexible"));
    let v = store
        .resolve_vacancy(alloc, &let_to(LetChannel::Flexible), None, "test")
        .unwrap();
    assert!(v.resolved);
    // Returned within 5 weekdays of receipt (2024-06-03 → free until 2024-06-10): no rent.
    assert_eq!(v.deadlines.unwrap().empty_rent_days, 0);
}

// CPH 6.2.2 and B15: where realised allocation exceeded every 3rd vacancy in 2025,
// the extra share (dept 1 slot 7, the lent urban-renewal ninth) is not given in 2026 —
// with the Samarbejdsforum's approval, which the agreement file requires.
#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn the_following_years_exemption_needs_realised_allocation_and_approval(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    let dept = "101-0058";
    let homes = plain_homes(&mut store, dept);
    // 2025: 7 vacancies (slots 1–7: allocation in 3, 6, 7), all three allocations realised.
    for (i, h) in homes[..7].iter().enumerate() {
        let r = register(&mut store, dept, h, "2025-03-03").unwrap();
        if r.assignment.channel == Some(Channel::MunicipalAllocation) {
            store
                .resolve_vacancy(
                    r.vacancy,
                    &Outcome::Let {
                        on: date("2025-04-01"),
                        channel: LetChannel::MunicipalAllocation,
                        no_qualified_applicant: false,
                        refugee_shared: false,
                    },
                    None,
                    "test",
                )
                .unwrap();
        } else {
            assert!([0, 1, 3, 4].contains(&i));
        }
    }
    let report = store.every_nth_vacancy_report(2025).unwrap().rows;
    let row = report.iter().find(|r| r.department_id == dept).unwrap();
    assert_eq!(
        (row.vacancies, row.realised_allocations, row.exceeded),
        (7, 3, true)
    );
    assert!(!row.approved_for_next_year);
    // 2026 without approval: positions 7..15; slot 7 of round 2 (position 15) stays allocation.
    let mut last = None;
    for h in &homes[7..16] {
        last = Some(register(&mut store, dept, h, "2026-03-02").unwrap());
    }
    let r = last.unwrap();
    assert_eq!(r.assignment.wheel.as_ref().unwrap().slot, 7);
    assert_eq!(r.assignment.channel, Some(Channel::MunicipalAllocation));
    // Approved: the next slot 7 (position 24) goes to urban renewal, else the waiting list.
    store
        .record_decision(
            dept,
            &Decision::ExemptionApproved {
                year: 2026,
                decided_by: "Samarbejdsforum".into(),
                decided_on: date("2026-03-01"),
            },
            "test",
        )
        .unwrap();
    let mut last = None;
    for h in &homes[16..25] {
        last = Some(register(&mut store, dept, h, "2026-03-02").unwrap());
    }
    let r = last.unwrap();
    assert_eq!(r.assignment.wheel.as_ref().unwrap().slot, 7);
    assert_eq!(r.assignment.channel, Some(Channel::UrbanRenewal));
    assert_eq!(r.assignment.fallback, [Channel::WaitingList]);
    assert!(store
        .every_nth_vacancy_report(2025)
        .unwrap()
        .rows
        .iter()
        .any(|r| r.department_id == dept && r.approved_for_next_year));
}

// CPH 8.4: a disability-fitted home goes back to the allocation outside the wheel, and
// the organisation takes the next allocation slot (dept 4: flexible A).
#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_disability_fitted_home_gives_the_next_allocation_slot_to_the_organisation(
    #[case] engine: Engine,
) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    // The example fits home 0011 of every 7th department (index 2, 9, …): 101-0003 is on step 4.
    let dept = "101-0003";
    let fitted = store
        .homes(dept)
        .unwrap()
        .into_iter()
        .find(|h| h.disability_fitted.is_some())
        .unwrap();
    let r = register(&mut store, dept, &fitted.id, "2024-06-03").unwrap();
    assert_eq!(r.assignment.channel, Some(Channel::MunicipalAllocation));
    assert!(r.assignment.wheel.is_none(), "outside the wheel");
    let homes = plain_homes(&mut store, dept);
    let got = channels(&mut store, dept, &homes[..3], "2024-06-03");
    assert_eq!(
        got,
        [
            Some(Channel::Flexible),
            Some(Channel::Flexible),
            Some(Channel::Flexible)
        ],
        "slot 3 went to the organisation"
    );
    // The credit is used once: the next round's slot 3 is the municipality's again.
    let round2 = channels(&mut store, dept, &homes[3..12], "2024-06-03");
    assert_eq!(
        round2[8],
        Some(Channel::MunicipalAllocation),
        "round 2 slot 3"
    );
    let lettings = store
        .allocation_report(date("2024-01-01"), date("2024-12-31"), false)
        .unwrap();
    // Offered to the municipality: the fitted home and round 2's slot 3.
    assert_eq!(
        lettings.iter().find(|r| r.key == dept).map(|r| r.offered),
        Some(2)
    );
}

// Each wheel keeps its own position: a department re-placed from dept step 4 to step 2
// on 2025-01-01 (the new figures' computed move, approved by Samarbejdsforum [CPH 6.2]),
// with vacancies registered on both wheels in turn (one registered late,
// dated before the re-placement), never resets either wheel [docs/letting.md].
#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn each_wheel_keeps_its_position_across_a_re_placement(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    // 101-0001 has high need; an allocated share under 20 % puts it on step 2 (CPH 6.2 fig 5).
    import(
        &mut store,
        Kind::Departments,
        "2025-01-01",
        "departments.csv",
        &with_cells("101-0001", &[("allocated_pct", "10.0")]),
        None,
    )
    .unwrap();
    store
        .record_placement_decision(&trappe_store::placement_decisions::NewDecision {
            municipality: None,
            from: date("2025-01-01"),
            decided_by: "Samarbejdsforum",
            decided_on: date("2024-12-12"),
            reference: "møde 12.12.2024, pkt. 3",
            steps: vec![("101-0001".into(), "2".into())],
            criteria: Vec::new(),
            actor: "test",
            program_version: "test",
        })
        .unwrap();
    let homes = plain_homes(&mut store, "101-0001");
    let mut got = Vec::new();
    for (i, h) in homes[..6].iter().enumerate() {
        let on = if i % 2 == 0 {
            "2024-06-03"
        } else {
            "2025-02-03"
        };
        let w = register(&mut store, "101-0001", h, on)
            .unwrap()
            .assignment
            .wheel
            .unwrap();
        got.push((w.key, w.slot));
    }
    let want: Vec<(String, u32)> = [
        ("department:4", 1),
        ("department:2", 1),
        ("department:4", 2),
        ("department:2", 2),
        ("department:4", 3),
        ("department:2", 3),
    ]
    .iter()
    .map(|(k, s)| (k.to_string(), *s))
    .collect();
    assert_eq!(got, want);
}

// A home with an open vacancy cannot be registered again; a withdrawn vacancy counts in
// no report; a decision that does not fit the department's step is refused.
#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn open_vacancies_withdrawals_and_decisions_are_checked(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    let homes = plain_homes(&mut store, "101-0001");
    for h in &homes[..3] {
        register(&mut store, "101-0001", h, "2024-06-03").unwrap();
    }
    let e = register(&mut store, "101-0001", &homes[2], "2024-05-01")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("has an open vacancy 3"), "{e}");
    let offered = |store: &mut Store| {
        store
            .allocation_report(date("2024-01-01"), date("2024-12-31"), false)
            .unwrap()
            .iter()
            .find(|r| r.key == "101-0001")
            .map(|r| r.offered)
    };
    assert_eq!(offered(&mut store), Some(1), "slot 3");
    // Withdrawn before the vacancy date: the tenant took back the notice.
    store
        .resolve_vacancy(
            3,
            &Outcome::Withdrawn {
                on: date("2024-05-20"),
                note: "wrong home".into(),
            },
            None,
            "test",
        )
        .unwrap();
    assert_eq!(
        offered(&mut store),
        None,
        "a withdrawn vacancy is not offered"
    );
    // The home can be registered again once its vacancy is closed.
    register(&mut store, "101-0001", &homes[2], "2024-06-05").unwrap();
    // Dept 4 has no safeguard (CPH 6.2.1: dept step 1) and no exemption (steps 1–2).
    let by = || ("Samarbejdsforum".to_string(), date("2024-06-01"));
    let mut refused = |dept: &str, d: Decision| {
        store
            .record_decision(dept, &d, "test")
            .err()
            .unwrap()
            .to_string()
    };
    let (decided_by, decided_on) = by();
    let e = refused(
        "101-0001",
        Decision::Safeguard {
            from: date("2024-06-01"),
            decided_by,
            decided_on,
        },
    );
    assert!(e.contains("the safeguard is for department step 1"), "{e}");
    let (decided_by, decided_on) = by();
    let e = refused(
        "101-0058",
        Decision::ExemptionInAdvance {
            from: date("2024-12-31"),
            to: date("2024-06-01"),
            decided_by,
            decided_on,
        },
    );
    assert!(e.contains("the end is before the start"), "{e}");
    // Nonsense years and dates never reach the append-only ledger: the agreement in
    // force (copenhagen-2024) runs from 2024-01-01 to 2027-12-31.
    for year in [i32::MIN, 0, 2023, 2028] {
        let (decided_by, decided_on) = by();
        let e = refused(
            "101-0058",
            Decision::ExemptionApproved {
                year,
                decided_by,
                decided_on,
            },
        );
        assert_eq!(
            e,
            format!("The year {year} is outside the agreement's period, 2024-01-01 to 2027-12-31.")
        );
    }
    let (decided_by, _) = by();
    let e = refused(
        "101-0058",
        Decision::ExemptionInAdvance {
            from: date("2024-06-01"),
            to: date("9999-12-31"),
            decided_by,
            decided_on: date("2024-06-01"),
        },
    );
    assert!(e.contains("The to date 9999-12-31 is outside"), "{e}");
    let (decided_by, _) = by();
    let e = refused(
        "101-0058",
        Decision::ExemptionInAdvance {
            from: date("2024-06-01"),
            to: date("2024-12-31"),
            decided_by,
            decided_on: date("0001-01-01"),
        },
    );
    assert!(e.contains("The decision date 0001-01-01 is outside"), "{e}");
    let (decided_by, decided_on) = by();
    let e = refused(
        "101-0001",
        Decision::ExemptionApproved {
            year: 2025,
            decided_by,
            decided_on,
        },
    );
    assert!(e.contains("department steps 1, 2"), "{e}");
    // The organisation's choice: only on a step whose wheel has "or" slots, and only a
    // criteria set those slots offer (dept 1: A|B and B) [CPH 6.2.1, B4 III].
    let (decided_by, decided_on) = by();
    let choice = |criteria: &str, decided_by, decided_on| Decision::OrganisationChoice {
        from: date("2024-06-01"),
        channel: Channel::Flexible,
        criteria: Some(criteria.into()),
        decided_by,
        decided_on,
    };
    let e = refused("101-0038", choice("A", decided_by, decided_on));
    assert!(
        e.contains("whose wheel has no slots the organisation chooses"),
        "{e}"
    );
    let (decided_by, decided_on) = by();
    let e = refused("101-0058", choice("C", decided_by, decided_on));
    assert!(e.contains("criteria \"C\" is not offered"), "{e}");
    assert!(
        store
            .ledger("101-0058")
            .unwrap()
            .iter()
            .all(|e| e.kind.as_str() != "decision"),
        "no refused decision is recorded"
    );
    // A youth shared home being phased out (dept 4 from 2024, CPH 9) is not re-let, and
    // registering it again is refused.
    let yshared = store
        .homes("101-0006")
        .unwrap()
        .into_iter()
        .find(|h| h.special == Some(trappe_rules::wheel::HomeSpecial::YouthShared))
        .unwrap();
    let r = register(&mut store, "101-0006", &yshared.id, "2024-06-03").unwrap();
    assert_eq!(r.assignment.channel, None);
    let e = register(&mut store, "101-0006", &yshared.id, "2024-09-02")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("is not re-let"), "{e}");
}

// An approved exemption holds even when the ledger has no figures for the year before
// (trappe came into use later than the parties' own count) [CPH B15 2].
#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn an_approved_exemption_needs_no_ledger_history(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    let dept = "101-0058";
    store
        .record_decision(
            dept,
            &Decision::ExemptionApproved {
                year: 2025,
                decided_by: "Samarbejdsforum".into(),
                decided_on: date("2025-02-01"),
            },
            "test",
        )
        .unwrap();
    let homes = plain_homes(&mut store, dept);
    let got = channels(&mut store, dept, &homes[..7], "2025-03-03");
    // Dept 1: slot 7 is the lent ninth; exempt, it goes to urban renewal.
    assert_eq!(got[6], Some(Channel::UrbanRenewal));
    assert_eq!(
        got[2],
        Some(Channel::MunicipalAllocation),
        "slot 3 is not extra"
    );
}

/// The first line of an example file.
fn header_of(rel: &str) -> Vec<u8> {
    let text = example_text(rel);
    format!("{}\n", text.lines().next().unwrap()).into_bytes()
}

/// The example's departments without the first `n` departments.
fn without_first(n: usize) -> Vec<u8> {
    let text = example_text("copenhagen/departments.csv");
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rest: Vec<&str> = lines.skip(n).collect();
    format!("{header}\n{}\n", rest.join("\n")).into_bytes()
}

fn import_allowing_drop(
    store: &mut Store,
    on: &str,
    name: &str,
    bytes: &[u8],
) -> Result<trappe_store::import::ImportReport, StoreError> {
    store.import(
        &trappe_store::import::ImportFile {
            kind: Kind::Departments,
            reference_date: date(on),
            file_name: name,
            bytes,
            options: Default::default(),
        },
        &trappe_store::import::ImportContext {
            actor: "test",
            agreement: None,
            any_municipality: None,
            program_version: "test",
            allow_drop: true,
            municipality: None,
            change_agreement: None,
        },
    )
}

fn withdraw(
    store: &mut Store,
    kind: Kind,
    on: &str,
    reason: &str,
) -> Result<trappe_store::import::WithdrawReport, StoreError> {
    store.withdraw_snapshot(&trappe_store::import::Withdrawal {
        kind,
        reference_date: date(on),
        reason,
        actor: "kommune",
        program_version: "test",
        municipality: None,
    })
}

fn held(store: &mut Store) -> (i64, i64, i64, i64, i64) {
    (
        count(store, "snapshot"),
        count(store, "audit_log"),
        count(store, "placement_run"),
        count(store, "department_figures"),
        count(store, "department"),
    )
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_file_with_only_its_header_is_refused_and_nothing_is_stored(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    let before = held(&mut store);
    let homes_before = count(&mut store, "home");
    let pools =
        b"pool_id,members,unemployment_pct,convictions_pct,primary_education_pct,income_pct\n";
    for (kind, name, bytes) in [
        (
            Kind::Departments,
            "departments-header.csv",
            header_of("copenhagen/departments.csv"),
        ),
        (
            Kind::Areas,
            "areas-header.csv",
            header_of("copenhagen/areas.csv"),
        ),
        (Kind::Pools, "pools-header.csv", pools.to_vec()),
        (
            Kind::Decisions,
            "decisions-header.csv",
            header_of("copenhagen/decisions.csv"),
        ),
    ] {
        // The web's check and the import refuse it alike, naming file and line 2.
        let checked = store.check_file(
            &trappe_store::import::ImportFile {
                kind,
                reference_date: date("2024-09-01"),
                file_name: name,
                bytes: &bytes,
                options: Default::default(),
            },
            None,
        );
        assert!(
            matches!(&checked, Err(StoreError::Input(_))),
            "{name}: {checked:?}"
        );
        let err = import(&mut store, kind, "2024-09-01", name, &bytes, None).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Input(_)), "{name}: {msg}");
        assert!(
            msg.contains(&format!("{name} line 2"))
                && msg.contains("expected rows of data below the header, but there are none"),
            "{msg}"
        );
        assert_eq!(held(&mut store), before, "{name}: nothing is stored");
    }
    // The correct file for that date is still welcome.
    let r = import(
        &mut store,
        Kind::Departments,
        "2024-09-01",
        "departments.csv",
        &with_unemployment("101-0001", "1.0"),
        None,
    )
    .unwrap();
    assert!(!r.unchanged && r.rows == 405);

    // The homes register too: a header-only homes file is refused by its reader, and
    // the store refuses an empty list of homes as well; either way it replaces nobody's.
    let err = trappe_formats::table_in::read_homes(
        &header_of("copenhagen/homes.csv"),
        "homes-header.csv",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("homes-header.csv line 2")
            && err.contains("expected rows of data below the header, but there are none"),
        "{err}"
    );
    let err = store
        .import_homes(&[], "homes-header.csv", "test")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("homes-header.csv line 2")
            && err.contains("expected rows of data below the header, but there are none"),
        "{err}"
    );
    assert_eq!(count(&mut store, "home"), homes_before);
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_departments_file_dropping_more_than_the_share_is_refused_unless_allowed(
    #[case] engine: Engine,
) {
    if !common::available(engine) {
        return;
    }
    assert_eq!(trappe_store::import::MAX_DROP_PCT, 10);
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let before = held(&mut store);

    // 41 of the 405 departments of municipality 101 (10.1 %) leave: refused.
    let shrunk = without_first(41);
    let err = import(
        &mut store,
        Kind::Departments,
        "2024-09-01",
        "shrunk.csv",
        &shrunk,
        None,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Conflict(_)), "{msg}");
    assert!(
        msg.contains("shrunk.csv would drop 41 departments")
            && msg.contains("41 of the 405 departments held for municipality 101")
            && msg.contains("10 %")
            && msg.contains("101-0001")
            && msg.contains("--allow-drop"),
        "{msg}"
    );
    assert_eq!(held(&mut store), before, "nothing is stored");

    // The web's check step shows the same.
    let file = trappe_store::import::ImportFile {
        kind: Kind::Departments,
        reference_date: date("2024-09-01"),
        file_name: "shrunk.csv",
        bytes: &shrunk,
        options: Default::default(),
    };
    let drop = store
        .check_file(&file, None)
        .unwrap()
        .drop
        .expect("a drop above the share");
    assert_eq!((drop.dropped(), drop.held()), (41, 405));
    assert_eq!(drop.compared_with, date("2024-03-01"));
    assert_eq!(drop.sample(2), vec!["101-0001", "101-0002"]);

    // 40 (9.9 %) is within the share.
    let few = without_first(40);
    let file_few = trappe_store::import::ImportFile {
        bytes: &few,
        ..file
    };
    assert!(store.check_file(&file_few, None).unwrap().drop.is_none());

    // Said explicitly: stored, and the audit entry records it.
    let r = import_allowing_drop(&mut store, "2024-09-01", "shrunk.csv", &shrunk).unwrap();
    assert_eq!(r.rows, 364);
    let entry = &store.audit_log(1).unwrap()[0];
    assert_eq!(entry.action, "import");
    assert_eq!(entry.detail["allow_drop"], true);
    assert_eq!(entry.detail["dropped"]["departments"], 41);
    assert_eq!(entry.detail["dropped"]["held"], 405);
    assert_eq!(entry.detail["dropped"]["ids"][0], "101-0001");

    // An older file delivered late is compared with what came before it, not after.
    let r = import(
        &mut store,
        Kind::Departments,
        "2024-06-01",
        "june.csv",
        &example("copenhagen/departments.csv"),
        None,
    );
    assert!(r.is_ok(), "{r:?}");
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_withdrawn_snapshot_is_kept_audited_and_its_date_imported_again(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let right = store.overview(date("2024-03-01")).unwrap();
    // The computed step (Copenhagen holds the one in force until approved).
    let step_of = |o: &trappe_store::read::Overview, id: &str| {
        o.rows
            .iter()
            .find(|r| r.department.id == id)
            .map(|r| {
                r.placement.computed.as_ref().map_or_else(
                    || (r.placement.staircase, r.placement.step.clone()),
                    |c| (c.staircase, c.step.clone()),
                )
            })
            .unwrap()
    };

    // A wrong file for 2024-09-01: 101-0001 moves, its organisation is wrong, and a
    // department that does not exist appears.
    let mut wrong = String::from_utf8(with_cells(
        "101-0001",
        &[("unemployment_pct", "1.0"), ("organisation_id", "org-99")],
    ))
    .unwrap();
    wrong.push_str("101-9999,Fejl,org-99,101,,Valby,10,0,0,20,1.0,1.0,10.0,90.0,10.0,10.0\n");
    let r = import(
        &mut store,
        Kind::Departments,
        "2024-09-01",
        "wrong.csv",
        wrong.as_bytes(),
        None,
    )
    .unwrap();
    assert_eq!(r.runs.len(), 1);
    let wrong_run = r.runs[0].run_id;
    let wrong_overview = store.overview(date("2024-10-01")).unwrap();
    assert_ne!(
        step_of(&wrong_overview, "101-0001"),
        step_of(&right, "101-0001")
    );
    let org = |store: &mut Store, id: &str| {
        trappe_store::test_support::sql(store)
            .query_opt(
                "SELECT organisation_id FROM department WHERE id = $1",
                &[id.into()],
            )
            .unwrap()
            .map(|r| r.text(0).unwrap())
    };
    assert_eq!(org(&mut store, "101-0001").as_deref(), Some("org-99"));

    // The correct file for that date is refused while the wrong one is held …
    let err = import_departments_on(&mut store, "2024-09-01").unwrap_err();
    assert!(err.to_string().contains("withdraw"), "{err}");

    // … a withdrawal needs a reason, and a snapshot that is held …
    let snapshots_before = count(&mut store, "snapshot");
    assert!(matches!(
        withdraw(&mut store, Kind::Departments, "2024-09-01", "  "),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        withdraw(&mut store, Kind::Departments, "2024-08-01", "wrong"),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(count(&mut store, "snapshot_withdrawal"), 0);

    // … and then takes it out of every placement from its date on.
    let w = withdraw(
        &mut store,
        Kind::Departments,
        "2024-09-01",
        "the organisation sent last year's file",
    )
    .unwrap();
    assert_eq!((w.rows, w.master_restored, w.master_removed), (406, 405, 1));
    assert_eq!(w.in_force.map(|(_, d)| d), Some(date("2024-03-01")));
    assert!(
        w.changes.iter().any(|c| c.department_id == "101-0001"),
        "{:?}",
        w.changes
    );
    let after = store.overview(date("2024-10-01")).unwrap();
    assert_eq!(after.figures_date, date("2024-03-01"));
    assert_eq!(step_of(&after, "101-0001"), step_of(&right, "101-0001"));
    assert_eq!(after.rows.len(), 405);
    assert_eq!(org(&mut store, "101-0001").as_deref(), Some("org-17"));
    assert_eq!(org(&mut store, "101-9999"), None);
    assert!(store
        .history("101-0001")
        .unwrap()
        .iter()
        .all(|h| h.figures_date == date("2024-03-01")));

    // The original stays, with its withdrawal beside it, and the audit log says so.
    assert_eq!(count(&mut store, "snapshot"), snapshots_before);
    let list = store.snapshots().unwrap();
    let gone = list
        .iter()
        .find(|s| s.reference_date == date("2024-09-01"))
        .unwrap();
    assert_eq!(gone.file_name, "wrong.csv");
    assert_eq!(gone.rows, 406);
    let info = gone.withdrawn.as_ref().expect("shown as withdrawn");
    assert_eq!(
        (info.by.as_str(), info.reason.as_str()),
        ("kommune", "the organisation sent last year's file")
    );
    let entry = &store.audit_log(1).unwrap()[0];
    assert_eq!(
        (
            entry.action.as_str(),
            entry.subject.as_str(),
            entry.actor.as_str()
        ),
        ("withdraw", "departments 2024-09-01", "kommune")
    );
    assert_eq!(
        entry.detail["reason"],
        "the organisation sent last year's file"
    );
    assert_eq!(entry.detail["file"], "wrong.csv");
    // Neither is ever changed or deleted.
    for sql in [
        "DELETE FROM snapshot_withdrawal",
        "UPDATE snapshot_withdrawal SET reason = 'x'",
        "DELETE FROM snapshot WHERE reference_date = '2024-09-01'",
        "UPDATE snapshot SET file_name = 'x'",
    ] {
        assert!(
            trappe_store::test_support::sql(&mut store)
                .execute(sql, &[])
                .is_err(),
            "{sql} was allowed"
        );
    }
    // Withdrawn once only.
    assert!(matches!(
        withdraw(&mut store, Kind::Departments, "2024-09-01", "again"),
        Err(StoreError::NotFound(_))
    ));

    // The correct file for that date is now taken, and placed.
    let r = import_departments_on(&mut store, "2024-09-01").unwrap();
    assert!(!r.unchanged && r.runs.len() == 1);
    let now = store.overview(date("2024-10-01")).unwrap();
    assert_eq!(now.figures_date, date("2024-09-01"));
    assert_eq!(now.run_id, r.runs[0].run_id);
    // Its changes are against the run in force before it, never the withdrawn one, as
    // the import's own report says.
    let changes = store.changes_of_run(r.runs[0].run_id).unwrap();
    assert_ne!(changes.from.map(|(id, _)| id), Some(wrong_run));
    assert_eq!(changes.from, r.runs[0].compared_with);
    // A department held only in the withdrawn file is no longer known.
    assert!(matches!(
        store.history("101-9999"),
        Err(StoreError::NotFound(_))
    ));
    let dated: Vec<_> = store
        .snapshots()
        .unwrap()
        .into_iter()
        .filter(|s| s.reference_date == date("2024-09-01"))
        .map(|s| (s.file_name, s.withdrawn.is_some()))
        .collect();
    assert_eq!(
        dated,
        vec![
            ("wrong.csv".to_string(), true),
            ("departments.csv".to_string(), false)
        ]
    );
    // The same wrong content again is a new import to be checked, not "unchanged".
    let err = import(
        &mut store,
        Kind::Departments,
        "2024-09-01",
        "wrong.csv",
        wrong.as_bytes(),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn withdrawing_the_only_departments_snapshot_leaves_no_placement_in_force(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let w = withdraw(&mut store, Kind::Departments, "2024-03-01", "wrong date").unwrap();
    assert_eq!(w.in_force, None);
    assert_eq!(w.master_removed, 405);
    assert!(matches!(
        store.overview(date("2024-06-01")),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.run_in_force("101", date("2024-06-01")).unwrap(), None);
    assert_eq!(count(&mut store, "department"), 0);
    // The right file for the date places again.
    let r = import_departments(&mut store).unwrap();
    assert_eq!(r.runs.len(), 1);
    assert_eq!(store.overview(date("2024-06-01")).unwrap().rows.len(), 405);
    assert_eq!(count(&mut store, "department"), 405);

    // Withdrawing the state list places without it from its date on.
    let w = withdraw(&mut store, Kind::Areas, "2023-12-01", "a draft list").unwrap();
    assert_eq!(w.runs.len(), 1);
    let o = store.overview(date("2024-06-01")).unwrap();
    assert_eq!(o.list_date, None);
    assert_eq!(o.run_id, w.runs[0].run_id);
}

fn import_departments_on(
    store: &mut Store,
    on: &str,
) -> Result<trappe_store::import::ImportReport, StoreError> {
    import(
        store,
        Kind::Departments,
        on,
        "departments.csv",
        &example("copenhagen/departments.csv"),
        None,
    )
}

/// A database at schema version 4 (before withdrawals) holding a snapshot with figures
/// and a run that reference it, made with the released migration files.
fn database_at_version_4(f: &common::Fresh) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let folder = match &f.location {
        Location::Sqlite(_) => "sqlite",
        Location::Postgres(_) => "postgres",
    };
    let mut sql = String::new();
    for file in [
        "0001_initial.sql",
        "0002_letting.sql",
        "0003_applicants.sql",
        "0004_users.sql",
    ] {
        sql.push_str(&std::fs::read_to_string(dir.join(folder).join(file)).unwrap());
        sql.push('\n');
    }
    sql.push_str(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL);\n",
    );
    for (v, name, sqlite, pg) in trappe_store::migration_hashes().into_iter().take(4) {
        let sha = if folder == "sqlite" { sqlite } else { pg };
        sql.push_str(&format!(
            "INSERT INTO schema_migrations VALUES ({v}, '{name}', '{sha}', '2024-01-01T00:00:00+00:00');\n"
        ));
    }
    // The database's agreement as a version-4 import stored it (its text under its
    // hash, and the settings naming it), with the master data of its one department.
    let a = copenhagen();
    let quoted = |t: &str| t.replace('\'', "''");
    sql.push_str(&format!(
        "INSERT INTO agreement VALUES ('{sha}', 'copenhagen-2024', 'builtin:copenhagen-2024', '{text}', '{law}', '2024-03-01T10:00:00+00:00');
INSERT INTO setting VALUES ('agreement_sha256', '{sha}');
INSERT INTO setting VALUES ('any_municipality', '0');
INSERT INTO organisation (id) VALUES ('org-17');
INSERT INTO department (id, name, organisation_id, local_district, family_homes, youth_homes, elderly_homes, municipality_code, as_of) VALUES ('101-0001', 'A', 'org-17', 'Valby', 10, 0, 0, '0101', '2024-03-01');
",
        sha = a.agreement.content_sha256,
        text = quoted(&a.text),
        law = quoted(&a.law_text),
    ));
    sql.push_str(
        "INSERT INTO snapshot (id, kind, reference_date, file_name, file_sha256, content_sha256, row_count, imported_at, imported_by) VALUES (7, 'departments', '2024-03-01', 'old.csv', 'f', 'c', 1, '2024-03-01T10:00:00+00:00', 'analyst');
INSERT INTO department_figures (snapshot_id, position, department_id, name, organisation_id, local_district, family_homes, youth_homes, elderly_homes, residents, municipality_code) VALUES (7, 0, '101-0001', 'A', 'org-17', 'Valby', 10, 0, 0, 20, '101');
INSERT INTO placement_run (id, on_date, departments_snapshot_id, agreement_sha256, any_municipality, program_version, parameters_sha256, receipt, warnings, created_at, created_by) VALUES (3, '2024-03-01', 7, (SELECT value FROM setting WHERE key = 'agreement_sha256'), 0, 'old', 'p', '{}', '[]', '2024-03-01T10:00:00+00:00', 'analyst');
",
    );
    match &f.location {
        Location::Sqlite(path) => {
            let c = rusqlite::Connection::open(path).unwrap();
            c.pragma_update(None, "foreign_keys", "ON").unwrap();
            c.execute_batch(&sql).unwrap();
        }
        Location::Postgres(url) => {
            let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
            c.batch_execute(&sql).unwrap();
        }
    }
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn migrating_a_database_with_snapshots_keeps_them_and_their_references(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    database_at_version_4(&f);
    let mut store = open(&f);
    // Through version 5 (withdrawals), 6 (the overview kind: the table rebuilt again) and
    // 7 (municipalities: the database's one agreement is municipality 101's, the code
    // its departments have).
    assert_eq!(store.schema_version().unwrap(), 8);
    assert_eq!(store.municipalities().unwrap(), ["101"]);
    assert_eq!(
        store.municipality_of("101-0001").unwrap().as_deref(),
        Some("101")
    );
    // The rebuilt table is still append-only.
    assert!(trappe_store::test_support::sql(&mut store)
        .execute("UPDATE snapshot SET file_name = 'x' WHERE id = 7", &[])
        .is_err());
    // The snapshot kept its id, and what referenced it still does.
    let list = store.snapshots().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].id, list[0].file_name.as_str()), (7, "old.csv"));
    assert!(list[0].withdrawn.is_none());
    let joined = trappe_store::test_support::sql(&mut store)
        .query_opt(
            "SELECT s.file_name, COUNT(*) FROM placement_run r JOIN snapshot s ON s.id = r.departments_snapshot_id JOIN department_figures f ON f.snapshot_id = s.id GROUP BY s.file_name",
            &[],
        )
        .unwrap()
        .unwrap();
    assert_eq!(joined.text(0).unwrap(), "old.csv");
    if engine == Engine::Sqlite {
        let broken = trappe_store::test_support::sql(&mut store)
            .query("PRAGMA foreign_key_check", &[])
            .unwrap();
        assert!(broken.is_empty(), "{} broken references", broken.len());
    }
    // The references are still enforced against the rebuilt table.
    assert!(trappe_store::test_support::sql(&mut store)
        .execute(
            "INSERT INTO snapshot_withdrawal (snapshot_id, withdrawn_at, withdrawn_by, reason) VALUES (99, '2024-03-01T10:00:00+00:00', 'x', 'y')",
            &[],
        )
        .is_err());
    assert!(trappe_store::test_support::sql(&mut store)
        .execute(
            "INSERT INTO department_figures (snapshot_id, position, department_id, name, organisation_id, local_district, family_homes, youth_homes, elderly_homes, residents) VALUES (99, 0, 'x', 'x', 'x', 'x', 0, 0, 0, 0)",
            &[],
        )
        .is_err());
    // And the date is still held until withdrawn.
    let other = import(
        &mut store,
        Kind::Departments,
        "2024-03-01",
        "departments.csv",
        &example("copenhagen/departments.csv"),
        Some(&copenhagen()),
    )
    .unwrap_err();
    assert!(matches!(other, StoreError::Conflict(_)), "{other}");
    withdraw(&mut store, Kind::Departments, "2024-03-01", "test data").unwrap();
    let r = import(
        &mut store,
        Kind::Departments,
        "2024-03-01",
        "departments.csv",
        &example("copenhagen/departments.csv"),
        Some(&copenhagen()),
    )
    .unwrap();
    assert!(r.snapshot_id != 7 && r.runs.len() == 1);
    assert_eq!(store.overview(date("2024-06-01")).unwrap().rows.len(), 405);
}

/// Where the placement in force is held until approved [CPH 6.2], a run depends on the
/// one before: withdrawing the first departments file of the period redoes the later
/// runs, whose own inputs are unchanged — the September file becomes the first placement,
/// held from its date with its own steps.
#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn withdrawing_the_first_file_redoes_the_held_placements_after_it(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let target = step_1_department(&mut store).id;
    let autumn = with_cells(&target, &STEP_4);
    import(
        &mut store,
        Kind::Departments,
        "2024-09-01",
        "autumn.csv",
        &autumn,
        None,
    )
    .unwrap();
    let in_force = |store: &mut Store| {
        let o = store.overview(date("2024-10-01")).unwrap();
        let r = o.rows.iter().find(|r| r.department.id == target).unwrap();
        (r.placement.step.clone(), r.placement.basis.clone())
    };
    assert_eq!(in_force(&mut store), ("1".into(), "held".into()));
    let r = withdraw(&mut store, Kind::Departments, "2024-03-01", "wrong file").unwrap();
    assert!(
        r.runs.iter().any(|x| x.on_date == date("2024-09-01")),
        "the September run is redone: {:?}",
        r.runs.iter().map(|x| x.on_date).collect::<Vec<_>>()
    );
    assert_eq!(in_force(&mut store), ("4".into(), "held".into()));
}
