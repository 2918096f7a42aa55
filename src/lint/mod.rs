//! Lints: checks that report and change nothing, run over the resolved site after `resolve`
//! (the pipeline calls [`check`]). One file per check, each a function from the [`Site`] to
//! its diagnostics; each diagnostic names its code in `diag::codes`, which holds its default
//! severity (a lint never chooses one).
//!
//! Adding a lint: a file here with `pub fn check(site: &Site) -> Vec<Diagnostic>`, its code in
//! `diag/codes.rs` (and the README's table), and a line in [`LINTS`] (or in
//! [`STRUCTURE_LINTS`] when it reads only the site's files and URLs, so that the preview does
//! not run it again while they stay the same).
//!
//! A lint that needs the Markdown reads the page's `Document` (its events and their slots,
//! e.g. the code blocks with their spans): it never parses the page again.
//!
//! What is not here: a link that cannot be resolved is reported by the link resolution that
//! finds it (`resolve/links.rs`, which knows the closest file and heading to suggest), a file
//! that cannot be read by `load`, bad front matter, YAML or a diagram by what parses it.

mod duplicate_ids;
mod empty_site;
mod insecure_links;
mod names;
mod orphans;
mod unclosed_fence;
mod url_conflicts;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::{Page, Resolved, SourceFile};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What a lint may read: the configuration, the parsed pages, the published files and what
/// `resolve` made of them.
pub struct Site<'a> {
    pub config: &'a Config,
    pub pages: &'a [Page],
    /// Published non-Markdown files.
    pub assets: &'a [SourceFile],
    pub resolved: &'a Resolved,
}

type Lint = fn(&Site) -> Vec<Diagnostic>;

/// Lints that read the pages' links, text or backlinks: run on every build.
pub const LINTS: &[Lint] = &[
    orphans::check,
    insecure_links::check,
    empty_site::check,
    unclosed_fence::check,
    duplicate_ids::check,
];

/// Lints that read only which files the site has and where they are published: the preview
/// runs them again only when those change (`LintCache`).
pub const STRUCTURE_LINTS: &[Lint] = &[url_conflicts::check, names::check];

/// What one build's structure lints found, for the next build of `serve`: kept while
/// `resolve` shares the same URL and file lists (it does while no page was added, removed or
/// renamed). The lists are held, not only compared: while held, no other list can be
/// allocated at their address.
#[derive(Debug, Default)]
pub struct LintCache {
    last: Mutex<Option<StructureFindings>>,
}

#[derive(Debug)]
struct StructureFindings {
    urls: Arc<[String]>,
    files: Arc<BTreeMap<String, PathBuf>>,
    diags: Vec<Diagnostic>,
}

/// Runs every lint over the site.
pub fn check(site: &Site, cache: Option<&LintCache>) -> Vec<Diagnostic> {
    let mut diags = structure_lints(site, cache);
    for lint in LINTS {
        diags.extend(lint(site));
    }
    diags
}

fn structure_lints(site: &Site, cache: Option<&LintCache>) -> Vec<Diagnostic> {
    let run = || -> Vec<Diagnostic> { STRUCTURE_LINTS.iter().flat_map(|l| l(site)).collect() };
    let Some(cache) = cache else {
        return run();
    };
    let r = site.resolved;
    let mut last = cache.last.lock().unwrap_or_else(|e| e.into_inner());
    let same = last
        .as_ref()
        .is_some_and(|l| Arc::ptr_eq(&l.urls, &r.urls) && Arc::ptr_eq(&l.files, &r.files));
    if !same {
        *last = Some(StructureFindings {
            urls: r.urls.clone(),
            files: r.files.clone(),
            diags: run(),
        });
    }
    last.as_ref().map_or_else(Vec::new, |l| l.diags.clone())
}
