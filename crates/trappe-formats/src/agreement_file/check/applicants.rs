//! Checking `[applicants]`: the criteria's parameters, internal transfers and the limits
//! on municipal allocation.

use std::collections::BTreeSet;

use toml::Spanned;

use trappe_rules::agreement::Sourced;
use trappe_rules::applicant::{
    AllocationLimitRules, ApplicantRules, Benefit, DevelopmentPlanRule, InternalTransferRules,
    Limit, LimitFact,
};

use super::{criteria, sets, Checker, Note};
use crate::agreement_file::raw::{
    RawApplicants, RawDevelopmentPlan, RawInternal, RawLimit, RawLimits,
};

/// Checks `[applicants]`: the criteria, sets, amounts and ranking, internal transfers
/// and the limits on municipal allocation.
pub(super) fn check_applicants(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawApplicants>,
    municipality_codes: &[String],
    note: &mut Note<'_>,
) -> Option<ApplicantRules> {
    let a = raw.get_ref();
    let amounts = sets::check_amounts(ck, &a.amount, note);
    let age_documents = sets::check_age_documents(ck, a.age_documents.as_ref(), note);
    let criteria = criteria::check_criteria(
        ck,
        &a.criterion,
        &amounts,
        !age_documents.is_empty(),
        municipality_codes,
        note,
    );
    let sets = sets::check_sets(ck, &a.set, &criteria, note);
    let ranking = sets::check_ranking(ck, a.ranking.as_ref(), &criteria, note);
    let internal = a
        .internal
        .as_ref()
        .map(|i| internal_transfer_rules(i, note));
    let limits = match &a.allocation_limits {
        Some(l) => Some(check_allocation_limits(ck, l, note)?),
        None => None,
    };
    for (key, text) in &a.interpretations {
        note(&format!("applicants.{key}"), &a.source, &Some(text.clone()));
    }
    let development_plan_areas = a
        .development_plan_areas
        .as_ref()
        .map(|d| development_plan_rule(d, note));
    // The development-plan rule asks for the convictions criterion: a criterion must
    // mirror it, or the rule would silently ask nothing [CPH 6.1.6].
    if development_plan_areas
        .as_ref()
        .is_some_and(|d| d.convictions_criterion.value)
        && !criteria
            .iter()
            .any(|c| c.mirrors == Some(trappe_rules::criteria::Criterion::Convictions))
    {
        ck.problem(
            raw.span(),
            "development_plan_areas.convictions_criterion = true, but no criterion mirrors \"convictions\"",
            "a [[applicants.criterion]] with mirrors = \"convictions\"",
        );
    }
    Some(ApplicantRules {
        source: a.source.clone(),
        criteria,
        sets,
        amounts,
        age_documents,
        ranking,
        internal,
        limits,
        development_plan_areas,
    })
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
        source: l.source.clone(),
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
