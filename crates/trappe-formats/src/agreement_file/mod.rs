//! Agreement files and law parameter files: TOML → checked `trappe_rules` types.
//!
//! Parsing happens in two passes: serde reads the file into raw structs that keep the
//! byte span of every table, then [`Checker`] turns them into rules types and collects
//! every problem it finds (with line and column), so that `trappe agreement check`
//! reports all of them at once. Overlapping or contradictory rules are problems, never
//! a silent first-wins.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use sha2::{Digest, Sha256};
use toml::Spanned;

use trappe_rules::agreement::{
    AllocatedBand, AllocationRule, AreaStaircase, Channel, DepartmentStaircase, FlexibleLetting,
    Interpretation, Model, Need, Period, PublishedRiskZone, RiskZoneRule, Slot, SlotChoice,
    SmallDepartmentRule, Sourced, Staircase, StepCell, StepRule, ThresholdLevel, TrafficLight,
    WheelRule,
};
use trappe_rules::applicant::ApplicantRules;
use trappe_rules::criteria::{Comparison, Threshold, ThresholdSet};
use trappe_rules::deadlines::DeadlineRules;
use trappe_rules::law::{LawParams, ListThresholds};
use trappe_rules::wheel::{
    AccessibilityRule, DisabilityFittedRule, ExemptionRule, LettingRules, NewBuildBand,
    NewBuildRule, PhaseOutRule, PhaseOutStart, RefugeeSharedRule, SafeguardRule, SubsidyRule,
    YouthRule,
};
use trappe_rules::{Agreement, Date, Designation, Pct};

/// The agreements shipped with trappe, by name.
pub const BUILTIN_AGREEMENTS: &[(&str, &str)] = &[
    (
        "copenhagen-2024",
        include_str!("../../../../agreements/copenhagen-2024.toml"),
    ),
    (
        "aalborg-2023",
        include_str!("../../../../agreements/aalborg-2023.toml"),
    ),
];

/// The law parameter sets shipped with trappe, by id.
pub const BUILTIN_LAWS: &[(&str, &str)] = &[(
    "almenboligloven-61",
    include_str!("../../../../agreements/law/almenboligloven-61.toml"),
)];

/// One problem in a file, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub what: String,
    pub expected: String,
}

/// Every problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileProblems {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for FileProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{}:{}:{}: {}; expected {}",
                self.file, p.line, p.column, p.what, p.expected
            )?;
        }
        Ok(())
    }
}

/// Where an agreement came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgreementSource {
    Builtin(String),
    File(PathBuf),
}

/// An agreement with the law parameters it refers to.
#[derive(Debug, Clone)]
pub struct LoadedAgreement {
    pub agreement: Agreement,
    pub law: LawParams,
    pub source: AgreementSource,
    /// The agreement file's text, as read (stored with placements so a past one can be
    /// recomputed with exactly these rules).
    pub text: String,
    /// The law parameter file's text.
    pub law_text: String,
}

impl LoadedAgreement {
    /// Rebuilds an agreement from stored texts (e.g. from the database).
    pub fn from_texts(
        text: String,
        law_text: String,
        source: AgreementSource,
    ) -> Result<LoadedAgreement, LoadError> {
        let file = match &source {
            AgreementSource::Builtin(n) => format!("agreements/{n}.toml"),
            AgreementSource::File(p) => p.display().to_string(),
        };
        let agreement = parse_agreement(&text, &file).map_err(LoadError::Problems)?;
        let law = parse_law(&law_text, &format!("agreements/law/{}.toml", agreement.law))
            .map_err(LoadError::Problems)?;
        Ok(LoadedAgreement {
            agreement,
            law,
            source,
            text,
            law_text,
        })
    }
}

/// Errors while locating or reading an agreement.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "unknown agreement {name:?}: not a file, and not one of the built-in agreements ({known})"
    )]
    UnknownAgreement { name: String, known: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Problems(FileProblems),
    #[error("{file}: the law parameter set {law:?} is neither in {dir} nor built in ({known})")]
    UnknownLaw {
        file: String,
        law: String,
        dir: String,
        known: String,
    },
}

/// Loads an agreement by built-in name or by path, with its law parameters. For a file,
/// the law is looked up in `law/<id>.toml` beside the file, then among the built-in laws.
pub fn load_agreement(name_or_path: &str) -> Result<LoadedAgreement, LoadError> {
    let path = Path::new(name_or_path);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            path: name_or_path.to_string(),
            source,
        })?;
        let file = path.display().to_string();
        let agreement = parse_agreement(&text, &file).map_err(LoadError::Problems)?;
        let dir = path.parent().unwrap_or(Path::new(".")).join("law");
        let law_path = dir.join(format!("{}.toml", agreement.law));
        let (law, law_text) = if law_path.is_file() {
            let law_text =
                std::fs::read_to_string(&law_path).map_err(|source| LoadError::Read {
                    path: law_path.display().to_string(),
                    source,
                })?;
            (
                parse_law(&law_text, &law_path.display().to_string())
                    .map_err(LoadError::Problems)?,
                law_text,
            )
        } else {
            builtin_law(&agreement.law).ok_or_else(|| LoadError::UnknownLaw {
                file: file.clone(),
                law: agreement.law.clone(),
                dir: dir.display().to_string(),
                known: BUILTIN_LAWS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?
        };
        return Ok(LoadedAgreement {
            agreement,
            law,
            source: AgreementSource::File(path.to_path_buf()),
            text,
            law_text,
        });
    }
    load_builtin(name_or_path)
}

