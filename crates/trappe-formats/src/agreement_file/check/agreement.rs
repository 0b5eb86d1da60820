//! Checking an agreement file as a whole: the header, the risk zone, the staircase
//! model, the step rules and their coverage of the agreement's period.

use std::collections::HashSet;
use std::ops::Range;

use trappe_rules::agreement::{
    AllocationRule, Channel, FlexibleLetting, Interpretation, Model, Period, PublishedRiskZone,
    RiskZoneRule, SmallDepartmentRule, Staircase, StepRule, WheelRule,
};
use trappe_rules::{Agreement, Pct};

use super::applicants::check_applicants;
use super::letting::check_letting;
use super::staircases::{check_area_stairs, check_dept_stairs, check_traffic};
use super::wheels::check_wheel;
use super::{parse_channel, parse_staircase, sourced, syntax_problem, Checker, Note};
use crate::agreement_file::raw::{
    RawAgreementFile, RawAreaStairs, RawDeptStairs, RawHeader, RawRiskZone, RawStep, RawTraffic,
    RawWheel,
};
use crate::agreement_file::{sha256_hex, FileProblems};
use toml::Spanned;

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
    let period = check_header(ck, header_span, &header);

    let risk_zone = check_risk_zone(ck, raw.risk_zone, &mut note);

    note(
        "small_departments.min_homes",
        &raw.small_departments.min_homes.source,
        &raw.small_departments.min_homes.interpretation,
    );
    let small_departments = SmallDepartmentRule {
        min_homes: sourced(raw.small_departments.min_homes, |n| n),
        min_residents: sourced(raw.small_departments.min_residents, |n| n),
    };

    let mut used_steps: Vec<(Staircase, String, Range<usize>)> = Vec::new();
    let model = check_model(
        ck,
        &header.model,
        raw.area_staircase,
        raw.department_staircase,
        raw.traffic_light,
        &mut used_steps,
        &mut note,
    );
    let steps = check_steps(ck, &raw.step, period, &used_steps, &mut note);
    let wheels = check_wheels(ck, &raw.wheel, period, &steps, &mut note);

    let letting = match &raw.letting {
        Some(l) => Some(check_letting(ck, l, period, &mut note)?),
        None => None,
    };
    let applicants = match &raw.applicants {
        Some(a) => Some(check_applicants(ck, a, &mut note)?),
        None => None,
    };
    check_set_names(ck, &raw.step, &raw.wheel, applicants.as_ref());

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

/// Checks `[agreement]`: its period and id.
fn check_header(
    ck: &mut Checker<'_>,
    header_span: Range<usize>,
    header: &RawHeader,
) -> Option<Period> {
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
    period
}

/// Checks `[risk_zone]`: the margins and the published risk zones, one per list date.
fn check_risk_zone(
    ck: &mut Checker<'_>,
    raw: Spanned<RawRiskZone>,
    note: &mut Note<'_>,
) -> RiskZoneRule {
    let rz_span = raw.span();
    let rz = raw.into_inner();
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
    risk_zone
}

/// Checks the staircase model: `staircases` with its two staircase tables, or
/// `traffic-light` with its table; every step the tables can produce goes to `used_steps`.
fn check_model(
    ck: &mut Checker<'_>,
    model_field: &Spanned<String>,
    area: Option<Spanned<RawAreaStairs>>,
    department: Option<Spanned<RawDeptStairs>>,
    traffic: Option<Spanned<RawTraffic>>,
    used_steps: &mut Vec<(Staircase, String, Range<usize>)>,
    note: &mut Note<'_>,
) -> Option<Model> {
    let model_name = model_field.get_ref().as_str();
    match model_name {
        "staircases" => {
            if let Some(t) = &traffic {
                ck.problem(
                    t.span(),
                    "a [traffic_light] table in a staircases agreement",
                    "no [traffic_light] with model = \"staircases\"",
                );
            }
            let area = match area {
                Some(a) => check_area_stairs(ck, a, used_steps, note),
                None => {
                    ck.problem(
                        model_field.span(),
                        "model = \"staircases\" without an [area_staircase] table",
                        "an [area_staircase] table",
                    );
                    None
                }
            };
            let department = match department {
                Some(d) => check_dept_stairs(ck, d, used_steps, note),
                None => {
                    ck.problem(
                        model_field.span(),
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
                (area.as_ref().map(|a| a.span()), "[area_staircase]"),
                (
                    department.as_ref().map(|a| a.span()),
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
            match traffic {
                Some(t) => {
                    let span = t.span();
                    for step in ["red", "yellow", "green"] {
                        used_steps.push((Staircase::TrafficLight, step.to_string(), span.clone()));
                    }
                    check_traffic(ck, t, note).map(Model::TrafficLight)
                }
                None => {
                    ck.problem(
                        model_field.span(),
                        "model = \"traffic-light\" without a [traffic_light] table",
                        "a [traffic_light] table",
                    );
                    None
                }
            }
        }
        other => {
            ck.problem(
                model_field.span(),
                format!("model = {other:?}"),
                "\"staircases\" or \"traffic-light\"",
            );
            None
        }
    }
}

/// Checks the `[[step]]` rules: valid values, no overlap per step, covering the
/// agreement's period for every step the staircases use, and no step they cannot produce.
fn check_steps(
    ck: &mut Checker<'_>,
    raw_steps: &[Spanned<RawStep>],
    period: Option<Period>,
    used_steps: &[(Staircase, String, Range<usize>)],
    note: &mut Note<'_>,
) -> Vec<StepRule> {
    let mut steps = Vec::new();
    let mut step_spans = Vec::new();
    for s in raw_steps {
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
        for (staircase, step, span) in used_steps {
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
    steps
}

/// Checks the `[[wheel]]` tables: one per step and date, each for a defined step.
fn check_wheels(
    ck: &mut Checker<'_>,
    raw_wheels: &[Spanned<RawWheel>],
    period: Option<Period>,
    steps: &[StepRule],
    note: &mut Note<'_>,
) -> Vec<WheelRule> {
    let mut wheels: Vec<WheelRule> = Vec::new();
    let mut wheel_spans = Vec::new();
    for w in raw_wheels {
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
    wheels
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

/// Every criteria set a step or a flexible wheel slot names is defined in
/// `[[applicants.set]]` ("A|B": each part).
fn check_set_names(
    ck: &mut Checker<'_>,
    steps: &[Spanned<RawStep>],
    wheels: &[Spanned<RawWheel>],
    applicants: Option<&trappe_rules::applicant::ApplicantRules>,
) {
    let sets = applicants.map(|a| a.sets.as_slice()).unwrap_or_default();
    let mut named: Vec<(Range<usize>, &str)> = Vec::new();
    for step in steps {
        for s in &step.get_ref().criteria_sets {
            named.push((step.span(), s.as_str()));
        }
    }
    for wheel in wheels {
        for slot in &wheel.get_ref().slots {
            let r = slot.get_ref();
            let choices = r.alternate.iter().chain(&r.choose).flatten();
            for c in r
                .criteria
                .iter()
                .chain(choices.filter_map(|c| c.criteria.as_ref()))
            {
                named.push((slot.span(), c.as_str()));
            }
        }
    }
    for (span, n) in named {
        if let Some((what, expected)) = super::criteria::set_names_problem(sets, n) {
            ck.problem(span, what, expected);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::agreement_file::test_util::{cph, problems};

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
}
