//! Where a beneficiary's registered location came from, when it came from
//! a monev visit rather than the registry: the case and visit that set it,
//! and the verifier who confirmed it (until then it is marked unconfirmed).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum BeneficiaryLocations {
    Table,
    BeneficiaryId,
    CaseId,
    VisitNo,
    SetAt,
    ConfirmedBy,
    ConfirmedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(BeneficiaryLocations::Table)
                .col(
                    ColumnDef::new(BeneficiaryLocations::BeneficiaryId)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(BeneficiaryLocations::CaseId)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BeneficiaryLocations::VisitNo)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BeneficiaryLocations::SetAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BeneficiaryLocations::ConfirmedBy)
                        .string()
                        .null(),
                )
                .col(
                    ColumnDef::new(BeneficiaryLocations::ConfirmedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(BeneficiaryLocations::Table).to_owned())
            .await
    }
}
