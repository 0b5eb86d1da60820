//! Parameters (from the agreement file): the criteria's ages, hours and years, internal
//! transfers and the limits on municipal allocation.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::definition::{CriteriaSetDef, CriterionDef, RankingRules};
use super::{Benefit, CriterionId, DocumentKind};
use crate::agreement::{SourceRef, Sourced};
use crate::criteria::Criterion;
use crate::Date;

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

/// The applicant section of an agreement file: the criteria, the sets letting slots
/// name, the dated amounts, the ranking, internal transfers and the limits on municipal
/// allocation.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicantRules {
    pub source: SourceRef,
    /// The criteria, in the file's order (the order of a check's outcomes).
    pub criteria: Vec<CriterionDef>,
    /// The criteria sets letting slots name.
    pub sets: Vec<CriteriaSetDef>,
    /// Dated amounts by id (an income threshold), each sorted by date.
    pub amounts: BTreeMap<String, Vec<DatedAmount>>,
    /// What proves a member's age: the first alternative whose documents were all
    /// seen, else the last.
    pub age_documents: Vec<Vec<DocumentKind>>,
    pub ranking: RankingRules,
    /// Internal transfers [CPH B4 V]; `None` where the agreement has no such rule.
    pub internal: Option<InternalTransferRules>,
    /// The law's limits on municipal allocation, as the agreement restates them
    /// [CPH B5]; `None` where the agreement restates none.
    pub limits: Option<AllocationLimitRules>,
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
    /// A criterion by id.
    pub fn criterion(&self, id: &CriterionId) -> Option<&CriterionDef> {
        self.criteria.iter().find(|c| &c.id == id)
    }

    /// A criteria set by id.
    pub fn set(&self, id: &str) -> Option<&CriteriaSetDef> {
        self.sets.iter().find(|s| s.id == id)
    }

    /// The amount of a series in force on a date: the newest value from on or before it.
    pub fn amount(&self, id: &str, on: Date) -> Option<&DatedAmount> {
        self.amounts
            .get(id)?
            .iter()
            .filter(|t| t.from <= on)
            .max_by_key(|t| t.from)
    }

    /// The criterion mirroring a designation criterion.
    pub fn mirroring(&self, c: Criterion) -> Option<&CriterionDef> {
        self.criteria.iter().find(|d| d.mirrors == Some(c))
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
    /// Where the agreement restates the limits (Copenhagen: bilag 5).
    pub source: SourceRef,
    pub limits: Vec<Limit>,
    /// Former omdannelsesområder keep the udsat limits until this many consecutive
    /// lists have not designated them omdannelse …
    pub former_omdannelse_lists: Sourced<u32>,
    /// … or until this date, whichever is first (or the development plan is done).
    pub former_omdannelse_until: Sourced<Date>,
    /// How a run of benefit months is counted.
    pub benefit_months_interpretation: Option<String>,
}
