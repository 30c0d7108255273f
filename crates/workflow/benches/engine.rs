//! Engine decisions per second on a realistic mix: every shipped program's
//! simulation script (submissions, a revision, refusals by role and by
//! guard, a retried command, disbursements, monev visits, closing), run in
//! memory with no I/O.
//!
//! Run: `cargo bench -p pantau-workflow --bench engine`. The `items/s`
//! column is decisions per second. The definitions are loaded as the tests
//! load them (tests/support/catalog.rs).
//!
//! It runs under mimalloc, the allocator the `pantau` binary runs with
//! (src/main.rs): a decision allocates about 22 times (the event's strings
//! and answers, the reminders' keys, the fold's copies into the case), and
//! under glibc's malloc the same mix ran at about 0.6 of the figure here
//! (606 k/s against 1.06 M/s on the 2-core machine of issue 22).
//! `tests/golden.rs` holds every decision of this mix to what it was.
//!
//! `.ci/run` runs it as `cargo test -p pantau-workflow --bench engine`: a
//! dev build, divan runs the bench once and times nothing. The bench has no
//! size to shrink, so `PANTAU_BENCH_TINY` changes nothing here.

#![allow(clippy::expect_used)]

use divan::counter::ItemsCount;
use pantau_workflow::simulate;

#[path = "../../../tests/support/catalog.rs"]
mod shipped;

/// As in `pantau` itself (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// (program, checked script, decisions) for every shipped program with a simulation.
fn mixes() -> Vec<(
    std::sync::Arc<pantau_workflow::Definition>,
    simulate::Plan,
    usize,
)> {
    let catalog = shipped::catalog();
    let root = shipped::repo_root();
    catalog
        .iter()
        .filter_map(|def| {
            let script = root
                .join("workflows/simulations")
                .join(format!("{}.toml", def.id));
            let text = std::fs::read_to_string(&script).ok()?;
            let plan = simulate::parse("script", &text).ok()?;
            let steps = simulate::execute(def, &plan).outcomes.len();
            Some((def.clone(), plan, steps))
        })
        .collect()
}

#[divan::bench]
fn realistic_mix(bencher: divan::Bencher) {
    let mixes = mixes();
    assert!(!mixes.is_empty(), "no shipped program with a simulation");
    let decisions: usize = mixes.iter().map(|(_, _, n)| n).sum();
    bencher.counter(ItemsCount::new(decisions)).bench(|| {
        for (def, plan, _) in &mixes {
            divan::black_box(simulate::execute(def, plan));
        }
    });
}
