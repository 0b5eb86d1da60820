//! A letting agreement as checked data.
//!
//! The agreement files under `agreements/` are parsed and checked by `trappe-formats`
//! into these types; past that point every value is known to be well-formed and
//! consistent (no overlapping periods, bands covering 0–100 %, a step for every cell
//! of the step table). Every value carries the paragraph of the source it comes from.

use serde::Serialize;

use crate::criteria::{Comparison, Threshold, ThresholdSet};
use crate::designation::Designation;
use crate::law::ListThresholds;
use crate::{Date, Pct};

/// A reference to the paragraph of a source document, e.g. `"CPH 6.2 fig 5"`.
pub type SourceRef = String;

/// A value with where it comes from and, where the source leaves a choice open, the
/// choice made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    pub source: SourceRef,
    /// Set when the value is the agreement file's reading of an open point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<String>,
}

/// A period of validity: from `from` (inclusive) to `to` (inclusive), open-ended when
/// `to` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Date,
    pub to: Option<Date>,
}

impl Period {
    pub fn contains(&self, date: Date) -> bool {
        date >= self.from && self.to.is_none_or(|to| date <= to)
    }

    pub fn overlaps(&self, other: &Period) -> bool {
        let a_before_b = self.to.is_some_and(|to| to < other.from);
        let b_before_a = other.to.is_some_and(|to| to < self.from);
        !(a_before_b || b_before_a)
    }
}

/// A checked letting agreement.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub id: String,
    pub title: String,
    pub municipality: String,
    /// Municipality codes this agreement covers (e.g. "101" for Copenhagen).
    pub municipality_codes: Vec<String>,
    pub period: Period,
    pub source: SourceRef,
    /// The id of the law parameter set the agreement refers to.
    pub law: String,
    /// SHA-256 of the file's bytes, hex; a placement's receipt names it.
    pub content_sha256: String,
    /// The risk zone; `None` for a named list, which does not use it.
    pub risk_zone: Option<RiskZoneRule>,
    /// Small departments' pooling; `None` for a named list, which does not use it.
    pub small_departments: Option<SmallDepartmentRule>,
    pub model: Model,
    /// What each step means for letting, by period.
    pub steps: Vec<StepRule>,
    /// The letting wheels, by step and period (used by the letting wheel).
    pub wheels: Vec<WheelRule>,
    /// The letting rules around the wheel (deadlines and special homes); `None` for an
    /// agreement that has no letting section.
    pub letting: Option<crate::wheel::LettingRules>,
    /// The applicant criteria's parameters, internal transfers and the limits on
    /// municipal allocation; `None` for an agreement without them.
    pub applicants: Option<crate::applicant::ApplicantRules>,
    /// How the placement in force (what letting uses) is decided.
    pub in_force: InForceRule,
    /// What the placement in force does when an area joins or leaves the state's lists
    /// [CPH 6.1.5].
    pub transitions: Transitions,
    /// Every open point the file settles, gathered for display.
    pub interpretations: Vec<Interpretation>,
}

/// How an agreement decides the placement in force, the one letting uses; the
/// computed placement (monitoring) is shown beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum InForceRule {
    /// The computed placement is in force as soon as it is computed.
    Computed,
    /// The municipality's own overview, imported (`trappe import overview`), is in force;
    /// until the first one the computed placement is, marked provisional. A department
    /// the latest overview omits has no placement in force.
    OfficialOverview {
        source: SourceRef,
        #[serde(skip_serializing_if = "Option::is_none")]
        interpretation: Option<String>,
    },
    /// The placement on the `held` staircases first computed in the agreement period is
    /// in force until a recorded approval (by `approved_by`) re-places a department; the
    /// other staircases follow the computation ("Forslag til omplacering forelægges
    /// Samarbejdsforum til godkendelse" [CPH 6.2]).
    Approved {
        held: Vec<Staircase>,
        approved_by: String,
        source: SourceRef,
        #[serde(skip_serializing_if = "Option::is_none")]
        interpretation: Option<String>,
    },
}

impl InForceRule {
    pub fn by_overview(&self) -> bool {
        matches!(self, InForceRule::OfficialOverview { .. })
    }

