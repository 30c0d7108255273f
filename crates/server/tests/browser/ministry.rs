//! The Ministry compares provinces in Chromium: the national summary (one
//! row per province across every program, the nation below) with figures
//! checked against the demo's cases and allocations, each figure opening
//! exactly its cases (`/kasus?region=18…`), a province's name opening its
//! programs; a province's manager keeps their own dashboard. And every
//! region select grouped by province, a province chosen as a whole.

use std::collections::{BTreeMap, BTreeSet};

use fantoccini::{Client, Locator};
use pantau_domain::access::Scope;
use pantau_domain::format::{percent, ratio_bp, thousands};
use pantau_domain::{Lang, Rupiah};
use serde_json::{Value, json};

use super::support::browser::{browser, choose, shot, sign_in, wait_until};
use super::support::{self, Running};

/// Every case as the administrator lists them.
async fn all_cases(app: &Running) -> Vec<Value> {
    let token = app.token("admin").await;
    let mut out = vec![];
    for page in 1.. {
        let (status, list) = app
            .get(&token, &format!("/api/cases?per_page=200&page={page}"))
            .await;
        assert_eq!(status, 200, "{list}");
        let items = list["items"].as_array().unwrap();
        out.extend(items.iter().cloned());
        if out.len() as u64 >= list["total"].as_u64().unwrap() || items.is_empty() {
            break;
        }
    }
    out
}

fn province_of(region: &str) -> &str {
    region.split('.').next().unwrap()
}

/// What a province's row must say, from the cases and allocations themselves.
#[derive(Debug, Default)]
struct Expected {
    cases: BTreeSet<String>,
    /// Each case's rupiah approved and disbursed.
    money: BTreeMap<String, [i64; 2]>,
    allocation: i64,
    approved: i64,
    /// Sent to the bank, awaiting its answer.
    ordered: i64,
    disbursed: i64,
}

async fn expected(app: &Running) -> BTreeMap<String, Expected> {
    let mut out: BTreeMap<String, Expected> = BTreeMap::new();
    for c in all_cases(app).await {
        let (Some(region), Some(_)) = (c["region"].as_str(), c["program_id"].as_str()) else {
            continue;
        };
        let e = out.entry(province_of(region).to_string()).or_default();
        let id = c["id"].as_str().unwrap().to_string();
        let money = [
            c["approved_amount"].as_i64().unwrap_or(0),
            c["disbursed_amount"].as_i64().unwrap(),
        ];
        e.approved += money[0];
        e.disbursed += money[1];
        e.money.insert(id.clone(), money);
        e.cases.insert(id);
    }
    for a in app
        .store
        .allocations_within(&Scope::National)
        .await
        .unwrap()
    {
        out.entry(province_of(&a.region_code).to_string())
            .or_default()
            .allocation += a.amount;
    }
    for o in app.store.ordered_amounts(&Scope::National).await.unwrap() {
        out.entry(province_of(&o.region).to_string())
            .or_default()
            .ordered += o.ordered.get();
    }
    out
}

/// The summary table's rows: each cell's text and link.
async fn summary(c: &Client) -> Vec<Value> {
    c.execute(
        r#"return [...document.querySelectorAll('#provinsi tbody tr, #provinsi tfoot tr')].map(tr => {
             const cells = [...tr.children];
             return {
               texts: cells.map(td => td.textContent.replace(/\s+/g, ' ').trim()),
               links: cells.map(td => { const a = td.querySelector('a'); return a ? a.getAttribute('href') : null; }),
               foot: tr.parentElement.tagName === 'TFOOT',
             };
           })"#,
        vec![],
    )
    .await
    .unwrap()
    .as_array()
    .unwrap()
    .clone()
}

fn rupiah(n: i64) -> String {
    Rupiah::new(n).unwrap().to_string()
}

/// The number a count cell shows ("1.234").
fn count(text: &str) -> u64 {
    text.replace('.', "").parse().unwrap()
}

