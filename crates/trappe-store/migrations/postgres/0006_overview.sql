-- trappe storage, version 6 (PostgreSQL): the municipality's overview and the placement
-- in force. An applied migration is never edited: add a new numbered file instead.
--
-- An agreement may put the municipality's own overview in force (Aalborg: the colour of
-- every department, updated three times a year): it is imported as a snapshot of kind
-- 'overview', one row per department. A placement keeps the placement in force (staircase,
-- step: what letting uses) and, beside it, on what basis it is in force and the computed
-- step where another one is in force.
ALTER TABLE snapshot DROP CONSTRAINT snapshot_kind_check;
ALTER TABLE snapshot ADD CONSTRAINT snapshot_kind_check
    CHECK (kind IN ('departments', 'areas', 'pools', 'decisions', 'overview'));

-- One department's step (a colour) in the municipality's overview.
CREATE TABLE overview_row (
    snapshot_id BIGINT NOT NULL REFERENCES snapshot (id),
    position INTEGER NOT NULL,
    department_id TEXT NOT NULL,
    step TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, department_id)
);

ALTER TABLE placement_run ADD COLUMN overview_snapshot_id BIGINT REFERENCES snapshot (id);
-- computed, provisional, overview or not_in_overview (trappe_rules::placement::InForce).
ALTER TABLE placement ADD COLUMN basis TEXT NOT NULL DEFAULT 'computed';
-- The computed step where another placement is in force.
ALTER TABLE placement ADD COLUMN computed_step TEXT;
