//! The accountability report to the Ministry (laporan pertanggungjawaban)
//! for a fiscal year: every strategic program with its allocation,
//! realisation and monev coverage (recipients paid that a field officer has
//! visited), in total and per kabupaten/kota, signed off by name, position
//! and NIP.

use pantau_store::model::{Allocation, Program};
use pantau_store::read::report::ProgramRegion;

use crate::Context;
use crate::model::{Cell, Document, Fact, Kind, Row, Section, Signature, Table, percent_cell};
use crate::progress::{by_region, columns, total};

const SUMMARY: [(&str, Kind); 9] = [
    ("kolom.program", Kind::Text),
    ("kolom.sumber_dana", Kind::Text),
    ("kolom.alokasi", Kind::Rupiah),
    ("kolom.rp_disetujui", Kind::Rupiah),
    ("kolom.rp_dicairkan", Kind::Rupiah),
    ("kolom.realisasi", Kind::Percent),
    ("kolom.penerima_dana", Kind::Count),
    ("kolom.dimonev", Kind::Count),
    ("kolom.cakupan", Kind::Percent),
];

const REGIONS: [(&str, Kind); 8] = [
    ("kolom.wilayah", Kind::Text),
    ("kolom.alokasi", Kind::Rupiah),
    ("kolom.rp_disetujui", Kind::Rupiah),
    ("kolom.rp_dicairkan", Kind::Rupiah),
    ("kolom.realisasi", Kind::Percent),
    ("kolom.penerima_dana", Kind::Count),
    ("kolom.dimonev", Kind::Count),
    ("kolom.cakupan", Kind::Percent),
];

/// Allocation, approved, disbursed, realisation, paid, monitored, coverage.
fn figures((allocated, f): &(i64, ProgramRegion)) -> Vec<Cell> {
    vec![
        Cell::Rupiah(*allocated),
        Cell::Rupiah(f.approved_amount),
        Cell::Rupiah(f.disbursed_amount),
        percent_cell(f.disbursed_amount, *allocated),
        Cell::Count(f.disbursed_cases),
        Cell::Count(f.monitored_cases),
        percent_cell(f.monitored_cases, f.disbursed_cases),
    ]
}

fn labelled(labels: Vec<Cell>, f: &(i64, ProgramRegion)) -> Row {
    let mut cells = labels;
    cells.extend(figures(f));
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
    signature: Option<Signature>,
) -> Document {
    let mut summary = Table {
        columns: columns(cx, &SUMMARY),
        ..Table::default()
    };
    let mut sections = vec![];
    let mut all = vec![];
    for p in programs {
        let regions = by_region(&p.id, allocations, rows);
        let sum = total(regions.values());
        summary.rows.push(labelled(
            vec![
                Cell::Text(format!("{} ({})", p.name, p.id)),
                Cell::Text(p.funding_source.clone()),
            ],
            &sum,
        ));
        sections.push(Section {
            heading: format!("{} ({})", p.name, p.id),
            table: Table {
                columns: columns(cx, &REGIONS),
                rows: regions
                    .iter()
                    .map(|(code, f)| labelled(vec![Cell::Text(cx.region(code))], f))
                    .collect(),
                total: Some(labelled(vec![Cell::Text(cx.w("lain.jumlah"))], &sum)),
            },
            ..Section::default()
        });
        all.push(sum);
    }
    summary.total = Some(labelled(
        vec![Cell::Text(cx.w("lain.jumlah")), Cell::Text(String::new())],
        &total(all.iter()),
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
