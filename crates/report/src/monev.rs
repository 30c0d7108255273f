//! The monev visit report (Laporan Hasil Monev), for one case or for every
//! visit done in a period: per checklist, one row per visit with its
//! answers, and one card per visit with the findings, the GPS point and the
//! photos (carried inside the HTML and PDF, up to [`CARRIED_BYTES`] of
//! them; past that, links to Pantau).

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use pantau_store::read::report::VisitDone;
use pantau_workflow::{Catalog, Value};

use crate::Context;
use crate::model::{Card, Cell, Column, Document, Fact, Kind, Photo, Row, Section, Table};

/// The photo bytes a report carries inside its HTML and PDF (as base64, a
/// third more). A kabupaten/kota's month of visits fits; a province's year
/// (some 14,000 visits, ~100 KB a photo) would be gigabytes, in the
/// server's memory and in the page.
pub const CARRIED_BYTES: i64 = 8 * 1024 * 1024;

/// A visit done with the answers its recording event gave, read from the
/// event once (its stored text let go).
#[derive(Debug, Clone)]
pub struct Visit {
    pub done: VisitDone,
    pub answers: BTreeMap<String, Value>,
}

/// The part of a recording event the report reads.
#[derive(serde::Deserialize)]
struct Answers {
    #[serde(default)]
    fields: BTreeMap<String, Value>,
}

/// Each visit with its answers; an event that does not parse gives none.
pub fn read(visits: Vec<VisitDone>) -> Vec<Visit> {
    visits
        .into_iter()
        .map(|mut done| {
            let answers = serde_json::from_str::<Answers>(&done.body)
                .map(|a| a.fields)
                .unwrap_or_default();
            done.body = String::new();
            Visit { done, answers }
        })
        .collect()
}

/// The photo ids a visit's answers name (to load before building).
pub fn photo_ids(visits: &[Visit]) -> Vec<(String, String)> {
    visits
        .iter()
        .flat_map(|v| {
            v.answers.values().filter_map(|answer| match answer {
                Value::Photo(id) => Some((v.done.case_id.clone(), id.clone())),
                _ => None,
            })
        })
        .collect()
}

/// Which photos a report carries: `named` in the order the report reads
/// them, `files` each existing file's (case id, size); a photo of its
/// visit's own case is carried while the bytes carried stay within
/// `budget` (one too big is passed over for the smaller ones after it).
pub fn carried(
    named: &[(String, String)],
    files: &BTreeMap<String, (String, i64)>,
    budget: i64,
) -> BTreeSet<String> {
    let mut chosen = BTreeSet::new();
    let mut left = budget;
    for (case, id) in named {
        let Some((owner, size)) = files.get(id) else {
            continue;
        };
        if owner == case && !chosen.contains(id) && *size <= left {
            left -= size;
            chosen.insert(id.clone());
        }
    }
    chosen
}

