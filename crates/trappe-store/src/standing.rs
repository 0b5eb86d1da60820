//! What stood before a date, where the placement in force depends on it: the placements
//! in force on the previous date placed, and the decisions recorded on them — a
//! re-placement approved by Samarbejdsforum [CPH 6.2], the municipality's tightened
//! criteria for a newly designated prevention area [CPH 6.1.5]. Read by the recomputation
//! (import.rs) and the explanation of a run; recording the decisions is
//! `placement_decisions.rs`.

use std::collections::HashMap;

use trappe_rules::placement::{
    DecisionRef, PlacementDecision, Previous, Standing, StandingPlacement,
};
use trappe_rules::{Agreement, Criterion, Date};

use crate::db::{Conn, Value};
use crate::live::{DECISION_LIVE, RUN_LIVE};
use crate::StoreError;

/// What stood before `on` for a municipality placed by `agreement`: the placements in
/// force on the previous date placed in the agreement period, and the live decisions in
/// force from after that date to `on`. `None` where the agreement does not need it.
pub(crate) fn standing_on(
    c: &mut Conn,
    municipality: &str,
    on: Date,
    agreement: &Agreement,
) -> Result<Option<Standing>, StoreError> {
    if !agreement.needs_standing() {
        return Ok(None);
    }
    let start = agreement.period.from;
    let prev = c.query_opt(
        &format!("SELECT r.id, r.on_date FROM placement_run r WHERE r.municipality = $1 AND r.on_date < $2 AND r.on_date >= $3 AND {RUN_LIVE} ORDER BY r.on_date DESC, r.id DESC LIMIT 1"),
        &[municipality.into(), on.into(), start.into()],
    )?;
    let previous = match prev {
        Some(r) => {
            let (run, date) = (r.int(0)?, r.date(1)?);
            let mut placements = HashMap::new();
            for row in c.query(
                "SELECT department_id, detail FROM placement WHERE run_id = $1",
                &[Value::Int(run)],
            )? {
                let p: StandingPlacement = serde_json::from_str(&row.text(1)?).map_err(|e| {
                    StoreError::Corrupt(format!("placement detail of run {run}: {e}"))
                })?;
                placements.insert(row.text(0)?, p);
            }
            Some(Previous {
                on: date,
                placements,
            })
        }
        None => None,
    };
    let after = previous
        .as_ref()
        .map_or(start, |p| p.on.succ_opt().unwrap_or(p.on));
    let decisions = decisions_between(c, municipality, after, on)?;
    Ok(Some(Standing {
        previous,
        decisions,
    }))
}

/// The live decisions of a municipality in force from `from` to `to` (both inclusive),
/// oldest first.
fn decisions_between(
    c: &mut Conn,
    municipality: &str,
    from: Date,
    to: Date,
) -> Result<Vec<PlacementDecision>, StoreError> {
    let heads = c.query(
        &format!("SELECT x.id, x.in_force_from, x.decided_by, x.decided_on, x.reference FROM placement_decision x WHERE x.municipality = $1 AND x.in_force_from >= $2 AND x.in_force_from <= $3 AND {DECISION_LIVE} ORDER BY x.in_force_from, x.id"),
        &[municipality.into(), from.into(), to.into()],
    )?;
    let mut out = Vec::with_capacity(heads.len());
    for h in heads {
        let mut steps = HashMap::new();
        let mut criteria = HashMap::new();
        for (department, step, decided) in decision_rows(c, h.int(0)?)? {
            if let Some(step) = step {
                steps.insert(department.clone(), step);
            }
            if let Some(list) = decided {
                criteria.insert(department, list);
            }
        }
        out.push(PlacementDecision {
            decision: decision_ref(&h, 1)?,
            steps,
            criteria,
        });
    }
    Ok(out)
}

/// A decision's who, when, reference and date in force, from the columns `in_force_from,
/// decided_by, decided_on, reference` starting at `i`.
pub(crate) fn decision_ref(r: &crate::Row, i: usize) -> Result<DecisionRef, StoreError> {
    Ok(DecisionRef {
        from: r.date(i)?,
        decided_by: r.text(i + 1)?,
        decided_on: r.date(i + 2)?,
        reference: r.text(i + 3)?,
    })
}

/// A decision's rows, by department: the step approved, the tightened criteria decided.
#[allow(clippy::type_complexity)]
pub(crate) fn decision_rows(
    c: &mut Conn,
    decision: i64,
) -> Result<Vec<(String, Option<String>, Option<Vec<Criterion>>)>, StoreError> {
    c.query(
        "SELECT department_id, step, criteria FROM placement_decision_row WHERE decision_id = $1 ORDER BY department_id",
        &[Value::Int(decision)],
    )?
    .iter()
    .map(|r| {
        Ok((
            r.text(0)?,
            r.opt_text(1)?,
            r.opt_text(2)?.map(|l| parse_criteria(&l)).transpose()?,
        ))
    })
    .collect()
}

/// Criteria stored as '|'-separated codes ('' for none).
pub(crate) fn parse_criteria(list: &str) -> Result<Vec<Criterion>, StoreError> {
    list.split('|')
        .filter(|s| !s.is_empty())
        .map(|s| {
            serde_json::from_value(serde_json::Value::String(s.to_string()))
                .map_err(|e| StoreError::Corrupt(format!("decided criterion {s:?}: {e}")))
        })
        .collect()
}

pub(crate) fn criteria_text(criteria: &[Criterion]) -> String {
    let mut list = criteria.to_vec();
    list.sort();
    list.dedup();
    list.iter()
        .filter_map(|c| {
            serde_json::to_value(c)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// The dates from `from` on where a municipality's decisions (live or withdrawn) come
/// into force: each gets a run of its own.
pub(crate) fn decision_dates(
    c: &mut Conn,
    municipality: &str,
    from: Date,
) -> Result<Vec<Date>, StoreError> {
    c.query(
        "SELECT DISTINCT in_force_from FROM placement_decision WHERE municipality = $1 AND in_force_from >= $2",
        &[municipality.into(), from.into()],
    )?
    .iter()
    .map(|r| r.date(0))
    .collect()
}
