//! `pantau decree apply|show`: approval by decree (SK), and amending decrees.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use pantau_domain::{Role, Rupiah};
use pantau_store::Store;
use pantau_store::decree::{Change, DecreeLine, NewDecree};
use pantau_workflow::{Actor, Context};

use super::{Sources, block_on};
use crate::config::DbArgs;

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once per run")]
pub enum DecreeCmd {
    /// Apply a decree to the cases it lists (CSV: case_id,change,amount,tranches; change is
    /// approve, amount or remove, default approve). Reports every case it could not take, and why.
    Apply {
        /// The cases, one per row.
        cases: PathBuf,
        #[arg(long)]
        number: String,
        /// The decree's date, e.g. 2026-03-02.
        #[arg(long)]
        date: NaiveDate,
        #[arg(long)]
        signer: String,
        /// The signer's position, e.g. "Kepala Dinas Koperasi dan UKM Provinsi Lampung".
        #[arg(long)]
        position: String,
        #[arg(long)]
        nip: Option<String>,
        /// The scanned decree (PDF), kept in the data folder.
        #[arg(long)]
        pdf: Option<PathBuf>,
        /// The registered program the decree belongs to.
        #[arg(long)]
        program: String,
        /// The number of the decree this one amends (SK perubahan).
        #[arg(long)]
        amends: Option<String>,
        #[arg(long = "as", value_name = "ROLE", default_value = "verifier")]
        role: Role,
        #[arg(long)]
        user: String,
        #[command(flatten)]
        sources: Sources,
    },
    /// Show a decree, the cases it lists with what happened to each, and the decree it amends.
    Show { number: String },
}

pub fn run(cmd: DecreeCmd, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let store = block_on(Store::open(&db.settings()?))?;
    match cmd {
        DecreeCmd::Apply {
            cases,
            number,
            date,
            signer,
            position,
            nip,
            pdf,
            program,
            amends,
            role,
            user,
            sources,
        } => {
            let catalog = super::case::load(&sources)?;
            let lines = read_lines(&cases)?;
            let (pdf_path, pdf_sha256) = match pdf {
                Some(p) => keep_pdf(&p, &db.data_dir()?)?,
                None => (None, None),
            };
            let decree = NewDecree {
                number: number.clone(),
                date,
                signer_name: signer,
                signer_position: position,
                signer_nip: nip,
                pdf_path,
                pdf_sha256,
                program_id: program,
                amends,
            };
            let cx = Context {
                now: Utc::now(),
                actor: Actor { user, role },
                remaining_allocation: None,
                evidence: Default::default(),
            };
            let report = block_on(store.apply_decree(&catalog, &decree, &lines, &cx))?;
            println!(
                "SK {number}: {} case(s) taken, {} already taken by an earlier run, {} refused",
                report.done,
                report.already,
                report.refused.len()
            );
            for (case, reason) in &report.refused {
                println!("  REFUSED {case}: {reason}");
            }
            Ok(if report.refused.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        DecreeCmd::Show { number } => {
            let (d, items, amends) =
                block_on(store.decree(&number))?.ok_or_else(|| anyhow!("no decree {number}"))?;
            println!(
                "SK {}  tanggal {}  program {}",
                d.number,
                d.decree_date.format("%d/%m/%Y"),
                d.program_id
            );
            println!(
                "ditandatangani {} ({}){}",
                d.signer_name,
                d.signer_position,
                d.signer_nip
                    .map(|n| format!(", NIP {n}"))
                    .unwrap_or_default()
            );
            if let Some(a) = amends {
                println!(
                    "mengubah SK {} tanggal {}",
                    a.number,
                    a.decree_date.format("%d/%m/%Y")
                );
            }
            if let Some(p) = d.pdf_path {
                println!(
                    "pindaian: {p} (sha256 {})",
                    d.pdf_sha256.unwrap_or_default()
                );
            }
            for i in items {
                let amount = i
                    .amount
                    .and_then(|a| Rupiah::new(a).ok())
                    .map(|a| a.to_string())
                    .unwrap_or_default();
                println!(
                    "  {:<38} {:<8} {:>20}  {:<9} {}",
                    i.case_id,
                    i.change,
                    amount,
                    i.outcome,
                    i.reason.unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_lines(path: &PathBuf) -> anyhow::Result<Vec<DecreeLine>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row?;
        let at = |col: usize| row.get(col).map(str::trim).unwrap_or_default();
        let line = i + 2;
        let change = match at(1) {
            "" | "approve" | "setujui" => Change::Approve,
            "amount" | "ubah" => Change::Amount,
            "remove" | "hapus" => Change::Remove,
            other => bail!(
                "{}: line {line}, column change: `{other}` is not approve, amount or remove",
                path.display()
            ),
        };
        let amount = match at(2) {
            "" => None,
            a => Some(
                Rupiah::parse(a)
                    .map_err(|e| anyhow!("{}: line {line}, column amount: {e}", path.display()))?,
            ),
        };
        if amount.is_none() && change != Change::Remove {
            bail!(
                "{}: line {line}, column amount: required to approve or change an amount",
                path.display()
            );
        }
        lines.push(DecreeLine {
            case_id: at(0).to_string(),
            change,
            amount,
            tranches: Some(at(3)).filter(|t| !t.is_empty()).map(str::to_string),
        });
    }
    Ok(lines)
}

/// Copies the scan into the data folder under its SHA-256.
fn keep_pdf(
    pdf: &PathBuf,
    data_dir: &std::path::Path,
) -> anyhow::Result<(Option<String>, Option<String>)> {
    use sha2::Digest;
    let bytes = std::fs::read(pdf).with_context(|| format!("cannot read {}", pdf.display()))?;
    if !bytes.starts_with(b"%PDF-") {
        bail!("{} is not a PDF", pdf.display());
    }
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let dir = data_dir.join("decrees");
    std::fs::create_dir_all(&dir)?;
    let dest = dir.join(format!("{sha}.pdf"));
    std::fs::write(&dest, &bytes)?;
    Ok((Some(dest.display().to_string()), Some(sha)))
}
