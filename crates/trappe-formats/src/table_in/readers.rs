//! The readers of each kind of file: departments, areas, pools, homes and decisions.

use std::collections::HashMap;

use trappe_rules::designation::{AreaCounts, Count};
use trappe_rules::placement::{Area, AreaDecision, Department, OfficialPool};
use trappe_rules::{Designation, Pct};

use super::table::{read_table, Table};
use super::{parse_decimal, InputErrors, TableOptions};

const DEPARTMENT_COLUMNS: &[&str] = &[
    "department_id",
    "name",
    "organisation_id",
    "area_id",
    "local_district",
    "family_homes",
    "residents",
];

/// Reads a departments file (the columns of `trappe classify`), CSV or XLSX.
pub fn read_departments(bytes: &[u8], file: &str) -> Result<Vec<Department>, InputErrors> {
    read_departments_with(bytes, file, TableOptions::default())
}

/// [`read_departments`] with a sheet and a column mapping.
pub fn read_departments_with(
    bytes: &[u8],
    file: &str,
    opts: TableOptions<'_>,
) -> Result<Vec<Department>, InputErrors> {
    let mut rows = Vec::with_capacity(bytes.len() / 100);
    let mut seen: HashMap<String, u64> = HashMap::with_capacity(bytes.len() / 100);
    let t = read_table(bytes, file, opts, DEPARTMENT_COLUMNS, |t, line, rec| {
        let id = t.unique_id(rec, line, "department_id", &mut seen);
        let name = t.cell(rec, "name").to_string();
        let organisation_id = t.text(rec, line, "organisation_id");
        let local_district = t.cell(rec, "local_district").to_string();
        let family = t.count(rec, line, "family_homes", true);
        let youth = if t.has("youth_homes") {
            t.count(rec, line, "youth_homes", false)
        } else {
            None
        };
        let elderly = if t.has("elderly_homes") {
            t.count(rec, line, "elderly_homes", false)
        } else {
            None
        };
        let residents = t.count(rec, line, "residents", true);
        let figures = t.figures(rec, line);
        let non_western = t.pct(rec, line, "non_western_pct", 100);
        let allocated = t.pct(rec, line, "allocated_pct", 100);
        let (Some(family_homes), Some(residents)) = (family, residents) else {
            return;
        };
        rows.push(Department {
            id,
            name,
            organisation_id,
            municipality_code: t.opt_text(rec, "municipality_code"),
            area_id: t.opt_text(rec, "area_id"),
            local_district,
            family_homes,
            youth_homes: youth.unwrap_or(0),
            elderly_homes: elderly.unwrap_or(0),
            residents,
            figures,
            non_western_pct: non_western,
            allocated_pct: allocated,
        });
    })?;
    t.finish(rows)
}

/// Reads an areas file. With `need_figures`, every area must carry the indicator
/// columns and the origin share (for `trappe designate`).
pub fn read_areas(bytes: &[u8], file: &str, need_figures: bool) -> Result<Vec<Area>, InputErrors> {
    read_areas_with(bytes, file, need_figures, TableOptions::default())
}

