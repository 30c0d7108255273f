//! Every definition Pantau knows, by program id and version.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::definition::Definition;
use crate::diagnostic::Diagnostic;
use crate::load::{load, load_pinned};
use crate::lower::Known;

/// The loaded definitions. A running case stays on the version it started
/// with, so older versions stay here beside the newest.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    by_key: BTreeMap<(String, u32), Arc<Definition>>,
    sources: BTreeMap<(String, u32), Arc<str>>,
    /// Where each definition was read from (a file name, or `pinned:ID@VERSION`).
    files: BTreeMap<(String, u32), String>,
    /// What the definitions were checked against, for loading more later.
    known: Known,
}

impl Catalog {
    /// Loads every `(file name, source)` pair, reporting every problem of every file.
    pub fn load<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
        known: &Known,
    ) -> Result<Catalog, Vec<Diagnostic>> {
        let mut catalog = Catalog {
            known: known.clone(),
            ..Catalog::default()
        };
        let mut problems = Vec::new();
        for (file, source) in sources {
            match load(file, source, known) {
                Ok(def) => {
                    let key = (def.id.clone(), def.version);
                    if let Some(first) = catalog.files.get(&key) {
                        problems.push(Diagnostic {
                            file: file.to_string(),
                            line: 1,
                            col: 1,
                            message: format!(
                                "workflow `{}` version {} is also defined in {first}",
                                key.0, key.1
                            ),
                        });
                        continue;
                    }
                    catalog.insert(file, source, Arc::new(def));
                }
                Err(mut d) => problems.append(&mut d),
            }
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(problems)
        }
    }

    fn insert(&mut self, file: &str, source: &str, def: Arc<Definition>) {
        let key = (def.id.clone(), def.version);
        self.files.insert(key.clone(), file.to_string());
        self.sources.insert(key.clone(), Arc::from(source));
        self.by_key.insert(key, def);
    }

    /// Loads a definition from its pinned text (the text its cases were
    /// opened on), checked as it was when pinned (a text without `[stages]`
    /// gets the old convention), for a version whose file is gone. Returns the definition; a version already loaded is kept as it is.
    pub fn load_pinned(&mut self, source: &str) -> Result<Arc<Definition>, Vec<Diagnostic>> {
        let def = load_pinned("pinned", source, &self.known)?;
        let key = (def.id.clone(), def.version);
        if let Some(loaded) = self.by_key.get(&key) {
            return Ok(loaded.clone());
        }
        let file = format!("pinned:{}@{}", def.id, def.version);
        let def = Arc::new(def);
        self.insert(&file, source, def.clone());
        Ok(def)
    }

    /// Checks one file as [`Catalog::load`] would (the same templates known),
    /// without adding it: every problem as `FILE:LINE:COL`. A version this
    /// catalog already holds with another text is a problem too: a changed
    /// definition needs a new version.
    pub fn check(&self, file: &str, source: &str) -> Result<Definition, Vec<Diagnostic>> {
        let def = load(file, source, &self.known)?;
        let key = (def.id.clone(), def.version);
        match (self.sources.get(&key), self.files.get(&key)) {
            (Some(held), Some(from)) if **held != *source => Err(vec![Diagnostic {
                file: file.to_string(),
                line: 1,
                col: 1,
                message: format!(
                    "workflow `{}` version {} is already installed from {from} with another text; give this file a new version",
                    key.0, key.1
                ),
            }]),
            _ => Ok(def),
        }
    }

    /// Reads a pinned text without adding it to the catalog.
    pub fn read_pinned(&self, source: &str) -> Result<Definition, Vec<Diagnostic>> {
        load_pinned("pinned", source, &self.known)
    }

    /// The file a definition was read from (`pinned:ID@VERSION` when it came from the database).
    pub fn file(&self, id: &str, version: u32) -> Option<&str> {
        self.files
            .get(&(id.to_string(), version))
            .map(String::as_str)
    }

    /// The newest version of a program.
    pub fn latest(&self, id: &str) -> Option<&Arc<Definition>> {
        self.by_key
            .range((id.to_string(), 0)..=(id.to_string(), u32::MAX))
            .next_back()
            .map(|(_, d)| d)
    }

    /// One exact version, as a running case needs.
    pub fn get(&self, id: &str, version: u32) -> Option<&Arc<Definition>> {
        self.by_key.get(&(id.to_string(), version))
    }

    /// The text a definition was loaded from, which a store pins with its cases.
    pub fn source(&self, id: &str, version: u32) -> Option<&str> {
        self.sources.get(&(id.to_string(), version)).map(|s| &**s)
    }

    /// All definitions, ordered by id then version.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Definition>> {
        self.by_key.values()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}
