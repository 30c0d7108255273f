//! A bank's file layout: a TOML file an office copies and edits for its
//! bank (`templates/bank/`, each key explained there), never code. It says
//! how the order file (the bulk transfer Pantau writes) is laid out, and
//! how to read the bank's result file.
//!
//! The order file: the header row (each column's `header`), one row per
//! order, and a totals row first (right after the header) or last, or
//! none. The totals row has `totals_label` (`TOTAL`) in the first column,
//! the number of orders in the column of `totals_count` (the `reference`
//! column unless said; never the first column) and the sum of the amounts
//! in the `amount` column; its other cells are empty.
//!
//! The result file: columns found by their header (any order, other
//! columns ignored), each outcome by its status words, the date by one of
//! the formats, an optional totals row (first or last) holding the sum in
//! the amount column and the number of lines in the `totals_count` column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use pantau_domain::Label;
use serde::Deserialize;
use toml::Spanned;

/// A bank's file layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Its name, `generic`: letters, digits, `_`, `-`.
    pub id: String,
    pub label: Label,
    pub format: Format,
    /// Between fields of a CSV (`;`, `,` or a tab); `;` for a workbook,
    /// where it is not used.
    pub delimiter: u8,
    /// Whether a CSV starts with a UTF-8 BOM (Excel then shows non-ASCII
    /// names right; some bank systems refuse it).
    pub bom: bool,
    /// The order file's columns, in order.
    pub columns: Vec<Column>,
    pub totals: Totals,
    pub result: ResultLayout,
}

/// The kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// What a column of the order file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Reference,
    BankCode,
    BankName,
    AccountNo,
    HolderName,
    Amount,
    Description,
    Batch,
}

impl Value {
    /// Every value, by its name in a layout.
    pub const ALL: [(&'static str, Value); 8] = [
        ("reference", Value::Reference),
        ("bank_code", Value::BankCode),
        ("bank_name", Value::BankName),
        ("account_no", Value::AccountNo),
        ("holder_name", Value::HolderName),
        ("amount", Value::Amount),
        ("description", Value::Description),
        ("batch", Value::Batch),
    ];

    /// Values every order file carries.
    pub const REQUIRED: [Value; 4] = [
        Value::Reference,
        Value::AccountNo,
        Value::HolderName,
        Value::Amount,
    ];

    /// The value named `name` in a layout.
    pub fn named(name: &str) -> Option<Value> {
        Value::ALL.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// Its name in a layout.
    pub fn name(self) -> &'static str {
        Value::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("", |(n, _)| n)
    }
}

/// One column of the order file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub value: Value,
    /// Cut to this many characters (a name, a description); a reference or
    /// an account number longer than this is refused instead.
    pub max: Option<usize>,
}

/// Where a file's totals row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// No totals row.
    None,
    /// The first row after the header.
    FirstRow,
    /// The last row.
    LastRow,
}

/// The order file's totals row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub place: Place,
    /// The first cell, `TOTAL`.
    pub label: String,
    /// The value whose column holds the number of orders.
    pub count: Value,
}

/// How to read the bank's result file: each column's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultLayout {
    pub reference: String,
    pub status: String,
    pub amount: String,
    pub date: String,
    pub account_no: Option<String>,
    pub bank_reference: Option<String>,
    pub reason: Option<String>,
    /// Status words, upper case (they are compared without case).
    pub paid: Vec<String>,
    pub failed: Vec<String>,
    pub returned: Vec<String>,
    /// chrono formats (`%d/%m/%Y`); `%Y-%m-%d` (a workbook's date cell) is
    /// always accepted too.
    pub date_formats: Vec<String>,
    pub totals: Place,
    /// The header of the column holding the totals row's number of lines.
    pub totals_count: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    id: Spanned<String>,
    label: RawLabel,
    format: Spanned<String>,
    delimiter: Option<Spanned<String>>,
    #[serde(default)]
    bom: bool,
    totals: Option<Spanned<String>>,
    totals_label: Option<Spanned<String>>,
    totals_count: Option<Spanned<String>>,
    columns: Spanned<Vec<RawColumn>>,
    result: Spanned<RawResult>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLabel {
    id: Spanned<String>,
    en: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    header: Spanned<String>,
    value: Spanned<String>,
    max: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResult {
    reference: Option<Spanned<String>>,
    status: Option<Spanned<String>>,
    amount: Option<Spanned<String>>,
    date: Option<Spanned<String>>,
    account_no: Option<Spanned<String>>,
    bank_reference: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    #[serde(default)]
    paid: Vec<Spanned<String>>,
    #[serde(default)]
    failed: Vec<Spanned<String>>,
    #[serde(default)]
    returned: Vec<Spanned<String>>,
    #[serde(default)]
    date_formats: Vec<Spanned<String>>,
    totals: Option<Spanned<String>>,
    totals_count: Option<Spanned<String>>,
}

/// Problems of one file, each `FILE:LINE:COL: message`.
struct Problems<'a> {
    name: &'a str,
    text: &'a str,
    found: Vec<(usize, usize, String)>,
}

