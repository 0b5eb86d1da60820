//! Imports in the browser: upload a CSV or XLSX file, see every bad cell before anything
//! is stored, confirm, and see who moved step because of it. The municipality only.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Multipart, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;
use trappe_formats::table_in::TableOptions;
use trappe_formats::text::Lang;
use trappe_store::import::{
    CheckedFile, ImportContext, ImportFile, Kind, Shrink, Withdrawal, MAX_DROP_PCT,
};
use trappe_store::users::{Role, Session};
use trappe_store::StoreError;

use super::auth::{check_csrf, token};
use super::pages::{page_error, render};
use super::{lang_of, with_store, AppError, State};

/// How long an uploaded, checked file waits for its confirmation.
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);
/// Checked files waiting for confirmation: at most this many per user (a user's new
/// upload drops that user's oldest waiting file) ...
const HELD_PER_USER: usize = 3;
/// ... and at most this many files and bytes in all (a new upload beyond them is
/// refused until some are confirmed or expire).
const HELD_FILES: usize = 20;
const HELD_BYTES: usize = 200 * 1024 * 1024;

/// A checked upload waiting for the user's confirmation.
pub struct Pending {
    user: i64,
    kind: Kind,
    date: trappe_rules::Date,
    name: String,
    bytes: Vec<u8>,
    at: Instant,
}

/// The checked files waiting for confirmation, bounded in count and bytes.
#[derive(Default)]
pub struct Uploads(Mutex<HashMap<String, Pending>>);

/// Why a checked file cannot be held: the server holds its limit of files or bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

