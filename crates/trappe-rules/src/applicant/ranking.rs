//! Ranking: checked households in order for one vacancy, internal applicants included.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::definition::TieBreak;
use super::{
    evaluate_some, ApplicantRules, CriterionOutcome, Household, InternalTransfer, Requirement,
};
use crate::agreement::Staircase;
use crate::Date;

/// Where an applicant stands, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// An internal applicant with priority to this vacancy [CPH B4 V].
    Internal,
    /// Meets what the slot requires.
    Meets,
    /// Area staircase, not meeting all: meets the employment criterion.
    EmploymentOnly,
    /// Area staircase: meets some of the other required criteria.
    OtherCriteria,
    /// No priority: after everyone with priority, by seniority.
    WithoutPriority,
}

/// The vacancy side of a ranking.
#[derive(Debug, Clone)]
pub struct RankVacancy<'a> {
    pub department: &'a str,
    pub area: Option<&'a str>,
    pub on: Date,
    pub requirement: &'a Requirement,
    /// This vacancy is one of those offered to internal applicants first (by default
    /// every second family home of the organisation) [CPH B4 V].
    pub internal_priority: bool,
    /// The organisation decided that internal applicants meet the flexible criteria
    /// also within their own department or area.
    pub internal_criteria_everywhere: bool,
}

/// Why an applicant stands where it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RankWhy {
    MeetsRequirement,
    DoesNotMeetRequirement,
    NoCriteria,
    EmploymentCriterionMet,
    OtherCriteriaMet {
        count: usize,
    },
    AccessibilityPriority,
    /// Meets a criterion of this group of the agreement's priority order (1 first).
    PriorityGroup {
        group: u32,
    },
    InternalOwnDepartment,
    InternalSameArea,
    /// From another department of the organisation, on a step where that needs no criteria.
    InternalOtherDepartment,
    InternalRehoused,
    InternalMeetsCriteria,
    InternalMustMeetCriteria,
    InternalNotThisVacancy,
    DocumentsMissing {
        count: usize,
    },
}

/// One applicant's place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    pub position: u32,
    pub applicant: String,
    pub seniority: Date,
    pub tier: Tier,
    /// C1 in an accessibility home.
    pub accessibility_priority: bool,
    /// The group of the agreement's priority order met first (1 first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    pub meets: bool,
    pub why: Vec<RankWhy>,
    pub outcomes: Vec<CriterionOutcome>,
}

/// The sort key of one applicant: it depends on that applicant alone, so adding an
/// applicant never changes the relative order of two others.
fn key(r: &Ranked) -> (Tier, bool, u32, std::cmp::Reverse<usize>) {
    let others = r
        .why
        .iter()
        .find_map(|w| match w {
            RankWhy::OtherCriteriaMet { count } => Some(*count),
            _ => None,
        })
        .unwrap_or(0);
    (
        r.tier,
        !r.accessibility_priority,
        r.priority.unwrap_or(u32::MAX),
        std::cmp::Reverse(others),
    )
}

