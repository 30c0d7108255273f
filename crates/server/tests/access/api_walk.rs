//! One user's walk of every API route with a bearer token, each answer
//! held to the hand-written table.

use pantau_workflow::Catalog;

use super::*;

/// Every API route in the matrix, as user `u`.
pub(super) async fn api(app: &Running, fx: &Fixture, catalog: &Catalog, u: &User) {
    let name = app.name;
    let (user, role) = (u.login, u.role);
    let token = app.token(user).await;
    let (_, me) = app.get(&token, "/api/me").await;
    assert_eq!(
        (me["role"].as_str(), me["region"].as_str()),
        (Some(role.as_str()), u.region),
        "{name}: {user} is who the table says"
    );
    for &(method, template, rule) in MATRIX {
        if rule == Rule::Public || template == "/api/tokens" {
            continue;
        }
        if rule == Rule::Import {
            let r = app
                .http
                .post(app.url(template))
                .bearer_auth(&token)
                .header("content-type", "text/csv")
                .body(two_vendors(user))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let ctx = format!("{name}: {user} ({role}) imports");
            let Some(kept) = u.imports else {
                assert_eq!(status, 403, "{ctx}: {body}");
                continue;
            };
            assert_eq!(status, 200, "{ctx}: {body}");
            let refused: BTreeSet<u64> = body["refusals"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["line"].as_u64().unwrap())
                .collect();
            let outside: BTreeSet<u64> = VENDOR_LINES
                .iter()
                .filter(|(region, _)| !kept.contains(region))
                .map(|(_, line)| *line)
                .collect();
            assert_eq!(refused, outside, "{ctx}: rows refused: {body}");
            assert_eq!(
                body["new"].as_u64().unwrap() + body["already"].as_u64().unwrap(),
                kept.len() as u64,
                "{ctx}: {body}"
            );
            continue;
        }
        if (method, template) == ("POST", "/api/cases") {
            for (program, region) in [
                ("bansos-kud-2026-lampung", "18.71"),
                ("pkl-2014-sumbar", "13.03"),
            ] {
                let (status, body) = app
                    .post(
                        &token,
                        template,
                        &format!("open-{user}-{region}"),
                        &json!({ "program_id": program, "region": region }),
                    )
                    .await;
                let def = catalog
                    .latest(if program.starts_with("pkl") {
                        "pkl"
                    } else {
                        "bansos"
                    })
                    .unwrap();
                let ctx = format!("{name}: {user} ({role}) opens a case in {region}");
                match (u.sees(Some(region)), role) {
                    (_, Role::Ministry) => assert_eq!(status, 403, "{ctx}: {body}"),
                    (false, _) => {
                        assert_eq!(status, 400, "{ctx}: {body}");
                        assert!(
                            body["fields"][0]["field"] == "program_id"
                                || body["fields"][0]["field"] == "region",
                            "{ctx}: {body}"
                        );
                    }
                    (true, r) if def.opened_by.contains(&r) => {
                        assert_eq!(status, 201, "{ctx}: {body}");
                        assert_eq!(body["case"]["region"], region, "{ctx}");
                    }
                    (true, _) => {
                        assert_eq!(status, 422, "{ctx}: {body}");
                        assert_eq!(body["refusal"], "role_not_allowed", "{ctx}");
                    }
                }
            }
            continue;
        }
        if template == "/api/sync/visits" {
            // One visit on every case of both regions, every answer missing:
            // another region's case is not found, and nothing is stored.
            let visits: Vec<Value> = fx
                .cases
                .iter()
                .map(|(case, _, workflow, state, _)| {
                    let def = catalog.latest(workflow).unwrap();
                    let action = def
                        .actions_from(state)
                        .find(|a| a.completes_visit)
                        .map_or("record_monev".to_string(), |a| a.id.clone());
                    json!({ "key": format!("sync-{user}-{case}"), "case_id": case, "action": action })
                })
                .collect();
            let (status, body) = app
                .post(&token, template, "unused", &json!({ "visits": visits }))
                .await;
            let ctx = format!("{name}: {user} ({role}) syncs visits");
            if role == Role::Ministry {
                assert_eq!(status, 403, "{ctx}: {body}");
                continue;
            }
            assert_eq!(status, 200, "{ctx}: {body}");
            let results = body["results"].as_array().unwrap();
            assert_eq!(results.len(), fx.cases.len(), "{ctx}");
            for (r, (case, region, ..)) in results.iter().zip(&fx.cases) {
                assert_eq!(r["status"], "refused", "{ctx} {case}: {r}");
                if !u.sees(Some(region)) {
                    assert_eq!(r["error"]["error"], "not_found", "{ctx} {case}: {r}");
                }
            }
            continue;
        }
        if template.starts_with("/api/cases/{id}/uploads") {
            for ((case, region, ..), upload) in fx.cases.iter().zip(&fx.uploads) {
                let visible = u.sees(Some(region));
                let path = template.replace("{id}", case).replace("{upload}", upload);
                let ctx = format!("{name}: {user} ({role}) {method} {path} [{region}]");
                let status = match method {
                    "POST" => {
                        let body = json!({ "key": format!("matrix-{user}-{case}"), "content_type": "image/png", "size": 10 });
                        app.post(&token, &path, "unused", &body).await.0
                    }
                    "GET" => app.get(&token, &path).await.0,
                    // A part at the wrong offset: refused, nothing stored.
                    _ => app
                        .http
                        .patch(app.url(&path))
                        .bearer_auth(&token)
                        .header("Upload-Offset", "99")
                        .body(vec![1u8])
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16(),
                };
                let want = match (method, visible, role) {
                    ("GET", true, _) => 200,
                    ("GET", false, _) => 404,
                    (_, _, Role::Ministry) => 403,
                    (_, false, _) => 404,
                    ("POST", true, _) => 201,
                    (_, true, _) => 409,
                };
                assert_eq!(status, want, "{ctx}");
            }
            continue;
        }
        if template == "/api/reports/{name}" {
            let ctx = format!("{name}: {user} ({role})");
            walk_reports(&ctx, u, fx, |path| {
                app.http.get(app.url(&path)).bearer_auth(&token)
            })
            .await;
            continue;
        }
        if rule == Rule::Confirm {
            confirm_locations(app, fx, u, &token, None).await;
            continue;
        }
        if template.starts_with("/api/decrees") {
            let ctx = format!("{name}: {user} ({role})");
            walk_decrees(&ctx, u, fx, template, |path| {
                app.http.get(app.url(&path)).bearer_auth(&token)
            })
            .await;
            continue;
        }
        if !template.contains('{') {
            let (status, body) = app.get(&token, template).await;
            assert_eq!(status, 200, "{name} {user} {template}: {body}");
            let shown = regions_in(template, &body);
            for r in &shown {
                assert!(
                    u.sees(Some(r)),
                    "{name}: {user} sees region {r} through {template}"
                );
            }
            let text = body.to_string();
            for case in fx.unseen(u) {
                assert!(
                    !text.contains(case),
                    "{name}: {user} sees {case} on {template}"
                );
            }
            if template == "/api/regions" {
                // And every region they see: a code in each column the table says.
                let columns: BTreeSet<usize> =
                    shown.iter().map(|r| table::column(Some(r))).collect();
                for (c, label) in table::COLUMNS.iter().enumerate().skip(1) {
                    assert_eq!(
                        columns.contains(&c),
                        u.sees[c],
                        "{name}: {user} is shown regions of {label}"
                    );
                }
            }
            continue;
        }
        if template == "/api/cases/{id}" {
            for (case, region) in &fx.others {
                let (status, body) = app.get(&token, &format!("/api/cases/{case}")).await;
                let want = if u.sees(*region) { 200 } else { 404 };
                let ctx = format!("{name}: {user} ({role}) GET {case} [{region:?}]");
                assert_eq!(status, want, "{ctx}: {body}");
            }
        }
        for ((case, region, workflow, state, beneficiary), attachment) in
            fx.cases.iter().zip(&fx.attachments)
        {
            let visible = u.sees(Some(region));
            let path = template.replace("{attachment}", attachment).replace(
                "{id}",
                match template {
                    t if t.starts_with("/api/programs") => {
                        if region.starts_with("18") {
                            "bansos-kud-2026-lampung"
                        } else {
                            "pkl-2014-sumbar"
                        }
                    }
                    t if t.starts_with("/api/beneficiaries") => {
                        beneficiary.as_deref().unwrap_or("none")
                    }
                    _ => case,
                },
            );
            let ctx = format!("{name}: {user} ({role}) {method} {path} [{region}]");
            match (method, rule) {
                ("GET", _) => {
                    if template.starts_with("/api/beneficiaries") && beneficiary.is_none() {
                        continue;
                    }
                    let (status, body) = app.get(&token, &path).await;
                    let want = if visible { 200 } else { 404 };
                    assert_eq!(status, want, "{ctx}: {body}");
                    if visible && template == "/api/programs/{id}" {
                        for a in body["allocations"].as_array().unwrap() {
                            let r = a["region_code"].as_str().unwrap();
                            assert!(u.sees(Some(r)), "{ctx}: allocation of {r}");
                        }
                    }
                }
                ("POST", Rule::Act) if path.ends_with("/attachments") => {
                    let r = app
                        .http
                        .post(app.url(&path))
                        .bearer_auth(&token)
                        .header("content-type", "application/pdf")
                        .body(pantau_demo::pdf(&[user.to_string()]))
                        .send()
                        .await
                        .unwrap();
                    let want = match (visible, role) {
                        (_, Role::Ministry) => 403,
                        (false, _) => 404,
                        (true, _) => 201,
                    };
                    assert_eq!(r.status().as_u16(), want, "{ctx}");
                }
                ("POST", Rule::Act) => {
                    let def = catalog.latest(workflow).unwrap();
                    for action in def.actions_from(state) {
                        let allowed = pantau_workflow::engine::may_take(action, role);
                        let (status, body) = app
                            .post(
                                &token,
                                &path,
                                &format!("matrix-{user}-{}", action.id),
                                &json!({ "action": action.id, "inputs": {} }),
                            )
                            .await;
                        let ctx = format!("{ctx} {}", action.id);
                        assert!(
                            status >= 400,
                            "{ctx}: the matrix walk changes nothing: {body}"
                        );
                        match (visible, role, allowed) {
                            (_, Role::Ministry, _) => {
                                assert_eq!(status, 403, "{ctx}: {body}")
                            }
                            (false, _, _) => assert_eq!(status, 404, "{ctx}: {body}"),
                            (true, _, false) => {
                                assert_eq!(status, 422, "{ctx}: {body}");
                                assert_eq!(body["refusal"], "role_not_allowed", "{ctx}");
                            }
                            (true, _, true) => assert_ne!(
                                body["refusal"], "role_not_allowed",
                                "{ctx}: the definition allows {role}"
                            ),
                        }
                    }
                }
                other => panic!("no walk for {other:?} {template}"),
            }
        }
    }
}
