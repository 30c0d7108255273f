//! The API harness: the app on port 0 on a fresh database (SQLite, and
//! PostgreSQL when it answers), filled with a small demo whose users all
//! sign in with [`PASSWORD`].
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
#[path = "../../../../tests/support/catalog.rs"]
pub mod catalog;
#[path = "../../../../tests/support/db.rs"]
pub mod db;
pub mod phone;
pub mod relay;
#[path = "../../../../tests/support/visit.rs"]
pub mod visit;

use chrono::{TimeZone, Utc};
use pantau_server::App;
use pantau_store::{Settings, Store};
use serde_json::Value;

pub const PASSWORD: &str = "kata-sandi-uji-coba";

/// A running app.
pub struct Running {
    pub name: &'static str,
    pub base: String,
    pub store: Store,
    /// The app itself (its clock moves for every clone).
    pub app: App,
    pub http: reqwest::Client,
    _db: db::TestDb,
}

/// The demo's "today".
pub fn as_of() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

/// Starts the app on `db`, filled with a small demo.
pub async fn spawn(db: db::TestDb) -> Running {
    spawn_with(db, |_| {}).await
}

/// Starts the app on `db`, filled with a small demo, after `tune` changed
/// its settings (session lifetimes, trusted proxy).
pub async fn spawn_with(db: db::TestDb, tune: impl FnOnce(&mut App)) -> Running {
    let store = Store::open(&Settings::new(db.url.clone())).await.unwrap();
    let catalog = catalog::catalog();
    let hash = pantau_server::password::hash(PASSWORD.into())
        .await
        .unwrap();
    let opts = pantau_demo::Options {
        seed: 7,
        scale: 0.01,
        as_of: as_of(),
        cases_per_state: 1,
        password_hash: Some(hash),
    };
    pantau_demo::fill(&store, &catalog, &opts).await.unwrap();
    let mut app = App::new(
        store.clone(),
        catalog,
        &catalog::repo_root().join("templates"),
    )
    .unwrap();
    tune(&mut app);
    let handle = app.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let service = pantau_server::router(app)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await.ok();
    });
    Running {
        name: db.name,
        base,
        store,
        app: handle,
        http: reqwest::Client::new(),
        _db: db,
    }
}

/// `app` served over plain HTTP on another free loopback port (a second
/// instance with other settings): its base URL.
pub async fn serve_app(app: App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let service = pantau_server::router(app)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await.ok();
    });
    base
}

/// One running app per test database.
/// The app on `db` with no user, program or beneficiary at all (only the
/// regions every database has): its address and its store.
pub async fn empty(db: db::TestDb) -> (String, Store, db::TestDb) {
    let store = Store::open(&Settings::new(db.url.clone())).await.unwrap();
    let app = App::new(
        store.clone(),
        catalog::catalog(),
        &catalog::repo_root().join("templates"),
    )
    .unwrap();
    (serve_app(app).await, store, db)
}

pub async fn apps() -> Vec<Running> {
    let mut out = vec![];
    for db in db::test_databases().await {
        out.push(spawn(db).await);
    }
    out
}

impl Running {
    /// The database's URL, for a second instance or process on it.
    pub fn database_url(&self) -> &str {
        &self._db.url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A bearer token for `login`.
    pub async fn token(&self, login: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/tokens"))
            .json(&serde_json::json!({ "login": login, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{login} signs in");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// GET `path` as the holder of `token`: (status, JSON body or Null).
    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON to `path` with an idempotency key.
    pub async fn post(&self, token: &str, path: &str, key: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// A cookie-keeping client that shows redirects instead of following them.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the first `name="NAME" value="…"` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// GET `url`: status and body text.
pub async fn text(c: &reqwest::Client, url: &str) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

impl Running {
    /// A cookie-keeping client signed in to the pages as `login`.
    pub async fn sign_in(&self, login: &str) -> reqwest::Client {
        let c = browser();
        let (_, page) = text(&c, &self.url("/masuk")).await;
        let r = c
            .post(self.url("/masuk"))
            .form(&[
                ("login", login),
                ("password", PASSWORD),
                ("_csrf", &hidden(&page, "_csrf")),
                ("next", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{login} signs in");
        c
    }
}

/// The visit action open on `case` and an answer to each of its fields
/// (a photo uploaded as the case's attachment), as a field officer's phone
/// would send them.
pub async fn visit_inputs(
    app: &Running,
    token: &str,
    case: &str,
    photo: &[u8],
) -> (String, serde_json::Map<String, Value>) {
    let (_, d) = app.get(token, &format!("/api/cases/{case}")).await;
    let action = d["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["kind"] == "gps")
        })
        .unwrap_or_else(|| panic!("case {case} waits for its visit: {d}"))
        .clone();
    let mut inputs = serde_json::Map::new();
    for f in action["fields"].as_array().unwrap() {
        let value = match visit::answer(f["kind"].as_str().unwrap(), &f["options"]) {
            Some(v) => v,
            None => {
                let r = app
                    .http
                    .post(app.url(&format!("/api/cases/{case}/attachments")))
                    .bearer_auth(token)
                    .header("Content-Type", "image/jpeg")
                    .body(photo.to_vec())
                    .send()
                    .await
                    .unwrap();
                let a: Value = r.json().await.unwrap();
                a["id"].clone()
            }
        };
        inputs.insert(f["id"].as_str().unwrap().to_string(), value);
    }
    (action["id"].as_str().unwrap().to_string(), inputs)
}

/// Opens a `bansos` case of `region` (a province, or none) through the
/// store, as the API only opens cases of a kabupaten/kota; its id.
pub async fn open_case(app: &Running, region: Option<&str>) -> String {
    let catalog = catalog::catalog();
    let def = catalog.latest("bansos").unwrap();
    let source = catalog.source(&def.id, def.version).unwrap();
    let id = uuid::Uuid::new_v4().to_string();
    let opening = pantau_store::Opening {
        case_id: id.clone(),
        key: format!("open-{id}"),
        region: region.map(str::to_string),
        program_id: None,
        beneficiary_id: None,
        definition: def,
        source,
    };
    let cx = pantau_workflow::Context {
        now: Utc::now(),
        actor: pantau_workflow::Actor {
            user: "pengelola.18".into(),
            role: pantau_domain::Role::ManagerProvince,
        },
        remaining_allocation: None,
        evidence: Default::default(),
    };
    app.store.open_case(&opening, &cx).await.unwrap();
    id
}

/// Strings every fuzzing dictionary holds: what a careless server trips on
/// (a NUL, which PostgreSQL refuses in text; LIKE wildcards; quotes; a
/// backslash; text beyond ASCII; a long value).
pub fn awkward() -> Vec<String> {
    [
        "a\0b",
        "%",
        "_",
        "\\",
        "'\"",
        "Sijunjung Ü 日本",
        &"x".repeat(300),
    ]
    .map(str::to_string)
    .to_vec()
}
