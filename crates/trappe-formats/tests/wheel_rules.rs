//! The letting-wheel rules, pinned case by case against the shipped Copenhagen
//! agreement file (`agreements/copenhagen-2024.toml`). Each test names the rule it
//! pins and cites the section of the source document; the expected values are worked
//! out from the agreement file (its `[[wheel]]`s and `[letting]` section), not copied
//! from the implementation.

use std::sync::OnceLock;

use proptest::prelude::*;
use rstest::rstest;

use trappe_formats::load_builtin;
use trappe_rules::agreement::Channel::{
    Flexible as FX, MunicipalAllocation as MA, UrbanRenewal as UR, WaitingList as WL,
};
use trappe_rules::agreement::{Agreement, Channel, Staircase};
use trappe_rules::wheel::{
    assign, exceeds_every_nth, phase_out_start, preview, Assignment, EpisodeEntry, Home, HomeKind,
    HomeSpecial, LettingReason, LettingRules, NewBuildFacts, PreviewRow, VacancyFacts, WheelError,
    WheelState,
};
use trappe_rules::{Date, Pct};

use trappe_rules::agreement::Staircase::{Area, Department};

// ---------------------------------------------------------------------------
// Helpers

fn cph() -> &'static Agreement {
    static CPH: OnceLock<Agreement> = OnceLock::new();
    CPH.get_or_init(|| load_builtin("copenhagen-2024").unwrap().agreement)
}

fn rules() -> &'static LettingRules {
    cph()
        .letting
        .as_ref()
        .expect("copenhagen-2024 has a [letting] section")
}

fn d(s: &str) -> Pct {
    s.parse().unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// A plain family home: no special rules.
fn family() -> Home {
    Home {
        department_id: "dep".into(),
        id: "h1".into(),
        address: "Testvej 1, 1. tv.".into(),
        kind: HomeKind::Family,
        accessibility: false,
        disability_fitted: None,
        special: None,
        special_since: None,
        cheap: false,
        first_use: None,
        shared_kitchen: None,
    }
}

/// The owned facts of one vacancy; `run` lends them to `assign`.
struct V {
    agreement: &'static Agreement,
    on: Date,
    staircase: Staircase,
    step: String,
    mainly_youth: bool,
    home: Home,
    first_letting: bool,
    state: WheelState,
    organisation_choice: Option<Channel>,
    organisation_criteria: Option<String>,
    exempt_from_extra: bool,
    safeguard: bool,
    kitchen_has_allocated_tenant: bool,
    new_build: Option<NewBuildFacts>,
    start_placement: Option<(Staircase, String, Option<Pct>)>,
}

impl V {
    /// A plain family home in a department on `staircase` step `step`, vacant on
    /// `on`, with a fresh wheel state.
    fn new(staircase: Staircase, step: &str, on: &str) -> V {
        V {
            agreement: cph(),
            on: date(on),
            staircase,
            step: step.into(),
            mainly_youth: false,
            home: family(),
            first_letting: false,
            state: WheelState::default(),
            organisation_choice: None,
            organisation_criteria: None,
            exempt_from_extra: false,
            safeguard: false,
            kitchen_has_allocated_tenant: false,
            new_build: None,
            start_placement: None,
        }
    }

    fn dept(step: &str, on: &str) -> V {
        V::new(Department, step, on)
    }

    /// The wheel stands on `key` with `position` vacancies already let on it.
    fn at(mut self, key: &str, position: u64) -> V {
        self.state.key = Some(key.into());
        self.state.next_position = position;
        self
    }

    /// The department's own staircase wheel, at `position`.
    fn at_own(self, position: u64) -> V {
        let key = format!("{}:{}", self.staircase.as_str(), self.step);
        self.at(&key, position)
    }

    fn try_run(&self) -> Result<Assignment, WheelError> {
        assign(
            self.agreement,
            &VacancyFacts {
                on: self.on,
                staircase: self.staircase,
                step: &self.step,
                mainly_youth: self.mainly_youth,
                home: &self.home,
                first_letting: self.first_letting,
                state: &self.state,
                organisation_choice: self.organisation_choice,
                organisation_criteria: self.organisation_criteria.clone(),
                exempt_from_extra: self.exempt_from_extra,
                safeguard: self.safeguard,
                kitchen_has_allocated_tenant: self.kitchen_has_allocated_tenant,
                new_build: self.new_build,
                start_placement: self.start_placement.clone(),
                decided_share: None,
                allocation_suspended_by: None,
            },
        )
    }

    fn run(&self) -> Assignment {
        self.try_run().unwrap()
    }
}

fn staircase(s: &str) -> Staircase {
    match s {
        "area" => Area,
        "department" => Department,
        other => panic!("staircase {other}"),
    }
}

/// (waiting list, flexible, allocation, urban renewal) among some channels.
fn count(channels: impl IntoIterator<Item = Option<Channel>>) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, 0);
    for ch in channels {
        match ch {
            Some(WL) => c.0 += 1,
            Some(FX) => c.1 += 1,
            Some(MA) => c.2 += 1,
            Some(UR) => c.3 += 1,
            None => panic!("a wheel vacancy without a channel"),
        }
    }
    c
}

fn count_rows(rows: &[PreviewRow]) -> (usize, usize, usize, usize) {
    count(rows.iter().map(|r| Some(r.channel)))
}

fn has_reason(a: &Assignment, pred: impl Fn(&LettingReason) -> bool) -> bool {
    a.reasons.iter().any(pred)
}

/// Every wheel of the file, on a date in each of its periods.
const WHEELS: [(Staircase, &str, &str); 12] = [
    (Area, "1", "2025-06-01"),
    (Area, "1", "2026-06-01"),
    (Area, "2", "2025-06-01"),
    (Area, "2", "2026-06-01"),
    (Department, "1", "2025-06-01"),
    (Department, "1", "2026-06-01"),
    (Department, "2", "2025-06-01"),
    (Department, "2", "2026-06-01"),
    (Department, "3", "2025-06-01"),
    (Department, "3", "2026-06-01"),
    (Department, "4", "2025-06-01"),
    (Department, "4", "2026-06-01"),
];

// ---------------------------------------------------------------------------
// 1. Wheel fractions [CPH 6.1, 6.2 figs 6–9, B4 III]

