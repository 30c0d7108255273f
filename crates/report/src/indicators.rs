//! Cooperative indicators against the targets the offices agreed
//! (`../shared/DOMAIN.md`), a year against the one before, per
//! kabupaten/kota: new cooperatives at least 7 % of last year's active
//! ones, RAT held up 15 %, inactive cooperatives down 25 %, quality
//! cooperatives 14 % of the active ones. A region that misses one is marked
//! in the table (and the indicator named) and in that indicator's chart.

use pantau_store::read::report::IndicatorRow;

use crate::Context;
use crate::chart::{self, Item};
use crate::model::{Cell, Document, Fact, Kind, Row, Section, Table, ratio_bp};
use crate::progress::columns;

/// An indicator: its column, its short name, the column of its figure,
/// how it is computed (hundredths of a percent) and its target.
struct Indicator {
    key: &'static str,
    short: &'static str,
    column: usize,
    target_bp: i64,
    value: fn(&IndicatorRow) -> Option<i64>,
}

const INDICATORS: [Indicator; 4] = [
    Indicator {
        key: "kolom.capaian_baru",
        short: "singkat.baru",
        column: 4,
        target_bp: 700,
        value: |r| ratio_bp(r.new, r.active_prev),
    },
    Indicator {
        key: "kolom.capaian_rat",
        short: "singkat.rat",
        column: 7,
        target_bp: 1_500,
        value: |r| ratio_bp(r.rat - r.rat_prev, r.rat_prev),
    },
    Indicator {
        key: "kolom.capaian_tidak_aktif",
        short: "singkat.tidak_aktif",
        column: 10,
        target_bp: 2_500,
        value: |r| ratio_bp(r.inactive_prev - r.inactive, r.inactive_prev),
    },
    Indicator {
        key: "kolom.capaian_berkualitas",
        short: "singkat.berkualitas",
        column: 12,
        target_bp: 1_400,
        value: |r| ratio_bp(r.quality, r.active),
    },
];

const COLUMNS: [(&str, Kind); 14] = [
    ("kolom.wilayah", Kind::Text),
    ("kolom.aktif_lalu", Kind::Count),
    ("kolom.aktif", Kind::Count),
    ("kolom.baru", Kind::Count),
    ("kolom.capaian_baru", Kind::Percent),
    ("kolom.rat_lalu", Kind::Count),
    ("kolom.rat", Kind::Count),
    ("kolom.capaian_rat", Kind::Percent),
    ("kolom.tidak_aktif_lalu", Kind::Count),
    ("kolom.tidak_aktif", Kind::Count),
    ("kolom.capaian_tidak_aktif", Kind::Percent),
    ("kolom.berkualitas", Kind::Count),
    ("kolom.capaian_berkualitas", Kind::Percent),
    ("kolom.status", Kind::Text),
];

/// The indicators `r` misses (none can be computed from nothing: a region
/// with no inactive cooperative last year cannot miss the reduction).
pub fn missed(r: &IndicatorRow) -> Vec<&'static str> {
    missing(r).map(|i| i.key).collect()
}

fn missing(r: &IndicatorRow) -> impl Iterator<Item = &'static Indicator> + '_ {
    INDICATORS
        .iter()
        .filter(|i| (i.value)(r).is_some_and(|v| v < i.target_bp))
}

fn row(cx: &Context, label: String, r: &IndicatorRow) -> Row {
    let value = |i: usize| (INDICATORS[i].value)(r).map_or(Cell::Empty, Cell::Percent);
    let missed: Vec<&Indicator> = missing(r).collect();
    let status = if missed.is_empty() {
        format!("✓ {}", cx.w("lain.tercapai"))
    } else {
        let names: Vec<String> = missed.iter().map(|i| cx.w(i.short)).collect();
        format!("✗ {}", names.join(", "))
    };
    Row {
        cells: vec![
            Cell::Text(label),
            Cell::Count(r.active_prev),
            Cell::Count(r.active),
            Cell::Count(r.new),
            value(0),
            Cell::Count(r.rat_prev),
            Cell::Count(r.rat),
            value(1),
            Cell::Count(r.inactive_prev),
            Cell::Count(r.inactive),
            value(2),
            Cell::Count(r.quality),
            value(3),
            Cell::Text(status),
        ],
        miss: !missed.is_empty(),
        marks: missed.iter().map(|i| i.column).collect(),
    }
}

fn sum(rows: &[IndicatorRow]) -> IndicatorRow {
    let mut t = IndicatorRow::default();
    for r in rows {
        t.active_prev += r.active_prev;
        t.active += r.active;
        t.new += r.new;
        t.rat_prev += r.rat_prev;
        t.rat += r.rat;
        t.inactive_prev += r.inactive_prev;
        t.inactive += r.inactive;
        t.quality += r.quality;
    }
    t
}

pub fn build(cx: &Context, year: i32, facts: Vec<Fact>, rows: &[IndicatorRow]) -> Document {
    let table = Table {
        columns: columns(cx, &COLUMNS),
        rows: rows
            .iter()
            .map(|r| row(cx, cx.region(&r.region), r))
            .collect(),
        total: (!rows.is_empty()).then(|| row(cx, cx.w("lain.jumlah"), &sum(rows))),
    };
    let charts = INDICATORS
        .iter()
        .map(|i| {
            let target = Cell::Percent(i.target_bp).display(cx.lang);
            chart::bars(
                format!("{} {}", cx.w(i.key), year),
                String::new(),
                rows.iter()
                    .map(|r| {
                        let v = (i.value)(r);
                        Item {
                            label: cx
                                .regions
                                .get(&r.region)
                                .cloned()
                                .unwrap_or_else(|| r.region.clone()),
                            // Clipped at four times the target, so that one
                            // region far ahead does not flatten the others.
                            front: v.unwrap_or(0).min(4 * i.target_bp),
                            back: None,
                            value: v.map_or(Cell::Empty, Cell::Percent).display(cx.lang),
                            miss: v.is_some_and(|v| v < i.target_bp),
                        }
                    })
                    .collect(),
                Some((i.target_bp, format!("{} {target}", cx.w("lain.target")))),
            )
        })
        .collect();
    Document {
        report: "indicators",
        lang: cx.lang,
        title: format!("{} {} – {year}", cx.w("judul.indicators"), year - 1),
        facts,
        sections: vec![Section {
            heading: cx.w("judul.indicators"),
            table,
            charts,
            cards: vec![],
        }],
        signature: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_misses_exactly_the_targets_it_falls_short_of() {
        let r = IndicatorRow {
            region: "18.01".into(),
            active_prev: 100,
            active: 105,
            new: 7, // 7 %: met
            rat_prev: 60,
            rat: 68, // +13.3 %: missed
            inactive_prev: 40,
            inactive: 30, // −25 %: met
            quality: 14,  // 13.3 % of 105: missed
        };
        assert_eq!(
            missed(&r),
            vec!["kolom.capaian_rat", "kolom.capaian_berkualitas"]
        );
        let none = IndicatorRow {
            inactive_prev: 0,
            ..IndicatorRow::default()
        };
        assert!(missed(&none).is_empty());
    }
}
