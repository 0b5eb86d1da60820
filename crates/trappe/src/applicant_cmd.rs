//! The applicant commands: check a household against the criteria, rank applicants
//! for a vacancy (stored, explainable later), check the limits on municipal
//! allocation (with recorded exceptions), and the retention of applicant data.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use serde_json::json;

use trappe_app::applicants;
use trappe_formats::applicant_text as at;
use trappe_formats::household::{read_household, schema};
use trappe_formats::text::{self, Lang};
use trappe_rules::agreement::{AllocationRule, Channel};
use trappe_rules::applicant::{
    allocation_limits, ApplicantRules, CriterionOutcome, DatedAmount, Ranked, Requirement,
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
    Check(CheckArgs),
    /// Rank applicants for a vacancy; the run is stored so each place can be explained.
    Rank(RankArgs),
    /// Show a stored ranking run, or one applicant's place in it and why.
    Explain(ExplainArgs),
    /// List the stored ranking runs (of one vacancy).
    Runs(RunsArgs),
    /// Check the law's limits on municipal allocation into a designated area (bilag 5)
    /// for a household; the check (and an exception) is recorded.
    Limits(LimitsArgs),
    /// List the recorded allocation checks (exceptions only with --exceptions).
    Checks(ChecksArgs),
    /// Show or set the retention period of applicant data (days).
    Retention(RetentionArgs),
    /// Delete ranking runs and allocation checks older than the retention period.
    Purge(PurgeArgs),
    /// Print the JSON schema of household and applicants files.
    Schema,
}

/// The arguments of `ApplicantCommand::Check`.
#[derive(clap::Args, Clone)]
pub struct CheckArgs {
    #[command(flatten)]
    target: Target,
    /// The household (JSON; see docs/household.schema.json).
    #[arg(long)]
    household: PathBuf,
    #[command(flatten)]
    out: Output,
}

/// The arguments of `ApplicantCommand::Rank`.
#[derive(clap::Args, Clone)]
pub struct RankArgs {
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
}

/// The arguments of `ApplicantCommand::Explain`.
#[derive(clap::Args, Clone)]
pub struct ExplainArgs {
    /// The ranking run's number (printed by `applicant rank`, listed by `applicant runs`).
    run: i64,
    /// Only this applicant (waiting-list number), with every criterion's reasons.
    #[arg(long)]
    applicant: Option<String>,
    #[command(flatten)]
    out: Output,
}

/// The arguments of `ApplicantCommand::Runs`.
#[derive(clap::Args, Clone)]
pub struct RunsArgs {
    /// Only the runs for this vacancy.
    #[arg(long)]
    vacancy: Option<i64>,
    #[arg(long, value_enum, default_value = "da")]
    lang: LangArg,
}

/// The arguments of `ApplicantCommand::Limits`.
#[derive(clap::Args, Clone)]
pub struct LimitsArgs {
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
}

/// The arguments of `ApplicantCommand::Checks`.
#[derive(clap::Args, Clone)]
pub struct ChecksArgs {
    /// Only the checks recorded as exceptions.
    #[arg(long)]
    exceptions: bool,
    #[command(flatten)]
    out: Output,
}

/// The arguments of `ApplicantCommand::Retention`.
#[derive(clap::Args, Clone)]
pub struct RetentionArgs {
    /// Set the period, in days (1 to 3,650).
    #[arg(long)]
    set: Option<i64>,
    /// Who sets it (audit log); defaults to $USER.
    #[arg(long)]
    actor: Option<String>,
    #[arg(long, value_enum, default_value = "da")]
    lang: LangArg,
}

/// The arguments of `ApplicantCommand::Purge`.
#[derive(clap::Args, Clone)]
pub struct PurgeArgs {
    /// Count what would be deleted, delete nothing.
    #[arg(long)]
    dry_run: bool,
    /// Who purges (audit log); defaults to $USER.
    #[arg(long)]
    actor: Option<String>,
    #[arg(long, value_enum, default_value = "da")]
    lang: LangArg,
}

