//! XLSX: the workbook checked against a zip bomb, then one sheet streamed cell by cell
//! into rows for the same per-row parsing as CSV.

use std::io::{self, Cursor, Read};

use super::files::human_size;
use super::table::{feed, Table};
use super::{
    short_list, shorten, ColumnMapping, InputErrors, TableOptions, MAX_COLUMNS, MAX_SHEET_CELLS,
    MAX_SHEET_ROWS, MAX_UNPACKED_BYTES, MAX_VALUE_CHARS,
};

/// The magic bytes a zip archive (and so an XLSX workbook) starts with.
pub(super) const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

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

/// [`read_table`](super::table::read_table) for XLSX; also returns the header's line.
///
/// The sheet is streamed cell by cell (never allocated as a rectangle), one row held at a
/// time: a sheet whose declared dimension or whose cells reach past [`MAX_COLUMNS`]
/// columns or [`MAX_SHEET_ROWS`] rows, or that holds more than [`MAX_SHEET_CELLS`]
/// non-empty cells, is refused as soon as that is seen, and the workbook as a whole may
/// not unpack to more than [`MAX_UNPACKED_BYTES`].
pub(super) fn read_xlsx_table<'a>(
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
    let sheet = choose_sheet(&workbook.sheet_names(), opts, file)?;
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
    let mut state = SheetRows {
        file,
        mapping: opts.mapping,
        required,
        table: None,
        header_line: 0,
        first_col: 0,
        width: 0,
        rec: csv::StringRecord::new(),
    };
    let mut current: Vec<(u32, String)> = Vec::new();
    let mut current_row: u32 = 0;
    let mut seen: u64 = 0;
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        let Some(text) = cell_value(cell.get_value()) else {
            continue;
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
            state.flush(current_row, &mut current, &mut row)?;
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
    state.flush(current_row, &mut current, &mut row)?;
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

/// The sheet to read: the one asked for (by exact name, else ignoring case and outer
/// blanks), else the mapping's, else the first.
fn choose_sheet(
    names: &[String],
    opts: TableOptions<'_>,
    file: &str,
) -> Result<String, InputErrors> {
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
    Ok(sheet)
}

/// A cell's value as the text the row parsers read; `None` for an empty or blank cell.
fn cell_value(value: &calamine::DataRef<'_>) -> Option<String> {
    let text = match value {
        calamine::DataRef::Empty => return None,
        calamine::DataRef::SharedString(s) if s.trim().is_empty() => return None,
        calamine::DataRef::SharedString(s) => (*s).to_string(),
        calamine::DataRef::String(s) if s.trim().is_empty() => return None,
        other => {
            let text = cell_text(&calamine::Data::from(other.clone()));
            if text.trim().is_empty() {
                return None;
            }
            text
        }
    };
    Some(text)
}

/// The rows of a sheet as they complete: the first row with a value is the header, each
/// row below it goes to the row parser in one record reused for all.
struct SheetRows<'a, 'r> {
    file: &'a str,
    mapping: Option<&'a ColumnMapping>,
    required: &'r [&'r str],
    table: Option<Table<'a>>,
    header_line: u64,
    first_col: u32,
    width: u32,
    rec: csv::StringRecord,
}

impl<'a> SheetRows<'a, '_> {
    /// Hands one complete row (its cells with their 0-based columns, in order) on.
    fn flush(
        &mut self,
        r: u32,
        cells: &mut Vec<(u32, String)>,
        row: &mut impl FnMut(&mut Table<'a>, u64, &csv::StringRecord),
    ) -> Result<(), InputErrors> {
        if cells.is_empty() {
            return Ok(());
        }
        let line = u64::from(r) + 1;
        let Some(table) = self.table.as_mut() else {
            // The first row with a value is the header.
            let first_col = cells[0].0;
            let last_col = cells[cells.len() - 1].0;
            let mut header = vec![String::new(); (last_col - first_col + 1) as usize];
            for (c, text) in cells.drain(..) {
                header[(c - first_col) as usize] = text;
            }
            let header: csv::StringRecord = header.iter().collect();
            self.table = Some(Table::open(
                self.file,
                self.mapping,
                &header,
                line,
                self.required,
            )?);
            self.header_line = line;
            self.first_col = first_col;
            self.width = last_col - first_col + 1;
            return Ok(());
        };
        let (first, width) = (self.first_col, self.width);
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
        self.rec.clear();
        let mut next = first;
        for (c, text) in cells
            .drain(..)
            .filter(|(c, _)| *c >= first && *c < first + width)
        {
            while next < c {
                self.rec.push_field("");
                next += 1;
            }
            self.rec.push_field(&text);
            next += 1;
        }
        while next < first + width {
            self.rec.push_field("");
            next += 1;
        }
        feed(table, line, &self.rec, row);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

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
    #[case(0, "A")]
    #[case(25, "Z")]
    #[case(26, "AA")]
    #[case(27, "AB")]
    #[case(701, "ZZ")]
    #[case(702, "AAA")]
    fn excel_column_letters(#[case] col: u32, #[case] expected: &str) {
        assert_eq!(column_letters(col), expected);
    }
}
