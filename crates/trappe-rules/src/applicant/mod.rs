//! Applicants: the flexible and tightened criteria, the ranking for a vacancy, and the
//! law's limits on municipal allocation into designated areas.
//!
//! A household is checked for a takeover date against the criteria of the agreement
//! [CPH 5.2, B4 IV]: the ordinary criteria A1 (work), A2 (education), B1 (separation)
//! and C1 (disability), met by the applicant or a partner, and the four tightened
//! criteria, met by everyone moving in within the criterion's age group. Every outcome
//! says, per member, why, and which documents prove it.
//!
//! Privacy by construction: the reasons name a member by number, age and relation and
//! the parameter that decided, never a conviction's law or date nor an income amount, so
//! what is kept of a decision holds only what the decision needs.
//!
//! Every number (hours, ages, years, the income threshold) comes from the agreement
//! file's `[applicants]` section; the code holds only the mechanisms.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::agreement::{Channel, SourceRef, Sourced, Staircase};
use crate::criteria::Criterion;
use crate::Date;

// ---------------------------------------------------------------------------------
// Parameters (from the agreement file).

/// An age group, both ends inclusive ("aged 18–64").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgeGroup {
    pub from: u32,
    pub to: Option<u32>,
}

impl AgeGroup {
    pub fn contains(&self, age: u32) -> bool {
        age >= self.from && self.to.is_none_or(|to| age <= to)
    }
}

/// An amount in force from a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatedAmount {
    pub from: Date,
    pub amount: Decimal,
    pub source: SourceRef,
}

/// The parameters of the criteria [CPH 5.2, B4 IV].
#[derive(Debug, Clone, Serialize)]
pub struct ApplicantRules {
    pub source: SourceRef,
    /// A1: weekly hours of work incl. lunch, at least.
    pub work_min_hours: Sourced<Decimal>,
    /// A1: months of documented temporary work at `work_min_hours`.
    pub temporary_min_months: Sourced<u32>,
    /// A1: seniors from this age count as working.
    pub senior_age: Sourced<u32>,
    /// A1, A2: an unmarried partner counts after this many years at a shared address.
    pub cohabitation_years: Sourced<u32>,
    /// A2: the young, the group entitled to youth housing.
    pub young: Sourced<AgeGroup>,
    /// B1: the priority lasts this many years from the separation date.
    pub separation_years: Sourced<u32>,
    /// B1: unmarried partners must have shared an address this many years before.
    pub separation_cohabitation_years: Sourced<u32>,
    /// The income threshold per month (55 % of the regional average), by date.
    pub income_thresholds: Vec<DatedAmount>,
    /// Tightened employment: everyone in this age group works or is in education.
    pub employment_ages: Sourced<AgeGroup>,
    /// Tightened convictions: everyone in this age group …
    pub convictions_ages: Sourced<AgeGroup>,
    /// … without a conviction in the current and this many previous calendar years.
    pub convictions_years_back: Sourced<u32>,
    /// Tightened education: everyone in this age group …
    pub education_ages: Sourced<AgeGroup>,
    /// … completed by this (month, day) of the previous calendar year.
    pub education_completed_by: Sourced<(u32, u32)>,
    /// Tightened income: everyone in this age group not in education.
    pub income_ages: Sourced<AgeGroup>,
    /// Internal transfers [CPH B4 V].
    pub internal: InternalTransferRules,
    /// The law's limits on municipal allocation [CPH B5].
    pub limits: AllocationLimitRules,
    /// Where each criterion is written.
    pub sources: BTreeMap<CriterionId, SourceRef>,
    /// Areas once designated omdannelse, under a development plan, no longer udsat
    /// [CPH 6.1.6]; `None` where the agreement has no such rule.
    pub development_plan_areas: Option<DevelopmentPlanRule>,
}

/// Former omdannelse areas under a development plan that are no longer udsat
/// [CPH 6.1.6]: municipal allocation stays suspended until the area has not been
/// designated udsat on `lists` lists in a row (or the plan is done), and applicants meet
/// the convictions criterion while the area's share of convicted residents is above the
/// forebyggelse threshold.
#[derive(Debug, Clone, Serialize)]
pub struct DevelopmentPlanRule {
    pub lists: Sourced<u32>,
    pub convictions_criterion: Sourced<bool>,
}

/// Whether an area is in the transition of [CPH 6.1.6] on a date: once omdannelse, not
/// udsat now, and designated udsat (or sharper) on one of the last `lists` lists.
/// `designations` are the area's designations on every list up to the date, oldest
/// first (`None` where the area was not on a list).
pub fn in_development_plan_transition(
    rule: &DevelopmentPlanRule,
    designations: &[Option<&str>],
) -> bool {
    let udsat = |d: &Option<&str>| matches!(d, Some("udsat" | "parallelsamfund" | "omdannelse"));
    let ever_omdannelse = designations.contains(&Some("omdannelse"));
    let Some(last_udsat) = designations.iter().rposition(udsat) else {
        return false;
    };
    let since = (designations.len() - 1 - last_udsat) as u32;
    ever_omdannelse && since >= 1 && since < rule.lists.value
}

impl ApplicantRules {
    /// The source paragraph of a criterion (the section's source when not listed).
    pub fn source_of(&self, c: CriterionId) -> &str {
        self.sources.get(&c).unwrap_or(&self.source)
    }
}

/// Internal transfers (intern oprykning) [CPH B4 V, 6.1.2–6.1.3].
#[derive(Debug, Clone, Serialize)]
pub struct InternalTransferRules {
    /// On these department steps an applicant from another department must meet the
    /// same flexible criteria as external applicants.
    pub criteria_on_department_steps: Sourced<Vec<String>>,
    /// On the area staircase an applicant whose vacated home lies outside the area must
    /// meet the criteria; inside the area only when the organisation decided so.
    pub area_outside_needs_criteria: Sourced<bool>,
}

/// Which designated areas a limit applies in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LimitArea {
    /// Udsatte områder, incl. parallelsamfund, omdannelsesområder and former ones.
    Udsat,
    Forebyggelse,
}

impl LimitArea {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitArea::Udsat => "udsat",
            LimitArea::Forebyggelse => "forebyggelse",
        }
    }
}

/// The fact a limit looks at.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum LimitFact {
    /// Released from an institution of the prison service within `months` (with an
    /// action plan under serviceloven §141).
    ReleasedFromPrison { months: u32 },
    /// Under 18 and released from an institution outside the prison service within
    /// `months` (action plan under serviceloven §57).
    ReleasedMinor { months: u32, under_age: u32 },
    /// Tenancy ended for gross breaches of good order within `months`.
    TenancyEnded { months: u32 },
    /// Not a citizen of the EU/EEA or Switzerland (enrolled students excepted).
    NonEuCitizen,
    /// Received one of `benefits` for `months` consecutive calendar months.
    Benefits { benefits: Vec<Benefit>, months: u32 },
    /// Receives one of `benefits` on the allocation date.
    Receives { benefits: Vec<Benefit> },
}

/// One limit on municipal allocation [CPH B5].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limit {
    pub id: String,
    pub areas: Vec<LimitArea>,
    #[serde(flatten)]
    pub fact: LimitFact,
    pub source: SourceRef,
}

/// The limits and how long a former omdannelsesområde keeps them [CPH B5, ABL §168 b].
#[derive(Debug, Clone, Serialize)]
pub struct AllocationLimitRules {
    pub limits: Vec<Limit>,
    /// Former omdannelsesområder keep the udsat limits until this many consecutive
    /// lists have not designated them omdannelse …
    pub former_omdannelse_lists: Sourced<u32>,
    /// … or until this date, whichever is first (or the development plan is done).
    pub former_omdannelse_until: Sourced<Date>,
    /// How a run of benefit months is counted.
    pub benefit_months_interpretation: Option<String>,
}

// ---------------------------------------------------------------------------------
// The household (input).

