//! Lint `orphan-page`: pages nothing links to. The sidebar lists every page, so being in it
//! does not count; being named in `nav:` does, as a deliberate entry point.

use super::Site;
use crate::diag::{codes, Diagnostic};

pub fn check(site: &Site) -> Vec<Diagnostic> {
    let r = site.resolved;
    site.pages
        .iter()
        .enumerate()
        .filter(|(id, page)| {
            r.backlinks[*id].is_empty()
                && Some(*id) != r.home
                && !site
                    .config
                    .nav_order
                    .iter()
                    .any(|n| n.trim_matches('/') == page.file.rel)
        })
        .map(|(_, page)| {
            let span = page.headings.first().map_or(page.body_start..page.body_start, |h| {
                h.span.start..h.span.end.saturating_sub(1).max(h.span.start)
            });
            Diagnostic::new(codes::ORPHAN_PAGE, format!("no page links to `{}`", page.file.rel))
                .at(&page.file.display, span)
                .help("link to it from a related page (readers only find it through the sidebar), or list it under `nav:` in archsite.yaml")
        })
        .collect()
}
