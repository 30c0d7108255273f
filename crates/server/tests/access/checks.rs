//! What the walks check beyond one answer: the regions a list or a report
//! mentions, imports of two vendors, decrees and their scans, locations
//! confirmed once.

use super::*;

/// A CSV of two street vendors, one in Kota Bandar Lampung, one in Kab. Sijunjung.
pub(super) fn two_vendors(tag: &str) -> String {
    use pantau_registry::beneficiary::COLUMNS;
    let row = |region: &str, nik: &str, market: &str| {
        COLUMNS
            .iter()
            .map(|c| match *c {
                "kind" => "pkl".to_string(),
                "region_code" => region.to_string(),
                "name" => format!("Pedagang {tag} {region}"),
                "nik" => nik.to_string(),
                "market_location" => market.to_string(),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let serial = tag.bytes().map(u32::from).sum::<u32>() % 9000 + 1000;
    format!(
        "{}\n{}\n{}\n",
        COLUMNS.join(","),
        row(
            "18.71",
            &format!("1871010101900{}", serial % 1000 + 100),
            "Pasar Bambu Kuning"
        ),
        row(
            "13.03",
            &format!("1303010101900{}", serial % 1000 + 100),
            "Pasar Muaro Sijunjung"
        ),
    )
}

/// The line of each vendor of [`two_vendors`], by region.
pub(super) const VENDOR_LINES: [(&str, u64); 2] = [("18.71", 2), ("13.03", 3)];

/// Every region a list answer mentions.
pub(super) fn regions_in(path: &str, body: &Value) -> Vec<String> {
    let items = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let field = |v: &Value, f: &str| v[f].as_str().map(str::to_string);
    match path {
        "/api/cases" => items(&body["items"])
            .iter()
            .filter_map(|c| field(c, "region"))
            .collect(),
        "/api/beneficiaries" => items(&body["items"])
            .iter()
            .filter_map(|c| field(c, "region_code"))
            .collect(),
        "/api/regions" => items(body)
            .iter()
            .filter_map(|r| field(r, "code"))
            .collect(),
        "/api/visits" => items(body)
            .iter()
            .filter_map(|v| field(v, "region"))
            .collect(),
        "/api/dashboard" => items(&body["programs"])
            .iter()
            .flat_map(|p| items(&p["regions"]))
            .filter_map(|r| field(&r, "code"))
            .collect(),
        _ => vec![],
    }
}

/// Region codes written as `(18.71)` or `(18)` in a report.
pub(super) fn region_codes(text: &str) -> BTreeSet<String> {
    text.split('(')
        .skip(1)
        .filter_map(|t| t.split_once(')'))
        .map(|(code, _)| code)
        .filter(|code| RegionCode::parse(code).is_ok())
        .map(str::to_string)
        .collect()
}

/// Every report as CSV, sent by `send` (bearer token or cookie) for a path
/// of the API: only the regions `u` sees show, and each of the fixture's
/// they see does; a region or a case they do not see answers 404.
pub(super) async fn walk_reports(
    ctx: &str,
    u: &User,
    fx: &Fixture,
    send: impl Fn(String) -> reqwest::RequestBuilder,
) {
    let mut seen = BTreeSet::new();
    for (report, query) in [
        ("program-progress", "year=2026"),
        ("program-progress", "year=2019"),
        ("program-progress", "year=2014"),
        ("accountability", "year=2026"),
        ("accountability", "year=2014"),
        ("indicators", "year=2026"),
        ("monev", "year=2026"),
    ] {
        let path = format!("/api/reports/{report}?{query}&format=csv");
        let r = send(path.clone()).send().await.unwrap();
        assert_eq!(r.status(), 200, "{ctx} {path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv"),
            "{ctx} {path}"
        );
        let text = r.text().await.unwrap();
        for code in region_codes(&text) {
            assert!(u.sees(Some(&code)), "{ctx}: {path} shows region {code}");
            seen.insert(code);
        }
    }
    for (_, region, ..) in &fx.cases {
        assert_eq!(
            seen.contains(region),
            u.sees(Some(region)),
            "{ctx}: the reports show {region}: {seen:?}"
        );
    }
    // Narrowed to a kabupaten/kota: only there, and only within the caller's.
    for (region, year) in [("18.71", 2026), ("13.03", 2014)] {
        let path = format!("/api/reports/program-progress?year={year}&region={region}&format=csv");
        let r = send(path.clone()).send().await.unwrap();
        if u.sees(Some(region)) {
            assert_eq!(r.status(), 200, "{ctx} {path}");
            let text = r.text().await.unwrap();
            for code in region_codes(&text) {
                assert_eq!(code, region, "{ctx}: {path} shows {code}");
            }
        } else {
            assert_eq!(r.status(), 404, "{ctx} {path}");
        }
    }
    // A case's monev report: only a case the caller sees.
    for (case, region, ..) in &fx.cases {
        let path = format!("/api/reports/monev?case={case}&format=csv");
        let r = send(path.clone()).send().await.unwrap();
        let want = if u.sees(Some(region)) { 200 } else { 404 };
        assert_eq!(r.status().as_u16(), want, "{ctx} {path} [{region}]");
    }
}

/// The fixture's decrees through `template` (a path of the decree API,
/// or of the pages with `{id}`), sent by `send`: each listed, opened and its
/// scan served only to a reader the table says sees it, with the cases it
/// lists in the regions the reader sees, and no others.
pub(super) async fn walk_decrees(
    ctx: &str,
    u: &User,
    fx: &Fixture,
    template: &str,
    send: impl Fn(String) -> reqwest::RequestBuilder,
) {
    for (d, seen) in [(&fx.sk, u.sk), (&fx.sk_amendment, u.sk_amendment)] {
        let path = template.replace("{id}", &d.id);
        let ctx = format!("{ctx} GET {path}");
        let r = send(path.clone()).send().await.unwrap();
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let html = String::from_utf8_lossy(&bytes);
        match template {
            "/api/decrees" => {
                assert_eq!(status, 200, "{ctx}: {body}");
                let listed = body
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["id"] == d.id.as_str());
                assert_eq!(listed, seen, "{ctx}: lists {}", d.id);
            }
            _ if !seen => assert_eq!(status, 404, "{ctx}: {body}"),
            "/api/decrees/{id}" => {
                assert_eq!(status, 200, "{ctx}: {body}");
                let shown: BTreeSet<String> = body["cases"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["region"].as_str().unwrap().to_string())
                    .collect();
                let want: BTreeSet<String> = d
                    .regions
                    .iter()
                    .filter(|r| u.sees(Some(r)))
                    .cloned()
                    .collect();
                assert_eq!(shown, want, "{ctx}: the regions of the cases it shows");
            }
            "/sk/{id}" => {
                assert_eq!(status, 200, "{ctx}");
                for case in fx.unseen(u) {
                    assert!(!html.contains(case), "{ctx}: shows {case}");
                }
            }
            _ => {
                assert_eq!(status, 200, "{ctx}");
                assert!(bytes.starts_with(b"%PDF-"), "{ctx}: the scan");
            }
        }
    }
}
