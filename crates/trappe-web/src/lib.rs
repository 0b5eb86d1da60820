//! The web application and the HTTP JSON API (`trappe serve`): [`router`] builds the
//! application over a store, [`serve`] runs it. No command-line parsing here — the
//! binary turns its arguments into a [`ServeConfig`] and calls [`serve`]; the use cases
//! (ranking, reports, the demo loader) are `trappe-app`'s, the same the command line
//! calls.
//!
//! Server-rendered pages (Danish by default, English switch) over the same store as the
//! command line, with local accounts (Argon2id), sessions in the database (the cookie
//! holds a random token, the database its SHA-256), CSRF tokens on every form, login
//! throttling and three roles: the municipality (everything), a housing organisation
//! (its own departments only) and the steering group (reading only).
//!
//! The store is synchronous: each request takes a connection from a small pool and
//! runs on tokio's blocking threads.

mod access;
mod api;
mod applicants;
mod auth;
mod colours;
mod decisions;
mod imports;
mod limits;
mod pages;
mod replacement;
mod reports;
mod strings;
mod vacancies;

pub use auth::{hash_password, role};

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use trappe_formats::text::Lang;
use trappe_store::{Location, Store, StoreError};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on (port 0 picks a free one).
    pub addr: SocketAddr,
    /// Load the Copenhagen example into an empty database and create the demo users,
    /// printed at start.
    pub demo: bool,
    /// Mark the session cookie Secure (when a TLS proxy serves the app).
    pub secure_cookies: bool,
    /// Counts of persons below this are shown as "< N" in pages and exports.
    pub suppress_below: u32,
    /// Reverse proxies in front of trappe: for requests from them, the client is the
    /// last address in `X-Forwarded-For` that is not a trusted proxy.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            demo: false,
            secure_cookies: false,
            suppress_below: 5,
            trusted_proxies: Vec::new(),
        }
    }
}

/// What the pages derive from placement runs, kept per run: a run never changes once
/// stored, and a new import makes a new run, so the runs' ids are the whole key (the
/// overview: every municipality's run in force; a classification: one municipality's).
#[derive(Default)]
pub(crate) struct RunCache {
    overview: Mutex<Option<(Vec<i64>, Arc<trappe_store::read::Overview>)>>,
    explained: Mutex<Option<(i64, Arc<trappe_store::import::Explained>)>>,
}

fn no_run(on: chrono::NaiveDate) -> AppError {
    AppError::not_found(format!(
        "no placement is in force on {on}: import a departments file dated on or before it"
    ))
}

impl RunCache {
    /// The overview in force on a date.
    pub fn overview(
        &self,
        store: &mut Store,
        on: chrono::NaiveDate,
    ) -> Result<Arc<trappe_store::read::Overview>, AppError> {
        let run = store.runs_in_force(on)?;
        if run.is_empty() {
            return Err(no_run(on));
        }
        if let Some((id, o)) = self.overview.lock().ok().and_then(|g| g.clone()) {
            if id == run {
                return Ok(o);
            }
        }
        let o = Arc::new(store.overview(on)?);
        if let Ok(mut g) = self.overview.lock() {
            *g = Some((run, o.clone()));
        }
        Ok(o)
    }

    /// A municipality's classification in force on a date, with every reason.
    pub fn explained(
        &self,
        store: &mut Store,
        municipality: &str,
        on: chrono::NaiveDate,
    ) -> Result<Arc<trappe_store::import::Explained>, AppError> {
        let run = store
            .run_in_force(municipality, on)?
            .ok_or_else(|| no_run(on))?;
        if let Some((id, e)) = self.explained.lock().ok().and_then(|g| g.clone()) {
            if id == run {
                return Ok(e);
            }
        }
        let e = Arc::new(store.explain_run(municipality, on)?);
        if let Ok(mut g) = self.explained.lock() {
            *g = Some((run, e.clone()));
        }
        Ok(e)
    }
}

/// Connections to the store, reused across requests: at most `POOL_SIZE` at once, so a
/// burst of requests waits for a connection instead of opening new ones (a new
/// PostgreSQL connection costs the server several milliseconds and loses the prepared
/// statements).
pub(crate) struct Pool {
    location: Location,
    idle: Mutex<Vec<Store>>,
    permits: tokio::sync::Semaphore,
}