/// [`read_areas`] with a sheet and a column mapping.
pub fn read_areas_with(
    bytes: &[u8],
    file: &str,
    need_figures: bool,
    opts: TableOptions<'_>,
) -> Result<Vec<Area>, InputErrors> {
    let mut required = vec!["area_id", "name", "residents"];
    if need_figures {
        required.extend([
            "unemployment_pct",
            "convictions_pct",
            "primary_education_pct",
            "income_pct",
            "non_western_pct",
        ]);
    }
    let mut rows = Vec::with_capacity(bytes.len() / 100);
    let mut seen: HashMap<String, u64> = HashMap::new();
    let t = read_table(bytes, file, opts, &required, |t, line, rec| {
        let id = t.unique_id(rec, line, "area_id", &mut seen);
        let residents = t.count(rec, line, "residents", true);
        let official = match t.cell(rec, "designation") {
            "" => None,
            v => match v.parse::<Designation>() {
                Ok(d) => Some(d),
                Err(e) => {
                    let v = v.to_string();
                    t.push(
                        line,
                        "designation",
                        &v,
                        format!("is not a designation; {e}"),
                    );
                    None
                }
            },
        };
        let figures = t.figures(rec, line);
        let non_western = t.pct(rec, line, "non_western_pct", 100);
        if need_figures {
            if figures.is_none() && t.cell(rec, "unemployment_pct").is_empty() {
                t.push(
                    line,
                    "unemployment_pct",
                    "",
                    "is empty; designate needs all four indicators",
                );
            }
            if non_western.is_none() && t.cell(rec, "non_western_pct").is_empty() {
                t.push(
                    line,
                    "non_western_pct",
                    "",
                    "is empty; designate needs the origin share",
                );
            }
        }
        let count = |t: &mut Table<'_>, persons: &str, of: &str| -> Option<Count> {
            let p = t.count(rec, line, persons, false);
            let o = t.count(rec, line, of, false);
            match (p, o) {
                (Some(persons), Some(of)) if persons <= of => Some(Count { persons, of }),
                (Some(p), Some(o)) => {
                    t.push(line, persons, &p.to_string(), format!("exceeds {of} ({o})"));
                    None
                }
                _ => None,
            }
        };
        let counts = AreaCounts {
            unemployment: count(t, "unemployed_count", "aged_18_64_count"),
            convictions: count(t, "convicted_count", "aged_18_plus_count"),
            primary_education: count(t, "primary_education_count", "aged_30_59_count"),
        };
        let prior = t
            .count(rec, line, "prior_parallelsamfund_lists", false)
            .unwrap_or(0);
        let Some(residents) = residents else { return };
        rows.push(Area {
            name: t.cell(rec, "name").to_string(),
            id,
            residents,
            official,
            figures,
            non_western_pct: non_western,
            counts,
            prior_parallelsamfund_lists: prior,
        });
    })?;
    t.finish(rows)
}

/// Reads a pools file: `pool_id, members` (space-separated department ids) and the
/// four indicator columns.
pub fn read_pools(bytes: &[u8], file: &str) -> Result<Vec<OfficialPool>, InputErrors> {
    read_pools_with(bytes, file, TableOptions::default())
}

/// [`read_pools`] with a sheet and a column mapping.
pub fn read_pools_with(
    bytes: &[u8],
    file: &str,
    opts: TableOptions<'_>,
) -> Result<Vec<OfficialPool>, InputErrors> {
    let required = [
        "pool_id",
        "members",
        "unemployment_pct",
        "convictions_pct",
        "primary_education_pct",
        "income_pct",
    ];
    let mut rows = Vec::new();
    let mut member_of: HashMap<String, String> = HashMap::new();
    let t = read_table(bytes, file, opts, &required, |t, line, rec| {
        let id = t.text(rec, line, "pool_id");
        let members: Vec<String> = t
            .cell(rec, "members")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if members.is_empty() {
            t.push(
                line,
                "members",
                "",
                "is empty; list the pool's department ids separated by spaces",
            );
        }
        for m in &members {
            if let Some(other) = member_of.insert(m.clone(), id.clone()) {
                t.push(
                    line,
                    "members",
                    m,
                    format!("is already a member of pool {other}"),
                );
            }
        }
        let figures = t.figures(rec, line);
        if figures.is_none() && t.cell(rec, "unemployment_pct").is_empty() {
            t.push(
                line,
                "unemployment_pct",
                "",
                "is empty; a pool needs its four indicators",
            );
        }
        if let Some(figures) = figures {
            rows.push(OfficialPool {
                id,
                members,
                figures,
            });
        }
    })?;
    t.finish(rows)
}

