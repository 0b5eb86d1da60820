//! Checking an agreement file as a whole: the header, the risk zone, the staircase
//! model, the step rules and their coverage of the agreement's period.

use std::collections::HashSet;
use std::ops::Range;

use trappe_rules::agreement::{
    AllocationRule, Channel, DesignatedFirst, FlexibleLetting, InForceRule, Interpretation, Model,
    NamedGroup, NamedList, Period, PublishedRiskZone, RiskZoneRule, SmallDepartmentRule, Sourced,
    Staircase, StepRule, Transitions, WheelRule, NOT_COVERED, NOT_IN_OVERVIEW, NO_DATA,
};
use trappe_rules::{Agreement, Pct};

use super::applicants::check_applicants;
use super::letting::check_letting;
use super::staircases::{check_area_stairs, check_dept_stairs, check_traffic};
use super::wheels::check_wheel;
use super::{parse_channel, parse_staircase, sourced, syntax_problem, Checker, Note};
use crate::agreement_file::raw::{
    RawAgreementFile, RawAreaStairs, RawDeptStairs, RawHeader, RawInForce, RawNamedList,
    RawRiskZone, RawSourced, RawStep, RawTraffic, RawWheel,
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

    // The risk zone is needed by the staircases, and by a traffic light whose yellow is
    // judged at the risk zone; small departments by the staircases (a traffic light
    // without them gives a department without figures no colour: "no data").
    let computed = header.model.get_ref() == "staircases";
    let needs_risk_zone = header.model.get_ref() == "staircases"
        || raw
            .traffic_light
            .as_ref()
            .is_some_and(|t| t.get_ref().yellow_level.get_ref().value == "risk_zone");
    for (needed, present, table) in [
        (needs_risk_zone, raw.risk_zone.is_some(), "[risk_zone]"),
        (
            computed,
            raw.small_departments.is_some(),
            "[small_departments]",
        ),
    ] {
        if needed && !present {
            ck.problem(
                header.model.span(),
                format!(
                    "model = {:?} without a {table} table",
                    header.model.get_ref()
                ),
                format!("a {table} table (this model uses it)"),
            );
        }
    }
    let risk_zone = raw.risk_zone.map(|r| check_risk_zone(ck, r, &mut note));
    let small_departments = raw.small_departments.map(|s| {
        for (key, v) in [
            ("min_homes", &s.min_homes),
            ("min_residents", &s.min_residents),
        ] {
            note(
                &format!("small_departments.{key}"),
                &v.source,
                &v.interpretation,
            );
        }
        SmallDepartmentRule {
            min_homes: sourced(s.min_homes, |n| n),
            min_residents: sourced(s.min_residents, |n| n),
        }
    });

    let mut used_steps: Vec<(Staircase, String, Range<usize>)> = Vec::new();
    let model = check_model(
        ck,
        &header.model,
        ModelTables {
            area: raw.area_staircase,
            department: raw.department_staircase,
            traffic: raw.traffic_light,
            named: raw.named_list,
        },
        &mut used_steps,
        &mut note,
    );
    // A named list's departments it does not name are not covered: the file may say
    // what that means in a [[step]] of its own; otherwise trappe adds one with no
    // channel, so nothing is let there by the agreement.
    let not_covered_written = raw
        .step
        .iter()
        .any(|s| s.get_ref().staircase == "list" && s.get_ref().step == NOT_COVERED);
    if matches!(model, Some(Model::NamedList(_))) && not_covered_written {
        used_steps.push((
            Staircase::List,
            NOT_COVERED.to_string(),
            header.model.span(),
        ));
    }
    let (in_force, transitions) =
        check_in_force(ck, raw.placement_in_force, &header.model, &mut note);
    // The traffic light's "no data" and, where the municipality's overview is in force,
    // "not in the overview": trappe adds them with no channel unless the file writes them.
    let mut synthetic: Vec<StepRule> = Vec::new();
    if let (Some(Model::NamedList(list)), Some(p), false) = (&model, period, not_covered_written) {
        synthetic.push(not_covered_step(list, p));
    }
    if let (Some(Model::TrafficLight(_)), Some(p)) = (&model, period) {
        let mut wanted = vec![NO_DATA];
        if in_force.by_overview() {
            wanted.push(NOT_IN_OVERVIEW);
        }
        for step in wanted {
            let written = raw
                .step
                .iter()
                .any(|s| s.get_ref().staircase == "traffic-light" && s.get_ref().step == step);
            if written {
                used_steps.push((
                    Staircase::TrafficLight,
                    step.to_string(),
                    header.model.span(),
                ));
            } else {
                synthetic.push(traffic_light_step(step, p, &header.source));
            }
        }
    }
    let mut steps = check_steps(ck, &raw.step, period, &used_steps, &mut note);
    steps.extend(synthetic);
    let wheels = check_wheels(ck, &raw.wheel, period, &steps, &mut note);

    let letting = match &raw.letting {
        Some(l) => Some(check_letting(ck, l, period, &mut note)?),
        None => None,
    };
    let applicants = match &raw.applicants {
        Some(a) => Some(check_applicants(
            ck,
            a,
            &header.municipality_codes,
            &mut note,
        )?),
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
        in_force,
        transitions,
        interpretations,
    })
}

