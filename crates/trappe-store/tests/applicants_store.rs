//! The storage of applicant decisions: ranking runs, allocation-limit checks and their
//! retention. Every test runs against the embedded SQLite file and against PostgreSQL
//! (127.0.0.1:5432, database `test`, or $TRAPPE_TEST_POSTGRES), each in its own
//! temporary directory or schema. The helpers it shares with `storage.rs` are in
//! `common`.

mod common;

use chrono::{Duration, Utc};
use common::{
    count, date, example, example_text, fresh_named, import, load_example, load_example_with_homes,
    open, plain_homes, register, Fresh,
};
use rstest::rstest;
use trappe_formats::household::{read_applicants, read_household};
use trappe_rules::agreement::{Channel, Staircase};
use trappe_rules::applicant::{
    self, allocation_limits, rank, AreaStatus, Household, LimitsOutcome, RankVacancy, Ranked,
    Requirement, RequirementError, Tier,
};
use trappe_rules::criteria::Criterion;
use trappe_store::applicants::{LettingContext, DEFAULT_RETENTION_DAYS};
use trappe_store::import::Kind;
use trappe_store::letting::Outcome;
use trappe_store::{Engine, Store, StoreError, Value};

/// A fresh database; on PostgreSQL its own schema prefix, apart from `storage.rs`'s.
fn fresh(engine: Engine) -> Fresh {
    fresh_named(engine, "trappe_appl_test")
}

/// An areas list: the example's with some areas' designation changed.
fn areas_with(designations: &[(&str, &str)]) -> Vec<u8> {
    let text = example_text("copenhagen/areas.csv");
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let sep = if header.contains(';') { ';' } else { ',' };
    let id = header.split(sep).position(|h| h == "area_id").unwrap();
    let col = header.split(sep).position(|h| h == "designation").unwrap();
    let mut out = vec![header.clone()];
    for l in lines {
        let mut cells: Vec<&str> = l.split(sep).collect();
        if let Some((_, d)) = designations.iter().find(|(a, _)| *a == cells[id]) {
            cells[col] = d;
        }
        out.push(cells.join(&sep.to_string()));
    }
    (out.join("\n") + "\n").into_bytes()
}

// ---------------------------------------------------------------------------------
// Ranking.

/// Ranks the example applicants for a department's flexible letting on a date, as
/// `trappe applicant rank --department` does (the wheel's default criteria set).
fn rank_example(
    store: &mut Store,
    department: &str,
    on: &str,
) -> (LettingContext, Requirement, Vec<Ranked>) {
    let mut ctx = store.department_context(department, date(on)).unwrap();
    ctx.criteria = ctx.default_criteria();
    ctx.channel = Some(Channel::Flexible);
    let req = applicant::requirement(
        ctx.agreement.applicants.as_ref(),
        Channel::Flexible,
        ctx.criteria.as_deref(),
        ctx.staircase,
        &ctx.step,
        &ctx.tightened,
        false,
        &ctx.step_source(),
    )
    .unwrap();
    let households = read_applicants(
        "applicants.json",
        &example_text("copenhagen/applicants.json"),
        ctx.on,
    )
    .unwrap();
    let rules = ctx.agreement.applicants.as_ref().unwrap();
    let ranked = rank(
        rules,
        &RankVacancy {
            department: &ctx.department,
            area: ctx.area.as_deref(),
            on: ctx.on,
            requirement: &req,
            internal_priority: false,
            internal_criteria_everywhere: false,
        },
        &households,
    );
    (ctx, req, ranked)
}

fn inputs_hash() -> String {
    trappe_formats::agreement_file::sha256_hex(&example("copenhagen/applicants.json"))
}

/// Stores one ranking run of the example applicants for 101-0365 on 2024-03-01.
fn store_example_run(store: &mut Store) -> (i64, Vec<Ranked>) {
    let (ctx, req, ranked) = rank_example(store, "101-0365", "2024-03-01");
    let id = store
        .store_ranking(&ctx, &req, &inputs_hash(), &ranked, "test")
        .unwrap();
    (id, ranked)
}

/// The column names of a table, on either engine.
fn columns(store: &mut Store, table: &str) -> Vec<String> {
    let sql = match store.engine() {
        Engine::Sqlite => format!("SELECT name FROM pragma_table_info('{table}')"),
        Engine::Postgres => format!(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
        ),
    };
    let cols: Vec<String> = trappe_store::test_support::sql(store)
        .query(&sql, &[])
        .unwrap()
        .iter()
        .map(|r| r.text(0).unwrap())
        .collect();
    assert!(!cols.is_empty(), "table {table} has columns");
    cols
}

