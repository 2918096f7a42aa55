//! A validated projection of a table → its view: what a page shows, every text decided
//! (numbers formatted in the site's language, the derived columns computed, cells' inline
//! Markdown rendered by the page's `md`, which resolves their links). Pure. The view's layout
//! is the theme's (`templates/table.html`, drawn by `render/tables.rs`).

use super::eval::{resolve_value, total};
use crate::base::escape_html;
use crate::config::Lang;
use crate::model::columns::{CellInputs, Derived};
use crate::model::data::{
    Cell, CellView, Column, ColumnView, Data, GroupView, LinkView, Notes, Row, RowView, Table,
    TableView, Value,
};
use crate::model::decimal::{
    default_infinity, format_number, format_range, Decimal, Unit, NOT_APPLICABLE,
};
use std::fmt::Write;

/// The words tables use, per language.
pub struct Words {
    pub total: &'static str,
    pub subtotal: &'static str,
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
    /// Derived columns with their operands (environment ids), in the order they are shown.
    pub derived: Vec<(&'static Derived, Vec<String>)>,
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
pub fn row_differs(data: &Data, row: &Row, envs: &[&str], lang: Lang) -> bool {
    let mut keys = envs
        .iter()
        .map(|e| compare_key(data, row.envs.get(*e), lang));
    let Some(first) = keys.next() else {
        return false;
    };
    keys.any(|k| k != first)
}

/// A cell's class: `num` for numbers, and what else marks it (`computed`, `differs`).
fn class(numeric: bool, mark: &str) -> Option<String> {
    match (numeric, mark.is_empty()) {
        (false, true) => None,
        (true, true) => Some("num".into()),
        (false, false) => Some(mark.into()),
        (true, false) => Some(format!("num {mark}")),
    }
}

fn cell(numeric: bool, mark: &str, html: String) -> CellView {
    CellView {
        class: class(numeric, mark),
        html,
    }
}

/// The view of a projection. `md` renders inline Markdown of a cell (with links resolved for
/// the page the table is shown on) to HTML.
pub fn table(
    p: &Projection,
    data: &Data,
    lang: Lang,
    md: &mut dyn FnMut(&str, &Cell) -> String,
) -> TableView {
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
        + p.derived.len()
        + p.after.len();

    let mut columns = Vec::new();
    let column = |label: &str, numeric: bool| ColumnView {
        label: label.to_string(),
        numeric,
    };
    for c in &p.before {
        columns.push(column(&c.label, col_numeric(c)));
    }
    if notes_column {
        columns.push(column(t.note_label.as_deref().unwrap_or(w.note), false));
    }
    for (e, numeric) in p.envs.iter().zip(&env_numeric) {
        columns.push(column(data.env_name(e), *numeric));
    }
    for (d, operands) in &p.derived {
        let names: Vec<&str> = operands.iter().map(|e| data.env_name(e)).collect();
        columns.push(column(&d.header(lang, &names), true));
    }
    for c in &p.after {
        columns.push(column(&c.label, col_numeric(c)));
    }

    // Groups in order of first appearance; rows without a group form their own body.
    let mut groups: Vec<(Option<&str>, Vec<&Row>)> = Vec::new();
    for row in &t.rows {
        let g = row.group.as_deref();
        match groups.iter_mut().find(|(k, _)| *k == g) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((g, vec![row])),
        }
    }
    // Each derived column's operands' totals over the whole table (a share is of the total).
    let totals: Vec<Vec<Option<(Decimal, Unit)>>> = p
        .derived
        .iter()
        .map(|(_, operands)| {
            operands
                .iter()
                .map(|e| total(data, t, e, None, 0).ok().flatten())
                .collect()
        })
        .collect();
    let computed = |cells: &mut Vec<CellView>, get: &dyn Fn(&str) -> Option<(Decimal, Unit)>| {
        for ((d, operands), totals) in p.derived.iter().zip(&totals) {
            let values: Vec<_> = operands.iter().map(|e| get(e)).collect();
            let text = (d.cell)(&CellInputs {
                values: &values,
                totals,
                lang,
                infinity: &infinity,
            });
            cells.push(cell(true, "computed", escape_html(&text)));
        }
    };
    let sum_row = |class: &'static str, label: &str, group: Option<&str>| {
        let mut cells = Vec::new();
        for _ in 0..p.before.len() + usize::from(notes_column) {
            cells.push(cell(false, "", String::new()));
        }
        let sum = |e: &str| total(data, t, e, group, 0).ok().flatten();
        for (e, numeric) in p.envs.iter().zip(&env_numeric) {
            let text = sum(e).map_or_else(
                || NOT_APPLICABLE.to_string(),
                |(d, u)| format_number(d, u, lang),
            );
            cells.push(cell(*numeric, "", escape_html(&text)));
        }
        computed(&mut cells, &sum);
        for _ in &p.after {
            cells.push(cell(false, "", String::new()));
        }
        RowView {
            class: Some(class),
            label_html: escape_html(label),
            hidden_note: None,
            cells,
        }
    };

