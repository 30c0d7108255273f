//! From a request to a document: the store's figures within the reader's
//! scope, handed to the pure builders.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, Zone, long_date};
use pantau_store::Store;
use pantau_store::model::Program;
use pantau_store::read::report::{ProgramFilter, VisitFilter};
use pantau_workflow::Catalog;

use crate::html::Templates;
use crate::model::{Document, Photo, Signature};
use crate::{Context, ReportError, ReportName, accountability, indicators, monev, progress};

/// Who signs the accountability report off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub name: String,
    pub position: String,
    /// NIP: a civil servant's 18-digit number.
    pub nip: String,
    /// Where it is signed (`Bandar Lampung`).
    pub place: String,
}

impl Signer {
    pub fn new(name: &str, position: &str, nip: &str, place: &str) -> Result<Signer, ReportError> {
        let invalid = |field, reason: &str| ReportError::Invalid {
            field,
            reason: reason.to_string(),
        };
        let nip: String = nip.chars().filter(|c| !c.is_whitespace()).collect();
        if nip.len() != 18 || !nip.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("nip", "a NIP is 18 digits"));
        }
        for (field, v) in [("signer", name), ("position", position), ("place", place)] {
            if v.trim().is_empty() {
                return Err(invalid(field, "must not be empty"));
            }
        }
        Ok(Signer {
            name: name.trim().into(),
            position: position.trim().into(),
            nip,
            place: place.trim().into(),
        })
    }
}

