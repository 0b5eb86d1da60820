//! The placement rules, pinned case by case against the shipped agreement files.
//! Each test names the rule and cites the section of the source document.

use proptest::prelude::*;
use rstest::rstest;

use trappe_formats::load_builtin;
use trappe_rules::designation::{designate, AreaCounts, AreaFigures, Count};
use trappe_rules::placement::{
    classify, Area, AreaDecision, Classification, ClassifyError, ClassifyInput, Department, Warning,
};
use trappe_rules::{Date, Designation, Figures, Pct};

fn d(s: &str) -> Pct {
    s.parse().unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn figures(u: &str, c: &str, e: &str, i: &str) -> Figures {
    Figures {
        unemployment_pct: d(u),
        convictions_pct: d(c),
        primary_education_pct: d(e),
        income_pct: d(i),
    }
}

/// Safe values on every criterion (far from every threshold).
const SAFE: [&str; 4] = ["10.0", "0.50", "20.0", "100.0"];

fn dept(id: &str, f: Figures, allocated: &str) -> Department {
    Department {
        id: id.into(),
        name: id.into(),
        organisation_id: "org".into(),
        municipality_code: None,
        area_id: None,
        local_district: "Amager".into(),
        family_homes: 200,
        youth_homes: 0,
        elderly_homes: 0,
        residents: 400,
        figures: Some(f),
        non_western_pct: None,
        allocated_pct: Some(d(allocated)),
    }
}

fn run(
    agreement: &str,
    deps: &[Department],
    areas: Option<&[Area]>,
    decisions: &[AreaDecision],
    on: &str,
) -> Result<Classification, Vec<ClassifyError>> {
    let loaded = load_builtin(agreement).unwrap();
    run_with(&loaded.agreement, &loaded.law, deps, areas, decisions, on)
}

/// `run` with an agreement given (an edited or hand-made one).
fn run_with(
    agreement: &trappe_rules::Agreement,
    law: &trappe_rules::law::LawParams,
    deps: &[Department],
    areas: Option<&[Area]>,
    decisions: &[AreaDecision],
    on: &str,
) -> Result<Classification, Vec<ClassifyError>> {
    classify(ClassifyInput {
        agreement,
        law,
        on: date(on),
        data_reference_date: None,
        departments: deps,
        areas,
        decisions,
        pools: None,
        any_municipality: false,
        overview: None,
        standing: None,
        program_version: "test",
    })
}

fn cph_one(f: Figures, allocated: &str) -> (String, Option<&'static str>) {
    let result = run(
        "copenhagen-2024",
        &[dept("d", f, allocated)],
        Some(&[]),
        &[],
        "2024-03-01",
    )
    .unwrap();
    let p = &result.placements[0];
    (p.step.clone(), p.need.map(|n| n.as_str()))
}

/// Figures with one criterion changed from SAFE, plus a second criterion set to a value.
fn with(changes: &[(usize, &str)]) -> Figures {
    let mut v = SAFE;
    for (i, x) in changes {
        v[*i] = x;
    }
    figures(v[0], v[1], v[2], v[3])
}

// CPH 6.2 fig 5 note * and CPH B17 fig 1: high need = at least 2 of the 4 udsat criteria
// (unemployment > 40.0, convictions ≥ 2.18, primary education > 60.0, income < 55.0).
// A second criterion is always met (education 65.0) so the case turns on the first.
#[rstest]
#[case::unemployment_40_0_is_not_over_40(0, "40.0", "medium")]
#[case::unemployment_40_1_is_over_40(0, "40.1", "high")]
#[case::convictions_2_17_is_under(1, "2.17", "medium")]
#[case::convictions_2_18_is_at_least(1, "2.18", "high")]
#[case::income_55_0_is_not_below_55(3, "55.0", "medium")]
#[case::income_54_9_is_below_55(3, "54.9", "high")]
fn dept_need_high_needs_two_udsat_criteria_cph_6_2_fig_5(
    #[case] criterion: usize,
    #[case] value: &str,
    #[case] need: &str,
) {
    let f = with(&[(2, "65.0"), (criterion, value)]);
    assert_eq!(cph_one(f, "10.0").1, Some(need));
}

// CPH B17 fig 1 risk zone (1 Dec 2022): unemployment > 35.0, convictions ≥ 2.07,
// education > 57.0, income < 57.8; medium = at least 2 criteria within it (CPH 6.2 fig 5 **).
// A second criterion is within the risk zone but not udsat (education 58.0).
#[rstest]
#[case::unemployment_35_0_is_outside(0, "35.0", "low")]
#[case::unemployment_35_1_is_inside(0, "35.1", "medium")]
#[case::convictions_2_06_is_outside(1, "2.06", "low")]
#[case::convictions_2_07_is_inside(1, "2.07", "medium")]
#[case::income_57_8_is_outside(3, "57.8", "low")]
#[case::income_57_7_is_inside(3, "57.7", "medium")]
fn dept_need_medium_needs_two_risk_zone_criteria_cph_b17(
    #[case] criterion: usize,
    #[case] value: &str,
    #[case] need: &str,
) {
    let f = with(&[(2, "58.0"), (criterion, value)]);
    assert_eq!(cph_one(f, "10.0").1, Some(need));
}

// Education: 57.0 is outside the risk zone, 57.1 inside; 60.0 is not udsat, 60.1 is.
#[rstest]
#[case::education_57_0(&[(2, "57.0"), (0, "36.0")], "low")]
#[case::education_57_1(&[(2, "57.1"), (0, "36.0")], "medium")]
#[case::education_60_0(&[(2, "60.0"), (0, "41.0")], "medium")]
#[case::education_60_1(&[(2, "60.1"), (0, "41.0")], "high")]
fn dept_need_education_boundaries_cph_b17_fig_1(
    #[case] changes: &[(usize, &str)],
    #[case] need: &str,
) {
    assert_eq!(cph_one(with(changes), "10.0").1, Some(need));
}

// CPH 6.2 fig 5: step from need × allocated share (≥ 25 %, 20–24.9 %, < 20 %).
#[rstest]
#[case::high_19_9(&[(0, "45.0"), (2, "65.0")], "19.9", "2")]
#[case::high_20_0(&[(0, "45.0"), (2, "65.0")], "20.0", "3")]
#[case::high_24_9(&[(0, "45.0"), (2, "65.0")], "24.9", "3")]
#[case::high_25_0(&[(0, "45.0"), (2, "65.0")], "25.0", "4")]
#[case::medium_19_9(&[(0, "36.0"), (2, "58.0")], "19.9", "1")]
#[case::medium_20_0(&[(0, "36.0"), (2, "58.0")], "20.0", "2")]
#[case::medium_24_9(&[(0, "36.0"), (2, "58.0")], "24.9", "2")]
#[case::medium_25_0(&[(0, "36.0"), (2, "58.0")], "25.0", "3")]
#[case::low_25_0(&[], "25.0", "1")]
#[case::low_0(&[], "0", "1")]
fn dept_step_from_need_and_allocated_share_cph_6_2_fig_5(
    #[case] changes: &[(usize, &str)],
    #[case] allocated: &str,
    #[case] step: &str,
) {
    assert_eq!(cph_one(with(changes), allocated).0, step);
}

fn area(
    id: &str,
    residents: u32,
    official: Option<Designation>,
    f: Option<Figures>,
    nw: &str,
) -> Area {
    Area {
        id: id.into(),
        name: id.into(),
        residents,
        official,
        figures: f,
        non_western_pct: Some(d(nw)),
        counts: AreaCounts::default(),
        prior_parallelsamfund_lists: 0,
    }
}

fn in_area(area_id: &str) -> Department {
    let mut x = dept("d", with(&[]), "10.0");
    x.area_id = Some(area_id.into());
    x
}

// CPH 6.1: step 1 for forebyggelse; step 2 for udsat, parallelsamfund, omdannelse.
#[rstest]
#[case(Designation::Forebyggelse, "area", "1")]
#[case(Designation::Udsat, "area", "2")]
#[case(Designation::Parallelsamfund, "area", "2")]
#[case(Designation::Omdannelse, "area", "2")]
#[case(Designation::None, "department", "1")]
fn area_staircase_step_from_designation_cph_6_1(
    #[case] des: Designation,
    #[case] staircase: &str,
    #[case] step: &str,
) {
    let areas = [area("A", 1500, Some(des), None, "40")];
    let r = run(
        "copenhagen-2024",
        &[in_area("A")],
        Some(&areas),
        &[],
        "2024-03-01",
    )
    .unwrap();
    assert_eq!(r.placements[0].staircase.as_str(), staircase);
    assert_eq!(r.placements[0].step, step);
}

/// Forebyggelse-qualifying figures (2 criteria beyond the lower thresholds, origin > 30).
fn forebyggelse_figures() -> Figures {
    figures("33.0", "1.50", "20.0", "100.0")
}

// CPH 6 (1): an area with more than 950 (and fewer than 1,000) residents whose figures
// would designate it may go on the area staircase by decision of the Samarbejdsforum.
#[rstest]
#[case::residents_950_is_not_over_950(950, true, "department")]
#[case::residents_951_with_decision(951, true, "area")]
#[case::residents_999_with_decision(999, true, "area")]
#[case::residents_999_without_decision(999, false, "department")]
fn small_area_by_decision_cph_6_1(
    #[case] residents: u32,
    #[case] decided: bool,
    #[case] staircase: &str,
) {
    let areas = [area(
        "A",
        residents,
        None,
        Some(forebyggelse_figures()),
        "40",
    )];
    let decisions = [AreaDecision {
        area_id: "A".into(),
        ground: "residents_over_threshold".into(),
        decided_by: "Samarbejdsforum".into(),
        decided_on: date("2024-02-01"),
    }];
    let decisions: &[AreaDecision] = if decided { &decisions } else { &[] };
    let r = run(
        "copenhagen-2024",
        &[in_area("A")],
        Some(&areas),
        decisions,
        "2024-03-01",
    )
    .unwrap();
    assert_eq!(r.placements[0].staircase.as_str(), staircase);
}

// CPH B4 III fig 4 notes: on area step 1 an area is challenged on a criterion "hvis det er
// mindre end 5 % eller 10 personer fra at opfylde" the udsat threshold: strictly fewer
// than 10 persons. Convictions: udsat at ≥ 2.18 % of adults, risk zone ≥ 2.07 %. Of 1,000
// adults, 21.8 persons is the threshold (22 persons). (Until issue 18, exactly 10 persons
// away counted as within.)
#[rstest]
#[case::in_zone_by_share(2.07, 21, true)]
#[case::nine_persons_away_is_within(1.30, 13, true)]
#[case::ten_persons_away_is_not(1.20, 12, false)]
#[case::eleven_persons_away_is_not(1.10, 11, false)]
#[case::far_away(0.50, 5, false)]
fn area_step_1_tightened_convictions_by_risk_zone_or_10_persons_cph_b4_iii(
    #[case] share: f64,
    #[case] persons: u32,
    #[case] expected: bool,
) {
    let mut a = area(
        "A",
        1500,
        Some(Designation::Forebyggelse),
        Some(figures("10.0", &format!("{share:.2}"), "20.0", "100.0")),
        "40",
    );
    a.counts.convictions = Some(Count { persons, of: 1000 });
    let tightened = tightened_on_area_step_1(a);
    assert_eq!(
        tightened.contains(&trappe_rules::Criterion::Convictions),
        expected,
        "{tightened:?}"
    );
}

/// The tightened criteria of a department in area `a` (on area step 1) under Copenhagen's
/// file on 1 March 2024.
fn tightened_on_area_step_1(a: Area) -> Vec<trappe_rules::Criterion> {
    let r = run(
        "copenhagen-2024",
        &[in_area("A")],
        Some(&[a]),
        &[],
        "2024-03-01",
    )
    .unwrap();
    r.placements[0].tightened_criteria.clone().unwrap()
}

// CPH B4 III fig 4 notes: "Et område er tæt på at opfylde ledighedskriteriet, hvis det er
// 5 procent-point eller 10 personer fra at opfylde kriterieværdien" — no "mindre end" for
// unemployment: exactly 10 persons away is within. Unemployment: udsat above 40.0 % of
// those aged 18–64; of 100, 41 persons meet it, so 31 are 10 away (31 % is outside the
// 35 % risk zone by share).
#[rstest]
#[case::ten_persons_away_is_within(31, true)]
#[case::eleven_persons_away_is_not(30, false)]
fn area_step_1_unemployment_within_10_persons_cph_b4_iii(
    #[case] persons: u32,
    #[case] expected: bool,
) {
    let mut a = area(
        "A",
        1500,
        Some(Designation::Forebyggelse),
        Some(figures(&format!("{persons}.0"), "0.50", "20.0", "100.0")),
        "40",
    );
    a.counts.unemployment = Some(Count { persons, of: 100 });
    let tightened = tightened_on_area_step_1(a);
    assert_eq!(
        tightened.contains(&trappe_rules::Criterion::Unemployment),
        expected,
        "{tightened:?}"
    );
}

#[test]
fn ten_persons_margin_counts_persons_to_cross_the_threshold() {
    use trappe_rules::criteria::{Comparison, Threshold};
    use trappe_rules::placement::persons_to_meet;
    let above_40 = Threshold {
        value: d("40.0"),
        comparison: Comparison::Above,
    };
    // 390 of 1000 = 39.0 %: 11 more persons make 40.1 % (> 40 %); 10 more make exactly 40 %.
    assert_eq!(
        persons_to_meet(
            Count {
                persons: 390,
                of: 1000
            },
            above_40
        ),
        Some(11)
    );
    assert_eq!(
        persons_to_meet(
            Count {
                persons: 401,
                of: 1000
            },
            above_40
        ),
        Some(0)
    );
    let at_least = Threshold {
        value: d("2.18"),
        comparison: Comparison::AtLeast,
    };
    // 2.18 % of 1000 = 21.8 persons: 22 convicted meet it; with 12, 10 more are needed.
    assert_eq!(
        persons_to_meet(
            Count {
                persons: 12,
                of: 1000
            },
            at_least
        ),
        Some(10)
    );
}

// AAL Røde områder: departments in designated areas are red; the file's yellow rule:
// at least 2 criteria at the forebyggelse thresholds (unemployment > 30.0, …).
#[rstest]
#[case::red_parallelsamfund(Some(Designation::Parallelsamfund), &[], "red")]
#[case::red_forebyggelse(Some(Designation::Forebyggelse), &[], "red")]
#[case::red_udsat_by_interpretation(Some(Designation::Udsat), &[], "red")]
#[case::yellow_two_criteria(Some(Designation::None), &[(0, "30.1"), (2, "60.1")], "yellow")]
#[case::green_at_30_0(Some(Designation::None), &[(0, "30.0"), (2, "60.1")], "green")]
#[case::green_one_criterion(None, &[(3, "64.9")], "green")]
fn aalborg_traffic_light_aal(
    #[case] des: Option<Designation>,
    #[case] changes: &[(usize, &str)],
    #[case] step: &str,
) {
    let areas = [area("A", 1500, des, None, "40")];
    let mut x = dept("d", with(changes), "10.0");
    x.area_id = Some("A".into());
    let r = run("aalborg-2023", &[x], Some(&areas), &[], "2024-03-01").unwrap();
    assert_eq!(r.placements[0].step, step);
}

// AAL Monitorering: "indplaceres samtlige af kommunens boligafdelinger i en
// trappetrinsmodel med røde, gule eller grønne områder"; "Data/monitoreringsværktøj
// opdateres 3 gange årligt af Aalborg Kommune". The municipality's overview is the colour
// in force; before the first one the computed colour is, provisionally; a department the
// latest overview omits has none; without figures, none is computed ("no data").
#[rstest]
#[case::provisional_before_the_first_overview(true, None, "red", "provisional", Some("red"))]
#[case::the_municipalitys_colour(true, Some(("d", "green")), "green", "overview", Some("red"))]
#[case::omitted_from_the_overview(true, Some(("other", "green")), "not-in-overview", "not_in_overview", Some("red"))]
#[case::no_figures_no_overview(false, None, "no-data", "provisional", Some("no-data"))]
#[case::no_figures_coloured_by_the_overview(false, Some(("d", "yellow")), "yellow", "overview", Some("no-data"))]
fn aalborg_the_municipalitys_overview_is_in_force_aal(
    #[case] figures: bool,
    #[case] overview: Option<(&str, &str)>,
    #[case] step: &str,
    #[case] basis: &str,
    #[case] computed: Option<&str>,
) {
    let loaded = load_builtin("aalborg-2023").unwrap();
    let areas = [area("A", 1500, Some(Designation::Forebyggelse), None, "40")];
    let mut x = dept("d", with(&[]), "10.0");
    x.area_id = Some("A".into());
    if !figures {
        x.area_id = None;
        x.figures = None;
    }
    let overview = overview.map(|(id, colour)| trappe_rules::placement::OfficialOverview {
        as_of: date("2024-04-01"),
        steps: [(id.to_string(), colour.to_string())].into_iter().collect(),
    });
    let r = classify(ClassifyInput {
        agreement: &loaded.agreement,
        law: &loaded.law,
        on: date("2024-05-01"),
        data_reference_date: None,
        departments: &[x],
        areas: Some(&areas),
        decisions: &[],
        pools: None,
        any_municipality: false,
        program_version: "test",
        overview: overview.as_ref(),
        standing: None,
    })
    .unwrap();
    let p = &r.placements[0];
    assert_eq!(p.step, step);
    assert_eq!(p.in_force.as_str(), basis);
    assert_eq!(p.computed.as_ref().map(|c| c.step.as_str()), computed);
    // Every step in force has a rule (the synthetic ones with no channel).
    let rule = &loaded.agreement.steps[p.step_rule];
    assert_eq!(rule.step, p.step);
}

// Almenboligloven §61 a/§61 b via CPH B17 fig 1 and B1 fig 1 note.
#[rstest]
#[case::udsat(1000, "41.0", "65.0", "40", 0, Designation::Udsat)]
#[case::udsat_needs_1000_residents(999, "41.0", "65.0", "40", 0, Designation::None)]
#[case::parallelsamfund_over_50(1000, "41.0", "65.0", "50.1", 0, Designation::Parallelsamfund)]
#[case::origin_50_0_is_not_over(1000, "41.0", "65.0", "50.0", 0, Designation::Udsat)]
#[case::omdannelse_after_5_lists(1000, "41.0", "65.0", "60", 4, Designation::Omdannelse)]
#[case::parallelsamfund_on_4th_list(1000, "41.0", "65.0", "60", 3, Designation::Parallelsamfund)]
#[case::forebyggelse(1000, "31.0", "60.1", "30.1", 0, Designation::Forebyggelse)]
#[case::forebyggelse_needs_origin_over_30(1000, "31.0", "60.1", "30.0", 0, Designation::None)]
#[case::forebyggelse_unemployment_30_0(1000, "30.0", "60.1", "40", 0, Designation::None)]
fn state_designation_almenboligloven_61(
    #[case] residents: u32,
    #[case] unemployment: &str,
    #[case] education: &str,
    #[case] nw: &str,
    #[case] prior: u32,
    #[case] expected: Designation,
) {
    let law = load_builtin("copenhagen-2024").unwrap().law;
    let list = law.select(date("2023-01-01")).unwrap().thresholds;
    let af = AreaFigures {
        residents,
        figures: figures(unemployment, "1.0", education, "100"),
        non_western_pct: d(nw),
        prior_parallelsamfund_lists: prior,
    };
    assert_eq!(designate(&af, list).designation, expected);
}

#[test]
fn thresholds_fallback_is_a_warning_and_in_the_receipt() {
    let r = run(
        "copenhagen-2024",
        &[dept("d", with(&[]), "1")],
        Some(&[]),
        &[],
        "2024-03-01",
    )
    .unwrap();
    assert!(r.warnings.contains(&Warning::ThresholdsFallback {
        list_in_force: date("2023-12-01"),
        values_from_list: date("2022-12-01")
    }));
    assert!(r.receipt.thresholds_fallback);
    assert_eq!(r.receipt.thresholds_from_list, date("2022-12-01"));
}

#[test]
fn a_date_outside_the_agreement_is_an_error() {
    let e = run(
        "copenhagen-2024",
        &[dept("d", with(&[]), "1")],
        None,
        &[],
        "2028-01-01",
    )
    .unwrap_err();
    assert!(matches!(e[0], ClassifyError::OutsidePeriod { .. }));
}

#[test]
fn a_department_pointing_to_an_unknown_area_is_an_error() {
    let e = run(
        "copenhagen-2024",
        &[in_area("nowhere")],
        Some(&[]),
        &[],
        "2024-03-01",
    )
    .unwrap_err();
    assert!(matches!(&e[0], ClassifyError::UnknownArea { area, .. } if area == "nowhere"));
}

fn pct_strategy(max: u32) -> impl Strategy<Value = Pct> {
    (0..=max * 10).prop_map(|x| Pct::new(i64::from(x), 1))
}

fn figures_strategy() -> impl Strategy<Value = Figures> {
    (
        pct_strategy(100),
        (0..=500u32).prop_map(|x| Pct::new(i64::from(x), 2)),
        pct_strategy(100),
        pct_strategy(150),
    )
        .prop_map(|(u, c, e, i)| Figures {
            unemployment_pct: u,
            convictions_pct: c,
            primary_education_pct: e,
            income_pct: i,
        })
}

proptest! {
    // Every department gets exactly one placement.
    #[test]
    fn every_department_gets_exactly_one_placement(fs in proptest::collection::vec((figures_strategy(), pct_strategy(100)), 1..40)) {
        let deps: Vec<Department> = fs.iter().enumerate().map(|(i, (f, a))| {
            let mut x = dept(&format!("d{i}"), *f, "0");
            x.allocated_pct = Some(*a);
            x
        }).collect();
        for agreement in ["copenhagen-2024", "aalborg-2023"] {
            let on = if agreement == "aalborg-2023" { "2024-03-01" } else { "2026-03-01" };
            let r = run(agreement, &deps, Some(&[]), &[], on).unwrap();
            prop_assert_eq!(r.placements.len(), deps.len());
            let mut seen: Vec<usize> = r.placements.iter().map(|p| p.department).collect();
            seen.sort_unstable();
            prop_assert_eq!(seen, (0..deps.len()).collect::<Vec<_>>());
        }
    }

    // Worse figures never give a lower step at the same allocated share (CPH 6.2 fig 5).
    #[test]
    fn worse_figures_never_give_a_lower_step(f in figures_strategy(), worse in (0u32..200, 0u32..100, 0u32..200, 0u32..200), a in pct_strategy(100)) {
        let w = Figures {
            unemployment_pct: f.unemployment_pct + Pct::new(i64::from(worse.0), 1),
            convictions_pct: f.convictions_pct + Pct::new(i64::from(worse.1), 2),
            primary_education_pct: f.primary_education_pct + Pct::new(i64::from(worse.2), 1),
            income_pct: (f.income_pct - Pct::new(i64::from(worse.3), 1)).max(Pct::ZERO),
        };
        let a = a.to_string();
        let (s1, _) = cph_one(f, &a);
        let (s2, _) = cph_one(w, &a);
        prop_assert!(s2.parse::<u8>().unwrap() >= s1.parse::<u8>().unwrap(), "{} then {}", s1, s2);
    }
}

/// The reading of the persons margin is the agreement file's, not code's: the shipped
/// file reads "mindre end … 10 personer" [CPH B4 III fig 4 notes] strictly
/// (`"fewer_than"`); an agreement that counts exactly 10 persons as within says
/// `persons_margin_counts = "at_most"`, and then 10 persons away is within, 11 not.
#[rstest]
#[case::ten_persons_away(1.20, 12, true)]
#[case::eleven_persons_away(1.10, 11, false)]
fn the_persons_margin_reading_is_the_files(
    #[case] share: f64,
    #[case] persons: u32,
    #[case] expected: bool,
) {
    let text = trappe_formats::agreement_file::BUILTIN_AGREEMENTS[0]
        .1
        .replacen(
            "persons_margin_counts = { value = \"fewer_than\"",
            "persons_margin_counts = { value = \"at_most\"",
            1,
        );
    let agreement = trappe_formats::agreement_file::parse_agreement(&text, "at-most.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let law = load_builtin("copenhagen-2024").unwrap().law;
    let mut a = area(
        "A",
        1500,
        Some(Designation::Forebyggelse),
        Some(figures("10.0", &format!("{share:.2}"), "20.0", "100.0")),
        "40",
    );
    a.counts.convictions = Some(Count { persons, of: 1000 });
    let r = run_with(
        &agreement,
        &law,
        &[in_area("A")],
        Some(&[a]),
        &[],
        "2024-03-01",
    )
    .unwrap();
    let tightened = r.placements[0].tightened_criteria.clone().unwrap();
    assert_eq!(
        tightened.contains(&trappe_rules::Criterion::Convictions),
        expected,
        "{tightened:?}"
    );
}

/// An agreement built in code without the table its model needs is an error naming the
/// table, not a crash (the file checker requires [risk_zone] for the staircases).
#[test]
fn a_model_without_its_table_is_an_error_not_a_crash() {
    let loaded = load_builtin("copenhagen-2024").unwrap();
    let mut agreement = loaded.agreement.clone();
    agreement.risk_zone = None;
    let a = area(
        "A",
        1500,
        Some(Designation::Forebyggelse),
        Some(figures("10.0", "1.20", "20.0", "100.0")),
        "40",
    );
    let r = run_with(
        &agreement,
        &loaded.law,
        &[in_area("A")],
        Some(&[a]),
        &[],
        "2024-03-01",
    );
    match r {
        Err(errors) => assert!(
            errors.contains(&ClassifyError::MissingTable { table: "risk_zone" }),
            "{errors:?}"
        ),
        Ok(_) => panic!("classified without a risk zone"),
    }
}

// ---------------------------------------------------------------------------------------
// The placement in force as a decision [CPH 6.2, CPH 6.1.5].

use std::collections::HashMap;
use trappe_rules::agreement::Staircase;
use trappe_rules::placement::{
    DecisionRef, InForce, PlacementDecision, Previous, Standing, StandingPlacement,
};

/// What stood before, for one department "d".
#[derive(Clone, Copy, Debug)]
enum Before {
    /// Nothing: the first placement of the period.
    Nothing,
    /// Held on department step `step` since 1 March 2024.
    Held(&'static str),
    /// Approved on department step `step`.
    Approved(&'static str),
    /// On area step `step`, computed (with the tightened criteria of then).
    Area(&'static str),
    /// On area step 1, awaiting the municipality's decision.
    Awaiting,
    /// On department step `step`, in force as computed (stored before the agreement held
    /// its placements).
    Computed(&'static str),
}

fn samarbejdsforum(from: &str) -> DecisionRef {
    DecisionRef {
        from: date(from),
        decided_by: "Samarbejdsforum".into(),
        decided_on: date("2026-04-20"),
        reference: "SF 2026-04, pkt. 5".into(),
    }
}

fn standing(before: Before, decision: Option<PlacementDecision>) -> Standing {
    let placed = |staircase, step: &str, in_force, tightened| StandingPlacement {
        staircase,
        step: step.into(),
        need: None,
        allocated_band: None,
        pool_id: None,
        tightened_criteria: tightened,
        in_force,
    };
    let since = date("2024-03-01");
    let p = match before {
        Before::Nothing => None,
        Before::Held(s) => Some(placed(
            Staircase::Department,
            s,
            InForce::Held { since },
            None,
        )),
        Before::Approved(s) => Some(placed(
            Staircase::Department,
            s,
            InForce::Approved {
                decision: samarbejdsforum("2026-05-01"),
            },
            None,
        )),
        Before::Area(s) => Some(placed(
            Staircase::Area,
            s,
            InForce::Computed,
            Some(vec![trappe_rules::Criterion::Unemployment]),
        )),
        Before::Computed(s) => Some(placed(Staircase::Department, s, InForce::Computed, None)),
        Before::Awaiting => Some(placed(
            Staircase::Area,
            "1",
            InForce::AwaitingDecision { since },
            Some(Vec::new()),
        )),
    };
    Standing {
        previous: p.map(|p| Previous {
            on: since,
            placements: HashMap::from([("d".to_string(), p)]),
        }),
        decisions: decision.into_iter().collect(),
    }
}

/// Copenhagen's classification on 1 May 2026 of `deps` in `areas`, with what stood before.
fn with_standing(
    deps: &[Department],
    areas: &[Area],
    s: &Standing,
) -> Result<Classification, Vec<ClassifyError>> {
    let loaded = load_builtin("copenhagen-2024").unwrap();
    classify(ClassifyInput {
        agreement: &loaded.agreement,
        law: &loaded.law,
        on: date("2026-05-01"),
        data_reference_date: None,
        departments: deps,
        areas: Some(areas),
        decisions: &[],
        pools: None,
        any_municipality: false,
        overview: None,
        standing: Some(s),
        program_version: "test",
    })
}

/// High need, allocated share ≥ 25 %: department step 4 (CPH 6.2 fig 5).
fn step_4_figures() -> Figures {
    with(&[(0, "45.0"), (2, "65.0")])
}

/// The department "d": in area "A" when `designation` is given (forebyggelse figures
/// challenge it on unemployment), on the department staircase otherwise; `figures`
/// false: the departments file gives it none.
fn standing_case(
    before: Before,
    designation: Option<Designation>,
    figures: bool,
    decision: Option<PlacementDecision>,
) -> trappe_rules::Placement {
    let mut x = dept("d", step_4_figures(), "30.0");
    if !figures {
        x.figures = None;
        x.allocated_pct = None;
    }
    x.area_id = Some("A".into());
    let a = area(
        "A",
        1500,
        Some(designation.unwrap_or(Designation::None)),
        Some(figures_for_unemployment_challenge()),
        "40",
    );
    let s = standing(before, decision);
    let r = with_standing(&[x], &[a], &s).unwrap_or_else(|e| panic!("{e:?}"));
    r.placements.into_iter().next().unwrap()
}

/// An area inside the risk zone on unemployment only (36 % > 35 %).
fn figures_for_unemployment_challenge() -> Figures {
    figures("36.0", "0.50", "20.0", "100.0")
}

fn approval(step: &str) -> PlacementDecision {
    PlacementDecision {
        decision: samarbejdsforum("2026-05-01"),
        steps: HashMap::from([("d".to_string(), step.to_string())]),
        criteria: HashMap::new(),
    }
}

fn criteria_decision(c: Vec<trappe_rules::Criterion>) -> PlacementDecision {
    PlacementDecision {
        decision: DecisionRef {
            from: date("2026-05-01"),
            decided_by: "Københavns Kommune".into(),
            decided_on: date("2026-04-15"),
            reference: "KK 2026-123".into(),
        },
        steps: HashMap::new(),
        criteria: HashMap::from([("d".to_string(), c)]),
    }
}

// CPH 6.2: "De socioøkonomiske nøgletal og anvisningsdata genberegnes midtvejs i
// aftaleperioden, så der kan ske omplacering på afdelingstrappen i foråret 2026. Forslag
// til omplacering forelægges Samarbejdsforum til godkendelse." The department staircase
// holds until an approval; a computation that differs is kept beside it as the proposal
// (one that confirms it is the placement's own explanation: `None`). "Omplacering på
// områdetrappen sker årligt ved den statslige udpegning pr. 1. december" (CPH B17): the
// area staircase follows the list at once.
#[rstest]
#[case::the_first_placement_is_held_from_its_date(
    Before::Nothing,
    None,
    "department",
    "4",
    "held",
    None
)]
#[case::a_held_step_1_stays_while_the_figures_say_4(
    Before::Held("1"),
    None,
    "department",
    "1",
    "held",
    Some("4")
)]
#[case::an_approval_moves_it(Before::Held("1"), Some("4"), "department", "4", "approved", None)]
#[case::samarbejdsforum_may_approve_another_step(
    Before::Held("1"),
    Some("3"),
    "department",
    "3",
    "approved",
    Some("4")
)]
#[case::an_approved_step_holds_in_turn(
    Before::Approved("2"),
    None,
    "department",
    "2",
    "approved",
    Some("4")
)]
#[case::a_placement_in_force_as_computed_is_held(
    Before::Computed("1"),
    None,
    "department",
    "1",
    "held",
    Some("4")
)]
fn the_department_staircase_holds_until_approved_cph_6_2(
    #[case] before: Before,
    #[case] approved: Option<&str>,
    #[case] staircase: &str,
    #[case] step: &str,
    #[case] basis: &str,
    #[case] computed: Option<&str>,
) {
    let p = standing_case(before, None, true, approved.map(approval));
    assert_eq!(
        (p.staircase.as_str(), p.step.as_str(), p.in_force.as_str()),
        (staircase, step, basis)
    );
    assert_eq!(p.computed.as_ref().map(|c| c.step.as_str()), computed);
    if let InForce::Held { since } = p.in_force {
        let expected = match before {
            Before::Nothing => date("2026-05-01"),
            _ => date("2024-03-01"),
        };
        assert_eq!(since, expected);
    }
}

