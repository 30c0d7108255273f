//! The shipped workflow definitions, loaded as Pantau loads them. Shared by
//! the store's tests and the end-to-end tests (included with `#[path]`).

use std::path::{Path, PathBuf};

use pantau_workflow::{Catalog, Known};

/// The repository root: the nearest folder above the crate with `workflows/`.
pub fn repo_root() -> PathBuf {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    while !dir.join("workflows").is_dir() && dir.pop() {}
    dir
}

/// What the shipped definitions may refer to: the templates in `templates/email/`.
pub fn known() -> Known {
    let templates = std::fs::read_dir(repo_root().join("templates/email"))
        .expect("templates/email")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .split('.')
                .next()
                .map(str::to_string)
        })
        .filter(|n| !n.starts_with('_'))
        .collect();
    Known { templates }
}

/// Every definition in `workflows/`, checked against the templates in `templates/email/`.
pub fn catalog() -> Catalog {
    let root = repo_root();
    let sources: Vec<(String, String)> = std::fs::read_dir(root.join("workflows"))
        .expect("workflows/")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).expect("a definition"),
            )
        })
        .collect();
    Catalog::load(
        sources.iter().map(|(f, s)| (f.as_str(), s.as_str())),
        &known(),
    )
    .expect("the shipped definitions check")
}
