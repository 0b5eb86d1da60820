//! The `trappe` command line: argument parsing and wiring only. The rules live in
//! `trappe-rules`, the file formats in `trappe-formats`, the database in `trappe-store`.

/// Writes a line to standard output. A closed pipe (`trappe … | head`) ends
/// the output quietly instead of panicking.
macro_rules! say {
    () => {{
        let _ = writeln!(std::io::stdout());
    }};
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// [`say!`] without the line end.
macro_rules! say_part {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

mod applicant_cmd;
mod letting_cmd;
mod placement_cmd;
mod store_cmd;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use trappe_formats::agreement_file::{load_agreement, parse_agreement, parse_law, LoadedAgreement};
use trappe_formats::output::{self, Format};
use trappe_formats::{synth, table_in, text, Lang};
use trappe_rules::designation::designate;
use trappe_rules::placement::{classify, ClassifyInput};
use trappe_rules::pooling::{computed_figures, propose_pools, PoolMember};
use trappe_rules::Date;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Parser)]
#[command(
    name = "trappe",
    version,
    about = "Joint letting agreements: state designations and staircase placement of housing departments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    db: store_cmd::DbArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LangArg {
    Da,
    En,
}

#[derive(Clone, Copy, ValueEnum)]
enum Preset {
    Copenhagen,
    Aalborg,
    /// Esbjerg (municipality 561): the named list, with its named departments.
    Esbjerg,
    National,
}

#[derive(Subcommand)]
enum Command {
    /// Place every department on its agreement's staircase, with reasons and a receipt.
    Classify(ClassifyArgs),
    /// Compute the state's designations of housing areas from their key figures.
    Designate(DesignateArgs),
    /// Work with agreement files.
    Agreement {
        #[command(subcommand)]
        command: AgreementCommand,
    },
    /// Propose pools for small departments (a template for the pools file).
    Pools(PoolsArgs),
    /// Generate synthetic example data with a fixed seed.
    Generate(GenerateArgs),
    /// Import a CSV or XLSX file into the database (all or nothing) and recompute placements.
    Import {
        #[command(subcommand)]
        command: store_cmd::ImportCommand,
    },
    /// Every department's placement in force on a date (default today), from the database.
    Overview {
        #[arg(long)]
        on: Option<Date>,
        #[command(flatten)]
        report: store_cmd::ReportArgs,
    },
    /// One department's figures and placement over time.
    History {
        department: String,
        #[command(flatten)]
        report: store_cmd::ReportArgs,
    },
    /// Departments that moved step between two dates (or in one placement run), and why.
    Changes {
        #[command(flatten)]
        which: store_cmd::ChangesArgs,
        #[command(flatten)]
        report: store_cmd::ReportArgs,
    },
    /// Export an overview, a history or the changes to CSV or XLSX (by --output's extension).
    Export {
        #[command(subcommand)]
        what: store_cmd::ExportCommand,
        #[command(flatten)]
        report: store_cmd::ReportArgs,
    },
    /// The placement in force where it is a decision: the re-placement proposal, an
    /// approved re-placement, the criteria decided for a newly designated prevention
    /// area; list and withdraw decisions.
    Placement {
        #[command(subcommand)]
        command: placement_cmd::PlacementCommand,
    },
    /// List the snapshots held (key figures, lists, pools, decisions), or withdraw a
    /// wrong one (`snapshots withdraw KIND DATE --reason TEXT`).
    #[command(alias = "snapshot")]
    Snapshots {
        #[command(subcommand)]
        command: Option<store_cmd::SnapshotsCommand>,
    },
    /// Show the newest entries of the audit log.
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// The homes register: import the homes of departments, list them.
    Homes {
        #[command(subcommand)]
        command: letting_cmd::HomesCommand,
    },
    /// Vacancies: register (which channel gets it), resolve, show, decide, ledger.
    Vacancy {
        #[command(subcommand)]
        command: letting_cmd::VacancyCommand,
    },
    /// The letting wheels of an agreement.
    Wheel {
        #[command(subcommand)]
        command: letting_cmd::WheelCommand,
    },
    /// Letting reports: lettings by channel, every 3rd vacancy, homes for the allocation.
    Report {
        #[command(subcommand)]
        what: letting_cmd::ReportCommand,
        #[command(flatten)]
        report: store_cmd::ReportArgs,
    },
    /// Applicants: check a household against the criteria, rank applicants for a
    /// vacancy, check the limits on municipal allocation, retention of applicant data.
    Applicant {
        #[command(subcommand)]
        command: applicant_cmd::ApplicantCommand,
    },
    /// Start the web application and HTTP API (`--demo` loads the example first).
    Serve {
        #[command(flatten)]
        args: ServeArgs,
    },
    /// Users of the web application: add, list.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Take a consistent copy of the SQLite database while it is in use.
    Backup { file: PathBuf },
    /// Replace the SQLite database's content with a backup.
    Restore {
        file: PathBuf,
        /// Confirm that the current content is to be replaced.
        #[arg(long)]
        yes: bool,
    },
}

