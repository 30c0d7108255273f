//! The program progress report over many cases, next to the same
//! aggregation written as one plain SQL query, in the same run on the same
//! SQLite file (the embedded default: WAL, `synchronous=FULL`).
//!
//! ```text
//! cargo bench -p pantau-report --bench progress
//! cargo bench -p pantau-report --bench progress -- cases=200000
//! ```
//!
//! Setup (not timed): one program of 2026 with an allocation in each of
//! Lampung's 15 kabupaten/kota and N cases (default 1,000,000) spread over
//! them and over nine states, written with plain multi-row INSERTs: each
//! case's `open` event, a `submit` event past the draft, a `verify` event
//! past verification, the approved and disbursed rupiah, a tranche for
//! every disbursed case and a monev visit (done for the later states);
//! then `ANALYZE`. About 3.4 rows per case.
//!
//! Timed, three rounds each, median shown: (a) the plain query, a
//! different formulation of the same figures (events aggregated per case
//! with `GROUP BY`, joined); (b) the whole report: `gather::document`
//! (its query, the programs, allocations and region names, the document
//! with its chart) and writing it as CSV and as HTML. The bench checks that
//! both give the same totals. Target: (b) within 3 × (a).
//!
//! Tiny mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it: `cargo test -p
//! pantau-report --bench progress`, a dev build): 300 cases unless `cases=N`
//! says otherwise, one round, the same check. Its figures mean nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, Zone};
use pantau_report::html::Templates;
use pantau_report::model::Cell;
use pantau_report::{ReportName, Request};
use pantau_store::registry::NewProgram;
use pantau_store::{Settings, Store};
use sea_orm::{ConnectionTrait, Statement};

#[path = "../../../tests/support/bench.rs"]
mod bench;
#[path = "../../../tests/support/catalog.rs"]
mod catalog;
#[path = "../../../tests/support/db.rs"]
#[allow(dead_code)]
mod db;

const REGIONS: [&str; 15] = [
    "18.01", "18.02", "18.03", "18.04", "18.05", "18.06", "18.07", "18.08", "18.09", "18.10",
    "18.11", "18.12", "18.13", "18.71", "18.72",
];
const STATES: [&str; 9] = [
    "draft",
    "submitted",
    "in_verification",
    "verified",
    "approved",
    "disbursed",
    "final_report",
    "closed",
    "rejected",
];
const AMOUNT: i64 = 25_000_000;
const PROGRAM: &str = "bansos-bench-2026";

const PLAIN: &str = "SELECT c.program_id, c.region, COUNT(*), \
    SUM(COALESCE(s.submitted, 0)), SUM(COALESCE(s.verified, 0)), \
    SUM(CASE WHEN c.approved_amount IS NULL THEN 0 ELSE 1 END), \
    SUM(CASE c.state WHEN 'rejected' THEN 1 ELSE 0 END), \
    COALESCE(SUM(c.approved_amount), 0), SUM(c.disbursed_amount), SUM(COALESCE(t.n, 0)), \
    SUM(CASE WHEN c.disbursed_amount > 0 THEN 1 ELSE 0 END), \
    SUM(CASE WHEN c.disbursed_amount > 0 AND v.done > 0 THEN 1 ELSE 0 END), \
    SUM(COALESCE(v.done, 0)), SUM(COALESCE(v.due, 0)), SUM(COALESCE(v.overdue, 0)) \
    FROM cases c \
    LEFT JOIN (SELECT case_id, MAX(action = 'submit') AS submitted, MAX(to_state = 'verified') AS verified \
               FROM events GROUP BY case_id) s ON s.case_id = c.id \
    LEFT JOIN (SELECT case_id, COUNT(*) AS n FROM tranches GROUP BY case_id) t ON t.case_id = c.id \
    LEFT JOIN (SELECT case_id, SUM(done_at IS NOT NULL) AS done, \
               SUM(done_at IS NULL AND due_at >= '2026-11-23T01:00:00+00:00') AS due, \
               SUM(done_at IS NULL AND due_at < '2026-11-23T01:00:00+00:00') AS overdue \
               FROM visits GROUP BY case_id) v ON v.case_id = c.id \
    WHERE c.program_id = 'bansos-bench-2026' GROUP BY c.program_id, c.region";

