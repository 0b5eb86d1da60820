//! A table being read: the header resolved through the mapping, each cell parsed and
//! checked, every problem collected; and the reader that opens a CSV or XLSX table.

use std::collections::HashMap;

use trappe_rules::{Date, Figures, Pct};

use super::chars::{cells_are_clean, char_name, is_invisible};
use super::csv_file::read_csv_table;
use super::mapping::{fraction_to_pct, normalize_header};
use super::xlsx::{is_xlsx, read_xlsx_table};
use super::{
    short_list, shorten, ColumnMapping, InputError, InputErrors, TableOptions, MAX_COLUMNS,
    MAX_PROBLEMS, MAX_VALUE_CHARS,
};

/// A table being read: the header's columns and the problems found so far.
pub(super) struct Table<'a> {
    pub(super) file: &'a str,
    /// The header's columns as trappe names (mapped, or the header lower-cased), in file
    /// order. A linear search beats hashing here: a handful of short names, mostly told
    /// apart by length alone.
    pub(super) columns: Vec<String>,
    /// The header cells as the file writes them (trimmed), in file order.
    pub(super) headers: Vec<String>,
    /// Whether each column was found through the mapping, and whether it holds fractions.
    pub(super) mapped: Vec<bool>,
    pub(super) fraction: Vec<bool>,
    pub(super) mapping: Option<&'a ColumnMapping>,
    pub(super) errors: Vec<InputError>,
    pub(super) truncated: bool,
    /// Data rows seen (not counting empty ones).
    pub(super) rows: usize,
}

impl<'a> Table<'a> {
    /// Resolves the header through the mapping and checks the required columns.
    pub(super) fn open(
        file: &'a str,
        mapping: Option<&'a ColumnMapping>,
        header: &csv::StringRecord,
        line: u64,
        required: &[&str],
    ) -> Result<Self, InputErrors> {
        let mut table = Table {
            file,
            columns: Vec::with_capacity(header.len()),
            headers: Vec::with_capacity(header.len()),
            mapped: Vec::with_capacity(header.len()),
            fraction: Vec::with_capacity(header.len()),
            mapping,
            errors: Vec::new(),
            truncated: false,
            rows: 0,
        };
        if header.len() > MAX_COLUMNS {
            let first: Vec<&str> = header.iter().take(5).map(str::trim).collect();
            table.push(
                line,
                "",
                "",
                format!(
                    "the header has {} columns ({}, …); trappe reads at most {MAX_COLUMNS}",
                    header.len(),
                    first.join(", ")
                ),
            );
            return Err(InputErrors {
                errors: table.errors,
                truncated: false,
            });
        }
        for (i, h) in header.iter().enumerate() {
            let h = h.trim();
            // A header with an invisible character would match no column: its values
            // would be dropped without a word.
            // (White space, line breaks included, is folded by the comparison.)
            let hidden = h
                .chars()
                .enumerate()
                .find(|&(_, c)| !c.is_whitespace() && (c.is_control() || is_invisible(c)));
            if let Some((at, c)) = hidden.map(|(i, c)| (i + 1, c)) {
                let shown = shorten(h, 40);
                table.push(
                    line,
                    "",
                    "",
                    format!(
                        "the header of column {} ({shown:?}) holds the character {} at position {at}; remove it",
                        i + 1,
                        char_name(c)
                    ),
                );
            }
            let normal = normalize_header(h);
            match mapping.and_then(|m| m.for_header(&normal)) {
                Some(m) => {
                    table.columns.push(m.column.to_string());
                    table.mapped.push(true);
                    table.fraction.push(m.fraction);
                }
                None => {
                    table.columns.push(normal);
                    table.mapped.push(false);
                    table.fraction.push(false);
                }
            }
            table.headers.push(h.to_string());
        }
        // A mapped header and a column under trappe's own name must not both give one
        // column: which one would be read is not obvious.
        let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(table.columns.len());
        let mut clashes = Vec::new();
        for (j, c) in table.columns.iter().enumerate() {
            match first_of.get(c.as_str()) {
                Some(&i) if table.mapped[i] || table.mapped[j] => clashes.push((i, j)),
                Some(_) => {}
                None => {
                    first_of.insert(c, j);
                }
            }
        }
        for (i, j) in clashes {
            let c = table.columns[i].clone();
            let (a, b) = (table.headers[i].clone(), table.headers[j].clone());
            table.push(
                line,
                "",
                "",
                format!("the columns {a:?} and {b:?} both give the column {c}; remove one, or change the mapping"),
            );
        }
        let missing: Vec<String> = required
            .iter()
            .copied()
            .filter(|c| !table.has(c))
            .map(|c| match mapping.and_then(|m| m.for_column(c)) {
                Some(m) => format!("{c} (expected header {:?})", m.header),
                None => c.to_string(),
            })
            .collect();
        if !missing.is_empty() {
            table.push(
                line,
                "",
                "",
                format!(
                    "the header lacks the column(s) {}; found: {}",
                    missing.join(", "),
                    short_list(&table.headers, 20)
                ),
            );
        }
        if table.errors.is_empty() {
            Ok(table)
        } else {
            Err(InputErrors {
                errors: table.errors,
                truncated: table.truncated,
            })
        }
    }

    /// How errors name a column: the file's own header for a mapped column, with trappe's
    /// name in parentheses.
    pub(super) fn label(&self, column: &str) -> String {
        if column.is_empty() {
            return String::new();
        }
        match self.columns.iter().position(|c| c == column) {
            Some(i) if self.mapped[i] => format!("{} ({column})", self.headers[i]),
            Some(_) => column.to_string(),
            None => match self.mapping.and_then(|m| m.for_column(column)) {
                Some(m) => format!("{} ({column})", m.header),
                None => column.to_string(),
            },
        }
    }

