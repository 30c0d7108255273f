//! The pages' counterpart of the API's fuzzing (`schemathesis.rs`), on
//! SQLite and PostgreSQL: every page route, with each hostile value (the
//! awkward strings the API sweep uses, a raw `%00`, bytes that are no
//! UTF-8, a path that climbs, markup, a header split) put into its path
//! parameters and into every query key the pages read, as a province
//! manager, a field officer and nobody signed in. No answer is a 5xx; a NUL
//! is refused with 400 before any page reads it, like the API's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

/// Every query key a page reads, and a few it does not.
const KEYS: [&str; 20] = [
    "state", "region", "program", "workflow", "page", "per_page", "lang", "next", "antrian",
    "format", "year", "from", "to", "case", "officer", "evidence", "kind", "name", "q", "id",
];

/// `text` percent-encoded whole (a path segment or a query value).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Hostile values, already encoded for a URL.
fn hostile() -> Vec<String> {
    let mut out: Vec<String> = support::awkward().iter().map(|v| encode(v)).collect();
    out.extend(
        [
            "%00",
            "%FF%FE",
            "..%2F..%2Fetc%2Fpasswd",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "x%0D%0ASet-Cookie:%20a=b",
            "-1",
            "99999999999999999999",
            "1e309",
            "2026-13-45",
            "%2F%2Fevil.example",
        ]
        .map(str::to_string),
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_hostile_path_or_query_makes_a_page_answer_5xx() {
    for app in support::apps().await {
        let db = app.name;
        let clients = [
            ("pengelola.18", app.sign_in("pengelola.18").await),
            ("petugas.1871", app.sign_in("petugas.1871").await),
            ("(nobody)", support::browser()),
        ];
        let mut sent = 0;
        let mut bad = vec![];
        for (method, template) in pantau_server::pages::paths() {
            for value in hostile() {
                let path = template
                    .split('/')
                    .map(|seg| {
                        if seg.starts_with('{') {
                            value.clone()
                        } else {
                            seg.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let query = KEYS
                    .iter()
                    .map(|k| format!("{k}={value}"))
                    .collect::<Vec<_>>()
                    .join("&");
                let mut urls = vec![format!("{template}?{query}")];
                if path != template {
                    urls.push(path);
                }
                for url in urls {
                    for (who, c) in &clients {
                        let r = match method {
                            "GET" => c.get(app.url(&url)),
                            _ => c.post(app.url(&url)).form(&[("_csrf", value.as_str())]),
                        }
                        .send()
                        .await
                        .unwrap();
                        sent += 1;
                        let status = r.status().as_u16();
                        let nul = url.contains("%00");
                        if status >= 500 || (nul && status != 400) {
                            bad.push(format!("{method} {url} as {who}: {status}"));
                        }
                    }
                }
            }
        }
        assert!(
            bad.is_empty(),
            "{db}: {} of {sent}:\n{}",
            bad.len(),
            bad.join("\n")
        );
        eprintln!("{db}: {sent} hostile page requests, no 5xx");
    }
}
