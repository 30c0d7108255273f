//! Shared by the benchmarks that run the real `pantau` binary.
#![allow(dead_code)]

pub mod client;
#[path = "../../tests/support/mod.rs"]
pub mod support;
pub mod wrk;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// `pantau serve`, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub fn pantau(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pantau"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PANTAU_DATA_DIR", data)
        .env_remove("PANTAU_DATABASE_URL")
        .env_remove("PANTAU_CONFIG")
        .env_remove("PANTAU_BIND");
    cmd
}

/// Starts `pantau serve` on a free port and waits for its address. Without
/// its reminders: a zone's round falling due while a bench runs (07:00 on a
/// weekday) would send a million cases' emails beside what is measured.
pub fn serve(data: &Path) -> Server {
    start(data, Stdio::inherit())
}

/// [`serve`] with its log (a line per request) written to the file `log`.
pub fn serve_logging_to(data: &Path, log: &Path) -> Server {
    start(data, std::fs::File::create(log).unwrap().into())
}

fn start(data: &Path, log: Stdio) -> Server {
    let mut child = pantau(data)
        .args(["serve", "--bind", "127.0.0.1:0", "--no-reminders"])
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("pantau serve starts");
    // "pantau serve: http://127.0.0.1:PORT/ on …", among other lines.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let addr = loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("pantau serve printed no address: {seen}");
        }
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
        seen.push_str(&line);
    };
    // Keep reading what it prints, so it never waits on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Server { child, addr }
}
