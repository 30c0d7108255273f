//! Loading and rendering the email templates.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use pantau_domain::Lang;
use serde::{Deserialize, Serialize};

use crate::html;

/// The HTML layout's file name, beside the templates.
pub const LAYOUT_FILE: &str = "_layout.html.hbs";

/// Why the templates could not be loaded, or an email not rendered.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file that is not `NAME.LANG.hbs` with a `Subject:` line, a blank
    /// line and a body.
    #[error("{}:{line}: {message}", path.display())]
    Format {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Handlebars refused the template's syntax.
    #[error("{}: {source}", path.display())]
    Syntax {
        path: PathBuf,
        source: Box<handlebars::TemplateError>,
    },
    /// An English version without an Indonesian one: Indonesian is what
    /// every email falls back to.
    #[error("{}: there is no Indonesian version `{name}.id.hbs`", path.display())]
    NoIndonesian { path: PathBuf, name: String },
    #[error("unknown email template `{name}`")]
    Unknown { name: String },
    /// Rendering failed, e.g. the context lacks a variable the template uses
    /// (strict mode).
    #[error("email template `{name}.{lang}`: {source}")]
    Render {
        name: String,
        lang: &'static str,
        source: Box<handlebars::RenderError>,
    },
}

/// One rendered email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// One line: line breaks a variable brought in are turned into spaces.
    pub subject: String,
    /// The plain-text body, ending with one line break.
    pub text: String,
    /// The text body's paragraphs in the HTML layout.
    pub html: String,
}

/// The languages a template is written in.
#[derive(Debug, Clone, Copy, Default)]
struct Versions {
    id: bool,
    en: bool,
}

/// Every email template, parsed once.
pub struct Templates {
    /// Subjects and plain-text bodies: nothing is escaped.
    text: Handlebars<'static>,
    /// The layout: every value is HTML-escaped.
    html: Handlebars<'static>,
    versions: BTreeMap<String, Versions>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("names", &self.versions.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Templates {
    /// Loads every `NAME.LANG.hbs` in `dir` (LANG is `id` or `en`) and the
    /// layout `_layout.html.hbs`. Files whose names start with `_` are not
    /// emails; anything else that does not end in `.hbs` is ignored.
    pub fn load(dir: &Path) -> Result<Templates, NotifyError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| NotifyError::Io { path, source }
        };
        let mut text = Handlebars::new();
        text.set_strict_mode(true);
        text.register_escape_fn(handlebars::no_escape);
        let mut html = Handlebars::new();
        html.set_strict_mode(true);

        let layout_path = dir.join(LAYOUT_FILE);
        let layout = std::fs::read_to_string(&layout_path).map_err(io(&layout_path))?;
        html.register_template_string(html::LAYOUT, layout)
            .map_err(|e| syntax(&layout_path, e))?;

        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if file.starts_with('_') || !file.ends_with(".hbs") || !path.is_file() {
                continue;
            }
            files.push(path);
        }
        files.sort();

