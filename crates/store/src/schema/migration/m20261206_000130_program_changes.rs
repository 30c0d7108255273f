//! Who changed a program or one of its allocations, when, and from what to
//! what: one row per changed value, written in the change's transaction.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum ProgramChanges {
    Table,
    Id,
    ProgramId,
    RegionCode,
    Field,
    OldValue,
    NewValue,
    ChangedBy,
    ChangedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ProgramChanges::Table)
                .col(
                    ColumnDef::new(ProgramChanges::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(ProgramChanges::ProgramId)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(ProgramChanges::RegionCode).string().null())
                .col(ColumnDef::new(ProgramChanges::Field).string().not_null())
                .col(ColumnDef::new(ProgramChanges::OldValue).string().null())
                .col(ColumnDef::new(ProgramChanges::NewValue).string().not_null())
                .col(
                    ColumnDef::new(ProgramChanges::ChangedBy)
                        .string()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(ProgramChanges::ChangedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("program_changes_by_program")
                .table(ProgramChanges::Table)
                .col(ProgramChanges::ProgramId)
                .col(ProgramChanges::ChangedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ProgramChanges::Table).to_owned())
            .await
    }
}
