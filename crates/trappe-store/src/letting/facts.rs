//! What the ledger says about a department when a vacancy is registered: the wheel's
//! state, the recorded decisions, the year's counts, exemptions, shared kitchens and
//! new-build facts. Derived each time, never stored as counters.

use chrono::Datelike;
use trappe_rules::agreement::Staircase;
use trappe_rules::wheel::{self, EpisodeEntry, NewBuildFacts, WheelState};
use trappe_rules::{Agreement, Date, Pct};

use super::*;
use crate::db::{Conn, Value};
use crate::StoreError;

/// Rebuilds a department's history on one wheel key from the ledger. Each key keeps its
/// own position, so vacancies on two wheels (a new build's first lettings and
/// re-lettings, or one registered late under the step it was vacated on) never reset
/// each other. A key not used before starts at slot 1; `key` then names the newest key
/// used, for the reason.
pub(super) fn wheel_state(
    c: &mut Conn,
    department: &str,
    key: &str,
) -> Result<WheelState, StoreError> {
    let rows = c.query(
        &format!("SELECT r.position, r.channel, (SELECT COUNT(*) FROM vacancy_entry o WHERE o.vacancy_id = r.id AND o.action = 'let' AND o.channel = 'municipal_allocation' AND {LIVE}) FROM vacancy_entry r WHERE r.department_id = $1 AND r.wheel_key = $2 AND r.kind = 'register' AND r.consumes_slot = 1 ORDER BY r.seq DESC LIMIT $3"),
        &[department.into(), key.into(), Value::Int(EPISODE_WINDOW)],
    )?;
    let summary = c.query_opt(
        "SELECT COALESCE(SUM(credit), 0), (SELECT v.wheel_key FROM vacancy_entry v WHERE v.department_id = $1 AND v.kind = 'register' AND v.consumes_slot = 1 ORDER BY v.seq DESC LIMIT 1) FROM vacancy_entry WHERE department_id = $1",
        &[department.into()],
    )?;
    let (credits, last_key) = match &summary {
        Some(r) => (
            r.opt_dec(0)?.map_or(0, |d| d.trunc().mantissa()),
            r.opt_text(1)?,
        ),
        None => (0, None),
    };
    let mut state = WheelState {
        disability_credits: u32::try_from(credits.max(0)).unwrap_or(0),
        key: last_key,
        ..WheelState::default()
    };
    if rows.is_empty() {
        return Ok(state);
    }
    state.key = Some(key.to_string());
    for r in &rows {
        let position = u64::try_from(r.int(0)?).unwrap_or(0);
        state.next_position = state.next_position.max(position + 1);
        state.episode.push(EpisodeEntry {
            position,
            channel: r.opt_code(1)?,
            realised: r.int(2)? > 0,
        });
    }
    Ok(state)
}

pub(super) fn decisions(c: &mut Conn, department: &str) -> Result<Vec<Decision>, StoreError> {
    c.query(
        "SELECT action, detail FROM vacancy_entry WHERE department_id = $1 AND kind = 'decision' ORDER BY seq",
        &[department.into()],
    )?
    .iter()
    .map(|r| {
        let v: serde_json::Value = serde_json::from_str(&r.text(1)?).map_err(json_err)?;
        decision_from_json(&v).ok_or_else(|| StoreError::Corrupt(format!("decision {v}")))
    })
    .collect()
}

fn decision_from_json(v: &serde_json::Value) -> Option<Decision> {
    let date = |k: &str| v[k].as_str().and_then(|s| s.parse::<Date>().ok());
    let by = v["decided_by"].as_str()?.to_string();
    let on = date("decided_on")?;
    Some(match v["decision"].as_str()? {
        "exemption_approved" => Decision::ExemptionApproved {
            year: i32::try_from(v["year"].as_i64()?).ok()?,
            decided_by: by,
            decided_on: on,
        },
        "exemption_in_advance" => Decision::ExemptionInAdvance {
            from: date("from")?,
            to: date("to")?,
            decided_by: by,
            decided_on: on,
        },
        "safeguard" => Decision::Safeguard {
            from: date("from")?,
            decided_by: by,
            decided_on: on,
        },
        "share" => Decision::Share {
            from: date("from")?,
            percent: match &v["percent"] {
                serde_json::Value::String(s) => s.parse().ok()?,
                serde_json::Value::Number(n) => n.to_string().parse().ok()?,
                _ => return None,
            },
            step: match &v["step"] {
                serde_json::Value::Array(a) => Some((
                    a.first()?.as_str()?.parse().ok()?,
                    a.get(1)?.as_str()?.to_string(),
                )),
                _ => None,
            },
            decided_by: by,
            decided_on: on,
        },
        "organisation_choice" => Decision::OrganisationChoice {
            from: date("from")?,
            channel: v["channel"].as_str()?.parse().ok()?,
            criteria: v["criteria"].as_str().map(str::to_string),
            decided_by: by,
            decided_on: on,
        },
        _ => return None,
    })
}

