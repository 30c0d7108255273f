//! `pantau audit verify`: recompute every hash chain, in the database or in
//! a Ministry bundle (which needs no database at all).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use crate::config::DbArgs;

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Recompute the hash chain of every case; exit 0 when intact, 1 naming the first event that does not match.
    Verify {
        /// Check a bundle from `pantau export` instead of the database (no
        /// database is opened): every member against its manifest, every
        /// case's chain. Exit 2 when the file is not a bundle that can be read.
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
    },
}

pub fn run(cmd: AuditCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCmd::Verify { bundle: Some(file) } => verify_bundle(&file),
        AuditCmd::Verify { bundle: None } => {
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

/// Problems printed before the rest are only counted.
const SHOWN: usize = 20;

fn verify_bundle(file: &Path) -> anyhow::Result<ExitCode> {
    let checked = pantau_bundle::verify_file(file)?;
    let m = &checked.manifest;
    if checked.intact() {
        println!(
            "ok: {}: {} cases, {} events of region {}, year {}, every chain intact (manifest SHA-256 {})",
            file.display(),
            checked.cases,
            checked.events,
            m.region,
            m.year,
            checked.manifest_sha256
        );
        return Ok(ExitCode::SUCCESS);
    }
    for p in checked.problems.iter().take(SHOWN) {
        eprintln!("TAMPERED: {}: {p}", file.display());
    }
    if checked.problems.len() > SHOWN {
        eprintln!("… and {} more", checked.problems.len() - SHOWN);
    }
    eprintln!(
        "{}: {} problem(s) in a bundle of {} cases, {} events of region {}, year {}",
        file.display(),
        checked.problems.len(),
        checked.cases,
        checked.events,
        m.region,
        m.year
    );
    Ok(ExitCode::from(1))
}
