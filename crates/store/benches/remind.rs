//! Reminder sweeps on a large database next to a small one, and the
//! outbox's delivery rate to a real SMTP server on loopback, measured in
//! one run on SQLite and PostgreSQL.
//!
//! Run (release profile; about four minutes after the build, half of it
//! writing the million-case databases, most of the rest sending emails):
//!
//! ```text
//! cargo bench -p pantau-store --bench remind
//! cargo bench -p pantau-store --bench remind -- sqlite cases=300000 emails=500
//! ```
//!
//! Words after `--` pick backends (`sqlite`, `postgres`; without any, both),
//! `cases=N` the large database's case count (default 1,000,000), `small=N`
//! the small one's (default 10,000), `due=N` the reminders due in each
//! (default 1,000) and `emails=N` the emails delivered per backend (default
//! 1,000: at the rate measured here, 2,000 on each backend alone would take
//! three and a half minutes). The report goes to stdout, progress to stderr.
//! When the first backend needs more than 100 s to write the large
//! database, the next one gets 300,000 cases and the report says so.
//!
//! Backends: SQLite on a fresh file in a temporary directory with the
//! store's default settings (WAL, `synchronous=FULL`, a pool of 8);
//! PostgreSQL on a fresh database per measurement, created for the run and
//! dropped after, on `postgres://postgres@127.0.0.1:5432/postgres` or the
//! server named by `PANTAU_TEST_POSTGRES_URL`; when it does not answer, the
//! report says it was skipped and why. All through `Store::open`.
//!
//! **Sweep.** Two databases per backend: one with `cases` cases, one with
//! `small`, both with the same `due` reminders due. Setup (timed apart and
//! printed, not part of the measurement): one `bansos` case opened and
//! submitted through the store (`open_case` + `apply`), which pins the
//! workflow definition the other rows point to; one verifier in Kota Bandar
//! Lampung (18.71) through `Store::add_user`; then the cases written with
//! batched INSERTs (500 rows per statement, 20,000 cases per transaction;
//! one transaction at a time on SQLite, four on PostgreSQL): each a
//! `submitted` case in 18.71 whose snapshot is the real case's with its id
//! replaced, and one `pending` reminder to the verifier (template
//! `proposal_waiting`), as the engine arms it on submit. All the reminders
//! fire in the future except `due` of them, spread evenly over the ids,
//! which fell due an hour or more before the sweep. PostgreSQL gets an
//! `ANALYZE` after the load (what autovacuum would do on a live database);
//! SQLite none (the store never runs one).
//!
//! Timed: `Store::sweep(catalog, links, now, None, 10_000)` alone, which
//! must find the `due` reminders and queue one email each. Three rounds per
//! database, alternating which size goes first; between rounds (not timed)
//! the reminders are set back to `pending` and the outbox emptied. The
//! table shows the first round and the median [lowest–highest]; the ratio
//! large/small of the medians has a target of at most 2. Under it, the plan
//! of the sweep's due-reminder query on the large database (`EXPLAIN QUERY
//! PLAN` on SQLite, `EXPLAIN` on PostgreSQL, the same statement the store
//! builds, with its values bound the same way).
//!
//! **Delivery.** A fresh database per backend with `emails` submitted cases,
//! all due, and the one verifier; sweeps queue `emails` emails (not timed).
//! Then crates/notify/tests/smtp_server.py is started on loopback (skipped,
//! with the reason, when `/usr/bin/python3 -c 'import aiosmtpd'` fails) and
//! the loop `pantau remind` runs is timed until the queue is empty:
//! `Store::claim` 50 → the recipient and `Templates::load(templates/email)`
//! render → `Mailer::send` over `Transport::Smtp` (no TLS, one mailer with
//! its connection pool) → `Store::mark_sent` (`mark_failed` on an error).
//! Reported: emails/s, the share of the time in each step, and what the
//! server wrote: exactly `emails` messages (checked), over how many SMTP
//! connections.
//!
//! Tiny mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it: `cargo test -p
//! pantau-store --bench remind`, a dev build): 300 and 100 cases, 10 due,
//! 20 emails (each overridable as above), three rounds, every step and check
//! as above. Its figures mean nothing. Under `PANTAU_REQUIRE_ALL=1` a part
//! skipped for a missing PostgreSQL or SMTP server fails the run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bench::median;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use pantau_store::Store;
use pantau_store::outbox::Links;
use pantau_store::schema::entity::case;
use pantau_workflow::Case;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

#[path = "remind/sweep.rs"]
mod sweep;
use sweep::*;
#[path = "remind/delivery.rs"]
mod delivery;
use delivery::*;
#[path = "remind/setup.rs"]
mod setup;
use setup::*;
#[path = "../../../tests/support/bench.rs"]
mod bench;
#[path = "../../../tests/support/db.rs"]
#[allow(dead_code)]
mod db;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;

