//! Diagnostic renderers: compiler-style text for people (codespan-reporting), and JSON lines
//! for CI and editors.

use super::{line_col, Diagnostic, Severity, SourceMap};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    Always,
    Never,
}

/// Renders diagnostics as a compiler would, followed by a one-line summary.
pub fn render_human(diags: &[Diagnostic], sources: &SourceMap, color: ColorMode) -> String {
    let mut files = SimpleFiles::new();
    let mut ids = HashMap::new();
    let mut buffer = match color {
        ColorMode::Always => Buffer::ansi(),
        ColorMode::Never => Buffer::no_color(),
    };
    let config = term::Config::default();
    let (shown, rest) = super::summary::split(diags);
    for diag in shown {
        let mut cs = match diag.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_code(diag.code)
        .with_message(&diag.message);
        if let Some(span) = &diag.span {
            if let Some(text) = sources.get(&span.file) {
                let id = *ids
                    .entry(span.file.clone())
                    .or_insert_with(|| files.add(span.file.to_string(), text.clone()));
                let range = clamp(text, span.range.clone());
                let mut label = Label::primary(id, range);
                if let Some(l) = &diag.label {
                    label = label.with_message(l);
                }
                cs = cs.with_labels(vec![label]);
            } else {
                cs = cs.with_notes(vec![format!("in {}", span.file)]);
            }
        }
        if let Some(help) = &diag.help {
            cs.notes.push(format!("help: {help}"));
        }
        // Writing into an in-memory buffer cannot fail for I/O reasons.
        let _ = term::emit_to_write_style(&mut buffer, &config, &files, &cs);
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    out.push_str(&super::summary::more(&rest, sources));
    if diags.len() > super::summary::SHOWN_PER_CODE {
        out.push_str(&super::summary::table(diags));
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    if !diags.is_empty() {
        out.push_str(&format!(
            "{} error{}, {} warning{}\n",
            errors,
            plural(errors),
            warnings,
            plural(warnings)
        ));
    }
    out
}

use super::summary::plural;

/// codespan panics on ranges that are out of bounds or split a character.
fn clamp(text: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut start = range.start.min(text.len());
    let mut end = range.end.min(text.len()).max(start);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// One JSON object per line per diagnostic.
pub fn render_json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for diag in diags {
        out.push_str(&json_value(diag, sources).to_string());
        out.push('\n');
    }
    out
}

/// A diagnostic as JSON: file, line, column, end, severity, code, message, label, help,
/// target, suggestion, and the source line it points at (`snippet`).
pub fn json_value(diag: &Diagnostic, sources: &SourceMap) -> serde_json::Value {
    let located = diag
        .span
        .as_ref()
        .and_then(|span| Some((span, sources.get(&span.file)?)));
    let (file, (line, column), (end_line, end_column), snippet) = match (located, &diag.span) {
        (Some((span, text)), _) => {
            let at = |offset| {
                sources
                    .line_col(&span.file, offset)
                    .unwrap_or_else(|| line_col(text, offset))
            };
            let start = at(span.range.start);
            let snippet = sources.line(&span.file, start.0).unwrap_or("").to_string();
            (
                Some(span.file.to_string()),
                start,
                at(span.range.end),
                Some(snippet),
            )
        }
        (None, Some(span)) => (Some(span.file.to_string()), (0, 0), (0, 0), None),
        (None, None) => (None, (0, 0), (0, 0), None),
    };
    serde_json::json!({
        "severity": diag.severity,
        "code": diag.code,
        "message": diag.message,
        "file": file,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "label": diag.label,
        "help": diag.help,
        "target": diag.target,
        "suggestion": diag.suggestion(),
        "snippet": snippet,
    })
}

/// GitHub Actions workflow commands: one annotation per diagnostic on the pull request's lines.
pub fn render_github(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for diag in diags {
        let level = match diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(span) = &diag.span {
            props.push(format!("file={}", escape_property(&span.file)));
            if let (Some((line, col)), Some((end_line, end_col))) = (
                sources.line_col(&span.file, span.range.start),
                sources.line_col(&span.file, span.range.end),
            ) {
                props.push(format!(
                    "line={line},col={col},endLine={end_line},endColumn={end_col}"
                ));
            }
        }
        props.push(format!("title={}", escape_property(diag.code)));
        let mut message = diag.message.clone();
        if let Some(help) = &diag.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::codes;
    use std::sync::Arc;

    #[test]
    fn human_rendering_names_file_line_and_help() {
        let mut sources = SourceMap::default();
        let file: Arc<str> = "content/a.md".into();
        sources.add(file.clone(), "# 제목\n\n[링크](missing.md)\n".into());
        let d = Diagnostic::new(codes::BROKEN_LINK, "`missing.md` does not exist")
            .at(&file, 10..27)
            .label("no such file")
            .help("did you mean `mission.md`?");
        let text = render_human(&[d], &sources, ColorMode::Never);
        assert!(
            text.contains("error[broken-link]: `missing.md` does not exist"),
            "{text}"
        );
        assert!(text.contains("content/a.md:3:1"), "{text}");
        assert!(text.contains("help: did you mean `mission.md`?"), "{text}");
        assert!(text.ends_with("1 error, 0 warnings\n"), "{text}");
    }

    #[test]
    fn json_has_positions() {
        let mut sources = SourceMap::default();
        let file: Arc<str> = "a.md".into();
        sources.add(file.clone(), "ab\ncd".into());
        let d = Diagnostic::new(codes::ORPHAN_PAGE, "m").at(&file, 3..5);
        let line: serde_json::Value =
            serde_json::from_str(render_json(&[d], &sources).trim()).unwrap();
        assert_eq!(line["line"], 2);
        assert_eq!(line["column"], 1);
        assert_eq!(line["severity"], "warning");
    }

    #[test]
    fn github_annotations_escape_and_locate() {
        let mut sources = SourceMap::default();
        let file: Arc<str> = "docs/a,b.md".into();
        sources.add(file.clone(), "ab\ncd".into());
        let d = Diagnostic::new(codes::BROKEN_LINK, "50% broken: x")
            .at(&file, 3..5)
            .help("did you mean `y`?");
        assert_eq!(
            render_github(&[d], &sources),
            "::error file=docs/a%2Cb.md,line=2,col=1,endLine=2,endColumn=3,title=broken-link::50%25 broken: x%0Ahelp: did you mean `y`?\n"
        );
    }
}
