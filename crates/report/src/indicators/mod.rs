//! Cooperative indicators against the targets the offices agreed
//! (`../shared/DOMAIN.md`), a year against the one before: new cooperatives
//! at least 7 % of last year's active ones, RAT held up 15 %, inactive
//! cooperatives down 25 %, quality cooperatives 14 % of the active ones.
//! The targets are a setting ([`targets`]), per province and year.
//!
//! [`figures`] is the one computation, shared by the report ([`build`]) and
//! the `/indikator` page: a national reader gets a row per province and a
//! national row, a province's reader a row per kabupaten/kota and the
//! province's row, a kabupaten/kota's reader its own row. A figure whose
//! base has fewer verified records than the setting's minimum is not
//! computed ([`Outcome::TooFew`]) and counts neither as met nor as missed.

pub mod targets;

use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use pantau_store::read::report::{Indicator as Filter, IndicatorRow};

use crate::Context;
use crate::chart::{self, Item};
use crate::model::{Cell, Document, Fact, Kind, Row, Section, Table, ratio_bp};
use crate::progress::columns;
pub use targets::{Target, Targets};

/// An indicator: its words, how it is computed (hundredths of a percent),
/// the records its base counts, its target, and the registry filter that
/// lists the cooperatives behind its figure.
#[derive(Debug)]
pub struct Indicator {
    pub key: &'static str,
    pub short: &'static str,
    pub filter: Filter,
    value: fn(&IndicatorRow) -> Option<i64>,
    base: fn(&IndicatorRow) -> i64,
    target: fn(&Target) -> i64,
}

/// A year's comparison stands on both years' records; a share of this
/// year's active ones on this year's.
fn both_years(r: &IndicatorRow) -> i64 {
    r.records.min(r.records_prev)
}

pub const INDICATORS: [Indicator; 4] = [
    Indicator {
        key: "kolom.capaian_baru",
        short: "singkat.baru",
        filter: Filter::New,
        value: |r| ratio_bp(r.new, r.active_prev),
        base: both_years,
        target: |t| t.new_bp,
    },
    Indicator {
        key: "kolom.capaian_rat",
        short: "singkat.rat",
        filter: Filter::Rat,
        value: |r| ratio_bp(r.rat - r.rat_prev, r.rat_prev),
        base: both_years,
        target: |t| t.rat_bp,
    },
    Indicator {
        key: "kolom.capaian_tidak_aktif",
        short: "singkat.tidak_aktif",
        filter: Filter::Inactive,
        value: |r| ratio_bp(r.inactive_prev - r.inactive, r.inactive_prev),
        base: both_years,
        target: |t| t.inactive_bp,
    },
    Indicator {
        key: "kolom.capaian_berkualitas",
        short: "singkat.berkualitas",
        filter: Filter::Quality,
        value: |r| ratio_bp(r.quality, r.active),
        base: |r| r.records,
        target: |t| t.quality_bp,
    },
];

/// The target `i` is held to under `t`, in hundredths of a percent.
pub fn target_of(i: &Indicator, t: &Target) -> i64 {
    (i.target)(t)
}

/// One indicator's figure in one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Hundredths of a percent, and whether it reaches the target.
    Value { bp: i64, met: bool },
    /// Fewer verified records than the minimum: the number there are.
    TooFew(i64),
    /// Nothing to divide by (no inactive cooperative last year).
    Empty,
}

/// One row: a kabupaten/kota, a province, or the whole country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRow {
    /// The region's code; none for the whole country.
    pub region: Option<String>,
    pub counts: IndicatorRow,
    pub target: Target,
    /// By [`INDICATORS`].
    pub outcomes: [Outcome; 4],
}

impl FigureRow {
    fn new(region: Option<String>, counts: IndicatorRow, targets: &Targets, year: i32) -> Self {
        let province = region.as_deref().map(province_of);
        let target = targets.of(province, year);
        let outcomes = INDICATORS.each_ref().map(|i| {
            let base = (i.base)(&counts);
            if base < targets.min_verified() {
                return Outcome::TooFew(base);
            }
            match (i.value)(&counts) {
                Some(bp) => Outcome::Value {
                    bp,
                    met: bp >= (i.target)(&target),
                },
                None => Outcome::Empty,
            }
        });
        FigureRow {
            region,
            counts,
            target,
            outcomes,
        }
    }

    /// The indicators this row misses.
    pub fn missed(&self) -> impl Iterator<Item = &'static Indicator> + '_ {
        INDICATORS
            .iter()
            .zip(self.outcomes)
            .filter(|(_, o)| matches!(o, Outcome::Value { met: false, .. }))
            .map(|(i, _)| i)
    }
}

/// The indicators of a year for a reader: the rows and the row they add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub year: i32,
    pub rows: Vec<FigureRow>,
    pub total: Option<FigureRow>,
}

fn province_of(code: &str) -> &str {
    code.split_once(RegionCode::SEPARATOR)
        .map_or(code, |(p, _)| p)
}

