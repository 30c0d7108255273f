//! `/registri/{id}`: one beneficiary's whole record: its identity and where
//! to find it (with where its point came from), every case across programs
//! and years with the rupiah approved and disbursed, the cases' monev visits
//! with their photos, its yearly statuses, and its corrections with who,
//! when and why. Those who may correct (`Permission::Correct`) get the form;
//! a refused field keeps what was typed.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use pantau_domain::GeoPoint;
use pantau_domain::access::Permission;
use pantau_registry::sheet::excel;
use pantau_store::model::Beneficiary;
use pantau_store::registry::{Author, BeneficiaryRecord, Correction, MergeLine, Standing};
use serde::{Deserialize, Serialize};

use super::{account, desa, standing_label};
use crate::App;
use crate::api::location::LocationView;
use crate::error::ApiError;
use crate::pages::format;
use crate::pages::guard;
use crate::pages::party::{self, Party};
use crate::pages::users::Choice;
use crate::pages::view::{OrFail, PageResult, Viewer};

/// The correction form as typed.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct CorrectionForm {
    name: String,
    address: String,
    phone: String,
    /// `lat, lon` in degrees, a point or a comma as decimal mark.
    location: String,
    /// The desa/kelurahan code, as typed.
    desa: String,
    status: String,
    reason: String,
    #[serde(skip_serializing)]
    _csrf: String,
}

type Problems = BTreeMap<&'static str, String>;

#[derive(Serialize)]
struct CaseRow {
    href: String,
    number: String,
    program: String,
    year: String,
    state: String,
    approved: String,
    disbursed: String,
    opened: String,
}

#[derive(Serialize)]
struct VisitRow {
    case_href: String,
    case_number: String,
    no: i32,
    due: String,
    done: Option<String>,
    flagged: bool,
    photos: Vec<String>,
}

#[derive(Serialize)]
struct YearRow {
    year: i32,
    active: bool,
    rat: bool,
    quality: bool,
    members: String,
}

#[derive(Serialize)]
struct ChangeRow {
    when: String,
    who: String,
    what: String,
    before: String,
    after: String,
    why: String,
    /// The record merged into this one that it was made on, if another.
    on: Option<String>,
}

/// The record this one was merged into.
#[derive(Serialize)]
struct MergedInto {
    href: String,
    text: String,
}

#[derive(Serialize)]
struct RecordPage {
    id: String,
    party: Party,
    kind: String,
    standing: String,
    inactive: bool,
    /// Where the registered point came from.
    point_source: String,
    cases: Vec<CaseRow>,
    approved: String,
    disbursed: String,
    visits: Vec<VisitRow>,
    years: Vec<YearRow>,
    changes: Vec<ChangeRow>,
    may_correct: bool,
    form: CorrectionForm,
    statuses: Vec<Choice>,
    problems: Problems,
    saved: bool,
    unchanged: bool,
    merged_into: Option<MergedInto>,
    /// The merges into this record, as sentences, oldest first.
    merged_from: Vec<String>,
    merged_now: bool,
    /// The bank account section (issue 20).
    bank: Option<super::account::BankSection>,
}

/// What the page shows of a beneficiary the reader may see.
pub(super) struct Seen {
    record: BeneficiaryRecord,
    /// The monev visit that registered its point, if one did.
    visit: Option<LocationView>,
    /// The merges into it, and the one that merged it.
    merges: Vec<MergeLine>,
}

/// The beneficiary `id` when the reader may see it; else not found.
pub(super) async fn visible(app: &App, v: &Viewer, id: &str) -> Result<Seen, ApiError> {
    let found = app
        .store
        .beneficiary_record(id)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))?;
    let lang = v.caller.lang;
    match found {
        Some(mut record) if v.caller.sees(Some(&record.beneficiary.region_code)) => {
            let merges = app
                .store
                .merges_of(id)
                .await
                .map_err(|e| ApiError::from_store(e, lang))?;
            // The corrections of the records merged into it are its history too.
            for m in merges.iter().filter(|m| m.kept_id == id) {
                let theirs = app
                    .store
                    .beneficiary_changes(Some(&m.merged_id))
                    .await
                    .map_err(|e| ApiError::from_store(e, lang))?;
                record.changes.extend(theirs);
            }
            record
                .changes
                .sort_by(|a, b| b.changed_at.cmp(&a.changed_at).then(a.id.cmp(&b.id)));
            Ok(Seen {
                record,
                visit: crate::api::location::of(app, &v.caller, id).await?,
                merges,
            })
        }
        _ => Err(ApiError::not_found("penerima", id, lang)),
    }
}

