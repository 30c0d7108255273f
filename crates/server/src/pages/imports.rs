//! `/impor`: import a beneficiary CSV and see every refused row with its
//! line, column and reason (the same import as `pantau import` and the API).

use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;

use super::guard;
use super::view::Viewer;
use crate::App;
use crate::api::imports::{self, ImportReport};
use crate::error::ApiError;

#[derive(Serialize, Default)]
struct ImportPage {
    report: Option<ImportReport>,
    file: String,
}

pub async fn form(v: Viewer) -> Response {
    if let Err(e) = v.caller.require(pantau_domain::access::Permission::Import) {
        return v.fail(e);
    }
    v.render(
        StatusCode::OK,
        "impor",
        &v.text("impor.judul"),
        ImportPage::default(),
    )
}

/// The CSV file and the form token of a sent form.
async fn read(mut m: Multipart) -> Result<(Option<String>, String, Vec<u8>), ApiError> {
    let bad =
        |e: axum::extract::multipart::MultipartError| ApiError::invalid("form", e.body_text());
    let (mut csrf, mut name, mut data) = (None, String::new(), Vec::new());
    while let Some(part) = m.next_field().await.map_err(bad)? {
        match part.name().unwrap_or_default() {
            "_csrf" => csrf = Some(part.text().await.map_err(bad)?),
            "file" => {
                name = part.file_name().unwrap_or_default().to_string();
                data = part.bytes().await.map_err(bad)?.to_vec();
            }
            _ => {}
        }
    }
    Ok((csrf, name, data))
}

pub async fn upload(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let sent = match form {
        Ok(m) => read(m).await,
        Err(e) => Err(ApiError::invalid("form", e.body_text())),
    };
    let csrf = sent.as_ref().ok().and_then(|(c, ..)| c.as_deref());
    if let Err(e) = guard::form(&v.look, &headers, v.caller.csrf.as_deref(), csrf) {
        return v.fail(e);
    }
    let (file, data) = match sent {
        Ok((_, name, data)) if !data.is_empty() => (name, data),
        Ok(_) => return v.fail(ApiError::invalid("file", v.text("impor.tanpa_berkas"))),
        Err(e) => return v.fail(e),
    };
    match imports::import(&app, &v.caller, &data).await {
        Ok(report) => v.render(
            StatusCode::OK,
            "impor",
            &v.text("impor.judul"),
            ImportPage {
                report: Some(report),
                file,
            },
        ),
        Err(e) => v.fail(e),
    }
}