/// Over 18 vacancies (two rounds of nine, so the "+1/18" alternating slots come out
/// exactly) a fresh wheel gives each channel exactly the agreement's share.
#[rstest]
// CPH 6.1.2, B4 III fig 3 — area 1: allocation in slots 1, 4, 7 = 3/9, flexible
// (tightened criteria) 6/9. Over 18: 6 allocation, 12 flexible.
#[case::area_1_2025("area", "1", "2025-06-01", (0, 12, 6, 0), Some("tightened:relevant"))]
#[case::area_1_2026("area", "1", "2026-06-01", (0, 12, 6, 0), Some("tightened:relevant"))]
// CPH 6.1.3, B4 III fig 4 — area 2: allocation suspended, 9/9 flexible with all the
// tightened criteria. Over 18: 18 flexible.
#[case::area_2_2025("area", "2", "2025-06-01", (0, 18, 0, 0), Some("tightened:all"))]
#[case::area_2_2026("area", "2", "2026-06-01", (0, 18, 0, 0), Some("tightened:all"))]
// CPH 6.2.1 fig 6, B4 III trin 1 — with the organisation's first option (waiting list)
// on the "or" slots 1, 4, 8: waiting list slots 1, 2, 4, 5, 8 = 5/9, allocation slots
// 3, 6, 7 (the lent ninth), 9 = 3/9 + 1/9 = 4/9. Over 18: 10 waiting list, 8 allocation.
#[case::dept_1_2025("department", "1", "2025-06-01", (10, 0, 8, 0), None)]
#[case::dept_1_2026("department", "1", "2026-06-01", (10, 0, 8, 0), None)]
// CPH 6.2.2 fig 7, B4 III trin 2 (2024–2025) — waiting list 1/9 + 1/9 (slots 2, 9),
// flexible 4/9 (1, 4, 5, 7), allocation 3/9 (3, 6, 8). Over 18: 4, 8, 6.
#[case::dept_2_2025("department", "2", "2025-06-01", (4, 8, 6, 0), Some("A"))]
// CPH 6.2.2 fig 7, B4 III trin 2 (2026–2027) — slot 9 alternates waiting list / allocation:
// waiting list 1/9 + 1/18 → 2 + 1 = 3, flexible 4/9 → 8, allocation 3/9 + 1/18 → 6 + 1 = 7.
#[case::dept_2_2026("department", "2", "2026-06-01", (3, 8, 7, 0), Some("A"))]
// CPH 6.2.3 fig 8, B4 III trin 3 (2024–2025) — flexible 6/9 + 1/9 = 7/9 → 14,
// allocation 2/9 (slots 3, 6) → 4.
#[case::dept_3_2025("department", "3", "2025-06-01", (0, 14, 4, 0), Some("A"))]
// CPH 6.2.3 fig 8 (2026–2027) — slot 9 alternates flexible / allocation: flexible
// 6/9 + 1/18 → 12 + 1 = 13, allocation 2/9 + 1/18 → 4 + 1 = 5.
#[case::dept_3_2026("department", "3", "2026-06-01", (0, 13, 5, 0), Some("A"))]
// CPH 6.2.4 fig 9, B4 III trin 4 (2024–2027) — flexible 7/9 + 1/18 → 14 + 1 = 15,
// allocation 1/9 + 1/18 (slot 3, slot 9 every other round) → 2 + 1 = 3.
#[case::dept_4_2025("department", "4", "2025-06-01", (0, 15, 3, 0), Some("A"))]
#[case::dept_4_2026("department", "4", "2026-06-01", (0, 15, 3, 0), Some("A"))]
fn wheel_fractions_over_18_vacancies(
    #[case] st: &str,
    #[case] step: &str,
    #[case] on: &str,
    #[case] expected: (usize, usize, usize, usize),
    #[case] flexible_criteria: Option<&str>,
) {
    let rows = preview(cph(), staircase(st), step, date(on), 18, None).unwrap();
    assert_eq!(rows.len(), 18);
    assert_eq!(count_rows(&rows), expected, "{st} {step} on {on}");
    for r in &rows {
        if r.channel == FX {
            assert_eq!(r.criteria.as_deref(), flexible_criteria, "row {}", r.n);
        } else {
            assert_eq!(r.criteria, None, "row {}", r.n);
        }
    }
}

/// Dept 1 with the organisation's recorded choice of flexible letting on the "or"
/// slots [CPH 6.2.1 fig 6, B4 III trin 1]: waiting list only slots 2, 5 = 2/9 (the
/// "at least 2/9"), flexible slots 1, 4, 8 = 3/9 (the "at most 3/9"), allocation 4/9.
/// Over 18: 4 waiting list, 6 flexible, 8 allocation; slot 4 uses criteria B only.
#[rstest]
#[case::y2025("2025-06-01")]
#[case::y2026("2026-06-01")]
fn dept_1_organisation_choice_of_flexible(#[case] on: &str) {
    let rows = preview(cph(), Department, "1", date(on), 18, Some(FX)).unwrap();
    assert_eq!(count_rows(&rows), (4, 6, 8, 0));
    let flexible: Vec<(u32, Option<&str>)> = rows
        .iter()
        .filter(|r| r.channel == FX)
        .map(|r| (r.slot, r.criteria.as_deref()))
        .collect();
    assert_eq!(
        flexible,
        vec![
            (1, Some("A|B")),
            (4, Some("B")),
            (8, Some("A|B")),
            (1, Some("A|B")),
            (4, Some("B")),
            (8, Some("A|B")),
        ]
    );
}

/// Every wheel has nine slots [CPH B4 III]; vacancy n takes slot ((n − 1) mod 9) + 1.
#[test]
fn wheel_slots_cycle_one_to_nine() {
    for (st, step, on) in WHEELS {
        let rows = preview(cph(), st, step, date(on), 40, None).unwrap();
        assert_eq!(rows.len(), 40);
        for (i, r) in rows.iter().enumerate() {
            assert_eq!(r.n, i as u64 + 1, "{st:?} {step} {on}");
            assert_eq!(r.slot, (i % 9) as u32 + 1, "{st:?} {step} {on} n={}", r.n);
        }
    }
}

/// The alternating ("på skift") slot 9 uses its first choice on odd rounds and its
/// second on even rounds [CPH B4 III]; plain slots 9 never switch.
#[rstest]
// B4 III trin 2 (2026–2027): waiting list / allocation.
#[case::dept_2_2026("2", "2026-06-01", [WL, MA, WL, MA])]
// B4 III trin 2 (2024–2025): a plain waiting-list slot.
#[case::dept_2_2025("2", "2025-06-01", [WL, WL, WL, WL])]
// B4 III trin 3 (2026–2027): flexible / allocation.
#[case::dept_3_2026("3", "2026-06-01", [FX, MA, FX, MA])]
// B4 III trin 3 (first column, 2024–2025): a plain flexible slot.
#[case::dept_3_2025("3", "2025-06-01", [FX, FX, FX, FX])]
// B4 III trin 4: flexible / allocation throughout 2024–2027.
#[case::dept_4_2025("4", "2025-06-01", [FX, MA, FX, MA])]
#[case::dept_4_2026("4", "2026-06-01", [FX, MA, FX, MA])]
fn alternating_slot_9_switches_by_round(
    #[case] step: &str,
    #[case] on: &str,
    #[case] expected: [Channel; 4],
) {
    let rows = preview(cph(), Department, step, date(on), 36, None).unwrap();
    let slot9: Vec<Channel> = rows
        .iter()
        .filter(|r| r.slot == 9)
        .map(|r| r.channel)
        .collect();
    assert_eq!(slot9, expected.to_vec());
    // The same through `assign`: positions 8, 17, 26, 35 are slot 9 of rounds 1–4.
    for (round, want) in expected.iter().enumerate() {
        let a = V::dept(step, on).at_own(round as u64 * 9 + 8).run();
        let w = a.wheel.as_ref().unwrap();
        assert_eq!((w.slot, w.round), (9, round as u64 + 1));
        assert_eq!(a.channel, Some(*want), "round {}", round + 1);
    }
}

proptest! {
    /// The shares hold wherever one starts counting: any 18 consecutive vacancies (two
    /// full rounds) give the same counts per channel as the first 18 [CPH B4 III].
    /// Offsets run over three whole 18-cycles (0..54), which includes every start 0..18.
    #[test]
    fn any_18_consecutive_vacancies_have_the_same_counts(
        wheel in 0usize..WHEELS.len(),
        offset in 0u64..54,
        flexible_choice in any::<bool>(),
    ) {
        let (st, step, on) = WHEELS[wheel];
        let choice = flexible_choice.then_some(FX);
        let rows = preview(cph(), st, step, date(on), offset + 18, choice).unwrap();
        let start = usize::try_from(offset).unwrap();
        prop_assert_eq!(count_rows(&rows[start..]), count_rows(&rows[..18]));
    }
}

// ---------------------------------------------------------------------------
// 2. `assign`: the wheel position [CPH B4 III]

/// A fresh wheel state starts at slot 1 of round 1, without a restart reason.
#[rstest]
#[case::area_1("area", "1", "2025-06-01", MA, None, vec![FX], "CPH B4 III fig 3 (områdetrappen trin 1)")]
#[case::area_2("area", "2", "2025-06-01", FX, Some("tightened:all"), vec![], "CPH B4 III fig 4 (områdetrappen trin 2)")]
#[case::dept_2_2025("department", "2", "2025-06-01", FX, Some("A"), vec![], "CPH B4 III trin 2 (2024–2025)")]
#[case::dept_2_2026("department", "2", "2026-06-01", FX, Some("A"), vec![], "CPH B4 III trin 2 (2026–2027)")]
#[case::dept_3("department", "3", "2025-06-01", FX, Some("A"), vec![], "CPH B4 III trin 3 (first column)")]
#[case::dept_4("department", "4", "2025-06-01", FX, Some("A"), vec![], "CPH B4 III trin 4")]
fn fresh_wheel_starts_at_slot_1(
    #[case] st: &str,
    #[case] step: &str,
    #[case] on: &str,
    #[case] channel: Channel,
    #[case] criteria: Option<&str>,
    #[case] fallback: Vec<Channel>,
    #[case] source: &str,
) {
    let a = V::new(staircase(st), step, on).run();
    let key = format!("{st}:{step}");
    assert_eq!(a.channel, Some(channel));
    assert_eq!(a.criteria.as_deref(), criteria);
    assert_eq!(a.fallback, fallback);
    let w = a.wheel.as_ref().unwrap();
    assert_eq!(w.key, key);
    assert_eq!((w.position, w.slot, w.round, w.slots), (0, 1, 1, 9));
    assert_eq!(w.source, source);
    assert!(!a.used_disability_credit && !a.gives_disability_credit && !a.accessibility_home);
    assert_eq!(
        a.reasons,
        vec![LettingReason::WheelSlot {
            wheel: key,
            slot: 1,
            round: 1,
            channel,
            criteria: criteria.map(String::from),
            alternating: false,
            source: source.into(),
        }]
    );
}

