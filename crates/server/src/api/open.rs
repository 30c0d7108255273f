//! Opening a case: a proposal of a beneficiary (or a region) to a program.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::WithRejection;
use chrono::Utc;
use pantau_domain::access::Permission;
use pantau_domain::{Lang, RegionCode};
use pantau_store::{Opening, Outcome};
use pantau_workflow::{Beneficiary, Context};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::{CaseDetail, case_detail, checked_key, idempotency_key};
use crate::error::{ApiError, ErrorBody, FieldIssue, no_nul};
use crate::{App, Caller};

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCase {
    pub program_id: String,
    /// The kabupaten/kota whose allocation the case draws on.
    pub region: String,
    /// The cooperative, UMKM, PKL or entrepreneur proposing (none for a region's own project).
    pub beneficiary_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Opened {
    /// True when this key opened the case before: nothing new happened.
    pub repeated: bool,
    pub case: CaseDetail,
}

fn kind_name(b: Beneficiary) -> &'static str {
    Beneficiary::NAMES
        .iter()
        .find(|(_, k)| *k == b)
        .map_or("?", |(n, _)| n)
}

fn say(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_string(),
        Lang::En => en.to_string(),
    }
}

/// Opens a case of a program in a kabupaten/kota of the caller's region.
/// The same `Idempotency-Key` twice opens one case.
#[utoipa::path(post, path = "/api/cases", tag = "cases",
    params(("Idempotency-Key" = String, Header, description = "A new key per case; resend the same key to retry")),
    request_body = NewCase,
    responses(
        (status = 201, body = Opened, description = "Opened"),
        (status = 200, body = Opened, description = "Opened before with this key; nothing new"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Refused by the workflow (e.g. the role may not open cases)"),
    ))]
pub async fn open_case(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    WithRejection(Json(req), _): WithRejection<Json<NewCase>, ApiError>,
) -> Result<(StatusCode, Json<Opened>), ApiError> {
    let key = idempotency_key(&headers)?;
    let (repeated, case_id) = open(&app, &caller, key, req).await?;
    let case = case_detail(&app, &caller, &case_id).await?;
    let status = if repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(Opened { repeated, case })))
}

/// Opens a case for `caller` under the idempotency key `key` (namespaced
/// by the caller here): whether the key opened it before, and the case's
/// id. Each bad input is named by field (`program_id`, `region`,
/// `beneficiary_id`).
pub async fn open(
    app: &App,
    caller: &Caller,
    key: &str,
    req: NewCase,
) -> Result<(bool, String), ApiError> {
    caller.require(Permission::Act)?;
    let key = checked_key(key)?;
    let lang = caller.lang;
    let err = |e| ApiError::from_store(e, lang);
    let mut issues = vec![];
    let program = app
        .store
        .programs_in(&caller.scope)
        .await
        .map_err(err)?
        .into_iter()
        .find(|p| p.id == req.program_id);
    if program.is_none() {
        issues.push(FieldIssue::new(
            "program_id",
            say(lang, "program tidak dikenal", "no such program"),
        ));
    }
    let region = match RegionCode::parse(&req.region) {
        Err(e) => {
            issues.push(FieldIssue::new("region", e.message(lang)));
            None
        }
        Ok(r) if !caller.sees(Some(r.as_str())) || r.is_province() => {
            issues.push(FieldIssue::new(
                "region",
                say(
                    lang,
                    "bukan kabupaten/kota di wilayah Anda",
                    "not a kabupaten/kota within your region",
                ),
            ));
            None
        }
        Ok(r) => Some(r),
    };
    let def = program.as_ref().and_then(|p| {
        app.catalog
            .get(&p.workflow, u32::try_from(p.workflow_version).unwrap_or(0))
            .cloned()
    });
    if let (Some(p), Some(r)) = (&program, &region) {
        let allocations = app
            .store
            .allocations_in(&p.id, &caller.scope)
            .await
            .map_err(err)?;
        if !allocations.is_empty() && !allocations.iter().any(|a| a.region_code == r.as_str()) {
            issues.push(FieldIssue::new(
                "region",
                say(
                    lang,
                    "program ini tidak punya alokasi untuk kabupaten/kota ini",
                    "the program has no allocation for this kabupaten/kota",
                ),
            ));
        }
    }
    if let Some(b) = req.beneficiary_id.as_deref().filter(|b| !b.is_empty()) {
        no_nul("beneficiary_id", b)?;
        let found = app.store.beneficiary(b).await.map_err(err)?;
        let wanted = def.as_ref().map(|d| kind_name(d.beneficiary));
        // One outside the caller's region is answered as if it did not exist.
        let found = found.filter(|row| caller.sees(Some(&row.region_code)));
        match found {
            Some(row) if Some(row.region_code.as_str()) != region.as_ref().map(|r| r.as_str()) => {
                issues.push(FieldIssue::new(
                    "beneficiary_id",
                    say(
                        lang,
                        "penerima tidak terdaftar di kabupaten/kota ini",
                        "the beneficiary is not registered in this kabupaten/kota",
                    ),
                ))
            }
            Some(row) if wanted.is_some_and(|w| w != row.kind) => issues.push(FieldIssue::new(
                "beneficiary_id",
                format!(
                    "{} `{}` ({})",
                    say(
                        lang,
                        "program ini untuk penerima jenis",
                        "this program is for beneficiaries of kind"
                    ),
                    wanted.unwrap_or_default(),
                    row.kind
                ),
            )),
            Some(_) => {}
            None => issues.push(FieldIssue::new(
                "beneficiary_id",
                say(lang, "penerima tidak ditemukan", "no such beneficiary"),
            )),
        }
    }
    let (Some(program), Some(region), Some(def), true) = (program, region, def, issues.is_empty())
    else {
        return Err(ApiError::Invalid(issues));
    };
    let source = app.catalog.source(&def.id, def.version).unwrap_or_default();
    let opening = Opening {
        case_id: uuid::Uuid::new_v4().to_string(),
        key: format!("{}:{key}", caller.login),
        region: Some(region.to_string()),
        program_id: Some(program.id),
        beneficiary_id: req.beneficiary_id.filter(|b| !b.is_empty()),
        definition: &def,
        source,
    };
    let cx = Context {
        now: Utc::now(),
        actor: caller.actor(),
        remaining_allocation: None,
        evidence: Default::default(),
    };
    let outcome = app.store.open_case(&opening, &cx).await.map_err(err)?;
    Ok(match outcome {
        Outcome::Applied { case, .. } => (false, case.id),
        Outcome::Repeated { case_id, .. } => (true, case_id),
    })
}
