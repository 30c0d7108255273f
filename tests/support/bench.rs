//! Shared by the benchmarks (included with `#[path]`): their arguments, the
//! tiny mode CI runs them in, the tables they print, and figures as people
//! read them. Not every includer uses every item.
#![allow(dead_code)]

use std::time::Duration;

/// Whether `PANTAU_BENCH_TINY=1`: the smallest sizes that still go through
/// every code path and every check, one round, no sizing runs. `.ci/run`
/// runs every bench so (through `cargo test --bench NAME`), to catch a bench
/// that broke; its figures mean nothing.
pub fn tiny() -> bool {
    std::env::var("PANTAU_BENCH_TINY").is_ok_and(|v| v == "1")
}

/// The words after `--`. `cargo bench` adds `--bench` and `cargo test`
/// nothing: words starting with `-` are dropped.
pub fn args() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect()
}

/// `name=N` among `args` (`_` and `,` allowed as separators), else `default`.
pub fn number(args: &[String], name: &str, default: usize) -> usize {
    let prefix = format!("{name}=");
    args.iter()
        .find_map(|a| a.strip_prefix(&prefix))
        .map_or(default, |v| {
            v.replace(['_', ','], "")
                .parse()
                .unwrap_or_else(|_| panic!("{name}=N wants a number, not {v:?}"))
        })
}

/// The words among `args` that are not `name=value`: the parts to run.
pub fn picked(args: &[String]) -> Vec<String> {
    args.iter().filter(|a| !a.contains('=')).cloned().collect()
}

/// Whether the part `name` runs: every part when none was picked.
pub fn wanted(picked: &[String], name: &str) -> bool {
    picked.is_empty() || picked.iter().any(|p| name.contains(p.as_str()))
}

/// The line a table prints for a part that could not run (`part: SKIPPED
/// (why)`); under `PANTAU_REQUIRE_ALL=1` (set by `.ci/run`) a panic instead.
pub fn skipped(part: &str, why: &str) -> String {
    if std::env::var("PANTAU_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("{part} is required (PANTAU_REQUIRE_ALL=1) but: {why}");
    }
    format!("{part}: SKIPPED ({why})")
}

/// `1,234,567` for 1234567.4.
pub fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The middle value (the upper one of an even count); NaN when empty.
pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// User + system CPU time of this process so far (Linux; `None` elsewhere).
pub fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 (utime) and 15 (stime), counted from 1, in clock ticks of 1/100 s.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The machine's load averages over 1, 5 and 15 minutes (Linux; `None`
/// elsewhere): other work on the machine shows in the figures.
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut values = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([values.next()??, values.next()??, values.next()??])
}

/// A table as the benches print it: the first column left-aligned, the
/// others right-aligned, two spaces between, a rule under the head.
pub struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(head: &[&str]) -> Table {
        Table {
            head: head.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have as many cells as the head.
    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.head.len(), "cells in a row");
        self.rows.push(cells);
    }

    /// The table's lines.
    pub fn lines(&self) -> Vec<String> {
        let mut width: Vec<usize> = self.head.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, c) in width.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |row: &[String]| {
            let mut s = String::new();
            for (i, (c, w)) in row.iter().zip(&width).enumerate() {
                let pad = " ".repeat(w - c.chars().count());
                if i == 0 {
                    s.push_str(&format!("{c}{pad}"));
                } else {
                    s.push_str(&format!("  {pad}{c}"));
                }
            }
            s
        };
        let mut out = vec![line(&self.head)];
        out.push("-".repeat(width.iter().sum::<usize>() + 2 * (width.len() - 1)));
        out.extend(self.rows.iter().map(|r| line(r)));
        out
    }

    /// Prints the table to stdout.
    pub fn print(&self) {
        for l in self.lines() {
            println!("{l}");
        }
    }
}
