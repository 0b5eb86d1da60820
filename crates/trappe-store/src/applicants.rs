//! Applicant decisions: ranking runs, allocation-limit checks and their retention.
//!
//! Privacy: what is stored is what a decision needs: per applicant the outcome of each
//! criterion with its reason codes and the kinds of document seen (and when), and the
//! place in the ranking; never the household file, a conviction's law or date, or an
//! income. Everything here is deleted after the retention period by
//! [`Store::purge_applicant_data`].

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use trappe_rules::agreement::{Channel, Staircase};
use trappe_rules::applicant::{self, AreaStatus, LimitsOutcome, Ranked, Requirement};
use trappe_rules::criteria::Criterion;
use trappe_rules::{Agreement, Date};

use crate::db::{Conn, Value};
use crate::letting::placement_on;
use crate::live::RUN_LIVE;
use crate::live::SNAPSHOT_LIVE;
use crate::{Store, StoreError};

/// The retention period when none is configured.
pub const DEFAULT_RETENTION_DAYS: i64 = 365;
const RETENTION_KEY: &str = "applicant_retention_days";

/// What a ranking or a check is made for: a department's placement on a date, and for a
/// stored vacancy its channel and criteria set.
#[derive(Debug, Clone)]
pub struct LettingContext {
    pub vacancy: Option<i64>,
    pub department: String,
    pub area: Option<String>,
    pub home: Option<String>,
    pub on: Date,
    pub staircase: Staircase,
    pub step: String,
    /// On area step 1: the tightened criteria on which the area is challenged.
    pub tightened: Vec<Criterion>,
    pub channel: Option<Channel>,
    pub criteria: Option<String>,
    pub accessibility_home: bool,
    pub agreement: Arc<Agreement>,
    pub agreement_sha256: String,
    /// The department's area is a former omdannelse area in the transition of
    /// [CPH 6.1.6].
    pub development_plan: Option<DevelopmentPlanState>,
}

/// A former omdannelse area in the transition of [CPH 6.1.6]: municipal allocation is
/// suspended, and applicants meet the convictions criterion while the area's share of
/// convicted residents is above the forebyggelse threshold.
#[derive(Debug, Clone, Serialize)]
pub struct DevelopmentPlanState {
    pub area_id: String,
    pub convictions_pct: Option<trappe_rules::Pct>,
    pub forebyggelse_threshold: Option<trappe_rules::Pct>,
    pub convictions_criterion: bool,
    pub source: String,
    pub suspension_source: String,
}

impl LettingContext {
    /// The tightened criteria every applicant must meet here whatever the slot
    /// [CPH 6.1.6], with the source.
    pub fn always_tightened(&self) -> (Vec<Criterion>, String) {
        match &self.development_plan {
            Some(d) if d.convictions_criterion => (vec![Criterion::Convictions], d.source.clone()),
            _ => (Vec::new(), String::new()),
        }
    }

    /// The criteria sets the wheel of the department's step uses for flexible letting
    /// (on area step 1 "tightened:relevant", never plain A), else the step's sets.
    pub fn wheel_criteria_sets(&self) -> Vec<String> {
        let mut sets: Vec<String> = Vec::new();
        if let Some(w) = self
            .agreement
            .wheel_rule(self.staircase, &self.step, self.on)
        {
            let slots = w.slots.iter().flat_map(|s| s.alternate.iter());
            let choices = slots
                .map(|c| (c.channel, &c.criteria))
                // A share decided per department has no slots until it is decided: its
                // shares name the sets.
                .chain(w.shares.iter().map(|s| (s.channel, &s.criteria)));
            for (channel, criteria) in choices {
                if let (Channel::Flexible, Some(k)) = (channel, criteria) {
                    if !sets.contains(k) {
                        sets.push(k.clone());
                    }
                }
            }
        }
        if sets.is_empty() {
            sets = self.step_criteria_sets();
        }
        sets
    }

