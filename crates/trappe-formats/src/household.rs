//! Household and applicant files (JSON) → checked [`Household`]s.
//!
//! A household file holds one household; an applicants file holds a list, either as a
//! bare JSON array or as `{"applicants": [...]}`. The schema is
//! `docs/household.schema.json`, generated from the types by [`schema`].
//!
//! Every problem names the file, the line and column where JSON has them, the
//! applicant (by waiting-list number, else by position) and the field; a file with any
//! problem gives nothing, so nothing is ranked on half a list.

use std::fmt;

use serde::Deserialize;
use trappe_rules::applicant::{check_household, Household, HouseholdProblem};
use trappe_rules::Date;

/// One problem in a household or applicants file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdError {
    pub file: String,
    /// Line and column, for problems the JSON reader found.
    pub at: Option<(usize, usize)>,
    pub applicant: Option<String>,
    pub field: String,
    pub problem: String,
}

impl fmt::Display for HouseholdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, column)) = self.at {
            write!(f, " line {line}, column {column}")?;
        }
        if let Some(a) = &self.applicant {
            write!(f, ": applicant {a}")?;
        }
        if !self.field.is_empty() {
            write!(f, ", field {}", self.field)?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// Every problem of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdErrors(pub Vec<HouseholdError>);

impl fmt::Display for HouseholdErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for HouseholdErrors {}

/// The waiting-list number at a JSON path like `applicants[3].members…` or `[3]…`,
/// read leniently from the raw text, so a type error still names the applicant.
/// (A file that is not JSON at all names the applicant by position only.)
fn applicant_at(text: &str, path: &str) -> Option<(usize, Option<String>)> {
    let rest = path.strip_prefix("applicants").unwrap_or(path);
    let index: usize = rest.strip_prefix('[')?.split(']').next()?.parse().ok()?;
    Some((index, scan(text, index).and_then(|(_, id)| id)))
}

/// Only the `id` of a household, read leniently (other fields are skipped unread).
#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Option<serde_json::Value>,
}

fn id_of(text: &str) -> Option<String> {
    serde_json::from_str::<IdOnly>(text)
        .ok()?
        .id?
        .as_str()
        .map(str::to_string)
}

