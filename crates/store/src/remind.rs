//! Reminders and the outbox: a sweep turns the reminders that fell due into
//! one outbox row per recipient (or a digest item), in one transaction; a
//! sender claims rows, and marks each sent, retried later, or failed.
//!
//! Every outbox row has a unique key (`reminder:KEY:LOGIN`, `notify:KEY:LOGIN`,
//! `decree:DECREE:LOGIN`, `digest:LOGIN:DATE`, `monthly:LOGIN:YYYY-MM`), so two sweeps at once, a retry or a restart never
//! queue the same email twice. Claims use `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL and a lease (`locked_until`) everywhere, so several instances
//! share the work and a crashed sender's rows come back when its lease ends.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use pantau_domain::{Lang, Role, Rupiah, Zone};
use pantau_workflow::{Case, Catalog};
use sea_orm::sea_query::{ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use serde_json::json;

use crate::apply::begin;
use crate::decree::notice::{self, Notice};
use crate::entity::{beneficiary, case, outbox, region, reminder, user};
use crate::{Store, StoreError};

/// A user to add.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub region: Option<String>,
    pub lang: Lang,
    pub digest: bool,
    pub password_hash: Option<String>,
}

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Reminders and notifications that fell due.
    pub due: usize,
    /// Emails queued.
    pub queued: usize,
    /// Items held for a daily digest.
    pub held: usize,
    /// Reminders nobody could receive (no such user in the region).
    pub unaddressed: usize,
}

/// Where links in emails point.
#[derive(Debug, Clone)]
pub struct Links {
    pub base_url: String,
}

