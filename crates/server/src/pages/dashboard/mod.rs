//! `/`: the program manager's dashboard, from [`api::dashboard::build`]. For
//! each program: cases per state per kabupaten/kota (only the states that
//! hold cases), rupiah against the allocation, monev visits. Every figure
//! links to the list of the cases behind it. A national reader (the
//! Ministry, the administrator) first compares the provinces
//! ([`nation`]), and finds each province's programs folded under its name.
//! A field officer starts on their visits instead.

mod nation;

use axum::extract::State;
use axum::http::StatusCode;
use pantau_report::ReportName;
use serde::Serialize;

use super::view::{OrFail, PageResult, Viewer, link};
use super::{format, reports};
use crate::App;
use crate::api::dashboard::{self, Dashboard, Figures, ProgramFigures};

#[derive(Serialize)]
struct DashboardPage<'a> {
    /// The tables (`_dasbor_isi`, from [`Tables`]), kept with the figures.
    body: &'a str,
    /// No program at all.
    empty: bool,
    /// Cases with a monev visit whose evidence awaits a verifier.
    flagged: u64,
    /// The reader may open a proposal ("Usulan baru").
    may_propose: bool,
    /// Cases whose state has an action the reader's role may take.
    waiting: u64,
}

/// What `_dasbor_isi` shows: the same for every reader of one scope and
/// language.
#[derive(Serialize)]
struct Tables {
    /// The programs, in one group without a heading for a regional reader,
    /// or one group per province for a national one.
    groups: Vec<Group>,
    /// The provinces compared, for a national reader.
    nation: Option<nation::Nation>,
}

/// Programs shown together: a province's, under its name (folded), or a
/// regional reader's all.
#[derive(Serialize)]
struct Group {
    heading: Option<nation::Heading>,
    programs: Vec<ProgramView>,
}

#[derive(Serialize)]
struct ProgramView {
    id: String,
    name: String,
    year: i32,
    workflow: String,
    states: Vec<StateColumn>,
    rows: Vec<Row>,
    total: Row,
    /// The program moves money (a registration-only program shows no rupiah).
    money: bool,
    /// The program's progress report of its year, as PDF and XLSX.
    report_pdf: String,
    report_xlsx: String,
}

#[derive(Serialize)]
struct StateColumn {
    label: String,
}

/// One kabupaten/kota, or the program's total.
#[derive(Serialize)]
struct Row {
    name: String,
    states: Vec<Cell>,
    cases: Cell,
    allocation: String,
    approved: String,
    /// Sent to the bank, awaiting its answer.
    ordered: String,
    disbursed: String,
    realisation: String,
    /// Realisation as a fraction for `<meter>` (0 to 1).
    meter: String,
    /// The cases of the allocation, those with an approved amount, and
    /// those with a disbursement.
    money: String,
    /// The program moves money: the rupiah columns are shown.
    rupiah: bool,
    money_approved: String,
    money_disbursed: String,
    visits_done: Cell,
    visits_due: Cell,
    visits_overdue: Cell,
}

/// A count of cases and the cases behind it (no link for zero), and what a screen
/// reader says for the link ("12 kasus Diajukan, Kota Metro").
#[derive(Serialize)]
struct Cell {
    n: i64,
    href: Option<String>,
    label: String,
}

impl Cell {
    /// `n` cases `what` in `place`, listed at `href` (dropped for zero).
    fn new(v: &Viewer, n: i64, href: String, what: &str, place: &str) -> Cell {
        Cell {
            n,
            href: (n > 0).then_some(href),
            label: v
                .text("dasbor.dibaca")
                .replace("{n}", &pantau_domain::format::thousands(n, v.caller.lang))
                .replace("{apa}", what)
                .replace("{wilayah}", place),
        }
    }
}

/// Realisation as a fraction for `<meter>` (0 to 1).
fn meter(f: &Figures) -> String {
    format!(
        "{:.4}",
        (f.realisation_bp as f64 / 10_000.0).clamp(0.0, 1.0)
    )
}