/// A household applying for a home: the applicant and everyone who will move in.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Household {
    /// The applicant's waiting-list number; needed for a ranking.
    #[serde(default)]
    pub id: Option<String>,
    /// The date the applicant's seniority on the waiting list counts from; needed for a
    /// ranking (the longest seniority first).
    #[serde(default)]
    pub seniority: Option<Date>,
    /// Everyone who will move in, the applicant first.
    pub members: Vec<Member>,
    /// B1: a separation, divorce or break-up.
    #[serde(default)]
    pub separation: Option<Separation>,
    /// An internal transfer: the applicant gives up a home in the same organisation.
    #[serde(default)]
    pub internal: Option<InternalTransfer>,
}

/// The relation of a member to the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Applicant,
    Spouse,
    /// An unmarried partner: counts for the ordinary criteria after two years at a
    /// shared address (`cohabiting_since`).
    Cohabitant,
    Child,
    Other,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Applicant => "applicant",
            Relation::Spouse => "spouse",
            Relation::Cohabitant => "cohabitant",
            Relation::Child => "child",
            Relation::Other => "other",
        }
    }
}

/// One person moving in.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub relation: Relation,
    /// The birth date; or give `age` (at the takeover date).
    #[serde(default)]
    pub birth_date: Option<Date>,
    /// The age at the takeover date, when the birth date is not given.
    #[serde(default)]
    pub age: Option<u32>,
    /// A cohabitant: registered at a shared address with the applicant since.
    #[serde(default)]
    pub cohabiting_since: Option<Date>,
    #[serde(default)]
    pub work: Vec<Work>,
    #[serde(default)]
    pub pension: Option<Pension>,
    /// Enrolment in education (or an education agreement or apprenticeship contract).
    #[serde(default)]
    pub education: Option<Enrolment>,
    /// The highest completed education.
    #[serde(default)]
    pub completed_education: Option<CompletedEducation>,
    /// Earlier completed educations above primary school: list one when the highest was
    /// completed after 30 September of last year (an earlier one may meet the criterion).
    #[serde(default)]
    pub earlier_educations: Vec<CompletedEducation>,
    /// Convictions, for the tightened convictions criterion; never stored.
    #[serde(default)]
    pub convictions: Vec<Conviction>,
    /// Average monthly gross income over the last 3 months (the self-employed: last
    /// year's, from the tax statement); never stored.
    #[serde(default)]
    pub monthly_gross_income: Option<Decimal>,
    /// Only income taxable in Denmark is documented and counted.
    #[serde(default = "yes")]
    pub taxable_in_denmark: bool,
    /// A student (uddannelsessøgende) without an enrolment listed above.
    #[serde(default)]
    pub student: bool,
    /// C1: a physical disability needing an accessibility home.
    #[serde(default)]
    pub disability_needs_accessible_home: bool,
    /// The documents the letting officer has seen, with the date.
    #[serde(default)]
    pub documents: Vec<DocumentSeen>,
    /// For municipal allocation into designated areas (bilag 5): released from an
    /// institution of the prison service on.
    #[serde(default)]
    pub released_from_prison_on: Option<Date>,
    /// Bilag 5: the release above comes with an action plan (serviceloven §141, or §57 for
    /// the under-18s); the limits apply only then.
    #[serde(default)]
    pub action_plan: Option<bool>,
    /// Bilag 5: under 18, released from an institution outside the prison service on.
    #[serde(default)]
    pub released_from_institution_on: Option<Date>,
    /// Bilag 5: tenancy ended for gross breaches of good order on.
    #[serde(default)]
    pub tenancy_ended_for_breach_on: Option<Date>,
    /// Bilag 5: a citizen of the EU, the EEA or Switzerland.
    #[serde(default)]
    pub eu_eea_swiss_citizen: Option<bool>,
    /// Bilag 5: benefits received, by period.
    #[serde(default)]
    pub benefits: Vec<BenefitPeriod>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    Permanent,
    /// Fleksjob: counts as full time without hours.
    Fleksjob,
    /// Temporary or project employment: months documented, or income.
    Temporary,
    SelfEmployed,
    /// An apprentice (elev): not work, but education (A2).
    Apprentice,
}

impl WorkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkKind::Permanent => "permanent",
            WorkKind::Fleksjob => "fleksjob",
            WorkKind::Temporary => "temporary",
            WorkKind::SelfEmployed => "self_employed",
            WorkKind::Apprentice => "apprentice",
        }
    }
}

/// One job.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Work {
    pub kind: WorkKind,
    /// Weekly hours including lunch.
    #[serde(default)]
    pub weekly_hours: Option<Decimal>,
    /// Temporary work: months of employment documented.
    #[serde(default)]
    pub months_documented: Option<u32>,
    /// Temporary work: monthly gross income from it.
    #[serde(default)]
    pub monthly_gross_income: Option<Decimal>,
    /// On parental leave from this position, returning at the same hours.
    #[serde(default)]
    pub parental_leave: bool,
    /// The first day of work, when it has not started yet.
    #[serde(default)]
    pub starts: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Pension {
    AgePension,
    Efterloen,
    Tjenestemandspension,
    Seniorpension,
    TidligPension,
}

