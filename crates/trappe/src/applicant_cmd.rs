//! The applicant commands: check a household against the criteria, rank applicants
//! for a vacancy (stored, explainable later), check the limits on municipal
//! allocation (with recorded exceptions), and the retention of applicant data.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use serde_json::json;

use trappe_formats::agreement_file::sha256_hex;
use trappe_formats::applicant_text as at;
use trappe_formats::household::{read_applicants, read_household, schema};
use trappe_formats::text::{self, Lang};
use trappe_rules::agreement::{AllocationRule, Channel};
use trappe_rules::applicant::{
    self, allocation_limits, evaluate, rank, CriterionOutcome, RankVacancy, Ranked, Requirement,
};
use trappe_rules::Date;
use trappe_store::applicants::LettingContext;
use trappe_store::Store;

use crate::letting_cmd::{json as print_json, OutFormat, Output};
use crate::store_cmd::{actor, DbArgs};
use crate::LangArg;

/// Which vacancy, or which department, a command is about.
#[derive(Args, Clone)]
pub struct Target {
    /// A registered vacancy (trappe vacancy register): its slot and department decide.
    #[arg(long, conflicts_with = "department")]
    pub vacancy: Option<i64>,
    /// A department, with --on: its placement on that date decides (give this or
    /// --vacancy).
    #[arg(long, required_unless_present = "vacancy")]
    pub department: Option<String>,
    /// The agreement the department's placement must be made with (a check that the
    /// database holds what you expect).
    #[arg(long)]
    pub agreement: Option<String>,
    /// The takeover (or allocation) date; for a vacancy it defaults to the date the
    /// home became vacant.
    #[arg(long)]
    pub on: Option<Date>,
}

#[derive(Subcommand, Clone)]
pub enum ApplicantCommand {
    /// Check one household against every criterion (A1, A2, B1, C1, the four
    /// tightened) and the criteria sets of the department's step or the vacancy's slot.
    Check {
        #[command(flatten)]
        target: Target,
        /// The household (JSON; see docs/household.schema.json).
        #[arg(long)]
        household: PathBuf,
        #[command(flatten)]
        out: Output,
    },
    /// Rank applicants for a vacancy; the run is stored so each place can be explained.
    Rank {
        #[command(flatten)]
        target: Target,
        /// With --department: the slot's criteria set (A, B, A|B, tightened:relevant,
        /// tightened:all); without it, that of the step's wheel's flexible slots.
        #[arg(long, requires = "department")]
        criteria: Option<String>,
        /// With --department: the home is an accessibility home (C1 goes first).
        #[arg(long, requires = "department")]
        accessibility_home: bool,
        /// The applicants (JSON list; see docs/household.schema.json).
        #[arg(long)]
        applicants: PathBuf,
        /// This vacancy is offered to internal applicants first (intern oprykning,
        /// by default every second family home of the organisation).
        #[arg(long)]
        internal: bool,
        /// The organisation decided that internal applicants meet the flexible criteria
        /// also within their own department or area.
        #[arg(long)]
        internal_criteria_everywhere: bool,
        /// Rank and print without storing the run.
        #[arg(long)]
        dry_run: bool,
        /// Who ranks (kept with the run and in the audit log); defaults to $USER.
        #[arg(long)]
        actor: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// Show a stored ranking run, or one applicant's place in it and why.
    Explain {
        /// The ranking run's number (printed by `applicant rank`, listed by `applicant runs`).
        run: i64,
        /// Only this applicant (waiting-list number), with every criterion's reasons.
        #[arg(long)]
        applicant: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// List the stored ranking runs (of one vacancy).
    Runs {
        /// Only the runs for this vacancy.
        #[arg(long)]
        vacancy: Option<i64>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
    },
    /// Check the law's limits on municipal allocation into a designated area (bilag 5)
    /// for a household; the check (and an exception) is recorded.
    Limits {
        #[command(flatten)]
        target: Target,
        /// The household the municipality allocates (JSON, with the bilag 5 facts:
        /// eu_eea_swiss_citizen, releases with action_plan, benefits, …).
        #[arg(long)]
        household: PathBuf,
        /// The municipality's case reference for the citizen (not a CPR number).
        #[arg(long)]
        citizen: String,
        /// Allocate anyway, as an explicit exception (needs --note saying why no home
        /// outside the area could be found).
        #[arg(long, requires = "note")]
        exception: bool,
        /// Why no home outside the area could be found (with --exception).
        #[arg(long, requires = "exception")]
        note: Option<String>,
        /// Who checks (kept with the check and in the audit log); defaults to $USER.
        #[arg(long)]
        actor: Option<String>,
        #[command(flatten)]
        out: Output,
    },
    /// List the recorded allocation checks (exceptions only with --exceptions).
    Checks {
        /// Only the checks recorded as exceptions.
        #[arg(long)]
        exceptions: bool,
        #[command(flatten)]
        out: Output,
    },
    /// Show or set the retention period of applicant data (days).
    Retention {
        /// Set the period, in days (1 to 3,650).
        #[arg(long)]
        set: Option<i64>,
        /// Who sets it (audit log); defaults to $USER.
        #[arg(long)]
        actor: Option<String>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
    },
    /// Delete ranking runs and allocation checks older than the retention period.
    Purge {
        /// Count what would be deleted, delete nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who purges (audit log); defaults to $USER.
        #[arg(long)]
        actor: Option<String>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
    },
    /// Print the JSON schema of household and applicants files.
    Schema,
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Da => Lang::Da,
        LangArg::En => Lang::En,
    }
}

/// The largest household or applicants file read (64 MB; 20,000 applicants take about
/// 9 MB).
const MAX_APPLICANTS_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a JSON file: within the size limit, UTF-8, a bad byte named by line and column.
fn read_text(path: &Path) -> Result<String> {
    let bytes = trappe_formats::table_in::read_input_file(path, MAX_APPLICANTS_BYTES)?;
    String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
        anyhow::anyhow!(
            "{} line {line}, column {column}: the byte 0x{:02X} is not UTF-8; JSON files are UTF-8 — save the file again as UTF-8",
            path.display(),
            e.as_bytes()[before.len()]
        )
    })
}

