//! A spec's descriptions (CommonMark, as OpenAPI says) into the page's document: the same
//! events a page's Markdown gives, so that render draws them, search indexes them and resolve
//! checks their links like any page's. What would not be safe in a spec is made so here: raw
//! HTML is shown as text (a spec is often written by another team or generated), links to
//! `javascript:` and other script schemes are left as their text, and a description's headings
//! become bold paragraphs (the page's own headings are its operations and schemas).

use super::read::Reader;
use crate::base::markdown::markdown_options;
use crate::base::yaml::Node;
use crate::model::api::Text;
use crate::model::document::{Block, Slot};
use crate::model::{Link, LinkKind};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};
use std::ops::Range;

impl<'t> Reader<'t, '_> {
    /// A description (a text value of the spec) as Markdown in the document; `None` when the
    /// node is absent, empty or not text.
    pub fn markdown(&mut self, node: Option<&Node>) -> Option<Text> {
        let node = node?;
        let value = node.as_str()?;
        if value.trim().is_empty() {
            return None;
        }
        self.words(value);
        let start = self.doc.next_position();
        let span = node.span.clone();
        let raw: &'t str = self.text.get(span.clone()).unwrap_or("");
        if raw == value {
            // A plain scalar: the events borrow from the page's text, spans are exact.
            let base = span.start;
            self.push_markdown(raw, &|r: Range<usize>| r.start + base..r.end + base, &|e| e);
        } else {
            // A block or quoted scalar: each line is found in the file to place links.
            let owned = value.to_string();
            let locate = |r: Range<usize>| locate(raw, &owned, r, span.start);
            self.push_markdown(&owned, &locate, &|e| e.into_static());
        }
        let end = self.doc.next_position();
        Some(Text { events: start..end })
    }

    fn push_markdown<'s>(
        &mut self,
        source: &'s str,
        place: &dyn Fn(Range<usize>) -> Range<usize>,
        keep: &dyn Fn(Event<'s>) -> Event<'t>,
    ) {
        // Per open link or image: whether it was dropped (its end is dropped too).
        let mut dropped: Vec<bool> = Vec::new();
        for (event, range) in Parser::new_ext(source, markdown_options()).into_offset_iter() {
            let position = self.doc.next_position();
            match event {
                Event::Html(html) | Event::InlineHtml(html) => {
                    self.doc.push(keep(Event::Text(html)));
                }
                Event::Start(Tag::Heading { .. }) => {
                    self.doc.push(Event::Start(Tag::Paragraph));
                    self.doc.push(Event::Start(Tag::Strong));
                }
                Event::End(TagEnd::Heading(_)) => {
                    self.doc.push(Event::End(TagEnd::Strong));
                    self.doc.push(Event::End(TagEnd::Paragraph));
                }
                Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {
                    // Its HTML is shown as text: in a paragraph of its own.
                    let start = matches!(event, Event::Start(_));
                    self.doc.push(if start {
                        Event::Start(Tag::Paragraph)
                    } else {
                        Event::End(TagEnd::Paragraph)
                    });
                }
                Event::Start(Tag::Link { ref dest_url, .. })
                | Event::Start(Tag::Image { ref dest_url, .. }) => {
                    if runs_script(dest_url) {
                        dropped.push(true);
                        continue;
                    }
                    dropped.push(false);
                    let image = matches!(event, Event::Start(Tag::Image { .. }));
                    self.doc.slot(position, Slot::Link(self.links.len() as u32));
                    self.links.push(Link {
                        kind: if image {
                            LinkKind::Image
                        } else {
                            LinkKind::Link
                        },
                        dest: dest_url.to_string(),
                        span: place(range),
                    });
                    self.doc.push(keep(event));
                }
                Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                    if !dropped.pop().unwrap_or(false) {
                        self.doc.push(keep(event));
                    }
                }
                Event::Start(Tag::CodeBlock(ref kind)) => {
                    let span = place(range);
                    self.doc.slot(
                        position,
                        Slot::Code {
                            block: Block::Code,
                            fenced: matches!(kind, CodeBlockKind::Fenced(_)),
                            span: span.start as u32..span.end as u32,
                        },
                    );
                    self.doc.push(keep(event));
                }
                other => self.doc.push(keep(other)),
            }
        }
    }

    /// A plain text of the spec (a summary, a title) seen by language detection.
    pub fn words(&mut self, text: &str) {
        crate::base::text::count_letters(text, &mut self.letters);
    }
}

/// Whether a link's destination would run script when followed.
fn runs_script(dest: &CowStr) -> bool {
    let scheme: String = dest
        .trim_start()
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take(11)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| scheme.starts_with(s))
}

/// Where a range of a block or quoted scalar's value is in the file: its line of the value is
/// looked for in the scalar's source (`raw`, at `base`); the scalar's start when it is not
/// found (a folded line).
fn locate(raw: &str, value: &str, range: Range<usize>, base: usize) -> Range<usize> {
    let at = range.start.min(value.len());
    let line_start = value[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = value[at..].find('\n').map_or(value.len(), |i| at + i);
    let line = &value[line_start..line_end];
    match (!line.is_empty()).then(|| raw.find(line)).flatten() {
        Some(found) => {
            let start = base + found + (at - line_start);
            let len = range.end.saturating_sub(range.start).min(line_end - at);
            start..start + len.max(1)
        }
        None => base..base + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_schemes_are_recognised_through_case_and_blanks() {
        for dest in [
            "javascript:alert(1)",
            " JaVaScRiPt:x",
            "java\tscript:x",
            "data:text/html,x",
        ] {
            assert!(runs_script(&CowStr::from(dest)), "{dest}");
        }
        for dest in ["https://x", "users.yaml#op-x", "#schema-User", "mailto:a@b"] {
            assert!(!runs_script(&CowStr::from(dest)), "{dest}");
        }
    }

    #[test]
    fn a_line_of_a_block_scalar_is_found_in_the_file() {
        let file = "description: |\n  첫 줄\n  [링크](a.md) 둘째\n";
        let raw_start = file.find('|').unwrap();
        let raw = &file[raw_start..];
        let value = "첫 줄\n[링크](a.md) 둘째\n";
        let link = value.find('[').unwrap();
        let r = locate(raw, value, link..link + 14, raw_start);
        assert_eq!(&file[r.start..r.start + 14], "[링크](a.md)");
    }
}
