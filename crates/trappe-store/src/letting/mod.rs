//! Letting: the homes register and the vacancy ledger.
//!
//! Every registration, outcome and letting decision is one append-only entry in
//! `vacancy_entry`, numbered per department (`seq`). The wheel position, the realised
//! allocations, the disability credits and the exemptions are derived from the ledger
//! each time, so any vacancy's channel can be explained and replayed. A registration
//! is one transaction that serialises per department (SQLite: the write lock;
//! PostgreSQL: an advisory lock on the department), and `UNIQUE (department_id, seq)`
//! backs it up: two vacancies registered at once never share a slot.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, Utc};
use serde::Serialize;
use trappe_rules::agreement::{Channel, Staircase};
use trappe_rules::deadlines::{self, Deadlines, VacancyDates};
use trappe_rules::wheel::{
    self, Assignment, Home, HomeKind, HomeSpecial, VacancyFacts, WheelState,
};
use trappe_rules::{Agreement, Date, Pct};

use crate::db::{Conn, Value};
use crate::import::load_stored_agreement;
use crate::live::RUN_LIVE;
use crate::{Store, StoreError};

mod facts;
mod reports;
mod view;

use facts::{decisions, exempt, kitchen_has_allocated, new_build_facts, wheel_state, year_counts};
use view::{check_outcome, vacancy_view};

/// An outcome `o` that no correction has replaced.
const LIVE: &str = "NOT EXISTS (SELECT 1 FROM vacancy_entry x WHERE x.corrects = o.id)";

/// A registration `r` not withdrawn (registered in error) by a live outcome.
const NOT_WITHDRAWN: &str = "NOT EXISTS (SELECT 1 FROM vacancy_entry w WHERE w.vacancy_id = r.id AND w.action = 'withdrawn' AND NOT EXISTS (SELECT 1 FROM vacancy_entry x WHERE x.corrects = w.id))";

/// How many of the newest slot-consuming entries are read to rebuild the wheel state:
/// enough for the current round of any wheel in the agreements (9 slots) and the one
/// before it.
const EPISODE_WINDOW: i64 = 64;

/// A registration request.
#[derive(Debug, Clone)]
pub struct RegisterRequest<'a> {
    pub department: &'a str,
    pub home: &'a str,
    /// The date the home falls vacant (the wheel and placement of this date apply).
    pub vacated: Date,
    /// The day the municipality receives the home, for the deadlines [CPH B14]. When
    /// not given, the day of registration (today): registering the vacancy in trappe
    /// is how the municipality receives it. This is the one place that default lives;
    /// the command line and the web both leave it to this.
    pub received: Option<Date>,
    /// The move-in date the organisation offers; defaults to `vacated`.
    pub available_from: Option<Date>,
    pub actor: &'a str,
}

/// The answer to a registration.
#[derive(Debug, Clone, Serialize)]
pub struct Registered {
    pub vacancy: i64,
    pub department_id: String,
    pub home_id: String,
    pub vacated: Date,
    pub staircase: Staircase,
    pub step: String,
    pub agreement: String,
    #[serde(flatten)]
    pub assignment: Assignment,
    /// The deadlines of the allocation, when the home goes to the municipality.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadlines: Option<Deadlines>,
    pub received: Date,
    /// `received` was not given: it is the day of registration. Shown as a warning
    /// when that day is after the vacancy date (the deadlines then run from it).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub received_defaulted: bool,
    pub available_from: Date,
}

pub use trappe_rules::ledger::{EntryKind, LedgerAction, LetChannel};

/// What happened to a vacancy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The municipality named its citizen on `on`, to move in on `move_in`.
    Allocated { on: Date, move_in: Date },
    /// The municipality gave the home back on `on`.
    Returned { on: Date },
    /// The channel in turn (urban-renewal rehousing, the allocation) does not use the
    /// home: it goes to the next fallback.
    NotUsed { on: Date },
    /// Let, with move-in on `on`.
    Let {
        on: Date,
        channel: LetChannel,
        /// A flexible home let from the waiting list because no applicant met the criteria.
        no_qualified_applicant: bool,
        /// An allocation to a refugee shared home [CPH 8.5.3].
        refugee_shared: bool,
    },
    /// Registered in error; the slot it took stays taken (the ledger is history).
    Withdrawn { on: Date, note: String },
}

impl Outcome {
    pub fn date(&self) -> Date {
        match self {
            Outcome::Allocated { on, .. }
            | Outcome::Returned { on }
            | Outcome::NotUsed { on }
            | Outcome::Let { on, .. }
            | Outcome::Withdrawn { on, .. } => *on,
        }
    }
    pub fn action(&self) -> LedgerAction {
        match self {
            Outcome::Allocated { .. } => LedgerAction::Allocated,
            Outcome::Returned { .. } => LedgerAction::Returned,
            Outcome::NotUsed { .. } => LedgerAction::NotUsed,
            Outcome::Let { .. } => LedgerAction::Let,
            Outcome::Withdrawn { .. } => LedgerAction::Withdrawn,
        }
    }
}

/// An outcome that corrects an earlier one: the vacancy's last outcome, recorded in
/// error. The earlier entry stays in the ledger but no longer counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    pub entry: i64,
    pub note: String,
}