/// Rows per INSERT statement in the setup.
const BATCH: usize = 500;
/// Cases per setup transaction.
const TXN_CASES: usize = 20_000;
/// Timed sweeps per database.
const ROUNDS: usize = 3;
/// What a sweep takes at most, as `pantau remind` asks.
const SWEEP_LIMIT: u64 = 10_000;
/// Emails claimed at a time, as `pantau remind` claims them.
const CLAIM: u64 = 50;
/// The large database's size when the machine cannot write a million cases
/// within [`SETUP_BUDGET`] (see `main`).
const FALLBACK_CASES: usize = 300_000;
/// Longest the first large setup may take before the other backend falls back.
const SETUP_BUDGET: Duration = Duration::from_secs(100);
const REGION: &str = "18.71";

/// When the real case opens and is submitted.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap()
}

/// When the sweeps run: the real case's own reminder (seven days on) is not due yet.
fn sweep_at() -> DateTime<Utc> {
    t0() + TimeDelta::days(1)
}

fn links() -> Links {
    Links {
        base_url: "http://127.0.0.1:8080".into(),
    }
}

fn thousands(n: usize) -> String {
    bench::thousands(n as f64)
}

/// `(?, ?, …), (?, ?, …)` for `rows` rows of `cols` columns, `$n` on PostgreSQL.
fn insert_sql(backend: DbBackend, table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if backend == DbBackend::Postgres {
                sql.push_str(&format!("${n}"));
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

const CASE_COLUMNS: [&str; 14] = [
    "id",
    "workflow",
    "workflow_version",
    "region",
    "program_id",
    "beneficiary_id",
    "state",
    "seq",
    "approved_amount",
    "disbursed_amount",
    "snapshot",
    "head_hash",
    "opened_at",
    "updated_at",
];

const REMINDER_COLUMNS: [&str; 9] = [
    "key",
    "case_id",
    "entered_seq",
    "state",
    "fire_at",
    "to_role",
    "template",
    "step",
    "status",
];

/// What every generated case copies from the real one.
struct Model {
    case: case::Model,
    snapshot: Case,
}

/// A database ready for sweeps: the store, and how long the setup took.
struct Prepared {
    store: Store,
    cases: usize,
    due: usize,
    setup: Duration,
    /// Dropped after use (PostgreSQL), or kept alive until then (SQLite).
    place: Place,
}

enum Place {
    Sqlite(#[allow(dead_code)] tempfile::TempDir, PathBuf),
    Postgres { url: String },
}

impl Prepared {
    async fn size(&self) -> String {
        match &self.place {
            Place::Sqlite(_, file) => {
                let mut bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
                bytes += std::fs::metadata(file.with_extension("db-wal"))
                    .map(|m| m.len())
                    .unwrap_or(0);
                format!("{} MB", bytes / 1_000_000)
            }
            Place::Postgres { .. } => {
                let row = self
                    .store
                    .connection()
                    .query_one_raw(Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT pg_database_size(current_database())",
                    ))
                    .await
                    .ok()
                    .flatten();
                let bytes: i64 = row.and_then(|r| r.try_get_by_index(0).ok()).unwrap_or(0);
                format!("{} MB", bytes / 1_000_000)
            }
        }
    }

    async fn drop_it(self) {
        self.store.connection().clone().close().await.ok();
        if let Place::Postgres { url } = &self.place {
            db::drop_postgres(url).await;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// The machine's load average, `1.02 0.80 0.66` (Linux; `?` elsewhere):
/// other work on it shows in the figures.
fn load_average() -> String {
    bench::load_average().map_or_else(
        || "?".into(),
        |l| format!("{:.2} {:.2} {:.2}", l[0], l[1], l[2]),
    )
}

#[tokio::main]
async fn main() {
    let args = bench::args();
    // Tiny mode: small enough for a dev build, every step and check still run.
    let tiny = bench::tiny();
    let number = |name: &str, default: usize, tiny_default: usize| {
        bench::number(&args, name, if tiny { tiny_default } else { default })
    };
    let large = number("cases", 1_000_000, 300);
    let small = number("small", 10_000, 100);
    let due = number("due", 1_000, 10);
    let emails = number("emails", 1_000, 20);
    let only = bench::picked(&args);
    let wanted = |name: &str| bench::wanted(&only, name);
    let catalog = shipped::catalog();
    let load_before = load_average();
    let started = Instant::now();

    let mut backends = Vec::new();
    if wanted("sqlite") {
        backends.push(Backend::Sqlite);
    }
    if wanted("postgres") {
        backends.push(Backend::Postgres);
    }

    // Sweeps.
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    let mut large_now = large;
    for &b in &backends {
        match sweeps(b, &catalog, large_now, small, due).await {
            Ok(mut r) => {
                let setup = r.rows[1].setup;
                if large_now > FALLBACK_CASES && setup > SETUP_BUDGET {
                    r.notes.push(format!(
                        "{}: writing {} cases took {:.0} s, over the {} s budget: the next backend gets {} cases",
                        b.name(),
                        thousands(large_now),
                        setup.as_secs_f64(),
                        SETUP_BUDGET.as_secs(),
                        thousands(FALLBACK_CASES)
                    ));
                    large_now = FALLBACK_CASES;
                }
                results.push(r);
            }
            Err(why) => skipped.push(bench::skipped(b.name(), &why)),
        }
    }

    // Delivery.
    let mut deliveries = Vec::new();
    let mut delivery_skipped = Vec::new();
    for &b in &backends {
        eprintln!("{}: delivering {} emails …", b.name(), thousands(emails));
        match delivery(b, &catalog, emails).await {
            Ok(r) => deliveries.push(r),
            Err(why) => delivery_skipped.push(bench::skipped(b.name(), &why)),
        }
    }

    println!();
    println!(
        "Sweep time: Store::sweep(…, limit {}) finding the reminders due among one pending reminder per case; {ROUNDS} rounds, median [lowest–highest]",
        thousands(SWEEP_LIMIT as usize)
    );
    println!();
    let mut table = bench::Table::new(&[
        "backend", "cases", "due", "setup", "db size", "1st ms", "sweep ms",
    ]);
    for r in &results {
        for row in &r.rows {
            table.row(vec![
                row.backend.name().to_string(),
                thousands(row.cases),
                thousands(row.due),
                format!("{:.1} s", row.setup.as_secs_f64()),
                row.size.clone(),
                format!("{:.1}", row.ms[0]),
                row.cell(),
            ]);
        }
    }
    table.print();
    for s in &skipped {
        println!("{s}");
    }
    println!();
    for r in &results {
        let (s, l) = (&r.rows[0], &r.rows[1]);
        let ratio = median(&l.ms) / median(&s.ms);
        println!(
            "{}: sweep with {} cases / with {} cases = {:.1} ms / {:.1} ms = {ratio:.2}: target (<= 2.0) {}",
            s.backend.name(),
            thousands(l.cases),
            thousands(s.cases),
            median(&l.ms),
            median(&s.ms),
            if ratio <= 2.0 { "MET" } else { "NOT MET" }
        );
        println!(
            "  setup of {} cases: {:.1} s ({:.0} cases/s with their reminders)",
            thousands(l.cases),
            l.setup.as_secs_f64(),
            l.cases as f64 / l.setup.as_secs_f64()
        );
        for n in &r.notes {
            println!("  note: {n}");
        }
    }
    for r in &results {
        println!();
        println!(
            "{} plan of the due-reminder query ({} cases):",
            r.rows[0].backend.name(),
            thousands(r.rows[1].cases)
        );
        for line in &r.plan {
            println!("  {line}");
        }
    }

    println!();
    println!(
        "Outbox delivery to the loopback SMTP server (crates/notify/tests/smtp_server.py): claim {CLAIM} → render → send → mark_sent"
    );
    println!();
    let mut table = bench::Table::new(&[
        "backend",
        "queued",
        "sent",
        "failed",
        "received",
        "wall s",
        "emails/s",
        "time in claim / render / send / mark_sent",
    ]);
    for d in &deliveries {
        let share = |t: Duration| 100.0 * t.as_secs_f64() / d.wall.as_secs_f64();
        table.row(vec![
            d.backend.name().to_string(),
            thousands(d.queued),
            thousands(d.sent),
            d.failed.to_string(),
            thousands(d.received),
            format!("{:.2}", d.wall.as_secs_f64()),
            format!("{:.0}", d.sent as f64 / d.wall.as_secs_f64()),
            format!(
                "{:.0}% / {:.0}% / {:.0}% / {:.0}%",
                share(d.claim),
                share(d.render),
                share(d.send),
                share(d.mark)
            ),
        ]);
    }
    table.print();
    for s in &delivery_skipped {
        println!("{s}");
    }
    for d in &deliveries {
        println!(
            "{}: the server received {} of {} emails over {} SMTP connection(s): {}",
            d.backend.name(),
            thousands(d.received),
            thousands(d.queued),
            d.connections,
            if d.received == d.queued && d.sent == d.queued && d.failed == 0 {
                "all, once each"
            } else {
                "MISMATCH"
            }
        );
    }
    println!();
    println!(
        "whole run: {:.0} s; load average (1, 5, 15 min) at the start {load_before}, at the end {}",
        started.elapsed().as_secs_f64(),
        load_average()
    );
    for d in &deliveries {
        assert_eq!(
            (d.sent, d.received),
            (d.queued, d.queued),
            "{}: every queued email reaches the server once",
            d.backend.name()
        );
    }
}