/// The form as the registered record fills it.
fn form_of(b: &Beneficiary) -> CorrectionForm {
    CorrectionForm {
        name: b.name.clone(),
        address: b.address.clone().unwrap_or_default(),
        phone: b.phone.clone().unwrap_or_default(),
        location: b
            .lat_micro
            .zip(b.lon_micro)
            .and_then(|(a, o)| GeoPoint::from_micro(a, o).ok())
            .map(|p| p.to_string())
            .unwrap_or_default(),
        desa: b.desa_code.clone().unwrap_or_default(),
        status: Standing::of(b).as_str().into(),
        reason: String::new(),
        _csrf: String::new(),
    }
}

/// A value of the history as people read it.
fn shown(v: &Viewer, field: &str, value: Option<&str>) -> String {
    match (field, value) {
        (_, None) => "—".into(),
        ("status", Some(s)) => {
            Standing::parse(s).map_or_else(|| s.into(), |s| standing_label(v, s))
        }
        (_, Some(s)) => s.into(),
    }
}

fn record_page(
    app: &App,
    v: &Viewer,
    seen: Seen,
    form: Option<CorrectionForm>,
    problems: Problems,
) -> RecordPage {
    let r = seen.record;
    let lang = v.caller.lang;
    let zone = v.caller.zone;
    let b = &r.beneficiary;
    let short = |id: &str| id.chars().take(8).collect::<String>();
    let state_label = |workflow: &str, version: i32, state: &str| {
        app.catalog
            .get(workflow, u32::try_from(version).unwrap_or(0))
            .or_else(|| app.catalog.latest(workflow))
            .and_then(|d| d.state(state).map(|s| s.label.get(lang).to_string()))
            .unwrap_or_else(|| state.to_string())
    };
    let cases = r
        .cases
        .iter()
        .map(|c| CaseRow {
            href: format!("/kasus/{}", c.id),
            number: short(&c.id),
            program: c.program_name.clone().unwrap_or_else(|| c.workflow.clone()),
            year: c.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
            state: state_label(&c.workflow, c.workflow_version, &c.state),
            approved: format::rupiah(c.approved_amount.unwrap_or(0)),
            disbursed: format::rupiah(c.disbursed_amount),
            opened: format::day(zone, c.opened_at, lang),
        })
        .collect();
    let visits = r
        .visits
        .iter()
        .map(|x| VisitRow {
            case_href: format!("/kasus/{}", x.case_id),
            case_number: short(&x.case_id),
            no: x.no,
            due: format::day(zone, x.due_at, lang),
            done: x.done_at.map(|t| format::when(zone, t, lang)),
            flagged: x.review.as_deref() == Some("flagged"),
            photos: x.photos.iter().map(|a| format!("/api/files/{a}")).collect(),
        })
        .collect();
    let years = r
        .years
        .iter()
        .map(|y| YearRow {
            year: y.year,
            active: y.active,
            rat: y.rat_held,
            quality: y.quality,
            members: y
                .members
                .map(|m| format::thousands(m.into(), lang))
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let changes = r
        .changes
        .iter()
        .map(|c| ChangeRow {
            when: format::when(zone, c.changed_at, lang),
            who: c.changed_by.clone(),
            what: v.text(&format!("registri.ubah_{}", c.field)),
            before: shown(v, &c.field, c.old_value.as_deref()),
            after: shown(v, &c.field, c.new_value.as_deref()),
            why: c.reason.clone(),
            on: (c.beneficiary_id != b.id).then(|| {
                let name = seen
                    .merges
                    .iter()
                    .find(|m| m.merged_id == c.beneficiary_id)
                    .map_or_else(|| c.beneficiary_id.clone(), |m| m.merged_name.clone());
                v.text("ganda.koreksi_dari").replace("{nama}", &name)
            }),
        })
        .collect();
    let merged_into = b.merged_into.as_ref().map(|into| MergedInto {
        href: format!("/registri/{into}"),
        text: v.text("ganda.digabung_ke").replace(
            "{nama}",
            &seen
                .merges
                .iter()
                .find(|m| m.merged_id == b.id)
                .map_or_else(|| into.clone(), |m| m.kept_name.clone()),
        ),
    });
    let merged_from = seen
        .merges
        .iter()
        .filter(|m| m.kept_id == b.id)
        .map(|m| {
            v.text("ganda.digabung_dari")
                .replace("{nama}", &m.merged_name)
                .replace("{siapa}", &m.merged_by)
                .replace("{kapan}", &format::when(zone, m.merged_at, lang))
                .replace("{alasan}", &m.reason)
                .replace("{kasus}", &m.cases_moved.to_string())
        })
        .collect();
    let point_source = point_source(v, &r, seen.visit.as_ref());
    let standing = Standing::of(b);
    let form = form.unwrap_or_else(|| form_of(b));
    let statuses = Standing::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: standing_label(v, s),
            selected: s.as_str() == form.status,
        })
        .collect();
    RecordPage {
        id: b.id.clone(),
        party: party::party(app, v, b),
        kind: v.text(&format!("usulan.jenis_{}", b.kind)),
        standing: standing_label(v, standing),
        inactive: standing != Standing::Active,
        point_source,
        approved: format::rupiah(r.cases.iter().filter_map(|c| c.approved_amount).sum()),
        disbursed: format::rupiah(r.cases.iter().map(|c| c.disbursed_amount).sum()),
        cases,
        visits,
        years,
        changes,
        may_correct: v.caller.may(Permission::Correct) && b.merged_into.is_none(),
        form,
        statuses,
        problems,
        saved: v.look.here.contains("disimpan=1"),
        unchanged: v.look.here.contains("disimpan=0"),
        merged_now: v.look.here.contains("digabung=1"),
        merged_into,
        merged_from,
        bank: None,
    }
}

