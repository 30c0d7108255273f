//! The bank's result applied to a sent batch. First every line of the file
//! is matched, by reference, or (without one) by amount and account when
//! exactly one line of the batch has both; a file with a bad line (a
//! reference of another batch or region, another amount or account, a
//! reference twice, an answer that contradicts one recorded) is refused
//! whole, by line, with nothing applied. Lines that match nothing are
//! listed, never guessed. Then, 500 lines per transaction: a paid line
//! takes the case's `pays_tranche` action through the engine under the key
//! `bank:REFERENCE` (the bank's reference and date its answers), a failed
//! or returned one records the bank's reason and leaves the tranche due
//! again. The same file twice changes nothing the second time.

use std::collections::{BTreeMap, BTreeSet};

use pantau_domain::access::Scope;
use pantau_domain::{Label, Rupiah};
use pantau_registry::bank::account::account_number;
use pantau_registry::bank::file::{self, Outcome};
use pantau_registry::bank::layout::Layout;
use pantau_workflow::{Case, Catalog, Context, Decision, engine};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, IntoActiveModel, QueryFilter, QueryTrait,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::batch::find_batch;
use super::due::pay_command;
use super::{BANK_KEY, BankAnswer, BatchStatus, LineStatus, PayError, Problem, retry};
use crate::cases::write::Writes;
use crate::schema::entity::{case, payment_batch, payment_line, payment_result};
use crate::together::send_together;
use crate::{Store, StoreError};

/// Lines per transaction.
const CHUNK: usize = 500;

/// What a result file did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub batch: String,
    pub paid: usize,
    pub failed: usize,
    pub returned: usize,
    /// Lines whose answer was recorded before (the same file again).
    pub already: usize,
    pub unmatched: Vec<Unmatched>,
    /// Lines the bank paid that the engine would not record (the case
    /// moved on meanwhile): they stay sent, for a person to look at.
    pub refused: Vec<Problem>,
    /// Whether every line of the batch now has the bank's answer.
    pub done: bool,
    /// (case, region, reason) of each line failed or returned by this file.
    #[serde(skip)]
    pub bounced: Vec<(String, String, Rupiah, String)>,
}

/// A line of the file that matched no line of the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    pub line: u64,
    pub reference: Option<String>,
    pub amount: Rupiah,
    pub account_no: Option<String>,
    pub why: Label,
}

impl Store {
    /// Reads the bank's result file `bytes` (named `file_name`) by `layout`
    /// and applies it to batch `id` (its id or number) within `scope`. A
    /// file that cannot be read, or has a bad line, applies nothing.
    #[allow(clippy::too_many_arguments)]
    pub async fn import_bank_result(
        &self,
        catalog: &Catalog,
        id: &str,
        scope: &Scope,
        layout: &Layout,
        file_name: &str,
        bytes: &[u8],
        cx: &Context,
    ) -> Result<Applied, PayError> {
        // The events it writes keep the time both databases keep, so their bodies and columns agree.
        let cx = &crate::cases::apply::stored_precision(cx);
        let answers: Vec<BankAnswer> = file::read_result(layout, bytes)
            .map_err(|errors| {
                PayError::Refused(
                    errors
                        .into_iter()
                        .map(|e| Problem {
                            line: Some(e.line),
                            field: e.column,
                            reason: e.reason,
                        })
                        .collect(),
                )
            })?
            .into_iter()
            .map(|r| BankAnswer {
                line: r.line,
                reference: r.reference,
                status: match r.outcome {
                    Outcome::Paid => LineStatus::Paid,
                    Outcome::Failed => LineStatus::Failed,
                    Outcome::Returned => LineStatus::Returned,
                },
                amount: r.amount,
                account_no: r.account_no,
                bank_reference: r.bank_reference,
                date: r.date,
                reason: r.reason,
            })
            .collect();
        if answers.is_empty() {
            return Err(PayError::one(
                "file",
                "berkas hasil bank tidak berisi satu baris pun",
                "the bank's result file holds no line",
            ));
        }
        let sha256 = hex::encode(Sha256::digest(bytes));
        self.apply_answers(catalog, id, scope, file_name, &sha256, &answers, cx)
            .await
            .map_err(|e| match e {
                PayError::Refused(problems) => PayError::Refused(
                    problems
                        .into_iter()
                        .map(|p| as_in_file(layout, p))
                        .collect(),
                ),
                other => other,
            })
    }

