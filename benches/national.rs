//! `pantau serve` at national scale (issue 22): a generated database the size
//! of the country's cooperative offices, built once and kept, then the case
//! list, the dashboards, a transition and the reports measured on it over
//! HTTP, and the server's memory.
//!
//! ```text
//!  cargo bench --bench national
//!  cargo bench --bench national -- cases=200000
//!  cargo bench --bench national -- cases=1000000 cooperatives=130000 umkm=1000000
//! ```
//!
//! The data (`national/data.rs`): `pantau demo --scale 0.02` (its users,
//! programs, pinned workflows, regions and real cases), a province manager of
//! Jawa Timur (`pengelola.35`, added with `pantau user add`), then grown with
//! plain SQL: the beneficiaries (default 130,000 cooperatives and 1,000,000
//! UMKM, a twentieth of them each street vendors (PKL) and new entrepreneurs,
//! copies of the demo's records) over all 514 kabupaten/kota of the 38
//! provinces, the demo's programs copied to every province with an allocation
//! wherever their cases are, and N cases (default 1,000,000) over every
//! kabupaten/kota, each a copy of one of the demo's cases (so the same
//! workflow and state mix), with its snapshot and its events, visits,
//! tranches and reminders under the new case id; then `ANALYZE`. The hashes
//! are the demo case's, so `pantau audit` would fail them; nothing here asks
//! it. The folder is `target/bench-national/N/` (with the beneficiary counts
//! when they are not the defaults), reused when its marker file `complete`
//! (written last) exists; the table says how long it took to build. Each
//! run copies it to `N-run/` first and works on the copy, so every run
//! starts from the data as built (a run's transitions move cases for good).
//!
//! Measured, with `pantau serve` (the release binary) on it, as Jawa Timur's
//! manager and as the Ministry (`kementerian`), each after a 3-second
//! warm-up, `wrk -t2 -c32 -d15s --latency` on loopback: the case list
//! filtered by the state with the most cases the reader sees, page 5
//! (`/api/cases?state=S&page=5`), the dashboard (`/api/dashboard`) and its
//! page (`/`); target p99 < 100 ms and ≥ 500 req/s each. A transition (`POST
//! /api/cases/{id}/transitions`) as Jawa Timur's manager with `wrk -t2 -c50`,
//! a Lua script giving each request the next case of a list the bench picks
//! from the database *each run* (the kept data changes as cases move): cases
//! in a state where the manager may take an action that names no guard (read
//! from `workflows/`) and whose required answers are
//! text, yes/no, a number or a choice (up to 40,000; a thread that reaches
//! the end of the list stops early, and the table says so); target p99 < 50
//! ms. Every answer's status is counted and shown: a 409 or 422 means the
//! bench picked wrong. The four reports of Jawa Timur (`/api/reports/NAME`,
//! the fiscal year with the most cases), as HTML and as CSV, three rounds
//! each, the median; target ≤ 1 s. Last, the server's peak memory (`VmHWM` in
//! `/proc/PID/status`); target < 300 MB. The exit code is 0 even when a
//! target is missed: the figures are the result. The `other cpu` column is as
//! in `benches/http.rs`: the cores other processes used meanwhile.
//!
//! Tiny mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it: `cargo test
//! --bench national`, a dev build): 3,000 cases and a few thousand beneficiaries in
//! a temporary folder (not kept), 1-second runs, every step and check as
//! above; a non-2xx answer or socket error makes the exit code 1. Its figures
//! mean nothing. Without `wrk` on PATH the bench prints `SKIPPED` and exits 0
//! (1 under `PANTAU_REQUIRE_ALL=1`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/bench.rs"]
mod bench;
mod common;
#[path = "national/data.rs"]
mod data;
#[path = "national/transition.rs"]
mod transition;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use common::client::{http, sign_in};
use common::serve_logging_to;
use common::wrk::{Busy, Figures, Load, peak_mb, settle, verdict};

const PASSWORD: &str = "pantau-demo-2026";
const MINISTRY: &str = "kementerian";
const LIST_P99_MS: f64 = 100.0;
const LIST_RPS: f64 = 500.0;
const TRANSITION_P99_MS: f64 = 50.0;
const REPORT_MS: f64 = 1_000.0;
const MEMORY_MB: f64 = 300.0;
/// The longest wait for the server to finish what a run left queued.
const SETTLE: Duration = Duration::from_secs(300);
const REPORTS: [&str; 4] = ["program-progress", "monev", "accountability", "indicators"];