    /// The staircases whose placement is held until an approved re-placement.
    pub fn held(&self) -> &[Staircase] {
        match self {
            InForceRule::Approved { held, .. } => held,
            _ => &[],
        }
    }
}

/// What the placement in force does when an area joins or leaves the state's lists;
/// each rule is off unless the agreement writes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Transitions {
    /// An area that leaves the lists keeps its departments' letting until their own data
    /// can place them: "videreføres den hidtidige udlejning, indtil de enkelte afdelingers
    /// data er opgjort" [CPH 6.1.5].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_leaves_lists: Option<Sourced<String>>,
    /// The departments of an area newly designated a prevention area let by the ordinary
    /// flexible criteria until the municipality decides the tightened ones [CPH 6.1.5].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newly_designated_prevention: Option<Sourced<String>>,
}

impl Transitions {
    /// The keyword of `area_leaves_lists` that keeps the letting until department data.
    pub const CONTINUE_UNTIL_DEPARTMENT_DATA: &'static str = "continue_until_department_data";
    /// The keyword of `newly_designated_prevention` that waits for the municipality.
    pub const ORDINARY_UNTIL_DECIDED: &'static str = "ordinary_until_decided";

    pub fn continues_until_department_data(&self) -> bool {
        self.area_leaves_lists
            .as_ref()
            .is_some_and(|r| r.value == Self::CONTINUE_UNTIL_DEPARTMENT_DATA)
    }

    pub fn prevention_awaits_decision(&self) -> bool {
        self.newly_designated_prevention
            .as_ref()
            .is_some_and(|r| r.value == Self::ORDINARY_UNTIL_DECIDED)
    }
}

impl Agreement {
    /// Whether the placement in force on a date depends on the one in force before it
    /// and on recorded decisions (held placements, the transitions of [CPH 6.1.5]).
    pub fn needs_standing(&self) -> bool {
        !self.in_force.held().is_empty()
            || self.transitions.continues_until_department_data()
            || self.transitions.prevention_awaits_decision()
    }
}

/// A documented reading of an open point in the sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interpretation {
    pub key: String,
    pub text: String,
    pub source: SourceRef,
}

/// The staircase mechanism an agreement uses.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Model {
    /// Copenhagen: an area staircase for departments in designated areas and a
    /// department staircase for all others.
    Staircases {
        area: AreaStaircase,
        department: DepartmentStaircase,
    },
    /// Aalborg: red, yellow or green for every department.
    TrafficLight(TrafficLight),
    /// The agreement names its departments, per organisation, each with its group
    /// (Esbjerg); a department it does not name is not covered.
    NamedList(NamedList),
}

/// A named list: the departments the agreement names, per organisation, each with its
/// step; optionally the law's designated areas before it.
#[derive(Debug, Clone, Serialize)]
pub struct NamedList {
    pub source: SourceRef,
    pub groups: Vec<NamedGroup>,
    /// Departments in areas with these designations go to `step` whatever the list says
    /// (the law's mandatory flexible letting in designated areas, §60 stk. 4).
    pub designated: Option<DesignatedFirst>,
}

/// One entry of a named list.
#[derive(Debug, Clone, Serialize)]
pub struct NamedGroup {
    pub organisation: String,
    /// The departments named (ids as the departments file writes them) …
    pub departments: Vec<String>,
    /// … or every department of the organisation except these.
    pub all_except: Option<Vec<String>>,
    pub step: String,
    pub source: SourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<String>,
}

impl NamedGroup {
    pub fn names(&self, organisation: &str, department: &str) -> bool {
        organisation == self.organisation
            && match &self.all_except {
                Some(except) => !except.iter().any(|e| e == department),
                None => self.departments.iter().any(|e| e == department),
            }
    }
}

/// The law's designated areas before a named list.
#[derive(Debug, Clone, Serialize)]
pub struct DesignatedFirst {
    pub designations: Vec<crate::designation::Designation>,
    pub step: String,
    pub source: SourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<String>,
}

/// The step of a department an agreement's named list does not name.
pub const NOT_COVERED: &str = "not-covered";

