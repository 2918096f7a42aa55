//! Markdown → HTML for one page, from its `Document` (the events `parse` read, with what each
//! is) and what `resolve` decided: heading ids (GitHub's), rewritten link hrefs, heading anchors
//! and "same section in prod" links, highlighted code, data tables, diagrams, scrollable
//! tables. Each event's slot says which heading, link, directive or diagram it is: nothing
//! here counts its way through the document.

use super::highlight::highlight;
use crate::base::escape_html;
use crate::model::document::{Block, Document, Slot};
use crate::model::LinkTarget;
use crate::model::{Heading, ResolvedLink};
use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
use std::ops::Range;

/// A link shown inside a heading to the same-numbered section of another environment.
pub struct SectionLink {
    pub label: String,
    pub href: String,
    pub title: String,
}

pub struct MarkdownContext<'a> {
    pub links: &'a [ResolvedLink],
    pub headings: &'a [Heading],
    /// Per heading index.
    pub section_links: &'a dyn Fn(usize) -> Vec<SectionLink>,
    pub anchor_label: &'a str,
    /// HTML of the page's data tables and inline values (`render::tables`), by directive;
    /// empty to leave them as code.
    pub data: &'a [std::sync::Arc<str>],
    /// The figure of the page's n-th diagram (`Page::diagrams`).
    pub diagram: &'a dyn Fn(u32) -> String,
    /// Whether an image link points at a diagram page (`![caption](x.mmd)` embeds it)...
    pub embeds: &'a dyn Fn(&ResolvedLink) -> bool,
    /// ...and that diagram's figure, with the image's text as caption.
    pub embed: &'a dyn Fn(&ResolvedLink, &str) -> String,
    /// A whole source file's listing (`Block::Source`), from its language and text.
    pub source: &'a dyn Fn(&str, &str) -> String,
}

/// The HTML of a page's document; `text` is the page's text the document borrows from.
pub fn render_markdown(document: &Document, text: &str, ctx: &MarkdownContext) -> String {
    render_events(document.events(text), text.len() * 3 / 2, ctx)
}

/// The HTML of a part of a page's document (events at positions `range`: a description of an
/// OpenAPI spec's page).
pub fn render_markdown_part(
    document: &Document,
    text: &str,
    range: Range<usize>,
    ctx: &MarkdownContext,
) -> String {
    render_events(document.events_in(text, range), 64, ctx)
}

