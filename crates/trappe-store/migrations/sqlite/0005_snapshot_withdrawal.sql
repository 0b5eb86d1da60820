-- trappe storage, version 5 (SQLite): the municipality can withdraw a wrong snapshot.
-- An applied migration is never edited: add a new numbered file instead.
--
-- A withdrawal is its own row; the withdrawn snapshot and its rows stay. A (kind,
-- reference date) is unique among the snapshots not withdrawn: the first snapshot of
-- a date is generation 0, one imported after n withdrawals of that date generation n,
-- so two imports of one date at once still collide on UNIQUE.
--
-- SQLite changes a UNIQUE constraint only by rebuilding the table, inside the
-- migration's transaction (where foreign_keys cannot be switched off). The rows are
-- copied aside, the table is dropped with its foreign-key checks deferred (the other
-- tables' REFERENCES snapshot (id) name it, not the copy), made again, and the rows
-- with their ids put back: every reference has its parent again before the commit
-- checks them.
CREATE TABLE snapshot_v4 AS SELECT * FROM snapshot;
PRAGMA defer_foreign_keys = ON;
DROP TABLE snapshot;
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
    generation INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, reference_date, generation)
);
INSERT INTO snapshot (id, kind, reference_date, file_name, file_sha256, content_sha256, row_count, imported_at, imported_by, generation)
SELECT id, kind, reference_date, file_name, file_sha256, content_sha256, row_count, imported_at, imported_by, 0 FROM snapshot_v4;
DROP TABLE snapshot_v4;
PRAGMA defer_foreign_keys = OFF;

-- A snapshot is history: never changed, never deleted.
CREATE TRIGGER snapshot_no_update BEFORE UPDATE ON snapshot
BEGIN SELECT RAISE(ABORT, 'snapshot is append-only: withdraw a wrong one'); END;
CREATE TRIGGER snapshot_no_delete BEFORE DELETE ON snapshot
BEGIN SELECT RAISE(ABORT, 'snapshot is append-only: withdraw a wrong one'); END;

-- The municipality's withdrawal of a snapshot: by whom, when and why. A withdrawn
-- snapshot is no input of any placement from then on; the runs made with it stay.
CREATE TABLE snapshot_withdrawal (
    snapshot_id INTEGER PRIMARY KEY REFERENCES snapshot (id),
    withdrawn_at TEXT NOT NULL,
    withdrawn_by TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0)
);
CREATE TRIGGER snapshot_withdrawal_no_update BEFORE UPDATE ON snapshot_withdrawal
BEGIN SELECT RAISE(ABORT, 'snapshot_withdrawal is append-only'); END;
CREATE TRIGGER snapshot_withdrawal_no_delete BEFORE DELETE ON snapshot_withdrawal
BEGIN SELECT RAISE(ABORT, 'snapshot_withdrawal is append-only'); END;
