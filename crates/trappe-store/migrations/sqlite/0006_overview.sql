-- trappe storage, version 6 (SQLite): the municipality's overview and the placement in
-- force. An applied migration is never edited: add a new numbered file instead.
--
-- An agreement may put the municipality's own overview in force (Aalborg: the colour of
-- every department, updated three times a year): it is imported as a snapshot of kind
-- 'overview', one row per department. A placement keeps the placement in force (staircase,
-- step: what letting uses) and, beside it, on what basis it is in force and the computed
-- step where another one is in force.
--
-- The kind's CHECK changes, so the snapshot table is rebuilt as in version 5 (rows copied
-- aside, the table dropped with its foreign-key checks deferred, made again, the rows put
-- back with their ids) and its triggers made again.
CREATE TABLE snapshot_v5 AS SELECT * FROM snapshot;
PRAGMA defer_foreign_keys = ON;
DROP TABLE snapshot;
CREATE TABLE snapshot (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('departments', 'areas', 'pools', 'decisions', 'overview')),
    reference_date TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    generation INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, reference_date, generation)
);
INSERT INTO snapshot (id, kind, reference_date, file_name, file_sha256, content_sha256, row_count, imported_at, imported_by, generation)
SELECT id, kind, reference_date, file_name, file_sha256, content_sha256, row_count, imported_at, imported_by, generation FROM snapshot_v5;
DROP TABLE snapshot_v5;
PRAGMA defer_foreign_keys = OFF;

CREATE TRIGGER snapshot_no_update BEFORE UPDATE ON snapshot
BEGIN SELECT RAISE(ABORT, 'snapshot is append-only: withdraw a wrong one'); END;
CREATE TRIGGER snapshot_no_delete BEFORE DELETE ON snapshot
BEGIN SELECT RAISE(ABORT, 'snapshot is append-only: withdraw a wrong one'); END;

-- One department's step (a colour) in the municipality's overview.
CREATE TABLE overview_row (
    snapshot_id INTEGER NOT NULL REFERENCES snapshot (id),
    position INTEGER NOT NULL,
    department_id TEXT NOT NULL,
    step TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, department_id)
);

ALTER TABLE placement_run ADD COLUMN overview_snapshot_id INTEGER REFERENCES snapshot (id);
-- computed, provisional, overview or not_in_overview (trappe_rules::placement::InForce).
ALTER TABLE placement ADD COLUMN basis TEXT NOT NULL DEFAULT 'computed';
-- The computed step where another placement is in force.
ALTER TABLE placement ADD COLUMN computed_step TEXT;
