//! Deadlines at municipal allocation and letting [CPH B14 "Frister ved boligsocial
//! anvisning og udlejning"].
//!
//! When a housing organisation sends a home to the municipality for allocation, four
//! deadlines follow from Copenhagen's agreement, bilag 14:
//!
//! - the municipality has one calendar month from receipt to move-in; homes received on
//!   the 2nd or the 16th count as received in time ("minus en dag");
//! - when a home is sent with a shorter notice, the municipality owes empty-home rent
//!   (tomgangsleje) only after that month;
//! - the organisation has at least 14 days from the allocation of a citizen to the
//!   move-in, and may move the move-in date when the allocation comes later; the
//!   municipality owes the empty-home rent for the period;
//! - the municipality may return a home for free within five weekdays; a later return
//!   can cost up to three months of empty-home rent counted from the return date (the
//!   ordinary notice period), provided the home stood empty.
//!
//! Every number lives in [`DeadlineRules`]; this module holds only the mechanisms.
//! Everything here is a pure function of its arguments: no clock, so a period that has
//! not ended yet stays open ([`RentPeriod::to_exclusive`] is `None`).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::agreement::Sourced;
use crate::Date;

/// The parameters of CPH B14. No number of the source is written in the code.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineRules {
    /// Calendar months from the municipality's receipt of a home to move-in (CPH B14: 1).
    pub municipality_months: Sourced<u32>,
    /// Days subtracted from that month for a home received on one of `on_time_days`
    /// (CPH B14 "minus en dag": 1), so it counts as received the day before.
    pub short_notice_minus_days: Sourced<u32>,
    /// Days of the month on which a home counts as received the day before (CPH B14:
    /// the 2nd and the 16th, for homes given notice on the 1st or 15th).
    pub on_time_days: Sourced<Vec<u32>>,
    /// When one of `on_time_days` is not a weekday (a weekend or a public holiday), the
    /// first weekday after it counts as that day.
    pub on_time_next_weekday: Sourced<bool>,
    /// Least number of days from the allocation of a citizen to move-in that the
    /// organisation is entitled to (CPH B14: 14).
    pub organisation_min_days: Sourced<u32>,
    /// Weekdays after receipt within which the municipality may return a home without
    /// cost (CPH B14: 5).
    pub free_return_weekdays: Sourced<u32>,
    /// Calendar months after a late return for which the municipality may owe
    /// empty-home rent (CPH B14: 3).
    pub max_rent_months_after_return: Sourced<u32>,
    /// Public holidays falling on Monday–Friday that are not weekdays ("hverdage").
    pub holidays: Vec<Date>,
}

/// The municipality's deadline for a home received on `received`: that date plus
/// `municipality_months` calendar months (CPH B14 "én kalendermåned fra modtagelse af
/// lejemål til indflytning"); for a home received on one of `on_time_days` (the 2nd or
/// the 16th), minus `short_notice_minus_days` ("efter den første kalendermåned – minus
/// en dag – dvs. regnet fra den 2. eller 16."), so it counts as received on the 1st or
/// the 15th: received 1 March → 1 April; 2 March → 1 April; 3 March → 3 April. With
/// `on_time_next_weekday`, a home received on the first working day after an on-time day
/// that was not one counts as received on that day ([`on_time_day`]).
///
/// The month is added with chrono's calendar arithmetic, which clamps at the end of a
/// short month: received 31 January 2025 → 28 February. The result saturates at
/// chrono's first/last date.
pub fn municipality_deadline(rules: &DeadlineRules, received: Date) -> Date {
    // A home received on the first weekday after an on-time day that was not one counts
    // as received on that day, where the agreement says so.
    let counted = on_time_day(rules, received);
    let month_later = counted
        .unwrap_or(received)
        .checked_add_months(Months::new(rules.municipality_months.value))
        .unwrap_or(NaiveDate::MAX);
    if counted.is_some() {
        month_later
            .checked_sub_days(Days::new(u64::from(rules.short_notice_minus_days.value)))
            .unwrap_or(NaiveDate::MIN)
    } else {
        month_later
    }
}

/// The on-time day a home received on `received` counts as received on: that day itself
/// when it is one of `on_time_days`; with `on_time_next_weekday`, also the on-time day of
/// the same month that was not a weekday when `received` is the first weekday after it.
pub fn on_time_day(rules: &DeadlineRules, received: Date) -> Option<Date> {
    if rules.on_time_days.value.contains(&received.day()) {
        return Some(received);
    }
    if !rules.on_time_next_weekday.value || !is_weekday(rules, received) {
        return None;
    }
    rules.on_time_days.value.iter().find_map(|&d| {
        let day = received.with_day(d)?;
        (day < received && !is_weekday(rules, day) && add_weekdays(rules, day, 1) == received)
            .then_some(day)
    })
}

/// Whether `date` is a weekday ("hverdag") under CPH B14: Monday–Friday and not one
/// of `rules.holidays`.
pub fn is_weekday(rules: &DeadlineRules, date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !rules.holidays.contains(&date)
}

