//! Stage 3, resolve: whole-site facts, pure. Assigns every page its URL, resolves every link
//! (with diagnostics for broken ones), builds the navigation, breadcrumbs, backlinks and the
//! pairing of environment documents. Takes the parsed pages; returns `Resolved`.

mod links;
mod names;
mod nav;
pub mod slug;
pub mod urls;

pub use links::{dest_span, is_external, join, LinkIndex};
pub use names::compose_hangul;

use crate::config::{Config, Lang};
use crate::diag::Diagnostic;
use crate::model::{EnvPeer, LinkTarget, Page, PageId, Resolved, SectionPeers, SourceFile};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Each page's resolved links and their diagnostics from an earlier build (`serve`), reused while
/// the page's links and everything a link can land on are the same.
#[derive(Debug, Default)]
pub struct LinkCache {
    pages: std::sync::Mutex<HashMap<String, CachedLinks>>,
}

#[derive(Debug)]
struct CachedLinks {
    links: std::sync::Arc<[crate::model::Link]>,
    targets: u64,
    resolved: std::sync::Arc<[crate::model::ResolvedLink]>,
    diags: Vec<Diagnostic>,
}

/// A hash of everything a link may resolve against besides the linking page's own links: every
/// page's source path, URL and anchors, the published files, the drafts and the repository
/// prefix. Page titles are not in it: a resolved link holds none.
fn targets_key(
    pages: &[Page],
    urls: &[String],
    files: &BTreeMap<String, std::path::PathBuf>,
    drafts: &[String],
    repo_prefix: &Option<String>,
) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    for (page, url) in pages.iter().zip(urls) {
        page.file.rel.hash(&mut h);
        page.file.display.hash(&mut h);
        url.hash(&mut h);
        page.anchors.hash(&mut h);
    }
    files.keys().for_each(|f| f.hash(&mut h));
    drafts.hash(&mut h);
    repo_prefix.hash(&mut h);
    h.finish()
}

pub fn resolve(
    config: &Config,
    pages: &[Page],
    assets: &[SourceFile],
    drafts: &[String],
    cache: Option<&LinkCache>,
) -> (Resolved, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let home = find_home(config, pages, &mut diags);
    let urls: Vec<String> = pages
        .iter()
        .enumerate()
        .map(|(id, p)| {
            if Some(id) == home {
                "index.html".to_string()
            } else {
                urls::page_url(&p.file.rel)
            }
        })
        .collect();
    let files: BTreeMap<String, std::path::PathBuf> = assets
        .iter()
        .map(|a| (a.rel.clone(), a.abs.clone()))
        .collect();
    check_url_conflicts(pages, &urls, &files, &mut diags);
    let sources: Vec<(&str, &std::sync::Arc<str>)> = pages
        .iter()
        .map(|p| &p.file)
        .chain(assets)
        .map(|f| (f.rel.as_str(), &f.display))
        .collect();
    diags.extend(names::name_conflicts(&sources));

    let repo_prefix = config.content_dir.canonicalize().ok().and_then(|dir| {
        dir.strip_prefix(&config.repo_root)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
    });
    let targets = cache.map(|_| targets_key(pages, &urls, &files, drafts, &repo_prefix));
    let mut previous = cache
        .and_then(|c| c.pages.lock().ok())
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default();
    let index = links::LinkIndex::new(pages, &urls, &files, drafts, repo_prefix);
    let per_page: Vec<_> = pages
        .iter()
        .map(|page| {
            previous
                .remove(&page.file.rel)
                // A diagnostic may quote another page's lines (a "did you mean" for an
                // anchor): pages with any are resolved again.
                .filter(|c| {
                    Some(c.targets) == targets
                        && c.diags.is_empty()
                        && std::sync::Arc::ptr_eq(&c.links, &page.links)
                })
        })
        .collect::<Vec<_>>()
        .into_par_iter()
        .enumerate()
        .map(|(id, reused)| {
            if let Some(c) = reused {
                return (c.resolved, c.diags);
            }
            let mut page_diags = Vec::new();
            let resolved = pages[id]
                .links
                .iter()
                .map(|link| {
                    let (r, d) = index.resolve(id, link);
                    page_diags.extend(d);
                    r
                })
                .collect::<std::sync::Arc<[_]>>();
            (resolved, page_diags)
        })
        .collect();
    let mut links = Vec::with_capacity(pages.len());
    let mut kept = HashMap::new();
    for (id, (resolved, page_diags)) in per_page.into_iter().enumerate() {
        if let Some(targets) = targets {
            kept.insert(
                pages[id].file.rel.clone(),
                CachedLinks {
                    links: pages[id].links.clone(),
                    targets,
                    resolved: resolved.clone(),
                    diags: page_diags.clone(),
                },
            );
        }
        links.push(resolved);
        diags.extend(page_diags);
    }
    if let Some(mut cached) = cache.and_then(|c| c.pages.lock().ok()) {
        *cached = kept;
    }

    let backlinks = backlinks(pages, &links);
    diags.extend(orphans(config, pages, &backlinks, home));
    if config
        .base_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
    {
        diags.extend(insecure_links(pages, &links));
    }
    let nav = nav::build_nav(pages, &urls, home, &config.nav_order, &mut diags);
    let order = nav::reading_order(&nav);
    let breadcrumbs = nav::breadcrumbs(pages, home);
    let env_peers = env_groups(pages);
    let section_peers = section_peers(pages, &env_peers);
    let lang = config.language.unwrap_or_else(|| detect_language(pages));
    let title = config
        .title
        .clone()
        .or_else(|| home.map(|h| pages[h].title.clone()))
        .unwrap_or_else(|| folder_name(config));
    let resolved = Resolved {
        urls,
        links,
        nav,
        order,
        breadcrumbs,
        backlinks,
        env_peers,
        section_peers,
        home,
        files,
        title,
        lang,
    };
    (resolved, diags)
}

