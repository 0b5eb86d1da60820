//! A vacancy as the ledger tells it — its registration, outcomes, the channel it is with
//! after fallbacks, its deadlines — and the check of a new outcome against that.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Datelike;
use trappe_rules::agreement::Channel;
use trappe_rules::deadlines::{self, VacancyDates};
use trappe_rules::{Agreement, Date};

use super::*;
use crate::db::{Conn, Value};
use crate::import::load_stored_agreement;
use crate::StoreError;

/// A vacancy rebuilt from the ledger: where it stands now and its deadlines.
pub(super) fn vacancy_view(
    c: &mut Conn,
    vacancy: i64,
    agreements: &mut HashMap<String, Arc<Agreement>>,
    also_exclude: Option<i64>,
) -> Result<VacancyView, StoreError> {
    let reg = c
        .query_opt(
            "SELECT department_id, home_id, on_date, detail FROM vacancy_entry WHERE id = $1 AND kind = 'register'",
            &[Value::Int(vacancy)],
        )?
        .ok_or_else(|| StoreError::NotFound(format!("no vacancy {vacancy}")))?;
    let detail: serde_json::Value = serde_json::from_str(&reg.text(3)?).map_err(json_err)?;
    let outcomes: Vec<LedgerEntry> = c
        .query(
            "SELECT id, seq, kind, action, on_date, channel, at, actor, detail, corrects FROM vacancy_entry WHERE vacancy_id = $1 ORDER BY seq",
            &[Value::Int(vacancy)],
        )?
        .iter()
        .map(ledger_entry)
        .collect::<Result<_, _>>()?;
    // Corrected outcomes no longer count; nor do their corrections' own targets.
    let corrected: Vec<i64> = outcomes
        .iter()
        .filter_map(|o| o.corrects)
        .chain(also_exclude)
        .collect();
    let (superseded, outcomes): (Vec<LedgerEntry>, Vec<LedgerEntry>) = outcomes
        .into_iter()
        .partition(|o| corrected.contains(&o.id));
    let assignment = &detail["assignment"];
    let mut chain: Vec<Channel> = match assignment["fallback"].as_array() {
        Some(a) => a.iter().map(channel_of).collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    chain.reverse();
    let mut current = match &assignment["channel"] {
        serde_json::Value::Null => None,
        c => Some(channel_of(c)?),
    };
    let mut resolved = current.is_none();
    let mut dates = VacancyDates {
        received: date_of(&detail["received"])?,
        available_from: date_of(&detail["available_from"])?,
        allocated_on: None,
        move_in: None,
        returned_on: None,
        relet_on: None,
    };
    let mut reached_allocation = current == Some(Channel::MunicipalAllocation);
    for o in &outcomes {
        match o.action {
            LedgerAction::Returned | LedgerAction::NotUsed => {
                if current == Some(Channel::MunicipalAllocation)
                    && o.action == LedgerAction::Returned
                {
                    dates.returned_on = Some(o.on_date);
                }
                current = chain.pop();
                if current == Some(Channel::MunicipalAllocation) {
                    reached_allocation = true;
                }
            }
            LedgerAction::Allocated => {
                dates.allocated_on = Some(o.on_date);
                if let Some(m) = o.detail["move_in"].as_str().and_then(|s| s.parse().ok()) {
                    dates.move_in = Some(m);
                }
            }
            LedgerAction::Let => {
                if o.channel == Some(LetChannel::MunicipalAllocation) {
                    dates.move_in = Some(o.on_date);
                } else if dates.returned_on.is_some() {
                    dates.relet_on = Some(o.on_date);
                }
                resolved = true;
            }
            LedgerAction::Withdrawn => resolved = true,
            _ => {}
        }
    }
    if dates.returned_on.is_some() {
        dates.move_in = None;
    }
    let sha = detail["agreement_sha256"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let deadlines = if reached_allocation {
        let agreement = match agreements.get(&sha) {
            Some(a) => a.clone(),
            None => {
                let a = Arc::new(load_stored_agreement(c, &sha)?.agreement);
                agreements.insert(sha.clone(), a.clone());
                a
            }
        };
        match agreement.letting.as_ref() {
            Some(l) => {
                Some(deadlines::deadlines(&l.deadlines, &dates).map_err(|e| rule(e.to_string()))?)
            }
            None => None,
        }
    } else {
        None
    };
    Ok(VacancyView {
        vacancy,
        department_id: reg.text(0)?,
        home_id: reg.text(1)?,
        vacated: reg.date(2)?,
        registration: detail,
        outcomes,
        superseded,
        current_channel: if resolved { None } else { current },
        resolved,
        deadlines,
    })
}

/// A channel code in a stored registration.
fn channel_of(v: &serde_json::Value) -> Result<Channel, StoreError> {
    v.as_str()
        .ok_or_else(|| StoreError::Corrupt(format!("a channel in the ledger: {v}")))?
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("a channel in the ledger: {e}")))
}

