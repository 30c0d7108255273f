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

pub async fn upload(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let sent = guard::file_form(form).await;
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
