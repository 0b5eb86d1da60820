//! Imports: one file becomes one snapshot, all or nothing, and the placements that
//! depend on it are recomputed in the same transaction.
//!
//! A snapshot is identified by its kind and reference date (the figures' date, or the
//! state list's date). It is never overwritten: importing the same content again
//! changes nothing, importing other content for a date already held is refused. A
//! file without data rows is refused, and so is a departments file that drops more
//! than [`MAX_DROP_PCT`] % of a municipality's departments held before it, unless the
//! importer says so ([`ImportContext::allow_drop`]). The municipality can withdraw a
//! wrong snapshot ([`Store::withdraw_snapshot`]): the snapshot stays, recorded as
//! withdrawn, is no input from then on, and its date can be imported again.
//!
//! Placements form a timeline of *runs*. Every date on which some input starts to
//! apply (a departments snapshot's reference date, a list date, a pools or decisions
//! date) is a run date; the run on date E classifies the newest departments snapshot
//! on or before E with the newest list, pools and decisions on or before E. An
//! import recomputes the run dates from its own date on whose inputs changed, so a
//! late-delivered older file corrects the history after it without touching what
//! came before.

use std::collections::HashMap;

use chrono::Utc;
use serde::Serialize;
use trappe_formats::agreement_file::sha256_hex;
use trappe_formats::table_in::{self, TableOptions};
use trappe_formats::{AgreementSource, LoadedAgreement};
use trappe_rules::designation::{AreaCounts, Count};
use trappe_rules::placement::{
    classify, Area, AreaDecision, ClassifyInput, Department, InForce, OfficialOverview,
    OfficialPool, Warning,
};
use trappe_rules::{Date, Designation, Figures};

use crate::db::{Conn, Value};
use crate::live::SNAPSHOT_LIVE;
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
    /// The municipality's overview: the placement in force where the agreement says so.
    Overview,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Departments => "departments",
            Kind::Areas => "areas",
            Kind::Pools => "pools",
            Kind::Decisions => "decisions",
            Kind::Overview => "overview",
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
    /// Accept a departments file that drops more than [`MAX_DROP_PCT`] % of a
    /// municipality's departments (the user said so explicitly; recorded in the audit
    /// entry).
    pub allow_drop: bool,
    /// The municipality the file is for (its code); `None`: the one the agreement
    /// given, the file's departments or the database's only municipality names.
    pub municipality: Option<&'a str>,
    /// Place the municipality by `agreement` from now on although it is placed by
    /// another one already: the reason (required; audited).
    pub change_agreement: Option<&'a str>,
}

/// Every municipality under one agreement (`--any-municipality`).
pub const ANY_MUNICIPALITY: &str = "*";

/// A municipality code as the database keeps it: without leading zeros ("0101" → "101").
pub fn municipality_key(code: &str) -> String {
    let t = code.trim();
    if t == ANY_MUNICIPALITY {
        return t.to_string();
    }
    let k = t.trim_start_matches('0');
    if k.is_empty() {
        t.to_string()
    } else {
        k.to_string()
    }
}

/// A municipality in an (English) message: "municipality 101", or every municipality.
fn municipality_words(code: &str) -> String {
    if code == ANY_MUNICIPALITY {
        "every municipality (one agreement for all)".into()
    } else {
        format!("municipality {code}")
    }
}

/// The municipalities the database holds (with an agreement), in order.
pub(crate) fn municipalities(c: &mut Conn) -> Result<Vec<String>, StoreError> {
    c.query("SELECT code FROM municipality ORDER BY code", &[])?
        .iter()
        .map(|r| r.text(0))
        .collect()
}

/// Which municipality a file is for: every one with `--any-municipality`; else the one
/// named (`--municipality`); else the agreement's; else the one code of the file's
/// departments; else the database's only municipality.
fn resolve_municipality(
    c: &mut Conn,
    ctx: &ImportContext<'_>,
    parsed: &Parsed,
    file: &str,
) -> Result<String, StoreError> {
    let held = municipalities(c)?;
    if ctx.any_municipality == Some(true) {
        return Ok(ANY_MUNICIPALITY.into());
    }
    if let Some(m) = ctx.municipality {
        let key = municipality_key(m);
        if let Some(a) = ctx.agreement {
            let covers = a
                .agreement
                .municipality_codes
                .iter()
                .any(|c| municipality_key(c) == key);
            if !covers && key != ANY_MUNICIPALITY {
                return Err(StoreError::Invalid(format!(
                    "--municipality {m}: the agreement {} covers {}, not {m}",
                    a.agreement.id,
                    a.agreement.municipality_codes.join(", ")
                )));
            }
        } else if !held.contains(&key) {
            // A municipality is named by its first import, with its agreement.
            return Err(StoreError::Invalid(format!(
                "{file}: no agreement is in use for municipality {m}: give --agreement NAME|FILE with its first import"
            )));
        }
        return Ok(key);
    }
    if let Some(a) = ctx.agreement {
        let key = a
            .agreement
            .municipality_codes
            .first()
            .map_or_else(|| ANY_MUNICIPALITY.to_string(), |c| municipality_key(c));
        // A database that holds that agreement under another municipality (one placing
        // every municipality, or from before municipalities were kept apart) keeps it.
        if !held.contains(&key) {
            for m in &held {
                let sha = agreement_of(c, m)?.map(|x| x.sha256);
                if sha.as_deref() == Some(a.agreement.content_sha256.as_str()) {
                    return Ok(m.clone());
                }
            }
        }
        return Ok(key);
    }
    if let Parsed::Departments(deps) = parsed {
        let mut codes: Vec<String> = deps
            .iter()
            .filter_map(|d| d.municipality_code.as_deref())
            .map(municipality_key)
            .collect();
        codes.sort();
        codes.dedup();
        if let [one] = codes.as_slice() {
            if held.contains(one) {
                return Ok(one.clone());
            }
        }
    }
    // The municipality the file's departments (or areas) belong to, when one.
    let (column, ids): (&str, Vec<&str>) = match parsed {
        Parsed::Overview(rows) => (
            "id",
            rows.iter().map(|r| r.department_id.as_str()).collect(),
        ),
        Parsed::Pools(pools) => (
            "id",
            pools
                .iter()
                .flat_map(|p| p.members.iter().map(String::as_str))
                .collect(),
        ),
        Parsed::Areas(areas) => ("area_id", areas.iter().map(|a| a.id.as_str()).collect()),
        Parsed::Decisions(d) => ("area_id", d.iter().map(|x| x.area_id.as_str()).collect()),
        Parsed::Departments(_) => ("id", Vec::new()),
    };
    if held.len() > 1 && !ids.is_empty() {
        let wanted: std::collections::HashSet<&str> = ids.into_iter().collect();
        let mut found: Vec<String> = c
            .query(
                &format!("SELECT {column}, municipality FROM department"),
                &[],
            )?
            .iter()
            .filter_map(|r| {
                let id = r.opt_text(0).ok().flatten()?;
                wanted
                    .contains(id.as_str())
                    .then(|| r.text(1).ok())
                    .flatten()
            })
            .collect();
        found.sort();
        found.dedup();
        if let [one] = found.as_slice() {
            return Ok(one.clone());
        }
    }
    match held.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(StoreError::Invalid(format!(
            "{file}: no agreement is in use yet: give --agreement NAME|FILE with the first import"
        ))),
        many => Err(StoreError::Invalid(format!(
            "{file}: the database holds several municipalities ({}): say which one the file is for with --municipality CODE",
            many.join(", ")
        ))),
    }
}

