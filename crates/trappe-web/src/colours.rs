//! "Data sammenholdes - og med udgangspunkt heri, samles røde og gule afdelinger i én
//! oversigt, som et overskueligt redskab til både boligorganisation og Aalborg Kommune"
//! [AAL Monitorering]: the red and yellow departments in force, with their figures,
//! trappe's estimate, the date of the municipality's update and what changed since the
//! previous one — a page that prints cleanly, and the same as CSV or XLSX. An
//! organisation sees its own departments.

use axum::extract::{Path, Query, State as AxState};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use trappe_formats::report::Report;
use trappe_formats::text::Lang;
use trappe_store::users::Session;

use super::pages::{bad_filters, download, page_error, render, report_table, select, Filters};
use super::{lang_of, with_store, AppError, State};

/// The report for the filters' date, with the rows the user may see (residents below
/// the small-number threshold suppressed).
async fn report(
    state: &State,
    session: &Session,
    f: Filters,
    lang: Lang,
) -> Result<(Report, bool), AppError> {
    let s2 = session.clone();
    let st = state.clone();
    let (o, updates) = with_store(state, move |s| {
        let sel = select(s, &st.runs, &s2, &f)?;
        let mut o = (*sel.overview).clone();
        o.rows = sel.rows;
        // The municipalities' updates whose departments the user sees.
        let seen: std::collections::BTreeSet<&str> =
            o.rows.iter().map(|r| r.municipality.as_str()).collect();
        let updates = s
            .overview_updates(o.on_date)?
            .into_iter()
            .filter(|u| seen.contains(u.municipality.as_str()))
            .collect::<Vec<_>>();
        // The date is that of the runs the user sees.
        o.on_date = o.summary(|m| seen.contains(m)).on_date;
        Ok((o, updates))
    })
    .await?;
    let traffic_light = o
        .rows
        .iter()
        .any(|r| r.placement.staircase == trappe_rules::agreement::Staircase::TrafficLight);
    let mut report = trappe_app::reports::red_yellow_report(&o, &updates, lang);
    if let Some(i) = report.columns.iter().position(|c| c.key == "residents") {
        for row in &mut report.rows {
            if let Some(cell) = row.get_mut(i) {
                state.small.cell(cell);
            }
        }
    }
    Ok((report, traffic_light))
}

pub async fn page(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    query: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let f = match query {
        Ok(Query(f)) => f,
        Err(e) => return page_error(&state, lang, Some(&session), bad_filters(e)),
    };
    let q = f.query(None);
    let on = f.on().to_string();
    let (report, traffic_light) = match report(&state, &session, f, lang).await {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let (columns, rows) = report_table(&report, lang, Some("colour"));
    render(
        &state,
        "red_yellow.html",
        lang,
        Some(&session),
        minijinja::context! {
            title => lang.pick("Røde og gule afdelinger i én oversigt", "Red and yellow departments in one overview"),
            back => format!("/red-yellow?{q}"),
            report_title => report.title(lang).to_string(),
            traffic_light => traffic_light,
            columns => columns,
            rows => rows,
            query => q,
            on => on,
        },
    )
    .into_response()
}

pub async fn download_file(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(format): Path<String>,
    Extension(session): Extension<Session>,
    query: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let f = match query {
        Ok(Query(f)) => f,
        Err(e) => return page_error(&state, lang, Some(&session), bad_filters(e)),
    };
    let xlsx = match format.as_str() {
        "xlsx" => true,
        "csv" => false,
        _ => {
            return page_error(
                &state,
                lang,
                Some(&session),
                AppError::bad_request("the format is csv or xlsx"),
            )
        }
    };
    match report(&state, &session, f, lang).await {
        Ok((report, _)) => {
            let name = lang.pick("roede-og-gule-afdelinger", "red-and-yellow-departments");
            download(&report, lang, name, xlsx)
                .unwrap_or_else(|e| page_error(&state, lang, Some(&session), e))
        }
        Err(e) => page_error(&state, lang, Some(&session), e),
    }
}
