//! What each fuzz target checks, as plain functions over the input bytes: the targets call
//! them, and `tests/it/fuzz_replay.rs` replays the seed corpora and every past crash through
//! them in the ordinary test suite (no nightly needed there). Any panic is a bug.
//!
//! Helpers: a site held in one input, a configuration that touches no disk, and the
//! diagnostic renderers (spans from any stage must render without panicking).
#![allow(dead_code)]

use archsite::base::slug::{github_slug, SlugCounter};
use archsite::config::Config;
use archsite::diag::{render_github, render_human, render_json, ColorMode, Diagnostic, SourceMap};
use archsite::load::is_markdown;
use archsite::model::{LinkTarget, ResolvedLink, SourceFile};
use archsite::output::{Output, OutputFile};
use archsite::parse::parse_page;
use archsite::parse::table::parse_table;
use archsite::render::{render_markdown, MarkdownContext};
use archsite::serve::http::{respond, Response};
use archsite::serve::server::parse_head;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file of the content folder: `rel` relative to it.
pub fn source(rel: &str) -> SourceFile {
    SourceFile {
        rel: rel.to_string(),
        abs: PathBuf::from("/nonexistent/content").join(rel),
        display: format!("content/{rel}").into(),
    }
}

/// Renders `diags` every way archsite does.
pub fn show(diags: &[Diagnostic], sources: &SourceMap) {
    let _ = render_human(diags, sources, ColorMode::Always);
    let _ = render_json(diags, sources);
    let _ = render_github(diags, sources);
}

pub fn sources_of(files: &[(SourceFile, Arc<str>)]) -> SourceMap {
    let mut sources = SourceMap::default();
    for (file, text) in files {
        sources.add(file.display.clone(), text.clone());
    }
    sources
}

/// A site in one text: files separated by lines `=== path ===`. Text before the first such
/// line is `index.md`.
pub fn split_site(input: &str) -> Vec<(SourceFile, Arc<str>)> {
    let mut files = Vec::new();
    let mut rel = "index.md".to_string();
    let mut text = String::new();
    for line in input.split_inclusive('\n') {
        let name = line
            .trim_end_matches(['\n', '\r'])
            .strip_prefix("=== ")
            .and_then(|l| l.strip_suffix(" ==="));
        match name {
            Some(name) => {
                files.push((source(&rel), std::mem::take(&mut text).into()));
                rel = name.to_string();
            }
            None => text.push_str(line),
        }
    }
    files.push((source(&rel), text.into()));
    files
}

/// A configuration for a site at a path that does not exist: nothing reads the disk.
pub fn config() -> Config {
    let root = PathBuf::from("/nonexistent");
    Config {
        site_root: root.clone(),
        content_dir: root.join("content"),
        output_dir: root.join("public"),
        title: None,
        description: String::new(),
        base_url: Some("https://example.com/docs/".into()),
        base_path: "/docs/".into(),
        language: None,
        theme: None,
        index: None,
        nav_order: vec!["guide".into(), "index.md".into()],
        drafts: false,
        levels: Default::default(),
        deny_warnings: false,
        external: Default::default(),
        cache_dir: root.join(".archsite-cache"),
        search: true,
        allowed_hosts: Vec::new(),
        plantuml: None,
    }
}

/// Front matter + Markdown → page model (`parse_page`), then the page body rendered to HTML
/// and every diagnostic rendered against the text. Any panic is a bug; so is a span outside
/// the text.
pub fn page(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text: Arc<str> = text.into();
    let file = source("guide/page.md");
    let files = vec![(file.clone(), text.clone())];
    let (page, diags) = parse_page(file, text.clone(), true);
    show(&diags, &sources_of(&files));
    let page = page.expect("drafts are included, so a page is always returned");
    assert!(page.body_start <= text.len() && text.is_char_boundary(page.body_start));
    for h in page.headings.iter() {
        assert!(
            text.get(h.span.clone()).is_some(),
            "heading span {:?}",
            h.span
        );
    }
    for link in page.links.iter() {
        assert!(
            text.get(link.span.clone()).is_some(),
            "link span {:?}",
            link.span
        );
        let dest = archsite::resolve::dest_span(&page, link);
        assert!(dest.end <= text.len(), "dest span {dest:?}");
    }
    let links: Vec<ResolvedLink> = page
        .links
        .iter()
        .map(|l| ResolvedLink {
            target: LinkTarget::File,
            href: l.dest.clone(),
        })
        .collect();
    let none = |_| Vec::new();
    let ctx = MarkdownContext {
        links: &links,
        headings: &page.headings,
        section_links: &none,
        anchor_label: "link",
        data: &[],
        diagram: &|i| format!("<figure>{}</figure>", page.diagrams[i as usize].source),
        embeds: &|l| l.href.ends_with(".mmd"),
        embed: &|_, caption| format!("<figure>{caption}</figure>"),
        source: &|_, text| format!("<pre>{text}</pre>"),
    };
    let _ = render_markdown(&page.document, &page.text, &ctx);
}

