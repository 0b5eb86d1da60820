//! Reading back: the run in force on a date, a department's history, the changes
//! between two dates and the overview of one date.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use trappe_rules::agreement::Staircase;
use trappe_rules::placement::Department;
use trappe_rules::{Criterion, Date, Designation};

use crate::db::{Conn, Value};
use crate::import::{department_from_row, inputs_on, Inputs, DEPARTMENT_SELECT};
use crate::live::{RUN_LIVE, SNAPSHOT_LIVE};
use crate::{Store, StoreError};

/// A stored placement run.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub id: i64,
    /// The municipality the run placed (`*`: every one under one agreement).
    pub municipality: String,
    pub on_date: Date,
    pub inputs: Inputs,
    pub agreement_sha256: String,
    pub program_version: String,
    pub any_municipality: bool,
    pub receipt: serde_json::Value,
}

const RUN_SELECT: &str = "SELECT r.id, r.on_date, r.departments_snapshot_id, d.reference_date, r.areas_snapshot_id, a.reference_date, r.pools_snapshot_id, p.reference_date, r.decisions_snapshot_id, x.reference_date, r.agreement_sha256, r.program_version, r.any_municipality, r.receipt, r.overview_snapshot_id, o.reference_date, r.municipality FROM placement_run r JOIN snapshot d ON d.id = r.departments_snapshot_id LEFT JOIN snapshot a ON a.id = r.areas_snapshot_id LEFT JOIN snapshot p ON p.id = r.pools_snapshot_id LEFT JOIN snapshot x ON x.id = r.decisions_snapshot_id LEFT JOIN snapshot o ON o.id = r.overview_snapshot_id";

fn run_from_row(r: &crate::Row) -> Result<RunInfo, StoreError> {
    let pair = |i: usize| -> Result<Option<(i64, Date)>, StoreError> {
        Ok(match (r.opt_int(i)?, r.opt_date(i + 1)?) {
            (Some(id), Some(d)) => Some((id, d)),
            _ => None,
        })
    };
    Ok(RunInfo {
        id: r.int(0)?,
        municipality: r.text(16)?,
        on_date: r.date(1)?,
        inputs: Inputs {
            departments: pair(2)?,
            areas: pair(4)?,
            pools: pair(6)?,
            decisions: pair(8)?,
            overview: pair(14)?,
        },
        agreement_sha256: r.text(10)?,
        program_version: r.text(11)?,
        any_municipality: r.int(12)? != 0,
        receipt: serde_json::from_str(&r.text(13)?)
            .map_err(|e| StoreError::Corrupt(format!("receipt: {e}")))?,
    })
}

/// The run in force on a date: the newest run of the newest run date on or before it.
pub(crate) fn current_run_on_or_before(
    c: &mut Conn,
    municipality: &str,
    on: Date,
) -> Result<Option<RunInfo>, StoreError> {
    c.query_opt(
        &format!("{RUN_SELECT} WHERE r.municipality = $1 AND r.on_date <= $2 AND {RUN_LIVE} ORDER BY r.on_date DESC, r.id DESC LIMIT 1"),
        &[municipality.into(), on.into()],
    )?
    .map(|r| run_from_row(&r))
    .transpose()
}

/// The runs in force on a date, one per municipality that has one, in the
/// municipalities' order.
pub(crate) fn runs_in_force(c: &mut Conn, on: Date) -> Result<Vec<RunInfo>, StoreError> {
    let mut out = Vec::new();
    for m in crate::import::municipalities(c)? {
        if let Some(r) = current_run_on_or_before(c, &m, on)? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Every run date of a municipality with its current run, oldest first.
fn current_runs(c: &mut Conn, municipality: &str) -> Result<Vec<RunInfo>, StoreError> {
    let all = c.query(
        &format!("{RUN_SELECT} WHERE r.municipality = $1 AND {RUN_LIVE} ORDER BY r.on_date, r.id"),
        &[municipality.into()],
    )?;
    let mut out: Vec<RunInfo> = Vec::new();
    for r in &all {
        let run = run_from_row(r)?;
        match out.last_mut() {
            Some(last) if last.on_date == run.on_date => *last = run,
            _ => out.push(run),
        }
    }
    Ok(out)
}

pub(crate) fn load_departments(c: &mut Conn, snapshot: i64) -> Result<Vec<Department>, StoreError> {
    c.query(
        &format!(
            "SELECT {DEPARTMENT_SELECT} FROM department_figures WHERE snapshot_id = $1 ORDER BY position"
        ),
        &[Value::Int(snapshot)],
    )?
    .iter()
    .map(department_from_row)
    .collect()
}

/// The placement of one department in one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredPlacement {
    /// The placement in force (what letting uses).
    pub staircase: Staircase,
    pub step: String,
    pub need: Option<String>,
    pub allocated_band: Option<String>,
    pub pool_id: Option<String>,
    /// On what basis it is in force (`trappe_rules::placement::InForce`): `computed`,
    /// `provisional` (computed, until the municipality's first overview), `overview`,
    /// `not_in_overview`, `held` (until an approved re-placement), `approved`, `continued`
    /// (the area left the lists), `awaiting_decision` or `decided` (a newly designated
    /// prevention area's criteria).
    pub basis: String,
    /// The computed placement beside it, where another one is in force (an estimate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub computed: Option<ComputedStep>,
}

/// The computed placement where the agreement puts another in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComputedStep {
    pub staircase: Staircase,
    pub step: String,
}

