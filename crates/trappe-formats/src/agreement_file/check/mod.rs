//! The second pass: [`Checker`] turns the raw structs into rules types and collects
//! every problem with its line and column. One child module per part of the files.

mod agreement;
mod applicants;
mod criteria;
mod law;
mod letting;
mod sets;
mod staircases;
mod wheels;

pub use agreement::parse_agreement;
pub use law::parse_law;

use std::ops::Range;

use toml::Spanned;

use trappe_rules::agreement::{Channel, Period, Sourced, Staircase};
use trappe_rules::criteria::{Comparison, Threshold, ThresholdSet};
use trappe_rules::{Date, Pct};

use super::raw::{RawSourced, RawThreshold};
use super::{FileProblems, Problem};

/// Collects problems with their positions in one file.
struct Checker<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    fn new(text: &'a str) -> Self {
        Checker {
            text,
            problems: Vec::new(),
        }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rfind('\n')
            .map_or(before.len(), |i| before.len() - i - 1)
            + 1;
        (line, column)
    }

    fn problem(
        &mut self,
        span: Range<usize>,
        what: impl Into<String>,
        expected: impl Into<String>,
    ) {
        let (line, column) = self.position(span.start);
        self.problems.push(Problem {
            line,
            column,
            what: what.into(),
            expected: expected.into(),
        });
    }

    fn date(
        &mut self,
        span: Range<usize>,
        dt: &toml::value::Datetime,
        field: &str,
    ) -> Option<Date> {
        match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                Date::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()).or_else(|| {
                    self.problem(
                        span,
                        format!("{field} = {dt} is not a calendar date"),
                        "a date such as 2024-01-01",
                    );
                    None
                })
            }
            _ => {
                self.problem(
                    span,
                    format!("{field} = {dt} has a time or offset"),
                    "a plain date such as 2024-01-01",
                );
                None
            }
        }
    }

    fn threshold(&mut self, raw: &Spanned<RawThreshold>, name: &str) -> Option<Threshold> {
        let t = raw.get_ref();
        let set: Vec<(Comparison, Pct)> = [
            (Comparison::Above, t.above),
            (Comparison::AtLeast, t.at_least),
            (Comparison::Below, t.below),
        ]
        .into_iter()
        .filter_map(|(c, v)| v.map(|v| (c, v.0)))
        .collect();
        match set.as_slice() {
            [(comparison, value)] => {
                if *value < Pct::ZERO || *value > Pct::from(1000) {
                    self.problem(
                        raw.span(),
                        format!("{name} threshold {value} is out of range"),
                        "a percentage from 0 to 1000",
                    );
                }
                Some(Threshold {
                    value: *value,
                    comparison: *comparison,
                })
            }
            _ => {
                self.problem(
                    raw.span(),
                    format!("{name} has {} comparisons", set.len()),
                    "exactly one of above = N, at_least = N or below = N",
                );
                None
            }
        }
    }

    fn threshold_set(
        &mut self,
        u: &Spanned<RawThreshold>,
        c: &Spanned<RawThreshold>,
        e: &Spanned<RawThreshold>,
        i: &Spanned<RawThreshold>,
    ) -> Option<ThresholdSet> {
        let unemployment = self.threshold(u, "unemployment");
        let convictions = self.threshold(c, "convictions");
        let primary_education = self.threshold(e, "primary_education");
        let income = self.threshold(i, "income");
        Some(ThresholdSet {
            unemployment: unemployment?,
            convictions: convictions?,
            primary_education: primary_education?,
            income: income?,
        })
    }

    fn period(
        &mut self,
        span: Range<usize>,
        from: &toml::value::Datetime,
        to: Option<&toml::value::Datetime>,
    ) -> Option<Period> {
        let from = self.date(span.clone(), from, "valid_from")?;
        let to = match to {
            Some(t) => Some(self.date(span.clone(), t, "valid_to")?),
            None => None,
        };
        if let Some(to) = to {
            if to < from {
                self.problem(
                    span,
                    format!("valid_to {to} is before valid_from {from}"),
                    "valid_to on or after valid_from",
                );
                return None;
            }
        }
        Some(Period { from, to })
    }

    fn finish<T>(self, file: &str, value: Option<T>) -> Result<T, FileProblems> {
        match value {
            Some(v) if self.problems.is_empty() => Ok(v),
            _ => {
                let mut problems = self.problems;
                if problems.is_empty() {
                    problems.push(Problem {
                        line: 1,
                        column: 1,
                        what: "the file could not be read".into(),
                        expected: "a valid file".into(),
                    });
                }
                problems.sort_by_key(|p| (p.line, p.column));
                Err(FileProblems {
                    file: file.to_string(),
                    problems,
                })
            }
        }
    }
}

fn sourced<T, U>(raw: RawSourced<T>, f: impl FnOnce(T) -> U) -> Sourced<U> {
    Sourced {
        value: f(raw.value),
        source: raw.source,
        interpretation: raw.interpretation,
    }
}

fn syntax_problem(text: &str, file: &str, e: &toml::de::Error) -> FileProblems {
    let checker = Checker::new(text);
    let (line, column) = e.span().map_or((1, 1), |s| checker.position(s.start));
    FileProblems {
        file: file.to_string(),
        problems: vec![Problem {
            line,
            column,
            what: e.message().split_whitespace().collect::<Vec<_>>().join(" "),
            expected: "the agreement format of docs/agreements.md".into(),
        }],
    }
}

/// A channel code of the file; `None` names a problem for the caller to report.
fn parse_channel(s: &str) -> Option<Channel> {
    s.parse().ok()
}

/// A staircase code of the file; `None` names a problem for the caller to report.
fn parse_staircase(s: &str) -> Option<Staircase> {
    s.parse().ok()
}

type Note<'n> = dyn FnMut(&str, &str, &Option<String>) + 'n;

/// An id a person would have meant: not empty, no spaces at its ends, no control or
/// invisible character (two ids that look the same must be the same, as in the input
/// files' key columns).
fn is_plain_id(id: &str) -> bool {
    !id.trim().is_empty()
        && id == id.trim()
        && !id
            .chars()
            .any(|c| c.is_control() || crate::table_in::chars::is_invisible(c))
}

#[cfg(test)]
mod tests {
    use crate::agreement_file::test_util::{cph, problems};

    #[test]
    fn a_threshold_with_two_comparisons_is_an_error() {
        let text = cph().replace(
            "unemployment = { above = 35.0 }",
            "unemployment = { above = 35.0, below = 3.0 }",
        );
        let p = problems(&text);
        assert!(
            p.iter()
                .any(|l| l.contains("unemployment has 2 comparisons")),
            "{p:?}"
        );
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let p = problems("[agreement]\nid = \n");
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("x.toml:2:"), "{p:?}");
    }
}