/// Checks `[placement_in_force]`: computed (the default), the municipality's overview,
/// or held until approved; and the transitions when an area joins or leaves the lists.
fn check_in_force(
    ck: &mut Checker<'_>,
    raw: Option<Spanned<RawInForce>>,
    model: &Spanned<String>,
    note: &mut impl FnMut(&str, &str, &Option<String>),
) -> (InForceRule, Transitions) {
    let Some(raw) = raw else {
        return (InForceRule::Computed, Transitions::default());
    };
    let span = raw.span();
    let r = raw.into_inner();
    note("placement_in_force", &r.source, &r.interpretation);
    let by = r.by.get_ref().as_str();
    if by != "approved" {
        for (key, present) in [
            ("held", r.held.as_ref().map(Spanned::span)),
            ("approved_by", r.approved_by.as_ref().map(Spanned::span)),
        ] {
            if let Some(at) = present {
                ck.problem(
                    at,
                    format!("{key} with by = {by:?}"),
                    "held and approved_by only with by = \"approved\"",
                );
            }
        }
    }
    let rule = match by {
        "computed" => InForceRule::Computed,
        "official_overview" => {
            if model.get_ref() != "traffic-light" {
                ck.problem(
                    span.clone(),
                    format!(
                        "by = \"official_overview\" with model = {:?}",
                        model.get_ref()
                    ),
                    "model = \"traffic-light\": the municipality's overview gives each department a colour (other models: by = \"computed\")",
                );
            }
            InForceRule::OfficialOverview {
                source: r.source.clone(),
                interpretation: r.interpretation.clone(),
            }
        }
        "approved" => {
            let mut held = Vec::new();
            match &r.held {
                Some(list) if !list.get_ref().is_empty() => {
                    for name in list.get_ref() {
                        match (name.as_str(), model.get_ref().as_str()) {
                            ("department", "staircases") => held.push(Staircase::Department),
                            _ => ck.problem(
                                list.span(),
                                format!("held = [{name:?}] with model = {:?}", model.get_ref()),
                                "held = [\"department\"] with model = \"staircases\" (the area staircase follows the state's lists; a traffic light's or a named list's placement is the municipality's overview or the list itself)",
                            ),
                        }
                    }
                }
                _ => ck.problem(
                    span.clone(),
                    "by = \"approved\" without held".to_string(),
                    "held = [\"department\"]: the staircases whose placement holds until approved",
                ),
            }
            let approved_by = match &r.approved_by {
                Some(a) if !a.get_ref().trim().is_empty() => a.get_ref().trim().to_string(),
                _ => {
                    ck.problem(
                        span.clone(),
                        "by = \"approved\" without approved_by".to_string(),
                        "approved_by = \"…\": who approves a re-placement (e.g. \"Samarbejdsforum\")",
                    );
                    String::new()
                }
            };
            InForceRule::Approved {
                held,
                approved_by,
                source: r.source.clone(),
                interpretation: r.interpretation.clone(),
            }
        }
        other => {
            ck.problem(
                r.by.span(),
                format!("by = {other:?}"),
                "\"computed\" (the computed placement is in force), \"official_overview\" (the municipality's imported overview is) or \"approved\" (held until a recorded approval)",
            );
            InForceRule::Computed
        }
    };
    let mut transition = |raw: &Option<Spanned<RawSourced<String>>>,
                          key: &str,
                          keyword: &str|
     -> Option<Sourced<String>> {
        let raw = raw.as_ref()?;
        let v = raw.get_ref();
        note(
            &format!("placement_in_force.{key}"),
            &v.source,
            &v.interpretation,
        );
        if v.value == "at_once" {
            return None;
        }
        if v.value != keyword {
            ck.problem(
                raw.span(),
                format!("{key} = {:?}", v.value),
                format!("\"at_once\" (the default) or \"{keyword}\""),
            );
            return None;
        }
        if rule.by_overview() || model.get_ref() != "staircases" {
            ck.problem(
                raw.span(),
                format!("{key} with model = {:?} and by = {by:?}", model.get_ref()),
                "model = \"staircases\" (an area staircase) and by = \"computed\" or \"approved\"",
            );
            return None;
        }
        Some(Sourced {
            value: v.value.clone(),
            source: v.source.clone(),
            interpretation: v.interpretation.clone(),
        })
    };
    let transitions = Transitions {
        area_leaves_lists: transition(
            &r.area_leaves_lists,
            "area_leaves_lists",
            Transitions::CONTINUE_UNTIL_DEPARTMENT_DATA,
        ),
        newly_designated_prevention: transition(
            &r.newly_designated_prevention,
            "newly_designated_prevention",
            Transitions::ORDINARY_UNTIL_DECIDED,
        ),
    };
    (rule, transitions)
}

