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

use super::model::Ref;
use super::yaml::{self, Kind, Node};
use crate::diag::codes;
use crate::diag::{closest, Diagnostic};
use std::ops::Range;
use std::sync::Arc;

/// The info string of a table block.
pub const FENCE: &str = "table";

/// A directive found in a page, in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum DataRef {
    Table(TableDirective),
    Value(ValueRef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    pub text: String,
    /// Byte range in the page's file.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Notes {
    /// After the value: `$120 (Spot)`.
    #[default]
    Inline,
    /// In a column of its own (for one-environment tables).
    Column,
    Hide,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableDirective {
    /// The opening fence line, in the page's file.
    pub span: Range<usize>,
    pub table: Option<Spanned>,
    pub envs: Option<Vec<Spanned>>,
    pub columns: Option<Vec<Spanned>>,
    /// `prod/dev`.
    pub ratio: Option<Spanned>,
    /// `prod-dev`.
    pub diff: Option<Spanned>,
    /// An environment whose column also shows each row's share of its total.
    pub share: Option<Spanned>,
    pub notes: Notes,
    pub highlight: bool,
    pub caption: Option<String>,
    pub subtotals: Option<bool>,
    pub total: Option<bool>,
    /// Text of a ratio over zero.
    pub zero: Option<String>,
}

/// `=cost.total.prod` in inline code.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueRef {
    pub reference: Ref,
    /// The inline code, backticks included.
    pub span: Range<usize>,
}

/// The reference of an inline value (`=table.row.field`), if `code` is one.
pub fn inline_ref(code: &str) -> Option<Ref> {
    Ref::parse(code.strip_prefix('=')?)
}

/// Whether a fenced block's info string makes it a table directive.
pub fn is_table_fence(info: &str) -> bool {
    crate::base::fence::fence_language(info) == FENCE
}

const KEYS: &[&str] = &[
    "table",
    "envs",
    "columns",
    "ratio",
    "diff",
    "share",
    "notes",
    "highlight",
    "caption",
    "subtotals",
    "total",
    "zero",
];

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
    let node = match yaml::parse_simple(body).map_or_else(|| yaml::parse(body), Ok) {
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
            "ratio" => {
                d.ratio = spanned(v).filter(|s| s.text.contains('/'));
                d.ratio.is_some()
            }
            "diff" => {
                d.diff = spanned(v).filter(|s| s.text.contains('-'));
                d.diff.is_some()
            }
            "share" => {
                d.share = spanned(v);
                d.share.is_some()
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
                let help = closest(key, KEYS.iter().copied())
                    .map(|b| format!("did you mean `{b}`?"))
                    .unwrap_or_else(|| format!("directive keys: {}", KEYS.join(", ")));
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
                "ratio" => "two environments such as `prod/dev`",
                "diff" => "two environments such as `prod-dev`",
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
        assert_eq!(d.ratio.unwrap().text, "prod/dev");
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
    fn inline_refs() {
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
