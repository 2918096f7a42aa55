//! Reading a spec's tree (`base::yaml`'s nodes, with their byte ranges) into `model::api::Api`
//! and the page's document, in the order the page shows it: the description, then per tag its
//! operations, then the schemas. Every operation and schema is a heading of the document (its
//! anchor, what search indexes and "did you mean" names); its descriptions follow it.
//!
//! Local references of parameters, request bodies and responses are followed here (a cycle or
//! a reference to nothing is a diagnostic at its `$ref`); references to other files become
//! links that resolve checks like any other.

use crate::base::slug::{github_slug, SlugCounter};
use crate::base::yaml::{Kind, Node};
use crate::diag::{closest, codes, Diagnostic};
use crate::model::api::{
    Api, Body, Group, Media, NamedSchema, Operation, Parameter, RefTarget, Response, Server,
};
use crate::model::document::{Builder, Slot};
use crate::model::{Heading, Link, LinkKind};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};
use std::collections::HashMap;
use std::sync::Arc;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How many `$ref`s in a row are followed before calling it a cycle.
const MAX_HOPS: usize = 32;

pub struct Reader<'t, 'n> {
    pub text: &'t str,
    pub root: &'n Node,
    pub file: Arc<str>,
    pub doc: Builder<'t>,
    pub links: Vec<Link>,
    pub headings: Vec<Heading>,
    pub diags: Vec<Diagnostic>,
    pub letters: (usize, usize),
    slugs: SlugCounter,
    /// `components.schemas` names → their anchors.
    schema_ids: HashMap<String, String>,
}

impl<'t, 'n> Reader<'t, 'n> {
    pub fn new(text: &'t str, root: &'n Node, file: Arc<str>) -> Self {
        let mut slugs = SlugCounter::default();
        let mut schema_ids = HashMap::new();
        if let Some(Kind::Map(entries)) = root
            .get("components")
            .and_then(|c| c.get("schemas"))
            .map(|n| &n.kind)
        {
            for (name, _) in entries {
                if let Some(name) = name.as_str() {
                    let id = slugs.unique(format!("schema-{}", anchor_safe(name)));
                    schema_ids.insert(name.to_string(), id);
                }
            }
        }
        Reader {
            text,
            root,
            file,
            doc: Builder::new(text),
            links: Vec::new(),
            headings: Vec::new(),
            diags: Vec::new(),
            letters: (0, 0),
            slugs,
            schema_ids,
        }
    }

    pub fn read(&mut self) -> Api {
        let root = self.root;
        let mut api = Api {
            openapi: root
                .get("openapi")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            ..Default::default()
        };
        self.check_version(root.get("openapi"));
        match root.get("info") {
            Some(info) if matches!(info.kind, Kind::Map(_)) => {
                api.title = info
                    .get("title")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_string();
                api.version = info
                    .get("version")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string();
                self.words(&api.title);
                api.description = self.markdown(info.get("description"));
            }
            Some(info) => self.invalid(
                info,
                "`info` is not a mapping",
                "write `info:` with `title:` and `version:` under it",
            ),
            None => {
                let at = root.get("openapi").unwrap_or(root);
                self.invalid(
                    at,
                    "the spec has no `info`",
                    "add `info:` with the API's `title:` and `version:` (OpenAPI requires both)",
                );
            }
        }
        if let Some(Kind::Seq(servers)) = root.get("servers").map(|n| &n.kind) {
            api.servers = servers
                .iter()
                .filter_map(|s| {
                    Some(Server {
                        url: s.get("url")?.as_str()?.to_string(),
                        description: s
                            .get("description")
                            .and_then(Node::as_str)
                            .unwrap_or("")
                            .to_string(),
                    })
                })
                .collect();
        }
        self.operations(&mut api);
        self.schemas(&mut api);
        api
    }

    fn check_version(&mut self, version: Option<&Node>) {
        let Some(node) = version else { return };
        let text = node.as_str().unwrap_or("");
        if !(text.starts_with("3.0") || text.starts_with("3.1")) {
            self.invalid(node, &format!("archsite reads OpenAPI 3.0 and 3.1; this spec says `openapi: {text}`"), "write the version as text, e.g. `openapi: 3.0.3` (the page shows what archsite could read)");
        }
    }

