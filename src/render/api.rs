//! An OpenAPI spec's page body: `model::api::Api` as a view for the theme's `api.html`, with
//! every description drawn from the page's document (the same Markdown path as any page: links
//! resolved, code highlighted) and every `$ref` as a link to its schema's anchor on the right
//! page. Plain texts are escaped by the template; fields ending in `_html` are HTML already.

use super::i18n::{api_words, ApiWords};
use super::markdown::{render_markdown_part, MarkdownContext};
use crate::base::urls::relative_href;
use crate::model::api::{Api, Body, Combination, RefTarget, Schema, SchemaBody, Text};
use crate::model::document::Document;
use crate::model::{LinkTarget, Page, ResolvedLink};
use serde::Serialize;

pub const API_TEMPLATE: &str = "api.html";

#[derive(Serialize)]
struct ApiContext<'a> {
    api: ApiView<'a>,
    w: ApiWords,
    anchor_label: &'a str,
}

#[derive(Serialize)]
struct ApiView<'a> {
    title: &'a str,
    version: &'a str,
    openapi: &'a str,
    description_html: String,
    servers: Vec<ServerView<'a>>,
    /// The spec itself, published beside the page.
    download: String,
    file_name: &'a str,
    operation_count: usize,
    groups: Vec<GroupView<'a>>,
    schemas: Vec<NamedSchemaView<'a>>,
}

#[derive(Serialize)]
struct ServerView<'a> {
    url: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct GroupView<'a> {
    name: &'a str,
    id: &'a str,
    description_html: String,
    operations: Vec<OperationView<'a>>,
}

#[derive(Serialize)]
struct OperationView<'a> {
    id: &'a str,
    method: &'a str,
    /// Lower case, for the badge's class.
    method_class: String,
    path: &'a str,
    operation_id: Option<&'a str>,
    summary: &'a str,
    description_html: String,
    deprecated: bool,
    parameters: Vec<ParameterView<'a>>,
    request_body: Option<BodyView<'a>>,
    responses: Vec<ResponseView<'a>>,
    security: &'a [String],
}

#[derive(Serialize)]
struct ParameterView<'a> {
    name: &'a str,
    location: &'a str,
    required: bool,
    deprecated: bool,
    description_html: String,
    schema: Option<SchemaView<'a>>,
    reference: Option<RefView>,
}

#[derive(Serialize)]
struct BodyView<'a> {
    required: bool,
    description_html: String,
    content: Vec<MediaView<'a>>,
    reference: Option<RefView>,
}

#[derive(Serialize)]
struct MediaView<'a> {
    media_type: &'a str,
    schema: Option<SchemaView<'a>>,
    example: Option<&'a str>,
}

#[derive(Serialize)]
struct ResponseView<'a> {
    status: &'a str,
    /// `2xx`, `4xx`, `5xx`, `default`: the status' class for its colour.
    class: String,
    body: BodyView<'a>,
}

#[derive(Serialize)]
struct NamedSchemaView<'a> {
    name: &'a str,
    id: &'a str,
    schema: SchemaView<'a>,
}

#[derive(Serialize)]
struct RefView {
    name: String,
    /// `None` when the reference leads nowhere (reported at build time).
    href: Option<String>,
}

#[derive(Serialize)]
struct SchemaView<'a> {
    /// `plain`, `ref`, `object`, `array`, `combined`, `too_deep`.
    kind: &'static str,
    types: &'a str,
    format: Option<&'a str>,
    nullable: bool,
    description_html: String,
    enumeration: &'a [String],
    default: Option<&'a str>,
    example: Option<&'a str>,
    deprecated: bool,
    read_only: bool,
    write_only: bool,
    constraints: &'a [String],
    reference: Option<RefView>,
    properties: Vec<PropertyView<'a>>,
    additional: Option<Box<SchemaView<'a>>>,
    items: Option<Box<SchemaView<'a>>>,
    /// `allOf`, `oneOf`, `anyOf`: the words shown above the parts.
    combination: Option<&'static str>,
    parts: Vec<SchemaView<'a>>,
    base: Option<Box<SchemaView<'a>>>,
}

