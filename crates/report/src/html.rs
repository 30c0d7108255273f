//! HTML from the handlebars templates in `templates/reports/`: one template
//! per report (`program-progress.hbs`, …) and partials whose names start
//! with `_` (the page's top with its print stylesheet and its bottom, the
//! table, the chart). A report's template writes its body between
//! `{{> _top}}` and `{{> _bottom}}`, not inside a partial block
//! (`{{#> _layout}}`), which handlebars would render apart first: a second
//! copy of a province's 20 MB monev report in memory.
//! The HTML carries everything inline (styles, SVG charts, photos), so it
//! prints and opens anywhere, and Chromium makes the PDF from it.
//!
//! A section's table rows and cards are not in what the templates see: a
//! monev report of a province holds some 14,000 visits, and as one JSON
//! value (copied again by handlebars for each partial it enters) they took
//! about 90 times the page's size in memory. The block helpers
//! `{{#each_row}}…{{/each_row}}` and `{{#each_card}}…{{/each_card}}`, used
//! in a section's context, render their block once per row or card of that
//! section instead, each from a small value made from the document as it
//! goes, straight into the page; inside, the template sees what `#each`
//! would have given it (`cells_html` and `miss`; `title`, `facts_html` and
//! `photos`; `@index`, `@first`, `@last`).
//!
//! A row's cells and a card's facts come as HTML made here
//! (`<td class="num mark">✗ 12</td>`, `<dt>…</dt><dd>…</dd>`, escaped as
//! handlebars escapes), written with `{{{cells_html}}}`: an `#each` inside
//! the block copied every cell and fact and evaluated three `#if`s a cell,
//! 0.7 of the 0.94 s a province's monev page took to render; it takes
//! 0.17 s now (`cargo bench -p pantau-report --bench monev`, 14,000 visits).

use std::path::Path;

use handlebars::{
    BlockContext, Context, DirectorySourceOptions, Handlebars, Helper, HelperDef, HelperResult,
    Output, RenderContext, RenderError, RenderErrorReason, Renderable,
};
use serde_json::{Value, json};

use crate::model::{Card, Cell, Document, Kind, Photo, Row};
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
        // The helpers borrow this document: a copy of the registry (its
        // compiled templates, a few kilobytes) carries them for this page.
        let mut hbs: Handlebars<'_> = self.hbs.clone();
        hbs.register_helper("each_row", Box::new(EachItem { doc, cards: false }));
        hbs.register_helper("each_card", Box::new(EachItem { doc, cards: true }));
        let failed = |reason: String| ReportError::Render {
            name: doc.report.to_string(),
            reason,
        };
        let mut page = Page(Vec::new());
        hbs.render_with_context_to_write(doc.report, &Context::from(view(doc)), &mut page)
            .map_err(|e| failed(e.to_string()))?;
        String::from_utf8(page.joined()).map_err(|e| failed(e.to_string()))
    }
}

/// The page as handlebars writes it, in pieces of at least [`PIECE`] bytes:
/// one buffer grown as it fills would hold the old and the new at each
/// growth, two and a half times the page at the last.
struct Page(Vec<Vec<u8>>);

/// The size of a page's pieces.
const PIECE: usize = 1 << 20;

impl Page {
    /// The pieces in one buffer of the page's size, each let go once
    /// copied: at most the page and one piece at once.
    fn joined(self) -> Vec<u8> {
        let mut whole = Vec::with_capacity(self.0.iter().map(Vec::len).sum());
        for piece in self.0 {
            whole.extend_from_slice(&piece);
        }
        whole
    }
}

