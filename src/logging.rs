//! Logs: `tracing` events on standard error, chosen by `PANTAU_LOG` (or
//! `RUST_LOG`) in `tracing`'s filter syntax, e.g. `PANTAU_LOG=info` or
//! `PANTAU_LOG=warn,pantau_store=trace`. When neither is set: warnings and
//! errors, and for `serve` also Pantau's own `info` (a line per request,
//! sign-ins, rounds, sends). Human-readable lines, or one JSON object per
//! line with `PANTAU_LOG_FORMAT=json`.

use tracing_subscriber::EnvFilter;

/// What `serve` logs when nothing is set.
const SERVING: &str = "warn,pantau=info,pantau_server=info,pantau_remind=info,pantau_store=info";

/// Installs the subscriber for this process; `serving` for `pantau serve`.
pub fn init(serving: bool) {
    let filter = ["PANTAU_LOG", "RUST_LOG"]
        .iter()
        .find_map(|var| EnvFilter::try_from_env(var).ok())
        .unwrap_or_else(|| EnvFilter::new(if serving { SERVING } else { "warn" }));
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