/// The vacancy's or the department's context, checked against --agreement.
fn context(store: &mut Store, t: &Target) -> Result<LettingContext> {
    let ctx = match (t.vacancy, &t.department) {
        (Some(v), _) => store.vacancy_context(v, t.on)?,
        (None, Some(d)) => {
            let on = t.on.context("--on is needed with --department")?;
            store.department_context(d, on)?
        }
        (None, None) => bail!("give --vacancy or --department"),
    };
    if let Some(a) = &t.agreement {
        let id = Path::new(a)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(a);
        if ctx.agreement.id != *a && ctx.agreement.id != id {
            bail!(
                "department {} is placed by agreement {} on {}, not {a}",
                ctx.department,
                ctx.agreement.id,
                ctx.on
            );
        }
    }
    agreement_rules(&ctx)?;
    Ok(ctx)
}

fn step_label(ctx: &LettingContext, l: Lang) -> String {
    text::step_name(ctx.staircase, &ctx.step, l)
}

fn outcome_json(o: &CriterionOutcome, l: Lang) -> serde_json::Value {
    json!({
        "criterion": o.criterion.as_str(),
        "name": at::criterion(o.criterion, l),
        "met": o.met,
        "reasons": o.findings.iter().map(|f| at::finding(f, l)).collect::<Vec<_>>(),
        "findings": o.findings,
        "documents": o.documents.iter().map(|d| json!({
            "member": d.member,
            "kind": d.kind,
            "name": at::document(d.kind, l),
            "seen_on": d.seen_on,
        })).collect::<Vec<_>>(),
        "documents_complete": o.documents_complete,
        "source": o.source,
    })
}

fn requirement_reasons(req: &Requirement, outcomes: &[CriterionOutcome], l: Lang) -> Vec<String> {
    let name = |c: &applicant::CriterionId| at::criterion(*c, l).to_string();
    let status = |c: &applicant::CriterionId| outcomes.iter().any(|o| o.criterion == *c && o.met);
    let mut out = Vec::new();
    if !req.any_of.is_empty() {
        let met: Vec<String> = req.any_of.iter().filter(|c| status(c)).map(name).collect();
        let all: Vec<String> = req.any_of.iter().map(name).collect();
        out.push(match (l, met.is_empty()) {
            (Lang::Da, false) => format!(
                "mindst ét af {}: opfyldt ({})",
                all.join(", "),
                met.join(", ")
            ),
            (Lang::Da, true) => format!("mindst ét af {}: ingen opfyldt", all.join(", ")),
            (Lang::En, false) => format!(
                "at least one of {}: met ({})",
                all.join(", "),
                met.join(", ")
            ),
            (Lang::En, true) => format!("at least one of {}: none met", all.join(", ")),
        });
    }
    for c in &req.all_of {
        let ok = status(c);
        out.push(match (l, ok) {
            (Lang::Da, true) => format!("{}: opfyldt for alle i aldersgruppen", name(c)),
            (Lang::Da, false) => format!("{}: ikke opfyldt", name(c)),
            (Lang::En, true) => format!("{}: met for everyone in the age group", name(c)),
            (Lang::En, false) => format!("{}: not met", name(c)),
        });
    }
    if req.any_of.is_empty() && req.all_of.is_empty() {
        out.push(
            at_pick(
                l,
                "ingen kriterier: almindelig venteliste",
                "no criteria: ordinary waiting list",
            )
            .into(),
        );
    }
    out
}

