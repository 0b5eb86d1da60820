//! The commands that work on the database: import, history, changes, overview,
//! export, snapshots, audit, backup and restore.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use trappe_formats::output::Format;
use trappe_formats::report::{self, Report};
use trappe_formats::table_in::{self, ColumnMapping, TableOptions};
use trappe_formats::text::Lang;
use trappe_rules::Date;
use trappe_store::import::{
    ImportContext, ImportFile, ImportReport, Kind, WithdrawReport, Withdrawal,
};
use trappe_store::{Location, Store};

use crate::{emit, LangArg, VERSION};

/// Where the database is; shared by every database command.
#[derive(Args, Clone)]
pub struct DbArgs {
    /// The database: a SQLite file path (default ./trappe.db) or postgres://… .
    /// Defaults to $DATABASE_URL, then ./trappe.db.
    #[arg(long, global = true)]
    pub db: Option<String>,
}

impl DbArgs {
    pub fn open(&self) -> Result<Store> {
        let location = Location::choose(self.db.as_deref());
        Store::open(&location).with_context(|| format!("cannot open the database ({location})"))
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
    Xlsx,
}

/// How a report is written.
#[derive(Args, Clone)]
pub struct ReportArgs {
    /// table, csv, json or xlsx (xlsx needs --output). Defaults to the --output file's
    /// extension, else table.
    #[arg(long, value_enum, global = true)]
    pub format: Option<ReportFormat>,
    #[arg(long, value_enum, default_value = "da", global = true)]
    pub lang: LangArg,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, global = true)]
    pub output: Option<PathBuf>,
}

#[derive(Args, Clone)]
pub struct ImportArgs {
    /// The CSV or XLSX file.
    pub file: PathBuf,
    /// Agreement to place by (name or file); stored and kept for later imports.
    /// Required on the first import into a database.
    #[arg(long)]
    pub agreement: Option<String>,
    /// Place departments of other municipalities by this agreement too (what-if): the
    /// file is for every municipality under one agreement.
    #[arg(long)]
    pub any_municipality: bool,
    /// The municipality (code) the file is for; needed only when the database holds
    /// several and neither the agreement nor the file's departments say which.
    #[arg(long)]
    pub municipality: Option<String>,
    /// Place the municipality by --agreement from now on although another agreement
    /// places it: why (recorded in the audit log).
    #[arg(long, requires = "agreement")]
    pub change_agreement: Option<String>,
    /// XLSX: the sheet to read (default: the mapping's sheet, else the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// A column-mapping file for other layouts (see docs/agreements.md).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Refuse files larger than this many MB.
    #[arg(long, default_value_t = table_in::DEFAULT_MAX_FILE_BYTES / (1024 * 1024))]
    pub max_mb: u64,
    /// Who imports (for the audit log); defaults to $USER.
    #[arg(long)]
    pub actor: Option<String>,
    /// Departments: accept a file that drops more than 10 % of the departments held
    /// for a municipality (they really left the data); recorded in the audit log.
    #[arg(long)]
    pub allow_drop: bool,
    #[arg(long, value_enum, default_value = "da")]
    pub lang: LangArg,
    /// Print the import report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Departments,
    Areas,
    Pools,
    Decisions,
    Overview,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Departments => Kind::Departments,
            KindArg::Areas => Kind::Areas,
            KindArg::Pools => Kind::Pools,
            KindArg::Decisions => Kind::Decisions,
            KindArg::Overview => Kind::Overview,
        }
    }
}

#[derive(Subcommand, Clone)]
pub enum SnapshotsCommand {
    /// List the snapshots held, withdrawn ones with who, when and why (the default).
    List,
    /// Withdraw a wrong snapshot (the municipality's correction): it stays in the
    /// history, recorded as withdrawn, is no input from then on, the placements are
    /// recomputed from its date, and a file for that date may be imported again.
    Withdraw {
        #[arg(value_enum)]
        kind: KindArg,
        /// The snapshot's reference date (the list date for areas).
        date: Date,
        /// Why (required; kept with the withdrawal and in the audit log).
        #[arg(long)]
        reason: String,
        /// Who withdraws (for the audit log); defaults to $USER.
        #[arg(long)]
        actor: Option<String>,
        /// The municipality whose snapshot it is (needed when several hold one of that
        /// kind and date).
        #[arg(long)]
        municipality: Option<String>,
        #[arg(long, value_enum, default_value = "da")]
        lang: LangArg,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Clone)]
