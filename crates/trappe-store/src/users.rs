//! Users, sessions and login throttling for the web application.
//!
//! Passwords arrive here already hashed (Argon2id, by the caller); session tokens are
//! kept only as their SHA-256, so a copy of the database signs nobody in.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::db::{Conn, Value};
use crate::{Store, StoreError};
use trappe_formats::agreement_file::sha256_hex;

/// What a user may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// All departments; imports and decisions.
    Municipality,
    /// Its own organisation's departments: reading, vacancies, applicants.
    Organisation { organisation_id: String },
    /// Reading everything, changing nothing.
    Steering,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Municipality => "municipality",
            Role::Organisation { .. } => "organisation",
            Role::Steering => "steering",
        }
    }

    pub fn organisation(&self) -> Option<&str> {
        match self {
            Role::Organisation { organisation_id } => Some(organisation_id),
            _ => None,
        }
    }

    /// Whether the user may see a department of `organisation`.
    pub fn sees(&self, organisation: &str) -> bool {
        self.organisation().is_none_or(|o| o == organisation)
    }
}

/// A user as the application sees it (never the hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[serde(flatten)]
    pub role: Role,
    /// The one municipality a municipality or steering-group user works for (`None`:
    /// every municipality the database holds). An organisation's user sees its own
    /// departments in every municipality.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,
}

impl User {
    /// Whether the user may see a department of `organisation` in `municipality`.
    pub fn sees(&self, organisation: &str, municipality: &str) -> bool {
        self.role.sees(organisation)
            && self
                .municipality
                .as_deref()
                .is_none_or(|m| m == municipality)
    }

    /// Whether the user may see a department with this owner.
    pub fn sees_owner(&self, owner: &crate::ownership::Owner) -> bool {
        self.sees(&owner.organisation, &owner.municipality)
    }
}

/// A user with the stored hash, for signing in.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub disabled: bool,
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub expires_at: DateTime<Utc>,
}

fn role_from(role: &str, organisation: Option<String>) -> Result<Role, StoreError> {
    match (role, organisation) {
        ("municipality", _) => Ok(Role::Municipality),
        ("steering", _) => Ok(Role::Steering),
        ("organisation", Some(o)) => Ok(Role::Organisation { organisation_id: o }),
        (r, o) => Err(StoreError::Corrupt(format!(
            "user role {r:?} with organisation {o:?}"
        ))),
    }
}

const USER_SELECT: &str =
    "id, username, role, organisation_id, password_hash, disabled, municipality";

/// A user's row; the municipality is in column `municipality`.
fn credentials(r: &crate::Row, municipality: usize) -> Result<Credentials, StoreError> {
    Ok(Credentials {
        user: User {
            id: r.int(0)?,
            username: r.text(1)?,
            role: role_from(&r.text(2)?, r.opt_text(3)?)?,
            municipality: r.opt_text(municipality)?,
        },
        password_hash: r.text(4)?,
        disabled: r.int(5)? != 0,
    })
}

