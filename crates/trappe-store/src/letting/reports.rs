//! The letting reports of bilag 15, read from the ledger: lettings by channel, realised
//! allocation against "every nth vacancy", homes offered to the municipal allocation.

use std::collections::BTreeMap;

use trappe_rules::wheel;
use trappe_rules::Date;

use super::*;
use crate::{Store, StoreError};

impl Store {
    /// Lettings by channel (move-in dates in `from`–`to`), per department or per
    /// organisation [CPH 18, B15 2 "Ventelisteudlejning"].
    pub fn lettings_report(
        &mut self,
        from: Date,
        to: Date,
        by_organisation: bool,
    ) -> Result<Vec<LettingsRow>, StoreError> {
        let rows = self.conn.query(
            &format!("SELECT o.department_id, d.organisation_id, d.name, o.channel FROM vacancy_entry o LEFT JOIN department d ON d.id = o.department_id WHERE o.kind = 'outcome' AND o.action = 'let' AND o.on_date >= $1 AND o.on_date <= $2 AND {LIVE}"),
            &[from.into(), to.into()],
        )?;
        let mut out: BTreeMap<String, LettingsRow> = BTreeMap::new();
        for r in &rows {
            let (key, name) = group_key(r, by_organisation)?;
            let row = out.entry(key.clone()).or_insert_with(|| LettingsRow {
                key,
                name,
                ..Default::default()
            });
            let channel: LetChannel = r.code(3)?;
            *row.by_channel
                .entry(channel.as_str().to_string())
                .or_default() += 1;
            row.total += 1;
        }
        Ok(out.into_values().collect())
    }

    /// Per department on the exemption's steps, for a calendar year: whether realised
    /// allocation exceeded every nth vacancy [CPH B15 2].
    pub fn every_nth_vacancy_report(
        &mut self,
        year: i32,
    ) -> Result<EveryNthVacancyReport, StoreError> {
        // Each municipality's agreement says which steps its exemption covers; the
        // report holds the departments of those with one.
        let mut exemptions = BTreeMap::new();
        for m in crate::import::municipalities(&mut self.conn)? {
            let sha = crate::import::agreement_of(&mut self.conn, &m)?
                .map(|a| a.sha256)
                .ok_or_else(|| rule("no agreement is stored yet"))?;
            let agreement = self.agreement(&sha)?;
            if let Some(ex) = agreement.letting.as_ref().and_then(|l| l.exemption.clone()) {
                exemptions.insert(m, ex);
            }
        }
        let Some(first) = exemptions.values().next().cloned() else {
            let names = crate::import::municipalities(&mut self.conn)?;
            if names.is_empty() {
                return Err(rule("no agreement is stored yet"));
            }
            return Err(rule(format!(
                "the agreement in use has no exemption rule (municipalities {})",
                names.join(", ")
            )));
        };
        let (from, to) = year_bounds(year)?;
        let rows = self.conn.query(
            &format!("SELECT r.department_id, r.detail FROM vacancy_entry r WHERE r.kind = 'register' AND r.on_date >= $1 AND r.on_date <= $2 AND {NOT_WITHDRAWN} ORDER BY r.department_id, r.seq"),
            &[from.into(), to.into()],
        )?;
        let mut steps: BTreeMap<String, String> = BTreeMap::new();
        for r in &rows {
            let detail: serde_json::Value = serde_json::from_str(&r.text(1)?).map_err(json_err)?;
            if detail["staircase"] == "department" {
                if let Some(step) = detail["step"].as_str() {
                    steps.insert(r.text(0)?, step.to_string());
                }
            }
        }
        let mut out = Vec::new();
        for (dept, step) in steps {
            let Some(m) = self.municipality_of(&dept)? else {
                continue;
            };
            let Some(ex) = exemptions.get(&m) else {
                continue;
            };
            if !ex.steps.contains(&step) {
                continue;
            }
            let (vacancies, realised) = year_counts(&mut self.conn, &dept, from, to)?;
            let approved = decisions(&mut self.conn, &dept)?.iter().any(
                |d| matches!(d, Decision::ExemptionApproved { year: y, .. } if *y == year + 1),
            );
            out.push(EveryNthVacancyRow {
                department_id: dept,
                step,
                vacancies,
                realised_allocations: realised,
                exceeded: wheel::exceeds_every_nth(vacancies, realised, ex.every_nth_vacancy.value),
                approved_for_next_year: approved,
            });
        }
        Ok(EveryNthVacancyReport {
            nth: first.every_nth_vacancy.value,
            source: first.every_nth_vacancy.source.clone(),
            rows: out,
        })
    }

    /// Homes offered to (registered with the allocation as channel), used by (let to
    /// allocated citizens) and returned by the municipality, per department or
    /// organisation, for vacancies dated in `from`–`to`.
    pub fn allocation_report(
        &mut self,
        from: Date,
        to: Date,
        by_organisation: bool,
    ) -> Result<Vec<AllocationRow>, StoreError> {
        let rows = self.conn.query(
            &format!("SELECT r.department_id, d.organisation_id, d.name, \
             (SELECT COUNT(*) FROM vacancy_entry o WHERE o.vacancy_id = r.id AND o.action = 'let' AND o.channel = 'municipal_allocation' AND {LIVE}), \
             (SELECT COUNT(*) FROM vacancy_entry o WHERE o.vacancy_id = r.id AND o.action IN ('returned', 'not_used') AND {LIVE}), \
             (SELECT COUNT(*) FROM vacancy_entry o WHERE o.vacancy_id = r.id AND o.action IN ('let', 'withdrawn') AND {LIVE}) \
             FROM vacancy_entry r LEFT JOIN department d ON d.id = r.department_id \
             WHERE r.kind = 'register' AND r.channel = 'municipal_allocation' AND r.on_date >= $1 AND r.on_date <= $2 AND {NOT_WITHDRAWN}"),
            &[from.into(), to.into()],
        )?;
        let mut out: BTreeMap<String, AllocationRow> = BTreeMap::new();
        for r in &rows {
            let (key, name) = group_key(r, by_organisation)?;
            let row = out.entry(key.clone()).or_insert_with(|| AllocationRow {
                key,
                name,
                ..Default::default()
            });
            row.offered += 1;
            row.used += u32::from(r.int(3)? > 0);
            row.returned += u32::from(r.int(4)? > 0);
            row.open += u32::from(r.int(5)? == 0);
        }
        Ok(out.into_values().collect())
    }
}

/// The key and name a report row groups by: columns 0–2 are department id,
/// organisation id and department name.
fn group_key(r: &crate::Row, by_organisation: bool) -> Result<(String, String), StoreError> {
    Ok(if by_organisation {
        let org = r.opt_text(1)?.unwrap_or_default();
        (org.clone(), org)
    } else {
        (r.text(0)?, r.opt_text(2)?.unwrap_or_default())
    })
}
