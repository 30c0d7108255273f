//! `/sk/baru`: the form that records a decree, its preview, and the starting
//! list of cases handed out for it.

use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use pantau_registry::decree::{Proposed, start_list};
use serde::Serialize;

use super::super::cases::{Choice, choice};
use super::super::format;
use super::super::guard;
use super::super::view::{OrFail, PageResult, Viewer};
use super::Line;
use crate::App;
use crate::api::decrees::{self, DecreeFilter, DecreeInput};
use crate::error::ApiError;

#[derive(Serialize, Default)]
struct NewPage {
    programs: Vec<Choice>,
    amendable: Vec<Choice>,
    number: String,
    date: String,
    signer: String,
    position: String,
    nip: String,
    /// What was wrong, by field (`number`, `date`, `program`, …, `list`, `scan`).
    problems: std::collections::BTreeMap<String, String>,
    /// The list's bad rows: nothing of it was applied.
    rows: Vec<RowProblem>,
    /// What the decree will do, to confirm before it is recorded.
    preview: Option<Preview>,
}

/// A checked decree, shown before it is recorded: what it does to each case
/// it lists, and the form that records it as it was checked.
#[derive(Serialize)]
struct Preview {
    approved: usize,
    changed: usize,
    removed: usize,
    refused: usize,
    /// Rupiah the decree approves or sets, in total.
    total: String,
    lines: Vec<Line>,
    /// Refused lines that name no case of the reader's (or list one twice).
    others: Vec<Other>,
    /// The form as checked, sent again to record it.
    program: String,
    amends: String,
    list: String,
    scan_name: String,
    scan_sha: String,
}

#[derive(Serialize)]
struct RowProblem {
    line: u64,
    column: String,
    reason: String,
}

/// The form, filled with `input` (empty at first).
async fn new_page(app: &App, v: &Viewer, input: &DecreeInput) -> Result<NewPage, ApiError> {
    let programs = decrees::decree_programs(app, &v.caller).await?;
    if programs.is_empty() {
        return Err(ApiError::Forbidden(v.text("sk.tak_berwenang")));
    }
    let ids: Vec<&str> = programs.iter().map(|p| p.id.as_str()).collect();
    let amendable = decrees::list(app, &v.caller, &DecreeFilter::default())
        .await?
        .into_iter()
        .filter(|d| ids.contains(&d.program_id.as_str()))
        .map(|d| {
            let label = format!("{} ({})", d.number, d.program_name);
            choice(&d.id, &label, Some(&input.amends))
        })
        .collect();
    Ok(NewPage {
        programs: programs
            .iter()
            .map(|p| choice(&p.id, &p.name, Some(&input.program)))
            .collect(),
        amendable,
        number: input.number.clone(),
        date: input.date.clone(),
        signer: input.signer.clone(),
        position: input.position.clone(),
        nip: input.nip.clone(),
        ..NewPage::default()
    })
}

pub async fn new_form(State(app): State<App>, v: Viewer) -> PageResult {
    v.caller
        .require(pantau_domain::access::Permission::Act)
        .or_fail(&v)?;
    let page = new_page(&app, &v, &DecreeInput::default())
        .await
        .or_fail(&v)?;
    Ok(v.render(StatusCode::OK, "sk_baru", &v.text("sk.baru"), page))
}

/// A sent form: its fields and files, its form token, and whether it
/// confirms a decree already checked.
#[derive(Default)]
struct Sent {
    csrf: Option<String>,
    input: DecreeInput,
    confirm: bool,
    scan_name: String,
    scan_sha: String,
}