        let mut versions: BTreeMap<String, Versions> = BTreeMap::new();
        let mut english = BTreeMap::new();
        for path in files {
            let (name, lang) = name_and_lang(&path)?;
            let source = std::fs::read_to_string(&path).map_err(io(&path))?;
            let (subject, body) = split(&path, &source)?;
            text.register_template_string(&key(&name, lang, "subject"), subject)
                .map_err(|e| syntax(&path, e))?;
            text.register_template_string(&key(&name, lang, "body"), body.replace("\r\n", "\n"))
                .map_err(|e| syntax(&path, e))?;
            let v = versions.entry(name.clone()).or_default();
            match lang {
                Lang::Id => v.id = true,
                Lang::En => {
                    v.en = true;
                    english.insert(name, path);
                }
            }
        }
        if let Some((name, path)) = english
            .into_iter()
            .find(|(name, _)| !versions.get(name).is_some_and(|v| v.id))
        {
            return Err(NotifyError::NoIndonesian { path, name });
        }
        Ok(Templates {
            text,
            html,
            versions,
        })
    }

    /// The template names, e.g. `proposal_waiting`, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.versions.keys().map(String::as_str)
    }

    /// Whether `name` has a version in `lang` of its own (English falls back
    /// to Indonesian when it has not).
    pub fn has(&self, name: &str, lang: Lang) -> bool {
        self.versions.get(name).is_some_and(|v| match lang {
            Lang::Id => v.id,
            Lang::En => v.en,
        })
    }

    /// Renders `name` in `lang` (Indonesian when there is no English
    /// version) with `ctx`; a variable the template uses that `ctx` lacks is
    /// an error. The HTML carries the language actually used.
    pub fn render(
        &self,
        name: &str,
        lang: Lang,
        ctx: &serde_json::Value,
    ) -> Result<Rendered, NotifyError> {
        let lang = match self.versions.get(name) {
            None => {
                return Err(NotifyError::Unknown {
                    name: name.to_string(),
                });
            }
            Some(v) if lang == Lang::En && v.en => Lang::En,
            Some(_) => Lang::Id,
        };
        let failed = |source| NotifyError::Render {
            name: name.to_string(),
            lang: lang.as_str(),
            source: Box::new(source),
        };
        let subject = self
            .text
            .render(&key(name, lang, "subject"), ctx)
            .map_err(failed)?;
        let subject = one_line(&subject);
        let body = self
            .text
            .render(&key(name, lang, "body"), ctx)
            .map_err(failed)?;
        let text = format!("{}\n", body.trim_end());
        let link = ctx.get("link").and_then(serde_json::Value::as_str);
        let layout = html::layout_context(lang, &subject, &text, link);
        let html = self.html.render(html::LAYOUT, &layout).map_err(failed)?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }
}

fn key(name: &str, lang: Lang, part: &str) -> String {
    format!("{name}.{}.{part}", lang.as_str())
}

fn syntax(path: &Path, e: handlebars::TemplateError) -> NotifyError {
    NotifyError::Syntax {
        path: path.to_path_buf(),
        source: Box::new(e),
    }
}

/// `visit_due.en.hbs` gives (`visit_due`, English).
fn name_and_lang(path: &Path) -> Result<(String, Lang), NotifyError> {
    let bad = |message: String| NotifyError::Format {
        path: path.to_path_buf(),
        line: 0,
        message,
    };
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = file.strip_suffix(".hbs").unwrap_or(file);
    let Some((name, lang)) = stem.rsplit_once('.') else {
        return Err(bad(
            "an email template is named NAME.LANG.hbs, LANG being id or en".into(),
        ));
    };
    let lang: Lang = lang.parse().map_err(bad)?;
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        return Err(bad(format!(
            "template name `{name}` must be lowercase letters, digits and `_`"
        )));
    }
    Ok((name.to_string(), lang))
}

/// Splits a template file into its subject line and its body.
fn split<'a>(path: &Path, source: &'a str) -> Result<(&'a str, &'a str), NotifyError> {
    let bad = |line, message: &str| NotifyError::Format {
        path: path.to_path_buf(),
        line,
        message: message.to_string(),
    };
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let (first, rest) = source.split_once('\n').unwrap_or((source, ""));
    let subject = first
        .trim_end_matches('\r')
        .strip_prefix("Subject:")
        .map(str::trim)
        .ok_or_else(|| bad(1, "the first line must be `Subject: …`"))?;
    if subject.is_empty() {
        return Err(bad(1, "the subject is empty"));
    }
    let (second, body) = rest.split_once('\n').unwrap_or((rest, ""));
    if !second.trim().is_empty() {
        return Err(bad(2, "a blank line must follow the subject"));
    }
    if body.trim().is_empty() {
        return Err(bad(3, "the body is empty"));
    }
    Ok((subject, body))
}

/// A subject on one line, whatever line breaks a variable brought in.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
