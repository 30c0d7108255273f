//! A file of cooperatives' yearly data (CSV or XLSX) made into
//! `data_tahunan` cases: each row opens a case for its cooperative in the
//! chosen program and applies the proposal action (`submit`) with the
//! row's answers and `data_source` = "FILE, baris LINE", so each figure's
//! file, line, sender and time are on the record; the province verifies
//! or returns each case as it would a case entered by the form.
//!
//! All or nothing: every row is checked first (its columns, its
//! cooperative found and within the importer's region, the engine's own
//! reading of its answers, a cooperative and year listed once); one bad
//! row refuses the file, with every problem by line and column, and
//! nothing is written. A good file is then written [`CHUNK`] rows per
//! transaction, each chunk decided in batches on a blocking thread while
//! the batch before is written (the decrees' way). Each row's case is
//! opened under the key `yearly:FILE-SHA256:LINE`, so the same file again
//! (or a run cut short, again) writes only what is not there yet.
//!
//! A cooperative whose year is already verified gets a new case: a
//! correction is a new version, never an edit; the report lists them.

mod decide;
mod read;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::Datelike;
use pantau_domain::Label;
use pantau_domain::access::Scope;
use pantau_domain::{RegionCode, Role};
use pantau_workflow::{Beneficiary, Catalog, Context, Definition};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cases::apply::{retry, stored_precision};
use crate::cases::write::Writes;
use crate::decree::{restore_cache, widen_cache};
use crate::registry::import::cooperative_id;
use crate::schema::entity::{beneficiary, cooperative_year, event};
use crate::{Store, StoreError};
use decide::{Ready, decide, key};

/// Rows per transaction, as a decree's cases.
pub use crate::decree::CHUNK;

/// Rows per batch within a chunk: one batch is decided while the last is written.
const BATCH: usize = 250;

/// Keys or ids per `IN (…)` list.
const LIST: usize = 500;

/// The file as sent: its name (for `data_source`) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct YearFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// One problem of one refused row: its line, the column as the file names
/// it (empty for the whole row) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: u64,
    pub column: String,
    pub reason: Label,
}

/// A row whose cooperative already has a verified record of its year:
/// its case is a correction, which replaces the record once verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub line: u64,
    pub nik_koperasi: String,
    pub year: i32,
    /// The case whose verification made the record.
    pub verified_case: Option<String>,
}

/// What an import did, or, when `refused` is not empty, why it did nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct YearReport {
    /// SHA-256 of the file's bytes, in hex.
    pub file_hash: String,
    /// Rows read (not counting the header).
    pub rows: usize,
    /// Rows made into cases by this run.
    pub made: usize,
    /// Rows an earlier import of the same file already made into cases.
    pub already: usize,
    pub corrections: Vec<Correction>,
    /// Every problem of every refused row, by line; when any, nothing was written.
    pub refused: Vec<RowProblem>,
}

impl YearReport {
    /// Whether the file was taken (nothing refused).
    pub fn applied(&self) -> bool {
        self.refused.is_empty()
    }
}