impl std::io::Write for Page {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.last_mut() {
            Some(last) if last.capacity() - last.len() >= buf.len() => last.extend_from_slice(buf),
            _ => {
                let mut piece = Vec::with_capacity(buf.len().max(PIECE));
                piece.extend_from_slice(buf);
                self.0.push(piece);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `{{#each_row}}` (`cards` false): the block once per table row of the
/// section in context; `{{#each_card}}` (`cards` true): once per card.
struct EachItem<'a> {
    doc: &'a Document,
    cards: bool,
}

impl HelperDef for EachItem<'_> {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        if self.cards {
            let s = section(self.doc, "each_card", ctx, rc)?;
            return each(h, r, ctx, rc, out, s.cards.len(), s.cards.iter().map(card));
        }
        let s = section(self.doc, "each_row", ctx, rc)?;
        let kinds: Vec<Kind> = s.table.columns.iter().map(|c| c.kind).collect();
        let items = s.table.rows.iter().map(|r| row(r, &kinds, self.doc));
        each(h, r, ctx, rc, out, s.table.rows.len(), items)
    }
}

/// The document's section whose number (`section`) the context holds.
fn section<'a>(
    doc: &'a Document,
    helper: &'static str,
    ctx: &Context,
    rc: &RenderContext<'_, '_>,
) -> Result<&'a crate::model::Section, RenderError> {
    let n = rc.evaluate(ctx, "section")?.as_json().as_u64();
    n.and_then(|n| doc.sections.get(usize::try_from(n).ok()?))
        .ok_or_else(|| {
            RenderErrorReason::Other(format!("{helper} is used outside a section")).into()
        })
}

/// Renders the helper's block once per item, each item the block's context,
/// as `#each` does.
fn each<'reg: 'rc, 'rc>(
    h: &Helper<'rc>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
    rc: &mut RenderContext<'reg, 'rc>,
    out: &mut dyn Output,
    len: usize,
    items: impl Iterator<Item = Value>,
) -> HelperResult {
    let Some(t) = h.template() else {
        return Ok(());
    };
    for (i, item) in items.enumerate() {
        let mut block = BlockContext::new();
        block.set_local_var("index", json!(i));
        block.set_local_var("first", json!(i == 0));
        block.set_local_var("last", json!(i + 1 == len));
        block.set_base_value(item);
        rc.push_block(block);
        let done = t.render(r, ctx, rc, out);
        rc.pop_block();
        done?;
    }
    Ok(())
}

fn row(r: &Row, kinds: &[Kind], doc: &Document) -> Value {
    let mut cells = String::new();
    for (i, c) in r.cells.iter().enumerate() {
        let num = !matches!(c, Cell::Text(_)) || kinds.get(i).is_some_and(|k| *k != Kind::Text);
        let miss = r.marks.contains(&i);
        cells.push_str(match (num, miss) {
            (true, true) => "<td class=\"num mark\">✗ ",
            (true, false) => "<td class=\"num\">",
            (false, true) => "<td class=\" mark\">✗ ",
            (false, false) => "<td class=\"\">",
        });
        cells.push_str(&handlebars::html_escape(&c.display(doc.lang)));
        cells.push_str("</td>");
    }
    json!({ "cells_html": cells, "miss": r.miss })
}

/// `<dt>label</dt><dd>value</dd>` for each fact, escaped.
fn facts_html(facts: &[crate::model::Fact]) -> String {
    let mut out = String::new();
    for f in facts {
        out.push_str("<dt>");
        out.push_str(&handlebars::html_escape(&f.label));
        out.push_str("</dt><dd>");
        out.push_str(&handlebars::html_escape(&f.value));
        out.push_str("</dd>");
    }
    out
}

fn card(c: &Card) -> Value {
    json!({
        "title": c.title,
        "facts_html": facts_html(&c.facts),
        "photos": c.photos.iter().map(|p| match p {
            Photo::Carried(src) => json!({"src": src}),
            Photo::Linked(href) => json!({"href": href}),
        }).collect::<Vec<_>>(),
    })
}

