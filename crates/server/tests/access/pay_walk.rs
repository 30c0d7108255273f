//! One user's walk of the payment pages (`/bayar…`): everyone but a field
//! officer reads the batches of their region and no other's (another
//! region's is not found); only the treasurer gathers, sends and reads
//! back (`Permission::Pay`), everyone else is refused. Who may is written
//! out here by hand.

use super::*;

/// A batch of Lampung (region 18) with one of the demo's approved
/// tranches: its officer assigned by the manager, its account recorded.
/// Its number.
pub(super) async fn batch(app: &Running) -> String {
    let catalog = support::catalog::catalog();
    let lampung = pantau_domain::access::Scope::Region(RegionCode::parse("18").unwrap());
    let cx = pantau_workflow::Context {
        now: app.app.now(),
        actor: pantau_workflow::Actor {
            user: "bendahara.18".into(),
            role: Role::Treasurer,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    };
    let due = app
        .store
        .due_tranches(&catalog, &lampung, None, &cx)
        .await
        .unwrap();
    let d = due
        .iter()
        .find(|d| {
            // Payable already (the demo keeps accounts and officers for
            // some), or held only for want of an account or an officer.
            d.beneficiary_id.is_some()
                && d.in_batch.is_none()
                && d.held.as_ref().is_none_or(|h| {
                    ["no bank account", "recipient_account", "no field officer"]
                        .iter()
                        .any(|w| h.en.contains(w))
                })
        })
        .expect("the demo has a tranche of Lampung due");
    let manager = app.token("pengelola.18").await;
    let officer = format!("petugas.{}", d.region.replace('.', ""));
    let (status, body) = app
        .post(
            &manager,
            &format!("/api/cases/{}/transitions", d.case_id),
            "walk-assign",
            &json!({ "action": "assign_officer", "inputs": { "officer": officer } }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let account = pantau_store::payments::NewAccount {
        bank_code: "002".into(),
        account_no: "0012345678901".into(),
        holder_name: d.beneficiary_name.clone(),
        reason: "walk".into(),
    };
    let by = pantau_store::registry::Author {
        login: "admin",
        at: app.app.now(),
    };
    let beneficiary = d.beneficiary_id.as_deref().unwrap();
    app.store
        .set_account(beneficiary, &lampung, &account, by)
        .await
        .unwrap();
    // Everything payable in Lampung (this one and any the demo left
    // payable), so that nothing is left for another batch.
    let new = pantau_store::payments::NewBatch {
        program_id: None,
        cases: vec![],
    };
    let made = app
        .store
        .create_batch(&catalog, &lampung, &new, &cx)
        .await
        .unwrap();
    made.number
}

/// Every `/bayar` route as user `u` (signed in as `c`); `number` is the
/// walk's batch of Lampung.
pub(crate) async fn walk(
    app: &Running,
    fx: &Fixture,
    u: &User,
    c: &reqwest::Client,
    number: &str,
    method: &str,
    template: &str,
) {
    let name = app.name;
    let (user, role) = (u.login, u.role);
    // By hand: who pays, and who reads payments at all.
    let pays = role == Role::Treasurer;
    let reads = role != Role::FieldOfficer;
    let sees = u.sees(Some("18"));
    let path = template.replace("{number}", number);
    let ctx = format!("{name}: {user} ({role}) {method} {path}");
    if method == "GET" {
        let (status, html) = support::text(c, &app.url(&path)).await;
        let want = match (reads, template == "/bayar/{number}", sees) {
            (false, ..) => 403,
            (true, true, false) => 404,
            _ => 200,
        };
        assert_eq!(status, want, "{ctx}\n{html}");
        if template == "/bayar" && reads {
            let link = format!("href=\"/bayar/{number}\"");
            assert_eq!(html.contains(&link), sees, "{ctx}: lists {number}");
        }
        if want == 200 {
            for case in fx.unseen(u) {
                assert!(!html.contains(case), "{ctx}: shows case {case}");
            }
        }
        return;
    }
    let lines_before = app
        .store
        .batch(number, &pantau_domain::access::Scope::National)
        .await
        .unwrap()
        .unwrap()
        .0
        .lines;
    let (_, any) = support::text(c, &app.url("/kasus")).await;
    let csrf = support::hidden(&any, "_csrf");
    let r = if template.ends_with("/hasil") {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", csrf)
            .text("layout", "generic")
            .part(
                "file",
                reqwest::multipart::Part::text(
                    "Referensi;Status;Jumlah;Tanggal\r\nPTU-X;SUKSES;1000;2026-12-01\r\n",
                )
                .file_name("hasil.csv"),
            );
        c.post(app.url(&path)).multipart(form).send().await.unwrap()
    } else {
        let form = [
            ("_csrf", csrf.as_str()),
            ("reference", "none-such"),
            ("layout", "generic"),
            ("mode", "semua"),
        ];
        c.post(app.url(&path)).form(&form).send().await.unwrap()
    };
    let status = r.status().as_u16();
    let now = app
        .store
        .batch(number, &pantau_domain::access::Scope::National)
        .await
        .unwrap()
        .unwrap()
        .0;
    let want = match (pays, template) {
        (false, _) => 403,
        // Everything payable in Lampung is in the walk's batch already.
        (true, "/bayar") => 422,
        // No such line.
        (true, "/bayar/{number}/keluarkan") => 404,
        // The first file sends the batch: not without the confirmation.
        (true, "/bayar/{number}/ekspor") => 400,
        // A result for a batch not sent yet.
        (true, "/bayar/{number}/hasil") => 422,
        (true, "/bayar/{number}/batal") => 303,
        _ => panic!("{ctx}: a /bayar route the walk does not know"),
    };
    assert_eq!(status, want, "{ctx}");
    let after = if template.ends_with("/batal") && pays {
        pantau_store::payments::BatchStatus::Cancelled
    } else {
        pantau_store::payments::BatchStatus::Open
    };
    assert_eq!(now.status, after, "{ctx}");
    assert_eq!(now.lines, lines_before, "{ctx}: nothing taken out");
}
