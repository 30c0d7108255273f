//! The records the walk uses, one set per province: cases, files,
//! uploads, decrees and a kabupaten/kota verifier.

use super::*;

/// The records the walk uses, one set per province.
pub(super) struct Fixture {
    /// (case id, region, workflow, state, beneficiary id)
    pub(super) cases: Vec<(String, String, String, String, Option<String>)>,
    pub(super) attachments: Vec<String>,
    /// An upload in parts, started on each case by its region's manager.
    pub(super) uploads: Vec<String>,
    /// Cases of a province as a whole (18, 13) and of no region, opened
    /// through the store (the API opens only a kabupaten/kota's): read only.
    pub(super) others: Vec<(String, Option<&'static str>)>,
    /// The demo's SK of Lampung's bansos program (with a scan).
    pub(super) sk: Decree,
    /// Its SK perubahan (with a scan).
    pub(super) sk_amendment: Decree,
    /// The administrator's token, to look behind a user's back.
    pub(super) admin: String,
    /// A payment batch of Lampung (18), open.
    pub(super) batch: String,
}

impl Fixture {
    /// Every case of the fixture `u` does not see.
    pub(super) fn unseen(&self, u: &User) -> Vec<&str> {
        let cases = self.cases.iter().map(|(c, r, ..)| (c, Some(r.as_str())));
        let others = self.others.iter().map(|(c, r)| (c, *r));
        cases
            .chain(others)
            .filter(|(_, r)| !u.sees(*r))
            .map(|(c, _)| c.as_str())
            .collect()
    }
}

/// A decree of the fixture.
pub(super) struct Decree {
    pub(super) id: String,
    /// The regions of the cases it lists, as the administrator reads them.
    pub(super) regions: BTreeSet<String>,
}

/// The kabupaten/kota verifier the demo lacks: the walk's `verifikator.1871`.
pub(super) async fn add_regency_verifier(app: &Running, password_hash: &str) {
    let added = app
        .store
        .add_user(
            &pantau_store::accounts::NewUser {
                login: "verifikator.1871".into(),
                name: "Verifikator (18.71)".into(),
                email: "verifikator.1871@dinas.example".into(),
                role: Role::Verifier,
                region: Some("18.71".into()),
                lang: Lang::Id,
                digest: false,
                password_hash: Some(password_hash.into()),
            },
            support::as_of(),
        )
        .await
        .unwrap();
    assert!(added, "verifikator.1871 is not the demo's");
}

/// The decree `id` as the administrator reads it.
pub(super) async fn decree(app: &Running, admin: &str, id: &str) -> Decree {
    let (status, d) = app.get(admin, &format!("/api/decrees/{id}")).await;
    assert_eq!(status, 200, "{d}");
    Decree {
        id: id.to_string(),
        regions: d["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["region"].as_str().unwrap().to_string())
            .collect(),
    }
}

pub(super) async fn fixture(app: &Running) -> Fixture {
    let admin = app.token("admin").await;
    let mut cases = vec![];
    let mut attachments = vec![];
    let mut uploads = vec![];
    for region in ["18.71", "13.03"] {
        let (_, list) = app
            .get(&admin, &format!("/api/cases?region={region}&per_page=200"))
            .await;
        let c = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["beneficiary_id"].is_string())
            .or_else(|| list["items"].as_array().unwrap().first())
            .unwrap_or_else(|| panic!("a case in {region}"))
            .clone();
        let id = c["id"].as_str().unwrap().to_string();
        // The region's manager uploads a file to it.
        let digits = region.replace('.', "");
        let manager = app.token(&format!("pengelola.{digits}")).await;
        let r = app
            .http
            .post(app.url(&format!("/api/cases/{id}/attachments")))
            .bearer_auth(&manager)
            .header("content-type", "application/pdf")
            .body(pantau_demo::pdf(&["surat keputusan".into()]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        attachments.push(
            r.json::<Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        let (status, up) = app
            .post(
                &manager,
                &format!("/api/cases/{id}/uploads"),
                "unused",
                &json!({ "key": format!("fixture-{id}"), "content_type": "image/png", "size": 100 }),
            )
            .await;
        assert_eq!(status, 201, "{up}");
        uploads.push(up["id"].as_str().unwrap().to_string());
        cases.push((
            id,
            region.to_string(),
            c["workflow"].as_str().unwrap().to_string(),
            c["state"].as_str().unwrap().to_string(),
            c["beneficiary_id"].as_str().map(str::to_string),
        ));
    }
    let (_, decrees) = app
        .get(&admin, "/api/decrees?program=bansos-kud-2026-lampung")
        .await;
    let decrees = decrees.as_array().unwrap();
    let sk = decrees
        .iter()
        .find(|d| d["amends"].is_null() && d["scan"] == true)
        .expect("the demo's bansos SK")["id"]
        .as_str()
        .unwrap();
    let amendment = decrees
        .iter()
        .find(|d| d["amends"] == sk && d["scan"] == true)
        .expect("the demo's bansos SK perubahan")["id"]
        .as_str()
        .unwrap();
    let (sk, sk_amendment) = (
        decree(app, &admin, sk).await,
        decree(app, &admin, amendment).await,
    );
    // What the table's SK columns say of them.
    assert!(sk.regions.contains("18.71"), "{:?}", sk.regions);
    assert!(sk.regions.iter().all(|r| r.starts_with("18.")));
    assert_eq!(sk_amendment.regions, BTreeSet::from(["18.01".to_string()]));
    visit_locations(app, &cases).await;
    let mut others = vec![];
    for region in [Some("18"), Some("13"), None] {
        others.push((support::open_case(app, region).await, region));
    }
    let batch = super::pay_walk::batch(app).await;
    Fixture {
        batch,
        cases,
        attachments,
        uploads,
        others,
        sk,
        sk_amendment,
        admin,
    }
}

/// A location registered by a visit, unconfirmed, for each beneficiary of
/// the fixture's cases: what a verifier confirms (once) through the API or
/// the case page.
pub(super) async fn visit_locations(
    app: &Running,
    cases: &[(String, String, String, String, Option<String>)],
) {
    use pantau_store::schema::entity::beneficiary_location::{ActiveModel, Entity};
    use sea_orm::{ActiveValue::Set, EntityTrait};
    for (case, _, _, _, beneficiary) in cases {
        if let Some(b) = beneficiary {
            Entity::insert(ActiveModel {
                beneficiary_id: Set(b.clone()),
                case_id: Set(case.clone()),
                visit_no: Set(1),
                set_at: Set(support::as_of()),
                confirmed_by: Set(None),
                confirmed_at: Set(None),
            })
            .exec_without_returning(app.store.connection())
            .await
            .unwrap();
        }
    }
}

/// `u` confirms each fixture beneficiary's location through the API (`page`:
/// none) or the case page (`page`: their signed-in browser): refused unless
/// their role confirms and they see it; once confirmed, never twice.
pub(super) async fn confirm_locations(
    app: &Running,
    fx: &Fixture,
    u: &User,
    token: &str,
    page: Option<&reqwest::Client>,
) {
    for (case, region, _, _, beneficiary) in &fx.cases {
        let Some(b) = beneficiary else { continue };
        let (_, before) = app.get(&fx.admin, &format!("/api/beneficiaries/{b}")).await;
        let confirmed = !before["location_from_visit"]["confirmed_by"].is_null();
        let status = match page {
            None => {
                let path = format!("/api/beneficiaries/{b}/location/confirm");
                app.post(token, &path, "unused", &json!({})).await.0
            }
            Some(c) => {
                let (_, html) = support::text(c, &app.url("/kasus")).await;
                let csrf = support::hidden(&html, "_csrf");
                c.post(app.url(&format!("/kasus/{case}/lokasi")))
                    .form(&[("_csrf", csrf.as_str())])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        let want = match (u.confirms, u.sees(Some(region)), confirmed, page) {
            (false, _, _, _) => 403,
            (true, false, _, _) => 404,
            (true, true, true, _) => 409,
            (true, true, false, None) => 200,
            (true, true, false, Some(_)) => 303,
        };
        let via = if page.is_some() { "page" } else { "API" };
        assert_eq!(
            status, want,
            "{}: {} confirms {b} by {via} [{region}]",
            app.name, u.login
        );
    }
}
