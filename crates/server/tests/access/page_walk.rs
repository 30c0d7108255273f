//! One user's walk of every page, signed in with a cookie, each answer
//! held to the hand-written table.

use super::*;

/// Every page route, signed in with a cookie, as user `u`.
pub(crate) async fn pages(app: &Running, fx: &Fixture, u: &User) {
    let name = app.name;
    let (user, role) = (u.login, u.role);
    let c = app.sign_in(user).await;
    for &(method, template, rule) in PAGES {
        if rule == Rule::Public || template == "/keluar" {
            continue;
        }
        if template.starts_with("/usulan/") {
            proposal_walk::walk(app, u, &c, method, template).await;
            continue;
        }
        if rule == Rule::Program {
            super::program_walk::route(app, u, &c, method, template).await;
            continue;
        }
        if rule == Rule::Registry {
            registry_walk::walk(app, u, &c, method, template).await;
            continue;
        }
        if rule == Rule::Pay {
            super::pay_walk::walk(app, fx, u, &c, &fx.batch, method, template).await;
            continue;
        }
        if rule == Rule::Link {
            continue; // users_walk::links
        }
        if rule == Rule::Users {
            users_walk::route(app, u, &c, method, template).await;
            continue;
        }
        if rule == Rule::Own {
            users_walk::own(app, u, &c, template).await;
            continue;
        }
        if rule == Rule::Confirm {
            confirm_locations(app, fx, u, "", Some(&c)).await;
            continue;
        }
        if rule == Rule::Import {
            let status = if method == "GET" {
                support::text(&c, &app.url(template)).await.0
            } else {
                let (_, page) = support::text(&c, &app.url("/kasus")).await;
                let csrf = support::hidden(&page, "_csrf");
                c.post(app.url(template))
                    .multipart(reqwest::multipart::Form::new().text("_csrf", csrf).part(
                        "file",
                        reqwest::multipart::Part::text(two_vendors(user)).file_name("pkl.csv"),
                    ))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            };
            // The yearly import without a program is refused by that field.
            let allowed = if template == "/impor/tahunan" && method == "POST" {
                400
            } else {
                200
            };
            let want = if u.imports.is_some() { allowed } else { 403 };
            assert_eq!(status, want, "{name}: {user} ({role}) {method} {template}");
            continue;
        }
        if (method, template) == ("POST", "/profil") {
            // Everyone may set their own choices, and only their own.
            let (_, page) = support::text(&c, &app.url("/profil")).await;
            let csrf = support::hidden(&page, "_csrf");
            let r = c
                .post(app.url(template))
                .form(&[("_csrf", csrf.as_str()), ("lang", "id")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{name}: {user} POST /profil");
            continue;
        }
        if template.starts_with("/sk/baru") || template == "/sk/usulan" {
            // Only the province's users whose role approves by decree.
            let may = u.records_lampung;
            let ctx = format!("{name}: {user} ({role}) {method} {template}");
            if template == "/sk/usulan" {
                let url = app.url("/sk/usulan?program=bansos-kud-2026-lampung");
                let (status, csv) = support::text(&c, &url).await;
                let want = match (may, role) {
                    (true, _) => 200,
                    (false, Role::Ministry) => 403,
                    (false, _) => 404,
                };
                assert_eq!(status, want, "{ctx}");
                for case in fx.unseen(u) {
                    assert!(!csv.contains(case), "{ctx}: lists {case}");
                }
                continue;
            }
            if method == "GET" {
                let (status, _) = support::text(&c, &app.url(template)).await;
                assert_eq!(status, if may { 200 } else { 403 }, "{ctx}");
                continue;
            }
            // A decree naming a case of each province: the other province's is unknown.
            let (_, page) = support::text(&c, &app.url("/kasus")).await;
            let csrf = support::hidden(&page, "_csrf");
            let list: String = fx
                .cases
                .iter()
                .map(|(case, ..)| format!("{case},approve,Rp 1.000.000,\n"))
                .collect();
            let number = format!("MATRIX/{user}/2026");
            let r = c
                .post(app.url(template))
                .multipart(
                    reqwest::multipart::Form::new()
                        .text("_csrf", csrf)
                        .text("confirm", "1")
                        .text("number", number.clone())
                        .text("date", "2026-11-20")
                        .text("program", "bansos-kud-2026-lampung")
                        .text("signer", "Ir. Matriks")
                        .text("position", "Kepala Dinas")
                        .part(
                            "list",
                            reqwest::multipart::Part::text(format!(
                                "case_id,change,amount,tranches\n{list}"
                            ))
                            .file_name("sk.csv"),
                        ),
                )
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let id = pantau_store::decree::id_of(&number);
            let (found, d) = app.get(&fx.admin, &format!("/api/decrees/{id}")).await;
            if !may {
                assert_eq!(status, 403, "{ctx}");
                assert_eq!(found, 404, "{ctx}: nothing recorded: {d}");
                continue;
            }
            assert_eq!(status, 303, "{ctx}");
            // It lists the cases of the walk the recorder sees, and no others.
            let recorded: BTreeSet<&str> = d["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|case| case["case_id"].as_str().unwrap())
                .collect();
            let want: BTreeSet<&str> = fx
                .cases
                .iter()
                .filter(|(_, region, ..)| u.sees(Some(region)))
                .map(|(case, ..)| case.as_str())
                .collect();
            assert_eq!(recorded, want, "{ctx}: {d}");
            continue;
        }
        if !template.contains('{') {
            let (status, html) = support::text(&c, &app.url(template)).await;
            assert!(
                status == 200 || (status == 303 && role == Role::FieldOfficer),
                "{name}: {user} GET {template}: {status}\n{html}"
            );
            for case in fx.unseen(u) {
                assert!(
                    !html.contains(case),
                    "{name}: {user} sees case {case} on {template}"
                );
            }
            if template == "/sk" {
                // The fixture's decrees it lists, and the way to record one.
                let ctx = format!("{name}: {user} ({role}) GET /sk");
                for (d, seen) in [(&fx.sk, u.sk), (&fx.sk_amendment, u.sk_amendment)] {
                    let link = format!("href=\"/sk/{}\"", d.id);
                    assert_eq!(html.contains(&link), seen, "{ctx}: {link}");
                }
                // (No program of Sumatera Barat approves by decree.)
                let offered = html.contains("href=\"/sk/baru\"");
                assert_eq!(offered, u.records_lampung, "{ctx}: Catat SK baru");
            }
            if template == "/laporan/unduh" {
                // The page's downloads: the same walls as the API's.
                let ctx = format!("{name}: {user} ({role}) pages");
                walk_reports(&ctx, u, fx, |path| {
                    let (report, query) = path
                        .trim_start_matches("/api/reports/")
                        .split_once('?')
                        .unwrap();
                    c.get(app.url(&format!("/laporan/unduh?report={report}&{query}")))
                })
                .await;
            }
            continue;
        }
        if template.starts_with("/sk/") {
            let ctx = format!("{name}: {user} ({role}) pages");
            walk_decrees(&ctx, u, fx, template, |path| c.get(app.url(&path))).await;
            continue;
        }
        if template == "/kasus/{id}" {
            for (case, region) in &fx.others {
                let status = support::text(&c, &app.url(&format!("/kasus/{case}")))
                    .await
                    .0;
                let want = if u.sees(*region) { 200 } else { 404 };
                let ctx = format!("{name}: {user} ({role}) GET /kasus/{case} [{region:?}]");
                assert_eq!(status, want, "{ctx}");
            }
        }
        for (case, region, ..) in &fx.cases {
            let visible = u.sees(Some(region));
            let path = template.replace("{id}", case);
            let ctx = format!("{name}: {user} ({role}) {method} {path} [{region}]");
            let status = if method == "GET" {
                support::text(&c, &app.url(&path)).await.0
            } else {
                let (_, page) = support::text(&c, &app.url("/kasus")).await;
                let csrf = support::hidden(&page, "_csrf");
                c.post(app.url(&path))
                    .multipart(
                        reqwest::multipart::Form::new()
                            .text("_csrf", csrf)
                            .text("_action", "submit")
                            .text("_key", format!("page-{user}")),
                    )
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            };
            let want = match (method, visible, role) {
                ("GET", true, _) => 200,
                (_, false, _) => 404,
                ("POST", true, Role::Ministry) => 403,
                // A visible case: the action is refused for its state or role (nothing changes).
                ("POST", true, _) => 422,
                _ => unreachable!(),
            };
            assert!(
                status == want || (want == 422 && status == 409),
                "{ctx}: {status}, wanted {want}"
            );
        }
    }
}
