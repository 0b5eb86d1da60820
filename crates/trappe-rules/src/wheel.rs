//! The letting wheel: which channel gets a vacancy in a department.
//!
//! Vacancies in a department are let in a repeating wheel of slots [CPH B4 III]. The
//! wheel follows from the department's placement and the date; alternating ("på
//! skift") slots use their choices in turn on successive rounds, so the 1/18 shares
//! come out exactly over two rounds. Around the wheel stand the special homes of
//! the agreement: homes fitted for a disability, særboliger and youth shared homes
//! being phased out, new builds, youth departments, subsidised homes and homes for
//! special groups [CPH 7, 8.4, 8.5, 9, 11].
//!
//! Everything here is a pure function of (agreement, facts, date). The facts that come
//! from history (the wheel position, realised allocations, recorded decisions) are
//! derived from the vacancy ledger by the store and handed in as [`VacancyFacts`].

use std::borrow::Cow;

use serde::Serialize;

use crate::agreement::{
    Agreement, AllocationRule, Channel, Period, Slot, SlotChoice, SourceRef, Sourced, Staircase,
};
use crate::deadlines::DeadlineRules;
use crate::{Date, Pct};

/// The letting rules of an agreement beyond the wheels themselves.
#[derive(Debug, Clone, Serialize)]
pub struct LettingRules {
    pub source: SourceRef,
    /// The deadlines of the municipal allocation [CPH B14].
    pub deadlines: DeadlineRules,
    pub disability_fitted: Option<DisabilityFittedRule>,
    pub accessibility: Option<AccessibilityRule>,
    pub safeguard: Option<SafeguardRule>,
    pub exemption: Option<ExemptionRule>,
    pub youth: Option<YouthRule>,
    pub new_build: Option<NewBuildRule>,
    pub phase_out: Option<PhaseOutRule>,
    pub refugee_shared: Option<RefugeeSharedRule>,
    pub subsidy: Option<SubsidyRule>,
}

/// A home fitted for a physical disability for more than `min_cost_kr` after
/// `fitted_after` goes back to the allocation when vacant; the organisation takes the
/// next allocation slot instead [CPH 8.4].
#[derive(Debug, Clone, Serialize)]
pub struct DisabilityFittedRule {
    pub min_cost_kr: Sourced<Pct>,
    pub fitted_after: Sourced<Date>,
}

/// Accessibility homes (the C criterion): at most this share of a department's family
/// homes [CPH 5.2.3, B4 IV].
#[derive(Debug, Clone, Serialize)]
pub struct AccessibilityRule {
    pub max_share_pct: Sourced<Pct>,
}

/// The safeguard on a step: the `nth_allocation` allocation home of a round may go to
/// `channel` once the ones before it in the round were realised, in departments with a
/// recorded safeguard [CPH 6.2.1].
#[derive(Debug, Clone, Serialize)]
pub struct SafeguardRule {
    pub staircase: Staircase,
    pub step: String,
    pub nth_allocation: Sourced<u32>,
    pub channel: Channel,
    pub source: SourceRef,
}

/// Exemption from the extra share on these department steps: where realised
/// allocation exceeded every `every_nth_vacancy`-th vacancy in a calendar year, the
/// following year [CPH 6.2.2, B15].
#[derive(Debug, Clone, Serialize)]
pub struct ExemptionRule {
    pub steps: Vec<String>,
    pub every_nth_vacancy: Sourced<u32>,
    /// Whether the exemption needs the Samarbejdsforum's approval (bilag 15) or
    /// follows automatically (main text 6.2.2).
    pub requires_approval: Sourced<bool>,
}

/// Departments mainly of youth homes [CPH 7.1, 7.2].
#[derive(Debug, Clone, Serialize)]
pub struct YouthRule {
    pub slots: Vec<Slot>,
    pub source: SourceRef,
    pub interpretation: Option<String>,
    /// At most one allocated tenant per shared kitchen [CPH 7.2].
    pub one_allocated_per_shared_kitchen: Sourced<bool>,
    /// A department is "mainly youth homes" when youth homes are more than this share
    /// of its family and youth homes.
    pub mainly_youth_above_pct: Sourced<Pct>,
}

impl YouthRule {
    /// Whether a department with these homes lets by the youth wheel [CPH 7.1].
    pub fn mainly_youth(&self, family_homes: u32, youth_homes: u32) -> bool {
        let all = family_homes + youth_homes;
        all > 0
            && Pct::from(youth_homes) * Pct::from(100)
                > self.mainly_youth_above_pct.value * Pct::from(all)
    }
}

/// New builds taken into use in `taken_into_use` [CPH 11, fig 11–12].
#[derive(Debug, Clone, Serialize)]
pub struct NewBuildRule {
    pub taken_into_use: Period,
    pub source: SourceRef,
    /// How long after first use the new-build rules hold.
    pub years: Sourced<u32>,
    /// No department carries more allocation than this share (numerator, denominator)
    /// of its homes, cheap homes included; kept as a fraction so "1/3" is exact.
    pub max_allocation_share: Sourced<(u32, u32)>,
    /// The wheel of re-lettings of the other homes, by the share of cheap homes.
    pub bands: Vec<NewBuildBand>,
    /// The wheel whose allocation slots the first letting of the other homes skips
    /// ("efter afdelingstrappens trin 1 uden kommunal anvisning").
    pub first_letting_step: Sourced<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewBuildBand {
    pub id: String,
    pub from_pct: Pct,
    pub to_pct: Option<Pct>,
    pub slots: Vec<Slot>,
    pub source: SourceRef,
    pub interpretation: Option<String>,
}

/// When særboliger and youth shared homes are phased out, by the department's step at
/// the agreement's start [CPH 9].
#[derive(Debug, Clone, Serialize)]
pub struct PhaseOutRule {
    pub source: SourceRef,
    pub starts: Vec<PhaseOutStart>,
    pub interpretation: Option<String>,
}

/// Phase-out on `staircase` step `step` starts on `from`; with a share band, only for
/// departments whose allocated share at the start lies in `[from_pct, to_pct)`.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseOutStart {
    pub staircase: Staircase,
    pub step: String,
    pub from_pct: Option<Pct>,
    pub to_pct: Option<Pct>,
    pub from: Date,
    pub source: SourceRef,
}