/// Dept 1 slot 1 is the organisation's choice [CPH 6.2.1 fig 6, B4 III trin 1]: its
/// first option (waiting list) unless it recorded flexible letting.
#[rstest]
#[case::not_recorded(None, WL, None, false)]
#[case::recorded_waiting_list(Some(WL), WL, None, true)]
#[case::recorded_flexible(Some(FX), FX, Some("A|B"), true)]
fn dept_1_slot_1_is_the_organisations_choice(
    #[case] recorded: Option<Channel>,
    #[case] channel: Channel,
    #[case] criteria: Option<&str>,
    #[case] was_recorded: bool,
) {
    let mut v = V::dept("1", "2025-06-01");
    v.organisation_choice = recorded;
    let a = v.run();
    assert_eq!(a.channel, Some(channel));
    assert_eq!(a.criteria.as_deref(), criteria);
    assert_eq!(
        a.reasons.last(),
        Some(&LettingReason::OrganisationChoice {
            chosen: channel,
            recorded: was_recorded,
            criteria_not_offered: None,
        })
    );
}

/// On the same wheel key the position continues: position p is slot (p mod 9) + 1 of
/// round ⌊p / 9⌋ + 1 [CPH B4 III].
#[rstest]
// B4 III trin 2 (2024–2025): 1 F, 2 W, 3 A, 4 F, 5 F, 6 A, 7 F, 8 A, 9 W.
#[case::dept_2_pos_1("2", "2025-06-01", 1, 2, 1, WL, vec![])]
#[case::dept_2_pos_2("2", "2025-06-01", 2, 3, 1, MA, vec![UR, WL])]
#[case::dept_2_pos_7("2", "2025-06-01", 7, 8, 1, MA, vec![UR, WL])]
#[case::dept_2_pos_8("2", "2025-06-01", 8, 9, 1, WL, vec![])]
#[case::dept_2_pos_9("2", "2025-06-01", 9, 1, 2, FX, vec![])]
#[case::dept_2_pos_17("2", "2025-06-01", 17, 9, 2, WL, vec![])]
#[case::dept_2_pos_1000("2", "2025-06-01", 1000, 2, 112, WL, vec![])]
// B4 III trin 2 (2026–2027): slot 9 alternates waiting list / allocation.
#[case::dept_2_2026_pos_8("2", "2026-06-01", 8, 9, 1, WL, vec![])]
#[case::dept_2_2026_pos_17("2", "2026-06-01", 17, 9, 2, MA, vec![UR, WL])]
#[case::dept_2_2026_pos_26("2", "2026-06-01", 26, 9, 3, WL, vec![])]
// B4 III trin 3 and 4: the allocation fallback is urban renewal, then flexible.
#[case::dept_3_pos_5("3", "2025-06-01", 5, 6, 1, MA, vec![UR, FX])]
#[case::dept_4_pos_2("4", "2025-06-01", 2, 3, 1, MA, vec![UR, FX])]
#[case::dept_4_pos_17("4", "2025-06-01", 17, 9, 2, MA, vec![UR, FX])]
#[case::dept_4_pos_18("4", "2025-06-01", 18, 1, 3, FX, vec![])]
fn position_continues_on_the_same_wheel(
    #[case] step: &str,
    #[case] on: &str,
    #[case] position: u64,
    #[case] slot: u32,
    #[case] round: u64,
    #[case] channel: Channel,
    #[case] fallback: Vec<Channel>,
) {
    let a = V::dept(step, on).at_own(position).run();
    let w = a.wheel.as_ref().unwrap();
    assert_eq!(w.key, format!("department:{step}"));
    assert_eq!((w.position, w.slot, w.round), (position, slot, round));
    assert_eq!(a.channel, Some(channel));
    assert_eq!(a.fallback, fallback);
    assert!(!has_reason(&a, |r| matches!(
        r,
        LettingReason::WheelRestarted { .. }
    )));
    assert!(has_reason(&a, |r| matches!(
        r,
        LettingReason::WheelSlot { slot: s, round: n, channel: c, .. } if *s == slot && *n == round && *c == channel
    )));
}

/// A department that changes wheel key starts the new wheel at slot 1 of round 1, and
/// says so [CPH B4 III]; the key includes the staircase.
#[rstest]
#[case::from_dept_3("department:3")]
#[case::from_dept_1("department:1")]
#[case::from_area_2_same_step_number("area:2")]
#[case::from_youth("youth")]
#[case::from_new_build("new_build:below_10")]
#[case::from_first_letting("new_build:first_letting")]
fn wheel_restarts_when_the_key_differs(#[case] previous: &str) {
    let a = V::dept("2", "2025-06-01").at(previous, 7).run();
    let w = a.wheel.as_ref().unwrap();
    assert_eq!(w.key, "department:2");
    assert_eq!((w.position, w.slot, w.round), (0, 1, 1));
    assert_eq!(a.channel, Some(FX));
    assert_eq!(
        a.reasons[0],
        LettingReason::WheelRestarted {
            previous: Some(previous.into()),
            now: "department:2".into(),
        }
    );
}

/// Dept 2 changes its wheel on 1 January 2026 [CPH 6.2.2 fig 7, B4 III trin 2] but
/// keeps its key, so the position carries on into the new wheel: slot 9 of round 2 is
/// the waiting list on 31 December 2025 and the extra allocation on 1 January 2026.
#[rstest]
#[case::r1_2025("2025-12-31", 8, WL, "CPH B4 III trin 2 (2024–2025)", false)]
#[case::r1_2026("2026-01-01", 8, WL, "CPH B4 III trin 2 (2026–2027)", true)]
#[case::r2_2025("2025-12-31", 17, WL, "CPH B4 III trin 2 (2024–2025)", false)]
#[case::r2_2026("2026-01-01", 17, MA, "CPH B4 III trin 2 (2026–2027)", true)]
#[case::slot_3_2025("2025-12-31", 11, MA, "CPH B4 III trin 2 (2024–2025)", false)]
#[case::slot_3_2026("2026-01-01", 11, MA, "CPH B4 III trin 2 (2026–2027)", false)]
fn dept_2_wheel_switches_on_2026_01_01_and_the_position_continues(
    #[case] on: &str,
    #[case] position: u64,
    #[case] channel: Channel,
    #[case] source: &str,
    #[case] alternating: bool,
) {
    let a = V::dept("2", on).at("department:2", position).run();
    let w = a.wheel.as_ref().unwrap();
    assert_eq!(w.position, position);
    assert_eq!(w.source, source);
    assert_eq!(a.channel, Some(channel));
    assert!(!has_reason(&a, |r| matches!(
        r,
        LettingReason::WheelRestarted { .. }
    )));
    assert!(has_reason(&a, |r| matches!(
        r,
        LettingReason::WheelSlot { alternating: alt, .. } if *alt == alternating
    )));
}

/// Dept 3 likewise: its first-column wheel ends on 31 December 2025 [CPH 6.2.3 fig 8].
#[rstest]
#[case::y2025("2025-12-31", FX)]
#[case::y2026("2026-01-01", MA)]
fn dept_3_wheel_switches_on_2026_01_01(#[case] on: &str, #[case] channel: Channel) {
    let a = V::dept("3", on).at("department:3", 17).run();
    assert_eq!(a.channel, Some(channel));
    assert_eq!(a.wheel.as_ref().unwrap().position, 17);
}

