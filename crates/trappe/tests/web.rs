//! The web application over real HTTP: a `trappe serve --demo` child process on a free
//! loopback port and a temporary SQLite file, driven with reqwest. Roles, sessions,
//! CSRF, throttling, bad input and the API's error shape.

mod common;

use common::Server;
use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use serde_json::Value;

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client (cookies kept, redirects not followed).
    fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap()
    }

    /// A browser-like client connecting from another loopback address (127.0.0.N), to
    /// be a different client to the server.
    fn client_from(&self, last: u8) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .local_address(std::net::IpAddr::from([127, 0, 0, last]))
            .build()
            .unwrap()
    }

    fn login_csrf(&self, c: &Client) -> String {
        let page = c.get(self.url("/login")).send().unwrap().text().unwrap();
        let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
        page[at..at + 64].to_string()
    }

    fn try_login(&self, c: &Client, user: &str, password: &str) -> Response {
        let csrf = self.login_csrf(c);
        c.post(self.url("/login"))
            .form(&[("username", user), ("password", password), ("csrf", &csrf)])
            .send()
            .unwrap()
    }

    /// A signed-in client for a demo user.
    fn signed_in(&self, user: &str) -> Client {
        let c = self.client();
        let password = format!("demo-{user}");
        let res = self.try_login(&c, user, &password);
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in of {user}");
        c
    }

    fn json(&self, c: &Client, path: &str) -> (StatusCode, Value) {
        let res = c.get(self.url(path)).send().unwrap();
        let status = res.status();
        (status, res.json().unwrap_or(Value::Null))
    }
}

const ON: &str = "on=2024-03-01";

/// Every page and API route behind sign-in, with a sample path.
const PROTECTED: &[&str] = &[
    "/?on=2024-03-01",
    "/overview.csv?on=2024-03-01",
    "/overview.xlsx?on=2024-03-01",
    "/red-yellow?on=2024-03-01",
    "/red-yellow/download/csv?on=2024-03-01",
    "/departments/101-0001?on=2024-03-01",
    "/api/v1/me",
    "/api/v1/overview?on=2024-03-01",
    "/api/v1/departments/101-0001?on=2024-03-01",
    "/agreement?on=2024-03-01",
    "/vacancies",
    "/vacancies/1",
    "/api/v1/vacancies",
    "/api/v1/vacancies/1",
    "/imports",
    "/reports",
    "/reports/download/csv",
    "/rankings/1",
    "/api/v1/reports",
    "/api/v1/rankings/1",
    "/replacement?on=2024-03-01",
    "/api/v1/replacement?on=2024-03-01",
];

/// The routes that change something (POST), behind sign-in and a CSRF token.
const CHANGING: &[&str] = &[
    "/vacancies",
    "/vacancies/1/resolve",
    "/api/v1/vacancies",
    "/api/v1/vacancies/1/resolve",
    "/imports",
    "/imports/confirm",
    "/imports/withdraw",
    "/vacancies/1/rank",
    "/vacancies/1/check",
    "/departments/101-0001/decisions",
    "/replacement/approve",
    "/replacement/criteria",
    "/replacement/withdraw",
];

#[test]
fn anonymous_requests_reach_only_the_sign_in_page_and_static_files() {
    let s = Server::start();
    let c = s.client();
    for path in PROTECTED {
        let res = c.get(s.url(path)).send().unwrap();
        if path.starts_with("/api/") {
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
            let v: Value = res.json().unwrap();
            assert_eq!(v["code"], "unauthenticated", "{path}");
            assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
        } else {
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(res.headers()["location"], "/login", "{path}");
        }
    }
    let res = c
        .post(s.url("/logout"))
        .form(&[("csrf", "x")])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    for path in CHANGING {
        let res = c.post(s.url(path)).form(&[("csrf", "x")]).send().unwrap();
        let expected = if path.starts_with("/api/") {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::SEE_OTHER
        };
        assert_eq!(res.status(), expected, "POST {path}");
    }
    for open in [
        "/login",
        "/static/app.css",
        "/static/chart.umd.min.js",
        "/api/openapi.json",
        "/healthz",
    ] {
        assert_eq!(
            c.get(s.url(open)).send().unwrap().status(),
            StatusCode::OK,
            "{open}"
        );
    }
}

