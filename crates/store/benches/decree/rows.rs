//! The rows of the benchmark's cases, made in memory by the engine as the
//! store would write them: a case brought to `verified` (the setup), and
//! the rows its approval by decree writes (the second baseline, written by
//! [`write_same_rows`] with the store's own batched INSERTs and no engine).

use pantau_chain as chain;
use pantau_domain::{Role, Rupiah};
use pantau_store::decree::NewDecree;
use pantau_store::schema::entity::{case, decree_item, event, reminder};
use pantau_workflow::{Actor, Case, Command, Context, Decision, Definition, Effect, Event, engine};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, IntoActiveModel, Statement, TransactionTrait, Value,
};

use super::sql::placeholders;
use super::{APPROVED, PROGRAM, begin_options, case_id, commands, cx, region};

/// The rows one case has, as the store writes them.
#[derive(Debug, PartialEq)]
pub struct Rows {
    pub case: case::Model,
    pub events: Vec<event::Model>,
    pub reminders: Vec<reminder::Model>,
}

/// Adds event `e` of `case` to `rows` as `Writes::add` and `Writes::flush` would.
pub fn record(rows: &mut Rows, case: &Case, e: &Event, effects: &[Effect]) {
    let row = &mut rows.case;
    let body = serde_json::to_string(e).unwrap();
    let seq = e.seq as i64;
    let hash = chain::hash(&row.id, seq, &row.head_hash, &body);
    rows.events.push(event::Model {
        case_id: row.id.clone(),
        seq,
        at: e.at,
        actor_user: e.actor.user.clone(),
        actor_role: e.actor.role.as_str().to_string(),
        action: e.action.clone(),
        idem_key: e.key.clone(),
        from_state: e.from.clone(),
        to_state: e.to.clone(),
        body,
        prev_hash: row.head_hash.clone(),
        hash: hash.clone(),
    });
    for effect in effects {
        match effect {
            Effect::DisarmReminders { .. } => {
                for r in rows.reminders.iter_mut().filter(|r| r.status == "pending") {
                    r.status = "void".into();
                }
            }
            Effect::ArmReminder(r) => rows.reminders.push(reminder::Model {
                key: r.key.clone(),
                case_id: row.id.clone(),
                entered_seq: r.entered_seq as i64,
                state: r.state.clone(),
                fire_at: r.fire_at,
                to_role: r.to.as_str().to_string(),
                template: r.template.clone(),
                step: i32::from(r.step),
                status: "pending".into(),
            }),
            // A decree's emails go once per region, not per case.
            Effect::Notify { .. } => {}
            other => panic!("the bench does not write {other:?}"),
        }
    }
    row.state = case.state.clone();
    row.seq = seq;
    row.approved_amount = case.approved.map(Rupiah::get);
    row.disbursed_amount = case.disbursed().get();
    row.snapshot = serde_json::to_string(case).unwrap();
    row.head_hash = hash;
    row.updated_at = e.at;
}

/// Drives case `i` to `verified` in memory: its rows, and the case.
pub fn generate(def: &Definition, i: usize) -> (Rows, Case) {
    let id = case_id(i);
    let open_cx = cx(0, Role::ManagerRegency);
    let (mut case, event, effects) =
        engine::open(def, &id, &format!("open:{id}"), &open_cx).unwrap();
    let mut rows = Rows {
        case: case::Model {
            id: id.clone(),
            workflow: def.id.clone(),
            workflow_version: def.version as i32,
            region: Some(region(i).to_string()),
            program_id: Some(PROGRAM.to_string()),
            beneficiary_id: None,
            state: String::new(),
            seq: 0,
            approved_amount: None,
            disbursed_amount: 0,
            snapshot: String::new(),
            head_hash: chain::GENESIS.to_string(),
            opened_at: open_cx.now,
            updated_at: open_cx.now,
            officer: None,
        },
        events: Vec::with_capacity(5),
        reminders: Vec::new(),
    };
    record(&mut rows, &case, &event, &effects);
    for (step, (role, cmd)) in commands(&id).into_iter().enumerate() {
        let cx = cx(step as i64 + 1, role);
        match engine::decide(def, &case, &cmd, &cx).unwrap() {
            Decision::Apply { event, effects } => {
                case.apply(&event);
                record(&mut rows, &case, &event, &effects);
            }
            other => panic!("{id} {}: {other:?}", cmd.action),
        }
    }
    assert_eq!(case.state, "verified");
    (rows, case)
}

