//! Checking what combines the criteria: `[[applicants.set]]`, `[[applicants.amount]]`,
//! `[applicants.age_documents]` and `[applicants.ranking]`, and the set names steps and
//! wheel slots use. Every name is checked with its line and column.

use std::collections::BTreeMap;

use toml::Spanned;

use trappe_rules::agreement::{Sourced, Staircase};
use trappe_rules::applicant::{
    AtLeast, CriteriaSetDef, CriterionDef, CriterionId, DatedAmount, DocumentKind, EmploymentFirst,
    RankingRules, TieBreak,
};
use trappe_rules::criteria::Criterion;
use trappe_rules::Pct;

use super::criteria::{sourced, texts};
use super::{parse_staircase, Checker, Note};
use crate::agreement_file::raw::{RawAgeDocuments, RawAmount, RawRanking, RawSet};

/// Checks the dated amounts: ids unique, at least one value, positive, one per date.
pub(super) fn check_amounts(
    ck: &mut Checker<'_>,
    raw: &[Spanned<RawAmount>],
    note: &mut Note<'_>,
) -> BTreeMap<String, Vec<DatedAmount>> {
    let mut out = BTreeMap::new();
    for a in raw {
        let id = a.get_ref().id.get_ref().clone();
        if !super::is_plain_id(&id) {
            ck.problem(
                a.get_ref().id.span(),
                format!("amount id {id:?}"),
                "a name without spaces at its ends or invisible characters",
            );
        }
        let mut values = Vec::new();
        for t in &a.get_ref().values {
            let r = t.get_ref();
            note(&format!("applicants.amount.{id}"), &r.source, &None);
            if let Some(from) = ck.date(t.span(), &r.from, "from") {
                if r.amount.0 <= Pct::ZERO {
                    ck.problem(
                        t.span(),
                        format!("amount = {}", r.amount.0),
                        "a positive amount in kr",
                    );
                }
                values.push(DatedAmount {
                    from,
                    amount: r.amount.0,
                    source: r.source.clone(),
                });
            }
        }
        if values.is_empty() {
            ck.problem(
                a.span(),
                format!("amount {id:?} has no values"),
                "at least one { from = DATE, amount = KR, source = \"…\" }",
            );
        }
        values.sort_by_key(|t| t.from);
        if values.windows(2).any(|w| w[0].from == w[1].from) {
            ck.problem(
                a.span(),
                format!("amount {id:?} has two values from the same date"),
                "one amount per date",
            );
        }
        if out.insert(id.clone(), values).is_some() {
            ck.problem(
                a.get_ref().id.span(),
                format!("amount {id:?} is defined twice"),
                "one [[applicants.amount]] per id",
            );
        }
    }
    out
}

/// Checks `[applicants.age_documents]`.
pub(super) fn check_age_documents(
    ck: &mut Checker<'_>,
    raw: Option<&Spanned<RawAgeDocuments>>,
    note: &mut Note<'_>,
) -> Vec<Vec<DocumentKind>> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    note("applicants.age_documents", &raw.get_ref().source, &None);
    let any_of = &raw.get_ref().any_of;
    if any_of.is_empty() || any_of.iter().any(Vec::is_empty) {
        ck.problem(
            raw.span(),
            "age_documents with no documents in an alternative",
            "any_of = [[\"passport\"], [\"photo_id\", \"health_card\"]]: each alternative names documents",
        );
    }
    any_of.iter().map(|alt| ck.codes(alt, "document")).collect()
}

