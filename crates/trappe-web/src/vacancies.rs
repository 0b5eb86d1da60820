//! Vacancies in the browser and the API: the list, registering one (the wheel decides
//! its channel), a vacancy with its reasons, deadlines and outcomes, and resolving it.
//! The municipality and the organisations change; the steering group reads; an
//! organisation reaches only its own departments' vacancies.

use std::sync::Arc;

use std::collections::HashMap;
use trappe_rules::Agreement;

use axum::extract::{Path, Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use serde::Deserialize;
use trappe_formats::text::{self, Lang};
use trappe_rules::ledger::LedgerAction;
use trappe_rules::wheel::Assignment;
use trappe_rules::Date;
use trappe_store::letting::{LetChannel, Outcome, RegisterRequest, VacancyView};
use trappe_store::users::{Role, Session};
use trappe_store::Store;

use super::auth::check_csrf;
use super::pages::{page_error, render};
use super::{access, lang_of, with_store, AppError, State};

/// The organisation and municipality of every department, as the newest master data
/// has them.
fn organisations(
    store: &mut Store,
) -> Result<HashMap<String, trappe_store::ownership::Owner>, AppError> {
    Ok(store.owners()?)
}

/// Refuses a department the user may not reach (see `access`).
fn reach(store: &mut Store, session: &Session, department: &str) -> Result<(), AppError> {
    access::department(store, session, department)
}

fn may_change(session: &Session) -> Result<(), AppError> {
    match session.user.role {
        Role::Steering => Err(AppError::new(
            StatusCode::FORBIDDEN,
            "read_only",
            "the steering group reads; it does not change vacancies",
        )),
        _ => Ok(()),
    }
}

/// A vacancy the user may reach: access is checked before the vacancy is read.
fn vacancy_for(store: &mut Store, session: &Session, id: i64) -> Result<VacancyView, AppError> {
    access::vacancy(store, session, id)?;
    Ok(store.vacancy(id)?)
}

fn list(
    store: &mut Store,
    session: &Session,
    department: Option<&str>,
    open: bool,
) -> Result<Vec<VacancyView>, AppError> {
    if let Some(d) = department {
        reach(store, session, d)?;
    }
    let orgs = organisations(store)?;
    Ok(store
        .vacancies(department, open)?
        .into_iter()
        .filter(|v| {
            orgs.get(&v.department_id)
                .is_some_and(|o| session.user.sees_owner(o))
        })
        .collect())
}

/// A channel in the user's language, or "–" for none.
fn channel_text(c: Option<LetChannel>, lang: Lang) -> String {
    c.map_or("–", |c| text::let_channel(c, lang)).to_string()
}

/// The agreement each vacancy was registered under (in the list's order), so a slot's
/// criteria show by the file's labels and marks.
fn agreements_of(store: &mut Store, vs: &[VacancyView]) -> Vec<Option<Arc<Agreement>>> {
    vs.iter().map(|v| store.vacancy_agreement(v)).collect()
}

fn view_context(
    v: &VacancyView,
    agreement: Option<&Arc<Agreement>>,
    lang: Lang,
) -> minijinja::Value {
    let rules = agreement.and_then(|a| a.applicants.as_ref());
    let assignment: Option<Assignment> =
        serde_json::from_value(v.registration["assignment"].clone()).ok();
    let reasons: Vec<String> = assignment
        .as_ref()
        .map(|a| {
            a.reasons
                .iter()
                .map(|r| text::letting_reason(r, rules, lang))
                .collect()
        })
        .unwrap_or_default();
    let d = v.deadlines.as_ref();
    let received: Option<Date> = v.registration["received"]
        .as_str()
        .and_then(|s| s.parse().ok());
    let defaulted = v.registration["received_defaulted"].as_bool() == Some(true);
    minijinja::context! {
        id => v.vacancy,
        department => v.department_id.clone(),
        home => v.home_id.clone(),
        vacated => v.vacated.to_string(),
        received => received.map(|d| d.to_string()),
        received_defaulted => defaulted,
        received_late => defaulted && received.is_some_and(|r| r > v.vacated),
        channel => channel_text(assignment.as_ref().and_then(|a| a.channel).map(LetChannel::from), lang),
        criteria => assignment.as_ref().and_then(|a| a.criteria.as_deref()).map(|k| trappe_formats::applicant_text::criteria_set(rules, Some(k), lang)),
        now => channel_text(v.current_channel.map(LetChannel::from), lang),
        resolved => v.resolved,
        reasons => reasons,
        move_in_by => d.map(|d| d.municipality_move_in_by.to_string()),
        free_return_until => d.map(|d| d.free_return_until.to_string()),
        rent_from => d.map(|d| d.rent_liable_from.to_string()),
        outcomes => v.outcomes.iter().map(|o| minijinja::context! {
            on => o.on_date.to_string(), action => text::ledger_action(o.action, lang),
            channel => channel_text(o.channel, lang), actor => o.actor.clone(),
        }).collect::<Vec<_>>(),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    open: Option<String>,
}

pub async fn page_list(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let Ok(Query(q)) = query else {
        return page_error(
            &state,
            lang,
            Some(&session),
            AppError::bad_request("the page's parameters are not valid"),
        );
    };
    let s2 = session.clone();
    let department = q.department.clone().filter(|d| !d.is_empty());
    let open = q.open.as_deref().is_some_and(|o| !o.is_empty());
    let d2 = department.clone();
    let result = with_store(&state, move |s| {
        let vs = list(s, &s2, d2.as_deref(), open)?;
        let rules = agreements_of(s, &vs);
        let orgs = organisations(s)?;
        let mut departments: Vec<String> = orgs
            .into_iter()
            .filter(|(_, o)| s2.user.sees_owner(o))
            .map(|(d, _)| d)
            .collect();
        departments.sort();
        Ok((vs, departments, rules))
    })
    .await;
    let (vs, departments, rules) = match result {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    render(
        &state,
        "vacancies.html",
        lang,
        Some(&session),
        minijinja::context! {
            title => lang.pick("Ledige boliger", "Vacancies"),
            back => "/vacancies",
            vacancies => vs.iter().zip(&rules).map(|(v, a)| view_context(v, a.as_ref(), lang)).collect::<Vec<_>>(),
            departments => departments,
            department => department,
            open => open,
            can_change => !matches!(session.user.role, Role::Steering),
            today => chrono::Local::now().date_naive().to_string(),
        },
    )
    .into_response()
}

pub async fn page_show(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Extension(session): Extension<Session>,
) -> Response {
    let lang = lang_of(&headers);
    let s2 = session.clone();
    match with_store(&state, move |s| {
        let v = vacancy_for(s, &s2, id)?;
        let agreement = s.vacancy_agreement(&v);
        Ok((v, agreement))
    })
    .await
    {
        Ok((v, agreement)) => render(
            &state,
            "vacancy.html",
            lang,
            Some(&session),
            minijinja::context! {
                title => format!("{} {id}", lang.pick("Ledig bolig", "Vacancy")),
                back => format!("/vacancies/{id}"),
                v => view_context(&v, agreement.as_ref(), lang),
                can_change => !matches!(session.user.role, Role::Steering) && !v.resolved,
                can_rank => !matches!(session.user.role, Role::Steering) && !v.resolved,
                municipality => session.user.role == Role::Municipality,
                today => chrono::Local::now().date_naive().to_string(),
            },
        )
        .into_response(),
        Err(e) => page_error(&state, lang, Some(&session), e),
    }
}

#[derive(Deserialize)]
pub struct RegisterForm {
    pub department: String,
    pub home: String,
    pub vacated: String,
    #[serde(default)]
    pub received: Option<String>,
    #[serde(default)]
    pub csrf: String,
}

fn date(field: &str, value: &str) -> Result<Date, AppError> {
    value.trim().parse().map_err(|_| {
        AppError::bad_request(format!("{field}: {value:?} is not a date (YYYY-MM-DD)"))
    })
}

fn register(store: &mut Store, session: &Session, f: &RegisterForm) -> Result<i64, AppError> {
    may_change(session)?;
    let department = f.department.trim();
    let home = f.home.trim();
    if department.is_empty() || home.is_empty() {
        return Err(AppError::bad_request("department and home are required"));
    }
    reach(store, session, department)?;
    let vacated = date("vacated", &f.vacated)?;
    // Without a received date the store takes the day of registration, as for the
    // command line.
    let received = match f
        .received
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(r) => Some(date("received", r)?),
        None => None,
    };
    let r = store.register_vacancy(&RegisterRequest {
        department,
        home,
        vacated,
        received,
        available_from: None,
        actor: &session.user.username,
    })?;
    Ok(r.vacancy)
}

pub async fn page_register(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    form: Result<Form<RegisterForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let Ok(Form(f)) = form else {
        return page_error(
            &state,
            lang,
            Some(&session),
            AppError::bad_request(
                "the form is incomplete: department, home and vacated date are required",
            ),
        );
    };
    if let Err(e) = check_csrf(&session, &f.csrf) {
        return page_error(&state, lang, Some(&session), e);
    }
    let s2 = session.clone();
    match with_store(&state, move |s| register(s, &s2, &f)).await {
        Ok(id) => Redirect::to(&format!("/vacancies/{id}")).into_response(),
        Err(e) => page_error(&state, lang, Some(&session), e),
    }
}

#[derive(Deserialize)]
pub struct ResolveForm {
    pub outcome: String,
    pub on: String,
    #[serde(default)]
    pub move_in: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// A flexible home let from the waiting list because no applicant met the criteria.
    #[serde(default, deserialize_with = "flag")]
    pub no_qualified_applicant: bool,
    #[serde(default)]
    pub csrf: String,
}

/// A yes/no field as JSON (`true`) or as a form checkbox ("1", "on", "true").
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match Flag::deserialize(d)? {
        Flag::Bool(b) => b,
        Flag::Text(t) => matches!(t.as_str(), "1" | "on" | "true" | "yes"),
    })
}

