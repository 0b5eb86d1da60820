//! What a slot requires: the criteria a vacancy's slot asks of applicants.

use serde::{Deserialize, Serialize};

use super::{CriterionId, CriterionOutcome};
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
    pub source: SourceRef,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequirementError {
    #[error("unknown criteria set {0:?}: the agreement's sets are A, B, A|B, C, tightened:relevant and tightened:all")]
    UnknownSet(String),
    #[error("the vacancy goes to {0}: the municipality allocates it, nobody is ranked from the waiting list (check the allocation limits instead)")]
    NotWaitingList(&'static str),
}

/// What a slot requires: its channel and criteria set, and on area step 1 the tightened
/// criteria on which the area is inside the risk zone [CPH 6.1.2].
pub fn requirement(
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
    let mut any_of = Vec::new();
    let mut all_of = Vec::new();
    if let Some(s) = set {
        for part in s.split('|') {
            match part.trim() {
                "A" => any_of.extend([CriterionId::A1, CriterionId::A2]),
                "B" => any_of.push(CriterionId::B1),
                "C" => any_of.push(CriterionId::C1),
                "tightened:all" => {
                    all_of.extend(Criterion::ALL.map(CriterionId::tightened));
                }
                "tightened:relevant" => {
                    // The tightened employment criterion replaces A where the area is
                    // challenged on unemployment; the others are added [CPH 6.1.2].
                    if !tightened.contains(&Criterion::Unemployment) {
                        any_of.extend([CriterionId::A1, CriterionId::A2]);
                    }
                    let mut t: Vec<Criterion> = tightened.to_vec();
                    t.sort();
                    all_of.extend(t.into_iter().map(CriterionId::tightened));
                }
                other => return Err(RequirementError::UnknownSet(other.to_string())),
            }
        }
    }
    let employment_first =
        staircase == Staircase::Area && (!any_of.is_empty() || !all_of.is_empty());
    Ok(Requirement {
        criteria_set: set.map(str::to_string),
        any_of,
        all_of,
        staircase,
        step: step.to_string(),
        employment_first,
        accessibility_home,
        source: source.to_string(),
    })
}

impl Requirement {
    /// Adds tightened criteria every applicant must meet whatever the slot: in a former
    /// omdannelse area under its development plan, the convictions criterion while the
    /// area's share of convicted residents is above the forebyggelse threshold
    /// [CPH 6.1.6].
    pub fn and_tightened(mut self, extra: &[Criterion], source: &str) -> Requirement {
        for c in extra {
            let id = CriterionId::tightened(*c);
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
        !self.any_of.is_empty() || !self.all_of.is_empty()
    }

    /// Whether a criterion is one the requirement asks for.
    pub fn concerns(&self, c: CriterionId) -> bool {
        self.any_of.contains(&c) || self.all_of.contains(&c)
    }

    /// Whether a household's outcomes meet the requirement.
    pub fn met(&self, outcomes: &[CriterionOutcome]) -> bool {
        let is_met = |c: &CriterionId| outcomes.iter().any(|o| o.criterion == *c && o.met);
        (self.any_of.is_empty() || self.any_of.iter().any(is_met)) && self.all_of.iter().all(is_met)
    }

    /// The employment criterion of the area staircase: tightened employment where it
    /// applies, else A (the law's mandatory employment or education criterion).
    pub(super) fn employment_met(&self, outcomes: &[CriterionOutcome]) -> bool {
        let is_met = |c: CriterionId| outcomes.iter().any(|o| o.criterion == c && o.met);
        if self.all_of.contains(&CriterionId::TightenedEmployment) {
            is_met(CriterionId::TightenedEmployment)
        } else {
            is_met(CriterionId::A1) || is_met(CriterionId::A2)
        }
    }

    pub(super) fn others_met(&self, outcomes: &[CriterionOutcome]) -> usize {
        self.all_of
            .iter()
            .filter(|c| **c != CriterionId::TightenedEmployment)
            .filter(|c| outcomes.iter().any(|o| o.criterion == **c && o.met))
            .count()
    }
}
