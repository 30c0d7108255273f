//! The beneficiary on a case page and on its registry page, for the officer
//! who goes there: who it is, its registered identifiers, its address and
//! phone (a `tel:` link), where it trades, its desa/kelurahan and kecamatan
//! (named from the shipped list), and its registered point as a
//! link to OpenStreetMap (a link only: nothing is fetched or embedded).

use pantau_store::model::Beneficiary;
use serde::Serialize;

use super::view::Viewer;
use crate::App;
use crate::error::ApiError;

#[derive(Debug, Serialize)]
pub struct Party {
    pub name: String,
    /// Its registry page.
    pub href: String,
    pub facts: Vec<Fact>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// `tel:` and the number.
    pub phone_href: Option<String>,
    /// `https://www.openstreetmap.org/?mlat=…&mlon=…` at the registered point.
    pub map: Option<String>,
    /// The point as written, `-5.429200, 105.261900`.
    pub point: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// The case's beneficiary, when it has one the reader may see.
pub async fn of(app: &App, v: &Viewer, id: Option<&str>) -> Result<Option<Party>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    let found = app
        .store
        .beneficiary(id)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?;
    Ok(found.map(|b| party(app, v, &b)))
}

pub(super) fn party(app: &App, v: &Viewer, b: &Beneficiary) -> Party {
    let fact = |key: &str, value: &Option<String>| {
        value.as_ref().filter(|x| !x.is_empty()).map(|x| Fact {
            label: v.text(&format!("penerima_kasus.{key}")),
            value: x.clone(),
        })
    };
    let mut facts: Vec<Fact> = [
        fact("nik_koperasi", &b.nik_koperasi),
        fact("badan_hukum", &b.legal_entity_number),
        fact("nib", &b.nib),
        fact("nik", &b.nik),
        fact("nik_pemilik", &b.owner_nik),
        fact("lokasi_pasar", &b.market_location),
    ]
    .into_iter()
    .flatten()
    .collect();
    facts.extend(super::registry::desa::facts(v, b));
    facts.push(Fact {
        label: v.text("penerima_kasus.wilayah"),
        value: app.region_name(&b.region_code),
    });
    let point = b.lat_micro.zip(b.lon_micro);
    Party {
        name: b.name.clone(),
        href: format!("/registri/{}", b.id),
        facts,
        address: b.address.clone(),
        phone: b.phone.clone(),
        phone_href: b.phone.as_ref().map(|p| format!("tel:{p}")),
        map: point.map(|(lat, lon)| {
            let (lat, lon) = (degrees(lat), degrees(lon));
            format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}")
        }),
        point: point.map(|(lat, lon)| format!("{}, {}", degrees(lat), degrees(lon))),
    }
}

/// Microdegrees as decimal degrees with a point (`-5.429200`).
fn degrees(micro: i32) -> String {
    let sign = if micro < 0 { "-" } else { "" };
    let n = micro.unsigned_abs();
    format!("{sign}{}.{:06}", n / 1_000_000, n % 1_000_000)
}

#[cfg(test)]
mod tests {
    #[test]
    fn degrees_keep_their_sign_and_six_places() {
        assert_eq!(super::degrees(-5_429_200), "-5.429200");
        assert_eq!(super::degrees(105_261_900), "105.261900");
        assert_eq!(super::degrees(-400), "-0.000400");
    }
}