/// The traffic light's computed step of a department without figures (and no pool rule
/// to lend it some): no colour can be computed.
pub const NO_DATA: &str = "no-data";

/// The step in force of a department the municipality's latest overview omits: it has no
/// colour in force, and nothing is let by the agreement until an overview gives one.
pub const NOT_IN_OVERVIEW: &str = "not-in-overview";

/// Steps trappe adds to a model when the file writes none: nothing is let there.
pub const SYNTHETIC_STEPS: [&str; 3] = [NOT_COVERED, NO_DATA, NOT_IN_OVERVIEW];

/// The risk zone: how close to the udsat thresholds counts as "challenged".
#[derive(Debug, Clone, Serialize)]
pub struct RiskZoneRule {
    /// Relative margin in percent of the udsat threshold (convictions, education, income).
    pub relative_margin_pct: Sourced<Pct>,
    /// Absolute margin in percentage points for unemployment.
    pub unemployment_margin_points: Sourced<Pct>,
    /// The "10 persons" margin, used on the area staircase only.
    pub persons_margin: Sourced<u32>,
    /// Whether exactly the margin counts as within it ("at most 10 persons"); `false`:
    /// strictly fewer ("mindre end … 10 personer").
    pub persons_margin_inclusive: Sourced<bool>,
    /// The same for unemployment, where the agreement words it otherwise (`None`: as
    /// `persons_margin_inclusive`).
    pub unemployment_persons_margin_inclusive: Option<Sourced<bool>>,
    /// Whether the persons margin applies to income (an average, not a count).
    pub persons_margin_applies_to_income: Sourced<bool>,
    /// Risk-zone values published for a list; where a list has none, they are derived
    /// from the list's udsat thresholds and the margins.
    pub published: Vec<PublishedRiskZone>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublishedRiskZone {
    pub list_date: Date,
    pub thresholds: ThresholdSet,
    pub source: SourceRef,
}

/// Risk-zone thresholds for one list and where they came from.
#[derive(Debug, Clone, Serialize)]
pub struct RiskZone {
    pub thresholds: ThresholdSet,
    pub source: SourceRef,
    /// True when computed from the udsat thresholds and margins.
    pub derived: bool,
}

impl RiskZoneRule {
    /// The risk zone for the thresholds of `list`: published values for that list when
    /// the agreement has them, else derived from the udsat thresholds and the margins.
    pub fn for_list(&self, list: &ListThresholds) -> RiskZone {
        if let Some(p) = self
            .published
            .iter()
            .find(|p| p.list_date == list.list_date)
        {
            return RiskZone {
                thresholds: p.thresholds,
                source: p.source.clone(),
                derived: false,
            };
        }
        let hundred = Pct::from(100);
        let rel = self.relative_margin_pct.value / hundred;
        let shift = |t: Threshold| -> Threshold {
            let value = match t.comparison {
                Comparison::Above | Comparison::AtLeast => t.value * (Pct::ONE - rel),
                Comparison::Below => t.value * (Pct::ONE + rel),
            };
            Threshold {
                value: value.normalize(),
                comparison: t.comparison,
            }
        };
        let u = list.udsat;
        RiskZone {
            thresholds: ThresholdSet {
                unemployment: Threshold {
                    value: u.unemployment.value - self.unemployment_margin_points.value,
                    comparison: u.unemployment.comparison,
                },
                convictions: shift(u.convictions),
                primary_education: shift(u.primary_education),
                income: shift(u.income),
            },
            source: format!(
                "derived from the udsat thresholds of the list of {} and {}",
                list.list_date, self.relative_margin_pct.source
            ),
            derived: true,
        }
    }
}

/// Small departments and pooling [CPH B17 "Små afdelinger puljes"].
#[derive(Debug, Clone, Serialize)]
pub struct SmallDepartmentRule {
    /// Figures exist only for departments with at least this many homes …
    pub min_homes: Sourced<u32>,
    /// … and at least this many residents.
    pub min_residents: Sourced<u32>,
}

impl SmallDepartmentRule {
    pub fn is_small(&self, homes: u32, residents: u32) -> bool {
        homes < self.min_homes.value || residents < self.min_residents.value
    }
}

/// Copenhagen's area staircase [CPH 6.1].
#[derive(Debug, Clone, Serialize)]
pub struct AreaStaircase {
    /// The step for each designation that puts an area on the staircase.
    pub steps: Vec<(Designation, String)>,
    pub source: SourceRef,
    /// An area with more residents than this (strictly), but fewer than the law's
    /// minimum, may be placed by decision of the Samarbejdsforum.
    pub decision_residents_above: Sourced<u32>,
}

impl AreaStaircase {
    pub fn step_for(&self, designation: Designation) -> Option<&str> {
        self.steps
            .iter()
            .find(|(d, _)| *d == designation)
            .map(|(_, s)| s.as_str())
    }
}

/// The need to strengthen the resident mix [CPH 6.2 fig 5].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Low,
    Medium,
    High,
}

