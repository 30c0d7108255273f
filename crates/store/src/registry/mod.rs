//! The registry's tables: regions (seeded from the shipped file),
//! beneficiaries (imported in batches, de-duplicated by natural key),
//! programs and allocations.

pub mod correct;
pub mod coverage;
pub mod duplicates;
pub mod import;
pub mod listing;
pub mod merge;
pub mod outstanding;
pub mod programs;
pub mod search;
pub mod years;

pub use correct::Correction;
pub use coverage::VillageCoop;
pub use duplicates::DuplicatePair;
pub use listing::{
    BeneficiaryRecord, RecordCase, RecordVisit, RegistryLine, RegistryQuery, Standing,
};
pub use merge::{MergeLine, MergeRefusal, Merged, YearChoice};
pub use programs::{Author, ProgramEdit, ProgramRefusal, StateCount};

use chrono::{DateTime, Utc};
use pantau_registry::beneficiary::{Beneficiary, Details};
use pantau_registry::regions::{Level, Regions};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbBackend, EntityTrait, IdenStatic,
    Iterable, PaginatorTrait, Statement, Value, sqlx,
};

use crate::schema::entity::{beneficiary, program, region};
use crate::{Store, StoreError};

/// Beneficiaries an importer hands [`Store::import_beneficiaries`] at a
/// time: each call is one transaction, so this many rows share one commit.
/// Every commit writes the index pages its rows touched to the WAL again, so
/// fewer, larger commits write less (measured on 1,000,000 rows: 50,000 a
/// batch wrote 1.9 GB for a 309 MB file at 65k rows/s; 100,000 wrote 1.3 GB at
/// 77k rows/s with a 129 MB peak; 200,000 no faster, 187 MB).
pub const BATCH: usize = 100_000;

/// Rows per INSERT: 23 columns × 1,000 stays under SQLite's 32,766 bind parameters.
const ROWS: usize = 1_000;

/// SQLite's page cache on the import's connection, in KiB (the default is
/// 2,000). Sorted ids keep the primary key's pages together, and without a
/// second unique index (migration `m20261205_000008`) 24 MB imports a
/// million rows as fast as 32 MB did, with less at peak (154–168 MB against
/// 163–195 MB in three runs each).
const IMPORT_CACHE_KIB: u32 = 24 * 1024;

/// A program to register, with its allocation per region.
#[derive(Debug, Clone)]
pub struct NewProgram {
    pub id: String,
    pub name: String,
    pub workflow: String,
    pub workflow_version: u32,
    pub fiscal_year: i32,
    pub funding_source: String,
    pub budget_ceiling: i64,
    pub province: String,
    pub allocations: Vec<(String, i64)>,
}

impl Store {
    /// Fills the regions table from `regions` when it is empty.
    pub async fn seed_regions(&self, regions: &Regions) -> Result<(), StoreError> {
        if region::Entity::find().count(&self.db).await? > 0 {
            return Ok(());
        }
        let rows: Vec<region::ActiveModel> = regions
            .iter()
            .map(|r| region::ActiveModel {
                code: Set(r.code.to_string()),
                name: Set(r.name.clone()),
                level: Set(match r.level {
                    Level::Province => "province",
                    Level::Regency => "regency",
                    Level::City => "city",
                }
                .to_string()),
                province_code: Set(r.province.to_string()),
                zone: Set(r.zone.as_str().to_string()),
            })
            .collect();
        for chunk in rows.chunks(ROWS) {
            region::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::column(region::Column::Code)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await?;
        }
        Ok(())
    }

    /// Inserts the beneficiaries not registered yet (by natural key), all in
    /// one transaction; returns how many were new. Hand it [`BATCH`] rows at
    /// a time: one commit per call. The ids must be derived from the natural
    /// keys (as [`crate::registry::import::beneficiary_id`] does): on SQLite a row whose
    /// id is registered already is skipped like one whose natural key is.
    pub async fn import_beneficiaries(
        &self,
        batch: &[(String, Beneficiary)],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        // In id order: the ids are hashes, and sorted they fill the primary
        // key's index page after page instead of touching a random page per
        // row (and two imports at once take their locks in the same order).
        let mut sorted: Vec<&(String, Beneficiary)> = batch.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if self.db_backend() == DbBackend::Sqlite {
            return self.import_sqlite(&sorted, now).await;
        }
        let backend = self.db_backend();
        let txn = self.begin_write().await?;
        let inserted = insert_chunks(backend, &sorted, now, Exec::Txn(&txn)).await?;
        txn.commit().await?;
        Ok(inserted)
    }

