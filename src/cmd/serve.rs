//! `pantau serve`: the API and the web pages on the configured database.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use pantau_server::App;
use pantau_server::tls::{self, TlsFiles};
use pantau_store::Store;

use super::remind::{MailArgs, describe, mail_links, plan, run_schedule, sender};
use super::{Sources, block_on};
use crate::config::{DbArgs, redact};

const DEFAULT_BIND: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

/// How long a send under way may take to finish once the server stops.
const SCHEDULE_GRACE: std::time::Duration = std::time::Duration::from_secs(120);

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on (default 127.0.0.1:8080; port 0: any free port, printed).
    #[arg(long, env = "PANTAU_BIND")]
    bind: Option<SocketAddr>,
    /// Do not send reminders from this process (another one runs `pantau remind`).
    #[arg(long)]
    no_reminders: bool,
    /// Behind a reverse proxy that appends the client's address to
    /// `X-Forwarded-For`: count failed sign-ins by that address, not the proxy's.
    #[arg(long, env = "PANTAU_TRUST_FORWARDED_FOR")]
    trust_forwarded_for: bool,
    /// Serve HTTPS with this certificate chain (PEM, server certificate
    /// first); read again on SIGHUP. Needs `--tls-key`.
    #[arg(long, env = "PANTAU_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM). Needs `--tls-cert`.
    #[arg(long, env = "PANTAU_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// Serve `/metrics` (Prometheus text): from loopback without a proxy,
    /// or from anywhere with `--metrics-token`.
    #[arg(long, env = "PANTAU_METRICS")]
    metrics: bool,
    /// A bearer token that may scrape `/metrics` from anywhere.
    #[arg(long, env = "PANTAU_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// When reminder sweeps run, in each region's own zone (default `0 0 7 * * MON-FRI`).
    #[arg(long, env = "PANTAU_REMINDER_SCHEDULE")]
    reminder_schedule: Option<String>,
    #[command(flatten)]
    mail: MailArgs,
    #[command(flatten)]
    sources: Sources,
}

pub fn run(args: ServeArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let at = args.sources.locate(db)?;
    let catalog = super::case::load(&at)?;
    let settings = db.settings()?;
    let serve = db.serve_file()?;
    let bind = args.bind.or(serve.bind).unwrap_or(DEFAULT_BIND);
    let tls = match (
        args.tls_cert.or(serve.tls_cert),
        args.tls_key.or(serve.tls_key),
    ) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        (None, None) => None,
        _ => anyhow::bail!("HTTPS needs both a certificate and its key (tls_cert and tls_key)"),
    };
    let metrics = args.metrics || serve.metrics.unwrap_or(false);
    let metrics_token = args.metrics_token.or(serve.metrics_token);
    anyhow::ensure!(
        metrics || metrics_token.is_none(),
        "a metrics token without metrics: turn them on with --metrics or `metrics = true` in [serve]"
    );
    let targets = db.indicator_targets()?;
    let file = db.mail_file()?;
    let links = mail_links(&args.mail, &file);
    let reminders = if args.no_reminders {
        None
    } else {
        Some((
            plan(args.reminder_schedule.clone(), &file)?,
            sender(&args.mail, &file, db, &at)?,
        ))
    };
    block_on(async {
        let store = Store::open(&settings).await?;
        let catalog = store.pinned_catalog(catalog).await?;
        let mut app =
            App::new(store.clone(), catalog, &at.templates).map_err(anyhow::Error::msg)?;
        app.trust_forwarded_for =
            args.trust_forwarded_for || serve.trust_forwarded_for.unwrap_or(false);
        app.mail_links = links;
        app.indicator_targets = std::sync::Arc::new(targets);
        if metrics {
            app.enable_metrics(metrics_token)
                .map_err(anyhow::Error::msg)?;
        }
        // Stopping, the schedule ends between ticks: a send under way finishes.
        let (halt, mut halted) = tokio::sync::watch::channel(false);
        let schedule = reminders.map(|(plan, sender)| {
            println!("{}", describe(&plan));
            let halt = async move {
                halted.changed().await.ok();
            };
            tokio::spawn(run_schedule(plan, store, app.catalog.clone(), sender, halt))
        });
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        let addr = listener.local_addr()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        println!(
            "pantau serve: {scheme}://{addr}/ on {} (ctrl-c to stop)",
            redact(&settings.url)
        );
        // First run: no user yet, so the first administrator is made in the
        // browser by a one-time link (written so that a closed stdout does
        // not stop the server).
        if let Some(link) =
            pantau_server::accounts::setup_link(&app.store, &format!("{scheme}://{addr}")).await?
        {
            use std::io::Write as _;
            let mut out = std::io::stdout();
            writeln!(
                out,
                "pantau serve: no user yet; create the first administrator at {link} (works once)"
            )
            .ok();
            out.flush().ok();
        }
        match tls {
            Some(files) => tls::serve(listener.into_std()?, app, files).await?,
            None => pantau_server::serve(listener, app).await?,
        }
        halt.send(true).ok();
        if let Some(task) = schedule
            && tokio::time::timeout(SCHEDULE_GRACE, task).await.is_err()
        {
            tracing::warn!("the reminder schedule did not stop in time; ended mid-send");
        }
        Ok(ExitCode::SUCCESS)
    })
}