pub enum ImportCommand {
    /// Key figures of departments, per reference date (--as-of).
    Departments {
        #[command(flatten)]
        args: ImportArgs,
        /// The figures' reference date.
        #[arg(long)]
        as_of: Date,
    },
    /// Housing areas and their designations on the state list of --list-date.
    Areas {
        #[command(flatten)]
        args: ImportArgs,
        #[arg(long)]
        list_date: Date,
    },
    /// Official pool figures for small departments, in force from --as-of.
    Pools {
        #[command(flatten)]
        args: ImportArgs,
        #[arg(long)]
        as_of: Date,
    },
    /// Recorded decisions putting small areas on the area staircase, from --as-of.
    Decisions {
        #[command(flatten)]
        args: ImportArgs,
        #[arg(long)]
        as_of: Date,
    },
    /// The municipality's overview (department_id, colour: red/yellow/green or
    /// rød/gul/grøn), in force from --as-of where the agreement says so (Aalborg).
    Overview {
        #[command(flatten)]
        args: ImportArgs,
        /// The date of the municipality's update.
        #[arg(long)]
        as_of: Date,
    },
}

#[derive(Subcommand, Clone)]
pub enum ExportCommand {
    /// Every department's placement in force on a date.
    Overview {
        #[arg(long)]
        on: Option<Date>,
    },
    /// One department's figures and placement over time.
    History { department: String },
    /// Departments that moved between two dates, and why.
    Changes(ChangesArgs),
}

/// Which two placements to compare.
#[derive(Args, Clone, Copy)]
pub struct ChangesArgs {
    /// The placement in force on this date …
    #[arg(long, required_unless_present = "run", requires = "to")]
    pub from: Option<Date>,
    /// … compared with the one in force on this date.
    #[arg(long, required_unless_present = "run", requires = "from")]
    pub to: Option<Date>,
    /// Or: what one placement run changed against the run before it (the import
    /// prints each run's number).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub run: Option<i64>,
}

pub fn actor(given: Option<&str>) -> String {
    given
        .map(str::to_string)
        .or_else(|| std::env::var("USER").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "unknown".into())
}

pub fn import(db: &DbArgs, command: ImportCommand) -> Result<()> {
    let (kind, date, args) = match command {
        ImportCommand::Departments { args, as_of } => (Kind::Departments, as_of, args),
        ImportCommand::Areas { args, list_date } => (Kind::Areas, list_date, args),
        ImportCommand::Pools { args, as_of } => (Kind::Pools, as_of, args),
        ImportCommand::Decisions { args, as_of } => (Kind::Decisions, as_of, args),
        ImportCommand::Overview { args, as_of } => (Kind::Overview, as_of, args),
    };
    let bytes = table_in::read_input_file(&args.file, args.max_mb.saturating_mul(1024 * 1024))?;
    let mapping: Option<ColumnMapping> = match &args.mapping {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            Some(table_in::parse_mapping(&text, &p.display().to_string())?)
        }
        None => None,
    };
    let agreement = match &args.agreement {
        Some(a) => Some(trappe_formats::load_agreement(a)?),
        None => None,
    };
    let file_name = args.file.display().to_string();
    let mut store = db.open()?;
    let who = actor(args.actor.as_deref());
    let report = store.import(
        &ImportFile {
            kind,
            reference_date: date,
            file_name: &file_name,
            bytes: &bytes,
            options: TableOptions {
                sheet: args.sheet.as_deref(),
                mapping: mapping.as_ref(),
            },
        },
        &ImportContext {
            actor: &who,
            agreement: agreement.as_ref(),
            any_municipality: args.any_municipality.then_some(true),
            program_version: VERSION,
            allow_drop: args.allow_drop,
            municipality: args.municipality.as_deref(),
            change_agreement: args.change_agreement.as_deref(),
        },
    )?;
    let lang = crate::lang(args.lang);
    if args.json {
        emit(None, &serde_json::to_vec_pretty(&report)?)?;
        return Ok(());
    }
    print_import(&report, lang, agreement.is_none() && report.runs.is_empty());
    Ok(())
}

