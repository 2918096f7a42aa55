//! Stage 4, render. Builds a view model per page (everything already resolved, every href
//! relative to the page) and renders it with the theme's templates; draws the data tables
//! (`tables.rs`); adds the site-wide files (navigation script, highlight CSS, sitemap page,
//! `sitemap.xml`, `404.html`, theme assets, published content files). Returns the whole site
//! as an `Output`: each page is handed to the build's `output::Destination` as soon as it is
//! rendered (which keeps it, or stages it on disk: output's decision, not render's), and a
//! page the destination already holds from the same inputs is not rendered at all.

mod api;
mod diagram;
mod highlight;
mod home;
pub mod i18n;
mod markdown;
mod reuse;
mod site_files;
mod source;
pub mod tables;
mod templates;

pub use markdown::{render_markdown, MarkdownContext, SectionLink};
pub use templates::Templates;

use crate::base::urls::{encode_fragment, relative_href, root_prefix};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::document::Lending;
use crate::model::{hash_of, LinkKind, LinkTarget, Page, PageId, PageKind, Resolved};
use crate::output::{Destination, Entry, Output, OutputFile};
use i18n::{env_name, words, Words};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: Option<&'a str>,
}

#[derive(Serialize)]
struct AssetsView {
    search: String,
    css: String,
    js: String,
    nav: String,
    highlight: String,
    mermaid: String,
    diagram: String,
    diagram_css: String,
}

#[derive(Serialize, Hash)]
struct LinkView {
    title: String,
    href: String,
}

#[derive(Serialize, Hash)]
struct TocEntry<'a> {
    level: u8,
    id: &'a str,
    title: &'a str,
}

#[derive(Serialize, Hash)]
struct EnvView {
    id: String,
    name: String,
}

#[derive(Serialize, Hash)]
struct PeerView {
    id: String,
    name: String,
    title: String,
    href: String,
    current: bool,
}

/// One page's result: its HTML, or the entry of the destination that already holds it; with
/// the key of everything the HTML depends on.
pub enum RenderedPage {
    Html(String, u64),
    /// HTML the preview's render cache holds too (page key, body key).
    Shared(std::sync::Arc<str>, u64, u64),
    /// Not rendered: the destination holds the page as made from the same inputs.
    Held(Entry, u64),
}

/// A page's rendered body, hashed by the key of its inputs rather than by its (long) text.
struct Content {
    html: String,
    key: u64,
}

impl Serialize for Content {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.html)
    }
}

impl std::hash::Hash for Content {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.key.hash(h);
    }
}

#[derive(Serialize, Hash)]
struct PageView<'a> {
    title: &'a str,
    description: &'a str,
    url: &'a str,
    source: &'a str,
    content: Content,
    has_h1: bool,
    toc: Vec<TocEntry<'a>>,
    breadcrumbs: Vec<LinkView>,
    prev: Option<LinkView>,
    next: Option<LinkView>,
    backlinks: Vec<LinkView>,
    /// Front matter `related:`, resolved.
    related: Vec<LinkView>,
    environment: Option<EnvView>,
    env_peers: Vec<PeerView>,
    is_home: bool,
    /// The page shows diagrams: it loads diagram.js and diagram.css (pan, zoom, full screen).
    diagrams: bool,
    /// Some of them are drawn by mermaid.js in the browser: it loads mermaid.js (no other page
    /// does; PlantUML's are drawn at build time).
    mermaid: bool,
    /// A `.mmd` file's page.
    is_diagram: bool,
    /// A page archsite makes (the home page of a site without one, all pages, the
    /// environment differences): no "referenced by" section.
    generated: bool,
    /// An OpenAPI spec's page (`api.html` drew its body).
    is_api: bool,
    /// The front matter's keys that archsite does not read (`section`, `date`, `extra`, …).
    meta: &'a std::collections::BTreeMap<String, serde_yaml::Value>,
    /// `meta.extra`, where Zola's templates look (`page.extra.icon`); empty when absent.
    extra: &'a serde_yaml::Value,
}

#[derive(Serialize)]
struct View<'a> {
    /// Whether the theme shows the search box (`search:` in the config).
    search: bool,
    lang: &'static str,
    t: &'a Words,
    site: SiteView<'a>,
    root: String,
    assets: AssetsView,
    page: Option<PageView<'a>>,
}

