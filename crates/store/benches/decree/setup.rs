//! The bench's data: verified cases made through the store (and their
//! rows for the baseline), and the decrees that approve them.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::*;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use pantau_domain::Role;
use pantau_domain::access::Scope;
use pantau_store::cases::write::insert_rows;
use pantau_store::decree::NewDecree;
use pantau_store::registry::NewProgram;
use pantau_store::schema::entity::{case, event, reminder};
use pantau_store::{Opening, Store};
use pantau_workflow::{Actor, Case, Command, Context};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap()
}

pub(super) fn cx(step: i64, role: Role) -> Context {
    Context {
        now: t0() + TimeDelta::minutes(step),
        actor: Actor {
            user: "bench".into(),
            role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

pub(super) fn case_id(i: usize) -> String {
    format!("K-{i:06}")
}

pub(super) fn region(i: usize) -> &'static str {
    REGIONS[i % REGIONS.len()]
}

/// The three commands after opening that bring a case to `verified`.
pub(super) fn commands(id: &str) -> [(Role, Command); 3] {
    let cmd = |action: &str, inputs: &[(&str, &str)]| Command {
        observed_at: None,
        key: format!("{action}:{id}"),
        action: action.into(),
        inputs: inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let requested = REQUESTED.to_string();
    [
        (
            Role::ManagerRegency,
            cmd(
                "submit",
                &[
                    ("amount_requested", requested.as_str()),
                    ("proposal_doc", "usulan.pdf"),
                    ("in_craft_centre", "ya"),
                ],
            ),
        ),
        (Role::Verifier, cmd("start_verification", &[])),
        (
            Role::Verifier,
            cmd(
                "verify",
                &[("legal_entity_valid", "ya"), ("rat_held_last_year", "ya")],
            ),
        ),
    ]
}

/// Case 0 through the real store: open it and apply its three commands.
pub(super) async fn through_store(store: &Store, f: &Fixture) {
    let def = f.catalog.latest("bansos").unwrap();
    let id = case_id(0);
    let o = Opening {
        case_id: id.clone(),
        key: format!("open:{id}"),
        region: Some(region(0).to_string()),
        program_id: Some(PROGRAM.to_string()),
        beneficiary_id: None,
        definition: def,
        source: &f.source,
    };
    store
        .open_case(&o, &cx(0, Role::ManagerRegency))
        .await
        .unwrap();
    for (step, (role, cmd)) in commands(&id).into_iter().enumerate() {
        store
            .apply(&f.catalog, &id, &cmd, &cx(step as i64 + 1, role), None)
            .await
            .unwrap_or_else(|e| panic!("{id} {}: {e}", cmd.action));
    }
}

/// Case 0's rows as the store wrote them.
pub(super) async fn stored_rows(store: &Store, id: &str) -> Rows {
    let db = store.connection();
    Rows {
        case: case::Entity::find_by_id(id).one(db).await.unwrap().unwrap(),
        events: event::Entity::find()
            .filter(event::Column::CaseId.eq(id))
            .order_by_asc(event::Column::Seq)
            .all(db)
            .await
            .unwrap(),
        reminders: reminder::Entity::find()
            .filter(reminder::Column::CaseId.eq(id))
            .order_by_asc(reminder::Column::EnteredSeq)
            .order_by_asc(reminder::Column::Step)
            .all(db)
            .await
            .unwrap(),
    }
}

/// Models as the store's batched INSERTs want them (every column set).
pub(super) fn active<M: IntoActiveModel<A>, A: ActiveModelTrait>(rows: Vec<M>) -> Vec<A> {
    rows.into_iter()
        .map(|m| m.into_active_model().reset_all())
        .collect()
}

pub(super) fn begin_options() -> TransactionOptions {
    TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    }
}

/// The program, case 0 through the store, cases 1.. by batched INSERTs,
/// then `verify`. Not timed; each step's time goes to stderr.
pub(super) async fn setup(store: &Store, f: &Fixture, n: usize) -> Vec<Approval> {
    let mut allocations: BTreeMap<&str, i64> = BTreeMap::new();
    for i in 0..2 * n {
        *allocations.entry(region(i)).or_default() += REQUESTED;
    }
    let program = NewProgram {
        id: PROGRAM.into(),
        name: "Bansos Koperasi 2026".into(),
        workflow: "bansos".into(),
        workflow_version: f.catalog.latest("bansos").unwrap().version,
        fiscal_year: 2026,
        funding_source: "APBN".into(),
        budget_ceiling: REQUESTED * 2 * n as i64,
        province: "18".into(),
        allocations: allocations
            .into_iter()
            .map(|(r, a)| (r.to_string(), a))
            .collect(),
    };
    assert!(store.add_program(&program).await.unwrap());

    let def = f.catalog.latest("bansos").unwrap().clone();
    through_store(store, f).await;
    let stored = stored_rows(store, &case_id(0)).await;
    let (generated, _) = generate(&def, 0);
    assert_eq!(
        stored, generated,
        "the generated rows of case 0 differ from what the store wrote"
    );
    // The baseline's decree: recorded (its items reference it), listing nothing yet.
    let baseline = baseline_decree();
    store
        .apply_decree(&f.catalog, &baseline, &[], &decree_cx(), &Scope::National)
        .await
        .unwrap();
    let baseline_id = pantau_store::decree::id_of(&baseline.number);

    let started = Instant::now();
    let mut engine_time = Duration::ZERO;
    let (mut events, mut reminders) = (0, 0);
    let mut approvals = Vec::with_capacity(n);
    let mut next = 1;
    while next < 2 * n {
        let end = (next + SETUP_CASES).min(2 * n);
        let t = Instant::now();
        let batch: Vec<(Rows, Case)> = (next..end).map(|i| generate(&def, i)).collect();
        let (mut cases, mut ev, mut rem) = (Vec::new(), Vec::new(), Vec::new());
        for (i, (r, case)) in (next..end).zip(batch) {
            cases.push(r.case.clone());
            ev.extend(r.events.iter().cloned());
            rem.extend(r.reminders.iter().cloned());
            if i >= n {
                let line = i - n + 1;
                let cx = decree_cx();
                approvals.push(approve(&def, r, case, &baseline, &baseline_id, line, &cx));
            }
        }
        engine_time += t.elapsed();
        events += ev.len();
        reminders += rem.len();
        let txn = store
            .connection()
            .begin_with_options(begin_options())
            .await
            .unwrap();
        insert_rows::<case::Entity>(&txn, active(cases), "")
            .await
            .unwrap();
        insert_rows::<event::Entity>(&txn, active(ev), "")
            .await
            .unwrap();
        insert_rows::<reminder::Entity>(&txn, active(rem), "")
            .await
            .unwrap();
        txn.commit().await.unwrap();
        next = end;
    }
    eprintln!(
        "  setup: {} cases written in {:.1} s ({} events, {} reminders; engine and hashing {:.1} s of it, the baseline's approvals included)",
        bench::thousands((2 * n - 1) as f64),
        started.elapsed().as_secs_f64(),
        bench::thousands(events as f64),
        bench::thousands(reminders as f64),
        engine_time.as_secs_f64()
    );
    let started = Instant::now();
    let checked = store.verify().await.unwrap().unwrap_or_else(|b| {
        panic!("verify refuses the setup: {b}");
    });
    assert_eq!(checked, 4 * 2 * n, "events verified");
    eprintln!(
        "  setup: Store::verify() passed on {} events in {:.1} s",
        bench::thousands(checked as f64),
        started.elapsed().as_secs_f64()
    );
    approvals
}

/// The decree the bench times: every case 0..N at Rp 50.000.000.
pub(super) fn decree() -> NewDecree {
    NewDecree {
        number: "500/1/V.19/2026".into(),
        date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        signer_name: "Ir. Hendra Gunawan".into(),
        signer_position: "Kepala Dinas Koperasi dan UKM Provinsi Lampung".into(),
        signer_nip: Some("196805121994031007".into()),
        scan: None,
        program_id: PROGRAM.into(),
        amends: None,
    }
}

/// The decree whose rows the second baseline writes without the engine (cases N..2N).
pub(super) fn baseline_decree() -> NewDecree {
    NewDecree {
        number: "500/2/V.19/2026".into(),
        ..decree()
    }
}

pub(super) fn decree_cx() -> Context {
    Context {
        now: Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap(),
        actor: rows::decider(),
        remaining_allocation: None,
        evidence: Default::default(),
    }
}
