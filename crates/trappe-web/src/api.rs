//! The HTTP JSON API (`/api/v1/…`), described by `/api/openapi.json`. Errors are
//! `{"code": "...", "message": "..."}` with a 4xx status.

use axum::extract::{Path, Query, State as AxState};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use trappe_store::users::Session;

use super::pages::{department_view, select, Filters, OnQuery};
use super::{lang_of, with_store, AppError, State};

pub async fn me(Extension(session): Extension<Session>) -> Response {
    Json(serde_json::json!({ "user": session.user, "csrf": session.csrf })).into_response()
}

pub async fn overview(
    AxState(state): AxState<State>,
    Extension(session): Extension<Session>,
    query: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(f) = query.map_err(|e| AppError::bad_request(format!("query parameters: {e}")))?;
    let st = state.clone();
    let sel = with_store(&state, move |s| select(s, &st.runs, &session, &f)).await?;
    let o = &sel.overview;
    // The runs, dates and agreements of the municipalities whose departments the user
    // sees (each municipality's own in `municipalities`).
    let seen: std::collections::BTreeSet<&str> =
        sel.rows.iter().map(|r| r.municipality.as_str()).collect();
    let s = o.summary(|m| seen.contains(m));
    Ok(Json(serde_json::json!({
        "on": s.on_date,
        "figures_date": s.figures_date,
        "list_date": s.list_date,
        "agreement": s.agreement,
        "run": s.run_id,
        "overview_date": s.overview_date,
        "municipalities": s.parts,
        "departments": sel.rows.iter().map(|r| {
            let mut d = serde_json::json!({
                "id": r.department.id,
                "name": r.department.name,
                "organisation": r.department.organisation_id,
                "area": r.department.area_id,
                "family_homes": r.department.family_homes,
                // Counts of persons below the threshold are not given out.
                "residents": state.small.value(r.department.residents),
                // The placement in force (what letting uses) …
                "staircase": r.placement.staircase,
                "step": r.placement.step,
                "need": r.placement.need,
                "basis": r.placement.basis,
            });
            // … and, where another is in force, the computed one beside it.
            if let Some(c) = &r.placement.computed {
                d["computed"] = serde_json::json!({ "staircase": c.staircase, "step": c.step });
            }
            d
        }).collect::<Vec<_>>(),
    }))
    .into_response())
}

pub async fn department(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Extension(session): Extension<Session>,
    query: Result<Query<OnQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let Query(q) = query.map_err(|e| AppError::bad_request(format!("query parameters: {e}")))?;
    let on = q.on.unwrap_or_else(|| chrono::Local::now().date_naive());
    let lang = lang_of(&headers);
    let st = state.clone();
    let small = state.small;
    let view = with_store(&state, move |s| {
        department_view(s, &st.runs, &session, &id, on, lang)
    })
    .await?;
    let mut v = serde_json::to_value(&view).map_err(|e| {
        eprintln!("trappe serve: department {} as JSON: {e}", view.id);
        AppError::internal()
    })?;
    v["residents"] = serde_json::json!(small.value(view.residents));
    Ok(Json(v).into_response())
}

/// The OpenAPI description of the API.
pub async fn openapi() -> Response {
    Json(openapi_document()).into_response()
}