impl Problems<'_> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, col) = line_col(self.text, span.start);
        self.found.push((line, col, message.into()));
    }

    fn done(mut self) -> Vec<String> {
        self.found.sort();
        self.found.dedup();
        self.found
            .into_iter()
            .map(|(line, col, m)| format!("{}:{line}:{col}: {m}", self.name))
            .collect()
    }
}

/// 1-based line and column (in characters) of a byte offset, as
/// `pantau_workflow::line_col` counts them (this crate does not depend on
/// the workflow crate).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Reads the layout `text` of the file `name`; every problem is
/// `FILE:LINE:COL: message`.
pub fn parse(name: &str, text: &str) -> Result<Layout, Vec<String>> {
    let mut p = Problems {
        name,
        text,
        found: vec![],
    };
    let raw = match toml::from_str::<RawLayout>(text) {
        Ok(raw) => raw,
        Err(e) => {
            p.at(e.span().unwrap_or(0..0), e.message().trim());
            return Err(p.done());
        }
    };
    let layout = lower(raw, &mut p);
    match layout {
        Some(layout) if p.found.is_empty() => Ok(layout),
        _ => Err(p.done()),
    }
}

fn lower(raw: RawLayout, p: &mut Problems<'_>) -> Option<Layout> {
    let id = raw.id.get_ref().trim();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        p.at(
            raw.id.span(),
            format!("id `{id}`: use lower-case letters, digits, `_` and `-`"),
        );
    }
    for text in [&raw.label.id, &raw.label.en] {
        if text.get_ref().trim().is_empty() {
            p.at(text.span(), "label text must not be empty");
        }
    }
    let format = match raw.format.get_ref().as_str() {
        "csv" => Some(Format::Csv),
        "xlsx" => Some(Format::Xlsx),
        other => {
            p.at(
                raw.format.span(),
                format!("unknown format `{other}` (known: csv, xlsx)"),
            );
            None
        }
    };
    let delimiter = match (format, &raw.delimiter) {
        (Some(Format::Csv), None) => {
            p.at(
                raw.format.span(),
                "a csv layout needs `delimiter` (\";\", \",\" or \"\\t\")",
            );
            b';'
        }
        (Some(Format::Csv), Some(d)) => match d.get_ref().as_str() {
            ";" => b';',
            "," => b',',
            "\t" => b'\t',
            other => {
                p.at(
                    d.span(),
                    format!("delimiter `{other}`: use \";\", \",\" or \"\\t\""),
                );
                b';'
            }
        },
        (_, Some(d)) => {
            p.at(d.span(), "`delimiter` is for csv layouts only");
            b';'
        }
        (_, None) => b';',
    };
    let columns = columns(&raw.columns, p);
    let totals = totals(&raw, &columns, p);
    let result = result(&raw.result, p)?;
    Some(Layout {
        id: id.to_string(),
        label: Label::new(raw.label.id.get_ref().trim(), raw.label.en.get_ref().trim()),
        format: format?,
        delimiter,
        bom: raw.bom,
        columns,
        totals: totals?,
        result,
    })
}

