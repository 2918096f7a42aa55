//! Page kinds: the source files that become pages beside Markdown, each kind in a file of its
//! own. A kind says which files are its (`claims` by name, `accepts` by text), where their page
//! is published (`url`), and parses a file into a `Page`: its title, headings (the
//! table of contents and the anchors links may target), links (checked like any page's), and
//! a `Document` of Markdown events that `render` draws and `search` indexes as it does any
//! page's. A kind needs no code in render or search: what its page shows is in its document.
//!
//! Markdown itself is the built-in kind (`parse/`): every `.md` file is a Markdown page.
//!
//! Adding a kind (an OpenAPI spec, a source file): a file here implementing `Kind`, a line in
//! [`KINDS`], and its variant of `model::PageKind`. Every page of every kind is in the sidebar
//! under its folder, in `sitemap.html` and in `sitemap.xml`: a kind needs no code for that.
//!
//! A file is one kind: the first of [`KINDS`] that claims its name and accepts its text (an
//! OpenAPI spec is a `.yaml` or `.json` with a top-level `openapi:` version; the source kind,
//! asked last, gets the other `.yaml` and `.json` files).

mod diagram;
pub mod openapi;
pub mod source;

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
    /// Whether the text of a file it claims by name is one of its (an OpenAPI spec: a
    /// top-level `openapi:` key). A file it does not accept goes to the next kind, else stays a
    /// published file.
    fn accepts(&self, _text: &str) -> bool {
        true
    }
    /// Whether a claimed file that cannot be read as text (not UTF-8) simply stays a published
    /// file without a page (source files), rather than being an error (diagram files).
    fn optional(&self) -> bool {
        false
    }
    /// The size beyond which a file it claims is not read at all (it stays a published file
    /// without a page); `None`: every claimed file is read.
    fn max_bytes(&self) -> Option<u64> {
        None
    }
    /// Whether a link's `#fragment` names a place of one of its pages, when the kind decides
    /// that itself rather than by the page's `anchors` (a source page's `#L12-L20`): `Err`
    /// holds the message and the help.
    fn check_anchor(&self, _page: &Page, _fragment: &str) -> Option<Result<(), (String, String)>> {
        None
    }
    /// The page of a file (the file is also published as it is, so links to it still work).
    fn parse(&self, file: SourceFile, text: Arc<str>) -> (Page, Vec<Diagnostic>);
    /// Once every page is parsed: what this kind's pages take from the others (a diagram
    /// file's title from the first link to it).
    fn finish(&self, _pages: &mut [Page]) {}
}

/// Every kind of page besides Markdown, in the order they are asked to claim a file.
/// `openapi::OpenApi` takes the specs among `.yaml` and `.json` files; `source::SourceText` is
/// last: it takes the files no other kind accepts.
pub const KINDS: &[&dyn Kind] = &[
    &diagram::DiagramFile,
    &openapi::OpenApi,
    &source::SourceText,
];

/// Whether some kind claims a file by its name (`load` reads it then).
pub fn claim(rel: &str) -> Option<&'static dyn Kind> {
    KINDS.iter().copied().find(|k| k.claims(rel))
}

/// The kind of a file read as `text`: the first that claims its name and accepts its text.
pub fn claim_text(rel: &str, text: &str) -> Option<&'static dyn Kind> {
    KINDS
        .iter()
        .copied()
        .find(|k| k.claims(rel) && k.accepts(text))
}

/// Whether `load` reads a file of `len` bytes for a page: some kind claims it, and not every
/// kind that does finds it too large (a 500 MB log stays a file, unread).
pub fn reads(rel: &str, len: u64) -> bool {
    let mut claimants = KINDS.iter().filter(|k| k.claims(rel)).peekable();
    claimants.peek().is_some() && claimants.any(|k| k.max_bytes().is_none_or(|max| len <= max))
}

/// Whether every kind that claims a file by name lets it stay a plain published file when it
/// cannot be read as text.
pub fn optional(rel: &str) -> bool {
    KINDS.iter().filter(|k| k.claims(rel)).all(|k| k.optional())
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

/// What a page's kind says of a link's `#fragment` to it (`None`: its `anchors` decide).
pub fn check_anchor(page: &Page, fragment: &str) -> Option<Result<(), (String, String)>> {
    of(page.kind)?.check_anchor(page, fragment)
}
