//! The tranches due: cases whose state offers a `pays_tranche` action,
//! each asked of the engine as the treasurer would take it, so that a
//! monev visit missing or evidence flagged holds the tranche with the
//! engine's own reason. A case's account and any live batch line are read
//! beside it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use pantau_domain::access::Scope;
use pantau_domain::{Label, Rupiah};
use pantau_workflow::{Case, Catalog, Command, Context, Decision, Definition, FieldType, engine};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use super::Account;
use super::accounts::view;
use crate::read::scope::in_scope;
use crate::schema::entity::{bank_account, beneficiary, case, payment_batch, payment_line};
use crate::{Store, StoreError};

/// Cases read per page.
const PAGE: u64 = 2000;

/// One tranche a case could be paid now, or is held from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub case_id: String,
    pub program_id: Option<String>,
    pub region: String,
    pub beneficiary_id: Option<String>,
    pub beneficiary_name: String,
    pub tranche_no: u8,
    pub amount: Rupiah,
    pub account: Option<Account>,
    /// Why it may not go into a batch now (the engine's refusal, no
    /// account, a holder name not accepted), when it may not.
    pub held: Option<Label>,
    /// The batch whose open, sent or paid line already holds it.
    pub in_batch: Option<String>,
}

impl Due {
    /// Whether it may go into a new batch.
    pub fn payable(&self) -> bool {
        self.held.is_none() && self.in_batch.is_none()
    }
}

/// The command that pays `case`'s next tranche as the bank did: the
/// action's date answer the bank's date, an answer naming an account the
/// account number, its other text answers the bank's reference.
pub(crate) fn pay_command(
    def: &Definition,
    case: &Case,
    key: String,
    reference: &str,
    date: NaiveDate,
    account_no: &str,
) -> Option<Command> {
    let action = def.actions_from(&case.state).find(|a| a.pays_tranche)?;
    let inputs = def
        .inputs(action)
        .filter_map(|f| {
            let value = match f.kind {
                FieldType::Date => date.format("%Y-%m-%d").to_string(),
                FieldType::Text if f.id.contains("account") || f.id.contains("rekening") => {
                    account_no.to_string()
                }
                FieldType::Text => reference.to_string(),
                _ => return None,
            };
            Some((f.id.clone(), value))
        })
        .collect();
    Some(Command {
        key,
        action: action.id.clone(),
        inputs,
        observed_at: None,
    })
}

/// Whether the engine would pay `case`'s next tranche now: its number and
/// amount, or the engine's reason.
pub(crate) fn ask(
    def: &Definition,
    case: &Case,
    cx: &Context,
    account_no: &str,
) -> Result<(u8, Rupiah), Label> {
    let Some((no, amount)) = engine::tranche_due(def, case) else {
        return Err(super::nothing_payable());
    };
    let date = cx.now.date_naive();
    let cmd = pay_command(
        def,
        case,
        format!("dry:{}", case.seq),
        "PERIKSA",
        date,
        account_no,
    )
    .ok_or_else(|| Label::new("tahap belum dapat dibayar", "no tranche is payable now"))?;
    match engine::decide(def, case, &cmd, cx) {
        Ok(Decision::Apply { .. }) => Ok((no, amount)),
        Ok(Decision::AlreadyApplied { .. }) => Ok((no, amount)),
        Err(r) => Err(r.label()),
    }
}

impl Store {
    /// Every tranche due within `scope` (of `program`, when given), held
    /// ones with their reason, in case order.
    pub async fn due_tranches(
        &self,
        catalog: &Catalog,
        scope: &Scope,
        program: Option<&str>,
        cx: &Context,
    ) -> Result<Vec<Due>, StoreError> {
        self.due_of(catalog, scope, program, None, cx).await
    }

    /// [`Store::due_tranches`], of the cases `only` when given.
    pub(crate) async fn due_of(
        &self,
        catalog: &Catalog,
        scope: &Scope,
        program: Option<&str>,
        only: Option<&[String]>,
        cx: &Context,
    ) -> Result<Vec<Due>, StoreError> {
        let paying = paying_states(catalog);
        let workflows: BTreeSet<&str> = paying.iter().map(|(w, _)| w.as_str()).collect();
        let states: BTreeSet<&str> = paying.iter().map(|(_, s)| s.as_str()).collect();
        let mut out = Vec::new();
        let mut after = String::new();
        loop {
            let mut q = case::Entity::find()
                .filter(in_scope(self.db_backend(), "region", scope))
                .filter(case::Column::Workflow.is_in(workflows.iter().copied()))
                .filter(case::Column::State.is_in(states.iter().copied()))
                .filter(case::Column::Id.gt(after.as_str()))
                .order_by_asc(case::Column::Id)
                .limit(PAGE);
            if let Some(p) = program {
                q = q.filter(case::Column::ProgramId.eq(p));
            }
            if let Some(ids) = only {
                q = q.filter(case::Column::Id.is_in(ids.iter().map(String::as_str)));
            }
            let rows = q.all(&self.db).await?;
            let Some(last) = rows.last() else { break };
            after = last.id.clone();
            let full = rows.len() as u64 == PAGE;
            out.extend(self.judge(catalog, &rows, cx).await?);
            if !full {
                break;
            }
        }
        Ok(out)
    }

