//! Debian's `wrk` run against `pantau serve`, what it printed read back,
//! and the machine's other work measured beside it.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use nix::sys::resource::{UsageWho, getrusage};

/// What one wrk run measured.
#[derive(Debug, Default)]
pub struct Figures {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    /// Non-2xx answers and socket errors, as wrk reports them.
    pub trouble: Vec<String>,
    /// Cores used by other processes during the run.
    pub other_cores: f64,
}

/// Whether `wrk` is on PATH; else the `SKIPPED` line for `bench` and the
/// exit code to end with (a failure under `PANTAU_REQUIRE_ALL=1`).
pub fn missing(bench: &str) -> Option<ExitCode> {
    if super::support::which("wrk").is_some() {
        return None;
    }
    eprintln!(
        "SKIPPED: bench {bench}: `wrk` is not on PATH; install it (Debian: `apt-get install -y wrk`) and run again"
    );
    Some(
        if std::env::var("PANTAU_REQUIRE_ALL").is_ok_and(|v| v == "1") {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// How one wrk run is made: threads, connections, seconds, the bearer
/// token and an optional Lua script.
#[derive(Debug, Clone)]
pub struct Load<'a> {
    pub threads: &'a str,
    pub connections: &'a str,
    pub seconds: &'a str,
    pub token: &'a str,
    pub script: Option<&'a Path>,
}

impl Load<'_> {
    /// Runs wrk on `url` with the server `server` (its pid) beside it: the
    /// figures and wrk's own output.
    pub fn run(&self, url: &str, server: u32) -> (Figures, String) {
        let busy = Busy::start(server);
        let mut cmd = Command::new("wrk");
        cmd.args(["-t", self.threads, "-c", self.connections])
            .args(["-d", &format!("{}s", self.seconds)])
            .args(["--latency", "--timeout", "10s"])
            .args(["-H", &format!("Authorization: Bearer {}", self.token)]);
        if let Some(script) = self.script {
            cmd.arg("-s").arg(script);
        }
        let out = cmd.arg(url).output().expect("wrk runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "wrk failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut figures = parse(&text);
        figures.other_cores = busy.cores();
        (figures, text)
    }
}

/// The CPU that processes other than the server and this process's
/// children used since [`Busy::start`]: the machine is shared.
#[derive(Debug)]
pub struct Busy {
    server: u32,
    started: Instant,
    before: (f64, f64, f64),
}

impl Busy {
    pub fn start(server: u32) -> Busy {
        Busy {
            server,
            started: Instant::now(),
            before: cpu_seconds(server),
        }
    }

    /// Cores used by other processes on average since the start.
    pub fn cores(&self) -> f64 {
        let (before, after) = (self.before, cpu_seconds(self.server));
        let other = (after.0 - before.0) - (after.1 - before.1) - (after.2 - before.2);
        (other / self.started.elapsed().as_secs_f64()).max(0.0)
    }
}

/// Waits until the server `pid` is idle (under 0.05 core over half a
/// second), at most `limit`, so that requests an overloaded run left queued
/// are not counted against the next one: how long it waited.
pub fn settle(pid: u32, limit: Duration) -> Duration {
    let started = Instant::now();
    while started.elapsed() < limit {
        let before = cpu_seconds(pid).1;
        std::thread::sleep(Duration::from_millis(500));
        if cpu_seconds(pid).1 - before < 0.025 {
            break;
        }
    }
    started.elapsed()
}

/// CPU seconds so far: (the whole machine busy, the server, this process's
/// waited-for children). `/proc` counts in clock ticks of 1/100 s.
fn cpu_seconds(server: u32) -> (f64, f64, f64) {
    const TICK: f64 = 0.01;
    let machine = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|t| {
            let line = t.lines().next()?.to_string();
            let n: Vec<f64> = line
                .split_whitespace()
                .skip(1)
                .filter_map(|v| v.parse().ok())
                .collect();
            // user nice system idle iowait irq softirq steal
            (n.len() >= 8).then(|| (n[0] + n[1] + n[2] + n[5] + n[6] + n[7]) * TICK)
        })
        .unwrap_or(f64::NAN);
    let own = std::fs::read_to_string(format!("/proc/{server}/stat"))
        .ok()
        .and_then(|t| {
            // After the command's closing parenthesis: state (field 3), …,
            // utime and stime (fields 14 and 15).
            let rest = t.rsplit_once(')')?.1.to_string();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let tick = |i: usize| fields.get(i)?.parse::<f64>().ok();
            Some((tick(11)? + tick(12)?) * TICK)
        })
        .unwrap_or(f64::NAN);
    let children = getrusage(UsageWho::RUSAGE_CHILDREN).map_or(f64::NAN, |u| {
        let s = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
        s(u.user_time()) + s(u.system_time())
    });
    (machine, own, children)
}

/// `1.23ms`, `456.00us`, `1.02s` in milliseconds.
fn millis(text: &str) -> f64 {
    let t = text.trim();
    let (num, factor) = if let Some(n) = t.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (t, f64::NAN)
    };
    num.parse::<f64>().map_or(f64::NAN, |n| n * factor)
}

fn parse(out: &str) -> Figures {
    let mut f = Figures::default();
    for line in out.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("50%"), Some(v)) => f.p50_ms = millis(v),
            (Some("99%"), Some(v)) => f.p99_ms = millis(v),
            (Some("Requests/sec:"), Some(v)) => f.rps = v.parse().unwrap_or(f64::NAN),
            (Some(n), Some("requests")) => f.requests = n.parse().unwrap_or(0),
            _ if line.starts_with("Non-2xx") || line.starts_with("Socket errors") => {
                f.trouble.push(line.to_string());
            }
            _ => {}
        }
    }
    f
}

/// The verdict column: `met` or `MISSED`, then error answers and a busy
/// machine (above 0.1 core of other work the figures are low by about
/// that share).
pub fn verdict(met: bool, trouble: &[String], other_cores: f64) -> String {
    let mut verdict = if met { "met" } else { "MISSED" }.to_string();
    if !trouble.is_empty() {
        verdict.push_str(&format!(" ({})", trouble.join("; ")));
    }
    if other_cores > 0.1 {
        verdict.push_str(" (machine busy: other processes ran beside it)");
    }
    verdict
}

/// The most memory the process `pid` held at once (`VmHWM`), in MB.
pub fn peak_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
