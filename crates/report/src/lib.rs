//! Pantau's reports: program progress, monev visits, the accountability
//! report to the Ministry and cooperative indicators.
//!
//! Three layers, as in the rest of Pantau:
//! - [`gather`] asks the store for the figures, within the reader's scope
//!   (a region-scoped user's report never holds another region's rows);
//! - the builders ([`progress`], [`accountability`], [`monev`],
//!   [`indicators`]) turn figures into a [`model::Document`]: pure, no I/O;
//! - the formats ([`html`], [`csv`](mod@csv), [`xlsx`], [`pdf`]) write a
//!   document. HTML comes from handlebars templates in
//!   `templates/reports/`, so an office adapts wording and layout without
//!   touching code; the PDF is Chromium's print of that same HTML.

pub mod accountability;
pub mod chart;
pub mod csv;
pub mod gather;
pub mod html;
pub mod indicators;
pub mod model;
pub mod monev;
pub mod monthly;
pub mod pdf;
pub mod progress;
pub mod words;
pub mod xlsx;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use pantau_domain::{Lang, Zone};

pub use gather::{Request, Signer};
pub use model::Document;

/// The reports there are, by the name users type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReportName {
    ProgramProgress,
    Monev,
    Accountability,
    Indicators,
}

impl ReportName {
    pub const ALL: [ReportName; 4] = [
        ReportName::ProgramProgress,
        ReportName::Monev,
        ReportName::Accountability,
        ReportName::Indicators,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportName::ProgramProgress => "program-progress",
            ReportName::Monev => "monev",
            ReportName::Accountability => "accountability",
            ReportName::Indicators => "indicators",
        }
    }
}

impl std::str::FromStr for ReportName {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ReportError::Invalid {
                field: "report",
                reason: format!(
                    "`{s}` is not a report; the reports are {}",
                    Self::ALL.map(ReportName::as_str).join(", ")
                ),
            })
    }
}

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Xlsx,
    Pdf,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Html, Format::Csv, Format::Xlsx, Format::Pdf];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Pdf => "application/pdf",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s.to_ascii_lowercase())
            .ok_or_else(|| ReportError::Invalid {
                field: "format",
                reason: format!("`{s}` is not a format; choose html, csv, xlsx or pdf"),
            })
    }
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error(transparent)]
    Store(#[from] pantau_store::StoreError),
    #[error("report templates: {0}")]
    Templates(String),
    #[error("report template `{name}`: {reason}")]
    Render { name: String, reason: String },
    #[error("XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("CSV: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("PDF: {0}")]
    Pdf(String),
}

/// What every builder needs besides its figures.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub words: &'a words::Words,
    pub lang: Lang,
    pub zone: Zone,
    pub now: DateTime<Utc>,
    /// Region names by code.
    pub regions: &'a BTreeMap<String, String>,
}

impl Context<'_> {
    /// The word `key` in the reader's language (the key itself when absent).
    pub fn w(&self, key: &str) -> String {
        self.words.get(self.lang, key).unwrap_or(key).to_string()
    }

    /// `Kab. Lampung Selatan (18.01)`.
    pub fn region(&self, code: &str) -> String {
        match self.regions.get(code) {
            Some(name) => format!("{name} ({code})"),
            None => code.to_string(),
        }
    }

    /// `23 November 2026 08.00 WIB`.
    pub fn when(&self, at: DateTime<Utc>) -> String {
        pantau_domain::format::when(self.zone, at, self.lang)
    }

    fn fact(&self, key: &str, value: impl Into<String>) -> model::Fact {
        model::Fact {
            label: self.w(key),
            value: value.into(),
        }
    }
}