impl StoredPlacement {
    /// Whether the computed placement differs from the one in force.
    pub fn differs_from_computed(&self) -> bool {
        self.computed
            .as_ref()
            .is_some_and(|c| c.staircase != self.staircase || c.step != self.step)
    }
}

/// The columns [`stored_placement`] reads, from `placement`.
const PLACEMENT_COLUMNS: &str =
    "staircase, step, need, allocated_band, pool_id, basis, computed_step";
/// [`PLACEMENT_COLUMNS`] of `placement p`.
pub(crate) const PLACEMENT_COLUMNS_P: &str =
    "p.staircase, p.step, p.need, p.allocated_band, p.pool_id, p.basis, p.computed_step";

/// A placement from [`PLACEMENT_COLUMNS`] starting at column `i`.
pub(crate) fn stored_placement(r: &crate::Row, i: usize) -> Result<StoredPlacement, StoreError> {
    let staircase: Staircase = r.code(i)?;
    Ok(StoredPlacement {
        staircase,
        step: r.text(i + 1)?,
        need: r.opt_text(i + 2)?,
        allocated_band: r.opt_text(i + 3)?,
        pool_id: r.opt_text(i + 4)?,
        basis: r.text(i + 5)?,
        computed: r
            .opt_text(i + 6)?
            .map(|step| ComputedStep { staircase, step }),
    })
}

pub(crate) fn placements(
    c: &mut Conn,
    run: i64,
) -> Result<HashMap<String, StoredPlacement>, StoreError> {
    c.query(
        &format!("SELECT department_id, {PLACEMENT_COLUMNS} FROM placement WHERE run_id = $1"),
        &[Value::Int(run)],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, stored_placement(r, 1)?)))
    .collect()
}

/// A stored placement's reasons: of the placement in force, or (`computed`) of the
/// computed one beside it (the same where none is beside it).
fn detail(
    c: &mut Conn,
    run: i64,
    department: &str,
    computed: bool,
) -> Result<Vec<ReasonView>, StoreError> {
    let Some(row) = c.query_opt(
        "SELECT detail FROM placement WHERE run_id = $1 AND department_id = $2",
        &[Value::Int(run), department.into()],
    )?
    else {
        return Ok(Vec::new());
    };
    #[derive(Deserialize)]
    struct Inner {
        reasons: Vec<ReasonView>,
    }
    #[derive(Deserialize)]
    struct Detail {
        reasons: Vec<ReasonView>,
        computed: Option<Inner>,
    }
    let d: Detail = serde_json::from_str(&row.text(0)?)
        .map_err(|e| StoreError::Corrupt(format!("placement detail: {e}")))?;
    Ok(match (computed, d.computed) {
        (true, Some(inner)) => inner.reasons,
        _ => d.reasons,
    })
}

