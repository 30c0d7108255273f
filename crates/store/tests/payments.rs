//! Payments through the bank on SQLite and PostgreSQL: a treasurer's batch
//! of a thousand tranches exported and read back; the bank's result applied
//! once however often it is sent; a failed tranche paid into a corrected
//! account in a later batch; tranches held (monev missing, a holder name
//! not accepted); bad result files refused by line with nothing applied; a
//! tranche in a batch paid by hand nowhere, and in two batches never.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeDelta, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Role};
use pantau_registry::bank::file::read_orders;
use pantau_registry::bank::layout::{self, Layout};
use pantau_store::accounts::NewUser;
use pantau_store::payments::{Applied, LineStatus, NewAccount, NewBatch, PayError};
use pantau_store::registry::{Author, NewProgram};
use pantau_store::{Opening, Settings, Store, StoreError};
use pantau_workflow::{Actor, Catalog, Command, Context};

#[path = "../../../tests/support/db.rs"]
mod db;
#[path = "payments/seed.rs"]
mod seed;
#[path = "../../../tests/support/catalog.rs"]
mod shipped;

use seed::sql::count;

const TREASURER: &str = "bendahara.18";

fn layout(id: &str) -> Layout {
    layout::shipped()
        .into_iter()
        .find(|l| l.id == id)
        .unwrap_or_else(|| panic!("shipped layout {id}"))
}

fn region(code: &str) -> Scope {
    Scope::Region(RegionCode::parse(code).unwrap())
}

