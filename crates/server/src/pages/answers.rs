//! A case's recorded answers as people read them, in the order the
//! definition asks them: yes/no and dates in the reader's language, files
//! as links, a recorded decree's number as a link to it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use pantau_domain::long_date;
use pantau_workflow::Definition;
use serde::Serialize;

use super::cases::is_attachment;
use super::view::Viewer;

/// A recorded value as people read it, with its file when it is one, or
/// its page (a decree's number links to the decree).
#[derive(Serialize)]
pub struct Shown {
    label: String,
    value: String,
    href: Option<String>,
    photo: bool,
    /// `href` is a page of Pantau, opened in the same tab.
    page: bool,
}

/// A field's label and type from the definition (the id where unknown).
fn field_of(def: &Definition, id: &str, lang: pantau_domain::Lang) -> (String, String) {
    def.actions
        .iter()
        .flat_map(|a| a.fields.iter())
        .chain(def.checklists.iter().flat_map(|c| c.questions.iter()))
        .find(|f| f.id == id)
        .map_or_else(
            || (id.to_string(), String::new()),
            |f| (f.label.get(lang).to_string(), f.kind.as_str().to_string()),
        )
}

pub fn shown(
    v: &Viewer,
    def: &Definition,
    case: &str,
    fields: &BTreeMap<String, String>,
    decrees: &BTreeSet<String>,
) -> Vec<Shown> {
    let lang = v.caller.lang;
    // In the order the definition asks them (actions' fields, then checklists').
    let order: Vec<&str> = def
        .actions
        .iter()
        .flat_map(|a| a.fields.iter())
        .chain(def.checklists.iter().flat_map(|c| c.questions.iter()))
        .map(|f| f.id.as_str())
        .collect();
    let mut fields: Vec<(&String, &String)> = fields.iter().collect();
    fields.sort_by_key(|(id, _)| {
        (
            order.iter().position(|o| o == id).unwrap_or(usize::MAX),
            *id,
        )
    });
    fields
        .into_iter()
        .map(|(id, raw)| {
            let (label, kind) = field_of(def, id, lang);
            let file = matches!(kind.as_str(), "photo" | "document") && is_attachment(raw);
            let value = match kind.as_str() {
                "yes_no" if raw == "ya" => v.text("umum.ya"),
                "yes_no" if raw == "tidak" => v.text("umum.tidak"),
                "date" => NaiveDate::parse_from_str(raw, "%d/%m/%Y")
                    .map_or_else(|_| raw.clone(), |d| long_date(d, lang)),
                "photo" if file => v.text("kasus.lihat_foto"),
                "document" if file => v.text("kasus.lihat_berkas"),
                _ => raw.clone(),
            };
            let decree = id == "decree_number" && decrees.contains(raw);
            Shown {
                label,
                value,
                href: if decree {
                    Some(format!("/sk/{}", pantau_store::decree::id_of(raw)))
                } else {
                    file.then(|| format!("/api/cases/{case}/attachments/{raw}"))
                },
                photo: file && kind == "photo",
                page: decree,
            }
        })
        .collect()
}
