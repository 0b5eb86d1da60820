//! The web application in a real headless browser: Debian's Chromium driven over
//! WebDriver (chromedriver, started here on a free port) against a `trappe serve --demo`
//! child process, as in `web.rs`. Keyboard-only sign-in, labels and landmarks, the
//! overview's filter, the department page, the language switch, sign-out and the charts.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`; `.ci/run` installs them); other paths can be given in
//! `TRAPPE_CHROMIUM` and `TRAPPE_CHROMEDRIVER`. Screenshots go to
//! `target/browser-artifacts/`, with one of the page whenever a test fails.

mod common;

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Server;
use serde_json::{json, Value};
use thirtyfour::common::config::WebDriverConfig;
use thirtyfour::components::SelectElement;
use thirtyfour::extensions::cdp::ChromeDevTools;
use thirtyfour::extensions::query::ElementPollerWithTimeout;
use thirtyfour::prelude::*;

/// How long an explicit wait waits before the test fails.
const WAIT: Duration = Duration::from_secs(15);
/// How often an explicit wait looks again.
const POLL: Duration = Duration::from_millis(50);

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-artifacts");
    std::fs::create_dir_all(&dir).expect("cannot create target/browser-artifacts");
    dir
}

/// Whether Chromium and ChromeDriver are there; else the test is skipped with a line on
/// the terminal (or, under CI, fails naming what is missing).
fn browser_available() -> bool {
    let missing: Vec<String> = [
        ("TRAPPE_CHROMIUM", "/usr/bin/chromium"),
        ("TRAPPE_CHROMEDRIVER", "/usr/bin/chromedriver"),
    ]
    .iter()
    .map(|(var, default)| std::env::var(var).unwrap_or_else(|_| default.to_string()))
    .filter(|path| !Path::new(path).is_file())
    .collect();
    trappe_store::test_support::needs(
        "Chromium and ChromeDriver",
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} missing (`apt-get install chromium chromium-driver`, or set TRAPPE_CHROMIUM and TRAPPE_CHROMEDRIVER)",
                missing.join(" and ")
            ))
        },
    )
}

/// A program the tests need: its path, or a failure saying how to install it.
fn required(var: &str, default: &str) -> String {
    let path = std::env::var(var).unwrap_or_else(|_| default.to_string());
    assert!(
        Path::new(&path).is_file(),
        "the browser tests need {path} (set {var} for another path): install Chromium and \
         ChromeDriver with `apt-get install chromium chromium-driver` (.ci/run does this)"
    );
    path
}

/// A chromedriver on a free loopback port; killed when dropped.
struct ChromeDriver {
    child: Child,
    url: String,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ChromeDriver {
    async fn start(name: &str) -> ChromeDriver {
        let program = required("TRAPPE_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let log = artifacts().join(format!("chromedriver-{name}.log"));
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        let mut driver = ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        // Ready when its status says so.
        let client = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = driver.child.try_wait().unwrap() {
                panic!(
                    "{program} exited at start ({status}); see {}",
                    log.display()
                );
            }
            let ready = match client.get(format!("{}/status", driver.url)).send().await {
                Ok(res) => res
                    .json::<Value>()
                    .await
                    .is_ok_and(|v| v["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{program} did not get ready on port {port}; see {}",
                log.display()
            );
            tokio::time::sleep(POLL).await;
        }
        driver
    }

    /// A new headless Chromium session, 1280×900.
    async fn session(&self, profile: &Path) -> WebDriver {
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&required("TRAPPE_CHROMIUM", "/usr/bin/chromium"))
            .unwrap();
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            &format!("--user-data-dir={}", profile.display()),
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.set_base_capability("goog:loggingPrefs", json!({ "browser": "ALL" }))
            .unwrap();
        let config = WebDriverConfig::builder()
            .poller(Arc::new(ElementPollerWithTimeout::new(WAIT, POLL)))
            .build()
            .unwrap();
        WebDriver::new_with_config(&self.url, caps, config)
            .await
            .unwrap_or_else(|e| panic!("cannot start a Chromium session: {e}"))
    }
}

/// What a test gets: the browser and the server's address.
#[derive(Clone)]
struct Browser {
    driver: WebDriver,
    base: String,
    chromedriver: String,
}

/// Starts chromedriver, the server and a browser, runs `test`, and always closes the
/// browser; a failing test leaves `<name>-failure.png` among the artefacts.
async fn with_browser<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = WebDriverResult<()>> + Send + 'static,
{
    if !browser_available() {
        return;
    }
    let failure = artifacts().join(format!("{name}-failure.png"));
    let _ = std::fs::remove_file(&failure);
    let chromedriver = ChromeDriver::start(name).await;
    let server = Server::start();
    let profile = tempfile::tempdir().unwrap();
    let driver = chromedriver.session(profile.path()).await;
    let browser = Browser {
        driver: driver.clone(),
        base: server.base.clone(),
        chromedriver: chromedriver.url.clone(),
    };
    let outcome = tokio::spawn(test(browser)).await;
    if !matches!(outcome, Ok(Ok(()))) {
        let _ = driver.screenshot(&failure).await;
    }
    let quit = driver.quit().await;
    drop(chromedriver);
    drop(server);
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{name}: WebDriver error: {e}"),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
    quit.expect("the browser closes");
}

impl Browser {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn path(&self) -> WebDriverResult<String> {
        let url = self.driver.current_url().await?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        })
    }

