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

/// A fenced code block (its byte range in `text`) that is never closed and runs to the end of
/// the page, hiding the rest of it: its opening line's indent, and its fence (```` ``` ````).
pub fn unclosed_fence(text: &str, range: &std::ops::Range<usize>) -> Option<(usize, String)> {
    let block = &text[range.clone()];
    let first_line = block.lines().next()?;
    let indent = first_line.len() - first_line.trim_start().len();
    let fence_char = first_line.trim_start().chars().next()?;
    let fence_len = first_line
        .trim_start()
        .chars()
        .take_while(|&c| c == fence_char)
        .count();
    let last = block.trim_end().lines().last().unwrap_or("").trim();
    let closed = block.lines().count() > 1
        && last.len() >= fence_len
        && last.chars().all(|c| c == fence_char);
    let reaches_end = text[range.end..].trim().is_empty();
    if closed || !reaches_end {
        return None;
    }
    Some((indent, std::iter::repeat_n(fence_char, fence_len).collect()))
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
