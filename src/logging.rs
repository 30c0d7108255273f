//! Logs: `tracing` events on standard error, chosen by `PANTAU_LOG` (or
//! `RUST_LOG`) in `tracing`'s filter syntax, e.g. `PANTAU_LOG=info` or
//! `PANTAU_LOG=warn,pantau_store=trace`; warnings and errors when neither is
//! set. Human-readable lines, or one JSON object per line with
//! `PANTAU_LOG_FORMAT=json`.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber for this process.
pub fn init() {
    let filter = ["PANTAU_LOG", "RUST_LOG"]
        .iter()
        .find_map(|var| EnvFilter::try_from_env(var).ok())
        .unwrap_or_else(|| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let json = std::env::var("PANTAU_LOG_FORMAT").is_ok_and(|f| f == "json");
    // A second subscriber (in tests that call this twice) is refused; the first stays.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