/// A departments file may drop at most this share (per cent) of the departments held
/// for a municipality (in the newest departments snapshot before its date) unless the
/// importer says so explicitly.
pub const MAX_DROP_PCT: usize = 10;

/// A file checked as an import would check it, nothing written.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub rows: usize,
    pub drop: Option<Shrink>,
}

/// Departments of the held snapshot that a new departments file would drop, for the
/// municipalities where more than [`MAX_DROP_PCT`] % would go.
#[derive(Debug, Clone, Serialize)]
pub struct Shrink {
    /// The reference date of the snapshot compared with (the newest before the file's).
    pub compared_with: Date,
    pub municipalities: Vec<MunicipalityDrop>,
}

/// One municipality's departments that would leave the data.
#[derive(Debug, Clone, Serialize)]
pub struct MunicipalityDrop {
    /// The municipality code (`None`: departments without one).
    pub municipality_code: Option<String>,
    /// Departments held for it.
    pub held: usize,
    /// Of those, not in the new file.
    pub dropped: usize,
    /// The dropped ids, sorted (all of them).
    pub ids: Vec<String>,
}

/// `part` of `whole` in whole percent, rounded up.
fn ceil_pct(part: usize, whole: usize) -> usize {
    (part * 100).div_ceil(whole.max(1))
}

impl Shrink {
    /// How many departments would leave, over every municipality listed.
    pub fn dropped(&self) -> usize {
        self.municipalities.iter().map(|m| m.dropped).sum()
    }

    /// How many departments those municipalities hold.
    pub fn held(&self) -> usize {
        self.municipalities.iter().map(|m| m.held).sum()
    }

    /// The share that would leave, in whole percent rounded up: a share just above the
    /// limit never reads as the limit itself (21 of 200 is "11 %", not "10 %").
    pub fn share_pct(&self) -> usize {
        ceil_pct(self.dropped(), self.held())
    }

    /// The first `n` dropped ids.
    pub fn sample(&self, n: usize) -> Vec<String> {
        self.municipalities
            .iter()
            .flat_map(|m| m.ids.iter().cloned())
            .take(n)
            .collect()
    }

    /// One sentence: who, how many, the share.
    pub fn describe(&self, file: &str) -> String {
        let parts: Vec<String> = self
            .municipalities
            .iter()
            .map(|m| {
                format!(
                    "{} of the {} departments held for {} ({} %)",
                    m.dropped,
                    m.held,
                    match &m.municipality_code {
                        Some(c) => format!("municipality {c}"),
                        None => "departments without a municipality code".into(),
                    },
                    ceil_pct(m.dropped, m.held)
                )
            })
            .collect();
        let sample = self.sample(5);
        let more = if self.dropped() > sample.len() {
            ", …"
        } else {
            ""
        };
        format!(
            "{file} would drop {} departments: {} in the departments snapshot of {} are not in the file (e.g. {}{more}); more than {MAX_DROP_PCT} % of a municipality's departments leaving the data is refused unless you say so: check the file, or import it with --allow-drop (on the web: tick the confirmation) if they really left",
            self.dropped(),
            parts.join(", "),
            self.compared_with,
            sample.join(", "),
        )
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub kind: Kind,
    /// The municipality the file was imported for (`*`: every one under one agreement).
    pub municipality: String,
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
    Overview(Vec<table_in::OverviewRow>),
}

impl Parsed {
    fn len(&self) -> usize {
        match self {
            Parsed::Departments(v) => v.len(),
            Parsed::Areas(v) => v.len(),
            Parsed::Pools(v) => v.len(),
            Parsed::Decisions(v) => v.len(),
            Parsed::Overview(v) => v.len(),
        }
    }

