//! Stage 2, parse: each source file on its own, pure. For a Markdown page: splits off the
//! front matter (`front_matter.rs`), reads the Markdown once (`markdown.rs`) into the page's
//! `Document` (its events, each with what it is: heading, link, directive, diagram, code) and
//! finds the title, headings (with GitHub ids), links and raw-HTML anchors, each with its
//! byte span; reads its data-table directives (`table.rs`). Also the data files (`data.rs`,
//! over `base/yaml.rs`). `render` and `search` work from the document and never parse again.

pub mod data;
mod front_matter;
mod inline;
mod markdown;
pub mod table;

pub use markdown::section_number;

use crate::diag::Diagnostic;
use crate::model::{Page, PageKind, SourceFile};
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
        .unwrap_or_else(|| crate::base::text::file_stem_title(&file.rel));
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
        api: None,
        text,
    };
    (Some(page), diags)
}

/// The page of a Markdown file at `rel` holding `text`, for the unit tests of later stages.
#[cfg(test)]
pub fn test_page(rel: &str, text: &str) -> Page {
    let file = SourceFile {
        rel: rel.into(),
        abs: rel.into(),
        display: rel.into(),
    };
    parse_page(file, text.into(), false).0.expect("a page")
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

    /// A page's document is kept from parse until render and search are done with it, for
    /// many pages at once: its size must grow with the page's text, by a bounded factor. On
    /// the repository's real folders (the sample site, the corpus of real documentation:
    /// table-heavy pages, many events per byte) the documents are 1.5 times their pages' text;
    /// on the generated 10,000-page site of `bench/memory.py`, 0.57 times. A change that made
    /// documents much larger fails here, not only in the memory benchmark.
    #[test]
    fn documents_grow_with_their_text() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut text, mut document, mut pages) = (0, 0, 0);
        for folder in ["content", "tests/fixtures/corpus"] {
            for entry in walkdir::WalkDir::new(root.join(folder)) {
                let entry = entry.unwrap();
                if entry.path().extension().is_none_or(|e| e != "md") {
                    continue;
                }
                let source = std::fs::read_to_string(entry.path()).unwrap();
                let Some(page) = page(&source).0 else {
                    continue;
                };
                let bytes = page.document.heap_bytes();
                text += source.len();
                document += bytes;
                pages += 1;
            }
        }
        assert!(pages >= 20, "{pages} pages");
        assert!(
            document <= text * 2,
            "{document} bytes of documents for {text} bytes of text"
        );
    }

    #[test]
    fn title_from_front_matter_then_h1_then_file() {
        assert_eq!(page("---\ntitle: 앞\n---\n# 제목\n").0.unwrap().title, "앞");
        assert_eq!(page("# 제목 *강조*\n").0.unwrap().title, "제목 강조");
        assert_eq!(page("text\n").0.unwrap().title, "page");
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
