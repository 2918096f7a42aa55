//! Lint `url-conflict`: two sources that would be published at one URL (`a/index.md` and
//! `a/README.md`), or a page that would overwrite a published file.

use super::Site;
use crate::diag::{codes, Diagnostic};
use crate::model::PageId;
use std::collections::HashMap;

pub fn check(site: &Site) -> Vec<Diagnostic> {
    let (pages, urls, files) = (site.pages, &site.resolved.urls, &site.resolved.files);
    let mut diags = Vec::new();
    let mut seen: HashMap<&str, PageId> = HashMap::new();
    for (id, url) in urls.iter().enumerate() {
        if let Some(&first) = seen.get(url.as_str()) {
            diags.push(
                Diagnostic::new(
                    codes::URL_CONFLICT,
                    format!(
                        "`{}` and `{}` would both be published as `{url}`",
                        pages[first].file.rel, pages[id].file.rel
                    ),
                )
                .in_file(&pages[id].file.display)
                .help(
                    "rename one of them (index.md, _index.md and README.md all become index.html)",
                ),
            );
        } else {
            seen.insert(url, id);
            if files.contains_key(url) {
                diags.push(
                    Diagnostic::new(
                        codes::URL_CONFLICT,
                        format!("`{}` would overwrite the file `{url}`", pages[id].file.rel),
                    )
                    .in_file(&pages[id].file.display),
                );
            }
        }
    }
    diags
}
