//! A real SMTP server on loopback for tests (`crates/notify/tests/smtp_server.py`,
//! Debian's python3-aiosmtpd), counting what arrived. Shared by the notify,
//! remind and end-to-end tests (included with `#[path]`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PYTHON: &str = "/usr/bin/python3";

/// The server, stopped when dropped; what arrived is in `dir`.
pub struct Smtp {
    child: Child,
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn script() -> PathBuf {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    while !dir.join("crates/notify/tests/smtp_server.py").is_file() && dir.pop() {}
    dir.join("crates/notify/tests/smtp_server.py")
}

impl Smtp {
    /// Starts a server that answers at once, or says why it cannot: a skip,
    /// which `PANTAU_REQUIRE_ALL=1` (set by `.ci/run`) turns into a failure.
    pub fn start() -> Option<Smtp> {
        Smtp::slow(Duration::ZERO)
    }

    /// A server that takes `delay` to accept each message.
    pub fn slow(delay: Duration) -> Option<Smtp> {
        let importable = Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !importable {
            let reason =
                format!("{PYTHON} cannot import aiosmtpd (apt-get install python3-aiosmtpd)");
            if std::env::var("PANTAU_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                panic!("required part missing (PANTAU_REQUIRE_ALL=1): {reason}");
            }
            eprintln!("SKIPPED: {reason}");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let stderr = std::fs::File::create(dir.path().join("stderr")).unwrap();
        let mut child = Command::new(PYTHON)
            .arg(script())
            .arg(dir.path())
            .arg(delay.as_secs_f64().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(p) = std::fs::read_to_string(dir.path().join("port"))
                && let Ok(port) = p.trim().parse()
            {
                return Some(Smtp { child, dir, port });
            }
            let log = || std::fs::read_to_string(dir.path().join("stderr")).unwrap_or_default();
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the SMTP server stopped ({status}): {}", log());
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP server did not start: {}",
                log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Message-ID → how many times it arrived.
    pub fn arrived(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for e in std::fs::read_dir(self.dir.path()).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "eml") {
                let text = std::fs::read_to_string(&p).unwrap();
                let id = text
                    .lines()
                    .find_map(|l| l.strip_prefix("Message-ID: "))
                    .unwrap_or_default()
                    .to_string();
                *out.entry(id).or_default() += 1;
            }
        }
        out
    }

    /// The records the server wrote (`NNNN.json`), in arrival order.
    pub fn records(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }
}

/// A loopback port nothing listens on.
pub fn dead_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
