//! Tranches due, made fast, for the payments tests and bench (included
//! with `#[path]`): cooperatives registered through the beneficiary
//! import, each with a BRI account in its own name, and one `bansos` case
//! of program `bansos-2026` per cooperative brought to `approved` with an
//! officer assigned, so its one tranche is due. The cases are driven in
//! memory by the decree bench's generator (`benches/decree/rows.rs`:
//! open, submit, start_verification, verify, then `approve` and
//! `assign_officer` recorded the same way) and written with the store's
//! batched INSERTs, as that bench's setup does; case `i` lies in Lampung's
//! kabupaten/kota `REGIONS[i % 15]`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, TimeDelta, Utc};
use pantau_domain::Role;
use pantau_domain::access::Scope;
use pantau_registry::regions::Regions;
use pantau_store::Store;
use pantau_store::cases::write::insert_rows;
use pantau_store::registry::NewProgram;
use pantau_store::schema::entity::{bank_account, beneficiary, case, definition, event, reminder};
use pantau_workflow::evidence::Facts;
use pantau_workflow::{Catalog, Command, Decision, engine};
use sea_orm::{
    ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, TransactionTrait,
};
use sha2::Digest as _;

#[path = "../../../../tests/support/bench.rs"]
pub mod bench;
#[path = "../../benches/decree/rows.rs"]
mod rows;
#[path = "../../benches/decree/setup.rs"]
mod setup;
#[path = "../../../../tests/support/sql.rs"]
pub mod sql;

use rows::{Approval, Rows, approve, generate};
use setup::{active, begin_options, case_id, commands, cx, region, t0};

pub const PROGRAM: &str = "bansos-2026";
const REQUESTED: i64 = 100_000_000;
const APPROVED: i64 = 50_000_000;
const SETUP_CASES: usize = 2_000;
/// Lampung's 15 kabupaten/kota.
pub const REGIONS: [&str; 15] = [
    "18.01", "18.02", "18.03", "18.04", "18.05", "18.06", "18.07", "18.08", "18.09", "18.10",
    "18.11", "18.12", "18.13", "18.71", "18.72",
];
/// BRI's Bank Indonesia code.
pub const BANK: &str = "002";

struct Fixture {
    catalog: Catalog,
    source: String,
}

/// Case `i`'s approved amount: Rp 25.000.000 and some thousands, so totals mean something.
pub fn amount(i: usize) -> i64 {
    25_000_000 + (i % 997) as i64 * 1_000
}

/// Cooperative `i`'s name, and its account number (15 digits, as BRI's).
pub fn name(i: usize) -> String {
    format!("Koperasi Serba Usaha Maju {i}")
}

pub fn account_no(i: usize) -> String {
    format!("{:015}", 3_120_000_000_000u64 + i as u64)
}

/// The officer every case is assigned.
pub const OFFICER: &str = "petugas.seed";

/// When the cases were approved: payments come after.
pub fn approved_at() -> DateTime<Utc> {
    t0() + TimeDelta::days(40)
}

