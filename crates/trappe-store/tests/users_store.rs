//! Users, sessions and login throttling on both engines.

mod common;

use chrono::{Duration, Utc};
use common::{load_example, open};
use rstest::rstest;
use trappe_store::users::Role;
use trappe_store::{Engine, StoreError};

#[rstest]
#[case::sqlite(Engine::Sqlite)]
#[case::postgres(Engine::Postgres)]
fn users_sessions_and_failures(#[case] engine: Engine) {
    if !common::available(engine) {
        return;
    }
    let f = common::fresh(engine);
    let mut store = open(&f);
    load_example(&mut store);
    let org = Role::Organisation {
        organisation_id: "org-17".into(),
    };
    let u = store
        .add_user("org17", "$argon2id$hash", &org, None, "test")
        .unwrap();
    assert_eq!(u.role, org);
    // A name once; an unknown organisation and a name with spaces are refused.
    assert!(matches!(
        store.add_user("org17", "h", &Role::Steering, None, "test"),
        Err(StoreError::Conflict(_))
    ));
    let unknown = Role::Organisation {
        organisation_id: "org-99".into(),
    };
    assert!(matches!(
        store.add_user("x", "h", &unknown, None, "test"),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.add_user("a b", "h", &Role::Steering, None, "test"),
        Err(StoreError::Invalid(_))
    ));
    // A municipality the database does not hold, and an organisation's user tied to one
    // municipality, are refused; a steering group of the example's municipality is not.
    assert!(matches!(
        store.add_user("s851", "h", &Role::Steering, Some("851"), "test"),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.add_user("o101", "h", &org, Some("101"), "test"),
        Err(StoreError::Invalid(_))
    ));
    let s = store
        .add_user("s101", "h", &Role::Steering, Some("0101"), "test")
        .unwrap();
    assert_eq!(s.municipality.as_deref(), Some("101"));
    let c = store.credentials("org17").unwrap().unwrap();
    assert_eq!(c.password_hash, "$argon2id$hash");
    assert!(store.credentials("nobody").unwrap().is_none());
    assert_eq!(store.users().unwrap().len(), 2);

    // A session is found by its token (the database holds only its hash) until it ends
    // or expires.
    store
        .create_session(&u, "token-1", "csrf-1", Duration::hours(1))
        .unwrap();
    let s = store.session("token-1").unwrap().expect("a live session");
    assert_eq!(
        (s.user.username.as_str(), s.csrf.as_str()),
        ("org17", "csrf-1")
    );
    assert!(store.session("token-2").unwrap().is_none());
    let held = trappe_store::test_support::sql(&mut store)
        .query("SELECT token_sha256 FROM app_session", &[])
        .unwrap();
    assert_ne!(held[0].text(0).unwrap(), "token-1");
    store
        .create_session(&u, "old", "c", Duration::hours(-1))
        .unwrap();
    assert!(store.session("old").unwrap().is_none(), "expired");
    store.end_session("token-1", "org17").unwrap();
    assert!(store.session("token-1").unwrap().is_none());

    // Failures are counted per name and per client since a time, and forgotten.
    let since = Utc::now() - Duration::minutes(15);
    for _ in 0..3 {
        store.record_login_failure("org17", "10.0.0.1").unwrap();
    }
    store.record_login_failure("other", "10.0.0.1").unwrap();
    assert_eq!(
        store.login_failures("org17", "10.0.0.1", since).unwrap(),
        (3, 4)
    );
    assert_eq!(
        store
            .login_failures("org17", "10.0.0.1", Utc::now() + Duration::minutes(1))
            .unwrap(),
        (0, 0)
    );
    // The lock-out is per user and client: another address has no failures of org17.
    assert_eq!(
        store.login_failures("org17", "10.0.0.2", since).unwrap(),
        (0, 0)
    );
    // An attempt refused while locked out is forgotten, so it does not count.
    let id = store.record_login_failure("org17", "10.0.0.1").unwrap();
    store.forget_login_failure(id).unwrap();
    assert_eq!(
        store.login_failures("org17", "10.0.0.1", since).unwrap(),
        (3, 4)
    );
    // A success forgets the name's failures from that client only.
    store.record_login_failure("org17", "10.0.0.2").unwrap();
    store.clear_login_failures("org17", "10.0.0.1").unwrap();
    assert_eq!(
        store.login_failures("org17", "10.0.0.1", since).unwrap(),
        (0, 1)
    );
    assert_eq!(
        store.login_failures("org17", "10.0.0.2", since).unwrap(),
        (1, 1)
    );
    // Signing in and out is audited with the user.
    let log = store.audit_log(20).unwrap();
    assert!(log
        .iter()
        .any(|e| e.action == "sign_in" && e.actor == "org17"));
    assert!(log
        .iter()
        .any(|e| e.action == "sign_out" && e.actor == "org17"));
    assert!(log
        .iter()
        .any(|e| e.action == "add_user" && e.subject == "org17"));
}
