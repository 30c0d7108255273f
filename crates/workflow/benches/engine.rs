//! Engine decisions per second on a realistic mix: every shipped program's
//! simulation script (submissions, a revision, refusals by role and by
//! guard, a retried command, disbursements, monev visits, closing), run in
//! memory with no I/O.
//!
//! Run: `cargo bench -p pantau-workflow --bench engine`. The `items/s`
//! column is decisions per second.

#![allow(clippy::expect_used)]

use std::path::Path;

use divan::counter::ItemsCount;
use pantau_workflow::{Catalog, Known, simulate};

fn main() {
    divan::main();
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// (program, checked script) for every shipped program with a simulation.
fn mixes() -> Vec<(
    std::sync::Arc<pantau_workflow::Definition>,
    simulate::Plan,
    usize,
)> {
    let read = |p: &Path| std::fs::read_to_string(p).expect("read");
    let templates = std::fs::read_dir(repo().join("templates/email"))
        .expect("templates")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .split('.')
                .next()
                .map(str::to_string)
        })
        .collect();
    let mut files: Vec<_> = std::fs::read_dir(repo().join("workflows"))
        .expect("workflows")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|p| (p.display().to_string(), read(p)))
        .collect();
    let catalog = Catalog::load(
        sources.iter().map(|(f, s)| (f.as_str(), s.as_str())),
        &Known { templates },
    )
    .expect("clean definitions");
    catalog
        .iter()
        .filter_map(|def| {
            let script = repo()
                .join("workflows/simulations")
                .join(format!("{}.toml", def.id));
            let plan = simulate::parse("script", &read(&script)).ok()?;
            let steps = simulate::execute(def, &plan).outcomes.len();
            Some((def.clone(), plan, steps))
        })
        .collect()
}

#[divan::bench]
fn realistic_mix(bencher: divan::Bencher) {
    let mixes = mixes();
    let decisions: usize = mixes.iter().map(|(_, _, n)| n).sum();
    bencher.counter(ItemsCount::new(decisions)).bench(|| {
        for (def, plan, _) in &mixes {
            divan::black_box(simulate::execute(def, plan));
        }
    });
}