/// Why a held placement's computed step differs from it: the need and the allocated
/// share's band it was held with against the computed ones (from a stored detail).
pub(crate) fn why_held(detail: &serde_json::Value) -> Vec<Why> {
    let Some(computed) = detail.get("computed") else {
        return Vec::new();
    };
    let text =
        |v: &serde_json::Value, key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_string);
    let mut out = Vec::new();
    let (nb, na) = (text(detail, "need"), text(computed, "need"));
    if nb != na {
        out.push(Why::Need {
            before: nb,
            after: na,
        });
    }
    let (bb, ba) = (
        text(detail, "allocated_band"),
        text(computed, "allocated_band"),
    );
    if bb != ba {
        let share = |v: &serde_json::Value| {
            v.get("reasons")
                .and_then(|r| r.as_array())
                .and_then(|rs| rs.iter().find(|r| r["code"] == "allocated_band"))
                .and_then(|r| r.get("allocated_pct"))
                .and_then(|p| {
                    p.as_str()
                        .and_then(|s| s.parse().ok())
                        .or_else(|| p.as_number().cloned())
                })
        };
        out.push(Why::AllocatedBand {
            before: bb,
            after: ba,
            allocated_before: share(detail),
            allocated_after: share(computed),
        });
    }
    out
}

/// The parts of a stored reason that explain a move.
#[derive(Debug, Clone, Deserialize)]
struct ReasonView {
    code: String,
    against: Option<String>,
    criterion: Option<Criterion>,
    value: Option<serde_json::Number>,
    threshold: Option<serde_json::Number>,
    /// A criterion's `met` (a boolean); other reasons use the name for a count (the
    /// traffic light's `yellow_rule`), which is not this.
    #[serde(default, deserialize_with = "only_bool")]
    met: Option<bool>,
    designation: Option<Designation>,
    band: Option<String>,
    allocated_pct: Option<serde_json::Number>,
    need: Option<String>,
    as_of: Option<Date>,
    since: Option<Date>,
    decision: Option<trappe_rules::placement::DecisionRef>,
    criteria: Option<Vec<Criterion>>,
}

fn only_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(serde_json::Value::deserialize(d)?.as_bool())
}

/// One department that moved between two runs.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub department_id: String,
    pub name: String,
    pub before: Option<StoredPlacement>,
    pub after: Option<StoredPlacement>,
    pub why: Vec<Why>,
    /// Whether the placement in force moved. `false`: only the computed placement moved
    /// (`before`/`after` hold it beside an unchanged placement in force, e.g. one held
    /// until an approved re-placement): a proposal, not in force.
    pub in_force: bool,
}

impl Change {
    /// The step that moved, before and after: the placement in force, or the computed one
    /// where only it moved.
    pub fn moved(&self) -> (Option<ComputedStep>, Option<ComputedStep>) {
        let pick = |p: &Option<StoredPlacement>| {
            p.as_ref().map(|p| match (&p.computed, self.in_force) {
                (Some(c), false) => c.clone(),
                _ => ComputedStep {
                    staircase: p.staircase,
                    step: p.step.clone(),
                },
            })
        };
        (pick(&self.before), pick(&self.after))
    }
}

/// What changed underneath a move.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Why {
    /// A criterion went from met to not met (or back) against a set of thresholds.
    Criterion {
        criterion: Criterion,
        against: String,
        before: Option<serde_json::Number>,
        after: Option<serde_json::Number>,
        threshold: Option<serde_json::Number>,
        met_now: bool,
    },
    Designation {
        before: Option<Designation>,
        after: Option<Designation>,
    },
    AllocatedBand {
        before: Option<String>,
        after: Option<String>,
        allocated_before: Option<serde_json::Number>,
        allocated_after: Option<serde_json::Number>,
    },
    Need {
        before: Option<String>,
        after: Option<String>,
    },
    NewDepartment,
    DepartmentGone,
    /// The municipality's overview of this date gives the department its colour.
    Overview {
        as_of: Date,
    },
    /// The municipality's overview of this date omits the department.
    OmittedFromOverview {
        as_of: Date,
    },
    /// A recorded approval re-placed the department.
    Approved {
        decision: trappe_rules::placement::DecisionRef,
    },
    /// The area left the lists; the letting of before continues until department data.
    Continued {
        since: Date,
    },
    /// The municipality decided the tightened criteria of a newly designated prevention
    /// area (empty: the ordinary ones).
    CriteriaDecided {
        decision: trappe_rules::placement::DecisionRef,
        criteria: Vec<Criterion>,
    },
    /// A newly designated prevention area: the ordinary criteria until the municipality
    /// decides.
    AwaitingCriteria {
        since: Date,
    },
}

