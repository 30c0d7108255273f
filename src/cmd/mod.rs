//! One module per subcommand.

pub mod audit;
pub mod case;
pub mod db;
pub mod decree;
pub mod demo;
pub mod doctor;
pub mod export;
pub mod import;
pub mod pay;
pub mod program;
pub mod remind;
pub mod report;
pub mod serve;
pub mod user;
pub mod workflow;
pub mod yearly;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use pantau_workflow::{Catalog, Diagnostic, Known};

/// Where the workflow files are, and the templates they may name.
#[derive(Debug, Clone, clap::Args)]
pub struct Sources {
    /// Folder of workflow definitions (default: `workflows` in `pantau.toml`,
    /// else `./workflows`, else the installed `share/pantau/workflows`).
    #[arg(long = "workflows", env = "PANTAU_WORKFLOWS")]
    pub dir: Option<PathBuf>,
    /// Folder of templates (default: `templates` beside the workflows folder).
    #[arg(long, env = "PANTAU_TEMPLATES")]
    pub templates: Option<PathBuf>,
}

/// The workflow and template folders a run reads.
#[derive(Debug, Clone)]
pub struct Located {
    pub workflows: PathBuf,
    pub templates: PathBuf,
}

impl Sources {
    /// The folders from the flags, the environment, `pantau.toml`, the
    /// working folder or the installed `share/pantau`, strongest first.
    pub fn locate(&self, db: &crate::config::DbArgs) -> anyhow::Result<Located> {
        let (file_workflows, file_templates) = db.source_dirs()?;
        let installed = crate::config::installed_share().map(|d| d.join("workflows"));
        let workflows = match self.dir.clone().or(file_workflows) {
            Some(dir) => dir,
            None => [Some(PathBuf::from("workflows")), installed]
                .into_iter()
                .flatten()
                .find(|d| d.is_dir())
                .context(
                    "no workflow folder: not ./workflows nor an installed share/pantau/workflows; \
                     name it with --workflows, PANTAU_WORKFLOWS or `workflows` in pantau.toml",
                )?,
        };
        let templates = self
            .templates
            .clone()
            .or(file_templates)
            .unwrap_or_else(|| beside(&workflows));
        Ok(Located {
            workflows,
            templates,
        })
    }
}

/// `templates` beside a workflows folder (or beside the folder of one file).
pub fn beside(workflows: &Path) -> PathBuf {
    let base = if workflows.is_file() {
        workflows.parent().and_then(Path::parent)
    } else {
        workflows.parent()
    };
    base.unwrap_or(Path::new(".")).join("templates")
}

/// Reads the workflow files at `path` (a folder's top-level `*.toml`, or one
/// file) and the template names; loads them all.
pub fn load_catalog(
    path: &Path,
    templates: &Path,
) -> anyhow::Result<Result<Catalog, Vec<Diagnostic>>> {
    let files = workflow_files(path)?;
    let mut sources = Vec::new();
    for file in &files {
        let text =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        sources.push((
            file.display().to_string(),
            String::from_utf8_lossy(&text).into_owned(),
        ));
    }
    let known = Known {
        templates: template_names(templates),
    };
    Ok(Catalog::load(
        sources.iter().map(|(f, s)| (f.as_str(), s.as_str())),
        &known,
    ))
}

fn workflow_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path)
        .with_context(|| format!("cannot read workflow folder {}", path.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    anyhow::ensure!(
        !files.is_empty(),
        "no workflow files (*.toml) in {}",
        path.display()
    );
    Ok(files)
}

/// Email template names: `templates/email/NAME.*.hbs` gives `NAME`.
fn template_names(dir: &Path) -> std::collections::BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(dir.join("email")) else {
        return Default::default();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".hbs") && !n.starts_with('_'))
        .filter_map(|n| n.split('.').next().map(str::to_string))
        .collect()
}

/// The workflow files of `sources` as the cases in `store` need them: a
/// file changed under a version cases were opened on is refused, a version
/// whose file is gone is read from the database (see `Store::pinned_catalog`).
pub fn catalog_for(store: &pantau_store::Store, at: &Located) -> anyhow::Result<Catalog> {
    let files = case::load(at)?;
    Ok(block_on(store.pinned_catalog(files))?)
}

/// The active user `login`'s role and the scope its region gives.
pub fn acting(
    store: &pantau_store::Store,
    login: &str,
) -> anyhow::Result<(pantau_domain::Role, pantau_domain::access::Scope)> {
    let user = block_on(store.user(login))?
        .filter(|u| u.active)
        .with_context(|| format!("no active user {login}"))?;
    let role: pantau_domain::Role = user
        .role
        .parse()
        .map_err(|e| anyhow::anyhow!("user {login}: {e}"))?;
    let region = user
        .region_code
        .as_deref()
        .map(pantau_domain::RegionCode::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("user {login}: {e}"))?;
    Ok((
        role,
        pantau_domain::access::Scope::of(role, region.as_ref())?,
    ))
}

/// Prints diagnostics to stderr with a count.
pub fn report(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}");
    }
    eprintln!("{} problem(s) found", diagnostics.len());
}

/// Runs a future to completion on the process's one runtime (the CLI does
/// one thing at a time; a database pool must live on a single runtime).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let rt = RUNTIME.get_or_init(|| {
        match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("pantau: cannot start the async runtime: {e}");
                std::process::exit(2)
            }
        }
    });
    rt.block_on(f)
}
