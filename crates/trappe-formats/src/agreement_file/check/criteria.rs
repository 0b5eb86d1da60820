//! Checking the criteria as data: `[[applicants.criterion]]` with its conditions (the
//! sets, amounts and ranking are in `sets`). Every name a criterion uses (a condition
//! kind, a key, a fact's value, a way, a document, an amount) is checked here, with its
//! line and column.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::de::{DeserializeOwned, IntoDeserializer};
use toml::Spanned;

use trappe_rules::agreement::Sourced;
use trappe_rules::applicant::{
    AgeGroup, CompletedBy, Condition, ConditionKind, CriterionDef, CriterionId, DatedAmount,
    DocNeed, DocumentKind, HoursCount, Node, Period, SeparationRule, TemporaryRule, Texts, Who,
    Why, WorkRule,
};
use trappe_rules::criteria::Criterion;
use trappe_rules::Date;

use super::{Checker, Note};
use crate::agreement_file::raw::{
    RawAgeGroup, RawCondition, RawCriterion, RawDocNeed, RawMonthDay, RawSourced, RawTexts,
};

/// A code of the household model ("payslips", "fleksjob", "criminal_code") read with
/// the model's own names; the error names every accepted value.
pub(super) fn code<T: DeserializeOwned>(s: &str) -> Result<T, String> {
    let d: serde::de::value::StrDeserializer<'_, serde::de::value::Error> = s.into_deserializer();
    T::deserialize(d).map_err(|e| {
        let m = e.to_string();
        m.split_once("expected ")
            .map_or(m.clone(), |(_, rest)| rest.replace('`', ""))
    })
}

pub(super) fn texts(t: &RawTexts) -> Texts {
    Texts {
        da: t.da.clone(),
        en: t.en.clone(),
    }
}

pub(super) fn sourced<T: Clone>(r: &RawSourced<T>) -> Sourced<T> {
    Sourced {
        value: r.value.clone(),
        source: r.source.clone(),
        interpretation: r.interpretation.clone(),
    }
}

impl Checker<'_> {
    pub(super) fn codes<T: DeserializeOwned>(
        &mut self,
        raw: &[Spanned<String>],
        what: &str,
    ) -> Vec<T> {
        raw.iter()
            .filter_map(|s| match code::<T>(s.get_ref()) {
                Ok(v) => Some(v),
                Err(expected) => {
                    self.problem(s.span(), format!("{what} {:?}", s.get_ref()), expected);
                    None
                }
            })
            .collect()
    }

    fn age_group(
        &mut self,
        raw: &Spanned<RawSourced<RawAgeGroup>>,
        key: &str,
    ) -> Sourced<AgeGroup> {
        let r = raw.get_ref();
        if r.value.to.is_some_and(|to| to < r.value.from) {
            self.problem(
                raw.span(),
                format!("{key}: to < from"),
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
    }
}

/// What the conditions may name: the file's amounts.
struct Names<'a> {
    amounts: &'a BTreeMap<String, Vec<DatedAmount>>,
    /// Whether `[applicants.age_documents]` says what proves an age ("@age").
    age_documents: bool,
    /// The agreement's municipality codes (a residence condition names one of them).
    municipalities: &'a [String],
}

