//! Daily digests: a user who chose one gets their held reminders in one
//! email a day, at their own zone's round (their region's zone; WIB when
//! national), key `digest:LOGIN:DATE` (the date in their zone).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_domain::{Lang, Zone};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use super::sweep::zones;
use super::{Links, insert_outbox, outbox_row};
use crate::StoreError;
use crate::schema::entity::{outbox, user};

/// Gathers the held items of `zone`'s digest users into one email each,
/// once per day of theirs; returns how many digests were made.
pub(super) async fn compile(
    txn: &DatabaseTransaction,
    links: &Links,
    zone: Zone,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let items = outbox::Entity::find()
        .filter(outbox::Column::Status.eq("held"))
        .order_by_asc(outbox::Column::CreatedAt)
        .all(txn)
        .await?;
    let mut by_user: BTreeMap<String, Vec<outbox::Model>> = BTreeMap::new();
    for i in items {
        by_user
            .entry(i.to_user.clone().unwrap_or_default())
            .or_default()
            .push(i);
    }
    let zones = zones(txn).await?;
    let today = now.with_timezone(&zone.offset()).date_naive();
    let mut made = 0;
    for (login, items) in by_user {
        let Some(u) = user::Entity::find_by_id(login.as_str()).one(txn).await? else {
            continue;
        };
        let theirs = u
            .region_code
            .as_ref()
            .and_then(|r| zones.get(r))
            .copied()
            .unwrap_or_default();
        if theirs != zone || u.last_digest_on == Some(today) {
            continue;
        }
        let lang: Lang = u.lang.parse().unwrap_or_default();
        let entries: Vec<serde_json::Value> = items
            .iter()
            .map(|i| {
                let p: serde_json::Value = serde_json::from_str(&i.payload).unwrap_or_default();
                json!({ "template": i.template, "case": p["case"], "program": p["program"], "state": p["state"], "due_at": p["due_at"], "since": p["since"], "link": p["link"] })
            })
            .collect();
        let payload = json!({
            "recipient": { "name": u.name, "email": u.email, "login": u.login },
            "date": pantau_domain::long_date(today, lang),
            "items": entries,
            "count": items.len(),
            "link": links.base_url,
        });
        let key = format!("digest:{}:{today}", u.login);
        let row = outbox_row(
            &key, "", &u.role, &u.login, "digest", lang, payload, "queued", now,
        );
        insert_outbox(
            txn,
            vec![outbox::ActiveModel {
                case_id: Set(None),
                kind: Set("digest".into()),
                ..row
            }],
        )
        .await?;
        let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("digested"))
            .filter(outbox::Column::Id.is_in(ids))
            .exec(txn)
            .await?;
        user::Entity::update_many()
            .col_expr(user::Column::LastDigestOn, Expr::value(today))
            .filter(user::Column::Login.eq(u.login.as_str()))
            .exec(txn)
            .await?;
        made += 1;
    }
    Ok(made)
}