/// `page.extra` of a page without `extra:` in its front matter: an empty mapping, so that
/// `page.extra.x is defined` works in a template.
static NO_EXTRA: std::sync::LazyLock<serde_yaml::Value> =
    std::sync::LazyLock::new(|| serde_yaml::Value::Mapping(serde_yaml::Mapping::new()));

static NO_META: std::collections::BTreeMap<String, serde_yaml::Value> =
    std::collections::BTreeMap::new();

pub const SEARCH_SCRIPT: &str = "assets/search.js";
pub const NAV_SCRIPT: &str = "assets/nav.js";
pub const HIGHLIGHT_CSS: &str = "assets/highlight.css";
pub const SITEMAP_PAGE: &str = "sitemap.html";
pub const DIAGRAM_SCRIPT: &str = "assets/diagram.js";

/// Everything a render reads, given at once.
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub pages: &'a [Page],
    pub resolved: &'a Resolved,
    pub templates: &'a Templates,
    /// Where rendered pages go (`output::Memory`, or a writing build's staging).
    pub dest: &'a dyn Destination,
    /// The drawn data tables and inline values of every page (`tables::draw`).
    pub tables: Option<&'a tables::Drawn>,
    /// What each diagram's engine said of it.
    pub diagrams: Option<&'a crate::diagram::Verdicts>,
    /// Rendered HTML of earlier builds (`serve`).
    pub content_cache: Option<&'a ContentCache>,
    /// The pages' documents (`Lending`: render says when it is done with each page).
    pub documents: &'a Lending,
}

pub struct RenderContext<'a> {
    pub config: &'a Config,
    pub pages: &'a [Page],
    pub resolved: &'a Resolved,
    pub templates: &'a Templates,
    pub words: Words,
    /// Rendered Markdown of earlier builds (`serve`), by the hash of everything it depends on.
    pub content_cache: Option<&'a ContentCache>,
    /// Data tables and inline values of every page, and the environment-diff page.
    pub data: Option<&'a tables::Drawn>,
    /// What mermaid's parser said of each diagram.
    pub diagrams: Option<&'a crate::diagram::Verdicts>,
    /// Where rendered pages go as soon as they are rendered, and which it already holds (a
    /// page whose inputs are unchanged is not rendered again).
    pub dest: &'a dyn Destination,
    /// Hash of what every page depends on besides its own view: templates and site settings.
    site_key: u64,
    /// Per source page, the line ranges links name (`#L8-L15`), made on first use.
    line_ranges: std::sync::OnceLock<std::collections::HashMap<PageId, Vec<String>>>,
    documents: &'a Lending,
    /// Per page, its line on the generated home page (`home::description`), kept once made:
    /// with lent documents it is made while render has the page's document (`render_site`).
    descriptions: Vec<std::sync::OnceLock<Option<String>>>,
}

/// Rendered HTML kept between builds, keyed by a hash of its inputs: page bodies by the page's
/// text, the hrefs its links resolved to and its "same section in prod" links (highlighting and
/// Markdown are most of a page's cost); whole pages by their view model, the site's settings
/// and the templates. A page none of whose inputs changed is not rendered again. Entries a
/// build did not use are dropped when it finishes.
#[derive(Debug, Default)]
pub struct ContentCache {
    entries: std::sync::Mutex<std::collections::HashMap<u64, std::sync::Arc<str>>>,
    used: std::sync::Mutex<std::collections::HashSet<u64>>,
    reuse: reuse::Reuse,
    site_files: site_files::Kept,
}

impl ContentCache {
    fn get_or_render(&self, key: u64, render: impl FnOnce() -> String) -> std::sync::Arc<str> {
        if let Some(hit) = self.lookup(key) {
            return hit;
        }
        let html: std::sync::Arc<str> = render().into();
        self.store(key, html.clone());
        html
    }

    fn lookup(&self, key: u64) -> Option<std::sync::Arc<str>> {
        self.used.lock().expect("cache lock").insert(key);
        self.entries.lock().expect("cache lock").get(&key).cloned()
    }

    fn mark_used(&self, keys: &[(u64, u64)]) {
        let mut used = self.used.lock().expect("cache lock");
        for &(page, body) in keys {
            used.insert(page);
            used.insert(body);
        }
    }

