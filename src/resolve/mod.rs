//! Stage 3, resolve: whole-site facts, pure. Assigns every page its URL, resolves every link
//! (with diagnostics for broken ones), builds the navigation, breadcrumbs, backlinks and the
//! pairing of environment documents. Takes the parsed pages; returns `Resolved`.

mod environments;
mod links;
mod nav;
pub mod tables;

pub use links::{dest_span, LinkIndex};

use crate::base::urls;
use crate::config::{Config, Lang};
use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::model::{EnvPeer, LinkTarget, Page, PageId, Resolved, SectionPeers, SourceFile};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// What one resolve lends the next in `serve`. An edit that changes no page's structure (the
/// set of pages, their titles, front matter, headings and anchors: the usual edit of prose)
/// reuses the whole-site parts (URLs, navigation, breadcrumbs, environment peers) as they are,
/// each unchanged page's resolved links, and the backlinks when the edited pages link where
/// they did.
#[derive(Debug, Default)]
pub struct ResolveCache {
    previous: std::sync::Mutex<Option<Previous>>,
}

#[derive(Debug)]
struct Previous {
    key: u64,
    structure: Structure,
    /// Per page: its parsed links, what they resolved to and their diagnostics.
    links: Vec<CachedLinks>,
    backlinks: Arc<[Vec<PageId>]>,
}

#[derive(Debug, Clone)]
struct CachedLinks {
    source: Arc<[crate::model::Link]>,
    resolved: Arc<[crate::model::ResolvedLink]>,
    diags: Vec<Diagnostic>,
}

/// The parts of `Resolved` that depend only on the site's structure (`structure_key`).
#[derive(Debug, Clone)]
struct Structure {
    home: Option<PageId>,
    urls: Arc<[String]>,
    files: Arc<BTreeMap<String, std::path::PathBuf>>,
    nav: Arc<[crate::model::NavNode]>,
    order: Arc<[PageId]>,
    breadcrumbs: Arc<[Vec<PageId>]>,
    env_peers: Arc<[Vec<EnvPeer>]>,
    section_peers: Arc<[SectionPeers]>,
    title: String,
    /// The names of the folders the content folder is in, outermost first, for plain-text
    /// paths written from a folder above it.
    content_path: Arc<[String]>,
    /// The home page and the `nav:` entries of the config that name nothing.
    diags: Vec<Diagnostic>,
}

/// A hash of everything `Structure` and link resolution depend on besides the pages' links:
/// the settings, every page's source path, kind, title, front matter, headings (id and
/// number) and anchors, the published files and the drafts. Not the text, nor where in it
/// anything is: positions only matter to diagnostics, which are made again.
fn structure_key(config: &Config, pages: &[Page], assets: &[SourceFile], drafts: &[String]) -> u64 {
    use std::hash::{Hash, Hasher};
    let per_page: Vec<u64> = pages
        .par_iter()
        .map(|page| {
            let mut h = rustc_hash::FxHasher::default();
            page.file.rel.hash(&mut h);
            page.file.display.hash(&mut h);
            page.kind.hash(&mut h);
            page.title.hash(&mut h);
            let f = &page.front;
            (&f.title, &f.weight, &f.environment, &f.group, f.draft).hash(&mut h);
            for heading in page.headings.iter() {
                (&heading.id, &heading.number).hash(&mut h);
            }
            page.anchors.hash(&mut h);
            h.finish()
        })
        .collect();
    let mut h = rustc_hash::FxHasher::default();
    format!("{config:?}").hash(&mut h);
    per_page.hash(&mut h);
    for asset in assets {
        (&asset.rel, &asset.abs).hash(&mut h);
    }
    drafts.hash(&mut h);
    h.finish()
}

