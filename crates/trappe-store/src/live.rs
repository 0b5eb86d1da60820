//! What is live: the `WHERE` conditions that leave out withdrawn snapshots, runs made with
//! them and withdrawn placement decisions. Every query of what is in force uses them.

/// `WHERE` condition: the snapshot aliased `s` is not withdrawn.
pub(crate) const SNAPSHOT_LIVE: &str =
    "NOT EXISTS (SELECT 1 FROM snapshot_withdrawal w WHERE w.snapshot_id = s.id)";

/// `WHERE` condition: no input of the run aliased `r` is withdrawn. A run made with a
/// withdrawn snapshot stays stored, but is never the one in force.
pub(crate) const RUN_LIVE: &str = "NOT EXISTS (SELECT 1 FROM snapshot_withdrawal w WHERE w.snapshot_id IN (r.departments_snapshot_id, r.areas_snapshot_id, r.pools_snapshot_id, r.decisions_snapshot_id, r.overview_snapshot_id))";

/// `WHERE` condition: the placement decision aliased `x` is not withdrawn.
pub(crate) const DECISION_LIVE: &str =
    "NOT EXISTS (SELECT 1 FROM placement_decision_withdrawal w WHERE w.decision_id = x.id)";
