//! Who may reach an id, checked before anything else is read about it. To an
//! organisation or the steering group an id of another organisation's and an id that
//! does not exist answer alike (403), so neither the state of another's vacancy nor the
//! number of the municipality's vacancies, rankings or departments shows; the
//! municipality, which may see everything, gets 404 for an id that does not exist.

use trappe_store::users::{Role, Session};
use trappe_store::Store;

use super::AppError;

/// The answer for an id that does not exist: 404 for a municipality's user (another
/// municipality's id is a 403 to it, as another organisation's is to an organisation),
/// 403 for others.
pub fn missing(session: &Session, what: String) -> AppError {
    if session.user.role == Role::Municipality {
        AppError::not_found(what)
    } else {
        AppError::forbidden()
    }
}

/// Refuses a department the user may not reach.
pub fn department(store: &mut Store, session: &Session, department: &str) -> Result<(), AppError> {
    match store.owner_of(department)? {
        Some(owner) if session.user.sees_owner(&owner) => Ok(()),
        Some(_) => Err(AppError::forbidden()),
        None => Err(missing(session, format!("unknown department {department}"))),
    }
}

/// Refuses a vacancy the user may not reach; returns its department.
pub fn vacancy(store: &mut Store, session: &Session, vacancy: i64) -> Result<String, AppError> {
    match store.department_of_vacancy(vacancy)? {
        Some(d) => department(store, session, &d).map(|()| d),
        None => Err(missing(session, format!("no vacancy {vacancy}"))),
    }
}

/// Refuses a ranking run the user may not reach.
pub fn ranking(store: &mut Store, session: &Session, run: i64) -> Result<(), AppError> {
    match store.department_of_ranking(run)? {
        Some(d) => department(store, session, &d),
        None => Err(missing(session, format!("no ranking run {run}"))),
    }
}
