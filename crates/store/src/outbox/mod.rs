//! The outbox: every email is a row written in the same transaction as
//! the change that calls for it, under a unique key (`reminder:KEY:LOGIN`,
//! `notify:KEY:LOGIN`, `decree:DECREE:LOGIN`, `digest:LOGIN:DATE`,
//! `monthly:LOGIN:YYYY-MM`), so two sweeps at once, a retry or a restart
//! never queue the same email twice.
//!
//! - `sweep`: a zone's round turns the reminders that fell due into one row
//!   per recipient (or a digest item), and notices (a transition's
//!   notifications, a decree's) into rows for the people they mean.
//! - `digest`: a digest user's held items, gathered into one email at
//!   their own zone's round.
//! - `monthly`: the monthly report's one row per manager and month.
//! - `send`: a sender claims rows under a lease that runs from the claim,
//!   and marks each sent, retried with back-off, or parked as failed;
//!   operators list and resend.

mod context;
mod digest;
mod gauge;
mod monthly;
mod send;
mod sweep;

use chrono::{DateTime, Duration, Utc};
use pantau_domain::Lang;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::StoreError;
use crate::schema::entity::outbox;

pub use gauge::OutboxGauges;
pub use monthly::key as monthly_key;
pub use send::{Email, OutboxLine, Resend};
pub use sweep::SweepReport;

/// Where links in emails point.
#[derive(Debug, Clone)]
pub struct Links {
    pub base_url: String,
}

/// Attempts before an email is parked as failed: with [`backoff`], about
/// seven hours of an SMTP server that does not answer.
pub const MAX_ATTEMPTS: i32 = 12;

/// How long to wait after the `attempts`-th failed attempt: 1, 2, 4, 8, 16,
/// 32 minutes, then every hour.
pub fn backoff(attempts: i32) -> Duration {
    Duration::minutes(1i64 << (attempts - 1).clamp(0, 6)).min(Duration::hours(1))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn outbox_row(
    key: &str,
    case_id: &str,
    role: &str,
    login: &str,
    template: &str,
    lang: Lang,
    payload: serde_json::Value,
    status: &str,
    now: DateTime<Utc>,
) -> outbox::ActiveModel {
    outbox::ActiveModel {
        id: Set(id_of(key)),
        key: Set(key.to_string()),
        case_id: Set(Some(case_id.to_string())),
        kind: Set(if status == "held" {
            "digest_item"
        } else {
            "email"
        }
        .into()),
        to_role: Set(role.to_string()),
        to_user: Set(Some(login.to_string())),
        template: Set(template.to_string()),
        lang: Set(lang.as_str().into()),
        payload: Set(payload.to_string()),
        status: Set(status.to_string()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
    }
}

/// An outbox row's id: the same key always names the same row (and the
/// email's Message-ID is made from it).
pub(crate) fn id_of(key: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes()).to_string()
}

/// Queues outbox rows, each once: a row whose key (or id, made from the
/// key) is there already is left alone, whichever of the two a concurrent
/// writer's row collides on. Returns how many were new.
pub(crate) async fn insert_outbox(
    db: &impl ConnectionTrait,
    rows: Vec<outbox::ActiveModel>,
) -> Result<u64, StoreError> {
    let mut queued = 0;
    for chunk in rows.chunks(300) {
        queued += outbox::Entity::insert_many(chunk.to_vec())
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(db)
            .await?;
    }
    Ok(queued)
}