    /// The operations of `paths`, grouped by their first tag.
    fn operations(&mut self, api: &mut Api) {
        let root = self.root;
        let paths: &[(Node, Node)] = match root.get("paths") {
            Some(Node {
                kind: Kind::Map(entries),
                ..
            }) => entries,
            Some(Node {
                kind: Kind::Null, ..
            }) => &[],
            Some(other) => {
                self.invalid(other, &format!("`paths` is {}, not a mapping of paths to operations", other.describe()), "write each path as a key under `paths:` (`/users/{id}:`) with its operations (`get:`, `post:` …) under it");
                &[]
            }
            None => {
                if api.openapi.starts_with("3.0") {
                    let at = root.get("openapi").unwrap_or(root);
                    self.invalid(at, "the spec has no `paths`", "add `paths:` with the API's operations (OpenAPI 3.0 requires it; write `paths: {}` for none)");
                }
                &[]
            }
        };
        // (path, method key, operation, the path item's parameters)
        let mut found: Vec<(&str, &Node, &Node, Option<&Node>)> = Vec::new();
        for (path, item) in paths {
            let Some(path_text) = path.as_str() else {
                continue;
            };
            let item = self.follow(item).unwrap_or(item);
            let Kind::Map(entries) = &item.kind else {
                self.invalid(
                    item,
                    &format!(
                        "path `{path_text}` is {}, not a mapping of operations",
                        item.describe()
                    ),
                    "write the operations (`get:`, `post:` …) under the path",
                );
                continue;
            };
            for (method, op) in entries {
                let Some(m) = method.as_str() else { continue };
                if !METHODS.contains(&m) {
                    continue;
                }
                if !matches!(op.kind, Kind::Map(_)) {
                    self.invalid(
                        op,
                        &format!(
                            "operation `{m} {path_text}` is {}, not a mapping",
                            op.describe()
                        ),
                        "write the operation's `summary:`, `parameters:`, `responses:` … under it",
                    );
                    continue;
                }
                found.push((path_text, method, op, item.get("parameters")));
            }
        }
        // Groups: the spec's `tags:` order, then first use; untagged last.
        let mut order: Vec<String> = Vec::new();
        let mut tag_nodes: HashMap<String, &Node> = HashMap::new();
        if let Some(Kind::Seq(tags)) = root.get("tags").map(|n| &n.kind) {
            for tag in tags {
                if let Some(name) = tag.get("name").and_then(Node::as_str) {
                    if !order.iter().any(|o| o == name) {
                        order.push(name.to_string());
                        tag_nodes.insert(name.to_string(), tag);
                    }
                }
            }
        }
        let first_tag = |op: &Node| -> String {
            match op.get("tags").map(|n| &n.kind) {
                Some(Kind::Seq(tags)) => tags
                    .first()
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
                _ => String::new(),
            }
        };
        for (_, _, op, _) in &found {
            let tag = first_tag(op);
            if !tag.is_empty() && !order.contains(&tag) {
                order.push(tag);
            }
        }
        order.push(String::new());
        for name in order {
            let members: Vec<_> = found
                .iter()
                .filter(|(_, _, op, _)| first_tag(op) == name)
                .collect();
            let tag_node = tag_nodes.get(&name).copied();
            // A tag the spec declares is shown (its description, an anchor) even without
            // operations: descriptions link to it.
            if members.is_empty() && tag_node.is_none() {
                continue;
            }
            let span = tag_node
                .or(members.first().map(|m| m.1))
                .map_or(0..0, |n| n.span.clone());
            let shown = if name.is_empty() { "default" } else { &name };
            self.words(shown);
            let id = self.slugs.unique(format!("tag-{}", github_slug(shown)));
            self.heading(2, shown, &id, span);
            let description = self.markdown(tag_node.and_then(|t| t.get("description")));
            let mut group = Group {
                name: name.clone(),
                id,
                description,
                operations: Vec::new(),
            };
            for (path, method, op, shared) in members {
                group.operations.push(api.operations.len());
                let operation = self.operation(path, method, op, *shared);
                api.operations.push(operation);
            }
            api.groups.push(group);
        }
    }

