//! Signing in and out, sessions, CSRF and login throttling.

use std::net::{IpAddr, SocketAddr};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{ConnectInfo, Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, Utc};
use rand::RngCore;
use serde::Deserialize;
use trappe_store::users::{Role, Session};

use super::{lang_of, pages, with_store, AppError, State};

/// How long a session lasts without signing in again.
const SESSION_HOURS: i64 = 10;
/// Failed sign-ins within the window that lock a user name at one client address, and
/// that lock a client address for every name (guessing).
const MAX_FAILURES_PER_USER: i64 = 5;
const MAX_FAILURES_PER_CLIENT: i64 = 20;
const FAILURE_WINDOW_MINUTES: i64 = 15;
const SESSION_COOKIE: &str = "trappe_session";
const LOGIN_CSRF_COOKIE: &str = "trappe_login";

/// Hashes a password with Argon2id (the crate's default) and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    if password.chars().count() < 10 {
        anyhow::bail!("a password needs at least 10 characters");
    }
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?
        .to_string())
}

/// A hash to verify against when the user name is unknown, so an unknown name takes as
/// long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-password-of-anyone").unwrap_or_default())
}

fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn role(role: &str, organisation: Option<&str>) -> anyhow::Result<Role> {
    match (role, organisation) {
        ("municipality", None) => Ok(Role::Municipality),
        ("steering", None) => Ok(Role::Steering),
        ("organisation", Some(o)) => Ok(Role::Organisation {
            organisation_id: o.to_string(),
        }),
        ("organisation", None) => anyhow::bail!("an organisation user needs --organisation"),
        (_, Some(_)) => anyhow::bail!("--organisation goes only with --role organisation"),
        (r, None) => anyhow::bail!("unknown role {r:?}: municipality, organisation or steering"),
    }
}

pub fn token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Compares two tokens in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Requires a live session: pages redirect to the sign-in page, the API answers 401.
pub async fn require_session(
    AxState(state): AxState<State>,
    mut req: Request,
    next: Next,
) -> Response {
    let token = cookie(req.headers(), SESSION_COOKIE);
    let session = match token {
        Some(t) => with_store(&state, move |s| Ok(s.session(&t)?))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    match session {
        Some(s) => {
            req.extensions_mut().insert(s);
            next.run(req).await
        }
        None if req.uri().path().starts_with("/api/") => AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first (POST /login sets the session cookie)",
        )
        .into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

/// Checks a form's CSRF token against the session's.
pub fn check_csrf(session: &Session, given: &str) -> Result<(), AppError> {
    if same(&session.csrf, given) {
        Ok(())
    } else {
        Err(AppError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "the form is out of date (its security token does not match your session): reload the page and try again",
        ))
    }
}

pub async fn login_page(AxState(state): AxState<State>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let csrf = token();
    let page = pages::render(
        &state,
        "login.html",
        lang,
        None,
        minijinja::context! { csrf => csrf.clone(), error => "" },
    );
    let mut res = page.into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.secure_cookies),
    );
    res
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
}

