//! Escaping: text from YAML data, front matter, file names and headings reaches the built
//! pages only HTML-escaped, the search index as valid JSON that cannot end a script, and
//! diagnostics reach the preview's overlay as JSON that the overlay inserts as text. (Raw HTML written in a page's Markdown is passed through by design:
//! the author wrote it.)

use super::hostile::Site;
use super::serve::{start, Events};
use std::fs;

const XSS: &str = "<script>alert(1)</script>";
const XSS_ATTR: &str = "\" onmouseover=\"alert(2)";
/// A file name cannot hold `/`: an image tag with a handler instead.
const XSS_NAME: &str = "<img src=x onerror=alert(3)>";

fn hostile_site() -> Site {
    let site = Site::new();
    site.file(
        "index.md",
        format!(
            "---\ntitle: '{XSS}'\ndescription: '{}'\n---\n\
             Links: [named](%3Cimg%20src=x%20onerror=alert(3)%3E.md) [env](env/dev.md)\n\n\
             ## Heading &lt;script&gt;alert(1)&lt;/script&gt;\n\n\
             ```table\ntable: cost\n```\n\n\
             Inline: `=cost.total.dev`\n",
            XSS_ATTR.replace('\'', "''")
        ),
    );
    site.file(
        &format!("{XSS_NAME}.md"),
        "Named only by its file.\n\n[home](index.md)\n",
    );
    site.file(
        "env/dev.md",
        format!("---\ntitle: Dev {XSS}\nenvironment: dev\n---\n## 1. Part &lt;img src=x onerror=alert(3)&gt;\n\n[home](../index.md)\n"),
    );
    site.file(
        "env/prod.md",
        format!(
            "---\ntitle: Prod {XSS}\nenvironment: prod\n---\n## 1. Part\n\n[home](../index.md)\n"
        ),
    );
    site.file(
        "data/environments.yaml",
        format!("environments:\n  - {{id: dev, name: '{XSS}'}}\n  - {{id: prod, name: '{XSS_NAME}'}}\ninfinity: '{XSS}'\n"),
    );
    site.file(
        "data/cost.yaml",
        format!(
            "caption: '{XSS}'\nheader: '{XSS_NAME}'\nunit: usd\ntotal: '{XSS}'\nnote_label: '{XSS}'\n\
             columns:\n  - {{id: kind, label: '{XSS}', position: before}}\n\
             rows:\n  - id: a\n    group: '{XSS}'\n    label: '{XSS_NAME} `code`'\n    kind: '{XSS}'\n    \
             dev: {{value: 0, note: '{XSS}'}}\n    prod: {{value: 5, note: '{XSS_NAME}'}}\n"
        ),
    );
    site
}

#[test]
fn titles_data_and_file_names_are_escaped_in_every_page() {
    let site = hostile_site();
    let run = site.build();
    assert_eq!(run.code, Some(0), "{}\n{:#?}", run.stderr, run.diags);
    let public = site.root().join("public");
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(&public).into_iter().flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "html" | "xml") {
            continue;
        }
        pages += 1;
        let text = fs::read_to_string(path).unwrap();
        for raw in [
            XSS,
            XSS_NAME,
            "<script>alert",
            "<img src=x",
            "\" onmouseover",
        ] {
            assert!(
                !text.contains(raw),
                "{} holds {raw:?} unescaped",
                path.display()
            );
        }
    }
    assert!(pages >= 6, "{pages} pages");
    let escaped_xss = "&lt;script&gt;alert(1)&lt;/script&gt;";
    let escaped_name = "&lt;img src=x onerror=alert(3)&gt;";
    let dev = site.public("env/dev.html");
    assert!(dev.contains(&format!("<title>Dev {escaped_xss} · Hostile</title>")));
    let name_page = site.public(&format!("{XSS_NAME}.html"));
    assert!(name_page.contains(&format!("<title>{escaped_name} · Hostile</title>")));
    let home = site.public("index.html");
    for escaped in [
        format!("Heading {escaped_xss}"),
        format!("<caption id=\"table-cost-caption\">{escaped_xss}"),
        format!("<span class=\"cell-note\">({escaped_name})"),
        "<meta name=\"description\" content=\"&quot; onmouseover=&quot;alert(2)\">".into(),
    ] {
        assert!(home.contains(&escaped), "{escaped} not in the home page");
    }
    // The sidebar's data is JSON in a script file of its own, never inline in a page.
    let nav = site.public("assets/nav.js");
    let json = nav
        .strip_prefix("window.ARCHSITE_NAV = ")
        .and_then(|s| s.trim_end().strip_suffix(';'))
        .unwrap();
    let entries: serde_json::Value = serde_json::from_str(json).unwrap();
    assert!(entries.to_string().contains("alert(1)"));
    assert!(
        !home.contains("ARCHSITE_NAV = "),
        "nav data inline in a page"
    );
    // The search index: script calls whose argument is JSON holding the text as it is, and
    // nothing that would end an inline script.
    let mut index_files = 0;
    let mut found = false;
    for entry in walkdir::WalkDir::new(public.join("search"))
        .into_iter()
        .flatten()
    {
        if !entry.file_type().is_file() {
            continue;
        }
        index_files += 1;
        let js = fs::read_to_string(entry.path()).unwrap();
        assert!(!js.contains("</"), "{}: {js}", entry.path().display());
        let args = js
            .split_once('(')
            .and_then(|(_, rest)| rest.trim_end().strip_suffix(");"))
            .unwrap();
        let json = args
            .split_once(',')
            .filter(|(id, _)| id.parse::<u32>().is_ok())
            .map_or(args, |(_, v)| v);
        let value: serde_json::Value = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("{}: {e}\n{js}", entry.path().display()));
        found |= value.to_string().contains("alert(1)</script>");
    }
    assert!(index_files > 2, "{index_files} search files");
    assert!(found, "the index holds the text as written");
}

#[test]
fn diagnostics_reach_the_overlay_as_json_it_inserts_as_text() {
    let site = hostile_site();
    site.file(
        "index.md",
        "---\ntitle: x\n---\n# Home\n\n[broken](%3Cscript%3Ealert(1)%3C/script%3E.md#%3Cb%3E)\n",
    );
    site.file("env/prod.md", "# Prod\n");
    site.file(
        "data/cost.yaml",
        format!("rows:\n  - {{label: a, dev: 1, prod: '{XSS}'}}\ntotal: true\n"),
    );
    let server = start(site.root());
    let mut events = Events::open(&server.addr, "/");
    let (name, data) = events.next();
    assert_eq!(name, "errors");
    let payload: serde_json::Value = serde_json::from_str(&data).expect("valid JSON");
    let messages: Vec<&str> = payload
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(messages.iter().any(|m| m.contains(XSS)), "{messages:?}");
    assert!(
        payload.to_string().contains("<script>") || payload.to_string().contains("\\u003c"),
        "the payload carries the text as it is; the overlay escapes it"
    );
    // Server-Sent Events split data on newlines: a message cannot end the event early.
    assert!(!data.contains("\n\n"));
    // The overlay builds its elements with textContent only.
    let live = include_str!("../../src/serve/live.js");
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
    ] {
        assert!(!live.contains(sink), "live.js uses {sink}");
    }
    assert!(live.contains("el.textContent = content"));
}
