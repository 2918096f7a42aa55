//! Front matter at the top of a page: YAML between `---` lines (Jekyll, Hugo, MkDocs,
//! Docusaurus) or TOML between `+++` lines (Zola, Hugo). The keys archsite reads are checked
//! (a wrong type is an error at the value); every other key is kept for templates as
//! `page.meta` (`section: 1` → `page.meta.section`), so a foreign folder's front matter works
//! as it is. Only a key that looks like a misspelling of one archsite reads (`wieght`) is
//! reported, as the configurable warning `front-matter-key`.

use crate::config::yaml_error;
use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::model::FrontMatter;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// The keys archsite reads; unknown keys are not refused (they end up in `meta`).
#[derive(Debug, Default, Deserialize)]
struct RawFrontMatter {
    title: Option<String>,
    description: Option<String>,
    weight: Option<i64>,
    environment: Option<String>,
    group: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    related: Vec<String>,
}

const KNOWN_KEYS: &[&str] = &[
    "title",
    "description",
    "weight",
    "environment",
    "group",
    "draft",
    "related",
    "extra",
];

/// The two syntaxes, by their fence line.
#[derive(Clone, Copy, PartialEq)]
enum Syntax {
    Yaml,
    Toml,
}

impl Syntax {
    fn fence(self) -> &'static str {
        match self {
            Syntax::Yaml => "---",
            Syntax::Toml => "+++",
        }
    }
}

/// Returns the front matter and the byte offset where the Markdown body starts.
pub fn split(file: &Arc<str>, text: &str, diags: &mut Vec<Diagnostic>) -> (FrontMatter, usize) {
    let opened = [Syntax::Yaml, Syntax::Toml].into_iter().find_map(|syntax| {
        let fence = syntax.fence();
        let rest = text
            .strip_prefix(fence)
            .and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))?;
        Some((syntax, rest))
    });
    let Some((syntax, after_open)) = opened else {
        return (FrontMatter::default(), 0);
    };
    let fence = syntax.fence();
    let yaml_start = text.len() - after_open.len();
    let Some((yaml_len, body_start)) = find_close(after_open, fence) else {
        diags.push(
            Diagnostic::new(codes::FRONT_MATTER, format!("front matter has no closing `{fence}`"))
                .at(file, 0..3)
                .label("opened here")
                .help(match syntax {
                    Syntax::Yaml => "end the front matter with a line `---`, or remove this line if it is a thematic break",
                    Syntax::Toml => "end the TOML front matter with a line `+++`",
                }),
        );
        return (FrontMatter::default(), 0);
    };
    let source = &after_open[..yaml_len];
    let body_start = yaml_start + body_start;
    if source.trim().is_empty() {
        return (FrontMatter::default(), body_start);
    }
    let parsed = match syntax {
        Syntax::Yaml => parse_yaml(file, source),
        Syntax::Toml => parse_toml(file, source),
    };
    match parsed {
        Ok((raw, meta)) => {
            for key in meta.keys() {
                if let Some(diag) = misspelt_key(file, source, yaml_start, key) {
                    diags.push(diag);
                }
            }
            (
                FrontMatter {
                    title: raw.title.filter(|t| !t.trim().is_empty()),
                    description: raw.description,
                    weight: raw.weight,
                    environment: raw.environment,
                    group: raw.group,
                    draft: raw.draft,
                    related: locate_all(&raw.related, source, yaml_start),
                    meta,
                },
                body_start,
            )
        }
        Err(mut diag) => {
            if let Some(span) = &mut diag.span {
                span.range = span.range.start + yaml_start..span.range.end + yaml_start;
            }
            diags.push(diag);
            (FrontMatter::default(), body_start)
        }
    }
}

/// The keys that are not archsite's, as values templates can read.
type Meta = BTreeMap<String, serde_yaml::Value>;

fn parse_yaml(file: &Arc<str>, yaml: &str) -> Result<(RawFrontMatter, Meta), Diagnostic> {
    let error = |err: &serde_yaml::Error| {
        let mut diag = yaml_error(file, yaml, err, KNOWN_KEYS);
        diag.code = codes::FRONT_MATTER.name;
        diag
    };
    let raw: RawFrontMatter = serde_yaml::from_str(yaml).map_err(|e| error(&e))?;
    let all: serde_yaml::Mapping = serde_yaml::from_str(yaml).map_err(|e| error(&e))?;
    let meta = all
        .into_iter()
        .filter_map(|(k, v)| {
            let key = match k {
                serde_yaml::Value::String(s) => s,
                other => serde_yaml::to_string(&other).ok()?.trim_end().to_string(),
            };
            (!is_read(&key)).then_some((key, v))
        })
        .collect();
    Ok((raw, meta))
}

