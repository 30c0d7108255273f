//! Transitions committed per second through the store, next to the same
//! writes sent by the database's own driver with nothing in between (the
//! direct baseline), as hand-written SQL through the store's pool, and next
//! to raw single-row INSERT commits, all measured in one run on the same
//! databases with the same settings.
//!
//! Run (release profile; about a minute after the build):
//!
//! ```text
//! cargo bench -p pantau-store --bench transitions
//! cargo bench -p pantau-store --bench transitions -- sqlite-normal postgres
//! ```
//!
//! Words after `--` pick configurations (`sqlite-full`, `sqlite-normal`,
//! `postgres`); without any, all three run. The table goes to stdout;
//! progress, the sizes chosen and the CPU time this process spent per
//! transaction (on SQLite that includes SQLite's own work, on PostgreSQL
//! only the client's) go to stderr.
//!
//! Tiny mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it: `cargo test -p
//! pantau-store --bench transitions`, a dev build): 48 transactions and 48
//! raw inserts per measurement, one round, no sizing run; every
//! configuration, client count and check as above. Its figures mean nothing.
//!
//! Configurations: SQLite on a fresh file in a temporary directory, WAL,
//! once with `synchronous=FULL` and once with `synchronous=NORMAL`
//! (`Settings::synchronous`); PostgreSQL on a fresh database created for
//! the run (and dropped after) on `postgres://postgres@127.0.0.1:5432/postgres`
//! or the server named by `PANTAU_TEST_POSTGRES_URL`; when it does not
//! answer, a line under the table says it was skipped and why
//! (under `PANTAU_REQUIRE_ALL=1` the run fails instead). All through
//! `Store::open`, with the store's pool of 8 connections (16 on PostgreSQL,
//! one per client as the direct baseline has).
//!
//! SQLite is measured with 1 and with 4 concurrent clients, PostgreSQL
//! with 4 and with 16 (tokio tasks sharing the pool; on SQLite the store's
//! writers take turns on its writing connection and those who waited are
//! committed together, `turns.rs`; the hand-written and direct baselines
//! commit each transaction alone, `BEGIN IMMEDIATE` with a busy timeout;
//! on PostgreSQL the store sends four statements, its writes as one
//! statement of `WITH` parts, none kept prepared, where the direct
//! baseline sends 8 to 9 prepared once). Each client works
//! on its own cases, so there are no conflicts. A short sizing run per
//! client count (not reported; it also warms the pool and its statement
//! caches) picks the number of transactions so a store measurement lasts
//! about a second (400 to 40,000); the hand-written measurement uses the
//! same number, the direct baseline and the raw inserts their own. Every
//! measurement is repeated in 3 rounds (store, hand-written, direct, then
//! the other way round); a cell
//! shows the median and, in brackets, the lowest and highest round.
//!
//! Columns:
//!
//! - `clients`: concurrent clients (tokio tasks).
//! - `store tx/s`: `Store::apply` calls committed per second, on `bansos`
//!   cases opened beforehand (not timed), cycling submit →
//!   start_verification → request_revision → submit … round-robin over the
//!   client's cases (about 3 per case per round, so cases stay near 10
//!   events), each command with a unique idempotency key. Each is one
//!   transaction doing what the store does: look the key up, read the case,
//!   let the engine decide, update the case (version check, new snapshot,
//!   head hash), append the event with its SHA-256 chain hash (which
//!   records the key), and write the effects: void the left state's
//!   reminders and arm the entered state's (every step here), and an outbox
//!   row (request_revision notifies: one step in three). That is 6 to 7
//!   statements between BEGIN and COMMIT.
//! - `direct tx/s`: the same statements as the store sends (the key looked
//!   up, the case row read, the case updated with the version check, the
//!   event inserted with its chain hash, the reminders voided and one
//!   armed, an outbox row one step in three: 6 to 7 between BEGIN and
//!   COMMIT) by `rusqlite` (bundled SQLite, `BEGIN IMMEDIATE`, the same
//!   `synchronous`, cached prepared statements) or `tokio-postgres`
//!   (statements prepared once), one connection per client, on cases of
//!   their own in the same database (`transitions/direct.rs`).
//! - `store/direct`: store tx/s ÷ direct tx/s (of the medians): the
//!   issue's measure. The target is at least 0.5; the last lines say for
//!   each row whether it is met.
//! - `hand-written tx/s`: the same number of transactions as plain SQL
//!   through the same pool (sea-orm raw statements, cached prepared
//!   statements, `BEGIN IMMEDIATE` on SQLite like the store) on the store's
//!   own tables, on other cases: SELECT the case row, UPDATE it with a
//!   version check, INSERT the event (a body taken from the store's own
//!   events, its hash computed in Rust with `chain::hash`; it carries the
//!   idempotency key), INSERT an outbox row. Four statements.
//! - `raw insert/s`: single-row INSERTs into a two-column table, each its
//!   own autocommit transaction: the price of one commit.
//! - `store/hand`: store tx/s ÷ hand-written tx/s (of the medians).
//!
//! Before finishing, the bench checks that the events table holds exactly
//! the transitions it counted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::{Duration, Instant};

