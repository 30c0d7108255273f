//! `/bayar/{number}`: one batch within the reader's scope (another
//! region's is not found): its lines with where each stands with the bank.
//! While it is open the treasurer takes a line out or gives the batch up;
//! the file for the bank is made in a layout of `templates/bank/` and the
//! first one sends the batch (confirmed first: nothing in it changes
//! after); once sent, the bank's result file is read back and what it did
//! is shown: paid, failed, returned, already recorded, the lines that match
//! nothing (listed, never guessed), and a refused file's problems by line,
//! column and reason.

use axum::Form;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pantau_domain::access::Permission;
use pantau_registry::bank::layout::{Format, Layout};
use pantau_store::payments::{Applied, BatchStatus, BatchView, LineStatus, LineView};
use serde::{Deserialize, Serialize};

use super::due::bank_name;
use super::{Refusal, Refused, Sum, context, format, may_read, refused, sum};
use crate::App;
use crate::error::ApiError;
use crate::pages::guard;
use crate::pages::users::Choice;
use crate::pages::view::{OrFail, PageResult, Viewer};

#[derive(Serialize)]
struct Head {
    number: String,
    status: String,
    status_kind: &'static str,
    region: String,
    program: String,
    created: String,
    created_by: String,
    sent: Option<String>,
    sent_by: Option<String>,
    layout: Option<String>,
    lines: i64,
    total: String,
    ordered: Sum,
    paid: Sum,
    failed: Sum,
    returned: Sum,
}

#[derive(Serialize)]
struct Line {
    no: i64,
    reference: String,
    case_href: String,
    case_number: String,
    beneficiary: String,
    beneficiary_href: Option<String>,
    tranche: i64,
    amount: String,
    bank: String,
    account_no: String,
    holder: String,
    status: String,
    status_kind: &'static str,
    bank_reference: Option<String>,
    bank_date: Option<String>,
    reason: Option<String>,
    removable: bool,
}

#[derive(Serialize)]
struct UnmatchedRow {
    line: u64,
    reference: String,
    amount: String,
    account_no: String,
    why: String,
}

#[derive(Serialize)]
struct Outcome {
    file: String,
    paid: usize,
    failed: usize,
    returned: usize,
    already: usize,
    unmatched: Vec<UnmatchedRow>,
    refused: Vec<Refusal>,
    done: bool,
}

#[derive(Serialize, Default)]
struct BatchPage {
    head: Option<Head>,
    lines: Vec<Line>,
    may_pay: bool,
    open: bool,
    /// Sent to the bank: its result may be read back.
    sent: bool,
    layouts: Vec<Choice>,
    made: bool,
    removed: bool,
    /// Problems of the last request (an export refused, a line not taken out).
    problems: Vec<Refusal>,
    /// A result file refused whole, by line.
    file_problems: Vec<Refusal>,
    file: String,
    outcome: Option<Outcome>,
}

