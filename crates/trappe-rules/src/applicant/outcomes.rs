//! Outcomes: the criteria, why a member meets one or not, and the documents that prove it.

use std::sync::Arc;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DocumentKind, EnrolmentKind, Pension, Relation};
use crate::agreement::SourceRef;
use crate::Date;

/// A criterion's id, as the agreement file names it ("A1", "tightened_income",
/// "working_mover"). The criteria themselves are data ([`CriterionDef`](super::CriterionDef)).
/// Cheap to clone (every outcome carries one): a static name or a shared one.
#[derive(Clone, Serialize, Deserialize, JsonSchema)]
#[serde(from = "String", into = "String")]
#[schemars(with = "String")]
pub struct CriterionId(Name);

#[derive(Clone)]
enum Name {
    Static(&'static str),
    Shared(Arc<str>),
}

impl CriterionId {
    /// An id known when compiling (a test's).
    pub const fn of(id: &'static str) -> CriterionId {
        CriterionId(Name::Static(id))
    }

    pub fn new(id: impl Into<String>) -> CriterionId {
        CriterionId(Name::Shared(Arc::from(id.into())))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Name::Static(s) => s,
            Name::Shared(s) => s,
        }
    }
}

impl From<String> for CriterionId {
    fn from(s: String) -> Self {
        CriterionId::new(s)
    }
}

impl From<CriterionId> for String {
    fn from(c: CriterionId) -> Self {
        c.as_str().to_string()
    }
}

impl PartialEq for CriterionId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for CriterionId {}

impl PartialOrd for CriterionId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CriterionId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for CriterionId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for CriterionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl std::fmt::Display for CriterionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
    /// Aged within the group.
    AgeWithin {
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
    // Residence.
    LivesIn {
        municipality: String,
    },
    LivesOutside {
        municipality: String,
    },
    /// Lives in the municipality, but not for long enough.
    LivesInTooShort {
        municipality: String,
        years: u32,
    },
    ResidenceMissing,
    /// Lives in the municipality, but since when is not given.
    ResidenceSinceMissing,
    // A social criterion.
    SpecialNeed,
    NoSpecialNeed,
    /// Completed an education within the years before the takeover (newly graduated).
    RecentlyGraduated {
        since: Date,
    },
    /// Completed educations, but none of the kinds the criterion names.
    EducationNotOfKind,
    /// The last education above the levels was completed before this date.
    GraduatedTooLongAgo {
        since: Date,
    },
    /// Not old enough or too old for a criterion's age condition (not the youth group).
    AgeOutside {
        from: u32,
        to: Option<u32>,
    },
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