/// Dates outside 1 January 2024 – 31 December 2027 are outside the agreement
/// [CPH front page; CPH 19].
#[rstest]
#[case::day_before("2023-12-31", false)]
#[case::first_day("2024-01-01", true)]
#[case::last_day("2027-12-31", true)]
#[case::day_after("2028-01-01", false)]
fn dates_outside_2024_2027_are_outside_the_agreement(#[case] on: &str, #[case] inside: bool) {
    let r = V::dept("2", on).try_run();
    if inside {
        assert!(r.is_ok(), "{on}: {r:?}");
    } else {
        assert_eq!(
            r.unwrap_err(),
            WheelError::OutsideAgreement {
                on: date(on),
                from: date("2024-01-01"),
                to: "2027-12-31".into(),
            }
        );
    }
}

// ---------------------------------------------------------------------------
// 3. The special rules

/// A home fitted for a physical disability "for over 35.000 kr." "after 1 July 2019"
/// goes back to the allocation, outside the wheel [CPH 8.4]; both bounds are strict.
#[rstest]
#[case::cost_34999_99("34999.99", "2020-01-01", false)]
#[case::cost_35000("35000", "2020-01-01", false)]
#[case::cost_35000_01("35000.01", "2020-01-01", true)]
#[case::cost_200000("200000", "2020-01-01", true)]
#[case::fitted_2019_06_30("40000", "2019-06-30", false)]
#[case::fitted_2019_07_01("40000", "2019-07-01", false)]
#[case::fitted_2019_07_02("40000", "2019-07-02", true)]
fn disability_fitted_home_over_35000_kr_after_1_july_2019(
    #[case] cost: &str,
    #[case] fitted: &str,
    #[case] qualifies: bool,
) {
    let mut v = V::dept("2", "2025-06-01").at_own(0);
    v.home.disability_fitted = Some((d(cost), date(fitted)));
    let a = v.run();
    if qualifies {
        assert_eq!(a.channel, Some(MA));
        assert_eq!(a.wheel, None);
        assert!(a.gives_disability_credit);
        assert!(!a.used_disability_credit);
        assert_eq!(
            a.reasons,
            vec![LettingReason::DisabilityFittedHome {
                cost_kr: d(cost),
                fitted_on: date(fitted),
                source: rules()
                    .disability_fitted
                    .as_ref()
                    .unwrap()
                    .min_cost_kr
                    .source
                    .clone(),
            }]
        );
    } else {
        // The ordinary wheel: slot 1 of dept 2 is flexible.
        assert_eq!(a.channel, Some(FX));
        assert_eq!(a.wheel.as_ref().unwrap().slot, 1);
        assert!(!a.gives_disability_credit);
    }
}

/// After a disability-fitted home went back to the allocation, the next allocation slot
/// goes to the organisation [CPH 8.4]: the waiting list on dept 1–2, flexible letting
/// (the wheel's flexible criteria) on dept 3–4 and area 1 — the last of the slot's
/// fallbacks that is neither allocation nor urban renewal.
#[rstest]
#[case::dept_1("department", "1", 2, WL, None)]
#[case::dept_2("department", "2", 2, WL, None)]
#[case::dept_3("department", "3", 2, FX, Some("A"))]
#[case::dept_4("department", "4", 2, FX, Some("A"))]
#[case::dept_4_slot_9_round_2("department", "4", 17, FX, Some("A"))]
#[case::area_1("area", "1", 0, FX, Some("tightened:relevant"))]
fn disability_credit_gives_the_next_allocation_slot_to_the_organisation(
    #[case] st: &str,
    #[case] step: &str,
    #[case] position: u64,
    #[case] channel: Channel,
    #[case] criteria: Option<&str>,
) {
    let mut v = V::new(staircase(st), step, "2025-06-01").at_own(position);
    // Without a credit the slot is an allocation slot.
    assert_eq!(v.run().channel, Some(MA));
    v.state.disability_credits = 1;
    let a = v.run();
    assert_eq!(a.channel, Some(channel));
    assert_eq!(a.criteria.as_deref(), criteria);
    assert!(a.fallback.is_empty());
    assert!(a.used_disability_credit);
    assert!(a.reasons.contains(&LettingReason::DisabilityCreditUsed {
        instead: channel,
        source: rules()
            .disability_fitted
            .as_ref()
            .unwrap()
            .min_cost_kr
            .source
            .clone()
    }));
}

/// A credit is only used on an allocation slot [CPH 8.4].
#[rstest]
#[case::dept_2_slot_1("2", 0, FX)]
#[case::dept_2_slot_2("2", 1, WL)]
#[case::dept_4_slot_9_round_1("4", 8, FX)]
fn disability_credit_is_not_used_on_other_slots(
    #[case] step: &str,
    #[case] position: u64,
    #[case] channel: Channel,
) {
    let mut v = V::dept(step, "2025-06-01").at_own(position);
    v.state.disability_credits = 1;
    let a = v.run();
    assert_eq!(a.channel, Some(channel));
    assert!(!a.used_disability_credit);
}

fn entry(position: u64, channel: Channel, realised: bool) -> EpisodeEntry {
    EpisodeEntry {
        position,
        channel: Some(channel),
        realised,
    }
}

/// Dept 1's safeguard [CPH 6.2.1]: "when the 4th home to the allocation in the wheel
/// falls vacant" it may go to the waiting list, if the three before it in the round
/// were let to allocated citizens and the department has a recorded safeguard. On dept
/// 1 the allocation slots are 3, 6, 7, 9, so the 4th is slot 9 (position 8 + 9·r).
#[rstest]
#[case::round_1_all_realised(true, 0, [true, true, true], Some(3))]
#[case::round_2_all_realised(true, 9, [true, true, true], Some(3))]
#[case::two_of_three_realised_last_not(true, 0, [true, true, false], None)]
#[case::two_of_three_realised_first_not(true, 0, [false, true, true], None)]
#[case::none_realised(true, 0, [false, false, false], None)]
#[case::no_recorded_safeguard(false, 0, [true, true, true], None)]
#[case::no_recorded_safeguard_round_2(false, 9, [true, true, true], None)]
fn dept_1_safeguard_4th_allocation_of_a_round(
    #[case] safeguard: bool,
    #[case] base: u64,
    #[case] realised: [bool; 3],
    #[case] expected_realised: Option<u32>,
) {
    let mut v = V::dept("1", "2025-06-01").at_own(base + 8);
    v.safeguard = safeguard;
    v.state.episode = vec![
        entry(base, WL, false),
        entry(base + 1, WL, false),
        entry(base + 2, MA, realised[0]),
        entry(base + 3, WL, false),
        entry(base + 4, WL, false),
        entry(base + 5, MA, realised[1]),
        entry(base + 6, MA, realised[2]),
        entry(base + 7, WL, false),
    ];
    let a = v.run();
    assert_eq!(a.wheel.as_ref().unwrap().slot, 9);
    match expected_realised {
        Some(n) => {
            assert_eq!(a.channel, Some(WL));
            assert!(a.fallback.is_empty());
            assert!(a.reasons.contains(&LettingReason::Safeguard {
                nth: 4,
                realised: n,
                instead: WL,
                source: rules().safeguard.as_ref().unwrap().source.clone(),
            }));
        }
        None => {
            assert_eq!(a.channel, Some(MA));
            assert_eq!(a.fallback, vec![UR, WL]);
            assert!(!has_reason(&a, |r| matches!(
                r,
                LettingReason::Safeguard { .. }
            )));
        }
    }
}

/// The safeguard counts within one round [CPH 6.2.1, `letting.safeguard`
/// interpretation]: realised allocations of the previous round do not count, an
/// earlier allocation slot is not the 4th, and the rule is on dept 1 only.
#[test]
fn dept_1_safeguard_counts_within_the_round_only() {
    // Round 1 fully realised, round 2 not: slot 9 of round 2 stays allocation.
    let mut v = V::dept("1", "2025-06-01").at_own(17);
    v.safeguard = true;
    v.state.episode = [2, 5, 6]
        .into_iter()
        .map(|p| entry(p, MA, true))
        .chain([11, 14, 15].into_iter().map(|p| entry(p, MA, false)))
        .collect();
    assert_eq!(v.run().channel, Some(MA));

    // Slot 7 (position 6) is the 3rd allocation of the round, not the 4th.
    let mut v = V::dept("1", "2025-06-01").at_own(6);
    v.safeguard = true;
    v.state.episode = vec![entry(2, MA, true), entry(5, MA, true)];
    assert_eq!(v.run().channel, Some(MA));

    // Slot 7 exempted to urban renewal: slot 9 is then only the 3rd allocation home.
    let mut v = V::dept("1", "2025-06-01").at_own(8);
    v.safeguard = true;
    v.state.episode = vec![entry(2, MA, true), entry(5, MA, true), entry(6, UR, false)];
    assert_eq!(v.run().channel, Some(MA));

    // Dept 2 (2026) has four allocation slots in round 2 (3, 6, 8, 9) but no safeguard.
    let mut v = V::dept("2", "2026-06-01").at_own(17);
    v.safeguard = true;
    v.state.episode = [11, 14, 16]
        .into_iter()
        .map(|p| entry(p, MA, true))
        .collect();
    assert_eq!(v.run().channel, Some(MA));
}

