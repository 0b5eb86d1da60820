-- trappe storage, version 3 (SQLite): applicant decisions. An applied migration is never
-- edited: add a new numbered file instead.
--
-- Privacy: these tables keep what a decision needs and nothing more: the outcome per
-- criterion with its reason codes (never a conviction's law or date, never an income),
-- the kinds of document seen and when, and the ranking. The households themselves are
-- never stored; `inputs_sha256` ties a run to the file it was made from. Rows older
-- than the retention period are deleted by `trappe applicant purge`.

-- One ranking of applicants for a vacancy (or a department, slot and date).
CREATE TABLE ranking_run (
    id INTEGER PRIMARY KEY,
    vacancy_id INTEGER,
    department_id TEXT NOT NULL,
    on_date TEXT NOT NULL,
    channel TEXT NOT NULL,
    criteria TEXT,
    staircase TEXT NOT NULL,
    step TEXT NOT NULL,
    requirement TEXT NOT NULL,
    agreement_sha256 TEXT NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    applicants INTEGER NOT NULL,
    program_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX ranking_run_vacancy ON ranking_run (vacancy_id);
CREATE INDEX ranking_run_created ON ranking_run (created_at);

-- One applicant's place in a run, with the outcomes that put it there.
CREATE TABLE ranking_entry (
    run_id INTEGER NOT NULL REFERENCES ranking_run (id),
    position INTEGER NOT NULL,
    applicant_id TEXT NOT NULL,
    seniority TEXT NOT NULL,
    tier TEXT NOT NULL,
    meets INTEGER NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
);
CREATE INDEX ranking_entry_applicant ON ranking_entry (applicant_id);

-- A check of the law's limits on municipal allocation [CPH B5], and the municipality's
-- explicit exception when it allocates anyway.
CREATE TABLE allocation_check (
    id INTEGER PRIMARY KEY,
    vacancy_id INTEGER,
    department_id TEXT NOT NULL,
    area_id TEXT,
    on_date TEXT NOT NULL,
    citizen_ref TEXT NOT NULL,
    area_status TEXT NOT NULL,
    allowed INTEGER NOT NULL,
    -- The limits checked (ids) and those hit (id, member), and why the agreement
    -- suspends allocation here, if it does: the grounds of the decision, not its facts.
    checked TEXT NOT NULL,
    hits TEXT NOT NULL,
    suspended TEXT,
    exception INTEGER NOT NULL,
    note TEXT,
    agreement_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    CHECK (exception = 0 OR (note IS NOT NULL AND note <> ''))
);
CREATE INDEX allocation_check_created ON allocation_check (created_at);
