//! `pantau case`, `pantau audit verify` and crash safety, through the real
//! binary on a fresh SQLite file and a fresh PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/db.rs"]
mod db;
#[path = "store_cli/races.rs"]
mod races;
mod support;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::repo;

const PROGRAMS: [&str; 6] = [
    "bansos",
    "perkuatan_permodalan",
    "revitalisasi_pasar",
    "pkl",
    "wirausaha_pemula",
    "plut",
];

/// One step of a shipped simulation script.
#[derive(Debug, Clone)]
struct Step {
    program: &'static str,
    action: String,
    role: String,
    user: String,
    key: String,
    inputs: Vec<String>,
    expect: Option<String>,
}

fn steps(program: &'static str) -> Vec<Step> {
    let text =
        std::fs::read_to_string(repo().join(format!("workflows/simulations/{program}.toml")))
            .unwrap();
    let script: toml::Table = toml::from_str(&text).unwrap();
    let text_of = |v: &toml::Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    script["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.as_table().unwrap();
            let role = s["role"].as_str().unwrap().to_string();
            Step {
                program,
                action: s["action"].as_str().unwrap().into(),
                user: s
                    .get("user")
                    .and_then(|u| u.as_str())
                    .unwrap_or(&role)
                    .to_string(),
                role,
                key: s
                    .get("key")
                    .and_then(|k| k.as_str())
                    .map_or_else(|| format!("{program}-step-{}", i + 1), str::to_string),
                inputs: s
                    .get("inputs")
                    .and_then(|t| t.as_table())
                    .map_or_else(Vec::new, |t| {
                        t.iter()
                            .map(|(k, v)| format!("{k}={}", text_of(v)))
                            .collect()
                    }),
                expect: s.get("expect").and_then(|e| e.as_str()).map(str::to_string),
            }
        })
        .collect()
}

/// `pantau` against the database at `url`.
fn cli(url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pantau"));
    c.current_dir(repo())
        .env("PANTAU_DATABASE_URL", url)
        .env_remove("PANTAU_DATA_DIR")
        .stdin(Stdio::null());
    c
}

/// Where the scripts' cases are opened: their officers work in Kota Bandar Lampung.
const REGION: &str = "18.71";

fn step_args(step: &Step, case: &str) -> Vec<String> {
    let mut args = if step.action == "open" {
        vec![
            "case".into(),
            "create".into(),
            step.program.into(),
            "--region".into(),
            REGION.into(),
        ]
    } else {
        let mut a = vec![
            "case".into(),
            "apply".into(),
            case.into(),
            step.action.clone(),
        ];
        a.extend(step.inputs.iter().map(|i| with_photo(step.program, i)));
        a
    };
    args.extend([
        "--as".into(),
        step.role.clone(),
        "--user".into(),
        step.user.clone(),
        "--key".into(),
        step.key.clone(),
    ]);
    args
}

/// A photo answer of a script (`photo=foto-gudang-kud.jpg`) as the officer
/// sends it: a picture of its own, taken now, uploaded with the answer
/// (`photo=@FILE`). Other answers as written.
fn with_photo(program: &str, input: &str) -> String {
    use pantau_photo::samples;
    let Some((name, file)) = input.split_once('=').filter(|(_, v)| v.ends_with(".jpg")) else {
        return input.to_string();
    };
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().unwrap());
    let path = dir.path().join(format!("{program}-{file}"));
    if !path.exists() {
        let seed = format!("{program}{file}")
            .bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        let taken = (chrono::Utc::now() + chrono::TimeDelta::hours(7)).format("%Y:%m:%d %H:%M:%S");
        let bytes = samples::jpeg(
            &samples::scene(seed, 160, 120),
            80,
            Some(&taken.to_string()),
        );
        std::fs::write(&path, bytes).unwrap();
    }
    format!("{name}=@{}", path.display())
}