fn at_pick(l: Lang, da: &'static str, en: &'static str) -> &'static str {
    match l {
        Lang::Da => da,
        Lang::En => en,
    }
}

/// The requirements to show for a check: the vacancy's slot, or each criteria set of
/// the department's step.
fn requirements(ctx: &LettingContext) -> Result<Vec<Requirement>> {
    let req = |channel: Channel, set: Option<&str>| requirement_for(ctx, channel, set);
    match ctx.channel {
        Some(channel) => Ok(vec![req(channel, ctx.criteria.as_deref())?]),
        None => {
            let sets = ctx.wheel_criteria_sets();
            if sets.is_empty() {
                return Ok(vec![req(Channel::WaitingList, None)?]);
            }
            Ok(sets
                .iter()
                .map(|s| req(Channel::Flexible, Some(s)))
                .collect::<Result<_, _>>()?)
        }
    }
}

/// What a slot with `channel` and `set` requires in the context's department, with the
/// criteria that apply there whatever the slot [CPH 6.1.6].
pub(crate) fn requirement_for(
    ctx: &LettingContext,
    channel: Channel,
    set: Option<&str>,
) -> Result<Requirement, applicant::RequirementError> {
    let (always, source) = ctx.always_tightened();
    Ok(applicant::requirement(
        channel,
        set,
        ctx.staircase,
        &ctx.step,
        &ctx.tightened,
        ctx.accessibility_home,
        &ctx.step_source(),
    )?
    .and_tightened(&always, &source))
}

/// Why these criteria apply here: the area's challenges on area step 1, the
/// development-plan transition.
pub(crate) fn context_lines(ctx: &LettingContext, l: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if ctx.staircase == trappe_rules::agreement::Staircase::Area && ctx.step == "1" {
        if ctx.tightened.is_empty() {
            out.push(at_pick(l, "Området er ikke inden for risikozonen på nogen parameter: de almindelige A-kriterier gælder [CPH 6.1.2]", "The area is inside the risk zone on no parameter: the ordinary A criteria apply [CPH 6.1.2]").to_string());
        } else {
            let names: Vec<&str> = ctx
                .tightened
                .iter()
                .map(|c| text::criterion(*c, l))
                .collect();
            out.push(match l {
                Lang::Da => format!("Området er inden for risikozonen på: {} – de tilsvarende skærpede kriterier gælder [CPH 6.1.2]", names.join(", ")),
                Lang::En => format!("The area is inside the risk zone on: {} – the matching tightened criteria apply [CPH 6.1.2]", names.join(", ")),
            });
            if ctx
                .tightened
                .contains(&trappe_rules::criteria::Criterion::Unemployment)
            {
                out.push(at_pick(l, "Det skærpede beskæftigelseskriterium erstatter A-kriterierne: alle indflyttere på 18–64 år skal være i arbejde eller under uddannelse [CPH 6.1.2]", "The tightened employment criterion replaces the A criteria: everyone moving in aged 18–64 must work or be in education [CPH 6.1.2]").to_string());
            }
        }
    }
    if let Some(d) = &ctx.development_plan {
        out.push(match l {
            Lang::Da => format!("Område {} er et tidligere omdannelsesområde med udviklingsplan: den boligsociale anvisning er suspenderet i overgangsperioden [{}]", d.area_id, d.suspension_source),
            Lang::En => format!("Area {} is a former transformation area under a development plan: municipal allocation is suspended during the transition [{}]", d.area_id, d.suspension_source),
        });
        if d.convictions_criterion {
            out.push(match l {
                Lang::Da => format!("Andelen af dømte i område {} er over grænsen for forebyggelsesområder: dømte-kriteriet gælder alle ansøgere [{}]", d.area_id, d.source),
                Lang::En => format!("The share of convicted residents in area {} is above the prevention-area threshold: the convictions criterion applies to every applicant [{}]", d.area_id, d.source),
            });
        }
    }
    out
}

/// Warns on stderr when the income threshold in force is more than a year old (it is
/// adjusted yearly; newer values belong in the agreement file).
fn warn_old_threshold(rules: &applicant::ApplicantRules, on: Date, l: Lang) {
    if let Some(t) = applicant::income_threshold(rules, on) {
        if (on - t.from).num_days() > 366 {
            eprintln!("{}", match l {
                Lang::Da => format!("advarsel: indkomstgrænsen {} er fra {}; den reguleres årligt – tilføj den nyere værdi i aftalefilens income_thresholds", at::kr(t.amount, l), t.from),
                Lang::En => format!("warning: the income threshold {} is from {}; it is adjusted yearly – add the newer value to the agreement file's income_thresholds", at::kr(t.amount, l), t.from),
            });
        }
    }
}

