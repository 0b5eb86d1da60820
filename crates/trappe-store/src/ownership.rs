//! Who owns what: the organisation of a department (today's master data), the
//! departments of an organisation, and the department a vacancy or a ranking run
//! belongs to. Access checks in the web application are built on these, and only on
//! these.

use std::collections::{BTreeSet, HashMap};

use crate::db::Value;
use crate::{Store, StoreError};

impl Store {
    /// Today's organisation of a department; `None` for a department the database
    /// does not know.
    pub fn owner_of(&mut self, department: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_opt(
                "SELECT organisation_id FROM department WHERE id = $1",
                &[department.into()],
            )?
            .map(|r| r.text(0))
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
    pub fn owners(&mut self) -> Result<HashMap<String, String>, StoreError> {
        self.conn
            .query("SELECT id, organisation_id FROM department", &[])?
            .iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?)))
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
