//! Programs, allocations and decrees on SQLite and PostgreSQL: a decree of
//! many cases approves what the allocation allows and says why for the
//! rest; an amending decree changes amounts, adds and removes cases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, TimeZone, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Role, Rupiah};
use pantau_store::accounts::NewUser;
use pantau_store::decree::{Change, DecreeLine, NewDecree, Schedule};
use pantau_store::outbox::Links;
use pantau_store::registry::NewProgram;
use pantau_store::{Opening, Settings, Store, StoreError};
use pantau_workflow::{Actor, Catalog, Command, Context};
use sea_orm::{ConnectionTrait, Statement};

#[path = "../../../tests/support/db.rs"]
mod db;
#[path = "../../../tests/support/sql.rs"]
mod sql;

use sql::count;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;

fn catalog() -> Catalog {
    shipped::catalog()
}

fn cx(role: Role) -> Context {
    Context {
        now: Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap(),
        actor: Actor {
            user: "u".into(),
            role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

fn rp(n: i64) -> Rupiah {
    Rupiah::new(n).unwrap()
}

async fn sum_approved(store: &Store) -> i64 {
    let row = store
        .connection()
        .query_one_raw(Statement::from_string(
            store.backend(),
            "SELECT CAST(COALESCE(SUM(approved_amount), 0) AS BIGINT) FROM cases".to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Opens `n` bansos cases of the program in Kota Bandar Lampung and brings them to `verified`.
async fn verified_cases(store: &Store, catalog: &Catalog, n: usize) -> Vec<String> {
    verified_cases_in(store, catalog, &vec!["18.71"; n]).await
}

/// Opens one bansos case of the program in each of `regions` and brings them to `verified`.
async fn verified_cases_in(store: &Store, catalog: &Catalog, regions: &[&str]) -> Vec<String> {
    let def = catalog.latest("bansos").unwrap();
    let mut ids = Vec::new();
    for (i, region) in regions.iter().enumerate() {
        let id = format!("K-{i}");
        let o = Opening {
            case_id: id.clone(),
            key: format!("open-{i}"),
            region: Some(region.to_string()),
            program_id: Some("bansos-2026".into()),
            beneficiary_id: None,
            definition: def,
            source: catalog.source("bansos", def.version).unwrap(),
        };
        store
            .open_case(&o, &cx(Role::ManagerRegency))
            .await
            .unwrap();
        for (role, action, inputs) in [
            (
                Role::ManagerRegency,
                "submit",
                vec![
                    ("amount_requested", "100000000"),
                    ("proposal_doc", "u.pdf"),
                    ("in_craft_centre", "ya"),
                ],
            ),
            (Role::Verifier, "start_verification", vec![]),
            (
                Role::Verifier,
                "verify",
                vec![("legal_entity_valid", "ya"), ("rat_held_last_year", "ya")],
            ),
        ] {
            let cmd = Command {
                observed_at: None,
                key: format!("{action}-{i}"),
                action: action.into(),
                inputs: inputs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            };
            store
                .apply(catalog, &id, &cmd, &cx(role), None)
                .await
                .unwrap();
        }
        ids.push(id);
    }
    ids
}

/// The program `bansos-2026` of Lampung with `allocations` per kabupaten/kota.
fn bansos(allocations: &[(&str, i64)]) -> NewProgram {
    NewProgram {
        id: "bansos-2026".into(),
        name: "Bansos KUD 2026".into(),
        workflow: "bansos".into(),
        workflow_version: 2,
        fiscal_year: 2026,
        funding_source: "APBN".into(),
        budget_ceiling: 1_000_000_000,
        province: "18".into(),
        allocations: allocations
            .iter()
            .map(|(r, a)| (r.to_string(), *a))
            .collect(),
    }
}

fn decree(number: &str, amends: Option<&str>) -> NewDecree {
    NewDecree {
        number: number.into(),
        date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        signer_name: "Ir. Hendra Gunawan".into(),
        signer_position: "Kepala Dinas Koperasi dan UKM Provinsi Lampung".into(),
        signer_nip: Some("196805121994031007".into()),
        scan: None,
        program_id: "bansos-2026".into(),
        amends: amends.map(str::to_string),
    }
}

fn line(case: &str, change: Change, amount: Option<i64>) -> DecreeLine {
    DecreeLine {
        case_id: case.into(),
        change,
        amount: amount.map(rp),
        tranches: Some(Schedule::parse("100").unwrap()),
    }
}

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

fn manager(login: &str, region: &str) -> NewUser {
    NewUser {
        login: login.into(),
        name: format!("Pengelola {login}"),
        email: format!("{login}@diskopukm.example.go.id"),
        role: Role::ManagerRegency,
        region: Some(region.into()),
        lang: pantau_domain::Lang::Id,
        digest: false,
        password_hash: None,
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

/// UMKM rows with distinct NIBs, one of them refused (a 12-digit NIB).
fn umkm_csv(rows: usize, bad: usize) -> String {
    let mut csv = pantau_registry::beneficiary::COLUMNS.join(",") + "\n";
    for i in 0..rows {
        let nib = if i == bad {
            "123456789012".to_string()
        } else {
            (1_000_000_000_000u64 + i as u64).to_string()
        };
        csv += &format!("umkm,18.02,Usaha {i},,,,,,,{nib},1802014505850001,micro,,,,\n");
    }
    csv
}

/// A reader that fails with an I/O error after `left` bytes.
struct FailsAfter<'a> {
    data: &'a [u8],
    left: usize,
}

impl std::io::Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("the disk went away"));
        }
        let n = buf.len().min(self.left).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.left -= n;
        Ok(n)
    }
}

/// Imports `input` nationally in batches of 1,000, collecting each refusal's line and column.
async fn import(
    store: &Store,
    input: impl std::io::Read,
    refused: &mut Vec<(u64, String)>,
) -> Result<pantau_store::registry::import::Tally, pantau_store::registry::import::ImportError> {
    let regions = pantau_registry::regions::Regions::embedded().unwrap();
    let scope = pantau_domain::access::Scope::National;
    store
        .import_csv_in_batches(
            input,
            &regions,
            &scope,
            1_000,
            |_| Ok(()),
            |r| {
                for p in r.problems {
                    refused.push((r.line, p.column.clone()));
                }
                Ok(())
            },
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_in_batches_keeps_every_good_row_once_and_what_it_wrote_before_a_failure() {
    for db in db::test_databases().await {
        let store = Store::open(&Settings::new(db.url.clone())).await.unwrap();
        // 2,500 rows in batches of 1,000: two written while the next is read, then the rest.
        let csv = umkm_csv(2_500, 1_234);
        let mut refused = vec![];
        let tally = import(&store, csv.as_bytes(), &mut refused).await.unwrap();
        assert_eq!(
            (tally.rows, tally.new, tally.refused),
            (2_500, 2_499, 1),
            "{}",
            db.name
        );
        assert_eq!(refused, [(1_236, "nib".to_string())], "{}", db.name);
        assert_eq!(
            store.beneficiary_count().await.unwrap(),
            2_499,
            "{}",
            db.name
        );
        // Again: nothing new.
        let again = import(&store, csv.as_bytes(), &mut vec![]).await.unwrap();
        assert_eq!(again.new, 0, "{}", db.name);

        // A file that breaks off after 2,600 of its 2,999 new rows: the two full
        // batches read before the failure are written, the error is returned.
        let more: String = umkm_csv(5_500, usize::MAX)
            .lines()
            .enumerate()
            .filter(|(i, _)| *i == 0 || *i > 2_500)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        let cut = more.match_indices('\n').nth(2_600).unwrap().0;
        let failing = FailsAfter {
            data: more.as_bytes(),
            left: cut,
        };
        let err = import(&store, failing, &mut vec![]).await.unwrap_err();
        assert!(err.to_string().contains("the disk went away"), "{err}");
        assert_eq!(
            store.beneficiary_count().await.unwrap(),
            2_499 + 2_000,
            "{}: the batches read before the failure are kept",
            db.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decree_changes_only_what_it_names() {
    let catalog = catalog();
    for t in db::test_databases().await {
        let name = t.name;
        let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
        store
            .add_program(&bansos(&[("18.71", 900_000_000)]))
            .await
            .unwrap();
        let ids = verified_cases(&store, &catalog, 3).await;
        let first: Vec<DecreeLine> = ids[..2]
            .iter()
            .map(|c| line(c, Change::Approve, Some(80_000_000)))
            .collect();
        let sk1 = decree("800/1/V.19/2026", None);
        let report = store
            .apply_decree(
                &catalog,
                &sk1,
                &first,
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert_eq!(report.done, 2, "{name}: {report:?}");

        // The starting list holds the one still verified, not the two already approved.
        let listed = store
            .decree_candidates("bansos-2026", "verified", &Scope::National)
            .await
            .unwrap();
        let listed: Vec<&str> = listed.iter().map(|c| c.case_id.as_str()).collect();
        assert_eq!(listed, [ids[2].as_str()], "{name}");

        // Another decree that amends none: the approved cases are refused by name
        // (with the SK that approved them), the verified one approved; nothing else changes.
        let all: Vec<DecreeLine> = ids
            .iter()
            .map(|c| line(c, Change::Approve, Some(70_000_000)))
            .collect();
        let sk2 = decree("800/2/V.19/2026", None);
        let preview = store
            .preview_decree(&catalog, &sk2, &all, &cx(Role::Verifier), &Scope::National)
            .await
            .unwrap();
        let outcomes: Vec<&str> = preview.items.iter().map(|i| i.outcome.as_str()).collect();
        assert_eq!(outcomes, ["refused", "refused", "approved"], "{name}");
        assert!(
            preview.items[0]
                .reason
                .as_deref()
                .is_some_and(|r| r.contains("sudah disetujui dengan SK 800/1/V.19/2026")),
            "{name}: {:?}",
            preview.items[0].reason
        );
        assert_eq!(
            sum_approved(&store).await,
            160_000_000,
            "{name}: a preview applies nothing"
        );
        assert!(
            store.decree("800/2/V.19/2026").await.unwrap().is_none(),
            "{name}"
        );
        let applied = store
            .apply_decree(&catalog, &sk2, &all, &cx(Role::Verifier), &Scope::National)
            .await
            .unwrap();
        assert_eq!(applied.done, 1, "{name}: {applied:?}");
        assert_eq!(sum_approved(&store).await, 230_000_000, "{name}");
        for id in &ids[..2] {
            let shown = store.case(id).await.unwrap().unwrap();
            assert_eq!(
                shown.events.len(),
                5,
                "{name}: {id} gained no event from SK 2"
            );
        }

        // Only an amending decree changes an amount, and only of a case the decree it amends approved.
        let change = |c: &str| vec![line(c, Change::Amount, Some(60_000_000))];
        let refused = store
            .apply_decree(
                &catalog,
                &decree("800/3/V.19/2026", None),
                &change(&ids[0]),
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert!(
            refused.refused[0].1.contains("hanya SK perubahan"),
            "{name}: {refused:?}"
        );
        let wrong = store
            .apply_decree(
                &catalog,
                &decree("800/4/V.19/2026", Some("800/2/V.19/2026")),
                &change(&ids[0]),
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert!(
            wrong.refused[0]
                .1
                .contains("bukan dengan SK 800/2/V.19/2026"),
            "{name}: {wrong:?}"
        );
        let right = store
            .apply_decree(
                &catalog,
                &decree("800/5/V.19/2026", Some("800/1/V.19/2026")),
                &change(&ids[0]),
                &cx(Role::Verifier),
                &Scope::National,
            )
            .await
            .unwrap();
        assert_eq!(
            (right.done, right.refused.len()),
            (1, 0),
            "{name}: {right:?}"
        );
        assert_eq!(sum_approved(&store).await, 210_000_000, "{name}");
    }
}

/// A beneficiary file as Excel in an Indonesian locale saves it: `;`,
/// Windows-1252 (`é`, `ü`), CRLF, decimal commas, a region code Excel made
/// a number of (`18.1`), columns kept for their formatting (`;;`), an
/// empty row, a short row, a long row, a NIK in scientific notation.
const EXCEL_ID: &[u8] =
    b"kind;region_code;name;nib;owner_nik;scale;nik;market_location;lat;lon;;\r\n\
umkm;18.71;Kopi Ren\xe9 M\xfcller;9120001234501;1871014508900001;mikro;;;-5,4292;105,2619;;\r\n\
umkm;18.1;Toko Pringsewu;9120001234502;1871014508900001;kecil;;;;;;\r\n\
umkm;18.71;Warung Pendek;9120001234503\r\n\
umkm;18.71;Warung Panjang;9120001234504;1871014508900001;mikro;;;;;;lebih\r\n\
umkm;18.71;Toko Ilmiah;9120001234505;1,87101E+15;mikro;;;;;;\r\n\
;;;;;;;;;;;\r\n\
umkm;18.71;Koordinat Separuh;9120001234506;1871014508900001;mikro;;;-5,4292;;;\r\n";

/// One column of the beneficiary known by `natural_key`.
async fn beneficiary(store: &Store, column: &str, natural_key: &str) -> String {
    let row = store
        .connection()
        .query_one_raw(Statement::from_string(
            store.backend(),
            format!("SELECT {column} FROM beneficiaries WHERE natural_key = '{natural_key}'"),
        ))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no beneficiary {natural_key}"));
    row.try_get_by_index::<String>(0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_reads_files_as_offices_save_them() {
    for db in db::test_databases().await {
        let name = db.name;
        let store = Store::open(&Settings::new(db.url.clone())).await.unwrap();
        let mut refused = vec![];
        let tally = import(&store, EXCEL_ID, &mut refused).await.unwrap();
        assert_eq!(
            (tally.rows, tally.new, tally.refused),
            (6, 2, 4),
            "{name}: {refused:?}"
        );
        let refused: Vec<(u64, &str)> = refused.iter().map(|(l, c)| (*l, c.as_str())).collect();
        assert_eq!(
            refused,
            [(4, "owner_nik"), (5, "#12"), (6, "owner_nik"), (8, "lon")],
            "{name}"
        );
        assert_eq!(
            beneficiary(&store, "name", "umkm:9120001234501").await,
            "Kopi René Müller",
            "{name}"
        );
        assert_eq!(
            count(
                &store,
                "SELECT COUNT(*) FROM beneficiaries WHERE nib = '9120001234501' \
                 AND lat_micro = -5429200 AND lon_micro = 105261900"
            )
            .await,
            1,
            "{name}: the decimal commas are read"
        );
        assert_eq!(
            beneficiary(&store, "region_code", "umkm:9120001234502").await,
            "18.10",
            "{name}"
        );

        // UTF-8 with a BOM, tabs: invisible characters and two spellings of
        // `é` (e + combining accent, and one character) are one name.
        let tabs = "\u{feff}kind\tregion_code\tname\tnik\tmarket_location\n\
                    pkl\t13.72\tSiti\u{200B} Aminah\u{00A0}\t1372016506950003\tPasar Raya Jose\u{301}\n\
                    pkl\t13.72\tSiti Aminah\t1372016506950003\tPASAR RAYA JOSÉ\n";
        let mut refused = vec![];
        let tally = import(&store, tabs.as_bytes(), &mut refused).await.unwrap();
        assert_eq!((tally.rows, tally.new), (2, 1), "{name}: {refused:?}");
        let key = "pkl:1372016506950003:pasar raya josé";
        assert_eq!(
            beneficiary(&store, "name", key).await,
            "Siti Aminah",
            "{name}"
        );

        // Neither UTF-8 nor Windows-1252, or a workbook: refused at once, one line.
        for bytes in [
            &b"kind,region_code,name\numkm,18.71,\x81\x8d\xe9\n"[..],
            b"PK\x03\x04\x14\x00\x06\x00",
        ] {
            let before = store.beneficiary_count().await.unwrap();
            match import(&store, bytes, &mut vec![]).await {
                Err(pantau_store::registry::import::ImportError::NotText(line)) => {
                    assert!(line.contains("CSV UTF-8") && !line.contains('\n'), "{line}")
                }
                other => panic!("{name}: {other:?}"),
            }
            assert_eq!(store.beneficiary_count().await.unwrap(), before, "{name}");
        }
    }
}
