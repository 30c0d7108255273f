//! The checker, case by case: each edit to a clean definition gives exactly
//! the diagnostics expected, at the right line and column.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pantau_workflow::{Known, load};

const MINI: &str = include_str!("fixtures/mini.toml");

fn known() -> Known {
    Known {
        templates: ["waiting".to_string()].into(),
    }
}

/// Applies `edits` (replace the first `from` with `to`) to the mini definition
/// and returns the diagnostics as `LINE:COL: message` lines.
fn check(edits: &[(&str, &str)]) -> Vec<String> {
    let mut text = MINI.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "fixture has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    match load("mini.toml", &text, &known()) {
        Ok(_) => Vec::new(),
        Err(ds) => ds
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
            .collect(),
    }
}

#[test]
fn the_fixture_is_clean() {
    assert_eq!(check(&[]), Vec::<String>::new());
}

#[test]
fn unknown_state_is_reported_where_it_is_named() {
    assert_eq!(
        check(&[("to = \"paid\"", "to = \"piad\"")]),
        ["45:6: unknown state `piad`; did you mean `paid`?"]
    );
    assert_eq!(
        check(&[("initial = \"draft\"", "initial = \"start\"")]),
        ["5:11: unknown state `start`"]
    );
}

#[test]
fn unknown_role_template_guard_and_answer_type() {
    assert_eq!(
        check(&[(
            "roles = [\"verifier\"]\napproves",
            "roles = [\"boss\"]\napproves"
        )]),
        [
            "36:10: unknown role `boss` (known roles: admin, manager_province, manager_regency, verifier, field_officer, ministry, treasurer)"
        ]
    );
    assert_eq!(
        check(&[("template = \"waiting\" }]", "template = \"wait\" }]")]),
        ["19:74: unknown template `wait` (known: waiting)"]
    );
    assert_eq!(
        check(&[("\"within_allocation\"", "\"within_budget\"")]),
        [
            "38:11: unknown guard `within_budget` (known: within_requested, within_allocation, monev_reported, tranches_remaining, all_tranches_paid, officer_assigned)"
        ]
    );
    let d = check(&[("type = \"yes_no\"", "type = \"boolean\"")]);
    assert_eq!(d.len(), 1);
    assert!(
        d[0].starts_with("70:27: unknown answer type `boolean`"),
        "{d:?}"
    );
}

#[test]
fn unreachable_and_dead_end_states() {
    // Nothing leads to `closed` any more, and `paid` loses its way out.
    assert_eq!(
        check(&[(
            "from = [\"paid\"]\nto = \"closed\"",
            "from = [\"paid\"]\nto = \"paid\""
        )]),
        [
            "22:6: state `paid` is not final but no action leads out of it",
            "27:6: state `closed` cannot be reached from `draft`"
        ]
    );
}

#[test]
fn duplicates_name_the_first_definition() {
    assert_eq!(
        check(&[("id = \"close\"", "id = \"visit\"")]),
        ["59:6: duplicate action `visit` (first defined on line 51)"]
    );
    assert_eq!(
        check(&[("id = \"paid\"", "id = \"approved\"")])
            .first()
            .map(String::as_str),
        Some("22:6: duplicate state `approved` (first defined on line 17)")
    );
}

#[test]
fn durations_cron_and_tranches() {
    assert_eq!(
        check(&[("after_entered = \"7d\"", "after_entered = \"seminggu\"")]),
        ["19:57: bad duration `seminggu` (write e.g. 7d, 36h, 2w)"]
    );
    let d = check(&[("MON-FRI", "1-5")]);
    assert!(
        d.len() == 1 && d[0].starts_with("7:21: cron weekday `1-5` uses numbers"),
        "{d:?}"
    );
    assert_eq!(
        check(&[("[60, 40]", "[60, 30]")]),
        ["10:12: tranche percentages sum to 90, not 100"]
    );
    assert_eq!(
        check(&[("[60, 40]", "[160, -60]")]),
        [
            "10:13: tranche percentage 160 must lie between 1 and 100",
            "10:18: tranche percentage -60 must lie between 1 and 100"
        ]
    );
}