/// What to report on.
#[derive(Debug, Clone)]
pub struct Request {
    pub report: ReportName,
    /// The fiscal year (progress, accountability, indicators; for monev a
    /// period when no dates are given).
    pub year: Option<i32>,
    pub program: Option<String>,
    /// The reader's scope, narrowed by a `--region` inside it.
    pub scope: Scope,
    pub case_id: Option<String>,
    /// Monev visits done from this day through `to`, in the reader's zone.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub signer: Option<Signer>,
    pub lang: Lang,
    pub zone: Zone,
    pub now: DateTime<Utc>,
    /// The indicators' targets (`[indicators]` in `pantau.toml`).
    pub targets: indicators::Targets,
    /// The monev photos' bytes the report carries inside it, past which
    /// they are links ([`monev::CARRIED_BYTES`] unless a test asks less).
    pub photo_bytes: i64,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> ReportError {
    ReportError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// The report `req` asks for, in its reader's words.
pub async fn document(
    store: &Store,
    catalog: &Catalog,
    templates: &Templates,
    req: &Request,
) -> Result<Document, ReportError> {
    let regions: BTreeMap<String, String> = store
        .regions_in(&Scope::National)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let cx = Context {
        words: &templates.words,
        lang: req.lang,
        zone: req.zone,
        now: req.now,
        regions: &regions,
    };
    let mut facts = vec![];
    let scope_label = match &req.scope {
        Scope::National => cx.w("fakta.nasional"),
        Scope::Region(r) => cx.region(r.as_str()),
    };
    match req.report {
        ReportName::ProgramProgress | ReportName::Accountability => {
            let year = req
                .year
                .ok_or_else(|| invalid("year", "give the fiscal year, e.g. --year 2026"))?;
            let programs = programs(store, req, year).await?;
            facts.push(cx.fact("fakta.tahun", year.to_string()));
            facts.push(cx.fact(
                "fakta.program",
                match (&req.program, programs.first()) {
                    (Some(_), Some(p)) => format!("{} ({})", p.name, p.id),
                    _ => cx.w("fakta.semua_program"),
                },
            ));
            facts.push(cx.fact("fakta.wilayah", scope_label));
            facts.push(cx.fact("fakta.dibuat", cx.when(req.now)));
            let filter = ProgramFilter {
                year,
                program: req.program.clone(),
                scope: req.scope.clone(),
            };
            let rows = store.program_regions(&filter, catalog, req.now).await?;
            let allocations = store.allocations_within(&req.scope).await?;
            // Sent to the bank, not answered yet: between approved and paid.
            let ordered = store.ordered_amounts(&req.scope).await?;
            Ok(if req.report == ReportName::ProgramProgress {
                progress::build(&cx, facts, &programs, &allocations, &rows, &ordered)
            } else {
                let signature = req.signer.as_ref().map(|s| Signature {
                    place_date: format!(
                        "{}, {}",
                        s.place,
                        long_date(
                            req.now.with_timezone(&req.zone.offset()).date_naive(),
                            req.lang
                        )
                    ),
                    position: s.position.clone(),
                    name: s.name.clone(),
                    nip: s.nip.clone(),
                });
                accountability::build(
                    &cx,
                    facts,
                    &programs,
                    &allocations,
                    &rows,
                    &ordered,
                    signature,
                )
            })
        }
        ReportName::Monev => {
            let (from, to) = period(req)?;
            let filter = VisitFilter {
                case_id: req.case_id.clone(),
                program: req.program.clone(),
                from: start_of(from, req.zone),
                to: start_of(to.succ_opt().unwrap_or(to), req.zone),
                scope: req.scope.clone(),
            };
            if let Some(case) = &req.case_id {
                facts.push(cx.fact("fakta.kasus", case.clone()));
            }
            facts.push(cx.fact(
                "fakta.periode",
                format!(
                    "{} – {}",
                    long_date(from, req.lang),
                    long_date(to, req.lang)
                ),
            ));
            facts.push(cx.fact("fakta.wilayah", scope_label));
            facts.push(cx.fact("fakta.dibuat", cx.when(req.now)));
            let visits = monev::read(store.visits_done(&filter).await?);
            let named = monev::photo_ids(&visits);
            let (photos, linked) = photos_of(store, &named, req.photo_bytes).await?;
            if linked > 0 {
                let carried = photos.len() - linked;
                let note = cx
                    .w("lain.foto_ditautkan")
                    .replace("{dimuat}", &count(carried, req.lang))
                    .replace("{tautan}", &count(linked, req.lang))
                    .replace("{ukuran}", &size_text(req.photo_bytes));
                facts.push(cx.fact("fakta.foto", note));
            }
            Ok(monev::build(&cx, facts, catalog, visits, &photos))
        }
        ReportName::Indicators => {
            let year = req.year.ok_or_else(|| {
                invalid(
                    "year",
                    "give the year to compare with the one before, e.g. --year 2026",
                )
            })?;
            facts.push(cx.fact("fakta.tahun", format!("{} – {year}", year - 1)));
            facts.push(cx.fact("fakta.wilayah", scope_label));
            facts.push(cx.fact("lain.target", cx.w("indikator.catatan")));
            facts.push(cx.fact("fakta.dibuat", cx.when(req.now)));
            let figures = indicator_figures(store, &req.scope, year, &req.targets).await?;
            Ok(indicators::build(&cx, facts, &figures))
        }
    }
}

/// `8 MB`, `512 KB`: whole units, rounded up.
fn size_text(bytes: i64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MB", (b + (1 << 20) - 1) >> 20),
        b => format!("{} KB", (b + 1023) >> 10),
    }
}

/// The photos `named` (case id, attachment id) by visits, each of its
/// visit's own case: carried as `data:` URIs up to `budget` bytes (only
/// those files' bytes are read), linked to past that; with how many are
/// linked.
async fn photos_of(
    store: &Store,
    named: &[(String, String)],
    budget: i64,
) -> Result<(BTreeMap<(String, String), Photo>, usize), ReportError> {
    let ids: Vec<String> = named
        .iter()
        .map(|(_, id)| id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let files: BTreeMap<String, (String, i64)> = store
        .attachment_sizes(&ids)
        .await?
        .into_iter()
        .map(|(id, case, size)| (id, (case, size)))
        .collect();
    let chosen = monev::carried(named, &files, budget);
    let chosen: Vec<String> = chosen.into_iter().collect();
    let data: BTreeMap<String, String> = store
        .attachments(&chosen)
        .await?
        .into_iter()
        .map(|a| {
            let data = base64::engine::general_purpose::STANDARD.encode(&a.data);
            (a.id, format!("data:{};base64,{data}", a.content_type))
        })
        .collect();
    let (mut photos, mut linked) = (BTreeMap::new(), 0);
    for (case, id) in named {
        // Only a file of the visit's own case: an id naming another
        // case's photo shows nothing.
        if files.get(id).is_none_or(|(owner, _)| owner != case) {
            continue;
        }
        let key = (case.clone(), id.clone());
        if photos.contains_key(&key) {
            continue;
        }
        let photo = match data.get(id) {
            Some(uri) => Photo::Carried(uri.clone()),
            None => {
                linked += 1;
                Photo::Linked(format!("/api/cases/{case}/attachments/{id}"))
            }
        };
        photos.insert(key, photo);
    }
    Ok((photos, linked))
}

/// The indicators of `year` against the year before within `scope`: the
/// one computation behind the report and the `/indikator` page.
pub async fn indicator_figures(
    store: &Store,
    scope: &Scope,
    year: i32,
    targets: &indicators::Targets,
) -> Result<indicators::Figures, ReportError> {
    let rows = store.indicator_rows(year, scope).await?;
    Ok(indicators::figures(scope, year, targets, &rows))
}

/// The programs of `year` the request covers, visible in its scope.
async fn programs(store: &Store, req: &Request, year: i32) -> Result<Vec<Program>, ReportError> {
    let all: Vec<Program> = store
        .programs_in(&req.scope)
        .await?
        .into_iter()
        .filter(|p| p.fiscal_year == year)
        .collect();
    match &req.program {
        None => Ok(all),
        Some(id) => {
            let one: Vec<_> = all.into_iter().filter(|p| &p.id == id).collect();
            if one.is_empty() {
                Err(invalid(
                    "program",
                    format!("no program `{id}` of fiscal year {year} in this region"),
                ))
            } else {
                Ok(one)
            }
        }
    }
}

/// The monev report's days: `--from`/`--to`, else the fiscal year, else
/// (for one case) every day until today.
fn period(req: &Request) -> Result<(NaiveDate, NaiveDate), ReportError> {
    let today = req.now.with_timezone(&req.zone.offset()).date_naive();
    let year = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .zip(NaiveDate::from_ymd_opt(y, 12, 31))
            .ok_or_else(|| invalid("year", format!("{y} is not a year")))
    };
    let (from, to) = match (req.from, req.to, req.year) {
        (Some(f), Some(t), _) => (f, t),
        (Some(f), None, _) => (f, today),
        (None, Some(_), _) => return Err(invalid("from", "give --from with --to")),
        (None, None, Some(y)) => year(y)?,
        (None, None, None) if req.case_id.is_some() => {
            (NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(today), today)
        }
        (None, None, None) => {
            return Err(invalid(
                "year",
                "give --case, --year, or a period with --from and --to",
            ));
        }
    };
    if to < from {
        return Err(invalid("to", format!("{to} is before {from}")));
    }
    Ok((from, to))
}

/// Midnight of `day` in `zone`, as UTC.
fn start_of(day: NaiveDate, zone: Zone) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_local_timezone(zone.offset())
        .single()
        .map_or_else(
            || day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
            |t| t.to_utc(),
        )
}

/// A count as its reader writes numbers (`1.250` in Indonesian).
fn count(n: usize, lang: Lang) -> String {
    pantau_domain::format::thousands(i64::try_from(n).unwrap_or(i64::MAX), lang)
}
