//! The files made from the whole site rather than from one page: the all-pages page (and the
//! home page of a site without one, `home.rs`), the sidebar script and `sitemap.xml`. Every
//! page of every kind is in the sidebar (`resolve/nav.rs`), and so in all three; the pages
//! archsite generates besides (the environment differences) are a group of their own at the
//! end. At 10,000 pages they cost a preview rebuild ~10 ms, so the preview keeps them while the
//! site's structure is the very same (`resolve` shares it between builds when no page's
//! structure changed); the home page, which shows each document's first paragraph, is made
//! every time.

use super::{RenderContext, NAV_SCRIPT, SITEMAP_PAGE};
use crate::base::escape_html;
use crate::base::urls::relative_href;
use crate::diag::Diagnostic;
use crate::model::NavNode;
use crate::output::OutputFile;
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// The site files of the last preview build and what they were made from.
#[derive(Debug, Default)]
pub struct Kept {
    last: Mutex<Option<Made>>,
}

#[derive(Debug)]
struct Made {
    // Held, not only compared: while held, no other list can be allocated at their address.
    nav: Arc<[NavNode]>,
    urls: Arc<[String]>,
    site_key: u64,
    /// The generated pages listed with the others.
    generated_key: u64,
    files: Vec<(String, Arc<str>)>,
}

/// The site files of `ctx`'s build, from the preview's cache when the navigation, the URLs and
/// the templates and settings (`site_key`) are those of the last build.
pub fn site_files(ctx: &RenderContext) -> Result<Vec<(String, OutputFile)>, Diagnostic> {
    let r = ctx.resolved;
    let Some(cache) = ctx.content_cache else {
        let files = make(ctx)?.into_iter().chain(home(ctx)?);
        return Ok(files
            .map(|(path, text)| (path, OutputFile::Bytes(text.into_bytes())))
            .collect());
    };
    let mut last = cache.site_files.last.lock().expect("cache lock");
    let generated_key = crate::model::hash_of(&generated(ctx));
    let same = last.as_ref().is_some_and(|m| {
        Arc::ptr_eq(&m.nav, &r.nav)
            && Arc::ptr_eq(&m.urls, &r.urls)
            && m.site_key == ctx.site_key
            && m.generated_key == generated_key
    });
    if !same {
        let files = make(ctx)?.into_iter().map(|(p, t)| (p, t.into())).collect();
        *last = Some(Made {
            nav: r.nav.clone(),
            urls: r.urls.clone(),
            site_key: ctx.site_key,
            generated_key,
            files,
        });
    }
    let made = last.as_ref().expect("just made");
    let mut files: Vec<(String, OutputFile)> = made
        .files
        .iter()
        .map(|(path, text)| (path.clone(), OutputFile::Shared(text.clone())))
        .collect();
    files.extend(
        home(ctx)?
            .into_iter()
            .map(|(p, t)| (p, OutputFile::Bytes(t.into_bytes()))),
    );
    Ok(files)
}

/// The home page of a site without a master index, and the diagram previews it shows.
fn home(ctx: &RenderContext) -> Result<Vec<(String, String)>, Diagnostic> {
    let r = ctx.resolved;
    if r.home.is_some() {
        return Ok(Vec::new());
    }
    let (content, mut files) = super::home::content(ctx);
    let html = ctx.render_generated("index.html", &r.title, content)?;
    files.push(("index.html".to_string(), html));
    Ok(files)
}

/// The pages archsite generates besides the home and all-pages pages, as (URL, title): the
/// environment differences, when the site has them.
fn generated(ctx: &RenderContext) -> Vec<(&'static str, &'static str)> {
    ctx.data
        .and_then(|d| d.diff.as_ref())
        .map(|d| (d.url, d.title))
        .into_iter()
        .collect()
}

/// The sidebar's tree with the generated pages as a group of their own at the end.
fn with_generated(ctx: &RenderContext) -> Vec<NavNode> {
    let mut nav = ctx.resolved.nav.to_vec();
    let pages: Vec<NavNode> = generated(ctx)
        .into_iter()
        .map(|(url, title)| NavNode {
            title: title.to_string(),
            url: Some(url.to_string()),
            page: None,
            children: Vec::new(),
        })
        .collect();
    if !pages.is_empty() {
        nav.push(NavNode {
            title: ctx.words.generated_pages.to_string(),
            url: None,
            page: None,
            children: pages,
        });
    }
    nav
}

fn make(ctx: &RenderContext) -> Result<Vec<(String, String)>, Diagnostic> {
    let nav = with_generated(ctx);
    let mut files = vec![
        (NAV_SCRIPT.to_string(), nav_script(&nav)),
        ("sitemap.xml".to_string(), sitemap_xml(ctx)),
    ];
    let all_pages = sitemap_list(&nav, SITEMAP_PAGE);
    files.push((
        SITEMAP_PAGE.to_string(),
        ctx.render_generated(SITEMAP_PAGE, ctx.words.all_pages, all_pages)?,
    ));
    Ok(files)
}

#[derive(Serialize)]
struct NavEntry<'a> {
    t: &'a str,
    u: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    c: Vec<NavEntry<'a>>,
}

fn nav_entries(nodes: &[NavNode]) -> Vec<NavEntry<'_>> {
    nodes
        .iter()
        .map(|n| NavEntry {
            t: &n.title,
            u: n.url.as_deref(),
            c: nav_entries(&n.children),
        })
        .collect()
}

/// The whole sidebar tree, written once per site rather than into every page.
fn nav_script(nav: &[NavNode]) -> String {
    let json = serde_json::to_string(&nav_entries(nav)).unwrap_or_else(|_| "[]".into());
    format!("window.ARCHSITE_NAV = {json};\n")
}

/// The sidebar tree as nested lists, for the all-pages page (and readers without JavaScript).
fn sitemap_list(nav: &[NavNode], from_url: &str) -> String {
    fn walk(nodes: &[NavNode], from_url: &str, out: &mut String) {
        out.push_str("<ul>\n");
        for node in nodes {
            out.push_str("<li>");
            match &node.url {
                Some(url) => out.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    escape_html(&relative_href(from_url, url)),
                    escape_html(&node.title)
                )),
                None => out.push_str(&escape_html(&node.title)),
            }
            if !node.children.is_empty() {
                walk(&node.children, from_url, out);
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    let mut out = String::from("<nav class=\"sitemap\">\n");
    walk(nav, from_url, &mut out);
    out.push_str("</nav>\n");
    out
}

fn sitemap_xml(ctx: &RenderContext) -> String {
    let base = ctx.config.base_url.clone().unwrap_or_else(|| "/".into());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    // Every page, the generated home page of a site without one and the generated pages.
    let home = ctx.resolved.home.is_none().then_some("index.html");
    let mut urls: Vec<&str> = ctx
        .resolved
        .urls
        .iter()
        .map(String::as_str)
        .chain(home)
        .chain(generated(ctx).into_iter().map(|(url, _)| url))
        .collect();
    urls.sort_unstable();
    urls.dedup();
    for url in urls {
        let encoded = relative_href("", url);
        out.push_str(&format!(
            "  <url><loc>{}{}</loc></url>\n",
            escape_html(&base),
            escape_html(&encoded)
        ));
    }
    out.push_str("</urlset>\n");
    out
}
