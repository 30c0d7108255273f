//! Programs and allocations as an administrator changes them: never below
//! what is approved, never past the ceiling, every change recorded with who
//! and when; the cases of each workflow version counted by state.

use pantau_store::registry::{Author, ProgramEdit, ProgramRefusal};

use super::*;

/// A change as (field, region, from, to, by).
type Seen<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a str, &'a str);

fn by(login: &str) -> Author<'_> {
    Author {
        login,
        at: Utc.with_ymd_and_hms(2026, 3, 3, 1, 0, 0).unwrap(),
    }
}

fn edit(ceiling: i64, workflow: &str, version: u32) -> ProgramEdit {
    ProgramEdit {
        name: "Bansos KUD 2026 (ubah)".into(),
        fiscal_year: 2026,
        funding_source: "APBN".into(),
        budget_ceiling: ceiling,
        workflow: workflow.into(),
        workflow_version: version,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allocations_hold_what_is_approved_and_every_change_is_recorded() {
    let catalog = catalog();
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let program = bansos(&[("18.71", 300_000_000)]);
        assert!(
            store
                .add_program_by(&program, Some(by("admin")))
                .await
                .unwrap()
        );
        let ids = verified_cases(&store, &catalog, 2).await;
        let lines: Vec<DecreeLine> = ids
            .iter()
            .map(|c| line(c, Change::Approve, Some(80_000_000)))
            .collect();
        let report = store
            .apply_decree(
                &catalog,
                &decree("800/1/2026", None),
                &lines,
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert_eq!(report.done, 2, "{name}: {report:?}");

        // Below what is approved: refused, naming it; nothing written.
        let refused = store
            .set_allocation("bansos-2026", "18.71", 159_999_999, by("pengelola.18"))
            .await
            .unwrap();
        assert_eq!(
            refused,
            Err(ProgramRefusal::BelowApproved {
                approved: 160_000_000
            }),
            "{name}"
        );
        // Exactly what is approved: taken.
        store
            .set_allocation("bansos-2026", "18.71", 160_000_000, by("pengelola.18"))
            .await
            .unwrap()
            .unwrap();
        // A second kabupaten/kota past the ceiling (1 000 000 000): refused, with what is left.
        let refused = store
            .set_allocation("bansos-2026", "18.01", 900_000_000, by("admin"))
            .await
            .unwrap();
        assert_eq!(
            refused,
            Err(ProgramRefusal::AboveCeiling {
                ceiling: 1_000_000_000,
                others: 160_000_000
            }),
            "{name}"
        );
        store
            .set_allocation("bansos-2026", "18.01", 840_000_000, by("admin"))
            .await
            .unwrap()
            .unwrap();
        let uses = store.allocation_use("bansos-2026").await.unwrap();
        let got: Vec<(&str, i64, i64)> = uses
            .iter()
            .map(|u| (u.region_code.as_str(), u.allocation, u.approved))
            .collect();
        assert_eq!(
            got,
            [
                ("18.01", 840_000_000, 0),
                ("18.71", 160_000_000, 160_000_000)
            ],
            "{name}"
        );
        // The ceiling cannot drop below the allocations; the workflow cannot change under cases.
        let refused = store
            .edit_program("bansos-2026", &edit(999_999_999, "bansos", 2), by("admin"))
            .await
            .unwrap();
        assert_eq!(
            refused,
            Err(ProgramRefusal::CeilingBelowAllocations {
                allocated: 1_000_000_000
            }),
            "{name}"
        );
        let refused = store
            .edit_program("bansos-2026", &edit(1_000_000_000, "pkl", 2), by("admin"))
            .await
            .unwrap();
        assert!(
            matches!(refused, Err(ProgramRefusal::WorkflowInUse { cases }) if cases >= 2),
            "{name}: {refused:?}"
        );
        store
            .edit_program(
                "bansos-2026",
                &edit(1_200_000_000, "bansos", 2),
                by("admin"),
            )
            .await
            .unwrap()
            .unwrap();
        let p = store.program("bansos-2026").await.unwrap().unwrap();
        assert_eq!(
            (p.name.as_str(), p.budget_ceiling),
            ("Bansos KUD 2026 (ubah)", 1_200_000_000),
            "{name}"
        );
        assert_eq!(
            store
                .edit_program("no-such", &edit(1, "bansos", 2), by("admin"))
                .await
                .unwrap(),
            Err(ProgramRefusal::NoProgram)
        );

        // Every change, who and when, newest first; refusals left no trace.
        let changes = store.program_changes("bansos-2026").await.unwrap();
        let seen: Vec<Seen> = changes
            .iter()
            .map(|c| {
                (
                    c.field.as_str(),
                    c.region_code.as_deref(),
                    c.old_value.as_deref(),
                    c.new_value.as_str(),
                    c.changed_by.as_str(),
                )
            })
            .collect();
        for want in [
            ("created", None, None, "bansos v2", "admin"),
            ("allocation", Some("18.71"), None, "300000000", "admin"),
            (
                "allocation",
                Some("18.71"),
                Some("300000000"),
                "160000000",
                "pengelola.18",
            ),
            ("allocation", Some("18.01"), None, "840000000", "admin"),
            (
                "budget_ceiling",
                None,
                Some("1000000000"),
                "1200000000",
                "admin",
            ),
            (
                "name",
                None,
                Some("Bansos KUD 2026"),
                "Bansos KUD 2026 (ubah)",
                "admin",
            ),
        ] {
            assert!(seen.contains(&want), "{name}: {want:?} in {seen:?}");
        }
        assert_eq!(seen.len(), 6, "{name}: {seen:?}");
        assert!(changes.iter().all(|c| c.changed_at == by("x").at), "{name}");

        // Cases by version and state.
        let counts = store.cases_by_state().await.unwrap();
        let bansos: u64 = counts
            .iter()
            .filter(|c| c.workflow == "bansos" && c.version == 2)
            .map(|c| c.cases)
            .sum();
        assert_eq!(bansos, 2, "{name}: {counts:?}");
        assert!(
            counts.iter().any(|c| c.state == "approved" && c.cases == 2),
            "{name}: {counts:?}"
        );
    }
}
