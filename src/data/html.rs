//! A table projection → HTML. Pure: takes the table, the chosen environments and computed
//! columns, and a function that renders a cell's inline Markdown for the page it is shown on.
//!
//! The markup is a real `<table>`: a `<caption>`, `<th scope>` for column and row headers, one
//! `<tbody>` per group headed by a `scope="rowgroup"` cell, totals in `<tfoot>`, numeric cells
//! with class `num` (right-aligned by the theme). The table sits in a focusable scroll region so
//! that wide tables scroll sideways on a phone; the theme's script adds the copy buttons.

use super::compute::{
    default_infinity, format_difference, format_number, format_range, format_ratio, format_share,
    Decimal, Unit, NOT_APPLICABLE,
};
use super::directive::Notes;
use super::eval::{resolve_value, total};
use super::model::{Cell, Column, Data, Table, Value};
use crate::base::escape_html;
use crate::config::Lang;
use std::fmt::Write;

/// Writes the computed cells (ratio, difference, share) of a row, given its numbers per
/// environment.
type Computed<'a> = dyn Fn(&mut String, &dyn Fn(&str) -> Option<(Decimal, Unit)>) + 'a;

/// The words tables use, per language.
pub struct Words {
    pub total: &'static str,
    pub subtotal: &'static str,
    pub ratio: &'static str,
    pub difference: &'static str,
    pub share: &'static str,
    pub differs: &'static str,
    pub diff_link: &'static str,
    pub diff_title: &'static str,
    pub diff_intro: &'static str,
    pub diff_none: &'static str,
    pub source: &'static str,
    pub item: &'static str,
    pub note: &'static str,
    pub not_shown: &'static str,
}

pub fn words(lang: Lang) -> Words {
    match lang {
        Lang::Ko => Words {
            total: "합계",
            subtotal: "소계",
            ratio: "배율",
            difference: "차이",
            share: "비중",
            differs: "환경별로 다름",
            diff_link: "환경별 차이",
            diff_title: "환경별 차이",
            diff_intro: "모든 데이터 표에서 환경마다 값이 다른 항목만 모았습니다. 표 제목을 누르면 원래 표로 갑니다.",
            diff_none: "환경마다 다른 값이 없습니다.",
            source: "데이터",
            item: "항목",
            note: "비고",
            not_shown: "어느 문서에도 실리지 않은 표",
        },
        Lang::En => Words {
            total: "Total",
            subtotal: "Subtotal",
            ratio: "Ratio",
            difference: "Difference",
            share: "Share",
            differs: "differs between environments",
            diff_link: "Environment differences",
            diff_title: "Environment differences",
            diff_intro: "Every attribute, from every data table, whose value differs between environments. Each heading links to the table it comes from.",
            diff_none: "No value differs between environments.",
            source: "Data",
            item: "Item",
            note: "Note",
            not_shown: "a table no page shows",
        },
    }
}

/// What a directive asks to show of a table, validated.
pub struct Projection<'a> {
    pub table: &'a Table,
    pub envs: Vec<&'a str>,
    pub before: Vec<&'a Column>,
    pub after: Vec<&'a Column>,
    pub ratio: Option<(String, String)>,
    pub diff: Option<(String, String)>,
    pub share: Option<String>,
    pub notes: Notes,
    pub highlight: bool,
    pub caption: String,
    pub total: bool,
    pub subtotals: bool,
    pub infinity: Option<String>,
    /// The `id` of the figure.
    pub anchor: String,
    /// Link to this table's entry on the environment-diff page.
    pub diff_href: Option<String>,
    /// Link to the data file.
    pub source_href: Option<String>,
}

/// A value as text (not yet escaped); `None` for text values, which are Markdown.
pub fn format_value(value: &Value, lang: Lang) -> Option<String> {
    match value {
        Value::Empty => Some(NOT_APPLICABLE.into()),
        Value::Text(_) | Value::Ref(_) => None,
        Value::Number(d, u) => Some(format_number(*d, *u, lang)),
        Value::Range {
            min,
            max,
            below,
            unit,
        } => Some(format_range(*min, *max, *below, *unit, lang)),
    }
}

