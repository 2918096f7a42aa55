//! YAML text → a small tree of `Node`s, each with the byte range it came from (data files,
//! table directives, OpenAPI specs; JSON too, as YAML's flow style). The only file that
//! touches the YAML parser (`saphyr-parser`, an event parser whose events carry positions).
//!
//! Why not serde_yaml, which the config uses: it reports where a *syntax* error is, but a
//! deserialized value has no position, so "row `aks` has no value for `prod`" could only point at
//! the file. The events of `saphyr-parser` carry a span each, so every node here knows its place.
//!
//! Anchors and aliases are expanded here, under a budget: an alias whose expansion would take
//! the document past `MAX_NODES` nodes (a "billion laughs" bomb) is an error, not a hang.
//! Merge keys (`<<: *base`) are applied. Duplicate keys are errors.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;
use std::ops::Range;

/// More nodes than any hand-written data file has; a bomb reaches it within microseconds.
pub const MAX_NODES: usize = 100_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// A plain scalar that reads as a number, kept as written (`99.95`, `1200`).
    Number(String),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in source order.
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// Byte range in the file.
    pub span: Range<usize>,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) | Kind::Number(s) => Some(s),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// What the node is, for messages: "a list", "text".
    pub fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Null => "empty",
            Kind::Bool(_) => "true/false",
            Kind::Number(_) => "a number",
            Kind::Str(_) => "text",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub span: Range<usize>,
    pub label: &'static str,
}

/// Parses one YAML document of at most `MAX_NODES` values. An empty file is `Null`.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    parse_limited(text, MAX_NODES)
}

/// Parses one YAML document of at most `max_nodes` values (aliases' expansions counted), for
/// files larger than data files are (an OpenAPI spec of thousands of operations).
pub fn parse_limited(text: &str, max_nodes: usize) -> Result<Node, YamlError> {
    let offsets = CharOffsets::new(text);
    let mut builder = Builder {
        offsets: &offsets,
        anchors: HashMap::new(),
        stack: Vec::new(),
        root: None,
        nodes: 0,
        max_nodes,
    };
    for item in Parser::new_from_str(text) {
        match item {
            Ok((event, span)) => builder.event(event, span)?,
            Err(e) => {
                let at = offsets.byte(e.marker().index());
                return Err(YamlError {
                    message: format!("invalid YAML: {}", e.info()),
                    span: at..at,
                    label: "here",
                });
            }
        }
    }
    Ok(builder.root.unwrap_or(Node {
        kind: Kind::Null,
        span: 0..0,
    }))
}

/// saphyr counts positions in characters; diagnostics want bytes.
struct CharOffsets {
    ascii: bool,
    bytes: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let ascii = text.is_ascii();
        let bytes = if ascii {
            Vec::new()
        } else {
            text.char_indices().map(|(b, _)| b).collect()
        };
        CharOffsets {
            ascii,
            bytes,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            char_index.min(self.len)
        } else {
            self.bytes.get(char_index).copied().unwrap_or(self.len)
        }
    }

    fn range(&self, span: &Span) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }
}

enum Open {
    Seq {
        anchor: usize,
        start: usize,
        items: Vec<Node>,
    },
    Map {
        anchor: usize,
        start: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct Builder<'a> {
    offsets: &'a CharOffsets,
    /// Anchor id → (node, its size in nodes).
    anchors: HashMap<usize, (Node, usize)>,
    stack: Vec<Open>,
    root: Option<Node>,
    nodes: usize,
    max_nodes: usize,
}

impl Builder<'_> {
    fn event(&mut self, event: Event, span: Span) -> Result<(), YamlError> {
        let range = self.offsets.range(&span);
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let tagged_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let kind = if style == ScalarStyle::Plain && !tagged_str {
                    plain_scalar(&value)
                } else {
                    Kind::Str(value.into_owned())
                };
                self.count(1, &range)?;
                let node = Node { kind, span: range };
                if anchor > 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                self.push(node)?;
            }
            Event::Alias(id) => {
                let Some((node, size)) = self.anchors.get(&id).cloned() else {
                    return Err(YamlError {
                        message: "alias to an unknown anchor".into(),
                        span: range,
                        label: "no such anchor",
                    });
                };
                if self.nodes + size > self.max_nodes {
                    return Err(YamlError {
                        message: format!(
                            "aliases expand past {} values (an alias bomb?); refusing to expand",
                            self.max_nodes
                        ),
                        span: range,
                        label: "this alias",
                    });
                }
                self.nodes += size;
                self.push(Node {
                    span: range,
                    ..node
                })?;
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq {
                anchor,
                start: range.start,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Open::Map {
                anchor,
                start: range.start,
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let end = range.end.max(range.start);
                let (anchor, node) = match self.stack.pop() {
                    Some(Open::Seq {
                        anchor,
                        start,
                        items,
                    }) => (
                        anchor,
                        Node {
                            kind: Kind::Seq(items),
                            span: start..end.max(start),
                        },
                    ),
                    Some(Open::Map {
                        anchor,
                        start,
                        entries,
                        ..
                    }) => (
                        anchor,
                        Node {
                            kind: Kind::Map(merge_keys(entries)),
                            span: start..end.max(start),
                        },
                    ),
                    None => return Ok(()),
                };
                self.count(1, &node.span)?;
                if anchor > 0 {
                    let size = size_of(&node);
                    self.anchors.insert(anchor, (node.clone(), size));
                }
                self.push(node)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn count(&mut self, n: usize, range: &Range<usize>) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > self.max_nodes {
            return Err(YamlError {
                message: format!("more than {} values in one file", self.max_nodes),
                span: range.clone(),
                label: "here",
            });
        }
        Ok(())
    }

    fn push(&mut self, node: Node) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Some(name) = k.as_str() {
                        if name != "<<" && entries.iter().any(|(e, _)| e.as_str() == Some(name)) {
                            return Err(YamlError {
                                message: format!("the key `{name}` appears twice in this mapping"),
                                span: k.span,
                                label: "duplicate key",
                            });
                        }
                    }
                    entries.push((k, node));
                }
            },
        }
        Ok(())
    }
}

