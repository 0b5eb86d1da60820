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
//!
//! The parts, in the order a decision goes through them: the parameters from the
//! agreement file (`params`), the household given as input (`household`) and its checks
//! (`bad_input`), the outcomes of the criteria (`outcomes`) and their evaluation
//! (`evaluation`), what a slot requires (`requirement`), the ranking (`ranking`), and the
//! limits on municipal allocation (`limits`).

mod bad_input;
mod definition;
mod evaluation;
mod household;
mod limits;
mod outcomes;
mod params;
mod ranking;
mod requirement;

pub use bad_input::{check_household, HouseholdProblem};
pub use definition::{
    AtLeast, CompletedBy, Condition, ConditionKind, CriteriaSetDef, CriterionDef, DocNeed,
    EmploymentFirst, HoursCount, Node, Period, RankingRules, SeparationRule, TemporaryRule, Texts,
    TieBreak, Who, WorkRule,
};
pub use evaluation::{add_years, age_on, evaluate, evaluate_some};
pub use household::{
    Benefit, BenefitPeriod, CompletedEducation, Conviction, DocumentKind, DocumentSeen,
    EducationLevel, Enrolment, EnrolmentKind, Household, InternalTransfer, Law, Member, Pension,
    Relation, Residence, Separation, TakenIn, Work, WorkKind,
};
pub use limits::{
    allocation_limits, consecutive_benefit_months, former_omdannelse_applies, AreaStatus, LimitHit,
    LimitsOutcome, MissingFact,
};
pub use outcomes::{CriterionId, CriterionOutcome, DocumentNeed, Finding, Why};
pub use params::{
    in_development_plan_transition, AgeGroup, AllocationLimitRules, ApplicantRules, DatedAmount,
    DevelopmentPlanRule, InternalTransferRules, Limit, LimitArea, LimitFact,
};
pub use ranking::{rank, RankVacancy, RankWhy, Ranked, Tier};
pub use requirement::{requirement, Requirement, RequirementError};
