//! Data tables, render's part: draws what `resolve/tables/` decided. A table is laid out by
//! the theme's `templates/table.html` (a site may override it to style its tables); an inline
//! value is a `<span class="data-value">`; the environment-diff page gets its content here.
//! Each distinct table view is drawn once, however many pages show it.

use super::templates::Templates;
use crate::base::escape_html;
use crate::diag::Diagnostic;
use crate::model::data::{DataView, DiffView, TableView};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// The theme's template of a data table.
pub const TABLE_TEMPLATE: &str = "table.html";

/// What `templates/table.html` gets.
#[derive(serde::Serialize)]
struct TableContext<'a> {
    table: &'a TableView,
}

/// The HTML of every directive of every page, and the environment-diff page.
#[derive(Debug, Default)]
pub struct Drawn {
    /// Per page, per directive in document order.
    pub pages: Vec<Vec<Arc<str>>>,
    /// The environment-diff page, when the site has one.
    pub diff: Option<DiffPage>,
}

#[derive(Debug)]
pub struct DiffPage {
    pub url: &'static str,
    pub title: &'static str,
    pub html: String,
}

/// A render-cache key that also covers the page's data HTML (which the page's text alone does
/// not determine: the YAML may change).
pub fn cache_key(key: u64, data: &[Arc<str>]) -> u64 {
    use std::hash::{Hash, Hasher};
    if data.is_empty() {
        return key;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (key, data).hash(&mut h);
    h.finish()
}

/// Draws every view of every page (each distinct table once) and the diff page.
pub fn draw(
    templates: &Templates,
    pages: &[Vec<DataView>],
    diff: Option<&DiffView>,
) -> Result<Drawn, Diagnostic> {
    // Pages of a folder share their tables' views: draw each once.
    let mut distinct: Vec<&Arc<TableView>> = Vec::new();
    let mut seen: HashMap<*const TableView, usize> = HashMap::new();
    for view in pages.iter().flatten() {
        if let DataView::Table(t) = view {
            seen.entry(Arc::as_ptr(t)).or_insert_with(|| {
                distinct.push(t);
                distinct.len() - 1
            });
        }
    }
    let tables: Vec<Arc<str>> = distinct
        .par_iter()
        .map(|table| {
            templates
                .render(TABLE_TEMPLATE, &TableContext { table })
                .map(Arc::from)
        })
        .collect::<Result<_, _>>()?;
    let empty: Arc<str> = Arc::from("");
    let pages = pages
        .iter()
        .map(|views| {
            views
                .iter()
                .map(|view| match view {
                    DataView::Table(t) => tables[seen[&Arc::as_ptr(t)]].clone(),
                    DataView::Value { reference, html } => format!(
                        "<span class=\"data-value\" data-ref=\"{}\">{html}</span>",
                        escape_html(reference)
                    )
                    .into(),
                    DataView::BrokenTable => empty.clone(),
                    DataView::BrokenValue { reference } => {
                        format!("<code>={}</code>", escape_html(reference)).into()
                    }
                })
                .collect()
        })
        .collect();
    Ok(Drawn {
        pages,
        diff: diff.map(|d| DiffPage {
            url: d.url,
            title: d.title,
            html: diff_html(d),
        }),
    })
}

/// The environment-diff page's content (the theme writes its title as the `<h1>`).
fn diff_html(d: &DiffView) -> String {
    let mut out = format!("<p>{}</p>\n", escape_html(d.intro));
    for s in &d.sections {
        let id = &s.id;
        let title = match &s.href {
            Some(href) => format!(
                "<a href=\"{}\">{}</a>",
                escape_html(href),
                escape_html(&s.caption)
            ),
            None => format!(
                "{} <small>({})</small>",
                escape_html(&s.caption),
                s.not_shown
            ),
        };
        let _ = write!(
            out,
            "<section class=\"env-diff\">\n<h2 id=\"{id}\">{title}</h2>\n<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"{id}\" tabindex=\"0\">\n<table>\n<thead>\n<tr><th scope=\"col\">{}</th>",
            escape_html(&s.header)
        );
        for e in &s.envs {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape_html(e));
        }
        out.push_str("</tr>\n</thead>\n<tbody>\n");
        for (label, cells) in &s.rows {
            let _ = write!(out, "<tr><th scope=\"row\">{label}</th>");
            for html in cells {
                let _ = write!(out, "<td>{html}</td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</div>\n</section>\n");
    }
    if d.sections.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape_html(d.none));
    }
    out
}
