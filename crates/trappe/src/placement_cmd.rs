//! `trappe placement`: the re-placement proposal and the decisions on the placement in
//! force — a re-placement approved by Samarbejdsforum [CPH 6.2], the municipality's
//! tightened criteria for a newly designated prevention area [CPH 6.1.5].

use std::io::Write;

use anyhow::{bail, Result};
use clap::Subcommand;
use trappe_formats::{text, Lang};
use trappe_rules::Date;
use trappe_store::placement_decisions::{CriteriaChoice, DecisionReport, NewDecision, Proposal};

use crate::store_cmd::{actor, DbArgs};
use crate::{emit, LangArg, VERSION};

#[derive(Subcommand, Clone)]
pub enum PlacementCommand {
    /// The re-placement proposal on a date (default today): the departments whose
    /// computed step differs from the one in force (held until approved), and those of
    /// newly designated prevention areas awaiting the decision on their criteria.
    Proposal {
        #[arg(long)]
        on: Option<Date>,
        #[arg(long)]
        municipality: Option<String>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        #[arg(long)]
        json: bool,
    },
    /// Record an approved re-placement (whole proposal or per department): from
    /// --from on, the approved departments are on their approved step.
    Approve {
        /// The date the approved placement is in force from.
        #[arg(long)]
        from: Date,
        /// The date of the approval (the meeting).
        #[arg(long)]
        decided_on: Date,
        /// The minutes' or case's reference.
        #[arg(long)]
        reference: String,
        /// Who approved (default: the agreement's `approved_by`).
        #[arg(long)]
        decided_by: Option<String>,
        /// Every move of the proposal in force on --from.
        #[arg(long, conflicts_with = "department")]
        all: bool,
        /// A department approved: ID (the proposal's step) or ID=STEP.
        #[arg(long, value_name = "ID[=STEP]")]
        department: Vec<String>,
        #[arg(long)]
        municipality: Option<String>,
        /// Who records it (for the audit log); defaults to $USER.
        #[arg(long)]
        actor: Option<String>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        #[arg(long)]
        json: bool,
    },
    /// Record the municipality's decision on the tightened criteria of departments in a
    /// newly designated prevention area.
    DecideCriteria {
        #[arg(long)]
        from: Date,
        #[arg(long)]
        decided_on: Date,
        #[arg(long)]
        reference: String,
        /// Who decided (default: "Kommunen").
        #[arg(long)]
        decided_by: Option<String>,
        /// The departments (default: every one awaiting the decision on --from).
        #[arg(long, value_name = "ID")]
        department: Vec<String>,
        /// The criteria: `proposed` (the risk zone's, the default), `none` (the ordinary
        /// criteria only) or a comma-separated list of unemployment, convictions,
        /// primary_education, income.
        #[arg(long, default_value = "proposed")]
        criteria: String,
        #[arg(long)]
        municipality: Option<String>,
        #[arg(long)]
        actor: Option<String>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        #[arg(long)]
        json: bool,
    },
    /// List the decisions recorded, withdrawn ones with who, when and why.
    Decisions {
        #[arg(long)]
        municipality: Option<String>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        #[arg(long)]
        json: bool,
    },
    /// Withdraw a wrong decision: it stays in the history, recorded as withdrawn, and the
    /// placements are recomputed from its date without it.
    Withdraw {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        actor: Option<String>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        #[arg(long)]
        json: bool,
    },
}

/// The municipality asked for, else the only one with a re-placement proposal, else
/// `None` (the store asks for it).
fn holding(store: &mut trappe_store::Store, given: Option<String>) -> Result<Option<String>> {
    if given.is_some() {
        return Ok(given);
    }
    Ok(match store.municipalities_holding()?.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    })
}