/// What approving one case by decree writes.
pub struct Approval {
    pub case: case::Model,
    pub event: event::Model,
    pub armed: Vec<reminder::Model>,
    pub item: decree_item::Model,
}

/// The rows `Store::apply_decree` writes for case `rows` (in `verified`),
/// listed on line `line` of decree `d`, decided at `cx`.
pub fn approve(
    def: &Definition,
    mut rows: Rows,
    mut case: Case,
    d: &NewDecree,
    decree_id: &str,
    line: usize,
    cx: &Context,
) -> Approval {
    let cmd = Command {
        observed_at: None,
        key: format!("decree:{}:{}", d.number, case.id),
        action: "approve_by_decree".into(),
        inputs: [
            ("decree_number", d.number.clone()),
            ("decree_date", d.date.format("%Y-%m-%d").to_string()),
            ("amount_approved", APPROVED.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    };
    let Decision::Apply { event, effects } = engine::decide(def, &case, &cmd, cx).unwrap() else {
        panic!("{} was approved before", case.id);
    };
    case.apply(&event);
    let before = rows.reminders.len();
    rows.events.clear();
    record(&mut rows, &case, &event, &effects);
    Approval {
        item: decree_item::Model {
            decree_id: decree_id.to_string(),
            case_id: case.id.clone(),
            line_no: line as i32,
            change: "approve".into(),
            amount: Some(APPROVED),
            tranches: Some("100".into()),
            outcome: "approved".into(),
            reason: None,
        },
        armed: rows.reminders.split_off(before),
        event: rows.events.remove(0),
        case: rows.case,
    }
}

/// The same rows the decree writes for `approvals`, through the store's own
/// batched INSERTs, chunk by chunk as the decree does, with nothing decided:
/// case rows under their version check, the allocations' running totals,
/// events, the left state's reminders voided, the new ones armed, the
/// decree's items.
pub async fn write_same_rows(
    db: &sea_orm::DatabaseConnection,
    approvals: Vec<Approval>,
    chunk: usize,
) {
    use pantau_store::cases::write::{case_upsert, insert_rows};
    let backend = db.get_database_backend();
    let upsert = case_upsert();
    let mut approvals = approvals.into_iter().peekable();
    while approvals.peek().is_some() {
        let part: Vec<Approval> = approvals.by_ref().take(chunk).collect();
        let txn = db.begin_with_options(begin_options()).await.unwrap();
        let mut deltas: std::collections::BTreeMap<String, i64> = Default::default();
        let (mut cases, mut events, mut armed, mut items, mut ids) =
            (vec![], vec![], vec![], vec![], vec![]);
        for a in part {
            *deltas
                .entry(a.case.region.clone().unwrap_or_default())
                .or_default() += a.case.approved_amount.unwrap_or(0);
            ids.push(a.case.id.clone());
            cases.push(a.case.into_active_model().reset_all());
            events.push(a.event.into_active_model().reset_all());
            armed.extend(
                a.armed
                    .into_iter()
                    .map(|r| r.into_active_model().reset_all()),
            );
            items.push(a.item.into_active_model().reset_all());
        }
        let expected = cases.len() as u64;
        let updated = insert_rows::<case::Entity>(&txn, cases, &upsert)
            .await
            .unwrap();
        assert_eq!(updated, expected, "a case moved under the baseline");
        for (region, delta) in deltas {
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                placeholders(
                    backend,
                    "UPDATE allocations SET approved = approved + ? WHERE program_id = ? AND region_code = ?",
                ),
                [delta.into(), PROGRAM.into(), region.into()],
            ))
            .await
            .unwrap();
        }
        insert_rows::<event::Entity>(&txn, events, "")
            .await
            .unwrap();
        for ids in ids.chunks(500) {
            let marks = vec!["?"; ids.len()].join(", ");
            let values: Vec<Value> = ids.iter().map(|i| i.clone().into()).collect();
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                placeholders(
                    backend,
                    &format!(
                        "UPDATE reminders SET status = 'void' WHERE case_id IN ({marks}) AND status = 'pending'"
                    ),
                ),
                values,
            ))
            .await
            .unwrap();
        }
        insert_rows::<reminder::Entity>(&txn, armed, "")
            .await
            .unwrap();
        insert_rows::<decree_item::Entity>(&txn, items, "")
            .await
            .unwrap();
        txn.commit().await.unwrap();
    }
}

/// The decider the bench's decree and its baseline share.
pub fn decider() -> Actor {
    Actor {
        user: "kadis".into(),
        role: Role::Verifier,
    }
}