/// The `n`-th weekday after `from` (CPH B14 "inden for fem hverdage"): `from` itself is
/// not counted, whatever day it is; weekdays are Monday–Friday except `rules.holidays`.
/// `n = 0` gives `from`. Saturates at chrono's last date.
pub fn add_weekdays(rules: &DeadlineRules, from: Date, n: u32) -> Date {
    let mut date = from;
    let mut left = n;
    while left > 0 {
        match date.succ_opt() {
            Some(next) => date = next,
            None => return date,
        }
        if is_weekday(rules, date) {
            left -= 1;
        }
    }
    date
}

/// The facts of one home's vacancy (CPH B14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VacancyDates {
    /// The day the municipality received the home.
    pub received: Date,
    /// The move-in date the organisation offered.
    pub available_from: Date,
    /// The day the municipality named its citizen.
    pub allocated_on: Option<Date>,
    /// The agreed move-in date of the allocated citizen.
    pub move_in: Option<Date>,
    /// The day the municipality gave the home back unused.
    pub returned_on: Option<Date>,
    /// The day the organisation re-let a returned home (move-in of the new tenant);
    /// `None` while it is still empty.
    pub relet_on: Option<Date>,
}

/// Why the municipality owes empty-home rent for a period (CPH B14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RentGround {
    /// The citizen moved in after the date the municipality became liable, including
    /// when the organisation moved the move-in because the allocation came with less
    /// than its minimum notice ("Kommunen hæfter for tomgangslejen i perioden").
    LateMoveIn,
    /// The municipality returned the home after the free weekdays.
    ReturnedLate,
}

/// A period of empty-home rent (tomgangsleje) the municipality owes (CPH B14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RentPeriod {
    /// The first day owed.
    pub from: Date,
    /// The first day no longer owed; `None` while the home is still empty.
    pub to_exclusive: Option<Date>,
    /// The number of days owed; `None` while the period is open.
    pub days: Option<u32>,
    /// The latest `to_exclusive` the period can reach (for a late return: the return
    /// date plus `max_rent_months_after_return`); `None` when there is no cap.
    pub cap: Option<Date>,
    pub ground: RentGround,
}

/// The deadlines of one vacancy and the empty-home rent owed (CPH B14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// The municipality has until this date to move a citizen in: the later of the
    /// organisation's offered date and [`municipality_deadline`].
    pub municipality_move_in_by: Date,
    /// The organisation offered move-in before [`municipality_deadline`] ("indsendes
    /// med kortere frist til indflytning").
    pub short_notice: bool,
    /// The municipality owes empty-home rent for the days the home stands empty from
    /// this date (the same as `municipality_move_in_by`).
    pub rent_liable_from: Date,
    /// The earliest move-in the organisation must accept: the allocation date plus
    /// `organisation_min_days`; `None` while no citizen is allocated. A move-in offered
    /// before it may be moved to it by the organisation.
    pub organisation_earliest_move_in: Option<Date>,
    /// Returning the home on or before this date costs the municipality nothing.
    pub free_return_until: Date,
    /// The periods of empty-home rent owed.
    pub empty_rent: Vec<RentPeriod>,
    /// The days of the closed periods in `empty_rent` (open periods count nothing yet).
    pub empty_rent_days: u32,
}

/// Dates of a vacancy that contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("move-in {move_in} is before the allocation on {allocated_on}")]
    MoveInBeforeAllocation { move_in: Date, allocated_on: Date },
    #[error("move-in {move_in} is before the municipality received the home on {received}")]
    MoveInBeforeReceipt { move_in: Date, received: Date },
    #[error(
        "allocation on {allocated_on} is before the municipality received the home on {received}"
    )]
    AllocatedBeforeReceipt { allocated_on: Date, received: Date },
    #[error("return on {returned_on} is before the municipality received the home on {received}")]
    ReturnedBeforeReceipt { returned_on: Date, received: Date },
    #[error("re-letting on {relet_on} is before the return on {returned_on}")]
    ReletBeforeReturn { relet_on: Date, returned_on: Date },
    #[error("re-letting on {relet_on} is given but the home was never returned (no return date)")]
    ReletWithoutReturn { relet_on: Date },
    #[error("the home has both a move-in on {move_in} and a return on {returned_on}; a home is either moved into or returned")]
    MovedInAndReturned { move_in: Date, returned_on: Date },
}

