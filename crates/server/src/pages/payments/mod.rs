//! `/bayar`: payments through the bank (issue 20). The batches within the
//! reader's scope; for the treasurer (`Permission::Pay`) the form that
//! gathers a new batch, of everything payable that is due (of one program
//! when chosen) or of the cases ticked on `/bayar/jatuh-tempo` (`due`).
//! One batch's page, its file for the bank and the bank's result: `batch`.
//! Managers, verifiers and the Ministry read them within their scope; a
//! field officer's work is elsewhere (403). A request the store refuses
//! (`PayError::Refused`) shows each problem by field or case with its
//! reason, and the form as it was sent.

mod batch;
mod due;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use pantau_domain::Lang;
use pantau_domain::access::Permission;
use pantau_store::payments::{BatchView, NewBatch, PayError, Problem};
use pantau_workflow::Context;
use serde::Serialize;

pub use batch::{cancel, export, page as batch_page, remove, result};
pub(in crate::pages) use due::bank_name;
pub use due::page as due_page;

use super::format;
use super::guard;
use super::users::Choice;
use super::view::{OrFail, PageResult, Viewer};
use crate::App;
use crate::error::ApiError;

/// One problem of a refused request, in the reader's language.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Refusal {
    /// The file's line, for a file.
    line: Option<u64>,
    field: String,
    reason: String,
}

/// The problems of a refusal, in `lang`.
pub(super) fn refusals(problems: &[Problem], lang: Lang) -> Vec<Refusal> {
    problems
        .iter()
        .map(|p| Refusal {
            line: p.line,
            field: p.field.clone(),
            reason: p.reason.get(lang).to_string(),
        })
        .collect()
}

/// What a payment request came to when it was not carried out: its
/// problems (shown on the form), or any other error (the error page).
pub(super) enum Refused {
    Problems(Vec<Refusal>),
    Other(ApiError),
}

pub(super) fn refused(e: PayError, lang: Lang) -> Refused {
    match e {
        PayError::Refused(problems) => Refused::Problems(refusals(&problems, lang)),
        PayError::Store(e) => Refused::Other(ApiError::from_store(e, lang)),
    }
}