#[test]
fn an_organisation_user_sees_and_reaches_only_its_own_departments() {
    let s = Server::start();
    let org = s.signed_in("org17");
    let (status, me) = s.json(&org, "/api/v1/me");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            me["user"]["role"].as_str(),
            me["user"]["organisation_id"].as_str()
        ),
        (Some("organisation"), Some("org-17"))
    );
    let (_, v) = s.json(&org, &format!("/api/v1/overview?{ON}"));
    let deps = v["departments"].as_array().unwrap();
    assert!(!deps.is_empty());
    assert!(deps.iter().all(|d| d["organisation"] == "org-17"), "{v}");
    // Asking for another organisation by filter gives nothing, not its departments.
    let (_, v) = s.json(&org, &format!("/api/v1/overview?{ON}&org=org-03"));
    assert!(v["departments"].as_array().unwrap().is_empty());
    // The municipality sees every department; pick one of another organisation.
    let kommune = s.signed_in("kommune");
    let (_, all) = s.json(&kommune, &format!("/api/v1/overview?{ON}"));
    let all = all["departments"].as_array().unwrap();
    assert_eq!(all.len(), 405);
    let foreign = all.iter().find(|d| d["organisation"] != "org-17").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let own = deps[0]["id"].as_str().unwrap().to_string();
    // Every route that names a department refuses a foreign one.
    let (status, v) = s.json(&org, &format!("/api/v1/departments/{foreign}?{ON}"));
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(v["code"], "forbidden");
    let res = org
        .get(s.url(&format!("/departments/{foreign}?{ON}")))
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(!res
        .text()
        .unwrap()
        .contains(&format!("{foreign} Syntetisk")));
    let (status, v) = s.json(&org, &format!("/api/v1/departments/{own}?{ON}"));
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["organisation"], "org-17");
    // Pages and exports hold only its own departments.
    let page = org
        .get(s.url(&format!("/?{ON}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&own) && !page.contains(&format!(">{foreign}<")));
    let csv = org
        .get(s.url(&format!("/overview.csv?{ON}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let lines: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(lines.len(), deps.len());
    assert!(lines.iter().all(|l| l.contains("org-17")), "{csv}");
    let xlsx = org
        .get(s.url(&format!("/overview.xlsx?{ON}")))
        .send()
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(
        xlsx.bytes().unwrap().starts_with(b"PK"),
        "an XLSX file is a zip"
    );
}

#[test]
fn the_overview_filters_sorts_and_counts_per_step() {
    let s = Server::start();
    let c = s.signed_in("styregruppe");
    let (_, v) = s.json(&c, &format!("/api/v1/overview?{ON}&step=department:4"));
    let deps = v["departments"].as_array().unwrap();
    assert_eq!(
        deps.len(),
        16,
        "the example's 16 departments on dept step 4"
    );
    assert!(deps
        .iter()
        .all(|d| d["staircase"] == "department" && d["step"] == "4"));
    let (_, v) = s.json(&c, &format!("/api/v1/overview?{ON}&q=0403"));
    assert_eq!(v["departments"].as_array().unwrap().len(), 1);
    let (_, v) = s.json(
        &c,
        &format!("/api/v1/overview?{ON}&sort=family_homes&dir=desc"),
    );
    let homes: Vec<u64> = v["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["family_homes"].as_u64().unwrap())
        .collect();
    assert!(homes.windows(2).all(|w| w[0] >= w[1]), "sorted descending");
    let page = c
        .get(s.url(&format!("/?{ON}&step=department:4")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("Afdelingstrappen trin 4"),
        "Danish by default"
    );
    assert!(page.contains(">16<"), "16 departments counted on the step");
    assert!(
        page.contains("3.324"),
        "family homes with a Danish thousands separator"
    );
    // An area-staircase department: its area against the risk zone, in points and persons.
    let page = c
        .get(s.url(&format!("/departments/101-0365?{ON}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("Personer til grænsen for udsatte"), "{page}");
    assert!(page.contains("ledighed (boligområde A01)"), "{page}");
    assert!(
        page.contains("id=\"receipt\"") && page.contains("copenhagen-2024"),
        "the receipt"
    );
    assert!(
        page.contains("id=\"parameters\""),
        "every parameter with its source"
    );
}

#[test]
fn sign_in_is_throttled_and_needs_its_form_token_and_sign_out_ends_the_session() {
    let s = Server::start();
    let c = s.client();
    let res = s.try_login(&c, "kommune", "wrong-password");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res
        .text()
        .unwrap()
        .contains("Forkert brugernavn eller adgangskode"));
    // A sign-in without the form's token is refused even with the right password.
    let res = c
        .post(s.url("/login"))
        .form(&[
            ("username", "kommune"),
            ("password", "demo-kommune"),
            ("csrf", "0"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    for _ in 0..4 {
        s.try_login(&c, "kommune", "wrong-password");
    }
    // Five failures lock the name for a while, even for the right password.
    let res = s.try_login(&c, "kommune", "demo-kommune");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another user signs in; the session cookie is HttpOnly and SameSite=Strict.
    let c = s.client();
    let res = s.try_login(&c, "styregruppe", "demo-styregruppe");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("trappe_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(s.json(&c, "/api/v1/me").0, StatusCode::OK);
    // Sign-out needs the session's form token.
    let res = c
        .post(s.url("/logout"))
        .form(&[("csrf", "forged")])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        s.json(&c, "/api/v1/me").0,
        StatusCode::OK,
        "still signed in"
    );
    let page = c
        .get(s.url(&format!("/?{ON}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = page[at..at + 64].to_string();
    let res = c
        .post(s.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(s.json(&c, "/api/v1/me").0, StatusCode::UNAUTHORIZED);
}

#[test]
fn wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere() {
    let s = Server::start();
    // Someone at 127.0.0.2 keeps trying kommune's password: five failures lock kommune
    // there, and every later attempt there is refused, the right password too.
    let attacker = s.client_from(2);
    for i in 0..5 {
        let res = s.try_login(&attacker, "kommune", "wrong-password");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    for i in 0..12 {
        let res = s.try_login(&attacker, "kommune", "wrong-password");
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "attempt {i}");
    }
    let res = s.try_login(&attacker, "kommune", "demo-kommune");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().unwrap().contains("For mange forkerte forsøg"));
    // The municipality at its own address signs in with the right password.
    let own = s.client_from(3);
    let res = s.try_login(&own, "kommune", "demo-kommune");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "kommune at another address"
    );
    assert_eq!(s.json(&own, "/api/v1/me").0, StatusCode::OK);

    // Attempts refused during a lock-out are not counted: at 127.0.0.4, 5 failures and
    // 15 refused attempts for kommune leave the address's count at 5, far below the 20
    // that lock an address, so another user signs in from it.
    let shared = s.client_from(4);
    for _ in 0..5 {
        s.try_login(&shared, "kommune", "wrong-password");
    }
    for _ in 0..15 {
        let res = s.try_login(&shared, "kommune", "wrong-password");
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let res = s.try_login(&shared, "org17", "demo-org17");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "attempts while locked counted"
    );

    // Guessing across names is still limited per address: 20 failures from 127.0.0.5
    // lock the address for every name.
    let guesser = s.client_from(5);
    for i in 0..20 {
        let res = s.try_login(&guesser, &format!("user{i}"), "wrong-password");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "guess {i}");
    }
    let res = s.try_login(&guesser, "styregruppe", "demo-styregruppe");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = s.try_login(&s.client_from(6), "styregruppe", "demo-styregruppe");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[test]
fn bad_input_is_a_4xx_with_a_clear_message() {
    let s = Server::start();
    let c = s.signed_in("kommune");
    for (path, status, code) in [
        (
            "/api/v1/overview?on=24-03-2024",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/departments/101-0001?on=never",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/departments/999-9999?on=2024-03-01",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "/api/v1/overview?on=1999-01-01",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        ("/api/v1/nothing", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let (got, v) = s.json(&c, path);
        assert_eq!(got, status, "{path}: {v}");
        assert_eq!(v["code"], code, "{path}");
        assert!(
            v["message"].as_str().is_some_and(|m| m.len() > 10),
            "{path}: {v}"
        );
    }
    let res = c.get(s.url("/?on=not-a-date")).send().unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().unwrap().contains("role=\"alert\""));
    let res = c.get(s.url("/lang/fr")).send().unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn the_english_switch_and_the_department_page() {
    let s = Server::start();
    let c = s.signed_in("kommune");
    let res = c
        .get(s.url("/lang/en?back=/departments/101-0001%3Fon%3D2024-03-01"))
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/departments/101-0001?on=2024-03-01"
    );
    // Addresses off the site are not followed back (browsers read "/\\host" and
    // "/<tab>/host" as another site).
    for evil in ["/%5Cevil.example", "/%09/evil.example", "/%0A"] {
        let res = c
            .get(s.url(&format!("/lang/en?back={evil}")))
            .send()
            .unwrap();
        assert_eq!(res.headers()["location"], "/", "{evil}");
    }
    // An address off the site is not followed back.
    let res = c
        .get(s.url("/lang/en?back=//evil.example/"))
        .send()
        .unwrap();
    assert_eq!(res.headers()["location"], "/");
    let page = c
        .get(s.url(&format!("/departments/101-0001?{ON}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("Department staircase step 4"), "{page}");
    assert!(page.contains("Key figures against the thresholds"));
    assert!(page.contains("id=\"reasons\""));
    let (status, v) = s.json(&c, &format!("/api/v1/departments/101-0001?{ON}"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (v["staircase"].as_str(), v["step"].as_str()),
        (Some("department"), Some("4"))
    );
    assert!(!v["reasons"].as_array().unwrap().is_empty());
    assert!(v["reason_text"][0].as_str().is_some());
}

#[test]
fn the_openapi_document_describes_every_api_route() {
    let s = Server::start();
    let (status, doc) = s.json(&s.client(), "/api/openapi.json");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.1.0");
    for path in PROTECTED
        .iter()
        .chain(CHANGING)
        .filter(|p| p.starts_with("/api/"))
    {
        let route = path
            .split('?')
            .next()
            .unwrap()
            .replace("101-0001", "{id}")
            .replace("/1", "/{id}");
        assert!(doc["paths"][&route].is_object(), "{route} is described");
    }
    assert!(doc["components"]["schemas"]["Error"].is_object());
}

/// The session's CSRF token, as `/api/v1/me` gives it to API clients.
fn csrf(s: &Server, c: &Client) -> String {
    s.json(c, "/api/v1/me").1["csrf"]
        .as_str()
        .unwrap()
        .to_string()
}

fn post_json(s: &Server, c: &Client, path: &str, token: Option<&str>, body: Value) -> Response {
    let mut req = c.post(s.url(path)).json(&body);
    if let Some(t) = token {
        req = req.header("X-CSRF-Token", t);
    }
    req.send().unwrap()
}

#[test]
fn vacancies_are_registered_and_resolved_by_their_own_organisation_only() {
    let s = Server::start();
    let org = s.signed_in("org17");
    let token = csrf(&s, &org);
    let t = Some(token.as_str());
    // The API registers with the session's CSRF token in a header; the wheel decides.
    let res = post_json(
        &s,
        &org,
        "/api/v1/vacancies",
        t,
        serde_json::json!({"department": "101-0001", "home": "0001", "vacated": "2024-06-03", "received": "2024-05-02"}),
    );
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().unwrap();
    assert_eq!(v["vacancy"], 1);
    assert_eq!(
        v["registration"]["assignment"]["channel"], "flexible",
        "dept step 4, slot 1: flexible A"
    );
    // Without the token, or with a bad body, nothing is written.
    let res = post_json(
        &s,
        &org,
        "/api/v1/vacancies",
        None,
        serde_json::json!({"department": "101-0001", "home": "0002", "vacated": "2024-06-03"}),
    );
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    for (body, status) in [
        (
            serde_json::json!({"department": "101-0001", "home": "0002", "vacated": "3 June"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            serde_json::json!({"department": "101-0001"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            serde_json::json!({"department": "101-0001", "home": "9999", "vacated": "2024-06-03"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let res = post_json(&s, &org, "/api/v1/vacancies", t, body.clone());
        assert_eq!(res.status(), status, "{body}");
        let e: Value = res.json().unwrap();
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
    }
    let (_, list) = s.json(&org, "/api/v1/vacancies");
    assert_eq!(
        list["vacancies"].as_array().unwrap().len(),
        1,
        "nothing half-written"
    );

    // A department of another organisation is refused on every route.
    let kommune = s.signed_in("kommune");
    let (_, all) = s.json(&kommune, &format!("/api/v1/overview?{ON}"));
    let foreign = all["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["organisation"] != "org-17")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = serde_json::json!({"department": foreign, "home": "0001", "vacated": "2024-06-03"});
    let res = post_json(&s, &org, "/api/v1/vacancies", t, body.clone());
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let kt = csrf(&s, &kommune);
    let res = post_json(&s, &kommune, "/api/v1/vacancies", Some(&kt), body);
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "the municipality registers anywhere"
    );
    let foreign_vacancy = res.json::<Value>().unwrap()["vacancy"].as_i64().unwrap();
    assert_eq!(
        s.json(&org, &format!("/api/v1/vacancies/{foreign_vacancy}"))
            .0,
        StatusCode::FORBIDDEN
    );
    let page = org
        .get(s.url(&format!("/vacancies/{foreign_vacancy}")))
        .send()
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let let_body = serde_json::json!({"outcome": "let", "on": "2024-07-01", "channel": "flexible"});
    let res = post_json(
        &s,
        &org,
        &format!("/api/v1/vacancies/{foreign_vacancy}/resolve"),
        t,
        let_body.clone(),
    );
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, list) = s.json(&org, "/api/v1/vacancies");
    assert!(list["vacancies"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["department_id"] == "101-0001"));

    // Returning or allocating a home is the municipality's to record, not the organisation's.
    for outcome in ["returned", "allocated", "not_used"] {
        let body =
            serde_json::json!({"outcome": outcome, "on": "2024-06-10", "move_in": "2024-07-01"});
        let res = post_json(&s, &org, "/api/v1/vacancies/1/resolve", t, body);
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{outcome}");
    }
    // The steering group reads but does not change.
    let steering = s.signed_in("styregruppe");
    let st = csrf(&s, &steering);
    assert_eq!(s.json(&steering, "/api/v1/vacancies/1").0, StatusCode::OK);
    let res = post_json(
        &s,
        &steering,
        "/api/v1/vacancies/1/resolve",
        Some(&st),
        let_body,
    );
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.json::<Value>().unwrap()["code"], "read_only");

    // The department page shows where the wheel stands and what comes next.
    let page = org
        .get(s.url(&format!("/departments/101-0001?{ON}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("Seneste plads 1/9"), "{page}");
    assert!(
        page.contains("næste plads 2: <strong>fleksibel udlejning"),
        "dept step 4 slot 2: flexible A"
    );
    // A flexible home let from the waiting list needs the "nobody met the criteria" flag.
    let wl = serde_json::json!({"outcome": "let", "on": "2024-07-01", "channel": "waiting_list"});
    let res = post_json(&s, &org, "/api/v1/vacancies/1/resolve", t, wl);
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .unwrap()
        .contains("no applicant met the criteria"));
    // The organisation resolves through the page's form: let through flexible letting.
    let page = org
        .get(s.url("/vacancies/1"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("plads 1 i runde 1"),
        "the wheel's reason is shown"
    );
    let res = org
        .post(s.url("/vacancies/1/resolve"))
        .form(&[
            ("csrf", token.as_str()),
            ("outcome", "let"),
            ("on", "2024-07-01"),
            ("channel", "flexible"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, v) = s.json(&org, "/api/v1/vacancies/1");
    assert_eq!(v["resolved"], true);
    assert_eq!(
        v["outcomes"][0]["actor"], "org17",
        "the change is the user's"
    );
    // A page form with a bad date is a 400 page, nothing written.
    let res = org
        .post(s.url("/vacancies"))
        .form(&[
            ("csrf", token.as_str()),
            ("department", "101-0001"),
            ("home", "0002"),
            ("vacated", "juni"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().unwrap().contains("is not a date"));
    let (_, list) = s.json(&org, "/api/v1/vacancies");
    assert_eq!(list["vacancies"].as_array().unwrap().len(), 1);
}

#[test]
fn the_agreement_page_cites_its_sources() {
    let s = Server::start();
    let c = s.signed_in("styregruppe");
    let page = c
        .get(s.url(&format!("/agreement?{ON}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("id=\"steps\"") && page.contains("id=\"interpretations\""));
    assert!(page.contains("CPH B4 III"), "wheels cite their source");
    assert!(page.contains("Udlejningshjul"));
}

fn upload(
    s: &Server,
    c: &Client,
    csrf: &str,
    kind: &str,
    date: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Response {
    let form = reqwest::blocking::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("kind", kind.to_string())
        .text("date", date.to_string())
        .part(
            "file",
            reqwest::blocking::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    c.post(s.url("/imports")).multipart(form).send().unwrap()
}

fn example(rel: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(rel),
    )
    .unwrap()
}

#[test]
fn an_import_shows_every_bad_cell_before_storing_and_the_moves_after() {
    let s = Server::start();
    let c = s.signed_in("kommune");
    let token = csrf(&s, &c);
    let held = |c: &Client| {
        c.get(s.url("/imports"))
            .send()
            .unwrap()
            .text()
            .unwrap()
            .matches("<td data-kind=\"areas\">")
            .count()
    };
    assert_eq!(held(&c), 1, "the demo's list");
    // The overview of December, before the new list: A14's department on area step 2
    // (this also fills the server's cache of the run in force).
    let step_of_0403 = |c: &Client| {
        let (_, v) = s.json(c, "/api/v1/overview?on=2024-12-02&q=0403");
        let d = &v["departments"][0];
        format!(
            "{}:{}",
            d["staircase"].as_str().unwrap(),
            d["step"].as_str().unwrap()
        )
    };
    assert_eq!(step_of_0403(&c), "area:2");
    // A list with a bad cell: refused with line, column, value and what was expected.
    let areas = example("copenhagen/areas.csv");
    let mut lines: Vec<String> = areas.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    cells[2] = "13x0".into(); // residents
    lines[3] = cells.join(",");
    let bad = lines.join("\n");
    let res = upload(
        &s,
        &c,
        &token,
        "areas",
        "2024-12-01",
        "list-2024.csv",
        bad.into_bytes(),
    );
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().unwrap();
    assert!(page.contains("id=\"import-errors\""), "{page}");
    assert!(page.contains("Intet er gemt"));
    assert!(
        page.contains("<td class=\"num\">4</td>"),
        "the line number: {page}"
    );
    assert_eq!(held(&c), 1, "nothing stored");
    // A good list: checked, then imported on confirmation, with the moves it caused.
    let next = areas.replace(",omdannelse,", ",none,");
    let res = upload(
        &s,
        &c,
        &token,
        "areas",
        "2024-12-01",
        "list-2024.csv",
        next.into_bytes(),
    );
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().unwrap();
    assert!(page.contains("id=\"import-checked\""), "{page}");
    assert_eq!(held(&c), 1, "not before the confirmation");
    let at = page.find("name=\"key\" value=\"").unwrap() + 18;
    let key = page[at..at + 64].to_string();
    let res = c
        .post(s.url("/imports/confirm"))
        .form(&[("csrf", token.as_str()), ("key", key.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().unwrap();
    assert!(page.contains("id=\"import-done\""), "{page}");
    assert_ne!(
        step_of_0403(&c),
        "area:2",
        "the new list's run is what the pages show"
    );
    assert!(
        page.contains("101-0403"),
        "A14's department moved off area step 2: {page}"
    );
    assert_eq!(held(&c), 2);
    // The same confirmation twice does nothing more.
    let res = c
        .post(s.url("/imports/confirm"))
        .form(&[("csrf", token.as_str()), ("key", key.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::GONE);
    // Imports are the municipality's.
    let org = s.signed_in("org17");
    assert_eq!(
        org.get(s.url("/imports")).send().unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let ot = csrf(&s, &org);
    let res = upload(
        &s,
        &org,
        &ot,
        "areas",
        "2025-12-01",
        "x.csv",
        example("copenhagen/areas.csv").into_bytes(),
    );
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Without its form token, an upload is refused.
    let res = upload(
        &s,
        &c,
        "forged",
        "areas",
        "2025-12-01",
        "x.csv",
        example("copenhagen/areas.csv").into_bytes(),
    );
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(held(&c), 2);
}

#[test]
fn reports_show_the_period_and_download_with_an_organisations_own_rows() {
    let s = Server::start();
    let kommune = s.signed_in("kommune");
    let kt = csrf(&s, &kommune);
    // Two lettings: one in org-17's department, one elsewhere.
    let (_, all) = s.json(&kommune, &format!("/api/v1/overview?{ON}"));
    let foreign = all["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["organisation"] != "org-17")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (dep, home) in [("101-0001", "0001"), (foreign.as_str(), "0001")] {
        let res = post_json(
            &s,
            &kommune,
            "/api/v1/vacancies",
            Some(&kt),
            serde_json::json!({"department": dep, "home": home, "vacated": "2024-06-03"}),
        );
        assert_eq!(res.status(), StatusCode::CREATED);
        let v = res.json::<Value>().unwrap();
        let id = v["vacancy"].as_i64().unwrap();
        // Let through the channel the wheel gave (slot 1: flexible or the waiting list).
        let channel = v["registration"]["assignment"]["channel"]
            .as_str()
            .unwrap()
            .to_string();
        let res = post_json(
            &s,
            &kommune,
            &format!("/api/v1/vacancies/{id}/resolve"),
            Some(&kt),
            serde_json::json!({"outcome": "let", "on": "2024-07-01", "channel": channel}),
        );
        assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text());
    }
    let q = "report=lettings&from=2024-01-01&to=2024-12-31";
    let page = kommune
        .get(s.url(&format!("/reports?{q}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("101-0001") && page.contains(&foreign),
        "both rows for the municipality"
    );
    let csv = kommune
        .get(s.url(&format!("/reports/download/csv?{q}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(
        csv.lines().count(),
        3,
        "a header and two departments: {csv}"
    );
    let org = s.signed_in("org17");
    let page = org
        .get(s.url(&format!("/reports?{q}&by_organisation=1")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("101-0001"),
        "by department for an organisation: {page}"
    );
    assert!(
        !page.contains(&foreign),
        "never another organisation's rows"
    );
    let csv = org
        .get(s.url(&format!("/reports/download/csv?{q}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    let (_, v) = s.json(&org, &format!("/api/v1/reports?{q}"));
    assert_eq!(v["rows"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["rows"][0][0], "101-0001");
    let xlsx = org
        .get(s.url(&format!("/reports/download/xlsx?{q}")))
        .send()
        .unwrap();
    assert!(xlsx.bytes().unwrap().starts_with(b"PK"));
    // Bad periods are a 400 page.
    let res = org
        .get(s.url("/reports?report=lettings&from=2024-12-31&to=2024-01-01"))
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = org.get(s.url("/reports?report=nonsense")).send().unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

/// A file uploaded to a vacancy's form (`check` a household, `rank` applicants).
fn vacancy_upload(
    s: &Server,
    c: &Client,
    csrf: &str,
    vacancy: i64,
    action: &str,
    text: String,
) -> Response {
    let name = if action == "check" {
        "household.json"
    } else {
        "applicants.json"
    };
    let form = reqwest::blocking::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .part(
            "file",
            reqwest::blocking::multipart::Part::text(text).file_name(name),
        );
    c.post(s.url(&format!("/vacancies/{vacancy}/{action}")))
        .multipart(form)
        .send()
        .unwrap()
}

/// A household file uploaded to a vacancy's check.
fn check_upload(s: &Server, c: &Client, csrf: &str, vacancy: i64, text: String) -> Response {
    vacancy_upload(s, c, csrf, vacancy, "check", text)
}

fn rank_upload(s: &Server, c: &Client, csrf: &str, vacancy: i64, text: String) -> Response {
    vacancy_upload(s, c, csrf, vacancy, "rank", text)
}

#[test]
fn applicants_are_ranked_for_a_vacancy_by_its_own_organisation_only() {
    let s = Server::start();
    let org = s.signed_in("org17");
    let t = csrf(&s, &org);
    let res = post_json(
        &s,
        &org,
        "/api/v1/vacancies",
        Some(&t),
        serde_json::json!({"department": "101-0001", "home": "0001", "vacated": "2024-06-03"}),
    );
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = rank_upload(&s, &org, &t, 1, example("copenhagen/applicants.json"));
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, "/rankings/1");
    let page = org.get(s.url(&location)).send().unwrap().text().unwrap();
    assert!(page.contains("id=\"ranking\""));
    assert!(
        page.contains("V-08817") && page.contains("24,5 timer"),
        "the refusal is explained: {page}"
    );
    // A bad applicants file ranks nothing and says which applicant and field.
    let bad = example("copenhagen/applicants.json").replacen("\"applicant\"", "\"uncle\"", 1);
    let res = rank_upload(&s, &org, &t, 1, bad);
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().unwrap();
    assert!(text.contains("field members[0].relation"), "{text}");
    assert_eq!(
        org.get(s.url("/rankings/2")).send().unwrap().status(),
        StatusCode::FORBIDDEN,
        "a missing run is refused like another's: the number of runs does not show"
    );
    // The steering group and other organisations do not see applicant data.
    let steering = s.signed_in("styregruppe");
    assert_eq!(
        steering.get(s.url("/rankings/1")).send().unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let st = csrf(&s, &steering);
    let res = rank_upload(&s, &steering, &st, 1, example("copenhagen/applicants.json"));
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let kommune = s.signed_in("kommune");
    assert_eq!(
        kommune.get(s.url("/rankings/1")).send().unwrap().status(),
        StatusCode::OK
    );
    let (_, run) = s.json(&kommune, "/api/v1/rankings/1");
    assert_eq!(run["ranking"].as_array().map(Vec::len), Some(6), "{run}");
    assert_eq!(
        s.json(&steering, "/api/v1/rankings/1").0,
        StatusCode::FORBIDDEN
    );
    // One household checked against the vacancy's slot (dept step 4, slot 1: A); nothing stored.
    let res = check_upload(&s, &org, &t, 1, example("copenhagen/household.json"));
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().unwrap();
    assert!(page.contains("id=\"verdict\""), "{page}");
    assert!(
        page.contains("A (arbejde eller uddannelse): opfyldt"),
        "{page}"
    );
    assert!(page.contains("37 timer om ugen"), "{page}");
    let res = check_upload(&s, &steering, &st, 1, example("copenhagen/household.json"));
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Without the form token nothing is ranked.
    let res = rank_upload(&s, &org, "forged", 1, example("copenhagen/applicants.json"));
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[test]
fn the_municipality_records_approvals_and_nobody_else_does() {
    let s = Server::start();
    let kommune = s.signed_in("kommune");
    let kt = csrf(&s, &kommune);
    let (_, v) = s.json(
        &kommune,
        &format!("/api/v1/overview?{ON}&step=department:2"),
    );
    let dept = v["departments"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/departments/{dept}/decisions");
    let approve = |c: &Client, csrf: &str| {
        c.post(s.url(&path))
            .form(&[
                ("csrf", csrf),
                ("kind", "exemption"),
                ("year", "2025"),
                ("decided_by", "Samarbejdsforum"),
                ("decided_on", "2024-11-20"),
            ])
            .send()
            .unwrap()
    };
    // CPH B15: the Samarbejdsforum's approval of the exemption for a year.
    let res = approve(&kommune, &kt);
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = kommune
        .get(s.url(&format!("/departments/{dept}?{ON}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("beslutning"),
        "the decision is in the department's ledger"
    );
    // A missing field is a 400 page; an organisation and the steering group are refused.
    let res = kommune
        .post(s.url(&path))
        .form(&[
            ("csrf", kt.as_str()),
            ("kind", "exemption"),
            ("decided_by", "SAF"),
            ("decided_on", "2024-11-20"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    for user in ["org17", "styregruppe"] {
        let c = s.signed_in(user);
        let t = csrf(&s, &c);
        assert_eq!(approve(&c, &t).status(), StatusCode::FORBIDDEN, "{user}");
    }
}

#[test]
fn a_shrinking_file_needs_a_confirmation_and_a_wrong_snapshot_is_withdrawn_with_a_reason() {
    let s = Server::start();
    let c = s.signed_in("kommune");
    let token = csrf(&s, &c);
    let page_of = |c: &Client| c.get(s.url("/imports")).send().unwrap().text().unwrap();
    let held = |c: &Client| page_of(c).matches("<td data-kind=\"departments\">").count();
    // The demo's figures: 2024-03-01 and the mid-term status of 2026-03-01.
    assert_eq!(held(&c), 2, "the demo's figures");
    let full = example("copenhagen/departments.csv");
    let lines: Vec<&str> = full.lines().collect();

    // Only the header: refused at the check, line 2.
    let res = upload(
        &s,
        &c,
        &token,
        "departments",
        "2024-09-01",
        "header.csv",
        format!("{}\n", lines[0]).into_bytes(),
    );
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().unwrap();
    assert!(
        page.contains("id=\"import-errors\"")
            && page.contains("expected rows of data below the header, but there are none"),
        "{page}"
    );
    assert!(page.contains("<td class=\"num\">2</td>"), "line 2: {page}");

    // 100 of the 405 departments missing: the check shows it and asks to confirm.
    let shrunk = format!("{}\n{}\n", lines[0], lines[101..].join("\n"));
    let checked = |c: &Client| {
        let res = upload(
            &s,
            c,
            &token,
            "departments",
            "2024-09-01",
            "shrunk.csv",
            shrunk.clone().into_bytes(),
        );
        assert_eq!(res.status(), StatusCode::OK);
        let page = res.text().unwrap();
        let at = page.find("name=\"key\" value=\"").unwrap() + 18;
        (page[at..at + 64].to_string(), page)
    };
    let (key, page) = checked(&c);
    assert!(page.contains("id=\"import-drop\""), "{page}");
    assert!(
        page.contains("<strong>100</strong> afdelinger ville forsvinde fra data, af 405 (25 %)"),
        "{page}"
    );
    assert!(page.contains("Mere end 10 %"), "{page}");
    assert!(page.contains("101-0001, 101-0002"), "the first ids: {page}");
    assert!(
        page.contains("name=\"allow_drop\""),
        "a confirmation box: {page}"
    );
    // Confirmed without ticking it: refused, nothing stored.
    let res = c
        .post(s.url("/imports/confirm"))
        .form(&[("csrf", token.as_str()), ("key", key.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().unwrap().contains("would drop 100 departments"));
    assert_eq!(held(&c), 2);
    // Ticked: imported — the same checked file, which waited on after the refusal.
    let res = c
        .post(s.url("/imports/confirm"))
        .form(&[
            ("csrf", token.as_str()),
            ("key", key.as_str()),
            ("allow_drop", "1"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().unwrap().contains("id=\"import-done\""));
    assert_eq!(held(&c), 3);
    let count_on = |c: &Client| {
        s.json(c, "/api/v1/overview?on=2024-10-01").1["departments"]
            .as_array()
            .map_or(0, Vec::len)
    };
    assert_eq!(count_on(&c), 305);

    // The list offers a withdrawal; it needs the municipality, its form token and a reason.
    let page = page_of(&c);
    assert!(page.contains("action=\"/imports/withdraw\""), "{page}");
    let withdraw = |c: &Client, csrf: &str, reason: &str| {
        c.post(s.url("/imports/withdraw"))
            .form(&[
                ("csrf", csrf),
                ("kind", "departments"),
                ("date", "2024-09-01"),
                ("reason", reason),
            ])
            .send()
            .unwrap()
    };
    assert_eq!(
        withdraw(&c, &token, "  ").status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        withdraw(&c, "forged", "wrong").status(),
        StatusCode::FORBIDDEN
    );
    let org = s.signed_in("org17");
    let ot = csrf(&s, &org);
    assert_eq!(withdraw(&org, &ot, "wrong").status(), StatusCode::FORBIDDEN);
    assert_eq!(count_on(&c), 305, "nothing withdrawn yet");
    let res = withdraw(&c, &token, "filen manglede 100 afdelinger");
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().unwrap();
    assert!(page.contains("id=\"withdraw-done\""), "{page}");
    assert!(
        page.contains("Placeringen i kraft bygger nu på data pr. 2024-03-01"),
        "{page}"
    );
    assert!(
        page.contains("Trukket tilbage")
            && page.contains("af kommune: filen manglede 100 afdelinger"),
        "the list shows who, when and why: {page}"
    );
    assert_eq!(held(&c), 3, "the original stays in the list");
    assert_eq!(count_on(&c), 405, "the spring's figures are in force again");
    // In English too.
    c.get(s.url("/lang/en?back=/imports")).send().unwrap();
    let page = page_of(&c);
    assert!(
        page.contains("Withdrawn") && page.contains("by kommune"),
        "{page}"
    );
    c.get(s.url("/lang/da?back=/imports")).send().unwrap();

    // The right file for the date is now taken.
    let res = upload(
        &s,
        &c,
        &token,
        "departments",
        "2024-09-01",
        "departments.csv",
        full.clone().into_bytes(),
    );
    let page = res.text().unwrap();
    assert!(!page.contains("id=\"import-drop\""), "{page}");
    let at = page.find("name=\"key\" value=\"").unwrap() + 18;
    let key = page[at..at + 64].to_string();
    let res = c
        .post(s.url("/imports/confirm"))
        .form(&[("csrf", token.as_str()), ("key", key.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(held(&c), 4);
    assert_eq!(count_on(&c), 405);
}

/// The status and body of a request, for comparing two answers.
fn answer(res: Response) -> (StatusCode, String) {
    let status = res.status();
    (status, res.text().unwrap())
}

#[test]
fn access_is_checked_before_anything_about_an_id_is_told() {
    let s = Server::start();
    let kommune = s.signed_in("kommune");
    let kt = csrf(&s, &kommune);
    let org = s.signed_in("org17");
    let ot = csrf(&s, &org);
    let steering = s.signed_in("styregruppe");
    let st = csrf(&s, &steering);
    // The municipality registers a vacancy in another organisation's department (step
    // 4, like 101-0001: slot 1 is flexible letting), ranks applicants for it, and
    // withdraws it (resolved).
    let (_, all) = s.json(
        &kommune,
        &format!("/api/v1/overview?{ON}&step=department:4"),
    );
    let foreign_dept = all["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["organisation"] != "org-17")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = post_json(
        &s,
        &kommune,
        "/api/v1/vacancies",
        Some(&kt),
        serde_json::json!({"department": foreign_dept, "home": "0001", "vacated": "2024-06-03"}),
    );
    assert_eq!(res.status(), StatusCode::CREATED);
    let foreign = res.json::<Value>().unwrap()["vacancy"].as_i64().unwrap();
    let res = rank_upload(
        &s,
        &kommune,
        &kt,
        foreign,
        example("copenhagen/applicants.json"),
    );
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text());
    assert_eq!(res.headers()["location"], "/rankings/1");
    let res = post_json(
        &s,
        &kommune,
        &format!("/api/v1/vacancies/{foreign}/resolve"),
        Some(&kt),
        serde_json::json!({"outcome": "withdrawn", "on": "2024-06-04", "note": "test"}),
    );
    assert_eq!(res.status(), StatusCode::OK);
    let missing = foreign + 1000;

    // The organisation ranking applicants for another's resolved vacancy learns nothing
    // of its state: 403, as for a vacancy that does not exist.
    for id in [foreign, missing] {
        let res = rank_upload(&s, &org, &ot, id, example("copenhagen/applicants.json"));
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "rank {id}");
        let text = res.text().unwrap();
        assert!(!text.contains("resolved"), "{text}");
        let form = reqwest::blocking::multipart::Form::new()
            .text("csrf", ot.clone())
            .part(
                "file",
                reqwest::blocking::multipart::Part::text(example("copenhagen/household.json"))
                    .file_name("household.json"),
            );
        let res = org
            .post(s.url(&format!("/vacancies/{id}/check")))
            .multipart(form)
            .send()
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "check {id}");
    }
    // Another organisation's id and a missing id answer alike on every id route.
    let get = |c: &Client, path: String| answer(c.get(s.url(&path)).send().unwrap());
    let resolve = serde_json::json!({"outcome": "let", "on": "2024-07-01", "channel": "flexible"});
    let register = |c: &Client, t: &str, dept: &str| {
        answer(post_json(
            &s,
            c,
            "/api/v1/vacancies",
            Some(t),
            serde_json::json!({"department": dept, "home": "0002", "vacated": "2024-06-03"}),
        ))
    };
    let pairs = [
        (
            get(&org, format!("/api/v1/vacancies/{foreign}")),
            get(&org, format!("/api/v1/vacancies/{missing}")),
        ),
        (
            get(&org, format!("/vacancies/{foreign}")),
            get(&org, format!("/vacancies/{missing}")),
        ),
        (
            answer(post_json(
                &s,
                &org,
                &format!("/api/v1/vacancies/{foreign}/resolve"),
                Some(&ot),
                resolve.clone(),
            )),
            answer(post_json(
                &s,
                &org,
                &format!("/api/v1/vacancies/{missing}/resolve"),
                Some(&ot),
                resolve.clone(),
            )),
        ),
        (
            get(&org, "/rankings/1".into()),
            get(&org, "/rankings/999".into()),
        ),
        (
            get(&org, "/api/v1/rankings/1".into()),
            get(&org, "/api/v1/rankings/999".into()),
        ),
        (
            get(&org, format!("/api/v1/vacancies?department={foreign_dept}")),
            get(&org, "/api/v1/vacancies?department=999-9999".into()),
        ),
        (
            register(&org, &ot, &foreign_dept),
            register(&org, &ot, "999-9999"),
        ),
        (
            get(&org, format!("/api/v1/departments/{foreign_dept}?{ON}")),
            get(&org, format!("/api/v1/departments/999-9999?{ON}")),
        ),
        (
            get(&org, format!("/departments/{foreign_dept}?{ON}")),
            get(&org, format!("/departments/999-9999?{ON}")),
        ),
        // Also on a date with no placement in force.
        (
            get(&org, format!("/departments/{foreign_dept}?on=1900-01-01")),
            get(&org, "/departments/999-9999?on=1900-01-01".into()),
        ),
        (
            get(
                &org,
                format!("/api/v1/departments/{foreign_dept}?on=1900-01-01"),
            ),
            get(&org, "/api/v1/departments/999-9999?on=1900-01-01".into()),
        ),
    ];
    for (i, (a, b)) in pairs.into_iter().enumerate() {
        assert_eq!(a.0, StatusCode::FORBIDDEN, "#{i}: {}", a.1);
        assert_eq!(a, b, "#{i}: another's and a missing id answer alike");
    }
    // The steering group reads everything, but is not told which ids do not exist.
    for (path, status) in [
        (format!("/api/v1/vacancies/{foreign}"), StatusCode::OK),
        (
            format!("/api/v1/vacancies/{missing}"),
            StatusCode::FORBIDDEN,
        ),
        (format!("/vacancies/{missing}"), StatusCode::FORBIDDEN),
        ("/api/v1/rankings/999".into(), StatusCode::FORBIDDEN),
        (
            "/api/v1/vacancies?department=999-9999".into(),
            StatusCode::FORBIDDEN,
        ),
        (
            format!("/api/v1/departments/999-9999?{ON}"),
            StatusCode::FORBIDDEN,
        ),
        (format!("/departments/999-9999?{ON}"), StatusCode::FORBIDDEN),
    ] {
        assert_eq!(get(&steering, path.clone()).0, status, "steering {path}");
    }
    assert_eq!(
        register(&steering, &st, "999-9999").0,
        StatusCode::FORBIDDEN
    );
    // The municipality, which sees everything, is told that an id does not exist.
    for path in [
        format!("/api/v1/vacancies/{missing}"),
        format!("/vacancies/{missing}"),
        "/api/v1/rankings/999".to_string(),
        "/rankings/999".to_string(),
        format!("/api/v1/departments/999-9999?{ON}"),
        "/api/v1/vacancies?department=999-9999".to_string(),
    ] {
        assert_eq!(
            get(&kommune, path.clone()).0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[test]
fn a_decision_outside_the_agreements_period_is_refused_in_the_users_language() {
    let s = Server::start();
    let kommune = s.signed_in("kommune");
    let kt = csrf(&s, &kommune);
    let (_, v) = s.json(
        &kommune,
        &format!("/api/v1/overview?{ON}&step=department:2"),
    );
    let dept = v["departments"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/departments/{dept}/decisions");
    let decide = |fields: &[(&str, &str)]| {
        let mut form = vec![
            ("csrf", kt.as_str()),
            ("decided_by", "Samarbejdsforum"),
            ("decided_on", "2024-11-20"),
        ];
        form.extend_from_slice(fields);
        kommune.post(s.url(&path)).form(&form).send().unwrap()
    };
    let decisions = || {
        let (_, d) = s.json(&kommune, &format!("/api/v1/departments/{dept}?{ON}"));
        d["recent"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] != "register")
            .count()
    };
    // copenhagen-2024 runs from 2024-01-01 to 2027-12-31.
    for year in ["-2147483648", "0", "2023", "2028"] {
        let res = decide(&[("kind", "exemption"), ("year", year)]);
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{year}");
        let page = res.text().unwrap();
        assert!(
            page.contains(&format!(
                "Året {year} ligger uden for aftalens periode, 2024-01-01 til 2027-12-31."
            )),
            "{page}"
        );
    }
    let res = decide(&[
        ("kind", "exemption_in_advance"),
        ("from", "2024-06-01"),
        ("to", "9999-12-31"),
    ]);
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .unwrap()
        .contains("Til-datoen 9999-12-31 ligger uden for aftalens periode"));
    assert_eq!(decisions(), 0, "nothing reaches the ledger");
    // In English on the English switch.
    kommune.get(s.url("/lang/en")).send().unwrap();
    let res = decide(&[("kind", "exemption"), ("year", "0")]);
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .unwrap()
        .contains("The year 0 is outside the agreement&#x27;s period, 2024-01-01 to 2027-12-31."));
    // A year within the period is recorded.
    let res = decide(&[("kind", "exemption"), ("year", "2025")]);
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(decisions(), 1);
}

/// The key of a checked upload on its page.
fn held_key(page: &str) -> String {
    let at = page
        .find("name=\"key\" value=\"")
        .expect("a checked file's key")
        + 18;
    page[at..at + 64].to_string()
}

#[test]
fn a_user_holds_at_most_three_checked_files_and_the_oldest_goes() {
    let s = Server::start();
    let c = s.signed_in("kommune");
    let token = csrf(&s, &c);
    let areas = example("copenhagen/areas.csv");
    let keys: Vec<String> = (0..4)
        .map(|i| {
            let res = upload(
                &s,
                &c,
                &token,
                "areas",
                "2024-12-01",
                &format!("list-{i}.csv"),
                areas.clone().into_bytes(),
            );
            assert_eq!(res.status(), StatusCode::OK, "upload {i}");
            held_key(&res.text().unwrap())
        })
        .collect();
    let confirm = |key: &str| {
        c.post(s.url("/imports/confirm"))
            .form(&[("csrf", token.as_str()), ("key", key)])
            .send()
            .unwrap()
    };
    // The fourth upload dropped the first, which says so.
    let res = confirm(&keys[0]);
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(res
        .text()
        .unwrap()
        .contains("når du har indlæst tre nyere filer til kontrol"));
    let res = confirm(&keys[3]);
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().unwrap().contains("id=\"import-done\""));
}

/// Every response of the signed-in user's data is `Cache-Control: no-store`.
fn assert_no_store(res: &Response, what: &str) {
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "{what}"
    );
}

#[test]
fn applicant_data_rankings_and_exports_are_kept_in_no_cache() {
    let s = Server::start();
    let org = s.signed_in("org17");
    let t = csrf(&s, &org);
    let res = post_json(
        &s,
        &org,
        "/api/v1/vacancies",
        Some(&t),
        serde_json::json!({"department": "101-0001", "home": "0001", "vacated": "2024-06-03"}),
    );
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_no_store(&res, "the API's answer");
    let res = rank_upload(&s, &org, &t, 1, example("copenhagen/applicants.json"));
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    for path in [
        "/rankings/1",
        "/api/v1/rankings/1",
        "/vacancies/1",
        "/api/v1/vacancies/1",
        "/overview.csv?on=2024-03-01",
        "/overview.xlsx?on=2024-03-01",
        "/reports/download/csv",
        "/reports/download/xlsx",
        "/api/v1/reports",
        "/departments/101-0001?on=2024-03-01",
    ] {
        let res = org.get(s.url(path)).send().unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_no_store(&res, path);
    }
    let res = check_upload(&s, &org, &t, 1, example("copenhagen/household.json"));
    assert_eq!(res.status(), StatusCode::OK);
    assert_no_store(&res, "a household's check");
    // Static files stay cacheable.
    let res = org.get(s.url("/static/app.css")).send().unwrap();
    assert!(res
        .headers()
        .get("cache-control")
        .is_none_or(|v| v != "no-store"));
}

#[test]
fn oversize_bodies_are_413_with_the_limit_and_20000_applicants_are_ranked() {
    let s = Server::start();
    let kommune = s.signed_in("kommune");
    let kt = csrf(&s, &kommune);
    // An import file above 20 MB: refused with the limit, in Danish.
    let res = upload(
        &s,
        &kommune,
        &kt,
        "departments",
        "2024-09-01",
        "big.csv",
        vec![b'a'; 21 * 1024 * 1024],
    );
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = res.text().unwrap();
    assert!(
        page.contains("Filen er for stor: her kan højst indlæses 20 MB."),
        "{page}"
    );
    // An API body above 64 KB, with its length declared or sent in chunks: the API's
    // error with the limit.
    let body = serde_json::json!({"department": "101-0001", "home": "x".repeat(70_000), "vacated": "2024-06-03"});
    let res = post_json(&s, &kommune, "/api/v1/vacancies", Some(&kt), body.clone());
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let e: Value = res.json().unwrap();
    assert_eq!(e["code"], "too_large");
    assert!(
        e["message"].as_str().unwrap().contains("at most 64 KB"),
        "{e}"
    );
    let chunked = reqwest::blocking::Body::new(std::io::Cursor::new(body.to_string().into_bytes()));
    let res = kommune
        .post(s.url("/api/v1/vacancies"))
        .header("content-type", "application/json")
        .header("X-CSRF-Token", &kt)
        .body(chunked)
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.json::<Value>().unwrap()["code"], "too_large");
    // A page form above 64 KB, in English on the English switch.
    kommune.get(s.url("/lang/en")).send().unwrap();
    let home = "x".repeat(70_000);
    let res = kommune
        .post(s.url("/vacancies"))
        .form(&[
            ("csrf", kt.as_str()),
            ("department", "101-0001"),
            ("home", home.as_str()),
            ("vacated", "2024-06-03"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res
        .text()
        .unwrap()
        .contains("The form is too large: at most 64 KB."));
    let (_, list) = s.json(&kommune, "/api/v1/vacancies");
    assert_eq!(
        list["vacancies"].as_array().unwrap().len(),
        0,
        "nothing written"
    );

    // An applicants file of 20,000 households (above the framework's 2 MB) is ranked.
    let org = s.signed_in("org17");
    let t = csrf(&s, &org);
    let res = post_json(
        &s,
        &org,
        "/api/v1/vacancies",
        Some(&t),
        serde_json::json!({"department": "101-0001", "home": "0001", "vacated": "2024-06-03"}),
    );
    assert_eq!(res.status(), StatusCode::CREATED);
    let text = trappe_formats::synth::applicants_json(20_000);
    assert!(text.len() > 2 * 1024 * 1024, "{} bytes", text.len());
    let res = rank_upload(&s, &org, &t, 1, text);
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text());
    let (_, run) = s.json(&org, "/api/v1/rankings/1");
    assert_eq!(run["ranking"].as_array().map(Vec::len), Some(20_000));
}

#[test]
fn a_database_error_is_logged_with_its_detail_and_no_page_shows_it() {
    if !common::available("postgres") {
        return;
    }
    let db = common::Db::new("postgres");
    let log = db.path("server.log");
    let s = Server::start_logged(&db.url, std::fs::File::create(&log).unwrap());
    let kommune = s.signed_in("kommune");
    // The database loses a table under the running server.
    let mut pg = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    pg.batch_execute("DROP TABLE vacancy_entry CASCADE")
        .unwrap();
    let res = kommune.get(s.url("/api/v1/vacancies")).send().unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.text().unwrap();
    let page = kommune.get(s.url("/vacancies")).send().unwrap();
    assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let page = page.text().unwrap();
    for shown in [&body, &page] {
        assert!(
            !shown.contains("vacancy_entry") && !shown.contains("42P01"),
            "no internals: {shown}"
        );
    }
    assert!(body.contains("\"code\":\"internal\""), "{body}");
    // The log has what the database said: its SQLSTATE code and message.
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("code 42P01")
            && logged.contains("relation \\\"vacancy_entry\\\" does not exist"),
        "{logged}"
    );
}

/// A valid departments file of about 19 MB (190,000 departments): a file whose check
/// takes a while.
fn big_departments_csv() -> Vec<u8> {
    let example = example("copenhagen/departments.csv");
    let mut lines = example.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut out = String::with_capacity(20 * 1024 * 1024);
    out.push_str(header);
    out.push('\n');
    let mut i = 0;
    while out.len() < 19 * 1024 * 1024 {
        let row = rows[i % rows.len()];
        let rest = &row[row.find(',').unwrap()..];
        out.push_str(&format!("101-{:06}{rest}\n", 10_000 + i));
        i += 1;
    }
    out.into_bytes()
}

#[test]
fn the_server_keeps_answering_while_files_are_checked_one_at_a_time() {
    use std::time::{Duration, Instant};
    let s = Server::start();
    let c = s.signed_in("kommune");
    let token = csrf(&s, &c);
    let big = big_departments_csv();
    let send = |c: &Client| {
        let res = upload(
            &s,
            c,
            &token,
            "departments",
            "2024-09-01",
            "big.csv",
            big.clone(),
        );
        let status = res.status();
        let retry = res.headers().contains_key("retry-after");
        (status, retry, res.text().unwrap())
    };
    // One check alone: it is checked (and held for confirmation), and takes a while.
    let started = Instant::now();
    let (status, _, page) = send(&c);
    let alone = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        alone > Duration::from_millis(1500),
        "the test needs a check that takes a while; this one took {alone:?}"
    );
    // Three at once, while /healthz is asked every 50 ms.
    let health = Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let (answers, worst) = std::thread::scope(|scope| {
        let uploads: Vec<_> = (0..3)
            .map(|i| {
                let c = &c;
                let send = &send;
                scope.spawn(move || {
                    std::thread::sleep(Duration::from_millis(200 * i));
                    send(c)
                })
            })
            .collect();
        let mut worst = Duration::ZERO;
        let until = Instant::now() + alone;
        std::thread::sleep(Duration::from_millis(500));
        while Instant::now() < until {
            let t = Instant::now();
            let res = health.get(s.url("/healthz")).send().unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            worst = worst.max(t.elapsed());
            std::thread::sleep(Duration::from_millis(50));
        }
        let answers: Vec<_> = uploads.into_iter().map(|u| u.join().unwrap()).collect();
        (answers, worst)
    });
    assert!(
        worst < Duration::from_millis(500),
        "/healthz took {worst:?} while files were checked"
    );
    // One is checked; one that arrives while it is checked is told to come back.
    assert!(
        answers
            .iter()
            .any(|(status, _, _)| *status == StatusCode::OK),
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    let busy = answers
        .iter()
        .find(|(status, _, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .expect("a second upload during a check is answered 503");
    assert!(busy.1, "with Retry-After");
    assert!(
        busy.2.contains(
            "En anden fil bliver kontrolleret lige nu. Filen er ikke gemt: prøv igen om lidt."
        ),
        "{}",
        busy.2
    );
}

// Issue 13: hostile files through the upload page. Each is refused with its message, the
// server keeps answering, and its peak memory stays under 300 MB.
#[test]
fn hostile_uploads_are_refused_and_the_server_stays_up_and_small() {
    let s = Server::start();
    let c = s.signed_in("kommune");
    let token = csrf(&s, &c);
    let header = example("copenhagen/departments.csv")
        .lines()
        .next()
        .unwrap()
        .to_string();
    let wide: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let mut damaged = example("copenhagen/departments.csv")
        .replace("Syntetisk", "Søndre")
        .into_bytes();
    let middle = damaged.len() / 2;
    damaged[middle] = 0xF8;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("far.xlsx", common::far_cell_workbook(), "has a cell at XFD1048576"),
        ("bomb.xlsx", common::zip_bomb_workbook(), "expands to more than 64 MB when unpacked"),
        ("wide.csv", format!("{}\n", wide.join(";")).into_bytes(), "the header has 100000 columns"),
        ("header.csv", format!("{header}\n").into_bytes(), "expected rows of data below the header"),
        ("damaged.csv", damaged, "is not UTF-8, but the file is UTF-8 elsewhere"),
        ("nul.csv", format!("{header}\n101-0001,S\0ren,org-17,101,,Valby,126,0,0,257,45.9,2.77,17.9,100.4,33.2,35.4\n").into_bytes(), "U+0000 (NUL)"),
    ];
    for (name, bytes, says) in cases {
        let started = std::time::Instant::now();
        let res = upload(&s, &c, &token, "departments", "2024-09-01", name, bytes);
        let took = started.elapsed();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let page = res.text().unwrap();
        assert!(page.contains(says), "{name}: {page}");
        assert!(
            took < std::time::Duration::from_secs(15),
            "{name} took {took:?}"
        );
        let health = c.get(s.url("/healthz")).send().unwrap();
        assert_eq!(health.status(), StatusCode::OK, "after {name}");
    }
    match common::peak_kb(s.child.id()) {
        Some(kb) => assert!(kb < 300 * 1024, "the server peaked at {kb} KB"),
        None => eprintln!("SKIPPED the memory bound: no /proc/PID/status (not Linux)"),
    }
    // Nothing was stored: the demo's two departments files are all there is.
    let page = c.get(s.url("/imports")).send().unwrap().text().unwrap();
    assert_eq!(
        page.matches("<td data-kind=\"departments\">").count(),
        2,
        "{page}"
    );
    // The kinds of file read as words, never as codes.
    assert!(
        page.contains("<td data-kind=\"departments\">afdelingernes nøgletal</td>")
            && !page.contains("<td>departments</td>"),
        "{page}"
    );
}

/// The command line on a server's database: `trappe --db DB ARGS…`, its standard output
/// as JSON.
fn cli_json(db: &str, args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trappe"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .args(["--db", db])
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "trappe {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

// Issue 15: the command line and the web call one use case, so the same request gives
// the same stored result — a vacancy registered without a received date (the day of
// registration, in one place), and a ranking of one applicants file.
#[test]
fn the_command_line_and_the_api_register_and_rank_alike() {
    // Two servers on two databases holding the same demo data: one is driven through
    // the API, the other's database through the command line.
    let web = Server::start();
    let cli = Server::start();
    let org = web.signed_in("org17");
    let t = csrf(&web, &org);
    let today = chrono::Local::now().date_naive().to_string();
    // Dept step 4 (101-0001): slots 1 and 2 flexible, slot 3 the municipal allocation,
    // which has deadlines counted from the day the municipality received the home.
    for home in ["0001", "0002", "0003"] {
        let res = post_json(
            &web,
            &org,
            "/api/v1/vacancies",
            Some(&t),
            serde_json::json!({"department": "101-0001", "home": home, "vacated": "2024-06-03"}),
        );
        assert_eq!(res.status(), StatusCode::CREATED);
        let api: Value = res.json().unwrap();
        let line: Value = cli_json(
            &cli.db,
            &[
                "vacancy",
                "register",
                "--department",
                "101-0001",
                "--home",
                home,
                "--vacated",
                "2024-06-03",
                "--format",
                "json",
            ],
        );
        assert_eq!(
            line["received"], today,
            "home {home}: the day of registration"
        );
        assert_eq!(
            api["registration"]["received"], line["received"],
            "home {home}"
        );
        assert_eq!(
            api["registration"]["received_defaulted"], true,
            "home {home}"
        );
        assert_eq!(line["received_defaulted"], true, "home {home}");
        assert_eq!(
            api["registration"]["assignment"]["channel"], line["channel"],
            "home {home}"
        );
        assert_eq!(api["deadlines"], line["deadlines"], "home {home}");
        if home == "0003" {
            assert_eq!(line["channel"], "municipal_allocation");
            assert!(line["deadlines"].is_object(), "{line}");
        }
    }

    // The vacancy's page says where its received date came from; vacated 2024-06-03
    // and registered today (later), so the deadlines run from today.
    let page = org
        .get(web.url("/vacancies/3"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("id=\"received\""), "{page}");
    assert!(page.contains("registreringsdagen"), "{page}");
    assert!(page.contains("id=\"received-warning\""), "{page}");

    // The same applicants file for vacancy 1, ranked in the browser's form and on the
    // command line, is stored alike.
    let file = example("copenhagen/applicants.json");
    let res = rank_upload(&web, &org, &t, 1, file);
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text());
    let ranked = cli_json(
        &cli.db,
        &[
            "applicant",
            "rank",
            "--vacancy",
            "1",
            "--applicants",
            "examples/copenhagen/applicants.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(ranked["run"], 1);
    let (_, a) = web.json(&org, "/api/v1/rankings/1");
    let (_, b) = cli.json(&cli.signed_in("kommune"), "/api/v1/rankings/1");
    for key in [
        "vacancy",
        "department_id",
        "on",
        "staircase",
        "step",
        "channel",
        "criteria",
        "requirement",
        "agreement_sha256",
        "inputs_sha256",
        "applicants",
        "ranking",
    ] {
        assert_eq!(a[key], b[key], "{key}");
    }
    assert!(a["ranking"].as_array().is_some_and(|r| r.len() > 3), "{a}");

    // The report once called every-third keeps its old name as an alias.
    let year = [
        "report",
        "every-nth-vacancy",
        "--year",
        "2024",
        "--format",
        "json",
    ];
    let old = [
        "report",
        "every-third",
        "--year",
        "2024",
        "--format",
        "json",
    ];
    assert_eq!(cli_json(&cli.db, &year), cli_json(&cli.db, &old));
    let (status, new_api) = web.json(
        &org,
        "/api/v1/reports?report=every_nth_vacancy&from=2024-01-01",
    );
    assert_eq!(status, StatusCode::OK);
    let (_, old_api) = web.json(&org, "/api/v1/reports?report=every_third&from=2024-01-01");
    assert_eq!(new_api, old_api);
    assert_eq!(new_api["report"], "every_nth_vacancy");
}

/// The text of a page without its tags (attribute values included).
fn regex_free_text(page: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in page.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Esbjerg's named list through the web: an Esbjerg database (imported on the command
/// line) served as is; the overview shows each group by the agreement's own label,
/// departments the list does not name as "not covered", and no internal code; the
/// agreement page cites the published passages; a vacancy of VB's 25 % shows its channel.
#[test]
fn esbjerg_is_shown_by_its_groups_labels_and_sources() {
    let db = common::Db::new("sqlite");
    common::import_esbjerg(&db, "esbjerg-2020");
    db.trappe()
        .args([
            "vacancy",
            "register",
            "--department",
            "VB-0107",
            "--home",
            "0001",
            "--vacated",
            "2024-03-01",
            "--received",
            "2024-03-01",
        ])
        .assert()
        .success();
    let log = tempfile::NamedTempFile::new().unwrap();
    let s = Server::start_logged(&db.url, log.reopen().unwrap());
    let c = s.signed_in("kommune");
    let get = |path: &str| {
        let res = c.get(s.url(path)).send().unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.text().unwrap()
    };
    let overview = get(&format!("/?{ON}"));
    for label in [
        "Varde Bolig: 25 % fleksibelt",
        "AB Esbjerg: et antal boliger fleksibelt",
        "Ikke omfattet af aftalen",
        "Udpeget område (lovens obligatoriske fleksible udlejning)",
    ] {
        assert!(overview.contains(label), "{label} on the overview");
    }
    // No internal code where a person reads (attribute values are the form's keys).
    let visible = regex_free_text(&overview);
    assert!(
        !visible.contains("not-covered"),
        "no internal code on the page"
    );
    let agreement = get(&format!("/agreement?{ON}"));
    assert!(
        agreement.contains("VB: &#x27;Boligorganisationen anviser 25 %")
            || agreement.contains("VB: 'Boligorganisationen anviser 25 %")
    );
    // A share the parties have not recorded says so, with its reason.
    assert!(
        agreement.contains("Ikke fastsat endnu"),
        "a pending share is shown"
    );
    assert!(agreement.contains("et antal boliger"));
    let vacancy = get("/vacancies/1");
    assert!(vacancy.contains("VB-0107"), "the vacancy page");
}

/// Aalborg on the web [AAL Monitorering]: before the municipality's first overview the
/// colours are marked provisional; its overview is imported on the import page (checked,
/// then confirmed) and is then in force, with trappe's estimate beside it; red and yellow
/// departments are gathered in one overview with what changed since the previous update,
/// printable and downloadable; the API gives the placement in force and the computed one.
#[test]
fn aalborg_the_municipalitys_colours_are_in_force_and_gathered_in_one_overview() {
    let db = common::Db::new("sqlite");
    common::import_aalborg(&db, &["2024-04-01"]);
    db.trappe()
        .args([
            "user",
            "add",
            "org01",
            "--role",
            "organisation",
            "--organisation",
            "org-01",
        ])
        .env("TRAPPE_PASSWORD", "demo-org01")
        .assert()
        .success();
    let log = tempfile::NamedTempFile::new().unwrap();
    let s = Server::start_logged(&db.url, log.reopen().unwrap());
    let c = s.signed_in("kommune");
    let get = |path: &str| {
        let res = c.get(s.url(path)).send().unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.text().unwrap()
    };
    // Before the first overview (the departments of March): provisional, not the
    // municipality's.
    let march = get("/?on=2024-03-01");
    assert!(march.contains("Foreløbig — ikke kommunens"), "provisional");
    // The second update, through the import page: checked, then confirmed.
    let token = csrf(&s, &c);
    let res = upload(
        &s,
        &c,
        &token,
        "overview",
        "2024-08-01",
        "overview-2024-08-01.csv",
        common::example_text("aalborg/overview-2024-08-01.csv").into_bytes(),
    );
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().unwrap();
    let at = page.find("name=\"key\" value=\"").unwrap() + 18;
    let key = page[at..at + 64].to_string();
    let res = c
        .post(s.url("/imports/confirm"))
        .form(&[("csrf", token.as_str()), ("key", key.as_str())])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // An overview naming a department trappe does not hold: refused on the check step.
    let res = upload(
        &s,
        &c,
        &token,
        "overview",
        "2024-09-01",
        "bad.csv",
        b"department_id,colour\n851-0001,red\n999-9999,gul\n".to_vec(),
    );
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().unwrap().contains("999-9999"));
    let overview = get("/?on=2024-09-01");
    assert!(
        overview.contains("Farverne er kommunens oversigt"),
        "in force"
    );
    assert!(
        overview.contains("Beregnet trin (skøn)"),
        "the estimate column"
    );
    assert!(
        overview.contains("Ingen farve i kommunens oversigt"),
        "851-0220 omitted"
    );
    let visible = regex_free_text(&overview);
    for code in [
        "not-in-overview",
        "no-data",
        "not_in_overview",
        "provisional",
    ] {
        assert!(
            !visible.contains(code),
            "no internal code {code} on the page"
        );
    }
    let one = get("/red-yellow?on=2024-09-01");
    assert!(
        one.contains("kommunens oversigt pr. 2024-08-01, ændringer siden 2024-04-01"),
        "the update's date"
    );
    // 851-0038 went from yellow to green: listed as a change though no longer yellow.
    let row = one
        .split("<tr>")
        .find(|r| r.contains("851-0038"))
        .expect("851-0038 listed");
    assert!(row.contains("gul → grøn"), "{row}");
    let csv = get("/red-yellow/download/csv?on=2024-09-01");
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("Afdeling;Navn;Boligorganisation"));
    assert!(
        lines.any(|l| l.starts_with("851-0001;") && l.contains(";Rød;")),
        "{csv}"
    );
    // The API: the placement in force, and the computed one beside it.
    let (_, v) = s.json(&c, "/api/v1/overview?on=2024-09-01&q=851-0220");
    let d = &v["departments"][0];
    assert_eq!(d["step"], "not-in-overview");
    assert_eq!(d["basis"], "not_in_overview");
    assert_eq!(d["computed"]["staircase"], "traffic-light");
    assert_eq!(v["overview_date"], "2024-08-01");
    // A department's page names the basis and the estimate.
    let dept = get("/departments/851-0001?on=2024-09-01");
    assert!(
        dept.contains("id=\"estimate\""),
        "the estimate on the department page"
    );
    assert!(dept.contains("kommunens oversigt"), "the basis");
    // Letting on the web: a red vacancy goes to flexible letting under the red criteria
    // (marked as the parties' to confirm), where a household is checked and applicants
    // ranked; a green one to the allocation, which returns it to the waiting list.
    let res = post_json(
        &s,
        &c,
        "/api/v1/vacancies",
        Some(&token),
        serde_json::json!({"department": "851-0001", "home": "0001", "vacated": "2024-09-10", "received": "2024-09-02"}),
    );
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().unwrap();
    assert_eq!(v["registration"]["assignment"]["channel"], "flexible");
    let red = v["vacancy"].as_i64().unwrap();
    let page = get(&format!("/vacancies/{red}"));
    assert!(
        page.contains("krav til beskæftigelse eller krav til uddannelse"),
        "{page}"
    );
    assert!(page.contains("afventer parternes bekræftelse"), "{page}");
    let res = check_upload(&s, &c, &token, red, example("aalborg/household.json"));
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().unwrap();
    assert!(page.contains("beskæftigelse"), "{page}");
    assert!(page.contains("afventer parternes bekræftelse"), "{page}");
    let res = rank_upload(&s, &c, &token, red, example("aalborg/applicants.json"));
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    let ranking = get(&at);
    let (a, b, last) = (
        ranking.find("A-5002").unwrap(),
        ranking.find("A-5003").unwrap(),
        ranking.find("A-5004").unwrap(),
    );
    assert!(a < b && b < last, "work, then study, then neither");
    let (_, v) = s.json(
        &c,
        "/api/v1/overview?on=2024-09-01&step=traffic-light:green",
    );
    let green = v["departments"][0]["id"].as_str().unwrap().to_string();
    let res = post_json(
        &s,
        &c,
        "/api/v1/vacancies",
        Some(&token),
        serde_json::json!({"department": green, "home": "0001", "vacated": "2024-09-10", "received": "2024-09-02"}),
    );
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().unwrap();
    assert_eq!(
        v["registration"]["assignment"]["channel"],
        "municipal_allocation"
    );
    let id = v["vacancy"].as_i64().unwrap();
    let res = post_json(
        &s,
        &c,
        &format!("/api/v1/vacancies/{id}/resolve"),
        Some(&token),
        serde_json::json!({"outcome": "returned", "on": "2024-09-04"}),
    );
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().unwrap();
    assert_eq!(v["current_channel"], "waiting_list", "{v}");
    // An organisation sees only its own departments in the one overview and its export.
    let org = s.signed_in("org01");
    for path in [
        "/red-yellow?on=2024-09-01",
        "/red-yellow/download/csv?on=2024-09-01",
    ] {
        let res = org.get(s.url(path)).send().unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let body = res.text().unwrap();
        assert!(body.contains("org-01"), "{path}: its own rows");
        for other in ["org-02", "org-03", "org-04", "org-05"] {
            assert!(!body.contains(other), "{path}: {other}'s rows");
        }
    }
}

/// The demo holds two municipalities, each under its own agreement: every role is scoped
/// on every route. Copenhagen's municipality and steering group see Copenhagen only,
/// Aalborg's see Aalborg only, and an organisation with departments in both sees its own
/// in both; another municipality's department is refused on every route that names one,
/// and the lists, exports and reports hold only what the user may see.
#[test]
fn two_municipalities_every_role_is_scoped_on_every_route() {
    let s = Server::start();
    let on = "on=2024-09-01";
    let ids = |c: &Client| -> Vec<String> {
        let (status, v) = s.json(c, &format!("/api/v1/overview?{on}"));
        assert_eq!(status, StatusCode::OK, "{v}");
        v["departments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect()
    };
    let copenhagen = |v: &[String]| v.iter().filter(|d| d.starts_with("101-")).count();
    let aalborg = |v: &[String]| v.iter().filter(|d| d.starts_with("851-")).count();
    for (user, cph, aal) in [
        ("kommune", true, false),
        ("styregruppe", true, false),
        ("aalborg", false, true),
        ("styregruppe-aalborg", false, true),
        ("org01", true, true),
    ] {
        let c = s.signed_in(user);
        let seen = ids(&c);
        assert_eq!(copenhagen(&seen) > 0, cph, "{user} and Copenhagen");
        assert_eq!(aalborg(&seen) > 0, aal, "{user} and Aalborg");
        if user == "org01" {
            let (_, v) = s.json(&c, &format!("/api/v1/overview?{on}"));
            assert!(v["departments"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["organisation"] == "org-01"));
        }
        // A department of the other municipality: refused on every route naming it.
        let foreign = if cph { "851-0001" } else { "101-0001" };
        if !(cph && aal) {
            for path in [
                format!("/departments/{foreign}?{on}"),
                format!("/api/v1/departments/{foreign}?{on}"),
            ] {
                let res = c.get(s.url(&path)).send().unwrap();
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "{user} {path}");
            }
        }
        // The exports and the one overview of colours hold only what the user sees.
        for path in [
            format!("/overview.csv?{on}"),
            format!("/red-yellow/download/csv?{on}"),
        ] {
            let res = c.get(s.url(&path)).send().unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{user} {path}");
            let body = res.text().unwrap();
            if !cph {
                assert!(!body.contains("\n101-"), "{user} {path}: Copenhagen's rows");
            }
            if !aal {
                assert!(!body.contains("\n851-"), "{user} {path}: Aalborg's rows");
            }
        }
        // The overview speaks of the municipality's colours only where the user sees them.
        let page = c
            .get(s.url(&format!("/?{on}")))
            .send()
            .unwrap()
            .text()
            .unwrap();
        assert_eq!(
            page.contains("id=\"in-force\""),
            aal,
            "{user}: the note on colours"
        );
        // The agreement page shows the user's municipality's agreement.
        let agreement = c
            .get(s.url(&format!("/agreement?{on}")))
            .send()
            .unwrap()
            .text()
            .unwrap();
        if cph && !aal {
            assert!(
                agreement.contains("København"),
                "{user}: Copenhagen's agreement"
            );
        }
        if aal && !cph {
            assert!(agreement.contains("Aalborg"), "{user}: Aalborg's agreement");
        }
    }
    // A municipality's user may not ask for another municipality's agreement.
    let aal = s.signed_in("aalborg");
    let res = aal
        .get(s.url(&format!("/agreement?{on}&municipality=101")))
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Its import page lists its own municipality's files only.
    let imports = aal.get(s.url("/imports")).send().unwrap().text().unwrap();
    assert!(
        imports.contains("<td class=\"municipality\">851</td>")
            && !imports.contains("<td class=\"municipality\">101</td>"),
        "{imports}"
    );
    // Vacancies: Aalborg's municipality cannot register one in Copenhagen.
    let t = csrf(&s, &aal);
    let res = post_json(
        &s,
        &aal,
        "/api/v1/vacancies",
        Some(&t),
        serde_json::json!({"department": "101-0001", "home": "0001", "vacated": "2024-06-03"}),
    );
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Nor record an approval for one.
    let res = aal
        .post(s.url("/departments/101-0001/decisions"))
        .form(&[
            ("csrf", t.as_str()),
            ("kind", "exemption"),
            ("year", "2025"),
            ("decided_by", "Samarbejdsforum"),
            ("decided_on", "2024-11-20"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The one overview of colours speaks of Aalborg's updates to Aalborg only.
    let kommune = s.signed_in("kommune");
    let page = kommune
        .get(s.url(&format!("/red-yellow?{on}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        !page.contains("2024-08-01"),
        "Aalborg's update on Copenhagen's page"
    );
    let page = aal
        .get(s.url(&format!("/red-yellow?{on}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("kommunens oversigt pr. 2024-08-01"),
        "Aalborg's own update"
    );
    // The API's run and agreement are the user's municipality's.
    let (_, v) = s.json(&aal, &format!("/api/v1/overview?{on}"));
    assert_eq!(v["agreement"], "aalborg-2023");
    assert_eq!(v["municipalities"].as_array().unwrap().len(), 1);
}

/// Posts an approval of `department` (in force `from`, decided `decided_on`) as `c`.
fn post_approval(
    s: &Server,
    c: &Client,
    csrf: &str,
    (from, decided_on): (&str, &str),
    reference: &str,
    department: &str,
) -> Response {
    c.post(s.url("/replacement/approve"))
        .form(&[
            ("csrf", csrf),
            ("municipality", "101"),
            ("from", from),
            ("decided_on", decided_on),
            ("decided_by", "Samarbejdsforum"),
            ("reference", reference),
            ("department", department),
        ])
        .send()
        .unwrap()
}

/// CPH 6.2: "Forslag til omplacering forelægges Samarbejdsforum til godkendelse." The
/// demo's mid-term status (2026-03-01) would move six held departments: the overview says
/// they are held and how many would move; the proposal page lists them (an organisation
/// its own only); the steering group sees it without a form; the municipality records the
/// approval of one ticked department, which is then in force from its date, and withdraws it.
#[test]
fn the_re_placement_proposal_is_approved_on_the_web() {
    let s = Server::start();
    // The demo's mid-term status of 2026-03-01 moves six departments' computed steps,
    // among them org-17's 101-0084 (1 → 2) and org-25's 101-0060 (1 → 3).
    let (a, b) = ("101-0084", "101-0060");
    let kommune = s.signed_in("kommune");
    let overview = kommune
        .get(s.url("/?on=2026-03-01"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        overview.contains("id=\"held\""),
        "the note on held placements"
    );
    assert!(overview.contains("ville flytte 6 af dem"), "{overview}");
    let page = kommune
        .get(s.url("/replacement?on=2026-04-01"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&format!("value=\"{a}\"")) && page.contains(&format!("value=\"{b}\"")));
    assert!(page.contains("Registrér godkendelse"));
    // An organisation sees its own department only; the steering group no form.
    let org = s.signed_in("org17");
    let page = org
        .get(s.url("/replacement?on=2026-04-01"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains(&format!(">{a}<")) && !page.contains(&format!(">{b}<")),
        "{page}"
    );
    let (status, api) = s.json(&org, "/api/v1/replacement?on=2026-04-01");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api["moves"].as_array().unwrap().len(), 1);
    let steering = s.signed_in("styregruppe");
    let page = steering
        .get(s.url("/replacement?on=2026-04-01"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains(&format!(">{b}<")) && !page.contains("Registrér godkendelse"));
    let st = csrf(&s, &steering);
    let res = post_approval(
        &s,
        &steering,
        st.as_str(),
        ("2026-05-01", "2026-04-20"),
        "x",
        a,
    );
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The municipality records the approval of `a` only.
    let kt = csrf(&s, &kommune);
    let approve = |reference: &str| {
        post_approval(
            &s,
            &kommune,
            kt.as_str(),
            ("2026-05-01", "2026-04-20"),
            reference,
            a,
        )
    };
    let res = approve("");
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reference is required"
    );
    assert!(res.text().unwrap().contains("Angiv en reference"));
    let res = post_approval(
        &s,
        &kommune,
        kt.as_str(),
        ("2026-04-01", "2026-04-20"),
        "x",
        a,
    );
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().unwrap().contains("før den er truffet"),
        "refused in Danish"
    );
    let res = approve("Samarbejdsforum 20.04.2026, pkt. 5");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let step_of = |id: &str, on: &str| {
        let (_, d) = s.json(&kommune, &format!("/api/v1/departments/{id}?on={on}"));
        (
            d["step"].as_str().unwrap().to_string(),
            d["basis"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(step_of(a, "2026-04-30"), ("1".into(), "held".into()));
    assert_eq!(step_of(a, "2026-05-01"), ("2".into(), "approved".into()));
    assert_eq!(step_of(b, "2026-05-01"), ("1".into(), "held".into()));
    let page = kommune
        .get(s.url("/replacement?on=2026-05-01"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("Samarbejdsforum 20.04.2026, pkt. 5"));
    assert!(
        !page.contains(&format!("value=\"{a}\"")),
        "no longer proposed"
    );
    // Another organisation's department approved in a decision of its own: the
    // organisation sees its own decisions only.
    let res = post_approval(
        &s,
        &kommune,
        kt.as_str(),
        ("2026-06-01", "2026-05-20"),
        "Samarbejdsforum 20.05.2026, pkt. 2",
        b,
    );
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let own = org
        .get(s.url("/replacement?on=2026-06-01"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        own.contains("pkt. 5") && !own.contains("pkt. 2") && !own.contains(b),
        "{own}"
    );
    // Withdrawn with a reason: held again.
    let decisions = cli_json(&s.db, &["placement", "decisions", "--json"]);
    let id = decisions
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["reference"] == "Samarbejdsforum 20.04.2026, pkt. 5")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let res = kommune
        .post(s.url("/replacement/withdraw"))
        .form(&[
            ("csrf", kt.as_str()),
            ("id", id.as_str()),
            ("reason", "forkert afdeling"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(step_of(a, "2026-05-01"), ("1".into(), "held".into()));
    // The whole proposal at once: every move of the proposal in force then.
    let res = kommune
        .post(s.url("/replacement/approve"))
        .form(&[
            ("csrf", kt.as_str()),
            ("municipality", "101"),
            ("from", "2026-07-01"),
            ("decided_on", "2026-06-20"),
            ("decided_by", "Samarbejdsforum"),
            ("reference", "Samarbejdsforum 20.06.2026, pkt. 1"),
            ("all", "1"),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .contains("recorded="));
    assert_eq!(step_of(a, "2026-07-01"), ("2".into(), "approved".into()));
    let (_, p) = s.json(&kommune, "/api/v1/replacement?on=2026-07-01");
    assert_eq!(p["moves"].as_array().unwrap().len(), 0, "{p}");
}
