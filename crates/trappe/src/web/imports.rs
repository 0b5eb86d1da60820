//! Imports in the browser: upload a CSV or XLSX file, see every bad cell before anything
//! is stored, confirm, and see who moved step because of it. The municipality only.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Multipart, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use trappe_formats::table_in::TableOptions;
use trappe_formats::text::Lang;
use trappe_store::import::{
    check_import, ImportContext, ImportFile, Kind, Shrink, Withdrawal, MAX_DROP_PCT,
};
use trappe_store::users::{Role, Session};
use trappe_store::StoreError;

use super::auth::{check_csrf, page_error, token};
use super::pages::render;
use super::{lang_of, with_store, AppError, State};

/// The largest file accepted.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;
/// How long an uploaded, checked file waits for its confirmation.
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);

/// A checked upload waiting for the user's confirmation.
pub struct Pending {
    user: i64,
    kind: Kind,
    date: trappe_rules::Date,
    name: String,
    bytes: Vec<u8>,
    at: Instant,
}

#[derive(Default)]
pub struct Uploads(Mutex<HashMap<String, Pending>>);

impl Uploads {
    fn put(&self, key: String, p: Pending) {
        if let Ok(mut m) = self.0.lock() {
            m.retain(|_, v| v.at.elapsed() < PENDING_FOR);
            m.insert(key, p);
        }
    }

    fn take(&self, key: &str, user: i64) -> Option<Pending> {
        let mut m = self.0.lock().ok()?;
        match m.get(key) {
            Some(p) if p.user == user && p.at.elapsed() < PENDING_FOR => m.remove(key),
            _ => None,
        }
    }
}

fn municipality(session: &Session) -> Result<(), AppError> {
    match session.user.role {
        Role::Municipality => Ok(()),
        _ => Err(AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "imports are the municipality's",
        )),
    }
}

fn kind(s: &str) -> Result<Kind, AppError> {
    match s {
        "departments" => Ok(Kind::Departments),
        "areas" => Ok(Kind::Areas),
        "pools" => Ok(Kind::Pools),
        "decisions" => Ok(Kind::Decisions),
        other => Err(AppError::bad_request(format!(
            "kind {other:?}: departments, areas, pools or decisions"
        ))),
    }
}

fn page(
    state: &State,
    lang: Lang,
    session: &Session,
    status: StatusCode,
    ctx: minijinja::Value,
) -> Response {
    let title = if lang == Lang::Da {
        "Indlæs data"
    } else {
        "Import data"
    };
    (
        status,
        render(
            state,
            "imports.html",
            lang,
            Some(session),
            minijinja::context! { title => title, back => "/imports", ..ctx },
        ),
    )
        .into_response()
}

async fn snapshots(state: &State) -> Result<Vec<minijinja::Value>, AppError> {
    with_store(state, |s| {
        Ok(s.snapshots()?
            .into_iter()
            .map(|x| {
                minijinja::context! {
                    kind => x.kind, date => x.reference_date.to_string(), file => x.file_name,
                    rows => x.rows, at => x.imported_at.format("%Y-%m-%d %H:%M").to_string(), by => x.imported_by,
                    withdrawn => x.withdrawn.map(|w| minijinja::context! {
                        at => w.at.format("%Y-%m-%d %H:%M").to_string(), by => w.by, reason => w.reason,
                    }),
                }
            })
            .collect())
    })
    .await
}

pub async fn form(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
) -> Response {
    let lang = lang_of(&headers);
    if let Err(e) = municipality(&session) {
        return page_error(&state, lang, Some(&session), e);
    }
    match snapshots(&state).await {
        Ok(list) => page(
            &state,
            lang,
            &session,
            StatusCode::OK,
            minijinja::context! { snapshots => list },
        ),
        Err(e) => page_error(&state, lang, Some(&session), e),
    }
}

