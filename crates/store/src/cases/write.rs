//! Everything one or many transitions write, gathered first and then sent
//! as one batched statement per table, in the caller's transaction.
//! [`insert_rows`] and [`case_upsert`] are public for the decree benchmark,
//! whose baseline writes the same rows with them and no engine.

use chrono::{DateTime, Utc};
use pantau_workflow::{Case, Change, Effect, Event};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    DbBackend, EntityTrait, IdenStatic, Iterable, QueryFilter, QueryTrait, Statement, TryIntoModel,
};

use crate::registry::years::{self, Verified};
use crate::schema::entity::{allocation, case, event, outbox, reminder, tranche, visit};
use crate::together::{Step, send_together};
use crate::{StoreError, chain};

/// Rows per INSERT, well under SQLite's 32,766 bind parameters.
const ROWS: usize = 500;

/// The rows a set of transitions will write.
#[derive(Debug, Default)]
pub(crate) struct Writes {
    cases: Vec<case::ActiveModel>,
    events: Vec<event::ActiveModel>,
    disarm: Vec<String>,
    reminders: Vec<reminder::ActiveModel>,
    visits: Vec<visit::ActiveModel>,
    completed: Vec<(String, u32, DateTime<Utc>, i64)>,
    /// (case, visit, `flagged` or `accepted`).
    reviews: Vec<(String, u32, &'static str)>,
    tranches: Vec<tranche::ActiveModel>,
    outbox: Vec<outbox::ActiveModel>,
    /// Beneficiaries' records of a year, verified by these transitions.
    years: Vec<crate::model::CooperativeYear>,
    /// Change of approved rupiah per (program, region), for the allocations' running totals.
    approved: std::collections::BTreeMap<(String, String), i64>,
}

impl Writes {
    /// Adds one transition: `before` is the case row as read (its `seq` is
    /// the version the write checks), `case` the case after `e`.
    pub fn add(
        &mut self,
        before: &case::Model,
        case: &Case,
        e: &Event,
        effects: &[Effect],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(e)?;
        let seq = e.seq as i64;
        let delta = case.approved.map_or(0, |a| a.get()) - before.approved_amount.unwrap_or(0);
        if let (Some(program), Some(region), true) =
            (&before.program_id, &before.region, delta != 0)
        {
            *self
                .approved
                .entry((program.clone(), region.clone()))
                .or_default() += delta;
        }
        let hash = chain::hash(&before.id, seq, &before.head_hash, &body);
        let id = before.id.clone();
        self.cases.push(case::ActiveModel {
            id: Set(id.clone()),
            workflow: Set(before.workflow.clone()),
            workflow_version: Set(before.workflow_version),
            region: Set(before.region.clone()),
            program_id: Set(before.program_id.clone()),
            beneficiary_id: Set(before.beneficiary_id.clone()),
            state: Set(case.state.clone()),
            seq: Set(seq),
            approved_amount: Set(case.approved.map(|a| a.get())),
            disbursed_amount: Set(case.disbursed().get()),
            snapshot: Set(serde_json::to_string(case)?),
            head_hash: Set(hash.clone()),
            opened_at: Set(before.opened_at),
            updated_at: Set(now),
            officer: Set(case.officer.clone()),
        });
        self.events.push(event::ActiveModel {
            case_id: Set(id.clone()),
            seq: Set(seq),
            at: Set(e.at),
            actor_user: Set(e.actor.user.clone()),
            actor_role: Set(e.actor.role.as_str().to_string()),
            action: Set(e.action.clone()),
            idem_key: Set(e.key.clone()),
            from_state: Set(e.from.clone()),
            to_state: Set(e.to.clone()),
            body: Set(body),
            prev_hash: Set(before.head_hash.clone()),
            hash: Set(hash),
        });
        for effect in effects {
            if let Effect::RecordYear { year, figures } = effect {
                // A case without a beneficiary has no year to record.
                if let Some(b) = &before.beneficiary_id {
                    let from = Verified {
                        case_id: &id,
                        seq,
                        by: &e.actor.user,
                        at: e.at,
                    };
                    self.years
                        .push(years::from_answers(b, *year, figures, from)?);
                }
                continue;
            }
            self.effect(&id, e, effect, now);
        }
        for c in &e.changes {
            match c {
                Change::VisitCompleted { no, flags, .. } if !flags.is_empty() => {
                    self.reviews.push((id.clone(), *no, "flagged"));
                }
                Change::EvidenceAccepted { no } => self.reviews.push((id.clone(), *no, "accepted")),
                _ => {}
            }
        }
        Ok(())
    }

