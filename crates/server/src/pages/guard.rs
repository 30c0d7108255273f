//! The one check every form POST goes through: the request comes from our
//! own pages (`Sec-Fetch-Site`, `Origin`), and carries the form token it was
//! given (`_csrf`); and the reading of a one-file form ([`file_form`]).

use axum::http::HeaderMap;

use super::view::Look;
use crate::caller::{from_own_site, same_token};
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
    match (expected, sent) {
        (Some(e), Some(s)) if from_own_site(headers) && same_token(e, s) => Ok(()),
        _ => Err(refuse()),
    }
}

/// A form of one file (`file`) and its token (`_csrf`), as sent: the token,
/// the file's name and its bytes.
pub(super) async fn file_form(
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(Option<String>, String, Vec<u8>), ApiError> {
    let mut m = form.map_err(|e| ApiError::invalid("form", e.body_text()))?;
    let bad =
        |e: axum::extract::multipart::MultipartError| ApiError::invalid("form", e.body_text());
    let (mut csrf, mut name, mut data) = (None, String::new(), Vec::new());
    while let Some(part) = m.next_field().await.map_err(bad)? {
        match part.name().unwrap_or_default() {
            "_csrf" => csrf = Some(part.text().await.map_err(bad)?),
            "file" => {
                name = part.file_name().unwrap_or_default().to_string();
                data = part.bytes().await.map_err(bad)?.to_vec();
            }
            _ => {}
        }
    }
    Ok((csrf, name, data))
}

#[cfg(test)]
mod tests {
    use super::same_token;

    #[test]
    fn compares_whole_tokens() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "abcd"));
        assert!(!same_token("", ""));
    }
}
