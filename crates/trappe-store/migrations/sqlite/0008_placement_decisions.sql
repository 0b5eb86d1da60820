-- trappe storage, version 8 (SQLite): decisions on the placement in force. An applied
-- migration is never edited: add a new numbered file instead.
--
-- An agreement may hold a placement until it is approved (Copenhagen: the department
-- staircase stays as first placed until Samarbejdsforum approves a re-placement, CPH 6.2)
-- or leave the tightened criteria of a newly designated prevention area to the
-- municipality's decision (CPH 6.1.5). A decision is recorded with who decided, when,
-- under what reference and from when it is in force, and one row per department: the
-- step approved, or the tightened criteria decided ('|'-separated codes; '' for the
-- ordinary criteria only). A decision is history: a wrong one is withdrawn (who, when,
-- why), never changed or deleted.
CREATE TABLE placement_decision (
    id INTEGER PRIMARY KEY,
    municipality TEXT NOT NULL,
    in_force_from TEXT NOT NULL,
    decided_by TEXT NOT NULL CHECK (length(trim(decided_by)) > 0),
    decided_on TEXT NOT NULL,
    reference TEXT NOT NULL CHECK (length(trim(reference)) > 0),
    proposal_run_id INTEGER REFERENCES placement_run (id),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX placement_decision_by_date ON placement_decision (municipality, in_force_from);

CREATE TABLE placement_decision_row (
    decision_id INTEGER NOT NULL REFERENCES placement_decision (id),
    department_id TEXT NOT NULL,
    step TEXT,
    criteria TEXT,
    PRIMARY KEY (decision_id, department_id),
    CHECK (step IS NOT NULL OR criteria IS NOT NULL)
);

CREATE TABLE placement_decision_withdrawal (
    decision_id INTEGER PRIMARY KEY REFERENCES placement_decision (id),
    withdrawn_at TEXT NOT NULL,
    withdrawn_by TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0)
);

CREATE TRIGGER placement_decision_no_update BEFORE UPDATE ON placement_decision
BEGIN SELECT RAISE(ABORT, 'placement_decision is append-only: withdraw a wrong one'); END;
CREATE TRIGGER placement_decision_no_delete BEFORE DELETE ON placement_decision
BEGIN SELECT RAISE(ABORT, 'placement_decision is append-only: withdraw a wrong one'); END;
CREATE TRIGGER placement_decision_row_no_update BEFORE UPDATE ON placement_decision_row
BEGIN SELECT RAISE(ABORT, 'placement_decision_row is append-only'); END;
CREATE TRIGGER placement_decision_row_no_delete BEFORE DELETE ON placement_decision_row
BEGIN SELECT RAISE(ABORT, 'placement_decision_row is append-only'); END;
CREATE TRIGGER placement_decision_withdrawal_no_update BEFORE UPDATE ON placement_decision_withdrawal
BEGIN SELECT RAISE(ABORT, 'placement_decision_withdrawal is append-only'); END;
CREATE TRIGGER placement_decision_withdrawal_no_delete BEFORE DELETE ON placement_decision_withdrawal
BEGIN SELECT RAISE(ABORT, 'placement_decision_withdrawal is append-only'); END;