/// Where the registered point came from: the last correction of it, else
/// the monev visit that registered it (confirmed or not), else the import.
fn point_source(v: &Viewer, r: &BeneficiaryRecord, visit: Option<&LocationView>) -> String {
    if r.beneficiary.lat_micro.is_none() {
        return String::new();
    }
    let (zone, lang) = (v.caller.zone, v.caller.lang);
    let day = |t| format::day(zone, t, lang);
    if let Some(c) = r.changes.iter().find(|c| c.field == "location") {
        return v
            .text("registri.titik_koreksi")
            .replace("{siapa}", &c.changed_by)
            .replace("{kapan}", &day(c.changed_at));
    }
    match visit {
        Some(l) => {
            let confirmed = match (&l.confirmed_by, l.confirmed_at) {
                (Some(by), Some(at)) => v
                    .text("registri.titik_dikonfirmasi")
                    .replace("{siapa}", by)
                    .replace("{kapan}", &day(at)),
                _ => v.text("registri.titik_belum_dikonfirmasi"),
            };
            v.text("registri.titik_kunjungan")
                .replace("{kasus}", &l.case_id.chars().take(8).collect::<String>())
                .replace("{ke}", &l.visit.to_string())
                .replace("{kapan}", &day(l.set_at))
                + " · "
                + &confirmed
        }
        None => v.text("registri.titik_impor"),
    }
}

fn render(v: &Viewer, status: StatusCode, page: RecordPage) -> Response {
    let title = page.party.name.clone();
    v.render(status, "registri", &title, page)
}

pub async fn page(State(app): State<App>, v: Viewer, Path(id): Path<String>) -> PageResult {
    let seen = visible(&app, &v, &id).await.or_fail(&v)?;
    let mut page = record_page(&app, &v, seen, None, Problems::new());
    page.bank = Some(
        account::section(&app, &v, &id, None, Default::default())
            .await
            .or_fail(&v)?,
    );
    Ok(render(&v, StatusCode::OK, page))
}

/// The page again after a refused account form, kept as typed.
pub(super) async fn again(
    app: &App,
    v: &Viewer,
    id: &str,
    form: Option<account::AccountForm>,
    problems: BTreeMap<String, String>,
) -> PageResult {
    let seen = visible(app, v, id).await.or_fail(v)?;
    let mut page = record_page(app, v, seen, None, Problems::new());
    page.bank = Some(
        account::section(app, v, id, form, problems)
            .await
            .or_fail(v)?,
    );
    Ok(render(v, StatusCode::UNPROCESSABLE_ENTITY, page))
}

