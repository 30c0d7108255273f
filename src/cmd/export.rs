//! `pantau export`: the Ministry bundle of a region and a fiscal year (see
//! `pantau_bundle` for the format and what a check proves).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, SubsecRound as _, Utc};
use pantau_bundle::{ActorLine, CaseLine, EventLine, Writer};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode};
use pantau_report::html::Templates;
use pantau_report::{ReportName, Request};
use pantau_store::Store;
use pantau_store::model::Event;
use pantau_store::read::export::ExportCase;

use super::{Located, Sources, block_on};
use crate::config::DbArgs;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// A province (`18`: with its kabupaten/kota `18.xx`) or one kabupaten/kota (`18.71`).
    #[arg(long)]
    region: String,
    /// The fiscal year: every case with an event in it (UTC), with its whole chain.
    #[arg(long)]
    year: i32,
    /// The bundle to write (a gzip'd tar, `.tar.gz`). Its `created_at` is now,
    /// or SOURCE_DATE_EPOCH when set, for a bundle byte for byte the same.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    sources: Sources,
}

pub fn run(args: ExportArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let region = RegionCode::parse(&args.region)
        .map_err(|e| anyhow::anyhow!("--region {}: {e}", args.region))?;
    anyhow::ensure!(
        (1900..=9999).contains(&args.year),
        "--year {}: a year between 1900 and 9999",
        args.year
    );
    let created_at = created_at()?;
    let store = block_on(Store::open(&db.settings()?))?;
    let mut writer = Writer::new(region.clone(), args.year, created_at)?;
    let mut export = store
        .export(Scope::Region(region.clone()), args.year)
        .context("the year is out of range")?;
    while let Some(page) = block_on(export.next_page())? {
        for (case, events) in page {
            writer.case(&case_line(&case))?;
            for e in &events {
                writer.event(&event_line(e))?;
            }
        }
    }
    let reports = report_members(
        &store,
        &args.sources.locate(db)?,
        &region,
        args.year,
        created_at,
    )?;
    let report_count = reports.len();
    let (manifest, digest) = write_atomically(&args.out, |file| {
        Ok(writer.finish(reports, std::io::BufWriter::new(file))?)
    })?;
    println!(
        "{}: region {}, year {}: {} cases, {} events, {report_count} report file(s)",
        args.out.display(),
        manifest.region,
        manifest.year,
        manifest.counts.cases,
        manifest.counts.events,
    );
    println!(
        "manifest SHA-256 {digest} (send it separately; `pantau audit verify --bundle` prints it)"
    );
    // Check what was written: a chain already broken in the database shows here.
    let checked = pantau_bundle::verify_file(&args.out)?;
    if checked.intact() {
        return Ok(ExitCode::SUCCESS);
    }
    for p in &checked.problems {
        eprintln!("TAMPERED: {p}");
    }
    eprintln!(
        "the bundle was written but does not verify: {} problem(s), see `pantau audit verify`",
        checked.problems.len()
    );
    Ok(ExitCode::from(1))
}

/// The report files of the bundle, as (file name, bytes): the
/// accountability report of the region and year, as HTML (to read) and
/// CSV (to process), made as of `created_at` so that the same database
/// gives the same bundle; the registry's corrections and merges, and the
/// payment batches' lines with the bank's answers.
fn report_members(
    store: &Store,
    at: &Located,
    region: &RegionCode,
    year: i32,
    created_at: DateTime<Utc>,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let catalog = super::catalog_for(store, at)?;
    let templates = Templates::load(&at.templates)?;
    let zone = block_on(store.region(region.as_str()))?
        .and_then(|r| r.zone.parse().ok())
        .unwrap_or_default();
    let req = Request {
        report: ReportName::Accountability,
        year: Some(year),
        program: None,
        scope: Scope::Region(region.clone()),
        case_id: None,
        from: None,
        to: None,
        signer: None,
        lang: Lang::Id,
        zone,
        now: created_at,
        // The accountability report holds no indicators, nor photos.
        targets: Default::default(),
        photo_bytes: pantau_report::monev::CARRIED_BYTES,
    };
    let doc = block_on(pantau_report::gather::document(
        store, &catalog, &templates, &req,
    ))?;
    Ok(vec![
        (
            "accountability.html".into(),
            templates.render(&doc)?.into_bytes(),
        ),
        (
            "accountability.csv".into(),
            pantau_report::csv::write(&doc)?,
        ),
        (
            "registry-corrections.csv".into(),
            corrections(store, region, year)?,
        ),
        ("registry-merges.csv".into(), merges(store, region, year)?),
        ("payments.csv".into(), payments(store, region, year)?),
    ])
}

/// The first instant of year `y` (UTC).
fn start(y: i32) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    chrono::NaiveDate::from_ymd_opt(y, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .context("the year is out of range")
}