use pantau_store::{Settings, Store, Synchronous};
use pantau_workflow::Catalog;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

#[path = "transitions/work.rs"]
mod work;
use work::*;
#[path = "transitions/hand.rs"]
mod hand;
use hand::*;
#[path = "transitions/direct.rs"]
mod direct;
use direct::*;
#[path = "../../../tests/support/bench.rs"]
mod bench;
#[path = "../../../tests/support/db.rs"]
#[allow(dead_code)]
mod db;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;
#[path = "../../../tests/support/sql.rs"]
mod sql;

/// Rounds per measurement; cells show the median.
const ROUNDS: usize = 3;
/// Transactions per measurement in the tiny mode (a multiple of every client count).
const TINY_N: usize = 48;

/// Rounds per measurement: [`ROUNDS`], one in the tiny mode.
fn rounds() -> usize {
    if bench::tiny() { 1 } else { ROUNDS }
}
/// Client counts measured on SQLite.
const SQLITE_CLIENTS: &[usize] = &[1, 4];
/// Client counts measured on PostgreSQL.
const POSTGRES_CLIENTS: &[usize] = &[4, 16];
/// Connections in the pool: the store's default (8), or one per client
/// when there are more, as the direct baseline has.
fn pool(clients: &[usize]) -> u32 {
    clients.iter().copied().max().unwrap_or(1).max(8) as u32
}

struct Fixture {
    catalog: Catalog,
    source: String,
}

/// The shipped definitions, and the text of `bansos` (pinned by the first case).
fn fixture() -> Fixture {
    let catalog = shipped::catalog();
    let def = catalog.latest("bansos").unwrap();
    let source = catalog.source("bansos", def.version).unwrap().to_string();
    Fixture { catalog, source }
}

/// One kind of measurement over the rounds.
#[derive(Default)]
struct Rates {
    rates: Vec<f64>,
    cpu_us: Vec<f64>,
}

impl Rates {
    fn push(&mut self, took: &Took) {
        self.rates.push(took.rate());
        self.cpu_us.extend(took.cpu_us_per_tx());
    }

    fn median(&self) -> f64 {
        bench::median(&self.rates)
    }

    fn cell(&self) -> String {
        let min = self.rates.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self.rates.iter().copied().fold(0.0, f64::max);
        format!(
            "{} [{}–{}]",
            bench::thousands(self.median()),
            bench::thousands(min),
            bench::thousands(max)
        )
    }

    fn cpu(&self) -> String {
        if self.cpu_us.is_empty() {
            "?".into()
        } else {
            format!("{:.0} µs", bench::median(&self.cpu_us))
        }
    }
}

struct Row {
    config: String,
    clients: usize,
    store: Rates,
    direct: Rates,
    hand: Rates,
    raw: Rates,
}

impl Row {
    /// Store ÷ direct baseline, the issue's measure (target ≥ 0.5).
    fn ratio(&self) -> f64 {
        self.store.median() / self.direct.median()
    }

    fn hand_ratio(&self) -> f64 {
        self.store.median() / self.hand.median()
    }
}