const POOL_SIZE: usize = 8;

impl Pool {
    fn take(&self) -> Result<Store, StoreError> {
        if let Some(s) = self.idle.lock().ok().and_then(|mut v| v.pop()) {
            return Ok(s);
        }
        Store::open(&self.location)
    }

    fn give_back(&self, s: Store) {
        if let Ok(mut v) = self.idle.lock() {
            if v.len() < POOL_SIZE {
                v.push(s);
            }
        }
    }
}

pub(crate) struct AppState {
    pub pool: Pool,
    pub templates: minijinja::Environment<'static>,
    pub secure_cookies: bool,
    /// The small-number rule for counts of persons.
    pub small: trappe_formats::report::SmallNumbers,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`--trusted-proxy`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub uploads: imports::Uploads,
    pub runs: RunCache,
    /// One import check at a time (an uploaded departments, areas, pools or decisions
    /// file, or an applicants file): each may take seconds of CPU and memory.
    pub checks: Arc<tokio::sync::Semaphore>,
}

/// The permit to check an uploaded file, or a 503 when another check runs: the second
/// upload is answered at once instead of holding its body while it waits.
pub(crate) fn check_permit(
    state: &State,
    lang: Lang,
) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
    state.checks.clone().try_acquire_owned().map_err(|_| {
        AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            lang.pick("En anden fil bliver kontrolleret lige nu. Filen er ikke gemt: prøv igen om lidt.", "Another file is being checked right now. The file is not kept: try again in a moment."),
        )
    })
}

/// A 503 response with the time after which to try again.
pub(crate) fn busy(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

pub(crate) type State = Arc<AppState>;

/// An error with an HTTP status, a stable code and a message for the user.
#[derive(Debug)]
pub(crate) struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    pub fn forbidden() -> AppError {
        AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your role does not give access to this",
        )
    }

    /// A failure of the server's own (logged where it happens): 500, nothing more said.
    pub fn internal() -> AppError {
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not complete the request; it is logged",
        )
    }

    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound(m) => AppError::new(StatusCode::NOT_FOUND, "not_found", m),
            StoreError::Invalid(m) | StoreError::Conflict(m) => {
                AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m)
            }
            StoreError::Input(m) => AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                m.to_string(),
            ),
            other => {
                // The detail goes to the server's log (stderr), never to the page.
                eprintln!("trappe serve: {}", internal_detail(&other));
                AppError::internal()
            }
        }
    }
}

/// A use case's refusal as the user reads it: the store's as above; a wrong file or
/// field, or a request that does not fit the agreement, is 422; an agreement without
/// applicant criteria is 400.
pub(crate) fn app_error(e: trappe_app::Error) -> AppError {
    match e {
        trappe_app::Error::Store(e) => e.into(),
        trappe_app::Error::Input(m) => {
            AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", m)
        }
        trappe_app::Error::Refused(m) => {
            AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_for_applicants", m)
        }
        trappe_app::Error::NoCriteria(m) => AppError::bad_request(m),
    }
}

impl From<trappe_app::Error> for AppError {
    fn from(e: trappe_app::Error) -> AppError {
        app_error(e)
    }
}

/// An internal error with all it says: each cause, and for a PostgreSQL error its
/// SQLSTATE code, message, detail, hint and where.
fn internal_detail(e: &StoreError) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    if let StoreError::Postgres(pg) = e {
        if let Some(db) = pg.as_db_error() {
            out.push_str(&format!(
                " [code {}; message {:?}",
                db.code().code(),
                db.message()
            ));
            for (what, v) in [
                ("detail", db.detail()),
                ("hint", db.hint()),
                ("where", db.where_()),
                ("table", db.table()),
                ("column", db.column()),
            ] {
                if let Some(v) = v {
                    out.push_str(&format!("; {what} {v:?}"));
                }
            }
            out.push(']');
        }
    }
    out
}

