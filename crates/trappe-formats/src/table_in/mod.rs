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

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, Cursor, Read};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use trappe_rules::designation::{AreaCounts, Count};
use trappe_rules::placement::{Area, AreaDecision, Department, OfficialPool};
use trappe_rules::{Date, Designation, Figures, Pct};

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

/// Decodes a CSV file's bytes.
///
/// UTF-8, with a byte-order mark only at the very start (dropped). A file with some byte
/// that is not UTF-8 and no multi-byte UTF-8 sequence at all is Windows-1252 (what a
/// Danish Excel saves as "CSV (semikolonsepareret)"). A file that holds valid multi-byte
/// UTF-8 *and* an invalid byte is an error at the first invalid byte: it was written as
/// UTF-8 and is damaged, and reading it as Windows-1252 would silently turn every æ, ø and
/// å into two wrong characters ("SÃ¸ren"). UTF-16 (Excel's "Unicode text") is refused with
/// what to save instead.
pub fn decode<'b>(bytes: &'b [u8], file: &str) -> Result<std::borrow::Cow<'b, str>, InputErrors> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(InputErrors::whole_file(
            file,
            "is UTF-16 text (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" or as an Excel workbook (.xlsx)",
        ));
    }
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(std::borrow::Cow::Borrowed(s)),
        Err(e) => {
            // A UTF-8 byte-order mark says as much as any multi-byte character.
            let multibyte = bom
                || bytes
                    .utf8_chunks()
                    .any(|chunk| chunk.valid().bytes().any(|b| b >= 0x80));
            if !multibyte {
                return Ok(encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0);
            }
            let at = e.valid_up_to();
            let before = &bytes[..at];
            // Lines end in \n, \r\n or (old Mac files) \r alone.
            let line = before
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && before.get(i + 1) != Some(&b'\n')))
                .count() as u64
                + 1;
            let start = before
                .iter()
                .rposition(|&b| b == b'\n' || b == b'\r')
                .map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
            let example = bytes
                .utf8_chunks()
                .flat_map(|chunk| chunk.valid().chars())
                .find(|c| !c.is_ascii())
                .map_or("a UTF-8 byte-order mark".to_string(), |c| format!("{c:?}"));
            Err(InputErrors::one(
                file,
                line,
                format!(
                    "character {column}: the byte 0x{:02X} is not UTF-8, but the file is UTF-8 elsewhere (it holds {example}); the file is damaged — save it again as \"CSV UTF-8\"",
                    bytes[at]
                ),
            ))
        }
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

/// A table being read: the header's columns and the problems found so far.
struct Table<'a> {
    file: &'a str,
    /// The header's columns as trappe names (mapped, or the header lower-cased), in file
    /// order. A linear search beats hashing here: a handful of short names, mostly told
    /// apart by length alone.
    columns: Vec<String>,
    /// The header cells as the file writes them (trimmed), in file order.
    headers: Vec<String>,
    /// Whether each column was found through the mapping, and whether it holds fractions.
    mapped: Vec<bool>,
    fraction: Vec<bool>,
    mapping: Option<&'a ColumnMapping>,
    errors: Vec<InputError>,
    truncated: bool,
    /// Data rows seen (not counting empty ones).
    rows: usize,
}

