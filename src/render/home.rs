//! The home page of a site without a master index, drawn from the resolved model: the site's
//! name (`resolve` chose it), then its documents by section (the sidebar's top-level folders)
//! with a line on each, the diagrams, the APIs (the OpenAPI specs' pages,
//! `model::api::summaries`) and the environments paired. Every page it links to is in the
//! sidebar, so `Resolved::linked_by_generated_pages` (the sidebar's pages) covers its links.

use super::RenderContext;
use crate::base::escape_html;
use crate::base::urls::relative_href;
use crate::model::document::Document;
use crate::model::{NavNode, Page, PageId, PageKind};
use pulldown_cmark::{Event, Tag, TagEnd};

const HOME: &str = "index.html";

/// A description is cut to about this many characters.
const DESCRIPTION_CHARS: usize = 160;

/// The home page's content, and the files it shows besides (diagram previews), by path.
pub fn content(ctx: &RenderContext) -> (String, Vec<(String, String)>) {
    let mut out = String::new();
    let mut files = Vec::new();
    documents(ctx, &mut out);
    diagrams(ctx, &mut out, &mut files);
    apis(ctx, &mut out);
    environments(ctx, &mut out);
    (out, files)
}

fn link(ctx: &RenderContext, id: PageId) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        escape_html(&relative_href(HOME, &ctx.resolved.urls[id])),
        escape_html(&ctx.pages[id].title)
    )
}

fn section_start(out: &mut String, id: &str, title: &str) {
    out.push_str(&format!(
        "<section class=\"home-section\" aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{}</h2>\n",
        escape_html(title)
    ));
}