/// Errors of the JSON API: `{"code": "...", "message": "..."}`.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "code": self.code, "message": self.message });
        (self.status, axum::Json(body)).into_response()
    }
}

/// Runs `f` with a store connection on a blocking thread.
pub(crate) async fn with_store<T, F>(state: &State, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store) -> Result<T, AppError> + Send + 'static,
{
    let _permit =
        state.pool.permits.acquire().await.map_err(|e| {
            AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        })?;
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let mut store = state.pool.take()?;
        let out = f(&mut store);
        state.pool.give_back(store);
        out
    })
    .await
    .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
}

/// The user's language: the `lang` cookie, Danish by default.
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    match auth::cookie(headers, "lang").as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Da,
    }
}

/// Every response behind sign-in is `Cache-Control: no-store`: applicant data, rankings,
/// exports and the pages of named departments are kept in no browser or proxy cache.
async fn no_store(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Security headers on every response.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

fn routes(state: State) -> Router {
    let protected = Router::new()
        .route("/", get(pages::overview))
        .route("/overview.csv", get(pages::overview_csv))
        .route("/overview.xlsx", get(pages::overview_xlsx))
        .route("/red-yellow", get(colours::page))
        .route("/replacement", get(replacement::page))
        .route("/replacement/approve", post(replacement::approve))
        .route("/replacement/criteria", post(replacement::decide_criteria))
        .route("/replacement/withdraw", post(replacement::withdraw))
        .route("/api/v1/replacement", get(replacement::api))
        .route("/red-yellow/download/{format}", get(colours::download_file))
        .route("/departments/{id}", get(pages::department))
        .route("/departments/{id}/decisions", post(decisions::record))
        .route("/agreement", get(pages::agreement))
        .route("/imports", get(imports::form).post(imports::upload))
        .route("/imports/confirm", post(imports::confirm))
        .route("/imports/withdraw", post(imports::withdraw))
        .route("/reports", get(reports::page))
        .route("/reports/download/{format}", get(reports::download))
        .route(
            "/vacancies",
            get(vacancies::page_list).post(vacancies::page_register),
        )
        .route("/vacancies/{id}", get(vacancies::page_show))
        .route("/vacancies/{id}/resolve", post(vacancies::page_resolve))
        .route("/vacancies/{id}/rank", post(applicants::rank_upload))
        .route("/vacancies/{id}/check", post(applicants::check_upload))
        .route("/rankings/{run}", get(applicants::show))
        .route("/api/v1/rankings/{run}", get(applicants::api_ranking))
        .route("/api/v1/reports", get(reports::api))
        .route(
            "/api/v1/vacancies",
            get(vacancies::api_list).post(vacancies::api_register),
        )
        .route("/api/v1/vacancies/{id}", get(vacancies::api_show))
        .route(
            "/api/v1/vacancies/{id}/resolve",
            post(vacancies::api_resolve),
        )
        .route("/logout", post(auth::logout))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/overview", get(api::overview))
        .route("/api/v1/departments/{id}", get(api::department))
        // Inside the session check: an anonymous body is never read.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::limit_body,
        ))
        .layer(axum::middleware::from_fn(no_store))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_session,
        ));
    let sign_in = Router::new()
        .route("/login", get(auth::login_page).post(auth::login))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::limit_body,
        ));
    Router::new()
        .merge(protected)
        .merge(sign_in)
        .route("/lang/{lang}", get(pages::set_lang))
        .route("/static/{file}", get(pages::static_file))
        .route("/api/openapi.json", get(api::openapi))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(pages::not_found)
        // Bodies are bounded per route by `limits::limit_body`, which reads them first.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

fn templates() -> Result<minijinja::Environment<'static>> {
    let mut env = minijinja::Environment::new();
    for (name, text) in pages::TEMPLATES {
        env.add_template(name, text)
            .with_context(|| format!("template {name}"))?;
    }
    Ok(env)
}

/// A demo user: (name, role, organisation, municipality, password).
type DemoUser = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

