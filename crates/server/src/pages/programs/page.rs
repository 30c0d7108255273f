//! `/admin/program/{id}`: one program with its allocations (approved,
//! disbursed and remaining beside each), the administrator's edit form, the
//! allocation forms of those who allocate (the administrator everywhere, a
//! province's manager in its kabupaten/kota), and the history of changes.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use pantau_domain::access::Permission;
use pantau_domain::{RegionCode, Rupiah};
use pantau_store::model::Program;
use pantau_store::registry::{Author, ProgramEdit, ProgramRefusal};
use serde::{Deserialize, Serialize};

use super::{Checked, Choice, Problems, ProgramForm, check, format, provinces, workflows};
use crate::App;
use crate::error::ApiError;
use crate::pages::guard;
use crate::pages::region_select::{self, Codes, RegionGroup};
use crate::pages::view::{OrFail, PageResult, Viewer};

#[derive(Serialize)]
struct ProgramPage {
    id: String,
    name: String,
    year: i32,
    funding: String,
    ceiling: String,
    workflow: String,
    province: String,
    allocated: String,
    unallocated: String,
    may_edit: bool,
    form: ProgramForm,
    workflows: Vec<Choice>,
    provinces: Vec<Choice>,
    problems: Problems,
    rows: Vec<AllocationRow>,
    total: Totals,
    /// Kabupaten/kota the reader may give a first allocation.
    regions: Vec<RegionGroup>,
    new_amount: String,
    new_problems: Problems,
    history: Vec<HistoryRow>,
    saved: bool,
    /// The program takes cooperatives' yearly data: the page links its file import.
    yearly: bool,
}

#[derive(Serialize)]
struct AllocationRow {
    region: String,
    region_name: String,
    allocation: String,
    approved: String,
    disbursed: String,
    remaining: String,
    cases: i64,
    editable: bool,
    /// The amount in the form: as typed when refused, else the allocation.
    value: String,
    problem: Option<String>,
}

#[derive(Serialize, Default)]
struct Totals {
    allocation: String,
    approved: String,
    disbursed: String,
    remaining: String,
    cases: i64,
}

#[derive(Serialize)]
struct HistoryRow {
    when: String,
    who: String,
    what: String,
    region: String,
    before: String,
    after: String,
}

/// What a refused form leaves on the page.
#[derive(Default)]
struct Refused {
    form: Option<ProgramForm>,
    problems: Problems,
    /// (region, amount as typed, why) of a refused allocation.
    allocation: Option<(String, String, String)>,
    new_problems: Problems,
}

/// The program `id` when the reader may see it; else not found.
async fn visible(app: &App, v: &Viewer, id: &str) -> Result<Program, ApiError> {
    v.caller.require(Permission::Allocate)?;
    let programs = app
        .store
        .programs_in(&v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?;
    programs
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found("program", id, v.caller.lang))
}

fn rupiah_or_minus(n: i64) -> String {
    if n < 0 {
        format!("−{}", format::rupiah(-n))
    } else {
        format::rupiah(n)
    }
}

/// A value of the history as people read it (rupiah for money).
fn shown(field: &str, value: &str) -> String {
    match (field, value.parse::<i64>()) {
        ("budget_ceiling" | "allocation", Ok(n)) => format::rupiah(n),
        _ => value.to_string(),
    }
}

