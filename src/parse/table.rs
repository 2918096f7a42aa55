//! The Markdown side: a fenced block that places a table, and inline code that quotes a value.
//!
//! ````markdown
//! ```table
//! table: cost
//! envs: [dev, prod]
//! ratio: prod/dev
//! ```
//!
//! The production total is `=cost.total.prod` a month.
//! ````
//!
//! On a code host the block shows as a short code block and the value as code naming where the
//! number lives: both stay readable. Parsed during `parse` (per page, pure); what they name is
//! checked once the data is loaded.

use crate::base::yaml::{self, Kind, Node};
use crate::diag::codes;
use crate::diag::{closest, Diagnostic};
use crate::model::columns::{derived, DERIVED};
use crate::model::data::{anchor_slug, DataRef, Notes, Spanned, TableDirective};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// The directive's keys, derived columns among them (in the order the help lists them).
fn keys() -> Vec<&'static str> {
    ["table", "envs", "columns"]
        .into_iter()
        .chain(DERIVED.iter().map(|d| d.key))
        .chain([
            "notes",
            "highlight",
            "caption",
            "subtotals",
            "total",
            "zero",
        ])
        .collect()
}

/// Parses the fenced block at `block` (a byte range of `text`, fences included).
pub fn parse_table(
    text: &str,
    block: Range<usize>,
    file: &Arc<str>,
) -> (TableDirective, Vec<Diagnostic>) {
    let source = &text[block.clone()];
    let first_line_len = source.find('\n').unwrap_or(source.len());
    let fence_start = block.start + (source.len() - source.trim_start().len());
    let mut d = TableDirective {
        span: fence_start..block.start + source[..first_line_len].trim_end().len(),
        ..Default::default()
    };
    let mut diags = Vec::new();
    let body_start = (block.start + first_line_len + 1).min(block.end);
    let mut body_end = block.end;
    // Drop the closing fence line, if any.
    let inner = &text[body_start..body_end];
    let trimmed = inner.trim_end();
    if let Some(last_nl) = trimmed.rfind('\n').map(|i| i + 1).or(Some(0)) {
        let last = trimmed[last_nl..].trim();
        if !last.is_empty() && last.chars().all(|c| c == '`' || c == '~') {
            body_end = body_start + last_nl;
        }
    }
    let body = &text[body_start..body_end];
    let mut error = |span: Range<usize>, message: String, help: Option<String>| {
        diags.push(
            Diagnostic::new(codes::DATA_REF, message)
                .at(file, span)
                .help_opt(help),
        );
    };
    let node = match yaml::parse(body) {
        Ok(n) => n,
        Err(e) => {
            let at = body_start + e.span.start;
            error(at..at, format!("table directive: {}", e.message), None);
            return (d, diags);
        }
    };
    let shift = |r: &Range<usize>| body_start + r.start..body_start + r.end;
    let spanned = |n: &Node| -> Option<Spanned> {
        n.as_str().map(|t| Spanned {
            text: t.to_string(),
            span: shift(&n.span),
        })
    };
    let Kind::Map(entries) = &node.kind else {
        error(
            d.span.clone(),
            "a table directive holds `key: value` lines, starting with `table: <name>`".into(),
            Some("for example `table: cost`".into()),
        );
        return (d, diags);
    };
    for (k, v) in entries {
        let key = k.as_str().unwrap_or("");
        let list = |v: &Node| -> Option<Vec<Spanned>> {
            match &v.kind {
                Kind::Seq(items) => items.iter().map(spanned).collect(),
                Kind::Str(s) => Some(
                    s.split(',')
                        .map(|p| {
                            let t = p.trim();
                            // Each item has its own place only when the text is written as
                            // it is (after an anchor, say); an alias, quotes with escapes or a
                            // folded scalar give the whole value's place.
                            let written = body
                                .get(v.span.clone())
                                .is_some_and(|source| source.ends_with(s.as_str()));
                            let span = if written {
                                let start = v.span.end - s.len()
                                    + (p.as_ptr() as usize - s.as_ptr() as usize);
                                let lead = p.len() - p.trim_start().len();
                                start + lead..start + lead + t.len()
                            } else {
                                v.span.clone()
                            };
                            Spanned {
                                text: t.to_string(),
                                span: shift(&span),
                            }
                        })
                        .collect(),
                ),
                _ => None,
            }
        };
        let flag = |v: &Node| match v.kind {
            Kind::Bool(b) => Some(b),
            _ => None,
        };
        let ok = match key {
            "table" => {
                d.table = spanned(v);
                d.table.is_some()
            }
            "envs" => {
                d.envs = list(v);
                d.envs.is_some()
            }
            "columns" => {
                d.columns = list(v);
                d.columns.is_some()
            }
            column if derived(column).is_some() => {
                let column = derived(column).expect("just found");
                let value = spanned(v).filter(|s| column.accepts(&s.text));
                let ok = value.is_some();
                d.derived.extend(value.map(|s| (column, s)));
                ok
            }
            "caption" => {
                d.caption = v.as_str().map(str::to_string);
                d.caption.is_some()
            }
            "zero" => {
                d.zero = v.as_str().map(str::to_string);
                d.zero.is_some()
            }
            "highlight" => {
                d.highlight = flag(v).unwrap_or(false);
                flag(v).is_some()
            }
            "subtotals" => {
                d.subtotals = flag(v);
                d.subtotals.is_some()
            }
            "total" => {
                d.total = flag(v);
                d.total.is_some()
            }
            "notes" => {
                let notes = match v.as_str() {
                    Some("inline") => Some(Notes::Inline),
                    Some("column") => Some(Notes::Column),
                    Some("hide") => Some(Notes::Hide),
                    _ => None,
                };
                d.notes = notes.unwrap_or_default();
                notes.is_some()
            }
            _ => {
                let keys = keys();
                let help = closest(key, keys.iter().copied())
                    .map(|b| format!("did you mean `{b}`?"))
                    .unwrap_or_else(|| format!("directive keys: {}", keys.join(", ")));
                error(
                    shift(&k.span),
                    format!("unknown key `{key}` in a table directive"),
                    Some(help),
                );
                continue;
            }
        };
        if !ok {
            let expected = match key {
                "envs" | "columns" => "a list such as `[dev, prod]`",
                column if derived(column).is_some() => derived(column).expect("found").expected,
                "notes" => "`inline`, `column` or `hide`",
                "highlight" | "subtotals" | "total" => "`true` or `false`",
                _ => "text",
            };
            error(
                shift(&v.span),
                format!("`{key}` should be {expected}"),
                None,
            );
        }
    }
    if d.table.is_none() {
        error(
            d.span.clone(),
            "a table directive needs `table: <name>`".into(),
            Some("name a data file of `data/` without its extension, e.g. `table: cost`".into()),
        );
    }
    (d, diags)
}