/// The arguments of `Command::Classify`.
#[derive(clap::Args, Clone)]
pub struct ClassifyArgs {
    /// Agreement name (copenhagen-2024, aalborg-2023) or path to an agreement file.
    #[arg(long)]
    agreement: String,
    /// Departments CSV.
    #[arg(long)]
    departments: PathBuf,
    /// Areas CSV (area designations; needed for the area staircase / red).
    #[arg(long)]
    areas: Option<PathBuf>,
    /// Pool figures CSV for small departments (pool_id, members, indicators).
    #[arg(long)]
    pools: Option<PathBuf>,
    /// Recorded decisions to put small areas on the area staircase.
    #[arg(long)]
    decisions: Option<PathBuf>,
    /// The date to place for (YYYY-MM-DD).
    #[arg(long)]
    on: Date,
    /// The reference date of the key figures (defaults to --on).
    #[arg(long)]
    data_date: Option<Date>,
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,
    #[arg(long, value_enum, default_value = "da")]
    lang: LangArg,
    /// With --format json: add each reason's sentence ("text") in --lang.
    #[arg(long)]
    reason_text: bool,
    /// Classify departments of other municipalities by this agreement too (what-if).
    #[arg(long)]
    any_municipality: bool,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Also write the full receipt (every parameter value with source and validity) as JSON.
    #[arg(long)]
    receipt: Option<PathBuf>,
}

/// The arguments of `Command::Designate`.
#[derive(clap::Args, Clone)]
pub struct DesignateArgs {
    /// Areas CSV with the indicator columns and non_western_pct filled in.
    #[arg(long)]
    areas: PathBuf,
    /// The list date (or any date: the list in force on it is used).
    #[arg(long)]
    on: Date,
    /// Law parameter file (defaults to the built-in almenboligloven-61).
    #[arg(long)]
    law: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,
    #[arg(long, value_enum, default_value = "da")]
    lang: LangArg,
    #[arg(long)]
    output: Option<PathBuf>,
}

/// The arguments of `Command::Pools`.
#[derive(clap::Args, Clone)]
pub struct PoolsArgs {
    #[arg(long)]
    agreement: String,
    #[arg(long)]
    departments: PathBuf,
    #[arg(long)]
    output: Option<PathBuf>,
}

/// The arguments of `Command::Generate`.
#[derive(clap::Args, Clone)]
pub struct GenerateArgs {
    #[arg(long, value_enum)]
    preset: Preset,
    /// Directory to write departments, areas (CSV and XLSX) and decisions.csv into.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// National preset: number of municipalities.
    #[arg(long, default_value_t = 100)]
    municipalities: usize,
    /// National preset: departments per municipality.
    #[arg(long, default_value_t = 100)]
    per_municipality: usize,
}

/// How `trappe serve` runs (turned into a [`trappe_web::ServeConfig`]).
#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Load the Copenhagen example into a fresh database (./trappe-demo.db unless --db
    /// says otherwise) and create demo users, printed at start.
    #[arg(long)]
    demo: bool,
    /// Mark the session cookie Secure (set this when a TLS proxy serves the app).
    #[arg(long)]
    secure_cookies: bool,
    /// Counts of persons below this are shown as "< N" in pages and exports.
    #[arg(long, default_value_t = 5)]
    suppress_below: u32,
    /// The address of a reverse proxy in front of trappe (repeatable). For requests from
    /// it, the client is the last address in `X-Forwarded-For` that is not a trusted
    /// proxy; without this, the client is the connection's peer.
    #[arg(long = "trusted-proxy", value_name = "IP")]
    trusted_proxies: Vec<std::net::IpAddr>,
}