/// A cell's value with its note, as HTML.
fn cell_html(
    data: &Data,
    cell: &Cell,
    lang: Lang,
    notes: Notes,
    md: &mut dyn FnMut(&str, &Cell) -> String,
) -> String {
    let value = resolve_value(data, &cell.value, 0).unwrap_or(Value::Empty);
    let mut out = match &value {
        Value::Text(t) => md(t, cell),
        v => escape_html(&format_value(v, lang).unwrap_or_default()),
    };
    if notes == Notes::Inline {
        if let Some(note) = &cell.note {
            let _ = write!(
                out,
                " <span class=\"cell-note\">({})</span>",
                md(note, cell)
            );
        }
    }
    out
}

fn number_of(data: &Data, cell: Option<&Cell>) -> Option<(Decimal, Unit)> {
    match resolve_value(data, &cell?.value, 0).ok()? {
        Value::Number(d, u) => Some((d, u)),
        _ => None,
    }
}

fn is_numeric(data: &Data, cells: &[Option<&Cell>]) -> bool {
    let mut any = false;
    for cell in cells.iter().flatten() {
        match resolve_value(data, &cell.value, 0) {
            Ok(Value::Number(..) | Value::Range { .. }) => any = true,
            Ok(Value::Empty) => {}
            _ => return false,
        }
    }
    any
}

/// Plain text of a cell, to compare environments.
fn compare_key(data: &Data, cell: Option<&Cell>, lang: Lang) -> String {
    let Some(cell) = cell else {
        return String::new();
    };
    let v = resolve_value(data, &cell.value, 0).unwrap_or(Value::Empty);
    let mut s = match &v {
        Value::Text(t) => t.clone(),
        v => format_value(v, lang).unwrap_or_default(),
    };
    if let Some(n) = &cell.note {
        s.push_str(" | ");
        s.push_str(n);
    }
    s
}

/// Whether a row's values differ between `envs`.
pub fn row_differs(data: &Data, row: &super::model::Row, envs: &[&str], lang: Lang) -> bool {
    let mut keys = envs
        .iter()
        .map(|e| compare_key(data, row.envs.get(*e), lang));
    let Some(first) = keys.next() else {
        return false;
    };
    keys.any(|k| k != first)
}

fn td(out: &mut String, numeric: bool, class: &str, html: &str) {
    let mut classes = Vec::new();
    if numeric {
        classes.push("num");
    }
    if !class.is_empty() {
        classes.push(class);
    }
    if classes.is_empty() {
        let _ = write!(out, "<td>{html}</td>");
    } else {
        let _ = write!(out, "<td class=\"{}\">{html}</td>", classes.join(" "));
    }
}