/// Loads one of the built-in agreements by name.
pub fn load_builtin(name: &str) -> Result<LoadedAgreement, LoadError> {
    let Some((_, text)) = BUILTIN_AGREEMENTS.iter().find(|(n, _)| *n == name) else {
        return Err(LoadError::UnknownAgreement {
            name: name.to_string(),
            known: BUILTIN_AGREEMENTS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let file = format!("agreements/{name}.toml");
    let agreement = parse_agreement(text, &file).map_err(LoadError::Problems)?;
    let law = builtin_law(&agreement.law).ok_or_else(|| LoadError::UnknownLaw {
        file,
        law: agreement.law.clone(),
        dir: "agreements/law".into(),
        known: BUILTIN_LAWS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    let (law, law_text) = law;
    Ok(LoadedAgreement {
        agreement,
        law,
        source: AgreementSource::Builtin(name.to_string()),
        text: text.to_string(),
        law_text,
    })
}

fn builtin_law(id: &str) -> Option<(LawParams, String)> {
    let (_, text) = BUILTIN_LAWS.iter().find(|(n, _)| *n == id)?;
    // The built-in law file is checked by the test suite; a problem here is a bug.
    let law = parse_law(text, &format!("agreements/law/{id}.toml")).ok()?;
    Some((law, text.to_string()))
}

// ---------------------------------------------------------------------------
// Raw file structure (what serde reads).

/// A number written as a TOML integer or float, kept as an exact decimal.
#[derive(Debug, Clone, Copy)]
struct Num(Pct);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
        }
        let value = match Raw::deserialize(d)? {
            Raw::Int(i) => Pct::from(i),
            // The shortest decimal that round-trips is what the file's author wrote.
            Raw::Float(f) => format!("{f}")
                .parse::<Pct>()
                .map_err(|_| serde::de::Error::custom(format!("{f} is not a decimal number")))?,
        };
        Ok(Num(value))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSourced<T> {
    value: T,
    source: String,
    interpretation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgreementFile {
    agreement: Spanned<RawHeader>,
    risk_zone: Spanned<RawRiskZone>,
    small_departments: RawSmall,
    area_staircase: Option<Spanned<RawAreaStairs>>,
    department_staircase: Option<Spanned<RawDeptStairs>>,
    traffic_light: Option<Spanned<RawTraffic>>,
    #[serde(default)]
    step: Vec<Spanned<RawStep>>,
    #[serde(default)]
    wheel: Vec<Spanned<RawWheel>>,
    letting: Option<Spanned<RawLetting>>,
    applicants: Option<Spanned<RawApplicants>>,
}

/// `[applicants]`: the criteria's parameters [CPH 5.2, B4 IV–V, B5].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApplicants {
    source: String,
    work_min_hours: RawSourced<Num>,
    temporary_min_months: RawSourced<u32>,
    senior_age: RawSourced<u32>,
    cohabitation_years: RawSourced<u32>,
    young: RawSourced<RawAgeGroup>,
    separation_years: RawSourced<u32>,
    separation_cohabitation_years: RawSourced<u32>,
    employment_ages: RawSourced<RawAgeGroup>,
    convictions_ages: RawSourced<RawAgeGroup>,
    convictions_years_back: RawSourced<u32>,
    education_ages: RawSourced<RawAgeGroup>,
    education_completed_by: Spanned<RawSourced<RawMonthDay>>,
    income_ages: RawSourced<RawAgeGroup>,
    income_thresholds: Vec<Spanned<RawDatedAmount>>,
    sources: std::collections::BTreeMap<String, Spanned<String>>,
    internal: RawInternal,
    allocation_limits: Spanned<RawLimits>,
    development_plan_areas: Option<RawDevelopmentPlan>,
    /// Readings of open points that belong to no single value: key → text.
    #[serde(default)]
    interpretations: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevelopmentPlan {
    lists: RawSourced<u32>,
    convictions_criterion: RawSourced<bool>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgeGroup {
    from: u32,
    to: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMonthDay {
    month: u32,
    day: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatedAmount {
    from: toml::value::Datetime,
    amount: Num,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInternal {
    criteria_on_department_steps: RawSourced<Vec<String>>,
    area_outside_needs_criteria: RawSourced<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    #[allow(dead_code)]
    source: String,
    former_omdannelse_lists: RawSourced<u32>,
    former_omdannelse_until: Spanned<RawSourced<toml::value::Datetime>>,
    benefit_months_interpretation: Option<String>,
    #[serde(default)]
    limit: Vec<Spanned<RawLimit>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    id: String,
    areas: Vec<trappe_rules::applicant::LimitArea>,
    fact: String,
    months: Option<u32>,
    under_age: Option<u32>,
    #[serde(default)]
    benefits: Vec<String>,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: String,
    title: String,
    municipality: String,
    #[serde(default)]
    municipality_codes: Vec<String>,
    valid_from: Spanned<toml::value::Datetime>,
    valid_to: Option<Spanned<toml::value::Datetime>>,
    law: String,
    model: Spanned<String>,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    above: Option<Num>,
    at_least: Option<Num>,
    below: Option<Num>,
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholdSet {
    source: Option<String>,
    unemployment: Spanned<RawThreshold>,
    convictions: Spanned<RawThreshold>,
    primary_education: Spanned<RawThreshold>,
    income: Spanned<RawThreshold>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRiskZone {
    relative_margin_pct: Spanned<RawSourced<Num>>,
    unemployment_margin_points: Spanned<RawSourced<Num>>,
    persons_margin: RawSourced<u32>,
    persons_margin_applies_to_income: RawSourced<bool>,
    #[serde(default)]
    published: Vec<Spanned<RawPublished>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublished {
    list_date: Spanned<toml::value::Datetime>,
    source: String,
    unemployment: Spanned<RawThreshold>,
    convictions: Spanned<RawThreshold>,
    primary_education: Spanned<RawThreshold>,
    income: Spanned<RawThreshold>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmall {
    min_homes: RawSourced<u32>,
    min_residents: RawSourced<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAreaStairs {
    source: String,
    decision_residents_above: RawSourced<u32>,
    steps: Vec<Spanned<RawAreaStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAreaStep {
    designation: String,
    step: String,
    #[allow(dead_code)]
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeptStairs {
    high_min_udsat_criteria: RawSourced<u32>,
    medium_min_risk_zone_criteria: RawSourced<u32>,
    table_source: String,
    bands: Vec<Spanned<RawBand>>,
    table: Vec<Spanned<RawRow>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    id: String,
    from_pct: Num,
    to_pct: Option<Num>,
    source: String,
    interpretation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    band: String,
    high: String,
    medium: String,
    low: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTraffic {
    red_designations: Spanned<RawSourced<Vec<String>>>,
    yellow_level: Spanned<RawSourced<String>>,
    yellow_min_criteria: RawSourced<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    staircase: String,
    step: String,
    valid_from: toml::value::Datetime,
    valid_to: Option<toml::value::Datetime>,
    label_da: String,
    label_en: String,
    channels: Vec<String>,
    municipal_allocation: String,
    report_homes_to_allocation: bool,
    flexible: String,
    criteria_sets: Vec<String>,
    #[serde(default)]
    shares: BTreeMap<String, String>,
    source: String,
    interpretation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWheel {
    staircase: String,
    step: String,
    valid_from: toml::value::Datetime,
    valid_to: Option<toml::value::Datetime>,
    source: String,
    interpretation: Option<String>,
    slots: Vec<Spanned<RawSlot>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlot {
    channel: Option<String>,
    criteria: Option<String>,
    alternate: Option<Vec<RawChoice>>,
    choose: Option<Vec<RawChoice>>,
    #[serde(default)]
    fallback: Vec<String>,
    #[serde(default)]
    extra: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    channel: String,
    criteria: Option<String>,
    #[serde(default)]
    extra: bool,
}

/// `[letting]`: the rules around the wheel.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLetting {
    source: String,
    deadlines: Spanned<RawDeadlines>,
    disability_fitted: Option<RawDisability>,
    accessibility: Option<RawAccessibility>,
    safeguard: Option<Spanned<RawSafeguard>>,
    exemption: Option<RawExemption>,
    youth: Option<Spanned<RawYouth>>,
    new_build: Option<Spanned<RawNewBuild>>,
    phase_out: Option<Spanned<RawPhaseOut>>,
    refugee_shared: Option<Spanned<RawRefugee>>,
    subsidy: Option<RawSubsidy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadlines {
    municipality_months: RawSourced<u32>,
    short_notice_minus_days: RawSourced<u32>,
    on_time_days: RawSourced<Vec<u32>>,
    organisation_min_days: RawSourced<u32>,
    free_return_weekdays: RawSourced<u32>,
    max_rent_months_after_return: RawSourced<u32>,
    #[serde(default)]
    holidays: Vec<Spanned<toml::value::Datetime>>,
    holidays_source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisability {
    min_cost_kr: RawSourced<Num>,
    fitted_after: Spanned<RawSourced<toml::value::Datetime>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccessibility {
    max_share_pct: RawSourced<Num>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSafeguard {
    staircase: String,
    step: String,
    nth_allocation: RawSourced<u32>,
    channel: String,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemption {
    steps: Vec<String>,
    every_nth_vacancy: RawSourced<u32>,
    requires_approval: RawSourced<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYouth {
    source: String,
    interpretation: Option<String>,
    one_allocated_per_shared_kitchen: RawSourced<bool>,
    mainly_youth_above_pct: RawSourced<Num>,
    slots: Vec<Spanned<RawSlot>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNewBuild {
    source: String,
    taken_into_use_from: toml::value::Datetime,
    taken_into_use_to: toml::value::Datetime,
    years: RawSourced<u32>,
    max_allocation_share: RawSourced<String>,
    first_letting_step: RawSourced<String>,
    band: Vec<Spanned<RawNewBuildBand>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNewBuildBand {
    id: String,
    from_pct: Num,
    to_pct: Option<Num>,
    source: String,
    interpretation: Option<String>,
    slots: Vec<Spanned<RawSlot>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhaseOut {
    source: String,
    interpretation: Option<String>,
    starts: Vec<Spanned<RawPhaseOutStart>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhaseOutStart {
    staircase: String,
    step: String,
    from_pct: Option<Num>,
    to_pct: Option<Num>,
    from: toml::value::Datetime,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRefugee {
    staircase: String,
    step: String,
    places_per_year: RawSourced<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubsidy {
    years: RawSourced<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLawFile {
    law: RawLawHeader,
    list: Vec<Spanned<RawList>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLawHeader {
    id: String,
    title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    list_date: Spanned<toml::value::Datetime>,
    source: String,
    min_residents: RawSourced<u32>,
    min_criteria: RawSourced<u32>,
    forebyggelse_origin_above_pct: RawSourced<Num>,
    parallelsamfund_origin_above_pct: RawSourced<Num>,
    omdannelse_consecutive_lists: RawSourced<u32>,
    forebyggelse: Spanned<RawThresholdSet>,
    udsat: Spanned<RawThresholdSet>,
}

// ---------------------------------------------------------------------------
// Checking.

/// Collects problems with their positions in one file.
struct Checker<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    fn new(text: &'a str) -> Self {
        Checker {
            text,
            problems: Vec::new(),
        }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rfind('\n')
            .map_or(before.len(), |i| before.len() - i - 1)
            + 1;
        (line, column)
    }

    fn problem(
        &mut self,
        span: Range<usize>,
        what: impl Into<String>,
        expected: impl Into<String>,
    ) {
        let (line, column) = self.position(span.start);
        self.problems.push(Problem {
            line,
            column,
            what: what.into(),
            expected: expected.into(),
        });
    }

    fn date(
        &mut self,
        span: Range<usize>,
        dt: &toml::value::Datetime,
        field: &str,
    ) -> Option<Date> {
        match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                Date::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()).or_else(|| {
                    self.problem(
                        span,
                        format!("{field} = {dt} is not a calendar date"),
                        "a date such as 2024-01-01",
                    );
                    None
                })
            }
            _ => {
                self.problem(
                    span,
                    format!("{field} = {dt} has a time or offset"),
                    "a plain date such as 2024-01-01",
                );
                None
            }
        }
    }

    fn threshold(&mut self, raw: &Spanned<RawThreshold>, name: &str) -> Option<Threshold> {
        let t = raw.get_ref();
        let set: Vec<(Comparison, Pct)> = [
            (Comparison::Above, t.above),
            (Comparison::AtLeast, t.at_least),
            (Comparison::Below, t.below),
        ]
        .into_iter()
        .filter_map(|(c, v)| v.map(|v| (c, v.0)))
        .collect();
        match set.as_slice() {
            [(comparison, value)] => {
                if *value < Pct::ZERO || *value > Pct::from(1000) {
                    self.problem(
                        raw.span(),
                        format!("{name} threshold {value} is out of range"),
                        "a percentage from 0 to 1000",
                    );
                }
                Some(Threshold {
                    value: *value,
                    comparison: *comparison,
                })
            }
            _ => {
                self.problem(
                    raw.span(),
                    format!("{name} has {} comparisons", set.len()),
                    "exactly one of above = N, at_least = N or below = N",
                );
                None
            }
        }
    }

    fn threshold_set(
        &mut self,
        u: &Spanned<RawThreshold>,
        c: &Spanned<RawThreshold>,
        e: &Spanned<RawThreshold>,
        i: &Spanned<RawThreshold>,
    ) -> Option<ThresholdSet> {
        let unemployment = self.threshold(u, "unemployment");
        let convictions = self.threshold(c, "convictions");
        let primary_education = self.threshold(e, "primary_education");
        let income = self.threshold(i, "income");
        Some(ThresholdSet {
            unemployment: unemployment?,
            convictions: convictions?,
            primary_education: primary_education?,
            income: income?,
        })
    }

    fn period(
        &mut self,
        span: Range<usize>,
        from: &toml::value::Datetime,
        to: Option<&toml::value::Datetime>,
    ) -> Option<Period> {
        let from = self.date(span.clone(), from, "valid_from")?;
        let to = match to {
            Some(t) => Some(self.date(span.clone(), t, "valid_to")?),
            None => None,
        };
        if let Some(to) = to {
            if to < from {
                self.problem(
                    span,
                    format!("valid_to {to} is before valid_from {from}"),
                    "valid_to on or after valid_from",
                );
                return None;
            }
        }
        Some(Period { from, to })
    }

    fn finish<T>(self, file: &str, value: Option<T>) -> Result<T, FileProblems> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => {
                let mut problems = self.problems;
                if problems.is_empty() {
                    problems.push(Problem {
                        line: 1,
                        column: 1,
                        what: "the file could not be read".into(),
                        expected: "a valid file".into(),
                    });
                }
                problems.sort_by_key(|p| (p.line, p.column));
                Err(FileProblems {
                    file: file.to_string(),
                    problems,
                })
            }
        }
    }
}

fn sourced<T, U>(raw: RawSourced<T>, f: impl FnOnce(T) -> U) -> Sourced<U> {
    Sourced {
        value: f(raw.value),
        source: raw.source,
        interpretation: raw.interpretation,
    }
}

fn syntax_problem(text: &str, file: &str, e: &toml::de::Error) -> FileProblems {
    let checker = Checker::new(text);
    let (line, column) = e.span().map_or((1, 1), |s| checker.position(s.start));
    FileProblems {
        file: file.to_string(),
        problems: vec![Problem {
            line,
            column,
            what: e.message().split_whitespace().collect::<Vec<_>>().join(" "),
            expected: "the agreement format of docs/agreements.md".into(),
        }],
    }
}

fn parse_channel(s: &str) -> Option<Channel> {
    Channel::ALL.into_iter().find(|c| c.as_str() == s)
}

fn parse_staircase(s: &str) -> Option<Staircase> {
    [
        Staircase::Area,
        Staircase::Department,
        Staircase::TrafficLight,
    ]
    .into_iter()
    .find(|c| c.as_str() == s)
}

/// Parses and checks an agreement file. `file` names it in problems.
pub fn parse_agreement(text: &str, file: &str) -> Result<Agreement, FileProblems> {
    let raw: RawAgreementFile = toml::from_str(text).map_err(|e| syntax_problem(text, file, &e))?;
    let mut ck = Checker::new(text);
    let agreement = check_agreement(&mut ck, raw, text);
    ck.finish(file, agreement)
}

fn check_agreement(ck: &mut Checker<'_>, raw: RawAgreementFile, text: &str) -> Option<Agreement> {
    let mut interpretations = Vec::new();
    let mut note = |key: &str, source: &str, text: &Option<String>| {
        if let Some(t) = text {
            interpretations.push(Interpretation {
                key: key.to_string(),
                text: t.clone(),
                source: source.to_string(),
            });
        }
    };

    let header_span = raw.agreement.span();
    let header = raw.agreement.into_inner();
    let from = ck.date(
        header.valid_from.span(),
        header.valid_from.get_ref(),
        "valid_from",
    );
    let to = match &header.valid_to {
        Some(t) => ck.date(t.span(), t.get_ref(), "valid_to"),
        None => None,
    };
    let period = from.map(|from| Period { from, to });
    if let Some(p) = period {
        if p.to.is_some_and(|to| to < p.from) {
            ck.problem(
                header_span.clone(),
                "the agreement's valid_to is before its valid_from",
                "valid_to on or after valid_from",
            );
        }
    }
    if header.id.trim().is_empty() {
        ck.problem(
            header_span.clone(),
            "agreement id is empty",
            "a name such as copenhagen-2024",
        );
    }

    // Risk zone.
    let rz_span = raw.risk_zone.span();
    let rz = raw.risk_zone.into_inner();
    for (name, m) in [
        ("relative_margin_pct", &rz.relative_margin_pct),
        ("unemployment_margin_points", &rz.unemployment_margin_points),
    ] {
        let v = m.get_ref().value.0;
        if v < Pct::ZERO || v >= Pct::from(100) {
            ck.problem(
                m.span(),
                format!("risk_zone.{name} = {v} is out of range"),
                "a percentage from 0 up to 100",
            );
        }
    }
    let mut published = Vec::new();
    let mut seen_lists = HashSet::new();
    for p in &rz.published {
        let raw_p = p.get_ref();
        let date = ck.date(
            raw_p.list_date.span(),
            raw_p.list_date.get_ref(),
            "list_date",
        );
        let set = ck.threshold_set(
            &raw_p.unemployment,
            &raw_p.convictions,
            &raw_p.primary_education,
            &raw_p.income,
        );
        if let Some(date) = date {
            if !seen_lists.insert(date) {
                ck.problem(
                    p.span(),
                    format!("a second risk_zone.published for the list of {date}"),
                    "one published risk zone per list date",
                );
            }
            if let Some(thresholds) = set {
                published.push(PublishedRiskZone {
                    list_date: date,
                    thresholds,
                    source: raw_p.source.clone(),
                });
            }
        }
    }
    let rz_src = rz.relative_margin_pct.get_ref().source.clone();
    note(
        "risk_zone.relative_margin_pct",
        &rz_src,
        &rz.relative_margin_pct.get_ref().interpretation,
    );
    note(
        "risk_zone.persons_margin_applies_to_income",
        &rz.persons_margin_applies_to_income.source,
        &rz.persons_margin_applies_to_income.interpretation,
    );
    let risk_zone = RiskZoneRule {
        relative_margin_pct: sourced(rz.relative_margin_pct.into_inner(), |n| n.0),
        unemployment_margin_points: sourced(rz.unemployment_margin_points.into_inner(), |n| n.0),
        persons_margin: sourced(rz.persons_margin, |n| n),
        persons_margin_applies_to_income: sourced(rz.persons_margin_applies_to_income, |b| b),
        published,
    };
    let _ = rz_span;

    note(
        "small_departments.min_homes",
        &raw.small_departments.min_homes.source,
        &raw.small_departments.min_homes.interpretation,
    );
    let small_departments = SmallDepartmentRule {
        min_homes: sourced(raw.small_departments.min_homes, |n| n),
        min_residents: sourced(raw.small_departments.min_residents, |n| n),
    };

    // The staircase model.
    let model_name = header.model.get_ref().as_str();
    let mut used_steps: Vec<(Staircase, String, Range<usize>)> = Vec::new();
    let model = match model_name {
        "staircases" => {
            if let Some(t) = &raw.traffic_light {
                ck.problem(
                    t.span(),
                    "a [traffic_light] table in a staircases agreement",
                    "no [traffic_light] with model = \"staircases\"",
                );
            }
            let area = match raw.area_staircase {
                Some(a) => check_area_stairs(ck, a, &mut used_steps, &mut note),
                None => {
                    ck.problem(
                        header.model.span(),
                        "model = \"staircases\" without an [area_staircase] table",
                        "an [area_staircase] table",
                    );
                    None
                }
            };
            let department = match raw.department_staircase {
                Some(d) => check_dept_stairs(ck, d, &mut used_steps, &mut note),
                None => {
                    ck.problem(
                        header.model.span(),
                        "model = \"staircases\" without a [department_staircase] table",
                        "a [department_staircase] table",
                    );
                    None
                }
            };
            match (area, department) {
                (Some(area), Some(department)) => Some(Model::Staircases { area, department }),
                _ => None,
            }
        }
        "traffic-light" => {
            for (present, name) in [
                (
                    raw.area_staircase.as_ref().map(|a| a.span()),
                    "[area_staircase]",
                ),
                (
                    raw.department_staircase.as_ref().map(|a| a.span()),
                    "[department_staircase]",
                ),
            ] {
                if let Some(span) = present {
                    ck.problem(
                        span,
                        format!("a {name} table in a traffic-light agreement"),
                        "only [traffic_light] with model = \"traffic-light\"",
                    );
                }
            }
            match raw.traffic_light {
                Some(t) => {
                    let span = t.span();
                    for step in ["red", "yellow", "green"] {
                        used_steps.push((Staircase::TrafficLight, step.to_string(), span.clone()));
                    }
                    check_traffic(ck, t, &mut note).map(Model::TrafficLight)
                }
                None => {
                    ck.problem(
                        header.model.span(),
                        "model = \"traffic-light\" without a [traffic_light] table",
                        "a [traffic_light] table",
                    );
                    None
                }
            }
        }
        other => {
            ck.problem(
                header.model.span(),
                format!("model = {other:?}"),
                "\"staircases\" or \"traffic-light\"",
            );
            None
        }
    };

    // Step rules: valid values, no overlap per step, covering the agreement's period.
    let mut steps = Vec::new();
    let mut step_spans = Vec::new();
    for s in &raw.step {
        let span = s.span();
        let r = s.get_ref();
        if let Some(rule) = check_step(ck, span.clone(), r, period) {
            note(
                &format!("step.{}.{}", r.staircase, r.step),
                &r.source,
                &r.interpretation,
            );
            steps.push(rule);
            step_spans.push(span);
        }
    }
    for i in 0..steps.len() {
        for j in 0..i {
            let (a, b) = (&steps[i], &steps[j]);
            if a.staircase == b.staircase && a.step == b.step && a.period.overlaps(&b.period) {
                let (line, _) = ck.position(step_spans[j].start);
                ck.problem(
                    step_spans[i].clone(),
                    format!(
                        "{} step {} is defined twice for overlapping periods (also at line {line})",
                        a.staircase.as_str(),
                        a.step
                    ),
                    "one [[step]] per step and date: periods must not overlap",
                );
            }
        }
    }
    if let Some(period) = period {
        for (staircase, step, span) in &used_steps {
            check_coverage(
                ck,
                span.clone(),
                period,
                *staircase,
                step,
                steps
                    .iter()
                    .map(|s| (s.staircase, s.step.as_str(), s.period)),
                "[[step]]",
            );
        }
    }
    for (s, span) in steps.iter().zip(&step_spans) {
        if !used_steps
            .iter()
            .any(|(st, step, _)| *st == s.staircase && *step == s.step)
        {
            ck.problem(
                span.clone(),
                format!(
                    "{} step {} is not a step of this agreement's staircases",
                    s.staircase.as_str(),
                    s.step
                ),
                "a step that the staircase tables can produce",
            );
        }
    }

    // Wheels.
    let mut wheels: Vec<WheelRule> = Vec::new();
    let mut wheel_spans = Vec::new();
    for w in &raw.wheel {
        let span = w.span();
        if let Some(rule) = check_wheel(ck, span.clone(), w.get_ref(), period) {
            note(
                &format!("wheel.{}.{}", rule.staircase.as_str(), rule.step),
                &rule.source,
                &rule.interpretation,
            );
            for (j, other) in wheels.iter().enumerate() {
                if other.staircase == rule.staircase
                    && other.step == rule.step
                    && other.period.overlaps(&rule.period)
                {
                    let (line, _) = ck.position(wheel_spans[j]);
                    ck.problem(span.clone(), format!("a second wheel for {} step {} in an overlapping period (also at line {line})", rule.staircase.as_str(), rule.step), "one [[wheel]] per step and date");
                }
            }
            if !steps
                .iter()
                .any(|s| s.staircase == rule.staircase && s.step == rule.step)
            {
                ck.problem(
                    span.clone(),
                    format!(
                        "a wheel for {} step {}, which has no [[step]]",
                        rule.staircase.as_str(),
                        rule.step
                    ),
                    "a wheel only for a defined step",
                );
            }
            wheels.push(rule);
            wheel_spans.push(span.start);
        }
    }

    let letting = match &raw.letting {
        Some(l) => Some(check_letting(ck, l, period, &mut note)?),
        None => None,
    };
    let applicants = match &raw.applicants {
        Some(a) => Some(check_applicants(ck, a, &mut note)?),
        None => None,
    };

    let model = model?;
    let period = period?;
    Some(Agreement {
        id: header.id,
        title: header.title,
        municipality: header.municipality,
        municipality_codes: header.municipality_codes,
        period,
        source: header.source,
        law: header.law,
        content_sha256: sha256_hex(text.as_bytes()),
        risk_zone,
        small_departments,
        model,
        steps,
        wheels,
        letting,
        applicants,
        interpretations,
    })
}

/// Checks `[applicants]`: the criteria's parameters, internal transfers and the limits
/// on municipal allocation.
fn check_applicants(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawApplicants>,
    note: &mut Note<'_>,
) -> Option<ApplicantRules> {
    use trappe_rules::applicant::{
        AgeGroup, AllocationLimitRules, Benefit, CriterionId, DatedAmount, InternalTransferRules,
        Limit, LimitFact,
    };
    let a = raw.get_ref();
    let mut sourced = |key: &str, r: &RawSourced<u32>| {
        note(&format!("applicants.{key}"), &r.source, &r.interpretation);
        Sourced {
            value: r.value,
            source: r.source.clone(),
            interpretation: r.interpretation.clone(),
        }
    };
    let work_min_hours = Sourced {
        value: a.work_min_hours.value.0,
        source: a.work_min_hours.source.clone(),
        interpretation: a.work_min_hours.interpretation.clone(),
    };
    let temporary_min_months = sourced("temporary_min_months", &a.temporary_min_months);
    let senior_age = sourced("senior_age", &a.senior_age);
    let cohabitation_years = sourced("cohabitation_years", &a.cohabitation_years);
    let separation_years = sourced("separation_years", &a.separation_years);
    let separation_cohabitation_years = sourced(
        "separation_cohabitation_years",
        &a.separation_cohabitation_years,
    );
    let convictions_years_back = sourced("convictions_years_back", &a.convictions_years_back);
    note(
        "applicants.work_min_hours",
        &a.work_min_hours.source,
        &a.work_min_hours.interpretation,
    );
    let span = raw.span();
    let mut group = |ck: &mut Checker<'_>, key: &str, r: &RawSourced<RawAgeGroup>| {
        note(&format!("applicants.{key}"), &r.source, &r.interpretation);
        if r.value.to.is_some_and(|to| to < r.value.from) {
            ck.problem(
                span.clone(),
                format!("applicants.{key}: to < from"),
                "an age group with from ≤ to",
            );
        }
        Sourced {
            value: AgeGroup {
                from: r.value.from,
                to: r.value.to,
            },
            source: r.source.clone(),
            interpretation: r.interpretation.clone(),
        }
    };
    let young = group(ck, "young", &a.young);
    let employment_ages = group(ck, "employment_ages", &a.employment_ages);
    let convictions_ages = group(ck, "convictions_ages", &a.convictions_ages);
    let education_ages = group(ck, "education_ages", &a.education_ages);
    let income_ages = group(ck, "income_ages", &a.income_ages);
    let by = a.education_completed_by.get_ref();
    if Date::from_ymd_opt(2001, by.value.month, by.value.day).is_none() {
        ck.problem(
            a.education_completed_by.span(),
            format!(
                "education_completed_by = {{ month = {}, day = {} }}",
                by.value.month, by.value.day
            ),
            "a day of the year such as { month = 9, day = 30 }",
        );
    }
    note(
        "applicants.education_completed_by",
        &by.source,
        &by.interpretation,
    );
    let mut income_thresholds = Vec::new();
    for t in &a.income_thresholds {
        let r = t.get_ref();
        if let Some(from) = ck.date(t.span(), &r.from, "income_thresholds.from") {
            if r.amount.0 <= Pct::ZERO {
                ck.problem(
                    t.span(),
                    format!("amount = {}", r.amount.0),
                    "a positive amount in kr per month",
                );
            }
            income_thresholds.push(DatedAmount {
                from,
                amount: r.amount.0,
                source: r.source.clone(),
            });
        }
    }
    if income_thresholds.is_empty() {
        ck.problem(
            span.clone(),
            "no income_thresholds",
            "at least one { from = DATE, amount = KR, source = \"…\" }",
        );
    }
    income_thresholds.sort_by_key(|t| t.from);
    if income_thresholds.windows(2).any(|w| w[0].from == w[1].from) {
        ck.problem(
            span.clone(),
            "two income thresholds from the same date",
            "one amount per date",
        );
    }
    let mut sources = std::collections::BTreeMap::new();
    for (key, value) in &a.sources {
        match CriterionId::ALL.into_iter().find(|c| c.as_str() == key) {
            Some(c) => {
                sources.insert(c, value.get_ref().clone());
            }
            None => ck.problem(
                value.span(),
                format!("applicants.sources.{key}"),
                "one of A1, A2, B1, C1, tightened_employment, tightened_convictions, tightened_education, tightened_income",
            ),
        }
    }
    let i = &a.internal;
    note(
        "applicants.internal.criteria_on_department_steps",
        &i.criteria_on_department_steps.source,
        &i.criteria_on_department_steps.interpretation,
    );
    note(
        "applicants.internal.area_outside_needs_criteria",
        &i.area_outside_needs_criteria.source,
        &i.area_outside_needs_criteria.interpretation,
    );
    let internal = InternalTransferRules {
        criteria_on_department_steps: Sourced {
            value: i.criteria_on_department_steps.value.clone(),
            source: i.criteria_on_department_steps.source.clone(),
            interpretation: i.criteria_on_department_steps.interpretation.clone(),
        },
        area_outside_needs_criteria: Sourced {
            value: i.area_outside_needs_criteria.value,
            source: i.area_outside_needs_criteria.source.clone(),
            interpretation: i.area_outside_needs_criteria.interpretation.clone(),
        },
    };
    let l = a.allocation_limits.get_ref();
    let until_raw = l.former_omdannelse_until.get_ref();
    let until = ck.date(
        l.former_omdannelse_until.span(),
        &until_raw.value,
        "former_omdannelse_until",
    );
    note(
        "applicants.allocation_limits.former_omdannelse_lists",
        &l.former_omdannelse_lists.source,
        &l.former_omdannelse_lists.interpretation,
    );
    note(
        "applicants.allocation_limits.benefit_months",
        "CPH B5 'Ydelser'",
        &l.benefit_months_interpretation,
    );
    let mut limits = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for raw_limit in &l.limit {
        let r = raw_limit.get_ref();
        let span = raw_limit.span();
        if !ids.insert(r.id.clone()) {
            ck.problem(
                span.clone(),
                format!("limit id {:?} twice", r.id),
                "a unique id per limit",
            );
        }
        let mut benefits = Vec::new();
        for b in &r.benefits {
            match Benefit::parse(b) {
                Some(b) => benefits.push(b),
                None => ck.problem(
                    span.clone(),
                    format!("benefits = {b:?}"),
                    "self_support, transition, education_aid, cash_benefit, disability_pension, unemployment_benefit, sickness_benefit or resource_course",
                ),
            }
        }
        let months = |ck: &mut Checker<'_>| {
            if r.months.is_none() {
                ck.problem(
                    span.clone(),
                    format!("limit {:?} without months", r.id),
                    "months = N",
                );
            }
            r.months.unwrap_or(0)
        };
        let fact = match r.fact.as_str() {
            "released_from_prison" => LimitFact::ReleasedFromPrison { months: months(ck) },
            "released_minor" => LimitFact::ReleasedMinor {
                months: months(ck),
                under_age: r.under_age.unwrap_or_else(|| {
                    ck.problem(
                        span.clone(),
                        format!("limit {:?} without under_age", r.id),
                        "under_age = N (the age below which the limit applies)",
                    );
                    0
                }),
            },
            "tenancy_ended" => LimitFact::TenancyEnded { months: months(ck) },
            "non_eu_citizen" => LimitFact::NonEuCitizen,
            "benefits" => LimitFact::Benefits {
                benefits,
                months: months(ck),
            },
            "receives" => LimitFact::Receives { benefits },
            other => {
                ck.problem(
                    span.clone(),
                    format!("fact = {other:?}"),
                    "released_from_prison, released_minor, tenancy_ended, non_eu_citizen, benefits or receives",
                );
                continue;
            }
        };
        limits.push(Limit {
            id: r.id.clone(),
            areas: r.areas.clone(),
            fact,
            source: r.source.clone(),
        });
    }
    for (key, text) in &a.interpretations {
        note(&format!("applicants.{key}"), &a.source, &Some(text.clone()));
    }
    let development_plan_areas = a.development_plan_areas.as_ref().map(|d| {
        note(
            "applicants.development_plan_areas.lists",
            &d.lists.source,
            &d.lists.interpretation,
        );
        trappe_rules::applicant::DevelopmentPlanRule {
            lists: Sourced {
                value: d.lists.value,
                source: d.lists.source.clone(),
                interpretation: d.lists.interpretation.clone(),
            },
            convictions_criterion: Sourced {
                value: d.convictions_criterion.value,
                source: d.convictions_criterion.source.clone(),
                interpretation: d.convictions_criterion.interpretation.clone(),
            },
        }
    });
    let until = until?;
    Some(ApplicantRules {
        development_plan_areas,
        source: a.source.clone(),
        work_min_hours,
        temporary_min_months,
        senior_age,
        cohabitation_years,
        young,
        separation_years,
        separation_cohabitation_years,
        income_thresholds,
        employment_ages,
        convictions_ages,
        convictions_years_back,
        education_ages,
        education_completed_by: Sourced {
            value: (by.value.month, by.value.day),
            source: by.source.clone(),
            interpretation: by.interpretation.clone(),
        },
        income_ages,
        internal,
        limits: AllocationLimitRules {
            limits,
            former_omdannelse_lists: Sourced {
                value: l.former_omdannelse_lists.value,
                source: l.former_omdannelse_lists.source.clone(),
                interpretation: l.former_omdannelse_lists.interpretation.clone(),
            },
            former_omdannelse_until: Sourced {
                value: until,
                source: until_raw.source.clone(),
                interpretation: until_raw.interpretation.clone(),
            },
            benefit_months_interpretation: l.benefit_months_interpretation.clone(),
        },
        sources,
    })
}

type Note<'n> = dyn FnMut(&str, &str, &Option<String>) + 'n;

fn check_area_stairs(
    ck: &mut Checker<'_>,
    raw: Spanned<RawAreaStairs>,
    used: &mut Vec<(Staircase, String, Range<usize>)>,
    note: &mut Note<'_>,
) -> Option<AreaStaircase> {
    let a = raw.into_inner();
    let mut steps = Vec::new();
    for s in &a.steps {
        let r = s.get_ref();
        match r.designation.parse::<Designation>() {
            Ok(Designation::None) => ck.problem(
                s.span(),
                "designation \"none\" on the area staircase",
                "forebyggelse, udsat, parallelsamfund or omdannelse",
            ),
            Ok(d) => {
                if steps.iter().any(|(x, _)| *x == d) {
                    ck.problem(
                        s.span(),
                        format!("designation {d} is given a step twice"),
                        "one step per designation",
                    );
                } else {
                    steps.push((d, r.step.clone()));
                    used.push((Staircase::Area, r.step.clone(), s.span()));
                }
            }
            Err(e) => ck.problem(
                s.span(),
                format!("designation {:?}", r.designation),
                e.to_string(),
            ),
        }
    }
    note(
        "area_staircase.decision_residents_above",
        &a.decision_residents_above.source,
        &a.decision_residents_above.interpretation,
    );
    Some(AreaStaircase {
        steps,
        source: a.source,
        decision_residents_above: sourced(a.decision_residents_above, |n| n),
    })
}

fn check_dept_stairs(
    ck: &mut Checker<'_>,
    raw: Spanned<RawDeptStairs>,
    used: &mut Vec<(Staircase, String, Range<usize>)>,
    note: &mut Note<'_>,
) -> Option<DepartmentStaircase> {
    let span = raw.span();
    let d = raw.into_inner();
    let mut bands: Vec<(AllocatedBand, Range<usize>)> = Vec::new();
    for b in &d.bands {
        let r = b.get_ref();
        let from = r.from_pct.0;
        let to = r.to_pct.map(|t| t.0);
        if from < Pct::ZERO
            || from > Pct::from(100)
            || to.is_some_and(|t| t <= from || t > Pct::from(100))
        {
            ck.problem(
                b.span(),
                format!(
                    "band {} [{from}, {}) is not a range within 0–100",
                    r.id,
                    to.map_or("∞".into(), |t| t.to_string())
                ),
                "0 ≤ from_pct < to_pct ≤ 100",
            );
            continue;
        }
        if bands.iter().any(|(x, _)| x.id == r.id) {
            ck.problem(
                b.span(),
                format!("band id {} is used twice", r.id),
                "unique band ids",
            );
            continue;
        }
        note(
            &format!("department_staircase.band.{}", r.id),
            &r.source,
            &r.interpretation,
        );
        bands.push((
            AllocatedBand {
                id: r.id.clone(),
                from_pct: from,
                to_pct: to,
                source: r.source.clone(),
                interpretation: r.interpretation.clone(),
            },
            b.span(),
        ));
    }
    bands.sort_by_key(|a| a.0.from_pct);
    // The bands must cover 0 % and upwards without gaps or overlaps.
    let mut expected_from = Pct::ZERO;
    let mut open_end = false;
    for (b, bspan) in &bands {
        if open_end {
            ck.problem(
                bspan.clone(),
                format!("band {} starts after a band with no upper end", b.id),
                "only the highest band may omit to_pct",
            );
        }
        if b.from_pct < expected_from {
            ck.problem(
                bspan.clone(),
                format!(
                    "band {} starts at {} %, overlapping the band below (which ends at {} %)",
                    b.id, b.from_pct, expected_from
                ),
                "bands that do not overlap",
            );
        } else if b.from_pct > expected_from {
            ck.problem(
                bspan.clone(),
                format!(
                    "band {} starts at {} %, leaving {}–{} % in no band",
                    b.id, b.from_pct, expected_from, b.from_pct
                ),
                "bands without gaps, the lowest starting at 0",
            );
        }
        match b.to_pct {
            Some(t) => expected_from = t,
            None => open_end = true,
        }
    }
    if !open_end && !bands.is_empty() && expected_from < Pct::from(100) {
        ck.problem(
            span.clone(),
            format!("the bands end at {expected_from} %"),
            "the highest band without to_pct (or ending at 100)",
        );
    }
    let mut table = Vec::new();
    for row in &d.table {
        let r = row.get_ref();
        if !bands.iter().any(|(b, _)| b.id == r.band) {
            ck.problem(
                row.span(),
                format!("table row for unknown band {:?}", r.band),
                "a band id from department_staircase.bands",
            );
            continue;
        }
        if table.iter().any(|c: &StepCell| c.band == r.band) {
            ck.problem(
                row.span(),
                format!("band {} has two rows in the step table", r.band),
                "one row per band",
            );
            continue;
        }
        for (need, step) in [
            (Need::High, &r.high),
            (Need::Medium, &r.medium),
            (Need::Low, &r.low),
        ] {
            table.push(StepCell {
                band: r.band.clone(),
                need,
                step: step.clone(),
            });
            used.push((Staircase::Department, step.clone(), row.span()));
        }
    }
    for (b, bspan) in &bands {
        if !table.iter().any(|c| c.band == b.id) {
            ck.problem(
                bspan.clone(),
                format!("band {} has no row in the step table", b.id),
                "a table row for every band",
            );
        }
    }
    note(
        "department_staircase.high_min_udsat_criteria",
        &d.high_min_udsat_criteria.source,
        &d.high_min_udsat_criteria.interpretation,
    );
    Some(DepartmentStaircase {
        high_min_udsat_criteria: sourced(d.high_min_udsat_criteria, |n| n),
        medium_min_risk_zone_criteria: sourced(d.medium_min_risk_zone_criteria, |n| n),
        bands: bands.into_iter().map(|(b, _)| b).collect(),
        table,
        table_source: d.table_source,
    })
}

fn check_traffic(
    ck: &mut Checker<'_>,
    raw: Spanned<RawTraffic>,
    note: &mut Note<'_>,
) -> Option<TrafficLight> {
    let t = raw.into_inner();
    let red_span = t.red_designations.span();
    let red = t.red_designations.into_inner();
    let mut designations = Vec::new();
    for name in &red.value {
        match name.parse::<Designation>() {
            Ok(Designation::None) | Err(_) => ck.problem(
                red_span.clone(),
                format!("red designation {name:?}"),
                "forebyggelse, udsat, parallelsamfund or omdannelse",
            ),
            Ok(d) => designations.push(d),
        }
    }
    let level_span = t.yellow_level.span();
    let level_raw = t.yellow_level.into_inner();
    let level = match level_raw.value.as_str() {
        "forebyggelse" => Some(ThresholdLevel::Forebyggelse),
        "risk_zone" => Some(ThresholdLevel::RiskZone),
        "udsat" => Some(ThresholdLevel::Udsat),
        other => {
            ck.problem(
                level_span,
                format!("yellow_level = {other:?}"),
                "\"forebyggelse\", \"risk_zone\" or \"udsat\"",
            );
            None
        }
    };
    if t.yellow_min_criteria.value > 4 {
        ck.problem(
            red_span,
            format!(
                "yellow_min_criteria = {} exceeds the 4 criteria",
                t.yellow_min_criteria.value
            ),
            "a number from 0 to 4",
        );
    }
    note(
        "traffic_light.red_designations",
        &red.source,
        &red.interpretation,
    );
    note(
        "traffic_light.yellow_level",
        &level_raw.source,
        &level_raw.interpretation,
    );
    note(
        "traffic_light.yellow_min_criteria",
        &t.yellow_min_criteria.source,
        &t.yellow_min_criteria.interpretation,
    );
    Some(TrafficLight {
        red_designations: Sourced {
            value: designations,
            source: red.source,
            interpretation: red.interpretation,
        },
        yellow_level: Sourced {
            value: level?,
            source: level_raw.source,
            interpretation: level_raw.interpretation,
        },
        yellow_min_criteria: sourced(t.yellow_min_criteria, |n| n),
    })
}

fn check_step(
    ck: &mut Checker<'_>,
    span: Range<usize>,
    r: &RawStep,
    agreement: Option<Period>,
) -> Option<StepRule> {
    let staircase = parse_staircase(&r.staircase);
    if staircase.is_none() {
        ck.problem(
            span.clone(),
            format!("staircase = {:?}", r.staircase),
            "\"area\", \"department\" or \"traffic-light\"",
        );
    }
    let period = ck.period(span.clone(), &r.valid_from, r.valid_to.as_ref());
    if let (Some(p), Some(a)) = (period, agreement) {
        if p.from < a.from || (a.to.is_some() && p.to.is_none_or(|to| to > a.to.unwrap_or(to))) {
            ck.problem(
                span.clone(),
                format!(
                    "step period {} – {} reaches outside the agreement's period",
                    p.from,
                    p.to.map_or("open".into(), |d| d.to_string())
                ),
                "a period within the agreement's valid_from–valid_to",
            );
        }
    }
    let mut channels = Vec::new();
    for c in &r.channels {
        match parse_channel(c) {
            Some(ch) => channels.push(ch),
            None => ck.problem(
                span.clone(),
                format!("channel {c:?}"),
                "waiting_list, flexible, municipal_allocation or urban_renewal",
            ),
        }
    }
    let mut shares = Vec::new();
    for (k, v) in &r.shares {
        match parse_channel(k) {
            Some(ch) => shares.push((ch, v.clone())),
            None => ck.problem(span.clone(), format!("shares key {k:?}"), "a channel name"),
        }
    }
    let allocation = match r.municipal_allocation.as_str() {
        "allowed" => Some(AllocationRule::Allowed),
        "limited" => Some(AllocationRule::Limited),
        "suspended" => Some(AllocationRule::Suspended),
        other => {
            ck.problem(
                span.clone(),
                format!("municipal_allocation = {other:?}"),
                "\"allowed\", \"limited\" or \"suspended\"",
            );
            None
        }
    };
    let flexible = match r.flexible.as_str() {
        "none" => Some(FlexibleLetting::None),
        "possible" => Some(FlexibleLetting::Possible),
        "required" => Some(FlexibleLetting::Required),
        other => {
            ck.problem(
                span.clone(),
                format!("flexible = {other:?}"),
                "\"none\", \"possible\" or \"required\"",
            );
            None
        }
    };
    if flexible == Some(FlexibleLetting::None) && channels.contains(&Channel::Flexible) {
        ck.problem(
            span.clone(),
            "flexible = \"none\" but channels include flexible",
            "flexible letting allowed when it is a channel",
        );
    }
    if allocation == Some(AllocationRule::Suspended)
        && channels.contains(&Channel::MunicipalAllocation)
    {
        ck.problem(
            span.clone(),
            "municipal_allocation = \"suspended\" but channels include municipal_allocation",
            "no allocation channel where allocation is suspended",
        );
    }
    Some(StepRule {
        staircase: staircase?,
        step: r.step.clone(),
        period: period?,
        label_da: r.label_da.clone(),
        label_en: r.label_en.clone(),
        channels,
        municipal_allocation: allocation?,
        report_homes_to_allocation: r.report_homes_to_allocation,
        flexible: flexible?,
        criteria_sets: r.criteria_sets.clone(),
        shares,
        source: r.source.clone(),
        interpretation: r.interpretation.clone(),
    })
}

fn check_wheel(
    ck: &mut Checker<'_>,
    span: Range<usize>,
    r: &RawWheel,
    agreement: Option<Period>,
) -> Option<WheelRule> {
    let staircase = parse_staircase(&r.staircase);
    if staircase.is_none() {
        ck.problem(
            span.clone(),
            format!("staircase = {:?}", r.staircase),
            "\"area\", \"department\" or \"traffic-light\"",
        );
    }
    let period = ck.period(span.clone(), &r.valid_from, r.valid_to.as_ref());
    if let (Some(p), Some(a)) = (period, agreement) {
        if !a.contains(p.from) || p.to.is_some_and(|t| !a.contains(t)) {
            ck.problem(
                span.clone(),
                "wheel period reaches outside the agreement's period",
                "a period within the agreement's valid_from–valid_to",
            );
        }
    }
    if r.slots.is_empty() {
        ck.problem(span.clone(), "a wheel with no slots", "at least one slot");
    }
    let slots = check_slots(ck, &r.slots);
    Some(WheelRule {
        staircase: staircase?,
        step: r.step.clone(),
        period: period?,
        slots,
        source: r.source.clone(),
        interpretation: r.interpretation.clone(),
    })
}

/// Checks `[letting]`: deadlines and the special homes' rules.
fn check_letting(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawLetting>,
    agreement: Option<Period>,
    note: &mut Note<'_>,
) -> Option<LettingRules> {
    let span = raw.span();
    let l = raw.get_ref();
    let staircase = |ck: &mut Checker<'_>, span: Range<usize>, s: &str| {
        let st = parse_staircase(s);
        if st.is_none() {
            ck.problem(
                span,
                format!("staircase = {s:?}"),
                "\"area\", \"department\" or \"traffic-light\"",
            );
        }
        st
    };
    let src = |r: &RawSourced<u32>| Sourced {
        value: r.value,
        source: r.source.clone(),
        interpretation: r.interpretation.clone(),
    };
    let d = l.deadlines.get_ref();
    let mut holidays = Vec::new();
    for h in &d.holidays {
        if let Some(date) = ck.date(h.span(), h.get_ref(), "holidays") {
            holidays.push(date);
        }
    }
    if !d.holidays.is_empty() && d.holidays_source.is_none() {
        ck.problem(
            l.deadlines.span(),
            "holidays without holidays_source",
            "holidays_source = \"…\" naming where the dates come from",
        );
    }
    for (key, r) in [
        ("municipality_months", &d.municipality_months),
        ("short_notice_minus_days", &d.short_notice_minus_days),
        ("organisation_min_days", &d.organisation_min_days),
        ("free_return_weekdays", &d.free_return_weekdays),
        (
            "max_rent_months_after_return",
            &d.max_rent_months_after_return,
        ),
    ] {
        note(
            &format!("letting.deadlines.{key}"),
            &r.source,
            &r.interpretation,
        );
    }
    let deadlines = DeadlineRules {
        municipality_months: src(&d.municipality_months),
        short_notice_minus_days: src(&d.short_notice_minus_days),
        on_time_days: Sourced {
            value: d.on_time_days.value.clone(),
            source: d.on_time_days.source.clone(),
            interpretation: d.on_time_days.interpretation.clone(),
        },
        organisation_min_days: src(&d.organisation_min_days),
        free_return_weekdays: src(&d.free_return_weekdays),
        max_rent_months_after_return: src(&d.max_rent_months_after_return),
        holidays,
    };
    let disability_fitted = match &l.disability_fitted {
        Some(r) => {
            let fa = r.fitted_after.get_ref();
            let date = ck.date(r.fitted_after.span(), &fa.value, "fitted_after")?;
            note(
                "letting.disability_fitted.min_cost_kr",
                &r.min_cost_kr.source,
                &r.min_cost_kr.interpretation,
            );
            note(
                "letting.disability_fitted.fitted_after",
                &fa.source,
                &fa.interpretation,
            );
            Some(DisabilityFittedRule {
                min_cost_kr: Sourced {
                    value: r.min_cost_kr.value.0,
                    source: r.min_cost_kr.source.clone(),
                    interpretation: r.min_cost_kr.interpretation.clone(),
                },
                fitted_after: Sourced {
                    value: date,
                    source: fa.source.clone(),
                    interpretation: fa.interpretation.clone(),
                },
            })
        }
        None => None,
    };
    let accessibility = l.accessibility.as_ref().map(|r| AccessibilityRule {
        max_share_pct: Sourced {
            value: r.max_share_pct.value.0,
            source: r.max_share_pct.source.clone(),
            interpretation: r.max_share_pct.interpretation.clone(),
        },
    });
    let safeguard = match &l.safeguard {
        Some(r) => {
            let g = r.get_ref();
            let channel = parse_channel(&g.channel);
            if channel.is_none() {
                ck.problem(
                    r.span(),
                    format!("channel {:?}", g.channel),
                    "waiting_list, flexible, municipal_allocation or urban_renewal",
                );
            }
            note(
                "letting.safeguard.nth_allocation",
                &g.nth_allocation.source,
                &g.nth_allocation.interpretation,
            );
            Some(SafeguardRule {
                staircase: staircase(ck, r.span(), &g.staircase)?,
                step: g.step.clone(),
                nth_allocation: src(&g.nth_allocation),
                channel: channel?,
                source: g.source.clone(),
            })
        }
        None => None,
    };
    let exemption = l.exemption.as_ref().map(|r| {
        note(
            "letting.exemption.every_nth_vacancy",
            &r.every_nth_vacancy.source,
            &r.every_nth_vacancy.interpretation,
        );
        note(
            "letting.exemption.requires_approval",
            &r.requires_approval.source,
            &r.requires_approval.interpretation,
        );
        ExemptionRule {
            steps: r.steps.clone(),
            every_nth_vacancy: src(&r.every_nth_vacancy),
            requires_approval: Sourced {
                value: r.requires_approval.value,
                source: r.requires_approval.source.clone(),
                interpretation: r.requires_approval.interpretation.clone(),
            },
        }
    });
    let youth = l.youth.as_ref().map(|r| {
        let y = r.get_ref();
        note("letting.youth", &y.source, &y.interpretation);
        note(
            "letting.youth.mainly_youth_above_pct",
            &y.mainly_youth_above_pct.source,
            &y.mainly_youth_above_pct.interpretation,
        );
        YouthRule {
            slots: check_slots(ck, &y.slots),
            source: y.source.clone(),
            interpretation: y.interpretation.clone(),
            one_allocated_per_shared_kitchen: Sourced {
                value: y.one_allocated_per_shared_kitchen.value,
                source: y.one_allocated_per_shared_kitchen.source.clone(),
                interpretation: y.one_allocated_per_shared_kitchen.interpretation.clone(),
            },
            mainly_youth_above_pct: Sourced {
                value: y.mainly_youth_above_pct.value.0,
                source: y.mainly_youth_above_pct.source.clone(),
                interpretation: y.mainly_youth_above_pct.interpretation.clone(),
            },
        }
    });
    let new_build = match &l.new_build {
        Some(r) => {
            let n = r.get_ref();
            let taken = ck.period(r.span(), &n.taken_into_use_from, Some(&n.taken_into_use_to))?;
            let share = match n
                .max_allocation_share
                .value
                .split_once('/')
                .map(|(a, b)| (a.trim().parse::<u32>(), b.trim().parse::<u32>()))
            {
                Some((Ok(a), Ok(b))) if b > 0 && a <= b => (a, b),
                _ => {
                    ck.problem(
                        r.span(),
                        format!("max_allocation_share = {:?}", n.max_allocation_share.value),
                        "a fraction such as \"1/3\"",
                    );
                    return None;
                }
            };
            let mut bands = Vec::new();
            for b in &n.band {
                let raw = b.get_ref();
                note(
                    &format!("letting.new_build.band.{}", raw.id),
                    &raw.source,
                    &raw.interpretation,
                );
                bands.push(NewBuildBand {
                    id: raw.id.clone(),
                    from_pct: raw.from_pct.0,
                    to_pct: raw.to_pct.map(|t| t.0),
                    slots: check_slots(ck, &raw.slots),
                    source: raw.source.clone(),
                    interpretation: raw.interpretation.clone(),
                });
            }
            bands.sort_by_key(|b| b.from_pct);
            let mut cursor = Some(Pct::ZERO);
            for b in &bands {
                if cursor != Some(b.from_pct) {
                    ck.problem(r.span(), format!("new-build band {} starts at {} %", b.id, b.from_pct), format!("bands that tile 0 % upward without gaps or overlaps (expected a start at {} %)", cursor.map_or("-".into(), |c| c.to_string())));
                }
                cursor = b.to_pct;
            }
            if cursor.is_some() {
                ck.problem(
                    r.span(),
                    "the top new-build band has an upper bound",
                    "an open top band (no to_pct)",
                );
            }
            note(
                "letting.new_build.first_letting_step",
                &n.first_letting_step.source,
                &n.first_letting_step.interpretation,
            );
            note(
                "letting.new_build.max_allocation_share",
                &n.max_allocation_share.source,
                &n.max_allocation_share.interpretation,
            );
            Some(NewBuildRule {
                taken_into_use: taken,
                source: n.source.clone(),
                years: src(&n.years),
                max_allocation_share: Sourced {
                    value: share,
                    source: n.max_allocation_share.source.clone(),
                    interpretation: n.max_allocation_share.interpretation.clone(),
                },
                bands,
                first_letting_step: Sourced {
                    value: n.first_letting_step.value.clone(),
                    source: n.first_letting_step.source.clone(),
                    interpretation: n.first_letting_step.interpretation.clone(),
                },
            })
        }
        None => None,
    };
    let phase_out = match &l.phase_out {
        Some(r) => {
            let p = r.get_ref();
            note("letting.phase_out", &p.source, &p.interpretation);
            let mut starts = Vec::new();
            for s in &p.starts {
                let raw = s.get_ref();
                let st = staircase(ck, s.span(), &raw.staircase);
                let from = ck.date(s.span(), &raw.from, "from");
                if let (Some(staircase), Some(from)) = (st, from) {
                    starts.push(PhaseOutStart {
                        staircase,
                        step: raw.step.clone(),
                        from_pct: raw.from_pct.map(|v| v.0),
                        to_pct: raw.to_pct.map(|v| v.0),
                        from,
                        source: raw.source.clone(),
                    });
                }
            }
            Some(PhaseOutRule {
                source: p.source.clone(),
                starts,
                interpretation: p.interpretation.clone(),
            })
        }
        None => None,
    };
    let refugee_shared = match &l.refugee_shared {
        Some(r) => {
            let g = r.get_ref();
            Some(RefugeeSharedRule {
                staircase: staircase(ck, r.span(), &g.staircase)?,
                step: g.step.clone(),
                places_per_year: src(&g.places_per_year),
            })
        }
        None => None,
    };
    let subsidy = l.subsidy.as_ref().map(|r| SubsidyRule {
        years: src(&r.years),
    });
    if agreement.is_none() {
        ck.problem(
            span,
            "[letting] in an agreement without a valid period",
            "valid_from/valid_to in [agreement]",
        );
    }
    Some(LettingRules {
        source: l.source.clone(),
        deadlines,
        disability_fitted,
        accessibility,
        safeguard,
        exemption,
        youth,
        new_build,
        phase_out,
        refugee_shared,
        subsidy,
    })
}

/// Checks the slots of a wheel: each is one channel, alternating choices or the
/// organisation's choice, with known channels and criteria for flexible slots.
fn check_slots(ck: &mut Checker<'_>, raw_slots: &[Spanned<RawSlot>]) -> Vec<Slot> {
    let mut slots = Vec::new();
    for s in raw_slots {
        let raw = s.get_ref();
        let choice = |ck: &mut Checker<'_>,
                      channel: &str,
                      criteria: &Option<String>,
                      extra: bool|
         -> Option<SlotChoice> {
            let Some(ch) = parse_channel(channel) else {
                ck.problem(
                    s.span(),
                    format!("channel {channel:?}"),
                    "waiting_list, flexible, municipal_allocation or urban_renewal",
                );
                return None;
            };
            if ch == Channel::Flexible && criteria.is_none() {
                ck.problem(
                    s.span(),
                    "a flexible slot without criteria",
                    "criteria = \"A\" (or another criteria set)",
                );
            }
            Some(SlotChoice {
                channel: ch,
                criteria: criteria.clone(),
                extra,
            })
        };
        let kinds = [
            raw.channel.is_some(),
            raw.alternate.is_some(),
            raw.choose.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if kinds != 1 {
            ck.problem(
                s.span(),
                format!("a slot with {kinds} of channel/alternate/choose"),
                "exactly one of channel, alternate or choose",
            );
            continue;
        }
        let (choices, organisation_chooses) = if let Some(ch) = &raw.channel {
            (vec![choice(ck, ch, &raw.criteria, raw.extra)], false)
        } else {
            let list = raw
                .alternate
                .as_ref()
                .or(raw.choose.as_ref())
                .map_or(&[][..], |v| v.as_slice());
            if list.len() < 2 {
                ck.problem(
                    s.span(),
                    "alternate/choose with fewer than two choices",
                    "two or more choices",
                );
            }
            (
                list.iter()
                    .map(|c| choice(ck, &c.channel, &c.criteria, c.extra))
                    .collect(),
                raw.choose.is_some(),
            )
        };
        let mut fallback = Vec::new();
        for f in &raw.fallback {
            match parse_channel(f) {
                Some(ch) => fallback.push(ch),
                None => ck.problem(
                    s.span(),
                    format!("fallback channel {f:?}"),
                    "waiting_list, flexible, municipal_allocation or urban_renewal",
                ),
            }
        }
        let choices: Option<Vec<SlotChoice>> = choices.into_iter().collect();
        if let Some(alternate) = choices {
            slots.push(Slot {
                alternate,
                organisation_chooses,
                fallback,
            });
        }
    }
    slots
}

/// Checks that the rules for one step cover the agreement's whole period.
fn check_coverage<'s>(
    ck: &mut Checker<'_>,
    span: Range<usize>,
    agreement: Period,
    staircase: Staircase,
    step: &str,
    rules: impl Iterator<Item = (Staircase, &'s str, Period)>,
    what: &str,
) {
    let mut periods: Vec<Period> = rules
        .filter(|(st, s, _)| *st == staircase && *s == step)
        .map(|(_, _, p)| p)
        .collect();
    periods.sort_by_key(|p| p.from);
    let mut cursor = Some(agreement.from);
    for p in &periods {
        let Some(c) = cursor else { break };
        if p.from > c {
            break;
        }
        cursor = p.to.and_then(|t| t.succ_opt());
        if p.to.is_none() {
            cursor = None;
        }
    }
    let covered = match (cursor, agreement.to) {
        (None, _) => true,
        (Some(c), Some(end)) => c > end,
        (Some(_), None) => false,
    };
    if !covered {
        ck.problem(
            span,
            format!(
                "{} step {step} has no {what} from {}",
                staircase.as_str(),
                cursor.map_or("-".into(), |c| c.to_string())
            ),
            format!(
                "a {what} for {} step {step} covering the whole agreement period",
                staircase.as_str()
            ),
        );
    }
}

/// Parses and checks a law parameter file.
pub fn parse_law(text: &str, file: &str) -> Result<LawParams, FileProblems> {
    let raw: RawLawFile = toml::from_str(text).map_err(|e| syntax_problem(text, file, &e))?;
    let mut ck = Checker::new(text);
    let mut lists: Vec<ListThresholds> = Vec::new();
    for l in raw.list {
        let span = l.span();
        let r = l.into_inner();
        let date = ck.date(r.list_date.span(), r.list_date.get_ref(), "list_date");
        let forebyggelse = {
            let f = r.forebyggelse.get_ref();
            ck.threshold_set(
                &f.unemployment,
                &f.convictions,
                &f.primary_education,
                &f.income,
            )
        };
        let udsat = {
            let u = r.udsat.get_ref();
            ck.threshold_set(
                &u.unemployment,
                &u.convictions,
                &u.primary_education,
                &u.income,
            )
        };
        let _ = (&r.forebyggelse.get_ref().source, &r.udsat.get_ref().source);
        if r.min_criteria.value > 4 {
            ck.problem(
                span.clone(),
                format!("min_criteria = {}", r.min_criteria.value),
                "a number from 1 to 4",
            );
        }
        if let Some(d) = date {
            if lists.iter().any(|x| x.list_date == d) {
                ck.problem(
                    span.clone(),
                    format!("a second [[list]] for {d}"),
                    "one [[list]] per list date",
                );
            }
        }
        if let (Some(list_date), Some(forebyggelse), Some(udsat)) = (date, forebyggelse, udsat) {
            lists.push(ListThresholds {
                list_date,
                source: r.source,
                min_residents: r.min_residents.value,
                min_criteria: r.min_criteria.value,
                forebyggelse,
                udsat,
                forebyggelse_origin_above_pct: r.forebyggelse_origin_above_pct.value.0,
                parallelsamfund_origin_above_pct: r.parallelsamfund_origin_above_pct.value.0,
                omdannelse_consecutive_lists: r.omdannelse_consecutive_lists.value,
            });
        }
    }
    lists.sort_by_key(|l| l.list_date);
    let law = LawParams {
        id: raw.law.id,
        title: raw.law.title,
        lists,
    };
    ck.finish(file, Some(law))
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_agreements_and_laws_pass_the_check() {
        for (name, text) in BUILTIN_AGREEMENTS {
            if let Err(e) = parse_agreement(text, name) {
                panic!("{e}");
            }
        }
        for (name, text) in BUILTIN_LAWS {
            if let Err(e) = parse_law(text, name) {
                panic!("{e}");
            }
        }
    }

    fn cph() -> &'static str {
        BUILTIN_AGREEMENTS[0].1
    }

    fn problems(text: &str) -> Vec<String> {
        match parse_agreement(text, "x.toml") {
            Ok(_) => vec![],
            Err(e) => e.to_string().lines().map(str::to_string).collect(),
        }
    }

    #[test]
    fn overlapping_bands_are_an_error_with_a_line() {
        let text = cph().replace(
            "{ id = \"20_to_25\", from_pct = 20.0",
            "{ id = \"20_to_25\", from_pct = 19.0",
        );
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains("overlapping the band below")),
            "{p:?}"
        );
        assert!(p[0].starts_with("x.toml:"), "{p:?}");
    }

    #[test]
    fn a_gap_between_bands_is_an_error() {
        let text = cph().replace("to_pct = 20.0", "to_pct = 19.0");
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains("leaving 19–20 % in no band")),
            "{p:?}"
        );
    }

    // [letting]: the new-build bands must tile 0 % upward, the cap must be a fraction,
    // and an unknown channel in a youth slot names its line.
    #[test]
    fn letting_section_problems_name_line_and_expectation() {
        let text = cph()
            .replace("from_pct = 10\nto_pct = 15", "from_pct = 11\nto_pct = 15")
            .replace("value = \"1/3\"", "value = \"a third\"");
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains("a fraction such as \"1/3\"")),
            "{p:?}"
        );
        let text = cph().replace("from_pct = 10\nto_pct = 15", "from_pct = 11\nto_pct = 15");
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|l| l.contains("new-build band 10_to_15 starts at 11 %")),
            "{p:?}"
        );
        let text = cph().replacen(
            "{ channel = \"municipal_allocation\", fallback = [\"waiting_list\"] },",
            "{ channel = \"allocation\", fallback = [\"waiting_list\"] },",
            1,
        );
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains("channel \"allocation\"")),
            "{p:?}"
        );
    }

    #[test]
    fn two_steps_for_the_same_period_are_contradictory() {
        let text = cph().replacen("valid_from = 2026-01-01\nvalid_to = 2027-12-31\nlabel_da = \"Afdelingstrappen trin 2\"", "valid_from = 2025-06-01\nvalid_to = 2027-12-31\nlabel_da = \"Afdelingstrappen trin 2\"", 1);
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|l| l.contains("defined twice for overlapping periods")),
            "{p:?}"
        );
    }

    #[test]
    fn a_missing_step_rule_is_reported() {
        let text = cph().replace(
            "staircase = \"department\"\nstep = \"4\"",
            "staircase = \"department\"\nstep = \"5\"",
        );
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|l| l.contains("department step 4 has no [[step]]")),
            "{p:?}"
        );
    }

    #[test]
    fn a_threshold_with_two_comparisons_is_an_error() {
        let text = cph().replace(
            "unemployment = { above = 35.0 }",
            "unemployment = { above = 35.0, below = 3.0 }",
        );
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|l| l.contains("unemployment has 2 comparisons")),
            "{p:?}"
        );
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let p = problems("[agreement]\nid = \n");
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("x.toml:2:"), "{p:?}");
    }

    #[test]
    fn an_unknown_key_is_an_error() {
        let text = cph().replace(
            "law = \"almenboligloven-61\"",
            "law = \"almenboligloven-61\"\nlaww = 1",
        );
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains("unknown field `laww`")),
            "{p:?}"
        );
    }
}
