//! Markdown → HTML for one page, with what `resolve` decided: heading ids (GitHub's), rewritten
//! link hrefs, heading anchors and "same section in prod" links, highlighted code, scrollable
//! tables. Reads the events in the same order as `parse`, so the n-th link here is the n-th
//! link there.

use super::highlight::highlight;
use crate::base::escape_html;
use crate::model::LinkTarget;
use crate::model::{Heading, ResolvedLink};
use crate::parse::{html_link_values, markdown_options, merge_text, plain_paths, Context};
use pulldown_cmark::{CowStr, Event, LinkType, Parser, Tag, TagEnd};

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
    /// HTML of the page's data tables and inline values (`data::resolve`), in document order;
    /// empty to leave them as code.
    pub data: &'a [std::sync::Arc<str>],
    /// The figure of a ```` ```mermaid ```` block, from its source.
    pub diagram: &'a dyn Fn(&str) -> String,
    /// Whether an image link points at a diagram page (`![caption](x.mmd)` embeds it)...
    pub embeds: &'a dyn Fn(&ResolvedLink) -> bool,
    /// ...and that diagram's figure, with the image's text as caption.
    pub embed: &'a dyn Fn(&ResolvedLink, &str) -> String,
}

pub fn render_markdown(body: &str, ctx: &MarkdownContext) -> String {
    let mut events: Vec<Event> = Vec::new();
    let mut link_index = 0;
    let mut heading_index = 0;
    let mut code: Option<(String, String)> = None;
    let mut context = Context::default();
    let mut data = ctx.data.iter();
    // An embedded diagram: its link and the caption read so far.
    let mut embedding: Option<(&ResolvedLink, String)> = None;
    let mut in_paragraph = false;
    let mut reopen = false;
    for (event, _) in merge_text(Parser::new_ext(body, markdown_options()).into_offset_iter()) {
        context.observe(&event);
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
        if let Some((lang, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let table = crate::model::data::is_table_fence(lang).then(|| data.next());
                    match table.flatten() {
                        Some(html) => events.push(Event::Html(html.to_string().into())),
                        None if lang.eq_ignore_ascii_case("mermaid") => {
                            events.push(Event::Html((ctx.diagram)(text).into()))
                        }
                        None => events.push(Event::Html(code_block(lang, text).into())),
                    }
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                let id = ctx
                    .headings
                    .get(heading_index)
                    .map(|h| CowStr::from(h.id.clone()));
                events.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(h) = ctx.headings.get(heading_index) {
                    events.push(Event::Html(heading_suffix(h, ctx, heading_index).into()));
                }
                heading_index += 1;
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match (link_type, ctx.links.get(link_index)) {
                    (LinkType::Email, _) | (_, None) => dest_url,
                    (_, Some(resolved)) => resolved.href.clone().into(),
                };
                link_index += 1;
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if let Some(link) = ctx.links.get(link_index).filter(|l| (ctx.embeds)(l)) {
                    link_index += 1;
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
                let dest_url = ctx
                    .links
                    .get(link_index)
                    .map_or(dest_url, |r| r.href.clone().into());
                link_index += 1;
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Text(text) if context.plain_paths_allowed() => {
                link_plain_paths(text, ctx.links, &mut link_index, &mut events);
            }
            Event::Html(html) => {
                events.push(Event::Html(rewrite_html_links(
                    html,
                    ctx.links,
                    &mut link_index,
                )));
            }
            Event::InlineHtml(html) => {
                events.push(Event::InlineHtml(rewrite_html_links(
                    html,
                    ctx.links,
                    &mut link_index,
                )));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                code = Some((crate::base::fence::code_language(&kind), String::new()));
            }
            Event::Start(Tag::Table(align)) => {
                events.push(Event::Html("<div class=\"table-wrap\">".into()));
                events.push(Event::Start(Tag::Table(align)));
            }
            Event::End(TagEnd::Table) => {
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html("</div>\n".into()));
            }
            Event::Code(c) if crate::model::data::inline_ref(&c).is_some() => match data.next() {
                Some(html) => events.push(Event::InlineHtml(html.to_string().into())),
                None => events.push(Event::Code(c)),
            },
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Whether archsite rewrote this link (the others stay exactly as written).
fn rewritten(link: Option<&ResolvedLink>) -> Option<&str> {
    link.filter(|l| matches!(l.target, LinkTarget::Page { .. } | LinkTarget::File))
        .map(|l| l.href.as_str())
}

/// Turns the paths `parse` found in this text into links, when they resolved.
fn link_plain_paths<'a>(
    text: CowStr<'a>,
    links: &[ResolvedLink],
    link_index: &mut usize,
    events: &mut Vec<Event<'a>>,
) {
    let mut at = 0;
    for found in plain_paths(&text) {
        let resolved = rewritten(links.get(*link_index));
        *link_index += 1;
        let Some(href) = resolved else { continue };
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

/// Replaces `href`/`src` values of raw HTML with the resolved hrefs.
fn rewrite_html_links<'a>(
    html: CowStr<'a>,
    links: &[ResolvedLink],
    link_index: &mut usize,
) -> CowStr<'a> {
    let values = html_link_values(&html);
    if values.is_empty() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 16);
    let mut at = 0;
    for value in values {
        let resolved = rewritten(links.get(*link_index));
        *link_index += 1;
        if let Some(href) = resolved {
            out.push_str(&html[at..value.start]);
            out.push_str(&escape_html(href));
            at = value.end;
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
            diagram: &|source| format!("<figure>{source}</figure>"),
            embeds: &|_| false,
            embed: &|_, _| String::new(),
        };
        render_markdown(page.body(), &ctx)
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
