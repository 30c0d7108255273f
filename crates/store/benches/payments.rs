//! A province treasurer's payment batch of many tranches through the bank:
//! `Store::due_tranches` (the list a treasurer sees), `Store::create_batch`
//! (every tranche due in Lampung gathered: each case
//! asked of the engine, its account read), `Store::export_batch` in the
//! generic CSV layout (every line checked again, the batch sent, the file
//! written) and `Store::import_bank_result` of the bank's all-paid result
//! (every line matched, then each case's `disburse` taken through the engine
//! under `bank:REFERENCE`, 500 lines per transaction). Prints rows per
//! second for each step, and the process's peak memory after each.
//!
//! Run (release profile):
//!
//! ```text
//! cargo bench -p pantau-store --bench payments
//! cargo bench -p pantau-store --bench payments -- sqlite tranches=20000
//! ```
//!
//! Words after `--` pick backends (`sqlite`, `postgres`; without any, both)
//! and `tranches=N` the batch's size (default 100,000, the issue's). Tiny
//! mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it through `cargo test -p
//! pantau-store --bench payments`): 200 tranches, every step and check as
//! below, and `Store::verify()` over every chain; its figures mean nothing.
//!
//! Setup (not timed; `tests/payments/seed.rs`, shared with the store's
//! payments tests): N cooperatives registered through the beneficiary
//! import in Lampung's 15 kabupaten/kota, each with a BRI account in its own
//! name, and one `bansos` case each driven to `approved` with an officer
//! assigned by the engine in memory and written with the store's batched
//! INSERTs, so N tranches are due. The result file is made from the order
//! file read back (`bank::file::read_orders`), every line `SUKSES`.
//!
//! Checked after: the batch holds N lines, the file N orders adding up to
//! the batch's total, the result paid N and the batch is done, N cases
//! `disbursed`, and the money disbursed is the batch's total.
//!
//! Peak memory is the process's (`VmHWM` in `/proc/self/status`) after each
//! step: it includes the setup's and, for the second backend, the first's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::time::Instant;