/// A traffic-light step trappe adds when the file writes none: "no data", or "not in
/// the municipality's overview".
fn traffic_light_step(step: &'static str, period: Period, source: &str) -> StepRule {
    let (da, en, why) = match step {
        NO_DATA => (
            "Ingen data",
            "No data",
            "A department without figures has no computed colour; unless the municipality's overview gives it one, nothing is let there by the agreement.",
        ),
        _ => (
            "Ingen farve i kommunens oversigt",
            "No colour in the municipality's overview",
            "The municipality's latest overview omits the department: it has no colour in force, and nothing is let there by the agreement until an overview gives it one.",
        ),
    };
    no_letting_step(
        NoLetting {
            staircase: Staircase::TrafficLight,
            step,
            da,
            en,
            source: format!("{source}: {}", en.to_lowercase()),
            why,
        },
        period,
    )
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
        "risk_zone.unemployment_margin_points",
        &rz.unemployment_margin_points.get_ref().source,
        &rz.unemployment_margin_points.get_ref().interpretation,
    );
    note(
        "risk_zone.persons_margin",
        &rz.persons_margin.source,
        &rz.persons_margin.interpretation,
    );
    let pc = rz.persons_margin_counts.get_ref();
    note(
        "risk_zone.persons_margin_counts",
        &pc.source,
        &pc.interpretation,
    );
    let mut reading =
        |raw: &Spanned<crate::agreement_file::raw::RawSourced<String>>, key: &str| match raw
            .get_ref()
            .value
            .as_str()
        {
            "at_most" => true,
            "fewer_than" => false,
            other => {
                ck.problem(
                    raw.span(),
                    format!("{key} = {other:?}"),
                    "\"at_most\" (exactly the margin is within) or \"fewer_than\"",
                );
                true
            }
        };
    let counts = reading(&rz.persons_margin_counts, "persons_margin_counts");
    let unemployment_counts =
        rz.unemployment_persons_margin_counts
            .as_ref()
            .map(|u| trappe_rules::agreement::Sourced {
                value: reading(u, "unemployment_persons_margin_counts"),
                source: u.get_ref().source.clone(),
                interpretation: u.get_ref().interpretation.clone(),
            });
    if let Some(u) = &rz.unemployment_persons_margin_counts {
        note(
            "risk_zone.unemployment_persons_margin_counts",
            &u.get_ref().source,
            &u.get_ref().interpretation,
        );
    }
    note(
        "risk_zone.persons_margin_applies_to_income",
        &rz.persons_margin_applies_to_income.source,
        &rz.persons_margin_applies_to_income.interpretation,
    );
    let risk_zone = RiskZoneRule {
        relative_margin_pct: sourced(rz.relative_margin_pct.into_inner(), |n| n.0),
        unemployment_margin_points: sourced(rz.unemployment_margin_points.into_inner(), |n| n.0),
        persons_margin: sourced(rz.persons_margin, |n| n),
        persons_margin_inclusive: trappe_rules::agreement::Sourced {
            value: counts,
            source: rz.persons_margin_counts.get_ref().source.clone(),
            interpretation: rz.persons_margin_counts.get_ref().interpretation.clone(),
        },
        unemployment_persons_margin_inclusive: unemployment_counts,
        persons_margin_applies_to_income: sourced(rz.persons_margin_applies_to_income, |b| b),
        published,
    };
    let _ = rz_span;
    risk_zone
}

