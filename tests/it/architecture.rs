//! The shape of `src/`, checked: which top-level module may use which (`use crate::…` and
//! `crate::…` paths, test code left out). Each module sits in a layer and may use only modules
//! of lower layers, so there is no import cycle, and the stages of the pipeline (one layer)
//! never reach into each other: they meet in `model`, and `pipeline` runs them in order.
//! docs/architecture.md tells the same story in words.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lowest first. A module may use modules of the layers before its own, never its own layer's
/// or a later one's.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "ground floor: helpers that know nothing of the pipeline",
        &["base", "alloc", "theme"],
    ),
    ("diagnostics", &["diag"]),
    ("the external link checker (a service)", &["external"]),
    ("configuration", &["config"]),
    ("the site model: plain data between the stages", &["model"]),
    (
        "services the stages call: diagram engines, checks, the output set",
        &["diagram", "lint", "output"],
    ),
    (
        "page kinds: the files that become pages beside Markdown",
        &["kinds"],
    ),
    (
        "the stages",
        &["load", "parse", "resolve", "render", "search"],
    ),
    ("the order of the stages", &["pipeline", "init"]),
    (
        "on top of the build: the preview, the command line",
        &["serve", "cli"],
    ),
];

/// Top-level module → the modules it uses, with one file where it does.
fn uses() -> BTreeMap<String, BTreeMap<String, String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // The binary uses the library as `archsite::`; `tests.rs` files are test code.
        if rel == "main.rs" || rel == "lib.rs" || rel.ends_with("/tests.rs") {
            continue;
        }
        let module = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(path).unwrap();
        for used in crate_paths(&without_tests(&text)) {
            if used != module {
                edges
                    .entry(module.clone())
                    .or_default()
                    .entry(used)
                    .or_insert_with(|| format!("src/{rel}"));
            }
        }
    }
    edges
}

/// The text before the file's `#[cfg(test)] mod tests`, without comments.
fn without_tests(text: &str) -> String {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    code.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string ("https://…") has an odd number of quotes before it.
            Some(i) if line[..i].matches('"').count() % 2 == 0 => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment of every `crate::` path: `crate::model::Page` and
/// `use crate::{diag::Diagnostic, model}` give `model`, `diag`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        // `$crate::` and `archsite_crate::` are not ours.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => items.push(std::mem::take(&mut item)),
                    _ if depth == 1 => item.push(c),
                    _ => {}
                }
                if depth == 0 {
                    items.push(item);
                    break;
                }
            }
            out.extend(items.iter().filter_map(|i| first_segment(i.trim())));
        } else {
            out.extend(first_segment(rest));
        }
    }
    out
}

fn first_segment(path: &str) -> Option<String> {
    let name: String = path
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name != "self").then_some(name)
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

#[test]
fn every_module_uses_only_lower_layers() {
    let mut broken = Vec::new();
    for (module, used) in uses() {
        let Some(from) = layer_of(&module) else {
            broken.push(format!("`{module}` is in no layer: add it to LAYERS"));
            continue;
        };
        for (target, file) in used {
            let Some(to) = layer_of(&target) else {
                continue; // not a module of ours (a macro or a re-export)
            };
            if to < from {
                continue;
            }
            broken.push(format!(
                "{file}: `{module}` ({}) uses `{target}` ({})",
                LAYERS[from].0, LAYERS[to].0
            ));
        }
    }
    assert!(broken.is_empty(), "layering broken:\n{}", broken.join("\n"));
}

#[test]
fn the_ground_floor_uses_nothing_of_the_crate() {
    let used = uses();
    assert_eq!(used.get("base"), None, "src/base/ must not use `crate::`");
}

#[test]
fn the_scanner_reads_grouped_and_nested_paths() {
    let code =
        "use crate::{diag::{Diagnostic, Span}, model,\n self};\nfn f() { crate::parse::x(); \
                $crate::no(); let s = \"crate::\"; }\n// crate::commented\n";
    let found = crate_paths(&without_tests(code));
    let found: Vec<&str> = found.iter().map(String::as_str).collect();
    assert_eq!(found, ["diag", "model", "parse"]);
}
