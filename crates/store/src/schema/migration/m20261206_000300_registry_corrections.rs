//! The registry kept from the browser: a beneficiary's address and phone
//! (for the officer who goes there), whether it is dissolved, and
//! `beneficiary_changes`, every correction with who made it, when and why
//! (one row per changed value, shown on the beneficiary's page and carried
//! in the Ministry bundle).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Beneficiaries {
    Table,
    Address,
    Phone,
    Dissolved,
}

#[derive(DeriveIden, Clone, Copy)]
enum BeneficiaryChanges {
    Table,
    Id,
    BeneficiaryId,
    Field,
    OldValue,
    NewValue,
    Reason,
    ChangedBy,
    ChangedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for col in [
            ColumnDef::new(Beneficiaries::Address)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(Beneficiaries::Phone)
                .string()
                .null()
                .to_owned(),
            ColumnDef::new(Beneficiaries::Dissolved)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Beneficiaries::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(BeneficiaryChanges::Table)
                .col(
                    ColumnDef::new(BeneficiaryChanges::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(BeneficiaryChanges::BeneficiaryId)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BeneficiaryChanges::Field)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(BeneficiaryChanges::OldValue).string().null())
                .col(ColumnDef::new(BeneficiaryChanges::NewValue).string().null())
                .col(ColumnDef::new(BeneficiaryChanges::Reason).text().not_null())
                .col(
                    ColumnDef::new(BeneficiaryChanges::ChangedBy)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(BeneficiaryChanges::ChangedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("beneficiary_changes_by_beneficiary")
                .table(BeneficiaryChanges::Table)
                .col(BeneficiaryChanges::BeneficiaryId)
                .col(BeneficiaryChanges::ChangedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(BeneficiaryChanges::Table).to_owned())
            .await?;
        for col in [
            Beneficiaries::Address,
            Beneficiaries::Phone,
            Beneficiaries::Dissolved,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Beneficiaries::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
