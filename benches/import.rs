//! `pantau import beneficiaries` on a 1,000,000-row CSV into a fresh
//! SQLite file: rows per second and the importing process's peak memory,
//! then the same file again (nothing new to add), measured in one run.
//!
//! Run (release profile; a few minutes after the build):
//!
//! ```text
//! cargo bench --bench import
//! cargo bench --bench import -- rows=200000
//! ```
//!
//! `rows=N` after `--` changes the number of rows (default 1,000,000). The
//! table goes to stdout; progress goes to stderr.
//!
//! The CSV (not timed) is generated into a temporary folder with a fixed
//! seed: 15% cooperatives, 45% UMKM, 25% PKL and 15% new entrepreneurs,
//! spread over Lampung's 15 kabupaten/kota (18.01–18.13, 18.71, 18.72),
//! every identifier valid (NIK with a real birth date and serial, 13-digit
//! NIB, NIK Koperasi starting with its region's four digits) and every
//! natural key distinct, names with commas and quotes now and then, a
//! location on about half the rows. All 16 columns are in the header.
//!
//! Each run is the real binary (`CARGO_BIN_EXE_pantau`, built in release
//! for a bench) with `PANTAU_DATA_DIR` set to a fresh folder and nothing
//! else configured, so it uses the default SQLite file (WAL,
//! `synchronous=FULL`). The wall time is from spawning the process to its
//! exit (it includes opening and migrating the database). The peak memory
//! is the process's maximum resident set size, `ru_maxrss` from
//! `getrusage(RUSAGE_CHILDREN)` (through `nix`, as the workspace forbids
//! `unsafe`): each import runs under a small wrapper (this bench binary
//! started again with `PANTAU_BENCH_IMPORT_CHILD=1`) whose only child is
//! `pantau`, so the figure is that one run's own.
//!
//! Under the table: the targets (at least 100,000 rows/s on the first
//! import, under 200 MB peak). The columns `CPU user + sys` and `written to
//! disk` (`ru_utime`, `ru_stime`, `ru_oublock`) show where the wall time goes.
//! The second import must add 0 rows. After each run the bench counts the
//! rows in the `beneficiaries` table; wrong counts make the exit code 1.
//!
//! Tiny mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it: `cargo test
//! --bench import`, a dev build of the bench and of `pantau`): 300 rows
//! unless `rows=N` says otherwise, both imports and every check. Its figures
//! mean nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/bench.rs"]
mod bench;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use bench::thousands;
use nix::sys::resource::{UsageWho, getrusage};
use pantau_registry::beneficiary::COLUMNS;
use sea_orm::{ConnectionTrait, Statement};

const DEFAULT_ROWS: usize = 1_000_000;
/// The default in the tiny mode (`PANTAU_BENCH_TINY=1`).
const TINY_ROWS: usize = 300;
const CHILD: &str = "PANTAU_BENCH_IMPORT_CHILD";
/// Lampung's 15 kabupaten/kota, with a rough centre for the generated locations.
const REGIONS: [(&str, f64, f64); 15] = [
    ("18.01", -5.55, 105.50),
    ("18.02", -4.85, 105.25),
    ("18.03", -4.85, 104.85),
    ("18.04", -5.05, 104.15),
    ("18.05", -4.45, 105.45),
    ("18.06", -5.35, 104.65),
    ("18.07", -5.10, 105.65),
    ("18.08", -4.45, 104.50),
    ("18.09", -5.45, 105.05),
    ("18.10", -5.35, 104.95),
    ("18.11", -4.05, 105.40),
    ("18.12", -4.50, 105.05),
    ("18.13", -5.20, 103.95),
    ("18.71", -5.42, 105.26),
    ("18.72", -5.11, 105.31),
];
const COOP_KINDS: [&str; 8] = [
    "ksp",
    "kud",
    "kopontren",
    "desa_wisata",
    "konsumen",
    "produsen",
    "pemasaran",
    "jasa",
];
const MARKETS: [&str; 8] = [
    "Pasar Bambu Kuning",
    "Pasar Tugu",
    "Pasar Way Halim",
    "Pasar Kangkung",
    "Pasar Cendrawasih, Metro",
    "Pasar Natar",
    "Pasar Gadingrejo",
    "Pasar Bandar Jaya",
];
const FIRST: [&str; 10] = [
    "Siti", "Budi", "Ahmad", "Dewi", "Made", "Nyoman", "Sri", "Wayan", "Rina", "Hendra",
];
const TRADES: [&str; 8] = [
    "Keripik Pisang",
    "Kopi Robusta",
    "Tapis",
    "Batik Lampung",
    "Warung Makan",
    "Bengkel Motor",
    "Kemplang",
    "Lada Hitam",
];