fn render_events<'a>(
    document: impl Iterator<Item = (Event<'a>, Option<&'a Slot>)>,
    capacity: usize,
    ctx: &'a MarkdownContext,
) -> String {
    let mut events: Vec<Event> = Vec::new();
    // The code block being read: what it holds, its language, its text so far.
    let mut code: Option<(Block, String, String)> = None;
    // An embedded diagram: its link and the caption read so far.
    let mut embedding: Option<(&ResolvedLink, String)> = None;
    let mut in_paragraph = false;
    let mut reopen = false;
    let link = |i: u32| ctx.links.get(i as usize);
    for (event, slot) in document {
        match event {
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::Paragraph) => in_paragraph = false,
            _ => {}
        }
        if reopen && embedding.is_none() {
            reopen = false;
            if matches!(event, Event::End(TagEnd::Paragraph)) {
                continue;
            }
            events.push(Event::Start(Tag::Paragraph));
        }
        if let Some((link, caption)) = &mut embedding {
            match event {
                Event::Text(t) | Event::Code(t) => caption.push_str(&t),
                Event::End(TagEnd::Image) => {
                    let figure = (ctx.embed)(link, caption);
                    events.push(Event::Html(figure.into()));
                    embedding = None;
                }
                _ => {}
            }
            continue;
        }
        if let Some((block, lang, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let html = match block {
                        Block::Table(i) => ctx.data.get(*i as usize).map(|h| h.to_string()),
                        Block::Diagram(i) => Some((ctx.diagram)(*i)),
                        Block::Code => None,
                        Block::Source => Some((ctx.source)(lang, text)),
                    };
                    let html = html.unwrap_or_else(|| code_block(lang, text));
                    events.push(Event::Html(html.into()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match (event, slot) {
            (
                Event::Start(Tag::Heading {
                    level,
                    classes,
                    attrs,
                    ..
                }),
                Some(Slot::Heading(i)),
            ) => {
                let id = ctx
                    .headings
                    .get(*i as usize)
                    .map(|h| CowStr::from(h.id.clone()));
                events.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }));
            }
            (Event::End(TagEnd::Heading(level)), Some(Slot::Heading(i))) => {
                if let Some(h) = ctx.headings.get(*i as usize) {
                    events.push(Event::Html(heading_suffix(h, ctx, *i as usize).into()));
                }
                events.push(Event::End(TagEnd::Heading(level)));
            }
            (
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }),
                Some(Slot::Link(i)),
            ) => {
                let dest_url = match (link_type, link(*i)) {
                    (LinkType::Email, _) | (_, None) => dest_url,
                    (_, Some(resolved)) => resolved.href.clone().into(),
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            (
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }),
                Some(Slot::Link(i)),
            ) => {
                if let Some(link) = link(*i).filter(|l| (ctx.embeds)(l)) {
                    // A figure cannot sit in a paragraph: close it around the diagram (and
                    // reopen it after, if more text follows).
                    if in_paragraph {
                        if matches!(events.last(), Some(Event::Start(Tag::Paragraph))) {
                            events.pop();
                        } else {
                            events.push(Event::End(TagEnd::Paragraph));
                        }
                        reopen = true;
                    }
                    embedding = Some((link, String::new()));
                    continue;
                }
                let dest_url = link(*i).map_or(dest_url, |r| r.href.clone().into());
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            (Event::Text(text), Some(Slot::Paths { first, ranges })) => {
                link_plain_paths(text, ranges, &ctx.links[*first as usize..], &mut events);
            }
            (Event::Html(html), Some(Slot::HtmlLinks { first, values })) => {
                let links = &ctx.links[*first as usize..];
                events.push(Event::Html(rewrite_html_links(html, values, links)));
            }
            (Event::InlineHtml(html), Some(Slot::HtmlLinks { first, values })) => {
                let links = &ctx.links[*first as usize..];
                events.push(Event::InlineHtml(rewrite_html_links(html, values, links)));
            }
            (Event::Start(Tag::CodeBlock(kind)), Some(Slot::Code { block, .. })) => {
                code = Some((
                    *block,
                    crate::base::fence::code_language(&kind),
                    String::new(),
                ));
            }
            (Event::Start(Tag::Table(align)), _) => {
                events.push(Event::Html("<div class=\"table-wrap\">".into()));
                events.push(Event::Start(Tag::Table(align)));
            }
            (Event::End(TagEnd::Table), _) => {
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html("</div>\n".into()));
            }
            (Event::Code(c), Some(Slot::Value(i))) => match ctx.data.get(*i as usize) {
                Some(html) => events.push(Event::InlineHtml(html.to_string().into())),
                None => events.push(Event::Code(c)),
            },
            (other, _) => events.push(other),
        }
    }
    let mut html = String::with_capacity(capacity);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Whether archsite rewrote this link (the others stay exactly as written).
fn rewritten(link: Option<&ResolvedLink>) -> Option<&str> {
    link.filter(|l| matches!(l.target, LinkTarget::Page { .. } | LinkTarget::File))
        .map(|l| l.href.as_str())
}

/// Turns the paths `parse` found in this text (`ranges`, each the next of `links`) into links,
/// when they resolved.
fn link_plain_paths<'a>(
    text: CowStr<'a>,
    ranges: &[Range<u32>],
    links: &[ResolvedLink],
    events: &mut Vec<Event<'a>>,
) {
    let mut at = 0;
    for (found, link) in ranges
        .iter()
        .zip(links.iter().map(Some).chain(std::iter::repeat(None)))
    {
        let found = found.start as usize..found.end as usize;
        let Some(href) = rewritten(link) else {
            continue;
        };
        if found.start > at {
            events.push(Event::Text(text[at..found.start].to_string().into()));
        }
        let dest_url = CowStr::from(href.to_string());
        events.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url,
            title: "".into(),
            id: "".into(),
        }));
        events.push(Event::Text(text[found.clone()].to_string().into()));
        events.push(Event::End(TagEnd::Link));
        at = found.end;
    }
    if at == 0 {
        events.push(Event::Text(text));
    } else if at < text.len() {
        events.push(Event::Text(text[at..].to_string().into()));
    }
}

