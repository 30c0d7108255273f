//! The workload: the repeating commands, the cases they run on, the
//! lanes of concurrent clients, and the store's own transactions.

use std::future::Future;

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use pantau_domain::Role;
use pantau_store::{Opening, Outcome, Store};
use pantau_workflow::{Actor, Command, Context};

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap()
}

pub(super) fn cx(step: u32, role: Role) -> Context {
    Context {
        now: t0() + TimeDelta::minutes(i64::from(step) + 1),
        actor: Actor {
            user: "bench".into(),
            role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

/// The repeating pattern, by step number since opening: submit →
/// start_verification → request_revision (notifies: an outbox row) → submit …
pub(super) fn command(case_id: &str, step: u32) -> (Role, Command) {
    let (role, action, inputs): (Role, &str, &[(&str, &str)]) = match step % 3 {
        0 => (
            Role::ManagerRegency,
            "submit",
            &[
                ("amount_requested", "Rp 150.000.000"),
                ("proposal_doc", "usulan.pdf"),
                ("in_craft_centre", "ya"),
            ],
        ),
        1 => (Role::Verifier, "start_verification", &[]),
        _ => (
            Role::Verifier,
            "request_revision",
            &[("reason", "lengkapi akta pendirian")],
        ),
    };
    let cmd = Command {
        observed_at: None,
        key: format!("{case_id}:{step}"),
        action: action.into(),
        inputs: inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    (role, cmd)
}

/// (body kind, action, from, to) of the hand-written transaction at `step`, matching [`command`].
pub(super) fn hand_step(step: u32) -> (usize, &'static str, &'static str, &'static str) {
    match step % 3 {
        0 if step == 0 => (0, "submit", "draft", "submitted"),
        0 => (0, "submit", "revision_requested", "submitted"),
        1 => (1, "start_verification", "submitted", "in_verification"),
        _ => (
            2,
            "request_revision",
            "in_verification",
            "revision_requested",
        ),
    }
}

/// Opens `count` cases named `{prefix}-{i}`, 4 at a time. Not timed.
pub(super) async fn open_cases(
    store: &Store,
    f: &Arc<Fixture>,
    prefix: &str,
    count: usize,
) -> Vec<String> {
    let ids: Vec<String> = (0..count).map(|i| format!("{prefix}-{i}")).collect();
    let chunks: Vec<Vec<String>> = ids
        .chunks(count.div_ceil(4).max(1))
        .map(<[String]>::to_vec)
        .collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let (store, f) = (store.clone(), f.clone());
        tasks.push(tokio::spawn(async move {
            let def = f.catalog.latest("bansos").unwrap();
            for id in chunk {
                let o = Opening {
                    case_id: id.clone(),
                    program_id: None,
                    beneficiary_id: None,
                    key: format!("open:{id}"),
                    region: Some("18.71".into()),
                    definition: def,
                    source: &f.source,
                };
                let out = store
                    .open_case(&o, &cx(0, Role::ManagerRegency))
                    .await
                    .unwrap_or_else(|e| panic!("opening {id}: {e}"));
                assert!(matches!(out, Outcome::Applied { .. }), "{id} opened twice");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    ids
}

/// One client's cases, where each stands, and how many commands it committed.
pub(super) struct Lane {
    pub(super) cases: Vec<(String, u32)>,
    pub(super) next: usize,
    pub(super) done: usize,
}

impl Lane {
    pub(super) fn new(ids: &[String]) -> Lane {
        Lane {
            cases: ids.iter().map(|id| (id.clone(), 0)).collect(),
            next: 0,
            done: 0,
        }
    }

    /// `ids` split into one lane per client.
    pub(super) fn split(ids: &[String], clients: usize) -> Vec<Lane> {
        let lanes: Vec<Lane> = ids
            .chunks(ids.len().div_ceil(clients))
            .map(Lane::new)
            .collect();
        assert_eq!(lanes.len(), clients, "too few cases for {clients} clients");
        lanes
    }

    /// The next case, round-robin, and its step number (then advanced).
    pub(super) fn take(&mut self) -> (String, u32) {
        let i = self.next % self.cases.len();
        self.next += 1;
        let (id, step) = &mut self.cases[i];
        let out = (id.clone(), *step);
        *step += 1;
        out
    }

    /// Whether to go on after `done` commands: up to `n`, and until `until`.
    pub(super) fn more(&self, n: usize, until: Option<Instant>) -> bool {
        self.done < n && until.is_none_or(|t| Instant::now() < t)
    }
}

/// What one measurement took: wall time, commands committed, and the CPU
/// time this process used meanwhile (on SQLite that includes SQLite's work).
pub(super) struct Took {
    pub(super) wall: Duration,
    pub(super) done: usize,
    pub(super) cpu: Option<Duration>,
}

impl Took {
    pub(super) fn rate(&self) -> f64 {
        self.done as f64 / self.wall.as_secs_f64()
    }

    pub(super) fn cpu_us_per_tx(&self) -> Option<f64> {
        self.cpu
            .map(|c| c.as_secs_f64() * 1e6 / self.done.max(1) as f64)
    }
}

/// Runs `work` once per lane, concurrently, until all finished.
pub(super) async fn timed<Fut>(lanes: Vec<Lane>, work: impl Fn(Lane) -> Fut) -> (Vec<Lane>, Took)
where
    Fut: Future<Output = Lane> + Send + 'static,
{
    let cpu0 = bench::cpu_time();
    let start = Instant::now();
    let tasks: Vec<_> = lanes
        .into_iter()
        .map(|mut l| {
            l.done = 0;
            tokio::spawn(work(l))
        })
        .collect();
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.unwrap());
    }
    let wall = start.elapsed();
    let cpu = cpu0
        .zip(bench::cpu_time())
        .map(|(a, b)| b.saturating_sub(a));
    let done = out.iter().map(|l| l.done).sum();
    (out, Took { wall, done, cpu })
}

pub(super) async fn store_work(
    store: Store,
    f: Arc<Fixture>,
    mut lane: Lane,
    n: usize,
    until: Option<Instant>,
) -> Lane {
    while lane.more(n, until) {
        let (id, step) = lane.take();
        let (role, cmd) = command(&id, step);
        match store
            .apply(&f.catalog, &id, &cmd, &cx(step, role), None)
            .await
        {
            Ok(Outcome::Applied { .. }) => lane.done += 1,
            other => panic!("{id} {}: {other:?}", cmd.action),
        }
    }
    lane
}
