//! The preview's shortcut past unchanged pages. A page's HTML is a function of its view, and
//! building and hashing 10,000 views costs more than the rest of a rebuild. When a page's text
//! and resolved links are the very same values as in the last build (shared `Arc`s, so the
//! check is a pointer comparison) and nothing site-wide that a view reads has changed, the page
//! is taken as it was.

use crate::model::{Page, Resolved, ResolvedLink};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// What one page's last render was made from, and what it gave.
#[derive(Debug)]
pub struct Rendered {
    text: Arc<str>,
    links: Arc<[ResolvedLink]>,
    site: u64,
    /// The page's key and its body's key in `ContentCache`, kept in use while reused.
    pub keys: (u64, u64),
    pub html: Arc<str>,
}

impl Rendered {
    pub fn new(
        page: &Page,
        links: &Arc<[ResolvedLink]>,
        site: u64,
        keys: (u64, u64),
        html: Arc<str>,
    ) -> Self {
        Rendered {
            text: page.text.clone(),
            links: links.clone(),
            site,
            keys,
            html,
        }
    }

    /// Whether the page at this position is the same page with the same inputs (a page added
    /// or removed before it shifts positions: then its text is another `Arc`, and it is
    /// rendered).
    pub fn still_valid(&self, page: &Page, links: &Arc<[ResolvedLink]>, site: u64) -> bool {
        self.site == site && Arc::ptr_eq(&self.text, &page.text) && Arc::ptr_eq(&self.links, links)
    }
}

/// The last build's `Rendered`, by page position; each build takes them and leaves its own.
#[derive(Debug, Default)]
pub struct Reuse {
    last: Mutex<Vec<Option<Rendered>>>,
}

impl Reuse {
    pub fn take(&self) -> Vec<Option<Rendered>> {
        self.last
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }

    pub fn keep(&self, rendered: Vec<Option<Rendered>>) {
        if let Ok(mut last) = self.last.lock() {
            *last = rendered;
        }
    }
}

/// A hash of everything a page's view reads besides the page itself and its own resolved
/// links: every page's title, URL, environment and kind, the text of diagram files (embedded
/// elsewhere), reading order, breadcrumbs, backlinks, environment peers and section peers, the
/// data tables, the diagram verdicts, the line anchors links name on source pages, and
/// `site_key` (templates and settings).
pub fn site_shape(
    site_key: u64,
    pages: &[Page],
    r: &Resolved,
    data: Option<&super::tables::Drawn>,
    verdicts: Option<&crate::diagram::Verdicts>,
) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    site_key.hash(&mut h);
    for (page, url) in pages.iter().zip(r.urls.iter()) {
        page.title.hash(&mut h);
        url.hash(&mut h);
        page.front.environment.hash(&mut h);
        page.kind.hash(&mut h);
        if page.kind == crate::model::PageKind::Diagram {
            page.text.hash(&mut h);
        }
    }
    r.order.hash(&mut h);
    r.breadcrumbs.hash(&mut h);
    r.backlinks.hash(&mut h);
    r.home.hash(&mut h);
    r.lang.hash(&mut h);
    r.title.hash(&mut h);
    for peers in r.env_peers.iter() {
        for p in peers {
            (&p.env, p.page).hash(&mut h);
        }
        u8::MAX.hash(&mut h);
    }
    for peers in r.section_peers.iter() {
        let mut sections: Vec<_> = peers.iter().collect();
        sections.sort_by_key(|(heading, _)| **heading);
        sections.hash(&mut h);
    }
    if let Some(d) = data {
        d.pages.hash(&mut h);
        d.diff.as_ref().map(|diff| &diff.html).hash(&mut h);
    }
    verdicts.map(|v| v.fingerprint()).hash(&mut h);
    // A source page marks the line ranges other pages link to (`#L8-L15`).
    for link in r.links.iter().flat_map(|l| l.iter()) {
        if let crate::model::LinkTarget::Page {
            page,
            fragment: Some(f),
        } = &link.target
        {
            if pages[*page].kind == crate::model::PageKind::Source {
                (page, f).hash(&mut h);
            }
        }
    }
    h.finish()
}
