//! Placement: every department on exactly one step of its agreement's staircase.
//!
//! Copenhagen [CPH 6]: departments in areas on the state lists go on the area staircase
//! (step from the designation; small areas by a recorded decision); all others on the
//! department staircase (need level from the four criteria × allocated-share band).
//! Aalborg [AAL]: red for departments in designated areas, yellow or green by the
//! agreement's documented rule.

use std::collections::HashMap;

use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::agreement::{
    Agreement, AreaStaircase, DepartmentStaircase, Model, Need, RiskZone, Staircase, StepRule,
    TrafficLight,
};
use crate::criteria::{count_met, Comparison, Criterion, CriterionCheck, Figures, Threshold};
use crate::designation::{
    designate, AreaCounts, AreaFigures, Count, Designation, DesignationResult,
};
use crate::law::{LawParams, ListThresholds};
use crate::pooling::{computed_figures, propose_pools, Pool, PoolMember, PoolStage};
pub use crate::reason::DecisionRef;
use crate::reason::{CheckedAgainst, MissingData, Reason};
use crate::receipt::{ParameterUsed, Receipt};
use crate::{Date, Pct};

/// One housing department as read from the departments file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Department {
    pub id: String,
    pub name: String,
    pub organisation_id: String,
    pub municipality_code: Option<String>,
    pub area_id: Option<String>,
    pub local_district: String,
    pub family_homes: u32,
    pub youth_homes: u32,
    pub elderly_homes: u32,
    pub residents: u32,
    /// The department's own figures; `None` where none could be drawn.
    pub figures: Option<Figures>,
    pub non_western_pct: Option<Pct>,
    /// Share of family homes let through municipal allocation.
    pub allocated_pct: Option<Pct>,
}

impl Department {
    pub fn homes(&self) -> u32 {
        self.family_homes + self.youth_homes + self.elderly_homes
    }

    /// What pooling needs to know about this department.
    pub fn pool_member(&self) -> PoolMember<'_> {
        PoolMember {
            department_id: &self.id,
            organisation_id: &self.organisation_id,
            local_district: &self.local_district,
            homes: self.homes(),
            residents: self.residents,
            figures: self.figures,
        }
    }
}

/// One housing area as read from the areas file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Area {
    pub id: String,
    pub name: String,
    pub residents: u32,
    /// The designation on the official list, where the file carries it.
    pub official: Option<Designation>,
    pub figures: Option<Figures>,
    pub non_western_pct: Option<Pct>,
    pub counts: AreaCounts,
    pub prior_parallelsamfund_lists: u32,
}

impl Area {
    /// The figures a designation can be computed from, when all are present.
    pub fn area_figures(&self) -> Option<AreaFigures> {
        Some(AreaFigures {
            residents: self.residents,
            figures: self.figures?,
            non_western_pct: self.non_western_pct?,
            prior_parallelsamfund_lists: self.prior_parallelsamfund_lists,
        })
    }
}

/// A recorded decision of the Samarbejdsforum to put a small area on the area
/// staircase [CPH 6 (1)].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaDecision {
    pub area_id: String,
    /// `residents_over_threshold` or `temporary_rehousing`.
    pub ground: String,
    pub decided_by: String,
    pub decided_on: Date,
}

/// Pool figures delivered for a pool (e.g. by Landsbyggefonden), which take precedence
/// over figures computed from members.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficialPool {
    pub id: String,
    pub members: Vec<String>,
    pub figures: Figures,
}

/// Everything a classification needs.
#[derive(Debug, Clone, Copy)]
pub struct ClassifyInput<'a> {
    pub agreement: &'a Agreement,
    pub law: &'a LawParams,
    pub on: Date,
    pub data_reference_date: Option<Date>,
    pub departments: &'a [Department],
    pub areas: Option<&'a [Area]>,
    pub decisions: &'a [AreaDecision],
    pub pools: Option<&'a [OfficialPool]>,
    /// Classify departments of other municipalities by this agreement (what-if).
    pub any_municipality: bool,
    pub program_version: &'a str,
    /// The municipality's latest overview on `on`, where the agreement puts it in force.
    pub overview: Option<&'a OfficialOverview>,
    /// What was in force before `on` and the decisions recorded since, where the
    /// agreement's placement in force depends on them ([`Agreement::needs_standing`]);
    /// `None`: no history is kept (a one-off classification shows the computed
    /// placement). An empty `Standing`: the first placement of the period.
    pub standing: Option<&'a Standing>,
}

/// What stood before the date placed, for an agreement whose placement in force holds
/// until a decision or continues after an area leaves the lists.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    /// The placements in force on the previous date placed in the agreement period.
    pub previous: Option<Previous>,
    /// The decisions taking effect after the previous date and on or before the date
    /// placed, oldest first (a later one wins for a department).
    pub decisions: Vec<PlacementDecision>,
}

/// The placements in force on an earlier date, by department id.
#[derive(Debug, Clone)]
pub struct Previous {
    pub on: Date,
    pub placements: HashMap<String, StandingPlacement>,
}

/// What a department's placement in force was (read back from a stored placement).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct StandingPlacement {
    pub staircase: Staircase,
    pub step: String,
    #[serde(default)]
    pub need: Option<Need>,
    #[serde(default)]
    pub allocated_band: Option<String>,
    #[serde(default)]
    pub pool_id: Option<String>,
    #[serde(default)]
    pub tightened_criteria: Option<Vec<Criterion>>,
    pub in_force: InForce,
}

/// A decision on placements in force: approved re-placements (a department's step) and
/// the tightened criteria decided for departments of a newly designated prevention area.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacementDecision {
    pub decision: DecisionRef,
    /// Department id → the step approved.
    pub steps: HashMap<String, String>,
    /// Department id → the tightened criteria decided (empty: the ordinary criteria).
    pub criteria: HashMap<String, Vec<Criterion>>,
}

/// The placement of one department.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    /// Index into the departments given.
    #[serde(skip)]
    pub department: usize,
    pub staircase: Staircase,
    pub step: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need: Option<Need>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocated_band: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool_id: Option<String>,
    /// On area step 1: the tightened criteria that apply (the area is challenged on them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tightened_criteria: Option<Vec<Criterion>>,
    /// Index into the agreement's step rules.
    #[serde(skip)]
    pub step_rule: usize,
    pub reasons: Vec<Reason>,
    /// On what basis this placement is the one in force (what letting uses).
    pub in_force: InForce,
    /// The computed placement beside it, where the agreement puts another one in force
    /// (the municipality's overview): trappe's estimate, shown with every difference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed: Option<Box<Placement>>,
}

