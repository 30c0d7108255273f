//! A region's bundle end to end: exported, verified offline, and an
//! altered event named.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_region_bundle_holds_its_chains_verifies_offline_and_names_an_altered_event() {
    let mut bundles = Vec::new();
    for t in db::test_databases().await {
        let demo = run(
            &t.url,
            &[
                "demo",
                "--scale",
                "0.01",
                "--as-of",
                AS_OF,
                "--cases-per-state",
                "1",
            ],
        );
        assert!(demo.status.success(), "{}: {}", t.name, text(&demo));
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("lampung.tar.gz");
        let export = cli(&t.url)
            .env("SOURCE_DATE_EPOCH", "1798761600")
            .args(["export", "--region", "18", "--year", "2026", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(export.status.success(), "{}: {}", t.name, text(&export));
        assert!(
            text(&export).contains("region 18, year 2026"),
            "{}",
            text(&export)
        );

        // The bundle's events are the stored events of every Lampung case
        // with an event in 2026, whole chains included.
        let members = read_members(&out);
        let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "manifest.json",
                "cases.jsonl",
                "events.jsonl",
                "reports/accountability.html",
                "reports/accountability.csv",
                "reports/registry-corrections.csv",
                "reports/registry-merges.csv",
                "reports/payments.csv"
            ],
            "{}",
            t.name
        );
        // The accountability report of the same region and year rides along.
        let report =
            String::from_utf8(member(&members, "reports/accountability.csv").to_vec()).unwrap();
        assert!(report.contains("(18.71)"), "{report}");
        assert!(!report.contains("(13."), "only Lampung: {report}");
        // The registry's corrections of the year ride along too (the demo
        // made none: the header alone).
        let corrections = member(&members, "reports/registry-corrections.csv");
        assert!(
            corrections.starts_with(b"beneficiary_id,beneficiary_name,region_code,field,"),
            "{}",
            String::from_utf8_lossy(corrections)
        );
        let merges = member(&members, "reports/registry-merges.csv");
        assert!(
            merges.starts_with(b"kept_id,kept_name,merged_id,merged_name,region_code,"),
            "{}",
            String::from_utf8_lossy(merges)
        );
        // Every line of the demo's payment batches in Lampung, with where it
        // stands: paid, failed, returned and one batch awaiting the bank.
        let payments =
            String::from_utf8(member(&members, "reports/payments.csv").to_vec()).unwrap();
        assert!(
            payments.starts_with(
                "batch,reference,case_id,region_code,tranche_no,amount,status,bank_reference,bank_date,reason\n"
            ),
            "{payments}"
        );
        let mut listed: Vec<Vec<String>> = payments
            .lines()
            .skip(1)
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                vec![c[1].to_string(), c[6].to_string(), c[5].to_string()]
            })
            .collect();
        listed.sort();
        let stored_lines = rows(
            &t.url,
            "SELECT reference, status, CAST(amount AS TEXT) FROM payment_lines \
             WHERE region = '18' OR region LIKE '18.%' ORDER BY reference",
        )
        .await;
        assert_eq!(listed, stored_lines, "{}", t.name);
        for status in ["paid", "failed", "returned", "ordered"] {
            assert!(
                listed.iter().any(|l| l[1] == status),
                "{}: a {status} line in {payments}",
                t.name
            );
        }
        let events = json_lines(member(&members, "events.jsonl"));
        let cases = json_lines(member(&members, "cases.jsonl"));
        let in_bundle: Vec<Vec<String>> = events
            .iter()
            .map(|e| {
                vec![
                    e["case_id"].as_str().unwrap().to_string(),
                    e["seq"].to_string(),
                    e["hash"].as_str().unwrap().to_string(),
                    e["body"].as_str().unwrap().to_string(),
                ]
            })
            .collect();
        let lampung = "(c.region = '18' OR c.region LIKE '18.%')";
        let in_year = format!(
            "c.id IN (SELECT case_id FROM events WHERE {} = {YEAR})",
            year_of(t.name, "at")
        );
        let stored = rows(
            &t.url,
            &format!(
                "SELECT e.case_id, CAST(e.seq AS TEXT), e.hash, e.body FROM events e \
                 JOIN cases c ON c.id = e.case_id WHERE {lampung} AND {in_year} \
                 ORDER BY e.case_id, e.seq"
            ),
        )
        .await;
        let count = rows(
            &t.url,
            &format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM events e JOIN cases c ON c.id = e.case_id \
                 WHERE {lampung} AND {in_year}"
            ),
        )
        .await;
        assert_eq!(count[0][0], events.len().to_string(), "{}", t.name);
        assert_eq!(in_bundle, stored, "{}", t.name);
        let manifest: serde_json::Value =
            serde_json::from_slice(member(&members, "manifest.json")).unwrap();
        assert_eq!(manifest["counts"]["events"], events.len(), "{}", t.name);
        assert_eq!(manifest["counts"]["cases"], cases.len(), "{}", t.name);
        assert_eq!(manifest["created_at"], "2027-01-01T00:00:00Z");
        // The demo's history begins in 2025: whole chains bring those events
        // along, and cases that ended in 2025 stay out.
        let before = events
            .iter()
            .filter(|e| e["at"].as_str().unwrap() < "2026")
            .count();
        assert!(before > 0, "{}: no 2025 event of a 2026 case", t.name);
        let left_out = rows(
            &t.url,
            &format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM cases c WHERE {lampung} AND NOT ({in_year})"
            ),
        )
        .await;
        assert_ne!(
            left_out[0][0], "0",
            "{}: every case has a 2026 event",
            t.name
        );

        // Nothing of West Sumatra, which the demo does fill.
        let west_sumatra = rows(
            &t.url,
            &format!(
                "SELECT c.id FROM cases c WHERE c.region LIKE '13.%' AND {in_year} ORDER BY c.id"
            ),
        )
        .await;
        assert!(!west_sumatra.is_empty(), "{}: no West Sumatra case", t.name);
        let exported: BTreeSet<&str> = events
            .iter()
            .map(|e| e["case_id"].as_str().unwrap())
            .collect();
        for c in &cases {
            let region = c["region"].as_str().unwrap();
            assert!(
                region == "18" || region.starts_with("18."),
                "{}: {c}",
                t.name
            );
        }
        for id in &west_sumatra {
            assert!(!exported.contains(id[0].as_str()), "{}: {id:?}", t.name);
        }

        // The same database and date give the same bytes.
        let again = dir.path().join("again.tar.gz");
        let export = cli(&t.url)
            .env("SOURCE_DATE_EPOCH", "1798761600")
            .args(["export", "--region", "18", "--year", "2026", "--out"])
            .arg(&again)
            .output()
            .unwrap();
        assert!(export.status.success(), "{}", text(&export));
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(bytes, std::fs::read(&again).unwrap(), "{}", t.name);

        // On another machine: a copy, no database anywhere.
        let away = tempfile::tempdir().unwrap();
        std::fs::copy(&out, away.path().join("lampung.tar.gz")).unwrap();
        let ok = verify_offline(away.path(), "lampung.tar.gz");
        assert_eq!(ok.status.code(), Some(0), "{}: {}", t.name, text(&ok));
        let summary = String::from_utf8_lossy(&ok.stdout).to_string();
        assert_eq!(summary.lines().count(), 1, "{summary}");
        assert!(
            summary.contains(&format!(
                "{} cases, {} events of region 18, year 2026",
                cases.len(),
                events.len()
            )),
            "{summary}"
        );
        let left: Vec<_> = std::fs::read_dir(away.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["lampung.tar.gz"], "verify made files: {left:?}");

        // One byte of one event body changed, the manifest rehashed: only
        // the chain can tell, and it names that case and event.
        let target = events
            .iter()
            .filter(|e| e["seq"] == 2)
            .nth(events.len() / 20)
            .unwrap();
        let (case_id, action) = (
            target["case_id"].as_str().unwrap(),
            target["action"].as_str().unwrap(),
        );
        let mut altered = member(&members, "events.jsonl").to_vec();
        let line_start = {
            let needle = format!("{{\"case_id\":\"{case_id}\",\"seq\":2,");
            find(&altered, needle.as_bytes()).unwrap()
        };
        let to = br#"\"to\":\""#;
        let at = line_start + find(&altered[line_start..], to).unwrap() + to.len();
        altered[at] = if altered[at] == b'x' { b'y' } else { b'x' };
        let tampered = away.path().join("tampered.tar.gz");
        write_members(&tampered, &with_events(&members, altered.clone(), true));
        let caught = verify_offline(away.path(), "tampered.tar.gz");
        assert_eq!(caught.status.code(), Some(1), "{}", text(&caught));
        let said = String::from_utf8_lossy(&caught.stderr).to_string();
        assert!(
            said.contains(&format!("case {case_id} event 2 ({action} at ")),
            "{}: {said}",
            t.name
        );
        assert!(said.contains("1 problem(s)"), "{said}");
        assert!(
            !said.contains("member"),
            "the manifest was rehashed: {said}"
        );

        // Not rehashed: the member is named as well.
        let naive = away.path().join("naive.tar.gz");
        write_members(&naive, &with_events(&members, altered, false));
        let caught = verify_offline(away.path(), "naive.tar.gz");
        assert_eq!(caught.status.code(), Some(1), "{}", text(&caught));
        assert!(
            text(&caught).contains("member events.jsonl: its SHA-256 does not match"),
            "{}",
            text(&caught)
        );
        one_flipped_bit_is_named(away.path(), &members, case_id, action);
        bundles.push(bytes);
    }
    if let [sqlite, postgres] = &bundles[..] {
        assert!(
            sqlite == postgres,
            "the same demo gives the same bundle on both databases"
        );
    }
}
