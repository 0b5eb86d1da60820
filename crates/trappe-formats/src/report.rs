//! One table type for overviews (`trappe export`, `history`, `changes`) and its writers:
//! CSV, JSON, an aligned text table and an XLSX workbook.
//!
//! Cells are typed, so each writer can keep numbers numbers: CSV and JSON write exact
//! decimals, the text table rounds to a column's places, and XLSX stores numeric cells
//! (with a number format) and real dates, leaving the display to the reader's Excel.

use std::io::{self, Write};

use chrono::Datelike;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::output::{self, Format};
use crate::text::Lang;

/// One cell of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// A decimal shown with `places` decimals (the value itself is kept exactly).
    Dec {
        value: Decimal,
        places: u32,
    },
    Date(chrono::NaiveDate),
    /// Yes or no: "ja"/"nej" or "yes"/"no" in text, a JSON boolean, an Excel boolean.
    Bool(bool),
    /// A code shown to people by its label (a traffic-light colour): the label in text,
    /// CSV and XLSX, the stable code in JSON, so scripts keep reading the code.
    Coded {
        code: String,
        label: String,
    },
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl From<chrono::NaiveDate> for Cell {
    fn from(d: chrono::NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A column: `key` names it in JSON, `da`/`en` head it in the other formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub da: &'static str,
    pub en: &'static str,
}

impl Column {
    pub const fn new(key: &'static str, da: &'static str, en: &'static str) -> Self {
        Column { key, da, en }
    }

    pub fn heading(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Da => self.da,
            Lang::En => self.en,
        }
    }
}

/// A titled table; every row has one cell per column (missing cells count as empty).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub title_da: String,
    pub title_en: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Report {
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::Da => &self.title_da,
            Lang::En => &self.title_en,
        }
    }
}

/// The row's cells, padded with empty cells to the number of columns.
fn cells<'r>(report: &Report, row: &'r [Cell]) -> impl Iterator<Item = &'r Cell> + 'r {
    static EMPTY: Cell = Cell::Empty;
    let n = report.columns.len();
    (0..n).map(move |i| row.get(i).unwrap_or(&EMPTY))
}

/// Writes a report as CSV, JSON or a text table (`JsonWithText` is written as JSON).
pub fn write_report(
    w: &mut impl Write,
    report: &Report,
    format: Format,
    lang: Lang,
) -> io::Result<()> {
    match format {
        Format::Csv => write_csv(w, report, lang),
        Format::Json | Format::JsonWithText => write_json(w, report),
        Format::Table => write_table(w, report, lang),
    }
}

/// A decimal with at least `places` decimals, never rounded: the exact value.
fn exact(value: Decimal, places: u32) -> Decimal {
    let mut v = value;
    if v.scale() < places {
        v.rescale(places);
    }
    v
}

fn decimal_mark(s: String, lang: Lang) -> String {
    match lang {
        Lang::Da => s.replacen('.', ",", 1),
        Lang::En => s,
    }
}