/// What a snapshot holds, in the user's language.
fn kind_label(kind: Kind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (Kind::Departments, Lang::Da) => "afdelingernes nøgletal",
        (Kind::Departments, Lang::En) => "departments' key figures",
        (Kind::Areas, Lang::Da) => "områder og udpegninger",
        (Kind::Areas, Lang::En) => "areas and designations",
        (Kind::Pools, Lang::Da) => "puljetal",
        (Kind::Pools, Lang::En) => "pool figures",
        (Kind::Decisions, Lang::Da) => "beslutninger",
        (Kind::Decisions, Lang::En) => "decisions",
        (Kind::Overview, Lang::Da) => "kommunens oversigt over farver",
        (Kind::Overview, Lang::En) => "the municipality's colour overview",
    }
}

fn print_import(r: &ImportReport, lang: Lang, maybe_no_agreement: bool) {
    let da = lang == Lang::Da;
    if r.unchanged {
        say!(
            "{}",
            if da {
                format!(
                    "Uændret: {} {} er allerede importeret med samme indhold (snapshot {}).",
                    kind_label(r.kind, lang),
                    r.reference_date,
                    r.snapshot_id
                )
            } else {
                format!(
                    "Unchanged: {} {} was imported already with the same content (snapshot {}).",
                    kind_label(r.kind, lang),
                    r.reference_date,
                    r.snapshot_id
                )
            }
        );
        if r.runs.is_empty() {
            return;
        }
    }
    if !r.unchanged {
        say!(
            "{}",
            if da {
                format!(
                    "Importeret: {} {}, {} rækker (snapshot {}, {}).",
                    kind_label(r.kind, lang),
                    r.reference_date,
                    r.rows,
                    r.snapshot_id,
                    trappe_app::text::municipality(&r.municipality, lang)
                )
            } else {
                format!(
                    "Imported: {} {}, {} rows (snapshot {}, {}).",
                    kind_label(r.kind, lang),
                    r.reference_date,
                    r.rows,
                    r.snapshot_id,
                    trappe_app::text::municipality(&r.municipality, lang)
                )
            }
        );
    }
    for d in &r.skipped_dates {
        eprintln!(
            "{}",
            if da {
                format!(
                    "Bemærk: {d} ligger uden for aftalens periode; ingen placering pr. den dato."
                )
            } else {
                format!("Note: {d} is outside the agreement's period; no placement on that date.")
            }
        );
    }
    if r.runs.is_empty() && maybe_no_agreement && r.kind == Kind::Departments {
        eprintln!(
            "{}",
            if da {
                "Bemærk: ingen placering beregnet (ingen aftale valgt endnu, eller datoen ligger uden for aftalen): angiv --agreement ved første import."
            } else {
                "Note: no placement computed (no agreement chosen yet, or the date is outside it): give --agreement on the first import."
            }
        );
    }
    for run in &r.runs {
        // Moves of the computed placement only (held until approved) are proposals.
        let proposals = run.changes.iter().filter(|c| !c.in_force).count();
        let moved = run.changes.len() - proposals;
        let (da_proposals, en_proposals) = if proposals > 0 {
            (
                format!(" og {proposals} har et andet beregnet trin (forslag, ikke gældende)"),
                format!(" and {proposals} have another computed step (a proposal, not in force)"),
            )
        } else {
            (String::new(), String::new())
        };
        match run.compared_with {
            Some((_, d)) => say!(
                "{}",
                if da {
                    format!("Placering pr. {} beregnet for {} afdelinger (kørsel {}); {moved} har skiftet trin siden {d}{da_proposals}:", run.on_date, run.departments, run.run_id)
                } else {
                    format!(
                        "Placement on {} computed for {} departments (run {}); {moved} moved since {d}{en_proposals}:",
                        run.on_date,
                        run.departments,
                        run.run_id,
                    )
                }
            ),
            None => say!(
                "{}",
                if da {
                    format!(
                        "Placering pr. {} beregnet for {} afdelinger (kørsel {}, den første).",
                        run.on_date, run.departments, run.run_id
                    )
                } else {
                    format!(
                        "Placement on {} computed for {} departments (run {}, the first).",
                        run.on_date, run.departments, run.run_id
                    )
                }
            ),
        }
        // A new list can move hundreds; the first ones show what happened and
        // `trappe changes` lists them all.
        const SHOWN: usize = 25;
        for c in run.changes.iter().take(SHOWN) {
            let why: Vec<String> = c
                .why
                .iter()
                .map(|w| trappe_app::text::change_why(w, lang))
                .collect();
            say!(
                "  {} {}: {} → {}{}{}",
                c.department_id,
                c.name,
                trappe_app::text::placement_before(c, lang),
                trappe_app::text::placement_after(c, lang),
                if why.is_empty() { "" } else { " — " },
                why.join("; ")
            );
        }
        if run.changes.len() > SHOWN {
            let rest = run.changes.len() - SHOWN;
            let id = run.run_id;
            say!(
                "{}",
                if da {
                    format!("  … og {rest} flere: se dem alle med `trappe changes --run {id}`")
                } else {
                    format!("  … and {rest} more: list them all with `trappe changes --run {id}`")
                }
            );
        }
        for w in &run.warnings {
            eprintln!("{}", trappe_formats::text::warning(w, lang));
        }
    }
}

