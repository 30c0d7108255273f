//! Delivery: emails queued by sweeps, then sent to the loopback SMTP
//! server of crates/notify's tests as `pantau remind` sends them.

use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use super::*;
use chrono::Utc;
use pantau_domain::{Lang, Zone};
use pantau_notify::{Message, Security, SendError, Templates, Transport};
use pantau_workflow::Catalog;

/// The loopback SMTP server of crates/notify's tests, writing into a folder of its own.
pub(super) struct SmtpServer {
    pub(super) child: Child,
    pub(super) dir: tempfile::TempDir,
    pub(super) port: u16,
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

pub(super) struct DeliveryRow {
    pub(super) backend: Backend,
    pub(super) queued: usize,
    pub(super) sent: usize,
    pub(super) failed: usize,
    pub(super) received: usize,
    pub(super) connections: usize,
    pub(super) wall: Duration,
    pub(super) claim: Duration,
    pub(super) render: Duration,
    pub(super) send: Duration,
    pub(super) mark: Duration,
}

/// Queues `n` emails with sweeps, then sends them as `pantau remind` does, timed.
pub(super) async fn delivery(
    backend: Backend,
    catalog: &Catalog,
    n: usize,
) -> Result<DeliveryRow, String> {
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
                    let mut ctx: serde_json::Value = serde_json::from_str(&row.payload).unwrap();
                    // As the sender adds it: every footer links the profile page.
                    ctx["profile"] = "http://127.0.0.1:8080/profil".into();
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
