//! Parsing the data folder: every `data/**/*.yaml` file of the content folder (`load` reads
//! them). The
//! environments come from `data/environments.yaml`; every other file is one table, named by its
//! path below `data/` without the extension (`data/cost.yaml` → `cost`).
//!
//! Raw YAML nodes (with positions) are validated into `model` types here; every problem is a
//! diagnostic at the exact key or value, and loading goes on to report the next one.

use crate::base::slug::github_slug;
use crate::base::yaml::{self, Kind, Node};
use crate::diag::codes;
use crate::diag::{closest, Diagnostic};
use crate::model::data::{
    is_data_file, Cell, Column, Data, Env, Ref, Row, Table, Value, DATA_DIR, ENVIRONMENTS_FILE,
};
use crate::model::decimal::{Decimal, Unit, UNIT_NAMES};
use crate::model::SourceFile;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `data/strategies/network.yaml` → `strategies/network`.
pub fn table_name(rel: &str) -> String {
    let inner = &rel[DATA_DIR.len() + 1..];
    inner
        .strip_suffix(".yaml")
        .or_else(|| inner.strip_suffix(".yml"))
        .unwrap_or(inner)
        .to_string()
}

/// Validates the data files (content-relative path and text) into tables: pure. References
/// between values are checked once every table is known (`resolve::tables::check_data`).
pub fn parse_files(texts: &[(SourceFile, Arc<str>)]) -> (Data, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut files: Vec<(&SourceFile, Arc<str>, Node)> = Vec::new();
    for (file, text) in texts.iter().filter(|(f, _)| is_data_file(&f.rel)) {
        match yaml::parse(text) {
            Ok(node) => files.push((file, text.clone(), node)),
            Err(e) => diags.push(
                Diagnostic::new(codes::DATA, e.message)
                    .at(&file.display, e.span)
                    .label(e.label),
            ),
        }
    }
    let mut data = Data::default();
    let env_rel = format!("{DATA_DIR}/{ENVIRONMENTS_FILE}");
    for (file, _, node) in files.iter().filter(|(f, _, _)| f.rel == env_rel) {
        let mut v = Validator {
            file: &file.display,
            diags: &mut diags,
        };
        v.environments(node, &mut data);
    }
    for (file, text, node) in files.iter().filter(|(f, _, _)| f.rel != env_rel) {
        let mut v = Validator {
            file: &file.display,
            diags: &mut diags,
        };
        if let Some(table) = v.table(file, text, node, &data) {
            data.tables.insert(table.name.clone(), table);
        }
    }
    (data, diags)
}

struct Validator<'a> {
    file: &'a Arc<str>,
    diags: &'a mut Vec<Diagnostic>,
}

const ENV_FILE_KEYS: &[&str] = &["environments", "infinity"];
const ENV_KEYS: &[&str] = &["id", "name", "order"];
const TABLE_KEYS: &[&str] = &[
    "caption",
    "header",
    "envs",
    "unit",
    "total",
    "subtotals",
    "note_label",
    "columns",
    "rows",
];
const COLUMN_KEYS: &[&str] = &["id", "label", "position", "unit"];
const ROW_KEYS: &[&str] = &["id", "label", "group", "unit"];
const CELL_KEYS: &[&str] = &["value", "note", "unit", "min", "max", "below", "ref"];

