//! The monev visit report of one province, in memory: the time and the
//! peak heap of building the document and of writing it as HTML and as
//! CSV, side by side.
//!
//! ```text
//! cargo bench -p pantau-report --bench monev
//! cargo bench -p pantau-report --bench monev -- visits=50000
//! ```
//!
//! Setup (not timed): N visits done (default 14,000, a province's year as
//! the national-scale database has it) of the shipped `bansos` workflow's
//! `monev_bansos` checklist, as `VisitDone` rows the store would return:
//! each with its recording event (every question answered, the findings a
//! line of prose), spread over Lampung's 15 kabupaten/kota and 40
//! officers; every 10th visit has a small photo. Some beneficiary names and
//! findings carry `<`, `&` and quotes.
//!
//! Measured, three rounds each, median wall and CPU time shown: (a) `monev::read`
//! (each recording event's answers) and `monev::build`; (b)
//! `Templates::render` of that document (the shipped `templates/`); (c)
//! `csv::write` of it. Peak heap is counted by a global allocator wrapping
//! the system one (`peak_alloc`), reset before each step, and shown above
//! what was held when the step began (the document, for (b) and (c)), the
//! output included. Targets: HTML ≤ 1 s, HTML peak ≤ 3 × the HTML's bytes.
//!
//! Checks: a table row and a card per visit, user text escaped as
//! handlebars escapes it, a CSV line per visit.
//!
//! Tiny mode (`PANTAU_BENCH_TINY=1`, as `.ci/run` runs it: `cargo test -p
//! pantau-report --bench monev`, a dev build): 200 visits unless
//! `visits=N` says otherwise, one round, the same checks. Its figures mean
//! nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Duration as Days, TimeZone, Utc};
use pantau_domain::{Lang, Role, Zone};
use pantau_report::html::Templates;
use pantau_report::model::{Document, Fact, Photo};
use pantau_report::{Context, monev};
use pantau_store::read::report::VisitDone;
use pantau_workflow::{Actor, Event, FieldType, Value};
use peak_alloc::PeakAlloc;

#[path = "../../../tests/support/bench.rs"]
mod bench;
#[path = "../../../tests/support/catalog.rs"]
#[allow(dead_code)]
mod catalog;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

const WORKFLOW: &str = "bansos";
const CHECKLIST: &str = "monev_bansos";
const REGIONS: [(&str, &str); 15] = [
    ("18.01", "Kab. Lampung Barat"),
    ("18.02", "Kab. Tanggamus"),
    ("18.03", "Kab. Lampung Selatan"),
    ("18.04", "Kab. Lampung Timur"),
    ("18.05", "Kab. Lampung Tengah"),
    ("18.06", "Kab. Lampung Utara"),
    ("18.07", "Kab. Way Kanan"),
    ("18.08", "Kab. Tulang Bawang"),
    ("18.09", "Kab. Pesawaran"),
    ("18.10", "Kab. Pringsewu"),
    ("18.11", "Kab. Mesuji"),
    ("18.12", "Kab. Tulang Bawang Barat"),
    ("18.13", "Kab. Pesisir Barat"),
    ("18.71", "Kota Bandar Lampung"),
    ("18.72", "Kota Metro"),
];
/// A 1×1 PNG.
const PHOTO: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
/// A name with the characters HTML must escape, and how handlebars writes it.
const TRICKY: (&str, &str) = (
    "Koperasi \"Tani <Maju>\" & Sejahtera 'Baru'",
    "Koperasi &quot;Tani &lt;Maju&gt;&quot; &amp; Sejahtera &#x27;Baru&#x27;",
);

fn rounds() -> usize {
    if bench::tiny() { 1 } else { 3 }
}

