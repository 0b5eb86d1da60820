//! Bad input: the checks of a household before it is evaluated or ranked.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{age_on, Household, Member, Relation};
use crate::Date;

/// A problem in a household, naming the applicant and the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdProblem {
    /// The applicant's waiting-list number, or its position in the list (`#3`).
    pub applicant: String,
    /// The field as a JSON path from the household (0-based, as jq writes it), e.g.
    /// `members[1].birth_date` for the second member.
    pub field: String,
    pub problem: String,
}

impl std::fmt::Display for HouseholdProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "applicant {}, {}: {}",
            self.applicant, self.field, self.problem
        )
    }
}

/// Checks a household for a takeover date; `for_ranking` also needs id and seniority.
pub fn check_household(
    h: &Household,
    label: &str,
    on: Date,
    for_ranking: bool,
) -> Vec<HouseholdProblem> {
    let mut out = Vec::new();
    let mut p = |field: String, problem: String| {
        out.push(HouseholdProblem {
            applicant: label.to_string(),
            field,
            problem,
        })
    };
    if for_ranking {
        if h.id.as_deref().is_none_or(|s| s.trim().is_empty()) {
            p(
                "id".into(),
                "missing: every applicant in a ranking needs its waiting-list number".into(),
            );
        }
        match h.seniority {
            None => p(
                "seniority".into(),
                "missing: the date the applicant's seniority counts from is needed to rank".into(),
            ),
            Some(s) if s > on => p(
                "seniority".into(),
                format!("{s} is after the takeover date {on}"),
            ),
            _ => {}
        }
    }
    if h.members.is_empty() {
        p(
            "members".into(),
            "empty: list everyone who will move in, the applicant first".into(),
        );
    }
    let applicants = h
        .members
        .iter()
        .filter(|m| m.relation == Relation::Applicant)
        .count();
    if !h.members.is_empty() && applicants != 1 {
        p(
            "members".into(),
            format!("{applicants} members with relation \"applicant\"; exactly one is expected"),
        );
    }
    for (i, m) in h.members.iter().enumerate() {
        check_member(i, m, on, &mut p);
    }
    if let Some(r) = &h.residence {
        let c = &r.municipality_code;
        if c.is_empty() || c.len() > 4 || !c.chars().all(|ch| ch.is_ascii_digit()) {
            p(
                "residence.municipality_code".into(),
                format!("{c:?} is not a municipality code: 3 digits, such as \"561\""),
            );
        }
        if let Some(since) = r.since.filter(|s| *s > on) {
            p(
                "residence.since".into(),
                format!("{since} is after the takeover date {on}"),
            );
        }
    }
    if let Some(s) = &h.separation {
        if s.date > on {
            p(
                "separation.date".into(),
                format!("{} is after the takeover date {on}", s.date),
            );
        }
        if !s.married && s.shared_address_since.is_none() {
            p(
                "separation.shared_address_since".into(),
                "missing: unmarried partners need the date of the shared address".into(),
            );
        }
    }
    out
}

/// The problems of one member (`i` is its 0-based index), handed to `p` as field and
/// problem.
fn check_member(i: usize, m: &Member, on: Date, p: &mut impl FnMut(String, String)) {
    let f = |name: &str| format!("members[{i}].{name}");
    match (m.birth_date, m.age) {
        (None, None) => p(f("birth_date"), "missing: give birth_date or age".into()),
        (Some(b), _) if b > on => p(
            f("birth_date"),
            format!("{b} is after the takeover date {on}"),
        ),
        (Some(b), Some(a)) if age_on(b, on) != a => p(
            f("age"),
            format!(
                "{a} does not match birth_date {b} (age {} on {on})",
                age_on(b, on)
            ),
        ),
        _ => {}
    }
    if m.relation == Relation::Cohabitant && m.cohabiting_since.is_none() {
        p(
            f("cohabiting_since"),
            "missing: a cohabitant needs the date of the shared address".into(),
        );
    }
    if m.cohabiting_since.is_some_and(|d| d > on) {
        p(
            f("cohabiting_since"),
            format!(
                "{} is after the takeover date {on}",
                m.cohabiting_since.unwrap_or(on)
            ),
        );
    }
    for (j, w) in m.work.iter().enumerate() {
        let wf = |name: &str| format!("members[{i}].work[{j}].{name}");
        if let Some(h) = w.weekly_hours {
            if h.is_sign_negative() {
                p(
                    wf("weekly_hours"),
                    format!("{h} is negative; hours are 0 or more"),
                );
            } else if h > Decimal::from(168) {
                p(
                    wf("weekly_hours"),
                    format!("{h} is more than the 168 hours of a week"),
                );
            }
        }
        if let Some(x) = w.monthly_gross_income.filter(|x| x.is_sign_negative()) {
            p(wf("monthly_gross_income"), format!("{x} is negative"));
        }
    }
    if let Some(x) = m.monthly_gross_income.filter(|x| x.is_sign_negative()) {
        p(f("monthly_gross_income"), format!("{x} is negative"));
    }
    if let Some(e) = &m.completed_education {
        if e.completed_on > on {
            p(
                f("completed_education.completed_on"),
                format!("{} is after the takeover date {on}", e.completed_on),
            );
        }
    }
    for (j, e) in m.earlier_educations.iter().enumerate() {
        if e.completed_on > on {
            p(
                format!("members[{i}].earlier_educations[{j}].completed_on"),
                format!("{} is after the takeover date {on}", e.completed_on),
            );
        }
    }
    if m.released_from_prison_on.is_some_and(|d| d > on) {
        p(
            f("released_from_prison_on"),
            format!("after the takeover date {on}"),
        );
    }
    if m.released_from_institution_on.is_some_and(|d| d > on) {
        p(
            f("released_from_institution_on"),
            format!("after the takeover date {on}"),
        );
    }
    for (j, c) in m.convictions.iter().enumerate() {
        if c.date > on {
            p(
                format!("members[{i}].convictions[{j}].date"),
                format!("{} is after the takeover date {on}", c.date),
            );
        }
    }
    for (j, b) in m.benefits.iter().enumerate() {
        if b.to.is_some_and(|t| t < b.from) {
            p(
                format!("members[{i}].benefits[{j}].to"),
                "before `from`".into(),
            );
        }
    }
}
