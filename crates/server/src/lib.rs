//! Pantau's HTTP server: the JSON API (with its OpenAPI document generated
//! from the handlers), sign-in with region-scoped roles, and the
//! server-rendered pages for program managers and field officers.
//!
//! A thin adapter: handlers parse and check the request, ask [`Caller`]
//! whether it may, call the store (which runs the workflow engine), and
//! render. No handler decides access on its own.

pub mod accounts;
pub mod api;
pub mod caller;
pub mod error;
pub mod health;
pub mod measure;
pub mod memo;
pub mod observe;
pub mod pages;
pub mod password;
pub mod signin;
pub mod tls;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use pantau_domain::Zone;
use pantau_registry::regions::Regions;
use pantau_store::Store;
use pantau_workflow::Catalog;

pub use caller::Caller;
pub use error::{ApiError, ApiResult};

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub catalog: Arc<Catalog>,
    pub pages: Arc<pages::Pages>,
    /// The report templates (`templates/reports/`).
    pub reports: Arc<pantau_report::html::Templates>,
    /// How long a browser session and an API token last.
    pub web_life: pantau_store::accounts::auth::Lifetime,
    pub api_life: pantau_store::accounts::auth::Lifetime,
    /// Whether sign-ins are counted by the last `X-Forwarded-For` address
    /// (behind a reverse proxy that sets it) instead of the peer's.
    pub trust_forwarded_for: bool,
    /// Whether this server terminates TLS itself (set by [`tls::serve`]).
    pub https: bool,
    /// Where the links of emails point (`https://pantau.dinas.go.id`), when
    /// mail is configured: a password reset link then goes by email.
    pub mail_links: Option<String>,
    /// The cooperative indicators' targets (`[indicators]` in `pantau.toml`).
    pub indicator_targets: Arc<pantau_report::indicators::Targets>,
    /// `/metrics`, when on ([`App::enable_metrics`]).
    pub metrics: Option<Arc<measure::Metrics>>,
    /// The banks' file layouts (`templates/bank/*.toml`; the shipped ones
    /// when that folder is missing).
    pub bank_layouts: Arc<Vec<pantau_registry::bank::layout::Layout>>,
    /// Leave to print a PDF (each print runs a Chromium).
    printing: Arc<tokio::sync::Semaphore>,
    /// The dashboards and the counts of page `/`, kept while the database
    /// has not changed ([`memo`]).
    pub(crate) dashboards: Arc<memo::Memo<Arc<api::dashboard::Answer>>>,
    pub(crate) counts: Arc<memo::Memo<u64>>,
    zones: Arc<HashMap<String, Zone>>,
    region_names: Arc<HashMap<String, String>>,
    /// Seconds the app's clock runs ahead of the machine's (0 but in tests
    /// that let time pass: a week offline, a due date crossed).
    ahead: Arc<std::sync::atomic::AtomicI64>,
}

/// The layouts of `templates/bank/`, every problem of a file named; the
/// shipped ones when the folder is missing (an installation made before it).
fn bank_layouts(templates: &Path) -> Result<Vec<pantau_registry::bank::layout::Layout>, String> {
    use pantau_registry::bank::layout;
    let dir = templates.join("bank");
    if !dir.is_dir() {
        return Ok(layout::shipped());
    }
    layout::load_dir(&dir).map_err(|problems| problems.join("\n"))
}

impl App {
    /// The app on `store`, with the loaded workflows and the page and
    /// report templates in `templates` (`pages/`, `reports/`).
    pub fn new(store: Store, catalog: Catalog, templates: &Path) -> Result<App, String> {
        let regions = Regions::embedded().map_err(|e| e.to_string())?;
        let zones = regions
            .iter()
            .map(|r| (r.code.to_string(), r.zone))
            .collect();
        let region_names = regions
            .iter()
            .map(|r| (r.code.to_string(), r.name.clone()))
            .collect();
        Ok(App {
            store,
            catalog: Arc::new(catalog),
            pages: Arc::new(pages::Pages::load(templates)?),
            reports: Arc::new(
                pantau_report::html::Templates::load(templates).map_err(|e| e.to_string())?,
            ),
            web_life: signin::WEB_LIFE,
            api_life: signin::API_LIFE,
            trust_forwarded_for: false,
            https: false,
            mail_links: None,
            indicator_targets: Arc::default(),
            metrics: None,
            bank_layouts: Arc::new(bank_layouts(templates)?),
            printing: Arc::new(tokio::sync::Semaphore::new(api::reports::PRINTERS)),
            dashboards: Arc::new(memo::Memo::new(memo::LIFE, memo::ROOM)),
            counts: Arc::new(memo::Memo::new(memo::LIFE, memo::ROOM)),
            zones: Arc::new(zones),
            region_names: Arc::new(region_names),
            ahead: Default::default(),
        })
    }