/// How long the sizing run of each kind lasts, per client count.
const PILOT: Duration = Duration::from_millis(400);
/// About how long one timed store measurement should last.
const TARGET_SECS: f64 = 1.0;
/// Bounds on the transactions per measurement.
const MIN_N: usize = 400;
const MAX_N: usize = 40_000;

/// `rate × TARGET_SECS`, bounded, a multiple of `clients`.
fn size(rate: f64, clients: usize) -> usize {
    let n = ((rate * TARGET_SECS) as usize).clamp(MIN_N, MAX_N);
    n / clients * clients
}

/// At least `cases`, a multiple of `clients` (each lane the same number).
fn per_lane(cases: usize, clients: usize) -> usize {
    cases.max(clients).div_ceil(clients) * clients
}

/// Transactions per measurement: store and hand-written, direct, raw inserts.
struct Sizes {
    n: usize,
    direct_n: usize,
    raw_n: usize,
}

/// Sizing run, not reported: fills the pool and its statement caches and
/// measures roughly how fast each kind goes, so each timed measurement lasts
/// about TARGET_SECS on any machine. Returns the sizes, and the transitions
/// it committed.
async fn sizing(
    store: &Store,
    f: &Arc<Fixture>,
    hand: &Arc<Hand>,
    target: &Arc<Target>,
    next_raw: &Arc<AtomicI64>,
    clients: usize,
) -> (Sizes, usize) {
    let mut committed = 0;
    let raw_lanes = || (0..clients).map(|_| Lane::new(&[])).collect::<Vec<_>>();
    let pilot = 20 * clients;
    let ids = open_cases(store, f, &format!("PS{clients}"), pilot).await;
    let until = Some(Instant::now() + PILOT);
    let (s, f2) = (store.clone(), f.clone());
    let (_, took) = timed(Lane::split(&ids, clients), |l| {
        store_work(s.clone(), f2.clone(), l, usize::MAX, until)
    })
    .await;
    committed += took.done;
    let n = size(took.rate(), clients);
    let ids = open_cases(store, f, &format!("PH{clients}"), pilot).await;
    let until = Some(Instant::now() + PILOT);
    let (s, h) = (store.clone(), hand.clone());
    let (_, took) = timed(Lane::split(&ids, clients), |l| {
        hand_work(s.clone(), h.clone(), l, usize::MAX, until)
    })
    .await;
    committed += took.done;
    let ids = open_cases(store, f, &format!("PD{clients}"), pilot).await;
    let until = Some(Instant::now() + PILOT);
    let (t, h) = (target.clone(), hand.clone());
    let (_, took) = timed(Lane::split(&ids, clients), |l| {
        direct_work(t.clone(), h.clone(), l, usize::MAX, until)
    })
    .await;
    committed += took.done;
    let direct_n = size(took.rate(), clients);
    let until = Some(Instant::now() + PILOT);
    let (s, r) = (store.clone(), next_raw.clone());
    let (_, took) = timed(raw_lanes(), |l| {
        raw_work(s.clone(), r.clone(), l, usize::MAX, until)
    })
    .await;
    let raw_n = size(took.rate(), clients);

    (Sizes { n, direct_n, raw_n }, committed)
}

