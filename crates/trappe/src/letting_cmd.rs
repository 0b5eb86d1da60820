//! The letting commands: the homes register, vacancies (register, resolve, show,
//! decide, ledger), the wheel preview and the letting reports.

use std::io::Write;
use std::path::PathBuf;
use trappe_rules::applicant::ApplicantRules;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use trappe_formats::agreement_file::load_agreement;
use trappe_formats::table_in;
use trappe_formats::text::{self, Lang};
use trappe_rules::agreement::{Channel, Staircase};
use trappe_rules::deadlines::RentGround;
use trappe_rules::wheel;
use trappe_rules::Date;
use trappe_store::letting::{
    Correction, Decision, LetChannel, Outcome, RegisterRequest, Registered, VacancyView,
};

use trappe_app::reports::{letting_report, LettingReport};

use crate::store_cmd::{actor, write, DbArgs, ReportArgs};
use crate::{emit, LangArg};

#[derive(Subcommand, Clone)]
pub enum HomesCommand {
    /// Import the homes of departments from CSV (replaces those departments' homes).
    Import {
        file: PathBuf,
        #[arg(long)]
        actor: Option<String>,
    },
    /// List the homes of a department.
    List { department: String },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    /// The municipality named its citizen (--on, --move-in).
    Allocated,
    /// The municipality gave the home back (--on).
    Returned,
    /// Urban-renewal rehousing or the allocation does not use the home (--on).
    NotUsed,
    /// Let (--on = move-in, --channel).
    Let,
    /// Registered in error (--note).
    Withdrawn,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LetChannelArg {
    WaitingList,
    Flexible,
    MunicipalAllocation,
    UrbanRenewal,
    InternalTransfer,
    Exchange,
}

/// The organisation's options on "or" slots.
#[derive(Clone, Copy, ValueEnum)]
pub enum WheelChannelArg {
    WaitingList,
    Flexible,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    /// The Samarbejdsforum approved the exemption from the extra share for --year.
    Exemption,
    /// Exempt in advance from --from to --to (the parties' calculations).
    ExemptionInAdvance,
    /// The dept-1 safeguard applies from --from.
    Safeguard,
    /// The organisation's choice for "or" slots (--channel waiting-list|flexible) from --from.
    OrganisationChoice,
    /// The department's share (--percent) from --from, where the agreement states a range
    /// decided per department.
    Share,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StaircaseArg {
    Area,
    Department,
    TrafficLight,
    /// A named list's group.
    List,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutFormat {
    Table,
    Json,
}

#[derive(Args, Clone)]
pub struct Output {
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutFormat,
    #[arg(long, value_enum, default_value = "da")]
    pub lang: LangArg,
}

#[derive(Subcommand, Clone)]
pub enum VacancyCommand {
    /// Register a vacancy: the channel, criteria, slot, reasons and deadlines.
    Register(RegisterArgs),
    /// Record what happened to a vacancy.
    Resolve(ResolveArgs),
    /// Show a vacancy: its registration, outcomes, where it stands and its deadlines.
    Show(ShowArgs),
    /// Record a letting decision for a department.
    Decide(DecideArgs),
    /// Vacancies with where each stands now: a department's, or the open ones (--open).
    List(ListArgs),
    /// A department's ledger: every registration, outcome and decision, in order.
    Ledger(LedgerArgs),
}

/// The arguments of `VacancyCommand::Register`.
#[derive(clap::Args, Clone)]
pub struct RegisterArgs {
    #[arg(long)]
    department: String,
    #[arg(long)]
    home: String,
    /// The date the home falls vacant.
    #[arg(long)]
    vacated: Date,
    /// The day the municipality receives the home (default: today).
    #[arg(long)]
    received: Option<Date>,
    /// The move-in date offered (default: --vacated).
    #[arg(long)]
    available: Option<Date>,
    #[arg(long)]
    actor: Option<String>,
    #[command(flatten)]
    out: Output,
}

/// The arguments of `VacancyCommand::Resolve`.
#[derive(clap::Args, Clone)]
pub struct ResolveArgs {
    vacancy: i64,
    #[arg(long, value_enum)]
    outcome: OutcomeArg,
    /// The date of the outcome (for `let`: the move-in date).
    #[arg(long)]
    on: Date,
    /// With `allocated`: the citizen's move-in date.
    #[arg(long)]
    move_in: Option<Date>,
    /// With `let`: the channel the home was let through.
    #[arg(long, value_enum)]
    channel: Option<LetChannelArg>,
    /// With `let --channel waiting-list` on a flexible home: nobody met the criteria.
    #[arg(long)]
    no_qualified_applicant: bool,
    /// With `let --channel municipal-allocation`: a refugee shared home.
    #[arg(long)]
    refugee_shared: bool,
    /// With `withdrawn` or `--corrects`: why.
    #[arg(long)]
    note: Option<String>,
    /// This outcome corrects ledger entry N (the vacancy's last outcome, recorded in
    /// error); the earlier entry stays in the ledger but no longer counts.
    #[arg(long, requires = "note")]
    corrects: Option<i64>,
    /// The monthly rent, to price the empty-home rent the municipality owes.
    #[arg(long)]
    monthly_rent: Option<rust_decimal::Decimal>,
    #[arg(long)]
    actor: Option<String>,
    #[command(flatten)]
    out: Output,
}

/// The arguments of `VacancyCommand::Show`.
#[derive(clap::Args, Clone)]
pub struct ShowArgs {
    vacancy: i64,
    #[arg(long)]
    monthly_rent: Option<rust_decimal::Decimal>,
    #[command(flatten)]
    out: Output,
}

/// The arguments of `VacancyCommand::Decide`.
#[derive(clap::Args, Clone)]
pub struct DecideArgs {
    #[arg(long)]
    department: String,
    #[arg(long, value_enum)]
    decision: DecisionArg,
    #[arg(long)]
    year: Option<i32>,
    #[arg(long)]
    from: Option<Date>,
    #[arg(long)]
    to: Option<Date>,
    #[arg(long, value_enum)]
    channel: Option<WheelChannelArg>,
    /// With organisation-choice and --channel flexible: the criteria set (A or B).
    #[arg(long)]
    criteria: Option<String>,
    /// With share: the department's share in percent, within the agreement's range.
    #[arg(long)]
    percent: Option<trappe_rules::Pct>,
    /// Who decided (Samarbejdsforum, the organisation, …).
    #[arg(long)]
    decided_by: String,
    #[arg(long)]
    decided_on: Date,
    #[arg(long)]
    actor: Option<String>,
}

/// The arguments of `VacancyCommand::List`.
#[derive(clap::Args, Clone)]
pub struct ListArgs {
    #[arg(long)]
    department: Option<String>,
    /// Only vacancies not let or withdrawn yet.
    #[arg(long)]
    open: bool,
    #[command(flatten)]
    out: Output,
}

/// The arguments of `VacancyCommand::Ledger`.
#[derive(clap::Args, Clone)]
pub struct LedgerArgs {
    department: String,
    #[command(flatten)]
    out: Output,
}

#[derive(Subcommand, Clone)]
pub enum WheelCommand {
    /// The first N vacancies of a fresh wheel of a step on a date.
    Preview {
        #[arg(long)]
        agreement: String,
        #[arg(long, value_enum)]
        staircase: StaircaseArg,
        #[arg(long)]
        step: String,
        #[arg(long)]
        on: Date,
        #[arg(long, default_value_t = 18)]
        vacancies: u64,
        /// The organisation's choice on "or" slots (default: the first option).
        #[arg(long, value_enum)]
        choice: Option<WheelChannelArg>,
        /// With --choice flexible: the criteria set the organisation uses (A or B).
        #[arg(long, requires = "choice")]
        criteria: Option<String>,
        #[command(flatten)]
        out: Output,
    },
}

#[derive(Subcommand, Clone, Copy)]
pub enum ReportCommand {
    /// Lettings by channel per department (or --by-organisation), move-in dates from–to.
    Lettings {
        #[arg(long)]
        from: Date,
        #[arg(long)]
        to: Date,
        #[arg(long)]
        by_organisation: bool,
    },
    /// Per department on the steps of the agreement's "every nth vacancy" rule (CPH:
    /// dept steps 1–2, every 3rd): did realised allocation exceed it in --year?
    #[command(alias = "every-third")]
    EveryNthVacancy {
        #[arg(long)]
        year: i32,
    },
    /// Homes offered to, used by and returned by the municipality (vacancy dates from–to).
    Allocation {
        #[arg(long)]
        from: Date,
        #[arg(long)]
        to: Date,
        #[arg(long)]
        by_organisation: bool,
    },
}

fn let_channel(c: LetChannelArg) -> LetChannel {
    match c {
        LetChannelArg::WaitingList => LetChannel::WaitingList,
        LetChannelArg::Flexible => LetChannel::Flexible,
        LetChannelArg::MunicipalAllocation => LetChannel::MunicipalAllocation,
        LetChannelArg::UrbanRenewal => LetChannel::UrbanRenewal,
        LetChannelArg::InternalTransfer => LetChannel::InternalTransfer,
        LetChannelArg::Exchange => LetChannel::Exchange,
    }
}

fn wheel_channel(c: WheelChannelArg) -> Channel {
    match c {
        WheelChannelArg::WaitingList => Channel::WaitingList,
        WheelChannelArg::Flexible => Channel::Flexible,
    }
}

pub(crate) fn json(value: &impl serde::Serialize) -> Result<()> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    emit(None, s.as_bytes())
}

pub fn homes(db: &DbArgs, command: HomesCommand) -> Result<()> {
    let mut store = db.open()?;
    match command {
        HomesCommand::Import { file, actor: who } => {
            let name = file.display().to_string();
            let bytes = table_in::read_input_file(&file, table_in::DEFAULT_MAX_FILE_BYTES)?;
            let homes = table_in::read_homes(&bytes, &name)?;
            let r = store.import_homes(&homes, &name, &actor(who.as_deref()))?;
            say!(
                "{} boliger i {} afdelinger indlæst fra {name}",
                r.homes,
                r.departments
            );
            Ok(())
        }
        HomesCommand::List { department } => {
            let homes = store.homes(&department)?;
            json(&homes)
        }
    }
}

fn print_registered(r: &Registered, rules: Option<&ApplicantRules>, lang: Lang) {
    print_header(
        r.vacancy,
        &r.department_id,
        &r.home_id,
        &text::step_name(r.staircase, &r.step, lang),
        lang,
    );
    print_assignment(&r.assignment, rules, lang);
    if let Some(d) = &r.deadlines {
        print_deadlines(d, None, lang);
    }
}

/// The channel, criteria, slot, fallbacks and reasons of a vacancy as registered.
fn print_assignment(
    a: &wheel::Assignment,
    rules: Option<&trappe_rules::applicant::ApplicantRules>,
    lang: Lang,
) {
    let da = lang == Lang::Da;
    let channel = a
        .channel
        .map_or(if da { "genudlejes ikke" } else { "not re-let" }, |c| {
            text::channel(c, lang)
        });
    say_part!("  {}: {channel}", if da { "Kanal" } else { "Channel" });
    if let Some(c) = &a.criteria {
        say_part!(
            " ({})",
            trappe_formats::applicant_text::criteria_set(rules, Some(c), lang)
        );
    }
    say!();
    match &a.wheel {
        Some(w) => say!(
            "  {}: {}, {} {} {} {}, {} {}",
            if da { "Hjul" } else { "Wheel" },
            text::wheel_name(&w.key, lang),
            if da { "plads" } else { "slot" },
            w.slot,
            if da { "af" } else { "of" },
            w.slots,
            if da { "runde" } else { "round" },
            w.round
        ),
        None => say!(
            "  {}",
            if da {
                "Uden for udlejningshjulet"
            } else {
                "Outside the letting wheel"
            }
        ),
    }
    if !a.fallback.is_empty() {
        let f: Vec<&str> = a.fallback.iter().map(|c| text::channel(*c, lang)).collect();
        say!(
            "  {}: {}",
            if da { "Hvis ikke brugt" } else { "If not used" },
            f.join(" → ")
        );
    }
    for reason in &a.reasons {
        say!("  - {}", text::letting_reason(reason, rules, lang));
    }
}

fn print_deadlines(
    d: &trappe_rules::deadlines::Deadlines,
    rent: Option<rust_decimal::Decimal>,
    lang: Lang,
) {
    let da = lang == Lang::Da;
    say!(
        "  {}:",
        if da {
            "Frister for anvisningen"
        } else {
            "Deadlines of the allocation"
        }
    );
    say!(
        "    {} {}{}",
        if da {
            "Kommunen skal have en borger flyttet ind senest"
        } else {
            "The municipality must have a citizen moved in by"
        },
        d.municipality_move_in_by,
        if d.short_notice {
            if da {
                " (kort varsel)"
            } else {
                " (short notice)"
            }
        } else {
            ""
        }
    );
    say!(
        "    {} {}",
        if da {
            "Gratis returnering til og med"
        } else {
            "Free return up to and including"
        },
        d.free_return_until
    );
    if let Some(e) = d.organisation_earliest_move_in {
        say!(
            "    {} {e}",
            if da {
                "Boligorganisationen kan tidligst skulle have indflytning"
            } else {
                "The organisation's earliest move-in"
            }
        );
    }
    if !d.empty_rent.is_empty() {
        let open = d.empty_rent.iter().any(|p| p.to_exclusive.is_none());
        let amount = match (open, da) {
            (false, true) => format!("{} dage", d.empty_rent_days),
            (false, false) => format!("{} days", d.empty_rent_days),
            // The rules core has no clock: an open period is counted when it closes.
            (true, true) => "løbende, indtil boligen er genudlejet".to_string(),
            (true, false) => "running until the home is re-let".to_string(),
        };
        say!(
            "    {}: {amount}",
            if da {
                "Tomgangsleje, kommunen hæfter"
            } else {
                "Empty-home rent owed by the municipality"
            },
        );
        for p in &d.empty_rent {
            let to = p.to_exclusive.map_or_else(
                || {
                    format!(
                        "{} {}",
                        if da {
                            "stadig tom, højst til"
                        } else {
                            "still empty, at most until"
                        },
                        p.cap.map(|c| c.to_string()).unwrap_or_default()
                    )
                },
                // Shown as the last day owed, not the first day not owed.
                |t| t.pred_opt().unwrap_or(t).to_string(),
            );
            let ground = match (p.ground, da) {
                (RentGround::LateMoveIn, true) => "sen indflytning",
                (RentGround::LateMoveIn, false) => "late move-in",
                (RentGround::ReturnedLate, true) => "returneret for sent",
                (RentGround::ReturnedLate, false) => "returned too late to be free",
            };
            say!("      {} – {to} ({ground})", p.from);
        }
        if let Some(rent) = rent {
            let amount = trappe_rules::deadlines::empty_rent_amount(&d.empty_rent, rent);
            say!(
                "      {}: {} kr",
                if da { "Beløb" } else { "Amount" },
                text::pct(amount, lang)
            );
        }
    }
}

/// The first line of a vacancy: its number, department and home, and what follows.
fn print_header(vacancy: i64, department: &str, home: &str, then: &str, lang: Lang) {
    let da = lang == Lang::Da;
    say!(
        "{} {vacancy}: {} {department} / {} {home}, {then}",
        if da { "Ledig bolig" } else { "Vacancy" },
        if da { "afdeling" } else { "department" },
        if da { "bolig" } else { "home" },
    );
}

/// A vacancy as JSON or as text.
fn show_view(
    store: &mut trappe_store::Store,
    v: &VacancyView,
    rent: Option<rust_decimal::Decimal>,
    out: &Output,
) -> Result<()> {
    match out.format {
        OutFormat::Json => json(v),
        OutFormat::Table => {
            let agreement = store.vacancy_agreement(v);
            let rules = agreement.as_ref().and_then(|a| a.applicants.as_ref());
            print_view(v, rules, rent, crate::lang(out.lang));
            Ok(())
        }
    }
}

fn print_view(
    v: &VacancyView,
    rules: Option<&ApplicantRules>,
    rent: Option<rust_decimal::Decimal>,
    lang: Lang,
) {
    let da = lang == Lang::Da;
    let vacant = format!(
        "{} {}",
        if da { "ledig fra" } else { "vacant from" },
        v.vacated
    );
    print_header(v.vacancy, &v.department_id, &v.home_id, &vacant, lang);
    match serde_json::from_value::<wheel::Assignment>(v.registration["assignment"].clone()) {
        Ok(a) => print_assignment(&a, rules, lang),
        // A registration from an older program may not read back; show what it says.
        Err(_) => say!(
            "  {}: {}",
            if da {
                "Tildelt kanal"
            } else {
                "Assigned channel"
            },
            v.registration["assignment"]["channel"]
                .as_str()
                .and_then(|c| c.parse::<LetChannel>().ok())
                .map_or("-", |c| text::let_channel(c, lang))
        ),
    }
    if !v.outcomes.is_empty() {
        say!("  {}:", if da { "Hændelser" } else { "Outcomes" });
    }
    for o in &v.outcomes {
        say!(
            "    {} {} {}",
            o.on_date,
            text::ledger_action(o.action, lang),
            o.channel.map_or("", |c| text::let_channel(c, lang))
        );
    }
    match (&v.current_channel, v.resolved) {
        (_, true) => say!("  {}", if da { "Afsluttet" } else { "Resolved" }),
        (Some(c), false) => say!(
            "  {}: {}",
            if da { "Ligger nu hos" } else { "Now with" },
            text::channel(*c, lang)
        ),
        (None, false) => {}
    }
    if let Some(d) = &v.deadlines {
        print_deadlines(d, rent, lang);
    }
}

pub fn vacancy(db: &DbArgs, command: VacancyCommand) -> Result<()> {
    let mut store = db.open()?;
    match command {
        VacancyCommand::Register(args) => register(&mut store, args),
        VacancyCommand::Resolve(args) => resolve(&mut store, args),
        VacancyCommand::Show(args) => show(&mut store, args),
        VacancyCommand::Decide(args) => decide(&mut store, args),
        VacancyCommand::List(args) => list(&mut store, args),
        VacancyCommand::Ledger(args) => ledger(&mut store, args),
    }
}

fn register(store: &mut trappe_store::Store, args: RegisterArgs) -> Result<()> {
    let RegisterArgs {
        department,
        home,
        vacated,
        received,
        available,
        actor: who,
        out,
    } = args;
    let who = actor(who.as_deref());
    let r = store.register_vacancy(&RegisterRequest {
        department: &department,
        home: &home,
        vacated,
        received,
        available_from: available,
        actor: &who,
    })?;
    if r.received_defaulted && r.received > r.vacated {
        eprintln!(
            "advarsel: --received er ikke angivet; i dag ({}) bruges som dagen, kommunen modtog boligen, selv om den blev ledig {} — fristerne regnes herfra / warning: --received not given; today ({}) is used",
            r.received, r.vacated, r.received
        );
    }
    match out.format {
        OutFormat::Json => json(&r),
        OutFormat::Table => {
            let agreement = store
                .vacancy(r.vacancy)
                .ok()
                .and_then(|v| store.vacancy_agreement(&v));
            let rules = agreement.as_ref().and_then(|a| a.applicants.as_ref());
            print_registered(&r, rules, crate::lang(out.lang));
            Ok(())
        }
    }
}

fn resolve(store: &mut trappe_store::Store, args: ResolveArgs) -> Result<()> {
    let ResolveArgs {
        vacancy,
        outcome,
        on,
        move_in,
        channel,
        no_qualified_applicant,
        refugee_shared,
        note,
        corrects,
        monthly_rent,
        actor: who,
        out,
    } = args;
    let correction = corrects.map(|entry| Correction {
        entry,
        note: note.clone().unwrap_or_default(),
    });
    let outcome = match outcome {
        OutcomeArg::Allocated => Outcome::Allocated {
            on,
            move_in: move_in.context("--outcome allocated needs --move-in DATE")?,
        },
        OutcomeArg::Returned => Outcome::Returned { on },
        OutcomeArg::NotUsed => Outcome::NotUsed { on },
        OutcomeArg::Let => Outcome::Let {
            on,
            channel: let_channel(channel.context(
                "--outcome let needs --channel (waiting-list, flexible, municipal-allocation, urban-renewal, internal-transfer or exchange)",
            )?),
            no_qualified_applicant,
            refugee_shared,
        },
        OutcomeArg::Withdrawn => Outcome::Withdrawn {
            on,
            note: note.context("--outcome withdrawn needs --note saying why")?,
        },
    };
    let v = store.resolve_vacancy(
        vacancy,
        &outcome,
        correction.as_ref(),
        &actor(who.as_deref()),
    )?;
    show_view(store, &v, monthly_rent, &out)
}

fn show(store: &mut trappe_store::Store, args: ShowArgs) -> Result<()> {
    let ShowArgs {
        vacancy,
        monthly_rent,
        out,
    } = args;
    let v = store.vacancy(vacancy)?;
    show_view(store, &v, monthly_rent, &out)
}

fn decide(store: &mut trappe_store::Store, args: DecideArgs) -> Result<()> {
    let DecideArgs {
        department,
        decision,
        year,
        from,
        to,
        channel,
        criteria,
        percent,
        decided_by,
        decided_on,
        actor: who,
    } = args;
    let d = match decision {
        DecisionArg::Exemption => Decision::ExemptionApproved {
            year: year.context("--decision exemption needs --year")?,
            decided_by,
            decided_on,
        },
        DecisionArg::ExemptionInAdvance => Decision::ExemptionInAdvance {
            from: from.context("--decision exemption-in-advance needs --from")?,
            to: to.context("--decision exemption-in-advance needs --to")?,
            decided_by,
            decided_on,
        },
        DecisionArg::Safeguard => Decision::Safeguard {
            from: from.context("--decision safeguard needs --from")?,
            decided_by,
            decided_on,
        },
        DecisionArg::Share => Decision::Share {
            from: from.context("--decision share needs --from")?,
            percent: percent.context("--decision share needs --percent")?,
            step: None,
            decided_by,
            decided_on,
        },
        DecisionArg::OrganisationChoice => Decision::OrganisationChoice {
            from: from.context("--decision organisation-choice needs --from")?,
            channel: wheel_channel(
                channel.context("--decision organisation-choice needs --channel")?,
            ),
            criteria,
            decided_by,
            decided_on,
        },
    };
    let id = store.record_decision(&department, &d, &actor(who.as_deref()))?;
    say!("decision recorded as ledger entry {id}");
    Ok(())
}

fn list(store: &mut trappe_store::Store, args: ListArgs) -> Result<()> {
    let ListArgs {
        department,
        open,
        out,
    } = args;
    if department.is_none() && !open {
        anyhow::bail!("give --department ID, --open, or both");
    }
    let list = store.vacancies(department.as_deref(), open)?;
    match out.format {
        OutFormat::Json => json(&list),
        OutFormat::Table => {
            let lang = crate::lang(out.lang);
            let da = lang == Lang::Da;
            for v in &list {
                let now = match (&v.current_channel, v.resolved) {
                    (_, true) => {
                        if da {
                            "afsluttet"
                        } else {
                            "resolved"
                        }
                    }
                    (Some(c), false) => text::channel(*c, lang),
                    (None, false) => "-",
                };
                let by = v
                    .deadlines
                    .as_ref()
                    .map(|d| {
                        format!(
                            "  {} {}",
                            if da {
                                "indflytning senest"
                            } else {
                                "move-in by"
                            },
                            d.municipality_move_in_by
                        )
                    })
                    .unwrap_or_default();
                say!(
                    "{:>6}  {}  {:<10} {:<8} {now}{by}",
                    v.vacancy,
                    v.vacated,
                    v.department_id,
                    v.home_id
                );
            }
            if list.is_empty() {
                say!(
                    "{}",
                    if da {
                        "Ingen ledige boliger"
                    } else {
                        "No vacancies"
                    }
                );
            }
            Ok(())
        }
    }
}

fn ledger(store: &mut trappe_store::Store, args: LedgerArgs) -> Result<()> {
    let LedgerArgs { department, out } = args;
    let entries = store.ledger(&department)?;
    match out.format {
        OutFormat::Json => json(&entries),
        OutFormat::Table => {
            let lang = crate::lang(out.lang);
            say!(
                "{:>5} {:>4} {:<10} {:<28} {:<24} {}",
                lang.pick("Post", "Entry"),
                "Nr.",
                lang.pick("Dato", "Date"),
                lang.pick("Hændelse", "Event"),
                lang.pick("Kanal", "Channel"),
                lang.pick("Af", "By")
            );
            for e in &entries {
                say!(
                    "{:>5} {:>4} {} {:<28} {:<24} {}",
                    e.id,
                    e.seq,
                    e.on_date,
                    text::ledger_action(e.action, lang),
                    e.channel.map_or("-", |c| text::let_channel(c, lang)),
                    e.actor
                );
            }
            Ok(())
        }
    }
}

pub fn wheel_cmd(command: WheelCommand) -> Result<()> {
    match command {
        WheelCommand::Preview {
            agreement,
            staircase,
            step,
            on,
            vacancies,
            choice,
            criteria,
            out,
        } => {
            let loaded = load_agreement(&agreement)?;
            let staircase = match staircase {
                StaircaseArg::Area => Staircase::Area,
                StaircaseArg::Department => Staircase::Department,
                StaircaseArg::TrafficLight => Staircase::TrafficLight,
                StaircaseArg::List => Staircase::List,
            };
            let rows = wheel::preview_with_criteria(
                &loaded.agreement,
                staircase,
                &step,
                on,
                vacancies,
                choice.map(wheel_channel),
                criteria.as_deref(),
            )?;
            match out.format {
                OutFormat::Json => json(&rows),
                OutFormat::Table => {
                    let lang = crate::lang(out.lang);
                    for r in &rows {
                        say!(
                            "{:>3}  {} {}  {}{}",
                            r.n,
                            lang.pick("plads", "slot"),
                            r.slot,
                            text::channel(r.channel, lang),
                            r.criteria
                                .as_ref()
                                .map(|c| format!(
                                    " ({})",
                                    trappe_formats::applicant_text::criteria_set(
                                        loaded.agreement.applicants.as_ref(),
                                        Some(c),
                                        lang
                                    )
                                ))
                                .unwrap_or_default()
                        );
                    }
                    Ok(())
                }
            }
        }
    }
}

impl From<ReportCommand> for LettingReport {
    fn from(c: ReportCommand) -> LettingReport {
        match c {
            ReportCommand::Lettings {
                from,
                to,
                by_organisation,
            } => LettingReport::Lettings {
                from,
                to,
                by_organisation,
            },
            ReportCommand::EveryNthVacancy { year } => LettingReport::EveryNthVacancy { year },
            ReportCommand::Allocation {
                from,
                to,
                by_organisation,
            } => LettingReport::Allocation {
                from,
                to,
                by_organisation,
            },
        }
    }
}

pub fn report(db: &DbArgs, command: ReportCommand, args: &ReportArgs) -> Result<()> {
    let mut store = db.open()?;
    let report = letting_report(&mut store, command.into())?;
    write(&report, args)
}
