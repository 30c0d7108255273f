//! `pantau serve` under load on loopback: requests per second and latency
//! percentiles (p50, p99) for the case list (first page, and filtered by a
//! state), the dashboard (JSON) and the dashboard page (HTML, `/`),
//! measured by Debian's `wrk`, with the demo data.
//!
//! Run (release profile; the bench builds nothing itself but starts the
//! `pantau` binary cargo built for it):
//!
//! ```text
//! cargo bench --bench http
//! PANTAU_BENCH_SCALE=0.1 PANTAU_BENCH_SECONDS=5 cargo bench --bench http
//! ```
//!
//! Steps: `pantau demo --scale S` into a temporary `PANTAU_DATA_DIR` (the
//! default SQLite file; S is `PANTAU_BENCH_SCALE`, default 1.0, the demo's
//! full size: 171,000 beneficiaries, 150 cases, under 15 s), `pantau serve
//! --bind 127.0.0.1:0` on it, sign-in of `PANTAU_BENCH_USER` (default
//! `pengelola.18`, Lampung's province manager, who sees 126 of the 150
//! cases) for a bearer token, then for each endpoint a 2-second warm-up and
//! one measured run of `wrk -t T -c C -d D --latency -H 'Authorization:
//! Bearer …'` (T `PANTAU_BENCH_THREADS`, default 2; C
//! `PANTAU_BENCH_CONNECTIONS`, default 16; D `PANTAU_BENCH_SECONDS`,
//! default 15). wrk and the server share the machine's cores. The table
//! goes to stdout with the targets beside it (p99 under 50 ms everywhere,
//! at least 1,000 requests/s for the case list); a run with any non-2xx
//! answer or socket error is marked. The exit code is 0 even when a target
//! is missed: the figures are the result.
//!
//! The machine is shared: the `other cpu` column is the CPU time (in cores)
//! that processes other than the server and wrk used during each measured
//! run (`/proc/stat` less the server's `/proc/PID/stat` and wrk's
//! `getrusage(RUSAGE_CHILDREN)`). Above 0.1 core the verdict says the
//! machine was busy, and the figures are low by about that share.
//!
//! Tiny mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it: `cargo test
//! --bench http`, a dev build of the bench and of `pantau`): the defaults
//! become scale 0.01, 1 thread, 2 connections, a 1-second warm-up and
//! 1-second runs (each variable above still wins); every endpoint and check
//! as above, and a non-2xx answer or socket error makes the exit code 1. Its
//! figures mean nothing.
//!
//! Without `wrk` on PATH the bench prints `SKIPPED: reason` (how to install
//! it) and exits 0; under `PANTAU_REQUIRE_ALL=1` it exits 1 instead.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/bench.rs"]
mod bench;
mod common;

use common::client::{http, sign_in};
use common::wrk::{Load, verdict};
use common::{pantau, serve};

use std::process::ExitCode;
use std::time::Instant;

use serde_json::Value;

const PASSWORD: &str = "pantau-demo-2026";
const P99_TARGET_MS: f64 = 50.0;
const RPS_TARGET_CASES: f64 = 1_000.0;

/// `name` from the environment, else `default` (`tiny` in the tiny mode).
fn env_or(name: &str, default: &str, tiny: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| if bench::tiny() { tiny } else { default }.to_string())
}

