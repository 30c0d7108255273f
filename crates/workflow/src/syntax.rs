//! The workflow file as written: plain serde structs that keep every span.
//!
//! Nothing here is checked beyond TOML's own types; [`crate::lower`] turns a
//! [`RawDefinition`] into a checked [`crate::Definition`]. Only externally
//! tagged shapes are used, so every value keeps its line and column.

use serde::Deserialize;
use serde_spanned::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefinition {
    pub id: S<String>,
    pub version: S<i64>,
    pub label: RawLabel,
    pub beneficiary: S<String>,
    pub initial: S<String>,
    /// The roles that may open a case of this program.
    pub opened_by: S<Vec<S<String>>>,
    /// When this program's reminders go out, as a cron expression in the region's zone.
    pub reminder_schedule: Option<S<String>>,
    pub disbursement: Option<RawDisbursement>,
    pub evidence: Option<RawEvidence>,
    #[serde(default)]
    pub states: Vec<RawState>,
    #[serde(default)]
    pub actions: Vec<RawAction>,
    #[serde(default)]
    pub checklists: Vec<RawChecklist>,
    /// Which action and states the reports count as each stage.
    pub stages: Option<S<RawStages>>,
}

/// `[stages]`: every key is required in a file (checked in `lower::stages`);
/// a pinned text written before stages were declared has none.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStages {
    /// The action that submits a proposal.
    pub proposal: Option<S<String>>,
    /// The state that means verified.
    pub verified: Option<S<String>>,
    /// The state that means rejected.
    pub rejected: Option<S<String>>,
    /// The actions that approve money (each `approves` an amount).
    pub approval: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLabel {
    pub id: S<String>,
    pub en: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisbursement {
    /// Percent of the approved amount paid in each tranche (tahap), in order.
    pub tranches: S<Vec<S<i64>>>,
    /// Tranche N+1 waits for the monev report on tranche N.
    #[serde(default = "yes")]
    pub monev_between_tranches: bool,
}

/// How a monev visit's evidence is judged; every key has a default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvidence {
    /// Metres a visit's GPS point may lie from the beneficiary's registered location.
    pub max_distance_m: Option<S<i64>>,
    /// How long before the visit a photo may have been taken, e.g. `7d`.
    pub photo_max_age: Option<S<String>>,
    /// Bits of 64 in which two photos' perceptual hashes may differ and still be one picture.
    pub similar_bits: Option<S<i64>>,
    /// Who accepts a flagged visit.
    pub accepted_by: Option<S<Vec<S<String>>>>,
    /// Whether a photo without a camera time (EXIF) is flagged (default true).
    pub require_camera_time: Option<bool>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    pub id: S<String>,
    pub label: RawLabel,
    #[serde(default, rename = "final")]
    pub is_final: bool,
    #[serde(default)]
    pub reminders: Vec<RawReminder>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReminder {
    pub to: S<String>,
    pub template: S<String>,
    /// Fire this long after the case entered the state.
    pub after_entered: Option<S<String>>,
    /// Fire this long before the open visit falls due.
    pub before_due: Option<S<String>>,
    /// Fire this long after the open visit fell due.
    pub after_due: Option<S<String>>,
    #[serde(default)]
    pub escalate: Vec<RawEscalation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEscalation {
    pub to: S<String>,
    /// How long after the previous step this one fires.
    pub after: S<String>,
    pub template: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub id: S<String>,
    pub label: RawLabel,
    pub from: S<Vec<S<String>>>,
    /// Absent: the case stays in the state it is in.
    pub to: Option<S<String>>,
    pub roles: S<Vec<S<String>>>,
    #[serde(default)]
    pub fields: Vec<RawField>,
    /// The checklist whose answers this action records.
    pub checklist: Option<S<String>>,
    #[serde(default)]
    pub guards: Vec<S<String>>,
    /// A rupiah field of this action that becomes the requested amount.
    pub requests: Option<S<String>>,
    /// A rupiah field of this action that becomes the approved amount.
    pub approves: Option<S<String>>,
    /// Approval through a decree (SK) that lists many cases; needs the
    /// fields `decree_number` (text) and `decree_date` (date).
    #[serde(default)]
    pub by_decree: bool,
    /// Withdraws the approval (e.g. removed from an amending decree), giving
    /// the amount back to the allocation; refused once money was paid.
    #[serde(default)]
    pub revokes_approval: bool,
    /// Pays the next tranche of the approved amount.
    #[serde(default)]
    pub pays_tranche: bool,
    pub schedules_visit: Option<RawVisitRule>,
    /// Marks the earliest open visit done.
    #[serde(default)]
    pub completes_visit: bool,
    /// A user field of this action naming the field officer assigned to the case.
    pub assigns_officer: Option<S<String>>,
    /// Makes the case's answers the beneficiary's record of a year: the
    /// number field (of any action) that holds the year.
    pub records_year: Option<S<String>>,
    #[serde(default)]
    pub notify: Vec<RawNotify>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVisitRule {
    pub checklist: S<String>,
    pub due_after: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    pub to: S<String>,
    pub template: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChecklist {
    pub id: S<String>,
    pub label: RawLabel,
    pub questions: Vec<RawField>,
}

/// A field of an action, or a question of a checklist.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub id: S<String>,
    #[serde(rename = "type")]
    pub kind: S<String>,
    pub label: RawLabel,
    #[serde(default = "yes")]
    pub required: bool,
    pub options: Option<S<Vec<S<String>>>>,
    /// For a `user` answer: the role of the user to name (default `field_officer`).
    pub role: Option<S<String>>,
}
