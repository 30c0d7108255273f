//! A file of cooperatives' yearly data through `Store::import_years`: each
//! row a `data_tahunan` case opened and sent (`submit`) by the engine, in
//! chunks of 2,000 rows per transaction, decided in batches on blocking
//! threads while the batch before is written. Prints rows per second for
//! the first import, the time of the same file again (which finds every
//! row's key and writes nothing), and the process's peak memory.
//!
//! Run (release profile):
//!
//! ```text
//! cargo bench -p pantau-store --bench yearly
//! cargo bench -p pantau-store --bench yearly -- sqlite rows=100000
//! ```
//!
//! Words after `--` pick backends (`sqlite`, `postgres`; without any,
//! both) and `rows=N` the rows (default 50,000). Tiny mode
//! (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it through `cargo test -p
//! pantau-store --bench yearly`): 300 rows (one chunk and a part), every
//! check as below, and `Store::verify()` over every chain; its figures mean
//! nothing.
//!
//! Setup (not timed): N cooperatives registered in Lampung's kabupaten/kota
//! through the beneficiary import, a `data_tahunan` program of Lampung,
//! and the yearly CSV as Excel saves it (`;`, rupiah with thousands dots).
//! Timed: one `import_years` call as the province's
//! manager (the rows are in all fifteen kabupaten/kota), from the file's bytes
//! to the last commit: reading, checking every row (the engine decides each
//! once in memory, on every core), and writing (each row's two events, its
//! case row, its reminders). Checked after: N cases `submitted`, 2N events,
//! the second import made nothing.
//!
//! Peak memory is the process's (`VmHWM` in `/proc/self/status`) after the
//! backend's run: it includes the setup's and, for the second backend,
//! the first's. `benches/import.rs` measures the beneficiary import's in a
//! process of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::time::Instant;

use chrono::Utc;
use pantau_domain::Role;
use pantau_domain::access::Scope;
use pantau_registry::regions::Regions;
use pantau_store::registry::NewProgram;
use pantau_store::yearly::YearFile;
use pantau_store::{Settings, Store};
use pantau_workflow::{Actor, Context};

#[path = "../../../tests/support/bench.rs"]
mod bench;
#[path = "../../../tests/support/db.rs"]
#[allow(dead_code)]
mod db;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;
#[path = "../../../tests/support/sql.rs"]
mod sql;

const DEFAULT_ROWS: usize = 50_000;
const TINY_ROWS: usize = 300;
const PROGRAM: &str = "data-tahunan-2025";
/// Lampung's 15 kabupaten/kota, as NIK Koperasi's first four digits.
const REGIONS: [&str; 15] = [
    "18.01", "18.02", "18.03", "18.04", "18.05", "18.06", "18.07", "18.08", "18.09", "18.10",
    "18.11", "18.12", "18.13", "18.71", "18.72",
];

fn nik(i: usize) -> (String, &'static str) {
    let region = REGIONS[i % REGIONS.len()];
    (format!("{}{:012}", region.replace('.', ""), i + 1), region)
}

fn cooperatives(n: usize) -> String {
    let mut out = String::from(
        "kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active\n",
    );
    for i in 0..n {
        let (nik, region) = nik(i);
        writeln!(
            out,
            "cooperative,{region},Koperasi {i},{nik},{i}/BH/X.3/2015,KSP,100,ya"
        )
        .unwrap();
    }
    out
}

fn yearly(n: usize) -> Vec<u8> {
    let mut out = String::from(
        "nik_koperasi;tahun;aktif;rat;tanggal_rat;jumlah_anggota;modal_sendiri;modal_luar;aset;volume_usaha;shu;kesehatan_ksp\r\n",
    );
    for i in 0..n {
        let (nik, _) = nik(i);
        writeln!(
            out,
            "{nik};2025;ya;ya;14/03/2026;{};Rp 1.250.000.000;300.000.000;1.730.000.000;2.100.000.000;(12.500.000);sehat\r",
            100 + i % 400
        )
        .unwrap();
    }
    out.into_bytes()
}