impl Need {
    pub const ALL: [Need; 3] = [Need::High, Need::Medium, Need::Low];
    pub fn as_str(self) -> &'static str {
        match self {
            Need::Low => "low",
            Need::Medium => "medium",
            Need::High => "high",
        }
    }
}

/// Copenhagen's department staircase [CPH 6.2, B17].
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentStaircase {
    /// High need: at least this many udsat criteria met.
    pub high_min_udsat_criteria: Sourced<u32>,
    /// Medium need: at least this many criteria within the risk zone.
    pub medium_min_risk_zone_criteria: Sourced<u32>,
    /// Allocated-share bands, sorted, covering 0–100 % without gaps or overlaps.
    pub bands: Vec<AllocatedBand>,
    /// Step per (band id, need); every cell present.
    pub table: Vec<StepCell>,
    pub table_source: SourceRef,
}

/// A band of allocated share: `from_pct` ≤ share < `to_pct` (`to_pct` open for the top band).
#[derive(Debug, Clone, Serialize)]
pub struct AllocatedBand {
    pub id: String,
    pub from_pct: Pct,
    pub to_pct: Option<Pct>,
    pub source: SourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<String>,
}

impl AllocatedBand {
    pub fn contains(&self, share: Pct) -> bool {
        share >= self.from_pct && self.to_pct.is_none_or(|to| share < to)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepCell {
    pub band: String,
    pub need: Need,
    pub step: String,
}

impl DepartmentStaircase {
    pub fn band_for(&self, share: Pct) -> Option<&AllocatedBand> {
        self.bands.iter().find(|b| b.contains(share))
    }

    pub fn step_for(&self, band: &str, need: Need) -> Option<&str> {
        self.table
            .iter()
            .find(|c| c.band == band && c.need == need)
            .map(|c| c.step.as_str())
    }
}

/// Which thresholds the yellow rule counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdLevel {
    Forebyggelse,
    RiskZone,
    Udsat,
}

impl ThresholdLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ThresholdLevel::Forebyggelse => "forebyggelse",
            ThresholdLevel::RiskZone => "risk_zone",
            ThresholdLevel::Udsat => "udsat",
        }
    }
}

/// Aalborg's traffic light [AAL].
#[derive(Debug, Clone, Serialize)]
pub struct TrafficLight {
    /// Departments in areas with these designations are red.
    pub red_designations: Sourced<Vec<Designation>>,
    /// A department not red is yellow when at least `yellow_min_criteria` of the four
    /// criteria are met at `yellow_level`; green otherwise.
    pub yellow_level: Sourced<ThresholdLevel>,
    pub yellow_min_criteria: Sourced<u32>,
}

/// The channels that compete for a vacancy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    WaitingList,
    Flexible,
    MunicipalAllocation,
    UrbanRenewal,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::WaitingList,
        Channel::Flexible,
        Channel::MunicipalAllocation,
        Channel::UrbanRenewal,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::WaitingList => "waiting_list",
            Channel::Flexible => "flexible",
            Channel::MunicipalAllocation => "municipal_allocation",
            Channel::UrbanRenewal => "urban_renewal",
        }
    }
}

/// Whether flexible letting is absent, possible by agreement, or required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlexibleLetting {
    None,
    Possible,
    Required,
}

