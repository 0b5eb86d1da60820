//! Column mappings: another layout's headers renamed to trappe's columns (TOML).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;
use trappe_rules::Pct;

use super::{decode, read_input_file, InputError, InputErrors, MAX_PROBLEMS};

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
    pub(super) fn for_header(&self, normalized: &str) -> Option<&MappedColumn> {
        self.columns.iter().find(|m| m.normalized == normalized)
    }
}

/// How headers are compared: trimmed, inner whitespace (also line breaks within an
/// Excel cell) collapsed to one space, lower-cased.
pub(super) fn normalize_header(h: &str) -> String {
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
pub(super) fn fraction_to_pct(d: Pct) -> Pct {
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
        let Some((header, fraction)) = mapped_header(&value, name, &mut problem) else {
            continue;
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

/// The header (and whether it gives a fraction) of one mapped column: a string, or
/// `{ header = "…", fraction = true }`; `None` after a problem.
fn mapped_header(
    value: &Spanned<toml::Value>,
    name: &str,
    problem: &mut impl FnMut(std::ops::Range<usize>, &str, String),
) -> Option<(String, bool)> {
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
                        "is not a key of a column; expected header and optionally fraction".into(),
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
                    return None;
                }
                None => {
                    problem(
                        span.clone(),
                        "",
                        format!("{name} has no header; expected {name} = {{ header = \"…\" }}"),
                    );
                    return None;
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
                return None;
            }
            (header, fraction)
        }
        other => {
            problem(
                span,
                &other.to_string(),
                "is not a header; expected a string or { header = \"…\", fraction = true }".into(),
            );
            return None;
        }
    };
    Some((header, fraction))
}

/// Reads and parses a column mapping file.
pub fn load_mapping(path: &Path) -> Result<ColumnMapping, InputErrors> {
    let bytes = read_input_file(path, 1024 * 1024)?;
    let file = path.display().to_string();
    parse_mapping(&decode(&bytes, &file)?, &file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table_in::parse_decimal;
    use rstest::rstest;

    #[rstest]
    #[case("0.254", "25.4")]
    #[case("0,5", "50")]
    #[case("1", "100")]
    #[case("0.12345", "12.345")]
    fn fractions_move_the_point_exactly(#[case] input: &str, #[case] expected: &str) {
        let d = fraction_to_pct(parse_decimal(input).unwrap());
        assert_eq!(d.to_string(), expected);
    }
}
