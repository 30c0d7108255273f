#![allow(clippy::unwrap_used, clippy::expect_used)]
#![recursion_limit = "256"]
//! Every shipped email template, rendered in both languages with a realistic
//! case (a KUD in Lampung), pinned as text and HTML snapshots; and the
//! loader's and renderer's refusals.

use std::path::{Path, PathBuf};

use pantau_domain::Lang;
use pantau_notify::{NotifyError, Templates};
use serde_json::{Value, json};

fn shipped() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/email")
}

fn templates() -> Templates {
    Templates::load(&shipped()).unwrap()
}

const LINK: &str =
    "https://pantau.diskopukm.lampungprov.go.id/kasus/0b7c6f1e-3d2a-4c55-9a3e-2f1d8c4b6a01";

/// What a sweep would put together for a reminder about a KUD in Lampung
/// Selatan, in the recipient's language.
const HOME: &str = "https://pantau.diskopukm.lampungprov.go.id/";

fn context(lang: Lang) -> Value {
    let (program, state, since, reason) = match lang {
        Lang::Id => (
            "Bansos KUD Provinsi Lampung 2026",
            "Diajukan",
            "15 Oktober 2026 09:30 WIB",
            "Berita acara RAT tahun buku 2025 belum dilampirkan; mohon unggah salinan yang ditandatangani pengurus.",
        ),
        Lang::En => (
            "Lampung 2026 KUD social aid",
            "Submitted",
            "15 October 2026 09:30 WIB",
            "The minutes of the 2025 annual members' meeting (RAT) are missing; please upload a copy signed by the board.",
        ),
    };
    json!({
        "recipient": { "name": "Rina Marlina, S.E." },
        "case": {
            "number": "BSK-2026-1801-0042",
            "beneficiary": "KUD Mekar Tani, Kec. Natar, Kab. Lampung Selatan",
            "approved": "Rp 120.000.000",
        },
        "program": program,
        "state": state,
        "since": since,
        "due_at": "22 November 2026 07:00 WIB",
        "link": LINK,
        "profile": "https://pantau.diskopukm.lampungprov.go.id/profil",
        "reason": reason,
        "escalation": false,
        // the monthly report
        "month": if lang == Lang::En { "October 2026" } else { "Oktober 2026" },
        "year": 2026,
        "region": "Provinsi Lampung",
        "count": 2,
        "today": "2 November 2026",
        "programs": [
            { "program": program, "allocated": "Rp 4.924.000.000", "approved": "Rp 1.250.000.000", "ordered": "Rp 150.000.000",
              "month": { "disbursed": "Rp 250.000.000", "tranches_paid": 9, "visits_done": 5 },
              "year_to_date": { "disbursed": "Rp 875.000.000", "tranches_paid": 31, "visits_done": 18 },
              "realisation": "17,77 %", "cases": 42, "visits_due": 6, "visits_overdue": 3 },
            { "program": "Perkuatan Permodalan KSP Lampung 2026", "allocated": "Rp 2.000.000.000",
              "approved": "Rp 600.000.000", "ordered": "Rp 0",
              "month": { "disbursed": "Rp 0", "tranches_paid": 0, "visits_done": 0 },
              "year_to_date": { "disbursed": "Rp 0", "tranches_paid": 0, "visits_done": 0 },
              "realisation": "0,00 %", "cases": 12, "visits_due": 0, "visits_overdue": 0 },
        ],
        "total": { "program": "", "allocated": "Rp 6.924.000.000", "approved": "Rp 1.850.000.000", "ordered": "Rp 150.000.000",
              "month": { "disbursed": "Rp 250.000.000", "tranches_paid": 9, "visits_done": 5 },
              "year_to_date": { "disbursed": "Rp 875.000.000", "tranches_paid": 31, "visits_done": 18 },
              "realisation": "12,64 %", "cases": 54, "visits_due": 6, "visits_overdue": 3 },
        "links": { "pdf": LINK, "xlsx": LINK, "html": LINK },
        // the yearly data not sent
        "regions_missing": 2,
        "regions": 15,
        "noun": if lang == Lang::En { "cooperatives" } else { "koperasi" },
        "registered": 412,
        "sent": 380,
        "verified": 301,
        "missing": 32,
        "rows": [
            { "region": "Kabupaten Lampung Selatan", "registered": 120, "sent": 100, "verified": 80, "missing": 20 },
            { "region": "Kota Metro", "registered": 40, "sent": 28, "verified": 28, "missing": 12 },
        ],
        // a decree's notice
        "decree": {
            "number": "500/123/V.19/2026",
            "date": if lang == Lang::En { "2 March 2026" } else { "2 Maret 2026" },
            "position": "Kepala Dinas Koperasi dan UKM Provinsi Lampung",
            "amends": null,
        },
        "area": "Kabupaten Lampung Selatan",
        "counts": { "approved": 2, "changed": 0, "removed": 0, "refused": 1 },
        "approved_total": "Rp 220.000.000",
        "cases": [
            { "number": "0B7C6F1E", "beneficiary": "KUD Mekar Tani", "amount": "Rp 120.000.000",
              "outcome": if lang == Lang::En { "approved" } else { "disetujui" }, "refused": false, "reason": "", "link": LINK },
            { "number": "5E0D9A77", "beneficiary": "KUD Sinar Tani", "amount": "Rp 100.000.000",
              "outcome": if lang == Lang::En { "approved" } else { "disetujui" }, "refused": false, "reason": "", "link": LINK },
            { "number": "7A1C2B3D", "beneficiary": "KUD Harapan Jaya", "amount": "Rp 150.000.000",
              "outcome": if lang == Lang::En { "refused" } else { "ditolak" }, "refused": true,
              "reason": "jumlah disetujui Rp 150.000.000 melebihi sisa alokasi wilayah Rp 80.000.000", "link": LINK },
        ],
        "more": 0,
        // the daily digest
        "date": "22 November 2026",
        "items": [
            {
                "case": { "number": "BSK-2026-1801-0042", "beneficiary": "KUD Mekar Tani, Kec. Natar, Kab. Lampung Selatan" },
                "program": program,
                "state": state,
                "since": since,
                "due_at": "-",
                "link": LINK,
            },
            {
                "case": { "number": "KSP-2026-1871-0007", "beneficiary": "KSP Sejahtera Bersama, Kota Bandar Lampung" },
                "program": program,
                "state": state,
                "since": since,
                "due_at": "22 November 2026 07:00 WIB",
                "link": "https://pantau.diskopukm.lampungprov.go.id/kasus/5e0d9a77-1c3b-4f0e-8d6a-7b2c9e4f1a10",
            },
        ],
    })
}

