//! One pass over a page's Markdown events that collects what the later stages need: the
//! headings with their ids, the links, the anchors of raw HTML, the title. The renderer reads
//! the same events again in the same order, so the n-th link or heading here is the n-th there.

use crate::model::{Heading, Link, LinkKind};
use crate::resolve::slug::{github_slug, SlugCounter};
use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use regex::Regex;
use std::sync::OnceLock;

pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

#[derive(Debug, Default)]
pub struct Scanned {
    pub first_h1: Option<String>,
    pub starts_with_h1: bool,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub anchors: Vec<String>,
    pub letters: (usize, usize),
}

struct OpenHeading {
    level: u8,
    explicit_id: Option<String>,
    text: String,
    start: usize,
}

/// Scans `body`, whose first byte is at `offset` in the file.
pub fn scan(body: &str, offset: usize) -> Scanned {
    let mut out = Scanned::default();
    let mut open: Option<OpenHeading> = None;
    let mut pending = Vec::new();
    let mut first_block = true;
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        let range = range.start + offset..range.end + offset;
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                if first_block && level == HeadingLevel::H1 {
                    out.starts_with_h1 = true;
                }
                open = Some(OpenHeading {
                    level: level as u8,
                    explicit_id: id.map(|i| i.to_string()),
                    text: String::new(),
                    start: range.start,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = open.take() {
                    let text = h.text.trim().to_string();
                    if h.level == 1 && out.first_h1.is_none() {
                        out.first_h1 = Some(text.clone());
                    }
                    pending.push((h.level, h.explicit_id, text, h.start..range.end));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                count_letters(&t, &mut out.letters);
                if let Some(h) = &mut open {
                    h.text.push_str(&t);
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
                out.links.push(Link {
                    kind: LinkKind::Link,
                    dest,
                    span: range,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                out.links.push(Link {
                    kind: LinkKind::Image,
                    dest: dest_url.to_string(),
                    span: range,
                });
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                out.anchors.extend(html_anchors(&html));
            }
            _ => {}
        }
        first_block = false;
    }
    let mut counter = SlugCounter::default();
    for (_, explicit, _, _) in &pending {
        if let Some(id) = explicit {
            counter.reserve_explicit(id);
        }
    }
    for (level, explicit, text, span) in pending {
        let id = match explicit {
            Some(id) => id,
            None => counter.unique(github_slug(&text)),
        };
        out.anchors.push(id.clone());
        out.headings.push(Heading {
            level,
            number: section_number(&text),
            text,
            id,
            span,
        });
    }
    out
}

fn count_letters(text: &str, letters: &mut (usize, usize)) {
    for c in text.chars() {
        if ('\u{ac00}'..='\u{d7a3}').contains(&c) {
            letters.0 += 1;
        } else if c.is_ascii_alphabetic() {
            letters.1 += 1;
        }
    }
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
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    let re = NUMBER.get_or_init(|| Regex::new(r"^(\d+(?:\.\d+)*)\.?(?:\s|$)").unwrap());
    re.captures(text).map(|c| c[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_github_ids_and_explicit_ids_win() {
        let s = scan(
            "# 제목\n\n## 2.1 환경별 특성 비교\n\n## 같은\n\n## 같은\n\n## 다른 {#custom}\n",
            0,
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
        let s = scan("## The `serve` command\n", 0);
        assert_eq!(s.headings[0].id, "the-serve-command");
    }

    #[test]
    fn links_images_and_html_anchors_are_collected() {
        let s = scan("[a](x.md#y) ![i](p.png) <a id=\"here\"></a> <me@example.com>\n\n[r]: ref.md\n\n[ref][r]\n", 0);
        let dests: Vec<_> = s.links.iter().map(|l| l.dest.as_str()).collect();
        assert_eq!(
            dests,
            ["x.md#y", "p.png", "mailto:me@example.com", "ref.md"]
        );
        assert_eq!(s.links[1].kind, LinkKind::Image);
        assert!(s.anchors.contains(&"here".to_string()));
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
        assert!(!scan("intro\n\n# late\n", 0).starts_with_h1);
    }
}
