//! Problems found in a workflow file, each at its line and column.

use std::fmt;
use std::ops::Range;

/// One problem in one file, printed as `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// Turns byte spans of one source text into diagnostics.
#[derive(Debug)]
pub struct Reporter<'a> {
    file: &'a str,
    source: &'a str,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    pub fn new(file: &'a str, source: &'a str) -> Self {
        Reporter {
            file,
            source,
            diagnostics: Vec::new(),
        }
    }

    /// Records `message` at the start of `span`.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let (line, col) = line_col(self.source, span.start);
        self.diagnostics.push(Diagnostic {
            file: self.file.to_string(),
            line,
            col,
            message: message.into(),
        });
    }

    pub fn source(&self) -> &'a str {
        self.source
    }

    pub fn has_errors(&self) -> bool {
        !self.diagnostics.is_empty()
    }
}

/// 1-based line and column (in characters) of a byte offset; offsets past the
/// end or inside a character are clamped.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn counts_lines_and_characters() {
        let src = "a = 1\nb = \"é\" x\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, 13), (2, 7));
        assert_eq!(line_col(src, 999), (3, 1));
    }
}