/// The batch `number` within the reader's scope; else not found.
async fn find(app: &App, v: &Viewer, number: &str) -> Result<(BatchView, Vec<LineView>), ApiError> {
    may_read(v)?;
    app.store
        .batch(number, &v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?
        .ok_or_else(|| ApiError::not_found("batch", number, v.caller.lang))
}

fn layouts(app: &App, v: &Viewer, chosen: Option<&str>) -> Vec<Choice> {
    app.bank_layouts
        .iter()
        .map(|l| Choice {
            value: l.id.clone(),
            label: l.label.get(v.caller.lang).to_string(),
            selected: chosen == Some(l.id.as_str()),
        })
        .collect()
}

async fn build(
    app: &App,
    v: &Viewer,
    number: &str,
    chosen: Option<&str>,
) -> Result<BatchPage, ApiError> {
    let (b, lines) = find(app, v, number).await?;
    let (lang, zone) = (v.caller.lang, v.caller.zone);
    let program = match &b.program_id {
        Some(p) => app
            .store
            .program(p)
            .await
            .map_err(|e| ApiError::from_store(e, lang))?
            .map_or_else(|| p.clone(), |p| p.name),
        None => v.text("bayar.semua_program"),
    };
    let open = b.status == BatchStatus::Open;
    let may_pay = v.caller.may(Permission::Pay);
    let lines = lines
        .iter()
        .filter(|l| l.status != LineStatus::Removed)
        .map(|l| Line {
            no: l.line_no,
            reference: l.reference.clone(),
            case_href: format!("/kasus/{}", l.case_id),
            case_number: l.case_id.chars().take(8).collect(),
            beneficiary: l.beneficiary_name.clone(),
            beneficiary_href: l.beneficiary_id.as_ref().map(|b| format!("/registri/{b}")),
            tranche: l.tranche_no,
            amount: format::rupiah(l.amount.get()),
            bank: bank_name(&l.bank_code),
            account_no: l.account_no.clone(),
            holder: l.holder_name.clone(),
            status: l.status.label().get(lang).to_string(),
            status_kind: l.status.as_str(),
            bank_reference: l.bank_reference.clone(),
            bank_date: l.bank_date.map(|d| pantau_domain::long_date(d, lang)),
            reason: l.reason.clone(),
            removable: open && may_pay && l.status == LineStatus::Open,
        })
        .collect();
    let chosen = chosen.or(b.layout.as_deref());
    let here = &v.look.here;
    Ok(BatchPage {
        layouts: layouts(app, v, chosen),
        may_pay,
        open,
        sent: matches!(b.status, BatchStatus::Sent | BatchStatus::Done),
        made: here.contains("dibuat=1"),
        removed: here.contains("dikeluarkan=1"),
        lines,
        head: Some(Head {
            number: b.number.clone(),
            status: b.status.label().get(lang).to_string(),
            status_kind: b.status.as_str(),
            region: app.region_name(&b.region),
            program,
            created: format::when(zone, b.created_at, lang),
            created_by: b.created_by.clone(),
            sent: b.sent_at.map(|t| format::when(zone, t, lang)),
            sent_by: b.sent_by.clone(),
            layout: b.layout.as_ref().map(|id| {
                app.bank_layouts
                    .iter()
                    .find(|l| &l.id == id)
                    .map_or_else(|| id.clone(), |l| l.label.get(lang).to_string())
            }),
            lines: b.lines,
            total: format::rupiah(b.total.get()),
            ordered: sum(b.ordered),
            paid: sum(b.paid),
            failed: sum(b.failed),
            returned: sum(b.returned),
        }),
        ..BatchPage::default()
    })
}

fn show(v: &Viewer, status: StatusCode, page: BatchPage) -> Response {
    let title = page.head.as_ref().map_or_else(String::new, |h| {
        format!("{} {}", v.text("bayar.batch"), h.number)
    });
    v.render(status, "bayar", &title, page)
}

pub async fn page(State(app): State<App>, v: Viewer, Path(number): Path<String>) -> PageResult {
    let page = build(&app, &v, &number, None).await.or_fail(&v)?;
    Ok(show(&v, StatusCode::OK, page))
}

/// A form of the batch page: its token, and what it names.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BatchForm {
    _csrf: String,
    /// The line to take out.
    reference: String,
    /// The layout of the file.
    layout: String,
    /// The treasurer confirmed that the batch is sent with its first file.
    confirm: String,
}

/// Checks the form's token and the treasurer's permission.
fn checked(
    v: &Viewer,
    headers: &HeaderMap,
    form: Result<Form<BatchForm>, FormRejection>,
) -> Result<BatchForm, ApiError> {
    let Ok(Form(f)) = form else {
        return Err(ApiError::invalid("form", v.text("galat.csrf")));
    };
    guard::form(&v.look, headers, v.caller.csrf.as_deref(), Some(&f._csrf))?;
    v.caller.require(Permission::Pay)?;
    Ok(f)
}

/// The page again with the problems of a refused request.
async fn again(
    app: &App,
    v: &Viewer,
    number: &str,
    chosen: Option<&str>,
    problems: Vec<Refusal>,
    status: StatusCode,
) -> PageResult {
    let mut page = build(app, v, number, chosen).await.or_fail(v)?;
    page.problems = problems;
    Ok(show(v, status, page))
}

