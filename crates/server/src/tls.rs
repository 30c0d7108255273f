//! HTTPS: `pantau serve` terminating TLS itself (rustls through
//! `axum-server`) from a certificate and key in PEM files, read again on
//! SIGHUP; and what a request knows of its own security: over TLS here, or
//! from a trusted proxy that says `X-Forwarded-Proto: https`, or to a
//! loopback host (which browsers treat as secure). The session cookie is
//! `Secure`, so a browser keeps it only in the first and last cases: the
//! sign-in page says so instead of failing on its form token.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_server::tls_rustls::RustlsConfig;

use crate::App;

/// `Strict-Transport-Security` on every answer over HTTPS: a year.
const HSTS: &str = "max-age=31536000";

/// How long requests in flight may take to finish once the server stops.
pub const GRACE: Duration = Duration::from_secs(30);

/// The certificate chain and private key, PEM files.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    /// Reads both files, with an error naming the one that failed and why.
    pub async fn load(&self) -> std::io::Result<RustlsConfig> {
        RustlsConfig::from_pem_file(&self.cert, &self.key)
            .await
            .map_err(|e| self.explain(e))
    }

    fn explain(&self, e: std::io::Error) -> std::io::Error {
        std::io::Error::new(
            e.kind(),
            format!(
                "cannot use the TLS certificate {} with key {}: {e} \
                 (both PEM files: the certificate chain, server certificate first, and its private key)",
                self.cert.display(),
                self.key.display()
            ),
        )
    }
}

/// Serves `app` over HTTPS on `listener` until ctrl-c or SIGTERM, reading
/// the certificate and key again on each SIGHUP (a failed read keeps the
/// certificate in use and logs why). Requests in flight get [`GRACE`].
pub async fn serve(
    listener: std::net::TcpListener,
    mut app: App,
    files: TlsFiles,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let config = files.load().await?;
    app.https = true;
    let handle = axum_server::Handle::new();
    reload_on_hangup(config.clone(), files);
    let stop = handle.clone();
    tokio::spawn(async move {
        crate::stop_signal().await;
        stop.graceful_shutdown(Some(GRACE));
    });
    // Each reply's last segment sent at once (TCP_NODELAY), as below.
    let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(config)
        .acceptor(axum_server::accept::NoDelayAcceptor::new());
    axum_server::from_tcp(listener)?
        .acceptor(acceptor)
        .handle(handle)
        .serve(crate::router(app).into_make_service_with_connect_info::<SocketAddr>())
        .await
}

/// Listens for SIGHUP from now on (before the server answers, so a SIGHUP
/// never finds the default action, which ends the process).
#[cfg(unix)]
fn reload_on_hangup(config: RustlsConfig, files: TlsFiles) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP: the certificate is not reloaded");
        return;
    };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match config.reload_from_pem_file(&files.cert, &files.key).await {
                Ok(()) => tracing::info!(cert = %files.cert.display(), "TLS certificate reloaded"),
                Err(e) => tracing::error!(
                    "TLS certificate not reloaded, the one in use stays: {}",
                    files.explain(e)
                ),
            }
        }
    });
}

#[cfg(not(unix))]
fn reload_on_hangup(_: RustlsConfig, _: TlsFiles) {}

/// Whether the browser came over HTTPS: to this server's TLS, or to a
/// trusted proxy that says so in the last `X-Forwarded-Proto` value.
pub fn is_https(app: &App, headers: &HeaderMap) -> bool {
    app.https
        || (app.trust_forwarded_for
            && last_forwarded(headers, "x-forwarded-proto")
                .is_some_and(|p| p.eq_ignore_ascii_case("https")))
}

/// The last value of a proxy's comma-separated header (`X-Forwarded-For`,
/// `X-Forwarded-Proto`): the one the trusted proxy itself added.
pub fn last_forwarded<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .map(str::trim)
}

/// Whether the `Host` a request was sent to is loopback (`localhost`,
/// `*.localhost`, 127.0.0.0/8, `[::1]`), where browsers keep `Secure`
/// cookies over plain HTTP.
pub fn is_loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether a browser on this request keeps the `Secure` session cookie.
pub fn keeps_secure_cookies(app: &App, headers: &HeaderMap) -> bool {
    is_https(app, headers) || is_loopback_host(headers)
}

/// The layer in front of every route: an HTTP/2 request (no `Host` header,
/// its authority in the URI) gets the `Host` the checks read; an answer
/// over HTTPS carries HSTS.
pub async fn layer(State(app): State<App>, mut req: Request, next: Next) -> Response {
    if !req.headers().contains_key(header::HOST)
        && let Some(v) = authority(req.uri())
    {
        req.headers_mut().insert(header::HOST, v);
    }
    let https = is_https(&app, req.headers());
    let mut r = next.run(req).await;
    if https {
        r.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    r
}

fn authority(uri: &Uri) -> Option<HeaderValue> {
    uri.authority()
        .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(h: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        m
    }

    #[test]
    fn knows_loopback_hosts() {
        for h in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:8080",
            "127.1.2.3",
            "[::1]:8080",
            "app.localhost",
        ] {
            assert!(is_loopback_host(&host(h)), "{h}");
        }
        for h in [
            "pantau.test:8080",
            "192.168.1.5:8080",
            "[fe80::1]",
            "10.0.0.1",
        ] {
            assert!(!is_loopback_host(&host(h)), "{h}");
        }
        assert!(!is_loopback_host(&HeaderMap::new()));
    }
}