    /// Waits until `check` holds; fails with `what` when it does not in time.
    async fn until<F, Fut>(&self, what: &str, mut check: F) -> WebDriverResult<()>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = WebDriverResult<bool>>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            if check().await? {
                return Ok(());
            }
            if Instant::now() >= deadline {
                panic!("timed out waiting for {what} (at {})", self.path().await?);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the browser is on `path` (no query) and the page has loaded.
    async fn on_page(&self, path: &str) -> WebDriverResult<()> {
        self.until(&format!("the page {path}"), || async {
            let url = self.driver.current_url().await?;
            let state = self
                .driver
                .execute("return document.readyState", vec![])
                .await?;
            Ok(url.path() == path && state.json() == "complete")
        })
        .await
    }

    /// Does `act` (a click, a key) and waits until it has left the current page.
    async fn leaving<Fut>(&self, act: Fut) -> WebDriverResult<()>
    where
        Fut: Future<Output = WebDriverResult<()>>,
    {
        let old = self.driver.find(By::Tag("html")).await?;
        act.await?;
        old.wait_until().stale().await
    }

    async fn script(&self, js: &str) -> WebDriverResult<Value> {
        Ok(self.driver.execute(js, vec![]).await?.json().clone())
    }

    async fn text(&self, css: &str) -> WebDriverResult<String> {
        self.driver.query(By::Css(css)).first().await?.text().await
    }

    async fn count(&self, css: &str) -> WebDriverResult<usize> {
        Ok(self.driver.find_all(By::Css(css)).await?.len())
    }

    async fn active_id(&self) -> WebDriverResult<Option<String>> {
        self.driver.active_element().await?.id().await
    }

    /// The status of a GET of `path` by the page itself (with its cookies).
    async fn fetch_status(&self, path: &str) -> WebDriverResult<Value> {
        let js = "const done = arguments[arguments.length - 1];
                  fetch(arguments[0], { credentials: 'same-origin' })
                    .then(r => done(r.status), e => done('failed: ' + e));";
        Ok(self
            .driver
            .execute_async(js, vec![json!(path)])
            .await?
            .json()
            .clone())
    }

    /// The browser console's errors since the last call (CSP refusals, script errors,
    /// failed loads).
    async fn console_errors(&self) -> WebDriverResult<Vec<String>> {
        let url = format!(
            "{}/session/{}/se/log",
            self.chromedriver,
            self.driver.session_id()
        );
        let log: Value = reqwest::Client::new()
            .post(url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("chromedriver gives the browser's log")
            .json()
            .await
            .expect("the log is JSON");
        Ok(log["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            // The browser's own request for /favicon.ico (the site has none): noise.
            .filter(|e| {
                !e["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("/favicon.ico")
            })
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect())
    }

    async fn assert_no_console_errors(&self, page: &str) -> WebDriverResult<()> {
        let errors = self.console_errors().await?;
        assert!(errors.is_empty(), "console errors on {page}: {errors:#?}");
        Ok(())
    }

    /// Labels and landmarks: every form control (but hidden fields and buttons) has a
    /// non-empty `<label>` (by `for`/`id` or around it); one `<main>`, one `<h1>`, and
    /// the page's language.
    async fn assert_accessible(&self, page: &str, lang: &str) -> WebDriverResult<()> {
        let unlabelled = self
            .script(
                "return [...document.querySelectorAll('input, select, textarea')]
                   .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
                   .filter(el => ![...(el.labels || [])].some(l => l.textContent.trim() !== ''))
                   .map(el => el.outerHTML);",
            )
            .await?;
        assert_eq!(unlabelled, json!([]), "controls without a label on {page}");
        let controls = self
            .script(
                "return document.querySelectorAll('input:not([type=hidden]), select, textarea').length;",
            )
            .await?;
        assert!(controls.as_u64() > Some(0), "{page} has form controls");
        assert_eq!(self.count("main").await?, 1, "one <main> on {page}");
        assert_eq!(self.count("h1").await?, 1, "one <h1> on {page}");
        assert!(
            !self.text("h1").await?.trim().is_empty(),
            "an <h1> with text on {page}"
        );
        let html_lang = self
            .driver
            .find(By::Tag("html"))
            .await?
            .attr("lang")
            .await?;
        assert_eq!(html_lang.as_deref(), Some(lang), "the language of {page}");
        Ok(())
    }

    /// A screenshot of the whole page (not just the window) among the artefacts.
    async fn full_screenshot(&self, file: &str) -> WebDriverResult<PathBuf> {
        let tools = ChromeDevTools::new(self.driver.handle.clone());
        let metrics = tools.execute_cdp("Page.getLayoutMetrics").await?;
        let size = &metrics["cssContentSize"];
        let shot = tools
            .execute_cdp_with_params(
                "Page.captureScreenshot",
                json!({
                    "format": "png",
                    "captureBeyondViewport": true,
                    "clip": {
                        "x": 0, "y": 0, "scale": 1,
                        "width": size["width"], "height": size["height"],
                    },
                }),
            )
            .await?;
        let data = shot["data"].as_str().expect("a PNG in base64");
        let png = base64_decode(data);
        let path = artifacts().join(file);
        std::fs::write(&path, png).expect("the screenshot is written");
        Ok(path)
    }
}

/// Standard base64 (the screenshot from the DevTools protocol).
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let bytes: Vec<u8> = text.bytes().filter(|c| *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0, |n, (i, c)| n | value(*c) << (18 - 6 * i));
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..chunk.len() - 1]);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_by_keyboard_filter_open_a_department_switch_language_and_sign_out() {
    with_browser("journey", |b| async move {
        let d = &b.driver;

        // Anonymous: the site sends the browser to the sign-in page.
        d.goto(b.url("/")).await?;
        b.on_page("/login").await?;
        b.assert_accessible("the sign-in page", "da").await?;
        assert_eq!(b.text("h1").await?, "Log ind");
        d.screenshot(&artifacts().join("login.png")).await?;

        // Sign in with the keyboard alone: the user-name field has the focus from the
        // start (autofocus), Tab goes on to the password, Enter sends the form.
        b.until("the focus in the user-name field", || async {
            Ok(b.active_id().await?.as_deref() == Some("username"))
        })
        .await?;
        d.action_chain().send_keys("kommune").perform().await?;
        d.action_chain().send_keys(Key::Tab).perform().await?;
        assert_eq!(
            b.active_id().await?.as_deref(),
            Some("password"),
            "Tab goes from the user name to the password"
        );
        d.action_chain().send_keys("demo-kommune").perform().await?;
        b.leaving(d.action_chain().send_keys(Key::Enter).perform())
            .await?;
        b.on_page("/").await?;
        b.assert_accessible("the overview", "da").await?;
        assert!(
            b.text("header").await?.contains("kommune"),
            "the header names the signed-in user"
        );
        assert_eq!(b.fetch_status("/api/v1/me").await?, json!(200));
        d.screenshot(&artifacts().join("overview-all.png")).await?;

        // The step filter: 16 departments on step 4 of the department staircase.
        // Nothing typed in the search field: pressing "Vis" must not search for anything.
        let search = d.find(By::Id("q")).await?.value().await?;
        assert_eq!(
            search.as_deref(),
            Some(""),
            "the search field of an unfiltered overview is empty (overview.html renders \
             `value=\"{{{{ f.q }}}}\"`, which shows \"None\" when there is no search, so \
             pressing the button searches for \"None\" and finds no department)"
        );
        let step = SelectElement::new(&d.find(By::Id("step")).await?).await?;
        step.select_by_exact_text("Afdelingstrappen trin 4").await?;
        let apply = d.find(By::Id("apply")).await?;
        b.leaving(apply.click()).await?;
        b.on_page("/").await?;
        assert!(
            b.path().await?.contains("step=department%3A4"),
            "the filter is in the address: {}",
            b.path().await?
        );
        let chosen = SelectElement::new(&d.find(By::Id("step")).await?)
            .await?
            .first_selected_option()
            .await?;
        assert_eq!(chosen.text().await?, "Afdelingstrappen trin 4");
        let rows = d.find_all(By::Css("#departments tbody tr")).await?;
        assert_eq!(rows.len(), 16, "16 departments on department step 4");
        for row in &rows {
            assert!(row.text().await?.contains("Afdelingstrappen trin 4"));
        }
        assert_eq!(b.text("#row-count").await?, "(16)");
        b.assert_no_console_errors("the overview").await?;
        d.screenshot(&artifacts().join("overview.png")).await?;
        b.full_screenshot("overview-full.png").await?;

        // The department page, by its link in the table.
        let link = d
            .find(By::Css(
                "#departments tbody a[href^='/departments/101-0001']",
            ))
            .await?;
        assert_eq!(link.text().await?, "101-0001");
        b.leaving(link.click()).await?;
        b.on_page("/departments/101-0001").await?;
        assert!(b.text("h1").await?.starts_with("101-0001"));
        assert!(
            b.count("#reasons li").await? >= 1,
            "the placement has its reasons"
        );
        assert!(
            b.count("#indicators tbody tr").await? >= 1,
            "the key figures against the thresholds"
        );
        assert!(!b.text("#reasons li").await?.trim().is_empty());
        b.assert_no_console_errors("the department page").await?;
        d.screenshot(&artifacts().join("department.png")).await?;
        b.full_screenshot("department-full.png").await?;

        // English, by the header's link; back on the same page.
        let english = d.find(By::Css("header a[href^='/lang/en']")).await?;
        assert_eq!(english.text().await?, "English");
        b.leaving(english.click()).await?;
        b.on_page("/departments/101-0001").await?;
        let lang = d.find(By::Tag("html")).await?.attr("lang").await?;
        assert_eq!(lang.as_deref(), Some("en"));
        let headings = b
            .script("return [...document.querySelectorAll('h2')].map(h => h.textContent.trim());")
            .await?;
        for heading in ["Key figures against the thresholds", "Reasons"] {
            assert!(
                headings.as_array().unwrap().contains(&json!(heading)),
                "{heading:?} among {headings}"
            );
        }
        assert_eq!(b.text("#indicators thead th").await?, "Criterion");
        assert!(b.text("main").await?.contains("Back to the overview"));
        assert_eq!(b.text("header a[href^='/lang/da']").await?, "Dansk");
        d.screenshot(&artifacts().join("department-en.png")).await?;

        // Sign out with the header's button: back on the sign-in page, session gone.
        let sign_out = d
            .find(By::Css("header form[action='/logout'] button"))
            .await?;
        assert_eq!(sign_out.text().await?, "Sign out");
        b.leaving(sign_out.click()).await?;
        b.on_page("/login").await?;
        assert_eq!(b.text("h1").await?, "Sign in");
        assert_eq!(d.find(By::Tag("label")).await?.text().await?, "User name");
        b.assert_no_console_errors("the pages in English").await?;
        assert_eq!(b.fetch_status("/api/v1/me").await?, json!(401));
        b.console_errors().await?; // the 401 just asked for
        d.goto(b.url("/departments/101-0001")).await?;
        b.on_page("/login").await?;
        b.assert_no_console_errors("the sign-in page after sign-out")
            .await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_canvas_charts_render() {
    with_browser("charts", |b| async move {
        let d = &b.driver;
        d.goto(b.url("/login")).await?;
        b.on_page("/login").await?;
        d.find(By::Id("username"))
            .await?
            .send_keys("styregruppe")
            .await?;
        d.find(By::Id("password"))
            .await?
            .send_keys("demo-styregruppe")
            .await?;
        let submit = d.find(By::Css("form.login button[type=submit]")).await?;
        b.leaving(submit.click()).await?;
        b.on_page("/").await?;

        let drawn = |canvas: &'static str| {
            let b = b.clone();
            async move {
                let js = format!(
                    "return typeof Chart !== 'undefined' \
                     && Chart.getChart(document.getElementById('{canvas}')) !== undefined;"
                );
                b.until(&format!("a chart on #{canvas}"), || async {
                    Ok(b.script(&js).await? == json!(true))
                })
                .await?;
                let canvas = b.driver.find(By::Id(canvas)).await?;
                let rect = canvas.rect().await?;
                assert!(
                    rect.width > 100.0 && rect.height > 100.0,
                    "the chart has a size: {rect:?}"
                );
                WebDriverResult::Ok(())
            }
        };
        assert_eq!(b.count("canvas#steps-chart").await?, 1);
        drawn("steps-chart").await?;
        b.assert_no_console_errors("the overview").await?;

        d.goto(b.url("/departments/101-0001")).await?;
        b.on_page("/departments/101-0001").await?;
        drawn("history-chart").await?;
        drawn("steps-history-chart").await?;
        drawn("indicators-chart").await?;
        b.assert_no_console_errors("the department page").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_and_resolve_a_vacancy_and_see_an_upload_error() {
    with_browser("vacancy", |b| async move {
        let d = &b.driver;
        // A date input takes its value in the browser's own format when typed; set by
        // script it is always ISO, and the change event tells the page as a user would.
        let set_date = |id: &'static str, date: &'static str| {
            let b = b.clone();
            async move {
                let input = b.driver.find(By::Id(id)).await?;
                b.driver
                    .execute(
                        "arguments[0].value = arguments[1];
                         arguments[0].dispatchEvent(new Event('input', { bubbles: true }));
                         arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
                        vec![input.to_json()?, json!(date)],
                    )
                    .await?;
                assert_eq!(input.value().await?.as_deref(), Some(date), "#{id}");
                WebDriverResult::Ok(())
            }
        };

        // Sign in as the municipality.
        d.goto(b.url("/login")).await?;
        b.on_page("/login").await?;
        d.find(By::Id("username"))
            .await?
            .send_keys("kommune")
            .await?;
        d.find(By::Id("password"))
            .await?
            .send_keys("demo-kommune")
            .await?;
        let submit = d.find(By::Css("form.login button[type=submit]")).await?;
        b.leaving(submit.click()).await?;
        b.on_page("/").await?;

        // "Ledige boliger" by the header's link.
        let vacancies = d.find(By::Css("header a[href='/vacancies']")).await?;
        assert_eq!(vacancies.text().await?, "Ledige boliger");
        b.leaving(vacancies.click()).await?;
        b.on_page("/vacancies").await?;
        b.assert_accessible("the vacancies page", "da").await?;
        assert_eq!(b.count("#vacancies tbody tr").await?, 0, "no vacancies yet");

        // Register home 0001 of 101-0001, vacated 3 June, received 2 May.
        let department = SelectElement::new(&d.find(By::Id("rdepartment")).await?).await?;
        department.select_by_value("101-0001").await?;
        d.find(By::Id("rhome")).await?.send_keys("0001").await?;
        set_date("rvacated", "2024-06-03").await?;
        set_date("rreceived", "2024-05-02").await?;
        let register = d.find(By::Id("register-button")).await?;
        b.leaving(register.click()).await?;
        b.on_page("/vacancies/1").await?;
        assert!(b.text("h1").await?.contains("101-0001 / 0001"));
        let channel = b.text("#channel").await?;
        assert!(
            channel.contains("fleksibel udlejning"),
            "the channel of the vacancy: {channel:?}"
        );
        let reasons = b
            .script(
                "return [...document.querySelectorAll('#reasons li')].map(li => li.textContent);",
            )
            .await?;
        assert!(
            reasons
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.as_str().unwrap_or_default().contains("plads 1 i runde 1")),
            "the reasons name the place in the rotation: {reasons}"
        );
        assert_eq!(b.count("#outcomes tbody tr").await?, 0, "no outcome yet");
        b.assert_no_console_errors("the new vacancy").await?;
        b.full_screenshot("vacancy.png").await?;

        // Resolve it: let on 1 July by flexible letting.
        let outcome = SelectElement::new(&d.find(By::Id("outcome")).await?).await?;
        outcome.select_by_value("let").await?;
        set_date("on", "2024-07-01").await?;
        let let_channel = SelectElement::new(&d.find(By::Id("channel-let")).await?).await?;
        let_channel.select_by_value("flexible").await?;
        let chosen = SelectElement::new(&d.find(By::Id("channel-let")).await?)
            .await?
            .first_selected_option()
            .await?;
        assert_eq!(chosen.text().await?, "fleksibel udlejning");
        let resolve = d.find(By::Id("resolve-button")).await?;
        b.leaving(resolve.click()).await?;
        b.on_page("/vacancies/1").await?;
        assert_eq!(b.text("#now").await?, "afsluttet");
        let outcomes = d.find_all(By::Css("#outcomes tbody tr")).await?;
        assert_eq!(outcomes.len(), 1, "one outcome recorded");
        let row = outcomes[0].text().await?;
        assert!(
            row.contains("kommune"),
            "the outcome names its actor: {row:?}"
        );
        assert!(row.contains("2024-07-01"), "the outcome's date: {row:?}");
        b.assert_no_console_errors("the resolved vacancy").await?;
        b.full_screenshot("vacancy-resolved.png").await?;

        // "Indlæs data": an areas list with a bad number on line 4 is refused.
        let imports = d.find(By::Css("header a[href='/imports']")).await?;
        b.leaving(imports.click()).await?;
        b.on_page("/imports").await?;
        b.assert_accessible("the imports page", "da").await?;
        let areas_held = || async {
            let kinds = b
                .script(
                    "return [...document.querySelectorAll('#snapshots tbody tr')]
                       .map(tr => tr.cells[0].dataset.kind);",
                )
                .await?;
            WebDriverResult::Ok(
                kinds
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|k| *k == "areas")
                    .count(),
            )
        };
        assert_eq!(areas_held().await?, 1, "the demo holds one areas list");

        let example =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/copenhagen/areas.csv");
        let csv = std::fs::read_to_string(&example).expect("the example areas list");
        let bad: Vec<String> = csv
            .lines()
            .enumerate()
            .map(|(i, line)| {
                if i == 3 {
                    let mut cells: Vec<&str> = line.split(',').collect();
                    cells[2] = "13x0";
                    cells.join(",")
                } else {
                    line.to_string()
                }
            })
            .collect();
        let upload_dir = tempfile::tempdir().unwrap();
        let file = upload_dir.path().join("areas.csv");
        std::fs::write(&file, bad.join("\n") + "\n").unwrap();

        let kind = SelectElement::new(&d.find(By::Id("kind")).await?).await?;
        kind.select_by_value("areas").await?;
        set_date("date", "2024-12-01").await?;
        d.find(By::Id("file"))
            .await?
            .send_keys(file.to_str().unwrap())
            .await?;
        let upload = d.find(By::Id("upload-button")).await?;
        b.leaving(upload.click()).await?;
        b.on_page("/imports").await?;
        let errors = d.find(By::Id("import-errors")).await?;
        assert!(errors.is_displayed().await?, "the errors are shown");
        assert_eq!(errors.attr("role").await?.as_deref(), Some("alert"));
        let cells = b
            .script(
                "return [...document.querySelectorAll('#import-errors tbody tr')]
                   .map(tr => [...tr.cells].map(td => td.textContent.trim()));",
            )
            .await?;
        assert!(
            cells
                .as_array()
                .unwrap()
                .iter()
                .any(|row| row[0] == "4" && row[2] == "13x0"),
            "the bad cell by its line and value: {cells}"
        );
        let text = errors.text().await?;
        assert!(text.contains("13x0"), "the bad value: {text:?}");
        assert_eq!(
            b.count("#import-checked, #import-done").await?,
            0,
            "nothing checked or stored"
        );
        // The refusal comes with status 422, which the browser logs as a failed load of
        // the page itself: expected, and the only error allowed.
        let errors = b.console_errors().await?;
        assert!(
            errors
                .iter()
                .all(|e| e.contains("/imports - Failed to load resource")
                    && e.contains("status of 422")),
            "console errors on the refused import: {errors:#?}"
        );
        b.full_screenshot("import-error.png").await?;

        // Nothing stored: the list of imported files still holds the one areas list.
        // (Looked at on a fresh /imports: the refusal page itself renders the table empty,
        // as `upload` in src/web/imports.rs gives it no `snapshots`.)
        let imports = d.find(By::Css("header a[href='/imports']")).await?;
        b.leaving(imports.click()).await?;
        b.on_page("/imports").await?;
        assert_eq!(b.count("#import-errors").await?, 0);
        assert_eq!(areas_held().await?, 1, "still one areas list");
        b.assert_no_console_errors("the imports page").await?;
        Ok(())
    })
    .await;
}

/// Aalborg's red and yellow departments in one overview [AAL Monitorering: "samles røde og
/// gule afdelinger i én oversigt"], as Aalborg's municipality sees it in the demo: an
/// accessible table of its own departments only, coloured, that prints cleanly (under
/// print media the navigation, the links and the footer are hidden; the table stays).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aalborg_red_and_yellow_in_one_overview_prints_cleanly() {
    with_browser("red-yellow", |b| async move {
        let d = &b.driver;
        d.goto(b.url("/login")).await?;
        b.on_page("/login").await?;
        d.find(By::Id("username")).await?.send_keys("aalborg").await?;
        d.find(By::Id("password"))
            .await?
            .send_keys("demo-aalborg")
            .await?;
        let submit = d.find(By::Css("form.login button[type=submit]")).await?;
        b.leaving(submit.click()).await?;
        b.on_page("/").await?;
        // The overview says whose colours these are and links to the one overview.
        assert!(b.text("#in-force").await?.contains("kommunens oversigt"));
        let link = d.find(By::Css("#in-force a")).await?;
        b.leaving(link.click()).await?;
        b.on_page("/red-yellow").await?;
        b.assert_accessible("the red and yellow overview", "da").await?;
        let rows = b.count("#red-yellow tbody tr").await?;
        assert!(rows > 10, "{rows} red and yellow departments");
        let ids = b
            .script("return [...document.querySelectorAll('#red-yellow tbody tr')].map(tr => tr.cells[0].textContent);")
            .await?;
        assert!(
            ids.as_array().unwrap().iter().all(|i| i.as_str().unwrap().starts_with("851-")),
            "Aalborg's own departments only: {ids}"
        );
        assert!(b.count("#red-yellow .step.red").await? > 0, "red shown as a badge");
        b.assert_no_console_errors("the red and yellow overview").await?;
        // Printed: the navigation, the links and the footer go; the table stays.
        let tools = ChromeDevTools::new(d.handle.clone());
        tools
            .execute_cdp_with_params("Emulation.setEmulatedMedia", json!({"media": "print"}))
            .await?;
        let shown = |css: &'static str| {
            let b = b.clone();
            async move {
                let js = format!(
                    "const e = document.querySelector('{css}'); return e !== null && getComputedStyle(e).display !== 'none';"
                );
                WebDriverResult::Ok(b.script(&js).await? == json!(true))
            }
        };
        assert!(!shown("header nav").await?, "no navigation on paper");
        assert!(!shown("footer").await?, "no footer on paper");
        assert!(!shown("p.no-print").await?, "no download links on paper");
        assert!(shown("#red-yellow").await?, "the table on paper");
        let pdf = d.print_page(Default::default()).await?;
        assert!(pdf.starts_with(b"%PDF"), "the page prints");
        std::fs::write(artifacts().join("red-yellow.pdf"), &pdf).ok();
        Ok(())
    })
    .await;
}
