//! Imports: one file becomes one snapshot, all or nothing, and the placements that
//! depend on it are recomputed in the same transaction.
//!
//! A snapshot is identified by its kind and reference date (the figures' date, or the
//! state list's date). It is never overwritten: importing the same content again
//! changes nothing, importing other content for a date already held is refused.
//!
//! Placements form a timeline of *runs*. Every date on which some input starts to
//! apply (a departments snapshot's reference date, a list date, a pools or decisions
//! date) is a run date; the run on date E classifies the newest departments snapshot
//! on or before E with the newest list, pools and decisions on or before E. An
//! import recomputes the run dates from its own date on whose inputs changed, so a
//! late-delivered older file corrects the history after it without touching what
//! came before.

use chrono::Utc;
use serde::Serialize;
use trappe_formats::agreement_file::sha256_hex;
use trappe_formats::table_in::{self, TableOptions};
use trappe_formats::{AgreementSource, LoadedAgreement};
use trappe_rules::designation::{AreaCounts, Count};
use trappe_rules::placement::{
    classify, Area, AreaDecision, ClassifyInput, Department, OfficialPool, Warning,
};
use trappe_rules::{Date, Designation, Figures};

use crate::db::{Conn, Value};
use crate::read::{self, Change};
use crate::{Store, StoreError};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Departments,
    Areas,
    Pools,
    Decisions,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Departments => "departments",
            Kind::Areas => "areas",
            Kind::Pools => "pools",
            Kind::Decisions => "decisions",
        }
    }
}

/// A file to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportFile<'a> {
    pub kind: Kind,
    /// The figures' reference date, or the list date.
    pub reference_date: Date,
    /// The file's name as the user gave it (for messages and the audit log).
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    /// Sheet and column mapping for XLSX files and other layouts.
    pub options: TableOptions<'a>,
}

/// Who imports, and with which rules.
#[derive(Debug, Clone, Copy)]
pub struct ImportContext<'a> {
    pub actor: &'a str,
    /// The agreement to place by from now on; `None` keeps the one in use.
    pub agreement: Option<&'a LoadedAgreement>,
    /// Place departments of other municipalities too (what-if); `None` keeps the
    /// setting in use.
    pub any_municipality: Option<bool>,
    pub program_version: &'a str,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub kind: Kind,
    pub reference_date: Date,
    pub snapshot_id: i64,
    /// True when the same content was already held: nothing was written.
    pub unchanged: bool,
    pub rows: usize,
    pub runs: Vec<RunReport>,
    /// Run dates outside the agreement's period, where no placement was made.
    pub skipped_dates: Vec<Date>,
}

/// One recomputed placement run and what moved compared with the run before it.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run_id: i64,
    pub on_date: Date,
    pub departments: usize,
    /// The run compared with: the previous run on the same date, else the newest
    /// run before it.
    pub compared_with: Option<(i64, Date)>,
    pub changes: Vec<Change>,
    pub warnings: Vec<Warning>,
}

/// A file's rows, parsed.
enum Parsed {
    Departments(Vec<Department>),
    Areas(Vec<Area>),
    Pools(Vec<OfficialPool>),
    Decisions(Vec<AreaDecision>),
}

impl Parsed {
    fn len(&self) -> usize {
        match self {
            Parsed::Departments(v) => v.len(),
            Parsed::Areas(v) => v.len(),
            Parsed::Pools(v) => v.len(),
            Parsed::Decisions(v) => v.len(),
        }
    }

    fn content_sha256(&self) -> Result<String, StoreError> {
        let json = match self {
            Parsed::Departments(v) => serde_json::to_vec(v),
            Parsed::Areas(v) => serde_json::to_vec(v),
            Parsed::Pools(v) => serde_json::to_vec(v),
            Parsed::Decisions(v) => serde_json::to_vec(v),
        }
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(sha256_hex(&json))
    }
}

fn parse(file: &ImportFile<'_>) -> Result<Parsed, StoreError> {
    let (bytes, name, opts) = (file.bytes, file.file_name, file.options);
    Ok(match file.kind {
        Kind::Departments => {
            Parsed::Departments(table_in::read_departments_with(bytes, name, opts)?)
        }
        Kind::Areas => Parsed::Areas(table_in::read_areas_with(bytes, name, false, opts)?),
        Kind::Pools => Parsed::Pools(table_in::read_pools_with(bytes, name, opts)?),
        Kind::Decisions => Parsed::Decisions(table_in::read_decisions_with(bytes, name, opts)?),
    })
}