fn program_view(app: &App, v: &Viewer, p: &ProgramFigures) -> ProgramView {
    let shown: Vec<_> = p
        .states
        .iter()
        .filter(|s| p.total.states.get(&s.id).is_some_and(|n| *n > 0))
        .collect();
    let t = &p.total;
    let moves_money = t.allocation != 0 || t.approved != 0 || t.ordered != 0 || t.disbursed != 0;
    let row = |name: String, region: &str, f: &Figures| {
        // The cases behind a figure: the program's in this region,
        // narrowed by `key` = `value` (a state, visits, money).
        let href = |key: &str, value: &str| {
            link(
                "/kasus",
                &[("program", &p.id), ("region", region), (key, value)],
            )
        };
        let cell = |key: &str, value: &str, what: &str, n: i64| {
            Cell::new(v, n, href(key, value), what, &name)
        };
        let visits = |kind: &str, key: &str, n: i64| cell("kunjungan", kind, &v.text(key), n);
        Row {
            states: shown
                .iter()
                .map(|s| {
                    let n = f.states.get(&s.id).copied().unwrap_or(0);
                    cell("state", &s.id, &s.label, n)
                })
                .collect(),
            cases: cell("", "", &v.text("dasbor.semua"), f.cases),
            allocation: format::rupiah(f.allocation),
            approved: format::rupiah(f.approved),
            ordered: format::rupiah(f.ordered),
            disbursed: format::rupiah(f.disbursed),
            realisation: format::percent(f.realisation_bp, v.caller.lang),
            meter: meter(f),
            money: href("", ""),
            rupiah: moves_money,
            money_approved: href("uang", "disetujui"),
            money_disbursed: href("uang", "dicairkan"),
            visits_done: visits("selesai", "dasbor.kunjungan_selesai", f.visits_done),
            visits_due: visits("terjadwal", "dasbor.kunjungan_terjadwal", f.visits_due),
            visits_overdue: visits("terlambat", "dasbor.kunjungan_terlambat", f.visits_overdue),
            name,
        }
    };
    let year = p.fiscal_year.to_string();
    let report = |format: &str| {
        reports::download_link(
            ReportName::ProgramProgress,
            &[("program", &p.id), ("year", &year), ("format", format)],
        )
    };
    ProgramView {
        money: moves_money,
        report_pdf: report("pdf"),
        report_xlsx: report("xlsx"),
        rows: p
            .regions
            .iter()
            .map(|r| row(r.name.clone(), &r.code, &r.figures))
            .collect(),
        total: row(v.text("dasbor.jumlah"), "", &p.total),
        states: shown
            .iter()
            .map(|s| StateColumn {
                label: s.label.clone(),
            })
            .collect(),
        workflow: app
            .catalog
            .latest(&p.workflow)
            .map_or_else(|| p.workflow.clone(), |d| d.label.get(v.caller.lang).into()),
        id: p.id.clone(),
        name: p.name.clone(),
        year: p.fiscal_year,
    }
}

/// What `/` is asked: a national reader's province to show the programs of.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Shown {
    provinsi: Option<String>,
}

pub async fn page(
    State(app): State<App>,
    v: Viewer,
    query: Result<axum::extract::Query<Shown>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    // A province by its code (`18`), for a national reader (a regional
    // one's page shows all its programs); anything else shows none
    // unfolded. Each province's tables are kept with the answer.
    let open = query
        .ok()
        .and_then(|q| q.0.provinsi)
        .and_then(|p| pantau_domain::RegionCode::parse(&p).ok())
        .filter(|p| p.is_province() && v.caller.scope.region().is_none());
    if v.caller.works_in_field() {
        return Ok(v.look.redirect("/kunjungan"));
    }
    // One marker for the three: the figures and counts kept at it stand
    // together.
    let marker = app.marker().await;
    let count = |what: &'static str, f: crate::api::cases::CaseFilter| {
        let (app, caller, marker) = (&app, &v.caller, marker.clone());
        // A count is the caller's own (their role may wait on cases others
        // do not).
        let key = format!("{what}|{}|{}", caller.login, caller.role.as_str());
        async move {
            let f = crate::api::cases::CaseFilter {
                per_page: Some("1".into()),
                ..f
            };
            // Neither count changes with time: each stands as long as the
            // database does (a minute at most).
            app.counts
                .get(key, marker, app.now(), || async {
                    let n = crate::api::cases::list(app, caller, &f).await?.total;
                    Ok((n, chrono::DateTime::<chrono::Utc>::MAX_UTC))
                })
                .await
        }
    };
    // The figures and the two counts at once: each waits on the database.
    let (d, flagged, waiting) = tokio::try_join!(
        dashboard::build(&app, &v.caller, marker.clone()),
        count(
            "flagged",
            crate::api::cases::CaseFilter {
                evidence: Some("flagged".into()),
                ..Default::default()
            }
        ),
        count(
            "waiting",
            crate::api::cases::CaseFilter {
                menunggu: Some("saya".into()),
                ..Default::default()
            }
        ),
    )
    .or_fail(&v)?;
    let empty = d.dashboard.programs.is_empty();
    let open = open.as_ref().map(pantau_domain::RegionCode::as_str);
    let body = d
        .html(open.unwrap_or(""), |d| tables(&app, &v, d, open))
        .or_fail(&v)?;
    Ok(v.render(
        StatusCode::OK,
        "dasbor",
        &v.text("dasbor.judul"),
        DashboardPage {
            body: &body,
            empty,
            flagged,
            may_propose: super::proposal::may_open(&app, &v.caller),
            waiting,
        },
    ))
}

/// The dashboard's tables in the reader's language (a national reader's
/// with the programs of the province `open`).
fn tables(
    app: &App,
    v: &Viewer,
    d: &Dashboard,
    open: Option<&str>,
) -> Result<String, crate::ApiError> {
    let (groups, nation) = if v.caller.scope.region().is_none() {
        let (groups, nation) = nation::compare(app, v, d, open);
        (groups, Some(nation))
    } else {
        let programs = d.programs.iter().map(|p| program_view(app, v, p)).collect();
        let group = Group {
            heading: None,
            programs,
        };
        (vec![group], None)
    };
    app.pages
        .fragment("_dasbor_isi", v.caller.lang, &Tables { groups, nation })
}