fn resolve(store: &mut Store, session: &Session, id: i64, f: &ResolveForm) -> Result<(), AppError> {
    may_change(session)?;
    vacancy_for(store, session, id)?;
    let refused = || {
        AppError::bad_request(format!(
            "outcome {:?}: allocated, returned, not_used, let or withdrawn",
            f.outcome
        ))
    };
    let action: LedgerAction = f.outcome.trim().parse().map_err(|_| refused())?;
    // Allocating, returning and "not used" are the municipality's to record [CPH B14].
    if matches!(
        action,
        LedgerAction::Allocated | LedgerAction::Returned | LedgerAction::NotUsed
    ) && session.user.role != Role::Municipality
    {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "allocating, returning and not using a home are the municipality's to record",
        ));
    }
    let on = date("on", &f.on)?;
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let outcome = match action {
        LedgerAction::Allocated => Outcome::Allocated {
            on,
            move_in: date("move_in", &nonempty(&f.move_in).ok_or_else(|| AppError::bad_request("an allocation needs the move-in date"))?)?,
        },
        LedgerAction::Returned => Outcome::Returned { on },
        LedgerAction::NotUsed => Outcome::NotUsed { on },
        LedgerAction::Let => Outcome::Let {
            on,
            channel: nonempty(&f.channel)
                .and_then(|c| c.parse::<LetChannel>().ok())
                .ok_or_else(|| AppError::bad_request("a letting needs its channel: waiting_list, flexible, municipal_allocation, urban_renewal, internal_transfer or exchange"))?,
            no_qualified_applicant: f.no_qualified_applicant,
            refugee_shared: false,
        },
        LedgerAction::Withdrawn => Outcome::Withdrawn {
            on,
            note: nonempty(&f.note).ok_or_else(|| AppError::bad_request("a withdrawal needs a note saying why"))?,
        },
        _ => return Err(refused()),
    };
    store.resolve_vacancy(id, &outcome, None, &session.user.username)?;
    Ok(())
}