fn date_of(v: &serde_json::Value) -> Result<Date, StoreError> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| StoreError::Corrupt(format!("a date in the ledger: {v}")))
}

/// Checks an outcome against where the vacancy stands, naming the rule it breaks.
pub(super) fn check_outcome(
    c: &mut Conn,
    view: &VacancyView,
    outcome: &Outcome,
    agreements: &mut HashMap<String, Arc<Agreement>>,
) -> Result<(), StoreError> {
    let v = view.vacancy;
    if view.resolved {
        let last = view
            .outcomes
            .iter()
            .rev()
            .find(|o| matches!(o.action, LedgerAction::Let | LedgerAction::Withdrawn));
        return Err(rule(match last {
            Some(o) => format!(
                "vacancy {v} is resolved already ({} on {}, ledger entry {}); to correct it, record the right outcome with --corrects {} --note \"…\"",
                o.action, o.on_date, o.id, o.id
            ),
            None => format!("vacancy {v} is not re-let (a youth shared home being phased out); it takes no outcome"),
        }));
    }
    if outcome.date() < view.vacated
        && !matches!(
            outcome,
            Outcome::Allocated { .. }
                | Outcome::Returned { .. }
                | Outcome::NotUsed { .. }
                | Outcome::Withdrawn { .. }
        )
    {
        return Err(rule(format!(
            "the outcome's date {} is before the vacancy date {}",
            outcome.date(),
            view.vacated
        )));
    }
    if let Some(last) = view.outcomes.last() {
        if outcome.date() < last.on_date {
            return Err(rule(format!(
                "the outcome's date {} is before the vacancy's last entry ({} on {})",
                outcome.date(),
                last.action,
                last.on_date
            )));
        }
    }
    let current = view.current_channel;
    let current_name = current.map_or("", Channel::as_str);
    let fallback_left = {
        let chain: Vec<&str> = view.registration["assignment"]["fallback"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let used = view
            .outcomes
            .iter()
            .filter(|o| matches!(o.action, LedgerAction::Returned | LedgerAction::NotUsed))
            .count();
        chain.len() > used
    };
    match outcome {
        Outcome::Allocated { on, move_in } => {
            if current != Some(Channel::MunicipalAllocation) {
                return Err(rule(format!(
                    "vacancy {v} is with {current_name}, not the municipal allocation: only the allocation names a citizen"
                )));
            }
            if move_in < on {
                return Err(rule(format!(
                    "move-in {move_in} is before the allocation date {on}"
                )));
            }
        }
        Outcome::Returned { .. } => {
            if current != Some(Channel::MunicipalAllocation) {
                return Err(rule(format!(
                    "vacancy {v} is with {current_name}: only a home with the municipal allocation can be returned by it"
                )));
            }
            if !fallback_left {
                return Err(rule(format!(
                    "vacancy {v} has no fallback left after the allocation"
                )));
            }
        }
        Outcome::NotUsed { .. } => {
            if !matches!(
                current,
                Some(Channel::MunicipalAllocation | Channel::UrbanRenewal)
            ) {
                return Err(rule(format!(
                    "vacancy {v} is with {current_name}: only urban-renewal rehousing or the allocation can leave a home unused (the wheel's fallbacks)"
                )));
            }
            if !fallback_left {
                return Err(rule(format!(
                    "vacancy {v} has no fallback left after {current_name}"
                )));
            }
        }
        Outcome::Let {
            channel,
            no_qualified_applicant,
            refugee_shared,
            on,
        } => {
            let ok = match (current, channel) {
                (Some(cur), ch) if ch.channel() == Some(cur) => true,
                (Some(Channel::Flexible), LetChannel::WaitingList) => *no_qualified_applicant,
                (
                    Some(Channel::WaitingList | Channel::Flexible),
                    LetChannel::InternalTransfer | LetChannel::Exchange,
                ) => true,
                _ => false,
            };
            if !ok {
                return Err(rule(if current == Some(Channel::MunicipalAllocation) {
                    format!(
                        "vacancy {v} is with the municipal allocation: it can be let through {} only after the municipality returned it or did not use it (trappe vacancy resolve {v} --outcome returned|not-used; the wheel's fallbacks)",
                        channel.as_str()
                    )
                } else if current == Some(Channel::Flexible) && *channel == LetChannel::WaitingList
                {
                    format!(
                        "vacancy {v} is a flexible home: let it from the waiting list only when no applicant met the criteria (add --no-qualified-applicant)"
                    )
                } else {
                    format!(
                        "vacancy {v} is with {current_name}, not {}: the wheel gave it to {current_name}",
                        channel.as_str()
                    )
                }));
            }
            if *refugee_shared {
                check_refugee_shared(c, view, *channel, *on, agreements)?;
            }
        }
        Outcome::Withdrawn { note, .. } => {
            if note.trim().is_empty() {
                return Err(rule("a withdrawal needs a note saying why"));
            }
        }
    }
    Ok(())
}

/// A letting to a refugee shared home [CPH 8.5.3]: an allocation, on the step the
/// agreement names, within the year's cap across departments.
fn check_refugee_shared(
    c: &mut Conn,
    view: &VacancyView,
    channel: LetChannel,
    on: Date,
    agreements: &mut HashMap<String, Arc<Agreement>>,
) -> Result<(), StoreError> {
    if channel != LetChannel::MunicipalAllocation {
        return Err(rule(
            "a refugee shared home is an allocation: --channel municipal_allocation",
        ));
    }
    let sha = view.registration["agreement_sha256"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let agreement = match agreements.get(&sha) {
        Some(a) => a.clone(),
        None => Arc::new(load_stored_agreement(c, &sha)?.agreement),
    };
    let Some(r) = agreement
        .letting
        .as_ref()
        .and_then(|l| l.refugee_shared.as_ref())
    else {
        return Err(rule(format!(
            "the agreement {} has no refugee shared homes",
            agreement.id
        )));
    };
    let step = view.registration["step"].as_str().unwrap_or_default();
    let staircase = view.registration["staircase"].as_str().unwrap_or_default();
    if staircase != r.staircase.as_str() || step != r.step {
        return Err(rule(format!(
            "refugee shared homes only on {} step {} ({}); this department is on {staircase} step {step}",
            r.staircase.as_str(),
            r.step,
            r.places_per_year.source
        )));
    }
    let (from, to) = year_bounds(on.year())?;
    // The cap is across departments, whose resolutions otherwise run in
    // parallel on PostgreSQL: serialise the refugee lettings themselves.
    c.lock("trappe-refugee-shared-cap")?;
    let used = c
        .query(
            &format!("SELECT o.detail FROM vacancy_entry o WHERE o.kind = 'outcome' AND o.action = 'let' AND o.on_date >= $1 AND o.on_date <= $2 AND {LIVE}"),
            &[from.into(), to.into()],
        )?
        .iter()
        .filter(|r| r.text(0).is_ok_and(|t| t.contains("\"refugee_shared\":true")))
        .count() as u32;
    if used >= r.places_per_year.value {
        return Err(rule(format!(
            "the yearly cap of {} refugee shared places for {} is used ({}; {used} let)",
            r.places_per_year.value,
            on.year(),
            r.places_per_year.source
        )));
    }
    Ok(())
}

impl Store {
    /// The agreement a vacancy was registered under (from the store's cache of parsed
    /// agreements), so its slot's criteria can be shown by the file's labels and marks.
    pub fn vacancy_agreement(&mut self, v: &VacancyView) -> Option<Arc<Agreement>> {
        let sha = v.registration["agreement_sha256"].as_str()?;
        self.agreement(sha).ok()
    }
}
