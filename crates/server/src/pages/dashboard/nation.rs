//! What a national reader (the Ministry, the administrator) compares: one
//! row per province across every program (cases, rupiah, realisation, monev
//! visits), the nation's total below, every figure a link to the province's
//! cases behind it (`/kasus?region=18&…`: the case list narrows a province
//! to its kabupaten/kota). Each program is run by one province, so the
//! programs follow grouped under their province, folded: with 38 provinces
//! the page is the table first, and a province's name opens its programs.
//! Only the province asked for (`/?provinsi=18`) carries its programs'
//! tables: with every province's, the Ministry's page was 13 MB of HTML at
//! a million cases.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Cell, Group, format, meter, program_view};
use crate::App;
use crate::api::dashboard::{Dashboard, Figures};
use crate::pages::view::{Viewer, link};

#[derive(Serialize)]
pub(super) struct Nation {
    rows: Vec<Line>,
    total: Line,
    /// Some program moves money: the rupiah columns are shown.
    rupiah: bool,
}

/// A province across every program, or the nation.
#[derive(Serialize)]
struct Line {
    name: String,
    /// The province's programs further down the page.
    anchor: Option<String>,
    programs: i64,
    cases: Cell,
    allocation: String,
    approved: String,
    /// Sent to the bank, awaiting its answer.
    ordered: String,
    disbursed: String,
    /// The cases of the allocations, those with an approved amount, and
    /// those with a disbursement (no link for Rp 0).
    money: Option<String>,
    money_approved: Option<String>,
    money_disbursed: Option<String>,
    /// Disbursed against the allocation: none without an allocation.
    realisation: Option<String>,
    meter: String,
    visits_done: Cell,
    visits_overdue: Cell,
    /// The rupiah columns are shown.
    rupiah: bool,
}

/// A province's name over its programs, with its figures in a line.
#[derive(Serialize)]
pub(super) struct Heading {
    id: String,
    name: String,
    line: String,
    /// Shown unfolded: the only province, or the one asked for.
    open: bool,
    /// Where its programs are shown, when they are not on this page.
    href: Option<String>,
}

/// The page of the province `code`'s programs, at their place.
fn province_page(code: &str) -> String {
    format!("/?provinsi={code}#provinsi-{code}-program")
}

/// The line of `name` (`region` a province, or empty for the nation).
fn line(v: &Viewer, name: String, region: &str, programs: i64, f: &Figures, rupiah: bool) -> Line {
    let href = |key: &str, value: &str| link("/kasus", &[("region", region), (key, value)]);
    let cell = |key: &str, value: &str, what: &str, n: i64| {
        Cell::new(v, n, href(key, value), &v.text(what), &name)
    };
    Line {
        anchor: (!region.is_empty()).then(|| province_page(region)),
        programs,
        cases: cell("", "", "dasbor.semua", f.cases),
        allocation: format::rupiah(f.allocation),
        approved: format::rupiah(f.approved),
        ordered: format::rupiah(f.ordered),
        disbursed: format::rupiah(f.disbursed),
        money: (f.allocation != 0).then(|| href("", "")),
        money_approved: (f.approved != 0).then(|| href("uang", "disetujui")),
        money_disbursed: (f.disbursed != 0).then(|| href("uang", "dicairkan")),
        realisation: (f.allocation != 0).then(|| format::percent(f.realisation_bp, v.caller.lang)),
        meter: meter(f),
        visits_done: cell(
            "kunjungan",
            "selesai",
            "dasbor.kunjungan_selesai",
            f.visits_done,
        ),
        visits_overdue: cell(
            "kunjungan",
            "terlambat",
            "dasbor.kunjungan_terlambat",
            f.visits_overdue,
        ),
        rupiah,
        name,
    }
}

/// The provinces compared, and the programs grouped by the province that
/// runs them (in code order): those of the province `open` (or of the only
/// one) with their tables, the others by a link.
pub(super) fn compare(
    app: &App,
    v: &Viewer,
    d: &Dashboard,
    open: Option<&str>,
) -> (Vec<Group>, Nation) {
    let t = &d.total;
    let rupiah = t.allocation != 0 || t.approved != 0 || t.ordered != 0 || t.disbursed != 0;
    let nation = Nation {
        rows: d
            .provinces
            .iter()
            .map(|p| line(v, p.name.clone(), &p.code, p.programs, &p.figures, rupiah))
            .collect(),
        total: line(
            v,
            v.text("dasbor.nasional"),
            "",
            d.programs.len() as i64,
            t,
            rupiah,
        ),
        rupiah,
    };
    let mut by_province: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for p in &d.programs {
        by_province.entry(p.province.as_str()).or_default().push(p);
    }
    let only = by_province.len() == 1;
    let groups = by_province
        .into_iter()
        .map(|(code, programs)| {
            let shown = only || open == Some(code);
            let f = d
                .provinces
                .iter()
                .find(|p| p.code == code)
                .map(|p| p.figures.clone())
                .unwrap_or_default();
            let lang = v.caller.lang;
            let mut line = v
                .text("dasbor.provinsi_ringkas")
                .replace("{program}", &format::thousands(programs.len() as i64, lang))
                .replace("{kasus}", &format::thousands(f.cases, lang));
            if f.allocation != 0 {
                line.push_str(" · ");
                line.push_str(
                    &v.text("dasbor.provinsi_realisasi")
                        .replace("{realisasi}", &format::percent(f.realisation_bp, lang)),
                );
            }
            Group {
                heading: Some(Heading {
                    id: format!("provinsi-{code}"),
                    name: app.region_name(code),
                    line,
                    open: shown,
                    href: (!shown).then(|| province_page(code)),
                }),
                programs: if shown {
                    programs.iter().map(|p| program_view(app, v, p)).collect()
                } else {
                    vec![]
                },
            }
        })
        .collect();
    (groups, nation)
}