/// Reads the upload form: every field, the file kept in memory (the body limit bounds it).
async fn read_upload(
    mut m: Multipart,
) -> Result<(HashMap<String, String>, Option<(String, Vec<u8>)>), AppError> {
    let mut fields = HashMap::new();
    let mut file = None;
    while let Some(field) = m
        .next_field()
        .await
        .map_err(|e| AppError::bad_request(format!("the upload could not be read: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| AppError::bad_request(format!("the file could not be read: {e}")))?;
            file = Some((file_name, bytes.to_vec()));
        } else {
            let value = field
                .text()
                .await
                .map_err(|e| AppError::bad_request(format!("field {name}: {e}")))?;
            fields.insert(name, value);
        }
    }
    Ok((fields, file))
}

pub async fn upload(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let result = async {
        let m =
            multipart.map_err(|e| AppError::bad_request(format!("expected a file upload: {e}")))?;
        // The body is read before the role is checked, so the client gets the answer
        // instead of a connection closed mid-upload.
        let (fields, file) = read_upload(m).await?;
        municipality(&session)?;
        check_csrf(
            &session,
            fields.get("csrf").map(String::as_str).unwrap_or(""),
        )?;
        let kind = kind(fields.get("kind").map(String::as_str).unwrap_or(""))?;
        let date_text = fields
            .get("date")
            .map(String::as_str)
            .unwrap_or("")
            .trim()
            .to_string();
        let date: trappe_rules::Date = date_text.parse().map_err(|_| {
            AppError::bad_request(format!("date: {date_text:?} is not a date (YYYY-MM-DD)"))
        })?;
        let (name, bytes) = file
            .filter(|(_, b)| !b.is_empty())
            .ok_or_else(|| AppError::bad_request("choose a file to upload"))?;
        Ok::<_, AppError>((kind, date, name, bytes))
    }
    .await;
    let (kind, date, name, bytes) = match result {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let checked = check_import(&ImportFile {
        kind,
        reference_date: date,
        file_name: &name,
        bytes: &bytes,
        options: TableOptions::default(),
    });
    let list = snapshots(&state).await.unwrap_or_default();
    let kind_text = kind.as_str();
    let date_text = date.to_string();
    match checked {
        Ok(rows) => {
            let drop = match shrink(&state, kind, date, &name, &bytes).await {
                Ok(d) => d,
                Err(e) => return page_error(&state, lang, Some(&session), e),
            };
            let key = token();
            state.uploads.put(
                key.clone(),
                Pending {
                    user: session.user.id,
                    kind,
                    date,
                    name: name.clone(),
                    bytes,
                    at: Instant::now(),
                },
            );
            page(
                &state,
                lang,
                &session,
                StatusCode::OK,
                minijinja::context! { checked => minijinja::context! { name => name, kind => kind.as_str(), date => date.to_string(), rows => rows, key => key, drop => drop }, snapshots => list, kind => kind_text, date => date_text },
            )
        }
        Err(StoreError::Input(errors)) => page(
            &state,
            lang,
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            minijinja::context! {
                name => name,
                errors => errors.errors.iter().map(|e| minijinja::context! {
                    line => e.line, column => e.column.clone(), value => e.value.clone(), expected => e.expected.clone(),
                }).collect::<Vec<_>>(),
                truncated => errors.truncated,
                snapshots => list,
                kind => kind_text,
                date => date_text,
            },
        ),
        Err(e) => page_error(&state, lang, Some(&session), e.into()),
    }
}

/// What a departments upload would drop above the share, for the check step (how
/// many, of how many, the share and the first ids), or nothing.
async fn shrink(
    state: &State,
    kind: Kind,
    date: trappe_rules::Date,
    name: &str,
    bytes: &[u8],
) -> Result<Option<minijinja::Value>, AppError> {
    if kind != Kind::Departments {
        return Ok(None);
    }
    let (name, bytes) = (name.to_string(), bytes.to_vec());
    let found: Option<Shrink> = with_store(state, move |s| {
        Ok(s.check_drop(&ImportFile {
            kind,
            reference_date: date,
            file_name: &name,
            bytes: &bytes,
            options: TableOptions::default(),
        })?)
    })
    .await?;
    Ok(found.map(|d| {
        minijinja::context! {
            dropped => d.dropped(), held => d.held(), compared_with => d.compared_with.to_string(),
            pct => d.dropped() * 100 / d.held().max(1), max_pct => MAX_DROP_PCT,
            ids => d.sample(10), more => d.dropped() > 10,
        }
    }))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    csrf: String,
    key: String,
    /// The explicit confirmation that the departments a file drops really left.
    allow_drop: Option<String>,
}

pub async fn confirm(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    form: Result<Form<ConfirmForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let Ok(Form(f)) = form else {
        return page_error(
            &state,
            lang,
            Some(&session),
            AppError::bad_request("the confirmation lacks its fields"),
        );
    };
    if let Err(e) = municipality(&session).and_then(|()| check_csrf(&session, &f.csrf)) {
        return page_error(&state, lang, Some(&session), e);
    }
    let Some(p) = state.uploads.take(&f.key, session.user.id) else {
        return page_error(&state, lang, Some(&session), AppError::new(StatusCode::GONE, "expired", "the checked file is no longer waiting (30 minutes, or already imported): upload it again"));
    };
    let actor = session.user.username.clone();
    let allow_drop = f.allow_drop.is_some();
    let result = with_store(&state, move |s| {
        Ok(s.import(
            &ImportFile {
                kind: p.kind,
                reference_date: p.date,
                file_name: &p.name,
                bytes: &p.bytes,
                options: TableOptions::default(),
            },
            &ImportContext {
                actor: &actor,
                agreement: None,
                any_municipality: None,
                program_version: env!("CARGO_PKG_VERSION"),
                allow_drop,
            },
        )?)
    })
    .await;
    let report = match result {
        Ok(r) => r,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let changes: Vec<minijinja::Value> = report
        .runs
        .iter()
        .flat_map(|r| {
            r.changes.iter().map(move |c| {
                minijinja::context! {
                    on => r.on_date.to_string(), department => c.department_id.clone(), name => c.name.clone(),
                    before => c.before_label(lang), after => c.after_label(lang),
                    why => c.why.iter().map(|w| w.describe(lang)).collect::<Vec<_>>().join("; "),
                }
            })
        })
        .collect();
    let list = snapshots(&state).await.unwrap_or_default();
    page(
        &state,
        lang,
        &session,
        StatusCode::OK,
        minijinja::context! {
            imported => minijinja::context! {
                kind => report.kind.as_str(), date => report.reference_date.to_string(), rows => report.rows,
                unchanged => report.unchanged, runs => report.runs.len(),
            },
            changes => changes,
            snapshots => list,
        },
    )
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    csrf: String,
    kind: String,
    date: String,
    reason: String,
}

/// The municipality withdraws a wrong snapshot (with a reason): kept in the history,
/// no input from then on, the placements recomputed from its date.
pub async fn withdraw(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    form: Result<Form<WithdrawForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let Ok(Form(f)) = form else {
        return page_error(
            &state,
            lang,
            Some(&session),
            AppError::bad_request("the withdrawal lacks its fields"),
        );
    };
    let checked = municipality(&session)
        .and_then(|()| check_csrf(&session, &f.csrf))
        .and_then(|()| {
            let kind = kind(&f.kind)?;
            let date: trappe_rules::Date = f.date.trim().parse().map_err(|_| {
                AppError::bad_request(format!("date: {:?} is not a date (YYYY-MM-DD)", f.date))
            })?;
            if f.reason.trim().is_empty() {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    if lang == Lang::Da {
                        "angiv en begrundelse for tilbagetrækningen"
                    } else {
                        "give a reason for the withdrawal"
                    },
                ));
            }
            Ok((kind, date))
        });
    let (kind, date) = match checked {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let actor = session.user.username.clone();
    let reason = f.reason;
    let result = with_store(&state, move |s| {
        Ok(s.withdraw_snapshot(&Withdrawal {
            kind,
            reference_date: date,
            reason: &reason,
            actor: &actor,
            program_version: env!("CARGO_PKG_VERSION"),
        })?)
    })
    .await;
    let report = match result {
        Ok(r) => r,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let on = report.reference_date.to_string();
    let changes: Vec<minijinja::Value> = report
        .changes
        .iter()
        .map(|c| {
            minijinja::context! {
                on => on.clone(), department => c.department_id.clone(), name => c.name.clone(),
                before => c.before_label(lang), after => c.after_label(lang),
                why => c.why.iter().map(|w| w.describe(lang)).collect::<Vec<_>>().join("; "),
            }
        })
        .collect();
    let list = snapshots(&state).await.unwrap_or_default();
    page(
        &state,
        lang,
        &session,
        StatusCode::OK,
        minijinja::context! {
            withdrawn => minijinja::context! {
                kind => report.kind.as_str(), date => report.reference_date.to_string(),
                file => report.file_name, rows => report.rows,
                in_force => report.in_force.map(|(_, d)| d.to_string()),
            },
            changes => changes,
            snapshots => list,
        },
    )
}