/// Refugee shared homes: only on this step, at most this many places a year
/// [CPH 8.5.3, B9].
#[derive(Debug, Clone, Serialize)]
pub struct RefugeeSharedRule {
    pub staircase: Staircase,
    pub step: String,
    pub places_per_year: Sourced<u32>,
}

/// A subsidised home (tilskudsbolig) vacated within `years` of the first subsidy may
/// go to another subsidy tenant; only then does it join the wheel [CPH 8.5.2].
#[derive(Debug, Clone, Serialize)]
pub struct SubsidyRule {
    pub years: Sourced<u32>,
}

/// What a home is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HomeKind {
    Family,
    Youth,
    Elderly,
}

/// Homes with their own letting rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HomeSpecial {
    /// Særbolig: earmarked for the allocation until its department's phase-out [CPH 9].
    Saerbolig,
    /// A youth shared home (delebolig for udsatte unge) [CPH 9].
    YouthShared,
    /// Financed for a special group: 100 % allocation [CPH 11].
    SpecialGroup,
    /// A subsidised home (tilskudsbolig) [CPH 8.5.2].
    Subsidy,
}

impl HomeSpecial {
    pub fn as_str(self) -> &'static str {
        match self {
            HomeSpecial::Saerbolig => "saerbolig",
            HomeSpecial::YouthShared => "youth_shared",
            HomeSpecial::SpecialGroup => "special_group",
            HomeSpecial::Subsidy => "subsidy",
        }
    }
    pub fn parse(s: &str) -> Option<HomeSpecial> {
        Some(match s {
            "saerbolig" => HomeSpecial::Saerbolig,
            "youth_shared" => HomeSpecial::YouthShared,
            "special_group" => HomeSpecial::SpecialGroup,
            "subsidy" => HomeSpecial::Subsidy,
            _ => return None,
        })
    }
}

impl HomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HomeKind::Family => "family",
            HomeKind::Youth => "youth",
            HomeKind::Elderly => "elderly",
        }
    }
    pub fn parse(s: &str) -> Option<HomeKind> {
        Some(match s {
            "family" => HomeKind::Family,
            "youth" => HomeKind::Youth,
            "elderly" => HomeKind::Elderly,
            _ => return None,
        })
    }
}

/// One home of a department, as the homes register holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Home {
    pub department_id: String,
    pub id: String,
    pub address: String,
    pub kind: HomeKind,
    /// Named as an accessibility home (C criterion).
    pub accessibility: bool,
    /// Fitted for a physical disability: cost in kr and the date of the fitting.
    pub disability_fitted: Option<(Pct, Date)>,
    pub special: Option<HomeSpecial>,
    /// For a subsidised home: the first subsidy's date.
    pub special_since: Option<Date>,
    /// A cheap home of a new build, targeted at the allocation.
    pub cheap: bool,
    /// When a new build's home was first taken into use.
    pub first_use: Option<Date>,
    /// The shared kitchen of a corridor dormitory room.
    pub shared_kitchen: Option<String>,
}

/// Which wheel a vacancy is let by: a staircase step's, the youth wheel, or a new
/// build's. A department keeps its position while it stays on one wheel key (also
/// across the agreement's periods, e.g. dept 2's wheel of 1 January 2026); a new key
/// starts at slot 1 of round 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WheelKey {
    Staircase {
        staircase: Staircase,
        step: String,
    },
    /// A step whose share is decided per department: each decided share is a rotation
    /// of its own, which starts afresh when the share changes.
    DecidedShare {
        staircase: Staircase,
        step: String,
        percent: Pct,
    },
    Youth,
    NewBuild {
        band: String,
    },
    NewBuildFirstLetting,
}

impl std::fmt::Display for WheelKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WheelKey::Staircase { staircase, step } => write!(f, "{}:{step}", staircase.as_str()),
            WheelKey::DecidedShare {
                staircase,
                step,
                percent,
            } => write!(f, "{}:{step}@{}%", staircase.as_str(), percent.normalize()),
            WheelKey::Youth => f.write_str("youth"),
            WheelKey::NewBuild { band } => write!(f, "new_build:{band}"),
            WheelKey::NewBuildFirstLetting => f.write_str("new_build:first_letting"),
        }
    }
}

/// A slot-consuming vacancy already in the department's current episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpisodeEntry {
    pub position: u64,
    /// The channel the vacancy was given.
    pub channel: Option<Channel>,
    /// Whether an allocation home was let to an allocated citizen.
    pub realised: bool,
}

/// The wheel's history in a department, derived from the ledger.
#[derive(Debug, Clone, Default)]
pub struct WheelState {
    /// The wheel key of the newest slot-consuming vacancy.
    pub key: Option<String>,
    /// The position the next vacancy takes if it is on the same key (0-based).
    pub next_position: u64,
    /// The entries of the current episode (at least the current round's).
    pub episode: Vec<EpisodeEntry>,
    /// Disability-fitted homes returned to the allocation whose "next allocation slot
    /// to the organisation" has not been used yet.
    pub disability_credits: u32,
}

/// New-build facts of a department.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewBuildFacts {
    pub first_use: Date,
    /// Cheap family and youth homes as a share of the new build's homes.
    pub cheap_share_pct: Pct,
    /// The department's family and youth homes (the 1/3 cap is over the whole
    /// department).
    pub homes: u32,
    pub cheap_homes: u32,
    /// Other homes already given to the allocation since first use.
    pub allocated_others: u32,
}

