//! The law's thresholds (almenboligloven §61 a and §61 b) as dated parameters.
//!
//! The state publishes its lists every 1 December, and the conviction and income
//! thresholds change with every list (national average, regional income). Each list's
//! values are one [`ListThresholds`]; an agreement refers to a law parameter set by id.

use chrono::Datelike;
use serde::Serialize;

use crate::criteria::ThresholdSet;
use crate::{Date, Pct};

/// A law parameter set: the thresholds of every list for which values are known.
#[derive(Debug, Clone, Serialize)]
pub struct LawParams {
    pub id: String,
    pub title: String,
    /// Sorted by list date, no two with the same date (checked when parsed).
    pub lists: Vec<ListThresholds>,
}

/// The thresholds that apply to one state list (published 1 December).
#[derive(Debug, Clone, Serialize)]
pub struct ListThresholds {
    pub list_date: Date,
    pub source: String,
    /// Minimum residents for an area to be designated (inclusive).
    pub min_residents: u32,
    /// How many of the four criteria must be met (inclusive).
    pub min_criteria: u32,
    pub forebyggelse: ThresholdSet,
    pub udsat: ThresholdSet,
    /// Non-western origin share above which a forebyggelse area qualifies (strict).
    pub forebyggelse_origin_above_pct: Pct,
    /// Non-western origin share above which an udsat area is a parallelsamfund (strict).
    pub parallelsamfund_origin_above_pct: Pct,
    /// Number of consecutive lists, the current one included, on which an area must
    /// meet the parallelsamfund conditions to become an omdannelsesområde.
    pub omdannelse_consecutive_lists: u32,
}

/// Which list's values were used for a date, and whether that was a fallback.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ListSelection<'a> {
    /// The list in force on the requested date (the latest 1 December on or before it).
    pub list_in_force: Date,
    #[serde(skip)]
    pub thresholds: &'a ListThresholds,
    /// The list whose values are used.
    pub values_from_list: Date,
    /// True when no values are known for the list in force and earlier ones are used.
    pub fallback: bool,
}

/// The date of the state list in force on `on`: the latest 1 December on or before it.
pub fn list_in_force(on: Date) -> Date {
    let this_year = Date::from_ymd_opt(on.year(), 12, 1).expect("1 December exists every year");
    if on >= this_year {
        this_year
    } else {
        Date::from_ymd_opt(on.year() - 1, 12, 1).expect("1 December exists every year")
    }
}

impl LawParams {
    /// Selects the thresholds for the list in force on `on`. When no values are known
    /// for that list, the latest earlier list is used and `fallback` is set; the
    /// caller must say so. `None` when no list at or before the date is known at all.
    pub fn select(&self, on: Date) -> Option<ListSelection<'_>> {
        let wanted = list_in_force(on);
        let thresholds = self.lists.iter().rev().find(|l| l.list_date <= wanted)?;
        Some(ListSelection {
            list_in_force: wanted,
            thresholds,
            values_from_list: thresholds.list_date,
            fallback: thresholds.list_date != wanted,
        })
    }

    /// The thresholds published for exactly this list date, if known.
    pub fn for_list(&self, list_date: Date) -> Option<&ListThresholds> {
        self.lists.iter().find(|l| l.list_date == list_date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    // CPH 6.1.5: the ministry publishes the lists every 1 December.
    #[rstest]
    #[case("2024-03-01", "2023-12-01")]
    #[case("2023-11-30", "2022-12-01")]
    #[case("2023-12-01", "2023-12-01")]
    #[case("2023-12-31", "2023-12-01")]
    #[case("2024-01-01", "2023-12-01")]
    fn list_in_force_is_latest_first_of_december(#[case] on: &str, #[case] list: &str) {
        assert_eq!(list_in_force(date(on)), date(list));
    }
}