/// Adds the field officers the scripts assign, in [`REGION`].
fn add_officers(url: &str) {
    let mut officers: Vec<String> = PROGRAMS
        .iter()
        .flat_map(|p| steps(p))
        .flat_map(|s| s.inputs)
        .filter_map(|i| i.strip_prefix("officer=").map(str::to_string))
        .collect();
    officers.sort();
    officers.dedup();
    for login in officers {
        let out = cli(url)
            .args([
                "user",
                "add",
                &login,
                "--name",
                &login,
                "--role",
                "field_officer",
            ])
            .args([
                "--email",
                &format!("{login}@example.go.id"),
                "--region",
                REGION,
            ])
            .env("PANTAU_PASSWORD", "kata-sandi-petugas-2026")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn case_id(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("case: "))
        .expect("a case id")
        .to_string()
}

fn show_json(url: &str, case: &str) -> serde_json::Value {
    let out = cli(url)
        .args(["case", "show", case, "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipped_workflow_runs_end_to_end_through_the_cli() {
    for t in db::test_databases().await {
        add_officers(&t.url);
        for program in PROGRAMS {
            let mut case = String::new();
            for step in steps(program) {
                // Refusals that depend on the script's allocation or clock are the simulator's to show.
                if step.expect.as_deref() == Some("refused") {
                    continue;
                }
                let out = cli(&t.url).args(step_args(&step, &case)).output().unwrap();
                assert!(
                    out.status.success(),
                    "{} {program} {}: {}",
                    t.name,
                    step.action,
                    text(&out)
                );
                if step.action == "open" {
                    case = case_id(&out);
                }
                if step.expect.as_deref() == Some("duplicate") {
                    assert!(
                        text(&out).contains("already applied as event #"),
                        "{}",
                        text(&out)
                    );
                }
            }
            let shown = show_json(&t.url, &case);
            assert_eq!(shown["case"]["state"], "closed", "{} {program}", t.name);
        }
        let out = cli(&t.url).args(["audit", "verify"]).output().unwrap();
        assert!(
            out.status.success() && text(&out).contains("every chain intact"),
            "{}",
            text(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_an_edited_event() {
    use sea_orm::ConnectionTrait;
    for t in db::test_databases().await {
        add_officers(&t.url);
        let s = steps("bansos");
        let out = cli(&t.url).args(step_args(&s[0], "")).output().unwrap();
        let case = case_id(&out);
        let submit = s
            .iter()
            .find(|x| x.action == "submit" && x.expect.as_deref() == Some("applied"))
            .unwrap();
        assert!(
            cli(&t.url)
                .args(step_args(submit, &case))
                .output()
                .unwrap()
                .status
                .success()
        );
        let conn = sea_orm::Database::connect(t.url.as_str()).await.unwrap();
        conn.execute_unprepared(&format!("UPDATE events SET body = REPLACE(body, '150000000', '950000000') WHERE case_id = '{case}' AND seq = 2")).await.unwrap();
        let out = cli(&t.url).args(["audit", "verify"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}: {}", t.name, text(&out));
        assert!(
            text(&out).contains(&format!("case {case} event 2")),
            "{}",
            text(&out)
        );
    }
}

/// When to kill a command.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// This long after it starts.
    After(Duration),
    /// This long after it says (on its trace log) that its transaction began.
    InTransaction(Duration),
    /// Never: let it finish.
    Never,
}

/// What became of a command: its output when it finished, else whether
/// it had begun its transaction when it was killed.
enum Ran {
    Finished(Output),
    Killed { began: bool },
}

/// Runs `args` with the store's trace log on standard error, killing the
/// process (SIGKILL) as `kill` says if it is still running.
fn run_or_kill(url: &str, args: &[String], kill: Kill) -> Ran {
    use std::io::BufRead as _;
    let mut child = cli(url)
        .args(args)
        .env("PANTAU_LOG", "warn,pantau_store=trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            tx.send(line.clone()).ok();
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let begun = |l: &String| l.contains("transaction begun");
    let started = Instant::now();
    let mut seen_begun = false;
    let mut deadline = match kill {
        Kill::After(d) => Some(started + d),
        Kill::InTransaction(_) | Kill::Never => None,
    };
    loop {
        if child.try_wait().unwrap().is_some() {
            let status = child.wait().unwrap();
            let mut stdout = String::new();
            std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
            let stderr = reader.join().unwrap();
            return Ran::Finished(Output {
                status,
                stdout: stdout.into_bytes(),
                stderr: stderr.into_bytes(),
            });
        }
        while let Ok(line) = rx.try_recv() {
            if begun(&line) && !seen_begun {
                seen_begun = true;
                if let Kill::InTransaction(d) = kill {
                    deadline = Some(Instant::now() + d);
                }
            }
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            let rest = reader.join().unwrap();
            let began = seen_begun || rest.lines().any(|l| l.contains("transaction begun"));
            return Ran::Killed { began };
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// Where the kills of a run landed.
#[derive(Debug, Default)]
struct Landings {
    /// Before the command began its transaction.
    before: usize,
    /// Inside it: nothing of it was kept.
    inside: usize,
    /// After its commit, before it could say so: kept, and found by the retry.
    after_commit: usize,
}
