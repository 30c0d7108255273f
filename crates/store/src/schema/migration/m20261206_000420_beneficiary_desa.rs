//! A beneficiary's desa/kelurahan (`desa_code`, dotted, `33.73.04.1001`):
//! optional, the current code (an old one given is resolved when read),
//! required of a Koperasi Desa/Kelurahan Merah Putih by the registry's
//! rules. The coverage page reads it through the index on
//! `(region_code, kind)`, so no index of its own.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Beneficiaries {
    Table,
    DesaCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Beneficiaries::Table)
                .add_column(ColumnDef::new(Beneficiaries::DesaCode).string().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Beneficiaries::Table)
                .drop_column(Beneficiaries::DesaCode)
                .to_owned(),
        )
        .await
    }
}
