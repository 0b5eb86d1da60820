//! The re-placement proposal and the decisions on the placement in force: "Forslag til
//! omplacering forelægges Samarbejdsforum til godkendelse" [CPH 6.2]; a newly designated
//! prevention area lets by the ordinary criteria until "Det afklares … af kommunen" which
//! tightened criteria apply [CPH 6.1.5]. Every signed-in user sees the proposal rows it
//! may see; the municipality records (and withdraws) the decisions.

use axum::body::Bytes;
use axum::extract::{Query, State as AxState};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use trappe_formats::text::{self as ftext, Lang};
use trappe_rules::Date;
use trappe_store::placement_decisions::{
    CriteriaChoice, NewDecision, NotProposed, Proposal, ProposalRow,
};
use trappe_store::users::{Role, Session};
use trappe_store::Store;

use super::auth::check_csrf;
use super::pages::{page_error, render};
use super::{lang_of, with_store, AppError, State};

#[derive(Deserialize, Default)]
pub struct ProposalQuery {
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    municipality: Option<String>,
    /// The decision just recorded (after the form's redirect).
    #[serde(default)]
    recorded: Option<i64>,
}

fn parse_date(field: &str, v: &str, lang: Lang) -> Result<Date, AppError> {
    v.trim().parse().map_err(|_| {
        AppError::bad_request(match lang {
            Lang::Da => format!("{field}: {v:?} er ikke en dato (ÅÅÅÅ-MM-DD)."),
            Lang::En => format!("{field}: {v:?} is not a date (YYYY-MM-DD)."),
        })
    })
}

/// The municipalities with a re-placement proposal that the user may see.
fn municipalities(s: &mut Store, session: &Session) -> Result<Vec<String>, AppError> {
    let mut out = s.municipalities_holding()?;
    out.retain(|m| {
        session
            .user
            .municipality
            .as_deref()
            .is_none_or(|own| own == m)
    });
    Ok(out)
}

/// The proposal on a date for the municipality asked (or the first the user may see),
/// with the rows the user may see; `None`: no municipality's agreement has one.
fn proposal(
    s: &mut Store,
    session: &Session,
    asked: Option<&str>,
    on: Date,
) -> Result<(Option<Proposal>, Vec<String>), AppError> {
    let list = municipalities(s, session)?;
    let chosen = match asked.filter(|a| !a.is_empty()) {
        Some(a) if list.iter().any(|m| m == a) => a.to_string(),
        // The user's own municipality, whose agreement holds nothing: no proposal.
        Some(a)
            if session
                .user
                .municipality
                .as_deref()
                .is_none_or(|own| own == a)
                && s.municipalities()?.iter().any(|m| m == a) =>
        {
            return Ok((None, list))
        }
        Some(_) => return Err(AppError::forbidden()),
        None => match list.first() {
            Some(m) => m.clone(),
            None => return Ok((None, list)),
        },
    };
    let mut p = s.replacement_proposal(Some(&chosen), on)?;
    let m = p.municipality.clone();
    let visible = |r: &ProposalRow| session.user.sees(&r.organisation, &m);
    p.moves.retain(visible);
    p.awaiting.retain(visible);
    Ok((Some(p), list))
}

fn row(r: &ProposalRow, lang: Lang) -> minijinja::Value {
    minijinja::context! {
        id => r.department_id.clone(),
        name => r.name.clone(),
        organisation => r.organisation.clone(),
        area => r.area_id.clone(),
        in_force => ftext::step_name(r.placement.staircase, &r.placement.step, lang),
        basis => trappe_app::text::basis(&r.placement.basis, lang),
        computed => r.placement.computed.as_ref().map(|c| ftext::step_name(c.staircase, &c.step, lang)),
        why => r.why.iter().map(|w| trappe_app::text::change_why(w, lang)).collect::<Vec<_>>().join("; "),
        proposed => ftext::criteria_list(r.criteria_proposed.as_deref().unwrap_or_default(), lang),
    }
}

