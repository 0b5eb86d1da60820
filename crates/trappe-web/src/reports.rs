//! The key figures of bilag 15 for a chosen period, as pages and downloads: lettings by
//! channel, homes offered to and used by the municipality, and realised allocation above
//! every nth vacancy. An organisation sees the rows of its own departments.

use axum::extract::{Path, Query, State as AxState};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Datelike;
use serde::Deserialize;
use trappe_formats::report::{table_text, Report};
use trappe_rules::Date;
use trappe_store::users::Session;

use super::pages::{page_error, render};
use super::{lang_of, with_store, AppError, State};
use trappe_app::reports::{letting_report, LettingReport};

#[derive(Deserialize, Default, Clone)]
pub struct ReportQuery {
    #[serde(default)]
    report: Option<String>,
    #[serde(default)]
    from: Option<Date>,
    #[serde(default)]
    to: Option<Date>,
    #[serde(default)]
    by_organisation: Option<String>,
}

impl ReportQuery {
    /// The report asked for and its canonical name. `every_third` is the old name of
    /// `every_nth_vacancy`, still accepted so bookmarks and scripts keep working.
    fn command(&self) -> Result<(&'static str, LettingReport), AppError> {
        let today = chrono::Local::now().date_naive();
        let from = self
            .from
            .unwrap_or_else(|| Date::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
        let to = self.to.unwrap_or(today);
        if from > to {
            return Err(AppError::bad_request(format!(
                "from {from} is after to {to}"
            )));
        }
        let by_organisation = self
            .by_organisation
            .as_deref()
            .is_some_and(|v| !v.is_empty());
        let command = match self.report.as_deref().unwrap_or("lettings") {
            "lettings" => LettingReport::Lettings {
                from,
                to,
                by_organisation,
            },
            "allocation" => LettingReport::Allocation {
                from,
                to,
                by_organisation,
            },
            "every_nth_vacancy" | "every_third" => {
                LettingReport::EveryNthVacancy { year: from.year() }
            }
            other => {
                return Err(AppError::bad_request(format!(
                    "report {other:?}: lettings, allocation or every_nth_vacancy"
                )))
            }
        };
        Ok((command.name(), command))
    }
}

/// The report, with only the rows of the departments the user may see: an
/// organisation's own, a municipality's user's municipality's.
async fn build(
    state: &State,
    session: &Session,
    q: &ReportQuery,
) -> Result<(&'static str, Report), AppError> {
    let (name, mut command) = q.command()?;
    let scoped = session.user.role.organisation().is_some() || session.user.municipality.is_some();
    if scoped {
        // Rows by organisation would hold the others' figures: by department instead.
        command = command.by_department();
    }
    let session = session.clone();
    let report = with_store(state, move |s| {
        let mut report = letting_report(s, command).map_err(super::app_error)?;
        if scoped {
            let owners = s.owners()?;
            report.rows.retain(|row| {
                matches!(row.first(), Some(trappe_formats::Cell::Text(k))
                    if owners.get(k).is_some_and(|o| session.user.sees_owner(o)))
            });
        }
        Ok(report)
    })
    .await?;
    Ok((name, report))
}

pub async fn page(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let Ok(Query(q)) = query else {
        return page_error(
            &state,
            lang,
            Some(&session),
            AppError::bad_request("the report's parameters are not valid (dates as YYYY-MM-DD)"),
        );
    };
    let (name, report) = match build(&state, &session, &q).await {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let (_, command) = match q.command() {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let (from, to) = match command {
        LettingReport::Lettings { from, to, .. } | LettingReport::Allocation { from, to, .. } => {
            (from, to)
        }
        LettingReport::EveryNthVacancy { year } => (
            Date::from_ymd_opt(year, 1, 1).unwrap_or_default(),
            Date::from_ymd_opt(year, 12, 31).unwrap_or_default(),
        ),
    };
    let query = format!(
        "report={name}&from={from}&to={to}{}",
        if q.by_organisation.as_deref().is_some_and(|v| !v.is_empty()) {
            "&by_organisation=1"
        } else {
            ""
        }
    );
    let (columns, rows) = super::pages::report_table(&report, lang, None);
    render(
        &state,
        "reports.html",
        lang,
        Some(&session),
        minijinja::context! {
            title => lang.pick("Nøgletal og rapporter", "Key figures and reports"),
            back => format!("/reports?{query}"),
            report_title => report.title(lang).to_string(),
            name => name,
            from => from.to_string(),
            to => to.to_string(),
            by_organisation => q.by_organisation.as_deref().is_some_and(|v| !v.is_empty()),
            columns => columns,
            rows => rows,
            query => query,
        },
    )
    .into_response()
}

pub async fn download(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(format): Path<String>,
    Extension(session): Extension<Session>,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let Ok(Query(q)) = query else {
        return page_error(
            &state,
            lang,
            Some(&session),
            AppError::bad_request("the report's parameters are not valid (dates as YYYY-MM-DD)"),
        );
    };
    let (name, report) = match build(&state, &session, &q).await {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let file = format!("rapport-{name}");
    let xlsx = match format.as_str() {
        "csv" => false,
        "xlsx" => true,
        _ => {
            return page_error(
                &state,
                lang,
                Some(&session),
                AppError::not_found("reports download as csv or xlsx"),
            )
        }
    };
    super::pages::download(&report, lang, &file, xlsx)
        .unwrap_or_else(|e| page_error(&state, lang, Some(&session), e))
}

/// The report as JSON: its title, columns and rows (cells as the CSV has them).
pub async fn api(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::response::Response, AppError> {
    let lang = lang_of(&headers);
    let Query(q) = query.map_err(|e| AppError::bad_request(format!("query parameters: {e}")))?;
    let (name, report) = build(&state, &session, &q).await?;
    Ok(axum::Json(serde_json::json!({
        "report": name,
        "title": report.title(lang),
        "columns": report.columns.iter().map(|c| c.key).collect::<Vec<_>>(),
        "rows": report.rows.iter().map(|r| r.iter().map(|c| table_text(c, lang).0).collect::<Vec<_>>()).collect::<Vec<_>>(),
    }))
    .into_response())
}