/// Everything the wheel needs to decide one vacancy.
#[derive(Debug, Clone)]
pub struct VacancyFacts<'a> {
    /// The date the home falls vacant.
    pub on: Date,
    pub staircase: Staircase,
    pub step: &'a str,
    /// The department is mainly youth homes [CPH 7.1].
    pub mainly_youth: bool,
    pub home: &'a Home,
    /// No earlier vacancy of this home is in the ledger.
    pub first_letting: bool,
    pub state: &'a WheelState,
    /// The organisation's choice for "or" slots, fixed in its individual agreement;
    /// `None`: the slot's first option.
    pub organisation_choice: Option<Channel>,
    /// The organisation's criteria set for flexible "or" slots (dept 1: "A" or "B").
    pub organisation_criteria: Option<String>,
    /// The department is exempt from the extra share this year.
    pub exempt_from_extra: bool,
    /// The department has a recorded safeguard [CPH 6.2.1].
    pub safeguard: bool,
    /// Another room of the same shared kitchen is let to an allocated tenant.
    pub kitchen_has_allocated_tenant: bool,
    pub new_build: Option<NewBuildFacts>,
    /// The department's placement at the agreement's start: staircase, step and
    /// allocated share, for the phase-out of særboliger [CPH 9].
    pub start_placement: Option<(Staircase, String, Option<Pct>)>,
    /// The department's recorded share, where the agreement's share is decided per
    /// department within a range.
    pub decided_share: Option<Pct>,
    /// The agreement suspends municipal allocation for the department outside its step
    /// (the passage): a development-plan area in its transition [CPH 6.1.6].
    pub allocation_suspended_by: Option<SourceRef>,
}

/// Where a vacancy sits in its wheel.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct WheelPosition {
    pub key: String,
    /// 0-based count of vacancies on this key before this one.
    pub position: u64,
    /// 1-based slot and round.
    pub slot: u32,
    pub round: u64,
    pub slots: u32,
    pub source: SourceRef,
}

/// The decision for one vacancy.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Assignment {
    /// The channel the home goes to; `None` when it is not re-let (a room in a youth
    /// shared home being phased out).
    pub channel: Option<Channel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criteria: Option<String>,
    /// Where the home goes, in order, when the channel does not use it.
    pub fallback: Vec<Channel>,
    /// The wheel slot the vacancy took; `None` for homes outside the wheel.
    pub wheel: Option<WheelPosition>,
    pub used_disability_credit: bool,
    pub gives_disability_credit: bool,
    pub accessibility_home: bool,
    pub reasons: Vec<LettingReason>,
}

/// Why a vacancy got its channel: stable codes with parameters, rendered at the edge.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum LettingReason {
    /// The slot of the wheel in force [CPH B4 III].
    WheelSlot {
        wheel: String,
        slot: u32,
        round: u64,
        channel: Channel,
        criteria: Option<String>,
        alternating: bool,
        source: SourceRef,
    },
    /// The organisation's choice for an "or" slot, from its individual agreement.
    OrganisationChoice {
        chosen: Channel,
        recorded: bool,
        /// The organisation's criteria set when this slot does not offer it (dept 1
        /// slot 4 offers B only; an organisation letting by A takes the waiting list).
        #[serde(skip_serializing_if = "Option::is_none")]
        criteria_not_offered: Option<String>,
    },
    /// The department changed wheel: the new one starts at slot 1.
    WheelRestarted {
        previous: Option<String>,
        now: String,
    },
    /// The extra share is not given: the department is exempt this year.
    ExtraShareExempt { instead: Channel, source: SourceRef },
    /// A disability-fitted home returned to the allocation earlier: this allocation
    /// slot goes to the organisation [CPH 8.4].
    DisabilityCreditUsed { instead: Channel, source: SourceRef },
    /// This home is fitted for a disability and goes back to the allocation [CPH 8.4].
    DisabilityFittedHome {
        #[serde(serialize_with = "crate::pct_number")]
        cost_kr: Pct,
        fitted_on: Date,
        source: SourceRef,
    },
    /// The safeguard: the nth allocation home of the round goes to the waiting list
    /// [CPH 6.2.1].
    Safeguard {
        nth: u32,
        realised: u32,
        instead: Channel,
        source: SourceRef,
    },
    /// One allocated tenant per shared kitchen [CPH 7.2].
    SharedKitchenCap {
        kitchen: String,
        instead: Channel,
        source: SourceRef,
    },
    /// New build: cheap homes are 100 % allocation for the first years [CPH 11].
    NewBuildCheapHome {
        first_use: Date,
        until: Date,
        source: SourceRef,
    },
    /// New build: the first letting of the other homes skips the allocation [CPH 11 fig 11].
    NewBuildFirstLetting { instead: Channel, source: SourceRef },
    /// New build: the wheel by the share of cheap homes [CPH 11 fig 12].
    NewBuildBand {
        band: String,
        #[serde(serialize_with = "crate::pct_number")]
        cheap_share_pct: Pct,
        until: Date,
        source: SourceRef,
    },
    /// New build: no more than the cap of allocation in the department [CPH 11].
    NewBuildAllocationCap {
        allocated: u32,
        homes: u32,
        /// The cap as written, e.g. "1/3".
        max_share: String,
        instead: Channel,
        source: SourceRef,
    },
    /// Særbolig still earmarked for the allocation [CPH 9].
    SaerboligEarmarked {
        phase_out_from: Option<Date>,
        source: SourceRef,
    },
    /// Særbolig whose phase-out has started: it joins the wheel [CPH 9].
    SaerboligPhasedOut {
        phase_out_from: Date,
        source: SourceRef,
    },
    /// Youth shared home being phased out: not re-let, the municipality pays the
    /// empty-home rent [CPH 9].
    YouthSharedPhasedOut {
        phase_out_from: Date,
        source: SourceRef,
    },
    /// Youth shared home before its phase-out: the municipality's.
    YouthSharedEarmarked {
        phase_out_from: Option<Date>,
        source: SourceRef,
    },
    /// A home financed for a special group: 100 % allocation [CPH 11].
    SpecialGroupHome,
    /// A subsidised home within its first years: another subsidy tenant [CPH 8.5.2].
    SubsidyHome {
        since: Date,
        until: Date,
        source: SourceRef,
    },
    /// Department mainly of youth homes: the youth wheel [CPH 7.1].
    YouthDepartment { source: SourceRef },
    /// The step suspends the allocation (area step 2): a home that would go to the
    /// allocation outside the wheel is let by the organisation [CPH 6.1.3, B4 III].
    AllocationSuspended { instead: Channel },
    /// The department's area is in the transition after its development plan: the
    /// agreement suspends municipal allocation there, so the organisation lets the home
    /// [CPH 6.1.6].
    DevelopmentPlanTransition { instead: Channel, source: SourceRef },
    /// An accessibility home: an applicant meeting C goes first; an allocated citizen
    /// need not need it [CPH 5.2.3, B4 IV].
    AccessibilityHome { source: SourceRef },
}

