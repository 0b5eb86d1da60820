//! The household (input): the applicant and everyone moving in, with the facts the
//! criteria and the limits look at.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Date;

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
    /// Where the household lives now (its municipality), documented by a residence
    /// certificate; for criteria on moving to (or living in) the municipality.
    #[serde(default)]
    pub residence: Option<Residence>,
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
    /// A special need because of illness, disability, walking difficulty or the like, or
    /// to live near family (a social criterion), documented by a medical certificate.
    #[serde(default)]
    pub special_need: bool,
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

/// The household's current residence.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Residence {
    /// The municipality's code (Esbjerg: 561).
    pub municipality_code: String,
    /// Registered at an address in that municipality since.
    #[serde(default)]
    pub since: Option<Date>,
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
    /// Medical certificate (lægeerklæring).
    MedicalCertificate,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentSeen {
    pub kind: DocumentKind,
    pub seen_on: Date,
}