impl Pension {
    pub fn as_str(self) -> &'static str {
        match self {
            Pension::AgePension => "age_pension",
            Pension::Efterloen => "efterloen",
            Pension::Tjenestemandspension => "tjenestemandspension",
            Pension::Seniorpension => "seniorpension",
            Pension::TidligPension => "tidlig_pension",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentKind {
    /// Education entitling to SU.
    SuEligible,
    EducationAgreement,
    Apprenticeship,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    pub kind: EnrolmentKind,
    /// The start date; it must be no later than the takeover date.
    pub starts: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EducationLevel {
    Primary,
    UpperSecondary,
    Vocational,
    ShortCycle,
    Bachelor,
    Master,
    Doctorate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TakenIn {
    Denmark,
    /// Taken abroad and approved in Denmark.
    AbroadApproved,
    AbroadNotApproved,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletedEducation {
    pub level: EducationLevel,
    pub completed_on: Date,
    pub taken_in: TakenIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Law {
    CriminalCode,
    WeaponsAct,
    DrugsAct,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conviction {
    pub law: Law,
    /// The date of the judgment.
    pub date: Date,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Separation {
    /// The date of the separation, divorce or break-up.
    pub date: Date,
    pub married: bool,
    /// Unmarried: a shared address since (two years before the break-up are needed).
    #[serde(default)]
    pub shared_address_since: Option<Date>,
    /// Had an address in the municipality before the separation.
    pub lived_in_municipality: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InternalTransfer {
    /// The department of the home the applicant gives up (same organisation).
    pub from_department: String,
    /// The housing area of that home, if any.
    #[serde(default)]
    pub from_area: Option<String>,
    /// Rehoused under a helhedsplan: no flexible criteria apply.
    #[serde(default)]
    pub rehoused_under_helhedsplan: bool,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    /// Selvforsørgelses- og hjemrejseydelse.
    SelfSupport,
    /// Overgangsydelse.
    Transition,
    /// Uddannelseshjælp.
    EducationAid,
    /// Kontanthjælp.
    CashBenefit,
    /// Førtidspension.
    DisabilityPension,
    /// Arbejdsløshedsdagpenge.
    UnemploymentBenefit,
    /// Sygedagpenge.
    SicknessBenefit,
    /// Ressourceforløbsydelse under jobafklaringsforløb.
    ResourceCourse,
}

impl Benefit {
    pub fn as_str(self) -> &'static str {
        match self {
            Benefit::SelfSupport => "self_support",
            Benefit::Transition => "transition",
            Benefit::EducationAid => "education_aid",
            Benefit::CashBenefit => "cash_benefit",
            Benefit::DisabilityPension => "disability_pension",
            Benefit::UnemploymentBenefit => "unemployment_benefit",
            Benefit::SicknessBenefit => "sickness_benefit",
            Benefit::ResourceCourse => "resource_course",
        }
    }

    pub fn parse(s: &str) -> Option<Benefit> {
        [
            Benefit::SelfSupport,
            Benefit::Transition,
            Benefit::EducationAid,
            Benefit::CashBenefit,
            Benefit::DisabilityPension,
            Benefit::UnemploymentBenefit,
            Benefit::SicknessBenefit,
            Benefit::ResourceCourse,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BenefitPeriod {
    pub kind: Benefit,
    pub from: Date,
    /// The last day; open when still received.
    #[serde(default)]
    pub to: Option<Date>,
}

/// The kinds of document that prove a criterion [CPH B4 IV].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A passport proves the age alone.
    Passport,
    /// Photo ID other than a passport: with the health card.
    PhotoId,
    HealthCard,
    EmploymentContract,
    /// The last three months' payslips.
    Payslips,
    /// The municipality's grant of the fleksjob.
    FleksjobGrant,
    CvrRegistration,
    AnnualAccounts,
    /// Last year's tax statement (årsopgørelse).
    TaxStatement,
    PensionStatement,
    /// A dated enrolment statement from the institution (a student card is not enough).
    EnrolmentStatement,
    /// An education agreement or apprenticeship contract.
    EducationAgreement,
    Diploma,
    /// Approval in Denmark of an education taken abroad.
    DanishApproval,
    /// Criminal record certificate (straffeattest).
    CriminalRecord,
    /// Residence certificate (bopælsattest).
    ResidenceCertificate,
    /// Divorce or separation papers.
    DivorcePapers,
    /// Statement from the municipality's disability centre.
    DisabilityStatement,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentSeen {
    pub kind: DocumentKind,
    pub seen_on: Date,
}

// ---------------------------------------------------------------------------------
// Bad input.

/// A problem in a household, naming the applicant and the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdProblem {
    /// The applicant's waiting-list number, or its position in the list (`#3`).
    pub applicant: String,
    /// The field as a JSON path from the household (0-based, as jq writes it), e.g.
    /// `members[1].birth_date` for the second member.
    pub field: String,
    pub problem: String,
}

impl std::fmt::Display for HouseholdProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "applicant {}, {}: {}",
            self.applicant, self.field, self.problem
        )
    }
}

/// Checks a household for a takeover date; `for_ranking` also needs id and seniority.
pub fn check_household(
    h: &Household,
    label: &str,
    on: Date,
    for_ranking: bool,
) -> Vec<HouseholdProblem> {
    let mut out = Vec::new();
    let mut p = |field: String, problem: String| {
        out.push(HouseholdProblem {
            applicant: label.to_string(),
            field,
            problem,
        })
    };
    if for_ranking {
        if h.id.as_deref().is_none_or(|s| s.trim().is_empty()) {
            p(
                "id".into(),
                "missing: every applicant in a ranking needs its waiting-list number".into(),
            );
        }
        match h.seniority {
            None => p(
                "seniority".into(),
                "missing: the date the applicant's seniority counts from is needed to rank".into(),
            ),
            Some(s) if s > on => p(
                "seniority".into(),
                format!("{s} is after the takeover date {on}"),
            ),
            _ => {}
        }
    }
    if h.members.is_empty() {
        p(
            "members".into(),
            "empty: list everyone who will move in, the applicant first".into(),
        );
    }
    let applicants = h
        .members
        .iter()
        .filter(|m| m.relation == Relation::Applicant)
        .count();
    if !h.members.is_empty() && applicants != 1 {
        p(
            "members".into(),
            format!("{applicants} members with relation \"applicant\"; exactly one is expected"),
        );
    }
    for (i, m) in h.members.iter().enumerate() {
        let f = |name: &str| format!("members[{i}].{name}");
        match (m.birth_date, m.age) {
            (None, None) => p(f("birth_date"), "missing: give birth_date or age".into()),
            (Some(b), _) if b > on => p(
                f("birth_date"),
                format!("{b} is after the takeover date {on}"),
            ),
            (Some(b), Some(a)) if age_on(b, on) != a => p(
                f("age"),
                format!(
                    "{a} does not match birth_date {b} (age {} on {on})",
                    age_on(b, on)
                ),
            ),
            _ => {}
        }
        if m.relation == Relation::Cohabitant && m.cohabiting_since.is_none() {
            p(
                f("cohabiting_since"),
                "missing: a cohabitant needs the date of the shared address".into(),
            );
        }
        if m.cohabiting_since.is_some_and(|d| d > on) {
            p(
                f("cohabiting_since"),
                format!(
                    "{} is after the takeover date {on}",
                    m.cohabiting_since.unwrap_or(on)
                ),
            );
        }
        for (j, w) in m.work.iter().enumerate() {
            let wf = |name: &str| format!("members[{i}].work[{j}].{name}");
            if let Some(h) = w.weekly_hours {
                if h.is_sign_negative() {
                    p(
                        wf("weekly_hours"),
                        format!("{h} is negative; hours are 0 or more"),
                    );
                } else if h > Decimal::from(168) {
                    p(
                        wf("weekly_hours"),
                        format!("{h} is more than the 168 hours of a week"),
                    );
                }
            }
            if let Some(x) = w.monthly_gross_income.filter(|x| x.is_sign_negative()) {
                p(wf("monthly_gross_income"), format!("{x} is negative"));
            }
        }
        if let Some(x) = m.monthly_gross_income.filter(|x| x.is_sign_negative()) {
            p(f("monthly_gross_income"), format!("{x} is negative"));
        }
        if let Some(e) = &m.completed_education {
            if e.completed_on > on {
                p(
                    f("completed_education.completed_on"),
                    format!("{} is after the takeover date {on}", e.completed_on),
                );
            }
        }
        for (j, e) in m.earlier_educations.iter().enumerate() {
            if e.completed_on > on {
                p(
                    format!("members[{i}].earlier_educations[{j}].completed_on"),
                    format!("{} is after the takeover date {on}", e.completed_on),
                );
            }
        }
        if m.released_from_prison_on.is_some_and(|d| d > on) {
            p(
                f("released_from_prison_on"),
                format!("after the takeover date {on}"),
            );
        }
        if m.released_from_institution_on.is_some_and(|d| d > on) {
            p(
                f("released_from_institution_on"),
                format!("after the takeover date {on}"),
            );
        }
        for (j, c) in m.convictions.iter().enumerate() {
            if c.date > on {
                p(
                    format!("members[{i}].convictions[{j}].date"),
                    format!("{} is after the takeover date {on}", c.date),
                );
            }
        }
        for (j, b) in m.benefits.iter().enumerate() {
            if b.to.is_some_and(|t| t < b.from) {
                p(
                    format!("members[{i}].benefits[{j}].to"),
                    "before `from`".into(),
                );
            }
        }
    }
    if let Some(s) = &h.separation {
        if s.date > on {
            p(
                "separation.date".into(),
                format!("{} is after the takeover date {on}", s.date),
            );
        }
        if !s.married && s.shared_address_since.is_none() {
            p(
                "separation.shared_address_since".into(),
                "missing: unmarried partners need the date of the shared address".into(),
            );
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// Outcomes.

/// The criteria a household is checked against.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum CriterionId {
    A1,
    A2,
    B1,
    C1,
    /// Tightened employment.
    #[serde(rename = "tightened_employment")]
    TightenedEmployment,
    #[serde(rename = "tightened_convictions")]
    TightenedConvictions,
    #[serde(rename = "tightened_education")]
    TightenedEducation,
    #[serde(rename = "tightened_income")]
    TightenedIncome,
}

impl CriterionId {
    pub const ALL: [CriterionId; 8] = [
        CriterionId::A1,
        CriterionId::A2,
        CriterionId::B1,
        CriterionId::C1,
        CriterionId::TightenedEmployment,
        CriterionId::TightenedConvictions,
        CriterionId::TightenedEducation,
        CriterionId::TightenedIncome,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CriterionId::A1 => "A1",
            CriterionId::A2 => "A2",
            CriterionId::B1 => "B1",
            CriterionId::C1 => "C1",
            CriterionId::TightenedEmployment => "tightened_employment",
            CriterionId::TightenedConvictions => "tightened_convictions",
            CriterionId::TightenedEducation => "tightened_education",
            CriterionId::TightenedIncome => "tightened_income",
        }
    }

    /// The tightened criterion that mirrors a designation criterion [CPH 5.2.4 fig 2].
    pub fn tightened(c: Criterion) -> CriterionId {
        match c {
            Criterion::Unemployment => CriterionId::TightenedEmployment,
            Criterion::Convictions => CriterionId::TightenedConvictions,
            Criterion::PrimaryEducation => CriterionId::TightenedEducation,
            Criterion::Income => CriterionId::TightenedIncome,
        }
    }

    pub fn is_tightened(self) -> bool {
        matches!(
            self,
            CriterionId::TightenedEmployment
                | CriterionId::TightenedConvictions
                | CriterionId::TightenedEducation
                | CriterionId::TightenedIncome
        )
    }
}

/// Why one member meets a criterion or not: stable codes with parameters, rendered
/// in Danish or English at the edge. Never a conviction's law or date, nor an amount of
/// income.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Why {
    // Work (A1 and tightened employment).
    Senior {
        senior_age: u32,
    },
    Pension {
        pension: Pension,
    },
    Fleksjob,
    Hours {
        hours: Decimal,
        min_hours: Decimal,
        parental_leave: bool,
    },
    TooFewHours {
        hours: Decimal,
        min_hours: Decimal,
        parental_leave: bool,
    },
    HoursMissing,
    TemporaryMonths {
        months: u32,
        min_months: u32,
    },
    TemporaryIncome {
        threshold: Decimal,
    },
    TemporaryNotEnough {
        months: u32,
        min_months: u32,
        min_hours: Decimal,
        threshold: Decimal,
    },
    SelfEmployed,
    ApprenticeNotWork,
    WorkStartsLater {
        starts: Date,
    },
    NoWork,
    // Partners (A1, A2).
    CohabitationTooShort {
        since: Date,
        years: u32,
    },
    NotAPartner {
        relation: Relation,
    },
    // Education (A2 and tightened employment).
    Enrolled {
        kind: EnrolmentKind,
    },
    Apprentice,
    EnrolmentStartsLater {
        starts: Date,
    },
    NotYoung {
        from: u32,
        to: Option<u32>,
    },
    NotEnrolled,
    StudentOnly,
    // B1.
    Separated {
        date: Date,
        until: Date,
    },
    SeparationLapsed {
        date: Date,
        until: Date,
    },
    NotInMunicipality,
    SharedAddressTooShort {
        since: Date,
        years: u32,
    },
    NoSeparation,
    // C1.
    NeedsAccessibleHome,
    NoAccessibleHomeNeed,
    // Tightened.
    OutsideAgeGroup {
        from: u32,
        to: Option<u32>,
    },
    NotWorkingOrInEducation,
    Convicted {
        from_year: i32,
        to_year: i32,
    },
    NotConvicted {
        from_year: i32,
        to_year: i32,
    },
    EducationCompleted {
        by: Date,
    },
    EducationTooLate {
        by: Date,
    },
    OnlyPrimaryEducation,
    NoEducation,
    AbroadNotApproved,
    IncomeAtLeast {
        threshold: Decimal,
    },
    IncomeBelow {
        threshold: Decimal,
    },
    IncomeMissing {
        threshold: Decimal,
    },
    NotTaxable,
    InEducation,
    /// The income threshold in force is from this date; it is adjusted yearly.
    ThresholdFrom {
        from: Date,
        amount: Decimal,
    },
    /// Nobody in the household is in the criterion's age group.
    NobodyInAgeGroup {
        from: u32,
        to: Option<u32>,
    },
}

/// One finding: a member (1-based, with age and relation) or the household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub member: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub age: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub relation: Option<Relation>,
    pub met: bool,
    pub why: Why,
}

/// A document a criterion needs, and when it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentNeed {
    pub member: u32,
    pub kind: DocumentKind,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub seen_on: Option<Date>,
}

/// One criterion for one household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionOutcome {
    pub criterion: CriterionId,
    pub met: bool,
    pub findings: Vec<Finding>,
    /// The documents that prove it (for a criterion met: those of the members who meet
    /// it; for a tightened criterion: everyone's in the age group).
    pub documents: Vec<DocumentNeed>,
    pub documents_complete: bool,
    pub source: SourceRef,
}

// ---------------------------------------------------------------------------------
// Evaluation.

/// Completed years of age on `on`.
pub fn age_on(birth: Date, on: Date) -> u32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// `date` plus `years` calendar years (29 February → 28 February).
pub fn add_years(date: Date, years: u32) -> Date {
    date.checked_add_months(Months::new(12 * years))
        .unwrap_or(date)
}

fn sub_years(date: Date, years: u32) -> Date {
    date.checked_sub_months(Months::new(12 * years))
        .unwrap_or(date)
}

fn member_age(m: &Member, on: Date) -> u32 {
    match m.birth_date {
        Some(b) => age_on(b, on),
        None => m.age.unwrap_or(0),
    }
}

/// The income threshold in force on a date: the newest value from on or before it.
pub fn income_threshold(rules: &ApplicantRules, on: Date) -> Option<&DatedAmount> {
    rules
        .income_thresholds
        .iter()
        .filter(|t| t.from <= on)
        .max_by_key(|t| t.from)
}

struct Ctx<'a> {
    rules: &'a ApplicantRules,
    on: Date,
    threshold: Option<&'a DatedAmount>,
}

impl Ctx<'_> {
    fn finding(&self, i: usize, m: &Member, met: bool, why: Why) -> Finding {
        Finding {
            member: Some(i as u32 + 1),
            age: Some(member_age(m, self.on)),
            relation: Some(m.relation),
            met,
            why,
        }
    }

    /// Whether a member works in the sense of A1 (also used by tightened employment),
    /// with the reason and the documents that prove it.
    fn works(&self, m: &Member) -> (bool, Why, Vec<DocumentKind>) {
        let r = self.rules;
        let age = member_age(m, self.on);
        if age >= r.senior_age.value {
            return (
                true,
                Why::Senior {
                    senior_age: r.senior_age.value,
                },
                age_documents(m),
            );
        }
        if let Some(p) = m.pension {
            return (
                true,
                Why::Pension { pension: p },
                vec![DocumentKind::PensionStatement],
            );
        }
        let mut best: Option<(bool, Why, Vec<DocumentKind>)> = None;
        for w in &m.work {
            let result = self.job(w);
            let better = match &best {
                None => true,
                Some((met, _, _)) => result.0 && !met,
            };
            if better {
                best = Some(result);
            }
        }
        best.unwrap_or((false, Why::NoWork, Vec::new()))
    }

    fn job(&self, w: &Work) -> (bool, Why, Vec<DocumentKind>) {
        use DocumentKind::*;
        let r = self.rules;
        if let Some(starts) = w.starts.filter(|s| *s > self.on) {
            return (false, Why::WorkStartsLater { starts }, Vec::new());
        }
        // A job that has not run three months is proven by the contract alone [CPH B4 IV.1 A.1].
        let payslips = |docs: &mut Vec<DocumentKind>| {
            if w.starts.is_none_or(|s| {
                s.checked_add_months(Months::new(3))
                    .is_some_and(|d| d <= self.on)
            }) {
                docs.push(Payslips);
            }
        };
        let min = r.work_min_hours.value;
        match w.kind {
            WorkKind::Fleksjob => (true, Why::Fleksjob, vec![EmploymentContract, FleksjobGrant]),
            WorkKind::SelfEmployed => (
                true,
                Why::SelfEmployed,
                vec![CvrRegistration, AnnualAccounts],
            ),
            WorkKind::Apprentice => (false, Why::ApprenticeNotWork, Vec::new()),
            WorkKind::Permanent => match w.weekly_hours {
                Some(h) if h >= min => {
                    let mut d = vec![EmploymentContract];
                    payslips(&mut d);
                    (
                        true,
                        Why::Hours {
                            hours: h,
                            min_hours: min,
                            parental_leave: w.parental_leave,
                        },
                        d,
                    )
                }
                Some(h) => (
                    false,
                    Why::TooFewHours {
                        hours: h,
                        min_hours: min,
                        parental_leave: w.parental_leave,
                    },
                    Vec::new(),
                ),
                None => (false, Why::HoursMissing, Vec::new()),
            },
            WorkKind::Temporary => {
                let months = w.months_documented.unwrap_or(0);
                let min_months = r.temporary_min_months.value;
                // Three months documented, at 25 hours a week or at the income threshold
                // [CPH B4 IV.1 A.1].
                if months >= min_months && w.weekly_hours.is_some_and(|h| h >= min) {
                    (
                        true,
                        Why::TemporaryMonths { months, min_months },
                        vec![EmploymentContract, Payslips],
                    )
                } else if let (Some(t), Some(x), true) =
                    (self.threshold, w.monthly_gross_income, months >= min_months)
                {
                    if x >= t.amount {
                        (
                            true,
                            Why::TemporaryIncome {
                                threshold: t.amount,
                            },
                            vec![EmploymentContract, Payslips],
                        )
                    } else {
                        (
                            false,
                            Why::TemporaryNotEnough {
                                months,
                                min_months,
                                min_hours: min,
                                threshold: t.amount,
                            },
                            Vec::new(),
                        )
                    }
                } else {
                    let threshold = self.threshold.map(|t| t.amount).unwrap_or_default();
                    (
                        false,
                        Why::TemporaryNotEnough {
                            months,
                            min_months,
                            min_hours: min,
                            threshold,
                        },
                        Vec::new(),
                    )
                }
            }
        }
    }

    /// Whether a member is in education: an enrolment (or apprenticeship) that starts
    /// no later than the takeover date; unless `a2`, also a member marked `student`
    /// (uddannelsessøgende) on a dated enrolment statement. A2 needs an SU-eligible
    /// education or an education agreement [CPH B4 IV.1 A.2].
    fn in_education(&self, m: &Member, a2: bool) -> (bool, Why, Vec<DocumentKind>) {
        if let Some(e) = &m.education {
            let doc = match e.kind {
                EnrolmentKind::SuEligible => DocumentKind::EnrolmentStatement,
                _ => DocumentKind::EducationAgreement,
            };
            if e.starts > self.on {
                return (
                    false,
                    Why::EnrolmentStartsLater { starts: e.starts },
                    Vec::new(),
                );
            }
            return (true, Why::Enrolled { kind: e.kind }, vec![doc]);
        }
        if let Some(w) = m.work.iter().find(|w| w.kind == WorkKind::Apprentice) {
            if let Some(starts) = w.starts.filter(|s| *s > self.on) {
                return (false, Why::EnrolmentStartsLater { starts }, Vec::new());
            }
            return (
                true,
                Why::Apprentice,
                vec![DocumentKind::EducationAgreement],
            );
        }
        if m.student && !a2 {
            return (
                true,
                Why::StudentOnly,
                vec![DocumentKind::EnrolmentStatement],
            );
        }
        (false, Why::NotEnrolled, Vec::new())
    }

    /// Whether a member can carry the household's ordinary criteria (A1, A2): the
    /// applicant, a spouse, or a cohabitant with two years at a shared address.
    fn partner(&self, i: usize, m: &Member) -> Result<Vec<DocumentKind>, Finding> {
        match m.relation {
            Relation::Applicant | Relation::Spouse => Ok(Vec::new()),
            Relation::Cohabitant => {
                let years = self.rules.cohabitation_years.value;
                let since = m.cohabiting_since.unwrap_or(self.on);
                if since <= sub_years(self.on, years) {
                    Ok(vec![DocumentKind::ResidenceCertificate])
                } else {
                    Err(self.finding(i, m, false, Why::CohabitationTooShort { since, years }))
                }
            }
            other => Err(self.finding(i, m, false, Why::NotAPartner { relation: other })),
        }
    }
}

/// The age is proven by a passport, or by other photo ID with the health card
/// [CPH B4 IV.2].
fn age_documents(m: &Member) -> Vec<DocumentKind> {
    if m.documents.iter().any(|d| d.kind == DocumentKind::Passport) {
        vec![DocumentKind::Passport]
    } else {
        vec![DocumentKind::PhotoId, DocumentKind::HealthCard]
    }
}

fn documents(
    h: &Household,
    needs: impl IntoIterator<Item = (u32, DocumentKind)>,
) -> (Vec<DocumentNeed>, bool) {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (member, kind) in needs {
        if !seen.insert((member, kind)) {
            continue;
        }
        let seen_on = h.members.get(member as usize - 1).and_then(|m| {
            m.documents
                .iter()
                .filter(|d| d.kind == kind)
                .map(|d| d.seen_on)
                .max()
        });
        out.push(DocumentNeed {
            member,
            kind,
            seen_on,
        });
    }
    let complete = out.iter().all(|d| d.seen_on.is_some());
    (out, complete)
}

fn outcome(
    h: &Household,
    criterion: CriterionId,
    met: bool,
    findings: Vec<Finding>,
    needs: Vec<(u32, DocumentKind)>,
    source: &str,
) -> CriterionOutcome {
    let (documents, documents_complete) = documents(h, needs);
    CriterionOutcome {
        criterion,
        met,
        findings,
        documents,
        documents_complete,
        source: source.to_string(),
    }
}

/// Evaluates every criterion for a household and a takeover date. The household must
/// have passed [`check_household`].
pub fn evaluate(rules: &ApplicantRules, h: &Household, on: Date) -> Vec<CriterionOutcome> {
    let cx = Ctx {
        rules,
        on,
        threshold: income_threshold(rules, on),
    };
    CriterionId::ALL
        .iter()
        .map(|c| evaluate_one(&cx, h, *c))
        .collect()
}

fn evaluate_one(cx: &Ctx<'_>, h: &Household, c: CriterionId) -> CriterionOutcome {
    let r = cx.rules;
    let on = cx.on;
    let members = h.members.iter().enumerate();
    match c {
        CriterionId::A1 | CriterionId::A2 => {
            let (mut met, mut findings, mut needs) = (false, Vec::new(), Vec::new());
            for (i, m) in members {
                let partner_docs = match cx.partner(i, m) {
                    Ok(d) => d,
                    Err(f) => {
                        if m.relation == Relation::Cohabitant {
                            findings.push(f);
                        }
                        continue;
                    }
                };
                let (ok, why, docs) = if c == CriterionId::A1 {
                    cx.works(m)
                } else if !r.young.value.contains(member_age(m, on)) {
                    (
                        false,
                        Why::NotYoung {
                            from: r.young.value.from,
                            to: r.young.value.to,
                        },
                        Vec::new(),
                    )
                } else {
                    cx.in_education(m, true)
                };
                if ok {
                    met = true;
                    let n = i as u32 + 1;
                    needs.extend(docs.into_iter().chain(partner_docs).map(|d| (n, d)));
                }
                findings.push(cx.finding(i, m, ok, why));
            }
            outcome(h, c, met, findings, needs, r.source_of(c))
        }
        CriterionId::B1 => {
            let source = r.source_of(c);
            let Some(s) = &h.separation else {
                return outcome(
                    h,
                    c,
                    false,
                    vec![household(false, Why::NoSeparation)],
                    Vec::new(),
                    source,
                );
            };
            let until = add_years(s.date, r.separation_years.value);
            let mut findings = Vec::new();
            let lapsed = on > until;
            findings.push(household(
                !lapsed,
                if lapsed {
                    Why::SeparationLapsed {
                        date: s.date,
                        until,
                    }
                } else {
                    Why::Separated {
                        date: s.date,
                        until,
                    }
                },
            ));
            let mut met = !lapsed;
            if !s.lived_in_municipality {
                met = false;
                findings.push(household(false, Why::NotInMunicipality));
            }
            if !s.married {
                let years = r.separation_cohabitation_years.value;
                let since = s.shared_address_since.unwrap_or(s.date);
                if since > sub_years(s.date, years) {
                    met = false;
                    findings.push(household(
                        false,
                        Why::SharedAddressTooShort { since, years },
                    ));
                }
            }
            let proof = if s.married {
                DocumentKind::DivorcePapers
            } else {
                DocumentKind::ResidenceCertificate
            };
            let applicant = h
                .members
                .iter()
                .position(|m| m.relation == Relation::Applicant)
                .map_or(1, |i| i as u32 + 1);
            let needs = if met {
                vec![
                    (applicant, proof),
                    (applicant, DocumentKind::ResidenceCertificate),
                ]
            } else {
                Vec::new()
            };
            outcome(h, c, met, findings, needs, source)
        }
        CriterionId::C1 => {
            let mut findings = Vec::new();
            let mut needs = Vec::new();
            for (i, m) in members {
                if m.disability_needs_accessible_home {
                    findings.push(cx.finding(i, m, true, Why::NeedsAccessibleHome));
                    needs.push((i as u32 + 1, DocumentKind::DisabilityStatement));
                }
            }
            let met = !findings.is_empty();
            if !met {
                findings.push(household(false, Why::NoAccessibleHomeNeed));
            }
            outcome(h, c, met, findings, needs, r.source_of(c))
        }
        _ => tightened(cx, h, c),
    }
}

fn household(met: bool, why: Why) -> Finding {
    Finding {
        member: None,
        age: None,
        relation: None,
        met,
        why,
    }
}

fn tightened(cx: &Ctx<'_>, h: &Household, c: CriterionId) -> CriterionOutcome {
    let r = cx.rules;
    let on = cx.on;
    let group = match c {
        CriterionId::TightenedEmployment => &r.employment_ages,
        CriterionId::TightenedConvictions => &r.convictions_ages,
        CriterionId::TightenedEducation => &r.education_ages,
        _ => &r.income_ages,
    };
    let g = group.value;
    let mut met = true;
    let mut findings = Vec::new();
    let mut needs = Vec::new();
    let mut in_group = 0;
    for (i, m) in h.members.iter().enumerate() {
        let n = i as u32 + 1;
        // Every mover's age is documented [CPH B4 IV.2].
        needs.extend(age_documents(m).into_iter().map(|d| (n, d)));
        let age = member_age(m, on);
        if !g.contains(age) {
            findings.push(cx.finding(
                i,
                m,
                true,
                Why::OutsideAgeGroup {
                    from: g.from,
                    to: g.to,
                },
            ));
            continue;
        }
        in_group += 1;
        let (ok, why, docs) = match c {
            CriterionId::TightenedEmployment => {
                let (w, why_w, docs_w) = cx.works(m);
                if w {
                    (true, why_w, docs_w)
                } else {
                    let (e, why_e, docs_e) = cx.in_education(m, false);
                    if e {
                        (true, why_e, docs_e)
                    } else if matches!(why_w, Why::NoWork) {
                        (false, Why::NotWorkingOrInEducation, Vec::new())
                    } else {
                        (false, why_w, Vec::new())
                    }
                }
            }
            CriterionId::TightenedConvictions => {
                let back = r.convictions_years_back.value as i32;
                let (from_year, to_year) = (on.year() - back, on.year());
                let convicted = m
                    .convictions
                    .iter()
                    .any(|cv| cv.law != Law::Other && cv.date.year() >= from_year && cv.date <= on);
                if convicted {
                    (
                        false,
                        Why::Convicted { from_year, to_year },
                        vec![DocumentKind::CriminalRecord],
                    )
                } else {
                    (
                        true,
                        Why::NotConvicted { from_year, to_year },
                        vec![DocumentKind::CriminalRecord],
                    )
                }
            }
            CriterionId::TightenedEducation => {
                let (month, day) = r.education_completed_by.value;
                let by = Date::from_ymd_opt(on.year() - 1, month, day).unwrap_or(on);
                // Any education above primary school, taken or approved in Denmark
                // and completed in time, meets it: the highest or an earlier one.
                let all: Vec<&CompletedEducation> = m
                    .completed_education
                    .iter()
                    .chain(&m.earlier_educations)
                    .collect();
                let above = |e: &CompletedEducation| e.level != EducationLevel::Primary;
                let recognised = |e: &CompletedEducation| e.taken_in != TakenIn::AbroadNotApproved;
                let in_time = all
                    .iter()
                    .filter(|e| above(e) && recognised(e) && e.completed_on <= by)
                    .min_by_key(|e| e.completed_on);
                match in_time {
                    Some(e) => {
                        let mut d = vec![DocumentKind::Diploma];
                        if e.taken_in == TakenIn::AbroadApproved {
                            d.push(DocumentKind::DanishApproval);
                        }
                        (true, Why::EducationCompleted { by }, d)
                    }
                    None if all.is_empty() => (false, Why::NoEducation, Vec::new()),
                    None if !all.iter().any(|e| above(e)) => {
                        (false, Why::OnlyPrimaryEducation, Vec::new())
                    }
                    None if !all.iter().any(|e| above(e) && recognised(e)) => {
                        (false, Why::AbroadNotApproved, Vec::new())
                    }
                    None => (false, Why::EducationTooLate { by }, Vec::new()),
                }
            }
            _ => {
                let threshold = cx.threshold.map(|t| t.amount).unwrap_or_default();
                let self_employed = m.work.iter().any(|w| w.kind == WorkKind::SelfEmployed);
                let (studying, _, study_docs) = cx.in_education(m, false);
                if studying {
                    (true, Why::InEducation, study_docs)
                } else if !m.taxable_in_denmark {
                    (true, Why::NotTaxable, Vec::new())
                } else {
                    let docs = if self_employed {
                        vec![DocumentKind::TaxStatement]
                    } else {
                        vec![DocumentKind::EmploymentContract, DocumentKind::Payslips]
                    };
                    match m.monthly_gross_income {
                        None => (false, Why::IncomeMissing { threshold }, Vec::new()),
                        Some(x) if cx.threshold.is_some() && x >= threshold => {
                            (true, Why::IncomeAtLeast { threshold }, docs)
                        }
                        Some(_) => (false, Why::IncomeBelow { threshold }, Vec::new()),
                    }
                }
            }
        };
        if !ok {
            met = false;
        }
        needs.extend(docs.into_iter().map(|d| (n, d)));
        findings.push(cx.finding(i, m, ok, why));
    }
    if in_group == 0 {
        findings.push(household(
            true,
            Why::NobodyInAgeGroup {
                from: g.from,
                to: g.to,
            },
        ));
    }
    if c == CriterionId::TightenedIncome {
        match cx.threshold {
            Some(t) => findings.push(household(
                true,
                Why::ThresholdFrom {
                    from: t.from,
                    amount: t.amount,
                },
            )),
            None => met = false,
        }
    }
    let source = r.source_of(c);
    outcome(h, c, met, findings, needs, source)
}

// ---------------------------------------------------------------------------------
// What a slot requires.

/// What a vacancy's slot requires of applicants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    /// The slot's criteria set as the agreement writes it ("A", "A|B",
    /// "tightened:relevant", …), or `None` for the ordinary waiting list.
    pub criteria_set: Option<String>,
    /// At least one of these (the applicant or a partner) …
    pub any_of: Vec<CriterionId>,
    /// … and all of these (everyone moving in within the age group).
    pub all_of: Vec<CriterionId>,
    pub staircase: Staircase,
    pub step: String,
    /// On the area staircase: applicants meeting the employment criterion go first
    /// when they do not meet all [CPH B4 III fig trin 1 note 2, trin 2].
    pub employment_first: bool,
    /// An accessibility home: C1 applicants meeting the rest go first [CPH 5.2.3].
    pub accessibility_home: bool,
    pub source: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequirementError {
    #[error("unknown criteria set {0:?}: the agreement's sets are A, B, A|B, C, tightened:relevant and tightened:all")]
    UnknownSet(String),
    #[error("the vacancy goes to {0}: the municipality allocates it, nobody is ranked from the waiting list (check the allocation limits instead)")]
    NotWaitingList(&'static str),
}

/// What a slot requires: its channel and criteria set, and on area step 1 the tightened
/// criteria on which the area is inside the risk zone [CPH 6.1.2].
pub fn requirement(
    channel: Channel,
    criteria_set: Option<&str>,
    staircase: Staircase,
    step: &str,
    tightened: &[Criterion],
    accessibility_home: bool,
    source: &str,
) -> Result<Requirement, RequirementError> {
    match channel {
        Channel::WaitingList | Channel::Flexible => {}
        Channel::MunicipalAllocation => {
            return Err(RequirementError::NotWaitingList("municipal allocation"))
        }
        Channel::UrbanRenewal => {
            return Err(RequirementError::NotWaitingList("urban-renewal rehousing"))
        }
    }
    let set = if channel == Channel::WaitingList {
        None
    } else {
        criteria_set
    };
    let mut any_of = Vec::new();
    let mut all_of = Vec::new();
    if let Some(s) = set {
        for part in s.split('|') {
            match part.trim() {
                "A" => any_of.extend([CriterionId::A1, CriterionId::A2]),
                "B" => any_of.push(CriterionId::B1),
                "C" => any_of.push(CriterionId::C1),
                "tightened:all" => {
                    all_of.extend(Criterion::ALL.map(CriterionId::tightened));
                }
                "tightened:relevant" => {
                    // The tightened employment criterion replaces A where the area is
                    // challenged on unemployment; the others are added [CPH 6.1.2].
                    if !tightened.contains(&Criterion::Unemployment) {
                        any_of.extend([CriterionId::A1, CriterionId::A2]);
                    }
                    let mut t: Vec<Criterion> = tightened.to_vec();
                    t.sort();
                    all_of.extend(t.into_iter().map(CriterionId::tightened));
                }
                other => return Err(RequirementError::UnknownSet(other.to_string())),
            }
        }
    }
    let employment_first =
        staircase == Staircase::Area && (!any_of.is_empty() || !all_of.is_empty());
    Ok(Requirement {
        criteria_set: set.map(str::to_string),
        any_of,
        all_of,
        staircase,
        step: step.to_string(),
        employment_first,
        accessibility_home,
        source: source.to_string(),
    })
}

impl Requirement {
    /// Adds tightened criteria every applicant must meet whatever the slot: in a former
    /// omdannelse area under its development plan, the convictions criterion while the
    /// area's share of convicted residents is above the forebyggelse threshold
    /// [CPH 6.1.6].
    pub fn and_tightened(mut self, extra: &[Criterion], source: &str) -> Requirement {
        for c in extra {
            let id = CriterionId::tightened(*c);
            if !self.all_of.contains(&id) {
                self.all_of.push(id);
            }
        }
        if !extra.is_empty() {
            self.source = format!("{}; {source}", self.source);
        }
        self
    }

    /// Whether the requirement asks anything of applicants.
    pub fn has_criteria(&self) -> bool {
        !self.any_of.is_empty() || !self.all_of.is_empty()
    }

    /// Whether a criterion is one the requirement asks for.
    pub fn concerns(&self, c: CriterionId) -> bool {
        self.any_of.contains(&c) || self.all_of.contains(&c)
    }

    /// Whether a household's outcomes meet the requirement.
    pub fn met(&self, outcomes: &[CriterionOutcome]) -> bool {
        let is_met = |c: &CriterionId| outcomes.iter().any(|o| o.criterion == *c && o.met);
        (self.any_of.is_empty() || self.any_of.iter().any(is_met)) && self.all_of.iter().all(is_met)
    }

    /// The employment criterion of the area staircase: tightened employment where it
    /// applies, else A (the law's mandatory employment or education criterion).
    fn employment_met(&self, outcomes: &[CriterionOutcome]) -> bool {
        let is_met = |c: CriterionId| outcomes.iter().any(|o| o.criterion == c && o.met);
        if self.all_of.contains(&CriterionId::TightenedEmployment) {
            is_met(CriterionId::TightenedEmployment)
        } else {
            is_met(CriterionId::A1) || is_met(CriterionId::A2)
        }
    }

    fn others_met(&self, outcomes: &[CriterionOutcome]) -> usize {
        self.all_of
            .iter()
            .filter(|c| **c != CriterionId::TightenedEmployment)
            .filter(|c| outcomes.iter().any(|o| o.criterion == **c && o.met))
            .count()
    }
}

// ---------------------------------------------------------------------------------
// Ranking.

/// Where an applicant stands, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// An internal applicant with priority to this vacancy [CPH B4 V].
    Internal,
    /// Meets what the slot requires.
    Meets,
    /// Area staircase, not meeting all: meets the employment criterion.
    EmploymentOnly,
    /// Area staircase: meets some of the other required criteria.
    OtherCriteria,
    /// No priority: after everyone with priority, by seniority.
    WithoutPriority,
}

/// The vacancy side of a ranking.
#[derive(Debug, Clone)]
pub struct RankVacancy<'a> {
    pub department: &'a str,
    pub area: Option<&'a str>,
    pub on: Date,
    pub requirement: &'a Requirement,
    /// This vacancy is one of those offered to internal applicants first (by default
    /// every second family home of the organisation) [CPH B4 V].
    pub internal_priority: bool,
    /// The organisation decided that internal applicants meet the flexible criteria
    /// also within their own department or area.
    pub internal_criteria_everywhere: bool,
}

/// Why an applicant stands where it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RankWhy {
    MeetsRequirement,
    DoesNotMeetRequirement,
    NoCriteria,
    EmploymentCriterionMet,
    OtherCriteriaMet {
        count: usize,
    },
    AccessibilityPriority,
    InternalOwnDepartment,
    InternalSameArea,
    /// From another department of the organisation, on a step where that needs no criteria.
    InternalOtherDepartment,
    InternalRehoused,
    InternalMeetsCriteria,
    InternalMustMeetCriteria,
    InternalNotThisVacancy,
    DocumentsMissing {
        count: usize,
    },
}

