//! The registry (regions, beneficiaries, programs, allocations, decrees),
//! cases, their events (hash-chained), idempotency keys, visits, reminders,
//! tranches, the outbox, and the pinned workflow definitions. Foreign keys
//! are created here, up front, because SQLite cannot add them later.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Definitions {
    Table,
    Workflow,
    Version,
    Sha256,
    Source,
    PinnedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Regions {
    Table,
    Code,
    Name,
    Level,
    ProvinceCode,
    Zone,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Login,
    Name,
    Email,
    Role,
    RegionCode,
    Lang,
    Digest,
    PasswordHash,
    Active,
    LastDigestOn,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Beneficiaries {
    Table,
    Id,
    Kind,
    NaturalKey,
    RegionCode,
    Name,
    NikKoperasi,
    LegalEntityNumber,
    CoopKind,
    Members,
    Active,
    LastRatYear,
    Nib,
    OwnerNik,
    Scale,
    Nik,
    MarketLocation,
    LatMicro,
    LonMicro,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Programs {
    Table,
    Id,
    Name,
    Workflow,
    WorkflowVersion,
    FiscalYear,
    FundingSource,
    BudgetCeiling,
    ProvinceCode,
}

#[derive(DeriveIden, Clone, Copy)]
enum Allocations {
    Table,
    ProgramId,
    RegionCode,
    Amount,
    Approved,
}

#[derive(DeriveIden, Clone, Copy)]
enum Decrees {
    Table,
    Id,
    Number,
    DecreeDate,
    SignerName,
    SignerPosition,
    SignerNip,
    PdfPath,
    PdfSha256,
    ProgramId,
    Amends,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum DecreeItems {
    Table,
    DecreeId,
    CaseId,
    LineNo,
    Change,
    Amount,
    Tranches,
    Outcome,
    Reason,
}

#[derive(DeriveIden, Clone, Copy)]
enum Cases {
    Table,
    Id,
    Workflow,
    WorkflowVersion,
    Region,
    ProgramId,
    BeneficiaryId,
    State,
    Seq,
    ApprovedAmount,
    DisbursedAmount,
    Snapshot,
    HeadHash,
    OpenedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Events {
    Table,
    CaseId,
    Seq,
    At,
    ActorUser,
    ActorRole,
    Action,
    IdemKey,
    FromState,
    ToState,
    Body,
    PrevHash,
    Hash,
}

#[derive(DeriveIden, Clone, Copy)]
enum Requests {
    Table,
    Key,
    CaseId,
    Seq,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Visits {
    Table,
    CaseId,
    No,
    Checklist,
    DueAt,
    Tranche,
    DoneAt,
    DoneSeq,
}

#[derive(DeriveIden, Clone, Copy)]
enum Reminders {
    Table,
    Key,
    CaseId,
    EnteredSeq,
    State,
    FireAt,
    ToRole,
    Template,
    Step,
    Status,
}

#[derive(DeriveIden, Clone, Copy)]
enum Tranches {
    Table,
    CaseId,
    No,
    Amount,
    PaidAt,
    EventSeq,
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    Key,
    CaseId,
    Kind,
    ToRole,
    ToUser,
    Template,
    Lang,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    SentAt,
    CreatedAt,
}

fn case_fk(table: impl IntoIden + Clone, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Cases::Table, Cases::Id)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Definitions::Table)
                .col(ColumnDef::new(Definitions::Workflow).string().not_null())
                .col(ColumnDef::new(Definitions::Version).integer().not_null())
                .col(ColumnDef::new(Definitions::Sha256).string().not_null())
                .col(ColumnDef::new(Definitions::Source).text().not_null())
                .col(
                    ColumnDef::new(Definitions::PinnedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(Definitions::Workflow)
                        .col(Definitions::Version),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Regions::Table)
                .col(
                    ColumnDef::new(Regions::Code)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Regions::Name).string().not_null())
                .col(ColumnDef::new(Regions::Level).string().not_null())
                .col(ColumnDef::new(Regions::ProvinceCode).string().not_null())
                .col(ColumnDef::new(Regions::Zone).string().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(
                    ColumnDef::new(Users::Login)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Users::Name).string().not_null())
                .col(ColumnDef::new(Users::Email).string().not_null())
                .col(ColumnDef::new(Users::Role).string().not_null())
                .col(ColumnDef::new(Users::RegionCode).string().null())
                .col(ColumnDef::new(Users::Lang).string().not_null())
                .col(ColumnDef::new(Users::Digest).boolean().not_null())
                .col(ColumnDef::new(Users::PasswordHash).string().null())
                .col(ColumnDef::new(Users::Active).boolean().not_null())
                .col(ColumnDef::new(Users::LastDigestOn).date().null())
                .col(
                    ColumnDef::new(Users::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::RegionCode)
                        .to(Regions::Table, Regions::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Beneficiaries::Table)
                .col(
                    ColumnDef::new(Beneficiaries::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Beneficiaries::Kind).string().not_null())
                .col(
                    ColumnDef::new(Beneficiaries::NaturalKey)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(
                    ColumnDef::new(Beneficiaries::RegionCode)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(Beneficiaries::Name).string().not_null())
                .col(ColumnDef::new(Beneficiaries::NikKoperasi).string().null())
                .col(
                    ColumnDef::new(Beneficiaries::LegalEntityNumber)
                        .string()
                        .null(),
                )
                .col(ColumnDef::new(Beneficiaries::CoopKind).string().null())
                .col(ColumnDef::new(Beneficiaries::Members).integer().null())
                .col(ColumnDef::new(Beneficiaries::Active).boolean().null())
                .col(ColumnDef::new(Beneficiaries::LastRatYear).integer().null())
                .col(ColumnDef::new(Beneficiaries::Nib).string().null())
                .col(ColumnDef::new(Beneficiaries::OwnerNik).string().null())
                .col(ColumnDef::new(Beneficiaries::Scale).string().null())
                .col(ColumnDef::new(Beneficiaries::Nik).string().null())
                .col(
                    ColumnDef::new(Beneficiaries::MarketLocation)
                        .string()
                        .null(),
                )
                .col(ColumnDef::new(Beneficiaries::LatMicro).integer().null())
                .col(ColumnDef::new(Beneficiaries::LonMicro).integer().null())
                .col(
                    ColumnDef::new(Beneficiaries::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Beneficiaries::Table, Beneficiaries::RegionCode)
                        .to(Regions::Table, Regions::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Programs::Table)
                .col(
                    ColumnDef::new(Programs::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Programs::Name).string().not_null())
                .col(ColumnDef::new(Programs::Workflow).string().not_null())
                .col(
                    ColumnDef::new(Programs::WorkflowVersion)
                        .integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Programs::FiscalYear).integer().not_null())
                .col(ColumnDef::new(Programs::FundingSource).string().not_null())
                .col(
                    ColumnDef::new(Programs::BudgetCeiling)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Programs::ProvinceCode).string().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Programs::Table, Programs::ProvinceCode)
                        .to(Regions::Table, Regions::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Allocations::Table)
                .col(ColumnDef::new(Allocations::ProgramId).string().not_null())
                .col(ColumnDef::new(Allocations::RegionCode).string().not_null())
                .col(ColumnDef::new(Allocations::Amount).big_integer().not_null())
                .col(
                    ColumnDef::new(Allocations::Approved)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .primary_key(
                    Index::create()
                        .col(Allocations::ProgramId)
                        .col(Allocations::RegionCode),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Allocations::Table, Allocations::ProgramId)
                        .to(Programs::Table, Programs::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Allocations::Table, Allocations::RegionCode)
                        .to(Regions::Table, Regions::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Cases::Table)
                .col(ColumnDef::new(Cases::Id).string().not_null().primary_key())
                .col(ColumnDef::new(Cases::Workflow).string().not_null())
                .col(ColumnDef::new(Cases::WorkflowVersion).integer().not_null())
                .col(ColumnDef::new(Cases::Region).string().null())
                .col(ColumnDef::new(Cases::ProgramId).string().null())
                .col(ColumnDef::new(Cases::BeneficiaryId).string().null())
                .col(ColumnDef::new(Cases::State).string().not_null())
                .col(ColumnDef::new(Cases::Seq).big_integer().not_null())
                .col(ColumnDef::new(Cases::ApprovedAmount).big_integer().null())
                .col(
                    ColumnDef::new(Cases::DisbursedAmount)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .col(ColumnDef::new(Cases::Snapshot).text().not_null())
                .col(ColumnDef::new(Cases::HeadHash).string().not_null())
                .col(
                    ColumnDef::new(Cases::OpenedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Cases::UpdatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Cases::Table, (Cases::Workflow, Cases::WorkflowVersion))
                        .to(
                            Definitions::Table,
                            (Definitions::Workflow, Definitions::Version),
                        ),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Events::Table)
                .col(ColumnDef::new(Events::CaseId).string().not_null())
                .col(ColumnDef::new(Events::Seq).big_integer().not_null())
                .col(
                    ColumnDef::new(Events::At)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(Events::ActorUser).string().not_null())
                .col(ColumnDef::new(Events::ActorRole).string().not_null())
                .col(ColumnDef::new(Events::Action).string().not_null())
                .col(ColumnDef::new(Events::IdemKey).string().not_null())
                .col(ColumnDef::new(Events::FromState).string().null())
                .col(ColumnDef::new(Events::ToState).string().not_null())
                .col(ColumnDef::new(Events::Body).text().not_null())
                .col(ColumnDef::new(Events::PrevHash).string().not_null())
                .col(ColumnDef::new(Events::Hash).string().not_null())
                .primary_key(Index::create().col(Events::CaseId).col(Events::Seq))
                .foreign_key(&mut case_fk(Events::Table, Events::CaseId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Requests::Table)
                .col(
                    ColumnDef::new(Requests::Key)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Requests::CaseId).string().not_null())
                .col(ColumnDef::new(Requests::Seq).big_integer().not_null())
                .col(
                    ColumnDef::new(Requests::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(&mut case_fk(Requests::Table, Requests::CaseId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Decrees::Table)
                .col(
                    ColumnDef::new(Decrees::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(Decrees::Number)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Decrees::DecreeDate).date().not_null())
                .col(ColumnDef::new(Decrees::SignerName).string().not_null())
                .col(ColumnDef::new(Decrees::SignerPosition).string().not_null())
                .col(ColumnDef::new(Decrees::SignerNip).string().null())
                .col(ColumnDef::new(Decrees::PdfPath).string().null())
                .col(ColumnDef::new(Decrees::PdfSha256).string().null())
                .col(ColumnDef::new(Decrees::ProgramId).string().not_null())
                .col(ColumnDef::new(Decrees::Amends).string().null())
                .col(
                    ColumnDef::new(Decrees::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Decrees::Table, Decrees::ProgramId)
                        .to(Programs::Table, Programs::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Decrees::Table, Decrees::Amends)
                        .to(Decrees::Table, Decrees::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DecreeItems::Table)
                .col(ColumnDef::new(DecreeItems::DecreeId).string().not_null())
                .col(ColumnDef::new(DecreeItems::CaseId).string().not_null())
                .col(ColumnDef::new(DecreeItems::LineNo).integer().not_null())
                .col(ColumnDef::new(DecreeItems::Change).string().not_null())
                .col(ColumnDef::new(DecreeItems::Amount).big_integer().null())
                .col(ColumnDef::new(DecreeItems::Tranches).string().null())
                .col(ColumnDef::new(DecreeItems::Outcome).string().not_null())
                .col(ColumnDef::new(DecreeItems::Reason).text().null())
                .primary_key(
                    Index::create()
                        .col(DecreeItems::DecreeId)
                        .col(DecreeItems::CaseId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(DecreeItems::Table, DecreeItems::DecreeId)
                        .to(Decrees::Table, Decrees::Id),
                )
                .foreign_key(&mut case_fk(DecreeItems::Table, DecreeItems::CaseId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Visits::Table)
                .col(ColumnDef::new(Visits::CaseId).string().not_null())
                .col(ColumnDef::new(Visits::No).integer().not_null())
                .col(ColumnDef::new(Visits::Checklist).string().not_null())
                .col(
                    ColumnDef::new(Visits::DueAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(Visits::Tranche).integer().null())
                .col(
                    ColumnDef::new(Visits::DoneAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ColumnDef::new(Visits::DoneSeq).big_integer().null())
                .primary_key(Index::create().col(Visits::CaseId).col(Visits::No))
                .foreign_key(&mut case_fk(Visits::Table, Visits::CaseId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Reminders::Table)
                .col(
                    ColumnDef::new(Reminders::Key)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Reminders::CaseId).string().not_null())
                .col(
                    ColumnDef::new(Reminders::EnteredSeq)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Reminders::State).string().not_null())
                .col(
                    ColumnDef::new(Reminders::FireAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(Reminders::ToRole).string().not_null())
                .col(ColumnDef::new(Reminders::Template).string().not_null())
                .col(ColumnDef::new(Reminders::Step).integer().not_null())
                .col(ColumnDef::new(Reminders::Status).string().not_null())
                .foreign_key(&mut case_fk(Reminders::Table, Reminders::CaseId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Tranches::Table)
                .col(ColumnDef::new(Tranches::CaseId).string().not_null())
                .col(ColumnDef::new(Tranches::No).integer().not_null())
                .col(ColumnDef::new(Tranches::Amount).big_integer().not_null())
                .col(
                    ColumnDef::new(Tranches::PaidAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(Tranches::EventSeq).big_integer().not_null())
                .primary_key(Index::create().col(Tranches::CaseId).col(Tranches::No))
                .foreign_key(&mut case_fk(Tranches::Table, Tranches::CaseId))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(ColumnDef::new(Outbox::Id).string().not_null().primary_key())
                .col(ColumnDef::new(Outbox::Key).string().not_null().unique_key())
                .col(ColumnDef::new(Outbox::CaseId).string().null())
                .col(ColumnDef::new(Outbox::Kind).string().not_null())
                .col(ColumnDef::new(Outbox::ToRole).string().not_null())
                .col(ColumnDef::new(Outbox::ToUser).string().null())
                .col(ColumnDef::new(Outbox::Template).string().not_null())
                .col(ColumnDef::new(Outbox::Lang).string().not_null())
                .col(ColumnDef::new(Outbox::Payload).text().not_null())
                .col(ColumnDef::new(Outbox::Status).string().not_null())
                .col(
                    ColumnDef::new(Outbox::Attempts)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(
                    ColumnDef::new(Outbox::NextAttemptAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Outbox::LockedUntil)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ColumnDef::new(Outbox::LastError).text().null())
                .col(
                    ColumnDef::new(Outbox::SentAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new(Outbox::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .foreign_key(&mut case_fk(Outbox::Table, Outbox::CaseId))
                .to_owned(),
        )
        .await?;
        // Sweeps read what is due through these: their cost grows with what is due, not with the case count.
        let db = m.get_connection();
        for sql in [
            "CREATE INDEX idx_visits_open_due ON visits (due_at) WHERE done_at IS NULL",
            "CREATE INDEX idx_reminders_pending_fire ON reminders (fire_at) WHERE status = 'pending'",
            "CREATE INDEX idx_reminders_case_entry ON reminders (case_id, entered_seq)",
            "CREATE INDEX idx_outbox_ready ON outbox (next_attempt_at) WHERE status = 'queued'",
            "CREATE INDEX idx_cases_workflow_state ON cases (workflow, state)",
            "CREATE INDEX idx_cases_region ON cases (region)",
            "CREATE INDEX idx_cases_program_region ON cases (program_id, region)",
            "CREATE INDEX idx_beneficiaries_region_kind ON beneficiaries (region_code, kind)",
            "CREATE INDEX idx_decree_items_case ON decree_items (case_id)",
            "CREATE INDEX idx_users_role_region ON users (role, region_code)",
            "CREATE INDEX idx_outbox_to_user ON outbox (to_user, status)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
