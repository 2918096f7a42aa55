//! Stage 2, parse: each source file on its own, pure. For a Markdown page: splits off the
//! front matter (`front_matter.rs`), reads the Markdown once (`markdown.rs`) into the page's
//! `Document` (its events, each with what it is: heading, link, directive, diagram, code) and
//! finds the title, headings (with GitHub ids), links and raw-HTML anchors, each with its
//! byte span; reads its data-table directives (`table.rs`). Also the data files (`data.rs`,
//! over `yaml.rs`). `render` and `search` work from the document and never parse again.

pub mod data;
mod front_matter;
mod inline;
mod markdown;
pub mod table;
mod yaml;

pub use markdown::{is_mermaid_fence, section_number};

use crate::diag::Diagnostic;
use crate::model::{Diagram, Page, PageKind, SourceFile};
use std::sync::Arc;

/// Parses one Markdown file. A page is returned even with errors, so that later stages can still
/// report its broken links; `None` only when there is nothing to publish (a draft).
pub fn parse_page(
    file: SourceFile,
    text: Arc<str>,
    include_drafts: bool,
) -> (Option<Page>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if text.len() > crate::model::document::MAX_TEXT {
        diags.push(
            Diagnostic::new(
                crate::diag::codes::UNREADABLE,
                "the file is larger than 2 GiB: archsite reads pages up to 2 GiB",
            )
            .in_file(&file.display),
        );
        return (None, diags);
    }
    let (front, body_start) = front_matter::split(&file.display, &text, &mut diags);
    if front.draft && !include_drafts {
        return (None, diags);
    }
    let mut body = markdown::scan(&text, body_start, &file.display);
    diags.append(&mut body.diags);
    for (dest, span) in &front.related {
        body.links.push(crate::model::Link {
            kind: crate::model::LinkKind::Related,
            dest: dest.clone(),
            span: span.clone(),
        });
    }
    let title = front
        .title
        .clone()
        .or_else(|| body.first_h1.clone())
        .unwrap_or_else(|| file_stem_title(&file.rel));
    let page = Page {
        file,
        body_start,
        front,
        title,
        has_h1: body.starts_with_h1,
        headings: body.headings.into(),
        links: body.links.into(),
        anchors: body.anchors.into(),
        letters: body.letters,
        data: body.data.into(),
        diagrams: body.diagrams.into(),
        document: body.document.into(),
        kind: PageKind::Markdown,
        text,
    };
    (Some(page), diags)
}