/// A NIK issued in `region` (four digits) that no other row has: the row
/// number picks the serial and the birth date, so they are distinct.
fn nik(rng: &mut fastrand::Rng, region: &str, i: usize) -> String {
    let serial = i % 9_999 + 1;
    let rest = i / 9_999; // below 336 for up to 3.3 million rows
    assert!(rest < 12 * 28, "too many rows for distinct NIK");
    let day = rest % 28 + 1 + if rng.bool() { 40 } else { 0 };
    let month = rest / 28 + 1;
    let kecamatan = rng.u32(1..=20);
    let year = rng.u32(50..=99);
    format!("{region}{kecamatan:02}{day:02}{month:02}{year:02}{serial:04}")
}

/// One CSV record, its fields set by column name.
#[derive(Default)]
struct Record([String; COLUMNS.len()]);

impl Record {
    fn set(&mut self, column: &str, value: impl Into<String>) {
        let i = COLUMNS
            .iter()
            .position(|c| *c == column)
            .unwrap_or_else(|| panic!("no column {column} in COLUMNS"));
        self.0[i] = value.into();
    }
}

/// Writes `rows` beneficiaries as CSV to `path`, with the importer's header.
fn generate(path: &Path, rows: usize) {
    let mut rng = fastrand::Rng::with_seed(18);
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(COLUMNS).unwrap();
    for i in 0..rows {
        let (code, lat, lon) = REGIONS[rng.usize(..REGIONS.len())];
        let digits = code.replace('.', "");
        let mut rec = Record::default();
        rec.set("region_code", code);
        let first = FIRST[rng.usize(..FIRST.len())];
        let trade = TRADES[rng.usize(..TRADES.len())];
        match rng.u32(0..100) {
            0..15 => {
                let kind = COOP_KINDS[rng.usize(..COOP_KINDS.len())];
                rec.set("kind", "cooperative");
                rec.set(
                    "name",
                    format!("Koperasi {} \"{first}\" {i}", kind.to_uppercase()),
                );
                rec.set("nik_koperasi", format!("{digits}{i:012}"));
                rec.set(
                    "legal_entity_number",
                    format!(
                        "{}/BH/X.{}/{}",
                        rng.u32(1..999),
                        rng.u32(1..9),
                        rng.u32(1990..2025)
                    ),
                );
                rec.set("coop_kind", kind);
                rec.set("members", rng.u32(20..2_000).to_string());
                rec.set("active", if rng.u32(0..10) < 8 { "ya" } else { "tidak" });
                if rng.bool() {
                    rec.set("last_rat_year", rng.u32(2015..=2025).to_string());
                }
            }
            15..60 => {
                rec.set("kind", "umkm");
                rec.set("name", format!("{trade} {first}, {i}"));
                rec.set("nib", format!("9{i:012}"));
                rec.set("owner_nik", nik(&mut rng, &digits, i));
                rec.set("scale", ["mikro", "kecil", "menengah"][rng.usize(..3)]);
            }
            60..85 => {
                rec.set("kind", "pkl");
                rec.set("name", format!("{first} ({trade})"));
                rec.set("nik", nik(&mut rng, &digits, i));
                rec.set("market_location", MARKETS[rng.usize(..MARKETS.len())]);
            }
            _ => {
                rec.set("kind", "entrepreneur");
                rec.set("name", format!("{first} {trade} {i}"));
                rec.set("nik", nik(&mut rng, &digits, i));
            }
        }
        if rng.bool() {
            rec.set("lat", format!("{:.6}", lat + rng.f64() * 0.2 - 0.1));
            rec.set("lon", format!("{:.6}", lon + rng.f64() * 0.2 - 0.1));
        }
        w.write_record(&rec.0).unwrap();
    }
    w.flush().unwrap();
}

/// The wrapper: runs `pantau` with the given arguments, passes its output
/// through, then prints its wall time and peak memory.
fn child() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_pantau"))
        .args(&args)
        .env_remove(CHILD)
        .status()
        .unwrap();
    let wall = started.elapsed();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).unwrap();
    let cpu = |t: nix::sys::time::TimeVal| t.tv_sec() as u64 * 1_000_000 + t.tv_usec() as u64;
    // Linux reports ru_maxrss in kilobytes and ru_oublock in 512-byte blocks.
    println!("bench-wall-us={}", wall.as_micros());
    println!("bench-maxrss-kb={}", usage.max_rss());
    println!("bench-user-us={}", cpu(usage.user_time()));
    println!("bench-sys-us={}", cpu(usage.system_time()));
    println!("bench-written-blocks={}", usage.block_writes());
    std::io::stdout().flush().unwrap();
    if status.success() {
        ExitCode::SUCCESS
    } else {
        eprintln!("pantau exited with {status}");
        ExitCode::from(1)
    }
}

struct Run {
    wall: Duration,
    maxrss_kb: u64,
    /// User and system CPU time of `pantau`.
    cpu: (Duration, Duration),
    /// Bytes `pantau` caused to be written to storage.
    written: u64,
    /// pantau's own summary line.
    summary: String,
    new: u64,
    in_table: u64,
}

