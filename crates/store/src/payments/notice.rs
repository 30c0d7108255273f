//! Telling the managers what the bank did not pay: one email per manager
//! and result file (key `payment:BATCH:FILE:LOGIN`), listing the failed or
//! returned lines within that manager's region with the bank's reason.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Role, Rupiah};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::StoreError;
use crate::outbox::{insert_outbox, outbox_row};
use crate::schema::entity::{outbox, payment_batch, user};

/// The template (`templates/email/payment_failed.LANG.hbs`).
pub const TEMPLATE: &str = "payment_failed";

/// Queues the emails for `bounced` (case, region, amount, reason).
pub(super) async fn queue(
    db: &impl ConnectionTrait,
    batch: &payment_batch::Model,
    file: &str,
    bounced: &[(String, String, Rupiah, String)],
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    if bounced.is_empty() {
        return Ok(0);
    }
    let managers = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.is_in([
            Role::ManagerProvince.as_str(),
            Role::ManagerRegency.as_str(),
        ]))
        .all(db)
        .await?;
    let file: String = file.chars().take(16).collect();
    let mut rows = Vec::new();
    for m in managers {
        let Some(scope) = m
            .region_code
            .as_deref()
            .and_then(|r| RegionCode::parse(r).ok())
            .map(Scope::Region)
        else {
            continue;
        };
        let mine: Vec<_> = bounced
            .iter()
            .filter(|(_, region, _, _)| scope.covers(Some(region)))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let lang: Lang = m.lang.parse().unwrap_or_default();
        let mut by_region: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, region, _, _) in &mine {
            *by_region.entry(region.as_str()).or_default() += 1;
        }
        let payload = json!({
            "recipient": { "name": m.name, "email": m.email, "login": m.login },
            "batch": batch.number,
            "count": mine.len(),
            "total": Rupiah::new(mine.iter().map(|(_, _, a, _)| a.get()).sum()).unwrap_or(Rupiah::ZERO).to_string(),
            "lines": mine.iter().take(25).map(|(case, region, amount, reason)| json!({
                "case": case, "region": region, "amount": amount.to_string(), "reason": reason,
            })).collect::<Vec<_>>(),
            "more": mine.len().saturating_sub(25),
            "path": format!("/bayar/{}", batch.number),
        });
        let key = format!("payment:{}:{file}:{}", batch.number, m.login);
        let row = outbox_row(
            &key, "", &m.role, &m.login, TEMPLATE, lang, payload, "queued", now,
        );
        rows.push(outbox::ActiveModel {
            case_id: Set(None),
            kind: Set(TEMPLATE.into()),
            ..row
        });
    }
    insert_outbox(db, rows).await
}
