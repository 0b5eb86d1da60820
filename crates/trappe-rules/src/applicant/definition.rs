//! Criteria as data: what an agreement file defines in `[[applicants.criterion]]` and
//! `[[applicants.set]]`, read by the one evaluator (`evaluation`).
//!
//! A criterion says who in the household it concerns ([`Who`]) and what that person (or
//! the household) must satisfy: a tree ([`Node`]) of conditions over the household's
//! facts, combined by `all` and `any`. Each condition ([`Condition`]) is one closed kind
//! ([`ConditionKind`]) with its numbers, its reason text, its source and the documents
//! that prove each way of meeting it. Criteria sets ([`CriteriaSetDef`]) combine
//! criteria into what a letting slot requires. The vocabulary is deliberately closed: a
//! new *fact* needs code (the household model must carry it); new combinations, numbers
//! and texts need none.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{CriterionId, DocumentKind, EducationLevel, Law, Pension, Why, WorkKind};
use crate::agreement::{SourceRef, Sourced};
use crate::criteria::Criterion;

use super::AgeGroup;

/// A text in Danish and English, as the agreement file writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Texts {
    pub da: String,
    pub en: String,
}

/// One criterion.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionDef {
    pub id: CriterionId,
    pub label: Texts,
    pub source: SourceRef,
    pub who: Who,
    /// The designation criterion (almenboligloven §61 a) this criterion answers, for a
    /// set that adds the criteria on which an area is inside the risk zone.
    pub mirrors: Option<Criterion>,
    pub condition: Node,
}

/// Whom in the household a criterion concerns.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "who", rename_all = "snake_case")]
pub enum Who {
    /// The applicant, a spouse, or a cohabitant (after `cohabitation_years` at a shared
    /// address, when given): met when one of them meets the condition.
    ApplicantOrPartner {
        cohabitation_years: Option<Sourced<u32>>,
        /// What proves a cohabitant's shared address.
        cohabitant_documents: Vec<DocumentKind>,
    },
    /// The applicant alone.
    Applicant,
    /// Met when any member meets the condition.
    AnyMember,
    /// Everyone moving in within the age group must meet the condition; those outside
    /// it are outside the criterion.
    EveryMember {
        ages: Sourced<AgeGroup>,
        /// Every mover's age is documented (with `[applicants] age_documents`).
        age_documents: bool,
    },
    /// The household as a whole (a separation).
    Household,
}

/// A tree of conditions.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    /// Every child: the first failing child is the reason.
    All(Vec<Node>),
    /// One child: the first met child is the reason; when none is met, the first child's
    /// reason, or `none` when the first child found no fact at all (no work).
    Any {
        of: Vec<Node>,
        none: Option<Why>,
    },
    Leaf(Box<Condition>),
}

/// One condition over the household's facts.
#[derive(Debug, Clone, Serialize)]
pub struct Condition {
    pub kind: ConditionKind,
    pub reason: Texts,
    pub source: SourceRef,
    pub interpretation: Option<String>,
    /// The documents that prove each way of meeting it ([`ConditionKind::ways`]).
    pub documents: BTreeMap<String, Vec<DocNeed>>,
}

/// A document a way of meeting a condition needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocNeed {
    Kind(DocumentKind),
    /// Only once the job has run this many months (before that, the contract alone).
    OnceRunningMonths {
        kind: DocumentKind,
        months: u32,
    },
    /// The member's age, proven by one of `[applicants] age_documents`.
    Age,
}

/// How the hours of several positions count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoursCount {
    /// The hours of one position; two part-time jobs are not added up.
    PerPosition,
    /// The hours of the permanent positions that have started are added up.
    SummedPermanent,
}

/// Income per month or per year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Monthly,
    Yearly,
}

/// Temporary work: months documented at the hours, or at an income.
#[derive(Debug, Clone, Serialize)]
pub struct TemporaryRule {
    pub min_months: Sourced<u32>,
    /// The id of an `[[applicants.amount]]` the monthly income may meet instead of hours.
    pub or_income_at_least: Option<String>,
}

/// Work, pension or senior age.
#[derive(Debug, Clone, Serialize)]
pub struct WorkRule {
    /// From this age a member counts as working without work.
    pub senior_from_age: Option<Sourced<u32>>,
    /// Pensions that count as work.
    pub pensions: Vec<Pension>,
    pub min_weekly_hours: Sourced<Decimal>,
    pub hours: Sourced<HoursCount>,
    /// Kinds of work that count without hours.
    pub without_hours: Vec<WorkKind>,
    /// Temporary work; `None`: temporary work counts by its hours like permanent work.
    pub temporary: Option<TemporaryRule>,
    /// The job must have started by the takeover date plus this many months.
    pub starts_within_months: Sourced<u32>,
}