/// A `.mmd` file as a page of its own. Its title: mermaid front matter `title:`, else an
/// `accTitle:` line, else the comment at its top (`%% 운영환경 네트워크: …`, up to the colon),
/// else the file name (which `title_diagram_pages` may replace with the text of a link to it).
pub fn parse_diagram_page(file: SourceFile, text: Arc<str>) -> Page {
    let title = diagram_title(&text).unwrap_or_else(|| file_stem_title(&file.rel));
    Page {
        diagrams: Arc::new([Diagram {
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
        links: Arc::new([]),
        anchors: Arc::new([]),
        letters: count_letters_of(&text),
        data: Arc::new([]),
        document: Default::default(),
        kind: PageKind::Diagram,
        text,
    }
}

fn diagram_title(text: &str) -> Option<String> {
    let mut lines = text.lines().map(str::trim);
    let mut in_front = false;
    if text.trim_start().starts_with("---") {
        lines.next();
        in_front = true;
    }
    // The comment among the first lines (before the second statement: after the type line at
    // the latest), used when there is no title proper.
    let mut comment = None;
    let mut statements = 0;
    for line in lines {
        if in_front {
            if line == "---" {
                in_front = false;
            } else if let Some(t) = line.strip_prefix("title:") {
                let t = t.trim().trim_matches(['"', '\'']);
                if !t.is_empty() {
                    return Some(t.to_string());
                }
            }
            continue;
        }
        if let Some(t) = line.strip_prefix("accTitle:") {
            return Some(t.trim().to_string()).filter(|t| !t.is_empty());
        }
        if line.is_empty() || line.starts_with("%%{") {
            continue;
        }
        match line.strip_prefix("%%") {
            Some(c) if comment.is_none() && statements < 2 => comment = comment_title(c),
            Some(_) => {}
            None => statements += 1,
        }
    }
    comment
}

/// `운영환경 네트워크: 용도별 서브넷, NSG` → `운영환경 네트워크`: a comment's words up to a
/// colon that is followed by more; the whole comment when it has none.
fn comment_title(comment: &str) -> Option<String> {
    let comment = comment.trim();
    let title = match comment.split_once(": ") {
        Some((head, _)) if !head.trim().is_empty() => head.trim(),
        _ => comment.trim_end_matches(':').trim(),
    };
    (!title.is_empty()).then(|| title.to_string())
}

/// A `.mmd` page without a title of its own is named by the text of the first link to it (in
/// the order of the linking files' paths): `[운영환경 네트워크 다이어그램](network-prod.mmd)`
/// reads better than `network-prod`.
pub fn title_diagram_pages(pages: &mut [Page]) {
    use std::collections::HashMap;
    let mut untitled: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == PageKind::Diagram && diagram_title(&p.text).is_none())
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
    let mut names: Vec<(usize, String)> = Vec::new();
    for page in linking {
        let dir = page.file.rel.rsplit_once('/').map_or("", |(d, _)| d);
        for link in page.links.iter() {
            // Most links are not to a diagram: only those are decoded and joined.
            let markdown = matches!(
                link.kind,
                crate::model::LinkKind::Link | crate::model::LinkKind::Image
            );
            if !markdown || !link.dest.contains(".mmd") {
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

fn count_letters_of(text: &str) -> (usize, usize) {
    let mut letters = (0, 0);
    markdown::count_letters(text, &mut letters);
    letters
}

/// `reference/용어-사전.md` → `용어-사전`; an index page is named after its folder.
fn file_stem_title(rel: &str) -> String {
    let mut parts: Vec<&str> = rel.split('/').collect();
    let file = parts.pop().unwrap_or(rel);
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    if matches!(
        stem.to_ascii_lowercase().as_str(),
        "index" | "_index" | "readme"
    ) {
        if let Some(folder) = parts.pop() {
            return folder.to_string();
        }
    }
    stem.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> (Option<Page>, Vec<Diagnostic>) {
        let file = SourceFile {
            rel: "dir/page.md".into(),
            abs: "dir/page.md".into(),
            display: "content/dir/page.md".into(),
        };
        parse_page(file, text.into(), false)
    }

    #[test]
    fn title_from_front_matter_then_h1_then_file() {
        assert_eq!(page("---\ntitle: 앞\n---\n# 제목\n").0.unwrap().title, "앞");
        assert_eq!(page("# 제목 *강조*\n").0.unwrap().title, "제목 강조");
        assert_eq!(page("text\n").0.unwrap().title, "page");
        assert_eq!(file_stem_title("reference/index.md"), "reference");
    }

    #[test]
    fn drafts_are_skipped_unless_asked() {
        assert!(page("---\ndraft: true\n---\n# x\n").0.is_none());
    }

    fn file(rel: &str) -> SourceFile {
        SourceFile {
            rel: rel.into(),
            abs: rel.into(),
            display: format!("content/{rel}").into(),
        }
    }

    #[test]
    fn a_diagram_is_titled_by_its_title_then_its_first_comment() {
        let title = |text: &str| parse_diagram_page(file("d/net-prod.mmd"), text.into()).title;
        assert_eq!(
            title("---\ntitle: 구성도\n---\ngraph TB\n%% 주석\n"),
            "구성도"
        );
        assert_eq!(
            title("graph TB\n  accTitle: 접근 제목\n%% 주석\n"),
            "접근 제목"
        );
        assert_eq!(
            title("graph TB\n    %% 운영환경 네트워크: 용도별 서브넷, NSG\n    A --> B\n"),
            "운영환경 네트워크"
        );
        assert_eq!(title("%%{init: {}}%%\n%% 흐름도\nflowchart LR\n"), "흐름도");
        // A comment further down describes a part of the diagram, not the diagram.
        assert_eq!(
            title("graph TB\n  A --> B\n  %% 여기부터 데이터 계층\n"),
            "net-prod"
        );
    }

    #[test]
    fn an_untitled_diagram_is_named_by_the_first_link_to_it() {
        let md = |rel: &str, text: &str| parse_page(file(rel), text.into(), false).0.unwrap();
        let mut pages = vec![
            md("z.md", "[나중 링크](d/net-prod.mmd)\n"),
            md(
                "a.md",
                "[다른 곳](x.md) ![**운영** 네트워크 그림](d/net-prod.mmd#top)\n",
            ),
            md("d/b.md", "[형제 링크](other.mmd)\n"),
            parse_diagram_page(file("d/net-prod.mmd"), "graph TB\n  A --> B\n".into()),
            parse_diagram_page(file("d/other.mmd"), "graph TB\n  %% 제목 있음\n".into()),
            parse_diagram_page(file("d/lonely.mmd"), "graph TB\n".into()),
        ];
        title_diagram_pages(&mut pages);
        let titles: Vec<&str> = pages[3..].iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["운영 네트워크 그림", "제목 있음", "lonely"]);
    }

    #[test]
    fn spans_are_file_offsets() {
        let text = "---\nweight: 1\n---\n# T\n\n[a](b.md)\n";
        let p = page(text).0.unwrap();
        assert_eq!(&text[p.links[0].span.clone()], "[a](b.md)");
        assert_eq!(&text[p.headings[0].span.clone()], "# T\n");
    }
}
