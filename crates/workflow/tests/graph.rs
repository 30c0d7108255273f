//! The SVG drawing of every shipped definition: each state drawn once with
//! its label, one arrow per (from, to) pair of its actions, nothing fetched
//! from elsewhere. `PANTAU_GRAPHS=DIR` also writes each as `DIR/ID-vN.html`
//! to look at.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use pantau_domain::Lang;
use pantau_workflow::graph;

#[test]
fn every_shipped_definition_draws_each_state_once() {
    for def in common::shipped() {
        for lang in [Lang::Id, Lang::En] {
            let svg = graph::svg(&def, lang);
            let who = format!("{} v{} {lang:?}", def.id, def.version);
            assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{who}");
            assert!(
                !svg.contains("http://")
                    || !svg
                        .replace("http://www.w3.org/2000/svg", "")
                        .contains("http"),
                "{who}: nothing fetched"
            );
            for s in &def.states {
                let node = format!("data-state=\"{}\"", s.id);
                assert_eq!(svg.matches(&node).count(), 1, "{who}: {}", s.id);
                for word in s.label.get(lang).split_whitespace() {
                    assert!(svg.contains(word), "{who}: {word}");
                }
            }
            let pairs: BTreeSet<(&str, &str)> = def
                .actions
                .iter()
                .flat_map(|a| a.from.iter().map(move |f| (f.as_str(), a.target(f))))
                .collect();
            // One arrow per pair, and the one into the initial state.
            assert_eq!(
                svg.matches("class=\"edge\"").count(),
                pairs.len() + 1,
                "{who}"
            );
            if let (Ok(dir), Lang::Id) = (std::env::var("PANTAU_GRAPHS"), lang) {
                std::fs::create_dir_all(&dir).unwrap();
                let css = std::fs::read_to_string(
                    common::repo().join("templates/pages/static/pantau.css"),
                )
                .unwrap();
                let html = format!(
                    "<!doctype html><meta charset=utf-8><style>{css}</style><body style='background:#fff'>{svg}</body>"
                );
                std::fs::write(format!("{dir}/{}-v{}.html", def.id, def.version), html).unwrap();
            }
        }
    }
}