/// What the store queues when a bank's result file has failed or returned
/// lines (`payments/notice.rs`); the sender makes `link` of its `path`.
fn payment_failed(ctx: &mut Value, lang: Lang) {
    let (inactive, name) = match lang {
        Lang::Id => ("rekening tidak aktif", "nama tidak sesuai"),
        Lang::En => ("account inactive", "name does not match"),
    };
    ctx["batch"] = json!("BYR-18-26-0002");
    ctx["count"] = json!(2);
    ctx["total"] = json!("Rp 165.000.000");
    ctx["more"] = json!(0);
    ctx["lines"] = json!([
        { "case": "0b7c6f1e-3d2a-4c55-9a3e-2f1d8c4b6a01", "region": "18.01",
          "amount": "Rp 90.000.000", "reason": inactive },
        { "case": "5e0d9a77-1c3b-4f0e-8d6a-7b2c9e4f1a10", "region": "18.71",
          "amount": "Rp 75.000.000", "reason": name },
    ]);
    ctx["link"] = json!("https://pantau.diskopukm.lampungprov.go.id/bayar/BYR-18-26-0002");
}

fn langs() -> [Lang; 2] {
    [Lang::Id, Lang::En]
}

#[test]
fn every_template_in_both_languages() {
    let t = templates();
    let names: Vec<&str> = t.names().collect();
    for reminder in [
        "proposal_waiting",
        "case_approved",
        "visit_due",
        "visit_overdue",
        "payment_failed",
    ] {
        assert!(names.contains(&reminder), "{names:?}");
    }
    for name in names {
        for lang in langs() {
            assert!(t.has(name, lang), "{name} has no {lang:?} version");
            let mut ctx = context(lang);
            if name == "digest" {
                ctx["link"] = json!(HOME);
            }
            if name == "payment_failed" {
                payment_failed(&mut ctx, lang);
            }
            let r = t.render(name, lang, &ctx).unwrap();
            let l = lang.as_str();
            insta::assert_snapshot!(
                format!("{name}.{l}.text"),
                format!("Subject: {}\n\n{}", r.subject, r.text)
            );
            insta::assert_snapshot!(format!("{name}.{l}.html"), r.html);
            assert!(r.html.contains(&format!("<html lang=\"{l}\">")));
            let button = format!("<a href=\"{}\"", ctx["link"].as_str().unwrap());
            assert!(r.html.contains(&button), "{name}.{l}");
            assert!(!r.text.contains("{{"), "{name}.{l}");
        }
    }
}