fn main() {
    let default = if bench::tiny() { 200 } else { 14_000 };
    let n = bench::number(&bench::args(), "visits", default);

    let catalog = catalog::catalog();
    let templates = Templates::load(&catalog::repo_root().join("templates")).unwrap();
    let regions: BTreeMap<String, String> = REGIONS
        .iter()
        .map(|(c, name)| (c.to_string(), name.to_string()))
        .collect();
    let cx = Context {
        words: &templates.words,
        lang: Lang::Id,
        zone: Zone::Wib,
        now: Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap(),
        regions: &regions,
    };
    let t = Instant::now();
    let (visits, photos) = setup(&catalog, n);
    eprintln!("setup: {n} visits in {:.2} s", t.elapsed().as_secs_f64());
    let facts = vec![
        Fact {
            label: cx.w("fakta.periode"),
            value: "1 Januari 2026 – 31 Desember 2026".into(),
        },
        Fact {
            label: cx.w("fakta.wilayah"),
            value: "Provinsi Lampung (18)".into(),
        },
    ];

    let (mut build, mut html, mut csv) = (vec![], vec![], vec![]);
    let mut out: Option<(Document, String, Vec<u8>)> = None;
    for _ in 0..rounds() {
        // The rows as the store hands them over, copied before the clock starts.
        let rows = visits.clone();
        let (doc, m) =
            measure(|| monev::build(&cx, facts.clone(), &catalog, monev::read(rows), &photos));
        build.push(m);
        let (page, m) = measure(|| templates.render(&doc).unwrap());
        html.push(m);
        let (sheet, m) = measure(|| pantau_report::csv::write(&doc).unwrap());
        csv.push(m);
        out = Some((doc, page, sheet));
    }
    let (doc, page, sheet) = out.unwrap();
    check(&doc, &page, &sheet, n);

    let (build, html, csv) = (median(&build), median(&html), median(&csv));
    let document = build.peak;
    println!();
    println!(
        "monev report of {n} visits in memory (median times of {} run{}; peak heap above the step's start)",
        rounds(),
        if rounds() == 1 { "" } else { "s" }
    );
    println!();
    let mut table = bench::Table::new(&["step", "time", "cpu", "peak heap", "output"]);
    table.row(vec![
        "monev::read and build (the Document)".into(),
        seconds(build.time),
        seconds(build.cpu),
        mb(document),
        format!("{n} visits"),
    ]);
    table.row(vec![
        "HTML: Templates::render".into(),
        seconds(html.time),
        seconds(html.cpu),
        mb(html.peak),
        mb(page.len()),
    ]);
    table.row(vec![
        "CSV: csv::write".into(),
        seconds(csv.time),
        seconds(csv.cpu),
        mb(csv.peak),
        mb(sheet.len()),
    ]);
    table.print();
    println!();
    let per_byte = html.peak as f64 / page.len() as f64;
    println!(
        "HTML peak / CSV peak = {:.1}; HTML peak / HTML bytes = {per_byte:.1}: target (<= 3.0) {}",
        html.peak as f64 / csv.peak as f64,
        if per_byte <= 3.0 { "MET" } else { "NOT MET" }
    );
    println!(
        "HTML time {}: target (<= 1 s) {}",
        seconds(html.time),
        if html.time <= Duration::from_secs(1) {
            "MET"
        } else {
            "NOT MET"
        }
    );
    println!(
        "held with the document: {}; with the HTML too: {}",
        mb(document),
        mb(document + page.capacity())
    );
    if let Some([one, five, _]) = bench::load_average() {
        println!("load average over 1 and 5 minutes: {one:.2}, {five:.2}");
    }
}

/// One step's time and peak heap above what was held when it began.
#[derive(Clone, Copy)]
struct Measured {
    time: Duration,
    /// This process's CPU time over the step (10 ms ticks): the time less
    /// what other work on the machine took.
    cpu: Duration,
    peak: usize,
}

fn measure<T>(step: impl FnOnce() -> T) -> (T, Measured) {
    HEAP.reset_peak_usage();
    let before = HEAP.current_usage();
    let cpu = bench::cpu_time().unwrap_or_default();
    let t = Instant::now();
    let out = step();
    let time = t.elapsed();
    let cpu = bench::cpu_time().unwrap_or_default().saturating_sub(cpu);
    let peak = HEAP.peak_usage().saturating_sub(before);
    (out, Measured { time, cpu, peak })
}

