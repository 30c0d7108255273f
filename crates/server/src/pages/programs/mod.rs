//! `/admin/program`: the programs the reader manages, and the administrator's
//! form that adds one (name, year, funding, ceiling in rupiah as offices type
//! it, workflow and version from the installed catalog, province);
//! `/admin/program/{id}`: one program, its edit form and its allocations per
//! kabupaten/kota with what is approved, disbursed and remaining
//! ([`page`]). Written through the store's `add_program_by`,
//! `edit_program` and `set_allocation`, each change recorded with who and
//! when.

mod page;

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode};
use pantau_domain::access::Permission;
use pantau_domain::{RegionCode, Rupiah};
use pantau_store::registry::{Author, NewProgram};
use serde::{Deserialize, Serialize};

pub use page::{allocate, edit, page};

use super::format;
use super::guard;
use super::view::{OrFail, PageResult, Viewer};
use crate::App;
use crate::error::ApiError;

/// A choice of a `<select>`.
#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A program's values as typed in its form (kept as typed when refused).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ProgramForm {
    id: String,
    name: String,
    year: String,
    funding: String,
    ceiling: String,
    /// `WORKFLOW@VERSION`.
    workflow: String,
    province: String,
    #[serde(skip_serializing)]
    _csrf: String,
}

/// A form's values, checked: the edit's values and the new program's id and province.
struct Checked {
    name: String,
    year: i32,
    funding: String,
    ceiling: i64,
    workflow: String,
    version: u32,
}

type Problems = BTreeMap<&'static str, String>;

#[derive(Serialize)]
struct ListPage {
    rows: Vec<Row>,
    may_add: bool,
    form: ProgramForm,
    workflows: Vec<Choice>,
    provinces: Vec<Choice>,
    problems: Problems,
}

#[derive(Serialize)]
struct Row {
    href: String,
    id: String,
    name: String,
    year: i32,
    workflow: String,
    province: String,
    ceiling: String,
}

/// The installed workflows as choices (`ID@VERSION`), `selected` chosen.
fn workflows(app: &App, v: &Viewer, selected: &str) -> Vec<Choice> {
    app.catalog
        .iter()
        .map(|d| {
            let value = format!("{}@{}", d.id, d.version);
            let gone = app
                .catalog
                .file(&d.id, d.version)
                .is_some_and(|f| f.starts_with("pinned:"));
            let mut label = format!("{} — {} v{}", d.label.get(v.caller.lang), d.id, d.version);
            if gone {
                label = format!("{label} ({})", v.text("program.berkas_hilang"));
            }
            Choice {
                selected: value == selected,
                value,
                label,
            }
        })
        .collect()
}

/// The provinces as choices.
fn provinces(app: &App, selected: &str) -> Vec<Choice> {
    app.regions()
        .into_iter()
        .filter(|(code, _)| !code.contains('.'))
        .map(|(code, name)| Choice {
            selected: code == selected,
            label: format!("{name} ({code})"),
            value: code,
        })
        .collect()
}

/// Checks a form's values, naming each bad field.
fn check(app: &App, v: &Viewer, f: &ProgramForm) -> Result<Checked, Problems> {
    let mut problems = Problems::new();
    let name = f.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 200 {
        problems.insert("name", v.text("program.nama_salah"));
    }
    let year = f
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        problems.insert("year", v.text("program.tahun_salah"));
    }
    let funding = f.funding.trim().to_string();
    if funding.is_empty() || funding.chars().count() > 100 {
        problems.insert("funding", v.text("program.sumber_salah"));
    }
    let ceiling = Rupiah::parse(f.ceiling.trim()).ok();
    if ceiling.is_none() {
        problems.insert("ceiling", v.text("program.rupiah_salah"));
    }
    let workflow = f
        .workflow
        .split_once('@')
        .and_then(|(id, ver)| Some((id, ver.parse::<u32>().ok()?)))
        .filter(|(id, ver)| app.catalog.get(id, *ver).is_some());
    if workflow.is_none() {
        problems.insert("workflow", v.text("program.alur_salah"));
    }
    match (year, ceiling, workflow) {
        (Some(year), Some(ceiling), Some((workflow, version))) if problems.is_empty() => {
            Ok(Checked {
                name,
                year,
                funding,
                ceiling: ceiling.get(),
                workflow: workflow.to_string(),
                version,
            })
        }
        _ => Err(problems),
    }
}

