//! A visit's evidence: each photo's perceptual hash and camera time, whether
//! a visit awaits a verifier, and
//! which visit used which photo, so a photo used again (the same file, or
//! nearly the same picture) is found with the visit that used it first;
//! and large photos sent in parts that resume after a dropped connection.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Attachments {
    Table,
    Phash,
    TakenAt,
}

/// `flagged` while a visit's evidence awaits a verifier, `accepted` after; null when clear or not done.
#[derive(DeriveIden, Clone, Copy)]
enum Visits {
    Table,
    Review,
}

#[derive(DeriveIden, Clone, Copy)]
enum VisitPhotos {
    Table,
    CaseId,
    VisitNo,
    AttachmentId,
    Sha256,
}

/// One row per 8-bit band of a photo's hash (`band × 256 + bits`).
#[derive(DeriveIden, Clone, Copy)]
enum PhotoBands {
    Table,
    Band,
    CaseId,
    VisitNo,
    AttachmentId,
    Phash,
}

/// A file sent in parts: found again by its key, so a dropped upload resumes.
#[derive(DeriveIden, Clone, Copy)]
enum Uploads {
    Table,
    Id,
    Key,
    CaseId,
    ContentType,
    Size,
    Received,
    CreatedBy,
    CreatedAt,
    AttachmentId,
}

#[derive(DeriveIden, Clone, Copy)]
enum UploadParts {
    Table,
    UploadId,
    Offset,
    Data,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        m.alter_table(
            Table::alter()
                .table(Attachments::Table)
                .add_column(ColumnDef::new(Attachments::Phash).big_integer().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Attachments::Table)
                .add_column(
                    ColumnDef::new(Attachments::TakenAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Visits::Table)
                .add_column(ColumnDef::new(Visits::Review).string().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("visits_review")
                .table(Visits::Table)
                .col(Visits::Review)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(VisitPhotos::Table)
                .col(ColumnDef::new(VisitPhotos::CaseId).string().not_null())
                .col(ColumnDef::new(VisitPhotos::VisitNo).integer().not_null())
                .col(
                    ColumnDef::new(VisitPhotos::AttachmentId)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(VisitPhotos::Sha256).string().not_null())
                .primary_key(
                    Index::create()
                        .col(VisitPhotos::CaseId)
                        .col(VisitPhotos::VisitNo)
                        .col(VisitPhotos::AttachmentId),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("visit_photos_sha256")
                .table(VisitPhotos::Table)
                .col(VisitPhotos::Sha256)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PhotoBands::Table)
                .col(ColumnDef::new(PhotoBands::Band).integer().not_null())
                .col(ColumnDef::new(PhotoBands::CaseId).string().not_null())
                .col(ColumnDef::new(PhotoBands::VisitNo).integer().not_null())
                .col(ColumnDef::new(PhotoBands::AttachmentId).string().not_null())
                .col(ColumnDef::new(PhotoBands::Phash).big_integer().not_null())
                .primary_key(
                    Index::create()
                        .col(PhotoBands::Band)
                        .col(PhotoBands::CaseId)
                        .col(PhotoBands::VisitNo)
                        .col(PhotoBands::AttachmentId),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Uploads::Table)
                .col(
                    ColumnDef::new(Uploads::Id)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(Uploads::Key)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Uploads::CaseId).string().not_null())
                .col(ColumnDef::new(Uploads::ContentType).string().not_null())
                .col(ColumnDef::new(Uploads::Size).big_integer().not_null())
                .col(ColumnDef::new(Uploads::Received).big_integer().not_null())
                .col(ColumnDef::new(Uploads::CreatedBy).string().not_null())
                .col(
                    ColumnDef::new(Uploads::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(Uploads::AttachmentId).string().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UploadParts::Table)
                .col(ColumnDef::new(UploadParts::UploadId).string().not_null())
                .col(ColumnDef::new(UploadParts::Offset).big_integer().not_null())
                .col(ColumnDef::new(UploadParts::Data).blob().not_null())
                .primary_key(
                    Index::create()
                        .col(UploadParts::UploadId)
                        .col(UploadParts::Offset),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(UploadParts::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Uploads::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(PhotoBands::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(VisitPhotos::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(Visits::Table)
                .drop_column(Visits::Review)
                .to_owned(),
        )
        .await?;
        for col in [Attachments::TakenAt, Attachments::Phash] {
            m.alter_table(
                Table::alter()
                    .table(Attachments::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