/// Vacancies registered and allocations realised in a department between two dates.
pub(super) fn year_counts(
    c: &mut Conn,
    department: &str,
    from: Date,
    to: Date,
) -> Result<(u32, u32), StoreError> {
    let r = c
        .query_opt(
            &format!("SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM vacancy_entry o WHERE o.vacancy_id = r.id AND o.action = 'let' AND o.channel = 'municipal_allocation' AND {LIVE})), 0) FROM vacancy_entry r WHERE r.department_id = $1 AND r.kind = 'register' AND r.on_date >= $2 AND r.on_date <= $3 AND {NOT_WITHDRAWN}"),
            &[department.into(), from.into(), to.into()],
        )?
        .ok_or_else(|| StoreError::Corrupt("COUNT gave no row".into()))?;
    let n = |i: usize| -> Result<u32, StoreError> {
        Ok(match r.opt_dec(i)? {
            Some(d) => u32::try_from(d.trunc().mantissa()).unwrap_or(0),
            None => 0,
        })
    };
    Ok((n(0)?, n(1)?))
}

/// Whether the department is exempt from the extra share on a date: a decision in
/// advance covers it, or last calendar year's realised allocation exceeded every nth
/// vacancy (with the Samarbejdsforum's approval where the agreement requires it).
pub(super) fn exempt(
    c: &mut Conn,
    agreement: &Agreement,
    department: &str,
    placement: &PlacementOn,
    on: Date,
    decisions: &[Decision],
) -> Result<bool, StoreError> {
    let Some(ex) = agreement
        .letting
        .as_ref()
        .and_then(|l| l.exemption.as_ref())
    else {
        return Ok(false);
    };
    if placement.staircase != Staircase::Department || !ex.steps.contains(&placement.step) {
        return Ok(false);
    }
    if decisions.iter().any(
        |d| matches!(d, Decision::ExemptionInAdvance { from, to, .. } if *from <= on && on <= *to),
    ) {
        return Ok(true);
    }
    let year = on.year();
    let approved = decisions
        .iter()
        .any(|d| matches!(d, Decision::ExemptionApproved { year: y, .. } if *y == year));
    // The Samarbejdsforum's approval rests on the parties' figures for last year, which
    // may reach back before trappe's ledger: an approval is enough. Without the
    // approval requirement the ledger decides.
    if approved {
        return Ok(true);
    }
    if ex.requires_approval.value {
        return Ok(false);
    }
    let (from, to) = year_bounds(year - 1)?;
    let (vacancies, realised) = year_counts(c, department, from, to)?;
    Ok(wheel::exceeds_every_nth(
        vacancies,
        realised,
        ex.every_nth_vacancy.value,
    ))
}

/// Whether another room of the same shared kitchen is let to an allocated tenant now:
/// its newest (not withdrawn) vacancy was let through the allocation.
pub(super) fn kitchen_has_allocated(
    c: &mut Conn,
    department: &str,
    home: &str,
    kitchen: &str,
) -> Result<bool, StoreError> {
    let rows = c.query(
        // A room's tenant is the one its newest vacancy was let to; a newer vacancy
        // still open means that tenant has moved out.
        &format!("SELECT h.home_id, (SELECT (SELECT o.channel FROM vacancy_entry o WHERE o.vacancy_id = r.id AND o.action = 'let' AND {LIVE} LIMIT 1) FROM vacancy_entry r WHERE r.department_id = h.department_id AND r.home_id = h.home_id AND r.kind = 'register' AND {NOT_WITHDRAWN} ORDER BY r.seq DESC LIMIT 1) FROM home h WHERE h.department_id = $1 AND h.shared_kitchen = $2 AND h.home_id <> $3"),
        &[department.into(), kitchen.into(), home.into()],
    )?;
    for r in &rows {
        if r.opt_text(1)?.as_deref() == Some("municipal_allocation") {
            return Ok(true);
        }
    }
    Ok(false)
}

/// New-build facts, when the department's homes carry a first-use date.
pub(super) fn new_build_facts(
    c: &mut Conn,
    department: &str,
) -> Result<Option<NewBuildFacts>, StoreError> {
    let r = c.query_opt(
        "SELECT MIN(first_use), COUNT(*), COALESCE(SUM(cheap), 0), (SELECT COUNT(*) FROM home a WHERE a.department_id = $1 AND a.kind IN ('family', 'youth')) FROM home WHERE department_id = $1 AND first_use IS NOT NULL AND kind IN ('family', 'youth')",
        &[department.into()],
    )?;
    let Some(r) = r else { return Ok(None) };
    let Some(first_use) = r.opt_date(0)? else {
        return Ok(None);
    };
    let homes = r
        .opt_dec(1)?
        .map_or(0, |d| u32::try_from(d.trunc().mantissa()).unwrap_or(0));
    let cheap = r
        .opt_dec(2)?
        .map_or(0, |d| u32::try_from(d.trunc().mantissa()).unwrap_or(0));
    // "Ingen afdeling skal bære mere end 1/3 anvisning for hele afdelingen": the cap is
    // over all the department's family and youth homes.
    let department_homes = r
        .opt_dec(3)?
        .map_or(0, |d| u32::try_from(d.trunc().mantissa()).unwrap_or(0));
    let allocated_others = c
        .query_opt(
            &format!("SELECT COUNT(*) FROM vacancy_entry r WHERE r.department_id = $1 AND r.kind = 'register' AND r.channel = 'municipal_allocation' AND r.wheel_key LIKE 'new_build:%' AND {NOT_WITHDRAWN}"),
            &[department.into()],
        )?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    Ok(Some(NewBuildFacts {
        first_use,
        cheap_share_pct: if homes == 0 {
            Pct::ZERO
        } else {
            Pct::from(cheap) * Pct::from(100) / Pct::from(homes)
        },
        homes: department_homes,
        cheap_homes: cheap,
        allocated_others: u32::try_from(allocated_others).unwrap_or(0),
    }))
}