#[test]
fn choices_need_options() {
    assert_eq!(
        check(&[(" options = [\"baik\", \"buruk\"],", "")]),
        ["71:27: choice `status` needs options = [...]"]
    );
}

#[test]
fn a_garbage_line_and_a_typo_give_one_error_each() {
    let d = check(&[
        (
            "[[states]]\nid = \"closed\"",
            "this is not toml ]]\n[[states]]\nid = \"closed\"",
        ),
        ("to = \"paid\"", "to = \"piad\""),
    ]);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d[0].starts_with("26:"), "{d:?}");
    assert_eq!(d[1], "46:6: unknown state `piad`; did you mean `paid`?");
}

#[test]
fn unknown_keys_are_named() {
    let d = check(&[("final = true", "final = true\nfinale = true")]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].starts_with("30:1: unknown field `finale`"), "{d:?}");
}

const STAGES: &str = "[stages]\nproposal = \"approve\"\nverified = \"approved\"\nrejected = \"closed\"\napproval = [\"approve\"]\n";

#[test]
fn a_file_declares_its_stages() {
    let d = check(&[(STAGES, "")]);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].starts_with("1:6: the program has no [stages]: declare proposal"),
        "{d:?}"
    );
    assert_eq!(
        check(&[("rejected = \"closed\"\n", "")]),
        ["83:1: [stages] has no `rejected` (the state that means rejected)"]
    );
}

#[test]
fn stages_name_actions_and_states_that_exist() {
    assert_eq!(
        check(&[
            ("proposal = \"approve\"", "proposal = \"ajukan\""),
            ("verified = \"approved\"", "verified = \"aproved\""),
        ]),
        [
            "84:12: [stages] names unknown action `ajukan`",
            "85:12: [stages] names unknown state `aproved`; did you mean `approved`?"
        ]
    );
}

#[test]
fn every_money_approval_is_declared_and_guarded_by_the_allocation() {
    assert_eq!(
        check(&[("guards = [\"within_allocation\"]", "guards = []")]),
        [
            "37:12: action `approve` approves an amount without the `within_allocation` guard, so it could approve past the region's allocation; add it to guards"
        ]
    );
    assert_eq!(
        check(&[("approval = [\"approve\"]", "approval = [\"pay\"]")]),
        [
            "87:12: [stages] approval leaves out `approve`, which approves an amount",
            "87:13: [stages] approval names `pay`, which approves no amount (it has no approves = \"FIELD\")"
        ]
    );
}

#[test]
fn a_pinned_text_without_stages_loads_by_the_old_convention() {
    let old = MINI
        .replace(STAGES, "")
        .replace("guards = [\"within_allocation\"]", "");
    assert!(load("mini.toml", &old, &known()).is_err());
    let def = pantau_workflow::load_pinned("pinned", &old, &known()).expect("pinned loads");
    assert_eq!(
        def.stages,
        pantau_workflow::Stages {
            proposal: "submit".into(),
            verified: "verified".into(),
            rejected: "rejected".into(),
            approval: vec!["approve".into()],
        }
    );
    let declared = pantau_workflow::load_pinned("pinned", MINI, &known()).expect("pinned loads");
    assert_eq!(declared.stages.proposal, "approve");
}

#[test]
fn records_year_must_name_a_number_field() {
    // `amount` is a rupiah field, and `tahun` no field at all.
    assert_eq!(
        check(&[(
            "roles = [\"verifier\"]\nguards = [\"all_tranches_paid\"",
            "roles = [\"verifier\"]\nrecords_year = \"amount\"\nguards = [\"all_tranches_paid\""
        )]),
        [
            "64:16: `amount` is not a number field of any action (records_year names the field holding the year)"
        ]
    );
    let found = check(&[(
        "roles = [\"verifier\"]\nguards = [\"all_tranches_paid\"",
        "roles = [\"verifier\"]\nrecords_year = \"tahun\"\nguards = [\"all_tranches_paid\"",
    )]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("`tahun` is not a number field"),
        "{found:?}"
    );
}