/// The registry's merges in the region (by the kept record's) made in the
/// year (UTC), as CSV: both records, who merged them, when, why, how many
/// cases moved, and each year both had a record of (JSON).
fn merges(store: &Store, region: &RegionCode, year: i32) -> anyhow::Result<Vec<u8>> {
    let lines = block_on(store.merges_within(
        &Scope::Region(region.clone()),
        start(year)?,
        start(year + 1)?,
    ))?;
    let mut out = pantau_registry::sheet::Writer::new(Vec::new());
    out.row([
        "kept_id",
        "kept_name",
        "merged_id",
        "merged_name",
        "region_code",
        "reason",
        "merged_by",
        "merged_at",
        "cases_moved",
        "years",
    ])?;
    for l in lines {
        out.row([
            l.kept_id,
            l.kept_name,
            l.merged_id,
            l.merged_name,
            l.region_code,
            l.reason,
            l.merged_by,
            l.merged_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            l.cases_moved.to_string(),
            l.years,
        ])?;
    }
    Ok(out.into_inner()?)
}

/// Every line of the payment batches made in the year (UTC) whose tranche
/// is in the region, as CSV: the batch, the line's reference, case,
/// kabupaten/kota, tranche and amount, where it stands (`open`, `ordered`:
/// sent to the bank and not answered, `paid`, `failed`, `returned`,
/// `removed`) and the bank's reference, date and reason.
fn payments(store: &Store, region: &RegionCode, year: i32) -> anyhow::Result<Vec<u8>> {
    let lines = block_on(store.payment_lines_within(
        &Scope::Region(region.clone()),
        start(year)?,
        start(year + 1)?,
    ))?;
    let mut out = pantau_registry::sheet::Writer::new(Vec::new());
    out.row([
        "batch",
        "reference",
        "case_id",
        "region_code",
        "tranche_no",
        "amount",
        "status",
        "bank_reference",
        "bank_date",
        "reason",
    ])?;
    for l in lines {
        out.row([
            l.batch,
            l.reference,
            l.case_id,
            l.region,
            l.tranche_no.to_string(),
            l.amount.to_string(),
            l.status,
            l.bank_reference.unwrap_or_default(),
            l.bank_date.map(|d| d.to_string()).unwrap_or_default(),
            l.reason.unwrap_or_default(),
        ])?;
    }
    Ok(out.into_inner()?)
}

/// The registry's corrections in the region made in the year (UTC), as
/// CSV: who changed which value of which beneficiary, when, from what to
/// what, and why.
fn corrections(store: &Store, region: &RegionCode, year: i32) -> anyhow::Result<Vec<u8>> {
    let lines = block_on(store.corrections_within(
        &Scope::Region(region.clone()),
        start(year)?,
        start(year + 1)?,
    ))?;
    let mut out = pantau_registry::sheet::Writer::new(Vec::new());
    out.row([
        "beneficiary_id",
        "beneficiary_name",
        "region_code",
        "field",
        "old_value",
        "new_value",
        "reason",
        "changed_by",
        "changed_at",
    ])?;
    for l in lines {
        out.row([
            l.beneficiary_id,
            l.beneficiary_name,
            l.region_code,
            l.field,
            l.old_value.unwrap_or_default(),
            l.new_value.unwrap_or_default(),
            l.reason,
            l.changed_by,
            l.changed_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ])?;
    }
    Ok(out.into_inner()?)
}

/// SOURCE_DATE_EPOCH when set (reproducible output), else now, in whole
/// seconds: the tar stamps its members in seconds, and the check holds
/// `created_at` to that stamp.
fn created_at() -> anyhow::Result<DateTime<Utc>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .with_context(|| format!("SOURCE_DATE_EPOCH `{s}` is not seconds since 1970")),
        Err(_) => Ok(Utc::now().trunc_subsecs(0)),
    }
}

/// Writes `out` through a `.partial` file beside it, renamed when complete,
/// so a failed export leaves no half bundle.
fn write_atomically<T>(
    out: &Path,
    write: impl FnOnce(std::fs::File) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let done = write(file)
        .and_then(|t| {
            std::fs::rename(&partial, out)
                .with_context(|| format!("cannot rename {}", partial.display()))?;
            Ok(t)
        })
        .with_context(|| format!("cannot write {}", out.display()));
    if done.is_err() {
        std::fs::remove_file(&partial).ok();
    }
    done
}

fn case_line(c: &ExportCase) -> CaseLine {
    CaseLine {
        id: c.id.clone(),
        workflow: c.workflow.clone(),
        workflow_version: i64::from(c.workflow_version),
        program: c.program_id.clone(),
        region: c.region.clone(),
        beneficiary: c.beneficiary_id.clone(),
        state: c.state.clone(),
        seq: c.seq,
        head_hash: c.head_hash.clone(),
    }
}

fn event_line(e: &Event) -> EventLine {
    EventLine {
        case_id: e.case_id.clone(),
        seq: e.seq,
        at: e.at,
        actor: ActorLine {
            user: e.actor_user.clone(),
            role: e.actor_role.clone(),
        },
        action: e.action.clone(),
        prev_hash: e.prev_hash.clone(),
        hash: e.hash.clone(),
        body: e.body.clone(),
    }
}