fn print_outcomes(outcomes: &[CriterionOutcome], l: Lang, indent: &str) {
    for o in outcomes {
        let mark = if o.met { "✓" } else { "✗" };
        say!(
            "{indent}{mark} {} [{}]",
            at::criterion(o.criterion, l),
            o.source
        );
        for f in &o.findings {
            let m = if f.met { "+" } else { "-" };
            say!("{indent}    {m} {}", at::finding(f, l));
        }
        if o.met && !o.documents.is_empty() {
            say!("{indent}    {}:", at_pick(l, "dokumentation", "documents"));
            for d in &o.documents {
                let seen = match d.seen_on {
                    Some(s) => format!("{} {s}", at_pick(l, "set", "seen")),
                    None => at_pick(l, "mangler", "missing").to_string(),
                };
                say!(
                    "{indent}      {} {}: {} ({seen})",
                    at_pick(l, "medlem", "member"),
                    d.member,
                    at::document(d.kind, l)
                );
            }
        }
    }
}

/// The agreement's `[applicants]` section, or an error naming the agreement.
fn agreement_rules(ctx: &LettingContext) -> Result<&applicant::ApplicantRules> {
    ctx.agreement.applicants.as_ref().with_context(|| {
        format!(
            "agreement {} has no [applicants] section: its criteria are not defined",
            ctx.agreement.id
        )
    })
}

