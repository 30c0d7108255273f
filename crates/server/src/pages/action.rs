//! The actions of a case page as forms, and `POST /kasus/{id}/aksi`.
//!
//! Each form carries an idempotency key made when it was rendered, so the
//! same form sent twice (a retry over a weak connection, a double tap) has
//! one effect. Files are stored first ([`api::files::store_file`]: type and
//! size checked) and their ids go into their fields; then the transition
//! ([`api::cases::transition`]). A refusal shows the case page again with
//! each reason beside its field and what was typed still there.

use std::collections::BTreeMap;

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use pantau_workflow::Definition;
use serde::Serialize;

use super::cases::{self, is_attachment};
use super::guard;
use super::view::Viewer;
use crate::App;
use crate::api::cases::{CaseDetail, FieldView, TransitionRequest, transition_with};
use crate::api::files::store_file;
use crate::error::{ApiError, FieldIssue};
use pantau_store::Target;

/// A form that was sent and refused, to show again.
#[derive(Debug, Default)]
pub struct Attempt {
    pub action: String,
    pub key: String,
    /// What was typed (and the ids of stored files), by field id.
    pub values: BTreeMap<String, String>,
    /// Why, by field id.
    pub errors: BTreeMap<String, String>,
    pub message: Option<String>,
}

#[derive(Serialize)]
pub struct ActionForm {
    id: String,
    label: String,
    to: String,
    open: bool,
    key: String,
    seq: i64,
    /// Completes a monev visit (its checklist follows the action's fields).
    visit: bool,
    inputs: Vec<Input>,
    checklist: Option<Checklist>,
    messages: Vec<String>,
    /// For an action that pays a tranche: which one and how much.
    pays: Option<String>,
    /// For an action that moves money or closes the case: what it will do,
    /// which the user ticks to confirm before it is sent.
    confirm: Option<String>,
}

#[derive(Serialize)]
struct Checklist {
    label: String,
    inputs: Vec<Input>,
}

/// One field of a form.
#[derive(Serialize)]
pub(super) struct Input {
    id: String,
    dom: String,
    kind: String,
    label: String,
    required: bool,
    /// A text answer on one line.
    one_line: bool,
    value: String,
    error: Option<String>,
    options: Vec<Opt>,
    /// A file already stored for this field (a refused form keeps it).
    stored: Option<String>,
}

#[derive(Serialize)]
struct Opt {
    value: String,
    label: String,
    selected: bool,
}

/// The forms of the actions `d` offers the reader now.
pub fn forms(
    v: &Viewer,
    def: &Definition,
    d: &CaseDetail,
    open: Option<&str>,
    attempt: Option<&Attempt>,
) -> Vec<ActionForm> {
    let today = chrono::Utc::now()
        .with_timezone(&v.caller.zone.offset())
        .format("%Y-%m-%d")
        .to_string();
    d.actions
        .iter()
        .map(|a| {
            let mine = attempt.filter(|t| t.action == a.id);
            let own = def.action(&a.id).map_or(0, |x| x.fields.len());
            let visit = def.action(&a.id).is_some_and(|x| x.completes_visit);
            let dated = visit.then_some(today.as_str());
            let mut inputs = inputs(&a.id, &a.fields, mine, Some(&d.summary.id), dated);
            let questions = inputs.split_off(own.min(inputs.len()));
            let checklist = def
                .action(&a.id)
                .and_then(|x| x.checklist.as_deref())
                .and_then(|c| def.checklist(c))
                .map(|c| Checklist {
                    label: c.label.get(v.caller.lang).to_string(),
                    inputs: questions,
                });
            let mut messages: Vec<String> =
                mine.and_then(|t| t.message.clone()).into_iter().collect();
            // A reason for a field the form does not show still needs saying.
            if let Some(t) = mine {
                messages.extend(
                    t.errors
                        .iter()
                        .filter(|(f, _)| !a.fields.iter().any(|x| x.id == **f))
                        .map(|(f, why)| format!("{f}: {why}")),
                );
            }
            let to = def
                .state(&a.to)
                .map_or_else(|| a.to.clone(), |s| s.label.get(v.caller.lang).into());
            let pays = a.tranche.as_ref().map(|t| {
                v.text("temukan.tahap_dibayar")
                    .replace("{no}", &t.no.to_string())
                    .replace("{jumlah}", &super::format::rupiah(t.amount))
            });
            let confirm = a.weighty.then(|| {
                let what = v
                    .text("temukan.akibat")
                    .replace("{aksi}", &a.label)
                    .replace("{tahap}", &to);
                pays.as_ref()
                    .map_or(what.clone(), |p| format!("{p} {what}"))
            });
            ActionForm {
                pays,
                confirm,
                open: mine.is_some() || open == Some(a.id.as_str()),
                key: mine.map_or_else(|| uuid::Uuid::new_v4().to_string(), |t| t.key.clone()),
                seq: d.summary.seq,
                visit,
                to,
                id: a.id.clone(),
                label: a.label.clone(),
                inputs,
                checklist,
                messages,
            }
        })
        .collect()
}

