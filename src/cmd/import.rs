//! `pantau import beneficiaries FILE.csv`: streams the file, keeps every
//! good row, and reports each bad row with its line, column and reason,
//! on the terminal (each problem) and in `FILE.refused.csv` (each row once,
//! as read, after its line, columns and reasons: mended, it is imported
//! again as it is).
//!
//! `pantau import yearly FILE --program ID --as LOGIN`: a file of
//! cooperatives' yearly data (CSV or XLSX) made into `data_tahunan` cases
//! sent for the province's verification, as the user LOGIN (its role and
//! region decide what it may send); one bad row refuses the whole file.

use std::fs::File;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use pantau_registry::beneficiary::REFUSED_COLUMNS;
use pantau_registry::regions::Regions;
use pantau_registry::sheet::Writer;
use pantau_store::Store;
use pantau_store::registry::import::ImportError;

use super::block_on;
use crate::config::DbArgs;

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Import cooperatives, UMKM, PKL and new entrepreneurs from a CSV file (columns: see
    /// `crates/registry/src/beneficiary.rs`; `;`, `,` or tab between fields, UTF-8 or
    /// Windows-1252). Rows already registered are left as they are.
    Beneficiaries {
        file: PathBuf,
        /// Where to write the refused rows (default: FILE with `.refused.csv`).
        #[arg(long)]
        refused: Option<PathBuf>,
    },
    /// Send cooperatives' yearly data (data tahunan) from a CSV or XLSX file: one row per
    /// cooperative and year (columns nik_koperasi, tahun, aktif, rat, tanggal_rat,
    /// jumlah_anggota, modal_sendiri, modal_luar, aset, volume_usaha, shu, kesehatan_ksp, or
    /// their English names), each made a case of the program sent for verification. One bad
    /// row refuses the file; the same file again changes nothing.
    Yearly {
        file: PathBuf,
        /// The data_tahunan program the cases belong to.
        #[arg(long)]
        program: String,
        /// The user sending the data (a kabupaten/kota or province manager): its role and
        /// region decide which cooperatives it may send.
        #[arg(long = "as", value_name = "LOGIN")]
        login: String,
        #[command(flatten)]
        sources: super::Sources,
    },
}

pub fn run(cmd: ImportCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    const SHOW: u64 = 20;
    let (file, refused) = match cmd {
        ImportCmd::Beneficiaries { file, refused } => (file, refused),
        ImportCmd::Yearly {
            file,
            program,
            login,
            sources,
        } => return super::yearly::run(&file, &program, &login, &sources, db),
    };
    let refused_path = refused.unwrap_or_else(|| file.with_extension("refused.csv"));
    let regions = Regions::embedded()?;
    let store = block_on(Store::open(&db.settings()?))?;
    let input = File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
    let progress = progress_bar(input.metadata().map(|m| m.len()).unwrap_or(0));
    let out = std::cell::RefCell::new(
        File::create(&refused_path)
            .and_then(Writer::for_people)
            .with_context(|| format!("cannot write {}", refused_path.display()))?,
    );
    let mut problems = 0;
    let result = block_on(store.import_csv(
        progress.wrap_read(input),
        &regions,
        &pantau_domain::access::Scope::National,
        |names| {
            out.borrow_mut().row(REFUSED_COLUMNS.iter().chain(names))?;
            Ok(())
        },
        |r| {
            for p in r.problems {
                if problems < SHOW {
                    eprintln!(
                        "{}: line {}, column {}: {}",
                        file.display(),
                        r.line,
                        p.column,
                        p.reason.both()
                    );
                }
                problems += 1;
            }
            let line = r.line.to_string();
            let columns: Vec<&str> = r.problems.iter().map(|p| p.column.as_str()).collect();
            let reasons: Vec<String> = match r.problems {
                [one] => vec![one.reason.both()],
                many => many
                    .iter()
                    .map(|p| format!("{}: {}", p.column, p.reason.both()))
                    .collect(),
            };
            let (columns, reasons) = (columns.join("; "), reasons.join("; "));
            out.borrow_mut().row(
                [line.as_str(), &columns, &reasons]
                    .into_iter()
                    .chain(r.fields.iter().map(|f| f.as_ref())),
            )?;
            Ok(())
        },
    ));
    progress.finish_and_clear();
    let tally = match result {
        Ok(t) => t,
        Err(ImportError::Header(errors)) => {
            for e in errors {
                eprintln!(
                    "{}: line 1, column {}: {}",
                    file.display(),
                    e.column,
                    e.reason.both()
                );
            }
            std::fs::remove_file(&refused_path).ok();
            return Ok(ExitCode::from(1));
        }
        Err(ImportError::NotText(reason)) => {
            eprintln!("{}: {reason}", file.display());
            std::fs::remove_file(&refused_path).ok();
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    out.borrow_mut().flush()?;
    let already = tally.rows - tally.new - tally.refused;
    println!(
        "{} rows read: {} new, {} already registered, {} refused",
        tally.rows, tally.new, already, tally.refused
    );
    if tally.refused > 0 {
        if problems > SHOW {
            eprintln!("… and {} more", problems - SHOW);
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