fn parse_toml(file: &Arc<str>, source: &str) -> Result<(RawFrontMatter, Meta), Diagnostic> {
    let error = |err: toml::de::Error| {
        let range = err.span().unwrap_or(0..0);
        Diagnostic::new(codes::FRONT_MATTER, toml_message(&err))
            .at(file, range)
            .help("TOML front matter between `+++` lines: `key = \"value\"`, tables as `[extra]`")
    };
    let raw: RawFrontMatter = toml::from_str(source).map_err(error)?;
    let all: toml::Table = toml::from_str(source).map_err(error)?;
    let meta = all
        .into_iter()
        .filter(|(k, _)| !is_read(k))
        .map(|(k, v)| (k, toml_to_yaml(v)))
        .collect();
    Ok((raw, meta))
}

/// toml's message without its own snippet (the diagnostic shows the source).
fn toml_message(err: &toml::de::Error) -> String {
    let message = err.message().trim();
    message.lines().next().unwrap_or(message).to_string()
}

/// One value model for templates, whichever syntax the page used; dates become their text.
fn toml_to_yaml(value: toml::Value) -> serde_yaml::Value {
    use serde_yaml::Value as Y;
    match value {
        toml::Value::String(s) => Y::String(s),
        toml::Value::Integer(i) => Y::Number(i.into()),
        toml::Value::Float(f) => Y::Number(f.into()),
        toml::Value::Boolean(b) => Y::Bool(b),
        toml::Value::Datetime(d) => Y::String(d.to_string()),
        toml::Value::Array(items) => Y::Sequence(items.into_iter().map(toml_to_yaml).collect()),
        toml::Value::Table(table) => Y::Mapping(
            table
                .into_iter()
                .map(|(k, v)| (Y::String(k), toml_to_yaml(v)))
                .collect(),
        ),
    }
}

/// Whether archsite itself reads `key` (`extra` is the writer's, kept in `meta` like any other
/// key of theirs).
fn is_read(key: &str) -> bool {
    key != "extra" && KNOWN_KEYS.contains(&key)
}

/// A warning for a key that is one or two typing slips from a key archsite reads (`wieght`,
/// `Title`): a key of the writer's own (`section`, `date`, `tags`) is not one.
fn misspelt_key(
    file: &Arc<str>,
    source: &str,
    source_start: usize,
    key: &str,
) -> Option<Diagnostic> {
    let lower = key.to_lowercase();
    let best = KNOWN_KEYS.iter().copied().find(|known| {
        if key == *known {
            return false;
        }
        let distance = strsim::damerau_levenshtein(&lower, known);
        distance <= 2 && distance * 3 <= known.len().max(3)
    })?;
    let at =
        key_position(source, key).map_or(0..3, |r| r.start + source_start..r.end + source_start);
    Some(
        Diagnostic::new(
            codes::FRONT_MATTER_KEY,
            format!("front-matter key `{key}` is not one archsite reads"),
        )
        .at(file, at)
        .label("kept for templates as `page.meta`")
        .help(format!("did you mean `{best}`?")),
    )
}

/// Where a top-level key is written: at the start of a line, followed by `:` (YAML) or `=`
/// (TOML), possibly quoted.
fn key_position(source: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let bare = line.trim_start_matches(['"', '\'']);
        let quote = line.len() - bare.len();
        if let Some(rest) = bare.strip_prefix(key) {
            let rest = rest.trim_start_matches(['"', '\'']).trim_start();
            if rest.starts_with(':') || rest.starts_with('=') {
                let start = offset + quote;
                return Some(start..start + key.len());
            }
        }
        offset += line.len();
    }
    None
}

/// Byte ranges in the file of each value, found in order in the front matter's text.
fn locate_all(values: &[String], yaml: &str, yaml_start: usize) -> Vec<(String, Range<usize>)> {
    let mut from = 0;
    values
        .iter()
        .map(|v| match yaml[from..].find(v.as_str()) {
            Some(i) => {
                let start = from + i;
                from = start + v.len();
                (v.clone(), yaml_start + start..yaml_start + start + v.len())
            }
            None => (v.clone(), 0..3),
        })
        .collect()
}