/// One applicant's place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub position: u32,
    pub applicant: String,
    pub seniority: Date,
    pub tier: Tier,
    /// C1 in an accessibility home.
    pub accessibility_priority: bool,
    pub meets: bool,
    pub why: Vec<RankWhy>,
    pub outcomes: Vec<CriterionOutcome>,
}

/// The sort key of one applicant: it depends on that applicant alone, so adding an
/// applicant never changes the relative order of two others.
fn key(r: &Ranked) -> (Tier, bool, std::cmp::Reverse<usize>, Date, &str) {
    let others = r
        .why
        .iter()
        .find_map(|w| match w {
            RankWhy::OtherCriteriaMet { count } => Some(*count),
            _ => None,
        })
        .unwrap_or(0);
    (
        r.tier,
        !r.accessibility_priority,
        std::cmp::Reverse(others),
        r.seniority,
        r.applicant.as_str(),
    )
}

/// Ranks checked households for a vacancy [CPH B4 IV, V; B4 III notes]: the tier first,
/// then C1 in an accessibility home, then the longest seniority, then the waiting-list
/// number (so equal seniority is decided the same way every time).
pub fn rank(rules: &ApplicantRules, v: &RankVacancy<'_>, households: &[Household]) -> Vec<Ranked> {
    let req = v.requirement;
    let mut out: Vec<Ranked> = households
        .iter()
        .map(|h| {
            let outcomes = evaluate(rules, h, v.on);
            let meets = req.met(&outcomes);
            let mut why = Vec::new();
            let with_criteria = req.has_criteria();
            let tier = if !with_criteria {
                why.push(RankWhy::NoCriteria);
                Tier::Meets
            } else if meets {
                why.push(RankWhy::MeetsRequirement);
                Tier::Meets
            } else {
                why.push(RankWhy::DoesNotMeetRequirement);
                if req.employment_first && req.employment_met(&outcomes) {
                    why.push(RankWhy::EmploymentCriterionMet);
                    Tier::EmploymentOnly
                } else if req.employment_first && req.others_met(&outcomes) > 0 {
                    why.push(RankWhy::OtherCriteriaMet {
                        count: req.others_met(&outcomes),
                    });
                    Tier::OtherCriteria
                } else {
                    Tier::WithoutPriority
                }
            };
            let tier = match &h.internal {
                Some(i) => {
                    let (ok, w) = internal(rules, v, i, meets || !with_criteria);
                    why.push(w);
                    if ok {
                        Tier::Internal
                    } else {
                        tier
                    }
                }
                None => tier,
            };
            let c1 = req.accessibility_home
                && matches!(tier, Tier::Meets | Tier::Internal)
                && outcomes
                    .iter()
                    .any(|o| o.criterion == CriterionId::C1 && o.met);
            if c1 {
                why.push(RankWhy::AccessibilityPriority);
            }
            // Only what the decision rests on is kept: the criteria the slot asks for,
            // and C1 where it gave priority.
            let outcomes: Vec<CriterionOutcome> = outcomes
                .into_iter()
                .filter(|o| req.concerns(o.criterion) || (c1 && o.criterion == CriterionId::C1))
                .collect();
            let missing: usize = outcomes
                .iter()
                .filter(|o| o.met)
                .flat_map(|o| o.documents.iter())
                .filter(|d| d.seen_on.is_none())
                .map(|d| (d.member, d.kind))
                .collect::<BTreeSet<_>>()
                .len();
            if missing > 0 {
                why.push(RankWhy::DocumentsMissing { count: missing });
            }
            Ranked {
                position: 0,
                applicant: h.id.clone().unwrap_or_default(),
                seniority: h.seniority.unwrap_or(v.on),
                tier,
                accessibility_priority: c1,
                meets: meets || !with_criteria,
                why,
                outcomes,
            }
        })
        .collect();
    out.sort_by(|a, b| key(a).cmp(&key(b)));
    for (i, r) in out.iter_mut().enumerate() {
        r.position = i as u32 + 1;
    }
    out
}