    fn content_sha256(&self) -> Result<String, StoreError> {
        let json = match self {
            Parsed::Departments(v) => serde_json::to_vec(v),
            Parsed::Areas(v) => serde_json::to_vec(v),
            Parsed::Pools(v) => serde_json::to_vec(v),
            Parsed::Decisions(v) => serde_json::to_vec(v),
            Parsed::Overview(v) => serde_json::to_vec(v),
        }
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(sha256_hex(&json))
    }
}

/// The error of a file that holds its header and no data, as the reader words it (for a
/// caller that hands the store rows it read itself).
pub fn no_data_rows(file: &str) -> table_in::InputErrors {
    table_in::InputErrors {
        errors: vec![table_in::InputError {
            file: file.to_string(),
            line: 2,
            column: String::new(),
            value: String::new(),
            expected: "expected rows of data below the header, but there are none".into(),
        }],
        truncated: false,
    }
}

/// Parses a file; a file with only its header is refused by the reader (line 2).
fn parse(file: &ImportFile<'_>) -> Result<Parsed, StoreError> {
    let (bytes, name, opts) = (file.bytes, file.file_name, file.options);
    Ok(match file.kind {
        Kind::Departments => {
            Parsed::Departments(table_in::read_departments_with(bytes, name, opts)?)
        }
        Kind::Areas => Parsed::Areas(table_in::read_areas_with(bytes, name, false, opts)?),
        Kind::Pools => Parsed::Pools(table_in::read_pools_with(bytes, name, opts)?),
        Kind::Decisions => Parsed::Decisions(table_in::read_decisions_with(bytes, name, opts)?),
        Kind::Overview => Parsed::Overview(table_in::read_overview_with(bytes, name, opts)?),
    })
}

/// The snapshot of a kind and date not withdrawn: id, content hash, file name, when and
/// by whom it was imported.
fn live_snapshot(
    c: &mut Conn,
    kind: Kind,
    municipality: &str,
    date: Date,
) -> Result<Option<crate::Row>, StoreError> {
    c.query_opt(
        &format!("SELECT s.id, s.content_sha256, s.file_name, s.imported_at, s.imported_by, s.row_count FROM snapshot s WHERE s.kind = $1 AND s.municipality = $2 AND s.reference_date = $3 AND {SNAPSHOT_LIVE}"),
        &[kind.as_str().into(), municipality.into(), date.into()],
    )
}

/// What a departments file would drop, compared with the newest departments snapshot
/// (not withdrawn) before its date: the municipalities where more than
/// [`MAX_DROP_PCT`] % of the departments held would leave, or `None`.
fn shrink(
    c: &mut Conn,
    municipality: &str,
    date: Date,
    deps: &[Department],
) -> Result<Option<Shrink>, StoreError> {
    let Some(held) = c.query_opt(
        &format!("SELECT s.id, s.reference_date FROM snapshot s WHERE s.kind = 'departments' AND s.municipality = $1 AND s.reference_date < $2 AND {SNAPSHOT_LIVE} ORDER BY s.reference_date DESC LIMIT 1"),
        &[municipality.into(), date.into()],
    )?
    else {
        return Ok(None);
    };
    let (held_id, held_date) = (held.int(0)?, held.date(1)?);
    let new: std::collections::HashSet<&str> = deps.iter().map(|d| d.id.as_str()).collect();
    let mut by: std::collections::BTreeMap<Option<String>, (usize, Vec<String>)> =
        std::collections::BTreeMap::new();
    for r in c.query(
        "SELECT department_id, municipality_code FROM department_figures WHERE snapshot_id = $1",
        &[Value::Int(held_id)],
    )? {
        let id = r.text(0)?;
        let entry = by.entry(r.opt_text(1)?).or_default();
        entry.0 += 1;
        if !new.contains(id.as_str()) {
            entry.1.push(id);
        }
    }
    let municipalities: Vec<MunicipalityDrop> = by
        .into_iter()
        .filter(|(_, (held, ids))| ids.len() * 100 > held * MAX_DROP_PCT)
        .map(|(code, (held, mut ids))| {
            ids.sort();
            MunicipalityDrop {
                municipality_code: code,
                held,
                dropped: ids.len(),
                ids,
            }
        })
        .collect();
    Ok((!municipalities.is_empty()).then_some(Shrink {
        compared_with: held_date,
        municipalities,
    }))
}

impl Store {
    /// Parses and checks a file as an import would, writing nothing (the web's check
    /// step): its rows, or every bad cell as [`StoreError::Input`]; and for a departments
    /// file what it would drop above [`MAX_DROP_PCT`] (`None` for other kinds, for no
    /// drop above the share, and for the content already held on that date).
    pub fn check_file(
        &mut self,
        file: &ImportFile<'_>,
        municipality: Option<&str>,
    ) -> Result<CheckedFile, StoreError> {
        let parsed = parse(file)?;
        let rows = parsed.len();
        // The municipality and agreement in use decide (the check step names no
        // agreement of its own).
        let ctx = ImportContext {
            actor: "",
            agreement: None,
            any_municipality: None,
            program_version: "",
            allow_drop: false,
            municipality,
            change_agreement: None,
        };
        let held = municipalities(&mut self.conn)?;
        let scope = if held.is_empty() {
            None
        } else {
            Some(resolve_municipality(
                &mut self.conn,
                &ctx,
                &parsed,
                file.file_name,
            )?)
        };
        if let Parsed::Overview(overview) = &parsed {
            let in_use = match &scope {
                Some(m) => agreement_of(&mut self.conn, m)?,
                None => None,
            };
            let m = scope.clone().unwrap_or_default();
            check_overview(&mut self.conn, &m, file, overview, in_use.as_ref())?;
        }
        let (Parsed::Departments(deps), Some(scope)) = (&parsed, scope) else {
            return Ok(CheckedFile { rows, drop: None });
        };
        check_one_municipality(&mut self.conn, &scope, deps, file.file_name)?;
        if let Some(row) = live_snapshot(&mut self.conn, file.kind, &scope, file.reference_date)? {
            if row.text(1)? == parsed.content_sha256()? {
                return Ok(CheckedFile { rows, drop: None });
            }
        }
        let drop = shrink(&mut self.conn, &scope, file.reference_date, deps)?;
        Ok(CheckedFile { rows, drop })
    }

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
            let scope = resolve_municipality(c, ctx, &parsed, file.file_name)?;
            // The agreement first: a conflicting one is refused, and an explicit change is
            // recorded (and rolled back with everything else if the import fails).
            let before = agreement_of(c, &scope)?.map(|a| a.sha256);
            let agreement = choose_agreement(c, &scope, ctx)?;
            let changed = before.is_some() && agreement.as_ref().map(|a| &a.sha256) != before.as_ref();
            if let Some(row) = live_snapshot(c, file.kind, &scope, file.reference_date)? {
                if row.text(1)? == content_sha {
                    // The same file again: nothing is stored, but a changed agreement
                    // places from the file's date on.
                    let (runs, skipped_dates) = if changed {
                        recompute(c, &scope, file.reference_date, &agreement, ctx.actor, ctx.program_version, None, false)?
                    } else {
                        (Vec::new(), Vec::new())
                    };
                    return Ok(ImportReport {
                        kind: file.kind,
                        municipality: scope,
                        reference_date: file.reference_date,
                        snapshot_id: row.int(0)?,
                        unchanged: true,
                        rows: parsed.len(),
                        runs,
                        skipped_dates,
                    });
                }
                return Err(StoreError::Conflict(format!(
                    "a {kind} snapshot for {date} is held already (imported {} by {} from {}) with other content; a held snapshot is never overwritten — import the corrected file under its own date, or, if the held one is wrong, withdraw it first (`trappe snapshots withdraw {kind} {date} --reason TEXT`, or on the web's import page) and import the correct file for {date} again",
                    row.time(3)?.format("%Y-%m-%d %H:%M"),
                    row.text(4)?,
                    row.text(2)?,
                    kind = file.kind.as_str(),
                    date = file.reference_date,
                )));
            }
            if let Parsed::Departments(d) = &parsed {
                check_one_municipality(c, &scope, d, file.file_name)?;
            }
            let shrink = match &parsed {
                Parsed::Departments(d) => shrink(c, &scope, file.reference_date, d)?,
                _ => None,
            };
            if let Some(s) = &shrink {
                if !ctx.allow_drop {
                    return Err(StoreError::Conflict(s.describe(file.file_name)));
                }
            }
            // Earlier snapshots of this kind and date are all withdrawn (else the one
            // held was found above): this one is the next generation.
            let generation = c
                .query_opt(
                    "SELECT COUNT(*) FROM snapshot WHERE kind = $1 AND municipality = $2 AND reference_date = $3",
                    &[file.kind.as_str().into(), scope.as_str().into(), file.reference_date.into()],
                )?
                .map(|r| r.int(0))
                .transpose()?
                .unwrap_or(0);
            if let Parsed::Overview(rows) = &parsed {
                check_overview(c, &scope, file, rows, agreement.as_ref())?;
            }
            let now = Utc::now();
            let id = c
                .query_opt(
                    "INSERT INTO snapshot (kind, reference_date, file_name, file_sha256, content_sha256, row_count, imported_at, imported_by, generation, municipality) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    &[
                        file.kind.as_str().into(),
                        file.reference_date.into(),
                        file.file_name.into(),
                        file_sha.clone().into(),
                        content_sha.clone().into(),
                        Value::Int(parsed.len() as i64),
                        now.into(),
                        ctx.actor.into(),
                        Value::Int(generation),
                        scope.as_str().into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
                .int(0)?;
            write_rows(c, id, file.reference_date, &scope, &parsed)?;
            let mut detail = serde_json::json!({
                "municipality": scope,
                "snapshot_id": id,
                "file": file.file_name,
                "file_sha256": file_sha,
                "rows": parsed.len(),
            });
            if generation > 0 {
                detail["replaces_withdrawn"] = generation.into();
            }
            if ctx.allow_drop {
                detail["allow_drop"] = true.into();
            }
            if let Some(s) = &shrink {
                detail["dropped"] = serde_json::json!({
                    "compared_with": s.compared_with,
                    "departments": s.dropped(),
                    "held": s.held(),
                    "ids": s.sample(50),
                });
            }
            Store::audit(
                c,
                ctx.actor,
                "import",
                &format!("{} {}", file.kind.as_str(), file.reference_date),
                &detail,
            )?;
            hold_for_test();
            let (runs, skipped_dates) =
                recompute(c, &scope, file.reference_date, &agreement, ctx.actor, ctx.program_version, match &parsed {
                    Parsed::Departments(d) => Some((id, d.as_slice())),
                    _ => None,
                }, false)?;
            Ok(ImportReport {
                kind: file.kind,
                municipality: scope.clone(),
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

/// A withdrawal the municipality asks for.
#[derive(Debug, Clone, Copy)]
pub struct Withdrawal<'a> {
    pub kind: Kind,
    pub reference_date: Date,
    /// Why (required; kept with the withdrawal and in the audit log).
    pub reason: &'a str,
    pub actor: &'a str,
    pub program_version: &'a str,
    /// The municipality whose snapshot it is; `None`: the one municipality holding a
    /// snapshot of that kind and date.
    pub municipality: Option<&'a str>,
}

/// What a withdrawal did.
#[derive(Debug, Clone, Serialize)]
pub struct WithdrawReport {
    pub kind: Kind,
    pub reference_date: Date,
    pub snapshot_id: i64,
    pub file_name: String,
    pub rows: i64,
    /// Departments whose master data came from the withdrawn snapshot and now comes
    /// from the newest other snapshot holding them.
    pub master_restored: usize,
    /// Departments that only the withdrawn snapshot held: their master data is gone.
    pub master_removed: usize,
    /// The placement in force on the snapshot's date after the withdrawal (`None`: no
    /// placement is in force on it any more).
    pub in_force: Option<(i64, Date)>,
    /// Who moved on the snapshot's date: the placement in force before the withdrawal
    /// against the one in force after it.
    pub changes: Vec<Change>,
    /// The runs recomputed from the snapshot's date on.
    pub runs: Vec<RunReport>,
    pub skipped_dates: Vec<Date>,
}

/// The longest reason kept.
const MAX_REASON_CHARS: usize = 1000;

impl Store {
    /// Withdraws the snapshot of a kind and date (the municipality's correction of a
    /// wrong file), in one transaction: the withdrawal (who, when, why) is recorded
    /// beside the snapshot, which stays as it was; the audit log records it; the master
    /// data taken from a withdrawn departments snapshot is taken again from the newest
    /// other snapshot holding each department; and the placements are recomputed from
    /// its date on without it. A file for that date may then be imported again.
    pub fn withdraw_snapshot(&mut self, w: &Withdrawal<'_>) -> Result<WithdrawReport, StoreError> {
        let reason = w.reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "a withdrawal needs its reason (--reason TEXT): it is kept with the snapshot and in the audit log".into(),
            ));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(StoreError::Invalid(format!(
                "the reason is longer than {MAX_REASON_CHARS} characters"
            )));
        }
        if reason
            .chars()
            .any(|ch| ch.is_control() && ch != '\n' && ch != '\t')
        {
            return Err(StoreError::Invalid(
                "the reason holds a control character".into(),
            ));
        }
        let (kind, date) = (w.kind, w.reference_date);
        self.conn.transaction(|c| {
            let scope = match w.municipality {
                Some(m) => municipality_key(m),
                None => {
                    let holding: Vec<String> = c
                        .query(
                            &format!("SELECT s.municipality FROM snapshot s WHERE s.kind = $1 AND s.reference_date = $2 AND {SNAPSHOT_LIVE} ORDER BY s.municipality"),
                            &[kind.as_str().into(), date.into()],
                        )?
                        .iter()
                        .map(|r| r.text(0))
                        .collect::<Result<_, _>>()?;
                    match holding.as_slice() {
                        [one] => one.clone(),
                        [_, _, ..] => {
                            return Err(StoreError::Invalid(format!(
                                "several municipalities hold a {} snapshot for {date} ({}): say which with --municipality CODE",
                                kind.as_str(),
                                holding.join(", ")
                            )))
                        }
                        [] => String::new(),
                    }
                }
            };
            let row = live_snapshot(c, kind, &scope, date)?.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "no {} snapshot for {date} is held (or it is withdrawn already): `trappe snapshots` lists what is held",
                    kind.as_str()
                ))
            })?;
            let (id, file_name, rows) = (row.int(0)?, row.text(2)?, row.int(5)?);
            let before = read::current_run_on_or_before(c, &scope, date)?;
            c.execute(
                "INSERT INTO snapshot_withdrawal (snapshot_id, withdrawn_at, withdrawn_by, reason) VALUES ($1, $2, $3, $4)",
                &[Value::Int(id), Utc::now().into(), w.actor.into(), reason.into()],
            )?;
            let (master_restored, master_removed) = match kind {
                Kind::Departments => restore_master(c, id, date, &scope)?,
                _ => (0, 0),
            };
            Store::audit(
                c,
                w.actor,
                "withdraw",
                &format!("{} {date}", kind.as_str()),
                &serde_json::json!({
                    "municipality": scope,
                    "snapshot_id": id,
                    "file": file_name,
                    "rows": rows,
                    "reason": reason,
                    "master_restored": master_restored,
                    "master_removed": master_removed,
                }),
            )?;
            let agreement = agreement_of(c, &scope)?;
            let (runs, skipped_dates) =
                recompute(c, &scope, date, &agreement, w.actor, w.program_version, None, false)?;
            let after = read::current_run_on_or_before(c, &scope, date)?;
            let changes = match (&before, &after) {
                (Some(b), Some(a)) if b.id != a.id => read::diff_runs(c, b.id, a.id)?,
                _ => Vec::new(),
            };
            Ok(WithdrawReport {
                kind,
                reference_date: date,
                snapshot_id: id,
                file_name,
                rows,
                master_restored,
                master_removed,
                in_force: after.map(|a| (a.id, a.on_date)),
                changes,
                runs,
                skipped_dates,
            })
        })
    }
}