/// Whether the municipality may allocate citizens to the department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationRule {
    Allowed,
    /// Allowed within the legal limits for designated areas (§59 stk. 7).
    Limited,
    Suspended,
}

/// The staircase a step belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Staircase {
    Area,
    Department,
    TrafficLight,
    /// The groups of a named list.
    List,
}

impl Staircase {
    pub const ALL: [Staircase; 4] = [
        Staircase::Area,
        Staircase::Department,
        Staircase::TrafficLight,
        Staircase::List,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Staircase::Area => "area",
            Staircase::Department => "department",
            Staircase::TrafficLight => "traffic-light",
            Staircase::List => "list",
        }
    }
}

/// A code that names none of the values of its type (a staircase, say, read back from
/// storage): an error, never a default.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {what}; expected one of {expected}")]
pub struct UnknownCode {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

impl std::str::FromStr for Channel {
    type Err = UnknownCode;

    /// The code `as_str` writes ("waiting_list", "flexible", …).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode {
                what: "channel",
                value: s.to_string(),
                expected: Channel::ALL.map(Channel::as_str).join(", "),
            })
    }
}

impl std::str::FromStr for Staircase {
    type Err = UnknownCode;

    /// The code `as_str` writes: "area", "department" or "traffic-light".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Staircase::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCode {
                what: "staircase",
                value: s.to_string(),
                expected: Staircase::ALL.map(Staircase::as_str).join(", "),
            })
    }
}

/// What a step means for letting during one period.
#[derive(Debug, Clone, Serialize)]
pub struct StepRule {
    pub staircase: Staircase,
    pub step: String,
    pub period: Period,
    pub label_da: String,
    pub label_en: String,
    pub channels: Vec<Channel>,
    pub municipal_allocation: AllocationRule,
    pub report_homes_to_allocation: bool,
    pub flexible: FlexibleLetting,
    /// Names of the criteria sets that may be used (e.g. "A", "B", "tightened:relevant").
    pub criteria_sets: Vec<String>,
    /// The shares of each channel as written in the source, for display.
    pub shares: Vec<(Channel, String)>,
    pub source: SourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<String>,
}

/// One slot's channel and criteria set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotChoice {
    pub channel: Channel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criteria: Option<String>,
    /// Part of the extra share lent from urban-renewal rehousing to the allocation
    /// (the "+1/9", "+1/18"): a department exempt from the extra share lets this choice
    /// through the slot's fallback instead [CPH 6.2.2, B15].
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub extra: bool,
}

/// One slot of a letting wheel: one choice, or alternating choices ("på skift"), or
/// the organisation's choice between options ("or").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slot {
    /// Used in turn on successive rounds; one element for a plain slot.
    pub alternate: Vec<SlotChoice>,
    /// The organisation chooses between these instead (dept 1 "venteliste eller fleksible").
    pub organisation_chooses: bool,
    /// What the home goes to when an allocation slot is not used, in order.
    pub fallback: Vec<Channel>,
}

/// One channel's share of the vacancies (an agreement that states percentages instead
/// of a wheel: "25 % af de ledige familieboliger").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub channel: Channel,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criteria: Option<String>,
    /// The share; zero for a share decided per department (`range`) or the rest.
    pub percent: Pct,
    /// A range the parties decide within for each department ("20–30 %"): the
    /// department's recorded share is used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<(Pct, Pct)>,
    /// What the other shares leave (with a share decided per department).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rest: bool,
    pub source: SourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<String>,
}

/// The slots of one period of the rotation of these shares with these percentages.
pub fn share_slots(shares: &[Share], percents: &[Pct]) -> Vec<Slot> {
    share_rotation(percents, rotation_period(percents))
        .into_iter()
        .map(|i| Slot {
            alternate: vec![SlotChoice {
                channel: shares[i].channel,
                criteria: shares[i].criteria.clone(),
                extra: false,
            }],
            organisation_chooses: false,
            fallback: Vec::new(),
        })
        .collect()
}

