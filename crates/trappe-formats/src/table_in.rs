//! Departments, areas, pools and decisions files: CSV → rules input types.
//!
//! The files come from Danish spreadsheets, so the reader accepts `;` or `,` as the
//! separator (detected from the header line), `,` or `.` as the decimal mark, UTF-8 with
//! or without a byte-order mark, and Windows-1252. Every bad cell is reported with file,
//! line, column, value and what was expected; a file with any bad row yields no data.

use std::collections::HashMap;
use std::fmt;

use trappe_rules::designation::{AreaCounts, Count};
use trappe_rules::placement::{Area, AreaDecision, Department, OfficialPool};
use trappe_rules::{Date, Designation, Figures, Pct};

/// At most this many problems are collected from one file.
pub const MAX_PROBLEMS: usize = 100;

/// One bad cell (or row, or header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub value: String,
    pub expected: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "{} line {}: {}", self.file, self.line, self.expected)
        } else {
            write!(
                f,
                "{} line {}, column {}: {:?} {}",
                self.file, self.line, self.column, self.value, self.expected
            )
        }
    }
}

/// Every problem found in a file (up to [`MAX_PROBLEMS`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InputErrors {
    pub errors: Vec<InputError>,
    pub truncated: bool,
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.truncated {
            write!(
                f,
                "\n(more problems not shown; the first {MAX_PROBLEMS} are listed)"
            )?;
        }
        Ok(())
    }
}

/// Decodes a file's bytes: UTF-8 (BOM stripped) or, failing that, Windows-1252.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// A table being read: the header's columns and the problems found so far.
struct Table<'a> {
    file: &'a str,
    /// The header's column names, lower-cased, in file order. A linear search beats
    /// hashing here: a handful of short names, mostly told apart by length alone.
    columns: Vec<String>,
    errors: Vec<InputError>,
    truncated: bool,
}

impl<'a> Table<'a> {
    fn push(&mut self, line: u64, column: &str, value: &str, expected: impl Into<String>) {
        if self.errors.len() >= MAX_PROBLEMS {
            self.truncated = true;
            return;
        }
        self.errors.push(InputError {
            file: self.file.to_string(),
            line,
            column: column.to_string(),
            value: value.to_string(),
            expected: expected.into(),
        });
    }

    fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }

    fn cell<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| record.get(i))
            .map_or("", str::trim)
    }

    fn text(&mut self, rec: &csv::StringRecord, line: u64, column: &str) -> String {
        let v = self.cell(rec, column);
        if v.is_empty() {
            self.push(line, column, v, "is empty; a value is required");
        }
        v.to_string()
    }

    fn opt_text(&self, rec: &csv::StringRecord, column: &str) -> Option<String> {
        let v = self.cell(rec, column);
        (!v.is_empty()).then(|| v.to_string())
    }

    fn count(
        &mut self,
        rec: &csv::StringRecord,
        line: u64,
        column: &str,
        required: bool,
    ) -> Option<u32> {
        let v = self.cell(rec, column);
        if v.is_empty() {
            if required {
                self.push(line, column, v, "is empty; a whole number is required");
            }
            return None;
        }
        match v.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.push(
                    line,
                    column,
                    v,
                    "is not a whole number (digits only, no separators)",
                );
                None
            }
        }
    }

    /// A percentage; `max` is 100 for shares.
    fn pct(&mut self, rec: &csv::StringRecord, line: u64, column: &str, max: u32) -> Option<Pct> {
        let v = self.cell(rec, column);
        if v.is_empty() {
            return None;
        }
        match parse_decimal(v) {
            Some(d) if d >= Pct::ZERO && d <= Pct::from(max) => Some(d),
            Some(_) => {
                self.push(line, column, v, format!("is outside 0–{max}"));
                None
            }
            None => {
                self.push(
                    line,
                    column,
                    v,
                    "is not a number (use digits with , or . as the decimal mark)",
                );
                None
            }
        }
    }

    fn date(&mut self, rec: &csv::StringRecord, line: u64, column: &str) -> Option<Date> {
        let v = self.cell(rec, column);
        match parse_date(v) {
            Some(d) => Some(d),
            None => {
                self.push(line, column, v, "is not a date (YYYY-MM-DD or DD-MM-YYYY)");
                None
            }
        }
    }

    fn figures(&mut self, rec: &csv::StringRecord, line: u64) -> Option<Figures> {
        let cols = [
            "unemployment_pct",
            "convictions_pct",
            "primary_education_pct",
            "income_pct",
        ];
        let present: [bool; 4] = cols.map(|c| !self.cell(rec, c).is_empty());
        let u = self.pct(rec, line, cols[0], 100);
        let c = self.pct(rec, line, cols[1], 100);
        let e = self.pct(rec, line, cols[2], 100);
        let i = self.pct(rec, line, cols[3], 1000);
        if present.iter().any(|p| *p) && !present.iter().all(|p| *p) {
            let missing: Vec<&str> = cols
                .iter()
                .zip(&present)
                .filter(|(_, p)| !**p)
                .map(|(c, _)| *c)
                .collect();
            self.push(line, missing[0], "", format!("is empty while other indicators are given; give all four indicators or none (missing: {})", missing.join(", ")));
            return None;
        }
        Some(Figures {
            unemployment_pct: u?,
            convictions_pct: c?,
            primary_education_pct: e?,
            income_pct: i?,
        })
    }

    fn finish<T>(self, rows: Vec<T>) -> Result<Vec<T>, InputErrors> {
        if self.errors.is_empty() {
            Ok(rows)
        } else {
            Err(InputErrors {
                errors: self.errors,
                truncated: self.truncated,
            })
        }
    }
}

