//! Draws a definition as a Mermaid state diagram or a Graphviz DOT graph,
//! with the roles that may take each action on its edge; or as SVG laid out
//! here ([`svg`]), for the pages.

mod layout;
mod svg;

pub use svg::svg;

use std::fmt::Write as _;

use pantau_domain::Lang;

use crate::definition::Definition;

/// The drawing formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
}

pub fn render(def: &Definition, format: Format, lang: Lang) -> String {
    match format {
        Format::Mermaid => mermaid(def, lang),
        Format::Dot => dot(def, lang),
    }
}

/// Each edge as (from, to, label): the action's label and its roles.
fn edges(def: &Definition, lang: Lang) -> Vec<(&str, &str, String)> {
    let mut out = Vec::new();
    for action in &def.actions {
        let roles: Vec<&str> = action.roles.iter().map(|r| r.as_str()).collect();
        let label = format!("{} [{}]", action.label.get(lang), roles.join(", "));
        for from in &action.from {
            out.push((from.as_str(), action.target(from), label.clone()));
        }
    }
    out
}

fn mermaid(def: &Definition, lang: Lang) -> String {
    // Mermaid ends a label at `;` and reads `:` and `#` specially.
    let clean = |s: &str| s.replace([';', ':', '#'], " ").replace('"', "'");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "---\ntitle: {} (v{})\n---\nstateDiagram-v2",
        clean(def.label.get(lang)),
        def.version
    );
    for s in &def.states {
        let _ = writeln!(
            out,
            "    state \"{}\" as {}",
            clean(s.label.get(lang)),
            s.id
        );
    }
    let _ = writeln!(out, "    [*] --> {}", def.initial);
    for (from, to, label) in edges(def, lang) {
        let _ = writeln!(out, "    {from} --> {to}: {}", clean(&label));
    }
    for s in def.states.iter().filter(|s| s.is_final) {
        let _ = writeln!(out, "    {} --> [*]", s.id);
    }
    out
}

fn dot(def: &Definition, lang: Lang) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&def.id));
    let _ = writeln!(
        out,
        "  label={};\n  labelloc=t;\n  rankdir=TB;",
        quote(&format!("{} (v{})", def.label.get(lang), def.version))
    );
    let _ = writeln!(
        out,
        "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];"
    );
    let _ = writeln!(
        out,
        "  \"__start\" [shape=point, label=\"\"];\n  \"__start\" -> {};",
        quote(&def.initial)
    );
    for s in &def.states {
        let extra = if s.is_final { ", peripheries=2" } else { "" };
        let _ = writeln!(
            out,
            "  {} [label={}{extra}];",
            quote(&s.id),
            quote(s.label.get(lang))
        );
    }
    for (from, to, label) in edges(def, lang) {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}];",
            quote(from),
            quote(to),
            quote(&label)
        );
    }
    out.push_str("}\n");
    out
}