/// Why a vacancy cannot be decided.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WheelError {
    #[error("the agreement has no letting wheel for {staircase} step {step} on {on}")]
    NoWheel {
        staircase: &'static str,
        step: String,
        on: Date,
    },
    #[error("{on} is outside the agreement's period ({from} – {to})")]
    OutsideAgreement { on: Date, from: Date, to: String },
    #[error("the share of {staircase} step {step} is not yet recorded by the parties: {reason} [{source_ref}]")]
    Pending {
        staircase: &'static str,
        step: String,
        reason: String,
        source_ref: String,
    },
    #[error("the department is not covered by the agreement (its list does not name it): the agreement lets none of its vacancies")]
    NotCovered,
    #[error("the department has no colour in force: the municipality's latest overview omits it, and the agreement lets none of its vacancies until an overview gives it a colour")]
    NotInOverview,
    #[error("the department has no colour: it has no figures, and the municipality has not given it one in an overview; the agreement lets none of its vacancies until then")]
    NoData,
    #[error("the department's share of {staircase} step {step} is decided per department, {from}–{to} %, and none is recorded: record it with trappe vacancy decide --decision share [{source_ref}]")]
    ShareNotDecided {
        staircase: &'static str,
        step: String,
        from: Pct,
        to: Pct,
        source_ref: String,
    },
    #[error("the department's recorded share {share} % is outside the agreement's range {from}–{to} % [{source_ref}]")]
    ShareOutsideRange {
        share: Pct,
        from: Pct,
        to: Pct,
        source_ref: String,
    },
}

/// The organisation's channel for a slot: the last of its fallbacks (the waiting list
/// on dept 1–2, flexible on dept 3–4 and the area staircase), or the waiting list.
fn organisation_channel(slot: &Slot) -> Channel {
    slot.fallback
        .iter()
        .rev()
        .copied()
        .find(|c| *c != Channel::UrbanRenewal && *c != Channel::MunicipalAllocation)
        .unwrap_or(Channel::WaitingList)
}

/// The criteria a channel chosen instead of an allocation slot uses: the slots'
/// flexible criteria set when the channel is flexible.
fn criteria_for(channel: Channel, slots: &[Slot], step_sets: &[String]) -> Option<String> {
    if channel != Channel::Flexible {
        return None;
    }
    slots
        .iter()
        .flat_map(|s| s.alternate.iter())
        .find(|c| c.channel == Channel::Flexible)
        .and_then(|c| c.criteria.clone())
        .or_else(|| step_sets.first().cloned())
}

/// Where a home the allocation does not take goes on a step: the organisation's channel
/// of the step wheel's first allocation slot, else the wheel's first channel (area step
/// 2: flexible with all tightened criteria), with its criteria.
fn organisation_default(slots: &[Slot], step_sets: &[String]) -> (Channel, Option<String>) {
    let channel = match slots.iter().find(|s| {
        s.alternate
            .iter()
            .any(|c| c.channel == Channel::MunicipalAllocation)
    }) {
        Some(slot) => organisation_channel(slot),
        None => slots
            .first()
            .and_then(|s| s.alternate.first())
            .map_or(Channel::WaitingList, |c| c.channel),
    };
    (channel, criteria_for(channel, slots, step_sets))
}

/// The choice a slot gives on a round: alternating slots use their choices in turn
/// (round 1 the first, round 2 the second, …); "or" slots the organisation's choice of
/// channel and, for flexible letting, of criteria set (dept 1: A or B, fixed in its
/// individual agreement [CPH 6.2.1, B4 III]). A recorded criteria set the slot does not
/// offer (B only, where the organisation chose A) leaves the slot's other option.
pub fn slot_choice(
    slot: &Slot,
    round: u64,
    organisation_choice: Option<Channel>,
    organisation_criteria: Option<&str>,
) -> (SlotChoice, bool) {
    if slot.organisation_chooses {
        let offers = |c: &SlotChoice, k: &str| {
            c.criteria
                .as_deref()
                .is_some_and(|set| set.split('|').any(|x| x == k))
        };
        let chosen = match (organisation_choice, organisation_criteria) {
            (Some(Channel::Flexible), Some(k)) => {
                match slot
                    .alternate
                    .iter()
                    .find(|c| c.channel == Channel::Flexible && offers(c, k))
                {
                    Some(c) => SlotChoice {
                        criteria: Some(k.to_string()),
                        ..c.clone()
                    },
                    None => slot
                        .alternate
                        .iter()
                        .find(|c| c.channel != Channel::Flexible)
                        .unwrap_or(&slot.alternate[0])
                        .clone(),
                }
            }
            (choice, _) => choice
                .and_then(|c| slot.alternate.iter().find(|s| s.channel == c))
                .unwrap_or(&slot.alternate[0])
                .clone(),
        };
        return (chosen, false);
    }
    let n = slot.alternate.len() as u64;
    (slot.alternate[(round % n) as usize].clone(), n > 1)
}

/// The phase-out start of særboliger and youth shared homes in a department, from its
/// placement at the agreement's start [CPH 9].
pub fn phase_out_start(
    rules: &LettingRules,
    start: &(Staircase, String, Option<Pct>),
) -> Option<Date> {
    let (staircase, step, share) = start;
    rules.phase_out.as_ref()?.starts.iter().find_map(|s| {
        let in_band = match (s.from_pct, *share) {
            (None, _) => true,
            (Some(from), Some(v)) => v >= from && s.to_pct.is_none_or(|to| v < to),
            (Some(_), None) => false,
        };
        (s.staircase == *staircase && s.step == *step && in_band).then_some(s.from)
    })
}

/// Whether realised allocation exceeded every `nth` vacancy: realised > vacancies / nth
/// [CPH 6.2.2 "mere end hver 3. ledige bolig", B15].
pub fn exceeds_every_nth(vacancies: u32, realised: u32, nth: u32) -> bool {
    u64::from(realised) * u64::from(nth) > u64::from(vacancies)
}

fn add_years(d: Date, years: u32) -> Date {
    d.checked_add_months(chrono::Months::new(years * 12))
        .unwrap_or(d)
}