/// Why a file was not read at all.
#[derive(Debug, thiserror::Error)]
pub enum YearImportError {
    /// Neither a CSV in an encoding Excel writes nor a workbook.
    #[error("{0}")]
    Unreadable(String),
    /// No such program within the importer's region.
    #[error("no program {0}")]
    NoProgram(String),
    /// The program's workflow records no cooperative's year.
    #[error("program {0} does not take cooperatives' yearly data")]
    NotYearly(String),
    /// The importer's role may not open the program's cases.
    #[error("role {role} may not open cases of {workflow}")]
    Role { role: Role, workflow: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What every chunk of one import shares, owned so a blocking thread can decide with it.
struct Shared {
    def: Arc<Definition>,
    source: Arc<str>,
    action: Arc<str>,
    program: Arc<str>,
    hash: Arc<str>,
    cx: Arc<Context>,
    rows: Arc<Vec<Ready>>,
}

impl Store {
    /// Imports `file` into program `program_id` for the actor of `cx`,
    /// within `scope`: see the module's documentation.
    pub async fn import_years(
        &self,
        catalog: &Catalog,
        program_id: &str,
        file: YearFile<'_>,
        cx: &Context,
        scope: &Scope,
    ) -> Result<YearReport, YearImportError> {
        let cx = stored_precision(cx);
        let (def, province) = self.yearly_program(catalog, program_id, scope).await?;
        if !def.opened_by.contains(&cx.actor.role) {
            return Err(YearImportError::Role {
                role: cx.actor.role,
                workflow: def.id.clone(),
            });
        }
        let hash = hex(&Sha256::digest(file.bytes));
        let parsed = read::parse(file.bytes, cx.now.year()).map_err(YearImportError::Unreadable)?;
        let mut report = YearReport {
            file_hash: hash.clone(),
            rows: parsed.rows.len() + lines(&parsed.refused),
            refused: parsed.refused,
            ..YearReport::default()
        };
        let Some(header) = parsed.header else {
            return Ok(report);
        };
        let found = self
            .cooperatives(parsed.rows.iter().map(|(_, r)| cooperative_id(&r.nik)))
            .await?;
        let nik_column = header.written("nik_koperasi");
        let mut ready = Vec::with_capacity(parsed.rows.len());
        let mut years = Vec::with_capacity(parsed.rows.len());
        for (line, row) in parsed.rows {
            let id = cooperative_id(&row.nik);
            let problem = match found.get(&id) {
                None => Some(Label::new(
                    format!("`{}` tidak terdaftar di registri koperasi", row.nik),
                    format!("`{}` is not in the cooperatives' registry", row.nik),
                )),
                Some(region) if !scope.covers(Some(region)) => Some(Label::new(
                    format!("`{}` di luar wilayah Anda ({region})", row.nik),
                    format!("`{}` is outside your region ({region})", row.nik),
                )),
                Some(region) if !within(&province, region) => Some(Label::new(
                    format!("`{}` di luar provinsi program ini ({region})", row.nik),
                    format!(
                        "`{}` is outside this program's province ({region})",
                        row.nik
                    ),
                )),
                Some(_) => None,
            };
            if let Some(reason) = problem {
                report.refused.push(RowProblem {
                    line,
                    column: nik_column.clone(),
                    reason,
                });
                continue;
            }
            let mut answers = row.answers;
            answers.insert("data_source".into(), format!("{}, baris {line}", file.name));
            years.push((line, row.nik.to_string(), row.year));
            ready.push(Ready {
                line,
                region: found.get(&id).cloned().unwrap_or_default(),
                beneficiary_id: id,
                answers,
            });
        }
        let shared = Shared {
            source: Arc::from(catalog.source(&def.id, def.version).unwrap_or_default()),
            action: Arc::from(def.stages.proposal.as_str()),
            def,
            program: Arc::from(program_id),
            hash: Arc::from(hash.as_str()),
            cx: Arc::new(cx),
            rows: Arc::new(ready),
        };
        report.refused.extend(check(&shared, &header).await?);
        if !report.refused.is_empty() {
            report.refused.sort_by_key(|p| p.line);
            return Ok(report);
        }
        report.corrections = self.corrections(&shared.rows, &years).await?;
        for start in (0..shared.rows.len()).step_by(CHUNK) {
            let end = (start + CHUNK).min(shared.rows.len());
            let (made, already) = retry(|| self.year_chunk(&shared, start..end)).await?;
            report.made += made;
            report.already += already;
        }
        Ok(report)
    }

    /// The programs `scope` may send yearly data to: those whose workflow
    /// records cooperatives' years, in a province the scope lies in or covers.
    pub async fn yearly_programs(
        &self,
        catalog: &Catalog,
        scope: &Scope,
    ) -> Result<Vec<crate::model::Program>, StoreError> {
        Ok(self
            .programs_in(&Scope::National)
            .await?
            .into_iter()
            .filter(|p| visible(scope, &p.province_code))
            .filter(|p| {
                let version = u32::try_from(p.workflow_version).unwrap_or_default();
                catalog
                    .get(&p.workflow, version)
                    .is_some_and(|d| takes_years(d))
            })
            .collect())
    }

    /// The program's definition and province, when the program is within
    /// `scope` and its workflow records cooperatives' years.
    async fn yearly_program(
        &self,
        catalog: &Catalog,
        program_id: &str,
        scope: &Scope,
    ) -> Result<(Arc<Definition>, String), YearImportError> {
        let no = || YearImportError::NoProgram(program_id.to_string());
        let program = self.program(program_id).await?.ok_or_else(no)?;
        if !visible(scope, &program.province_code) {
            return Err(no());
        }
        let version = u32::try_from(program.workflow_version).unwrap_or_default();
        let def = catalog
            .get(&program.workflow, version)
            .filter(|d| takes_years(d))
            .ok_or_else(|| YearImportError::NotYearly(program_id.to_string()))?;
        Ok((def.clone(), program.province_code))
    }

    /// The region of each registered cooperative among `ids`.
    async fn cooperatives(
        &self,
        ids: impl Iterator<Item = String>,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let ids: Vec<String> = ids.collect::<BTreeSet<_>>().into_iter().collect();
        let mut found = BTreeMap::new();
        for list in ids.chunks(LIST) {
            let rows: Vec<(String, String)> = beneficiary::Entity::find()
                .select_only()
                .column(beneficiary::Column::Id)
                .column(beneficiary::Column::RegionCode)
                .filter(beneficiary::Column::Id.is_in(list.iter().cloned()))
                .filter(beneficiary::Column::Kind.eq("cooperative"))
                .into_tuple()
                .all(&self.db)
                .await?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// The rows whose cooperative and year already have a verified record.
    async fn corrections(
        &self,
        rows: &[Ready],
        years: &[(u64, String, i32)],
    ) -> Result<Vec<Correction>, StoreError> {
        let ids: Vec<String> = rows
            .iter()
            .map(|r| r.beneficiary_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut recorded = BTreeMap::new();
        for list in ids.chunks(LIST) {
            let found: Vec<(String, i32, Option<String>)> = cooperative_year::Entity::find()
                .select_only()
                .column(cooperative_year::Column::BeneficiaryId)
                .column(cooperative_year::Column::Year)
                .column(cooperative_year::Column::CaseId)
                .filter(cooperative_year::Column::BeneficiaryId.is_in(list.iter().cloned()))
                .filter(cooperative_year::Column::VerifiedAt.is_not_null())
                .into_tuple()
                .all(&self.db)
                .await?;
            recorded.extend(found.into_iter().map(|(b, y, c)| ((b, y), c)));
        }
        Ok(rows
            .iter()
            .zip(years)
            .filter_map(|(r, (line, nik, year))| {
                recorded
                    .get(&(r.beneficiary_id.clone(), *year))
                    .map(|case| Correction {
                        line: *line,
                        nik_koperasi: nik.clone(),
                        year: *year,
                        verified_case: case.clone(),
                    })
            })
            .collect())
    }

    /// One transaction: the rows `range` not yet written opened and
    /// submitted; returns (made, already there).
    async fn year_chunk(
        &self,
        shared: &Shared,
        range: std::ops::Range<usize>,
    ) -> Result<(usize, usize), StoreError> {
        let txn = self.begin_write().await?;
        let cache = widen_cache(self, &txn).await?;
        let done = year_chunk_in(&txn, shared, range).await;
        restore_cache(&txn, cache).await?;
        let done = done?;
        txn.commit().await?;
        Ok(done)
    }
}

/// Whether `def` takes cooperatives' yearly data: for cooperatives, with
/// an action that records the year.
pub fn takes_years(def: &Definition) -> bool {
    def.beneficiary == Beneficiary::Cooperative
        && def.actions.iter().any(|a| a.records_year.is_some())
}

/// Whether a program of `province` is within `scope`: the province's own
/// users, its kabupaten/kota's, and national ones.
fn visible(scope: &Scope, province: &str) -> bool {
    scope
        .region()
        .is_none_or(|mine| within(province, mine.as_str()))
}

/// Whether `region` lies in `province` (or is it).
fn within(province: &str, region: &str) -> bool {
    match (RegionCode::parse(province), RegionCode::parse(region)) {
        (Ok(p), Ok(r)) => p.covers(&r) || r.covers(&p),
        _ => false,
    }
}

/// How many lines `problems` name.
fn lines(problems: &[RowProblem]) -> usize {
    problems
        .iter()
        .map(|p| p.line)
        .filter(|l| *l > 1)
        .collect::<BTreeSet<_>>()
        .len()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every row decided by the engine in memory, on blocking threads (one per
/// core): the problems of the rows it refuses, by line and column.
async fn check(
    shared: &Shared,
    header: &pantau_registry::yearly::Header,
) -> Result<Vec<RowProblem>, StoreError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = shared.rows.len().div_ceil(threads).max(1);
    let mut jobs = Vec::new();
    for start in (0..shared.rows.len()).step_by(per) {
        let (def, cx, rows) = (shared.def.clone(), shared.cx.clone(), shared.rows.clone());
        let (action, program, hash) = (
            shared.action.clone(),
            shared.program.clone(),
            shared.hash.clone(),
        );
        jobs.push(tokio::task::spawn_blocking(move || {
            let end = (start + per).min(rows.len());
            rows[start..end]
                .iter()
                .filter_map(|r| {
                    decide(&def, &action, &program, &hash, r, &cx)
                        .err()
                        .map(|p| (r.line, p))
                })
                .collect::<Vec<_>>()
        }));
    }
    let mut out = Vec::new();
    for job in jobs {
        let refused = job
            .await
            .map_err(|e| StoreError::Corrupt(format!("checking a yearly file: {e}")))?;
        for (line, problems) in refused {
            out.extend(problems.into_iter().map(|(field, reason)| RowProblem {
                line,
                column: if field.is_empty() {
                    field
                } else {
                    header.written(&field)
                },
                reason,
            }));
        }
    }
    Ok(out)
}

/// Writes the rows of `range` whose case is not there yet, deciding each
/// batch on a blocking thread while the batch before is written.
async fn year_chunk_in(
    txn: &DatabaseTransaction,
    shared: &Shared,
    range: std::ops::Range<usize>,
) -> Result<(usize, usize), StoreError> {
    crate::cases::pin::pin(txn, &shared.def, &shared.source, shared.cx.now).await?;
    let keys: Vec<String> = shared.rows[range.clone()]
        .iter()
        .map(|r| key(&shared.hash, r.line))
        .collect();
    let mut there = BTreeSet::new();
    for list in keys.chunks(LIST) {
        let found: Vec<String> = event::Entity::find()
            .select_only()
            .column(event::Column::IdemKey)
            .filter(event::Column::IdemKey.is_in(list.iter().cloned()))
            .into_tuple()
            .all(txn)
            .await?;
        there.extend(found);
    }
    let todo: Vec<usize> = range
        .zip(&keys)
        .filter(|(_, k)| !there.contains(*k))
        .map(|(i, _)| i)
        .collect();
    let mut batches = todo.chunks(BATCH).map(<[usize]>::to_vec);
    let mut written: Option<Writes> = None;
    loop {
        let batch = batches.next();
        if batch.is_none() && written.is_none() {
            break;
        }
        let deciding = batch.map(|batch| {
            let (def, cx, rows) = (shared.def.clone(), shared.cx.clone(), shared.rows.clone());
            let (action, program, hash) = (
                shared.action.clone(),
                shared.program.clone(),
                shared.hash.clone(),
            );
            tokio::task::spawn_blocking(move || -> Result<Writes, StoreError> {
                let mut writes = Writes::default();
                for i in batch {
                    let made =
                        decide(&def, &action, &program, &hash, &rows[i], &cx).map_err(|p| {
                            StoreError::Corrupt(format!("a checked row was refused: {p:?}"))
                        })?;
                    writes.add_steps(&made.before, &made.steps, cx.now)?;
                }
                Ok(writes)
            })
        });
        let writing = async {
            match written.take() {
                Some(w) => w.flush(txn).await,
                None => Ok(()),
            }
        };
        let decided = async {
            match deciding {
                Some(job) => job
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("deciding a yearly file: {e}")))?
                    .map(Some),
                None => Ok(None),
            }
        };
        let (wrote, decided) = tokio::join!(writing, decided);
        wrote?;
        written = decided?;
    }
    Ok((todo.len(), there.len()))
}