fn lang(l: LangArg) -> Lang {
    crate::lang(l)
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
    Ok(applicants::context(
        store,
        &applicants::Target {
            vacancy: t.vacancy,
            department: t.department.clone(),
            agreement: t.agreement.clone(),
            on: t.on,
        },
    )?)
}

fn step_label(ctx: &LettingContext, l: Lang) -> String {
    text::step_title(Some(&ctx.agreement), ctx.staircase, &ctx.step, l)
}

fn outcome_json(
    rules: Option<&ApplicantRules>,
    o: &CriterionOutcome,
    l: Lang,
) -> serde_json::Value {
    json!({
        "criterion": o.criterion.as_str(),
        "name": at::criterion(rules, &o.criterion, l),
        "rule": at::criterion_rule(rules, &o.criterion, l),
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

/// Warns on stderr when the income threshold in force is more than a year old.
fn warn_old_threshold(old: Option<&DatedAmount>, l: Lang) {
    if let Some(t) = old {
        eprintln!("{}", at::old_threshold(t, l));
    }
}

fn print_outcomes(
    rules: Option<&ApplicantRules>,
    outcomes: &[CriterionOutcome],
    l: Lang,
    indent: &str,
) {
    for o in outcomes {
        let mark = if o.met { "✓" } else { "✗" };
        say!(
            "{indent}{mark} {} [{}]",
            at::criterion(rules, &o.criterion, l),
            o.source
        );
        let rule = at::criterion_rule(rules, &o.criterion, l);
        if !rule.is_empty() {
            say!("{indent}    {}: {rule}", l.pick("krav", "requires"));
        }
        for f in &o.findings {
            let m = if f.met { "+" } else { "-" };
            say!("{indent}    {m} {}", at::finding(f, l));
        }
        if o.met && !o.documents.is_empty() {
            say!("{indent}    {}:", l.pick("dokumentation", "documents"));
            for d in &o.documents {
                let seen = match d.seen_on {
                    Some(s) => format!("{} {s}", l.pick("set", "seen")),
                    None => l.pick("mangler", "missing").to_string(),
                };
                say!(
                    "{indent}      {} {}: {} ({seen})",
                    l.pick("medlem", "member"),
                    d.member,
                    at::document(d.kind, l)
                );
            }
        }
    }
}

pub fn run(db: &DbArgs, command: ApplicantCommand) -> Result<()> {
    match command {
        ApplicantCommand::Schema => crate::emit(None, schema().as_bytes()),
        ApplicantCommand::Check(args) => check(db, args),
        ApplicantCommand::Rank(args) => rank(db, args),
        ApplicantCommand::Explain(args) => explain(db, args),
        ApplicantCommand::Runs(args) => runs(db, args),
        ApplicantCommand::Limits(args) => limits(db, args),
        ApplicantCommand::Checks(args) => checks(db, args),
        ApplicantCommand::Retention(args) => retention(db, args),
        ApplicantCommand::Purge(args) => purge(db, args),
    }
}

fn check(db: &DbArgs, args: CheckArgs) -> Result<()> {
    let CheckArgs {
        target,
        household,
        out,
    } = args;
    let l = lang(out.lang);
    let mut store = db.open()?;
    let ctx = context(&mut store, &target)?;
    let file = household.display().to_string();
    let checked = applicants::check(&ctx, &file, &read_text(&household)?)?;
    let (outcomes, reqs) = (&checked.outcomes, &checked.requirements);
    let rules = ctx.agreement.applicants.as_ref();
    warn_old_threshold(checked.old_threshold.as_ref(), l);
    if out.format == OutFormat::Json {
        return print_json(&json!({
            "department": ctx.department,
            "vacancy": ctx.vacancy,
            "on": ctx.on,
            "agreement": ctx.agreement.id,
            "staircase": ctx.staircase.as_str(),
            "step": ctx.step,
            "tightened_criteria": ctx.tightened,
            "context": applicants::context_lines(&ctx, l),
            "development_plan": ctx.development_plan,
            "criteria_sets": reqs.iter().map(|r| json!({
                "set": r.criteria_set,
                "met": r.met(outcomes),
                "any_of": r.any_of,
                "all_of": r.all_of,
                "at_least": r.at_least,
                "reasons": applicants::requirement_reasons(rules, r, outcomes, l),
                "source": r.source,
            })).collect::<Vec<_>>(),
            "criteria": outcomes.iter().map(|o| outcome_json(rules, o, l)).collect::<Vec<_>>(),
        }));
    }
    say!(
        "{} {}, {} ({}), {} {}",
        l.pick("Afdeling", "Department"),
        ctx.department,
        step_label(&ctx, l),
        ctx.agreement.id,
        l.pick("overtagelse", "takeover"),
        ctx.on
    );
    if let Some(v) = ctx.vacancy {
        say!("{} {v}", l.pick("Ledig bolig", "Vacancy"));
    }
    for line in applicants::context_lines(&ctx, l) {
        say!("{line}");
    }
    say!();
    for r in reqs {
        let set = at::criteria_set(rules, r.criteria_set.as_deref(), l);
        let met = if r.met(outcomes) {
            l.pick("OPFYLDT", "MET")
        } else {
            l.pick("IKKE OPFYLDT", "NOT MET")
        };
        say!("{} {set}: {met}", l.pick("Kriteriesæt", "Criteria set"));
        for line in applicants::requirement_reasons(rules, r, outcomes, l) {
            say!("  {line}");
        }
    }
    say!();
    print_outcomes(rules, outcomes, l, "");
    Ok(())
}

fn rank(db: &DbArgs, args: RankArgs) -> Result<()> {
    let RankArgs {
        target,
        criteria,
        accessibility_home,
        applicants,
        internal,
        internal_criteria_everywhere,
        dry_run,
        actor: who,
        out,
    } = args;
    let l = lang(out.lang);
    let mut store = db.open()?;
    let ctx = context(&mut store, &target)?;
    let file = applicants.display().to_string();
    let text = read_text(&applicants)?;
    let who = actor(who.as_deref());
    let applicants::Ranking {
        ctx,
        requirement: req,
        ranked,
        run,
        old_threshold,
    } = applicants::rank_applicants(
        &mut store,
        ctx,
        &applicants::RankInput {
            file: &file,
            text: &text,
            criteria,
            accessibility_home,
            internal,
            internal_criteria_everywhere,
            keep: !dry_run,
            actor: &who,
        },
    )?;
    let rules = ctx.agreement.applicants.as_ref();
    warn_old_threshold(old_threshold.as_ref(), l);
    if out.format == OutFormat::Json {
        return print_json(&json!({
            "run": run,
            "vacancy": ctx.vacancy,
            "department": ctx.department,
            "on": ctx.on,
            "staircase": ctx.staircase.as_str(),
            "step": ctx.step,
            "requirement": req,
            "ranking": ranked.iter().map(|r| ranked_json(rules, r, l)).collect::<Vec<_>>(),
        }));
    }
    print_ranking(
        rules,
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
            l.pick("gemt som rangliste", "stored as ranking")
        ),
        None => eprintln!(
            "{}",
            l.pick("ikke gemt (--dry-run)", "not stored (--dry-run)")
        ),
    }
    Ok(())
}

fn explain(db: &DbArgs, args: ExplainArgs) -> Result<()> {
    let ExplainArgs {
        run,
        applicant: who,
        out,
    } = args;
    let l = lang(out.lang);
    let mut store = db.open()?;
    let r = store.ranking(run)?;
    // The labels come from the agreement the ranking was made under.
    let agreement = store.agreement(&r.agreement_sha256).ok();
    let rules = agreement.as_ref().and_then(|a| a.applicants.as_ref());
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
            "ranking": entries.iter().map(|x| ranked_json(rules, x, l)).collect::<Vec<_>>(),
        }));
    }
    let staircase = r.staircase;
    say!(
        "{} {} ({} {}, {} {}, {} {})",
        l.pick("Rangliste", "Ranking"),
        r.id,
        r.created_at.format("%Y-%m-%d %H:%M"),
        r.created_by,
        l.pick("inddata", "inputs"),
        &r.inputs_sha256[..12.min(r.inputs_sha256.len())],
        r.applicants,
        l.pick("ansøgere", "applicants")
    );
    let owned: Vec<Ranked> = entries.into_iter().cloned().collect();
    print_ranking(
        rules,
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
            print_outcomes(rules, &x.outcomes, l, "  ");
        }
    }
    Ok(())
}