/// Two applicants of the same standing, by the agreement's tie-breaks in order; the
/// waiting-list number last of all, so the order is the same every time.
fn tie_break(breaks: &[TieBreak], a: &Ranked, b: &Ranked) -> Ordering {
    breaks
        .iter()
        .map(|t| match t {
            TieBreak::Seniority => a.seniority.cmp(&b.seniority),
            TieBreak::WaitingListNumber => a.applicant.cmp(&b.applicant),
        })
        .chain([a.applicant.cmp(&b.applicant)])
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Ranks checked households for a vacancy [CPH B4 IV, V; B4 III notes]: the tier first,
/// then the accessibility priority in an accessibility home, then the agreement's
/// tie-breaks (Copenhagen: the longest seniority, then the waiting-list number).
pub fn rank(rules: &ApplicantRules, v: &RankVacancy<'_>, households: &[Household]) -> Vec<Ranked> {
    let req = v.requirement;
    let employment_first = rules
        .ranking
        .employment_first
        .as_ref()
        .filter(|_| req.employment_first);
    let accessibility = rules
        .ranking
        .accessibility_priority
        .as_ref()
        .map(|a| &a.value);
    let mut out: Vec<Ranked> = households
        .iter()
        .map(|h| {
            // Only the criteria the decision looks at are evaluated.
            let outcomes = evaluate_some(rules, h, v.on, |c| {
                req.concerns(c)
                    || accessibility == Some(c)
                    || employment_first.is_some_and(|e| &e.primary == c || e.otherwise.contains(c))
            });
            let meets = req.met(&outcomes);
            let mut why = Vec::new();
            let with_criteria = req.has_criteria();
            let tier = if !with_criteria {
                why.push(RankWhy::NoCriteria);
                Tier::Meets
            } else if meets {
                why.push(RankWhy::MeetsRequirement);
                Tier::Meets
            } else {
                why.push(RankWhy::DoesNotMeetRequirement);
                match employment_first {
                    Some(e) if req.employment_met(e, &outcomes) => {
                        why.push(RankWhy::EmploymentCriterionMet);
                        Tier::EmploymentOnly
                    }
                    Some(e) if req.others_met(e, &outcomes) > 0 => {
                        why.push(RankWhy::OtherCriteriaMet {
                            count: req.others_met(e, &outcomes),
                        });
                        Tier::OtherCriteria
                    }
                    _ => Tier::WithoutPriority,
                }
            };
            let tier = match &h.internal {
                Some(i) => {
                    let (ok, w) = internal(rules, v, i, meets || !with_criteria);
                    why.push(w);
                    if ok {
                        Tier::Internal
                    } else {
                        tier
                    }
                }
                None => tier,
            };
            let c1 = req.accessibility_home
                && matches!(tier, Tier::Meets | Tier::Internal)
                && accessibility
                    .is_some_and(|a| outcomes.iter().any(|o| &o.criterion == a && o.met));
            if c1 {
                why.push(RankWhy::AccessibilityPriority);
            }
            let priority = req.priority_met(&outcomes);
            if let Some(group) = priority {
                why.push(RankWhy::PriorityGroup { group });
            }
            // Only what the decision rests on is kept: the criteria the slot asks for,
            // and C1 where it gave priority.
            let outcomes: Vec<CriterionOutcome> = outcomes
                .into_iter()
                .filter(|o| {
                    req.concerns(&o.criterion) || (c1 && Some(&o.criterion) == accessibility)
                })
                .collect();
            let missing: usize = outcomes
                .iter()
                .filter(|o| o.met)
                .flat_map(|o| o.documents.iter())
                .filter(|d| d.seen_on.is_none())
                .map(|d| (d.member, d.kind))
                .collect::<BTreeSet<_>>()
                .len();
            if missing > 0 {
                why.push(RankWhy::DocumentsMissing { count: missing });
            }
            Ranked {
                position: 0,
                applicant: h.id.clone().unwrap_or_default(),
                seniority: h.seniority.unwrap_or(v.on),
                tier,
                accessibility_priority: c1,
                priority,
                meets: meets || !with_criteria,
                why,
                outcomes,
            }
        })
        .collect();
    let breaks = &rules.ranking.tie_breaks.value;
    out.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| tie_break(breaks, a, b)));
    for (i, r) in out.iter_mut().enumerate() {
        r.position = i as u32 + 1;
    }
    out
}

/// Whether an internal applicant has priority to this vacancy [CPH B4 V; 6.1.2–6.1.3].
fn internal(
    rules: &ApplicantRules,
    v: &RankVacancy<'_>,
    i: &InternalTransfer,
    meets: bool,
) -> (bool, RankWhy) {
    if !v.internal_priority {
        return (false, RankWhy::InternalNotThisVacancy);
    }
    if i.rehoused_under_helhedsplan {
        return (true, RankWhy::InternalRehoused);
    }
    // An agreement without internal-transfer rules gives internal applicants no
    // priority of their own: they rank as everyone else.
    let Some(internal) = &rules.internal else {
        return (false, RankWhy::InternalNotThisVacancy);
    };
    let req = v.requirement;
    let own = i.from_department == v.department;
    let same_area = v.area.is_some() && i.from_area.as_deref() == v.area;
    let needs_criteria = v.internal_criteria_everywhere
        || match req.staircase {
            Staircase::Area => !(own || same_area) && internal.area_outside_needs_criteria.value,
            _ => {
                !own && internal
                    .criteria_on_department_steps
                    .value
                    .contains(&req.step)
            }
        };
    if !needs_criteria {
        let why = if own {
            RankWhy::InternalOwnDepartment
        } else if req.staircase == Staircase::Area {
            RankWhy::InternalSameArea
        } else {
            RankWhy::InternalOtherDepartment
        };
        return (true, why);
    }
    if meets {
        (true, RankWhy::InternalMeetsCriteria)
    } else {
        (false, RankWhy::InternalMustMeetCriteria)
    }
}