/// Reads a homes file: `department_id, home_id, address, kind` and the optional
/// columns `accessibility, disability_fitted_kr, disability_fitted_on, special,
/// special_since, cheap, first_use, shared_kitchen` (see docs/letting.md).
pub fn read_homes(bytes: &[u8], file: &str) -> Result<Vec<trappe_rules::wheel::Home>, InputErrors> {
    use trappe_rules::wheel::{Home, HomeKind, HomeSpecial};
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    let t = read_table(
        bytes,
        file,
        TableOptions::default(),
        &["department_id", "home_id", "address", "kind"],
        |t, line, rec| {
            let department_id = t.text(rec, line, "department_id");
            let id = t.text(rec, line, "home_id");
            let address = t.text(rec, line, "address");
            let kind_text = t.text(rec, line, "kind");
            let kind = HomeKind::parse(&kind_text);
            if kind.is_none() && !kind_text.is_empty() {
                t.push(
                    line,
                    "kind",
                    &kind_text,
                    "is not a kind of home; expected family, youth or elderly",
                );
            }
            let flag = |t: &mut Table<'_>, column: &str| -> bool {
                match t.cell(rec, column) {
                    "" | "0" | "no" | "nej" | "false" => false,
                    "1" | "yes" | "ja" | "true" => true,
                    other => {
                        let other = other.to_string();
                        t.push(
                            line,
                            column,
                            &other,
                            "is not yes/no; expected 1 or 0 (ja/nej, yes/no, true/false)",
                        );
                        false
                    }
                }
            };
            let accessibility = flag(t, "accessibility");
            let cheap = flag(t, "cheap");
            let fitted_kr = match t.cell(rec, "disability_fitted_kr") {
                "" => None,
                v => match parse_decimal(v) {
                    Some(d) if d >= Pct::ZERO => Some(d),
                    _ => {
                        let v = v.to_string();
                        t.push(
                            line,
                            "disability_fitted_kr",
                            &v,
                            "is not an amount in kr (digits with , or . as the decimal mark)",
                        );
                        None
                    }
                },
            };
            let fitted_on = if t.cell(rec, "disability_fitted_on").is_empty() {
                None
            } else {
                t.date(rec, line, "disability_fitted_on")
            };
            if fitted_kr.is_some() != fitted_on.is_some() && t.errors.is_empty() {
                t.push(
                    line,
                    "disability_fitted_on",
                    t.cell(rec, "disability_fitted_on"),
                    "and disability_fitted_kr go together: give both or neither",
                );
            }
            let special_text = t.cell(rec, "special").to_string();
            let special = if special_text.is_empty() {
                None
            } else {
                let s = HomeSpecial::parse(&special_text);
                if s.is_none() {
                    t.push(line, "special", &special_text, "is not a special home; expected saerbolig, youth_shared, special_group or subsidy (or empty)");
                }
                s
            };
            let special_since = if t.cell(rec, "special_since").is_empty() {
                None
            } else {
                t.date(rec, line, "special_since")
            };
            if special == Some(HomeSpecial::Subsidy)
                && special_since.is_none()
                && t.cell(rec, "special_since").is_empty()
            {
                t.push(
                    line,
                    "special_since",
                    "",
                    "is empty; a subsidised home needs the date of its first subsidy",
                );
            }
            let first_use = if t.cell(rec, "first_use").is_empty() {
                None
            } else {
                t.date(rec, line, "first_use")
            };
            if cheap && first_use.is_none() && t.cell(rec, "first_use").is_empty() {
                t.push(
                    line,
                    "first_use",
                    "",
                    "is empty; a cheap new-build home needs its first-use date",
                );
            }
            let shared_kitchen = t.opt_text(rec, "shared_kitchen");
            if let Some(previous) = seen.insert((department_id.clone(), id.clone()), line) {
                t.push(
                    line,
                    "home_id",
                    &id,
                    format!("appears twice in department {department_id} (also line {previous})"),
                );
            }
            if let Some(kind) = kind {
                rows.push(Home {
                    department_id,
                    id,
                    address,
                    kind,
                    accessibility,
                    disability_fitted: fitted_kr.zip(fitted_on),
                    special,
                    special_since,
                    cheap,
                    first_use,
                    shared_kitchen,
                });
            }
        },
    )?;
    t.finish(rows)
}

/// Reads a decisions file: `area_id, ground, decided_by, decided_on`.
pub fn read_decisions(bytes: &[u8], file: &str) -> Result<Vec<AreaDecision>, InputErrors> {
    read_decisions_with(bytes, file, TableOptions::default())
}

/// [`read_decisions`] with a sheet and a column mapping.
pub fn read_decisions_with(
    bytes: &[u8],
    file: &str,
    opts: TableOptions<'_>,
) -> Result<Vec<AreaDecision>, InputErrors> {
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let t = read_table(
        bytes,
        file,
        opts,
        &["area_id", "ground", "decided_by", "decided_on"],
        |t, line, rec| {
            // One decision per area in a file (the newest file replaces the one before).
            let area_id = t.unique_id(rec, line, "area_id", &mut seen);
            let ground = t.text(rec, line, "ground");
            if !ground.is_empty()
                && ground != "residents_over_threshold"
                && ground != "temporary_rehousing"
                && ground != "development_plan_completed"
            {
                t.push(
                    line,
                    "ground",
                    &ground,
                    "is not a ground; expected residents_over_threshold, temporary_rehousing or development_plan_completed",
                );
            }
            let decided_by = t.text(rec, line, "decided_by");
            let decided_on = t.date(rec, line, "decided_on");
            if let Some(decided_on) = decided_on {
                rows.push(AreaDecision {
                    area_id,
                    ground,
                    decided_by,
                    decided_on,
                });
            }
        },
    )?;
    t.finish(rows)
}

