//! HTML from the handlebars templates in `templates/reports/`: one template
//! per report (`program-progress.hbs`, …) and partials whose names start
//! with `_` (the layout with its print stylesheet, the table, the chart).
//! The HTML carries everything inline (styles, SVG charts, photos), so it
//! prints and opens anywhere, and Chromium makes the PDF from it.

use std::path::Path;

use handlebars::{DirectorySourceOptions, Handlebars};
use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{Cell, Document, Kind, Row};
use crate::words::Words;
use crate::{ReportError, ReportName};

/// The report templates and their words, loaded once.
#[derive(Debug)]
pub struct Templates {
    hbs: Handlebars<'static>,
    pub words: Words,
}

impl Templates {
    /// Loads `dir/reports/*.hbs` and `dir/reports/lang/*.toml`; every
    /// report must have its template.
    pub fn load(dir: &Path) -> Result<Templates, ReportError> {
        let dir = dir.join("reports");
        let words = Words::load(&dir.join("lang")).map_err(ReportError::Templates)?;
        let mut hbs = Handlebars::new();
        hbs.set_strict_mode(true);
        hbs.register_helper("t", Box::new(words.helper()));
        hbs.register_templates_directory(&dir, DirectorySourceOptions::default())
            .map_err(|e| ReportError::Templates(format!("{}: {e}", dir.display())))?;
        for r in ReportName::ALL {
            if !hbs.has_template(r.as_str()) {
                return Err(ReportError::Templates(format!(
                    "{}/{}.hbs is missing",
                    dir.display(),
                    r.as_str()
                )));
            }
        }
        Ok(Templates { hbs, words })
    }

    /// The document as an HTML page.
    pub fn render(&self, doc: &Document) -> Result<String, ReportError> {
        self.hbs
            .render(doc.report, &view(doc))
            .map_err(|e| ReportError::Render {
                name: doc.report.to_string(),
                reason: e.to_string(),
            })
    }
}

#[derive(Serialize)]
struct CellView {
    text: String,
    num: bool,
    miss: bool,
}

fn row(r: &Row, kinds: &[Kind], doc: &Document) -> Value {
    let cells: Vec<CellView> = r
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| CellView {
            text: c.display(doc.lang),
            num: !matches!(c, Cell::Text(_)) || kinds.get(i).is_some_and(|k| *k != Kind::Text),
            miss: r.marks.contains(&i),
        })
        .collect();
    json!({ "cells": cells, "miss": r.miss })
}

/// What the templates see.
fn view(doc: &Document) -> Value {
    let sections: Vec<Value> = doc
        .sections
        .iter()
        .map(|s| {
            let kinds: Vec<Kind> = s.table.columns.iter().map(|c| c.kind).collect();
            json!({
                "heading": s.heading,
                "columns": s.table.columns.iter().map(|c| json!({
                    "label": c.label, "num": c.kind != Kind::Text,
                })).collect::<Vec<_>>(),
                "rows": s.table.rows.iter().map(|r| row(r, &kinds, doc)).collect::<Vec<_>>(),
                "total": s.table.total.as_ref().map(|r| row(r, &kinds, doc)),
                "empty": s.table.rows.is_empty(),
                "charts": s.charts,
                "cards": s.cards.iter().map(|c| json!({
                    "title": c.title,
                    "facts": c.facts.iter().map(|f| json!({"label": f.label, "value": f.value})).collect::<Vec<_>>(),
                    "photos": c.photos,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "lang": doc.lang.as_str(),
        "title": doc.title,
        "facts": doc.facts.iter().map(|f| json!({"label": f.label, "value": f.value})).collect::<Vec<_>>(),
        "sections": sections,
        "empty": doc.sections.is_empty(),
        "signature": doc.signature.as_ref().map(|s| json!({
            "place_date": s.place_date, "position": s.position, "name": s.name, "nip": s.nip,
        })),
    })
}
