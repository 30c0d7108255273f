//! A monev visit's evidence, judged: the adapter finds the facts (where the
//! beneficiary is registered, when each photo was taken, where else a photo
//! was used), the engine compares them with the program's rules and flags
//! what a verifier must look at. Pure: no clock, no I/O.

use chrono::{DateTime, TimeDelta, Utc};
use pantau_domain::{GeoPoint, Lang, Role, Zone, format};
use serde::{Deserialize, Serialize};

use crate::case::Case;

/// The id of the action every program with monev visits gets, by which a
/// verifier accepts a flagged visit with a reason.
pub const ACCEPT_ACTION: &str = "accept_evidence";

/// The email to the verifiers when a visit is flagged.
pub const FLAGGED_TEMPLATE: &str = "evidence_flagged";

/// A program's rules for a visit's evidence (`[evidence]` in its workflow file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// A visit's GPS point farther than this from the beneficiary's registered location is flagged.
    pub max_distance_m: u32,
    /// A photo taken (EXIF) more than this before the visit is flagged.
    pub photo_max_age: TimeDelta,
    /// A photo taken more than this after the visit (a clock ahead) is flagged.
    pub photo_clock_slack: TimeDelta,
    /// Two photos whose perceptual hashes differ in at most this many of 64 bits are the same picture.
    pub similar_bits: u8,
    /// Who may accept a flagged visit.
    pub accepted_by: Vec<Role>,
}

impl Rules {
    /// The largest `similar_bits` the store's search finds: it splits the
    /// 64-bit hash into 8 bands and a match within 7 bits shares one whole.
    pub const MAX_SIMILAR_BITS: u8 = 7;
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            max_distance_m: 500,
            photo_max_age: TimeDelta::days(7),
            photo_clock_slack: TimeDelta::hours(1),
            similar_bits: 5,
            accepted_by: vec![Role::Verifier],
        }
    }
}

/// In how many of 64 bits two perceptual hashes differ.
pub fn differs(a: u64, b: u64) -> u8 {
    // At most 64, so it fits.
    (a ^ b).count_ones() as u8
}

/// A perceptual hash cut into 8 bands of 8 bits, each as `band × 256 + bits`:
/// two hashes that differ in at most 7 bits share at least one band whole,
/// so an index on these finds every near match.
pub fn bands(hash: u64) -> Vec<i32> {
    hash.to_be_bytes()
        .iter()
        .zip(0..)
        .map(|(bits, band)| band * 256 + i32::from(*bits))
        .collect()
}

/// What the adapter found about the visit being recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The beneficiary's registered location, when it has one.
    pub registered: Option<GeoPoint>,
    pub photos: Vec<Photo>,
}

/// One photo of the visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The attachment id, as given in the photo field.
    pub id: String,
    /// When the camera says it was taken (EXIF), in UTC.
    pub taken_at: Option<DateTime<Utc>>,
    /// Other visits that used the same or a similar picture.
    pub used_in: Vec<Use>,
}

/// A photo of another visit that matches this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub case_id: String,
    pub visit: u32,
    /// Bits in which the perceptual hashes differ; `None` when the files are byte for byte the same.
    pub differs_bits: Option<u8>,
}

/// Something about a visit's evidence a verifier must look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// The GPS point lies `metres` from the registered location, beyond `limit`.
    Distance { metres: u32, limit: u32 },
    /// The visit recorded no GPS point while the beneficiary has a registered location.
    NoGps,
    /// The photo's camera time lies outside the visit's window.
    PhotoTime {
        photo: String,
        taken_at: DateTime<Utc>,
    },
    /// The photo (or nearly the same picture) was already used in another visit.
    PhotoReused {
        photo: String,
        case_id: String,
        visit: u32,
        same_file: bool,
    },
}

/// The flags `facts` raise for a visit recorded at `now` with GPS point `gps`.
/// Without a registered location, the case's first visit with a GPS point stands in for it.
pub fn judge(
    rules: &Rules,
    case: &Case,
    facts: &Facts,
    gps: Option<GeoPoint>,
    now: DateTime<Utc>,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    let home = facts
        .registered
        .or_else(|| case.visits.iter().find_map(|v| v.gps));
    match (home, gps) {
        (Some(home), Some(here)) => {
            let metres = home.distance_m(here).round().min(f64::from(u32::MAX)) as u32;
            if metres > rules.max_distance_m {
                flags.push(Flag::Distance {
                    metres,
                    limit: rules.max_distance_m,
                });
            }
        }
        (Some(_), None) => flags.push(Flag::NoGps),
        (None, _) => {}
    }
    for photo in &facts.photos {
        if let Some(taken_at) = photo.taken_at
            && (taken_at < now - rules.photo_max_age || taken_at > now + rules.photo_clock_slack)
        {
            flags.push(Flag::PhotoTime {
                photo: photo.id.clone(),
                taken_at,
            });
        }
        let reused = photo
            .used_in
            .iter()
            .filter(|u| u.differs_bits.is_none_or(|b| b <= rules.similar_bits));
        for u in reused {
            flags.push(Flag::PhotoReused {
                photo: photo.id.clone(),
                case_id: u.case_id.clone(),
                visit: u.visit,
                same_file: u.differs_bits.is_none(),
            });
        }
    }
    flags
}

impl Flag {
    /// The flag as a verifier reads it; times in `zone`.
    pub fn message(&self, lang: Lang, zone: Zone) -> String {
        let id = lang == Lang::Id;
        match self {
            Flag::Distance { metres, limit } => {
                let (m, l) = (
                    format::thousands(i64::from(*metres), lang),
                    format::thousands(i64::from(*limit), lang),
                );
                if id {
                    format!("titik GPS {m} m dari lokasi terdaftar (batas {l} m)")
                } else {
                    format!("GPS point {m} m from the registered location (limit {l} m)")
                }
            }
            Flag::NoGps if id => "kunjungan tanpa titik GPS".into(),
            Flag::NoGps => "the visit has no GPS point".into(),
            Flag::PhotoTime { photo, taken_at } => {
                let when = format::when(zone, *taken_at, lang);
                if id {
                    format!("foto {photo} diambil {when}, di luar masa kunjungan")
                } else {
                    format!("photo {photo} was taken {when}, outside the visit's time")
                }
            }
            Flag::PhotoReused {
                photo,
                case_id,
                visit,
                same_file,
            } => match (id, same_file) {
                (true, true) => {
                    format!("foto {photo} sudah dipakai di kunjungan ke-{visit} kasus {case_id}")
                }
                (true, false) => format!(
                    "foto {photo} hampir sama dengan foto kunjungan ke-{visit} kasus {case_id}"
                ),
                (false, true) => {
                    format!("photo {photo} was already used in visit {visit} of case {case_id}")
                }
                (false, false) => format!(
                    "photo {photo} is nearly the same picture as one in visit {visit} of case {case_id}"
                ),
            },
        }
    }

    /// The other visit this flag points to, when it points to one.
    pub fn other_case(&self) -> Option<&str> {
        match self {
            Flag::PhotoReused { case_id, .. } => Some(case_id),
            _ => None,
        }
    }
}
