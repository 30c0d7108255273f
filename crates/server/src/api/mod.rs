//! The JSON API. Each handler carries its OpenAPI description; the
//! document at `/api/openapi.json` is generated from them.

mod beneficiaries;
pub mod cases;
pub mod dashboard;
pub mod decrees;
pub mod evidence;
pub mod files;
pub mod imports;
pub mod location;
pub mod open;
mod programs;
mod regions;
pub mod reports;
pub mod sync;
mod tokens;
pub mod uploads;
pub mod visits;

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::App;
use crate::error::{ApiError, FieldIssue};

pub use cases::{ActionView, CaseDetail, EventView, case_detail, transition, visible_case};

/// The largest upload (a photo, a scanned decree, a CSV) in bytes.
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Pantau API",
        description = "Monitoring and evaluation (monev) of the aid programs of Indonesia's cooperative and UMKM offices. Sign in with POST /api/tokens, then send `Authorization: Bearer TOKEN` (a token lasts 30 days). Pantau's own pages call the API with their session cookie instead; such a request that changes something must come from those pages and carry the page's form token in `X-CSRF-Token`, else 403. Money is whole rupiah; times are UTC (RFC 3339).",
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every API route with its description.
pub fn router() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tokens::create_token, tokens::revoke_token))
        .routes(routes!(tokens::me))
        .routes(routes!(regions::list_regions))
        .routes(routes!(programs::list_programs))
        .routes(routes!(programs::get_program))
        .routes(routes!(decrees::list_decrees))
        .routes(routes!(decrees::get_decree))
        .routes(routes!(decrees::get_decree_scan))
        .routes(routes!(beneficiaries::list_beneficiaries))
        .routes(routes!(beneficiaries::get_beneficiary))
        .routes(routes!(location::post_confirm))
        .routes(routes!(cases::list_cases, open::open_case))
        .routes(routes!(cases::get_case))
        .routes(routes!(cases::post_transition))
        .routes(routes!(files::upload_attachment))
        .routes(routes!(files::get_attachment))
        .routes(routes!(uploads::start_upload))
        .routes(routes!(uploads::get_upload, uploads::put_part))
        .routes(routes!(visits::list_visits))
        .routes(routes!(sync::sync_visits))
        .routes(routes!(dashboard::get_dashboard))
        .routes(routes!(imports::import_beneficiaries))
        .routes(routes!(reports::get_report))
        .route("/api/openapi.json", axum::routing::get(openapi_json))
}

/// The OpenAPI document, built once.
pub fn openapi() -> &'static str {
    static SPEC: OnceLock<String> = OnceLock::new();
    SPEC.get_or_init(|| {
        let (_, doc) = router().split_for_parts();
        doc.to_pretty_json().unwrap_or_default()
    })
}

async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], openapi())
}

/// Paging of a list: `page` from 1, `per_page` from 1 to 200 (default 50).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl Paging {
    /// The page and its size, or each bad one named.
    pub fn parse(&self) -> Result<(u64, u64), ApiError> {
        let mut issues = vec![];
        let mut number = |field: &str, text: &Option<String>, default: u64, max: u64| -> u64 {
            match text.as_deref().map(str::trim) {
                None | Some("") => default,
                Some(t) => match t.parse::<u64>() {
                    Ok(n) if (1..=max).contains(&n) => n,
                    _ => {
                        issues.push(FieldIssue::new(
                            field,
                            format!("`{t}` bukan bilangan bulat 1 sampai {max} (not a whole number from 1 to {max})"),
                        ));
                        default
                    }
                },
            }
        };
        let page = number("page", &self.page, 1, 1_000_000);
        let per_page = number("per_page", &self.per_page, 50, 200);
        if issues.is_empty() {
            Ok((page, per_page))
        } else {
            Err(ApiError::Invalid(issues))
        }
    }
}

/// A page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Listing<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}