/// Takes a line out of an open batch (its tranche is due again).
pub async fn remove(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(number): Path<String>,
    form: Result<Form<BatchForm>, FormRejection>,
) -> PageResult {
    let f = checked(&v, &headers, form).or_fail(&v)?;
    let (b, _) = find(&app, &v, &number).await.or_fail(&v)?;
    match app
        .store
        .remove_line(&b.id, f.reference.trim(), &v.caller.scope)
        .await
    {
        Ok(()) => Ok(v
            .look
            .redirect(&format!("/bayar/{}?dikeluarkan=1", b.number))),
        Err(e) => match refused(e, v.caller.lang) {
            Refused::Problems(p) => {
                again(&app, &v, &number, None, p, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Refused::Other(e) => Err(e).or_fail(&v),
        },
    }
}

/// Gives an open batch up.
pub async fn cancel(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(number): Path<String>,
    form: Result<Form<BatchForm>, FormRejection>,
) -> PageResult {
    checked(&v, &headers, form).or_fail(&v)?;
    let (b, _) = find(&app, &v, &number).await.or_fail(&v)?;
    match app.store.cancel_batch(&b.id, &v.caller.scope).await {
        Ok(()) => Ok(v.look.redirect(&format!("/bayar/{}", b.number))),
        Err(e) => match refused(e, v.caller.lang) {
            Refused::Problems(p) => {
                again(&app, &v, &number, None, p, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Refused::Other(e) => Err(e).or_fail(&v),
        },
    }
}

/// The layout `id` among the configured ones.
fn layout<'a>(app: &'a App, v: &Viewer, id: &str) -> Result<&'a Layout, Refusal> {
    app.bank_layouts
        .iter()
        .find(|l| l.id == id)
        .ok_or_else(|| Refusal {
            line: None,
            field: "layout".into(),
            reason: v.text("bayar.pilih_tata_letak"),
        })
}

/// A file name safe in a `Content-Disposition` header.
fn safe_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    if kept.is_empty() {
        "batch".into()
    } else {
        kept
    }
}

/// The file for the bank, as a download; the first one sends the batch,
/// once the treasurer confirmed it.
pub async fn export(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(number): Path<String>,
    form: Result<Form<BatchForm>, FormRejection>,
) -> PageResult {
    let f = checked(&v, &headers, form).or_fail(&v)?;
    let (b, _) = find(&app, &v, &number).await.or_fail(&v)?;
    let chosen = Some(f.layout.as_str());
    let l = match layout(&app, &v, &f.layout) {
        Ok(l) => l,
        Err(p) => return again(&app, &v, &number, chosen, vec![p], StatusCode::BAD_REQUEST).await,
    };
    if b.status == BatchStatus::Open && f.confirm != "ya" {
        let p = Refusal {
            line: None,
            field: "confirm".into(),
            reason: v.text("bayar.konfirmasi_wajib"),
        };
        return again(&app, &v, &number, chosen, vec![p], StatusCode::BAD_REQUEST).await;
    }
    let cx = context(&app, &v);
    let file = match app
        .store
        .export_batch(&app.catalog, &b.id, &v.caller.scope, l, &cx)
        .await
    {
        Ok(file) => file,
        Err(e) => {
            return match refused(e, v.caller.lang) {
                Refused::Problems(p) => {
                    again(
                        &app,
                        &v,
                        &number,
                        chosen,
                        p,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                Refused::Other(e) => Err(e).or_fail(&v),
            };
        }
    };
    let kind = match l.format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    let disposition = format!("attachment; filename=\"{}\"", safe_name(&file.name));
    let mut r = (StatusCode::OK, file.bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(d) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, d);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(r)
}

fn outcome(v: &Viewer, file: String, a: &Applied) -> Outcome {
    let lang = v.caller.lang;
    Outcome {
        file,
        paid: a.paid,
        failed: a.failed,
        returned: a.returned,
        already: a.already,
        unmatched: a
            .unmatched
            .iter()
            .map(|u| UnmatchedRow {
                line: u.line,
                reference: u.reference.clone().unwrap_or_default(),
                amount: format::rupiah(u.amount.get()),
                account_no: u.account_no.clone().unwrap_or_default(),
                why: u.why.get(lang).to_string(),
            })
            .collect(),
        refused: super::refusals(&a.refused, lang),
        done: a.done,
    }
}

/// Reads the bank's result file back into a sent batch.
pub async fn result(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(number): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let sent = guard::file_and_fields(form).await;
    let csrf = sent.as_ref().ok().and_then(|s| s.csrf.as_deref());
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), csrf).or_fail(&v)?;
    let sent = sent.or_fail(&v)?;
    v.caller.require(Permission::Pay).or_fail(&v)?;
    let (b, _) = find(&app, &v, &number).await.or_fail(&v)?;
    let chosen = sent.fields.get("layout").cloned().unwrap_or_default();
    let mut problems = vec![];
    if sent.data.is_empty() {
        problems.push(Refusal {
            line: None,
            field: "file".into(),
            reason: v.text("bayar.tanpa_berkas"),
        });
    }
    let l = match layout(&app, &v, &chosen) {
        Ok(l) => Some(l),
        Err(p) => {
            problems.push(p);
            None
        }
    };
    let (Some(l), true) = (l, problems.is_empty()) else {
        return again(
            &app,
            &v,
            &number,
            Some(&chosen),
            problems,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let cx = context(&app, &v);
    let applied = app
        .store
        .import_bank_result(
            &app.catalog,
            &b.id,
            &v.caller.scope,
            l,
            &sent.name,
            &sent.data,
            &cx,
        )
        .await;
    match applied {
        Ok(a) => {
            let mut page = build(&app, &v, &number, Some(&chosen)).await.or_fail(&v)?;
            page.outcome = Some(outcome(&v, sent.name.clone(), &a));
            page.file = sent.name;
            Ok(show(&v, StatusCode::OK, page))
        }
        Err(e) => match refused(e, v.caller.lang) {
            Refused::Problems(p) => {
                let mut page = build(&app, &v, &number, Some(&chosen)).await.or_fail(&v)?;
                page.file_problems = p;
                page.file = sent.name;
                Ok(show(&v, StatusCode::UNPROCESSABLE_ENTITY, page))
            }
            Refused::Other(e) => Err(e).or_fail(&v),
        },
    }
}
