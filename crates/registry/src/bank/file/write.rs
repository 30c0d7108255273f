//! The order file: the header, one row per order, the totals row where the
//! layout puts it; a CSV through [`crate::sheet::Writer`] or a workbook.

use pantau_domain::{Label, Rupiah};
use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};

use super::Order;
use crate::bank::account::account_number;
use crate::bank::banks;
use crate::bank::layout::{Format, Layout, Place, Value};
use crate::sheet::{Writer, safe};

/// Problems named in one refusal, at most.
const SHOWN: usize = 10;

/// One cell of the order file.
enum Cell {
    Text(String),
    Amount(Rupiah),
    Count(u64),
}

/// The order file of the batch `batch` in `layout`'s format. Account
/// numbers are written as digits with their leading zeros (in a workbook
/// as text cells; in a CSV as plain digits: the file is for the bank's
/// upload, and Excel opening and saving it again would drop the zeros),
/// bank codes as three digits, amounts as whole rupiah without separators
/// (in a workbook as numbers formatted `#,##0`); texts trimmed and cut to
/// the column's `max`. Refused, with every order's problem named (the
/// first ten): no orders, an empty reference or holder name, a reference
/// or account number longer than its column allows, an account number
/// that is none, a bank code not in [`banks`] when the layout writes the
/// bank, an amount of zero, a total too large.
pub fn write(layout: &Layout, batch: &str, orders: &[Order]) -> Result<Vec<u8>, Label> {
    let rows = rows(layout, batch, orders)?;
    match layout.format {
        Format::Csv => csv(layout, &rows),
        Format::Xlsx => xlsx(layout, &rows).map_err(|e| {
            Label::new(
                format!("berkas XLSX tidak dapat dibuat: {e}"),
                format!("cannot make the XLSX file: {e}"),
            )
        }),
    }
}

/// The header, the orders' rows and the totals row, in file order.
fn rows(layout: &Layout, batch: &str, orders: &[Order]) -> Result<Vec<Vec<Cell>>, Label> {
    let mut problems: Vec<Label> = vec![];
    if orders.is_empty() {
        problems.push(Label::new(
            "batch tanpa perintah transfer",
            "the batch has no orders",
        ));
    }
    let writes_bank = layout
        .columns
        .iter()
        .any(|c| matches!(c.value, Value::BankCode | Value::BankName));
    let mut body = Vec::with_capacity(orders.len());
    let mut sum = Rupiah::ZERO;
    for (n, order) in orders.iter().enumerate() {
        let which = |l: Label| {
            Label::new(
                format!("perintah {} ({}): {}", n + 1, order.reference, l.id),
                format!("order {} ({}): {}", n + 1, order.reference, l.en),
            )
        };
        let mut bad = |l: Label| problems.push(which(l));
        if order.reference.trim().is_empty() {
            bad(Label::new("referensi kosong", "empty reference"));
        }
        if order.holder_name.trim().is_empty() {
            bad(Label::new(
                "nama pemilik rekening kosong",
                "empty account holder name",
            ));
        }
        let account = account_number(&order.account_no).unwrap_or_else(|l| {
            bad(l);
            String::new()
        });
        let bank = banks::bank(&order.bank_code);
        if writes_bank && bank.is_none() {
            bad(Label::new(
                format!("sandi bank `{}` tidak dikenal", order.bank_code),
                format!("unknown bank code `{}`", order.bank_code),
            ));
        }
        if order.amount == Rupiah::ZERO {
            bad(Label::new("nominal nol", "the amount is zero"));
        }
        match sum.checked_add(order.amount) {
            Some(s) => sum = s,
            None => bad(Label::new("total terlalu besar", "the total is too large")),
        }
        let mut row = Vec::with_capacity(layout.columns.len());
        for column in &layout.columns {
            let text = match column.value {
                Value::Amount => {
                    row.push(Cell::Amount(order.amount));
                    continue;
                }
                Value::Reference => order.reference.trim().to_string(),
                Value::AccountNo => account.clone(),
                Value::BankCode => bank.map_or_else(|| order.bank_code.clone(), |b| b.code.clone()),
                Value::BankName => bank.map_or_else(String::new, |b| b.short.clone()),
                Value::HolderName => order.holder_name.trim().to_string(),
                Value::Description => order.description.trim().to_string(),
                Value::Batch => batch.trim().to_string(),
            };
            let text = match column.max {
                Some(max) if matches!(column.value, Value::Reference | Value::AccountNo) => {
                    if written(&text, layout.format) > max {
                        bad(Label::new(
                            format!(
                                "kolom {} paling panjang {max} karakter: `{text}`",
                                column.header
                            ),
                            format!(
                                "the column {} takes at most {max} characters: `{text}`",
                                column.header
                            ),
                        ));
                    }
                    text
                }
                Some(max) => cut(&text, max, layout.format),
                None => text,
            };
            row.push(Cell::Text(text));
        }
        body.push(row);
    }
    if !problems.is_empty() {
        let more = problems.len().saturating_sub(SHOWN);
        let (mut id, mut en): (Vec<String>, Vec<String>) = problems
            .into_iter()
            .take(SHOWN)
            .map(|l| (l.id, l.en))
            .unzip();
        if more > 0 {
            id.push(format!("dan {more} lagi"));
            en.push(format!("and {more} more"));
        }
        return Err(Label::new(id.join("; "), en.join("; ")));
    }
    let header = layout
        .columns
        .iter()
        .map(|c| Cell::Text(c.header.clone()))
        .collect();
    let totals: Vec<Cell> = layout
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| match c.value {
            Value::Amount => Cell::Amount(sum),
            v if v == layout.totals.count => Cell::Count(orders.len() as u64),
            _ if i == 0 => Cell::Text(layout.totals.label.clone()),
            _ => Cell::Text(String::new()),
        })
        .collect();
    let mut out = Vec::with_capacity(body.len() + 2);
    out.push(header);
    match layout.totals.place {
        Place::None => out.extend(body),
        Place::FirstRow => {
            out.push(totals);
            out.extend(body);
        }
        Place::LastRow => {
            out.extend(body);
            out.push(totals);
        }
    }
    Ok(out)
}

