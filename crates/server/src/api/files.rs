//! A case's files (photos and scans): checked whole before they are kept,
//! and served so that a browser can only ever treat them as what they are.
//!
//! A file is kept only when all of it is what its type says: a photo must
//! decode as a picture of that format (`pantau_photo::read`), a PDF must
//! parse as a document with a page tree (`lopdf`, whose limits on
//! decompression and xref sizes hold against crafted files; it runs off the
//! async threads, and a panic in it refuses the file). Answers carry
//! `X-Content-Type-Options: nosniff`, a sandboxing CSP, `Cache-Control:
//! private, no-store` (nothing kept on a shared phone or proxy), and
//! `Content-Disposition`: `inline` for photos, `attachment` for the rest.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::WithRejection;
use chrono::Utc;
use pantau_domain::access::Permission;
use pantau_domain::{Label, Lang, format};
use pantau_photo::Format;
use serde::Serialize;
use utoipa::ToSchema;

use super::visible_case;
use crate::error::{ApiError, ErrorBody};
use crate::{App, Caller};

/// Photos and scans accepted, with the bytes each must start with.
const ACCEPTED: [(&str, &[u8]); 4] = [
    ("image/jpeg", b"\xFF\xD8\xFF"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/webp", b"RIFF"),
    ("application/pdf", b"%PDF-"),
];

/// The largest photo or scan, in bytes.
pub const MAX_FILE: usize = 10 * 1024 * 1024;

/// The accepted type `content_type` declares, with the bytes its files start with.
pub fn accepted_type(
    field: &str,
    content_type: &str,
    lang: Lang,
) -> Result<(&'static str, &'static [u8]), ApiError> {
    let declared = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ACCEPTED
        .iter()
        .find(|(t, _)| *t == declared)
        .copied()
        .ok_or_else(|| {
            let t = declared.escape_debug();
            let why = Label::new(
                format!("`{t}` tidak diterima; kirim JPEG, PNG, WebP atau PDF"),
                format!("`{t}` is not accepted: send JPEG, PNG, WebP or PDF"),
            );
            ApiError::invalid(field, why.get(lang))
        })
}

/// Checks that a file of `size` bytes may be stored.
pub fn check_size(field: &str, size: usize, lang: Lang) -> Result<(), ApiError> {
    if size == 0 || size > MAX_FILE {
        return Err(ApiError::invalid(field, size_reason(size, lang)));
    }
    Ok(())
}

/// Why a file of `size` bytes is refused, sizes as people read them
/// (`berkas 12,5 MB; paling besar 10 MB`).
pub fn size_reason(size: usize, lang: Lang) -> String {
    let (size, max) = (size as u64, MAX_FILE as u64);
    let (got, most) = (format::bytes(size, lang), format::bytes(max, lang));
    let why = if size == 0 {
        Label::new(
            format!("berkas kosong; paling besar {most}"),
            format!("the file is empty; at most {most}"),
        )
    } else {
        Label::new(
            format!("berkas {got}; paling besar {most}"),
            format!("the file is {got}; at most {most}"),
        )
    };
    why.get(lang).to_string()
}

/// A file found to be wholly what it claims: its type, its bytes, and what
/// a photo says about itself.
#[derive(Debug)]
pub struct Checked {
    pub ty: &'static str,
    pub data: Vec<u8>,
    pub print: pantau_photo::Print,
}

/// Checks a file's declared type against all of its bytes, and its size.
pub async fn check_file(
    content_type: &str,
    data: Vec<u8>,
    lang: Lang,
) -> Result<Checked, ApiError> {
    let (ty, magic) = accepted_type("Content-Type", content_type, lang)?;
    check_size("file", data.len(), lang)?;
    let not_it = || {
        let why = Label::new(
            format!("isi berkas bukan {ty} yang utuh"),
            format!("the file's content is not a whole {ty}"),
        );
        ApiError::invalid("file", why.get(lang))
    };
    if !data.starts_with(magic) {
        return Err(not_it());
    }
    let read = tokio::task::spawn_blocking(move || {
        let print = match ty {
            "image/jpeg" => pantau_photo::read(&data, Format::Jpeg),
            "image/png" => pantau_photo::read(&data, Format::Png),
            "image/webp" => pantau_photo::read(&data, Format::WebP),
            _ => is_pdf(&data).then(pantau_photo::Print::default),
        };
        print.map(|print| (data, print))
    })
    .await;
    match read {
        Ok(Some((data, print))) => Ok(Checked { ty, data, print }),
        // Not that type, or the reader gave up on it (a panic is caught here).
        _ => Err(not_it()),
    }
}

/// Whether `data` parses as a PDF document with a catalog naming its page
/// tree (the tree itself is not walked: a crafted one could loop).
fn is_pdf(data: &[u8]) -> bool {
    lopdf::Document::load_mem(data).is_ok_and(|doc| {
        doc.catalog()
            .is_ok_and(|c| c.get(b"Pages").is_ok_and(|p| p.as_reference().is_ok()))
    })
}

/// A kept file as an answer: its type, `nosniff`, a CSP that runs nothing,
/// kept by nobody, shown in the browser only when it is a picture.
pub fn file_response(content_type: &str, data: Vec<u8>, name: &str) -> Response {
    let shown = content_type.starts_with("image/");
    let name = name.replace(
        |c: char| !c.is_ascii_graphic() || c == '"' || c == '\\',
        "_",
    );
    let disposition = format!(
        "{}; filename=\"{name}\"",
        if shown { "inline" } else { "attachment" }
    );
    let mut r = data.into_response();
    let h = r.headers_mut();
    for (k, v) in [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, disposition.as_str()),
        (header::CACHE_CONTROL, "private, no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        ),
    ] {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k, v);
        }
    }
    r
}