/// The extra share lent from urban-renewal rehousing to the allocation (dept 1's
/// "+1/9" in slot 7, dept 2's "+1/18" in slot 9 of even rounds from 2026) is let
/// through the slot's fallback (urban renewal, then the waiting list) in a department
/// exempt from the extra share [CPH 6.2.2, B15 2]; other allocation slots are not
/// touched, and dept 3–4's "+1/18" is not an extra share.
#[rstest]
#[case::dept_1_slot_7_exempt("1", "2025-06-01", 6, true, UR, vec![WL])]
#[case::dept_1_slot_7_round_2_exempt("1", "2026-06-01", 15, true, UR, vec![WL])]
#[case::dept_1_slot_7_not_exempt("1", "2025-06-01", 6, false, MA, vec![UR, WL])]
#[case::dept_1_slot_3_exempt("1", "2025-06-01", 2, true, MA, vec![UR, WL])]
#[case::dept_1_slot_9_exempt("1", "2025-06-01", 8, true, MA, vec![UR, WL])]
#[case::dept_2_2026_slot_9_round_2_exempt("2", "2026-06-01", 17, true, UR, vec![WL])]
#[case::dept_2_2026_slot_9_round_2_not_exempt("2", "2026-06-01", 17, false, MA, vec![UR, WL])]
#[case::dept_2_2026_slot_9_round_1_exempt("2", "2026-06-01", 8, true, WL, vec![])]
#[case::dept_2_2026_slot_8_exempt("2", "2026-06-01", 7, true, MA, vec![UR, WL])]
#[case::dept_2_2025_slot_9_round_2_exempt("2", "2025-06-01", 17, true, WL, vec![])]
#[case::dept_3_2026_slot_9_round_2_exempt("3", "2026-06-01", 17, true, MA, vec![UR, FX])]
#[case::dept_4_slot_9_round_2_exempt("4", "2026-06-01", 17, true, MA, vec![UR, FX])]
fn extra_share_exemption(
    #[case] step: &str,
    #[case] on: &str,
    #[case] position: u64,
    #[case] exempt: bool,
    #[case] channel: Channel,
    #[case] fallback: Vec<Channel>,
) {
    let mut v = V::dept(step, on).at_own(position);
    v.exempt_from_extra = exempt;
    let a = v.run();
    assert_eq!(a.channel, Some(channel));
    assert_eq!(a.fallback, fallback);
    assert_eq!(a.criteria, None);
    let reason = LettingReason::ExtraShareExempt {
        instead: UR,
        source: "CPH 6.2.2; CPH B15 2: 'mere end hver 3. ledige bolig'".into(),
    };
    assert_eq!(a.reasons.contains(&reason), channel == UR);
}

/// "Mere end hver 3. ledige bolig" [CPH 6.2.2, B15 2]: realised allocations × 3 >
/// vacancies; exactly every 3rd is not more.
#[rstest]
#[case::none(0, 0, false)]
#[case::exactly_every_3rd(9, 3, false)]
#[case::one_more(9, 4, true)]
#[case::twelve_four(12, 4, false)]
#[case::ten_four(10, 4, true)]
#[case::one_of_three(3, 1, false)]
#[case::one_of_two(2, 1, true)]
#[case::one_of_none(0, 1, true)]
fn exceeds_every_3rd_vacancy(
    #[case] vacancies: u32,
    #[case] realised: u32,
    #[case] expected: bool,
) {
    let nth = rules().exemption.as_ref().unwrap().every_nth_vacancy.value;
    assert_eq!(nth, 3);
    assert_eq!(exceeds_every_nth(vacancies, realised, nth), expected);
}

fn new_build(
    first_use: &str,
    cheap_share: &str,
    homes: u32,
    cheap: u32,
    others: u32,
) -> NewBuildFacts {
    NewBuildFacts {
        first_use: date(first_use),
        cheap_share_pct: d(cheap_share),
        homes,
        cheap_homes: cheap,
        allocated_others: others,
    }
}

/// A cheap home of a new build is let by the allocation, outside the wheel, for four
/// years from first use [CPH 11 fig 11]. With first use in 2024–2027 the four years
/// always end after 31 December 2027, so inside the agreement every such vacancy is
/// allocation; a home first used before 2024 is not a new build of this agreement.
#[rstest]
#[case::first_day("2024-01-01", "2024-01-01", Some("2028-01-01"))]
#[case::last_day("2024-01-01", "2027-12-31", Some("2028-01-01"))]
#[case::leap_day("2024-02-29", "2026-06-01", Some("2028-02-29"))]
#[case::late("2027-06-15", "2027-06-15", Some("2031-06-15"))]
#[case::first_use_before_2024("2023-12-31", "2025-06-01", None)]
fn new_build_cheap_home_is_allocation_for_4_years(
    #[case] first_use: &str,
    #[case] on: &str,
    #[case] until: Option<&str>,
) {
    let mut v = V::dept("2", on);
    v.home.cheap = true;
    v.home.first_use = Some(date(first_use));
    v.new_build = Some(new_build(first_use, "12", 100, 12, 0));
    v.home.first_use = Some(date(first_use));
    let a = v.run();
    match until {
        Some(until) => {
            assert_eq!(a.channel, Some(MA));
            assert_eq!(a.wheel, None);
            assert_eq!(
                a.reasons,
                vec![LettingReason::NewBuildCheapHome {
                    first_use: date(first_use),
                    until: date(until),
                    source: rules().new_build.as_ref().unwrap().source.clone(),
                }]
            );
        }
        None => {
            assert_eq!(a.wheel.as_ref().unwrap().key, "department:2");
            assert_eq!(a.channel, Some(FX));
        }
    }
}

/// The same agreement with its period and wheels running on past 2027 (nothing else
/// changed), to reach the end of the four new-build years.
fn cph_running_on() -> &'static Agreement {
    static A: OnceLock<Agreement> = OnceLock::new();
    A.get_or_init(|| {
        let mut a = cph().clone();
        let end = a.period.to;
        a.period.to = None;
        for w in &mut a.wheels {
            if w.period.to == end {
                w.period.to = None;
            }
        }
        a
    })
}

/// Exactly four years after first use the new-build rules end and the home joins the
/// department's ordinary wheel [CPH 11 fig 11: "i fire år fra ibrugtagning"].
#[rstest]
#[case::cheap_day_before(true, "2028-02-29", true)]
#[case::cheap_4_years(true, "2028-03-01", false)]
#[case::other_day_before(false, "2028-02-29", true)]
#[case::other_4_years(false, "2028-03-01", false)]
fn new_build_rules_end_exactly_4_years_after_first_use(
    #[case] cheap: bool,
    #[case] on: &str,
    #[case] new_build_rules: bool,
) {
    let mut v = V::dept("2", on);
    v.agreement = cph_running_on();
    v.home.cheap = cheap;
    v.home.first_use = Some(date("2024-03-01"));
    v.new_build = Some(new_build("2024-03-01", "12", 100, 12, 0));
    v.home.first_use = Some(date("2024-03-01"));
    let a = v.run();
    match (new_build_rules, cheap) {
        (true, true) => {
            assert_eq!(a.channel, Some(MA));
            assert_eq!(a.wheel, None);
        }
        (true, false) => assert_eq!(a.wheel.as_ref().unwrap().key, "new_build:10_to_15"),
        (false, _) => {
            assert_eq!(a.wheel.as_ref().unwrap().key, "department:2");
            assert_eq!(a.channel, Some(FX));
            assert!(!has_reason(&a, |r| matches!(
                r,
                LettingReason::NewBuildCheapHome { .. } | LettingReason::NewBuildBand { .. }
            )));
        }
    }
}