/// The treasurer (or `role`) acting `days` after the cases were approved.
fn at(days: i64, login: &str, role: Role) -> Context {
    Context {
        now: seed::approved_at() + TimeDelta::days(days),
        actor: Actor {
            user: login.into(),
            role,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

fn treasurer(days: i64) -> Context {
    at(days, TREASURER, Role::Treasurer)
}

fn by(login: &str, days: i64) -> Author<'_> {
    Author {
        login,
        at: seed::approved_at() + TimeDelta::days(days),
    }
}

fn user(login: &str, role: Role, region: &str) -> NewUser {
    NewUser {
        login: login.into(),
        name: format!("Pengguna {login}"),
        email: format!("{login}@diskopukm.example.go.id"),
        role,
        region: Some(region.into()),
        lang: Lang::Id,
        digest: false,
        password_hash: None,
    }
}

/// A result file in the generic layout: (reference, status, amount, bank reference, reason).
fn result_csv(lines: &[(&str, &str, i64, &str, &str)]) -> Vec<u8> {
    let mut out = String::from("Referensi;Status;Jumlah;Tanggal;Referensi Bank;Keterangan\n");
    for (reference, status, amount, bank_ref, reason) in lines {
        out += &format!("{reference};{status};{amount};12/03/2026;{bank_ref};{reason}\n");
    }
    out.into_bytes()
}

fn refused(r: Result<Applied, PayError>) -> Vec<(Option<u64>, String, String)> {
    match r {
        Err(PayError::Refused(p)) => p
            .into_iter()
            .map(|p| (p.line, p.field, p.reason.en))
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn fresh(t: &db::TestDb, n: usize) -> (Store, Catalog, Vec<String>, Vec<String>) {
    let store = Store::open(&Settings::new(t.url.clone())).await.unwrap();
    let catalog = shipped::catalog();
    let (cases, owners) = seed::approved(&store, &catalog, n).await;
    (store, catalog, cases, owners)
}

/// (reference, case, amount, account, status) of batch `id`'s lines.
async fn lines(store: &Store, id: &str) -> Vec<(String, String, i64, String, LineStatus)> {
    let (_, lines) = store.batch(id, &Scope::National).await.unwrap().unwrap();
    lines
        .into_iter()
        .map(|l| {
            (
                l.reference,
                l.case_id,
                l.amount.get(),
                l.account_no,
                l.status,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_tranches_are_exported_and_read_back_in_csv_and_xlsx() {
    const N: usize = 1000;
    for t in db::test_databases().await {
        let name = t.name;
        let (store, catalog, cases, _) = fresh(&t, N).await;
        let province = region("18");
        let due = store
            .due_tranches(&catalog, &province, Some(seed::PROGRAM), &treasurer(1))
            .await
            .unwrap();
        assert_eq!(due.len(), N, "{name}");
        assert!(
            due.iter().all(|d| d.payable()),
            "{name}: {:?}",
            due.iter().find(|d| !d.payable())
        );
        let made = store
            .create_batch(&catalog, &province, &NewBatch::default(), &treasurer(1))
            .await
            .unwrap();
        let expected: i64 = (0..N).map(seed::amount).sum();
        assert_eq!((made.lines, made.total.get()), (N, expected), "{name}");
        assert!(made.held.is_empty(), "{name}");
        let csv = store
            .export_batch(
                &catalog,
                &made.number,
                &province,
                &layout("generic"),
                &treasurer(2),
            )
            .await
            .unwrap();
        let xlsx = store
            .export_batch(
                &catalog,
                &made.batch_id,
                &province,
                &layout("generic_xlsx"),
                &treasurer(2),
            )
            .await
            .unwrap();
        assert!(
            csv.name.ends_with(".csv") && xlsx.name.ends_with(".xlsx"),
            "{name}"
        );
        let stored = lines(&store, &made.batch_id).await;
        assert_eq!(stored.len(), N, "{name}");
        assert!(
            stored.iter().all(|l| l.4 == LineStatus::Ordered),
            "{name}: sent, every line ordered"
        );
        for (file, id) in [(&csv, "generic"), (&xlsx, "generic_xlsx")] {
            assert_eq!((file.lines, file.total.get()), (N, expected), "{name} {id}");
            let orders = read_orders(&layout(id), &file.bytes)
                .unwrap_or_else(|e| panic!("{name} {id}: {:?}", &e[..e.len().min(3)]));
            let read: Vec<(String, i64, String)> = orders
                .iter()
                .map(|o| (o.reference.clone(), o.amount.get(), o.account_no.clone()))
                .collect();
            let want: Vec<(String, i64, String)> = stored
                .iter()
                .map(|l| (l.0.clone(), l.2, l.3.clone()))
                .collect();
            assert_eq!(
                read, want,
                "{name} {id}: references, amounts and accounts in order"
            );
            assert!(
                orders.iter().all(|o| o.bank_code == seed::BANK),
                "{name} {id}"
            );
            assert_eq!(
                orders.iter().map(|o| o.amount.get()).sum::<i64>(),
                expected,
                "{name} {id}"
            );
        }
        // Each line is its own case's tranche 1, with its cooperative's account.
        for (i, case) in cases.iter().enumerate().step_by(97) {
            let l = stored.iter().find(|l| &l.1 == case).unwrap();
            assert_eq!(
                (l.2, l.3.as_str()),
                (seed::amount(i), seed::account_no(i).as_str()),
                "{name}"
            );
        }
        let ordered: i64 = store
            .ordered_amounts(&province)
            .await
            .unwrap()
            .iter()
            .map(|s| s.ordered.get())
            .sum();
        assert_eq!(ordered, expected, "{name}: sent and not answered");
        // Nothing is due any more: every tranche waits on the bank.
        let due = store
            .due_tranches(&catalog, &province, None, &treasurer(3))
            .await
            .unwrap();
        assert!(
            due.iter()
                .all(|d| d.in_batch.as_deref() == Some(made.number.as_str())),
            "{name}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM payment_exports").await,
            2,
            "{name}: both exports recorded"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_file_is_applied_once_and_failures_are_due_again() {
    for t in db::test_databases().await {
        let name = t.name;
        // Cases 0..5 in 18.01 … 18.05, case 13 in 18.71: the batch of the province.
        let (store, catalog, cases, _) = fresh(&t, 6).await;
        let now = Utc::now();
        for u in [
            user("pengelola.1801", Role::ManagerRegency, "18.01"),
            user("pengelola.1803", Role::ManagerRegency, "18.03"),
            user("pengelola.1805", Role::ManagerRegency, "18.05"),
            user("pengelola.1871", Role::ManagerRegency, "18.71"),
            user("pengelola.18", Role::ManagerProvince, "18"),
        ] {
            store.add_user(&u, now).await.unwrap();
        }
        let province = region("18");
        let made = store
            .create_batch(&catalog, &province, &NewBatch::default(), &treasurer(1))
            .await
            .unwrap();
        assert_eq!(made.lines, 6, "{name}");
        store
            .export_batch(
                &catalog,
                &made.number,
                &province,
                &layout("generic"),
                &treasurer(2),
            )
            .await
            .unwrap();
        let stored = lines(&store, &made.batch_id).await;
        let of = |i: usize| stored.iter().find(|l| l.1 == cases[i]).unwrap().clone();
        let (r0, r1, r2, r3, r4) = (of(0), of(1), of(2), of(3), of(4));
        // Case 5 stays unanswered; one line is nobody's.
        let file = result_csv(&[
            (&r0.0, "SUKSES", r0.2, "BRI-TRF-0001", ""),
            (&r1.0, "BERHASIL", r1.2, "BRI-TRF-0002", ""),
            (&r2.0, "GAGAL", r2.2, "", "REKENING TUTUP"),
            (&r3.0, "RETUR", r3.2, "BRI-TRF-0004", "NAMA TIDAK SESUAI"),
            (&r4.0, "PAID", r4.2, "BRI-TRF-0005", ""),
            ("PTU999999999999", "SUKSES", 1_000_000, "BRI-TRF-9999", ""),
        ]);
        let events = count(&store, "SELECT COUNT(*) FROM events").await;
        let first = store
            .import_bank_result(
                &catalog,
                &made.number,
                &province,
                &layout("generic"),
                "hasil.csv",
                &file,
                &treasurer(5),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                first.paid,
                first.failed,
                first.returned,
                first.already,
                first.unmatched.len()
            ),
            (3, 1, 1, 0, 1),
            "{name}: {first:?}"
        );
        assert_eq!(first.unmatched[0].line, 7, "{name}: the header is line 1");
        assert_eq!(
            first.unmatched[0].reference.as_deref(),
            Some("PTU999999999999"),
            "{name}"
        );
        assert!(
            first.refused.is_empty() && !first.done,
            "{name}: case 5 awaits the bank"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM events").await,
            events + 3,
            "{name}"
        );

        // Paid: moved by the engine, the bank's reference and date its answers.
        for (i, bank_ref) in [
            (0, "BRI-TRF-0001"),
            (1, "BRI-TRF-0002"),
            (4, "BRI-TRF-0005"),
        ] {
            let view = store.case(&cases[i]).await.unwrap().unwrap();
            assert_eq!(view.case.state, "disbursed", "{name}: case {i}");
            assert_eq!(view.case.tranches.len(), 1, "{name}");
            let last = view.events.last().unwrap();
            assert_eq!(last.action, "disburse", "{name}");
            assert_eq!(last.key, format!("bank:{}", of(i).0), "{name}");
            assert_eq!(last.actor.role, Role::Treasurer, "{name}");
            assert_eq!(last.fields["transfer_ref"].display(), bank_ref, "{name}");
            assert_eq!(
                last.fields["transfer_date"].display(),
                "12/03/2026",
                "{name}"
            );
        }
        // Failed and returned: due again, disbursed nowhere.
        for i in [2, 3] {
            let view = store.case(&cases[i]).await.unwrap().unwrap();
            assert_eq!(
                (view.case.state.as_str(), view.case.tranches.len()),
                ("approved", 0),
                "{name}"
            );
        }
        let due = store
            .due_tranches(&catalog, &province, None, &treasurer(6))
            .await
            .unwrap();
        let payable: Vec<&str> = due
            .iter()
            .filter(|d| d.payable())
            .map(|d| d.case_id.as_str())
            .collect();
        assert_eq!(
            payable,
            [cases[2].as_str(), cases[3].as_str()],
            "{name}: {due:?}"
        );
        let disbursed = count(
            &store,
            "SELECT CAST(SUM(disbursed_amount) AS BIGINT) FROM cases",
        )
        .await;
        assert_eq!(
            disbursed,
            r0.2 + r1.2 + r4.2,
            "{name}: only what the bank paid"
        );
        let ordered: i64 = store
            .ordered_amounts(&province)
            .await
            .unwrap()
            .iter()
            .map(|s| s.ordered.get())
            .sum();
        assert_eq!(ordered, of(5).2, "{name}: at the bank, only case 5's");
        let reasons = lines(&store, &made.batch_id).await;
        assert_eq!(
            reasons.iter().map(|l| l.4).collect::<Vec<_>>(),
            stored
                .iter()
                .map(|l| match &l.1 {
                    c if *c == cases[0] || *c == cases[1] || *c == cases[4] => LineStatus::Paid,
                    c if *c == cases[2] => LineStatus::Failed,
                    c if *c == cases[3] => LineStatus::Returned,
                    _ => LineStatus::Ordered,
                })
                .collect::<Vec<_>>(),
            "{name}"
        );
        let (view, with_reason) = store.batch(&made.number, &province).await.unwrap().unwrap();
        assert_eq!(
            (view.paid.0, view.failed.0, view.returned.0, view.ordered.0),
            (3, 1, 1, 1),
            "{name}"
        );
        let failed = with_reason.iter().find(|l| l.case_id == cases[2]).unwrap();
        assert_eq!(failed.reason.as_deref(), Some("REKENING TUTUP"), "{name}");
        // One email per manager whose region holds a failure (cases 2 and 3
        // lie in 18.03 and 18.04): the province's and 18.03's, not 18.01's.
        let mails = "SELECT COUNT(*) FROM outbox WHERE template = 'payment_failed'";
        assert_eq!(count(&store, mails).await, 2, "{name}");
        for (login, n) in [
            ("pengelola.18", 1),
            ("pengelola.1803", 1),
            ("pengelola.1801", 0),
        ] {
            let sql = format!(
                "SELECT COUNT(*) FROM outbox WHERE template = 'payment_failed' AND to_user = '{login}'"
            );
            assert_eq!(count(&store, &sql).await, n, "{name}: {login}");
        }

        // The same file again: nothing new.
        let again = store
            .import_bank_result(
                &catalog,
                &made.number,
                &province,
                &layout("generic"),
                "hasil.csv",
                &file,
                &treasurer(7),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                again.paid,
                again.failed,
                again.returned,
                again.already,
                again.unmatched.len()
            ),
            (0, 0, 0, 5, 1),
            "{name}: {again:?}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM events").await,
            events + 3,
            "{name}"
        );
        assert_eq!(count(&store, mails).await, 2, "{name}");
        assert_eq!(
            count(
                &store,
                "SELECT CAST(SUM(disbursed_amount) AS BIGINT) FROM cases"
            )
            .await,
            disbursed,
            "{name}"
        );
        assert_eq!(lines(&store, &made.batch_id).await, reasons, "{name}");
        assert_eq!(store.verify().await.unwrap().map(|_| ()), Ok(()), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_tranche_is_paid_into_the_corrected_account_in_a_later_batch() {
    for t in db::test_databases().await {
        let name = t.name;
        let (store, catalog, cases, owners) = fresh(&t, 1).await;
        let kab = region("18.01");
        let first = store
            .create_batch(&catalog, &kab, &NewBatch::default(), &treasurer(1))
            .await
            .unwrap();
        store
            .export_batch(
                &catalog,
                &first.number,
                &kab,
                &layout("generic"),
                &treasurer(1),
            )
            .await
            .unwrap();
        let (reference, _, amount, old_account, _) = lines(&store, &first.batch_id).await.remove(0);
        assert_eq!(old_account, seed::account_no(0), "{name}");
        let failed = result_csv(&[(&reference, "GAGAL", amount, "", "REKENING TIDAK DITEMUKAN")]);
        let applied = store
            .import_bank_result(
                &catalog,
                &first.number,
                &kab,
                &layout("generic"),
                "gagal.csv",
                &failed,
                &treasurer(3),
            )
            .await
            .unwrap();
        assert_eq!((applied.failed, applied.done), (1, true), "{name}");

        // A change needs a reason; then it is a new version, the old one kept.
        let new = NewAccount {
            bank_code: "009".into(),
            account_no: "0123-01-000123-50-1".into(),
            holder_name: seed::name(0),
            reason: String::new(),
        };
        let err = store
            .set_account(&owners[0], &kab, &new, by("pengelola.1801", 4))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, PayError::Refused(p) if p[0].field == "reason"),
            "{name}: {err:?}"
        );
        let changed = store
            .set_account(
                &owners[0],
                &kab,
                &NewAccount {
                    reason: "rekening BRI ditutup; surat koperasi 12/III/2026".into(),
                    ..new
                },
                by("pengelola.1801", 4),
            )
            .await
            .unwrap();
        assert_eq!(
            (changed.bank_code.as_str(), changed.account_no.as_str()),
            ("009", "012301000123501"),
            "{name}"
        );
        let history = store.account_history(&owners[0]).await.unwrap();
        assert_eq!(history.len(), 2, "{name}");
        assert!(
            history[1].replaced_at.is_some() && history[0].replaced_at.is_none(),
            "{name}"
        );

        let later = store
            .create_batch(
                &catalog,
                &kab,
                &NewBatch {
                    program_id: Some(seed::PROGRAM.into()),
                    cases: vec![cases[0].clone()],
                },
                &treasurer(5),
            )
            .await
            .unwrap();
        assert_ne!(later.number, first.number, "{name}");
        store
            .export_batch(
                &catalog,
                &later.number,
                &kab,
                &layout("generic"),
                &treasurer(5),
            )
            .await
            .unwrap();
        let (new_ref, _, _, new_account, _) = lines(&store, &later.batch_id).await.remove(0);
        assert_eq!(new_account, "012301000123501", "{name}");
        let paid = result_csv(&[(&new_ref, "SUKSES", amount, "BNI-77", "")]);
        let applied = store
            .import_bank_result(
                &catalog,
                &later.number,
                &kab,
                &layout("generic"),
                "lunas.csv",
                &paid,
                &treasurer(7),
            )
            .await
            .unwrap();
        assert_eq!(applied.paid, 1, "{name}: {applied:?}");
        let view = store.case(&cases[0]).await.unwrap().unwrap();
        assert_eq!(
            (view.case.state.as_str(), view.case.disbursed().get()),
            ("disbursed", amount),
            "{name}"
        );
        // The first batch still shows the account it was sent to.
        let old = lines(&store, &first.batch_id).await.remove(0);
        assert_eq!(
            (old.3.as_str(), old.4),
            (seed::account_no(0).as_str(), LineStatus::Failed),
            "{name}"
        );
        let history = store.case_payments(&cases[0]).await.unwrap();
        assert_eq!(
            history.iter().map(|l| l.status).collect::<Vec<_>>(),
            [LineStatus::Failed, LineStatus::Paid],
            "{name}"
        );
    }
}

/// Opens a perkuatan_permodalan case of `owner` in 18.71 and pays its first
/// tranche by hand, so the second waits on the monev visit.
async fn first_tranche_paid(store: &Store, catalog: &Catalog, owner: &str) -> String {
    let def = catalog.latest("perkuatan_permodalan").unwrap();
    store
        .add_program(&NewProgram {
            id: "ksp-2026".into(),
            name: "Perkuatan Permodalan KSP 2026".into(),
            workflow: "perkuatan_permodalan".into(),
            workflow_version: def.version,
            fiscal_year: 2026,
            funding_source: "APBD".into(),
            budget_ceiling: 1_000_000_000,
            province: "18".into(),
            allocations: vec![("18.71".into(), 1_000_000_000)],
        })
        .await
        .unwrap();
    store
        .add_user(
            &user("petugas.1871", Role::FieldOfficer, "18.71"),
            Utc::now(),
        )
        .await
        .unwrap();
    let id = "KSP-1".to_string();
    store
        .open_case(
            &Opening {
                case_id: id.clone(),
                key: "open-ksp-1".into(),
                region: Some("18.71".into()),
                program_id: Some("ksp-2026".into()),
                beneficiary_id: Some(owner.into()),
                definition: def,
                source: catalog.source("perkuatan_permodalan", def.version).unwrap(),
            },
            &at(-10, "pengelola.1871", Role::ManagerRegency),
        )
        .await
        .unwrap();
    let steps = [
        (
            Role::ManagerRegency,
            "submit",
            vec![
                ("amount_requested", "200000000"),
                ("proposal_doc", "usulan.pdf"),
                ("nik_koperasi", "1871000000000014"),
                ("legal_entity_number", "13/BH/X.3/2015"),
                ("financial_statement_doc", "lapkeu.pdf"),
                ("members_at_proposal", "120"),
            ],
        ),
        (Role::Verifier, "start_verification", vec![]),
        (
            Role::Verifier,
            "verify",
            vec![
                ("legal_entity_valid", "ya"),
                ("rat_held_last_year", "ya"),
                ("statements_audited", "ya"),
                ("health_rating", "sehat"),
            ],
        ),
        (
            Role::Verifier,
            "approve",
            vec![("amount_approved", "200000000")],
        ),
        (
            Role::ManagerProvince,
            "assign_officer",
            vec![("officer", "petugas.1871")],
        ),
        (
            Role::ManagerProvince,
            "disburse",
            vec![
                ("transfer_ref", "SP2D-0001"),
                ("transfer_date", "2026-02-20"),
            ],
        ),
    ];
    for (n, (role, action, inputs)) in steps.into_iter().enumerate() {
        let cmd = Command {
            observed_at: None,
            key: format!("{action}-ksp-1"),
            action: action.into(),
            inputs: inputs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        store
            .apply(catalog, &id, &cmd, &at(-9 + n as i64, "u", role), None)
            .await
            .unwrap_or_else(|e| panic!("{action}: {e}"));
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tranches_held_by_the_monev_gate_or_a_holder_name_are_refused_until_cleared() {
    for t in db::test_databases().await {
        let name = t.name;
        // Cases 13 and 28 lie in 18.71.
        let (store, catalog, cases, owners) = fresh(&t, 29).await;
        let kota = region("18.71");
        let ksp = first_tranche_paid(&store, &catalog, &owners[28]).await;

        // A holder name that is not the cooperative's: held until a verifier accepts it.
        let other = store
            .set_account(
                &owners[13],
                &kota,
                &NewAccount {
                    bank_code: "002".into(),
                    account_no: "3120 0000 5555 01".into(),
                    holder_name: "Budi Santoso".into(),
                    reason: "rekening pengurus sementara".into(),
                },
                by("pengelola.1871", 1),
            )
            .await
            .unwrap();
        assert!(!other.name_matches && !other.payable(), "{name}");

        let due = store
            .due_tranches(&catalog, &kota, None, &treasurer(2))
            .await
            .unwrap();
        let held = |case: &str| {
            due.iter()
                .find(|d| d.case_id == case)
                .unwrap_or_else(|| panic!("{name}: {case} is listed: {due:?}"))
                .held
                .clone()
        };
        let monev = held(&ksp).expect("the monev gate holds tranche 2");
        assert!(monev.en.contains("monev"), "{name}: {monev:?}");
        let ksp_due = due.iter().find(|d| d.case_id == ksp).unwrap();
        assert_eq!(
            (ksp_due.tranche_no, ksp_due.amount.get()),
            (2, 60_000_000),
            "{name}: 30 % of 200 M"
        );
        let holder = held(&cases[13]).expect("the holder name holds it");
        assert!(holder.en.contains("Budi Santoso"), "{name}: {holder:?}");
        assert_eq!(held(&cases[28]), None, "{name}");

        // Naming a held case refuses the whole request, by case and with the engine's reason.
        let err = store
            .create_batch(
                &catalog,
                &kota,
                &NewBatch {
                    program_id: None,
                    cases: vec![ksp.clone(), cases[13].clone(), cases[28].clone()],
                },
                &treasurer(2),
            )
            .await
            .unwrap_err();
        let problems = match err {
            PayError::Refused(p) => p,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(problems.len(), 2, "{name}: {problems:?}");
        assert!(
            problems[0].reason.en.contains(&ksp) && problems[0].reason.en.contains(&monev.en),
            "{name}: {problems:?}"
        );
        assert!(
            problems[1].reason.en.contains("Budi Santoso"),
            "{name}: {problems:?}"
        );
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM payment_batches").await,
            0,
            "{name}"
        );

        // Gathering everything leaves them out and lists why.
        let made = store
            .create_batch(&catalog, &kota, &NewBatch::default(), &treasurer(2))
            .await
            .unwrap();
        assert_eq!(made.lines, 1, "{name}");
        let mut left: Vec<&str> = made.held.iter().map(|d| d.case_id.as_str()).collect();
        left.sort();
        let mut want = vec![ksp.as_str(), cases[13].as_str()];
        want.sort();
        assert_eq!(left, want, "{name}");

        // A verifier accepts the name: payable.
        store
            .accept_holder(&owners[13], &kota, by("verifikator", 3))
            .await
            .unwrap();
        let again = store
            .create_batch(
                &catalog,
                &kota,
                &NewBatch {
                    program_id: None,
                    cases: vec![cases[13].clone()],
                },
                &treasurer(3),
            )
            .await
            .unwrap();
        let (_, _, _, account, _) = lines(&store, &again.batch_id).await.remove(0);
        assert_eq!(account, "31200000555501", "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_result_files_are_refused_by_line_with_nothing_applied() {
    for t in db::test_databases().await {
        let name = t.name;
        // Cases 13, 28 in 18.71; 14, 29 in 18.72.
        let (store, catalog, cases, _) = fresh(&t, 30).await;
        let (kota, metro) = (region("18.71"), region("18.72"));
        let one = |n: &str| NewBatch {
            program_id: None,
            cases: vec![n.to_string()],
        };
        let mut send = Vec::new();
        for (scope, case) in [
            (&kota, &cases[13]),
            (&kota, &cases[28]),
            (&metro, &cases[14]),
        ] {
            let made = store
                .create_batch(&catalog, scope, &one(case), &treasurer(1))
                .await
                .unwrap();
            store
                .export_batch(
                    &catalog,
                    &made.number,
                    scope,
                    &layout("generic"),
                    &treasurer(1),
                )
                .await
                .unwrap();
            send.push(lines(&store, &made.batch_id).await.remove(0));
        }
        let batch = store.batches(&kota).await.unwrap();
        let number = batch
            .iter()
            .find(|b| b.number.contains("0001"))
            .unwrap()
            .number
            .clone();
        let (mine, other, metro_line) = (&send[0], &send[1], &send[2]);
        let before = (
            count(&store, "SELECT COUNT(*) FROM events").await,
            count(&store, "SELECT COUNT(*) FROM payment_results").await,
            count(
                &store,
                "SELECT COUNT(*) FROM payment_lines WHERE status = 'ordered'",
            )
            .await,
        );
        assert_eq!(before.2, 3, "{name}");
        let generic = layout("generic");
        let import = |file: Vec<u8>, layout: Layout| {
            let (store, catalog, number, kota) = (&store, &catalog, number.clone(), kota.clone());
            async move {
                store
                    .import_bank_result(
                        catalog,
                        &number,
                        &kota,
                        &layout,
                        "hasil.csv",
                        &file,
                        &treasurer(4),
                    )
                    .await
            }
        };

        // Wrong columns: no status column.
        let wrong = format!(
            "Referensi;Jumlah;Tanggal\n{};{};12/03/2026\n",
            mine.0, mine.2
        )
        .into_bytes();
        let p = refused(import(wrong, generic.clone()).await);
        assert!(
            p.iter()
                .any(|(line, field, _)| *line == Some(1) && field.contains("Status")),
            "{name}: {p:?}"
        );

        // Another batch's reference (of this region), and another region's, beside a good line.
        let file = result_csv(&[
            (&mine.0, "SUKSES", mine.2, "X-1", ""),
            (&other.0, "SUKSES", other.2, "X-2", ""),
            (&metro_line.0, "SUKSES", metro_line.2, "X-3", ""),
        ]);
        let p = refused(import(file, generic.clone()).await);
        assert_eq!(p.len(), 2, "{name}: {p:?}");
        assert_eq!(
            (p[0].0, p[0].1.as_str()),
            (Some(3), "Referensi"),
            "{name}: the file's column"
        );
        assert!(p[0].2.contains("belongs to batch"), "{name}: {p:?}");
        assert_eq!((p[1].0, p[1].1.as_str()), (Some(4), "Referensi"), "{name}");
        assert!(p[1].2.contains("another region's batch"), "{name}: {p:?}");

        // An amount that differs.
        let file = result_csv(&[(&mine.0, "SUKSES", mine.2 + 1, "X-1", "")]);
        let p = refused(import(file, generic.clone()).await);
        assert_eq!(
            (p[0].0, p[0].1.as_str()),
            (Some(2), "Jumlah"),
            "{name}: {p:?}"
        );

        // Totals that do not add up (a layout whose result file carries a totals row first).
        let tetap = layout("contoh_bank_tetap");
        let file = format!(
            "NO_REF,STATUS_TRANSAKSI,NOMINAL,TGL_PROSES\nJUMLAH,,{},\n{},BERHASIL,{},12-03-2026\n",
            mine.2 + 5,
            mine.0,
            mine.2
        );
        let p = refused(import(file.into_bytes(), tetap.clone()).await);
        assert!(
            p.iter()
                .any(|(line, field, _)| *line == Some(2) && field == "NOMINAL"),
            "{name}: {p:?}"
        );
        // The count, too.
        let file = format!(
            "NO_REF,STATUS_TRANSAKSI,NOMINAL,TGL_PROSES\n2,,{},\n{},BERHASIL,{},12-03-2026\n",
            mine.2, mine.0, mine.2
        );
        let p = refused(import(file.into_bytes(), tetap.clone()).await);
        assert!(
            p.iter()
                .any(|(line, field, _)| *line == Some(2) && field == "NO_REF"),
            "{name}: {p:?}"
        );

        let after = (
            count(&store, "SELECT COUNT(*) FROM events").await,
            count(&store, "SELECT COUNT(*) FROM payment_results").await,
            count(
                &store,
                "SELECT COUNT(*) FROM payment_lines WHERE status = 'ordered'",
            )
            .await,
        );
        assert_eq!(after, before, "{name}: nothing applied");

        // The good file in the bank's own layout is taken.
        let file = format!(
            "NO_REF,STATUS_TRANSAKSI,NOMINAL,TGL_PROSES,NO_JURNAL\n1,,{},,\n{},BERHASIL,{},12-03-2026,J-1\n",
            mine.2, mine.0, mine.2
        );
        let ok = import(file.into_bytes(), tetap).await.unwrap();
        assert_eq!((ok.paid, ok.done), (1, true), "{name}: {ok:?}");
        assert_eq!(
            store.case(&mine.1).await.unwrap().unwrap().case.state,
            "disbursed",
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tranche_in_a_batch_is_not_paid_by_hand_nor_gathered_twice() {
    for t in db::test_databases().await {
        let name = t.name;
        let (store, catalog, cases, _) = fresh(&t, 40).await;
        let province = region("18");
        let made = store
            .create_batch(
                &catalog,
                &province,
                &NewBatch {
                    program_id: None,
                    cases: vec![cases[0].clone()],
                },
                &treasurer(1),
            )
            .await
            .unwrap();
        let disburse = Command {
            observed_at: None,
            key: "tangan".into(),
            action: "disburse".into(),
            inputs: [
                ("transfer_ref".to_string(), "SP2D-9".to_string()),
                ("transfer_date".to_string(), "2026-03-01".to_string()),
            ]
            .into(),
        };
        let by_hand = at(2, "pengelola.18", Role::ManagerProvince);
        for stage in ["open", "sent"] {
            let err = store
                .apply(&catalog, &cases[0], &disburse, &by_hand, None)
                .await
                .unwrap_err();
            assert!(
                matches!(&err, StoreError::InPaymentBatch { case_id, tranche: 1, batch } if *case_id == cases[0] && *batch == made.number),
                "{name} {stage}: {err:?}"
            );
            let twice = store
                .create_batch(
                    &catalog,
                    &province,
                    &NewBatch {
                        program_id: None,
                        cases: vec![cases[0].clone()],
                    },
                    &treasurer(2),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(&twice, PayError::Refused(p) if p[0].reason.en.contains(&made.number)),
                "{name} {stage}: {twice:?}"
            );
            if stage == "open" {
                store
                    .export_batch(
                        &catalog,
                        &made.number,
                        &province,
                        &layout("generic"),
                        &treasurer(2),
                    )
                    .await
                    .unwrap();
            }
        }
        // Another case is paid by hand as before.
        let other = Command {
            key: "tangan-1".into(),
            ..disburse.clone()
        };
        store
            .apply(&catalog, &cases[1], &other, &by_hand, None)
            .await
            .unwrap();

        // Two treasurers gather at once: each tranche lands in one batch.
        let (all, kab, cx) = (NewBatch::default(), region("18.01"), treasurer(3));
        let (a, b) = tokio::join!(
            store.create_batch(&catalog, &province, &all, &cx),
            store.create_batch(&catalog, &kab, &all, &cx),
        );
        let made: Vec<_> = [a, b].into_iter().filter_map(Result::ok).collect();
        assert!(!made.is_empty(), "{name}");
        let live = "SELECT COUNT(*) FROM payment_lines WHERE status IN ('open', 'ordered', 'paid')";
        assert_eq!(
            count(&store, live).await,
            40 - 1,
            "{name}: every due tranche once, case 1 paid by hand"
        );
        let twice = "SELECT COUNT(*) FROM (SELECT case_id FROM payment_lines WHERE status IN ('open', 'ordered', 'paid') GROUP BY case_id, tranche_no HAVING COUNT(*) > 1) t";
        assert_eq!(count(&store, twice).await, 0, "{name}");
        let due = store
            .due_tranches(&catalog, &province, None, &treasurer(4))
            .await
            .unwrap();
        assert!(due.iter().all(|d| !d.payable()), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_line_whose_approval_was_revoked_meanwhile_waits_for_a_person() {
    for t in db::test_databases().await {
        let name = t.name;
        let (store, catalog, cases, _) = fresh(&t, 2).await;
        let province = region("18");
        let made = store
            .create_batch(&catalog, &province, &NewBatch::default(), &treasurer(1))
            .await
            .unwrap();
        store
            .export_batch(
                &catalog,
                &made.number,
                &province,
                &layout("generic"),
                &treasurer(1),
            )
            .await
            .unwrap();
        // A second decree revokes the first case's approval while the bank has the batch.
        let revoke = Command {
            observed_at: None,
            key: "sk-cabut".into(),
            action: "revoke_approval".into(),
            inputs: [
                ("decree_number".to_string(), "SK-CABUT/1/2026".to_string()),
                ("decree_date".to_string(), "2026-03-02".to_string()),
            ]
            .into(),
        };
        store
            .apply(
                &catalog,
                &cases[0],
                &revoke,
                &at(2, "verifikator.18", Role::Verifier),
                None,
            )
            .await
            .unwrap();
        let sent = lines(&store, &made.number).await;
        let answers: Vec<(&str, &str, i64, &str, &str)> = sent
            .iter()
            .map(|(r, _, amount, _, _)| (r.as_str(), "SUKSES", *amount, "TRX", ""))
            .collect();
        let applied = store
            .import_bank_result(
                &catalog,
                &made.number,
                &province,
                &layout("generic"),
                "hasil.csv",
                &result_csv(&answers),
                &treasurer(3),
            )
            .await
            .unwrap();
        assert_eq!(applied.paid, 1, "{name}: the other case is paid");
        assert_eq!(applied.refused.len(), 1, "{name}: {applied:?}");
        let why = &applied.refused[0].reason.en;
        assert!(
            why.contains("paid by the bank but not recorded") && why.contains(&cases[0]),
            "{name}: {why}"
        );
        assert!(!applied.done, "{name}: the batch waits for a person");
        let after = lines(&store, &made.number).await;
        let revoked = after.iter().find(|l| l.1 == cases[0]).unwrap();
        assert_eq!(revoked.4, LineStatus::Ordered, "{name}: still sent");
        let disbursed = format!(
            "SELECT disbursed_amount FROM cases WHERE id = '{}'",
            cases[0]
        );
        assert_eq!(
            count(&store, &disbursed).await,
            0,
            "{name}: nothing disbursed on it"
        );
    }
}