fn outside_wheel(channel: Option<Channel>, reasons: Vec<LettingReason>) -> Assignment {
    Assignment {
        channel,
        criteria: None,
        fallback: Vec::new(),
        wheel: None,
        used_disability_credit: false,
        gives_disability_credit: false,
        accessibility_home: false,
        reasons,
    }
}

/// Decides the channel of one vacancy.
pub fn assign(agreement: &Agreement, f: &VacancyFacts<'_>) -> Result<Assignment, WheelError> {
    if !agreement.period.contains(f.on) {
        return Err(WheelError::OutsideAgreement {
            on: f.on,
            from: agreement.period.from,
            to: agreement.period.to.map_or("open".into(), |d| d.to_string()),
        });
    }
    // A department the agreement's list does not name: nothing of it is let by the
    // agreement, special homes included (unless the file writes a step for it).
    if f.staircase == Staircase::List
        && f.step == crate::agreement::NOT_COVERED
        && agreement.wheel_rule(f.staircase, f.step, f.on).is_none()
    {
        return Err(WheelError::NotCovered);
    }
    // A traffic light without a colour in force: omitted from the municipality's latest
    // overview, or without figures and no overview yet.
    if f.staircase == Staircase::TrafficLight
        && agreement.wheel_rule(f.staircase, f.step, f.on).is_none()
    {
        if f.step == crate::agreement::NOT_IN_OVERVIEW {
            return Err(WheelError::NotInOverview);
        }
        if f.step == crate::agreement::NO_DATA {
            return Err(WheelError::NoData);
        }
    }
    let rules = agreement.letting.as_ref();
    let home = f.home;
    let step_rule = agreement.step_rule(f.staircase, f.step, f.on);
    let step_sets: &[String] = step_rule.map_or(&[], |s| s.criteria_sets.as_slice());
    let step_suspends =
        step_rule.is_some_and(|s| s.municipal_allocation == AllocationRule::Suspended);
    let suspended = step_suspends || f.allocation_suspended_by.is_some();
    let staircase_slots: &[Slot] = agreement
        .wheel_rule(f.staircase, f.step, f.on)
        .map_or(&[], |w| w.slots.as_slice());
    let (org, org_criteria) = organisation_default(staircase_slots, step_sets);
    let allocation = AllocationOutsideWheel {
        suspended,
        by_plan: if step_suspends {
            None
        } else {
            f.allocation_suspended_by.clone()
        },
        org,
        org_criteria,
    };

    // Homes outside the wheel.
    let mut pre_reasons = Vec::new();
    if let Some(a) = special_home(f, rules, &allocation, &mut pre_reasons) {
        return Ok(a);
    }
    if let Some(a) = disability_fitted_home(f, rules, &allocation) {
        return Ok(a);
    }
    let new_build = new_build_in_force(f, rules);
    if let Some((_, rule, until)) = new_build {
        if home.cheap {
            return Ok(allocation.assign(vec![LettingReason::NewBuildCheapHome {
                first_use: home.first_use.unwrap_or(f.on),
                until,
                source: rule.source.clone(),
            }]));
        }
    }

    // The wheel.
    let (key, slots, source) = select_wheel(agreement, f, rules, new_build, &mut pre_reasons)?;
    let slots: &[Slot] = &slots;
    let mut reasons = pre_reasons;
    let taken = take_slot(f, &key, slots, &source, &mut reasons);
    let (slot, choice) = (taken.slot, &taken.choice);
    let mut channel = choice.channel;
    let mut criteria = choice.criteria.clone();
    let mut fallback = slot.fallback.clone();
    let mut used_credit = false;
    let org = organisation_channel(slot);

    if choice.extra && f.exempt_from_extra {
        let mut chain = slot.fallback.iter().copied();
        let instead = chain.next().unwrap_or(org);
        channel = instead;
        fallback = chain.collect();
        criteria = criteria_for(channel, slots, step_sets);
        reasons.push(LettingReason::ExtraShareExempt {
            instead,
            source: rules
                .and_then(|r| r.exemption.as_ref())
                .map_or_else(String::new, |e| e.every_nth_vacancy.source.clone()),
        });
    }
    // A development-plan area in its transition: no municipal allocation [CPH 6.1.6]
    // ('den boligsociale anvisning … suspenderes'); the slot goes on through its
    // fallbacks as an unused allocation home would (urban-renewal rehousing first, else
    // the organisation: B4 'Hvis boligen ikke anvendes til boligsocial anvisning, kan den
    // ved behov anvendes til byfornyelsesgenhusning. Ellers udlejes den …').
    if let (Channel::MunicipalAllocation, Some(source)) = (channel, &f.allocation_suspended_by) {
        let mut chain = slot
            .fallback
            .iter()
            .copied()
            .filter(|c| *c != Channel::MunicipalAllocation);
        let instead = chain.next().unwrap_or(org);
        channel = instead;
        fallback = chain.collect();
        reasons.push(LettingReason::DevelopmentPlanTransition {
            instead,
            source: source.clone(),
        });
        criteria = criteria_for(channel, slots, step_sets);
    }
    if channel == Channel::MunicipalAllocation {
        let redirect = allocation_redirect(f, rules, &key, new_build, org, &taken);
        if let Some((instead, reason)) = redirect {
            channel = instead;
            used_credit = matches!(reason, LettingReason::DisabilityCreditUsed { .. });
            reasons.push(reason);
        }
        if channel == Channel::MunicipalAllocation {
            if let Some(reason) = shared_kitchen_cap(f, rules, org) {
                channel = org;
                reasons.push(reason);
            }
        }
        if channel == Channel::MunicipalAllocation {
            if let Some(reason) = new_build_allocation_cap(new_build, org) {
                channel = org;
                reasons.push(reason);
            }
        }
        if channel != Channel::MunicipalAllocation {
            criteria = criteria_for(channel, slots, step_sets);
            fallback = Vec::new();
        }
    }
    if channel != Channel::MunicipalAllocation && channel != Channel::UrbanRenewal {
        fallback.clear();
    }
    let accessibility_home = home.accessibility;
    if accessibility_home {
        reasons.push(LettingReason::AccessibilityHome {
            source: rules
                .and_then(|r| r.accessibility.as_ref())
                .map_or_else(String::new, |a| a.max_share_pct.source.clone()),
        });
    }
    Ok(Assignment {
        channel: Some(channel),
        criteria,
        fallback,
        wheel: Some(WheelPosition {
            key: taken.key_text,
            position: taken.position,
            slot: taken.index as u32 + 1,
            round: taken.round + 1,
            slots: taken.len as u32,
            source,
        }),
        used_disability_credit: used_credit,
        gives_disability_credit: false,
        accessibility_home,
        reasons,
    })
}