/// Gives each table directive of a page its id (`table-<name>`, then `-2`, `-3` for repeats
/// of a name) and returns the ids, for the page's anchors.
pub fn number_anchors(refs: &mut [DataRef]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids = Vec::new();
    for r in refs {
        if let DataRef::Table(d) = r {
            let name = d.table.as_ref().map_or("table", |t| t.text.as_str());
            let base = format!("table-{}", anchor_slug(name));
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            d.anchor = if *n == 1 { base } else { format!("{base}-{n}") };
            ids.push(d.anchor.clone());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_with_positions() {
        let text = "# T\n\n```table\ntable: cost\nenvs: [dev, prod]\nratio: prod/dev\n```\n";
        let start = text.find("```table").unwrap();
        let (d, diags) = parse_table(text, start..text.len() - 1, &"a.md".into());
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(d.table.as_ref().unwrap().text, "cost");
        let envs = d.envs.unwrap();
        assert_eq!(&text[envs[1].span.clone()], "prod");
        assert_eq!(&text[d.span.clone()], "```table");
        assert_eq!(d.derived[0].0.key, "ratio");
        assert_eq!(d.derived[0].1.text, "prod/dev");
    }

    #[test]
    fn comma_lists_and_unknown_keys() {
        let text = "```table\ntable: sla\nenvs: dev, global\nratoi: x\n```\n";
        let (d, diags) = parse_table(text, 0..text.len(), &"a.md".into());
        let envs = d.envs.unwrap();
        assert_eq!(&text[envs[1].span.clone()], "global");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `ratio`?"));
        assert_eq!(&text[diags[0].span.clone().unwrap().range], "ratoi");
    }

    #[test]
    fn list_items_from_an_alias_point_at_the_alias() {
        // Found by fuzzing (fuzz/regressions/table_directive/alias-span-outside-the-block): the
        // items of an aliased comma list were placed past the alias, outside the page.
        let text = "```table\ntable: t\nenvs: &a dev, prod\ncolumns: *a\n```\n";
        let (d, _) = parse_table(text, 0..text.len(), &"a.md".into());
        let columns = d.columns.unwrap();
        assert_eq!(columns.len(), 2);
        for c in &columns {
            assert_eq!(&text[c.span.clone()], "*a");
        }
        assert_eq!(&text[d.envs.unwrap()[1].span.clone()], "prod");
    }

    #[test]
    fn a_key_without_a_space_after_its_colon_is_text_as_yaml_reads_it() {
        // The removed hand-written fast path read `table:cost` as `table: cost`; YAML reads
        // one plain scalar, and so does archsite now (one parser for directives and data).
        let text = "```table\ntable:cost\n```\n";
        let (d, diags) = parse_table(text, 0..text.len(), &"a.md".into());
        assert!(d.table.is_none());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0]
            .message
            .starts_with("a table directive holds `key: value` lines"));
    }

    #[test]
    fn repeated_tables_get_numbered_ids() {
        let text = "```table\ntable: cost\n```\n";
        let (d, _) = parse_table(text, 0..text.len(), &"a.md".into());
        let mut refs = vec![DataRef::Table(d.clone()), DataRef::Table(d)];
        assert_eq!(number_anchors(&mut refs), ["table-cost", "table-cost-2"]);
    }

    #[test]
    fn inline_refs() {
        use crate::model::data::{inline_ref, is_table_fence};
        assert_eq!(
            inline_ref("=cost.total.prod").unwrap().to_string(),
            "cost.total.prod"
        );
        assert!(inline_ref("=a+b").is_none());
        assert!(inline_ref("cost.total.prod").is_none());
        assert!(is_table_fence("table"));
        assert!(!is_table_fence("tables"));
    }
}