/// The ```` ```table ```` directive of a page: its YAML body parsed into a directive, with a
/// span for every key and value. Spans must lie inside the page's text.
pub fn table_directive(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let text = format!("# T\n\n```table\n{body}\n```\n");
    let start = text.find("```table").unwrap();
    let file = source("page.md");
    let (directive, diags) = parse_table(&text, start..text.len() - 1, &file.display);
    let in_text = |r: &std::ops::Range<usize>| r.start <= r.end && r.end <= text.len();
    assert!(in_text(&directive.span));
    let spans = directive
        .table
        .iter()
        .chain(directive.derived.iter().map(|(_, s)| s))
        .chain(directive.envs.iter().flatten())
        .chain(directive.columns.iter().flatten());
    for s in spans {
        assert!(in_text(&s.span), "{:?} outside {}", s.span, text.len());
    }
    let text: Arc<str> = text.into();
    show(&diags, &sources_of(&[(file, text)]));
}

const ENVIRONMENTS: &str = "environments:\n  - {id: dev, name: Development, order: 1}\n  - {id: prod, name: Production, order: 2}\n";

/// The data loader: `data/*.yaml` tables (and `data/environments.yaml`) validated into the data
/// model, with a diagnostic at each bad key or value. The input is one table file; with a NUL
/// byte, the part before it is `environments.yaml` instead of the fixed one.
pub fn data_file(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (envs, table) = input.split_once('\0').unwrap_or((ENVIRONMENTS, input));
    let files: Vec<_> = [
        ("data/environments.yaml", envs),
        ("data/cost.yaml", table),
        (
            "data/other.yaml",
            "rows:\n  - {label: a, dev: 1, prod: {ref: cost.total.prod}}\n",
        ),
    ]
    .into_iter()
    .map(|(rel, text)| (source(rel), Arc::<str>::from(text)))
    .collect();
    let (data, mut diags) = archsite::parse::data::parse_files(&files);
    diags.extend(archsite::resolve::tables::check_data(&data));
    show(&diags, &sources_of(&files));
    // Every value of every table can be looked up (references followed, totals computed).
    for table in data.tables.values() {
        for row in &table.rows {
            for env in &table.envs {
                if let Some(r) =
                    archsite::model::data::Ref::parse(&format!("{}.{}.{env}", table.name, row.id))
                {
                    let _ = archsite::resolve::tables::lookup(&data, &r);
                }
            }
        }
        for env in &table.envs {
            if let Some(r) =
                archsite::model::data::Ref::parse(&format!("{}.total.{env}", table.name))
            {
                let _ = archsite::resolve::tables::lookup(&data, &r);
            }
        }
    }
}

/// Link and anchor resolution over a whole small site: pages (`=== path ===` separates files
/// in the input) parsed, then `resolve` (URLs, every link and anchor, navigation, backlinks,
/// environments) and the data tables' directives and inline values resolved against data files
/// of the same input. Diagnostics are rendered against the sources.
pub fn links(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let files = split_site(input);
    if files.len() > 64 {
        return;
    }
    let mut sources = sources_of(&files);
    let config = config();
    let mut pages = Vec::new();
    let mut drafts = Vec::new();
    let mut diags = Vec::new();
    let mut assets = Vec::new();
    for (file, text) in &files {
        if is_markdown(&file.rel) {
            match parse_page(file.clone(), text.clone(), false) {
                (Some(page), d) => {
                    pages.push(page);
                    diags.extend(d);
                }
                (None, d) => {
                    drafts.push(file.rel.clone());
                    diags.extend(d);
                }
            }
        } else {
            assets.push(file.clone());
        }
    }
    let data_files: Vec<_> = files
        .iter()
        .filter(|(f, _)| !is_markdown(&f.rel))
        .cloned()
        .collect();
    let (data, d) = archsite::parse::data::parse_files(&data_files);
    diags.extend(d);
    diags.extend(archsite::resolve::tables::check_data(&data));
    let (resolved, d) = archsite::resolve::resolve(&config, &pages, &assets, &drafts, None);
    diags.extend(d);
    assert_eq!(resolved.links.len(), pages.len());
    let site = archsite::lint::Site {
        config: &config,
        pages: &pages,
        assets: &assets,
        resolved: &resolved,
    };
    diags.extend(archsite::lint::check(&site, None));
    let (_, d) = archsite::resolve::tables::resolve(&data, &pages, &resolved, &drafts);
    diags.extend(d);
    for (file, text) in &files {
        sources.add(file.display.clone(), text.clone());
    }
    show(&diags, &sources);
}

