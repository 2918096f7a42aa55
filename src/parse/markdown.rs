//! The one pass over a page's Markdown: the events, kept as the page's `Document`, each with
//! what it is to the later stages (the n-th heading, link, data directive, diagram: its
//! `Slot`), and what those stages check or index: the headings with their ids, the links, the
//! anchors of raw HTML, the title. `render` and `search` read the document; nothing parses
//! the Markdown again.

use super::inline::{html_link_values, merge_text, plain_paths, Context};
use crate::base::markdown::markdown_options;
use crate::base::slug::{github_slug, SlugCounter};
use crate::base::text::count_letters;
use crate::diag::Diagnostic;
use crate::diagram::of_fence;
use crate::model::data::{inline_ref, is_table_fence, DataRef, ValueRef};
use crate::model::document::{Block, Builder, Document, Slot};
use crate::model::{Diagram, Heading, Link, LinkKind};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};
use regex::Regex;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

#[derive(Debug, Default)]
pub struct Scanned {
    pub first_h1: Option<String>,
    pub starts_with_h1: bool,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub anchors: Vec<String>,
    pub letters: (usize, usize),
    /// Data tables and inline values, in document order.
    pub data: Vec<DataRef>,
    /// ```` ```mermaid ```` blocks, in document order.
    pub diagrams: Vec<Diagram>,
    /// The events and what each is (`model::document`).
    pub document: Document,
    pub diags: Vec<Diagnostic>,
}

struct OpenHeading {
    level: u8,
    explicit_id: Option<String>,
    text: String,
    start: usize,
}

