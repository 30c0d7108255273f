//! `pantau audit verify`: recompute every hash chain.

use std::process::ExitCode;

use clap::Subcommand;

use crate::config::DbArgs;

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Recompute the hash chain of every case; exit 0 when intact, 1 naming the first event that does not match.
    Verify,
}

pub fn run(cmd: AuditCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCmd::Verify => {
            let store = super::block_on(pantau_store::Store::open(&db.settings()?))?;
            match super::block_on(store.verify())? {
                Ok(n) => {
                    println!("ok: {n} events verified, every chain intact");
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    eprintln!("TAMPERED: {broken}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}
