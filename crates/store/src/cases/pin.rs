//! The definition texts cases were opened on. The first case to open on a
//! (program, version) pins that version's text in `definitions`; from then
//! on every case of that version is decided by the pinned text, whatever the
//! files on disk say now: a file edited without raising its `version` is
//! refused at start-up ([`Store::pinned_catalog`]), and a version whose file
//! is gone is loaded from the database.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use pantau_workflow::{Catalog, Definition, Diagnostic};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use sha2::Digest;

use crate::schema::entity::{case, definition};
use crate::{Store, StoreError};

/// The pinned definitions this process has read, by (program, version).
#[derive(Debug, Default)]
pub(crate) struct Pins {
    read: Mutex<HashMap<(String, u32), Arc<Definition>>>,
}

/// A definition file whose text is not the one its version was pinned with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub file: String,
    pub workflow: String,
    pub version: u32,
    /// Cases of this version not yet in a final state.
    pub running: u64,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: workflow `{}` version {} differs from the text its cases were opened on ({} running); \
             raise `version` in this file for the new rules, and keep the old text beside it (e.g. {}-v{}.toml) \
             or leave it to the database",
            self.file, self.workflow, self.version, self.running, self.workflow, self.version
        )
    }
}

/// Why the definitions on disk cannot be used with this database.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("{}", lines(.0))]
    Drift(Vec<Drift>),
    /// A pinned text that no longer loads (e.g. it names an email template that is gone).
    #[error("the pinned text of workflow `{workflow}` version {version} does not load: {}", lines(.problems))]
    Unloadable {
        workflow: String,
        version: u32,
        problems: Vec<Diagnostic>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn lines<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn sha256(text: &str) -> String {
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

impl Store {
    /// The catalog as the cases in this database need it: refused when a
    /// file's text differs from the pinned text of its (program, version);
    /// every pinned version whose file is gone is added from the database.
    pub async fn pinned_catalog(&self, mut catalog: Catalog) -> Result<Catalog, PinError> {
        let drift = self.drift(&catalog).await?;
        if !drift.is_empty() {
            return Err(PinError::Drift(drift));
        }
        let all = definition::Entity::find()
            .all(&self.db)
            .await
            .map_err(StoreError::from)?;
        for pinned in all {
            let version = u32::try_from(pinned.version).unwrap_or_default();
            if catalog.get(&pinned.workflow, version).is_none() {
                catalog
                    .load_pinned(&pinned.source)
                    .map_err(|problems| PinError::Unloadable {
                        workflow: pinned.workflow.clone(),
                        version,
                        problems,
                    })?;
            }
        }
        Ok(catalog)
    }

    /// Every definition of `catalog` whose text differs from its pinned text.
    pub async fn drift(&self, catalog: &Catalog) -> Result<Vec<Drift>, StoreError> {
        let mut out = Vec::new();
        for pinned in definition::Entity::find().all(&self.db).await? {
            let version = u32::try_from(pinned.version).unwrap_or_default();
            let Some(source) = catalog.source(&pinned.workflow, version) else {
                continue;
            };
            if sha256(source) == pinned.sha256 {
                continue;
            }
            let finals: Vec<String> = catalog
                .read_pinned(&pinned.source)
                .map(|d| {
                    d.states
                        .iter()
                        .filter(|s| s.is_final)
                        .map(|s| s.id.clone())
                        .collect()
                })
                .unwrap_or_default();
            let running = case::Entity::find()
                .select_only()
                .column_as(case::Column::Id.count(), "n")
                .filter(case::Column::Workflow.eq(&pinned.workflow))
                .filter(case::Column::WorkflowVersion.eq(pinned.version))
                .filter(case::Column::State.is_not_in(finals))
                .into_tuple::<i64>()
                .one(&self.db)
                .await?
                .unwrap_or(0);
            out.push(Drift {
                file: catalog
                    .file(&pinned.workflow, version)
                    .unwrap_or_default()
                    .to_string(),
                workflow: pinned.workflow,
                version,
                running: u64::try_from(running).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// The definition a case of (`workflow`, `version`) is decided by: its
    /// pinned text, read once per process (the catalog's own when the texts
    /// agree). A version never pinned (cases older than pinning) falls back
    /// to the catalog.
    pub(crate) async fn definition(
        &self,
        db: &impl ConnectionTrait,
        catalog: &Catalog,
        case_id: &str,
        workflow: &str,
        version: u32,
    ) -> Result<Arc<Definition>, StoreError> {
        let key = (workflow.to_string(), version);
        if let Some(def) = self.pins.cached(&key) {
            return Ok(def);
        }
        let missing = || StoreError::MissingDefinition {
            case_id: case_id.into(),
            workflow: workflow.into(),
            version,
        };
        let pinned = definition::Entity::find_by_id((workflow.to_string(), version as i32))
            .one(db)
            .await?;
        let def = match (pinned, catalog.get(workflow, version)) {
            (None, Some(def)) => return Ok(def.clone()),
            (None, None) => return Err(missing()),
            (Some(p), Some(def))
                if catalog
                    .source(workflow, version)
                    .is_some_and(|s| sha256(s) == p.sha256) =>
            {
                def.clone()
            }
            (Some(p), _) => Arc::new(catalog.read_pinned(&p.source).map_err(|d| {
                StoreError::Corrupt(format!(
                    "the pinned text of workflow {workflow} version {version} does not load: {}",
                    lines(&d)
                ))
            })?),
        };
        self.pins.keep(key, def.clone());
        Ok(def)
    }
}

impl Pins {
    fn cached(&self, key: &(String, u32)) -> Option<Arc<Definition>> {
        self.read.lock().ok()?.get(key).cloned()
    }

    fn keep(&self, key: (String, u32), def: Arc<Definition>) {
        if let Ok(mut read) = self.read.lock() {
            read.insert(key, def);
        }
    }
}

/// Records the definition text for its version, or checks it is unchanged.
pub(crate) async fn pin(
    db: &impl ConnectionTrait,
    def: &Definition,
    source: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let sha = sha256(source);
    match definition::Entity::find_by_id((def.id.clone(), def.version as i32))
        .one(db)
        .await?
    {
        Some(pinned) if pinned.sha256 == sha => Ok(()),
        Some(_) => Err(StoreError::DefinitionChanged {
            workflow: def.id.clone(),
            version: def.version,
        }),
        None => {
            definition::Entity::insert(definition::ActiveModel {
                workflow: Set(def.id.clone()),
                version: Set(def.version as i32),
                sha256: Set(sha),
                source: Set(source.to_string()),
                pinned_at: Set(now),
            })
            .exec_without_returning(db)
            .await?;
            Ok(())
        }
    }
}