fn sum<'a>(rows: impl IntoIterator<Item = &'a IndicatorRow>, region: &str) -> IndicatorRow {
    let mut t = IndicatorRow {
        region: region.into(),
        ..IndicatorRow::default()
    };
    for r in rows {
        t.active_prev += r.active_prev;
        t.active += r.active;
        t.new += r.new;
        t.rat_prev += r.rat_prev;
        t.rat += r.rat;
        t.inactive_prev += r.inactive_prev;
        t.inactive += r.inactive;
        t.quality += r.quality;
        t.records_prev += r.records_prev;
        t.records += r.records;
    }
    t
}

/// The rows `scope`'s reader sees from the store's per-kabupaten/kota `rows`
/// (already within the scope).
pub fn figures(scope: &Scope, year: i32, targets: &Targets, rows: &[IndicatorRow]) -> Figures {
    let row = |region: Option<&str>, counts: IndicatorRow| {
        FigureRow::new(region.map(str::to_string), counts, targets, year)
    };
    match scope.region() {
        None => {
            let mut provinces: Vec<&str> = rows.iter().map(|r| province_of(&r.region)).collect();
            provinces.dedup();
            Figures {
                year,
                rows: provinces
                    .iter()
                    .map(|p| {
                        let of = rows.iter().filter(|r| province_of(&r.region) == *p);
                        row(Some(p), sum(of, p))
                    })
                    .collect(),
                total: (!rows.is_empty()).then(|| row(None, sum(rows, ""))),
            }
        }
        Some(r) if r.is_province() => Figures {
            year,
            rows: rows
                .iter()
                .map(|k| row(Some(&k.region), k.clone()))
                .collect(),
            total: Some(row(Some(r.as_str()), sum(rows, r.as_str()))),
        },
        Some(_) => Figures {
            year,
            rows: rows
                .iter()
                .map(|k| row(Some(&k.region), k.clone()))
                .collect(),
            total: None,
        },
    }
}

/// The column of each indicator's figure, then of its target.
const FIGURE_COLUMN: [usize; 4] = [4, 8, 12, 15];

const COLUMNS: [(&str, Kind); 18] = [
    ("indikator.wilayah", Kind::Text),
    ("kolom.aktif_lalu", Kind::Count),
    ("kolom.aktif", Kind::Count),
    ("kolom.baru", Kind::Count),
    ("kolom.capaian_baru", Kind::Percent),
    ("indikator.target_baru", Kind::Percent),
    ("kolom.rat_lalu", Kind::Count),
    ("kolom.rat", Kind::Count),
    ("kolom.capaian_rat", Kind::Percent),
    ("indikator.target_rat", Kind::Percent),
    ("kolom.tidak_aktif_lalu", Kind::Count),
    ("kolom.tidak_aktif", Kind::Count),
    ("kolom.capaian_tidak_aktif", Kind::Percent),
    ("indikator.target_tidak_aktif", Kind::Percent),
    ("kolom.berkualitas", Kind::Count),
    ("kolom.capaian_berkualitas", Kind::Percent),
    ("indikator.target_berkualitas", Kind::Percent),
    ("kolom.status", Kind::Text),
];

/// The figure as a cell: a percentage, the too-few note, or nothing.
pub fn outcome_cell(cx: &Context, o: Outcome) -> Cell {
    match o {
        Outcome::Value { bp, .. } => Cell::Percent(bp),
        Outcome::TooFew(n) => {
            Cell::Text(cx.w("indikator.belum_cukup").replace("{n}", &n.to_string()))
        }
        Outcome::Empty => Cell::Empty,
    }
}

/// The row's label: its region's name and code, or the country.
pub fn label(cx: &Context, r: &FigureRow) -> String {
    match &r.region {
        Some(code) => cx.region(code),
        None => cx.w("indikator.nasional"),
    }
}

/// The row's status: the indicators missed, or met.
pub fn status(cx: &Context, r: &FigureRow) -> String {
    let missed: Vec<String> = r.missed().map(|i| cx.w(i.short)).collect();
    if !missed.is_empty() {
        format!("✗ {}", missed.join(", "))
    } else if r
        .outcomes
        .iter()
        .any(|o| matches!(o, Outcome::Value { .. }))
    {
        format!("✓ {}", cx.w("lain.tercapai"))
    } else {
        "–".into()
    }
}