    pub(super) fn is_fraction(&self, column: &str) -> bool {
        self.columns
            .iter()
            .position(|c| c == column)
            .is_some_and(|i| self.fraction[i])
    }

    /// The row's id in `column` (required), refused when an earlier row has it.
    pub(super) fn unique_id(
        &mut self,
        rec: &csv::StringRecord,
        line: u64,
        column: &str,
        seen: &mut std::collections::HashMap<String, u64>,
    ) -> String {
        let id = self.text(rec, line, column);
        if let Some(first) = seen.insert(id.clone(), line) {
            self.push(
                line,
                column,
                &id,
                format!("is a duplicate id (first on line {first})"),
            );
        }
        id
    }

    pub(super) fn push(
        &mut self,
        line: u64,
        column: &str,
        value: &str,
        expected: impl Into<String>,
    ) {
        if self.errors.len() >= MAX_PROBLEMS {
            self.truncated = true;
            return;
        }
        self.errors.push(InputError {
            file: self.file.to_string(),
            line,
            column: self.label(column),
            value: shorten(value, MAX_VALUE_CHARS),
            expected: expected.into(),
        });
    }

    pub(super) fn has(&self, column: &str) -> bool {
        self.columns.iter().any(|c| c == column)
    }

    pub(super) fn cell<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| record.get(i))
            .map_or("", str::trim)
    }

    pub(super) fn text(&mut self, rec: &csv::StringRecord, line: u64, column: &str) -> String {
        let v = self.cell(rec, column);
        if v.is_empty() {
            self.push(line, column, v, "is empty; a value is required");
        }
        v.to_string()
    }

    pub(super) fn opt_text(&self, rec: &csv::StringRecord, column: &str) -> Option<String> {
        let v = self.cell(rec, column);
        (!v.is_empty()).then(|| v.to_string())
    }

    pub(super) fn count(
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
    pub(super) fn pct(
        &mut self,
        rec: &csv::StringRecord,
        line: u64,
        column: &str,
        max: u32,
    ) -> Option<Pct> {
        let v = self.cell(rec, column);
        if v.is_empty() {
            return None;
        }
        let fraction = self.is_fraction(column);
        match parse_decimal(v).map(|d| if fraction { fraction_to_pct(d) } else { d }) {
            Some(d) if d >= Pct::ZERO && d <= Pct::from(max) => Some(d),
            Some(_) if fraction => {
                let top = Pct::from(max) / Pct::from(100);
                self.push(
                    line,
                    column,
                    v,
                    format!("is outside 0–{top} (a fraction: 0.254 means 25.4 %)"),
                );
                None
            }
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

    pub(super) fn date(
        &mut self,
        rec: &csv::StringRecord,
        line: u64,
        column: &str,
    ) -> Option<Date> {
        let v = self.cell(rec, column);
        match parse_date(v) {
            Some(d) => Some(d),
            None => {
                self.push(line, column, v, "is not a date (YYYY-MM-DD or DD-MM-YYYY)");
                None
            }
        }
    }

    pub(super) fn figures(&mut self, rec: &csv::StringRecord, line: u64) -> Option<Figures> {
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
            let missing: Vec<String> = cols
                .iter()
                .zip(&present)
                .filter(|(_, p)| !**p)
                .map(|(c, _)| self.label(c))
                .collect();
            let first = cols[present.iter().position(|p| !p).unwrap_or(0)];
            self.push(line, first, "", format!("is empty while other indicators are given; give all four indicators or none (missing: {})", missing.join(", ")));
            return None;
        }
        Some(Figures {
            unemployment_pct: u?,
            convictions_pct: c?,
            primary_education_pct: e?,
            income_pct: i?,
        })
    }

    pub(super) fn finish<T>(self, rows: Vec<T>) -> Result<Vec<T>, InputErrors> {
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

/// Hands a non-empty row with clean cells to the row parser; counts the data rows.
pub(super) fn feed<'a>(
    table: &mut Table<'a>,
    line: u64,
    rec: &csv::StringRecord,
    row: &mut impl FnMut(&mut Table<'a>, u64, &csv::StringRecord),
) {
    if rec.iter().all(|c| c.trim().is_empty()) {
        return; // Spreadsheets leave empty trailing rows.
    }
    table.rows += 1;
    if cells_are_clean(table, line, rec) {
        row(table, line, rec);
    }
}

/// Opens a table (CSV or XLSX), reads the header, checks the required columns and hands
/// every row with its line number to `row`.
pub(super) fn read_table<'a>(
    bytes: &[u8],
    file: &'a str,
    opts: TableOptions<'a>,
    required: &[&str],
    row: impl FnMut(&mut Table<'a>, u64, &csv::StringRecord),
) -> Result<Table<'a>, InputErrors> {
    let empty = || {
        InputErrors::one(
            file,
            1,
            format!(
                "the file is empty; expected a header line with the columns {}",
                required.join(", ")
            ),
        )
    };
    if bytes.is_empty() {
        return Err(empty());
    }
    let (mut table, header_line) = if is_xlsx(bytes, file) {
        read_xlsx_table(bytes, file, opts, required, row)?
    } else {
        read_csv_table(bytes, file, opts, required, row)?
    };
    if table.rows == 0 && table.errors.is_empty() {
        table.push(
            header_line + 1,
            "",
            "",
            "expected rows of data below the header, but there are none; a file with only its header would mean that everything it lists is gone",
        );
    }
    Ok(table)
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
}
