//! Diagnostics as values. Every stage returns its soft errors as `Diagnostic`s with the file and
//! byte span they point at; nothing is printed until the pipeline is done, and then everything
//! is printed once, by one of the renderers in `render`.

pub mod codes;
mod render;
mod summary;

pub use render::{json_value, render_github, render_human, render_json, ColorMode};

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a source file: its display path (as the user would type it) and a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub file: Arc<str>,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable kebab-case identifier, e.g. `broken-link`; shown as `error[broken-link]`.
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    /// Text under the caret.
    pub label: Option<String>,
    /// A likely fix, shown as `= help: ...`.
    pub help: Option<String>,
    /// What the diagnostic is about when it is a link: the destination as written.
    pub target: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `code`, with the code's default severity (`codes::ALL`): a check never
    /// chooses a severity; the site's `severity:` settings are applied at the end of a build.
    pub fn new(code: codes::Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.default,
            code: code.name,
            message: message.into(),
            span: None,
            label: None,
            help: None,
            target: None,
        }
    }

    pub fn at(mut self, file: &Arc<str>, range: Range<usize>) -> Self {
        self.span = Some(Span {
            file: file.clone(),
            range,
        });
        self
    }

    /// Points at a whole file (no snippet), for errors such as unreadable files.
    pub fn in_file(self, file: &Arc<str>) -> Self {
        self.at(file, 0..0)
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// A help for when no better one was found.
    pub fn help_if_none(mut self, help: impl Into<String>) -> Self {
        if self.help.is_none() {
            self.help = Some(help.into());
        }
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// The replacement a `did you mean `x`?` or `write `x`` help proposes, for tools that
    /// apply fixes.
    pub fn suggestion(&self) -> Option<&str> {
        let help = self.help.as_deref()?;
        let rest = help
            .strip_prefix("did you mean `")
            .or_else(|| help.strip_prefix("write `"))?;
        rest.split('`').next()
    }

    fn sort_key(&self) -> (Option<&str>, usize, Severity, &str) {
        let (file, start) = match &self.span {
            Some(s) => (Some(&*s.file), s.range.start),
            None => (None, 0),
        };
        (file, start, self.severity, self.code)
    }
}

/// The text of every file a diagnostic may point at, by display path.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: BTreeMap<Arc<str>, Source>,
}

/// A file's text and, once a position in it is asked for, where its lines start: 40,000
/// diagnostics in a large file must not each count lines from the top.
#[derive(Debug, Clone)]
struct Source {
    text: Arc<str>,
    lines: std::sync::OnceLock<Vec<usize>>,
}

impl SourceMap {
    pub fn add(&mut self, path: Arc<str>, text: Arc<str>) {
        let lines = Default::default();
        self.files.insert(path, Source { text, lines });
    }

    pub fn get(&self, path: &str) -> Option<&Arc<str>> {
        self.files.get(path).map(|s| &s.text)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, path: &str, offset: usize) -> Option<(usize, usize)> {
        let (text, starts) = self.lines(path)?;
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = starts.partition_point(|&s| s <= offset);
        let line_start = starts[line - 1];
        Some((line, text[line_start..offset].chars().count() + 1))
    }

    /// The text of a 1-based line, without its line end (as `str::lines` gives it).
    pub fn line(&self, path: &str, line: usize) -> Option<&str> {
        let (text, starts) = self.lines(path)?;
        let start = *starts.get(line.checked_sub(1)?)?;
        let end = starts.get(line).copied().unwrap_or(text.len());
        let l = &text[start..end];
        Some(match l.strip_suffix('\n') {
            Some(l) => l.strip_suffix('\r').unwrap_or(l),
            None => l,
        })
    }

    fn lines(&self, path: &str) -> Option<(&str, &[usize])> {
        let source = self.files.get(path)?;
        let starts = source.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(source.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        Some((&source.text, starts))
    }
}

pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Diagnostics in a stable order: by file, position, severity.
pub fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
    diags
}

pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(|d| d.severity == Severity::Error)
}

/// The closest of `candidates` to `wanted` by edit distance, if it is close enough to be a
/// plausible typo.
pub fn closest<'a, I: IntoIterator<Item = &'a str>>(
    wanted: &str,
    candidates: I,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::normalized_damerau_levenshtein(wanted, candidate);
        // Ties go to the alphabetically first candidate, so that output is deterministic
        // whatever order the candidates come in.
        let better = best.is_none_or(|(b, c)| score > b || (score == b && candidate < c));
        if better {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= 0.5).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "첫 줄\n한글 [링크](x.md)";
        let offset = text.find('[').unwrap();
        assert_eq!(line_col(text, offset), (2, 4));
    }

    #[test]
    fn the_source_map_agrees_with_line_col_and_lines() {
        let text = "a\r\n한글 b\n\nlast";
        let mut map = SourceMap::default();
        map.add("f".into(), text.into());
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                map.line_col("f", offset),
                Some(line_col(text, offset)),
                "{offset}"
            );
        }
        for (i, l) in text.lines().enumerate() {
            assert_eq!(map.line("f", i + 1), Some(l));
        }
        assert_eq!(map.line("f", 0), None);
        assert_eq!(map.line("f", 9), None);
    }

    #[test]
    fn closest_finds_typos_and_rejects_strangers() {
        assert_eq!(
            closest("titel", ["title", "theme", "language"]),
            Some("title")
        );
        assert_eq!(closest("zzzzzz", ["title", "theme"]), None);
    }
}
