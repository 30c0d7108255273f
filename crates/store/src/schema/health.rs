//! Whether the database can serve: it answers, and its schema is the one
//! this Pantau knows (no migration pending, none unknown).

use sea_orm_migration::{MigrationStatus, MigratorTrait};

use crate::schema::migration::Migrator;
use crate::{Store, StoreError};

impl Store {
    /// `Ok(None)` when ready; `Ok(Some(why))` when the database answers but
    /// its schema is not current; an error when it does not answer.
    pub async fn readiness(&self) -> Result<Option<String>, StoreError> {
        let status = Migrator::get_migration_with_status_read_only(&self.db).await?;
        let pending: Vec<&str> = status
            .iter()
            .filter(|m| m.status() == MigrationStatus::Pending)
            .map(|m| m.name())
            .collect();
        Ok((!pending.is_empty()).then(|| {
            format!(
                "{} migration(s) not applied: {} (restart pantau serve, or pantau db migrate)",
                pending.len(),
                pending.join(", ")
            )
        }))
    }
}
