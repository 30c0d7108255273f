//! What the engine asks the world to do, as plain data. The store persists
//! effects in the same transaction as the event; adapters carry them out.

use chrono::{DateTime, Utc};
use pantau_domain::{Role, Rupiah};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Send `template` to whoever holds `to` for this case at `fire_at`,
    /// unless the case has left the state by then.
    ArmReminder(Reminder),
    /// The case left the state it entered at event `entered_seq`: its
    /// pending reminders are void.
    DisarmReminders {
        entered_seq: u64,
    },
    /// A monev visit falls due.
    ScheduleVisit {
        no: u32,
        checklist: String,
        due_at: DateTime<Utc>,
        tranche: Option<u8>,
    },
    CompleteVisit {
        no: u32,
    },
    /// Release a tranche: the finance side transfers `amount`.
    PayTranche {
        no: u8,
        amount: Rupiah,
    },
    /// The case's answers (`figures`, by field id) become its beneficiary's
    /// record of `year`, replacing an earlier record of that year.
    RecordYear {
        year: i32,
        figures: std::collections::BTreeMap<String, crate::value::Value>,
    },
    /// Email `to` now.
    Notify {
        key: String,
        to: Role,
        template: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    /// Unique per case, state entry, rule and step: a reminder is sent once.
    pub key: String,
    pub state: String,
    pub entered_seq: u64,
    pub fire_at: DateTime<Utc>,
    pub to: Role,
    pub template: String,
    /// 0 for the reminder itself, 1.. for its escalations.
    pub step: u8,
}