/// The fields of action `action` as inputs, with what `mine` (a refused
/// form of that action) held; a stored file links to case `case`'s copy.
pub(super) fn inputs(
    action: &str,
    fields: &[FieldView],
    mine: Option<&Attempt>,
    case: Option<&str>,
    today: Option<&str>,
) -> Vec<Input> {
    fields
        .iter()
        .map(|f| {
            let value = match (mine, today) {
                (Some(t), _) => t.values.get(&f.id).cloned().unwrap_or_default(),
                // A visit is dated today, in the reader's zone, unless changed.
                (None, Some(today)) if f.kind == "date" => today.to_string(),
                (None, _) => String::new(),
            };
            let stored = matches!(f.kind.as_str(), "photo" | "document") && is_attachment(&value);
            Input {
                dom: format!("{action}-{}", f.id),
                id: f.id.clone(),
                kind: f.kind.clone(),
                label: f.label.clone(),
                required: f.required,
                one_line: f.one_line,
                error: mine.and_then(|t| t.errors.get(&f.id).cloned()),
                options: f
                    .options
                    .iter()
                    .map(|o| Opt {
                        value: o.clone(),
                        label: o.clone(),
                        selected: *o == value,
                    })
                    .chain(f.users.iter().map(|u| Opt {
                        value: u.login.clone(),
                        label: format!("{} ({})", u.name, u.login),
                        selected: u.login == value,
                    }))
                    .collect(),
                stored: case
                    .filter(|_| stored)
                    .map(|c| format!("/api/cases/{c}/attachments/{value}")),
                value,
            }
        })
        .collect()
}

/// A form as sent: its text fields, and its files (field id, type, bytes).
#[derive(Default)]
pub(super) struct Sent {
    pub text: BTreeMap<String, String>,
    pub files: Vec<(String, String, Vec<u8>)>,
}

async fn read(mut m: Multipart) -> Result<Sent, ApiError> {
    let bad =
        |e: axum::extract::multipart::MultipartError| ApiError::invalid("form", e.body_text());
    let mut sent = Sent::default();
    while let Some(part) = m.next_field().await.map_err(bad)? {
        let name = part.name().unwrap_or_default().to_string();
        if let Some(id) = name.strip_prefix("file.") {
            let id = id.to_string();
            let chosen = part.file_name().is_some_and(|n| !n.is_empty());
            let ty = part
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let data = part.bytes().await.map_err(bad)?;
            if chosen && !data.is_empty() {
                sent.files.push((id, ty, data.to_vec()));
            }
        } else {
            let text = part.text().await.map_err(bad)?;
            sent.text.insert(name, text);
        }
    }
    Ok(sent)
}

/// Whether `action` on case `id` moves money or closes it, so its form
/// must come back confirmed (the `_yakin` box ticked). For a form that goes
/// back without a transition; one that goes on is checked in its transaction.
async fn weighty(app: &App, v: &Viewer, id: &str, action: &str) -> bool {
    let Ok(view) = crate::api::cases::visible_case(app, &v.caller, id).await else {
        return false;
    };
    let case = &view.case;
    app.catalog
        .get(&case.workflow, case.workflow_version)
        .and_then(|def| Some((def.action(action)?, def)))
        .is_some_and(|(a, def)| pantau_workflow::engine::weighty(def, a, &case.state))
}

/// Takes an action from a case page's form.
pub async fn take(
    State(app): State<App>,
    v: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let v = Viewer {
        look: v.look.clone().at(format!("/kasus/{id}")),
        ..v
    };
    match checked(&v, &headers, form).await {
        Ok(sent) => submit(&app, &v, &id, sent, None).await,
        Err(e) => v.fail(e),
    }
}