/// When a completed education counts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompletedBy {
    /// Completed by this (month, day) of the previous calendar year.
    DayOfPreviousYear(Sourced<(u32, u32)>),
    /// Completed at most this many years before the takeover (newly graduated).
    WithinYears(Sourced<u32>),
}

/// Separation (divorce, separation or break-up).
#[derive(Debug, Clone, Serialize)]
pub struct SeparationRule {
    /// The priority lasts this many years from the separation date.
    pub within_years: Sourced<u32>,
    /// Years at a shared address before the separation …
    pub shared_address_years: Option<Sourced<u32>>,
    /// … asked of unmarried partners only (`false`) or of everyone (`true`).
    pub shared_address_married_too: bool,
    /// The applicant lived in the municipality.
    pub lived_in_municipality: bool,
}

/// The closed set of condition kinds, one per household fact.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConditionKind {
    /// Aged within the group on the takeover date; `youth_group`: the group entitled to
    /// youth housing (its reason says so).
    Age {
        ages: Sourced<AgeGroup>,
        youth_group: bool,
    },
    Work(Box<WorkRule>),
    /// In education (an enrolment, education agreement or apprenticeship that has
    /// started), or — when `student_counts` — marked as a student.
    Enrolled {
        student_counts: bool,
    },
    /// An education of one of `levels`, not taken abroad unapproved, completed by
    /// (month, day) of the previous calendar year, or within years before the takeover.
    CompletedEducation {
        levels: Vec<EducationLevel>,
        by: CompletedBy,
    },
    /// The household lives inside (or outside) the municipality, for at least `min_years`
    /// when inside.
    Residence {
        municipality: String,
        inside: bool,
        min_years: Option<Sourced<u32>>,
    },
    /// A special need (illness, disability, walking difficulty, near family).
    SpecialNeed,
    /// A gross income at least the amount in force, unless exempt.
    Income {
        period: Period,
        at_least: String,
        exempt_in_education: bool,
        exempt_not_taxable: bool,
    },
    Separation(SeparationRule),
    /// A physical disability needing an accessibility home.
    AccessibilityNeed,
    /// No conviction under `laws` in the current and `calendar_years_back` previous years.
    NoConviction {
        laws: Vec<Law>,
        calendar_years_back: Sourced<u32>,
    },
}

impl ConditionKind {
    /// The names of the kinds, as the file writes them.
    pub const NAMES: [&'static str; 10] = [
        "age",
        "work",
        "enrolled",
        "completed_education",
        "income",
        "separation",
        "accessibility_need",
        "no_conviction",
        "residence",
        "special_need",
    ];
}

/// A criteria set: what a letting slot asks of applicants.
#[derive(Debug, Clone, Serialize)]
pub struct CriteriaSetDef {
    pub id: String,
    pub label: Texts,
    pub source: SourceRef,
    /// At least one of these (the applicant or a partner) …
    pub any: Vec<CriterionId>,
    /// … and all of these.
    pub all: Vec<CriterionId>,
    /// Adds to `all` the criteria mirroring the designation criteria on which the area
    /// is inside the risk zone.
    pub risk_zone: bool,
    /// When one of these is among `all`, `any` is dropped (it replaces them).
    pub any_dropped_when: Vec<CriterionId>,
    /// At least `n` of these criteria.
    pub at_least: Option<AtLeast>,
    /// Criteria in a priority order: an applicant meeting one of the first group goes
    /// before one meeting only one of the second, and so on (`any` is their union).
    pub priority: Vec<Vec<CriterionId>>,
    /// A set the agreement names but whose criteria the parties have not yet recorded:
    /// a slot with it refuses with this reason.
    pub pending: Option<Sourced<String>>,
    /// Criteria written in the file on the parties' behalf that they have not yet
    /// confirmed (the source leaves them to a party): the mark shown wherever the set is
    /// used.
    pub to_confirm: Option<Texts>,
}

/// At least `n` of some criteria ("mindst to af følgende").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtLeast {
    pub n: u32,
    pub of: Vec<CriterionId>,
}

/// On a staircase where applicants meeting the employment criterion go first when
/// nobody meets everything.
#[derive(Debug, Clone, Serialize)]
pub struct EmploymentFirst {
    pub staircases: Vec<crate::agreement::Staircase>,
    /// The employment criterion where the slot requires it …
    pub primary: CriterionId,
    /// … otherwise any of these.
    pub otherwise: Vec<CriterionId>,
    pub source: SourceRef,
    pub interpretation: Option<String>,
}

/// The order within a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// The longest seniority on the waiting list first.
    Seniority,
    /// The lowest waiting-list number first.
    WaitingListNumber,
}

/// How applicants are ranked.
#[derive(Debug, Clone, Serialize)]
pub struct RankingRules {
    pub employment_first: Option<EmploymentFirst>,
    /// In an accessibility home, applicants meeting this criterion go first.
    pub accessibility_priority: Option<Sourced<CriterionId>>,
    pub tie_breaks: Sourced<Vec<TieBreak>>,
}