fn why(before: &[ReasonView], after: &[ReasonView]) -> Vec<Why> {
    // A placement the municipality's overview puts in force moved because of it.
    if let Some(r) = after.first() {
        if let Some(as_of) = r.as_of {
            match r.code.as_str() {
                "in_force_by_overview" => return vec![Why::Overview { as_of }],
                "omitted_from_overview" => return vec![Why::OmittedFromOverview { as_of }],
                _ => {}
            }
        }
        if let (Some(decision), "in_force_by_approval") = (&r.decision, r.code.as_str()) {
            return vec![Why::Approved {
                decision: decision.clone(),
            }];
        }
        if let (Some(since), "continued_until_department_data") = (r.since, r.code.as_str()) {
            return vec![Why::Continued { since }];
        }
        if let (Some(decision), "tightened_by_decision") = (&r.decision, r.code.as_str()) {
            return vec![Why::CriteriaDecided {
                decision: decision.clone(),
                criteria: r.criteria.clone().unwrap_or_default(),
            }];
        }
        if let (Some(since), "tightened_await_decision") = (r.since, r.code.as_str()) {
            return vec![Why::AwaitingCriteria { since }];
        }
    }
    let mut out = Vec::new();
    let key = |r: &ReasonView| (r.against.clone(), r.criterion);
    let old: HashMap<_, &ReasonView> = before
        .iter()
        .filter(|r| r.code == "criterion")
        .map(|r| (key(r), r))
        .collect();
    for r in after.iter().filter(|r| r.code == "criterion") {
        let prev = old.get(&key(r));
        let met_before = prev.and_then(|p| p.met);
        if r.met != met_before {
            if let Some(criterion) = r.criterion {
                out.push(Why::Criterion {
                    criterion,
                    against: r.against.clone().unwrap_or_default(),
                    before: prev.and_then(|p| p.value.clone()),
                    after: r.value.clone(),
                    threshold: r.threshold.clone(),
                    met_now: r.met.unwrap_or(false),
                });
            }
        }
    }
    let first = |rs: &[ReasonView], code: &str| -> Option<ReasonView> {
        rs.iter().find(|r| r.code == code).cloned()
    };
    let des = |rs: &[ReasonView]| {
        first(rs, "area_designated")
            .or_else(|| first(rs, "red_by_designation"))
            .and_then(|r| r.designation)
    };
    if des(before) != des(after) {
        out.push(Why::Designation {
            before: des(before),
            after: des(after),
        });
    }
    // The allocated share and the need only explain a move within the department
    // staircase; a move onto or off it is explained by the designation above.
    let (b, a) = (
        first(before, "allocated_band"),
        first(after, "allocated_band"),
    );
    if let (Some(b), Some(a)) = (b, a) {
        if b.band != a.band {
            out.push(Why::AllocatedBand {
                before: b.band,
                after: a.band,
                allocated_before: b.allocated_pct,
                allocated_after: a.allocated_pct,
            });
        }
    }
    let (b, a) = (
        first(before, "need_level").and_then(|r| r.need),
        first(after, "need_level").and_then(|r| r.need),
    );
    if b.is_some() && a.is_some() && b != a {
        out.push(Why::Need {
            before: b,
            after: a,
        });
    }
    out
}

/// The departments whose placement differs between two runs, with why.
pub(crate) fn diff_runs(c: &mut Conn, from: i64, to: i64) -> Result<Vec<Change>, StoreError> {
    let old = placements(c, from)?;
    let new = placements(c, to)?;
    let names = run_names(c, to)?;
    let mut ids: Vec<&String> = old.keys().chain(new.keys()).collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let (b, a) = (old.get(id), new.get(id));
        let moved = match (b, a) {
            (Some(b), Some(a)) => b.staircase != a.staircase || b.step != a.step,
            _ => true,
        };
        // Where the placement in force stayed (held until approved), a move of the
        // computed placement beside it is listed as a proposal.
        let computed_moved = match (b, a) {
            (Some(b), Some(a)) if !moved => {
                let step = |p: &StoredPlacement| {
                    p.computed
                        .as_ref()
                        .map_or_else(|| p.step.clone(), |c| c.step.clone())
                };
                step(b) != step(a)
            }
            _ => false,
        };
        // A decision on a newly designated prevention area's criteria changes the letting
        // on the same step.
        let criteria_decided = match (b, a) {
            (Some(b), Some(a)) if !moved => {
                let decides = |p: &StoredPlacement| {
                    matches!(p.basis.as_str(), "awaiting_decision" | "decided")
                };
                b.basis != a.basis && (decides(b) || decides(a))
            }
            _ => false,
        };
        let computed_moved = computed_moved && !criteria_decided;
        if !moved && !computed_moved && !criteria_decided {
            continue;
        }
        let why = match (b, a) {
            (None, _) => vec![Why::NewDepartment],
            (_, None) => vec![Why::DepartmentGone],
            _ => {
                let before = detail(c, from, id, computed_moved)?;
                let after = detail(c, to, id, computed_moved)?;
                why(&before, &after)
            }
        };
        out.push(Change {
            department_id: id.clone(),
            name: names.get(id.as_str()).cloned().unwrap_or_default(),
            before: b.cloned(),
            after: a.cloned(),
            why,
            in_force: moved || criteria_decided,
        });
    }
    Ok(out)
}

