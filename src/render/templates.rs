//! The only file that touches Tera. Loads the theme's templates (embedded default plus the
//! site's overrides) once, and renders a serialisable view model with one of them.

use crate::diag::codes;
use crate::diag::Diagnostic;
use serde::Serialize;
use std::collections::BTreeMap;

pub struct Templates {
    tera: tera::Tera,
    /// Hash of every template's source: rendered pages cached under another key are stale.
    pub key: u64,
}

impl Templates {
    /// `files` maps theme-relative paths (`templates/page.html`) to their bytes.
    pub fn load(files: &BTreeMap<String, Vec<u8>>) -> Result<Templates, Vec<Diagnostic>> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape);
        let mut raw = Vec::new();
        let mut diags = Vec::new();
        for (path, bytes) in files {
            let Some(name) = path.strip_prefix("templates/") else {
                continue;
            };
            match std::str::from_utf8(bytes) {
                Ok(text) => raw.push((name.to_string(), text.to_string())),
                Err(_) => diags.push(Diagnostic::new(
                    codes::TEMPLATE,
                    format!("template `{path}` is not valid UTF-8"),
                )),
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let key = crate::model::hash_of(&raw);
        if let Err(e) = tera.add_raw_templates(raw.clone()) {
            return Err(vec![parse_error(&e, &raw)]);
        }
        for required in ["page.html", "404.html"] {
            if tera.get_template(required).is_err() {
                diags.push(Diagnostic::new(
                    codes::TEMPLATE,
                    format!("the theme has no `templates/{required}`"),
                ));
            }
        }
        if diags.is_empty() {
            Ok(Templates { tera, key })
        } else {
            Err(diags)
        }
    }

    pub fn render<T: Serialize>(&self, name: &str, view: &T) -> Result<String, Diagnostic> {
        let context = tera::Context::from_serialize(view).map_err(|e| template_error(&e))?;
        self.tera
            .render(name, &context)
            .map_err(|e| template_error(&e))
    }
}

/// Tera's message chain (`Failed to render 'page.html'` → `Variable 'x' not found ...`) in one line.
fn template_error(err: &tera::Error) -> Diagnostic {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    Diagnostic::new(codes::TEMPLATE, message)
        .help("fix the template, or delete your override to use the built-in one")
}

/// A template that does not parse: Tera's message without pest's drawing of the line, placed
/// at the line and column pest gives, in `templates/<name>` (the pipeline maps that theme path
/// to the file it came from).
fn parse_error(err: &tera::Error, raw: &[(String, String)]) -> Diagnostic {
    let mut diag = template_error(err);
    let Some(name) = err
        .to_string()
        .strip_prefix("Failed to parse '")
        .and_then(|rest| rest.split_once('\'').map(|(name, _)| name.to_string()))
    else {
        return diag;
    };
    let position = diag.message.lines().find_map(|l| {
        let (line, column) = l.split("--> ").nth(1)?.trim().split_once(':')?;
        Some((line.parse::<usize>().ok()?, column.parse::<usize>().ok()?))
    });
    let expected = diag
        .message
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .map(str::to_string);
    if let Some(expected) = expected {
        diag.message = format!("Failed to parse '{name}': {expected}");
    }
    let text = raw
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.as_str());
    if let (Some((line, column)), Some(text)) = (position, text) {
        let at = offset_of(text, line, column);
        diag = diag.at(&format!("templates/{name}").into(), at..at);
    }
    diag
}

/// Byte offset of a 1-based line and column (in characters), clamped to the text.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let rest = &text[start..];
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// HTML escaping without Tera's `/` → `&#x2F;`, which makes every href unreadable.
fn escape(input: &str) -> String {
    crate::base::escape_html(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_is_placed_at_its_line_without_pest_drawing() {
        let files = BTreeMap::from([
            (
                "templates/page.html".to_string(),
                b"<p>\n{% if x %}\n".to_vec(),
            ),
            ("templates/404.html".to_string(), b"x".to_vec()),
        ]);
        let Err(diags) = Templates::load(&files) else {
            panic!("a broken template loaded")
        };
        let span = diags[0].span.clone().expect("a place");
        assert_eq!(&*span.file, "templates/page.html");
        assert_eq!(span.range, 15..15, "{diags:?}");
        assert!(!diags[0].message.contains('\n'), "{}", diags[0].message);
        assert!(diags[0]
            .message
            .starts_with("Failed to parse 'page.html': expected"));
    }

    #[test]
    fn offsets_count_characters() {
        assert_eq!(offset_of("ab\n한글x\n", 2, 3), 9);
        assert_eq!(offset_of("ab", 9, 9), 2);
    }
}
