//! Data tables, from the YAML files of `data/` to what a page shows:
//! - [`Data`]: the validated tables, as `parse/data.rs` makes them from the YAML files; every
//!   value keeps the byte range it came from, so that a later error (a broken link in a cell,
//!   a reference to a missing row) still points into the YAML;
//! - [`DataRef`]: a ```` ```table ```` directive or an inline value of a page, as
//!   `parse/table.rs` reads it;
//! - [`TableView`], [`DataView`], [`DiffView`]: what `resolve/tables/` makes of a directive
//!   (every text decided: numbers formatted, cells' Markdown rendered with their links
//!   resolved), for `render/tables.rs` and the theme's `templates/table.html` to lay out.
//!
//! Plain data, no I/O.

use super::columns::Derived;
use super::decimal::{Decimal, Unit};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// The data folder, relative to the content folder.
pub const DATA_DIR: &str = "data";
/// The file declaring the environments, in the data folder.
pub const ENVIRONMENTS_FILE: &str = "environments.yaml";

/// Is this content-relative path a data file?
pub fn is_data_file(rel: &str) -> bool {
    rel.strip_prefix(DATA_DIR)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|r| r.ends_with(".yaml") || r.ends_with(".yml"))
}

/// The info string of a table block (```` ```table ````).
pub const TABLE_FENCE: &str = "table";

/// Whether a fenced block's info string makes it a table directive.
pub fn is_table_fence(info: &str) -> bool {
    crate::base::fence::fence_language(info) == TABLE_FENCE
}

/// The reference of an inline value (`=table.row.field`), if `code` is one.
pub fn inline_ref(code: &str) -> Option<Ref> {
    Ref::parse(code.strip_prefix('=')?)
}

/// `table-cost`, `table-strategies-network`: a table's name as an id.
pub fn anchor_slug(name: &str) -> String {
    crate::base::slug::github_slug(&name.replace('/', "-"))
}

/// An environment, declared once in `data/environments.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Env {
    pub id: String,
    pub name: String,
}

/// A reference to another value: `cost.total.prod`, `sla.availability.dev`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    pub table: String,
    /// A row id, or `total`.
    pub row: String,
    /// An environment or column id, or `a/b` for a ratio between two environments.
    pub field: String,
}

impl Ref {
    /// `table.row.field`; the table name may contain `/` (a data file in a sub-folder) but
    /// not `.`.
    pub fn parse(text: &str) -> Option<Ref> {
        let mut parts = text.splitn(3, '.');
        let (table, row, field) = (parts.next()?, parts.next()?, parts.next()?);
        let ok = |s: &str| {
            !s.is_empty()
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || matches!(c, '`' | '.' | '<' | '>' | '"'))
        };
        (ok(table) && ok(row) && ok(field)).then(|| Ref {
            table: table.into(),
            row: row.into(),
            field: field.into(),
        })
    }
}