/// A recorded letting decision for a department.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// The Samarbejdsforum approved the exemption from the extra share for `year`.
    ExemptionApproved {
        year: i32,
        decided_by: String,
        decided_on: Date,
    },
    /// Exempt in advance from `from` to `to` (the parties' calculations) [CPH 6.2.2].
    ExemptionInAdvance {
        from: Date,
        to: Date,
        decided_by: String,
        decided_on: Date,
    },
    /// The dept-1 safeguard applies from `from`; the organisation notified the
    /// municipality [CPH 6.2.1].
    Safeguard {
        from: Date,
        decided_by: String,
        decided_on: Date,
    },
    /// The organisation's choice for "or" slots, from its individual agreement: the
    /// waiting list or flexible letting, and for flexible letting which criteria set
    /// (dept 1: "A" or "B").
    OrganisationChoice {
        from: Date,
        channel: Channel,
        criteria: Option<String>,
        decided_by: String,
        decided_on: Date,
    },
    /// The department's share of its step's vacancies from `from`, where the agreement
    /// states a range decided per department ("20–30 %").
    Share {
        from: Date,
        percent: trappe_rules::Pct,
        /// The step it was decided for (the placement in force on `from`): on another
        /// step it does not apply. Filled in when the decision is recorded.
        #[serde(skip_serializing_if = "Option::is_none")]
        step: Option<(Staircase, String)>,
        decided_by: String,
        decided_on: Date,
    },
}

impl Decision {
    pub fn action(&self) -> LedgerAction {
        match self {
            Decision::ExemptionApproved { .. } => LedgerAction::ExemptionApproved,
            Decision::ExemptionInAdvance { .. } => LedgerAction::ExemptionInAdvance,
            Decision::Safeguard { .. } => LedgerAction::Safeguard,
            Decision::OrganisationChoice { .. } => LedgerAction::OrganisationChoice,
            Decision::Share { .. } => LedgerAction::ShareDecided,
        }
    }
    fn date(&self) -> Date {
        match self {
            Decision::ExemptionApproved { year, .. } => {
                Date::from_ymd_opt(*year, 1, 1).unwrap_or_default()
            }
            Decision::ExemptionInAdvance { from, .. }
            | Decision::Safeguard { from, .. }
            | Decision::OrganisationChoice { from, .. }
            | Decision::Share { from, .. } => *from,
        }
    }
}

/// A decision's year or date outside the period of the agreement in force for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsidePeriod {
    /// "year", "from", "to" or "decided_on".
    pub field: &'static str,
    /// The value as given.
    pub value: String,
    pub period: trappe_rules::agreement::Period,
}

impl std::fmt::Display for OutsidePeriod {
    /// The refusal in English (the command line's error); `trappe_app::text` says it
    /// in the user's language.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.field {
            "year" => "The year",
            "from" => "The from date",
            "to" => "The to date",
            _ => "The decision date",
        };
        let from = self.period.from;
        match self.period.to {
            Some(to) => write!(
                f,
                "{what} {} is outside the agreement's period, {from} to {to}.",
                self.value
            ),
            None => write!(
                f,
                "{what} {} is outside the agreement's period, from {from} (a year at most the year after the decision).",
                self.value
            ),
        }
    }
}

impl Decision {
    /// The first year or date of the decision outside the agreement's period: an
    /// approval's year must overlap the period (for an open-ended period, be at most the
    /// year after the decision), and every date must lie within it.
    pub fn outside(&self, period: &trappe_rules::agreement::Period) -> Option<OutsidePeriod> {
        let out = |field: &'static str, value: String| {
            Some(OutsidePeriod {
                field,
                value,
                period: *period,
            })
        };
        let (decided_on, dates): (Date, Vec<(&'static str, Date)>) = match self {
            Decision::ExemptionApproved { decided_on, .. } => (*decided_on, vec![]),
            Decision::ExemptionInAdvance {
                from,
                to,
                decided_on,
                ..
            } => (*decided_on, vec![("from", *from), ("to", *to)]),
            Decision::Safeguard {
                from, decided_on, ..
            }
            | Decision::OrganisationChoice {
                from, decided_on, ..
            }
            | Decision::Share {
                from, decided_on, ..
            } => (*decided_on, vec![("from", *from)]),
        };
        if let Decision::ExemptionApproved { year, .. } = self {
            let last = period
                .to
                .map(|t| t.year())
                .unwrap_or_else(|| decided_on.year() + 1);
            if *year < period.from.year() || *year > last {
                return out("year", year.to_string());
            }
        }
        for (field, d) in dates {
            if !period.contains(d) {
                return out(field, d.to_string());
            }
        }
        if !period.contains(decided_on) {
            return out("decided_on", decided_on.to_string());
        }
        None
    }
}

/// One ledger entry as shown back.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub seq: i64,
    pub kind: EntryKind,
    pub action: LedgerAction,
    pub on_date: Date,
    pub channel: Option<LetChannel>,
    /// The outcome entry this one corrects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrects: Option<i64>,
    pub at: chrono::DateTime<Utc>,
    pub actor: String,
    pub detail: serde_json::Value,
}

/// A vacancy with its registration, outcomes and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct VacancyView {
    pub vacancy: i64,
    pub department_id: String,
    pub home_id: String,
    pub vacated: Date,
    pub registration: serde_json::Value,
    /// The outcomes that count, oldest first.
    pub outcomes: Vec<LedgerEntry>,
    /// Outcomes replaced by a correction (kept for the record).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<LedgerEntry>,
    /// The channel the home is with now (after fallbacks), `None` when resolved.
    pub current_channel: Option<Channel>,
    pub resolved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadlines: Option<Deadlines>,
}

/// One row of a lettings report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LettingsRow {
    pub key: String,
    pub name: String,
    pub by_channel: BTreeMap<String, u32>,
    pub total: u32,
}

