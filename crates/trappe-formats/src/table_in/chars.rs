//! Characters no one would mean in a cell: control characters, a stray byte-order mark,
//! and invisible characters in the columns that identify something.

use super::table::Table;

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
pub fn is_invisible(c: char) -> bool {
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
pub(super) fn cells_are_clean(table: &mut Table<'_>, line: u64, rec: &csv::StringRecord) -> bool {
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
