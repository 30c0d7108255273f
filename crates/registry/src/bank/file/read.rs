//! Files read back: our own order file, and the bank's result file.

use chrono::NaiveDate;
use pantau_domain::{Label, Rupiah};

use super::table::{self, Line, Table, cell};
use super::{LineError, Order, Outcome, ResultLine};
use crate::bank::account::account_number;
use crate::bank::banks;
use crate::bank::layout::{Layout, ResultLayout, Value};

fn required() -> Label {
    Label::new("wajib diisi", "required")
}

/// Reads an order file [`super::write`] made with `layout` back into its
/// orders (the bank's name and the batch are not read: they follow from
/// the code and the file). Every column of the layout must be there; the
/// totals row, where the layout puts it, must carry its label, the number
/// of orders and their sum.
pub fn read_orders(layout: &Layout, bytes: &[u8]) -> Result<Vec<Order>, Vec<LineError>> {
    let table = table::read(bytes)?;
    let mut errors = vec![];
    let at: Vec<Option<usize>> = layout
        .columns
        .iter()
        .map(|c| table.find(&c.header, true, &mut errors))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let of = |v: Value| {
        layout
            .columns
            .iter()
            .position(|c| c.value == v)
            .and_then(|p| at[p])
    };
    let (rows, totals) = table.split(layout.totals.place, &mut errors);
    let mut orders = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(e) = &row.unreadable {
            errors.push(e.clone());
            continue;
        }
        let mut bad = |i: Option<usize>, reason: Label| {
            errors.push(LineError::new(
                row.line,
                i.map_or_else(String::new, |i| table.name(i)),
                reason,
            ))
        };
        let text = |v: Value| cell(&row.cells, of(v)).to_string();
        let reference = text(Value::Reference);
        if reference.is_empty() {
            bad(of(Value::Reference), required());
        }
        let account = account_number(&text(Value::AccountNo))
            .map_err(|r| bad(of(Value::AccountNo), r))
            .unwrap_or_default();
        let holder = text(Value::HolderName);
        if holder.is_empty() {
            bad(of(Value::HolderName), required());
        }
        let amount_at = of(Value::Amount);
        let amount = table::amount(&table.name(amount_at.unwrap_or(0)), &text(Value::Amount))
            .map_err(|r| bad(amount_at, r))
            .ok();
        let bank_code = match of(Value::BankCode) {
            None => String::new(),
            Some(i) => match banks::bank(cell(&row.cells, Some(i))) {
                Some(b) => b.code.clone(),
                None => {
                    bad(
                        Some(i),
                        Label::new(
                            format!("sandi bank `{}` tidak dikenal", cell(&row.cells, Some(i))),
                            format!("unknown bank code `{}`", cell(&row.cells, Some(i))),
                        ),
                    );
                    String::new()
                }
            },
        };
        if let Some(amount) = amount {
            orders.push(Order {
                reference,
                bank_code,
                account_no: account,
                holder_name: holder,
                amount,
                description: text(Value::Description),
            });
        }
    }
    if let Some(totals) = totals {
        let label = cell(&totals.cells, at.first().copied().flatten());
        if !label.eq_ignore_ascii_case(&layout.totals.label) {
            errors.push(LineError::new(
                totals.line,
                table.name(at.first().copied().flatten().unwrap_or(0)),
                Label::new(
                    format!(
                        "baris total tidak ada: baris ini seharusnya diawali `{}`",
                        layout.totals.label
                    ),
                    format!(
                        "the totals row is missing: this row should start with `{}`",
                        layout.totals.label
                    ),
                ),
            ));
        } else {
            check_totals(
                &table,
                totals,
                (of(layout.totals.count), of(Value::Amount)),
                rows.len() as u64,
                errors.is_empty().then(|| orders.iter().map(|o| o.amount)),
                &mut errors,
            );
        }
    }
    if errors.is_empty() {
        Ok(orders)
    } else {
        Err(errors)
    }
}

/// Checks a totals row: the number of lines in column `count_at`, the
/// sum of `amounts` (when every amount could be read) in `amount_at`.
fn check_totals(
    table: &Table,
    totals: &Line,
    (count_at, amount_at): (Option<usize>, Option<usize>),
    lines: u64,
    amounts: Option<impl Iterator<Item = Rupiah>>,
    errors: &mut Vec<LineError>,
) {
    if let Some(e) = &totals.unreadable {
        errors.push(e.clone());
        return;
    }
    let name = |i: Option<usize>| table.name(i.unwrap_or(0));
    match table::count(&name(count_at), cell(&totals.cells, count_at)) {
        Ok(n) if n == lines => {}
        Ok(n) => errors.push(LineError::new(
            totals.line,
            name(count_at),
            Label::new(
                format!("baris total menyebut {n} baris, berkas memuat {lines}"),
                format!("the totals row says {n} lines, the file has {lines}"),
            ),
        )),
        Err(reason) => errors.push(LineError::new(totals.line, name(count_at), reason)),
    }
    let stated = match table::amount(&name(amount_at), cell(&totals.cells, amount_at)) {
        Ok(s) => s,
        Err(reason) => {
            errors.push(LineError::new(totals.line, name(amount_at), reason));
            return;
        }
    };
    let Some(mut amounts) = amounts else { return };
    let sum = amounts.try_fold(Rupiah::ZERO, |s, a| s.checked_add(a));
    if sum != Some(stated) {
        let sum = sum.map_or_else(|| "?".to_string(), |s| s.to_string());
        errors.push(LineError::new(
            totals.line,
            name(amount_at),
            Label::new(
                format!("baris total menyebut {stated}, jumlah baris-barisnya {sum}"),
                format!("the totals row says {stated}, the lines add up to {sum}"),
            ),
        ));
    }
}