/// The "every nth vacancy" report: the agreement's n and source, and a row per
/// department [CPH B15 2].
#[derive(Debug, Clone, Serialize)]
pub struct EveryNthVacancyReport {
    pub nth: u32,
    pub source: String,
    pub rows: Vec<EveryNthVacancyRow>,
}

/// One row of the "every nth vacancy" report [CPH B15 2].
#[derive(Debug, Clone, Serialize)]
pub struct EveryNthVacancyRow {
    pub department_id: String,
    pub step: String,
    pub vacancies: u32,
    pub realised_allocations: u32,
    pub exceeded: bool,
    pub approved_for_next_year: bool,
}

/// Homes offered to, used by and returned by the municipality [CPH B15 2].
#[derive(Debug, Clone, Default, Serialize)]
pub struct AllocationRow {
    pub key: String,
    pub name: String,
    pub offered: u32,
    pub used: u32,
    pub returned: u32,
    pub open: u32,
}

/// What a homes import did.
#[derive(Debug, Clone, Serialize)]
pub struct HomesReport {
    pub homes: usize,
    pub departments: usize,
}

/// Checks a decision against the agreement and the department's placement on its date.
fn check_decision(
    department: &str,
    d: &Decision,
    placement: Option<&PlacementOn>,
    agreement: Option<&Agreement>,
) -> Result<(), StoreError> {
    let letting = agreement.and_then(|a| a.letting.as_ref());
    let on = match d {
        Decision::ExemptionApproved { decided_on, .. } => *decided_on,
        other => other.date(),
    };
    let Some(p) = placement else {
        return Err(rule(format!(
            "department {department} has no placement in force on {on}; a letting decision follows a placement"
        )));
    };
    if let Some(out) = agreement.and_then(|a| d.outside(&a.period)) {
        return Err(rule(out.to_string()));
    }
    match d {
        Decision::ExemptionInAdvance { from, to, .. } if to < from => Err(rule(format!(
            "the exemption runs from {from} to {to}: the end is before the start"
        ))),
        Decision::ExemptionApproved { .. } | Decision::ExemptionInAdvance { .. } => {
            match letting.and_then(|l| l.exemption.as_ref()) {
                Some(ex) if p.staircase == Staircase::Department && ex.steps.contains(&p.step) => Ok(()),
                Some(ex) => Err(rule(format!(
                    "department {department} is on {} step {} on {on}; the exemption from the extra share is for department steps {} ({})",
                    p.staircase.as_str(),
                    p.step,
                    ex.steps.join(", "),
                    ex.every_nth_vacancy.source
                ))),
                None => Err(rule("the agreement has no exemption from the extra share")),
            }
        }
        Decision::Safeguard { .. } => match letting.and_then(|l| l.safeguard.as_ref()) {
            Some(g) if p.staircase == g.staircase && p.step == g.step => Ok(()),
            Some(g) => Err(rule(format!(
                "department {department} is on {} step {} on {on}; the safeguard is for {} step {} ({})",
                p.staircase.as_str(),
                p.step,
                g.staircase.as_str(),
                g.step,
                g.source
            ))),
            None => Err(rule("the agreement has no safeguard")),
        },
        Decision::Share { percent, .. } if percent.normalize().scale() > 2 => Err(rule(format!(
            "the share {percent} % has more than two decimals"
        ))),
        Decision::Share { percent, from, .. } => {
            // The step's wheel must state a range decided per department, holding it.
            let wheel = agreement.and_then(|a| a.wheel_rule(p.staircase, &p.step, *from));
            match wheel.and_then(|w| w.shares.iter().find_map(|s| s.range.map(|r| (r, &s.source)))) {
                Some(((lo, hi), _)) if *percent >= lo && *percent <= hi => Ok(()),
                Some(((lo, hi), source)) => Err(rule(format!(
                    "the share {percent} % is outside the agreement's range {lo}–{hi} % [{source}]"
                ))),
                None => Err(rule(format!(
                    "department {department} is on {} step {} on {from}, whose share is not decided per department",
                    p.staircase.as_str(),
                    p.step
                ))),
            }
        }
        Decision::OrganisationChoice { channel, criteria, .. } => {
            if *channel != Channel::WaitingList && *channel != Channel::Flexible {
                return Err(rule(
                    "the organisation chooses between the waiting list and flexible letting on \"or\" slots",
                ));
            }
            if criteria.is_some() && *channel != Channel::Flexible {
                return Err(rule(
                    "a criteria set goes with --channel flexible, not the waiting list",
                ));
            }
            // The step's wheel must have slots the organisation chooses, and one of them
            // must offer the criteria set.
            let wheel = agreement.and_then(|a| a.wheel_rule(p.staircase, &p.step, on));
            let offered: Vec<String> = wheel
                .iter()
                .flat_map(|w| w.slots.iter())
                .filter(|s| s.organisation_chooses)
                .flat_map(|s| s.alternate.iter())
                .filter_map(|c| c.criteria.clone())
                .collect();
            if !wheel.is_some_and(|w| w.slots.iter().any(|s| s.organisation_chooses)) {
                return Err(rule(format!(
                    "department {department} is on {} step {} on {on}, whose wheel has no slots the organisation chooses",
                    p.staircase.as_str(),
                    p.step
                )));
            }
            match criteria {
                Some(k) if !offered.iter().any(|set| set.split('|').any(|x| x == k)) => {
                    Err(rule(format!(
                        "criteria {k:?} is not offered on the slots the organisation chooses (they offer {})",
                        offered.join(", ")
                    )))
                }
                _ => Ok(()),
            }
        }
    }
}