/// Checks the staircase model: `staircases` with its two staircase tables, or
/// `traffic-light` with its table; every step the tables can produce goes to `used_steps`.
/// The tables a model may use; the model's name says which it must have.
struct ModelTables {
    area: Option<Spanned<RawAreaStairs>>,
    department: Option<Spanned<RawDeptStairs>>,
    traffic: Option<Spanned<RawTraffic>>,
    named: Option<Spanned<RawNamedList>>,
}

fn check_model(
    ck: &mut Checker<'_>,
    model_field: &Spanned<String>,
    tables: ModelTables,
    used_steps: &mut Vec<(Staircase, String, Range<usize>)>,
    note: &mut Note<'_>,
) -> Option<Model> {
    let ModelTables {
        area,
        department,
        traffic,
        named,
    } = tables;
    let model_name = model_field.get_ref().as_str();
    if model_name != "named-list" {
        if let Some(n) = &named {
            ck.problem(
                n.span(),
                format!("a [named_list] table in a {model_name} agreement"),
                "[named_list] only with model = \"named-list\"",
            );
        }
    }
    match model_name {
        "named-list" => {
            for (present, name) in [
                (area.as_ref().map(|a| a.span()), "[area_staircase]"),
                (
                    department.as_ref().map(|a| a.span()),
                    "[department_staircase]",
                ),
                (traffic.as_ref().map(|a| a.span()), "[traffic_light]"),
            ] {
                if let Some(span) = present {
                    ck.problem(
                        span,
                        format!("a {name} table in a named-list agreement"),
                        "only [named_list] with model = \"named-list\"",
                    );
                }
            }
            match named {
                Some(n) => check_named_list(ck, n, used_steps, note).map(Model::NamedList),
                None => {
                    ck.problem(
                        model_field.span(),
                        "model = \"named-list\" without a [named_list] table",
                        "a [named_list] table with [[named_list.group]] entries",
                    );
                    None
                }
            }
        }
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
                "\"staircases\", \"traffic-light\" or \"named-list\"",
            );
            None
        }
    }
}

