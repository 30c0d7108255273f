//! A UMKM's record of a year in the same yearly table as a cooperative's
//! (`cooperative_years`: one row per beneficiary and year, whatever its
//! kind; the name is older than UMKM records): its scale under PP 7/2021
//! (`micro`, `small`, `medium`, so a business that moved up a class can be
//! counted), its workers and its turnover band, as the
//! `data_tahunan_umkm` workflow's verification writes them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CooperativeYears {
    Table,
    Scale,
    Workers,
    TurnoverBand,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use CooperativeYears as Y;
        // SQLite adds one column per statement.
        for col in [
            ColumnDef::new(Y::Scale).string().null().to_owned(),
            ColumnDef::new(Y::Workers).integer().null().to_owned(),
            ColumnDef::new(Y::TurnoverBand).string().null().to_owned(),
        ] {
            m.alter_table(Table::alter().table(Y::Table).add_column(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use CooperativeYears as Y;
        for col in [Y::Scale, Y::Workers, Y::TurnoverBand] {
            m.alter_table(Table::alter().table(Y::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
