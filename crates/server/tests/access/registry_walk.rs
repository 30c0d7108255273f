//! One user's walk of the registry pages (`/registri…`): everyone finds
//! and opens the beneficiaries of their region and no other; the managers,
//! verifiers and the administrator correct them (a phone number, with a
//! reason), others are refused, and outside one's region a beneficiary is
//! unknown and a kabupaten/kota's desa (`/registri/desa`) refused. Who
//! corrects is written out here by hand.

use super::*;

/// A beneficiary of `region` as the store has it: (id, a number of it).
async fn one_of(app: &Running, region: &str) -> (String, String) {
    let scope = pantau_domain::access::Scope::Region(RegionCode::parse(region).unwrap());
    let b = app
        .store
        .beneficiary_page(&scope, None, None, 1, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    let number = [&b.nik_koperasi, &b.nib, &b.nik]
        .into_iter()
        .find_map(|n| n.clone())
        .unwrap();
    (b.id, number)
}

/// Two fresh cooperatives of `region` alike by name, for `login`'s walk:
/// (the first's id, the second's).
async fn a_pair(app: &Running, login: &str, region: &str) -> (String, String) {
    let regions = pantau_registry::regions::Regions::embedded().unwrap();
    let seed = login
        .bytes()
        .fold(0u64, |h, b| (h * 31 + u64::from(b)) % 100_000_000);
    let mut ids = vec![];
    for (n, name) in ["KSP Walk Ganda", "Koperasi Simpan Pinjam Walk Ganda"]
        .iter()
        .enumerate()
    {
        let nik = format!("{}{:011}{n}", region.replace('.', ""), seed);
        let cells = [
            ("kind", "cooperative"),
            ("region_code", region),
            ("name", name),
            ("nik_koperasi", nik.as_str()),
            ("legal_entity_number", "1/BH/2020"),
            ("coop_kind", "KSP"),
            ("members", "20"),
            ("active", "ya"),
        ];
        let done = app
            .store
            .register_beneficiary(&cells, &regions, &pantau_domain::access::Scope::National)
            .await
            .unwrap();
        match done {
            pantau_store::registry::search::Registered::Done { id, .. } => ids.push(id),
            other => panic!("{other:?}"),
        }
    }
    (ids[0].clone(), ids[1].clone())
}

/// Every `/registri` route as user `u` (signed in as `c`).
pub(crate) async fn walk(app: &Running, u: &User, c: &reqwest::Client, method: &str, path: &str) {
    let name = app.name;
    let (user, role) = (u.login, u.role);
    let ctx = format!("{name}: {user} ({role}) {method} {path}");
    // By hand: who corrects the registry.
    let corrects = matches!(
        role,
        Role::Admin | Role::ManagerProvince | Role::ManagerRegency | Role::Verifier
    );
    for region in ["18.71", "13.03"] {
        let (id, number) = one_of(app, region).await;
        let sees = u.sees(Some(region));
        let ctx = format!("{ctx} [{region}]");
        match (method, path) {
            ("GET", "/registri") => {
                let url = app.url(&format!("/registri?q={number}"));
                let (status, html) = support::text(c, &url).await;
                assert_eq!(status, 200, "{ctx}");
                let link = format!("href=\"/registri/{id}\"");
                assert_eq!(html.contains(&link), sees, "{ctx}: lists {id}");
            }
            ("GET", "/registri/desa") => {
                // The desa of a kabupaten/kota the reader sees; another is
                // refused by name, as the list refuses it.
                let url = app.url(&format!("/registri/desa?wilayah={region}"));
                let (status, html) = support::text(c, &url).await;
                assert_eq!(status, if sees { 200 } else { 400 }, "{ctx}");
                assert_eq!(html.contains("data-desa=\""), sees, "{ctx}: lists desa");
                if !sees {
                    assert!(html.contains("wilayah"), "{ctx}: names the field");
                }
                // Kota Metro's, where the demo has Merah Putih cooperatives.
                let url = app.url("/registri/desa?wilayah=18.72&tampil=ganda");
                let (status, html) = support::text(c, &url).await;
                let metro = u.sees(Some("18.72"));
                assert_eq!(status, if metro { 200 } else { 400 }, "{ctx} 18.72");
                let coops = html
                    .match_indices("href=\"/registri/")
                    .filter(|(at, _)| !html[*at..].starts_with("href=\"/registri/desa"))
                    .count();
                assert_eq!(
                    coops == 2,
                    metro,
                    "{ctx}: the two cooperatives of one kelurahan"
                );
            }
            ("GET", "/registri/{id}") => {
                let url = app.url(&format!("/registri/{id}"));
                let status = support::text(c, &url).await.0;
                assert_eq!(status, if sees { 200 } else { 404 }, "{ctx}");
            }
            ("POST", "/registri/{id}") => {
                let (_, any) = support::text(c, &app.url("/kasus")).await;
                let csrf = support::hidden(&any, "_csrf");
                let before = app.store.beneficiary(&id).await.unwrap().unwrap();
                let phone = format!("0811{:07}", user.len() * 1000 + region.len());
                let r = c
                    .post(app.url(&format!("/registri/{id}")))
                    .form(&[
                        ("_csrf", csrf.as_str()),
                        ("name", before.name.as_str()),
                        ("address", before.address.as_deref().unwrap_or("")),
                        ("phone", phone.as_str()),
                        ("location", ""),
                        ("status", "aktif"),
                        ("reason", "walk"),
                    ])
                    .send()
                    .await
                    .unwrap();
                let want = match (corrects, sees) {
                    (false, _) => 403,
                    (true, false) => 404,
                    (true, true) => 303,
                };
                assert_eq!(r.status().as_u16(), want, "{ctx}");
                let after = app.store.beneficiary(&id).await.unwrap().unwrap();
                if want == 303 {
                    assert_eq!(after.phone.as_deref(), Some(phone.as_str()), "{ctx}");
                } else {
                    assert_eq!(after, before, "{ctx}: nothing changed");
                }
            }
            ("POST", "/registri/{id}/rekening") => {
                let (_, any) = support::text(c, &app.url("/kasus")).await;
                let csrf = support::hidden(&any, "_csrf");
                let before = app.store.account(&id).await.unwrap();
                let holder = format!("Walk {user}");
                let r = c
                    .post(app.url(&format!("/registri/{id}/rekening")))
                    .form(&[
                        ("_csrf", csrf.as_str()),
                        ("bank_code", "002"),
                        ("account_no", "0012345678901"),
                        ("holder_name", holder.as_str()),
                        ("reason", "walk"),
                    ])
                    .send()
                    .await
                    .unwrap();
                let want = match (corrects, sees) {
                    (false, _) => 403,
                    (true, false) => 404,
                    (true, true) => 303,
                };
                assert_eq!(r.status().as_u16(), want, "{ctx}");
                let after = app.store.account(&id).await.unwrap();
                if want == 303 {
                    assert_eq!(after.map(|a| a.holder_name), Some(holder), "{ctx}");
                } else {
                    assert_eq!(after, before, "{ctx}: nothing changed");
                }
            }
            ("POST", "/registri/{id}/rekening/terima") => {
                // By hand: who accepts a holder's name unlike the beneficiary's.
                let accepts = matches!(role, Role::Admin | Role::Verifier);
                let account = pantau_store::payments::NewAccount {
                    bank_code: "002".into(),
                    account_no: "0012345678901".into(),
                    holder_name: format!("Walk terima {user}"),
                    reason: "walk".into(),
                };
                let by = pantau_store::registry::Author {
                    login: "admin",
                    at: app.app.now(),
                };
                let national = pantau_domain::access::Scope::National;
                let set = app.store.set_account(&id, &national, &account, by).await;
                assert!(!set.unwrap().payable(), "{ctx}: held");
                let (_, any) = support::text(c, &app.url("/kasus")).await;
                let csrf = support::hidden(&any, "_csrf");
                let r = c
                    .post(app.url(&format!("/registri/{id}/rekening/terima")))
                    .form(&[("_csrf", csrf.as_str())])
                    .send()
                    .await
                    .unwrap();
                let want = match (accepts, sees) {
                    (false, _) => 403,
                    (true, false) => 404,
                    (true, true) => 303,
                };
                assert_eq!(r.status().as_u16(), want, "{ctx}");
                let now = app.store.account(&id).await.unwrap().unwrap();
                assert_eq!(now.payable(), want == 303, "{ctx}: accepted");
            }
            ("GET", "/registri/ganda") => {
                let url = app.url(&format!("/registri/ganda?wilayah={region}"));
                let (status, html) = support::text(c, &url).await;
                // A region not one's own is a bad choice, named.
                let want = match (corrects, sees) {
                    (false, _) => 403,
                    (true, false) => 400,
                    (true, true) => 200,
                };
                assert_eq!(status, want, "{ctx}");
                if want == 200 {
                    assert!(html.contains("id=\"jumlah\""), "{ctx}");
                }
            }
            ("POST", "/registri/ganda/beda" | "/registri/ganda/gabung") => {
                let (_, any) = support::text(c, &app.url("/kasus")).await;
                let csrf = support::hidden(&any, "_csrf");
                let (first, second) = a_pair(app, user, region).await;
                let r = c
                    .post(app.url(path))
                    .form(&[
                        ("_csrf", csrf.as_str()),
                        ("first", first.as_str()),
                        ("second", second.as_str()),
                        ("keep", first.as_str()),
                        ("reason", "walk"),
                    ])
                    .send()
                    .await
                    .unwrap();
                let want = match (corrects, sees) {
                    (false, _) => 403,
                    (true, false) => 404,
                    (true, true) => 303,
                };
                assert_eq!(r.status().as_u16(), want, "{ctx}");
                let kept = app.store.kept_beneficiary(&second).await.unwrap().unwrap();
                let merged = want == 303 && path.ends_with("gabung");
                assert_eq!(kept == first, merged, "{ctx}: merged");
            }
            _ => panic!("{ctx}: a /registri route the walk does not know"),
        }
    }
}
