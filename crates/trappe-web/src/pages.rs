//! The pages: overview (filters, sorting, search, counts per step, export), department
//! (indicators against thresholds, reasons, history), language switch, static files.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, Query, State as AxState};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use serde::{Deserialize, Serialize};
use trappe_formats::text::{self, Lang};
use trappe_rules::agreement::Staircase;
use trappe_rules::reason::Reason;
use trappe_rules::Date;
use trappe_store::read::{Overview, OverviewRow};
use trappe_store::users::Session;

use super::strings::STRINGS;
use super::{lang_of, with_store, AppError, State};

pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("overview.html", include_str!("../templates/overview.html")),
    (
        "department.html",
        include_str!("../templates/department.html"),
    ),
    (
        "vacancies.html",
        include_str!("../templates/vacancies.html"),
    ),
    ("vacancy.html", include_str!("../templates/vacancy.html")),
    (
        "agreement.html",
        include_str!("../templates/agreement.html"),
    ),
    ("imports.html", include_str!("../templates/imports.html")),
    ("reports.html", include_str!("../templates/reports.html")),
    (
        "red_yellow.html",
        include_str!("../templates/red_yellow.html"),
    ),
    ("ranking.html", include_str!("../templates/ranking.html")),
    (
        "replacement.html",
        include_str!("../templates/replacement.html"),
    ),
    ("check.html", include_str!("../templates/check.html")),
];

/// The user-interface strings, Danish and English.
fn strings(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    STRINGS
        .iter()
        .map(|(k, da, en)| (*k, if lang == Lang::Da { *da } else { *en }))
        .collect()
}

/// Renders a page with the layout's context: language, strings, user and CSRF token.
pub fn render(
    state: &State,
    name: &str,
    lang: Lang,
    session: Option<&Session>,
    ctx: minijinja::Value,
) -> Response {
    let t = strings(lang);
    let role_name = session.map(|s| {
        t.get(format!("role_{}", s.user.role.as_str()).as_str())
            .copied()
            .unwrap_or("")
    });
    let base = minijinja::context! {
        lang => lang.pick("da", "en"),
        other_lang => lang.pick("en", "da"),
        t => t,
        user => session.map(|s| minijinja::context! { username => s.user.username.clone(), role => s.user.role.as_str() }),
        role_name => role_name,
        csrf => session.map(|s| s.csrf.clone()),
        back => "/",
        title => "trappe",
    };
    let merged = minijinja::context! { ..ctx, ..base };
    match state
        .templates
        .get_template(name)
        .and_then(|t| t.render(merged))
    {
        Ok(s) => Html(s).into_response(),
        Err(e) => {
            // A page that cannot be made is the server's failure: 500, the detail in
            // the log only.
            eprintln!("trappe serve: template {name}: {e:#}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(format!(
                    "<!doctype html><html lang=\"{}\"><title>trappe</title><p>{}</p></html>",
                    lang.pick("da", "en"),
                    lang.pick(
                        "Siden kunne ikke vises; fejlen er skrevet i serverens log.",
                        "The page could not be shown; the error is written to the server's log."
                    )
                )),
            )
                .into_response()
        }
    }
}

/// An HTML error page for page routes, with the error's status.
pub fn page_error(state: &State, lang: Lang, session: Option<&Session>, e: AppError) -> Response {
    let page = render(
        state,
        "error.html",
        lang,
        session,
        minijinja::context! { code => e.code, message => e.message },
    );
    with_status(e.status, page)
}

/// A rendered page answered with `status`, unless the page itself failed (a 500 stays
/// a 500).
pub fn with_status(status: StatusCode, page: Response) -> Response {
    if page.status().is_server_error() {
        return page;
    }
    (status, page).into_response()
}

/// The CSS class of a step ("dept-4", "area-1", "red").
fn step_class(staircase: Staircase, step: &str) -> String {
    match staircase {
        Staircase::Area => format!("area-{step}"),
        Staircase::Department => format!("dept-{step}"),
        Staircase::TrafficLight => step.to_string(),
        Staircase::List => "list".to_string(),
    }
}

