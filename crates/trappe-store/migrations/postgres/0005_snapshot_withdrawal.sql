-- trappe storage, version 5 (PostgreSQL): the municipality can withdraw a wrong
-- snapshot. An applied migration is never edited: add a new numbered file instead.
--
-- A withdrawal is its own row; the withdrawn snapshot and its rows stay. A (kind,
-- reference date) is unique among the snapshots not withdrawn: the first snapshot of
-- a date is generation 0, one imported after n withdrawals of that date generation n,
-- so two imports of one date at once still collide on UNIQUE.
ALTER TABLE snapshot ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE snapshot DROP CONSTRAINT snapshot_kind_reference_date_key;
ALTER TABLE snapshot ADD CONSTRAINT snapshot_kind_reference_date_generation_key
    UNIQUE (kind, reference_date, generation);

-- A snapshot is history: never changed, never deleted.
CREATE FUNCTION snapshot_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER snapshot_no_change BEFORE UPDATE OR DELETE ON snapshot
FOR EACH ROW EXECUTE FUNCTION snapshot_append_only();

-- The municipality's withdrawal of a snapshot: by whom, when and why. A withdrawn
-- snapshot is no input of any placement from then on; the runs made with it stay.
CREATE TABLE snapshot_withdrawal (
    snapshot_id BIGINT PRIMARY KEY REFERENCES snapshot (id),
    withdrawn_at TIMESTAMPTZ NOT NULL,
    withdrawn_by TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0)
);
CREATE TRIGGER snapshot_withdrawal_no_change BEFORE UPDATE OR DELETE ON snapshot_withdrawal
FOR EACH ROW EXECUTE FUNCTION snapshot_append_only();