/// `photos`: (case id, attachment id) → the photo, for the case's own
/// attachments only. `visits` given by value are let go one by one as
/// their rows and cards are made.
pub fn build(
    cx: &Context,
    facts: Vec<Fact>,
    catalog: &Catalog,
    visits: impl IntoIterator<Item = impl Borrow<Visit>>,
    photos: &BTreeMap<(String, String), Photo>,
) -> Document {
    // Sections by checklist, in the order they first appear.
    let mut order: Vec<(String, String)> = vec![];
    let mut sections: BTreeMap<(String, String), Section> = BTreeMap::new();
    for visit in visits {
        let Visit {
            done: v,
            answers: fields,
        } = visit.borrow();
        let def = catalog
            .get(&v.workflow, u32::try_from(v.workflow_version).unwrap_or(0))
            .or_else(|| catalog.latest(&v.workflow));
        let checklist = def.and_then(|d| d.checklist(&v.checklist));
        let key = (v.workflow.clone(), v.checklist.clone());
        let section = sections.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            let mut columns: Vec<Column> = [
                "kolom.tanggal",
                "fakta.kasus",
                "kolom.penerima",
                "kolom.wilayah",
                "kolom.petugas",
            ]
            .iter()
            .map(|k| Column {
                label: cx.w(k),
                kind: Kind::Text,
            })
            .collect();
            columns.extend(checklist.iter().flat_map(|c| &c.questions).map(|q| Column {
                label: q.label.get(cx.lang).to_string(),
                kind: Kind::Text,
            }));
            Section {
                heading: checklist
                    .map_or_else(|| v.checklist.clone(), |c| c.label.get(cx.lang).to_string()),
                table: Table {
                    columns,
                    ..Table::default()
                },
                ..Section::default()
            }
        });
        let officer = v.officer_name.clone().map_or_else(
            || v.officer.clone(),
            |name| format!("{name} ({})", v.officer),
        );
        let region = v
            .region
            .as_deref()
            .map(|r| cx.region(r))
            .unwrap_or_default();
        let who = v.beneficiary_name.clone().unwrap_or_default();
        // A case as people name it: its first eight characters.
        let short: String = v.case_id.chars().take(8).collect();
        let mut cells = vec![
            Cell::Text(cx.when(v.done_at)),
            Cell::Text(short.clone()),
            Cell::Text(who.clone()),
            Cell::Text(region.clone()),
            Cell::Text(officer.clone()),
        ];
        let mut card = Card {
            title: format!(
                "{} — {} — {}",
                cx.w("lain.kunjungan").replace("{no}", &v.no.to_string()),
                if who.is_empty() { &region } else { &who },
                short
            ),
            facts: vec![
                Fact {
                    label: cx.w("kolom.tanggal"),
                    value: cx.when(v.done_at),
                },
                Fact {
                    label: cx.w("kolom.wilayah"),
                    value: region,
                },
                Fact {
                    label: cx.w("kolom.petugas"),
                    value: officer,
                },
            ],
            photos: vec![],
        };
        for q in checklist.iter().flat_map(|c| &c.questions) {
            let answer = fields.get(&q.id);
            let mut text = answer.map(|a| answer_text(a, cx)).unwrap_or_default();
            if let Some(Value::Photo(id)) = answer {
                // The picture is on the visit's card; the table says there is one.
                let photo = photos.get(&(v.case_id.clone(), id.clone())).cloned();
                text = if photo.is_some() {
                    cx.w("kolom.foto")
                } else {
                    "–".into()
                };
                card.photos.extend(photo);
            } else {
                card.facts.push(Fact {
                    label: q.label.get(cx.lang).to_string(),
                    value: text.clone(),
                });
            }
            cells.push(Cell::Text(text));
        }
        section.table.rows.push(Row {
            cells,
            ..Row::default()
        });
        section.cards.push(card);
    }
    Document {
        report: "monev",
        lang: cx.lang,
        title: cx.w("judul.monev"),
        facts,
        sections: order
            .into_iter()
            .filter_map(|k| sections.remove(&k))
            .collect(),
        signature: None,
    }
}

/// An answer as a person reads it: yes/no in the reader's language, rupiah
/// with dots.
fn answer_text(v: &Value, cx: &Context) -> String {
    match (v, cx.lang) {
        (Value::YesNo(true), pantau_domain::Lang::En) => "yes".into(),
        (Value::YesNo(false), pantau_domain::Lang::En) => "no".into(),
        (Value::Date(d), lang) => pantau_domain::long_date(*d, lang),
        _ => v.display(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(c, i)| (c.to_string(), i.to_string()))
            .collect()
    }

    fn files(rows: &[(&str, &str, i64)]) -> BTreeMap<String, (String, i64)> {
        rows.iter()
            .map(|(i, c, n)| (i.to_string(), (c.to_string(), *n)))
            .collect()
    }

    #[test]
    fn photos_are_carried_in_order_while_they_fit() {
        let files = files(&[
            ("a", "k1", 40),
            ("b", "k1", 50),
            ("c", "k2", 20),
            ("d", "k2", 30),
        ]);
        let named = named(&[("k1", "a"), ("k1", "b"), ("k2", "c"), ("k2", "d")]);
        // a (40) fits, b (50) would pass 80 and is passed over, c (20)
        // fits after it, d (30) would pass: 60 bytes.
        let chosen = carried(&named, &files, 80);
        assert_eq!(chosen, BTreeSet::from(["a".into(), "c".into()]));
        let chosen = carried(&named, &files, 100);
        assert_eq!(chosen, BTreeSet::from(["a".into(), "b".into()]));
        assert_eq!(carried(&named, &files, 0), BTreeSet::new());
        assert_eq!(carried(&named, &files, 140).len(), 4);
    }

    #[test]
    fn a_photo_named_twice_counts_once_and_another_cases_photo_never() {
        let files = files(&[("a", "k1", 60), ("x", "k9", 10)]);
        // The second visit names the same photo; `x` belongs to another case.
        let named = named(&[("k1", "a"), ("k1", "a"), ("k1", "x"), ("k1", "missing")]);
        assert_eq!(carried(&named, &files, 60), BTreeSet::from(["a".into()]));
    }
}
