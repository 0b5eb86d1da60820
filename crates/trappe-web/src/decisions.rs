//! The municipality's approvals for a department: the Samarbejdsforum's approval of an
//! exemption from the extra share, an exemption in advance, and the dept-1 safeguard
//! [CPH 6.2.1–6.2.2, B15]. Recorded in the vacancy ledger with the user.

use axum::extract::{Path, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use trappe_formats::text::Lang;
use trappe_store::letting::Decision;
use trappe_store::users::{Role, Session};

use super::auth::check_csrf;
use super::pages::page_error;
use super::{lang_of, with_store, AppError, State};

#[derive(Deserialize)]
pub struct DecisionForm {
    csrf: String,
    kind: String,
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    decided_by: String,
    decided_on: String,
}

fn field<'a>(name: &str, v: &'a Option<String>) -> Result<&'a str, AppError> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AppError::bad_request(format!("{name} is required for this decision")))
}

fn date(name: &str, v: &str) -> Result<trappe_rules::Date, AppError> {
    v.trim()
        .parse()
        .map_err(|_| AppError::bad_request(format!("{name}: {v:?} is not a date (YYYY-MM-DD)")))
}

fn decision(f: &DecisionForm, lang: Lang) -> Result<Decision, AppError> {
    let decided_by = f.decided_by.trim().to_string();
    if decided_by.is_empty() {
        return Err(AppError::bad_request(
            "who decided (e.g. Samarbejdsforum) is required",
        ));
    }
    let decided_on = date("decided_on", &f.decided_on)?;
    Ok(match f.kind.as_str() {
        "exemption" => Decision::ExemptionApproved {
            year: {
                let y = field("year", &f.year)?;
                y.parse().map_err(|_| {
                    AppError::bad_request(if lang == Lang::Da {
                        format!("Året {y:?} er ikke et årstal som 2025.")
                    } else {
                        format!("The year {y:?} is not a year such as 2025.")
                    })
                })?
            },
            decided_by,
            decided_on,
        },
        "exemption_in_advance" => Decision::ExemptionInAdvance {
            from: date("from", field("from", &f.from)?)?,
            to: date("to", field("to", &f.to)?)?,
            decided_by,
            decided_on,
        },
        "safeguard" => Decision::Safeguard {
            from: date("from", field("from", &f.from)?)?,
            decided_by,
            decided_on,
        },
        other => {
            return Err(AppError::bad_request(format!(
                "decision {other:?}: exemption, exemption_in_advance or safeguard"
            )))
        }
    })
}

pub async fn record(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Extension(session): Extension<Session>,
    form: Result<Form<DecisionForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let result = async {
        let Form(f) = form.map_err(|_| {
            AppError::bad_request("the form is incomplete: kind, who decided and when are required")
        })?;
        check_csrf(&session, &f.csrf)?;
        if session.user.role != Role::Municipality {
            return Err(AppError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "approvals are the municipality's",
            ));
        }
        let d = decision(&f, lang)?;
        let who = session.user.username.clone();
        let dept = id.clone();
        let session = session.clone();
        with_store(&state, move |s| {
            // Another municipality's department is refused, as on every route.
            super::access::department(s, &session, &dept)?;
            // A year or date outside the agreement's period is refused in the user's
            // language (the store refuses it too, for every front-end).
            if let Some(out) = s.decision_outside_period(&dept, &d)? {
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "outside_period",
                    trappe_app::text::outside_period(&out, lang),
                ));
            }
            Ok(s.record_decision(&dept, &d, &who)?)
        })
        .await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/departments/{id}#decisions")).into_response(),
        Err(e) => page_error(&state, lang, Some(&session), e),
    }
}
