//! Sending from the outbox: a sender claims ready rows under a lease that
//! runs from the moment of the claim (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite serializes writers), so several instances share the
//! queue and a sender that stops mid-way hands its rows back when the lease
//! ends; then marks each sent, retried after a growing wait, or parked as
//! failed. Operators see each row's state and bring failed ones back.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use pantau_domain::Zone;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};

use super::{MAX_ATTEMPTS, backoff};
use crate::schema::entity::{outbox, user};
use crate::{Store, StoreError};

/// An email a sender claimed: what to render and to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub id: String,
    pub template: String,
    /// `id` or `en`.
    pub lang: String,
    /// The template's context (JSON).
    pub payload: String,
    pub created_at: DateTime<Utc>,
    /// This attempt's number, from 1.
    pub attempt: i32,
    /// Until when this sender holds it; [`Store::renew`] moves it on.
    pub lease_until: DateTime<Utc>,
    /// The recipient, when there still is one.
    pub to: Option<(String, String)>,
}

/// An outbox row as an operator reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxLine {
    pub id: String,
    /// `queued`, `leased` (a sender holds it), `failed` (parked), `sent`,
    /// `held` (for a digest) or `digested`.
    pub state: String,
    pub to_user: Option<String>,
    pub template: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// The template's context (JSON).
    pub payload: String,
    /// When it is tried next (queued), or until when a sender holds it (leased).
    pub next: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// Which parked (or held) emails to queue again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resend {
    /// These, when failed.
    Ids(Vec<String>),
    /// Every failed one, or those queued on `day` (in `zone`).
    Failed { day: Option<(NaiveDate, Zone)> },
    /// Every one leased by a sender, as if its lease had ended (a sender
    /// known to have stopped).
    Leased,
}