/// GitHub heading ids: `github_slug` and the per-page de-duplication. Properties: no spaces, no
/// ASCII uppercase or punctuation but `-` and `_`, idempotent, and ids unique on a page.
pub fn slug(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let slug = github_slug(text);
    assert!(!slug.contains(' '), "{slug:?}");
    assert!(!slug.chars().any(|c| c.is_ascii_uppercase()), "{slug:?}");
    assert!(
        !slug
            .chars()
            .any(|c| c.is_ascii_punctuation() && c != '-' && c != '_'),
        "{slug:?}"
    );
    assert_eq!(github_slug(&slug), slug, "not idempotent for {text:?}");
    // Each line a heading of one page; some explicit (`{#id}` after a tab).
    let mut counter = SlugCounter::default();
    let mut ids = HashSet::new();
    let lines: Vec<&str> = text.lines().take(256).collect();
    for line in &lines {
        if let Some((_, id)) = line.split_once('\t') {
            counter.reserve_explicit(id);
        }
    }
    for line in &lines {
        if line.contains('\t') {
            continue;
        }
        let id = counter.unique(github_slug(line));
        assert!(ids.insert(id.clone()), "{id:?} handed out twice");
    }
}

const FILES: &[&str] = &[
    "index.html",
    "a b.html",
    "d/index.html",
    "d/e/index.html",
    "404.html",
    "용어 사전.html",
    "assets/x.css",
    "x.mmd",
];

fn site() -> Output {
    let mut o = Output::default();
    for f in FILES {
        o.insert(
            f.to_string(),
            OutputFile::Bytes(format!("<{f}>").into_bytes()),
        );
    }
    o
}

fn check(out: &Output, base: &str, path: &str, from_wire: bool) {
    match respond(out, base, path, Path::new("/nonexistent")) {
        Response::File { status, body, .. } => {
            let body = String::from_utf8_lossy(&body).into_owned();
            let served = FILES.iter().find(|f| body == format!("<{f}>"));
            match status {
                // `/404.html` is a page of the site like any other.
                200 => assert!(served.is_some(), "{path:?} → {body:?}"),
                404 => assert!(served == Some(&"404.html"), "{path:?} → {body:?}"),
                other => panic!("status {other} for {path:?}"),
            }
        }
        Response::Redirect(location) => {
            assert!(
                location.starts_with(base.trim_end_matches('/')),
                "{path:?} → {location:?}"
            );
            assert!(location.starts_with('/'), "{location:?}");
            assert!(
                !location.starts_with("//") && !location.starts_with("/\\"),
                "{location:?}"
            );
            if from_wire {
                assert!(!location.contains(['\r', '\n']), "{location:?}");
            }
        }
    }
}

/// `serve`: a request head parsed as the server parses it, then its path mapped to the
/// in-memory site. Whatever the bytes, the answer is one of the site's files, its 404 page, or
/// a redirect to a path of the same site (never another host), and nothing is read from disk.
pub fn serve_path(data: &[u8]) {
    let out = site();
    if let Ok(head) = parse_head(data) {
        assert!(head.method == "GET" || head.method == "HEAD");
        for base in ["/", "/docs/"] {
            check(&out, base, &head.url, true);
        }
    }
    let path = String::from_utf8_lossy(data);
    for base in ["/", "/docs/"] {
        check(&out, base, &path, false);
    }
}

/// The search index of a small site (`=== path ===` separates files, as for `links`): every
/// file it writes is a script call whose argument is valid JSON, with no `</` (an HTML parser
/// would end an inline script there) and no U+2028/U+2029, whatever the text; and a query (the
/// input's first line) runs over the index without panicking.
pub fn search_index(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let files = split_site(input);
    if files.len() > 64 {
        return;
    }
    let config = config();
    let mut pages = Vec::new();
    for (file, text) in files.iter().filter(|(f, _)| is_markdown(&f.rel)) {
        if let (Some(page), _) = parse_page(file.clone(), text.clone(), false) {
            pages.push(page);
        }
    }
    let (resolved, _) = archsite::resolve::resolve(&config, &pages, &[], &[], None);
    for (path, bytes) in archsite::search::index_files(&pages, &resolved, None, None) {
        let js = String::from_utf8(bytes).expect("index files are UTF-8");
        assert!(!js.contains("</"), "{path}: `</` in {js:?}");
        assert!(!js.contains(['\u{2028}', '\u{2029}']), "{path}: {js:?}");
        let args = js
            .strip_prefix("window.__archsiteSearch.")
            .and_then(|rest| rest.split_once('('))
            .and_then(|(_, rest)| rest.strip_suffix(");\n"))
            .unwrap_or_else(|| panic!("{path}: not a script call: {js:?}"));
        let json = args
            .split_once(',')
            .filter(|(id, _)| id.parse::<u32>().is_ok())
            .map_or(args, |(_, v)| v);
        // The argument is a JSON string holding the data's JSON (for `JSON.parse`).
        let data = match serde_json::from_str::<serde_json::Value>(json) {
            Ok(serde_json::Value::String(data)) => data,
            Ok(other) => panic!("{path}: not a JSON string: {other}"),
            Err(e) => panic!("{path}: {e}: {js:?}"),
        };
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&data) {
            panic!("{path}: {e}: {data:?}");
        }
    }
    let query = input.lines().next().unwrap_or("");
    let index = archsite::search::build_index(
        &pages,
        &resolved,
        None,
        archsite::search::index::Technique::StemsBigrams,
    );
    let _ = archsite::search::search(
        &index,
        query,
        archsite::search::index::Technique::StemsBigrams,
    );
}