/// One measured wrk run, for the first table.
struct Row {
    what: String,
    reader: String,
    /// Milliseconds of one request on an idle server, when measured.
    alone_ms: Option<f64>,
    figures: Figures,
    target: String,
    met: bool,
    /// The server's peak memory so far (`VmHWM`, MB), read after the run:
    /// where it grows tells which request costs it.
    peak_mb: f64,
}

fn main() -> ExitCode {
    if let Some(code) = common::wrk::missing("national") {
        return code;
    }
    let tiny = bench::tiny();
    let args = bench::args();
    let cases = bench::number(&args, "cases", if tiny { 3_000 } else { 1_000_000 });
    let sizes = data::Sizes {
        cases,
        cooperatives: bench::number(&args, "cooperatives", cases * 13 / 100),
        umkm: bench::number(&args, "umkm", cases),
    };
    let (seconds, warm_up, rounds) = if tiny { ("1", "1", 1) } else { ("15", "3", 3) };

    // The kept folder, or a temporary one in the tiny mode.
    let temp = tempfile::tempdir().unwrap();
    let dir = if tiny {
        temp.path().to_path_buf()
    } else {
        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
            PathBuf::from,
        );
        target.join("bench-national").join(sizes.folder())
    };
    let built = data::ensure(&dir, &sizes);
    // Every run on the data as built (the tiny mode's folder is its own).
    let dir = if tiny { dir } else { data::working_copy(&dir) };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(data::connect(&dir));

    let log = temp.path().join("serve.log");
    let server = serve_logging_to(&dir, &log);
    let (addr, pid) = (server.addr.clone(), server.child.id());
    let manager = sign_in(&addr, data::MANAGER, PASSWORD);
    let ministry = sign_in(&addr, MINISTRY, PASSWORD);

    let mut rows = vec![];
    for (reader, token, province) in [
        (data::MANAGER, &manager, Some(data::PROVINCE)),
        (MINISTRY, &ministry, None),
    ] {
        let state = rt.block_on(data::busiest_state(&db, province));
        let load = Load {
            threads: if tiny { "1" } else { "2" },
            connections: if tiny { "2" } else { "32" },
            seconds,
            token,
            script: None,
        };
        for path in [
            format!("/api/cases?state={state}&page=5"),
            "/api/dashboard".to_string(),
            "/".to_string(),
        ] {
            let t = Instant::now();
            let (status, body) = http(&addr, "GET", &path, Some(token), "");
            let alone_ms = t.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(status, 200, "GET {path} as {reader}: {body}");
            let url = format!("http://{addr}{path}");
            Load {
                seconds: warm_up,
                ..load.clone()
            }
            .run(&url, pid);
            settle(pid, SETTLE);
            let (figures, raw) = load.run(&url, pid);
            let waited = settle(pid, SETTLE);
            eprintln!(
                "--- wrk GET {path} as {reader} (then {:.0} s until the server was idle)\n{raw}",
                waited.as_secs_f64()
            );
            rows.push(Row {
                what: format!("GET {path}"),
                reader: reader.to_string(),
                alone_ms: Some(alone_ms),
                met: figures.p99_ms < LIST_P99_MS && figures.rps >= LIST_RPS,
                target: format!("p99 <{LIST_P99_MS:.0} ms, ≥{LIST_RPS:.0}/s"),
                figures,
                peak_mb: peak_mb(pid),
            });
        }
    }

    // A transition at 50 concurrent users, on cases picked now.
    let picked = transition::pick(&rt, &db, &addr, &manager, if tiny { 500 } else { 40_000 });
    let script = transition::script(temp.path(), &picked, if tiny { 1 } else { 2 });
    let load = Load {
        threads: if tiny { "1" } else { "2" },
        connections: if tiny { "5" } else { "50" },
        seconds,
        token: &manager,
        script: Some(&script),
    };
    settle(pid, SETTLE);
    let (mut figures, raw) = load.run(&format!("http://{addr}/"), pid);
    settle(pid, SETTLE);
    eprintln!("--- wrk POST transitions as {}\n{raw}", data::MANAGER);
    let statuses = transition::statuses(&raw);
    let answers: Vec<String> = statuses.iter().map(|(s, n)| format!("{n} × {s}")).collect();
    figures.trouble.extend(
        statuses
            .iter()
            .filter(|(s, _)| !(200..300).contains(s))
            .map(|(s, n)| format!("{n} × {s}")),
    );
    // Threads that reached the end of the list stopped early.
    let stopped = transition::ran_out(&raw).map_or(String::new(), |_| {
        " (every case picked moved before the end: threads stopped early)".to_string()
    });
    rows.push(Row {
        what: format!("POST transitions ({})", picked.actions()),
        reader: data::MANAGER.to_string(),
        alone_ms: None,
        met: figures.p99_ms < TRANSITION_P99_MS,
        target: format!("p99 <{TRANSITION_P99_MS:.0} ms"),
        figures,
        peak_mb: peak_mb(pid),
    });

    // The reports of one province.
    let year = rt.block_on(data::busiest_year(&db, data::PROVINCE));
    let mut reports = bench::Table::new(&[
        "report",
        "as",
        "median",
        "slowest",
        "bytes",
        "other cpu",
        "target",
        "verdict",
        "peak MB",
    ]);
    let mut trouble = rows.iter().any(|r| !r.figures.trouble.is_empty());
    for name in REPORTS {
        for format in ["html", "csv"] {
            let path = format!("/api/reports/{name}?year={year}&format={format}");
            let busy = Busy::start(pid);
            let (mut times, mut bytes, mut failed) = (vec![], 0, None);
            for _ in 0..rounds {
                let t = Instant::now();
                let (status, body) = http(&addr, "GET", &path, Some(&manager), "");
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                bytes = body.len();
                if status != 200 {
                    failed = Some(format!(
                        "{status}: {}",
                        body.chars().take(200).collect::<String>()
                    ));
                }
            }
            let other = busy.cores();
            let median = bench::median(&times);
            trouble |= failed.is_some();
            reports.row(vec![
                format!("{name} ({format}, {year})"),
                data::MANAGER.into(),
                format!("{median:.0} ms"),
                format!("{:.0} ms", times.iter().copied().fold(0.0, f64::max)),
                bench::thousands(bytes as f64),
                format!("{other:.2}"),
                format!("≤{REPORT_MS:.0} ms"),
                verdict(median <= REPORT_MS, failed.as_slice(), other),
                format!("{:.0}", peak_mb(pid)),
            ]);
        }
    }
    let memory = peak_mb(pid);
    drop(server);

    println!(
        "pantau serve, SQLite, national scale: {} cases, {} cooperatives, {} UMKM over 514 kabupaten/kota \
         ({}; {}), wrk on loopback, {} cores",
        bench::thousands(sizes.cases as f64),
        bench::thousands(sizes.cooperatives as f64),
        bench::thousands(sizes.umkm as f64),
        built.describe(),
        if tiny {
            "temporary folder".to_string()
        } else {
            dir.display().to_string()
        },
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    let mut table = bench::Table::new(&[
        "endpoint",
        "as",
        "alone ms",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "other cpu",
        "target",
        "verdict",
        "peak MB",
    ]);
    for r in &rows {
        let f = &r.figures;
        // No answer within the run: its latencies are beyond the run.
        let latency = |ms: f64| {
            if f.requests == 0 {
                format!(">{seconds} s")
            } else {
                format!("{ms:.2}")
            }
        };
        table.row(vec![
            r.what.clone(),
            r.reader.clone(),
            r.alone_ms.map_or("-".into(), |ms| format!("{ms:.0}")),
            f.requests.to_string(),
            format!("{:.0}", f.rps),
            latency(f.p50_ms),
            latency(f.p99_ms),
            format!("{:.2}", f.other_cores),
            r.target.clone(),
            verdict(r.met, &f.trouble, f.other_cores),
            format!("{:.0}", r.peak_mb),
        ]);
    }
    table.print();
    println!(
        "transition answers by status: {}; {} cases picked in {}{stopped}",
        answers.join(", "),
        bench::thousands(picked.cases.len() as f64),
        data::PROVINCE
    );
    println!();
    reports.print();
    println!();
    println!(
        "pantau serve peak memory (VmHWM) after every run (the column \"peak MB\" gives it after each row): {memory:.0} MB; target <{MEMORY_MB:.0} MB: {}",
        if memory < MEMORY_MB { "met" } else { "MISSED" }
    );
    // In the tiny mode (a smoke run) an error answer is a broken bench.
    if tiny && trouble {
        eprintln!("bench national: error answers or socket errors in the tiny mode");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
