//! trappe's use cases, below both front-ends: the command line (`trappe`, clap and
//! printing) and the web application (`trappe-web`, axum and templates) call the same
//! functions here and show the same result.
//!
//! - [`applicants`]: the letting context of a vacancy or department, what its slot
//!   requires, checking a household and ranking an applicants file (stored, explainable
//!   later);
//! - [`reports`]: the overview, history and changes tables and the letting reports of
//!   bilag 15;
//! - [`demo`]: the Copenhagen example loaded into an empty database.
//!
//! Registering a vacancy is one store call ([`trappe_store::Store::register_vacancy`]),
//! which also holds the one default for the day the municipality received the home.
//! Ownership (who may reach a department, vacancy or ranking) is asked of the store
//! (`Store::owner_of`, `Store::departments_of`).

pub mod applicants;
pub mod demo;
pub mod reports;
pub mod text;

use trappe_store::StoreError;

/// Why a use case did not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database said no, or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// What the user gave is wrong: a file, a field, a period.
    #[error("{0}")]
    Input(String),
    /// The request does not fit the agreement here (a criteria set the step does not
    /// use, a slot with no applicants to rank).
    #[error("{0}")]
    Refused(String),
    /// The agreement has no applicant criteria, so there is nothing to check against.
    #[error("{0}")]
    NoCriteria(String),
}