/// One row of the municipality's overview: a department and the colour it gives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OverviewRow {
    pub department_id: String,
    /// `red`, `yellow` or `green` (the file may write rød, gul, grøn, in any case).
    pub step: String,
    /// The row's line in the file (for errors found against the database).
    #[serde(skip)]
    pub line: u64,
}

/// The colours an overview may give, and how a file may write them.
const COLOURS: [(&str, &[&str]); 3] = [
    ("red", &["red", "rød"]),
    ("yellow", &["yellow", "gul"]),
    ("green", &["green", "grøn"]),
];

/// Reads the municipality's overview (`department_id`, `colour`), CSV or XLSX.
pub fn read_overview_with(
    bytes: &[u8],
    file: &str,
    opts: TableOptions<'_>,
) -> Result<Vec<OverviewRow>, InputErrors> {
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let t = read_table(
        bytes,
        file,
        opts,
        &["department_id", "colour"],
        |t, line, rec| {
            let id = t.unique_id(rec, line, "department_id", &mut seen);
            let written = t.cell(rec, "colour").to_string();
            let lower = written.to_lowercase();
            match COLOURS
                .iter()
                .find(|(_, names)| names.contains(&lower.as_str()))
            {
                Some((step, _)) => rows.push(OverviewRow {
                    department_id: id,
                    step: (*step).to_string(),
                    line,
                }),
                None => t.push(
                    line,
                    "colour",
                    &written,
                    "is not a colour; expected red, yellow or green (or rød, gul, grøn)",
                ),
            }
        },
    )?;
    t.finish(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table_in::test_util::HEADER;

    /// The overview's colours in both languages and any case; anything else, an empty
    /// colour and a duplicate department are refused with line, column and value.
    #[test]
    fn an_overview_reads_colours_in_both_languages_and_refuses_others() {
        let ok = "department_id,colour\n851-1,Rød\n851-2,gul\n851-3,GREEN\n";
        let rows = read_overview_with(ok.as_bytes(), "o.csv", TableOptions::default()).unwrap();
        let steps: Vec<&str> = rows.iter().map(|r| r.step.as_str()).collect();
        assert_eq!(steps, ["red", "yellow", "green"]);
        assert_eq!(rows[2].line, 4);
        let bad = "department_id,colour\n851-1,orange\n851-2,\n851-1,red\n";
        let err = read_overview_with(bad.as_bytes(), "o.csv", TableOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("o.csv line 2, column colour: \"orange\" is not a colour"),
            "{err}"
        );
        assert!(
            err.contains("line 3, column colour: \"\" is not a colour"),
            "{err}"
        );
        assert!(
            err.contains(
                "line 4, column department_id: \"851-1\" is a duplicate id (first on line 2)"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_bad_number_names_file_line_column_and_value() {
        let text = format!("{HEADER}d1;A;o1;;Amager;120;250;4,5x;1,1;30,0;80,0;15,0\n");
        let err = read_departments(text.as_bytes(), "departments.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "departments.csv line 2, column unemployment_pct: \"4,5x\" is not a number (use digits with , or . as the decimal mark)"
        );
    }

    #[test]
    fn every_bad_row_is_reported_and_duplicates_named() {
        let text = format!("{HEADER}d1;A;o1;;X;120;250;;;;;101\nd1;B;o1;;X;-3;250;;;;;1\n");
        let err = read_departments(text.as_bytes(), "d.csv")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2, column allocated_pct: \"101\" is outside 0–100"),
            "{err}"
        );
        assert!(
            err.contains(
                "line 3, column department_id: \"d1\" is a duplicate id (first on line 2)"
            ),
            "{err}"
        );
        assert!(
            err.contains("line 3, column family_homes: \"-3\" is not a whole number"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_designation_is_an_error() {
        let text = "area_id,name,residents,designation\na1,Nord,1200,ghetto\n";
        let err = read_areas(text.as_bytes(), "areas.csv", false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("column designation: \"ghetto\" is not a designation"),
            "{err}"
        );
    }
}