/// Checks `[named_list]`: each group names departments or all of its organisation's but
/// some, never both; a department is named once; the designated-areas group is optional.
fn check_named_list(
    ck: &mut Checker<'_>,
    raw: Spanned<RawNamedList>,
    used_steps: &mut Vec<(Staircase, String, Range<usize>)>,
    note: &mut Note<'_>,
) -> Option<NamedList> {
    let span = raw.span();
    let n = raw.into_inner();
    note("named_list", &n.source, &None);
    if n.group.is_empty() {
        ck.problem(
            span.clone(),
            "a [named_list] without groups",
            "[[named_list.group]] entries naming the departments",
        );
    }
    let mut groups: Vec<NamedGroup> = Vec::new();
    let mut named: HashSet<(String, String)> = HashSet::new();
    let mut all_of: HashSet<String> = HashSet::new();
    for g in &n.group {
        let gspan = g.span();
        let r = g.get_ref();
        // An id with spaces at its ends, or none at all, would never match the
        // departments file: the department would be silently not covered.
        let ids = std::iter::once(&r.organisation)
            .chain(&r.departments)
            .chain(r.all_except.iter().flatten());
        for id in ids {
            if !super::is_plain_id(id) {
                ck.problem(
                    gspan.clone(),
                    format!("id {id:?} in group {:?}", r.step),
                    "an organisation or department id as the departments file writes it, without spaces at its ends",
                );
            }
        }
        match (&r.all_except, r.departments.is_empty()) {
            (Some(_), false) => ck.problem(
                gspan.clone(),
                format!(
                    "group {:?} of {} has both departments and all_except",
                    r.step, r.organisation
                ),
                "departments = [...] or all_except = [...], not both",
            ),
            (None, true) => ck.problem(
                gspan.clone(),
                format!(
                    "group {:?} of {} names no departments",
                    r.step, r.organisation
                ),
                "departments = [\"…\"] or all_except = [] (every department of the organisation)",
            ),
            _ => {}
        }
        if r.step.trim().is_empty() || r.step == NOT_COVERED {
            ck.problem(
                gspan.clone(),
                format!("group step {:?}", r.step),
                format!("a step name other than {NOT_COVERED:?}"),
            );
        }
        if r.all_except.is_some() && !all_of.insert(r.organisation.clone()) {
            ck.problem(
                gspan.clone(),
                format!("two groups take all of {}'s departments", r.organisation),
                "one all_except group per organisation",
            );
        }
        for d in &r.departments {
            if !named.insert((r.organisation.clone(), d.clone())) {
                ck.problem(
                    gspan.clone(),
                    format!("department {d} of {} is named twice", r.organisation),
                    "each department in one group",
                );
            }
        }
        note(
            &format!("named_list.{}.{}", r.organisation, r.step),
            &r.source,
            &r.interpretation,
        );
        if !used_steps
            .iter()
            .any(|(s, step, _)| *s == Staircase::List && *step == r.step)
        {
            used_steps.push((Staircase::List, r.step.clone(), gspan.clone()));
        }
        groups.push(NamedGroup {
            organisation: r.organisation.clone(),
            departments: r.departments.clone(),
            all_except: r.all_except.clone(),
            step: r.step.clone(),
            source: r.source.clone(),
            interpretation: r.interpretation.clone(),
        });
    }
    // A department named by a group of an organisation that another group takes whole
    // must be among that group's exceptions: otherwise two groups would name it and the
    // file's order would decide silently (AB Esbjerg's afdeling 22 is excepted).
    for g in &n.group {
        let r = g.get_ref();
        let whole = groups
            .iter()
            .find(|w| w.organisation == r.organisation && w.all_except.is_some());
        if let Some(w) = whole.filter(|_| r.all_except.is_none()) {
            let except = w.all_except.as_deref().unwrap_or_default();
            for d in r.departments.iter().filter(|d| !except.contains(d)) {
                ck.problem(
                    g.span(),
                    format!(
                        "department {d} of {} is named here and by the group {:?}, which takes all of {}'s departments",
                        r.organisation, w.step, r.organisation
                    ),
                    format!("{d} in that group's all_except, or named in one group only"),
                );
            }
        }
    }
    let designated = n.designated.map(|d| {
        let dspan = d.span();
        let d = d.into_inner();
        let designations = d
            .designations
            .iter()
            .filter_map(|x| {
                match x
                    .get_ref()
                    .parse::<trappe_rules::designation::Designation>()
                {
                    Ok(v) => Some(v),
                    Err(_) => {
                        ck.problem(
                            x.span(),
                            format!("designation {:?}", x.get_ref()),
                            "parallelsamfund, omdannelse, udsat or forebyggelse",
                        );
                        None
                    }
                }
            })
            .collect();
        if d.designations.is_empty() {
            ck.problem(
                dspan.clone(),
                "[named_list.designated] with designations = []",
                "the designations whose areas go first, such as [\"udsat\", \"forebyggelse\"]",
            );
        }
        if d.step.trim().is_empty() || d.step == NOT_COVERED {
            ck.problem(
                dspan.clone(),
                format!("designated step {:?}", d.step),
                format!("a step name other than {NOT_COVERED:?}"),
            );
        }
        used_steps.push((Staircase::List, d.step.clone(), dspan));
        note("named_list.designated", &d.source, &d.interpretation);
        DesignatedFirst {
            designations,
            step: d.step,
            source: d.source,
            interpretation: d.interpretation,
        }
    });
    Some(NamedList {
        source: n.source,
        groups,
        designated,
    })
}