impl Uploads {
    fn put(&self, key: String, p: Pending) -> Result<(), Full> {
        let Ok(mut m) = self.0.lock() else {
            return Err(Full);
        };
        m.retain(|_, v| v.at.elapsed() < PENDING_FOR);
        // The user's oldest waiting files make room for the new one.
        loop {
            let mine = m.iter().filter(|(_, v)| v.user == p.user);
            if mine.clone().count() < HELD_PER_USER {
                break;
            }
            let Some(oldest) = mine.min_by_key(|(_, v)| v.at).map(|(k, _)| k.clone()) else {
                break;
            };
            m.remove(&oldest);
        }
        let bytes: usize = m.values().map(|v| v.bytes.len()).sum();
        if m.len() >= HELD_FILES || bytes + p.bytes.len() > HELD_BYTES {
            return Err(Full);
        }
        m.insert(key, p);
        Ok(())
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
        "overview" => Ok(Kind::Overview),
        other => Err(AppError::bad_request(format!(
            "kind {other:?}: departments, areas, pools, decisions or overview"
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
    let title = lang.pick("Indlæs data", "Import data");
    super::pages::with_status(
        status,
        render(
            state,
            "imports.html",
            lang,
            Some(session),
            minijinja::context! { title => title, back => "/imports", ..ctx },
        ),
    )
}

async fn snapshots(
    state: &State,
    session: &Session,
    lang: Lang,
) -> Result<Vec<minijinja::Value>, AppError> {
    let own = session.user.municipality.clone();
    with_store(state, move |s| {
        Ok(s.snapshots()?
            .into_iter()
            .filter(|x| own.as_ref().is_none_or(|m| *m == x.municipality))
            .map(|x| {
                minijinja::context! {
                    municipality => x.municipality.clone(),
                    municipality_label => trappe_app::text::municipality_code(&x.municipality, lang),
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
    match snapshots(&state, &session, lang).await {
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

/// Reads the upload form: every field, the file kept in memory (`limits` bounds it).
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
    // One import check at a time on the server, on a blocking thread (never on the
    // async runtime): a slow or hostile file cannot stall the other requests. The
    // permit moves into the check, so it is held until the check ends even if the
    // client goes away.
    let permit = match super::check_permit(&state, lang) {
        Ok(p) => p,
        Err(e) => return super::busy(page_error(&state, lang, Some(&session), e)),
    };
    // The file is parsed once, under the permit, and what a departments file would
    // drop is worked out from that parse.
    let muni = session.user.municipality.clone();
    let checking = with_store(&state, move |s| {
        let checked = s.check_file(
            &ImportFile {
                kind,
                reference_date: date,
                file_name: &name,
                bytes: &bytes,
                options: TableOptions::default(),
            },
            muni.as_deref(),
        );
        drop(permit);
        Ok((checked, name, bytes))
    })
    .await;
    let (checked, name, bytes) = match checking {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let list = snapshots(&state, &session, lang).await.unwrap_or_default();
    let kind_text = kind.as_str();
    let date_text = date.to_string();
    match checked {
        Ok(CheckedFile { rows, drop }) => {
            let drop = drop.map(|d| drop_context(&d));
            let key = token();
            let held = state.uploads.put(
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
            if held.is_err() {
                return page_error(&state, lang, Some(&session), full(lang));
            }
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
/// many, of how many, the share and the first ids).
fn drop_context(d: &Shrink) -> minijinja::Value {
    minijinja::context! {
        dropped => d.dropped(), held => d.held(), compared_with => d.compared_with.to_string(),
        pct => d.share_pct(), max_pct => MAX_DROP_PCT,
        ids => d.sample(10), more => d.dropped() > 10,
    }
}

/// The answer when the server holds as many checked files as it may.
fn full(lang: Lang) -> AppError {
    let mb = HELD_BYTES / (1024 * 1024);
    AppError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "uploads_full",
        if lang == Lang::Da {
            format!("Der venter allerede {HELD_FILES} filer eller {mb} MB på bekræftelse. Filen er ikke gemt: bekræft eller vent på de ventende (højst 30 minutter), og indlæs den igen.")
        } else {
            format!("{HELD_FILES} files or {mb} MB are already waiting for confirmation. The file is not kept: confirm or wait for those waiting (at most 30 minutes), and upload it again.")
        },
    )
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    csrf: String,
    key: String,
    /// The explicit confirmation that the departments a file drops really left.
    allow_drop: Option<String>,
}

/// One department that moved step, as the page lists it.
fn change_row(
    on: trappe_rules::Date,
    c: &trappe_store::read::Change,
    lang: Lang,
) -> minijinja::Value {
    minijinja::context! {
        on => on.to_string(), department => c.department_id.clone(), name => c.name.clone(),
        before => trappe_app::text::placement_before(c, lang), after => trappe_app::text::placement_after(c, lang),
        why => c.why.iter().map(|w| trappe_app::text::change_why(w, lang)).collect::<Vec<_>>().join("; "),
    }
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
        let message = lang.pick("Den kontrollerede fil venter ikke længere (efter 30 minutter, når den er indlæst, eller når du har indlæst tre nyere filer til kontrol). Indlæs den igen.", "The checked file is no longer waiting (after 30 minutes, once imported, or once you have uploaded three newer files to check). Upload it again.");
        return page_error(
            &state,
            lang,
            Some(&session),
            AppError::new(StatusCode::GONE, "expired", message),
        );
    };
    let actor = session.user.username.clone();
    let muni = session.user.municipality.clone();
    let allow_drop = f.allow_drop.is_some();
    // An import parses the file again: it waits its turn with the checks, so no more
    // than one file is parsed at a time.
    let Ok(permit) = state.checks.clone().acquire_owned().await else {
        return page_error(
            &state,
            lang,
            Some(&session),
            AppError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                lang.pick(
                    "Filen kunne ikke indlæses lige nu: prøv igen.",
                    "The file could not be imported just now: try again.",
                ),
            ),
        );
    };
    let result = with_store(&state, move |s| {
        let imported = s.import(
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
                municipality: muni.as_deref(),
                change_agreement: None,
            },
        );
        drop(permit);
        Ok((imported, p))
    })
    .await;
    let report = match result {
        Ok((Ok(r), _)) => r,
        Ok((Err(e), p)) => {
            // Refused (a drop not confirmed, a conflict) or failed: the checked file waits
            // on, so the user can confirm again without uploading it again.
            let _ = state.uploads.put(f.key.clone(), p);
            return page_error(&state, lang, Some(&session), e.into());
        }
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let changes: Vec<minijinja::Value> = report
        .runs
        .iter()
        .flat_map(|r| {
            r.changes
                .iter()
                .map(move |c| change_row(r.on_date, c, lang))
        })
        .collect();
    let list = snapshots(&state, &session, lang).await.unwrap_or_default();
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
    /// The snapshot's municipality (the list of what is held names it).
    #[serde(default)]
    municipality: Option<String>,
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
            AppError::bad_request(lang.pick(
                "Tilbagetrækningen mangler sine felter: åbn siden igen, og prøv igen.",
                "The withdrawal lacks its fields: open the page again and retry.",
            )),
        );
    };
    let checked = municipality(&session)
        .and_then(|()| check_csrf(&session, &f.csrf))
        .and_then(|()| {
            let kind = kind(&f.kind)?;
            let date: trappe_rules::Date = f.date.trim().parse().map_err(|_| {
                AppError::bad_request(if lang == Lang::Da {
                    format!("{:?} er ikke en dato (ÅÅÅÅ-MM-DD).", f.date)
                } else {
                    format!("{:?} is not a date (YYYY-MM-DD).", f.date)
                })
            })?;
            if f.reason.trim().is_empty() {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    lang.pick(
                        "angiv en begrundelse for tilbagetrækningen",
                        "give a reason for the withdrawal",
                    ),
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
    // A municipality's user withdraws its own municipality's snapshots only.
    let muni = match (
        &session.user.municipality,
        f.municipality.filter(|m| !m.is_empty()),
    ) {
        (Some(own), Some(asked)) if *own != asked => {
            return page_error(&state, lang, Some(&session), AppError::forbidden())
        }
        (Some(own), _) => Some(own.clone()),
        (None, asked) => asked,
    };
    let result = with_store(&state, move |s| {
        Ok(s.withdraw_snapshot(&Withdrawal {
            kind,
            reference_date: date,
            reason: &reason,
            actor: &actor,
            program_version: env!("CARGO_PKG_VERSION"),
            municipality: muni.as_deref(),
        })?)
    })
    .await;
    let report = match result {
        Ok(r) => r,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let changes: Vec<minijinja::Value> = report
        .changes
        .iter()
        .map(|c| change_row(report.reference_date, c, lang))
        .collect();
    let list = snapshots(&state, &session, lang).await.unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(user: i64, bytes: usize) -> Pending {
        Pending {
            user,
            kind: Kind::Departments,
            date: trappe_rules::Date::from_ymd_opt(2024, 3, 1).unwrap(),
            name: "f.csv".into(),
            bytes: vec![b'x'; bytes],
            at: Instant::now(),
        }
    }

    #[test]
    fn a_users_new_upload_drops_that_users_oldest_waiting_file() {
        let u = Uploads::default();
        for i in 0..HELD_PER_USER {
            u.put(format!("a{i}"), pending(1, 10)).unwrap();
            std::thread::sleep(Duration::from_millis(2));
        }
        u.put("b0".into(), pending(2, 10)).unwrap();
        u.put("a-new".into(), pending(1, 10)).unwrap();
        assert!(u.take("a0", 1).is_none(), "the oldest is dropped");
        assert!(u.take("a1", 1).is_some() && u.take("a-new", 1).is_some());
        assert!(u.take("b0", 1).is_none(), "another user's file is not mine");
        assert!(u.take("b0", 2).is_some());
    }

    #[test]
    fn the_server_holds_at_most_its_files_and_bytes() {
        let u = Uploads::default();
        for i in 0..HELD_FILES {
            u.put(format!("k{i}"), pending(i as i64, 10)).unwrap();
        }
        assert_eq!(u.put("one more".into(), pending(99, 10)), Err(Full));
        assert!(u.take("k0", 0).is_some());
        u.put("one more".into(), pending(99, 10)).unwrap();

        let u = Uploads::default();
        let big = HELD_BYTES / 4;
        for i in 0..4 {
            u.put(format!("k{i}"), pending(i, big)).unwrap();
        }
        assert_eq!(
            u.put("byte".into(), pending(9, 1)),
            Err(Full),
            "200 MB in all"
        );
        assert!(u.take("byte", 9).is_none(), "a refused file is not kept");
    }
}
