//! HTML escaping: the one function every text from Markdown, YAML, specs and diagrams goes
//! through before it reaches a page (Tera's templates use it too, see `render/templates.rs`).

/// Escapes `&`, `<`, `>`, `"` and `'`, so that the text is safe in element content and in
/// quoted attribute values alike.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + input.len() / 8);
    for c in input.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
