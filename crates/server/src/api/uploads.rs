//! Resumable uploads: a large photo sent in parts over a weak connection.
//! `POST` starts one under a key of the sender's choosing (the same key
//! finds it again, with the bytes already in); each `PATCH` sends the part
//! at `Upload-Offset`; the last part makes the file whole, which is checked
//! (type, content, size) and stored as the case's attachment like a file
//! sent in one piece.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::WithRejection;
use chrono::Utc;
use pantau_domain::access::Permission;
use pantau_domain::{Label, format};
use pantau_store::cases::upload::{NewUpload, Part};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::files::{Attachment, FileBytes, accepted_type, check_size, store_file};
use super::visible_case;
use crate::error::{ApiError, ErrorBody, no_nul};
use crate::{App, Caller};

/// The largest part one request may carry.
pub const MAX_PART: usize = 1024 * 1024;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUploadRequest {
    /// The sender's key for this file (e.g. the form's key and the field): the same key resumes the same upload.
    pub key: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `application/pdf`.
    pub content_type: String,
    /// The whole file's size in bytes, at most 10 MB.
    pub size: i64,
}

/// Where an upload stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadStatus {
    pub id: String,
    /// Bytes received so far: the next part starts here.
    pub offset: i64,
    pub size: i64,
    /// The stored file, once whole and checked.
    pub attachment: Option<Attachment>,
}

fn status(u: &pantau_store::model::Upload) -> UploadStatus {
    UploadStatus {
        id: u.id.clone(),
        offset: u.received,
        size: u.size,
        attachment: u.attachment_id.as_ref().map(|id| Attachment {
            id: id.clone(),
            content_type: u.content_type.clone(),
            size: usize::try_from(u.size).unwrap_or_default(),
        }),
    }
}

/// Starts an upload in parts, or finds the one started under the same key.
#[utoipa::path(post, path = "/api/cases/{id}/uploads", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    request_body = NewUploadRequest,
    responses((status = 201, body = UploadStatus, description = "Started, or found again by its key: send from `offset` on"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The key belongs to another case")))]
pub async fn start_upload(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
    WithRejection(Json(req), _): WithRejection<Json<NewUploadRequest>, ApiError>,
) -> Result<(StatusCode, Json<UploadStatus>), ApiError> {
    caller.require(Permission::Act)?;
    visible_case(&app, &caller, &id).await?;
    let key = req.key.trim();
    if key.is_empty() || key.len() > 200 {
        let why = Label::new("1 sampai 200 karakter", "1 to 200 characters");
        return Err(ApiError::invalid("key", why.get(caller.lang)));
    }
    no_nul("key", key)?;
    let (ty, _) = accepted_type("content_type", &req.content_type, caller.lang)?;
    check_size("size", usize::try_from(req.size).unwrap_or(0), caller.lang)?;
    let u = app
        .store
        .start_upload(&NewUpload {
            key,
            case_id: &id,
            content_type: ty,
            size: req.size,
            by: &caller.login,
            now: Utc::now(),
        })
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    Ok((StatusCode::CREATED, Json(status(&u))))
}

/// Where an upload stands: send the next part from `offset`.
#[utoipa::path(get, path = "/api/cases/{id}/uploads/{upload}", tag = "cases",
    params(("id" = String, Path, description = "Case id"), ("upload" = String, Path, description = "Upload id")),
    responses((status = 200, body = UploadStatus), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_upload(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path((id, upload)), _): WithRejection<Path<(String, String)>, ApiError>,
) -> Result<Json<UploadStatus>, ApiError> {
    let u = find(&app, &caller, &id, &upload).await?;
    Ok(Json(status(&u)))
}

async fn find(
    app: &App,
    caller: &Caller,
    case: &str,
    upload: &str,
) -> Result<pantau_store::model::Upload, ApiError> {
    visible_case(app, caller, case).await?;
    app.store
        .upload(upload)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?
        .filter(|u| u.case_id == case)
        .ok_or_else(|| ApiError::not_found("unggahan", upload, caller.lang))
}

/// Sends the part of the file that starts at `Upload-Offset`. The last
/// part stores the file (201 with its attachment); a part that does not
/// start where the upload stands gets 409 with the offset to send from.
#[utoipa::path(patch, path = "/api/cases/{id}/uploads/{upload}", tag = "cases",
    params(("id" = String, Path, description = "Case id"), ("upload" = String, Path, description = "Upload id"),
        ("Upload-Offset" = i64, Header, description = "Where this part starts in the file")),
    request_body(description = "At most 1 MB of the file", content((FileBytes = "application/octet-stream"))),
    responses((status = 200, body = UploadStatus, description = "Part stored"),
        (status = 201, body = UploadStatus, description = "The file is whole, checked and stored"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = UploadStatus, description = "The part starts elsewhere: send from `offset`"),
        (status = 413, description = "Larger than the upload limit")))]
pub async fn put_part(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path((id, upload)), _): WithRejection<Path<(String, String)>, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<UploadStatus>), ApiError> {
    caller.require(Permission::Act)?;
    let u = find(&app, &caller, &id, &upload).await?;
    let offset = headers
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|o| *o >= 0)
        .ok_or_else(|| {
            let why = Label::new(
                "tulis posisi awal bagian ini dalam byte",
                "write where this part starts, in bytes",
            );
            ApiError::invalid("Upload-Offset", why.get(caller.lang))
        })?;
    if body.is_empty() || body.len() > MAX_PART {
        let got = format::bytes(body.len() as u64, caller.lang);
        let why = Label::new(
            format!("bagian {got}; harus 1 byte sampai 1 MB"),
            format!("a part of {got}; a part must be 1 byte to 1 MB"),
        );
        return Err(ApiError::invalid("part", why.get(caller.lang)));
    }
    let err = |e| ApiError::from_store(e, caller.lang);
    let part = app
        .store
        .put_part(&upload, offset, &body)
        .await
        .map_err(err)?;
    let mut now = status(&u);
    match part {
        Part::Taken { received } => {
            now.offset = received;
            Ok((StatusCode::OK, Json(now)))
        }
        Part::Mismatch { received } => {
            now.offset = received;
            Ok((StatusCode::CONFLICT, Json(now)))
        }
        Part::TooLong { size } => {
            let size = format::bytes(u64::try_from(size).unwrap_or(0), caller.lang);
            let why = Label::new(
                format!("bagian melewati ukuran berkas {size}"),
                format!("the part runs past the file's {size}"),
            );
            Err(ApiError::invalid("part", why.get(caller.lang)))
        }
        Part::Done { .. } => {
            let done = app.store.upload(&upload).await.map_err(err)?;
            Ok((StatusCode::OK, Json(done.as_ref().map_or(now, status))))
        }
        Part::Whole { data } => match store_file(&app, &caller, &id, &u.content_type, data).await {
            Ok(a) => {
                app.store
                    .end_upload(&upload, Some(&a.id))
                    .await
                    .map_err(err)?;
                now.offset = u.size;
                now.attachment = Some(a);
                Ok((StatusCode::CREATED, Json(now)))
            }
            Err(refused) => {
                app.store.end_upload(&upload, None).await.map_err(err)?;
                Err(refused)
            }
        },
    }
}
