-- trappe storage, version 4 (SQLite): users, sessions and login throttling for the web
-- application. An applied migration is never edited: add a new numbered file instead.

-- A local account. The password is kept only as an Argon2id hash (PHC string).
CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('municipality', 'organisation', 'steering')),
    organisation_id TEXT,
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    CHECK ((role = 'organisation') = (organisation_id IS NOT NULL))
);

-- A signed-in browser: the SHA-256 of the cookie's random token (never the token), the
-- CSRF token of its forms, and when it expires.
CREATE TABLE app_session (
    token_sha256 TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX app_session_user ON app_session (user_id);

-- Failed sign-ins, for throttling (by user name and by client address).
CREATE TABLE login_failure (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failure_at ON login_failure (at);
