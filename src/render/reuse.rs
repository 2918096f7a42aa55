//! The preview's shortcut past unchanged pages. A page's HTML is a function of its view, and
//! building and hashing 10,000 views costs more than the rest of a rebuild. When a page's text
//! and resolved links are the very same values as in the last build (shared `Arc`s, so the
//! check is a pointer comparison) and nothing site-wide that a view reads has changed, the page
//! is taken as it was.

use crate::model::{Page, Resolved, ResolvedLink};
use std::collections::HashMap;
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

/// Per page URL, the last build's `Rendered`; filled anew by each build.
#[derive(Debug, Default)]
pub struct Reuse {
    last: Mutex<HashMap<String, Rendered>>,
    next: Mutex<HashMap<String, Rendered>>,
}

impl Reuse {
    /// The page as the last build rendered it, when that build had the same inputs.
    pub fn take(
        &self,
        url: &str,
        page: &Page,
        links: &Arc<[ResolvedLink]>,
        site: u64,
    ) -> Option<(Arc<str>, (u64, u64))> {
        let last = self.last.lock().ok()?;
        let r = last.get(url)?;
        (r.site == site && Arc::ptr_eq(&r.text, &page.text) && Arc::ptr_eq(&r.links, links))
            .then(|| (r.html.clone(), r.keys))
    }

    pub fn record(
        &self,
        url: &str,
        page: &Page,
        links: &Arc<[ResolvedLink]>,
        site: u64,
        keys: (u64, u64),
        html: Arc<str>,
    ) {
        if let Ok(mut next) = self.next.lock() {
            next.insert(
                url.to_string(),
                Rendered {
                    text: page.text.clone(),
                    links: links.clone(),
                    site,
                    keys,
                    html,
                },
            );
        }
    }

    /// The pages this build rendered or reused become the ones the next build may reuse.
    pub fn finish_build(&self) {
        if let (Ok(mut last), Ok(mut next)) = (self.last.lock(), self.next.lock()) {
            *last = std::mem::take(&mut *next);
        }
    }
}

/// A hash of everything a page's view reads besides the page itself and its own resolved
/// links: every page's title, URL, environment and kind, the text of diagram files (embedded
/// elsewhere), reading order, breadcrumbs, backlinks, environment peers and section peers, the
/// data tables, the diagram verdicts, and `site_key` (templates and settings).
pub fn site_shape(
    site_key: u64,
    pages: &[Page],
    r: &Resolved,
    data: Option<&crate::data::Rendered>,
    verdicts: Option<&crate::diagram::Verdicts>,
) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    site_key.hash(&mut h);
    for (page, url) in pages.iter().zip(&r.urls) {
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
    for peers in &r.env_peers {
        for p in peers {
            (&p.env, p.page).hash(&mut h);
        }
        u8::MAX.hash(&mut h);
    }
    for peers in &r.section_peers {
        let mut sections: Vec<_> = peers.iter().collect();
        sections.sort_by_key(|(heading, _)| **heading);
        sections.hash(&mut h);
    }
    if let Some(d) = data {
        d.pages.hash(&mut h);
        d.diff.as_ref().map(|diff| &diff.html).hash(&mut h);
    }
    verdicts.map(|v| v.fingerprint()).hash(&mut h);
    h.finish()
}
