//! Cron expressions as Pantau accepts them: weekday names, never numbers.
//!
//! The `cron` crate numbers weekdays from 1 = Sunday, so `1-5` would mean
//! Sunday to Thursday where a person means Monday to Friday. Pantau refuses
//! numeric weekdays and asks for names (`MON-FRI`).

use std::str::FromStr;

/// A checked cron schedule: `sec min hour day-of-month month day-of-week [year]`.
pub fn parse(expr: &str) -> Result<cron::Schedule, String> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    if !(6..=7).contains(&fields.len()) {
        return Err(format!(
            "cron expression `{expr}` has {} fields; write 6: seconds minutes hours day-of-month month day-of-week, e.g. `0 0 7 * * MON-FRI`",
            fields.len()
        ));
    }
    if fields[5].bytes().any(|b| b.is_ascii_digit()) {
        return Err(format!(
            "cron weekday `{}` uses numbers; write names such as MON-FRI (the cron crate counts 1 = Sunday, so 1-5 would mean Sunday to Thursday)",
            fields[5]
        ));
    }
    cron::Schedule::from_str(expr).map_err(|e| format!("bad cron expression `{expr}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Utc, Weekday};
    use pantau_domain::Zone;

    #[test]
    fn weekdays_at_seven_wib_fire_monday_to_friday_at_midnight_utc() {
        let schedule = parse("0 0 7 * * MON-FRI").unwrap();
        // Sunday 22 November 2026, noon WIB.
        let start = Utc
            .with_ymd_and_hms(2026, 11, 22, 5, 0, 0)
            .unwrap()
            .with_timezone(&Zone::Wib.offset());
        let fires: Vec<_> = schedule
            .after(&start)
            .take(6)
            .map(|t| t.with_timezone(&Utc))
            .collect();
        let days: Vec<Weekday> = fires.iter().map(|t| t.weekday()).collect();
        assert_eq!(
            days,
            [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Mon
            ]
        );
        assert!(
            fires
                .iter()
                .all(|t| t.format("%H:%M:%S").to_string() == "00:00:00"),
            "{fires:?}"
        );
    }

    #[test]
    fn numeric_weekdays_are_refused_with_a_hint() {
        let e = parse("0 0 7 * * 1-5").unwrap_err();
        assert!(e.contains("MON-FRI") && e.contains("Sunday"), "{e}");
        assert!(parse("0 7 * * MON-FRI").unwrap_err().contains("5 fields"));
        assert!(parse("0 0 25 * * MON").is_err());
    }
}