pub fn run(db: &DbArgs, command: PlacementCommand) -> Result<()> {
    let mut store = db.open()?;
    match command {
        PlacementCommand::Proposal {
            on,
            municipality,
            lang,
            json,
        } => {
            let on = on.unwrap_or_else(|| chrono::Local::now().date_naive());
            let municipality = holding(&mut store, municipality)?;
            let p = store.replacement_proposal(municipality.as_deref(), on)?;
            if json {
                emit(None, &serde_json::to_vec_pretty(&p)?)?;
            } else {
                print_proposal(&p, crate::lang(lang));
            }
        }
        PlacementCommand::Approve {
            from,
            decided_on,
            reference,
            decided_by,
            all,
            department,
            municipality,
            actor: who,
            lang,
            json,
        } => {
            let municipality = holding(&mut store, municipality)?;
            let p = store.replacement_proposal(municipality.as_deref(), from)?;
            if !all && department.is_empty() {
                bail!("say what was approved: --all (the whole proposal) or --department ID[=STEP] for each department");
            }
            let named: Vec<(String, Option<String>)> = department
                .iter()
                .map(|d| match d.split_once('=') {
                    Some((id, step)) => (id.trim().to_string(), Some(step.trim().to_string())),
                    None => (d.trim().to_string(), None),
                })
                .collect();
            let steps = p
                .approved_steps(all, &named)
                .map_err(|e| anyhow::anyhow!(trappe_app::text::not_proposed(&e, Lang::En)))?;
            if steps.is_empty() {
                bail!("the proposal in force on {from} moves no department: nothing to approve");
            }
            let decided_by = decided_by.or(p.approved_by.clone()).unwrap_or_default();
            let who = actor(who.as_deref());
            let r = store.record_placement_decision(&NewDecision {
                municipality: Some(&p.municipality),
                from,
                decided_by: &decided_by,
                decided_on,
                reference: &reference,
                steps,
                criteria: Vec::new(),
                actor: &who,
                program_version: VERSION,
            })?;
            report(&r, json, crate::lang(lang), false)?;
        }
        PlacementCommand::DecideCriteria {
            from,
            decided_on,
            reference,
            decided_by,
            department,
            criteria,
            municipality,
            actor: who,
            lang,
            json,
        } => {
            let municipality = holding(&mut store, municipality)?;
            let p = store.replacement_proposal(municipality.as_deref(), from)?;
            let named: Vec<String> = department.iter().map(|d| d.trim().to_string()).collect();
            let list = p
                .decided_criteria(&named, &parse_criteria(&criteria)?)
                .map_err(|e| anyhow::anyhow!(trappe_app::text::not_proposed(&e, Lang::En)))?;
            if list.is_empty() {
                bail!("no department awaits a decision on its criteria on {from}");
            }
            let who = actor(who.as_deref());
            let decided_by = decided_by.unwrap_or_else(|| "Kommunen".into());
            let r = store.record_placement_decision(&NewDecision {
                municipality: Some(&p.municipality),
                from,
                decided_by: &decided_by,
                decided_on,
                reference: &reference,
                steps: Vec::new(),
                criteria: list,
                actor: &who,
                program_version: VERSION,
            })?;
            report(&r, json, crate::lang(lang), false)?;
        }
        PlacementCommand::Decisions {
            municipality,
            lang,
            json,
        } => {
            let lang = crate::lang(lang);
            let list = store.placement_decisions(municipality.as_deref())?;
            if json {
                emit(None, &serde_json::to_vec_pretty(&list)?)?;
                return Ok(());
            }
            if list.is_empty() {
                eprintln!("no decisions recorded: `trappe placement approve` records one");
            }
            for d in list {
                let rows: Vec<String> = d
                    .rows
                    .iter()
                    .map(|r| match (&r.step, &r.criteria) {
                        (Some(s), _) => format!("{}={s}", r.department_id),
                        (None, Some(c)) => {
                            format!("{}: {}", r.department_id, text::criteria_list(c, lang))
                        }
                        _ => r.department_id.clone(),
                    })
                    .collect();
                let withdrawn = d.withdrawn.as_ref().map_or(String::new(), |(at, by, why)| {
                    format!(
                        "\t{} {} {} {by}: {why}",
                        lang.pick("trukket tilbage", "withdrawn"),
                        at.format("%Y-%m-%d %H:%M"),
                        lang.pick("af", "by")
                    )
                });
                say!(
                    "{}\t{}\t{} {}\t{} {} (ref. {})\t{}{}",
                    d.id,
                    d.municipality,
                    lang.pick("gældende fra", "in force from"),
                    d.decision.from,
                    d.decision.decided_by,
                    d.decision.decided_on,
                    d.decision.reference,
                    rows.join(", "),
                    withdrawn
                );
            }
        }
        PlacementCommand::Withdraw {
            id,
            reason,
            actor: who,
            lang,
            json,
        } => {
            let who = actor(who.as_deref());
            let r = store.withdraw_placement_decision(id, &reason, &who, VERSION)?;
            report(&r, json, crate::lang(lang), true)?;
        }
    }
    Ok(())
}

