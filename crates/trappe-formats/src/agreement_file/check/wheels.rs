//! Checking `[[wheel]]` tables and the slots of every wheel.

use std::ops::Range;

use toml::Spanned;

use trappe_rules::agreement::{share_slots, Channel, Period, Share, Slot, SlotChoice, WheelRule};
use trappe_rules::Pct;

use super::{parse_channel, parse_staircase, Checker};
use crate::agreement_file::raw::{RawShare, RawSlot, RawWheel};

pub(super) fn check_wheel(
    ck: &mut Checker<'_>,
    span: Range<usize>,
    r: &RawWheel,
    agreement: Option<Period>,
) -> Option<WheelRule> {
    let staircase = parse_staircase(&r.staircase);
    if staircase.is_none() {
        ck.problem(
            span.clone(),
            format!("staircase = {:?}", r.staircase),
            "\"area\", \"department\", \"traffic-light\" or \"list\"",
        );
    }
    let period = ck.period(span.clone(), &r.valid_from, r.valid_to.as_ref());
    if let (Some(p), Some(a)) = (period, agreement) {
        if !a.contains(p.from) || p.to.is_some_and(|t| !a.contains(t)) {
            ck.problem(
                span.clone(),
                "wheel period reaches outside the agreement's period",
                "a period within the agreement's valid_from–valid_to",
            );
        }
    }
    if r.shares.as_ref().is_some_and(Vec::is_empty) {
        ck.problem(
            span.clone(),
            "shares = []",
            "at least one share { channel, percent, source }",
        );
    }
    let ways = [!r.slots.is_empty(), r.shares.is_some(), r.pending.is_some()];
    if ways.iter().filter(|w| **w).count() != 1 {
        ck.problem(
            span.clone(),
            "a wheel needs exactly one of slots, shares or pending",
            "slots = [...] (a wheel), shares = [{ channel, percent, source }, …] or pending = { value, source } (a share the parties have not recorded)",
        );
    }
    let mut slots = check_slots(ck, &r.slots);
    let shares = r
        .shares
        .as_ref()
        .map(|s| check_shares(ck, span.clone(), s))
        .unwrap_or_default();
    // Fixed shares give their rotation now; a share decided per department gives it
    // when the department's share is recorded.
    if !shares.is_empty() && shares.iter().all(|s| s.range.is_none()) {
        let percents: Vec<Pct> = shares.iter().map(|s| s.percent).collect();
        slots = share_slots(&shares, &percents);
    }
    Some(WheelRule {
        staircase: staircase?,
        step: r.step.clone(),
        period: period?,
        slots,
        shares,
        pending: r
            .pending
            .as_ref()
            .map(|p| trappe_rules::agreement::Sourced {
                value: p.value.clone(),
                source: p.source.clone(),
                interpretation: p.interpretation.clone(),
            }),
        source: r.source.clone(),
        interpretation: r.interpretation.clone(),
    })
}

/// Checks shares: known channels, positive percentages that add up to 100, a criteria
/// set for flexible letting (and only for it).
fn check_shares(ck: &mut Checker<'_>, span: Range<usize>, raw: &[Spanned<RawShare>]) -> Vec<Share> {
    let mut out = Vec::new();
    let percentage = |ck: &mut Checker<'_>, s: &Spanned<RawShare>, key: &str, p: Pct| {
        if p.normalize().scale() > 2 {
            ck.problem(
                s.span(),
                format!("{key} = {p}"),
                "a percentage with at most two decimals",
            );
        }
        if p <= Pct::ZERO || p > Pct::from(100) {
            ck.problem(
                s.span(),
                format!("{key} = {p}"),
                "a share above 0 and at most 100",
            );
        }
    };
    for s in raw {
        let r = s.get_ref();
        let Some(channel) = parse_channel(&r.channel) else {
            ck.problem(
                s.span(),
                format!("channel = {:?}", r.channel),
                "waiting_list, flexible, municipal_allocation or urban_renewal",
            );
            continue;
        };
        let rest = r.rest.unwrap_or(false);
        let ways = [r.percent.is_some(), r.percent_range.is_some(), rest];
        if ways.iter().filter(|w| **w).count() != 1 {
            ck.problem(
                s.span(),
                "a share needs exactly one of percent, percent_range or rest = true",
                "percent = N, percent_range = { from = N, to = N } (decided per department) or rest = true (what the others leave)",
            );
        }
        if let Some(p) = &r.percent {
            percentage(ck, s, "percent", p.0);
        }
        let range = r.percent_range.as_ref().map(|g| {
            percentage(ck, s, "percent_range.from", g.from.0);
            percentage(ck, s, "percent_range.to", g.to.0);
            if g.to.0 < g.from.0 {
                ck.problem(
                    s.span(),
                    format!("percent_range {}–{}", g.from.0, g.to.0),
                    "from ≤ to",
                );
            }
            (g.from.0, g.to.0)
        });
        if (channel == Channel::Flexible) != r.criteria.is_some() {
            ck.problem(
                s.span(),
                format!(
                    "a {} share {} criteria",
                    r.channel,
                    if r.criteria.is_some() {
                        "with"
                    } else {
                        "without"
                    }
                ),
                "criteria = \"…\" (a set) on flexible shares, and only on them",
            );
        }
        out.push(Share {
            channel,
            criteria: r.criteria.clone(),
            percent: r.percent.map_or(Pct::ZERO, |p| p.0),
            range,
            rest,
            source: r.source.clone(),
            interpretation: r.interpretation.clone(),
        });
    }
    let ranged = out.iter().filter(|s| s.range.is_some()).count();
    let rests = out.iter().filter(|s| s.rest).count();
    let fixed: Pct = out.iter().map(|s| s.percent).sum();
    if ranged > 1 || rests != ranged {
        ck.problem(
            span.clone(),
            format!("{ranged} shares decided per department and {rests} rest shares"),
            "at most one percent_range share, and then exactly one rest = true share",
        );
    } else if let Some((_, to)) = out.iter().find_map(|s| s.range) {
        if fixed + to > Pct::from(100) {
            ck.problem(
                span,
                format!("the fixed shares ({fixed} %) and the range's top ({to} %) exceed 100 %"),
                "shares that leave the rest at least 0 %",
            );
        }
    } else if !out.is_empty() && fixed != Pct::from(100) {
        ck.problem(
            span,
            format!("the shares add up to {fixed} %"),
            "shares that add up to 100 % (write the rest's channel as a share of its own)",
        );
    }
    out
}

