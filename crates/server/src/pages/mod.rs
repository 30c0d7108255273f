//! Server-rendered pages (handlebars templates in `templates/pages`).

use std::path::Path;

use axum::Router;

use crate::App;

/// The page templates.
#[derive(Debug)]
pub struct Pages {}

impl Pages {
    pub fn load(_dir: &Path) -> Result<Pages, String> {
        Ok(Pages {})
    }
}

pub fn router() -> Router<App> {
    Router::new()
}