fn row(cx: &Context, r: &FigureRow) -> Row {
    let c = &r.counts;
    let figure = |i: usize| outcome_cell(cx, r.outcomes[i]);
    let target = |i: usize| Cell::Percent((INDICATORS[i].target)(&r.target));
    Row {
        cells: vec![
            Cell::Text(label(cx, r)),
            Cell::Count(c.active_prev),
            Cell::Count(c.active),
            Cell::Count(c.new),
            figure(0),
            target(0),
            Cell::Count(c.rat_prev),
            Cell::Count(c.rat),
            figure(1),
            target(1),
            Cell::Count(c.inactive_prev),
            Cell::Count(c.inactive),
            figure(2),
            target(2),
            Cell::Count(c.quality),
            figure(3),
            target(3),
            Cell::Text(status(cx, r)),
        ],
        miss: r.missed().next().is_some(),
        marks: INDICATORS
            .iter()
            .zip(FIGURE_COLUMN)
            .filter(|(i, _)| r.missed().any(|m| m.key == i.key))
            .map(|(_, col)| col)
            .collect(),
    }
}

pub fn build(cx: &Context, facts: Vec<Fact>, f: &Figures) -> Document {
    let year = f.year;
    let table = Table {
        columns: columns(cx, &COLUMNS),
        rows: f.rows.iter().map(|r| row(cx, r)).collect(),
        total: f.total.as_ref().map(|r| row(cx, r)),
    };
    let charts = INDICATORS
        .iter()
        .enumerate()
        .map(|(n, i)| {
            // The target line is the total's (a row's own is in the table).
            let line = f
                .total
                .as_ref()
                .or(f.rows.first())
                .map(|r| (i.target)(&r.target));
            chart::bars(
                format!("{} {}", cx.w(i.key), year),
                String::new(),
                f.rows
                    .iter()
                    .map(|r| {
                        let o = r.outcomes[n];
                        let (v, miss) = match o {
                            Outcome::Value { bp, met } => (bp, !met),
                            _ => (0, false),
                        };
                        let code = r.region.clone().unwrap_or_default();
                        Item {
                            label: cx.regions.get(&code).cloned().unwrap_or(code),
                            // Clipped at four times the target, so that one
                            // region far ahead does not flatten the others.
                            front: v.min(4 * (i.target)(&r.target)).max(0),
                            back: None,
                            value: outcome_cell(cx, o).display(cx.lang),
                            miss,
                        }
                    })
                    .collect(),
                line.map(|t| {
                    let shown = Cell::Percent(t).display(cx.lang);
                    (t, format!("{} {shown}", cx.w("lain.target")))
                }),
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

    fn kab(region: &str, records: i64) -> IndicatorRow {
        IndicatorRow {
            region: region.into(),
            active_prev: 100,
            active: 105,
            new: 7, // 7 %: met
            rat_prev: 60,
            rat: 68, // +13.3 %: missed
            inactive_prev: 40,
            inactive: 30, // −25 %: met
            quality: 14,  // 13.3 % of 105: missed
            records_prev: records,
            records,
        }
    }

    fn code(s: &str) -> Scope {
        Scope::Region(RegionCode::parse(s).unwrap())
    }

    #[test]
    fn a_region_misses_exactly_the_targets_it_falls_short_of() {
        let f = figures(
            &code("18.01"),
            2026,
            &Targets::default(),
            &[kab("18.01", 140)],
        );
        let missed: Vec<_> = f.rows[0].missed().map(|i| i.key).collect();
        assert_eq!(
            missed,
            vec!["kolom.capaian_rat", "kolom.capaian_berkualitas"]
        );
        assert!(f.total.is_none());
        let none = IndicatorRow {
            records: 10,
            records_prev: 10,
            ..IndicatorRow::default()
        };
        let f = figures(&code("18.01"), 2026, &Targets::default(), &[none]);
        assert_eq!(f.rows[0].outcomes[2], Outcome::Empty);
        assert_eq!(f.rows[0].missed().count(), 0);
    }

    #[test]
    fn too_few_records_count_neither_as_met_nor_as_missed() {
        let f = figures(
            &code("18.01"),
            2026,
            &Targets::default(),
            &[kab("18.01", 4)],
        );
        assert_eq!(f.rows[0].outcomes, [Outcome::TooFew(4); 4]);
        assert_eq!(f.rows[0].missed().count(), 0);
    }

    #[test]
    fn provinces_add_up_their_kabupaten_and_take_their_own_targets() {
        let t: Targets = toml::from_str("[[override]]\nprovince = \"13\"\nrat = 10\n").unwrap();
        let rows = [kab("13.01", 10), kab("13.02", 10), kab("18.01", 10)];
        let f = figures(&Scope::National, 2026, &t, &rows);
        let regions: Vec<_> = f.rows.iter().map(|r| r.region.clone()).collect();
        assert_eq!(regions, [Some("13".into()), Some("18".into())]);
        assert_eq!(f.rows[0].counts.active, 210);
        assert_eq!(f.rows[0].target.rat_bp, 1_000);
        assert_eq!(f.rows[0].missed().count(), 1, "RAT met at 10 %");
        assert_eq!(f.rows[1].missed().count(), 2);
        let total = f.total.unwrap();
        assert_eq!((total.region, total.counts.active), (None, 315));
        let f = figures(&code("13"), 2026, &t, &rows[..2]);
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.total.unwrap().region.as_deref(), Some("13"));
    }
}