/// The slot a vacancy takes on its wheel.
struct SlotTaken<'s> {
    key_text: String,
    /// The vacancy is on the wheel of the department's previous one.
    same: bool,
    /// 0-based count of vacancies on the wheel before this one.
    position: u64,
    len: u64,
    /// 0-based slot and round.
    index: usize,
    round: u64,
    slot: &'s Slot,
    choice: SlotChoice,
}

/// Takes the next slot of a wheel (slot 1 of round 1 when the department changes wheel),
/// with the reasons that say which, and the organisation's choice for an "or" slot.
fn take_slot<'s>(
    f: &VacancyFacts<'_>,
    key: &WheelKey,
    slots: &'s [Slot],
    source: &SourceRef,
    reasons: &mut Vec<LettingReason>,
) -> SlotTaken<'s> {
    let key_text = key.to_string();
    let same = f.state.key.as_deref() == Some(key_text.as_str());
    if !same && f.state.key.is_some() {
        reasons.push(LettingReason::WheelRestarted {
            previous: f.state.key.clone(),
            now: key_text.clone(),
        });
    }
    let position = if same { f.state.next_position } else { 0 };
    let len = slots.len() as u64;
    let (index, round) = ((position % len) as usize, position / len);
    let slot = &slots[index];
    let (choice, alternating) = slot_choice(
        slot,
        round,
        f.organisation_choice,
        f.organisation_criteria.as_deref(),
    );
    reasons.push(LettingReason::WheelSlot {
        wheel: key_text.clone(),
        slot: index as u32 + 1,
        round: round + 1,
        channel: choice.channel,
        criteria: choice.criteria.clone(),
        alternating,
        source: source.clone(),
    });
    if slot.organisation_chooses {
        let wanted = f
            .organisation_criteria
            .clone()
            .filter(|_| f.organisation_choice == Some(Channel::Flexible));
        reasons.push(LettingReason::OrganisationChoice {
            chosen: choice.channel,
            recorded: f.organisation_choice.is_some(),
            criteria_not_offered: wanted.filter(|_| choice.channel != Channel::Flexible),
        });
    }
    SlotTaken {
        key_text,
        same,
        position,
        len,
        index,
        round,
        slot,
        choice,
    }
}

/// Where a home outside the wheel goes when it goes to the allocation: the step's
/// organisation channel and criteria, and whether the step suspends the allocation.
struct AllocationOutsideWheel {
    suspended: bool,
    /// The suspension is the development-plan transition's (its passage), not the step's.
    by_plan: Option<SourceRef>,
    org: Channel,
    org_criteria: Option<String>,
}

impl AllocationOutsideWheel {
    /// A home that goes to the allocation outside the wheel: back to the organisation
    /// when the municipality does not use it; let by the organisation at once where the
    /// step suspends the allocation.
    fn assign(&self, mut reasons: Vec<LettingReason>) -> Assignment {
        if self.suspended {
            reasons.push(match &self.by_plan {
                Some(source) => LettingReason::DevelopmentPlanTransition {
                    instead: self.org,
                    source: source.clone(),
                },
                None => LettingReason::AllocationSuspended { instead: self.org },
            });
            Assignment {
                criteria: self.org_criteria.clone(),
                ..outside_wheel(Some(self.org), reasons)
            }
        } else {
            Assignment {
                fallback: vec![self.org],
                ..outside_wheel(Some(Channel::MunicipalAllocation), reasons)
            }
        }
    }
}

/// A special home outside the wheel: a home for a special group, a særbolig or a youth
/// shared home earmarked until its phase-out, a subsidised home in its subsidy years.
/// `None` when the wheel lets the home; a særbolig past its phase-out then leaves its
/// reason in `pre_reasons`.
fn special_home(
    f: &VacancyFacts<'_>,
    rules: Option<&LettingRules>,
    allocation: &AllocationOutsideWheel,
    pre_reasons: &mut Vec<LettingReason>,
) -> Option<Assignment> {
    let home = f.home;
    let phase_out = match (rules, &f.start_placement) {
        (Some(r), Some(start)) => phase_out_start(r, start),
        _ => None,
    };
    let phase_out_source = rules
        .and_then(|r| r.phase_out.as_ref())
        .map_or_else(String::new, |p| p.source.clone());
    match home.special {
        Some(HomeSpecial::SpecialGroup) => {
            Some(allocation.assign(vec![LettingReason::SpecialGroupHome]))
        }
        Some(HomeSpecial::Saerbolig) => match phase_out {
            Some(from) if f.on >= from => {
                pre_reasons.push(LettingReason::SaerboligPhasedOut {
                    phase_out_from: from,
                    source: phase_out_source,
                });
                None
            }
            _ => Some(allocation.assign(vec![LettingReason::SaerboligEarmarked {
                phase_out_from: phase_out,
                source: phase_out_source,
            }])),
        },
        Some(HomeSpecial::YouthShared) => Some(match phase_out {
            Some(from) if f.on >= from => outside_wheel(
                None,
                vec![LettingReason::YouthSharedPhasedOut {
                    phase_out_from: from,
                    source: phase_out_source,
                }],
            ),
            _ => allocation.assign(vec![LettingReason::YouthSharedEarmarked {
                phase_out_from: phase_out,
                source: phase_out_source,
            }]),
        }),
        Some(HomeSpecial::Subsidy) => {
            if let (Some(since), Some(rule)) =
                (home.special_since, rules.and_then(|r| r.subsidy.as_ref()))
            {
                let until = add_years(since, rule.years.value);
                if f.on < until {
                    return Some(allocation.assign(vec![LettingReason::SubsidyHome {
                        since,
                        until,
                        source: rule.years.source.clone(),
                    }]));
                }
            }
            None
        }
        None => None,
    }
}

