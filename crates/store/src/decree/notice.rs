//! Telling the regions what a decree did: one email per person, not one per
//! case. When a decree has been applied, one notice per kabupaten/kota and
//! notified role waits in the outbox (`kind = 'decree'`, no recipient yet);
//! the reminder sweep resolves each to the people holding the role there
//! (their province's and national ones too) and queues one email per
//! person and decree, key `decree:DECREE:LOGIN`, listing what the decree did
//! within that person's region: a province manager of fifteen kabupaten/kota
//! gets one email, not fifteen, and a decree of 6,000 cases is not 6,000
//! emails.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Role, Rupiah};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::json;

use crate::outbox::{Links, insert_outbox, outbox_row};
use crate::schema::entity::{decree, outbox, program, user};
use crate::{Store, StoreError};

/// The template of a decree's email (`templates/email/decree_notice.LANG.hbs`).
pub const TEMPLATE: &str = "decree_notice";

/// Cases an email lists by name; the rest are counted, and the decree's page has them all.
const LISTED: usize = 25;

/// Queues the notices of a decree; returns how many were new.
pub(super) async fn queue(
    db: &impl ConnectionTrait,
    decree_id: &str,
    notices: &BTreeSet<(String, Role)>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let rows: Vec<outbox::ActiveModel> = notices
        .iter()
        .map(|(region, role)| {
            let key = format!("decree:{decree_id}:{region}:{}", role.as_str());
            let payload = json!({ "decree_id": decree_id, "region": region });
            // Addressed to a role in a region: the sweep finds the people.
            outbox::ActiveModel {
                case_id: Set(None),
                to_user: Set(None),
                kind: Set("decree".into()),
                ..outbox_row(
                    &key,
                    "",
                    role.as_str(),
                    "",
                    TEMPLATE,
                    Lang::Id,
                    payload,
                    "queued",
                    now,
                )
            }
        })
        .collect();
    let queued = insert_outbox(db, rows).await?;
    Ok(usize::try_from(queued).unwrap_or(usize::MAX))
}

/// A notice waiting to be addressed: (outbox id, decree id, region, role).
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub id: String,
    pub decree_id: String,
    pub region: String,
    pub role: String,
}

impl Notice {
    pub(crate) fn of(row: &outbox::Model) -> Option<Notice> {
        let p: serde_json::Value = serde_json::from_str(&row.payload).ok()?;
        Some(Notice {
            id: row.id.clone(),
            decree_id: p["decree_id"].as_str()?.to_string(),
            region: p["region"].as_str()?.to_string(),
            role: row.to_role.clone(),
        })
    }
}

impl Store {
    /// The email context of decree `decree_id` for user `u`: what it did
    /// within the user's region.
    pub(crate) async fn decree_payload(
        &self,
        decree_id: &str,
        u: &user::Model,
        lang: Lang,
        links: &Links,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let Some(d) = decree::Entity::find_by_id(decree_id).one(&self.db).await? else {
            return Ok(None);
        };
        let scope = match u.region_code.as_deref().map(RegionCode::parse) {
            Some(Ok(r)) => Scope::Region(r),
            Some(Err(_)) => return Ok(None),
            None => Scope::National,
        };
        let area = match scope.region() {
            Some(r) => self
                .region(r.as_str())
                .await?
                .map_or_else(|| r.to_string(), |r| r.name),
            None => match lang {
                Lang::Id => "seluruh Indonesia".into(),
                Lang::En => "all of Indonesia".into(),
            },
        };
        let within = self.decree_within(decree_id, &scope).await?;
        let program = program::Entity::find_by_id(d.program_id.as_str())
            .one(&self.db)
            .await?
            .map_or_else(|| d.program_id.clone(), |p| p.name);
        let amends = match &d.amends {
            Some(id) => decree::Entity::find_by_id(id.as_str())
                .one(&self.db)
                .await?
                .map(|a| a.number),
            None => None,
        };
        let base = links.base_url.trim_end_matches('/');
        let rupiah = |a: Option<i64>| {
            a.and_then(|a| Rupiah::new(a).ok())
                .map_or_else(|| "-".to_string(), |a| a.to_string())
        };
        let cases: Vec<serde_json::Value> = within
            .cases
            .iter()
            .take(LISTED)
            .map(|c| {
                json!({
                    "number": c.case_id.chars().take(8).collect::<String>().to_uppercase(),
                    "beneficiary": c.beneficiary_name.clone().unwrap_or_else(|| "-".into()),
                    "amount": rupiah(c.amount),
                    "outcome": outcome_word(&c.outcome, lang),
                    "refused": c.outcome == "refused",
                    "reason": c.reason.clone().unwrap_or_default(),
                    "link": format!("{base}/kasus/{}", c.case_id),
                })
            })
            .collect();
        Ok(Some(json!({
            "recipient": { "name": u.name, "email": u.email, "login": u.login },
            "decree": {
                "number": d.number,
                "date": pantau_domain::long_date(d.decree_date, lang),
                "signer": d.signer_name,
                "position": d.signer_position,
                "amends": amends,
            },
            "program": program,
            "area": area,
            "counts": within.tally,
            "approved_total": rupiah(Some(within.tally.total)),
            "cases": cases,
            "more": within.cases.len().saturating_sub(LISTED),
            "link": format!("{base}/sk/{}", d.id),
        })))
    }
}

fn outcome_word(outcome: &str, lang: Lang) -> &'static str {
    match (outcome, lang) {
        ("approved", Lang::Id) => "disetujui",
        ("approved", Lang::En) => "approved",
        ("changed", Lang::Id) => "jumlah diubah",
        ("changed", Lang::En) => "amount changed",
        ("removed", Lang::Id) => "dicabut",
        ("removed", Lang::En) => "withdrawn",
        (_, Lang::Id) => "ditolak",
        (_, Lang::En) => "refused",
    }
}
