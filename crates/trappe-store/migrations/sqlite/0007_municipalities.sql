-- trappe storage, version 7 (SQLite): several municipalities in one database. An applied
-- migration is never edited: add a new numbered file instead.
--
-- Each municipality places and lets its departments under its own agreement. A
-- municipality is kept by its code without leading zeros ('101', '851'); '*' is every
-- municipality under one agreement (a national what-if, `--any-municipality`). Snapshots,
-- placement runs and the departments' master data belong to one municipality; a
-- (kind, municipality, reference date) is unique among the snapshots not withdrawn.
--
-- A database from before holds one agreement for everything: its municipality is '*'
-- when it placed every municipality (the setting any_municipality), else the code most of
-- its departments have (else '*').
CREATE TABLE legacy_scope AS SELECT CASE
    WHEN COALESCE((SELECT value FROM setting WHERE key = 'any_municipality'), '0') = '1' THEN '*'
    ELSE COALESCE((SELECT ltrim(municipality_code, '0') FROM department WHERE municipality_code IS NOT NULL AND ltrim(municipality_code, '0') <> '' GROUP BY ltrim(municipality_code, '0') ORDER BY COUNT(*) DESC, ltrim(municipality_code, '0') LIMIT 1), '*')
END AS code;

-- The agreement each municipality places and lets by: named by its first import, changed
-- only explicitly (and audited).
CREATE TABLE municipality (
    code TEXT PRIMARY KEY,
    agreement_sha256 TEXT NOT NULL REFERENCES agreement (sha256),
    any_municipality INTEGER NOT NULL,
    named_at TEXT NOT NULL,
    named_by TEXT NOT NULL
);
INSERT INTO municipality (code, agreement_sha256, any_municipality, named_at, named_by)
SELECT (SELECT code FROM legacy_scope), s.value,
       CASE WHEN COALESCE((SELECT value FROM setting WHERE key = 'any_municipality'), '0') = '1' THEN 1 ELSE 0 END,
       COALESCE((SELECT MIN(stored_at) FROM agreement), '1970-01-01T00:00:00+00:00'), 'migration'
FROM setting s WHERE s.key = 'agreement_sha256';

-- The snapshot table gets its municipality and a new UNIQUE: rebuilt as in version 5.
CREATE TABLE snapshot_v6 AS SELECT * FROM snapshot;
PRAGMA defer_foreign_keys = ON;
DROP TABLE snapshot;
CREATE TABLE snapshot (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('departments', 'areas', 'pools', 'decisions', 'overview')),
    municipality TEXT NOT NULL,
    reference_date TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    generation INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, municipality, reference_date, generation)
);
INSERT INTO snapshot (id, kind, municipality, reference_date, file_name, file_sha256, content_sha256, row_count, imported_at, imported_by, generation)
SELECT id, kind, (SELECT code FROM legacy_scope), reference_date, file_name, file_sha256, content_sha256, row_count, imported_at, imported_by, generation FROM snapshot_v6;
DROP TABLE snapshot_v6;
PRAGMA defer_foreign_keys = OFF;

CREATE TRIGGER snapshot_no_update BEFORE UPDATE ON snapshot
BEGIN SELECT RAISE(ABORT, 'snapshot is append-only: withdraw a wrong one'); END;
CREATE TRIGGER snapshot_no_delete BEFORE DELETE ON snapshot
BEGIN SELECT RAISE(ABORT, 'snapshot is append-only: withdraw a wrong one'); END;

ALTER TABLE placement_run ADD COLUMN municipality TEXT NOT NULL DEFAULT '*';
UPDATE placement_run SET municipality = (SELECT code FROM legacy_scope);
CREATE INDEX placement_run_municipality ON placement_run (municipality, on_date);

ALTER TABLE department ADD COLUMN municipality TEXT NOT NULL DEFAULT '*';
UPDATE department SET municipality = (SELECT code FROM legacy_scope);

-- A municipality or steering-group user sees one municipality (NULL: every one).
ALTER TABLE app_user ADD COLUMN municipality TEXT;

DROP TABLE legacy_scope;
