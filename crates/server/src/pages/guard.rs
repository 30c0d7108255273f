//! The one check every form POST goes through: the request comes from our
//! own pages (`Sec-Fetch-Site`, `Origin`), and carries the form token it was
//! given (`_csrf`).

use axum::http::{HeaderMap, header};

use super::view::Look;
use crate::error::ApiError;

/// Refuses a form POST that another site could have made: a
/// `Sec-Fetch-Site` other than `same-origin`/`none`, an `Origin` that is not
/// this host, or a `_csrf` field (`sent`) unlike the token the page carried
/// (`expected`; none: refuse).
pub fn form(
    look: &Look,
    headers: &HeaderMap,
    expected: Option<&str>,
    sent: Option<&str>,
) -> Result<(), ApiError> {
    let refuse = || ApiError::Forbidden(look.text("galat.csrf"));
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return Err(refuse());
    }
    if let Some(origin) = value(header::ORIGIN) {
        let host = value(header::HOST).unwrap_or("");
        let own = ["http://", "https://"]
            .iter()
            .any(|scheme| origin.strip_prefix(scheme) == Some(host));
        if host.is_empty() || !own {
            return Err(refuse());
        }
    }
    match (expected, sent) {
        (Some(e), Some(s)) if !e.is_empty() && same(e.as_bytes(), s.as_bytes()) => Ok(()),
        _ => Err(refuse()),
    }
}

/// Equality in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn compares_whole_tokens() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
