//! `pantau workflow` and `pantau case simulate`, run as a user runs them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write as _;

use predicates::prelude::*;
use support::{pantau, repo, skip, which};

const PROGRAMS: [&str; 6] = [
    "bansos",
    "perkuatan_permodalan",
    "revitalisasi_pasar",
    "pkl",
    "wirausaha_pemula",
    "plut",
];

#[test]
fn the_shipped_definitions_are_clean() {
    let out = pantau()
        .args(["workflow", "check", "workflows/"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    for p in PROGRAMS {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("ok  {p} v"))),
            "{p} missing from:\n{out}"
        );
    }
}

#[test]
fn a_typo_and_a_garbage_line_get_one_precise_error_each() {
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(repo().join("workflows/bansos.toml")).unwrap();
    let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
    let typo = lines
        .iter()
        .position(|l| l == "to = \"in_verification\"")
        .unwrap();
    lines[typo] = "to = \"in_verfication\"".into();
    let garbage = lines
        .iter()
        .position(|l| l.starts_with("[disbursement]"))
        .unwrap();
    lines.insert(garbage, "tranches = = 40 %%".into());
    let file = dir.path().join("bansos.toml");
    std::fs::write(&file, lines.join("\n")).unwrap();

    let out = pantau()
        .args(["workflow", "check"])
        .arg(&file)
        .arg("--templates")
        .arg(repo().join("templates"))
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let out = String::from_utf8(out).unwrap();
    let f = file.display();
    // The typo sits one line lower, below the inserted garbage line.
    let expected = format!(
        "{f}:{}:12: extra `=`, expected nothing\n{f}:{}:6: unknown state `in_verfication`; did you mean `in_verification`?\n2 problem(s) found\n",
        garbage + 1,
        typo + 2
    );
    assert_eq!(out, expected);
}

#[test]
fn graphs_draw_every_program_with_roles_on_the_edges() {
    for p in PROGRAMS {
        let mermaid = pantau()
            .args(["workflow", "graph", p, "--format", "mermaid"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let mermaid = String::from_utf8(mermaid).unwrap();
        assert!(
            mermaid.contains("stateDiagram-v2") && mermaid.contains("[*] --> draft"),
            "{mermaid}"
        );
        assert!(
            mermaid
                .lines()
                .any(|l| l.contains("draft --> submitted") && l.contains("[manager_regency")),
            "{p}: {mermaid}"
        );
    }
    let en = pantau()
        .args(["workflow", "graph", "bansos", "--lang", "en"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(en)
            .unwrap()
            .contains("Submit proposal [manager_regency, manager_province]")
    );
}

#[test]
fn dot_graphs_render_with_graphviz() {
    let Some(dot) = which("dot") else {
        return skip("graphviz `dot` is not installed (apt-get install graphviz)");
    };
    for p in PROGRAMS {
        let graph = pantau()
            .args(["workflow", "graph", p, "--format", "dot"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let mut child = std::process::Command::new(&dot)
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&graph).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{p}: dot failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let svg = String::from_utf8_lossy(&out.stdout);
        assert!(svg.contains("<svg") && svg.contains("Draf usulan"), "{p}");
    }
}

#[test]
fn every_simulation_runs_to_the_end_with_its_expectations() {
    for p in PROGRAMS {
        let script = format!("workflows/simulations/{p}.toml");
        let out = pantau()
            .args(["case", "simulate", p, &script])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).unwrap();
        let last = out.lines().last().unwrap_or_default();
        assert!(last.starts_with("end: closed (Selesai)"), "{p}: {last}");
        assert!(out.contains("REFUSED"), "{p}: the script shows no refusal");
        assert!(
            out.contains("(duplicate of #"),
            "{p}: the script shows no retried command"
        );
    }
}

#[test]
fn a_broken_expectation_fails_the_simulation_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("s.toml");
    std::fs::write(
        &script,
        "start = \"2026-01-05T08:00:00+07:00\"\n[[steps]]\naction = \"open\"\nrole = \"manager_regency\"\n[[steps]]\naction = \"submit\"\nrole = \"verifier\"\nexpect = \"applied\"\n",
    )
    .unwrap();
    pantau()
        .args(["case", "simulate", "bansos"])
        .arg(&script)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "REFUSED submit [role_not_allowed]",
        ))
        .stderr(predicate::str::contains(format!(
            "{}:8:10: expected applied, but the step was refused",
            script.display()
        )));
}

#[test]
fn an_unknown_program_names_the_known_ones() {
    pantau()
        .args(["workflow", "graph", "bansoss"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no workflow `bansoss`")
                .and(predicate::str::contains("bansos v2")),
        );
}

#[test]
fn a_file_without_stages_is_refused_and_the_check_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(repo().join("workflows/bansos.toml")).unwrap();
    let file = dir.path().join("bansos.toml");
    std::fs::write(&file, &source).unwrap();
    pantau()
        .args(["workflow", "check"])
        .arg(&file)
        .arg("--templates")
        .arg(repo().join("templates"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "    stages: proposal submit, verified verified, rejected rejected, approval approve, approve_by_decree, amend_approval",
        ));
    let without = source.replacen("[stages]\nproposal = \"submit\"\n", "[stages]\n", 1);
    std::fs::write(&file, without).unwrap();
    pantau()
        .args(["workflow", "check"])
        .arg(&file)
        .arg("--templates")
        .arg(repo().join("templates"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "[stages] has no `proposal` (the action that submits a proposal)",
        ));
}