/// `trappe serve`: the demo's database is ./trappe-demo.db unless --db or $DATABASE_URL
/// says otherwise.
fn serve(db: &store_cmd::DbArgs, args: ServeArgs) -> Result<()> {
    let location = match (&db.db, args.demo) {
        (None, true) if std::env::var("DATABASE_URL").is_err() => {
            trappe_store::Location::Sqlite(PathBuf::from("trappe-demo.db"))
        }
        _ => trappe_store::Location::choose(db.db.as_deref()),
    };
    trappe_web::serve(
        &location,
        trappe_web::ServeConfig {
            addr: args.addr,
            demo: args.demo,
            secure_cookies: args.secure_cookies,
            suppress_below: args.suppress_below,
            trusted_proxies: args.trusted_proxies,
        },
    )
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a local account; the password is read from standard input (one line) or
    /// $TRAPPE_PASSWORD, and stored only as an Argon2id hash.
    Add {
        name: String,
        /// municipality (all departments, imports, approvals), organisation (its own
        /// departments: reading, vacancies, applicants) or steering (reading only).
        #[arg(long)]
        role: String,
        /// The housing organisation of an organisation user.
        #[arg(long)]
        organisation: Option<String>,
        /// The one municipality (code) a municipality or steering-group user works for;
        /// without it, every municipality the database holds.
        #[arg(long)]
        municipality: Option<String>,
        #[arg(long)]
        actor: Option<String>,
    },
    /// List the accounts (never the hashes).
    List,
}

#[derive(Subcommand)]
enum AgreementCommand {
    /// Check an agreement (or law parameter) file and report every problem.
    Check { file: PathBuf },
    /// List the built-in agreements.
    List,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trappe: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
    }
}

pub(crate) fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::Da => Lang::Da,
        LangArg::En => Lang::En,
    }
}

/// Reads an input file whole, within the default size limit (a larger or empty file is
/// refused before it is read).
fn read(path: &Path) -> Result<Vec<u8>> {
    Ok(table_in::read_input_file(
        path,
        table_in::DEFAULT_MAX_FILE_BYTES,
    )?)
}

