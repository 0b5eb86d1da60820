//! For the test suites: what they need from outside this process (PostgreSQL, a
//! browser) and what they do when it is missing.
//!
//! Outside CI a test whose service is missing is skipped and says so on the terminal
//! (written to the process's standard error directly, so the test harness does not
//! swallow it), with what to run to set the service up. Under CI (`CI=true`) nothing may
//! be skipped: a missing service fails the test, naming what is missing.

use std::io::Write;
use std::sync::OnceLock;
use std::time::Duration;

/// The PostgreSQL the tests use: `$TRAPPE_TEST_POSTGRES`, else the local server's `test`
/// database with trust auth.
pub fn postgres_url() -> String {
    std::env::var("TRAPPE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Whether the tests' PostgreSQL answers (asked once per test process, 3 s at most).
fn postgres_answers() -> Result<(), String> {
    static ANSWER: OnceLock<Result<(), String>> = OnceLock::new();
    ANSWER
        .get_or_init(|| {
            let url = postgres_url();
            let mut config: postgres::Config = url.parse().map_err(|e| {
                format!("TRAPPE_TEST_POSTGRES={url:?} is not a PostgreSQL URL: {e}")
            })?;
            config.connect_timeout(Duration::from_secs(3));
            config.connect(postgres::NoTls).map(drop).map_err(|e| {
                let cause = std::error::Error::source(&e)
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default();
                format!("PostgreSQL at {url} does not answer: {e}{cause}")
            })
        })
        .clone()
}

/// Whether running under CI, where nothing may be skipped.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// True when `found` is Ok; otherwise skips the calling test (false) with a line on the
/// terminal, or, under CI, fails it naming what is missing.
pub fn needs(service: &str, found: Result<(), String>) -> bool {
    let Err(why) = found else {
        return true;
    };
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    if under_ci() {
        panic!("CI=true and {test} needs {service}: {why}. Nothing may be skipped under CI: run scripts/test (or .ci/run), which sets it up.");
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: needs {service} — {why}. `scripts/test` sets it up; CI=true makes this a failure."
    );
    false
}

/// True when the tests' PostgreSQL answers; else skips (or, under CI, fails) the test.
pub fn needs_postgres() -> bool {
    needs("PostgreSQL", postgres_answers())
}

/// The store's connection, for the store's own tests that check the schema itself
/// (triggers, constraints, foreign keys) with SQL. Nothing outside the store's tests
/// may call this: it exists only with the store's `test-support` feature, which only the
/// store's own dev-dependency turns on, and the architecture test refuses it elsewhere.
#[cfg(feature = "test-support")]
pub fn sql(store: &mut crate::Store) -> &mut crate::Conn {
    &mut store.conn
}
