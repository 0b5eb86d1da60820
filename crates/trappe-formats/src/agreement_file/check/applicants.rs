//! Checking `[applicants]`: the criteria's parameters, internal transfers and the limits
//! on municipal allocation.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::Spanned;

use trappe_rules::agreement::Sourced;
use trappe_rules::applicant::{
    AgeGroup, AllocationLimitRules, ApplicantRules, Benefit, CriterionId, DatedAmount,
    DevelopmentPlanRule, InternalTransferRules, Limit, LimitFact,
};
use trappe_rules::{Date, Pct};

use super::{Checker, Note};
use crate::agreement_file::raw::{
    RawAgeGroup, RawApplicants, RawDatedAmount, RawDevelopmentPlan, RawInternal, RawLimit,
    RawLimits, RawSourced,
};

/// Checks `[applicants]`: the criteria's parameters, internal transfers and the limits
/// on municipal allocation.
pub(super) fn check_applicants(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawApplicants>,
    note: &mut Note<'_>,
) -> Option<ApplicantRules> {
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
    let income_thresholds = check_income_thresholds(ck, &a.income_thresholds, span.clone());
    let sources = check_criterion_sources(ck, &a.sources);
    let internal = internal_transfer_rules(&a.internal, note);
    let limits = check_allocation_limits(ck, &a.allocation_limits, note);
    for (key, text) in &a.interpretations {
        note(&format!("applicants.{key}"), &a.source, &Some(text.clone()));
    }
    let development_plan_areas = a
        .development_plan_areas
        .as_ref()
        .map(|d| development_plan_rule(d, note));
    let limits = limits?;
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
        limits,
        sources,
    })
}

/// Checks the income thresholds: positive amounts, at least one, one per date; sorted by
/// date.
fn check_income_thresholds(
    ck: &mut Checker<'_>,
    raw: &[Spanned<RawDatedAmount>],
    span: Range<usize>,
) -> Vec<DatedAmount> {
    let mut income_thresholds = Vec::new();
    for t in raw {
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
    income_thresholds
}

/// Checks `[applicants.sources]`: where each criterion is written.
fn check_criterion_sources(
    ck: &mut Checker<'_>,
    raw: &BTreeMap<String, Spanned<String>>,
) -> BTreeMap<CriterionId, String> {
    let mut sources = BTreeMap::new();
    for (key, value) in raw {
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
    sources
}

/// Internal transfers [CPH B4 V].
fn internal_transfer_rules(i: &RawInternal, note: &mut Note<'_>) -> InternalTransferRules {
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
    InternalTransferRules {
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
    }
}

/// Checks `[applicants.allocation_limits]`: the limits on municipal allocation and how
/// long a former omdannelsesområde keeps them [CPH B5].
fn check_allocation_limits(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawLimits>,
    note: &mut Note<'_>,
) -> Option<AllocationLimitRules> {
    let l = raw.get_ref();
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
    let mut ids = BTreeSet::new();
    for raw_limit in &l.limit {
        if let Some(limit) = check_limit(ck, raw_limit, &mut ids) {
            limits.push(limit);
        }
    }
    let until = until?;
    Some(AllocationLimitRules {
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
    })
}

/// Checks one `[[applicants.allocation_limits.limit]]`: a unique id, known benefits, and
/// the fact with the parameters it needs.
fn check_limit(
    ck: &mut Checker<'_>,
    raw_limit: &Spanned<RawLimit>,
    ids: &mut BTreeSet<String>,
) -> Option<Limit> {
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
            return None;
        }
    };
    Some(Limit {
        id: r.id.clone(),
        areas: r.areas.clone(),
        fact,
        source: r.source.clone(),
    })
}

/// Former omdannelse areas under a development plan [CPH 6.1.6].
fn development_plan_rule(d: &RawDevelopmentPlan, note: &mut Note<'_>) -> DevelopmentPlanRule {
    note(
        "applicants.development_plan_areas.lists",
        &d.lists.source,
        &d.lists.interpretation,
    );
    DevelopmentPlanRule {
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
}