/// The percentages of shares with one decided per department: the decided share, the
/// rest what the fixed ones leave. `None` when the decided share is outside its range.
pub fn decided_percents(shares: &[Share], decided: Pct) -> Option<Vec<Pct>> {
    let ranged = shares.iter().find_map(|s| s.range)?;
    if decided < ranged.0 || decided > ranged.1 {
        return None;
    }
    let fixed: Pct = shares
        .iter()
        .filter(|s| s.range.is_none() && !s.rest)
        .map(|s| s.percent)
        .sum();
    Some(
        shares
            .iter()
            .map(|s| {
                if s.range.is_some() {
                    decided
                } else if s.rest {
                    Pct::from(100) - fixed - decided
                } else {
                    s.percent
                }
            })
            .collect(),
    )
}

/// The rotation that realises shares, earliest deadline first: a share's k-th vacancy is
/// due before vacancy k / share + 1 and may come once share × n exceeds k − 1; at each
/// vacancy, of the shares that may come, the one due first gets it, and a tie goes to the
/// share listed first. Returns the index of the share for each of the first `n`
/// vacancies. For every share and every n the count differs from share × n by less than
/// one (tested; Tijdeman's chairman-assignment bound). The sequence repeats after the
/// least n at which every share × n is whole.
pub fn share_rotation(percents: &[Pct], n: usize) -> Vec<usize> {
    let mut counts = vec![0i64; percents.len()];
    let mut out = Vec::with_capacity(n);
    for k in 1..=n {
        let k = Pct::from(k as i64);
        let mut best: Option<(usize, Pct)> = None;
        for (i, p) in percents.iter().enumerate() {
            if p.is_zero() {
                continue;
            }
            let count = Pct::from(counts[i]);
            // May come: the count is below share × n.
            if count * Pct::from(100) >= *p * k {
                continue;
            }
            // Due: the next one must come before (count + 1) / share.
            let due = (count + Pct::ONE) * Pct::from(100) / *p;
            if best.is_none_or(|(_, d)| due < d) {
                best = Some((i, due));
            }
        }
        let Some((i, _)) = best else { break };
        counts[i] += 1;
        out.push(i);
    }
    out
}

/// The length after which a rotation of these shares repeats: the least n ≥ 1 with
/// every share × n whole (at most 100 for whole percentages; 10,000 for hundredths).
pub fn rotation_period(percents: &[Pct]) -> usize {
    let hundred = Pct::from(100);
    (1..=10_000usize)
        .find(|n| {
            percents
                .iter()
                .all(|p| (*p * Pct::from(*n as i64) / hundred).fract().is_zero())
        })
        .unwrap_or(10_000)
}

/// The letting wheel of one step during one period [CPH B4 III].
#[derive(Debug, Clone, Serialize)]
pub struct WheelRule {
    pub staircase: Staircase,
    pub step: String,
    pub period: Period,
    /// The slots in turn; for shares, the rotation that realises them (one period).
    pub slots: Vec<Slot>,
    /// The shares the slots realise, when the agreement states shares (else empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shares: Vec<Share>,
    /// A share the agreement leaves to the parties ("et antal boliger"): until they
    /// record it, no vacancy of the step is let by the agreement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<Sourced<String>>,
    pub source: SourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpretation: Option<String>,
}

impl Agreement {
    /// The wheel for a step on a date, if the agreement defines one.
    pub fn wheel_rule(&self, staircase: Staircase, step: &str, on: Date) -> Option<&WheelRule> {
        self.wheels
            .iter()
            .find(|w| w.staircase == staircase && w.step == step && w.period.contains(on))
    }

    /// The step rule for a step on a date, if the agreement defines one.
    pub fn step_rule(&self, staircase: Staircase, step: &str, on: Date) -> Option<&StepRule> {
        self.steps
            .iter()
            .find(|s| s.staircase == staircase && s.step == step && s.period.contains(on))
    }
}

#[cfg(test)]
mod staircase_codes {
    use super::Staircase;