/// Checks the criteria sets: unique ids, known criteria.
pub(super) fn check_sets(
    ck: &mut Checker<'_>,
    raw: &[Spanned<RawSet>],
    criteria: &[CriterionDef],
    note: &mut Note<'_>,
) -> Vec<CriteriaSetDef> {
    let mut out: Vec<CriteriaSetDef> = Vec::new();
    for rs in raw {
        let s = rs.get_ref();
        let id = s.id.get_ref().clone();
        if !super::is_plain_id(&id) || id.contains('|') {
            ck.problem(
                s.id.span(),
                format!("set id {id:?}"),
                "a name without spaces at its ends, invisible characters or '|'",
            );
        }
        if out.iter().any(|d| d.id == id) {
            ck.problem(
                s.id.span(),
                format!("set {id:?} is defined twice"),
                "one [[applicants.set]] per id",
            );
        }
        note(
            &format!("applicants.set.{id}"),
            &s.source,
            &s.interpretation,
        );
        if let Some(p) = &s.pending {
            // A decision the parties have not recorded is listed like a reading.
            let open = match &p.interpretation {
                Some(i) => format!("not yet recorded: {} ({i})", p.value),
                None => format!("not yet recorded: {}", p.value),
            };
            note(
                &format!("applicants.set.{id}.pending"),
                &p.source,
                &Some(open),
            );
        }
        if let Some(t) = &s.to_confirm {
            // Criteria written on the parties' behalf are listed like a reading too.
            note(
                &format!("applicants.set.{id}.to_confirm"),
                &s.source,
                &Some(format!("to be confirmed by the parties: {}", t.en)),
            );
        }
        let any = criterion_refs(ck, &s.any, criteria);
        let all = criterion_refs(ck, &s.all, criteria);
        let any_dropped_when = criterion_refs(ck, &s.any_dropped_when, criteria);
        for (c, raw_c) in any_dropped_when.iter().zip(&s.any_dropped_when) {
            let can_be_required = s.all.iter().any(|a| a.get_ref() == c.as_str())
                || (s.risk_zone && criteria.iter().any(|d| &d.id == c && d.mirrors.is_some()));
            if !can_be_required {
                ck.problem(
                    raw_c.span(),
                    format!(
                        "any_dropped_when {:?} can never be required by set {id:?}",
                        c.as_str()
                    ),
                    "a criterion of the set's all, or one the risk zone adds (with mirrors)",
                );
            }
        }
        let priority: Vec<Vec<CriterionId>> = s
            .priority
            .iter()
            .map(|g| criterion_refs(ck, g, criteria))
            .collect();
        if !s.priority.is_empty() && !s.any.is_empty() {
            ck.problem(
                rs.span(),
                format!("set {id:?} has both any and priority"),
                "priority = [[…], […]] alone: its groups are the criteria of which one is met",
            );
        }
        if s.priority.iter().any(Vec::is_empty) {
            ck.problem(
                rs.span(),
                format!("set {id:?} has an empty priority group"),
                "at least one criterion in each group",
            );
        }
        let any: Vec<CriterionId> = if priority.is_empty() {
            any
        } else {
            let mut u: Vec<CriterionId> = Vec::new();
            for c in priority.iter().flatten() {
                if !u.contains(c) {
                    u.push(c.clone());
                }
            }
            u
        };
        if s.risk_zone {
            for c in Criterion::ALL {
                if !criteria.iter().any(|d| d.mirrors == Some(c)) {
                    ck.problem(
                        rs.span(),
                        format!(
                            "set {id:?} adds the risk zone's criteria, but no criterion mirrors {:?}",
                            c.as_str()
                        ),
                        "a criterion with mirrors = \"…\" for each designation criterion",
                    );
                }
            }
        }
        let at_least = s.at_least.as_ref().map(|a| {
            let r = a.get_ref();
            let of = criterion_refs(ck, &r.of, criteria);
            for (i, c) in r.of.iter().enumerate() {
                if r.of[..i].iter().any(|x| x.get_ref() == c.get_ref()) {
                    ck.problem(
                        c.span(),
                        format!("criterion {:?} is listed twice in at_least", c.get_ref()),
                        "each criterion once",
                    );
                }
            }
            if r.n == 0 || r.n as usize > r.of.len() {
                ck.problem(
                    a.span(),
                    format!("at_least n = {} of {} criteria", r.n, r.of.len()),
                    "n from 1 to the number of criteria listed",
                );
            }
            AtLeast { n: r.n, of }
        });
        let empty = any.is_empty() && all.is_empty() && !s.risk_zone && at_least.is_none();
        if empty && s.pending.is_none() {
            ck.problem(
                rs.span(),
                format!("set {id:?} names no criteria"),
                "any = [...], all = [...] or risk_zone = true; or pending = { value = \"…\", source = \"…\" } while the parties have not recorded them",
            );
        }
        if s.to_confirm.is_some() && s.pending.is_some() {
            ck.problem(
                rs.span(),
                format!("set {id:?} is both pending and to_confirm"),
                "to_confirm marks criteria that are written but not yet confirmed; a pending set has none",
            );
        }
        if !empty && s.pending.is_some() {
            ck.problem(
                rs.span(),
                format!("set {id:?} is pending but names criteria"),
                "either the criteria or pending, not both",
            );
        }
        out.push(CriteriaSetDef {
            id,
            label: texts(&s.label),
            source: s.source.clone(),
            any,
            all,
            risk_zone: s.risk_zone,
            any_dropped_when,
            at_least,
            priority,
            pending: s.pending.as_ref().map(sourced),
            to_confirm: s.to_confirm.as_ref().map(texts),
        });
    }
    out
}

