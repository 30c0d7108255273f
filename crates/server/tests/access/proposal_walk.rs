//! One user's walk of the new-proposal pages (`/usulan/…`): only the
//! managers open proposals, and only of an allocation, for a beneficiary,
//! within their region. What each should get is [`PROPOSERS`] and the
//! table's `sees`, written by hand.

use super::*;
use table::PROPOSERS;

const BANSOS: &str = "bansos-kud-2026-lampung";

/// A beneficiary of `region` (of `kind`, when given), as the store has it.
async fn beneficiary_of(app: &Running, region: &str, kind: Option<&str>) -> String {
    let scope = pantau_domain::access::Scope::Region(RegionCode::parse(region).unwrap());
    app.store
        .beneficiary_page(&scope, kind, None, 1, 1)
        .await
        .unwrap()
        .items
        .remove(0)
        .id
}

/// Every `/usulan` route as user `u` (signed in as `c`).
pub(crate) async fn walk(app: &Running, u: &User, c: &reqwest::Client, method: &str, path: &str) {
    let name = app.name;
    let (user, role) = (u.login, u.role);
    let ctx = format!("{name}: {user} ({role}) {method} {path}");
    let proposes = PROPOSERS.contains(&user);
    let in_1871 = u.sees(Some("18.71"));
    // What a proposal of Bandar Lampung's bansos allocation answers: refused
    // to a role that opens none, not found outside the manager's region.
    let of_1871 = |inside: u16| match (proposes, in_1871) {
        (false, _) => 403,
        (true, true) => inside,
        (true, false) => 404,
    };
    let coop_1871 = beneficiary_of(app, "18.71", Some("cooperative")).await;
    let elsewhere = beneficiary_of(app, "13.03", None).await;
    let get = |q: String| {
        let c = c.clone();
        let url = app.url(&format!("/usulan/baru{q}"));
        async move { support::text(&c, &url).await }
    };
    let (_, any) = support::text(c, &app.url("/kasus")).await;
    let csrf = support::hidden(&any, "_csrf");
    match (method, path) {
        ("GET", "/usulan/baru") => {
            let (status, html) = get(String::new()).await;
            assert_eq!(status, if proposes { 200 } else { 403 }, "{ctx}");
            // Only the programs of the manager's own province are offered.
            let foreign = if u.sees(Some("13.03")) {
                BANSOS
            } else {
                "pkl-2014-sumbar"
            };
            assert!(!html.contains(foreign), "{ctx}: offers {foreign}");
            let bansos = format!("?program={BANSOS}&wilayah=18.71");
            assert_eq!(get(bansos.clone()).await.0, of_1871(200), "{ctx}{bansos}");
            // Another kabupaten/kota's allocation: Kota Metro's.
            let metro = format!("?program={BANSOS}&wilayah=18.72");
            let want = match (proposes, u.sees(Some("18.72"))) {
                (false, _) => 403,
                (true, true) => 200,
                (true, false) => 404,
            };
            assert_eq!(get(metro.clone()).await.0, want, "{ctx}{metro}");
            // A beneficiary outside the allocation's kabupaten/kota cannot be
            // picked, nor found by its name.
            let picked = format!("{bansos}&penerima={elsewhere}");
            assert_eq!(get(picked.clone()).await.0, of_1871(404), "{ctx}{picked}");
            let found = format!("{bansos}&penerima={coop_1871}");
            assert_eq!(get(found.clone()).await.0, of_1871(200), "{ctx}{found}");
            let other = app.store.beneficiary(&elsewhere).await.unwrap().unwrap();
            let q: String = url::form_urlencoded::byte_serialize(other.name.as_bytes()).collect();
            let (_, html) = get(format!("{bansos}&cari={q}")).await;
            assert!(!html.contains(&elsewhere), "{ctx}: finds {}", other.name);
        }
        ("POST", "/usulan/baru") => {
            let send = |beneficiary: &str, key: &str| {
                c.post(app.url(path))
                    .multipart(
                        reqwest::multipart::Form::new()
                            .text("_csrf", csrf.clone())
                            .text("_key", format!("usulan-{user}-{key}"))
                            .text("program", BANSOS)
                            .text("wilayah", "18.71")
                            .text("penerima", beneficiary.to_string())
                            .text("_go", "draf"),
                    )
                    .send()
            };
            // The region's own beneficiary: a draft opened (outside: the program is unknown).
            let r = send(&coop_1871, "own").await.unwrap();
            let want = match (proposes, in_1871) {
                (false, _) => 403,
                (true, true) => 303,
                (true, false) => 400,
            };
            assert_eq!(r.status().as_u16(), want, "{ctx}");
            // Another region's beneficiary: refused by its field, nothing opened.
            let r = send(&elsewhere, "other").await.unwrap();
            let want = if proposes { 400 } else { 403 };
            assert_eq!(r.status().as_u16(), want, "{ctx}: {elsewhere}");
            let admin = app.token("admin").await;
            let (_, list) = app
                .get(&admin, "/api/cases?region=13.03&per_page=200")
                .await;
            assert!(
                !list["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["program_id"] == BANSOS),
                "{ctx}: a bansos case opened for 13.03"
            );
        }
        ("POST", "/usulan/penerima") => {
            // A cooperative of Bandar Lampung, its NIK Koperasi made from the login.
            let n = USERS.iter().position(|x| x.login == user).unwrap();
            let nik = format!("18710200300099{n:02}");
            let r = c
                .post(app.url(path))
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("program", BANSOS),
                    ("wilayah", "18.71"),
                    ("name", "Koperasi Matriks"),
                    ("nik_koperasi", &nik),
                    ("legal_entity_number", "9/BH/X.3/2020"),
                    ("coop_kind", "kud"),
                    ("members", "30"),
                    ("active", "ya"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), of_1871(303), "{ctx}");
            let registered = app
                .store
                .search_beneficiaries(&pantau_domain::access::Scope::National, &nik, None, None, 5)
                .await
                .unwrap();
            assert_eq!(registered.len(), usize::from(of_1871(303) == 303), "{ctx}");
        }
        _ => panic!("{ctx}: a /usulan route the walk does not know"),
    }
}
