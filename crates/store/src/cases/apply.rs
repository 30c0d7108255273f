//! Opening cases and applying commands, each in one transaction.

use std::future::Future;
use std::time::Duration;

use pantau_domain::Rupiah;
use pantau_workflow::{
    Case, Catalog, Command, Context, Decision, Definition, Effect, Event, engine,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, FromQueryResult, IdenStatic,
    Iterable, QueryFilter, QuerySelect, Statement,
};

use crate::cases::query::{CaseView, events_of};
use crate::cases::write::Writes;
use crate::schema::entity::{allocation, case, event};
use crate::{Store, StoreError, cases::evidence, chain};

/// How often a command that lost a race is tried again before giving up.
const MAX_ATTEMPTS: u32 = 8;

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new event, committed with its effects.
    Applied {
        case: Box<Case>,
        event: Event,
        effects: Vec<Effect>,
    },
    /// The idempotency key was applied before: this is the event it made. Nothing new was written.
    Repeated { case_id: String, event: Event },
}

impl Outcome {
    pub fn event(&self) -> &Event {
        match self {
            Outcome::Applied { event, .. } | Outcome::Repeated { event, .. } => event,
        }
    }
}

/// The case a command goes to, as its transaction read it, with the
/// definition that decides it: what [`Store::apply_checked`]'s check sees.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub id: &'a str,
    pub region: Option<&'a str>,
    pub state: &'a str,
    pub definition: &'a Definition,
}

