//! `/indikator`: the cooperative indicators of a year against the one
//! before, within the reader's region (every role reads it): a national
//! reader sees a row per province and the national row, a province's reader
//! a row per kabupaten/kota and the province's row. Each row shows the
//! targets that apply to it, each figure met (✓) or missed (✗), or the note
//! that too few verified records stand behind it; each count and figure
//! links to the cooperatives behind it in `/registri`. The figures are the
//! report's ([`pantau_report::gather::indicator_figures`]): one computation.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Datelike;
use pantau_domain::RegionCode;
use pantau_domain::access::Scope;
use pantau_report::indicators::{self, FigureRow, INDICATORS, Outcome};
use pantau_report::{Context, ReportName};
use pantau_store::read::report::Indicator as Filter;
use serde::Serialize;

use super::region_select::{self, Codes, RegionGroup};
use super::reports::download_link;
use super::view::{OrFail, PageResult, Viewer, link, query_pairs};
use crate::App;
use crate::error::ApiError;

#[derive(Serialize)]
struct Count {
    n: String,
    href: String,
}

#[derive(Serialize)]
struct Figure {
    text: String,
    target: String,
    href: String,
    met: bool,
    missed: bool,
    few: bool,
}

#[derive(Serialize)]
struct Line {
    label: String,
    /// A province's own page, from the national table.
    href: Option<String>,
    total: bool,
    active_prev: Count,
    active: Count,
    new: Count,
    rat_prev: Count,
    rat: Count,
    inactive_prev: Count,
    inactive: Count,
    quality: Count,
    figures: Vec<Figure>,
    status: String,
    miss: bool,
}

#[derive(Serialize)]
struct IndicatorsPage {
    year: i32,
    prev: i32,
    regions: Vec<RegionGroup>,
    lines: Vec<Line>,
    report_xlsx: String,
    report_pdf: String,
    note: String,
}

pub async fn page(State(app): State<App>, v: Viewer) -> PageResult {
    let query = query_pairs(v.look.here.split_once('?').map(|(_, q)| q));
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (year, region) = (get("tahun"), get("wilayah"));
    let bad = |field: &str, key: &str| Err(ApiError::invalid(field, v.text(key))).or_fail(&v);
    let now = app.now();
    let year = match year.as_str() {
        "" => now.with_timezone(&v.caller.zone.offset()).year(),
        y => match y.parse::<i32>() {
            Ok(y) if (1901..=9999).contains(&y) => y,
            _ => return bad("tahun", "indikator.tahun_salah"),
        },
    };
    let scope = match region.as_str() {
        "" => v.caller.scope.clone(),
        r => match RegionCode::parse(r) {
            Ok(code) if app.has_region(r) && v.caller.sees(Some(r)) => Scope::Region(code),
            _ => return bad("wilayah", "registri.wilayah_salah"),
        },
    };
    let figures =
        pantau_report::gather::indicator_figures(&app.store, &scope, year, &app.indicator_targets)
            .await
            .map_err(|e| match e {
                pantau_report::ReportError::Store(e) => ApiError::from_store(e, v.caller.lang),
                e => ApiError::Internal(e.to_string()),
            })
            .or_fail(&v)?;
    let within = app.regions_within(&v.caller.scope);
    let names: BTreeMap<String, String> =
        app.regions_within(&Scope::National).into_iter().collect();
    let cx = Context {
        words: &app.reports.words,
        lang: v.caller.lang,
        zone: v.caller.zone,
        now,
        regions: &names,
    };
    let national = scope.region().is_none();
    let mut lines: Vec<Line> = figures
        .rows
        .iter()
        .map(|r| line(&cx, year, r, national, false))
        .collect();
    if let Some(t) = &figures.total {
        lines.push(line(&cx, year, t, false, true));
    }
    let regions = region_select::grouped(
        &app,
        &v,
        within.iter().map(|(code, _)| code.as_str()),
        Some(region.as_str()),
        Codes::Hidden,
    );
    let y = year.to_string();
    let pairs = [("year", y.as_str()), ("region", region.as_str())];
    let with = |format: &'static str| {
        let mut p = pairs.to_vec();
        p.push(("format", format));
        download_link(ReportName::Indicators, &p)
    };
    Ok(v.render(
        StatusCode::OK,
        "indikator",
        &v.text("indikator.judul"),
        IndicatorsPage {
            year,
            prev: year - 1,
            regions,
            lines,
            report_xlsx: with("xlsx"),
            report_pdf: with("pdf"),
            note: cx.w("indikator.catatan"),
        },
    ))
}

/// `/registri` listing the cooperatives behind a figure of `year` in `region`.
pub fn drill(year: i32, filter: Filter, region: Option<&str>) -> String {
    link(
        "/registri",
        &[
            ("tahun", &year.to_string()),
            ("indikator", filter.as_str()),
            ("wilayah", region.unwrap_or_default()),
        ],
    )
}

fn line(cx: &Context, year: i32, r: &FigureRow, linked: bool, total: bool) -> Line {
    let region = r.region.as_deref();
    let c = &r.counts;
    let count = |n: i64, y: i32, f: Filter| Count {
        n: pantau_domain::format::thousands(n, cx.lang),
        href: drill(y, f, region),
    };
    let figures = INDICATORS
        .iter()
        .zip(r.outcomes)
        .map(|(i, o)| Figure {
            text: indicators::outcome_cell(cx, o).display(cx.lang),
            target: pantau_report::model::Cell::Percent(indicators::target_of(i, &r.target))
                .display(cx.lang),
            href: drill(year, i.filter, region),
            met: matches!(o, Outcome::Value { met: true, .. }),
            missed: matches!(o, Outcome::Value { met: false, .. }),
            few: matches!(o, Outcome::TooFew(_)),
        })
        .collect();
    Line {
        label: indicators::label(cx, r),
        href: region.filter(|_| linked).map(|code| {
            link(
                "/indikator",
                &[("tahun", &year.to_string()), ("wilayah", code)],
            )
        }),
        total,
        active_prev: count(c.active_prev, year - 1, Filter::Active),
        active: count(c.active, year, Filter::Active),
        new: count(c.new, year, Filter::New),
        rat_prev: count(c.rat_prev, year - 1, Filter::Rat),
        rat: count(c.rat, year, Filter::Rat),
        inactive_prev: count(c.inactive_prev, year - 1, Filter::Inactive),
        inactive: count(c.inactive, year, Filter::Inactive),
        quality: count(c.quality, year, Filter::Quality),
        figures,
        status: indicators::status(cx, r),
        miss: r.missed().next().is_some(),
    }
}
