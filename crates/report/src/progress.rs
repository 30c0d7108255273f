//! Program progress (laporan perkembangan program): for each program of a
//! fiscal year, by kabupaten/kota, the stages its cases reached, rupiah
//! approved, ordered (sent to the bank, awaiting its answer) and disbursed
//! (paid: by the bank's result, or recorded by hand with the SP2D) against
//! the allocation, tranches paid and monev visits, with a chart of
//! disbursement against allocation.

use std::collections::BTreeMap;

use pantau_store::model::{Allocation, Program};
use pantau_store::payments::Stages;
use pantau_store::read::report::ProgramRegion;

use crate::Context;
use crate::chart::{self, Item};
use crate::model::{Cell, Column, Document, Kind, Row, Section, Table, percent_cell};

/// A program's figures per region, allocations included, regions with an
/// allocation and no case showing zeros.
pub fn by_region(
    program_id: &str,
    allocations: &[Allocation],
    rows: &[ProgramRegion],
) -> BTreeMap<String, (i64, ProgramRegion)> {
    let mut out: BTreeMap<String, (i64, ProgramRegion)> = BTreeMap::new();
    for a in allocations.iter().filter(|a| a.program_id == program_id) {
        out.entry(a.region_code.clone()).or_default().0 = a.amount;
    }
    for r in rows.iter().filter(|r| r.program_id == program_id) {
        out.entry(r.region.clone()).or_default().1 = r.clone();
    }
    out
}

/// Rupiah of `program_id` sent to the bank and not answered yet, per
/// kabupaten/kota.
pub fn ordered_by_region(program_id: &str, ordered: &[Stages]) -> BTreeMap<String, i64> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for s in ordered
        .iter()
        .filter(|s| s.program_id.as_deref() == Some(program_id))
    {
        *out.entry(s.region.clone()).or_default() += s.ordered.get();
    }
    out
}

/// The sum of every region's figures.
pub fn total<'a>(
    figures: impl IntoIterator<Item = &'a (i64, ProgramRegion)>,
) -> (i64, ProgramRegion) {
    let mut t = (0, ProgramRegion::default());
    for (a, r) in figures {
        t.0 += a;
        let s = &mut t.1;
        s.cases += r.cases;
        s.proposals += r.proposals;
        s.verified += r.verified;
        s.approved += r.approved;
        s.rejected += r.rejected;
        s.approved_amount += r.approved_amount;
        s.disbursed_amount += r.disbursed_amount;
        s.tranches_paid += r.tranches_paid;
        s.disbursed_cases += r.disbursed_cases;
        s.monitored_cases += r.monitored_cases;
        s.visits_done += r.visits_done;
        s.visits_due += r.visits_due;
        s.visits_overdue += r.visits_overdue;
    }
    t
}

const COLUMNS: [(&str, Kind); 14] = [
    ("kolom.wilayah", Kind::Text),
    ("kolom.usulan", Kind::Count),
    ("kolom.terverifikasi", Kind::Count),
    ("kolom.disetujui", Kind::Count),
    ("kolom.ditolak", Kind::Count),
    ("kolom.alokasi", Kind::Rupiah),
    ("kolom.rp_disetujui", Kind::Rupiah),
    ("kolom.rp_dikirim", Kind::Rupiah),
    ("kolom.rp_dicairkan", Kind::Rupiah),
    ("kolom.realisasi", Kind::Percent),
    ("kolom.tahap", Kind::Count),
    ("kolom.monev_selesai", Kind::Count),
    ("kolom.monev_jatuh_tempo", Kind::Count),
    ("kolom.monev_terlambat", Kind::Count),
];

pub fn columns(cx: &Context, spec: &[(&str, Kind)]) -> Vec<Column> {
    spec.iter()
        .map(|(key, kind)| Column {
            label: cx.w(key),
            kind: *kind,
        })
        .collect()
}

/// A region's (or the total's) row; `ordered` the rupiah at the bank.
fn row(label: String, (allocated, f): &(i64, ProgramRegion), ordered: i64) -> Row {
    Row {
        cells: vec![
            Cell::Text(label),
            Cell::Count(f.proposals),
            Cell::Count(f.verified),
            Cell::Count(f.approved),
            Cell::Count(f.rejected),
            Cell::Rupiah(*allocated),
            Cell::Rupiah(f.approved_amount),
            Cell::Rupiah(ordered),
            Cell::Rupiah(f.disbursed_amount),
            percent_cell(f.disbursed_amount, *allocated),
            Cell::Count(f.tranches_paid),
            Cell::Count(f.visits_done),
            Cell::Count(f.visits_due),
            Cell::Count(f.visits_overdue),
        ],
        ..Row::default()
    }
}

/// The report: one section per program; `ordered` the money at the bank
/// ([`pantau_store::Store::ordered_amounts`]).
pub fn build(
    cx: &Context,
    facts: Vec<crate::model::Fact>,
    programs: &[Program],
    allocations: &[Allocation],
    rows: &[ProgramRegion],
    ordered: &[Stages],
) -> Document {
    let sections = programs
        .iter()
        .map(|p| {
            let regions = by_region(&p.id, allocations, rows);
            let sum = total(regions.values());
            let at_bank = ordered_by_region(&p.id, ordered);
            let at = |code: &str| at_bank.get(code).copied().unwrap_or(0);
            let chart = chart::bars(
                cx.w("lain.grafik_realisasi"),
                cx.w("lain.legenda_realisasi"),
                regions
                    .iter()
                    .map(|(code, (allocated, f))| Item {
                        label: cx
                            .regions
                            .get(code)
                            .cloned()
                            .unwrap_or_else(|| code.clone()),
                        front: f.disbursed_amount,
                        back: Some(*allocated),
                        value: percent_cell(f.disbursed_amount, *allocated).display(cx.lang),
                        miss: false,
                    })
                    .collect(),
                None,
            );
            Section {
                heading: format!("{} ({})", p.name, p.id),
                table: Table {
                    columns: columns(cx, &COLUMNS),
                    rows: regions
                        .iter()
                        .map(|(code, f)| row(cx.region(code), f, at(code)))
                        .collect(),
                    total: Some(row(
                        cx.w("lain.jumlah"),
                        &sum,
                        regions.keys().map(|code| at(code)).sum(),
                    )),
                },
                charts: vec![chart],
                cards: vec![],
            }
        })
        .collect();
    Document {
        report: "program-progress",
        lang: cx.lang,
        title: cx.w("judul.program-progress"),
        facts,
        sections,
        signature: None,
    }
}
