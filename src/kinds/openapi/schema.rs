//! A schema object as a reader needs it (`model::api::Schema`): its type, format, limits,
//! enum, example; its properties, items, `additionalProperties`, `allOf`/`oneOf`/`anyOf`. A
//! `$ref` is not expanded but linked (to `#schema-X` on this page, or through a link that
//! resolve checks, to another file), so cycles cost nothing; nesting deeper than
//! `MAX_DEPTH` is cut.

use super::read::Reader;
use crate::base::yaml::{Kind, Node};
use crate::model::api::{Combination, Property, RefTarget, Schema, SchemaBody};

/// Deeper than any hand-written schema nests inline (refs do not count).
pub const MAX_DEPTH: usize = 24;

/// Limits, by key, and how they read.
const CONSTRAINTS: &[(&str, &str)] = &[
    ("minimum", "≥"),
    ("exclusiveMinimum", ">"),
    ("maximum", "≤"),
    ("exclusiveMaximum", "<"),
    ("multipleOf", "×"),
    ("minLength", "min length"),
    ("maxLength", "max length"),
    ("pattern", "pattern"),
    ("minItems", "min items"),
    ("maxItems", "max items"),
    ("uniqueItems", "unique items"),
    ("minProperties", "min properties"),
    ("maxProperties", "max properties"),
    ("const", "="),
];

impl Reader<'_, '_> {
    pub fn schema(&mut self, node: &Node, depth: usize) -> Schema {
        let mut schema = Schema::default();
        if depth > MAX_DEPTH {
            schema.body = SchemaBody::TooDeep;
            return schema;
        }
        if !matches!(node.kind, Kind::Map(_)) {
            return schema;
        }
        schema.description = self.markdown(node.get("description"));
        if let Some(reference) = node.get("$ref") {
            schema.body = self.schema_ref(reference);
            return schema;
        }
        schema.types = types(node.get("type"));
        schema.nullable = node.get("nullable").is_some_and(is_true);
        if schema.types.split(" | ").any(|t| t == "null") {
            schema.nullable = true;
            schema.types = schema
                .types
                .split(" | ")
                .filter(|t| *t != "null")
                .collect::<Vec<_>>()
                .join(" | ");
        }
        schema.format = node
            .get("format")
            .and_then(Node::as_str)
            .map(str::to_string);
        if let Some(Kind::Seq(values)) = node.get("enum").map(|n| &n.kind) {
            // An empty text is shown as `""`, not as nothing.
            schema.enumeration = values
                .iter()
                .map(|v| match scalar_text(v) {
                    t if t.is_empty() => "\"\"".to_string(),
                    t => t,
                })
                .collect();
        }
        schema.default = node.get("default").map(scalar_text);
        schema.example = node
            .get("example")
            .or_else(|| match node.get("examples").map(|n| &n.kind) {
                Some(Kind::Seq(items)) => items.first(),
                _ => None,
            })
            .map(scalar_text);
        schema.deprecated = node.get("deprecated").is_some_and(is_true);
        schema.read_only = node.get("readOnly").is_some_and(is_true);
        schema.write_only = node.get("writeOnly").is_some_and(is_true);
        schema.constraints = CONSTRAINTS
            .iter()
            .filter_map(|(key, word)| {
                let value = node.get(key)?;
                Some(match &value.kind {
                    Kind::Bool(true) => word.to_string(),
                    Kind::Bool(false) => return None,
                    _ => format!("{word} {}", scalar_text(value)),
                })
            })
            .collect();
        schema.body = self.schema_body(node, depth, &mut schema.types);
        schema
    }

    fn schema_body(&mut self, node: &Node, depth: usize, types: &mut String) -> SchemaBody {
        for (key, how) in [
            ("allOf", Combination::AllOf),
            ("oneOf", Combination::OneOf),
            ("anyOf", Combination::AnyOf),
        ] {
            if let Some(Kind::Seq(items)) = node.get(key).map(|n| &n.kind) {
                let parts = items.iter().map(|s| self.schema(s, depth + 1)).collect();
                let base = self.object(node, depth).map(|body| {
                    Box::new(Schema {
                        types: "object".into(),
                        body,
                        ..Default::default()
                    })
                });
                return SchemaBody::Combined { how, parts, base };
            }
        }
        if let Some(items) = node.get("items") {
            if types.is_empty() {
                *types = "array".into();
            }
            return SchemaBody::Array(Box::new(self.schema(items, depth + 1)));
        }
        match self.object(node, depth) {
            Some(body) => {
                if types.is_empty() {
                    *types = "object".into();
                }
                body
            }
            None => SchemaBody::Plain,
        }
    }

