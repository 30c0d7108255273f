//! A case and its events. A case is nothing but the fold of its events.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_domain::{Role, Rupiah};
use serde::{Deserialize, Serialize};

use crate::definition::Definition;
use crate::evidence::Flag;
use crate::value::Value;
use pantau_domain::GeoPoint;

/// Who takes an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user's login name.
    pub user: String,
    pub role: Role,
}

/// One proposal by one beneficiary or region to one program, as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    pub workflow: String,
    pub workflow_version: u32,
    pub state: String,
    /// How many events made this case; the sequence number of the last one.
    pub seq: u64,
    /// The event that brought the case into its current state, and when.
    pub entered_seq: u64,
    pub entered_at: DateTime<Utc>,
    pub requested: Option<Rupiah>,
    pub approved: Option<Rupiah>,
    pub tranches: Vec<Tranche>,
    pub visits: Vec<Visit>,
    pub officer: Option<String>,
    /// The latest value of every field any action recorded.
    pub fields: BTreeMap<String, Value>,
    /// Idempotency keys already applied, with the event each made.
    pub keys: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tranche {
    /// 1-based.
    pub no: u8,
    pub amount: Rupiah,
    pub paid_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// 1-based within the case.
    pub no: u32,
    pub checklist: String,
    pub due_at: DateTime<Utc>,
    /// The tranche whose use this visit checks, if any.
    pub tranche: Option<u8>,
    pub done_at: Option<DateTime<Utc>>,
    /// The event that recorded it.
    pub done_seq: Option<u64>,
    /// Where it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps: Option<GeoPoint>,
    /// What a verifier must look at before it counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// The event by which a verifier accepted its flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_seq: Option<u64>,
}

impl Visit {
    /// Done, and with nothing flagged or its flags accepted.
    pub fn counts(&self) -> bool {
        self.done_at.is_some() && (self.flags.is_empty() || self.accepted_seq.is_some())
    }

    /// Done with flags no verifier has accepted yet.
    pub fn awaits_review(&self) -> bool {
        self.done_at.is_some() && !self.flags.is_empty() && self.accepted_seq.is_none()
    }
}

/// Why the monev of a case does not count yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonevGap {
    /// Visit `no` has no report.
    Missing { no: u32 },
    /// Visit `no` has flagged evidence no verifier has accepted.
    Flagged { no: u32 },
}

/// Something that happened to a case. Append-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// The idempotency key of the command that made it.
    pub key: String,
    /// The action taken; `open` for the event that opens a case.
    pub action: String,
    pub from: Option<String>,
    pub to: String,
    /// The inputs the action recorded, parsed.
    pub fields: BTreeMap<String, Value>,
    pub changes: Vec<Change>,
    /// When it happened, as the client said, when that was not `at` (a visit
    /// saved on a phone without signal and sent later). A visit is done at this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<DateTime<Utc>>,
}

impl Event {
    /// When it happened: as observed, else as recorded.
    pub fn happened_at(&self) -> DateTime<Utc> {
        self.observed_at.unwrap_or(self.at)
    }
}

/// What an event changed beyond the state and fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    Opened {
        workflow: String,
        version: u32,
    },
    Requested {
        amount: Rupiah,
    },
    Approved {
        amount: Rupiah,
    },
    ApprovalRevoked,
    TranchePaid {
        no: u8,
        amount: Rupiah,
    },
    VisitScheduled {
        no: u32,
        checklist: String,
        due_at: DateTime<Utc>,
        tranche: Option<u8>,
    },
    VisitCompleted {
        no: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gps: Option<GeoPoint>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        flags: Vec<Flag>,
    },
    /// A verifier accepted visit `no`'s flagged evidence.
    EvidenceAccepted {
        no: u32,
    },
    OfficerAssigned {
        user: String,
    },
    /// The case's answers became the beneficiary's record of `year`.
    YearRecorded {
        year: i32,
    },
}

/// Why a list of events does not make a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("a case's first event must open it")]
    NotOpened,
    #[error("event {found} follows event {previous}; sequence numbers must be consecutive")]
    Gap { previous: u64, found: u64 },
}

impl Case {
    /// Rebuilds a case from its events, in order.
    pub fn replay<'a>(
        id: &str,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Case, ReplayError> {
        let mut events = events.into_iter();
        let mut case = events
            .next()
            .and_then(|e| Case::from_opening(id, e))
            .ok_or(ReplayError::NotOpened)?;
        for e in events {
            if e.seq != case.seq + 1 {
                return Err(ReplayError::Gap {
                    previous: case.seq,
                    found: e.seq,
                });
            }
            case.apply(e);
        }
        Ok(case)
    }