async fn read(mut m: Multipart) -> Result<Sent, ApiError> {
    use base64::Engine as _;
    let bad = |e: MultipartError| ApiError::invalid("form", e.body_text());
    let mut sent = Sent::default();
    let input = &mut sent.input;
    while let Some(part) = m.next_field().await.map_err(bad)? {
        let name = part.name().unwrap_or_default().to_string();
        match name.as_str() {
            "list" => input.list = part.bytes().await.map_err(bad)?.to_vec(),
            "scan" => {
                let file = part.file_name().unwrap_or("sk.pdf").to_string();
                let data = part.bytes().await.map_err(bad)?.to_vec();
                input.scan = (!data.is_empty()).then_some((file, data));
            }
            _ => {
                let value = part.text().await.map_err(bad)?;
                match name.as_str() {
                    "_csrf" => sent.csrf = Some(value),
                    "number" => input.number = value,
                    "date" => input.date = value,
                    "program" => input.program = value,
                    "signer" => input.signer = value,
                    "position" => input.position = value,
                    "nip" => input.nip = value,
                    "amends" => input.amends = value,
                    "confirm" => sent.confirm = value == "1",
                    "list_checked" => {
                        input.list = base64::engine::general_purpose::STANDARD
                            .decode(value.trim())
                            .map_err(|_| ApiError::invalid("list", "base64"))?;
                    }
                    "scan_name" => sent.scan_name = value,
                    "scan_sha" => sent.scan_sha = value,
                    _ => {}
                }
            }
        }
    }
    if sent.input.scan.is_none() && !sent.scan_sha.is_empty() {
        sent.input.scan_kept = Some((sent.scan_name.clone(), sent.scan_sha.clone()));
    }
    Ok(sent)
}

/// Records the decree and opens its page; or the form again, each bad
/// field or row named, nothing applied.
pub async fn create(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let sent = match form {
        Ok(m) => read(m).await,
        Err(e) => Err(ApiError::invalid("form", e.body_text())),
    };
    let csrf = sent.as_ref().ok().and_then(|s| s.csrf.as_deref());
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), csrf).or_fail(&v)?;
    let Sent {
        mut input, confirm, ..
    } = sent.or_fail(&v)?;
    // A scan sent with a decree to check is kept now, so confirming it need not send it again.
    if !confirm && let Some((name, data)) = input.scan.take() {
        if decrees::is_pdf(&data).await {
            let sha = app
                .store
                .keep_decree_scan(&data, app.now())
                .await
                .map_err(|e| ApiError::from_store(e, v.caller.lang))
                .or_fail(&v)?;
            input.scan_kept = Some((name, sha));
        } else {
            // Not kept: the check below names it.
            input.scan = Some((name, data));
        }
    }
    let again =
        |page: NewPage| v.render(StatusCode::BAD_REQUEST, "sk_baru", &v.text("sk.baru"), page);
    match decrees::create(&app, &v.caller, &input, !confirm).await {
        Ok(Ok(report)) if confirm => Ok(v.look.redirect(&format!("/sk/{}", report.decree_id))),
        Ok(Ok(report)) => {
            let mut page = new_page(&app, &v, &input).await.or_fail(&v)?;
            page.preview = Some(preview(&app, &v, &input, &report).await.or_fail(&v)?);
            Ok(v.render(StatusCode::OK, "sk_baru", &v.text("sk.baru"), page))
        }
        Ok(Err(rows)) => {
            let mut page = new_page(&app, &v, &input).await.or_fail(&v)?;
            page.rows = rows
                .into_iter()
                .map(|r| RowProblem {
                    line: r.line,
                    column: r.column,
                    reason: r.reason.get(v.caller.lang).to_string(),
                })
                .collect();
            Ok(again(page))
        }
        Err(ApiError::Invalid(issues)) => {
            let mut page = new_page(&app, &v, &input).await.or_fail(&v)?;
            page.problems = issues.into_iter().map(|i| (i.field, i.reason)).collect();
            Ok(again(page))
        }
        Err(e) => Err(e).or_fail(&v),
    }
}

#[derive(Serialize)]
struct Other {
    case: String,
    reason: String,
}

