//! Ranking applicants for a vacancy in the browser: upload the applicants file, see the
//! ranking with every applicant's reasons, and come back to a stored run later.
//! Applicant data is for the municipality and the vacancy's own organisation; the
//! steering group does not see it.

use axum::extract::{Multipart, Path, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use trappe_app::applicants;
use trappe_formats::applicant_text as at;
use trappe_formats::text;
use trappe_store::users::{Role, Session};
use trappe_store::Store;

use super::auth::check_csrf;
use super::pages::{page_error, render};
use super::{access, lang_of, with_store, AppError, State};

fn may_see_applicants(session: &Session) -> Result<(), AppError> {
    match session.user.role {
        Role::Steering => Err(AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "applicant data is for the municipality and the housing organisation letting the home",
        )),
        _ => Ok(()),
    }
}

/// A JSON file uploaded for a vacancy: read the whole body, then check the role and the
/// form's token (so a refused client gets its answer, not a connection closed
/// mid-upload). Returns the file's name and text and the ranking's flags.
async fn read_json_upload(
    session: &Session,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
    what: &str,
) -> Result<(String, String, Flags), AppError> {
    let mut m =
        multipart.map_err(|e| AppError::bad_request(format!("expected a file upload: {e}")))?;
    let (mut csrf, mut flags, mut file) = (String::new(), Flags::default(), None);
    while let Some(field) = m
        .next_field()
        .await
        .map_err(|e| AppError::bad_request(format!("the upload: {e}")))?
    {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or("upload.json").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::bad_request(e.to_string()))?;
                file = Some((name, bytes.to_vec()));
            }
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "internal" => flags.internal = !field.text().await.unwrap_or_default().is_empty(),
            "internal_criteria_everywhere" => {
                flags.internal_criteria_everywhere =
                    !field.text().await.unwrap_or_default().is_empty()
            }
            _ => {}
        }
    }
    may_see_applicants(session)?;
    check_csrf(session, &csrf)?;
    let (name, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| AppError::bad_request(format!("choose the {what} (JSON)")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| AppError::bad_request(format!("{name} is not UTF-8 text")))?;
    Ok((name, text, flags))
}

/// The ranking's choices on the vacancy page, as on the command line (`--internal`,
/// `--internal-criteria-everywhere`).
#[derive(Default, Clone, Copy)]
struct Flags {
    internal: bool,
    internal_criteria_everywhere: bool,
}

/// A vacancy the user may reach and its letting context (with applicant criteria).
fn vacancy_context(
    s: &mut Store,
    session: &Session,
    vacancy: i64,
) -> Result<trappe_store::applicants::LettingContext, AppError> {
    // Access first: nothing about another organisation's vacancy (not even that it is
    // resolved) is told.
    access::vacancy(s, session, vacancy)?;
    Ok(applicants::context(
        s,
        &applicants::Target {
            vacancy: Some(vacancy),
            ..Default::default()
        },
    )?)
}

pub async fn rank_upload(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(vacancy): Path<i64>,
    Extension(session): Extension<Session>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let result = async {
        let (name, text, flags) = read_json_upload(&session, multipart, "applicants file").await?;
        // The applicants file is checked and ranked on a blocking thread, one file
        // check at a time on the server (the permit is held until the check ends).
        let permit = super::check_permit(&state, lang)?;
        let s2 = session.clone();
        with_store(&state, move |s| {
            let _permit = permit;
            let ctx = vacancy_context(s, &s2, vacancy)?;
            let ranking = applicants::rank_applicants(
                s,
                ctx,
                &applicants::RankInput {
                    file: &name,
                    text: &text,
                    criteria: None,
                    accessibility_home: false,
                    internal: flags.internal,
                    internal_criteria_everywhere: flags.internal_criteria_everywhere,
                    keep: true,
                    actor: &s2.user.username,
                },
            )?;
            ranking.run.ok_or_else(|| {
                eprintln!("trappe serve: a kept ranking for vacancy {vacancy} has no run id");
                AppError::internal()
            })
        })
        .await
    }
    .await;
    match result {
        Ok(run) => Redirect::to(&format!("/rankings/{run}")).into_response(),
        Err(e) if e.status == StatusCode::SERVICE_UNAVAILABLE => {
            super::busy(page_error(&state, lang, Some(&session), e))
        }
        Err(e) => page_error(&state, lang, Some(&session), e),
    }
}

