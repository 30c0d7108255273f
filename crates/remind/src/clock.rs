//! The time, and waiting for it: the machine's clock, or one a test moves.

use chrono::{DateTime, Utc};

/// What the schedule reads the time from and waits on.
#[allow(async_fn_in_trait)]
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
    /// Returns at `until` (at once when it has passed).
    async fn sleep_until(&self, until: DateTime<Utc>);
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    async fn sleep_until(&self, until: DateTime<Utc>) {
        if let Ok(wait) = (until - Utc::now()).to_std() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// A clock stopped at one time: `pantau remind --once --now T` runs as if it were `T`.
#[derive(Debug, Clone, Copy)]
pub struct Fixed(pub DateTime<Utc>);

impl Clock for Fixed {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }

    async fn sleep_until(&self, _until: DateTime<Utc>) {}
}
