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
use std::process::{Child, Command as Process, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bench::median;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use pantau_domain::{Lang, Role, Zone};
use pantau_notify::{Message, Security, SendError, Templates, Transport};
use pantau_store::accounts::NewUser;
use pantau_store::outbox::Links;
use pantau_store::schema::entity::{case, reminder};
use pantau_store::{Opening, Settings, Store};
use pantau_workflow::{Actor, Case, Catalog, Command, Context};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement, TransactionTrait, Value,
};

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

/// A fresh, empty store.
async fn fresh(backend: Backend) -> Result<(Store, Place), String> {
    match backend {
        Backend::Sqlite => {
            let (dir, url) = db::fresh_sqlite();
            let file = dir.path().join("pantau.db");
            let store = Store::open(&Settings::new(url))
                .await
                .map_err(|e| e.to_string())?;
            Ok((store, Place::Sqlite(dir, file)))
        }
        Backend::Postgres => {
            let url = db::fresh_postgres().await?;
            let store = Store::open(&Settings::new(url.as_str()))
                .await
                .map_err(|e| e.to_string())?;
            Ok((store, Place::Postgres { url }))
        }
    }
}

/// The real case, opened and submitted through the store, and the verifier.
async fn seed(store: &Store, catalog: &Catalog) -> Arc<Model> {
    let def = catalog.latest("bansos").unwrap();
    let id = "real-0";
    let cx = Context {
        now: t0(),
        actor: Actor {
            user: "rina".into(),
            role: Role::ManagerRegency,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    };
    let o = Opening {
        case_id: id.into(),
        key: "open:real-0".into(),
        region: Some(REGION.into()),
        program_id: None,
        beneficiary_id: None,
        definition: def,
        source: catalog.source("bansos", def.version).unwrap(),
    };
    store.open_case(&o, &cx).await.unwrap();
    let cmd = Command {
        observed_at: None,
        key: "submit:real-0".into(),
        action: "submit".into(),
        inputs: [
            ("amount_requested", "Rp 150.000.000"),
            ("proposal_doc", "usulan.pdf"),
            ("in_craft_centre", "ya"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    };
    store.apply(catalog, id, &cmd, &cx, None).await.unwrap();
    let u = NewUser {
        login: "agus".into(),
        name: "Agus Verifikator".into(),
        email: "agus@dinas.example".into(),
        role: Role::Verifier,
        region: Some(REGION.into()),
        lang: Lang::Id,
        digest: false,
        password_hash: None,
    };
    assert!(store.add_user(&u, t0()).await.unwrap());
    let case = case::Entity::find_by_id(id)
        .one(store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(case.state, "submitted");
    let snapshot: Case = serde_json::from_str(&case.snapshot).unwrap();
    Arc::new(Model { case, snapshot })
}

/// Writes cases `0..n` (`C0000000` …) with one pending reminder each; `due`
/// of them, spread evenly, fell due before [`sweep_at`]. Transactions of
/// [`TXN_CASES`] cases, [`loaders`] of them at a time.
async fn load(store: &Store, model: &Arc<Model>, n: usize, due: usize, what: &str) {
    let next = Arc::new(AtomicUsize::new(0));
    let written = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..loaders(store.backend()))
        .map(|_| {
            let (store, model, next, written) =
                (store.clone(), model.clone(), next.clone(), written.clone());
            let what = what.to_string();
            tokio::spawn(async move {
                loop {
                    let from = next.fetch_add(TXN_CASES, Ordering::Relaxed);
                    if from >= n {
                        break;
                    }
                    let to = (from + TXN_CASES).min(n);
                    load_range(&store, &model, from..to, n, due).await;
                    let before = written.fetch_add(to - from, Ordering::Relaxed);
                    let after = before + to - from;
                    if after / 100_000 > before / 100_000 {
                        let secs = started.elapsed().as_secs_f64();
                        eprintln!(
                            "  {what}: {} cases written, {secs:.0} s, {:.0} cases/s",
                            thousands(after),
                            after as f64 / secs
                        );
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(written.load(Ordering::Relaxed), n);
}

/// Concurrent setup transactions: SQLite has one writer at a time; on
/// PostgreSQL several connections hide each statement's round trip.
fn loaders(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => 4,
        _ => 1,
    }
}

/// Cases `range` of `n` and their reminders, in one transaction.
async fn load_range(
    store: &Store,
    model: &Model,
    range: std::ops::Range<usize>,
    n: usize,
    due: usize,
) {
    let backend = store.backend();
    let every = (n / due.max(1)).max(1);
    let is_due = |i: usize| i.is_multiple_of(every) && i / every < due;
    let m = &model.case;
    let entered_seq = model.snapshot.entered_seq as i64;
    let txn = store.connection().begin().await.unwrap();
    let mut i = range.start;
    while i < range.end {
        let rows = (range.end - i).min(BATCH);
        let mut cases: Vec<Value> = Vec::with_capacity(rows * CASE_COLUMNS.len());
        let mut reminders: Vec<Value> = Vec::with_capacity(rows * REMINDER_COLUMNS.len());
        for j in i..i + rows {
            let id = format!("C{j:07}");
            let mut snapshot = model.snapshot.clone();
            snapshot.id = id.clone();
            cases.extend([
                id.clone().into(),
                m.workflow.clone().into(),
                m.workflow_version.into(),
                Value::String(Some(REGION.into())),
                Value::String(None),
                Value::String(None),
                m.state.clone().into(),
                m.seq.into(),
                Value::BigInt(None),
                0i64.into(),
                serde_json::to_string(&snapshot).unwrap().into(),
                m.head_hash.clone().into(),
                m.opened_at.into(),
                m.updated_at.into(),
            ]);
            // Due ones fell due at least an hour before the sweep; the
            // rest fire between one and eight days after it.
            let fire_at = if is_due(j) {
                sweep_at() - TimeDelta::hours(1) - TimeDelta::seconds((j / every) as i64)
            } else {
                sweep_at() + TimeDelta::days(1) + TimeDelta::seconds((j % 604_800) as i64)
            };
            reminders.extend([
                format!("{id}:{entered_seq}:submitted:0:0").into(),
                id.into(),
                entered_seq.into(),
                "submitted".into(),
                fire_at.into(),
                "verifier".into(),
                "proposal_waiting".into(),
                0i32.into(),
                "pending".into(),
            ]);
        }
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            insert_sql(backend, "cases", &CASE_COLUMNS, rows),
            cases,
        ))
        .await
        .unwrap();
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            insert_sql(backend, "reminders", &REMINDER_COLUMNS, rows),
            reminders,
        ))
        .await
        .unwrap();
        i += rows;
    }
    txn.commit().await.unwrap();
}

async fn prepare(
    backend: Backend,
    catalog: &Catalog,
    cases: usize,
    due: usize,
) -> Result<Prepared, String> {
    let started = Instant::now();
    let (store, place) = fresh(backend).await?;
    let model = seed(&store, catalog).await;
    let what = format!("{} {}", backend.name(), thousands(cases));
    load(&store, &model, cases, due, &what).await;
    if backend == Backend::Postgres {
        store
            .connection()
            .execute_unprepared("ANALYZE")
            .await
            .unwrap();
    }
    Ok(Prepared {
        store,
        cases,
        due,
        setup: started.elapsed(),
        place,
    })
}

/// Puts the swept reminders back and empties the outbox.
async fn reset(store: &Store) {
    let db = store.connection();
    db.execute_unprepared("UPDATE reminders SET status = 'pending' WHERE status = 'queued'")
        .await
        .unwrap();
    db.execute_unprepared("DELETE FROM outbox").await.unwrap();
}

/// One timed sweep; checks it queued one email per due reminder.
async fn sweep_once(p: &Prepared, catalog: &Catalog) -> f64 {
    let links = links();
    let start = Instant::now();
    let report = p
        .store
        .round(catalog, &links, Zone::Wib, sweep_at(), SWEEP_LIMIT)
        .await
        .unwrap();
    let ms = start.elapsed().as_secs_f64() * 1e3;
    assert_eq!(
        (report.due, report.queued, report.unaddressed),
        (p.due, p.due, 0),
        "sweep on {} cases: {report:?}",
        p.cases
    );
    ms
}

/// The plan of the sweep's due-reminder query, with the values bound as the store binds them.
async fn plan(store: &Store) -> Vec<String> {
    let backend = store.backend();
    let mut find = reminder::Entity::find()
        .filter(reminder::Column::Status.eq("pending"))
        .filter(reminder::Column::FireAt.lte(sweep_at()))
        .order_by_asc(reminder::Column::FireAt)
        .limit(SWEEP_LIMIT);
    if backend == DbBackend::Postgres {
        find = find.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        );
    }
    let stmt = find.build(backend);
    let (prefix, column) = match backend {
        DbBackend::Postgres => ("EXPLAIN ", "QUERY PLAN"),
        _ => ("EXPLAIN QUERY PLAN ", "detail"),
    };
    let sql = format!("{prefix}{}", stmt.sql);
    let rows = store
        .connection()
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            stmt.values.map(|v| v.0).unwrap_or_default(),
        ))
        .await
        .unwrap();
    let mut out = vec![stmt.sql.clone()];
    out.extend(
        rows.iter()
            .map(|r| r.try_get::<String>("", column).unwrap_or_default()),
    );
    out
}

struct SweepRow {
    backend: Backend,
    cases: usize,
    due: usize,
    setup: Duration,
    size: String,
    ms: Vec<f64>,
}

impl SweepRow {
    fn cell(&self) -> String {
        let lo = self.ms.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.ms.iter().copied().fold(0.0, f64::max);
        format!("{:.1} [{lo:.1}–{hi:.1}]", median(&self.ms))
    }
}

struct SweepResult {
    rows: Vec<SweepRow>,
    plan: Vec<String>,
    notes: Vec<String>,
}

/// Both sizes on one backend, the sweeps interleaved.
async fn sweeps(
    backend: Backend,
    catalog: &Catalog,
    large: usize,
    small: usize,
    due: usize,
) -> Result<SweepResult, String> {
    eprintln!("{}: writing {} cases …", backend.name(), thousands(small));
    let s = prepare(backend, catalog, small, due).await?;
    eprintln!(
        "  {:.1} s; writing {} cases …",
        s.setup.as_secs_f64(),
        thousands(large)
    );
    let l = prepare(backend, catalog, large, due).await?;
    eprintln!("  {:.1} s; sweeping …", l.setup.as_secs_f64());
    let mut small_ms = Vec::new();
    let mut large_ms = Vec::new();
    for round in 0..ROUNDS {
        if round > 0 {
            reset(&s.store).await;
            reset(&l.store).await;
        }
        if round % 2 == 0 {
            small_ms.push(sweep_once(&s, catalog).await);
            large_ms.push(sweep_once(&l, catalog).await);
        } else {
            large_ms.push(sweep_once(&l, catalog).await);
            small_ms.push(sweep_once(&s, catalog).await);
        }
    }
    let plan = plan(&l.store).await;
    let mut rows = Vec::new();
    for (p, ms) in [(&s, small_ms), (&l, large_ms)] {
        rows.push(SweepRow {
            backend,
            cases: p.cases,
            due: p.due,
            setup: p.setup,
            size: p.size().await,
            ms,
        });
    }
    s.drop_it().await;
    l.drop_it().await;
    Ok(SweepResult {
        rows,
        plan,
        notes: Vec::new(),
    })
}

/// The loopback SMTP server of crates/notify's tests, writing into a folder of its own.
struct SmtpServer {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl SmtpServer {
    fn start() -> Result<SmtpServer, String> {
        let check = Process::new("/usr/bin/python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("/usr/bin/python3 does not run: {e}"))?;
        if !check.success() {
            return Err(
                "`/usr/bin/python3 -c 'import aiosmtpd'` fails (Debian: python3-aiosmtpd)".into(),
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let script = shipped::repo_root().join("crates/notify/tests/smtp_server.py");
        let mut child = Process::new("/usr/bin/python3")
            .arg(&script)
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", script.display()))?;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(p) = std::fs::read_to_string(dir.path().join("port"))
                && let Ok(port) = p.trim().parse()
            {
                return Ok(SmtpServer { child, dir, port });
            }
            if Instant::now() > deadline {
                child.kill().ok();
                child.wait().ok();
                return Err("the SMTP server wrote no port within 15 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Messages the server received and wrote, and over how many connections (client ports).
    fn received(&self) -> (usize, usize) {
        let mut ports = std::collections::BTreeSet::new();
        let mut messages = 0;
        for e in std::fs::read_dir(self.dir.path()).unwrap() {
            let path = e.unwrap().path();
            match path.extension().and_then(|x| x.to_str()) {
                Some("eml") => messages += 1,
                Some("json") => {
                    let record: serde_json::Value =
                        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                    ports.insert(record["peer_port"].as_u64().unwrap_or(0));
                }
                _ => {}
            }
        }
        (messages, ports.len())
    }

    fn stop(mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

struct DeliveryRow {
    backend: Backend,
    queued: usize,
    sent: usize,
    failed: usize,
    received: usize,
    connections: usize,
    wall: Duration,
    claim: Duration,
    render: Duration,
    send: Duration,
    mark: Duration,
}

/// Queues `n` emails with sweeps, then sends them as `pantau remind` does, timed.
async fn delivery(backend: Backend, catalog: &Catalog, n: usize) -> Result<DeliveryRow, String> {
    let (store, place) = fresh(backend).await?;
    let model = seed(&store, catalog).await;
    let what = format!("{} delivery", backend.name());
    load(&store, &model, n, n, &what).await;
    let now = sweep_at();
    let queued = store
        .round(catalog, &links(), Zone::Wib, now, SWEEP_LIMIT)
        .await
        .unwrap()
        .queued;
    assert_eq!(queued, n, "{}: emails queued", backend.name());

    let prepared = Prepared {
        store,
        cases: n,
        due: n,
        setup: Duration::ZERO,
        place,
    };
    let server = match SmtpServer::start() {
        Ok(s) => s,
        Err(why) => {
            prepared.drop_it().await;
            return Err(why);
        }
    };
    let store = &prepared.store;
    let templates = Templates::load(&shipped::repo_root().join("templates/email")).unwrap();
    let transport = Transport::Smtp {
        host: "127.0.0.1".into(),
        port: server.port,
        security: Security::None,
        credentials: None,
        timeout: Duration::from_secs(30),
    };
    let from = "Pantau Diskop UKM Lampung <pantau@dinas.example>".to_string();
    let (mut sent, mut failed) = (0, 0);
    let (mut claim, mut render, mut send, mut mark) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let start = Instant::now();
    let mailer = transport.mailer().await;
    loop {
        let t = Instant::now();
        let rows = store
            .claim(now, CLAIM, chrono::Duration::minutes(5))
            .await
            .unwrap();
        claim += t.elapsed();
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let t = Instant::now();
            let msg = match row.to.clone() {
                Some((name, email)) => {
                    let ctx: serde_json::Value = serde_json::from_str(&row.payload).unwrap();
                    let lang: Lang = row.lang.parse().unwrap_or_default();
                    templates
                        .render(&row.template, lang, &ctx)
                        .map(|rendered| Message {
                            id: row.id.parse().unwrap(),
                            to: (name, email),
                            from: from.clone(),
                            date: row.created_at,
                            rendered,
                        })
                        .map_err(|e| SendError::Permanent(e.to_string()))
                }
                None => Err(SendError::Permanent(format!("no recipient for {}", row.id))),
            };
            render += t.elapsed();
            let t = Instant::now();
            let result = match (&mailer, msg) {
                (Ok(m), Ok(msg)) => m.send(&msg).await,
                (Err(e), _) => Err(e.clone()),
                (_, Err(e)) => Err(e),
            };
            send += t.elapsed();
            let t = Instant::now();
            match result {
                Ok(()) => {
                    store.mark_sent(&row.id, Utc::now()).await.unwrap();
                    sent += 1;
                }
                Err(e) => {
                    eprintln!("  {}: {e}", row.id);
                    let permanent = matches!(e, SendError::Permanent(_));
                    store
                        .mark_failed(&row, &e.to_string(), permanent, now)
                        .await
                        .unwrap();
                    failed += 1;
                }
            }
            mark += t.elapsed();
        }
    }
    if let Ok(m) = &mailer {
        m.shutdown().await;
    }
    let wall = start.elapsed();
    let (received, connections) = server.received();
    server.stop();
    prepared.drop_it().await;
    Ok(DeliveryRow {
        backend,
        queued,
        sent,
        failed,
        received,
        connections,
        wall,
        claim,
        render,
        send,
        mark,
    })
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
