//! Helpers of the one pass over a page's events: links in raw HTML, plain-text path references
//! in list items, and the merging of adjacent text events (the parser splits text at would-be
//! emphasis delimiters, which would split a path like `design/backend_api.md` in two). What
//! they find is recorded in the page's `Document` (as slots), which `render` reads.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use regex::Regex;
use std::ops::Range;
use std::sync::OnceLock;

/// Byte ranges of the `href` of `<a>` and `src` of `<img>` values in a fragment of raw HTML.
pub fn html_link_values(html: &str) -> Vec<Range<usize>> {
    static LINK: OnceLock<Regex> = OnceLock::new();
    let re = LINK.get_or_init(|| {
        Regex::new(r#"(?is)<(?:a|img)\b[^>]*?\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')"#)
            .unwrap()
    });
    re.captures_iter(html)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.range())
        .collect()
}

/// Byte ranges of path-like words ending in a publishable extension, such as
/// `design/backend/logical/logical-architecture.md` or `./api/user.yaml`.
pub fn plain_paths(text: &str) -> Vec<Range<usize>> {
    static PATH: OnceLock<Regex> = OnceLock::new();
    let re = PATH.get_or_init(|| {
        Regex::new(
            r"(?:^|[\s(（:：,])((?:\.{1,2}/)?[\p{L}\p{N}_.-]+(?:/[\p{L}\p{N}_.-]+)*\.(?:md|markdown|ya?ml|mmd|sql|puml|json))(?:$|[\s)）,.;:!?])",
        )
        .unwrap()
    });
    let mut out = Vec::new();
    let mut at = 0;
    // Captures do not overlap their delimiters, so walk by hand to allow adjacent paths.
    while let Some(c) = re.captures_at(text, at) {
        let m = c.get(1).expect("group 1 always takes part");
        out.push(m.range());
        at = m.end();
    }
    out
}

/// Where in the document an event is, as far as plain-path detection cares.
#[derive(Debug, Default)]
pub struct Context {
    items: usize,
    links: usize,
    headings: usize,
    code: usize,
}

impl Context {
    pub fn observe(&mut self, event: &Event) {
        let (counter, delta): (&mut usize, isize) = match event {
            Event::Start(Tag::Item) => (&mut self.items, 1),
            Event::End(TagEnd::Item) => (&mut self.items, -1),
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => (&mut self.links, 1),
            Event::End(TagEnd::Link | TagEnd::Image) => (&mut self.links, -1),
            Event::Start(Tag::Heading { .. }) => (&mut self.headings, 1),
            Event::End(TagEnd::Heading(_)) => (&mut self.headings, -1),
            Event::Start(Tag::CodeBlock(_)) => (&mut self.code, 1),
            Event::End(TagEnd::CodeBlock) => (&mut self.code, -1),
            _ => return,
        };
        *counter = counter.saturating_add_signed(delta);
    }

    /// Plain paths are linked only in list items' ordinary text.
    pub fn plain_paths_allowed(&self) -> bool {
        self.items > 0 && self.links == 0 && self.headings == 0 && self.code == 0
    }
}

/// Merges runs of adjacent `Text` events (with their source ranges) into one.
pub fn merge_text<'a, I>(events: I) -> impl Iterator<Item = (Event<'a>, Range<usize>)>
where
    I: Iterator<Item = (Event<'a>, Range<usize>)>,
{
    let mut events = events.peekable();
    std::iter::from_fn(move || {
        let (event, range) = events.next()?;
        let Event::Text(first) = event else {
            return Some((event, range));
        };
        if !matches!(events.peek(), Some((Event::Text(_), _))) {
            return Some((Event::Text(first), range));
        }
        let mut text = first.into_string();
        let mut end = range.end;
        while let Some((Event::Text(next), r)) =
            events.next_if(|(e, _)| matches!(e, Event::Text(_)))
        {
            text.push_str(&next);
            end = r.end;
        }
        Some((Event::Text(CowStr::from(text)), range.start..end))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_html_link_values() {
        let html = r#"<a class="x" href="a.md#b">x</a> <IMG src='p.png'> <a name="n">"#;
        let found: Vec<_> = html_link_values(html)
            .into_iter()
            .map(|r| &html[r])
            .collect();
        assert_eq!(found, ["a.md#b", "p.png"]);
    }

    #[test]
    fn finds_plain_paths_but_not_prose() {
        let text = "HighLevel아키텍처정의서: design/high-level-architecture.md, API: design/backend/api/*.yaml 그리고 ./a_b.md.";
        let found: Vec<_> = plain_paths(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["design/high-level-architecture.md", "./a_b.md"]);
        assert!(plain_paths("version 1.2 and e.g. this").is_empty());
        assert!(plain_paths("https://example.com/a.md").is_empty());
    }

    #[test]
    fn merges_split_text() {
        let md = "- see design/backend_api_x.md now\n";
        let parser = pulldown_cmark::Parser::new(md).into_offset_iter();
        let texts: Vec<_> = merge_text(parser)
            .filter_map(|(e, r)| match e {
                Event::Text(t) => Some((t.to_string(), r)),
                _ => None,
            })
            .collect();
        assert_eq!(texts.len(), 1);
        assert_eq!(&md[texts[0].1.clone()], "see design/backend_api_x.md now");
    }
}