fn criterion_refs(
    ck: &mut Checker<'_>,
    raw: &[Spanned<String>],
    criteria: &[CriterionDef],
) -> Vec<CriterionId> {
    raw.iter()
        .filter_map(|r| {
            let found = criteria.iter().find(|c| c.id.as_str() == r.get_ref());
            if found.is_none() {
                let known: Vec<&str> = criteria.iter().map(|c| c.id.as_str()).collect();
                ck.problem(
                    r.span(),
                    format!("criterion {:?} is not defined", r.get_ref()),
                    if known.is_empty() {
                        "an [[applicants.criterion]] with this id".to_string()
                    } else {
                        format!("one of the file's criteria: {}", known.join(", "))
                    },
                );
            }
            found.map(|c| c.id.clone())
        })
        .collect()
}

/// Checks `[applicants.ranking]`.
pub(super) fn check_ranking(
    ck: &mut Checker<'_>,
    raw: Option<&Spanned<RawRanking>>,
    criteria: &[CriterionDef],
    note: &mut Note<'_>,
) -> RankingRules {
    let Some(raw) = raw else {
        return RankingRules {
            employment_first: None,
            accessibility_priority: None,
            tie_breaks: Sourced {
                value: Vec::new(),
                source: String::new(),
                interpretation: None,
            },
        };
    };
    let r = raw.get_ref();
    note("applicants.ranking", &r.source, &None);
    let tie_breaks = match &r.tie_breaks {
        Some(t) => {
            note(
                "applicants.ranking.tie_breaks",
                &t.source,
                &t.interpretation,
            );
            let value = t
                .value
                .iter()
                .filter_map(|s| match s.get_ref().as_str() {
                    s2 if t.value.iter().filter(|x| x.get_ref() == s2).count() > 1 => {
                        ck.problem(
                            s.span(),
                            format!("tie-break {s2:?} is listed twice"),
                            "each tie-break once",
                        );
                        None
                    }
                    "seniority" => Some(TieBreak::Seniority),
                    "waiting_list_number" => Some(TieBreak::WaitingListNumber),
                    other => {
                        ck.problem(
                            s.span(),
                            format!("tie-break {other:?}"),
                            "seniority or waiting_list_number",
                        );
                        None
                    }
                })
                .collect();
            Sourced {
                value,
                source: t.source.clone(),
                interpretation: t.interpretation.clone(),
            }
        }
        None => Sourced {
            value: Vec::new(),
            source: r.source.clone(),
            interpretation: None,
        },
    };
    let employment_first = r.employment_first.as_ref().and_then(|e| {
        let e = e.get_ref();
        note(
            "applicants.ranking.employment_first",
            &e.source,
            &e.interpretation,
        );
        if e.staircases.is_empty() {
            ck.problem(
                e.primary.span(),
                "employment_first with staircases = []",
                "the staircases it applies on, such as [\"area\"]",
            );
        }
        let staircases: Vec<Staircase> = e
            .staircases
            .iter()
            .filter_map(|s| {
                let v = parse_staircase(s.get_ref());
                if v.is_none() {
                    ck.problem(
                        s.span(),
                        format!("staircase {:?}", s.get_ref()),
                        "area, department or traffic-light",
                    );
                }
                v
            })
            .collect();
        let primary = criterion_refs(ck, std::slice::from_ref(&e.primary), criteria);
        let otherwise = criterion_refs(ck, &e.otherwise, criteria);
        Some(EmploymentFirst {
            staircases,
            primary: primary.into_iter().next()?,
            otherwise,
            source: e.source.clone(),
            interpretation: e.interpretation.clone(),
        })
    });
    let accessibility_priority = r.accessibility_priority.as_ref().and_then(|a| {
        note(
            "applicants.ranking.accessibility_priority",
            &a.source,
            &a.interpretation,
        );
        let c = criterion_refs(ck, std::slice::from_ref(&a.value), criteria);
        Some(Sourced {
            value: c.into_iter().next()?,
            source: a.source.clone(),
            interpretation: a.interpretation.clone(),
        })
    });
    RankingRules {
        employment_first,
        accessibility_priority,
        tie_breaks,
    }
}