    /// SQLite's bulk load: a connection of its own, closed afterwards rather
    /// than handed back to the pool, with foreign keys off, so that with
    /// `OR IGNORE` no INSERT can stop halfway and SQLite keeps no statement
    /// journal (a copy of every index page each INSERT touches: a third of
    /// the time). The one foreign key, the region, is checked once for the
    /// batch instead, in the same transaction (`BEGIN IMMEDIATE`).
    async fn import_sqlite(
        &self,
        rows: &[&(String, Beneficiary)],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut conn = self
            .db
            .get_sqlite_connection_pool()
            .acquire()
            .await
            .map_err(sqlx_err)?;
        conn.close_on_drop();
        // Room for the natural-key index, whose pages a batch touches at
        // random: a page evicted mid-transaction is written out, and read and
        // written again when a later row lands on it.
        let setup = format!(
            "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -{IMPORT_CACHE_KIB}; BEGIN IMMEDIATE"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
            .execute(&mut *conn)
            .await
            .map_err(sqlx_err)?;
        let done = insert_sqlite(&mut conn, rows, now).await;
        let end = if done.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = sqlx::raw_sql(end)
            .execute(&mut *conn)
            .await
            .map_err(sqlx_err);
        let inserted = done?;
        ended?;
        Ok(inserted)
    }

    pub async fn program(&self, id: &str) -> Result<Option<crate::model::Program>, StoreError> {
        let row = program::Entity::find_by_id(id).one(&self.db).await?;
        Ok(row.map(Into::into))
    }

    pub async fn beneficiary_count(&self) -> Result<u64, StoreError> {
        Ok(beneficiary::Entity::find().count(&self.db).await?)
    }
}

/// The table's columns, in the order [`values`] gives them.
fn columns() -> Vec<beneficiary::Column> {
    beneficiary::Column::iter().collect()
}

/// Each row's values, column after column.
fn values(
    columns: &[beneficiary::Column],
    rows: &[&(String, Beneficiary)],
    now: DateTime<Utc>,
) -> Result<Vec<Value>, StoreError> {
    let mut out = Vec::with_capacity(columns.len() * rows.len());
    for (id, b) in rows {
        let mut m = row(id, b, now);
        for c in columns {
            out.push(m.take(*c).into_value().ok_or_else(|| {
                StoreError::Corrupt(format!("beneficiary column {} unset", c.as_str()))
            })?);
        }
    }
    Ok(out)
}

/// The rows on SQLite's bulk-load connection (see `Store::import_sqlite`).
async fn insert_sqlite(
    conn: &mut sqlx::SqliteConnection,
    rows: &[&(String, Beneficiary)],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut regions: Vec<&str> = rows.iter().map(|(_, b)| b.region.as_str()).collect();
    regions.sort_unstable();
    regions.dedup();
    let marks = vec!["?"; regions.len()].join(", ");
    let sql = format!("SELECT \"code\" FROM \"regions\" WHERE \"code\" IN ({marks})");
    let mut known = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.as_str()));
    for r in &regions {
        known = known.bind(*r);
    }
    let known = known.fetch_all(&mut *conn).await.map_err(sqlx_err)?;
    if let Some(missing) = regions.iter().find(|r| !known.iter().any(|k| k == *r)) {
        return Err(StoreError::Corrupt(format!(
            "region {missing} is not in the regions table"
        )));
    }
    insert_chunks(DbBackend::Sqlite, rows, now, Exec::Sqlite(conn)).await
}

/// Where a chunk of INSERTs runs: a transaction of the pool, or SQLite's
/// bulk-load connection.
enum Exec<'a> {
    Txn(&'a sea_orm::DatabaseTransaction),
    Sqlite(&'a mut sqlx::SqliteConnection),
}

impl Exec<'_> {
    async fn run(
        &mut self,
        backend: DbBackend,
        sql: String,
        values: Vec<Value>,
    ) -> Result<u64, StoreError> {
        match self {
            Exec::Txn(txn) => {
                let done = txn
                    .execute_raw(Statement::from_sql_and_values(backend, sql, values))
                    .await?;
                Ok(done.rows_affected())
            }
            Exec::Sqlite(conn) => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                for v in values {
                    query = match v {
                        Value::String(s) => query.bind(s),
                        Value::Int(n) => query.bind(n),
                        Value::Bool(b) => query.bind(b),
                        Value::ChronoDateTimeUtc(t) => query.bind(t),
                        other => {
                            return Err(StoreError::Corrupt(format!(
                                "no SQLite binding for {other:?}"
                            )));
                        }
                    };
                }
                let done = query.execute(&mut **conn).await.map_err(sqlx_err)?;
                Ok(done.rows_affected())
            }
        }
    }
}

/// `rows` as INSERTs of [`ROWS`] rows, run by `exec`, each chunk's values
/// made while the database inserts the one before; returns the rows inserted.
async fn insert_chunks(
    backend: DbBackend,
    rows: &[&(String, Beneficiary)],
    now: DateTime<Utc>,
    mut exec: Exec<'_>,
) -> Result<u64, StoreError> {
    let columns = columns();
    let full = insert_sql(backend, &columns, ROWS);
    let chunks: Vec<_> = rows.chunks(ROWS).collect();
    let mut inserted = 0;
    let mut next = chunks
        .first()
        .map(|c| values(&columns, c, now))
        .transpose()?;
    for (i, chunk) in chunks.iter().enumerate() {
        let sql = if chunk.len() == ROWS {
            full.clone()
        } else {
            insert_sql(backend, &columns, chunk.len())
        };
        let (done, made) = tokio::join!(
            exec.run(backend, sql, next.take().unwrap_or_default()),
            async {
                chunks
                    .get(i + 1)
                    .map(|c| values(&columns, c, now))
                    .transpose()
            }
        );
        inserted += done?;
        next = made?;
    }
    Ok(inserted)
}

