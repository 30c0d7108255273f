//! How emails leave: claimed from the outbox a few at a time, each batch
//! under a lease that runs from its claim and is long enough for every
//! email of it to time out, so no second sender takes an email while the
//! first may still be sending it; rendered, sent over SMTP (or written as
//! `.eml` files), and marked.

use std::time::Duration as StdDuration;

use chrono::TimeDelta;
use pantau_domain::Lang;
use pantau_notify::{Message, SendError, Templates, Transport};
use pantau_store::Store;
use pantau_store::outbox::{Email, Links};

use crate::RemindError;
use crate::clock::Clock;

/// How long one email may take to send before it counts as failed.
pub const SEND_TIMEOUT: StdDuration = StdDuration::from_secs(30);

/// Emails claimed at once.
const BATCH: u64 = 10;

/// What one send did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    /// Failed this time; tried again after a growing wait.
    pub retry: usize,
    /// Parked as failed (permanent, or out of attempts).
    pub failed: usize,
    /// Held by another sender's lease (one that is sending, or stopped
    /// mid-way: they go when its lease ends).
    pub leased: u64,
    /// Claimed, but its lease ran out before it could be sent, and another
    /// sender took it.
    pub lost: usize,
}

/// Sends the outbox's emails.
#[derive(Debug)]
pub struct Sender {
    pub transport: Transport,
    /// `Name <address>`.
    pub from: String,
    pub links: Links,
    pub templates: Templates,
}

/// A batch's lease: every email of it may time out, with a minute to spare.
fn lease() -> TimeDelta {
    TimeDelta::from_std(SEND_TIMEOUT * u32::try_from(BATCH).unwrap_or(u32::MAX))
        .unwrap_or(TimeDelta::minutes(5))
        + TimeDelta::minutes(1)
}

impl Sender {
    /// Sends what is ready, batch by batch, each claimed at the clock's time.
    pub async fn send(&self, store: &Store, clock: &impl Clock) -> Result<Sent, RemindError> {
        self.send_until(store, clock, || false).await
    }

    /// [`Sender::send`], asking `stopping` before each email: once it says
    /// yes, the email under way has been sent and marked, and the rest of
    /// the batch is given back unsent (a server shutting down).
    pub async fn send_until(
        &self,
        store: &Store,
        clock: &impl Clock,
        stopping: impl Fn() -> bool,
    ) -> Result<Sent, RemindError> {
        let mut out = Sent::default();
        // A server that is down fails every message transiently: each is retried with back-off.
        let mailer = self.transport.mailer().await;
        'batches: loop {
            if stopping() {
                break;
            }
            let emails = store.claim(clock.now(), BATCH, lease()).await?;
            if emails.is_empty() {
                break;
            }
            let mut emails = emails.into_iter();
            while let Some(mut e) = emails.next() {
                if stopping() {
                    for e in std::iter::once(e).chain(emails) {
                        store.release(&e).await?;
                    }
                    break 'batches;
                }
                // Not sent on a lease that could end mid-send: moved on, or left
                // to the sender that claimed it after it ran out.
                let now = clock.now();
                let timeout = TimeDelta::from_std(SEND_TIMEOUT).unwrap_or(TimeDelta::seconds(30));
                if now + timeout > e.lease_until && !store.renew(&mut e, now + lease()).await? {
                    out.lost += 1;
                    continue;
                }
                let result = match self.message(&e) {
                    Ok(msg) => match &mailer {
                        Ok(m) => m.send(&msg).await,
                        Err(err) => Err(err.clone()),
                    },
                    Err(why) => Err(SendError::Permanent(why)),
                };
                match result {
                    Ok(()) => {
                        store.mark_sent(&e.id, clock.now()).await?;
                        tracing::info!(email = %e.id, template = %e.template, attempt = e.attempt, "sent");
                        out.sent += 1;
                    }
                    Err(err) => {
                        let permanent = matches!(err, SendError::Permanent(_));
                        tracing::warn!(email = %e.id, attempt = e.attempt, "not sent: {err}");
                        if store
                            .mark_failed(&e, &err.to_string(), permanent, clock.now())
                            .await?
                        {
                            tracing::warn!(email = %e.id, template = %e.template, "parked: not tried again (pantau outbox resend)");
                            out.failed += 1;
                        } else {
                            out.retry += 1;
                        }
                    }
                }
            }
        }
        if let Ok(m) = mailer {
            m.shutdown().await;
        }
        out.leased = store.outbox_counts(clock.now()).await?.1;
        Ok(out)
    }

    fn message(&self, e: &Email) -> Result<Message, String> {
        let to =
            e.to.clone()
                .ok_or_else(|| format!("no recipient for {}", e.id))?;
        let mut ctx: serde_json::Value =
            serde_json::from_str(&e.payload).map_err(|err| err.to_string())?;
        // Every email's footer links the recipient's profile page (their
        // language, the digest, their password and sessions).
        if let Some(map) = ctx.as_object_mut() {
            let base = self.links.base_url.trim_end_matches('/');
            map.entry("profile")
                .or_insert_with(|| format!("{base}/profil").into());
            // A page of Pantau named by its path (`/bayar/…`) becomes its link.
            if let Some(path) = map.get("path").and_then(|p| p.as_str()) {
                let link = format!("{base}{path}");
                map.entry("link").or_insert_with(|| link.into());
            }
        }
        let lang: Lang = e.lang.parse().unwrap_or_default();
        Ok(Message {
            id: e.id.parse().map_err(|err: uuid::Error| err.to_string())?,
            to,
            from: self.from.clone(),
            date: e.created_at,
            rendered: self
                .templates
                .render(&e.template, lang, &ctx)
                .map_err(|err| err.to_string())?,
        })
    }
}

impl Sent {
    /// One line for a person: what went, and what waits.
    pub fn line(&self) -> String {
        let mut line = format!(
            "sent {}, {} to retry, {} failed",
            self.sent, self.retry, self.failed
        );
        if self.leased > 0 {
            line.push_str(&format!(
                "; {} held by another sender's lease (sending now, or stopped mid-way: they go when the lease ends; `pantau outbox list --status leased`)",
                self.leased
            ));
        }
        line
    }
}