/// Parses "4,5", "4.5", "4.5 %" into an exact decimal.
pub fn parse_decimal(s: &str) -> Option<Pct> {
    let s = s.trim().trim_end_matches('%').trim_end();
    let mut marks = s.bytes().filter(|b| *b == b',' || *b == b'.');
    if s.is_empty() || marks.next().is_some() && marks.next().is_some() {
        return None;
    }
    if !s
        .bytes()
        .enumerate()
        .all(|(i, b)| b.is_ascii_digit() || b == b'.' || b == b',' || (i == 0 && b == b'-'))
    {
        return None;
    }
    match s.find(',') {
        Some(i) => {
            let mut dotted = s.to_string();
            dotted.replace_range(i..=i, ".");
            dotted.parse().ok()
        }
        None => s.parse().ok(),
    }
}

/// Parses ISO dates and the Danish DD-MM-YYYY (also with `.` or `/`).
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    Date::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| Date::parse_from_str(s, "%d-%m-%Y"))
        .or_else(|_| Date::parse_from_str(s, "%d.%m.%Y"))
        .or_else(|_| Date::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// Opens a table: decodes, detects the separator, reads the header and checks the
/// required columns. Returns the records with their line numbers.
fn read_table<'a>(
    bytes: &[u8],
    file: &'a str,
    required: &[&str],
    mut row: impl FnMut(&mut Table<'a>, u64, &csv::StringRecord),
) -> Result<Table<'a>, InputErrors> {
    let text = decode(bytes);
    let fail = |line, expected: String| InputErrors {
        errors: vec![InputError {
            file: file.to_string(),
            line,
            column: String::new(),
            value: String::new(),
            expected,
        }],
        truncated: false,
    };
    let first = text.lines().next().unwrap_or("");
    if first.trim().is_empty() {
        return Err(fail(
            1,
            format!(
                "the file is empty; expected a header line with the columns {}",
                required.join(", ")
            ),
        ));
    }
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| fail(1, format!("the header cannot be read: {e}")))?
        .clone();
    let columns: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|c| !columns.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(fail(
            1,
            format!(
                "the header lacks the column(s) {}; found: {}",
                missing.join(", "),
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let mut table = Table {
        file,
        columns,
        errors: Vec::new(),
        truncated: false,
    };
    // One record, reused for every row: rows are handed to `row` as they are read.
    let mut rec = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line());
                if rec.iter().all(|c| c.trim().is_empty()) {
                    continue; // Spreadsheets leave empty trailing rows.
                }
                row(&mut table, line, &rec);
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let expected = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("has {len} fields; the header has {expected_len} (a row cut short, or a separator inside an unquoted value)")
                    }
                    _ => format!("cannot be read: {e}"),
                };
                table.push(line, "", "", expected);
                // A cut-off or malformed row leaves the reader past it; an IO error
                // cannot occur on bytes in memory, so reading on is safe.
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                ) {
                    break;
                }
            }
        }
    }
    Ok(table)
}