fn columns(raw: &Spanned<Vec<RawColumn>>, p: &mut Problems<'_>) -> Vec<Column> {
    let mut out: Vec<Column> = vec![];
    let mut headers: BTreeMap<String, ()> = BTreeMap::new();
    for c in raw.get_ref() {
        let header = c.header.get_ref().trim();
        if header.is_empty() {
            p.at(c.header.span(), "header must not be empty");
        } else if headers.insert(header.to_lowercase(), ()).is_some() {
            p.at(c.header.span(), format!("duplicate header `{header}`"));
        }
        let Some(value) = Value::named(c.value.get_ref()) else {
            let known: Vec<&str> = Value::ALL.iter().map(|(n, _)| *n).collect();
            p.at(
                c.value.span(),
                format!(
                    "unknown value `{}` (known: {})",
                    c.value.get_ref(),
                    known.join(", ")
                ),
            );
            continue;
        };
        if out.iter().any(|o| o.value == value) {
            p.at(
                c.value.span(),
                format!("value `{}` in two columns", value.name()),
            );
        }
        let max = match &c.max {
            None => None,
            Some(m) if value == Value::Amount || value == Value::BankCode => {
                p.at(
                    m.span(),
                    format!("`max` does not apply to `{}`", value.name()),
                );
                None
            }
            Some(m) => match usize::try_from(*m.get_ref()) {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    p.at(m.span(), "`max` must be at least 1");
                    None
                }
            },
        };
        out.push(Column {
            header: header.to_string(),
            value,
            max,
        });
    }
    for value in Value::REQUIRED {
        if !out.iter().any(|c| c.value == value) {
            p.at(
                raw.span(),
                format!(
                    "no column holds `{}`, which every order file needs",
                    value.name()
                ),
            );
        }
    }
    out
}

fn place(raw: Option<&Spanned<String>>, p: &mut Problems<'_>) -> Option<Place> {
    match raw.map(|s| (s.get_ref().as_str(), s.span())) {
        None | Some(("none", _)) => Some(Place::None),
        Some(("first_row", _)) => Some(Place::FirstRow),
        Some(("last_row", _)) => Some(Place::LastRow),
        Some((other, span)) => {
            p.at(
                span,
                format!("unknown totals `{other}` (known: last_row, first_row, none)"),
            );
            None
        }
    }
}

fn totals(raw: &RawLayout, columns: &[Column], p: &mut Problems<'_>) -> Option<Totals> {
    let place = place(raw.totals.as_ref(), p)?;
    let label = raw
        .totals_label
        .as_ref()
        .map_or("TOTAL", |l| l.get_ref().trim())
        .to_string();
    if label.is_empty()
        && let Some(l) = &raw.totals_label
    {
        p.at(l.span(), "totals_label must not be empty");
    }
    let count = match &raw.totals_count {
        None => Value::Reference,
        Some(c) => match Value::named(c.get_ref()) {
            Some(v) => v,
            None => {
                p.at(c.span(), format!("unknown value `{}`", c.get_ref()));
                return None;
            }
        },
    };
    if place != Place::None {
        let at = columns.iter().position(|c| c.value == count);
        let span = raw
            .totals_count
            .as_ref()
            .or(raw.totals.as_ref())
            .map_or(0..0, |s| s.span());
        match at {
            None => p.at(span, format!("no column holds `{}`", count.name())),
            Some(0) => p.at(
                span,
                format!(
                    "the count cannot go in the first column (`{}`): the label is there; \
                     set `totals_count` to a later column's value",
                    count.name()
                ),
            ),
            Some(_) if count == Value::Amount => {
                p.at(span, "the count cannot go in the amount column")
            }
            Some(_) => {}
        }
        if columns.first().is_some_and(|c| c.value == Value::Amount) {
            p.at(
                raw.columns.span(),
                "with a totals row, the first column holds its label: it cannot be `amount`",
            );
        }
    }
    Some(Totals {
        place,
        label,
        count,
    })
}

