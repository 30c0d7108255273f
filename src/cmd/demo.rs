//! `pantau demo`: fill the database with a realistic, repeatable picture.

use std::process::ExitCode;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use pantau_demo::Options;
use pantau_domain::Rupiah;
use pantau_store::Store;

use super::{Sources, block_on};
use crate::config::{DbArgs, redact};

/// Every demo user's password: the demo is for exploring, never for real data.
pub const DEMO_PASSWORD: &str = "pantau-demo-2026";

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// The same seed gives the same data.
    #[arg(long, default_value_t = 2019)]
    seed: u64,
    /// 1.0 is the sources' full size (2,016 cooperatives, 168,938 UMKM); 0.1 a tenth, in proportion.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// The demo's "today" (default: today, UTC): visits are due or overdue relative to it.
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Cases in each state of each workflow.
    #[arg(long, default_value_t = 2)]
    cases_per_state: usize,
    #[command(flatten)]
    sources: Sources,
}

pub fn run(args: DemoArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    if !(0.0001..=10.0).contains(&args.scale) {
        anyhow::bail!("--scale must lie between 0.0001 and 10");
    }
    let settings = db.settings()?;
    let store = block_on(Store::open(&settings))?;
    let catalog = super::catalog_for(&store, &args.sources.locate(db)?)?;
    let day = args.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let as_of = Utc.from_utc_datetime(&day.and_hms_opt(1, 0, 0).unwrap_or_default());
    let opts = Options {
        seed: args.seed,
        scale: args.scale,
        as_of,
        cases_per_state: args.cases_per_state.max(1),
        password_hash: Some(
            block_on(pantau_server::password::hash(DEMO_PASSWORD.to_string()))
                .map_err(anyhow::Error::msg)?,
        ),
    };
    let s = block_on(pantau_demo::fill(&store, &catalog, &opts))?;
    println!(
        "demo data in {} (seed {}, as of {})",
        redact(&settings.url),
        args.seed,
        day.format("%d/%m/%Y")
    );
    println!(
        "  beneficiaries: {} cooperatives and {} UMKM in Lampung's 15 kabupaten/kota, {} PKL in West Sumatra, {} new entrepreneurs",
        s.cooperatives, s.umkm, s.pkl, s.entrepreneurs
    );
    println!(
        "  cooperative statuses: {} yearly records ({}–{}) for the indicators",
        s.cooperative_years,
        day.year() - 2,
        day.year()
    );
    for (id, name, ceiling) in &s.programs {
        match Rupiah::new(*ceiling) {
            Ok(c) if c != Rupiah::ZERO => println!("  program {id}: {name}, {c}"),
            // Registration (e.g. PKL) moves no money.
            _ => println!("  program {id}: {name}, tanpa dana (registration only)"),
        }
    }
    let workflows: std::collections::BTreeSet<&str> =
        s.states.iter().map(|(w, _, _)| w.as_str()).collect();
    println!(
        "  cases: {} in all {} states of {} workflows, {} transitions",
        s.cases,
        s.states.len(),
        workflows.len(),
        s.transitions
    );
    for (number, done, refused) in &s.decrees {
        println!(
            "  decree SK {number}: {done} case(s) taken, {refused} refused (pantau decree show {number})"
        );
    }
    println!(
        "  monev visits: {} done, {} due, {} overdue",
        s.visits_done, s.visits_due, s.visits_overdue
    );
    for b in &s.batches {
        let standing = [
            (b.paid.0, "paid"),
            (b.failed.0, "failed"),
            (b.returned.0, "returned"),
            (b.ordered.0, "awaiting the bank"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect::<Vec<_>>()
        .join(", ");
        println!(
            "  payment batch {} by {}: {} tranche(s), {}: {standing}",
            b.number, b.created_by, b.lines, b.total
        );
    }
    println!(
        "explore: pantau case list | pantau program show bansos-kud-2026-lampung | pantau audit verify"
    );
    println!(
        "reports: pantau report program-progress --year {} --out progres.pdf (also monev, accountability, indicators; html, csv, xlsx)",
        day.year()
    );
    println!(
        "sign in: `pantau serve`, open http://127.0.0.1:8080/ with password `{DEMO_PASSWORD}` as any of:"
    );
    println!("  admin, kementerian (Ministry, national), pengelola.18 (Lampung province manager),");
    println!(
        "  verifikator.18, pengelola.1871 (Kota Bandar Lampung manager), petugas.1871 (its field officer),"
    );
    println!("  bendahara.18 (Lampung treasurer: /bayar, or pantau pay batches --as bendahara.18)");
    Ok(ExitCode::SUCCESS)
}