/// The file name a kept file is served under.
fn file_name(id: &str, content_type: &str) -> String {
    let ext = match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "pdf",
    };
    format!("berkas-{id}.{ext}")
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Attachment {
    /// Put in a `photo` or `document` field of a transition.
    pub id: String,
    pub content_type: String,
    pub size: usize,
}

/// A file's bytes as the body of a request or an answer (OpenAPI only).
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

/// Stores a file for `case` after checking type, content and size.
pub async fn store_file(
    app: &App,
    caller: &Caller,
    case: &str,
    content_type: &str,
    data: Vec<u8>,
) -> Result<Attachment, ApiError> {
    caller.require(Permission::Act)?;
    let view = visible_case(app, caller, case).await?;
    let Checked { ty, data, print } = check_file(content_type, data, caller.lang).await?;
    let size = data.len();
    let zone = app.zone_of(view.row.region.as_deref().unwrap_or_default());
    let known = app
        .store
        .has_attachment(case, &data)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    // A file stored before keeps the facts read from it then.
    let print = if known {
        Default::default()
    } else {
        super::evidence::photo_print(print, zone)
    };
    let id = app
        .store
        .put_attachment(case, ty, data, print, &caller.login, Utc::now())
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    Ok(Attachment {
        id,
        content_type: ty.into(),
        size,
    })
}

/// Uploads a photo or a scan for a case (the body is the file). The same
/// file twice is stored once.
#[utoipa::path(post, path = "/api/cases/{id}/attachments", tag = "cases",
    params(("id" = String, Path, description = "Case id")),
    request_body(description = "JPEG, PNG, WebP or PDF, at most 10 MB", content(
        (FileBytes = "image/jpeg"), (FileBytes = "image/png"), (FileBytes = "image/webp"), (FileBytes = "application/pdf"))),
    responses((status = 201, body = Attachment), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, description = "Larger than the upload limit")))]
pub async fn upload_attachment(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Attachment>), ApiError> {
    let ty = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let a = store_file(&app, &caller, &id, ty, body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// A file of a case.
#[utoipa::path(get, path = "/api/cases/{id}/attachments/{attachment}", tag = "cases",
    params(("id" = String, Path, description = "Case id"), ("attachment" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "The file, of the type it was uploaded as", content(
            (FileBytes = "image/jpeg"), (FileBytes = "image/png"), (FileBytes = "image/webp"), (FileBytes = "application/pdf"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_attachment(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path((id, attachment)), _): WithRejection<Path<(String, String)>, ApiError>,
) -> Result<Response, ApiError> {
    visible_case(&app, &caller, &id).await?;
    let found = app
        .store
        .attachment(&attachment)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    match found {
        Some(a) if a.case_id == id => {
            let name = file_name(&a.id, &a.content_type);
            Ok(file_response(&a.content_type, a.data, &name))
        }
        _ => Err(ApiError::not_found("berkas", &attachment, caller.lang)),
    }
}
