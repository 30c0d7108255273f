//! Turning what fell due into emails for people. A zone's round sweeps
//! the reminders of cases in that zone's regions (so each zone's limit is
//! its own, and one zone's backlog never starves another), then gathers the
//! digests of that zone's users, all under the zone's lock on PostgreSQL so
//! that two instances running the same round take turns rather than split
//! a digest. Notices (a transition's notifications, a decree's) are not
//! reminders: they are addressed whenever a sender looks, within a minute.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use pantau_domain::{Lang, Role, Zone};
use pantau_workflow::{Case, Catalog};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Statement,
};

use super::context::CaseContext;
use super::{Links, insert_outbox, outbox_row};
use crate::accounts::people_in;
use crate::decree::notice::{self, Notice};
use crate::schema::entity::{case, outbox, region, reminder, user};
use crate::{Store, StoreError};

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Reminders and notices that fell due.
    pub due: usize,
    /// Emails queued (counted as written: one queued by another instance first is not).
    pub queued: usize,
    /// Items held for a daily digest.
    pub held: usize,
    /// Reminders and notices nobody could receive (no such user in the region).
    pub unaddressed: usize,
    /// Daily digests gathered.
    pub digests: usize,
}

impl SweepReport {
    fn add(&mut self, other: SweepReport) {
        self.due += other.due;
        self.queued += other.queued;
        self.held += other.held;
        self.unaddressed += other.unaddressed;
        self.digests += other.digests;
    }
}

/// One reminder or notice to address: (outbox key prefix, case, role, template, escalation step, reminder key).
struct Job {
    key: String,
    case_id: String,
    role: String,
    template: String,
    step: i32,
    reminder: Option<String>,
}

