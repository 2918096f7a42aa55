//! Diagram files (`.mmd`, and the files of every language of `diagram::LANGUAGES`): each gets a
//! page (`network.mmd` → `network.mmd.html`, beside the page of `network.md`) showing the
//! diagram, its source and a link to the file; links to the file go to the page, and an image
//! of it (`![caption](network.mmd)`) draws it inline. Its document is one code block of the
//! diagram's language, so render draws it and search indexes its labels as they do any
//! diagram of a page.

use super::Kind;
use crate::diag::Diagnostic;
use crate::diagram::{of_file, Language};
use crate::model::document::{Block, Builder, Slot};
use crate::model::{Diagram, Link, LinkKind, Page, PageKind, SourceFile};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};
use std::sync::Arc;

pub struct DiagramFile;

impl Kind for DiagramFile {
    fn page_kind(&self) -> PageKind {
        PageKind::Diagram
    }

    fn claims(&self, rel: &str) -> bool {
        of_file(rel).is_some()
    }

    fn url(&self, rel: &str) -> String {
        // `x.mmd` has its own page beside `x.md`'s (the two often sit side by side).
        format!("{rel}.html")
    }

    fn parse(&self, file: SourceFile, text: Arc<str>) -> (Page, Vec<Diagnostic>) {
        let language = of_file(&file.rel).expect("claimed by its extension");
        (page(language, file, text), Vec::new())
    }

    fn finish(&self, pages: &mut [Page]) {
        name_from_links(pages);
    }
}

/// A diagram page without a title of its own is named by the text of the first link to it (in
/// the order of the linking files' paths): `[운영환경 네트워크 다이어그램](network-prod.mmd)`
/// reads better than `network-prod`.
fn name_from_links(pages: &mut [Page]) {
    use std::collections::HashMap;
    let untitled_here = |p: &Page| {
        p.kind == PageKind::Diagram
            && of_file(&p.file.rel).is_some_and(|l| (l.title)(&p.text).is_none())
    };
    let mut untitled: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| untitled_here(p))
        .map(|(i, p)| (p.file.rel.as_str(), i))
        .collect();
    if untitled.is_empty() {
        return;
    }
    let mut linking: Vec<&Page> = pages
        .iter()
        .filter(|p| p.kind == PageKind::Markdown)
        .collect();
    linking.sort_by(|a, b| a.file.rel.cmp(&b.file.rel));
    let diagram_link = |dest: &str| {
        crate::diagram::LANGUAGES
            .iter()
            .any(|l| l.extensions.iter().any(|ext| dest.contains(ext)))
    };
    let mut names: Vec<(usize, String)> = Vec::new();
    for page in linking {
        let dir = page.file.rel.rsplit_once('/').map_or("", |(d, _)| d);
        for link in page.links.iter() {
            // Most links are not to a diagram: only those are decoded and joined.
            let markdown = matches!(link.kind, LinkKind::Link | LinkKind::Image);
            if !markdown || !diagram_link(&link.dest) {
                continue;
            }
            let path = link.dest.split(['#', '?']).next().unwrap_or("");
            let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
            let path = path.trim_start_matches('<').trim_end_matches('>');
            let Some(target) = crate::base::urls::join(dir, path) else {
                continue;
            };
            let Some(text) = link_text(&page.text[link.span.clone()]) else {
                continue;
            };
            if let Some(i) = untitled.remove(target.as_str()) {
                names.push((i, text));
            }
        }
    }
    for (i, text) in names {
        pages[i].title = text;
    }
}

/// The text of a Markdown link or image (`[text](dest)`, `![text](dest)`), without emphasis
/// marks; `None` when it is empty or not written that way.
fn link_text(link: &str) -> Option<String> {
    let inner = link.strip_prefix('!').unwrap_or(link).strip_prefix('[')?;
    let end = inner.rfind("](")?;
    let text: String = inner[..end]
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`'))
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// A diagram file's page. Its title: the language's (mermaid: front matter `title:`, else an
/// `accTitle:` line, else its top comment), else the file name (which `name_from_links` may
/// replace with the text of a link to it).
fn page(language: &'static Language, file: SourceFile, text: Arc<str>) -> Page {
    let title =
        (language.title)(&text).unwrap_or_else(|| crate::base::text::file_stem_title(&file.rel));
    let mut doc = Builder::new(&text);
    // The whole file is the diagram: a code block that is not a fence of the file.
    doc.slot(
        0,
        Slot::Code {
            block: Block::Diagram(0),
            fenced: false,
            span: 0..text.len() as u32,
        },
    );
    let info = CowStr::from(language.name.to_string());
    doc.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))));
    doc.push(Event::Text(CowStr::Borrowed(&text)));
    doc.push(Event::End(TagEnd::CodeBlock));
    let document = doc.finish();
    Page {
        diagrams: Arc::new([Diagram {
            language: language.name,
            source: text.clone(),
            start: 0,
            end: text.len(),
        }]),
        file,
        body_start: text.len(),
        front: Default::default(),
        title,
        has_h1: false,
        headings: Arc::new([]),
        links: (language.links)(&text)
            .into_iter()
            .map(|range| Link {
                kind: LinkKind::Html,
                dest: text[range.clone()].to_string(),
                span: range,
            })
            .collect(),
        anchors: Arc::new([]),
        letters: {
            let mut letters = (0, 0);
            crate::base::text::count_letters(&text, &mut letters);
            letters
        },
        data: Arc::new([]),
        document: Arc::new(document),
        kind: PageKind::Diagram,
        api: None,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str) -> SourceFile {
        SourceFile {
            rel: rel.into(),
            abs: rel.into(),
            display: format!("content/{rel}").into(),
        }
    }

    fn diagram(rel: &str, text: &str) -> Page {
        DiagramFile.parse(file(rel), text.into()).0
    }

    #[test]
    fn a_diagram_is_titled_by_its_language_else_its_file_name() {
        assert_eq!(diagram("d/a.mmd", "graph TB\n  %% 흐름\n").title, "흐름");
        assert_eq!(
            diagram(
                "d/net-prod.mmd",
                "graph TB\n  A --> B\n  %% 여기부터 데이터 계층\n"
            )
            .title,
            "net-prod"
        );
    }

    #[test]
    fn an_untitled_diagram_is_named_by_the_first_link_to_it() {
        let md = |rel: &str, text: &str| {
            crate::parse::parse_page(file(rel), text.into(), false)
                .0
                .unwrap()
        };
        let mut pages = vec![
            md("z.md", "[나중 링크](d/net-prod.mmd)\n"),
            md(
                "a.md",
                "[다른 곳](x.md) ![**운영** 네트워크 그림](d/net-prod.mmd#top)\n",
            ),
            md("d/b.md", "[형제 링크](other.mmd)\n"),
            diagram("d/net-prod.mmd", "graph TB\n  A --> B\n"),
            diagram("d/other.mmd", "graph TB\n  %% 제목 있음\n"),
            diagram("d/lonely.mmd", "graph TB\n"),
        ];
        DiagramFile.finish(&mut pages);
        let titles: Vec<&str> = pages[3..].iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["운영 네트워크 그림", "제목 있음", "lonely"]);
    }
}
