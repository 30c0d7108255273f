//! `pantau doctor`: looks at what an office's Pantau needs and says, for
//! each problem, what to do. It changes nothing: no database is created or
//! migrated, no email is sent. Exit 1 when anything is wrong.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use chrono::{DateTime, Utc};
use pantau_store::Store;

use super::remind::{MailArgs, sender};
use super::{Located, Sources, block_on, load_catalog};
use crate::config::DbArgs;

/// Less free space than this in the data folder is a problem.
const MIN_FREE: u64 = 1 << 30;
/// A certificate that ends sooner than this is a problem.
const RENEW_WITHIN: chrono::TimeDelta = chrono::TimeDelta::days(14);

#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    mail: MailArgs,
    #[command(flatten)]
    sources: Sources,
}

/// One check's finding: fine (what was seen), or a problem and what to do.
enum Finding {
    Ok(String),
    Problem { what: String, fix: String },
}

fn problem(what: impl Into<String>, fix: impl Into<String>) -> Finding {
    Finding::Problem {
        what: what.into(),
        fix: fix.into(),
    }
}

pub fn run(args: DoctorArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let mut problems = 0;
    let mut say = |name: &str, finding: Finding| match finding {
        Finding::Ok(seen) => println!("ok    {name:<12} {seen}"),
        Finding::Problem { what, fix } => {
            problems += 1;
            println!("FAIL  {name:<12} {what}\n      {:<12} → {fix}", "");
        }
    };
    let settings = match settings(db) {
        Ok(seen) => {
            say("settings", Finding::Ok(seen));
            true
        }
        Err(e) => {
            say(
                "settings",
                problem(
                    format!("{e:#}"),
                    "correct the file (every key is listed in README.md, Settings)",
                ),
            );
            false
        }
    };
    if settings {
        let located = args.sources.locate(db);
        say("workflows", workflows(located.as_ref()));
        say("templates", templates(located.as_ref()));
        say("database", database(db));
        say("mail", mail(&args, db, located.as_ref()));
        say("data folder", data_folder(db));
        say("certificate", certificate(db));
    }
    say("pdf", chromium());
    say("fonts", fonts());
    if problems == 0 {
        println!("no problems found");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{problems} problem(s) found");
        Ok(ExitCode::from(1))
    }
}

fn settings(db: &DbArgs) -> anyhow::Result<String> {
    db.settings_as_is()?;
    db.serve_file()?;
    db.mail_file()?;
    db.indicator_targets()?;
    Ok(match db.config_path() {
        Some((path, _)) => format!("{} read", path.display()),
        None => "no settings file: built-in defaults".into(),
    })
}

fn workflows(at: Result<&Located, &anyhow::Error>) -> Finding {
    let at = match at {
        Ok(at) => at,
        Err(e) => {
            return problem(
                format!("{e:#}"),
                "install the workflows or name their folder",
            );
        }
    };
    match load_catalog(&at.workflows, &at.templates) {
        Ok(Ok(catalog)) => Finding::Ok(format!(
            "{} definition(s) in {}",
            catalog.iter().count(),
            at.workflows.display()
        )),
        Ok(Err(found)) => problem(
            format!(
                "{} problem(s) in {}, first: {}",
                found.len(),
                at.workflows.display(),
                found.first().map(ToString::to_string).unwrap_or_default()
            ),
            "run `pantau workflow check` on the folder and correct the files",
        ),
        Err(e) => problem(
            format!("{e:#}"),
            "name the folder with --workflows or `workflows`",
        ),
    }
}

fn templates(at: Result<&Located, &anyhow::Error>) -> Finding {
    let Ok(at) = at else {
        return problem(
            "no workflow folder, so no templates beside it",
            "see workflows",
        );
    };
    let dir = &at.templates;
    let loaded = pantau_server::pages::Pages::load(dir)
        .err()
        .or_else(|| {
            pantau_report::html::Templates::load(dir)
                .err()
                .map(|e| e.to_string())
        })
        .or_else(|| {
            pantau_notify::Templates::load(&dir.join("email"))
                .err()
                .map(|e| e.to_string())
        });
    match loaded {
        None => Finding::Ok(format!("pages, reports and emails in {}", dir.display())),
        Some(e) => problem(
            e,
            "install the templates folder that came with this Pantau, or name it with --templates",
        ),
    }
}

fn database(db: &DbArgs) -> Finding {
    let settings = match db.settings_as_is() {
        Ok(s) => s,
        Err(e) => return problem(format!("{e:#}"), "correct database_url"),
    };
    let url = crate::config::redact(&settings.url);
    if let Some(file) = sqlite_file(&settings.url)
        && !file.exists()
    {
        return problem(
            format!("{} does not exist yet", file.display()),
            "start `pantau serve` once, or run `pantau db migrate`",
        );
    }
    let status = block_on(async {
        let store = Store::unmigrated(&settings).await?;
        store.readiness().await
    });
    match status {
        Ok(None) => Finding::Ok(format!("{url} answers; migrations current")),
        Ok(Some(why)) => problem(format!("{url}: {why}"), "run `pantau db migrate`"),
        Err(e) => problem(
            format!("{url}: {e}"),
            "check that the database runs and the URL, user and password are right",
        ),
    }
}

fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