/// Replaces `href`/`src` values of raw HTML (`values`, each the next of `links`) with the
/// resolved hrefs.
fn rewrite_html_links<'a>(
    html: CowStr<'a>,
    values: &[Range<u32>],
    links: &[ResolvedLink],
) -> CowStr<'a> {
    let mut out = String::with_capacity(html.len() + 16);
    let mut at = 0;
    for (value, link) in values
        .iter()
        .zip(links.iter().map(Some).chain(std::iter::repeat(None)))
    {
        if let Some(href) = rewritten(link) {
            out.push_str(&html[at..value.start as usize]);
            out.push_str(&escape_html(href));
            at = value.end as usize;
        }
    }
    out.push_str(&html[at..]);
    out.into()
}

fn heading_suffix(h: &Heading, ctx: &MarkdownContext, index: usize) -> String {
    let mut out = String::new();
    for link in (ctx.section_links)(index) {
        out.push_str(&format!(
            "<a class=\"env-section\" href=\"{}\" title=\"{}\">{}</a>",
            escape_html(&link.href),
            escape_html(&link.title),
            escape_html(&link.label)
        ));
    }
    out.push_str(&format!(
        "<a class=\"heading-anchor\" href=\"#{}\" aria-label=\"{}\">#</a>",
        escape_html(&crate::base::urls::encode_fragment(&h.id)),
        escape_html(ctx.anchor_label)
    ));
    out
}

fn code_block(lang: &str, text: &str) -> String {
    let lang_attr = if lang.is_empty() {
        String::new()
    } else {
        format!(" data-lang=\"{}\"", escape_html(lang))
    };
    format!(
        "<pre class=\"code\"{lang_attr}><code>{}</code></pre>\n",
        highlight(text, lang)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LinkTarget;
    use crate::parse::parse_page;

    fn render(text: &str, hrefs: &[&str]) -> String {
        let file = crate::model::SourceFile {
            rel: "a.md".into(),
            abs: "a.md".into(),
            display: "a.md".into(),
        };
        let page = parse_page(file, text.into(), false).0.unwrap();
        let links: Vec<_> = hrefs
            .iter()
            .map(|h| ResolvedLink {
                target: LinkTarget::File,
                href: h.to_string(),
            })
            .collect();
        let none = |_| Vec::new();
        let ctx = MarkdownContext {
            links: &links,
            headings: &page.headings,
            section_links: &none,
            anchor_label: "link",
            data: &[],
            diagram: &|i| format!("<figure>{}</figure>", page.diagrams[i as usize].source),
            embeds: &|_| false,
            embed: &|_, _| String::new(),
            source: &|_, _| String::new(),
        };
        render_markdown(&page.document, &page.text, &ctx)
    }

    #[test]
    fn headings_get_ids_and_anchor_links() {
        let html = render("## 2.1 환경별 특성 비교\n", &[]);
        assert_eq!(
            html,
            "<h2 id=\"21-환경별-특성-비교\">2.1 환경별 특성 비교<a class=\"heading-anchor\" href=\"#21-환경별-특성-비교\" aria-label=\"link\">#</a></h2>\n"
        );
    }

    #[test]
    fn links_are_rewritten_in_order_and_emails_kept() {
        let html = render(
            "[a](a.md) <x@y.z> ![i](i.png)\n",
            &["a.html", "mailto:x@y.z", "img/i.png"],
        );
        assert!(html.contains("href=\"a.html\""), "{html}");
        assert!(html.contains("href=\"mailto:x@y.z\""), "{html}");
        assert!(html.contains("src=\"img/i.png\""), "{html}");
    }

    #[test]
    fn code_tables_and_mermaid() {
        let html = render(
            "```yaml\na: <b>\n```\n\n```mermaid\ngraph TB\nA-->B\n```\n\n|a|b|\n|-|-|\n|1|2|\n",
            &[],
        );
        assert!(
            html.contains("<pre class=\"code\" data-lang=\"yaml\"><code>"),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(
            html.contains("<figure>graph TB\nA-->B\n</figure>"),
            "{html}"
        );
        assert!(html.contains("<div class=\"table-wrap\"><table>"), "{html}");
    }
}
