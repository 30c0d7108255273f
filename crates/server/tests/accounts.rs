//! Accounts in the browser, in a real headless Chromium on SQLite and
//! PostgreSQL: the first administrator made by the setup link on an empty
//! database (the link `pantau serve` prints, from the function it calls),
//! who adds a provincial manager who signs in; what a provincial manager
//! may not do (a user outside the province, an administrator; the form and
//! a hand-made POST alike); a password reset link used once; one's own
//! password changed, which ends one's other sessions.
//!
//! `PANTAU_SHOTS=DIR` keeps a screenshot of each page at 390 and 1280 px.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use fantoccini::{Client, Locator};

use serde_json::json;
use support::browser::{browser, choose, shot, sign_in_at, type_in, wait_until};
use support::{PASSWORD, Running};

async fn submit(c: &Client, form: &str) {
    c.find(Locator::Css(&format!("{form} button.primary")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn sign_out(c: &Client) {
    c.delete_all_cookies().await.unwrap();
}

/// POSTs `fields` to `path` from the page (its cookie, its origin), with
/// the page's form token: the status (0 for a redirect).
async fn post_from_page(c: &Client, path: &str, fields: serde_json::Value) -> u64 {
    let status = c
        .execute_async(
            r#"const [path, fields, done] = arguments;
               const body = new URLSearchParams(fields);
               body.set('_csrf', document.querySelector('input[name=_csrf]').value);
               fetch(path, { method: 'POST', body, redirect: 'manual' })
                 .then(r => done(r.status), () => done(-1));"#,
            vec![json!(path), fields],
        )
        .await
        .unwrap();
    status.as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_administrator_sets_up_and_adds_a_provincial_manager() {
    let Some((c, _driver)) = browser(1280, 1000).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let (base, store, _db) = support::empty(db).await;
        let name = _db.name;
        eprintln!("{name}: first run in the browser");
        let link = pantau_server::accounts::setup_link(&store, &base)
            .await
            .unwrap()
            .expect("a setup link on an empty database");
        assert!(link.starts_with(&format!("{base}/siapkan/")), "{link}");

        // The setup form: a bad login and two different passwords are named, nothing lost.
        c.goto(&link).await.unwrap();
        shot(&c, "siapkan").await;
        type_in(&c, "input[name=name]", "Admin Dinas").await;
        type_in(&c, "input[name=login]", "admin dinas").await;
        type_in(&c, "input[name=email]", "admin@dinas.go.id").await;
        type_in(&c, "input[name=password]", PASSWORD).await;
        type_in(&c, "input[name=again]", "bukan-yang-sama").await;
        submit(&c, "form").await;
        let page = wait_until(&c, |_, src| src.contains("class=\"error\"")).await;
        assert!(page.contains("tanpa spasi"), "{name}: the login's problem");
        assert!(page.contains("kedua kata sandi tidak sama"), "{name}");
        assert!(
            page.contains("value=\"Admin Dinas\""),
            "{name}: the name kept"
        );
        assert_eq!(store.user_count().await.unwrap(), 0, "{name}");
        shot(&c, "siapkan-salah").await;
        type_in(&c, "input[name=login]", "admin").await;
        type_in(&c, "input[name=password]", PASSWORD).await;
        type_in(&c, "input[name=again]", PASSWORD).await;
        submit(&c, "form").await;
        wait_until(&c, |url, _| url.contains("/masuk")).await;
        let admin = store.user("admin").await.unwrap().unwrap();
        assert_eq!(admin.role, "admin", "{name}");
        assert_eq!(admin.region_code, None, "{name}");
        // The link is refused once used.
        c.goto(&link).await.unwrap();
        let used = c.source().await.unwrap();
        assert!(used.contains("Tautan ini tidak berlaku"), "{name}");
        assert!(!used.contains("name=\"password\""), "{name}: no form");
        assert!(
            pantau_server::accounts::setup_link(&store, &base)
                .await
                .unwrap()
                .is_none(),
            "{name}: no new link once a user exists"
        );

        // The administrator adds Lampung's provincial manager.
        sign_in_at(&c, &base, "admin").await;
        c.goto(&format!("{base}/admin/pengguna/baru"))
            .await
            .unwrap();
        type_in(&c, "input[name=name]", "Pengelola Lampung").await;
        type_in(&c, "input[name=login]", "pengelola.18").await;
        type_in(&c, "input[name=email]", "pengelola@lampung.go.id").await;
        choose(&c, "select[name=role]", "manager_province").await;
        choose(&c, "select[name=region]", "18").await;
        type_in(&c, "input[name=password]", PASSWORD).await;
        type_in(&c, "input[name=again]", PASSWORD).await;
        shot(&c, "pengguna-baru").await;
        submit(&c, "form[action='/admin/pengguna/baru']").await;
        let page = wait_until(&c, |url, _| url.contains("/admin/pengguna/pengelola.18")).await;
        assert!(page.contains("Pengguna ditambahkan"), "{name}");
        assert!(page.contains("Ditambahkan"), "{name}: the change recorded");
        let changes = store.user_changes("pengelola.18").await.unwrap();
        assert_eq!(changes.len(), 1, "{name}");
        assert_eq!(
            (changes[0].actor.as_str(), changes[0].what.as_str()),
            ("admin", "added")
        );

        // The manager signs in: their users page, within Lampung only.
        sign_out(&c).await;
        sign_in_at(&c, &base, "pengelola.18").await;
        c.goto(&format!("{base}/admin/pengguna")).await.unwrap();
        let list = c.source().await.unwrap();
        assert!(
            list.contains("href=\"/admin/pengguna/pengelola.18\""),
            "{name}"
        );
        assert!(
            !list.contains("href=\"/admin/pengguna/admin\""),
            "{name}: not the admin"
        );
        shot(&c, "pengguna-daftar").await;
        c.goto(&format!("{base}/admin/pengguna?lang=en"))
            .await
            .unwrap();
        let english = c.source().await.unwrap();
        assert!(english.contains("Search name, login or email"), "{name}");
        assert!(
            !english.contains("Cari nama") && !english.contains("Pengguna baru"),
            "{name}"
        );
        c.goto(&format!("{base}/admin/pengguna?lang=id"))
            .await
            .unwrap();

        // The form offers neither an administrator nor a region outside Lampung.
        c.goto(&format!("{base}/admin/pengguna/baru"))
            .await
            .unwrap();
        let form = c.source().await.unwrap();
        assert!(
            !form.contains("value=\"admin\""),
            "{name}: no admin role offered"
        );
        assert!(!form.contains("value=\"ministry\""), "{name}");
        assert!(form.contains("value=\"18.71\""), "{name}");
        assert!(
            !form.contains("value=\"13.03\""),
            "{name}: no other province"
        );
        // Hand-made POSTs: a verifier of Sumatera Barat, an administrator: refused, nothing added.
        for (login, role, region) in [
            ("verifikator.1303", "verifier", "13.03"),
            ("admin.kedua", "admin", ""),
            ("menteri", "ministry", ""),
        ] {
            let status = post_from_page(
                &c,
                "/admin/pengguna/baru",
                json!({ "login": login, "name": "Orang Lain", "email": "lain@dinas.go.id",
                        "role": role, "region": region, "lang": "id",
                        "password": PASSWORD, "again": PASSWORD }),
            )
            .await;
            assert_eq!(status, 403, "{name}: {role} in {region:?}");
            assert!(
                store.user(login).await.unwrap().is_none(),
                "{name}: {login}"
            );
        }
        // Nor can they make an existing user an administrator.
        let status = post_from_page(
            &c,
            "/admin/pengguna/pengelola.18",
            json!({ "role": "admin", "region": "" }),
        )
        .await;
        assert_eq!(status, 403, "{name}: making oneself admin");
        assert_eq!(
            store.user("pengelola.18").await.unwrap().unwrap().role,
            "manager_province"
        );
        // Through the form, a verifier of Kota Bandar Lampung is added.
        type_in(&c, "input[name=name]", "Verifikator Kota").await;
        type_in(&c, "input[name=login]", "verifikator.1871").await;
        type_in(&c, "input[name=email]", "verifikator@bandarlampung.go.id").await;
        choose(&c, "select[name=role]", "verifier").await;
        choose(&c, "select[name=region]", "18.71").await;
        type_in(&c, "input[name=password]", PASSWORD).await;
        type_in(&c, "input[name=again]", PASSWORD).await;
        submit(&c, "form[action='/admin/pengguna/baru']").await;
        wait_until(&c, |url, _| {
            url.contains("/admin/pengguna/verifikator.1871")
        })
        .await;
        shot(&c, "pengguna").await;
        sign_out(&c).await;
    }
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_link_works_once_and_ends_the_old_sessions() {
    let Some((c, _driver)) = browser(1280, 1000).await else {
        return;
    };
    for app in support::apps().await {
        let name = app.name;
        eprintln!("{name}: a password link in the browser");
        let old = app.sign_in("verifikator.18").await;
        sign_in_at(&c, &app.base, "pengelola.18").await;
        c.goto(&app.url("/admin/pengguna/verifikator.18"))
            .await
            .unwrap();
        c.find(Locator::Css("form[action$='/sandi'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let page = wait_until(&c, |_, src| src.contains("id=\"reset-link\"")).await;
        shot(&c, "pengguna-tautan").await;
        let link = c
            .find(Locator::Css("#reset-link"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap();
        assert!(link.contains("/sandi/"), "{name}: {link}");
        assert!(
            page.contains("Tautan kata sandi baru dibuat"),
            "{name}: recorded"
        );
        // Shown once: the page again has no link.
        c.goto(&app.url("/admin/pengguna/verifikator.18"))
            .await
            .unwrap();
        assert!(!c.source().await.unwrap().contains(&link), "{name}");

        sign_out(&c).await;
        c.goto(&link).await.unwrap();
        shot(&c, "sandi").await;
        type_in(&c, "input[name=password]", "sandi-baru-verifikator").await;
        type_in(&c, "input[name=again]", "sandi-baru-verifikator").await;
        submit(&c, "form").await;
        wait_until(&c, |url, _| url.contains("/masuk")).await;
        // Used once: refused now.
        c.goto(&link).await.unwrap();
        assert!(
            c.source()
                .await
                .unwrap()
                .contains("Tautan ini tidak berlaku"),
            "{name}"
        );
        // The old session ended; the new password signs in, the old one does not.
        let r = old.get(app.url("/profil")).send().await.unwrap();
        assert_eq!(r.status(), 303, "{name}: the old session ended");
        let (status, _) = signs_in(&app, "verifikator.18", PASSWORD).await;
        assert_eq!(status, 401, "{name}: the old password");
        let (status, _) = signs_in(&app, "verifikator.18", "sandi-baru-verifikator").await;
        assert_eq!(status, 201, "{name}: the new password");
    }
    c.close().await.unwrap();
}

/// `POST /api/tokens`: the status and body.
async fn signs_in(app: &Running, login: &str, password: &str) -> (u16, serde_json::Value) {
    let r = app
        .http
        .post(app.url("/api/tokens"))
        .json(&json!({ "login": login, "password": password }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ones_own_new_password_ends_the_other_sessions() {
    let Some((c, _driver)) = browser(1280, 1000).await else {
        return;
    };
    for app in support::apps().await {
        let name = app.name;
        eprintln!("{name}: one's own password in the browser");
        let other = app.sign_in("pengelola.1871").await;
        let (_, token) = signs_in(&app, "pengelola.1871", PASSWORD).await;
        let token = token["token"].as_str().unwrap().to_string();
        let second = app.sign_in("pengelola.1871").await;
        sign_in_at(&c, &app.base, "pengelola.1871").await;
        c.goto(&app.url("/profil")).await.unwrap();
        let page = c.source().await.unwrap();
        assert_eq!(
            page.matches("action=\"/profil/sesi\"").count(),
            3,
            "{name}: three others: {}",
            &page[page.find("id=\"sesi\"").unwrap_or(0)..]
        );
        assert!(page.contains("Token API"), "{name}");
        shot(&c, "profil").await;
        // In English, no Indonesian of this part.
        c.goto(&app.url("/profil?lang=en")).await.unwrap();
        let english = c.source().await.unwrap();
        assert!(
            english.contains("Change password") && english.contains("Last used"),
            "{name}"
        );
        assert!(
            !english.contains("Ganti kata sandi") && !english.contains("Sesi masuk"),
            "{name}"
        );
        shot(&c, "profil-en").await;
        c.goto(&app.url("/profil?lang=id")).await.unwrap();
        // Ending one session from the list: the first of the others.
        c.find(Locator::Css("form[action='/profil/sesi'] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let page = wait_until(&c, |url, _| url.ends_with("?sesi=1")).await;
        assert_eq!(page.matches("action=\"/profil/sesi\"").count(), 2, "{name}");

        // A wrong current password: named, nothing changed.
        type_in(&c, "#p-current", "bukan-sandinya").await;
        type_in(&c, "#p-password", "sandi-baru-pengelola").await;
        type_in(&c, "#p-again", "sandi-baru-pengelola").await;
        submit(&c, "form[action='/profil/sandi']").await;
        let page = wait_until(&c, |_, src| src.contains("class=\"error\"")).await;
        assert!(page.contains("kata sandi sekarang salah"), "{name}");
        shot(&c, "profil-salah").await;
        let (status, _) = signs_in(&app, "pengelola.1871", PASSWORD).await;
        assert_eq!(status, 201, "{name}: unchanged");

        type_in(&c, "#p-current", PASSWORD).await;
        type_in(&c, "#p-password", "sandi-baru-pengelola").await;
        type_in(&c, "#p-again", "sandi-baru-pengelola").await;
        submit(&c, "form[action='/profil/sandi']").await;
        let page = wait_until(&c, |url, _| url.ends_with("?sandi=1")).await;
        assert!(page.contains("Kata sandi diganti"), "{name}");
        // This browser goes on; every other session and token has ended.
        assert_eq!(page.matches("action=\"/profil/sesi\"").count(), 0, "{name}");
        for (i, s) in [&other, &second].into_iter().enumerate() {
            let r = s.get(app.url("/profil")).send().await.unwrap();
            assert_eq!(r.status(), 303, "{name}: session {i} ended");
        }
        let (status, _) = app.get(&token, "/api/me").await;
        assert_eq!(status, 401, "{name}: the API token ended");
        let (status, _) = signs_in(&app, "pengelola.1871", "sandi-baru-pengelola").await;
        assert_eq!(status, 201, "{name}: the new password");
        c.goto(&app.url("/kasus")).await.unwrap();
        assert!(
            c.current_url().await.unwrap().as_str().ends_with("/kasus"),
            "{name}: still in"
        );
        sign_out(&c).await;
    }
    c.close().await.unwrap();
}

/// With mail configured, a password link goes by email through the outbox
/// (to the user, in their language, pointing at the configured address)
/// and is not shown on the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_mail_configured_the_password_link_goes_by_email() {
    for db in support::db::test_databases().await {
        let app = support::spawn_with(db, |app| {
            app.mail_links = Some("https://pantau.dinas.example/".into());
        })
        .await;
        let name = app.name;
        let c = app.sign_in("admin").await;
        let (_, page) = support::text(&c, &app.url("/admin/pengguna/verifikator.18")).await;
        let csrf = support::hidden(&page, "_csrf");
        let r = c
            .post(app.url("/admin/pengguna/verifikator.18/sandi"))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        let page = r.text().await.unwrap();
        assert!(page.contains("dikirim ke surel pengguna"), "{name}");
        assert!(!page.contains("/sandi/"), "{name}: the link is not shown");
        let mail = app
            .store
            .outbox(None, 50, chrono::Utc::now())
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.template == "password_reset")
            .expect("a password_reset email queued");
        assert_eq!(mail.to_user.as_deref(), Some("verifikator.18"), "{name}");
        let payload: serde_json::Value = serde_json::from_str(&mail.payload).unwrap();
        let link = payload["link"].as_str().unwrap();
        assert!(
            link.starts_with("https://pantau.dinas.example/sandi/"),
            "{name}: {link}"
        );
        // The emailed link opens the page (on this server, at its own address).
        let path = link.trim_start_matches("https://pantau.dinas.example");
        let (status, page) = support::text(&app.http, &app.url(path)).await;
        assert_eq!(status, 200, "{name}");
        assert!(page.contains("verifikator.18"), "{name}");
    }
}