/// Every row of a table, every column as text (`created_at` left out: it is the
/// clock, whose digits could spell anything).
fn dump(store: &mut Store, table: &str) -> Vec<String> {
    let cols = columns(store, table);
    let expr = cols
        .iter()
        .filter(|c| *c != "created_at")
        .map(|c| format!("COALESCE(CAST({c} AS TEXT), '')"))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    trappe_store::test_support::sql(store)
        .query(&format!("SELECT {expr} FROM {table}"), &[])
        .unwrap()
        .iter()
        .map(|r| r.text(0).unwrap())
        .collect()
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_ranking_run_is_stored_read_back_and_audited_without_private_facts(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let (ctx, req, ranked) = rank_example(&mut store, "101-0365", "2024-03-01");
    assert_eq!(ctx.staircase, Staircase::Area);
    assert_eq!(ctx.step, "1");
    assert_eq!(ctx.tightened, vec![Criterion::Unemployment]);
    assert_eq!(ctx.criteria.as_deref(), Some("tightened:relevant"));
    // Challenged on unemployment: the tightened employment criterion replaces A.
    assert!(req.any_of.is_empty(), "{req:?}");
    assert_eq!(
        req.all_of,
        [applicant::CriterionId::of("tightened_employment")],
        "{req:?}"
    );
    // By tier, then the longest seniority.
    let order: Vec<(&str, Tier)> = ranked
        .iter()
        .map(|r| (r.applicant.as_str(), r.tier))
        .collect();
    assert_eq!(
        order,
        [
            ("V-09120", Tier::Meets),
            ("V-10442", Tier::Meets),
            ("V-11930", Tier::Meets),
            ("V-12001", Tier::Meets),
            ("V-07777", Tier::WithoutPriority),
            ("V-08817", Tier::WithoutPriority),
        ]
    );
    assert_eq!(
        ranked.iter().map(|r| r.position).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );

    let audit_before = store.audit_log(1000).unwrap().len();
    let id = store
        .store_ranking(&ctx, &req, &inputs_hash(), &ranked, "test")
        .unwrap();
    let run = store.ranking(id).unwrap();
    assert_eq!(run.id, id);
    assert_eq!(
        run.ranking, ranked,
        "positions, tiers and outcomes round-trip"
    );
    assert_eq!(run.requirement, req);
    assert_eq!(run.vacancy, None);
    assert_eq!(run.department_id, "101-0365");
    assert_eq!(run.on, date("2024-03-01"));
    assert_eq!(run.channel.as_str(), "flexible");
    assert_eq!(run.criteria.as_deref(), Some("tightened:relevant"));
    assert_eq!(run.staircase, Staircase::Area);
    assert_eq!(run.step, "1");
    assert_eq!(run.agreement_sha256, ctx.agreement_sha256);
    assert_eq!(run.inputs_sha256, inputs_hash());
    assert_eq!(run.applicants, 6);
    assert_eq!(run.created_by, "test");
    assert!(!run.program_version.is_empty());
    assert!((Utc::now() - run.created_at).num_minutes().abs() < 5);
    assert_eq!(count(&mut store, "ranking_entry"), 6);

    let runs = store.ranking_runs(None).unwrap();
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(
        (
            r.id,
            r.vacancy,
            r.department_id.as_str(),
            r.on,
            r.applicants,
            r.created_by.as_str()
        ),
        (id, None, "101-0365", date("2024-03-01"), 6, "test")
    );
    assert_eq!(r.created_at, run.created_at);
    assert!(
        store.ranking_runs(Some(1)).unwrap().is_empty(),
        "no vacancy 1 runs"
    );

    let log = store.audit_log(1000).unwrap();
    assert_eq!(log.len(), audit_before + 1);
    assert_eq!(log[0].action, "rank_applicants");
    assert_eq!(log[0].subject, format!("ranking {id}"));
    assert_eq!(log[0].actor, "test");
    assert_eq!(log[0].detail["applicants"], 6);
    assert_eq!(log[0].detail["department"], "101-0365");

    // Privacy: no income, no conviction's law or date, in any stored row.
    let input = example_text("copenhagen/applicants.json");
    for secret in ["31500", "2023-02-01", "criminal_code"] {
        assert!(input.contains(secret), "the input holds {secret}");
    }
    let mut rows = dump(&mut store, "ranking_run");
    rows.extend(dump(&mut store, "ranking_entry"));
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().any(|r| r.contains("V-12001")), "entries dumped");
    // What decided is kept: V-08817's 24.5 hours a week, below the 25 needed.
    assert!(
        rows.iter()
            .any(|r| r.contains("V-08817") && r.contains("24.5")),
        "details dumped"
    );
    for row in &rows {
        for secret in ["31500", "2023-02-01", "criminal_code"] {
            assert!(!row.contains(secret), "{secret} stored: {row}");
        }
    }
    // Nor in the audit entry.
    let detail = log[0].detail.to_string();
    for secret in ["31500", "2023-02-01", "criminal_code"] {
        assert!(!detail.contains(secret), "{secret} audited: {detail}");
    }

    let e = store.ranking(id + 1).unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
}