use chrono::{TimeDelta, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{RegionCode, Role};
use pantau_registry::bank::file::read_orders;
use pantau_registry::bank::layout;
use pantau_store::payments::NewBatch;
use pantau_store::{Settings, Store};
use pantau_workflow::{Actor, Context};
use sea_orm::{ConnectionTrait, DbBackend};
use seed::{bench, sql};

#[path = "../../../tests/support/db.rs"]
#[allow(dead_code)]
mod db;
#[path = "../tests/payments/seed.rs"]
mod seed;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;

const DEFAULT_TRANCHES: usize = 100_000;
const TINY_TRANCHES: usize = 200;

/// The process's peak resident memory in MB (Linux).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn treasurer(days: i64) -> Context {
    Context {
        now: seed::approved_at() + TimeDelta::days(days),
        actor: Actor {
            user: "bendahara.18".into(),
            role: Role::Treasurer,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

/// One step's time and the peak memory after it.
struct Step {
    seconds: f64,
    peak: Option<f64>,
}

fn step(started: Instant) -> Step {
    Step {
        seconds: started.elapsed().as_secs_f64(),
        peak: peak_mb(),
    }
}

async fn run(url: &str, n: usize) -> [Step; 4] {
    let store = Store::open(&Settings::new(url.to_string())).await.unwrap();
    let catalog = shipped::catalog();
    let started = Instant::now();
    seed::approved(&store, &catalog, n).await;
    if store.backend() == DbBackend::Postgres {
        // As autovacuum would have by now on a database in use.
        store
            .connection()
            .execute_unprepared("ANALYZE")
            .await
            .unwrap();
    }
    eprintln!(
        "  setup: {} tranches due in {:.1} s (peak {:.0} MB)",
        bench::thousands(n as f64),
        started.elapsed().as_secs_f64(),
        peak_mb().unwrap_or_default()
    );
    let province = Scope::Region(RegionCode::parse("18").unwrap());
    let generic = layout::shipped()
        .into_iter()
        .find(|l| l.id == "generic")
        .unwrap();

    let started = Instant::now();
    let due = store
        .due_tranches(&catalog, &province, None, &treasurer(1))
        .await
        .unwrap();
    let listed = step(started);
    assert_eq!(due.iter().filter(|d| d.payable()).count(), n);
    drop(due);

    let started = Instant::now();
    let made = store
        .create_batch(&catalog, &province, &NewBatch::default(), &treasurer(1))
        .await
        .unwrap();
    let gather = step(started);
    assert_eq!(made.lines, n);
    assert!(made.held.is_empty());

    let started = Instant::now();
    let file = store
        .export_batch(&catalog, &made.number, &province, &generic, &treasurer(2))
        .await
        .unwrap();
    let export = step(started);
    assert_eq!((file.lines, file.total), (n, made.total));

    let orders = read_orders(&generic, &file.bytes).unwrap();
    assert_eq!(orders.len(), n);
    let mut result = String::from("Referensi;Status;Jumlah;Tanggal;Referensi Bank\n");
    for (i, o) in orders.iter().enumerate() {
        writeln!(
            result,
            "{};SUKSES;{};12/03/2026;BRI{i:09}",
            o.reference,
            o.amount.get()
        )
        .unwrap();
    }
    drop(orders);

    let started = Instant::now();
    let applied = store
        .import_bank_result(
            &catalog,
            &made.number,
            &province,
            &generic,
            "hasil-bri.csv",
            result.as_bytes(),
            &treasurer(5),
        )
        .await
        .unwrap();
    let reconcile = step(started);
    assert_eq!(
        (applied.paid, applied.done),
        (n, true),
        "{:?}",
        applied.refused.first()
    );
    let disbursed = sql::count(
        &store,
        "SELECT COUNT(*) FROM cases WHERE workflow = 'bansos' AND state = 'disbursed'",
    )
    .await;
    assert_eq!(disbursed as usize, n);
    let money = sql::count(
        &store,
        "SELECT CAST(SUM(disbursed_amount) AS BIGINT) FROM cases",
    )
    .await;
    assert_eq!(money, made.total.get());
    if bench::tiny() {
        assert_eq!(store.verify().await.unwrap(), Ok(7 * n));
    }
    [listed, gather, export, reconcile]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = bench::args();
    let n = bench::number(
        &args,
        "tranches",
        if bench::tiny() {
            TINY_TRANCHES
        } else {
            DEFAULT_TRANCHES
        },
    );
    let picked = bench::picked(&args);
    let mut table = bench::Table::new(&["backend", "step", "tranches", "s", "rows/s", "peak MB"]);
    let mut notes = Vec::new();
    for backend in ["sqlite", "postgres"] {
        if !bench::wanted(&picked, backend) {
            continue;
        }
        eprintln!("payments: {backend}, {n} tranches ({})", Utc::now());
        let (url, _dir) = if backend == "sqlite" {
            let (dir, url) = db::fresh_sqlite();
            (url, Some(dir))
        } else {
            match db::fresh_postgres().await {
                Ok(url) => (url, None),
                Err(why) => {
                    notes.push(bench::skipped("postgres", &why));
                    continue;
                }
            }
        };
        let steps = run(&url, n).await;
        if backend == "postgres" {
            db::drop_postgres(&url).await;
        }
        for (name, s) in [
            "due_tranches (listed)",
            "create_batch",
            "export_batch (CSV)",
            "import_bank_result (all paid)",
        ]
        .into_iter()
        .zip(steps)
        {
            table.row(vec![
                backend.into(),
                name.into(),
                bench::thousands(n as f64),
                format!("{:.2}", s.seconds),
                bench::thousands(n as f64 / s.seconds),
                s.peak.map_or_else(|| "-".into(), |p| format!("{p:.0}")),
            ]);
        }
    }
    table.print();
    for n in notes {
        println!("{n}");
    }
    if let Some([one, five, fifteen]) = bench::load_average() {
        println!("load average: {one:.2} {five:.2} {fifteen:.2}");
    }
}