pub async fn page(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    query: Result<Query<ProposalQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let on = match q.on.as_deref().filter(|s| !s.is_empty()) {
        Some(v) => match parse_date(lang.pick("dato", "date"), v, lang) {
            Ok(d) => d,
            Err(e) => return page_error(&state, lang, Some(&session), e),
        },
        None => chrono::Local::now().date_naive(),
    };
    let s2 = session.clone();
    let asked = q.municipality.clone();
    let q = ProposalQuery {
        recorded: q.recorded,
        ..Default::default()
    };
    let result = with_store(&state, move |s| {
        let (p, list) = proposal(s, &s2, asked.as_deref(), on)?;
        let mut decisions = match &p {
            Some(p) => s.placement_decisions(Some(&p.municipality))?,
            None => Vec::new(),
        };
        // The departments the user may see (an organisation its own).
        for d in &mut decisions {
            let mut kept = Vec::new();
            for r in std::mem::take(&mut d.rows) {
                if s.owner_of(&r.department_id)?
                    .is_some_and(|o| s2.user.sees_owner(&o))
                {
                    kept.push(r);
                }
            }
            d.rows = kept;
        }
        decisions.retain(|d| !d.rows.is_empty());
        Ok((p, list, decisions))
    })
    .await;
    let (p, list, decisions) = match result {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let municipality = session.user.role == Role::Municipality;
    let decisions: Vec<minijinja::Value> = decisions
        .iter()
        .map(|d| {
            minijinja::context! {
                id => d.id,
                from => d.decision.from.to_string(),
                decided_by => d.decision.decided_by.clone(),
                decided_on => d.decision.decided_on.to_string(),
                reference => d.decision.reference.clone(),
                rows => d.rows.iter().map(|r| match (&r.step, &r.criteria) {
                    (Some(step), _) => format!("{} → {}", r.department_id, ftext::step_name(trappe_rules::agreement::Staircase::Department, step, lang)),
                    (None, Some(c)) => format!("{}: {}", r.department_id, ftext::criteria_list(c, lang)),
                    _ => r.department_id.clone(),
                }).collect::<Vec<_>>().join(", "),
                withdrawn => d.withdrawn.as_ref().map(|(at, by, why)| format!("{} {} {by}: {why}", lang.pick("trukket tilbage", "withdrawn"), at.format("%Y-%m-%d"))),
            }
        })
        .collect();
    render(
        &state,
        "replacement.html",
        lang,
        Some(&session),
        minijinja::context! {
            title => lang.pick("Forslag til omplacering", "Re-placement proposal"),
            back => format!("/replacement?on={on}"),
            on => on.to_string(),
            today => chrono::Local::now().date_naive().to_string(),
            municipalities => list.iter().map(|m| minijinja::context! { code => m.clone(), name => trappe_app::text::municipality(m, lang) }).collect::<Vec<_>>(),
            intro => p.as_ref().map(|p| intro(p.approved_by.as_deref(), lang)),
            p => p.as_ref().map(|p| minijinja::context! {
                municipality => p.municipality.clone(),
                municipality_name => trappe_app::text::municipality(&p.municipality, lang),
                run_date => p.run_date.to_string(),
                approved_by => p.approved_by.clone(),
                moves => p.moves.iter().map(|r| row(r, lang)).collect::<Vec<_>>(),
                awaiting => p.awaiting.iter().map(|r| row(r, lang)).collect::<Vec<_>>(),
            }),
            decisions => decisions,
            recorded => q.recorded,
            may_decide => municipality,
        },
    )
    .into_response()
}

/// What the page says of the held placements, naming who approves.
fn intro(approved_by: Option<&str>, lang: Lang) -> String {
    let by = approved_by.unwrap_or(lang.pick("parterne", "the parties"));
    match lang {
        Lang::Da => format!("Afdelingstrappens placeringer fastholdes fra aftaleperiodens første placering, til {by} godkender en omplacering. Trappes beregning på de nyeste data er forslaget; det gælder først, når godkendelsen er registreret. Områdetrappen følger statens lister pr. 1. december."),
        Lang::En => format!("The department staircase's placements are held from the agreement period's first placement until {by} approves a re-placement. trappe's computation on the newest data is the proposal; it is in force only once the approval is recorded. The area staircase follows the state's lists of 1 December."),
    }
}

/// The proposal as JSON (the rows the user may see).
pub async fn api(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    query: Result<Query<ProposalQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let result = async {
        let on = match q.on.as_deref().filter(|s| !s.is_empty()) {
            Some(v) => parse_date("on", v, lang)?,
            None => chrono::Local::now().date_naive(),
        };
        let s2 = session.clone();
        with_store(&state, move |s| {
            let (p, _) = proposal(s, &s2, q.municipality.as_deref(), on)?;
            p.ok_or_else(|| {
                AppError::not_found("no agreement in use holds placements until approved")
            })
        })
        .await
    }
    .await;
    match result {
        Ok(p) => Json(p).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A form's fields, with repeated `department` fields kept in order.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn parse(body: &Bytes) -> Fields {
        Fields(form_urlencoded::parse(body).into_owned().collect())
    }

    fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

fn municipality_only(session: &Session, lang: Lang) -> Result<(), AppError> {
    if session.user.role == Role::Municipality {
        Ok(())
    } else {
        Err(AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            lang.pick(
                "Det er kommunen, der registrerer beslutninger om placeringer.",
                "Decisions on placements are recorded by the municipality.",
            ),
        ))
    }
}

/// Records an approved re-placement (`criteria` false) or the decided tightened criteria
/// of the departments ticked.
async fn record(
    state: State,
    headers: HeaderMap,
    session: Session,
    body: Bytes,
    criteria: bool,
) -> Response {
    let lang = lang_of(&headers);
    let f = Fields::parse(&body);
    let on = f.one("from");
    let result = async {
        check_csrf(&session, &f.one("csrf"))?;
        municipality_only(&session, lang)?;
        let from = parse_date(lang.pick("gældende fra", "in force from"), &f.one("from"), lang)?;
        let decided_on = parse_date(lang.pick("besluttet den", "decided on"), &f.one("decided_on"), lang)?;
        let whole = !criteria && f.one("all") == "1";
        let departments = f.all("department");
        if departments.is_empty() && !whole {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                lang.pick(
                    "Sæt flueben ved mindst én afdeling.",
                    "Tick at least one department.",
                ),
            ));
        }
        let (muni, decided_by, reference, which) = (
            f.one("municipality"),
            f.one("decided_by"),
            f.one("reference"),
            f.one("criteria"),
        );
        // What a person would mistype, refused in the user's language (the store refuses
        // it too, for every front-end).
        let refuse = |da: String, en: String| {
            Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                if lang == Lang::Da { da } else { en },
            ))
        };
        if decided_by.trim().is_empty() {
            return refuse("Angiv, hvem der har besluttet.".into(), "Say who decided.".into());
        }
        if reference.trim().is_empty() {
            return refuse(
                "Angiv en reference (referat eller sagsnummer).".into(),
                "Give a reference (minutes or case number).".into(),
            );
        }
        if from < decided_on {
            return refuse(
                format!("Beslutningen kan ikke gælde fra {from}, før den er truffet ({decided_on})."),
                format!("The decision cannot be in force from {from}, before it was made ({decided_on})."),
            );
        }
        let today = chrono::Local::now().date_naive();
        if decided_on > today {
            return refuse(
                format!("Beslutningsdatoen {decided_on} ligger efter i dag ({today}): registrér beslutningen, når den er truffet."),
                format!("The decision date {decided_on} is after today ({today}): record the decision once it is made."),
            );
        }
        let s2 = session.clone();
        with_store(&state, move |s| {
            let (p, _) = proposal(s, &s2, Some(&muni), from)?;
            let p = p.ok_or_else(AppError::forbidden)?;
            let period = s.agreement_of(&p.municipality)?.agreement.period;
            if !period.contains(from) {
                let to = period.to.map_or_else(String::new, |t| t.to_string());
                return Err(AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "outside_period",
                    match lang {
                        Lang::Da => format!("{from} ligger uden for aftalens periode ({} – {to}).", period.from),
                        Lang::En => format!("{from} is outside the agreement's period ({} – {to}).", period.from),
                    },
                ));
            }
            let not_proposed = |e: NotProposed| {
                AppError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    trappe_app::text::not_proposed(&e, lang),
                )
            };
            let (steps, chosen) = if criteria {
                let choice = if which == "none" {
                    CriteriaChoice::Ordinary
                } else {
                    CriteriaChoice::Proposed
                };
                (Vec::new(), p.decided_criteria(&departments, &choice).map_err(not_proposed)?)
            } else {
                let named: Vec<(String, Option<String>)> =
                    departments.into_iter().map(|d| (d, None)).collect();
                (p.approved_steps(whole, &named).map_err(not_proposed)?, Vec::new())
            };
            let actor = s2.user.username.clone();
            Ok(s.record_placement_decision(&NewDecision {
                municipality: Some(&p.municipality),
                from,
                decided_by: &decided_by,
                decided_on,
                reference: &reference,
                steps,
                criteria: chosen,
                actor: &actor,
                program_version: env!("CARGO_PKG_VERSION"),
            })?)
        })
        .await
    }
    .await;
    match result {
        Ok(r) => Redirect::to(&format!(
            "/replacement?on={}&municipality={}&recorded={}#decision-{}",
            on.trim(),
            r.municipality,
            r.id,
            r.id
        ))
        .into_response(),
        Err(e) => page_error(&state, lang, Some(&session), e),
    }
}