impl Store {
    /// Claims up to `limit` emails ready to send at `now`, leasing them for
    /// `lease` from `now`: no other sender takes them before that ends.
    /// Pass the time of the claim, not of the round it belongs to.
    pub async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<Email>, StoreError> {
        let backend = self.db_backend();
        let (lock, p) = match backend {
            DbBackend::Postgres => ("FOR UPDATE SKIP LOCKED", ["$1", "$2", "$3"]),
            _ => ("", ["?", "?", "?"]),
        };
        let sql = format!(
            "UPDATE outbox SET locked_until = {}, attempts = attempts + 1 WHERE id IN (\
             SELECT id FROM outbox WHERE status = 'queued' AND to_user IS NOT NULL AND next_attempt_at <= {} \
             AND (locked_until IS NULL OR locked_until < {}) ORDER BY next_attempt_at LIMIT {limit} {lock}) RETURNING *",
            p[0], p[1], p[2]
        );
        let txn = self.begin_write().await?;
        let rows = outbox::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(
                backend,
                sql,
                [(now + lease).into(), now.into(), now.into()],
            ))
            .all(&txn)
            .await?;
        let logins: Vec<String> = rows.iter().filter_map(|r| r.to_user.clone()).collect();
        let people: std::collections::BTreeMap<String, (String, String)> = user::Entity::find()
            .filter(user::Column::Login.is_in(logins))
            .all(&txn)
            .await?
            .into_iter()
            .map(|u| (u.login, (u.name, u.email)))
            .collect();
        txn.commit().await?;
        Ok(rows
            .into_iter()
            .map(|r| Email {
                to: r.to_user.as_ref().and_then(|l| people.get(l).cloned()),
                id: r.id,
                template: r.template,
                lang: r.lang,
                payload: r.payload,
                created_at: r.created_at,
                attempt: r.attempts,
                lease_until: r.locked_until.unwrap_or(now + lease),
            })
            .collect())
    }

    /// Holds `e` until `until`, if this sender still holds it (its lease is
    /// the one it was given: no other sender claimed it after it ran out).
    /// Returns whether it does; when not, the email is another's to send.
    pub async fn renew(&self, e: &mut Email, until: DateTime<Utc>) -> Result<bool, StoreError> {
        let r = outbox::Entity::update_many()
            .col_expr(outbox::Column::LockedUntil, Expr::value(until))
            .filter(outbox::Column::Id.eq(e.id.as_str()))
            .filter(outbox::Column::Status.eq("queued"))
            .filter(outbox::Column::LockedUntil.eq(e.lease_until))
            .exec(&self.db)
            .await?;
        if r.rows_affected == 1 {
            e.lease_until = until;
        }
        Ok(r.rows_affected == 1)
    }

    /// Gives `e` back unsent (a sender stopping): ready for the next sender
    /// at once, its claim not counted as an attempt. Fenced on the lease, as
    /// [`Store::renew`]: an email another sender took is left alone.
    pub async fn release(&self, e: &Email) -> Result<bool, StoreError> {
        let r = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).sub(1),
            )
            .filter(outbox::Column::Id.eq(e.id.as_str()))
            .filter(outbox::Column::Status.eq("queued"))
            .filter(outbox::Column::LockedUntil.eq(e.lease_until))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// The email left.
    pub async fn mark_sent(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("sent"))
            .col_expr(outbox::Column::SentAt, Expr::value(now))
            .col_expr(
                outbox::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                outbox::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .filter(outbox::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Attempt `e.attempt` failed at `now`: try again after [`backoff`], or
    /// park the email as failed when the error is permanent or the attempts
    /// ran out (its error then says so). Returns whether it was parked.
    pub async fn mark_failed(
        &self,
        e: &Email,
        error: &str,
        permanent: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let park = permanent || e.attempt >= MAX_ATTEMPTS;
        let error: String = error.chars().take(900).collect();
        let said = match (park, permanent) {
            (false, _) => format!("attempt {}: {error}; tried again later", e.attempt),
            (true, true) => format!(
                "parked: {error}; mend it, then `pantau outbox resend {}`",
                e.id
            ),
            (true, false) => format!(
                "parked after {} attempts: {error}; once mail goes out again, \
                 `pantau outbox resend --failed` queues every parked email",
                e.attempt
            ),
        };
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Status,
                Expr::value(if park { "failed" } else { "queued" }),
            )
            .col_expr(
                outbox::Column::NextAttemptAt,
                Expr::value(now + backoff(e.attempt)),
            )
            .col_expr(
                outbox::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(outbox::Column::LastError, Expr::value(said))
            .filter(outbox::Column::Id.eq(e.id.as_str()))
            .exec(&self.db)
            .await?;
        Ok(park)
    }

    /// Emails addressed to people, newest first, each with its state at
    /// `now`; `state` filters (`queued`, `leased`, `failed`, `sent`, `held`, `digested`).
    pub async fn outbox(
        &self,
        state: Option<&str>,
        limit: u64,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxLine>, StoreError> {
        let mut q = outbox::Entity::find()
            .filter(outbox::Column::ToUser.is_not_null())
            .order_by_desc(outbox::Column::CreatedAt)
            .limit(limit);
        q = match state {
            Some("leased") => q
                .filter(outbox::Column::Status.eq("queued"))
                .filter(outbox::Column::LockedUntil.gt(now)),
            Some("queued") => q.filter(outbox::Column::Status.eq("queued")).filter(
                outbox::Column::LockedUntil
                    .is_null()
                    .or(outbox::Column::LockedUntil.lte(now)),
            ),
            Some(s) => q.filter(outbox::Column::Status.eq(s)),
            None => q,
        };
        Ok(q.all(&self.db)
            .await?
            .into_iter()
            .map(|r| {
                let leased = r.status == "queued" && r.locked_until.is_some_and(|l| l > now);
                OutboxLine {
                    state: if leased { "leased".into() } else { r.status },
                    next: if leased {
                        r.locked_until
                    } else {
                        Some(r.next_attempt_at)
                    },
                    id: r.id,
                    to_user: r.to_user,
                    template: r.template,
                    attempts: r.attempts,
                    created_at: r.created_at,
                    payload: r.payload,
                    last_error: r.last_error,
                }
            })
            .collect())
    }

    /// How many emails wait at `now`: (queued, leased by a sender, parked as failed).
    pub async fn outbox_counts(&self, now: DateTime<Utc>) -> Result<(u64, u64, u64), StoreError> {
        let count = |leased: Option<bool>, status: &'static str| {
            let q = outbox::Entity::find()
                .filter(outbox::Column::ToUser.is_not_null())
                .filter(outbox::Column::Status.eq(status));
            match leased {
                Some(true) => q.filter(outbox::Column::LockedUntil.gt(now)),
                Some(false) => q.filter(
                    outbox::Column::LockedUntil
                        .is_null()
                        .or(outbox::Column::LockedUntil.lte(now)),
                ),
                None => q,
            }
            .count(&self.db)
        };
        Ok((
            count(Some(false), "queued").await?,
            count(Some(true), "queued").await?,
            count(None, "failed").await?,
        ))
    }

    /// Queues again what `which` names, ready at once (whatever a sender's
    /// clock says) with its attempts counted afresh. Returns how many.
    pub async fn resend(&self, which: &Resend, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut q = outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("queued"))
            .col_expr(
                outbox::Column::NextAttemptAt,
                Expr::col(outbox::Column::CreatedAt),
            )
            .col_expr(
                outbox::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(outbox::Column::ToUser.is_not_null());
        q = match which {
            Resend::Ids(ids) => q
                .col_expr(outbox::Column::Attempts, Expr::value(0))
                .filter(outbox::Column::Id.is_in(ids.clone()))
                .filter(outbox::Column::Status.eq("failed")),
            Resend::Failed { day } => {
                let q = q
                    .col_expr(outbox::Column::Attempts, Expr::value(0))
                    .filter(outbox::Column::Status.eq("failed"));
                match day {
                    Some((day, zone)) => {
                        let start = day
                            .and_hms_opt(0, 0, 0)
                            .and_then(|t| t.and_local_timezone(zone.offset()).single())
                            .map(|t| t.with_timezone(&Utc))
                            .ok_or_else(|| StoreError::Corrupt(format!("no day {day}")))?;
                        q.filter(outbox::Column::CreatedAt.gte(start))
                            .filter(outbox::Column::CreatedAt.lt(start + Duration::days(1)))
                    }
                    None => q,
                }
            }
            Resend::Leased => q
                .filter(outbox::Column::Status.eq("queued"))
                .filter(outbox::Column::LockedUntil.gt(now)),
        };
        Ok(q.exec(&self.db).await?.rows_affected)
    }
}
