//! `/metrics` in Prometheus' text format, off unless `serve --metrics`:
//! requests by route, method and status with a latency histogram,
//! transitions by workflow and action, refusals by code, import rows, and
//! the outbox (emails queued, sent and parked, and the oldest queued
//! email's age) read from the store at each scrape.
//!
//! Who may scrape: a request from loopback that no proxy forwarded (no
//! `X-Forwarded-For` or `Forwarded` header: a proxy on the same machine
//! must add one, as Caddy and nginx's usual settings do), or anyone with
//! `Authorization: Bearer TOKEN` when `--metrics-token` is set. Everyone
//! else is answered 403; with metrics off, `/metrics` is 404.
//!
//! The recorder is the process's one global `metrics` recorder, installed
//! the first time an app turns metrics on; rendering happens on our own
//! route, never the exporter's own listener.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::App;
use crate::caller::same_token;

const REQUEST_SECONDS: &str = "pantau_http_request_duration_seconds";
const BUCKETS: [f64; 12] = [
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Metrics on: the recorder's handle and who else may scrape.
#[derive(Debug)]
pub struct Metrics {
    handle: PrometheusHandle,
    token: Option<String>,
}

/// The process's recorder, installed once.
fn handle() -> Result<PrometheusHandle, String> {
    static HANDLE: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.into()), &BUCKETS)
                .map_err(|e| e.to_string())?
                .install_recorder()
                .map_err(|e| format!("cannot install the metrics recorder: {e}"))?;
            // Histograms keep raw samples until upkeep folds them in.
            let upkeep = handle.clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            });
            Ok(handle)
        })
        .clone()
}

impl Metrics {
    /// Metrics on, scraped from loopback or with `token` (empty: none).
    pub fn new(token: Option<String>) -> Result<Arc<Metrics>, String> {
        Ok(Arc::new(Metrics {
            handle: handle()?,
            token: token.filter(|t| !t.is_empty()),
        }))
    }

    fn allows(&self, req: &Request) -> bool {
        let headers = req.headers();
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let (Some(token), Some(sent)) = (&self.token, bearer) {
            return same_token(token, sent.trim());
        }
        let loopback = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|c| c.0.ip().is_loopback());
        loopback && !forwarded(headers)
    }
}

fn forwarded(headers: &HeaderMap) -> bool {
    headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED)
}

/// Counts each request by route, method and status, and times it (a layer
/// on the routes, where the matched route is known).
pub async fn layer(req: Request, next: Next) -> Response {
    let route = crate::observe::route(&req).to_string();
    let method = req.method().to_string();
    let started = Instant::now();
    let r = next.run(req).await;
    let status = r.status().as_u16().to_string();
    metrics::counter!("pantau_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(REQUEST_SECONDS, "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    r
}

/// A transition taken (not a repeat of one).
pub fn transition(workflow: &str, action: &str) {
    metrics::counter!("pantau_transitions_total", "workflow" => workflow.to_string(), "action" => action.to_string())
        .increment(1);
}

/// A command refused by the workflow, by its code.
pub fn refusal(code: &str) {
    metrics::counter!("pantau_refusals_total", "code" => code.to_string()).increment(1);
}

/// An import's rows by outcome.
pub fn import_rows(new: u64, already: u64, refused: u64) {
    for (outcome, n) in [("new", new), ("already", already), ("refused", refused)] {
        metrics::counter!("pantau_import_rows_total", "outcome" => outcome).increment(n);
    }
}

/// `GET /metrics`.
pub async fn scrape(State(app): State<App>, req: Request) -> Response {
    let Some(m) = app.metrics.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !m.allows(&req) {
        return (
            StatusCode::FORBIDDEN,
            "metrics: only from loopback without a proxy, or with the bearer token (--metrics-token)\n",
        )
            .into_response();
    }
    match app.store.outbox_gauges().await {
        Ok(g) => {
            for (status, n) in [("queued", g.queued), ("sent", g.sent), ("failed", g.failed)] {
                metrics::gauge!("pantau_outbox_emails", "status" => status).set(n as f64);
            }
            let age = g
                .oldest_queued
                .map_or(0.0, |t| (app.now() - t).as_seconds_f64().max(0.0));
            metrics::gauge!("pantau_outbox_oldest_queued_seconds").set(age);
            metrics::gauge!("pantau_store_up").set(1.0);
        }
        Err(e) => {
            tracing::warn!("metrics: the outbox could not be read: {e}");
            metrics::gauge!("pantau_store_up").set(0.0);
        }
    }
    m.handle.run_upkeep();
    let mut r = m.handle.render().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}
