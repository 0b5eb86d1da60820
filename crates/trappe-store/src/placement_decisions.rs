//! Recording and withdrawing the decisions on the placement in force — a re-placement
//! approved by Samarbejdsforum [CPH 6.2], the municipality's tightened criteria for a
//! newly designated prevention area [CPH 6.1.5] — and the re-placement proposal (what
//! the computation would change).

use chrono::Utc;
use serde::Serialize;
use trappe_rules::placement::DecisionRef;
use trappe_rules::{Criterion, Date};

use crate::db::{Conn, Value};
use crate::import::{agreement_of, municipalities, municipality_key};
use crate::live::DECISION_LIVE;
use crate::read::{self, StoredPlacement};
use crate::standing::{criteria_text, decision_ref, decision_rows};
use crate::{Store, StoreError};

/// A decision to record: who decided, when, the reference, from when it is in force, and
/// per department the step approved or the tightened criteria decided.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    /// `None`: the database's only municipality.
    pub municipality: Option<&'a str>,
    pub from: Date,
    pub decided_by: &'a str,
    pub decided_on: Date,
    pub reference: &'a str,
    /// Department id → the step approved.
    pub steps: Vec<(String, String)>,
    /// Department id → the tightened criteria decided (empty: the ordinary ones).
    pub criteria: Vec<(String, Vec<Criterion>)>,
    pub actor: &'a str,
    pub program_version: &'a str,
}

/// A recorded decision, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct StoredDecision {
    pub id: i64,
    pub municipality: String,
    #[serde(flatten)]
    pub decision: DecisionRef,
    pub recorded_at: chrono::DateTime<Utc>,
    pub recorded_by: String,
    pub rows: Vec<DecisionRow>,
    /// Who withdrew it, when and why.
    pub withdrawn: Option<(chrono::DateTime<Utc>, String, String)>,
}

/// One department of a decision.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRow {
    pub department_id: String,
    pub step: Option<String>,
    pub criteria: Option<Vec<Criterion>>,
}

/// What recording (or withdrawing) a decision did.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionReport {
    pub id: i64,
    pub municipality: String,
    pub from: Date,
    pub departments: usize,
    /// The runs recomputed from the decision's date on.
    pub runs: Vec<crate::import::RunReport>,
}

/// One department of a re-placement proposal: its placement in force and the computed
/// one that differs from it (a step or tightened criteria).
#[derive(Debug, Clone, Serialize)]
pub struct ProposalRow {
    pub department_id: String,
    pub name: String,
    pub organisation: String,
    pub area_id: Option<String>,
    pub placement: StoredPlacement,
    /// The tightened criteria in force and those proposed (newly designated prevention
    /// areas awaiting the municipality's decision).
    pub criteria_in_force: Option<Vec<Criterion>>,
    pub criteria_proposed: Option<Vec<Criterion>>,
    /// Why the computed step differs (the reasons that changed since the held placement).
    pub why: Vec<read::Why>,
}

/// The re-placement proposal on a date: who would move, and what awaits a decision.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub municipality: String,
    pub on: Date,
    pub run_id: i64,
    pub run_date: Date,
    /// Who approves a re-placement (the agreement's `approved_by`).
    pub approved_by: Option<String>,
    /// Departments whose computed step differs from the held one.
    pub moves: Vec<ProposalRow>,
    /// Departments of newly designated prevention areas awaiting the decision on their
    /// tightened criteria.
    pub awaiting: Vec<ProposalRow>,
}

/// A department a decision names that the proposal does not hold: not among its moves
/// (`criteria` false) or not awaiting a decision on its criteria (`criteria` true).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotProposed {
    pub department: String,
    pub on: Date,
    pub criteria: bool,
}

/// Which tightened criteria a decision puts in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CriteriaChoice {
    /// The risk zone's, as proposed.
    Proposed,
    /// None: the ordinary criteria only.
    Ordinary,
    /// These.
    These(Vec<Criterion>),
}