/// Parses and checks a file as an import would, writing nothing: the number of rows,
/// or every bad cell (what the web application shows before the user confirms).
pub fn check_import(file: &ImportFile<'_>) -> Result<usize, StoreError> {
    Ok(match parse(file)? {
        Parsed::Departments(v) => v.len(),
        Parsed::Areas(v) => v.len(),
        Parsed::Pools(v) => v.len(),
        Parsed::Decisions(v) => v.len(),
    })
}

impl Store {
    /// Imports one file: parses and validates it completely first (nothing is written
    /// when any row is bad), then writes the snapshot, the master data, the audit
    /// entry and the recomputed placements in one transaction.
    pub fn import(
        &mut self,
        file: &ImportFile<'_>,
        ctx: &ImportContext<'_>,
    ) -> Result<ImportReport, StoreError> {
        let parsed = parse(file)?;
        let content_sha = parsed.content_sha256()?;
        let file_sha = sha256_hex(file.bytes);
        self.conn.transaction(|c| {
            if let Some(row) = c.query_opt(
                "SELECT id, content_sha256, file_name, imported_at, imported_by FROM snapshot WHERE kind = $1 AND reference_date = $2",
                &[file.kind.as_str().into(), file.reference_date.into()],
            )? {
                if row.text(1)? == content_sha {
                    return Ok(ImportReport {
                        kind: file.kind,
                        reference_date: file.reference_date,
                        snapshot_id: row.int(0)?,
                        unchanged: true,
                        rows: parsed.len(),
                        runs: Vec::new(),
                        skipped_dates: Vec::new(),
                    });
                }
                return Err(StoreError::Conflict(format!(
                    "a {} snapshot for {} is held already (imported {} by {} from {}) with other content; snapshots are never overwritten — import the corrected file under its own date",
                    file.kind.as_str(),
                    file.reference_date,
                    row.time(3)?.format("%Y-%m-%d %H:%M"),
                    row.text(4)?,
                    row.text(2)?
                )));
            }
            let agreement = choose_agreement(c, ctx)?;
            let now = Utc::now();
            let id = c
                .query_opt(
                    "INSERT INTO snapshot (kind, reference_date, file_name, file_sha256, content_sha256, row_count, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &[
                        file.kind.as_str().into(),
                        file.reference_date.into(),
                        file.file_name.into(),
                        file_sha.clone().into(),
                        content_sha.clone().into(),
                        Value::Int(parsed.len() as i64),
                        now.into(),
                        ctx.actor.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
                .int(0)?;
            write_rows(c, id, file.reference_date, &parsed)?;
            Store::audit(
                c,
                ctx.actor,
                "import",
                &format!("{} {}", file.kind.as_str(), file.reference_date),
                &serde_json::json!({
                    "snapshot_id": id,
                    "file": file.file_name,
                    "file_sha256": file_sha,
                    "rows": parsed.len(),
                }),
            )?;
            hold_for_test();
            let (runs, skipped_dates) =
                recompute(c, file.reference_date, &agreement, ctx.actor, ctx.program_version, match &parsed {
                    Parsed::Departments(d) => Some((id, d.as_slice())),
                    _ => None,
                })?;
            Ok(ImportReport {
                kind: file.kind,
                reference_date: file.reference_date,
                snapshot_id: id,
                unchanged: false,
                rows: parsed.len(),
                runs,
                skipped_dates,
            })
        })
    }
}

/// For the crash tests only: with `TRAPPE_TEST_HOLD_IMPORT=FILE`, an import creates
/// FILE once its rows are written (inside the open transaction) and waits there until
/// the test kills the process.
fn hold_for_test() {
    if let Ok(path) = std::env::var("TRAPPE_TEST_HOLD_IMPORT") {
        if !path.is_empty() && std::fs::write(&path, b"holding").is_ok() {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        }
    }
}

/// The agreement placements are made by: the one given (stored, and made the one in
/// use) or the one in use. Returns it with the what-if flag.
pub(crate) struct InUse {
    pub loaded: LoadedAgreement,
    pub sha256: String,
    pub any_municipality: bool,
}

fn choose_agreement(c: &mut Conn, ctx: &ImportContext<'_>) -> Result<Option<InUse>, StoreError> {
    if let Some(a) = ctx.agreement {
        let sha = a.agreement.content_sha256.clone();
        let source = match &a.source {
            AgreementSource::Builtin(n) => format!("builtin:{n}"),
            AgreementSource::File(p) => format!("file:{}", p.display()),
        };
        c.execute(
            "INSERT INTO agreement (sha256, agreement_id, source, content, law_content, stored_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING",
            &[
                sha.clone().into(),
                a.agreement.id.clone().into(),
                source.into(),
                a.text.clone().into(),
                a.law_text.clone().into(),
                Utc::now().into(),
            ],
        )?;
        set_setting(c, "agreement_sha256", &sha)?;
    }
    if let Some(any) = ctx.any_municipality {
        set_setting(c, "any_municipality", if any { "1" } else { "0" })?;
    }
    let Some(sha) = setting(c, "agreement_sha256")? else {
        return Ok(None);
    };
    let any_municipality = setting(c, "any_municipality")?.as_deref() == Some("1");
    let loaded = match ctx.agreement {
        Some(a) => a.clone(),
        None => load_stored_agreement(c, &sha)?,
    };
    Ok(Some(InUse {
        loaded,
        sha256: sha,
        any_municipality,
    }))
}

/// Rebuilds a stored agreement from its texts.
pub(crate) fn load_stored_agreement(
    c: &mut Conn,
    sha: &str,
) -> Result<LoadedAgreement, StoreError> {
    let row = c
        .query_opt(
            "SELECT source, content, law_content FROM agreement WHERE sha256 = $1",
            &[sha.into()],
        )?
        .ok_or_else(|| StoreError::Corrupt(format!("agreement {sha} is not stored")))?;
    let source = row.text(0)?;
    let source = match source.split_once(':') {
        Some(("builtin", n)) => AgreementSource::Builtin(n.to_string()),
        Some((_, p)) => AgreementSource::File(p.into()),
        None => AgreementSource::File(source.into()),
    };
    LoadedAgreement::from_texts(row.text(1)?, row.text(2)?, source)
        .map_err(|e| StoreError::Corrupt(format!("stored agreement {sha}: {e}")))
}

pub(crate) fn setting(c: &mut Conn, key: &str) -> Result<Option<String>, StoreError> {
    Ok(
        c.query_opt("SELECT value FROM setting WHERE key = $1", &[key.into()])?
            .map(|r| r.text(0))
            .transpose()?,
    )
}

fn set_setting(c: &mut Conn, key: &str, value: &str) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[key.into(), value.into()],
    )?;
    Ok(())
}

