//! When a tranche was paid, as the case page shows it: the transfer date
//! the user entered (the SP2D's), else when the payment was recorded.

use chrono::{DateTime, NaiveDate, Utc};
use pantau_domain::{Lang, long_date};
use pantau_workflow::{Definition, FieldType};

use crate::api::cases::CaseDetail;

/// The transfer date the user entered on the action that paid the tranche
/// recorded at `paid_at` (the first date field of a `pays_tranche` action),
/// when the workflow asks for one.
pub(super) fn transfer_date(
    def: &Definition,
    d: &CaseDetail,
    paid_at: DateTime<Utc>,
    lang: Lang,
) -> Option<String> {
    let e = d.timeline.iter().find(|e| e.at == paid_at)?;
    let action = def.action(&e.action).filter(|a| a.pays_tranche)?;
    action
        .fields
        .iter()
        .filter(|f| f.kind == FieldType::Date)
        .find_map(|f| e.fields.get(&f.id))
        .and_then(|text| NaiveDate::parse_from_str(text, "%d/%m/%Y").ok())
        .map(|day| long_date(day, lang))
}
