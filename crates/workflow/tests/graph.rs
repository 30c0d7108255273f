//! The SVG drawing of every shipped definition: each state drawn once with
//! its label, one arrow per (from, to) pair of its actions, nothing fetched
//! from elsewhere. `PANTAU_GRAPHS=DIR` also writes each as `DIR/ID-vN.html`
//! to look at. And the check of one file, as the workflows page asks it.
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

/// Checking one file (an administrator's upload) installs nothing and says
/// what `Catalog::load` would, plus a version already installed with another text.
#[test]
fn checking_a_file_says_what_loading_would_and_installs_nothing() {
    let sources = common::shipped_sources();
    let catalog = pantau_workflow::Catalog::load(
        sources.iter().map(|(f, s)| (f.as_str(), s.as_str())),
        &common::known(),
    )
    .unwrap();
    let before: Vec<_> = catalog.iter().map(|d| (d.id.clone(), d.version)).collect();
    let (file, text) = sources
        .iter()
        .find(|(f, _)| f.ends_with("bansos.toml"))
        .unwrap();
    // The installed text itself: fine.
    assert!(catalog.check(file, text).is_ok());
    // The same version with another text: refused, naming where it is installed from.
    let changed = text.replacen(
        "label = { id = \"Draf usulan\"",
        "label = { id = \"Draf\"",
        1,
    );
    assert_ne!(&changed, text);
    let problems = catalog.check("baru.toml", &changed).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .to_string()
            .starts_with("baru.toml:1:1: workflow `bansos` version 2 is already installed from"),
        "{}",
        problems[0]
    );
    // A new version of it: fine, and not added.
    let next = changed.replacen("version = 2", "version = 3", 1);
    assert_eq!(catalog.check("baru.toml", &next).unwrap().version, 3);
    // A broken line: named by line.
    let broken = next.replacen("[[states]]", "[[states]", 1);
    let line = broken.lines().position(|l| l == "[[states]").unwrap() + 1;
    let problems = catalog.check("baru.toml", &broken).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.line == line && p.file == "baru.toml"),
        "{problems:?}"
    );
    let after: Vec<_> = catalog.iter().map(|d| (d.id.clone(), d.version)).collect();
    assert_eq!(after, before, "nothing installed");
}