pub async fn approve(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    body: Bytes,
) -> Response {
    record(state, headers, session, body, false).await
}

pub async fn decide_criteria(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    body: Bytes,
) -> Response {
    record(state, headers, session, body, true).await
}

pub async fn withdraw(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    body: Bytes,
) -> Response {
    let lang = lang_of(&headers);
    let f = Fields::parse(&body);
    let result = async {
        check_csrf(&session, &f.one("csrf"))?;
        municipality_only(&session, lang)?;
        let id: i64 = f.one("id").trim().parse().map_err(|_| {
            AppError::bad_request(lang.pick(
                "Beslutningens nummer mangler.",
                "The decision's number is missing.",
            ))
        })?;
        let reason = f.one("reason");
        if reason.trim().is_empty() {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                lang.pick(
                    "Angiv en begrundelse for tilbagetrækningen.",
                    "Give a reason for the withdrawal.",
                ),
            ));
        }
        let s2 = session.clone();
        with_store(&state, move |s| {
            // Another municipality's decision is refused as if it did not exist.
            let own = s
                .placement_decisions(s2.user.municipality.as_deref())?
                .into_iter()
                .any(|d| d.id == id);
            if !own {
                return Err(AppError::not_found(match lang {
                    Lang::Da => format!("Beslutning {id} findes ikke."),
                    Lang::En => format!("Decision {id} does not exist."),
                }));
            }
            Ok(s.withdraw_placement_decision(
                id,
                &reason,
                &s2.user.username,
                env!("CARGO_PKG_VERSION"),
            )?)
        })
        .await
    }
    .await;
    match result {
        Ok(r) => Redirect::to(&format!(
            "/replacement?on={}&municipality={}",
            r.from, r.municipality
        ))
        .into_response(),
        Err(e) => page_error(&state, lang, Some(&session), e),
    }
}
