//! The raw file structure: what serde reads from an agreement or law parameter file,
//! with the byte span of every table, before any check.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use trappe_rules::Pct;

/// A number written as a TOML integer or float, kept as an exact decimal.
#[derive(Debug, Clone, Copy)]
pub(super) struct Num(pub(super) Pct);

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
pub(super) struct RawSourced<T> {
    pub(super) value: T,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAgreementFile {
    pub(super) agreement: Spanned<RawHeader>,
    pub(super) risk_zone: Option<Spanned<RawRiskZone>>,
    pub(super) small_departments: Option<RawSmall>,
    pub(super) named_list: Option<Spanned<RawNamedList>>,
    pub(super) area_staircase: Option<Spanned<RawAreaStairs>>,
    pub(super) department_staircase: Option<Spanned<RawDeptStairs>>,
    pub(super) traffic_light: Option<Spanned<RawTraffic>>,
    pub(super) placement_in_force: Option<Spanned<RawInForce>>,
    #[serde(default)]
    pub(super) step: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub(super) wheel: Vec<Spanned<RawWheel>>,
    pub(super) letting: Option<Spanned<RawLetting>>,
    pub(super) applicants: Option<Spanned<RawApplicants>>,
}

/// `[placement_in_force]`: how the placement letting uses is decided.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInForce {
    pub(super) by: Spanned<String>,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
    /// With `by = "approved"`: the staircases whose placement holds until approved.
    pub(super) held: Option<Spanned<Vec<String>>>,
    /// With `by = "approved"`: who approves a re-placement.
    pub(super) approved_by: Option<Spanned<String>>,
    /// "at_once" (the default) or "continue_until_department_data" [CPH 6.1.5].
    pub(super) area_leaves_lists: Option<Spanned<RawSourced<String>>>,
    /// "at_once" (the default) or "ordinary_until_decided" [CPH 6.1.5].
    pub(super) newly_designated_prevention: Option<Spanned<RawSourced<String>>>,
}

/// `[named_list]`: the departments the agreement names, per organisation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNamedList {
    pub(super) source: String,
    #[serde(default)]
    pub(super) group: Vec<Spanned<RawNamedGroup>>,
    pub(super) designated: Option<Spanned<RawDesignated>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNamedGroup {
    pub(super) organisation: String,
    #[serde(default)]
    pub(super) departments: Vec<String>,
    pub(super) all_except: Option<Vec<String>>,
    pub(super) step: String,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDesignated {
    pub(super) designations: Vec<Spanned<String>>,
    pub(super) step: String,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
}

/// `[applicants]`: the criteria, the sets slots name, the dated amounts, the ranking,
/// internal transfers and the limits on municipal allocation [CPH 5.2, B4 IV–V, B5].
/// Every part is optional unless something uses it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApplicants {
    pub(super) source: String,
    #[serde(default)]
    pub(super) criterion: Vec<Spanned<RawCriterion>>,
    #[serde(default)]
    pub(super) set: Vec<Spanned<RawSet>>,
    #[serde(default)]
    pub(super) amount: Vec<Spanned<RawAmount>>,
    pub(super) age_documents: Option<Spanned<RawAgeDocuments>>,
    pub(super) ranking: Option<Spanned<RawRanking>>,
    pub(super) internal: Option<RawInternal>,
    pub(super) allocation_limits: Option<Spanned<RawLimits>>,
    pub(super) development_plan_areas: Option<RawDevelopmentPlan>,
    /// Readings of open points that belong to no single value: key → text.
    #[serde(default)]
    pub(super) interpretations: std::collections::BTreeMap<String, String>,
}

/// A text in Danish and English.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTexts {
    pub(super) da: String,
    pub(super) en: String,
}

