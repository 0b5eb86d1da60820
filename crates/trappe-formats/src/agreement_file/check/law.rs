//! Checking a law parameter file.

use trappe_rules::law::{LawParams, ListThresholds};

use super::{syntax_problem, Checker};
use crate::agreement_file::raw::RawLawFile;
use crate::agreement_file::FileProblems;

/// Parses and checks a law parameter file.
pub fn parse_law(text: &str, file: &str) -> Result<LawParams, FileProblems> {
    let raw: RawLawFile = toml::from_str(text).map_err(|e| syntax_problem(text, file, &e))?;
    let mut ck = Checker::new(text);
    let mut lists: Vec<ListThresholds> = Vec::new();
    for l in raw.list {
        let span = l.span();
        let r = l.into_inner();
        let date = ck.date(r.list_date.span(), r.list_date.get_ref(), "list_date");
        let forebyggelse = {
            let f = r.forebyggelse.get_ref();
            ck.threshold_set(
                &f.unemployment,
                &f.convictions,
                &f.primary_education,
                &f.income,
            )
        };
        let udsat = {
            let u = r.udsat.get_ref();
            ck.threshold_set(
                &u.unemployment,
                &u.convictions,
                &u.primary_education,
                &u.income,
            )
        };
        let _ = (&r.forebyggelse.get_ref().source, &r.udsat.get_ref().source);
        if r.min_criteria.value > 4 {
            ck.problem(
                span.clone(),
                format!("min_criteria = {}", r.min_criteria.value),
                "a number from 1 to 4",
            );
        }
        if let Some(d) = date {
            if lists.iter().any(|x| x.list_date == d) {
                ck.problem(
                    span.clone(),
                    format!("a second [[list]] for {d}"),
                    "one [[list]] per list date",
                );
            }
        }
        if let (Some(list_date), Some(forebyggelse), Some(udsat)) = (date, forebyggelse, udsat) {
            lists.push(ListThresholds {
                list_date,
                source: r.source,
                min_residents: r.min_residents.value,
                min_criteria: r.min_criteria.value,
                forebyggelse,
                udsat,
                forebyggelse_origin_above_pct: r.forebyggelse_origin_above_pct.value.0,
                parallelsamfund_origin_above_pct: r.parallelsamfund_origin_above_pct.value.0,
                omdannelse_consecutive_lists: r.omdannelse_consecutive_lists.value,
            });
        }
    }
    lists.sort_by_key(|l| l.list_date);
    let law = LawParams {
        id: raw.law.id,
        title: raw.law.title,
        lists,
    };
    ck.finish(file, Some(law))
}