// ---------------------------------------------------------------------------------
// Vacancies.

/// What a vacancy's context requires of an applicant: its channel (which it must have)
/// and criteria set on its step.
fn vacancy_requirement(ctx: &LettingContext) -> Result<Requirement, RequirementError> {
    applicant::requirement(
        ctx.agreement.applicants.as_ref(),
        ctx.channel.unwrap(),
        ctx.criteria.as_deref(),
        ctx.staircase,
        &ctx.step,
        &ctx.tightened,
        ctx.accessibility_home,
        &ctx.step_source(),
    )
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_vacancys_context_is_its_slot_and_allocation_or_resolved_is_refused(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example_with_homes(&mut store);
    let homes = plain_homes(&mut store, "101-0001");
    // Dept step 4: slots 1 and 2 flexible, slot 3 municipal allocation.
    let regs: Vec<_> = homes[..3]
        .iter()
        .map(|h| register(&mut store, "101-0001", h, "2024-06-03").unwrap())
        .collect();
    assert_eq!(
        regs.iter()
            .map(|r| r.assignment.channel)
            .collect::<Vec<_>>(),
        [
            Some(Channel::Flexible),
            Some(Channel::Flexible),
            Some(Channel::MunicipalAllocation)
        ]
    );
    let (flex, alloc) = (&regs[0], &regs[2]);
    assert!(flex.assignment.criteria.is_some());

    let ctx = store.vacancy_context(flex.vacancy, None).unwrap();
    assert_eq!(ctx.vacancy, Some(flex.vacancy));
    assert_eq!(ctx.channel, Some(Channel::Flexible));
    assert_eq!(ctx.criteria, flex.assignment.criteria);
    assert_eq!(ctx.home.as_deref(), Some(homes[0].as_str()));
    assert_eq!(ctx.department, "101-0001");
    assert_eq!(
        ctx.on,
        date("2024-06-03"),
        "the takeover defaults to the vacated date"
    );
    assert_eq!(
        (ctx.staircase, ctx.step.as_str()),
        (Staircase::Department, "4")
    );
    let req = vacancy_requirement(&ctx).unwrap();
    assert_eq!(req.criteria_set, flex.assignment.criteria);
    assert!(!req.any_of.is_empty() || !req.all_of.is_empty(), "{req:?}");
    // A ranking for the vacancy is listed under it.
    let run = store.store_ranking(&ctx, &req, "0", &[], "test").unwrap();
    let runs = store.ranking_runs(Some(flex.vacancy)).unwrap();
    assert_eq!(
        runs.iter().map(|r| (r.id, r.vacancy)).collect::<Vec<_>>(),
        [(run, Some(flex.vacancy))]
    );
    assert!(store.ranking_runs(Some(alloc.vacancy)).unwrap().is_empty());
    assert_eq!(
        store.ranking(run).unwrap().criteria,
        flex.assignment.criteria
    );
    // A later takeover date is taken; an earlier one is refused.
    let later = store
        .vacancy_context(flex.vacancy, Some(date("2024-07-01")))
        .unwrap();
    assert_eq!(later.on, date("2024-07-01"));
    let e = store
        .vacancy_context(flex.vacancy, Some(date("2024-06-02")))
        .unwrap_err()
        .to_string();
    assert!(e.contains("before vacancy"), "{e}");

    // The municipality's slot: nobody is ranked from the waiting list.
    let ctx = store.vacancy_context(alloc.vacancy, None).unwrap();
    assert_eq!(ctx.channel, Some(Channel::MunicipalAllocation));
    assert_eq!(ctx.criteria, None);
    let e = vacancy_requirement(&ctx).unwrap_err();
    assert_eq!(e, RequirementError::NotWaitingList("municipal allocation"));

    // Returned, then not used for urban renewal: it falls back to flexible letting with
    // the step's default criteria set.
    let returned = Outcome::Returned {
        on: date("2024-06-05"),
    };
    store
        .resolve_vacancy(alloc.vacancy, &returned, None, "test")
        .unwrap();
    let ctx = store.vacancy_context(alloc.vacancy, None).unwrap();
    assert_eq!(ctx.channel, Some(Channel::UrbanRenewal));
    let not_used = Outcome::NotUsed {
        on: date("2024-06-05"),
    };
    store
        .resolve_vacancy(alloc.vacancy, &not_used, None, "test")
        .unwrap();
    let ctx = store.vacancy_context(alloc.vacancy, None).unwrap();
    assert_eq!(ctx.channel, Some(Channel::Flexible));
    assert!(ctx.criteria.is_some());
    assert_eq!(ctx.criteria, ctx.default_criteria());

    // A resolved vacancy is refused.
    let let_flex = Outcome::Let {
        on: date("2024-07-01"),
        channel: trappe_store::letting::LetChannel::Flexible,
        no_qualified_applicant: false,
        refugee_shared: false,
    };
    store
        .resolve_vacancy(flex.vacancy, &let_flex, None, "test")
        .unwrap();
    let e = store.vacancy_context(flex.vacancy, None).unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    assert!(e.to_string().contains("resolved"), "{e}");
    // An unknown vacancy.
    assert!(store.vacancy_context(9999, None).is_err());
}

// ---------------------------------------------------------------------------------
// Allocation limits.

fn household(json: &str) -> Household {
    read_household("household.json", json, date("2024-03-01")).unwrap()
}

const NON_EU: &str = r#"{"members": [
    {"relation": "applicant", "birth_date": "1990-01-01", "eu_eea_swiss_citizen": false},
    {"relation": "child", "birth_date": "2015-01-01", "eu_eea_swiss_citizen": false}
]}"#;

