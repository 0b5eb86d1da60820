-- trappe storage, version 7 (PostgreSQL): several municipalities in one database. An
-- applied migration is never edited: add a new numbered file instead.
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
CREATE TEMPORARY TABLE legacy_scope AS SELECT CASE
    WHEN COALESCE((SELECT value FROM setting WHERE key = 'any_municipality'), '0') = '1' THEN '*'
    ELSE COALESCE((SELECT ltrim(municipality_code, '0') FROM department WHERE municipality_code IS NOT NULL AND ltrim(municipality_code, '0') <> '' GROUP BY ltrim(municipality_code, '0') ORDER BY COUNT(*) DESC, ltrim(municipality_code, '0') LIMIT 1), '*')
END AS code;

-- The agreement each municipality places and lets by: named by its first import, changed
-- only explicitly (and audited).
CREATE TABLE municipality (
    code TEXT PRIMARY KEY,
    agreement_sha256 TEXT NOT NULL REFERENCES agreement (sha256),
    any_municipality SMALLINT NOT NULL,
    named_at TIMESTAMPTZ NOT NULL,
    named_by TEXT NOT NULL
);
INSERT INTO municipality (code, agreement_sha256, any_municipality, named_at, named_by)
SELECT (SELECT code FROM legacy_scope), s.value,
       CASE WHEN COALESCE((SELECT value FROM setting WHERE key = 'any_municipality'), '0') = '1' THEN 1 ELSE 0 END,
       COALESCE((SELECT MIN(stored_at) FROM agreement), TIMESTAMPTZ '1970-01-01 00:00:00+00'), 'migration'
FROM setting s WHERE s.key = 'agreement_sha256';

-- The snapshot's municipality (its rows stay; the append-only trigger is lifted for the
-- one update that names it).
ALTER TABLE snapshot ADD COLUMN municipality TEXT;
ALTER TABLE snapshot DISABLE TRIGGER snapshot_no_change;
UPDATE snapshot SET municipality = (SELECT code FROM legacy_scope);
ALTER TABLE snapshot ENABLE TRIGGER snapshot_no_change;
ALTER TABLE snapshot ALTER COLUMN municipality SET NOT NULL;
ALTER TABLE snapshot DROP CONSTRAINT snapshot_kind_reference_date_generation_key;
ALTER TABLE snapshot ADD CONSTRAINT snapshot_kind_municipality_reference_date_generation_key
    UNIQUE (kind, municipality, reference_date, generation);

ALTER TABLE placement_run ADD COLUMN municipality TEXT NOT NULL DEFAULT '*';
UPDATE placement_run SET municipality = (SELECT code FROM legacy_scope);
CREATE INDEX placement_run_municipality ON placement_run (municipality, on_date);

ALTER TABLE department ADD COLUMN municipality TEXT NOT NULL DEFAULT '*';
UPDATE department SET municipality = (SELECT code FROM legacy_scope);

-- A municipality or steering-group user sees one municipality (NULL: every one).
ALTER TABLE app_user ADD COLUMN municipality TEXT;

DROP TABLE legacy_scope;
