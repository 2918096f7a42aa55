//! Lint `empty-site`: a content folder without a page or a file to publish (usually the wrong
//! folder).

use super::Site;
use crate::diag::{codes, Diagnostic};

pub fn check(site: &Site) -> Vec<Diagnostic> {
    if !site.pages.is_empty() || !site.assets.is_empty() {
        return Vec::new();
    }
    vec![Diagnostic::new(
        codes::EMPTY_SITE,
        format!(
            "no Markdown files in `{}`",
            crate::config::display_path(&site.config.content_dir)
        ),
    )
    .help("add an index.md, or run `archsite init` to start from a sample")]
}
