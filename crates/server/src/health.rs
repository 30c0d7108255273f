//! For a load balancer and a monitor, public and without a session:
//! `/healthz` (the process answers) and `/readyz` (the database answers
//! within [`READY_WITHIN`], its migrations are current, the page templates
//! are loaded; else 503 with the reason).

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::App;

/// How long the database may take to answer `/readyz`.
pub const READY_WITHIN: Duration = Duration::from_secs(5);

/// The routes, and `/metrics` (404 unless on).
pub fn router() -> Router<App> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::measure::scrape))
}

fn text(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn healthz() -> Response {
    text(StatusCode::OK, "ok\n".into())
}

async fn readyz(State(app): State<App>) -> Response {
    let unready = |why: String| {
        tracing::warn!("not ready: {why}");
        text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {why}\n"),
        )
    };
    if let Some(t) = app.pages.missing() {
        return unready(format!("page template {t} is not loaded"));
    }
    match tokio::time::timeout(READY_WITHIN, app.store.readiness()).await {
        Err(_) => unready(format!(
            "the database did not answer within {} s",
            READY_WITHIN.as_secs()
        )),
        Ok(Err(e)) => unready(format!("the database: {e}")),
        Ok(Ok(Some(why))) => unready(why),
        Ok(Ok(None)) => text(StatusCode::OK, "ready\n".into()),
    }
}
