//! What the server tells its operator: one log line per request (method,
//! the matched route, never the path or query that may carry ids; status,
//! latency, the signed-in login when known, a request id also sent back as
//! `X-Request-Id`), through `tower-http`'s `TraceLayer`. Nothing of a
//! request's headers, cookies or body is logged, so no password, token,
//! cookie or NIK reaches the log.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{Request, Response};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

/// The route a request matched (`/kasus/{id}`), or `-` for none.
pub fn route<B>(req: &Request<B>) -> &str {
    req.extensions()
        .get::<MatchedPath>()
        .map_or("-", |m| m.as_str())
}

/// The request's span: the fields every line of the request carries.
fn span(req: &Request<Body>) -> Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64)
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %req.method(),
        route = %route(req),
        id = %id,
        user = tracing::field::Empty,
    )
}

fn answered(res: &Response<Body>, latency: Duration, _: &Span) {
    tracing::info!(
        status = res.status().as_u16(),
        latency_ms = latency.as_micros() as f64 / 1000.0,
        "answered"
    );
}

/// Names the signed-in user on the current request's line.
pub fn signed_in_as(login: &str) {
    Span::current().record("user", tracing::field::display(login));
}

/// `router` with the request log and request ids (a request id sent by a
/// proxy is kept).
pub fn traced<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(span)
                .on_request(())
                .on_response(answered)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
