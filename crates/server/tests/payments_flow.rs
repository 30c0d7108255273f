//! Issue 20's treasurer flow, on SQLite and PostgreSQL in a real Chromium:
//! three of the demo's approved tranches of Lampung wait for an account; a
//! manager records them on the beneficiaries' pages, one with a holder
//! name unlike the beneficiary's, which is held until a verifier accepts
//! it; the province's treasurer gathers everything payable at `/bayar`,
//! downloads the bank's file (which sends the batch) and reads back the
//! bank's result with one line paid, one failed and one that matches
//! nothing. The paid case's page then says so, and the failed tranche is
//! due again, and goes into the next batch when ticked. A result file
//! with a wrong line is refused whole, by line. `PANTAU_SHOTS=DIR` keeps
//! the pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::Utc;
use fantoccini::Client;
use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Role};
use pantau_store::Store;
use pantau_store::accounts::NewUser;
use pantau_store::payments::{Due, LineStatus};
use pantau_workflow::{Actor, Context};
use support::PASSWORD;
use support::browser::{
    browser, choose, click, downloaded, downloads_to, shot, shot_here, sign_in, type_in, wait_until,
};

const TREASURER: &str = "bendahara.18";

fn lampung() -> Scope {
    Scope::Region(RegionCode::parse("18").unwrap())
}

