//! `GET /api/reports/{name}`: a report (program progress, monev visits, the
//! accountability report to the Ministry, cooperative indicators) as HTML,
//! CSV, XLSX or PDF, made by `pantau-report` as `pantau report` makes it,
//! within the caller's region. The pages' `/laporan/unduh` answers with the
//! same bytes through [`make`].
//!
//! A query value that cannot be read answers 400 naming it, as everywhere
//! in the API; a request the report cannot be made for (a program that is
//! not of that year in the caller's region) answers 422 naming the field;
//! a region or case outside the caller's region answers 404, as if it did
//! not exist; a PDF without Chromium answers 503.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::WithRejection;
use chrono::{Datelike, Utc};
use pantau_domain::Lang;
use pantau_domain::access::{Permission, Scope};
use pantau_report::pdf::{Chromium, Printer as _};
use pantau_report::{Format, ReportError, ReportName, Request};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::files::FileBytes;
use crate::error::{ApiError, ErrorBody, FieldIssue};
use crate::{App, Caller};

mod query;
use query::{read, say};

/// What to report on; every value is optional.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The fiscal year (default: the program's when one is given, else the
    /// current year; a `monev` report of one `case` or of a period needs none).
    pub year: Option<String>,
    /// One program's id (default: every program of the year).
    pub program: Option<String>,
    /// A province (`18`) or kabupaten/kota (`18.71`) within the caller's
    /// region (default: all of it).
    pub region: Option<String>,
    /// `monev` only: one case's visits.
    pub case: Option<String>,
    /// `monev` only: visits done from this day (`YYYY-MM-DD`) …
    pub from: Option<String>,
    /// … through this day (default: today).
    pub to: Option<String>,
    /// `html` (default), `csv`, `xlsx` or `pdf`.
    #[param(value_type = Option<FormatParam>, inline)]
    pub format: Option<String>,
    /// `id` or `en` (default: the caller's language).
    #[param(value_type = Option<LangParam>, inline)]
    pub lang: Option<String>,
    /// `accountability` only: who signs it off, with `position`, `nip` (18
    /// digits) and `place`; all four or none.
    pub signer: Option<String>,
    pub position: Option<String>,
    pub nip: Option<String>,
    pub place: Option<String>,
}

/// The reports (OpenAPI only).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum ReportParam {
    ProgramProgress,
    Monev,
    Accountability,
    Indicators,
}

/// The formats (OpenAPI only).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum FormatParam {
    Html,
    Csv,
    Xlsx,
    Pdf,
}

/// The languages (OpenAPI only).
#[derive(Debug, ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum LangParam {
    Id,
    En,
}

/// A report made: its bytes, its format and the file name to save it as.
#[derive(Debug)]
pub struct Made {
    pub bytes: Vec<u8>,
    pub format: Format,
    pub file: String,
}

/// How many PDFs are printed at once (each is a Chromium).
pub const PRINTERS: usize = 2;

/// The report `name` as `caller` may see it, made as `q` asks.
pub async fn make(
    app: &App,
    caller: &Caller,
    name: &str,
    q: &ReportQuery,
) -> Result<Made, ApiError> {
    caller.require(Permission::Read)?;
    let lang = caller.lang;
    let report: ReportName = name
        .parse()
        .map_err(|_| ApiError::not_found(&say(lang, "laporan", "report"), name, lang))?;
    let r = read(report, q, caller)?;
    let err = |e| ApiError::from_store(e, lang);
    // A region within the caller's, else it does not exist for them.
    let scope = match &r.region {
        None => caller.scope.clone(),
        Some(code) => {
            let wilayah = say(lang, "wilayah", "region");
            if !app.has_region(code.as_str()) {
                return Err(ApiError::not_found(&wilayah, code.as_str(), lang));
            }
            caller.see(Some(code.as_str()), &wilayah, code.as_str())?;
            Scope::Region(code.clone())
        }
    };
    if let Some(id) = &r.case {
        let found = app.store.case(id).await.map_err(err)?;
        let Some(view) = found else {
            return Err(ApiError::not_found("kasus", id, lang));
        };
        caller.see(view.row.region.as_deref(), "kasus", id)?;
    }
    let program_year = match &r.program {
        Some(p) => app
            .store
            .programs_in(&scope)
            .await
            .map_err(err)?
            .into_iter()
            .find(|x| &x.id == p)
            .map(|x| x.fiscal_year),
        None => None,
    };
    let now = Utc::now();
    let this_year = now.with_timezone(&caller.zone.offset()).year();
    let year = match (r.year, report) {
        (Some(y), _) => Some(y),
        (None, ReportName::Monev) if r.case.is_some() || r.from.is_some() => None,
        (None, _) => Some(program_year.unwrap_or(this_year)),
    };
    // Find Chromium before the work, so a missing part is said first.
    let printer = match r.format {
        Format::Pdf => Some(Chromium::find().map_err(|e| failed(e, lang))?),
        _ => None,
    };
    let req = Request {
        report,
        year,
        program: r.program.clone(),
        scope,
        case_id: r.case.clone(),
        from: r.from,
        to: r.to,
        signer: r.signer.clone(),
        lang: r.lang,
        zone: caller.zone,
        now,
        targets: (*app.indicator_targets).clone(),
        photo_bytes: pantau_report::monev::CARRIED_BYTES,
    };
    let doc = pantau_report::gather::document(&app.store, &app.catalog, &app.reports, &req)
        .await
        .map_err(|e| match e {
            ReportError::Invalid {
                field: "program", ..
            } => ApiError::Refused {
                code: "report_not_possible".into(),
                message: say(
                    lang,
                    &format!(
                        "tidak ada program `{}` tahun anggaran {} di wilayah Anda",
                        r.program.as_deref().unwrap_or(""),
                        year.unwrap_or(this_year)
                    ),
                    &format!(
                        "no program `{}` of fiscal year {} in your region",
                        r.program.as_deref().unwrap_or(""),
                        year.unwrap_or(this_year)
                    ),
                ),
                fields: vec![FieldIssue::new(
                    "program",
                    say(
                        lang,
                        "bukan program tahun anggaran itu di wilayah Anda",
                        "not a program of that fiscal year in your region",
                    ),
                )],
            },
            e => failed(e, lang),
        })?;
    let render = |doc| app.reports.render(doc).map_err(|e| failed(e, lang));
    let bytes = match r.format {
        Format::Html => render(&doc)?.into_bytes(),
        Format::Csv => pantau_report::csv::write(&doc).map_err(|e| failed(e, lang))?,
        Format::Xlsx => pantau_report::xlsx::write(&doc).map_err(|e| failed(e, lang))?,
        Format::Pdf => {
            let html = render(&doc)?;
            let printer = printer.ok_or_else(|| ApiError::Internal("no PDF printer".into()))?;
            let permit = app
                .printing
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                printer.print(&html)
            })
            .await
            .map_err(|e| ApiError::Internal(format!("printing the PDF: {e}")))?
            .map_err(|e| failed(e, lang))?
        }
    };
    Ok(Made {
        bytes,
        format: r.format,
        file: file_name(report, year, r.case.as_deref(), r.format, r.lang),
    })
}

