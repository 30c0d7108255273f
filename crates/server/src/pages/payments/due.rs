//! `/bayar/jatuh-tempo`: every tranche due within the reader's scope (of
//! one program when chosen), with its amount and account, and why it is
//! held when it may not be paid now (the engine's reason, no account, a
//! holder name not accepted yet) or the batch that already holds it. The
//! treasurer ticks cases here to gather them into a batch.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use pantau_domain::access::Permission;
use pantau_registry::bank::banks;
use pantau_store::payments::Due;
use serde::{Deserialize, Serialize};

use super::{Gather, Refusal, context, format, may_read, program_choices, programs};
use crate::App;
use crate::error::ApiError;
use crate::pages::users::Choice;
use crate::pages::view::{OrFail, PageResult, Viewer};

#[derive(Serialize)]
struct Line {
    case_id: String,
    case_href: String,
    case_number: String,
    beneficiary: String,
    beneficiary_href: Option<String>,
    region: String,
    tranche: u8,
    amount: String,
    bank: String,
    account_no: String,
    holder: String,
    held: Option<String>,
    in_batch: Option<String>,
    payable: bool,
    ticked: bool,
    /// Why the last request refused this case.
    problem: Option<String>,
}

#[derive(Serialize)]
struct DuePage {
    lines: Vec<Line>,
    may_pay: bool,
    programs: Vec<Choice>,
    program: String,
    payable: usize,
    payable_total: String,
    held: usize,
    /// Problems not tied to one case of the list.
    problems: Vec<Refusal>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Pick {
    program: Option<String>,
}

/// A bank's short name by its code (the code itself when unknown).
pub(in crate::pages) fn bank_name(code: &str) -> String {
    banks::bank(code).map_or_else(|| code.to_string(), |b| b.short.clone())
}

fn line(d: &Due, v: &Viewer, g: &Gather, problems: &[Refusal]) -> Line {
    let lang = v.caller.lang;
    let problem = problems
        .iter()
        .find(|p| p.reason.contains(&d.case_id))
        .map(|p| p.reason.clone());
    Line {
        case_href: format!("/kasus/{}", d.case_id),
        case_number: d.case_id.chars().take(8).collect(),
        beneficiary: d.beneficiary_name.clone(),
        beneficiary_href: d.beneficiary_id.as_ref().map(|b| format!("/registri/{b}")),
        region: String::new(),
        tranche: d.tranche_no,
        amount: format::rupiah(d.amount.get()),
        bank: d
            .account
            .as_ref()
            .map(|a| bank_name(&a.bank_code))
            .unwrap_or_default(),
        account_no: d
            .account
            .as_ref()
            .map(|a| a.account_no.clone())
            .unwrap_or_default(),
        holder: d
            .account
            .as_ref()
            .map(|a| a.holder_name.clone())
            .unwrap_or_default(),
        held: d.held.as_ref().map(|h| h.get(lang).to_string()),
        in_batch: d.in_batch.clone(),
        payable: d.payable(),
        ticked: g.cases.contains(&d.case_id),
        problem,
        case_id: d.case_id.clone(),
    }
}

async fn build(
    app: &App,
    v: &Viewer,
    g: &Gather,
    problems: Vec<Refusal>,
) -> Result<DuePage, ApiError> {
    may_read(v)?;
    let lang = v.caller.lang;
    let names = programs(app, v).await?;
    let program = (!g.program.is_empty()).then_some(g.program.as_str());
    let due = app
        .store
        .due_tranches(&app.catalog, &v.caller.scope, program, &context(app, v))
        .await
        .map_err(|e| ApiError::from_store(e, lang))?;
    let mut lines: Vec<Line> = due.iter().map(|d| line(d, v, g, &problems)).collect();
    for (l, d) in lines.iter_mut().zip(&due) {
        l.region = app.region_name(&d.region);
    }
    let payable: Vec<&Due> = due.iter().filter(|d| d.payable()).collect();
    let rest = problems
        .into_iter()
        .filter(|p| !due.iter().any(|d| p.reason.contains(&d.case_id)))
        .collect();
    Ok(DuePage {
        may_pay: v.caller.may(Permission::Pay),
        programs: program_choices(&names, &g.program),
        program: g.program.clone(),
        payable: payable.len(),
        payable_total: format::rupiah(payable.iter().map(|d| d.amount.get()).sum()),
        held: due.len() - payable.len(),
        lines,
        problems: rest,
    })
}

/// The list with a refused request's problems and its ticks kept.
pub(super) async fn show(
    app: &App,
    v: &Viewer,
    g: &Gather,
    problems: Vec<Refusal>,
    status: StatusCode,
) -> PageResult {
    let page = build(app, v, g, problems).await.or_fail(v)?;
    Ok(v.render(
        status,
        "bayar_jatuh_tempo",
        &v.text("bayar.jatuh_tempo"),
        page,
    ))
}

pub async fn page(
    State(app): State<App>,
    v: Viewer,
    pick: Result<Query<Pick>, QueryRejection>,
) -> PageResult {
    let g = Gather {
        program: pick
            .ok()
            .and_then(|Query(p)| p.program)
            .unwrap_or_default()
            .trim()
            .to_string(),
        ..Gather::default()
    };
    show(&app, &v, &g, vec![], StatusCode::OK).await
}
