-- trappe storage, version 1 (SQLite; exact decimals are TEXT, dates ISO TEXT). An applied
-- migration is never edited: add a
-- new numbered file instead (the test `migrations_are_never_edited` pins each hash).

CREATE TABLE organisation (
    id TEXT PRIMARY KEY,
    name TEXT
);

CREATE TABLE housing_area (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- The newest known master data of each department (from its newest snapshot).
CREATE TABLE department (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisation (id),
    area_id TEXT,
    local_district TEXT NOT NULL,
    family_homes INTEGER NOT NULL,
    youth_homes INTEGER NOT NULL,
    elderly_homes INTEGER NOT NULL,
    municipality_code TEXT,
    as_of TEXT NOT NULL
);

-- One imported file: key figures per reference date, a state list per list date,
-- pools or decisions per date. Never overwritten.
CREATE TABLE snapshot (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('departments', 'areas', 'pools', 'decisions')),
    reference_date TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    UNIQUE (kind, reference_date)
);

CREATE TABLE department_figures (
    snapshot_id INTEGER NOT NULL REFERENCES snapshot (id),
    position INTEGER NOT NULL,
    department_id TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    area_id TEXT,
    local_district TEXT NOT NULL,
    family_homes INTEGER NOT NULL,
    youth_homes INTEGER NOT NULL,
    elderly_homes INTEGER NOT NULL,
    residents INTEGER NOT NULL,
    municipality_code TEXT,
    unemployment_pct TEXT,
    convictions_pct TEXT,
    primary_education_pct TEXT,
    income_pct TEXT,
    non_western_pct TEXT,
    allocated_pct TEXT,
    PRIMARY KEY (snapshot_id, department_id)
);
CREATE INDEX department_figures_department ON department_figures (department_id);

CREATE TABLE area_figures (
    snapshot_id INTEGER NOT NULL REFERENCES snapshot (id),
    position INTEGER NOT NULL,
    area_id TEXT NOT NULL,
    name TEXT NOT NULL,
    residents INTEGER NOT NULL,
    designation TEXT,
    unemployment_pct TEXT,
    convictions_pct TEXT,
    primary_education_pct TEXT,
    income_pct TEXT,
    non_western_pct TEXT,
    unemployed_count INTEGER,
    aged_18_64_count INTEGER,
    convicted_count INTEGER,
    aged_18_plus_count INTEGER,
    primary_education_count INTEGER,
    aged_30_59_count INTEGER,
    prior_parallelsamfund_lists INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, area_id)
);

CREATE TABLE pool_figures (
    snapshot_id INTEGER NOT NULL REFERENCES snapshot (id),
    position INTEGER NOT NULL,
    pool_id TEXT NOT NULL,
    members TEXT NOT NULL,
    unemployment_pct TEXT NOT NULL,
    convictions_pct TEXT NOT NULL,
    primary_education_pct TEXT NOT NULL,
    income_pct TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, pool_id)
);

CREATE TABLE area_decision (
    snapshot_id INTEGER NOT NULL REFERENCES snapshot (id),
    position INTEGER NOT NULL,
    area_id TEXT NOT NULL,
    ground TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, area_id)
);

-- Agreement and law files by content hash, so a placement can be recomputed with
-- exactly the rules it was made with.
CREATE TABLE agreement (
    sha256 TEXT PRIMARY KEY,
    agreement_id TEXT NOT NULL,
    source TEXT NOT NULL,
    content TEXT NOT NULL,
    law_content TEXT NOT NULL,
    stored_at TEXT NOT NULL
);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One classification of one departments snapshot with the inputs in force on a date.
CREATE TABLE placement_run (
    id INTEGER PRIMARY KEY,
    on_date TEXT NOT NULL,
    departments_snapshot_id INTEGER NOT NULL REFERENCES snapshot (id),
    areas_snapshot_id INTEGER REFERENCES snapshot (id),
    pools_snapshot_id INTEGER REFERENCES snapshot (id),
    decisions_snapshot_id INTEGER REFERENCES snapshot (id),
    agreement_sha256 TEXT NOT NULL REFERENCES agreement (sha256),
    any_municipality INTEGER NOT NULL,
    program_version TEXT NOT NULL,
    parameters_sha256 TEXT NOT NULL,
    receipt TEXT NOT NULL,
    warnings TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX placement_run_on ON placement_run (on_date);

CREATE TABLE placement (
    run_id INTEGER NOT NULL REFERENCES placement_run (id),
    department_id TEXT NOT NULL,
    staircase TEXT NOT NULL,
    step TEXT NOT NULL,
    need TEXT,
    allocated_band TEXT,
    pool_id TEXT,
    detail TEXT NOT NULL,
    PRIMARY KEY (run_id, department_id)
);
CREATE INDEX placement_department ON placement (department_id);

-- Who imported or changed what, when. Append-only: the triggers refuse change.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
