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
    let sent = file_and_fields(form).await?;
    Ok((sent.csrf, sent.name, sent.data))
}

/// A form of one file (`file`), its token (`_csrf`) and other text fields.
#[derive(Debug, Default)]
pub(super) struct FileForm {
    pub csrf: Option<String>,
    pub name: String,
    pub data: Vec<u8>,
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Reads a form of one file and text fields ([`FileForm`]).
pub(super) async fn file_and_fields(
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<FileForm, ApiError> {
    let mut m = form.map_err(|e| ApiError::invalid("form", e.body_text()))?;
    let bad =
        |e: axum::extract::multipart::MultipartError| ApiError::invalid("form", e.body_text());
    let mut out = FileForm::default();
    while let Some(part) = m.next_field().await.map_err(bad)? {
        match part.name().unwrap_or_default().to_string().as_str() {
            "_csrf" => out.csrf = Some(part.text().await.map_err(bad)?),
            "file" => {
                out.name = part.file_name().unwrap_or_default().to_string();
                out.data = part.bytes().await.map_err(bad)?.to_vec();
            }
            "" => {}
            other => {
                let other = other.to_string();
                out.fields.insert(other, part.text().await.map_err(bad)?);
            }
        }
    }
    Ok(out)
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
