//! The program manager's dashboard: for each program, cases per state per
//! kabupaten/kota, rupiah approved, sent to the bank (awaiting its answer)
//! and disbursed against the allocation, and monev visits done, due and
//! overdue; and the same summed per province
//! across programs, which the Ministry compares. Only the caller's region
//! counts.

use std::collections::{BTreeMap, BTreeSet};

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use pantau_domain::RegionCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::{App, Caller};

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Figures {
    pub cases: i64,
    /// Rupiah allocated, approved and disbursed (paid: by the bank's
    /// result, or recorded by hand).
    pub allocation: i64,
    pub approved: i64,
    pub disbursed: i64,
    /// Rupiah in payment batches sent to the bank, not answered yet.
    pub ordered: i64,
    /// Disbursed against the allocation, in hundredths of a percent (`1234` = 12,34 %).
    pub realisation_bp: i64,
    pub visits_done: i64,
    pub visits_due: i64,
    pub visits_overdue: i64,
    /// Cases per state id.
    pub states: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionFigures {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StateColumn {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramFigures {
    pub id: String,
    pub name: String,
    pub fiscal_year: i32,
    pub workflow: String,
    /// The province that runs it.
    pub province: String,
    /// The workflow's states, in order.
    pub states: Vec<StateColumn>,
    pub total: Figures,
    pub regions: Vec<RegionFigures>,
}

/// One province across every program: what the Ministry compares.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvinceFigures {
    pub code: String,
    pub name: String,
    /// Programs with an allocation, a case or a visit in the province.
    pub programs: i64,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub programs: Vec<ProgramFigures>,
    /// Every program's figures summed per province (the province of each
    /// kabupaten/kota), in code order: one row for a province's reader.
    pub provinces: Vec<ProvinceFigures>,
    /// Every program's figures within the caller's region.
    pub total: Figures,
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.cases += other.cases;
        self.allocation += other.allocation;
        self.approved += other.approved;
        self.disbursed += other.disbursed;
        self.ordered += other.ordered;
        self.visits_done += other.visits_done;
        self.visits_due += other.visits_due;
        self.visits_overdue += other.visits_overdue;
        for (s, n) in &other.states {
            *self.states.entry(s.clone()).or_default() += n;
        }
    }

    fn finish(&mut self) {
        self.realisation_bp =
            pantau_domain::format::ratio_bp(self.disbursed, self.allocation).unwrap_or(0);
    }
}

/// A dashboard as its readers share it: the figures, their JSON once the
/// API has been asked for it, and the page's tables once a page has.
#[derive(Debug)]
pub struct Answer {
    pub dashboard: Dashboard,
    json: OnceLock<Result<Bytes, String>>,
    /// The page's tables by the province unfolded (`""` for none).
    html: std::sync::Mutex<BTreeMap<String, Arc<str>>>,
}

impl Answer {
    /// The page's tables with the province `open` unfolded, made by `make`
    /// the first time (the answer's key holds everything else they depend
    /// on: the scope and the language). Two readers asking at once may both
    /// make them; the first kept stays.
    pub(crate) fn html(
        &self,
        open: &str,
        make: impl FnOnce(&Dashboard) -> Result<String, ApiError>,
    ) -> Result<Arc<str>, ApiError> {
        let all = || self.html.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(html) = all().get(open) {
            return Ok(html.clone());
        }
        let made: Arc<str> = make(&self.dashboard)?.into();
        Ok(all().entry(open.to_string()).or_insert(made).clone())
    }

    fn json(&self) -> Result<Bytes, ApiError> {
        self.json
            .get_or_init(|| {
                serde_json::to_vec(&self.dashboard)
                    .map(Bytes::from)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(ApiError::Internal)
    }
}

/// The dashboard's figures for `caller`: those of their scope and language
/// while the database has not changed and no visit has turned overdue
/// since ([`crate::memo`]), else worked out.
/// `marker` is [`App::marker`], read before.
pub async fn build(
    app: &App,
    caller: &Caller,
    marker: Option<String>,
) -> Result<Arc<Answer>, ApiError> {
    let scope = caller.scope.region().map_or("*", |r| r.as_str());
    let key = format!("{scope}|{}", caller.lang.as_str());
    let now = app.now();
    app.dashboards
        .get(key, marker, now, || async {
            let err = |e| ApiError::from_store(e, caller.lang);
            // Read first: a visit falling due meanwhile ends the answer early.
            let next_due = app.store.next_due(&caller.scope, now).await.map_err(err)?;
            let answer = Arc::new(Answer {
                dashboard: work_out(app, caller, now).await?,
                json: OnceLock::new(),
                html: Default::default(),
            });
            Ok((answer, next_due.unwrap_or(DateTime::<Utc>::MAX_UTC)))
        })
        .await
}

/// The dashboard's figures for `caller` at `now`, from the database.
async fn work_out(app: &App, caller: &Caller, now: DateTime<Utc>) -> Result<Dashboard, ApiError> {
    let err = |e| ApiError::from_store(e, caller.lang);
    let scope = &caller.scope;
    let programs = app.store.programs_in(scope).await.map_err(err)?;
    let sums = app.store.state_sums(scope).await.map_err(err)?;
    let visits = app.store.visit_sums(scope, now).await.map_err(err)?;
    let allocations = app.store.allocations_within(scope).await.map_err(err)?;
    let ordered = app.store.ordered_amounts(scope).await.map_err(err)?;
    // Each list by program once: asked per program, a national reader's
    // three thousand programs walked tens of thousands of rows each.
    let allocations = by_program(&allocations, |a| Some(a.program_id.as_str()));
    let sums = by_program(&sums, |s| Some(s.program_id.as_str()));
    let ordered = by_program(&ordered, |o| o.program_id.as_deref());
    let visits = by_program(&visits, |v| Some(v.program_id.as_str()));
    let mut out = Vec::with_capacity(programs.len());
    for p in programs {
        let mut regions: BTreeMap<String, Figures> = BTreeMap::new();
        for a in of(&allocations, &p.id) {
            regions.entry(a.region_code.clone()).or_default().allocation = a.amount;
        }
        for s in of(&sums, &p.id) {
            let f = regions.entry(s.region.clone()).or_default();
            f.cases += s.cases;
            f.approved += s.approved;
            f.disbursed += s.disbursed;
            *f.states.entry(s.state.clone()).or_default() += s.cases;
        }
        for o in of(&ordered, &p.id) {
            regions.entry(o.region.clone()).or_default().ordered += o.ordered.get();
        }
        for v in of(&visits, &p.id) {
            let f = regions.entry(v.region.clone()).or_default();
            f.visits_done += v.done;
            f.visits_due += v.due;
            f.visits_overdue += v.overdue;
        }
        let mut total = Figures::default();
        let regions = regions
            .into_iter()
            .map(|(code, mut figures)| {
                figures.finish();
                total.add(&figures);
                RegionFigures {
                    name: app.region_name(&code),
                    code,
                    figures,
                }
            })
            .collect();
        total.finish();
        let def = app
            .catalog
            .get(&p.workflow, p.workflow_version as u32)
            .or_else(|| app.catalog.latest(&p.workflow));
        let states = def
            .map(|d| {
                d.states
                    .iter()
                    .map(|s| StateColumn {
                        id: s.id.clone(),
                        label: s.label.get(caller.lang).to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(ProgramFigures {
            id: p.id,
            name: p.name,
            fiscal_year: p.fiscal_year,
            workflow: p.workflow,
            province: p.province_code,
            states,
            total,
            regions,
        });
    }
    let (provinces, total) = by_province(app, &out);
    Ok(Dashboard {
        programs: out,
        provinces,
        total,
    })
}

/// `rows` by the program `id` gives each (those naming none left out).
fn by_program<'a, T>(
    rows: &'a [T],
    id: impl Fn(&'a T) -> Option<&'a str>,
) -> BTreeMap<&'a str, Vec<&'a T>> {
    let mut out: BTreeMap<&str, Vec<&T>> = BTreeMap::new();
    for r in rows {
        if let Some(p) = id(r) {
            out.entry(p).or_default().push(r);
        }
    }
    out
}

/// The rows of the program `id`.
fn of<'m, 'a, T>(rows: &'m BTreeMap<&str, Vec<&'a T>>, id: &str) -> &'m [&'a T] {
    rows.get(id).map_or(&[], Vec::as_slice)
}

/// The programs' figures summed per province, and over all.
fn by_province(app: &App, programs: &[ProgramFigures]) -> (Vec<ProvinceFigures>, Figures) {
    let mut provinces: BTreeMap<String, (BTreeSet<&str>, Figures)> = BTreeMap::new();
    for p in programs {
        for r in &p.regions {
            let code = RegionCode::parse(&r.code)
                .map_or_else(|_| r.code.clone(), |c| c.province().to_string());
            let (ids, f) = provinces.entry(code).or_default();
            ids.insert(&p.id);
            f.add(&r.figures);
        }
    }
    let mut total = Figures::default();
    let provinces = provinces
        .into_iter()
        .map(|(code, (ids, mut figures))| {
            figures.finish();
            total.add(&figures);
            ProvinceFigures {
                name: app.region_name(&code),
                code,
                programs: ids.len() as i64,
                figures,
            }
        })
        .collect();
    total.finish();
    (provinces, total)
}

/// For each program within the caller's region: cases per state per
/// kabupaten/kota, rupiah against the allocation (approved, sent to the
/// bank, disbursed), monev visits.
#[utoipa::path(get, path = "/api/dashboard", tag = "dashboard",
    responses((status = 200, body = Dashboard), (status = 401, body = ErrorBody)))]
pub async fn get_dashboard(
    State(app): State<App>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let answer = build(&app, &caller, app.marker().await).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], answer.json()?))
}