fn run_names(c: &mut Conn, run: i64) -> Result<HashMap<String, String>, StoreError> {
    Ok(c
        .query(
            "SELECT f.department_id, f.name FROM department_figures f JOIN placement_run r ON r.departments_snapshot_id = f.snapshot_id WHERE r.id = $1",
            &[Value::Int(run)],
        )?
        .iter()
        .filter_map(|r| Some((r.text(0).ok()?, r.text(1).ok()?)))
        .collect())
}

/// One line of a department's history: the run in force from `on_date`.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub on_date: Date,
    pub figures_date: Date,
    pub list_date: Option<Date>,
    pub department: Department,
    pub placement: Option<StoredPlacement>,
    pub run_id: i64,
}

/// What changed between the runs in force on two dates.
#[derive(Debug, Clone, Serialize)]
pub struct ChangesReport {
    pub from: Option<(i64, Date)>,
    pub to: Option<(i64, Date)>,
    pub changes: Vec<Change>,
}

/// One department in the overview of a date.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewRow {
    /// The municipality whose data and agreement place the department.
    pub municipality: String,
    pub department: Department,
    pub placement: StoredPlacement,
}

/// The overview in force on a date.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The first municipality's run (see `parts` for every municipality's).
    pub run_id: i64,
    /// The newest of the municipalities' run dates, figures dates, list dates and
    /// overview dates.
    pub on_date: Date,
    pub figures_date: Date,
    pub list_date: Option<Date>,
    /// The municipality's overview in force (its date), where the agreement uses one.
    pub overview_date: Option<Date>,
    /// Each municipality's run in force, with its dates and agreement.
    pub parts: Vec<OverviewPart>,
    pub agreement: String,
    pub rows: Vec<OverviewRow>,
}

/// The municipality's overview in force on a date and what it changed against the one
/// before it.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewUpdate {
    pub municipality: String,
    /// The date of the update in force.
    pub as_of: Date,
    /// The date of the update before it, if any.
    pub previous: Option<Date>,
    /// Departments whose colour differs between the two (`None`: not in that update).
    pub changes: Vec<ColourChange>,
}

/// One department's colour in two updates of the municipality's overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColourChange {
    pub department_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The runs, dates and agreements of some of an overview's municipalities.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewSummary {
    /// The first municipality's run.
    pub run_id: i64,
    /// The newest of the municipalities' run dates, figures dates, list dates and
    /// overview dates.
    pub on_date: Date,
    pub figures_date: Date,
    pub list_date: Option<Date>,
    pub overview_date: Option<Date>,
    /// Their agreements, in order, each once.
    pub agreement: String,
    pub parts: Vec<OverviewPart>,
}

impl OverviewSummary {
    /// The summary of `parts` (none: the dates of `fallback`).
    fn of(parts: Vec<OverviewPart>, fallback: &OverviewSummary) -> OverviewSummary {
        if parts.is_empty() {
            return OverviewSummary {
                parts,
                ..fallback.clone()
            };
        }
        let mut agreements: Vec<&str> = parts.iter().map(|p| p.agreement.as_str()).collect();
        agreements.dedup();
        OverviewSummary {
            run_id: parts[0].run_id,
            on_date: parts
                .iter()
                .map(|p| p.on_date)
                .max()
                .unwrap_or(fallback.on_date),
            figures_date: parts
                .iter()
                .map(|p| p.figures_date)
                .max()
                .unwrap_or(fallback.figures_date),
            list_date: parts.iter().filter_map(|p| p.list_date).max(),
            overview_date: parts.iter().filter_map(|p| p.overview_date).max(),
            agreement: agreements.join(", "),
            parts,
        }
    }
}