    fn operation(
        &mut self,
        path: &str,
        method: &Node,
        op: &Node,
        shared: Option<&Node>,
    ) -> Operation {
        let m = method.as_str().unwrap_or("");
        let operation_id = op
            .get("operationId")
            .and_then(Node::as_str)
            .map(str::to_string);
        let base = match &operation_id {
            Some(id) => format!("op-{}", anchor_safe(id)),
            None => format!("op-{}", method_path_slug(m, path)),
        };
        let id = self.slugs.unique(base);
        let summary = op
            .get("summary")
            .and_then(Node::as_str)
            .unwrap_or("")
            .trim()
            .to_string();
        let method_upper = m.to_ascii_uppercase();
        let title = if summary.is_empty() {
            format!("{method_upper} {path}")
        } else {
            format!("{method_upper} {path} — {summary}")
        };
        self.words(&summary);
        let span = method.span.start..op.span.end.max(method.span.end);
        self.heading(3, &title, &id, span);
        let description = self.markdown(op.get("description"));
        let parameters = self.parameters(shared, op.get("parameters"));
        let request_body = op.get("requestBody").map(|b| self.body(b, true));
        let mut responses = Vec::new();
        if let Some(Kind::Map(entries)) = op.get("responses").map(|n| &n.kind) {
            for (status, response) in entries {
                let status = status.as_str().unwrap_or("").to_string();
                responses.push(Response {
                    status,
                    body: self.body(response, false),
                });
            }
        }
        let security = op
            .get("security")
            .or_else(|| self.root.get("security"))
            .map(security_names)
            .unwrap_or_default();
        Operation {
            method: method_upper,
            path: path.to_string(),
            id,
            operation_id,
            summary,
            description,
            deprecated: matches!(
                op.get("deprecated").map(|n| &n.kind),
                Some(Kind::Bool(true))
            ),
            parameters,
            request_body,
            responses,
            security,
        }
    }

    /// The path item's parameters and the operation's (which replace those of the same name
    /// and place).
    fn parameters(&mut self, shared: Option<&Node>, own: Option<&Node>) -> Vec<Parameter> {
        let mut out: Vec<Parameter> = Vec::new();
        for list in [shared, own].into_iter().flatten() {
            let Kind::Seq(items) = &list.kind else {
                self.invalid(
                    list,
                    "`parameters` is not a list",
                    "write each parameter as a list item (`- name: id`, `in: path` …)",
                );
                continue;
            };
            for item in items {
                let Some(param) = self.parameter(item) else {
                    continue;
                };
                match out.iter_mut().find(|p| {
                    p.reference.is_none() && p.name == param.name && p.location == param.location
                }) {
                    Some(same) => *same = param,
                    None => out.push(param),
                }
            }
        }
        out
    }

    fn parameter(&mut self, item: &Node) -> Option<Parameter> {
        if let Some(reference) = self.external_ref(item) {
            return Some(Parameter {
                name: reference.1.clone(),
                reference: Some(reference),
                ..Default::default()
            });
        }
        let node = self.follow(item)?;
        let name = node.get("name").and_then(Node::as_str);
        let location = node.get("in").and_then(Node::as_str);
        let (Some(name), Some(location)) = (name, location) else {
            self.invalid(node, "a parameter needs `name` and `in`", "give the parameter its `name:` and where it goes, `in: path`, `query`, `header` or `cookie`");
            return None;
        };
        self.words(name);
        let schema = match node.get("schema") {
            Some(s) => Some(self.schema(s, 0)),
            None => self
                .media_entries(node.get("content"))
                .first()
                .and_then(|(_, m)| m.get("schema"))
                .map(|s| self.schema(s, 0)),
        };
        Some(Parameter {
            reference: None,
            name: name.to_string(),
            location: location.to_string(),
            required: matches!(
                node.get("required").map(|n| &n.kind),
                Some(Kind::Bool(true))
            ),
            deprecated: matches!(
                node.get("deprecated").map(|n| &n.kind),
                Some(Kind::Bool(true))
            ),
            description: self.markdown(node.get("description")),
            schema,
        })
    }

    /// A request body or a response.
    fn body(&mut self, item: &Node, request: bool) -> Body {
        if let Some(reference) = self.external_ref(item) {
            return Body {
                reference: Some(reference),
                ..Default::default()
            };
        }
        let Some(node) = self.follow(item) else {
            return Body::default();
        };
        let description = self.markdown(node.get("description"));
        let content = self
            .media_entries(node.get("content"))
            .into_iter()
            .map(|(media_type, media)| Media {
                media_type: media_type.to_string(),
                schema: media.get("schema").map(|s| self.schema(s, 0)),
                example: media
                    .get("example")
                    .or_else(|| match media.get("examples").map(|n| &n.kind) {
                        Some(Kind::Map(examples)) => examples
                            .first()
                            .and_then(|(_, e)| self.follow(e))
                            .and_then(|e| e.get("value")),
                        _ => None,
                    })
                    .map(super::schema::pretty_json),
            })
            .collect();
        Body {
            reference: None,
            required: request
                && matches!(
                    node.get("required").map(|n| &n.kind),
                    Some(Kind::Bool(true))
                ),
            description,
            content,
        }
    }

