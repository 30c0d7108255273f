//! A visit's evidence as the API and the pages show it, and the facts read
//! from a photo when it is uploaded.

use pantau_domain::Lang;
use pantau_store::cases::evidence::PhotoPrint;
use pantau_workflow::{Change, Event, Visit};
use serde::Serialize;
use utoipa::ToSchema;

use crate::caller::Caller;

/// One line about a visit's evidence on the timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceLine {
    /// The flag or the acceptance, as people read it.
    pub text: String,
    /// `distance`, `no_gps`, `photo_time`, `photo_reused` or `accepted`.
    pub kind: String,
    /// The case of the other visit a reused photo was found in.
    pub other_case: Option<String>,
}

/// What `e` says about a visit's evidence.
pub fn lines(e: &Event, caller: &Caller) -> Vec<EvidenceLine> {
    let mut out = Vec::new();
    for c in &e.changes {
        match c {
            Change::VisitCompleted { flags, .. } => {
                out.extend(flags.iter().map(|f| {
                    // Another region's case is not named to a reader who cannot see it.
                    let shown = caller.sees(f.other_region());
                    EvidenceLine {
                        text: if shown {
                            f.message(caller.lang, caller.zone)
                        } else {
                            f.message_without_other(caller.lang, caller.zone)
                        },
                        kind: serde_json::to_value(f)
                            .ok()
                            .and_then(|v| v["flag"].as_str().map(str::to_string))
                            .unwrap_or_default(),
                        other_case: f.other_case().filter(|_| shown).map(str::to_string),
                    }
                }));
            }
            Change::EvidenceAccepted { no } => out.push(EvidenceLine {
                text: match caller.lang {
                    Lang::Id => format!("bukti kunjungan ke-{no} diterima verifikator"),
                    Lang::En => format!("a verifier accepted the evidence of visit {no}"),
                },
                kind: "accepted".into(),
                other_case: None,
            }),
            _ => {}
        }
    }
    out
}

/// `clear`, `flagged` (awaiting a verifier) or `accepted`; `None` for a visit not yet done.
pub fn review(v: &Visit) -> Option<&'static str> {
    v.done_at?;
    Some(match (v.flags.is_empty(), v.accepted_seq.is_some()) {
        (true, _) => "clear",
        (false, false) => "flagged",
        (false, true) => "accepted",
    })
}

/// The perceptual hash and camera time read from an uploaded photo, the
/// camera's local time read in `zone`.
pub fn photo_print(found: pantau_photo::Print, zone: pantau_domain::Zone) -> PhotoPrint {
    PhotoPrint {
        phash: found.phash,
        taken_at: found.taken.and_then(|t| t.to_utc(zone.offset())),
    }
}