fn figures_values(f: Option<Figures>) -> [Value; 4] {
    match f {
        Some(f) => [
            f.unemployment_pct.into(),
            f.convictions_pct.into(),
            f.primary_education_pct.into(),
            f.income_pct.into(),
        ],
        None => [Value::Null, Value::Null, Value::Null, Value::Null],
    }
}

fn count_values(c: Option<Count>) -> [Value; 2] {
    match c {
        Some(c) => [c.persons.into(), c.of.into()],
        None => [Value::Null, Value::Null],
    }
}

fn write_rows(c: &mut Conn, id: i64, date: Date, parsed: &Parsed) -> Result<(), StoreError> {
    let sid = Value::Int(id);
    match parsed {
        Parsed::Departments(deps) => {
            let mut orgs: Vec<&str> = deps.iter().map(|d| d.organisation_id.as_str()).collect();
            orgs.sort_unstable();
            orgs.dedup();
            for o in orgs {
                c.execute(
                    "INSERT INTO organisation (id) VALUES ($1) ON CONFLICT (id) DO NOTHING",
                    &[o.into()],
                )?;
            }
            let rows: Vec<Vec<Value>> = deps
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let mut r = vec![
                        sid.clone(),
                        Value::Int(i as i64),
                        d.id.clone().into(),
                        d.name.clone().into(),
                        d.organisation_id.clone().into(),
                        d.area_id.clone().into(),
                        d.local_district.clone().into(),
                        d.family_homes.into(),
                        d.youth_homes.into(),
                        d.elderly_homes.into(),
                        d.residents.into(),
                        d.municipality_code.clone().into(),
                    ];
                    r.extend(figures_values(d.figures));
                    r.push(d.non_western_pct.into());
                    r.push(d.allocated_pct.into());
                    r
                })
                .collect();
            c.insert_many(
                "department_figures",
                &[
                    "snapshot_id",
                    "position",
                    "department_id",
                    "name",
                    "organisation_id",
                    "area_id",
                    "local_district",
                    "family_homes",
                    "youth_homes",
                    "elderly_homes",
                    "residents",
                    "municipality_code",
                    "unemployment_pct",
                    "convictions_pct",
                    "primary_education_pct",
                    "income_pct",
                    "non_western_pct",
                    "allocated_pct",
                ],
                &rows,
            )?;
            // The master data follows the newest snapshot; an older one delivered
            // late does not overwrite it.
            let master: Vec<Vec<Value>> = deps
                .iter()
                .map(|d| {
                    vec![
                        d.id.clone().into(),
                        d.name.clone().into(),
                        d.organisation_id.clone().into(),
                        d.area_id.clone().into(),
                        d.local_district.clone().into(),
                        d.family_homes.into(),
                        d.youth_homes.into(),
                        d.elderly_homes.into(),
                        d.municipality_code.clone().into(),
                        date.into(),
                    ]
                })
                .collect();
            let cols = [
                "id",
                "name",
                "organisation_id",
                "area_id",
                "local_district",
                "family_homes",
                "youth_homes",
                "elderly_homes",
                "municipality_code",
                "as_of",
            ];
            c.upsert_many(
                "department",
                &cols,
                &master,
                "excluded.as_of >= department.as_of",
            )?;
        }
        Parsed::Areas(areas) => {
            let rows: Vec<Vec<Value>> = areas
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let mut r = vec![
                        sid.clone(),
                        Value::Int(i as i64),
                        a.id.clone().into(),
                        a.name.clone().into(),
                        a.residents.into(),
                        a.official
                            .map(|d: Designation| d.as_str().to_string())
                            .into(),
                    ];
                    r.extend(figures_values(a.figures));
                    r.push(a.non_western_pct.into());
                    r.extend(count_values(a.counts.unemployment));
                    r.extend(count_values(a.counts.convictions));
                    r.extend(count_values(a.counts.primary_education));
                    r.push(a.prior_parallelsamfund_lists.into());
                    r
                })
                .collect();
            c.insert_many(
                "area_figures",
                &[
                    "snapshot_id",
                    "position",
                    "area_id",
                    "name",
                    "residents",
                    "designation",
                    "unemployment_pct",
                    "convictions_pct",
                    "primary_education_pct",
                    "income_pct",
                    "non_western_pct",
                    "unemployed_count",
                    "aged_18_64_count",
                    "convicted_count",
                    "aged_18_plus_count",
                    "primary_education_count",
                    "aged_30_59_count",
                    "prior_parallelsamfund_lists",
                ],
                &rows,
            )?;
            let master: Vec<Vec<Value>> = areas
                .iter()
                .map(|a| vec![a.id.clone().into(), a.name.clone().into()])
                .collect();
            c.upsert_many("housing_area", &["id", "name"], &master, "TRUE")?;
        }
        Parsed::Pools(pools) => {
            let rows: Vec<Vec<Value>> = pools
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let mut r = vec![
                        sid.clone(),
                        Value::Int(i as i64),
                        p.id.clone().into(),
                        p.members.join(" ").into(),
                    ];
                    r.extend(figures_values(Some(p.figures)));
                    r
                })
                .collect();
            c.insert_many(
                "pool_figures",
                &[
                    "snapshot_id",
                    "position",
                    "pool_id",
                    "members",
                    "unemployment_pct",
                    "convictions_pct",
                    "primary_education_pct",
                    "income_pct",
                ],
                &rows,
            )?;
        }
        Parsed::Decisions(decisions) => {
            let rows: Vec<Vec<Value>> = decisions
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    vec![
                        sid.clone(),
                        Value::Int(i as i64),
                        d.area_id.clone().into(),
                        d.ground.clone().into(),
                        d.decided_by.clone().into(),
                        d.decided_on.into(),
                    ]
                })
                .collect();
            c.insert_many(
                "area_decision",
                &[
                    "snapshot_id",
                    "position",
                    "area_id",
                    "ground",
                    "decided_by",
                    "decided_on",
                ],
                &rows,
            )?;
        }
    }
    Ok(())
}