pub fn openapi_document() -> serde_json::Value {
    let error = serde_json::json!({
        "description": "an error",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    });
    let on = serde_json::json!({ "name": "on", "in": "query", "required": false, "schema": { "type": "string", "format": "date" }, "description": "the date (default today)" });
    serde_json::json!({
        "openapi": "3.1.0",
        "info": {
            "title": "trappe",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Joint letting agreements: placements of housing departments. Sign in with POST /login (form: username, password, csrf from GET /login's cookie); the session cookie authorises the API. An organisation user sees its own departments only; to an organisation or the steering group an id that does not exist is a 403 like another organisation's (the municipality gets 404). A request body above 64 KB is a 413."
        },
        "components": {
            "securitySchemes": { "session": { "type": "apiKey", "in": "cookie", "name": "trappe_session" } },
            "schemas": {
                "Error": { "type": "object", "required": ["code", "message"], "properties": { "code": { "type": "string" }, "message": { "type": "string" } } },
                "User": { "type": "object", "properties": { "id": { "type": "integer" }, "username": { "type": "string" }, "role": { "type": "string", "enum": ["municipality", "organisation", "steering"] }, "organisation_id": { "type": "string" } } },
                "OverviewDepartment": { "type": "object", "properties": {
                    "id": { "type": "string" }, "name": { "type": "string" }, "organisation": { "type": "string" }, "area": { "type": ["string", "null"] },
                    "family_homes": { "type": "integer" }, "residents": { "type": "integer" },
                    "staircase": { "type": "string", "enum": ["area", "department", "traffic-light", "list"], "description": "the placement in force (what letting uses)" }, "step": { "type": "string" }, "need": { "type": ["string", "null"] },
                    "basis": { "type": "string", "enum": ["computed", "provisional", "overview", "not_in_overview", "held", "approved", "continued", "awaiting_decision", "decided"], "description": "why this placement is in force: computed; provisional (computed, until the municipality's first overview); the municipality's overview; none (the latest overview omits the department); held (the period's first placement, until an approved re-placement); approved (a recorded re-placement); continued (the area left the lists, the department's data is missing); awaiting_decision (a newly designated prevention area: the ordinary criteria until the municipality decides); decided (the municipality's decision on the tightened criteria)" },
                    "computed": { "type": "object", "description": "the computed placement beside the one in force (trappe's estimate where the municipality's overview is in force; the re-placement proposal where the placement is held until approved)", "properties": { "staircase": { "type": "string" }, "step": { "type": "string" } } } } },
            }
        },
        "security": [{ "session": [] }],
        "paths": {
            "/api/v1/me": { "get": { "summary": "the signed-in user", "responses": {
                "200": { "description": "the user", "content": { "application/json": { "schema": { "type": "object", "properties": { "user": { "$ref": "#/components/schemas/User" } } } } } },
                "401": error } } },
            "/api/v1/overview": { "get": { "summary": "every department the user may see, with its placement in force on a date",
                "parameters": [on,
                    { "name": "org", "in": "query", "schema": { "type": "string" } },
                    { "name": "step", "in": "query", "schema": { "type": "string" }, "description": "staircase:step, e.g. department:4" },
                    { "name": "area", "in": "query", "schema": { "type": "string" } },
                    { "name": "q", "in": "query", "schema": { "type": "string" }, "description": "search in number and name" },
                    { "name": "changed", "in": "query", "schema": { "type": "string" }, "description": "any value: only departments that changed step in the run in force" },
                    { "name": "sort", "in": "query", "schema": { "type": "string", "enum": ["id", "name", "organisation", "area", "step", "family_homes", "residents"] } },
                    { "name": "dir", "in": "query", "schema": { "type": "string", "enum": ["asc", "desc"] } }],
                "responses": {
                    "200": { "description": "the overview", "content": { "application/json": { "schema": { "type": "object", "properties": { "on": { "type": "string", "format": "date" }, "departments": { "type": "array", "items": { "$ref": "#/components/schemas/OverviewDepartment" } } } } } } },
                    "400": error, "401": error, "404": error } } },
            "/api/v1/vacancies": {
                "get": { "summary": "the vacancies of the departments the user may see",
                    "parameters": [{ "name": "department", "in": "query", "schema": { "type": "string" } }, { "name": "open", "in": "query", "schema": { "type": "string" }, "description": "any value: open vacancies only" }],
                    "responses": { "200": { "description": "the vacancies" }, "400": error, "401": error, "403": error } },
                "post": { "summary": "register a vacancy: the letting wheel decides its channel (municipality and organisations; header X-CSRF-Token from /api/v1/me)",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["department", "home", "vacated"], "properties": {
                        "department": { "type": "string" }, "home": { "type": "string" }, "vacated": { "type": "string", "format": "date" }, "received": { "type": "string", "format": "date" } } } } } },
                    "responses": { "201": { "description": "the vacancy as registered" }, "400": error, "401": error, "403": error, "404": error, "413": error, "422": error } } },
            "/api/v1/vacancies/{id}": { "get": { "summary": "one vacancy: channel, reasons, deadlines, outcomes",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": { "200": { "description": "the vacancy" }, "401": error, "403": error, "404": error } } },
            "/api/v1/vacancies/{id}/resolve": { "post": { "summary": "record an outcome (header X-CSRF-Token)",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["outcome", "on"], "properties": {
                    "outcome": { "type": "string", "enum": ["allocated", "returned", "not_used", "let", "withdrawn"] }, "on": { "type": "string", "format": "date" },
                    "move_in": { "type": "string", "format": "date" }, "channel": { "type": "string", "enum": ["waiting_list", "flexible", "municipal_allocation", "urban_renewal", "internal_transfer", "exchange"] }, "note": { "type": "string" },
                    "no_qualified_applicant": { "type": "boolean", "description": "a flexible home let from the waiting list because nobody met the criteria" } } } } } },
                "responses": { "200": { "description": "the vacancy after the outcome" }, "400": error, "401": error, "403": error, "404": error, "413": error, "422": error } } },
            "/api/v1/reports": { "get": { "summary": "a bilag 15 report for a period (an organisation gets its own departments' rows)",
                "parameters": [
                    { "name": "report", "in": "query", "description": "every_third is the old name of every_nth_vacancy (accepted; the answer's report is every_nth_vacancy)", "schema": { "type": "string", "enum": ["lettings", "allocation", "every_nth_vacancy", "every_third"] } },
                    { "name": "from", "in": "query", "schema": { "type": "string", "format": "date" } },
                    { "name": "to", "in": "query", "schema": { "type": "string", "format": "date" } },
                    { "name": "by_organisation", "in": "query", "schema": { "type": "string" } }],
                "responses": { "200": { "description": "title, column keys and rows" }, "400": error, "401": error, "422": error, "500": error } } },
            "/api/v1/rankings/{id}": { "get": { "summary": "a stored ranking of applicants for a vacancy, with every applicant's outcomes (not for the steering group)",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": { "200": { "description": "the ranking run" }, "401": error, "403": error, "404": error } } },
            "/api/v1/replacement": { "get": { "summary": "the re-placement proposal on a date: departments whose computed step differs from the one held until approved, and those of newly designated prevention areas awaiting the municipality's decision (the rows the user may see)",
                "parameters": [on, { "name": "municipality", "in": "query", "schema": { "type": "string" } }],
                "responses": {
                    "200": { "description": "the proposal", "content": { "application/json": { "schema": { "type": "object", "properties": { "municipality": { "type": "string" }, "on": { "type": "string", "format": "date" }, "run_date": { "type": "string", "format": "date" }, "approved_by": { "type": ["string", "null"] }, "moves": { "type": "array" }, "awaiting": { "type": "array" } } } } } },
                    "400": error, "401": error, "403": error, "404": error } } },
            "/api/v1/departments/{id}": { "get": { "summary": "one department: placement, reasons (codes and text), history",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }, on],
                "responses": { "200": { "description": "the department" }, "400": error, "401": error, "403": error, "404": error } } },
        }
    })
}
