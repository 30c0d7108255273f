//! A decree's scanned PDF kept in the database, under its SHA-256, so every
//! app instance on one database can serve it (a file on one machine's disk
//! would be missing on the others). `decrees.pdf_path` now holds the name
//! the file was sent under, `decrees.pdf_sha256` finds its bytes here.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum DecreeScans {
    Table,
    Sha256,
    Size,
    Data,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DecreeScans::Table)
                .col(
                    ColumnDef::new(DecreeScans::Sha256)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(DecreeScans::Size).big_integer().not_null())
                .col(ColumnDef::new(DecreeScans::Data).blob().not_null())
                .col(
                    ColumnDef::new(DecreeScans::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DecreeScans::Table).to_owned())
            .await
    }
}
