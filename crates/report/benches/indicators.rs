//! The cooperative indicators for all of Indonesia and for one province,
//! on SQLite and PostgreSQL, over a national registry.
//!
//! ```text
//! cargo bench -p pantau-report --bench indicators
//! cargo bench -p pantau-report --bench indicators -- cooperatives=50000 sqlite
//! ```
//!
//! Setup (not timed): every kabupaten/kota of the shipped regions (514 in
//! 38 provinces) and N cooperatives (default 130,000, as many as Indonesia
//! registers with the Koperasi Desa Merah Putih) spread over them, each
//! with three years of verified yearly records (active, RAT held, quality,
//! drawn from the cooperative's number), written with plain multi-row
//! INSERTs, then `ANALYZE`: about 520,000 rows. The SQLite file is kept
//! under `target/bench-indicators/` and used again by the next run of the
//! same size; PostgreSQL gets a fresh database, dropped afterwards.
//!
//! Timed, three rounds each, median shown: the indicators report
//! (`gather::indicator_figures` and the document written as CSV) for the
//! whole country (a row per province and the national row; target
//! ≤ 2 s) and for Jawa Timur (35, 38 kabupaten/kota; target ≤ 200 ms),
//! and the process's peak memory over them (VmHWM, reset before; target
//! ≤ 300 MB). The bench checks the national row against a plain count.
//!
//! Tiny mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it): 600
//! cooperatives in a temporary file, one round, the same checks. Its
//! figures mean nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Zone};
use pantau_registry::regions::Regions;
use pantau_report::html::Templates;
use pantau_report::indicators::{self, Targets};
use pantau_report::{Context, gather};
use pantau_store::{Settings, Store};
use sea_orm::{ConnectionTrait, Statement};

#[path = "../../../tests/support/bench.rs"]
mod bench;
#[path = "../../../tests/support/catalog.rs"]
#[allow(dead_code)]
mod catalog;
#[path = "../../../tests/support/db.rs"]
#[allow(dead_code)]
mod db;

const YEAR: i32 = 2026;
const PROVINCE: &str = "35";

fn rounds() -> usize {
    if bench::tiny() { 1 } else { 3 }
}

fn main() {
    let args = bench::args();
    let default = if bench::tiny() { 600 } else { 130_000 };
    let n = bench::number(&args, "cooperatives", default);
    let picked = bench::picked(&args);
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(run(n, &picked));
}

/// What one backend measured.
struct Measured {
    backend: &'static str,
    setup: Option<Duration>,
    national: Duration,
    province: Duration,
    peak_mb: Option<f64>,
}

async fn run(n: usize, picked: &[String]) {
    let mut done = vec![];
    let mut skipped = vec![];
    if bench::wanted(picked, "sqlite") {
        let (_tmp, url, kept) = sqlite_file(n);
        let store = Store::open(&Settings::new(url)).await.unwrap();
        let setup = if kept {
            None
        } else {
            Some(fill(&store, n).await)
        };
        if let Some(t) = setup.filter(|_| !bench::tiny()) {
            std::fs::write(marker(n), format!("{:.1} s\n", t.as_secs_f64())).unwrap();
        }
        done.push(measure(&store, "SQLite", setup, n).await);
    }
    if bench::wanted(picked, "postgres") {
        match db::fresh_postgres().await {
            Ok(url) => {
                let store = Store::open(&Settings::new(url.clone())).await.unwrap();
                let setup = Some(fill(&store, n).await);
                done.push(measure(&store, "PostgreSQL", setup, n).await);
                db::drop_postgres(&url).await;
            }
            Err(why) => skipped.push(bench::skipped("PostgreSQL", &why)),
        }
    }
    println!();
    println!(
        "cooperative indicators over {} cooperatives × 3 verified years (median of {} round{})",
        bench::thousands(n as f64),
        rounds(),
        if rounds() == 1 { "" } else { "s" }
    );
    println!();
    let mut table = bench::Table::new(&[
        "database",
        "setup",
        "Indonesia (≤ 2 s)",
        "Jawa Timur (≤ 200 ms)",
        "peak memory (≤ 300 MB)",
    ]);
    let mut met = true;
    for m in &done {
        let peak_ok = m.peak_mb.is_none_or(|p| p <= 300.0);
        met &= m.national <= Duration::from_secs(2)
            && m.province <= Duration::from_millis(200)
            && peak_ok;
        table.row(vec![
            m.backend.into(),
            m.setup
                .map_or("kept file".into(), |t| format!("{:.1} s", t.as_secs_f64())),
            format!("{:.3} s", m.national.as_secs_f64()),
            format!("{:.1} ms", m.province.as_secs_f64() * 1e3),
            m.peak_mb.map_or("–".into(), |p| format!("{p:.0} MB")),
        ]);
    }
    table.print();
    for s in skipped {
        println!("{s}");
    }
    println!();
    println!("targets: {}", if met { "MET" } else { "NOT MET" });
}

/// The SQLite file for `n` cooperatives: kept under `target/` (and whether
/// it was filled already), or a temporary one in tiny mode.
fn sqlite_file(n: usize) -> (Option<tempfile::TempDir>, String, bool) {
    if bench::tiny() {
        let (dir, url) = db::fresh_sqlite();
        return (Some(dir), url, false);
    }
    let dir = folder();
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("national-{n}.db"));
    let kept = marker(n).is_file() && file.is_file();
    if !kept {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", file.display()));
        }
    }
    (None, format!("sqlite://{}?mode=rwc", file.display()), kept)
}

