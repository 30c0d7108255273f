//! When rounds run: a cron schedule read on each zone's own clock, so
//! `0 0 7 * * MON-FRI` is 07:00 WIB in Lampung, 07:00 WITA in Makassar and
//! 07:00 WIT in Jayapura: three rounds, an hour apart. No clock is read here.

use chrono::{DateTime, Utc};
use pantau_domain::Zone;

/// Every zone, each with its own rounds.
pub const ZONES: [Zone; 3] = [Zone::Wib, Zone::Wita, Zone::Wit];

/// The schedule of the rounds.
#[derive(Debug, Clone)]
pub struct Plan {
    expr: String,
    cron: cron::Schedule,
}

impl Plan {
    /// A cron expression with seconds, weekdays by name (see `workflow::schedule`).
    pub fn new(expr: &str) -> Result<Plan, String> {
        Ok(Plan {
            expr: expr.to_string(),
            cron: pantau_workflow::schedule::parse(expr)?,
        })
    }

    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// The latest round of `zone` after `after` and at or before `until`.
    pub fn due(
        &self,
        zone: Zone,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&zone.offset());
        self.cron
            .after(&local)
            .map(|t| t.with_timezone(&Utc))
            .take_while(|t| *t <= until)
            .last()
    }

    /// The first round of any zone after `t`.
    pub fn next(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        ZONES
            .iter()
            .filter_map(|z| {
                self.cron
                    .after(&t.with_timezone(&z.offset()))
                    .next()
                    .map(|n| n.with_timezone(&Utc))
            })
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
    }

    #[test]
    fn weekdays_at_seven_fall_an_hour_apart_in_the_three_zones() {
        let plan = Plan::new("0 0 7 * * MON-FRI").unwrap();
        // Monday 7 December 2026: 07:00 WIT is 22:00 UTC on Sunday, WITA 23:00, WIB 00:00.
        let (from, to) = (at(6, 12, 0), at(7, 12, 0));
        assert_eq!(plan.due(Zone::Wit, from, to), Some(at(6, 22, 0)));
        assert_eq!(plan.due(Zone::Wita, from, to), Some(at(6, 23, 0)));
        assert_eq!(plan.due(Zone::Wib, from, to), Some(at(7, 0, 0)));
        assert_eq!(plan.next(from), Some(at(6, 22, 0)));
        // Saturday's 07:00 is no round.
        assert_eq!(plan.due(Zone::Wib, at(11, 12, 0), at(12, 12, 0)), None);
    }

    #[test]
    fn the_latest_of_several_missed_rounds_is_the_one_due() {
        let plan = Plan::new("0 0 * * * *").unwrap();
        assert_eq!(
            plan.due(Zone::Wib, at(7, 3, 30), at(7, 6, 10)),
            Some(at(7, 6, 0))
        );
        assert_eq!(plan.due(Zone::Wib, at(7, 6, 0), at(7, 6, 59)), None);
    }
}
