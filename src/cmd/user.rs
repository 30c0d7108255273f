//! `pantau user add`, `password`, `deactivate` and `activate`: accounts
//! that sign in. A new password and a deactivation end every session and
//! API token the user had.

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;

use chrono::Utc;
use clap::Subcommand;
use pantau_domain::{Lang, Role};
use pantau_server::accounts::{Draft, check_password};
use pantau_store::Store;

use super::block_on;
use crate::config::DbArgs;

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add a user (the first one: `--role admin`). The password is read
    /// from standard input, or from PANTAU_PASSWORD.
    Add {
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// admin, manager_province, manager_regency, verifier, field_officer, ministry.
        #[arg(long)]
        role: Role,
        /// Kemendagri code (`18`, `18.71`); required except for admin and ministry.
        #[arg(long)]
        region: Option<String>,
        /// `id` (default) or `en`.
        #[arg(long, default_value = "id")]
        lang: String,
    },
    /// Set a user's password (read like `add`); every session and API token
    /// of the user ends.
    Password { login: String },
    /// Switch a user off: they cannot sign in, and every session and API
    /// token they had ends at once (their records and history stay).
    Deactivate { login: String },
    /// Switch a user back on (they sign in again with their password).
    Activate { login: String },
}

pub fn run(cmd: UserCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let store = block_on(Store::open(&db.settings()?))?;
    match cmd {
        UserCmd::Add {
            login,
            name,
            email,
            role,
            region,
            lang,
        } => {
            // The same rules as the pages' (`pantau_server::accounts`).
            let regions = pantau_registry::regions::Regions::embedded()?;
            let known = |code: &str| regions.iter().any(|r| r.code.as_str() == code);
            let draft = Draft {
                login: login.clone(),
                name,
                email,
                role: role.as_str().into(),
                region: region.unwrap_or_default(),
                lang,
                password: read_password()?,
                again: None,
            };
            let mut user = draft.check(&known, Lang::En).map_err(|problems| {
                let lines: Vec<_> = problems
                    .iter()
                    .map(|p| format!("--{}: {}", p.field, p.message))
                    .collect();
                anyhow::anyhow!(lines.join("\n"))
            })?;
            user.password_hash = Some(
                block_on(pantau_server::password::hash(draft.password))
                    .map_err(anyhow::Error::msg)?,
            );
            if block_on(store.add_user(&user, Utc::now()))? {
                println!("user {login} added ({role})");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("user {login} already exists; nothing changed");
                Ok(ExitCode::from(1))
            }
        }
        UserCmd::Password { login } => {
            let text = read_password()?;
            if let Some(p) = check_password(&text, None, Lang::En).first() {
                anyhow::bail!("{}", p.message);
            }
            let hash = block_on(pantau_server::password::hash(text)).map_err(anyhow::Error::msg)?;
            if block_on(store.set_password(&login, &hash))? {
                println!("password of {login} set; their sessions and API tokens have ended");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("no user {login}");
                Ok(ExitCode::from(1))
            }
        }
        UserCmd::Deactivate { login } => switch(&store, &login, false),
        UserCmd::Activate { login } => switch(&store, &login, true),
    }
}

fn switch(store: &Store, login: &str, active: bool) -> anyhow::Result<ExitCode> {
    if !block_on(store.set_active(login, active))? {
        eprintln!("no user {login}");
        return Ok(ExitCode::from(1));
    }
    if active {
        println!("user {login} activated");
    } else {
        println!("user {login} deactivated; their sessions and API tokens have ended");
    }
    Ok(ExitCode::SUCCESS)
}

/// The password from PANTAU_PASSWORD or the first line of standard input
/// (its rules are checked with the account's).
fn read_password() -> anyhow::Result<String> {
    let text = match std::env::var("PANTAU_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            if std::io::stdin().is_terminal() {
                eprint!(
                    "password (shown as you type; at least {} characters): ",
                    pantau_server::password::MIN_LEN
                );
            }
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    Ok(text)
}
