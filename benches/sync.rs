//! Field officers' queues synced over loopback: 200 monev visits, each
//! with its own photo (a real JPEG of about 1 MB, made beforehand, which the
//! server decodes for its perceptual hash), sent as a phone sends its queue (the photos to
//! `POST /api/cases/{id}/attachments`, then each officer's visits in one
//! `POST /api/sync/visits`), then the same again: the second changes
//! nothing. Prints the time, visits per second, the server's peak memory
//! (`VmHWM` of the `pantau serve` process) and the visits done on the
//! national dashboard before and after.
//!
//! ```text
//! cargo bench --bench sync
//! ```
//!
//! The data: `pantau demo --scale 0.05 --cases-per-state 40` into a
//! temporary folder (the default SQLite file), served by the real binary on
//! a free port; the visits are the first 200 open ones of the demo's field
//! officers. Preparing the answers (reading each case's form) is not timed.
//! The exit code is 1 when no visit was found or the second send changed
//! something.
//!
//! Tiny mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it: `cargo test
//! --bench sync`, a dev build of the bench and of `pantau`): `--scale 0.01
//! --cases-per-state 2`, 10 visits with small photos (160 × 120), the same
//! steps and checks. Its figures mean nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/bench.rs"]
mod bench;
mod common;
#[path = "../tests/support/visit.rs"]
mod visit;

use std::process::ExitCode;
use std::time::Instant;

use common::{pantau, serve};
use serde_json::{Value, json};

const VISITS: usize = 200;
/// Visits in the tiny mode (`PANTAU_BENCH_TINY=1`).
const TINY_VISITS: usize = 10;

