//! Limits on municipal allocation [CPH B5]: which limits an area is under, and whether
//! a household meets one.

use std::collections::BTreeSet;

use chrono::{Datelike, Months};
use serde::{Deserialize, Serialize};

use super::evaluation::member_age;
use super::{
    AllocationLimitRules, Benefit, BenefitPeriod, Household, Limit, LimitArea, LimitFact, Member,
};
use crate::agreement::SourceRef;
use crate::Date;

/// The designation that decides the limits of a department's area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaStatus {
    /// On the list as udsat, parallelsamfund or omdannelse.
    Udsat,
    /// Once an omdannelsesområde, still under its limits.
    FormerOmdannelse,
    Forebyggelse,
    /// No limits.
    NotDesignated,
}

/// Whether a former omdannelsesområde is still under the limits on `on`: until it has
/// been off the omdannelse list `lists` times in a row, the development plan is done,
/// or the fixed date, whichever is first [CPH B5; ABL §168 b stk. 10].
pub fn former_omdannelse_applies(
    rules: &AllocationLimitRules,
    list_dates_not_omdannelse_since: u32,
    ever_omdannelse: bool,
    plan_completed: bool,
    on: Date,
) -> bool {
    ever_omdannelse
        && !plan_completed
        && list_dates_not_omdannelse_since < rules.former_omdannelse_lists.value
        && on < rules.former_omdannelse_until.value
}

/// One limit checked for one member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitHit {
    pub limit: String,
    pub member: u32,
    pub source: SourceRef,
}

/// The limits for one household allocated into one area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitsOutcome {
    pub area: AreaStatus,
    /// The limits checked (ids), in the agreement's order.
    pub checked: Vec<String>,
    pub hits: Vec<LimitHit>,
    /// No limit stands in the way.
    pub allowed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("member {member}: {field} is needed for the limit {limit:?}")]
pub struct MissingFact {
    pub member: u32,
    pub field: &'static str,
    pub limit: String,
}

/// Consecutive calendar months with one of `kinds`, counted back from the month of
/// `on` (or the month before, when nothing was received yet this month).
pub fn consecutive_benefit_months(periods: &[BenefitPeriod], kinds: &[Benefit], on: Date) -> u32 {
    let index = |d: Date| d.year() * 12 + d.month0() as i32;
    let mut months = BTreeSet::new();
    for p in periods
        .iter()
        .filter(|p| kinds.contains(&p.kind) && p.from <= on)
    {
        let to = p.to.map_or(on, |t| t.min(on));
        for m in index(p.from)..=index(to) {
            months.insert(m);
        }
    }
    let mut m = index(on);
    if !months.contains(&m) {
        m -= 1;
    }
    let mut n = 0;
    while months.contains(&m) {
        n += 1;
        m -= 1;
    }
    n
}

/// A release within the period counts only with an action plan ("+ skal have
/// handleplan") [CPH B5]; the plan must then be given.
fn action_plan(m: &Member, member: u32, l: &Limit) -> Result<bool, MissingFact> {
    m.action_plan.ok_or_else(|| MissingFact {
        member,
        field: "action_plan",
        limit: l.id.clone(),
    })
}

/// Checks a household against the limits for an area [CPH B5]. Errors when a fact the
/// limits need is missing from the household.
pub fn allocation_limits(
    rules: &AllocationLimitRules,
    area: AreaStatus,
    h: &Household,
    on: Date,
) -> Result<LimitsOutcome, MissingFact> {
    let applies = match area {
        AreaStatus::Udsat | AreaStatus::FormerOmdannelse => Some(LimitArea::Udsat),
        AreaStatus::Forebyggelse => Some(LimitArea::Forebyggelse),
        AreaStatus::NotDesignated => None,
    };
    let limits: Vec<&Limit> = match applies {
        Some(a) => rules
            .limits
            .iter()
            .filter(|l| l.areas.contains(&a))
            .collect(),
        None => Vec::new(),
    };
    let within = |d: Option<Date>, months: u32| {
        d.is_some_and(|d| {
            d <= on
                && on
                    .checked_sub_months(Months::new(months))
                    .is_some_and(|from| d >= from)
        })
    };
    let mut hits = Vec::new();
    for l in &limits {
        for (i, m) in h.members.iter().enumerate() {
            let n = i as u32 + 1;
            let hit = match &l.fact {
                LimitFact::ReleasedFromPrison { months } => {
                    within(m.released_from_prison_on, *months) && action_plan(m, n, l)?
                }
                LimitFact::ReleasedMinor { months, under_age } => {
                    member_age(m, on) < *under_age
                        && within(m.released_from_institution_on, *months)
                        && action_plan(m, n, l)?
                }
                LimitFact::TenancyEnded { months } => {
                    within(m.tenancy_ended_for_breach_on, *months)
                }
                LimitFact::NonEuCitizen => {
                    let citizen = m.eu_eea_swiss_citizen.ok_or_else(|| MissingFact {
                        member: n,
                        field: "eu_eea_swiss_citizen",
                        limit: l.id.clone(),
                    })?;
                    // "studerende, som er indskrevet på en offentligt anerkendt
                    // uddannelsesinstitution": any enrolment listed counts.
                    let student = m.education.is_some() || m.student;
                    !citizen && !student
                }
                LimitFact::Benefits { benefits, months } => {
                    consecutive_benefit_months(&m.benefits, benefits, on) >= *months
                }
                LimitFact::Receives { benefits } => m.benefits.iter().any(|p| {
                    benefits.contains(&p.kind) && p.from <= on && p.to.is_none_or(|t| t >= on)
                }),
            };
            if hit {
                hits.push(LimitHit {
                    limit: l.id.clone(),
                    member: n,
                    source: l.source.clone(),
                });
            }
        }
    }
    Ok(LimitsOutcome {
        area,
        checked: limits.iter().map(|l| l.id.clone()).collect(),
        allowed: hits.is_empty(),
        hits,
    })
}