/// The treasurer acting now, as the engine is asked.
pub(super) fn context(app: &App, v: &Viewer) -> Context {
    Context {
        now: app.now(),
        actor: v.caller.actor(),
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

/// Refuses a reader whose work has nothing to do with payments (a field
/// officer): everyone else reads them within their scope.
pub(super) fn may_read(v: &Viewer) -> Result<(), ApiError> {
    if v.caller.may(Permission::Pay) || !v.caller.works_in_field() {
        Ok(())
    } else {
        v.caller.require(Permission::Pay)
    }
}

/// `(lines, rupiah)` as the page shows it.
#[derive(Debug, Serialize)]
struct Sum {
    lines: i64,
    total: String,
}

fn sum((lines, total): (i64, pantau_domain::Rupiah)) -> Sum {
    Sum {
        lines,
        total: format::rupiah(total.get()),
    }
}

#[derive(Serialize)]
struct Row {
    href: String,
    number: String,
    status: String,
    status_kind: &'static str,
    region: String,
    program: String,
    created: String,
    lines: i64,
    total: String,
    ordered: Sum,
    paid: Sum,
    failed: Sum,
}

#[derive(Serialize, Default)]
struct ListPage {
    rows: Vec<Row>,
    may_pay: bool,
    programs: Vec<Choice>,
    program: String,
    problems: Vec<Refusal>,
}

/// The batch rows of `batches`, as the list shows them.
fn rows(app: &App, v: &Viewer, batches: &[BatchView], names: &[(String, String)]) -> Vec<Row> {
    let lang = v.caller.lang;
    batches
        .iter()
        .map(|b| Row {
            href: format!("/bayar/{}", b.number),
            number: b.number.clone(),
            status: b.status.label().get(lang).to_string(),
            status_kind: b.status.as_str(),
            region: app.region_name(&b.region),
            program: b
                .program_id
                .as_ref()
                .map(|p| {
                    names
                        .iter()
                        .find(|(id, _)| id == p)
                        .map_or_else(|| p.clone(), |(_, n)| n.clone())
                })
                .unwrap_or_else(|| v.text("bayar.semua_program")),
            created: format::day(v.caller.zone, b.created_at, lang),
            lines: b.lines,
            total: format::rupiah(b.total.get()),
            ordered: sum(b.ordered),
            paid: sum(b.paid),
            failed: Sum {
                lines: b.failed.0 + b.returned.0,
                total: format::rupiah(b.failed.1.get() + b.returned.1.get()),
            },
        })
        .collect()
}

/// The programs within the reader's scope: (id, name).
pub(super) async fn programs(app: &App, v: &Viewer) -> Result<Vec<(String, String)>, ApiError> {
    Ok(app
        .store
        .programs_in(&v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

pub(super) fn program_choices(names: &[(String, String)], chosen: &str) -> Vec<Choice> {
    names
        .iter()
        .map(|(id, name)| Choice {
            value: id.clone(),
            label: name.clone(),
            selected: id == chosen,
        })
        .collect()
}

async fn list_page(
    app: &App,
    v: &Viewer,
    program: String,
    problems: Vec<Refusal>,
) -> Result<ListPage, ApiError> {
    may_read(v)?;
    let batches = app
        .store
        .batches(&v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?;
    let names = programs(app, v).await?;
    Ok(ListPage {
        rows: rows(app, v, &batches, &names),
        may_pay: v.caller.may(Permission::Pay),
        programs: program_choices(&names, &program),
        program,
        problems,
    })
}

pub async fn list(State(app): State<App>, v: Viewer) -> PageResult {
    let page = list_page(&app, &v, String::new(), vec![])
        .await
        .or_fail(&v)?;
    Ok(v.render(StatusCode::OK, "bayar_daftar", &v.text("bayar.judul"), page))
}

/// The gathering form as sent: the program (optional), and the cases
/// ticked on the list of due tranches (none: everything payable).
#[derive(Debug, Default)]
pub(super) struct Gather {
    csrf: String,
    program: String,
    cases: Vec<String>,
    /// Sent from the list of due tranches (its page shows a refusal).
    from_due: bool,
}

impl Gather {
    /// Reads a form whose `case` may come many times.
    fn read(body: &[u8]) -> Gather {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut g = Gather::default();
        for (k, val) in pairs {
            match k.as_str() {
                "_csrf" => g.csrf = val,
                "program" => g.program = val.trim().to_string(),
                "case" if !val.trim().is_empty() => g.cases.push(val.trim().to_string()),
                "from" => g.from_due = val == "jatuh-tempo",
                _ => {}
            }
        }
        g
    }
}

/// Gathers a batch and opens it; or the form again with each problem.
pub async fn create(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let g = Gather::read(&body);
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&g.csrf)).or_fail(&v)?;
    v.caller.require(Permission::Pay).or_fail(&v)?;
    if g.from_due && g.cases.is_empty() {
        let problems = vec![Refusal {
            line: None,
            field: "cases".into(),
            reason: v.text("bayar.pilih_kasus"),
        }];
        return due::show(&app, &v, &g, problems, StatusCode::BAD_REQUEST).await;
    }
    let new = NewBatch {
        program_id: (!g.program.is_empty()).then(|| g.program.clone()),
        cases: g.cases.clone(),
    };
    let cx = context(&app, &v);
    match app
        .store
        .create_batch(&app.catalog, &v.caller.scope, &new, &cx)
        .await
    {
        Ok(made) => Ok(v.look.redirect(&format!("/bayar/{}?dibuat=1", made.number))),
        Err(e) => match refused(e, v.caller.lang) {
            Refused::Problems(problems) if g.from_due => {
                due::show(&app, &v, &g, problems, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Refused::Problems(problems) => {
                let page = list_page(&app, &v, g.program.clone(), problems)
                    .await
                    .or_fail(&v)?;
                Ok(v.render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "bayar_daftar",
                    &v.text("bayar.judul"),
                    page,
                ))
            }
            Refused::Other(e) => Err(e).or_fail(&v),
        },
    }
}
