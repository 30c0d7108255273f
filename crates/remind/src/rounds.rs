//! The work of the schedule on a store: a zone's round (its reminders, then
//! its people's digests and monthly reports), and each tick's notices and sends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use pantau_domain::Zone;
use pantau_store::Store;
use pantau_workflow::Catalog;

use crate::clock::Clock;
use crate::runner::Work;
use crate::sender::Sender;
use crate::{RemindError, monthly, yearly};

/// Reminders and notices addressed per transaction.
const LIMIT: u64 = 10_000;

/// The schedule's work on `store`.
#[derive(Debug)]
pub struct Rounds<C> {
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub sender: Sender,
    pub clock: C,
    /// Set when the process is stopping: a tick's send ends after the email
    /// under way and gives the rest back (see [`Sender::send_until`]).
    pub stopping: Arc<AtomicBool>,
}

impl<C: Clock> Work for Rounds<C> {
    /// A zone's round, timed in `pantau_sweep_duration_seconds` (nothing is
    /// recorded unless `serve --metrics` installed a recorder).
    async fn round(&self, zone: Zone, now: DateTime<Utc>) -> Result<String, RemindError> {
        let started = std::time::Instant::now();
        let done = self.sweep(zone, now).await;
        let outcome = if done.is_ok() { "done" } else { "failed" };
        metrics::histogram!("pantau_sweep_duration_seconds", "zone" => zone.as_str(), "outcome" => outcome)
            .record(started.elapsed().as_secs_f64());
        done
    }

    async fn tick(&self, now: DateTime<Utc>) -> Result<Option<String>, RemindError> {
        let links = &self.sender.links;
        let notices = self
            .store
            .address_notices(&self.catalog, links, now, LIMIT)
            .await?;
        let sent = self
            .sender
            .send_until(&self.store, &self.clock, || {
                self.stopping.load(Ordering::SeqCst)
            })
            .await?;
        if notices.due == 0 && sent.sent + sent.retry + sent.failed == 0 {
            return Ok(None);
        }
        Ok(Some(format!(
            "{} notice(s) addressed: {} queued; {}",
            notices.due,
            notices.queued,
            sent.line()
        )))
    }
}

impl<C: Clock> Rounds<C> {
    /// The round's work: the zone's reminders, digests and monthly reports.
    async fn sweep(&self, zone: Zone, now: DateTime<Utc>) -> Result<String, RemindError> {
        let links = &self.sender.links;
        let r = self
            .store
            .round(&self.catalog, links, zone, now, LIMIT)
            .await?;
        let monthly = monthly::queue(&self.store, &self.catalog, links, zone, now).await?;
        let yearly = yearly::queue(&self.store, &self.catalog, links, zone, now).await?;
        Ok(format!(
            "swept {} due: {} queued, {} held for digests, {} with nobody to receive them; {} digest(s); {monthly} monthly report(s); {yearly} yearly-data reminder(s)",
            r.due, r.queued, r.held, r.unaddressed, r.digests
        ))
    }
}
