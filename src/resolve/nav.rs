//! Navigation from the folder structure: the sidebar tree, the reading order for
//! previous/next, and breadcrumbs. Sorted by `weight`, then title; the master index first.

use crate::base::urls::{folder_index_url, parent};
use crate::diag::codes;
use crate::diag::{closest, Diagnostic};
use crate::model::{NavNode, Page, PageId, PageKind};
use std::collections::BTreeMap;

#[derive(Default)]
struct Folder {
    index: Option<PageId>,
    pages: Vec<PageId>,
    folders: BTreeMap<String, Folder>,
}

/// Builds the sidebar tree. `home` is listed first and not again in its folder.
pub fn build_nav(
    pages: &[Page],
    urls: &[String],
    home: Option<PageId>,
    order: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Vec<NavNode> {
    let mut root = Folder::default();
    for (id, page) in pages.iter().enumerate() {
        // Every page of every kind (documents, diagram, source and API pages) is listed
        // under its folder.
        if Some(id) == home {
            continue;
        }
        let dir = parent(&page.file.rel);
        let folder = dir
            .split('/')
            .filter(|s| !s.is_empty())
            .fold(&mut root, |f, name| {
                f.folders.entry(name.to_string()).or_default()
            });
        // The folder's index is the page published as its `index.html` (resolve decides which
        // when a folder has several candidates).
        if !dir.is_empty() && urls[id] == folder_index_url(dir) && folder.index.is_none() {
            folder.index = Some(id);
        } else {
            folder.pages.push(id);
        }
    }
    let mut top = children(&root, "", pages, urls);
    apply_configured_order(&mut top, order, pages, diags);
    if let Some(home) = home {
        top.insert(0, leaf(home, pages, urls));
    }
    top
}

fn leaf(id: PageId, pages: &[Page], urls: &[String]) -> NavNode {
    NavNode {
        title: pages[id].title.clone(),
        url: Some(urls[id].clone()),
        page: Some(id),
        children: Vec::new(),
    }
}

fn children(folder: &Folder, path: &str, pages: &[Page], urls: &[String]) -> Vec<NavNode> {
    let mut entries: Vec<(i64, String, NavNode)> = Vec::new();
    for &id in &folder.pages {
        entries.push((
            weight(&pages[id]),
            pages[id].title.to_lowercase(),
            leaf(id, pages, urls),
        ));
    }
    for (name, sub) in &folder.folders {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}/{name}")
        };
        let node = NavNode {
            title: sub
                .index
                .map_or_else(|| name.clone(), |id| pages[id].title.clone()),
            url: sub.index.map(|id| urls[id].clone()),
            page: sub.index,
            children: children(sub, &sub_path, pages, urls),
        };
        let w = sub.index.map_or(i64::MAX, |id| weight(&pages[id]));
        entries.push((w, node.title.to_lowercase(), node));
    }
    entries.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    entries.into_iter().map(|(_, _, node)| node).collect()
}

fn weight(page: &Page) -> i64 {
    page.front.weight.unwrap_or(i64::MAX)
}

/// Moves the entries named in `archsite.yaml`'s `nav` (page paths or folder names) to the top,
/// in that order.
fn apply_configured_order(
    top: &mut Vec<NavNode>,
    order: &[String],
    pages: &[Page],
    diags: &mut Vec<Diagnostic>,
) {
    let key = |node: &NavNode| -> String {
        match node.page {
            Some(id) if node.children.is_empty() => pages[id].file.rel.clone(),
            Some(id) => parent(&pages[id].file.rel).to_string(),
            None => node.title.clone(),
        }
    };
    let mut front = Vec::new();
    for wanted in order {
        let wanted_trimmed = wanted.trim_matches('/');
        match top.iter().position(|n| key(n) == wanted_trimmed) {
            Some(i) => front.push(top.remove(i)),
            None => {
                let keys: Vec<String> = top.iter().map(key).collect();
                let help = closest(wanted_trimmed, keys.iter().map(String::as_str))
                    .map(|k| format!("did you mean `{k}`?"));
                diags.push(
                    Diagnostic::new(
                        codes::CONFIG_NAV,
                        format!("`nav` names `{wanted}`, which is not a top-level page or folder"),
                    )
                    .help_opt(help),
                );
            }
        }
    }
    front.append(top);
    *top = front;
}

/// Documents in sidebar order (depth first), for previous/next. Diagram, source and API pages
/// are in the sidebar but not in the reading order: "next" after a chapter is the next
/// chapter, not the SQL file beside it.
pub fn reading_order(nav: &[NavNode], pages: &[Page]) -> Vec<PageId> {
    fn walk(nodes: &[NavNode], pages: &[Page], out: &mut Vec<PageId>) {
        for node in nodes {
            if let Some(id) = node.page.filter(|&id| pages[id].kind == PageKind::Markdown) {
                out.push(id);
            }
            walk(&node.children, pages, out);
        }
    }
    let mut out = Vec::new();
    walk(nav, pages, &mut out);
    out
}

/// For each page, the home page and the index pages of the folders above it.
pub fn breadcrumbs(pages: &[Page], urls: &[String], home: Option<PageId>) -> Vec<Vec<PageId>> {
    let folder_index: BTreeMap<&str, PageId> = pages
        .iter()
        .enumerate()
        .filter(|(id, p)| urls[*id] == folder_index_url(parent(&p.file.rel)))
        .map(|(id, p)| (parent(&p.file.rel), id))
        .collect();
    pages
        .iter()
        .enumerate()
        .map(|(id, page)| {
            let mut trail: Vec<PageId> = home.filter(|&h| h != id).into_iter().collect();
            let dir = parent(&page.file.rel);
            let mut prefix = String::new();
            for part in dir.split('/').filter(|s| !s.is_empty()) {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                if let Some(&index) = folder_index.get(prefix.as_str()) {
                    if index != id && Some(index) != home {
                        trail.push(index);
                    }
                }
            }
            trail
        })
        .collect()
}
