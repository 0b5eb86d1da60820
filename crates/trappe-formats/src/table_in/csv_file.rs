//! CSV: the file's bytes decoded to text, the separator detected, the rows read.

use super::table::{feed, Table};
use super::{shorten, InputErrors, TableOptions, MAX_COLUMNS};

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

/// [`read_table`](super::table::read_table) for CSV; also returns the header's line.
pub(super) fn read_csv_table<'a>(
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

#[cfg(test)]
mod tests {
    use crate::table_in::read_departments;
    use crate::table_in::test_util::HEADER;

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
}