/// Measures one database (already opened) with each client count.
async fn measure(
    store: &Store,
    target: Target,
    clients_list: &[usize],
    f: &Arc<Fixture>,
    config: &str,
) -> Vec<Row> {
    let target = Arc::new(target);
    let db = store.connection();
    db.execute_unprepared("CREATE TABLE bench_raw (id BIGINT PRIMARY KEY, v TEXT NOT NULL)")
        .await
        .unwrap();
    let next_raw = Arc::new(AtomicI64::new(1));
    // Transitions committed, checked against the events table at the end.
    let mut committed = 0;

    // The hand-written SQL writes the store's own event bodies and a
    // snapshot of a case 6 events in (the timed cases end near 10).
    let sample = open_cases(store, f, "X", 1).await;
    let lane = store_work(store.clone(), f.clone(), Lane::new(&sample), 5, None).await;
    committed += lane.done;
    let hand = Arc::new(Hand::new(store, &sample[0]).await);

    let mut rows = Vec::new();
    for &clients in clients_list {
        let raw_lanes = || (0..clients).map(|_| Lane::new(&[])).collect::<Vec<_>>();
        let Sizes { n, direct_n, raw_n } = if bench::tiny() {
            Sizes {
                n: TINY_N,
                direct_n: TINY_N,
                raw_n: TINY_N,
            }
        } else {
            let (sizes, done) = sizing(store, f, &hand, &target, &next_raw, clients).await;
            committed += done;
            sizes
        };

        // The timed cases: about 3 transitions per case and round, so
        // cases end near 10 events and their snapshots stay small.
        let per_client = n / clients;
        let cases = per_lane(n / 3, clients);
        let store_ids = open_cases(store, f, &format!("S{clients}"), cases).await;
        let hand_ids = open_cases(store, f, &format!("H{clients}"), cases).await;
        let direct_cases = per_lane(direct_n / 3, clients);
        let direct_ids = open_cases(store, f, &format!("D{clients}"), direct_cases).await;
        let mut store_lanes = Lane::split(&store_ids, clients);
        let mut hand_lanes = Lane::split(&hand_ids, clients);
        let mut direct_lanes = Lane::split(&direct_ids, clients);
        let mut row = Row {
            config: config.to_string(),
            clients,
            store: Rates::default(),
            direct: Rates::default(),
            hand: Rates::default(),
            raw: Rates::default(),
        };
        for round in 0..rounds() {
            for part in if round % 2 == 0 { [0, 1, 2] } else { [2, 1, 0] } {
                if part == 2 {
                    let (t, h) = (target.clone(), hand.clone());
                    let (lanes, took) = timed(direct_lanes, |l| {
                        direct_work(t.clone(), h.clone(), l, direct_n / clients, None)
                    })
                    .await;
                    direct_lanes = lanes;
                    assert_eq!(took.done, direct_n);
                    committed += took.done;
                    row.direct.push(&took);
                } else if part == 0 {
                    let (s, f2) = (store.clone(), f.clone());
                    let (lanes, took) = timed(store_lanes, |l| {
                        store_work(s.clone(), f2.clone(), l, per_client, None)
                    })
                    .await;
                    store_lanes = lanes;
                    assert_eq!(took.done, n);
                    committed += took.done;
                    row.store.push(&took);
                } else {
                    let (s, h) = (store.clone(), hand.clone());
                    let (lanes, took) = timed(hand_lanes, |l| {
                        hand_work(s.clone(), h.clone(), l, per_client, None)
                    })
                    .await;
                    hand_lanes = lanes;
                    assert_eq!(took.done, n);
                    committed += took.done;
                    row.hand.push(&took);
                }
            }
            let (s, r) = (store.clone(), next_raw.clone());
            let (_, took) = timed(raw_lanes(), |l| {
                raw_work(s.clone(), r.clone(), l, raw_n / clients, None)
            })
            .await;
            row.raw.push(&took);
        }
        eprintln!(
            "  {config}, {clients} client(s), {n} transactions ({direct_n} direct) and {raw_n} inserts per measurement:\n    \
             store {}/s, direct {}/s, hand-written {}/s, raw {}/s; CPU of this process per transaction: \
             store {}, direct {}, hand-written {}, raw insert {}",
            bench::thousands(row.store.median()),
            bench::thousands(row.direct.median()),
            bench::thousands(row.hand.median()),
            bench::thousands(row.raw.median()),
            row.store.cpu(),
            row.direct.cpu(),
            row.hand.cpu(),
            row.raw.cpu(),
        );
        rows.push(row);
    }
    // Every transition counted was committed.
    let row = db
        .query_one_raw(Statement::from_string(
            store.backend(),
            "SELECT COUNT(*) FROM events WHERE action <> 'open'",
        ))
        .await
        .unwrap()
        .unwrap();
    let events: i64 = row.try_get_by_index(0).unwrap();
    assert_eq!(events as usize, committed, "{config}: events missing");
    rows
}

