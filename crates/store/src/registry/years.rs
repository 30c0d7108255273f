//! A cooperative's record of a year: written when a `data_tahunan` case is
//! verified (`Effect::RecordYear`, in the transition's transaction), or
//! seeded by `pantau demo`. One row per cooperative and year; a later
//! record of the same year replaces it (the cases keep every version).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_registry::beneficiary::Scale;
use pantau_workflow::Value;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, IdenStatic, Iterable};

use crate::schema::entity::cooperative_year;
use crate::{Store, StoreError, model};

/// Where a verified record came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verified<'a> {
    pub case_id: &'a str,
    pub seq: i64,
    pub by: &'a str,
    pub at: DateTime<Utc>,
}

/// The row a verified case's answers make: the fields the indicators and
/// the registry read by their ids (`active`, `rat_held`, `quality`,
/// `members`, `rat_date`, `own_capital`, `outside_capital`, `assets`,
/// `business_volume`, `shu`, `ksp_health`; a UMKM's `scale`, `workers`,
/// `turnover_band`), and every answer as JSON.
pub(crate) fn from_answers(
    beneficiary_id: &str,
    year: i32,
    figures: &BTreeMap<String, Value>,
    from: Verified<'_>,
) -> Result<model::CooperativeYear, StoreError> {
    let yes = |k: &str| matches!(figures.get(k), Some(Value::YesNo(true)));
    let number = |k: &str| match figures.get(k) {
        Some(Value::Number(n)) => Some(*n),
        Some(v @ Value::Rupiah(_)) => v.as_rupiah().map(|r| r.get()),
        _ => None,
    };
    let text = |k: &str| match figures.get(k) {
        Some(Value::Choice(s) | Value::Text(s)) => Some(s.clone()),
        Some(Value::Date(d)) => Some(d.format("%Y-%m-%d").to_string()),
        _ => None,
    };
    Ok(model::CooperativeYear {
        beneficiary_id: beneficiary_id.to_string(),
        year,
        active: yes("active"),
        rat_held: yes("rat_held"),
        quality: yes("quality"),
        members: number("members").and_then(|n| i32::try_from(n).ok()),
        rat_date: text("rat_date"),
        own_capital: number("own_capital"),
        outside_capital: number("outside_capital"),
        assets: number("assets"),
        business_volume: number("business_volume"),
        shu: number("shu"),
        ksp_health: text("ksp_health"),
        figures: Some(serde_json::to_string(figures)?),
        case_id: Some(from.case_id.to_string()),
        event_seq: Some(from.seq),
        verified_by: Some(from.by.to_string()),
        verified_at: Some(from.at),
        scale: text("scale")
            .as_deref()
            .and_then(Scale::parse)
            .map(|s| s.as_str().to_string()),
        workers: number("workers").and_then(|n| i32::try_from(n).ok()),
        turnover_band: text("turnover_band"),
    })
}

fn row(y: model::CooperativeYear) -> cooperative_year::ActiveModel {
    cooperative_year::Model {
        beneficiary_id: y.beneficiary_id,
        year: y.year,
        active: y.active,
        rat_held: y.rat_held,
        quality: y.quality,
        members: y.members,
        rat_date: y.rat_date,
        own_capital: y.own_capital,
        outside_capital: y.outside_capital,
        assets: y.assets,
        business_volume: y.business_volume,
        shu: y.shu,
        ksp_health: y.ksp_health,
        figures: y.figures,
        case_id: y.case_id,
        event_seq: y.event_seq,
        verified_by: y.verified_by,
        verified_at: y.verified_at,
        scale: y.scale,
        workers: y.workers,
        turnover_band: y.turnover_band,
    }
    .into()
}

/// Writes `rows`, each replacing the record of its cooperative and year
/// (the last of two for the same cooperative and year wins).
pub(crate) async fn upsert(
    conn: &impl ConnectionTrait,
    rows: Vec<model::CooperativeYear>,
) -> Result<(), StoreError> {
    let mut last: BTreeMap<(String, i32), model::CooperativeYear> = BTreeMap::new();
    for y in rows {
        last.insert((y.beneficiary_id.clone(), y.year), y);
    }
    let models: Vec<cooperative_year::ActiveModel> = last.into_values().map(row).collect();
    let keys = [
        cooperative_year::Column::BeneficiaryId,
        cooperative_year::Column::Year,
    ];
    let others: Vec<cooperative_year::Column> = cooperative_year::Column::iter()
        .filter(|c| !keys.iter().any(|k| k.as_str() == c.as_str()))
        .collect();
    for chunk in models.chunks(500) {
        cooperative_year::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns(keys)
                    .update_columns(others.clone())
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Records cooperatives' yearly status; a second record of the same
    /// cooperative and year replaces the first.
    pub async fn record_cooperative_years(
        &self,
        rows: Vec<model::CooperativeYear>,
    ) -> Result<(), StoreError> {
        upsert(&self.db, rows).await
    }
}