impl Proposal {
    /// The steps a decision approves: every move of the proposal (`whole`), and each
    /// department named — with the step given, or else the step the proposal computes for
    /// it (it must then be among the moves).
    pub fn approved_steps(
        &self,
        whole: bool,
        named: &[(String, Option<String>)],
    ) -> Result<Vec<(String, String)>, NotProposed> {
        let proposed = |id: &str| {
            self.moves
                .iter()
                .find(|r| r.department_id == id)
                .and_then(|r| r.placement.computed.as_ref().map(|c| c.step.clone()))
        };
        let mut out: Vec<(String, String)> = Vec::new();
        if whole {
            for r in &self.moves {
                if let Some(step) = proposed(&r.department_id) {
                    out.push((r.department_id.clone(), step));
                }
            }
        }
        for (id, step) in named {
            let step = match step {
                Some(s) => s.clone(),
                None => proposed(id).ok_or_else(|| NotProposed {
                    department: id.clone(),
                    on: self.on,
                    criteria: false,
                })?,
            };
            match out.iter_mut().find(|(x, _)| x == id) {
                Some(existing) => existing.1 = step,
                None => out.push((id.clone(), step)),
            }
        }
        Ok(out)
    }

    /// The criteria a decision puts in force for the departments named (none named: every
    /// department awaiting a decision); each must await one.
    pub fn decided_criteria(
        &self,
        named: &[String],
        choice: &CriteriaChoice,
    ) -> Result<Vec<(String, Vec<Criterion>)>, NotProposed> {
        let ids: Vec<&str> = if named.is_empty() {
            self.awaiting
                .iter()
                .map(|r| r.department_id.as_str())
                .collect()
        } else {
            named.iter().map(String::as_str).collect()
        };
        ids.into_iter()
            .map(|id| {
                let row = self
                    .awaiting
                    .iter()
                    .find(|r| r.department_id == id)
                    .ok_or_else(|| NotProposed {
                        department: id.to_string(),
                        on: self.on,
                        criteria: true,
                    })?;
                let criteria = match choice {
                    CriteriaChoice::Proposed => row.criteria_proposed.clone().unwrap_or_default(),
                    CriteriaChoice::Ordinary => Vec::new(),
                    CriteriaChoice::These(c) => c.clone(),
                };
                Ok((id.to_string(), criteria))
            })
            .collect()
    }
}

/// The longest text kept in a decision's fields.
const MAX_TEXT_CHARS: usize = 1000;

fn clean(what: &str, value: &str) -> Result<String, StoreError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(StoreError::Invalid(format!(
            "a decision needs {what}: it is kept with the decision and in the audit log"
        )));
    }
    if v.chars().count() > MAX_TEXT_CHARS {
        return Err(StoreError::Invalid(format!(
            "{what} is longer than {MAX_TEXT_CHARS} characters"
        )));
    }
    if let Some(ch) = v
        .chars()
        .find(|ch| ch.is_control() || trappe_formats::table_in::is_invisible(*ch))
    {
        return Err(StoreError::Invalid(format!(
            "{what} {v:?} holds an invisible or control character (U+{:04X})",
            ch as u32
        )));
    }
    Ok(v.to_string())
}

fn resolve(c: &mut Conn, municipality: Option<&str>) -> Result<String, StoreError> {
    let held = municipalities(c)?;
    match municipality {
        Some(m) => {
            let key = municipality_key(m);
            if held.contains(&key) {
                Ok(key)
            } else {
                Err(StoreError::NotFound(format!(
                    "municipality {m} holds no data here (held: {})",
                    if held.is_empty() {
                        "none".to_string()
                    } else {
                        held.join(", ")
                    }
                )))
            }
        }
        None => match held.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(StoreError::NotFound(
                "no municipality holds data here: import a departments file first".into(),
            )),
            _ => Err(StoreError::Invalid(format!(
                "several municipalities hold data here ({}): say which with --municipality CODE",
                held.join(", ")
            ))),
        },
    }
}

