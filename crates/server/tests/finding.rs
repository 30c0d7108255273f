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
            let links = case_links(&html);
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