fn result(raw: &Spanned<RawResult>, p: &mut Problems<'_>) -> Option<ResultLayout> {
    let r = raw.get_ref();
    let mut headers: BTreeMap<String, ()> = BTreeMap::new();
    let mut header =
        |name: &str, h: &Option<Spanned<String>>, required: bool, p: &mut Problems<'_>| match h {
            None if required => {
                p.at(
                    raw.span(),
                    format!("[result] needs `{name}`, the header of the {name} column"),
                );
                None
            }
            None => None,
            Some(h) => {
                let text = h.get_ref().trim();
                if text.is_empty() {
                    p.at(h.span(), format!("`{name}` header must not be empty"));
                    None
                } else {
                    if headers.insert(text.to_lowercase(), ()).is_some() {
                        p.at(h.span(), format!("duplicate header `{text}`"));
                    }
                    Some(text.to_string())
                }
            }
        };
    let reference = header("reference", &r.reference, true, p);
    let status = header("status", &r.status, true, p);
    let amount = header("amount", &r.amount, true, p);
    let date = header("date", &r.date, true, p);
    let account_no = header("account_no", &r.account_no, false, p);
    let bank_reference = header("bank_reference", &r.bank_reference, false, p);
    let reason = header("reason", &r.reason, false, p);
    let mut words: BTreeMap<String, &'static str> = BTreeMap::new();
    let mut list = |name: &'static str, given: &[Spanned<String>], p: &mut Problems<'_>| {
        let mut out = vec![];
        for w in given {
            let word = w.get_ref().trim().to_uppercase();
            if word.is_empty() {
                p.at(w.span(), "a status word must not be empty");
                continue;
            }
            match words.insert(word.clone(), name) {
                Some(before) if before == name => {
                    p.at(w.span(), format!("status word `{word}` twice in `{name}`"))
                }
                Some(before) => p.at(
                    w.span(),
                    format!("status word `{word}` is in both `{before}` and `{name}`"),
                ),
                None => out.push(word),
            }
        }
        out
    };
    let paid = list("paid", &r.paid, p);
    let failed = list("failed", &r.failed, p);
    let returned = list("returned", &r.returned, p);
    for (name, given) in [("paid", &paid), ("failed", &failed)] {
        if given.is_empty() {
            p.at(
                raw.span(),
                format!("[result] needs `{name}`, the status words meaning {name}"),
            );
        }
    }
    let mut date_formats = vec![];
    for f in &r.date_formats {
        if chrono::format::StrftimeItems::new(f.get_ref())
            .any(|i| matches!(i, chrono::format::Item::Error))
            || (!["%d", "%m", "%Y"].iter().all(|d| f.get_ref().contains(d))
                && !f.get_ref().contains("%F"))
        {
            p.at(
                f.span(),
                format!(
                    "date format `{}`: use chrono's %d, %m and %Y (e.g. \"%d/%m/%Y\")",
                    f.get_ref()
                ),
            );
        } else {
            date_formats.push(f.get_ref().clone());
        }
    }
    if r.date_formats.is_empty() {
        p.at(
            raw.span(),
            "[result] needs `date_formats`, e.g. [\"%d/%m/%Y\", \"%Y-%m-%d\"]",
        );
    }
    let totals = place(r.totals.as_ref(), p);
    let totals_count = match &r.totals_count {
        Some(c) if c.get_ref().trim().is_empty() => {
            p.at(c.span(), "`totals_count` header must not be empty");
            None
        }
        Some(c) => Some(c.get_ref().trim().to_string()),
        None => reference.clone(),
    };
    Some(ResultLayout {
        reference: reference?,
        status: status?,
        amount: amount?,
        date: date?,
        account_no,
        bank_reference,
        reason,
        paid,
        failed,
        returned,
        date_formats,
        totals: totals?,
        totals_count: totals_count?,
    })
}

/// Every `*.toml` layout in `dir`, by file name; every problem of every
/// file, and an id given twice, as `FILE:LINE:COL: message`.
pub fn load_dir(dir: &Path) -> Result<Vec<Layout>, Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| vec![format!("{}: {e}", dir.display())])?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut texts = vec![];
    let mut problems = vec![];
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => texts.push((path.display().to_string(), text)),
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    let named: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let (layouts, more) = all(&named);
    problems.extend(more);
    if problems.is_empty() {
        Ok(layouts)
    } else {
        Err(problems)
    }
}

/// Layouts read from `(name, text)` pairs, and the problems.
fn all(files: &[(&str, &str)]) -> (Vec<Layout>, Vec<String>) {
    let mut layouts: Vec<Layout> = vec![];
    let mut problems = vec![];
    for (name, text) in files {
        match parse(name, text) {
            Ok(l) if layouts.iter().any(|o| o.id == l.id) => {
                problems.push(format!("{name}:1:1: layout id `{}` is used twice", l.id))
            }
            Ok(l) => layouts.push(l),
            Err(e) => problems.extend(e),
        }
    }
    (layouts, problems)
}

const SHIPPED: [(&str, &str); 3] = [
    (
        "generic.toml",
        include_str!("../../../../templates/bank/generic.toml"),
    ),
    (
        "generic_xlsx.toml",
        include_str!("../../../../templates/bank/generic_xlsx.toml"),
    ),
    (
        "contoh_bank_tetap.toml",
        include_str!("../../../../templates/bank/contoh_bank_tetap.toml"),
    ),
];

/// The layouts shipped in `templates/bank/`, built in (for tests and a
/// machine with no layout folder yet). They are checked by the tests, so
/// none is missing here.
pub fn shipped() -> Vec<Layout> {
    all(&SHIPPED).0
}

#[cfg(test)]
mod tests;
