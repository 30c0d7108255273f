//! `pantau report NAME`: a report as HTML, CSV, XLSX or PDF.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{NaiveDate, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Role, Zone};
use pantau_report::html::Templates;
use pantau_report::pdf::{Chromium, Printer as _};
use pantau_report::{Format, ReportName, Request, Signer};
use pantau_store::Store;

use super::{Sources, block_on};
use crate::config::DbArgs;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// program-progress, monev, accountability or indicators.
    name: ReportName,
    /// The fiscal year.
    #[arg(long)]
    year: Option<i32>,
    /// One program's id (default: every program of the year).
    #[arg(long)]
    program: Option<String>,
    /// A province (`18`) or kabupaten/kota (`18.71`) code (default: all the reader may see).
    #[arg(long)]
    region: Option<RegionCode>,
    /// Make the report as this user sees it: only their region's figures.
    #[arg(long = "as")]
    as_user: Option<String>,
    /// monev: one case's visits.
    #[arg(long)]
    case: Option<String>,
    /// monev: visits done from this day (YYYY-MM-DD) …
    #[arg(long)]
    from: Option<NaiveDate>,
    /// … through this day.
    #[arg(long)]
    to: Option<NaiveDate>,
    /// html, csv, xlsx or pdf (default: from the --out file's extension, else html).
    #[arg(long)]
    format: Option<Format>,
    /// The file to write (default: standard output for html and csv; `-`
    /// is standard output for any format).
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long, default_value = "id")]
    lang: Lang,
    /// The time zone to show times in: WIB, WITA or WIT.
    #[arg(long, default_value = "WIB")]
    zone: Zone,
    /// accountability: who signs it off, their position, NIP (18 digits) and place.
    #[arg(long, requires_all = ["position", "nip", "place"])]
    signer: Option<String>,
    #[arg(long)]
    position: Option<String>,
    #[arg(long)]
    nip: Option<String>,
    #[arg(long)]
    place: Option<String>,
    #[command(flatten)]
    sources: Sources,
}

pub fn run(args: ReportArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let at = args.sources.locate(db)?;
    let catalog = super::case::load(&at)?;
    let templates = Templates::load(&at.templates)?;
    let format = match (args.format, &args.out) {
        (Some(f), _) => f,
        (None, Some(out)) => match out.extension().and_then(|e| e.to_str()) {
            Some(ext) => ext.parse()?,
            None => Format::Html,
        },
        (None, None) => Format::Html,
    };
    if args.out.is_none() && matches!(format, Format::Xlsx | Format::Pdf) {
        anyhow::bail!("--out: give a file to write the {} to", format.as_str());
    }
    let signer = match (&args.signer, &args.position, &args.nip, &args.place) {
        (Some(s), Some(p), Some(n), Some(pl)) => Some(Signer::new(s, p, n, pl)?),
        _ => None,
    };
    // Find Chromium before the work, so a missing part is said first.
    let printer = (format == Format::Pdf).then(Chromium::find).transpose()?;
    let settings = db.settings()?;
    let bytes = block_on(async {
        let store = Store::open(&settings).await?;
        let catalog = store.pinned_catalog(catalog).await?;
        let scope = scope(&store, &args).await?;
        let req = Request {
            report: args.name,
            year: args.year,
            program: args.program.clone(),
            scope,
            case_id: args.case.clone(),
            from: args.from,
            to: args.to,
            signer,
            lang: args.lang,
            zone: args.zone,
            now: Utc::now(),
            targets: db.indicator_targets()?,
            photo_bytes: pantau_report::monev::CARRIED_BYTES,
        };
        let doc = pantau_report::gather::document(&store, &catalog, &templates, &req).await?;
        anyhow::Ok(match format {
            Format::Html => templates.render(&doc)?.into_bytes(),
            Format::Csv => pantau_report::csv::write(&doc)?,
            Format::Xlsx => pantau_report::xlsx::write(&doc)?,
            Format::Pdf => {
                let html = templates.render(&doc)?;
                match &printer {
                    Some(p) => p.print(&html)?,
                    None => anyhow::bail!("no PDF printer"),
                }
            }
        })
    })?;
    match args.out.as_ref().filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            std::fs::write(path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "{} ({}, {} bytes) written to {}",
                args.name.as_str(),
                format.as_str(),
                bytes.len(),
                path.display()
            );
        }
        None => {
            use std::io::Write as _;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--region` within what `--as` may see (everything when no user is named).
async fn scope(store: &Store, args: &ReportArgs) -> anyhow::Result<Scope> {
    let reader = match &args.as_user {
        None => Scope::National,
        Some(login) => {
            let user = store
                .user(login)
                .await?
                .with_context(|| format!("--as: no user `{login}`"))?;
            let role: Role = user
                .role
                .parse()
                .map_err(|e| anyhow::anyhow!("user {login}: {e}"))?;
            let region = user
                .region_code
                .as_deref()
                .map(str::parse::<RegionCode>)
                .transpose()
                .map_err(|e| anyhow::anyhow!("user {login}: {e}"))?;
            Scope::of(role, region.as_ref()).map_err(|e| anyhow::anyhow!("user {login}: {e}"))?
        }
    };
    match &args.region {
        None => Ok(reader),
        Some(r) if reader.covers(Some(r.as_str())) => Ok(Scope::Region(r.clone())),
        Some(r) => anyhow::bail!(
            "--region: {r} is outside what {} may see",
            args.as_user.as_deref().unwrap_or("?")
        ),
    }
}