/// The inputs in force on a date: the newest snapshot of each kind on or before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    pub departments: Option<(i64, Date)>,
    pub areas: Option<(i64, Date)>,
    pub pools: Option<(i64, Date)>,
    pub decisions: Option<(i64, Date)>,
}

pub(crate) fn inputs_on(c: &mut Conn, on: Date) -> Result<Inputs, StoreError> {
    let mut latest = |kind: Kind| -> Result<Option<(i64, Date)>, StoreError> {
        c.query_opt(
            "SELECT id, reference_date FROM snapshot WHERE kind = $1 AND reference_date <= $2 ORDER BY reference_date DESC LIMIT 1",
            &[kind.as_str().into(), on.into()],
        )?
        .map(|r| Ok((r.int(0)?, r.date(1)?)))
        .transpose()
    };
    Ok(Inputs {
        departments: latest(Kind::Departments)?,
        areas: latest(Kind::Areas)?,
        pools: latest(Kind::Pools)?,
        decisions: latest(Kind::Decisions)?,
    })
}

/// The areas, pools and decisions of a run's inputs.
#[allow(clippy::type_complexity)]
fn load_side_inputs(
    c: &mut Conn,
    inputs: &Inputs,
) -> Result<
    (
        Option<Vec<Area>>,
        Option<Vec<OfficialPool>>,
        Vec<AreaDecision>,
    ),
    StoreError,