/// The characters of `text` in the file: in a CSV with the `'` that
/// [`crate::sheet::safe`] puts before a formula-like cell.
fn written(text: &str, format: Format) -> usize {
    match format {
        Format::Csv => safe(text).chars().count(),
        Format::Xlsx => text.chars().count(),
    }
}

/// `text` cut to `max` characters, counting in a CSV the `'` that
/// [`crate::sheet::safe`] puts before a formula-like cell.
fn cut(text: &str, max: usize, format: Format) -> String {
    let mut kept: String = text.chars().take(max).collect();
    if written(&kept, format) > max {
        kept = text.chars().take(max.saturating_sub(1)).collect();
    }
    kept.trim().to_string()
}

fn csv(layout: &Layout, rows: &[Vec<Cell>]) -> Result<Vec<u8>, Label> {
    let failed = |e: &dyn std::fmt::Display| {
        Label::new(
            format!("berkas CSV tidak dapat dibuat: {e}"),
            format!("cannot make the CSV file: {e}"),
        )
    };
    let mut out = Vec::new();
    if layout.bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = Writer::with_delimiter(out, layout.delimiter);
    for row in rows {
        w.row(row.iter().map(|c| match c {
            Cell::Text(t) => t.clone(),
            Cell::Amount(a) => a.get().to_string(),
            Cell::Count(n) => n.to_string(),
        }))
        .map_err(|e| failed(&e))?;
    }
    w.into_inner().map_err(|e| failed(&e))
}

fn xlsx(layout: &Layout, rows: &[Vec<Cell>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(layout.id.chars().take(31).collect::<String>())?;
    let bold = CellFormat::new().set_bold();
    let rupiah = CellFormat::new().set_num_format("#,##0");
    let text = CellFormat::new().set_num_format("@");
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            match cell {
                Cell::Text(t) if t.is_empty() => continue,
                Cell::Text(t) if r == 0 => sheet.write_string_with_format(r, c, t, &bold)?,
                Cell::Text(t) => sheet.write_string_with_format(r, c, t, &text)?,
                // Rupiah amounts are far below 2^53: exact as a float.
                Cell::Amount(a) => sheet.write_number_with_format(r, c, a.get() as f64, &rupiah)?,
                Cell::Count(n) => sheet.write_number(r, c, *n as f64)?,
            };
        }
    }
    sheet.autofit();
    book.save_to_buffer()
}
