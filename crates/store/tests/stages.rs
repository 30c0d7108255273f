//! The progress figures count the stages each definition declares, on
//! SQLite and PostgreSQL: a program whose proposal action and verified and
//! rejected states have other ids than the shipped files' still reports
//! them, and a version pinned before `[stages]` existed still loads and
//! reports by the old convention.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use pantau_domain::Role;
use pantau_domain::access::Scope;
use pantau_store::read::report::{ProgramFilter, ProgramRegion};
use pantau_store::registry::NewProgram;
use pantau_store::{Opening, Outcome, Settings, Store};
use pantau_workflow::{Actor, Catalog, Command, Context, Definition};

#[path = "../../../tests/support/db.rs"]
mod db;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;

const REGION: &str = "18.71";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 1, 0, 0).unwrap()
}

fn cx(step: i64, role: Role) -> Context {
    Context {
        now: t0() + TimeDelta::minutes(step),
        actor: Actor {
            user: "u".into(),
            role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

fn cmd(key: &str, action: &str, inputs: &[(&str, &str)]) -> Command {
    Command {
        observed_at: None,
        key: key.into(),
        action: action.into(),
        inputs: inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// The shipped bansos text.
fn bansos() -> String {
    std::fs::read_to_string(shipped::repo_root().join("workflows/bansos.toml")).unwrap()
}

/// Bansos as a program would write it in its own words: proposals by
/// `ajukan`, verified in `terverifikasi`, rejected in `ditolak`.
fn own_words() -> String {
    let text = bansos()
        .replacen("id = \"bansos\"", "id = \"hibah_uji\"", 1)
        .replace("\"submit\"", "\"ajukan\"")
        .replace("\"verified\"", "\"terverifikasi\"")
        .replace("\"rejected\"", "\"ditolak\"");
    assert!(text.contains("proposal = \"ajukan\"") && !text.contains("\"verified\""));
    text
}

/// Bansos as it was pinned before `[stages]`: version 1, no stages.
fn pinned_v1() -> String {
    let text = bansos();
    let start = text.find("[stages]").unwrap();
    let end = start + text[start..].find("\n\n").unwrap();
    let text =
        format!("{}{}", &text[..start], &text[end..]).replacen("version = 2", "version = 1", 1);
    assert!(!text.contains("[stages]") && text.contains("\nversion = 1\n"));
    text
}

/// A program of `def`, opened on by three cases in Kota Bandar Lampung:
/// one left in draft, one proposed and verified, one proposed and rejected.
async fn three_cases(store: &Store, catalog: &Catalog, def: &Definition, source: &str) {
    let program = format!("{}-2026", def.id);
    store
        .add_program(&NewProgram {
            id: program.clone(),
            name: format!("{} 2026", def.id),
            workflow: def.id.clone(),
            workflow_version: def.version,
            fiscal_year: 2026,
            funding_source: "APBD".into(),
            budget_ceiling: 1_000_000_000,
            province: "18".into(),
            allocations: vec![(REGION.into(), 1_000_000_000)],
        })
        .await
        .unwrap();
    let proposal = def.stages.proposal.as_str();
    let submit = [
        ("amount_requested", "Rp 150.000.000"),
        ("proposal_doc", "usulan.pdf"),
        ("in_craft_centre", "ya"),
    ];
    let verify = [("legal_entity_valid", "ya"), ("rat_held_last_year", "ya")];
    for (n, last) in [(1, None), (2, Some("verify")), (3, Some("reject"))] {
        let id = format!("{}-{n}", def.id);
        store
            .open_case(
                &Opening {
                    case_id: id.clone(),
                    key: format!("open-{id}"),
                    region: Some(REGION.into()),
                    program_id: Some(program.clone()),
                    beneficiary_id: None,
                    definition: def,
                    source,
                },
                &cx(0, Role::ManagerRegency),
            )
            .await
            .unwrap();
        let Some(last) = last else { continue };
        let reason = [("reason", "Tidak memenuhi syarat")];
        let steps = [
            (Role::ManagerRegency, cmd("a", proposal, &submit)),
            (Role::Verifier, cmd("b", "start_verification", &[])),
            (
                Role::Verifier,
                cmd("c", last, if last == "verify" { &verify } else { &reason }),
            ),
        ];
        for (i, (role, mut c)) in steps.into_iter().enumerate() {
            c.key = format!("{id}-{}", c.key);
            let out = store
                .apply(catalog, &id, &c, &cx(i as i64 + 1, role), None)
                .await
                .unwrap();
            assert!(matches!(out, Outcome::Applied { .. }), "{id}: {out:?}");
        }
    }
}

async fn figures(store: &Store, catalog: &Catalog, program: &str) -> ProgramRegion {
    let filter = ProgramFilter {
        year: 2026,
        program: Some(program.into()),
        scope: Scope::National,
    };
    let rows = store
        .program_regions(&filter, catalog, t0() + TimeDelta::days(1))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows.into_iter().next().unwrap()
}

fn counted(r: &ProgramRegion) -> [i64; 4] {
    [r.cases, r.proposals, r.verified, r.rejected]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_program_in_its_own_words_reports_its_stages() {
    let text = own_words();
    let def = pantau_workflow::load("hibah_uji.toml", &text, &shipped::known())
        .unwrap_or_else(|d| panic!("{d:?}"));
    let catalog = Catalog::load([("hibah_uji.toml", text.as_str())], &shipped::known()).unwrap();
    for t in db::test_databases().await {
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        three_cases(&store, &catalog, &def, &text).await;
        let r = figures(&store, &catalog, "hibah_uji-2026").await;
        assert_eq!(counted(&r), [3, 2, 1, 1], "{}: {r:?}", t.name);
        // Counted by the ids the shipped files share, the same cases report nothing.
        let by_convention = Catalog::default();
        let r = figures(&store, &by_convention, "hibah_uji-2026").await;
        assert_eq!(counted(&r), [3, 0, 0, 0], "{}: {r:?}", t.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_pinned_without_stages_still_loads_and_reports() {
    let old = pinned_v1();
    let files = shipped::catalog();
    assert!(
        pantau_workflow::load("bansos.toml", &old, &shipped::known()).is_err(),
        "a file without [stages] is refused"
    );
    let def = pantau_workflow::load_pinned("pinned", &old, &shipped::known()).unwrap();
    assert_eq!(def.stages.proposal, "submit");
    for t in db::test_databases().await {
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        three_cases(&store, &files, &def, &old).await;
        // As at start-up: the files (version 2) and the version only the database knows.
        let catalog = store.pinned_catalog(files.clone()).await.unwrap();
        assert_eq!(
            catalog.file("bansos", 1),
            Some("pinned:bansos@1"),
            "{}",
            t.name
        );
        assert!(catalog.get("bansos", 2).is_some(), "{}", t.name);
        let r = figures(&store, &catalog, "bansos-2026").await;
        assert_eq!(counted(&r), [3, 2, 1, 1], "{}: {r:?}", t.name);
    }
}