/// Scans `body`, whose first byte is at `offset` in `text` (the whole file, `file` its name).
pub fn scan(text: &str, offset: usize, file: &Arc<str>) -> Scanned {
    let body = &text[offset..];
    let mut out = Scanned::default();
    let mut doc = Builder::new(text);
    let mut open: Option<OpenHeading> = None;
    let mut pending = Vec::new();
    let mut first_block = true;
    let mut context = Context::default();
    let mut diagram: Option<Diagram> = None;
    let events = merge_text(Parser::new_ext(body, markdown_options()).into_offset_iter());
    for (event, range) in events {
        let range = range.start + offset..range.end + offset;
        let position = doc.next_position();
        context.observe(&event);
        if let Some(d) = &mut diagram {
            match &event {
                Event::Text(t) => {
                    let mut source = d.source.to_string();
                    source.push_str(t);
                    d.source = source.into();
                }
                Event::End(TagEnd::CodeBlock) => out.diagrams.extend(diagram.take()),
                _ => {}
            }
            doc.push(event);
            continue;
        }
        match &event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                if first_block && *level == HeadingLevel::H1 {
                    out.starts_with_h1 = true;
                }
                doc.slot(position, Slot::Heading(pending.len() as u32));
                open = Some(OpenHeading {
                    level: *level as u8,
                    explicit_id: id.as_ref().map(|i| i.to_string()),
                    text: String::new(),
                    start: range.start,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = open.take() {
                    doc.slot(position, Slot::Heading(pending.len() as u32));
                    let text = h.text.trim().to_string();
                    if h.level == 1 && out.first_h1.is_none() {
                        out.first_h1 = Some(text.clone());
                    }
                    pending.push((h.level, h.explicit_id, text, h.start..range.end));
                }
            }
            Event::Text(t) => {
                count_letters(t, &mut out.letters);
                if let Some(h) = &mut open {
                    h.text.push_str(t);
                }
                if context.plain_paths_allowed() {
                    let found = plain_paths(t);
                    if !found.is_empty() {
                        doc.slot(
                            position,
                            Slot::Paths {
                                first: out.links.len() as u32,
                                ranges: found
                                    .iter()
                                    .map(|r| r.start as u32..r.end as u32)
                                    .collect(),
                            },
                        );
                    }
                    for found in found {
                        let span = locate(text, &range, &t[found.clone()]);
                        out.links.push(Link {
                            kind: LinkKind::PlainPath,
                            dest: t[found].to_string(),
                            span,
                        });
                    }
                }
            }
            Event::Code(t) => {
                if let Some(reference) = inline_ref(t) {
                    doc.slot(position, Slot::Value(out.data.len() as u32));
                    let span = range.clone();
                    out.data.push(DataRef::Value(ValueRef { reference, span }));
                }
                count_letters(t, &mut out.letters);
                if let Some(h) = &mut open {
                    h.text.push_str(t);
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let dest = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                doc.slot(position, Slot::Link(out.links.len() as u32));
                out.links.push(Link {
                    kind: LinkKind::Link,
                    dest,
                    span: range,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                doc.slot(position, Slot::Link(out.links.len() as u32));
                out.links.push(Link {
                    kind: LinkKind::Image,
                    dest: dest_url.to_string(),
                    span: range,
                });
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.as_ref(),
                    CodeBlockKind::Indented => "",
                };
                let fenced = matches!(kind, CodeBlockKind::Fenced(_));
                let language = if fenced { of_fence(info) } else { None };
                let block = if let Some(language) = language {
                    let first_line = text[range.clone()]
                        .find('\n')
                        .map_or(range.end, |i| range.start + i + 1);
                    diagram = Some(Diagram {
                        language: language.name,
                        source: "".into(),
                        start: first_line,
                        end: range.end,
                    });
                    Block::Diagram(out.diagrams.len() as u32)
                } else if fenced && is_table_fence(info) {
                    let (directive, diags) = super::table::parse_table(text, range.clone(), file);
                    out.data.push(DataRef::Table(directive));
                    out.diags.extend(diags);
                    Block::Table(out.data.len() as u32 - 1)
                } else {
                    Block::Code
                };
                let span = range.start as u32..range.end as u32;
                doc.slot(
                    position,
                    Slot::Code {
                        block,
                        fenced,
                        span,
                    },
                );
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                out.anchors.extend(html_anchors(html));
                let values = html_link_values(html);
                if !values.is_empty() {
                    doc.slot(
                        position,
                        Slot::HtmlLinks {
                            first: out.links.len() as u32,
                            values: values
                                .iter()
                                .map(|v| v.start as u32..v.end as u32)
                                .collect(),
                        },
                    );
                }
                for value in values {
                    let start = range.start + value.start;
                    let dest = html[value.clone()].replace("&amp;", "&");
                    let span = if text.get(start..start + value.len()) == Some(&html[value.clone()])
                    {
                        start..start + value.len()
                    } else {
                        range.clone()
                    };
                    out.links.push(Link {
                        kind: LinkKind::Html,
                        dest,
                        span,
                    });
                }
            }
            _ => {}
        }
        doc.push(event);
        first_block = false;
    }
    // Links written in diagrams (PlantUML's `[[url]]`) are links of the page, placed in the
    // file where the diagram's text is the file's (else at the diagram's first line).
    for d in &out.diagrams {
        let Some(language) = crate::diagram::language(d.language) else {
            continue;
        };
        for range in (language.links)(&d.source) {
            let dest = d.source[range.clone()].to_string();
            let at = d.start + range.start;
            let span = if text.get(at..at + dest.len()) == Some(dest.as_str()) {
                at..at + dest.len()
            } else {
                d.start..d.start
            };
            out.links.push(Link {
                kind: LinkKind::Html,
                dest,
                span,
            });
        }
    }
    out.anchors
        .extend(super::table::number_anchors(&mut out.data));
    let mut counter = SlugCounter::default();
    for (_, explicit, _, _) in &pending {
        if let Some(id) = explicit {
            counter.reserve_explicit(id);
        }
    }
    for (level, explicit, text, span) in pending {
        let (id, explicit) = match explicit {
            Some(id) => (id, true),
            None => (counter.unique(github_slug(&text)), false),
        };
        out.anchors.push(id.clone());
        out.headings.push(Heading {
            level,
            number: section_number(&text),
            text,
            id,
            explicit,
            span,
        });
    }
    out.document = doc.finish();
    out
}

/// The source range of `needle` inside the event's range (text events may hold unescaped
/// text, so search rather than compute).
fn locate(text: &str, range: &Range<usize>, needle: &str) -> Range<usize> {
    text.get(range.clone())
        .and_then(|source| source.find(needle))
        .map_or(range.clone(), |i| {
            range.start + i..range.start + i + needle.len()
        })
}

/// `id="..."` and `name="..."` attributes in a fragment of raw HTML.
fn html_anchors(html: &str) -> Vec<String> {
    static ATTR: OnceLock<Regex> = OnceLock::new();
    let re = ATTR
        .get_or_init(|| Regex::new(r#"(?i)\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')"#).unwrap());
    re.captures_iter(html)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .map(|m| m.as_str().to_string())
        .collect()
}

/// The leading section number of a heading: `2.1` in `2.1 환경별 특성 비교` or `3.` in `3. 네트워크`.
pub fn section_number(text: &str) -> Option<String> {
    // Most headings start with a letter: no regex for them (`is_numeric` covers `\d`).
    if !text.starts_with(|c: char| c.is_numeric()) {
        return None;
    }
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    let re = NUMBER.get_or_init(|| Regex::new(r"^(\d+(?:\.\d+)*)\.?(?:\s|$)").unwrap());
    re.captures(text).map(|c| c[1].to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn diagram_fences_name_their_language() {
        let s = scan(
            "```Mermaid {theme: dark}\ngraph TB\n```\n\n```mermaid-js\nx\n```\n",
            0,
            &file(),
        );
        assert_eq!(s.diagrams.len(), 1);
        assert_eq!(s.diagrams[0].language, "mermaid");
    }

    use super::*;

    fn file() -> Arc<str> {
        "t.md".into()
    }

    #[test]
    fn headings_get_github_ids_and_explicit_ids_win() {
        let s = scan(
            "# 제목\n\n## 2.1 환경별 특성 비교\n\n## 같은\n\n## 같은\n\n## 다른 {#custom}\n",
            0,
            &file(),
        );
        let ids: Vec<_> = s.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            ["제목", "21-환경별-특성-비교", "같은", "같은-1", "custom"]
        );
        assert_eq!(s.headings[1].number.as_deref(), Some("2.1"));
        assert!(s.starts_with_h1);
        assert_eq!(s.first_h1.as_deref(), Some("제목"));
    }

    #[test]
    fn heading_text_includes_inline_code() {
        let s = scan("## The `serve` command\n", 0, &file());
        assert_eq!(s.headings[0].id, "the-serve-command");
    }

    #[test]
    fn links_images_and_html_anchors_are_collected() {
        let s = scan("[a](x.md#y) ![i](p.png) <a id=\"here\"></a> <me@example.com>\n\n[r]: ref.md\n\n[ref][r]\n", 0, &file());
        let dests: Vec<_> = s.links.iter().map(|l| l.dest.as_str()).collect();
        assert_eq!(
            dests,
            ["x.md#y", "p.png", "mailto:me@example.com", "ref.md"]
        );
        assert_eq!(s.links[1].kind, LinkKind::Image);
        assert!(s.anchors.contains(&"here".to_string()));
    }

    #[test]
    fn plain_paths_in_list_items_and_html_links_are_links() {
        let text = "- 논리: design/backend_x/logical.md\n\nnot design/x.md here\n\n<a href=\"a.md?x=1&amp;y\">a</a>\n";
        let s = scan(text, 0, &file());
        let found: Vec<_> = s
            .links
            .iter()
            .map(|l| (l.kind, l.dest.as_str(), &text[l.span.clone()]))
            .collect();
        assert_eq!(
            found,
            [
                (
                    LinkKind::PlainPath,
                    "design/backend_x/logical.md",
                    "design/backend_x/logical.md"
                ),
                (LinkKind::Html, "a.md?x=1&y", "a.md?x=1&amp;y"),
            ]
        );
    }

    proptest::proptest! {
        /// The shortcut for headings that start with a letter agrees with the pattern.
        #[test]
        fn section_numbers_follow_the_pattern(text in "[0-9٠-٩²a-z가-힣. \t]{0,8}") {
            let re = regex::Regex::new(r"^(\d+(?:\.\d+)*)\.?(?:\s|$)").unwrap();
            let by_pattern = re.captures(&text).map(|c| c[1].to_string());
            proptest::prop_assert_eq!(section_number(&text), by_pattern);
        }
    }

    #[test]
    fn section_numbers() {
        assert_eq!(section_number("3. 네트워크"), Some("3".into()));
        assert_eq!(section_number("3.2.1 보안"), Some("3.2.1".into()));
        assert_eq!(section_number("2024년 계획"), None);
        assert_eq!(section_number("개요"), None);
    }

    #[test]
    fn starts_with_h1_only_when_first() {
        assert!(!scan("intro\n\n# late\n", 0, &file()).starts_with_h1);
    }
}