/// What a checked decree does, line by line, with the form that records it.
async fn preview(
    app: &App,
    v: &Viewer,
    input: &DecreeInput,
    report: &pantau_store::decree::DecreeReport,
) -> Result<Preview, ApiError> {
    use base64::Engine as _;
    let names = app
        .store
        .beneficiary_names(report.items.iter().filter_map(|i| i.beneficiary_id.clone()))
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?;
    let count = |word: &str| report.items.iter().filter(|i| i.outcome == word).count();
    let total: i64 = report
        .items
        .iter()
        .filter(|i| i.outcome != "refused")
        .filter_map(|i| i.amount)
        .sum();
    let lines = report
        .items
        .iter()
        .map(|i| {
            let name = i.beneficiary_id.as_ref().and_then(|b| names.get(b));
            Line {
                no: i32::try_from(i.line_no).unwrap_or(i32::MAX),
                href: format!("/kasus/{}", i.case_id),
                beneficiary: crate::pages::cases::title(v, name, &i.case_id),
                region: i
                    .region
                    .as_deref()
                    .map(|r| app.region_name(r))
                    .unwrap_or_default(),
                change: v.text(&format!("sk.ubahan_{}", i.change)),
                amount: i.amount.map_or_else(|| "–".into(), format::rupiah),
                tranches: i
                    .tranches
                    .as_deref()
                    .map_or_else(|| "–".into(), |t| t.replace(',', " / ")),
                outcome: v.text(&format!("sk.akan_{}", i.outcome)),
                refused: i.outcome == "refused",
                reason: i.reason.clone(),
            }
        })
        .collect();
    let (scan_name, scan_sha) = input.scan_kept.clone().unwrap_or_default();
    Ok(Preview {
        approved: count("approved"),
        changed: count("changed"),
        removed: count("removed"),
        refused: report.refused.len(),
        total: format::rupiah(total),
        lines,
        others: report
            .refused
            .iter()
            .filter(|(case, reason)| {
                !report
                    .items
                    .iter()
                    .any(|i| &i.case_id == case && i.reason.as_ref() == Some(reason))
            })
            .map(|(case, reason)| Other {
                case: case.clone(),
                reason: reason.clone(),
            })
            .collect(),
        program: input.program.clone(),
        amends: input.amends.clone(),
        list: base64::engine::general_purpose::STANDARD.encode(&input.list),
        scan_name,
        scan_sha,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct StartQuery {
    program: Option<String>,
}

/// A decree's list to start from (`/sk/usulan?program=ID`): every case of
/// the program in the reader's region that a decree may approve now, with
/// the amount it requested and the program's tranches, as CSV.
pub async fn starting_list(
    State(app): State<App>,
    v: Viewer,
    query: Result<Query<StartQuery>, QueryRejection>,
) -> PageResult {
    let Query(q) = query.map_err(ApiError::from).or_fail(&v)?;
    v.caller
        .require(pantau_domain::access::Permission::Act)
        .or_fail(&v)?;
    let wanted = q.program.unwrap_or_default();
    let programs = decrees::decree_programs(&app, &v.caller)
        .await
        .or_fail(&v)?;
    let program = programs
        .iter()
        .find(|p| p.id == wanted)
        .ok_or_else(|| ApiError::not_found("program", &wanted, v.caller.lang))
        .or_fail(&v)?;
    let def = app
        .catalog
        .latest(&program.workflow)
        .ok_or_else(|| ApiError::Internal(format!("workflow {} not loaded", program.workflow)))
        .or_fail(&v)?;
    let mut proposed = Vec::new();
    for from in def
        .actions
        .iter()
        .filter(|a| a.by_decree && a.approves.is_some())
        .flat_map(|a| a.from.iter())
    {
        let cases = app
            .store
            .decree_candidates(&program.id, from, &v.caller.scope)
            .await
            .map_err(|e| ApiError::from_store(e, v.caller.lang))
            .or_fail(&v)?;
        proposed.extend(cases.into_iter().map(|c| {
            Proposed {
                amount: c.requested.and_then(|a| pantau_domain::Rupiah::new(a).ok()),
                tranches: def
                    .disbursement
                    .as_ref()
                    .map(|d| pantau_registry::decree::Schedule::of(&d.tranches)),
                beneficiary: c.beneficiary_name.unwrap_or_default(),
                region: c
                    .region
                    .as_deref()
                    .map(|r| app.region_name(r))
                    .unwrap_or_default(),
                case_id: c.case_id,
            }
        }));
    }
    let csv = start_list(&proposed)
        .map_err(ApiError::Internal)
        .or_fail(&v)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"usulan-{}.csv\"", program.id),
            ),
        ],
        csv,
    )
        .into_response())
}
