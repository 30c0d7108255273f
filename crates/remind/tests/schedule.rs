//! The schedule itself, driven across whole days by a clock the test moves:
//! every zone gets its own rounds, rounds that fall on the same instant all
//! run, a round that fails is tried again at the next tick, and ticks (the
//! notices that go at once, the sends) never wait more than a minute.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use pantau_domain::Zone;
use pantau_remind::{Clock, Plan, RemindError, Runner, Work};

/// A clock that jumps to whatever time it is asked to wait for.
#[derive(Clone)]
struct Fake(Arc<Mutex<DateTime<Utc>>>);

impl Clock for Fake {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }

    async fn sleep_until(&self, until: DateTime<Utc>) {
        let mut now = self.0.lock().unwrap();
        if until > *now {
            *now = until;
        }
    }
}

/// Records what it was asked to do; the first `failing` rounds of WITA fail, as a database would.
#[derive(Default)]
struct Recorder {
    rounds: Mutex<Vec<(Zone, DateTime<Utc>)>>,
    ticks: Mutex<Vec<DateTime<Utc>>>,
    failing: Mutex<usize>,
}

impl Work for &Recorder {
    async fn round(&self, zone: Zone, now: DateTime<Utc>) -> Result<String, RemindError> {
        if zone == Zone::Wita {
            let mut failing = self.failing.lock().unwrap();
            if *failing > 0 {
                *failing -= 1;
                return Err(RemindError::Other("the database went away".into()));
            }
        }
        self.rounds.lock().unwrap().push((zone, now));
        Ok(String::new())
    }

    async fn tick(&self, now: DateTime<Utc>) -> Result<Option<String>, RemindError> {
        self.ticks.lock().unwrap().push(now);
        Ok(None)
    }
}

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
}

async fn run(expr: &str, from: DateTime<Utc>, to: DateTime<Utc>, failing: usize) -> Recorder {
    let work = Recorder {
        failing: Mutex::new(failing),
        ..Recorder::default()
    };
    let runner = Runner {
        plan: Plan::new(expr).unwrap(),
        clock: Fake(Arc::new(Mutex::new(from))),
        work: &work,
    };
    runner.run(Some(to), |_, _| {}).await;
    work
}

fn of(work: &Recorder, zone: Zone) -> Vec<DateTime<Utc>> {
    let rounds = work.rounds.lock().unwrap();
    rounds
        .iter()
        .filter(|(z, _)| *z == zone)
        .map(|(_, t)| *t)
        .collect()
}

#[tokio::test]
async fn each_zone_has_its_round_at_its_own_seven_oclock() {
    // Monday 7 December 2026 in Indonesia: 07:00 WIT is 22:00 UTC on Sunday.
    let work = run("0 0 7 * * MON-FRI", at(6, 12, 0), at(8, 12, 0), 0).await;
    assert_eq!(of(&work, Zone::Wit), [at(6, 22, 0), at(7, 22, 0)]);
    assert_eq!(of(&work, Zone::Wita), [at(6, 23, 0), at(7, 23, 0)]);
    assert_eq!(of(&work, Zone::Wib), [at(7, 0, 0), at(8, 0, 0)]);
}

#[tokio::test]
async fn rounds_on_the_same_instant_all_run() {
    // Hourly: every hour is a round in all three zones at once.
    let work = run("0 0 * * * *", at(7, 0, 0), at(7, 23, 30), 0).await;
    let hours: Vec<DateTime<Utc>> = (0..24).map(|h| at(7, h, 0)).collect();
    for zone in [Zone::Wib, Zone::Wita, Zone::Wit] {
        assert_eq!(of(&work, zone), hours, "{zone}");
    }
}

#[tokio::test]
async fn a_failed_round_is_tried_again_at_the_next_tick_and_the_schedule_goes_on() {
    let work = run("0 0 7 * * MON-FRI", at(6, 12, 0), at(8, 12, 0), 2).await;
    // WITA's 07:00 failed twice; the third try, two ticks later, went through.
    let wita = of(&work, Zone::Wita);
    assert_eq!(wita.len(), 2, "{wita:?}");
    assert!(
        wita[0] > at(6, 23, 0) && wita[0] <= at(6, 23, 2),
        "{wita:?}"
    );
    assert_eq!(wita[1], at(7, 23, 0), "the next day's round as usual");
    assert_eq!(of(&work, Zone::Wib), [at(7, 0, 0), at(8, 0, 0)]);
}

#[tokio::test]
async fn ticks_never_wait_more_than_a_minute() {
    let work = run("0 0 7 * * MON-FRI", at(6, 12, 0), at(7, 12, 0), 0).await;
    let ticks = work.ticks.lock().unwrap();
    assert!(ticks.len() >= 24 * 60, "{}", ticks.len());
    assert!(
        ticks
            .windows(2)
            .all(|w| w[1] - w[0] <= TimeDelta::seconds(60)),
        "notices and sends are looked at every minute at least"
    );
}