    let mut group_views = Vec::with_capacity(groups.len());
    for (group, rows) in &groups {
        let label_html = group.map(|g| {
            md(
                g,
                &Cell {
                    value: Value::Empty,
                    note: None,
                    span: t.span.clone(),
                },
            )
        });
        let mut row_views = Vec::with_capacity(rows.len());
        for row in rows {
            let differs = p.envs.len() > 1 && p.highlight && row_differs(data, row, &p.envs, lang);
            let label_cell = Cell {
                value: Value::Empty,
                note: None,
                span: row.span.clone(),
            };
            let label_html = md(&row.label, &label_cell);
            let mut cells = Vec::new();
            column_cells(&mut cells, data, &p.before, &col_numeric, row, lang, md);
            if notes_column {
                let note = p
                    .envs
                    .first()
                    .and_then(|e| row.envs.get(*e))
                    .and_then(|c| c.note.as_deref().map(|n| (n, c)));
                match note {
                    Some((n, c)) => cells.push(cell(false, "", md(n, c))),
                    None => cells.push(cell(false, "", String::new())),
                }
            }
            for (e, numeric) in p.envs.iter().zip(&env_numeric) {
                let html = match row.envs.get(*e) {
                    Some(c) => cell_html(data, c, lang, p.notes, md),
                    None => NOT_APPLICABLE.into(),
                };
                cells.push(cell(*numeric, if differs { "differs" } else { "" }, html));
            }
            computed(&mut cells, &|e: &str| number_of(data, row.envs.get(e)));
            column_cells(&mut cells, data, &p.after, &col_numeric, row, lang, md);
            row_views.push(RowView {
                class: differs.then_some("differs"),
                label_html,
                hidden_note: differs.then_some(w.differs),
                cells,
            });
        }
        // A one-row group's subtotal would repeat the row.
        let subtotal = match (p.subtotals, group, rows.len() > 1) {
            (true, Some(g), true) => Some(sum_row("subtotal", w.subtotal, Some(g))),
            _ => None,
        };
        group_views.push(GroupView {
            label_html,
            rows: row_views,
            subtotal,
        });
    }
    let total_row = p.total.then(|| {
        let label = t
            .total
            .as_deref()
            .filter(|l| !l.is_empty())
            .unwrap_or(w.total);
        sum_row("total", label, None)
    });
    TableView {
        anchor: p.anchor.clone(),
        name: t.name.clone(),
        caption: p.caption.clone(),
        header: t.header.clone().unwrap_or_else(|| w.item.to_string()),
        columns,
        width,
        groups: group_views,
        total: total_row,
        source: p.source_href.as_ref().map(|href| LinkView {
            href: href.clone(),
            text: format!("{}: {}.yaml", w.source, t.name),
        }),
        diff: p.diff_href.as_ref().map(|href| LinkView {
            href: href.clone(),
            text: w.diff_link.to_string(),
        }),
    }
}

/// The extra (non-environment) columns of one row, in order.
fn column_cells(
    cells: &mut Vec<CellView>,
    data: &Data,
    columns: &[&Column],
    numeric: &dyn Fn(&Column) -> bool,
    row: &Row,
    lang: Lang,
    md: &mut dyn FnMut(&str, &Cell) -> String,
) {
    for c in columns {
        let html = match row.columns.get(&c.id) {
            Some(c) => cell_html(data, c, lang, Notes::Inline, md),
            None => String::new(),
        };
        cells.push(cell(numeric(c), "", html));
    }
}
