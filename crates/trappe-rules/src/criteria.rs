//! The four socio-economic criteria behind the state's lists and the staircases, and
//! the comparison of a set of key figures against one set of thresholds.
//!
//! The comparison direction is part of the threshold (strict "above", inclusive
//! "at least", strict "below"), because the law words each criterion differently:
//! "overstiger" is strict, "mindst" is inclusive, "mindre end" is strict.

use serde::{Deserialize, Serialize};

use crate::Pct;

/// One of the four socio-economic criteria (almenboligloven §61 a).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Share of residents aged 18–64 outside the labour market and education.
    Unemployment,
    /// Share of residents convicted under the criminal code, weapons act or drugs act.
    Convictions,
    /// Share of residents aged 30–59 with only primary school.
    PrimaryEducation,
    /// Average gross income of taxable residents aged 15–64 (excl. students) as % of the region.
    Income,
}

impl Criterion {
    pub const ALL: [Criterion; 4] = [
        Criterion::Unemployment,
        Criterion::Convictions,
        Criterion::PrimaryEducation,
        Criterion::Income,
    ];

    /// The stable snake_case name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::Unemployment => "unemployment",
            Criterion::Convictions => "convictions",
            Criterion::PrimaryEducation => "primary_education",
            Criterion::Income => "income",
        }
    }
}

/// How a value is compared with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// value > threshold ("overstiger").
    Above,
    /// value ≥ threshold ("mindst").
    AtLeast,
    /// value < threshold ("mindre end", "under").
    Below,
}

impl Comparison {
    pub fn holds(self, value: Pct, threshold: Pct) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::AtLeast => value >= threshold,
            Comparison::Below => value < threshold,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Above => ">",
            Comparison::AtLeast => "≥",
            Comparison::Below => "<",
        }
    }
}

/// The four key figures of a department, pool or area, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub unemployment_pct: Pct,
    pub convictions_pct: Pct,
    pub primary_education_pct: Pct,
    /// Percent of the regional average; may exceed 100.
    pub income_pct: Pct,
}

impl Figures {
    pub fn get(&self, criterion: Criterion) -> Pct {
        match criterion {
            Criterion::Unemployment => self.unemployment_pct,
            Criterion::Convictions => self.convictions_pct,
            Criterion::PrimaryEducation => self.primary_education_pct,
            Criterion::Income => self.income_pct,
        }
    }
}

/// One threshold: a value and the direction in which it is met.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub value: Pct,
    pub comparison: Comparison,
}

/// A threshold for each of the four criteria.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdSet {
    pub unemployment: Threshold,
    pub convictions: Threshold,
    pub primary_education: Threshold,
    pub income: Threshold,
}

impl ThresholdSet {
    pub fn get(&self, criterion: Criterion) -> Threshold {
        match criterion {
            Criterion::Unemployment => self.unemployment,
            Criterion::Convictions => self.convictions,
            Criterion::PrimaryEducation => self.primary_education,
            Criterion::Income => self.income,
        }
    }

    /// Checks every criterion, in the fixed order of [`Criterion::ALL`].
    pub fn check(&self, figures: &Figures) -> [CriterionCheck; 4] {
        Criterion::ALL.map(|criterion| {
            let threshold = self.get(criterion);
            let value = figures.get(criterion);
            CriterionCheck {
                criterion,
                value,
                threshold: threshold.value,
                comparison: threshold.comparison,
                met: threshold.comparison.holds(value, threshold.value),
            }
        })
    }
}

/// The outcome of comparing one figure with one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CriterionCheck {
    pub criterion: Criterion,
    pub value: Pct,
    pub threshold: Pct,
    pub comparison: Comparison,
    pub met: bool,
}

/// Counts how many checks are met.
pub fn count_met(checks: &[CriterionCheck]) -> usize {
    checks.iter().filter(|c| c.met).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn d(s: &str) -> Pct {
        s.parse().expect("test literal is a decimal")
    }

    // The comparison words of the law and of CPH bilag 17 fig 1.
    #[rstest]
    #[case::above_equal_is_not_met(Comparison::Above, "40.0", "40.0", false)]
    #[case::above_just_over(Comparison::Above, "40.1", "40.0", true)]
    #[case::at_least_equal_is_met(Comparison::AtLeast, "2.18", "2.18", true)]
    #[case::at_least_just_under(Comparison::AtLeast, "2.17", "2.18", false)]
    #[case::below_equal_is_not_met(Comparison::Below, "55.0", "55.0", false)]
    #[case::below_just_under(Comparison::Below, "54.9", "55.0", true)]
    fn comparison_words_of_the_law(
        #[case] cmp: Comparison,
        #[case] value: &str,
        #[case] threshold: &str,
        #[case] expected: bool,
    ) {
        assert_eq!(cmp.holds(d(value), d(threshold)), expected);
    }
}