> {
    let areas = inputs.areas.map(|(id, _)| load_areas(c, id)).transpose()?;
    let pools = inputs.pools.map(|(id, _)| load_pools(c, id)).transpose()?;
    let decisions = match inputs.decisions {
        Some((id, _)) => load_decisions(c, id)?,
        None => Vec::new(),
    };
    Ok((areas, pools, decisions))
}

/// The classification in force on a date, recomputed from the run's stored inputs and
/// agreement, with every reason typed (what a department page explains), and the
/// departments it placed.
pub struct Explained {
    pub classification: trappe_rules::Classification,
    pub departments: Vec<Department>,
    pub agreement: LoadedAgreement,
}

impl Store {
    /// The agreement (and law parameters) of the placement in force on a date.
    pub fn agreement_in_force(&mut self, on: Date) -> Result<LoadedAgreement, StoreError> {
        let run = read::current_run_on_or_before(&mut self.conn, on)?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "no placement is in force on {on}: import a departments file dated on or before it"
            ))
        })?;
        load_stored_agreement(&mut self.conn, &run.agreement_sha256)
    }

    pub fn explain_run(&mut self, on: Date) -> Result<Explained, StoreError> {
        let c = &mut self.conn;
        let run = read::current_run_on_or_before(c, on)?.ok_or_else(|| {
            StoreError::NotFound(format!(
                "no placement is in force on {on}: import a departments file dated on or before it"
            ))
        })?;
        let agreement = load_stored_agreement(c, &run.agreement_sha256)?;
        let (snapshot, date) = run
            .inputs
            .departments
            .ok_or_else(|| StoreError::Corrupt("a run without departments".into()))?;
        let departments = read::load_departments(c, snapshot)?;
        let (areas, pools, decisions) = load_side_inputs(c, &run.inputs)?;
        let classification = classify(ClassifyInput {
            agreement: &agreement.agreement,
            law: &agreement.law,
            on: run.on_date,
            data_reference_date: Some(date),
            departments: &departments,
            areas: areas.as_deref(),
            decisions: &decisions,
            pools: pools.as_deref(),
            any_municipality: run.any_municipality,
            program_version: &run.program_version,
        })
        .map_err(|e| {
            StoreError::Corrupt(format!(
                "the stored run {} no longer classifies: {} problems",
                run.id,
                e.len()
            ))
        })?;
        Ok(Explained {
            classification,
            departments,
            agreement,
        })
    }
}

