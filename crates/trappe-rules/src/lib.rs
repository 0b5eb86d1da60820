//! The rules core of trappe.
//!
//! Everything here is a plain function of (data, agreement, date): the state's
//! designations of housing areas, the placement of every housing department on its
//! agreement's staircase, and the pooling of small departments.
//!
//! Architecture invariant: this crate does no IO. It never reads a file, the clock,
//! the environment or a database, and it never prints. Callers parse their inputs into
//! the types below (see `trappe-formats`) and hand in the date to decide for.
//!
//! Architecture invariant: no number from a source document lives in this crate.
//! Thresholds, step tables, bands and margins come from the agreement and law
//! parameter files; the code holds only mechanisms.

pub mod agreement;
pub mod criteria;
pub mod designation;
pub mod law;
pub mod placement;
pub mod pooling;
pub mod reason;
pub mod receipt;

pub use agreement::Agreement;
pub use criteria::{Criterion, Figures};
pub use designation::Designation;
pub use law::LawParams;
pub use placement::{classify, Classification, Placement};
pub use reason::Reason;

/// Percentages and amounts are exact decimals, so a boundary such as
/// "unemployment above 40.0 %" is decided on the value written in the source, not on
/// a binary approximation of it.
pub type Pct = rust_decimal::Decimal;

/// A calendar date (no time zone: every rule in the agreements is by date).
pub type Date = chrono::NaiveDate;