/// Errors of letting that are the user's: named by the rule they break.
fn rule(msg: impl Into<String>) -> StoreError {
    StoreError::Invalid(msg.into())
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("JSON: {e}"))
}

/// Master data of a department needed for letting.
struct DeptInfo {
    family_homes: u32,
    youth_homes: u32,
}

fn dept_info(c: &mut Conn, id: &str) -> Result<DeptInfo, StoreError> {
    let row = c
        .query_opt(
            "SELECT family_homes, youth_homes FROM department WHERE id = $1",
            &[id.into()],
        )?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "unknown department {id}: it is in no imported departments file"
            ))
        })?;
    Ok(DeptInfo {
        family_homes: row.u32(0)?,
        youth_homes: row.u32(1)?,
    })
}

const HOME_SELECT: &str = "department_id, home_id, address, kind, accessibility, disability_fitted_kr, disability_fitted_on, special, special_since, cheap, first_use, shared_kitchen";

fn home_from_row(r: &crate::Row) -> Result<Home, StoreError> {
    let kind = r.text(3)?;
    Ok(Home {
        department_id: r.text(0)?,
        id: r.text(1)?,
        address: r.text(2)?,
        kind: HomeKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("home kind {kind:?}")))?,
        accessibility: r.int(4)? != 0,
        disability_fitted: match (r.opt_dec(5)?, r.opt_date(6)?) {
            (Some(kr), Some(on)) => Some((kr, on)),
            _ => None,
        },
        special: r.opt_text(7)?.and_then(|s| HomeSpecial::parse(&s)),
        special_since: r.opt_date(8)?,
        cheap: r.int(9)? != 0,
        first_use: r.opt_date(10)?,
        shared_kitchen: r.opt_text(11)?,
    })
}

/// The placement of one department in force on a date, and the agreement it was made
/// with.
pub(crate) struct PlacementOn {
    pub(crate) staircase: Staircase,
    pub(crate) step: String,
    pub(crate) agreement_sha256: String,
}

/// The home a vacancy is registered for, and whether this is its first letting: an
/// unknown home, a home not re-let, or one with a vacancy still open is refused.
fn home_to_let(c: &mut Conn, req: &RegisterRequest<'_>) -> Result<(Home, bool), StoreError> {
    let home = c
        .query_opt(
            &format!("SELECT {HOME_SELECT} FROM home WHERE department_id = $1 AND home_id = $2"),
            &[req.department.into(), req.home.into()],
        )?
        .map(|r| home_from_row(&r))
        .transpose()?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "unknown home {} in department {}: import the department's homes first (trappe homes import)",
                req.home, req.department
            ))
        })?;
    // The home's earlier vacancies: none makes this its first letting; one still
    // open (not let, not withdrawn) refuses the registration.
    let earlier = c.query(
        &format!("SELECT r.id, r.on_date, CASE WHEN r.channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM vacancy_entry o WHERE o.vacancy_id = r.id AND o.action IN ('let', 'withdrawn') AND {LIVE}) THEN 1 ELSE 0 END, CASE WHEN r.channel IS NULL AND {NOT_WITHDRAWN} THEN 1 ELSE 0 END FROM vacancy_entry r WHERE r.department_id = $1 AND r.home_id = $2 AND r.kind = 'register' ORDER BY r.seq DESC"),
        &[req.department.into(), req.home.into()],
    )?;
    if let Some(r) = earlier.first().filter(|r| r.int(3).is_ok_and(|n| n == 1)) {
        return Err(rule(format!(
            "home {} in department {} is not re-let (vacancy {}: a youth shared home being phased out); when its last resident has moved out, clear `special` for it in the homes file and import it again",
            req.home,
            req.department,
            r.int(0)?
        )));
    }
    if let Some(open) = earlier.iter().find(|r| r.int(2).is_ok_and(|n| n == 1)) {
        return Err(rule(format!(
            "home {} in department {} has an open vacancy {} (vacant from {}); resolve or withdraw it before registering another",
            req.home,
            req.department,
            open.int(0)?,
            open.date(1)?
        )));
    }
    Ok((home, earlier.is_empty()))
}

/// The deadlines of a home that goes to the municipal allocation when registered
/// [CPH B14]; none for any other channel.
fn first_deadlines(
    agreement: &Agreement,
    channel: Option<Channel>,
    received: Date,
    available_from: Date,
) -> Result<Option<Deadlines>, StoreError> {
    match (channel, agreement.letting.as_ref()) {
        (Some(Channel::MunicipalAllocation), Some(l)) => deadlines::deadlines(
            &l.deadlines,
            &VacancyDates {
                received,
                available_from,
                allocated_on: None,
                move_in: None,
                returned_on: None,
                relet_on: None,
            },
        )
        .map(Some)
        .map_err(|e| rule(e.to_string())),
        _ => Ok(None),
    }
}

pub(crate) fn placement_on(
    c: &mut Conn,
    department: &str,
    on: Date,
) -> Result<Option<PlacementOn>, StoreError> {
    // One query, without the run's receipt: this runs on every registration.
    let Some(row) = c.query_opt(
        &format!("SELECT p.staircase, p.step, q.agreement_sha256 FROM (SELECT r.id, r.agreement_sha256 FROM placement_run r WHERE r.on_date <= $1 AND r.municipality = (SELECT d.municipality FROM department d WHERE d.id = $2) AND {RUN_LIVE} ORDER BY r.on_date DESC, r.id DESC LIMIT 1) q JOIN placement p ON p.run_id = q.id AND p.department_id = $2"),
        &[on.into(), department.into()],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(PlacementOn {
        staircase: row.code(0)?,
        step: row.text(1)?,
        agreement_sha256: row.text(2)?,
    }))
}

