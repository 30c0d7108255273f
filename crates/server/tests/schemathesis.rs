//! Schemathesis (from PyPI) against the served OpenAPI document: no input
//! makes the server answer 5xx, and every answer has a documented status,
//! content type, headers and schema. Its checks ([`CHECKS`]) also send each
//! request without the token (it must be refused), without a required
//! header (`Idempotency-Key`: a 4xx) and with a method the path does not
//! take (405 with an `Allow` header).
//!
//! The app runs on port 0 on a fresh database (SQLite, and PostgreSQL when
//! it answers) with the small test demo; schemathesis signs nothing in
//! itself but sends a province manager's bearer token (`pengelola.18`, who
//! may act) on every request. Its configuration, written per run, gives it
//! the ids it cannot guess (the cases, beneficiaries and programs the user
//! sees, the workflows' states and actions) as dictionaries it draws from
//! most of the time, so requests reach past "not found". Transitions and
//! uploads change the throwaway database. `DELETE /api/tokens` (which would
//! end the token of the main run) is tested in a short run of its own with
//! a token of its own. Hooks (`schemathesis_hooks.py`) make about half of
//! the transitions, uploads and file reads ones the server accepts, so
//! success answers are checked too; the test fails if none was accepted.
//! Before it, a sweep sends each awkward value (a NUL, LIKE wildcards,
//! quotes, …) once into every string parameter and JSON property of every
//! operation, as a fuzzer may miss them by chance.
//!
//! The CLI is `PANTAU_SCHEMATHESIS` (a path), else `schemathesis` on PATH,
//! else the virtual environment `.ci/run` installs it into
//! (`/opt/pantau-venv`); without it the test skips (a failure under
//! `PANTAU_REQUIRE_ALL=1`). `PANTAU_SCHEMATHESIS_EXAMPLES` (default 25 per
//! operation), `PANTAU_SCHEMATHESIS_SEED` (default fixed) and
//! `PANTAU_SCHEMATHESIS_ARGS` (more options, e.g. `--report har`) tune a run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "schemathesis/prepare.rs"]
mod prepare;
mod support;
use prepare::*;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use support::Running;

/// Where `.ci/run` installs schemathesis.
const VENV: &str = "/opt/pantau-venv";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
    response_schema_conformance,response_headers_conformance,ignored_auth,missing_required_header,\
    unsupported_method,allow_header_conformance";

