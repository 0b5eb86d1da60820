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
pub mod applicant;
pub mod criteria;
pub mod deadlines;
pub mod designation;
pub mod law;
pub mod ledger;
pub mod placement;
pub mod pooling;
pub mod reason;
pub mod receipt;
pub mod wheel;

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

/// Serialises a [`Pct`] as a JSON number quickly and exactly: the nearest binary float
/// to the decimal, which prints back as the decimal written ("45.9"). Use with
/// `#[serde(serialize_with = "crate::pct_number")]` on fields that are written in bulk.
pub fn pct_number<S: serde::Serializer>(value: &Pct, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(pct_to_f64(*value))
}

/// As [`pct_number`], for an optional value.
pub fn opt_pct_number<S: serde::Serializer>(value: &Option<Pct>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.serialize_some(&pct_to_f64(*v)),
        None => s.serialize_none(),
    }
}

/// The nearest `f64` to a decimal. A mantissa below 2^53 and a power of ten up to 10^22 are
/// both exact in binary, so their quotient is correctly rounded; larger values take
/// rust_decimal's general (slower) conversion.
pub fn pct_to_f64(value: Pct) -> f64 {
    let mantissa = value.mantissa();
    let scale = value.scale();
    if mantissa.unsigned_abs() < (1u128 << 53) && scale <= 22 {
        mantissa as f64 / 10f64.powi(scale as i32)
    } else {
        rust_decimal::prelude::ToPrimitive::to_f64(&value).unwrap_or(f64::NAN)
    }
}

/// A calendar date (no time zone: every rule in the agreements is by date).
pub type Date = chrono::NaiveDate;

#[cfg(test)]
mod tests {
    use super::*;

    // The fast path must give the same float as rust_decimal's general conversion.
    #[test]
    fn pct_to_f64_is_the_nearest_float() {
        for s in [
            "0",
            "45.9",
            "2.18",
            "57.8",
            "-3.25",
            "0.0001",
            "99.99",
            "123456789.123456",
        ] {
            let d: Pct = s.parse().unwrap();
            assert_eq!(pct_to_f64(d), s.parse::<f64>().unwrap(), "{s}");
        }
    }
}