/// Checks every criterion; returns them in the file's order.
pub(super) fn check_criteria(
    ck: &mut Checker<'_>,
    raw: &[Spanned<RawCriterion>],
    amounts: &BTreeMap<String, Vec<DatedAmount>>,
    has_age_documents: bool,
    municipalities: &[String],
    note: &mut Note<'_>,
) -> Vec<CriterionDef> {
    let names = Names {
        amounts,
        age_documents: has_age_documents,
        municipalities,
    };
    let mut out: Vec<CriterionDef> = Vec::new();
    for rc in raw {
        let c = rc.get_ref();
        let id = c.id.get_ref().clone();
        if !super::is_plain_id(&id) || id.contains('|') {
            ck.problem(
                c.id.span(),
                format!("criterion id {id:?}"),
                "a name without spaces at its ends, invisible characters or '|'",
            );
        }
        if out.iter().any(|d| d.id.as_str() == id) {
            ck.problem(
                c.id.span(),
                format!("criterion {id:?} is defined twice"),
                "one [[applicants.criterion]] per id",
            );
        }
        let key = format!("applicants.criterion.{id}");
        note(&key, &c.source, &c.interpretation);
        let who = match c.who.get_ref().as_str() {
            "applicant_or_partner" => {
                if let Some(y) = &c.cohabitation_years {
                    note(
                        &format!("{key}.cohabitation_years"),
                        &y.source,
                        &y.interpretation,
                    );
                }
                Some(Who::ApplicantOrPartner {
                    cohabitation_years: c.cohabitation_years.as_ref().map(sourced),
                    cohabitant_documents: ck.codes(&c.cohabitant_documents, "document"),
                })
            }
            "any_member" => Some(Who::AnyMember),
            "applicant" => Some(Who::Applicant),
            "every_member" => match &c.ages {
                Some(a) => {
                    note(
                        &format!("{key}.ages"),
                        &a.get_ref().source,
                        &a.get_ref().interpretation,
                    );
                    if c.age_documents && !has_age_documents {
                        ck.problem(
                            rc.span(),
                            format!("criterion {id:?} asks for age documents"),
                            "[applicants.age_documents] saying what proves a member's age",
                        );
                    }
                    Some(Who::EveryMember {
                        ages: ck.age_group(a, "ages"),
                        age_documents: c.age_documents,
                    })
                }
                None => {
                    ck.problem(
                        c.who.span(),
                        format!("criterion {id:?}: who = \"every_member\" without ages"),
                        "ages = { value = { from = N, to = N }, source = \"…\" }",
                    );
                    None
                }
            },
            "household" => Some(Who::Household),
            other => {
                ck.problem(
                    c.who.span(),
                    format!("who = {other:?}"),
                    "one of applicant_or_partner, applicant, any_member, every_member, household",
                );
                None
            }
        };
        let wrong_who_key = |ck: &mut Checker<'_>, present: bool, k: &str, allowed: &str| {
            if present && c.who.get_ref() != allowed {
                ck.problem(
                    c.who.span(),
                    format!("criterion {id:?} has {k} but who = {:?}", c.who.get_ref()),
                    format!("{k} only with who = \"{allowed}\""),
                );
            }
        };
        wrong_who_key(
            ck,
            c.cohabitation_years.is_some() || !c.cohabitant_documents.is_empty(),
            "cohabitation_years/cohabitant_documents",
            "applicant_or_partner",
        );
        wrong_who_key(
            ck,
            c.ages.is_some() || c.age_documents,
            "ages/age_documents",
            "every_member",
        );
        let mirrors = c
            .mirrors
            .as_ref()
            .and_then(|m| match code::<Criterion>(m.get_ref()) {
                Ok(v) => Some(v),
                Err(expected) => {
                    ck.problem(m.span(), format!("mirrors = {:?}", m.get_ref()), expected);
                    None
                }
            });
        if let Some(m) = mirrors {
            if out.iter().any(|d| d.mirrors == Some(m)) {
                ck.problem(
                    rc.span(),
                    format!("two criteria mirror {:?}", m.as_str()),
                    "one criterion per designation criterion",
                );
            }
        }
        if c.condition.is_empty() {
            ck.problem(
                rc.span(),
                format!("criterion {id:?} has no condition"),
                "at least one [[applicants.criterion.condition]]",
            );
        }
        let household = c.who.get_ref() == "household";
        let nodes: Vec<Node> = c
            .condition
            .iter()
            .filter_map(|n| check_node(ck, n, &names, household, &key, note))
            .collect();
        let condition = if nodes.len() == 1 {
            nodes.into_iter().next()
        } else {
            Some(Node::All(nodes))
        };
        if let (Some(who), Some(condition)) = (who, condition) {
            out.push(CriterionDef {
                id: CriterionId::new(id),
                label: texts(&c.label),
                source: c.source.clone(),
                who,
                mirrors,
                condition,
            });
        }
    }
    out
}

/// The keys each condition kind takes, besides `kind`, `reason`, `source`,
/// `interpretation` and `documents`.
fn keys_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "all" => &["of"],
        "any" => &["of", "none"],
        "age" => &["ages", "youth_group"],
        "work" => &[
            "senior_from_age",
            "pensions",
            "min_weekly_hours",
            "hours",
            "without_hours",
            "temporary",
            "starts_within_months",
        ],
        "enrolled" => &["student_counts"],
        "completed_education" => &["levels", "completed_by", "within_years"],
        "residence" => &["municipality", "inside", "min_years"],
        "income" => &["period", "at_least", "exempt"],
        "separation" => &[
            "within_years",
            "shared_address_years",
            "shared_address_married_too",
            "lived_in_municipality",
        ],
        "no_conviction" => &["laws", "calendar_years_back"],
        _ => &[],
    }
}

