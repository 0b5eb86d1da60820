-- trappe storage, version 2 (SQLite): homes and the vacancy ledger. An applied migration
-- is never edited: add a new numbered file instead.

-- The homes of each department, as the organisations register them. Replaced by a
-- newer homes file; the ledger keeps what a vacancy was decided on.
CREATE TABLE home (
    department_id TEXT NOT NULL,
    home_id TEXT NOT NULL,
    address TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('family', 'youth', 'elderly')),
    accessibility INTEGER NOT NULL,
    disability_fitted_kr TEXT,
    disability_fitted_on TEXT,
    special TEXT CHECK (special IN ('saerbolig', 'youth_shared', 'special_group', 'subsidy')),
    special_since TEXT,
    cheap INTEGER NOT NULL,
    first_use TEXT,
    shared_kitchen TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (department_id, home_id)
);

-- The vacancy ledger: every registration, outcome and letting decision, in order per
-- department (seq). Append-only: corrections are new entries. The wheel position is
-- derived from it, never kept as a counter.
CREATE TABLE vacancy_entry (
    id INTEGER PRIMARY KEY,
    department_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('register', 'outcome', 'decision')),
    vacancy_id INTEGER REFERENCES vacancy_entry (id),
    -- An outcome that corrects an earlier outcome of the same vacancy: the earlier one
    -- no longer counts anywhere (the ledger keeps both).
    corrects INTEGER REFERENCES vacancy_entry (id),
    home_id TEXT,
    on_date TEXT NOT NULL,
    action TEXT NOT NULL,
    channel TEXT,
    wheel_key TEXT,
    position INTEGER,
    slot INTEGER,
    consumes_slot INTEGER NOT NULL,
    credit INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    UNIQUE (department_id, seq)
);
CREATE INDEX vacancy_entry_vacancy ON vacancy_entry (vacancy_id);
CREATE UNIQUE INDEX vacancy_entry_corrects ON vacancy_entry (corrects);
CREATE INDEX vacancy_entry_home ON vacancy_entry (department_id, home_id);
CREATE INDEX vacancy_entry_date ON vacancy_entry (on_date);
CREATE TRIGGER vacancy_entry_no_update BEFORE UPDATE ON vacancy_entry
BEGIN SELECT RAISE(ABORT, 'vacancy_entry is append-only'); END;
CREATE TRIGGER vacancy_entry_no_delete BEFORE DELETE ON vacancy_entry
BEGIN SELECT RAISE(ABORT, 'vacancy_entry is append-only'); END;