/// Timed rounds of each; the table shows the median.
fn rounds() -> usize {
    if bench::tiny() { 1 } else { 3 }
}

fn main() {
    let default = if bench::tiny() { 300 } else { 1_000_000 };
    let cases = bench::number(&bench::args(), "cases", default);
    tokio::runtime::Runtime::new().unwrap().block_on(run(cases));
}

async fn run(n: usize) {
    let (_dir, url) = db::fresh_sqlite();
    let store = Store::open(&Settings::new(url)).await.unwrap();
    let t = Instant::now();
    setup(&store, n).await;
    eprintln!("setup: {n} cases in {:.1} s", t.elapsed().as_secs_f64());

    let catalog = catalog::catalog();
    let templates = Templates::load(&catalog::repo_root().join("templates")).unwrap();
    let req = Request {
        report: ReportName::ProgramProgress,
        year: Some(2026),
        program: Some(PROGRAM.into()),
        scope: Scope::National,
        case_id: None,
        from: None,
        to: None,
        signer: None,
        lang: Lang::Id,
        zone: Zone::Wib,
        now: Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap(),
        targets: Default::default(),
        photo_bytes: pantau_report::monev::CARRIED_BYTES,
    };
    let (mut plain, mut report) = (vec![], vec![]);
    let (mut plain_disbursed, mut report_disbursed) = (0, 0);
    for _ in 0..rounds() {
        let t = Instant::now();
        let db = store.connection();
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), PLAIN))
            .await
            .unwrap();
        plain.push(t.elapsed());
        plain_disbursed = rows
            .iter()
            .map(|r| r.try_get_by_index::<i64>(8).unwrap())
            .sum::<i64>();

        let t = Instant::now();
        let doc = pantau_report::gather::document(&store, &catalog, &templates, &req)
            .await
            .unwrap();
        let csv = pantau_report::csv::write(&doc).unwrap();
        let html = templates.render(&doc).unwrap();
        report.push(t.elapsed());
        assert!(!csv.is_empty() && !html.is_empty());
        let total = doc.sections[0].table.total.as_ref().unwrap();
        report_disbursed = match total.cells[8] {
            Cell::Rupiah(n) => n,
            _ => panic!("disbursed column"),
        };
    }
    assert_eq!(
        plain_disbursed, report_disbursed,
        "both give the same total"
    );
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (p, r) = (median(&mut plain), median(&mut report));
    let ratio = r.as_secs_f64() / p.as_secs_f64();
    println!();
    println!(
        "program progress over {n} cases on SQLite (median of {} run{})",
        rounds(),
        if rounds() == 1 { "" } else { "s" }
    );
    println!();
    let mut table = bench::Table::new(&["what", "time"]);
    table.row(vec![
        "plain SQL aggregation (baseline)".into(),
        format!("{:.3} s", p.as_secs_f64()),
    ]);
    table.row(vec![
        "report: query + document + CSV + HTML".into(),
        format!("{:.3} s", r.as_secs_f64()),
    ]);
    table.print();
    println!();
    println!(
        "report / plain = {ratio:.2}: target (<= 3.00) {}",
        if ratio <= 3.0 { "MET" } else { "NOT MET" }
    );
    println!(
        "both totals: disbursed {}",
        pantau_domain::format::rupiah(report_disbursed)
    );
}

async fn exec(store: &Store, sql: &str) {
    store.connection().execute_unprepared(sql).await.unwrap();
}