fn runs(db: &DbArgs, args: RunsArgs) -> Result<()> {
    let RunsArgs { vacancy, lang: la } = args;
    let l = lang(la);
    let mut store = db.open()?;
    let runs = store.ranking_runs(vacancy)?;
    say!(
        "{:>5}  {:>7}  {:<12} {:<10} {:>5}  {:<16} {}",
        l.pick("liste", "run"),
        l.pick("bolig", "vacancy"),
        l.pick("afdeling", "department"),
        l.pick("overtagelse", "takeover"),
        l.pick("ans.", "appl."),
        l.pick("lavet", "made"),
        l.pick("af", "by")
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

fn limits(db: &DbArgs, args: LimitsArgs) -> Result<()> {
    let LimitsArgs {
        target,
        household,
        citizen,
        exception,
        note,
        actor: who,
        out,
    } = args;
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
    let limits = applicants::rules(&ctx)?.limits.as_ref().ok_or_else(|| {
        anyhow::anyhow!(
            "agreement {} has no [applicants.allocation_limits]: no allocation limits to check",
            ctx.agreement.id
        )
    })?;
    let (_, status) = store.area_status(&ctx.department, ctx.on)?;
    let mut outcome = allocation_limits(limits, status, &h, ctx.on).map_err(|e| {
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
                l.pick(
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
        limits
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
        l.pick("Afdeling", "Department"),
        ctx.department,
        ctx.area.as_deref().unwrap_or("-"),
        ctx.on,
        at::area_status(outcome.area, l)
    );
    if let Some(why) = &suspension {
        say!(
            "  {}: {why}",
            l.pick(
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
                l.pick("gælder ingen", "applies to nobody"),
                limit_text(c)
            );
        } else {
            say!(
                "  ✗ {} {}: {}",
                l.pick("rammer medlem", "applies to member"),
                hit.join(", "),
                limit_text(c)
            );
        }
    }
    let verdict = match (allowed, exception) {
        (true, _) => l.pick("Anvisning mulig", "Allocation allowed"),
        (false, false) if law_allows => l.pick(
            "Anvisning ikke mulig: aftalen suspenderer anvisningen her",
            "Allocation not allowed: the agreement suspends allocation here",
        ),
        (false, true) => l.pick(
            "Anvist som undtagelse (registreret)",
            "Allocated as an exception (recorded)",
        ),
        (false, false) => l.pick(
            "Anvisning ikke mulig; kun som registreret undtagelse (--exception --note)",
            "Allocation not allowed; only as a recorded exception (--exception --note)",
        ),
    };
    say!(
        "{verdict} [{}] ({} {id})",
        limits.source,
        l.pick("tjek", "check")
    );
    Ok(())
}

fn checks(db: &DbArgs, args: ChecksArgs) -> Result<()> {
    let ChecksArgs { exceptions, out } = args;
    let l = lang(out.lang);
    let mut store = db.open()?;
    let checks = store.allocation_checks(exceptions)?;
    if out.format == OutFormat::Json {
        return print_json(&checks);
    }
    say!(
        "{:>5}  {:<12} {:<12} {:<10} {:<10} {:<8} {:<10} {:<24} {}",
        l.pick("tjek", "check"),
        l.pick("borger", "citizen"),
        l.pick("afdeling", "department"),
        l.pick("område", "area"),
        l.pick("dato", "date"),
        l.pick("mulig", "allowed"),
        l.pick("undtagelse", "exception"),
        l.pick("begrænsninger/suspension", "limits hit/suspension"),
        l.pick("note", "note")
    );
    for c in checks {
        let mut grounds: Vec<String> = c
            .outcome
            .hits
            .iter()
            .map(|h| format!("{} ({} {})", h.limit, l.pick("medlem", "member"), h.member))
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
                l.pick("ja", "yes")
            } else {
                l.pick("nej", "no")
            },
            if c.exception { l.pick("ja", "yes") } else { "" },
            grounds.join("; "),
            c.note.unwrap_or_default()
        );
    }
    Ok(())
}

fn retention(db: &DbArgs, args: RetentionArgs) -> Result<()> {
    let RetentionArgs {
        set,
        actor: who,
        lang: la,
    } = args;
    let l = lang(la);
    let mut store = db.open()?;
    if let Some(days) = set {
        if days > 3650 {
            bail!("retention of {days} days: at most 3,650 (ten years); applicant data is kept no longer than a decision needs");
        }
        store.set_retention_days(days, &actor(who.as_deref()))?;
    }
    say!("{} {}", store.retention_days()?, l.pick("dage", "days"));
    Ok(())
}

fn purge(db: &DbArgs, args: PurgeArgs) -> Result<()> {
    let PurgeArgs {
        dry_run,
        actor: who,
        lang: la,
    } = args;
    let l = lang(la);
    let mut store = db.open()?;
    let p = store.purge_applicant_data(chrono::Utc::now(), dry_run, &actor(who.as_deref()))?;
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

fn ranked_json(rules: Option<&ApplicantRules>, r: &Ranked, l: Lang) -> serde_json::Value {
    json!({
        "position": r.position,
        "applicant": r.applicant,
        "seniority": r.seniority,
        "tier": r.tier,
        "tier_text": at::tier(r.tier, l),
        "meets": r.meets,
        "accessibility_priority": r.accessibility_priority,
        "priority": r.priority,
        "why": r.why,
        "reasons": r.why.iter().map(|w| at::rank_why(w, l)).collect::<Vec<_>>(),
        "criteria": r.outcomes.iter().map(|o| outcome_json(rules, o, l)).collect::<Vec<_>>(),
    })
}

#[allow(clippy::too_many_arguments)]
fn print_ranking(
    rules: Option<&ApplicantRules>,
    department: &str,
    vacancy: Option<i64>,
    on: Date,
    step: &str,
    req: &Requirement,
    ranked: &[Ranked],
    l: Lang,
) {
    let set = at::criteria_set(rules, req.criteria_set.as_deref(), l);
    match vacancy {
        Some(v) => say!(
            "{} {v}, {} {department}, {step}: {set} ({} {on})",
            l.pick("Ledig bolig", "Vacancy"),
            l.pick("afdeling", "department"),
            l.pick("overtagelse", "takeover")
        ),
        None => say!(
            "{} {department}, {step}: {set} ({} {on})",
            l.pick("Afdeling", "Department"),
            l.pick("overtagelse", "takeover")
        ),
    }
    say!(
        "{:>4}  {:<14} {:<11} {:<34} {}",
        "#",
        l.pick("ansøger", "applicant"),
        l.pick("anciennitet", "seniority"),
        l.pick("placering", "standing"),
        l.pick("begrundelse", "why")
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
                .filter(|o| !o.met && req.concerns(&o.criterion))
                .flat_map(|o| {
                    o.findings.iter().filter(|f| !f.met).map(move |f| {
                        format!(
                            "{}: {}",
                            at::criterion(rules, &o.criterion, l),
                            at::finding(f, l)
                        )
                    })
                })
                .collect();
            for f in failed {
                say!("{:>4}  {:<14} {:<11} - {f}", "", "", "");
            }
        }
    }
}