fn treasurer(now: chrono::DateTime<Utc>) -> Context {
    Context {
        now,
        actor: Actor {
            user: TREASURER.into(),
            role: Role::Treasurer,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    }
}

async fn add_treasurer(store: &Store) {
    let hash = pantau_server::password::hash(PASSWORD.into())
        .await
        .unwrap();
    let user = NewUser {
        login: TREASURER.into(),
        name: "Bendahara Lampung".into(),
        email: "bendahara.18@dinas.example".into(),
        role: Role::Treasurer,
        region: Some("18".into()),
        lang: Lang::Id,
        digest: false,
        password_hash: Some(hash),
    };
    store.add_user(&user, Utc::now()).await.unwrap();
}

/// Three tranches of Lampung of three beneficiaries, payable or held only for want
/// of an account or a field officer; the province's manager assigns each
/// case its kabupaten/kota's officer (the demo's), as the API does.
async fn waiting(app: &support::Running) -> Vec<Due> {
    let due = due_now(app).await;
    let mut out: Vec<Due> = vec![];
    for d in due {
        // (The engine asks for the account's answer before the store says none is on record.)
        let only_for_want = d.held.as_ref().is_some_and(|h| {
            ["no bank account", "recipient_account", "no field officer"]
                .iter()
                .any(|w| h.en.contains(w))
        });
        let new =
            d.beneficiary_id.is_some() && !out.iter().any(|o| o.beneficiary_id == d.beneficiary_id);
        // The demo keeps accounts and officers for some: those are payable already.
        let free = only_for_want || d.held.is_none();
        if free && new && d.in_batch.is_none() && out.len() < 3 {
            out.push(d);
        }
    }
    assert_eq!(out.len(), 3, "the demo has three tranches of Lampung due");
    // The demo's other payable tranches go into a batch of their own first,
    // so that "everything payable" below is these three.
    let others: Vec<String> = due_now(app)
        .await
        .into_iter()
        .filter(|d| d.payable() && !out.iter().any(|o| o.case_id == d.case_id))
        .map(|d| d.case_id)
        .collect();
    if !others.is_empty() {
        let new = pantau_store::payments::NewBatch {
            program_id: None,
            cases: others,
        };
        app.store
            .create_batch(
                &support::catalog::catalog(),
                &lampung(),
                &new,
                &treasurer(app.app.now()),
            )
            .await
            .unwrap();
    }
    let manager = app.token("pengelola.18").await;
    for d in &out {
        let officer = format!("petugas.{}", d.region.replace('.', ""));
        let (status, body) = app
            .post(
                &manager,
                &format!("/api/cases/{}/transitions", d.case_id),
                &format!("assign-{}", d.case_id),
                &serde_json::json!({ "action": "assign_officer", "inputs": { "officer": officer } }),
            )
            .await;
        assert_eq!(status, 201, "{}: {body}", d.case_id);
    }
    out
}

/// Lampung's tranches due now, as the treasurer sees them.
async fn due_now(app: &support::Running) -> Vec<Due> {
    app.store
        .due_tranches(
            &support::catalog::catalog(),
            &lampung(),
            None,
            &treasurer(app.app.now()),
        )
        .await
        .unwrap()
}

/// Records an account on the beneficiary's page as the signed-in manager.
async fn set_account(c: &Client, base: &str, beneficiary: &str, number: &str, holder: &str) {
    c.goto(&format!("{base}/registri/{beneficiary}"))
        .await
        .unwrap();
    click(c, "#atur-rekening summary").await;
    choose(c, "#r-bank", "002").await;
    type_in(c, "#r-account", number).await;
    type_in(c, "#r-holder", holder).await;
    type_in(c, "#r-reason", "Rekening dari surat koperasi").await;
    click(c, "form[action$='/rekening'] button.primary").await;
    wait_until(c, |url, _| url.contains("rekening=1")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_treasurer_pays_a_batch_and_reads_the_banks_answer() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        let (name, base) = (app.name, app.base.clone());
        add_treasurer(&app.store).await;
        let due = waiting(&app).await;
        let names: Vec<String> = due.iter().map(|d| d.beneficiary_name.clone()).collect();
        let accounts = ["0012345678901", "0023456789012", "0034567890123"];

        // The province's manager records the three accounts; the third in another name.
        sign_in(&c, &app, "pengelola.18").await;
        for (i, d) in due.iter().enumerate() {
            let holder = if i == 2 { "Budi Santoso" } else { &names[i] };
            let id = d.beneficiary_id.as_deref().unwrap();
            set_account(&c, &base, id, accounts[i], holder).await;
        }
        let third = due[2].beneficiary_id.clone().unwrap();
        let html = c.source().await.unwrap();
        assert!(html.contains("id=\"nama-tidak-sama\""), "{name}: {html}");
        shot(&c, "registri-rekening").await;
        assert!(
            !html.contains("id=\"terima-nama\""),
            "{name}: a manager does not accept"
        );
        c.delete_all_cookies().await.unwrap();

        // The treasurer sees it held.
        sign_in(&c, &app, TREASURER).await;
        c.goto(&format!("{base}/bayar/jatuh-tempo")).await.unwrap();
        let html = wait_until(&c, |_, src| src.contains("id=\"ringkas\"")).await;
        let row = part(&html, &format!("tempo-{}", due[2].case_id), "</tr>");
        assert!(
            row.contains("tidak sama dengan nama penerima"),
            "{name}: {row}"
        );
        assert!(!row.contains("type=\"checkbox\""), "{name}: {row}");
        shot(&c, "bayar-jatuh-tempo").await;
        for d in &due[..2] {
            let row = part(&html, &format!("tempo-{}", d.case_id), "</tr>");
            assert!(row.contains("type=\"checkbox\""), "{name}: payable: {row}");
        }
        c.delete_all_cookies().await.unwrap();

        // A verifier accepts the name.
        sign_in(&c, &app, "verifikator.18").await;
        c.goto(&format!("{base}/registri/{third}")).await.unwrap();
        click(&c, "#terima-nama button").await;
        let html = wait_until(&c, |url, _| url.contains("rekening=diterima")).await;
        assert!(html.contains("diterima oleh verifikator.18"), "{name}");
        c.delete_all_cookies().await.unwrap();

        // The treasurer gathers everything payable: the three.
        sign_in(&c, &app, TREASURER).await;
        c.goto(&format!("{base}/bayar")).await.unwrap();
        click(&c, "form[action='/bayar'] button[name=mode]").await;
        wait_until(&c, |url, _| url.contains("dibuat=1")).await;
        let url = c.current_url().await.unwrap();
        let number = url.path().trim_start_matches("/bayar/").to_string();
        let (batch, lines) = app.store.batch(&number, &lampung()).await.unwrap().unwrap();
        assert_eq!(batch.lines, 3, "{name}: {lines:?}");
        let total: i64 = due.iter().map(|d| d.amount.get()).sum();
        assert_eq!(batch.total.get(), total, "{name}");
        let line_of = |case: &str| lines.iter().find(|l| l.case_id == case).unwrap();

        // The first download sends it: refused without the confirmation.
        let files = tempfile::tempdir().unwrap();
        downloads_to(&c, files.path()).await;
        c.execute(
            "document.querySelector('#e-confirm').removeAttribute('required');",
            vec![],
        )
        .await
        .unwrap();
        click(&c, "form[action$='/ekspor'] button.primary").await;
        let html = wait_until(&c, |_, src| src.contains("id=\"masalah\"")).await;
        assert!(html.contains("Centang persetujuan"), "{name}");
        choose(&c, "#e-layout", "generic").await;
        click(&c, "#e-confirm").await;
        click(&c, "form[action$='/ekspor'] button.primary").await;
        let file = downloaded(files.path()).await;
        assert!(
            file.file_name()
                .unwrap()
                .to_string_lossy()
                .ends_with(".csv"),
            "{name}: {file:?}"
        );
        let csv = std::fs::read_to_string(&file).unwrap();
        for l in &lines {
            let row = csv
                .lines()
                .find(|r| r.contains(&l.reference))
                .unwrap_or_else(|| panic!("{name}: {} in {csv}", l.reference));
            assert!(row.contains(&l.account_no), "{name}: {row}");
            assert!(row.contains(&l.amount.get().to_string()), "{name}: {row}");
        }
        let totals = csv.lines().find(|r| r.starts_with("TOTAL")).unwrap();
        assert!(totals.contains(&format!(";{total};")), "{name}: {totals}");
        assert!(totals.contains(";3;"), "{name}: {totals}");
        c.goto(&format!("{base}/bayar/{number}")).await.unwrap();
        let html = wait_until(&c, |_, src| src.contains("id=\"unggah-hasil\"")).await;
        assert!(html.contains("Menunggu bank"), "{name}");
        assert!(!html.contains("/keluarkan"), "{name}: nothing can change");

        // The bank's answer: the first paid, the second failed, a line of nobody's.
        let (paid, failed) = (line_of(&due[0].case_id), line_of(&due[1].case_id));
        let result = format!(
            "Referensi;Status;Jumlah;Tanggal;No Rekening;Referensi Bank;Keterangan\r\n\
             {};SUKSES;{};2026-12-01;{};BRI-TRX-0001;\r\n\
             {};GAGAL;{};2026-12-01;{};;Rekening ditutup\r\n\
             PTU-TIDAK-ADA;SUKSES;1500000;2026-12-01;0099999999;BRI-TRX-0003;\r\n",
            paid.reference,
            paid.amount.get(),
            paid.account_no,
            failed.reference,
            failed.amount.get(),
            failed.account_no,
        );
        // A file whose line says another amount is refused whole, by line.
        let wrong = files.path().join("hasil-salah.csv");
        std::fs::write(
            &wrong,
            format!(
                "Referensi;Status;Jumlah;Tanggal\r\n{};SUKSES;{};2026-12-01\r\n",
                paid.reference,
                paid.amount.get() + 1
            ),
        )
        .unwrap();
        choose(&c, "#h-layout", "generic").await;
        type_in(&c, "#h-file", &wrong.display().to_string()).await;
        click(&c, "form[action$='/hasil'] button.primary").await;
        let html = wait_until(&c, |_, src| src.contains("id=\"berkas-ditolak\"")).await;
        let refused = part(&html, "berkas-ditolak", "</section>");
        assert!(
            refused.contains("<td class=\"num\">2</td>"),
            "{name}: by line: {refused}"
        );
        shot(&c, "bayar-berkas-ditolak").await;
        let (_, now) = app.store.batch(&number, &lampung()).await.unwrap().unwrap();
        assert!(
            now.iter().all(|l| l.status == LineStatus::Ordered),
            "{name}: nothing applied"
        );
        let answer = files.path().join("hasil-bank.csv");
        std::fs::write(&answer, result).unwrap();
        choose(&c, "#h-layout", "generic").await;
        type_in(&c, "#h-file", &answer.display().to_string()).await;
        click(&c, "form[action$='/hasil'] button.primary").await;
        let html = wait_until(&c, |_, src| src.contains("id=\"hasil\"")).await;
        assert!(html.contains("id=\"hasil-dibayar\">1<"), "{name}: {html}");
        assert!(html.contains("id=\"hasil-gagal\">1<"), "{name}");
        let unmatched = part(&html, "tak-cocok", "</table>");
        assert!(unmatched.contains("PTU-TIDAK-ADA"), "{name}: {unmatched}");
        assert!(html.contains("Rekening ditutup"), "{name}");
        shot(&c, "bayar-hasil").await;
        c.goto(&format!("{base}/bayar/{number}")).await.unwrap();
        wait_until(&c, |_, src| src.contains("id=\"baris\"")).await;
        shot(&c, "bayar-batch").await;
        // In English too.
        c.goto(&format!("{base}/bayar/{number}?lang=en"))
            .await
            .unwrap();
        let html = wait_until(&c, |_, src| src.contains("id=\"baris\"")).await;
        for words in [
            "Awaiting the bank",
            "Paid by the bank",
            "Failed",
            "The bank's result",
        ] {
            assert!(html.contains(words), "{name}: {words}");
        }
        c.goto(&format!("{base}/bayar/{number}?lang=id"))
            .await
            .unwrap();
        shot_here(&c, "bayar-batch-here").await;

        // The paid case says so; the failed tranche is due again.
        c.goto(&format!("{base}/kasus/{}", due[0].case_id))
            .await
            .unwrap();
        let html = wait_until(&c, |_, src| src.contains("id=\"pembayaran\"")).await;
        let section = part(&html, "pembayaran", "</section>");
        assert!(section.contains("Dibayar bank"), "{name}: {section}");
        assert!(section.contains("BRI-TRX-0001"), "{name}: {section}");
        c.goto(&format!("{base}/bayar/jatuh-tempo")).await.unwrap();
        let html = wait_until(&c, |_, src| src.contains("id=\"ringkas\"")).await;
        let row = part(&html, &format!("tempo-{}", due[1].case_id), "</tr>");
        assert!(
            row.contains("type=\"checkbox\""),
            "{name}: due again: {row}"
        );
        // The paid case's next tranche, if it has one, waits for its monev.
        let paid_case = format!("tempo-{}\"", due[0].case_id);
        if html.contains(&paid_case) {
            let row = part(&html, &format!("tempo-{}", due[0].case_id), "</tr>");
            assert!(!row.contains("type=\"checkbox\""), "{name}: paid: {row}");
            assert!(
                !row.contains("class=\"num\">1<"),
                "{name}: tranche 1 paid: {row}"
            );
        }
        // The treasurer ticks it for the next batch.
        click(&c, &format!("input[name=case][value='{}']", due[1].case_id)).await;
        click(&c, "form[action='/bayar'] button.primary").await;
        wait_until(&c, |url, _| url.contains("dibuat=1")).await;
        let next = c.current_url().await.unwrap();
        let next = next.path().trim_start_matches("/bayar/").to_string();
        assert_ne!(next, number, "{name}");
        let (_, again) = app.store.batch(&next, &lampung()).await.unwrap().unwrap();
        assert_eq!(again.len(), 1, "{name}: {again:?}");
        assert_eq!(again[0].case_id, due[1].case_id, "{name}");
        let (_, lines) = app.store.batch(&number, &lampung()).await.unwrap().unwrap();
        let status = |case: &str| lines.iter().find(|l| l.case_id == case).unwrap().status;
        assert_eq!(status(&due[0].case_id), LineStatus::Paid, "{name}");
        assert_eq!(status(&due[1].case_id), LineStatus::Failed, "{name}");
        assert_eq!(status(&due[2].case_id), LineStatus::Ordered, "{name}");
        c.delete_all_cookies().await.unwrap();
        let verified = app.store.verify().await.unwrap();
        assert!(verified.is_ok(), "{name}: {verified:?}");
    }
}

/// The element of `html` whose id is `id`, to the first `end` after it.
fn part(html: &str, id: &str, end: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let rest = &html[at..];
    rest[..rest.find(end).unwrap_or(rest.len())].to_string()
}