impl std::fmt::Display for Ref {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.table, self.row, self.field)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`: not applicable, shown as `-`; skipped by sums.
    Empty,
    /// Inline Markdown (links, code, emphasis); HTML in it is shown as text.
    Text(String),
    Number(Decimal, Unit),
    /// `{min: 10000, max: 100000}`, `{min: 15000}` (15,000 or more), `{below: 5}` (under 5).
    Range {
        min: Option<Decimal>,
        max: Option<Decimal>,
        below: bool,
        unit: Unit,
    },
    /// `{ref: cost.total.prod}`: the value of another cell or total, resolved when shown.
    Ref(Ref),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub value: Value,
    /// "Spot", "Reserved": shown after the value, or in a notes column.
    pub note: Option<String>,
    /// The value's byte range in the data file.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub id: String,
    pub label: String,
    /// Shown before the environment columns (default: after).
    pub before: bool,
    pub unit: Unit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    /// Inline Markdown.
    pub label: String,
    pub group: Option<String>,
    pub unit: Unit,
    /// Per environment id of the table.
    pub envs: BTreeMap<String, Cell>,
    /// Per extra column id.
    pub columns: BTreeMap<String, Cell>,
    /// The row's byte range in the data file.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The data file's path below `data/`, without extension: `cost`, `strategies/network`.
    pub name: String,
    /// Path of the data file relative to the content folder (links in cells are relative to it).
    pub rel: String,
    /// Display path, for diagnostics.
    pub file: Arc<str>,
    /// The data file's text (spans index into it).
    pub source: Arc<str>,
    pub caption: String,
    /// Header of the row-label column.
    pub header: Option<String>,
    /// Environments this table has values for, in declared order.
    pub envs: Vec<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// Label of the total row, when the environment values are summed.
    pub total: Option<String>,
    pub subtotals: bool,
    /// Header of the notes column, when notes are shown as a column.
    pub note_label: Option<String>,
    /// The whole file's range, for errors about the table as a whole.
    pub span: Range<usize>,
}

impl Table {
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.id == id)
    }
}

/// Everything under `data/`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Data {
    /// In display order.
    pub envs: Vec<Env>,
    pub tables: BTreeMap<String, Table>,
    /// Text of a ratio over a zero base; `None`: the language's default.
    pub infinity: Option<String>,
}

impl Data {
    pub fn env(&self, id: &str) -> Option<&Env> {
        self.envs.iter().find(|e| e.id == id)
    }

    pub fn env_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.env(id).map_or(id, |e| e.name.as_str())
    }

    pub fn env_rank(&self, id: &str) -> usize {
        self.envs
            .iter()
            .position(|e| e.id == id)
            .unwrap_or(usize::MAX)
    }
}

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

#[derive(Debug, Clone, Default)]
pub struct TableDirective {
    /// The opening fence line, in the page's file.
    pub span: Range<usize>,
    /// The `id` of the table on its page: `table-<name>`, `-2`, `-3` for repeats (a link
    /// target, checked like a heading's id).
    pub anchor: String,
    pub table: Option<Spanned>,
    pub envs: Option<Vec<Spanned>>,
    pub columns: Option<Vec<Spanned>>,
    /// Derived columns asked for (`ratio: prod/dev`), in the directive's order.
    pub derived: Vec<(&'static Derived, Spanned)>,
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

impl PartialEq for TableDirective {
    fn eq(&self, other: &Self) -> bool {
        let derived = |d: &TableDirective| -> Vec<(&'static str, Spanned)> {
            d.derived.iter().map(|(c, s)| (c.key, s.clone())).collect()
        };
        (
            &self.span,
            &self.anchor,
            &self.table,
            &self.envs,
            &self.columns,
            self.notes,
            self.highlight,
            &self.caption,
            self.subtotals,
            self.total,
            &self.zero,
        ) == (
            &other.span,
            &other.anchor,
            &other.table,
            &other.envs,
            &other.columns,
            other.notes,
            other.highlight,
            &other.caption,
            other.subtotals,
            other.total,
            &other.zero,
        ) && derived(self) == derived(other)
    }
}

/// What a directive of a page shows, decided by `resolve/tables/`.
#[derive(Debug, Clone, PartialEq, Hash)]
pub enum DataView {
    Table(Arc<TableView>),
    /// An inline value: its reference as written and its HTML (a formatted number, or a
    /// text's inline Markdown).
    Value {
        reference: String,
        html: String,
    },
    /// A table that cannot be shown (its errors are reported): nothing is drawn.
    BrokenTable,
    /// A value that cannot be shown (its error is reported): the code stays as written.
    BrokenValue {
        reference: String,
    },
}

/// A table as a page shows it, for `templates/table.html`. Texts are plain (the template
/// escapes them); fields ending in `html` are HTML already (cells' inline Markdown).
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct TableView {
    /// The figure's id (`table-cost`).
    pub anchor: String,
    /// The table's name (`cost`).
    pub name: String,
    pub caption: String,
    /// The header of the row-label column.
    pub header: String,
    /// The other column headers, in order.
    pub columns: Vec<ColumnView>,
    /// How many columns in all (a group's heading spans them).
    pub width: usize,
    pub groups: Vec<GroupView>,
    pub total: Option<RowView>,
    /// The data file (`데이터: cost.yaml`).
    pub source: Option<LinkView>,
    /// This table's entry on the environment-diff page.
    pub diff: Option<LinkView>,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct ColumnView {
    pub label: String,
    /// Numbers only: right-aligned by the theme.
    pub numeric: bool,
}

/// Rows of one group (or of no group), with its subtotal.
#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct GroupView {
    pub label_html: Option<String>,
    pub rows: Vec<RowView>,
    pub subtotal: Option<RowView>,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct RowView {
    /// `differs` (values differ between the environments, highlighted), `subtotal`, `total`.
    pub class: Option<&'static str>,
    pub label_html: String,
    /// Read by screen readers after the label ("differs between environments").
    pub hidden_note: Option<&'static str>,
    pub cells: Vec<CellView>,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct CellView {
    /// `num`, `num computed`, `num differs`, `differs`.
    pub class: Option<String>,
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize)]
pub struct LinkView {
    pub href: String,
    pub text: String,
}

/// The generated environment-diff page: every row whose values differ between environments.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct DiffView {
    pub url: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    /// Shown when no value differs.
    pub none: &'static str,
    pub sections: Vec<DiffSection>,
}

/// One table's differing rows.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct DiffSection {
    pub id: String,
    pub caption: String,
    /// Where the table is shown, relative to the diff page; `None`: no page shows it (then
    /// `not_shown` says so).
    pub href: Option<String>,
    pub not_shown: &'static str,
    pub header: String,
    /// The environments' names.
    pub envs: Vec<String>,
    /// Per row: its label's HTML and each environment's cell HTML.
    pub rows: Vec<(String, Vec<String>)>,
}