/// The master index: the configured page, else `index.md`, `_index.md` or `README.md` at the top.
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
                    Diagnostic::error(
                        "config",
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

fn check_url_conflicts(
    pages: &[Page],
    urls: &[String],
    files: &BTreeMap<String, std::path::PathBuf>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, PageId> = HashMap::new();
    for (id, url) in urls.iter().enumerate() {
        if let Some(&first) = seen.get(url.as_str()) {
            diags.push(
                Diagnostic::error(
                    "url-conflict",
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
                    Diagnostic::error(
                        "url-conflict",
                        format!("`{}` would overwrite the file `{url}`", pages[id].file.rel),
                    )
                    .in_file(&pages[id].file.display),
                );
            }
        }
    }
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

/// Pages nothing links to. The sidebar lists every page, so being in it does not count; being
/// named in `nav:` does, as a deliberate entry point.
fn orphans(
    config: &Config,
    pages: &[Page],
    backlinks: &[Vec<PageId>],
    home: Option<PageId>,
) -> Vec<Diagnostic> {
    pages
        .iter()
        .enumerate()
        .filter(|(id, page)| {
            backlinks[*id].is_empty() && Some(*id) != home && !config.nav_order.iter().any(|n| n.trim_matches('/') == page.file.rel)
        })
        .map(|(_, page)| {
            let span = page.headings.first().map_or(page.body_start..page.body_start, |h| h.span.start..h.span.end.saturating_sub(1).max(h.span.start));
            Diagnostic::warning("orphan-page", format!("no page links to `{}`", page.file.rel))
                .at(&page.file.display, span)
                .help("link to it from a related page (readers only find it through the sidebar), or list it under `nav:` in archsite.yaml")
        })
        .collect()
}

/// `http://` links on a site served over https.
fn insecure_links(
    pages: &[Page],
    links: &[std::sync::Arc<[crate::model::ResolvedLink]>],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (page, page_links) in pages.iter().zip(links) {
        for (link, resolved) in page.links.iter().zip(page_links.iter()) {
            if resolved.target == LinkTarget::External && link.dest.starts_with("http://") {
                let secure = link.dest.replacen("http://", "https://", 1);
                diags.push(
                    Diagnostic::warning(
                        "insecure-link",
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

/// Environment documents of one group (front matter `group`, else the folder), per page.
fn env_groups(pages: &[Page]) -> Vec<Vec<EnvPeer>> {
    let mut groups: BTreeMap<String, Vec<EnvPeer>> = BTreeMap::new();
    for (id, page) in pages.iter().enumerate() {
        if let Some(env) = &page.front.environment {
            let key = page
                .front
                .group
                .clone()
                .unwrap_or_else(|| urls::parent(&page.file.rel).to_string());
            groups.entry(key).or_default().push(EnvPeer {
                env: env.clone(),
                page: id,
            });
        }
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