fn main() -> ExitCode {
    if let Some(code) = common::wrk::missing("http") {
        return code;
    }
    let scale = env_or("PANTAU_BENCH_SCALE", "1.0", "0.01");
    let seconds = env_or("PANTAU_BENCH_SECONDS", "15", "1");
    let user = env_or("PANTAU_BENCH_USER", "pengelola.18", "pengelola.18");
    let dir = tempfile::tempdir().unwrap();

    eprintln!(
        "bench http: pantau demo --scale {scale} into {}",
        dir.path().display()
    );
    let started = Instant::now();
    let demo = pantau(dir.path())
        .args(["demo", "--scale", &scale])
        .output()
        .expect("pantau demo runs");
    assert!(
        demo.status.success(),
        "pantau demo failed: {}{}",
        String::from_utf8_lossy(&demo.stdout),
        String::from_utf8_lossy(&demo.stderr)
    );
    let demo_secs = started.elapsed().as_secs_f64();
    let summary = String::from_utf8_lossy(&demo.stdout).to_string();

    let server = serve(dir.path());
    let addr = server.addr.clone();
    let token = sign_in(&addr, &user, PASSWORD);

    // The filtered list: the state with the most cases the user sees.
    let (status, body) = http(&addr, "GET", "/api/cases?per_page=200", Some(&token), "");
    assert_eq!(status, 200, "{body}");
    let list: Value = serde_json::from_str(&body).unwrap();
    let mut per_state = std::collections::BTreeMap::<String, usize>::new();
    for c in list["items"].as_array().unwrap() {
        *per_state
            .entry(c["state"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let state = per_state
        .iter()
        .max_by_key(|(s, n)| (**n, std::cmp::Reverse((*s).clone())))
        .map(|(s, _)| s.clone())
        .unwrap_or_else(|| "draft".into());

    let endpoints = [
        ("/api/cases".to_string(), true),
        (format!("/api/cases?state={state}"), true),
        ("/api/dashboard".to_string(), false),
        ("/".to_string(), false),
    ];
    let threads = env_or("PANTAU_BENCH_THREADS", "2", "1");
    let connections = env_or("PANTAU_BENCH_CONNECTIONS", "16", "2");
    let warm_up = if bench::tiny() { "1" } else { "2" };
    let load = Load {
        threads: &threads,
        connections: &connections,
        seconds: &seconds,
        token: &token,
        script: None,
    };
    let mut rows = vec![];
    for (path, is_list) in &endpoints {
        let (status, body) = http(&addr, "GET", path, Some(&token), "");
        assert_eq!(status, 200, "GET {path}: {body}");
        let url = format!("http://{addr}{path}");
        let pid = server.child.id();
        Load {
            seconds: warm_up,
            ..load.clone()
        }
        .run(&url, pid);
        let (f, raw) = load.run(&url, pid);
        eprintln!("--- wrk GET {path}\n{raw}");
        rows.push((path.clone(), body.len(), *is_list, f));
    }
    drop(server);

    let cases = summary
        .lines()
        .find(|l| l.trim_start().starts_with("cases:"))
        .unwrap_or("")
        .trim();
    println!(
        "pantau serve, SQLite, demo --scale {scale} ({cases}; filled in {demo_secs:.0} s), as {user}, \
         wrk -t{threads} -c{connections} -d{seconds}s on loopback, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<30} {:>7} {:>9} {:>8} {:>8} {:>8} {:>9}  {:<24} verdict",
        "endpoint", "bytes", "requests", "req/s", "p50 ms", "p99 ms", "other cpu", "target"
    );
    for (path, bytes, is_list, f) in &rows {
        let target = if *is_list {
            format!("≥{RPS_TARGET_CASES:.0}/s, p99 <{P99_TARGET_MS:.0} ms")
        } else {
            format!("p99 <{P99_TARGET_MS:.0} ms")
        };
        let met = f.p99_ms < P99_TARGET_MS && (!is_list || f.rps >= RPS_TARGET_CASES);
        let verdict = verdict(met, &f.trouble, f.other_cores);
        println!(
            "{:<30} {:>7} {:>9} {:>8.0} {:>8.2} {:>8.2} {:>9.2}  {:<24} {verdict}",
            format!("GET {path}"),
            bytes,
            f.requests,
            f.rps,
            f.p50_ms,
            f.p99_ms,
            f.other_cores,
            target
        );
    }
    // In the tiny mode (a smoke run) an error answer is a broken bench.
    if bench::tiny() && rows.iter().any(|r| !r.3.trouble.is_empty()) {
        eprintln!("bench http: error answers or socket errors in the tiny mode");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
