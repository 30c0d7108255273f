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
#[path = "registry/decrees.rs"]
mod decrees;
#[path = "registry/desa.rs"]
mod desa;
#[path = "registry/duplicates.rs"]
mod duplicates;
#[path = "registry/imports.rs"]
mod imports;
#[path = "registry/programs.rs"]
mod programs;
#[path = "registry/search.rs"]
mod search;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;
#[path = "registry/yearly_import.rs"]
mod yearly_import;
#[path = "registry/years.rs"]
mod years;

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

/// UMKM rows with distinct NIBs, one of them refused (a 12-digit NIB).
fn umkm_csv(rows: usize, bad: usize) -> String {
    let mut csv = pantau_registry::beneficiary::COLUMNS.join(",") + "\n";
    for i in 0..rows {
        let nib = if i == bad {
            "123456789012".to_string()
        } else {
            (1_000_000_000_000u64 + i as u64).to_string()
        };
        // The columns after `scale`: nik, market_location, lat, lon, address, phone, desa_code.
        csv += &format!("umkm,18.02,Usaha {i},,,,,,,{nib},1802014505850001,micro,,,,,,,\n");
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
