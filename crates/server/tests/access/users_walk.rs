//! The users pages and one's own account, walked by each user: who lists,
//! opens, adds and changes which accounts (`table::MANAGES`), and that
//! one's password and sessions are only one's own. Two accounts the walk
//! adds (`sasaran.1871`, `sasaran.1303`) are the ones it changes, so the
//! walk's own users keep signing in.

use super::*;
use table::{column, manages};

/// The accounts the walk changes: (login, role, region).
pub(crate) const TARGETS: [(&str, Role, &str); 2] = [
    ("sasaran.1871", Role::Verifier, "18.71"),
    ("sasaran.1303", Role::Verifier, "13.03"),
];

pub(crate) async fn add_targets(app: &Running, password_hash: &str) {
    for (login, role, region) in TARGETS {
        let u = pantau_store::accounts::NewUser {
            login: login.into(),
            name: format!("Sasaran {region}"),
            email: format!("{login}@dinas.example"),
            role,
            region: Some(region.into()),
            lang: Lang::Id,
            digest: false,
            password_hash: Some(password_hash.into()),
        };
        assert!(app.store.add_user(&u, support::as_of()).await.unwrap());
    }
}

/// Whether `u` may manage an account of `role` in `region`, by the table.
fn may(u: &User, role: Role, region: Option<&str>) -> Option<bool> {
    let m = manages(u.login)?;
    let national_role = matches!(role, Role::Admin | Role::Ministry);
    Some(m[column(region)] && (u.role == Role::Admin || !national_role))
}

/// One route of the users pages or of one's own account, as `u`.
pub(crate) async fn route(
    app: &Running,
    u: &User,
    c: &reqwest::Client,
    method: &str,
    template: &str,
) {
    let name = app.name;
    let ctx = format!("{name}: {} ({}) {method} {template}", u.login, u.role);
    let (_, profile) = support::text(c, &app.url("/profil")).await;
    let csrf = support::hidden(&profile, "_csrf");
    let refused = |m: Option<bool>| match m {
        None => 403,
        Some(_) => 404,
    };
    match (method, template) {
        ("GET", "/admin/pengguna") => {
            let (status, html) = support::text(c, &app.url(template)).await;
            let Some(_) = manages(u.login) else {
                assert_eq!(status, 403, "{ctx}");
                return;
            };
            assert_eq!(status, 200, "{ctx}");
            // Listed exactly when managed (25 a page: search each by login).
            for w in USERS
                .iter()
                .map(|w| (w.login, w.role, w.region))
                .chain(TARGETS.iter().map(|(l, r, g)| (*l, *r, Some(*g))))
            {
                let url = app.url(&format!("/admin/pengguna?q={}", w.0));
                let (_, html) = support::text(c, &url).await;
                let listed = html.contains(&format!("href=\"/admin/pengguna/{}\"", w.0));
                let want = may(u, w.1, w.2) == Some(true);
                assert_eq!(listed, want, "{ctx}: lists {}", w.0);
            }
            assert!(html.contains("/admin/pengguna/baru"), "{ctx}");
        }
        ("GET", "/admin/pengguna/baru") => {
            let status = support::text(c, &app.url(template)).await.0;
            let want = if manages(u.login).is_some() { 200 } else { 403 };
            assert_eq!(status, want, "{ctx}");
        }
        ("POST", "/admin/pengguna/baru") => {
            // A verifier in each province, and an administrator.
            for (role, region) in [
                (Role::Verifier, "18.71"),
                (Role::Verifier, "13.03"),
                (Role::Admin, ""),
            ] {
                let login = format!("baru.{}.{}", u.login, region.replace('.', ""));
                let r = c
                    .post(app.url(template))
                    .form(&[
                        ("_csrf", csrf.as_str()),
                        ("login", &login),
                        ("name", "Matriks"),
                        ("email", "matriks@dinas.example"),
                        ("role", role.as_str()),
                        ("region", region),
                        ("lang", "id"),
                        ("password", support::PASSWORD),
                        ("again", support::PASSWORD),
                    ])
                    .send()
                    .await
                    .unwrap();
                let region = (!region.is_empty()).then_some(region);
                let want = match may(u, role, region) {
                    Some(true) => 303,
                    _ => 403,
                };
                assert_eq!(r.status().as_u16(), want, "{ctx}: {role} in {region:?}");
                let added = app.store.user(&login).await.unwrap().is_some();
                assert_eq!(added, want == 303, "{ctx}: {login} added");
            }
        }
        ("GET", "/admin/pengguna/{login}") => {
            for w in USERS
                .iter()
                .map(|w| (w.login, w.role, w.region))
                .chain(TARGETS.iter().map(|(l, r, g)| (*l, *r, Some(*g))))
            {
                let url = app.url(&format!("/admin/pengguna/{}", w.0));
                let status = support::text(c, &url).await.0;
                let m = may(u, w.1, w.2);
                let want = if m == Some(true) { 200 } else { refused(m) };
                assert_eq!(status, want, "{ctx}: {}", w.0);
            }
        }
        _ => {
            // The changes, on the walk's own two accounts only.
            for (login, role, region) in TARGETS {
                let path = template.replace("{login}", login);
                let mut form = vec![("_csrf", csrf.clone())];
                match template {
                    "/admin/pengguna/{login}" => {
                        form.push(("role", role.as_str().into()));
                        form.push(("region", region.into()));
                    }
                    "/admin/pengguna/{login}/aktif" => form.push(("active", "ya".into())),
                    _ => {}
                }
                let r = c.post(app.url(&path)).form(&form).send().await.unwrap();
                let m = may(u, role, Some(region));
                let want = match (m, template) {
                    (Some(true), "/admin/pengguna/{login}/sandi") => 200,
                    (Some(true), _) => 303,
                    (m, _) => refused(m),
                };
                assert_eq!(r.status().as_u16(), want, "{ctx}: {login}");
            }
        }
    }
}

/// One's own password and sessions: a wrong current password changes
/// nothing; another user's session is not found.
pub(crate) async fn own(app: &Running, u: &User, c: &reqwest::Client, template: &str) {
    let ctx = format!("{}: {} POST {template}", app.name, u.login);
    let (_, profile) = support::text(c, &app.url("/profil")).await;
    let csrf = support::hidden(&profile, "_csrf");
    let form: Vec<(&str, &str)> = match template {
        "/profil/sandi" => vec![
            ("current", "bukan-sandinya"),
            ("password", "kata-sandi-lain-sekali"),
            ("again", "kata-sandi-lain-sekali"),
        ],
        _ => vec![("id", "bukan-sesi-siapa-pun")],
    };
    let mut form = form;
    form.push(("_csrf", &csrf));
    let r = c.post(app.url(template)).form(&form).send().await.unwrap();
    let want = if template == "/profil/sandi" {
        422
    } else {
        404
    };
    assert_eq!(r.status().as_u16(), want, "{ctx}");
    // Still signed in with the old password.
    assert_eq!(support::text(c, &app.url("/profil")).await.0, 200, "{ctx}");
}

/// The one-time link pages with a link nobody was given: refused alike,
/// signed in or not.
pub(crate) async fn links(app: &Running) {
    for template in ["/siapkan/{token}", "/sandi/{token}"] {
        let path = template.replace("{token}", "bukan-tautan");
        let status = support::text(&app.http, &app.url(&path)).await.0;
        assert_eq!(status, 404, "{}: GET {path}", app.name);
        let r = app
            .http
            .post(app.url(&path))
            .form(&[
                ("password", support::PASSWORD),
                ("again", support::PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 404, "{}: POST {path}", app.name);
    }
}