fn sqlx_err(e: sqlx::Error) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(
        std::sync::Arc::new(e),
    )))
}

/// One INSERT of `rows` beneficiaries that skips those registered already:
/// `INSERT OR IGNORE` on SQLite (see `Store::import_sqlite`), `ON CONFLICT
/// (id) DO NOTHING` on PostgreSQL: the id is derived from the natural key.
fn insert_sql(backend: DbBackend, columns: &[beneficiary::Column], rows: usize) -> String {
    let names: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect();
    let sqlite = backend == DbBackend::Sqlite;
    let mut sql = format!(
        "INSERT {}INTO \"beneficiaries\" ({}) VALUES ",
        if sqlite { "OR IGNORE " } else { "" },
        names.join(", ")
    );
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if sqlite {
                sql.push('?');
            } else {
                sql.push_str(&format!("${n}"));
            }
        }
        sql.push(')');
    }
    if !sqlite {
        sql.push_str(" ON CONFLICT (\"id\") DO NOTHING");
    }
    sql
}

fn row(id: &str, b: &Beneficiary, now: DateTime<Utc>) -> beneficiary::ActiveModel {
    let mut m = beneficiary::ActiveModel {
        id: Set(id.to_string()),
        kind: Set(b.kind().to_string()),
        natural_key: Set(b.natural_key()),
        region_code: Set(b.region.to_string()),
        name: Set(b.name.clone()),
        nik_koperasi: Set(None),
        legal_entity_number: Set(None),
        coop_kind: Set(None),
        members: Set(None),
        active: Set(None),
        last_rat_year: Set(None),
        nib: Set(None),
        owner_nik: Set(None),
        scale: Set(None),
        nik: Set(None),
        market_location: Set(None),
        lat_micro: Set(b.location.map(|p| (p.lat() * 1e6).round() as i32)),
        lon_micro: Set(b.location.map(|p| (p.lon() * 1e6).round() as i32)),
        created_at: Set(now),
        address: Set(b.contact.address.clone()),
        phone: Set(b.contact.phone.clone()),
        dissolved: Set(false),
        desa_code: Set(b.desa.map(|d| d.to_string())),
        merged_into: Set(None),
    };
    match &b.details {
        Details::Cooperative {
            nik,
            legal_entity,
            coop_kind,
            members,
            active,
            last_rat_year,
        } => {
            m.nik_koperasi = Set(Some(nik.to_string()));
            m.legal_entity_number = Set(Some(legal_entity.to_string()));
            m.coop_kind = Set(Some(coop_kind.clone()));
            m.members = Set(Some(i32::try_from(*members).unwrap_or(i32::MAX)));
            m.active = Set(Some(*active));
            m.last_rat_year = Set(last_rat_year.map(i32::from));
        }
        Details::Umkm { nib, owner, scale } => {
            m.nib = Set(Some(nib.to_string()));
            m.owner_nik = Set(Some(owner.to_string()));
            m.scale = Set(Some(scale.as_str().to_string()));
        }
        Details::Pkl {
            nik,
            market_location,
        } => {
            m.nik = Set(Some(nik.to_string()));
            m.market_location = Set(Some(market_location.clone()));
        }
        Details::Entrepreneur { nik } => m.nik = Set(Some(nik.to_string())),
    }
    m
}

/// One allocation with what is approved and disbursed against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationUse {
    pub region_code: String,
    pub allocation: i64,
    pub approved: i64,
    pub disbursed: i64,
    pub cases: i64,
}

impl Store {
    /// Each region's allocation of a program, with the sums of its cases.
    pub async fn allocation_use(&self, program_id: &str) -> Result<Vec<AllocationUse>, StoreError> {
        let sql = "SELECT a.region_code, a.amount, \
                   CAST(COALESCE(SUM(c.approved_amount), 0) AS BIGINT), CAST(COALESCE(SUM(c.disbursed_amount), 0) AS BIGINT), COUNT(c.id) \
                   FROM allocations a LEFT JOIN cases c ON c.program_id = a.program_id AND c.region = a.region_code \
                   WHERE a.program_id = $1 GROUP BY a.region_code, a.amount ORDER BY a.region_code";
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                self.db_backend(),
                sql,
                [program_id.into()],
            ))
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AllocationUse {
                    region_code: r.try_get_by_index(0)?,
                    allocation: r.try_get_by_index(1)?,
                    approved: r.try_get_by_index(2)?,
                    disbursed: r.try_get_by_index(3)?,
                    cases: r.try_get_by_index(4)?,
                })
            })
            .collect::<Result<_, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }
}