/// The department's placement at the agreement's start, or its earliest stored one.
fn start_placement(
    c: &mut Conn,
    department: &str,
    agreement: &Agreement,
) -> Result<Option<(Staircase, String, Option<Pct>)>, StoreError> {
    // One query: among the runs that placed the department, the one in force on the
    // agreement's start, else the earliest (the newest run of a date wins either way).
    let row = c.query_opt(
        &format!("SELECT p.staircase, p.step, f.allocated_pct FROM placement_run r JOIN placement p ON p.run_id = r.id AND p.department_id = $1 LEFT JOIN department_figures f ON f.snapshot_id = r.departments_snapshot_id AND f.department_id = $1 WHERE {RUN_LIVE} ORDER BY (r.on_date > $2), CASE WHEN r.on_date <= $2 THEN r.on_date END DESC, r.on_date, r.id DESC LIMIT 1"),
        &[department.into(), agreement.period.from.into()],
    )?;
    row.map(|r| Ok((r.code(0)?, r.text(1)?, r.opt_dec(2)?)))
        .transpose()
}

impl Store {
    pub fn agreement(&mut self, sha: &str) -> Result<Arc<Agreement>, StoreError> {
        if let Some(a) = self.agreements.get(sha) {
            return Ok(a.clone());
        }
        let loaded = Arc::new(load_stored_agreement(&mut self.conn, sha)?.agreement);
        self.agreements.insert(sha.to_string(), loaded.clone());
        Ok(loaded)
    }

    /// Replaces the homes of the departments in `homes` (all or nothing). Every
    /// department must be known, and its accessibility homes may not exceed the
    /// agreement's share of its family homes [CPH 5.2.3].
    pub fn import_homes(
        &mut self,
        homes: &[Home],
        file: &str,
        actor: &str,
    ) -> Result<HomesReport, StoreError> {
        if homes.is_empty() {
            return Err(crate::import::no_data_rows(file).into());
        }
        if crate::import::municipalities(&mut self.conn)?.is_empty() {
            return Err(rule(
                "no agreement is stored yet: import a departments file with --agreement first",
            ));
        }
        let mut by_dept: BTreeMap<&str, Vec<&Home>> = BTreeMap::new();
        for h in homes {
            by_dept.entry(h.department_id.as_str()).or_default().push(h);
        }
        // Each department's agreement is its municipality's.
        let owners = self.owners()?;
        let mut by_municipality: BTreeMap<String, Arc<Agreement>> = BTreeMap::new();
        let mut agreement_of: BTreeMap<&str, Arc<Agreement>> = BTreeMap::new();
        for dept in by_dept.keys() {
            let Some(m) = owners.get(*dept).map(|o| o.municipality.clone()) else {
                continue;
            };
            if !by_municipality.contains_key(&m) {
                if let Some(a) = crate::import::agreement_of(&mut self.conn, &m)? {
                    let loaded = self.agreement(&a.sha256)?;
                    by_municipality.insert(m.clone(), loaded);
                }
            }
            if let Some(a) = by_municipality.get(&m) {
                agreement_of.insert(dept, a.clone());
            }
        }
        let now = Utc::now();
        let n_depts = by_dept.len();
        self.conn.transaction(|c| {
            let mut problems = Vec::new();
            for (dept, list) in &by_dept {
                let info = match dept_info(c, dept) {
                    Ok(i) => i,
                    Err(e) => {
                        problems.push(format!("{file}: {e}"));
                        continue;
                    }
                };
                let Some(agreement) = agreement_of.get(dept) else {
                    continue;
                };
                if let Some(acc) = agreement.letting.as_ref().and_then(|l| l.accessibility.as_ref()) {
                    let named = list.iter().filter(|h| h.accessibility && h.kind == HomeKind::Family).count();
                    let max = acc.max_share_pct.value * Pct::from(info.family_homes) / Pct::from(100);
                    if Pct::from(named as u64) > max {
                        problems.push(format!(
                            "{file}: department {dept} names {named} accessibility homes; at most {} % of its {} family homes ({}) may be named ({})",
                            acc.max_share_pct.value, info.family_homes, max.floor(), acc.max_share_pct.source
                        ));
                    }
                }
            }
            if !problems.is_empty() {
                return Err(rule(problems.join("\n")));
            }
            for dept in by_dept.keys() {
                c.execute("DELETE FROM home WHERE department_id = $1", &[(*dept).into()])?;
            }
            let rows: Vec<Vec<Value>> = homes
                .iter()
                .map(|h| {
                    vec![
                        h.department_id.clone().into(),
                        h.id.clone().into(),
                        h.address.clone().into(),
                        h.kind.as_str().into(),
                        Value::Int(i64::from(h.accessibility)),
                        h.disability_fitted.map(|d| d.0).into(),
                        h.disability_fitted.map(|d| d.1).into(),
                        h.special.map(|s| s.as_str()).into(),
                        h.special_since.into(),
                        Value::Int(i64::from(h.cheap)),
                        h.first_use.into(),
                        h.shared_kitchen.clone().into(),
                        now.into(),
                    ]
                })
                .collect();
            c.insert_many(
                "home",
                &[
                    "department_id",
                    "home_id",
                    "address",
                    "kind",
                    "accessibility",
                    "disability_fitted_kr",
                    "disability_fitted_on",
                    "special",
                    "special_since",
                    "cheap",
                    "first_use",
                    "shared_kitchen",
                    "updated_at",
                ],
                &rows,
            )?;
            Store::audit(
                c,
                actor,
                "import_homes",
                file,
                &serde_json::json!({ "homes": homes.len(), "departments": n_depts }),
            )?;
            Ok(HomesReport {
                homes: homes.len(),
                departments: n_depts,
            })
        })
    }