    fn store(&self, key: u64, html: std::sync::Arc<str>) {
        self.used.lock().expect("cache lock").insert(key);
        self.entries.lock().expect("cache lock").insert(key, html);
    }

    /// Forgets what the last build did not use, so that a long preview session stays small.
    pub fn finish_build(&self) {
        let used = std::mem::take(&mut *self.used.lock().expect("cache lock"));
        self.entries
            .lock()
            .expect("cache lock")
            .retain(|k, _| used.contains(k));
    }
}

impl<'a> RenderContext<'a> {
    pub fn new(inputs: Inputs<'a>) -> Self {
        let Inputs {
            config,
            pages,
            resolved,
            templates,
            dest,
            tables,
            diagrams,
            content_cache,
            documents,
        } = inputs;
        RenderContext {
            config,
            pages,
            resolved,
            templates,
            words: words(resolved.lang),
            content_cache,
            data: tables,
            diagrams,
            dest,
            line_ranges: Default::default(),
            descriptions: pages.iter().map(|_| Default::default()).collect(),
            site_key: hash_of(&(
                templates.key,
                &resolved.title,
                resolved.lang.code(),
                &config.description,
                &config.base_url,
                config.search,
            )),
            documents,
        }
    }

    fn view(&self, root: String, page: Option<PageView<'a>>) -> View<'_> {
        View {
            search: self.config.search,
            lang: self.resolved.lang.code(),
            t: &self.words,
            site: SiteView {
                title: &self.resolved.title,
                description: &self.config.description,
                base_url: self.config.base_url.as_deref(),
            },
            assets: AssetsView {
                search: format!("{root}{SEARCH_SCRIPT}"),
                css: format!("{root}assets/archsite.css"),
                js: format!("{root}assets/archsite.js"),
                nav: format!("{root}{NAV_SCRIPT}"),
                highlight: format!("{root}{HIGHLIGHT_CSS}"),
                mermaid: format!("{root}{}", crate::diagram::MERMAID_ASSET),
                diagram: format!("{root}{DIAGRAM_SCRIPT}"),
                diagram_css: format!("{root}assets/diagram.css"),
            },
            root,
            page,
        }
    }

    fn link(&self, from_url: &str, id: PageId) -> LinkView {
        LinkView {
            title: self.pages[id].title.clone(),
            href: relative_href(from_url, &self.resolved.urls[id]),
        }
    }

    /// Renders one page to its HTML file, unless the destination already holds it.
    pub fn render_page(&self, id: PageId) -> Result<RenderedPage, Diagnostic> {
        let page = &self.pages[id];
        let url = &self.resolved.urls[id];
        let body_key = self.body_key(id);
        // The body is filled in below, unless the page turns out not to need rendering.
        let mut view_page = self.page_view(
            id,
            Content {
                html: String::new(),
                key: body_key,
            },
        );
        // Everything the page's HTML depends on (its body by key, not by text).
        let page_key = hash_of(&(self.site_key, &view_page));
        if let Some(entry) = self.dest.held(url, page_key) {
            return Ok(RenderedPage::Held(entry, page_key));
        }
        if let Some(hit) = self.content_cache.and_then(|c| c.lookup(page_key)) {
            // The body's entry must survive this build too, for a later change of view.
            if let Some(cache) = self.content_cache {
                cache.mark_used(&[(page_key, body_key)]);
            }
            return Ok(RenderedPage::Shared(hit, page_key, body_key));
        }
        // A spec's page is drawn with a template of its own, whose errors are the site's.
        let api_html = match page.kind {
            PageKind::Api => Some(
                self.api_body(id)
                    .map_err(|d| d.in_file(&page.file.display))?,
            ),
            _ => None,
        };
        let render_body = || api_html.clone().unwrap_or_else(|| self.body(id));
        view_page.content.html = match self.content_cache {
            None => render_body(),
            Some(cache) => cache.get_or_render(body_key, render_body).to_string(),
        };
        let html = self
            .templates
            .render("page.html", &self.view(root_prefix(url), Some(view_page)))
            .map_err(|d| d.in_file(&page.file.display))?;
        if let Some(cache) = self.content_cache {
            let shared: std::sync::Arc<str> = html.into();
            cache.store(page_key, shared.clone());
            return Ok(RenderedPage::Shared(shared, page_key, body_key));
        }
        Ok(RenderedPage::Html(html, page_key))
    }

    /// The links of a page's heading (by index) to the same-numbered sections of its
    /// environment peers.
    fn section_links(&self, id: PageId, heading: usize) -> Vec<SectionLink> {
        let r = self.resolved;
        let url = &r.urls[id];
        r.section_peers[id]
            .get(&heading)
            .map_or_else(Vec::new, |peers| {
                peers
                    .iter()
                    .map(|(env, peer, anchor)| SectionLink {
                        label: env_name(r.lang, env),
                        href: format!(
                            "{}#{}",
                            relative_href(url, &r.urls[*peer]),
                            encode_fragment(anchor)
                        ),
                        title: format!("{}: {}", self.words.this_section_in, env_name(r.lang, env)),
                    })
                    .collect()
            })
    }

    /// The diagram file's page a link leads to, when it does (an image of it embeds it).
    fn embedded(&self, link: &crate::model::ResolvedLink) -> Option<PageId> {
        match link.target {
            LinkTarget::Page { page, .. } if self.pages[page].kind == PageKind::Diagram => {
                Some(page)
            }
            _ => None,
        }
    }

    /// The line ranges (`L8-L15`) that links of the site name on a source page: each gets an
    /// id at its first line, so that the link lands there without JavaScript.
    fn line_ranges(&self, id: PageId) -> &[String] {
        let all = self.line_ranges.get_or_init(|| {
            let mut all: std::collections::HashMap<PageId, Vec<String>> = Default::default();
            for link in self.resolved.links.iter().flat_map(|l| l.iter()) {
                if let LinkTarget::Page {
                    page,
                    fragment: Some(f),
                } = &link.target
                {
                    let is_range = crate::kinds::source::line_range(f).is_some_and(|(a, b)| a != b);
                    if self.pages[*page].kind == PageKind::Source && is_range {
                        all.entry(*page).or_default().push(f.clone());
                    }
                }
            }
            for ranges in all.values_mut() {
                ranges.sort();
                ranges.dedup();
            }
            all
        });
        all.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The drawn data tables and values of a page, by directive.
    fn tables_of(&self, id: PageId) -> &[std::sync::Arc<str>] {
        self.data
            .and_then(|d| d.pages.get(id))
            .map_or(&[], Vec::as_slice)
    }

    /// The body of an OpenAPI spec's page (`api.rs`, `templates/api.html`).
    fn api_body(&self, id: PageId) -> Result<String, Diagnostic> {
        let page = &self.pages[id];
        let Some(api) = page.api.as_deref() else {
            return Ok(self.body(id));
        };
        let no_sections = |_: usize| Vec::new();
        let no_diagram = |_: u32| String::new();
        let no_embed = |_: &crate::model::ResolvedLink| false;
        let no_figure = |_: &crate::model::ResolvedLink, _: &str| String::new();
        let no_source = |_: &str, _: &str| String::new();
        let markdown = MarkdownContext {
            links: &self.resolved.links[id],
            headings: &page.headings,
            section_links: &no_sections,
            anchor_label: self.words.anchor_label,
            data: &[],
            diagram: &no_diagram,
            embeds: &no_embed,
            embed: &no_figure,
            source: &no_source,
        };
        let document = self.documents.document(self.pages, id);
        api::ApiPage {
            page,
            document: &document,
            api,
            links: &self.resolved.links[id],
            markdown: &markdown,
            url: &self.resolved.urls[id],
            lang: self.resolved.lang,
        }
        .render(self.templates)
    }

    /// A page's line on the generated home page (`home::description`).
    fn description(&self, id: PageId) -> Option<String> {
        self.descriptions[id]
            .get_or_init(|| {
                home::description(&self.pages[id], &self.documents.document(self.pages, id))
            })
            .clone()
    }

    /// The HTML of a page's document.
    fn body(&self, id: PageId) -> String {
        let page = &self.pages[id];
        let url = &self.resolved.urls[id];
        let section_links = |heading: usize| self.section_links(id, heading);
        // A diagram file's page shows its source open and a link to the file.
        let raw = relative_href(url, &page.file.rel);
        let draw = |i: u32| {
            page.diagrams.get(i as usize).map_or_else(String::new, |d| {
                // Every line number the figure shows is a line of the page's file.
                let first_line = page.text[..d.start].matches('\n').count() + 1;
                let extras = match page.kind {
                    PageKind::Diagram => diagram::FigureExtras {
                        download: Some((&raw, self.words.diagram_download)),
                        source_open: true,
                        first_line,
                        ..Default::default()
                    },
                    PageKind::Markdown | PageKind::Source | PageKind::Api => {
                        diagram::FigureExtras {
                            first_line,
                            ..Default::default()
                        }
                    }
                };
                self.figure(id, d, url, extras)
            })
        };
        let embeds = |link: &crate::model::ResolvedLink| self.embedded(link).is_some();
        let embed = |link: &crate::model::ResolvedLink, caption: &str| {
            let target = self.embedded(link).unwrap_or(id);
            let extras = diagram::FigureExtras {
                caption: Some(caption),
                page_link: Some((&link.href, self.words.diagram_page)),
                first_line: 1,
                ..Default::default()
            };
            self.pages[target]
                .diagrams
                .first()
                .map_or_else(String::new, |d| self.figure(target, d, url, extras))
        };
        let ctx = MarkdownContext {
            links: &self.resolved.links[id],
            headings: &page.headings,
            section_links: &section_links,
            anchor_label: self.words.anchor_label,
            data: self.tables_of(id),
            diagram: &draw,
            embeds: &embeds,
            embed: &embed,
            source: &|lang: &str, text: &str| {
                let lines = crate::kinds::source::line_count(text);
                source::listing(
                    lang,
                    text,
                    &source::Labels {
                        download_href: &raw,
                        download: self.words.source_download,
                        lines: self.words.source_lines.replace("{n}", &lines.to_string()),
                        line: self.words.diagram_line,
                        ranges: self.line_ranges(id),
                    },
                )
            },
        };
        render_markdown(&self.documents.document(self.pages, id), &page.text, &ctx)
    }

    /// The key of everything a page's body depends on.
    fn body_key(&self, id: PageId) -> u64 {
        let page = &self.pages[id];
        let links = &self.resolved.links[id];
        let key = content_key(
            page,
            links,
            &|heading| self.section_links(id, heading),
            page.headings.len(),
            self.words.anchor_label,
        );
        // An embedded diagram's text is an input too.
        let embedded: Vec<(&Page, &crate::model::Diagram)> = links
            .iter()
            .filter_map(|l| self.embedded(l))
            .filter_map(|p| Some((&self.pages[p], self.pages[p].diagrams.first()?)))
            .collect();
        let embedded_sources: Vec<&str> = embedded.iter().map(|(_, d)| &*d.source).collect();
        // So are the verdicts: a diagram drawn at build time changes with the files it
        // includes and the PlantUML that drew it, not only with its text.
        let verdicts: Vec<Option<&crate::diagram::Verdict>> = page
            .diagrams
            .iter()
            .map(|d| (page, d))
            .chain(embedded.iter().copied())
            .map(|(p, d)| self.diagrams.and_then(|v| v.get(p, d)))
            .collect();
        // A source page's words and the ranges links name on it.
        let source = (page.kind == PageKind::Source).then(|| {
            (
                self.words.source_download,
                self.words.source_lines,
                self.words.diagram_line,
                self.line_ranges(id),
            )
        });
        // A spec's page is drawn by a template, in the site's language.
        let drawn_by =
            (page.kind == PageKind::Api).then_some((self.templates.key, self.resolved.lang));
        tables::cache_key(
            hash_of(&(key, embedded_sources, verdicts, source, drawn_by)),
            self.tables_of(id),
        )
    }

    /// Whether a page shows diagrams that diagram.js takes in (`script_only`: that a script
    /// such as mermaid.js draws in the browser; else drawings made at build time count too):
    /// only where there is something to draw, not for diagrams rejected at build time (they
    /// show their error instead) nor PlantUML's that were not drawn (their source is shown).
    fn draws_diagrams(&self, id: PageId, script_only: bool) -> bool {
        use crate::diagram::{Drawing, Verdict};
        let drawable = |(page, d): (&Page, &crate::model::Diagram)| {
            let verdict = self.diagrams.and_then(|v| v.get(page, d));
            match crate::diagram::language(d.language).map(|l| l.drawing) {
                Some(Drawing::Script { .. }) => !matches!(verdict, Some(Verdict::Invalid(_))),
                Some(Drawing::Svg) => {
                    !script_only && matches!(verdict, Some(Verdict::Valid { svg: Some(_), .. }))
                }
                None => false,
            }
        };
        let page = &self.pages[id];
        page.diagrams.iter().map(|d| (page, d)).any(drawable)
            || self.resolved.links[id]
                .iter()
                .filter_map(|l| self.embedded(l))
                .filter_map(|p| Some((&self.pages[p], self.pages[p].diagrams.first()?)))
                .any(drawable)
    }

    /// A page's view for `page.html`, with `content` as its body.
    fn page_view(&self, id: PageId, content: Content) -> PageView<'a> {
        let page = &self.pages[id];
        let r = self.resolved;
        let url = &r.urls[id];
        let position = r.order.iter().position(|&p| p == id);
        let toc_depth = if page.kind == PageKind::Api { 2 } else { 3 };
        let neighbour = |delta: isize| {
            position
                .and_then(|i| i.checked_add_signed(delta))
                .and_then(|i| r.order.get(i))
                .map(|&p| self.link(url, p))
        };
        PageView {
            title: &page.title,
            description: page.front.description.as_deref().unwrap_or(""),
            url,
            source: &page.file.rel,
            content,
            has_h1: page.has_h1,
            toc: page
                .headings
                .iter()
                // A spec's page lists its tags and schemas (its operations are many).
                .filter(|h| (2..=toc_depth).contains(&h.level))
                .map(|h| TocEntry {
                    level: h.level,
                    id: &h.id,
                    title: api::toc_title(page, h, r.lang),
                })
                .collect(),
            breadcrumbs: r.breadcrumbs[id]
                .iter()
                .map(|&p| self.link(url, p))
                .collect(),
            prev: neighbour(-1),
            next: neighbour(1),
            backlinks: r.backlinks[id].iter().map(|&p| self.link(url, p)).collect(),
            related: self.related(id),
            // Front matter's, else the one its file name gave it (`resolve` paired it).
            environment: page
                .front
                .environment
                .as_ref()
                .or_else(|| {
                    r.env_peers[id]
                        .iter()
                        .find(|p| p.page == id)
                        .map(|p| &p.env)
                })
                .map(|e| EnvView {
                    id: e.clone(),
                    name: env_name(r.lang, e),
                }),
            env_peers: r.env_peers[id]
                .iter()
                .map(|peer| PeerView {
                    id: peer.env.clone(),
                    name: env_name(r.lang, &peer.env),
                    title: self.pages[peer.page].title.clone(),
                    href: relative_href(url, &r.urls[peer.page]),
                    current: peer.page == id,
                })
                .collect(),
            is_home: r.home == Some(id),
            diagrams: self.draws_diagrams(id, false),
            mermaid: self.draws_diagrams(id, true),
            is_diagram: page.kind == PageKind::Diagram,
            generated: false,
            is_api: page.kind == PageKind::Api,
            meta: &page.front.meta,
            extra: page.front.meta.get("extra").unwrap_or(&*NO_EXTRA),
        }
    }

    /// Front matter `related:`, resolved: pages by their title, files by their name.
    fn related(&self, id: PageId) -> Vec<LinkView> {
        self.pages[id]
            .links
            .iter()
            .zip(self.resolved.links[id].iter())
            .filter(|(link, _)| link.kind == LinkKind::Related)
            .filter_map(|(link, resolved)| match &resolved.target {
                LinkTarget::Page { page, .. } => Some(LinkView {
                    title: self.pages[*page].title.clone(),
                    href: resolved.href.clone(),
                }),
                LinkTarget::File => Some(LinkView {
                    title: link
                        .dest
                        .rsplit('/')
                        .next()
                        .unwrap_or(&link.dest)
                        .to_string(),
                    href: resolved.href.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// Diagram `d` of page `owner`, shown on the page at `viewer_url` (the owner's, or one
    /// that embeds it).
    fn figure(
        &self,
        owner: PageId,
        d: &crate::model::Diagram,
        viewer_url: &str,
        extras: diagram::FigureExtras,
    ) -> String {
        let verdict = self.diagrams.and_then(|v| v.get(&self.pages[owner], d));
        let language = crate::diagram::language(d.language).unwrap_or(&crate::diagram::MERMAID);
        let links = self.diagram_links(owner, d, viewer_url);
        let extras = diagram::FigureExtras {
            links: &links,
            ..extras
        };
        diagram::figure(language, &d.source, verdict, &self.words, &extras)
    }

    /// The links written in diagram `d` of page `owner` (PlantUML's `[[url]]`), as checked by
    /// resolve: (the destination as written, the href from the page at `viewer_url`).
    fn diagram_links(
        &self,
        owner: PageId,
        d: &crate::model::Diagram,
        viewer_url: &str,
    ) -> Vec<(String, String)> {
        use crate::model::{LinkKind, LinkTarget};
        let owner_url = &self.resolved.urls[owner];
        let owner_dir = owner_url.rsplit_once('/').map_or("", |(dir, _)| dir);
        self.pages[owner]
            .links
            .iter()
            .zip(self.resolved.links[owner].iter())
            .filter(|(l, _)| {
                l.kind == LinkKind::Html && l.span.start >= d.start && l.span.start <= d.end
            })
            .map(|(l, r)| {
                let href = match &r.target {
                    _ if viewer_url == owner_url.as_str() => r.href.clone(),
                    LinkTarget::Page { page, .. } => {
                        let fragment = r.href.find('#').map_or("", |i| &r.href[i..]);
                        format!(
                            "{}{fragment}",
                            relative_href(viewer_url, &self.resolved.urls[*page])
                        )
                    }
                    LinkTarget::File => crate::base::urls::join(owner_dir, &r.href)
                        .map_or_else(|| r.href.clone(), |site| relative_href(viewer_url, &site)),
                    _ => r.href.clone(),
                };
                (l.dest.clone(), href)
            })
            .collect()
    }

    /// A generated page (the list of all pages, or the home of a site without an index page).
    fn render_generated(
        &self,
        url: &str,
        title: &str,
        content: String,
    ) -> Result<String, Diagnostic> {
        let page = PageView {
            title,
            description: "",
            url,
            source: "",
            content: Content {
                html: content,
                key: 0,
            },
            has_h1: false,
            toc: Vec::new(),
            breadcrumbs: Vec::new(),
            prev: None,
            next: None,
            backlinks: Vec::new(),
            related: Vec::new(),
            environment: None,
            env_peers: Vec::new(),
            is_home: url == "index.html",
            diagrams: false,
            mermaid: false,
            is_diagram: false,
            generated: true,
            is_api: false,
            meta: &NO_META,
            extra: &NO_EXTRA,
        };
        self.templates
            .render("page.html", &self.view(root_prefix(url), Some(page)))
    }
}

/// Renders one page (the home page, else the first) and the 404 page, so that `check` reports
/// template errors without rendering the whole site.
pub fn validate_templates(ctx: &RenderContext) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let sample = ctx
        .resolved
        .home
        .or(if ctx.pages.is_empty() { None } else { Some(0) });
    if let Some(id) = sample {
        diags.extend(ctx.render_page(id).err());
    }
    diags.extend(
        ctx.templates
            .render("404.html", &ctx.view(ctx.config.base_path.clone(), None))
            .err(),
    );
    diags
}

/// Everything the rendered body of a page depends on, hashed.
fn content_key(
    page: &Page,
    links: &[crate::model::ResolvedLink],
    section_links: &dyn Fn(usize) -> Vec<SectionLink>,
    headings: usize,
    anchor_label: &str,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    // The body may name its own file (a diagram page's download link): two files with the
    // same text must not share a body.
    page.file.rel.hash(&mut h);
    page.text.hash(&mut h);
    page.body_start.hash(&mut h);
    anchor_label.hash(&mut h);
    for link in links {
        link.href.hash(&mut h);
        matches!(link.target, LinkTarget::Page { .. } | LinkTarget::File).hash(&mut h);
    }
    for i in 0..headings {
        for l in section_links(i) {
            (l.label, l.href, l.title).hash(&mut h);
        }
    }
    h.finish()
}

/// Renders the whole site into an `Output`.
pub fn render_site(
    ctx: &RenderContext,
    theme_files: &BTreeMap<String, Vec<u8>>,
) -> (Output, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut output = Output::default();
    // The preview takes pages whose inputs are the very same as last build as they were.
    let r = ctx.resolved;
    let shape = ctx
        .content_cache
        .map(|_| reuse::site_shape(ctx.site_key, ctx.pages, r, ctx.data, ctx.diagrams));
    let last = ctx
        .content_cache
        .map(|c| c.reuse.take())
        .unwrap_or_default();
    let render_one = |id: PageId| {
        let url = &r.urls[id];
        let (page, links) = (&ctx.pages[id], &r.links[id]);
        if let (Some(shape), Some(Some(before))) = (shape, last.get(id)) {
            if before.still_valid(page, links, shape) {
                let kept =
                    reuse::Rendered::new(page, links, shape, before.keys, before.html.clone());
                return (
                    id,
                    Ok((
                        ctx.dest.place(url, OutputFile::Shared(before.html.clone())),
                        before.keys.0,
                    )),
                    Some(kept),
                );
            }
        }
        let mut again = None;
        let page = ctx.render_page(id).map(|rendered| match rendered {
            RenderedPage::Html(html, key) => (
                ctx.dest.place(url, OutputFile::Bytes(html.into_bytes())),
                key,
            ),
            RenderedPage::Shared(html, key, body) => {
                if let Some(shape) = shape {
                    again = Some(reuse::Rendered::new(
                        page,
                        links,
                        shape,
                        (key, body),
                        html.clone(),
                    ));
                }
                (ctx.dest.place(url, OutputFile::Shared(html)), key)
            }
            RenderedPage::Held(entry, key) => (entry, key),
        });
        (id, page, again)
    };
    let rendered: Vec<_> = (0..ctx.pages.len())
        .into_par_iter()
        .map(|id| {
            let rendered = render_one(id);
            // The home page (`site_files`, below) describes pages by their first paragraph:
            // made now, while the page's document is at hand.
            if ctx.documents.is_lent() {
                ctx.description(id);
            }
            ctx.documents.done(id);
            rendered
        })
        .collect();
    drop(last);
    let mut next = Vec::with_capacity(rendered.len());
    for (id, result, again) in rendered {
        next.push(again);
        match result {
            Ok((file, key)) => output.insert_page(r.urls[id].clone(), file, key),
            Err(diag) => diags.push(diag),
        }
    }
    if let Some(cache) = ctx.content_cache {
        let keys: Vec<(u64, u64)> = next.iter().flatten().map(|r| r.keys).collect();
        cache.mark_used(&keys);
        cache.reuse.keep(next);
    }
    match site_files::site_files(ctx) {
        Ok(files) => files
            .into_iter()
            .for_each(|(path, file)| output.insert(path, file)),
        Err(d) => diags.push(d),
    }
    if let Some(diff) = ctx.data.and_then(|d| d.diff.as_ref()) {
        match ctx.render_generated(diff.url, diff.title, diff.html.clone()) {
            Ok(html) => output.insert(diff.url.into(), OutputFile::Bytes(html.into_bytes())),
            Err(d) => diags.push(d),
        }
    }
    match ctx
        .templates
        .render("404.html", &ctx.view(ctx.config.base_path.clone(), None))
    {
        Ok(html) => output.insert("404.html".into(), OutputFile::Bytes(html.into_bytes())),
        Err(d) => diags.push(d),
    }
    output.insert(
        HIGHLIGHT_CSS.into(),
        OutputFile::Bytes(highlight::stylesheet().as_bytes().to_vec()),
    );
    for (path, bytes) in theme_files {
        if let Some(asset) = path.strip_prefix("static/") {
            output.insert(asset.to_string(), OutputFile::Bytes(bytes.clone()));
        }
    }
    // The script of each language drawn in the browser, on a site with diagrams of it.
    for language in crate::diagram::LANGUAGES {
        let crate::diagram::Drawing::Script { asset, bytes } = language.drawing else {
            continue;
        };
        let used = ctx
            .pages
            .iter()
            .any(|p| p.diagrams.iter().any(|d| d.language == language.name));
        if used {
            output.insert(asset.into(), OutputFile::Bytes(bytes.to_vec()));
        }
    }
    for (rel, abs) in ctx.resolved.files.iter() {
        output.insert(rel.clone(), OutputFile::Copy(abs.clone()));
    }
    (output, diags)
}