/// The process's peak resident memory in MB (Linux).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

struct Figures {
    seconds: f64,
    again: f64,
    peak: Option<f64>,
}

async fn run(url: &str, n: usize, file: &[u8]) -> Figures {
    let store = Store::open(&Settings::new(url.to_string())).await.unwrap();
    let catalog = shipped::catalog();
    let regions = Regions::embedded().unwrap();
    let coops = cooperatives(n);
    let tally = store
        .import_csv(
            coops.as_bytes(),
            &regions,
            &Scope::National,
            |_| Ok(()),
            |r| panic!("cooperative refused: {r:?}"),
        )
        .await
        .unwrap();
    assert_eq!(tally.new as usize, n);
    assert!(
        store
            .add_program(&NewProgram {
                id: PROGRAM.into(),
                name: "Data Tahunan Koperasi Lampung 2025".into(),
                workflow: "data_tahunan".into(),
                workflow_version: 1,
                fiscal_year: 2025,
                funding_source: "APBD".into(),
                budget_ceiling: 0,
                province: "18".into(),
                allocations: vec![],
            })
            .await
            .unwrap()
    );
    let cx = Context {
        now: Utc::now(),
        actor: Actor {
            user: "pengelola.18".into(),
            role: Role::ManagerProvince,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    };
    let scope = Scope::Region(pantau_domain::RegionCode::parse("18").unwrap());
    let import = || {
        store.import_years(
            &catalog,
            PROGRAM,
            YearFile {
                name: "data-tahunan-lampung.csv",
                bytes: file,
            },
            &cx,
            &scope,
        )
    };
    let started = Instant::now();
    let report = import().await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        report.applied(),
        "{:?}",
        &report.refused[..report.refused.len().min(5)]
    );
    assert_eq!(report.made, n);
    let started = Instant::now();
    let again = import().await.unwrap();
    let again_s = started.elapsed().as_secs_f64();
    assert_eq!((again.made, again.already), (0, n));
    let sent = sql::count(
        &store,
        "SELECT COUNT(*) FROM cases WHERE workflow = 'data_tahunan' AND state = 'submitted'",
    )
    .await;
    assert_eq!(sent as usize, n);
    assert_eq!(
        sql::count(&store, "SELECT COUNT(*) FROM events").await as usize,
        2 * n
    );
    if bench::tiny() {
        assert_eq!(store.verify().await.unwrap(), Ok(2 * n));
    }
    Figures {
        seconds,
        again: again_s,
        peak: peak_mb(),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = bench::args();
    let n = bench::number(
        &args,
        "rows",
        if bench::tiny() {
            TINY_ROWS
        } else {
            DEFAULT_ROWS
        },
    );
    let picked = bench::picked(&args);
    let file = yearly(n);
    let mut table = bench::Table::new(&[
        "backend",
        "rows",
        "import s",
        "rows/s",
        "same file again s",
        "peak MB",
    ]);
    let mut notes = Vec::new();
    for backend in ["sqlite", "postgres"] {
        if !bench::wanted(&picked, backend) {
            continue;
        }
        eprintln!("yearly: {backend}, {n} rows");
        let (url, _dir) = if backend == "sqlite" {
            let (dir, url) = db::fresh_sqlite();
            (url, Some(dir))
        } else {
            match db::fresh_postgres().await {
                Ok(url) => (url, None),
                Err(why) => {
                    notes.push(bench::skipped("postgres", &why));
                    continue;
                }
            }
        };
        let f = run(&url, n, &file).await;
        if backend == "postgres" {
            db::drop_postgres(&url).await;
        }
        table.row(vec![
            backend.into(),
            bench::thousands(n as f64),
            format!("{:.2}", f.seconds),
            bench::thousands(n as f64 / f.seconds),
            format!("{:.2}", f.again),
            f.peak.map_or_else(|| "-".into(), |p| format!("{p:.0}")),
        ]);
    }
    table.print();
    for n in notes {
        println!("{n}");
    }
}