fn import(dir: &Path, csv: &Path) -> Run {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["import", "beneficiaries"])
        .arg(csv)
        .env(CHILD, "1")
        .env("PANTAU_DATA_DIR", dir.join("data"))
        .env_remove("PANTAU_DATABASE_URL")
        .env_remove("PANTAU_SQLITE_SYNCHRONOUS")
        .env_remove("PANTAU_CONFIG")
        .current_dir(dir)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "import failed:\n{stdout}");
    let value = |key: &str| -> u64 {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} in:\n{stdout}"))
            .trim()
            .parse()
            .unwrap()
    };
    let summary = stdout
        .lines()
        .find(|l| l.contains("rows read"))
        .unwrap_or_else(|| panic!("no summary in:\n{stdout}"))
        .to_string();
    // "N rows read: X new, Y already registered, Z refused"
    let new = summary
        .split_once(": ")
        .and_then(|(_, rest)| rest.split_once(" new"))
        .and_then(|(n, _)| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("cannot read the summary: {summary}"));
    Run {
        wall: Duration::from_micros(value("bench-wall-us=")),
        maxrss_kb: value("bench-maxrss-kb="),
        cpu: (
            Duration::from_micros(value("bench-user-us=")),
            Duration::from_micros(value("bench-sys-us=")),
        ),
        written: value("bench-written-blocks=") * 512,
        summary,
        new,
        in_table: count_rows(&dir.join("data/pantau.db")),
    }
}

fn count_rows(db: &Path) -> u64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = sea_orm::Database::connect(format!("sqlite://{}?mode=rw", db.display()))
            .await
            .unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) FROM beneficiaries".to_string(),
            ))
            .await
            .unwrap()
            .unwrap();
        let n: i64 = row.try_get_by_index(0).unwrap();
        db.close().await.ok();
        n as u64
    })
}

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return child();
    }
    let default = if bench::tiny() {
        TINY_ROWS
    } else {
        DEFAULT_ROWS
    };
    let rows = bench::number(&bench::args(), "rows", default);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("beneficiaries.csv");
    let started = Instant::now();
    eprintln!("generating {} rows …", thousands(rows as f64));
    generate(&csv, rows);
    let size = std::fs::metadata(&csv).unwrap().len();
    eprintln!(
        "  {} MB in {:.1} s",
        size / 1_000_000,
        started.elapsed().as_secs_f64()
    );
    eprintln!("first import …");
    let first = import(dir.path(), &csv);
    eprintln!("  {}", first.summary);
    eprintln!("second import (same file) …");
    let second = import(dir.path(), &csv);
    eprintln!("  {}", second.summary);
    let db_size = std::fs::metadata(dir.path().join("data/pantau.db"))
        .map(|m| m.len())
        .unwrap_or(0);

    println!();
    println!(
        "pantau import beneficiaries: {} rows ({} MB CSV) into a fresh SQLite file (WAL, synchronous=FULL)",
        thousands(rows as f64),
        size / 1_000_000
    );
    if rows != DEFAULT_ROWS {
        println!(
            "NOTE: {} rows, not the default {}",
            thousands(rows as f64),
            thousands(DEFAULT_ROWS as f64)
        );
    }
    println!();
    let mut table = bench::Table::new(&[
        "run",
        "wall time",
        "rows/s",
        "new rows",
        "rows in table",
        "peak RSS",
        "CPU user + sys",
        "written to disk",
    ]);
    for (name, r) in [("first import", &first), ("same file again", &second)] {
        table.row(vec![
            name.to_string(),
            format!("{:.2} s", r.wall.as_secs_f64()),
            thousands(rows as f64 / r.wall.as_secs_f64()),
            thousands(r.new as f64),
            thousands(r.in_table as f64),
            format!("{:.0} MB", r.maxrss_kb as f64 / 1024.0),
            format!(
                "{:.1} + {:.1} s",
                r.cpu.0.as_secs_f64(),
                r.cpu.1.as_secs_f64()
            ),
            format!("{} MB", thousands(r.written as f64 / 1e6)),
        ]);
    }
    table.print();
    println!();
    println!("database file after both runs: {} MB", db_size / 1_000_000);
    let rate = rows as f64 / first.wall.as_secs_f64();
    let met = |ok: bool| if ok { "MET" } else { "NOT MET" };
    println!(
        "first import: {} rows/s: target (>= 100,000 rows/s) {}",
        thousands(rate),
        met(rate >= 100_000.0)
    );
    let peak_mb = first.maxrss_kb.max(second.maxrss_kb) as f64 / 1024.0;
    println!(
        "peak RSS: {peak_mb:.0} MB: target (< 200 MB) {}",
        met(peak_mb < 200.0)
    );
    let first_ok = first.new == rows as u64 && first.in_table == rows as u64;
    println!(
        "first import: {} new rows, {} in the table: expected {} {}",
        thousands(first.new as f64),
        thousands(first.in_table as f64),
        thousands(rows as f64),
        met(first_ok)
    );
    let second_ok = second.new == 0 && second.in_table == first.in_table;
    println!(
        "second import: {} new rows: target (0) {}",
        second.new,
        met(second_ok)
    );
    println!();
    println!("whole run: {:.0} s", started.elapsed().as_secs_f64());
    // The speed and memory are figures; wrong counts are a broken import.
    if first_ok && second_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