impl<'a> Table<'a> {
    /// Resolves the header through the mapping and checks the required columns.
    fn open(
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
    fn label(&self, column: &str) -> String {
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

    fn is_fraction(&self, column: &str) -> bool {
        self.columns
            .iter()
            .position(|c| c == column)
            .is_some_and(|i| self.fraction[i])
    }

    fn push(&mut self, line: u64, column: &str, value: &str, expected: impl Into<String>) {
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

/// Columns whose values identify something (a department, an area, a pool, a home, an
/// organisation): two values that look the same must be the same, so no invisible
/// character is allowed in them.
const KEY_COLUMNS: &[&str] = &[
    "department_id",
    "organisation_id",
    "municipality_code",
    "area_id",
    "local_district",
    "pool_id",
    "members",
    "home_id",
    "shared_kitchen",
];

/// Unicode's format characters (general category Cf, Unicode 15): invisible, they change
/// how text is shown or joined. Written out rather than taken from a Unicode-tables crate:
/// the set is small, stable, and this is the only property trappe needs.
fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// Characters that show as nothing or as a blank though they are not a plain space:
/// fillers, joiners, variation selectors, line and paragraph separators, and every
/// white space but U+0020.
fn is_invisible(c: char) -> bool {
    is_format_char(c)
        || (c.is_whitespace() && c != ' ')
        || matches!(c as u32,
            0x034F | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F | 0x2800 | 0x3164
            | 0xFE00..=0xFE0F | 0xFFA0 | 0xE0100..=0xE01EF)
}

/// A character's name in an error message.
pub(crate) fn char_name(c: char) -> String {
    let name = match c {
        '\0' => "NUL",
        '\t' => "tab",
        '\n' => "line break",
        '\r' => "carriage return",
        '\u{FEFF}' => "byte-order mark",
        '\u{00A0}' => "no-break space",
        '\u{00AD}' => "soft hyphen",
        '\u{200B}' => "zero-width space",
        '\u{200C}' => "zero-width non-joiner",
        '\u{200D}' => "zero-width joiner",
        '\u{2060}' => "word joiner",
        c if c.is_control() => "control character",
        c if is_format_char(c) => "invisible format character",
        c if c.is_whitespace() => "space other than a plain space",
        _ => "invisible character",
    };
    format!("U+{:04X} ({name})", c as u32)
}

/// The first character a cell may not hold, with its 1-based position: control
/// characters (NUL, line breaks, …) and the byte-order mark in every cell (a byte-order
/// mark is allowed only at the very start of the file), and any invisible character in a
/// key column.
pub(crate) fn forbidden_char(value: &str, key: bool) -> Option<(usize, char)> {
    if value.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return None;
    }
    value
        .chars()
        .enumerate()
        .find(|&(_, c)| c.is_control() || c == '\u{FEFF}' || (key && is_invisible(c)))
        .map(|(i, c)| (i + 1, c))
}

/// Checks every cell of a row for characters no one would mean; false when one was found
/// (the row is then not parsed: its other problems would only repeat this one).
fn cells_are_clean(table: &mut Table<'_>, line: u64, rec: &csv::StringRecord) -> bool {
    let mut clean = true;
    for (i, cell) in rec.iter().enumerate() {
        let Some(column) = table.columns.get(i) else {
            continue;
        };
        let key = KEY_COLUMNS.contains(&column.as_str());
        if let Some((at, c)) = forbidden_char(cell.trim(), key) {
            let column = column.clone();
            let what = if c == '\u{FEFF}' {
                "a byte-order mark belongs only at the very start of the file; remove it"
            } else if c.is_control() {
                "remove it"
            } else {
                "an id may hold no invisible character; remove it"
            };
            table.push(
                line,
                &column,
                cell.trim(),
                format!(
                    "holds the character {} at position {at}; {what}",
                    char_name(c)
                ),
            );
            clean = false;
        }
    }
    clean
}

/// Hands a non-empty row with clean cells to the row parser; counts the data rows.
fn feed<'a>(
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
fn read_table<'a>(
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

/// [`read_table`] for CSV; also returns the header's line.
fn read_csv_table<'a>(
    bytes: &[u8],
    file: &'a str,
    opts: TableOptions<'a>,
    required: &[&str],
    mut row: impl FnMut(&mut Table<'a>, u64, &csv::StringRecord),
) -> Result<(Table<'a>, u64), InputErrors> {
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
    let text = decode(bytes, file)?;
    let first = text.lines().next().unwrap_or("");
    if first.trim().is_empty() {
        return Err(empty());
    }
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    // Too wide a header is refused before the reader builds a record of it: the
    // separators outside quotes on the first line are counted.
    // As the csv reader does: a quote opens a quoted field only at the field's start,
    // and inside one a quote ends it (a doubled quote ends and reopens it).
    let mut quoted = false;
    let mut field_start = true;
    let mut separators = 0usize;
    for b in first.bytes() {
        match b {
            b'"' if quoted || field_start => quoted = !quoted,
            b if b == delimiter && !quoted => {
                separators += 1;
                field_start = true;
                continue;
            }
            _ => {}
        }
        field_start = false;
    }
    if separators >= MAX_COLUMNS {
        let sep = char::from(delimiter);
        let names: Vec<&str> = first.split(sep).take(5).map(str::trim).collect();
        return Err(InputErrors::one(
            file,
            1,
            format!(
                "the header has {} columns ({}, …); trappe reads at most {MAX_COLUMNS}",
                separators + 1,
                names
                    .iter()
                    .map(|n| shorten(n, 40))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| InputErrors::one(file, 1, format!("the header cannot be read: {e}")))?
        .clone();
    let mut table = Table::open(file, opts.mapping, &header, 1, required)?;
    // One record, reused for every row: rows are handed to `row` as they are read.
    let mut rec = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line());
                feed(&mut table, line, &rec, &mut row);
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
    Ok((table, 1))
}

// ---------------------------------------------------------------------------------------
// XLSX

/// The magic bytes a zip archive (and so an XLSX workbook) starts with.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Whether a file is read as XLSX: its bytes are a zip archive or its name ends in `.xlsx`.
pub fn is_xlsx(bytes: &[u8], file: &str) -> bool {
    bytes.starts_with(ZIP_MAGIC)
        || file.len() >= 5
            && file.is_char_boundary(file.len() - 5)
            && file[file.len() - 5..].eq_ignore_ascii_case(".xlsx")
}

/// Checks a zip archive before it is opened: the sizes its directory declares, then the
/// bytes its entries really expand to (streamed, nothing kept), may not exceed `limit`.
/// A zip bomb is refused here instead of exhausting memory in the XLSX reader.
pub fn check_zip_expansion(bytes: &[u8], file: &str, limit: u64) -> Result<(), InputErrors> {
    let refuse = |size: u64| {
        InputErrors::whole_file(
            file,
            format!(
                "expands to more than {} when unpacked (the zip archive declares {}); trappe refuses it as a possible zip bomb",
                human_size(limit, false),
                human_size(size, true)
            ),
        )
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        InputErrors::whole_file(
            file,
            format!("is not an XLSX file (a damaged or cut-off zip archive: {e})"),
        )
    })?;
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| {
            InputErrors::whole_file(
                file,
                format!("is not an XLSX file (a damaged zip archive: {e})"),
            )
        })?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > limit {
        return Err(refuse(declared));
    }
    // The directory may lie: count what the entries really expand to.
    let mut actual: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| {
            InputErrors::whole_file(
                file,
                format!("is not an XLSX file (a damaged zip archive: {e})"),
            )
        })?;
        let allowed = limit - actual;
        let n = io::copy(&mut entry.take(allowed + 1), &mut io::sink()).map_err(|e| {
            InputErrors::whole_file(
                file,
                format!("is not an XLSX file (a damaged zip archive: {e})"),
            )
        })?;
        if n > allowed {
            return Err(refuse(declared));
        }
        actual += n;
    }
    Ok(())
}

/// Excel's column letters for a 0-based column index (0 → A, 27 → AB).
fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A float as Excel shows it: at most 15 significant digits (binary noise from formulas
/// such as 0.1+0.2 dropped), in the shortest decimal form ("1234", "25.4").
fn float_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    // Whole numbers, most cells of a table, without the round trip below.
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return if f == 0.0 {
            "0".to_string()
        } else {
            (f as i64).to_string()
        };
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    if rounded == 0.0 {
        return "0".to_string();
    }
    rounded.to_string()
}

/// An Excel date/time as text: a date as ISO `YYYY-MM-DD`; a time of day, or a date with a
/// time, as written with the time (so a date column reports it).
fn datetime_text(dt: &calamine::ExcelDateTime) -> String {
    if dt.is_duration() {
        return float_text(dt.as_f64());
    }
    let (y, m, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    if dt.as_f64() < 1.0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else if (h, mi, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// A cell's value as the text the row parsers read.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).to_string(),
        Data::DateTime(dt) => datetime_text(dt),
        Data::DateTimeIso(s) => match s.split_once('T') {
            Some((date, "00:00:00")) => date.to_string(),
            _ => s.clone(),
        },
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// A sheet's cell reference as Excel writes it ("XFD1048576") from 0-based row and column.
fn cell_ref(row: u32, col: u32) -> String {
    format!("{}{}", column_letters(col), u64::from(row) + 1)
}

/// [`read_table`] for XLSX; also returns the header's line.
///
/// The sheet is streamed cell by cell (never allocated as a rectangle), one row held at a
/// time: a sheet whose declared dimension or whose cells reach past [`MAX_COLUMNS`]
/// columns or [`MAX_SHEET_ROWS`] rows, or that holds more than [`MAX_SHEET_CELLS`]
/// non-empty cells, is refused as soon as that is seen, and the workbook as a whole may
/// not unpack to more than [`MAX_UNPACKED_BYTES`].
fn read_xlsx_table<'a>(
    bytes: &[u8],
    file: &'a str,
    opts: TableOptions<'a>,
    required: &[&str],
    row: impl FnMut(&mut Table<'a>, u64, &csv::StringRecord),
) -> Result<(Table<'a>, u64), InputErrors> {
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(InputErrors::whole_file(
            file,
            "is not an XLSX file (not a zip archive); save it from the spreadsheet program as Excel Workbook (.xlsx), or export CSV",
        ));
    }
    check_zip_expansion(bytes, file, MAX_UNPACKED_BYTES)?;
    // The XLSX reader is a third party's parser of hostile input: a panic in it (a
    // malformed dimension, say) is one more way the file cannot be read, not a crash.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        stream_xlsx_table(bytes, file, opts, required, row)
    }))
    .unwrap_or_else(|_| {
        Err(InputErrors::whole_file(
            file,
            "cannot be read: the workbook's contents are malformed; open it in the spreadsheet program and save it again, or export CSV",
        ))
    })
}

