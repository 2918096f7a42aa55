//! The only file that touches Tera. Loads the theme's templates (embedded default plus the
//! site's overrides) once, and renders a serialisable view model with one of them.

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
                Err(_) => diags.push(Diagnostic::error(
                    "template",
                    format!("template `{path}` is not valid UTF-8"),
                )),
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let key = crate::model::hash_of(&raw);
        tera.add_raw_templates(raw)
            .map_err(|e| vec![template_error(&e)])?;
        for required in ["page.html", "404.html"] {
            if tera.get_template(required).is_err() {
                diags.push(Diagnostic::error(
                    "template",
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
    Diagnostic::error("template", message)
        .help("fix the template, or delete your override to use the built-in one")
}

/// HTML escaping without Tera's `/` → `&#x2F;`, which makes every href unreadable.
fn escape(input: &str) -> String {
    super::escape_html(input)
}