/// A step trappe adds when the file writes none: no channel, so the agreement lets
/// nothing there.
struct NoLetting<'a> {
    staircase: Staircase,
    step: &'a str,
    da: &'a str,
    en: &'a str,
    source: String,
    why: &'a str,
}

fn no_letting_step(n: NoLetting<'_>, period: Period) -> StepRule {
    StepRule {
        staircase: n.staircase,
        step: n.step.to_string(),
        period,
        label_da: n.da.into(),
        label_en: n.en.into(),
        channels: Vec::new(),
        municipal_allocation: AllocationRule::Allowed,
        report_homes_to_allocation: false,
        flexible: FlexibleLetting::None,
        criteria_sets: Vec::new(),
        shares: Vec::new(),
        source: n.source,
        interpretation: Some(n.why.into()),
    }
}

/// The step of departments a named list does not name, when the file says nothing of
/// them.
fn not_covered_step(list: &NamedList, period: Period) -> StepRule {
    no_letting_step(
        NoLetting {
            staircase: Staircase::List,
            step: NOT_COVERED,
            da: "Ikke omfattet af aftalen",
            en: "Not covered by the agreement",
            source: format!("{}: not named", list.source),
            why: "A department the agreement's list does not name is not covered by it: the agreement lets nothing there, and the law's own rules apply.",
        },
        period,
    )
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
            let key = format!("wheel.{}.{}", rule.staircase.as_str(), rule.step);
            note(&key, &rule.source, &rule.interpretation);
            for s in &rule.shares {
                note(
                    &format!(
                        "{key}.{}",
                        s.criteria.as_deref().unwrap_or(s.channel.as_str())
                    ),
                    &s.source,
                    &s.interpretation,
                );
            }
            if let Some(p) = &rule.pending {
                let open = match &p.interpretation {
                    Some(i) => format!("not yet recorded: {} ({i})", p.value),
                    None => format!("not yet recorded: {}", p.value),
                };
                note(&format!("{key}.pending"), &p.source, &Some(open));
            }
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
            "\"area\", \"department\", \"traffic-light\" or \"list\"",
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
    let allocation = match r.municipal_allocation.as_deref().unwrap_or("allowed") {
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
        criteria_sets: r
            .criteria_sets
            .iter()
            .map(|s| s.get_ref().clone())
            .collect(),
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
            named.push((s.span(), s.get_ref().as_str()));
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
        for share in wheel.get_ref().shares.iter().flatten() {
            if let Some(c) = &share.get_ref().criteria {
                named.push((share.span(), c.as_str()));
            }
        }
    }
    for (span, n) in named {
        if let Some((what, expected)) = super::sets::set_names_problem(sets, n) {
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

#[cfg(test)]
mod readings {
    use crate::agreement_file::test_util::{cph, problems};

    /// An on-time day some month lacks, and an unknown reading of the persons margin,
    /// are errors saying what is expected.
    #[rstest::rstest]
    #[case::day_31(
        "on_time_days = { value = [2, 16]",
        "on_time_days = { value = [2, 31]",
        "on_time_days holds 31"
    )]
    #[case::unknown_reading(
        "unemployment_persons_margin_counts = { value = \"at_most\"",
        "unemployment_persons_margin_counts = { value = \"about\"",
        "unemployment_persons_margin_counts = \"about\""
    )]
    fn a_wrong_reading_says_what_was_expected(
        #[case] from: &str,
        #[case] to: &str,
        #[case] expected: &str,
    ) {
        let text = cph();
        assert!(text.contains(from), "{from}");
        let p = problems(&text.replacen(from, to, 1));
        assert!(p.iter().any(|l| l.contains(expected)), "{p:?}");
    }
}

#[cfg(test)]
mod named_list {
    use crate::agreement_file::test_util::{builtin, problems};

