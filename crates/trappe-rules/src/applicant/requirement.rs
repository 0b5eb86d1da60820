//! What a slot requires: the criteria a vacancy's slot asks of applicants.

use serde::{Deserialize, Serialize};

use super::definition::{AtLeast, EmploymentFirst};
use super::{ApplicantRules, CriterionId, CriterionOutcome};
use crate::agreement::{Channel, SourceRef, Staircase};
use crate::criteria::Criterion;

/// What a vacancy's slot requires of applicants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Requirement {
    /// The slot's criteria set as the agreement writes it ("A", "A|B",
    /// "tightened:relevant", …), or `None` for the ordinary waiting list.
    pub criteria_set: Option<String>,
    /// At least one of these (the applicant or a partner) …
    pub any_of: Vec<CriterionId>,
    /// … and all of these (everyone moving in within the age group).
    pub all_of: Vec<CriterionId>,
    pub staircase: Staircase,
    pub step: String,
    /// On the area staircase: applicants meeting the employment criterion go first
    /// when they do not meet all [CPH B4 III fig trin 1 note 2, trin 2].
    pub employment_first: bool,
    /// An accessibility home: C1 applicants meeting the rest go first [CPH 5.2.3].
    pub accessibility_home: bool,
    /// At least n of these, per set that says so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_least: Vec<AtLeast>,
    /// Groups of `any_of` in the agreement's priority order (empty: no order among them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<Vec<CriterionId>>,
    /// The sets whose criteria the file writes on the parties' behalf and they have not
    /// yet confirmed (`to_confirm` in the file): every use shows the mark.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_confirm: Vec<String>,
    pub source: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequirementError {
    #[error("unknown criteria set {0:?}: the agreement file's [applicants] defines no such set")]
    UnknownSet(String),
    #[error("the vacancy goes to {0}: the municipality allocates it, nobody is ranked from the waiting list (check the allocation limits instead)")]
    NotWaitingList(&'static str),
    #[error(
        "the criteria of set {set:?} are not yet recorded by the parties: {reason} [{source_ref}]"
    )]
    Pending {
        set: String,
        reason: String,
        source_ref: String,
    },
    #[error(
        "the agreement file has no [applicants] section: the criteria set {0:?} is not defined"
    )]
    NoApplicantRules(String),
    #[error("the criteria set {0:?} asks for at least N and cannot be combined with '|'")]
    AtLeastInUnion(String),
}

/// What a slot with `channel` and criteria set requires, resolved from the agreement
/// file's sets (`"A|B"` is the union of sets A and B). A set that adds the risk zone's
/// criteria adds those mirroring `tightened`, the designation criteria on which the area
/// is inside the risk zone [CPH 6.1.2].
#[allow(clippy::too_many_arguments)]
pub fn requirement(
    rules: Option<&ApplicantRules>,
    channel: Channel,
    criteria_set: Option<&str>,
    staircase: Staircase,
    step: &str,
    tightened: &[Criterion],
    accessibility_home: bool,
    source: &str,
) -> Result<Requirement, RequirementError> {
    match channel {
        Channel::WaitingList | Channel::Flexible => {}
        Channel::MunicipalAllocation => {
            return Err(RequirementError::NotWaitingList("municipal allocation"))
        }
        Channel::UrbanRenewal => {
            return Err(RequirementError::NotWaitingList("urban-renewal rehousing"))
        }
    }
    let set = if channel == Channel::WaitingList {
        None
    } else {
        criteria_set
    };
    let mut any_of: Vec<CriterionId> = Vec::new();
    let mut all_of: Vec<CriterionId> = Vec::new();
    let mut priority: Vec<Vec<CriterionId>> = Vec::new();
    let mut at_least: Vec<AtLeast> = Vec::new();
    let mut to_confirm: Vec<String> = Vec::new();
    let push = |list: &mut Vec<CriterionId>, c: &CriterionId| {
        if !list.contains(c) {
            list.push(c.clone());
        }
    };
    if let Some(s) = set {
        let rules = rules.ok_or_else(|| RequirementError::NoApplicantRules(s.to_string()))?;
        for part in s.split('|') {
            let part = part.trim();
            let def = rules
                .set(part)
                .ok_or_else(|| RequirementError::UnknownSet(part.to_string()))?;
            if def.at_least.is_some() && s.contains('|') {
                return Err(RequirementError::AtLeastInUnion(def.id.clone()));
            }
            if let Some(p) = &def.pending {
                return Err(RequirementError::Pending {
                    set: def.id.clone(),
                    reason: p.value.clone(),
                    source_ref: p.source.clone(),
                });
            }
            if def.to_confirm.is_some() {
                to_confirm.push(def.id.clone());
            }
            let mut all: Vec<CriterionId> = def.all.clone();
            if def.risk_zone {
                let mut t: Vec<Criterion> = tightened.to_vec();
                t.sort();
                all.extend(
                    t.into_iter()
                        .filter_map(|c| rules.mirroring(c))
                        .map(|d| d.id.clone()),
                );
            }
            // A criterion that replaces the set's `any` (tightened employment replaces A
            // [CPH 6.1.2]).
            if !def.any_dropped_when.iter().any(|c| all.contains(c)) {
                for c in &def.any {
                    push(&mut any_of, c);
                }
            }
            for c in &all {
                push(&mut all_of, c);
            }
            priority.extend(def.priority.iter().cloned());
            at_least.extend(def.at_least.iter().cloned());
        }
    }
    let employment_first = rules
        .and_then(|r| r.ranking.employment_first.as_ref())
        .is_some_and(|e| e.staircases.contains(&staircase))
        && (!any_of.is_empty() || !all_of.is_empty() || !at_least.is_empty());
    Ok(Requirement {
        criteria_set: set.map(str::to_string),
        any_of,
        all_of,
        staircase,
        step: step.to_string(),
        employment_first,
        accessibility_home,
        at_least,
        priority,
        to_confirm,
        source: source.to_string(),
    })
}