/// `[[applicants.criterion]]`: one criterion.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCriterion {
    pub(super) id: Spanned<String>,
    pub(super) label: RawTexts,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
    pub(super) who: Spanned<String>,
    pub(super) cohabitation_years: Option<RawSourced<u32>>,
    #[serde(default)]
    pub(super) cohabitant_documents: Vec<Spanned<String>>,
    pub(super) ages: Option<Spanned<RawSourced<RawAgeGroup>>>,
    #[serde(default)]
    pub(super) age_documents: bool,
    pub(super) mirrors: Option<Spanned<String>>,
    /// All of these (each may be an `any` of others).
    #[serde(default)]
    pub(super) condition: Vec<Spanned<RawCondition>>,
}

/// A document a way needs: a kind, or a kind asked only once a job has run some months.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum RawDocNeed {
    Kind(String),
    Running(RawRunning),
}

/// A document asked only once a job has run some months.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRunning {
    pub(super) kind: String,
    pub(super) once_running_months: u32,
}

/// One condition: a `kind` and the keys that kind takes (a flat struct, so that every
/// key keeps its position in the file).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCondition {
    pub(super) kind: Spanned<String>,
    // all / any
    pub(super) of: Option<Vec<Spanned<RawCondition>>>,
    pub(super) none: Option<Spanned<String>>,
    // every leaf
    pub(super) reason: Option<RawTexts>,
    pub(super) source: Option<String>,
    pub(super) interpretation: Option<String>,
    pub(super) documents: Option<Spanned<BTreeMap<String, Vec<RawDocNeed>>>>,
    // age
    pub(super) ages: Option<Spanned<RawSourced<RawAgeGroup>>>,
    // work
    pub(super) senior_from_age: Option<RawSourced<u32>>,
    pub(super) pensions: Option<Vec<Spanned<String>>>,
    pub(super) min_weekly_hours: Option<RawSourced<Num>>,
    pub(super) hours: Option<Spanned<RawSourced<String>>>,
    pub(super) without_hours: Option<Vec<Spanned<String>>>,
    pub(super) temporary: Option<Spanned<RawTemporary>>,
    pub(super) starts_within_months: Option<RawSourced<u32>>,
    // enrolled
    pub(super) student_counts: Option<bool>,
    // completed_education
    pub(super) levels: Option<Vec<Spanned<String>>>,
    pub(super) completed_by: Option<Spanned<RawSourced<RawMonthDay>>>,
    pub(super) youth_group: Option<bool>,
    // residence
    pub(super) municipality: Option<String>,
    pub(super) inside: Option<bool>,
    pub(super) min_years: Option<RawSourced<u32>>,
    // income
    pub(super) period: Option<Spanned<String>>,
    pub(super) at_least: Option<Spanned<String>>,
    pub(super) exempt: Option<Vec<Spanned<String>>>,
    // separation
    pub(super) within_years: Option<RawSourced<u32>>,
    pub(super) shared_address_years: Option<RawSourced<u32>>,
    pub(super) shared_address_married_too: Option<bool>,
    pub(super) lived_in_municipality: Option<bool>,
    // no_conviction
    pub(super) laws: Option<Vec<Spanned<String>>>,
    pub(super) calendar_years_back: Option<RawSourced<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTemporary {
    pub(super) min_months: RawSourced<u32>,
    pub(super) or_income_at_least: Option<Spanned<String>>,
}

/// `[[applicants.set]]`: a criteria set letting slots name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSet {
    pub(super) id: Spanned<String>,
    pub(super) label: RawTexts,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
    #[serde(default)]
    pub(super) any: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) all: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) risk_zone: bool,
    #[serde(default)]
    pub(super) any_dropped_when: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) priority: Vec<Vec<Spanned<String>>>,
    pub(super) at_least: Option<Spanned<RawAtLeast>>,
    pub(super) pending: Option<RawSourced<String>>,
    pub(super) to_confirm: Option<RawTexts>,
}

/// `at_least = { n = 2, of = [...] }` on a set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAtLeast {
    pub(super) n: u32,
    pub(super) of: Vec<Spanned<String>>,
}

