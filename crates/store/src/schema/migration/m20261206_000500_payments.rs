//! Payments through the bank: `bank_accounts` (a beneficiary's account, one
//! row per version: a change adds a row and marks the one before replaced,
//! with who and why; a holder name unlike the beneficiary's is flagged until
//! a verifier accepts it), `payment_batches` (a treasurer's batch: open,
//! sent, done or cancelled), `payment_lines` (one tranche of one case, with
//! the account as it was when the line was made, its stable reference and
//! the bank's answer), `payment_exports` (each file made of a batch) and
//! `payment_results` (each result file imported). A tranche is in at most
//! one batch that is open, sent or paid: a partial unique index says so.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum BankAccounts {
    Table,
    Id,
    BeneficiaryId,
    BankCode,
    AccountNo,
    HolderName,
    NameMatches,
    AcceptedBy,
    AcceptedAt,
    Reason,
    CreatedBy,
    CreatedAt,
    ReplacedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PaymentBatches {
    Table,
    Id,
    Number,
    RegionCode,
    ProgramId,
    Status,
    CreatedBy,
    CreatedAt,
    SentBy,
    SentAt,
    Layout,
    LineCount,
    Total,
}

#[derive(DeriveIden, Clone, Copy)]
enum PaymentLines {
    Table,
    Reference,
    BatchId,
    LineNo,
    CaseId,
    TrancheNo,
    Amount,
    Region,
    ProgramId,
    BeneficiaryId,
    AccountId,
    BankCode,
    AccountNo,
    HolderName,
    Status,
    BankReference,
    BankDate,
    Reason,
    ResultAt,
    ResultBy,
    EventSeq,
}

#[derive(DeriveIden, Clone, Copy)]
enum PaymentExports {
    Table,
    Id,
    BatchId,
    Layout,
    Sha256,
    ExportedBy,
    ExportedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PaymentResults {
    Table,
    Id,
    BatchId,
    FileName,
    Sha256,
    ImportedBy,
    ImportedAt,
    Paid,
    Failed,
    Returned,
    Already,
    Unmatched,
}

fn text<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).string().not_null().to_owned()
}

fn maybe<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).string().null().to_owned()
}

fn time<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn maybe_time<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn number<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().not_null().to_owned()
}

async fn index<T: IntoIden + Copy + 'static>(
    m: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: &[T],
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use BankAccounts as A;
        use PaymentBatches as B;
        use PaymentExports as E;
        use PaymentLines as L;
        use PaymentResults as R;
        m.create_table(
            Table::create()
                .table(A::Table)
                .col(text(A::Id).primary_key())
                .col(text(A::BeneficiaryId))
                .col(text(A::BankCode))
                .col(text(A::AccountNo))
                .col(text(A::HolderName))
                .col(ColumnDef::new(A::NameMatches).boolean().not_null())
                .col(maybe(A::AcceptedBy))
                .col(maybe_time(A::AcceptedAt))
                .col(ColumnDef::new(A::Reason).text().not_null())
                .col(text(A::CreatedBy))
                .col(time(A::CreatedAt))
                .col(maybe_time(A::ReplacedAt))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "bank_accounts_by_beneficiary",
            A::Table,
            &[A::BeneficiaryId, A::CreatedAt],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(B::Table)
                .col(text(B::Id).primary_key())
                .col(text(B::Number).unique_key())
                .col(text(B::RegionCode))
                .col(maybe(B::ProgramId))
                .col(text(B::Status))
                .col(text(B::CreatedBy))
                .col(time(B::CreatedAt))
                .col(maybe(B::SentBy))
                .col(maybe_time(B::SentAt))
                .col(maybe(B::Layout))
                .col(number(B::LineCount))
                .col(number(B::Total))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "payment_batches_by_region",
            B::Table,
            &[B::RegionCode, B::CreatedAt],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(L::Table)
                .col(text(L::Reference).primary_key())
                .col(text(L::BatchId))
                .col(number(L::LineNo))
                .col(text(L::CaseId))
                .col(number(L::TrancheNo))
                .col(number(L::Amount))
                .col(text(L::Region))
                .col(maybe(L::ProgramId))
                .col(maybe(L::BeneficiaryId))
                .col(text(L::AccountId))
                .col(text(L::BankCode))
                .col(text(L::AccountNo))
                .col(text(L::HolderName))
                .col(text(L::Status))
                .col(maybe(L::BankReference))
                .col(ColumnDef::new(L::BankDate).date().null())
                .col(ColumnDef::new(L::Reason).text().null())
                .col(maybe_time(L::ResultAt))
                .col(maybe(L::ResultBy))
                .col(ColumnDef::new(L::EventSeq).big_integer().null())
                .to_owned(),
        )
        .await?;
        index(
            m,
            "payment_lines_by_batch",
            L::Table,
            &[L::BatchId, L::LineNo],
        )
        .await?;
        index(
            m,
            "payment_lines_by_case",
            L::Table,
            &[L::CaseId, L::TrancheNo],
        )
        .await?;
        index(
            m,
            "payment_lines_by_region",
            L::Table,
            &[L::Region, L::Status],
        )
        .await?;
        // Both databases read this partial index alike.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX payment_lines_live ON payment_lines (case_id, tranche_no) \
                 WHERE status IN ('open', 'ordered', 'paid')",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(E::Table)
                .col(text(E::Id).primary_key())
                .col(text(E::BatchId))
                .col(text(E::Layout))
                .col(text(E::Sha256))
                .col(text(E::ExportedBy))
                .col(time(E::ExportedAt))
                .to_owned(),
        )
        .await?;
        index(m, "payment_exports_by_batch", E::Table, &[E::BatchId]).await?;
        m.create_table(
            Table::create()
                .table(R::Table)
                .col(text(R::Id).primary_key())
                .col(text(R::BatchId))
                .col(text(R::FileName))
                .col(text(R::Sha256))
                .col(text(R::ImportedBy))
                .col(time(R::ImportedAt))
                .col(number(R::Paid))
                .col(number(R::Failed))
                .col(number(R::Returned))
                .col(number(R::Already))
                .col(ColumnDef::new(R::Unmatched).text().not_null())
                .to_owned(),
        )
        .await?;
        index(m, "payment_results_by_batch", R::Table, &[R::BatchId]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PaymentResults::Table.into_iden(),
            PaymentExports::Table.into_iden(),
            PaymentLines::Table.into_iden(),
            PaymentBatches::Table.into_iden(),
            BankAccounts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