/// The limits outcome of the non-EU household in 101-0403 (A14) on 2024-03-01.
fn non_eu_check(store: &mut Store) -> (LettingContext, LimitsOutcome) {
    let ctx = store
        .department_context("101-0403", date("2024-03-01"))
        .unwrap();
    let (_, status) = store.area_status("101-0403", date("2024-03-01")).unwrap();
    let rules = ctx
        .agreement
        .applicants
        .as_ref()
        .unwrap()
        .limits
        .as_ref()
        .unwrap();
    let outcome = allocation_limits(rules, status, &household(NON_EU), ctx.on).unwrap();
    (ctx, outcome)
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn an_exception_needs_a_note_and_is_recorded_and_audited(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let (ctx, outcome) = non_eu_check(&mut store);
    assert_eq!(outcome.area, AreaStatus::Udsat);
    assert!(!outcome.allowed);
    let hit: Vec<(&str, u32)> = outcome
        .hits
        .iter()
        .map(|h| (h.limit.as_str(), h.member))
        .collect();
    assert_eq!(hit, [("non_eu_citizen", 1), ("non_eu_citizen", 2)]);

    let audit_before = store.audit_log(1000).unwrap().len();
    for empty in ["", "   "] {
        let e = store
            .record_allocation_check(&ctx, "K-1", &outcome, None, Some(empty), "test")
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e}");
        assert!(e.to_string().contains("needs a note"), "{e}");
    }
    assert_eq!(count(&mut store, "allocation_check"), 0);
    assert_eq!(store.audit_log(1000).unwrap().len(), audit_before);

    let plain = store
        .record_allocation_check(
            &ctx,
            "K-1",
            &outcome,
            Some("area step 2 [CPH 6.1.3]"),
            None,
            "test",
        )
        .unwrap();
    let note = "no home outside the area could be found within the deadline";
    let exc = store
        .record_allocation_check(&ctx, "K-2", &outcome, None, Some(note), "caseworker")
        .unwrap();
    assert_ne!(plain, exc);

    let exceptions = store.allocation_checks(true).unwrap();
    assert_eq!(exceptions.len(), 1);
    let c = &exceptions[0];
    assert_eq!(c.id, exc);
    assert!(c.exception);
    // The grounds are kept: the limits checked and hit, and the agreement's suspension.
    assert_eq!(c.outcome.checked, outcome.checked);
    assert!(!c.outcome.checked.is_empty());
    assert_eq!(c.outcome.hits, outcome.hits);
    assert_eq!(c.suspended, None);
    let all = store.allocation_checks(false).unwrap();
    let p = all.iter().find(|c| c.id == plain).unwrap();
    assert_eq!(p.suspended.as_deref(), Some("area step 2 [CPH 6.1.3]"));
    assert_eq!(c.note.as_deref(), Some(note));
    assert_eq!(c.citizen_ref, "K-2");
    assert_eq!(c.department_id, "101-0403");
    assert_eq!(c.area_id.as_deref(), Some("A14"));
    assert_eq!(c.on, date("2024-03-01"));
    assert_eq!(c.vacancy, None);
    assert_eq!(c.outcome.area, AreaStatus::Udsat);
    assert_eq!(c.outcome.hits, outcome.hits);
    assert!(!c.outcome.allowed);
    assert_eq!(c.created_by, "caseworker");

    let all = store.allocation_checks(false).unwrap();
    assert_eq!(
        all.iter().map(|c| (c.id, c.exception)).collect::<Vec<_>>(),
        [(exc, true), (plain, false)],
        "newest first"
    );
    assert_eq!(all[1].note, None);

    let log = store.audit_log(1000).unwrap();
    assert_eq!(log.len(), audit_before + 2);
    assert_eq!(log[0].action, "allocation_exception");
    assert_eq!(log[0].subject, format!("allocation check {exc}"));
    assert_eq!(log[0].actor, "caseworker");
    assert_eq!(log[0].detail["allowed"], false);
    assert_eq!(log[1].action, "allocation_check");
    assert_eq!(log[1].subject, format!("allocation check {plain}"));

    // A household without the citizenship the limit needs: the check names the member.
    let missing = household(r#"{"members": [{"relation": "applicant", "age": 30}]}"#);
    let rules = ctx
        .agreement
        .applicants
        .as_ref()
        .unwrap()
        .limits
        .as_ref()
        .unwrap();
    let e = allocation_limits(rules, AreaStatus::Udsat, &missing, ctx.on).unwrap_err();
    assert_eq!((e.member, e.field), (1, "eu_eea_swiss_citizen"));
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn the_area_status_follows_the_lists_and_a_former_omdannelse_keeps_the_limits(
    #[case] engine: Engine,
) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let on = date("2024-03-01");
    assert_eq!(
        store.area_status("101-0403", on).unwrap(),
        (Some("A14".to_string()), AreaStatus::Udsat),
        "A14 is an omdannelsesområde on the 2023-12-01 list"
    );
    assert_eq!(
        store.area_status("101-0001", on).unwrap(),
        (None, AreaStatus::NotDesignated)
    );
    assert_eq!(
        store.area_status("101-0365", on).unwrap(),
        (Some("A01".to_string()), AreaStatus::Forebyggelse)
    );
    let e = store.area_status("101-9999", on).unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");

    // The 2024-12-01 list no longer designates A14 (nor A01).
    import(
        &mut store,
        Kind::Areas,
        "2024-12-01",
        "list-2024.csv",
        &areas_with(&[("A14", "none"), ("A01", "none")]),
        None,
    )
    .unwrap();
    assert_eq!(
        store.area_status("101-0403", date("2024-11-30")).unwrap().1,
        AreaStatus::Udsat,
        "the old list is in force until the new one"
    );
    assert_eq!(
        store.area_status("101-0403", date("2025-03-01")).unwrap(),
        (Some("A14".to_string()), AreaStatus::FormerOmdannelse)
    );
    assert_eq!(
        store.area_status("101-0365", date("2025-03-01")).unwrap().1,
        AreaStatus::NotDesignated,
        "a former forebyggelsesområde keeps no limits"
    );
    // Until it has been off the omdannelse list four times in a row [CPH B5, ABL §168 b
    // stk. 10]: the lists of 2025, 2026 and 2027 leave it off too.
    for (list, name) in [
        ("2025-12-01", "list-2025.csv"),
        ("2026-12-01", "list-2026.csv"),
        ("2027-12-01", "list-2027.csv"),
    ] {
        import(
            &mut store,
            Kind::Areas,
            list,
            name,
            &areas_with(&[("A14", "none"), ("A01", "none")]),
            None,
        )
        .unwrap();
    }
    assert_eq!(
        store.area_status("101-0403", date("2027-11-30")).unwrap().1,
        AreaStatus::FormerOmdannelse,
        "off three lists in a row"
    );
    assert_eq!(
        store.area_status("101-0403", date("2027-12-01")).unwrap().1,
        AreaStatus::NotDesignated,
        "off four lists in a row"
    );
    // CPH 6.1.6: the agreement suspends allocation in the transition (until four lists
    // without udsat), and the convictions criterion applies while the area's share of
    // convicted residents is above the forebyggelse threshold (A14: 0.82 % ≤ 1.45 %).
    let dp = |store: &mut Store, on: &str| {
        store
            .department_context("101-0403", date(on))
            .unwrap()
            .development_plan
    };
    assert!(
        dp(&mut store, "2024-03-01").is_none(),
        "udsat on the list in force"
    );
    let d = dp(&mut store, "2025-03-01").expect("in the transition");
    assert_eq!(d.area_id, "A14");
    assert!(!d.convictions_criterion, "{d:?}");
    assert!(
        dp(&mut store, "2027-11-30").is_some(),
        "three lists without udsat"
    );
    assert!(
        dp(&mut store, "2027-12-01").is_none(),
        "four lists without udsat"
    );
    assert!(
        store
            .department_context("101-0365", date("2025-03-01"))
            .unwrap()
            .development_plan
            .is_none(),
        "A01 was never omdannelse"
    );
    // The udsat limits still apply to a former omdannelsesområde.
    let ctx = store
        .department_context("101-0403", date("2025-03-01"))
        .unwrap();
    let rules = ctx
        .agreement
        .applicants
        .as_ref()
        .unwrap()
        .limits
        .as_ref()
        .unwrap();
    let h = read_household("h.json", NON_EU, date("2025-03-01")).unwrap();
    let outcome = allocation_limits(rules, AreaStatus::FormerOmdannelse, &h, ctx.on).unwrap();
    assert!(!outcome.allowed);
    assert!(!outcome.checked.is_empty());
}

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn a_development_plan_area_above_the_forebyggelse_conviction_share_asks_everyone_for_it(
    #[case] engine: Engine,
) {
    if !common::available(engine) {
        return;
    }
    // CPH 6.1.6: 'skal boligsøgende i disse områder opfylde dømte-kriteriet, når blot
    // andelen af dømte overstiger grænseværdien for forebyggelsesområder' (1.45 % on the
    // list of 2022, the thresholds in force).
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let list = String::from_utf8(areas_with(&[("A14", "none")]))
        .unwrap()
        .replace(
            "A14,Syntetisk område A14,1300,none,47.4,0.82,",
            "A14,Syntetisk område A14,1300,none,47.4,1.5,",
        );
    assert!(list.contains(",none,47.4,1.5,"), "the A14 row was changed");
    import(
        &mut store,
        Kind::Areas,
        "2024-12-01",
        "list-2024.csv",
        list.as_bytes(),
        None,
    )
    .unwrap();
    let ctx = store
        .department_context("101-0403", date("2025-03-01"))
        .unwrap();
    let d = ctx.development_plan.clone().expect("in the transition");
    assert!(d.convictions_criterion, "{d:?}");
    assert_eq!(d.convictions_pct, Some("1.5".parse().unwrap()));
    let (always, source) = ctx.always_tightened();
    assert_eq!(always, vec![trappe_rules::criteria::Criterion::Convictions]);
    assert!(source.contains("6.1.6"), "{source}");
}

// ---------------------------------------------------------------------------------
// Retention.

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn applicant_data_is_purged_after_the_retention_period(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    assert_eq!(DEFAULT_RETENTION_DAYS, 365);
    assert_eq!(store.retention_days().unwrap(), 365);
    for bad in [0, -1] {
        let e = store.set_retention_days(bad, "test").unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    }
    assert_eq!(store.retention_days().unwrap(), 365);

    let (run, ranked) = store_example_run(&mut store);
    let (ctx, outcome) = non_eu_check(&mut store);
    let check = store
        .record_allocation_check(&ctx, "K-1", &outcome, None, Some("nothing else"), "test")
        .unwrap();
    let entries = ranked.len() as u64;
    let tables = |store: &mut Store| {
        (
            count(store, "ranking_run"),
            count(store, "ranking_entry"),
            count(store, "allocation_check"),
        )
    };
    assert_eq!(tables(&mut store), (1, entries as i64, 1));
    let audit = |store: &mut Store| store.audit_log(1000).unwrap().len();

    // A dry run counts what is older than the cutoff and deletes nothing.
    let now = Utc::now();
    let audit_before = audit(&mut store);
    let p = store
        .purge_applicant_data(now + Duration::days(400), true, "test")
        .unwrap();
    assert_eq!(p.retention_days, 365);
    assert_eq!(p.before, now + Duration::days(400) - Duration::days(365));
    assert_eq!(
        (p.ranking_runs, p.ranking_entries, p.allocation_checks),
        (1, entries, 1)
    );
    assert_eq!(tables(&mut store), (1, entries as i64, 1));
    assert_eq!(audit(&mut store), audit_before, "a dry run is not audited");
    // Nothing is older than today's cutoff.
    let p = store.purge_applicant_data(now, false, "test").unwrap();
    assert_eq!(
        (p.ranking_runs, p.ranking_entries, p.allocation_checks),
        (0, 0, 0)
    );
    assert_eq!(tables(&mut store), (1, entries as i64, 1));

    // A second run and check, then the first ones backdated beyond the period: only
    // those are deleted.
    let (newer_run, _) = store_example_run(&mut store);
    let newer_check = store
        .record_allocation_check(&ctx, "K-3", &outcome, None, None, "test")
        .unwrap();
    let old: Value = (now - Duration::days(400)).into();
    trappe_store::test_support::sql(&mut store)
        .execute(
            "UPDATE ranking_run SET created_at = $1 WHERE id = $2",
            &[old.clone(), Value::Int(run)],
        )
        .unwrap();
    trappe_store::test_support::sql(&mut store)
        .execute(
            "UPDATE allocation_check SET created_at = $1 WHERE id = $2",
            &[old, Value::Int(check)],
        )
        .unwrap();
    let audit_before = audit(&mut store);
    let p = store.purge_applicant_data(now, false, "purger").unwrap();
    assert_eq!(
        (p.ranking_runs, p.ranking_entries, p.allocation_checks),
        (1, entries, 1)
    );
    assert_eq!(tables(&mut store), (1, entries as i64, 1));
    assert!(matches!(store.ranking(run), Err(StoreError::NotFound(_))));
    assert_eq!(
        store.ranking(newer_run).unwrap().ranking.len(),
        ranked.len()
    );
    assert_eq!(
        store
            .allocation_checks(false)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        [newer_check]
    );
    let log = store.audit_log(1000).unwrap();
    assert_eq!(log.len(), audit_before + 1);
    assert_eq!(log[0].action, "purge_applicant_data");
    assert_eq!(log[0].actor, "purger");
    assert_eq!(log[0].detail["ranking_runs"], 1);
    assert_eq!(log[0].detail["allocation_checks"], 1);

    // Everything made now is older than a cutoff 400 days on.
    let p = store
        .purge_applicant_data(now + Duration::days(400), false, "test")
        .unwrap();
    assert_eq!(
        (p.ranking_runs, p.ranking_entries, p.allocation_checks),
        (1, entries, 1)
    );
    assert_eq!(tables(&mut store), (0, 0, 0));
    assert!(store.ranking_runs(None).unwrap().is_empty());

    // A shorter period is kept, audited and used.
    store.set_retention_days(30, "test").unwrap();
    assert_eq!(store.retention_days().unwrap(), 30);
    assert_eq!(store.audit_log(1).unwrap()[0].action, "set_retention");
    store.set_retention_days(31, "test").unwrap();
    assert_eq!(store.retention_days().unwrap(), 31, "set twice");
    store_example_run(&mut store);
    let p = store
        .purge_applicant_data(Utc::now() + Duration::days(32), true, "test")
        .unwrap();
    assert_eq!((p.retention_days, p.ranking_runs), (31, 1));
    let p = store
        .purge_applicant_data(Utc::now() + Duration::days(30), true, "test")
        .unwrap();
    assert_eq!(p.ranking_runs, 0);
}