#[test]
fn an_escalated_overdue_visit_says_so() {
    let t = templates();
    for lang in langs() {
        let mut ctx = context(lang);
        ctx["escalation"] = json!(true);
        let r = t.render("visit_overdue", lang, &ctx).unwrap();
        let l = lang.as_str();
        insta::assert_snapshot!(
            format!("visit_overdue_escalated.{l}.text"),
            format!("Subject: {}\n\n{}", r.subject, r.text)
        );
        insta::assert_snapshot!(format!("visit_overdue_escalated.{l}.html"), r.html);
        let plain = t.render("visit_overdue", lang, &context(lang)).unwrap();
        assert!(r.text.lines().count() == plain.text.lines().count() + 1);
    }
}

#[test]
fn a_missing_variable_is_an_error_naming_template_and_variable() {
    let mut ctx = context(Lang::Id);
    ctx.as_object_mut().unwrap().remove("reason");
    let err = templates()
        .render("case_rejected", Lang::Id, &ctx)
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, NotifyError::Render { .. }), "{err:?}");
    assert!(text.contains("case_rejected.id"), "{text}");
    assert!(text.contains("reason"), "{text}");

    let mut ctx = context(Lang::En);
    ctx["case"].as_object_mut().unwrap().remove("approved");
    let err = templates()
        .render("case_approved", Lang::En, &ctx)
        .unwrap_err();
    assert!(err.to_string().contains("case.approved"), "{err}");
}

#[test]
fn html_escapes_what_text_keeps() {
    let mut ctx = context(Lang::Id);
    ctx["case"]["beneficiary"] = json!("KSP \"Maju & Jaya\" <script>alert(1)</script>");
    let r = templates().render("case_approved", Lang::Id, &ctx).unwrap();
    assert!(
        r.text
            .contains("KSP \"Maju & Jaya\" <script>alert(1)</script>")
    );
    assert!(!r.html.contains("<script>"), "{}", r.html);
    assert!(
        r.html
            .contains("KSP &quot;Maju &amp; Jaya&quot; &lt;script&gt;")
    );
}

#[test]
fn a_subject_stays_on_one_line() {
    let mut ctx = context(Lang::Id);
    ctx["case"]["number"] = json!("BSK-0042\r\nBcc: someone@example.org");
    let r = templates().render("case_approved", Lang::Id, &ctx).unwrap();
    assert_eq!(
        r.subject,
        "Usulan BSK-0042 Bcc: someone@example.org disetujui"
    );
}

#[test]
fn unknown_template() {
    let err = templates()
        .render("tranche_paid", Lang::Id, &context(Lang::Id))
        .unwrap_err();
    assert!(matches!(err, NotifyError::Unknown { ref name } if name == "tranche_paid"));
}

/// A folder with the shipped layout and the given templates.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        shipped().join("_layout.html.hbs"),
        dir.path().join("_layout.html.hbs"),
    )
    .unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn english_falls_back_to_indonesian() {
    let dir = folder(&[(
        "tranche_paid.id.hbs",
        "Subject: Tahap {{case.number}} dicairkan\n\nYth. {{recipient.name}},\n\nBuka kasus: {{link}}\n",
    )]);
    let t = Templates::load(dir.path()).unwrap();
    assert!(t.has("tranche_paid", Lang::Id) && !t.has("tranche_paid", Lang::En));
    let r = t
        .render("tranche_paid", Lang::En, &context(Lang::En))
        .unwrap();
    assert_eq!(r.subject, "Tahap BSK-2026-1801-0042 dicairkan");
    assert!(r.html.contains("<html lang=\"id\">"));
    assert!(r.html.contains(">Buka kasus</a>"));
}

#[test]
fn the_loader_refuses_bad_files_naming_them() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "a.id.hbs",
            "Hello\n\nbody\n",
            "a.id.hbs:1: the first line must be `Subject: …`",
        ),
        (
            "a.id.hbs",
            "Subject: x\nbody\n",
            "a.id.hbs:2: a blank line must follow the subject",
        ),
        ("a.fr.hbs", "Subject: x\n\nbody\n", "unknown language `fr`"),
        ("a.id.hbs", "Subject: x\n\n{{#if}}\n", "a.id.hbs"),
        (
            "only_en.en.hbs",
            "Subject: x\n\nbody\n",
            "no Indonesian version `only_en.id.hbs`",
        ),
    ];
    for (file, text, expected) in cases {
        let dir = folder(&[(file, text)]);
        let err = Templates::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains(expected), "{file}: {err}");
    }
    let empty = tempfile::tempdir().unwrap();
    let err = Templates::load(empty.path()).unwrap_err().to_string();
    assert!(err.contains("_layout.html.hbs"), "{err}");
}
