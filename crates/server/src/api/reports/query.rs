//! A report's query read: every value that cannot be read is named, in the
//! caller's language.

use chrono::NaiveDate;
use pantau_domain::{Lang, RegionCode};
use pantau_report::{Format, ReportError, ReportName, Signer};

use super::ReportQuery;
use crate::Caller;
use crate::error::{ApiError, FieldIssue, no_nul};

pub(super) fn say(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_string(),
        Lang::En => en.to_string(),
    }
}

/// `text` trimmed, or `None` when empty.
fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// What the query says, read; every value that cannot be read is named.
pub(super) struct Read {
    pub format: Format,
    pub lang: Lang,
    pub year: Option<i32>,
    pub program: Option<String>,
    pub region: Option<RegionCode>,
    pub case: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub signer: Option<Signer>,
}

pub(super) fn read(report: ReportName, q: &ReportQuery, caller: &Caller) -> Result<Read, ApiError> {
    let lang = caller.lang;
    let mut issues: Vec<FieldIssue> = vec![];
    let fields = [
        ("year", &q.year),
        ("program", &q.program),
        ("region", &q.region),
        ("case", &q.case),
        ("from", &q.from),
        ("to", &q.to),
        ("format", &q.format),
        ("lang", &q.lang),
        ("signer", &q.signer),
        ("position", &q.position),
        ("nip", &q.nip),
        ("place", &q.place),
    ];
    for (field, value) in fields {
        no_nul(field, value.as_deref().unwrap_or(""))?;
    }
    let mut issue = |field: &str, reason: String| issues.push(FieldIssue::new(field, reason));
    let format = match given(&q.format) {
        None => Format::Html,
        Some(t) => t.parse().unwrap_or_else(|_| {
            issue(
                "format",
                say(
                    lang,
                    &format!("`{t}` bukan format laporan; pilih html, csv, xlsx atau pdf"),
                    &format!("`{t}` is not a format; choose html, csv, xlsx or pdf"),
                ),
            );
            Format::Html
        }),
    };
    let report_lang = match given(&q.lang) {
        None => lang,
        Some(t) => t.parse().unwrap_or_else(|_| {
            issue(
                "lang",
                say(
                    lang,
                    &format!("`{t}` bukan bahasa; pilih id atau en"),
                    &format!("`{t}` is not a language; choose id or en"),
                ),
            );
            lang
        }),
    };
    let year = given(&q.year).and_then(|t| match t.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => Some(y),
        _ => {
            issue(
                "year",
                say(
                    lang,
                    &format!("`{t}` bukan tahun anggaran 2000 sampai 2100"),
                    &format!("`{t}` is not a fiscal year from 2000 to 2100"),
                ),
            );
            None
        }
    });
    let mut day = |field: &str, text: &Option<String>| {
        given(text).and_then(|t| match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                issue(
                    field,
                    say(
                        lang,
                        &format!("`{t}` bukan tanggal TTTT-BB-HH"),
                        &format!("`{t}` is not a date YYYY-MM-DD"),
                    ),
                );
                None
            }
        })
    };
    let (from, to) = (day("from", &q.from), day("to", &q.to));
    let region = given(&q.region).and_then(|t| {
        RegionCode::parse(t)
            .map_err(|e| issue("region", e.message(lang)))
            .ok()
    });
    let case = given(&q.case).map(str::to_string);
    let monev = report == ReportName::Monev;
    for (field, value) in [("case", &q.case), ("from", &q.from), ("to", &q.to)] {
        if !monev && given(value).is_some() {
            issue(
                field,
                say(
                    lang,
                    "hanya untuk laporan monev",
                    "only for the monev report",
                ),
            );
        }
    }
    match (from, to) {
        (None, Some(_)) if monev => issue(
            "from",
            say(lang, "isi juga tanggal awal", "give the first day as well"),
        ),
        (Some(f), Some(t)) if t < f => issue(
            "to",
            say(
                lang,
                &format!("{t} sebelum {f}"),
                &format!("{t} is before {f}"),
            ),
        ),
        _ => {}
    }
    let signing = [
        ("signer", &q.signer),
        ("position", &q.position),
        ("nip", &q.nip),
        ("place", &q.place),
    ];
    let signer = if signing.iter().all(|(_, v)| given(v).is_none()) {
        None
    } else if report != ReportName::Accountability {
        issue(
            "signer",
            say(
                lang,
                "hanya laporan akuntabilitas yang ditandatangani",
                "only the accountability report is signed",
            ),
        );
        None
    } else {
        let missing: Vec<&str> = signing
            .iter()
            .filter(|(_, v)| given(v).is_none())
            .map(|(f, _)| *f)
            .collect();
        for field in &missing {
            issue(
                field,
                say(
                    lang,
                    "wajib diisi bersama penanda tangan, jabatan, NIP dan tempat",
                    "needed with the signer, position, NIP and place",
                ),
            );
        }
        let g = |v: &Option<String>| given(v).unwrap_or_default().to_string();
        if !missing.is_empty() {
            None
        } else {
            match Signer::new(&g(&q.signer), &g(&q.position), &g(&q.nip), &g(&q.place)) {
                Ok(s) => Some(s),
                Err(ReportError::Invalid { field: "nip", .. }) => {
                    issue(
                        "nip",
                        say(lang, "NIP terdiri dari 18 angka", "a NIP is 18 digits"),
                    );
                    None
                }
                Err(e) => {
                    issue("signer", e.to_string());
                    None
                }
            }
        }
    };
    if !issues.is_empty() {
        return Err(ApiError::Invalid(issues));
    }
    Ok(Read {
        format,
        lang: report_lang,
        year,
        program: given(&q.program).map(str::to_string),
        region,
        case,
        from,
        to,
        signer,
    })
}
