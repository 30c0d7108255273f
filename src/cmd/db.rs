//! `pantau db migrate | backup | restore`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use pantau_store::schema::backup::{self, BackupError};
use pantau_store::{Settings, Store};

use super::block_on;
use crate::config::{DbArgs, redact, without_password};

#[derive(Debug, Subcommand)]
pub enum DbCmd {
    /// Create the database if needed and bring its schema up to date (also done on every start).
    Migrate,
    /// Write a consistent copy of the SQLite database to FILE, also while `pantau serve` runs
    /// (FILE is replaced once the copy is complete and checked). PostgreSQL: use pg_dump.
    Backup {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Put a backup in place of the SQLite database, once it is checked (sound, a Pantau
    /// schema, every chain intact); refused while any Pantau process has the database open.
    /// The database it replaces is kept beside it. PostgreSQL: use pg_restore.
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

pub fn run(cmd: DbCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let settings = db.settings()?;
    match cmd {
        DbCmd::Migrate => {
            block_on(Store::open(&settings))?;
            println!("database ready: {}", redact(&settings.url));
            Ok(ExitCode::SUCCESS)
        }
        DbCmd::Backup { file } if !settings.is_sqlite() => Ok(postgres("backup", &file, &settings)),
        DbCmd::Restore { file } if !settings.is_sqlite() => {
            Ok(postgres("restore", &file, &settings))
        }
        DbCmd::Backup { file } => {
            let store = block_on(Store::open(&settings))?;
            let copied = match block_on(store.backup(&file)) {
                Ok(c) => c,
                Err(e) => return refused(e),
            };
            match copied.chains {
                Ok(events) => {
                    println!(
                        "backup written: {} ({} cases, {events} events, every chain intact)",
                        file.display(),
                        copied.cases
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    eprintln!(
                        "backup written: {} ({} cases), but a chain is broken in the database",
                        file.display(),
                        copied.cases
                    );
                    eprintln!("TAMPERED: {broken}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        DbCmd::Restore { file } => match block_on(backup::restore(&settings, &file)) {
            Ok(r) => {
                println!(
                    "restored {} into {} ({} cases, {} events, every chain intact{})",
                    file.display(),
                    r.target.display(),
                    r.cases,
                    r.events,
                    match r.migrated {
                        0 => String::new(),
                        n => format!("; {n} migration(s) applied"),
                    }
                );
                if let Some(old) = r.replaced {
                    println!(
                        "the database it replaced is kept as {} (delete it once sure)",
                        old.display()
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refused(e),
        },
    }
}

/// A refusal exits 1 with its reason; a failure to run goes up (exit 2).
fn refused(e: BackupError) -> anyhow::Result<ExitCode> {
    if e.is_refusal() {
        eprintln!("pantau db: {e}");
        Ok(ExitCode::from(1))
    } else {
        Err(e.into())
    }
}

/// PostgreSQL is backed up and restored by its own tools: says which
/// command to run, and exits 2 having done nothing.
fn postgres(what: &str, file: &Path, settings: &Settings) -> ExitCode {
    let url = quote(&without_password(&settings.url));
    let file = quote(&file.display().to_string());
    let command = match what {
        // Row-level security stays on: Pantau's policy shows every row to a
        // session that names no region, so an ordinary role (not allowed to
        // switch it off) dumps and restores everything.
        "backup" => {
            format!("pg_dump --format=custom --enable-row-security --file={file} --dbname={url}")
        }
        _ => format!(
            "pg_restore --clean --if-exists --no-owner --single-transaction --enable-row-security --dbname={url} {file}"
        ),
    };
    eprintln!(
        "pantau db {what}: {}; run: {command}",
        BackupError::Postgres
    );
    if what != "backup" {
        eprintln!("(stop every pantau serve and pantau remind on that database first)");
    }
    ExitCode::from(2)
}

/// `text` as one word for a POSIX shell.
fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