/// Orders steps most challenged first: area 2, area 1, dept 4 … dept 1; red, yellow, green.
fn step_rank(staircase: Staircase, step: &str) -> (u8, i64) {
    match (staircase, step) {
        (Staircase::Area, s) => (0, -s.parse::<i64>().unwrap_or(0)),
        (Staircase::Department, s) => (1, -s.parse::<i64>().unwrap_or(0)),
        (Staircase::TrafficLight, "red") => (2, 0),
        (Staircase::TrafficLight, "yellow") => (2, 1),
        (Staircase::TrafficLight, trappe_rules::agreement::NO_DATA) => (2, 3),
        (Staircase::TrafficLight, trappe_rules::agreement::NOT_IN_OVERVIEW) => (2, 4),
        (Staircase::TrafficLight, _) => (2, 2),
        (Staircase::List, trappe_rules::agreement::NOT_COVERED) => (3, 1),
        (Staircase::List, _) => (3, 0),
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Filters {
    #[serde(default)]
    pub on: Option<Date>,
    #[serde(default)]
    pub org: Option<String>,
    /// "department:4", "area:1", "traffic-light:red".
    #[serde(default)]
    pub step: Option<String>,
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub changed: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub dir: Option<String>,
}

impl Filters {
    pub(crate) fn on(&self) -> Date {
        self.on.unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    fn nonempty(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// The query string of these filters (for export links and sorting).
    pub fn query(&self, sort: Option<(&str, &str)>) -> String {
        let mut parts = vec![format!("on={}", self.on())];
        let mut push = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                parts.push(format!("{k}={}", urlencode(v)));
            }
        };
        push("org", Self::nonempty(&self.org));
        push("step", Self::nonempty(&self.step));
        push("area", Self::nonempty(&self.area));
        push("q", Self::nonempty(&self.q));
        push("changed", Self::nonempty(&self.changed));
        match sort {
            Some((s, d)) => {
                push("sort", Some(s));
                push("dir", Some(d));
            }
            None => {
                push("sort", Self::nonempty(&self.sort));
                push("dir", Self::nonempty(&self.dir));
            }
        }
        parts.join("&")
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The overview rows a user may see, filtered and sorted as asked.
pub struct Selected {
    pub overview: std::sync::Arc<Overview>,
    pub rows: Vec<OverviewRow>,
    pub organisations: Vec<String>,
    pub areas: Vec<String>,
    pub steps: Vec<(String, Staircase, String)>,
    /// The agreement, read only when a named list's groups need their labels.
    pub agreement: Option<trappe_rules::Agreement>,
}

pub fn select(
    store: &mut trappe_store::Store,
    cache: &super::RunCache,
    session: &Session,
    f: &Filters,
) -> Result<Selected, AppError> {
    let overview = cache.overview(store, f.on())?;
    let visible: Vec<OverviewRow> = overview
        .rows
        .iter()
        .filter(|r| {
            session
                .user
                .sees(&r.department.organisation_id, &r.municipality)
        })
        .cloned()
        .collect();
    let organisations: Vec<String> = visible
        .iter()
        .map(|r| r.department.organisation_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let areas: Vec<String> = visible
        .iter()
        .filter_map(|r| r.department.area_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut steps: Vec<(String, Staircase, String)> = visible
        .iter()
        .map(|r| (r.placement.staircase, r.placement.step.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|(s, st)| (format!("{}:{st}", s.as_str()), s, st))
        .collect();
    steps.sort_by_key(|(_, s, st)| step_rank(*s, st));
    // A named list's groups are shown by its agreement's labels (the first municipality
    // placed by a named list).
    let agreement = match visible
        .iter()
        .find(|r| r.placement.staircase == Staircase::List)
    {
        Some(r) => store
            .agreement_in_force(&r.municipality, f.on())
            .ok()
            .map(|l| l.agreement),
        None => None,
    };
    let changed: Option<BTreeSet<String>> = match Filters::nonempty(&f.changed) {
        Some(_) => {
            let mut ids = BTreeSet::new();
            for p in &overview.parts {
                ids.extend(
                    store
                        .changes_of_run(p.run_id)?
                        .changes
                        .into_iter()
                        // A move of the computed placement only is a proposal, listed
                        // on the re-placement page, not a change of step in force.
                        .filter(|c| c.in_force)
                        .map(|c| c.department_id),
                );
            }
            Some(ids)
        }
        None => None,
    };
    let q = Filters::nonempty(&f.q).map(str::to_lowercase);
    let mut rows: Vec<OverviewRow> = visible
        .into_iter()
        .filter(|r| Filters::nonempty(&f.org).is_none_or(|o| r.department.organisation_id == o))
        .filter(|r| {
            Filters::nonempty(&f.area).is_none_or(|a| r.department.area_id.as_deref() == Some(a))
        })
        .filter(|r| {
            Filters::nonempty(&f.step).is_none_or(|s| {
                format!("{}:{}", r.placement.staircase.as_str(), r.placement.step) == s
            })
        })
        .filter(|r| {
            q.as_deref().is_none_or(|q| {
                r.department.id.to_lowercase().contains(q)
                    || r.department.name.to_lowercase().contains(q)
            })
        })
        .filter(|r| {
            changed
                .as_ref()
                .is_none_or(|c| c.contains(&r.department.id))
        })
        .collect();
    let desc = f.dir.as_deref() == Some("desc");
    match f.sort.as_deref().unwrap_or("id") {
        "name" => rows.sort_by(|a, b| a.department.name.cmp(&b.department.name)),
        "organisation" => rows.sort_by(|a, b| {
            a.department
                .organisation_id
                .cmp(&b.department.organisation_id)
                .then(a.department.id.cmp(&b.department.id))
        }),
        "area" => rows.sort_by(|a, b| {
            a.department
                .area_id
                .cmp(&b.department.area_id)
                .then(a.department.id.cmp(&b.department.id))
        }),
        "step" => rows.sort_by(|a, b| {
            step_rank(a.placement.staircase, &a.placement.step)
                .cmp(&step_rank(b.placement.staircase, &b.placement.step))
                .then(a.department.id.cmp(&b.department.id))
        }),
        "family_homes" => {
            rows.sort_by_key(|r| (r.department.family_homes, r.department.id.clone()))
        }
        "residents" => rows.sort_by_key(|r| (r.department.residents, r.department.id.clone())),
        _ => rows.sort_by(|a, b| a.department.id.cmp(&b.department.id)),
    }
    if desc {
        rows.reverse();
    }
    Ok(Selected {
        overview,
        rows,
        organisations,
        areas,
        steps,
        agreement,
    })
}

pub(crate) fn bad_filters(e: axum::extract::rejection::QueryRejection) -> AppError {
    AppError::bad_request(format!("the page's parameters are not valid: {e}"))
}

pub async fn overview(
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
    let s2 = session.clone();
    let f2 = f.clone();
    let st = state.clone();
    let selected = match with_store(&state, move |s| select(s, &st.runs, &s2, &f2)).await {
        Ok(x) => x,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let t = strings(lang);
    // Keyed by rank and step: a named list's groups share a rank.
    type Count = (String, String, u32, u32);
    let mut counts: BTreeMap<((u8, i64), String), Count> = BTreeMap::new();
    for r in &selected.rows {
        let p = &r.placement;
        let e = counts
            .entry((step_rank(p.staircase, &p.step), p.step.clone()))
            .or_insert_with(|| {
                (
                    text::step_title(selected.agreement.as_ref(), p.staircase, &p.step, lang),
                    step_class(p.staircase, &p.step),
                    0,
                    0,
                )
            });
        e.2 += 1;
        e.3 += r.department.family_homes;
    }
    let counts_v: Vec<minijinja::Value> = counts
        .values()
        .map(|(label, class, d, h)| minijinja::context! { label => label, class => class, departments => trappe_formats::output::int(u64::from(*d), lang), homes => trappe_formats::output::int(u64::from(*h), lang) })
        .collect();
    let chart = serde_json::json!({
        "charts": [{
            "canvas": "steps-chart",
            "type": "bar",
            "labels": counts.values().map(|c| c.0.clone()).collect::<Vec<_>>(),
            "datasets": [{ "label": t["family_homes"], "data": counts.values().map(|c| c.3).collect::<Vec<_>>(), "backgroundColor": "#5b8bd0" }],
        }]
    });
    let cols: [(&str, &str, bool); 7] = [
        ("id", t["department"], false),
        ("name", t["name"], false),
        ("organisation", t["organisation"], false),
        ("area", t["area"], false),
        ("step", t["step"], false),
        ("family_homes", t["family_homes"], true),
        ("residents", t["residents"], true),
    ];
    let current = f.sort.clone().unwrap_or_else(|| "id".into());
    let desc = f.dir.as_deref() == Some("desc");
    let columns: Vec<minijinja::Value> = cols
        .iter()
        .map(|(key, label, num)| {
            let sorted = (*key == current).then_some(if desc { "descending" } else { "ascending" });
            let next = if *key == current && !desc { "desc" } else { "asc" };
            minijinja::context! { label => label, num => num, sorted => sorted, href => f.query(Some((key, next))) }
        })
        .collect();
    let small = state.small;
    let rows: Vec<minijinja::Value> = selected
        .rows
        .iter()
        .map(|r| {
            let d = &r.department;
            minijinja::context! {
                id => d.id.clone(), name => d.name.clone(), organisation => d.organisation_id.clone(),
                area => d.area_id.clone(),
                step_label => text::step_title(selected.agreement.as_ref(), r.placement.staircase, &r.placement.step, lang),
                class => step_class(r.placement.staircase, &r.placement.step),
                family_homes => trappe_formats::output::int(u64::from(d.family_homes), lang),
                residents => small.text(d.residents, lang),
                estimate => r.placement.computed.as_ref().map(|c| text::step_title(selected.agreement.as_ref(), c.staircase, &c.step, lang)),
                estimate_class => r.placement.computed.as_ref().map(|c| step_class(c.staircase, &c.step)),
                differs => r.placement.differs_from_computed(),
            }
        })
        .collect();
    let steps: Vec<minijinja::Value> = selected
        .steps
        .iter()
        .map(|(key, s, st)| minijinja::context! { key => key, label => text::step_title(selected.agreement.as_ref(), *s, st, lang) })
        .collect();
    let o = &selected.overview;
    // What the user sees: the rows of its own municipality or organisation, and the
    // runs, dates and agreements of the municipalities it may see.
    let in_force = in_force_note(o, &selected.rows, lang);
    let held = held_note(&selected.rows, f.on(), lang);
    let seen = o.summary(|m| session.user.municipality.as_deref().is_none_or(|u| u == m));
    render(
        &state,
        "overview.html",
        lang,
        Some(&session),
        minijinja::context! {
            title => t["overview"],
            back => format!("/?{}", f.query(None)),
            on => seen.on_date.to_string(),
            figures_date => seen.figures_date.to_string(),
            list_date => seen.list_date.map(|d| d.to_string()),
            agreement => seen.agreement,
            organisation => session.user.role.organisation().map(str::to_string),
            organisations => selected.organisations,
            areas => selected.areas,
            step_options => steps,
            f => minijinja::Value::from_serialize(&f),
            counts => counts_v,
            columns => columns,
            rows => rows,
            query => f.query(None),
            chart => minijinja::Value::from_serialize(&chart),
            in_force => in_force,
            held => held,
            estimates => selected.rows.iter().any(|r| r.placement.computed.is_some()),
            differing => selected.rows.iter().filter(|r| r.placement.differs_from_computed()).count(),
        },
    )
    .into_response()
}

/// What the page says of the placement in force where the agreement puts the
/// municipality's overview in force: provisional before its first one, else its date;
/// `None` where the computed placement is in force.
fn in_force_note(
    o: &trappe_store::read::Overview,
    rows: &[OverviewRow],
    lang: Lang,
) -> Option<minijinja::Value> {
    let first = rows.iter().find(|r| {
        r.placement.computed.is_some()
            && matches!(
                r.placement.basis.as_str(),
                "provisional" | "overview" | "not_in_overview"
            )
    })?;
    let provisional = first.placement.basis == "provisional";
    // The date of that municipality's overview.
    let as_of = o
        .parts
        .iter()
        .find(|p| p.municipality == first.municipality)
        .and_then(|p| p.overview_date);
    Some(minijinja::context! {
        provisional => provisional,
        as_of => as_of.map(|d| d.to_string()),
        text => if provisional {
            lang.pick(
                "Foreløbig — ikke kommunens: kommunen har endnu ikke indlæst sin oversigt over farver, så farverne er trappes egen beregning.",
                "Provisional — not the municipality's: the municipality has not yet imported its colour overview, so the colours are trappe's own computation.",
            )
        } else {
            lang.pick(
                "Farverne er kommunens oversigt. Trappes beregnede farve står ved siden af som skøn: rød efter statens udpegning, gul og grøn efter nøgletallene er trappes eget bud, ikke kommunens.",
                "The colours are the municipality's overview. trappe's computed colour is shown beside them as an estimate: red by the state's designation; yellow and green by the figures are trappe's own proxy, not the municipality's.",
            )
        },
    })
}

/// What the page says where placements are held until an approved re-placement (or a
/// prevention area awaits the municipality's decision): how many, how many the newest
/// computation would move, and where the proposal is.
fn held_note(rows: &[OverviewRow], on: trappe_rules::Date, lang: Lang) -> Option<minijinja::Value> {
    let held = rows
        .iter()
        .filter(|r| matches!(r.placement.basis.as_str(), "held" | "approved"))
        .count();
    let awaiting = rows
        .iter()
        .filter(|r| r.placement.basis == "awaiting_decision")
        .count();
    if held + awaiting == 0 {
        return None;
    }
    let moves = rows
        .iter()
        .filter(|r| {
            matches!(r.placement.basis.as_str(), "held" | "approved")
                && r.placement.differs_from_computed()
        })
        .count();
    let text = match lang {
        Lang::Da => format!(
            "Afdelingstrappens placeringer gælder, til en omplacering er godkendt: {held} afdelinger er fastholdt eller godkendt, og trappes beregning på de nyeste data ville flytte {moves} af dem (forslag, ikke gældende).{}",
            if awaiting > 0 {
                format!(" {awaiting} afdelinger i nyudpegede forebyggelsesområder udlejer efter almindelige kriterier, til kommunen beslutter de skærpede.")
            } else {
                String::new()
            }
        ),
        Lang::En => format!(
            "The department staircase's placements are in force until a re-placement is approved: {held} departments are held or approved, and trappe's computation on the newest data would move {moves} of them (a proposal, not in force).{}",
            if awaiting > 0 {
                format!(" {awaiting} departments in newly designated prevention areas let by the ordinary criteria until the municipality decides the tightened ones.")
            } else {
                String::new()
            }
        ),
    };
    Some(minijinja::context! {
        text => text,
        link => lang.pick("Forslag til omplacering", "Re-placement proposal"),
        on => on.to_string(),
    })
}

async fn export(
    state: State,
    headers: HeaderMap,
    session: Session,
    f: Filters,
    xlsx: bool,
) -> Response {
    let lang = lang_of(&headers);
    let s2 = session.clone();
    let st = state.clone();
    let result = with_store(&state, move |s| {
        let sel = select(s, &st.runs, &s2, &f)?;
        let mut o = (*sel.overview).clone();
        o.rows = sel.rows;
        Ok(o)
    })
    .await;
    let o = match result {
        Ok(o) => o,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let mut report = trappe_app::reports::overview_report(&o, lang);
    // Persons below the threshold are suppressed in exports too.
    let residents = report.columns.iter().position(|c| c.key == "residents");
    if let Some(i) = residents {
        for row in &mut report.rows {
            if let Some(cell) = row.get_mut(i) {
                state.small.cell(cell);
            }
        }
    }
    let name = format!("oversigt-{}", o.on_date);
    download(&report, lang, &name, xlsx)
        .unwrap_or_else(|e| page_error(&state, lang, Some(&session), e))
}

/// A report as a page's table: the column headings (with whether the column is numeric)
/// and the cells as text; a coded cell in `badge_column` (a colour) carries its code as
/// the CSS class of its badge.
pub fn report_table(
    report: &trappe_formats::Report,
    lang: Lang,
    badge_column: Option<&str>,
) -> (Vec<minijinja::Value>, Vec<Vec<minijinja::Value>>) {
    use trappe_formats::report::{table_text, Cell};
    let badge = badge_column.and_then(|k| report.columns.iter().position(|c| c.key == k));
    let columns = report
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let numeric = report
                .rows
                .first()
                .is_some_and(|r| r.get(i).is_some_and(|cell| table_text(cell, lang).1));
            minijinja::context! { label => if lang == Lang::Da { c.da } else { c.en }, num => numeric }
        })
        .collect();
    let rows = report
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(i, cell)| {
                    let (text, num) = table_text(cell, lang);
                    let class = match cell {
                        Cell::Coded { code, .. } if Some(i) == badge => Some(code.clone()),
                        _ => None,
                    };
                    minijinja::context! { text => text, num => num, class => class }
                })
                .collect()
        })
        .collect();
    (columns, rows)
}

/// A report as a CSV or XLSX download named `file`.
pub fn download(
    report: &trappe_formats::Report,
    lang: Lang,
    file: &str,
    xlsx: bool,
) -> Result<Response, AppError> {
    let internal = |e: String| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e);
    let (kind, ext, bytes) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            trappe_formats::report_xlsx(report, lang).map_err(|e| internal(e.to_string()))?,
        )
    } else {
        let mut out = Vec::new();
        trappe_formats::write_report(&mut out, report, trappe_formats::output::Format::Csv, lang)
            .map_err(|e| internal(e.to_string()))?;
        ("text/csv; charset=utf-8", "csv", out)
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn overview_csv(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    query: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match query {
        Ok(Query(f)) => export(state, headers, session, f, false).await,
        Err(e) => page_error(&state, lang_of(&headers), Some(&session), bad_filters(e)),
    }
}

pub async fn overview_xlsx(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    query: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match query {
        Ok(Query(f)) => export(state, headers, session, f, true).await,
        Err(e) => page_error(&state, lang_of(&headers), Some(&session), bad_filters(e)),
    }
}

/// One department's page data (also the API's answer).
/// One of a department's latest ledger entries.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecentEntry {
    pub on: trappe_rules::Date,
    pub action: trappe_rules::ledger::LedgerAction,
    pub channel: Option<trappe_rules::ledger::LetChannel>,
    pub actor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentView {
    pub id: String,
    /// The municipality whose data and agreement place it.
    pub municipality: String,
    pub name: String,
    pub organisation: String,
    pub area: Option<String>,
    pub family_homes: u32,
    pub residents: u32,
    pub on: Date,
    pub staircase: Staircase,
    pub step: String,
    pub need: Option<String>,
    /// On what basis the placement is in force (`computed`, `provisional`, `overview`,
    /// `not_in_overview`).
    pub basis: &'static str,
    /// The computed placement beside the one in force, where the agreement puts the
    /// municipality's overview in force (trappe's estimate).
    pub computed: Option<(Staircase, String)>,
    /// The reasons of the placement in force, then those of the computed one.
    pub reasons: Vec<Reason>,
    pub reason_text: Vec<String>,
    pub history: Vec<serde_json::Value>,
    /// The wheel: the last slot taken and the slot that comes next.
    pub wheel: Option<serde_json::Value>,
    /// The newest entries of the department's ledger.
    pub recent: Vec<RecentEntry>,
    /// What the placement was computed from: agreement (hash), law, dates, every
    /// parameter with its source, program version.
    pub receipt: trappe_rules::receipt::Receipt,
}

#[derive(Deserialize)]
pub struct OnQuery {
    #[serde(default)]
    pub on: Option<Date>,
    /// The municipality whose agreement a page shows (the agreement page).
    #[serde(default)]
    pub municipality: Option<String>,
}

/// Loads a department for a user: 403 for another organisation's; for an unknown
/// department 404 to the municipality and 403 to others (see `access`).
pub fn department_view(
    store: &mut trappe_store::Store,
    cache: &super::RunCache,
    session: &Session,
    id: &str,
    on: Date,
    lang: Lang,
) -> Result<DepartmentView, AppError> {
    // Today's owner first (the ledger and history shown are today's), then the owner in
    // the run asked for: both must be the user's.
    let current = store.owner_of(id)?;
    if current
        .as_ref()
        .is_some_and(|o| !session.user.sees_owner(o))
    {
        return Err(AppError::forbidden());
    }
    // An unknown id is answered before anything else is looked up, so that no other
    // answer (no placement on that date, say) tells an organisation whether it exists.
    let Some(owner) = current else {
        return Err(super::access::missing(
            session,
            format!("no department {id}"),
        ));
    };
    let explained = cache.explained(store, &owner.municipality, on)?;
    let found = explained
        .departments
        .iter()
        .enumerate()
        .find(|(_, d)| d.id == id);
    let Some((index, dept)) = found else {
        return Err(AppError::not_found(format!(
            "no department {id} in the placement in force on {on}"
        )));
    };
    if !session
        .user
        .sees(&dept.organisation_id, &owner.municipality)
    {
        return Err(AppError::forbidden());
    }
    let placement = explained
        .classification
        .placements
        .iter()
        .find(|p| p.department == index)
        .ok_or_else(|| AppError::not_found(format!("department {id} is not placed on {on}")))?;
    // The wheel: where the last registration stood, and the slot after it on the wheel
    // of the department's step (the special homes of the agreement may still send the
    // next vacancy elsewhere).
    let ledger = store.ledger(id)?;
    let last = ledger
        .iter()
        .rev()
        .find(|e| e.kind == trappe_rules::ledger::EntryKind::Register);
    let wheel = last.and_then(|e| {
        let w = &e.detail["assignment"]["wheel"];
        let (slot, slots, round) = (
            w["slot"].as_u64()?,
            w["slots"].as_u64()?,
            w["round"].as_u64()?,
        );
        let next = slot % slots + 1;
        let next_round = if next == 1 { round + 1 } else { round };
        let rule =
            explained
                .agreement
                .agreement
                .wheel_rule(placement.staircase, &placement.step, on)?;
        let choice = rule.slots.get(next as usize - 1).map(|s| {
            let (c, _) = trappe_rules::wheel::slot_choice(s, next_round - 1, None, None);
            let ch = text::channel(c.channel, lang).to_string();
            match c.criteria {
                Some(k) => format!(
                    "{ch} ({})",
                    trappe_formats::applicant_text::criteria_set(
                        explained.agreement.agreement.applicants.as_ref(),
                        Some(&k),
                        lang,
                    )
                ),
                None => ch,
            }
        });
        Some(serde_json::json!({
            "key": w["key"], "last_slot": slot, "slots": slots, "round": round,
            "next_slot": next, "next_channel": choice, "source": rule.source,
        }))
    });
    let recent: Vec<RecentEntry> = ledger
        .iter()
        .rev()
        .take(10)
        .map(|e| RecentEntry {
            on: e.on_date,
            action: e.action,
            channel: e.channel,
            actor: e.actor.clone(),
        })
        .collect();
    let history = store
        .history(id)?
        .into_iter()
        .map(|h| {
            let f = h.department.figures;
            serde_json::json!({
                "on": h.on_date,
                "figures_date": h.figures_date,
                "staircase": h.placement.as_ref().map(|p| p.staircase.as_str()),
                "step": h.placement.as_ref().map(|p| p.step.clone()),
                "unemployment_pct": f.map(|f| trappe_rules::pct_to_f64(f.unemployment_pct)),
                "convictions_pct": f.map(|f| trappe_rules::pct_to_f64(f.convictions_pct)),
                "primary_education_pct": f.map(|f| trappe_rules::pct_to_f64(f.primary_education_pct)),
                "income_pct": f.map(|f| trappe_rules::pct_to_f64(f.income_pct)),
            })
        })
        .collect();
    Ok(DepartmentView {
        id: dept.id.clone(),
        municipality: owner.municipality.clone(),
        name: dept.name.clone(),
        organisation: dept.organisation_id.clone(),
        area: dept.area_id.clone(),
        family_homes: dept.family_homes,
        residents: dept.residents,
        on,
        staircase: placement.staircase,
        step: placement.step.clone(),
        need: placement.need.map(|n| text::need(n, lang).to_string()),
        basis: placement.in_force.as_str(),
        computed: placement
            .computed
            .as_ref()
            .map(|c| (c.staircase, c.step.clone())),
        reason_text: {
            let mut out: Vec<String> = placement
                .reasons
                .iter()
                .map(|r| text::reason(r, lang))
                .collect();
            // The computed placement's own reasons, introduced as the estimate or the
            // proposal they are.
            if let (Some(c), Some(heading)) = (
                placement.computed.as_ref(),
                trappe_app::text::computed_heading(placement.in_force.as_str(), lang),
            ) {
                out.push(heading.to_string());
                out.extend(c.reasons.iter().map(|r| text::reason(r, lang)));
            }
            out
        },
        reasons: {
            let mut out = placement.reasons.clone();
            if let (Some(c), Some(_)) = (
                placement.computed.as_ref(),
                trappe_app::text::computed_heading(placement.in_force.as_str(), lang),
            ) {
                out.extend(c.reasons.iter().cloned());
            }
            out
        },
        history,
        wheel,
        recent,
        receipt: explained.classification.receipt.clone(),
    })
}

/// The department page's table of checks: each criterion against its threshold, and the
/// area's figures against the risk zone with the distance in persons [CPH 6.1.2].
fn check_rows(
    view: &DepartmentView,
    small: trappe_formats::report::SmallNumbers,
    lang: Lang,
) -> Vec<minijinja::Value> {
    let t = strings(lang);
    view
        .reasons
        .iter()
        .filter_map(|r| match r {
            Reason::Criterion {
                against,
                criterion,
                value,
                comparison,
                threshold,
                met,
            } => Some(minijinja::context! {
                criterion => text::criterion(*criterion, lang),
                against => against_name(*against, lang),
                value => text::pct(*value, lang),
                comparison => comparison.symbol(),
                threshold => text::pct(*threshold, lang),
                distance => text::pct((*value - *threshold).abs().round_dp(2), lang),
                persons => "",
                met => if *met { t["yes"] } else { t["no"] },
            }),
            // The area's figures against the risk zone, with the distance to the udsat
            // threshold in persons where the list gives the counts [CPH 6.1.2].
            Reason::AreaChallenged {
                area_id,
                criterion,
                value,
                risk_zone_threshold,
                persons_to_udsat,
                challenged,
                ..
            } => Some(minijinja::context! {
                criterion => format!("{} ({} {area_id})", text::criterion(*criterion, lang), t["area"].to_lowercase()),
                against => against_name(trappe_rules::reason::CheckedAgainst::RiskZone, lang),
                value => text::pct(*value, lang),
                comparison => "",
                threshold => text::pct(*risk_zone_threshold, lang),
                distance => text::pct((*value - *risk_zone_threshold).abs().round_dp(2), lang),
                persons => persons_to_udsat.map(|n| small.text(n, lang)).unwrap_or_default(),
                met => if *challenged { t["yes"] } else { t["no"] },
            }),
            _ => None,
        })
        .collect()
}

pub async fn department(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Extension(session): Extension<Session>,
    query: Result<Query<OnQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let on = match query {
        Ok(Query(q)) => q.on.unwrap_or_else(|| chrono::Local::now().date_naive()),
        Err(e) => return page_error(&state, lang, Some(&session), bad_filters(e)),
    };
    let s2 = session.clone();
    let id2 = id.clone();
    let st = state.clone();
    let (view, agreement) = match with_store(&state, move |s| {
        let view = department_view(s, &st.runs, &s2, &id2, on, lang)?;
        // A named list's groups are shown by the agreement's labels.
        let agreement = if view.staircase == Staircase::List {
            s.agreement_in_force(&view.municipality, on)
                .ok()
                .map(|l| l.agreement)
        } else {
            None
        };
        Ok((view, agreement))
    })
    .await
    {
        Ok(v) => v,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let t = strings(lang);
    let pct = |v: f64| {
        text::pct(
            trappe_rules::Pct::try_from(v)
                .unwrap_or_default()
                .round_dp(2),
            lang,
        )
    };
    let checks = check_rows(&view, state.small, lang);
    let keys = [
        "unemployment_pct",
        "convictions_pct",
        "primary_education_pct",
        "income_pct",
    ];
    let names: Vec<&str> = trappe_rules::criteria::Criterion::ALL
        .iter()
        .map(|c| text::criterion(*c, lang))
        .collect();
    let history: Vec<minijinja::Value> = view
        .history
        .iter()
        .map(|h| {
            let staircase = h["staircase"].as_str().and_then(|s| s.parse().ok());
            let label = match (staircase, h["step"].as_str()) {
                (Some(s), Some(st)) => text::step_title(agreement.as_ref(), s, st, lang),
                _ => "–".into(),
            };
            minijinja::context! {
                on => h["on"].as_str().unwrap_or_default(),
                figures => h["figures_date"].as_str().unwrap_or_default(),
                step_label => label,
                values => keys.iter().map(|k| h[*k].as_f64().map(pct).unwrap_or_else(|| "–".into())).collect::<Vec<_>>(),
            }
        })
        .collect();
    let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    const STAIRCASE_COLOURS: [(Staircase, &str); 2] = [
        (Staircase::Department, "#444444"),
        (Staircase::Area, "#c0392b"),
    ];
    let chart = serde_json::json!({
        "charts": [{
            "canvas": "history-chart",
            "type": "line",
            "labels": view.history.iter().map(|h| h["on"].clone()).collect::<Vec<_>>(),
            "datasets": keys.iter().zip(&names).zip(colours).map(|((k, n), c)| serde_json::json!({
                "label": n, "borderColor": c, "backgroundColor": c,
                "data": view.history.iter().map(|h| h[*k].clone()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }, {
            // The step over time: one stepped line per staircase.
            "canvas": "steps-history-chart",
            "type": "line",
            "labels": view.history.iter().map(|h| h["on"].clone()).collect::<Vec<_>>(),
            "datasets": STAIRCASE_COLOURS.iter().map(|(sc, c)| serde_json::json!({
                "label": text::staircase(*sc, lang),
                "borderColor": c, "backgroundColor": c, "stepped": true,
                "data": view.history.iter().map(|h| if h["staircase"].as_str() == Some(sc.as_str()) {
                    h["step"].as_str().and_then(|x| x.parse::<f64>().ok()).map(serde_json::Value::from).unwrap_or(serde_json::Value::Null)
                } else { serde_json::Value::Null }).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "scales": { "y": { "min": 0, "max": 5, "ticks": { "stepSize": 1 } } },
        }, {
            // Each key figure against its threshold (the placement's own checks).
            "canvas": "indicators-chart",
            "type": "bar",
            "labels": view.reasons.iter().filter_map(|r| match r {
                Reason::Criterion { criterion, against, .. } => Some(format!("{} ({})", text::criterion(*criterion, lang), against_name(*against, lang))),
                _ => None,
            }).collect::<Vec<_>>(),
            "datasets": [
                { "label": t["value"], "backgroundColor": "#5b8bd0", "data": view.reasons.iter().filter_map(|r| match r {
                    Reason::Criterion { value, .. } => Some(trappe_rules::pct_to_f64(*value)), _ => None }).collect::<Vec<_>>() },
                { "label": t["threshold"], "backgroundColor": "#c0392b", "data": view.reasons.iter().filter_map(|r| match r {
                    Reason::Criterion { threshold, .. } => Some(trappe_rules::pct_to_f64(*threshold)), _ => None }).collect::<Vec<_>>() },
            ],
        }]
    });
    render(
        &state,
        "department.html",
        lang,
        Some(&session),
        minijinja::context! {
            title => format!("{} {}", view.id, view.name),
            back => format!("/departments/{}?on={}", view.id, on),
            on => on.to_string(),
            d => minijinja::context! {
                id => view.id.clone(), name => view.name.clone(), organisation => view.organisation.clone(),
                area => view.area.clone(),
                family_homes => trappe_formats::output::int(u64::from(view.family_homes), lang),
                residents => state.small.text(view.residents, lang),
                step_label => text::step_title(agreement.as_ref(), view.staircase, &view.step, lang),
                class => step_class(view.staircase, &view.step),
                need => view.need.clone(),
                basis => (view.basis != "computed").then(|| trappe_app::text::basis(view.basis, lang)),
                provisional => view.basis == "provisional",
                estimate => view.computed.as_ref().map(|(sc, st)| text::step_title(agreement.as_ref(), *sc, st, lang)),
                estimate_class => view.computed.as_ref().map(|(sc, st)| step_class(*sc, st)),
                estimate_hint => trappe_app::text::estimate_hint(view.basis, lang),
            },
            checks => checks,
            reasons => view.reason_text.clone(),
            indicator_names => names,
            history => history,
            wheel => view.wheel.as_ref().map(minijinja::Value::from_serialize),
            receipt => minijinja::Value::from_serialize(&view.receipt),
            recent => view.recent.iter().map(|e| minijinja::context! {
                on => e.on.to_string(), action => text::ledger_action(e.action, lang),
                channel => e.channel.map(|c| text::let_channel(c, lang)),
                actor => e.actor.clone(),
            }).collect::<Vec<_>>(),
            chart => minijinja::Value::from_serialize(&chart),
        },
    )
    .into_response()
}

/// The agreement in force: its steps, wheels, thresholds and interpretations, each
/// with its source.
pub async fn agreement(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    Extension(session): Extension<Session>,
    query: Result<Query<OnQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let (on, asked) = match query {
        Ok(Query(q)) => (
            q.on.unwrap_or_else(|| chrono::Local::now().date_naive()),
            q.municipality.filter(|m| !m.is_empty()),
        ),
        Err(e) => return page_error(&state, lang, Some(&session), bad_filters(e)),
    };
    // The user's municipality's agreement; a user of every municipality chooses.
    let own = session.user.municipality.clone();
    let loaded = match with_store(&state, move |s| {
        let all = s.municipalities()?;
        let m = match (own, asked) {
            (Some(own), Some(asked)) if own != asked => return Err(AppError::forbidden()),
            (Some(own), _) => own,
            (None, Some(asked)) if all.contains(&asked) => asked,
            (None, Some(asked)) => {
                return Err(AppError::not_found(format!("no municipality {asked}")))
            }
            (None, None) => all.first().cloned().unwrap_or_default(),
        };
        let loaded = s.agreement_in_force(&m, on)?;
        Ok((loaded, m, all))
    })
    .await
    {
        Ok(a) => a,
        Err(e) => return page_error(&state, lang, Some(&session), e),
    };
    let (loaded, shown, all) = loaded;
    let choices: Vec<minijinja::Value> = if session.user.municipality.is_none() && all.len() > 1 {
        all.iter()
            .map(|m| minijinja::context! { code => m, label => trappe_app::text::municipality_code(m, lang), selected => *m == shown })
            .collect()
    } else {
        Vec::new()
    };
    let a = &loaded.agreement;
    let channel = |c: &trappe_rules::agreement::Channel| text::channel(*c, lang).to_string();
    let steps: Vec<minijinja::Value> = a
        .steps
        .iter()
        .map(|r| minijinja::context! {
            label => if lang == Lang::Da { r.label_da.clone() } else { r.label_en.clone() },
            step => text::step_title(Some(a), r.staircase, &r.step, lang),
            period => format!("{} – {}", r.period.from, r.period.to.map(|d| d.to_string()).unwrap_or_default()),
            channels => r.channels.iter().map(channel).collect::<Vec<_>>().join(", "),
            shares => r.shares.iter().map(|(c, s)| format!("{}: {s}", channel(c))).collect::<Vec<_>>().join("; "),
            criteria => r.criteria_sets.iter().map(|k| trappe_formats::applicant_text::criteria_set(a.applicants.as_ref(), Some(k), lang)).collect::<Vec<_>>().join("; "),
            source => r.source.clone(),
            interpretation => r.interpretation.clone(),
        })
        .collect();
    let wheels: Vec<minijinja::Value> = a
        .wheels
        .iter()
        .map(|w| minijinja::context! {
            step => text::step_title(Some(a), w.staircase, &w.step, lang),
            period => format!("{} – {}", w.period.from, w.period.to.map(|d| d.to_string()).unwrap_or_default()),
            slots => w.slots.iter().map(|s| {
                let choice = |c: &trappe_rules::agreement::SlotChoice| match &c.criteria {
                    Some(k) => format!("{} ({})", channel(&c.channel), trappe_formats::applicant_text::criteria_set(a.applicants.as_ref(), Some(k), lang)),
                    None => channel(&c.channel),
                };
                let sep = if s.organisation_chooses { lang.pick(" eller ", " or ") } else { lang.pick(" / på skift / ", " / alternating / ") };
                s.alternate.iter().map(choice).collect::<Vec<_>>().join(sep)
            }).collect::<Vec<_>>(),
            shares => w.shares.iter().map(|s| {
                let what = match &s.criteria {
                    Some(k) => format!("{} ({})", channel(&s.channel), trappe_formats::applicant_text::criteria_set(a.applicants.as_ref(), Some(k), lang)),
                    None => channel(&s.channel),
                };
                match (s.range, s.rest) {
                    (Some((lo, hi)), _) => format!("{}–{} % ({}): {what}", text::pct(lo, lang), text::pct(hi, lang), lang.pick("fastsættes for hver afdeling", "decided per department")),
                    (None, true) => format!("{}: {what}", lang.pick("resten", "the rest")),
                    (None, false) => format!("{} %: {what}", text::pct(s.percent, lang)),
                }
            }).collect::<Vec<_>>(),
            pending => w.pending.as_ref().map(|p| format!("{} [{}]", p.value, p.source)),
            source => w.source.clone(),
            interpretation => w.interpretation.clone(),
        })
        .collect();
    let list = loaded.law.select(on);
    let thresholds: Vec<minijinja::Value> = match &list {
        Some(l) => trappe_rules::criteria::Criterion::ALL
            .iter()
            .map(|c| {
                let pick = |set: &trappe_rules::criteria::ThresholdSet| match c {
                    trappe_rules::criteria::Criterion::Unemployment => set.unemployment,
                    trappe_rules::criteria::Criterion::Convictions => set.convictions,
                    trappe_rules::criteria::Criterion::PrimaryEducation => set.primary_education,
                    trappe_rules::criteria::Criterion::Income => set.income,
                };
                let show = |t: trappe_rules::criteria::Threshold| {
                    format!("{} {}", t.comparison.symbol(), text::pct(t.value, lang))
                };
                minijinja::context! {
                    criterion => text::criterion(*c, lang),
                    forebyggelse => show(pick(&l.thresholds.forebyggelse)),
                    udsat => show(pick(&l.thresholds.udsat)),
                }
            })
            .collect(),
        None => Vec::new(),
    };
    render(
        &state,
        "agreement.html",
        lang,
        Some(&session),
        minijinja::context! {
            title => a.title.clone(),
            back => "/agreement",
            a => minijinja::context! {
                id => a.id.clone(), title => a.title.clone(), municipality => a.municipality.clone(),
                period => format!("{} – {}", a.period.from, a.period.to.map(|d| d.to_string()).unwrap_or_default()),
                source => a.source.clone(),
            },
            list => list.as_ref().map(|l| minijinja::context! { date => l.values_from_list.to_string(), source => l.thresholds.source.clone(), fallback => l.fallback }),
            thresholds => thresholds,
            steps => steps,
            wheels => wheels,
            interpretations => a.interpretations.iter().map(|i| minijinja::context! { key => i.key.clone(), text => i.text.clone(), source => i.source.clone() }).collect::<Vec<_>>(),
            choices => choices,
            on => on.to_string(),
        },
    )
    .into_response()
}

fn against_name(a: trappe_rules::reason::CheckedAgainst, lang: Lang) -> &'static str {
    use trappe_rules::reason::CheckedAgainst as A;
    match (a, lang) {
        (A::Udsat, Lang::Da) => "udsat",
        (A::Udsat, Lang::En) => "disadvantaged",
        (A::RiskZone, Lang::Da) => "risikozone",
        (A::RiskZone, Lang::En) => "risk zone",
        (A::Forebyggelse, Lang::Da) => "forebyggelse",
        (A::Forebyggelse, Lang::En) => "prevention",
    }
}

#[derive(Deserialize)]
pub struct Back {
    #[serde(default)]
    back: Option<String>,
}

/// A path on this site: "/" then anything but a second slash or a backslash, and no
/// control characters (browsers read "/\\host" and "/<tab>/host" as another site).
fn same_site_path(p: &str) -> bool {
    let mut chars = p.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/') | Some('\\'))
        && !p.chars().any(|c| c == '\\' || c.is_control())
}

/// Switches the language (a cookie) and returns to the page (same site only).
pub async fn set_lang(Path(lang): Path<String>, Query(b): Query<Back>) -> Response {
    let value = match lang.as_str() {
        "da" | "en" => lang,
        _ => return AppError::bad_request("language: da or en").into_response(),
    };
    let back = b
        .back
        .filter(|p| same_site_path(p))
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&back).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&format!(
        "lang={value}; Path=/; SameSite=Strict; Max-Age=31536000"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The static files, compiled in.
pub async fn static_file(Path(file): Path<String>) -> Response {
    let (body, kind): (&[u8], &str) = match file.as_str() {
        "app.css" => (
            include_bytes!("../static/app.css"),
            "text/css; charset=utf-8",
        ),
        "app.js" => (
            include_bytes!("../static/app.js"),
            "text/javascript; charset=utf-8",
        ),
        "chart.umd.min.js" => (
            include_bytes!("../static/chart.umd.min.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        AppError::not_found(format!("no route {}", uri.path())).into_response()
    } else {
        (StatusCode::NOT_FOUND, Html("<!doctype html><title>404</title><p>Siden findes ikke / page not found. <a href=\"/\">trappe</a></p>")).into_response()
    }
}

#[cfg(test)]
mod strings_tests {
    use std::collections::BTreeSet;

    use super::{STRINGS, TEMPLATES};

    #[test]
    fn every_key_a_template_names_is_here_once_in_both_languages() {
        let mut keys = BTreeSet::new();
        for (k, da, en) in STRINGS {
            assert!(keys.insert(*k), "{k} twice");
            assert!(
                !da.trim().is_empty() && !en.trim().is_empty(),
                "{k} is empty"
            );
        }
        let mut named = 0;
        for (name, text) in TEMPLATES {
            let bytes = text.as_bytes();
            for (i, _) in text.match_indices("t.") {
                if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
                    continue;
                }
                let key: String = text[i + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if key.is_empty() {
                    continue;
                }
                named += 1;
                assert!(
                    keys.contains(key.as_str()),
                    "{name} names t.{key}, which has no words"
                );
            }
        }
        assert!(
            named > 100,
            "the scan found only {named} keys in the templates"
        );
    }
}
