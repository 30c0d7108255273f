//! Decrees through the store: approvals within the allocation, amendments,
//! one notice per person, the program's tranche schedule.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decree_approves_within_the_allocation_and_an_amendment_changes_it() {
    let catalog = catalog();
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let program = bansos(&[("18.71", 300_000_000)]);
        assert!(store.add_program(&program).await.unwrap());
        assert!(
            !store.add_program(&program).await.unwrap(),
            "{name}: registering twice changes nothing"
        );
        let ids = verified_cases(&store, &catalog, 5).await;

        let mut lines: Vec<DecreeLine> = ids
            .iter()
            .map(|c| line(c, Change::Approve, Some(80_000_000)))
            .collect();
        lines.push(line("NO-SUCH-CASE", Change::Approve, Some(1)));
        let report = store
            .apply_decree(
                &catalog,
                &decree("800/123/V.19/2026", None),
                &lines,
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert_eq!(report.done, 3, "{name}: {report:?}");
        let refused: Vec<&str> = report.refused.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(refused, ["K-3", "K-4", "NO-SUCH-CASE"], "{name}");
        assert!(
            report.refused[0]
                .1
                .contains("sisa alokasi wilayah Rp 60.000.000"),
            "{name}: {}",
            report.refused[0].1
        );
        assert_eq!(sum_approved(&store).await, 240_000_000, "{name}");

        // The same decree again: nothing new (an unknown case is refused again, having no record to keep).
        let again = store
            .apply_decree(
                &catalog,
                &decree("800/123/V.19/2026", None),
                &lines,
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert_eq!(
            (again.done, again.already, again.refused.len()),
            (0, 5, 1),
            "{name}: {again:?}"
        );

        // SK perubahan: K-0 down to 50 M, K-1 removed, K-3 added at 80 M (300 − 50 − 80 = 170 left before K-3).
        let amendment = vec![
            line("K-0", Change::Amount, Some(50_000_000)),
            line("K-1", Change::Remove, None),
            line("K-3", Change::Approve, Some(80_000_000)),
        ];
        let report = store
            .apply_decree(
                &catalog,
                &decree("800/123a/V.19/2026", Some("800/123/V.19/2026")),
                &amendment,
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert_eq!(
            (report.done, report.refused.len()),
            (3, 0),
            "{name}: {report:?}"
        );
        assert_eq!(
            sum_approved(&store).await,
            50_000_000 + 80_000_000 + 80_000_000,
            "{name}"
        );
        let running = store.allocation_use("bansos-2026").await.unwrap();
        assert_eq!(running[0].approved, 210_000_000, "{name}: the cases' sum");
        let total = store
            .connection()
            .query_one_raw(Statement::from_string(
                store.backend(),
                "SELECT approved FROM allocations".to_string(),
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            total.try_get_by_index::<i64>(0).unwrap(),
            210_000_000,
            "{name}: the running total agrees with the cases"
        );
        let k1 = store.case("K-1").await.unwrap().unwrap();
        assert_eq!(
            (k1.case.state.as_str(), k1.case.approved),
            ("cancelled", None),
            "{name}"
        );
        let k0 = store.case("K-0").await.unwrap().unwrap();
        let decrees: Vec<String> = k0
            .events
            .iter()
            .filter_map(|e| e.fields.get("decree_number").map(|v| v.display()))
            .collect();
        assert_eq!(
            decrees,
            ["800/123/V.19/2026", "800/123a/V.19/2026"],
            "{name}: both decrees stay on the timeline"
        );
        assert_eq!(store.verify().await.unwrap().map(|_| ()), Ok(()), "{name}");

        // A single approval past the remaining allocation is refused too.
        let cmd = Command {
            observed_at: None,
            key: "single".into(),
            action: "approve".into(),
            inputs: [("amount_approved".to_string(), "100000000".to_string())].into(),
        };
        let err = store
            .apply(&catalog, "K-4", &cmd, &cx(Role::Verifier), None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Refused(ref r) if r.code() == "guard_failed"),
            "{name}: {err:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decree_tells_each_person_once_and_holds_to_the_programs_tranches() {
    let catalog = catalog();
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        let program = bansos(&[("18.71", 300_000_000), ("18.72", 300_000_000)]);
        assert!(store.add_program(&program).await.unwrap());
        let ids = verified_cases_in(&store, &catalog, &["18.71", "18.71", "18.72"]).await;
        let mut lines = vec![
            line(&ids[0], Change::Approve, Some(80_000_000)),
            line(&ids[1], Change::Approve, Some(80_000_000)),
            line(&ids[2], Change::Approve, Some(90_000_000)),
            line(&ids[0], Change::Approve, Some(10_000_000)),
        ];
        lines[1].tranches = Some(Schedule::parse("50,50").unwrap());
        lines[2].tranches = None;
        let report = store
            .apply_decree(
                &catalog,
                &decree("800/7/2026", None),
                &lines,
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert_eq!(report.done, 2, "{name}: {report:?}");
        let refused: Vec<&str> = report.refused.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(refused, ["K-0", "K-1"], "{name}: {report:?}");
        assert!(
            report.refused[0].1.contains("baris 1 dan 4"),
            "{name}: a case listed twice: {}",
            report.refused[0].1
        );
        assert!(
            report.refused[1]
                .1
                .contains("jadwal tahap 50,50 berbeda dengan jadwal program 100"),
            "{name}: {}",
            report.refused[1].1
        );
        assert_eq!(sum_approved(&store).await, 170_000_000, "{name}");
        // The schedule each item records: the line's, or the program's when the line gave none.
        let (_, items, _) = store.decree("800/7/2026").await.unwrap().unwrap();
        let recorded: Vec<(&str, Option<&str>, &str)> = items
            .iter()
            .map(|i| {
                (
                    i.case_id.as_str(),
                    i.tranches.as_deref(),
                    i.outcome.as_str(),
                )
            })
            .collect();
        assert_eq!(
            recorded,
            [
                ("K-0", Some("100"), "approved"),
                ("K-1", Some("50,50"), "refused"),
                ("K-2", Some("100"), "approved"),
            ],
            "{name}"
        );
        // No email per case: one notice per kabupaten/kota and notified role.
        assert_eq!(report.notices, 2, "{name}");
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM outbox WHERE kind = 'notify'").await,
            0,
            "{name}"
        );

        // Rina (18.71) and Budi (18.72) hear of their own cases; Ani, a
        // manager at the province, of both, in one email; Dewi (18.01) of nothing.
        let now = Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap();
        for (login, region) in [
            ("rina", "18.71"),
            ("budi", "18.72"),
            ("ani", "18"),
            ("dewi", "18.01"),
        ] {
            store.add_user(&manager(login, region), now).await.unwrap();
        }
        let links = Links {
            base_url: "https://pantau.example.go.id".into(),
        };
        let swept = store
            .address_notices(&catalog, &links, now, 1_000)
            .await
            .unwrap();
        assert_eq!((swept.due, swept.queued), (2, 3), "{name}: {swept:?}");
        let emails = store.outbox(None, 100, now).await.unwrap();
        let mut told: Vec<(String, serde_json::Value)> = emails
            .iter()
            .filter(|e| e.template == "decree_notice")
            .map(|e| {
                let p: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
                (e.to_user.clone().unwrap(), p)
            })
            .collect();
        told.sort_by(|a, b| a.0.cmp(&b.0));
        let counts: Vec<(&str, i64, i64, &str)> = told
            .iter()
            .map(|(u, p)| {
                (
                    u.as_str(),
                    p["counts"]["approved"].as_i64().unwrap(),
                    p["counts"]["refused"].as_i64().unwrap(),
                    p["approved_total"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                ("ani", 2, 1, "Rp 170.000.000"),
                ("budi", 1, 0, "Rp 90.000.000"),
                ("rina", 1, 1, "Rp 80.000.000"),
            ],
            "{name}"
        );
        assert_eq!(told[0].1["area"], "Lampung", "{name}");
        assert_eq!(told[2].1["area"], "Kota Bandar Lampung", "{name}");
        let rina_cases: Vec<&str> = told[2].1["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(rina_cases, ["disetujui", "ditolak"], "{name}");

        // Neither a second sweep nor the same decree again tells anyone twice.
        let again = store
            .address_notices(&catalog, &links, now, 1_000)
            .await
            .unwrap();
        assert_eq!(again.queued, 0, "{name}");
        let rerun = store
            .apply_decree(
                &catalog,
                &decree("800/7/2026", None),
                &lines,
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert_eq!(
            (rerun.done, rerun.already, rerun.notices),
            (0, 3, 0),
            "{name}: {rerun:?}"
        );
        assert_eq!(store.verify().await.unwrap().map(|_| ()), Ok(()), "{name}");
    }
}
