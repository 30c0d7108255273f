//! Duplicates in the registry: `beneficiaries.merged_into` (a merged record
//! is kept, hidden from lists and searches, and resolves to the one it was
//! merged into), `beneficiary_merges` (each merge with both ids, who, when,
//! why, the cases moved and what became of two records of one year) and
//! `beneficiary_distinct` (a pair a verifier found to be two, never listed
//! again).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Beneficiaries {
    Table,
    MergedInto,
}

#[derive(DeriveIden, Clone, Copy)]
enum BeneficiaryMerges {
    Table,
    Id,
    KeptId,
    MergedId,
    Reason,
    MergedBy,
    MergedAt,
    CasesMoved,
    Years,
}

#[derive(DeriveIden, Clone, Copy)]
enum BeneficiaryDistinct {
    Table,
    FirstId,
    SecondId,
    Reason,
    MarkedBy,
    MarkedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use BeneficiaryDistinct as D;
        use BeneficiaryMerges as M;
        m.alter_table(
            Table::alter()
                .table(Beneficiaries::Table)
                .add_column(ColumnDef::new(Beneficiaries::MergedInto).string().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("beneficiaries_merged_into")
                .table(Beneficiaries::Table)
                .col(Beneficiaries::MergedInto)
                .to_owned(),
        )
        .await?;
        let text = |c: M| ColumnDef::new(c).string().not_null().to_owned();
        m.create_table(
            Table::create()
                .table(M::Table)
                .col(text(M::Id).primary_key())
                .col(text(M::KeptId))
                .col(text(M::MergedId))
                .col(ColumnDef::new(M::Reason).text().not_null())
                .col(text(M::MergedBy))
                .col(
                    ColumnDef::new(M::MergedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(M::CasesMoved).big_integer().not_null())
                .col(ColumnDef::new(M::Years).text().not_null())
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("beneficiary_merges_by_kept", M::KeptId),
            ("beneficiary_merges_by_merged", M::MergedId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(M::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(D::Table)
                .col(ColumnDef::new(D::FirstId).string().not_null())
                .col(ColumnDef::new(D::SecondId).string().not_null())
                .col(ColumnDef::new(D::Reason).text().not_null())
                .col(ColumnDef::new(D::MarkedBy).string().not_null())
                .col(
                    ColumnDef::new(D::MarkedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .primary_key(Index::create().col(D::FirstId).col(D::SecondId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(BeneficiaryDistinct::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(BeneficiaryMerges::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("beneficiaries_merged_into")
                .table(Beneficiaries::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Beneficiaries::Table)
                .drop_column(Beneficiaries::MergedInto)
                .to_owned(),
        )
        .await
    }
}