async fn program_page(
    app: &App,
    v: &Viewer,
    p: Program,
    refused: Refused,
) -> Result<ProgramPage, ApiError> {
    let store_err = |e| ApiError::from_store(e, v.caller.lang);
    let uses = app.store.allocation_use(&p.id).await.map_err(store_err)?;
    let allocated_all: i64 = uses.iter().map(|u| u.allocation).sum();
    let may_allocate = v.caller.may(Permission::Allocate);
    let mut total = (0i64, 0i64, 0i64, 0i64);
    let mut rows = vec![];
    for u in uses.iter().filter(|u| v.caller.sees(Some(&u.region_code))) {
        total.0 += u.allocation;
        total.1 += u.approved;
        total.2 += u.disbursed;
        total.3 += u.cases;
        let refused_here = refused
            .allocation
            .as_ref()
            .filter(|(r, ..)| *r == u.region_code);
        rows.push(AllocationRow {
            region_name: app.region_name(&u.region_code),
            allocation: format::rupiah(u.allocation),
            approved: format::rupiah(u.approved),
            disbursed: format::rupiah(u.disbursed),
            remaining: rupiah_or_minus(u.allocation - u.approved),
            cases: u.cases,
            editable: may_allocate,
            value: refused_here.map_or_else(|| format::rupiah(u.allocation), |(_, t, _)| t.clone()),
            problem: refused_here.map(|(.., why)| why.clone()),
            region: u.region_code.clone(),
        });
    }
    let taken: Vec<&str> = uses.iter().map(|u| u.region_code.as_str()).collect();
    let (typed_region, typed_amount) = match &refused.allocation {
        Some((r, t, _)) if !taken.contains(&r.as_str()) => (r.clone(), t.clone()),
        _ => Default::default(),
    };
    let prefix = format!("{}.", p.province_code);
    let regions = if may_allocate {
        let free: Vec<(String, String)> = app
            .regions()
            .into_iter()
            .filter(|(code, _)| code.starts_with(&prefix) && !taken.contains(&code.as_str()))
            .filter(|(code, _)| v.caller.sees(Some(code)))
            .collect();
        region_select::grouped(
            app,
            v,
            free.iter().map(|(code, _)| code.as_str()),
            Some(&typed_region),
            Codes::Shown,
        )
    } else {
        vec![]
    };
    let zone = app.zone_of(&p.province_code);
    let history = app
        .store
        .program_changes(&p.id)
        .await
        .map_err(store_err)?
        .into_iter()
        .filter(|c| c.region_code.is_none() || v.caller.sees(c.region_code.as_deref()))
        .map(|c| HistoryRow {
            when: format::when(zone, c.changed_at, v.caller.lang),
            who: c.changed_by,
            what: v.text(&format!("program.ubah_{}", c.field)),
            region: c
                .region_code
                .as_deref()
                .map(|r| app.region_name(r))
                .unwrap_or_default(),
            before: c
                .old_value
                .as_deref()
                .map(|o| shown(&c.field, o))
                .unwrap_or_default(),
            after: shown(&c.field, &c.new_value),
        })
        .collect();
    let form = refused.form.unwrap_or_else(|| ProgramForm {
        id: p.id.clone(),
        name: p.name.clone(),
        year: p.fiscal_year.to_string(),
        funding: p.funding_source.clone(),
        ceiling: format::rupiah(p.budget_ceiling),
        workflow: format!("{}@{}", p.workflow, p.workflow_version),
        province: p.province_code.clone(),
        _csrf: String::new(),
    });
    let version = u32::try_from(p.workflow_version).unwrap_or_default();
    let yearly = app
        .catalog
        .get(&p.workflow, version)
        .is_some_and(|d| pantau_store::yearly::takes_years(d));
    Ok(ProgramPage {
        yearly,
        id: p.id.clone(),
        name: p.name.clone(),
        year: p.fiscal_year,
        funding: p.funding_source.clone(),
        ceiling: format::rupiah(p.budget_ceiling),
        workflow: format!("{} v{}", p.workflow, p.workflow_version),
        province: app.region_name(&p.province_code),
        allocated: format::rupiah(allocated_all),
        unallocated: rupiah_or_minus(p.budget_ceiling - allocated_all),
        may_edit: v.caller.may(Permission::Administer),
        workflows: workflows(app, v, &form.workflow),
        provinces: provinces(app, &form.province),
        form,
        problems: refused.problems,
        rows,
        total: Totals {
            allocation: format::rupiah(total.0),
            approved: format::rupiah(total.1),
            disbursed: format::rupiah(total.2),
            remaining: rupiah_or_minus(total.0 - total.1),
            cases: total.3,
        },
        regions,
        new_amount: typed_amount,
        new_problems: refused.new_problems,
        history,
        saved: v.look.here.contains("disimpan=1"),
    })
}

fn render(v: &Viewer, status: StatusCode, page: ProgramPage) -> axum::response::Response {
    let title = page.name.clone();
    v.render(status, "admin_program", &title, page)
}

pub async fn page(State(app): State<App>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let p = visible(&app, &v, &id).await.or_fail(&v)?;
    let page = program_page(&app, &v, p, Refused::default())
        .await
        .or_fail(&v)?;
    Ok(render(&v, StatusCode::OK, page))
}