/// A range of percentages, both ends included.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRange {
    pub(super) from: Num,
    pub(super) to: Num,
}

/// `[[applicants.amount]]`: a dated amount (an income threshold).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAmount {
    pub(super) id: Spanned<String>,
    pub(super) values: Vec<Spanned<RawDatedAmount>>,
}

/// `[applicants.age_documents]`: what proves a member's age.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAgeDocuments {
    pub(super) any_of: Vec<Vec<Spanned<String>>>,
    pub(super) source: String,
}

/// `[applicants.ranking]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRanking {
    pub(super) source: String,
    pub(super) tie_breaks: Option<RawSourced<Vec<Spanned<String>>>>,
    pub(super) employment_first: Option<Spanned<RawEmploymentFirst>>,
    pub(super) accessibility_priority: Option<RawSourced<Spanned<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEmploymentFirst {
    pub(super) staircases: Vec<Spanned<String>>,
    pub(super) primary: Spanned<String>,
    pub(super) otherwise: Vec<Spanned<String>>,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDevelopmentPlan {
    pub(super) lists: RawSourced<u32>,
    pub(super) convictions_criterion: RawSourced<bool>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAgeGroup {
    pub(super) from: u32,
    pub(super) to: Option<u32>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMonthDay {
    pub(super) month: u32,
    pub(super) day: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatedAmount {
    pub(super) from: toml::value::Datetime,
    pub(super) amount: Num,
    pub(super) source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInternal {
    pub(super) criteria_on_department_steps: RawSourced<Vec<String>>,
    pub(super) area_outside_needs_criteria: RawSourced<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    pub(super) source: String,
    pub(super) former_omdannelse_lists: RawSourced<u32>,
    pub(super) former_omdannelse_until: Spanned<RawSourced<toml::value::Datetime>>,
    pub(super) benefit_months_interpretation: Option<String>,
    #[serde(default)]
    pub(super) limit: Vec<Spanned<RawLimit>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimit {
    pub(super) id: String,
    pub(super) areas: Vec<trappe_rules::applicant::LimitArea>,
    pub(super) fact: String,
    pub(super) months: Option<u32>,
    pub(super) under_age: Option<u32>,
    #[serde(default)]
    pub(super) benefits: Vec<String>,
    pub(super) source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHeader {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) municipality: String,
    #[serde(default)]
    pub(super) municipality_codes: Vec<String>,
    pub(super) valid_from: Spanned<toml::value::Datetime>,
    pub(super) valid_to: Option<Spanned<toml::value::Datetime>>,
    pub(super) law: String,
    pub(super) model: Spanned<String>,
    pub(super) source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawThreshold {
    pub(super) above: Option<Num>,
    pub(super) at_least: Option<Num>,
    pub(super) below: Option<Num>,
    #[allow(dead_code)]
    pub(super) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawThresholdSet {
    pub(super) source: Option<String>,
    pub(super) unemployment: Spanned<RawThreshold>,
    pub(super) convictions: Spanned<RawThreshold>,
    pub(super) primary_education: Spanned<RawThreshold>,
    pub(super) income: Spanned<RawThreshold>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRiskZone {
    pub(super) relative_margin_pct: Spanned<RawSourced<Num>>,
    pub(super) unemployment_margin_points: Spanned<RawSourced<Num>>,
    pub(super) persons_margin: RawSourced<u32>,
    /// "at_most" (exactly the margin is within) or "fewer_than".
    pub(super) persons_margin_counts: Spanned<RawSourced<String>>,
    pub(super) unemployment_persons_margin_counts: Option<Spanned<RawSourced<String>>>,
    pub(super) persons_margin_applies_to_income: RawSourced<bool>,
    #[serde(default)]
    pub(super) published: Vec<Spanned<RawPublished>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPublished {
    pub(super) list_date: Spanned<toml::value::Datetime>,
    pub(super) source: String,
    pub(super) unemployment: Spanned<RawThreshold>,
    pub(super) convictions: Spanned<RawThreshold>,
    pub(super) primary_education: Spanned<RawThreshold>,
    pub(super) income: Spanned<RawThreshold>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmall {
    pub(super) min_homes: RawSourced<u32>,
    pub(super) min_residents: RawSourced<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAreaStairs {
    pub(super) source: String,
    pub(super) decision_residents_above: RawSourced<u32>,
    pub(super) steps: Vec<Spanned<RawAreaStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAreaStep {
    pub(super) designation: String,
    pub(super) step: String,
    #[allow(dead_code)]
    pub(super) source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDeptStairs {
    pub(super) high_min_udsat_criteria: RawSourced<u32>,
    pub(super) medium_min_risk_zone_criteria: RawSourced<u32>,
    pub(super) table_source: String,
    pub(super) bands: Vec<Spanned<RawBand>>,
    pub(super) table: Vec<Spanned<RawRow>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBand {
    pub(super) id: String,
    pub(super) from_pct: Num,
    pub(super) to_pct: Option<Num>,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRow {
    pub(super) band: String,
    pub(super) high: String,
    pub(super) medium: String,
    pub(super) low: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTraffic {
    pub(super) red_designations: Spanned<RawSourced<Vec<String>>>,
    pub(super) yellow_level: Spanned<RawSourced<String>>,
    pub(super) yellow_min_criteria: RawSourced<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub(super) staircase: String,
    pub(super) step: String,
    pub(super) valid_from: toml::value::Datetime,
    pub(super) valid_to: Option<toml::value::Datetime>,
    pub(super) label_da: String,
    pub(super) label_en: String,
    pub(super) channels: Vec<String>,
    /// Absent: the agreement does not restrict the municipality's own right ("allowed").
    pub(super) municipal_allocation: Option<String>,
    /// Absent: the agreement sets no duty to report homes (false).
    #[serde(default)]
    pub(super) report_homes_to_allocation: bool,
    pub(super) flexible: String,
    pub(super) criteria_sets: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) shares: BTreeMap<String, String>,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWheel {
    pub(super) staircase: String,
    pub(super) step: String,
    pub(super) valid_from: toml::value::Datetime,
    pub(super) valid_to: Option<toml::value::Datetime>,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
    #[serde(default)]
    pub(super) slots: Vec<Spanned<RawSlot>>,
    /// Shares instead of slots: realised by a deterministic rotation.
    pub(super) shares: Option<Vec<Spanned<RawShare>>>,
    /// A share the parties have not recorded: registration refuses with this reason.
    pub(super) pending: Option<RawSourced<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShare {
    pub(super) channel: String,
    pub(super) criteria: Option<String>,
    pub(super) percent: Option<Num>,
    pub(super) percent_range: Option<RawRange>,
    pub(super) rest: Option<bool>,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSlot {
    pub(super) channel: Option<String>,
    pub(super) criteria: Option<String>,
    pub(super) alternate: Option<Vec<RawChoice>>,
    pub(super) choose: Option<Vec<RawChoice>>,
    #[serde(default)]
    pub(super) fallback: Vec<String>,
    #[serde(default)]
    pub(super) extra: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChoice {
    pub(super) channel: String,
    pub(super) criteria: Option<String>,
    #[serde(default)]
    pub(super) extra: bool,
}

/// `[letting]`: the rules around the wheel.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLetting {
    pub(super) source: String,
    pub(super) deadlines: Spanned<RawDeadlines>,
    pub(super) disability_fitted: Option<RawDisability>,
    pub(super) accessibility: Option<RawAccessibility>,
    pub(super) safeguard: Option<Spanned<RawSafeguard>>,
    pub(super) exemption: Option<RawExemption>,
    pub(super) youth: Option<Spanned<RawYouth>>,
    pub(super) new_build: Option<Spanned<RawNewBuild>>,
    pub(super) phase_out: Option<Spanned<RawPhaseOut>>,
    pub(super) refugee_shared: Option<Spanned<RawRefugee>>,
    pub(super) subsidy: Option<RawSubsidy>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDeadlines {
    pub(super) municipality_months: RawSourced<u32>,
    pub(super) short_notice_minus_days: RawSourced<u32>,
    pub(super) on_time_days: RawSourced<Vec<u32>>,
    pub(super) on_time_next_weekday: Option<RawSourced<bool>>,
    pub(super) organisation_min_days: RawSourced<u32>,
    pub(super) free_return_weekdays: RawSourced<u32>,
    pub(super) max_rent_months_after_return: RawSourced<u32>,
    #[serde(default)]
    pub(super) holidays: Vec<Spanned<toml::value::Datetime>>,
    pub(super) holidays_source: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDisability {
    pub(super) min_cost_kr: RawSourced<Num>,
    pub(super) fitted_after: Spanned<RawSourced<toml::value::Datetime>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccessibility {
    pub(super) max_share_pct: RawSourced<Num>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSafeguard {
    pub(super) staircase: String,
    pub(super) step: String,
    pub(super) nth_allocation: RawSourced<u32>,
    pub(super) channel: String,
    pub(super) source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExemption {
    pub(super) steps: Vec<String>,
    pub(super) every_nth_vacancy: RawSourced<u32>,
    pub(super) requires_approval: RawSourced<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawYouth {
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
    pub(super) one_allocated_per_shared_kitchen: RawSourced<bool>,
    pub(super) mainly_youth_above_pct: RawSourced<Num>,
    pub(super) slots: Vec<Spanned<RawSlot>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNewBuild {
    pub(super) source: String,
    pub(super) taken_into_use_from: toml::value::Datetime,
    pub(super) taken_into_use_to: toml::value::Datetime,
    pub(super) years: RawSourced<u32>,
    pub(super) max_allocation_share: RawSourced<String>,
    pub(super) first_letting_step: RawSourced<String>,
    pub(super) band: Vec<Spanned<RawNewBuildBand>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNewBuildBand {
    pub(super) id: String,
    pub(super) from_pct: Num,
    pub(super) to_pct: Option<Num>,
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
    pub(super) slots: Vec<Spanned<RawSlot>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPhaseOut {
    pub(super) source: String,
    pub(super) interpretation: Option<String>,
    pub(super) starts: Vec<Spanned<RawPhaseOutStart>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPhaseOutStart {
    pub(super) staircase: String,
    pub(super) step: String,
    pub(super) from_pct: Option<Num>,
    pub(super) to_pct: Option<Num>,
    pub(super) from: toml::value::Datetime,
    pub(super) source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRefugee {
    pub(super) staircase: String,
    pub(super) step: String,
    pub(super) places_per_year: RawSourced<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSubsidy {
    pub(super) years: RawSourced<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLawFile {
    pub(super) law: RawLawHeader,
    pub(super) list: Vec<Spanned<RawList>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLawHeader {
    pub(super) id: String,
    pub(super) title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawList {
    pub(super) list_date: Spanned<toml::value::Datetime>,
    pub(super) source: String,
    pub(super) min_residents: RawSourced<u32>,
    pub(super) min_criteria: RawSourced<u32>,
    pub(super) forebyggelse_origin_above_pct: RawSourced<Num>,
    pub(super) parallelsamfund_origin_above_pct: RawSourced<Num>,
    pub(super) omdannelse_consecutive_lists: RawSourced<u32>,
    pub(super) forebyggelse: Spanned<RawThresholdSet>,
    pub(super) udsat: Spanned<RawThresholdSet>,
}

#[cfg(test)]
mod tests {
    use crate::agreement_file::test_util::{cph, problems};

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
