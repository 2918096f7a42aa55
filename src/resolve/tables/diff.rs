//! The generated environment-diff page: every row of every data table whose values differ
//! between environments, side by side, each table linked back to where it is shown. Pure: its
//! view (`model::data::DiffView`); `render/tables.rs` draws it.

use super::eval::resolve_value;
use super::view::{format_value, row_differs, words};
use crate::base::escape_html;
use crate::config::Lang;
use crate::model::data::{anchor_slug, Data, DiffSection, DiffView, Table, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Where the page is published.
pub const DIFF_PAGE: &str = "environment-diff.html";

/// The section id of a table on the diff page.
pub fn section_id(table: &str) -> String {
    format!("diff-{}", anchor_slug(table))
}

/// The page's view. `shown`: per table, the href (relative to the diff page) of the place it
/// is shown, if any. `text` renders a cell's inline Markdown, its links resolved from the
/// diff page.
pub fn view(
    data: &Data,
    lang: Lang,
    shown: &BTreeMap<String, String>,
    order: &[String],
    text: &dyn Fn(&str, &Table) -> String,
) -> DiffView {
    let w = words(lang);
    // Tables in the order readers meet them (master index first), then those no page shows.
    let mut tables: Vec<_> = data.tables.values().filter(|t| t.envs.len() > 1).collect();
    tables.sort_by_key(|t| {
        let at = order
            .iter()
            .position(|n| *n == t.name)
            .unwrap_or(usize::MAX);
        (at, t.name.clone())
    });
    let mut sections = Vec::new();
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
        let rows = rows
            .into_iter()
            .map(|row| {
                let cells = envs
                    .iter()
                    .map(|e| match row.envs.get(*e) {
                        None => "-".to_string(),
                        Some(cell) => {
                            let v = resolve_value(data, &cell.value, 0).unwrap_or(Value::Empty);
                            let mut s = match &v {
                                Value::Text(s) => text(s, t),
                                v => escape_html(&format_value(v, lang).unwrap_or_default()),
                            };
                            if let Some(n) = &cell.note {
                                let _ =
                                    write!(s, " <span class=\"cell-note\">({})</span>", text(n, t));
                            }
                            s
                        }
                    })
                    .collect();
                (text(&row.label, t), cells)
            })
            .collect();
        sections.push(DiffSection {
            id: section_id(&t.name),
            caption: t.caption.clone(),
            href: shown.get(&t.name).cloned(),
            not_shown: w.not_shown,
            header: t.header.clone().unwrap_or_else(|| w.item.to_string()),
            envs: envs.iter().map(|e| data.env_name(e).to_string()).collect(),
            rows,
        });
    }
    DiffView {
        url: DIFF_PAGE,
        title: w.diff_title,
        intro: w.diff_intro,
        none: w.diff_none,
        sections,
    }
}