/// A home fitted for a disability goes back to the allocation [CPH 8.4].
fn disability_fitted_home(
    f: &VacancyFacts<'_>,
    rules: Option<&LettingRules>,
    allocation: &AllocationOutsideWheel,
) -> Option<Assignment> {
    if let (Some((cost, fitted_on)), Some(rule)) = (
        f.home.disability_fitted,
        rules.and_then(|r| r.disability_fitted.as_ref()),
    ) {
        if cost > rule.min_cost_kr.value && fitted_on > rule.fitted_after.value {
            let mut a = allocation.assign(vec![LettingReason::DisabilityFittedHome {
                cost_kr: cost,
                fitted_on,
                source: rule.min_cost_kr.source.clone(),
            }]);
            // The organisation takes the next allocation slot only when this home
            // went back to the allocation.
            a.gives_disability_credit = !allocation.suspended;
            return Some(a);
        }
    }
    None
}

/// The new-build rules in force for a vacancy, with the date they end: they hold for the
/// new build's own homes (those with a first-use date in the agreement's new-build
/// period), for the years after their first use.
fn new_build_in_force<'r>(
    f: &VacancyFacts<'_>,
    rules: Option<&'r LettingRules>,
) -> Option<(NewBuildFacts, &'r NewBuildRule, Date)> {
    match (
        f.new_build,
        rules.and_then(|r| r.new_build.as_ref()),
        f.home.first_use,
    ) {
        (Some(nb), Some(rule), Some(first_use)) if rule.taken_into_use.contains(first_use) => {
            let until = add_years(first_use, rule.years.value);
            (f.on < until).then_some((nb, rule, until))
        }
        _ => None,
    }
}

/// The wheel that lets a vacancy, with its key and source: a new build's (the first
/// letting's step, or the band of its share of cheap homes), the youth wheel, or the
/// step's own. The reason for a new-build band or the youth wheel goes to `pre_reasons`.
fn select_wheel<'a>(
    agreement: &'a Agreement,
    f: &VacancyFacts<'_>,
    rules: Option<&'a LettingRules>,
    new_build: Option<(NewBuildFacts, &'a NewBuildRule, Date)>,
    pre_reasons: &mut Vec<LettingReason>,
) -> Result<(WheelKey, Cow<'a, [Slot]>, SourceRef), WheelError> {
    let chosen: (WheelKey, Cow<'a, [Slot]>, SourceRef) =
        if let Some((nb, rule, until)) = new_build {
            if f.first_letting {
                let step = &rule.first_letting_step.value;
                let w = agreement
                    .wheel_rule(Staircase::Department, step, f.on)
                    .ok_or_else(|| WheelError::NoWheel {
                        staircase: Staircase::Department.as_str(),
                        step: step.clone(),
                        on: f.on,
                    })?;
                (
                    WheelKey::NewBuildFirstLetting,
                    Cow::Borrowed(w.slots.as_slice()),
                    w.source.clone(),
                )
            } else {
                let band = rule
                    .bands
                    .iter()
                    .find(|b| {
                        nb.cheap_share_pct >= b.from_pct
                            && b.to_pct.is_none_or(|to| nb.cheap_share_pct < to)
                    })
                    .ok_or_else(|| WheelError::NoWheel {
                        staircase: "new-build",
                        step: nb.cheap_share_pct.to_string(),
                        on: f.on,
                    })?;
                pre_reasons.push(LettingReason::NewBuildBand {
                    band: band.id.clone(),
                    cheap_share_pct: nb.cheap_share_pct,
                    until,
                    source: band.source.clone(),
                });
                (
                    WheelKey::NewBuild {
                        band: band.id.clone(),
                    },
                    Cow::Borrowed(band.slots.as_slice()),
                    band.source.clone(),
                )
            }
        } else if let (true, Some(youth), false) = (
            f.mainly_youth,
            rules.and_then(|r| r.youth.as_ref()),
            // Where the step suspends the allocation (area step 2), the step's wheel wins.
            agreement
                .step_rule(f.staircase, f.step, f.on)
                .is_some_and(|s| s.municipal_allocation == AllocationRule::Suspended),
        ) {
            pre_reasons.push(LettingReason::YouthDepartment {
                source: youth.source.clone(),
            });
            (
                WheelKey::Youth,
                Cow::Borrowed(youth.slots.as_slice()),
                youth.source.clone(),
            )
        } else {
            let w = agreement
                .wheel_rule(f.staircase, f.step, f.on)
                .ok_or_else(|| WheelError::NoWheel {
                    staircase: f.staircase.as_str(),
                    step: f.step.to_string(),
                    on: f.on,
                })?;
            if let Some(p) = &w.pending {
                return Err(WheelError::Pending {
                    staircase: f.staircase.as_str(),
                    step: f.step.to_string(),
                    reason: p.value.clone(),
                    source_ref: p.source.clone(),
                });
            }
            // A share decided per department: the department's recorded share, a
            // rotation of its own.
            let mut key = WheelKey::Staircase {
                staircase: f.staircase,
                step: f.step.to_string(),
            };
            let slots = match w.shares.iter().find(|s| s.range.is_some()) {
                None => Cow::Borrowed(w.slots.as_slice()),
                Some(ranged) => {
                    let (from, to) = ranged.range.unwrap_or_default();
                    let Some(share) = f.decided_share else {
                        return Err(WheelError::ShareNotDecided {
                            staircase: f.staircase.as_str(),
                            step: f.step.to_string(),
                            from,
                            to,
                            source_ref: ranged.source.clone(),
                        });
                    };
                    let percents = crate::agreement::decided_percents(&w.shares, share)
                        .ok_or_else(|| WheelError::ShareOutsideRange {
                            share,
                            from,
                            to,
                            source_ref: ranged.source.clone(),
                        })?;
                    key = WheelKey::DecidedShare {
                        staircase: f.staircase,
                        step: f.step.to_string(),
                        percent: share,
                    };
                    Cow::Owned(crate::agreement::share_slots(&w.shares, &percents))
                }
            };
            (key, slots, w.source.clone())
        };
    Ok(chosen)
}

/// Where an allocation slot goes instead, if elsewhere: to the organisation at a new
/// build's first letting or while a disability credit is unused [CPH 8.4], or to the
/// safeguard's channel.
fn allocation_redirect(
    f: &VacancyFacts<'_>,
    rules: Option<&LettingRules>,
    key: &WheelKey,
    new_build: Option<(NewBuildFacts, &NewBuildRule, Date)>,
    org: Channel,
    taken: &SlotTaken<'_>,
) -> Option<(Channel, LettingReason)> {
    if *key == WheelKey::NewBuildFirstLetting {
        Some((
            org,
            LettingReason::NewBuildFirstLetting {
                instead: org,
                source: new_build
                    .map_or_else(String::new, |(_, r, _)| r.first_letting_step.source.clone()),
            },
        ))
    } else if f.state.disability_credits > 0 {
        Some((
            org,
            LettingReason::DisabilityCreditUsed {
                instead: org,
                source: rules
                    .and_then(|r| r.disability_fitted.as_ref())
                    .map_or_else(String::new, |d| d.min_cost_kr.source.clone()),
            },
        ))
    } else {
        safeguard(f, rules, taken)
    }
}

/// The safeguard [CPH 6.2.1]: where the department has one and stays on its wheel, the
/// nth allocation slot of a round goes to the safeguard's channel when every allocation
/// slot before it in the round was realised.
fn safeguard(
    f: &VacancyFacts<'_>,
    rules: Option<&LettingRules>,
    taken: &SlotTaken<'_>,
) -> Option<(Channel, LettingReason)> {
    let sg = rules
        .and_then(|r| r.safeguard.as_ref())
        .filter(|s| f.safeguard && s.staircase == f.staircase && s.step == f.step && taken.same)?;
    let (position, len, round) = (taken.position, taken.len, taken.round);
    let in_round: Vec<&EpisodeEntry> = f
        .state
        .episode
        .iter()
        .filter(|e| e.position / len == round && e.position < position)
        .filter(|e| e.channel == Some(Channel::MunicipalAllocation))
        .collect();
    let realised = in_round.iter().filter(|e| e.realised).count() as u32;
    let nth = sg.nth_allocation.value;
    (in_round.len() as u32 + 1 == nth && realised + 1 == nth).then(|| {
        (
            sg.channel,
            LettingReason::Safeguard {
                nth,
                realised,
                instead: sg.channel,
                source: sg.source.clone(),
            },
        )
    })
}

/// One allocated tenant per shared kitchen: an allocation slot of a room whose kitchen
/// already has one goes to the organisation.
fn shared_kitchen_cap(
    f: &VacancyFacts<'_>,
    rules: Option<&LettingRules>,
    org: Channel,
) -> Option<LettingReason> {
    if let (Some(kitchen), true, Some(youth)) = (
        &f.home.shared_kitchen,
        f.kitchen_has_allocated_tenant,
        rules.and_then(|r| r.youth.as_ref()),
    ) {
        if youth.one_allocated_per_shared_kitchen.value {
            return Some(LettingReason::SharedKitchenCap {
                kitchen: kitchen.clone(),
                instead: org,
                source: youth.one_allocated_per_shared_kitchen.source.clone(),
            });
        }
    }
    None
}

/// The new build's cap on allocation: an allocation slot that would take the department
/// past its maximum share goes to the organisation.
fn new_build_allocation_cap(
    new_build: Option<(NewBuildFacts, &NewBuildRule, Date)>,
    org: Channel,
) -> Option<LettingReason> {
    let (nb, rule, _) = new_build?;
    let allocated = nb.cheap_homes + nb.allocated_others + 1;
    let (num, den) = rule.max_allocation_share.value;
    (nb.homes > 0 && u64::from(allocated) * u64::from(den) > u64::from(num) * u64::from(nb.homes))
        .then(|| LettingReason::NewBuildAllocationCap {
            allocated: allocated - 1,
            homes: nb.homes,
            max_share: format!("{num}/{den}"),
            instead: org,
            source: rule.max_allocation_share.source.clone(),
        })
}

/// One row of a wheel preview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewRow {
    pub n: u64,
    pub slot: u32,
    pub channel: Channel,
    pub criteria: Option<String>,
}