pub fn run(db: &DbArgs, command: ApplicantCommand) -> Result<()> {
    match command {
        ApplicantCommand::Schema => crate::emit(None, schema().as_bytes()),
        ApplicantCommand::Check {
            target,
            household,
            out,
        } => {
            let l = lang(out.lang);
            let mut store = db.open()?;
            let ctx = context(&mut store, &target)?;
            let file = household.display().to_string();
            let h = read_household(&file, &read_text(&household)?, ctx.on)?;
            let rules = agreement_rules(&ctx)?;
            let outcomes = evaluate(rules, &h, ctx.on);
            let reqs = requirements(&ctx)?;
            warn_old_threshold(rules, ctx.on, l);
            if out.format == OutFormat::Json {
                return print_json(&json!({
                    "department": ctx.department,
                    "vacancy": ctx.vacancy,
                    "on": ctx.on,
                    "agreement": ctx.agreement.id,
                    "staircase": ctx.staircase.as_str(),
                    "step": ctx.step,
                    "tightened_criteria": ctx.tightened,
                    "context": context_lines(&ctx, l),
                    "development_plan": ctx.development_plan,
                    "criteria_sets": reqs.iter().map(|r| json!({
                        "set": r.criteria_set,
                        "met": r.met(&outcomes),
                        "any_of": r.any_of,
                        "all_of": r.all_of,
                        "reasons": requirement_reasons(r, &outcomes, l),
                        "source": r.source,
                    })).collect::<Vec<_>>(),
                    "criteria": outcomes.iter().map(|o| outcome_json(o, l)).collect::<Vec<_>>(),
                }));
            }
            say!(
                "{} {}, {} ({}), {} {}",
                at_pick(l, "Afdeling", "Department"),
                ctx.department,
                step_label(&ctx, l),
                ctx.agreement.id,
                at_pick(l, "overtagelse", "takeover"),
                ctx.on
            );
            if let Some(v) = ctx.vacancy {
                say!("{} {v}", at_pick(l, "Ledig bolig", "Vacancy"));
            }
            for line in context_lines(&ctx, l) {
                say!("{line}");
            }
            say!();
            for r in &reqs {
                let set = at::criteria_set(r.criteria_set.as_deref(), l);
                let met = if r.met(&outcomes) {
                    at_pick(l, "OPFYLDT", "MET")
                } else {
                    at_pick(l, "IKKE OPFYLDT", "NOT MET")
                };
                say!("{} {set}: {met}", at_pick(l, "Kriteriesæt", "Criteria set"));
                for line in requirement_reasons(r, &outcomes, l) {
                    say!("  {line}");
                }
            }
            say!();
            print_outcomes(&outcomes, l, "");
            Ok(())
        }
        ApplicantCommand::Rank {
            target,
            criteria,
            accessibility_home,
            applicants,
            internal,
            internal_criteria_everywhere,
            dry_run,
            actor: who,
            out,
        } => {
            let l = lang(out.lang);
            let mut store = db.open()?;
            let mut ctx = context(&mut store, &target)?;
            if ctx.vacancy.is_some() && (criteria.is_some() || accessibility_home) {
                bail!("--criteria and --accessibility-home go with --department; a vacancy's slot and home decide them");
            }
            if let Some(set) = &criteria {
                let allowed = ctx.wheel_criteria_sets();
                if !allowed.contains(set) {
                    bail!(
                        "criteria set {set:?} is not used on {} on {} (its wheel lets by {}): rank by one of those",
                        step_label(&ctx, Lang::En),
                        ctx.on,
                        if allowed.is_empty() { "no flexible criteria".to_string() } else { allowed.join(", ") }
                    );
                }
            }
            if ctx.vacancy.is_none() {
                ctx.criteria = criteria.or_else(|| ctx.default_criteria());
                ctx.channel = Some(if ctx.criteria.is_some() {
                    Channel::Flexible
                } else {
                    Channel::WaitingList
                });
                ctx.accessibility_home = accessibility_home;
            }
            let channel = ctx.channel.unwrap_or(Channel::WaitingList);
            let req = requirement_for(&ctx, channel, ctx.criteria.as_deref())?;
            let file = applicants.display().to_string();
            let text = read_text(&applicants)?;
            let mut households = read_applicants(&file, &text, ctx.on)?;
            internal_areas(&mut store, &file, &mut households)?;
            let rules = agreement_rules(&ctx)?;
            warn_old_threshold(rules, ctx.on, l);
            let ranked = rank(
                rules,
                &RankVacancy {
                    department: &ctx.department,
                    area: ctx.area.as_deref(),
                    on: ctx.on,
                    requirement: &req,
                    internal_priority: internal,
                    internal_criteria_everywhere,
                },
                &households,
            );
            let run = if dry_run {
                None
            } else {
                Some(store.store_ranking(
                    &ctx,
                    &req,
                    &sha256_hex(text.as_bytes()),
                    &ranked,
                    &actor(who.as_deref()),
                )?)
            };
            if out.format == OutFormat::Json {
                return print_json(&json!({
                    "run": run,
                    "vacancy": ctx.vacancy,
                    "department": ctx.department,
                    "on": ctx.on,
                    "staircase": ctx.staircase.as_str(),
                    "step": ctx.step,
                    "requirement": req,
                    "ranking": ranked.iter().map(|r| ranked_json(r, l)).collect::<Vec<_>>(),
                }));
            }
            print_ranking(
                &ctx.department,
                ctx.vacancy,
                ctx.on,
                &step_label(&ctx, l),
                &req,
                &ranked,
                l,
            );
            match run {
                Some(id) => eprintln!(
                    "{} {id}: trappe applicant explain {id} --applicant ID",
                    at_pick(l, "gemt som rangliste", "stored as ranking")
                ),
                None => eprintln!(
                    "{}",
                    at_pick(l, "ikke gemt (--dry-run)", "not stored (--dry-run)")
                ),
            }
            Ok(())
        }
        ApplicantCommand::Explain {
            run,
            applicant: who,
            out,
        } => {
            let l = lang(out.lang);
            let mut store = db.open()?;
            let r = store.ranking(run)?;
            let entries: Vec<&Ranked> = match &who {
                Some(id) => {
                    let e: Vec<&Ranked> = r.ranking.iter().filter(|x| &x.applicant == id).collect();
                    if e.is_empty() {
                        bail!("applicant {id} is not in ranking run {run}");
                    }
                    e
                }
                None => r.ranking.iter().collect(),
            };
            if out.format == OutFormat::Json {
                return print_json(&json!({
                    "run": r.id,
                    "vacancy": r.vacancy,
                    "department": r.department_id,
                    "on": r.on,
                    "staircase": r.staircase,
                    "step": r.step,
                    "requirement": r.requirement,
                    "agreement_sha256": r.agreement_sha256,
                    "inputs_sha256": r.inputs_sha256,
                    "created_at": r.created_at,
                    "created_by": r.created_by,
                    "of": r.applicants,
                    "ranking": entries.iter().map(|x| ranked_json(x, l)).collect::<Vec<_>>(),
                }));
            }
            let staircase = r.staircase;
            say!(
                "{} {} ({} {}, {} {}, {} {})",
                at_pick(l, "Rangliste", "Ranking"),
                r.id,
                r.created_at.format("%Y-%m-%d %H:%M"),
                r.created_by,
                at_pick(l, "inddata", "inputs"),
                &r.inputs_sha256[..12.min(r.inputs_sha256.len())],
                r.applicants,
                at_pick(l, "ansøgere", "applicants")
            );
            let owned: Vec<Ranked> = entries.into_iter().cloned().collect();
            print_ranking(
                &r.department_id,
                r.vacancy,
                r.on,
                &text::step_name(staircase, &r.step, l),
                &r.requirement,
                &owned,
                l,
            );
            if who.is_some() {
                for x in &owned {
                    say!();
                    print_outcomes(&x.outcomes, l, "  ");
                }
            }
            Ok(())
        }
        ApplicantCommand::Runs { vacancy, lang: la } => {
            let l = lang(la);
            let mut store = db.open()?;
            let runs = store.ranking_runs(vacancy)?;
            say!(
                "{:>5}  {:>7}  {:<12} {:<10} {:>5}  {:<16} {}",
                at_pick(l, "liste", "run"),
                at_pick(l, "bolig", "vacancy"),
                at_pick(l, "afdeling", "department"),
                at_pick(l, "overtagelse", "takeover"),
                at_pick(l, "ans.", "appl."),
                at_pick(l, "lavet", "made"),
                at_pick(l, "af", "by")
            );
            for r in runs {
                say!(
                    "{:>5}  {:>7}  {:<12} {:<10} {:>5}  {:<16} {}",
                    r.id,
                    r.vacancy
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "-".into()),
                    r.department_id,
                    r.on.to_string(),
                    r.applicants,
                    r.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    r.created_by
                );
            }
            Ok(())
        }
        ApplicantCommand::Limits {
            target,
            household,
            citizen,
            exception,
            note,
            actor: who,
            out,
        } => {
            let l = lang(out.lang);
            let mut store = db.open()?;
            let ctx = context(&mut store, &target)?;
            if let (Some(v), Some(channel)) = (ctx.vacancy, ctx.channel) {
                if channel != Channel::MunicipalAllocation {
                    bail!(
                        "vacancy {v} is with {}, not the municipal allocation: no allocation to check",
                        text::channel(channel, Lang::En)
                    );
                }
            }
            let file = household.display().to_string();
            let h = read_household(&file, &read_text(&household)?, ctx.on)?;
            let rules = agreement_rules(&ctx)?;
            let (_, status) = store.area_status(&ctx.department, ctx.on)?;
            let mut outcome =
                allocation_limits(&rules.limits, status, &h, ctx.on).map_err(|e| {
                    anyhow::anyhow!(
                        "{file}: applicant {}, field members[{}].{}: needed for the limit {:?}",
                        h.id.as_deref().unwrap_or("#1"),
                        e.member - 1,
                        e.field,
                        e.limit
                    )
                })?;
            // The agreement may suspend allocation altogether: on a step (CPH: area
            // step 2) or in a former omdannelse area's transition [CPH 6.1.6]. The law's
            // exception (bilag 5) is for its own limits and does not lift that.
            let suspension: Option<String> = if ctx
                .agreement
                .step_rule(ctx.staircase, &ctx.step, ctx.on)
                .is_some_and(|r| r.municipal_allocation == AllocationRule::Suspended)
            {
                Some(format!("{} [{}]", step_label(&ctx, l), ctx.step_source()))
            } else {
                ctx.development_plan.as_ref().map(|d| {
                    format!(
                        "{} [{}]",
                        at_pick(
                            l,
                            "tidligere omdannelsesområde med udviklingsplan",
                            "former transformation area under a development plan"
                        ),
                        d.suspension_source
                    )
                })
            };
            let law_allows = outcome.allowed;
            if exception && law_allows {
                match &suspension {
                    Some(why) => bail!(
                        "the agreement suspends municipal allocation here ({why}); the law's exception for its limits (bilag 5) does not lift that"
                    ),
                    None => bail!("no limit stands in the way of this allocation: no exception to record (leave out --exception)"),
                }
            }
            outcome.allowed = law_allows && suspension.is_none();
            let suspended = suspension.is_some();
            let allowed = outcome.allowed;
            let id = store.record_allocation_check(
                &ctx,
                &citizen,
                &outcome,
                suspension.as_deref(),
                if exception { note.as_deref() } else { None },
                &actor(who.as_deref()),
            )?;
            let limit_text = |lid: &str| {
                rules
                    .limits
                    .limits
                    .iter()
                    .find(|x| x.id == lid)
                    .map(|x| at::limit(x, l))
                    .unwrap_or_else(|| lid.to_string())
            };
            if out.format == OutFormat::Json {
                return print_json(&json!({
                    "check": id,
                    "department": ctx.department,
                    "area": ctx.area,
                    "area_status": outcome.area,
                    "on": ctx.on,
                    "agreement_suspends_allocation": suspended,
                    "allowed": allowed,
                    "exception": exception,
                    "checked": outcome.checked.iter().map(|c| json!({"limit": c, "text": limit_text(c)})).collect::<Vec<_>>(),
                    "hits": outcome.hits.iter().map(|h| json!({"limit": h.limit, "member": h.member, "text": limit_text(&h.limit), "source": h.source})).collect::<Vec<_>>(),
                }));
            }
            say!(
                "{} {} ({}), {}: {}",
                at_pick(l, "Afdeling", "Department"),
                ctx.department,
                ctx.area.as_deref().unwrap_or("-"),
                ctx.on,
                at::area_status(outcome.area, l)
            );
            if let Some(why) = &suspension {
                say!(
                    "  {}: {why}",
                    at_pick(
                        l,
                        "Aftalen suspenderer den boligsociale anvisning her",
                        "The agreement suspends municipal allocation here"
                    )
                );
            }
            for c in &outcome.checked {
                let hit: Vec<String> = outcome
                    .hits
                    .iter()
                    .filter(|h| &h.limit == c)
                    .map(|h| h.member.to_string())
                    .collect();
                if hit.is_empty() {
                    say!(
                        "  ✓ {}: {}",
                        at_pick(l, "gælder ingen", "applies to nobody"),
                        limit_text(c)
                    );
                } else {
                    say!(
                        "  ✗ {} {}: {}",
                        at_pick(l, "rammer medlem", "applies to member"),
                        hit.join(", "),
                        limit_text(c)
                    );
                }
            }
            let verdict = match (allowed, exception) {
                (true, _) => at_pick(l, "Anvisning mulig", "Allocation allowed"),
                (false, false) if law_allows => at_pick(
                    l,
                    "Anvisning ikke mulig: aftalen suspenderer anvisningen her",
                    "Allocation not allowed: the agreement suspends allocation here",
                ),
                (false, true) => at_pick(
                    l,
                    "Anvist som undtagelse (registreret)",
                    "Allocated as an exception (recorded)",
                ),
                (false, false) => at_pick(
                    l,
                    "Anvisning ikke mulig; kun som registreret undtagelse (--exception --note)",
                    "Allocation not allowed; only as a recorded exception (--exception --note)",
                ),
            };
            say!("{verdict} [CPH B5] ({} {id})", at_pick(l, "tjek", "check"));
            Ok(())
        }
        ApplicantCommand::Checks { exceptions, out } => {
            let l = lang(out.lang);
            let mut store = db.open()?;
            let checks = store.allocation_checks(exceptions)?;
            if out.format == OutFormat::Json {
                return print_json(&checks);
            }
            say!(
                "{:>5}  {:<12} {:<12} {:<10} {:<10} {:<8} {:<10} {:<24} {}",
                at_pick(l, "tjek", "check"),
                at_pick(l, "borger", "citizen"),
                at_pick(l, "afdeling", "department"),
                at_pick(l, "område", "area"),
                at_pick(l, "dato", "date"),
                at_pick(l, "mulig", "allowed"),
                at_pick(l, "undtagelse", "exception"),
                at_pick(l, "begrænsninger/suspension", "limits hit/suspension"),
                at_pick(l, "note", "note")
            );
            for c in checks {
                let mut grounds: Vec<String> = c
                    .outcome
                    .hits
                    .iter()
                    .map(|h| {
                        format!(
                            "{} ({} {})",
                            h.limit,
                            at_pick(l, "medlem", "member"),
                            h.member
                        )
                    })
                    .collect();
                if let Some(s) = &c.suspended {
                    grounds.push(s.clone());
                }
                say!(
                    "{:>5}  {:<12} {:<12} {:<10} {:<10} {:<8} {:<10} {:<24} {}",
                    c.id,
                    c.citizen_ref,
                    c.department_id,
                    c.area_id.as_deref().unwrap_or("-"),
                    c.on.to_string(),
                    if c.outcome.allowed {
                        at_pick(l, "ja", "yes")
                    } else {
                        at_pick(l, "nej", "no")
                    },
                    if c.exception {
                        at_pick(l, "ja", "yes")
                    } else {
                        ""
                    },
                    grounds.join("; "),
                    c.note.unwrap_or_default()
                );
            }
            Ok(())
        }
        ApplicantCommand::Retention {
            set,
            actor: who,
            lang: la,
        } => {
            let l = lang(la);
            let mut store = db.open()?;
            if let Some(days) = set {
                if days > 3650 {
                    bail!("retention of {days} days: at most 3,650 (ten years); applicant data is kept no longer than a decision needs");
                }
                store.set_retention_days(days, &actor(who.as_deref()))?;
            }
            say!("{} {}", store.retention_days()?, at_pick(l, "dage", "days"));
            Ok(())
        }
        ApplicantCommand::Purge {
            dry_run,
            actor: who,
            lang: la,
        } => {
            let l = lang(la);
            let mut store = db.open()?;
            let p =
                store.purge_applicant_data(chrono::Utc::now(), dry_run, &actor(who.as_deref()))?;
            let before = p.before.format("%Y-%m-%d %H:%M");
            match l {
                Lang::Da => say!(
                    "{} {} ranglister ({} ansøgerplaceringer) og {} anvisningstjek fra før {before} (opbevaring {} dage)",
                    if dry_run { "ville slette" } else { "slettede" },
                    p.ranking_runs,
                    p.ranking_entries,
                    p.allocation_checks,
                    p.retention_days
                ),
                Lang::En => say!(
                    "{} {} ranking runs ({} applicant entries) and {} allocation checks made before {before} (retention {} days)",
                    if dry_run { "would delete" } else { "deleted" },
                    p.ranking_runs,
                    p.ranking_entries,
                    p.allocation_checks,
                    p.retention_days
                ),
            }
            Ok(())
        }
    }
}

