//! Who owns what: the organisation of a department (today's master data), the
//! departments of an organisation, and the department a vacancy or a ranking run
//! belongs to. Access checks in the web application are built on these, and only on
//! these.

use std::collections::{BTreeSet, HashMap};

use crate::db::Value;
use crate::{Store, StoreError};

/// Who a department belongs to: its organisation and its municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub organisation: String,
    pub municipality: String,
}

impl Store {
    /// Today's organisation of a department; `None` for a department the database
    /// does not know.
    pub fn owner_of(&mut self, department: &str) -> Result<Option<Owner>, StoreError> {
        self.conn
            .query_opt(
                "SELECT organisation_id, municipality FROM department WHERE id = $1",
                &[department.into()],
            )?
            .map(|r| {
                Ok(Owner {
                    organisation: r.text(0)?,
                    municipality: r.text(1)?,
                })
            })
            .transpose()
    }

    /// The departments an organisation owns today.
    pub fn departments_of(&mut self, organisation: &str) -> Result<BTreeSet<String>, StoreError> {
        self.conn
            .query(
                "SELECT id FROM department WHERE organisation_id = $1",
                &[organisation.into()],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect()
    }

    /// The organisation of every department, as the newest master data has it.
    pub fn owners(&mut self) -> Result<HashMap<String, Owner>, StoreError> {
        self.conn
            .query(
                "SELECT id, organisation_id, municipality FROM department",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok((
                    r.text(0)?,
                    Owner {
                        organisation: r.text(1)?,
                        municipality: r.text(2)?,
                    },
                ))
            })
            .collect()
    }

    /// The department of a registered vacancy; `None` when there is no such vacancy.
    pub fn department_of_vacancy(&mut self, vacancy: i64) -> Result<Option<String>, StoreError> {
        self.conn
            .query_opt(
                "SELECT department_id FROM vacancy_entry WHERE id = $1 AND kind = 'register'",
                &[Value::Int(vacancy)],
            )?
            .map(|r| r.text(0))
            .transpose()
    }

    /// The department of a stored ranking run; `None` when there is no such run.
    pub fn department_of_ranking(&mut self, run: i64) -> Result<Option<String>, StoreError> {
        self.conn
            .query_opt(
                "SELECT department_id FROM ranking_run WHERE id = $1",
                &[Value::Int(run)],
            )?
            .map(|r| r.text(0))
            .transpose()
    }
}
