//! trappe's boundary: everything that turns bytes into checked rules types and
//! results back into bytes.
//!
//! - [`agreement_file`]: agreement and law parameter files (TOML) → `trappe_rules`
//!   types, with every problem reported by file, line and column.
//! - [`table_in`]: departments, areas, pools and decisions files (CSV as Danish
//!   spreadsheets export them) → rules input types.
//! - [`text`]: reasons and labels rendered in Danish or English.
//! - [`output`]: classification and designation results as table, CSV or JSON.
//! - [`synth`]: synthetic example data with a fixed seed.

pub mod agreement_file;
pub mod output;
pub mod synth;
pub mod table_in;
pub mod text;

pub use agreement_file::{load_agreement, load_builtin, AgreementSource, LoadedAgreement};
pub use text::Lang;