fn mail(args: &DoctorArgs, db: &DbArgs, at: Result<&Located, &anyhow::Error>) -> Finding {
    let Ok(at) = at else {
        return problem("no templates, so no emails", "see workflows");
    };
    let sender = match db.mail_file().and_then(|f| sender(&args.mail, &f, db, at)) {
        Ok(s) => s,
        Err(e) => return problem(format!("{e:#}"), "correct the [mail] settings"),
    };
    let (host, port) = match &sender.transport {
        pantau_notify::Transport::Smtp { host, port, .. } => (host, port),
        pantau_notify::Transport::Files { dir } => {
            return Finding::Ok(format!(
                "no SMTP server set: emails are written to {} as files",
                dir.display()
            ));
        }
    };
    let checked = block_on(async {
        let mailer = sender.transport.mailer().await?;
        let checked = mailer.check().await;
        mailer.shutdown().await;
        checked
    });
    match checked {
        Ok(()) => Finding::Ok(format!("SMTP {host}:{port} answers (nothing sent)")),
        Err(e) => problem(
            format!("SMTP {host}:{port}: {e}"),
            "check smtp_host, smtp_port, smtp_security and the login in [mail]",
        ),
    }
}

fn data_folder(db: &DbArgs) -> Finding {
    let dir = match db.data_dir_path() {
        Ok(d) => d,
        Err(e) => return problem(format!("{e:#}"), "set data_dir"),
    };
    if !dir.is_dir() {
        return problem(
            format!("{} does not exist", dir.display()),
            "create it and give it to the user Pantau runs as",
        );
    }
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    if let Err(e) = std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe)) {
        return problem(
            format!("{} cannot be written: {e}", dir.display()),
            "give the folder to the user Pantau runs as (chown pantau: …)",
        );
    }
    match nix::sys::statvfs::statvfs(&dir) {
        Ok(fs) => {
            let free = fs.blocks_available() * fs.fragment_size();
            let seen = format!("{} writable, {} free", dir.display(), bytes(free));
            if free < MIN_FREE {
                problem(
                    seen,
                    "free some space: the database and backups need room to grow",
                )
            } else {
                Finding::Ok(seen)
            }
        }
        Err(e) => problem(format!("{}: {e}", dir.display()), "check the folder"),
    }
}

fn bytes(n: u64) -> String {
    format!("{:.1} GB", n as f64 / 1e9)
}

fn certificate(db: &DbArgs) -> Finding {
    let serve = match db.serve_file() {
        Ok(s) => s,
        Err(e) => return problem(format!("{e:#}"), "correct [serve]"),
    };
    let from_env = |name: &str| std::env::var_os(name).map(std::path::PathBuf::from);
    let cert = from_env("PANTAU_TLS_CERT").or(serve.tls_cert);
    let key = from_env("PANTAU_TLS_KEY").or(serve.tls_key);
    match (cert, key) {
        (None, None) => {
            Finding::Ok("no HTTPS set: plain HTTP, for loopback or behind a proxy".into())
        }
        (Some(cert), Some(key)) => match std::fs::read(&key) {
            Err(e) => problem(
                format!("key {}: {e}", key.display()),
                "make it readable by Pantau",
            ),
            Ok(_) => expiry(&cert, Utc::now()),
        },
        _ => problem(
            "only one of tls_cert and tls_key is set",
            "set both, or neither",
        ),
    }
}

/// The first certificate of a PEM file, judged by when it ends.
fn expiry(file: &Path, now: DateTime<Utc>) -> Finding {
    let pem = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            return problem(
                format!("{}: {e}", file.display()),
                "make it readable by Pantau",
            );
        }
    };
    let ends = x509_parser::pem::parse_x509_pem(&pem)
        .map_err(|e| e.to_string())
        .and_then(|(_, pem)| {
            let cert = pem.parse_x509().map_err(|e| e.to_string())?;
            DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)
                .ok_or_else(|| "an end date out of range".to_string())
        });
    match ends {
        Err(e) => problem(
            format!("{} is not a PEM certificate: {e}", file.display()),
            "give the certificate chain in PEM, server certificate first",
        ),
        Ok(end) if end <= now => problem(
            format!("{} ended on {}", file.display(), end.format("%Y-%m-%d")),
            "renew it, then `systemctl reload pantau` (SIGHUP)",
        ),
        Ok(end) if end - now < RENEW_WITHIN => problem(
            format!("{} ends on {}", file.display(), end.format("%Y-%m-%d")),
            "renew it soon, then `systemctl reload pantau` (SIGHUP)",
        ),
        Ok(end) => Finding::Ok(format!(
            "{} valid until {}",
            file.display(),
            end.format("%Y-%m-%d")
        )),
    }
}

fn chromium() -> Finding {
    let found = match pantau_report::pdf::Chromium::find() {
        Ok(c) => c,
        Err(e) => return problem(e.to_string(), "apt-get install chromium fonts-noto-core"),
    };
    match run_quietly(Command::new(&found.binary).arg("--version")) {
        Some(version) => Finding::Ok(version),
        None => problem(
            format!("{} does not start", found.binary.display()),
            "reinstall it (apt-get install --reinstall chromium) or set PANTAU_CHROMIUM",
        ),
    }
}

fn fonts() -> Finding {
    let families = run_quietly(Command::new("fc-list").args([":", "family"]));
    match families {
        Some(list) if list.contains("Noto") => Finding::Ok("Noto fonts for the PDF reports".into()),
        _ => problem(
            "no Noto fonts: PDF reports would print with a fallback font or none",
            "apt-get install fonts-noto-core",
        ),
    }
}

/// What a short command prints, if it starts and ends well within 20 s.
fn run_quietly(cmd: &mut Command) -> Option<String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let out = rx.recv_timeout(Duration::from_secs(20)).ok()?.ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