async fn sqlite(f: &Arc<Fixture>, sync: Synchronous) -> Vec<Row> {
    let (dir, url) = db::fresh_sqlite();
    let mut settings = Settings::new(url);
    settings.synchronous = sync;
    settings.max_connections = pool(SQLITE_CLIENTS);
    let store = Store::open(&settings).await.unwrap();
    let name = match sync {
        Synchronous::Full => "SQLite WAL sync=FULL",
        Synchronous::Normal => "SQLite WAL sync=NORMAL",
    };
    let target = Target::Sqlite {
        path: dir.path().join("pantau.db"),
        full: matches!(sync, Synchronous::Full),
    };
    let rows = measure(&store, target, SQLITE_CLIENTS, f, name).await;
    store.connection().clone().close().await.unwrap();
    rows
}

async fn postgres(f: &Arc<Fixture>) -> Result<Vec<Row>, String> {
    let url = db::fresh_postgres().await?;
    let mut settings = Settings::new(url.as_str());
    settings.max_connections = pool(POSTGRES_CLIENTS);
    let store = Store::open(&settings).await.map_err(|e| e.to_string())?;
    let db = store.connection();
    let show = |what: &'static str| async move {
        db.query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SHOW {what}"),
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .unwrap_or_else(|| "?".into())
    };
    let config = format!(
        "PostgreSQL synchronous_commit={}",
        show("synchronous_commit").await
    );
    let target = Target::Postgres { url: url.clone() };
    let rows = measure(&store, target, POSTGRES_CLIENTS, f, &config).await;
    store.connection().clone().close().await.unwrap();
    db::drop_postgres(&url).await;
    Ok(rows)
}

fn print(rows: &[Row], skipped: &[String]) {
    let mut table = bench::Table::new(&[
        "backend / settings",
        "clients",
        "store tx/s",
        "direct tx/s",
        "store/direct",
        "hand-written tx/s",
        "store/hand",
        "raw insert/s",
    ]);
    for r in rows {
        table.row(vec![
            r.config.clone(),
            r.clients.to_string(),
            r.store.cell(),
            r.direct.cell(),
            format!("{:.2}", r.ratio()),
            r.hand.cell(),
            format!("{:.2}", r.hand_ratio()),
            r.raw.cell(),
        ]);
    }
    println!();
    println!(
        "Transitions committed per second (median [lowest–highest] of {} round{})",
        rounds(),
        if rounds() == 1 { "" } else { "s" }
    );
    if bench::tiny() {
        println!(
            "NOTE: tiny mode (PANTAU_BENCH_TINY=1): {TINY_N} transactions per measurement, no sizing run; the figures mean nothing"
        );
    }
    println!();
    table.print();
    for s in skipped {
        println!("{s}");
    }
    println!();
    for r in rows {
        let ratio = r.ratio();
        println!(
            "{} with {} client{}: store/direct = {ratio:.2}: target (>= 0.50) {}",
            r.config,
            r.clients,
            if r.clients == 1 { "" } else { "s" },
            if ratio >= 0.5 { "MET" } else { "NOT MET" }
        );
    }
}

#[tokio::main]
async fn main() {
    // Words pick configurations.
    let only = bench::args();
    let wanted = |name: &str| bench::wanted(&only, name);
    let f = Arc::new(fixture());
    let started = Instant::now();
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    if wanted("sqlite-full") {
        eprintln!("SQLite, synchronous=FULL …");
        rows.extend(sqlite(&f, Synchronous::Full).await);
    }
    if wanted("sqlite-normal") {
        eprintln!("SQLite, synchronous=NORMAL …");
        rows.extend(sqlite(&f, Synchronous::Normal).await);
    }
    if wanted("postgres") {
        eprintln!("PostgreSQL …");
        match postgres(&f).await {
            Ok(r) => rows.extend(r),
            Err(why) => skipped.push(bench::skipped("PostgreSQL", &why)),
        }
    }
    print(&rows, &skipped);
    println!();
    println!("whole run: {:.0} s", started.elapsed().as_secs_f64());
}
