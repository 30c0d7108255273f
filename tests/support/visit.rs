//! A field officer's answer to each kind of checklist field, shared by the
//! server's tests and the sync benchmark (included with `#[path]`).

use serde_json::{Value, json};

/// The answer to a field of `kind` (with its `options`), or `None` for a
/// photo or document, which the caller uploads and answers with its id.
pub fn answer(kind: &str, options: &Value) -> Option<Value> {
    Some(match kind {
        "photo" | "document" => return None,
        "yes_no" => json!("ya"),
        "choice" => options[0].clone(),
        "number" => json!("25"),
        "rupiah" => json!("Rp 1.000.000"),
        "date" => json!("2026-11-20"),
        "gps" => json!("-5.4295,105.2610"),
        _ => json!("Dicatat dari ponsel"),
    })
}