/// A multipart form read whole, its form token checked before anything
/// it carries is stored.
pub(super) async fn checked(
    v: &Viewer,
    headers: &HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Result<Sent, ApiError> {
    let sent = match form {
        Ok(m) => read(m).await,
        Err(e) => Err(ApiError::invalid("form", e.body_text())),
    };
    let csrf = sent.as_ref().ok().and_then(|s| s.text.get("_csrf"));
    guard::form(
        &v.look,
        headers,
        v.caller.csrf.as_deref(),
        csrf.map(String::as_str),
    )?;
    sent
}

/// Takes the action `sent` names (`_action`, under its key `_key`) on case
/// `id`: its files stored first, then the transition; back to the case page,
/// or the case page with the form again, each reason beside its field. With
/// `keep`, the files are stored and the form shown again with that message,
/// what was typed still there, and the action is not taken.
pub(super) async fn submit(
    app: &App,
    v: &Viewer,
    id: &str,
    sent: Sent,
    keep: Option<String>,
) -> Response {
    let hidden = |k: &str| sent.text.get(k).cloned().unwrap_or_default();
    let mut attempt = Attempt {
        action: hidden("_action"),
        key: hidden("_key"),
        values: sent
            .text
            .iter()
            .filter_map(|(k, val)| Some((k.strip_prefix("f.")?.to_string(), val.clone())))
            .filter(|(_, val)| !val.trim().is_empty())
            .collect(),
        ..Attempt::default()
    };
    for (field, ty, data) in sent.files {
        match store_file(app, &v.caller, id, &ty, data).await {
            Ok(a) => {
                attempt.values.insert(field, a.id);
            }
            Err(ApiError::Invalid(issues)) => {
                attempt.errors.insert(field, reasons(&issues));
            }
            Err(e) => return v.fail(e),
        }
    }
    let unconfirmed = hidden("_yakin") != "ya";
    let not_sure = v.text("temukan.belum_yakin");
    // A form that goes back anyway says too whether the box must be
    // ticked; one that goes on has it checked in the transition's own
    // transaction, on the case row it reads.
    let goes_back = !attempt.errors.is_empty() || keep.is_some();
    if goes_back && unconfirmed && weighty(app, v, id, &attempt.action).await {
        attempt.errors.insert("_yakin".into(), not_sure.clone());
    }
    if !attempt.errors.is_empty() {
        return refused(app, v, id, attempt, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if let Some(message) = keep {
        attempt.message = Some(message);
        return refused(app, v, id, attempt, StatusCode::OK).await;
    }
    let req = TransitionRequest {
        action: attempt.action.clone(),
        inputs: attempt.values.clone(),
        expected_seq: hidden("_seq").parse().ok(),
        observed_at: observed(&hidden("_observed_at")),
    };
    let action = attempt.action.clone();
    let confirmed = |t: &Target<'_>| {
        let def = t.definition;
        let weighty = def
            .action(&action)
            .is_some_and(|a| pantau_workflow::engine::weighty(def, a, t.state));
        match unconfirmed && weighty {
            true => Err(ApiError::invalid("_yakin", not_sure.clone())),
            false => Ok(()),
        }
    };
    match transition_with(app, &v.caller, id, &attempt.key, req, &confirmed).await {
        // The case page says what was recorded (its `tercatat`).
        Ok(r) => v
            .look
            .redirect(&format!("/kasus/{id}?tercatat={}", r.event.seq)),
        Err(ApiError::Refused {
            message, fields, ..
        }) => {
            attempt.errors = by_field(&fields);
            // Reasons beside their fields need only a pointer to them on top.
            attempt.message = Some(if fields.is_empty() {
                message
            } else {
                v.text("aksi.periksa")
            });
            refused(app, v, id, attempt, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ApiError::Invalid(fields)) => {
            attempt.errors = by_field(&fields);
            refused(app, v, id, attempt, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ApiError::Conflict { message, .. }) => {
            attempt.message = Some(message);
            refused(app, v, id, attempt, StatusCode::CONFLICT).await
        }
        Err(e) => v.fail(e),
    }
}

/// The time the phone saved a form (`_observed_at`, RFC 3339); a missing or
/// unreadable one means the form was sent when it was filled.
fn observed(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

fn reasons(issues: &[FieldIssue]) -> String {
    issues
        .iter()
        .map(|i| i.reason.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn by_field(issues: &[FieldIssue]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for i in issues {
        // Beside the field, its name need not be repeated.
        let reason = i
            .reason
            .strip_prefix(&format!("{}: ", i.field))
            .unwrap_or(&i.reason);
        out.entry(i.field.clone())
            .and_modify(|r| {
                r.push_str("; ");
                r.push_str(reason);
            })
            .or_insert_with(|| reason.to_string());
    }
    out
}

async fn refused(
    app: &App,
    v: &Viewer,
    id: &str,
    attempt: Attempt,
    status: StatusCode,
) -> Response {
    cases::show(app, v, id, None, Some(&attempt), status).await
}

#[derive(serde::Deserialize)]
pub struct Token {
    _csrf: String,
}

/// `POST /kasus/{id}/lokasi`: a verifier confirms the location the case's
/// visit registered for its beneficiary; back to the case page.
pub async fn confirm_location(
    State(app): State<App>,
    v: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    form: Result<axum::extract::Form<Token>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(axum::extract::Form(t)) = form else {
        return v.fail(ApiError::invalid("form", v.text("galat.csrf")));
    };
    if let Err(e) = guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&t._csrf))
        .and_then(|()| {
            v.caller
                .require(pantau_domain::access::Permission::ConfirmLocation)
        })
    {
        return v.fail(e);
    }
    let view = match crate::api::cases::visible_case(&app, &v.caller, &id).await {
        Ok(view) => view,
        Err(e) => return v.fail(e),
    };
    let Some(b) = view.row.beneficiary_id else {
        return v.fail(ApiError::not_found("penerima", &id, v.caller.lang));
    };
    match crate::api::location::confirm(&app, &v.caller, &b).await {
        Ok(_) => v.look.redirect(&format!("/kasus/{id}#riwayat")),
        Err(e) => v.fail(e),
    }
}