/// Checks the slots of a wheel: each is one channel, alternating choices or the
/// organisation's choice, with known channels and criteria for flexible slots.
pub(super) fn check_slots(ck: &mut Checker<'_>, raw_slots: &[Spanned<RawSlot>]) -> Vec<Slot> {
    let mut slots = Vec::new();
    for s in raw_slots {
        let raw = s.get_ref();
        let choice = |ck: &mut Checker<'_>,
                      channel: &str,
                      criteria: &Option<String>,
                      extra: bool|
         -> Option<SlotChoice> {
            let Some(ch) = parse_channel(channel) else {
                ck.problem(
                    s.span(),
                    format!("channel {channel:?}"),
                    "waiting_list, flexible, municipal_allocation or urban_renewal",
                );
                return None;
            };
            if ch == Channel::Flexible && criteria.is_none() {
                ck.problem(
                    s.span(),
                    "a flexible slot without criteria",
                    "criteria = \"A\" (or another criteria set)",
                );
            }
            Some(SlotChoice {
                channel: ch,
                criteria: criteria.clone(),
                extra,
            })
        };
        let kinds = [
            raw.channel.is_some(),
            raw.alternate.is_some(),
            raw.choose.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if kinds != 1 {
            ck.problem(
                s.span(),
                format!("a slot with {kinds} of channel/alternate/choose"),
                "exactly one of channel, alternate or choose",
            );
            continue;
        }
        let (choices, organisation_chooses) = if let Some(ch) = &raw.channel {
            (vec![choice(ck, ch, &raw.criteria, raw.extra)], false)
        } else {
            let list = raw
                .alternate
                .as_ref()
                .or(raw.choose.as_ref())
                .map_or(&[][..], |v| v.as_slice());
            if list.len() < 2 {
                ck.problem(
                    s.span(),
                    "alternate/choose with fewer than two choices",
                    "two or more choices",
                );
            }
            (
                list.iter()
                    .map(|c| choice(ck, &c.channel, &c.criteria, c.extra))
                    .collect(),
                raw.choose.is_some(),
            )
        };
        let mut fallback = Vec::new();
        for f in &raw.fallback {
            match parse_channel(f) {
                Some(ch) => fallback.push(ch),
                None => ck.problem(
                    s.span(),
                    format!("fallback channel {f:?}"),
                    "waiting_list, flexible, municipal_allocation or urban_renewal",
                ),
            }
        }
        let choices: Option<Vec<SlotChoice>> = choices.into_iter().collect();
        // A fallback is where a home goes when the municipality does not use it: on a
        // slot that never goes to the municipality it would never be used.
        if let Some(cs) = &choices {
            let municipal = cs.iter().any(|c| {
                matches!(
                    c.channel,
                    Channel::MunicipalAllocation | Channel::UrbanRenewal
                )
            });
            if !raw.fallback.is_empty() && !municipal {
                ck.problem(
                    s.span(),
                    "a fallback on a slot that never goes to the municipality (it would never be used)",
                    "fallback only on a municipal_allocation or urban_renewal slot; a flexible home nobody meeting the criteria takes is recorded as let from the waiting list with no qualified applicant",
                );
            }
        }
        if let Some(alternate) = choices {
            slots.push(Slot {
                alternate,
                organisation_chooses,
                fallback,
            });
        }
    }
    slots
}
