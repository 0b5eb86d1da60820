//! Checking the staircase tables: the area staircase, the department staircase's bands
//! and step table, and the traffic light.

use std::ops::Range;

use toml::Spanned;

use trappe_rules::agreement::{
    AllocatedBand, AreaStaircase, DepartmentStaircase, Need, Sourced, Staircase, StepCell,
    ThresholdLevel, TrafficLight,
};
use trappe_rules::{Designation, Pct};

use super::{sourced, Checker, Note};
use crate::agreement_file::raw::{RawAreaStairs, RawDeptStairs, RawTraffic};

pub(super) fn check_area_stairs(
    ck: &mut Checker<'_>,
    raw: Spanned<RawAreaStairs>,
    used: &mut Vec<(Staircase, String, Range<usize>)>,
    note: &mut Note<'_>,
) -> Option<AreaStaircase> {
    let a = raw.into_inner();
    let mut steps = Vec::new();
    for s in &a.steps {
        let r = s.get_ref();
        match r.designation.parse::<Designation>() {
            Ok(Designation::None) => ck.problem(
                s.span(),
                "designation \"none\" on the area staircase",
                "forebyggelse, udsat, parallelsamfund or omdannelse",
            ),
            Ok(d) => {
                if steps.iter().any(|(x, _)| *x == d) {
                    ck.problem(
                        s.span(),
                        format!("designation {d} is given a step twice"),
                        "one step per designation",
                    );
                } else {
                    steps.push((d, r.step.clone()));
                    used.push((Staircase::Area, r.step.clone(), s.span()));
                }
            }
            Err(e) => ck.problem(
                s.span(),
                format!("designation {:?}", r.designation),
                e.to_string(),
            ),
        }
    }
    note(
        "area_staircase.decision_residents_above",
        &a.decision_residents_above.source,
        &a.decision_residents_above.interpretation,
    );
    Some(AreaStaircase {
        steps,
        source: a.source,
        decision_residents_above: sourced(a.decision_residents_above, |n| n),
    })
}

pub(super) fn check_dept_stairs(
    ck: &mut Checker<'_>,
    raw: Spanned<RawDeptStairs>,
    used: &mut Vec<(Staircase, String, Range<usize>)>,
    note: &mut Note<'_>,
) -> Option<DepartmentStaircase> {
    let span = raw.span();
    let d = raw.into_inner();
    let mut bands: Vec<(AllocatedBand, Range<usize>)> = Vec::new();
    for b in &d.bands {
        let r = b.get_ref();
        let from = r.from_pct.0;
        let to = r.to_pct.map(|t| t.0);
        if from < Pct::ZERO
            || from > Pct::from(100)
            || to.is_some_and(|t| t <= from || t > Pct::from(100))
        {
            ck.problem(
                b.span(),
                format!(
                    "band {} [{from}, {}) is not a range within 0–100",
                    r.id,
                    to.map_or("∞".into(), |t| t.to_string())
                ),
                "0 ≤ from_pct < to_pct ≤ 100",
            );
            continue;
        }
        if bands.iter().any(|(x, _)| x.id == r.id) {
            ck.problem(
                b.span(),
                format!("band id {} is used twice", r.id),
                "unique band ids",
            );
            continue;
        }
        note(
            &format!("department_staircase.band.{}", r.id),
            &r.source,
            &r.interpretation,
        );
        bands.push((
            AllocatedBand {
                id: r.id.clone(),
                from_pct: from,
                to_pct: to,
                source: r.source.clone(),
                interpretation: r.interpretation.clone(),
            },
            b.span(),
        ));
    }
    bands.sort_by_key(|a| a.0.from_pct);
    // The bands must cover 0 % and upwards without gaps or overlaps.
    let mut expected_from = Pct::ZERO;
    let mut open_end = false;
    for (b, bspan) in &bands {
        if open_end {
            ck.problem(
                bspan.clone(),
                format!("band {} starts after a band with no upper end", b.id),
                "only the highest band may omit to_pct",
            );
        }
        if b.from_pct < expected_from {
            ck.problem(
                bspan.clone(),
                format!(
                    "band {} starts at {} %, overlapping the band below (which ends at {} %)",
                    b.id, b.from_pct, expected_from
                ),
                "bands that do not overlap",
            );
        } else if b.from_pct > expected_from {
            ck.problem(
                bspan.clone(),
                format!(
                    "band {} starts at {} %, leaving {}–{} % in no band",
                    b.id, b.from_pct, expected_from, b.from_pct
                ),
                "bands without gaps, the lowest starting at 0",
            );
        }
        match b.to_pct {
            Some(t) => expected_from = t,
            None => open_end = true,
        }
    }
    if !open_end && !bands.is_empty() && expected_from < Pct::from(100) {
        ck.problem(
            span.clone(),
            format!("the bands end at {expected_from} %"),
            "the highest band without to_pct (or ending at 100)",
        );
    }
    let mut table = Vec::new();
    for row in &d.table {
        let r = row.get_ref();
        if !bands.iter().any(|(b, _)| b.id == r.band) {
            ck.problem(
                row.span(),
                format!("table row for unknown band {:?}", r.band),
                "a band id from department_staircase.bands",
            );
            continue;
        }
        if table.iter().any(|c: &StepCell| c.band == r.band) {
            ck.problem(
                row.span(),
                format!("band {} has two rows in the step table", r.band),
                "one row per band",
            );
            continue;
        }
        for (need, step) in [
            (Need::High, &r.high),
            (Need::Medium, &r.medium),
            (Need::Low, &r.low),
        ] {
            table.push(StepCell {
                band: r.band.clone(),
                need,
                step: step.clone(),
            });
            used.push((Staircase::Department, step.clone(), row.span()));
        }
    }
    for (b, bspan) in &bands {
        if !table.iter().any(|c| c.band == b.id) {
            ck.problem(
                bspan.clone(),
                format!("band {} has no row in the step table", b.id),
                "a table row for every band",
            );
        }
    }
    note(
        "department_staircase.high_min_udsat_criteria",
        &d.high_min_udsat_criteria.source,
        &d.high_min_udsat_criteria.interpretation,
    );
    Some(DepartmentStaircase {
        high_min_udsat_criteria: sourced(d.high_min_udsat_criteria, |n| n),
        medium_min_risk_zone_criteria: sourced(d.medium_min_risk_zone_criteria, |n| n),
        bands: bands.into_iter().map(|(b, _)| b).collect(),
        table,
        table_source: d.table_source,
    })
}