impl Store {
    /// Adds a user; the name must be new. `password_hash` is a PHC string.
    pub fn add_user(
        &mut self,
        username: &str,
        password_hash: &str,
        role: &Role,
        municipality: Option<&str>,
        actor: &str,
    ) -> Result<User, StoreError> {
        let municipality = municipality.map(crate::import::municipality_key);
        if let Some(m) = &municipality {
            if matches!(role, Role::Organisation { .. }) {
                return Err(StoreError::Invalid(
                    "an organisation's user sees its own departments in every municipality: give no municipality".into(),
                ));
            }
            let known = self
                .conn
                .query_opt(
                    "SELECT 1 FROM municipality WHERE code = $1",
                    &[m.as_str().into()],
                )?
                .is_some();
            if !known {
                return Err(StoreError::Invalid(format!(
                    "unknown municipality {m}: no file has been imported for it"
                )));
            }
        }
        let name = username.trim();
        if name.is_empty()
            || name.len() > 64
            || name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(StoreError::Invalid(format!(
                "user name {username:?}: 1–64 characters without spaces"
            )));
        }
        if let Some(o) = role.organisation() {
            let known = self
                .conn
                .query_opt("SELECT 1 FROM organisation WHERE id = $1", &[o.into()])?
                .is_some();
            if !known {
                return Err(StoreError::Invalid(format!(
                    "unknown organisation {o}: it is in no imported departments file"
                )));
            }
        }
        let now = Utc::now();
        self.conn.transaction(|c| {
            if c.query_opt("SELECT 1 FROM app_user WHERE username = $1", &[name.into()])?.is_some() {
                return Err(StoreError::Conflict(format!("user {name} exists already")));
            }
            let id = c
                .query_opt(
                    "INSERT INTO app_user (username, password_hash, role, organisation_id, created_at, disabled, municipality) VALUES ($1, $2, $3, $4, $5, 0, $6) RETURNING id",
                    &[
                        name.into(),
                        password_hash.into(),
                        role.as_str().into(),
                        role.organisation().map(str::to_string).into(),
                        now.into(),
                        municipality.clone().into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
                .int(0)?;
            Store::audit(
                c,
                actor,
                "add_user",
                name,
                &serde_json::json!({ "role": role, "municipality": municipality }),
            )?;
            Ok(User {
                id,
                username: name.to_string(),
                role: role.clone(),
                municipality,
            })
        })
    }

    /// A user by name, with the stored hash.
    pub fn credentials(&mut self, username: &str) -> Result<Option<Credentials>, StoreError> {
        self.conn
            .query_opt(
                &format!("SELECT {USER_SELECT} FROM app_user WHERE username = $1"),
                &[username.into()],
            )?
            .map(|r| credentials(&r, 6))
            .transpose()
    }

    /// Every user, by name.
    pub fn users(&mut self) -> Result<Vec<Credentials>, StoreError> {
        self.conn
            .query(
                &format!("SELECT {USER_SELECT} FROM app_user ORDER BY username"),
                &[],
            )?
            .iter()
            .map(|r| credentials(r, 6))
            .collect()
    }

    /// Starts a session for a user: stores the token's hash and the CSRF token.
    pub fn create_session(
        &mut self,
        user: &User,
        token: &str,
        csrf: &str,
        lifetime: Duration,
    ) -> Result<DateTime<Utc>, StoreError> {
        let now = Utc::now();
        let expires = now + lifetime;
        self.conn.transaction(|c| {
            c.execute("DELETE FROM app_session WHERE expires_at < $1", &[now.into()])?;
            c.execute(
                "INSERT INTO app_session (token_sha256, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[sha256_hex(token.as_bytes()).into(), Value::Int(user.id), csrf.into(), now.into(), expires.into()],
            )?;
            Store::audit(c, &user.username, "sign_in", &user.username, &serde_json::json!({}))?;
            Ok(expires)
        })
    }

    /// The session of a cookie token, if it is live and its user is not disabled.
    pub fn session(&mut self, token: &str) -> Result<Option<Session>, StoreError> {
        let row = self.conn.query_opt(
            "SELECT u.id, u.username, u.role, u.organisation_id, u.password_hash, u.disabled, s.csrf, s.expires_at, u.municipality FROM app_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_sha256 = $1",
            &[sha256_hex(token.as_bytes()).into()],
        )?;
        let Some(r) = row else { return Ok(None) };
        let c = credentials(&r, 8)?;
        let expires_at = r.time(7)?;
        if c.disabled || expires_at < Utc::now() {
            return Ok(None);
        }
        Ok(Some(Session {
            user: c.user,
            csrf: r.text(6)?,
            expires_at,
        }))
    }

    /// Ends a session.
    pub fn end_session(&mut self, token: &str, actor: &str) -> Result<(), StoreError> {
        self.conn.transaction(|c| {
            c.execute(
                "DELETE FROM app_session WHERE token_sha256 = $1",
                &[sha256_hex(token.as_bytes()).into()],
            )?;
            Store::audit(c, actor, "sign_out", actor, &serde_json::json!({}))
        })
    }

    /// Records a sign-in attempt as a failure (before the password is verified, so
    /// parallel attempts cannot all pass the check); returns its id, for
    /// [`Store::forget_login_failure`].
    pub fn record_login_failure(
        &mut self,
        username: &str,
        client: &str,
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        self.conn.transaction(|c| {
            c.execute(
                "DELETE FROM login_failure WHERE at < $1",
                &[(now - Duration::days(1)).into()],
            )?;
            c.query_opt(
                "INSERT INTO login_failure (username, client, at) VALUES ($1, $2, $3) RETURNING id",
                &[username.into(), client.into(), now.into()],
            )?
            .ok_or_else(|| StoreError::Corrupt("INSERT … RETURNING gave no row".into()))?
            .int(0)
        })
    }

    /// Forgets one recorded attempt: one refused because its user and client were
    /// already locked out, which is not counted.
    pub fn forget_login_failure(&mut self, id: i64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM login_failure WHERE id = $1", &[Value::Int(id)])?;
        Ok(())
    }

    /// Failed sign-ins since a time: for a user name from one client, and from the
    /// client for any name. A lock-out is per user and client, so wrong passwords from
    /// one address never lock the user out at another.
    pub fn login_failures(
        &mut self,
        username: &str,
        client: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64), StoreError> {
        let count = |c: &mut Conn, sql: &str, args: &[Value]| -> Result<i64, StoreError> {
            Ok(c.query_opt(sql, args)?
                .map(|r| r.int(0))
                .transpose()?
                .unwrap_or(0))
        };
        let by_user = count(
            &mut self.conn,
            "SELECT COUNT(*) FROM login_failure WHERE username = $1 AND client = $2 AND at >= $3",
            &[username.into(), client.into(), since.into()],
        )?;
        let by_client = count(
            &mut self.conn,
            "SELECT COUNT(*) FROM login_failure WHERE client = $1 AND at >= $2",
            &[client.into(), since.into()],
        )?;
        Ok((by_user, by_client))
    }

    /// Forgets the failures of a user name from one client (after a successful
    /// sign-in there); failures from other clients still count against those clients.
    pub fn clear_login_failures(&mut self, username: &str, client: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM login_failure WHERE username = $1 AND client = $2",
            &[username.into(), client.into()],
        )?;
        Ok(())
    }

    /// The organisations known, by id.
    pub fn organisations(&mut self) -> Result<Vec<String>, StoreError> {
        self.conn
            .query("SELECT id FROM organisation ORDER BY id", &[])?
            .iter()
            .map(|r| r.text(0))
            .collect()
    }
}