fn check(d: &VacancyDates) -> Result<(), DeadlineError> {
    if let (Some(move_in), Some(returned_on)) = (d.move_in, d.returned_on) {
        return Err(DeadlineError::MovedInAndReturned {
            move_in,
            returned_on,
        });
    }
    if let Some(allocated_on) = d.allocated_on {
        if allocated_on < d.received {
            return Err(DeadlineError::AllocatedBeforeReceipt {
                allocated_on,
                received: d.received,
            });
        }
    }
    if let Some(move_in) = d.move_in {
        if let Some(allocated_on) = d.allocated_on {
            if move_in < allocated_on {
                return Err(DeadlineError::MoveInBeforeAllocation {
                    move_in,
                    allocated_on,
                });
            }
        }
        if move_in < d.received {
            return Err(DeadlineError::MoveInBeforeReceipt {
                move_in,
                received: d.received,
            });
        }
    }
    if let Some(returned_on) = d.returned_on {
        if returned_on < d.received {
            return Err(DeadlineError::ReturnedBeforeReceipt {
                returned_on,
                received: d.received,
            });
        }
    }
    match (d.relet_on, d.returned_on) {
        (Some(relet_on), None) => Err(DeadlineError::ReletWithoutReturn { relet_on }),
        (Some(relet_on), Some(returned_on)) if relet_on < returned_on => {
            Err(DeadlineError::ReletBeforeReturn {
                relet_on,
                returned_on,
            })
        }
        _ => Ok(()),
    }
}

/// Days from `from` to `to` (exclusive), 0 when `to` is not after `from`.
fn days_between(from: Date, to: Date) -> u32 {
    u32::try_from((to - from).num_days().max(0)).unwrap_or(u32::MAX)
}

