//! OpenAPI 3.0 and 3.1 specs (YAML or JSON): each becomes an API reference page
//! (`user-api.yaml` → `user-api.yaml.html`; the spec is published beside it) with its
//! operations by tag and its schemas, drawn by render with the theme's `api.html` from
//! `Page::api` (`model::api`). A spec is told by what it holds, not its name: a `.yaml`,
//! `.yml` or `.json` file (not a data file) whose top level has an `openapi` key.
//!
//! Anchors: `#op-<operationId>` (else `#op-<method>-<path>`, `op-get-users-id`), `#schema-<Name>`,
//! `#tag-<tag slug>`. They are the page's headings, so links to them are checked like heading
//! anchors; the document holds every description's Markdown, so render, search and resolve
//! treat them as any page's.

mod read;
mod schema;
mod text;

use super::Kind;
use crate::base::yaml::{self, Kind as YamlKind, Node};
use crate::diag::{codes, Diagnostic};
use crate::model::{Page, PageKind, SourceFile};
use read::Reader;
use std::sync::Arc;

/// Twelve times what a 3,000-operation spec holds (bench/api.py's: ~80,000 keys and values),
/// few enough that an alias bomb stops within a fraction of a second and ~75 MB.
const MAX_NODES: usize = 1_000_000;

pub struct OpenApi;

impl Kind for OpenApi {
    fn page_kind(&self) -> PageKind {
        PageKind::Api
    }

    fn claims(&self, rel: &str) -> bool {
        let lower = rel.to_ascii_lowercase();
        [".yaml", ".yml", ".json"]
            .iter()
            .any(|e| lower.ends_with(e))
            && !crate::model::data::is_data_file(rel)
    }

    fn accepts(&self, text: &str) -> bool {
        is_spec(text)
    }

    fn optional(&self) -> bool {
        // Any `.json` may be a spec: one that is not text is a published file, not an error.
        true
    }

    fn url(&self, rel: &str) -> String {
        format!("{rel}.html")
    }

    fn parse(&self, file: SourceFile, text: Arc<str>) -> (Page, Vec<Diagnostic>) {
        page(file, text)
    }
}

/// Whether a file's text is an OpenAPI spec: at its top level, `openapi` with a version
/// (`openapi: 3.0.3`) and one of `info`, `paths`, `components`. Exact, because a YAML file is
/// just as often a config that has an `openapi:` section of its own (springdoc's settings).
/// YAML in block style has its top-level keys at the start of a line (a block scalar's lines
/// are indented, so no text inside one starts there); JSON (or YAML in flow style) is read as
/// JSON for its top-level keys.
pub fn is_spec(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        #[derive(serde::Deserialize)]
        struct Top {
            openapi: Option<serde_json::Value>,
            info: Option<serde::de::IgnoredAny>,
            paths: Option<serde::de::IgnoredAny>,
            components: Option<serde::de::IgnoredAny>,
        }
        return match serde_json::from_str::<Top>(trimmed) {
            Ok(top) => {
                let version = match &top.openapi {
                    Some(serde_json::Value::String(v)) => {
                        v.starts_with(|c: char| c.is_ascii_digit())
                    }
                    Some(serde_json::Value::Number(_)) => true,
                    _ => false,
                };
                version && (top.info.is_some() || top.paths.is_some() || top.components.is_some())
            }
            // Not JSON (YAML's flow style, or a broken spec): `"openapi": "3…` at the start
            // is read as one (a broken one then gets its diagnostic).
            Err(_) => {
                let head: String = trimmed.chars().take(200).collect();
                head.split_whitespace()
                    .collect::<String>()
                    .contains("\"openapi\":\"3")
            }
        };
    }
    let mut version = false;
    let mut parts = false;
    for (key, value) in text.lines().filter_map(top_level_entry) {
        match key {
            "openapi" => version |= starts_like_a_version(value),
            "info" | "paths" | "components" => parts = true,
            _ => {}
        }
    }
    version && parts
}

