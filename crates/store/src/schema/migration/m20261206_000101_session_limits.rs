//! Sessions end when left idle, and failed sign-ins are counted per login
//! and source instead of per account.
//!
//! `sessions.idle_until`: a browser session not used before this time has
//! ended (each use moves it on); empty for API tokens, which last their
//! stated lifetime. `sign_in_attempts`: failed sign-ins of one login from one
//! source (an address), whether the login exists or not, with the time the
//! next try is allowed; in the database, so every instance agrees. The
//! columns `users.failed_logins` and `users.locked_until` are no longer read.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    IdleUntil,
}

#[derive(DeriveIden, Clone, Copy)]
enum SignInAttempts {
    Table,
    Login,
    Source,
    Failures,
    LockedUntil,
    LastFailedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .add_column(
                    ColumnDef::new(Sessions::IdleUntil)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SignInAttempts::Table)
                .col(ColumnDef::new(SignInAttempts::Login).string().not_null())
                .col(ColumnDef::new(SignInAttempts::Source).string().not_null())
                .col(
                    ColumnDef::new(SignInAttempts::Failures)
                        .integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(SignInAttempts::LockedUntil)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(
                    ColumnDef::new(SignInAttempts::LastFailedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(SignInAttempts::Login)
                        .col(SignInAttempts::Source),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sign_in_attempts_last_failed_at")
                .table(SignInAttempts::Table)
                .col(SignInAttempts::LastFailedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SignInAttempts::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Sessions::Table)
                .drop_column(Sessions::IdleUntil)
                .to_owned(),
        )
        .await
    }
}
