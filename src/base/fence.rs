//! The language of a code block, as every stage reads it: parse (diagrams, table directives),
//! render (highlighting) and search (code is weighted lower).

use pulldown_cmark::CodeBlockKind;

/// The language of a fenced block: the first word of its info string (`yaml` in
/// ```` ```yaml title="x" ````, `rust` in ```` ```rust,ignore ```` or ```` ```rust{1} ````).
pub fn fence_language(info: &str) -> &str {
    info.split([' ', ',', '{']).next().unwrap_or("")
}

/// The language of a code block; an indented block has none.
pub fn code_language(kind: &CodeBlockKind) -> String {
    match kind {
        CodeBlockKind::Fenced(info) => fence_language(info).to_string(),
        CodeBlockKind::Indented => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_language_is_the_first_word_of_the_info_string() {
        for (info, lang) in [
            ("yaml", "yaml"),
            ("yaml title=\"x\"", "yaml"),
            ("rust,ignore", "rust"),
            ("rust{1,3}", "rust"),
            ("", ""),
        ] {
            assert_eq!(fence_language(info), lang, "{info}");
        }
    }
}