/// Whether an internal applicant has priority to this vacancy [CPH B4 V; 6.1.2–6.1.3].
fn internal(
    rules: &ApplicantRules,
    v: &RankVacancy<'_>,
    i: &InternalTransfer,
    meets: bool,
) -> (bool, RankWhy) {
    if !v.internal_priority {
        return (false, RankWhy::InternalNotThisVacancy);
    }
    if i.rehoused_under_helhedsplan {
        return (true, RankWhy::InternalRehoused);
    }
    let req = v.requirement;
    let own = i.from_department == v.department;
    let same_area = v.area.is_some() && i.from_area.as_deref() == v.area;
    let needs_criteria = v.internal_criteria_everywhere
        || match req.staircase {
            Staircase::Area => {
                !(own || same_area) && rules.internal.area_outside_needs_criteria.value
            }
            _ => {
                !own && rules
                    .internal
                    .criteria_on_department_steps
                    .value
                    .contains(&req.step)
            }
        };
    if !needs_criteria {
        let why = if own {
            RankWhy::InternalOwnDepartment
        } else if req.staircase == Staircase::Area {
            RankWhy::InternalSameArea
        } else {
            RankWhy::InternalOtherDepartment
        };
        return (true, why);
    }
    if meets {
        (true, RankWhy::InternalMeetsCriteria)
    } else {
        (false, RankWhy::InternalMustMeetCriteria)
    }
}