/// Renders a projection. `md` renders inline Markdown of a cell (with links resolved for the
/// page the table is shown on) to HTML.
pub fn render(
    p: &Projection,
    data: &Data,
    lang: Lang,
    md: &mut dyn FnMut(&str, &Cell) -> String,
) -> String {
    let w = words(lang);
    let t = p.table;
    let infinity = p
        .infinity
        .clone()
        .or_else(|| data.infinity.clone())
        .unwrap_or_else(|| default_infinity(lang).to_string());
    let env_numeric: Vec<bool> = p
        .envs
        .iter()
        .map(|e| {
            let cells: Vec<_> = t.rows.iter().map(|r| r.envs.get(*e)).collect();
            is_numeric(data, &cells)
        })
        .collect();
    let col_numeric = |c: &Column| {
        let cells: Vec<_> = t.rows.iter().map(|r| r.columns.get(&c.id)).collect();
        is_numeric(data, &cells)
    };
    let notes_column = p.notes == Notes::Column;
    let width = 1
        + p.before.len()
        + usize::from(notes_column)
        + p.envs.len()
        + usize::from(p.ratio.is_some())
        + usize::from(p.diff.is_some())
        + usize::from(p.share.is_some())
        + p.after.len();

    let mut out = String::with_capacity(2048);
    let caption_id = format!("{}-caption", p.anchor);
    let _ = write!(
        out,
        "<figure class=\"data-table\" id=\"{}\" data-table=\"{}\">\n<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"{}\" tabindex=\"0\">\n<table>\n<caption id=\"{}\">{}</caption>\n<thead>\n<tr>",
        escape_html(&p.anchor),
        escape_html(&t.name),
        escape_html(&caption_id),
        escape_html(&caption_id),
        escape_html(&p.caption)
    );
    let header = t.header.as_deref().unwrap_or(w.item);
    let _ = write!(out, "<th scope=\"col\">{}</th>", escape_html(header));
    for c in &p.before {
        th_col(&mut out, &c.label, col_numeric(c));
    }
    if notes_column {
        th_col(&mut out, t.note_label.as_deref().unwrap_or(w.note), false);
    }
    for (e, numeric) in p.envs.iter().zip(&env_numeric) {
        th_col(&mut out, data.env_name(e), *numeric);
    }
    if let Some((a, b)) = &p.ratio {
        th_col(
            &mut out,
            &format!("{} ({}/{})", w.ratio, data.env_name(a), data.env_name(b)),
            true,
        );
    }
    if let Some((a, b)) = &p.diff {
        th_col(
            &mut out,
            &format!(
                "{} ({}−{})",
                w.difference,
                data.env_name(a),
                data.env_name(b)
            ),
            true,
        );
    }
    if let Some(e) = &p.share {
        th_col(
            &mut out,
            &format!("{} ({})", w.share, data.env_name(e)),
            true,
        );
    }
    for c in &p.after {
        th_col(&mut out, &c.label, col_numeric(c));
    }
    out.push_str("</tr>\n</thead>\n");

    // Groups in order of first appearance; rows without a group form their own body.
    let mut groups: Vec<(Option<&str>, Vec<&super::model::Row>)> = Vec::new();
    for row in &t.rows {
        let g = row.group.as_deref();
        match groups.iter_mut().find(|(k, _)| *k == g) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((g, vec![row])),
        }
    }
    let share_total = p
        .share
        .as_deref()
        .and_then(|e| total(data, t, e, None, 0).ok().flatten());
    let computed = |out: &mut String, get: &dyn Fn(&str) -> Option<(Decimal, Unit)>| {
        if let Some((a, b)) = &p.ratio {
            let html = match (get(a), get(b)) {
                (Some((x, _)), Some((y, _))) => format_ratio(x, y, lang, &infinity),
                _ => NOT_APPLICABLE.into(),
            };
            td(out, true, "computed", &escape_html(&html));
        }
        if let Some((a, b)) = &p.diff {
            let html = match (get(a), get(b)) {
                (Some((x, u)), Some((y, _))) => format_difference(x, y, u, lang),
                _ => NOT_APPLICABLE.into(),
            };
            td(out, true, "computed", &escape_html(&html));
        }
        if let Some(e) = &p.share {
            let html = match (get(e), share_total) {
                (Some((x, _)), Some((t, _))) => format_share(x, t),
                _ => NOT_APPLICABLE.into(),
            };
            td(out, true, "computed", &escape_html(&html));
        }
    };
    for (group, rows) in &groups {
        out.push_str("<tbody>\n");
        if let Some(g) = group {
            let _ = writeln!(
                out,
                "<tr class=\"group\"><th scope=\"rowgroup\" colspan=\"{width}\">{}</th></tr>",
                md(
                    g,
                    &Cell {
                        value: Value::Empty,
                        note: None,
                        span: t.span.clone(),
                    }
                )
            );
        }
        for row in rows {
            let differs = p.envs.len() > 1 && p.highlight && row_differs(data, row, &p.envs, lang);
            out.push_str(if differs {
                "<tr class=\"differs\">"
            } else {
                "<tr>"
            });
            let label_cell = Cell {
                value: Value::Empty,
                note: None,
                span: row.span.clone(),
            };
            let _ = write!(out, "<th scope=\"row\">{}", md(&row.label, &label_cell));
            if differs {
                let _ = write!(
                    out,
                    "<span class=\"visually-hidden\"> ({})</span>",
                    w.differs
                );
            }
            out.push_str("</th>");
            column_cells(&mut out, data, &p.before, &col_numeric, row, lang, md);
            if notes_column {
                let note = p
                    .envs
                    .first()
                    .and_then(|e| row.envs.get(*e))
                    .and_then(|c| c.note.as_deref().map(|n| (n, c)));
                match note {
                    Some((n, c)) => td(&mut out, false, "", &md(n, c)),
                    None => td(&mut out, false, "", ""),
                }
            }
            for (e, numeric) in p.envs.iter().zip(&env_numeric) {
                let html = match row.envs.get(*e) {
                    Some(cell) => cell_html(data, cell, lang, p.notes, md),
                    None => NOT_APPLICABLE.into(),
                };
                td(
                    &mut out,
                    *numeric,
                    if differs { "differs" } else { "" },
                    &html,
                );
            }
            computed(&mut out, &|e: &str| number_of(data, row.envs.get(e)));
            column_cells(&mut out, data, &p.after, &col_numeric, row, lang, md);
            out.push_str("</tr>\n");
        }
        // A one-row group's subtotal would repeat the row.
        if let (true, Some(g), true) = (p.subtotals, group, rows.len() > 1) {
            sum_row(
                &mut out,
                p,
                data,
                lang,
                "subtotal",
                w.subtotal,
                Some(g),
                &env_numeric,
                notes_column,
                &computed,
            );
        }
        out.push_str("</tbody>\n");
    }
    if p.total {
        out.push_str("<tfoot>\n");
        let label = t
            .total
            .as_deref()
            .filter(|l| !l.is_empty())
            .unwrap_or(w.total);
        sum_row(
            &mut out,
            p,
            data,
            lang,
            "total",
            label,
            None,
            &env_numeric,
            notes_column,
            &computed,
        );
        out.push_str("</tfoot>\n");
    }
    out.push_str("</table>\n</div>\n");
    if p.diff_href.is_some() || p.source_href.is_some() {
        out.push_str("<p class=\"table-actions\">");
        if let Some(href) = &p.source_href {
            let _ = write!(
                out,
                "<a class=\"table-source\" href=\"{}\">{}: {}.yaml</a>",
                escape_html(href),
                w.source,
                escape_html(&t.name)
            );
        }
        if let Some(href) = &p.diff_href {
            let _ = write!(
                out,
                " <a class=\"table-diff\" href=\"{}\">{}</a>",
                escape_html(href),
                w.diff_link
            );
        }
        out.push_str("</p>\n");
    }
    out.push_str("</figure>\n");
    out
}