/// How many visits to send.
fn visits_wanted() -> usize {
    if bench::tiny() { TINY_VISITS } else { VISITS }
}
const PASSWORD: &str = "pantau-demo-2026";

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn token(&self, login: &str) -> String {
        let r: Value = self
            .http
            .post(format!("{}/api/tokens", self.base))
            .json(&json!({ "login": login, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["token"].as_str().unwrap().to_string()
    }

    async fn get(&self, token: &str, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn photo(&self, token: &str, case: &str, bytes: Vec<u8>) -> String {
        let r: Value = self
            .http
            .post(format!("{}/api/cases/{case}/attachments", self.base))
            .bearer_auth(token)
            .header("Content-Type", "image/jpeg")
            .body(bytes)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["id"].as_str().unwrap().to_string()
    }
}

/// One officer's queue: (case, action, answers without the photo, photo field).
type Queue = Vec<(
    String,
    String,
    serde_json::Map<String, Value>,
    Option<String>,
)>;

async fn queues(api: &Api) -> Vec<(String, String, Queue)> {
    let admin = api.token("admin").await;
    let mut officers: Vec<String> = vec![];
    for page in 1.. {
        let cases = api
            .get(&admin, &format!("/api/cases?per_page=200&page={page}"))
            .await;
        let items = cases["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        officers.extend(
            items
                .iter()
                .filter_map(|c| c["officer"].as_str().map(str::to_string)),
        );
    }
    officers.sort();
    officers.dedup();
    let mut out = vec![];
    let mut n = 0;
    for officer in officers {
        let token = api.token(&officer).await;
        let mut queue = Queue::new();
        for v in api.get(&token, "/api/visits").await.as_array().unwrap() {
            if n == visits_wanted() {
                break;
            }
            let case = v["case_id"].as_str().unwrap();
            if queue.iter().any(|q| q.0 == case) {
                continue;
            }
            let d = api.get(&token, &format!("/api/cases/{case}")).await;
            let Some(action) = d["actions"].as_array().unwrap().iter().find(|a| {
                a["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["kind"] == "gps")
            }) else {
                continue;
            };
            let mut inputs = serde_json::Map::new();
            let mut photo_field = None;
            for f in action["fields"].as_array().unwrap() {
                let id = f["id"].as_str().unwrap().to_string();
                match visit::answer(f["kind"].as_str().unwrap(), &f["options"]) {
                    Some(v) => {
                        inputs.insert(id, v);
                    }
                    None => photo_field = Some(id),
                }
            }
            queue.push((
                case.to_string(),
                action["id"].as_str().unwrap().to_string(),
                inputs,
                photo_field,
            ));
            n += 1;
        }
        if !queue.is_empty() {
            out.push((officer, token, queue));
        }
    }
    out
}

/// Sends every queue (photos, then one batch per officer); returns the
/// results' statuses.
async fn send(api: &Api, queues: &[(String, String, Queue)], photos: &[Vec<u8>]) -> Vec<String> {
    let mut statuses = vec![];
    let mut n = 0;
    for (officer, token, queue) in queues {
        let mut visits = vec![];
        for (case, action, inputs, photo_field) in queue {
            let mut inputs = inputs.clone();
            if let Some(field) = photo_field {
                let id = api.photo(token, case, photos[n].clone()).await;
                inputs.insert(field.clone(), json!(id));
            }
            visits.push(json!({ "key": format!("bench-{officer}-{case}"), "case_id": case, "action": action, "inputs": inputs }));
            n += 1;
        }
        let r: Value = api
            .http
            .post(format!("{}/api/sync/visits", api.base))
            .bearer_auth(token)
            .json(&json!({ "visits": visits }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for res in r["results"].as_array().unwrap() {
            statuses.push(res["status"].as_str().unwrap().to_string());
        }
    }
    statuses
}

/// `VmHWM` (peak resident memory) of process `pid`, in MB.
fn peak_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn count(statuses: &[String], of: &str) -> usize {
    statuses.iter().filter(|s| *s == of).count()
}

async fn visits_done(api: &Api) -> u64 {
    let admin = api.token("admin").await;
    let d = api.get(&admin, "/api/dashboard").await;
    d["programs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["total"]["visits_done"].as_u64().unwrap())
        .sum()
}

fn main() -> ExitCode {
    let dir = tempfile::tempdir().unwrap();
    let (scale, per_state) = if bench::tiny() {
        ("0.01", "2")
    } else {
        ("0.05", "40")
    };
    let demo = pantau(dir.path())
        .args(["demo", "--scale", scale, "--cases-per-state", per_state])
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let server = serve(dir.path());
    let pid = server.child.id();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let api = Api {
            http: reqwest::Client::new(),
            base: format!("http://{}", server.addr),
        };
        let queues = queues(&api).await;
        let visits: usize = queues.iter().map(|q| q.2.len()).sum();
        let done_before = visits_done(&api).await;
        let idle = peak_mb(pid);
        // The tiny mode sends small photos: a dev build encodes and decodes slowly.
        let photo = if bench::tiny() {
            pantau_photo::samples::visit_photo
        } else {
            pantau_photo::samples::camera_photo
        };
        let photos: Vec<Vec<u8>> = (0..visits as u32).map(photo).collect();
        let mean_kb = photos.iter().map(Vec::len).sum::<usize>() / photos.len().max(1) / 1024;

        let started = Instant::now();
        let first = send(&api, &queues, &photos).await;
        let first_secs = started.elapsed().as_secs_f64();
        let done_first = visits_done(&api).await;
        let peak = peak_mb(pid);

        let started = Instant::now();
        let second = send(&api, &queues, &photos).await;
        let second_secs = started.elapsed().as_secs_f64();
        let done_second = visits_done(&api).await;

        println!(
            "pantau serve, SQLite, {visits} visits of {} field officers, a JPEG photo each (mean {mean_kb} KB), over loopback",
            queues.len(),
        );
        println!("run             time     visits/s  stored  already  refused  visits done on the dashboard");
        for (name, secs, s, done) in [
            ("first send", first_secs, &first, done_first),
            ("same again", second_secs, &second, done_second),
        ] {
            println!(
                "{name:<14} {secs:>6.2} s  {:>8.1}  {:>6}  {:>7}  {:>7}  {done_before} -> {done}",
                visits as f64 / secs,
                count(s, "stored"),
                count(s, "already_stored"),
                count(s, "refused"),
            );
        }
        println!("server peak memory (VmHWM): {peak:.0} MB (after start-up and reading: {idle:.0} MB)");
        let ok = visits > 0
            && count(&first, "stored") == visits
            && count(&second, "already_stored") == visits
            && done_second == done_first;
        println!(
            "the second send changed nothing: {}",
            if ok { "MET" } else { "NOT MET" }
        );
        if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    })
}