/// Reads the bank's result file by `layout`'s `[result]` table: each line's
/// reference (empty allowed), outcome by its status word, amount (as Excel
/// or the bank writes it; scientific notation refused), date (by the
/// layout's formats, a time after it ignored; a workbook's date cell always
/// read), and the optional account number, bank reference and reason. The
/// totals row, when the layout expects one, must give the number of lines
/// and their sum. Every problem at once, by line and column.
pub fn read_result(layout: &Layout, bytes: &[u8]) -> Result<Vec<ResultLine>, Vec<LineError>> {
    let r = &layout.result;
    let table = table::read(bytes)?;
    let mut errors = vec![];
    let reference = table.find(&r.reference, true, &mut errors);
    let status = table.find(&r.status, true, &mut errors);
    let amount = table.find(&r.amount, true, &mut errors);
    let date = table.find(&r.date, true, &mut errors);
    let optional = |h: &Option<String>, errors: &mut Vec<LineError>| {
        h.as_ref().and_then(|h| table.find(h, false, errors))
    };
    let account = optional(&r.account_no, &mut errors);
    let bank_reference = optional(&r.bank_reference, &mut errors);
    let reason = optional(&r.reason, &mut errors);
    let count = match r.totals {
        crate::bank::layout::Place::None => None,
        _ => table.find(&r.totals_count, true, &mut errors),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let (rows, totals) = table.split(r.totals, &mut errors);
    let mut lines = Vec::with_capacity(rows.len());
    let mut amounts_read = true;
    for row in rows {
        if let Some(e) = &row.unreadable {
            errors.push(e.clone());
            amounts_read = false;
            continue;
        }
        let text = |i: Option<usize>| cell(&row.cells, i);
        let mut bad = |i: Option<usize>, reason: Label| {
            errors.push(LineError::new(row.line, table.name(i.unwrap_or(0)), reason))
        };
        let outcome = outcome(r, text(status)).map_err(|l| bad(status, l)).ok();
        let paid = table::amount(&table.name(amount.unwrap_or(0)), text(amount))
            .map_err(|l| bad(amount, l))
            .ok();
        amounts_read &= paid.is_some();
        let day = self::date(r, text(date)).map_err(|l| bad(date, l)).ok();
        let some = |t: &str| (!t.is_empty()).then(|| t.to_string());
        if let (Some(outcome), Some(amount), Some(date)) = (outcome, paid, day) {
            lines.push(ResultLine {
                line: row.line,
                reference: some(text(reference)),
                outcome,
                amount,
                account_no: some(text(account)).map(|a| account_number(&a).unwrap_or(a)),
                bank_reference: some(text(bank_reference)),
                date,
                reason: some(text(reason)),
            });
        }
    }
    if let Some(totals) = totals {
        check_totals(
            &table,
            totals,
            (count, amount),
            rows.len() as u64,
            amounts_read.then(|| lines.iter().map(|l| l.amount)),
            &mut errors,
        );
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

/// The outcome a status word means.
fn outcome(r: &ResultLayout, word: &str) -> Result<Outcome, Label> {
    if word.is_empty() {
        return Err(required());
    }
    let word = word.to_uppercase();
    let is = |list: &[String]| list.contains(&word);
    if is(&r.paid) {
        Ok(Outcome::Paid)
    } else if is(&r.failed) {
        Ok(Outcome::Failed)
    } else if is(&r.returned) {
        Ok(Outcome::Returned)
    } else {
        let known: Vec<&str> = [&r.paid, &r.failed, &r.returned]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        Err(Label::new(
            format!(
                "status `{word}` tidak dikenal tata letak ini (yang dikenal: {})",
                known.join(", ")
            ),
            format!(
                "status `{word}` is unknown to this layout (known: {})",
                known.join(", ")
            ),
        ))
    }
}

/// A date by the layout's formats or as a workbook's date cell reads
/// (`YYYY-MM-DD`); a time after it (`05/01/2026 10:22:33`,
/// `2026-01-05T10:22:33`) is ignored.
fn date(r: &ResultLayout, text: &str) -> Result<NaiveDate, Label> {
    if text.is_empty() {
        return Err(required());
    }
    let day = text.split([' ', 'T']).next().unwrap_or(text);
    let formats = || {
        r.date_formats
            .iter()
            .map(String::as_str)
            .chain(["%Y-%m-%d"])
    };
    formats()
        .find_map(|f| NaiveDate::parse_from_str(text, f).ok())
        .or_else(|| formats().find_map(|f| NaiveDate::parse_from_str(day, f).ok()))
        .ok_or_else(|| {
            Label::new(
                format!(
                    "`{text}` bukan tanggal (format yang diterima: {})",
                    r.date_formats.join(", ")
                ),
                format!(
                    "`{text}` is not a date (accepted formats: {})",
                    r.date_formats.join(", ")
                ),
            )
        })
}