// CPH 6.1.5: "Afdelinger i områder, der nyudpeges som udsatte områder … udlejer straks
// alle ledige familieboliger efter principperne for trin 2 på områdetrappen": a held
// department whose area is designated moves to the area staircase at once, approval or not.
#[rstest]
#[case::newly_udsat(Designation::Udsat, "2")]
#[case::newly_omdannelse(Designation::Omdannelse, "2")]
fn a_designated_area_moves_at_once_cph_6_1_5(#[case] des: Designation, #[case] step: &str) {
    let p = standing_case(Before::Held("1"), Some(des), true, None);
    assert_eq!(
        (p.staircase.as_str(), p.step.as_str(), p.in_force.as_str()),
        ("area", step, "computed")
    );
}

// CPH 6.1.5: "Hvis et område ikke længere er udpeget som udsat boligområde eller
// forebyggelsesområde videreføres den hidtidige udlejning, indtil de enkelte afdelingers
// data er opgjort, og en revideret udlejning ud fra afdelingsdata kan træde i kraft."
#[rstest]
#[case::left_without_data_continues(Before::Area("2"), false, "area", "2", "continued")]
#[case::left_from_step_1_without_data_continues(Before::Area("1"), false, "area", "1", "continued")]
#[case::left_with_data_is_placed_by_it(Before::Area("2"), true, "department", "4", "held")]
fn an_area_that_leaves_the_lists_keeps_its_letting_until_department_data_cph_6_1_5(
    #[case] before: Before,
    #[case] figures: bool,
    #[case] staircase: &str,
    #[case] step: &str,
    #[case] basis: &str,
) {
    let p = standing_case(before, None, figures, None);
    assert_eq!(
        (p.staircase.as_str(), p.step.as_str(), p.in_force.as_str()),
        (staircase, step, basis)
    );
    if basis == "continued" {
        // The letting of before: area step 1 keeps its tightened criteria too.
        let before_criteria = match before {
            Before::Area("1") | Before::Area("2") => {
                Some(vec![trappe_rules::Criterion::Unemployment])
            }
            _ => None,
        };
        assert_eq!(p.tightened_criteria, before_criteria);
        assert!(p.computed.is_none(), "nothing can be computed without data");
    }
}

