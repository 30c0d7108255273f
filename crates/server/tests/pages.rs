//! The web pages, driven as a browser without JavaScript would: sign in,
//! read the dashboard, open a case, take actions through its forms (with a
//! photo), see the timeline grow; and the refusals: a form without its
//! token, a form from another site, a wrong password.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "pages/decrees.rs"]
mod decrees;
mod support;
#[path = "pages/words.rs"]
mod words;

use reqwest::Response;
use reqwest::multipart::{Form, Part};
use support::{browser, hidden, text};

fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The form of action `id` on a case page.
fn action_form<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"aksi-{id}\""))
        .unwrap_or_else(|| panic!("no form for `{id}` on the page"));
    let end = html[start..].find("</details>").unwrap();
    &html[start..start + end]
}

/// The first case link of a case list.
fn first_case(html: &str) -> String {
    let at = html.find("<tbody>").unwrap();
    let start = html[at..].find("href=\"/kasus/").unwrap() + at + "href=\"".len();
    html[start..].split('"').next().unwrap().to_string()
}

fn steps(html: &str) -> usize {
    html.matches("class=\"step-what\"").count()
}

#[tokio::test]
async fn signing_in_the_dashboard_and_signing_out() {
    for app in support::apps().await {
        let c = browser();
        let r = c.get(app.url("/")).send().await.unwrap();
        assert_eq!(r.status(), 303, "{}: nobody signed in", app.name);
        assert_eq!(location(&r), "/masuk?next=%2F");

        let (status, page) = text(&c, &app.url("/masuk?next=%2Fkasus")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Nama pengguna"), "Indonesian first");
        let csrf = hidden(&page, "_csrf");

        // Without the form token: refused, and no sign-in is counted.
        let r = c
            .post(app.url("/masuk"))
            .form(&[("login", "pengelola.18"), ("password", support::PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            403,
            "{}: a sign-in form without _csrf",
            app.name
        );

        let r = c
            .post(app.url("/masuk"))
            .form(&[
                ("login", "pengelola.18"),
                ("password", "salah-sekali"),
                ("_csrf", &csrf),
                ("next", "/kasus"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("Nama pengguna atau kata sandi salah."),
            "{body}"
        );
        assert!(body.contains("value=\"pengelola.18\""), "the login is kept");

        let r = c
            .post(app.url("/masuk"))
            .form(&[
                ("login", "pengelola.18"),
                ("password", support::PASSWORD),
                ("_csrf", &csrf),
                ("next", "/kasus"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/kasus", "on to where they were going");
        let set: Vec<_> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let session = set.iter().find(|c| c.starts_with("pantau_sesi=")).unwrap();
        for part in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(session.contains(part), "{session} lacks {part}");
        }

        let (status, dash) = text(&c, &app.url("/")).await;
        assert_eq!(status, 200, "{dash}");
        assert!(dash.contains("Dasbor program"));
        assert!(dash.contains("Bantuan Sosial KUD Lampung 2026"));
        assert!(dash.contains("Rp "), "rupiah figures");
        assert!(
            dash.contains("<th scope=\"col\">Dikirim ke bank</th>"),
            "the money at the bank, between approved and paid"
        );
        assert!(
            dash.contains("/kasus?program=bansos-kud-2026-lampung&amp;region=18."),
            "figures link to their cases"
        );
        assert!(
            !dash.contains("Sumatera Barat"),
            "only Lampung for Lampung's manager"
        );

        // English by a link, remembered by a cookie.
        let (_, en) = text(&c, &app.url("/?lang=en")).await;
        assert!(en.contains("Program dashboard"));
        let (_, again) = text(&c, &app.url("/kasus")).await;
        assert!(again.contains("Clear filters") || again.contains("All programs"));
        let (_, back) = text(&c, &app.url("/kasus?lang=id")).await;
        assert!(back.contains("Semua program"));

        let (_, page) = text(&c, &app.url("/")).await;
        let r = c
            .post(app.url("/keluar"))
            .form(&[("_csrf", hidden(&page, "_csrf"))])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(location(&r), "/masuk");
        let r = c.get(app.url("/kasus")).send().await.unwrap();
        assert_eq!(r.status(), 303, "signed out");
    }
}

#[tokio::test]
async fn a_case_moves_through_its_form_once_per_key() {
    for app in support::apps().await {
        let c = app.sign_in("verifikator.18").await;
        let (status, list) = text(
            &c,
            &app.url("/kasus?program=bansos-kud-2026-lampung&state=in_verification"),
        )
        .await;
        assert_eq!(status, 200, "{list}");
        let case = first_case(&list);
        let (_, page) = text(&c, &app.url(&case)).await;
        let before = steps(&page);
        assert!(before >= 3, "the timeline so far");
        assert!(page.contains(" WIB"), "times in the reader's zone");
        let form = action_form(&page, "verify").to_string();
        assert!(form.contains("type=\"radio\" name=\"f.legal_entity_valid\""));
        assert!(form.contains("<textarea id=\"verify-verification_notes\""));
        let post = |fields: Vec<(&'static str, String)>| {
            let mut f = Form::new();
            for (k, v) in fields {
                f = f.text(k, v);
            }
            c.post(app.url(&format!("{case}/aksi"))).multipart(f)
        };
        let base = vec![
            ("_csrf", hidden(&form, "_csrf")),
            ("_action", "verify".to_string()),
            ("_key", hidden(&form, "_key")),
            ("_seq", hidden(&form, "_seq")),
            ("f.rat_held_last_year", "ya".to_string()),
            (
                "f.verification_notes",
                "Catatan uji: RAT 2025 ada".to_string(),
            ),
        ];

        // A field missing: the page again, the reason beside it, the typing kept.
        let r = post(base.clone()).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        let refused = action_form(&body, "verify");
        assert!(refused.contains(" open>"), "the refused form stays open");
        assert!(refused.contains("class=\"field has-error\""), "{refused}");
        assert!(refused.contains("Catatan uji: RAT 2025 ada</textarea>"));
        assert_eq!(hidden(refused, "_key"), hidden(&form, "_key"), "same key");

        // Without the form token, or from another site: refused, nothing changes.
        let mut no_token = base.clone();
        no_token.remove(0);
        no_token.push(("f.legal_entity_valid", "ya".into()));
        assert_eq!(post(no_token).send().await.unwrap().status(), 403);
        let mut complete = base.clone();
        complete.push(("f.legal_entity_valid", "ya".into()));
        let r = post(complete.clone())
            .header("Sec-Fetch-Site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = post(complete.clone())
            .header("Origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        let r = post(complete.clone())
            .header("Sec-Fetch-Site", "same-origin")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        // Back to the case, which confirms what was recorded.
        let back = location(&r);
        assert!(back.starts_with(&format!("{case}?tercatat=")), "{back}");
        let (_, after) = text(&c, &app.url(&back)).await;
        assert!(
            after.contains("role=\"status\">Tercatat: "),
            "a confirmation"
        );
        assert_eq!(steps(&after), before + 1, "one more event");
        assert!(after.contains("Terverifikasi, menunggu persetujuan"));
        assert!(after.contains("Catatan uji: RAT 2025 ada"));

        // The same form sent again (a retry): no second effect.
        let r = post(complete).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let (_, again) = text(&c, &app.url(&case)).await;
        assert_eq!(steps(&again), before + 1, "the same key has one effect");
    }
}

#[tokio::test]
async fn a_field_officer_records_a_visit_with_a_photo() {
    for app in support::apps().await {
        // Who the officer of a disbursed bansos case is, as its verifier sees it.
        let v = app.sign_in("verifikator.18").await;
        let (_, list) = text(
            &v,
            &app.url("/kasus?program=bansos-kud-2026-lampung&state=disbursed"),
        )
        .await;
        let case = first_case(&list);
        let (_, page) = text(&v, &app.url(&case)).await;
        let marker = "Petugas lapangan</dt><dd>";
        let at = page.find(marker).unwrap() + marker.len();
        let officer = page[at..].split('<').next().unwrap().to_string();

        let c = app.sign_in(&officer).await;
        let r = c.get(app.url("/")).send().await.unwrap();
        assert_eq!(
            location(&r),
            "/kunjungan",
            "an officer starts on their visits"
        );
        let (status, visits) = text(&c, &app.url("/kunjungan")).await;
        assert_eq!(status, 200, "{visits}");
        let link = format!("{case}?aksi=record_monev#aksi-record_monev");
        assert!(visits.contains(&link), "{visits}");

        let (_, page) = text(&c, &app.url(&link)).await;
        let form = action_form(&page, "record_monev").to_string();
        assert!(form.contains(" open>"), "the visit form is open");
        assert!(form.contains("accept=\"image/*\" capture=\"environment\""));
        assert!(form.contains("data-gps=\"record_monev-location\""));
        assert!(form.contains("<select id=\"record_monev-cooperative_status\""));
        let before = steps(&page);
        let send = |photo: Part| {
            let f = Form::new()
                .text("_csrf", hidden(&form, "_csrf"))
                .text("_action", "record_monev")
                .text("_key", hidden(&form, "_key"))
                .text("_seq", hidden(&form, "_seq"))
                .text("f.visit_date", "2026-11-20")
                .text("f.funds_used_as_proposed", "ya")
                .text("f.amount_used", "Rp 25.000.000")
                .text("f.cooperative_status", "aktif")
                .text("f.last_rat_year", "2025")
                .text("f.members", "120")
                .text("f.location", "-5.429210,105.261940")
                .text("f.findings", "Usaha berjalan")
                .text("f.recommendation", "lanjut")
                .text("f.notes", "")
                .part("file.photo", photo);
            c.post(app.url(&format!("{case}/aksi"))).multipart(f)
        };

        // A text file as the photo: refused beside the photo field.
        let bad = Part::bytes(b"bukan foto".to_vec())
            .file_name("catatan.txt")
            .mime_str("text/plain")
            .unwrap();
        let r = send(bad).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        let refused = action_form(&body, "record_monev");
        assert!(refused.contains("tidak diterima"), "{refused}");
        assert!(
            refused.contains("value=\"Usaha berjalan\"")
                || refused.contains("Usaha berjalan</textarea>")
        );

        let png = pantau_photo::samples::visit_photo(31);
        let good = Part::bytes(png.clone())
            .file_name("foto.jpg")
            .mime_str("image/jpeg")
            .unwrap();
        let r = send(good).send().await.unwrap();
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let (_, after) = text(&c, &app.url(&case)).await;
        assert_eq!(steps(&after), before + 1);
        let id = case.trim_start_matches("/kasus/");
        let at = after
            .find(&format!("/api/cases/{id}/attachments/"))
            .expect("the photo is linked from the case page");
        let href = after[at..].split('"').next().unwrap().to_string();
        let r = c.get(app.url(&href)).send().await.unwrap();
        assert_eq!(r.status(), 200, "the photo, with the session cookie");
        assert_eq!(r.bytes().await.unwrap().to_vec(), png);
        let (_, visits) = text(&c, &app.url("/kunjungan")).await;
        assert!(!visits.contains(&link), "the visit is done");
    }
}

#[tokio::test]
async fn every_page_route_answers() {
    let app = support::apps().await.remove(0);
    let c = app.sign_in("pengelola.18").await;
    for (method, path) in pantau_server::pages::paths() {
        if method != "GET" {
            continue;
        }
        let path = path
            .replace("{id}", "tidak-ada")
            .replace("{*file}", "pantau.css");
        let r = c.get(app.url(&path)).send().await.unwrap();
        // The administrator's pages refuse a province's manager (the access matrix says which).
        let refused = path.starts_with("/admin/") && r.status() == 403;
        assert!(
            [200, 303, 404].contains(&r.status().as_u16()) || refused,
            "{path}: {}",
            r.status()
        );
        if path.starts_with("/static/") {
            assert_eq!(r.status(), 200);
            assert!(
                r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/css")
            );
        }
    }
}

#[tokio::test]
async fn an_unknown_address_answers_a_page_in_the_readers_language() {
    let app = support::apps().await.remove(0);
    let c = browser();
    for (path, says, not) in [
        (
            "/admin-tidak-ada",
            "Alamat ini tidak ada di Pantau",
            "does not exist",
        ),
        (
            "/kasus/a/b/c?lang=en",
            "This address does not exist",
            "tidak ada",
        ),
    ] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = r.text().await.unwrap();
        assert!(page.contains(says) && !page.contains(not), "{path}: {page}");
        assert!(page.contains("href=\"/\""), "a way back: {page}");
    }
    let r = c.get(app.url("/api/tidak-ada")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "not_found", "{body}");
}

#[tokio::test]
async fn dashboard_counts_are_grouped_and_read_with_what_they_count() {
    let app = support::apps().await.remove(0);
    let c = app.sign_in("pengelola.18").await;
    let (status, page) = text(&c, &app.url("/")).await;
    assert_eq!(status, 200);
    assert!(page.contains("class=\"skip\" href=\"#isi\""), "a skip link");
    let label = page
        .split("aria-label=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .find(|l| l.ends_with(": Jumlah kasus, Jumlah"))
        .unwrap_or_else(|| panic!("a total's link says what it counts: {page}"));
    assert!(
        label.split(':').next().unwrap().parse::<u64>().is_ok(),
        "{label}"
    );
    let (_, english) = text(&c, &app.url("/?lang=en")).await;
    assert!(english.contains(": All cases, Total\""), "{english}");

    // The Ministry's page carries one province's programs, the one asked
    // for; the others are a link each (and a code that is not a province's
    // opens none).
    let m = app.sign_in("kementerian").await;
    let lampung = "id=\"program-bansos-kud-2026-lampung\"";
    for (path, shown) in [
        ("/", false),
        ("/?provinsi=18", true),
        ("/?provinsi=13", false),
        ("/?provinsi=18.71", false),
        ("/?provinsi=%3Cb%3E", false),
    ] {
        let (status, page) = text(&m, &app.url(path)).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(page.contains(lampung), shown, "{path}: Lampung's programs");
        assert_eq!(
            page.contains("class=\"button secondary\" href=\"/?provinsi=18#provinsi-18-program\""),
            !shown,
            "{path}: Lampung's link"
        );
    }
    // A province's manager asking for another province keeps their page.
    let (_, own) = text(&c, &app.url("/")).await;
    let (_, asked) = text(&c, &app.url("/?provinsi=13")).await;
    assert!(
        asked.contains(lampung),
        "Lampung's manager sees Lampung's programs"
    );
    assert_eq!(
        asked.matches("class=\"program card\"").count(),
        own.matches("class=\"program card\"").count()
    );
    let (_, sumbar) = text(&m, &app.url("/?provinsi=13")).await;
    assert!(sumbar.contains("<details class=\"province-programs\" id=\"provinsi-13\" open>"));
}

/// The `href`s on a page that start with `prefix`, in order.
fn links<'a>(html: &'a str, prefix: &str) -> Vec<&'a str> {
    html.match_indices(&format!("href=\"{prefix}"))
        .map(|(at, _)| {
            let start = at + "href=\"".len();
            html[start..].split('"').next().unwrap()
        })
        .collect()
}

/// The decree form as `c` sends it, with `list` as the CSV of cases.
async fn send_decree(
    c: &reqwest::Client,
    app: &support::Running,
    number: &str,
    program: &str,
    list: String,
) -> Response {
    let (_, form) = text(c, &app.url("/sk/baru")).await;
    let pdf = pantau_demo::pdf(&["SK penetapan penerima".into()]);
    c.post(app.url("/sk/baru"))
        .multipart(
            Form::new()
                .text("_csrf", hidden(&form, "_csrf"))
                .text("number", number.to_string())
                .text("date", "2026-11-20")
                .text("program", program.to_string())
                .text("signer", "Ir. Hendra Gunawan, M.M.")
                .text("position", "Kepala Dinas Koperasi dan UKM Provinsi Lampung")
                .text("nip", "196805121994031007")
                .part("list", Part::text(list).file_name("sk.csv"))
                .part(
                    "scan",
                    Part::bytes(pdf)
                        .file_name("sk.pdf")
                        .mime_str("application/pdf")
                        .unwrap(),
                ),
        )
        .send()
        .await
        .unwrap()
}

/// Sends the form a decree's check page ends with: the decree as checked, to record.
async fn confirm_decree(
    c: &reqwest::Client,
    app: &support::Running,
    page: &str,
) -> reqwest::Response {
    let form = &page[page.find("name=\"confirm\"").expect("a form to confirm")..];
    let mut f = Form::new().text("_csrf", hidden(page, "_csrf"));
    for field in [
        "confirm",
        "number",
        "date",
        "program",
        "amends",
        "signer",
        "position",
        "nip",
        "list_checked",
        "scan_name",
        "scan_sha",
    ] {
        // As the browser sends it: the page's escaping undone.
        let value = hidden(form, field)
            .replace("&#x3D;", "=")
            .replace("&#x27;", "'")
            .replace("&#x60;", "`")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        f = f.text(field, value);
    }
    c.post(app.url("/sk/baru"))
        .multipart(f)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_user_chooses_language_and_digest_on_the_profile_page() {
    for app in support::apps().await {
        let name = app.name;
        let c = app.sign_in("pengelola.1871").await;
        let (status, page) = text(&c, &app.url("/profil")).await;
        assert_eq!(status, 200, "{name}");
        assert!(page.contains("pengelola.1871@dinas.example"), "{name}");
        assert!(page.contains("Kota Bandar Lampung"), "{name}");
        let csrf = hidden(&page, "_csrf");
        // Without the form token: refused, nothing changes.
        let r = c
            .post(app.url("/profil"))
            .form(&[("lang", "en"), ("digest", "ya")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{name}");
        let r = c
            .post(app.url("/profil"))
            .form(&[("_csrf", csrf.as_str()), ("lang", "en"), ("digest", "ya")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{name}");
        assert_eq!(location(&r), "/profil?disimpan=1", "{name}");
        let (_, page) = text(&c, &app.url("/profil?disimpan=1")).await;
        assert!(
            page.contains("Your choices are saved."),
            "{name}: English now"
        );
        let u = app.store.user("pengelola.1871").await.unwrap().unwrap();
        assert_eq!((u.lang.as_str(), u.digest), ("en", true), "{name}");
        // A language that is not offered is refused by name.
        let r = c
            .post(app.url("/profil"))
            .form(&[("_csrf", csrf.as_str()), ("lang", "jv")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{name}");
        let u = app.store.user("pengelola.1871").await.unwrap().unwrap();
        assert_eq!(u.lang, "en", "{name}: unchanged");
    }
}