    /// Properties and `additionalProperties`, when the schema has either.
    fn object(&mut self, node: &Node, depth: usize) -> Option<SchemaBody> {
        let props = match node.get("properties").map(|n| &n.kind) {
            Some(Kind::Map(entries)) => entries.as_slice(),
            _ => &[],
        };
        let additional = node.get("additionalProperties");
        let open = additional.is_some_and(|a| !matches!(a.kind, Kind::Bool(false)));
        if props.is_empty() && !open {
            return None;
        }
        let required: Vec<&str> = match node.get("required").map(|n| &n.kind) {
            Some(Kind::Seq(names)) => names.iter().filter_map(Node::as_str).collect(),
            _ => Vec::new(),
        };
        let properties = props
            .iter()
            .filter_map(|(name, schema)| {
                let name = name.as_str()?.to_string();
                self.words(&name);
                Some(Property {
                    required: required.contains(&name.as_str()),
                    schema: self.schema(schema, depth + 1),
                    name,
                })
            })
            .collect();
        let additional = additional.filter(|_| open).map(|a| {
            Box::new(match a.kind {
                // `true`: any value.
                Kind::Bool(_) => Schema::default(),
                _ => self.schema(a, depth + 1),
            })
        });
        Some(SchemaBody::Object {
            properties,
            additional,
        })
    }

    /// A schema's `$ref`: to a schema of this spec (checked here), or to another file (a link
    /// that resolve checks).
    fn schema_ref(&mut self, reference: &Node) -> SchemaBody {
        let Some(written) = reference.as_str() else {
            self.invalid(
                reference,
                "`$ref` is not text",
                "write the reference as text: `$ref: '#/components/schemas/Name'`",
            );
            return SchemaBody::Ref {
                target: RefTarget::Broken,
                name: String::new(),
            };
        };
        let name = ref_name(written);
        let target = match written.strip_prefix('#') {
            Some(pointer) => match pointer.strip_prefix("/components/schemas/") {
                Some(rest) if !rest.contains('/') => match self.schema_id(&name) {
                    Some(id) => RefTarget::Local(id),
                    None => {
                        self.broken_schema_ref(reference, &name);
                        RefTarget::Broken
                    }
                },
                _ => match self.pointer(pointer) {
                    // Into a schema (`#/components/schemas/X/properties/y`): that schema's
                    // anchor; elsewhere in the spec: shown by name.
                    Some(_) => RefTarget::Local(
                        pointer
                            .strip_prefix("/components/schemas/")
                            .and_then(|rest| rest.split('/').next())
                            .and_then(|s| self.schema_id(&unescape_pointer(s)))
                            .unwrap_or_default(),
                    ),
                    None => {
                        self.broken_pointer(reference, pointer);
                        RefTarget::Broken
                    }
                },
            },
            None => RefTarget::Link(self.ref_link(reference, written)),
        };
        SchemaBody::Ref { target, name }
    }
}

/// The name a reference shows: the last segment of its pointer, else its file's stem.
pub fn ref_name(written: &str) -> String {
    let (file, pointer) = written.split_once('#').unwrap_or((written, ""));
    match pointer.rsplit('/').next().filter(|s| !s.is_empty()) {
        Some(last) => unescape_pointer(last),
        None => {
            let stem = file.rsplit('/').next().unwrap_or(file);
            stem.split('.').next().unwrap_or(stem).to_string()
        }
    }
}

/// A JSON pointer segment as written (`~1` is `/`, `~0` is `~`, percent-escapes decoded).
pub fn unescape_pointer(segment: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
    decoded.replace("~1", "/").replace("~0", "~")
}

/// `type`: a name, or 3.1's list of names, joined with ` | `.
fn types(node: Option<&Node>) -> String {
    match node.map(|n| &n.kind) {
        Some(Kind::Seq(items)) => items
            .iter()
            .filter_map(Node::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        Some(_) => node.and_then(Node::as_str).unwrap_or("").to_string(),
        None => String::new(),
    }
}

fn is_true(node: &Node) -> bool {
    matches!(node.kind, Kind::Bool(true))
}

/// A value as a reader sees it: text as written, anything else as compact JSON.
pub fn scalar_text(node: &Node) -> String {
    match &node.kind {
        Kind::Str(s) | Kind::Number(s) => s.clone(),
        Kind::Bool(b) => b.to_string(),
        Kind::Null => "null".into(),
        Kind::Seq(_) | Kind::Map(_) => serde_json::to_string(&json(node, 0)).unwrap_or_default(),
    }
}

/// A value as pretty JSON (an example), cut beyond what a page shows.
pub fn pretty_json(node: &Node) -> String {
    let mut text = match &node.kind {
        Kind::Str(s) => s.clone(),
        _ => serde_json::to_string_pretty(&json(node, 0)).unwrap_or_default(),
    };
    const MAX: usize = 16 * 1024;
    if text.len() > MAX {
        let mut cut = MAX;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n…");
    }
    text
}

fn json(node: &Node, depth: usize) -> serde_json::Value {
    use serde_json::Value;
    if depth > 64 {
        return Value::String("…".into());
    }
    match &node.kind {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Number(n) => serde_json::from_str::<serde_json::Number>(n)
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(n.clone())),
        Kind::Str(s) => Value::String(s.clone()),
        Kind::Seq(items) => Value::Array(items.iter().map(|i| json(i, depth + 1)).collect()),
        Kind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or("").to_string(), json(v, depth + 1)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_named_by_its_last_segment_or_its_file() {
        assert_eq!(ref_name("#/components/schemas/User"), "User");
        assert_eq!(ref_name("common.yaml#/components/schemas/Error"), "Error");
        assert_eq!(ref_name("./schemas/user.yaml"), "user");
        assert_eq!(ref_name("#/components/schemas/a~1b"), "a/b");
    }
}