    /// The engine's answer on each of `rows`, with accounts and live lines.
    pub(crate) async fn judge(
        &self,
        catalog: &Catalog,
        rows: &[case::Model],
        cx: &Context,
    ) -> Result<Vec<Due>, StoreError> {
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let owners: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.beneficiary_id.as_deref())
            .collect();
        let names = names(&self.db, &owners).await?;
        let accounts = accounts(&self.db, &owners).await?;
        let live = live_lines(&self.db, &ids).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let version = u32::try_from(row.workflow_version).unwrap_or_default();
            let def = self
                .definition(&self.db, catalog, &row.id, &row.workflow, version)
                .await?;
            let case: Case = serde_json::from_str(&row.snapshot)?;
            let account = row
                .beneficiary_id
                .as_ref()
                .and_then(|b| accounts.get(b))
                .cloned();
            let asked = ask(
                &def,
                &case,
                cx,
                // Without an account the engine is asked with a stand-in
                // number, so its own reasons show; "no account" comes after.
                account
                    .as_ref()
                    .map_or("0000000000", |a| a.account_no.as_str()),
            );
            let (tranche_no, amount, mut held) = match asked {
                Ok((no, amount)) => (no, amount, None),
                Err(why) => match engine::tranche_planned(&def, &case) {
                    Some((no, amount)) => (
                        no,
                        amount,
                        Some(engine::tranche_refused(&def, &case).map_or(why, |r| r.label())),
                    ),
                    None => continue,
                },
            };
            if held.is_none() {
                held = match &account {
                    None => Some(Label::new(
                        "belum ada rekening bank penerima",
                        "the beneficiary has no bank account on record",
                    )),
                    Some(a) if !a.payable() => Some(Label::new(
                        format!(
                            "nama pemilik rekening ({}) tidak sama dengan nama penerima; menunggu verifikator",
                            a.holder_name
                        ),
                        format!(
                            "the account holder's name ({}) is not the beneficiary's; awaiting a verifier",
                            a.holder_name
                        ),
                    )),
                    Some(_) => None,
                };
            }
            out.push(Due {
                case_id: row.id.clone(),
                program_id: row.program_id.clone(),
                region: row.region.clone().unwrap_or_default(),
                beneficiary_name: row
                    .beneficiary_id
                    .as_ref()
                    .and_then(|b| names.get(b))
                    .cloned()
                    .unwrap_or_default(),
                beneficiary_id: row.beneficiary_id.clone(),
                in_batch: live.get(&(row.id.clone(), i64::from(tranche_no))).cloned(),
                tranche_no,
                amount,
                account,
                held,
            });
        }
        Ok(out)
    }
}

/// (workflow, state) pairs from which some version's `pays_tranche` action
/// starts, and, for a program with monev between tranches, those it leads
/// to: a case waits there for the monev visit that lets its next tranche go.
fn paying_states(catalog: &Catalog) -> BTreeSet<(String, String)> {
    catalog
        .iter()
        .flat_map(|d| {
            let gated = d
                .disbursement
                .as_ref()
                .is_some_and(|p| p.monev_between_tranches);
            d.actions
                .iter()
                .filter(|a| a.pays_tranche)
                .flat_map(move |a| {
                    let to = a.to.iter().filter(move |_| gated);
                    a.from
                        .iter()
                        .chain(to)
                        .map(move |s| (d.id.clone(), s.clone()))
                })
        })
        .collect()
}

pub(super) async fn names(
    db: &impl ConnectionTrait,
    ids: &[&str],
) -> Result<BTreeMap<String, String>, StoreError> {
    let mut out = BTreeMap::new();
    for part in ids.chunks(500) {
        let rows: Vec<(String, String)> = beneficiary::Entity::find()
            .select_only()
            .column(beneficiary::Column::Id)
            .column(beneficiary::Column::Name)
            .filter(beneficiary::Column::Id.is_in(part.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

async fn accounts(
    db: &impl ConnectionTrait,
    ids: &[&str],
) -> Result<BTreeMap<String, Account>, StoreError> {
    let mut out = BTreeMap::new();
    for part in ids.chunks(500) {
        let rows = bank_account::Entity::find()
            .filter(bank_account::Column::BeneficiaryId.is_in(part.iter().copied()))
            .filter(bank_account::Column::ReplacedAt.is_null())
            .all(db)
            .await?;
        out.extend(
            rows.into_iter()
                .map(|r| (r.beneficiary_id.clone(), view(r))),
        );
    }
    Ok(out)
}

/// (case, tranche) → the number of the batch whose open, sent or paid line holds it.
pub(crate) async fn live_lines(
    db: &impl ConnectionTrait,
    cases: &[&str],
) -> Result<BTreeMap<(String, i64), String>, StoreError> {
    let mut lines = Vec::new();
    for part in cases.chunks(500) {
        let rows: Vec<(String, i64, String)> = payment_line::Entity::find()
            .select_only()
            .column(payment_line::Column::CaseId)
            .column(payment_line::Column::TrancheNo)
            .column(payment_line::Column::BatchId)
            .filter(payment_line::Column::CaseId.is_in(part.iter().copied()))
            .filter(payment_line::Column::Status.is_in(["open", "ordered", "paid"]))
            .into_tuple()
            .all(db)
            .await?;
        lines.extend(rows);
    }
    let batches: BTreeSet<&str> = lines.iter().map(|(_, _, b)| b.as_str()).collect();
    let mut numbers = BTreeMap::new();
    for part in batches.into_iter().collect::<Vec<_>>().chunks(500) {
        let rows: Vec<(String, String)> = payment_batch::Entity::find()
            .select_only()
            .column(payment_batch::Column::Id)
            .column(payment_batch::Column::Number)
            .filter(payment_batch::Column::Id.is_in(part.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        numbers.extend(rows);
    }
    Ok(lines
        .into_iter()
        .map(|(c, t, b)| {
            let n = numbers.get(&b).cloned().unwrap_or(b);
            ((c, t), n)
        })
        .collect())
}