    /// The criteria sets the department's step allows, in the agreement's order.
    pub fn step_criteria_sets(&self) -> Vec<String> {
        self.agreement
            .step_rule(self.staircase, &self.step, self.on)
            .map(|r| r.criteria_sets.clone())
            .unwrap_or_default()
    }

    /// The criteria set a flexible letting uses when no slot says otherwise: that of the
    /// wheel's first flexible slot (on area step 1 "tightened:relevant", which is A
    /// where the area is challenged on nothing), else the step's first set.
    pub fn default_criteria(&self) -> Option<String> {
        self.agreement
            .wheel_rule(self.staircase, &self.step, self.on)
            .and_then(|w| {
                w.slots
                    .iter()
                    .flat_map(|s| s.alternate.iter())
                    .find(|c| c.channel == Channel::Flexible)
                    .and_then(|c| c.criteria.clone())
                    .or_else(|| {
                        w.shares
                            .iter()
                            .find(|s| s.channel == Channel::Flexible)
                            .and_then(|s| s.criteria.clone())
                    })
            })
            .or_else(|| self.step_criteria_sets().into_iter().next())
    }

    /// The step rule's source, cited by a requirement.
    pub fn step_source(&self) -> String {
        self.agreement
            .step_rule(self.staircase, &self.step, self.on)
            .map(|r| r.source.clone())
            .unwrap_or_default()
    }
}

/// A stored ranking run.
#[derive(Debug, Clone, Serialize)]
pub struct RankingRun {
    pub id: i64,
    pub vacancy: Option<i64>,
    pub department_id: String,
    pub on: Date,
    pub channel: Channel,
    pub criteria: Option<String>,
    pub staircase: Staircase,
    pub step: String,
    pub requirement: Requirement,
    pub agreement_sha256: String,
    pub inputs_sha256: String,
    pub applicants: i64,
    pub program_version: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub ranking: Vec<Ranked>,
}

/// One line of the list of ranking runs.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub vacancy: Option<i64>,
    pub department_id: String,
    pub on: Date,
    pub applicants: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// A stored allocation-limit check.