fn present_keys(c: &RawCondition) -> Vec<&'static str> {
    let all = [
        ("of", c.of.is_some()),
        ("none", c.none.is_some()),
        ("ages", c.ages.is_some()),
        ("senior_from_age", c.senior_from_age.is_some()),
        ("pensions", c.pensions.is_some()),
        ("min_weekly_hours", c.min_weekly_hours.is_some()),
        ("hours", c.hours.is_some()),
        ("without_hours", c.without_hours.is_some()),
        ("temporary", c.temporary.is_some()),
        ("starts_within_months", c.starts_within_months.is_some()),
        ("student_counts", c.student_counts.is_some()),
        ("levels", c.levels.is_some()),
        ("completed_by", c.completed_by.is_some()),
        ("youth_group", c.youth_group.is_some()),
        ("municipality", c.municipality.is_some()),
        ("inside", c.inside.is_some()),
        ("min_years", c.min_years.is_some()),
        ("period", c.period.is_some()),
        ("at_least", c.at_least.is_some()),
        ("exempt", c.exempt.is_some()),
        ("within_years", c.within_years.is_some()),
        ("shared_address_years", c.shared_address_years.is_some()),
        (
            "shared_address_married_too",
            c.shared_address_married_too.is_some(),
        ),
        ("lived_in_municipality", c.lived_in_municipality.is_some()),
        ("laws", c.laws.is_some()),
        ("calendar_years_back", c.calendar_years_back.is_some()),
    ];
    all.into_iter()
        .filter(|(_, p)| *p)
        .map(|(k, _)| k)
        .collect()
}

fn check_node(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawCondition>,
    names: &Names<'_>,
    household: bool,
    key: &str,
    note: &mut Note<'_>,
) -> Option<Node> {
    let c = raw.get_ref();
    let kind = c.kind.get_ref().as_str();
    let combinator = matches!(kind, "all" | "any");
    if !combinator && !ConditionKind::NAMES.contains(&kind) {
        ck.problem(
            c.kind.span(),
            format!("condition kind {kind:?}"),
            format!("one of all, any, {}", ConditionKind::NAMES.join(", ")),
        );
        return None;
    }
    let mut ok = true;
    for k in present_keys(c) {
        if !keys_of(kind).contains(&k) {
            ck.problem(
                raw.span(),
                format!("key {k:?} does not belong to a condition of kind {kind:?}"),
                format!(
                    "for kind {kind:?}: {}",
                    if keys_of(kind).is_empty() {
                        "no keys besides reason, source, interpretation and documents".to_string()
                    } else {
                        keys_of(kind).join(", ")
                    }
                ),
            );
            ok = false;
        }
    }
    if combinator {
        for (k, present) in [
            ("reason", c.reason.is_some()),
            ("documents", c.documents.is_some()),
            ("source", c.source.is_some()),
            ("interpretation", c.interpretation.is_some()),
        ] {
            if present {
                ck.problem(
                    raw.span(),
                    format!("key {k:?} on a condition of kind {kind:?}"),
                    format!("{k} on the conditions inside `of`"),
                );
                ok = false;
            }
        }
        let of: Vec<Node> =
            c.of.iter()
                .flatten()
                .filter_map(|n| check_node(ck, n, names, household, key, note))
                .collect();
        if c.of.as_ref().is_none_or(|o| o.is_empty()) {
            ck.problem(
                raw.span(),
                format!("a condition of kind {kind:?} without conditions"),
                "of = [ { kind = …, … }, … ]",
            );
            return None;
        }
        if of.len() != c.of.as_ref().map_or(0, Vec::len) || !ok {
            return None;
        }
        if kind == "all" {
            return Some(Node::All(of));
        }
        let none = match &c.none {
            None => None,
            Some(s) => {
                match serde_json::from_value::<Why>(serde_json::json!({ "code": s.get_ref() })) {
                    // Only a failure: the reason when nobody has the fact at all.
                    Ok(w) if s.get_ref().starts_with("no_") || s.get_ref().starts_with("not_") => {
                        Some(w)
                    }
                    _ => {
                        ck.problem(
                        s.span(),
                        format!("none = {:?}", s.get_ref()),
                        "the code of a failure reason without parameters, such as \"not_working_or_in_education\"",
                    );
                        return None;
                    }
                }
            }
        };
        return Some(Node::Any { of, none });
    }
    // The household's own facts (separation, residence) may be asked of the household;
    // a member's facts only of members; residence of either.
    let wrong = if household {
        !matches!(kind, "separation" | "residence")
    } else {
        kind == "separation"
    };
    if wrong {
        ck.problem(
            c.kind.span(),
            format!(
                "condition kind {kind:?} in a criterion with who = {}",
                if household {
                    "\"household\""
                } else {
                    "a member"
                }
            ),
            if household {
                "kind = \"separation\" or \"residence\" (the household's facts) for who = \"household\""
            } else {
                "kind = \"separation\" only in a criterion with who = \"household\""
            },
        );
        ok = false;
    }
    let (Some(reason), Some(source)) = (&c.reason, &c.source) else {
        ck.problem(
            raw.span(),
            format!("a condition of kind {kind:?} without reason or source"),
            "reason = { da = \"…\", en = \"…\" } and source = \"…\" on every condition",
        );
        return None;
    };
    let key = format!("{key}.{kind}");
    note(&key, source, &c.interpretation);
    let kind_value = leaf_kind(ck, raw, names, &key, source, note)?;
    let documents = check_documents(ck, raw.span(), c, &kind_value, names);
    if !ok {
        return None;
    }
    Some(Node::Leaf(Box::new(Condition {
        kind: kind_value,
        reason: texts(reason),
        source: source.clone(),
        interpretation: c.interpretation.clone(),
        documents,
    })))
}

