//! Data tables, validated: what `load` makes of the YAML files and every later step reads.
//! Plain data, no I/O. Every value keeps the byte range it came from, so that a later error
//! (a broken link in a cell, a reference to a missing row) still points into the YAML.

use super::compute::{Decimal, Unit};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

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
