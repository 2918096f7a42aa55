//! An OpenAPI spec as its page shows it (`kinds/openapi/` reads it, `render` draws it with the
//! theme's `api.html`). Plain data: every text a writer wrote is kept as written and escaped
//! when drawn; descriptions (Markdown) are ranges of the page's `Document`, so that render
//! draws them, search indexes them and resolve checks their links as any page's Markdown.

use super::{Page, PageId};
use std::ops::Range;

/// The anchor of a spec page's section of schemas (`#schemas`).
pub const SCHEMAS_ID: &str = "schemas";

/// A spec's page: what `info`, `servers`, `tags`, `paths` and `components.schemas` say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Api {
    /// The `openapi:` version (`3.0.3`, `3.1.0`).
    pub openapi: String,
    pub title: String,
    pub version: String,
    pub description: Option<Text>,
    pub servers: Vec<Server>,
    /// Operations grouped by their first tag, in the order of the spec's `tags:` list, then of
    /// first use; untagged operations last (a group with an empty name).
    pub groups: Vec<Group>,
    pub operations: Vec<Operation>,
    /// `components.schemas`, in the spec's order.
    pub schemas: Vec<NamedSchema>,
}

/// A description: Markdown whose events are `events` of the page's document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Text {
    pub events: Range<u32>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Server {
    pub url: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    /// The tag (empty: operations without one).
    pub name: String,
    /// Its heading id (`tag-<slug>`).
    pub id: String,
    pub description: Option<Text>,
    /// Indexes into `Api::operations`.
    pub operations: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Operation {
    /// Upper case: `GET`.
    pub method: String,
    pub path: String,
    /// Its anchor: `op-<operationId>`, else `op-<method>-<path slug>`.
    pub id: String,
    pub operation_id: Option<String>,
    pub summary: String,
    pub description: Option<Text>,
    pub deprecated: bool,
    pub parameters: Vec<Parameter>,
    pub request_body: Option<Body>,
    pub responses: Vec<Response>,
    /// Names of the security schemes it requires (`security:`, else the spec's).
    pub security: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parameter {
    /// A `$ref` to another file's parameter, shown as a link to it (then `name` is the
    /// reference's).
    pub reference: Option<(RefTarget, String)>,
    pub name: String,
    /// `path`, `query`, `header`, `cookie`.
    pub location: String,
    pub required: bool,
    pub deprecated: bool,
    pub description: Option<Text>,
    pub schema: Option<Schema>,
}

/// A request body or a response's content.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    /// A `$ref` to another file's response or request body, shown as a link to it.
    pub reference: Option<(RefTarget, String)>,
    pub required: bool,
    pub description: Option<Text>,
    pub content: Vec<Media>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Media {
    /// `application/json`.
    pub media_type: String,
    pub schema: Option<Schema>,
    /// `example:` or the first of `examples:`, as pretty JSON.
    pub example: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    /// `200`, `4XX`, `default`.
    pub status: String,
    pub body: Body,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamedSchema {
    pub name: String,
    /// Its anchor: `schema-<Name>`.
    pub id: String,
    pub schema: Schema,
}

/// A schema as a reader needs it: what it is, and its parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// `string`, `integer`, `object`, `array`, `string | null` (3.1's type lists); empty when
    /// the spec does not say.
    pub types: String,
    pub format: Option<String>,
    pub nullable: bool,
    pub description: Option<Text>,
    /// `enum:` values, as written (JSON for non-strings).
    pub enumeration: Vec<String>,
    pub default: Option<String>,
    pub example: Option<String>,
    pub deprecated: bool,
    pub read_only: bool,
    pub write_only: bool,
    /// Limits a reader checks values against: `min 1`, `max length 64`, `pattern ^[a-z]+$`.
    pub constraints: Vec<String>,
    pub body: SchemaBody,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum SchemaBody {
    #[default]
    Plain,
    /// `$ref`, and the referred schema's name.
    Ref {
        target: RefTarget,
        name: String,
    },
    Object {
        properties: Vec<Property>,
        /// `additionalProperties`: `None` when absent or `false`.
        additional: Option<Box<Schema>>,
    },
    Array(Box<Schema>),
    /// `allOf` / `oneOf` / `anyOf` with their schemas; `base` holds what the schema says
    /// beside them (properties shared by every variant).
    Combined {
        how: Combination,
        parts: Vec<Schema>,
        base: Option<Box<Schema>>,
    },
    /// Nested deeper than a page shows (`kinds::openapi` stops at a depth).
    TooDeep,
}

/// Where a `$ref` leads.
#[derive(Debug, Clone, PartialEq)]
pub enum RefTarget {
    /// A schema of this spec: its anchor (`schema-User`).
    Local(String),
    /// Another file: the page's n-th link (resolve decides its href and checks it).
    Link(u32),
    /// Nowhere (reported where the `$ref` is written).
    Broken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combination {
    AllOf,
    OneOf,
    AnyOf,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Property {
    pub name: String,
    pub required: bool,
    pub schema: Schema,
}

/// A spec's page as the home page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiSummary {
    pub page: PageId,
    pub title: String,
    pub version: String,
    pub operations: usize,
}

/// Every spec's page, in page order.
pub fn summaries(pages: &[Page]) -> Vec<ApiSummary> {
    pages
        .iter()
        .enumerate()
        .filter_map(|(page, p)| {
            let api = p.api.as_ref()?;
            Some(ApiSummary {
                page,
                title: api.title.clone(),
                version: api.version.clone(),
                operations: api.operations.len(),
            })
        })
        .collect()
}