/// Demo users. Loopback demo only. `kommune` and `styregruppe` are Copenhagen's (every
/// municipality's on a database without Copenhagen); `org01` has departments in both
/// municipalities.
const DEMO_USERS: &[DemoUser] = &[
    ("kommune", "municipality", None, Some("101"), "demo-kommune"),
    ("org17", "organisation", Some("org-17"), None, "demo-org17"),
    (
        "styregruppe",
        "steering",
        None,
        Some("101"),
        "demo-styregruppe",
    ),
    ("aalborg", "municipality", None, Some("851"), "demo-aalborg"),
    (
        "styregruppe-aalborg",
        "steering",
        None,
        Some("851"),
        "demo-styregruppe-aalborg",
    ),
    ("org01", "organisation", Some("org-01"), None, "demo-org01"),
];

/// Loads the examples into an empty database and creates the demo users; returns those
/// created or present, each with the municipality it sees (a user whose organisation or
/// municipality the database lacks is left out; Copenhagen's users see every
/// municipality of a database without Copenhagen).
fn demo_setup(location: &Location) -> Result<Vec<(&'static DemoUser, Option<String>)>> {
    let mut store = Store::open(location).with_context(|| format!("cannot open {location}"))?;
    trappe_app::demo::load_if_empty(
        &mut store,
        &trappe_app::demo::example_dir(),
        chrono::Local::now().date_naive(),
    )?;
    let organisations: std::collections::HashSet<String> = store
        .owners()?
        .into_values()
        .map(|o| o.organisation)
        .collect();
    let municipalities = store.municipalities()?;
    let mut users = Vec::new();
    for user in DEMO_USERS {
        let (name, role, org, muni, password) = user;
        if let Some(o) = org.filter(|o| !organisations.contains(*o)) {
            eprintln!("trappe serve --demo: no demo user {name}: organisation {o} is not in this database");
            continue;
        }
        let held = |m: &str| municipalities.iter().any(|x| x == m);
        let muni = match muni {
            Some(m) if held(m) => Some(m.to_string()),
            Some("101") => None,
            Some(m) => {
                eprintln!("trappe serve --demo: no demo user {name}: municipality {m} is not in this database");
                continue;
            }
            None => None,
        };
        let existing = store.credentials(name)?;
        let muni = match existing {
            Some(c) => c.user.municipality,
            None => {
                let role = auth::role(role, *org)?;
                store.add_user(
                    name,
                    &auth::hash_password(password)?,
                    &role,
                    muni.as_deref(),
                    "demo",
                )?;
                muni
            }
        };
        users.push((user, muni));
    }
    Ok(users)
}

/// The whole application over the database at `location`: the pool (opened once here,
/// so a bad database fails now, and migrated), the templates, the routes. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` (the login throttle needs the
/// peer's address).
pub fn router(location: &Location, config: &ServeConfig) -> Result<Router> {
    let first =
        Store::open(location).with_context(|| format!("cannot open the database ({location})"))?;
    let state = Arc::new(AppState {
        pool: Pool {
            location: location.clone(),
            idle: Mutex::new(vec![first]),
            permits: tokio::sync::Semaphore::new(POOL_SIZE),
        },
        templates: templates()?,
        secure_cookies: config.secure_cookies,
        small: trappe_formats::report::SmallNumbers {
            below: config.suppress_below,
        },
        trusted_proxies: config.trusted_proxies.clone(),
        uploads: imports::Uploads::default(),
        runs: RunCache::default(),
        checks: Arc::new(tokio::sync::Semaphore::new(1)),
    });
    Ok(routes(state))
}

/// Runs the server on `location` until Ctrl-C. With `demo`, the example is loaded
/// first (when the database is empty) and the demo users are created.
pub fn serve(location: &Location, args: ServeConfig) -> Result<()> {
    let location = location.clone();
    let users = if args.demo {
        demo_setup(&location)?
    } else {
        Vec::new()
    };
    let app = router(&location, &args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr()?;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "trappe: http://{addr}/ ({location})");
        for ((name, role, _, _, password), muni) in users {
            let sees = match &muni {
                Some(m) => format!(", municipality {m}"),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "  demo user {name} ({role}{sees}), password {password}"
            );
        }
        let _ = out.flush();
        drop(out);
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")
    })
}
