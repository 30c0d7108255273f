//! Figures, dates and times as people read them, shared by the pages and
//! the reports. Times are stored in UTC and shown in the reader's zone.

use crate::{Lang, Rupiah, Zone, long_date};
use chrono::{DateTime, Utc};

/// `Rp 4.924.000.000` (a negative sum, which never happens, shows as `Rp 0`).
pub fn rupiah(amount: i64) -> String {
    Rupiah::new(amount).unwrap_or_default().to_string()
}

/// `12.345` in Indonesian, `12,345` in English.
pub fn thousands(n: i64, lang: Lang) -> String {
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A size in bytes as people read it: `512 byte`, `2,4 KB`, `10 MB` in
/// Indonesian (`2.4 MB` in English), a tenth kept below 10 and rounded half up.
pub fn bytes(n: u64, lang: Lang) -> String {
    const UNITS: [&str; 3] = ["KB", "MB", "GB"];
    if n < 1024 {
        let unit = if lang == Lang::En && n != 1 {
            "bytes"
        } else {
            "byte"
        };
        return format!("{n} {unit}");
    }
    let mut unit = 0;
    let mut size = 1024u128;
    while unit + 1 < UNITS.len() && u128::from(n) >= size * 1024 {
        size *= 1024;
        unit += 1;
    }
    // Tenths, rounded half up.
    let tenths = (u128::from(n) * 10 + size / 2) / size;
    let sep = match lang {
        Lang::Id => ",",
        Lang::En => ".",
    };
    let (whole, tenth) = (tenths / 10, tenths % 10);
    if tenth == 0 || whole >= 10 {
        let whole = (u128::from(n) + size / 2) / size;
        format!("{whole} {}", UNITS[unit])
    } else {
        format!("{whole}{sep}{tenth} {}", UNITS[unit])
    }
}

/// Whether `t` is a whole number with its thousands grouped by dots, as
/// Indonesians write them (`12.500`, `1.234.567`, `-2.000`).
pub fn is_grouped(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let mut groups = t.split('.');
    let first = groups.next().unwrap_or_default();
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    t.contains('.')
        && (1..=3).contains(&first.len())
        && digits(first)
        && groups.all(|g| g.len() == 3 && digits(g))
}

/// `part` of `whole` in hundredths of a percent, rounded half away from
/// zero (14 of 18 is 7,778, not 7,777); `None` when `whole` is 0.
pub fn ratio_bp(part: i64, whole: i64) -> Option<i64> {
    if whole == 0 {
        return None;
    }
    // i128: rupiah × 10,000 can pass i64 for national sums.
    let (num, den) = (i128::from(part) * 10_000, i128::from(whole));
    let half = den.abs() / 2;
    let rounded = if (num < 0) == (den < 0) {
        (num.abs() + half) / den.abs()
    } else {
        -((num.abs() + half) / den.abs())
    };
    Some(i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX }))
}

/// Hundredths of a percent: `12,34 %` in Indonesian, `12.34%` in English.
pub fn percent(bp: i64, lang: Lang) -> String {
    let sep = match lang {
        Lang::Id => ",",
        Lang::En => ".",
    };
    let unit = match lang {
        Lang::Id => " %",
        Lang::En => "%",
    };
    format!("{}{unit}", decimal(bp, sep))
}

/// Hundredths as a decimal number with `sep` (`-0.50`, `12.34`).
pub fn decimal(hundredths: i64, sep: &str) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let n = hundredths.unsigned_abs();
    format!("{sign}{}{sep}{:02}", n / 100, n % 100)
}

/// `22 November 2026` in `zone`.
pub fn day(zone: Zone, at: DateTime<Utc>, lang: Lang) -> String {
    long_date(at.with_timezone(&zone.offset()).date_naive(), lang)
}

/// `22 November 2026 08.00 WIB` (Indonesian writes the time with a dot,
/// English with a colon).
pub fn when(zone: Zone, at: DateTime<Utc>, lang: Lang) -> String {
    let local = at.with_timezone(&zone.offset());
    let time = match lang {
        Lang::Id => local.format("%H.%M"),
        Lang::En => local.format("%H:%M"),
    };
    format!("{} {time} {zone}", day(zone, at, lang))
}

/// Whole days from `now` to `at`, rounded toward the past (negative: overdue).
pub fn days_until(zone: Zone, at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let d = |t: DateTime<Utc>| t.with_timezone(&zone.offset()).date_naive();
    (d(at) - d(now)).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sizes_read_in_the_readers_language() {
        assert_eq!(bytes(10 * 1024 * 1024, Lang::Id), "10 MB");
        assert_eq!(bytes(10 * 1024 * 1024, Lang::En), "10 MB");
        assert_eq!(bytes(2_516_582, Lang::Id), "2,4 MB");
        assert_eq!(bytes(2_516_582, Lang::En), "2.4 MB");
        assert_eq!(bytes(0, Lang::Id), "0 byte");
        assert_eq!(bytes(0, Lang::En), "0 bytes");
        assert_eq!(bytes(1, Lang::En), "1 byte");
        assert_eq!(bytes(1536, Lang::Id), "1,5 KB");
        assert_eq!(bytes(11_010_048, Lang::Id), "11 MB");
    }

    #[test]
    fn reads_like_an_office_letter() {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 1, 0, 0).unwrap();
        assert_eq!(when(Zone::Wib, at, Lang::Id), "22 November 2026 08.00 WIB");
        assert_eq!(
            when(Zone::Wita, at, Lang::En),
            "22 November 2026 09:00 WITA"
        );
        assert_eq!(rupiah(4_924_000_000), "Rp 4.924.000.000");
        assert_eq!(percent(1234, Lang::Id), "12,34 %");
        assert_eq!(percent(5, Lang::En), "0.05%");
        assert_eq!(percent(-50, Lang::Id), "-0,50 %");
        assert_eq!(decimal(-1428, "."), "-14.28");
        assert_eq!(thousands(168_938, Lang::Id), "168.938");
        assert_eq!(thousands(-1_000, Lang::En), "-1,000");
        assert_eq!(thousands(999, Lang::Id), "999");
        let later = Utc.with_ymd_and_hms(2026, 11, 24, 20, 0, 0).unwrap();
        assert_eq!(days_until(Zone::Wib, later, at), 3);
        assert_eq!(days_until(Zone::Wib, at, later), -3);
    }

    #[test]
    fn shares_round_half_away_from_zero() {
        assert_eq!(ratio_bp(14, 18), Some(7_778));
        assert_eq!(
            percent(ratio_bp(14, 18).unwrap_or_default(), Lang::Id),
            "77,78 %"
        );
        assert_eq!(ratio_bp(1, 3), Some(3_333));
        assert_eq!(ratio_bp(2, 3), Some(6_667));
        assert_eq!(ratio_bp(1, 8), Some(1_250));
        assert_eq!(ratio_bp(-2, 3), Some(-6_667));
        assert_eq!(ratio_bp(5, 0), None);
        assert_eq!(ratio_bp(i64::MAX, 1), Some(i64::MAX));
    }
}