/// The first `vacancies` vacancies of a fresh wheel of a step on a date (the
/// organisation's first option on "or" slots, no exemption, no special homes).
pub fn preview(
    agreement: &Agreement,
    staircase: Staircase,
    step: &str,
    on: Date,
    vacancies: u64,
    organisation_choice: Option<Channel>,
) -> Result<Vec<PreviewRow>, WheelError> {
    preview_with_criteria(
        agreement,
        staircase,
        step,
        on,
        vacancies,
        organisation_choice,
        None,
    )
}

/// [`preview`] with the organisation's criteria set for "or" slots.
pub fn preview_with_criteria(
    agreement: &Agreement,
    staircase: Staircase,
    step: &str,
    on: Date,
    vacancies: u64,
    organisation_choice: Option<Channel>,
    organisation_criteria: Option<&str>,
) -> Result<Vec<PreviewRow>, WheelError> {
    let w = agreement
        .wheel_rule(staircase, step, on)
        .ok_or_else(|| WheelError::NoWheel {
            staircase: staircase.as_str(),
            step: step.to_string(),
            on,
        })?;
    if let Some(p) = &w.pending {
        return Err(WheelError::Pending {
            staircase: staircase.as_str(),
            step: step.to_string(),
            reason: p.value.clone(),
            source_ref: p.source.clone(),
        });
    }
    if let Some(ranged) = w.shares.iter().find(|s| s.range.is_some()) {
        let (from, to) = ranged.range.unwrap_or_default();
        return Err(WheelError::ShareNotDecided {
            staircase: staircase.as_str(),
            step: step.to_string(),
            from,
            to,
            source_ref: ranged.source.clone(),
        });
    }
    let len = w.slots.len() as u64;
    if len == 0 {
        return Err(WheelError::NoWheel {
            staircase: staircase.as_str(),
            step: step.to_string(),
            on,
        });
    }
    Ok((0..vacancies)
        .map(|p| {
            let (index, round) = ((p % len) as usize, p / len);
            let (choice, _) = slot_choice(
                &w.slots[index],
                round,
                organisation_choice,
                organisation_criteria,
            );
            PreviewRow {
                n: p + 1,
                slot: index as u32 + 1,
                channel: choice.channel,
                criteria: choice.criteria,
            }
        })
        .collect())
}