/// Recomputes the runs on every run date from `from` on whose inputs changed.
fn recompute(
    c: &mut Conn,
    from: Date,
    agreement: &Option<InUse>,
    actor: &str,
    program_version: &str,
    just_imported: Option<(i64, &[Department])>,
) -> Result<(Vec<RunReport>, Vec<Date>), StoreError> {
    // Several dates usually share one departments snapshot: read each once, and the
    // one just imported not at all.
    let mut cached: Option<(i64, std::borrow::Cow<'_, [Department]>)> =
        just_imported.map(|(id, d)| (id, std::borrow::Cow::Borrowed(d)));
    let Some(agreement) = agreement else {
        return Ok((Vec::new(), Vec::new()));
    };
    let dates: Vec<Date> = c
        .query(
            "SELECT DISTINCT reference_date FROM snapshot WHERE reference_date >= $1 ORDER BY reference_date",
            &[from.into()],
        )?
        .iter()
        .map(|r| r.date(0))
        .collect::<Result<_, _>>()?;
    let period = &agreement.loaded.agreement.period;
    let mut runs = Vec::new();
    let mut skipped = Vec::new();
    for on in dates {
        let inputs = inputs_on(c, on)?;
        let Some((dep_snapshot, dep_date)) = inputs.departments else {
            continue;
        };
        if on < period.from || period.to.is_some_and(|to| on > to) {
            skipped.push(on);
            continue;
        }
        let previous = read::current_run_on_or_before(c, on)?;
        if let Some(prev) = &previous {
            if prev.on_date == on
                && prev.inputs == inputs
                && prev.agreement_sha256 == agreement.sha256
                && prev.program_version == program_version
                && prev.any_municipality == agreement.any_municipality
            {
                continue;
            }
        }
        if cached.as_ref().is_none_or(|(id, _)| *id != dep_snapshot) {
            let loaded = read::load_departments(c, dep_snapshot)?;
            cached = Some((dep_snapshot, std::borrow::Cow::Owned(loaded)));
        }
        let deps: &[Department] = match &cached {
            Some((_, d)) => d,
            None => &[],
        };
        let (areas, pools, decisions) = load_side_inputs(c, &inputs)?;
        let result = classify(ClassifyInput {
            agreement: &agreement.loaded.agreement,
            law: &agreement.loaded.law,
            on,
            data_reference_date: Some(dep_date),
            departments: &deps,
            areas: areas.as_deref(),
            decisions: &decisions,
            pools: pools.as_deref(),
            any_municipality: agreement.any_municipality,
            program_version,
        })
        .map_err(|errors| {
            let list: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            StoreError::Invalid(format!(
                "cannot place the departments of {dep_date} on {on} with {}:\n{}",
                agreement.loaded.agreement.id,
                list.join("\n")
            ))
        })?;
        let receipt = trappe_formats::output::receipt_json(&result.receipt, true)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let warnings = result.warnings;
        let run_id = c
            .query_opt(
                "INSERT INTO placement_run (on_date, departments_snapshot_id, areas_snapshot_id, pools_snapshot_id, decisions_snapshot_id, agreement_sha256, any_municipality, program_version, parameters_sha256, receipt, warnings, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                &[
                    on.into(),
                    Value::Int(dep_snapshot),
                    inputs.areas.map(|(id, _)| id).into(),
                    inputs.pools.map(|(id, _)| id).into(),
                    inputs.decisions.map(|(id, _)| id).into(),
                    agreement.sha256.clone().into(),
                    Value::Int(i64::from(agreement.any_municipality)),
                    program_version.into(),
                    receipt["parameters_sha256"].as_str().unwrap_or_default().into(),
                    receipt.to_string().into(),
                    serde_json::to_string(&warnings).map_err(|e| StoreError::Invalid(e.to_string()))?.into(),
                    Utc::now().into(),
                    actor.into(),
                ],
            )?
            .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
            .int(0)?;
        let rows: Vec<Vec<Value>> = result
            .placements
            .iter()
            .map(|p| {
                let detail = serde_json::to_string(p).unwrap_or_default();
                vec![
                    Value::Int(run_id),
                    deps[p.department].id.clone().into(),
                    p.staircase.as_str().into(),
                    p.step.clone().into(),
                    p.need.map(|n| n.as_str()).into(),
                    p.allocated_band.clone().into(),
                    p.pool_id.clone().into(),
                    detail.into(),
                ]
            })
            .collect();
        c.insert_many(
            "placement",
            &[
                "run_id",
                "department_id",
                "staircase",
                "step",
                "need",
                "allocated_band",
                "pool_id",
                "detail",
            ],
            &rows,
        )?;
        let changes = match &previous {
            Some(prev) => read::diff_runs(c, prev.id, run_id)?,
            None => Vec::new(),
        };
        runs.push(RunReport {
            run_id,
            on_date: on,
            departments: result.placements.len(),
            compared_with: previous.map(|p| (p.id, p.on_date)),
            changes,
            warnings,
        });
    }
    Ok((runs, skipped))
}