/// Checks the form against the registered beneficiary `b`: the
/// correction, or each bad field with its reason.
fn check(v: &Viewer, f: &CorrectionForm, b: &Beneficiary) -> Result<Correction, Problems> {
    let mut problems = Problems::new();
    let name = f.name.trim();
    if name.is_empty() {
        problems.insert("name", v.text("registri.wajib"));
    } else if name.chars().count() > 200 {
        problems.insert("name", v.text("registri.nama_panjang"));
    }
    let address = f.address.trim();
    if address.chars().count() > 300 {
        problems.insert("address", v.text("registri.alamat_panjang"));
    }
    let phone = match f.phone.trim() {
        "" => None,
        p => match pantau_registry::beneficiary::phone(p) {
            Ok(p) => Some(p),
            Err(why) => {
                problems.insert("phone", why.get(v.caller.lang).to_string());
                None
            }
        },
    };
    let location = match point(f.location.trim()) {
        Ok(p) => p,
        Err(why) => {
            problems.insert("location", why.get(v.caller.lang).to_string());
            None
        }
    };
    let desa = match desa::corrected(b, f.desa.trim()) {
        Ok(d) => d,
        Err(why) => {
            problems.insert("desa", why.get(v.caller.lang).to_string());
            None
        }
    };
    let standing = Standing::parse(&f.status);
    if standing.is_none() {
        problems.insert("status", v.text("registri.status_salah"));
    }
    let reason = f.reason.trim();
    if reason.is_empty() {
        problems.insert("reason", v.text("registri.alasan_wajib"));
    }
    match standing {
        Some(standing) if problems.is_empty() => Ok(Correction {
            name: name.into(),
            address: (!address.is_empty()).then(|| address.into()),
            phone,
            location,
            desa,
            standing,
            reason: reason.into(),
        }),
        _ => Err(problems),
    }
}

/// A point typed as `lat, lon`: with decimal points (`-5.4292, 105.2619`),
/// or with decimal commas separated by a semicolon or a space
/// (`-5,4292; 105,2619`). Empty: no point.
fn point(text: &str) -> Result<Option<GeoPoint>, pantau_domain::Label> {
    if text.is_empty() {
        return Ok(None);
    }
    let malformed = || pantau_domain::GeoError::Malformed(text.into()).label();
    let parts: Vec<&str> = if text.contains(';') {
        text.split(';').collect()
    } else if text.matches(',').count() == 1 {
        text.split(',').collect()
    } else {
        text.split_whitespace().collect()
    };
    let [lat, lon] = parts[..] else {
        return Err(malformed());
    };
    let (Some(lat), Some(lon)) = (excel::decimal(lat.trim()), excel::decimal(lon.trim())) else {
        return Err(malformed());
    };
    GeoPoint::from_degrees(lat, lon)
        .map(Some)
        .map_err(|e| e.label())
}

/// Saves a correction; or the page again with each bad field named and
/// what was typed kept.
pub async fn correct(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<CorrectionForm>, FormRejection>,
) -> PageResult {
    let Ok(Form(f)) = form else {
        return Err(ApiError::invalid("form", v.text("galat.csrf"))).or_fail(&v);
    };
    guard::form(&v.look, &headers, v.caller.csrf.as_deref(), Some(&f._csrf)).or_fail(&v)?;
    v.caller.require(Permission::Correct).or_fail(&v)?;
    let seen = visible(&app, &v, &id).await.or_fail(&v)?;
    let c = match check(&v, &f, &seen.record.beneficiary) {
        Ok(c) => c,
        Err(problems) => {
            let mut page = record_page(&app, &v, seen, Some(f), problems);
            page.bank = Some(
                account::section(&app, &v, &id, None, Default::default())
                    .await
                    .or_fail(&v)?,
            );
            return Ok(render(&v, StatusCode::BAD_REQUEST, page));
        }
    };
    let by = Author {
        login: &v.caller.login,
        at: app.now(),
    };
    let changed = app
        .store
        .correct_beneficiary(&id, &c, by)
        .await
        .map_err(|e| ApiError::from_store(e, v.caller.lang))
        .or_fail(&v)?
        .ok_or_else(|| ApiError::not_found("penerima", &id, v.caller.lang))
        .or_fail(&v)?;
    let saved = if changed.is_empty() { 0 } else { 1 };
    Ok(v.look
        .redirect(&format!("/registri/{id}?disimpan={saved}#koreksi")))
}