#[derive(Debug, Clone, Serialize)]
pub struct AllocationCheck {
    pub id: i64,
    pub vacancy: Option<i64>,
    pub department_id: String,
    pub area_id: Option<String>,
    pub on: Date,
    pub citizen_ref: String,
    pub outcome: LimitsOutcome,
    /// Why the agreement suspends allocation here, when it does.
    pub suspended: Option<String>,
    pub exception: bool,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// What a purge deleted.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Purged {
    pub before: DateTime<Utc>,
    pub retention_days: i64,
    pub ranking_runs: u64,
    pub ranking_entries: u64,
    pub allocation_checks: u64,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// The tightened criteria of a department's stored placement on area step 1.
fn placement_detail(
    c: &mut Conn,
    department: &str,
    on: Date,
) -> Result<Vec<Criterion>, StoreError> {
    let row = c.query_opt(
        &format!("SELECT p.detail FROM (SELECT r.id FROM placement_run r WHERE r.on_date <= $1 AND r.municipality = (SELECT d.municipality FROM department d WHERE d.id = $2) AND {RUN_LIVE} ORDER BY r.on_date DESC, r.id DESC LIMIT 1) q JOIN placement p ON p.run_id = q.id AND p.department_id = $2"),
        &[on.into(), department.into()],
    )?;
    let Some(row) = row else {
        return Ok(Vec::new());
    };
    let detail: serde_json::Value =
        serde_json::from_str(&row.text(0)?).map_err(|e| corrupt("placement detail", e))?;
    match detail.get("tightened_criteria") {
        Some(v) if !v.is_null() => {
            serde_json::from_value(v.clone()).map_err(|e| corrupt("tightened_criteria", e))
        }
        _ => Ok(Vec::new()),
    }
}

impl Store {
    /// The department's placement on a date, for a check or a ranking without a stored
    /// vacancy.
    pub fn department_context(
        &mut self,
        department: &str,
        on: Date,
    ) -> Result<LettingContext, StoreError> {
        let area = self
            .conn
            .query_opt(
                "SELECT area_id FROM department WHERE id = $1",
                &[department.into()],
            )?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "unknown department {department}: it is in no imported departments file"
                ))
            })?
            .opt_text(0)?;
        let p = placement_on(&mut self.conn, department, on)?.ok_or_else(|| {
            StoreError::Invalid(format!(
                "department {department} has no placement in force on {on}: import key figures for a date on or before it"
            ))
        })?;
        let agreement = self.agreement(&p.agreement_sha256)?;
        let tightened = placement_detail(&mut self.conn, department, on)?;
        let development_plan = match (
            &area,
            agreement
                .applicants
                .as_ref()
                .and_then(|a| a.development_plan_areas.as_ref()),
        ) {
            (Some(area), Some(rule)) => {
                self.development_plan_state(area, on, rule, &p.agreement_sha256)?
            }
            _ => None,
        };
        Ok(LettingContext {
            development_plan,
            vacancy: None,
            department: department.to_string(),
            area,
            home: None,
            on,
            staircase: p.staircase,
            step: p.step,
            tightened,
            channel: None,
            criteria: None,
            accessibility_home: false,
            agreement,
            agreement_sha256: p.agreement_sha256,
        })
    }

    /// Whether an area is in the transition of [CPH 6.1.6] on a date, and whether its
    /// share of convicted residents is above the forebyggelse threshold then.
    fn development_plan_state(
        &mut self,
        area: &str,
        on: Date,
        rule: &applicant::DevelopmentPlanRule,
        agreement_sha256: &str,
    ) -> Result<Option<DevelopmentPlanState>, StoreError> {
        let Some(rows) = crate::areas::transition_lists(&mut self.conn, area, on, rule)? else {
            return Ok(None);
        };
        let convictions_pct = rows.last().map(|r| r.opt_dec(2)).transpose()?.flatten();
        let law = crate::import::load_stored_agreement(&mut self.conn, agreement_sha256)?.law;
        let threshold = law
            .select(on)
            .map(|s| s.thresholds.forebyggelse.convictions.value);
        let above = matches!((convictions_pct, threshold), (Some(v), Some(t)) if v > t);
        Ok(Some(DevelopmentPlanState {
            area_id: area.to_string(),
            convictions_pct,
            forebyggelse_threshold: threshold,
            convictions_criterion: rule.convictions_criterion.value && above,
            source: rule.convictions_criterion.source.clone(),
            suspension_source: rule.lists.source.clone(),
        }))
    }

    /// The housing area of a department (`None` when it lies in none).
    pub fn department_area(&mut self, department: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_opt(
                "SELECT area_id FROM department WHERE id = $1",
                &[department.into()],
            )?
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "unknown department {department}: it is in no imported departments file"
                ))
            })?
            .opt_text(0)
    }

    /// A stored vacancy's context: the channel it is with now (after fallbacks), its
    /// criteria set, and the department's placement on `on` (the takeover date).
    pub fn vacancy_context(
        &mut self,
        vacancy: i64,
        on: Option<Date>,
    ) -> Result<LettingContext, StoreError> {
        let view = self.vacancy(vacancy)?;
        let on = on.unwrap_or(view.vacated);
        if on < view.vacated {
            return Err(StoreError::Invalid(format!(
                "takeover date {on} is before vacancy {vacancy} became vacant ({})",
                view.vacated
            )));
        }
        let mut ctx = self.department_context(&view.department_id, on)?;
        let assignment: applicant_assignment::Assignment = serde_json::from_value(
            view.registration
                .get("assignment")
                .cloned()
                .unwrap_or_default(),
        )
        .map_err(|e| corrupt("vacancy assignment", e))?;
        let registered = assignment.channel;
        let now = view.current_channel;
        if view.resolved {
            return Err(StoreError::Invalid(format!(
                "vacancy {vacancy} is resolved (let or withdrawn): nothing to rank"
            )));
        }
        let channel = now.or(registered).ok_or_else(|| {
            StoreError::Invalid(format!(
                "vacancy {vacancy} is not re-let: nobody is ranked for it"
            ))
        })?;
        // A home that went to a fallback channel is let with the step's first criteria
        // set [CPH B4 III: "ellers udlejes efter fleksible A-kriterier"].
        ctx.criteria = if Some(channel) == registered {
            assignment.criteria
        } else if channel == Channel::Flexible {
            ctx.default_criteria()
        } else {
            None
        };
        ctx.channel = Some(channel);
        ctx.vacancy = Some(vacancy);
        ctx.home = Some(view.home_id.clone());
        ctx.accessibility_home = assignment.accessibility_home;
        Ok(ctx)
    }

    /// Stores a ranking run with its inputs' hash and result; returns its id.
    pub fn store_ranking(
        &mut self,
        ctx: &LettingContext,
        requirement: &Requirement,
        inputs_sha256: &str,
        ranking: &[Ranked],
        actor: &str,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let channel = ctx.channel.map_or("flexible", |c| c.as_str());
        self.conn.transaction(|c| {
            let id = c
                .query_opt(
                    "INSERT INTO ranking_run (vacancy_id, department_id, on_date, channel, criteria, staircase, step, requirement, agreement_sha256, inputs_sha256, applicants, program_version, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                    &[
                        ctx.vacancy.into(),
                        ctx.department.as_str().into(),
                        ctx.on.into(),
                        channel.into(),
                        requirement.criteria_set.clone().into(),
                        ctx.staircase.as_str().into(),
                        ctx.step.as_str().into(),
                        serde_json::to_string(requirement).map_err(|e| corrupt("requirement", e))?.into(),
                        ctx.agreement_sha256.as_str().into(),
                        inputs_sha256.into(),
                        Value::Int(ranking.len() as i64),
                        env!("CARGO_PKG_VERSION").into(),
                        now.into(),
                        actor.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
                .int(0)?;
            let rows: Vec<Vec<Value>> = ranking
                .iter()
                .map(|r| {
                    Ok(vec![
                        Value::Int(id),
                        Value::Int(i64::from(r.position)),
                        r.applicant.as_str().into(),
                        r.seniority.into(),
                        tier_str(r.tier).into(),
                        Value::Int(i64::from(r.meets)),
                        serde_json::to_string(r).map_err(|e| corrupt("ranking entry", e))?.into(),
                    ])
                })
                .collect::<Result<_, StoreError>>()?;
            c.insert_many(
                "ranking_entry",
                &["run_id", "position", "applicant_id", "seniority", "tier", "meets", "detail"],
                &rows,
            )?;
            Store::audit(
                c,
                actor,
                "rank_applicants",
                &format!("ranking {id}"),
                &serde_json::json!({
                    "vacancy": ctx.vacancy,
                    "department": ctx.department,
                    "applicants": ranking.len(),
                    "inputs_sha256": inputs_sha256,
                }),
            )?;
            Ok(id)
        })
    }

    /// A stored ranking run with every applicant's place.
    pub fn ranking(&mut self, run: i64) -> Result<RankingRun, StoreError> {
        let row = self
            .conn
            .query_opt(
                "SELECT id, vacancy_id, department_id, on_date, channel, criteria, staircase, step, requirement, agreement_sha256, inputs_sha256, applicants, program_version, created_at, created_by FROM ranking_run WHERE id = $1",
                &[Value::Int(run)],
            )?
            .ok_or_else(|| StoreError::NotFound(format!("no ranking run {run} (it may have been deleted after the retention period)")))?;
        let entries = self.conn.query(
            "SELECT detail FROM ranking_entry WHERE run_id = $1 ORDER BY position",
            &[Value::Int(run)],
        )?;
        let ranking = entries
            .iter()
            .map(|r| {
                serde_json::from_str::<Ranked>(&r.text(0)?).map_err(|e| corrupt("ranking entry", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RankingRun {
            id: row.int(0)?,
            vacancy: row.opt_int(1)?,
            department_id: row.text(2)?,
            on: row.date(3)?,
            channel: row.code(4)?,
            criteria: row.opt_text(5)?,
            staircase: row.code(6)?,
            step: row.text(7)?,
            requirement: serde_json::from_str(&row.text(8)?)
                .map_err(|e| corrupt("requirement", e))?,
            agreement_sha256: row.text(9)?,
            inputs_sha256: row.text(10)?,
            applicants: row.int(11)?,
            program_version: row.text(12)?,
            created_at: row.time(13)?,
            created_by: row.text(14)?,
            ranking,
        })
    }

    /// The ranking runs, newest first: of one vacancy, or all.
    pub fn ranking_runs(&mut self, vacancy: Option<i64>) -> Result<Vec<RunSummary>, StoreError> {
        let rows = match vacancy {
            Some(v) => self.conn.query(
                "SELECT id, vacancy_id, department_id, on_date, applicants, created_at, created_by FROM ranking_run WHERE vacancy_id = $1 ORDER BY id DESC",
                &[Value::Int(v)],
            )?,
            None => self.conn.query(
                "SELECT id, vacancy_id, department_id, on_date, applicants, created_at, created_by FROM ranking_run ORDER BY id DESC",
                &[],
            )?,
        };
        rows.iter()
            .map(|r| {
                Ok(RunSummary {
                    id: r.int(0)?,
                    vacancy: r.opt_int(1)?,
                    department_id: r.text(2)?,
                    on: r.date(3)?,
                    applicants: r.int(4)?,
                    created_at: r.time(5)?,
                    created_by: r.text(6)?,
                })
            })
            .collect()
    }

    /// How the law's limits on municipal allocation apply to a department's area on a
    /// date [CPH B5]: the designation on the list in force, or a former
    /// omdannelsesområde still under the limits.
    pub fn area_status(
        &mut self,
        department: &str,
        on: Date,
    ) -> Result<(Option<String>, AreaStatus), StoreError> {
        let ctx = self.department_context(department, on)?;
        let Some(area) = ctx.area.clone() else {
            return Ok((None, AreaStatus::NotDesignated));
        };
        let limits = ctx
            .agreement
            .applicants
            .as_ref()
            .and_then(|a| a.limits.as_ref())
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "agreement {} has no [applicants.allocation_limits]: no allocation limits to check",
                    ctx.agreement.id
                ))
            })?;
        // Every list of the area's municipality on or before the date, oldest first, with
        // the area's designation.
        let rows = self.conn.query(
            &format!("SELECT s.reference_date, a.designation FROM snapshot s LEFT JOIN area_figures a ON a.snapshot_id = s.id AND a.area_id = $1 WHERE s.kind = 'areas' AND s.reference_date <= $2 AND s.municipality IN (SELECT d.municipality FROM department d WHERE d.area_id = $1) AND {SNAPSHOT_LIVE} ORDER BY s.reference_date"),
            &[area.as_str().into(), on.into()],
        )?;
        let designations: Vec<Option<String>> = rows
            .iter()
            .map(|r| r.opt_text(1))
            .collect::<Result<_, _>>()?;
        let status = match designations.last().cloned().flatten().as_deref() {
            Some("udsat" | "parallelsamfund" | "omdannelse") => AreaStatus::Udsat,
            current => {
                let last_omdannelse = designations
                    .iter()
                    .rposition(|d| d.as_deref() == Some("omdannelse"));
                let since = last_omdannelse.map_or(0, |i| (designations.len() - 1 - i) as u32);
                let completed = crate::areas::plan_completed(&mut self.conn, &area, on)?;
                if applicant::former_omdannelse_applies(
                    limits,
                    since,
                    last_omdannelse.is_some(),
                    completed,
                    on,
                ) {
                    AreaStatus::FormerOmdannelse
                } else if current == Some("forebyggelse") {
                    AreaStatus::Forebyggelse
                } else {
                    AreaStatus::NotDesignated
                }
            }
        };
        Ok((Some(area), status))
    }

    /// Records an allocation-limit check, with the municipality's exception when it
    /// allocates anyway (a note is then required).
    #[allow(clippy::too_many_arguments)]
    pub fn record_allocation_check(
        &mut self,
        ctx: &LettingContext,
        citizen_ref: &str,
        outcome: &LimitsOutcome,
        suspended: Option<&str>,
        exception: Option<&str>,
        actor: &str,
    ) -> Result<i64, StoreError> {
        if let Some(note) = exception {
            if note.trim().is_empty() {
                return Err(StoreError::Invalid(
                    "an exception needs a note saying why no home outside the area could be found"
                        .into(),
                ));
            }
        }
        let now = Utc::now();
        let area_status =
            serde_json::to_value(outcome.area).map_err(|e| corrupt("area status", e))?;
        self.conn.transaction(|c| {
            let id = c
                .query_opt(
                    "INSERT INTO allocation_check (vacancy_id, department_id, area_id, on_date, citizen_ref, area_status, allowed, checked, hits, suspended, exception, note, agreement_sha256, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
                    &[
                        ctx.vacancy.into(),
                        ctx.department.as_str().into(),
                        ctx.area.clone().into(),
                        ctx.on.into(),
                        citizen_ref.into(),
                        area_status.as_str().unwrap_or_default().into(),
                        Value::Int(i64::from(outcome.allowed)),
                        serde_json::to_string(&outcome.checked).map_err(|e| corrupt("checked", e))?.into(),
                        serde_json::to_string(&outcome.hits).map_err(|e| corrupt("hits", e))?.into(),
                        suspended.map(str::to_string).into(),
                        Value::Int(i64::from(exception.is_some())),
                        exception.map(str::to_string).into(),
                        ctx.agreement_sha256.as_str().into(),
                        now.into(),
                        actor.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
                .int(0)?;
            Store::audit(
                c,
                actor,
                if exception.is_some() { "allocation_exception" } else { "allocation_check" },
                &format!("allocation check {id}"),
                &serde_json::json!({
                    "vacancy": ctx.vacancy,
                    "department": ctx.department,
                    "allowed": outcome.allowed,
                    "limits_hit": outcome.hits.len(),
                }),
            )?;
            Ok(id)
        })
    }

    /// The allocation checks, newest first (exceptions only, if asked).
    pub fn allocation_checks(
        &mut self,
        exceptions_only: bool,
    ) -> Result<Vec<AllocationCheck>, StoreError> {
        let filter = if exceptions_only {
            " WHERE exception = 1"
        } else {
            ""
        };
        let rows = self.conn.query(
            &format!("SELECT id, vacancy_id, department_id, area_id, on_date, citizen_ref, area_status, allowed, hits, exception, note, created_at, created_by, checked, suspended FROM allocation_check{filter} ORDER BY id DESC"),
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let hits = serde_json::from_str(&r.text(8)?).map_err(|e| corrupt("hits", e))?;
                let area = serde_json::from_value(serde_json::Value::String(r.text(6)?))
                    .map_err(|e| corrupt("area status", e))?;
                let id = r.int(0)?;
                let on = r.date(4)?;
                Ok(AllocationCheck {
                    id,
                    vacancy: r.opt_int(1)?,
                    department_id: r.text(2)?,
                    area_id: r.opt_text(3)?,
                    on,
                    citizen_ref: r.text(5)?,
                    outcome: LimitsOutcome {
                        area,
                        checked: serde_json::from_str(&r.text(13)?)
                            .map_err(|e| corrupt("checked", e))?,
                        hits,
                        allowed: r.int(7)? == 1,
                    },
                    suspended: r.opt_text(14)?,
                    exception: r.int(9)? == 1,
                    note: r.opt_text(10)?,
                    created_at: r.time(11)?,
                    created_by: r.text(12)?,
                })
            })
            .collect()
    }

    /// The configured retention period for applicant data, in days.
    pub fn retention_days(&mut self) -> Result<i64, StoreError> {
        let row = self.conn.query_opt(
            "SELECT value FROM setting WHERE key = $1",
            &[RETENTION_KEY.into()],
        )?;
        match row {
            Some(r) => r.text(0)?.parse().map_err(|e| corrupt(RETENTION_KEY, e)),
            None => Ok(DEFAULT_RETENTION_DAYS),
        }
    }

    /// Sets the retention period for applicant data.
    pub fn set_retention_days(&mut self, days: i64, actor: &str) -> Result<(), StoreError> {
        if days < 1 {
            return Err(StoreError::Invalid(format!(
                "retention of {days} days: at least 1 day"
            )));
        }
        self.conn.transaction(|c| {
            c.execute(
                "DELETE FROM setting WHERE key = $1",
                &[RETENTION_KEY.into()],
            )?;
            c.execute(
                "INSERT INTO setting (key, value) VALUES ($1, $2)",
                &[RETENTION_KEY.into(), days.to_string().into()],
            )?;
            Store::audit(
                c,
                actor,
                "set_retention",
                RETENTION_KEY,
                &serde_json::json!({ "days": days }),
            )
        })
    }

    /// Deletes ranking runs and allocation checks made before `now` minus the
    /// retention period, in one transaction; `dry_run` counts without deleting.
    pub fn purge_applicant_data(
        &mut self,
        now: DateTime<Utc>,
        dry_run: bool,
        actor: &str,
    ) -> Result<Purged, StoreError> {
        let days = self.retention_days()?;
        let before = now - Duration::days(days);
        self.conn.transaction(|c| {
            let count = |c: &mut Conn, sql: &str| -> Result<u64, StoreError> {
                Ok(c.query_opt(sql, &[before.into()])?.map(|r| r.int(0)).transpose()?.unwrap_or(0) as u64)
            };
            let purged = Purged {
                before,
                retention_days: days,
                ranking_runs: count(c, "SELECT COUNT(*) FROM ranking_run WHERE created_at < $1")?,
                ranking_entries: count(c, "SELECT COUNT(*) FROM ranking_entry WHERE run_id IN (SELECT id FROM ranking_run WHERE created_at < $1)")?,
                allocation_checks: count(c, "SELECT COUNT(*) FROM allocation_check WHERE created_at < $1")?,
            };
            if !dry_run {
                c.execute("DELETE FROM ranking_entry WHERE run_id IN (SELECT id FROM ranking_run WHERE created_at < $1)", &[before.into()])?;
                c.execute("DELETE FROM ranking_run WHERE created_at < $1", &[before.into()])?;
                c.execute("DELETE FROM allocation_check WHERE created_at < $1", &[before.into()])?;
                Store::audit(c, actor, "purge_applicant_data", "applicant data", &serde_json::to_value(&purged).unwrap_or_default())?;
            }
            Ok(purged)
        })
    }
}

fn tier_str(t: applicant::Tier) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The part of a registration's assignment a ranking needs.
mod applicant_assignment {
    use serde::Deserialize;
    use trappe_rules::agreement::Channel;

    #[derive(Deserialize)]
    pub struct Assignment {
        pub channel: Option<Channel>,
        #[serde(default)]
        pub criteria: Option<String>,
        #[serde(default)]
        pub accessibility_home: bool,
    }
}