/// An internal applicant's area is the area of the department it moves from, as the
/// database knows it: filled in where the file leaves it out, an error where the file
/// says otherwise.
pub(crate) fn internal_areas(
    store: &mut Store,
    file: &str,
    households: &mut [applicant::Household],
) -> Result<()> {
    for (i, h) in households.iter_mut().enumerate() {
        let who = h.id.clone().unwrap_or_else(|| format!("#{}", i + 1));
        if let Some(t) = h.internal.as_mut() {
            let known = store.department_area(&t.from_department).with_context(|| {
                format!("{file}: applicant {who}, field internal.from_department")
            })?;
            match (&t.from_area, &known) {
                (Some(given), Some(k)) if given != k => bail!(
                    "{file}: applicant {who}, field internal.from_area: {given:?}, but department {} lies in area {k}",
                    t.from_department
                ),
                (Some(given), None) => bail!(
                    "{file}: applicant {who}, field internal.from_area: {given:?}, but department {} lies in no housing area",
                    t.from_department
                ),
                _ => t.from_area = known,
            }
        }
    }
    Ok(())
}

fn ranked_json(r: &Ranked, l: Lang) -> serde_json::Value {
    json!({
        "position": r.position,
        "applicant": r.applicant,
        "seniority": r.seniority,
        "tier": r.tier,
        "tier_text": at::tier(r.tier, l),
        "meets": r.meets,
        "accessibility_priority": r.accessibility_priority,
        "why": r.why,
        "reasons": r.why.iter().map(|w| at::rank_why(w, l)).collect::<Vec<_>>(),
        "criteria": r.outcomes.iter().map(|o| outcome_json(o, l)).collect::<Vec<_>>(),
    })
}

