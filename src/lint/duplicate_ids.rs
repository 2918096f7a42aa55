//! Lint `duplicate-id`: two headings of a page with the same explicit id (`## A {#x}`): links
//! to it always land on the first one.

use super::Site;
use crate::diag::{codes, Diagnostic};
use std::collections::HashSet;

pub fn check(site: &Site) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for page in site.pages {
        let mut seen = HashSet::new();
        for h in page.headings.iter().filter(|h| h.explicit) {
            if !seen.insert(h.id.as_str()) {
                let line_end = page.text[h.span.clone()].trim_end().len();
                diags.push(
                    Diagnostic::new(
                        codes::DUPLICATE_ID,
                        format!("the id `{}` is used by two headings of this page", h.id),
                    )
                    .at(&page.file.display, h.span.start..h.span.start + line_end)
                    .help("links to it always land on the first one: give this heading another id"),
                );
            }
        }
    }
    diags
}
