//! The registry's tables: regions (seeded from the shipped file),
//! beneficiaries (imported in batches, de-duplicated by natural key),
//! programs and allocations.

use chrono::{DateTime, Utc};
use pantau_registry::beneficiary::{Beneficiary, Details};
use pantau_registry::regions::{Level, Regions};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, EntityTrait, PaginatorTrait};

use crate::entity::{allocation, beneficiary, program, region};
use crate::{Store, StoreError};

/// Rows per INSERT: 20 columns × 1,000 stays under SQLite's 32,766 bind parameters.
pub const BATCH: usize = 1_000;

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
        for chunk in rows.chunks(BATCH) {
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

    /// Inserts the beneficiaries not registered yet (by natural key), in one
    /// transaction per call; returns how many were new.
    pub async fn import_beneficiaries(
        &self,
        batch: &[(String, Beneficiary)],
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let rows: Vec<beneficiary::ActiveModel> =
            batch.iter().map(|(id, b)| row(id, b, now)).collect();
        let mut inserted = 0;
        for chunk in rows.chunks(BATCH) {
            inserted += beneficiary::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::column(beneficiary::Column::NaturalKey)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await?;
        }
        Ok(inserted)
    }

    /// Registers a program and its allocations; registering it again changes nothing.
    pub async fn add_program(&self, p: &NewProgram) -> Result<bool, StoreError> {
        if program::Entity::find_by_id(p.id.as_str())
            .one(&self.db)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        program::Entity::insert(program::ActiveModel {
            id: Set(p.id.clone()),
            name: Set(p.name.clone()),
            workflow: Set(p.workflow.clone()),
            workflow_version: Set(p.workflow_version as i32),
            fiscal_year: Set(p.fiscal_year),
            funding_source: Set(p.funding_source.clone()),
            budget_ceiling: Set(p.budget_ceiling),
            province_code: Set(p.province.clone()),
        })
        .exec_without_returning(&self.db)
        .await?;
        let rows: Vec<allocation::ActiveModel> = p
            .allocations
            .iter()
            .map(|(region, amount)| allocation::ActiveModel {
                program_id: Set(p.id.clone()),
                region_code: Set(region.clone()),
                amount: Set(*amount),
                approved: Set(0),
            })
            .collect();
        if !rows.is_empty() {
            allocation::Entity::insert_many(rows)
                .exec_without_returning(&self.db)
                .await?;
        }
        Ok(true)
    }

    pub async fn program(&self, id: &str) -> Result<Option<program::Model>, StoreError> {
        Ok(program::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn beneficiary_count(&self) -> Result<u64, StoreError> {
        Ok(beneficiary::Entity::find().count(&self.db).await?)
    }
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
        use sea_orm::{ConnectionTrait, Statement};
        let sql = "SELECT a.region_code, a.amount, \
                   CAST(COALESCE(SUM(c.approved_amount), 0) AS BIGINT), CAST(COALESCE(SUM(c.disbursed_amount), 0) AS BIGINT), COUNT(c.id) \
                   FROM allocations a LEFT JOIN cases c ON c.program_id = a.program_id AND c.region = a.region_code \
                   WHERE a.program_id = $1 GROUP BY a.region_code, a.amount ORDER BY a.region_code";
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                self.backend(),
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
