//! The monev visit report (Laporan Hasil Monev), for one case or for every
//! visit done in a period: per checklist, one row per visit with its
//! answers, and one card per visit with the findings, the GPS point and the
//! photos (carried inside the HTML and PDF).

use std::borrow::Borrow;
use std::collections::BTreeMap;

use pantau_store::read::report::VisitDone;
use pantau_workflow::{Catalog, Value};

use crate::Context;
use crate::model::{Card, Cell, Column, Document, Fact, Kind, Row, Section, Table};

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

/// `photos`: (case id, attachment id) → `data:` URI, for the case's own
/// attachments only. `visits` given by value are let go one by one as
/// their rows and cards are made.
pub fn build(
    cx: &Context,
    facts: Vec<Fact>,
    catalog: &Catalog,
    visits: impl IntoIterator<Item = impl Borrow<Visit>>,
    photos: &BTreeMap<(String, String), String>,
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