const DEPARTMENT_COLUMNS: &[&str] = &[
    "department_id",
    "name",
    "organisation_id",
    "area_id",
    "local_district",
    "family_homes",
    "residents",
];

/// Reads a departments file (the columns of `trappe classify`).
pub fn read_departments(bytes: &[u8], file: &str) -> Result<Vec<Department>, InputErrors> {
    let mut rows = Vec::with_capacity(bytes.len() / 100);
    let mut seen: HashMap<String, u64> = HashMap::with_capacity(bytes.len() / 100);
    let t = read_table(bytes, file, DEPARTMENT_COLUMNS, |t, line, rec| {
        let id = t.text(rec, line, "department_id");
        if let Some(first) = seen.insert(id.clone(), line) {
            t.push(
                line,
                "department_id",
                &id,
                format!("is a duplicate id (first on line {first})"),
            );
        }
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
    let t = read_table(bytes, file, &required, |t, line, rec| {
        let id = t.text(rec, line, "area_id");
        if let Some(first) = seen.insert(id.clone(), line) {
            t.push(
                line,
                "area_id",
                &id,
                format!("is a duplicate id (first on line {first})"),
            );
        }
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
    let t = read_table(bytes, file, &required, |t, line, rec| {
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

/// Reads a decisions file: `area_id, ground, decided_by, decided_on`.
pub fn read_decisions(bytes: &[u8], file: &str) -> Result<Vec<AreaDecision>, InputErrors> {
    let mut rows = Vec::new();
    let t = read_table(
        bytes,
        file,
        &["area_id", "ground", "decided_by", "decided_on"],
        |t, line, rec| {
            let area_id = t.text(rec, line, "area_id");
            let ground = t.text(rec, line, "ground");
            if !ground.is_empty()
                && ground != "residents_over_threshold"
                && ground != "temporary_rehousing"
            {
                t.push(
                    line,
                    "ground",
                    &ground,
                    "is not a ground; expected residents_over_threshold or temporary_rehousing",
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("4,5", Some("4.5"))]
    #[case("4.5", Some("4.5"))]
    #[case(" 40 ", Some("40"))]
    #[case("35,0 %", Some("35.0"))]
    #[case("4,5x", None)]
    #[case("1.234,5", None)]
    #[case("", None)]
    fn decimals_with_danish_or_english_mark(#[case] input: &str, #[case] expected: Option<&str>) {
        assert_eq!(parse_decimal(input), expected.map(|e| e.parse().unwrap()));
    }

    const HEADER: &str = "department_id;name;organisation_id;area_id;local_district;family_homes;residents;unemployment_pct;convictions_pct;primary_education_pct;income_pct;allocated_pct\n";

    #[test]
    fn semicolons_decimal_commas_and_bom() {
        let text =
            format!("\u{feff}{HEADER}d1;Øresund;o1;;Amager;120;250;12,5;1,1;30,0;80,0;15,0\n");
        let rows = read_departments(text.as_bytes(), "d.csv").unwrap();
        assert_eq!(rows[0].name, "Øresund");
        assert_eq!(
            rows[0].figures.unwrap().unemployment_pct,
            "12.5".parse().unwrap()
        );
    }

    #[test]
    fn windows_1252_is_decoded() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"d1;\xd8resund;o1;;Amager;120;250;12,5;1,1;30,0;80,0;15,0\n");
        let rows = read_departments(&bytes, "d.csv").unwrap();
        assert_eq!(rows[0].name, "Øresund");
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
    fn a_row_cut_short_is_an_error() {
        let text = format!("{HEADER}d1;A;o1;;X;120\n");
        let err = read_departments(text.as_bytes(), "d.csv")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("d.csv line 2: has 6 fields; the header has 12"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_file_and_a_missing_column_are_errors() {
        let err = read_departments(b"", "d.csv").unwrap_err().to_string();
        assert!(err.contains("the file is empty"), "{err}");
        let err = read_departments(b"department_id,name\n", "d.csv")
            .unwrap_err()
            .to_string();
        assert!(err.contains("lacks the column(s) organisation_id"), "{err}");
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