pub(super) fn check_traffic(
    ck: &mut Checker<'_>,
    raw: Spanned<RawTraffic>,
    note: &mut Note<'_>,
) -> Option<TrafficLight> {
    let t = raw.into_inner();
    let red_span = t.red_designations.span();
    let red = t.red_designations.into_inner();
    let mut designations = Vec::new();
    for name in &red.value {
        match name.parse::<Designation>() {
            Ok(Designation::None) | Err(_) => ck.problem(
                red_span.clone(),
                format!("red designation {name:?}"),
                "forebyggelse, udsat, parallelsamfund or omdannelse",
            ),
            Ok(d) => designations.push(d),
        }
    }
    let level_span = t.yellow_level.span();
    let level_raw = t.yellow_level.into_inner();
    let level = match level_raw.value.as_str() {
        "forebyggelse" => Some(ThresholdLevel::Forebyggelse),
        "risk_zone" => Some(ThresholdLevel::RiskZone),
        "udsat" => Some(ThresholdLevel::Udsat),
        other => {
            ck.problem(
                level_span,
                format!("yellow_level = {other:?}"),
                "\"forebyggelse\", \"risk_zone\" or \"udsat\"",
            );
            None
        }
    };
    if t.yellow_min_criteria.value > 4 {
        ck.problem(
            red_span,
            format!(
                "yellow_min_criteria = {} exceeds the 4 criteria",
                t.yellow_min_criteria.value
            ),
            "a number from 0 to 4",
        );
    }
    note(
        "traffic_light.red_designations",
        &red.source,
        &red.interpretation,
    );
    note(
        "traffic_light.yellow_level",
        &level_raw.source,
        &level_raw.interpretation,
    );
    note(
        "traffic_light.yellow_min_criteria",
        &t.yellow_min_criteria.source,
        &t.yellow_min_criteria.interpretation,
    );
    Some(TrafficLight {
        red_designations: Sourced {
            value: designations,
            source: red.source,
            interpretation: red.interpretation,
        },
        yellow_level: Sourced {
            value: level?,
            source: level_raw.source,
            interpretation: level_raw.interpretation,
        },
        yellow_min_criteria: sourced(t.yellow_min_criteria, |n| n),
    })
}

#[cfg(test)]
mod tests {
    use crate::agreement_file::test_util::{cph, problems};

    #[test]
    fn overlapping_bands_are_an_error_with_a_line() {
        let text = cph().replace(
            "{ id = \"20_to_25\", from_pct = 20.0",
            "{ id = \"20_to_25\", from_pct = 19.0",
        );
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains("overlapping the band below")),
            "{p:?}"
        );
        assert!(p[0].starts_with("x.toml:"), "{p:?}");
    }

    #[test]
    fn a_gap_between_bands_is_an_error() {
        let text = cph().replace("to_pct = 20.0", "to_pct = 19.0");
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains("leaving 19–20 % in no band")),
            "{p:?}"
        );
    }
}