/// Without a placement before the area left (the first placement of the period), missing
/// figures are the error they always were.
#[test]
fn without_a_placement_before_missing_figures_stay_an_error() {
    let mut x = dept("d", step_4_figures(), "30.0");
    x.figures = None;
    let r = with_standing(&[x], &[], &Standing::default());
    assert!(
        matches!(r, Err(ref e) if matches!(e[0], ClassifyError::MissingFigures { .. })),
        "{r:?}"
    );
}

// CPH 6.1.5: "Afdelinger i områder, der nyudpeges som forebyggelsesområder, udlejer straks
// alle ledige familieboliger efter almindelige fleksible kriterier om beskæftigelse og
// uddannelse. Det afklares snarest muligt af kommunen, om en afdeling i et
// forebyggelsesområde skal benytte skærpede kriterier". The areas of the period's start
// (and those on the step before) apply the risk zone's criteria; a newly designated one
// lets by the ordinary criteria until the municipality's recorded decision.
#[rstest]
#[case::on_step_1_from_the_start(Before::Area("1"), None, "computed", Some(vec![trappe_rules::Criterion::Unemployment]))]
#[case::first_placement_of_the_period(Before::Nothing, None, "computed", Some(vec![trappe_rules::Criterion::Unemployment]))]
#[case::newly_designated_from_the_department_staircase(Before::Held("1"), None, "awaiting_decision", Some(vec![]))]
#[case::newly_designated_from_area_step_2(Before::Area("2"), None, "awaiting_decision", Some(vec![]))]
#[case::still_awaiting(Before::Awaiting, None, "awaiting_decision", Some(vec![]))]
#[case::decided_as_proposed(Before::Awaiting, Some(vec![trappe_rules::Criterion::Unemployment]), "decided", Some(vec![trappe_rules::Criterion::Unemployment]))]
#[case::decided_none(Before::Held("1"), Some(vec![]), "decided", Some(vec![]))]
fn a_newly_designated_prevention_area_awaits_the_municipality_cph_6_1_5(
    #[case] before: Before,
    #[case] decided: Option<Vec<trappe_rules::Criterion>>,
    #[case] basis: &str,
    #[case] in_force: Option<Vec<trappe_rules::Criterion>>,
) {
    let p = standing_case(
        before,
        Some(Designation::Forebyggelse),
        true,
        decided.map(criteria_decision),
    );
    assert_eq!((p.staircase.as_str(), p.step.as_str()), ("area", "1"));
    assert_eq!(p.in_force.as_str(), basis);
    assert_eq!(p.tightened_criteria, in_force);
    if basis != "computed" {
        // The risk zone's result is kept beside it as the proposal.
        assert_eq!(
            p.computed
                .as_ref()
                .and_then(|c| c.tightened_criteria.clone()),
            Some(vec![trappe_rules::Criterion::Unemployment])
        );
    }
}