/// How many elements a list of applicants (bare, or under `applicants`) has, and the
/// `id` of the one at `index`, streamed: no element is built, so a file of millions of
/// elements costs no more memory than one of them. `None` when the text is not such a
/// list.
fn scan(text: &str, index: usize) -> Option<(usize, Option<String>)> {
    use serde::de::{
        DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
    };

    struct Nth(usize);
    impl<'de> Visitor<'de> for Nth {
        type Value = (usize, Option<String>);
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of applicants")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            let mut i = 0;
            while let Some(raw) = seq.next_element::<&'de serde_json::value::RawValue>()? {
                if i == self.0 {
                    found = id_of(raw.get());
                }
                i += 1;
            }
            Ok((i, found))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = (0, None);
            while let Some(key) = map.next_key::<String>()? {
                if key == "applicants" {
                    found = map.next_value_seed(NthSeed(self.0))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    struct NthSeed(usize);
    impl<'de> DeserializeSeed<'de> for NthSeed {
        type Value = (usize, Option<String>);
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(Nth(self.0))
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    (&mut de).deserialize_any(Nth(index)).ok()
}

/// The most applicants one file may list (a ranking of 20,000 is the largest seen).
pub const MAX_APPLICANTS: usize = 50_000;

fn label(index: usize, id: Option<&str>) -> String {
    match id {
        Some(id) if !id.trim().is_empty() => format!("{id} (#{})", index + 1),
        _ => format!("#{}", index + 1),
    }
}

fn from_problem(file: &str, p: HouseholdProblem) -> HouseholdError {
    HouseholdError {
        file: file.to_string(),
        at: None,
        applicant: Some(p.applicant),
        field: p.field,
        problem: p.problem,
    }
}

/// A JSON path as serde_path_to_error writes it, without the "?" it puts where the
/// text stopped being JSON.
fn clean_path(path: &str) -> String {
    let p = path.trim_end_matches('?').trim_end_matches('.');
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}

/// serde's wording, with what a user needs to know added: the date format, whole
/// numbers, and one household versus a list.
fn explain(message: &str, list: bool) -> String {
    let mut m = message.to_string();
    if [
        "input is out of range",
        "trailing input",
        "premature end of input",
        "input contains invalid characters",
        "input is not enough for unique date",
    ]
    .iter()
    .any(|p| message.contains(p))
    {
        m.push_str(" (expected a date as YYYY-MM-DD)");
    }
    if message.contains("expected u32") {
        m = m.replace("expected u32", "expected a whole number, 0 or more");
    }
    if !list && message.contains("unknown field `applicants`") {
        m.push_str(
            " (a household file holds one household; a list of applicants is for `applicant rank`)",
        );
    }
    if list && message.contains("expected `applicants`") {
        m.push_str(" (an applicants file is a list [ … ] or {\"applicants\": [ … ]}; one household is for `applicant check`)");
    }
    m
}

fn json_error(
    file: &str,
    text: &str,
    e: serde_path_to_error::Error<serde_json::Error>,
    list: bool,
) -> HouseholdError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let at = (inner.line() > 0).then(|| (inner.line(), inner.column()));
    let mut message = inner.to_string();
    // serde_json appends " at line L column C"; the location is printed separately.
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    let (applicant, field) = if list {
        match applicant_at(text, &path) {
            Some((index, id)) => {
                let field = path
                    .split_once(']')
                    .map(|(_, f)| clean_path(f.trim_start_matches('.')))
                    .unwrap_or_default();
                (Some(label(index, id.as_deref())), field)
            }
            None => (None, clean_path(&path)),
        }
    } else {
        // A household file holds one applicant: named by its waiting-list number, read
        // leniently from the raw text, else by position, as the checks name it.
        let id = id_of(text);
        (Some(id.unwrap_or_else(|| "#1".into())), clean_path(&path))
    };
    let message = explain(&message, list);
    HouseholdError {
        file: file.to_string(),
        at,
        applicant,
        field,
        problem: message,
    }
}

/// Reads one household (for `applicant check`), checked for the takeover date.
pub fn read_household(file: &str, text: &str, on: Date) -> Result<Household, HouseholdErrors> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let h: Household = serde_path_to_error::deserialize(de)
        .map_err(|e| HouseholdErrors(vec![json_error(file, text, e, false)]))?;
    let label = h.id.clone().unwrap_or_else(|| "#1".into());
    let problems = check_household(&h, &label, on, false);
    if problems.is_empty() {
        Ok(h)
    } else {
        Err(HouseholdErrors(
            problems
                .into_iter()
                .map(|p| from_problem(file, p))
                .collect(),
        ))
    }
}

/// Reads a list of applicants (for `applicant rank`): every household checked for the
/// takeover date, each with a waiting-list number (unique) and a seniority date.
pub fn read_applicants(
    file: &str,
    text: &str,
    on: Date,
) -> Result<Vec<Household>, HouseholdErrors> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wrapped {
        applicants: Vec<Household>,
    }
    let fail = |e| HouseholdErrors(vec![json_error(file, text, e, true)]);
    // Counted before anything is built: a long list of tiny elements would otherwise cost
    // hundreds of bytes of memory for each few bytes of file.
    if let Some((n, _)) = scan(text, 0).filter(|(n, _)| *n > MAX_APPLICANTS) {
        return Err(HouseholdErrors(vec![HouseholdError {
            file: file.to_string(),
            at: None,
            applicant: None,
            field: String::new(),
            problem: format!(
                "the file lists {n} applicants; trappe ranks at most {MAX_APPLICANTS} at a time"
            ),
        }]));
    }
    // The outer shape decides the reader, so a problem inside an element keeps its
    // path, line and column.
    let households = if text.trim_start().starts_with('[') {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, Vec<Household>>(de).map_err(fail)?
    } else {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, Wrapped>(de)
            .map_err(fail)?
            .applicants
    };
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (i, h) in households.iter().enumerate() {
        let l = label(i, h.id.as_deref());
        errors.extend(
            check_household(h, &l, on, true)
                .into_iter()
                .map(|p| from_problem(file, p)),
        );
        if let Some(id) = h.id.as_deref().filter(|s| !s.trim().is_empty()) {
            // A waiting-list number with an invisible character would be another
            // applicant than the one it looks like.
            if let Some((at, c)) = crate::table_in::forbidden_char(id.trim(), true) {
                errors.push(HouseholdError {
                    file: file.to_string(),
                    at: None,
                    applicant: Some(l.clone()),
                    field: "id".into(),
                    problem: format!(
                        "{id:?} holds the character {} at position {at}; a waiting-list number may hold no invisible or control character",
                        crate::table_in::char_name(c)
                    ),
                });
            }
            if let Some(first) = seen.insert(id.to_string(), i) {
                errors.push(HouseholdError {
                    file: file.to_string(),
                    at: None,
                    applicant: Some(l),
                    field: "id".into(),
                    problem: format!(
                        "{id} is also applicant #{}; each waiting-list number once",
                        first + 1
                    ),
                });
            }
        }
    }
    if households.is_empty() {
        errors.push(HouseholdError {
            file: file.to_string(),
            at: None,
            applicant: None,
            field: String::new(),
            problem: "no applicants: the list is empty".into(),
        });
    }
    if errors.is_empty() {
        Ok(households)
    } else {
        Err(HouseholdErrors(errors))
    }
}

/// The JSON schema of a household file, generated from the types (kept in
/// `docs/household.schema.json`; a test checks the file is current).
pub fn schema() -> String {
    let schema = serde_json::to_value(schemars::schema_for!(Household)).unwrap_or_default();
    let mut s = serde_json::to_string_pretty(&sorted(schema)).unwrap_or_default();
    s.push('\n');
    s
}

/// A JSON value with every object's keys in sorted order, whatever map serde_json is
/// built with (another crate in the build may turn on its insertion order), so the
/// documented schema is the same text in every build.
fn sorted(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut pairs: Vec<(String, serde_json::Value)> = m.into_iter().collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(pairs.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // docs/household.schema.json is what `trappe applicant schema` prints; regenerate it
    // with that command when the household types change.
    #[test]
    fn the_documented_schema_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/household.schema.json"
        );
        let documented = std::fs::read_to_string(path).expect("docs/household.schema.json");
        assert_eq!(
            documented,
            schema(),
            "regenerate: trappe applicant schema > docs/household.schema.json"
        );
    }
}