/// What the templates see: a section's rows and cards come through
/// `each_row` and `each_card`, by the section's number.
fn view(doc: &Document) -> Value {
    let sections: Vec<Value> = doc
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let kinds: Vec<Kind> = s.table.columns.iter().map(|c| c.kind).collect();
            json!({
                "section": i,
                "heading": s.heading,
                "columns": s.table.columns.iter().map(|c| json!({
                    "label": c.label, "num": c.kind != Kind::Text,
                })).collect::<Vec<_>>(),
                "total": s.table.total.as_ref().map(|r| row(r, &kinds, doc)),
                "empty": s.table.rows.is_empty(),
                "charts": s.charts,
                "has_cards": !s.cards.is_empty(),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use pantau_domain::Lang;

    use super::*;
    use crate::model::{Column, Fact, Section, Table};

    fn templates() -> Templates {
        let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
        while !dir.join("templates").is_dir() && dir.pop() {}
        Templates::load(&dir.join("templates")).unwrap()
    }

    const TRICKY: &str = "KSP \"Tani <Maju>\" & 'Baru'";
    const ESCAPED: &str = "KSP &quot;Tani &lt;Maju&gt;&quot; &amp; &#x27;Baru&#x27;";

    fn section(rows: usize, cards: usize) -> Section {
        let text = |t: &str| Cell::Text(t.into());
        Section {
            heading: "Monev".into(),
            table: Table {
                columns: vec![
                    Column {
                        label: "Penerima".into(),
                        kind: Kind::Text,
                    },
                    Column {
                        label: "Dana".into(),
                        kind: Kind::Rupiah,
                    },
                ],
                rows: (0..rows)
                    .map(|i| Row {
                        cells: vec![text(&format!("{TRICKY} {i}")), Cell::Rupiah(1_000)],
                        miss: i == 1,
                        marks: if i == 1 { vec![1] } else { vec![] },
                    })
                    .collect(),
                total: Some(Row {
                    cells: vec![text("Jumlah"), Cell::Rupiah(2_000)],
                    ..Row::default()
                }),
            },
            charts: vec![],
            cards: (0..cards)
                .map(|i| Card {
                    title: format!("{TRICKY} card {i}"),
                    facts: vec![Fact {
                        label: "Temuan".into(),
                        value: "<b>&".into(),
                    }],
                    photos: vec![Photo::Carried("data:image/png;base64,AA==".into())],
                })
                .collect(),
        }
    }

    fn doc(report: &'static str, sections: Vec<Section>) -> Document {
        Document {
            report,
            lang: Lang::Id,
            title: "Laporan".into(),
            facts: vec![],
            sections,
            signature: None,
        }
    }

    /// Each section's rows and cards, in order, in their own section, with
    /// user text escaped as handlebars escapes it.
    #[test]
    fn rows_and_cards_come_in_order_per_section_escaped() {
        let t = templates();
        for report in ["monev", "program-progress"] {
            let html = t
                .render(&doc(report, vec![section(3, 2), section(1, 0)]))
                .unwrap();
            assert!(!html.contains("<Maju>") && !html.contains("<b>"), "{html}");
            let first = html.find("</section>").unwrap();
            let (one, two) = html.split_at(first);
            for i in 0..3 {
                assert!(one.contains(&format!("{ESCAPED} {i}</td>")), "{report}");
            }
            assert!(one.find(&format!("{ESCAPED} 0")) < one.find(&format!("{ESCAPED} 2")));
            assert!(two.contains(&format!("{ESCAPED} 0</td>")), "{report}");
            assert!(!two.contains(&format!("{ESCAPED} 1")), "{report}");
            assert_eq!(one.matches("<div class=\"card\">").count(), 2, "{report}");
            assert!(one.contains(&format!("<h3>{ESCAPED} card 1</h3>")));
            assert!(one.contains("<dd>&lt;b&gt;&amp;</dd>"), "{report}");
            assert_eq!(one.matches("<tr class=\"miss\">").count(), 1, "{report}");
            assert_eq!(one.matches("class=\"num mark\">✗ ").count(), 1, "{report}");
            assert_eq!(one.matches("<tr class=\"total\">").count(), 1, "{report}");
            assert!(html.trim_end().ends_with("</html>"));
        }
    }

    /// `each_row` outside a section's context is an error, not an empty table.
    #[test]
    fn each_row_outside_a_section_is_an_error() {
        let mut t = templates();
        t.hbs
            .register_template_string("monev", "{{#each_row}}x{{/each_row}}")
            .unwrap();
        let err = t.render(&doc("monev", vec![section(1, 0)])).unwrap_err();
        assert!(err.to_string().contains("outside a section"), "{err}");
    }
}