fn th_col(out: &mut String, label: &str, numeric: bool) {
    let class = if numeric { " class=\"num\"" } else { "" };
    let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", escape_html(label));
}

/// The extra (non-environment) columns of one row, in order.
fn column_cells(
    out: &mut String,
    data: &Data,
    columns: &[&Column],
    numeric: &dyn Fn(&Column) -> bool,
    row: &super::model::Row,
    lang: Lang,
    md: &mut dyn FnMut(&str, &Cell) -> String,
) {
    for c in columns {
        column_cell(out, data, row.columns.get(&c.id), numeric(c), lang, md);
    }
}

fn column_cell(
    out: &mut String,
    data: &Data,
    cell: Option<&Cell>,
    numeric: bool,
    lang: Lang,
    md: &mut dyn FnMut(&str, &Cell) -> String,
) {
    let html = match cell {
        Some(c) => cell_html(data, c, lang, Notes::Inline, md),
        None => String::new(),
    };
    td(out, numeric, "", &html);
}

#[allow(clippy::too_many_arguments)]
fn sum_row(
    out: &mut String,
    p: &Projection,
    data: &Data,
    lang: Lang,
    class: &str,
    label: &str,
    group: Option<&str>,
    env_numeric: &[bool],
    notes_column: bool,
    computed: &Computed,
) {
    let t = p.table;
    let _ = write!(
        out,
        "<tr class=\"{class}\"><th scope=\"row\">{}</th>",
        escape_html(label)
    );
    for _ in 0..p.before.len() + usize::from(notes_column) {
        td(out, false, "", "");
    }
    let sum = |e: &str| total(data, t, e, group, 0).ok().flatten();
    for (e, numeric) in p.envs.iter().zip(env_numeric) {
        let html = sum(e).map_or_else(
            || NOT_APPLICABLE.to_string(),
            |(d, u)| format_number(d, u, lang),
        );
        td(out, *numeric, "", &escape_html(&html));
    }
    computed(out, &sum);
    for _ in &p.after {
        td(out, false, "", "");
    }
    out.push_str("</tr>\n");
}