/// The client a sign-in attempt is counted against: the connection's peer or, behind a
/// trusted reverse proxy, the last address in `X-Forwarded-For` that is not one of the
/// proxies (the ones before it are the client's own word). An IPv6 client is its /64
/// network: one end user usually holds a whole /64, so single addresses would give a
/// guesser endless fresh ones.
pub(crate) fn client_key(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> String {
    let mut client = peer;
    if trusted.contains(&peer) {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        if let Some(a) = forwarded.iter().rev().find(|a| !trusted.contains(a)) {
            client = *a;
        }
    }
    match client {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

pub async fn login(
    AxState(state): AxState<State>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let lang = lang_of(&headers);
    let again = |status: StatusCode, message: &str| {
        let csrf = token();
        let mut res = pages::with_status(
            status,
            pages::render(
                &state,
                "login.html",
                lang,
                None,
                minijinja::context! { csrf => csrf.clone(), error => message },
            ),
        );
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.secure_cookies),
        );
        res
    };
    let da = lang == trappe_formats::text::Lang::Da;
    let Ok(Form(form)) = form else {
        return again(
            StatusCode::BAD_REQUEST,
            if da {
                "Udfyld brugernavn og adgangskode."
            } else {
                "Fill in user name and password."
            },
        );
    };
    // Login CSRF: the form's token must match the cookie set with the form.
    if !cookie(&headers, LOGIN_CSRF_COOKIE).is_some_and(|c| same(&c, &form.csrf)) {
        return again(
            StatusCode::FORBIDDEN,
            if da {
                "Siden var forældet. Prøv igen."
            } else {
                "The page was out of date. Try again."
            },
        );
    }
    let client = client_key(client.ip(), &headers, &state.trusted_proxies);
    let username = form.username.trim().to_string();
    let secure = state.secure_cookies;
    let result = with_store(&state, move |s| {
        // The attempt counts as a failure before the password is verified (and is
        // forgotten on success), so parallel attempts cannot all pass the check. A
        // lock-out is per user name and client address: wrong passwords from one
        // address do not keep the user out at another. An attempt refused because of a
        // lock-out is not counted, so a lock-out ends a window after its last counted
        // failure however often someone keeps trying.
        let attempt = s.record_login_failure(&username, &client)?;
        let since = Utc::now() - Duration::minutes(FAILURE_WINDOW_MINUTES);
        let (by_user, by_client) = s.login_failures(&username, &client, since)?;
        if by_user > MAX_FAILURES_PER_USER || by_client > MAX_FAILURES_PER_CLIENT {
            s.forget_login_failure(attempt)?;
            return Ok(Err(StatusCode::TOO_MANY_REQUESTS));
        }
        let found = s.credentials(&username)?;
        // Verify against a fixed hash when the user is unknown, so timing tells nothing.
        let ok = match &found {
            Some(c) => verify(&form.password, &c.password_hash) && !c.disabled,
            None => {
                let _ = verify(&form.password, dummy_hash());
                false
            }
        };
        match (ok, found) {
            (true, Some(c)) => {
                s.clear_login_failures(&username, &client)?;
                let t = token();
                let csrf = token();
                s.create_session(&c.user, &t, &csrf, Duration::hours(SESSION_HOURS))?;
                Ok(Ok(t))
            }
            _ => Ok(Err(StatusCode::UNAUTHORIZED)),
        }
    })
    .await;
    match result {
        Ok(Ok(t)) => {
            let mut res = Redirect::to("/").into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &t, SESSION_HOURS * 3600, secure),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure),
            );
            res
        }
        Ok(Err(StatusCode::TOO_MANY_REQUESTS)) => again(
            StatusCode::TOO_MANY_REQUESTS,
            if da {
                "For mange forkerte forsøg. Vent et kvarter, og prøv igen."
            } else {
                "Too many failed attempts. Wait a quarter of an hour and try again."
            },
        ),
        Ok(Err(_)) => again(
            StatusCode::UNAUTHORIZED,
            if da {
                "Forkert brugernavn eller adgangskode."
            } else {
                "Wrong user name or password."
            },
        ),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    axum::Extension(session): axum::Extension<Session>,
    form: Result<Form<CsrfForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    let Ok(Form(form)) = form else {
        return Err(AppError::bad_request("the form lacks its security token"));
    };
    check_csrf(&session, &form.csrf)?;
    if let Some(t) = cookie(&headers, SESSION_COOKIE) {
        let who = session.user.username.clone();
        with_store(&state, move |s| Ok(s.end_session(&t, &who)?)).await?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies),
    );
    Ok(res)
}

#[cfg(test)]
mod client_tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    // Who a sign-in attempt is counted against (issue 13, item 8, behind a proxy).
    #[rstest::rstest]
    #[case::direct("203.0.113.7", &[], &[], "203.0.113.7")]
    #[case::untrusted_peer_forwarding("203.0.113.7", &["198.51.100.1"], &[], "203.0.113.7")]
    #[case::behind_the_proxy("10.0.0.2", &["198.51.100.1"], &["10.0.0.2"], "198.51.100.1")]
    #[case::spoofed_first_entry("10.0.0.2", &["1.2.3.4, 198.51.100.1"], &["10.0.0.2"], "198.51.100.1")]
    #[case::two_proxies("10.0.0.2", &["198.51.100.1, 10.0.0.3"], &["10.0.0.2", "10.0.0.3"], "198.51.100.1")]
    #[case::proxy_without_header("10.0.0.2", &[], &["10.0.0.2"], "10.0.0.2")]
    #[case::ipv6_is_its_64("2001:db8:1:2:aaaa::1", &[], &[], "2001:db8:1:2::/64")]
    #[case::ipv6_same_64("2001:db8:1:2:bbbb::9", &[], &[], "2001:db8:1:2::/64")]
    #[case::mapped_ipv4("::ffff:203.0.113.7", &[], &[], "203.0.113.7")]
    fn the_client_of_an_attempt(
        #[case] peer: &str,
        #[case] xff: &[&str],
        #[case] trusted: &[&str],
        #[case] expected: &str,
    ) {
        let trusted: Vec<IpAddr> = trusted.iter().map(|t| t.parse().unwrap()).collect();
        assert_eq!(
            client_key(peer.parse().unwrap(), &headers(xff), &trusted),
            expected
        );
    }
}
