//! `pantau remind`: sweep what fell due into the outbox and send it;
//! `pantau outbox list|resend` for what could not be sent.

use std::process::ExitCode;
use std::time::Duration as StdDuration;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Duration, Utc};
use clap::Subcommand;
use pantau_domain::{Lang, Zone};
use pantau_notify::{Message, Security, SendError, Templates, Transport};
use pantau_store::Store;
use pantau_store::remind::{Links, recipient};
use pantau_workflow::Catalog;

use super::{Sources, block_on};
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
    /// Run one sweep and one send, then stop (default: run on the schedule until stopped).
    #[arg(long)]
    once: bool,
    /// The time to sweep at (default: now), e.g. 2026-11-24T00:00:00Z.
    #[arg(long)]
    now: Option<DateTime<Utc>>,
    /// When sweeps run, in each region's own zone (default `0 0 7 * * MON-FRI`, weekdays 07:00).
    #[arg(long, env = "PANTAU_REMINDER_SCHEDULE")]
    schedule: Option<String>,
    #[command(flatten)]
    mail: MailArgs,
    #[command(flatten)]
    sources: Sources,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCmd {
    /// Emails in the outbox, newest first.
    List {
        /// queued, sent, failed, held (for a digest) or digested.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// Put a failed email back in the queue.
    Resend { id: String },
}

/// Attempts before an email is parked as failed.
const MAX_ATTEMPTS: i32 = 8;

pub struct Sender {
    transport: Transport,
    from: String,
    links: Links,
    templates: Templates,
}

impl Sender {
    pub fn new(
        mail: &MailArgs,
        file: &MailFile,
        db: &DbArgs,
        sources: &Sources,
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
                    timeout: StdDuration::from_secs(30),
                }
            }
            None => Transport::Files {
                dir: db.data_dir()?.join("outbox"),
            },
        };
        let dir = sources.templates_dir(&sources.dir).join("email");
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

    /// Sends what is ready; returns (sent, to retry, failed).
    async fn send(
        &self,
        store: &Store,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(usize, usize, usize)> {
        let (mut sent, mut retry, mut failed) = (0, 0, 0);
        // A server that is down fails every message transiently: each is retried with back-off.
        let mailer = self.transport.mailer().await;
        loop {
            let rows = store.claim(now, 50, Duration::minutes(5)).await?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                let result = match self.message(store, &row).await {
                    Ok(msg) => match &mailer {
                        Ok(m) => m.send(&msg).await,
                        Err(e) => Err(e.clone()),
                    },
                    Err(e) => Err(SendError::Permanent(e.to_string())),
                };
                match result {
                    Ok(()) => {
                        store.mark_sent(&row.id, Utc::now()).await?;
                        sent += 1;
                    }
                    Err(e) => {
                        let permanent = matches!(e, SendError::Permanent(_));
                        if store
                            .mark_failed(&row, &e.to_string(), permanent, MAX_ATTEMPTS, now)
                            .await?
                        {
                            failed += 1;
                        } else {
                            retry += 1;
                        }
                    }
                }
            }
        }
        if let Ok(m) = mailer {
            m.shutdown().await;
        }
        Ok((sent, retry, failed))
    }

    async fn message(
        &self,
        store: &Store,
        row: &pantau_store::entity::outbox::Model,
    ) -> anyhow::Result<Message> {
        let user = recipient(store.connection(), row)
            .await?
            .ok_or_else(|| anyhow!("no recipient for {}", row.id))?;
        let ctx: serde_json::Value = serde_json::from_str(&row.payload)?;
        let lang: Lang = row.lang.parse().unwrap_or_default();
        Ok(Message {
            id: row.id.parse()?,
            to: (user.name, user.email),
            from: self.from.clone(),
            date: row.created_at,
            rendered: self.templates.render(&row.template, lang, &ctx)?,
        })
    }
}

/// One sweep (optionally of one zone), the digests, the monthly reports
/// due, and one send.
async fn round(
    store: &Store,
    catalog: &Catalog,
    sender: &Sender,
    now: DateTime<Utc>,
    zone: Option<Zone>,
) -> anyhow::Result<String> {
    let swept = store
        .sweep(catalog, &sender.links, now, zone, 10_000)
        .await?;
    let digests = store.compile_digests(&sender.links, now).await?;
    let monthly = super::monthly::queue(store, &sender.links, now).await?;
    let (sent, retry, failed) = sender.send(store, now).await?;
    Ok(format!(
        "swept {} due: {} queued, {} held for digests, {} with nobody to receive them; {digests} digest(s); {monthly} monthly report(s); sent {sent}, {retry} to retry, {failed} failed",
        swept.due, swept.queued, swept.held, swept.unaddressed
    ))
}