fn date_text(d: chrono::NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Da => d.format("%d-%m-%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

/// CSV: Danish with `;`, decimal comma and DD-MM-YYYY; English with `,`, decimal point
/// and ISO dates. No thousands separators.
fn write_csv(w: &mut impl Write, report: &Report, lang: Lang) -> io::Result<()> {
    let mut csv = crate::output::CsvWriter::new(
        csv::WriterBuilder::new()
            .delimiter(match lang {
                Lang::Da => b';',
                Lang::En => b',',
            })
            .from_writer(w),
    );
    csv.write_record(report.columns.iter().map(|c| c.heading(lang)))?;
    for row in &report.rows {
        csv.write_record(cells(report, row).map(|cell| match cell {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Coded { label, .. } => label.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Dec { value, places } => decimal_mark(exact(*value, *places).to_string(), lang),
            Cell::Date(d) => date_text(*d, lang),
            Cell::Bool(b) => yes_no(*b, lang).to_string(),
        }))?;
    }
    csv.flush()
}

/// JSON: an array of objects keyed by the columns' keys; numbers as JSON numbers with
/// their exact decimals, dates ISO, empty cells `null`.
fn write_json(w: &mut impl Write, report: &Report) -> io::Result<()> {
    let mut out = io::BufWriter::new(w);
    out.write_all(b"[")?;
    for (r, row) in report.rows.iter().enumerate() {
        out.write_all(if r == 0 { b"\n  {" } else { b",\n  {" })?;
        for (i, (column, cell)) in report.columns.iter().zip(cells(report, row)).enumerate() {
            if i > 0 {
                out.write_all(b", ")?;
            }
            serde_json::to_writer(&mut out, column.key).map_err(io::Error::other)?;
            out.write_all(b": ")?;
            match cell {
                Cell::Empty => out.write_all(b"null")?,
                Cell::Text(s) => serde_json::to_writer(&mut out, s).map_err(io::Error::other)?,
                Cell::Coded { code, .. } => {
                    serde_json::to_writer(&mut out, code).map_err(io::Error::other)?
                }
                Cell::Int(n) => write!(out, "{n}")?,
                // Decimal's Display is a valid JSON number: digits, an optional sign and
                // point, never an exponent.
                Cell::Dec { value, places } => write!(out, "{}", exact(*value, *places))?,
                Cell::Date(d) => write!(out, "\"{}\"", d.format("%Y-%m-%d"))?,
                Cell::Bool(b) => write!(out, "{b}")?,
            }
        }
        out.write_all(b"}")?;
    }
    out.write_all(if report.rows.is_empty() {
        b"]\n"
    } else {
        b"\n]\n"
    })?;
    out.flush()
}

/// A whole number with the language's thousands separator, negative numbers too.
fn grouped_int(n: i64, lang: Lang) -> String {
    let s = output::int(n.unsigned_abs(), lang);
    if n < 0 {
        format!("-{s}")
    } else {
        s
    }
}

/// A decimal rounded to `places`, with thousands separators and the language's mark.
pub fn grouped_dec(value: Decimal, places: u32, lang: Lang) -> String {
    let mut v = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(places);
    let s = v.abs().to_string();
    let (int_part, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    if v.is_sign_negative() && !v.is_zero() {
        out.push('-');
    }
    out.push_str(&output::int(int_part.parse().unwrap_or(0), lang));
    if !frac.is_empty() {
        out.push(match lang {
            Lang::Da => ',',
            Lang::En => '.',
        });
        out.push_str(frac);
    }
    out
}

/// How the text table shows a cell, and whether it is right-aligned.
/// How a cell reads in text, and whether it is a number (right-aligned).
pub fn table_text(cell: &Cell, lang: Lang) -> (String, bool) {
    match cell {
        Cell::Empty => (String::new(), false),
        Cell::Text(s) => (s.replace(['\n', '\r', '\t'], " "), false),
        Cell::Coded { label, .. } => (label.replace(['\n', '\r', '\t'], " "), false),
        Cell::Int(n) => (grouped_int(*n, lang), true),
        Cell::Dec { value, places } => (grouped_dec(*value, *places, lang), true),
        Cell::Date(d) => (date_text(*d, lang), false),
        Cell::Bool(b) => (yes_no(*b, lang).to_string(), false),
    }
}

fn yes_no(b: bool, lang: Lang) -> &'static str {
    match (b, lang) {
        (true, Lang::Da) => "ja",
        (false, Lang::Da) => "nej",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    }
}

/// An aligned text table for a terminal: the title, the headings, a rule and the rows;
/// numbers right-aligned.
fn write_table(w: &mut impl Write, report: &Report, lang: Lang) -> io::Result<()> {
    let mut out = io::BufWriter::new(w);
    let rows: Vec<Vec<(String, bool)>> = report
        .rows
        .iter()
        .map(|row| cells(report, row).map(|c| table_text(c, lang)).collect())
        .collect();
    let mut widths: Vec<usize> = report
        .columns
        .iter()
        .map(|c| c.heading(lang).chars().count())
        .collect();
    let mut right = vec![false; report.columns.len()];
    for row in &rows {
        for (i, (text, r)) in row.iter().enumerate() {
            widths[i] = widths[i].max(text.chars().count());
            right[i] |= *r;
        }
    }
    let title = report.title(lang);
    if !title.is_empty() {
        writeln!(out, "{title}")?;
        writeln!(out)?;
    }
    let line = |out: &mut io::BufWriter<_>, texts: &mut dyn Iterator<Item = (&str, bool)>| {
        let mut s = String::new();
        for (i, (text, r)) in texts.enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            // Padding counts characters, so "Ø" is one column wide.
            let w = widths[i];
            if r {
                s.push_str(&format!("{text:>w$}"));
            } else {
                s.push_str(&format!("{text:<w$}"));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(
        &mut out,
        &mut report
            .columns
            .iter()
            .zip(&right)
            .map(|(c, r)| (c.heading(lang), *r)),
    )?;
    let rule: Vec<String> = widths.iter().map(|n| "-".repeat(*n)).collect();
    line(&mut out, &mut rule.iter().map(|s| (s.as_str(), false)))?;
    for row in &rows {
        line(
            &mut out,
            &mut row.iter().zip(&right).map(|((t, _), r)| (t.as_str(), *r)),
        )?;
    }
    out.flush()
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, no apostrophe
/// at either end, not empty and not the reserved "History".
pub fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let mut name: String = cleaned.trim().trim_matches('\'').trim().to_string();
    if name.chars().count() > 31 {
        name = name.chars().take(31).collect();
        name = name
            .trim_end()
            .trim_end_matches('\'')
            .trim_end()
            .to_string();
    }
    if name.is_empty() {
        name = "Sheet1".to_string();
    }
    if name.eq_ignore_ascii_case("history") {
        name.push_str(" 1");
    }
    name
}

/// Excel's column width (in characters) for a column's longest text, within limits.
fn excel_width(chars: usize) -> f64 {
    (chars as f64 + 2.0).clamp(6.0, 60.0)
}

/// The report as an XLSX workbook: one sheet named after the title, a bold and frozen
/// header row with an autofilter, column widths from the contents, numbers as numeric
/// cells with the formats `0`, `0.0`, `0.00`, … and dates as Excel dates (`dd-mm-yyyy`).
pub fn report_xlsx(report: &Report, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(report.title(lang)))?;
    let bold = XFormat::new().set_bold();
    let date_format = XFormat::new().set_num_format("dd-mm-yyyy");
    let int_format = XFormat::new().set_num_format("0");
    let mut dec_formats: Vec<XFormat> = Vec::new();
    let mut dec_format = |places: u32| -> XFormat {
        let places = places.min(15) as usize;
        if dec_formats.len() <= places {
            for p in dec_formats.len()..=places {
                let pattern = if p == 0 {
                    "0".to_string()
                } else {
                    format!("0.{}", "0".repeat(p))
                };
                dec_formats.push(XFormat::new().set_num_format(pattern));
            }
        }
        dec_formats[places].clone()
    };

    let mut widths: Vec<usize> = Vec::with_capacity(report.columns.len());
    for (c, column) in report.columns.iter().enumerate() {
        let heading = column.heading(lang);
        sheet.write_string_with_format(0, c as u16, heading, &bold)?;
        widths.push(heading.chars().count());
    }
    for (r, row) in report.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in cells(report, row).enumerate() {
            let col = c as u16;
            let shown = match cell {
                Cell::Empty => 0,
                Cell::Text(s) | Cell::Coded { label: s, .. } => {
                    sheet.write_string(r, col, s)?;
                    s.chars().count()
                }
                Cell::Int(n) => {
                    // Excel keeps 15 significant digits; an i64 beyond 2^53 loses its last
                    // digits, as it would typed into Excel.
                    sheet.write_number_with_format(r, col, *n as f64, &int_format)?;
                    n.to_string().len()
                }
                Cell::Dec { value, places } => {
                    let f = value.to_f64().unwrap_or(f64::NAN);
                    sheet.write_number_with_format(r, col, f, &dec_format(*places))?;
                    grouped_dec(*value, *places, lang).chars().count()
                }
                Cell::Bool(b) => {
                    sheet.write_boolean(r, col, *b)?;
                    yes_no(*b, lang).chars().count()
                }
                Cell::Date(d) => {
                    let dt = ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(0),
                        d.month() as u8,
                        d.day() as u8,
                    );
                    match dt {
                        Ok(dt) => {
                            sheet.write_datetime_with_format(r, col, &dt, &date_format)?;
                        }
                        // Outside Excel's dates (before 1900, after 9999): as text.
                        Err(_) => {
                            sheet.write_string(r, col, d.format("%Y-%m-%d").to_string())?;
                        }
                    }
                    10
                }
            };
            widths[c] = widths[c].max(shown);
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, excel_width(*w))?;
    }
    if !report.columns.is_empty() {
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(
            0,
            0,
            report.rows.len() as u32,
            report.columns.len() as u16 - 1,
        )?;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_follow_excels_rules() {
        assert_eq!(
            sheet_name("Afdelinger: 2024/25 [udkast]"),
            "Afdelinger- 2024-25 -udkast-"
        );
        assert_eq!(sheet_name("'quoted'"), "quoted");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name("History"), "History 1");
        let long = "Placeringer af alle afdelinger i kommunen";
        assert!(sheet_name(long).chars().count() <= 31);
        rust_xlsxwriter::utility::check_sheet_name(&sheet_name(long)).unwrap();
    }

    #[test]
    fn grouped_numbers_round_to_places() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(grouped_dec(d("1234567.25"), 1, Lang::Da), "1.234.567,3");
        assert_eq!(grouped_dec(d("1234567.25"), 1, Lang::En), "1,234,567.3");
        assert_eq!(grouped_dec(d("-0.04"), 1, Lang::Da), "0,0");
        assert_eq!(grouped_dec(d("-12.5"), 0, Lang::En), "-13");
        assert_eq!(grouped_int(-1234, Lang::Da), "-1.234");
    }
}