impl Overview {
    /// The runs, dates and agreements of the municipalities `keep` accepts (of every
    /// municipality where it accepts none).
    pub fn summary(&self, keep: impl Fn(&str) -> bool) -> OverviewSummary {
        let all = OverviewSummary {
            run_id: self.run_id,
            on_date: self.on_date,
            figures_date: self.figures_date,
            list_date: self.list_date,
            overview_date: self.overview_date,
            agreement: self.agreement.clone(),
            parts: self.parts.clone(),
        };
        let kept: Vec<OverviewPart> = self
            .parts
            .iter()
            .filter(|p| keep(&p.municipality))
            .cloned()
            .collect();
        OverviewSummary::of(kept, &all)
    }
}

/// One municipality's part of an overview.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewPart {
    pub municipality: String,
    pub run_id: i64,
    pub on_date: Date,
    pub figures_date: Date,
    pub list_date: Option<Date>,
    pub overview_date: Option<Date>,
    pub agreement: String,
}

/// One audit log entry.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: serde_json::Value,
}

/// A snapshot held.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub id: i64,
    pub kind: String,
    /// The municipality it is for (`*`: every one under one agreement).
    pub municipality: String,
    pub reference_date: Date,
    pub file_name: String,
    pub rows: i64,
    pub imported_at: chrono::DateTime<chrono::Utc>,
    pub imported_by: String,
    /// Set when the municipality withdrew it: it is no input any more.
    pub withdrawn: Option<WithdrawalInfo>,
}

/// Who withdrew a snapshot, when and why.
#[derive(Debug, Clone, Serialize)]
pub struct WithdrawalInfo {
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
    pub reason: String,
}