/// The re-lettings of a new build's other homes follow a wheel by the share of cheap
/// homes [CPH 11 fig 12]: under 10 % 3/9 allocation, 10–15 % 2/9, 15–20 % 1/9, 20 %
/// and over 0/9; each band includes its lower edge. Over 18 vacancies (organisation's
/// first option, the waiting list, on the "or" slots): 6, 4, 2, 0 allocations.
#[rstest]
#[case::share_0("0", "below_10", 6)]
#[case::share_9_99("9.99", "below_10", 6)]
#[case::share_10("10", "10_to_15", 4)]
#[case::share_14_99("14.99", "10_to_15", 4)]
#[case::share_15("15", "15_to_20", 2)]
#[case::share_19_99("19.99", "15_to_20", 2)]
#[case::share_20("20", "at_least_20", 0)]
#[case::share_100("100", "at_least_20", 0)]
fn new_build_band_by_cheap_share(
    #[case] share: &str,
    #[case] band: &str,
    #[case] allocations: usize,
) {
    let key = format!("new_build:{band}");
    let channels: Vec<Option<Channel>> = (0..18)
        .map(|p| {
            let mut v = V::dept("2", "2025-06-01").at(&key, p);
            // A large new build with no cheap homes counted: the 1/3 cap stays far away.
            v.new_build = Some(new_build("2024-06-01", share, 1000, 0, 0));
            v.home.first_use = Some(date("2024-06-01"));
            let a = v.run();
            let w = a.wheel.as_ref().unwrap();
            assert_eq!((w.key.as_str(), w.position), (key.as_str(), p));
            assert_eq!(
                a.reasons[0],
                LettingReason::NewBuildBand {
                    band: band.into(),
                    cheap_share_pct: d(share),
                    until: date("2028-06-01"),
                    source: rules()
                        .new_build
                        .as_ref()
                        .unwrap()
                        .bands
                        .iter()
                        .find(|b| b.id == band)
                        .unwrap()
                        .source
                        .clone(),
                }
            );
            a.channel
        })
        .collect();
    assert_eq!(count(channels), (18 - allocations, 0, allocations, 0));
}

/// The first letting of a new build's other homes follows dept 1's wheel "uden
/// kommunal anvisning" [CPH 11 fig 11]: its allocation slots (3, 6, 7, 9) go to the
/// organisation (the waiting list), so 18 first lettings give no allocation.
#[test]
fn new_build_first_letting_has_no_allocation() {
    let channels: Vec<Option<Channel>> = (0..18)
        .map(|p| {
            let mut v = V::dept("3", "2025-06-01").at("new_build:first_letting", p);
            v.first_letting = true;
            v.new_build = Some(new_build("2025-01-01", "5", 100, 5, 0));
            v.home.first_use = Some(date("2025-01-01"));
            let a = v.run();
            assert_eq!(a.wheel.as_ref().unwrap().key, "new_build:first_letting");
            let slot = a.wheel.as_ref().unwrap().slot;
            assert_eq!(
                a.reasons.contains(&LettingReason::NewBuildFirstLetting {
                    instead: WL,
                    source: rules()
                        .new_build
                        .as_ref()
                        .unwrap()
                        .first_letting_step
                        .source
                        .clone()
                }),
                [3, 6, 7, 9].contains(&slot),
                "slot {slot}"
            );
            a.channel
        })
        .collect();
    assert_eq!(count(channels), (18, 0, 0, 0));
}

/// No new build carries more than 1/3 allocation [CPH 11]: at an allocation slot,
/// cheap homes + other homes already allocated + this one may not exceed 1/3 of the
/// homes; otherwise the organisation lets it (the waiting list here).
/// 3/30 cheap homes = 10 % (band 10_to_15), 3/31 = 9.68 % (below_10); both have an
/// allocation slot at slot 3 (position 2).
#[rstest]
#[case::nine_of_30(30, "10", 3, 5, true)] // 9/30 = 30 %
#[case::ten_of_30(30, "10", 3, 6, true)] // 10/30 = 1/3, not more than 1/3
#[case::eleven_of_30(30, "10", 3, 7, false)] // 11/30 = 36.7 %
#[case::ten_of_29(29, "10.34", 3, 6, false)] // 10/29 = 34.5 %
#[case::ten_of_31(31, "9.68", 3, 6, true)] // 10/31 = 32.3 %
#[case::eleven_of_31(31, "9.68", 3, 7, false)] // 11/31 = 35.5 %
#[case::one_of_3(3, "0", 0, 0, true)] // 1/3
#[case::two_of_3(3, "0", 0, 1, false)] // 2/3
fn new_build_allocation_cap_of_one_third(
    #[case] homes: u32,
    #[case] share: &str,
    #[case] cheap: u32,
    #[case] others: u32,
    #[case] allowed: bool,
) {
    let band = rules()
        .new_build
        .as_ref()
        .unwrap()
        .bands
        .iter()
        .find(|b| d(share) >= b.from_pct && b.to_pct.is_none_or(|t| d(share) < t))
        .unwrap()
        .id
        .clone();
    let mut v = V::dept("2", "2025-06-01").at(&format!("new_build:{band}"), 2);
    v.new_build = Some(new_build("2024-06-01", share, homes, cheap, others));
    v.home.first_use = Some(date("2024-06-01"));
    let a = v.run();
    assert_eq!(a.wheel.as_ref().unwrap().slot, 3);
    if allowed {
        assert_eq!(a.channel, Some(MA));
        assert_eq!(a.fallback, vec![UR, WL]);
    } else {
        assert_eq!(a.channel, Some(WL));
        assert!(a.fallback.is_empty());
        assert!(a.reasons.contains(&LettingReason::NewBuildAllocationCap {
            allocated: cheap + others,
            homes,
            max_share: "1/3".into(),
            instead: WL,
            source: rules()
                .new_build
                .as_ref()
                .unwrap()
                .max_allocation_share
                .source
                .clone(),
        }));
    }
}

/// The phase-out of særboliger and youth shared homes starts by the department's step
/// at the agreement's start [CPH 9 "Udfasning – hvordan?"]: step 4 from 1 January
/// 2024, steps 2 and 3 from 1 January 2026, step 1 by its allocated share (30 % and
/// over 2028, 25–29.9 % 2030, 20–24.9 % 2032, 0–19.9 % 2034). The area staircase has
/// no start in the source.
#[rstest]
#[case::dept_4("department", "4", None, Some("2024-01-01"))]
#[case::dept_3("department", "3", None, Some("2026-01-01"))]
#[case::dept_2("department", "2", None, Some("2026-01-01"))]
#[case::dept_1_0("department", "1", Some("0"), Some("2034-01-01"))]
#[case::dept_1_19_9("department", "1", Some("19.9"), Some("2034-01-01"))]
#[case::dept_1_19_99("department", "1", Some("19.99"), Some("2034-01-01"))]
#[case::dept_1_20("department", "1", Some("20"), Some("2032-01-01"))]
#[case::dept_1_24_9("department", "1", Some("24.9"), Some("2032-01-01"))]
#[case::dept_1_25("department", "1", Some("25"), Some("2030-01-01"))]
#[case::dept_1_29_9("department", "1", Some("29.9"), Some("2030-01-01"))]
#[case::dept_1_30("department", "1", Some("30"), Some("2028-01-01"))]
#[case::dept_1_100("department", "1", Some("100"), Some("2028-01-01"))]
#[case::dept_1_no_share("department", "1", None, None)]
#[case::area_1("area", "1", None, None)]
#[case::area_2("area", "2", None, None)]
fn phase_out_start_by_start_placement(
    #[case] st: &str,
    #[case] step: &str,
    #[case] share: Option<&str>,
    #[case] from: Option<&str>,
) {
    let start = (staircase(st), step.to_string(), share.map(d));
    assert_eq!(phase_out_start(rules(), &start), from.map(date));
}

