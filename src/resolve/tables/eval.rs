//! Looking values up: references (`cost.total.prod`), totals and subtotals, ratios. Pure; used
//! by cell references in the data, by inline values in prose and by the tables themselves, so a
//! number has one definition wherever it is shown.

use crate::diag::codes;
use crate::diag::{closest, Diagnostic};
use crate::model::data::{Data, Ref, Row, Table, Value, DATA_DIR};
use crate::model::decimal::{sum, Decimal, Unit};

/// References may point at references, up to this depth (deeper means a cycle).
const MAX_DEPTH: usize = 8;

/// What a reference names.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Value(Value),
    /// `a/b`: a ratio between two environments' values.
    Ratio(Decimal, Decimal),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RefError {
    pub message: String,
    pub help: Option<String>,
}

fn err(message: String, help: Option<String>) -> RefError {
    RefError { message, help }
}

fn suggest<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(wanted, names).map(|b| format!("did you mean `{b}`?"))
}

/// The table a name refers to, or an error with the closest name.
pub fn table<'a>(data: &'a Data, name: &str) -> Result<&'a Table, RefError> {
    data.tables.get(name).ok_or_else(|| {
        let help = suggest(name, data.tables.keys().map(String::as_str)).or_else(|| {
            Some(format!(
                "tables are the files of `{}/`: {}",
                DATA_DIR,
                data.tables.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        });
        err(
            format!(
                "no data table `{name}` (no file `{}/{name}.yaml`)",
                DATA_DIR
            ),
            help,
        )
    })
}

/// Follows references to a plain value.
pub fn resolve_value(data: &Data, value: &Value, depth: usize) -> Result<Value, RefError> {
    match value {
        Value::Ref(r) => match lookup_at(data, r, depth + 1)? {
            Lookup::Value(v) => Ok(v),
            Lookup::Ratio(..) => Err(err(
                format!("`{r}` is a ratio; a cell can only refer to a value"),
                None,
            )),
        },
        other => Ok(other.clone()),
    }
}

pub fn lookup(data: &Data, r: &Ref) -> Result<Lookup, RefError> {
    lookup_at(data, r, 0)
}

fn lookup_at(data: &Data, r: &Ref, depth: usize) -> Result<Lookup, RefError> {
    if depth > MAX_DEPTH {
        return Err(err(
            format!("references around `{r}` go in a circle"),
            Some("one of the cells must hold a value rather than a `ref:`".into()),
        ));
    }
    let t = table(data, &r.table)?;
    let fields = |t: &Table| -> Vec<String> {
        t.envs
            .iter()
            .cloned()
            .chain(t.columns.iter().map(|c| c.id.clone()))
            .collect()
    };
    if let Some((a, b)) = r.field.split_once('/') {
        for env in [a, b] {
            if !t.envs.iter().any(|e| e == env) {
                return Err(err(
                    format!("the table `{}` has no environment `{env}`", t.name),
                    suggest(env, t.envs.iter().map(String::as_str)),
                ));
            }
        }
        let number = |env: &str| -> Result<Option<Decimal>, RefError> {
            let v = if r.row == "total" {
                total(data, t, env, None, depth)?.map(|(d, _)| Value::Number(d, Unit::Plain))
            } else {
                let row = row(t, &r.row)?;
                match row.envs.get(env) {
                    Some(cell) => Some(resolve_value(data, &cell.value, depth)?),
                    None => None,
                }
            };
            Ok(match v {
                Some(Value::Number(d, _)) => Some(d),
                _ => None,
            })
        };
        return match (number(a)?, number(b)?) {
            (Some(x), Some(y)) => Ok(Lookup::Ratio(x, y)),
            _ => Err(err(
                format!("`{r}`: a ratio needs a number in both environments"),
                None,
            )),
        };
    }
    if r.row == "total" {
        if t.total.is_none() {
            return Err(err(
                format!("the table `{}` has no total", t.name),
                Some(format!(
                    "add `total: true` to `{}/{}.yaml`",
                    DATA_DIR, t.name
                )),
            ));
        }
        if !t.envs.contains(&r.field) {
            return Err(err(
                format!("the table `{}` has no environment `{}`", t.name, r.field),
                suggest(&r.field, t.envs.iter().map(String::as_str)),
            ));
        }
        return Ok(Lookup::Value(
            total(data, t, &r.field, None, depth)?
                .map_or(Value::Empty, |(d, u)| Value::Number(d, u)),
        ));
    }
    let row = row(t, &r.row)?;
    if let Some(cell) = row.envs.get(&r.field).or(row.columns.get(&r.field)) {
        return Ok(Lookup::Value(resolve_value(data, &cell.value, depth)?));
    }
    if t.columns.iter().any(|c| c.id == r.field) {
        return Ok(Lookup::Value(Value::Empty));
    }
    if t.envs.contains(&r.field) {
        return Err(err(
            format!(
                "the row `{}` of `{}` has no value for `{}`",
                row.id, t.name, r.field
            ),
            None,
        ));
    }
    let names = fields(t);
    Err(err(
        format!(
            "the table `{}` has no environment or column `{}`",
            t.name, r.field
        ),
        suggest(&r.field, names.iter().map(String::as_str)),
    ))
}

fn row<'a>(t: &'a Table, id: &str) -> Result<&'a Row, RefError> {
    t.row(id).ok_or_else(|| {
        err(
            format!("the table `{}` has no row `{id}`", t.name),
            suggest(id, t.rows.iter().map(|r| r.id.as_str()).chain(["total"]))
                .or_else(|| Some("name a row by its `id:` (or the slug of its label)".into())),
        )
    })
}

/// The sum of an environment's values (of one group, or all); `None` when nothing is a number.
pub fn total(
    data: &Data,
    t: &Table,
    env: &str,
    group: Option<&str>,
    depth: usize,
) -> Result<Option<(Decimal, Unit)>, RefError> {
    let mut unit = None;
    let mut values = Vec::new();
    for row in &t.rows {
        if group.is_some() && row.group.as_deref() != group {
            continue;
        }
        if let Some(cell) = row.envs.get(env) {
            if let Value::Number(d, u) = resolve_value(data, &cell.value, depth)? {
                unit = unit.or(Some(u));
                values.push(d);
            }
        }
    }
    Ok(unit.map(|u| (sum(values), u)))
}

/// Checks every `ref:` of the data once all tables are loaded.
pub fn check_data(data: &Data) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for t in data.tables.values() {
        let summed = t.total.is_some() || t.subtotals;
        for row in &t.rows {
            let cells = row
                .envs
                .values()
                .map(|c| (c, summed))
                .chain(row.columns.values().map(|c| (c, false)));
            for (cell, summed) in cells {
                if !matches!(cell.value, Value::Ref(_)) {
                    continue;
                }
                match resolve_value(data, &cell.value, 0) {
                    Err(e) => diags.push(
                        Diagnostic::new(codes::DATA, e.message)
                            .at(&t.file, cell.span.clone())
                            .help_opt(e.help),
                    ),
                    Ok(Value::Number(..) | Value::Empty) => {}
                    Ok(_) if summed => diags.push(
                        Diagnostic::new(
                            codes::DATA,
                            "this reference gives text, in a summed column",
                        )
                        .at(&t.file, cell.span.clone())
                        .help("refer to a number, or remove `total:` from the table"),
                    ),
                    Ok(_) => {}
                }
            }
        }
    }
    diags
}