/// A report error that is not the request's fault.
fn failed(e: ReportError, lang: Lang) -> ApiError {
    match e {
        ReportError::Invalid { field, reason } => ApiError::Refused {
            code: "report_not_possible".into(),
            message: format!("{field}: {reason}"),
            fields: vec![FieldIssue::new(field, reason)],
        },
        ReportError::Store(e) => ApiError::from_store(e, lang),
        ReportError::Pdf(why) => ApiError::Unavailable(why),
        other => ApiError::Internal(other.to_string()),
    }
}

/// `perkembangan-program-2026.pdf` in Indonesian, `program-progress-2026.pdf`
/// in English; `monev-CASE.pdf`, `monev.csv`.
fn file_name(
    report: ReportName,
    year: Option<i32>,
    case: Option<&str>,
    format: Format,
    lang: Lang,
) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .take(64)
            .collect()
    };
    let tail = match (case, year) {
        (Some(c), _) => format!("-{}", safe(c)),
        (None, Some(y)) => format!("-{y}"),
        (None, None) => String::new(),
    };
    let stem = match (lang, report) {
        (Lang::Id, ReportName::ProgramProgress) => "perkembangan-program",
        (Lang::Id, ReportName::Accountability) => "akuntabilitas",
        (Lang::Id, ReportName::Indicators) => "indikator",
        (_, r) => r.as_str(),
    };
    format!("{stem}{tail}.{}", format.as_str())
}

/// The answer carrying a made report: the bytes with their type, to save
/// (or, for HTML, to show) as the file; never cached; an HTML report runs
/// no script and fetches nothing.
pub fn respond(made: Made) -> Response {
    let how = if made.format == Format::Html {
        "inline"
    } else {
        "attachment"
    };
    let disposition = HeaderValue::from_str(&format!("{how}; filename=\"{}\"", made.file))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(made.format.content_type()),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; \
                     base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                ),
            ),
        ],
        made.bytes,
    )
        .into_response()
}

/// A report within the caller's region: program progress (`year`,
/// `program`), monev visits (one `case`, a period `from`–`to`, or a `year`),
/// the accountability report (`year`; signed with `signer`, `position`,
/// `nip`, `place`), or cooperative indicators (`year` against the year before).
#[utoipa::path(get, path = "/api/reports/{name}", tag = "reports",
    params(("name" = inline(ReportParam), Path, description = "The report"), ReportQuery),
    responses(
        (status = 200, description = "The report in the format asked for",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"NAME-YEAR.EXT\"` (`inline` for HTML)")),
            content((String = "text/html"), (String = "text/csv"),
                (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (FileBytes = "application/pdf"))),
        (status = 400, description = "A query value that cannot be read, named", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such report, or the region or case is not within the caller's", body = ErrorBody),
        (status = 422, description = "The report cannot be made as asked (e.g. no such program that year), the field named", body = ErrorBody),
        (status = 503, description = "No PDF printer (Chromium) on the server", body = ErrorBody)))]
pub async fn get_report(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(name), _): WithRejection<Path<String>, ApiError>,
    WithRejection(Query(q), _): WithRejection<Query<ReportQuery>, ApiError>,
) -> Result<Response, ApiError> {
    Ok(respond(make(&app, &caller, &name, &q).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain() {
        let name = |r, y, c, f, l| file_name(r, y, c, f, l);
        assert_eq!(
            name(
                ReportName::ProgramProgress,
                Some(2026),
                None,
                Format::Pdf,
                Lang::En
            ),
            "program-progress-2026.pdf"
        );
        assert_eq!(
            name(
                ReportName::ProgramProgress,
                Some(2026),
                None,
                Format::Pdf,
                Lang::Id
            ),
            "perkembangan-program-2026.pdf"
        );
        assert_eq!(
            name(
                ReportName::Indicators,
                Some(2026),
                None,
                Format::Xlsx,
                Lang::Id
            ),
            "indikator-2026.xlsx"
        );
        assert_eq!(
            name(
                ReportName::Monev,
                None,
                Some("ab\"c;1"),
                Format::Csv,
                Lang::Id
            ),
            "monev-abc1.csv"
        );
        assert_eq!(
            name(ReportName::Monev, None, None, Format::Xlsx, Lang::En),
            "monev.xlsx"
        );
    }
}
