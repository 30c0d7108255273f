//! One user's calls of the program, allocation and workflow pages, each
//! answer held to `table::PROGRAMS`; a refused change changes nothing.

use super::*;
use table::{PROGRAMS, ProgramAccess};

const WALKED: [(&str, &str); 2] = [
    ("bansos-kud-2026-lampung", "18.71"),
    ("pkl-2014-sumbar", "13.03"),
];

fn access(u: &User) -> &'static ProgramAccess {
    PROGRAMS
        .iter()
        .find(|p| p.login == u.login)
        .unwrap_or_else(|| panic!("{} has no row in PROGRAMS", u.login))
}

async fn csrf(app: &Running, c: &reqwest::Client) -> String {
    let (_, page) = support::text(c, &app.url("/kasus")).await;
    support::hidden(&page, "_csrf")
}

async fn post(app: &Running, c: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> u16 {
    let token = csrf(app, c).await;
    let mut all = form.to_vec();
    all.push(("_csrf", token.as_str()));
    c.post(app.url(path))
        .form(&all)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// What `u` gets from `method` `template`, against the table.
pub(crate) async fn route(
    app: &Running,
    u: &User,
    c: &reqwest::Client,
    method: &str,
    template: &str,
) {
    let p = access(u);
    let ctx = format!("{}: {} ({}) {method} {template}", app.name, u.login, u.role);
    let refused = |allowed: bool| if allowed { 200 } else { 403 };
    match (method, template) {
        ("GET", "/admin/program") => {
            let (status, html) = support::text(c, &app.url(template)).await;
            assert_eq!(status, refused(p.programs), "{ctx}");
            for (program, _) in WALKED {
                let listed = html.contains(&format!("href=\"/admin/program/{program}\""));
                assert_eq!(listed, p.opens.contains(&program), "{ctx}: lists {program}");
            }
        }
        ("POST", "/admin/program") => {
            let id = format!("matriks-{}", u.login.replace('.', "-"));
            let status = post(
                app,
                c,
                template,
                &[
                    ("id", &id),
                    ("name", "Program matriks"),
                    ("year", "2027"),
                    ("funding", "APBN"),
                    ("ceiling", "Rp 1.000.000"),
                    ("workflow", "bansos@2"),
                    ("province", "18"),
                ],
            )
            .await;
            let added = app.store.program(&id).await.unwrap().is_some();
            assert_eq!(status, if p.administers { 303 } else { 403 }, "{ctx}");
            assert_eq!(added, p.administers, "{ctx}: added");
        }
        ("GET", "/admin/program/{id}") => {
            for (program, _) in WALKED {
                let (status, _) =
                    support::text(c, &app.url(&format!("/admin/program/{program}"))).await;
                assert_eq!(status, opened(p, program), "{ctx} {program}");
            }
        }
        ("POST", "/admin/program/{id}") => {
            for (program, _) in WALKED {
                let before = app.store.program(program).await.unwrap().unwrap();
                let status = post(
                    app,
                    c,
                    &format!("/admin/program/{program}"),
                    &[
                        ("name", &before.name),
                        ("year", &before.fiscal_year.to_string()),
                        ("funding", &before.funding_source),
                        ("ceiling", "Rp 99.000.000.000"),
                        (
                            "workflow",
                            &format!("{}@{}", before.workflow, before.workflow_version),
                        ),
                    ],
                )
                .await;
                let after = app.store.program(program).await.unwrap().unwrap();
                let want = match opened(p, program) {
                    200 if p.administers => 303,
                    200 => 403,
                    other => other,
                };
                assert_eq!(status, want, "{ctx} {program}");
                if status == 303 {
                    assert_eq!(after.budget_ceiling, 99_000_000_000, "{ctx}");
                    // Back as it was, for the users after.
                    app.store
                        .edit_program(
                            program,
                            &pantau_store::registry::ProgramEdit {
                                name: before.name.clone(),
                                fiscal_year: before.fiscal_year,
                                funding_source: before.funding_source.clone(),
                                budget_ceiling: before.budget_ceiling,
                                workflow: before.workflow.clone(),
                                workflow_version: before.workflow_version as u32,
                            },
                            pantau_store::registry::Author {
                                login: "admin",
                                at: support::as_of(),
                            },
                        )
                        .await
                        .unwrap()
                        .unwrap();
                } else {
                    assert_eq!(after, before, "{ctx}: nothing changed");
                }
            }
        }
        ("POST", "/admin/program/{id}/alokasi") => {
            for (program, region) in WALKED {
                let before = app.store.allocation_use(program).await.unwrap();
                let now = before
                    .iter()
                    .find(|a| a.region_code == region)
                    .map_or(0, |a| a.allocation);
                // The same amount again (or none where there was none): the walk
                // asks who may, and leaves the money as it was for the users after.
                let amount = now;
                let status = post(
                    app,
                    c,
                    &format!("/admin/program/{program}/alokasi"),
                    &[("region", region), ("amount", &amount.to_string())],
                )
                .await;
                let after = app.store.allocation_use(program).await.unwrap();
                let want = match (p.allocates.contains(&region), p.programs) {
                    (true, _) => 303,
                    (false, false) => 403,
                    (false, true) => 404,
                };
                assert_eq!(status, want, "{ctx} {program} {region}");
                if status != 303 {
                    assert_eq!(after, before, "{ctx}: nothing changed");
                }
            }
        }
        ("GET", "/admin/alur") => {
            let (status, html) = support::text(c, &app.url(template)).await;
            assert_eq!(status, refused(p.administers), "{ctx}");
            if p.administers {
                assert!(html.contains("<svg"), "{ctx}: the graphs");
            }
        }
        ("POST", "/admin/alur") => {
            let token = csrf(app, c).await;
            let text = std::fs::read_to_string(
                support::catalog::repo_root().join("workflows/bansos.toml"),
            )
            .unwrap();
            let r = c
                .post(app.url(template))
                .multipart(reqwest::multipart::Form::new().text("_csrf", token).part(
                    "file",
                    reqwest::multipart::Part::text(text).file_name("bansos.toml"),
                ))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), refused(p.administers), "{ctx}");
        }
        _ => panic!("{ctx}: a program route the walk does not know"),
    }
}

/// What opening `program`'s page answers to the user of `p`.
fn opened(p: &ProgramAccess, program: &str) -> u16 {
    match (p.programs, p.opens.contains(&program)) {
        (false, _) => 403,
        (true, true) => 200,
        (true, false) => 404,
    }
}
