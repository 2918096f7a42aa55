//! YAML front matter between `---` lines at the top of a page. Unknown keys are errors with a
//! suggestion; keys of your own go under `extra:`.

use crate::config::yaml_error;
use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::model::FrontMatter;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
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
    #[allow(dead_code)] // accepted for the writer's own use
    extra: Option<serde_yaml::Value>,
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

/// Returns the front matter and the byte offset where the Markdown body starts.
pub fn split(file: &Arc<str>, text: &str, diags: &mut Vec<Diagnostic>) -> (FrontMatter, usize) {
    let Some(after_open) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (FrontMatter::default(), 0);
    };
    let yaml_start = text.len() - after_open.len();
    let Some((yaml_len, body_start)) = find_close(after_open) else {
        diags.push(
            Diagnostic::new(codes::FRONT_MATTER, "front matter has no closing `---`")
                .at(file, 0..3)
                .label("opened here")
                .help("end the front matter with a line `---`, or remove this line if it is a thematic break"),
        );
        return (FrontMatter::default(), 0);
    };
    let yaml = &after_open[..yaml_len];
    let body_start = yaml_start + body_start;
    if yaml.trim().is_empty() {
        return (FrontMatter::default(), body_start);
    }
    match serde_yaml::from_str::<RawFrontMatter>(yaml) {
        Ok(raw) => (
            FrontMatter {
                title: raw.title.filter(|t| !t.trim().is_empty()),
                description: raw.description,
                weight: raw.weight,
                environment: raw.environment,
                group: raw.group,
                draft: raw.draft,
                related: locate_all(&raw.related, yaml, yaml_start),
            },
            body_start,
        ),
        Err(err) => {
            let mut diag = yaml_error(file, yaml, &err, KNOWN_KEYS);
            diag.code = "front-matter";
            if let Some(span) = &mut diag.span {
                span.range = span.range.start + yaml_start..span.range.end + yaml_start;
            }
            diags.push(diag);
            (FrontMatter::default(), body_start)
        }
    }
}

/// Byte ranges in the file of each value, found in order in the YAML text.
fn locate_all(
    values: &[String],
    yaml: &str,
    yaml_start: usize,
) -> Vec<(String, std::ops::Range<usize>)> {
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

/// Finds the closing `---` line: returns (length of the YAML, offset of the body), both
/// relative to the text after the opening line.
fn find_close(rest: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == "---" {
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
    }

    #[test]
    fn no_front_matter() {
        let (fm, start, diags) = run("# just markdown\n---\n");
        assert_eq!((fm, start, diags.len()), (FrontMatter::default(), 0, 0));
    }
}