/// A særbolig is the allocation's, outside the wheel, until its department's phase-out
/// starts; from that day it joins the wheel [CPH 9].
#[rstest]
#[case::dept_4_first_day("4", None, "2024-01-01", Some("2024-01-01"), false)]
#[case::dept_2_day_before("2", None, "2025-12-31", Some("2026-01-01"), true)]
#[case::dept_2_start("2", None, "2026-01-01", Some("2026-01-01"), false)]
#[case::dept_3_day_before("3", None, "2025-12-31", Some("2026-01-01"), true)]
#[case::dept_3_start("3", None, "2026-01-01", Some("2026-01-01"), false)]
#[case::dept_1_30_pct("1", Some("30"), "2027-12-31", Some("2028-01-01"), true)]
#[case::dept_1_no_share("1", None, "2027-12-31", None, true)]
fn saerbolig_earmarked_until_phase_out(
    #[case] start_step: &str,
    #[case] share: Option<&str>,
    #[case] on: &str,
    #[case] phase_out_from: Option<&str>,
    #[case] earmarked: bool,
) {
    let mut v = V::dept("2", on).at_own(0);
    v.home.special = Some(HomeSpecial::Saerbolig);
    v.start_placement = Some((Department, start_step.into(), share.map(d)));
    let a = v.run();
    if earmarked {
        assert_eq!(a.channel, Some(MA));
        assert_eq!(a.wheel, None);
        assert_eq!(
            a.reasons,
            vec![LettingReason::SaerboligEarmarked {
                phase_out_from: phase_out_from.map(date),
                source: rules().phase_out.as_ref().unwrap().source.clone(),
            }]
        );
    } else {
        // Joins the current wheel (dept 2, slot 1: flexible).
        assert_eq!(a.channel, Some(FX));
        assert_eq!(a.wheel.as_ref().unwrap().key, "department:2");
        assert_eq!(
            a.reasons[0],
            LettingReason::SaerboligPhasedOut {
                phase_out_from: date(phase_out_from.unwrap()),
                source: rules().phase_out.as_ref().unwrap().source.clone(),
            }
        );
    }
}

/// A særbolig in a department without a known start placement (or one on the area
/// staircase at the start) stays earmarked [CPH 9; `letting.phase_out` interpretation].
#[rstest]
#[case::no_start_placement(None)]
#[case::area_start(Some((Area, "1".to_string(), None)))]
fn saerbolig_without_a_phase_out_start_stays_earmarked(
    #[case] start: Option<(Staircase, String, Option<Pct>)>,
) {
    let mut v = V::dept("4", "2027-12-31");
    v.home.special = Some(HomeSpecial::Saerbolig);
    v.start_placement = start;
    let a = v.run();
    assert_eq!(a.channel, Some(MA));
    assert_eq!(
        a.reasons,
        vec![LettingReason::SaerboligEarmarked {
            phase_out_from: None,
            source: rules().phase_out.as_ref().unwrap().source.clone()
        }]
    );
}

/// A room in a youth shared home is the allocation's until the phase-out; after it, it
/// is not re-let (channel none) [CPH 9].
#[rstest]
#[case::dept_4_first_day("4", None, "2024-01-01", Some("2024-01-01"), false)]
#[case::dept_2_day_before("2", None, "2025-12-31", Some("2026-01-01"), true)]
#[case::dept_2_start("2", None, "2026-01-01", Some("2026-01-01"), false)]
#[case::dept_3_start("3", None, "2026-01-01", Some("2026-01-01"), false)]
#[case::dept_1_25_pct("1", Some("25"), "2027-12-31", Some("2030-01-01"), true)]
fn youth_shared_home_not_re_let_after_phase_out(
    #[case] start_step: &str,
    #[case] share: Option<&str>,
    #[case] on: &str,
    #[case] phase_out_from: Option<&str>,
    #[case] earmarked: bool,
) {
    let mut v = V::dept("2", on).at_own(4);
    v.home.kind = HomeKind::Youth;
    v.home.special = Some(HomeSpecial::YouthShared);
    v.start_placement = Some((Department, start_step.into(), share.map(d)));
    let a = v.run();
    assert_eq!(a.wheel, None);
    if earmarked {
        assert_eq!(a.channel, Some(MA));
        assert_eq!(
            a.reasons,
            vec![LettingReason::YouthSharedEarmarked {
                phase_out_from: phase_out_from.map(date),
                source: rules().phase_out.as_ref().unwrap().source.clone(),
            }]
        );
    } else {
        assert_eq!(a.channel, None);
        assert_eq!(
            a.reasons,
            vec![LettingReason::YouthSharedPhasedOut {
                phase_out_from: date(phase_out_from.unwrap()),
                source: rules().phase_out.as_ref().unwrap().source.clone(),
            }]
        );
    }
}

/// A home financed for a special group is 100 % allocation, outside the wheel [CPH 11].
/// When the municipality does not use it, it goes to the organisation's channel of the
/// step (dept 1–2 the waiting list, dept 3–4 flexible A) [CPH 6.2 fallbacks].
#[rstest]
#[case::dept_1("1", 0, WL)]
#[case::dept_2("2", 4, WL)]
#[case::dept_4("4", 0, Channel::Flexible)]
fn special_group_home_is_allocation_outside_the_wheel(
    #[case] step: &str,
    #[case] position: u64,
    #[case] fallback: Channel,
) {
    let mut v = V::dept(step, "2025-06-01").at_own(position);
    v.home.special = Some(HomeSpecial::SpecialGroup);
    let a = v.run();
    assert_eq!(a.channel, Some(MA));
    assert_eq!(a.wheel, None);
    assert_eq!(a.fallback, vec![fallback]);
    assert_eq!(a.reasons, vec![LettingReason::SpecialGroupHome]);
}

/// Area step 2 suspends the allocation [CPH 6.1.3, B4 III fig 4]: a home that would go
/// to the allocation outside the wheel is let flexibly with all tightened criteria.
#[test]
fn special_homes_on_area_step_2_are_not_allocated() {
    for special in [HomeSpecial::SpecialGroup, HomeSpecial::Saerbolig] {
        let mut v = V::new(Area, "2", "2025-06-01");
        v.home.special = Some(special);
        let a = v.run();
        assert_eq!(a.channel, Some(Channel::Flexible), "{special:?}");
        assert_eq!(a.criteria.as_deref(), Some("tightened:all"));
        assert!(a.reasons.contains(&LettingReason::AllocationSuspended {
            instead: Channel::Flexible
        }));
    }
}

/// The new-build rules hold for the new build's own homes: an older home of the same
/// department (no first-use date) lets by the department's step [CPH 11].
#[test]
fn an_old_home_in_a_department_with_a_new_build_follows_the_staircase() {
    let mut v = V::dept("1", "2025-06-01");
    v.new_build = Some(new_build("2025-01-01", "12", 100, 12, 0));
    v.first_letting = true;
    let a = v.run();
    assert_eq!(a.wheel.as_ref().unwrap().key, "department:1");
}

/// A subsidised home vacated within two years of the first subsidy goes to another
/// subsidy tenant (through the allocation, outside the wheel); from the two-year day
/// on it joins the wheel [CPH 8.5.2 "Fraflytningen inden for de første to år"].
#[rstest]
#[case::day_before_2_years("2024-03-01", "2026-02-28", Some("2026-03-01"))]
#[case::two_years("2024-03-01", "2026-03-01", None)]
#[case::first_day("2024-03-01", "2024-03-01", Some("2026-03-01"))]
#[case::leap_day_since_day_before("2024-02-29", "2026-02-27", Some("2026-02-28"))]
#[case::leap_day_since_2_years("2024-02-29", "2026-02-28", None)]
fn subsidy_home_within_2_years_is_outside_the_wheel(
    #[case] since: &str,
    #[case] on: &str,
    #[case] until: Option<&str>,
) {
    let mut v = V::dept("2", on).at_own(0);
    v.home.special = Some(HomeSpecial::Subsidy);
    v.home.special_since = Some(date(since));
    let a = v.run();
    match until {
        Some(until) => {
            assert_eq!(a.channel, Some(MA));
            assert_eq!(a.wheel, None);
            assert_eq!(
                a.reasons,
                vec![LettingReason::SubsidyHome {
                    since: date(since),
                    until: date(until),
                    source: rules().subsidy.as_ref().unwrap().years.source.clone(),
                }]
            );
        }
        None => {
            assert_eq!(a.channel, Some(FX));
            assert_eq!(a.wheel.as_ref().unwrap().key, "department:2");
        }
    }
}

