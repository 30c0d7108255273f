//! What a reminder's email says about its case: the beneficiary, the
//! program, the state and since when, the visit due, the last reason given.

use chrono::{DateTime, Utc};
use pantau_domain::{Lang, Rupiah, Zone};
use pantau_workflow::{Case, Catalog};
use sea_orm::EntityTrait;
use serde_json::json;

use super::Links;
use crate::StoreError;
use crate::schema::entity::{beneficiary, case, user};

/// What the templates say about a case.
pub(super) struct CaseContext {
    id: String,
    beneficiary: String,
    program: String,
    state: (String, String),
    approved: Option<i64>,
    due_at: Option<DateTime<Utc>>,
    entered_at: DateTime<Utc>,
    reason: String,
}

impl CaseContext {
    pub(super) async fn load(
        txn: &sea_orm::DatabaseTransaction,
        catalog: &Catalog,
        c: &case::Model,
    ) -> Result<CaseContext, StoreError> {
        let snapshot: Case = serde_json::from_str(&c.snapshot)?;
        let def = catalog.get(
            &c.workflow,
            u32::try_from(c.workflow_version).unwrap_or_default(),
        );
        let state = def.and_then(|d| d.state(&c.state)).map_or_else(
            || (c.state.clone(), c.state.clone()),
            |s| (s.label.id.clone(), s.label.en.clone()),
        );
        let beneficiary = match &c.beneficiary_id {
            Some(id) => beneficiary::Entity::find_by_id(id.as_str())
                .one(txn)
                .await?
                .map(|b| b.name),
            None => None,
        };
        let reason = [
            "reason",
            "cancel_reason",
            "revision_notes",
            "rejection_reason",
            "return_notes",
            "halt_reason",
        ]
        .iter()
        .find_map(|f| snapshot.fields.get(*f))
        .map(|v| v.display())
        .unwrap_or_default();
        Ok(CaseContext {
            id: c.id.clone(),
            beneficiary: beneficiary
                .or_else(|| c.region.clone().map(|r| format!("wilayah {r}")))
                .unwrap_or_else(|| "-".into()),
            program: def.map_or_else(|| c.workflow.clone(), |d| d.label.id.clone()),
            state,
            approved: c.approved_amount,
            due_at: snapshot.open_visit().map(|v| v.due_at),
            entered_at: snapshot.entered_at,
            reason,
        })
    }

    /// The template context for one recipient; `since` is when the case entered its state.
    pub(super) fn payload(
        &self,
        to: &user::Model,
        lang: Lang,
        zone: Zone,
        links: &Links,
        escalation: bool,
    ) -> serde_json::Value {
        let short: String = self.id.chars().take(8).collect();
        json!({
            "recipient": { "name": to.name, "email": to.email, "login": to.login },
            "case": {
                "id": self.id,
                "number": short.to_uppercase(),
                "beneficiary": self.beneficiary,
                "approved": self.approved.and_then(|a| Rupiah::new(a).ok()).map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
            },
            "program": self.program,
            "state": if lang == Lang::En { &self.state.1 } else { &self.state.0 },
            "since": zone.format_long(self.entered_at, lang),
            "due_at": self.due_at.map(|d| zone.format_long(d, lang)).unwrap_or_else(|| "-".into()),
            "link": format!("{}/kasus/{}", links.base_url.trim_end_matches('/'), self.id),
            "reason": self.reason,
            "escalation": escalation,
        })
    }
}
