//! `pantau db migrate`.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::{DbArgs, redact};

#[derive(Debug, Subcommand)]
pub enum DbCmd {
    /// Create the database if needed and bring its schema up to date (also done on every start).
    Migrate,
}

pub fn run(cmd: DbCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        DbCmd::Migrate => {
            let settings = db.settings()?;
            super::block_on(pantau_store::Store::open(&settings))?;
            println!("database ready: {}", redact(&settings.url));
            Ok(ExitCode::SUCCESS)
        }
    }
}
