//! `pantau import beneficiaries FILE.csv`: streams the file, keeps every
//! good row, and reports each bad row with its line, column and reason.

use std::fs::File;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use pantau_registry::beneficiary::{Beneficiary, Header, parse_row};
use pantau_registry::regions::Regions;
use pantau_store::Store;
use pantau_store::registry::BATCH;

use super::block_on;
use crate::config::DbArgs;

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Import cooperatives, UMKM, PKL and new entrepreneurs from a CSV file (columns: see
    /// `crates/registry/src/beneficiary.rs`). Rows already registered are left as they are.
    Beneficiaries {
        file: PathBuf,
        /// Where to write the refused rows (default: FILE with `.refused.csv`).
        #[arg(long)]
        refused: Option<PathBuf>,
    },
}

/// What an import did.
#[derive(Debug, Default)]
struct Tally {
    rows: u64,
    new: u64,
    refused: u64,
}

pub fn run(cmd: ImportCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let ImportCmd::Beneficiaries { file, refused } = cmd;
    let refused_path = refused.unwrap_or_else(|| file.with_extension("refused.csv"));
    let regions = Regions::embedded()?;
    let store = block_on(Store::open(&db.settings()?))?;
    let input = File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
    let progress = progress_bar(input.metadata().map(|m| m.len()).unwrap_or(0));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(progress.wrap_read(input));
    let header = match Header::new(reader.headers()?.iter()) {
        Ok(h) => h,
        Err(errors) => {
            for e in errors {
                eprintln!(
                    "{}: line 1, column {}: {}",
                    file.display(),
                    e.column,
                    e.reason
                );
            }
            return Ok(ExitCode::from(1));
        }
    };
    let mut out = csv::Writer::from_path(&refused_path)
        .with_context(|| format!("cannot write {}", refused_path.display()))?;
    out.write_record(
        ["line", "column", "reason"]
            .iter()
            .copied()
            .chain(reader.headers()?.iter()),
    )?;
    let (tally, shown) = stream(&mut reader, &header, &regions, &store, &mut out, &file)?;
    progress.finish_and_clear();
    out.flush()?;
    let already = tally.rows - tally.new - tally.refused;
    println!(
        "{} rows read: {} new, {} already registered, {} refused",
        tally.rows, tally.new, already, tally.refused
    );
    if tally.refused > 0 {
        if shown < tally.refused {
            eprintln!("… and {} more", tally.refused - shown);
        }
        println!(
            "refused rows, with line, column and reason: {}",
            refused_path.display()
        );
        Ok(ExitCode::from(1))
    } else {
        std::fs::remove_file(&refused_path).ok();
        Ok(ExitCode::SUCCESS)
    }
}

/// Reads every row, inserting good ones in batches; returns the tally and
/// how many refusals were printed.
fn stream<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    header: &Header,
    regions: &Regions,
    store: &Store,
    out: &mut csv::Writer<File>,
    file: &Path,
) -> anyhow::Result<(Tally, u64)> {
    const SHOW: u64 = 20;
    let mut tally = Tally::default();
    let mut shown = 0;
    let mut batch: Vec<(String, Beneficiary)> = Vec::with_capacity(BATCH);
    let mut record = csv::StringRecord::new();
    let mut refuse =
        |line: u64, column: &str, reason: &str, fields: &[&str]| -> anyhow::Result<()> {
            if shown < SHOW {
                eprintln!("{}: line {line}, column {column}: {reason}", file.display());
                shown += 1;
            }
            let line = line.to_string();
            out.write_record(
                [line.as_str(), column, reason]
                    .iter()
                    .copied()
                    .chain(fields.iter().copied()),
            )?;
            Ok(())
        };
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                tally.rows += 1;
                let line = record.position().map_or(0, |p| p.line());
                let fields: Vec<&str> = record.iter().collect();
                match parse_row(header, &fields, regions) {
                    Ok(b) => batch.push((
                        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, b.natural_key().as_bytes())
                            .to_string(),
                        b,
                    )),
                    Err(errors) => {
                        tally.refused += 1;
                        for e in &errors {
                            refuse(line, &e.column, &e.reason, &fields)?;
                        }
                    }
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) =>
            {
                tally.rows += 1;
                tally.refused += 1;
                let line = e.position().map_or(0, |p| p.line());
                refuse(
                    line,
                    "-",
                    &format!("baris tidak terbaca (unreadable row): {e}"),
                    &[],
                )?;
            }
            Err(e) => return Err(e.into()),
        }
        if batch.len() == BATCH {
            tally.new += block_on(store.import_beneficiaries(&batch, Utc::now()))?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        tally.new += block_on(store.import_beneficiaries(&batch, Utc::now()))?;
    }
    Ok((tally, shown))
}

/// A progress bar by bytes read, on a terminal only.
fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
