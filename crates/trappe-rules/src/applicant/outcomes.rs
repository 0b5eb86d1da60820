//! Outcomes: the criteria, why a member meets one or not, and the documents that prove it.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{DocumentKind, EnrolmentKind, Pension, Relation};
use crate::agreement::SourceRef;
use crate::criteria::Criterion;
use crate::Date;

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