/// Registers program `bansos-2026` (an allocation per kabupaten/kota that
/// holds every case), `n` cooperatives with accounts, and their `n` cases
/// (ids `K-000000` …) with tranche 1 due. Returns the case ids and their
/// beneficiaries' ids, in case order.
pub async fn approved(store: &Store, catalog: &Catalog, n: usize) -> (Vec<String>, Vec<String>) {
    let def = catalog.latest("bansos").unwrap().clone();
    let mut allocations: BTreeMap<&str, i64> = BTreeMap::new();
    for i in 0..n.max(REGIONS.len()) {
        *allocations.entry(region(i)).or_default() += REQUESTED;
    }
    assert!(
        store
            .add_program(&NewProgram {
                id: PROGRAM.into(),
                name: "Bansos Koperasi 2026".into(),
                workflow: "bansos".into(),
                workflow_version: def.version,
                fiscal_year: 2026,
                funding_source: "APBN".into(),
                budget_ceiling: REQUESTED * n.max(REGIONS.len()) as i64,
                province: "18".into(),
                allocations: allocations
                    .into_iter()
                    .map(|(r, a)| (r.to_string(), a))
                    .collect(),
            })
            .await
            .unwrap()
    );
    let mut csv = String::from(
        "kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active\n",
    );
    for i in 0..n {
        let r = region(i);
        let nik = format!("{}{:012}", r.replace('.', ""), i + 1);
        writeln!(
            csv,
            "cooperative,{r},{},{nik},{i}/BH/X.3/2015,KUD,100,ya",
            name(i)
        )
        .unwrap();
    }
    let regions = Regions::embedded().unwrap();
    let tally = store
        .import_csv(
            csv.as_bytes(),
            &regions,
            &Scope::National,
            |_| Ok(()),
            |r| panic!("cooperative refused: {r:?}"),
        )
        .await
        .unwrap();
    assert_eq!(tally.new as usize, n);
    let by_name: BTreeMap<String, String> = beneficiary::Entity::find()
        .select_only()
        .column(beneficiary::Column::Name)
        .column(beneficiary::Column::Id)
        .filter(beneficiary::Column::Name.starts_with("Koperasi Serba Usaha Maju "))
        .into_tuple::<(String, String)>()
        .all(store.connection())
        .await
        .unwrap()
        .into_iter()
        .collect();
    let owners: Vec<String> = (0..n).map(|i| by_name[&name(i)].clone()).collect();

    // The definition pinned, as opening the first case through the store would.
    let source = catalog.source("bansos", def.version).unwrap();
    definition::Entity::insert(
        definition::Model {
            workflow: def.id.clone(),
            version: def.version as i32,
            sha256: hex::encode(sha2::Sha256::digest(source.as_bytes())),
            source: source.to_string(),
            pinned_at: t0(),
        }
        .into_active_model(),
    )
    .exec_without_returning(store.connection())
    .await
    .unwrap();

    let mut ids = Vec::with_capacity(n);
    let mut next = 0;
    while next < n {
        let end = (next + SETUP_CASES).min(n);
        let (mut cases, mut events, mut reminders, mut accounts) = (vec![], vec![], vec![], vec![]);
        for (i, owner) in owners.iter().enumerate().take(end).skip(next) {
            let r = tranche_due(&def, i, owner);
            ids.push(r.case.id.clone());
            cases.push(r.case);
            events.extend(r.events);
            reminders.extend(r.reminders);
            accounts.push(bank_account::Model {
                id: format!("rekening-{i}"),
                beneficiary_id: owner.clone(),
                bank_code: BANK.into(),
                account_no: account_no(i),
                holder_name: name(i),
                name_matches: true,
                accepted_by: None,
                accepted_at: None,
                reason: "rekening pertama (first account)".into(),
                created_by: "seed".into(),
                created_at: approved_at(),
                replaced_at: None,
            });
        }
        let txn = store
            .connection()
            .begin_with_options(begin_options())
            .await
            .unwrap();
        insert_rows::<case::Entity>(&txn, active(cases), "")
            .await
            .unwrap();
        insert_rows::<event::Entity>(&txn, active(events), "")
            .await
            .unwrap();
        insert_rows::<reminder::Entity>(&txn, active(reminders), "")
            .await
            .unwrap();
        insert_rows::<bank_account::Entity>(&txn, active(accounts), "")
            .await
            .unwrap();
        txn.commit().await.unwrap();
        next = end;
    }
    (ids, owners)
}

/// Case `i`'s rows: to `verified` by the decree bench's generator, then
/// approved at [`amount`] and an officer assigned, its beneficiary `owner`.
fn tranche_due(def: &pantau_workflow::Definition, i: usize, owner: &str) -> Rows {
    let (mut rows, mut case) = generate(def, i);
    rows.case.beneficiary_id = Some(owner.to_string());
    let amount = amount(i).to_string();
    for (step, role, action, inputs) in [
        (
            40,
            Role::Verifier,
            "approve",
            vec![("amount_approved", amount.as_str())],
        ),
        (
            41,
            Role::ManagerProvince,
            "assign_officer",
            vec![("officer", OFFICER)],
        ),
    ] {
        let cmd = Command {
            observed_at: None,
            key: format!("{action}:{}", case.id),
            action: action.into(),
            inputs: inputs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let mut cx = cx(0, role);
        cx.now = t0() + TimeDelta::days(step);
        cx.evidence = Facts::stand_ins(def, &cmd, cx.now);
        match engine::decide(def, &case, &cmd, &cx).unwrap() {
            Decision::Apply { event, effects } => {
                case.apply(&event);
                rows::record(&mut rows, &case, &event, &effects);
            }
            other => panic!("{} {action}: {other:?}", case.id),
        }
    }
    assert_eq!(case.state, "approved");
    // `record` leaves the officer column (the decree bench assigns none).
    rows.case.officer = case.officer.clone();
    rows
}
