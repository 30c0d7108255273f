//! Decrees (SK): the ones a reader may see (those of the programs visible
//! in their region), one with the cases it lists within the reader's
//! region, and its scanned PDF; and recording one ([`create`], for the
//! page `/sk/baru`; `pantau decree apply` on the command line).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum_extra::extract::WithRejection;
use chrono::NaiveDate;
use pantau_domain::Lang;
use pantau_domain::access::Permission;
use pantau_registry::decree::LineError;
use pantau_store::decree::{DecreeRecord, DecreeReport, ListedCase, NewDecree, Scan, Tally};
use pantau_store::model::Decree;
use pantau_workflow::{Actor, Context};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody, FieldIssue, NUL_REASON, no_nul};
use crate::{App, Caller};

/// What a decree did within the reader's region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TallyView {
    pub approved: i64,
    pub changed: i64,
    pub removed: i64,
    pub refused: i64,
    /// Rupiah of the cases approved or changed.
    pub total: i64,
}

impl From<Tally> for TallyView {
    fn from(t: Tally) -> Self {
        TallyView {
            approved: t.approved,
            changed: t.changed,
            removed: t.removed,
            refused: t.refused,
            total: t.total,
        }
    }
}

/// A decree, and what it did within the reader's region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecreeView {
    pub id: String,
    pub number: String,
    /// The date it was signed, e.g. `2026-03-02`.
    pub date: String,
    pub signer_name: String,
    pub signer_position: String,
    pub signer_nip: Option<String>,
    pub program_id: String,
    pub program_name: String,
    /// The id of the decree it amends (an SK perubahan).
    pub amends: Option<String>,
    /// Whether its scanned PDF is kept (`/api/decrees/{id}/scan`).
    pub scan: bool,
    pub within: TallyView,
}

/// A decree's neighbour: the decree it amends, or one that amends it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecreeRef {
    pub id: String,
    pub number: String,
    pub date: String,
}

/// One case a decree lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListedCaseView {
    pub case_id: String,
    /// Its row in the decree's list, from 1.
    pub line_no: i32,
    /// `approve`, `amount` or `remove`.
    pub change: String,
    /// Rupiah.
    pub amount: Option<i64>,
    /// Percent per tranche, e.g. `40,30,30`.
    pub tranches: Option<String>,
    /// `approved`, `changed`, `removed` or `refused`.
    pub outcome: String,
    /// Why it was refused.
    pub reason: Option<String>,
    pub region: Option<String>,
    pub region_name: Option<String>,
    pub beneficiary_name: Option<String>,
}

/// A decree with the cases it lists within the reader's region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecreeDetail {
    #[serde(flatten)]
    pub decree: DecreeView,
    /// The name the scan was sent under.
    pub scan_name: Option<String>,
    pub amended: Option<DecreeRef>,
    pub amended_by: Vec<DecreeRef>,
    pub cases: Vec<ListedCaseView>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecreeFilter {
    /// Only the decrees of this program.
    pub program: Option<String>,
}

fn reference(d: &Decree) -> DecreeRef {
    DecreeRef {
        id: d.id.clone(),
        number: d.number.clone(),
        date: d.decree_date.to_string(),
    }
}

fn view(d: Decree, program_name: String, within: Tally) -> DecreeView {
    DecreeView {
        scan: d.pdf_sha256.is_some(),
        id: d.id,
        number: d.number,
        date: d.decree_date.to_string(),
        signer_name: d.signer_name,
        signer_position: d.signer_position,
        signer_nip: d.signer_nip,
        program_id: d.program_id,
        program_name,
        amends: d.amends,
        within: within.into(),
    }
}

/// The decrees the caller may see, newest first.
pub async fn list(
    app: &App,
    caller: &Caller,
    f: &DecreeFilter,
) -> Result<Vec<DecreeView>, ApiError> {
    let program = f.program.as_deref().filter(|p| !p.is_empty());
    no_nul("program", program.unwrap_or_default())?;
    let rows = app
        .store
        .decrees_in(&caller.scope, program)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    Ok(rows
        .into_iter()
        .map(|s| view(s.decree, s.program_name, s.tally))
        .collect())
}

/// Decree `id` with its cases within the caller's region; 404 when its
/// program is not visible there.
pub async fn detail(
    app: &App,
    caller: &Caller,
    id: &str,
) -> Result<(DecreeDetail, DecreeRecord), ApiError> {
    no_nul("id", id)?;
    let err = |e| ApiError::from_store(e, caller.lang);
    let record = app
        .store
        .decree_record(id, &caller.scope)
        .await
        .map_err(err)?
        .ok_or_else(|| ApiError::not_found("SK", id, caller.lang))?;
    let within = app
        .store
        .decree_within(id, &caller.scope)
        .await
        .map_err(err)?;
    let cases = within
        .cases
        .into_iter()
        .map(|c: ListedCase| ListedCaseView {
            region_name: c.region.as_deref().map(|r| app.region_name(r)),
            case_id: c.case_id,
            line_no: c.line_no,
            change: c.change,
            amount: c.amount,
            tranches: c.tranches,
            outcome: c.outcome,
            reason: c.reason,
            region: c.region,
            beneficiary_name: c.beneficiary_name,
        })
        .collect();
    let detail = DecreeDetail {
        decree: view(
            record.decree.clone(),
            record.program.name.clone(),
            within.tally,
        ),
        scan_name: record.decree.pdf_path.clone(),
        amended: record.amends.as_ref().map(reference),
        amended_by: record.amended_by.iter().map(reference).collect(),
        cases,
    };
    Ok((detail, record))
}