fn skip(reason: &str) {
    if std::env::var("PANTAU_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("required part missing (PANTAU_REQUIRE_ALL=1): {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// The schemathesis command line program, if installed.
fn schemathesis() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PANTAU_SCHEMATHESIS") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    which("schemathesis")
        .or_else(|| Some(Path::new(VENV).join("bin/schemathesis")).filter(|p| p.is_file()))
}

/// Every page of a list endpoint, as `pengelola.18` sees it.
async fn all_items(app: &Running, token: &str, path: &str) -> Vec<Value> {
    let mut out = vec![];
    for page in 1.. {
        let (status, body) = app
            .get(token, &format!("{path}?per_page=200&page={page}"))
            .await;
        assert_eq!(status, 200, "{path}: {body}");
        let items = body["items"].as_array().unwrap().clone();
        let done = items.len() < 200;
        out.extend(items);
        if done {
            break;
        }
    }
    out
}

/// Events and files made by `pengelola.18` so far: the hooks' requests the
/// server accepted show up here.
async fn made(app: &Running) -> (i64, i64) {
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.store.connection();
    let count = |sql: &str| Statement::from_string(db.get_database_backend(), sql.to_string());
    let mut out = [0i64; 2];
    for (n, sql) in [
        "SELECT COUNT(*) FROM events WHERE actor_user = 'pengelola.18'",
        "SELECT COUNT(*) FROM attachments WHERE uploaded_by = 'pengelola.18'",
    ]
    .iter()
    .enumerate()
    {
        let row = db.query_one_raw(count(sql)).await.unwrap().unwrap();
        out[n] = row.try_get_by_index::<i64>(0).unwrap();
    }
    (out[0], out[1])
}

/// Percent-encodes everything but unreserved characters.
fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn is_string(schema: &Value) -> bool {
    match &schema["type"] {
        Value::String(t) => t == "string",
        Value::Array(ts) => ts.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// What the fuzzer may miss by chance, tried on purpose: every awkward
/// value in every string path and query parameter and every string
/// property of a JSON body of every operation in the served document (but
/// `DELETE /api/tokens`), one at a time, the rest filled in plainly. No
/// answer may be a 5xx or a status the operation does not document.
/// Returns the number of requests sent.
async fn sweep(app: &Running, token: &str, case: &str) -> usize {
    let doc: Value = app
        .http
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let resolve = |schema: &Value| -> Value {
        match schema["$ref"].as_str() {
            Some(r) => doc["components"]["schemas"][r.rsplit('/').next().unwrap()].clone(),
            None => schema.clone(),
        }
    };
    let mut sent = 0;
    let mut problems = vec![];
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if method == "delete" && path == "/api/tokens" {
                continue;
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let body = resolve(&op["requestBody"]["content"]["application/json"]["schema"]);
            let props = body["properties"].as_object().cloned().unwrap_or_default();
            // (where, name): the slots to put an awkward value into.
            let mut slots: Vec<(&str, String)> = params
                .iter()
                .filter(|p| p["in"] != "header" && is_string(&p["schema"]))
                .map(|p| {
                    (
                        p["in"].as_str().unwrap(),
                        p["name"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            slots.extend(
                props
                    .iter()
                    .filter(|(_, s)| is_string(s))
                    .map(|(n, _)| ("body", n.clone())),
            );
            for (place, name) in &slots {
                for value in support::awkward() {
                    let mut url = path.clone();
                    for p in &params {
                        if p["in"] == "path" {
                            let pname = p["name"].as_str().unwrap();
                            let v = if (*place, name.as_str()) == ("path", pname) {
                                escape(&value)
                            } else {
                                case.to_string()
                            };
                            url = url.replace(&format!("{{{pname}}}"), &v);
                        }
                    }
                    if *place == "query" {
                        url = format!("{url}?{name}={}", escape(&value));
                    }
                    let mut req = app
                        .http
                        .request(method.to_uppercase().parse().unwrap(), app.url(&url))
                        .bearer_auth(token)
                        .header("Idempotency-Key", format!("sweep-{sent}"));
                    if !props.is_empty() {
                        let mut json = serde_json::Map::new();
                        for (n, s) in &props {
                            if is_string(s) {
                                json.insert(n.clone(), "x".into());
                            }
                        }
                        if *place == "body" {
                            json.insert(name.clone(), value.clone().into());
                        }
                        req = req.json(&json);
                    }
                    let status = req.send().await.unwrap().status().as_u16();
                    sent += 1;
                    let documented = op["responses"].get(status.to_string()).is_some();
                    if status >= 500 || !documented {
                        problems.push(format!(
                            "{} {url} ({place} {name} = {value:?}): {status}",
                            method.to_uppercase()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}: awkward inputs got a 5xx or an undocumented status:\n{}",
        app.name,
        problems.join("\n")
    );
    sent
}

/// The hooks that make some requests ones the server accepts.
fn hooks() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis_hooks.py")
}

/// Runs schemathesis on `app` as the holder of `token`, at most `examples`
/// test cases per operation (phase), with `args`: a line of figures, or its
/// whole output when it fails.
fn run(
    program: &Path,
    app: &Running,
    dir: &Path,
    token: &str,
    examples: &str,
    args: &[&str],
) -> Result<String, String> {
    let extra = std::env::var("PANTAU_SCHEMATHESIS_ARGS").unwrap_or_default();
    let seed = std::env::var("PANTAU_SCHEMATHESIS_SEED").unwrap_or_else(|_| "20261123".into());
    let started = Instant::now();
    let out = Command::new(program)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_HOOKS", hooks())
        .env("PANTAU_SCHEMATHESIS_DATA", dir.join("hooks.json"))
        .arg("--config-file")
        .arg(dir.join("schemathesis.toml"))
        .arg("run")
        .arg(app.url("/api/openapi.json"))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", CHECKS])
        .args(["--max-examples", examples])
        .args(["--seed", &seed])
        .args(["--workers", "2"])
        .args(["--request-timeout", "20"])
        .args(["--generation-database", "none"])
        .arg("--no-color")
        .args(args)
        .args(extra.split_whitespace())
        .output()
        .expect("schemathesis starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let took = started.elapsed().as_secs();
    if !out.status.success() {
        return Err(format!(
            "schemathesis {args:?} found problems on {} (seed {seed}, {took} s):\n{text}",
            app.name
        ));
    }
    let cases = text
        .lines()
        .skip_while(|l| !l.starts_with("Test cases:"))
        .nth(1)
        .unwrap_or("")
        .trim();
    // Its warnings (e.g. an operation that only answered 401) are kept in
    // the log: they say where the run reached less far than it should.
    let warnings: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("= WARNINGS ="))
        .skip(1)
        .take_while(|l| !l.contains("= SUMMARY ="))
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut line = format!("schemathesis {args:?} on {}: {cases} in {took} s", app.name);
    if !warnings.is_empty() {
        line.push_str(&format!(", warnings:\n{}", warnings.join("\n")));
    }
    Ok(line)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_undocumented_answer() {
    let Some(program) = schemathesis() else {
        skip(&format!(
            "schemathesis not found (PANTAU_SCHEMATHESIS, PATH, {VENV}/bin): \
             python3 -m venv {VENV} && {VENV}/bin/pip install schemathesis"
        ));
        return;
    };
    let examples = std::env::var("PANTAU_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "25".into());
    for app in support::apps().await {
        let dir = tempfile::tempdir().unwrap();
        let token = app.token("pengelola.18").await;
        prepare(&app, &token, dir.path()).await;
        let case = all_items(&app, &token, "/api/cases").await[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let swept = sweep(&app, &token, &case).await;
        eprintln!("{}: {swept} awkward requests, no 5xx", app.name);
        let before = made(&app).await;
        // Signing out ends the token it is sent with: that operation gets a
        // short run with a token of its own.
        let own = app.token("pengelola.18").await;
        let (program, examples) = (program.clone(), examples.clone());
        let (outcome, app) = tokio::task::spawn_blocking(move || {
            let every = ["--exclude-operation-id", "revoke_token"];
            let outcome =
                run(&program, &app, dir.path(), &token, &examples, &every).and_then(|first| {
                    let revoke = ["--include-operation-id", "revoke_token"];
                    let second = run(&program, &app, dir.path(), &own, "5", &revoke)?;
                    Ok(format!("{first}\n{second}"))
                });
            (outcome, app)
        })
        .await
        .unwrap();
        match outcome {
            Ok(figures) => eprintln!("{figures}"),
            Err(report) => panic!("{report}"),
        }
        let after = made(&app).await;
        eprintln!(
            "schemathesis on {}: {} events and {} files accepted",
            app.name,
            after.0 - before.0,
            after.1 - before.1
        );
        assert!(
            after.0 > before.0,
            "{}: no transition or opening sent by schemathesis was accepted",
            app.name
        );
    }
}
