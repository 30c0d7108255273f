//! The accountability report to the Ministry (laporan pertanggungjawaban)
//! for a fiscal year: every strategic program with its allocation,
//! realisation and monev coverage (recipients paid that a field officer has
//! visited), in total and per kabupaten/kota, signed off by name, position
//! and NIP. Rupiah stand as approved, ordered (sent to the bank, awaiting
//! its answer) and disbursed (paid).

use pantau_store::model::{Allocation, Program};
use pantau_store::payments::Stages;
use pantau_store::read::report::ProgramRegion;

use crate::Context;
use crate::model::{Cell, Document, Fact, Kind, Row, Section, Signature, Table, percent_cell};
use crate::progress::{by_region, columns, ordered_by_region, total};

const SUMMARY: [(&str, Kind); 10] = [
    ("kolom.program", Kind::Text),
    ("kolom.sumber_dana", Kind::Text),
    ("kolom.alokasi", Kind::Rupiah),
    ("kolom.rp_disetujui", Kind::Rupiah),
    ("kolom.rp_dikirim", Kind::Rupiah),
    ("kolom.rp_dicairkan", Kind::Rupiah),
    ("kolom.realisasi", Kind::Percent),
    ("kolom.penerima_dana", Kind::Count),
    ("kolom.dimonev", Kind::Count),
    ("kolom.cakupan", Kind::Percent),
];

const REGIONS: [(&str, Kind); 9] = [
    ("kolom.wilayah", Kind::Text),
    ("kolom.alokasi", Kind::Rupiah),
    ("kolom.rp_disetujui", Kind::Rupiah),
    ("kolom.rp_dikirim", Kind::Rupiah),
    ("kolom.rp_dicairkan", Kind::Rupiah),
    ("kolom.realisasi", Kind::Percent),
    ("kolom.penerima_dana", Kind::Count),
    ("kolom.dimonev", Kind::Count),
    ("kolom.cakupan", Kind::Percent),
];

/// Allocation, approved, ordered (at the bank), disbursed, realisation,
/// paid, monitored, coverage.
fn figures((allocated, f): &(i64, ProgramRegion), ordered: i64) -> Vec<Cell> {
    vec![
        Cell::Rupiah(*allocated),
        Cell::Rupiah(f.approved_amount),
        Cell::Rupiah(ordered),
        Cell::Rupiah(f.disbursed_amount),
        percent_cell(f.disbursed_amount, *allocated),
        Cell::Count(f.disbursed_cases),
        Cell::Count(f.monitored_cases),
        percent_cell(f.monitored_cases, f.disbursed_cases),
    ]
}

fn labelled(labels: Vec<Cell>, f: &(i64, ProgramRegion), ordered: i64) -> Row {
    let mut cells = labels;
    cells.extend(figures(f, ordered));
    Row {
        cells,
        ..Row::default()
    }
}

pub fn build(
    cx: &Context,
    facts: Vec<Fact>,
    programs: &[Program],
    allocations: &[Allocation],
    rows: &[ProgramRegion],
    ordered: &[Stages],
    signature: Option<Signature>,
) -> Document {
    let mut summary = Table {
        columns: columns(cx, &SUMMARY),
        ..Table::default()
    };
    let mut sections = vec![];
    let mut all = vec![];
    let mut all_ordered = 0;
    for p in programs {
        let regions = by_region(&p.id, allocations, rows);
        let sum = total(regions.values());
        let at_bank = ordered_by_region(&p.id, ordered);
        let at = |code: &str| at_bank.get(code).copied().unwrap_or(0);
        let sum_ordered: i64 = regions.keys().map(|code| at(code)).sum();
        summary.rows.push(labelled(
            vec![
                Cell::Text(format!("{} ({})", p.name, p.id)),
                Cell::Text(p.funding_source.clone()),
            ],
            &sum,
            sum_ordered,
        ));
        sections.push(Section {
            heading: format!("{} ({})", p.name, p.id),
            table: Table {
                columns: columns(cx, &REGIONS),
                rows: regions
                    .iter()
                    .map(|(code, f)| labelled(vec![Cell::Text(cx.region(code))], f, at(code)))
                    .collect(),
                total: Some(labelled(
                    vec![Cell::Text(cx.w("lain.jumlah"))],
                    &sum,
                    sum_ordered,
                )),
            },
            ..Section::default()
        });
        all.push(sum);
        all_ordered += sum_ordered;
    }
    summary.total = Some(labelled(
        vec![Cell::Text(cx.w("lain.jumlah")), Cell::Text(String::new())],
        &total(all.iter()),
        all_ordered,
    ));
    sections.insert(
        0,
        Section {
            heading: cx.w("lain.ringkasan"),
            table: summary,
            ..Section::default()
        },
    );
    Document {
        report: "accountability",
        lang: cx.lang,
        title: cx.w("judul.accountability"),
        facts,
        sections,
        signature,
    }
}