impl Requirement {
    /// Adds tightened criteria every applicant must meet whatever the slot: in a former
    /// omdannelse area under its development plan, the convictions criterion while the
    /// area's share of convicted residents is above the forebyggelse threshold
    /// [CPH 6.1.6].
    pub fn and_tightened(
        mut self,
        rules: &ApplicantRules,
        extra: &[Criterion],
        source: &str,
    ) -> Requirement {
        for c in extra {
            let Some(id) = rules.mirroring(*c).map(|d| d.id.clone()) else {
                continue;
            };
            if !self.all_of.contains(&id) {
                self.all_of.push(id);
            }
        }
        if !extra.is_empty() {
            self.source = format!("{}; {source}", self.source);
        }
        self
    }

    /// Whether the requirement asks anything of applicants.
    pub fn has_criteria(&self) -> bool {
        !self.any_of.is_empty() || !self.all_of.is_empty() || !self.at_least.is_empty()
    }

    /// Whether a criterion is one the requirement asks for.
    pub fn concerns(&self, c: &CriterionId) -> bool {
        self.any_of.contains(c)
            || self.all_of.contains(c)
            || self.at_least.iter().any(|a| a.of.contains(c))
    }

    /// Whether a household's outcomes meet the requirement.
    pub fn met(&self, outcomes: &[CriterionOutcome]) -> bool {
        let is_met = |c: &CriterionId| outcomes.iter().any(|o| o.criterion == *c && o.met);
        (self.any_of.is_empty() || self.any_of.iter().any(is_met))
            && self.all_of.iter().all(is_met)
            && self
                .at_least
                .iter()
                .all(|a| a.of.iter().filter(|c| is_met(c)).count() >= a.n as usize)
    }

    /// The employment criterion of the ranking: the primary one where the slot requires
    /// it, else any of the others (on the area staircase: tightened employment, else A,
    /// the law's mandatory employment or education criterion).
    pub(super) fn employment_met(
        &self,
        e: &EmploymentFirst,
        outcomes: &[CriterionOutcome],
    ) -> bool {
        let is_met = |c: &CriterionId| outcomes.iter().any(|o| &o.criterion == c && o.met);
        if self.all_of.contains(&e.primary) {
            is_met(&e.primary)
        } else {
            e.otherwise.iter().any(is_met)
        }
    }

    /// The first priority group (1-based) with a criterion met, when the set has an order.
    pub(super) fn priority_met(&self, outcomes: &[CriterionOutcome]) -> Option<u32> {
        let is_met = |c: &CriterionId| outcomes.iter().any(|o| &o.criterion == c && o.met);
        self.priority
            .iter()
            .position(|g| g.iter().any(is_met))
            .map(|i| i as u32 + 1)
    }

    /// How many of the required criteria other than the employment criterion are met.
    pub(super) fn others_met(&self, e: &EmploymentFirst, outcomes: &[CriterionOutcome]) -> usize {
        self.all_of
            .iter()
            .filter(|c| **c != e.primary)
            .filter(|c| outcomes.iter().any(|o| o.criterion == **c && o.met))
            .count()
    }
}
