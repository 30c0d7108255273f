//! How long the desa data takes to load and what it holds in memory:
//! `cargo run --release -p pantau-registry --example villages_load`
//! (and under `/usr/bin/time -v` for the process's peak).

use std::time::Instant;

use pantau_registry::regions::Regions;
use pantau_registry::villages::Villages;

/// The process's resident memory in KiB (Linux), 0 where unknown.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t = Instant::now();
    let regions = Regions::embedded()?;
    println!("regions: {} rows in {:?}", regions.len(), t.elapsed());

    let before = resident_kib();
    let t = Instant::now();
    let villages = Villages::embedded()?;
    let load = t.elapsed();
    let after = resident_kib();
    println!(
        "villages: {} kecamatan, {} desa/kelurahan in {load:?}; holds {} KiB; \
         resident {before} KiB → {after} KiB (+{} KiB)",
        villages.kecamatan_count(),
        villages.desa_count(),
        villages.held_bytes() / 1024,
        after.saturating_sub(before)
    );

    let t = Instant::now();
    let again = Villages::embedded()?;
    println!(
        "second call: {:?} (same data: {})",
        t.elapsed(),
        std::ptr::eq(villages, again)
    );

    let codes: Vec<String> = villages.all_desa().map(|d| d.code.to_string()).collect();
    let t = Instant::now();
    let found = codes
        .iter()
        .filter(|c| villages.lookup(c).is_some())
        .count();
    println!("{found} lookups by text in {:?}", t.elapsed());
    Ok(())
}