#[derive(Serialize)]
struct PropertyView<'a> {
    name: &'a str,
    required: bool,
    schema: SchemaView<'a>,
}

/// What drawing a spec's page needs from render.
pub struct ApiPage<'a> {
    pub page: &'a Page,
    /// The page's document (its descriptions' Markdown events), lent or the page's own.
    pub document: &'a Document,
    pub api: &'a Api,
    /// The page's links, resolved.
    pub links: &'a [ResolvedLink],
    pub markdown: &'a MarkdownContext<'a>,
    /// The page's URL (for the spec's href beside it).
    pub url: &'a str,
    pub lang: crate::config::Lang,
}

impl<'a> ApiPage<'a> {
    pub fn render(&self, templates: &super::Templates) -> Result<String, crate::diag::Diagnostic> {
        let w = api_words(self.lang);
        let api = self.view(&w);
        templates.render(
            API_TEMPLATE,
            &ApiContext {
                api,
                w,
                anchor_label: self.markdown.anchor_label,
            },
        )
    }

    fn view(&self, w: &ApiWords) -> ApiView<'a> {
        let api = self.api;
        ApiView {
            title: &api.title,
            version: &api.version,
            openapi: &api.openapi,
            description_html: self.html(&api.description),
            servers: api
                .servers
                .iter()
                .map(|s| ServerView {
                    url: &s.url,
                    description: &s.description,
                })
                .collect(),
            download: relative_href(self.url, &self.page.file.rel),
            file_name: self
                .page
                .file
                .rel
                .rsplit('/')
                .next()
                .unwrap_or(&self.page.file.rel),
            operation_count: api.operations.len(),
            groups: api
                .groups
                .iter()
                .map(|g| GroupView {
                    name: if g.name.is_empty() {
                        w.untagged
                    } else {
                        &g.name
                    },
                    id: &g.id,
                    description_html: self.html(&g.description),
                    operations: g
                        .operations
                        .iter()
                        .filter_map(|&i| api.operations.get(i))
                        .map(|op| OperationView {
                            id: &op.id,
                            method: &op.method,
                            method_class: op.method.to_ascii_lowercase(),
                            path: &op.path,
                            operation_id: op.operation_id.as_deref(),
                            summary: &op.summary,
                            description_html: self.html(&op.description),
                            deprecated: op.deprecated,
                            parameters: op
                                .parameters
                                .iter()
                                .map(|p| ParameterView {
                                    name: &p.name,
                                    location: &p.location,
                                    required: p.required,
                                    deprecated: p.deprecated,
                                    description_html: self.html(&p.description),
                                    schema: p.schema.as_ref().map(|s| self.schema(s)),
                                    reference: p.reference.as_ref().map(|r| self.reference(r)),
                                })
                                .collect(),
                            request_body: op.request_body.as_ref().map(|b| self.body(b)),
                            responses: op
                                .responses
                                .iter()
                                .map(|r| ResponseView {
                                    status: &r.status,
                                    class: status_class(&r.status),
                                    body: self.body(&r.body),
                                })
                                .collect(),
                            security: &op.security,
                        })
                        .collect(),
                })
                .collect(),
            schemas: api
                .schemas
                .iter()
                .map(|s| NamedSchemaView {
                    name: &s.name,
                    id: &s.id,
                    schema: self.schema(&s.schema),
                })
                .collect(),
        }
    }

    fn html(&self, text: &Option<Text>) -> String {
        match text {
            Some(t) => render_markdown_part(
                self.document,
                &self.page.text,
                t.events.start as usize..t.events.end as usize,
                self.markdown,
            ),
            None => String::new(),
        }
    }

    fn body(&self, body: &'a Body) -> BodyView<'a> {
        BodyView {
            required: body.required,
            description_html: self.html(&body.description),
            content: body
                .content
                .iter()
                .map(|m| MediaView {
                    media_type: &m.media_type,
                    schema: m.schema.as_ref().map(|s| self.schema(s)),
                    example: m.example.as_deref(),
                })
                .collect(),
            reference: body.reference.as_ref().map(|r| self.reference(r)),
        }
    }

    fn reference(&self, (target, name): &(RefTarget, String)) -> RefView {
        let href = match target {
            RefTarget::Local(id) if !id.is_empty() => Some(format!("#{id}")),
            RefTarget::Local(_) | RefTarget::Broken => None,
            RefTarget::Link(i) => self
                .links
                .get(*i as usize)
                .filter(|l| !matches!(l.target, LinkTarget::Unresolved))
                .map(|l| l.href.clone()),
        };
        RefView {
            name: name.clone(),
            href,
        }
    }

    fn schema(&self, schema: &'a Schema) -> SchemaView<'a> {
        let mut view = SchemaView {
            kind: "plain",
            types: &schema.types,
            format: schema.format.as_deref(),
            nullable: schema.nullable,
            description_html: self.html(&schema.description),
            enumeration: &schema.enumeration,
            default: schema.default.as_deref(),
            example: schema.example.as_deref(),
            deprecated: schema.deprecated,
            read_only: schema.read_only,
            write_only: schema.write_only,
            constraints: &schema.constraints,
            reference: None,
            properties: Vec::new(),
            additional: None,
            items: None,
            combination: None,
            parts: Vec::new(),
            base: None,
        };
        match &schema.body {
            SchemaBody::Plain => {}
            SchemaBody::TooDeep => view.kind = "too_deep",
            SchemaBody::Ref { target, name } => {
                view.kind = "ref";
                view.reference = Some(self.reference(&(target.clone(), name.clone())));
            }
            SchemaBody::Object {
                properties,
                additional,
            } => {
                view.kind = "object";
                view.properties = properties
                    .iter()
                    .map(|p| PropertyView {
                        name: &p.name,
                        required: p.required,
                        schema: self.schema(&p.schema),
                    })
                    .collect();
                view.additional = additional.as_ref().map(|a| Box::new(self.schema(a)));
            }
            SchemaBody::Array(items) => {
                view.kind = "array";
                view.items = Some(Box::new(self.schema(items)));
            }
            SchemaBody::Combined { how, parts, base } => {
                view.kind = "combined";
                view.combination = Some(match how {
                    Combination::AllOf => "allOf",
                    Combination::OneOf => "oneOf",
                    Combination::AnyOf => "anyOf",
                });
                view.parts = parts.iter().map(|p| self.schema(p)).collect();
                view.base = base.as_ref().map(|b| Box::new(self.schema(b)));
            }
        }
        view
    }
}

/// `200` → `2xx`; `4XX` → `4xx`; `default` stays.
fn status_class(status: &str) -> String {
    match status.chars().next() {
        Some(c @ '1'..='5') => format!("{c}xx"),
        _ => "default".into(),
    }
}

/// The title of a spec page's heading in its table of contents: the section of schemas and the
/// group of untagged operations are named when the spec is read, before the site's language is
/// known, so their titles are given here in it (the page's body names them with `ApiWords`).
pub fn toc_title<'a>(
    page: &crate::model::Page,
    heading: &'a crate::model::Heading,
    lang: crate::config::Lang,
) -> &'a str {
    let Some(api) = &page.api else {
        return &heading.text;
    };
    let w = api_words(lang);
    if heading.id == crate::model::api::SCHEMAS_ID {
        return w.schemas;
    }
    let untagged = api.groups.iter().find(|g| g.name.is_empty());
    match untagged {
        Some(group) if group.id == heading.id => w.untagged,
        _ => &heading.text,
    }
}