/// A caller's check on a [`Target`] (may the caller see it, is the command
/// one it may send here); its error declines the command: nothing is written.
pub type Check<'a, E> = &'a (dyn Fn(&Target<'_>) -> Result<(), E> + Send + Sync);

/// A checked command's answer: what it did, and the case as its transaction left it.
pub type Checked = (Outcome, CaseView);

/// A new case to open.
#[derive(Debug, Clone)]
pub struct Opening<'a> {
    pub case_id: String,
    pub key: String,
    pub region: Option<String>,
    /// The program (with its allocations) and the beneficiary, when registered.
    pub program_id: Option<String>,
    pub beneficiary_id: Option<String>,
    pub definition: &'a Definition,
    /// The definition's text, pinned the first time a case opens on its version.
    pub source: &'a str,
}

impl Store {
    /// Opens a case. The same key twice opens one case.
    pub async fn open_case(&self, o: &Opening<'_>, cx: &Context) -> Result<Outcome, StoreError> {
        let cx = &stored_precision(cx);
        retry(|| self.try_open(o, cx)).await
    }

    /// Applies `cmd` to a case. When `expected_seq` is given and the case
    /// has moved past it, nothing is written and the answer is a conflict.
    /// The same key twice has one effect, even from two processes at once.
    pub async fn apply(
        &self,
        catalog: &Catalog,
        case_id: &str,
        cmd: &Command,
        cx: &Context,
        expected_seq: Option<i64>,
    ) -> Result<Outcome, StoreError> {
        let none: Option<Check<'_, std::convert::Infallible>> = None;
        match self
            .run(catalog, case_id, cmd, cx, expected_seq, none)
            .await?
        {
            Ok((outcome, _)) => Ok(outcome),
            Err(never) => match never {},
        }
    }

    /// [`Store::apply`] for a caller that answers with the case: `check`
    /// runs first, on the case row the transaction reads (before the
    /// idempotency key is looked up, so a repeated command is checked as a
    /// new one is), and its error declines the command with nothing written;
    /// the case comes back as the transaction left it, its events read in
    /// the same transaction. One read of the case per command.
    pub async fn apply_checked<E>(
        &self,
        catalog: &Catalog,
        case_id: &str,
        cmd: &Command,
        cx: &Context,
        expected_seq: Option<i64>,
        check: Check<'_, E>,
    ) -> Result<Result<Checked, E>, StoreError> {
        let answer = self
            .run(catalog, case_id, cmd, cx, expected_seq, Some(check))
            .await?;
        Ok(match answer {
            Ok((outcome, Some(view))) => Ok((outcome, view)),
            Ok((_, None)) => {
                return Err(StoreError::Corrupt("a checked command read no case".into()));
            }
            Err(e) => Err(e),
        })
    }

    /// Applies with retries; the case is read back when `check` is given.
    async fn run<E>(
        &self,
        catalog: &Catalog,
        case_id: &str,
        cmd: &Command,
        cx: &Context,
        expected_seq: Option<i64>,
        check: Option<Check<'_, E>>,
    ) -> Result<Result<(Outcome, Option<CaseView>), E>, StoreError> {
        let cx = &stored_precision(cx);
        let result = retry(|| self.try_apply(catalog, case_id, cmd, cx, expected_seq, check)).await;
        match result {
            Err(StoreError::Stale) => Err(self.conflict(case_id).await),
            other => other,
        }
    }

    async fn conflict(&self, case_id: &str) -> StoreError {
        match case::Entity::find_by_id(case_id).one(&self.db).await {
            Ok(Some(c)) => StoreError::Conflict {
                case_id: case_id.into(),
                state: c.state,
                seq: c.seq,
            },
            Ok(None) => StoreError::NotFound(case_id.into()),
            Err(e) => e.into(),
        }
    }

    async fn try_open(&self, o: &Opening<'_>, cx: &Context) -> Result<Outcome, StoreError> {
        let txn = self.begin_write().await?;
        tracing::trace!(case = %o.case_id, key = %o.key, "transaction begun");
        if let Some(first) = repeated(&txn, &o.key).await? {
            txn.commit().await?;
            // A retried opening may carry a new case id each time; the key alone names the case.
            return same_command(first, None, "open");
        }
        crate::cases::pin::pin(&txn, o.definition, o.source, cx.now).await?;
        // A beneficiary merged into another opens its case on that one.
        let beneficiary_id = match &o.beneficiary_id {
            Some(b) => Some(crate::registry::duplicates::opening_on(&txn, b).await?),
            None => None,
        };
        let (case, event, effects) =
            engine::open(o.definition, &o.case_id, &o.key, cx).map_err(StoreError::Refused)?;
        // A case that does not exist yet: version 0, chained to the genesis hash.
        let before = case::Model {
            id: o.case_id.clone(),
            workflow: o.definition.id.clone(),
            workflow_version: o.definition.version as i32,
            region: o.region.clone(),
            program_id: o.program_id.clone(),
            beneficiary_id,
            state: String::new(),
            seq: 0,
            approved_amount: None,
            disbursed_amount: 0,
            snapshot: String::new(),
            head_hash: chain::GENESIS.to_string(),
            opened_at: cx.now,
            updated_at: cx.now,
            officer: None,
        };
        let mut writes = Writes::default();
        writes.add(&before, &case, &event, &effects, cx.now)?;
        writes.flush(&txn).await?;
        txn.commit().await?;
        Ok(Outcome::Applied {
            case: Box::new(case),
            event,
            effects,
        })
    }

    async fn try_apply<E>(
        &self,
        catalog: &Catalog,
        case_id: &str,
        cmd: &Command,
        cx: &Context,
        expected_seq: Option<i64>,
        check: Option<Check<'_, E>>,
    ) -> Result<Result<(Outcome, Option<CaseView>), E>, StoreError> {
        let txn = self.begin_write().await?;
        tracing::trace!(case = case_id, key = %cmd.key, "transaction begun");
        let (mut found, first) = case_and_key(&txn, case_id, &cmd.key).await?;
        let not_found = || StoreError::NotFound(case_id.into());
        // Checked: the row first, so the check comes before anything else.
        let mut checked = None;
        if let Some(check) = check {
            let row = found.take().ok_or_else(not_found)?;
            let version = u32::try_from(row.workflow_version).unwrap_or_default();
            let def = self
                .definition(&txn, catalog, case_id, &row.workflow, version)
                .await?;
            let target = Target {
                id: case_id,
                region: row.region.as_deref(),
                state: &row.state,
                definition: &def,
            };
            if let Err(e) = check(&target) {
                return Ok(Err(e));
            }
            checked = Some(row);
        }
        let reading = checked.is_some();
        if let Some(first) = first {
            let view = match &checked {
                Some(row) => Some(view_of(&txn, row.clone(), None).await?),
                None => None,
            };
            txn.commit().await?;
            return same_command(first, Some(case_id), &cmd.action).map(|o| Ok((o, view)));
        }
        let row = match checked {
            Some(row) => row,
            None => found.ok_or_else(not_found)?,
        };
        if let Some(seq) = expected_seq
            && seq != row.seq
        {
            return Err(StoreError::Conflict {
                case_id: case_id.into(),
                state: row.state,
                seq: row.seq,
            });
        }
        let version = u32::try_from(row.workflow_version).unwrap_or_default();
        let def = self
            .definition(&txn, catalog, case_id, &row.workflow, version)
            .await?;
        let def = def.as_ref();
        let mut case: Case = serde_json::from_str(&row.snapshot)?;
        let approving = def
            .action(&cmd.action)
            .is_some_and(|a| a.approves.is_some());
        let with_allocation;
        let cx = match (&row.program_id, approving) {
            (Some(program), true) => {
                let region = row.region.as_deref().unwrap_or_default();
                let own = row.approved_amount.unwrap_or(0);
                let remaining = remaining_allocation(&txn, program, region, own).await?;
                with_allocation = Context {
                    remaining_allocation: Some(remaining),
                    ..cx.clone()
                };
                &with_allocation
            }
            _ => cx,
        };
        let taken = def.action(&cmd.action);
        let recording = taken.filter(|a| a.completes_visit);
        let photos = match taken {
            Some(action) => evidence::photos(&txn, def, action, case_id, cmd).await?,
            None => Vec::new(),
        };
        let with_facts;
        let cx = match taken {
            Some(action) => {
                with_facts = Context {
                    evidence: evidence::facts(&txn, def, action, cmd, &row, &photos).await?,
                    ..cx.clone()
                };
                &with_facts
            }
            None => cx,
        };
        let (event, effects) =
            match engine::decide(def, &case, cmd, cx).map_err(StoreError::Refused)? {
                Decision::Apply { event, effects } => (event, effects),
                Decision::AlreadyApplied { seq } => {
                    let event = load_event(&txn, case_id, seq as i64).await?;
                    let view = match reading {
                        true => Some(view_of(&txn, row, None).await?),
                        false => None,
                    };
                    txn.commit().await?;
                    let outcome = Outcome::Repeated {
                        case_id: case_id.into(),
                        event,
                    };
                    return Ok(Ok((outcome, view)));
                }
            };
        // Only a command the engine would apply is asked of the batches, so
        // a caller who may not pay learns nothing of them.
        if taken.is_some_and(|a| a.pays_tranche) {
            crate::payments::not_in_batch(&txn, case_id).await?;
        }
        case.apply(&event);
        let mut writes = Writes::default();
        writes.add(&row, &case, &event, &effects, cx.now)?;
        let after = match reading {
            true => Some(writes.last_case()?),
            false => None,
        };
        writes.flush(&txn).await?;
        if recording.is_some() {
            evidence::record(&txn, &row, &event, &photos).await?;
        }
        txn.commit().await?;
        tracing::trace!(case = case_id, seq = event.seq, "transaction committed");
        // The events before this one never change once written, so they are
        // read after the commit, outside the writers' turn.
        let view = match after {
            Some(after) => Some(view_of(&self.db, after, Some(&event)).await?),
            None => None,
        };
        let outcome = Outcome::Applied {
            case: Box::new(case),
            event,
            effects,
        };
        Ok(Ok((outcome, view)))
    }
}

/// The case `row` with its events, read on `db` (in the transaction, or
/// after it for the events before its own, which never change); `new`, an
/// event the transaction appended, is not read back but added.
async fn view_of(
    db: &impl ConnectionTrait,
    row: case::Model,
    new: Option<&Event>,
) -> Result<CaseView, StoreError> {
    let before = new.map(|e| e.seq as i64);
    let mut events = events_of(db, &row.id, before).await?;
    events.extend(new.cloned());
    let case = serde_json::from_str(&row.snapshot)?;
    Ok(CaseView {
        row: row.into(),
        case,
        events,
    })
}

/// The context with its time cut to microseconds, the precision both
/// databases keep, so an event's body and its columns agree.
pub(crate) fn stored_precision(cx: &Context) -> Context {
    use chrono::SubsecRound;
    Context {
        now: cx.now.trunc_subsecs(6),
        ..cx.clone()
    }
}

/// Runs `attempt` until it does not lose a race, with a short growing pause.
pub(crate) async fn retry<T, F, Fut>(mut attempt: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut n = 0;
    loop {
        match attempt().await {
            Err(e) if e.is_race() && n + 1 < MAX_ATTEMPTS => {
                n += 1;
                tokio::time::sleep(Duration::from_millis(2u64 << n)).await;
            }
            other => return other,
        }
    }
}

/// The first result of a key, when the retry is the same command; a key
/// reused for another case or action is refused rather than silently answered.
fn same_command(
    first: Outcome,
    case_id: Option<&str>,
    action: &str,
) -> Result<Outcome, StoreError> {
    let Outcome::Repeated {
        case_id: first_case,
        event,
    } = &first
    else {
        return Ok(first);
    };
    if event.action != action || case_id.is_some_and(|c| c != first_case) {
        return Err(StoreError::KeyReused {
            key: event.key.clone(),
            case_id: first_case.clone(),
            action: event.action.clone(),
        });
    }
    Ok(first)
}

const KEY_BODY: &str = "key_body";
const KEY_CASE: &str = "key_case";

/// [`case_and_key`]'s text, made once (`$n` numbers values on both
/// databases): one row whatever is found, the case's columns and the
/// key's, each NULL when there is none (the key is unique). The columns
/// are named: a `*` would change its shape under a prepared statement when
/// a migration changes the table.
static CASE_AND_KEY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let columns: Vec<String> = case::Column::iter()
        .map(|c| format!(r#""cases"."{}""#, c.as_str()))
        .collect();
    format!(
        r#"SELECT {}, "k"."case_id" AS "{KEY_CASE}", "k"."body" AS "{KEY_BODY}" FROM (SELECT 1 AS "one") AS "o" LEFT JOIN "cases" ON "cases"."id" = $1 LEFT JOIN "events" AS "k" ON "k"."idem_key" = $2"#,
        columns.join(", ")
    )
});

/// The case row and the first result of `key` (when it was applied
/// before), read together in one statement: one round trip on SQLite, and
/// on PostgreSQL one statement to parse and plan rather than two.
async fn case_and_key(
    txn: &DatabaseTransaction,
    case_id: &str,
    key: &str,
) -> Result<(Option<case::Model>, Option<Outcome>), StoreError> {
    let read = Statement::from_sql_and_values(
        txn.get_database_backend(),
        CASE_AND_KEY.as_str(),
        [case_id.into(), key.into()],
    );
    let Some(row) = txn.query_one_raw(read).await? else {
        return Ok((None, None));
    };
    let first = match row.try_get::<Option<String>>("", KEY_BODY)? {
        Some(body) => Some(Outcome::Repeated {
            event: serde_json::from_str(&body)?,
            case_id: row.try_get("", KEY_CASE)?,
        }),
        None => None,
    };
    let found = match row.try_get::<Option<String>>("", "id")? {
        Some(_) => Some(case::Model::from_query_result(&row, "")?),
        None => None,
    };
    Ok((found, first))
}

/// The first result of `key`, when it was applied before.
async fn repeated(txn: &DatabaseTransaction, key: &str) -> Result<Option<Outcome>, StoreError> {
    let Some(row) = event::Entity::find()
        .filter(event::Column::IdemKey.eq(key))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Outcome::Repeated {
        event: serde_json::from_str(&row.body)?,
        case_id: row.case_id,
    }))
}

async fn load_event(
    txn: &DatabaseTransaction,
    case_id: &str,
    seq: i64,
) -> Result<Event, StoreError> {
    let row = event::Entity::find_by_id((case_id.to_string(), seq))
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("case {case_id} has no event {seq}")))?;
    Ok(serde_json::from_str(&row.body)?)
}

/// What is left of a program's allocation to a region, counting every
/// case's approved amount except `own` (the amount the case being decided
/// holds already). Reads the running total kept on the allocation row, and
/// locks that row on PostgreSQL, so two approvals in one region cannot both
/// spend the same rupiah (SQLite's `BEGIN IMMEDIATE` already serializes writers).
pub(crate) async fn remaining_allocation(
    txn: &DatabaseTransaction,
    program: &str,
    region: &str,
    own: i64,
) -> Result<Rupiah, StoreError> {
    let (amount, approved) =
        allocation::Entity::find_by_id((program.to_string(), region.to_string()))
            .lock_exclusive()
            .one(txn)
            .await?
            .map_or((0, 0), |a| (a.amount, a.approved));
    Ok(
        Rupiah::new(amount.saturating_sub(approved).saturating_add(own).max(0))
            .unwrap_or(Rupiah::ZERO),
    )
}
