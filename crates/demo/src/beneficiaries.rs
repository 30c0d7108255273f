//! Lampung's cooperatives and UMKM, West Sumatra's PKL, new entrepreneurs.

use chrono::Utc;
use pantau_domain::{LegalEntityNumber, Nib, Nik, NikKoperasi, RegionCode};
use pantau_registry::beneficiary::{Beneficiary, Contact, Details, Scale};
use pantau_registry::villages::{LocalCode, Villages};
use pantau_store::{Store, StoreError};

use crate::{Options, Summary};

/// Lampung's kabupaten/kota (Kemendagri codes, as in `regions.csv`) with a weight for how many cooperatives and UMKM each has.
pub const LAMPUNG: [(&str, u32); 15] = [
    ("18.01", 11), // Lampung Selatan
    ("18.02", 12), // Lampung Tengah
    ("18.03", 6),  // Lampung Utara
    ("18.04", 9),  // Lampung Barat
    ("18.05", 5),  // Tulang Bawang
    ("18.06", 10), // Tanggamus
    ("18.07", 10), // Lampung Timur
    ("18.08", 5),  // Way Kanan
    ("18.09", 4),  // Pesawaran
    ("18.10", 4),  // Pringsewu
    ("18.11", 3),  // Mesuji
    ("18.12", 3),  // Tulang Bawang Barat
    ("18.13", 3),  // Pesisir Barat
    ("18.71", 12), // Kota Bandar Lampung
    ("18.72", 3),  // Kota Metro
];

/// West Sumatra's kabupaten/kota in the 2014 PKL allocation.
pub const PKL_REGIONS: [(&str, &str); 5] = [
    ("13.03", "Pasar Muaro Sijunjung"),
    ("13.12", "Pasar Simpang Ampek"),
    ("13.10", "Pasar Sungai Dareh"),
    ("13.77", "Pasar Pariaman"),
    ("13.72", "Pasar Raya Solok"),
];

const COOPERATIVES: f64 = 2_016.0;
const UMKM: f64 = 168_938.0;

/// `total` split over Lampung's kabupaten/kota by their weights, the
/// remainders going to the largest fractions, so the parts add up to
/// `total` exactly (rounding each share alone may miss it by a few).
fn apportion(total: f64) -> [u32; LAMPUNG.len()] {
    let total = total.round().max(0.0) as u64;
    let weights: u64 = LAMPUNG.iter().map(|(_, w)| u64::from(*w)).sum();
    let mut parts = [0u32; LAMPUNG.len()];
    let mut rest: Vec<(u64, usize)> = Vec::with_capacity(LAMPUNG.len());
    for (i, (_, w)) in LAMPUNG.iter().enumerate() {
        let exact = total * u64::from(*w);
        parts[i] = u32::try_from(exact / weights).unwrap_or(u32::MAX);
        rest.push((exact % weights, i));
    }
    let given: u64 = parts.iter().map(|p| u64::from(*p)).sum();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in rest
        .into_iter()
        .take(usize::try_from(total - given).unwrap_or(0))
    {
        parts[i] += 1;
    }
    parts
}

const COOP_WORDS: [&str; 12] = [
    "Maju Bersama",
    "Sinar Tani",
    "Harapan Jaya",
    "Sejahtera",
    "Mitra Usaha",
    "Karya Mandiri",
    "Tunas Harapan",
    "Bina Usaha",
    "Sumber Rejeki",
    "Makmur Abadi",
    "Tani Sejahtera",
    "Mekar Sari",
];
const COOP_KINDS: [(&str, &str, u32); 6] = [
    ("ksp", "KSP", 30),
    ("kud", "KUD", 25),
    ("konsumen", "Koperasi Konsumen", 20),
    ("produsen", "Koperasi Produsen", 12),
    ("kopontren", "Kopontren", 8),
    ("desa_wisata", "Koperasi Desa Wisata", 5),
];
const UMKM_WORDS: [&str; 10] = [
    "Keripik Pisang",
    "Kopi Robusta",
    "Tapis",
    "Kemplang",
    "Sulam Usus",
    "Lada Hitam",
    "Gula Aren",
    "Batik",
    "Bengkel",
    "Warung Makan",
];
const NAMES: [&str; 12] = [
    "Sari", "Budi", "Rina", "Agus", "Dedi", "Wati", "Yusuf", "Nur", "Hendra", "Siti", "Joko", "Ani",
];

/// Ids of beneficiaries the cases can be about, by kind and region.
#[derive(Debug, Default)]
pub struct People {
    pub kud: Vec<(String, String)>,
    pub ksp: Vec<(String, String)>,
    pub pkl: Vec<(String, String)>,
    pub entrepreneurs: Vec<(String, String)>,
    pub umkm: Vec<(String, String)>,
    /// Every cooperative: (region, id, active now).
    pub cooperatives: Vec<(String, String, bool)>,
}

