//! Lint `insecure-link`: `http://` links on a site served over https (`base_url`).

use super::Site;
use crate::diag::{codes, Diagnostic};
use crate::model::LinkTarget;

pub fn check(site: &Site) -> Vec<Diagnostic> {
    let https = site
        .config
        .base_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    if !https {
        return Vec::new();
    }
    let mut diags = Vec::new();
    for (page, page_links) in site.pages.iter().zip(&site.resolved.links) {
        for (link, resolved) in page.links.iter().zip(page_links.iter()) {
            if resolved.target == LinkTarget::External && link.dest.starts_with("http://") {
                let secure = link.dest.replacen("http://", "https://", 1);
                diags.push(
                    Diagnostic::new(
                        codes::INSECURE_LINK,
                        format!(
                            "`{}` is not https, but this site is served over https",
                            link.dest
                        ),
                    )
                    .at(&page.file.display, link.span.clone())
                    .target(link.dest.clone())
                    .help(format!("write `{secure}` if the server supports it")),
                );
            }
        }
    }
    diags
}
