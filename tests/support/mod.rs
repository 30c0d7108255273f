//! Shared by the end-to-end tests: the binary, the repo, and skips that CI refuses.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `pantau` binary, run from the repository root.
pub fn pantau() -> Command {
    let mut c = Command::cargo_bin("pantau").expect("the pantau binary");
    c.current_dir(repo());
    c
}

/// Skips a test whose outside part is missing, saying why; under
/// `PANTAU_REQUIRE_ALL=1` (set by `.ci/run`) a skip is a failure instead.
pub fn skip(reason: &str) {
    if std::env::var("PANTAU_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("required part missing (PANTAU_REQUIRE_ALL=1): {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

/// The path of `program` on PATH, if any.
pub fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// `pantau serve` on a free loopback port over the data folder `data`,
/// with no reminder schedule and warnings only: the process and its base URL
/// (`http://127.0.0.1:PORT`, read from the line it prints with it).
pub fn serve(data: &Path) -> (std::process::Child, String) {
    let (server, base, _) = serve_lines(data, 1);
    (server, base)
}

/// [`serve`], reading `n` lines from the one with its address (the second,
/// on an empty database: the first-run setup link).
pub fn serve_lines(data: &Path, n: usize) -> (std::process::Child, String, Vec<String>) {
    serve_with(data, &["--no-reminders"], &[], n)
}

/// [`serve_lines`] with more arguments and environment variables.
pub fn serve_with(
    data: &Path,
    args: &[&str],
    envs: &[(&str, String)],
    n: usize,
) -> (std::process::Child, String, Vec<String>) {
    use std::io::{BufRead, BufReader};
    let mut server = std::process::Command::new(assert_cmd::cargo::cargo_bin("pantau"))
        .current_dir(repo())
        .env("PANTAU_DATA_DIR", data)
        .env("PANTAU_LOG", "warn")
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut lines: Vec<String> = out
        .by_ref()
        .map_while(Result::ok)
        .skip_while(|line| !line.contains("http://"))
        .take(n)
        .collect();
    lines.resize(n, String::new());
    let base = lines[0]
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("serve prints its address: {}", lines[0]))
        .trim_end_matches('/')
        .to_string();
    // Keep reading what it prints, so it never blocks on a full pipe.
    std::thread::spawn(move || out.for_each(drop));
    (server, base, lines)
}
