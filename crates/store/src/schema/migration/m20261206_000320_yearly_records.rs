//! A cooperative's record of a year as the `data_tahunan` workflow's
//! verification writes it (`Effect::RecordYear`): the figures beyond the
//! indicators' flags (RAT date, capital, assets, business volume, SHU, a
//! KSP's health), every answer as JSON, and where the record came from:
//! the case and event that verified it, who and when. A later verified
//! correction of the same year replaces the row; the cases keep both.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CooperativeYears {
    Table,
    RatDate,
    OwnCapital,
    OutsideCapital,
    Assets,
    BusinessVolume,
    Shu,
    KspHealth,
    Figures,
    CaseId,
    EventSeq,
    VerifiedBy,
    VerifiedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use CooperativeYears as Y;
        // SQLite adds one column per statement.
        for col in [
            ColumnDef::new(Y::RatDate).string().null().to_owned(),
            ColumnDef::new(Y::OwnCapital)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Y::OutsideCapital)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Y::Assets).big_integer().null().to_owned(),
            ColumnDef::new(Y::BusinessVolume)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Y::Shu).big_integer().null().to_owned(),
            ColumnDef::new(Y::KspHealth).string().null().to_owned(),
            ColumnDef::new(Y::Figures).text().null().to_owned(),
            ColumnDef::new(Y::CaseId).string().null().to_owned(),
            ColumnDef::new(Y::EventSeq).big_integer().null().to_owned(),
            ColumnDef::new(Y::VerifiedBy).string().null().to_owned(),
            ColumnDef::new(Y::VerifiedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            m.alter_table(Table::alter().table(Y::Table).add_column(col).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use CooperativeYears as Y;
        for col in [
            Y::RatDate,
            Y::OwnCapital,
            Y::OutsideCapital,
            Y::Assets,
            Y::BusinessVolume,
            Y::Shu,
            Y::KspHealth,
            Y::Figures,
            Y::CaseId,
            Y::EventSeq,
            Y::VerifiedBy,
            Y::VerifiedAt,
        ] {
            m.alter_table(Table::alter().table(Y::Table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
