//! Every answer that is not a success, as JSON naming what was wrong.
//! No input makes the server answer 500: that status is for the database
//! going away, never for what a client sent.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pantau_domain::Lang;
use pantau_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// One bad input: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldIssue {
    pub field: String,
    pub reason: String,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldIssue {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code: `unauthenticated`, `forbidden`, `not_found`,
    /// `invalid_input`, `refused`, `conflict`, `too_many_attempts`,
    /// `unavailable`, `internal`.
    pub error: String,
    /// The reason, in the caller's language.
    pub message: String,
    /// Each bad field and why (for `invalid_input` and refused inputs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldIssue>,
    /// The engine's refusal code, for `refused`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// The case's current state and event number, for `conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum ApiError {
    Unauthenticated(String),
    Forbidden(String),
    NotFound(String),
    Invalid(Vec<FieldIssue>),
    Refused {
        code: String,
        message: String,
        fields: Vec<FieldIssue>,
    },
    Conflict {
        message: String,
        state: Option<String>,
        seq: Option<i64>,
    },
    TooManyAttempts {
        retry_after_secs: i64,
    },
    /// A part the server needs is missing (Chromium for a PDF): 503.
    Unavailable(String),
    Internal(String),
    /// Something failed after the command was committed: the change stands,
    /// only the answer could not be made.
    Committed(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// `e` as it reads after a command was committed: an internal failure
    /// then says that the change stands.
    pub fn after_commit(e: ApiError) -> ApiError {
        match e {
            ApiError::Internal(why) => ApiError::Committed(why),
            other => other,
        }
    }

    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ApiError {
        ApiError::Invalid(vec![FieldIssue::new(field, reason)])
    }

    pub fn not_found(what: &str, id: &str, lang: Lang) -> ApiError {
        ApiError::NotFound(match lang {
            Lang::Id => format!("{what} `{id}` tidak ditemukan"),
            Lang::En => format!("{what} `{id}` not found"),
        })
    }

    /// A store error in the caller's language.
    pub fn from_store(e: StoreError, lang: Lang) -> ApiError {
        match e {
            StoreError::Refused(r) => {
                let fields = match &r {
                    pantau_workflow::Refusal::Fields { errors } => errors
                        .iter()
                        .map(|f| FieldIssue::new(&f.field, f.message(lang)))
                        .collect(),
                    _ => vec![],
                };
                ApiError::Refused {
                    code: r.code().to_string(),
                    message: r.message(lang),
                    fields,
                }
            }
            StoreError::Conflict { state, seq, .. } => ApiError::Conflict {
                message: e_conflict(lang),
                state: Some(state),
                seq: Some(seq),
            },
            e @ StoreError::KeyReused { .. } => ApiError::Conflict {
                message: e.to_string(),
                state: None,
                seq: None,
            },
            StoreError::NotFound(id) => ApiError::not_found("kasus", &id, lang),
            // Which decree holds the number may be another region's business: not said.
            StoreError::DecreeNumberTaken { number, .. } => ApiError::invalid(
                "number",
                match lang {
                    Lang::Id => {
                        format!("nomor SK {number} sudah dipakai; beri SK ini nomornya sendiri")
                    }
                    Lang::En => format!(
                        "decree number {number} is already used; give this decree its own number"
                    ),
                },
            ),
            StoreError::InPaymentBatch { tranche, batch, .. } => ApiError::Refused {
                code: "in_payment_batch".into(),
                message: match lang {
                    Lang::Id => format!(
                        "tahap {tranche} ada di batch pembayaran {batch} dan menunggu bank; hasil dari bank yang mencatatnya"
                    ),
                    Lang::En => format!(
                        "tranche {tranche} is in payment batch {batch}, awaiting the bank; the bank's result records it"
                    ),
                },
                fields: vec![],
            },
            other => ApiError::Internal(other.to_string()),
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Invalid(_) => StatusCode::BAD_REQUEST,
            ApiError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) | ApiError::Committed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let plain = |error: &str, message: &str| ErrorBody {
            error: error.into(),
            message: message.into(),
            fields: vec![],
            refusal: None,
            state: None,
            seq: None,
        };
        match self {
            ApiError::Unauthenticated(m) => plain("unauthenticated", m),
            ApiError::Forbidden(m) => plain("forbidden", m),
            ApiError::NotFound(m) => plain("not_found", m),
            ApiError::Invalid(fields) => ErrorBody {
                fields: fields.clone(),
                ..plain(
                    "invalid_input",
                    &fields
                        .iter()
                        .map(|f| format!("{}: {}", f.field, f.reason))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            },
            ApiError::Refused {
                code,
                message,
                fields,
            } => ErrorBody {
                fields: fields.clone(),
                refusal: Some(code.clone()),
                ..plain("refused", message)
            },
            ApiError::Conflict {
                message,
                state,
                seq,
            } => ErrorBody {
                state: state.clone(),
                seq: *seq,
                ..plain("conflict", message)
            },
            ApiError::TooManyAttempts { retry_after_secs } => plain(
                "too_many_attempts",
                &format!(
                    "terlalu banyak percobaan masuk yang gagal; coba lagi dalam {} menit (too many failed sign-ins)",
                    (retry_after_secs + 59) / 60
                ),
            ),
            ApiError::Unavailable(m) => plain("unavailable", m),
            ApiError::Committed(_) => plain(
                "internal_after_commit",
                "tindakan Anda sudah tersimpan, tetapi jawabannya tidak dapat dibuat; muat ulang untuk melihatnya \
                 (your action was saved, but the answer could not be made; reload to see it)",
            ),
            ApiError::Internal(_) => plain(
                "internal",
                "kesalahan server; data Anda tidak berubah (server error; nothing was changed)",
            ),
        }
    }
}

fn e_conflict(lang: Lang) -> String {
    match lang {
        Lang::Id => "kasus sudah berubah sejak Anda membukanya; muat ulang dan coba lagi".into(),
        Lang::En => "the case changed since you opened it; reload and try again".into(),
    }
}

impl ApiError {
    /// Logs this answer on the request's line: a refused command with its
    /// code, bad input by field names (never the values sent), a failure
    /// with its cause.
    pub fn log(&self) {
        let names = |fields: &[FieldIssue]| {
            fields
                .iter()
                .map(|f| f.field.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        match self {
            ApiError::Internal(e) => tracing::error!("internal error: {e}"),
            ApiError::Committed(e) => {
                tracing::error!("internal error after the command was committed: {e}")
            }
            ApiError::Refused { code, fields, .. } => {
                crate::measure::refusal(code);
                tracing::info!(refusal = %code, fields = %names(fields), "command refused")
            }
            ApiError::Conflict { state, seq, .. } => {
                tracing::info!(state = ?state, seq = ?seq, "command refused: the case moved on")
            }
            ApiError::Invalid(fields) => {
                tracing::info!(fields = %names(fields), "input refused")
            }
            ApiError::Forbidden(m) => tracing::info!("forbidden: {m}"),
            ApiError::Unavailable(m) => tracing::warn!("unavailable: {m}"),
            ApiError::Unauthenticated(_)
            | ApiError::NotFound(_)
            | ApiError::TooManyAttempts { .. } => {}
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        if let ApiError::TooManyAttempts { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// Refuses `text` holding a NUL character, naming `field`: no stored text
/// holds one, and PostgreSQL refuses it in a query's text (a 500 otherwise).
pub fn no_nul(field: &str, text: &str) -> Result<(), ApiError> {
    if text.contains('\0') {
        Err(ApiError::invalid(field, NUL_REASON))
    } else {
        Ok(())
    }
}

pub const NUL_REASON: &str = "berisi karakter NUL (contains a NUL character)";

/// The layer in front of every route, API and pages alike: refuses a path
/// or query holding a NUL (`%00`, the only way to send one in a URL) with
/// 400 before any handler reads it, as no record's id or filter holds one
/// and PostgreSQL refuses it in text (a 500 otherwise). The API answers in
/// JSON, a page with the error page.
pub async fn refuse_nul(
    axum::extract::State(app): axum::extract::State<crate::App>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let nul = |text: Option<&str>| {
        text.is_some_and(|t| {
            t.as_bytes()
                .windows(3)
                .any(|w| w.eq_ignore_ascii_case(b"%00"))
        })
    };
    let uri = request.uri();
    let field = if nul(Some(uri.path())) {
        "path"
    } else if nul(uri.query()) {
        "query"
    } else {
        return next.run(request).await;
    };
    let e = ApiError::invalid(field, NUL_REASON);
    if uri.path().starts_with("/api/") {
        return e.into_response();
    }
    let (parts, _) = request.into_parts();
    crate::pages::refused(&app, &parts, e)
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        ApiError::invalid("body", r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::invalid("query", r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::invalid("path", r.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_after_the_commit_says_the_change_stands() {
        let before = ApiError::Internal("db gone".into()).body().message;
        assert!(before.contains("tidak berubah"), "{before}");
        let after = ApiError::after_commit(ApiError::Internal("db gone".into()));
        let said = after.body().message;
        assert!(
            said.contains("sudah tersimpan") && !said.contains("tidak berubah"),
            "{said}"
        );
        assert_eq!(after.status(), StatusCode::INTERNAL_SERVER_ERROR);
        // Other answers keep what they say.
        assert!(matches!(
            ApiError::after_commit(ApiError::NotFound("x".into())),
            ApiError::NotFound(_)
        ));
    }
}