// ---------------------------------------------------------------------------------
// Limits on municipal allocation [CPH B5].

/// The designation that decides the limits of a department's area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaStatus {
    /// On the list as udsat, parallelsamfund or omdannelse.
    Udsat,
    /// Once an omdannelsesområde, still under its limits.
    FormerOmdannelse,
    Forebyggelse,
    /// No limits.
    NotDesignated,
}

/// Whether a former omdannelsesområde is still under the limits on `on`: until it has
/// been off the omdannelse list `lists` times in a row, the development plan is done,
/// or the fixed date, whichever is first [CPH B5; ABL §168 b stk. 10].
pub fn former_omdannelse_applies(
    rules: &AllocationLimitRules,
    list_dates_not_omdannelse_since: u32,
    ever_omdannelse: bool,
    plan_completed: bool,
    on: Date,
) -> bool {
    ever_omdannelse
        && !plan_completed
        && list_dates_not_omdannelse_since < rules.former_omdannelse_lists.value
        && on < rules.former_omdannelse_until.value
}

/// One limit checked for one member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitHit {
    pub limit: String,
    pub member: u32,
    pub source: SourceRef,
}

/// The limits for one household allocated into one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitsOutcome {
    pub area: AreaStatus,
    /// The limits checked (ids), in the agreement's order.
    pub checked: Vec<String>,
    pub hits: Vec<LimitHit>,
    /// No limit stands in the way.
    pub allowed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("member {member}: {field} is needed for the limit {limit:?}")]