impl Validator<'_> {
    fn error(&mut self, node: &Node, message: impl Into<String>) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::new(codes::DATA, message).at(self.file, node.span.clone()));
        self.diags.last_mut().expect("just pushed")
    }

    /// The entries of a mapping, reporting keys not in `known` (with a suggestion).
    fn entries<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Option<Vec<(&'n str, &'n Node)>> {
        let Kind::Map(entries) = &node.kind else {
            let d = self.error(
                node,
                format!(
                    "{what} should be a mapping (`key: value` lines), not {}",
                    node.describe()
                ),
            );
            d.label = Some("expected a mapping".into());
            return None;
        };
        let mut out = Vec::new();
        for (k, v) in entries {
            let Some(key) = k.as_str() else {
                self.error(k, format!("keys of {what} are names, not {}", k.describe()));
                continue;
            };
            // `x-…` keys hold anchors for aliases (`x-reserved: &reserved {note: Reserved}`).
            if key.starts_with("x-") && known == TABLE_KEYS {
                continue;
            }
            if !known.contains(&key) {
                let help = closest(key, known.iter().copied())
                    .map(|b| format!("did you mean `{b}`?"))
                    .unwrap_or_else(|| format!("known keys: {}", known.join(", ")));
                let d = self.error(k, format!("unknown key `{key}` in {what}"));
                d.label = Some("unknown key".into());
                d.help = Some(help);
                continue;
            }
            out.push((key, v));
        }
        Some(out)
    }

    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            Kind::Str(s) | Kind::Number(s) => Some(s.clone()),
            _ => {
                self.error(
                    node,
                    format!("{what} should be text, not {}", node.describe()),
                );
                None
            }
        }
    }

    fn unit(&mut self, node: &Node) -> Option<Unit> {
        let name = self.text(node, "`unit`")?;
        match Unit::parse(&name) {
            Some(u) => Some(u),
            None => {
                let help = closest(&name, UNIT_NAMES.iter().copied())
                    .map(|b| format!("did you mean `{b}`?"))
                    .unwrap_or_else(|| format!("units: {}", UNIT_NAMES.join(", ")));
                let d = self.error(node, format!("unknown unit `{name}`"));
                d.help = Some(help);
                None
            }
        }
    }

    fn environments(&mut self, node: &Node, data: &mut Data) {
        let Some(entries) = self.entries(node, "the environments file", ENV_FILE_KEYS) else {
            return;
        };
        for (key, value) in entries {
            if key == "infinity" {
                data.infinity = self.text(value, "`infinity`");
                continue;
            }
            let Kind::Seq(items) = &value.kind else {
                self.error(
                    value,
                    "`environments` should be a list of `- id: …` entries",
                );
                continue;
            };
            let mut envs: Vec<(f64, usize, Env)> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let Some(fields) = self.entries(item, "an environment", ENV_KEYS) else {
                    continue;
                };
                let (mut id, mut name, mut order) = (None, None, i as f64);
                for (k, v) in fields {
                    match k {
                        "id" => id = self.text(v, "`id`").map(|t| (t, v)),
                        "name" => name = self.text(v, "`name`"),
                        _ => match v.as_str().and_then(|s| s.parse::<f64>().ok()) {
                            Some(o) => order = o,
                            None => {
                                self.error(v, "`order` should be a number");
                            }
                        },
                    }
                }
                let Some((id, id_node)) = id else {
                    self.error(item, "an environment needs an `id`");
                    continue;
                };
                if envs.iter().any(|(_, _, e)| e.id == id) {
                    self.error(id_node, format!("the environment `{id}` is declared twice"));
                    continue;
                }
                let name = name.unwrap_or_else(|| id.clone());
                envs.push((order, i, Env { id, name }));
            }
            envs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            data.envs = envs.into_iter().map(|(_, _, e)| e).collect();
        }
    }

    fn table(
        &mut self,
        file: &SourceFile,
        text: &Arc<str>,
        node: &Node,
        data: &Data,
    ) -> Option<Table> {
        let name = table_name(&file.rel);
        let fields = self.entries(node, "a data table", TABLE_KEYS)?;
        let mut table = Table {
            caption: name.clone(),
            name,
            rel: file.rel.clone(),
            file: file.display.clone(),
            source: text.clone(),
            header: None,
            envs: Vec::new(),
            columns: Vec::new(),
            rows: Vec::new(),
            total: None,
            subtotals: false,
            note_label: None,
            span: node.span.clone(),
        };
        let mut unit = Unit::Plain;
        let mut declared_envs: Option<Vec<String>> = None;
        let mut rows_node = None;
        for (key, value) in &fields {
            match *key {
                "caption" => table.caption = self.text(value, "`caption`").unwrap_or_default(),
                "header" => table.header = self.text(value, "`header`"),
                "note_label" => table.note_label = self.text(value, "`note_label`"),
                "unit" => unit = self.unit(value).unwrap_or_default(),
                "total" => match &value.kind {
                    Kind::Bool(true) => table.total = Some(String::new()),
                    Kind::Bool(false) | Kind::Null => {}
                    _ => table.total = self.text(value, "`total`"),
                },
                "subtotals" => match value.kind {
                    Kind::Bool(b) => table.subtotals = b,
                    _ => {
                        self.error(value, "`subtotals` is `true` or `false`");
                    }
                },
                "envs" => declared_envs = Some(self.env_list(value, data)),
                "columns" => table.columns = self.columns(value, data),
                _ => rows_node = Some(*value),
            }
        }
        let Some(rows_node) = rows_node else {
            self.error(node, format!("the table `{}` has no `rows`", table.name))
                .help = Some("add `rows:` with one `- label: …` entry per row".into());
            return Some(table);
        };
        let Kind::Seq(items) = &rows_node.kind else {
            self.error(rows_node, "`rows` should be a list of `- label: …` entries");
            return Some(table);
        };
        let mut keys: Vec<&str> = ROW_KEYS.to_vec();
        keys.extend(data.envs.iter().map(|e| e.id.as_str()));
        let column_ids: Vec<String> = table.columns.iter().map(|c| c.id.clone()).collect();
        keys.extend(column_ids.iter().map(String::as_str));
        let mut used_envs: Vec<String> = Vec::new();
        let mut row_items = Vec::new();
        for item in items {
            if let Some(row) = self.row(item, &keys, &table, unit, data) {
                for env in row.envs.keys() {
                    if !used_envs.contains(env) {
                        used_envs.push(env.clone());
                    }
                }
                if table.rows.iter().any(|r| r.id == row.id) {
                    let at = item.get("id").or(item.get("label")).unwrap_or(item);
                    self.error(
                        at,
                        format!("two rows of this table have the id `{}`", row.id),
                    )
                    .help = Some(
                        "give one of them another `id:` (inline values name rows by id)".into(),
                    );
                    continue;
                }
                table.rows.push(row);
                row_items.push(item);
            }
        }
        table.envs = match declared_envs {
            Some(envs) => envs,
            None => {
                let mut envs = used_envs;
                envs.sort_by_key(|e| data.env_rank(e));
                envs
            }
        };
        self.complete(&table, &row_items);
        if table.total.is_some() || table.subtotals {
            self.summable(&table);
        }
        Some(table)
    }

    fn env_list(&mut self, node: &Node, data: &Data) -> Vec<String> {
        let Kind::Seq(items) = &node.kind else {
            self.error(node, "`envs` should be a list such as `[dev, prod]`");
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            let Some(id) = self.text(item, "an environment id") else {
                continue;
            };
            if data.env(&id).is_none() {
                self.unknown_env(item, &id, data);
                continue;
            }
            out.push(id);
        }
        out
    }

    fn unknown_env(&mut self, node: &Node, id: &str, data: &Data) {
        let ids = data.envs.iter().map(|e| e.id.as_str());
        let help = match closest(id, ids) {
            Some(b) => format!("did you mean `{b}`?"),
            None if data.envs.is_empty() => format!(
                "declare environments in `{DATA_DIR}/{ENVIRONMENTS_FILE}` (`environments: [{{id: dev, name: Development}}]`)"
            ),
            None => format!(
                "environments: {}",
                data.envs.iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        };
        let d = self.error(node, format!("unknown environment `{id}`"));
        d.label = Some("not declared".into());
        d.help = Some(help);
    }

    fn columns(&mut self, node: &Node, data: &Data) -> Vec<Column> {
        let Kind::Seq(items) = &node.kind else {
            self.error(node, "`columns` should be a list of `- id: …` entries");
            return Vec::new();
        };
        let mut out: Vec<Column> = Vec::new();
        for item in items {
            let Some(fields) = self.entries(item, "a column", COLUMN_KEYS) else {
                continue;
            };
            let mut col = Column {
                id: String::new(),
                label: String::new(),
                before: false,
                unit: Unit::Plain,
            };
            for (k, v) in fields {
                match k {
                    "id" => {
                        col.id = self.text(v, "`id`").unwrap_or_default();
                        let clash = ROW_KEYS.contains(&col.id.as_str())
                            || data.env(&col.id).is_some()
                            || out.iter().any(|c| c.id == col.id);
                        if clash {
                            self.error(v, format!("the column id `{}` is already a row key, an environment or another column", col.id));
                        }
                    }
                    "label" => col.label = self.text(v, "`label`").unwrap_or_default(),
                    "unit" => col.unit = self.unit(v).unwrap_or_default(),
                    _ => match v.as_str() {
                        Some("before") => col.before = true,
                        Some("after") => col.before = false,
                        _ => {
                            self.error(
                                v,
                                "`position` is `before` or `after` (the environment columns)",
                            );
                        }
                    },
                }
            }
            if col.id.is_empty() {
                self.error(item, "a column needs an `id`");
                continue;
            }
            if col.label.is_empty() {
                col.label = col.id.clone();
            }
            out.push(col);
        }
        out
    }

    fn row(
        &mut self,
        node: &Node,
        keys: &[&str],
        table: &Table,
        table_unit: Unit,
        data: &Data,
    ) -> Option<Row> {
        let fields = self.entries(node, "a row", keys)?;
        let mut row = Row {
            id: String::new(),
            label: String::new(),
            group: None,
            unit: table_unit,
            envs: BTreeMap::new(),
            columns: BTreeMap::new(),
            span: node.span.clone(),
        };
        if let Some((_, u)) = fields.iter().find(|(k, _)| *k == "unit") {
            row.unit = self.unit(u).unwrap_or(table_unit);
        }
        for (k, v) in &fields {
            match *k {
                "id" => {
                    row.id = self.text(v, "`id`").unwrap_or_default();
                    if row.id == "total" || row.id.contains('.') {
                        self.error(v, "a row id may not be `total` or contain `.`");
                    }
                }
                "label" => row.label = self.text(v, "`label`").unwrap_or_default(),
                "group" => row.group = self.text(v, "`group`"),
                "unit" => {}
                key if data.env(key).is_some() => {
                    if let Some(cell) = self.cell(v, row.unit) {
                        row.envs.insert(key.to_string(), cell);
                    }
                }
                key => {
                    let unit = table
                        .columns
                        .iter()
                        .find(|c| c.id == key)
                        .map_or(Unit::Plain, |c| c.unit);
                    if let Some(cell) = self.cell(v, unit) {
                        row.columns.insert(key.to_string(), cell);
                    }
                }
            }
        }
        if row.label.is_empty() {
            self.error(node, "a row needs a `label`").label = Some("this row".into());
            return None;
        }
        if row.id.is_empty() {
            row.id = github_slug(&row.label);
        }
        Some(row)
    }

    fn cell(&mut self, node: &Node, unit: Unit) -> Option<Cell> {
        let plain = |value| Cell {
            value,
            note: None,
            span: node.span.clone(),
        };
        match &node.kind {
            Kind::Null => Some(plain(Value::Empty)),
            Kind::Number(n) => Some(plain(self.number(node, n, unit)?)),
            Kind::Str(s) => Some(plain(Value::Text(s.clone()))),
            Kind::Bool(_) => {
                self.error(node, "true/false is not a table value").help =
                    Some("write the text you want to show in quotes, e.g. `'yes'`".into());
                None
            }
            Kind::Seq(_) => {
                self.error(node, "a cell holds one value, not a list").help =
                    Some("write the items as text: `a, b`".into());
                None
            }
            Kind::Map(_) => {
                let fields = self.entries(node, "a cell", CELL_KEYS)?;
                let mut unit = unit;
                if let Some((_, u)) = fields.iter().find(|(k, _)| *k == "unit") {
                    unit = self.unit(u).unwrap_or(unit);
                }
                let mut cell = plain(Value::Empty);
                let (mut min, mut max, mut below) = (None, None, false);
                for (k, v) in &fields {
                    match *k {
                        "note" => cell.note = self.text(v, "`note`"),
                        "value" => {
                            cell.span = v.span.clone();
                            cell.value = match &v.kind {
                                Kind::Number(n) => self.number(v, n, unit)?,
                                Kind::Str(s) => Value::Text(s.clone()),
                                Kind::Null => Value::Empty,
                                _ => {
                                    self.error(
                                        v,
                                        format!(
                                            "`value` should be a number or text, not {}",
                                            v.describe()
                                        ),
                                    );
                                    return None;
                                }
                            }
                        }
                        "ref" => {
                            cell.span = v.span.clone();
                            let text = self.text(v, "`ref`")?;
                            match Ref::parse(&text) {
                                Some(r) => cell.value = Value::Ref(r),
                                None => {
                                    self.error(v, format!("`{text}` is not a reference")).help =
                                        Some(
                                            "write `table.row.environment`, e.g. `cost.total.prod`"
                                                .into(),
                                        );
                                    return None;
                                }
                            }
                        }
                        "min" | "max" | "below" => {
                            let n = match &v.kind {
                                Kind::Number(n) => Decimal::parse(n),
                                _ => None,
                            };
                            let Some(n) = n else {
                                self.error(v, format!("`{k}` should be a number"));
                                return None;
                            };
                            match *k {
                                "min" => min = Some(n),
                                _ => {
                                    max = Some(n);
                                    below = *k == "below";
                                }
                            }
                        }
                        _ => {}
                    }
                }
                if min.is_some() || max.is_some() {
                    cell.value = Value::Range {
                        min,
                        max,
                        below,
                        unit,
                    };
                }
                Some(cell)
            }
        }
    }

    fn number(&mut self, node: &Node, text: &str, unit: Unit) -> Option<Value> {
        match Decimal::parse(text) {
            Some(d) => Some(Value::Number(d, unit)),
            None => {
                self.error(node, format!("`{text}` has too many digits"));
                None
            }
        }
    }

    /// Every row has a value for every environment of the table (`~` when not applicable).
    fn complete(&mut self, table: &Table, items: &[&Node]) {
        for (row, item) in table.rows.iter().zip(items) {
            for env in &table.envs {
                if !row.envs.contains_key(env) {
                    let at = item.get("label").unwrap_or(item);
                    self.diags.push(
                        Diagnostic::new(
                            codes::DATA,
                            format!("row `{}` has no value for `{env}`", row.id),
                        )
                        .at(self.file, at.span.clone())
                        .label(format!("no `{env}:` in this row"))
                        .help(format!(
                            "add `{env}: …` to the row (`{env}: ~` when it does not apply)"
                        )),
                    );
                }
            }
            for env in row.envs.keys() {
                if !table.envs.contains(env) {
                    let key = match &item.kind {
                        Kind::Map(entries) => entries
                            .iter()
                            .find(|(k, _)| k.as_str() == Some(env))
                            .map(|(k, _)| k.span.clone()),
                        _ => None,
                    };
                    self.diags.push(
                        Diagnostic::new(
                            codes::DATA,
                            format!(
                                "`{env}` is not one of this table's environments ({})",
                                table.envs.join(", ")
                            ),
                        )
                        .at(self.file, key.unwrap_or(row.span.clone()))
                        .help("add it to the table's `envs:`, or remove the value"),
                    );
                }
            }
        }
    }

    /// Summed tables hold numbers in one unit (references are checked once all tables exist).
    fn summable(&mut self, table: &Table) {
        let mut unit: Option<Unit> = None;
        for row in &table.rows {
            for cell in row.envs.values() {
                match &cell.value {
                    Value::Number(_, u) => {
                        if unit.is_some_and(|first| first != *u) {
                            self.diags.push(
                                Diagnostic::new(codes::DATA, "this number's unit differs from the rest of a summed table")
                                    .at(self.file, cell.span.clone())
                                    .help("a total adds numbers of one unit; give every row the table's `unit`"),
                            );
                        }
                        unit = unit.or(Some(*u));
                    }
                    Value::Empty | Value::Ref(_) => {}
                    Value::Text(t) => self.diags.push(
                        Diagnostic::new(codes::DATA, format!("text `{t}` in a summed column"))
                            .at(self.file, cell.span.clone())
                            .label("not a number")
                            .help("this table has a total: write a number (`note:` holds words, `~` means not applicable)"),
                    ),
                    Value::Range { .. } => self.diags.push(
                        Diagnostic::new(codes::DATA, "a range in a summed column")
                            .at(self.file, cell.span.clone())
                            .label("cannot be added up")
                            .help("this table has a total: write one number"),
                    ),
                }
            }
        }
    }
}