pub fn run(args: RemindArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let file = db.mail_file()?;
    let sender = Sender::new(&args.mail, &file, db, &args.sources)?;
    let store = block_on(Store::open(&db.settings()?))?;
    let catalog = super::catalog_for(&store, &args.sources)?;
    if let Transport::Files { dir } = &sender.transport {
        println!(
            "no SMTP server set (PANTAU_SMTP_HOST): emails are written to {}",
            dir.display()
        );
    }
    if args.once {
        let line = block_on(round(
            &store,
            &catalog,
            &sender,
            args.now.unwrap_or_else(Utc::now),
            None,
        ))?;
        println!("{line}");
        return Ok(ExitCode::SUCCESS);
    }
    let schedule = Schedule::new(args.schedule.clone(), &file)?;
    println!("{}", schedule.describe());
    block_on(schedule.run(&store, &catalog, &sender))
}

/// When sweeps run, in each zone's own time.
#[derive(Debug, Clone)]
pub struct Schedule {
    expr: String,
    cron: cron::Schedule,
}

impl Schedule {
    /// The schedule from the flag, else the settings file, else weekdays 07:00.
    pub fn new(flag: Option<String>, file: &MailFile) -> anyhow::Result<Schedule> {
        let expr = flag
            .or(file.reminder_schedule.clone())
            .unwrap_or_else(|| "0 0 7 * * MON-FRI".into());
        let cron = pantau_workflow::schedule::parse(&expr).map_err(anyhow::Error::msg)?;
        Ok(Schedule { expr, cron })
    }

    pub fn describe(&self) -> String {
        format!(
            "reminders: sweeping on `{}` in each zone's own time (WIB, WITA, WIT); retries every minute",
            self.expr
        )
    }

    /// Sweeps and sends on the schedule, forever. Several processes on one
    /// PostgreSQL database may run this at once: each email is claimed once.
    pub async fn run(
        &self,
        store: &Store,
        catalog: &Catalog,
        sender: &Sender,
    ) -> anyhow::Result<ExitCode> {
        loop {
            let now = Utc::now();
            let next = [Zone::Wib, Zone::Wita, Zone::Wit]
                .into_iter()
                .filter_map(|z| {
                    self.cron
                        .after(&now.with_timezone(&z.offset()))
                        .next()
                        .map(|t| (t.with_timezone(&Utc), z))
                })
                .min_by_key(|(t, _)| *t);
            let wait = next.map_or(StdDuration::from_secs(60), |(t, _)| {
                (t - now)
                    .to_std()
                    .unwrap_or_default()
                    .min(StdDuration::from_secs(60))
            });
            tokio::time::sleep(wait).await;
            let now = Utc::now();
            let zone = next.filter(|(t, _)| *t <= now).map(|(_, z)| z);
            let line = match zone {
                Some(z) => round(store, catalog, sender, now, Some(z)).await?,
                None => {
                    let (sent, retry, failed) = sender.send(store, now).await?;
                    if sent + retry + failed == 0 {
                        continue;
                    }
                    format!("retries: sent {sent}, {retry} to retry, {failed} failed")
                }
            };
            println!("{} {line}", now.format("%Y-%m-%d %H:%M:%S UTC"));
        }
    }
}

pub fn outbox(cmd: OutboxCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let store = block_on(Store::open(&db.settings()?))?;
    match cmd {
        OutboxCmd::List { status, limit } => {
            for r in block_on(store.outbox(status.as_deref(), limit))? {
                let error = r
                    .last_error
                    .as_deref()
                    .map(|e| format!("  last error: {e}"))
                    .unwrap_or_default();
                println!(
                    "{}  {:<9} {:<22} to {:<18} attempts {}  {}{error}",
                    r.id,
                    r.status,
                    r.template,
                    r.to_user.unwrap_or_default(),
                    r.attempts,
                    r.created_at.format("%Y-%m-%d %H:%M")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        OutboxCmd::Resend { id } => {
            if block_on(store.resend(&id, Utc::now()))? {
                println!("{id} is queued again");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("no failed email {id}");
                Ok(ExitCode::from(1))
            }
        }
    }
}