/// Every set a step or a wheel slot names (`"A|B"`: each part) must be defined.
pub(super) fn set_names_problem(sets: &[CriteriaSetDef], named: &str) -> Option<(String, String)> {
    let union = named.contains('|');
    for part in named.split('|') {
        let part = part.trim();
        // "A|B" means one set or the other; "at least N" is a set of its own.
        if let Some(s) = sets.iter().find(|s| s.id == part && s.at_least.is_some()) {
            if union {
                return Some((
                    format!("criteria set {:?} asks for at least N and is combined with '|' in {named:?}", s.id),
                    "a set with at_least named alone".to_string(),
                ));
            }
        }
        if !sets.iter().any(|s| s.id == part) {
            let known: Vec<&str> = sets.iter().map(|s| s.id.as_str()).collect();
            return Some((
                format!("criteria set {part:?} is not defined in [applicants]"),
                if known.is_empty() {
                    "an [[applicants.set]] with this id".to_string()
                } else {
                    format!("one of the file's sets: {}", known.join(", "))
                },
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::agreement_file::test_util::{cph, problems};
    use crate::agreement_file::BUILTIN_AGREEMENTS;

    /// The Copenhagen file with the first `from` replaced by `to`.
    fn edited(from: &str, to: &str) -> String {
        let text = cph();
        assert!(text.contains(from), "{from:?} is not in the file");
        text.replacen(from, to, 1)
    }

    /// A step or a wheel slot naming a set the file does not define is an error listing
    /// the file's sets (today's Aalborg wall: `employment` accepted, then refused).
    #[test]
    fn a_slot_naming_an_undefined_set_is_an_error() {
        let text = edited(
            "criteria_sets = [\"A\", \"B\"]",
            "criteria_sets = [\"A\", \"D\"]",
        );
        let p = problems(&text);
        assert!(
            p.iter().any(
                |l| l.contains("criteria set \"D\" is not defined in [applicants]")
                    && l.contains(
                        "one of the file's sets: A, B, C, tightened:all, tightened:relevant"
                    )
            ),
            "{p:?}"
        );
        let text = edited(
            "{ channel = \"flexible\", criteria = \"A|B\" }",
            "{ channel = \"flexible\", criteria = \"A|E\" }",
        );
        assert!(problems(&text)
            .iter()
            .any(|l| l.contains("criteria set \"E\"")));
        // Aalborg without its [applicants]: its red step's sets are not defined.
        let aalborg = BUILTIN_AGREEMENTS[1].1;
        let cut = aalborg
            .find("\n[applicants]")
            .expect("Aalborg has [applicants]");
        let p = problems(&aalborg[..cut]);
        assert!(
            p.iter()
                .any(|l| l.contains("criteria set \"employment\" is not defined")),
            "{p:?}"
        );
    }

    /// A set is either its criteria or pending, never both nor neither.
    #[test]
    fn a_set_names_criteria_or_is_pending() {
        let text = edited("any = [\"C1\"]\n", "");
        assert!(problems(&text)
            .iter()
            .any(|l| l.contains("set \"C\" names no criteria")));
        let text = edited(
            "any = [\"C1\"]\n",
            "any = [\"C1\"]\npending = { value = \"x\", source = \"y\" }\n",
        );
        assert!(problems(&text)
            .iter()
            .any(|l| l.contains("set \"C\" is pending but names criteria")));
    }

    /// "At least N" is a set of its own: combined with '|' it is an error, as is a
    /// criterion listed twice in it.
    #[test]
    fn at_least_stands_alone() {
        let with_set = edited(
            "[applicants.ranking]",
            "[[applicants.set]]\nid = \"two\"\nlabel = { da = \"to\", en = \"two\" }\nsource = \"t\"\nat_least = { n = 2, of = [\"A1\", \"A2\", \"A1\"] }\n\n[applicants.ranking]",
        );
        let p = problems(&with_set);
        assert!(
            p.iter()
                .any(|l| l.contains("criterion \"A1\" is listed twice in at_least")),
            "{p:?}"
        );
        let union = with_set.replacen(
            "{ channel = \"flexible\", criteria = \"A|B\" }",
            "{ channel = \"flexible\", criteria = \"A|two\" }",
            1,
        );
        let p = problems(&union);
        assert!(
            p.iter()
                .any(|l| l.contains("asks for at least N and is combined with '|'")),
            "{p:?}"
        );
    }
}
