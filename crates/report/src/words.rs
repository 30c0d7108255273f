//! Words users read, one TOML table per language (`lang/id.toml`,
//! `lang/en.toml` beside the templates), so an office can change wording
//! without touching code; shared by the pages and the reports. Nested
//! tables give dotted keys: `[masuk] judul = "Masuk"` is `masuk.judul`.
//! Templates ask with `{{t "masuk.judul"}}`; `{name}` in a text is filled
//! from the helper's hash, `{{t "daftar.halaman" page=3 pages=9}}`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use handlebars::{
    Context, Handlebars, Helper, HelperDef, RenderContext, RenderError, RenderErrorReason,
    ScopedJson,
};
use pantau_domain::Lang;
use serde_json::Value;

type Table = HashMap<String, String>;

/// Both languages' words.
#[derive(Debug, Clone)]
pub struct Words {
    id: Arc<Table>,
    en: Arc<Table>,
}

impl Words {
    /// Reads `dir/id.toml` and `dir/en.toml`; each must hold the same keys.
    pub fn load(dir: &Path) -> Result<Words, String> {
        let read = |lang: &str| -> Result<Table, String> {
            let path = dir.join(format!("{lang}.toml"));
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let value: toml::Table =
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut out = Table::new();
            flatten("", &value, &mut out);
            Ok(out)
        };
        let (id, en) = (read("id")?, read("en")?);
        let mut missing: Vec<String> = id
            .keys()
            .filter(|k| !en.contains_key(*k))
            .map(|k| format!("en.toml lacks `{k}`"))
            .chain(
                en.keys()
                    .filter(|k| !id.contains_key(*k))
                    .map(|k| format!("id.toml lacks `{k}`")),
            )
            .collect();
        if !missing.is_empty() {
            missing.sort();
            return Err(format!("{}: {}", dir.display(), missing.join("; ")));
        }
        Ok(Words {
            id: Arc::new(id),
            en: Arc::new(en),
        })
    }

    pub fn get(&self, lang: Lang, key: &str) -> Option<&str> {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
        .get(key)
        .map(String::as_str)
    }

    /// The `t` helper over these words; the language is the root's `lang`.
    pub fn helper(&self) -> T {
        T(self.clone())
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Table) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// `{{t "key" name=value}}`: the word in the page's language.
#[derive(Debug)]
pub struct T(Words);

impl HelperDef for T {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let key = h
            .param(0)
            .and_then(|p| p.value().as_str())
            .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex("t", 0))?;
        let lang = match ctx.data().get("lang").and_then(Value::as_str) {
            Some("en") => Lang::En,
            _ => Lang::Id,
        };
        let Some(text) = self.0.get(lang, key) else {
            return if cfg!(debug_assertions) {
                Err(RenderErrorReason::Other(format!("no word `{key}` in lang/*.toml")).into())
            } else {
                Ok(ScopedJson::Derived(Value::String(key.to_string())))
            };
        };
        let mut text = text.to_string();
        for (name, value) in h.hash() {
            let shown = match value.value() {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            text = text.replace(&format!("{{{name}}}"), &shown);
        }
        Ok(ScopedJson::Derived(Value::String(text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
        while !dir.join("templates").is_dir() && dir.pop() {}
        dir.join("templates/pages/lang")
    }

    #[test]
    fn both_languages_have_every_word() {
        let words = Words::load(&root()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(words.get(Lang::Id, "masuk.judul"), Some("Masuk"));
        assert_eq!(words.get(Lang::En, "masuk.judul"), Some("Sign in"));
    }

    /// Every `{{t "KEY"` of the page templates is a word of both tables (a
    /// missing one would show its key to the reader).
    #[test]
    fn every_word_a_page_template_names_exists() {
        let words = Words::load(&root()).unwrap_or_else(|e| panic!("{e}"));
        let pages = root().parent().map(Path::to_path_buf).unwrap_or_default();
        let mut missing = vec![];
        for entry in std::fs::read_dir(&pages).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "hbs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices("{{t \"") {
                let rest = &text[at + 5..];
                let key = &rest[..rest.find('"').unwrap_or(0)];
                for lang in [Lang::Id, Lang::En] {
                    if words.get(lang, key).is_none() {
                        missing.push(format!("{}: {key} ({lang:?})", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
    }
}