async fn setup(store: &Store, n: usize) {
    exec(
        store,
        "INSERT INTO definitions (workflow, version, sha256, source, pinned_at) \
         VALUES ('bansos', 2, 'bench', 'bench', '2026-01-01T00:00:00+00:00')",
    )
    .await;
    let per_region = (n as i64 / 15 + 1) * AMOUNT;
    store
        .add_program(&NewProgram {
            id: PROGRAM.into(),
            name: "Bansos bench 2026".into(),
            workflow: "bansos".into(),
            workflow_version: 2,
            fiscal_year: 2026,
            funding_source: "APBN".into(),
            budget_ceiling: per_region * 15,
            province: "18".into(),
            allocations: REGIONS
                .iter()
                .map(|r| (r.to_string(), per_region))
                .collect(),
        })
        .await
        .unwrap();
    const CHUNK: usize = 500;
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        let (mut cases, mut events, mut tranches, mut visits) =
            (String::new(), String::new(), String::new(), String::new());
        for i in start..end {
            let id = format!("c{i:08}");
            let stage = i % STATES.len();
            let state = STATES[stage];
            let rejected = state == "rejected";
            let approved = (4..8).contains(&stage);
            let disbursed = (5..8).contains(&stage);
            let sep = |s: &String| if s.is_empty() { "" } else { "," };
            let _ = write!(
                cases,
                "{}('{id}','bansos',2,'{}','{PROGRAM}',NULL,'{state}',{},{},{},'{{}}','h','2026-01-01T00:00:00+00:00','2026-06-01T00:00:00+00:00',NULL)",
                sep(&cases),
                REGIONS[i % 15],
                3,
                if approved {
                    AMOUNT.to_string()
                } else {
                    "NULL".into()
                },
                if disbursed { AMOUNT } else { 0 },
            );
            let mut seq = 0;
            let mut event = |action: &str, to: &str, events: &mut String| {
                seq += 1;
                let _ = write!(
                    events,
                    "{}('{id}',{seq},'2026-02-01T00:00:00+00:00','u','manager_regency','{action}','{id}-{seq}',NULL,'{to}','{{}}','p','h')",
                    if events.is_empty() { "" } else { "," }
                );
            };
            event("open", "draft", &mut events);
            if stage > 0 {
                event("submit", "submitted", &mut events);
            }
            if (3..8).contains(&stage) || (rejected && i % 2 == 0) {
                event("verify", "verified", &mut events);
            }
            if disbursed {
                let _ = write!(
                    tranches,
                    "{}('{id}',1,{AMOUNT},'2026-03-01T00:00:00+00:00',4)",
                    sep(&tranches)
                );
                let done = stage >= 6;
                let _ = write!(
                    visits,
                    "{}('{id}',1,'monev_bansos','{}',1,{},{})",
                    sep(&visits),
                    if i % 3 == 0 {
                        "2026-12-01T00:00:00+00:00"
                    } else {
                        "2026-10-01T00:00:00+00:00"
                    },
                    if done {
                        "'2026-09-01T00:00:00+00:00'"
                    } else {
                        "NULL"
                    },
                    if done { "5" } else { "NULL" },
                );
            }
        }
        let mut sql = String::from("BEGIN;");
        let _ = write!(
            sql,
            "INSERT INTO cases (id, workflow, workflow_version, region, program_id, beneficiary_id, state, seq, approved_amount, disbursed_amount, snapshot, head_hash, opened_at, updated_at, officer) VALUES {cases};"
        );
        let _ = write!(
            sql,
            "INSERT INTO events (case_id, seq, at, actor_user, actor_role, action, idem_key, from_state, to_state, body, prev_hash, hash) VALUES {events};"
        );
        if !tranches.is_empty() {
            let _ = write!(
                sql,
                "INSERT INTO tranches (case_id, no, amount, paid_at, event_seq) VALUES {tranches};"
            );
            let _ = write!(
                sql,
                "INSERT INTO visits (case_id, no, checklist, due_at, tranche, done_at, done_seq) VALUES {visits};"
            );
        }
        sql.push_str("COMMIT;");
        exec(store, &sql).await;
        start = end;
    }
    exec(store, "ANALYZE").await;
}
