//! The letting commands: the homes register, vacancies (register, resolve, show,
//! decide, ledger), the wheel preview and the letting reports.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use trappe_formats::agreement_file::load_agreement;
use trappe_formats::report::{Cell, Column, Report};
use trappe_formats::table_in;
use trappe_formats::text::{self, Lang};
use trappe_rules::agreement::{Channel, Staircase};
use trappe_rules::deadlines::RentGround;
use trappe_rules::wheel;
use trappe_rules::Date;
use trappe_store::letting::{
    Correction, Decision, LetChannel, Outcome, RegisterRequest, Registered, VacancyView,
};

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
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StaircaseArg {
    Area,
    Department,
    TrafficLight,
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
    Register {
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
    },
    /// Record what happened to a vacancy.
    Resolve {
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
    },
    /// Show a vacancy: its registration, outcomes, where it stands and its deadlines.
    Show {
        vacancy: i64,
        #[arg(long)]
        monthly_rent: Option<rust_decimal::Decimal>,
        #[command(flatten)]
        out: Output,
    },
    /// Record a letting decision for a department.
    Decide {
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
        /// Who decided (Samarbejdsforum, the organisation, …).
        #[arg(long)]
        decided_by: String,
        #[arg(long)]
        decided_on: Date,
        #[arg(long)]
        actor: Option<String>,
    },
    /// Vacancies with where each stands now: a department's, or the open ones (--open).
    List {
        #[arg(long)]
        department: Option<String>,
        /// Only vacancies not let or withdrawn yet.
        #[arg(long)]
        open: bool,
        #[command(flatten)]
        out: Output,
    },
    /// A department's ledger: every registration, outcome and decision, in order.
    Ledger {
        department: String,
        #[command(flatten)]
        out: Output,
    },
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
    /// Per department on dept steps 1–2: did realised allocation exceed every 3rd vacancy in --year?
    EveryThird {
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

fn today() -> Date {
    chrono::Local::now().date_naive()
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

fn print_registered(r: &Registered, lang: Lang) {
    print_header(
        r.vacancy,
        &r.department_id,
        &r.home_id,
        &text::step_name(r.staircase, &r.step, lang),
        lang,
    );
    print_assignment(&r.assignment, lang);
    if let Some(d) = &r.deadlines {
        print_deadlines(d, None, lang);
    }
}

/// The channel, criteria, slot, fallbacks and reasons of a vacancy as registered.
fn print_assignment(a: &wheel::Assignment, lang: Lang) {
    let da = lang == Lang::Da;
    let channel = a
        .channel
        .map_or(if da { "genudlejes ikke" } else { "not re-let" }, |c| {
            text::channel(c, lang)
        });
    say_part!("  {}: {channel}", if da { "Kanal" } else { "Channel" });
    if let Some(c) = &a.criteria {
        say_part!(" ({} {c})", if da { "kriterier" } else { "criteria" });
    }
    say!();
    match &a.wheel {
        Some(w) => say!(
            "  {}: {}, {} {} {} {}, {} {}",
            if da { "Hjul" } else { "Wheel" },
            w.key,
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
        say!("  - {}", text::letting_reason(reason, lang));
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

/// A channel code from the ledger in the user's language (the code itself if unknown).
fn channel_name(code: &str, lang: Lang) -> &str {
    if let Some(c) = Channel::ALL.into_iter().find(|x| x.as_str() == code) {
        return text::channel(c, lang);
    }
    match (code, lang) {
        ("internal_transfer", Lang::Da) => "intern oprykning",
        ("internal_transfer", Lang::En) => "internal transfer",
        ("exchange", Lang::Da) => "bytte",
        ("exchange", Lang::En) => "exchange",
        _ => code,
    }
}

fn lang_pick(lang: Lang, da: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Da {
        da
    } else {
        en
    }
}

/// A ledger action in the user's language.
fn action_name(action: &str, lang: Lang) -> &str {
    const NAMES: &[(&str, &str, &str)] = &[
        ("register", "registreret", "registered"),
        ("allocated", "anvist borger", "citizen allocated"),
        (
            "returned",
            "returneret af kommunen",
            "returned by the municipality",
        ),
        ("not_used", "ikke brugt", "not used"),
        ("let", "udlejet via", "let through"),
        ("withdrawn", "trukket tilbage", "withdrawn"),
        (
            "exemption_approved",
            "fritagelse godkendt",
            "exemption approved",
        ),
        (
            "exemption_in_advance",
            "fritagelse på forhånd",
            "exemption in advance",
        ),
        ("safeguard", "særlig sikring", "safeguard"),
        (
            "organisation_choice",
            "boligorganisationens valg",
            "organisation's choice",
        ),
    ];
    NAMES
        .iter()
        .find(|(code, _, _)| *code == action)
        .map_or(action, |(_, da, en)| if lang == Lang::Da { da } else { en })
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
fn show_view(v: &VacancyView, rent: Option<rust_decimal::Decimal>, out: &Output) -> Result<()> {
    match out.format {
        OutFormat::Json => json(v),
        OutFormat::Table => {
            print_view(v, rent, crate::lang(out.lang));
            Ok(())
        }
    }
}

fn print_view(v: &VacancyView, rent: Option<rust_decimal::Decimal>, lang: Lang) {
    let da = lang == Lang::Da;
    let vacant = format!(
        "{} {}",
        if da { "ledig fra" } else { "vacant from" },
        v.vacated
    );
    print_header(v.vacancy, &v.department_id, &v.home_id, &vacant, lang);
    match serde_json::from_value::<wheel::Assignment>(v.registration["assignment"].clone()) {
        Ok(a) => print_assignment(&a, lang),
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
                .map_or("-", |c| channel_name(c, lang))
        ),
    }
    if !v.outcomes.is_empty() {
        say!("  {}:", if da { "Hændelser" } else { "Outcomes" });
    }
    for o in &v.outcomes {
        say!(
            "    {} {} {}",
            o.on_date,
            action_name(&o.action, lang),
            o.channel.as_deref().map_or("", |c| channel_name(c, lang))
        );
    }
    match (&v.current_channel, v.resolved) {
        (_, true) => say!("  {}", if da { "Afsluttet" } else { "Resolved" }),
        (Some(c), false) => say!(
            "  {}: {}",
            if da { "Ligger nu hos" } else { "Now with" },
            channel_name(c, lang)
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
        VacancyCommand::Register {
            department,
            home,
            vacated,
            received,
            available,
            actor: who,
            out,
        } => {
            let who = actor(who.as_deref());
            let received = received.unwrap_or_else(|| {
                let t = today();
                if t > vacated {
                    eprintln!(
                        "advarsel: --received er ikke angivet; i dag ({t}) bruges som dagen, kommunen modtog boligen, selv om den blev ledig {vacated} — fristerne regnes herfra / warning: --received not given; today ({t}) is used"
                    );
                }
                t
            });
            let r = store.register_vacancy(&RegisterRequest {
                department: &department,
                home: &home,
                vacated,
                received,
                available_from: available,
                actor: &who,
            })?;
            match out.format {
                OutFormat::Json => json(&r),
                OutFormat::Table => {
                    print_registered(&r, crate::lang(out.lang));
                    Ok(())
                }
            }
        }
        VacancyCommand::Resolve {
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
        } => {
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
            show_view(&v, monthly_rent, &out)
        }
        VacancyCommand::Show {
            vacancy,
            monthly_rent,
            out,
        } => {
            let v = store.vacancy(vacancy)?;
            show_view(&v, monthly_rent, &out)
        }
        VacancyCommand::Decide {
            department,
            decision,
            year,
            from,
            to,
            channel,
            criteria,
            decided_by,
            decided_on,
            actor: who,
        } => {
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
        VacancyCommand::List {
            department,
            open,
            out,
        } => {
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
                            (Some(c), false) => channel_name(c, lang),
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
        VacancyCommand::Ledger { department, out } => {
            let entries = store.ledger(&department)?;
            match out.format {
                OutFormat::Json => json(&entries),
                OutFormat::Table => {
                    let lang = crate::lang(out.lang);
                    say!(
                        "{:>5} {:>4} {:<10} {:<28} {:<24} {}",
                        lang_pick(lang, "Post", "Entry"),
                        "Nr.",
                        lang_pick(lang, "Dato", "Date"),
                        lang_pick(lang, "Hændelse", "Event"),
                        lang_pick(lang, "Kanal", "Channel"),
                        lang_pick(lang, "Af", "By")
                    );
                    for e in &entries {
                        say!(
                            "{:>5} {:>4} {} {:<28} {:<24} {}",
                            e.id,
                            e.seq,
                            e.on_date,
                            action_name(&e.action, lang),
                            e.channel.as_deref().map_or("-", |c| channel_name(c, lang)),
                            e.actor
                        );
                    }
                    Ok(())
                }
            }
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
                            if lang == Lang::Da { "plads" } else { "slot" },
                            r.slot,
                            text::channel(r.channel, lang),
                            r.criteria
                                .as_ref()
                                .map(|c| format!(" ({c})"))
                                .unwrap_or_default()
                        );
                    }
                    Ok(())
                }
            }
        }
    }
}

/// The first column of a report grouped by department or by organisation.
fn group_column(by_organisation: bool) -> Column {
    if by_organisation {
        Column::new("organisation_id", "Boligorganisation", "Organisation")
    } else {
        Column::new("department_id", "Afdeling", "Department")
    }
}

pub fn report(db: &DbArgs, command: ReportCommand, args: &ReportArgs) -> Result<()> {
    if let ReportCommand::Lettings { from, to, .. } | ReportCommand::Allocation { from, to, .. } =
        &command
    {
        if from > to {
            anyhow::bail!("--from {from} is after --to {to}");
        }
    }
    let mut store = db.open()?;
    let report = build_report(&mut store, command)?;
    write(&report, args)
}

/// A letting report as a table (the CLI writes it; the web application shows and exports
/// it).
pub fn build_report(store: &mut trappe_store::Store, command: ReportCommand) -> Result<Report> {
    Ok(match command {
        ReportCommand::Lettings {
            from,
            to,
            by_organisation,
        } => {
            let rows = store.lettings_report(from, to, by_organisation)?;
            let keys = [
                "waiting_list",
                "flexible",
                "municipal_allocation",
                "urban_renewal",
                "internal_transfer",
                "exchange",
            ];
            Report {
                title_da: format!("Udlejninger efter kanal {from} – {to}"),
                title_en: format!("Lettings by channel {from} – {to}"),
                columns: vec![
                    group_column(by_organisation),
                    Column::new("name", "Navn", "Name"),
                    Column::new("waiting_list", "Alm. venteliste", "Waiting list"),
                    Column::new("flexible", "Fleksibel", "Flexible"),
                    Column::new(
                        "municipal_allocation",
                        "Kommunal anvisning",
                        "Municipal allocation",
                    ),
                    Column::new("urban_renewal", "Byfornyelse", "Urban renewal"),
                    Column::new("internal_transfer", "Intern oprykning", "Internal transfer"),
                    Column::new("exchange", "Bytte", "Exchange"),
                    Column::new("total", "I alt", "Total"),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        let mut row = vec![Cell::from(r.key.as_str()), Cell::from(r.name.as_str())];
                        row.extend(keys.iter().map(|k| {
                            Cell::Int(i64::from(r.by_channel.get(*k).copied().unwrap_or(0)))
                        }));
                        row.push(Cell::Int(i64::from(r.total)));
                        row
                    })
                    .collect(),
            }
        }
        ReportCommand::EveryThird { year } => {
            let report = store.every_third_report(year)?;
            let (nth, source) = (report.nth, report.source.clone());
            let rows = report.rows;
            Report {
                title_da: format!(
                    "Realiseret anvisning over hver {nth}. ledige bolig, {year} [{source}]"
                ),
                title_en: format!(
                    "Realised allocation above 1 in {nth} vacancies, {year} [{source}]"
                ),
                columns: vec![
                    Column::new("department_id", "Afdeling", "Department"),
                    Column::new("step", "Trin", "Step"),
                    Column::new("vacancies", "Ledige boliger", "Vacancies"),
                    Column::new(
                        "realised_allocations",
                        "Realiseret anvisning",
                        "Realised allocations",
                    ),
                    Column::new("exceeded", "Over grænsen", "Above the limit"),
                    Column::new(
                        "approved_for_next_year",
                        "Fritagelse godkendt næste år",
                        "Exemption approved next year",
                    ),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            Cell::from(r.department_id.as_str()),
                            Cell::from(r.step.as_str()),
                            Cell::Int(i64::from(r.vacancies)),
                            Cell::Int(i64::from(r.realised_allocations)),
                            Cell::Bool(r.exceeded),
                            Cell::Bool(r.approved_for_next_year),
                        ]
                    })
                    .collect(),
            }
        }
        ReportCommand::Allocation {
            from,
            to,
            by_organisation,
        } => {
            let rows = store.allocation_report(from, to, by_organisation)?;
            Report {
                title_da: format!("Boliger til kommunal anvisning {from} – {to}"),
                title_en: format!("Homes for municipal allocation {from} – {to}"),
                columns: vec![
                    group_column(by_organisation),
                    Column::new("name", "Navn", "Name"),
                    Column::new("offered", "Stillet til rådighed", "Offered"),
                    Column::new("used", "Anvendt", "Used"),
                    Column::new("returned", "Returneret", "Returned"),
                    Column::new("open", "Uafsluttet", "Open"),
                ],
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            Cell::from(r.key.as_str()),
                            Cell::from(r.name.as_str()),
                            Cell::Int(i64::from(r.offered)),
                            Cell::Int(i64::from(r.used)),
                            Cell::Int(i64::from(r.returned)),
                            Cell::Int(i64::from(r.open)),
                        ]
                    })
                    .collect(),
            }
        }
    })
}