/// The deadlines of one vacancy and the empty-home rent the municipality owes
/// (CPH B14).
///
/// - `municipality_move_in_by` = `rent_liable_from` = the later of `available_from` and
///   [`municipality_deadline`]`(received)`; `short_notice` when `available_from` is
///   before that deadline (a move-in offered on the deadline day itself is not short).
/// - `organisation_earliest_move_in` = `allocated_on` + `organisation_min_days` days.
/// - `free_return_until` = [`add_weekdays`]`(received, free_return_weekdays)`.
///
/// Empty-home rent, only from facts that have happened:
///
/// - [`RentGround::LateMoveIn`]: a move-in after `rent_liable_from` costs the days from
///   `rent_liable_from` up to (not including) the move-in day. When the organisation
///   moved the move-in because the allocation came with less than
///   `organisation_min_days` notice, those days are the municipality's too
///   ("Kommunen hæfter for tomgangslejen i perioden"), so the period simply runs to the
///   actual move-in.
/// - [`RentGround::ReturnedLate`]: a return after `free_return_until` costs the days
///   from `rent_liable_from` (nothing is owed before the municipality's own deadline,
///   and the days it held the home past it are owed) up to the earlier of the
///   re-letting and the cap.
///   Interpretation: the cap is the return date plus `max_rent_months_after_return`
///   months, as the source counts the months "fra returneringsdatoen" and likens them to
///   the ordinary notice period, which runs from the notice; a return before
///   `rent_liable_from` therefore owes less than the full months. While the home is not
///   re-let the period is open (`to_exclusive` and `days` are `None`, `cap` says how far
///   it can run); the source's condition that the home stood empty is the caller's
///   `relet_on`.
/// - A return on or before `free_return_until` costs nothing.
/// - A home neither moved into nor returned yet gives no period: only closed facts
///   (a move-in, a return) produce periods, since this crate has no clock.
///
/// Fails when the dates contradict each other (see [`DeadlineError`]).
pub fn deadlines(rules: &DeadlineRules, d: &VacancyDates) -> Result<Deadlines, DeadlineError> {
    check(d)?;
    let deadline = municipality_deadline(rules, d.received);
    let move_in_by = d.available_from.max(deadline);
    let short_notice = d.available_from < deadline;
    let rent_liable_from = move_in_by;
    let organisation_earliest_move_in = d.allocated_on.map(|a| {
        a.checked_add_days(Days::new(u64::from(rules.organisation_min_days.value)))
            .unwrap_or(NaiveDate::MAX)
    });
    let free_return_until = add_weekdays(rules, d.received, rules.free_return_weekdays.value);

    let mut empty_rent = Vec::new();
    if let Some(move_in) = d.move_in {
        if move_in > rent_liable_from {
            empty_rent.push(RentPeriod {
                from: rent_liable_from,
                to_exclusive: Some(move_in),
                days: Some(days_between(rent_liable_from, move_in)),
                cap: None,
                ground: RentGround::LateMoveIn,
            });
        }
    }
    if let Some(returned_on) = d.returned_on {
        if returned_on > free_return_until {
            // The municipality owes nothing before its own deadline (short notice
            // included: "først … efter den første kalendermåned"); from then on it owes
            // the days the home stands empty, the days it held it past the deadline
            // included, until re-let, at most to the cap counted from the return.
            let from = rent_liable_from;
            let cap = returned_on
                .checked_add_months(Months::new(rules.max_rent_months_after_return.value))
                .unwrap_or(NaiveDate::MAX);
            match d.relet_on {
                Some(relet_on) => {
                    let to = relet_on.min(cap);
                    if to > from {
                        empty_rent.push(RentPeriod {
                            from,
                            to_exclusive: Some(to),
                            days: Some(days_between(from, to)),
                            cap: Some(cap),
                            ground: RentGround::ReturnedLate,
                        });
                    }
                }
                None => {
                    if cap > from {
                        empty_rent.push(RentPeriod {
                            from,
                            to_exclusive: None,
                            days: None,
                            cap: Some(cap),
                            ground: RentGround::ReturnedLate,
                        });
                    }
                }
            }
        }
    }
    let empty_rent_days = empty_rent.iter().filter_map(|p| p.days).sum();

    Ok(Deadlines {
        municipality_move_in_by: move_in_by,
        short_notice,
        rent_liable_from,
        organisation_earliest_move_in,
        free_return_until,
        empty_rent,
        empty_rent_days,
    })
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The first day of the month of `date` and the first day of the next month.
fn month_bounds(date: Date) -> (Date, Date) {
    let first = date.with_day(1).unwrap_or(date);
    let next = first
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    (first, next)
}

/// The empty-home rent owed for `periods` at `monthly_rent` (CPH B14 "tomgangsleje"):
/// each day costs `monthly_rent` divided by the number of days of its calendar month.
///
/// The day fractions are summed as an exact fraction and divided once, so the result
/// is exact before it is rounded to øre (2 decimals, half away from zero) at the end.
/// Open periods (not yet re-let) count nothing.
pub fn empty_rent_amount(periods: &[RentPeriod], monthly_rent: Decimal) -> Decimal {
    // Sum of days/days_in_month as numerator/denominator, kept reduced.
    let (mut num, mut den): (u64, u64) = (0, 1);
    for p in periods {
        let Some(end) = p.to_exclusive else { continue };
        let mut cur = p.from;
        while cur < end {
            let (first, next) = month_bounds(cur);
            let seg_end = end.min(next);
            let k = u64::from(days_between(cur, seg_end));
            let dim = u64::from(days_between(first, next));
            let lcm = den / gcd(den, dim) * dim;
            num = num * (lcm / den) + k * (lcm / dim);
            den = lcm;
            let g = gcd(num, den);
            num /= g;
            den /= g;
            cur = seg_end;
        }
    }
    (monthly_rent * Decimal::from(num) / Decimal::from(den))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Date {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn sourced(value: u32) -> Sourced<u32> {
        Sourced {
            value,
            source: "CPH B14".to_string(),
            interpretation: None,
        }
    }

    fn rules() -> DeadlineRules {
        DeadlineRules {
            municipality_months: sourced(1),
            short_notice_minus_days: sourced(1),
            on_time_days: Sourced {
                value: vec![2, 16],
                source: "CPH B14".to_string(),
                interpretation: None,
            },
            // The calendar days alone (the weekday reading has its own test).
            on_time_next_weekday: Sourced {
                value: false,
                source: "CPH B14".to_string(),
                interpretation: None,
            },
            organisation_min_days: sourced(14),
            free_return_weekdays: sourced(5),
            max_rent_months_after_return: sourced(3),
            // Maundy Thursday, Good Friday, Easter Monday and Ascension Day 2025.
            holidays: vec![
                date(2025, 4, 17),
                date(2025, 4, 18),
                date(2025, 4, 21),
                date(2025, 5, 29),
            ],
        }
    }

    fn vacancy(received: Date, available_from: Date) -> VacancyDates {
        VacancyDates {
            received,
            available_from,
            allocated_on: None,
            move_in: None,
            returned_on: None,
            relet_on: None,
        }
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// CPH B14: "Kommunen accepterer boliger, som indkommer den 2. eller den 16. i en
    /// måned, som indkommet i rette tid, så boligorganisationerne kan nå at indsende
    /// lejemål, som er opsagt den 1. eller 15. efter almindelig kontortid" and "dvs.
    /// regnet fra den 2. eller 16. hverdag": the 2nd and 16th are calendar days; when one
    /// is not a working day, the first working day after it is on time too. Both edges:
    /// the day itself, the first working day after a weekend or holiday, and the day after.
    #[test]
    fn an_on_time_day_that_is_no_working_day_moves_to_the_next_working_day() {
        let mut r = rules();
        r.on_time_next_weekday.value = true;
        // (what, received, deadline)
        let cases = [
            // 2 March 2025 is a Sunday: Monday the 3rd counts as the 2nd (as the 1st).
            (
                "the 2nd on a Sunday: received Monday the 3rd",
                date(2025, 3, 3),
                date(2025, 4, 1),
            ),
            (
                "the day after that Monday is late",
                date(2025, 3, 4),
                date(2025, 4, 4),
            ),
            // 16 March 2025 is a Sunday: Monday the 17th counts as the 16th (as the 15th).
            (
                "the 16th on a Sunday: received Monday the 17th",
                date(2025, 3, 17),
                date(2025, 4, 15),
            ),
            // 2 June 2025 is a Monday: the 2nd itself, and the 3rd is late.
            (
                "the 2nd on a working day",
                date(2025, 6, 2),
                date(2025, 7, 1),
            ),
            (
                "the 3rd after a working 2nd is late",
                date(2025, 6, 3),
                date(2025, 7, 3),
            ),
            // 16 August 2025 is a Saturday: Monday the 18th, not Sunday the 17th (no
            // working day) nor Tuesday the 19th.
            (
                "the 16th on a Saturday: Monday the 18th",
                date(2025, 8, 18),
                date(2025, 9, 15),
            ),
            (
                "the Tuesday after is late",
                date(2025, 8, 19),
                date(2025, 9, 19),
            ),
            // 2 November 2025 is a Sunday; a holiday works the same way: 2 January 2026
            // is a Friday after New Year's Day, so nothing moves there.
            (
                "a working 2nd after New Year",
                date(2026, 1, 2),
                date(2026, 2, 1),
            ),
        ];
        for (what, received, deadline) in cases {
            assert_eq!(municipality_deadline(&r, received), deadline, "{what}");
        }
        // Without the reading (the calendar days alone) the Monday is an ordinary day.
        assert_eq!(
            municipality_deadline(&rules(), date(2025, 3, 3)),
            date(2025, 4, 3)
        );
    }

    #[test]
    fn municipality_deadline_is_one_month_and_the_2nd_and_16th_count_a_day_earlier() {
        // (what, received, deadline)
        let cases = [
            (
                "CPH B14: received the 1st: one calendar month",
                date(2025, 3, 1),
                date(2025, 4, 1),
            ),
            (
                "CPH B14: received the 2nd counts as the 1st",
                date(2025, 3, 2),
                date(2025, 4, 1),
            ),
            (
                "CPH B14: received the 3rd: one calendar month",
                date(2025, 3, 3),
                date(2025, 4, 3),
            ),
            (
                "CPH B14: received the 15th",
                date(2025, 3, 15),
                date(2025, 4, 15),
            ),
            (
                "CPH B14: received the 16th counts as the 15th",
                date(2025, 3, 16),
                date(2025, 4, 15),
            ),
            (
                "CPH B14: received the 17th",
                date(2025, 3, 17),
                date(2025, 4, 17),
            ),
            (
                "CPH B14: 31 January clamps to 28 February",
                date(2025, 1, 31),
                date(2025, 2, 28),
            ),
            (
                "CPH B14: 31 January in a leap year clamps to 29 February",
                date(2024, 1, 31),
                date(2024, 2, 29),
            ),
            (
                "CPH B14: 31 March clamps to 30 April",
                date(2025, 3, 31),
                date(2025, 4, 30),
            ),
            (
                "CPH B14: across the new year",
                date(2025, 12, 16),
                date(2026, 1, 15),
            ),
        ];
        let r = rules();
        for (what, received, expected) in cases {
            assert_eq!(municipality_deadline(&r, received), expected, "{what}");
        }
    }

    #[test]
    fn short_notice_at_the_boundary() {
        // Received 2 March 2025: deadline 1 April.
        // (what, available_from, short_notice, move_in_by)
        let cases = [
            (
                "CPH B14: offered the day before the deadline is short",
                date(2025, 3, 31),
                true,
                date(2025, 4, 1),
            ),
            (
                "CPH B14: offered on the day of receipt is short",
                date(2025, 3, 2),
                true,
                date(2025, 4, 1),
            ),
            (
                "CPH B14: offered on the deadline is not short",
                date(2025, 4, 1),
                false,
                date(2025, 4, 1),
            ),
            (
                "CPH B14: offered the day after the deadline is not short",
                date(2025, 4, 2),
                false,
                date(2025, 4, 2),
            ),
        ];
        let r = rules();
        for (what, available_from, short, by) in cases {
            let d = deadlines(&r, &vacancy(date(2025, 3, 2), available_from)).unwrap();
            assert_eq!(d.short_notice, short, "{what}");
            assert_eq!(d.municipality_move_in_by, by, "{what}");
            assert_eq!(d.rent_liable_from, by, "{what}");
            assert!(
                d.empty_rent.is_empty(),
                "{what}: no closed facts, no periods"
            );
        }
    }

    #[test]
    fn organisation_min_days() {
        // Received 2 March 2025, offered 1 April: the move-in by 1 April.
        // (what, days of notice before 1 April, earliest move-in, may the organisation
        //  move the date)
        let cases = [
            (
                "CPH B14: 13 days' notice is short",
                13,
                date(2025, 4, 2),
                true,
            ),
            (
                "CPH B14: 14 days' notice is enough",
                14,
                date(2025, 4, 1),
                false,
            ),
            (
                "CPH B14: 15 days' notice is enough",
                15,
                date(2025, 3, 31),
                false,
            ),
        ];
        let r = rules();
        for (what, notice, earliest, may_move) in cases {
            let mut v = vacancy(date(2025, 3, 2), date(2025, 4, 1));
            v.allocated_on = Some(date(2025, 4, 1) - Days::new(notice));
            let d = deadlines(&r, &v).unwrap();
            assert_eq!(d.organisation_earliest_move_in, Some(earliest), "{what}");
            assert_eq!(earliest > d.municipality_move_in_by, may_move, "{what}");
        }
        let d = deadlines(&r, &vacancy(date(2025, 3, 2), date(2025, 4, 1))).unwrap();
        assert_eq!(
            d.organisation_earliest_move_in, None,
            "CPH B14: not allocated"
        );
    }

    #[test]
    fn add_weekdays_skips_weekends_and_holidays() {
        // (what, from, n, expected)
        let cases = [
            (
                "CPH B14: Monday + 5 weekdays crosses one weekend",
                date(2025, 3, 3),
                5,
                date(2025, 3, 10),
            ),
            (
                "CPH B14: Thursday + 5 weekdays",
                date(2025, 3, 6),
                5,
                date(2025, 3, 13),
            ),
            (
                "CPH B14: Saturday + 1 weekday is Monday",
                date(2025, 3, 8),
                1,
                date(2025, 3, 10),
            ),
            (
                "CPH B14: 0 weekdays is the day itself",
                date(2025, 3, 8),
                0,
                date(2025, 3, 8),
            ),
            (
                "CPH B14: Easter holidays are not weekdays",
                date(2025, 4, 16),
                5,
                date(2025, 4, 28),
            ),
            (
                "CPH B14: Ascension Day is not a weekday",
                date(2025, 5, 26),
                3,
                date(2025, 5, 30),
            ),
        ];
        let r = rules();
        for (what, from, n, expected) in cases {
            assert_eq!(add_weekdays(&r, from, n), expected, "{what}");
        }
    }

    #[test]
    fn return_within_five_weekdays_is_free() {
        // (what, received, returned_on, free_return_until, owes)
        let cases = [
            (
                "CPH B14: Monday, returned on the 5th weekday",
                date(2025, 3, 3),
                date(2025, 3, 10),
                date(2025, 3, 10),
                false,
            ),
            (
                "CPH B14: Monday, returned on the 6th weekday",
                date(2025, 3, 3),
                date(2025, 3, 11),
                date(2025, 3, 10),
                true,
            ),
            (
                "CPH B14: Thursday, across a weekend, 5th weekday",
                date(2025, 3, 6),
                date(2025, 3, 13),
                date(2025, 3, 13),
                false,
            ),
            (
                "CPH B14: Thursday, across a weekend, 6th weekday",
                date(2025, 3, 6),
                date(2025, 3, 14),
                date(2025, 3, 13),
                true,
            ),
            (
                "CPH B14: across Easter, 5th weekday",
                date(2025, 4, 16),
                date(2025, 4, 28),
                date(2025, 4, 28),
                false,
            ),
            (
                "CPH B14: across Easter, 6th weekday",
                date(2025, 4, 16),
                date(2025, 4, 29),
                date(2025, 4, 28),
                true,
            ),
            (
                "CPH B14: across Ascension Day, 5th weekday",
                date(2025, 5, 26),
                date(2025, 6, 3),
                date(2025, 6, 3),
                false,
            ),
            (
                "CPH B14: across Ascension Day, 6th weekday",
                date(2025, 5, 26),
                date(2025, 6, 4),
                date(2025, 6, 3),
                true,
            ),
        ];
        let r = rules();
        for (what, received, returned_on, until, owes) in cases {
            let mut v = vacancy(received, received);
            v.returned_on = Some(returned_on);
            let d = deadlines(&r, &v).unwrap();
            assert_eq!(d.free_return_until, until, "{what}");
            assert_eq!(!d.empty_rent.is_empty(), owes, "{what}");
            if owes {
                let p = d.empty_rent[0];
                assert_eq!(p.ground, RentGround::ReturnedLate, "{what}");
                // Returned before the municipality's month ran out: owed only from
                // its deadline.
                assert_eq!(p.from, d.rent_liable_from, "{what}");
                assert_eq!(p.to_exclusive, None, "{what}: still empty");
                assert_eq!(p.days, None, "{what}");
                assert_eq!(p.cap, Some(returned_on + Months::new(3)), "{what}");
            }
            assert_eq!(d.empty_rent_days, 0, "{what}");
        }
    }

    #[test]
    fn returned_late_and_relet() {
        // Received 3 March 2025, offered at once (empty from then): liable from 3 April.
        // (what, returned_on, relet_on, expected period (from, to_exclusive, days, cap))
        let cases = [
            (
                "CPH B14: returned after liability began, re-let after 10 days: owed from the deadline",
                date(2025, 4, 14),
                Some(date(2025, 4, 24)),
                Some((date(2025, 4, 3), Some(date(2025, 4, 24)), Some(21), date(2025, 7, 14))),
            ),
            (
                "CPH B14: re-let after 4 months is capped at 3 months from the return",
                date(2025, 4, 14),
                Some(date(2025, 8, 14)),
                Some((date(2025, 4, 3), Some(date(2025, 7, 14)), Some(102), date(2025, 7, 14))),
            ),
            (
                "CPH B14: returned late (6th weekday) before the deadline: owed from the deadline, capped 3 months from the return",
                date(2025, 3, 11),
                Some(date(2025, 7, 1)),
                Some((date(2025, 4, 3), Some(date(2025, 6, 11)), Some(69), date(2025, 6, 11))),
            ),
            (
                "CPH B14: returned late, re-let before the deadline: nothing owed",
                date(2025, 3, 11),
                Some(date(2025, 3, 21)),
                None,
            ),
            (
                "CPH B14: held past the deadline, re-let on the day of the return: the days held",
                date(2025, 4, 14),
                Some(date(2025, 4, 14)),
                Some((date(2025, 4, 3), Some(date(2025, 4, 14)), Some(11), date(2025, 7, 14))),
            ),
            (
                "CPH B14: returned late, still empty: open, capped",
                date(2025, 4, 14),
                None,
                Some((date(2025, 4, 3), None, None, date(2025, 7, 14))),
            ),
            (
                "CPH B14: returned in time, re-let after 4 months: nothing owed",
                date(2025, 3, 10),
                Some(date(2025, 7, 10)),
                None,
            ),
        ];
        let r = rules();
        for (what, returned_on, relet_on, expected) in cases {
            let mut v = vacancy(date(2025, 3, 3), date(2025, 3, 3));
            v.returned_on = Some(returned_on);
            v.relet_on = relet_on;
            let d = deadlines(&r, &v).unwrap();
            assert_eq!(d.rent_liable_from, date(2025, 4, 3), "{what}");
            let expected: Vec<RentPeriod> = expected
                .into_iter()
                .map(|(from, to_exclusive, days, cap)| RentPeriod {
                    from,
                    to_exclusive,
                    days,
                    cap: Some(cap),
                    ground: RentGround::ReturnedLate,
                })
                .collect();
            assert_eq!(d.empty_rent, expected, "{what}");
            let days: u32 = expected.iter().filter_map(|p| p.days).sum();
            assert_eq!(d.empty_rent_days, days, "{what}");
        }
    }

    #[test]
    fn late_move_in() {
        // (what, received, available_from, allocated_on, move_in, expected (from, days))
        let cases = [
            (
                "CPH B14: short notice, moved in on the deadline: nothing owed",
                date(2025, 3, 2),
                date(2025, 3, 2),
                Some(date(2025, 3, 10)),
                date(2025, 4, 1),
                None,
            ),
            (
                "CPH B14: short notice, moved in 3 days after the deadline",
                date(2025, 3, 2),
                date(2025, 3, 2),
                Some(date(2025, 3, 10)),
                date(2025, 4, 4),
                Some((date(2025, 4, 1), 3)),
            ),
            (
                "CPH B14: short notice, moved in before the deadline: nothing owed",
                date(2025, 3, 2),
                date(2025, 3, 2),
                Some(date(2025, 3, 10)),
                date(2025, 3, 25),
                None,
            ),
            (
                "CPH B14: long notice, moved in 5 days after the offered date",
                date(2025, 3, 2),
                date(2025, 4, 15),
                Some(date(2025, 4, 1)),
                date(2025, 4, 20),
                Some((date(2025, 4, 15), 5)),
            ),
            (
                "CPH B14: allocated with 13 days' notice, the organisation moves the move-in a day: the municipality owes it",
                date(2025, 3, 2),
                date(2025, 4, 1),
                Some(date(2025, 3, 19)),
                date(2025, 4, 2),
                Some((date(2025, 4, 1), 1)),
            ),
            (
                "CPH B14: moved in without a recorded allocation",
                date(2025, 3, 2),
                date(2025, 4, 1),
                None,
                date(2025, 4, 11),
                Some((date(2025, 4, 1), 10)),
            ),
        ];
        let r = rules();
        for (what, received, available_from, allocated_on, move_in, expected) in cases {
            let mut v = vacancy(received, available_from);
            v.allocated_on = allocated_on;
            v.move_in = Some(move_in);
            let d = deadlines(&r, &v).unwrap();
            let expected: Vec<RentPeriod> = expected
                .into_iter()
                .map(|(from, days)| RentPeriod {
                    from,
                    to_exclusive: Some(move_in),
                    days: Some(days),
                    cap: None,
                    ground: RentGround::LateMoveIn,
                })
                .collect();
            assert_eq!(d.empty_rent, expected, "{what}");
            let days: u32 = expected.iter().filter_map(|p| p.days).sum();
            assert_eq!(d.empty_rent_days, days, "{what}");
        }
    }

    #[test]
    fn nothing_owed_without_closed_facts() {
        // CPH B14: neither moved into nor returned: no period, whatever the dates.
        let mut v = vacancy(date(2025, 3, 2), date(2025, 3, 2));
        v.allocated_on = Some(date(2025, 3, 20));
        let d = deadlines(&rules(), &v).unwrap();
        assert!(d.empty_rent.is_empty());
        assert_eq!(d.empty_rent_days, 0);
    }

    #[test]
    fn empty_rent_amount_by_days_of_each_month() {
        let closed = |from: Date, to: Date| RentPeriod {
            from,
            to_exclusive: Some(to),
            days: Some(days_between(from, to)),
            cap: None,
            ground: RentGround::LateMoveIn,
        };
        // (what, periods, monthly rent, amount)
        let cases = [
            (
                "CPH B14: 27 Feb – 4 Mar 2025: 2/28 + 4/31 of 6200",
                vec![closed(date(2025, 2, 27), date(2025, 3, 5))],
                dec("6200"),
                dec("1242.86"),
            ),
            (
                "CPH B14: 30 Apr – 1 May: 1/30 + 1/31 of 9300",
                vec![closed(date(2025, 4, 30), date(2025, 5, 2))],
                dec("9300"),
                dec("610.00"),
            ),
            (
                "CPH B14: a whole 31-day month is the monthly rent",
                vec![closed(date(2025, 1, 1), date(2025, 2, 1))],
                dec("7777.77"),
                dec("7777.77"),
            ),
            (
                "CPH B14: a whole leap February is the monthly rent",
                vec![closed(date(2024, 2, 1), date(2024, 3, 1))],
                dec("5000"),
                dec("5000.00"),
            ),
            (
                "CPH B14: three 31-day thirds sum exactly",
                vec![
                    closed(date(2025, 1, 1), date(2025, 1, 11)),
                    closed(date(2025, 1, 11), date(2025, 1, 22)),
                    closed(date(2025, 1, 22), date(2025, 2, 1)),
                ],
                dec("1000"),
                dec("1000.00"),
            ),
            (
                "CPH B14: half an øre rounds away from zero",
                vec![closed(date(2025, 4, 1), date(2025, 4, 2))],
                dec("0.15"),
                dec("0.01"),
            ),
            (
                "CPH B14: an open period counts nothing",
                vec![RentPeriod {
                    from: date(2025, 4, 1),
                    to_exclusive: None,
                    days: None,
                    cap: Some(date(2025, 7, 1)),
                    ground: RentGround::ReturnedLate,
                }],
                dec("6000"),
                dec("0.00"),
            ),
            ("CPH B14: no periods", vec![], dec("6000"), dec("0")),
        ];
        for (what, periods, rent, expected) in cases {
            assert_eq!(empty_rent_amount(&periods, rent), expected, "{what}");
        }
    }

    #[test]
    fn contradictory_dates_are_errors() {
        let base = vacancy(date(2025, 3, 2), date(2025, 4, 1));
        // (what, dates, error)
        let cases = [
            (
                "CPH B14: move-in before the allocation",
                VacancyDates {
                    allocated_on: Some(date(2025, 3, 20)),
                    move_in: Some(date(2025, 3, 19)),
                    ..base
                },
                DeadlineError::MoveInBeforeAllocation {
                    move_in: date(2025, 3, 19),
                    allocated_on: date(2025, 3, 20),
                },
            ),
            (
                "CPH B14: move-in before the receipt",
                VacancyDates {
                    move_in: Some(date(2025, 3, 1)),
                    ..base
                },
                DeadlineError::MoveInBeforeReceipt {
                    move_in: date(2025, 3, 1),
                    received: date(2025, 3, 2),
                },
            ),
            (
                "CPH B14: allocation before the receipt",
                VacancyDates {
                    allocated_on: Some(date(2025, 3, 1)),
                    ..base
                },
                DeadlineError::AllocatedBeforeReceipt {
                    allocated_on: date(2025, 3, 1),
                    received: date(2025, 3, 2),
                },
            ),
            (
                "CPH B14: return before the receipt",
                VacancyDates {
                    returned_on: Some(date(2025, 3, 1)),
                    ..base
                },
                DeadlineError::ReturnedBeforeReceipt {
                    returned_on: date(2025, 3, 1),
                    received: date(2025, 3, 2),
                },
            ),
            (
                "CPH B14: re-letting before the return",
                VacancyDates {
                    returned_on: Some(date(2025, 3, 20)),
                    relet_on: Some(date(2025, 3, 19)),
                    ..base
                },
                DeadlineError::ReletBeforeReturn {
                    relet_on: date(2025, 3, 19),
                    returned_on: date(2025, 3, 20),
                },
            ),
            (
                "CPH B14: re-letting without a return",
                VacancyDates {
                    relet_on: Some(date(2025, 4, 10)),
                    ..base
                },
                DeadlineError::ReletWithoutReturn {
                    relet_on: date(2025, 4, 10),
                },
            ),
            (
                "CPH B14: both moved into and returned",
                VacancyDates {
                    move_in: Some(date(2025, 4, 1)),
                    returned_on: Some(date(2025, 3, 20)),
                    ..base
                },
                DeadlineError::MovedInAndReturned {
                    move_in: date(2025, 4, 1),
                    returned_on: date(2025, 3, 20),
                },
            ),
        ];
        let r = rules();
        for (what, dates, expected) in cases {
            let err = deadlines(&r, &dates).unwrap_err();
            let message = err.to_string();
            assert_eq!(err, expected, "{what}");
            // The message names the dates involved.
            for d in [
                dates.move_in,
                dates.allocated_on,
                dates.returned_on,
                dates.relet_on,
            ]
            .into_iter()
            .flatten()
            {
                assert!(message.contains(&d.to_string()), "{what}: {message}");
            }
        }
    }
}
