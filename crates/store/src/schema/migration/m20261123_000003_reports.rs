//! What the cooperative indicators need: each cooperative's status per
//! year (active, annual member meeting held, rated a quality cooperative,
//! members), so that the offices see each cooperative's development year
//! by year and the indicators compare a year with the one before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CooperativeYears {
    Table,
    BeneficiaryId,
    Year,
    Active,
    RatHeld,
    Quality,
    Members,
}

#[derive(DeriveIden, Clone, Copy)]
enum Beneficiaries {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CooperativeYears::Table)
                .col(
                    ColumnDef::new(CooperativeYears::BeneficiaryId)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(CooperativeYears::Year).integer().not_null())
                .col(
                    ColumnDef::new(CooperativeYears::Active)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CooperativeYears::RatHeld)
                        .boolean()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(CooperativeYears::Quality)
                        .boolean()
                        .not_null(),
                )
                .col(ColumnDef::new(CooperativeYears::Members).integer().null())
                .primary_key(
                    Index::create()
                        .col(CooperativeYears::BeneficiaryId)
                        .col(CooperativeYears::Year),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CooperativeYears::Table, CooperativeYears::BeneficiaryId)
                        .to(Beneficiaries::Table, Beneficiaries::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("cooperative_years_year")
                .table(CooperativeYears::Table)
                .col(CooperativeYears::Year)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CooperativeYears::Table).to_owned())
            .await
    }
}