/// "Nyudpeges" is the area's [CPH 6.1.5]: a department new in the data, in an area whose
/// other departments were on the prevention step before, applies the risk zone's criteria
/// at once; in an area none of whose departments were, it awaits the decision.
#[rstest]
#[case::its_area_was_on_the_step(true, "computed")]
#[case::its_area_was_not(false, "awaiting_decision")]
fn a_new_department_is_newly_designated_only_with_its_area_cph_6_1_5(
    #[case] area_on_step_1_before: bool,
    #[case] basis: &str,
) {
    let mut x = dept("d", step_4_figures(), "30.0");
    x.area_id = Some("A".into());
    let mut old = dept("e", step_4_figures(), "30.0");
    old.area_id = Some("A".into());
    let a = area(
        "A",
        1500,
        Some(Designation::Forebyggelse),
        Some(figures_for_unemployment_challenge()),
        "40",
    );
    let before = StandingPlacement {
        staircase: if area_on_step_1_before {
            Staircase::Area
        } else {
            Staircase::Department
        },
        step: "1".into(),
        need: None,
        allocated_band: None,
        pool_id: None,
        tightened_criteria: area_on_step_1_before
            .then(|| vec![trappe_rules::Criterion::Unemployment]),
        in_force: InForce::Computed,
    };
    let s = Standing {
        previous: Some(Previous {
            on: date("2024-03-01"),
            placements: HashMap::from([("e".to_string(), before)]),
        }),
        decisions: Vec::new(),
    };
    let r = with_standing(&[x, old], &[a], &s).unwrap();
    assert_eq!(r.placements[0].in_force.as_str(), basis);
}