pub struct MissingFact {
    pub member: u32,
    pub field: &'static str,
    pub limit: String,
}

/// Consecutive calendar months with one of `kinds`, counted back from the month of
/// `on` (or the month before, when nothing was received yet this month).
pub fn consecutive_benefit_months(periods: &[BenefitPeriod], kinds: &[Benefit], on: Date) -> u32 {
    let index = |d: Date| d.year() * 12 + d.month0() as i32;
    let mut months = BTreeSet::new();
    for p in periods
        .iter()
        .filter(|p| kinds.contains(&p.kind) && p.from <= on)
    {
        let to = p.to.map_or(on, |t| t.min(on));
        for m in index(p.from)..=index(to) {
            months.insert(m);
        }
    }
    let mut m = index(on);
    if !months.contains(&m) {
        m -= 1;
    }
    let mut n = 0;
    while months.contains(&m) {
        n += 1;
        m -= 1;
    }
    n
}

/// A release within the period counts only with an action plan ("+ skal have
/// handleplan") [CPH B5]; the plan must then be given.
fn action_plan(m: &Member, member: u32, l: &Limit) -> Result<bool, MissingFact> {
    m.action_plan.ok_or_else(|| MissingFact {
        member,
        field: "action_plan",
        limit: l.id.clone(),
    })
}