/// The scanned PDF of decree `id`.
pub async fn scan(app: &App, caller: &Caller, id: &str) -> Result<Response, ApiError> {
    let (_, record) = detail(app, caller, id).await?;
    let missing = || ApiError::not_found("pindaian SK", id, caller.lang);
    let sha = record.decree.pdf_sha256.ok_or_else(missing)?;
    let data = app
        .store
        .decree_scan(&sha)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?
        .ok_or_else(missing)?;
    let name = record.decree.pdf_path.unwrap_or_else(|| "sk.pdf".into());
    Ok(super::files::file_response("application/pdf", data, &name))
}

/// The decrees of the programs visible in the caller's region, newest first,
/// each with what it did there.
#[utoipa::path(get, path = "/api/decrees", tag = "registry", params(DecreeFilter),
    responses((status = 200, body = Vec<DecreeView>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_decrees(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Query(f), _): WithRejection<Query<DecreeFilter>, ApiError>,
) -> Result<Json<Vec<DecreeView>>, ApiError> {
    Ok(Json(list(&app, &caller, &f).await?))
}

/// A decree with the cases it lists within the caller's region.
#[utoipa::path(get, path = "/api/decrees/{id}", tag = "registry",
    params(("id" = String, Path, description = "Decree id")),
    responses((status = 200, body = DecreeDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_decree(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
) -> Result<Json<DecreeDetail>, ApiError> {
    Ok(Json(detail(&app, &caller, &id).await?.0))
}

/// The decree's scanned PDF.
#[utoipa::path(get, path = "/api/decrees/{id}/scan", tag = "registry",
    params(("id" = String, Path, description = "Decree id")),
    responses((status = 200, description = "The scanned decree", content((crate::api::files::FileBytes = "application/pdf"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_decree_scan(
    State(app): State<App>,
    caller: Caller,
    WithRejection(Path(id), _): WithRejection<Path<String>, ApiError>,
) -> Result<Response, ApiError> {
    scan(&app, &caller, &id).await
}

/// What a decree form sends (`/sk/baru`).
#[derive(Debug, Default, Clone)]
pub struct DecreeInput {
    pub number: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub program: String,
    pub signer: String,
    pub position: String,
    pub nip: String,
    /// The id of the decree this one amends, if any.
    pub amends: String,
    /// The CSV list of cases.
    pub list: Vec<u8>,
    /// The scanned PDF: (file name, bytes).
    pub scan: Option<(String, Vec<u8>)>,
    /// A scan sent before, when the decree was checked: (file name, SHA-256).
    pub scan_kept: Option<(String, String)>,
}

/// Whether the caller may record a decree for program `p` (visible to them):
/// they act for its province (a decree is the province's, never a
/// kabupaten/kota's), and its workflow has a by-decree action their role may take.
pub fn records_decrees(app: &App, caller: &Caller, p: &pantau_store::model::Program) -> bool {
    caller.acts_for_province(&p.province_code)
        && app.catalog.latest(&p.workflow).is_some_and(|d| {
            d.actions
                .iter()
                .any(|a| a.by_decree && a.roles.contains(&caller.role))
        })
}

/// The programs the caller may record a decree for: visible in their
/// region, and [`records_decrees`].
pub async fn decree_programs(
    app: &App,
    caller: &Caller,
) -> Result<Vec<pantau_store::model::Program>, ApiError> {
    let programs = app
        .store
        .programs_in(&caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, caller.lang))?;
    Ok(programs
        .into_iter()
        .filter(|p| records_decrees(app, caller, p))
        .collect())
}

/// Whether `data` is wholly a PDF, as a decree's scan must be.
pub async fn is_pdf(data: &[u8]) -> bool {
    super::files::check_file("application/pdf", data.to_vec(), Lang::Id)
        .await
        .is_ok()
}

/// Records decree `input` and applies it to the cases it lists within the
/// caller's region; or, with `preview`, says what it would do to each and
/// applies nothing. Every bad field is named at once; a list with bad rows
/// comes back as those rows (`Ok(Err(rows))`), and nothing is applied.
pub async fn create(
    app: &App,
    caller: &Caller,
    input: &DecreeInput,
    preview: bool,
) -> Result<Result<DecreeReport, Vec<LineError>>, ApiError> {
    caller.require(Permission::Act)?;
    let lang = caller.lang;
    let say = |id: &str, en: &str| match lang {
        Lang::Id => id.to_string(),
        Lang::En => en.to_string(),
    };
    let mut issues = Vec::new();
    let mut text = |field: &str, value: &str, max: usize, required: bool| -> String {
        let v = value.trim();
        if v.contains('\0') {
            issues.push(FieldIssue::new(field, NUL_REASON));
        } else if required && v.is_empty() {
            issues.push(FieldIssue::new(field, say("wajib diisi", "required")));
        } else if v.chars().count() > max {
            issues.push(FieldIssue::new(
                field,
                say(
                    &format!("lebih dari {max} huruf"),
                    &format!("longer than {max} characters"),
                ),
            ));
        }
        v.to_string()
    };
    let number = text("number", &input.number, 100, true);
    let signer = text("signer", &input.signer, 200, true);
    let position = text("position", &input.position, 200, true);
    let nip = text("nip", &input.nip, 18, false);
    let nip_ok = nip.len() == 18 && nip.bytes().all(|b| b.is_ascii_digit());
    if !nip.is_empty() && !nip_ok {
        issues.push(FieldIssue::new(
            "nip",
            say("NIP ditulis 18 angka", "a NIP is 18 digits"),
        ));
    }
    let date = match NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            issues.push(FieldIssue::new(
                "date",
                say(
                    "tanggal tidak dapat dibaca (tulis 2026-03-02)",
                    "not a date (write 2026-03-02)",
                ),
            ));
            None
        }
    };
    let programs = decree_programs(app, caller).await?;
    let program = programs.iter().find(|p| p.id == input.program);
    if program.is_none() {
        issues.push(FieldIssue::new(
            "program",
            say(
                "pilih program di wilayah Anda yang disetujui dengan SK oleh peran Anda",
                "choose a program of your region that your role approves by decree",
            ),
        ));
    }
    let amends = match input.amends.trim() {
        "" => None,
        id => match app.store.decree_record(id, &caller.scope).await {
            Ok(Some(r)) if Some(&r.decree.program_id) == program.map(|p| &p.id) => {
                Some(r.decree.number)
            }
            Ok(_) => {
                issues.push(FieldIssue::new(
                    "amends",
                    say(
                        "SK yang diubah harus SK program yang sama",
                        "the amended decree must be one of the same program",
                    ),
                ));
                None
            }
            Err(e) => return Err(ApiError::from_store(e, lang)),
        },
    };
    let scan_is_pdf = match &input.scan {
        Some((_, data)) => is_pdf(data).await,
        None => true,
    };
    let scan = match &input.scan {
        Some(_) if !scan_is_pdf => {
            issues.push(FieldIssue::new("scan", say("bukan PDF", "not a PDF")));
            None
        }
        Some((name, data)) => Some(Scan {
            name: name.clone(),
            data: data.clone(),
        }),
        None => match &input.scan_kept {
            Some((name, sha)) => match app.store.decree_scan(sha).await {
                Ok(Some(data)) => Some(Scan {
                    name: name.clone(),
                    data,
                }),
                Ok(None) => {
                    issues.push(FieldIssue::new(
                        "scan",
                        say("unggah pindaian SK lagi", "upload the decree's scan again"),
                    ));
                    None
                }
                Err(e) => return Err(ApiError::from_store(e, lang)),
            },
            None => None,
        },
    };
    if input.list.is_empty() {
        issues.push(FieldIssue::new(
            "list",
            say(
                "pilih berkas CSV daftar kasus",
                "choose the CSV list of cases",
            ),
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::Invalid(issues));
    }
    let lines = match pantau_registry::decree::read(input.list.as_slice()) {
        Ok(lines) if lines.is_empty() => {
            return Err(ApiError::invalid(
                "list",
                say("daftar tidak memuat kasus", "the list names no case"),
            ));
        }
        Ok(lines) => lines,
        Err(rows) => return Ok(Err(rows)),
    };
    let (Some(program), Some(date)) = (program, date) else {
        return Err(ApiError::Internal("checked above".into()));
    };
    let decree = NewDecree {
        number,
        date,
        signer_name: signer,
        signer_position: position,
        signer_nip: Some(nip).filter(|n| !n.is_empty()),
        scan,
        program_id: program.id.clone(),
        amends,
    };
    let cx = Context {
        now: app.now(),
        actor: Actor {
            user: caller.login.clone(),
            role: caller.role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    };
    let report = if preview {
        app.store
            .preview_decree(&app.catalog, &decree, &lines, &cx, &caller.scope)
            .await
    } else {
        app.store
            .apply_decree(&app.catalog, &decree, &lines, &cx, &caller.scope)
            .await
    };
    Ok(Ok(report.map_err(|e| ApiError::from_store(e, lang))?))
}
