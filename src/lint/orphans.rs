//! Lint `orphan-page`: pages nothing links to. The sidebar lists every page, so being in it
//! does not count; being named in `nav:` does, as a deliberate entry point, and so does a link
//! from a page archsite generates (the home page of a site without a master index lists every
//! page of the sidebar) or from an environment peer's switcher. Source pages
//! (`kinds/source.rs`) are not checked: every `.sql` or `.yaml` of a folder gets one whether or
//! not a document names it, and before it had a page such a file was never called an orphan.

use super::Site;
use crate::diag::{codes, Diagnostic};
use crate::model::{Page, PageKind};
use std::ops::Range;

pub fn check(site: &Site) -> Vec<Diagnostic> {
    let r = site.resolved;
    let generated = r.linked_by_generated_pages();
    site.pages
        .iter()
        .enumerate()
        .filter(|(id, page)| {
            r.backlinks[*id].is_empty()
                && !has_environment_peers(r, *id)
                && page.kind != PageKind::Source
                && Some(*id) != r.home
                && !generated.contains(id)
                && !is_set_aside_index(page, &r.urls[*id])
                && !site
                    .config
                    .nav_order
                    .iter()
                    .any(|n| n.trim_matches('/') == page.file.rel)
        })
        .map(|(_, page)| {
            let help = match page.kind {
                PageKind::Diagram => "embed it in the page that discusses it (`![caption](path.mmd)`) or link to it: no document shows or names this diagram, so a reader finds it only by browsing the sidebar",
                _ => "link to it from a related page (readers only find it through the sidebar), or list it under `nav:` in archsite.yaml",
            };
            Diagnostic::new(codes::ORPHAN_PAGE, format!("no page links to `{}`", page.file.rel))
                .at(&page.file.display, place(page))
                .help(help)
        })
        .collect()
}

/// A document of an environment group (`x-dev.md`, `x-prod.md`) is linked from each of its
/// peers: their environment switcher and "this section in prod" links name it.
fn has_environment_peers(r: &crate::model::Resolved, id: crate::model::PageId) -> bool {
    r.env_peers[id].iter().any(|peer| peer.page != id)
}

/// A `README.md` beside the folder's `index.md`: for the code host, and with its own warning
/// (`duplicate-index`).
fn is_set_aside_index(page: &Page, url: &str) -> bool {
    crate::base::urls::index_rank(&page.file.rel).is_some() && !url.ends_with("index.html")
}

/// What to point at: the page's first heading, else its first line of text (a diagram file's
/// first line), never past the end of the file.
fn place(page: &Page) -> Range<usize> {
    if let Some(h) = page.headings.first() {
        if h.span.end <= page.text.len() && h.span.start < h.span.end {
            return h.span.start..h.span.end.saturating_sub(1).max(h.span.start);
        }
    }
    // A diagram file's page has no body (its `body_start` is the end of the file).
    let start = page.body_start.min(page.text.len());
    first_line(&page.text, start)
        .or_else(|| first_line(&page.text, 0))
        .unwrap_or(0..0)
}

/// The first line with text from `start`, trimmed.
fn first_line(text: &str, start: usize) -> Option<Range<usize>> {
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let at = offset + (line.len() - line.trim_start().len());
            return Some(at..at + trimmed.len());
        }
        offset += line.len();
    }
    None
}