/// Writes a report in the chosen format (from --format or the --output extension).
pub fn write(report: &Report, args: &ReportArgs) -> Result<()> {
    let lang = crate::lang(args.lang);
    let format = match args.format {
        Some(f) => f,
        None => match args
            .output
            .as_deref()
            .and_then(Path::extension)
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("xlsx") => ReportFormat::Xlsx,
            Some("csv") => ReportFormat::Csv,
            Some("json") => ReportFormat::Json,
            _ => ReportFormat::Table,
        },
    };
    let bytes = match format {
        ReportFormat::Xlsx => {
            if args.output.is_none() {
                bail!("--format xlsx needs --output FILE.xlsx (a spreadsheet is not written to a terminal)");
            }
            report::report_xlsx(report, lang)?
        }
        other => {
            let mut buf = Vec::new();
            report::write_report(
                &mut buf,
                report,
                match other {
                    ReportFormat::Csv => Format::Csv,
                    ReportFormat::Json => Format::Json,
                    _ => Format::Table,
                },
                lang,
            )?;
            buf
        }
    };
    emit(args.output.as_deref(), &bytes)
}

pub fn export(db: &DbArgs, command: ExportCommand, args: &ReportArgs) -> Result<()> {
    let mut store = db.open()?;
    let lang = crate::lang(args.lang);
    let report = match command {
        ExportCommand::Overview { on } => {
            let on = on.unwrap_or_else(|| chrono::Local::now().date_naive());
            trappe_app::reports::overview_report(&store.overview(on)?, lang)
        }
        ExportCommand::History { department } => {
            trappe_app::reports::history_report(&department, &store.history(&department)?, lang)
        }
        ExportCommand::Changes(args) => {
            let report = match (args.run, args.from, args.to) {
                (Some(run), _, _) => store.changes_of_run(run)?,
                (None, Some(from), Some(to)) => store.changes(from, to)?,
                _ => bail!("give --from DATE --to DATE, or --run N"),
            };
            trappe_app::reports::changes_report(&report, lang)
        }
    };
    write(&report, args)
}

