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