impl Structure {
    fn compute(config: &Config, pages: &[Page], assets: &[SourceFile]) -> Structure {
        let mut diags = Vec::new();
        let home = find_home(config, pages, &mut diags);
        let mut urls: Vec<String> = pages
            .iter()
            .enumerate()
            .map(|(id, p)| {
                if Some(id) == home {
                    "index.html".to_string()
                } else {
                    crate::kinds::url(p)
                }
            })
            .collect();
        one_index_per_folder(pages, home, &mut urls, &mut diags);
        let files: BTreeMap<String, std::path::PathBuf> = assets
            .iter()
            .map(|a| (a.rel.clone(), a.abs.clone()))
            .collect();
        let content_path: Arc<[String]> = config
            .content_dir
            .canonicalize()
            .map(|dir| {
                dir.components()
                    .filter_map(|c| match c {
                        std::path::Component::Normal(name) => {
                            Some(name.to_string_lossy().into_owned())
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let nav = nav::build_nav(pages, &urls, home, &config.nav_order, &mut diags);
        let order = nav::reading_order(&nav, pages);
        let breadcrumbs = nav::breadcrumbs(pages, &urls, home);
        let env_peers = env_groups(pages, &environments::by_name(pages));
        let section_peers = section_peers(pages, &env_peers);
        let title = config
            .title
            .clone()
            .or_else(|| home.map(|h| pages[h].title.clone()))
            .or_else(|| readme_title(pages))
            .unwrap_or_else(|| folder_name(config));
        Structure {
            home,
            urls: urls.into(),
            files: Arc::new(files),
            nav: nav.into(),
            order: order.into(),
            breadcrumbs: breadcrumbs.into(),
            env_peers: env_peers.into(),
            section_peers: section_peers.into(),
            title,
            content_path,
            diags,
        }
    }
}

pub fn resolve(
    config: &Config,
    pages: &[Page],
    assets: &[SourceFile],
    drafts: &[String],
    cache: Option<&ResolveCache>,
) -> (Resolved, Vec<Diagnostic>) {
    let key = cache.map(|_| structure_key(config, pages, assets, drafts));
    let previous = cache
        .and_then(|c| c.previous.lock().ok()?.take())
        .filter(|p| Some(p.key) == key);
    let structure = match &previous {
        Some(p) => p.structure.clone(),
        None => Structure::compute(config, pages, assets),
    };
    let mut diags = structure.diags.clone();

    // A page's links are resolved again unless they are the very list resolved last time
    // (shared by the parse cache) and gave no diagnostic: one may quote another page's lines
    // (a "did you mean" for an anchor).
    let reusable = |id: usize| {
        previous
            .as_ref()
            .map(|p| &p.links[id])
            .filter(|c| c.diags.is_empty() && Arc::ptr_eq(&c.source, &pages[id].links))
    };
    let index = std::sync::OnceLock::new();
    let per_page: Vec<CachedLinks> = (0..pages.len())
        .into_par_iter()
        .map(|id| {
            if let Some(c) = reusable(id) {
                return c.clone();
            }
            let index = index.get_or_init(|| {
                links::LinkIndex::new(
                    pages,
                    &structure.urls,
                    &structure.files,
                    drafts,
                    structure.content_path.clone(),
                )
            });
            let mut page_diags = Vec::new();
            let resolved = pages[id]
                .links
                .iter()
                .map(|link| {
                    let (r, d) = index.resolve(id, link);
                    page_diags.extend(d);
                    r
                })
                .collect::<Arc<[_]>>();
            CachedLinks {
                source: pages[id].links.clone(),
                resolved,
                diags: page_diags,
            }
        })
        .collect();
    let links: Vec<Arc<[crate::model::ResolvedLink]>> =
        per_page.iter().map(|c| c.resolved.clone()).collect();
    for c in &per_page {
        diags.extend(c.diags.iter().cloned());
    }

    // Backlinks follow the links: unchanged when every page links where it did. (An `Arc` of
    // a slice compares the contents unless asked for the pointers first.)
    let same = |old: &CachedLinks, new: &Arc<[crate::model::ResolvedLink]>| {
        Arc::ptr_eq(&old.resolved, new) || old.resolved == *new
    };
    let backlinks = match &previous {
        Some(p) if p.links.iter().zip(&links).all(|(old, new)| same(old, new)) => {
            p.backlinks.clone()
        }
        _ => backlinks(pages, &links).into(),
    };
    let lang = config.language.unwrap_or_else(|| detect_language(pages));
    if let (Some(cache), Some(key)) = (cache, key) {
        if let Ok(mut slot) = cache.previous.lock() {
            *slot = Some(Previous {
                key,
                structure: structure.clone(),
                links: per_page,
                backlinks: backlinks.clone(),
            });
        }
    }
    let resolved = Resolved {
        urls: structure.urls,
        links,
        nav: structure.nav,
        order: structure.order,
        breadcrumbs: structure.breadcrumbs,
        backlinks,
        env_peers: structure.env_peers,
        section_peers: structure.section_peers,
        home: structure.home,
        files: structure.files,
        title: structure.title,
        lang,
    };
    (resolved, diags)
}

/// The master index: the configured page, else `index.md`, `_index.md` or `README.md` at the top.
/// A folder with several index pages (`README.md` for the code host beside `index.md` for the
/// site): the first of `index.md`, `_index.md`, `README.md` (the home page, at the top) is
/// published as the folder's `index.html`; each other keeps its own name (`README.html`), so
/// that links to it still work, with a warning that says which was chosen.
fn one_index_per_folder(
    pages: &[Page],
    home: Option<PageId>,
    urls: &mut [String],
    diags: &mut Vec<Diagnostic>,
) {
    let mut claims: BTreeMap<&str, Vec<PageId>> = BTreeMap::new();
    for (id, page) in pages.iter().enumerate() {
        if crate::base::urls::index_rank(&page.file.rel).is_some() || Some(id) == home {
            claims.entry(urls[id].as_str()).or_default().push(id);
        }
    }
    let mut moves = Vec::new();
    for ids in claims.values().filter(|ids| ids.len() > 1) {
        let rank = |id: &PageId| match Some(*id) == home {
            true => 0,
            false => 1 + crate::base::urls::index_rank(&pages[*id].file.rel).unwrap_or(9),
        };
        let winner = *ids
            .iter()
            .min_by_key(|id| (rank(id), &pages[**id].file.rel))
            .expect("two or more");
        for &loser in ids.iter().filter(|&&id| id != winner) {
            let rel = &pages[loser].file.rel;
            let own = match rel.rsplit_once('.') {
                Some((stem, _)) => format!("{stem}.html"),
                None => format!("{rel}.html"),
            };
            if own == urls[winner] {
                continue; // `index.md` beside a configured home: `url-conflict` says so
            }
            moves.push((loser, winner, own));
        }
    }
    for (loser, winner, own) in moves {
        let (kept, other) = (&pages[winner].file.rel, &pages[loser].file.rel);
        diags.push(
            Diagnostic::new(
                codes::DUPLICATE_INDEX,
                format!("`{other}` and `{kept}` could both be this folder's index page: `{kept}` is, `{other}` is published as `{own}`"),
            )
            .in_file(&pages[loser].file.display)
            .help("index.md comes before _index.md, which comes before README.md; remove or rename one of them to choose, or keep both (links to either work)"),
        );
        urls[loser] = own;
    }
}

fn find_home(config: &Config, pages: &[Page], diags: &mut Vec<Diagnostic>) -> Option<PageId> {
    if let Some(wanted) = &config.index {
        let wanted = wanted.trim_start_matches("./");
        match pages.iter().position(|p| p.file.rel == wanted) {
            Some(id) => return Some(id),
            None => {
                let names = pages.iter().map(|p| p.file.rel.as_str());
                let help =
                    crate::diag::closest(wanted, names).map(|n| format!("did you mean `{n}`?"));
                diags.push(
                    Diagnostic::new(
                        codes::CONFIG,
                        format!("`index: {wanted}` names no page of the content folder"),
                    )
                    .help_opt(help),
                );
            }
        }
    }
    ["index.md", "_index.md", "README.md", "readme.md"]
        .iter()
        .find_map(|name| pages.iter().position(|p| p.file.rel == *name))
}

fn backlinks(
    pages: &[Page],
    links: &[std::sync::Arc<[crate::model::ResolvedLink]>],
) -> Vec<Vec<PageId>> {
    let mut back: Vec<Vec<PageId>> = vec![Vec::new(); pages.len()];
    for (from, page_links) in links.iter().enumerate() {
        for link in page_links.iter() {
            if let LinkTarget::Page { page, .. } = link.target {
                if page != from {
                    back[page].push(from);
                }
            }
        }
    }
    for list in &mut back {
        list.sort_by(|&a, &b| (&pages[a].title, a).cmp(&(&pages[b].title, b)));
        list.dedup();
    }
    back
}

/// Environment documents of one group, per page: the pages with front matter `environment`
/// (grouped by front matter `group`, else the folder), and the pages without it that
/// `environments::by_name` pairs by file name (`network-dev.md` beside `network-prod.md`).
fn env_groups(pages: &[Page], by_name: &[Option<(String, String)>]) -> Vec<Vec<EnvPeer>> {
    let mut groups: BTreeMap<String, Vec<EnvPeer>> = BTreeMap::new();
    for (id, page) in pages.iter().enumerate() {
        let (env, key) = match (&page.front.environment, &by_name[id]) {
            (Some(env), _) => {
                let key = page
                    .front
                    .group
                    .clone()
                    .unwrap_or_else(|| urls::parent(&page.file.rel).to_string());
                (env.clone(), key)
            }
            // A key no folder path can be, so that a pair never joins a folder's group.
            (None, Some((env, group))) => (env.clone(), format!("\0{group}")),
            (None, None) => continue,
        };
        groups
            .entry(key)
            .or_default()
            .push(EnvPeer { env, page: id });
    }
    let mut out = vec![Vec::new(); pages.len()];
    for mut peers in groups.into_values() {
        if peers.len() < 2 {
            continue;
        }
        peers.sort_by(|a, b| {
            (env_rank(&a.env), &a.env, a.page).cmp(&(env_rank(&b.env), &b.env, b.page))
        });
        for peer in &peers {
            out[peer.page] = peers.clone();
        }
    }
    out
}

/// The site's name when it has no master index and no `title:`: the first heading of
/// `design/README.md` when every page is in that one folder (a repository built from its top,
/// holding its design folder). A README of one folder among several names that folder, not
/// the site: then the folder's name is the site's.
fn readme_title(pages: &[Page]) -> Option<String> {
    let top = |p: &Page| p.file.rel.split_once('/').map(|(top, _)| top.to_string());
    let first = top(pages.first()?)?;
    if pages
        .iter()
        .any(|p| top(p).as_deref() != Some(first.as_str()))
    {
        return None;
    }
    pages
        .iter()
        .find(|p| {
            p.has_h1
                && p.file
                    .rel
                    .strip_prefix(first.as_str())
                    .is_some_and(|rest| rest.eq_ignore_ascii_case("/readme.md"))
        })
        .map(|p| p.title.clone())
}

/// Environments in the order teams promote code through them; unknown ones after, by name.
pub fn env_rank(env: &str) -> usize {
    const ORDER: &[&str] = &[
        "local",
        "dev",
        "development",
        "test",
        "qa",
        "stage",
        "staging",
        "preprod",
        "prod",
        "production",
        "global",
        "dr",
    ];
    ORDER
        .iter()
        .position(|e| e.eq_ignore_ascii_case(env))
        .unwrap_or(ORDER.len())
}

/// For each page, the same-numbered sections of its environment peers ("2.1" in dev ↔ "2.1" in
/// prod), keyed by heading index.
fn section_peers(pages: &[Page], env_peers: &[Vec<EnvPeer>]) -> Vec<SectionPeers> {
    pages
        .iter()
        .enumerate()
        .map(|(id, page)| {
            let mut map = HashMap::new();
            for (h_index, heading) in page.headings.iter().enumerate() {
                let Some(number) = &heading.number else {
                    continue;
                };
                let matches: Vec<_> = env_peers[id]
                    .iter()
                    .filter(|peer| peer.page != id)
                    .filter_map(|peer| {
                        pages[peer.page]
                            .headings
                            .iter()
                            .find(|h| h.number.as_ref() == Some(number))
                            .map(|h| (peer.env.clone(), peer.page, h.id.clone()))
                    })
                    .collect();
                if !matches.is_empty() {
                    map.insert(h_index, matches);
                }
            }
            map
        })
        .collect()
}

/// Korean when Hangul is a real share of the letters. English technical terms are common in
/// Korean documents, so Hangul syllables (each a whole syllable) count three times.
fn detect_language(pages: &[Page]) -> Lang {
    let (hangul, latin) = pages
        .iter()
        .fold((0, 0), |(h, l), p| (h + p.letters.0, l + p.letters.1));
    if hangul * 3 >= latin && hangul > 0 {
        Lang::Ko
    } else {
        Lang::En
    }
}

fn folder_name(config: &Config) -> String {
    config
        .site_root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "archsite".to_string())
}
