//! Accounts managed from the browser.
//!
//! `user_changes`: every change made to a user from the pages (added, role
//! or region changed, switched off or on, a password link made or used),
//! with who made it and when, shown on the user's page. `user_links`: the
//! one-time links (the first administrator's setup link, a password reset),
//! found by the SHA-256 of their secret, each used at most once.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum UserChanges {
    Table,
    Id,
    Login,
    Actor,
    At,
    What,
    Detail,
}

#[derive(DeriveIden, Clone, Copy)]
enum UserLinks {
    Table,
    TokenHash,
    Purpose,
    Login,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(UserChanges::Table)
                .col(
                    ColumnDef::new(UserChanges::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(UserChanges::Login).string().not_null())
                .col(ColumnDef::new(UserChanges::Actor).string().not_null())
                .col(
                    ColumnDef::new(UserChanges::At)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(UserChanges::What).string().not_null())
                .col(ColumnDef::new(UserChanges::Detail).text().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_user_changes_login_at")
                .table(UserChanges::Table)
                .col(UserChanges::Login)
                .col(UserChanges::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UserLinks::Table)
                .col(
                    ColumnDef::new(UserLinks::TokenHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(UserLinks::Purpose).string().not_null())
                .col(ColumnDef::new(UserLinks::Login).string().null())
                .col(
                    ColumnDef::new(UserLinks::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(UserLinks::ExpiresAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(UserLinks::UsedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(UserLinks::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(UserChanges::Table).to_owned())
            .await
    }
}
