//! The site model: plain data passed between the pipeline stages. No I/O here.
//!
//! `load` produces `SourceFiles`, `parse` turns each Markdown file into a `Page`, `resolve`
//! computes the whole-site facts (`Resolved`: URLs, links, navigation, backlinks) and `render`
//! turns both into an `Output`.

pub mod api;
pub mod columns;
pub mod data;
pub mod decimal;
pub mod document;

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// Index of a page in `Site::pages`.
pub type PageId = usize;

/// A file found in the content folder, before parsing.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the content folder, with `/` separators.
    pub rel: String,
    pub abs: PathBuf,
    /// Path as shown in diagnostics.
    pub display: Arc<str>,
}

/// What `load` found: Markdown sources (with their text) and every other publishable file.
#[derive(Debug, Default)]
pub struct Loaded {
    pub markdown: Vec<(SourceFile, Arc<str>)>,
    /// Files that a page kind other than Markdown claims by name (`kinds::claim`: diagram and
    /// source files) with their text; also listed in `assets` (the file is published too).
    /// The kind is chosen from the text (`kinds::claim_text`); a source file that is not
    /// UTF-8 is left out (it stays a published file).
    pub kind_pages: Vec<(SourceFile, Arc<str>)>,
    /// Data files (`data/**/*.yaml`) with their text; also listed in `assets`.
    pub data: Vec<(SourceFile, Arc<str>)>,
    pub assets: Vec<SourceFile>,
    /// Site templates and static files overriding the embedded theme, by theme-relative path
    /// (`templates/page.html`, `static/assets/archsite.css`).
    pub theme_overrides: BTreeMap<String, Vec<u8>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub weight: Option<i64>,
    pub environment: Option<String>,
    /// Related pages or files, as links (front matter `related:`), with the byte range of each
    /// in the file.
    pub related: Vec<(String, Range<usize>)>,
    /// Pages of one group pair by environment; defaults to the page's folder.
    pub group: Option<String>,
    pub draft: bool,
    /// Every other key of the front matter (`section`, `date`, `extra`, …): archsite does not
    /// read them; templates do, as `page.meta`.
    pub meta: BTreeMap<String, serde_yaml::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    /// Plain text, as GitHub slugs it.
    pub text: String,
    pub id: String,
    /// Whether the id is written in the heading (`## Title {#id}`) rather than made from it.
    pub explicit: bool,
    /// Leading section number such as `2.1` in `2.1 환경별 특성 비교`.
    pub number: Option<String>,
    /// Byte range in the page's source text.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Link,
    Image,
    /// `href`/`src` in raw HTML.
    Html,
    /// A path written as plain text in a list item (`design/logical.md`): linked when it
    /// resolves, a warning when not.
    PlainPath,
    /// Front matter `related:`.
    Related,
    /// An OpenAPI `$ref` to a schema or another file, written as the link it becomes
    /// (`#schema-User`, `common.yaml#schema-Error`, `schemas/user.yaml`); its span is the
    /// `$ref` value's.
    Ref,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub kind: LinkKind,
    /// The destination as written.
    pub dest: String,
    /// Byte range of the whole link in the page's source text.
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub file: SourceFile,
    /// The whole file, front matter included; spans index into it.
    pub text: Arc<str>,
    /// Byte offset where the Markdown body starts (after the front matter).
    pub body_start: usize,
    pub front: FrontMatter,
    pub title: String,
    /// Whether the first block of the body is an H1 (the theme then skips its own title).
    pub has_h1: bool,
    // The lists are shared, not copied, when `serve` reuses an unchanged page's parse.
    pub headings: Arc<[Heading]>,
    pub links: Arc<[Link]>,
    /// Every anchor a link may target: heading ids plus ids and names found in raw HTML.
    pub anchors: Arc<[String]>,
    /// Hangul and Latin letters among the first `LETTER_SAMPLE` of the body, for language
    /// detection.
    pub letters: (usize, usize),
    /// Data tables and inline values (`parse/table.rs`), in document order.
    pub data: Arc<[data::DataRef]>,
    /// Diagrams, in document order (a diagram file's page has exactly one: the whole file).
    pub diagrams: Arc<[Diagram]>,
    /// The Markdown's events and what each is to render and search (empty for a `.mmd` page).
    pub document: Arc<document::Document>,
    pub kind: PageKind,
    /// An OpenAPI spec's page: what it shows (`kinds/openapi/`); `None` for other pages.
    pub api: Option<Arc<api::Api>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Markdown,
    /// A diagram file (`.mmd`): its page shows the diagram, its source and the pages linking
    /// to it (`kinds/diagram.rs`).
    Diagram,
    /// A source or configuration file (`.sql`, `.yaml`, …): its page shows the numbered,
    /// highlighted source (`kinds/source.rs`).
    Source,
    /// An OpenAPI spec (`.yaml`, `.json` with a top-level `openapi:`): an API reference page
    /// (`kinds/openapi/`, `Page::api`).
    Api,
}