/// Checks a household against the limits for an area [CPH B5]. Errors when a fact the
/// limits need is missing from the household.
pub fn allocation_limits(
    rules: &AllocationLimitRules,
    area: AreaStatus,
    h: &Household,
    on: Date,
) -> Result<LimitsOutcome, MissingFact> {
    let applies = match area {
        AreaStatus::Udsat | AreaStatus::FormerOmdannelse => Some(LimitArea::Udsat),
        AreaStatus::Forebyggelse => Some(LimitArea::Forebyggelse),
        AreaStatus::NotDesignated => None,
    };
    let limits: Vec<&Limit> = match applies {
        Some(a) => rules
            .limits
            .iter()
            .filter(|l| l.areas.contains(&a))
            .collect(),
        None => Vec::new(),
    };
    let within = |d: Option<Date>, months: u32| {
        d.is_some_and(|d| {
            d <= on
                && on
                    .checked_sub_months(Months::new(months))
                    .is_some_and(|from| d >= from)
        })
    };
    let mut hits = Vec::new();
    for l in &limits {
        for (i, m) in h.members.iter().enumerate() {
            let n = i as u32 + 1;
            let hit = match &l.fact {
                LimitFact::ReleasedFromPrison { months } => {
                    within(m.released_from_prison_on, *months) && action_plan(m, n, l)?
                }
                LimitFact::ReleasedMinor { months, under_age } => {
                    member_age(m, on) < *under_age
                        && within(m.released_from_institution_on, *months)
                        && action_plan(m, n, l)?
                }
                LimitFact::TenancyEnded { months } => {
                    within(m.tenancy_ended_for_breach_on, *months)
                }
                LimitFact::NonEuCitizen => {
                    let citizen = m.eu_eea_swiss_citizen.ok_or_else(|| MissingFact {
                        member: n,
                        field: "eu_eea_swiss_citizen",
                        limit: l.id.clone(),
                    })?;
                    // "studerende, som er indskrevet på en offentligt anerkendt
                    // uddannelsesinstitution": any enrolment listed counts.
                    let student = m.education.is_some() || m.student;
                    !citizen && !student
                }
                LimitFact::Benefits { benefits, months } => {
                    consecutive_benefit_months(&m.benefits, benefits, on) >= *months
                }
                LimitFact::Receives { benefits } => m.benefits.iter().any(|p| {
                    benefits.contains(&p.kind) && p.from <= on && p.to.is_none_or(|t| t >= on)
                }),
            };
            if hit {
                hits.push(LimitHit {
                    limit: l.id.clone(),
                    member: n,
                    source: l.source.clone(),
                });
            }
        }
    }
    Ok(LimitsOutcome {
        area,
        checked: limits.iter().map(|l| l.id.clone()).collect(),
        allowed: hits.is_empty(),
        hits,
    })
}