/// Saves the program's own values; or its page again with each bad field named.
pub async fn edit(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<ProgramForm>, FormRejection>,
) -> PageResult {
    let Ok(Form(f)) = form else {
        return Err(ApiError::invalid("form", v.text("galat.csrf"))).or_fail(&v);
    };
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)).or_fail(&v)?;
    let p = visible(&app, &v, &id).await.or_fail(&v)?;
    v.caller.require(Permission::Administer).or_fail(&v)?;
    let refuse = |problems: Problems, f: ProgramForm, p: Program| async {
        let refused = Refused {
            form: Some(f),
            problems,
            ..Refused::default()
        };
        let page = program_page(&app, &v, p, refused).await.or_fail(&v)?;
        Ok(render(&v, StatusCode::BAD_REQUEST, page))
    };
    let c: Checked = match check(&app, &v, &f) {
        Ok(c) => c,
        Err(problems) => return refuse(problems, f, p).await,
    };
    let edit = ProgramEdit {
        name: c.name,
        fiscal_year: c.year,
        funding_source: c.funding,
        budget_ceiling: c.ceiling,
        workflow: c.workflow,
        workflow_version: c.version,
    };
    let by = Author {
        login: &v.caller.login,
        at: app.now(),
    };
    let done = app
        .store
        .edit_program(&id, &edit, by)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?;
    let (field, why) = match done {
        Ok(()) => return Ok(v.look.redirect(&format!("/admin/program/{id}?disimpan=1"))),
        Err(ProgramRefusal::CeilingBelowAllocations { allocated }) => (
            "ceiling",
            words(
                &v,
                "program.pagu_di_bawah_alokasi",
                &format::rupiah(allocated),
            ),
        ),
        Err(ProgramRefusal::WorkflowInUse { cases }) => (
            "workflow",
            words(&v, "program.alur_dipakai", &cases.to_string()),
        ),
        Err(_) => return Err(ApiError::not_found("program", &id, v.caller.lang)).or_fail(&v),
    };
    refuse(Problems::from([(field, why)]), f, p).await
}

/// `key`'s words with `{jumlah}` filled in.
fn words(v: &Viewer, key: &str, amount: &str) -> String {
    v.text(key).replace("{jumlah}", amount)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AllocationForm {
    region: String,
    amount: String,
    _csrf: String,
}

/// Sets one allocation; or the page again with the refusal beside the amount typed.
pub async fn allocate(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<AllocationForm>, FormRejection>,
) -> PageResult {
    let Ok(Form(f)) = form else {
        return Err(ApiError::invalid("form", v.text("galat.csrf"))).or_fail(&v);
    };
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)).or_fail(&v)?;
    let p = visible(&app, &v, &id).await.or_fail(&v)?;
    let region = f.region.trim().to_string();
    // Another region's allocation is as unknown as its records.
    if !region.is_empty() && !v.caller.sees(Some(&region)) {
        return Err(ApiError::not_found("alokasi", &region, v.caller.lang)).or_fail(&v);
    }
    let existing = app
        .store
        .allocation_use(&id)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?
        .iter()
        .any(|u| u.region_code == region);
    let in_province = RegionCode::parse(&region).is_ok_and(|r| {
        !r.is_province() && r.as_str().starts_with(&format!("{}.", p.province_code))
    }) && app.has_region(&region);
    let amount = Rupiah::parse(f.amount.trim());
    let mut problems = Problems::new();
    if !in_province {
        problems.insert(
            "region",
            v.text("program.wilayah_salah")
                .replace("{provinsi}", &app.region_name(&p.province_code)),
        );
    }
    if amount.is_err() {
        problems.insert("amount", v.text("program.rupiah_salah"));
    }
    let refuse = |why: Problems| async {
        let mut refused = Refused::default();
        if existing {
            let reason = why.values().cloned().collect::<Vec<_>>().join(" ");
            refused.allocation = Some((region.clone(), f.amount.clone(), reason));
        } else {
            refused.allocation = Some((region.clone(), f.amount.clone(), String::new()));
            refused.new_problems = why;
        }
        let page = program_page(&app, &v, p.clone(), refused)
            .await
            .or_fail(&v)?;
        Ok(render(&v, StatusCode::BAD_REQUEST, page))
    };
    let amount = match amount {
        Ok(a) if problems.is_empty() => a.get(),
        _ => return refuse(problems).await,
    };
    let by = Author {
        login: &v.caller.login,
        at: app.now(),
    };
    let done = app
        .store
        .set_allocation(&id, &region, amount, by)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?;
    let why = match done {
        Ok(()) => return Ok(v.look.redirect(&format!("/admin/program/{id}?disimpan=1"))),
        Err(ProgramRefusal::BelowApproved { approved }) => {
            words(&v, "program.di_bawah_disetujui", &format::rupiah(approved))
        }
        Err(ProgramRefusal::AboveCeiling { ceiling, others }) => v
            .text("program.melebihi_pagu")
            .replace("{pagu}", &format::rupiah(ceiling))
            .replace("{sisa}", &rupiah_or_minus(ceiling - others)),
        Err(_) => return Err(ApiError::not_found("program", &id, v.caller.lang)).or_fail(&v),
    };
    refuse(Problems::from([("amount", why)])).await
}
