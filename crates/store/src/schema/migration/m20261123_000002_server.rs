//! What the server needs: sign-in sessions and API tokens (one table, by
//! the token's hash), failed sign-in counts, the officer assigned to each
//! case (copied from the snapshot, so an officer's visits need no JSON),
//! and uploaded files (visit photos, documents) of a case, kept in the
//! database so every app instance sees them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    TokenHash,
    Login,
    Kind,
    Csrf,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    FailedLogins,
    LockedUntil,
}

#[derive(DeriveIden, Clone, Copy)]
enum Cases {
    Table,
    Officer,
}

#[derive(DeriveIden, Clone, Copy)]
enum Attachments {
    Table,
    Id,
    CaseId,
    ContentType,
    Size,
    Sha256,
    Data,
    UploadedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(
                    ColumnDef::new(Sessions::TokenHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Sessions::Login).string().not_null())
                .col(ColumnDef::new(Sessions::Kind).string().not_null())
                .col(ColumnDef::new(Sessions::Csrf).string().not_null())
                .col(
                    ColumnDef::new(Sessions::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Sessions::ExpiresAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(
                    ColumnDef::new(Users::FailedLogins)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(
                    ColumnDef::new(Users::LockedUntil)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Cases::Table)
                .add_column(ColumnDef::new(Cases::Officer).string().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Attachments::Table)
                .col(
                    ColumnDef::new(Attachments::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(Attachments::CaseId).string().not_null())
                .col(ColumnDef::new(Attachments::ContentType).string().not_null())
                .col(ColumnDef::new(Attachments::Size).big_integer().not_null())
                .col(ColumnDef::new(Attachments::Sha256).string().not_null())
                .col(ColumnDef::new(Attachments::Data).blob().not_null())
                .col(ColumnDef::new(Attachments::UploadedBy).string().not_null())
                .col(
                    ColumnDef::new(Attachments::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in [
            "CREATE INDEX idx_sessions_login ON sessions (login)",
            "CREATE INDEX idx_cases_officer ON cases (officer)",
            "CREATE INDEX idx_cases_program_state ON cases (program_id, state)",
            "CREATE INDEX idx_attachments_sha256 ON attachments (sha256)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
