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
            assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{who}");
            let others = svg.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
            assert!(
                !others.contains("http") && !others.contains("href"),
                "{who}: nothing fetched"
            );
            for s in &def.states {
                let node = format!("data-state=\"{}\"", s.id);
                assert_eq!(svg.matches(&node).count(), 1, "{who}: {}", s.id);
                for word in s.label.get(lang).split_whitespace() {
                    assert!(svg.contains(word), "{who}: {word}");
                }
            }
            // One arrow per (from, to) pair of states (a loop for a state one stays
            // in), and the one into the initial state; the built-in acceptance of
            // evidence, open everywhere, is left out.
            let pairs: BTreeSet<(&str, &str)> = def
                .actions
                .iter()
                .filter(|a| !a.accepts_evidence)
                .flat_map(|a| a.from.iter().map(move |f| (f.as_str(), a.target(f))))
                .map(|(f, t)| if f == t { (f, "") } else { (f, t) })
                .collect();
            assert_eq!(
                svg.matches("<path class=\"edge").count(),
                pairs.len() + 1,
                "{who}"
            );
        }
    }
}