fn print_ranking(
    department: &str,
    vacancy: Option<i64>,
    on: Date,
    step: &str,
    req: &Requirement,
    ranked: &[Ranked],
    l: Lang,
) {
    let set = at::criteria_set(req.criteria_set.as_deref(), l);
    match vacancy {
        Some(v) => say!(
            "{} {v}, {} {department}, {step}: {set} ({} {on})",
            at_pick(l, "Ledig bolig", "Vacancy"),
            at_pick(l, "afdeling", "department"),
            at_pick(l, "overtagelse", "takeover")
        ),
        None => say!(
            "{} {department}, {step}: {set} ({} {on})",
            at_pick(l, "Afdeling", "Department"),
            at_pick(l, "overtagelse", "takeover")
        ),
    }
    say!(
        "{:>4}  {:<14} {:<11} {:<34} {}",
        "#",
        at_pick(l, "ansøger", "applicant"),
        at_pick(l, "anciennitet", "seniority"),
        at_pick(l, "placering", "standing"),
        at_pick(l, "begrundelse", "why")
    );
    for r in ranked {
        let why: Vec<String> = r.why.iter().map(|w| at::rank_why(w, l)).collect();
        say!(
            "{:>4}  {:<14} {:<11} {:<34} {}",
            r.position,
            r.applicant,
            r.seniority.to_string(),
            at::tier(r.tier, l),
            why.join("; ")
        );
        if !r.meets {
            let failed: Vec<String> = r
                .outcomes
                .iter()
                .filter(|o| {
                    !o.met
                        && (req.any_of.contains(&o.criterion) || req.all_of.contains(&o.criterion))
                })
                .flat_map(|o| {
                    o.findings.iter().filter(|f| !f.met).map(move |f| {
                        format!("{}: {}", at::criterion(o.criterion, l), at::finding(f, l))
                    })
                })
                .collect();
            for f in failed {
                say!("{:>4}  {:<14} {:<11} - {f}", "", "", "");
            }
        }
    }
}
