//! Full-text search, built with the site and run in the browser: no server, no network.
//!
//! Runs after `render` over the parsed pages, their URLs and their rendered data tables, and
//! returns the index as files of the output. The pipeline first computes the index's [`Plan`]
//! (its key: when the output folder already holds an index with that key, the files are kept
//! and nothing here runs), then calls [`write_index`], which hands each file to the caller as
//! soon as it is made (a build that writes stages it on disk) and analyses the pages a chunk at
//! a time while the previous chunk is merged, so that neither the page files nor every page's
//! counts are all in memory at once. Pure but for what `emit` does. The steps, one module each:
//!
//! 1. `extract`: each page → sections (one per heading, with its id) and their text by kind:
//!    title, heading, prose, data table cells, diagram labels (`diagram::Language::labels`),
//!    code;
//! 2. `tokenize`: text → words → terms (Korean stems without particles, syllable bigrams,
//!    lowercased Latin words and numbers);
//! 3. `index/`: terms → postings with BM25 weights (`build.rs`); the reference query that
//!    `search.js` mirrors (`query.rs`), and the alternatives it was measured against
//!    (`technique.rs`, docs/search.md);
//! 4. `shard`: the index → `search/meta.js`, term shards and one file per page, loaded by the
//!    browser only when the reader first searches, and only the shards a query needs.
//!
//! `numbers` (the base-32 encoding of posting lists, which the browser decodes) is the leaf
//! that `index` and `shard` share; `shard` reads the index, never the reverse.

pub mod extract;
pub mod index;
pub mod numbers;
pub mod shard;
pub mod tokenize;

use crate::model::document::Lending;
use crate::model::{Page, Resolved};
use index::{PageInput, Technique};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use index::{search, Hit, Index, Terms};
pub use shard::DIR;

/// The index inputs of a site: every page with its sections, in URL order (page ids are
/// positions in it, so the same site gives the same files).
pub fn inputs(
    pages: &[Page],
    resolved: &Resolved,
    tables: Option<&[Vec<Arc<str>>]>,
) -> Vec<PageInput> {
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by(|&a, &b| resolved.urls[a].cmp(&resolved.urls[b]));
    order
        .into_par_iter()
        .map(|id| {
            let tables = tables.and_then(|t| t.get(id)).map_or(&[][..], |v| v);
            PageInput {
                url: resolved.urls[id].clone(),
                title: pages[id].title.clone(),
                sections: extract::sections(&pages[id], &pages[id].document, tables),
            }
        })
        .collect()
}

/// Builds the in-memory index of a site with `technique`.
pub fn build_index(
    pages: &[Page],
    resolved: &Resolved,
    tables: Option<&[Vec<Arc<str>>]>,
    technique: Technique,
) -> Index {
    index::build(inputs(pages, resolved, tables), technique)
}

/// What one build lends the next in `serve`: each page's analysis, by a hash of everything it
/// depends on (URL, title, text, rendered data tables). A rebuild after one edit then analyses
/// one page; the merge and the files are redone, and are the same bytes as without a cache.
#[derive(Debug, Default)]
pub struct IndexCache {
    entries: Mutex<HashMap<u64, Arc<index::Analyzed>>>,
}

/// Version of the index's files: part of `Plan::key`, so that files of another format are
/// never kept.
pub const FORMAT: u32 = 2;

/// What an index build will read: the pages in URL order (page ids are positions in it, so
/// the same site gives the same files), each page's key, and the key of the whole index.
pub struct Plan {
    order: Vec<usize>,
    keys: Vec<u64>,
    /// Changes when anything the index files depend on changes: every page's URL, title, text
    /// and rendered data tables, the page set and order, `FORMAT`, and `salt` (the build's
    /// settings). With the same key, the same archsite writes the same files.
    pub key: u64,
}

/// The plan of the index of `pages`; `salt` stands for whatever else should make the files be
/// made again (the pipeline passes a hash of the config).
pub fn plan(
    pages: &[Page],
    resolved: &Resolved,
    tables: Option<&[Vec<Arc<str>>]>,
    salt: u64,
) -> Plan {
    let mut order: Vec<usize> = (0..pages.len()).collect();
    order.sort_by(|&a, &b| resolved.urls[a].cmp(&resolved.urls[b]));
    let keys: Vec<u64> = order
        .par_iter()
        .map(|&id| {
            let tables = tables.and_then(|t| t.get(id)).map_or(&[][..], |v| v);
            page_key(&pages[id], &resolved.urls[id], tables)
        })
        .collect();
    let key = crate::model::hash_of(&(FORMAT, salt, &keys));
    Plan { order, keys, key }
}