/// On what basis a placement is the one in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum InForce {
    /// The agreement puts the computed placement in force.
    Computed,
    /// The agreement puts the municipality's overview in force and none is imported yet:
    /// the computed placement is in force, provisionally — not the municipality's.
    Provisional,
    /// The municipality's overview of this date.
    Overview { as_of: Date },
    /// The municipality's latest overview (of this date) omits the department.
    NotInOverview { as_of: Date },
    /// The placement first computed on `since` in the agreement period, held until an
    /// approved re-placement.
    Held { since: Date },
    /// A re-placement approved by a recorded decision.
    Approved { decision: DecisionRef },
    /// The area left the lists: the letting of before continues, since `since`, until the
    /// department's own data can place it.
    Continued { since: Date },
    /// A newly designated prevention area: the ordinary criteria apply, since `since`,
    /// until the municipality decides the tightened ones.
    AwaitingDecision { since: Date },
    /// The tightened criteria the municipality decided.
    Decided { decision: DecisionRef },
}

impl InForce {
    pub fn as_str(&self) -> &'static str {
        match self {
            InForce::Computed => "computed",
            InForce::Provisional => "provisional",
            InForce::Overview { .. } => "overview",
            InForce::NotInOverview { .. } => "not_in_overview",
            InForce::Held { .. } => "held",
            InForce::Approved { .. } => "approved",
            InForce::Continued { .. } => "continued",
            InForce::AwaitingDecision { .. } => "awaiting_decision",
            InForce::Decided { .. } => "decided",
        }
    }

    /// Every basis code, for readers that check a stored one.
    pub const CODES: [&'static str; 9] = [
        "computed",
        "provisional",
        "overview",
        "not_in_overview",
        "held",
        "approved",
        "continued",
        "awaiting_decision",
        "decided",
    ];
}

/// The municipality's overview: each department's step (a traffic-light colour) as the
/// municipality decided it on a date.
#[derive(Debug, Clone)]
pub struct OfficialOverview {
    pub as_of: Date,
    pub steps: HashMap<String, String>,
}

/// A pool as used in a classification.
#[derive(Debug, Clone, Serialize)]
pub struct PoolUsed {
    pub id: String,
    pub members: Vec<String>,
    pub homes: u32,
    pub residents: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<PoolStage>,
    pub reaches_threshold: bool,
    pub figures: Option<Figures>,
    /// `official` (from the pools file) or `computed` (from members' figures).
    pub figures_source: &'static str,
}

/// A warning the caller must show (stderr) and keep (receipt).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Warning {
    ThresholdsFallback {
        list_in_force: Date,
        values_from_list: Date,
    },
    NoAreaData,
    PoolBelowThreshold {
        pool_id: String,
        homes: u32,
        residents: u32,
    },
    DecisionNotApplied {
        area_id: String,
        would_be: Option<Designation>,
    },
    DesignationDisagrees {
        area_id: String,
        official: Designation,
        computed: Designation,
    },
    /// The agreement's list names a department the departments file does not hold (a
    /// typo in either would leave the real department not covered).
    NamedDepartmentMissing {
        organisation: String,
        department: String,
    },
    /// The municipality's overview gives a colour to a department the departments data
    /// does not hold.
    OverviewDepartmentMissing {
        department: String,
        as_of: Date,
    },
}

/// The result of classifying every department.
#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    pub placements: Vec<Placement>,
    pub pools: Vec<PoolUsed>,
    pub warnings: Vec<Warning>,
    pub receipt: Receipt,
    /// Designations computed from the areas' own figures, by area id.
    #[serde(skip)]
    pub computed_designations: HashMap<String, DesignationResult>,
}

/// Why a classification could not be made; every problem is reported at once.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClassifyError {
    #[error("{on} is outside the agreement's period {from} – {to}")]
    OutsidePeriod { on: Date, from: Date, to: String },
    #[error("the law parameters {law} have no values for any list on or before {on}")]
    NoLawValues { law: String, on: Date },
    #[error("department {department}: area {area} is not in the areas file")]
    UnknownArea { department: String, area: String },
    #[error("department {department}: municipality {code} is not covered by the agreement (covers {covers}); pass --any-municipality to classify it anyway")]
    OtherMunicipality {
        department: String,
        code: String,
        covers: String,
    },
    #[error("department {department} ({homes} homes, {residents} residents) has no figures; the four indicator columns are needed for departments that are not small")]
    MissingFigures {
        department: String,
        homes: u32,
        residents: u32,
    },
    #[error("department {department} has no allocated_pct; the department staircase needs the share of municipally allocated family homes")]
    MissingAllocatedShare { department: String },
    #[error("pool {pool} (members {members}) has no figures: no member has its own figures and no pools file gives them; pass --pools FILE with figures for it")]
    PoolWithoutFigures { pool: String, members: String },
    #[error("pools file: pool {pool} names department {department}, which is not in the departments file")]
    UnknownPoolMember { pool: String, department: String },
    #[error("department {department} is small ({homes} homes, {residents} residents) and is in no pool of the pools file")]
    NotInAnyPool {
        department: String,
        homes: u32,
        residents: u32,
    },
    #[error("the agreement has no rule for {staircase} step {step} on {on}")]
    NoStepRule {
        staircase: &'static str,
        step: String,
        on: Date,
    },
    #[error(
        "allocated share {share} % of department {department} falls in no band of the agreement"
    )]
    NoBand { department: String, share: Pct },
    /// The agreement checker requires the table for the models that use it; an
    /// agreement built otherwise gets this error, not a crash.
    #[error("the agreement's model needs a [{table}] table, and the agreement has none")]
    MissingTable { table: &'static str },
}

/// Figures a department is judged on, and where they came from.
struct JudgedFigures {
    figures: Figures,
    pool: Option<usize>,
}