impl Store {
    /// Adds a user; an existing login is left as it is. Returns whether it was new.
    pub async fn add_user(&self, u: &NewUser, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let inserted = user::Entity::insert(user::ActiveModel {
            login: Set(u.login.clone()),
            name: Set(u.name.clone()),
            email: Set(u.email.clone()),
            role: Set(u.role.as_str().into()),
            region_code: Set(u.region.clone()),
            lang: Set(u.lang.as_str().into()),
            digest: Set(u.digest),
            password_hash: Set(u.password_hash.clone()),
            active: Set(true),
            last_digest_on: Set(None),
            created_at: Set(now),
            failed_logins: Set(0),
            locked_until: Set(None),
        })
        .on_conflict(
            OnConflict::column(user::Column::Login)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(inserted == 1)
    }

    pub async fn user(&self, login: &str) -> Result<Option<user::Model>, StoreError> {
        Ok(user::Entity::find_by_id(login).one(&self.db).await?)
    }

    /// A user's own choices: the language of pages and emails, and whether
    /// reminders come as one daily digest. Returns whether the user exists.
    pub async fn set_preferences(
        &self,
        login: &str,
        lang: Lang,
        digest: bool,
    ) -> Result<bool, StoreError> {
        let r = user::Entity::update_many()
            .col_expr(
                user::Column::Lang,
                sea_orm::sea_query::Expr::value(lang.as_str()),
            )
            .col_expr(
                user::Column::Digest,
                sea_orm::sea_query::Expr::value(digest),
            )
            .filter(user::Column::Login.eq(login))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// Queues what fell due by `now`: reminders whose time came (through the
    /// index on `fire_at`, so the cost follows what is due, not the number of
    /// cases), and notifications not yet addressed to people. With `only`,
    /// only cases in regions of that zone (a sweep runs at each zone's hour).
    pub async fn sweep(
        &self,
        catalog: &Catalog,
        links: &Links,
        now: DateTime<Utc>,
        only: Option<Zone>,
        limit: u64,
    ) -> Result<SweepReport, StoreError> {
        let txn = begin(&self.db).await?;
        let mut find = reminder::Entity::find()
            .filter(reminder::Column::Status.eq("pending"))
            .filter(reminder::Column::FireAt.lte(now))
            .order_by_asc(reminder::Column::FireAt)
            .limit(limit);
        if self.backend() == DbBackend::Postgres {
            find = find.lock_with_behavior(
                sea_orm::sea_query::LockType::Update,
                sea_orm::sea_query::LockBehavior::SkipLocked,
            );
        }
        let reminders = find.all(&txn).await?;
        let notices = outbox::Entity::find()
            .filter(outbox::Column::Kind.eq("notify"))
            .filter(outbox::Column::ToUser.is_null())
            .filter(outbox::Column::Status.eq("queued"))
            .limit(limit)
            .all(&txn)
            .await?;
        let case_ids: Vec<String> = reminders
            .iter()
            .map(|r| r.case_id.clone())
            .chain(notices.iter().filter_map(|n| n.case_id.clone()))
            .collect();
        let cases: BTreeMap<String, case::Model> = case::Entity::find()
            .filter(case::Column::Id.is_in(case_ids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let zones: BTreeMap<String, Zone> = region::Entity::find()
            .all(&txn)
            .await?
            .into_iter()
            .map(|r| (r.code, r.zone.parse().unwrap_or_default()))
            .collect();
        let mut report = SweepReport::default();
        let mut rows = Vec::new();
        let mut swept = Vec::new();
        let jobs = reminders
            .iter()
            .map(|r| {
                (
                    format!("reminder:{}", r.key),
                    r.case_id.clone(),
                    r.to_role.clone(),
                    r.template.clone(),
                    r.step,
                    Some(r.key.clone()),
                )
            })
            .chain(notices.iter().map(|n| {
                (
                    format!("notify:{}", n.key),
                    n.case_id.clone().unwrap_or_default(),
                    n.to_role.clone(),
                    n.template.clone(),
                    0,
                    None,
                )
            }));
        for (key, case_id, role, template, step, reminder_key) in jobs {
            let Some(c) = cases.get(&case_id) else {
                continue;
            };
            let zone = c
                .region
                .as_ref()
                .and_then(|r| zones.get(r))
                .copied()
                .unwrap_or_default();
            if only.is_some_and(|z| z != zone) {
                continue;
            }
            report.due += 1;
            let recipients = self.recipients(&txn, c, &role).await?;
            if recipients.is_empty() {
                report.unaddressed += 1;
            }
            let context = CaseContext::load(&txn, catalog, c, &template).await?;
            for u in recipients {
                let lang: Lang = u.lang.parse().unwrap_or_default();
                let payload = context.payload(&u, lang, zone, links, step > 0);
                let held = u.digest && reminder_key.is_some();
                rows.push(outbox_row(
                    &format!("{key}:{}", u.login),
                    &case_id,
                    &role,
                    &u.login,
                    &template,
                    lang,
                    payload,
                    if held { "held" } else { "queued" },
                    now,
                ));
                if held {
                    report.held += 1
                } else {
                    report.queued += 1
                }
            }
            swept.extend(reminder_key);
        }
        insert_outbox(&txn, rows).await?;
        if !swept.is_empty() {
            reminder::Entity::update_many()
                .col_expr(
                    reminder::Column::Status,
                    sea_orm::sea_query::Expr::value("queued"),
                )
                .filter(reminder::Column::Key.is_in(swept))
                .exec(&txn)
                .await?;
        }
        mark_addressed(&txn, notices.iter().map(|n| n.id.clone()).collect()).await?;
        let (due, queued, unaddressed) = self
            .address_decrees(&txn, links, &zones, now, only, limit)
            .await?;
        report.due += due;
        report.queued += queued;
        report.unaddressed += unaddressed;
        txn.commit().await?;
        Ok(report)
    }
}

impl Store {
    /// The active users holding `role` who work in kabupaten/kota `region`:
    /// its own, its province's, and the national ones.
    pub async fn people_of(
        &self,
        role: Role,
        region: &str,
    ) -> Result<Vec<user::Model>, StoreError> {
        recipients_in(&self.db, region, role.as_str()).await
    }

    /// The people a role means for a case: the assigned field officer, or
    /// the active users holding the role in the case's kabupaten/kota, its
    /// province, or nationally.
    async fn recipients(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        c: &case::Model,
        role: &str,
    ) -> Result<Vec<user::Model>, StoreError> {
        if role == Role::FieldOfficer.as_str() {
            let snapshot: Case = serde_json::from_str(&c.snapshot)?;
            if let Some(officer) = snapshot.officer
                && let Some(u) = user::Entity::find_by_id(officer)
                    .one(txn)
                    .await?
                    .filter(|u| u.active)
            {
                return Ok(vec![u]);
            }
        }
        recipients_in(txn, c.region.as_deref().unwrap_or_default(), role).await
    }

    /// Addresses the decree notices waiting (see [`crate::decree::notice`]):
    /// one email per person and decree, whatever number of regions' notices
    /// name them. Returns (notices addressed, emails queued, notices nobody could receive).
    async fn address_decrees(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        links: &Links,
        zones: &BTreeMap<String, Zone>,
        now: DateTime<Utc>,
        only: Option<Zone>,
        limit: u64,
    ) -> Result<(usize, usize, usize), StoreError> {
        let notices = outbox::Entity::find()
            .filter(outbox::Column::Kind.eq("decree"))
            .filter(outbox::Column::ToUser.is_null())
            .filter(outbox::Column::Status.eq("queued"))
            .order_by_asc(outbox::Column::CreatedAt)
            .limit(limit)
            .all(txn)
            .await?;
        let (mut due, mut queued, mut unaddressed) = (0, 0, 0);
        let mut rows = Vec::new();
        let mut addressed = Vec::new();
        let mut told = std::collections::BTreeSet::new();
        for n in notices.iter().filter_map(Notice::of) {
            let zone = zones.get(&n.region).copied().unwrap_or_default();
            if only.is_some_and(|z| z != zone) {
                continue;
            }
            due += 1;
            let people = recipients_in(txn, &n.region, &n.role).await?;
            if people.is_empty() {
                unaddressed += 1;
            }
            for u in people {
                let key = format!("decree:{}:{}", n.decree_id, u.login);
                if !told.insert(key.clone()) {
                    continue;
                }
                let lang: Lang = u.lang.parse().unwrap_or_default();
                let Some(payload) = self.decree_payload(&n.decree_id, &u, lang, links).await?
                else {
                    continue;
                };
                let row = outbox_row(
                    &key,
                    "",
                    &n.role,
                    &u.login,
                    notice::TEMPLATE,
                    lang,
                    payload,
                    "queued",
                    now,
                );
                rows.push(outbox::ActiveModel {
                    case_id: Set(None),
                    ..row
                });
                queued += 1;
            }
            addressed.push(n.id);
        }
        insert_outbox(txn, rows).await?;
        mark_addressed(txn, addressed).await?;
        Ok((due, queued, unaddressed))
    }
}

/// The active users holding `role` in kabupaten/kota `region`, its province, or nationally.
async fn recipients_in(
    txn: &impl ConnectionTrait,
    region: &str,
    role: &str,
) -> Result<Vec<user::Model>, StoreError> {
    let province = region.get(..2).unwrap_or_default().to_string();
    let users = user::Entity::find()
        .filter(user::Column::Role.eq(role))
        .filter(user::Column::Active.eq(true))
        .filter(
            user::Column::RegionCode
                .is_in([region.to_string(), province])
                .or(user::Column::RegionCode.is_null()),
        )
        .order_by_asc(user::Column::Login)
        .all(txn)
        .await?;
    Ok(users)
}

/// Queues outbox rows, each once under its key; returns how many were new.
pub(crate) async fn insert_outbox(
    db: &impl ConnectionTrait,
    rows: Vec<outbox::ActiveModel>,
) -> Result<u64, StoreError> {
    let mut queued = 0;
    for chunk in rows.chunks(300) {
        queued += outbox::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(outbox::Column::Key)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(queued)
}

/// Marks notifications as resolved to people.
async fn mark_addressed(
    txn: &sea_orm::DatabaseTransaction,
    ids: Vec<String>,
) -> Result<(), StoreError> {
    if !ids.is_empty() {
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Status,
                sea_orm::sea_query::Expr::value("addressed"),
            )
            .filter(outbox::Column::Id.is_in(ids))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// What the templates say about a case.
struct CaseContext {
    id: String,
    beneficiary: String,
    program: String,
    state: (String, String),
    approved: Option<i64>,
    due_at: Option<DateTime<Utc>>,
    entered_at: DateTime<Utc>,
    reason: String,
}

impl CaseContext {
    async fn load(
        txn: &sea_orm::DatabaseTransaction,
        catalog: &Catalog,
        c: &case::Model,
        _template: &str,
    ) -> Result<CaseContext, StoreError> {
        let snapshot: Case = serde_json::from_str(&c.snapshot)?;
        let def = catalog.get(
            &c.workflow,
            u32::try_from(c.workflow_version).unwrap_or_default(),
        );
        let state = def.and_then(|d| d.state(&c.state)).map_or_else(
            || (c.state.clone(), c.state.clone()),
            |s| (s.label.id.clone(), s.label.en.clone()),
        );
        let beneficiary = match &c.beneficiary_id {
            Some(id) => beneficiary::Entity::find_by_id(id.as_str())
                .one(txn)
                .await?
                .map(|b| b.name),
            None => None,
        };
        let reason = [
            "reason",
            "cancel_reason",
            "revision_notes",
            "rejection_reason",
            "return_notes",
            "halt_reason",
        ]
        .iter()
        .find_map(|f| snapshot.fields.get(*f))
        .map(|v| v.display())
        .unwrap_or_default();
        Ok(CaseContext {
            id: c.id.clone(),
            beneficiary: beneficiary
                .or_else(|| c.region.clone().map(|r| format!("wilayah {r}")))
                .unwrap_or_else(|| "-".into()),
            program: def.map_or_else(|| c.workflow.clone(), |d| d.label.id.clone()),
            state,
            approved: c.approved_amount,
            due_at: snapshot.open_visit().map(|v| v.due_at),
            entered_at: snapshot.entered_at,
            reason,
        })
    }

    /// The template context for one recipient; `since` is when the case entered its state.
    fn payload(
        &self,
        to: &user::Model,
        lang: Lang,
        zone: Zone,
        links: &Links,
        escalation: bool,
    ) -> serde_json::Value {
        let short: String = self.id.chars().take(8).collect();
        json!({
            "recipient": { "name": to.name, "email": to.email, "login": to.login },
            "case": {
                "id": self.id,
                "number": short.to_uppercase(),
                "beneficiary": self.beneficiary,
                "approved": self.approved.and_then(|a| Rupiah::new(a).ok()).map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
            },
            "program": self.program,
            "state": if lang == Lang::En { &self.state.1 } else { &self.state.0 },
            "since": zone.format_long(self.entered_at, lang),
            "due_at": self.due_at.map(|d| zone.format_long(d, lang)).unwrap_or_else(|| "-".into()),
            "link": format!("{}/kasus/{}", links.base_url.trim_end_matches('/'), self.id),
            "reason": self.reason,
            "escalation": escalation,
        })
    }
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
        id: Set(uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes()).to_string()),
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

/// How long to wait before attempt `n + 1`: 1, 2, 4 … minutes, at most 6 hours.
pub fn backoff(attempts: i32) -> Duration {
    Duration::minutes(1i64 << attempts.clamp(0, 9)).min(Duration::hours(6))
}

impl Store {
    /// Gathers each digest user's held items into one email per day.
    pub async fn compile_digests(
        &self,
        links: &Links,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let txn = begin(&self.db).await?;
        let items = outbox::Entity::find()
            .filter(outbox::Column::Status.eq("held"))
            .order_by_asc(outbox::Column::CreatedAt)
            .all(&txn)
            .await?;
        let mut by_user: BTreeMap<String, Vec<outbox::Model>> = BTreeMap::new();
        for i in items {
            by_user
                .entry(i.to_user.clone().unwrap_or_default())
                .or_default()
                .push(i);
        }
        let mut made = 0;
        for (login, items) in by_user {
            let Some(u) = user::Entity::find_by_id(login.as_str()).one(&txn).await? else {
                continue;
            };
            let zone = zone_of(&txn, &u).await?;
            let today = now.with_timezone(&zone.offset()).date_naive();
            if u.last_digest_on == Some(today) {
                continue;
            }
            let lang: Lang = u.lang.parse().unwrap_or_default();
            let entries: Vec<serde_json::Value> = items
                .iter()
                .map(|i| {
                    let p: serde_json::Value = serde_json::from_str(&i.payload).unwrap_or_default();
                    json!({ "template": i.template, "case": p["case"], "program": p["program"], "state": p["state"], "due_at": p["due_at"], "since": p["since"], "link": p["link"] })
                })
                .collect();
            let payload = json!({
                "recipient": { "name": u.name, "email": u.email, "login": u.login },
                "date": pantau_domain::long_date(today, lang),
                "items": entries,
                "count": items.len(),
                "link": links.base_url,
            });
            let key = format!("digest:{}:{today}", u.login);
            let row = outbox_row(
                &key, "", &u.role, &u.login, "digest", lang, payload, "queued", now,
            );
            outbox::Entity::insert(outbox::ActiveModel {
                case_id: Set(None),
                kind: Set("digest".into()),
                ..row
            })
            .on_conflict(
                OnConflict::column(outbox::Column::Key)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
            let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
            outbox::Entity::update_many()
                .col_expr(
                    outbox::Column::Status,
                    sea_orm::sea_query::Expr::value("digested"),
                )
                .filter(outbox::Column::Id.is_in(ids))
                .exec(&txn)
                .await?;
            user::Entity::update_many()
                .col_expr(
                    user::Column::LastDigestOn,
                    sea_orm::sea_query::Expr::value(today),
                )
                .filter(user::Column::Login.eq(u.login.as_str()))
                .exec(&txn)
                .await?;
            made += 1;
        }
        txn.commit().await?;
        Ok(made)
    }

    /// Claims up to `limit` emails ready to send, leasing them for `lease`:
    /// no other sender takes them until the lease ends.
    pub async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: u64,
        lease: Duration,
    ) -> Result<Vec<outbox::Model>, StoreError> {
        let backend = self.backend();
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
        let txn = begin(&self.db).await?;
        let rows = outbox::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(
                backend,
                sql,
                [(now + lease).into(), now.into(), now.into()],
            ))
            .all(&txn)
            .await?;
        txn.commit().await?;
        Ok(rows)
    }

    /// The email left, under the lease this sender holds.
    pub async fn mark_sent(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Status,
                sea_orm::sea_query::Expr::value("sent"),
            )
            .col_expr(outbox::Column::SentAt, sea_orm::sea_query::Expr::value(now))
            .col_expr(
                outbox::Column::LockedUntil,
                sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(outbox::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The send failed: try again later with growing back-off, or park the
    /// email as failed when the error is permanent or attempts ran out.
    pub async fn mark_failed(
        &self,
        row: &outbox::Model,
        error: &str,
        permanent: bool,
        max_attempts: i32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let park = permanent || row.attempts >= max_attempts;
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Status,
                sea_orm::sea_query::Expr::value(if park { "failed" } else { "queued" }),
            )
            .col_expr(
                outbox::Column::NextAttemptAt,
                sea_orm::sea_query::Expr::value(now + backoff(row.attempts)),
            )
            .col_expr(
                outbox::Column::LockedUntil,
                sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                outbox::Column::LastError,
                sea_orm::sea_query::Expr::value(error.chars().take(1000).collect::<String>()),
            )
            .filter(outbox::Column::Id.eq(row.id.as_str()))
            .exec(&self.db)
            .await?;
        Ok(park)
    }

    /// Emails, newest first; `status` filters (queued, sent, failed, held, digested).
    pub async fn outbox(
        &self,
        status: Option<&str>,
        limit: u64,
    ) -> Result<Vec<outbox::Model>, StoreError> {
        let mut q = outbox::Entity::find()
            .filter(outbox::Column::ToUser.is_not_null())
            .order_by_desc(outbox::Column::CreatedAt)
            .limit(limit);
        if let Some(s) = status {
            q = q.filter(outbox::Column::Status.eq(s));
        }
        Ok(q.all(&self.db).await?)
    }

    /// Puts a parked email back in the queue. Returns whether it existed.
    pub async fn resend(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let r = outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Status,
                sea_orm::sea_query::Expr::value("queued"),
            )
            .col_expr(outbox::Column::Attempts, sea_orm::sea_query::Expr::value(0))
            .col_expr(
                outbox::Column::NextAttemptAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .col_expr(
                outbox::Column::LockedUntil,
                sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::Status.eq("failed"))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }
}

/// The zone a user reads times in: their region's, WIB when national.
pub async fn zone_of(db: &impl ConnectionTrait, u: &user::Model) -> Result<Zone, StoreError> {
    Ok(match &u.region_code {
        Some(r) => region::Entity::find_by_id(r.as_str())
            .one(db)
            .await?
            .and_then(|r| r.zone.parse().ok())
            .unwrap_or_default(),
        None => Zone::default(),
    })
}

/// `user.email` of an outbox row's recipient.
pub async fn recipient(
    db: &impl ConnectionTrait,
    row: &outbox::Model,
) -> Result<Option<user::Model>, StoreError> {
    match &row.to_user {
        Some(login) => Ok(user::Entity::find_by_id(login.as_str()).one(db).await?),
        None => Ok(None),
    }
}
