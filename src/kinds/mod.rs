//! Page kinds: the source files that become pages beside Markdown, each kind in a file of its
//! own. A kind says which files are its (`claims`), where their page is published (`url`),
//! whether the sidebar lists it, and parses a file into a `Page`: its title, headings (the
//! table of contents and the anchors links may target), links (checked like any page's), and
//! a `Document` of Markdown events that `render` draws and `search` indexes as it does any
//! page's. A kind needs no code in render or search: what its page shows is in its document.
//!
//! Markdown itself is the built-in kind (`parse/`): every `.md` file is a Markdown page.
//!
//! Adding a kind (an OpenAPI spec, a source file): a file here implementing `Kind`, a line in
//! [`KINDS`], and its variant of `model::PageKind`.

mod diagram;

use crate::diag::Diagnostic;
use crate::model::{Page, PageKind, SourceFile};
use std::sync::Arc;

/// A kind of source file that becomes a page.
pub trait Kind: Sync {
    /// The `model::PageKind` of its pages.
    fn page_kind(&self) -> PageKind;
    /// Whether the file at `rel` (content-relative) is one of this kind's.
    fn claims(&self, rel: &str) -> bool;
    /// The output path of the page of the file at `rel`.
    fn url(&self, rel: &str) -> String;
    /// Whether the sidebar lists these pages (else they are reached by the links to them).
    fn in_sidebar(&self) -> bool;
    /// The page of a file (the file is also published as it is, so links to it still work).
    fn parse(&self, file: SourceFile, text: Arc<str>) -> (Page, Vec<Diagnostic>);
    /// Once every page is parsed: what this kind's pages take from the others (a diagram
    /// file's title from the first link to it).
    fn finish(&self, _pages: &mut [Page]) {}
}

/// Every kind of page besides Markdown, in the order they are asked to claim a file.
pub const KINDS: &[&dyn Kind] = &[&diagram::DiagramFile];

/// The kind that claims a file, if any.
pub fn claim(rel: &str) -> Option<&'static dyn Kind> {
    KINDS.iter().copied().find(|k| k.claims(rel))
}

/// What every kind's pages take from the others, once every page is parsed.
pub fn finish(pages: &mut [Page]) {
    for kind in KINDS {
        kind.finish(pages);
    }
}

/// The kind of a page (`None` for Markdown).
pub fn of(kind: PageKind) -> Option<&'static dyn Kind> {
    KINDS.iter().copied().find(|k| k.page_kind() == kind)
}

/// The output path of a page: its kind's rule, or Markdown's (`a/b.md` → `a/b.html`).
pub fn url(page: &Page) -> String {
    match of(page.kind) {
        Some(kind) => kind.url(&page.file.rel),
        None => crate::base::urls::page_url(&page.file.rel),
    }
}

/// Whether the sidebar lists a page.
pub fn in_sidebar(page: &Page) -> bool {
    of(page.kind).is_none_or(|k| k.in_sidebar())
}
