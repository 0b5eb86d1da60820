//! Checking `[letting]`: deadlines and the special homes' rules around the wheel.

use std::ops::Range;

use toml::Spanned;

use trappe_rules::agreement::{Period, Sourced, Staircase};
use trappe_rules::deadlines::DeadlineRules;
use trappe_rules::wheel::{
    AccessibilityRule, DisabilityFittedRule, ExemptionRule, LettingRules, NewBuildBand,
    NewBuildRule, PhaseOutRule, PhaseOutStart, RefugeeSharedRule, SafeguardRule, SubsidyRule,
    YouthRule,
};
use trappe_rules::Pct;

use super::wheels::check_slots;
use super::{parse_channel, parse_staircase, Checker, Note};
use crate::agreement_file::raw::{
    RawDeadlines, RawDisability, RawExemption, RawLetting, RawNewBuild, RawPhaseOut, RawSafeguard,
    RawSourced, RawYouth,
};

/// Checks `[letting]`: deadlines and the special homes' rules.
pub(super) fn check_letting(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawLetting>,
    agreement: Option<Period>,
    note: &mut Note<'_>,
) -> Option<LettingRules> {
    let span = raw.span();
    let l = raw.get_ref();
    let deadlines = check_deadlines(ck, &l.deadlines, note);
    let disability_fitted = match &l.disability_fitted {
        Some(r) => Some(check_disability_fitted(ck, r, note)?),
        None => None,
    };
    let accessibility = l.accessibility.as_ref().map(|r| AccessibilityRule {
        max_share_pct: Sourced {
            value: r.max_share_pct.value.0,
            source: r.max_share_pct.source.clone(),
            interpretation: r.max_share_pct.interpretation.clone(),
        },
    });
    let safeguard = match &l.safeguard {
        Some(r) => Some(check_safeguard(ck, r, note)?),
        None => None,
    };
    let exemption = l.exemption.as_ref().map(|r| exemption_rule(r, note));
    let youth = l.youth.as_ref().map(|r| check_youth(ck, r, note));
    let new_build = match &l.new_build {
        Some(r) => Some(check_new_build(ck, r, note)?),
        None => None,
    };
    let phase_out = l.phase_out.as_ref().map(|r| check_phase_out(ck, r, note));
    let refugee_shared = match &l.refugee_shared {
        Some(r) => {
            let g = r.get_ref();
            Some(RefugeeSharedRule {
                staircase: staircase_of(ck, r.span(), &g.staircase)?,
                step: g.step.clone(),
                places_per_year: src(&g.places_per_year),
            })
        }
        None => None,
    };
    let subsidy = l.subsidy.as_ref().map(|r| SubsidyRule {
        years: src(&r.years),
    });
    if agreement.is_none() {
        ck.problem(
            span,
            "[letting] in an agreement without a valid period",
            "valid_from/valid_to in [agreement]",
        );
    }
    Some(LettingRules {
        source: l.source.clone(),
        deadlines,
        disability_fitted,
        accessibility,
        safeguard,
        exemption,
        youth,
        new_build,
        phase_out,
        refugee_shared,
        subsidy,
    })
}

/// Checks `[letting.deadlines]`.
fn check_deadlines(
    ck: &mut Checker<'_>,
    raw: &Spanned<RawDeadlines>,
    note: &mut Note<'_>,
) -> DeadlineRules {
    let d = raw.get_ref();
    let mut holidays = Vec::new();
    for h in &d.holidays {
        if let Some(date) = ck.date(h.span(), h.get_ref(), "holidays") {
            holidays.push(date);
        }
    }
    if !d.holidays.is_empty() && d.holidays_source.is_none() {
        ck.problem(
            raw.span(),
            "holidays without holidays_source",
            "holidays_source = \"…\" naming where the dates come from",
        );
    }
    for (key, r) in [
        ("municipality_months", &d.municipality_months),
        ("short_notice_minus_days", &d.short_notice_minus_days),
        ("organisation_min_days", &d.organisation_min_days),
        ("free_return_weekdays", &d.free_return_weekdays),
        (
            "max_rent_months_after_return",
            &d.max_rent_months_after_return,
        ),
    ] {
        note(
            &format!("letting.deadlines.{key}"),
            &r.source,
            &r.interpretation,
        );
    }
    if let Some(bad) = d
        .on_time_days
        .value
        .iter()
        .find(|&&day| !(1..=28).contains(&day))
    {
        ck.problem(
            raw.span(),
            format!("on_time_days holds {bad}"),
            "days of the month from 1 to 28 (a day every month has)",
        );
    }
    if let Some(n) = &d.on_time_next_weekday {
        note(
            "letting.deadlines.on_time_next_weekday",
            &n.source,
            &n.interpretation,
        );
    }
    DeadlineRules {
        on_time_next_weekday: d.on_time_next_weekday.as_ref().map_or_else(
            || Sourced {
                value: false,
                source: String::new(),
                interpretation: None,
            },
            |n| Sourced {
                value: n.value,
                source: n.source.clone(),
                interpretation: n.interpretation.clone(),
            },
        ),
        municipality_months: src(&d.municipality_months),
        short_notice_minus_days: src(&d.short_notice_minus_days),
        on_time_days: Sourced {
            value: d.on_time_days.value.clone(),
            source: d.on_time_days.source.clone(),
            interpretation: d.on_time_days.interpretation.clone(),
        },
        organisation_min_days: src(&d.organisation_min_days),
        free_return_weekdays: src(&d.free_return_weekdays),
        max_rent_months_after_return: src(&d.max_rent_months_after_return),
        holidays,
    }
}