    fn media_entries<'a>(&self, content: Option<&'a Node>) -> Vec<(&'a str, &'a Node)> {
        match content.map(|n| &n.kind) {
            Some(Kind::Map(entries)) => entries
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?, v)))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn schemas(&mut self, api: &mut Api) {
        let root = self.root;
        let entries: &[(Node, Node)] = match root.get("components").and_then(|c| c.get("schemas")) {
            Some(Node {
                kind: Kind::Map(entries),
                ..
            }) => entries,
            _ => return,
        };
        if entries.is_empty() {
            return;
        }
        let id = self.slugs.unique(crate::model::api::SCHEMAS_ID.into());
        let span = root.get("components").map_or(0..0, |c| c.span.clone());
        self.heading(2, "Schemas", &id, span);
        for (name, node) in entries {
            let Some(name) = name.as_str() else { continue };
            let id = self.schema_ids.get(name).cloned().unwrap_or_default();
            self.words(name);
            self.heading(3, name, &id, node.span.clone());
            let schema = self.schema(node, 0);
            api.schemas.push(NamedSchema {
                name: name.to_string(),
                id,
                schema,
            });
        }
    }

    pub fn schema_id(&self, name: &str) -> Option<String> {
        self.schema_ids.get(name).cloned()
    }

    /// A heading of the document: an anchor links may target, a section search indexes.
    fn heading(&mut self, level: u8, title: &str, id: &str, span: std::ops::Range<usize>) {
        let index = self.headings.len() as u32;
        let position = self.doc.next_position();
        self.doc.slot(position, Slot::Heading(index));
        self.doc.push(Event::Start(Tag::Heading {
            level: if level == 2 {
                HeadingLevel::H2
            } else {
                HeadingLevel::H3
            },
            id: Some(CowStr::from(id.to_string())),
            classes: Vec::new(),
            attrs: Vec::new(),
        }));
        self.doc.push(Event::Text(CowStr::from(title.to_string())));
        let position = self.doc.next_position();
        self.doc.slot(position, Slot::Heading(index));
        self.doc.push(Event::End(TagEnd::Heading(if level == 2 {
            HeadingLevel::H2
        } else {
            HeadingLevel::H3
        })));
        self.headings.push(Heading {
            level,
            text: title.to_string(),
            id: id.to_string(),
            explicit: true,
            number: None,
            span,
        });
    }

    /// The node a local `$ref` leads to (through any chain of them), the node itself when it
    /// has none; `None` (reported) when it leads nowhere or in a circle.
    pub fn follow<'a>(&mut self, node: &'a Node) -> Option<&'a Node>
    where
        'n: 'a,
    {
        let mut current = node;
        for _ in 0..MAX_HOPS {
            let Some(reference) = current.get("$ref") else {
                return Some(current);
            };
            let Some(pointer) = reference.as_str().and_then(|r| r.strip_prefix('#')) else {
                // Another file's: shown as a link by the caller (`external_ref`).
                return Some(current);
            };
            match self.pointer(pointer) {
                Some(next) => current = next,
                None => {
                    self.broken_pointer(reference, pointer);
                    return None;
                }
            }
        }
        let at = current.get("$ref").unwrap_or(current);
        self.diags.push(
            Diagnostic::new(
                codes::OPENAPI_REF,
                format!("`$ref` goes round in a circle (more than {MAX_HOPS} references in a row)"),
            )
            .at(&self.file, at.span.clone())
            .label("this reference leads back to itself")
            .help(
                "point one of the references at the object itself instead of at another reference",
            ),
        );
        None
    }

    /// The node at a JSON pointer of this spec (`/components/parameters/id`).
    pub fn pointer(&self, pointer: &str) -> Option<&'n Node> {
        let mut node = self.root;
        for segment in pointer.split('/').skip(1) {
            let segment = super::schema::unescape_pointer(segment);
            node = match &node.kind {
                Kind::Map(_) => node.get(&segment)?,
                Kind::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// A `$ref` to another file, as a link resolve checks: `other.yaml#/components/schemas/X`
    /// becomes `other.yaml#schema-X` (its page's anchor), any other pointer the file itself.
    pub fn ref_link(&mut self, reference: &Node, written: &str) -> u32 {
        let (file, pointer) = written.split_once('#').unwrap_or((written, ""));
        let dest = match pointer.strip_prefix("/components/schemas/") {
            Some(name) if !name.contains('/') => {
                format!(
                    "{file}#schema-{}",
                    anchor_safe(&super::schema::unescape_pointer(name))
                )
            }
            _ => file.to_string(),
        };
        self.links.push(Link {
            kind: LinkKind::Ref,
            dest,
            span: reference.span.clone(),
        });
        self.links.len() as u32 - 1
    }

    /// An object that is a `$ref` to another file: its link and name.
    fn external_ref(&mut self, node: &Node) -> Option<(RefTarget, String)> {
        let reference = node.get("$ref")?;
        let written = reference.as_str()?;
        if written.starts_with('#') {
            return None;
        }
        let link = self.ref_link(reference, written);
        Some((RefTarget::Link(link), super::schema::ref_name(written)))
    }

    pub fn broken_schema_ref(&mut self, reference: &Node, name: &str) {
        let names = self.schema_ids.keys().map(String::as_str);
        let help = match closest(name, names) {
            Some(best) => format!("did you mean `#/components/schemas/{best}`?"),
            None if self.schema_ids.is_empty() => "the spec has no `components.schemas`: define the schema there, or point at the file that has it (`common.yaml#/components/schemas/Name`)".into(),
            None => format!("the spec's schemas are {}", self.schema_list()),
        };
        self.diags.push(
            Diagnostic::new(
                codes::OPENAPI_REF,
                format!("`$ref` to schema `{name}`, which `components.schemas` does not define"),
            )
            .at(&self.file, reference.span.clone())
            .label("no such schema")
            .help(help),
        );
    }

    fn schema_list(&self) -> String {
        let mut names: Vec<&str> = self.schema_ids.keys().map(String::as_str).collect();
        names.sort_unstable();
        let shown: Vec<String> = names.iter().take(8).map(|n| format!("`{n}`")).collect();
        let more = names.len().saturating_sub(8);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    }

    pub fn broken_pointer(&mut self, reference: &Node, pointer: &str) {
        // The deepest part that exists names what is missing and its neighbours.
        let segments: Vec<&str> = pointer.split('/').skip(1).collect();
        let mut parent = self.root;
        let mut missing = segments.first().copied().unwrap_or("");
        let mut path = String::from("#");
        for segment in &segments {
            match parent.get(&super::schema::unescape_pointer(segment)) {
                Some(next) => {
                    parent = next;
                    path.push('/');
                    path.push_str(segment);
                }
                None => {
                    missing = segment;
                    break;
                }
            }
        }
        let siblings: Vec<&str> = match &parent.kind {
            Kind::Map(entries) => entries.iter().filter_map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        };
        let help = match closest(missing, siblings.iter().copied()) {
            Some(best) => format!("did you mean `{path}/{best}`?"),
            None => format!(
                "`{path}` has no `{missing}`; point the reference at an object the spec defines"
            ),
        };
        self.diags.push(
            Diagnostic::new(
                codes::OPENAPI_REF,
                format!("`$ref` to `#{pointer}`, which the spec does not define"),
            )
            .at(&self.file, reference.span.clone())
            .label("leads nowhere")
            .help(help),
        );
    }

    pub fn invalid(&mut self, node: &Node, message: &str, help: &str) {
        self.diags.push(
            Diagnostic::new(codes::OPENAPI, message.to_string())
                .at(&self.file, node.span.clone())
                .help(help.to_string()),
        );
    }
}

/// The names of the security schemes an operation requires.
fn security_names(node: &Node) -> Vec<String> {
    let mut names = Vec::new();
    if let Kind::Seq(requirements) = &node.kind {
        for requirement in requirements {
            if let Kind::Map(entries) = &requirement.kind {
                for (name, _) in entries {
                    if let Some(n) = name.as_str() {
                        if !names.iter().any(|x| x == n) {
                            names.push(n.to_string());
                        }
                    }
                }
            }
        }
    }
    names
}

/// An id as an anchor keeps it (`getUserProfile`), with blanks made dashes.
pub fn anchor_safe(id: &str) -> String {
    id.split_whitespace().collect::<Vec<_>>().join("-")
}

/// The anchor of an operation without an `operationId`: its method and path in lower case,
/// each run of other characters one dash (`get /users/{id}` → `get-users-id`).
pub fn method_path_slug(method: &str, path: &str) -> String {
    let mut out = method.to_ascii_lowercase();
    let mut dash = true;
    for c in path.chars() {
        if c.is_alphanumeric() {
            if dash {
                out.push('-');
                dash = false;
            }
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_without_an_id_is_anchored_by_method_and_path() {
        assert_eq!(method_path_slug("get", "/users/{id}"), "get-users-id");
        assert_eq!(
            method_path_slug("POST", "/v1/orders/{orderId}/items"),
            "post-v1-orders-orderid-items"
        );
        assert_eq!(method_path_slug("get", "/"), "get");
        assert_eq!(
            method_path_slug("get", "/사용자/{아이디}"),
            "get-사용자-아이디"
        );
    }
}