impl Store {
    /// `zone`'s round at `now`: every reminder of a case in the zone's
    /// regions whose time came, `limit` per transaction until none is left,
    /// then the digests of the zone's users.
    pub async fn round(
        &self,
        catalog: &Catalog,
        links: &Links,
        zone: Zone,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<SweepReport, StoreError> {
        let mut report = SweepReport::default();
        loop {
            let txn = self.begin_write().await?;
            lock(&txn, zone_lock(zone)).await?;
            let reminders = due_reminders(&txn, zone, now, limit).await?;
            let last = (reminders.len() as u64) < limit;
            let jobs = reminders
                .into_iter()
                .map(|r| Job {
                    key: format!("reminder:{}", r.key),
                    case_id: r.case_id,
                    role: r.to_role,
                    template: r.template,
                    step: r.step,
                    reminder: Some(r.key),
                })
                .collect();
            let (part, swept) = self.address(&txn, catalog, links, jobs, now).await?;
            report.add(part);
            if !swept.is_empty() {
                reminder::Entity::update_many()
                    .col_expr(reminder::Column::Status, Expr::value("queued"))
                    .filter(reminder::Column::Key.is_in(swept))
                    .exec(&txn)
                    .await?;
            }
            if last {
                // Nothing of this round is left anywhere: the digests are whole.
                report.digests += super::digest::compile(&txn, links, zone, now).await?;
            }
            txn.commit().await?;
            if last {
                return Ok(report);
            }
        }
    }

    /// Addresses the notices waiting (a transition's notifications, a
    /// decree's) to the people they mean, `limit` at a time until none is left.
    pub async fn address_notices(
        &self,
        catalog: &Catalog,
        links: &Links,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<SweepReport, StoreError> {
        let mut report = SweepReport::default();
        loop {
            let txn = self.begin_write().await?;
            lock(&txn, NOTICES_LOCK).await?;
            let notices = waiting(&txn, "notify", limit).await?;
            let decrees = waiting(&txn, "decree", limit).await?;
            let last = (notices.len() as u64) < limit && (decrees.len() as u64) < limit;
            let jobs = notices
                .iter()
                .map(|n| Job {
                    key: format!("notify:{}", n.key),
                    case_id: n.case_id.clone().unwrap_or_default(),
                    role: n.to_role.clone(),
                    template: n.template.clone(),
                    step: 0,
                    reminder: None,
                })
                .collect();
            let (part, _) = self.address(&txn, catalog, links, jobs, now).await?;
            report.add(part);
            mark_addressed(&txn, notices.into_iter().map(|n| n.id).collect()).await?;
            report.add(self.address_decrees(&txn, links, &decrees, now).await?);
            txn.commit().await?;
            if last {
                return Ok(report);
            }
        }
    }

    /// Queues one row per recipient of each job (held for a digest when the
    /// recipient takes one and the job is a reminder); returns what was
    /// done and the reminders swept.
    async fn address(
        &self,
        txn: &DatabaseTransaction,
        catalog: &Catalog,
        links: &Links,
        jobs: Vec<Job>,
        now: DateTime<Utc>,
    ) -> Result<(SweepReport, Vec<String>), StoreError> {
        let ids: BTreeSet<&String> = jobs.iter().map(|j| &j.case_id).collect();
        let cases: BTreeMap<String, case::Model> = case::Entity::find()
            .filter(case::Column::Id.is_in(ids.into_iter().cloned()))
            .all(txn)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let zones = zones(txn).await?;
        let mut report = SweepReport::default();
        let (mut queued, mut held, mut swept) = (Vec::new(), Vec::new(), Vec::new());
        for job in jobs {
            let Some(c) = cases.get(&job.case_id) else {
                continue;
            };
            let zone = c
                .region
                .as_ref()
                .and_then(|r| zones.get(r))
                .copied()
                .unwrap_or_default();
            report.due += 1;
            let recipients = recipients(txn, c, &job.role).await?;
            if recipients.is_empty() {
                report.unaddressed += 1;
            }
            let context = CaseContext::load(txn, catalog, c).await?;
            for u in recipients {
                let lang: Lang = u.lang.parse().unwrap_or_default();
                let payload = context.payload(&u, lang, zone, links, job.step > 0);
                let hold = u.digest && job.reminder.is_some();
                let row = outbox_row(
                    &format!("{}:{}", job.key, u.login),
                    &job.case_id,
                    &job.role,
                    &u.login,
                    &job.template,
                    lang,
                    payload,
                    if hold { "held" } else { "queued" },
                    now,
                );
                if hold { &mut held } else { &mut queued }.push(row);
            }
            swept.extend(job.reminder);
        }
        report.queued += count(insert_outbox(txn, queued).await?);
        report.held += count(insert_outbox(txn, held).await?);
        Ok((report, swept))
    }

    /// Addresses the decree notices waiting (see [`crate::decree::notice`]):
    /// one email per person and decree, whatever number of regions' notices
    /// name them.
    async fn address_decrees(
        &self,
        txn: &DatabaseTransaction,
        links: &Links,
        notices: &[outbox::Model],
        now: DateTime<Utc>,
    ) -> Result<SweepReport, StoreError> {
        let mut report = SweepReport::default();
        let mut rows = Vec::new();
        let mut addressed = Vec::new();
        let mut told = BTreeSet::new();
        for n in notices.iter().filter_map(Notice::of) {
            report.due += 1;
            let people = people_in(txn, &n.region, &n.role).await?;
            if people.is_empty() {
                report.unaddressed += 1;
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
            }
            addressed.push(n.id);
        }
        report.queued += count(insert_outbox(txn, rows).await?);
        mark_addressed(txn, addressed).await?;
        Ok(report)
    }
}

fn count(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The pending reminders of cases in `zone`'s regions (national cases count
/// as WIB) whose time came by `now`, oldest first, at most `limit`.
async fn due_reminders(
    txn: &DatabaseTransaction,
    zone: Zone,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<reminder::Model>, StoreError> {
    let backend = txn.get_database_backend();
    let sql = format!(
        "SELECT r.* FROM reminders r JOIN cases c ON c.id = r.case_id \
         LEFT JOIN regions g ON g.code = c.region \
         WHERE r.status = 'pending' AND r.fire_at <= {} AND COALESCE(g.zone, 'WIB') = {} \
         ORDER BY r.fire_at, r.key LIMIT {limit}",
        placeholder(backend, 1),
        placeholder(backend, 2)
    );
    let statement =
        Statement::from_sql_and_values(backend, sql, [now.into(), zone.as_str().into()]);
    Ok(txn
        .query_all_raw(statement)
        .await?
        .iter()
        .map(|r| reminder::Model::from_query_result(r, ""))
        .collect::<Result<_, _>>()?)
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".into(),
    }
}

/// Notices of `kind` not yet addressed to people, oldest first.
async fn waiting(
    txn: &DatabaseTransaction,
    kind: &str,
    limit: u64,
) -> Result<Vec<outbox::Model>, StoreError> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Kind.eq(kind))
        .filter(outbox::Column::ToUser.is_null())
        .filter(outbox::Column::Status.eq("queued"))
        .order_by_asc(outbox::Column::CreatedAt)
        .limit(limit)
        .all(txn)
        .await?)
}

/// Every region's zone, by code.
pub(super) async fn zones(db: &impl ConnectionTrait) -> Result<BTreeMap<String, Zone>, StoreError> {
    Ok(region::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.code, r.zone.parse().unwrap_or_default()))
        .collect())
}

/// The people a role means for a case: the assigned field officer, or the
/// active users holding the role in the case's kabupaten/kota, its province,
/// or nationally.
async fn recipients(
    txn: &DatabaseTransaction,
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
    people_in(txn, c.region.as_deref().unwrap_or_default(), role).await
}

/// Marks notices as resolved to people.
async fn mark_addressed(txn: &DatabaseTransaction, ids: Vec<String>) -> Result<(), StoreError> {
    if !ids.is_empty() {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("addressed"))
            .filter(outbox::Column::Id.is_in(ids))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// The lock of a zone's round; notices have their own.
fn zone_lock(zone: Zone) -> i64 {
    ROUND_LOCK
        + match zone {
            Zone::Wib => 0,
            Zone::Wita => 1,
            Zone::Wit => 2,
        }
}

const ROUND_LOCK: i64 = 0x5041_4E54_0000_0100;
const NOTICES_LOCK: i64 = 0x5041_4E54_0000_0110;

/// On PostgreSQL, waits for `key`'s transaction-scoped advisory lock, so
/// that two instances doing the same work take turns (SQLite's `BEGIN
/// IMMEDIATE` already serializes writers).
async fn lock(txn: &DatabaseTransaction, key: i64) -> Result<(), StoreError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}