/// `proposed`, `none` or a comma-separated list of criteria.
fn parse_criteria(s: &str) -> Result<CriteriaChoice> {
    match s.trim() {
        "proposed" => Ok(CriteriaChoice::Proposed),
        "none" => Ok(CriteriaChoice::Ordinary),
        list => list
            .split(',')
            .map(|c| {
                let c = c.trim();
                serde_json::from_value(serde_json::Value::String(c.to_string())).map_err(|_| {
                    anyhow::anyhow!("--criteria: {c:?} is not a criterion; expected unemployment, convictions, primary_education or income (or `proposed`, `none`)")
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(CriteriaChoice::These),
    }
}

fn report(r: &DecisionReport, json: bool, lang: Lang, withdrawn: bool) -> Result<()> {
    if json {
        emit(None, &serde_json::to_vec_pretty(r)?)?;
        return Ok(());
    }
    // Each department's move in force, at the first date it shows (a later run is
    // compared with the one it replaces, which shows the same move again).
    let mut seen = std::collections::HashSet::new();
    let moves: Vec<(Date, &trappe_store::read::Change)> = r
        .runs
        .iter()
        .flat_map(|run| {
            run.changes
                .iter()
                .filter(|c| c.in_force)
                .map(move |c| (run.on_date, c))
        })
        .filter(|(_, c)| seen.insert(c.department_id.clone()))
        .collect();
    let municipality = trappe_app::text::municipality(&r.municipality, lang);
    say!(
        "{}",
        match (lang, withdrawn) {
            (Lang::Da, false) => format!(
                "Beslutning {} ({municipality}, {} afdeling(er)) gælder fra {}: {} placeringer genberegnet, {} afdeling(er) flyttet.",
                r.id,
                r.departments,
                r.from,
                r.runs.len(),
                moves.len()
            ),
            (Lang::En, false) => format!(
                "Decision {} ({municipality}, {} department(s)) in force from {}: {} placements recomputed, {} department(s) moved.",
                r.id,
                r.departments,
                r.from,
                r.runs.len(),
                moves.len()
            ),
            (Lang::Da, true) => format!(
                "Beslutning {} ({municipality}, gjaldt fra {}) er trukket tilbage: {} placeringer genberegnet, {} afdeling(er) flyttet tilbage.",
                r.id,
                r.from,
                r.runs.len(),
                moves.len()
            ),
            (Lang::En, true) => format!(
                "Decision {} ({municipality}, in force from {}) is withdrawn: {} placements recomputed, {} department(s) moved back.",
                r.id,
                r.from,
                r.runs.len(),
                moves.len()
            ),
        }
    );
    for (on, c) in moves {
        say!(
            "  {} {} {}: {} → {}",
            on,
            c.department_id,
            c.name,
            trappe_app::text::placement_before(c, lang),
            trappe_app::text::placement_after(c, lang)
        );
    }
    Ok(())
}

fn print_proposal(p: &Proposal, lang: Lang) {
    let da = lang == Lang::Da;
    let by = p.approved_by.clone().unwrap_or_else(|| "–".into());
    say!(
        "{}",
        if da {
            format!(
                "Forslag til omplacering, kommune {} pr. {} (placering pr. {}, kørsel {}): {} afdelinger, til godkendelse i {by}.",
                p.municipality, p.on, p.run_date, p.run_id, p.moves.len()
            )
        } else {
            format!(
                "Re-placement proposal, municipality {} on {} (placement of {}, run {}): {} departments, for approval by {by}.",
                p.municipality, p.on, p.run_date, p.run_id, p.moves.len()
            )
        }
    );
    for r in &p.moves {
        let computed = r.placement.computed.as_ref().map_or_else(
            || "–".into(),
            |c| text::step_name(c.staircase, &c.step, lang),
        );
        let why: Vec<String> = r
            .why
            .iter()
            .map(|w| trappe_app::text::change_why(w, lang))
            .collect();
        say!(
            "  {} {} ({}): {} → {}{}{}",
            r.department_id,
            r.name,
            r.organisation,
            text::step_name(r.placement.staircase, &r.placement.step, lang),
            computed,
            if why.is_empty() { "" } else { " — " },
            why.join("; ")
        );
    }
    if !p.awaiting.is_empty() {
        say!(
            "{}",
            if da {
                format!(
                    "Nyudpegede forebyggelsesområder, almindelige kriterier til kommunen beslutter: {} afdelinger.",
                    p.awaiting.len()
                )
            } else {
                format!(
                    "Newly designated prevention areas, ordinary criteria until the municipality decides: {} departments.",
                    p.awaiting.len()
                )
            }
        );
        for r in &p.awaiting {
            say!(
                "  {} {} ({}{}): {} {}",
                r.department_id,
                r.name,
                r.organisation,
                r.area_id
                    .as_deref()
                    .map(|a| format!(", {a}"))
                    .unwrap_or_default(),
                if da { "forslag:" } else { "proposal:" },
                text::criteria_list(r.criteria_proposed.as_deref().unwrap_or_default(), lang)
            );
        }
    }
}