/// The median times; the largest peak (the same every round, near enough).
fn median(v: &[Measured]) -> Measured {
    let mid = |f: fn(&Measured) -> Duration| {
        let mut times: Vec<Duration> = v.iter().map(f).collect();
        times.sort();
        times[times.len() / 2]
    };
    Measured {
        time: mid(|m| m.time),
        cpu: mid(|m| m.cpu),
        peak: v.iter().map(|m| m.peak).max().unwrap_or(0),
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// N visits done of the `bansos` monev checklist, and the photos some carry.
#[allow(clippy::type_complexity)]
fn setup(
    catalog: &pantau_workflow::Catalog,
    n: usize,
) -> (Vec<VisitDone>, BTreeMap<(String, String), Photo>) {
    let def = catalog.latest(WORKFLOW).expect("the bansos workflow");
    let checklist = def.checklist(CHECKLIST).expect("its monev checklist");
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).unwrap();
    let mut photos = BTreeMap::new();
    let visits = (0..n)
        .map(|i| {
            let case_id = format!("{:08x}-5a1e-4c0d-9b7e-{i:012x}", i * 2_654_435_761 % (1 << 32));
            let done_at = start + Days::minutes((i * 31) as i64 % (340 * 24 * 60));
            let mut fields = BTreeMap::new();
            for (q, field) in checklist.questions.iter().enumerate() {
                let text = match field.kind {
                    FieldType::Photo => {
                        let id = format!("ph-{i}");
                        if i % 10 == 0 {
                            photos.insert((case_id.clone(), id.clone()), Photo::Carried(PHOTO.to_string()));
                        }
                        fields.insert(field.id.clone(), Value::Photo(id));
                        continue;
                    }
                    FieldType::YesNo => if i % 7 == 0 { "tidak" } else { "ya" }.to_string(),
                    FieldType::Choice => field.options[(i + q) % field.options.len()].clone(),
                    FieldType::Number => (2020 + i % 7).to_string(),
                    FieldType::Rupiah => format!("Rp {}.500.000", 5 + i % 20),
                    FieldType::Date => "2026-11-20".into(),
                    FieldType::Gps => format!("-5.{:04},105.{:04}", i % 9973, (i * 7) % 9973),
                    FieldType::Text if i % 50 == 0 => {
                        format!("Usaha berjalan; kas < Rp 1 jt & \"RAT\" belum ({i})")
                    }
                    FieldType::Text => format!(
                        "Usaha berjalan baik, pembukuan tertib, anggota aktif {} orang; stok barang cukup untuk dua bulan",
                        20 + i % 80
                    ),
                    _ => continue,
                };
                let value = Value::parse(field.kind, &text, &field.options)
                    .unwrap_or_else(|e| panic!("{}: {text}: {e:?}", field.id));
                fields.insert(field.id.clone(), value);
            }
            let (region, _) = REGIONS[i % REGIONS.len()];
            let officer = format!("petugas{:02}", i % 40);
            let event = Event {
                seq: 5,
                at: done_at,
                actor: Actor {
                    user: officer.clone(),
                    role: Role::FieldOfficer,
                },
                key: format!("visit-{i}"),
                action: "record_monev".into(),
                from: Some("disbursed".into()),
                to: "final_report".into(),
                fields,
                changes: vec![],
                observed_at: None,
            };
            VisitDone {
                case_id,
                no: 1 + (i % 3) as i32,
                checklist: CHECKLIST.into(),
                due_at: done_at,
                done_at,
                program_id: Some("bansos-lampung-2026".into()),
                region: Some(region.into()),
                workflow: WORKFLOW.into(),
                workflow_version: def.version as i32,
                beneficiary_name: Some(if i % 50 == 0 {
                    TRICKY.0.to_string()
                } else {
                    format!("Koperasi Serba Usaha Makmur Jaya {i}")
                }),
                officer,
                officer_name: Some(format!("Petugas Lapangan {}", i % 40)),
                body: serde_json::to_string(&event).unwrap(),
            }
        })
        .collect();
    (visits, photos)
}

fn check(doc: &Document, html: &str, csv: &[u8], n: usize) {
    assert_eq!(doc.sections.len(), 1, "one checklist, one section");
    assert_eq!(doc.sections[0].table.rows.len(), n, "a row per visit");
    assert_eq!(
        html.matches("<div class=\"card\">").count(),
        n,
        "a card per visit"
    );
    assert_eq!(
        html.matches("<tr>").count(),
        n + 1,
        "the head and a row per visit"
    );
    assert!(html.contains(TRICKY.1), "user text escaped");
    assert!(!html.contains(TRICKY.0), "user text never raw");
    assert!(!html.contains("<Maju>"), "user text never raw");
    assert_eq!(
        html.matches("<img src=\"data:image/png").count(),
        n.div_ceil(10),
        "a photo on every 10th visit"
    );
    assert!(html.trim_end().ends_with("</html>"), "the whole page");
    let lines = csv.iter().filter(|b| **b == b'\n').count();
    assert_eq!(
        lines,
        n + 2,
        "the heading, the columns and a line per visit"
    );
}