/// `<<: *base` (or a list of them): the base's entries, unless the mapping has its own.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    if !entries.iter().any(|(k, _)| k.as_str() == Some("<<")) {
        return entries;
    }
    let mut own = Vec::new();
    let mut merged = Vec::new();
    for (k, v) in entries {
        if k.as_str() == Some("<<") {
            let bases = match v.kind {
                Kind::Seq(items) => items,
                _ => vec![v],
            };
            for base in bases {
                if let Kind::Map(base_entries) = base.kind {
                    merged.extend(base_entries);
                }
            }
        } else {
            own.push((k, v));
        }
    }
    for (k, v) in merged {
        let name = k.as_str().map(str::to_string);
        if !own
            .iter()
            .any(|(o, _)| o.as_str().map(str::to_string) == name)
        {
            own.push((k, v));
        }
    }
    own
}

fn size_of(node: &Node) -> usize {
    1 + match &node.kind {
        Kind::Seq(items) => items.iter().map(size_of).sum(),
        Kind::Map(entries) => entries.iter().map(|(k, v)| size_of(k) + size_of(v)).sum(),
        _ => 0,
    }
}

fn plain_scalar(value: &str) -> Kind {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => Kind::Null,
        "true" | "True" | "TRUE" => Kind::Bool(true),
        "false" | "False" | "FALSE" => Kind::Bool(false),
        v if is_number(v) => Kind::Number(v.to_string()),
        v => Kind::Str(v.to_string()),
    }
}

/// Decimal numbers as YAML's core schema reads them (no hex, no `.inf`: data tables have none).
fn is_number(v: &str) -> bool {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_their_byte_ranges_even_after_hangul() {
        let text = "이름: 값\nrows:\n  - dev: 120\n    prod: \"$1,200\"\n";
        let root = parse(text).unwrap();
        let rows = root.get("rows").unwrap();
        let Kind::Seq(items) = &rows.kind else {
            panic!()
        };
        let dev = items[0].get("dev").unwrap();
        assert_eq!(dev.kind, Kind::Number("120".into()));
        assert_eq!(&text[dev.span.clone()], "120");
        let prod = items[0].get("prod").unwrap();
        assert_eq!(prod.kind, Kind::Str("$1,200".into()));
        assert_eq!(&text[prod.span.clone()], "\"$1,200\"");
    }

    #[test]
    fn anchors_aliases_and_merge_keys_work() {
        let text = "base: &b {unit: usd, note: x}\nrow:\n  <<: *b\n  note: y\nlist: [&n 1, *n]\n";
        let root = parse(text).unwrap();
        let row = root.get("row").unwrap();
        assert_eq!(row.get("unit").unwrap().as_str(), Some("usd"));
        assert_eq!(row.get("note").unwrap().as_str(), Some("y"));
        let Kind::Seq(list) = &root.get("list").unwrap().kind else {
            panic!()
        };
        assert_eq!(list[1].kind, Kind::Number("1".into()));
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let started = std::time::Instant::now();
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn syntax_errors_and_duplicate_keys_have_positions() {
        let text = "a: [1, 2\nb: 3\n";
        let err = parse(text).unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        let text = "a: 1\na: 2\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.span, 5..6);
    }

    #[test]
    fn numbers_and_scalars() {
        assert_eq!(plain_scalar("99.95"), Kind::Number("99.95".into()));
        assert_eq!(plain_scalar("1.2.3"), Kind::Str("1.2.3".into()));
        assert_eq!(plain_scalar("~"), Kind::Null);
        assert_eq!(
            parse("'12'").unwrap().kind,
            Kind::Str("12".into()),
            "quoted numbers are text"
        );
    }
}