    fn esbjerg() -> &'static str {
        builtin("esbjerg-2020")
    }

    /// A wrong named list, share or residence in Esbjerg's file is an error saying what
    /// was expected, and the shipped file has none.
    #[rstest::rstest]
    #[case::shares_not_100(
        "percent = 75, source = \"VB\"",
        "percent = 70, source = \"VB\"",
        "the shares add up to 95 %"
    )]
    #[case::three_decimals(
        "percent = 25, source = \"VB: '25 % af de ledige familieboliger'\"",
        "percent = 25.125, source = \"x\"",
        "at most two decimals"
    )]
    #[case::unknown_set_in_share(
        "criteria = \"vb\", percent = 25",
        "criteria = \"vbx\", percent = 25",
        "criteria set \"vbx\" is not defined"
    )]
    #[case::named_and_taken_whole(
        "departments = [\"ABE-22\"]",
        "departments = [\"ABE-23\"]",
        "department ABE-23 of ABE is named here and by the group \"abe\""
    )]
    #[case::no_designations(
        "designations = [\"parallelsamfund\", \"omdannelse\", \"udsat\", \"forebyggelse\"]",
        "designations = []",
        "designations = []"
    )]
    #[case::residence_elsewhere(
        "municipality = \"561\"\n  inside = false",
        "municipality = \"0561\"\n  inside = false",
        "residence municipality = \"0561\" is not the agreement's"
    )]
    #[case::empty_organisation(
        "organisation = \"VB\"",
        "organisation = \"\"",
        "id \"\" in group \"vb\""
    )]
    #[case::id_with_a_space(
        "\"VB-0109\", \"VB-0111\"",
        "\"VB-0109 \", \"VB-0111\"",
        "id \"VB-0109 \" in group \"vb\""
    )]
    #[case::invisible_in_an_id(
        "\"VB-0109\", \"VB-0111\"",
        "\"VB-01\u{200b}09\", \"VB-0111\"",
        "in group \"vb\""
    )]
    #[case::named_twice(
        "\"VB-0109\", \"VB-0111\"",
        "\"VB-0107\", \"VB-0111\"",
        "department VB-0107 of VB is named twice"
    )]
    #[case::range_without_rest(
        "percent = 75, source = \"VB\"",
        "percent_range = { from = 70, to = 80 }, source = \"VB\"",
        "1 shares decided per department and 0 rest shares"
    )]
    #[case::share_two_ways(
        "percent = 75, source = \"VB\"",
        "percent = 75, rest = true, source = \"VB\"",
        "exactly one of percent, percent_range or rest = true"
    )]
    #[case::wheel_two_ways(
        "pending = { value = \"Ungdomsbos",
        "slots = [{ channel = \"waiting_list\" }]\npending = { value = \"Ungdomsbos",
        "exactly one of slots, shares or pending"
    )]
    fn a_wrong_list_or_share_is_an_error(#[case] from: &str, #[case] to: &str, #[case] what: &str) {
        assert!(problems(esbjerg()).is_empty(), "{:?}", problems(esbjerg()));
        assert!(esbjerg().contains(from), "{from:?} is not in the file");
        let p = problems(&esbjerg().replacen(from, to, 1));
        assert!(p.iter().any(|l| l.contains(what)), "{what:?} not in {p:?}");
    }

    /// A wheel with an empty list of shares is an error, not a wheel without slots.
    #[test]
    fn empty_shares_are_an_error() {
        let text = esbjerg();
        let at = text
            .find("shares = [\n  { channel = \"flexible\", criteria = \"vb\"")
            .unwrap();
        let end = at + text[at..].find("\n]\n").unwrap() + 2;
        let edited = format!("{}shares = []{}", &text[..at], &text[end..]);
        let p = problems(&edited);
        assert!(p.iter().any(|l| l.contains("shares = []")), "{p:?}");
    }
}

#[cfg(test)]
mod in_force {
    use crate::agreement_file::test_util::{builtin, cph, problems};