    /// Applies `answers` (read from `file_name`, whose SHA-256 is `sha256`).
    #[allow(clippy::too_many_arguments)]
    async fn apply_answers(
        &self,
        catalog: &Catalog,
        id: &str,
        scope: &Scope,
        file_name: &str,
        sha256: &str,
        answers: &[BankAnswer],
        cx: &Context,
    ) -> Result<Applied, PayError> {
        let txn = self.begin_write().await?;
        let batch = find_batch(&txn, id, scope).await?;
        if !matches!(
            BatchStatus::parse(&batch.status),
            Some(BatchStatus::Sent | BatchStatus::Done)
        ) {
            return Err(PayError::one(
                "batch",
                format!("batch {} belum dikirim ke bank", batch.number),
                format!("batch {} has not been sent to the bank", batch.number),
            ));
        }
        let lines = payment_line::Entity::find()
            .filter(payment_line::Column::BatchId.eq(batch.id.as_str()))
            .all(&txn)
            .await?;
        let (matched, unmatched) = matching(&txn, &batch, &lines, answers, scope).await?;
        txn.commit().await?;
        let mut applied = Applied {
            batch: batch.number.clone(),
            unmatched,
            ..Applied::default()
        };
        let mut todo = Vec::new();
        for (line, answer) in matched {
            if LineStatus::parse(&line.status) == Some(answer.status) {
                applied.already += 1;
            } else {
                todo.push((line, answer));
            }
        }
        for chunk in todo.chunks(CHUNK) {
            let part = retry(|| self.apply_chunk(catalog, chunk, cx)).await?;
            applied.paid += part.paid;
            applied.failed += part.failed;
            applied.returned += part.returned;
            applied.refused.extend(part.refused);
            applied.bounced.extend(part.bounced);
        }
        let txn = self.begin_write().await?;
        let open = payment_line::Entity::find()
            .filter(payment_line::Column::BatchId.eq(batch.id.as_str()))
            .filter(payment_line::Column::Status.eq(LineStatus::Ordered.as_str()))
            .one(&txn)
            .await?;
        applied.done = open.is_none();
        if applied.done && batch.status != BatchStatus::Done.as_str() {
            let mut b = batch.clone().into_active_model();
            b.status = Set(BatchStatus::Done.as_str().into());
            b.update(&txn).await?;
        }
        payment_result::Entity::insert(payment_result::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            batch_id: Set(batch.id.clone()),
            file_name: Set(file_name.to_string()),
            sha256: Set(sha256.to_string()),
            imported_by: Set(cx.actor.user.clone()),
            imported_at: Set(cx.now),
            paid: Set(applied.paid as i64),
            failed: Set(applied.failed as i64),
            returned: Set(applied.returned as i64),
            already: Set(applied.already as i64),
            unmatched: Set(serde_json::to_string(&applied.unmatched)?),
        })
        .exec_without_returning(&txn)
        .await?;
        super::notice::queue(&txn, &batch, sha256, &applied.bounced, cx.now).await?;
        txn.commit().await?;
        Ok(applied)
    }

    /// One transaction: the paid lines through the engine, the others recorded.
    async fn apply_chunk(
        &self,
        catalog: &Catalog,
        chunk: &[(payment_line::Model, BankAnswer)],
        cx: &Context,
    ) -> Result<Applied, PayError> {
        let mut part = Applied::default();
        let applied = &mut part;
        let txn = self.begin_write().await?;
        let ids: BTreeSet<&str> = chunk
            .iter()
            .filter(|(_, a)| a.status == LineStatus::Paid)
            .map(|(l, _)| l.case_id.as_str())
            .collect();
        let mut rows: BTreeMap<String, case::Model> = case::Entity::find()
            .filter(case::Column::Id.is_in(ids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let mut writes = Writes::default();
        let mut done = Vec::new();
        for (line, answer) in chunk {
            if answer.status != LineStatus::Paid {
                match answer.status {
                    LineStatus::Returned => applied.returned += 1,
                    _ => applied.failed += 1,
                }
                let reason = answer.reason.clone().unwrap_or_else(|| "-".into());
                applied.bounced.push((
                    line.case_id.clone(),
                    line.region.clone(),
                    Rupiah::new(line.amount).unwrap_or(Rupiah::ZERO),
                    reason,
                ));
                done.push((line, answer, None));
                continue;
            }
            let Some(row) = rows.remove(&line.case_id) else {
                applied.refused.push(refusal(
                    line,
                    answer,
                    Label::new("kasus tidak ada", "no such case"),
                ));
                continue;
            };
            let version = u32::try_from(row.workflow_version).unwrap_or_default();
            let def = self
                .definition(&txn, catalog, &row.id, &row.workflow, version)
                .await?;
            let mut case: Case = serde_json::from_str(&row.snapshot)?;
            let key = format!("{BANK_KEY}{}", line.reference);
            let reference = answer.bank_reference.as_deref().unwrap_or(&line.reference);
            let due = engine::tranche_due(&def, &case).map(|(no, _)| i64::from(no));
            let decided = match pay_command(
                &def,
                &case,
                key.clone(),
                reference,
                answer.date,
                &line.account_no,
            ) {
                _ if case.keys.contains_key(&key) => None,
                // The money rules' own reason (no approval left, the monev gate).
                _ if due.is_none() => Some(Err(engine::tranche_refused(&def, &case)
                    .map_or_else(super::nothing_payable, |r| r.label()))),
                _ if due != Some(line.tranche_no) => Some(Err(Label::new(
                    format!(
                        "tahap {} bukan tahap yang jatuh tempo pada kasus ini",
                        line.tranche_no
                    ),
                    format!("tranche {} is not the case's tranche due", line.tranche_no),
                ))),
                None => Some(Err(Label::new(
                    format!("kasus ada di tahap `{}`, yang tidak membayar", case.state),
                    format!("the case is in state `{}`, which pays nothing", case.state),
                ))),
                Some(cmd) => Some(engine::decide(&def, &case, &cmd, cx).map_err(|r| r.label())),
            };
            let seq = match decided {
                None => case.keys.get(&key).map(|s| *s as i64),
                Some(Ok(Decision::AlreadyApplied { seq })) => Some(seq as i64),
                Some(Ok(Decision::Apply { event, effects })) => {
                    case.apply(&event);
                    writes.add(&row, &case, &event, &effects, cx.now)?;
                    Some(event.seq as i64)
                }
                Some(Err(why)) => {
                    applied.refused.push(refusal(line, answer, why));
                    continue;
                }
            };
            applied.paid += 1;
            done.push((line, answer, seq));
        }
        writes.flush(&txn).await?;
        let backend = txn.get_database_backend();
        let answered = done.into_iter().map(|(line, answer, seq)| {
            use payment_line::Column as C;
            payment_line::Entity::update_many()
                .col_expr(C::Status, Expr::value(answer.status.as_str()))
                .col_expr(C::BankReference, Expr::value(answer.bank_reference.clone()))
                .col_expr(C::BankDate, Expr::value(Some(answer.date)))
                .col_expr(C::Reason, Expr::value(answer.reason.clone()))
                .col_expr(C::ResultAt, Expr::value(Some(cx.now)))
                .col_expr(C::ResultBy, Expr::value(Some(cx.actor.user.clone())))
                .col_expr(C::EventSeq, Expr::value(seq))
                .filter(C::Reference.eq(line.reference.as_str()))
                .build(backend)
        });
        // One step each: a line's update may follow another's.
        send_together(&txn, answered.map(|s| vec![(s, false)]).collect()).await?;
        txn.commit().await?;
        Ok(part)
    }
}

/// A problem of a file's line named by the file's own column (`Jumlah`,
/// not `amount`), as the reading's problems are.
fn as_in_file(layout: &Layout, mut p: Problem) -> Problem {
    let r = &layout.result;
    let header = match p.field.as_str() {
        _ if p.line.is_none() => None,
        "reference" => Some(&r.reference),
        "amount" => Some(&r.amount),
        "status" => Some(&r.status),
        "account_no" => r.account_no.as_ref(),
        _ => None,
    };
    if let Some(h) = header {
        p.field = h.clone();
    }
    p
}

fn refusal(line: &payment_line::Model, answer: &BankAnswer, why: Label) -> Problem {
    Problem {
        line: Some(answer.line),
        field: "reference".into(),
        reason: Label::new(
            format!(
                "{} ({}): dibayar bank, tetapi tidak dicatat: {}",
                line.reference, line.case_id, why.id
            ),
            format!(
                "{} ({}): paid by the bank but not recorded: {}",
                line.reference, line.case_id, why.en
            ),
        ),
    }
}

type Matched = Vec<(payment_line::Model, BankAnswer)>;

/// Each answer matched to a line of `batch`, or listed as unmatched; any
/// bad line refuses the whole file.
async fn matching(
    txn: &DatabaseTransaction,
    batch: &payment_batch::Model,
    lines: &[payment_line::Model],
    answers: &[BankAnswer],
    scope: &Scope,
) -> Result<(Matched, Vec<Unmatched>), PayError> {
    let by_ref: BTreeMap<&str, &payment_line::Model> =
        lines.iter().map(|l| (l.reference.as_str(), l)).collect();
    let elsewhere = others(txn, answers, &by_ref).await?;
    let mut problems = Vec::new();
    let mut taken: BTreeMap<&str, u64> = BTreeMap::new();
    let mut matched = Vec::new();
    let mut unmatched = Vec::new();
    let digits = |a: &Option<String>| a.as_deref().map(account_number);
    for a in answers {
        let bad = |field: &str, id: String, en: String| Problem::new(field, id, en).at(a.line);
        let account = match digits(&a.account_no) {
            Some(Err(reason)) => {
                problems.push(Problem {
                    line: Some(a.line),
                    field: "account_no".into(),
                    reason,
                });
                continue;
            }
            Some(Ok(n)) => Some(n),
            None => None,
        };
        let line = match a.reference.as_deref() {
            Some(r) => match (by_ref.get(r), elsewhere.get(r)) {
                (Some(l), _) => Some(*l),
                (None, Some((number, region))) if scope.covers(Some(region)) => {
                    problems.push(bad(
                        "reference",
                        format!(
                            "referensi {r} milik batch {number}, bukan batch {}",
                            batch.number
                        ),
                        format!(
                            "reference {r} belongs to batch {number}, not batch {}",
                            batch.number
                        ),
                    ));
                    continue;
                }
                (None, Some(_)) => {
                    problems.push(bad(
                        "reference",
                        format!("referensi {r} milik batch wilayah lain"),
                        format!("reference {r} belongs to another region's batch"),
                    ));
                    continue;
                }
                (None, None) => None,
            },
            None => {
                let fits: Vec<&payment_line::Model> = lines
                    .iter()
                    .filter(|l| l.status != LineStatus::Removed.as_str())
                    .filter(|l| l.amount == a.amount.get())
                    .filter(|l| account.as_ref().is_some_and(|n| *n == l.account_no))
                    .filter(|l| !taken.contains_key(l.reference.as_str()))
                    .collect();
                match fits.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            }
        };
        let Some(line) = line else {
            unmatched.push(Unmatched {
                line: a.line,
                reference: a.reference.clone(),
                amount: a.amount,
                account_no: a.account_no.clone(),
                why: match &a.reference {
                    Some(_) => Label::new("referensi tidak dikenal", "unknown reference"),
                    None => Label::new(
                        "tanpa referensi, dan tidak tepat satu baris dengan jumlah dan rekening ini",
                        "no reference, and not exactly one line with this amount and account",
                    ),
                },
            });
            continue;
        };
        if let Some(first) = taken.insert(line.reference.as_str(), a.line) {
            problems.push(bad(
                "reference",
                format!(
                    "baris batch {} dijawab dua kali (baris {first} dan {})",
                    line.reference, a.line
                ),
                format!(
                    "batch line {} is answered twice (lines {first} and {})",
                    line.reference, a.line
                ),
            ));
            continue;
        }
        if line.status == LineStatus::Removed.as_str() {
            problems.push(bad(
                "reference",
                format!("{} dikeluarkan dari batch sebelum dikirim", line.reference),
                format!(
                    "{} was taken out of the batch before it was sent",
                    line.reference
                ),
            ));
        } else if line.amount != a.amount.get() {
            problems.push(bad(
                "amount",
                format!(
                    "jumlah {} tidak sama dengan baris batch {} ({})",
                    a.amount,
                    line.reference,
                    Rupiah::new(line.amount).unwrap_or(Rupiah::ZERO)
                ),
                format!(
                    "amount {} is not batch line {}'s ({})",
                    a.amount,
                    line.reference,
                    Rupiah::new(line.amount).unwrap_or(Rupiah::ZERO)
                ),
            ));
        } else if account.as_ref().is_some_and(|n| *n != line.account_no) {
            problems.push(bad(
                "account_no",
                format!("rekening tidak sama dengan baris batch {}", line.reference),
                format!("the account is not batch line {}'s", line.reference),
            ));
        } else if let Some(was) = LineStatus::parse(&line.status).filter(|s| {
            matches!(
                s,
                LineStatus::Paid | LineStatus::Failed | LineStatus::Returned
            ) && *s != a.status
        }) {
            problems.push(bad(
                "status",
                format!(
                    "{} sudah tercatat {}; jawaban bank kini {}",
                    line.reference,
                    was.label().id,
                    a.status.label().id
                ),
                format!(
                    "{} is already recorded as {}; the bank now says {}",
                    line.reference,
                    was.label().en,
                    a.status.label().en
                ),
            ));
        } else {
            matched.push((line.clone(), a.clone()));
        }
    }
    if problems.is_empty() {
        Ok((matched, unmatched))
    } else {
        Err(PayError::Refused(problems))
    }
}

/// Reference → (batch number, batch region) for the answers' references
/// that are lines of other batches.
async fn others(
    txn: &DatabaseTransaction,
    answers: &[BankAnswer],
    own: &BTreeMap<&str, &payment_line::Model>,
) -> Result<BTreeMap<String, (String, String)>, StoreError> {
    let refs: Vec<&str> = answers
        .iter()
        .filter_map(|a| a.reference.as_deref())
        .filter(|r| !own.contains_key(r))
        .collect();
    let mut out = BTreeMap::new();
    for part in refs.chunks(500) {
        let lines = payment_line::Entity::find()
            .filter(payment_line::Column::Reference.is_in(part.iter().copied()))
            .all(txn)
            .await?;
        let batches: BTreeSet<&str> = lines.iter().map(|l| l.batch_id.as_str()).collect();
        let batches: BTreeMap<String, payment_batch::Model> = payment_batch::Entity::find()
            .filter(payment_batch::Column::Id.is_in(batches))
            .all(txn)
            .await?
            .into_iter()
            .map(|b| (b.id.clone(), b))
            .collect();
        for l in lines {
            if let Some(b) = batches.get(&l.batch_id) {
                out.insert(l.reference, (b.number.clone(), b.region_code.clone()));
            }
        }
    }
    Ok(out)
}