/// The cases the API lists at a page link's query (`/kasus?…`).
async fn listed(app: &Running, token: &str, href: &str) -> BTreeSet<String> {
    let query = href.split_once('?').map_or("", |(_, q)| q);
    let (status, list) = app
        .get(token, &format!("/api/cases?per_page=200&{query}"))
        .await;
    assert_eq!(status, 200, "{href}: {list}");
    assert!(list["total"].as_u64().unwrap() <= 200, "{href}: one page");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ministry_compares_provinces_and_each_figure_opens_its_cases() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        national_summary(&c, &app).await;
        c.delete_all_cookies().await.unwrap();
        province_reader(&c, &app).await;
        c.delete_all_cookies().await.unwrap();
    }
    c.close().await.unwrap();
}

async fn national_summary(c: &Client, app: &Running) {
    let db = app.name;
    let want = expected(app).await;
    assert!(
        want.contains_key("18") && want.contains_key("13"),
        "{db}: the demo has Lampung and West Sumatra: {want:?}"
    );
    let token = app.token("kementerian").await;
    sign_in(c, app, "kementerian").await;
    c.goto(&app.url("/")).await.unwrap();
    let rows = summary(c).await;
    shot(c, &format!("ministry-{db}")).await;
    let (body, foot): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r["foot"] == json!(false));
    assert_eq!(
        body.len(),
        want.len(),
        "{db}: one row per province: {rows:?}"
    );
    let mut total_cases = 0;
    for row in &body {
        let texts: Vec<&str> = row["texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let links: Vec<Option<&str>> = row["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::as_str)
            .collect();
        let cases_link = links[2].unwrap_or_else(|| panic!("{db}: {texts:?} links its cases"));
        let code = cases_link
            .split("region=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        let e = &want[code];
        let ctx = format!("{db}: {} ({code})", texts[0]);
        assert_eq!(
            texts[0],
            app.app.region_name(code),
            "{ctx}: named by the shipped regions"
        );
        assert_eq!(
            links[0],
            Some(format!("/?provinsi={code}#provinsi-{code}-program").as_str()),
            "{ctx}"
        );
        assert_eq!(count(texts[2]), e.cases.len() as u64, "{ctx}: cases");
        assert_eq!(texts[3], rupiah(e.allocation), "{ctx}: allocation");
        assert_eq!(texts[4], rupiah(e.approved), "{ctx}: approved");
        assert_eq!(texts[5], rupiah(e.ordered), "{ctx}: sent to the bank");
        assert_eq!(texts[6], rupiah(e.disbursed), "{ctx}: disbursed");
        let realised = ratio_bp(e.disbursed, e.allocation)
            .map_or_else(|| "–".to_string(), |bp| percent(bp, Lang::Id));
        assert_eq!(texts[7], realised, "{ctx}: realisation");
        // Each figure opens exactly the cases behind it.
        assert_eq!(
            listed(app, &token, cases_link).await,
            e.cases,
            "{ctx}: cases link"
        );
        // Rupiah: the cases listed add up to the figure.
        for (i, amount, narrowed) in [
            (3, e.allocation, ""),
            (4, e.approved, "uang=disetujui"),
            (6, e.disbursed, "uang=dicairkan"),
        ] {
            match links[i] {
                Some(href) => {
                    assert_ne!(amount, 0, "{ctx}: Rp 0 links nowhere");
                    assert!(href.ends_with(narrowed), "{ctx}: {href}");
                    let cases = listed(app, &token, href).await;
                    assert!(cases.is_subset(&e.cases), "{ctx}: {href} in the province");
                    let sum = |k: usize| cases.iter().map(|id| e.money[id][k]).sum::<i64>();
                    match i {
                        3 => assert_eq!(cases, e.cases, "{ctx}: the allocation's cases"),
                        4 => assert_eq!(sum(0), amount, "{ctx}: approved at {href}"),
                        _ => assert_eq!(sum(1), amount, "{ctx}: disbursed at {href}"),
                    }
                }
                None => assert_eq!(amount, 0, "{ctx}: column {i} links its cases"),
            }
        }
        for (i, what) in [(8, "visits done"), (9, "visits overdue")] {
            let n = count(texts[i]);
            match links[i] {
                Some(href) => {
                    let cases = listed(app, &token, href).await;
                    assert_eq!(cases.len() as u64, n, "{ctx}: {what} at {href}");
                    assert!(cases.is_subset(&e.cases), "{ctx}: {what} in the province");
                }
                None => assert_eq!(n, 0, "{ctx}: {what}: no link for zero"),
            }
        }
        total_cases += e.cases.len() as u64;
    }
    let nation = &foot[0]["texts"];
    assert_eq!(nation[0], json!("Nasional"), "{db}");
    assert_eq!(
        count(nation[2].as_str().unwrap()),
        total_cases,
        "{db}: the nation's cases"
    );
    let all: i64 = want.values().map(|e| e.allocation).sum();
    assert_eq!(
        nation[3],
        json!(rupiah(all)),
        "{db}: the nation's allocation"
    );

    // In the browser: Lampung's overdue visits, then its cases, each the figure's own list.
    let lampung = body
        .iter()
        .find(|r| r["links"][2].as_str().unwrap().ends_with("region=18"))
        .unwrap();
    for i in [9, 2] {
        let href = lampung["links"][i].as_str().unwrap();
        let n = lampung["texts"][i].as_str().unwrap().to_string();
        c.find(Locator::Css(&format!("#provinsi a[href='{href}']")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let page = wait_until(c, |url, _| url.contains("region=18")).await;
        assert!(
            page.contains(&format!("{n} kasus")),
            "{db}: {href} lists {n}"
        );
        let chosen = c
            .execute(
                "const s = document.getElementById('f-region'); return [s.value, s.selectedOptions[0].textContent];",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            chosen,
            json!(["18", "Seluruh Lampung"]),
            "{db}: the filter says so"
        );
        let regions = c
            .execute(
                "return [...document.querySelectorAll('table.list tbody td:nth-of-type(3)')].map(td => td.textContent.trim());",
                vec![],
            )
            .await
            .unwrap();
        let lampung_names: BTreeSet<String> = app
            .app
            .regions()
            .into_iter()
            .filter(|(code, _)| code.starts_with("18."))
            .map(|(_, name)| name)
            .collect();
        for r in regions.as_array().unwrap() {
            assert!(
                lampung_names.contains(r.as_str().unwrap()),
                "{db}: {r} is Lampung's"
            );
        }
        shot(c, &format!("ministry-kasus-{db}-{i}")).await;
        c.back().await.unwrap();
        wait_until(c, |url, _| !url.contains("/kasus")).await;
    }

    // A province's name opens its programs, folded until then and not on
    // the page (only the province asked for carries its tables).
    let open = "return document.getElementById('provinsi-18').open;";
    assert_eq!(
        c.execute(open, vec![]).await.unwrap(),
        json!(false),
        "{db}: folded"
    );
    let here = "return !!document.getElementById('program-bansos-kud-2026-lampung');";
    assert_eq!(
        c.execute(here, vec![]).await.unwrap(),
        json!(false),
        "{db}: Lampung's programs not on the Ministry's first page"
    );
    c.find(Locator::Css(
        "#provinsi a[href='/?provinsi=18#provinsi-18-program']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_until(c, |url, page| {
        url.contains("provinsi=18") && page.contains("id=\"program-bansos-kud-2026-lampung\"")
    })
    .await;
    shot(c, &format!("ministry-provinsi-{db}")).await;
    assert_eq!(
        c.execute(open, vec![]).await.unwrap(),
        json!(true),
        "{db}: opened"
    );
    let shown = c
        .execute(
            "const p = document.getElementById('program-bansos-kud-2026-lampung'); return p.getBoundingClientRect().height > 0 && p.closest('details').id;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        json!("provinsi-18"),
        "{db}: Lampung's program under Lampung"
    );

    // In English.
    c.goto(&app.url("/?lang=en")).await.unwrap();
    let en = c.source().await.unwrap();
    assert!(en.contains("National summary by province"), "{db}");
    assert!(en.contains(">National<"), "{db}: the nation's row");
    c.goto(&app.url("/?lang=id")).await.unwrap();
}

/// A province's manager keeps their kabupaten/kota dashboard.
async fn province_reader(c: &Client, app: &Running) {
    let db = app.name;
    sign_in(c, app, "pengelola.18").await;
    c.goto(&app.url("/")).await.unwrap();
    let seen = c
        .execute(
            r#"return {
                 summary: !!document.getElementById('provinsi'),
                 folds: document.querySelectorAll('details.province-programs').length,
                 program: !!document.getElementById('program-bansos-kud-2026-lampung'),
               };"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        seen,
        json!({ "summary": false, "folds": 0, "program": true }),
        "{db}"
    );
}

/// The options of a select: those outside any group, and each group's
/// label with its options (value, text).
async fn grouped(c: &Client, css: &str) -> Value {
    c.execute(
        r#"const s = document.querySelector(arguments[0]);
           const opt = o => [o.value, o.textContent.trim()];
           return {
             loose: [...s.children].filter(e => e.tagName === 'OPTION').map(opt),
             groups: [...s.querySelectorAll('optgroup')].map(g => [g.label, [...g.children].map(opt)]),
           };"#,
        vec![json!(css)],
    )
    .await
    .unwrap()
}

/// Every group holds only its province's regions, the province first
/// where it may be chosen, named `whole`; and answers the groups by label.
fn check_groups(
    app: &Running,
    g: &Value,
    whole: impl Fn(&str) -> String,
    ctx: &str,
) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out = BTreeMap::new();
    for group in g["groups"].as_array().unwrap() {
        let label = group[0].as_str().unwrap();
        let options: Vec<(String, String)> = group[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o[0].as_str().unwrap().into(), o[1].as_str().unwrap().into()))
            .collect();
        let province = province_of(&options[0].0).to_string();
        assert_eq!(label, app.app.region_name(&province), "{ctx}");
        for (i, (code, text)) in options.iter().enumerate() {
            assert_eq!(province_of(code), province, "{ctx}: {code} under {label}");
            if code == &province {
                assert_eq!(i, 0, "{ctx}: {label} itself comes first");
                assert!(text.starts_with(&whole(label)), "{ctx}: {text}");
            } else {
                assert!(
                    text.starts_with(&app.app.region_name(code)),
                    "{ctx}: {text}"
                );
            }
        }
        out.insert(label.to_string(), options);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_region_select_groups_kabupaten_and_kota_by_province() {
    let Some((c, _driver)) = browser(1280, 900).await else {
        return;
    };
    for db in support::db::test_databases().await {
        let app = support::spawn(db).await;
        let name = app.name;
        let provinces = app
            .app
            .regions()
            .iter()
            .filter(|(code, _)| !code.contains('.'))
            .count();
        assert_eq!(provinces, 38, "{name}: the shipped provinces");
        let all = app.app.regions().len();

        // The Ministry's case list: every province, each choosable as a whole.
        sign_in(&c, &app, "kementerian").await;
        c.goto(&app.url("/kasus")).await.unwrap();
        let g = grouped(&c, "#f-region").await;
        assert_eq!(g["loose"], json!([["", "Semua wilayah"]]), "{name}");
        let groups = check_groups(&app, &g, |p| format!("Seluruh {p}"), name);
        assert_eq!(groups.len(), provinces, "{name}: a group per province");
        let options: usize = groups.values().map(Vec::len).sum();
        assert_eq!(options, all, "{name}: every region once");
        assert_eq!(
            groups["Lampung"][0],
            ("18".to_string(), "Seluruh Lampung".to_string()),
            "{name}"
        );
        // Lampung as a whole, chosen as a user does.
        choose(&c, "#f-region", "18").await;
        c.find(Locator::Css("form.filters button.primary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let page = wait_until(&c, |url, _| url.contains("region=18")).await;
        let lampung = all_cases(&app)
            .await
            .iter()
            .filter(|c| c["region"].as_str().is_some_and(|r| r.starts_with("18.")))
            .count() as i64;
        assert!(
            page.contains(&format!("{} kasus", thousands(lampung, Lang::Id))),
            "{name}: Lampung's {lampung} cases"
        );
        shot(&c, &format!("wilayah-kasus-{name}")).await;
        c.goto(&app.url("/kasus?lang=en")).await.unwrap();
        let g = grouped(&c, "#f-region").await;
        let groups = check_groups(&app, &g, |p| format!("All of {p}"), name);
        assert_eq!(groups["Lampung"][0].1, "All of Lampung", "{name}");
        c.goto(&app.url("/kasus?lang=id")).await.unwrap();
        // The reports: grouped too, codes shown.
        c.goto(&app.url("/laporan")).await.unwrap();
        let g = grouped(&c, "#r-region").await;
        let groups = check_groups(&app, &g, |p| format!("Seluruh {p}"), name);
        assert_eq!(groups.len(), provinces, "{name}: reports");
        assert_eq!(
            groups["Lampung"][1].1, "Kabupaten Lampung Selatan (18.01)",
            "{name}"
        );
        c.delete_all_cookies().await.unwrap();

        // A province's manager: their province's group only.
        sign_in(&c, &app, "pengelola.18").await;
        c.goto(&app.url("/kasus")).await.unwrap();
        let g = grouped(&c, "#f-region").await;
        let groups = check_groups(&app, &g, |p| format!("Seluruh {p}"), name);
        assert_eq!(
            groups.keys().collect::<Vec<_>>(),
            ["Lampung"],
            "{name}: only Lampung"
        );
        c.delete_all_cookies().await.unwrap();

        // The users pages: "national" first, then the provinces.
        sign_in(&c, &app, "admin").await;
        c.goto(&app.url("/admin/pengguna/baru")).await.unwrap();
        let g = grouped(&c, "#a-region").await;
        assert_eq!(g["loose"][0][0], json!(""), "{name}: national first");
        let groups = check_groups(&app, &g, |p| format!("Seluruh {p}"), name);
        assert_eq!(groups.len(), provinces, "{name}: users");
        assert_eq!(
            groups["Sumatera Barat"][0].1, "Seluruh Sumatera Barat (13)",
            "{name}"
        );
        shot(&c, &format!("wilayah-pengguna-{name}")).await;
        c.delete_all_cookies().await.unwrap();

        // A proposal's kabupaten/kota: under Lampung, no province to choose.
        sign_in(&c, &app, "pengelola.18").await;
        c.goto(&app.url("/usulan/baru")).await.unwrap();
        let selects = c
            .execute(
                "return [...document.querySelectorAll('select[name=wilayah]')].map(s => '#' + s.id);",
                vec![],
            )
            .await
            .unwrap();
        let selects = selects.as_array().unwrap();
        assert!(!selects.is_empty(), "{name}: Lampung's programs ask where");
        for css in selects {
            let g = grouped(&c, css.as_str().unwrap()).await;
            assert_eq!(g["loose"], json!([["", "— pilih —"]]), "{name}: {css}");
            let groups = check_groups(&app, &g, |_| "(none)".into(), name);
            assert_eq!(
                groups.keys().collect::<Vec<_>>(),
                ["Lampung"],
                "{name}: {css}"
            );
        }
        c.delete_all_cookies().await.unwrap();
    }
    c.close().await.unwrap();
}