    // Every code reads back as the staircase that wrote it; anything else is an error,
    // never a default (issue 15: it used to become the traffic light).
    #[rstest::rstest]
    #[case("area", Some(Staircase::Area))]
    #[case("department", Some(Staircase::Department))]
    #[case("traffic-light", Some(Staircase::TrafficLight))]
    #[case("list", Some(Staircase::List))]
    #[case("Area", None)]
    #[case("traffic_light", None)]
    #[case("", None)]
    #[case("red", None)]
    fn a_code_is_a_staircase_or_an_error(#[case] code: &str, #[case] expected: Option<Staircase>) {
        let parsed = code.parse::<Staircase>();
        assert_eq!(parsed.as_ref().ok().copied(), expected);
        if let Err(e) = parsed {
            assert_eq!(
                e.to_string(),
                format!(
                    "{code:?} is not a staircase; expected one of area, department, traffic-light, list"
                )
            );
        }
        for s in Staircase::ALL {
            assert_eq!(s.as_str().parse::<Staircase>(), Ok(s));
        }
    }
}

#[cfg(test)]
mod shares {
    use proptest::prelude::*;

    use super::{rotation_period, share_rotation};
    use crate::Pct;

    fn pct(s: &str) -> Pct {
        s.parse().unwrap()
    }

    /// "25 % af de ledige familieboliger" [VB; BOV]: one vacancy in four goes flexible.
    /// The first two go to the rest (due first: before 2.33 and 3.67 against 5); at the
    /// third both are due before 5 and the tie goes to the share listed first, flexible.
    #[test]
    fn a_quarter_is_every_fourth_vacancy() {
        let p = [pct("25"), pct("75")];
        assert_eq!(rotation_period(&p), 4);
        assert_eq!(share_rotation(&p, 8), [1, 1, 0, 1, 1, 1, 0, 1]);
        // Three shares of a flexible letting's target groups (80/10/10): period 10.
        let q = [pct("80"), pct("10"), pct("10")];
        assert_eq!(rotation_period(&q), 10);
        let r = share_rotation(&q, 10);
        assert_eq!(r.iter().filter(|i| **i == 0).count(), 8);
        assert_eq!(r.iter().filter(|i| **i == 1).count(), 1);
    }

    /// A share decided per department within a range ("mellem 20 og 30 %"): the
    /// department's share, the rest what the fixed shares leave; outside the range, none.
    #[test]
    fn a_decided_share_within_its_range() {
        use super::{decided_percents, Channel, Share};
        let share = |percent: &str, range: Option<(&str, &str)>, rest: bool| Share {
            channel: Channel::Flexible,
            criteria: None,
            percent: pct(percent),
            range: range.map(|(a, b)| (pct(a), pct(b))),
            rest,
            source: String::new(),
            interpretation: None,
        };
        let shares = [
            share("0", Some(("20", "30")), false),
            share("10", None, false),
            share("0", None, true),
        ];
        assert_eq!(
            decided_percents(&shares, pct("20")),
            Some(vec![pct("20"), pct("10"), pct("70")])
        );
        assert_eq!(
            decided_percents(&shares, pct("30")),
            Some(vec![pct("30"), pct("10"), pct("60")])
        );
        assert_eq!(decided_percents(&shares, pct("19.99")), None);
        assert_eq!(decided_percents(&shares, pct("30.01")), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// For every share and every n, the count among the first n vacancies differs
        /// from share × n by less than one.
        #[test]
        fn every_prefix_is_within_one_of_its_shares(
            cuts in proptest::collection::vec(1u32..100, 1..5),
            n in 1usize..400,
        ) {
            // Shares from cut points of 100: whole percentages adding up to 100.
            let mut points: Vec<u32> = cuts;
            points.sort_unstable();
            points.dedup();
            let mut percents = Vec::new();
            let mut last = 0;
            for p in points.iter().chain([100].iter()) {
                percents.push(Pct::from(p - last));
                last = *p;
            }
            let order = share_rotation(&percents, n);
            let mut counts = vec![0i64; percents.len()];
            for (k, i) in order.iter().enumerate() {
                counts[*i] += 1;
                let m = Pct::from(k as i64 + 1);
                for (j, p) in percents.iter().enumerate() {
                    let gap = (*p * m / Pct::from(100) - Pct::from(counts[j])).abs();
                    prop_assert!(gap < Pct::ONE, "share {p} after {m}: count {} (percents {percents:?})", counts[j]);
                }
            }
        }
    }
}