/// A diagram: a fenced block of a diagram language (```` ```mermaid ````) in a page, or a whole
/// diagram file (`.mmd`).
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    /// The name of its language (`diagram::Language::name`): `mermaid`.
    pub language: &'static str,
    pub source: Arc<str>,
    /// Byte offset in the page's text where the diagram's first line starts.
    pub start: usize,
    /// Byte offset where the block ends (the closing fence, or the end of the file).
    pub end: usize,
}

impl Page {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// Where a link goes, decided by `resolve`.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkTarget {
    /// Another page (or this one) of the site.
    Page {
        page: PageId,
        fragment: Option<String>,
    },
    /// A published non-Markdown file.
    File,
    /// Another scheme or host, or something archsite leaves alone.
    External,
    /// Broken: reported as a diagnostic, left as written.
    Unresolved,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedLink {
    pub target: LinkTarget,
    /// The href to write, relative to the linking page.
    pub href: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NavNode {
    pub title: String,
    /// Output URL relative to the site root; `None` for a folder without an index page.
    pub url: Option<String>,
    #[serde(skip)]
    pub page: Option<PageId>,
    pub children: Vec<NavNode>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnvPeer {
    pub env: String,
    pub page: PageId,
}

/// Per heading index: (environment, peer page, heading id) of the same-numbered sections.
pub type SectionPeers = HashMap<usize, Vec<(String, PageId, String)>>;

/// Whole-site facts computed by `resolve`.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Output URL of each page relative to the output root, e.g. `reference/index.html`.
    pub urls: Arc<[String]>,
    /// Per page, per link in source order.
    pub links: Vec<Arc<[ResolvedLink]>>,
    pub nav: Arc<[NavNode]>,
    /// Pages in sidebar order, for previous/next.
    pub order: Arc<[PageId]>,
    /// Per page: the folder index pages above it, from the home page down.
    pub breadcrumbs: Arc<[Vec<PageId>]>,
    /// Per page: pages linking to it, sorted by title.
    pub backlinks: Arc<[Vec<PageId>]>,
    /// Per page: the documents of its environment group (including itself), in environment
    /// order; empty for pages without `environment`.
    pub env_peers: Arc<[Vec<EnvPeer>]>,
    /// Per page, per heading: (environment, page, heading id) of the same-numbered sections in
    /// the peers.
    pub section_peers: Arc<[SectionPeers]>,
    /// The master index.
    pub home: Option<PageId>,
    /// Published non-Markdown files: source path relative to content → absolute source path.
    pub files: Arc<BTreeMap<String, PathBuf>>,
    /// Site title: from the config, else the home page's title.
    pub title: String,
    /// Site language: from the config, else detected from the text.
    pub lang: crate::config::Lang,
}

impl Resolved {
    /// The pages that pages archsite generates link to. Without a master index the generated
    /// home page (`render/home.rs`) lists every document of the sidebar by section, every
    /// diagram page and every API page (source pages are never called orphans), so every
    /// page in the sidebar counts as linked from the home page. The all-pages page is not
    /// counted: like the sidebar, it lists everything, deliberate or forgotten.
    pub fn linked_by_generated_pages(&self) -> Vec<PageId> {
        fn walk(nodes: &[NavNode], out: &mut Vec<PageId>) {
            for node in nodes {
                out.extend(node.page);
                walk(&node.children, out);
            }
        }
        let mut out = Vec::new();
        if self.home.is_none() {
            walk(&self.nav, &mut out);
        }
        out
    }
}

/// A 64-bit hash of a value, for cache keys and ETags (the same process compares them, so
/// std's hasher is stable enough).
pub fn hash_of<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}