pub async fn show(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(run): Path<i64>,
    Extension(session): Extension<Session>,
) -> Response {
    let lang = lang_of(&headers);
    let s2 = session.clone();
    let result = with_store(&state, move |s| {
        may_see_applicants(&s2)?;
        access::ranking(s, &s2, run)?;
        let r = s.ranking(run)?;
        // The warning is a help, not the page: without the agreement, no warning.
        let agreement = match s.agreement(&r.agreement_sha256) {
            Ok(agreement) => Some(agreement),
            Err(e) => {
                eprintln!("trappe serve: ranking {run}: its agreement: {e}");
                None
            }
        };
        let warning = agreement
            .as_ref()
            .and_then(|a| a.applicants.as_ref())
            .and_then(|rules| applicants::old_threshold(rules, r.on));
        Ok((r, warning, agreement))
    })
    .await;
    let (r, warning, agreement) = match result {
        Ok(r) => r,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let req = &r.requirement;
    let agreement = agreement.as_deref();
    let rules = agreement.and_then(|a| a.applicants.as_ref());
    let rows: Vec<minijinja::Value> = r
        .ranking
        .iter()
        .map(|x| {
            let failed: Vec<String> = x
                .outcomes
                .iter()
                .filter(|o| !o.met)
                .flat_map(|o| o.findings.iter().filter(|f| !f.met).map(move |f| format!("{}: {}", at::criterion(rules, &o.criterion, lang), at::finding(f, lang))))
                .collect();
            minijinja::context! {
                position => x.position, applicant => x.applicant.clone(), seniority => x.seniority.to_string(),
                tier => at::tier(x.tier, lang), why => x.why.iter().map(|w| at::rank_why(w, lang)).collect::<Vec<_>>(),
                failed => failed,
            }
        })
        .collect();
    let staircase = r.staircase;
    render(
        &state,
        "ranking.html",
        lang,
        Some(&session),
        minijinja::context! {
            title => format!("{} {}", lang.pick("Rangliste", "Ranking"), r.id),
            back => format!("/rankings/{}", r.id),
            run => r.id,
            vacancy => r.vacancy,
            department => r.department_id.clone(),
            step => text::step_title(agreement, staircase, &r.step, lang),
            set => at::criteria_set(rules, req.criteria_set.as_deref(), lang),
            on => r.on.to_string(),
            made => format!("{} {}", r.created_at.format("%Y-%m-%d %H:%M"), r.created_by),
            inputs => r.inputs_sha256.chars().take(12).collect::<String>(),
            warning => warning.map(|t| at::old_threshold(&t, lang)),
            rows => rows,
        },
    )
    .into_response()
}

/// Checks one household against the criteria of a vacancy's slot (nothing is stored).
pub async fn check_upload(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(vacancy): Path<i64>,
    Extension(session): Extension<Session>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let result = async {
        let (name, text, _) = read_json_upload(&session, multipart, "household file").await?;
        let s2 = session.clone();
        with_store(&state, move |s| {
            let ctx = vacancy_context(s, &s2, vacancy)?;
            let checked = applicants::check(&ctx, &name, &text)?;
            let context = applicants::context_lines(&ctx, lang);
            let rules = ctx.agreement.applicants.clone();
            Ok((ctx.department.clone(), ctx.on, checked, context, rules))
        })
        .await
    }
    .await;
    let (department, on, checked, context, rules) = match result {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let outcomes = &checked.outcomes;
    // A vacancy's slot is one requirement.
    let Some(req) = checked.requirements.first() else {
        eprintln!("trappe serve: vacancy {vacancy}: its slot gave no requirement to check");
        return page_error(&state, lang, Some(&session), AppError::internal());
    };
    let met = req.met(outcomes);
    let criteria: Vec<minijinja::Value> = outcomes
        .iter()
        .filter(|o| {
            req.concerns(&o.criterion)
                || rules
                    .as_ref()
                    .and_then(|r| r.ranking.accessibility_priority.as_ref())
                    .is_some_and(|a| a.value == o.criterion)
        })
        .map(|o| {
            minijinja::context! {
                name => at::criterion(rules.as_ref(), &o.criterion, lang), met => o.met,
                rule => at::criterion_rule(rules.as_ref(), &o.criterion, lang), source => o.source.clone(),
                findings => o.findings.iter().map(|f| minijinja::context! { met => f.met, text => at::finding(f, lang) }).collect::<Vec<_>>(),
                documents => o.documents.iter().map(|d| minijinja::context! {
                    member => d.member, name => at::document(d.kind, lang), seen => d.seen_on.map(|x| x.to_string()),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    render(
        &state,
        "check.html",
        lang,
        Some(&session),
        minijinja::context! {
            title => lang.pick("Tjek af husstand", "Household check"),
            back => format!("/vacancies/{vacancy}"),
            vacancy => vacancy,
            department => department,
            on => on.to_string(),
            set => at::criteria_set(rules.as_ref(), req.criteria_set.as_deref(), lang),
            met => met,
            context => context,
            warning => checked.old_threshold.as_ref().map(|t| at::old_threshold(t, lang)),
            criteria => criteria,
        },
    )
    .into_response()
}

/// A stored ranking run as JSON (applicant data: the municipality and the vacancy's
/// organisation only).
pub async fn api_ranking(
    AxState(state): AxState<State>,
    Path(run): Path<i64>,
    Extension(session): Extension<Session>,
) -> Result<Response, AppError> {
    let r = with_store(&state, move |s| {
        may_see_applicants(&session)?;
        access::ranking(s, &session, run)?;
        Ok(s.ranking(run)?)
    })
    .await?;
    Ok(axum::Json(r).into_response())
}
