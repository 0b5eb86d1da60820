//! What the state's lists and the municipality's decisions say of an area over time:
//! the transition after a development plan [CPH 6.1.6] and its recorded completion. Both
//! the applicants' context and the letting wheel ask here (neither asks the other).

use trappe_rules::applicant;
use trappe_rules::Date;

use crate::db::Conn;
use crate::live::SNAPSHOT_LIVE;
use crate::StoreError;

/// An area's lists (date, designation, convictions share), oldest first, when it is in
/// the transition of [CPH 6.1.6] on a date: once omdannelse, off the udsat lists fewer
/// than the rule's lists, and its development plan not recorded as completed (a decision
/// `development_plan_completed` decided on or before the date, in the decisions in force).
pub(crate) fn transition_lists(
    c: &mut Conn,
    area: &str,
    on: Date,
    rule: &applicant::DevelopmentPlanRule,
) -> Result<Option<Vec<crate::Row>>, StoreError> {
    let rows = c.query(
        &format!("SELECT s.reference_date, a.designation, a.convictions_pct FROM snapshot s LEFT JOIN area_figures a ON a.snapshot_id = s.id AND a.area_id = $1 WHERE s.kind = 'areas' AND s.reference_date <= $2 AND s.municipality IN (SELECT d.municipality FROM department d WHERE d.area_id = $1) AND {SNAPSHOT_LIVE} ORDER BY s.reference_date"),
        &[area.into(), on.into()],
    )?;
    let designations: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.opt_text(1))
        .collect::<Result<_, _>>()?;
    let refs: Vec<Option<&str>> = designations.iter().map(|d| d.as_deref()).collect();
    if !applicant::in_development_plan_transition(rule, &refs) {
        return Ok(None);
    }
    // "… eller til udviklingsplanen er gennemført": the municipality's recorded completion
    // ends it.
    Ok((!plan_completed(c, area, on)?).then_some(rows))
}

/// Whether the municipality has recorded an area's development plan as completed on or
/// before a date: a decision `development_plan_completed` in the newest decisions file of
/// the area's municipality on or before it (each decisions file replaces the one before).
pub(crate) fn plan_completed(c: &mut Conn, area: &str, on: Date) -> Result<bool, StoreError> {
    Ok(c
        .query_opt(
            &format!("SELECT 1 FROM area_decision x WHERE x.area_id = $1 AND x.ground = 'development_plan_completed' AND x.decided_on <= $2 AND x.snapshot_id = (SELECT s.id FROM snapshot s WHERE s.kind = 'decisions' AND s.reference_date <= $2 AND s.municipality IN (SELECT d.municipality FROM department d WHERE d.area_id = $1) AND {SNAPSHOT_LIVE} ORDER BY s.reference_date DESC LIMIT 1)"),
            &[area.into(), on.into()],
        )?
        .is_some())
}

/// Whether the agreement suspends municipal allocation for a department on a date because
/// its area is in the transition of [CPH 6.1.6]; the passage, if it does.
pub(crate) fn allocation_suspended_by(
    c: &mut Conn,
    department: &str,
    on: Date,
    agreement: &trappe_rules::Agreement,
) -> Result<Option<String>, StoreError> {
    let Some(rule) = agreement
        .applicants
        .as_ref()
        .and_then(|a| a.development_plan_areas.as_ref())
    else {
        return Ok(None);
    };
    let area = c
        .query_opt(
            "SELECT area_id FROM department WHERE id = $1",
            &[department.into()],
        )?
        .map(|r| r.opt_text(0))
        .transpose()?
        .flatten();
    let Some(area) = area else {
        return Ok(None);
    };
    Ok(transition_lists(c, &area, on, rule)?.map(|_| rule.lists.source.clone()))
}