/// A department mainly of youth homes lets by the youth wheel: 2/9 to young people
/// allocated by the municipality (slots 3 and 7), the rest to the waiting list
/// [CPH 7.1]. Over 18 vacancies: 4 allocation, 14 waiting list.
#[rstest]
#[case::dept_1("1")]
#[case::dept_2("2")]
#[case::dept_4("4")]
fn youth_department_two_allocations_in_nine(#[case] step: &str) {
    let channels: Vec<Option<Channel>> = (0..18)
        .map(|p| {
            let mut v = V::dept(step, "2025-06-01").at("youth", p);
            v.mainly_youth = true;
            v.home.kind = HomeKind::Youth;
            let a = v.run();
            let w = a.wheel.as_ref().unwrap();
            assert_eq!((w.key.as_str(), w.position), ("youth", p));
            assert_eq!(w.source, "CPH 7.1: 'stiller 2/9 af de ledige boliger til rådighed for unge anvist af kommunen'");
            assert_eq!(a.reasons[0], LettingReason::YouthDepartment { source: rules().youth.as_ref().unwrap().source.clone() });
            if [3, 7].contains(&w.slot) {
                assert_eq!(a.channel, Some(MA), "slot {}", w.slot);
                assert_eq!(a.fallback, vec![WL]);
            }
            a.channel
        })
        .collect();
    assert_eq!(count(channels), (14, 0, 4, 0));
}

/// On area step 2 the allocation is suspended [CPH 6.1.3, B4 III fig 4]: a department
/// mainly of youth homes there lets by the area's wheel (all flexible, tightened), not
/// the youth wheel's 2/9 allocation.
#[test]
fn youth_department_on_area_step_2_keeps_the_suspension() {
    for p in 0..18 {
        let mut v = V::new(Area, "2", "2025-06-01").at("area:2", p);
        v.mainly_youth = true;
        v.home.kind = HomeKind::Youth;
        let a = v.run();
        assert_eq!(a.channel, Some(Channel::Flexible), "position {p}");
        assert_eq!(a.criteria.as_deref(), Some("tightened:all"));
        assert!(!a.reasons.contains(&LettingReason::YouthDepartment {
            source: rules().youth.as_ref().unwrap().source.clone()
        }));
    }
}

/// A department that becomes mainly youth restarts on the youth wheel [CPH 7.1].
#[test]
fn youth_department_restarts_from_the_staircase_wheel() {
    let mut v = V::dept("2", "2025-06-01").at("department:2", 5);
    v.mainly_youth = true;
    let a = v.run();
    assert_eq!(a.channel, Some(WL));
    let w = a.wheel.as_ref().unwrap();
    assert_eq!((w.key.as_str(), w.position, w.slot), ("youth", 0, 1));
    assert_eq!(
        a.reasons[..2],
        [
            LettingReason::YouthDepartment {
                source: rules().youth.as_ref().unwrap().source.clone()
            },
            LettingReason::WheelRestarted {
                previous: Some("department:2".into()),
                now: "youth".into(),
            },
        ]
    );
}

/// One allocated tenant per shared kitchen [CPH 7.2]: an allocation slot for a room
/// whose kitchen already has an allocated tenant goes to the organisation (the youth
/// waiting list).
#[rstest]
#[case::kitchen_taken(Some("K1"), true, WL)]
#[case::kitchen_free(Some("K1"), false, MA)]
#[case::no_shared_kitchen(None, true, MA)]
fn shared_kitchen_cap_one_allocated_tenant(
    #[case] kitchen: Option<&str>,
    #[case] taken: bool,
    #[case] channel: Channel,
) {
    let mut v = V::dept("2", "2025-06-01").at("youth", 2);
    v.mainly_youth = true;
    v.home.kind = HomeKind::Youth;
    v.home.shared_kitchen = kitchen.map(String::from);
    v.kitchen_has_allocated_tenant = taken;
    let a = v.run();
    assert_eq!(a.wheel.as_ref().unwrap().slot, 3);
    assert_eq!(a.channel, Some(channel));
    let capped = a.reasons.contains(&LettingReason::SharedKitchenCap {
        kitchen: "K1".into(),
        instead: WL,
        source: rules()
            .youth
            .as_ref()
            .unwrap()
            .one_allocated_per_shared_kitchen
            .source
            .clone(),
    });
    assert_eq!(capped, channel == WL);
    if channel == WL {
        assert!(a.fallback.is_empty());
    } else {
        assert_eq!(a.fallback, vec![WL]);
    }
}

/// An accessibility home (C criterion) is flagged, with its reason, whatever channel
/// the wheel gives it [CPH 5.2.3, B4 IV]; the channel itself is unchanged.
#[rstest]
#[case::flexible_slot("2", 0, FX)]
#[case::allocation_slot("2", 2, MA)]
#[case::waiting_list_slot("2", 1, WL)]
#[case::dept_4_allocation("4", 17, MA)]
fn accessibility_home_is_flagged(
    #[case] step: &str,
    #[case] position: u64,
    #[case] channel: Channel,
) {
    for accessible in [false, true] {
        let mut v = V::dept(step, "2025-06-01").at_own(position);
        v.home.accessibility = accessible;
        let a = v.run();
        assert_eq!(a.channel, Some(channel));
        assert_eq!(a.accessibility_home, accessible);
        assert_eq!(
            a.reasons.last()
                == Some(&LettingReason::AccessibilityHome {
                    source: rules()
                        .accessibility
                        .as_ref()
                        .unwrap()
                        .max_share_pct
                        .source
                        .clone()
                }),
            accessible
        );
        assert_eq!(
            a.reasons.contains(&LettingReason::AccessibilityHome {
                source: rules()
                    .accessibility
                    .as_ref()
                    .unwrap()
                    .max_share_pct
                    .source
                    .clone()
            }),
            accessible
        );
    }
}

/// The accessibility share is at most 5 % of the department's family homes
/// [CPH 5.2.3, B4 IV].
#[test]
fn accessibility_share_is_at_most_5_pct() {
    assert_eq!(
        rules().accessibility.as_ref().unwrap().max_share_pct.value,
        d("5")
    );
}

/// The ledger stores each assignment as JSON and reads it back to explain a vacancy:
/// the round trip keeps every reason, decimals included.
#[test]
fn an_assignment_reads_back_from_its_json_as_it_was() {
    let mut v = V::dept("4", "2025-06-01");
    v.home.disability_fitted = Some((d("48000.5"), date("2021-05-01")));
    v.home.accessibility = true;
    let outside = v.run();
    let mut w = V::dept("1", "2025-06-01").at_own(6);
    w.exempt_from_extra = true;
    let exempt = w.run();
    for a in [outside, exempt] {
        let json = serde_json::to_value(&a).unwrap();
        let back: Assignment = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }
}

/// Copenhagen's file reads bilag 14's on-time days as calendar days that move to the next
/// working day [CPH B14: "den 2. eller den 16. i en måned"; "dvs. regnet fra den 2. eller
/// 16. hverdag"]: 2 March 2025 is a Sunday, so a home received on Monday the 3rd must be
/// moved into by 1 April; one received on Tuesday the 4th by 4 April; 2 June 2025 is a
/// Monday, so the 3rd is an ordinary day (by 3 July).
#[rstest]
#[case::monday_after_a_sunday_2nd("2025-03-03", "2025-04-01")]
#[case::tuesday_after("2025-03-04", "2025-04-04")]
#[case::working_2nd("2025-06-02", "2025-07-01")]
#[case::day_after_a_working_2nd("2025-06-03", "2025-07-03")]
#[case::monday_after_a_saturday_16th("2025-08-18", "2025-09-15")]
// Holidays from the file: 2 April 2026 is Maundy Thursday, then Good Friday, the weekend
// and Easter Monday: Tuesday the 7th is on time (by 1 May); 16 May 2027 is a Sunday and
// the 17th Whit Monday: Tuesday the 18th (by 15 June), Wednesday the 19th is late.
#[case::tuesday_after_easter_2026("2026-04-07", "2026-05-01")]
#[case::tuesday_after_whit_monday_2027("2027-05-18", "2027-06-15")]
#[case::wednesday_after_whit_monday_2027("2027-05-19", "2027-06-19")]
fn copenhagens_on_time_days_move_to_the_next_working_day(
    #[case] received: &str,
    #[case] move_in_by: &str,
) {
    let a = load_builtin("copenhagen-2024").unwrap().agreement;
    let rules = &a.letting.as_ref().unwrap().deadlines;
    let got = trappe_rules::deadlines::municipality_deadline(rules, received.parse().unwrap());
    assert_eq!(got, move_in_by.parse::<Date>().unwrap(), "{received}");
}