/// The small-number rule: a count of persons from 1 up to `below` is never shown, only
/// "< below" (0 and larger counts are shown). Pages, exports and the API all apply it
/// through this one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmallNumbers {
    pub below: u32,
}

impl SmallNumbers {
    /// Whether `n` persons are too few to show.
    pub fn hides(self, n: u64) -> bool {
        n > 0 && n < u64::from(self.below)
    }

    /// The count as a page shows it.
    pub fn text(self, n: u32, lang: crate::text::Lang) -> String {
        if self.hides(u64::from(n)) {
            format!("< {}", self.below)
        } else {
            crate::output::int(u64::from(n), lang)
        }
    }

    /// The count as the API gives it: `None` (JSON null) when too few to show.
    pub fn value(self, n: u32) -> Option<u32> {
        (!self.hides(u64::from(n))).then_some(n)
    }

    /// Replaces a count cell of a report that is too small to show by "< below".
    pub fn cell(self, cell: &mut Cell) {
        if let Cell::Int(n) = cell {
            if *n > 0 && self.hides(n.unsigned_abs()) {
                *cell = Cell::Text(format!("< {}", self.below));
            }
        }
    }
}

#[cfg(test)]
mod small_number_tests {
    use super::*;
    use crate::text::Lang;

    #[test]
    fn counts_from_one_to_below_the_threshold_are_hidden() {
        let rule = SmallNumbers { below: 5 };
        for (n, shown) in [(0, "0"), (1, "< 5"), (4, "< 5"), (5, "5"), (1200, "1.200")] {
            assert_eq!(rule.text(n, Lang::Da), shown, "{n}");
            assert_eq!(rule.value(n).is_none(), shown.starts_with('<'), "{n}");
            let mut cell = Cell::Int(i64::from(n));
            rule.cell(&mut cell);
            assert_eq!(matches!(cell, Cell::Text(_)), shown.starts_with('<'), "{n}");
        }
    }
}
