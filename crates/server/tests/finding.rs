//! Finding work: every figure of the dashboard links to exactly the cases
//! behind it (a count to as many cases, a rupiah sum to cases whose amounts
//! add up to it); the case list's narrower filters (`kunjungan`, `uang`,
//! `di_tahap`, `cari`, `urut`, `menunggu`) do what they say and refuse a bad
//! value by name; `menunggu=saya` lists exactly the cases on which the
//! caller is offered an action. On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::Running;

/// Every item of `/api/cases` with `query`, checked against its `total`.
async fn everything(app: &Running, token: &str, query: &str) -> Vec<Value> {
    let mut out = vec![];
    for page in 1.. {
        let (status, body) = app
            .get(
                token,
                &format!("/api/cases?{query}&per_page=200&page={page}"),
            )
            .await;
        assert_eq!(status, 200, "{}: {query}: {body}", app.name);
        let items = body["items"].as_array().unwrap().clone();
        let done = items.len() < 200;
        out.extend(items);
        if done {
            assert_eq!(body["total"].as_u64(), Some(out.len() as u64), "{query}");
            break;
        }
    }
    out
}

fn ids(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&#x3D;", "=")
        .replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Every `<a href="/kasus?…">TEXT</a>` of `html`: (query, text).
fn case_links(html: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut rest = html;
    while let Some(at) = rest.find("<a href=\"/kasus?") {
        rest = &rest[at + "<a href=\"/kasus?".len()..];
        let end = rest.find('"').unwrap();
        let query = unescape(&rest[..end]);
        let open = rest.find('>').unwrap();
        let close = rest.find("</a>").unwrap();
        out.push((query, rest[open + 1..close].trim().to_string()));
        rest = &rest[close..];
    }
    out
}

fn digits(text: &str) -> i64 {
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_dashboard_figure_lists_exactly_its_cases() {
    for app in support::apps().await {
        let db = app.name;
        for user in ["pengelola.18", "kementerian"] {
            let token = app.token(user).await;
            let page = app.sign_in(user).await;
            let (status, html) = support::text(&page, &app.url("/")).await;
            assert_eq!(status, 200, "{db}: {user}'s dashboard");
            // A national reader's programs are on each province's page.
            let mut links: BTreeSet<(String, String)> = case_links(&html).into_iter().collect();
            let provinces: BTreeSet<&str> = html
                .split("href=\"/?provinsi=")
                .skip(1)
                .filter_map(|rest| rest.split('#').next())
                .collect();
            for code in provinces {
                let (status, html) =
                    support::text(&page, &app.url(&format!("/?provinsi={code}"))).await;
                assert_eq!(status, 200, "{db}: {user}'s dashboard of {code}");
                links.extend(case_links(&html));
            }
            let mut kinds = BTreeSet::new();
            for (query, text) in &links {
                if query.starts_with("evidence=") {
                    continue;
                }
                let listed = everything(&app, &token, query).await;
                if let Some(kind) = query.split('&').find_map(|p| p.strip_prefix("uang=")) {
                    let key = if kind == "disetujui" {
                        "approved_amount"
                    } else {
                        "disbursed_amount"
                    };
                    let sum: i64 = listed.iter().filter_map(|c| c[key].as_i64()).sum();
                    assert_eq!(sum, digits(text), "{db}: {user}: {query} adds up to {text}");
                    assert!(
                        listed.iter().all(|c| c[key].as_i64().is_some_and(|a| a > 0)
                            || key == "approved_amount" && !c[key].is_null()),
                        "{db}: {user}: {query} lists only cases with that money"
                    );
                    kinds.insert(format!("uang={kind}"));
                } else if text.starts_with("Rp") {
                    kinds.insert("alokasi".into());
                } else {
                    assert_eq!(
                        listed.len() as i64,
                        digits(text),
                        "{db}: {user}: the figure {text} links to {query}"
                    );
                    if let Some(k) = query.split('&').find_map(|p| p.strip_prefix("kunjungan=")) {
                        kinds.insert(format!("kunjungan={k}"));
                    } else if query.contains("state=") {
                        kinds.insert("state".into());
                    }
                }
            }
            for kind in [
                "state",
                "kunjungan=selesai",
                "kunjungan=terjadwal",
                "kunjungan=terlambat",
                "uang=disetujui",
                "uang=dicairkan",
            ] {
                assert!(
                    kinds.contains(kind),
                    "{db}: {user}: a figure links with {kind}: {kinds:?}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_narrower_filters_do_what_they_say() {
    for app in support::apps().await {
        let db = app.name;
        let token = app.token("pengelola.18").await;
        let all = everything(&app, &token, "").await;
        // A bad value is refused by name.
        for (param, bad) in [
            ("kunjungan", "kemarin"),
            ("uang", "banyak"),
            ("di_tahap", "-3"),
            ("di_tahap", "dua"),
            ("urut", "acak"),
            ("menunggu", "dia"),
        ] {
            let (status, body) = app.get(&token, &format!("/api/cases?{param}={bad}")).await;
            assert_eq!(status, 400, "{db}: {param}={bad}: {body}");
            assert!(
                body.to_string().contains(param),
                "{db}: names {param}: {body}"
            );
        }
        // Money: exactly the cases with an approval, with a disbursement.
        let approved = everything(&app, &token, "uang=disetujui").await;
        let want: BTreeSet<String> = ids(&all
            .iter()
            .filter(|c| !c["approved_amount"].is_null())
            .cloned()
            .collect::<Vec<_>>());
        assert!(
            !want.is_empty() && want.len() < all.len(),
            "{db}: some approved"
        );
        assert_eq!(ids(&approved), want, "{db}: uang=disetujui");
        let paid = everything(&app, &token, "uang=dicairkan").await;
        let want: BTreeSet<String> = ids(&all
            .iter()
            .filter(|c| c["disbursed_amount"].as_i64() > Some(0))
            .cloned()
            .collect::<Vec<_>>());
        assert!(!want.is_empty(), "{db}: some disbursed");
        assert_eq!(ids(&paid), want, "{db}: uang=dicairkan");
        // Search by a beneficiary's name (any part, any case) and by the
        // case number's start as pages show it.
        let named = all
            .iter()
            .find(|c| c["beneficiary_name"].as_str().is_some_and(|n| n.len() > 6))
            .unwrap();
        let name = named["beneficiary_name"].as_str().unwrap();
        let part: String = name
            .chars()
            .skip(1)
            .take(5)
            .collect::<String>()
            .to_uppercase();
        let found = everything(&app, &token, &format!("cari={}", urlencode(&part))).await;
        assert!(
            ids(&found).contains(named["id"].as_str().unwrap()),
            "{db}: cari={part}"
        );
        for c in &found {
            let n = c["beneficiary_name"].as_str().unwrap_or("").to_lowercase();
            assert!(
                n.contains(&part.to_lowercase()),
                "{db}: cari={part} found {n}"
            );
        }
        let id = named["id"].as_str().unwrap();
        let short = &id[..8];
        let found = everything(&app, &token, &format!("cari={short}")).await;
        assert_eq!(
            ids(&found),
            BTreeSet::from([id.to_string()]),
            "{db}: cari={short}"
        );
        // By name: in order.
        let by_name = everything(&app, &token, "urut=nama").await;
        let names: Vec<String> = by_name
            .iter()
            .map(|c| c["beneficiary_name"].as_str().unwrap_or("").to_lowercase())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names.len(), all.len(), "{db}: urut=nama lists all");
        assert!(
            names.windows(2).filter(|w| w[0] > w[1]).count() <= names.len() / 50,
            "{db}: urut=nama is by name"
        );
        // Longest in stage: everything; a year in a state is none of the
        // demo's fresh cases, and one day is some.
        assert_eq!(
            everything(&app, &token, "urut=lama_di_tahap").await.len(),
            all.len(),
            "{db}: urut=lama_di_tahap lists all"
        );
        let year = everything(&app, &token, "di_tahap=3650").await;
        assert!(year.len() < all.len(), "{db}: di_tahap=3650 narrows");
        // Overdue visits: each listed case has a visit open past due.
        let late = everything(&app, &token, "kunjungan=terlambat").await;
        assert!(!late.is_empty(), "{db}: some overdue");
        for c in late.iter().take(10) {
            let (_, d) = app
                .get(&token, &format!("/api/cases/{}", c["id"].as_str().unwrap()))
                .await;
            let now = chrono::Utc::now().to_rfc3339();
            assert!(
                d["visits"].as_array().unwrap().iter().any(|v| v["done_at"].is_null()
                    && v["due_at"].as_str().unwrap() < now.as_str()),
                "{db}: {} has an overdue visit",
                c["id"]
            );
        }
    }
}

fn urlencode(s: &str) -> String {
    s.replace(' ', "%20")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_me_is_what_the_caller_may_act_on() {
    for app in support::apps().await {
        let db = app.name;
        for user in [
            "verifikator.18",
            "pengelola.18",
            "pengelola.1871",
            "petugas.1871",
        ] {
            let token = app.token(user).await;
            let all = everything(&app, &token, "").await;
            let mine = ids(&everything(&app, &token, "menunggu=saya").await);
            let mut offered = BTreeSet::new();
            // Every case waiting, and enough others to see they are not.
            for c in all
                .iter()
                .filter(|c| mine.contains(c["id"].as_str().unwrap()))
                .take(40)
                .chain(
                    all.iter()
                        .filter(|c| !mine.contains(c["id"].as_str().unwrap()))
                        .take(40),
                )
            {
                let id = c["id"].as_str().unwrap();
                let (_, d) = app.get(&token, &format!("/api/cases/{id}")).await;
                let acts = !d["actions"].as_array().unwrap().is_empty();
                assert_eq!(
                    acts,
                    mine.contains(id),
                    "{db}: {user}: case {id} in {} offers {:?}",
                    d["state"],
                    d["actions"]
                );
                if acts {
                    offered.insert(id.to_string());
                }
            }
            if user != "petugas.1871" {
                assert!(!offered.is_empty(), "{db}: {user} has work waiting");
            }
        }
        let reader = app.token("kementerian").await;
        assert!(
            everything(&app, &reader, "menunggu=saya").await.is_empty(),
            "{db}: the Ministry reads; nothing waits on it"
        );
    }
}

/// In Chromium, at a phone's width and a desktop's: the verifier's
/// dashboard links to what waits on them, the case list opens with the
/// queue ticked, each case there offers them an action, and a search by
/// case number from the form finds that case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verifier_finds_their_queue_in_a_real_browser() {
    use fantoccini::Locator;
    use support::browser::{browser, sign_in, wait_until};
    for app in support::apps().await {
        let db = app.name;
        for (width, height) in [(390, 844), (1280, 900)] {
            let Some((c, _driver)) = browser(width, height).await else {
                return;
            };
            sign_in(&c, &app, "verifikator.18").await;
            c.goto(&app.url("/")).await.unwrap();
            let link = c
                .find(Locator::Css("a[href='/kasus?menunggu=saya']"))
                .await
                .unwrap();
            let said = link.text().await.unwrap();
            assert!(said.starts_with("Menunggu tindakan Anda"), "{db}: {said}");
            link.click().await.unwrap();
            let page = wait_until(&c, |url, _| url.contains("menunggu=saya")).await;
            assert!(page.contains("checked"), "{db}: the queue is ticked");
            let n: String = said.chars().filter(char::is_ascii_digit).collect();
            assert!(
                page.contains(&format!("{n} kasus")),
                "{db}: the list counts the {n} of the dashboard"
            );
            shot(&c, &format!("antrian-{db}-{width}")).await;
            let first = c.find(Locator::Css("table.list tbody th a")).await.unwrap();
            let href = first.attr("href").await.unwrap().unwrap();
            first.click().await.unwrap();
            let case = wait_until(&c, |url, _| url.ends_with(&href)).await;
            assert!(case.contains("<form"), "{db}: {href} offers an action");
            // Search by the case number from the form.
            let short: String = href.trim_start_matches("/kasus/").chars().take(8).collect();
            c.goto(&app.url("/kasus")).await.unwrap();
            // On a phone the filters fold behind "Saring" until one is set.
            let folded = c
                .execute("return !document.getElementById('saringan').open;", vec![])
                .await
                .unwrap();
            assert_eq!(folded, serde_json::json!(width < 500), "{db} at {width} px");
            if width < 500 {
                c.find(Locator::Css("#saringan > summary"))
                    .await
                    .unwrap()
                    .click()
                    .await
                    .unwrap();
            }
            c.find(Locator::Css("#f-cari"))
                .await
                .unwrap()
                .send_keys(&short)
                .await
                .unwrap();
            c.find(Locator::Css("form.filters button.primary"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            let found = wait_until(&c, |url, _| url.contains("cari=")).await;
            assert!(found.contains("1 kasus"), "{db}: one case found by {short}");
            assert!(found.contains(&href), "{db}: the case {href}");
            shot(&c, &format!("cari-{db}-{width}")).await;
            c.close().await.ok();
        }
    }
}

/// Keeps a picture of the page in `PANTAU_SHOTS` when set.
async fn shot(c: &fantoccini::Client, name: &str) {
    if let Ok(dir) = std::env::var("PANTAU_SHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
    }
}

/// In Chromium, at a phone's width and a desktop's: the disburse form says
/// which tranche and how much, is not sent until its confirmation is
/// ticked, and once sent the case page confirms it (`role="status"`) and
/// shows the transfer date entered as the tranche's paid date.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disbursement_is_confirmed_first_in_a_real_browser() {
    use fantoccini::Locator;
    use support::browser::{browser, fill, sign_in, wait_until};
    let photo = tempfile::NamedTempFile::new().unwrap();
    for app in support::apps().await {
        let db = app.name;
        let token = app.token("pengelola.18").await;
        // Cases the province's manager may pay a tranche on now.
        let mut payable = vec![];
        for c in everything(&app, &token, "menunggu=saya").await {
            let id = c["id"].as_str().unwrap().to_string();
            let (_, d) = app.get(&token, &format!("/api/cases/{id}")).await;
            if let Some(a) = d["actions"].as_array().unwrap().iter().find(|a| {
                !a["tranche"].is_null()
                    && a["weighty"] == true
                    && a["fields"].to_string().contains("\"transfer_ref\"")
            }) {
                payable.push((
                    id,
                    a["id"].as_str().unwrap().to_string(),
                    a["tranche"].clone(),
                    d["tranches"].as_array().unwrap().len(),
                ));
            }
            if payable.len() == 8 {
                break;
            }
        }
        assert!(payable.len() >= 2, "{db}: cases to pay");
        let mut payable = payable.into_iter();
        for (width, height) in [(390, 844), (1280, 900)] {
            loop {
                let (id, action, tranche, paid) = payable.next().expect("a case to pay");
                let Some((c, _driver)) = browser(width, height).await else {
                    return;
                };
                sign_in(&c, &app, "pengelola.18").await;
                c.goto(&app.url(&format!("/kasus/{id}?aksi={action}")))
                    .await
                    .unwrap();
                let form = c
                    .find(Locator::Css(&format!("#aksi-{action} form")))
                    .await
                    .unwrap();
                let said = form.text().await.unwrap();
                let amount = pantau_domain::format::rupiah(tranche["amount"].as_i64().unwrap());
                let no = tranche["no"].as_u64().unwrap();
                assert!(
                    said.contains(&format!("Pencairan tahap {no}: {amount}")),
                    "{db}: the form says tranche {no} of {amount}: {said}"
                );
                let sp2d = c
                    .find(Locator::Css(&format!(
                        "#aksi-{action} [name='f.transfer_ref']"
                    )))
                    .await
                    .unwrap();
                assert_eq!(
                    sp2d.tag_name().await.unwrap(),
                    "input",
                    "{db}: SP2D on one line"
                );
                let required = c
                .execute(
                    "return document.querySelector(`#aksi-${arguments[0]} [name=_yakin]`).required;",
                    vec![serde_json::json!(action)],
                )
                .await
                .unwrap();
                assert_eq!(
                    required,
                    serde_json::json!(true),
                    "{db}: the box must be ticked"
                );
                fill(&c, &action, "", photo.path()).await;
                let page = wait_until(&c, |url, src| {
                    url.contains("tercatat=") || src.contains("role=\"alert\"")
                })
                .await;
                if let Some(at) = page.find("role=\"alert\"") {
                    // Some demo cases list an officer their snapshot lacks
                    // (the engine's `officer_assigned`): try the next.
                    assert!(
                        page[at..].starts_with("role=\"alert\">belum ada petugas"),
                        "{db}: refused: {}",
                        &page[at..at + 300]
                    );
                    c.close().await.ok();
                    continue;
                }
                let (_, d) = app.get(&token, &format!("/api/cases/{id}")).await;
                let now = d["tranches"].as_array().unwrap().len();
                assert_eq!(now, paid + 1, "{db}: paid once confirmed");
                assert!(page.contains("role=\"status\""), "{db}: a confirmation");
                let status = c
                    .find(Locator::Css("p.done"))
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                assert!(status.starts_with("Tercatat"), "{db}: {status}");
                assert!(
                    page.contains("20 November 2026"),
                    "{db}: the transfer date as paid"
                );
                shot(&c, &format!("cair-{db}-{width}")).await;
                c.close().await.ok();
                break;
            }
        }
        // Without the box ticked, the server refuses too and keeps what was typed.
        let c = app.sign_in("pengelola.18").await;
        let mut open = None;
        for x in everything(&app, &token, "menunggu=saya").await {
            let id = x["id"].as_str().unwrap().to_string();
            let (_, d) = app.get(&token, &format!("/api/cases/{id}")).await;
            if let Some(a) = d["actions"].as_array().unwrap().iter().find(|a| {
                a["weighty"] == true
                    && a["fields"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|f| f["kind"] == "text")
            }) {
                open = Some((
                    id,
                    a["id"].as_str().unwrap().to_string(),
                    a["fields"].clone(),
                    d["seq"].as_i64().unwrap(),
                ));
                break;
            }
        }
        let (id, action, fields, seq) = open.expect("a weighty action with text fields");
        let (_, page) = support::text(&c, &app.url(&format!("/kasus/{id}"))).await;
        let mut form = reqwest::multipart::Form::new()
            .text("_csrf", support::hidden(&page, "_csrf"))
            .text("_action", action.clone())
            .text("_key", uuid::Uuid::new_v4().to_string())
            .text("_seq", seq.to_string());
        for f in fields.as_array().unwrap() {
            form = form.text(
                format!("f.{}", f["id"].as_str().unwrap()),
                "Ketikan yang dijaga",
            );
        }
        let r = c
            .post(app.url(&format!("/kasus/{id}/aksi")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{db}: {action} unconfirmed is refused");
        let body = r.text().await.unwrap();
        assert!(body.contains("Centang kotak konfirmasi"), "{db}: says why");
        if !fields.as_array().unwrap().is_empty() {
            assert!(
                body.contains("Ketikan yang dijaga"),
                "{db}: keeps what was typed"
            );
        }
        let (_, after) = app.get(&token, &format!("/api/cases/{id}")).await;
        assert_eq!(after["seq"].as_i64(), Some(seq), "{db}: nothing recorded");
    }
}