/// The search index of a site as output files (path under the output root, contents), reusing
/// and refreshing `cache` when given.
pub fn index_files(
    pages: &[Page],
    resolved: &Resolved,
    tables: Option<&[Vec<Arc<str>>]>,
    cache: Option<&IndexCache>,
) -> Vec<(String, Vec<u8>)> {
    let plan = plan(pages, resolved, tables, 0);
    let mut files = write_index(
        &plan,
        pages,
        resolved,
        tables,
        cache,
        &Lending::default(),
        |_, bytes| bytes,
    );
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// The search index of a site, each file handed to `emit` as soon as it is made (a build that
/// writes stages it on disk: the site's page files are never all in memory at once), with
/// what `emit` returned for it. Page files are made in the same parallel pass that analyses
/// the pages; the term shards after the merge. Says `documents` when it is done with each
/// page.
pub fn write_index<T: Send>(
    plan: &Plan,
    pages: &[Page],
    resolved: &Resolved,
    tables: Option<&[Vec<Arc<str>>]>,
    cache: Option<&IndexCache>,
    documents: &Lending,
    emit: impl Fn(&str, Vec<u8>) -> T + Sync,
) -> Vec<(String, T)> {
    let previous = cache.map(|c| std::mem::take(&mut *c.entries.lock().expect("cache lock")));
    // One page: its analysis (from the cache when unchanged), its page file handed to `emit`.
    let one = |position: usize, id: usize| -> (u64, Arc<index::Analyzed>, (String, T)) {
        let tables = tables.and_then(|t| t.get(id)).map_or(&[][..], |v| v);
        let key = plan.keys[position];
        let analyzed = match previous.as_ref().and_then(|p| p.get(&key)) {
            Some(hit) => hit.clone(),
            None => {
                let input = PageInput {
                    url: resolved.urls[id].clone(),
                    title: pages[id].title.clone(),
                    sections: extract::sections(&pages[id], &documents.document(pages, id), tables),
                };
                let literal = shard::page_literal(&input.url, &input.title, &input.sections);
                Arc::new(index::Analyzed::new(
                    literal,
                    &input,
                    Technique::StemsBigrams,
                ))
            }
        };
        documents.done(id);
        let (path, bytes) = shard::page_script(position, &analyzed.page_literal);
        let emitted = emit(&path, bytes);
        // Without a cache the page's data has been written: only its counts stay.
        let analyzed = match (cache, Arc::try_unwrap(analyzed)) {
            (None, Ok(a)) => Arc::new(a.without_page()),
            (_, Ok(a)) => Arc::new(a),
            (_, Err(shared)) => shared,
        };
        (key, analyzed, (path, emitted))
    };
    // Pages are analysed a chunk at a time, in parallel, while the previous chunk is merged:
    // a page's counts live from its analysis to its merge, not until the whole site is done.
    let mut merger = index::Merger::default();
    let mut out = Vec::with_capacity(plan.order.len() + 1);
    let mut kept = Vec::new();
    let mut done: Vec<(u64, Arc<index::Analyzed>, (String, T))> = Vec::new();
    let mut position = 0;
    for chunk in plan.order.chunks(CHUNK).map(Some).chain([None]) {
        let merging: Vec<&index::Analyzed> = done.iter().map(|d| &*d.1).collect();
        let (_, next) = rayon::join(
            || merger.add_analyzed(merging),
            || {
                chunk.map(|ids| {
                    ids.par_iter()
                        .enumerate()
                        .map(|(i, &id)| one(position + i, id))
                        .collect::<Vec<_>>()
                })
            },
        );
        for (key, a, file) in done.drain(..) {
            out.push(file);
            if cache.is_some() {
                kept.push((key, a));
            }
        }
        position += chunk.map_or(0, <[usize]>::len);
        done = next.unwrap_or_default();
    }
    let terms = merger.finish();
    if let Some(c) = cache {
        // Only what this build used is kept, so a long preview session stays small.
        *c.entries.lock().expect("cache lock") = kept.into_iter().collect();
    }
    let shards: Vec<(String, T)> = shard::files(terms)
        .into_par_iter()
        .map(|(path, text)| {
            let emitted = emit(&path, text.into_bytes());
            (path, emitted)
        })
        .collect();
    out.extend(shards);
    out
}

/// Pages analysed at a time (their counts wait in memory for the merge).
const CHUNK: usize = 256;

/// What a page's index entry depends on: its URL, title, text and rendered data tables.
fn page_key(page: &Page, url: &str, tables: &[Arc<str>]) -> u64 {
    crate::model::hash_of(&(url, &page.title, &page.text, tables))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> Vec<Page> {
        let texts = [
            (
                "a.md",
                "# 가용성\n\n단일 노드 Redis를 씁니다.\n\n## 백업\n\n```yaml\nreplicas: 3\n```\n",
            ),
            ("b.md", "# 운영\n\n[가용성](a.md#백업) and `Service Bus`.\n"),
        ];
        texts
            .iter()
            .map(|(rel, text)| {
                let file = crate::model::SourceFile {
                    rel: rel.to_string(),
                    abs: rel.into(),
                    display: (*rel).into(),
                };
                crate::parse::parse_page(file, (*text).into(), false)
                    .0
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn the_index_frees_lent_documents_and_is_the_same_as_read_in_place() {
        let resolved = Resolved {
            urls: vec!["a.html".to_string(), "b.html".to_string()].into(),
            ..Default::default()
        };
        let in_place = index_files(&pages(), &resolved, None, None);

        let mut lent_pages = pages();
        // Two readers: the index, and one that is done with every page before it.
        let documents = Lending::take(&mut lent_pages, 2);
        assert!(lent_pages.iter().all(|p| p.document.is_empty()));
        let held: Vec<_> = (0..2)
            .map(|id| Arc::downgrade(&documents.document(&lent_pages, id)))
            .collect();
        documents.done(1);
        assert!(held.iter().all(|d| d.upgrade().is_some()));
        let plan = plan(&lent_pages, &resolved, None, 0);
        let mut lent = write_index(
            &plan,
            &lent_pages,
            &resolved,
            None,
            None,
            &documents,
            |_, bytes| bytes,
        );
        // Page 1's other reader was done: the index freed it; page 0's still holds it.
        assert!(held[0].upgrade().is_some());
        assert!(held[1].upgrade().is_none());
        documents.done(0);
        assert!(held[0].upgrade().is_none());

        lent.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(lent, in_place);
        assert!(in_place
            .iter()
            .any(|(path, bytes)| path.starts_with("search/p/")
                && String::from_utf8_lossy(bytes).contains("Redis")));
    }
}
