//! Driving the rounds: at each zone's time its round, and every tick
//! (at most a minute apart) what goes at once and what is ready to send. A
//! failure is said and tried again at the next tick; the schedule goes on.

use chrono::{DateTime, TimeDelta, Utc};
use pantau_domain::Zone;

use crate::RemindError;
use crate::clock::Clock;
use crate::plan::{Plan, ZONES};

/// The longest wait between two ticks.
pub const TICK: TimeDelta = TimeDelta::seconds(60);

/// A round missed this shortly before the schedule starts (a restart during
/// it) still runs; rounds are safe to run twice.
pub const CATCH_UP: TimeDelta = TimeDelta::hours(2);

/// What the schedule drives.
#[allow(async_fn_in_trait)]
pub trait Work {
    /// `zone`'s round at `now`: what it did, in one line.
    async fn round(&self, zone: Zone, now: DateTime<Utc>) -> Result<String, RemindError>;
    /// What goes at once and what is ready to send at `now`; `None` when nothing was.
    async fn tick(&self, now: DateTime<Utc>) -> Result<Option<String>, RemindError>;
}

/// The schedule, driving `work` by `clock`.
#[derive(Debug)]
pub struct Runner<C, W> {
    pub plan: Plan,
    pub clock: C,
    pub work: W,
}

impl<C: Clock, W: Work> Runner<C, W> {
    /// Runs the schedule until `stop` (forever when `None`), telling `say`
    /// each thing done or failed, with the time.
    pub async fn run(&self, stop: Option<DateTime<Utc>>, say: impl Fn(DateTime<Utc>, &str)) {
        self.run_until_halted(stop, say, std::future::pending())
            .await
    }

    /// [`Runner::run`], also ending when `halt` completes: never in the
    /// middle of a round or a send, only while waiting for the next tick (a
    /// server stopping lets the current send finish).
    pub async fn run_until_halted(
        &self,
        stop: Option<DateTime<Utc>>,
        say: impl Fn(DateTime<Utc>, &str),
        halt: impl std::future::Future<Output = ()>,
    ) {
        let mut halt = std::pin::pin!(halt);
        let start = self.clock.now();
        let mut done = [start - CATCH_UP; ZONES.len()];
        loop {
            let now = self.clock.now();
            if stop.is_some_and(|s| now >= s) {
                return;
            }
            for (zone, done) in ZONES.iter().zip(done.iter_mut()) {
                let Some(due) = self.plan.due(*zone, *done, now) else {
                    continue;
                };
                match self.work.round(*zone, now).await {
                    Ok(line) => {
                        *done = due;
                        tracing::info!(zone = zone.as_str(), %due, "{line}");
                        say(now, &format!("{zone} round: {line}"));
                    }
                    Err(e) => {
                        tracing::warn!(zone = zone.as_str(), %due, "round failed, tried again at the next tick: {e}");
                        say(
                            now,
                            &format!("{zone} round failed (tried again at the next tick): {e}"),
                        );
                    }
                }
            }
            match self.work.tick(now).await {
                Ok(Some(line)) => {
                    tracing::info!("{line}");
                    say(now, &line);
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!("sending failed, tried again at the next tick: {e}");
                    say(
                        now,
                        &format!("sending failed (tried again at the next tick): {e}"),
                    );
                }
            }
            let next = self
                .plan
                .next(now)
                .map_or(now + TICK, |n| n.min(now + TICK));
            tokio::select! {
                _ = self.clock.sleep_until(next) => {}
                _ = &mut halt => return,
            }
        }
    }
}