impl Store {
    /// A department's figures and placement on every run date, oldest first.
    pub fn history(&mut self, department: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        let municipality = self.municipality_of(department)?;
        let runs = match &municipality {
            Some(m) => current_runs(&mut self.conn, m)?,
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for run in runs {
            let Some((snapshot, figures_date)) = run.inputs.departments else {
                continue;
            };
            let Some(row) = self.conn.query_opt(
                &format!("SELECT {DEPARTMENT_SELECT} FROM department_figures WHERE snapshot_id = $1 AND department_id = $2"),
                &[Value::Int(snapshot), department.into()],
            )?
            else {
                continue;
            };
            let placement = self
                .conn
                .query_opt(
                    &format!("SELECT {PLACEMENT_COLUMNS} FROM placement WHERE run_id = $1 AND department_id = $2"),
                    &[Value::Int(run.id), department.into()],
                )?
                .map(|r| stored_placement(&r, 0))
                .transpose()?;
            out.push(HistoryEntry {
                on_date: run.on_date,
                figures_date,
                list_date: run.inputs.areas.map(|(_, d)| d),
                department: department_from_row(&row)?,
                placement,
                run_id: run.id,
            });
        }
        if out.is_empty() {
            let known = self.conn.query_opt(
                &format!("SELECT 1 FROM department_figures f JOIN snapshot s ON s.id = f.snapshot_id WHERE f.department_id = $1 AND {} LIMIT 1", SNAPSHOT_LIVE),
                &[department.into()],
            )?;
            if known.is_none() {
                return Err(StoreError::NotFound(format!(
                    "department {department} is in no imported snapshot"
                )));
            }
        }
        Ok(out)
    }

    /// What moved between the runs in force on `from` and on `to`.
    pub fn changes(&mut self, from: Date, to: Date) -> Result<ChangesReport, StoreError> {
        if from > to {
            return Err(StoreError::Invalid(format!(
                "--from {from} is after --to {to}"
            )));
        }
        // Each municipality's runs in force on the two dates, compared.
        let mut first: Option<(i64, Date)> = None;
        let mut last: Option<(i64, Date)> = None;
        let mut changes = Vec::new();
        for m in crate::import::municipalities(&mut self.conn)? {
            let a = current_run_on_or_before(&mut self.conn, &m, from)?;
            let b = current_run_on_or_before(&mut self.conn, &m, to)?;
            if let (Some(a), Some(b)) = (&a, &b) {
                if a.id != b.id {
                    changes.extend(diff_runs(&mut self.conn, a.id, b.id)?);
                }
            }
            first = first.or(a.map(|r| (r.id, r.on_date)));
            last = last.or(b.map(|r| (r.id, r.on_date)));
        }
        changes.sort_by(|x, y| x.department_id.cmp(&y.department_id));
        Ok(ChangesReport {
            from: first,
            to: last,
            changes,
        })
    }

    /// What one run changed against the run before it: the run it replaced on the
    /// same date, else the newest run of an earlier date.
    pub fn changes_of_run(&mut self, run: i64) -> Result<ChangesReport, StoreError> {
        let to = self
            .conn
            .query_opt(&format!("{RUN_SELECT} WHERE r.id = $1"), &[Value::Int(run)])?
            .map(|r| run_from_row(&r))
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("there is no placement run {run}")))?;
        let from = self
            .conn
            .query_opt(
                &format!("{RUN_SELECT} WHERE r.municipality = $1 AND (r.on_date < $2 OR (r.on_date = $3 AND r.id < $4)) AND {RUN_LIVE} ORDER BY r.on_date DESC, r.id DESC LIMIT 1"),
                &[to.municipality.clone().into(), to.on_date.into(), to.on_date.into(), Value::Int(run)],
            )?
            .map(|r| run_from_row(&r))
            .transpose()?;
        let changes = match &from {
            Some(f) => diff_runs(&mut self.conn, f.id, to.id)?,
            None => Vec::new(),
        };
        Ok(ChangesReport {
            from: from.map(|r| (r.id, r.on_date)),
            to: Some((to.id, to.on_date)),
            changes,
        })
    }

    /// Every department's placement in force on a date.
    /// The id of the placement run in force on a date (a cheap key for caches: a run never
    /// changes once stored).
    /// A municipality's run in force on a date.
    pub fn run_in_force(
        &mut self,
        municipality: &str,
        on: Date,
    ) -> Result<Option<i64>, StoreError> {
        Ok(current_run_on_or_before(&mut self.conn, municipality, on)?.map(|r| r.id))
    }

    /// Every municipality's run in force on a date (a cheap key for caches).
    pub fn runs_in_force(&mut self, on: Date) -> Result<Vec<i64>, StoreError> {
        Ok(runs_in_force(&mut self.conn, on)?
            .into_iter()
            .map(|r| r.id)
            .collect())
    }

    pub fn overview(&mut self, on: Date) -> Result<Overview, StoreError> {
        let runs = runs_in_force(&mut self.conn, on)?;
        if runs.is_empty() {
            return Err(StoreError::NotFound(format!(
                "no placement is in force on {on}: import a departments file dated on or before it"
            )));
        }
        let mut rows = Vec::new();
        let mut parts = Vec::new();
        for run in &runs {
            let (snapshot, figures_date) = run
                .inputs
                .departments
                .ok_or_else(|| StoreError::Corrupt("a run without departments".into()))?;
            let deps = load_departments(&mut self.conn, snapshot)?;
            let mut placed = placements(&mut self.conn, run.id)?;
            rows.extend(deps.into_iter().filter_map(|d| {
                let placement = placed.remove(&d.id)?;
                Some(OverviewRow {
                    municipality: run.municipality.clone(),
                    department: d,
                    placement,
                })
            }));
            parts.push(OverviewPart {
                municipality: run.municipality.clone(),
                run_id: run.id,
                on_date: run.on_date,
                figures_date,
                list_date: run.inputs.areas.map(|(_, d)| d),
                overview_date: run.inputs.overview.map(|(_, d)| d),
                agreement: run.receipt["agreement"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            });
        }
        if parts.len() > 1 {
            rows.sort_by(|a, b| a.department.id.cmp(&b.department.id));
        }
        let empty = OverviewSummary {
            run_id: 0,
            on_date: on,
            figures_date: on,
            list_date: None,
            overview_date: None,
            agreement: String::new(),
            parts: Vec::new(),
        };
        let s = OverviewSummary::of(parts, &empty);
        Ok(Overview {
            run_id: s.run_id,
            on_date: s.on_date,
            figures_date: s.figures_date,
            list_date: s.list_date,
            overview_date: s.overview_date,
            agreement: s.agreement,
            parts: s.parts,
            rows,
        })
    }

    /// Each municipality's overview in force on `on` (the newest update on or before it,
    /// not withdrawn) and what it changed against the update before it; municipalities
    /// without an overview are left out.
    pub fn overview_updates(&mut self, on: Date) -> Result<Vec<OverviewUpdate>, StoreError> {
        let mut out = Vec::new();
        for m in crate::import::municipalities(&mut self.conn)? {
            if let Some(u) = self.overview_update(&m, on)? {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// A municipality's overview in force on `on` and what changed since the update
    /// before it; `None` before its first.
    pub fn overview_update(
        &mut self,
        municipality: &str,
        on: Date,
    ) -> Result<Option<OverviewUpdate>, StoreError> {
        let updates = self.conn.query(
            &format!("SELECT s.id, s.reference_date FROM snapshot s WHERE s.kind = 'overview' AND s.municipality = $1 AND s.reference_date <= $2 AND {} ORDER BY s.reference_date DESC LIMIT 2", SNAPSHOT_LIVE),
            &[municipality.into(), on.into()],
        )?;
        let Some(latest) = updates.first() else {
            return Ok(None);
        };
        let colours = |c: &mut Conn, id: i64| -> Result<HashMap<String, String>, StoreError> {
            c.query(
                "SELECT department_id, step FROM overview_row WHERE snapshot_id = $1",
                &[Value::Int(id)],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?)))
            .collect()
        };
        let now = colours(&mut self.conn, latest.int(0)?)?;
        let (previous, changes) = match updates.get(1) {
            Some(p) => {
                let before = colours(&mut self.conn, p.int(0)?)?;
                let mut ids: Vec<&String> = before.keys().chain(now.keys()).collect();
                ids.sort();
                ids.dedup();
                let changes = ids
                    .into_iter()
                    .filter(|id| before.get(*id) != now.get(*id))
                    .map(|id| ColourChange {
                        department_id: id.clone(),
                        before: before.get(id).cloned(),
                        after: now.get(id).cloned(),
                    })
                    .collect();
                (Some(p.date(1)?), changes)
            }
            None => (None, Vec::new()),
        };
        Ok(Some(OverviewUpdate {
            municipality: municipality.to_string(),
            as_of: latest.date(1)?,
            previous,
            changes,
        }))
    }

    /// The receipt of the run in force on a date (every parameter value and source).
    pub fn receipt(
        &mut self,
        municipality: &str,
        on: Date,
    ) -> Result<serde_json::Value, StoreError> {
        Ok(current_run_on_or_before(&mut self.conn, municipality, on)?
            .ok_or_else(|| StoreError::NotFound(format!("no placement is in force on {on}")))?
            .receipt)
    }

    /// The newest audit entries, newest first.
    pub fn audit_log(&mut self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        self.conn
            .query(
                "SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1",
                &[Value::Int(limit)],
            )?
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.int(0)?,
                    at: r.time(1)?,
                    actor: r.text(2)?,
                    action: r.text(3)?,
                    subject: r.text(4)?,
                    detail: serde_json::from_str(&r.text(5)?).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Every snapshot held, by kind and date (a withdrawn one with its withdrawal, before
    /// the one imported again for its date).
    pub fn snapshots(&mut self) -> Result<Vec<SnapshotInfo>, StoreError> {
        self.conn
            .query(
                "SELECT s.id, s.kind, s.reference_date, s.file_name, s.row_count, s.imported_at, s.imported_by, w.withdrawn_at, w.withdrawn_by, w.reason, s.municipality FROM snapshot s LEFT JOIN snapshot_withdrawal w ON w.snapshot_id = s.id ORDER BY s.municipality, s.kind, s.reference_date, s.id",
                &[],
            )?
            .iter()
            .map(|r| {
                let withdrawn = match r.opt_text(8)? {
                    Some(by) => Some(WithdrawalInfo {
                        at: r.time(7)?,
                        by,
                        reason: r.text(9)?,
                    }),
                    None => None,
                };
                Ok(SnapshotInfo {
                    withdrawn,
                    id: r.int(0)?,
                    kind: r.text(1)?,
                    municipality: r.text(10)?,
                    reference_date: r.date(2)?,
                    file_name: r.text(3)?,
                    rows: r.int(4)?,
                    imported_at: r.time(5)?,
                    imported_by: r.text(6)?,
                })
            })
            .collect()
    }

    /// The inputs in force on a date (for messages).
    pub fn inputs_on(&mut self, municipality: &str, on: Date) -> Result<Inputs, StoreError> {
        inputs_on(&mut self.conn, municipality, on)
    }
}
