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
    /// A photo whose camera time (EXIF) cannot be read is flagged.
    pub require_camera_time: bool,
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
            require_camera_time: true,
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

/// What the adapter looked up for a command: the files named in its photo
/// answers, the users named in its user answers, and for a monev visit the
/// beneficiary's registered location.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The beneficiary's registered location, when it has one.
    pub registered: Option<GeoPoint>,
    pub photos: Vec<Photo>,
    pub users: Vec<Person>,
}

/// A user named in a `user` answer, as the adapter found them. A name that
/// is no user is simply absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub login: String,
    pub role: Role,
    pub active: bool,
    /// Whether the user's region covers the case's (`domain::access`).
    pub sees_case: bool,
}

impl Facts {
    /// The facts of a world where each photo answer of `cmd` names a picture
    /// just taken (at `now`) and never used before, and each user answer an
    /// active user of the field's role in the case's region: what an
    /// in-memory run (a simulation, a search of paths) stands in for
    /// uploads and users with.
    pub fn stand_ins(
        def: &crate::definition::Definition,
        cmd: &crate::engine::Command,
        now: DateTime<Utc>,
    ) -> Facts {
        use crate::value::FieldType;
        let mut facts = Facts::default();
        let Some(action) = def.action(&cmd.action) else {
            return facts;
        };
        for f in def.inputs(action) {
            if !matches!(
                (f.kind, f.role),
                (FieldType::Photo, _) | (FieldType::User, Some(_))
            ) {
                continue;
            }
            let Some(answer) = cmd.inputs.get(&f.id).map(|a| a.trim().to_string()) else {
                continue;
            };
            match (f.kind, f.role) {
                (FieldType::Photo, _) => facts.photos.push(Photo {
                    id: answer,
                    picture: true,
                    taken_at: Some(now),
                    used_in: Vec::new(),
                }),
                (FieldType::User, Some(role)) => facts.users.push(Person {
                    login: answer,
                    role,
                    active: true,
                    sees_case: true,
                }),
                _ => {}
            }
        }
        facts
    }
}

/// A file uploaded to the case and named in a photo field. A photo answer
/// that names none (a typed file name, another case's file) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The attachment id, as given in the photo field.
    pub id: String,
    /// The file decodes as a picture.
    pub picture: bool,
    /// When the camera says it was taken (EXIF), in UTC.
    pub taken_at: Option<DateTime<Utc>>,
    /// Other visits that used the same or a similar picture.
    pub used_in: Vec<Use>,
}

/// A photo of another visit that matches this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub case_id: String,
    /// The kabupaten/kota of that case: a reader of another region is told of
    /// the other visit without its case.
    pub region: Option<String>,
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
    /// The photo carries no camera time (EXIF) to check against the visit's.
    NoCameraTime { photo: String },
    /// The photo (or nearly the same picture) was already used in another visit.
    PhotoReused {
        photo: String,
        case_id: String,
        /// The other case's kabupaten/kota (unknown on flags older than this field).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<String>,
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
        match photo.taken_at {
            Some(taken_at)
                if taken_at < now - rules.photo_max_age
                    || taken_at > now + rules.photo_clock_slack =>
            {
                flags.push(Flag::PhotoTime {
                    photo: photo.id.clone(),
                    taken_at,
                });
            }
            None if rules.require_camera_time => flags.push(Flag::NoCameraTime {
                photo: photo.id.clone(),
            }),
            _ => {}
        }
        let reused = photo
            .used_in
            .iter()
            .filter(|u| u.differs_bits.is_none_or(|b| b <= rules.similar_bits));
        for u in reused {
            flags.push(Flag::PhotoReused {
                photo: photo.id.clone(),
                case_id: u.case_id.clone(),
                region: u.region.clone(),
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
            Flag::NoCameraTime { photo } if id => {
                format!(
                    "foto {photo} tanpa waktu kamera (EXIF); waktu pengambilannya tidak dapat diperiksa"
                )
            }
            Flag::NoCameraTime { photo } => {
                format!(
                    "photo {photo} has no camera time (EXIF); when it was taken cannot be checked"
                )
            }
            Flag::PhotoReused {
                photo,
                case_id,
                visit,
                same_file,
                ..
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

    /// The flag as read by someone who may not see the other visit's case:
    /// that a photo was used before elsewhere, without naming where.
    pub fn message_without_other(&self, lang: Lang, zone: Zone) -> String {
        match (self, lang) {
            (Flag::PhotoReused { photo, .. }, Lang::Id) => {
                format!("foto {photo} sudah dipakai pada kunjungan di wilayah lain")
            }
            (Flag::PhotoReused { photo, .. }, Lang::En) => {
                format!("photo {photo} was already used in a visit of another region")
            }
            _ => self.message(lang, zone),
        }
    }

    /// The region of the other visit's case, when the flag names one and it is known.
    pub fn other_region(&self) -> Option<&str> {
        match self {
            Flag::PhotoReused { region, .. } => region.as_deref(),
            _ => None,
        }
    }
}
