//! Departments, areas, pools and decisions files: CSV or XLSX → rules input types.
//!
//! The files come from Danish spreadsheets, so the reader accepts `;` or `,` as the
//! separator (detected from the header line), `,` or `.` as the decimal mark, UTF-8 with
//! or without a byte-order mark, and Windows-1252. XLSX workbooks are read directly
//! (one sheet; cached formula values; date cells as ISO dates), their rows fed through the
//! same per-row parsing as CSV. A [`ColumnMapping`] (TOML) renames another layout's
//! headers to trappe's columns. Every bad cell is reported with file, line (the
//! spreadsheet's row number), column, value and what was expected; a file with any bad
//! row yields no data.
//!
//! The parts: `table` (a table being read, its cells parsed and checked, with `chars` for
//! the characters a cell may not hold), `csv_file` and `xlsx` (the two file formats),
//! `files` (reading a file from disk with its size limits), `mapping` (column mappings)
//! and `readers` (one reader per kind of file).

pub(crate) mod chars;
mod csv_file;
mod files;
mod mapping;
mod readers;
mod table;
mod xlsx;

use std::fmt;

pub use chars::is_invisible;
pub(crate) use chars::{char_name, forbidden_char};
pub use csv_file::decode;
pub use files::{read_input_file, DEFAULT_MAX_FILE_BYTES};
pub use mapping::{
    load_mapping, parse_mapping, ColumnMapping, MappedColumn, TableOptions, KNOWN_COLUMNS,
};
pub use readers::{
    read_areas, read_areas_with, read_decisions, read_decisions_with, read_departments,
    read_departments_with, read_homes, read_overview_with, read_pools, read_pools_with,
    OverviewRow,
};
pub use table::{parse_date, parse_decimal};
pub use xlsx::{check_zip_expansion, is_xlsx};

/// At most this many problems are collected from one file.
pub const MAX_PROBLEMS: usize = 100;

/// The most columns a table may have (CSV header or XLSX sheet). trappe's widest layout
/// has about 30.
pub const MAX_COLUMNS: usize = 500;
/// The most rows an XLSX sheet may reach (its last row number). A national departments
/// file has about 10,000; a large municipality's homes register about 100,000.
pub const MAX_SHEET_ROWS: u32 = 500_000;
/// The most non-empty cells read from one XLSX sheet (the national departments file has
/// about 160,000; a homes register of 100,000 homes at most 1,200,000).
pub const MAX_SHEET_CELLS: u64 = 2_000_000;
/// The most an XLSX workbook may unpack to (every part of the zip archive together). The
/// national departments workbook of 10,000 rows unpacks to 5.3 MB.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// A value quoted in an error message is cut to this many characters.
const MAX_VALUE_CHARS: usize = 80;

/// A value cut to `max` characters for a message ("…" marks the cut).
fn shorten(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &value[..i]),
        None => value.to_string(),
    }
}

/// The first `max` of a list, joined, with how many there are in all when cut.
fn short_list(items: &[String], max: usize) -> String {
    let shown: Vec<String> = items.iter().take(max).map(|h| shorten(h, 40)).collect();
    if items.len() > max {
        format!("{}, … ({} in all)", shown.join(", "), items.len())
    } else {
        shown.join(", ")
    }
}

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
        if self.line == 0 && self.column.is_empty() {
            // A problem with the file as a whole (size, format, sheet).
            write!(f, "{}: {}", self.file, self.expected)
        } else if self.column.is_empty() {
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

impl InputErrors {
    /// One problem with the file as a whole (line 0: no line is shown).
    pub fn whole_file(file: &str, expected: impl Into<String>) -> Self {
        Self::one(file, 0, expected)
    }

    fn one(file: &str, line: u64, expected: impl Into<String>) -> Self {
        InputErrors {
            errors: vec![InputError {
                file: file.to_string(),
                line,
                column: String::new(),
                value: String::new(),
                expected: expected.into(),
            }],
            truncated: false,
        }
    }
}

/// A departments file's header, for the tests of the CSV reader and the row readers.
#[cfg(test)]
mod test_util {
    pub(super) const HEADER: &str = "department_id;name;organisation_id;area_id;local_district;family_homes;residents;unemployment_pct;convictions_pct;primary_education_pct;income_pct;allocated_pct\n";
}