    fn from_opening(id: &str, e: &Event) -> Option<Case> {
        let (workflow, version) = e.changes.iter().find_map(|c| match c {
            Change::Opened { workflow, version } => Some((workflow.clone(), *version)),
            _ => None,
        })?;
        let mut case = Case {
            id: id.to_string(),
            workflow,
            workflow_version: version,
            state: e.to.clone(),
            seq: 0,
            entered_seq: e.seq,
            entered_at: e.at,
            requested: None,
            approved: None,
            tranches: Vec::new(),
            visits: Vec::new(),
            officer: None,
            fields: BTreeMap::new(),
            keys: BTreeMap::new(),
        };
        case.apply(e);
        Some(case)
    }

    /// Folds one event into the case. Events were checked when they were
    /// decided, so this cannot fail.
    pub fn apply(&mut self, e: &Event) {
        self.seq = e.seq;
        if e.from.as_deref() != Some(e.to.as_str()) {
            self.state.clone_from(&e.to);
            self.entered_seq = e.seq;
            self.entered_at = e.at;
        }
        self.keys.insert(e.key.clone(), e.seq);
        for (k, v) in &e.fields {
            self.fields.insert(k.clone(), v.clone());
        }
        for c in &e.changes {
            match c {
                Change::Opened { .. } => {}
                Change::Requested { amount } => self.requested = Some(*amount),
                Change::Approved { amount } => self.approved = Some(*amount),
                Change::ApprovalRevoked => self.approved = None,
                Change::TranchePaid { no, amount } => self.tranches.push(Tranche {
                    no: *no,
                    amount: *amount,
                    paid_at: e.at,
                }),
                Change::VisitScheduled {
                    no,
                    checklist,
                    due_at,
                    tranche,
                } => self.visits.push(Visit {
                    no: *no,
                    checklist: checklist.clone(),
                    due_at: *due_at,
                    tranche: *tranche,
                    done_at: None,
                    done_seq: None,
                    gps: None,
                    flags: Vec::new(),
                    accepted_seq: None,
                }),
                Change::VisitCompleted { no, gps, flags } => {
                    if let Some(v) = self.visits.iter_mut().find(|v| v.no == *no) {
                        v.done_at = Some(e.happened_at());
                        v.done_seq = Some(e.seq);
                        v.gps = *gps;
                        v.flags = flags.clone();
                    }
                }
                Change::EvidenceAccepted { no } => {
                    if let Some(v) = self.visits.iter_mut().find(|v| v.no == *no) {
                        v.accepted_seq = Some(e.seq);
                    }
                }
                Change::OfficerAssigned { user } => self.officer = Some(user.clone()),
                Change::YearRecorded { .. } => {}
            }
        }
    }

    /// Rupiah paid out so far.
    pub fn disbursed(&self) -> Rupiah {
        self.tranches.iter().fold(Rupiah::ZERO, |sum, t| {
            sum.checked_add(t.amount).unwrap_or(sum)
        })
    }

    /// The earliest visit not yet done.
    pub fn open_visit(&self) -> Option<&Visit> {
        self.visits
            .iter()
            .filter(|v| v.done_at.is_none())
            .min_by_key(|v| (v.due_at, v.no))
    }

    /// Whether every visit scheduled so far has its monev report, with its evidence clear or accepted.
    pub fn monev_reported(&self) -> bool {
        self.monev_gap().is_none()
    }

    /// The first visit whose monev does not count yet, and why.
    pub fn monev_gap(&self) -> Option<MonevGap> {
        self.visits.iter().find(|v| !v.counts()).map(|v| {
            if v.done_at.is_none() {
                MonevGap::Missing { no: v.no }
            } else {
                MonevGap::Flagged { no: v.no }
            }
        })
    }

    /// The first done visit whose flags await a verifier.
    pub fn visit_awaiting_review(&self) -> Option<&Visit> {
        self.visits.iter().find(|v| v.awaits_review())
    }

    /// Whether every tranche already paid has its monev report.
    pub fn tranches_reported(&self) -> bool {
        self.tranches.iter().all(|t| {
            let visits: Vec<&Visit> = self
                .visits
                .iter()
                .filter(|v| v.tranche == Some(t.no))
                .collect();
            !visits.is_empty() && visits.iter().all(|v| v.counts())
        })
    }

    pub fn is_final(&self, def: &Definition) -> bool {
        def.state(&self.state).is_some_and(|s| s.is_final)
    }
}