/// After a departments snapshot is withdrawn: the master data it gave (`as_of` its
/// date) is taken again from the newest other snapshot (not withdrawn) holding each
/// department; a department no such snapshot holds has no master data any more.
/// Returns (restored, removed).
fn restore_master(
    c: &mut Conn,
    snapshot: i64,
    date: Date,
    municipality: &str,
) -> Result<(usize, usize), StoreError> {
    let affected = c
        .query(
            "SELECT f.department_id FROM department_figures f JOIN department d ON d.id = f.department_id WHERE f.snapshot_id = $1 AND d.as_of = $2",
            &[Value::Int(snapshot), date.into()],
        )?
        .len();
    if affected == 0 {
        return Ok((0, 0));
    }
    let rows = c.query(
        &format!("SELECT {DEPARTMENT_SELECT}, s.reference_date FROM department_figures f JOIN snapshot s ON s.id = f.snapshot_id WHERE s.kind = 'departments' AND {SNAPSHOT_LIVE} AND f.department_id IN (SELECT g.department_id FROM department_figures g JOIN department d ON d.id = g.department_id WHERE g.snapshot_id = $1 AND d.as_of = $2) ORDER BY f.department_id, s.reference_date DESC"),
        &[Value::Int(snapshot), date.into()],
    )?;
    let mut master: Vec<Vec<Value>> = Vec::new();
    let mut last: Option<String> = None;
    for r in &rows {
        let d = department_from_row(r)?;
        if last.as_deref() == Some(d.id.as_str()) {
            continue;
        }
        master.push(master_row(&d, r.date(16)?, municipality));
        last = Some(d.id);
    }
    c.execute(
        "DELETE FROM department WHERE as_of = $1 AND id IN (SELECT department_id FROM department_figures WHERE snapshot_id = $2)",
        &[date.into(), Value::Int(snapshot)],
    )?;
    c.upsert_many("department", &MASTER_COLUMNS, &master, "TRUE")?;
    Ok((master.len(), affected - master.len()))
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

fn choose_agreement(
    c: &mut Conn,
    municipality: &str,
    ctx: &ImportContext<'_>,
) -> Result<Option<InUse>, StoreError> {
    let held = c.query_opt(
        "SELECT agreement_sha256, any_municipality FROM municipality WHERE code = $1",
        &[municipality.into()],
    )?;
    if let Some(a) = ctx.agreement {
        let sha = a.agreement.content_sha256.clone();
        let held_sha = held.as_ref().map(|r| r.text(0)).transpose()?;
        if held_sha.as_deref().is_some_and(|h| h != sha) && ctx.change_agreement.is_none() {
            let name = c
                .query_opt(
                    "SELECT agreement_id FROM agreement WHERE sha256 = $1",
                    &[held_sha.clone().unwrap_or_default().into()],
                )?
                .map(|r| r.text(0))
                .transpose()?
                .unwrap_or_default();
            return Err(StoreError::Conflict(format!(
                "municipality {municipality} is placed by the agreement {name} (sha256 {}); placing it by {} (sha256 {}) instead is an explicit act: repeat with --change-agreement REASON (it is recorded in the audit log)",
                held_sha.as_deref().map(|h| h.get(..12).unwrap_or(h)).unwrap_or_default(),
                a.agreement.id,
                &sha[..12]
            )));
        }
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
        let any = ctx
            .any_municipality
            .or_else(|| held.as_ref().and_then(|r| r.int(1).ok()).map(|v| v != 0))
            .unwrap_or(municipality == ANY_MUNICIPALITY);
        c.execute(
            "INSERT INTO municipality (code, agreement_sha256, any_municipality, named_at, named_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO UPDATE SET agreement_sha256 = excluded.agreement_sha256, any_municipality = excluded.any_municipality, named_at = excluded.named_at, named_by = excluded.named_by",
            &[
                municipality.into(),
                sha.clone().into(),
                Value::Int(i64::from(any)),
                Utc::now().into(),
                ctx.actor.into(),
            ],
        )?;
        if held_sha.as_deref() != Some(sha.as_str()) {
            Store::audit(
                c,
                ctx.actor,
                if held_sha.is_some() {
                    "change_agreement"
                } else {
                    "name_agreement"
                },
                &format!("municipality {municipality}"),
                &serde_json::json!({
                    "agreement": a.agreement.id,
                    "sha256": sha,
                    "before": held_sha,
                    "reason": ctx.change_agreement,
                }),
            )?;
        }
        return Ok(Some(InUse {
            loaded: a.clone(),
            sha256: sha,
            any_municipality: any,
        }));
    }
    if let (Some(any), Some(_)) = (ctx.any_municipality, &held) {
        c.execute(
            "UPDATE municipality SET any_municipality = $1 WHERE code = $2",
            &[Value::Int(i64::from(any)), municipality.into()],
        )?;
    }
    agreement_of(c, municipality)
}

/// The agreement a municipality is placed by, if it has one.
pub(crate) fn agreement_of(c: &mut Conn, municipality: &str) -> Result<Option<InUse>, StoreError> {
    let Some(row) = c.query_opt(
        "SELECT agreement_sha256, any_municipality FROM municipality WHERE code = $1",
        &[municipality.into()],
    )?
    else {
        return Ok(None);
    };
    let sha = row.text(0)?;
    Ok(Some(InUse {
        loaded: load_stored_agreement(c, &sha)?,
        sha256: sha,
        any_municipality: row.int(1)? != 0,
    }))
}

/// Ok for no errors; else the rows refused, as the readers refuse bad cells.
fn refuse_rows(errors: Vec<table_in::InputError>) -> Result<(), StoreError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Input(table_in::InputErrors {
            errors,
            truncated: false,
        }))
    }
}

