//! Receipts: what a placement was computed from, so it can be reproduced later.

use serde::Serialize;

use crate::Date;

/// Everything a classification run used: the agreement (by content hash), the law
/// values and the list they came from, every parameter with its source, the dates
/// and the program version.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub agreement: String,
    pub agreement_sha256: String,
    pub law: String,
    pub placement_date: Date,
    pub data_reference_date: Date,
    /// The state list in force on the placement date.
    pub list_in_force: Date,
    /// The list whose threshold values were used.
    pub thresholds_from_list: Date,
    /// True when the list in force had no known values and an earlier list's were used.
    pub thresholds_fallback: bool,
    pub parameters: Vec<ParameterUsed>,
    pub program_version: String,
}

/// One parameter value used, with its source and when it is valid.
#[derive(Debug, Clone, Serialize)]
pub struct ParameterUsed {
    pub name: String,
    pub value: String,
    pub source: String,
    /// The list whose value it is (law and risk-zone values) or the agreement's period.
    pub valid_for: String,
}
