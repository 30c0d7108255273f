//! Reading workflow files: TOML with recovery, then the checks, every problem at once.

use crate::definition::Definition;
use crate::diagnostic::{Diagnostic, Reporter};
use crate::lower::{Known, Reading, lower};
use crate::syntax::RawDefinition;

/// How many broken lines one file may have before the loader gives up on it.
const MAX_SYNTAX_ERRORS: usize = 20;

/// Loads one definition from `source` (named `file` in messages), a file
/// on disk: everything today's checks ask for, `[stages]` included.
///
/// TOML stops at its first error, so after each one the loader blanks the
/// offending line and tries again: a file with a garbage line and a typo in
/// a state name gets one diagnostic for each. Never panics.
pub fn load(file: &str, source: &str, known: &Known) -> Result<Definition, Vec<Diagnostic>> {
    read(file, source, known, Reading::File)
}

/// Loads a text cases were opened on, as it was accepted then: a text
/// written before `[stages]` gets [`crate::Stages::convention`].
pub fn load_pinned(file: &str, source: &str, known: &Known) -> Result<Definition, Vec<Diagnostic>> {
    read(file, source, known, Reading::Pinned)
}

fn read(
    file: &str,
    source: &str,
    known: &Known,
    reading: Reading,
) -> Result<Definition, Vec<Diagnostic>> {
    let mut reporter = Reporter::new(file, source);
    let mut text = source.to_string();
    let raw = loop {
        match toml::from_str::<RawDefinition>(&text) {
            Ok(raw) => break Some(raw),
            Err(e) => {
                let span = e.span();
                let message = e.message().trim().to_string();
                reporter.error(span.clone().unwrap_or(0..0), message.clone());
                let blanked = span.is_some_and(|s| {
                    !message.starts_with("missing field") && blank_line(&mut text, s.start)
                });
                if !blanked || reporter.diagnostics.len() >= MAX_SYNTAX_ERRORS {
                    break None;
                }
            }
        }
    };
    let def = raw.and_then(|raw| lower(&raw, known, reading, &mut reporter));
    match def {
        Some(def) if !reporter.has_errors() => Ok(def),
        _ => {
            let mut diagnostics = reporter.diagnostics;
            diagnostics.sort_by_key(|d| (d.line, d.col));
            diagnostics.dedup();
            Err(diagnostics)
        }
    }
}

/// Replaces the line holding `offset` with spaces, keeping every byte offset.
/// Returns false when the line was already blank.
fn blank_line(text: &mut String, offset: usize) -> bool {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    if text[start..end].trim().is_empty() {
        return false;
    }
    let spaces = " ".repeat(end - start);
    text.replace_range(start..end, &spaces);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanking_keeps_offsets() {
        let mut t = "a = 1\nxé!\nb = 2".to_string();
        assert!(blank_line(&mut t, 7));
        assert_eq!(t, "a = 1\n    \nb = 2");
        assert!(!blank_line(&mut t, 7));
    }
}