/// Finds the closing fence line: returns (length of the front matter, offset of the body), both
/// relative to the text after the opening line.
fn find_close(rest: &str, fence: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == fence {
            return Some((offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (FrontMatter, usize, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let (fm, start) = split(&"p.md".into(), text, &mut diags);
        (fm, start, diags)
    }

    #[test]
    fn parses_known_keys_and_body_offset() {
        let (fm, start, diags) = run("---\ntitle: 제목\nweight: 3\nenvironment: prod\n---\n# x\n");
        assert!(diags.is_empty());
        assert_eq!(fm.title.as_deref(), Some("제목"));
        assert_eq!(fm.weight, Some(3));
        assert_eq!(fm.environment.as_deref(), Some("prod"));
        assert_eq!(start, 50);
    }

    #[test]
    fn crlf_front_matter() {
        let (fm, start, diags) = run("---\r\ntitle: a\r\n---\r\nbody");
        assert!(diags.is_empty());
        assert_eq!(fm.title.as_deref(), Some("a"));
        assert_eq!(start, 20);
    }

    #[test]
    fn unclosed_front_matter_is_an_error_at_line_one() {
        let (_, start, diags) = run("---\ntitle: a\n# body\n");
        assert_eq!(start, 0);
        assert_eq!(diags[0].code, "front-matter");
        assert_eq!(diags[0].span.as_ref().unwrap().range, 0..3);
    }

    #[test]
    fn unknown_key_points_into_the_file_with_suggestion() {
        let text = "---\ntitle: a\nwieght: 2\n---\n";
        let (_, _, diags) = run(text);
        let span = diags[0].span.clone().unwrap();
        assert_eq!(&text[span.range], "wieght");
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `weight`?"));
        assert_eq!(
            (diags[0].code, diags[0].severity),
            ("front-matter-key", crate::diag::Severity::Warning)
        );
    }

    #[test]
    fn keys_of_the_writers_own_are_kept_without_a_word() {
        let text = "---\ntitle: npm-team\nsection: 1\nsidebar_position: 2\ntags: [a, b]\nextra: {icon: pen}\n---\nbody";
        let (fm, _, diags) = run(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(fm.title.as_deref(), Some("npm-team"));
        assert_eq!(
            fm.meta.keys().map(String::as_str).collect::<Vec<_>>(),
            ["extra", "section", "sidebar_position", "tags"]
        );
        assert_eq!(fm.meta["section"], serde_yaml::Value::from(1));
    }

    #[test]
    fn a_wrong_type_for_a_key_archsite_reads_is_still_an_error_at_the_value() {
        let text = "---\nweight: heavy\n---\n";
        let (_, _, diags) = run(text);
        assert_eq!(diags[0].code, "front-matter");
        let span = diags[0].span.clone().unwrap();
        assert_eq!(&text[span.range], "heavy");
    }

    #[test]
    fn toml_front_matter_between_plus_lines() {
        let text = "+++\ntitle = \"First post\"\ndate = 2024-01-01\nweight = 3\nrelated = [\"a.md\"]\n[taxonomies]\ntags = [\"intro\"]\n[extra]\nicon = \"pen\"\n+++\n\nBody\n";
        let (fm, start, diags) = run(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(&text[start..], "\nBody\n");
        assert_eq!(fm.title.as_deref(), Some("First post"));
        assert_eq!(fm.weight, Some(3));
        assert_eq!(&text[fm.related[0].1.clone()], "a.md");
        assert_eq!(fm.meta["date"], serde_yaml::Value::from("2024-01-01"));
        let tags = &fm.meta["taxonomies"]["tags"];
        assert_eq!(tags[0], serde_yaml::Value::from("intro"));
        assert_eq!(fm.meta["extra"]["icon"], serde_yaml::Value::from("pen"));
    }

    #[test]
    fn bad_toml_is_an_error_at_its_place() {
        let text = "+++\ntitle = \"a\"\nweight = \"x\"\n+++\n";
        let (_, _, diags) = run(text);
        assert_eq!(diags[0].code, "front-matter");
        let span = diags[0].span.clone().unwrap();
        assert_eq!(&text[span.range], "\"x\"");
        let (_, start, diags) = run("+++\ntitle = \"a\"\n");
        assert_eq!(
            (start, diags[0].message.as_str()),
            (0, "front matter has no closing `+++`")
        );
    }

    #[test]
    fn no_front_matter() {
        let (fm, start, diags) = run("# just markdown\n---\n");
        assert_eq!((fm, start, diags.len()), (FrontMatter::default(), 0, 0));
    }
}
