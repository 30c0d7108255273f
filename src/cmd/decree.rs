//! `pantau decree apply|show`: approval by decree (SK), and amending decrees.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail};
use chrono::{NaiveDate, Utc};
use clap::Subcommand;
use pantau_domain::access::Scope;
use pantau_domain::{Role, Rupiah};
use pantau_store::Store;
use pantau_store::decree::{DecreeLine, DecreeRecord, NewDecree, Scan, Within};
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
        /// Show what the decree would do to each case, and apply nothing.
        #[arg(long)]
        dry_run: bool,
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
            dry_run,
            sources,
        } => {
            let catalog = super::catalog_for(&store, &sources.locate(db)?)?;
            let lines = match read_lines(&cases)? {
                Ok(lines) => lines,
                Err(errors) => {
                    println!(
                        "{}: {} bad row(s); nothing was applied: mend the file and run again",
                        cases.display(),
                        errors.len()
                    );
                    for e in &errors {
                        println!("  {}: {e}", cases.display());
                    }
                    return Ok(ExitCode::from(1));
                }
            };
            let scan = pdf.as_ref().map(read_scan).transpose()?;
            let decree = NewDecree {
                number: number.clone(),
                date,
                signer_name: signer,
                signer_position: position,
                signer_nip: nip,
                scan,
                program_id: program,
                amends,
            };
            let cx = Context {
                now: Utc::now(),
                actor: Actor { user, role },
                remaining_allocation: None,
                evidence: Default::default(),
            };
            if dry_run {
                let report = block_on(store.preview_decree(
                    &catalog,
                    &decree,
                    &lines,
                    &cx,
                    &Scope::National,
                ))?;
                print!("{}", preview(&number, &report));
                return Ok(ExitCode::SUCCESS);
            }
            let report =
                block_on(store.apply_decree(&catalog, &decree, &lines, &cx, &Scope::National))?;
            println!(
                "SK {number}: {} case(s) taken, {} already taken by an earlier run, {} refused",
                report.done,
                report.already,
                report.refused.len()
            );
            for (case, reason) in &report.refused {
                println!("  REFUSED {case}: {reason}");
            }
            if report.notices > 0 {
                println!(
                    "{} notice(s) queued: the next reminder sweep emails each person concerned once, \
                     with what the decree did in their region (pemberitahuan SK)",
                    report.notices
                );
            }
            Ok(if report.refused.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        DecreeCmd::Show { number } => {
            let national = Scope::National;
            let (d, _, _) =
                block_on(store.decree(&number))?.ok_or_else(|| anyhow!("no decree {number}"))?;
            let record = block_on(store.decree_record(&d.id, &national))?
                .ok_or_else(|| anyhow!("no decree {number}"))?;
            let within = block_on(store.decree_within(&d.id, &national))?;
            print!("{}", show(&record, &within));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What `decree apply --dry-run` prints: per line, what the decree would do.
fn preview(number: &str, report: &pantau_store::decree::DecreeReport) -> String {
    let rupiah = |a: i64| Rupiah::new(a).map(|a| a.to_string()).unwrap_or_default();
    let mut out = format!(
        "SK {number} (dry run: nothing applied): {} case(s) would be taken, {} refused\n",
        report
            .items
            .iter()
            .filter(|i| i.outcome != "refused")
            .count(),
        report.refused.len()
    );
    for i in &report.items {
        out.push_str(&format!(
            "  line {:>4}  {}  {:<8} {:>22}  {}{}\n",
            i.line_no,
            i.case_id,
            i.change,
            i.amount.map(rupiah).unwrap_or_default(),
            i.outcome,
            i.reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ));
    }
    for (case, reason) in report.refused.iter().filter(|(c, r)| {
        !report
            .items
            .iter()
            .any(|i| &i.case_id == c && i.reason.as_ref() == Some(r))
    }) {
        out.push_str(&format!("  REFUSED {case}: {reason}\n"));
    }
    out
}

/// A decree as `decree show` prints it: who signed it, what it amends and
/// what amends it, its totals, and one line per case.
fn show(r: &DecreeRecord, within: &Within) -> String {
    let day = |d: &chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    let rupiah = |a: i64| Rupiah::new(a).map(|a| a.to_string()).unwrap_or_default();
    let d = &r.decree;
    let mut out = format!(
        "SK {}  tanggal {}  program {} ({})\nditandatangani {} ({}){}\n",
        d.number,
        day(&d.decree_date),
        r.program.name,
        r.program.id,
        d.signer_name,
        d.signer_position,
        d.signer_nip
            .as_ref()
            .map(|n| format!(", NIP {n}"))
            .unwrap_or_default()
    );
    if let Some(a) = &r.amends {
        out += &format!("mengubah SK {} tanggal {}\n", a.number, day(&a.decree_date));
    }
    for a in &r.amended_by {
        out += &format!(
            "diubah dengan SK {} tanggal {}\n",
            a.number,
            day(&a.decree_date)
        );
    }
    if let Some(p) = &d.pdf_path {
        out += &format!(
            "pindaian: {p} (sha256 {}, disimpan di basis data)\n",
            d.pdf_sha256.clone().unwrap_or_default()
        );
    }
    let t = &within.tally;
    out += &format!(
        "{} kasus: {} disetujui, {} diubah, {} dicabut, {} ditolak; jumlah disetujui {}\n",
        within.cases.len(),
        t.approved,
        t.changed,
        t.removed,
        t.refused,
        rupiah(t.total)
    );
    out += &format!(
        "  {:>5}  {:<36}  {:<7}  {:<28}  {:<8}  {:>17}  {:<9}  {:<9}  alasan\n",
        "baris", "kasus", "wilayah", "penerima", "ubahan", "jumlah", "tahap", "hasil"
    );
    for c in &within.cases {
        let name: String = c
            .beneficiary_name
            .as_deref()
            .unwrap_or("-")
            .chars()
            .take(28)
            .collect();
        out += &format!(
            "  {:>5}  {:<36}  {:<7}  {:<28}  {:<8}  {:>17}  {:<9}  {:<9}  {}\n",
            c.line_no,
            c.case_id,
            c.region.as_deref().unwrap_or("-"),
            name,
            c.change,
            c.amount.map(rupiah).unwrap_or_default(),
            c.tranches.as_deref().unwrap_or("-"),
            c.outcome,
            c.reason.as_deref().unwrap_or_default()
        );
    }
    out
}

/// The decree's list, or every bad row named (line, column, reason).
fn read_lines(
    path: &PathBuf,
) -> anyhow::Result<Result<Vec<DecreeLine>, Vec<pantau_registry::decree::LineError>>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(pantau_registry::decree::read(std::io::BufReader::new(file)))
}

/// The scanned decree, checked to be a PDF of at most 20 MB.
fn read_scan(pdf: &PathBuf) -> anyhow::Result<Scan> {
    let data = std::fs::read(pdf).with_context(|| format!("cannot read {}", pdf.display()))?;
    if !data.starts_with(b"%PDF-") {
        bail!("{}: not a PDF (bukan PDF)", pdf.display());
    }
    if data.len() > 20 * 1024 * 1024 {
        bail!("{}: larger than 20 MB (lebih dari 20 MB)", pdf.display());
    }
    let name = pdf
        .file_name()
        .map_or_else(|| "sk.pdf".into(), |n| n.to_string_lossy().into_owned());
    Ok(Scan { name, data })
}