pub fn snapshots(db: &DbArgs, command: Option<SnapshotsCommand>) -> Result<()> {
    let mut store = db.open()?;
    if let Some(SnapshotsCommand::Withdraw {
        kind,
        date,
        reason,
        actor: who,
        municipality,
        lang,
        json,
    }) = command
    {
        let who = actor(who.as_deref());
        let r = store.withdraw_snapshot(&Withdrawal {
            kind: kind.into(),
            reference_date: date,
            reason: &reason,
            actor: &who,
            program_version: VERSION,
            municipality: municipality.as_deref(),
        })?;
        if json {
            emit(None, &serde_json::to_vec_pretty(&r)?)?;
        } else {
            print_withdrawal(&r, crate::lang(lang));
        }
        return Ok(());
    }
    let list = store.snapshots()?;
    if list.is_empty() {
        eprintln!("no snapshots yet: import a file with `trappe import departments FILE --as-of DATE --agreement NAME`");
    }
    for s in list {
        let withdrawn = match &s.withdrawn {
            Some(w) => format!(
                "\twithdrawn {} by {}: {}",
                w.at.format("%Y-%m-%d %H:%M:%S"),
                w.by,
                w.reason
            ),
            None => String::new(),
        };
        say!(
            "{}\t{}\t{}\t{} rows\t{}\t{}\t{}{withdrawn}\t{}",
            s.id,
            s.kind,
            s.reference_date,
            s.rows,
            s.imported_at.format("%Y-%m-%d %H:%M:%S"),
            s.imported_by,
            s.file_name,
            trappe_app::text::municipality(&s.municipality, Lang::En)
        );
    }
    Ok(())
}

fn print_withdrawal(r: &WithdrawReport, lang: Lang) {
    let da = lang == Lang::Da;
    say!(
        "{}",
        if da {
            format!(
                "Trukket tilbage: {} {} ({}, {} rækker, snapshot {}). Det bevares i historikken og indgår ikke længere i placeringerne; en fil for datoen kan nu indlæses igen.",
                kind_label(r.kind, lang),
                r.reference_date,
                r.file_name,
                r.rows,
                r.snapshot_id
            )
        } else {
            format!(
                "Withdrawn: {} {} ({}, {} rows, snapshot {}). It stays in the history and is no longer an input of the placements; a file for that date may now be imported again.",
                kind_label(r.kind, lang),
                r.reference_date,
                r.file_name,
                r.rows,
                r.snapshot_id
            )
        }
    );
    if r.master_restored + r.master_removed > 0 {
        say!(
            "{}",
            if da {
                format!(
                    "Stamdata: {} afdelinger taget fra det nyeste andet udtræk; {} afdelinger fandtes kun i det tilbagetrukne.",
                    r.master_restored, r.master_removed
                )
            } else {
                format!(
                    "Master data: {} departments taken from the newest other snapshot; {} departments were only in the withdrawn one.",
                    r.master_restored, r.master_removed
                )
            }
        );
    }
    match r.in_force {
        Some((run, on)) => say!(
            "{}",
            if da {
                format!(
                    "Placering i kraft pr. {}: kørsel {run} (pr. {on}); {} har skiftet trin:",
                    r.reference_date,
                    r.changes.len()
                )
            } else {
                format!(
                    "Placement in force on {}: run {run} (of {on}); {} moved step:",
                    r.reference_date,
                    r.changes.len()
                )
            }
        ),
        None => say!(
            "{}",
            if da {
                format!(
                    "Ingen placering er længere i kraft pr. {}.",
                    r.reference_date
                )
            } else {
                format!("No placement is in force on {} any more.", r.reference_date)
            }
        ),
    }
    const SHOWN: usize = 25;
    for c in r.changes.iter().take(SHOWN) {
        let why: Vec<String> = c
            .why
            .iter()
            .map(|w| trappe_app::text::change_why(w, lang))
            .collect();
        say!(
            "  {} {}: {} → {}{}{}",
            c.department_id,
            c.name,
            trappe_app::text::placement_before(c, lang),
            trappe_app::text::placement_after(c, lang),
            if why.is_empty() { "" } else { " — " },
            why.join("; ")
        );
    }
    if r.changes.len() > SHOWN {
        say!(
            "  … ({} {})",
            r.changes.len() - SHOWN,
            if da { "flere" } else { "more" }
        );
    }
    for run in &r.runs {
        say!(
            "{}",
            if da {
                format!(
                    "Placering pr. {} beregnet igen (kørsel {}).",
                    run.on_date, run.run_id
                )
            } else {
                format!(
                    "Placement on {} recomputed (run {}).",
                    run.on_date, run.run_id
                )
            }
        );
    }
}

pub fn audit(db: &DbArgs, limit: i64) -> Result<()> {
    let mut store = db.open()?;
    for e in store.audit_log(limit)? {
        say!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            e.id,
            e.at.format("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            e.subject,
            e.detail
        );
    }
    Ok(())
}