/// A program id: 3 to 64 lowercase letters, digits and hyphens, starting with a letter or digit.
fn good_id(id: &str) -> bool {
    (3..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

async fn list_page(
    app: &App,
    v: &Viewer,
    form: ProgramForm,
    problems: Problems,
) -> Result<ListPage, ApiError> {
    v.caller.require(Permission::Allocate)?;
    let programs = app
        .store
        .programs_in(&v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?;
    let rows = programs
        .into_iter()
        .map(|p| Row {
            href: format!("/admin/program/{}", p.id),
            workflow: format!("{} v{}", p.workflow, p.workflow_version),
            province: app.region_name(&p.province_code),
            ceiling: format::rupiah(p.budget_ceiling),
            id: p.id,
            name: p.name,
            year: p.fiscal_year,
        })
        .collect();
    let form = if form.year.is_empty() && form.funding.is_empty() {
        ProgramForm {
            year: app.now().format("%Y").to_string(),
            funding: "APBN".into(),
            ..form
        }
    } else {
        form
    };
    Ok(ListPage {
        rows,
        may_add: v.caller.may(Permission::Administer),
        workflows: workflows(app, v, &form.workflow),
        provinces: provinces(app, &form.province),
        form,
        problems,
    })
}

pub async fn list(State(app): State<App>, v: Viewer) -> PageResult {
    let page = list_page(&app, &v, ProgramForm::default(), Problems::new())
        .await
        .or_fail(&v)?;
    Ok(v.render(
        StatusCode::OK,
        "admin_program_daftar",
        &v.text("program.judul"),
        page,
    ))
}

/// Adds a program and opens its page; or the form again with each bad field named.
pub async fn add(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Form<ProgramForm>, FormRejection>,
) -> PageResult {
    let Ok(Form(f)) = form else {
        return Err(ApiError::invalid("form", v.text("galat.csrf"))).or_fail(&v);
    };
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)).or_fail(&v)?;
    v.caller.require(Permission::Administer).or_fail(&v)?;
    let mut problems = check(&app, &v, &f).err().unwrap_or_default();
    let id = f.id.trim().to_string();
    if !good_id(&id) {
        problems.insert("id", v.text("program.kode_salah"));
    }
    let province = f.province.trim();
    let province_ok =
        RegionCode::parse(province).is_ok_and(|r| r.is_province()) && app.has_region(province);
    if !province_ok {
        problems.insert("province", v.text("program.provinsi_salah"));
    }
    let again = |problems: Problems, f: ProgramForm| async {
        let page = list_page(&app, &v, f, problems).await.or_fail(&v)?;
        Ok(v.render(
            StatusCode::BAD_REQUEST,
            "admin_program_daftar",
            &v.text("program.judul"),
            page,
        ))
    };
    let checked = match check(&app, &v, &f) {
        Ok(c) if problems.is_empty() => c,
        _ => return again(problems, f).await,
    };
    let program = NewProgram {
        id: id.clone(),
        name: checked.name,
        workflow: checked.workflow,
        workflow_version: checked.version,
        fiscal_year: checked.year,
        funding_source: checked.funding,
        budget_ceiling: checked.ceiling,
        province: province.to_string(),
        allocations: vec![],
    };
    let by = Author {
        login: &v.caller.login,
        at: app.now(),
    };
    let added = app
        .store
        .add_program_by(&program, Some(by))
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?;
    if !added {
        problems.insert("id", v.text("program.kode_dipakai"));
        return again(problems, f).await;
    }
    Ok(v.look.redirect(&format!("/admin/program/{id}?disimpan=1")))
}
