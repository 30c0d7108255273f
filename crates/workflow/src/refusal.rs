//! Why the engine refuses a command: typed, with a stable code and a message
//! in Indonesian and English.

use chrono::{DateTime, Utc};
use pantau_domain::{Label, Lang, Role, Rupiah, Zone, format};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    UnknownAction {
        action: String,
        available: Vec<String>,
    },
    WrongState {
        action: String,
        state: String,
        allowed_from: Vec<String>,
    },
    RoleNotAllowed {
        action: String,
        role: Role,
        allowed: Vec<Role>,
    },
    NotAssigned {
        officer: String,
    },
    Fields {
        errors: Vec<FieldError>,
    },
    Guard(GuardFailure),
    WorkflowMismatch {
        case: String,
        definition: String,
    },
}

/// One bad input, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    #[serde(flatten)]
    pub problem: FieldProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", content = "reason", rename_all = "snake_case")]
pub enum FieldProblem {
    Missing,
    Unknown,
    Invalid(Label),
    /// The client says it happened later than the server's clock allows.
    ObservedInFuture {
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    },
    /// The client says it happened before it could have (before the visit opened).
    ObservedTooEarly {
        at: DateTime<Utc>,
        earliest: DateTime<Utc>,
    },
}

/// A guard or a money rule that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "guard", rename_all = "snake_case")]
pub enum GuardFailure {
    WithinRequested {
        approved: Rupiah,
        requested: Option<Rupiah>,
    },
    WithinAllocation {
        approved: Rupiah,
        remaining: Rupiah,
    },
    /// Approving less than has already been paid out.
    BelowDisbursed {
        approved: Rupiah,
        disbursed: Rupiah,
    },
    NotApproved,
    NoTrancheLeft {
        paid: usize,
    },
    MonevMissing {
        tranche: u8,
    },
    TranchesRemaining {
        paid: usize,
        total: usize,
    },
    AllTranchesPaid {
        paid: usize,
        total: usize,
    },
    NoOpenVisit,
    OfficerAssigned,
    /// Visit `visit` has flagged evidence no verifier has accepted.
    EvidenceFlagged {
        visit: u32,
    },
    /// No visit of the case has flagged evidence waiting to be accepted.
    NothingFlagged,
    /// The year to record (in field `field`) is missing or not a year.
    NoYear {
        field: String,
    },
}

