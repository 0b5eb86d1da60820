//! trappe's boundary: everything that turns bytes into checked rules types and
//! results back into bytes.
//!
//! - [`agreement_file`]: agreement and law parameter files (TOML) → `trappe_rules`
//!   types, with every problem reported by file, line and column.
//! - [`table_in`]: departments, areas, pools and decisions files (CSV as Danish
//!   spreadsheets export them, or XLSX; other layouts through a column mapping) → rules
//!   input types; [`table_in::read_input_file`] with its size limit.
//! - [`text`]: reasons and labels rendered in Danish or English.
//! - [`output`]: classification and designation results as table, CSV or JSON.
//! - [`report`]: overview tables (export, history, changes) as CSV, JSON, text or XLSX.
//! - [`synth`]: synthetic example data with a fixed seed.

pub mod agreement_file;
pub mod applicant_text;
pub mod household;
pub mod output;
pub mod report;
pub mod synth;
pub mod table_in;
pub mod text;

pub use agreement_file::{load_agreement, load_builtin, AgreementSource, LoadedAgreement};
pub use report::{report_xlsx, write_report, Cell, Column, Report};
pub use table_in::{
    parse_mapping, read_input_file, ColumnMapping, InputError, InputErrors, TableOptions,
    DEFAULT_MAX_FILE_BYTES,
};
pub use text::Lang;
