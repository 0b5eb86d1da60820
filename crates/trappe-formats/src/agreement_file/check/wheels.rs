//! Checking `[[wheel]]` tables and the slots of every wheel.

use std::ops::Range;

use toml::Spanned;

use trappe_rules::agreement::{Channel, Period, Slot, SlotChoice, WheelRule};

use super::{parse_channel, parse_staircase, Checker};
use crate::agreement_file::raw::{RawSlot, RawWheel};

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
            "\"area\", \"department\" or \"traffic-light\"",
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
    if r.slots.is_empty() {
        ck.problem(span.clone(), "a wheel with no slots", "at least one slot");
    }
    let slots = check_slots(ck, &r.slots);
    Some(WheelRule {
        staircase: staircase?,
        step: r.step.clone(),
        period: period?,
        slots,
        source: r.source.clone(),
        interpretation: r.interpretation.clone(),
    })
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
