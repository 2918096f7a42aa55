//! Stage 2, parse: each Markdown file on its own, pure. Splits off the front matter, parses the
//! Markdown once to find the title, headings (with GitHub ids), links and raw-HTML anchors,
//! each with its byte span. Rendering later re-reads the same events in the same order.

mod front_matter;
mod inline;
mod markdown;

pub use inline::{html_link_values, merge_text, plain_paths, Context};
pub use markdown::{is_mermaid_fence, markdown_options, section_number};

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
        kind: PageKind::Markdown,
        text,
    };
    (Some(page), diags)
}

/// A `.mmd` file as a page of its own. Its title: mermaid front matter `title:`, else an
/// `accTitle:` line, else the file name.
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
    }
    None
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

    #[test]
    fn spans_are_file_offsets() {
        let text = "---\nweight: 1\n---\n# T\n\n[a](b.md)\n";
        let p = page(text).0.unwrap();
        assert_eq!(&text[p.links[0].span.clone()], "[a](b.md)");
        assert_eq!(&text[p.headings[0].span.clone()], "# T\n");
    }
}
