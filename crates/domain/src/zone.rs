//! Indonesia's three time zones. Times are stored in UTC and shown in the user's zone.

use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// WIB (UTC+7), WITA (UTC+8) or WIT (UTC+9). None of them keeps daylight saving time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Zone {
    /// Waktu Indonesia Barat, Asia/Jakarta: Sumatra, Java, West and Central Kalimantan.
    #[default]
    Wib,
    /// Waktu Indonesia Tengah, Asia/Makassar: Bali, Nusa Tenggara, Sulawesi, the rest of Kalimantan.
    Wita,
    /// Waktu Indonesia Timur, Asia/Jayapura: Maluku and Papua.
    Wit,
}

impl Zone {
    pub fn offset(self) -> FixedOffset {
        let hours = match self {
            Zone::Wib => 7,
            Zone::Wita => 8,
            Zone::Wit => 9,
        };
        // 7..9 hours are always a valid offset.
        FixedOffset::east_opt(hours * 3600).unwrap_or_else(|| Utc.fix())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Zone::Wib => "WIB",
            Zone::Wita => "WITA",
            Zone::Wit => "WIT",
        }
    }

    /// The IANA name, for libraries that want one.
    pub fn iana(self) -> &'static str {
        match self {
            Zone::Wib => "Asia/Jakarta",
            Zone::Wita => "Asia/Makassar",
            Zone::Wit => "Asia/Jayapura",
        }
    }

    /// `22 November 2026 14:05 WIB` (English month names with `Lang::En`).
    pub fn format_long(self, at: DateTime<Utc>, lang: crate::Lang) -> String {
        let local = at.with_timezone(&self.offset());
        format!(
            "{} {}",
            long_date(local.date_naive(), lang),
            local.format("%H:%M ")
        ) + self.as_str()
    }

    /// `22/11/2026 14:05 WIB`
    pub fn format_short(self, at: DateTime<Utc>) -> String {
        format!(
            "{} {}",
            at.with_timezone(&self.offset()).format("%d/%m/%Y %H:%M"),
            self.as_str()
        )
    }
}

use chrono::Offset as _;

impl std::str::FromStr for Zone {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "WIB" | "ASIA/JAKARTA" => Ok(Zone::Wib),
            "WITA" | "ASIA/MAKASSAR" => Ok(Zone::Wita),
            "WIT" | "ASIA/JAYAPURA" => Ok(Zone::Wit),
            _ => Err(format!("unknown time zone `{s}` (use WIB, WITA or WIT)")),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn shows_utc_in_each_zone() {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
        assert_eq!(Zone::Wib.format_short(at), "22/11/2026 07:00 WIB");
        assert_eq!(Zone::Wita.format_short(at), "22/11/2026 08:00 WITA");
        assert_eq!(Zone::Wit.format_short(at), "22/11/2026 09:00 WIT");
        assert_eq!("wita".parse::<Zone>(), Ok(Zone::Wita));
    }
}

/// The month's name: `Januari`, or in English `January`.
fn month_name(month0: u32, lang: crate::Lang) -> &'static str {
    const ID: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let months = if lang == crate::Lang::En { EN } else { ID };
    months[month0 as usize % 12]
}

/// `22 November 2026`, `1 Januari 2027`; English: `1 January 2027`.
pub fn long_date(d: chrono::NaiveDate, lang: crate::Lang) -> String {
    use chrono::Datelike;
    format!("{} {} {}", d.day(), month_name(d.month0(), lang), d.year())
}

/// `Oktober 2026`; English: `October 2026`.
pub fn month_year(d: chrono::NaiveDate, lang: crate::Lang) -> String {
    use chrono::Datelike;
    format!("{} {}", month_name(d.month0(), lang), d.year())
}

#[cfg(test)]
mod long_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn long_dates_in_indonesian_and_english() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 18, 30, 0).unwrap();
        assert_eq!(
            Zone::Wib.format_long(at, crate::Lang::Id),
            "1 Januari 2027 01:30 WIB"
        );
        assert_eq!(
            Zone::Wit.format_long(at, crate::Lang::En),
            "1 January 2027 03:30 WIT"
        );
        let d = chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        assert_eq!(month_year(d, crate::Lang::Id), "Oktober 2026");
        assert_eq!(month_year(d, crate::Lang::En), "October 2026");
    }
}
