//! The generated environment-diff page: every row of every data table whose values differ
//! between environments, side by side, each table linked back to where it is shown. Pure.

use super::eval::resolve_value;
use super::html::{format_value, row_differs, words};
use super::model::{Data, Value};
use crate::base::escape_html;
use crate::config::Lang;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Where the page is published.
pub const DIFF_PAGE: &str = "environment-diff.html";

/// The section id of a table on the diff page.
pub fn section_id(table: &str) -> String {
    format!("diff-{}", super::anchor_slug(table))
}

/// The page's content. `shown`: per table, the href (relative to the diff page) of the place
/// it is shown, if any. `text` renders a cell's inline Markdown without links.
pub fn render(
    data: &Data,
    lang: Lang,
    shown: &BTreeMap<String, String>,
    order: &[String],
    text: &dyn Fn(&str, &super::model::Table) -> String,
) -> String {
    let w = words(lang);
    // The theme writes the page title as the `<h1>`.
    let mut out = format!("<p>{}</p>\n", escape_html(w.diff_intro));
    let mut any = false;
    // Tables in the order readers meet them (master index first), then those no page shows.
    let mut tables: Vec<_> = data.tables.values().filter(|t| t.envs.len() > 1).collect();
    tables.sort_by_key(|t| {
        let at = order
            .iter()
            .position(|n| *n == t.name)
            .unwrap_or(usize::MAX);
        (at, t.name.clone())
    });
    for t in tables {
        let envs: Vec<&str> = t.envs.iter().map(String::as_str).collect();
        let rows: Vec<_> = t
            .rows
            .iter()
            .filter(|r| row_differs(data, r, &envs, lang))
            .collect();
        if rows.is_empty() {
            continue;
        }
        any = true;
        let id = section_id(&t.name);
        let title = match shown.get(&t.name) {
            Some(href) => format!(
                "<a href=\"{}\">{}</a>",
                escape_html(href),
                escape_html(&t.caption)
            ),
            None => format!(
                "{} <small>({})</small>",
                escape_html(&t.caption),
                w.not_shown
            ),
        };
        let _ = write!(
            out,
            "<section class=\"env-diff\">\n<h2 id=\"{id}\">{title}</h2>\n<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"{id}\" tabindex=\"0\">\n<table>\n<thead>\n<tr><th scope=\"col\">{}</th>",
            escape_html(t.header.as_deref().unwrap_or(w.item))
        );
        for e in &envs {
            let _ = write!(
                out,
                "<th scope=\"col\">{}</th>",
                escape_html(data.env_name(e))
            );
        }
        out.push_str("</tr>\n</thead>\n<tbody>\n");
        for row in rows {
            let _ = write!(out, "<tr><th scope=\"row\">{}</th>", text(&row.label, t));
            for e in &envs {
                let html = match row.envs.get(*e) {
                    None => "-".to_string(),
                    Some(cell) => {
                        let v = resolve_value(data, &cell.value, 0).unwrap_or(Value::Empty);
                        let mut s = match &v {
                            Value::Text(s) => text(s, t),
                            v => escape_html(&format_value(v, lang).unwrap_or_default()),
                        };
                        if let Some(n) = &cell.note {
                            let _ = write!(s, " <span class=\"cell-note\">({})</span>", text(n, t));
                        }
                        s
                    }
                };
                let _ = write!(out, "<td>{html}</td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
    }
    if !any {
        let _ = writeln!(out, "<p>{}</p>", escape_html(w.diff_none));
    }
    out
}
