//! The state's designations of housing areas (almenboligloven §61 a, §61 b), computed
//! from an area's key figures for one list.
//!
//! - Udsat boligområde: at least `min_residents` residents and at least
//!   `min_criteria` of the four criteria at the udsat thresholds.
//! - Parallelsamfund: an udsat area with non-western origin above its threshold.
//! - Omdannelsesområde: a parallelsamfund on `omdannelse_consecutive_lists` lists in a
//!   row (the current one included); the earlier lists are an input.
//! - Forebyggelsesområde: not udsat, at least `min_residents` residents, origin above
//!   its (lower) threshold and at least `min_criteria` criteria at the lower thresholds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::criteria::{count_met, CriterionCheck, Figures};
use crate::law::ListThresholds;
use crate::Pct;

/// A designation on the state's lists of 1 December.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Designation {
    None,
    Forebyggelse,
    Udsat,
    Parallelsamfund,
    Omdannelse,
}

impl Designation {
    pub const ALL: [Designation; 5] = [
        Designation::None,
        Designation::Forebyggelse,
        Designation::Udsat,
        Designation::Parallelsamfund,
        Designation::Omdannelse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Designation::None => "none",
            Designation::Forebyggelse => "forebyggelse",
            Designation::Udsat => "udsat",
            Designation::Parallelsamfund => "parallelsamfund",
            Designation::Omdannelse => "omdannelse",
        }
    }

    /// True for udsat and its sharper forms (parallelsamfund, omdannelse).
    pub fn is_udsat_or_sharper(self) -> bool {
        matches!(
            self,
            Designation::Udsat | Designation::Parallelsamfund | Designation::Omdannelse
        )
    }
}

impl fmt::Display for Designation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for an unknown designation name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected one of none, forebyggelse, udsat, parallelsamfund, omdannelse")]
pub struct UnknownDesignation;

impl FromStr for Designation {
    type Err = UnknownDesignation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Designation::ALL
            .into_iter()
            .find(|d| d.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or(UnknownDesignation)
    }
}

/// A count behind a share: `persons` out of `of` residents in the criterion's group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub persons: u32,
    pub of: u32,
}

/// The counts behind an area's shares, where known (needed for the 10-person rule).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaCounts {
    pub unemployment: Option<Count>,
    pub convictions: Option<Count>,
    pub primary_education: Option<Count>,
}

/// The figures of one housing area that a designation is computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaFigures {
    pub residents: u32,
    pub figures: Figures,
    pub non_western_pct: Pct,
    /// Consecutive lists immediately before this one on which the area met the
    /// parallelsamfund conditions (history, from earlier lists).
    pub prior_parallelsamfund_lists: u32,
}

/// A computed designation with every check behind it.
#[derive(Debug, Clone, Serialize)]
pub struct DesignationResult {
    pub designation: Designation,
    /// What the area would be if it had enough residents (the CPH 950 rule needs this).
    pub would_be: Designation,
    pub residents: u32,
    pub min_residents: u32,
    pub udsat_checks: [CriterionCheck; 4],
    pub udsat_met: usize,
    pub forebyggelse_checks: [CriterionCheck; 4],
    pub forebyggelse_met: usize,
    pub min_criteria: u32,
    pub non_western_pct: Pct,
    pub forebyggelse_origin_above_pct: Pct,
    pub parallelsamfund_origin_above_pct: Pct,
    pub prior_parallelsamfund_lists: u32,
    pub omdannelse_consecutive_lists: u32,
}

/// Computes the designation of one area against one list's thresholds.
pub fn designate(area: &AreaFigures, list: &ListThresholds) -> DesignationResult {
    let udsat_checks = list.udsat.check(&area.figures);
    let forebyggelse_checks = list.forebyggelse.check(&area.figures);
    let udsat_met = count_met(&udsat_checks);
    let forebyggelse_met = count_met(&forebyggelse_checks);
    let min = list.min_criteria as usize;

    let would_be = if udsat_met >= min {
        if area.non_western_pct > list.parallelsamfund_origin_above_pct {
            if area.prior_parallelsamfund_lists + 1 >= list.omdannelse_consecutive_lists {
                Designation::Omdannelse
            } else {
                Designation::Parallelsamfund
            }
        } else {
            Designation::Udsat
        }
    } else if forebyggelse_met >= min && area.non_western_pct > list.forebyggelse_origin_above_pct {
        Designation::Forebyggelse
    } else {
        Designation::None
    };
    let designation = if area.residents >= list.min_residents {
        would_be
    } else {
        Designation::None
    };
    DesignationResult {
        designation,
        would_be,
        residents: area.residents,
        min_residents: list.min_residents,
        udsat_checks,
        udsat_met,
        forebyggelse_checks,
        forebyggelse_met,
        min_criteria: list.min_criteria,
        non_western_pct: area.non_western_pct,
        forebyggelse_origin_above_pct: list.forebyggelse_origin_above_pct,
        parallelsamfund_origin_above_pct: list.parallelsamfund_origin_above_pct,
        prior_parallelsamfund_lists: area.prior_parallelsamfund_lists,
        omdannelse_consecutive_lists: list.omdannelse_consecutive_lists,
    }
}