    /// Turns `/metrics` on: scraped from loopback, or from anywhere with
    /// `token`.
    pub fn enable_metrics(&mut self, token: Option<String>) -> Result<(), String> {
        self.metrics = Some(measure::Metrics::new(token)?);
        Ok(())
    }

    /// The time by the app's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        let ahead = self.ahead.load(std::sync::atomic::Ordering::Relaxed);
        chrono::Utc::now() + chrono::TimeDelta::seconds(ahead)
    }

    /// The database's change marker, for [`memo`]: none when it cannot be
    /// read (then nothing is kept; the answer is worked out as it comes).
    pub(crate) async fn marker(&self) -> Option<String> {
        self.store
            .change_marker()
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "change marker unreadable"))
            .ok()
            .flatten()
    }

    /// Moves the app's clock `by` ahead of the machine's, for tests where
    /// time passes (every clone of the app shares it).
    pub fn advance_clock(&self, by: chrono::TimeDelta) {
        self.ahead
            .fetch_add(by.num_seconds(), std::sync::atomic::Ordering::Relaxed);
    }

    /// The time zone of a region (WIB where unknown).
    pub fn zone_of(&self, region: &str) -> Zone {
        self.zones.get(region).copied().unwrap_or(Zone::Wib)
    }

    /// Whether `code` is a known region.
    pub fn has_region(&self, code: &str) -> bool {
        self.region_names.contains_key(code)
    }

    /// The known regions `scope` covers, by code: (code, name).
    pub fn regions_within(&self, scope: &pantau_domain::access::Scope) -> Vec<(String, String)> {
        let mut all: Vec<_> = self
            .region_names
            .iter()
            .filter(|(code, _)| scope.covers(Some(code)))
            .map(|(c, n)| (c.clone(), n.clone()))
            .collect();
        all.sort();
        all
    }

    /// A region's name, or its code where unknown.
    pub fn region_name(&self, code: &str) -> String {
        self.region_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// Every known region as (code, name), by code.
    pub fn regions(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .region_names
            .iter()
            .map(|(c, n)| (c.clone(), n.clone()))
            .collect();
        all.sort();
        all
    }
}

/// Every route: the API under `/api`, the pages at the root.
pub fn router(app: App) -> Router {
    let (api, _) = api::router().split_for_parts();
    let mut routes = Router::new()
        .merge(api)
        .merge(pages::router())
        .merge(health::router())
        .fallback(pages::unknown);
    // Requests are counted only where metrics are on: otherwise no
    // recorder is installed and the layer's work would be thrown away.
    if app.metrics.is_some() {
        routes = routes.layer(axum::middleware::from_fn(measure::layer));
    }
    let routes = routes.layer(axum::middleware::from_fn_with_state(
        app.clone(),
        error::refuse_nul,
    ));
    observe::traced(routes)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            tls::layer,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(api::MAX_UPLOAD))
        .with_state(app)
}

/// Serves `app` over plain HTTP on `listener` until ctrl-c or SIGTERM
/// (each request knows its peer's address, which counts failed sign-ins);
/// requests in flight are finished first.
///
/// Every connection sends a reply's last segment at once (`TCP_NODELAY`):
/// otherwise a reply of several segments (a dashboard's 115 KB) waits for
/// the browser's delayed acknowledgement of the one before, up to 40 ms
/// (at national scale 1 % of dashboards took 90 to 270 ms, against 5 ms).
pub async fn serve(listener: tokio::net::TcpListener, app: App) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stop_signal())
    .await
}

/// Ctrl-c or (on Unix) SIGTERM, whichever comes first.
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    tokio::signal::ctrl_c().await.ok();
}
