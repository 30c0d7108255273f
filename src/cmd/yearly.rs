//! `pantau import yearly FILE --program ID --as LOGIN`: cooperatives'
//! yearly data from a CSV or XLSX file, each row a `data_tahunan` case
//! sent for verification (see `pantau_store::yearly`). Prints what was
//! made, the corrections of years already verified, or every problem of
//! a refused file by line and column (then nothing was written).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use chrono::Utc;
use pantau_store::Store;
use pantau_store::yearly::{YearFile, YearImportError};
use pantau_workflow::{Actor, Context};

use super::{Sources, block_on};
use crate::config::DbArgs;

pub fn run(
    file: &Path,
    program: &str,
    login: &str,
    sources: &Sources,
    db: &DbArgs,
) -> anyhow::Result<ExitCode> {
    let store = block_on(Store::open(&db.settings()?))?;
    let catalog = super::catalog_for(&store, &sources.locate(db)?)?;
    let (role, scope) = super::acting(&store, login)?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let cx = Context {
        now: Utc::now(),
        actor: Actor {
            user: login.to_string(),
            role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    };
    let report = match block_on(store.import_years(
        &catalog,
        program,
        YearFile {
            name: &name,
            bytes: &bytes,
        },
        &cx,
        &scope,
    )) {
        Ok(r) => r,
        Err(YearImportError::Store(e)) => return Err(e.into()),
        Err(e @ YearImportError::Unreadable(_)) => {
            eprintln!("{}: {e}", file.display());
            return Ok(ExitCode::from(1));
        }
        Err(e) => bail!("{e}"),
    };
    if !report.applied() {
        for p in &report.refused {
            let column = match p.column.as_str() {
                "" => String::new(),
                c => format!(", column {c}"),
            };
            eprintln!(
                "{}: line {}{column}: {}",
                file.display(),
                p.line,
                p.reason.both()
            );
        }
        println!(
            "{} rows read; the file is refused ({} problem(s)): nothing was applied; mend the file and send it again",
            report.rows,
            report.refused.len()
        );
        return Ok(ExitCode::from(1));
    }
    for c in &report.corrections {
        println!(
            "line {}: {} {} was already verified (case {}): this row is a new case, a correction",
            c.line,
            c.nik_koperasi,
            c.year,
            c.verified_case.as_deref().unwrap_or("-")
        );
    }
    if report.made == 0 && report.already > 0 {
        println!(
            "{} rows read: this file was imported before (SHA-256 {}); nothing changed",
            report.rows, report.file_hash
        );
    } else {
        println!(
            "{} rows read: {} case(s) made and sent for verification, {} already made by an earlier import of this file, {} correction(s)",
            report.rows,
            report.made,
            report.already,
            report.corrections.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