/// Checks `[letting.disability_fitted]` [CPH 8.4].
fn check_disability_fitted(
    ck: &mut Checker<'_>,
    r: &RawDisability,
    note: &mut Note<'_>,
) -> Option<DisabilityFittedRule> {
    let fa = r.fitted_after.get_ref();
    let date = ck.date(r.fitted_after.span(), &fa.value, "fitted_after")?;
    note(
        "letting.disability_fitted.min_cost_kr",
        &r.min_cost_kr.source,
        &r.min_cost_kr.interpretation,
    );
    note(
        "letting.disability_fitted.fitted_after",
        &fa.source,
        &fa.interpretation,
    );
    Some(DisabilityFittedRule {
        min_cost_kr: Sourced {
            value: r.min_cost_kr.value.0,
            source: r.min_cost_kr.source.clone(),
            interpretation: r.min_cost_kr.interpretation.clone(),
        },
        fitted_after: Sourced {
            value: date,
            source: fa.source.clone(),
            interpretation: fa.interpretation.clone(),
        },
    })
}

/// Checks `[letting.safeguard]` [CPH 6.2.1].
fn check_safeguard(
    ck: &mut Checker<'_>,
    r: &Spanned<RawSafeguard>,
    note: &mut Note<'_>,
) -> Option<SafeguardRule> {
    let g = r.get_ref();
    let channel = parse_channel(&g.channel);
    if channel.is_none() {
        ck.problem(
            r.span(),
            format!("channel {:?}", g.channel),
            "waiting_list, flexible, municipal_allocation or urban_renewal",
        );
    }
    note(
        "letting.safeguard.nth_allocation",
        &g.nth_allocation.source,
        &g.nth_allocation.interpretation,
    );
    Some(SafeguardRule {
        staircase: staircase_of(ck, r.span(), &g.staircase)?,
        step: g.step.clone(),
        nth_allocation: src(&g.nth_allocation),
        channel: channel?,
        source: g.source.clone(),
    })
}

/// Checks `[letting.exemption]`: the exemption from the extra share.
fn exemption_rule(r: &RawExemption, note: &mut Note<'_>) -> ExemptionRule {
    note(
        "letting.exemption.every_nth_vacancy",
        &r.every_nth_vacancy.source,
        &r.every_nth_vacancy.interpretation,
    );
    note(
        "letting.exemption.requires_approval",
        &r.requires_approval.source,
        &r.requires_approval.interpretation,
    );
    ExemptionRule {
        steps: r.steps.clone(),
        every_nth_vacancy: src(&r.every_nth_vacancy),
        requires_approval: Sourced {
            value: r.requires_approval.value,
            source: r.requires_approval.source.clone(),
            interpretation: r.requires_approval.interpretation.clone(),
        },
    }
}

/// Checks `[letting.youth]`: the youth wheel [CPH 7.1].
fn check_youth(ck: &mut Checker<'_>, r: &Spanned<RawYouth>, note: &mut Note<'_>) -> YouthRule {
    let y = r.get_ref();
    note("letting.youth", &y.source, &y.interpretation);
    note(
        "letting.youth.mainly_youth_above_pct",
        &y.mainly_youth_above_pct.source,
        &y.mainly_youth_above_pct.interpretation,
    );
    YouthRule {
        slots: check_slots(ck, &y.slots),
        source: y.source.clone(),
        interpretation: y.interpretation.clone(),
        one_allocated_per_shared_kitchen: Sourced {
            value: y.one_allocated_per_shared_kitchen.value,
            source: y.one_allocated_per_shared_kitchen.source.clone(),
            interpretation: y.one_allocated_per_shared_kitchen.interpretation.clone(),
        },
        mainly_youth_above_pct: Sourced {
            value: y.mainly_youth_above_pct.value.0,
            source: y.mainly_youth_above_pct.source.clone(),
            interpretation: y.mainly_youth_above_pct.interpretation.clone(),
        },
    }
}

