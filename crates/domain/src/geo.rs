//! GPS points, stored as whole microdegrees so they compare exactly.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A point on the globe (WGS 84), to a millionth of a degree (about 11 cm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GeoPoint {
    lat_micro: i32,
    lon_micro: i32,
}

/// Why a text is not a GPS point.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeoError {
    #[error("`{0}` is not a GPS point (write latitude,longitude, e.g. -5.4292,105.2619)")]
    Malformed(String),
    #[error("latitude must lie between -90 and 90")]
    Latitude,
    #[error("longitude must lie between -180 and 180")]
    Longitude,
}

impl GeoError {
    /// The reason in Indonesian and English.
    pub fn label(&self) -> crate::Label {
        match self {
            GeoError::Malformed(t) => crate::Label::new(
                format!("`{t}` bukan titik GPS (tulis lintang,bujur, mis. -5.4292,105.2619)"),
                format!(
                    "`{t}` is not a GPS point (write latitude,longitude, e.g. -5.4292,105.2619)"
                ),
            ),
            GeoError::Latitude => crate::Label::new(
                "lintang harus antara -90 dan 90",
                "latitude must lie between -90 and 90",
            ),
            GeoError::Longitude => crate::Label::new(
                "bujur harus antara -180 dan 180",
                "longitude must lie between -180 and 180",
            ),
        }
    }
}

impl GeoPoint {
    /// A point from degrees; refuses values off the globe or not finite.
    pub fn from_degrees(lat: f64, lon: f64) -> Result<Self, GeoError> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(GeoError::Latitude);
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(GeoError::Longitude);
        }
        // In range, so the products fit an i32 (180e6 < 2^31).
        Ok(GeoPoint {
            lat_micro: (lat * 1e6).round() as i32,
            lon_micro: (lon * 1e6).round() as i32,
        })
    }

    /// Parses `lat,lon` in decimal degrees.
    pub fn parse(text: &str) -> Result<Self, GeoError> {
        let malformed = || GeoError::Malformed(text.to_string());
        let (lat, lon) = text.split_once(',').ok_or_else(malformed)?;
        let lat: f64 = lat.trim().parse().map_err(|_| malformed())?;
        let lon: f64 = lon.trim().parse().map_err(|_| malformed())?;
        GeoPoint::from_degrees(lat, lon)
    }

    /// A point from whole microdegrees, as stored; refuses values off the globe.
    pub fn from_micro(lat_micro: i32, lon_micro: i32) -> Result<Self, GeoError> {
        if !(-90_000_000..=90_000_000).contains(&lat_micro) {
            return Err(GeoError::Latitude);
        }
        if !(-180_000_000..=180_000_000).contains(&lon_micro) {
            return Err(GeoError::Longitude);
        }
        Ok(GeoPoint {
            lat_micro,
            lon_micro,
        })
    }

    /// Latitude and longitude in whole microdegrees.
    pub fn micro(self) -> (i32, i32) {
        (self.lat_micro, self.lon_micro)
    }

    pub fn lat(self) -> f64 {
        f64::from(self.lat_micro) / 1e6
    }

    pub fn lon(self) -> f64 {
        f64::from(self.lon_micro) / 1e6
    }

    /// Great-circle distance in metres (haversine, mean Earth radius).
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat().to_radians(), other.lat().to_radians());
        let dp = p2 - p1;
        let dl = (other.lon() - self.lon()).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().atan2((1.0 - a).sqrt())
    }
}

impl fmt::Display for GeoPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6},{:.6}", self.lat(), self.lon())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_measures() {
        // Bandar Lampung to Metro is about 45 km as the crow flies.
        let bandar_lampung = GeoPoint::parse("-5.4292,105.2619").unwrap();
        let metro = GeoPoint::parse(" -5.1131 , 105.3067 ").unwrap();
        let d = bandar_lampung.distance_m(metro);
        assert!((34_000.0..37_000.0).contains(&d), "{d}");
        assert_eq!(GeoPoint::parse("91,0"), Err(GeoError::Latitude));
        assert_eq!(GeoPoint::parse("0,181"), Err(GeoError::Longitude));
        assert!(matches!(GeoPoint::parse("NaN,0"), Err(GeoError::Latitude)));
        assert!(matches!(
            GeoPoint::parse("here"),
            Err(GeoError::Malformed(_))
        ));
    }

    proptest! {
        #[test]
        fn display_parses_back(lat in -90_000_000i32..=90_000_000, lon in -180_000_000i32..=180_000_000) {
            let p = GeoPoint { lat_micro: lat, lon_micro: lon };
            prop_assert_eq!(GeoPoint::parse(&p.to_string()), Ok(p));
        }
    }
}
