//! `/admin/alur`: the installed workflow definitions and their versions
//! (the catalog, pinned versions whose file is gone among them), each drawn
//! as its state graph (SVG made here, nothing fetched), with the programs
//! and the running cases on each version; and the check of a file an
//! administrator uploads: `workflow check`'s findings, `FILE:LINE:COL`,
//! without installing anything (installing stays a file in the workflows
//! folder and a restart).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderMap, StatusCode};
use pantau_domain::access::{Permission, Scope};
use pantau_workflow::graph;
use serde::Serialize;

use super::guard;
use super::view::{OrFail, PageResult, Viewer};
use crate::App;
use crate::error::ApiError;

/// The largest file the check reads.
const MAX_FILE: usize = 1024 * 1024;

#[derive(Serialize, Default)]
struct WorkflowsPage {
    versions: Vec<Version>,
    checked: Option<Checked>,
}

#[derive(Serialize)]
struct Version {
    anchor: String,
    id: String,
    version: u32,
    label: String,
    /// The file's name; none when only the database holds its text.
    file: Option<String>,
    states: usize,
    actions: usize,
    programs: Vec<ProgramLink>,
    running: u64,
    cases: u64,
    /// The state graph, as SVG (made here from the definition).
    svg: String,
}

#[derive(Serialize)]
struct ProgramLink {
    href: String,
    name: String,
}

/// What the check of an uploaded file found.
#[derive(Serialize)]
struct Checked {
    file: String,
    /// Every problem, as `workflow check` prints it.
    findings: Vec<Finding>,
    count: usize,
    /// A good file: what it defines, and its graph.
    ok: Option<Good>,
}

#[derive(Serialize)]
struct Finding {
    line: usize,
    col: usize,
    message: String,
    text: String,
}

#[derive(Serialize)]
struct Good {
    id: String,
    version: u32,
    label: String,
    states: usize,
    actions: usize,
    /// The same version with the same text is installed already.
    installed: bool,
    svg: String,
}

async fn workflows_page(app: &App, v: &Viewer) -> Result<WorkflowsPage, ApiError> {
    v.caller.require(Permission::Administer)?;
    let store_err = |e| ApiError::from_store(e, v.caller.lang);
    let programs = app
        .store
        .programs_in(&Scope::National)
        .await
        .map_err(store_err)?;
    let mut counts: BTreeMap<(String, u32), Vec<(String, u64)>> = BTreeMap::new();
    for c in app.store.cases_by_state().await.map_err(store_err)? {
        counts
            .entry((c.workflow, c.version))
            .or_default()
            .push((c.state, c.cases));
    }
    let lang = v.caller.lang;
    let mut versions: Vec<Version> = app
        .catalog
        .iter()
        .map(|d| {
            let by_state = counts
                .get(&(d.id.clone(), d.version))
                .cloned()
                .unwrap_or_default();
            let is_final = |s: &str| d.states.iter().any(|st| st.id == s && st.is_final);
            let file = app
                .catalog
                .file(&d.id, d.version)
                .filter(|f| !f.starts_with("pinned:"))
                .map(|f| {
                    std::path::Path::new(f)
                        .file_name()
                        .map_or_else(|| f.to_string(), |n| n.to_string_lossy().into_owned())
                });
            Version {
                anchor: format!("{}-v{}", d.id, d.version),
                id: d.id.clone(),
                version: d.version,
                label: d.label.get(lang).to_string(),
                file,
                states: d.states.len(),
                actions: d.actions.len(),
                programs: programs
                    .iter()
                    .filter(|p| p.workflow == d.id && p.workflow_version == d.version as i32)
                    .map(|p| ProgramLink {
                        href: format!("/admin/program/{}", p.id),
                        name: p.name.clone(),
                    })
                    .collect(),
                running: by_state
                    .iter()
                    .filter(|(s, _)| !is_final(s))
                    .map(|(_, n)| n)
                    .sum(),
                cases: by_state.iter().map(|(_, n)| n).sum(),
                svg: graph::svg(d, lang),
            }
        })
        .collect();
    // Each workflow's newest version first.
    versions.sort_by(|a, b| a.id.cmp(&b.id).then(b.version.cmp(&a.version)));
    Ok(WorkflowsPage {
        versions,
        checked: None,
    })
}

pub async fn page(State(app): State<App>, v: Viewer) -> PageResult {
    let page = workflows_page(&app, &v).await.or_fail(&v)?;
    Ok(v.render(StatusCode::OK, "admin_alur", &v.text("alur.judul"), page))
}

/// Checks an uploaded workflow file and shows what `workflow check` finds;
/// nothing is installed.
pub async fn check(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let sent = guard::file_form(form).await;
    let csrf = sent.as_ref().ok().and_then(|(c, ..)| c.as_deref());
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), csrf).or_fail(&v)?;
    let mut page = workflows_page(&app, &v).await.or_fail(&v)?;
    let (name, data) = sent.map(|(_, n, d)| (n, d)).or_fail(&v)?;
    let file = std::path::Path::new(&name).file_name().map_or_else(
        || "alur.toml".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let refused = |why: String| Checked {
        file: file.clone(),
        findings: vec![Finding {
            line: 1,
            col: 1,
            text: format!("{file}:1:1: {why}"),
            message: why,
        }],
        count: 1,
        ok: None,
    };
    let checked = if data.is_empty() {
        refused(v.text("alur.tanpa_berkas"))
    } else if data.len() > MAX_FILE {
        refused(v.text("alur.terlalu_besar"))
    } else {
        match std::str::from_utf8(&data) {
            Err(_) => refused(v.text("alur.bukan_utf8")),
            Ok(text) => match app.catalog.check(&file, text) {
                Ok(def) => {
                    let installed = app.catalog.source(&def.id, def.version) == Some(text);
                    Checked {
                        file: file.clone(),
                        findings: vec![],
                        count: 0,
                        ok: Some(Good {
                            id: def.id.clone(),
                            version: def.version,
                            label: def.label.get(v.caller.lang).to_string(),
                            states: def.states.len(),
                            actions: def.actions.len(),
                            installed,
                            svg: graph::svg(&def, v.caller.lang),
                        }),
                    }
                }
                Err(problems) => Checked {
                    file: file.clone(),
                    count: problems.len(),
                    findings: problems
                        .into_iter()
                        .map(|d| Finding {
                            line: d.line,
                            col: d.col,
                            text: d.to_string(),
                            message: d.message,
                        })
                        .collect(),
                    ok: None,
                },
            },
        }
    };
    let status = if checked.ok.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.checked = Some(checked);
    Ok(v.render(status, "admin_alur", &v.text("alur.judul"), page))
}
