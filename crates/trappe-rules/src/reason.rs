//! Reasons: why a department got its placement.
//!
//! A reason is a stable snake_case code with parameters; it is rendered to Danish or
//! English text at the edge (`trappe-formats::text`), never here.

use serde::Serialize;

use crate::agreement::{Need, ThresholdLevel};
use crate::criteria::{Comparison, Criterion, CriterionCheck};
use crate::designation::Designation;
use crate::{Date, Pct};

/// A recorded decision: who decided, when, under what reference, and from when it is in
/// force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DecisionRef {
    pub from: Date,
    pub decided_by: String,
    pub decided_on: Date,
    pub reference: String,
}

/// What a department lacks for its own placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingData {
    /// Its four key figures.
    Figures,
    /// Its share of municipally allocated family homes.
    AllocatedShare,
}

/// Which set of thresholds a criterion was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckedAgainst {
    Udsat,
    RiskZone,
    Forebyggelse,
}

impl From<ThresholdLevel> for CheckedAgainst {
    fn from(level: ThresholdLevel) -> Self {
        match level {
            ThresholdLevel::Forebyggelse => CheckedAgainst::Forebyggelse,
            ThresholdLevel::RiskZone => CheckedAgainst::RiskZone,
            ThresholdLevel::Udsat => CheckedAgainst::Udsat,
        }
    }
}

/// One reason behind a placement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The department's area is on the state list with this designation.
    AreaDesignated {
        area_id: String,
        designation: Designation,
        list_date: Date,
        step: String,
    },
    /// The area's designation computed from its figures differs from the official one.
    AreaDesignationDisagrees {
        area_id: String,
        official: Designation,
        computed: Designation,
    },
    /// A small area placed on the area staircase by a recorded decision.
    AreaStaircaseByDecision {
        area_id: String,
        residents: u32,
        would_be: Designation,
        ground: String,
        decided_by: String,
        decided_on: Date,
        step: String,
    },
    /// A small area whose figures would qualify it, without a recorded decision.
    AreaStaircaseCandidate {
        area_id: String,
        residents: u32,
        above: u32,
        would_be: Designation,
    },
    /// One criterion checked against one set of thresholds.
    Criterion {
        against: CheckedAgainst,
        criterion: Criterion,
        #[serde(serialize_with = "crate::pct_number")]
        value: Pct,
        comparison: Comparison,
        #[serde(serialize_with = "crate::pct_number")]
        threshold: Pct,
        met: bool,
    },
    /// The area is challenged on a criterion (risk zone or within N persons): the
    /// tightened criterion applies on area step 1 [CPH 6.1.2].
    AreaChallenged {
        area_id: String,
        criterion: Criterion,
        #[serde(serialize_with = "crate::pct_number")]
        value: Pct,
        #[serde(serialize_with = "crate::pct_number")]
        risk_zone_threshold: Pct,
        within_risk_zone: bool,
        persons_to_udsat: Option<u32>,
        persons_margin: u32,
        challenged: bool,
    },
    /// The area's figures are missing, so the municipality decides which tightened
    /// criteria apply [CPH 6.1.5].
    AreaFiguresMissing { area_id: String },
    /// The need level from the counts of criteria met.
    NeedLevel {
        need: Need,
        udsat_met: usize,
        high_min: u32,
        risk_zone_met: usize,
        medium_min: u32,
    },
    /// The allocated-share band.
    AllocatedBand {
        #[serde(serialize_with = "crate::pct_number")]
        allocated_pct: Pct,
        band: String,
        #[serde(serialize_with = "crate::pct_number")]
        from_pct: Pct,
        #[serde(serialize_with = "crate::opt_pct_number")]
        to_pct: Option<Pct>,
    },
    /// The step from the need × band table.
    StepFromTable {
        need: Need,
        band: String,
        step: String,
    },
    /// The department is small; the pool's figures were used.
    PoolFigures {
        pool_id: String,
        homes: u32,
        residents: u32,
        min_homes: u32,
        min_residents: u32,
        members: usize,
        computed: bool,
    },
    /// Traffic light: red because the area is designated.
    RedByDesignation {
        area_id: String,
        designation: Designation,
        list_date: Date,
    },
    /// Traffic light: yellow or green from the count of criteria met.
    YellowRule {
        level: ThresholdLevel,
        met: usize,
        min: u32,
        yellow: bool,
    },
    /// No areas file was given, so the area staircase / red was not evaluated.
    NoAreaData,
    /// Named list: the agreement names the department (in its organisation's list, or as
    /// one of all the organisation's departments but some).
    NamedInList {
        organisation: String,
        step: String,
        all_except: bool,
        source: String,
    },
    /// Named list: the agreement does not name the department; it is not covered.
    NotNamed { organisation: String },
    /// Named list: the department's area is designated, so the law's group applies first.
    ListDesignatedArea {
        area_id: String,
        designation: Designation,
        list_date: Date,
        step: String,
    },
    /// Traffic light: the department has no figures and the agreement pools none, so no
    /// colour can be computed.
    NoFigures,
    /// The placement in force is the municipality's overview of this date.
    InForceByOverview { as_of: Date, step: String },
    /// The municipality's latest overview (of this date) omits the department: no
    /// placement is in force.
    OmittedFromOverview { as_of: Date },
    /// No overview of the municipality's yet: the computed placement is in force,
    /// provisionally.
    ProvisionalUntilOverview,
    /// The placement first computed on `since` in the agreement period is in force until
    /// `approved_by` approves a re-placement [CPH 6.2].
    HeldUntilApproval { since: Date, approved_by: String },
    /// A recorded approval re-placed the department on this step.
    InForceByApproval { decision: DecisionRef, step: String },
    /// The area left the lists and the department's own data cannot place it yet (the
    /// `missing` problem): the letting of before continues since `since` [CPH 6.1.5].
    ContinuedUntilDepartmentData {
        area_id: Option<String>,
        since: Date,
        missing: MissingData,
    },
    /// A newly designated prevention area: the ordinary criteria apply until the
    /// municipality decides; `proposed` are the criteria the area is challenged on.
    TightenedAwaitDecision {
        since: Date,
        proposed: Vec<Criterion>,
    },
    /// The municipality decided the tightened criteria (empty: the ordinary ones).
    TightenedByDecision {
        decision: DecisionRef,
        criteria: Vec<Criterion>,
    },
    /// The department is mainly youth or elderly homes [CPH 7.1, footnote 3 of 6].
    NotMainlyFamilyHomes {
        family_homes: u32,
        youth_homes: u32,
        elderly_homes: u32,
    },
}

impl Reason {
    /// The reason for one criterion check against one set of thresholds.
    pub fn from_check(against: CheckedAgainst, check: &CriterionCheck) -> Reason {
        Reason::Criterion {
            against,
            criterion: check.criterion,
            value: check.value,
            comparison: check.comparison,
            threshold: check.threshold,
            met: check.met,
        }
    }
}