fn figures_at(r: &crate::Row, first: usize) -> Result<Option<Figures>, StoreError> {
    Ok(
        match (
            r.opt_dec(first)?,
            r.opt_dec(first + 1)?,
            r.opt_dec(first + 2)?,
            r.opt_dec(first + 3)?,
        ) {
            (Some(u), Some(c), Some(e), Some(i)) => Some(Figures {
                unemployment_pct: u,
                convictions_pct: c,
                primary_education_pct: e,
                income_pct: i,
            }),
            _ => None,
        },
    )
}

pub(crate) fn department_from_row(r: &crate::Row) -> Result<Department, StoreError> {
    Ok(Department {
        id: r.text(0)?,
        name: r.text(1)?,
        organisation_id: r.text(2)?,
        area_id: r.opt_text(3)?,
        local_district: r.text(4)?,
        family_homes: r.u32(5)?,
        youth_homes: r.u32(6)?,
        elderly_homes: r.u32(7)?,
        residents: r.u32(8)?,
        municipality_code: r.opt_text(9)?,
        figures: figures_at(r, 10)?,
        non_western_pct: r.opt_dec(14)?,
        allocated_pct: r.opt_dec(15)?,
    })
}

/// The columns [`department_from_row`] reads, in order.
pub(crate) const DEPARTMENT_SELECT: &str = "department_id, name, organisation_id, area_id, local_district, family_homes, youth_homes, elderly_homes, residents, municipality_code, unemployment_pct, convictions_pct, primary_education_pct, income_pct, non_western_pct, allocated_pct";

fn load_areas(c: &mut Conn, snapshot: i64) -> Result<Vec<Area>, StoreError> {
    let rows = c.query(
        "SELECT area_id, name, residents, designation, unemployment_pct, convictions_pct, primary_education_pct, income_pct, non_western_pct, unemployed_count, aged_18_64_count, convicted_count, aged_18_plus_count, primary_education_count, aged_30_59_count, prior_parallelsamfund_lists FROM area_figures WHERE snapshot_id = $1 ORDER BY position",
        &[Value::Int(snapshot)],
    )?;
    let count = |r: &crate::Row, i: usize| -> Result<Option<Count>, StoreError> {
        Ok(match (r.opt_int(i)?, r.opt_int(i + 1)?) {
            (Some(p), Some(o)) => Some(Count {
                persons: u32::try_from(p).map_err(|_| StoreError::Corrupt("count".into()))?,
                of: u32::try_from(o).map_err(|_| StoreError::Corrupt("count".into()))?,
            }),
            _ => None,
        })
    };
    rows.iter()
        .map(|r| {
            Ok(Area {
                id: r.text(0)?,
                name: r.text(1)?,
                residents: r.u32(2)?,
                official: r
                    .opt_text(3)?
                    .map(|s| s.parse::<Designation>())
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(format!("designation: {e}")))?,
                figures: figures_at(r, 4)?,
                non_western_pct: r.opt_dec(8)?,
                counts: AreaCounts {
                    unemployment: count(r, 9)?,
                    convictions: count(r, 11)?,
                    primary_education: count(r, 13)?,
                },
                prior_parallelsamfund_lists: r.u32(15)?,
            })
        })
        .collect()
}

fn load_pools(c: &mut Conn, snapshot: i64) -> Result<Vec<OfficialPool>, StoreError> {
    let rows = c.query(
        "SELECT pool_id, members, unemployment_pct, convictions_pct, primary_education_pct, income_pct FROM pool_figures WHERE snapshot_id = $1 ORDER BY position",
        &[Value::Int(snapshot)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(OfficialPool {
                id: r.text(0)?,
                members: r.text(1)?.split(' ').map(str::to_string).collect(),
                figures: figures_at(r, 2)?
                    .ok_or_else(|| StoreError::Corrupt("pool without figures".into()))?,
            })
        })
        .collect()
}

fn load_decisions(c: &mut Conn, snapshot: i64) -> Result<Vec<AreaDecision>, StoreError> {
    let rows = c.query(
        "SELECT area_id, ground, decided_by, decided_on FROM area_decision WHERE snapshot_id = $1 ORDER BY position",
        &[Value::Int(snapshot)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(AreaDecision {
                area_id: r.text(0)?,
                ground: r.text(1)?,
                decided_by: r.text(2)?,
                decided_on: r.date(3)?,
            })
        })
        .collect()
}