/// A department belongs to one municipality: a departments file for one may not hold a
/// department another municipality's data holds.
fn check_one_municipality(
    c: &mut Conn,
    municipality: &str,
    deps: &[Department],
    file: &str,
) -> Result<(), StoreError> {
    let elsewhere: HashMap<String, String> = c
        .query(
            "SELECT id, municipality FROM department WHERE municipality <> $1",
            &[municipality.into()],
        )?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect::<Result<_, StoreError>>()?;
    if elsewhere.is_empty() {
        return Ok(());
    }
    let errors: Vec<table_in::InputError> = deps
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let other = elsewhere.get(&d.id)?;
            Some(table_in::InputError {
                file: file.to_string(),
                line: i as u64 + 2,
                column: "department_id".into(),
                value: d.id.clone(),
                expected: format!(
                    "is held for {}; a department belongs to one municipality (this file is for {})",
                    municipality_words(other),
                    municipality_words(municipality)
                ),
            })
        })
        .collect();
    refuse_rows(errors)
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

/// The columns of a department's master data, in [`master_row`]'s order.
const MASTER_COLUMNS: [&str; 11] = [
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
    "municipality",
];

fn master_row(d: &Department, as_of: Date, municipality: &str) -> Vec<Value> {
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
        as_of.into(),
        municipality.into(),
    ]
}

