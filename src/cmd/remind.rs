//! `pantau remind`: each zone's reminder round and the sending of the
//! outbox, once or on the schedule (`pantau_remind`); `pantau outbox
//! list|resend` for an operator to see what waits and bring parked emails back.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use pantau_domain::Zone;
use pantau_notify::{Security, Templates, Transport};
use pantau_remind::plan::ZONES;
use pantau_remind::{Fixed, Plan, Rounds, Runner, Sender, SystemClock, Work};
use pantau_store::Store;
use pantau_store::outbox::{Links, Resend};
use pantau_workflow::Catalog;

use super::{Located, Sources, block_on};
use crate::config::{DbArgs, MailFile};

/// How emails leave: SMTP when a host is set, else `.eml` files in the data folder.
#[derive(Debug, Clone, clap::Args)]
pub struct MailArgs {
    #[arg(long, env = "PANTAU_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "PANTAU_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// none, starttls (default) or tls.
    #[arg(long, env = "PANTAU_SMTP_SECURITY")]
    smtp_security: Option<String>,
    #[arg(long, env = "PANTAU_SMTP_USER")]
    smtp_user: Option<String>,
    #[arg(long, env = "PANTAU_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// The sender, e.g. "Pantau Diskop UKM Lampung <pantau@example.go.id>".
    #[arg(long, env = "PANTAU_MAIL_FROM")]
    mail_from: Option<String>,
    /// Where links in emails point.
    #[arg(long, env = "PANTAU_BASE_URL")]
    base_url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RemindArgs {
    /// Run every zone's round and one send, then stop (default: run on the schedule until stopped).
    #[arg(long)]
    once: bool,
    /// The time to sweep at (default: now), e.g. 2026-11-24T00:00:00Z.
    #[arg(long)]
    now: Option<DateTime<Utc>>,
    /// When rounds run, in each zone's own time (default `0 0 7 * * MON-FRI`, weekdays 07:00).
    #[arg(long, env = "PANTAU_REMINDER_SCHEDULE")]
    schedule: Option<String>,
    #[command(flatten)]
    mail: MailArgs,
    #[command(flatten)]
    sources: Sources,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCmd {
    /// Emails in the outbox, newest first, with their state, the next try and the last error.
    List {
        /// queued, leased (a sender holds it), failed (parked), sent, held (for a digest) or digested.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Put parked emails back in the queue: by id, every failed one (`--failed`,
    /// optionally of one `--day`), or those leased by a sender known to have stopped (`--leased`).
    Resend {
        ids: Vec<String>,
        #[arg(long, conflicts_with_all = ["ids", "leased"])]
        failed: bool,
        /// With --failed: only those queued on this day (in --zone), e.g. 2026-11-24.
        #[arg(long, requires = "failed")]
        day: Option<NaiveDate>,
        #[arg(long, default_value = "WIB")]
        zone: Zone,
        #[arg(long, conflicts_with_all = ["ids", "failed"])]
        leased: bool,
    },
}

/// Where the links of emails point, when mail goes out over SMTP (a host
/// set): the server then sends password links by email.
pub fn mail_links(mail: &MailArgs, file: &MailFile) -> Option<String> {
    mail.smtp_host.as_ref().or(file.smtp_host.as_ref())?;
    Some(
        mail.base_url
            .clone()
            .or(file.base_url.clone())
            .unwrap_or_else(|| "http://127.0.0.1:8080".into()),
    )
}

/// The sender from the flags, the environment and `pantau.toml`.
pub fn sender(
    mail: &MailArgs,
    file: &MailFile,
    db: &DbArgs,
    at: &Located,
) -> anyhow::Result<Sender> {
    let host = mail.smtp_host.clone().or(file.smtp_host.clone());
    let transport = match host {
        Some(host) => {
            let security = match mail
                .smtp_security
                .clone()
                .or(file.smtp_security.clone())
                .as_deref()
                .unwrap_or("starttls")
            {
                "none" => Security::None,
                "starttls" => Security::StartTls,
                "tls" => Security::Tls,
                other => {
                    return Err(anyhow!(
                        "smtp security must be none, starttls or tls, not `{other}`"
                    ));
                }
            };
            let user = mail.smtp_user.clone().or(file.smtp_user.clone());
            let password = mail
                .smtp_password
                .clone()
                .or(file.smtp_password.clone())
                .unwrap_or_default();
            Transport::Smtp {
                host,
                port: mail.smtp_port.or(file.smtp_port).unwrap_or(587),
                security,
                credentials: user.map(|u| (u, password)),
                timeout: pantau_remind::sender::SEND_TIMEOUT,
            }
        }
        None => Transport::Files {
            dir: db.data_dir_path()?.join("outbox"),
        },
    };
    let dir = at.templates.join("email");
    Ok(Sender {
        transport,
        from: mail
            .mail_from
            .clone()
            .or(file.from.clone())
            .unwrap_or_else(|| "Pantau <pantau@localhost>".into()),
        links: Links {
            base_url: mail
                .base_url
                .clone()
                .or(file.base_url.clone())
                .unwrap_or_else(|| "http://127.0.0.1:8080".into()),
        },
        templates: Templates::load(&dir)
            .with_context(|| format!("email templates in {}", dir.display()))?,
    })
}

/// The schedule from the flag, else the settings file, else weekdays 07:00.
pub fn plan(flag: Option<String>, file: &MailFile) -> anyhow::Result<Plan> {
    let expr = flag
        .or(file.reminder_schedule.clone())
        .unwrap_or_else(|| "0 0 7 * * MON-FRI".into());
    Plan::new(&expr).map_err(anyhow::Error::msg)
}

/// What the schedule says when it starts.
pub fn describe(plan: &Plan) -> String {
    format!(
        "reminders: each zone's round on `{}` in its own time (WIB, WITA, WIT); notices and retries every minute",
        plan.expr()
    )
}

/// Runs the schedule on `store` until `halt`: between ticks at once, during
/// a send after the email under way (the rest stay queued for the next sender).
pub async fn run_schedule(
    plan: Plan,
    store: Store,
    catalog: Arc<Catalog>,
    sender: Sender,
    halt: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let stopping = Arc::new(AtomicBool::new(false));
    let (told, heard) = tokio::sync::oneshot::channel::<()>();
    let flag = stopping.clone();
    tokio::spawn(async move {
        halt.await;
        flag.store(true, Ordering::SeqCst);
        told.send(()).ok();
    });
    let runner = Runner {
        plan,
        clock: SystemClock,
        work: Rounds {
            store,
            catalog,
            sender,
            clock: SystemClock,
            stopping,
        },
    };
    runner
        .run_until_halted(
            None,
            |now, line| {
                println!("{} {line}", now.format("%Y-%m-%d %H:%M:%S UTC"));
            },
            async {
                heard.await.ok();
            },
        )
        .await;
}

pub fn run(args: RemindArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let file = db.mail_file()?;
    let at = args.sources.locate(db)?;
    let sender = sender(&args.mail, &file, db, &at)?;
    let store = block_on(Store::open(&db.settings()?))?;
    let catalog = Arc::new(super::catalog_for(&store, &at)?);
    if let Transport::Files { dir } = &sender.transport {
        println!(
            "no SMTP server set (PANTAU_SMTP_HOST): emails are written to {}",
            dir.display()
        );
    }
    let plan = plan(args.schedule.clone(), &file)?;
    if !args.once {
        println!("{}", describe(&plan));
        block_on(run_schedule(
            plan,
            store,
            catalog,
            sender,
            pantau_server::stop_signal(),
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let now = args.now.unwrap_or_else(Utc::now);
    let work = Rounds {
        store,
        catalog,
        sender,
        clock: Fixed(now),
        stopping: Default::default(),
    };
    block_on(async {
        for zone in ZONES {
            println!("{zone} round: {}", work.round(zone, now).await?);
        }
        let line = work.tick(now).await?;
        println!("{}", line.unwrap_or_else(|| "nothing to send".into()));
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn outbox(cmd: OutboxCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let store = block_on(Store::open(&db.settings()?))?;
    let now = Utc::now();
    match cmd {
        OutboxCmd::List { status, limit } => {
            for r in block_on(store.outbox(status.as_deref(), limit, now))? {
                let next = match (r.state.as_str(), r.next) {
                    ("leased", Some(t)) => {
                        format!("  lease ends {}", t.format("%Y-%m-%d %H:%M UTC"))
                    }
                    ("queued", Some(t)) => format!("  next try {}", t.format("%Y-%m-%d %H:%M UTC")),
                    _ => String::new(),
                };
                let error = r
                    .last_error
                    .as_deref()
                    .map(|e| format!("\n    last error: {e}"))
                    .unwrap_or_default();
                println!(
                    "{}  {:<9} {:<22} to {:<18} attempts {}  {}{next}{error}",
                    r.id,
                    r.state,
                    r.template,
                    r.to_user.unwrap_or_default(),
                    r.attempts,
                    r.created_at.format("%Y-%m-%d %H:%M"),
                );
            }
            let (queued, leased, failed) = block_on(store.outbox_counts(now))?;
            println!("{queued} queued, {leased} leased, {failed} failed");
            Ok(ExitCode::SUCCESS)
        }
        OutboxCmd::Resend {
            ids,
            failed,
            day,
            zone,
            leased,
        } => {
            let which = match (failed, leased) {
                (true, _) => Resend::Failed {
                    day: day.map(|d| (d, zone)),
                },
                (_, true) => Resend::Leased,
                _ if ids.is_empty() => {
                    return Err(anyhow!(
                        "name the emails to resend, or --failed [--day YYYY-MM-DD], or --leased"
                    ));
                }
                _ => Resend::Ids(ids),
            };
            let n = block_on(store.resend(&which, now))?;
            println!("{n} email(s) queued again");
            Ok(ExitCode::from(if n == 0 { 1 } else { 0 }))
        }
    }
}