fn stream_xlsx_table<'a>(
    bytes: &[u8],
    file: &'a str,
    opts: TableOptions<'a>,
    required: &[&str],
    mut row: impl FnMut(&mut Table<'a>, u64, &csv::StringRecord),
) -> Result<(Table<'a>, u64), InputErrors> {
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| {
            InputErrors::whole_file(
                file,
                format!("is not an XLSX file (the zip archive is not an Excel workbook: {e})"),
            )
        })?;
    let names = workbook.sheet_names();
    let wanted = opts.sheet.or(opts.mapping.and_then(|m| m.sheet.as_deref()));
    let sheet = match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(w.trim()))
            })
            .ok_or_else(|| {
                InputErrors::whole_file(
                    file,
                    format!(
                        "has no sheet {w:?}; its sheets are: {}",
                        short_list(
                            &names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>(),
                            20
                        )
                    ),
                )
            })?
            .clone(),
        None => names
            .first()
            .ok_or_else(|| InputErrors::whole_file(file, "has no sheets"))?
            .clone(),
    };
    let unreadable = |e: calamine::XlsxError| {
        InputErrors::whole_file(file, format!("sheet {sheet:?} cannot be read: {e}"))
    };
    let too_large = |what: String| {
        InputErrors::whole_file(
            file,
            format!(
                "sheet {sheet:?} {what}; trappe reads sheets of at most {MAX_COLUMNS} columns (A to {}), {MAX_SHEET_ROWS} rows and {MAX_SHEET_CELLS} cells with a value — delete what lies outside the table, or export CSV",
                column_letters(MAX_COLUMNS as u32 - 1)
            ),
        )
    };
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(unreadable)?;
    let dim = cells.dimensions();
    if dim.end.1 as usize >= MAX_COLUMNS || dim.end.0 >= MAX_SHEET_ROWS {
        return Err(too_large(format!(
            "declares the range {}:{}",
            cell_ref(dim.start.0, dim.start.1),
            cell_ref(dim.end.0, dim.end.1)
        )));
    }

    // The table is built as rows complete: `current` holds the cells of one row.
    struct Sheet<'a> {
        table: Option<Table<'a>>,
        header_line: u64,
        first_col: u32,
        width: u32,
    }
    let mut state = Sheet {
        table: None,
        header_line: 0,
        first_col: 0,
        width: 0,
    };
    let mut rec = csv::StringRecord::new();
    let mut flush = |state: &mut Sheet<'a>,
                     r: u32,
                     cells: &mut Vec<(u32, String)>|
     -> Result<(), InputErrors> {
        if cells.is_empty() {
            return Ok(());
        }
        let line = u64::from(r) + 1;
        let Some(table) = state.table.as_mut() else {
            // The first row with a value is the header.
            let first_col = cells[0].0;
            let last_col = cells[cells.len() - 1].0;
            let mut header = vec![String::new(); (last_col - first_col + 1) as usize];
            for (c, text) in cells.drain(..) {
                header[(c - first_col) as usize] = text;
            }
            let header: csv::StringRecord = header.iter().collect();
            state.table = Some(Table::open(file, opts.mapping, &header, line, required)?);
            state.header_line = line;
            state.first_col = first_col;
            state.width = last_col - first_col + 1;
            return Ok(());
        };
        let (first, width) = (state.first_col, state.width);
        if let Some((c, value)) = cells
            .iter()
            .find(|(c, _)| *c < first || *c >= first + width)
        {
            let side = if *c < first {
                format!(
                    "left of the header's first column {}",
                    column_letters(first)
                )
            } else {
                format!(
                    "right of the header's last column {}",
                    column_letters(first + width - 1)
                )
            };
            table.push(
                line,
                "",
                "",
                format!(
                    "has the value {:?} in column {}, {side}; give the column a header or remove the value",
                    shorten(value, MAX_VALUE_CHARS),
                    column_letters(*c)
                ),
            );
        }
        rec.clear();
        let mut next = first;
        for (c, text) in cells
            .drain(..)
            .filter(|(c, _)| *c >= first && *c < first + width)
        {
            while next < c {
                rec.push_field("");
                next += 1;
            }
            rec.push_field(&text);
            next += 1;
        }
        while next < first + width {
            rec.push_field("");
            next += 1;
        }
        feed(table, line, &rec, &mut row);
        Ok(())
    };

    let mut current: Vec<(u32, String)> = Vec::new();
    let mut current_row: u32 = 0;
    let mut seen: u64 = 0;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        let text = match cell.get_value() {
            calamine::DataRef::Empty => continue,
            calamine::DataRef::SharedString(s) if s.trim().is_empty() => continue,
            calamine::DataRef::SharedString(s) => (*s).to_string(),
            calamine::DataRef::String(s) if s.trim().is_empty() => continue,
            other => {
                let text = cell_text(&calamine::Data::from(other.clone()));
                if text.trim().is_empty() {
                    continue;
                }
                text
            }
        };
        // Only a cell with a value counts: a formatted, empty cell far away is harmless,
        // since nothing is allocated for it.
        if c as usize >= MAX_COLUMNS || r >= MAX_SHEET_ROWS {
            return Err(too_large(format!("has a cell at {}", cell_ref(r, c))));
        }
        seen += 1;
        if seen > MAX_SHEET_CELLS {
            return Err(too_large(format!(
                "holds more than {MAX_SHEET_CELLS} cells with a value, more than any table trappe reads"
            )));
        }
        if r != current_row || current.is_empty() {
            if r < current_row || (r == current_row && !current.is_empty()) {
                return Err(InputErrors::whole_file(
                    file,
                    format!(
                        "sheet {sheet:?} lists cell {} after row {}; its rows are out of order — open it in the spreadsheet program and save it again",
                        cell_ref(r, c),
                        u64::from(current_row) + 1
                    ),
                ));
            }
            flush(&mut state, current_row, &mut current)?;
            current_row = r;
        } else if current.last().is_some_and(|(last, _)| *last >= c) {
            return Err(InputErrors::whole_file(
                file,
                format!(
                    "sheet {sheet:?} lists cell {} twice or out of order; open it in the spreadsheet program and save it again",
                    cell_ref(r, c)
                ),
            ));
        }
        current.push((c, text));
    }
    flush(&mut state, current_row, &mut current)?;
    match state.table {
        Some(table) => Ok((table, state.header_line)),
        None => Err(InputErrors::one(
            file,
            1,
            format!(
                "sheet {sheet:?} is empty; expected a header row with the columns {}",
                required.join(", ")
            ),
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Reading files

/// The largest input file read by default (20 MB): a national departments file is about
/// 1 MB, a large municipality's homes register a few MB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// A size as people read it: "512 bytes", "2.0 GB". With `decimal`, always one decimal
/// above bytes; without, only when the size is not a whole number of units.
fn human_size(n: u64, decimal: bool) -> String {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut unit = 0;
    let mut whole = n;
    while whole >= 1024 && unit < UNITS.len() - 1 {
        whole /= 1024;
        unit += 1;
    }
    if unit == 0 {
        return format!("{n} bytes");
    }
    let scale = 1024u64.pow(unit as u32);
    if !decimal && n / scale * scale == n {
        format!("{} {}", n / scale, UNITS[unit])
    } else {
        format!("{:.1} {}", n as f64 / scale as f64, UNITS[unit])
    }
}

/// Reads an input file whole, after checking its size from the file system: a file larger
/// than `max_bytes` is refused before any of it is read, an empty file is an error, and an
/// XLSX workbook (zip) whose directory declares more than 4 × `max_bytes` unpacked is
/// refused as a possible zip bomb.
pub fn read_input_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, InputErrors> {
    let file = path.display().to_string();
    let io_error = |e: io::Error| {
        InputErrors::whole_file(
            &file,
            match e.kind() {
                io::ErrorKind::NotFound => "does not exist".to_string(),
                io::ErrorKind::PermissionDenied => "cannot be read: permission denied".to_string(),
                _ => format!("cannot be read: {e}"),
            },
        )
    };
    let meta = std::fs::metadata(path).map_err(io_error)?;
    if meta.is_dir() {
        return Err(InputErrors::whole_file(
            &file,
            "is a directory; expected a CSV or XLSX file",
        ));
    }
    // Pipes and devices report 0 bytes: for them only the read below is limited.
    if meta.is_file() {
        if meta.len() == 0 {
            return Err(InputErrors::whole_file(&file, "the file is empty"));
        }
        if meta.len() > max_bytes {
            return Err(too_big(&file, meta.len(), max_bytes));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path)
        .map_err(io_error)?
        .take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big(&file, bytes.len() as u64, max_bytes));
    }
    if bytes.is_empty() {
        return Err(InputErrors::whole_file(&file, "the file is empty"));
    }
    if bytes.starts_with(ZIP_MAGIC) {
        check_declared_zip_size(&bytes, &file, MAX_UNPACKED_BYTES)?;
    }
    Ok(bytes)
}

fn too_big(file: &str, size: u64, max: u64) -> InputErrors {
    InputErrors::whole_file(
        file,
        format!(
            "is {}; trappe reads files up to {}",
            human_size(size, true),
            human_size(max, false)
        ),
    )
}

/// The quick half of [`check_zip_expansion`]: only the sizes the zip directory declares.
fn check_declared_zip_size(bytes: &[u8], file: &str, limit: u64) -> Result<(), InputErrors> {
    // A damaged archive is reported when the workbook is opened.
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        if let Ok(entry) = archive.by_index_raw(i) {
            declared = declared.saturating_add(entry.size());
        }
    }
    if declared > limit {
        return Err(InputErrors::whole_file(
            file,
            format!(
                "expands to {} when unpacked, more than the {} trappe unpacks; it refuses it as a possible zip bomb",
                human_size(declared, true),
                human_size(limit, false)
            ),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Column mappings

/// Every column name the table readers know.
pub const KNOWN_COLUMNS: &[&str] = &[
    "department_id",
    "name",
    "organisation_id",
    "municipality_code",
    "area_id",
    "local_district",
    "family_homes",
    "youth_homes",
    "elderly_homes",
    "residents",
    "unemployment_pct",
    "convictions_pct",
    "primary_education_pct",
    "income_pct",
    "non_western_pct",
    "allocated_pct",
    "designation",
    "unemployed_count",
    "aged_18_64_count",
    "convicted_count",
    "aged_18_plus_count",
    "primary_education_count",
    "aged_30_59_count",
    "prior_parallelsamfund_lists",
    "pool_id",
    "members",
    "ground",
    "decided_by",
    "decided_on",
];

/// Options of the `read_*_with` functions.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions<'a> {
    /// The XLSX sheet to read; else the mapping's `sheet`, else the first sheet. Ignored
    /// for CSV.
    pub sheet: Option<&'a str>,
    /// Headers of another layout, renamed to trappe's columns.
    pub mapping: Option<&'a ColumnMapping>,
}

/// One mapped column: trappe's name and the header another layout gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedColumn {
    /// trappe's column name, e.g. `unemployment_pct`.
    pub column: &'static str,
    /// The header as the mapping writes it, e.g. `Andel uden for arbejdsmarkedet`.
    pub header: String,
    /// The file gives a fraction (0.254) for a percentage (25.4).
    pub fraction: bool,
    /// The header trimmed, inner whitespace collapsed, lower-cased: what is compared.
    normalized: String,
}

/// A column mapping file: trappe's column names → the headers of another layout (see
/// docs/agreements.md, "Importing other layouts: column mappings").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnMapping {
    /// The XLSX sheet to read when the caller names none.
    pub sheet: Option<String>,
    pub columns: Vec<MappedColumn>,
}

impl ColumnMapping {
    /// The mapping of a trappe column, if any.
    pub fn for_column(&self, column: &str) -> Option<&MappedColumn> {
        self.columns.iter().find(|m| m.column == column)
    }

    /// The mapping whose header matches a normalized file header.
    fn for_header(&self, normalized: &str) -> Option<&MappedColumn> {
        self.columns.iter().find(|m| m.normalized == normalized)
    }
}

/// How headers are compared: trimmed, inner whitespace (also line breaks within an
/// Excel cell) collapsed to one space, lower-cased.
fn normalize_header(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    for (i, word) in h.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.to_lowercase()
}

/// 0.254 → 25.4, exactly: the decimal point moves two places (0.5 → 50, not 50.0).
fn fraction_to_pct(d: Pct) -> Pct {
    let scale = d.scale();
    if scale >= 2 {
        let mut p = d;
        p.set_scale(scale - 2).map_or(d * Pct::from(100), |()| p)
    } else {
        d.mantissa()
            .checked_mul(10i128.pow(2 - scale))
            .and_then(|m| Pct::try_from_i128_with_scale(m, 0).ok())
            .unwrap_or(d * Pct::from(100))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    sheet: Option<Spanned<String>>,
    columns: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

/// Parses a column mapping (TOML). Every problem is reported with its line and column in
/// the mapping file (the `column` field of the error holds the column number).
pub fn parse_mapping(text: &str, file: &str) -> Result<ColumnMapping, InputErrors> {
    let position = |offset: usize| {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() as u64 + 1;
        let column = before
            .rfind('\n')
            .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
            + 1;
        (line, column)
    };
    let mut errors: Vec<InputError> = Vec::new();
    let mut problem = |span: std::ops::Range<usize>, value: &str, expected: String| {
        let (line, column) = position(span.start);
        // Without a value to quote, the position goes into the sentence:
        // "m.toml line 2: column 13: …".
        let (column, expected) = if value.is_empty() {
            (String::new(), format!("column {column}: {expected}"))
        } else {
            (column.to_string(), expected)
        };
        errors.push(InputError {
            file: file.to_string(),
            line,
            column,
            value: value.to_string(),
            expected,
        });
    };
    let raw: RawMapping = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            problem(span, "", e.message().trim().to_string());
            return Err(InputErrors {
                errors,
                truncated: false,
            });
        }
    };
    let mut mapping = ColumnMapping::default();
    if let Some(sheet) = raw.sheet {
        if sheet.get_ref().trim().is_empty() {
            problem(
                sheet.span(),
                sheet.get_ref(),
                "is an empty sheet name; leave `sheet` out to read the first sheet".into(),
            );
        } else {
            mapping.sheet = Some(sheet.get_ref().trim().to_string());
        }
    }
    let Some(columns) = raw.columns else {
        problem(
            0..0,
            "",
            "the mapping has no [columns] table; expected e.g. [columns] department_id = \"Afdelingsnr.\""
                .into(),
        );
        return Err(InputErrors {
            errors,
            truncated: false,
        });
    };
    // In file order, so problems come out top to bottom.
    let mut entries: Vec<_> = columns.into_iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let mut seen: Vec<(String, &'static str, u64)> = Vec::new();
    for (key, value) in entries {
        let name = key.get_ref().as_str();
        let Some(column) = KNOWN_COLUMNS.iter().copied().find(|c| *c == name) else {
            problem(
                key.span(),
                name,
                format!(
                    "is not a trappe column; known columns: {}",
                    KNOWN_COLUMNS.join(", ")
                ),
            );
            continue;
        };
        let span = value.span();
        let (header, fraction) = match value.get_ref() {
            toml::Value::String(h) => (h.clone(), false),
            toml::Value::Table(t) => {
                let mut ok = true;
                for k in t.keys() {
                    if k != "header" && k != "fraction" {
                        problem(
                            span.clone(),
                            k,
                            "is not a key of a column; expected header and optionally fraction"
                                .into(),
                        );
                        ok = false;
                    }
                }
                let header = match t.get("header") {
                    Some(toml::Value::String(h)) => h.clone(),
                    Some(other) => {
                        problem(
                            span.clone(),
                            &other.to_string(),
                            "is not a header; expected a string".into(),
                        );
                        continue;
                    }
                    None => {
                        problem(
                            span.clone(),
                            "",
                            format!("{name} has no header; expected {name} = {{ header = \"…\" }}"),
                        );
                        continue;
                    }
                };
                let fraction = match t.get("fraction") {
                    None => false,
                    Some(toml::Value::Boolean(b)) => *b,
                    Some(other) => {
                        problem(
                            span.clone(),
                            &other.to_string(),
                            "is not true or false (fraction)".into(),
                        );
                        false
                    }
                };
                if !ok {
                    continue;
                }
                (header, fraction)
            }
            other => {
                problem(
                    span,
                    &other.to_string(),
                    "is not a header; expected a string or { header = \"…\", fraction = true }"
                        .into(),
                );
                continue;
            }
        };
        let normalized = normalize_header(&header);
        if normalized.is_empty() {
            problem(
                span,
                &header,
                format!(
                    "is an empty header for {name}; give the layout's header, or leave {name} out"
                ),
            );
            continue;
        }
        if fraction && !column.ends_with("_pct") {
            problem(
                span.clone(),
                &header,
                format!("has fraction = true, but {name} is not a percentage column"),
            );
        }
        let (line, _) = position(span.start);
        if let Some((_, other, other_line)) = seen.iter().find(|(n, _, _)| *n == normalized) {
            problem(
                span,
                &header,
                format!("is already the header of {other} (line {other_line}); each header can give one column"),
            );
            continue;
        }
        seen.push((normalized.clone(), column, line));
        mapping.columns.push(MappedColumn {
            column,
            header: header.trim().to_string(),
            fraction,
            normalized,
        });
    }
    if errors.is_empty() {
        Ok(mapping)
    } else {
        let truncated = errors.len() > MAX_PROBLEMS;
        errors.truncate(MAX_PROBLEMS);
        Err(InputErrors { errors, truncated })
    }
}

/// Reads and parses a column mapping file.
pub fn load_mapping(path: &Path) -> Result<ColumnMapping, InputErrors> {
    let bytes = read_input_file(path, 1024 * 1024)?;
    let file = path.display().to_string();
    parse_mapping(&decode(&bytes, &file)?, &file)
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
    let t = read_table(
        bytes,
        file,
        opts,
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

    #[rstest]
    #[case(calamine::Data::Float(1234.0), "1234")]
    #[case(calamine::Data::Float(25.4), "25.4")]
    #[case(calamine::Data::Float(0.1 + 0.2), "0.3")]
    #[case(calamine::Data::Float(-0.0), "0")]
    #[case(calamine::Data::Float(1e21), "1000000000000000000000")]
    #[case(calamine::Data::Int(7), "7")]
    #[case(calamine::Data::Error(calamine::CellErrorType::Div0), "#DIV/0!")]
    #[case(calamine::Data::DateTimeIso("2024-03-01T00:00:00".into()), "2024-03-01")]
    #[case(
        calamine::Data::DateTime(calamine::ExcelDateTime::new(
            45352.0,
            calamine::ExcelDateTimeType::DateTime,
            false
        )),
        "2024-03-01"
    )]
    #[case(
        calamine::Data::DateTime(calamine::ExcelDateTime::new(
            45352.5,
            calamine::ExcelDateTimeType::DateTime,
            false
        )),
        "2024-03-01 12:00:00"
    )]
    #[case(
        calamine::Data::DateTime(calamine::ExcelDateTime::new(
            0.5,
            calamine::ExcelDateTimeType::DateTime,
            false
        )),
        "12:00:00"
    )]
    fn xlsx_cells_as_text(#[case] cell: calamine::Data, #[case] expected: &str) {
        assert_eq!(cell_text(&cell), expected);
    }

    #[rstest]
    #[case("0.254", "25.4")]
    #[case("0,5", "50")]
    #[case("1", "100")]
    #[case("0.12345", "12.345")]
    fn fractions_move_the_point_exactly(#[case] input: &str, #[case] expected: &str) {
        let d = fraction_to_pct(parse_decimal(input).unwrap());
        assert_eq!(d.to_string(), expected);
    }

    #[rstest]
    #[case(0, "A")]
    #[case(25, "Z")]
    #[case(26, "AA")]
    #[case(27, "AB")]
    #[case(701, "ZZ")]
    #[case(702, "AAA")]
    fn excel_column_letters(#[case] col: u32, #[case] expected: &str) {
        assert_eq!(column_letters(col), expected);
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(human_size(2 * 1024 * 1024 * 1024, true), "2.0 GB");
        assert_eq!(human_size(DEFAULT_MAX_FILE_BYTES, false), "20 MB");
        assert_eq!(human_size(1536, false), "1.5 KB");
        assert_eq!(human_size(30, true), "30 bytes");
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