impl Store {
    /// The municipalities whose agreement holds placements until approved or leaves
    /// criteria to the municipality's decision (those with a re-placement proposal).
    pub fn municipalities_holding(&mut self) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for m in municipalities(&mut self.conn)? {
            if self.agreement_of(&m)?.agreement.needs_standing() {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Records a decision on the placement in force — a re-placement approved, or the
    /// tightened criteria decided for departments of a newly designated prevention area —
    /// in one transaction with its audit entry and the placements recomputed from its
    /// date on. Every problem is refused before anything is written.
    pub fn record_placement_decision(
        &mut self,
        d: &NewDecision<'_>,
    ) -> Result<DecisionReport, StoreError> {
        let decided_by = clean("who decided (--decided-by)", d.decided_by)?;
        for id in d
            .steps
            .iter()
            .map(|(id, _)| id)
            .chain(d.criteria.iter().map(|(id, _)| id))
        {
            if id.chars().any(|ch| {
                ch.is_control() || trappe_formats::table_in::is_invisible(ch) || ch == ' '
            }) || id.is_empty()
            {
                return Err(StoreError::Invalid(format!(
                    "the department id {id:?} is empty or holds a blank, control or invisible character"
                )));
            }
        }
        let reference = clean(
            "a reference (--reference: the minutes' or case's)",
            d.reference,
        )?;
        if d.steps.is_empty() && d.criteria.is_empty() {
            return Err(StoreError::Invalid(
                "the decision names no department: give the departments approved (or --all for the whole proposal)".into(),
            ));
        }
        if d.from < d.decided_on {
            return Err(StoreError::Invalid(format!(
                "the decision is in force from {} but made on {}: a decision is not in force before it is made",
                d.from, d.decided_on
            )));
        }
        let today = Utc::now().date_naive();
        if d.decided_on > today {
            return Err(StoreError::Invalid(format!(
                "the decision is dated {}, after today ({today}): record a decision once it is made",
                d.decided_on
            )));
        }
        self.conn.transaction(|c| {
            let m = resolve(c, d.municipality)?;
            let in_use = agreement_of(c, &m)?.ok_or_else(|| {
                StoreError::NotFound(format!("no agreement is in use for municipality {m}"))
            })?;
            let ag = &in_use.loaded.agreement;
            if !ag.period.contains(d.from) {
                return Err(StoreError::Invalid(format!(
                    "{} is outside the agreement {} ({} – {})",
                    d.from,
                    ag.id,
                    ag.period.from,
                    ag.period.to.map_or_else(|| "open".into(), |t| t.to_string())
                )));
            }
            let mut problems = Vec::new();
            if !d.steps.is_empty() && ag.in_force.held().is_empty() {
                problems.push(format!(
                    "the agreement {} puts the computed placement in force: it holds no placement until approved (its file has no [placement_in_force] by = \"approved\")",
                    ag.id
                ));
            }
            if !d.criteria.is_empty() && !ag.transitions.prevention_awaits_decision() {
                problems.push(format!(
                    "the agreement {} applies the tightened criteria at once: it leaves none to the municipality's decision (its file has no placement_in_force.newly_designated_prevention)",
                    ag.id
                ));
            }
            let run = read::current_run_on_or_before(c, &m, d.from)?.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "no placement is in force on {} for municipality {m}: import a departments file dated on or before it",
                    d.from
                ))
            })?;
            let in_force = read::placements(c, run.id)?;
            let mut seen = std::collections::HashSet::new();
            for (id, step) in &d.steps {
                if !seen.insert(("step", id.clone())) {
                    problems.push(format!("department {id} is named twice"));
                    continue;
                }
                let Some(p) = in_force.get(id) else {
                    problems.push(format!("department {id} has no placement in force on {} in municipality {m}", d.from));
                    continue;
                };
                if !ag.in_force.held().contains(&p.staircase) {
                    problems.push(format!(
                        "department {id} is on the {} staircase on {}: its placement follows the computation (the state's lists), not an approval",
                        p.staircase.as_str(),
                        d.from
                    ));
                    continue;
                }
                let known = ag.steps.iter().any(|s| {
                    s.staircase == p.staircase && s.step == *step && s.period.contains(d.from)
                });
                if !known {
                    let steps: Vec<&str> = ag
                        .steps
                        .iter()
                        .filter(|s| s.staircase == p.staircase && s.period.contains(d.from))
                        .map(|s| s.step.as_str())
                        .collect();
                    problems.push(format!(
                        "department {id}: step {step:?} is not a step of the {} staircase on {} (expected one of {})",
                        p.staircase.as_str(),
                        d.from,
                        steps.join(", ")
                    ));
                }
            }
            for (id, _) in &d.criteria {
                if !seen.insert(("criteria", id.clone())) {
                    problems.push(format!("department {id} is named twice"));
                    continue;
                }
                match in_force.get(id) {
                    None => problems.push(format!("department {id} has no placement in force on {} in municipality {m}", d.from)),
                    Some(p) if !matches!(p.basis.as_str(), "awaiting_decision" | "decided") => problems.push(format!(
                        "department {id} is not in a newly designated prevention area on {}: its tightened criteria follow the risk zone, not a decision",
                        d.from
                    )),
                    Some(_) => {}
                }
            }
            if !problems.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "the decision is not recorded:\n  {}",
                    problems.join("\n  ")
                )));
            }
            let id = c
                .query_opt(
                    "INSERT INTO placement_decision (municipality, in_force_from, decided_by, decided_on, reference, proposal_run_id, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &[
                        m.as_str().into(),
                        d.from.into(),
                        decided_by.as_str().into(),
                        d.decided_on.into(),
                        reference.as_str().into(),
                        Value::Int(run.id),
                        Utc::now().into(),
                        d.actor.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
                .int(0)?;
            let mut rows: Vec<Vec<Value>> = Vec::new();
            for (dep, step) in &d.steps {
                let criteria = d
                    .criteria
                    .iter()
                    .find(|(x, _)| x == dep)
                    .map(|(_, c)| criteria_text(c));
                rows.push(vec![Value::Int(id), dep.as_str().into(), step.as_str().into(), criteria.into()]);
            }
            for (dep, criteria) in d.criteria.iter().filter(|(x, _)| !d.steps.iter().any(|(s, _)| s == x)) {
                let list = criteria_text(criteria);
                rows.push(vec![Value::Int(id), dep.as_str().into(), Value::Null, list.into()]);
            }
            c.insert_many(
                "placement_decision_row",
                &["decision_id", "department_id", "step", "criteria"],
                &rows,
            )?;
            Store::audit(
                c,
                d.actor,
                "record_decision",
                &format!("municipality {m} from {}", d.from),
                &serde_json::json!({
                    "decision_id": id,
                    "decided_by": decided_by,
                    "decided_on": d.decided_on,
                    "reference": reference,
                    "steps": d.steps,
                    "criteria": d.criteria,
                }),
            )?;
            let (runs, _) = crate::import::recompute(
                c,
                &m,
                d.from,
                &Some(in_use),
                d.actor,
                d.program_version,
                None,
                true,
            )?;
            Ok(DecisionReport {
                id,
                municipality: m,
                from: d.from,
                departments: rows.len(),
                runs,
            })
        })
    }

    /// Withdraws a recorded decision (who, when, why) and recomputes the placements from
    /// its date on without it.
    pub fn withdraw_placement_decision(
        &mut self,
        id: i64,
        reason: &str,
        actor: &str,
        program_version: &str,
    ) -> Result<DecisionReport, StoreError> {
        let reason = clean("its reason (--reason)", reason)?;
        self.conn.transaction(|c| {
            let row = c
                .query_opt(
                    &format!("SELECT x.municipality, x.in_force_from, (SELECT COUNT(*) FROM placement_decision_row r WHERE r.decision_id = x.id), CASE WHEN {DECISION_LIVE} THEN 1 ELSE 0 END FROM placement_decision x WHERE x.id = $1"),
                    &[Value::Int(id)],
                )?
                .ok_or_else(|| StoreError::NotFound(format!("no decision {id} is recorded: `trappe placement decisions` lists them")))?;
            let (m, from, count) = (row.text(0)?, row.date(1)?, row.int(2)?);
            if row.int(3)? == 0 {
                return Err(StoreError::Conflict(format!("decision {id} is withdrawn already")));
            }
            c.execute(
                "INSERT INTO placement_decision_withdrawal (decision_id, withdrawn_at, withdrawn_by, reason) VALUES ($1, $2, $3, $4)",
                &[Value::Int(id), Utc::now().into(), actor.into(), reason.as_str().into()],
            )?;
            Store::audit(
                c,
                actor,
                "withdraw_decision",
                &format!("decision {id}"),
                &serde_json::json!({ "decision_id": id, "municipality": m, "reason": reason }),
            )?;
            let in_use = agreement_of(c, &m)?;
            let (runs, _) =
                crate::import::recompute(c, &m, from, &in_use, actor, program_version, None, true)?;
            Ok(DecisionReport {
                id,
                municipality: m,
                from,
                departments: usize::try_from(count).unwrap_or(0),
                runs,
            })
        })
    }

    /// The decisions recorded (live and withdrawn), newest first; for one municipality
    /// or every one.
    pub fn placement_decisions(
        &mut self,
        municipality: Option<&str>,
    ) -> Result<Vec<StoredDecision>, StoreError> {
        let c = &mut self.conn;
        let heads = c.query(
            "SELECT x.id, x.municipality, x.in_force_from, x.decided_by, x.decided_on, x.reference, x.recorded_at, x.recorded_by, w.withdrawn_at, w.withdrawn_by, w.reason FROM placement_decision x LEFT JOIN placement_decision_withdrawal w ON w.decision_id = x.id WHERE ($1 = '' OR x.municipality = $1) ORDER BY x.in_force_from DESC, x.id DESC",
            &[municipality.map(municipality_key).unwrap_or_default().into()],
        )?;
        let mut out = Vec::with_capacity(heads.len());
        for h in heads {
            let id = h.int(0)?;
            let rows = decision_rows(c, id)?
                .into_iter()
                .map(|(department_id, step, criteria)| DecisionRow {
                    department_id,
                    step,
                    criteria,
                })
                .collect();
            let withdrawn = match h.opt_text(9)? {
                Some(by) => Some((h.time(8)?, by, h.text(10)?)),
                None => None,
            };
            out.push(StoredDecision {
                id,
                municipality: h.text(1)?,
                decision: decision_ref(&h, 2)?,
                recorded_at: h.time(6)?,
                recorded_by: h.text(7)?,
                rows,
                withdrawn,
            });
        }
        Ok(out)
    }

    /// The re-placement proposal of a municipality on a date, from the run in force then:
    /// the departments whose computed step differs from the held one, and those awaiting
    /// the decision on their tightened criteria.
    pub fn replacement_proposal(
        &mut self,
        municipality: Option<&str>,
        on: Date,
    ) -> Result<Proposal, StoreError> {
        let c = &mut self.conn;
        let m = resolve(c, municipality)?;
        let run = read::current_run_on_or_before(c, &m, on)?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "no placement is in force on {on} for municipality {m}: import a departments file dated on or before it"
            ))
        })?;
        let agreement = crate::import::load_stored_agreement(c, &run.agreement_sha256)?;
        let approved_by = match &agreement.agreement.in_force {
            trappe_rules::agreement::InForceRule::Approved { approved_by, .. } => {
                Some(approved_by.clone())
            }
            _ => None,
        };
        let rows = c.query(
            &format!("SELECT p.department_id, f.name, f.organisation_id, f.area_id, p.detail, {} FROM placement p JOIN placement_run r ON r.id = p.run_id JOIN department_figures f ON f.snapshot_id = r.departments_snapshot_id AND f.department_id = p.department_id WHERE p.run_id = $1 AND p.basis IN ('held', 'approved', 'awaiting_decision') ORDER BY p.department_id", read::PLACEMENT_COLUMNS_P),
            &[Value::Int(run.id)],
        )?;
        let mut moves = Vec::new();
        let mut awaiting = Vec::new();
        for r in rows {
            let placement = read::stored_placement(&r, 5)?;
            let detail: serde_json::Value = serde_json::from_str(&r.text(4)?)
                .map_err(|e| StoreError::Corrupt(format!("placement detail: {e}")))?;
            let list = |v: Option<&serde_json::Value>| -> Option<Vec<Criterion>> {
                v.filter(|v| !v.is_null())
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
            };
            let computed = detail.get("computed");
            let row = ProposalRow {
                department_id: r.text(0)?,
                name: r.text(1)?,
                organisation: r.text(2)?,
                area_id: r.opt_text(3)?,
                criteria_in_force: list(detail.get("tightened_criteria")),
                criteria_proposed: list(computed.and_then(|c| c.get("tightened_criteria"))),
                why: read::why_held(&detail),
                placement,
            };
            if row.placement.basis == "awaiting_decision" {
                awaiting.push(row);
            } else if row.placement.differs_from_computed() {
                moves.push(row);
            }
        }
        Ok(Proposal {
            municipality: m,
            on,
            run_id: run.id,
            run_date: run.on_date,
            approved_by,
            moves,
            awaiting,
        })
    }
}
