//! Agreement files and law parameter files: TOML → checked `trappe_rules` types.
//!
//! Parsing happens in two passes: serde reads the file into raw structs that keep the
//! byte span of every table, then `check::Checker` turns them into rules types and collects
//! every problem it finds (with line and column), so that `trappe agreement check`
//! reports all of them at once. Overlapping or contradictory rules are problems, never
//! a silent first-wins.
//!
//! - `raw`: the file structure as serde reads it.
//! - `check`: the second pass, raw structs → rules types, with every problem.

mod check;
mod raw;

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use trappe_rules::law::LawParams;
use trappe_rules::Agreement;

pub use check::{parse_agreement, parse_law};

/// The agreements shipped with trappe, by name.
pub const BUILTIN_AGREEMENTS: &[(&str, &str)] = &[
    (
        "copenhagen-2024",
        include_str!("../../../../agreements/copenhagen-2024.toml"),
    ),
    (
        "aalborg-2023",
        include_str!("../../../../agreements/aalborg-2023.toml"),
    ),
    (
        "esbjerg-2020",
        include_str!("../../../../agreements/esbjerg-2020.toml"),
    ),
];

/// The law parameter sets shipped with trappe, by id.
pub const BUILTIN_LAWS: &[(&str, &str)] = &[(
    "almenboligloven-61",
    include_str!("../../../../agreements/law/almenboligloven-61.toml"),
)];

/// One problem in a file, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub what: String,
    pub expected: String,
}

/// Every problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileProblems {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for FileProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{}:{}:{}: {}; expected {}",
                self.file, p.line, p.column, p.what, p.expected
            )?;
        }
        Ok(())
    }
}

/// Where an agreement came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgreementSource {
    Builtin(String),
    File(PathBuf),
}

/// An agreement with the law parameters it refers to.
#[derive(Debug, Clone)]
pub struct LoadedAgreement {
    pub agreement: Agreement,
    pub law: LawParams,
    pub source: AgreementSource,
    /// The agreement file's text, as read (stored with placements so a past one can be
    /// recomputed with exactly these rules).
    pub text: String,
    /// The law parameter file's text.
    pub law_text: String,
}

impl LoadedAgreement {
    /// Rebuilds an agreement from stored texts (e.g. from the database).
    pub fn from_texts(
        text: String,
        law_text: String,
        source: AgreementSource,
    ) -> Result<LoadedAgreement, LoadError> {
        let file = match &source {
            AgreementSource::Builtin(n) => format!("agreements/{n}.toml"),
            AgreementSource::File(p) => p.display().to_string(),
        };
        let agreement = parse_agreement(&text, &file).map_err(LoadError::Problems)?;
        let law = parse_law(&law_text, &format!("agreements/law/{}.toml", agreement.law))
            .map_err(LoadError::Problems)?;
        Ok(LoadedAgreement {
            agreement,
            law,
            source,
            text,
            law_text,
        })
    }
}

/// Errors while locating or reading an agreement.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(
        "unknown agreement {name:?}: not a file, and not one of the built-in agreements ({known})"
    )]
    UnknownAgreement { name: String, known: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Problems(FileProblems),
    #[error("{file}: the law parameter set {law:?} is neither in {dir} nor built in ({known})")]
    UnknownLaw {
        file: String,
        law: String,
        dir: String,
        known: String,
    },
}

/// Loads an agreement by built-in name or by path, with its law parameters. For a file,
/// the law is looked up in `law/<id>.toml` beside the file, then among the built-in laws.
pub fn load_agreement(name_or_path: &str) -> Result<LoadedAgreement, LoadError> {
    let path = Path::new(name_or_path);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            path: name_or_path.to_string(),
            source,
        })?;
        let file = path.display().to_string();
        let agreement = parse_agreement(&text, &file).map_err(LoadError::Problems)?;
        let dir = path.parent().unwrap_or(Path::new(".")).join("law");
        let law_path = dir.join(format!("{}.toml", agreement.law));
        let (law, law_text) = if law_path.is_file() {
            let law_text =
                std::fs::read_to_string(&law_path).map_err(|source| LoadError::Read {
                    path: law_path.display().to_string(),
                    source,
                })?;
            (
                parse_law(&law_text, &law_path.display().to_string())
                    .map_err(LoadError::Problems)?,
                law_text,
            )
        } else {
            builtin_law(&agreement.law).ok_or_else(|| LoadError::UnknownLaw {
                file: file.clone(),
                law: agreement.law.clone(),
                dir: dir.display().to_string(),
                known: BUILTIN_LAWS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?
        };
        return Ok(LoadedAgreement {
            agreement,
            law,
            source: AgreementSource::File(path.to_path_buf()),
            text,
            law_text,
        });
    }
    load_builtin(name_or_path)
}

/// Loads one of the built-in agreements by name.
pub fn load_builtin(name: &str) -> Result<LoadedAgreement, LoadError> {
    let Some((_, text)) = BUILTIN_AGREEMENTS.iter().find(|(n, _)| *n == name) else {
        return Err(LoadError::UnknownAgreement {
            name: name.to_string(),
            known: BUILTIN_AGREEMENTS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let file = format!("agreements/{name}.toml");
    let agreement = parse_agreement(text, &file).map_err(LoadError::Problems)?;
    let law = builtin_law(&agreement.law).ok_or_else(|| LoadError::UnknownLaw {
        file,
        law: agreement.law.clone(),
        dir: "agreements/law".into(),
        known: BUILTIN_LAWS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    let (law, law_text) = law;
    Ok(LoadedAgreement {
        agreement,
        law,
        source: AgreementSource::Builtin(name.to_string()),
        text: text.to_string(),
        law_text,
    })
}

fn builtin_law(id: &str) -> Option<(LawParams, String)> {
    let (_, text) = BUILTIN_LAWS.iter().find(|(n, _)| *n == id)?;
    // The built-in law file is checked by the test suite; a problem here is a bug.
    let law = parse_law(text, &format!("agreements/law/{id}.toml")).ok()?;
    Some((law, text.to_string()))
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The built-in agreement and the problems of a changed copy of it, for the checking
/// tests of every section.
#[cfg(test)]
mod test_util {
    use super::*;

    pub(super) fn cph() -> &'static str {
        BUILTIN_AGREEMENTS[0].1
    }

    /// A built-in agreement file's text by name.
    pub(super) fn builtin(name: &str) -> &'static str {
        BUILTIN_AGREEMENTS
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("{name} is not built in"))
            .1
    }

    pub(super) fn problems(text: &str) -> Vec<String> {
        match parse_agreement(text, "x.toml") {
            Ok(_) => vec![],
            Err(e) => e.to_string().lines().map(str::to_string).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_agreements_and_laws_pass_the_check() {
        for (name, text) in BUILTIN_AGREEMENTS {
            if let Err(e) = parse_agreement(text, name) {
                panic!("{e}");
            }
        }
        for (name, text) in BUILTIN_LAWS {
            if let Err(e) = parse_law(text, name) {
                panic!("{e}");
            }
        }
    }
}