    /// Registers a vacancy: decides its channel by the wheel and the special rules,
    /// and appends it to the ledger, in one transaction.
    pub fn register_vacancy(
        &mut self,
        req: &RegisterRequest<'_>,
    ) -> Result<Registered, StoreError> {
        // Read the agreement outside the transaction (cached after the first time).
        let sha = {
            let p = placement_on(&mut self.conn, req.department, req.vacated)?;
            match p {
                Some(p) => p.agreement_sha256,
                None => {
                    dept_info(&mut self.conn, req.department)?;
                    return Err(rule(format!(
                        "department {} has no placement in force on {}: the vacancy date is before the department's first key-figure snapshot, or outside every agreement period",
                        req.department, req.vacated
                    )));
                }
            }
        };
        let agreement = self.agreement(&sha)?;
        let now = Utc::now();
        let received = req
            .received
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        self.conn.transaction(|c| {
            c.lock(&format!("trappe-vacancy:{}", req.department))?;
            let info = dept_info(c, req.department)?;
            let placement = placement_on(c, req.department, req.vacated)?.ok_or_else(|| {
                rule(format!("department {} has no placement in force on {}", req.department, req.vacated))
            })?;
            let (home, first_letting) = home_to_let(c, req)?;
            let decisions = decisions(c, req.department)?;
            let choice = decisions
                .iter()
                .filter_map(|d| match d {
                    Decision::OrganisationChoice { from, channel, criteria, .. } if *from <= req.vacated => {
                        Some((*channel, criteria.clone()))
                    }
                    _ => None,
                })
                .next_back();
            let safeguard = decisions
                .iter()
                .any(|d| matches!(d, Decision::Safeguard { from, .. } if *from <= req.vacated));
            // The share decided for the step the department is on now, the one in force
            // from the latest date (of two from the same date, the later recorded).
            let decided_share = decisions
                .iter()
                .filter_map(|d| match d {
                    Decision::Share { from, percent, step: Some((s, st)), .. }
                        if *from <= req.vacated && *s == placement.staircase && *st == placement.step =>
                    {
                        Some((*from, *percent))
                    }
                    _ => None,
                })
                .fold(None, |best: Option<(Date, trappe_rules::Pct)>, d| match best {
                    Some(b) if b.0 > d.0 => Some(b),
                    _ => Some(d),
                })
                .map(|(_, p)| p);
            let exempt_from_extra = exempt(c, &agreement, req.department, &placement, req.vacated, &decisions)?;
            let kitchen_has_allocated_tenant = match &home.shared_kitchen {
                Some(k) => kitchen_has_allocated(c, req.department, &home.id, k)?,
                None => false,
            };
            let new_build = new_build_facts(c, req.department)?;
            let start = start_placement(c, req.department, &agreement)?;
            let mainly_youth = agreement
                .letting
                .as_ref()
                .and_then(|l| l.youth.as_ref())
                .is_some_and(|y| y.mainly_youth(info.family_homes, info.youth_homes));
            let allocation_suspended_by =
                crate::areas::allocation_suspended_by(c, req.department, req.vacated, &agreement)?;
            let mut facts = VacancyFacts {
                on: req.vacated,
                staircase: placement.staircase,
                step: &placement.step,
                mainly_youth,
                home: &home,
                first_letting,
                state: &WheelState::default(),
                organisation_choice: choice.as_ref().map(|c| c.0),
                organisation_criteria: choice.and_then(|c| c.1),
                exempt_from_extra,
                safeguard,
                kitchen_has_allocated_tenant,
                new_build,
                start_placement: start.clone(),
                decided_share,
                allocation_suspended_by,
            };
            // Which wheel the vacancy is on decides which history counts: ask the rules
            // with an empty history, then read that wheel's history from the ledger.
            let probe = wheel::assign(&agreement, &facts).map_err(|e| rule(e.to_string()))?;
            // A home outside the wheel is decided without its history: the probe is the
            // answer.
            let state = match &probe.wheel {
                Some(w) => wheel_state(c, req.department, &w.key)?,
                None => WheelState::default(),
            };
            let assignment = if probe.wheel.is_some() {
                facts.state = &state;
                wheel::assign(&agreement, &facts).map_err(|e| rule(e.to_string()))?
            } else {
                probe
            };
            let available_from = req.available_from.unwrap_or(req.vacated);
            let deadlines = first_deadlines(&agreement, assignment.channel, received, available_from)?;
            let seq = next_seq(c, req.department)?;
            let detail = serde_json::json!({
                "assignment": &assignment,
                "staircase": placement.staircase.as_str(),
                "step": &placement.step,
                "received": received,
                "received_defaulted": req.received.is_none(),
                "available_from": available_from,
                "agreement_sha256": &sha,
                "program_version": env!("CARGO_PKG_VERSION"),
                "facts": {
                    "first_letting": first_letting,
                    "exempt_from_extra": exempt_from_extra,
                    "safeguard": safeguard,
                    "organisation_choice": facts.organisation_choice,
                    "organisation_criteria": &facts.organisation_criteria,
                    "disability_credits": state.disability_credits,
                    "kitchen_has_allocated_tenant": kitchen_has_allocated_tenant,
                    "start_placement": start.as_ref().map(|s| serde_json::json!({"staircase": s.0.as_str(), "step": s.1, "allocated_pct": s.2})),
                },
            });
            let credit = i64::from(assignment.gives_disability_credit) - i64::from(assignment.used_disability_credit);
            let id = c
                .query_opt(
                    "INSERT INTO vacancy_entry (department_id, seq, kind, vacancy_id, home_id, on_date, action, channel, wheel_key, position, slot, consumes_slot, credit, at, actor, detail) VALUES ($1, $2, 'register', NULL, $3, $4, 'register', $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                    &[
                        req.department.into(),
                        Value::Int(seq),
                        req.home.into(),
                        req.vacated.into(),
                        assignment.channel.map(|c| c.as_str()).into(),
                        assignment.wheel.as_ref().map(|w| w.key.clone()).into(),
                        assignment.wheel.as_ref().map(|w| w.position as i64).into(),
                        assignment.wheel.as_ref().map(|w| i64::from(w.slot)).into(),
                        Value::Int(i64::from(assignment.wheel.is_some())),
                        Value::Int(credit),
                        now.into(),
                        req.actor.into(),
                        detail.to_string().into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
                .int(0)?;
            Ok(Registered {
                vacancy: id,
                department_id: req.department.to_string(),
                home_id: req.home.to_string(),
                vacated: req.vacated,
                staircase: placement.staircase,
                step: placement.step.clone(),
                agreement: agreement.id.clone(),
                assignment,
                deadlines,
                received,
                received_defaulted: req.received.is_none(),
                available_from,
            })
        })
    }

    /// Records what happened to a vacancy, after checking it against the channel the
    /// vacancy is with and the agreement's fallbacks.
    pub fn resolve_vacancy(
        &mut self,
        vacancy: i64,
        outcome: &Outcome,
        correction: Option<&Correction>,
        actor: &str,
    ) -> Result<VacancyView, StoreError> {
        let department = self
            .conn
            .query_opt(
                "SELECT department_id FROM vacancy_entry WHERE id = $1 AND kind = 'register'",
                &[Value::Int(vacancy)],
            )?
            .ok_or_else(|| StoreError::NotFound(format!("no vacancy {vacancy}")))?
            .text(0)?;
        let now = Utc::now();
        let mut agreements = std::mem::take(&mut self.agreements);
        let result = self.conn.transaction(|c| {
            c.lock(&format!("trappe-vacancy:{department}"))?;
            if let Some(k) = correction {
                let view = vacancy_view(c, vacancy, &mut agreements, None)?;
                match view.outcomes.last() {
                    Some(last) if last.id == k.entry => {}
                    Some(last) => {
                        return Err(rule(format!(
                            "entry {} is not the last outcome of vacancy {vacancy} (that is entry {}, {} on {}); only the last outcome can be corrected",
                            k.entry, last.id, last.action, last.on_date
                        )))
                    }
                    None => return Err(rule(format!("vacancy {vacancy} has no outcome to correct"))),
                }
                if k.note.trim().is_empty() {
                    return Err(rule("a correction needs a note saying what was wrong"));
                }
            }
            let view = vacancy_view(c, vacancy, &mut agreements, correction.map(|k| k.entry))?;
            check_outcome(c, &view, outcome, &mut agreements)?;
            let seq = next_seq(c, &department)?;
            let channel = match outcome {
                Outcome::Let { channel, .. } => Some(channel.as_str()),
                _ => None,
            };
            let mut detail = serde_json::to_value(outcome).map_err(json_err)?;
            if let Some(k) = correction {
                detail["correction_note"] = k.note.clone().into();
            }
            c.execute(
                "INSERT INTO vacancy_entry (department_id, seq, kind, vacancy_id, corrects, home_id, on_date, action, channel, wheel_key, position, slot, consumes_slot, credit, at, actor, detail) VALUES ($1, $2, 'outcome', $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, 0, 0, $9, $10, $11)",
                &[
                    department.clone().into(),
                    Value::Int(seq),
                    Value::Int(vacancy),
                    correction.map(|k| k.entry).into(),
                    view.home_id.clone().into(),
                    outcome.date().into(),
                    outcome.action().as_str().into(),
                    channel.into(),
                    now.into(),
                    actor.into(),
                    detail.to_string().into(),
                ],
            )?;
            vacancy_view(c, vacancy, &mut agreements, None)
        });
        self.agreements = agreements;
        result
    }

    /// The placement a decision follows and the agreement in force for it.
    fn decision_basis(
        &mut self,
        department: &str,
        decision: &Decision,
    ) -> Result<(Option<PlacementOn>, Option<Arc<Agreement>>), StoreError> {
        let (sha, placement) = {
            // An approval names a year; the department's step is checked on the day it
            // was decided.
            let on = match decision {
                Decision::ExemptionApproved { decided_on, .. } => *decided_on,
                other => other.date(),
            };
            let p = placement_on(&mut self.conn, department, on)?;
            (p.as_ref().map(|p| p.agreement_sha256.clone()), p)
        };
        let agreement = sha.map(|s| self.agreement(&s)).transpose()?;
        Ok((placement, agreement))
    }

    /// The decision's year or date outside the period of the agreement in force for
    /// it, if any (`record_decision` refuses it; a front-end may ask first, to say so in
    /// the user's language).
    pub fn decision_outside_period(
        &mut self,
        department: &str,
        decision: &Decision,
    ) -> Result<Option<OutsidePeriod>, StoreError> {
        let (_, agreement) = self.decision_basis(department, decision)?;
        Ok(agreement.and_then(|a| decision.outside(&a.period)))
    }

    /// Records a letting decision for a department. A year or date outside the period
    /// of the agreement in force is refused (nothing is recorded).
    pub fn record_decision(
        &mut self,
        department: &str,
        decision: &Decision,
        actor: &str,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let (placement, agreement) = self.decision_basis(department, decision)?;
        // A share is decided for the step the department is on.
        let filled;
        let decision = match (decision, &placement) {
            (
                Decision::Share {
                    from,
                    percent,
                    decided_by,
                    decided_on,
                    ..
                },
                Some(p),
            ) => {
                filled = Decision::Share {
                    from: *from,
                    percent: *percent,
                    step: Some((p.staircase, p.step.clone())),
                    decided_by: decided_by.clone(),
                    decided_on: *decided_on,
                };
                &filled
            }
            _ => decision,
        };
        self.conn.transaction(|c| {
            dept_info(c, department)?;
            check_decision(department, decision, placement.as_ref(), agreement.as_deref())?;
            c.lock(&format!("trappe-vacancy:{department}"))?;
            let seq = next_seq(c, department)?;
            let id = c
                .query_opt(
                    "INSERT INTO vacancy_entry (department_id, seq, kind, vacancy_id, home_id, on_date, action, channel, wheel_key, position, slot, consumes_slot, credit, at, actor, detail) VALUES ($1, $2, 'decision', NULL, NULL, $3, $4, NULL, NULL, NULL, NULL, 0, 0, $5, $6, $7) RETURNING id",
                    &[
                        department.into(),
                        Value::Int(seq),
                        decision.date().into(),
                        decision.action().as_str().into(),
                        now.into(),
                        actor.into(),
                        serde_json::to_string(decision).map_err(json_err)?.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
                .int(0)?;
            Ok(id)
        })
    }

    /// One vacancy with its outcomes and deadlines.
    pub fn vacancy(&mut self, vacancy: i64) -> Result<VacancyView, StoreError> {
        let mut agreements = std::mem::take(&mut self.agreements);
        let v = vacancy_view(&mut self.conn, vacancy, &mut agreements, None);
        self.agreements = agreements;
        v
    }

    /// Vacancies, newest first: all of a department's, or the open ones (not let, not
    /// withdrawn, not "not re-let") everywhere or in one department, each with where it
    /// stands now.
    pub fn vacancies(
        &mut self,
        department: Option<&str>,
        open_only: bool,
    ) -> Result<Vec<VacancyView>, StoreError> {
        let open = if open_only {
            format!(" AND r.channel IS NOT NULL AND NOT EXISTS (SELECT 1 FROM vacancy_entry o WHERE o.vacancy_id = r.id AND o.action IN ('let', 'withdrawn') AND {LIVE})")
        } else {
            String::new()
        };
        let rows = match department {
            Some(d) => self.conn.query(
                &format!("SELECT r.id FROM vacancy_entry r WHERE r.kind = 'register' AND r.department_id = $1{open} ORDER BY r.id DESC"),
                &[d.into()],
            )?,
            None => self.conn.query(
                &format!("SELECT r.id FROM vacancy_entry r WHERE r.kind = 'register'{open} ORDER BY r.id DESC"),
                &[],
            )?,
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.int(0)).collect::<Result<_, _>>()?;
        let mut agreements = std::mem::take(&mut self.agreements);
        let views = ids
            .into_iter()
            .map(|id| vacancy_view(&mut self.conn, id, &mut agreements, None))
            .collect();
        self.agreements = agreements;
        views
    }

    /// The ledger of one department, oldest first.
    pub fn ledger(&mut self, department: &str) -> Result<Vec<LedgerEntry>, StoreError> {
        dept_info(&mut self.conn, department)?;
        self.conn
            .query(
                "SELECT id, seq, kind, action, on_date, channel, at, actor, detail, corrects FROM vacancy_entry WHERE department_id = $1 ORDER BY seq",
                &[department.into()],
            )?
            .iter()
            .map(ledger_entry)
            .collect()
    }

    /// The homes of a department.
    pub fn homes(&mut self, department: &str) -> Result<Vec<Home>, StoreError> {
        dept_info(&mut self.conn, department)?;
        self.conn
            .query(
                &format!(
                    "SELECT {HOME_SELECT} FROM home WHERE department_id = $1 ORDER BY home_id"
                ),
                &[department.into()],
            )?
            .iter()
            .map(home_from_row)
            .collect()
    }
}

fn year_bounds(year: i32) -> Result<(Date, Date), StoreError> {
    match (
        Date::from_ymd_opt(year, 1, 1),
        Date::from_ymd_opt(year, 12, 31),
    ) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(rule(format!("{year} is not a year"))),
    }
}

fn ledger_entry(r: &crate::Row) -> Result<LedgerEntry, StoreError> {
    Ok(LedgerEntry {
        id: r.int(0)?,
        seq: r.int(1)?,
        kind: r.code(2)?,
        action: r.code(3)?,
        on_date: r.date(4)?,
        channel: r.opt_code(5)?,
        at: r.time(6)?,
        actor: r.text(7)?,
        detail: serde_json::from_str(&r.text(8)?).map_err(json_err)?,
        corrects: r.opt_int(9)?,
    })
}

fn next_seq(c: &mut Conn, department: &str) -> Result<i64, StoreError> {
    Ok(c.query_opt(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM vacancy_entry WHERE department_id = $1",
        &[department.into()],
    )?
    .map(|r| r.int(0))
    .transpose()?
    .unwrap_or(1))
}