    fn aalborg() -> &'static str {
        builtin("aalborg-2023")
    }

    fn edited(text: &str, from: &str, to: &str) -> String {
        assert!(text.contains(from), "{from:?} is not in the file");
        text.replacen(from, to, 1)
    }

    /// `[placement_in_force]`, a fallback that would never be used, and a set both
    /// pending and to confirm: each an error saying what was expected; the shipped
    /// Aalborg file has none.
    #[rstest::rstest]
    #[case::unknown_basis(
        "by = \"official_overview\"",
        "by = \"municipality\"",
        "\"computed\" (the computed placement is in force), \"official_overview\" (the municipality's imported overview is) or \"approved\""
    )]
    #[case::fallback_on_a_flexible_slot(
        "{ channel = \"flexible\", criteria = \"employment|education\" }",
        "{ channel = \"flexible\", criteria = \"employment|education\", fallback = [\"waiting_list\"] }",
        "a fallback on a slot that never goes to the municipality"
    )]
    #[case::pending_and_to_confirm(
        "pending = { value = \"Kommunen og boligorganisationen",
        "to_confirm = { da = \"x\", en = \"y\" }\npending = { value = \"Kommunen og boligorganisationen",
        "set \"agreed\" is both pending and to_confirm"
    )]
    fn a_wrong_aalborg_file_says_what_was_expected(
        #[case] from: &str,
        #[case] to: &str,
        #[case] expected: &str,
    ) {
        assert!(problems(aalborg()).is_empty(), "{:?}", problems(aalborg()));
        let p = problems(&edited(aalborg(), from, to));
        assert!(p.iter().any(|l| l.contains(expected)), "{p:?}");
    }

    /// Only a traffic light's colours can come from an imported overview.
    #[test]
    fn an_overview_in_force_needs_the_traffic_light() {
        let text = edited(cph(), "by = \"approved\"", "by = \"official_overview\"");
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|l| l.contains("by = \"official_overview\" with model = \"staircases\"")),
            "{p:?}"
        );
    }

    /// Copenhagen's file holds the department staircase until Samarbejdsforum approves,
    /// and both transitions of CPH 6.1.5.
    #[test]
    fn copenhagen_holds_the_department_staircase_until_approved() {
        use trappe_rules::agreement::{InForceRule, Staircase};
        let a = super::parse_agreement(cph(), "copenhagen-2024.toml").unwrap();
        match &a.in_force {
            InForceRule::Approved {
                held, approved_by, ..
            } => {
                assert_eq!(held, &[Staircase::Department]);
                assert_eq!(approved_by, "Samarbejdsforum");
            }
            other => panic!("{other:?}"),
        }
        assert!(a.transitions.continues_until_department_data());
        assert!(a.transitions.prevention_awaits_decision());
        assert!(a.needs_standing());
    }

    /// A wrong `[placement_in_force]` of the approved kind, or a transition where it
    /// cannot apply: each an error saying what was expected.
    #[rstest::rstest]
    #[case::the_area_staircase_is_not_held(
        "held = [\"department\"]",
        "held = [\"area\"]",
        "held = [\"area\"] with model = \"staircases\"; expected held = [\"department\"]"
    )]
    #[case::held_area_named_wrong(
        "held = [\"department\"]",
        "held = [\"departments\"]",
        "held = [\"departments\"] with model = \"staircases\""
    )]
    #[case::no_held("held = [\"department\"]\n", "", "by = \"approved\" without held")]
    #[case::no_approver(
        "approved_by = \"Samarbejdsforum\"\n",
        "",
        "by = \"approved\" without approved_by"
    )]
    #[case::held_with_computed(
        "by = \"approved\"",
        "by = \"computed\"",
        "held with by = \"computed\""
    )]
    #[case::unknown_transition(
        "value = \"continue_until_department_data\"",
        "value = \"continue\"",
        "area_leaves_lists = \"continue\"; expected \"at_once\" (the default) or \"continue_until_department_data\""
    )]
    fn a_wrong_approved_rule_says_what_was_expected(
        #[case] from: &str,
        #[case] to: &str,
        #[case] expected: &str,
    ) {
        assert!(problems(cph()).is_empty(), "{:?}", problems(cph()));
        let p = problems(&edited(cph(), from, to));
        assert!(p.iter().any(|l| l.contains(expected)), "{p:?}");
    }

    /// A traffic light cannot hold its placement until approved, nor continue an area's
    /// letting: its colours come from the municipality's overview.
    #[test]
    fn a_traffic_light_takes_no_transition() {
        let text = edited(
            aalborg(),
            "by = \"official_overview\"",
            "by = \"official_overview\"\narea_leaves_lists = { value = \"continue_until_department_data\", source = \"x\" }",
        );
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|l| l.contains("area_leaves_lists with model = \"traffic-light\"")),
            "{p:?}"
        );
    }
}