    /// Adds transitions of one case in order (a case opened and moved on
    /// in the same batch): `before` is the row before the first of them,
    /// and the case's row is written once, as the last leaves it.
    pub fn add_steps(
        &mut self,
        before: &case::Model,
        steps: &[(Case, Event, Vec<Effect>)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut before = before.clone();
        for (i, (case, e, effects)) in steps.iter().enumerate() {
            if i > 0 {
                let row = self.cases.pop().ok_or(StoreError::Stale)?;
                before = row.try_into_model()?;
            }
            self.add(&before, case, e, effects, now)?;
        }
        Ok(())
    }

    /// The case row as the last transition added will write it.
    pub fn last_case(&self) -> Result<case::Model, StoreError> {
        use sea_orm::TryIntoModel;
        let last = self.cases.last().cloned();
        let last = last.ok_or_else(|| StoreError::Corrupt("no case row to write".into()))?;
        Ok(last.try_into_model()?)
    }

    fn effect(&mut self, case_id: &str, e: &Event, effect: &Effect, now: DateTime<Utc>) {
        let id = || Set(case_id.to_string());
        match effect {
            Effect::ArmReminder(r) => self.reminders.push(reminder::ActiveModel {
                key: Set(r.key.clone()),
                case_id: id(),
                entered_seq: Set(r.entered_seq as i64),
                state: Set(r.state.clone()),
                fire_at: Set(r.fire_at),
                to_role: Set(r.to.as_str().to_string()),
                template: Set(r.template.clone()),
                step: Set(i32::from(r.step)),
                status: Set("pending".into()),
            }),
            // Only the current state's reminders are ever pending, so leaving it voids them all.
            // A reminder armed earlier in the same batch is dropped before it is written.
            Effect::DisarmReminders { .. } => {
                self.reminders
                    .retain(|r| !matches!(&r.case_id, Set(c) if c == case_id));
                self.disarm.push(case_id.to_string());
            }
            Effect::ScheduleVisit {
                no,
                checklist,
                due_at,
                tranche,
            } => self.visits.push(visit::ActiveModel {
                case_id: id(),
                no: Set(*no as i32),
                checklist: Set(checklist.clone()),
                due_at: Set(*due_at),
                tranche: Set(tranche.map(i32::from)),
                done_at: Set(None),
                done_seq: Set(None),
                review: Set(None),
            }),
            Effect::CompleteVisit { no } => {
                self.completed
                    .push((case_id.to_string(), *no, e.happened_at(), e.seq as i64))
            }
            Effect::PayTranche { no, amount } => self.tranches.push(tranche::ActiveModel {
                case_id: id(),
                no: Set(i32::from(*no)),
                amount: Set(amount.get()),
                paid_at: Set(e.at),
                event_seq: Set(e.seq as i64),
            }),
            Effect::Notify { key, to, template } => {
                let payload =
                    serde_json::json!({ "case_id": case_id, "seq": e.seq, "action": e.action });
                self.outbox.push(outbox::ActiveModel {
                    id: Set(crate::outbox::id_of(key)),
                    key: Set(key.clone()),
                    case_id: Set(Some(case_id.to_string())),
                    kind: Set("notify".into()),
                    to_role: Set(to.as_str().to_string()),
                    to_user: Set(None),
                    template: Set(template.clone()),
                    lang: Set("id".into()),
                    payload: Set(payload.to_string()),
                    status: Set("queued".into()),
                    attempts: Set(0),
                    next_attempt_at: Set(now),
                    locked_until: Set(None),
                    last_error: Set(None),
                    sent_at: Set(None),
                    created_at: Set(now),
                });
            }
            // Written with the case's beneficiary, in `add`.
            Effect::RecordYear { .. } => {}
        }
    }

    /// Writes everything, the case rows first, each only where its stored
    /// `seq` is still the one read: when any case moved meanwhile, the
    /// answer is [`StoreError::Stale`] and the caller rolls back. All of it
    /// goes as statements sent together ([`send_together`]), in steps whose
    /// statements touch different rows: the rows every transition writes;
    /// then new visits (PostgreSQL's trigger reads their case's row); then
    /// visits done; then their reviews (the same visits' rows).
    pub async fn flush(mut self, txn: &DatabaseTransaction) -> Result<(), StoreError> {
        let backend = txn.get_database_backend();
        let expected = self.cases.len() as u64;
        let upsert = case_upsert();
        let cases = insert_statements::<case::Entity>(backend, self.cases, &upsert)?;
        let mut first: Step = cases.into_iter().map(|s| (s, true)).collect();
        let mut rest = Vec::new();
        for ((program, region), delta) in self.approved {
            rest.push(
                allocation::Entity::update_many()
                    .col_expr(
                        allocation::Column::Approved,
                        Expr::col(allocation::Column::Approved).add(delta),
                    )
                    .filter(allocation::Column::ProgramId.eq(program))
                    .filter(allocation::Column::RegionCode.eq(region))
                    .build(backend),
            );
        }
        rest.extend(insert_statements::<event::Entity>(
            backend,
            self.events,
            "",
        )?);
        self.disarm.sort();
        self.disarm.dedup();
        for ids in self.disarm.chunks(ROWS) {
            rest.push(
                reminder::Entity::update_many()
                    .col_expr(reminder::Column::Status, Expr::value("void"))
                    .filter(reminder::Column::CaseId.is_in(ids.iter().cloned()))
                    .filter(reminder::Column::Status.eq("pending"))
                    .build(backend),
            );
        }
        rest.extend(insert_statements::<reminder::Entity>(
            backend,
            self.reminders,
            "",
        )?);
        rest.extend(insert_statements::<tranche::Entity>(
            backend,
            self.tranches,
            "",
        )?);
        rest.extend(insert_statements::<outbox::Entity>(
            backend,
            self.outbox,
            "",
        )?);
        first.extend(rest.into_iter().map(|s| (s, false)));
        let visits = insert_statements::<visit::Entity>(backend, self.visits, "")?;
        let done = self.completed.into_iter().map(|(case_id, no, at, seq)| {
            one_visit(&case_id, no)
                .col_expr(visit::Column::DoneAt, Expr::value(at))
                .col_expr(visit::Column::DoneSeq, Expr::value(seq))
                .build(backend)
        });
        let reviewed = self.reviews.into_iter().map(|(case_id, no, review)| {
            one_visit(&case_id, no)
                .col_expr(visit::Column::Review, Expr::value(review))
                .build(backend)
        });
        let uncounted = |s: Vec<Statement>| -> Step { s.into_iter().map(|s| (s, false)).collect() };
        let steps = vec![
            first,
            uncounted(visits),
            uncounted(done.collect()),
            uncounted(reviewed.collect()),
        ];
        if send_together(txn, steps).await? != expected {
            return Err(StoreError::Stale);
        }
        years::upsert(txn, self.years).await?;
        Ok(())
    }
}

/// An update of visit `no` of `case_id`, its columns still to set.
fn one_visit(case_id: &str, no: u32) -> sea_orm::UpdateMany<visit::Entity> {
    visit::Entity::update_many()
        .filter(visit::Column::CaseId.eq(case_id))
        .filter(visit::Column::No.eq(no as i32))
}

/// `rows` in parts of [`ROWS`], each allocated for its own rows: splitting
/// off the rest instead left every part holding the capacity of all the
/// rows after it, memory that grew with the square of the rows (5 GB for a
/// payment batch of 100,000 lines).
fn chunks<T>(rows: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::with_capacity(rows.len().div_ceil(ROWS));
    let mut rows = rows.into_iter();
    loop {
        let part: Vec<T> = rows.by_ref().take(ROWS).collect();
        if part.is_empty() {
            return out;
        }
        out.push(part);
    }
}

/// The tail that makes an INSERT of case rows an update of each case
/// *where its stored `seq` is the one before* (the version check): a row
/// whose case moved meanwhile is not counted.
pub fn case_upsert() -> String {
    let set: Vec<String> = [
        case::Column::State,
        case::Column::Seq,
        case::Column::ApprovedAmount,
        case::Column::DisbursedAmount,
        case::Column::Snapshot,
        case::Column::HeadHash,
        case::Column::UpdatedAt,
        case::Column::Officer,
    ]
    .iter()
    .map(|c| format!(r#""{0}" = "excluded"."{0}""#, c.as_str()))
    .collect();
    format!(
        r#" ON CONFLICT ("id") DO UPDATE SET {} WHERE "cases"."seq" = "excluded"."seq" - 1"#,
        set.join(", ")
    )
}

/// Sends `rows` as multi-row INSERTs, [`ROWS`] per statement, followed by
/// `tail` (an `ON CONFLICT` clause, or nothing); returns the rows the
/// database counted. The statement is written here rather than by
/// sea-orm's `InsertMany`, whose building of a 500-row statement costs
/// about as much as the database's inserting it. Every column must be set.
pub async fn insert_rows<E: EntityTrait>(
    txn: &DatabaseTransaction,
    rows: Vec<E::ActiveModel>,
    tail: &str,
) -> Result<u64, StoreError>
where
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let mut count = 0;
    for statement in insert_statements::<E>(txn.get_database_backend(), rows, tail)? {
        count += txn.execute_raw(statement).await?.rows_affected();
    }
    Ok(count)
}

/// The statements [`insert_rows`] sends, unsent.
fn insert_statements<E: EntityTrait>(
    backend: DbBackend,
    rows: Vec<E::ActiveModel>,
    tail: &str,
) -> Result<Vec<Statement>, StoreError>
where
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let table = E::default().table_name();
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let names: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect();
    let head = format!("INSERT INTO \"{table}\" ({}) VALUES ", names.join(", "));
    let mut out = Vec::new();
    for chunk in chunks(rows) {
        let mut values = Vec::with_capacity(columns.len() * chunk.len());
        let mut sql = String::with_capacity(head.len() + chunk.len() * columns.len() * 6);
        sql.push_str(&head);
        for (r, mut m) in chunk.into_iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for (i, c) in columns.iter().enumerate() {
                let value = m.take(*c).into_value().ok_or_else(|| {
                    StoreError::Corrupt(format!("{table}.{} not set", c.as_str()))
                })?;
                values.push(value);
                if i > 0 {
                    sql.push_str(", ");
                }
                match backend {
                    DbBackend::Postgres => {
                        sql.push('$');
                        sql.push_str(&values.len().to_string());
                    }
                    _ => sql.push('?'),
                }
            }
            sql.push(')');
        }
        sql.push_str(tail);
        out.push(Statement::from_sql_and_values(backend, sql, values));
    }
    Ok(out)
}