pub async fn page_resolve(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Extension(session): Extension<Session>,
    form: Result<Form<ResolveForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let Ok(Form(f)) = form else {
        return page_error(
            &state,
            lang,
            Some(&session),
            AppError::bad_request("the form is incomplete: outcome and date are required"),
        );
    };
    if let Err(e) = check_csrf(&session, &f.csrf) {
        return page_error(&state, lang, Some(&session), e);
    }
    let s2 = session.clone();
    match with_store(&state, move |s| resolve(s, &s2, id, &f)).await {
        Ok(()) => Redirect::to(&format!("/vacancies/{id}")).into_response(),
        Err(e) => page_error(&state, lang, Some(&session), e),
    }
}

// ---------------------------------------------------------------------------------
// API: the same, as JSON; changes need the session's CSRF token in X-CSRF-Token.

fn api_csrf(session: &Session, headers: &HeaderMap) -> Result<(), AppError> {
    let given = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    check_csrf(session, given)
}

pub async fn api_list(
    AxState(state): AxState<State>,
    Extension(session): Extension<Session>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = query.map_err(|e| AppError::bad_request(format!("query parameters: {e}")))?;
    let open = q.open.as_deref().is_some_and(|o| !o.is_empty());
    let vs = with_store(&state, move |s| {
        list(
            s,
            &session,
            q.department.as_deref().filter(|d| !d.is_empty()),
            open,
        )
    })
    .await?;
    Ok(Json(serde_json::json!({ "vacancies": vs })).into_response())
}

pub async fn api_show(
    AxState(state): AxState<State>,
    Path(id): Path<i64>,
    Extension(session): Extension<Session>,
) -> Result<Response, AppError> {
    let v = with_store(&state, move |s| vacancy_for(s, &session, id)).await?;
    Ok(Json(v).into_response())
}

pub async fn api_register(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    body: Result<Json<RegisterForm>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    api_csrf(&session, &headers)?;
    let Json(f) = body.map_err(|e| AppError::bad_request(format!("the body: {e}")))?;
    let v = with_store(&state, move |s| {
        let id = register(s, &session, &f)?;
        Ok(s.vacancy(id)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub async fn api_resolve(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Extension(session): Extension<Session>,
    body: Result<Json<ResolveForm>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    api_csrf(&session, &headers)?;
    let Json(f) = body.map_err(|e| AppError::bad_request(format!("the body: {e}")))?;
    let v = with_store(&state, move |s| {
        resolve(s, &session, id, &f)?;
        Ok(s.vacancy(id)?)
    })
    .await?;
    Ok(Json(v).into_response())
}