impl Refusal {
    /// A stable code for programs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownAction { .. } => "unknown_action",
            Refusal::WrongState { .. } => "wrong_state",
            Refusal::RoleNotAllowed { .. } => "role_not_allowed",
            Refusal::NotAssigned { .. } => "not_assigned",
            Refusal::Fields { .. } => "invalid_fields",
            Refusal::Guard(_) => "guard_failed",
            Refusal::WorkflowMismatch { .. } => "workflow_mismatch",
        }
    }

    /// The reason in both languages.
    pub fn label(&self) -> Label {
        Label::new(self.message(Lang::Id), self.message(Lang::En))
    }

    /// The reason as a user reads it.
    pub fn message(&self, lang: Lang) -> String {
        let id = lang == Lang::Id;
        match self {
            Refusal::UnknownAction { action, available } => {
                if id {
                    format!(
                        "aksi `{action}` tidak dikenal (yang tersedia: {})",
                        available.join(", ")
                    )
                } else {
                    format!(
                        "unknown action `{action}` (available: {})",
                        available.join(", ")
                    )
                }
            }
            Refusal::WrongState {
                action,
                state,
                allowed_from,
            } => {
                if id {
                    format!(
                        "aksi `{action}` tidak dapat dilakukan pada status `{state}` (hanya dari: {})",
                        allowed_from.join(", ")
                    )
                } else {
                    format!(
                        "action `{action}` cannot be taken in state `{state}` (only from: {})",
                        allowed_from.join(", ")
                    )
                }
            }
            Refusal::RoleNotAllowed {
                action,
                role,
                allowed,
            } => {
                let allowed: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
                if id {
                    format!(
                        "peran `{role}` tidak berwenang melakukan `{action}` (yang berwenang: {})",
                        allowed.join(", ")
                    )
                } else {
                    format!(
                        "role `{role}` may not take `{action}` (allowed: {})",
                        allowed.join(", ")
                    )
                }
            }
            Refusal::NotAssigned { officer } => {
                if id {
                    format!("kasus ini ditugaskan kepada petugas `{officer}`")
                } else {
                    format!("this case is assigned to field officer `{officer}`")
                }
            }
            Refusal::Fields { errors } => errors
                .iter()
                .map(|e| e.message(lang))
                .collect::<Vec<_>>()
                .join("; "),
            Refusal::Guard(g) => g.message(lang),
            Refusal::WorkflowMismatch { case, definition } => {
                if id {
                    format!("kasus ini memakai alur `{case}`, bukan `{definition}`")
                } else {
                    format!("the case follows workflow `{case}`, not `{definition}`")
                }
            }
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Refusal {}

impl FieldError {
    pub fn message(&self, lang: Lang) -> String {
        let f = &self.field;
        match (&self.problem, lang) {
            (FieldProblem::Missing, Lang::Id) => format!("{f}: wajib diisi"),
            (FieldProblem::Missing, Lang::En) => format!("{f}: is required"),
            (FieldProblem::Unknown, Lang::Id) => format!("{f}: bukan isian aksi ini"),
            (FieldProblem::Unknown, Lang::En) => format!("{f}: is not a field of this action"),
            (FieldProblem::Invalid(why), lang) => format!("{f}: {}", why.get(lang)),
            (FieldProblem::ObservedInFuture { at, now }, lang) => {
                let (at, now) = (utc(*at, lang), utc(*now, lang));
                match lang {
                    Lang::Id => format!(
                        "{f}: {at} belum terjadi (sekarang {now}); periksa jam di perangkat"
                    ),
                    Lang::En => format!(
                        "{f}: {at} has not happened yet (it is {now}); check the device's clock"
                    ),
                }
            }
            (FieldProblem::ObservedTooEarly { at, earliest }, lang) => {
                let (at, earliest) = (utc(*at, lang), utc(*earliest, lang));
                match lang {
                    Lang::Id => format!(
                        "{f}: {at} sebelum kunjungan ini dibuka ({earliest}); periksa jam di perangkat"
                    ),
                    Lang::En => format!(
                        "{f}: {at} is before this visit opened ({earliest}); check the device's clock"
                    ),
                }
            }
        }
    }
}

/// A time in a refusal: the engine knows no reader's zone, so WIB, the
/// zone of most offices, with its name.
fn utc(at: DateTime<Utc>, lang: Lang) -> String {
    format::when(Zone::Wib, at, lang)
}

impl GuardFailure {
    pub fn message(&self, lang: Lang) -> String {
        let id = lang == Lang::Id;
        match self {
            GuardFailure::WithinRequested {
                approved,
                requested,
            } => match requested {
                Some(r) if id => {
                    format!("jumlah disetujui {approved} melebihi jumlah diusulkan {r}")
                }
                Some(r) => format!("approved amount {approved} exceeds the requested {r}"),
                None if id => "belum ada jumlah yang diusulkan".to_string(),
                None => "no amount has been requested".to_string(),
            },
            GuardFailure::WithinAllocation {
                approved,
                remaining,
            } => {
                if id {
                    format!("jumlah disetujui {approved} melebihi sisa alokasi wilayah {remaining}")
                } else {
                    format!(
                        "approved amount {approved} exceeds the region's remaining allocation {remaining}"
                    )
                }
            }
            GuardFailure::BelowDisbursed {
                approved,
                disbursed,
            } => {
                if id {
                    format!(
                        "jumlah disetujui {approved} lebih kecil dari yang sudah dicairkan {disbursed}"
                    )
                } else {
                    format!(
                        "approved amount {approved} is below what was already disbursed, {disbursed}"
                    )
                }
            }
            GuardFailure::NotApproved if id => "belum ada jumlah yang disetujui".to_string(),
            GuardFailure::NotApproved => "no amount has been approved".to_string(),
            GuardFailure::NoTrancheLeft { paid } if id => {
                format!("semua tahap sudah dicairkan ({paid})")
            }
            GuardFailure::NoTrancheLeft { paid } => {
                format!("every tranche is already paid ({paid})")
            }
            GuardFailure::MonevMissing { tranche } if id => {
                format!("laporan monev tahap {tranche} belum ada")
            }
            GuardFailure::MonevMissing { tranche } => {
                format!("the monev report on tranche {tranche} is missing")
            }
            GuardFailure::TranchesRemaining { paid, total } if id => {
                format!("tidak ada tahap tersisa ({paid} dari {total} sudah dicairkan)")
            }
            GuardFailure::TranchesRemaining { paid, total } => {
                format!("no tranche is left ({paid} of {total} paid)")
            }
            GuardFailure::AllTranchesPaid { paid, total } if id => {
                format!("baru {paid} dari {total} tahap dicairkan")
            }
            GuardFailure::AllTranchesPaid { paid, total } => {
                format!("only {paid} of {total} tranches are paid")
            }
            GuardFailure::NoOpenVisit if id => "tidak ada kunjungan monev yang terbuka".to_string(),
            GuardFailure::NoOpenVisit => "no monev visit is open".to_string(),
            GuardFailure::OfficerAssigned if id => {
                "belum ada petugas lapangan yang ditugaskan".to_string()
            }
            GuardFailure::OfficerAssigned => "no field officer is assigned".to_string(),
            GuardFailure::EvidenceFlagged { visit } if id => {
                format!("bukti kunjungan monev ke-{visit} ditandai dan belum diterima verifikator")
            }
            GuardFailure::EvidenceFlagged { visit } => format!(
                "the evidence of monev visit {visit} is flagged and no verifier has accepted it"
            ),
            GuardFailure::NothingFlagged if id => {
                "tidak ada kunjungan dengan bukti yang ditandai".to_string()
            }
            GuardFailure::NothingFlagged => "no visit has flagged evidence to accept".to_string(),
            GuardFailure::NoYear { field } if id => {
                format!("isian `{field}` harus berisi tahun data (1945 sampai 2100)")
            }
            GuardFailure::NoYear { field } => {
                format!("the answer `{field}` must hold the data's year (1945 to 2100)")
            }
        }
    }
}