impl People {
    /// The first id of `list` in `region`, rotating by `n`.
    pub fn pick(list: &[(String, String)], region: &str, n: usize) -> Option<String> {
        let here: Vec<&String> = list
            .iter()
            .filter(|(r, _)| r == region)
            .map(|(_, id)| id)
            .collect();
        (!here.is_empty()).then(|| here[n % here.len()].clone())
    }
}

fn id(b: &Beneficiary) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, b.natural_key().as_bytes()).to_string()
}

fn nik(rng: &mut fastrand::Rng, region: &RegionCode) -> Option<Nik> {
    let text = format!(
        "{}{:02}{:02}{:02}{:02}{:04}",
        region.digits(),
        rng.u32(1..=20),
        rng.u32(1..=28) + if rng.bool() { 40 } else { 0 },
        rng.u32(1..=12),
        rng.u32(60..=99),
        rng.u32(1..=9999)
    );
    Nik::parse(&text).ok()
}

pub async fn fill(
    store: &Store,
    rng: &mut fastrand::Rng,
    opts: &Options,
    summary: &mut Summary,
) -> Result<People, StoreError> {
    let coop_parts = apportion(COOPERATIVES * opts.scale);
    let umkm_parts = apportion(UMKM * opts.scale);
    let mut people = People::default();
    let mut batch = Vec::new();
    let now = Utc::now();
    let mut serial = 0u32;
    for (n, (code, _)) in LAMPUNG.into_iter().enumerate() {
        let region = RegionCode::parse(code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for i in 0..coop_parts[n] {
            serial += 1;
            let (kind, prefix, _) = pick_weighted(rng, &COOP_KINDS);
            let nik = NikKoperasi::parse(&format!(
                "{}{:06}{:06}",
                region.digits(),
                rng.u32(100..999_999),
                serial
            ))
            .ok();
            let legal = LegalEntityNumber::parse(&format!(
                "{}/BH/X.{}/{}",
                100 + serial,
                rng.u32(1..9),
                rng.u32(1990..=2024)
            ))
            .ok();
            let (Some(nik), Some(legal_entity)) = (nik, legal) else {
                continue;
            };
            let active = rng.u32(0..100) < 72;
            let b = Beneficiary {
                region: region.clone(),
                name: format!(
                    "{prefix} {} {}",
                    COOP_WORDS[rng.usize(..COOP_WORDS.len())],
                    i + 1
                ),
                location: pantau_domain::GeoPoint::parse(crate::cases::VISIT_POINT).ok(),
                contact: Contact {
                    address: Some(format!("Jl. Koperasi No. {}", i + 1)),
                    phone: Some(format!("0812{}", &nik.as_str()[9..])),
                },
                desa: None,
                details: Details::Cooperative {
                    nik,
                    legal_entity,
                    coop_kind: kind.to_string(),
                    members: rng.u32(20..800),
                    active,
                    last_rat_year: active.then(|| 2023 + rng.u16(0..3)),
                },
            };
            let entry = (code.to_string(), id(&b));
            match kind {
                "kud" => people.kud.push(entry),
                "ksp" => people.ksp.push(entry),
                _ => {}
            }
            summary.cooperatives += 1;
            people.cooperatives.push((code.to_string(), id(&b), active));
            batch.push((id(&b), b));
        }
        for i in 0..umkm_parts[n] {
            serial += 1;
            let Some(owner) = nik(rng, &region) else {
                continue;
            };
            let Ok(nib) = Nib::parse(&format!("{:013}", 9_120_000_000_000u64 + u64::from(serial)))
            else {
                continue;
            };
            let scale = match rng.u32(0..100) {
                0..=89 => Scale::Micro,
                90..=98 => Scale::Small,
                _ => Scale::Medium,
            };
            let b = Beneficiary {
                region: region.clone(),
                name: format!(
                    "{} {} {}",
                    UMKM_WORDS[rng.usize(..UMKM_WORDS.len())],
                    NAMES[rng.usize(..NAMES.len())],
                    i + 1
                ),
                location: None,
                contact: Contact::default(),
                desa: None,
                details: Details::Umkm { nib, owner, scale },
            };
            summary.umkm += 1;
            people.umkm.push((code.to_string(), id(&b)));
            batch.push((id(&b), b));
            if batch.len() >= 5_000 {
                store.import_beneficiaries(&batch, now).await?;
                batch.clear();
            }
        }
        for i in 0..6 {
            let Some(nik) = nik(rng, &region) else {
                continue;
            };
            let b = Beneficiary {
                region: region.clone(),
                name: format!("{} Wirausaha {}", NAMES[rng.usize(..NAMES.len())], i + 1),
                location: None,
                contact: Contact::default(),
                desa: None,
                details: Details::Entrepreneur { nik },
            };
            people.entrepreneurs.push((code.to_string(), id(&b)));
            summary.entrepreneurs += 1;
            batch.push((id(&b), b));
        }
    }
    for (code, market) in PKL_REGIONS {
        let region = RegionCode::parse(code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for i in 0..((40.0 * opts.scale).round() as u32).max(4) {
            let Some(nik) = nik(rng, &region) else {
                continue;
            };
            let b = Beneficiary {
                region: region.clone(),
                name: format!("{} (PKL {})", NAMES[rng.usize(..NAMES.len())], i + 1),
                location: None,
                contact: Contact::default(),
                desa: None,
                details: Details::Pkl {
                    nik,
                    market_location: market.to_string(),
                },
            };
            people.pkl.push((code.to_string(), id(&b)));
            summary.pkl += 1;
            batch.push((id(&b), b));
        }
    }
    merah_putih(&mut batch, summary)?;
    store.import_beneficiaries(&batch, now).await?;
    Ok(people)
}

/// Where the demo's Koperasi Desa/Kelurahan Merah Putih are: every
/// kelurahan of Kota Metro but every fifth from the third (none there), two
/// in its first. Laid out by code, not drawn from the seed, so the other
/// records stay as they were.
const MERAH_PUTIH: [(&str, usize); 1] = [("18.72", usize::MAX)];

/// The Merah Putih cooperatives (see [`MERAH_PUTIH`]), active, with no cases.
fn merah_putih(
    batch: &mut Vec<(String, Beneficiary)>,
    summary: &mut Summary,
) -> Result<(), StoreError> {
    let villages =
        Villages::embedded().map_err(|e| StoreError::Corrupt(format!("villages: {e}")))?;
    let mut serial = 0u32;
    for (code, first) in MERAH_PUTIH {
        let region = RegionCode::parse(code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        for (n, desa) in villages.desa_in(&region).take(first).enumerate() {
            let skipped = first == usize::MAX && n % 5 == 2;
            let copies = if n == 0 && first == usize::MAX { 2 } else { 1 };
            let LocalCode::Desa(desa_code) = desa.code else {
                continue;
            };
            for copy in 0..if skipped { 0 } else { copies } {
                serial += 1;
                let (Ok(nik), Ok(legal_entity)) = (
                    NikKoperasi::parse(&format!("{}000042{serial:06}", region.digits())),
                    LegalEntityNumber::parse(&format!("AHU-{serial:07}.AH.01.29.TAHUN 2025")),
                ) else {
                    continue;
                };
                let name = match copy {
                    0 => format!("Kopdes Merah Putih {}", desa.name),
                    _ => format!("Koperasi Merah Putih {} Sejahtera", desa.name),
                };
                let b = Beneficiary {
                    region: region.clone(),
                    name,
                    location: None,
                    contact: Contact {
                        address: Some(format!("Kantor {} {}", desa.level.label().id, desa.name)),
                        phone: None,
                    },
                    desa: Some(desa_code),
                    details: Details::Cooperative {
                        nik,
                        legal_entity,
                        coop_kind: pantau_registry::beneficiary::MERAH_PUTIH.to_string(),
                        members: 30 + serial % 50,
                        active: true,
                        last_rat_year: None,
                    },
                };
                summary.cooperatives += 1;
                batch.push((id(&b), b));
            }
        }
    }
    Ok(())
}

fn pick_weighted<T: Copy>(rng: &mut fastrand::Rng, items: &[(T, T, u32)]) -> (T, T, u32) {
    let total: u32 = items.iter().map(|i| i.2).sum();
    let mut roll = rng.u32(0..total);
    for item in items {
        if roll < item.2 {
            return *item;
        }
        roll -= item.2;
    }
    items[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportioned_parts_add_up_to_the_recorded_totals() {
        for (total, scale) in [
            (COOPERATIVES, 1.0),
            (UMKM, 1.0),
            (UMKM, 0.1),
            (COOPERATIVES, 0.01),
        ] {
            let parts = apportion(total * scale);
            let sum: u64 = parts.iter().map(|p| u64::from(*p)).sum();
            assert_eq!(sum, (total * scale).round() as u64, "{total} x {scale}");
        }
        // A heavier kabupaten/kota never gets fewer than a lighter one.
        let parts = apportion(UMKM);
        for (i, (_, wi)) in LAMPUNG.iter().enumerate() {
            for (j, (_, wj)) in LAMPUNG.iter().enumerate() {
                if wi > wj {
                    assert!(parts[i] > parts[j], "{parts:?}");
                }
            }
        }
    }
}