/// Classifies every department. Either every department gets exactly one placement,
/// or the result is every error found.
pub fn classify(input: ClassifyInput<'_>) -> Result<Classification, Vec<ClassifyError>> {
    let agreement = input.agreement;
    if !agreement.period.contains(input.on) {
        return Err(vec![ClassifyError::OutsidePeriod {
            on: input.on,
            from: agreement.period.from,
            to: agreement
                .period
                .to
                .map_or_else(|| "open".to_string(), |d| d.to_string()),
        }]);
    }
    let Some(selection) = input.law.select(input.on) else {
        return Err(vec![ClassifyError::NoLawValues {
            law: input.law.id.clone(),
            on: input.on,
        }]);
    };
    let list = selection.thresholds;
    // A named list needs neither a risk zone nor small departments; the staircases and
    // the traffic light do, and the agreement check requires them there.
    let risk_zone = agreement.risk_zone.as_ref().map(|r| r.for_list(list));

    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    if selection.fallback {
        warnings.push(Warning::ThresholdsFallback {
            list_in_force: selection.list_in_force,
            values_from_list: selection.values_from_list,
        });
    }

    // Areas: index, and compute designations from their figures.
    let areas: HashMap<&str, &Area> = input
        .areas
        .unwrap_or_default()
        .iter()
        .map(|a| (a.id.as_str(), a))
        .collect();
    let mut computed: HashMap<String, DesignationResult> = HashMap::new();
    for area in input.areas.unwrap_or_default() {
        if let Some(af) = area.area_figures() {
            let result = designate(&af, list);
            if let Some(official) = area.official {
                if official != result.designation {
                    warnings.push(Warning::DesignationDisagrees {
                        area_id: area.id.clone(),
                        official,
                        computed: result.designation,
                    });
                }
            }
            computed.insert(area.id.clone(), result);
        }
    }
    if input.areas.is_none() {
        warnings.push(Warning::NoAreaData);
    }

    // Municipality and area references.
    for d in input.departments {
        if !input.any_municipality {
            if let Some(code) = &d.municipality_code {
                if !agreement.municipality_codes.is_empty()
                    && !agreement
                        .municipality_codes
                        .iter()
                        .any(|c| same_code(c, code))
                {
                    errors.push(ClassifyError::OtherMunicipality {
                        department: d.id.clone(),
                        code: code.clone(),
                        covers: agreement.municipality_codes.join(", "),
                    });
                }
            }
        }
        if let (Some(area_id), Some(_)) = (&d.area_id, input.areas) {
            if !areas.contains_key(area_id.as_str()) {
                errors.push(ClassifyError::UnknownArea {
                    department: d.id.clone(),
                    area: area_id.clone(),
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Pools for small departments.
    let members: Vec<PoolMember<'_>> = input
        .departments
        .iter()
        .map(Department::pool_member)
        .collect();
    let (pools, pool_of) = build_pools(&input, &members, &mut errors);
    for pool in &pools {
        if !pool.reaches_threshold {
            warnings.push(Warning::PoolBelowThreshold {
                pool_id: pool.id.clone(),
                homes: pool.homes,
                residents: pool.residents,
            });
        }
    }

    let ctx = Ctx {
        agreement,
        list,
        risk_zone: risk_zone.as_ref(),
        areas: &areas,
        computed: &computed,
        decisions: input.decisions,
        pools: &pools,
        pool_of: &pool_of,
    };
    let no_standing = Standing::default();
    let standing = input.standing.unwrap_or(&no_standing);
    let mut placements = Vec::with_capacity(input.departments.len());
    for (index, d) in input.departments.iter().enumerate() {
        match ctx.place(index, d, input.on, &mut warnings) {
            Ok(p) => placements.push(p),
            Err(e) => match continued(agreement, input.on, standing, index, d, &e) {
                Some(Ok(p)) => placements.push(p),
                Some(Err(other)) => errors.push(other),
                None => errors.push(e),
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Without a history (a one-off classification) the computed placement is shown.
    if agreement.needs_standing() && input.standing.is_some() {
        placements = stand(agreement, input.on, standing, input.departments, placements)?;
    }
    if agreement.in_force.by_overview() {
        placements = put_in_force(
            agreement,
            input.on,
            input.overview,
            input.departments,
            placements,
        )?;
        if let Some(o) = input.overview {
            let held: std::collections::HashSet<&str> =
                input.departments.iter().map(|d| d.id.as_str()).collect();
            let mut unknown: Vec<&String> = o
                .steps
                .keys()
                .filter(|k| !held.contains(k.as_str()))
                .collect();
            unknown.sort();
            for d in unknown {
                warnings.push(Warning::OverviewDepartmentMissing {
                    department: d.clone(),
                    as_of: o.as_of,
                });
            }
        }
    }
    if let Model::NamedList(list) = &agreement.model {
        let held: std::collections::HashSet<&str> =
            input.departments.iter().map(|d| d.id.as_str()).collect();
        for g in &list.groups {
            for d in g.departments.iter().filter(|d| !held.contains(d.as_str())) {
                warnings.push(Warning::NamedDepartmentMissing {
                    organisation: g.organisation.clone(),
                    department: d.clone(),
                });
            }
        }
    }
    warnings.dedup();

    let receipt = receipt(&input, &selection, risk_zone.as_ref());
    Ok(Classification {
        placements,
        pools,
        warnings,
        receipt,
        computed_designations: computed,
    })
}

/// The placements in force where the municipality's overview is: each department's
/// colour from the latest overview (the computed placement kept beside it), none for a
/// department it omits, and the computed one, provisionally, before the first overview.
fn put_in_force(
    agreement: &Agreement,
    on: Date,
    overview: Option<&OfficialOverview>,
    departments: &[Department],
    placements: Vec<Placement>,
) -> Result<Vec<Placement>, Vec<ClassifyError>> {
    let mut out = Vec::with_capacity(placements.len());
    let mut errors = Vec::new();
    for computed in placements {
        let Some(o) = overview else {
            let mut p = computed.clone();
            p.in_force = InForce::Provisional;
            p.reasons.insert(0, Reason::ProvisionalUntilOverview);
            p.computed = Some(Box::new(computed));
            out.push(p);
            continue;
        };
        let department = computed.department;
        let (step, in_force, reason) = match o.steps.get(departments[department].id.as_str()) {
            Some(step) => (
                step.clone(),
                InForce::Overview { as_of: o.as_of },
                Reason::InForceByOverview {
                    as_of: o.as_of,
                    step: step.clone(),
                },
            ),
            None => (
                crate::agreement::NOT_IN_OVERVIEW.to_string(),
                InForce::NotInOverview { as_of: o.as_of },
                Reason::OmittedFromOverview { as_of: o.as_of },
            ),
        };
        let Some(rule) = agreement.steps.iter().position(|s| {
            s.staircase == Staircase::TrafficLight && s.step == step && s.period.contains(on)
        }) else {
            errors.push(ClassifyError::NoStepRule {
                staircase: Staircase::TrafficLight.as_str(),
                step,
                on,
            });
            continue;
        };
        out.push(Placement {
            department,
            staircase: Staircase::TrafficLight,
            step,
            need: None,
            allocated_band: None,
            pool_id: None,
            tightened_criteria: None,
            step_rule: rule,
            reasons: vec![reason],
            in_force,
            computed: Some(Box::new(computed)),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The placement that continues where a department's area has left the lists and its
/// own data cannot place it yet ("videreføres den hidtidige udlejning, indtil de enkelte
/// afdelingers data er opgjort" [CPH 6.1.5]): its placement in force before, on the area
/// staircase (or already continued). `None`: the error stands.
fn continued(
    agreement: &Agreement,
    on: Date,
    standing: &Standing,
    index: usize,
    d: &Department,
    error: &ClassifyError,
) -> Option<Result<Placement, ClassifyError>> {
    if !agreement.transitions.continues_until_department_data()
        || !matches!(
            error,
            ClassifyError::MissingFigures { .. } | ClassifyError::MissingAllocatedShare { .. }
        )
    {
        return None;
    }
    let prev = standing.previous.as_ref()?.placements.get(&d.id)?;
    let since = match &prev.in_force {
        InForce::Continued { since } => *since,
        _ if prev.staircase == Staircase::Area => on,
        _ => return None,
    };
    let rule = agreement.steps.iter().position(|s| {
        s.staircase == prev.staircase && s.step == prev.step && s.period.contains(on)
    });
    let Some(rule) = rule else {
        return Some(Err(ClassifyError::NoStepRule {
            staircase: prev.staircase.as_str(),
            step: prev.step.clone(),
            on,
        }));
    };
    Some(Ok(Placement {
        department: index,
        staircase: prev.staircase,
        step: prev.step.clone(),
        need: prev.need,
        allocated_band: prev.allocated_band.clone(),
        pool_id: prev.pool_id.clone(),
        tightened_criteria: prev.tightened_criteria.clone(),
        step_rule: rule,
        reasons: vec![Reason::ContinuedUntilDepartmentData {
            area_id: d.area_id.clone(),
            since,
            missing: match error {
                ClassifyError::MissingAllocatedShare { .. } => MissingData::AllocatedShare,
                _ => MissingData::Figures,
            },
        }],
        in_force: InForce::Continued { since },
        computed: None,
    }))
}

/// The placements in force where they depend on what stood before: a placement on a
/// held staircase stays as first computed in the period until an approved re-placement
/// [CPH 6.2]; a newly designated prevention area's departments let by the ordinary
/// criteria until the municipality decides [CPH 6.1.5]. The computed placement is kept
/// beside each (the re-placement proposal).
fn stand(
    agreement: &Agreement,
    on: Date,
    standing: &Standing,
    departments: &[Department],
    placements: Vec<Placement>,
) -> Result<Vec<Placement>, Vec<ClassifyError>> {
    let held = agreement.in_force.held();
    let approved_by = match &agreement.in_force {
        crate::agreement::InForceRule::Approved { approved_by, .. } => approved_by.clone(),
        _ => String::new(),
    };
    let awaits = agreement.transitions.prevention_awaits_decision();
    // (area, step) of every area-staircase placement in force before, by the departments'
    // areas now.
    let area_steps_before: std::collections::HashSet<(&str, &str)> = match &standing.previous {
        Some(x) if awaits => departments
            .iter()
            .filter_map(|d| {
                let p = x.placements.get(d.id.as_str())?;
                (p.staircase == Staircase::Area).then_some((d.area_id.as_deref()?, p.step.as_str()))
            })
            .collect(),
        _ => std::collections::HashSet::new(),
    };
    let mut out = Vec::with_capacity(placements.len());
    let mut errors = Vec::new();
    for computed in placements {
        if matches!(computed.in_force, InForce::Continued { .. }) {
            out.push(computed);
            continue;
        }
        let id = departments[computed.department].id.as_str();
        let prev = standing
            .previous
            .as_ref()
            .and_then(|p| p.placements.get(id));
        let step_decision = standing
            .decisions
            .iter()
            .rev()
            .find_map(|x| x.steps.get(id).map(|s| (&x.decision, s)));
        let criteria_decision = standing
            .decisions
            .iter()
            .rev()
            .find_map(|x| x.criteria.get(id).map(|c| (&x.decision, c)));
        if held.contains(&computed.staircase) {
            let (step, in_force, reason, kept) = match (step_decision, prev) {
                (Some((decision, step)), _) => (
                    step.clone(),
                    InForce::Approved {
                        decision: decision.clone(),
                    },
                    Reason::InForceByApproval {
                        decision: decision.clone(),
                        step: step.clone(),
                    },
                    None,
                ),
                (None, Some(p))
                    if p.staircase == computed.staircase
                        && matches!(
                            p.in_force,
                            InForce::Held { .. } | InForce::Approved { .. } | InForce::Computed
                        ) =>
                {
                    // A placement in force as computed (stored before the agreement held
                    // its placements) is the one held from then on.
                    let in_force = match &p.in_force {
                        InForce::Computed => InForce::Held {
                            since: standing.previous.as_ref().map_or(on, |x| x.on),
                        },
                        other => other.clone(),
                    };
                    let reason = match &in_force {
                        InForce::Approved { decision } => Reason::InForceByApproval {
                            decision: decision.clone(),
                            step: p.step.clone(),
                        },
                        InForce::Held { since } => Reason::HeldUntilApproval {
                            since: *since,
                            approved_by: approved_by.clone(),
                        },
                        _ => unreachable!("matched above"),
                    };
                    (p.step.clone(), in_force, reason, Some(p))
                }
                _ => (
                    computed.step.clone(),
                    InForce::Held { since: on },
                    Reason::HeldUntilApproval {
                        since: on,
                        approved_by: approved_by.clone(),
                    },
                    None,
                ),
            };
            let Some(rule) = agreement.steps.iter().position(|s| {
                s.staircase == computed.staircase && s.step == step && s.period.contains(on)
            }) else {
                errors.push(ClassifyError::NoStepRule {
                    staircase: computed.staircase.as_str(),
                    step,
                    on,
                });
                continue;
            };
            // Where the computation gives the step held, it is the placement's own
            // explanation (fresh need and band, its reasons after the held one) and
            // nothing is kept beside it; where it differs, it is kept beside it as the
            // re-placement proposal, with its reasons.
            let same = step == computed.step;
            let placement = if same {
                let mut reasons = Vec::with_capacity(computed.reasons.len() + 1);
                reasons.push(reason);
                reasons.extend(computed.reasons);
                Placement {
                    step,
                    step_rule: rule,
                    reasons,
                    in_force,
                    computed: None,
                    ..computed
                }
            } else {
                Placement {
                    department: computed.department,
                    staircase: computed.staircase,
                    need: kept.and_then(|p| p.need),
                    allocated_band: kept.and_then(|p| p.allocated_band.clone()),
                    pool_id: kept.map_or_else(|| computed.pool_id.clone(), |p| p.pool_id.clone()),
                    tightened_criteria: None,
                    step,
                    step_rule: rule,
                    reasons: vec![reason],
                    in_force,
                    computed: Some(Box::new(computed)),
                }
            };
            out.push(placement);
            continue;
        }
        let prevention =
            computed.staircase == Staircase::Area && computed.tightened_criteria.is_some();
        if awaits && prevention {
            let on_step = |p: &StandingPlacement| {
                p.staircase == computed.staircase && p.step == computed.step
            };
            // "Nyudpeges" is the area's: a department new in the data is newly
            // designated only if no department of its area was on the step before.
            let area_on_step_before = departments[computed.department]
                .area_id
                .as_deref()
                .is_some_and(|a| area_steps_before.contains(&(a, computed.step.as_str())));
            let same_step_before = prev.is_some_and(on_step);
            let decided = match (criteria_decision, prev) {
                (Some((decision, criteria)), _) => Some((
                    InForce::Decided {
                        decision: decision.clone(),
                    },
                    criteria.clone(),
                )),
                (None, Some(p)) if same_step_before => match &p.in_force {
                    InForce::AwaitingDecision { .. } | InForce::Decided { .. } => Some((
                        p.in_force.clone(),
                        p.tightened_criteria.clone().unwrap_or_default(),
                    )),
                    _ => None,
                },
                // Newly designated: the area's departments were not on this step before.
                (None, _) if standing.previous.is_some() && !area_on_step_before => {
                    Some((InForce::AwaitingDecision { since: on }, Vec::new()))
                }
                (None, _) => None,
            };
            if let Some((in_force, criteria)) = decided {
                let proposed = computed.tightened_criteria.clone().unwrap_or_default();
                let reason = match &in_force {
                    InForce::Decided { decision } => Reason::TightenedByDecision {
                        decision: decision.clone(),
                        criteria: criteria.clone(),
                    },
                    InForce::AwaitingDecision { since } => Reason::TightenedAwaitDecision {
                        since: *since,
                        proposed,
                    },
                    _ => unreachable!("built above"),
                };
                let mut p = computed.clone();
                p.tightened_criteria = Some(criteria);
                p.reasons.insert(0, reason);
                p.in_force = in_force;
                p.computed = Some(Box::new(computed));
                out.push(p);
                continue;
            }
        }
        out.push(computed);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Municipality codes compare without leading zeros ("0101" is "101").
fn same_code(a: &str, b: &str) -> bool {
    a.trim_start_matches('0') == b.trim_start_matches('0')
}

/// Builds the pools (official ones from the pools file, else proposed) and maps each
/// small department to its pool.
fn build_pools(
    input: &ClassifyInput<'_>,
    members: &[PoolMember<'_>],
    errors: &mut Vec<ClassifyError>,
) -> (Vec<PoolUsed>, HashMap<usize, usize>) {
    let mut pools = Vec::new();
    let mut pool_of = HashMap::new();
    // Without a small-department rule (a named list) nothing is pooled.
    let Some(rule) = &input.agreement.small_departments else {
        return (pools, pool_of);
    };
    if let Some(official) = input.pools {
        let index: HashMap<&str, usize> = input
            .departments
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), i))
            .collect();
        for p in official {
            let mut homes = 0;
            let mut residents = 0;
            for m in &p.members {
                match index.get(m.as_str()) {
                    Some(&i) => {
                        pool_of.insert(i, pools.len());
                        homes += members[i].homes;
                        residents += members[i].residents;
                    }
                    None => errors.push(ClassifyError::UnknownPoolMember {
                        pool: p.id.clone(),
                        department: m.clone(),
                    }),
                }
            }
            pools.push(PoolUsed {
                id: p.id.clone(),
                members: p.members.clone(),
                homes,
                residents,
                stage: None,
                reaches_threshold: !rule.is_small(homes, residents),
                figures: Some(p.figures),
                figures_source: "official",
            });
        }
        for (i, m) in members.iter().enumerate() {
            if rule.is_small(m.homes, m.residents) && !pool_of.contains_key(&i) {
                errors.push(ClassifyError::NotInAnyPool {
                    department: m.department_id.to_string(),
                    homes: m.homes,
                    residents: m.residents,
                });
            }
        }
        return (pools, pool_of);
    }
    for pool in propose_pools(members, rule) {
        let figures = computed_figures(&pool, members);
        if figures.is_none() {
            errors.push(ClassifyError::PoolWithoutFigures {
                pool: pool.id.clone(),
                members: pool
                    .members
                    .iter()
                    .map(|&i| members[i].department_id)
                    .collect::<Vec<_>>()
                    .join(" "),
            });
        }
        for &i in &pool.members {
            pool_of.insert(i, pools.len());
        }
        pools.push(pool_used(&pool, members, figures));
    }
    (pools, pool_of)
}

fn pool_used(pool: &Pool, members: &[PoolMember<'_>], figures: Option<Figures>) -> PoolUsed {
    PoolUsed {
        id: pool.id.clone(),
        members: pool
            .members
            .iter()
            .map(|&i| members[i].department_id.to_string())
            .collect(),
        homes: pool.homes,
        residents: pool.residents,
        stage: Some(pool.stage),
        reaches_threshold: pool.reaches_threshold,
        figures,
        figures_source: "computed",
    }
}

struct Ctx<'a> {
    agreement: &'a Agreement,
    list: &'a ListThresholds,
    /// `None` only for a named list, which never asks for it.
    risk_zone: Option<&'a RiskZone>,
    areas: &'a HashMap<&'a str, &'a Area>,
    computed: &'a HashMap<String, DesignationResult>,
    decisions: &'a [AreaDecision],
    pools: &'a [PoolUsed],
    pool_of: &'a HashMap<usize, usize>,
}

impl Ctx<'_> {
    /// The risk zone: the staircases and the traffic light have one (the agreement check
    /// requires `[risk_zone]` for them); a named list never asks.
    fn rz(&self) -> Result<&RiskZone, ClassifyError> {
        self.risk_zone
            .ok_or(ClassifyError::MissingTable { table: "risk_zone" })
    }

    fn rz_rule(&self) -> Result<&crate::agreement::RiskZoneRule, ClassifyError> {
        self.agreement
            .risk_zone
            .as_ref()
            .ok_or(ClassifyError::MissingTable { table: "risk_zone" })
    }

    fn small_rule(&self) -> Result<&crate::agreement::SmallDepartmentRule, ClassifyError> {
        self.agreement
            .small_departments
            .as_ref()
            .ok_or(ClassifyError::MissingTable {
                table: "small_departments",
            })
    }

    fn place(
        &self,
        index: usize,
        d: &Department,
        on: Date,
        warnings: &mut Vec<Warning>,
    ) -> Result<Placement, ClassifyError> {
        // A department-staircase placement gives 11 reasons: allocate once.
        let mut reasons = Vec::with_capacity(12);
        if d.family_homes < d.youth_homes.max(d.elderly_homes) {
            reasons.push(Reason::NotMainlyFamilyHomes {
                family_homes: d.family_homes,
                youth_homes: d.youth_homes,
                elderly_homes: d.elderly_homes,
            });
        }
        let area = d
            .area_id
            .as_deref()
            .and_then(|id| self.areas.get(id).copied());
        if self.areas.is_empty() {
            reasons.push(Reason::NoAreaData);
        }
        let designation = area.map(|a| self.effective_designation(a, &mut reasons));

        let mut placement = match &self.agreement.model {
            Model::Staircases {
                area: area_stairs,
                department,
            } => {
                let on_area = area.zip(designation).and_then(|(a, des)| {
                    self.area_step(a, des, area_stairs, &mut reasons, warnings)
                });
                match on_area {
                    Some((a, step, would_be)) => {
                        self.area_placement(index, a, step, would_be, reasons)?
                    }
                    None => self.department_placement(index, d, department, reasons)?,
                }
            }
            Model::TrafficLight(light) => {
                self.traffic_light(index, d, area, designation, light, reasons)?
            }
            Model::NamedList(list) => self.named(index, d, area, designation, list, reasons),
        };
        let rule = self
            .agreement
            .steps
            .iter()
            .position(|s: &StepRule| {
                s.staircase == placement.staircase
                    && s.step == placement.step
                    && s.period.contains(on)
            })
            .ok_or_else(|| ClassifyError::NoStepRule {
                staircase: placement.staircase.as_str(),
                step: placement.step.clone(),
                on,
            })?;
        placement.step_rule = rule;
        Ok(placement)
    }

    /// The official designation where the file carries one, else the computed one.
    fn effective_designation(&self, area: &Area, reasons: &mut Vec<Reason>) -> Designation {
        let computed = self.computed.get(&area.id).map(|r| r.designation);
        match (area.official, computed) {
            (Some(official), Some(computed)) if official != computed => {
                reasons.push(Reason::AreaDesignationDisagrees {
                    area_id: area.id.clone(),
                    official,
                    computed,
                });
                official
            }
            (Some(official), _) => official,
            (None, Some(computed)) => computed,
            (None, None) => Designation::None,
        }
    }

    /// The area-staircase step for a department's area, if it goes there.
    fn area_step<'b>(
        &self,
        area: &'b Area,
        designation: Designation,
        stairs: &AreaStaircase,
        reasons: &mut Vec<Reason>,
        warnings: &mut Vec<Warning>,
    ) -> Option<(&'b Area, String, Designation)> {
        if let Some(step) = stairs.step_for(designation) {
            reasons.push(Reason::AreaDesignated {
                area_id: area.id.clone(),
                designation,
                list_date: self.list.list_date,
                step: step.to_string(),
            });
            return Some((area, step.to_string(), designation));
        }
        // A small area whose figures would qualify it [CPH 6 (1), B17].
        let would_be = self.computed.get(&area.id).map(|r| r.would_be);
        // A decision putting the area on the staircase (not one recording that its
        // development plan is completed, which is about letting).
        let decision = self
            .decisions
            .iter()
            .find(|x| x.area_id == area.id && x.ground != "development_plan_completed");
        let below_law = area.residents < self.list.min_residents;
        let qualifying_step = would_be.and_then(|w| stairs.step_for(w).map(|s| (w, s)));
        match (decision, qualifying_step) {
            (Some(dec), Some((w, step))) if below_law => {
                let over = area.residents > stairs.decision_residents_above.value;
                if over || dec.ground == "temporary_rehousing" {
                    reasons.push(Reason::AreaStaircaseByDecision {
                        area_id: area.id.clone(),
                        residents: area.residents,
                        would_be: w,
                        ground: dec.ground.clone(),
                        decided_by: dec.decided_by.clone(),
                        decided_on: dec.decided_on,
                        step: step.to_string(),
                    });
                    return Some((area, step.to_string(), w));
                }
                warnings.push(Warning::DecisionNotApplied {
                    area_id: area.id.clone(),
                    would_be: Some(w),
                });
                None
            }
            (Some(_), _) => {
                warnings.push(Warning::DecisionNotApplied {
                    area_id: area.id.clone(),
                    would_be,
                });
                None
            }
            (None, Some((w, _)))
                if below_law && area.residents > stairs.decision_residents_above.value =>
            {
                reasons.push(Reason::AreaStaircaseCandidate {
                    area_id: area.id.clone(),
                    residents: area.residents,
                    above: stairs.decision_residents_above.value,
                    would_be: w,
                });
                None
            }
            _ => None,
        }
    }

    fn area_placement(
        &self,
        index: usize,
        area: &Area,
        step: String,
        designation: Designation,
        mut reasons: Vec<Reason>,
    ) -> Result<Placement, ClassifyError> {
        // Area step 1 (forebyggelse): the tightened criteria on which the area is
        // challenged apply [CPH 6.1.2, B4 III fig 4 notes].
        let tightened = if designation == Designation::Forebyggelse {
            match area.figures {
                Some(figures) => Some(self.challenged_criteria(area, &figures, &mut reasons)?),
                None => {
                    reasons.push(Reason::AreaFiguresMissing {
                        area_id: area.id.clone(),
                    });
                    None
                }
            }
        } else {
            None
        };
        Ok(Placement {
            department: index,
            staircase: Staircase::Area,
            step,
            need: None,
            allocated_band: None,
            pool_id: None,
            tightened_criteria: tightened,
            step_rule: 0,
            reasons,
            in_force: InForce::Computed,
            computed: None,
        })
    }

    fn challenged_criteria(
        &self,
        area: &Area,
        figures: &Figures,
        reasons: &mut Vec<Reason>,
    ) -> Result<Vec<Criterion>, ClassifyError> {
        let rz = self.rz_rule()?;
        let margin = rz.persons_margin.value;
        let mut out = Vec::new();
        for check in self.rz()?.thresholds.check(figures) {
            let count = match check.criterion {
                Criterion::Unemployment => area.counts.unemployment,
                Criterion::Convictions => area.counts.convictions,
                Criterion::PrimaryEducation => area.counts.primary_education,
                Criterion::Income => None,
            };
            let persons =
                count.and_then(|c| persons_to_meet(c, self.list.udsat.get(check.criterion)));
            let inclusive = match (check.criterion, &rz.unemployment_persons_margin_inclusive) {
                (Criterion::Unemployment, Some(u)) => u.value,
                _ => rz.persons_margin_inclusive.value,
            };
            let within = |p: u32| if inclusive { p <= margin } else { p < margin };
            let by_persons = persons.is_some_and(within)
                && (check.criterion != Criterion::Income
                    || rz.persons_margin_applies_to_income.value);
            let challenged = check.met || by_persons;
            reasons.push(Reason::AreaChallenged {
                area_id: area.id.clone(),
                criterion: check.criterion,
                value: check.value,
                risk_zone_threshold: check.threshold,
                within_risk_zone: check.met,
                persons_to_udsat: persons,
                persons_margin: margin,
                challenged,
            });
            if challenged {
                out.push(check.criterion);
            }
        }
        Ok(out)
    }

    fn judged_figures(&self, index: usize, d: &Department) -> Result<JudgedFigures, ClassifyError> {
        if let Some(&p) = self.pool_of.get(&index) {
            if let Some(figures) = self.pools[p].figures {
                return Ok(JudgedFigures {
                    figures,
                    pool: Some(p),
                });
            }
        }
        match d.figures {
            Some(figures) => Ok(JudgedFigures {
                figures,
                pool: None,
            }),
            None => Err(ClassifyError::MissingFigures {
                department: d.id.clone(),
                homes: d.homes(),
                residents: d.residents,
            }),
        }
    }

    fn pool_reason(&self, pool: usize) -> Result<Reason, ClassifyError> {
        let p = &self.pools[pool];
        let rule = self.small_rule()?;
        Ok(Reason::PoolFigures {
            pool_id: p.id.clone(),
            homes: p.homes,
            residents: p.residents,
            min_homes: rule.min_homes.value,
            min_residents: rule.min_residents.value,
            members: p.members.len(),
            computed: p.figures_source == "computed",
        })
    }

    fn department_placement(
        &self,
        index: usize,
        d: &Department,
        stairs: &DepartmentStaircase,
        mut reasons: Vec<Reason>,
    ) -> Result<Placement, ClassifyError> {
        let judged = self.judged_figures(index, d)?;
        if let Some(p) = judged.pool {
            reasons.push(self.pool_reason(p)?);
        }
        let share = d
            .allocated_pct
            .ok_or_else(|| ClassifyError::MissingAllocatedShare {
                department: d.id.clone(),
            })?;
        let (need, udsat, risk) = need_level(&judged.figures, &self.list.udsat, self.rz()?, stairs);
        push_checks(&mut reasons, CheckedAgainst::Udsat, &udsat);
        push_checks(&mut reasons, CheckedAgainst::RiskZone, &risk);
        reasons.push(Reason::NeedLevel {
            need,
            udsat_met: count_met(&udsat),
            high_min: stairs.high_min_udsat_criteria.value,
            risk_zone_met: count_met(&risk),
            medium_min: stairs.medium_min_risk_zone_criteria.value,
        });
        let band = stairs
            .band_for(share)
            .ok_or_else(|| ClassifyError::NoBand {
                department: d.id.clone(),
                share,
            })?;
        reasons.push(Reason::AllocatedBand {
            allocated_pct: share,
            band: band.id.clone(),
            from_pct: band.from_pct,
            to_pct: band.to_pct,
        });
        let step = stairs
            .step_for(&band.id, need)
            .expect("the agreement check guarantees a step for every band and need")
            .to_string();
        reasons.push(Reason::StepFromTable {
            need,
            band: band.id.clone(),
            step: step.clone(),
        });
        Ok(Placement {
            department: index,
            staircase: Staircase::Department,
            step,
            need: Some(need),
            allocated_band: Some(band.id.clone()),
            pool_id: judged.pool.map(|p| self.pools[p].id.clone()),
            tightened_criteria: None,
            step_rule: 0,
            reasons,
            in_force: InForce::Computed,
            computed: None,
        })
    }

    /// A named list: the law's designated areas first (when the agreement says so), then
    /// the group naming the department; a department no group names is not covered.
    fn named(
        &self,
        index: usize,
        d: &Department,
        area: Option<&Area>,
        designation: Option<Designation>,
        list: &crate::agreement::NamedList,
        mut reasons: Vec<Reason>,
    ) -> Placement {
        let place = |step: &str, reasons| Placement {
            department: index,
            staircase: Staircase::List,
            step: step.to_string(),
            need: None,
            allocated_band: None,
            pool_id: None,
            tightened_criteria: None,
            step_rule: 0,
            reasons,
            in_force: InForce::Computed,
            computed: None,
        };
        if let (Some(first), Some(a), Some(des)) = (&list.designated, area, designation) {
            if first.designations.contains(&des) {
                reasons.push(Reason::ListDesignatedArea {
                    area_id: a.id.clone(),
                    designation: des,
                    list_date: self.list.list_date,
                    step: first.step.clone(),
                });
                return place(&first.step, reasons);
            }
        }
        match list
            .groups
            .iter()
            .find(|g| g.names(&d.organisation_id, &d.id))
        {
            Some(g) => {
                reasons.push(Reason::NamedInList {
                    organisation: g.organisation.clone(),
                    step: g.step.clone(),
                    all_except: g.all_except.is_some(),
                    source: g.source.clone(),
                });
                place(&g.step, reasons)
            }
            None => {
                reasons.push(Reason::NotNamed {
                    organisation: d.organisation_id.clone(),
                });
                place(crate::agreement::NOT_COVERED, reasons)
            }
        }
    }

    fn traffic_light(
        &self,
        index: usize,
        d: &Department,
        area: Option<&Area>,
        designation: Option<Designation>,
        light: &TrafficLight,
        mut reasons: Vec<Reason>,
    ) -> Result<Placement, ClassifyError> {
        let place = |step: &str, pool: Option<String>, reasons| Placement {
            department: index,
            staircase: Staircase::TrafficLight,
            step: step.to_string(),
            need: None,
            allocated_band: None,
            pool_id: pool,
            tightened_criteria: None,
            step_rule: 0,
            reasons,
            in_force: InForce::Computed,
            computed: None,
        };
        if let (Some(area), Some(des)) = (area, designation) {
            if light.red_designations.value.contains(&des) {
                reasons.push(Reason::RedByDesignation {
                    area_id: area.id.clone(),
                    designation: des,
                    list_date: self.list.list_date,
                });
                return Ok(place("red", None, reasons));
            }
        }
        // Without a pool rule, a department without figures has no computed colour.
        if self.agreement.small_departments.is_none() && d.figures.is_none() {
            reasons.push(Reason::NoFigures);
            return Ok(place(crate::agreement::NO_DATA, None, reasons));
        }
        let judged = self.judged_figures(index, d)?;
        if let Some(p) = judged.pool {
            reasons.push(self.pool_reason(p)?);
        }
        let level = light.yellow_level.value;
        let thresholds = match level {
            crate::agreement::ThresholdLevel::Forebyggelse => &self.list.forebyggelse,
            crate::agreement::ThresholdLevel::RiskZone => &self.rz()?.thresholds,
            crate::agreement::ThresholdLevel::Udsat => &self.list.udsat,
        };
        let checks = thresholds.check(&judged.figures);
        push_checks(&mut reasons, level.into(), &checks);
        let met = count_met(&checks);
        let yellow = met >= light.yellow_min_criteria.value as usize;
        reasons.push(Reason::YellowRule {
            level,
            met,
            min: light.yellow_min_criteria.value,
            yellow,
        });
        let pool = judged.pool.map(|p| self.pools[p].id.clone());
        Ok(place(
            if yellow { "yellow" } else { "green" },
            pool,
            reasons,
        ))
    }
}

/// The need level of figures on the department staircase [CPH 6.2 fig 5, B17]: the udsat
/// thresholds as if the department had more than 1,000 residents, and the risk zone
/// without the persons margin.
pub fn need_level(
    figures: &Figures,
    udsat: &crate::criteria::ThresholdSet,
    risk_zone: &RiskZone,
    stairs: &DepartmentStaircase,
) -> (Need, [CriterionCheck; 4], [CriterionCheck; 4]) {
    let udsat_checks = udsat.check(figures);
    let risk_checks = risk_zone.thresholds.check(figures);
    let need = if count_met(&udsat_checks) >= stairs.high_min_udsat_criteria.value as usize {
        Need::High
    } else if count_met(&risk_checks) >= stairs.medium_min_risk_zone_criteria.value as usize {
        Need::Medium
    } else {
        Need::Low
    };
    (need, udsat_checks, risk_checks)
}

fn push_checks(reasons: &mut Vec<Reason>, against: CheckedAgainst, checks: &[CriterionCheck]) {
    reasons.extend(checks.iter().map(|c| Reason::from_check(against, c)));
}

/// How many more persons in the group would make the share meet the threshold
/// (0 when it is already met). `None` for a "below" threshold, which no added person
/// in the numerator can meet, or an empty group.
pub fn persons_to_meet(count: Count, threshold: Threshold) -> Option<u32> {
    if count.of == 0 {
        return None;
    }
    // Persons at exactly the threshold share: threshold% of the group.
    let at = threshold.value * Pct::from(count.of) / Pct::from(100);
    let gap = at - Pct::from(count.persons);
    let needed = match threshold.comparison {
        Comparison::Above => {
            if gap < Pct::ZERO {
                Pct::ZERO
            } else {
                gap.floor() + Pct::ONE
            }
        }
        Comparison::AtLeast => gap.ceil().max(Pct::ZERO),
        Comparison::Below => return None,
    };
    needed.to_u32()
}

fn receipt(
    input: &ClassifyInput<'_>,
    selection: &crate::law::ListSelection<'_>,
    risk_zone: Option<&RiskZone>,
) -> Receipt {
    let a = input.agreement;
    let list = selection.thresholds;
    let mut parameters = Vec::new();
    let list_valid = format!("list of {}", list.list_date);
    let agreement_valid = format!(
        "{} – {}",
        a.period.from,
        a.period
            .to
            .map_or_else(|| "open".to_string(), |d| d.to_string())
    );
    // Names starting with a law or risk-zone prefix are values of the list; the rest are
    // the agreement's, valid for its period.
    let mut param = |name: &str, value: String, source: &str| {
        let of_list = ["udsat.", "forebyggelse.", "risk_zone.", "law."]
            .iter()
            .any(|p| name.starts_with(p))
            && name != "risk_zone.persons_margin";
        parameters.push(ParameterUsed {
            name: name.to_string(),
            value,
            source: source.to_string(),
            valid_for: if of_list {
                list_valid.clone()
            } else {
                agreement_valid.clone()
            },
        })
    };
    let fmt = |t: Threshold| format!("{} {}", t.comparison.symbol(), t.value);
    let mut sets = vec![
        ("udsat", &list.udsat, list.source.as_str()),
        ("forebyggelse", &list.forebyggelse, list.source.as_str()),
    ];
    if let Some(rz) = risk_zone {
        sets.push(("risk_zone", &rz.thresholds, rz.source.as_str()));
    }
    for (prefix, set, source) in sets {
        for c in Criterion::ALL {
            param(&format!("{prefix}.{}", c.as_str()), fmt(set.get(c)), source);
        }
    }
    param(
        "law.min_residents",
        list.min_residents.to_string(),
        &list.source,
    );
    param(
        "law.min_criteria",
        list.min_criteria.to_string(),
        &list.source,
    );
    if let Some(rz) = &a.risk_zone {
        param(
            "risk_zone.persons_margin",
            rz.persons_margin.value.to_string(),
            &rz.persons_margin.source,
        );
        param(
            "risk_zone.persons_margin_counts",
            if rz.persons_margin_inclusive.value {
                "at_most".to_string()
            } else {
                "fewer_than".to_string()
            },
            &rz.persons_margin_inclusive.source,
        );
    }
    if let Some(sd) = &a.small_departments {
        param(
            "small_departments.min_homes",
            sd.min_homes.value.to_string(),
            &sd.min_homes.source,
        );
        param(
            "small_departments.min_residents",
            sd.min_residents.value.to_string(),
            &sd.min_residents.source,
        );
    }
    match &a.model {
        Model::Staircases { area, department } => {
            param(
                "area_staircase.decision_residents_above",
                area.decision_residents_above.value.to_string(),
                &area.decision_residents_above.source,
            );
            for b in &department.bands {
                let to = b.to_pct.map_or_else(|| "∞".to_string(), |t| t.to_string());
                param(
                    &format!("allocated_band.{}", b.id),
                    format!("[{}, {})", b.from_pct, to),
                    &b.source,
                );
            }
            for c in &department.table {
                param(
                    &format!("step_table.{}.{}", c.band, c.need.as_str()),
                    c.step.clone(),
                    &department.table_source,
                );
            }
        }
        Model::TrafficLight(light) => {
            param(
                "traffic_light.red_designations",
                light
                    .red_designations
                    .value
                    .iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                &light.red_designations.source,
            );
            param(
                "traffic_light.yellow_level",
                light.yellow_level.value.as_str().to_string(),
                &light.yellow_level.source,
            );
            param(
                "traffic_light.yellow_min_criteria",
                light.yellow_min_criteria.value.to_string(),
                &light.yellow_min_criteria.source,
            );
        }
        Model::NamedList(list) => {
            for g in &list.groups {
                let named = match &g.all_except {
                    Some(except) if except.is_empty() => "all".to_string(),
                    Some(except) => format!("all except {}", except.join(",")),
                    None => g.departments.join(","),
                };
                param(
                    &format!("named_list.{}.{}", g.organisation, g.step),
                    named,
                    &g.source,
                );
            }
            if let Some(first) = &list.designated {
                param(
                    "named_list.designated",
                    first
                        .designations
                        .iter()
                        .map(|d| d.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    &first.source,
                );
            }
        }
    }
    Receipt {
        agreement: a.id.clone(),
        agreement_sha256: a.content_sha256.clone(),
        law: input.law.id.clone(),
        placement_date: input.on,
        data_reference_date: input.data_reference_date.unwrap_or(input.on),
        list_in_force: selection.list_in_force,
        thresholds_from_list: selection.values_from_list,
        thresholds_fallback: selection.fallback,
        parameters,
        program_version: input.program_version.to_string(),
    }
}