/// A leaf condition's kind, with the keys its kind needs checked and noted (which keys
/// belong to the kind at all is checked by the caller).
fn leaf_kind(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawCondition>,
    names: &Names<'_>,
    key: &str,
    source: &str,
    note: &mut Note<'_>,
) -> Option<ConditionKind> {
    let c = raw.get_ref();
    let kind = c.kind.get_ref().as_str();
    let mut sourced_note = |k: &str, s: &str, i: &Option<String>| note(&format!("{key}.{k}"), s, i);
    let required = |ck: &mut Checker<'_>, k: &str, present: bool| {
        if !present {
            ck.problem(
                raw.span(),
                format!("a condition of kind {kind:?} without {k}"),
                format!("{k} = … (see docs/agreements.md)"),
            );
        }
        present
    };
    Some(match kind {
        "age" => {
            if !required(ck, "ages", c.ages.is_some()) {
                return None;
            }
            let a = c.ages.as_ref()?;
            sourced_note("ages", &a.get_ref().source, &a.get_ref().interpretation);
            ConditionKind::Age {
                ages: ck.age_group(a, "ages"),
                youth_group: c.youth_group.unwrap_or(false),
            }
        }
        "work" => work_kind(ck, raw, names, source, &mut sourced_note, &required)?,
        "enrolled" => ConditionKind::Enrolled {
            student_counts: c.student_counts.unwrap_or(false),
        },
        "completed_education" => {
            if !required(ck, "levels", c.levels.is_some()) {
                return None;
            }
            let by = match (&c.completed_by, &c.within_years) {
                (Some(_), Some(_)) => {
                    ck.problem(
                        raw.span(),
                        "a completed_education condition with both completed_by and within_years",
                        "completed_by (a day of the previous year) or within_years (newly graduated), not both",
                    );
                    return None;
                }
                (None, None) => {
                    required(ck, "completed_by or within_years", false);
                    return None;
                }
                (None, Some(y)) => {
                    sourced_note("within_years", &y.source, &y.interpretation);
                    CompletedBy::WithinYears(sourced(y))
                }
                (Some(by), None) => {
                    let RawMonthDay { month, day } = by.get_ref().value;
                    if Date::from_ymd_opt(2001, month, day).is_none() {
                        ck.problem(
                            by.span(),
                            format!("completed_by = {{ month = {month}, day = {day} }}"),
                            "a day of the year such as { month = 9, day = 30 }",
                        );
                    }
                    let r = by.get_ref();
                    sourced_note("completed_by", &r.source, &r.interpretation);
                    CompletedBy::DayOfPreviousYear(Sourced {
                        value: (month, day),
                        source: r.source.clone(),
                        interpretation: r.interpretation.clone(),
                    })
                }
            };
            ConditionKind::CompletedEducation {
                levels: non_empty(
                    ck,
                    raw.span(),
                    "levels",
                    ck_codes(c.levels.as_deref()),
                    "education level",
                ),
                by,
            }
        }
        "residence" => {
            if !required(ck, "municipality", c.municipality.is_some())
                | !required(ck, "inside", c.inside.is_some())
            {
                return None;
            }
            let inside = c.inside.unwrap_or(false);
            let municipality = c.municipality.clone().unwrap_or_default();
            if !names.municipalities.contains(&municipality) {
                ck.problem(
                    raw.span(),
                    format!("residence municipality = {municipality:?} is not the agreement's"),
                    format!(
                        "one of the agreement's municipality_codes: {}",
                        names.municipalities.join(", ")
                    ),
                );
            }
            if let Some(y) = &c.min_years {
                sourced_note("min_years", &y.source, &y.interpretation);
                if !inside {
                    ck.problem(
                        raw.span(),
                        "min_years on a residence outside the municipality",
                        "min_years only with inside = true",
                    );
                }
            }
            ConditionKind::Residence {
                municipality: c.municipality.clone().unwrap_or_default(),
                inside,
                min_years: c.min_years.as_ref().map(sourced),
            }
        }
        "special_need" => ConditionKind::SpecialNeed,
        "income" => {
            if !required(ck, "at_least", c.at_least.is_some()) {
                return None;
            }
            let at_least = c.at_least.as_ref()?;
            check_amount_ref(ck, names, at_least);
            let period = match c.period.as_ref().map(|p| (p.get_ref().as_str(), p.span())) {
                None | Some(("monthly", _)) => Period::Monthly,
                Some(("yearly", _)) => Period::Yearly,
                Some((other, span)) => {
                    ck.problem(span, format!("period = {other:?}"), "monthly or yearly");
                    Period::Monthly
                }
            };
            let mut exempt_in_education = false;
            let mut exempt_not_taxable = false;
            for e in c.exempt.iter().flatten() {
                match e.get_ref().as_str() {
                    "in_education" => exempt_in_education = true,
                    "not_taxable_in_denmark" => exempt_not_taxable = true,
                    other => ck.problem(
                        e.span(),
                        format!("exempt {other:?}"),
                        "in_education or not_taxable_in_denmark",
                    ),
                }
            }
            ConditionKind::Income {
                period,
                at_least: at_least.get_ref().clone(),
                exempt_in_education,
                exempt_not_taxable,
            }
        }
        "separation" => {
            if !required(ck, "within_years", c.within_years.is_some()) {
                return None;
            }
            let within = c.within_years.as_ref()?;
            sourced_note("within_years", &within.source, &within.interpretation);
            if let Some(y) = &c.shared_address_years {
                sourced_note("shared_address_years", &y.source, &y.interpretation);
            }
            if c.shared_address_married_too.is_some() && c.shared_address_years.is_none() {
                ck.problem(
                    raw.span(),
                    "shared_address_married_too without shared_address_years",
                    "shared_address_years = { value = N, source = \"…\" } with it",
                );
            }
            ConditionKind::Separation(SeparationRule {
                within_years: sourced(within),
                shared_address_years: c.shared_address_years.as_ref().map(sourced),
                shared_address_married_too: c.shared_address_married_too.unwrap_or(false),
                lived_in_municipality: c.lived_in_municipality.unwrap_or(false),
            })
        }
        "accessibility_need" => ConditionKind::AccessibilityNeed,
        "no_conviction" => {
            let has = required(ck, "laws", c.laws.is_some())
                & required(ck, "calendar_years_back", c.calendar_years_back.is_some());
            if !has {
                return None;
            }
            let back = c.calendar_years_back.as_ref()?;
            sourced_note("calendar_years_back", &back.source, &back.interpretation);
            ConditionKind::NoConviction {
                laws: non_empty(ck, raw.span(), "laws", ck_codes(c.laws.as_deref()), "law"),
                calendar_years_back: sourced(back),
            }
        }
        _ => return None,
    })
}

