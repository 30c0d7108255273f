//! `POST /usulan/baru`: opens the case (once per form key, as the API's
//! `POST /api/cases` does with its `Idempotency-Key`), then either leaves
//! it a draft or takes the proposal action with the fields sent, as a case
//! page's form does ([`action::submit`]): refused, the case page shows the
//! form again with every field as typed and each reason beside its field.

use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::HeaderMap;
use axum::response::Response;

use super::super::action;
use super::super::view::Viewer;
use super::may_open;
use crate::App;
use crate::api::cases::visible_case;
use crate::api::open::{NewCase, open};
use crate::error::ApiError;

/// The button that saves a draft (`_go`); any other takes the proposal action.
const DRAFT: &str = "draf";

pub async fn create(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let v = Viewer {
        look: v.look.clone().at("/usulan/baru".into()),
        ..v
    };
    let mut sent = match action::checked(&v, &headers, form).await {
        Ok(sent) if may_open(&app, &v.caller) => sent,
        Ok(_) => return v.fail(ApiError::Forbidden(v.text("usulan.tidak_boleh"))),
        Err(e) => return v.fail(e),
    };
    let hidden = |k: &str| sent.text.get(k).cloned().unwrap_or_default();
    let key = hidden("_key");
    let req = NewCase {
        program_id: hidden("program"),
        region: hidden("wilayah"),
        beneficiary_id: Some(hidden("penerima")).filter(|b| !b.is_empty()),
    };
    let draft = hidden("_go") == DRAFT;
    let id = match open(&app, &v.caller, &key, req).await {
        Ok((_, id)) => id,
        Err(e) => return v.fail(e),
    };
    let proposal = match proposal_of(&app, &v, &id).await {
        Ok(p) => p,
        Err(e) => return v.fail(e),
    };
    let v = Viewer {
        look: v.look.clone().at(format!("/kasus/{id}")),
        ..v
    };
    let typed = !sent.files.is_empty()
        || sent
            .text
            .iter()
            .any(|(k, val)| k.starts_with("f.") && !val.trim().is_empty());
    if draft && !typed {
        return v.look.redirect(&format!("/kasus/{id}"));
    }
    // The proposal under a key of its own, made from the form's: the same
    // form sent again opens one case and proposes it once.
    sent.text.insert("_action".into(), proposal);
    sent.text.insert("_key".into(), format!("{key}.ajukan"));
    sent.text.remove("_seq");
    let keep = draft.then(|| v.text("usulan.draf_tersimpan"));
    action::submit(&app, &v, &id, sent, keep).await
}

/// The proposal action of case `id`'s workflow.
async fn proposal_of(app: &App, v: &Viewer, id: &str) -> Result<String, ApiError> {
    let view = visible_case(app, &v.caller, id).await?;
    let version = u32::try_from(view.row.workflow_version).unwrap_or(0);
    app.catalog
        .get(&view.row.workflow, version)
        .map(|d| d.stages.proposal.clone())
        .ok_or_else(|| ApiError::Internal(format!("workflow {} not loaded", view.row.workflow)))
}