/// Writes the output to a file atomically (temporary file, then rename) or to stdout.
pub(crate) fn emit(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => {
            let tmp = path.with_extension("trappe-tmp");
            std::fs::write(&tmp, bytes)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(bytes).and_then(|()| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

fn user(db: &store_cmd::DbArgs, command: UserCommand) -> Result<()> {
    let mut store = db.open()?;
    match command {
        UserCommand::Add {
            name,
            role,
            organisation,
            municipality,
            actor,
        } => {
            let role = trappe_web::role(&role, organisation.as_deref())?;
            let password = match std::env::var("TRAPPE_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("password for {name} (one line on standard input):");
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("cannot read the password")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let hash = trappe_web::hash_password(&password)?;
            let u = store.add_user(
                &name,
                &hash,
                &role,
                municipality.as_deref(),
                &store_cmd::actor(actor.as_deref()),
            )?;
            say!("user {} added ({})", u.username, u.role.as_str());
            Ok(())
        }
        UserCommand::List => {
            for c in store.users()? {
                say!(
                    "{:<20} {:<13} {}{}",
                    c.user.username,
                    c.user.role.as_str(),
                    c.user.role.organisation().unwrap_or(""),
                    if c.disabled { " (disabled)" } else { "" }
                );
            }
            Ok(())
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let db = cli.db;
    match cli.command {
        Command::Classify(args) => classify_cmd(args),
        Command::Designate(args) => designate_cmd(args),
        Command::Agreement {
            command: AgreementCommand::Check { file },
        } => check_file(&file),
        Command::Agreement {
            command: AgreementCommand::List,
        } => {
            for (name, _) in trappe_formats::agreement_file::BUILTIN_AGREEMENTS {
                let a = trappe_formats::load_builtin(name)?;
                say!(
                    "{name}\t{}\t{} – {}",
                    a.agreement.title,
                    a.agreement.period.from,
                    a.agreement.period.to.map_or("".into(), |d| d.to_string())
                );
            }
            Ok(())
        }
        Command::Pools(args) => pools_cmd(args),
        Command::Generate(args) => generate_cmd(args),
        Command::Import { command } => store_cmd::import(&db, command),
        Command::Overview { on, report } => {
            store_cmd::export(&db, store_cmd::ExportCommand::Overview { on }, &report)
        }
        Command::History { department, report } => store_cmd::export(
            &db,
            store_cmd::ExportCommand::History { department },
            &report,
        ),
        Command::Changes { which, report } => {
            store_cmd::export(&db, store_cmd::ExportCommand::Changes(which), &report)
        }
        Command::Export { what, report } => {
            if report.output.is_none() {
                bail!("export needs --output FILE.csv or FILE.xlsx");
            }
            store_cmd::export(&db, what, &report)
        }
        Command::Snapshots { command } => store_cmd::snapshots(&db, command),
        Command::Placement { command } => placement_cmd::run(&db, command),
        Command::Homes { command } => letting_cmd::homes(&db, command),
        Command::Applicant { command } => applicant_cmd::run(&db, command),
        Command::Serve { args } => serve(&db, args),
        Command::User { command } => user(&db, command),
        Command::Vacancy { command } => letting_cmd::vacancy(&db, command),
        Command::Wheel { command } => letting_cmd::wheel_cmd(command),
        Command::Report { what, report } => letting_cmd::report(&db, what, &report),
        Command::Audit { limit } => store_cmd::audit(&db, limit),
        Command::Backup { file } => {
            let mut store = db.open()?;
            store.backup(&file, &store_cmd::actor(None))?;
            eprintln!("backup written to {}", file.display());
            Ok(())
        }
        Command::Restore { file, yes } => {
            if !yes {
                bail!("restore replaces everything in the database with {}; run again with --yes to confirm", file.display());
            }
            let mut store = db.open()?;
            store.restore(&file, &store_cmd::actor(None))?;
            eprintln!("restored from {}", file.display());
            Ok(())
        }
    }
}

fn classify_cmd(args: ClassifyArgs) -> Result<()> {
    let ClassifyArgs {
        agreement,
        departments,
        areas,
        pools,
        decisions,
        on,
        data_date,
        format: f,
        lang: l,
        reason_text,
        any_municipality,
        output,
        receipt,
    } = args;
    let loaded = load_agreement(&agreement)?;
    let dep_file = departments.display().to_string();
    let deps = table_in::read_departments(&read(&departments)?, &dep_file)?;
    let areas = match &areas {
        Some(p) => Some(table_in::read_areas(
            &read(p)?,
            &p.display().to_string(),
            false,
        )?),
        None => None,
    };
    let pools = match &pools {
        Some(p) => Some(table_in::read_pools(&read(p)?, &p.display().to_string())?),
        None => None,
    };
    let decisions = match &decisions {
        Some(p) => table_in::read_decisions(&read(p)?, &p.display().to_string())?,
        None => Vec::new(),
    };
    let result = classify(ClassifyInput {
        agreement: &loaded.agreement,
        law: &loaded.law,
        on,
        data_reference_date: data_date,
        departments: &deps,
        areas: areas.as_deref(),
        decisions: &decisions,
        pools: pools.as_deref(),
        any_municipality,
        program_version: VERSION,
        overview: None,
        standing: None,
    });
    let result = match result {
        Ok(r) => r,
        Err(errors) => {
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            bail!(
                "cannot classify {} with {}:\n{}",
                dep_file,
                loaded.agreement.id,
                list.join("\n")
            );
        }
    };
    for w in &result.warnings {
        eprintln!("{}", text::warning(w, lang(l)));
    }
    let mut buf = Vec::with_capacity(deps.len() * 4096);
    output::write_classification(
        &mut buf,
        match (format(f), reason_text) {
            (Format::Json, true) => Format::JsonWithText,
            (other, _) => other,
        },
        lang(l),
        &loaded.agreement,
        &deps,
        &result,
    )?;
    if let Some(path) = &receipt {
        let full = output::receipt_json(&result.receipt, true)?;
        emit(Some(path), &serde_json::to_vec_pretty(&full)?)?;
    }
    emit(output.as_deref(), &buf)
}

fn designate_cmd(args: DesignateArgs) -> Result<()> {
    let DesignateArgs {
        areas,
        on,
        law,
        format: f,
        lang: l,
        output,
    } = args;
    let law = match law {
        Some(p) => parse_law(
            &String::from_utf8_lossy(&read(&p)?),
            &p.display().to_string(),
        )?,
        None => trappe_formats::load_builtin("copenhagen-2024")?.law,
    };
    let file = areas.display().to_string();
    let areas = table_in::read_areas(&read(&areas)?, &file, true)?;
    let Some(selection) = law.select(on) else {
        bail!(
            "the law parameters {} have no values for any list on or before {on}",
            law.id
        );
    };
    if selection.fallback {
        eprintln!(
            "{}",
            text::warning(
                &trappe_rules::placement::Warning::ThresholdsFallback {
                    list_in_force: selection.list_in_force,
                    values_from_list: selection.values_from_list
                },
                lang(l)
            )
        );
    }
    let mut results = Vec::with_capacity(areas.len());
    for a in &areas {
        // read_areas(…, true) refuses a row without the four figures and origin.
        let af = a
            .area_figures()
            .with_context(|| format!("{file}: area {} lacks figures or non_western_pct", a.id))?;
        results.push(designate(&af, selection.thresholds));
    }
    for (a, r) in areas.iter().zip(&results) {
        if let Some(o) = a.official {
            if o != r.designation {
                eprintln!(
                    "{}",
                    text::warning(
                        &trappe_rules::placement::Warning::DesignationDisagrees {
                            area_id: a.id.clone(),
                            official: o,
                            computed: r.designation
                        },
                        lang(l)
                    )
                );
            }
        }
    }
    let mut buf = Vec::new();
    output::write_designations(
        &mut buf,
        format(f),
        lang(l),
        selection.list_in_force,
        selection.values_from_list,
        &areas,
        &results,
    )?;
    emit(output.as_deref(), &buf)
}

fn pools_cmd(args: PoolsArgs) -> Result<()> {
    let PoolsArgs {
        agreement,
        departments,
        output,
    } = args;
    let loaded = load_agreement(&agreement)?;
    let deps =
        table_in::read_departments(&read(&departments)?, &departments.display().to_string())?;
    let members: Vec<PoolMember<'_>> = deps
        .iter()
        .map(trappe_rules::placement::Department::pool_member)
        .collect();
    let mut w = trappe_formats::output::CsvWriter::from_writer(Vec::new());
    w.write_record([
        "pool_id",
        "members",
        "homes",
        "residents",
        "stage",
        "reaches_threshold",
        "unemployment_pct",
        "convictions_pct",
        "primary_education_pct",
        "income_pct",
    ])?;
    let Some(small) = &loaded.agreement.small_departments else {
        anyhow::bail!(
            "agreement {} pools no small departments (it has no [small_departments])",
            loaded.agreement.id
        );
    };
    for pool in propose_pools(&members, small) {
        let fig = computed_figures(&pool, &members);
        let cell = |v: Option<trappe_rules::Pct>| v.map_or(String::new(), |v| v.to_string());
        w.write_record([
            pool.id.clone(),
            pool.members
                .iter()
                .map(|&i| members[i].department_id)
                .collect::<Vec<_>>()
                .join(" "),
            pool.homes.to_string(),
            pool.residents.to_string(),
            format!("{:?}", pool.stage),
            pool.reaches_threshold.to_string(),
            cell(fig.map(|f| f.unemployment_pct)),
            cell(fig.map(|f| f.convictions_pct)),
            cell(fig.map(|f| f.primary_education_pct)),
            cell(fig.map(|f| f.income_pct)),
        ])?;
    }
    emit(output.as_deref(), &w.into_inner()?)
}

fn generate_cmd(args: GenerateArgs) -> Result<()> {
    let GenerateArgs {
        preset,
        out,
        seed,
        municipalities,
        per_municipality,
    } = args;
    let name = match preset {
        Preset::Aalborg => "aalborg-2023",
        Preset::Esbjerg => "esbjerg-2020",
        _ => "copenhagen-2024",
    };
    let LoadedAgreement { agreement, law, .. } = trappe_formats::load_builtin(name)?;
    let list = law
        .lists
        .last()
        .context("the law parameters have no list")?;
    let generated = match preset {
        Preset::Copenhagen => synth::copenhagen(seed, &agreement, list),
        Preset::Aalborg => synth::aalborg(seed, &agreement, list),
        Preset::Esbjerg => synth::esbjerg(seed, &agreement, list),
        Preset::National => {
            synth::national(seed, &agreement, list, municipalities, per_municipality)
        }
    };
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let departments =
        table_in::read_departments(generated.departments_csv.as_bytes(), "departments.csv")?;
    let homes = synth::homes_csv(&departments);
    for (file, body) in [
        ("departments.csv", &generated.departments_csv),
        ("areas.csv", &generated.areas_csv),
        ("decisions.csv", &generated.decisions_csv),
        ("homes.csv", &homes),
    ] {
        emit(Some(&out.join(file)), body.as_bytes())?;
    }
    // Aalborg: the municipality's colour overviews, drawn around trappe's own colours.
    let mut written = String::new();
    if matches!(preset, Preset::Aalborg) {
        let areas = table_in::read_areas(generated.areas_csv.as_bytes(), "areas.csv", false)?;
        let computed = classify(ClassifyInput {
            agreement: &agreement,
            law: &law,
            on: "2024-03-01".parse()?,
            data_reference_date: None,
            departments: &departments,
            areas: Some(&areas),
            decisions: &[],
            pools: None,
            any_municipality: false,
            program_version: VERSION,
            overview: None,
            standing: None,
        })
        .map_err(|e| {
            anyhow::anyhow!(
                "the generated example does not classify: {} problems",
                e.len()
            )
        })?;
        let steps: Vec<(String, String)> = computed
            .placements
            .iter()
            .map(|p| (departments[p.department].id.clone(), p.step.clone()))
            .collect();
        for (on, body) in synth::aalborg_overviews(seed, &steps) {
            let file = format!("overview-{on}.csv");
            emit(Some(&out.join(&file)), body.as_bytes())?;
            written.push_str(&format!(", {file}"));
        }
    }
    for (file, body, sheet) in [
        ("departments.xlsx", &generated.departments_csv, "Afdelinger"),
        ("areas.xlsx", &generated.areas_csv, "Områder"),
    ] {
        emit(Some(&out.join(file)), &synth::csv_to_xlsx(body, sheet)?)?;
    }
    eprintln!(
        "wrote {}/departments.csv, areas.csv, decisions.csv, homes.csv{written}, departments.xlsx, areas.xlsx (synthetic, seed {seed})",
        out.display()
    );
    Ok(())
}

/// Checks an agreement file, or a law parameter file (recognised by its [law] table).
fn check_file(file: &Path) -> Result<()> {
    let bytes = read(file)?;
    let text =
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", file.display()))?;
    let name = file.display().to_string();
    if text.lines().any(|l| l.trim() == "[law]") {
        let law = parse_law(&text, &name)?;
        say!(
            "{name}: ok — law parameters {} with {} list(s)",
            law.id,
            law.lists.len()
        );
        return Ok(());
    }
    let agreement = parse_agreement(&text, &name)?;
    // The law it refers to must load as well.
    let loaded = load_agreement(&name)?;
    say!(
        "{name}: ok — {} ({} – {}), law {} with lists {}, {} step rules, {} wheels, {} interpretations, sha256 {}",
        agreement.id,
        agreement.period.from,
        agreement.period.to.map_or("open".into(), |d| d.to_string()),
        loaded.law.id,
        loaded.law.lists.iter().map(|l| l.list_date.to_string()).collect::<Vec<_>>().join(", "),
        agreement.steps.len(),
        agreement.wheels.len(),
        agreement.interpretations.len(),
        agreement.content_sha256,
    );
    for i in &agreement.interpretations {
        say!("  interpretation {}: {} [{}]", i.key, i.text, i.source);
    }
    Ok(())
}