/// The documents, by the sidebar's top-level folders (pages at the top first). A site whose
/// pages are all in one folder (a repository holding `design/`) is shown by that folder's
/// sections, its index page first.
fn documents(ctx: &RenderContext, out: &mut String) {
    let mut nav: &[NavNode] = &ctx.resolved.nav;
    let mut wrapper = None;
    while let [only] = nav {
        if only.children.is_empty() {
            break;
        }
        wrapper = only.page.map(|_| NavNode {
            children: Vec::new(),
            ..only.clone()
        });
        nav = &only.children;
    }
    let is_document = |n: &NavNode| {
        n.page
            .is_some_and(|p| ctx.pages[p].kind == PageKind::Markdown)
    };
    let top: Vec<&NavNode> = wrapper
        .iter()
        .chain(nav.iter())
        .filter(|n| n.children.is_empty() && is_document(n))
        .collect();
    let folders: Vec<&NavNode> = nav
        .iter()
        .filter(|n| !n.children.is_empty() && has_documents(ctx, n))
        .collect();
    if top.is_empty() && folders.is_empty() {
        return;
    }
    section_start(out, "home-documents", ctx.words.home_documents);
    out.push_str("<div class=\"home-folders\">\n");
    if !top.is_empty() {
        out.push_str("<div class=\"home-folder\">\n<ul class=\"home-list\">\n");
        for node in top {
            entry(ctx, node, out);
        }
        out.push_str("</ul>\n</div>\n");
    }
    for folder in folders {
        out.push_str("<div class=\"home-folder\">\n<h3>");
        match folder.page {
            Some(id) => out.push_str(&link(ctx, id)),
            None => out.push_str(&escape_html(&folder.title)),
        }
        out.push_str("</h3>\n");
        if let Some(line) = folder.page.and_then(|id| ctx.description(id)) {
            out.push_str(&format!(
                "<p class=\"home-desc\">{}</p>\n",
                escape_html(&line)
            ));
        }
        list(ctx, &folder.children, out);
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n</section>\n");
}

fn has_documents(ctx: &RenderContext, node: &NavNode) -> bool {
    node.page
        .is_some_and(|p| ctx.pages[p].kind == PageKind::Markdown)
        || node.children.iter().any(|c| has_documents(ctx, c))
}

/// A folder's documents, its sub-folders nested.
fn list(ctx: &RenderContext, nodes: &[NavNode], out: &mut String) {
    let shown: Vec<&NavNode> = nodes.iter().filter(|n| has_documents(ctx, n)).collect();
    if shown.is_empty() {
        return;
    }
    out.push_str("<ul class=\"home-list\">\n");
    for node in shown {
        if node.children.is_empty() {
            entry(ctx, node, out);
            continue;
        }
        out.push_str("<li>");
        match node.page {
            Some(id) => out.push_str(&link(ctx, id)),
            None => out.push_str(&escape_html(&node.title)),
        }
        list(ctx, &node.children, out);
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
}

fn entry(ctx: &RenderContext, node: &NavNode, out: &mut String) {
    let Some(id) = node.page else { return };
    out.push_str("<li>");
    out.push_str(&link(ctx, id));
    if let Some(line) = ctx.description(id) {
        out.push_str(&format!(
            "<span class=\"home-desc\">{}</span>",
            escape_html(&line)
        ));
    }
    out.push_str("</li>\n");
}

/// A page's line: front matter `description`, else the first paragraph of its `document`,
/// shortened. (`RenderContext::description` keeps it for the home page.)
pub fn description(page: &Page, document: &Document) -> Option<String> {
    let text = match &page.front.description {
        Some(d) => d.clone(),
        None => first_paragraph(page, document)?,
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return None;
    }
    Some(shorten(&text, DESCRIPTION_CHARS))
}

/// The text of the first paragraph of a page's body (not in a list, quote or table).
fn first_paragraph(page: &Page, document: &Document) -> Option<String> {
    let mut depth = 0usize;
    let mut text: Option<String> = None;
    for (event, _) in document.events(&page.text) {
        match (&mut text, event) {
            (None, Event::Start(Tag::Paragraph)) if depth == 0 => text = Some(String::new()),
            (None, Event::Start(_)) => depth += 1,
            (None, Event::End(_)) => depth = depth.saturating_sub(1),
            (Some(t), Event::Text(s) | Event::Code(s)) => t.push_str(&s),
            (Some(t), Event::SoftBreak | Event::HardBreak) => t.push(' '),
            (Some(t), Event::End(TagEnd::Paragraph)) => {
                if t.trim().is_empty() {
                    text = None;
                    continue;
                }
                return text;
            }
            _ => {}
        }
    }
    None
}

/// At most `max` characters, cut at a word when there is one in the last third.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|&i| cut[..i].chars().count() >= max * 2 / 3);
    format!("{}…", cut[..at_word.unwrap_or(cut.len())].trim_end())
}

/// Every diagram page, as a card: its title, its folder, language and kind. A diagram drawn at
/// build time (PlantUML) shows a small copy of its drawing: the SVG it already has, written
/// once beside its page (`flow.puml` → `flow.puml.svg`) and loaded lazily as an image, so that
/// the home page stays small however many diagrams there are. Mermaid's are drawn in the
/// browser: a card says what it is rather than loading mermaid to draw forty of them.
fn diagrams(ctx: &RenderContext, out: &mut String, files: &mut Vec<(String, String)>) {
    use crate::diagram::Verdict;
    let mut ids: Vec<PageId> = (0..ctx.pages.len())
        .filter(|&id| ctx.pages[id].kind == PageKind::Diagram)
        .collect();
    if ids.is_empty() {
        return;
    }
    ids.sort_by(|&a, &b| ctx.pages[a].file.rel.cmp(&ctx.pages[b].file.rel));
    section_start(out, "home-diagrams", ctx.words.home_diagrams);
    out.push_str("<ul class=\"home-cards\">\n");
    for id in ids {
        let page = &ctx.pages[id];
        let folder = crate::base::urls::parent(&page.file.rel);
        let diagram = page.diagrams.first();
        let verdict = diagram.and_then(|d| ctx.diagrams.and_then(|v| v.get(page, d)));
        let (kind, svg) = match verdict {
            // Mermaid's name for its current flowchart renderer is `flowchart-v2`.
            Some(Verdict::Valid { kind, svg }) => (kind.trim_end_matches("-v2"), svg.as_deref()),
            _ => ("", None),
        };
        let language = diagram.map_or("", |d| d.language);
        let meta: Vec<&str> = [folder, language, kind]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        let url = &ctx.resolved.urls[id];
        let preview = svg.and_then(|svg| {
            let path = format!("{}.svg", url.strip_suffix(".html")?);
            // Never over a file of the site's own.
            (!ctx.resolved.files.contains_key(&path)).then(|| {
                files.push((path.clone(), svg.to_string()));
                format!(
                    "<img class=\"home-card-preview\" src=\"{}\" alt=\"\" loading=\"lazy\" decoding=\"async\">",
                    escape_html(&relative_href(HOME, &path))
                )
            })
        });
        out.push_str(&format!(
            "<li class=\"home-card\"><a href=\"{}\">{}<span class=\"home-card-title\">{}</span><span class=\"home-card-meta\">{}</span></a></li>\n",
            escape_html(&relative_href(HOME, url)),
            preview.unwrap_or_default(),
            escape_html(&page.title),
            escape_html(&meta.join(" · ")),
        ));
    }
    out.push_str("</ul>\n</section>\n");
}

/// The OpenAPI specs' pages (`model::api::summaries`): title, version, operation count,
/// description.
fn apis(ctx: &RenderContext, out: &mut String) {
    let mut apis = crate::model::api::summaries(ctx.pages);
    if apis.is_empty() {
        return;
    }
    apis.sort_by(|a, b| ctx.pages[a.page].file.rel.cmp(&ctx.pages[b.page].file.rel));
    section_start(out, "home-apis", ctx.words.home_apis);
    out.push_str("<ul class=\"home-list home-apis\">\n");
    for api in apis {
        let mut facts = Vec::new();
        if !api.version.is_empty() {
            facts.push(format!("v{}", api.version.trim_start_matches('v')));
        }
        facts.push(
            ctx.words
                .home_operations
                .replace("{n}", &api.operations.to_string()),
        );
        out.push_str("<li>");
        out.push_str(&link(ctx, api.page));
        out.push_str(&format!(
            " <span class=\"home-facts\">{}</span>",
            escape_html(&facts.join(" · "))
        ));
        if let Some(line) = ctx.description(api.page) {
            out.push_str(&format!(
                "<span class=\"home-desc\">{}</span>",
                escape_html(&line)
            ));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n</section>\n");
}

/// Each group of environment documents: its folder and, per environment, its document.
fn environments(ctx: &RenderContext, out: &mut String) {
    let r = ctx.resolved;
    let mut groups: Vec<&Vec<crate::model::EnvPeer>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for peers in r.env_peers.iter().filter(|p| !p.is_empty()) {
        // Each member holds the group: each group once.
        if seen.insert(peers.iter().map(|p| p.page).collect::<Vec<_>>()) {
            groups.push(peers);
        }
    }
    if groups.is_empty() {
        return;
    }
    groups.sort_by_key(|g| g.iter().map(|p| &ctx.pages[p.page].file.rel).min());
    section_start(out, "home-environments", ctx.words.home_environments);
    out.push_str("<div class=\"table-wrap\"><table class=\"home-envs\">\n<tbody>\n");
    for peers in groups {
        let first = &ctx.pages[peers[0].page].file.rel;
        let folder = crate::base::urls::parent(first);
        let folder = if folder.is_empty() { "/" } else { folder };
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td><ul class=\"home-env-docs\">",
            escape_html(folder)
        ));
        for peer in peers {
            out.push_str(&format!(
                "<li><span class=\"env-badge\">{}</span> {}</li>",
                escape_html(&super::i18n::env_name(r.lang, &peer.env)),
                link(ctx, peer.page)
            ));
        }
        out.push_str("</ul></td></tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> Page {
        crate::parse::test_page("a.md", text)
    }

    #[test]
    fn a_page_is_described_by_front_matter_else_its_first_paragraph() {
        let front = page("---\ndescription: 운영 네트워크\n---\n# 제목\n\n본문\n");
        let description = |p: &Page| description(p, &p.document);
        assert_eq!(description(&front).as_deref(), Some("운영 네트워크"));
        let body = page(
            "# 제목\n\n- 목록은 아님\n\n> 인용도 아님\n\n첫 **문단**은\n여기 `code`.\n\n둘째\n",
        );
        assert_eq!(description(&body).as_deref(), Some("첫 문단은 여기 code."));
        assert_eq!(description(&page("# 제목만\n")), None);
    }

    #[test]
    fn a_long_description_is_cut_at_a_word() {
        let long = "word ".repeat(60);
        let short = shorten(long.trim(), DESCRIPTION_CHARS);
        assert!(short.ends_with("word…"), "{short}");
        assert!(short.chars().count() <= DESCRIPTION_CHARS + 1);
        let hangul = "가".repeat(300);
        assert_eq!(shorten(&hangul, 10), format!("{}…", "가".repeat(10)));
    }
}