/// A line that is a top-level key of block-style YAML: its key (unquoted) and the text after
/// the colon.
fn top_level_entry(line: &str) -> Option<(&str, &str)> {
    let quote = line.chars().next().filter(|c| *c == '"' || *c == '\'');
    let (key, rest) = match quote {
        Some(q) => {
            let inner = &line[1..];
            let end = inner.find(q)?;
            (&inner[..end], inner[end + 1..].strip_prefix(':')?)
        }
        None => {
            let (key, rest) = line.split_once(':')?;
            if key.is_empty() || key.starts_with([' ', '\t', '#', '-']) || key.contains(' ') {
                return None;
            }
            (key, rest)
        }
    };
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some((key, rest))
}

/// Whether a value reads as a version (`3.0.3`, `"3.1.0"`), not a section of settings.
fn starts_like_a_version(value: &str) -> bool {
    value
        .split('#')
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches(['"', '\''])
        .starts_with(|c: char| c.is_ascii_digit())
}

/// A spec's page; what cannot be read is a diagnostic, and the page shows the rest.
fn page(file: SourceFile, text: Arc<str>) -> (Page, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match yaml::parse_limited(&text, MAX_NODES) {
        Ok(root) => root,
        Err(e) => {
            diags.push(
                Diagnostic::new(codes::OPENAPI, format!("the spec cannot be read: {}", e.message))
                    .at(&file.display, e.span)
                    .label(e.label)
                    .help("fix the YAML (or JSON) here; the API page shows nothing of the spec until it reads"),
            );
            Node {
                kind: YamlKind::Null,
                span: 0..0,
            }
        }
    };
    if !matches!(root.kind, YamlKind::Map(_) | YamlKind::Null) {
        diags.push(
            Diagnostic::new(codes::OPENAPI, format!("the spec is {}, not a mapping of `openapi`, `info`, `paths` …", root.describe()))
                .at(&file.display, root.span.clone())
                .help("an OpenAPI spec starts with `openapi: 3.0.3`, then `info:` and `paths:` at the top level"),
        );
    }
    let mut reader = Reader::new(&text, &root, file.display.clone());
    // A spec that does not read has its one diagnostic, not one more per missing part.
    let mut api = if diags.is_empty() {
        reader.read()
    } else {
        Default::default()
    };
    let Reader {
        doc,
        links,
        headings,
        diags: read_diags,
        letters,
        ..
    } = reader;
    diags.extend(read_diags);
    let title = if api.title.is_empty() {
        crate::base::text::file_stem_title(&file.rel)
    } else {
        api.title.clone()
    };
    api.title = title.clone();
    let document = doc.finish();
    let anchors: Vec<String> = headings.iter().map(|h| h.id.clone()).collect();
    // What lists of pages show under the title (the home page's API list, `<meta
    // name="description">`): `info.summary`, else the description's first paragraph.
    let description = root
        .get("info")
        .and_then(|info| info.get("summary").or_else(|| info.get("description")))
        .and_then(Node::as_str)
        .map(first_paragraph)
        .filter(|d| !d.is_empty());
    let page = Page {
        file,
        body_start: text.len(),
        front: crate::model::FrontMatter {
            description,
            ..Default::default()
        },
        title,
        has_h1: false,
        headings: headings.into(),
        links: links.into(),
        anchors: anchors.into(),
        letters,
        data: Arc::new([]),
        diagrams: Arc::new([]),
        document: Arc::new(document),
        kind: PageKind::Api,
        api: Some(Arc::new(api)),
        text,
    };
    (page, diags)
}

/// The text of a Markdown description's first paragraph, without its marks.
fn first_paragraph(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut text = String::new();
    for event in Parser::new_ext(markdown, crate::base::markdown::markdown_options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) if !text.trim().is_empty() => break,
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