fn folder() -> PathBuf {
    catalog::repo_root().join("target").join("bench-indicators")
}

/// The file saying the SQLite file of `n` is complete.
fn marker(n: usize) -> PathBuf {
    folder().join(format!("national-{n}.done"))
}

async fn exec(store: &Store, sql: &str) {
    store.connection().execute_unprepared(sql).await.unwrap();
}

/// A number from 0 to 99 for cooperative `i` and `salt`, spread evenly.
fn draw(i: usize, salt: u64) -> u64 {
    let mut x = (i as u64) ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (x ^ (x >> 31)) % 100
}

/// The regions, and `n` cooperatives over the kabupaten/kota with three
/// verified years each; the time it took.
async fn fill(store: &Store, n: usize) -> Duration {
    let t = Instant::now();
    let regions = Regions::embedded().unwrap();
    store.seed_regions(&regions).await.unwrap();
    let kab: Vec<String> = regions
        .iter()
        .filter(|r| !r.code.is_province())
        .map(|r| r.code.to_string())
        .collect();
    const CHUNK: usize = 2_000;
    let at = "2026-01-01T00:00:00+00:00";
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        let (mut coops, mut years) = (String::new(), String::new());
        for i in start..end {
            let id = format!("k{i:07}");
            let region = &kab[i % kab.len()];
            let _ = write!(
                coops,
                "{}('{id}','cooperative','nik:{id}','{region}','Koperasi {i}',TRUE,FALSE,'{at}')",
                if coops.is_empty() { "" } else { "," },
            );
            // Some are new in the last two years; the others have all three.
            let first = match draw(i, 1) {
                0..=5 => YEAR,
                6..=12 => YEAR - 1,
                _ => YEAR - 2,
            };
            for y in first..=YEAR {
                let salt = y as u64 * 7;
                let active = draw(i, salt) < 75;
                let rat = active && draw(i, salt + 1) < 55 + (YEAR - y) as u64 * 5;
                let quality = active && draw(i, salt + 2) < 16;
                let _ = write!(
                    years,
                    "{}('{id}',{y},{active},{rat},{quality},'bench','{at}')",
                    if years.is_empty() { "" } else { "," },
                );
            }
        }
        let sql = format!(
            "BEGIN;\
             INSERT INTO beneficiaries (id, kind, natural_key, region_code, name, active, dissolved, created_at) VALUES {coops};\
             INSERT INTO cooperative_years (beneficiary_id, year, active, rat_held, quality, verified_by, verified_at) VALUES {years};\
             COMMIT;"
        );
        exec(store, &sql).await;
        start = end;
    }
    exec(store, "ANALYZE").await;
    t.elapsed()
}

/// The peak resident memory of this process (VmHWM, Linux), in MB.
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak (`5` to `clear_refs`), so that it counts from here.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn measure(
    store: &Store,
    backend: &'static str,
    setup: Option<Duration>,
    n: usize,
) -> Measured {
    let templates = Templates::load(&catalog::repo_root().join("templates")).unwrap();
    let targets = Targets::default();
    let names: std::collections::BTreeMap<String, String> = store
        .regions_in(&Scope::National)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let cx = Context {
        words: &templates.words,
        lang: Lang::Id,
        zone: Zone::Wib,
        now: Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap(),
        regions: &names,
    };
    let report = |scope: Scope| {
        let (targets, cx) = (&targets, &cx);
        async move {
            let t = Instant::now();
            let f = gather::indicator_figures(store, &scope, YEAR, targets)
                .await
                .unwrap();
            let doc = indicators::build(cx, vec![], &f);
            let csv = pantau_report::csv::write(&doc).unwrap();
            assert!(!csv.is_empty());
            (t.elapsed(), f)
        }
    };
    reset_peak();
    let (mut national, mut province) = (vec![], vec![]);
    let province_scope = Scope::Region(RegionCode::parse(PROVINCE).unwrap());
    for _ in 0..rounds() {
        let (t, f) = report(Scope::National).await;
        national.push(t);
        let total = f.total.expect("a national row");
        assert_eq!(f.rows.len(), 38, "a row per province");
        let records = count(
            store,
            "SELECT COUNT(*) FROM cooperative_years WHERE year = 2026 AND verified_at IS NOT NULL",
        )
        .await;
        assert_eq!(
            total.counts.records, records,
            "{backend}: the national row counts every record"
        );
        assert_eq!(
            records, n as i64,
            "every cooperative has a record of {YEAR}"
        );
        let (t, f) = report(province_scope.clone()).await;
        province.push(t);
        assert!(
            f.rows
                .iter()
                .all(|r| r.region.as_deref().is_some_and(|c| c.starts_with("35.")))
        );
        assert_eq!(f.total.unwrap().region.as_deref(), Some(PROVINCE));
    }
    let peak = peak_mb();
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    Measured {
        backend,
        setup,
        national: median(&mut national),
        province: median(&mut province),
        peak_mb: peak,
    }
}

async fn count(store: &Store, sql: &str) -> i64 {
    let db = store.connection();
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}