/// Checks `[letting.new_build]`: its period, the cap on allocation, and bands that tile
/// 0 % upward.
fn check_new_build(
    ck: &mut Checker<'_>,
    r: &Spanned<RawNewBuild>,
    note: &mut Note<'_>,
) -> Option<NewBuildRule> {
    let n = r.get_ref();
    let taken = ck.period(r.span(), &n.taken_into_use_from, Some(&n.taken_into_use_to))?;
    let share = match n
        .max_allocation_share
        .value
        .split_once('/')
        .map(|(a, b)| (a.trim().parse::<u32>(), b.trim().parse::<u32>()))
    {
        Some((Ok(a), Ok(b))) if b > 0 && a <= b => (a, b),
        _ => {
            ck.problem(
                r.span(),
                format!("max_allocation_share = {:?}", n.max_allocation_share.value),
                "a fraction such as \"1/3\"",
            );
            return None;
        }
    };
    let mut bands = Vec::new();
    for b in &n.band {
        let raw = b.get_ref();
        note(
            &format!("letting.new_build.band.{}", raw.id),
            &raw.source,
            &raw.interpretation,
        );
        bands.push(NewBuildBand {
            id: raw.id.clone(),
            from_pct: raw.from_pct.0,
            to_pct: raw.to_pct.map(|t| t.0),
            slots: check_slots(ck, &raw.slots),
            source: raw.source.clone(),
            interpretation: raw.interpretation.clone(),
        });
    }
    bands.sort_by_key(|b| b.from_pct);
    let mut cursor = Some(Pct::ZERO);
    for b in &bands {
        if cursor != Some(b.from_pct) {
            ck.problem(r.span(), format!("new-build band {} starts at {} %", b.id, b.from_pct), format!("bands that tile 0 % upward without gaps or overlaps (expected a start at {} %)", cursor.map_or("-".into(), |c| c.to_string())));
        }
        cursor = b.to_pct;
    }
    if cursor.is_some() {
        ck.problem(
            r.span(),
            "the top new-build band has an upper bound",
            "an open top band (no to_pct)",
        );
    }
    note(
        "letting.new_build.first_letting_step",
        &n.first_letting_step.source,
        &n.first_letting_step.interpretation,
    );
    note(
        "letting.new_build.max_allocation_share",
        &n.max_allocation_share.source,
        &n.max_allocation_share.interpretation,
    );
    Some(NewBuildRule {
        taken_into_use: taken,
        source: n.source.clone(),
        years: src(&n.years),
        max_allocation_share: Sourced {
            value: share,
            source: n.max_allocation_share.source.clone(),
            interpretation: n.max_allocation_share.interpretation.clone(),
        },
        bands,
        first_letting_step: Sourced {
            value: n.first_letting_step.value.clone(),
            source: n.first_letting_step.source.clone(),
            interpretation: n.first_letting_step.interpretation.clone(),
        },
    })
}

/// Checks `[letting.phase_out]` [CPH 9].
fn check_phase_out(
    ck: &mut Checker<'_>,
    r: &Spanned<RawPhaseOut>,
    note: &mut Note<'_>,
) -> PhaseOutRule {
    let p = r.get_ref();
    note("letting.phase_out", &p.source, &p.interpretation);
    let mut starts = Vec::new();
    for s in &p.starts {
        let raw = s.get_ref();
        let st = staircase_of(ck, s.span(), &raw.staircase);
        let from = ck.date(s.span(), &raw.from, "from");
        if let (Some(staircase), Some(from)) = (st, from) {
            starts.push(PhaseOutStart {
                staircase,
                step: raw.step.clone(),
                from_pct: raw.from_pct.map(|v| v.0),
                to_pct: raw.to_pct.map(|v| v.0),
                from,
                source: raw.source.clone(),
            });
        }
    }
    PhaseOutRule {
        source: p.source.clone(),
        starts,
        interpretation: p.interpretation.clone(),
    }
}

/// A staircase name, or a problem at `span`.
fn staircase_of(ck: &mut Checker<'_>, span: Range<usize>, s: &str) -> Option<Staircase> {
    let st = parse_staircase(s);
    if st.is_none() {
        ck.problem(
            span,
            format!("staircase = {s:?}"),
            "\"area\", \"department\", \"traffic-light\" or \"list\"",
        );
    }
    st
}

/// A sourced whole number, copied from the file.
fn src(r: &RawSourced<u32>) -> Sourced<u32> {
    Sourced {
        value: r.value,
        source: r.source.clone(),
        interpretation: r.interpretation.clone(),
    }
}

#[cfg(test)]
mod tests {
    use crate::agreement_file::test_util::{cph, problems};

    // [letting]: the new-build bands must tile 0 % upward, the cap must be a fraction,
    // and an unknown channel in a youth slot names its line.
    #[test]
    fn letting_section_problems_name_line_and_expectation() {
        let text = cph()
            .replace("from_pct = 10\nto_pct = 15", "from_pct = 11\nto_pct = 15")
            .replace("value = \"1/3\"", "value = \"a third\"");
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains("a fraction such as \"1/3\"")),
            "{p:?}"
        );
        let text = cph().replace("from_pct = 10\nto_pct = 15", "from_pct = 11\nto_pct = 15");
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|l| l.contains("new-build band 10_to_15 starts at 11 %")),
            "{p:?}"
        );
        let text = cph().replacen(
            "{ channel = \"municipal_allocation\", fallback = [\"waiting_list\"] },",
            "{ channel = \"allocation\", fallback = [\"waiting_list\"] },",
            1,
        );
        let p = problems(&text);
        assert!(
            p.iter().any(|l| l.contains("channel \"allocation\"")),
            "{p:?}"
        );
    }
}
