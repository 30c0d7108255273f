//! `/laporan`: a small form to download a report (program progress, monev
//! visits, the accountability report, cooperative indicators) for a year,
//! a program and a kabupaten/kota of the reader's region, in HTML, CSV,
//! XLSX or PDF. It is sent with GET to `/laporan/unduh`, which answers with
//! the file made by [`api::reports::make`](crate::api::reports::make) (the
//! API's `GET /api/reports/{name}`, same checks, same bytes), or with the
//! form again naming what was wrong. A page route rather than the API's
//! because a form cannot put the report's name in the path, and because a
//! person should get a page in their language, not JSON, when something is
//! wrong. The dashboard and the case page link to it too.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Utc};
use pantau_report::{Format, ReportName};
use serde::{Deserialize, Serialize};

use super::region_select::{self, Codes, RegionGroup};
use super::view::{Viewer, link};
use crate::App;
use crate::api::reports::{self, ReportQuery};
use crate::error::ApiError;

/// The form's choices (and whatever else the API takes, passed on).
#[derive(Debug, Default, Deserialize)]
pub struct Chosen {
    report: Option<String>,
    #[serde(flatten)]
    rest: ReportQuery,
}

#[derive(Serialize)]
struct ReportsPage {
    reports: Vec<Kind>,
    programs: Vec<Choice>,
    /// The regions to narrow to, by province (none when the reader has only one).
    regions: Vec<RegionGroup>,
    formats: Vec<Choice>,
    year: String,
    /// Carried through the form when given (a case's monev report, a period).
    hidden: Vec<Hidden>,
    /// A field is marked: say so above the form.
    marked: bool,
    problems: Problems,
}

/// What was wrong with a sent form, by field.
#[derive(Serialize, Default)]
struct Problems {
    report: Option<String>,
    year: Option<String>,
    program: Option<String>,
    region: Option<String>,
    format: Option<String>,
    /// Anything else (a case, a period, the PDF printer).
    other: Vec<String>,
}

#[derive(Serialize)]
struct Hidden {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Kind {
    value: &'static str,
    label: String,
    hint: String,
    selected: bool,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// `/laporan/unduh?report=…&…` as a link (the dashboard's and case page's buttons).
pub fn download_link(report: ReportName, pairs: &[(&str, &str)]) -> String {
    let mut all = vec![("report", report.as_str())];
    all.extend_from_slice(pairs);
    link("/laporan/unduh", &all)
}

fn given(o: &Option<String>) -> Option<&str> {
    o.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

pub async fn form(
    State(app): State<App>,
    v: Viewer,
    query: Result<Query<Chosen>, QueryRejection>,
) -> Response {
    let chosen = query.map(|Query(c)| c).unwrap_or_default();
    show(&app, &v, &chosen, Problems::default(), StatusCode::OK).await
}

pub async fn download(
    State(app): State<App>,
    v: Viewer,
    query: Result<Query<Chosen>, QueryRejection>,
) -> Response {
    let chosen = match query {
        Ok(Query(c)) => c,
        Err(e) => return v.fail(ApiError::from(e)),
    };
    let name = given(&chosen.report).unwrap_or(ReportName::ProgramProgress.as_str());
    let Ok(report) = name.parse::<ReportName>() else {
        let problems = Problems {
            report: Some(v.text("laporan.pilih_jenis")),
            ..Problems::default()
        };
        return show(&app, &v, &chosen, problems, StatusCode::BAD_REQUEST).await;
    };
    match reports::make(&app, &v.caller, report.as_str(), &chosen.rest).await {
        Ok(made) => reports::respond(made),
        Err(e) => {
            let status = e.clone().into_response().status();
            let mut problems = Problems::default();
            match &e {
                ApiError::Invalid(fields) | ApiError::Refused { fields, .. }
                    if !fields.is_empty() =>
                {
                    for f in fields {
                        let slot = match f.field.as_str() {
                            "year" => &mut problems.year,
                            "program" => &mut problems.program,
                            "region" => &mut problems.region,
                            "format" => &mut problems.format,
                            _ => {
                                problems.other.push(format!("{}: {}", f.field, f.reason));
                                continue;
                            }
                        };
                        *slot = Some(f.reason.clone());
                    }
                }
                ApiError::Unavailable(why) => problems
                    .other
                    .push(format!("{} ({why})", v.text("laporan.tanpa_pdf"))),
                _ => return v.fail(e),
            }
            show(&app, &v, &chosen, problems, status).await
        }
    }
}

async fn show(
    app: &App,
    v: &Viewer,
    chosen: &Chosen,
    problems: Problems,
    status: StatusCode,
) -> Response {
    let lang = v.caller.lang;
    let err = |e| ApiError::from_store(e, lang);
    let programs = match app.store.programs_in(&v.caller.scope).await {
        Ok(p) => p,
        Err(e) => return v.fail(err(e)),
    };
    let regions = match app.store.regions_in(&v.caller.scope).await {
        Ok(r) => r,
        Err(e) => return v.fail(err(e)),
    };
    let q = &chosen.rest;
    let report = given(&chosen.report).unwrap_or(ReportName::ProgramProgress.as_str());
    let program = given(&q.program);
    let this_year = Utc::now().with_timezone(&v.caller.zone.offset()).year();
    // A case's monev report, or a period's, covers no one year.
    let year = match (given(&q.year), given(&q.case).or(given(&q.from))) {
        (Some(y), _) => y.to_string(),
        (None, Some(_)) => String::new(),
        (None, None) => this_year.to_string(),
    };
    let format = given(&q.format).unwrap_or(Format::Html.as_str());
    let region = given(&q.region);
    let mut programs = programs;
    programs.sort_by(|a, b| {
        b.fiscal_year
            .cmp(&a.fiscal_year)
            .then_with(|| a.name.cmp(&b.name))
    });
    let page = ReportsPage {
        reports: ReportName::ALL
            .into_iter()
            .map(|r| Kind {
                value: r.as_str(),
                label: v.text(&format!("laporan.nama.{}", r.as_str())),
                hint: v.text(&format!("laporan.ket.{}", r.as_str())),
                selected: r.as_str() == report,
            })
            .collect(),
        programs: programs
            .iter()
            .map(|p| Choice {
                label: format!("{} ({})", p.name, p.fiscal_year),
                selected: program == Some(p.id.as_str()),
                value: p.id.clone(),
            })
            .collect(),
        regions: if regions.len() > 1 {
            region_select::grouped(
                app,
                v,
                regions.iter().map(|r| r.code.as_str()),
                region,
                Codes::Shown,
            )
        } else {
            vec![]
        },
        formats: Format::ALL
            .into_iter()
            .map(|f| Choice {
                value: f.as_str().to_string(),
                label: v.text(&format!("laporan.format.{}", f.as_str())),
                selected: f.as_str() == format,
            })
            .collect(),
        year,
        hidden: [("case", &q.case), ("from", &q.from), ("to", &q.to)]
            .into_iter()
            .filter_map(|(name, o)| {
                given(o).map(|t| Hidden {
                    name,
                    value: t.to_string(),
                })
            })
            .collect(),
        marked: [
            &problems.report,
            &problems.year,
            &problems.program,
            &problems.region,
            &problems.format,
        ]
        .iter()
        .any(|p| p.is_some()),
        problems,
    };
    v.render(status, "laporan", &v.text("laporan.judul"), page)
}