/// A departments snapshot's rows, its organisations and the master data they update.
fn write_departments(
    c: &mut Conn,
    id: i64,
    date: Date,
    municipality: &str,
    deps: &[Department],
) -> Result<(), StoreError> {
    let sid = Value::Int(id);
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
        .map(|d| master_row(d, date, municipality))
        .collect();
    c.upsert_many(
        "department",
        &MASTER_COLUMNS,
        &master,
        "excluded.as_of >= department.as_of",
    )?;
    Ok(())
}

fn write_rows(
    c: &mut Conn,
    id: i64,
    date: Date,
    municipality: &str,
    parsed: &Parsed,
) -> Result<(), StoreError> {
    let sid = Value::Int(id);
    match parsed {
        Parsed::Departments(deps) => write_departments(c, id, date, municipality, deps)?,
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
        Parsed::Overview(overview) => {
            let rows: Vec<Vec<Value>> = overview
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    vec![
                        sid.clone(),
                        Value::Int(i as i64),
                        o.department_id.clone().into(),
                        o.step.clone().into(),
                    ]
                })
                .collect();
            c.insert_many(
                "overview_row",
                &["snapshot_id", "position", "department_id", "step"],
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
    pub overview: Option<(i64, Date)>,
}

pub(crate) fn inputs_on(c: &mut Conn, municipality: &str, on: Date) -> Result<Inputs, StoreError> {
    let mut latest = |kind: Kind| -> Result<Option<(i64, Date)>, StoreError> {
        c.query_opt(
            &format!("SELECT s.id, s.reference_date FROM snapshot s WHERE s.kind = $1 AND s.municipality = $2 AND s.reference_date <= $3 AND {SNAPSHOT_LIVE} ORDER BY s.reference_date DESC LIMIT 1"),
            &[kind.as_str().into(), municipality.into(), on.into()],
        )?
        .map(|r| Ok((r.int(0)?, r.date(1)?)))
        .transpose()
    };
    Ok(Inputs {
        departments: latest(Kind::Departments)?,
        areas: latest(Kind::Areas)?,
        pools: latest(Kind::Pools)?,
        decisions: latest(Kind::Decisions)?,
        overview: latest(Kind::Overview)?,
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
    pub fn agreement_in_force(
        &mut self,
        municipality: &str,
        on: Date,
    ) -> Result<LoadedAgreement, StoreError> {
        let run = read::current_run_on_or_before(&mut self.conn, municipality, on)?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "no placement is in force on {on}: import a departments file dated on or before it"
                ))
            })?;
        load_stored_agreement(&mut self.conn, &run.agreement_sha256)
    }

    /// The municipalities the database holds, each with the agreement it is placed by.
    pub fn municipalities(&mut self) -> Result<Vec<String>, StoreError> {
        municipalities(&mut self.conn)
    }

    /// The municipality a department's data belongs to (`None`: not held).
    pub fn municipality_of(&mut self, department: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_opt(
                "SELECT municipality FROM department WHERE id = $1",
                &[department.into()],
            )?
            .map(|r| r.text(0))
            .transpose()
    }

    /// The agreement a municipality is placed by (as named by its first import or an
    /// explicit change).
    pub fn agreement_of(&mut self, municipality: &str) -> Result<LoadedAgreement, StoreError> {
        agreement_of(&mut self.conn, municipality)?
            .map(|a| a.loaded)
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "no agreement is in use for municipality {municipality}"
                ))
            })
    }

    pub fn explain_run(&mut self, municipality: &str, on: Date) -> Result<Explained, StoreError> {
        let c = &mut self.conn;
        let run = read::current_run_on_or_before(c, municipality, on)?.ok_or_else(|| {
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
        let overview = run
            .inputs
            .overview
            .map(|o| load_overview(c, o))
            .transpose()?;
        let standing =
            crate::standing::standing_on(c, municipality, run.on_date, &agreement.agreement)?;
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
            overview: overview.as_ref(),
            standing: standing.as_ref(),
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

/// Recomputes the runs on every run date from `from` on whose inputs changed (`force`:
/// every one, as after a decision on the placement in force). Where the placement in
/// force depends on the one before ([`trappe_rules::Agreement::needs_standing`]), every
/// run after one recomputed is recomputed too.
#[allow(clippy::too_many_arguments)]
pub(crate) fn recompute(
    c: &mut Conn,
    municipality: &str,
    from: Date,
    agreement: &Option<InUse>,
    actor: &str,
    program_version: &str,
    just_imported: Option<(i64, &[Department])>,
    force: bool,
) -> Result<(Vec<RunReport>, Vec<Date>), StoreError> {
    // Several dates usually share one departments snapshot: read each once, and the
    // one just imported not at all.
    let mut cached: Option<(i64, std::borrow::Cow<'_, [Department]>)> =
        just_imported.map(|(id, d)| (id, std::borrow::Cow::Borrowed(d)));
    let Some(agreement) = agreement else {
        return Ok((Vec::new(), Vec::new()));
    };
    // One municipality's chain of runs is made by one writer at a time (each run may
    // depend on the one before); the dates are read once the lock is held.
    c.lock(&format!("trappe-placement:{municipality}"))?;
    let mut dates: Vec<Date> = c
        .query(
            &format!("SELECT DISTINCT s.reference_date FROM snapshot s WHERE s.municipality = $1 AND s.reference_date >= $2 AND {SNAPSHOT_LIVE} ORDER BY s.reference_date"),
            &[municipality.into(), from.into()],
        )?
        .iter()
        .map(|r| r.date(0))
        .collect::<Result<_, _>>()?;
    let standing_needed = agreement.loaded.agreement.needs_standing();
    if standing_needed {
        // A decision takes effect on its own date.
        dates.extend(crate::standing::decision_dates(c, municipality, from)?);
        dates.sort();
        dates.dedup();
    }
    // Where a run depends on the one before, every run from `from` on is redone: a
    // withdrawn or late file changes what stood before the later ones even where their
    // own inputs are unchanged.
    let mut cascade = force || standing_needed;
    let period = &agreement.loaded.agreement.period;
    let mut runs = Vec::new();
    let mut skipped = Vec::new();
    let by_overview = agreement.loaded.agreement.in_force.by_overview();
    for on in dates {
        let mut inputs = inputs_on(c, municipality, on)?;
        if !by_overview {
            inputs.overview = None;
        }
        let Some((dep_snapshot, dep_date)) = inputs.departments else {
            continue;
        };
        if on < period.from || period.to.is_some_and(|to| on > to) {
            skipped.push(on);
            continue;
        }
        let previous = read::current_run_on_or_before(c, municipality, on)?;
        if let Some(prev) = &previous {
            if !cascade
                && prev.on_date == on
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
        let overview = inputs.overview.map(|o| load_overview(c, o)).transpose()?;
        let standing =
            crate::standing::standing_on(c, municipality, on, &agreement.loaded.agreement)?;
        cascade = standing_needed;
        let result = classify(ClassifyInput {
            agreement: &agreement.loaded.agreement,
            law: &agreement.loaded.law,
            on,
            data_reference_date: Some(dep_date),
            departments: deps,
            areas: areas.as_deref(),
            decisions: &decisions,
            pools: pools.as_deref(),
            any_municipality: agreement.any_municipality,
            program_version,
            overview: overview.as_ref(),
            standing: standing.as_ref(),
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
                "INSERT INTO placement_run (on_date, departments_snapshot_id, areas_snapshot_id, pools_snapshot_id, decisions_snapshot_id, agreement_sha256, any_municipality, program_version, parameters_sha256, receipt, warnings, created_at, created_by, overview_snapshot_id, municipality) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
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
                    inputs.overview.map(|(id, _)| id).into(),
                    municipality.into(),
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
                    p.in_force.as_str().into(),
                    // A held placement the computation confirms keeps no copy beside it:
                    // its computed step is its own.
                    p.computed
                        .as_ref()
                        .map(|c| c.step.clone())
                        .or_else(|| {
                            matches!(p.in_force, InForce::Held { .. } | InForce::Approved { .. })
                                .then(|| p.step.clone())
                        })
                        .into(),
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
                "basis",
                "computed_step",
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

pub(crate) fn load_overview(
    c: &mut Conn,
    snapshot: (i64, Date),
) -> Result<OfficialOverview, StoreError> {
    let steps = c
        .query(
            "SELECT department_id, step FROM overview_row WHERE snapshot_id = $1",
            &[Value::Int(snapshot.0)],
        )?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect::<Result<_, StoreError>>()?;
    Ok(OfficialOverview {
        as_of: snapshot.1,
        steps,
    })
}

/// Checks an overview against what is held: an agreement that puts the municipality's
/// overview in force, a date inside it, and departments trappe holds. Every problem
/// names the file, line and column.
fn check_overview(
    c: &mut Conn,
    municipality: &str,
    file: &ImportFile<'_>,
    rows: &[table_in::OverviewRow],
    agreement: Option<&InUse>,
) -> Result<(), StoreError> {
    let Some(a) = agreement else {
        return Err(StoreError::Invalid(format!(
            "{}: no agreement is in use yet: import the departments with --agreement first",
            file.file_name
        )));
    };
    let ag = &a.loaded.agreement;
    if !ag.in_force.by_overview() {
        return Err(StoreError::Invalid(format!(
            "{}: the agreement in use ({}) puts the computed placement in force, not a municipality's overview (its file has no [placement_in_force] by = \"official_overview\")",
            file.file_name, ag.id
        )));
    }
    if !ag.period.contains(file.reference_date) {
        return Err(StoreError::Invalid(format!(
            "{}: the overview's date {} is outside the agreement {} ({} – {})",
            file.file_name,
            file.reference_date,
            ag.id,
            ag.period.from,
            ag.period.to.map_or("open".into(), |d| d.to_string())
        )));
    }
    // The municipality's own departments (another municipality's are not its to colour).
    let held: std::collections::HashSet<String> = c
        .query(
            "SELECT id FROM department WHERE municipality = $1",
            &[municipality.into()],
        )?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    let errors: Vec<table_in::InputError> = rows
        .iter()
        .filter(|r| !held.contains(&r.department_id))
        .map(|r| table_in::InputError {
            file: file.file_name.to_string(),
            line: r.line,
            column: "department_id".into(),
            value: r.department_id.clone(),
            expected: "is not a department trappe holds for this municipality; expected the id of a department in its imported departments file".into(),
        })
        .collect();
    refuse_rows(errors)
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

#[cfg(test)]
mod tests {
    use super::ceil_pct;

    // The share shown is rounded up, so a share above MAX_DROP_PCT never shows as it.
    #[rstest::rstest]
    #[case(0, 0, 0)]
    #[case(0, 405, 0)]
    #[case(20, 200, 10)]
    #[case(21, 200, 11)]
    #[case(40, 405, 10)]
    #[case(41, 405, 11)]
    #[case(100, 405, 25)]
    #[case(405, 405, 100)]
    fn shares_round_up(#[case] part: usize, #[case] whole: usize, #[case] pct: usize) {
        assert_eq!(ceil_pct(part, whole), pct);
    }
}