/// A work condition: hours, how they count, the kinds without hours, temporary work,
/// the start after the takeover, senior age and pensions.
fn work_kind(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawCondition>,
    names: &Names<'_>,
    source: &str,
    sourced_note: &mut dyn FnMut(&str, &str, &Option<String>),
    required: &dyn Fn(&mut Checker<'_>, &str, bool) -> bool,
) -> Option<ConditionKind> {
    let c = raw.get_ref();
    let has = required(ck, "min_weekly_hours", c.min_weekly_hours.is_some())
        & required(ck, "hours", c.hours.is_some());
    if !has {
        return None;
    }
    let min = c.min_weekly_hours.as_ref()?;
    let hours_raw = c.hours.as_ref()?;
    let hours = match hours_raw.get_ref().value.as_str() {
        "per_position" => HoursCount::PerPosition,
        "summed_permanent" => HoursCount::SummedPermanent,
        other => {
            ck.problem(
                hours_raw.span(),
                format!("hours = {other:?}"),
                "per_position or summed_permanent",
            );
            return None;
        }
    };
    let without_hours: Vec<trappe_rules::applicant::WorkKind> = ck.codes(
        c.without_hours.as_deref().unwrap_or_default(),
        "kind of work",
    );
    for (w, s) in without_hours.iter().zip(c.without_hours.iter().flatten()) {
        if !matches!(
            w,
            trappe_rules::applicant::WorkKind::Fleksjob
                | trappe_rules::applicant::WorkKind::SelfEmployed
        ) {
            ck.problem(
                s.span(),
                format!("without_hours {:?}", s.get_ref()),
                "fleksjob or self_employed (the kinds that count without hours)",
            );
        }
    }
    let temporary = c.temporary.as_ref().map(|t| {
        let t = t.get_ref();
        sourced_note(
            "temporary.min_months",
            &t.min_months.source,
            &t.min_months.interpretation,
        );
        if let Some(a) = &t.or_income_at_least {
            check_amount_ref(ck, names, a);
        }
        TemporaryRule {
            min_months: sourced(&t.min_months),
            or_income_at_least: t.or_income_at_least.as_ref().map(|a| a.get_ref().clone()),
        }
    });
    for (k, r) in [
        ("senior_from_age", c.senior_from_age.as_ref()),
        ("starts_within_months", c.starts_within_months.as_ref()),
    ] {
        if let Some(r) = r {
            sourced_note(k, &r.source, &r.interpretation);
        }
    }
    sourced_note("min_weekly_hours", &min.source, &min.interpretation);
    sourced_note(
        "hours",
        &hours_raw.get_ref().source,
        &hours_raw.get_ref().interpretation,
    );
    Some(ConditionKind::Work(Box::new(WorkRule {
        senior_from_age: c.senior_from_age.as_ref().map(sourced),
        pensions: ck.codes(c.pensions.as_deref().unwrap_or_default(), "pension"),
        min_weekly_hours: Sourced {
            value: min.value.0,
            source: min.source.clone(),
            interpretation: min.interpretation.clone(),
        },
        hours: Sourced {
            value: hours,
            source: hours_raw.get_ref().source.clone(),
            interpretation: hours_raw.get_ref().interpretation.clone(),
        },
        without_hours,
        temporary,
        starts_within_months: c.starts_within_months.as_ref().map_or(
            Sourced {
                value: 0,
                source: source.to_string(),
                interpretation: None,
            },
            sourced,
        ),
    })))
}

/// The raw codes of an optional list.
fn ck_codes(raw: Option<&[Spanned<String>]>) -> &[Spanned<String>] {
    raw.unwrap_or_default()
}

/// Codes that must name at least one value (an empty list would make a condition no one
/// can meet, or one that never bites).
fn non_empty<T: DeserializeOwned>(
    ck: &mut Checker<'_>,
    span: Range<usize>,
    key: &str,
    raw: &[Spanned<String>],
    what: &str,
) -> Vec<T> {
    if raw.is_empty() {
        ck.problem(span, format!("{key} = []"), format!("at least one {what}"));
    }
    ck.codes(raw, what)
}

fn check_amount_ref(ck: &mut Checker<'_>, names: &Names<'_>, a: &Spanned<String>) {
    if !names.amounts.contains_key(a.get_ref()) {
        let known: Vec<&str> = names.amounts.keys().map(String::as_str).collect();
        ck.problem(
            a.span(),
            format!("amount {:?} is not defined", a.get_ref()),
            if known.is_empty() {
                "an [[applicants.amount]] with this id".to_string()
            } else {
                format!("one of the file's amounts: {}", known.join(", "))
            },
        );
    }
}

/// The documents of a condition, by way: the ways are the kind's, the documents the
/// household model's, "@age" the age documents.
fn check_documents(
    ck: &mut Checker<'_>,
    span: Range<usize>,
    c: &RawCondition,
    kind_value: &ConditionKind,
    names: &Names<'_>,
) -> BTreeMap<String, Vec<DocNeed>> {
    let kind = c.kind.get_ref().as_str();
    let mut out = BTreeMap::new();
    let ways = ways_of(kind_value);
    let written: Vec<&str> = c
        .documents
        .iter()
        .flat_map(|d| d.get_ref().keys())
        .map(String::as_str)
        .collect();
    // Every way the condition can be met needs its documents written, if only as [].
    let missing: Vec<&str> = ways
        .iter()
        .copied()
        .filter(|w| !written.contains(w))
        .collect();
    if !missing.is_empty() {
        ck.problem(
            c.documents.as_ref().map_or(span, |d| d.span()),
            format!(
                "a condition of kind {kind:?} without documents for {}",
                missing.join(", ")
            ),
            format!(
                "documents = {{ {} }} (write [] where the source asks for none)",
                ways.iter()
                    .map(|w| format!("{w} = [...]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let Some(docs) = &c.documents else {
        return out;
    };
    for (way, needs) in docs.get_ref() {
        if !ways.contains(&way.as_str()) {
            ck.problem(
                docs.span(),
                format!("documents for {way:?} in a condition of kind {kind:?} that cannot be met that way"),
                format!("documents for the ways of this condition: {}", ways.join(", ")),
            );
            continue;
        }
        let mut list = Vec::new();
        for n in needs {
            let (name, months) = match n {
                RawDocNeed::Kind(k) => (k.as_str(), None),
                RawDocNeed::Running(r) => (r.kind.as_str(), Some(r.once_running_months)),
            };
            if name == "@age" && months.is_none() {
                if !names.age_documents {
                    ck.problem(
                        docs.span(),
                        format!("\"@age\" (documents.{way}) without [applicants.age_documents]"),
                        "[applicants.age_documents] saying what proves a member's age",
                    );
                }
                list.push(DocNeed::Age);
                continue;
            }
            match code::<DocumentKind>(name) {
                Ok(k) => list.push(match months {
                    None => DocNeed::Kind(k),
                    Some(months) => DocNeed::OnceRunningMonths { kind: k, months },
                }),
                Err(expected) => ck.problem(
                    docs.span(),
                    format!("document {name:?} (documents.{way})"),
                    format!("\"@age\" or one of {expected}"),
                ),
            }
        }
        out.insert(way.clone(), list);
    }
    out
}

/// The ways a condition, as configured, can be met: each needs its documents.
fn ways_of(k: &ConditionKind) -> Vec<&'static str> {
    use trappe_rules::applicant::WorkKind;
    const ENROLLED: [&str; 4] = [
        "su_eligible",
        "education_agreement",
        "apprenticeship",
        "apprentice",
    ];
    match k {
        ConditionKind::Age { .. } => vec!["age"],
        ConditionKind::Work(r) => {
            let mut w = Vec::new();
            if r.senior_from_age.is_some() {
                w.push("senior");
            }
            if !r.pensions.is_empty() {
                w.push("pension");
            }
            w.extend(["permanent", "temporary"]);
            if r.without_hours.contains(&WorkKind::Fleksjob) {
                w.push("fleksjob");
            }
            if r.without_hours.contains(&WorkKind::SelfEmployed) {
                w.push("self_employed");
            }
            w
        }
        ConditionKind::Enrolled { student_counts } => {
            let mut w = ENROLLED.to_vec();
            if *student_counts {
                w.push("student");
            }
            w
        }
        ConditionKind::CompletedEducation { .. } => vec!["denmark", "abroad_approved"],
        ConditionKind::Income {
            exempt_in_education,
            ..
        } => {
            let mut w = vec!["employed", "self_employed"];
            if *exempt_in_education {
                w.extend(ENROLLED);
                w.push("student");
            }
            w
        }
        ConditionKind::Separation(_) => vec!["married", "unmarried"],
        ConditionKind::AccessibilityNeed | ConditionKind::SpecialNeed => vec!["need"],
        ConditionKind::NoConviction { .. } => vec!["record"],
        ConditionKind::Residence { inside, .. } => {
            vec![if *inside { "inside" } else { "outside" }]
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::agreement_file::test_util::{cph, problems};

    /// The Copenhagen file with the first `from` replaced by `to`, and the line `to` is on.
    fn edited(from: &str, to: &str) -> (String, usize) {
        let text = cph();
        let at = text
            .find(from)
            .unwrap_or_else(|| panic!("{from:?} is not in the file"));
        let line = text[..at].matches('\n').count()
            + 1
            + from[..from.len().min(to.len())]
                .chars()
                .zip(to.chars())
                .take_while(|(a, b)| a == b)
                .filter(|(a, _)| *a == '\n')
                .count();
        (text.replacen(from, to, 1), line)
    }

    /// Each wrong name is an error on its own line, saying what was expected.
    #[rstest::rstest]
    #[case::unknown_kind(
        "kind = \"work\"",
        "kind = \"wrok\"",
        "condition kind \"wrok\"",
        "one of all, any, age, work"
    )]
    #[case::unknown_pension(
        "pensions = [\"age_pension\"",
        "pensions = [\"age_pensoin\"",
        "pension \"age_pensoin\"",
        "age_pension"
    )]
    #[case::unknown_who(
        "who = \"household\"",
        "who = \"family\"",
        "who = \"family\"",
        "applicant_or_partner"
    )]
    #[case::unknown_amount(
        "at_least = \"income_threshold\"",
        "at_least = \"income_treshold\"",
        "amount \"income_treshold\" is not defined",
        "income_threshold"
    )]
    #[case::unknown_criterion_in_set(
        "any = [\"A1\", \"A2\"]\n\n[[applicants.set]]\nid = \"B\"",
        "any = [\"A1\", \"A3\"]\n\n[[applicants.set]]\nid = \"B\"",
        "criterion \"A3\" is not defined",
        "A1, A2, B1, C1, tightened_employment"
    )]
    #[case::unknown_mirror(
        "mirrors = \"income\"",
        "mirrors = \"incomes\"",
        "mirrors = \"incomes\"",
        "income"
    )]
    #[case::unknown_tie_break(
        "value = [\"seniority\", \"waiting_list_number\"]",
        "value = [\"seniority\", \"lottery\"]",
        "tie-break \"lottery\"",
        "seniority or waiting_list_number"
    )]
    fn a_wrong_name_is_an_error_on_its_line(
        #[case] from: &str,
        #[case] to: &str,
        #[case] what: &str,
        #[case] expected: &str,
    ) {
        let (text, line) = edited(from, to);
        let p = problems(&text);
        let hit = p
            .iter()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no problem {what:?} in {p:?}"));
        assert!(
            hit.starts_with(&format!("x.toml:{line}:")),
            "{hit} (line {line})"
        );
        assert!(hit.contains(expected), "{hit}");
    }

    /// A key that belongs to another kind, a way the kind does not have, and an unknown
    /// document are errors naming what the kind takes.
    #[rstest::rstest]
    #[case::key_of_another_kind(
        "  kind = \"accessibility_need\"\n",
        "  kind = \"accessibility_need\"\n  student_counts = true\n",
        "key \"student_counts\" does not belong to a condition of kind \"accessibility_need\""
    )]
    #[case::unknown_way(
        "documents = { need = [",
        "documents = { needs = [",
        "documents for \"needs\" in a condition of kind \"accessibility_need\""
    )]
    #[case::unknown_document(
        "[\"disability_statement\"]",
        "[\"disability_statment\"]",
        "document \"disability_statment\""
    )]
    #[case::member_kind_in_household(
        "  kind = \"separation\"",
        "  kind = \"accessibility_need\"",
        "condition kind \"accessibility_need\" in a criterion with who = \"household\""
    )]
    #[case::missing_reason(
        "  reason = { da = \"Et medlem af husstanden",
        "  #reason = { da = \"Et medlem af husstanden",
        "without reason or source"
    )]
    #[case::unknown_key_in_criterion(
        "who = \"any_member\"",
        "who = \"any_member\"\nwhom = \"x\"",
        "unknown field `whom`"
    )]
    fn a_condition_is_checked_against_its_kind(
        #[case] from: &str,
        #[case] to: &str,
        #[case] what: &str,
    ) {
        let (text, _) = edited(from, to);
        let p = problems(&text);
        assert!(p.iter().any(|l| l.contains(what)), "{what:?} not in {p:?}");
        assert!(
            p.iter().all(|l| l.starts_with("x.toml:")
                && l.split(':')
                    .nth(1)
                    .is_some_and(|n| n.parse::<usize>().is_ok_and(|n| n > 1))),
            "every problem has its line: {p:?}"
        );
    }
}
