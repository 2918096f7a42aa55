use super::*;
use crate::model::api::{Combination, RefTarget, SchemaBody};

fn file(rel: &str) -> SourceFile {
    SourceFile {
        rel: rel.into(),
        abs: rel.into(),
        display: rel.into(),
    }
}

fn spec(text: &str) -> (Page, Vec<Diagnostic>) {
    page(file("api/x.yaml"), text.into())
}

const PETSTORE: &str = "openapi: 3.0.3
info:
  title: Petstore
  version: 1.0.0
tags:
  - name: pets
paths:
  /pets:
    get:
      tags: [pets]
      operationId: listPets
      summary: List pets
      parameters:
        - name: limit
          in: query
          schema: {type: integer, format: int32, maximum: 100}
      responses:
        '200':
          description: A page of pets
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Pet'}
  /pets/{petId}:
    get:
      tags: [pets]
      summary: Info for a pet
      parameters:
        - $ref: '#/components/parameters/PetId'
      responses:
        default:
          $ref: '#/components/responses/Error'
components:
  parameters:
    PetId: {name: petId, in: path, required: true, schema: {type: string}}
  responses:
    Error:
      description: unexpected error
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Error'}
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, format: int64}
        name: {type: string}
        tag: {type: string}
    Error:
      type: object
      properties:
        code: {type: integer}
        message: {type: string}
";

#[test]
fn specs_are_told_by_their_top_level_openapi_version_and_parts() {
    assert!(is_spec(PETSTORE));
    assert!(is_spec(
        "\"openapi\": \"3.1.0\"\ninfo: {title: x, version: '1'}\n"
    ));
    assert!(is_spec(r#"{"openapi": "3.0.0", "info": {}, "paths": {}}"#));
    // Settings with an `openapi:` section, a nested key, a data table, a comment.
    assert!(!is_spec(
        "server:\n  port: 8080\nopenapi:\n  enabled: true\n  path: /docs\ninfo: x\n"
    ));
    assert!(!is_spec("api:\n  openapi: 3.0.0\n  info: {}\n"));
    assert!(!is_spec("# openapi: 3.0.0\ncaption: Cost\nrows: []\n"));
    assert!(!is_spec("openapi: 3.0.0\nname: only a version\n"));
    assert!(!is_spec(r#"{"config": {"openapi": "3.0.0", "info": {}}}"#));
    assert!(!is_spec(r#"{"openapi": {"enabled": true}, "paths": {}}"#));
    assert!(!is_spec("description: |\n  openapi: 3.0.0\n  info: x\n"));
    assert!(!is_spec(""));
}

#[test]
fn the_kind_claims_yaml_and_json_outside_the_data_folder() {
    assert!(OpenApi.claims("backend/api/user.yaml"));
    assert!(OpenApi.claims("a.YML"));
    assert!(OpenApi.claims("inventory.json"));
    assert!(!OpenApi.claims("data/cost.yaml"));
    assert!(!OpenApi.claims("notes.md"));
    assert_eq!(OpenApi.url("api/user.yaml"), "api/user.yaml.html");
}

#[test]
fn a_petstore_has_its_operations_by_tag_with_anchors() {
    let (page, diags) = spec(PETSTORE);
    assert!(diags.is_empty(), "{diags:?}");
    let api = page.api.as_ref().unwrap();
    assert_eq!(
        (api.title.as_str(), api.version.as_str()),
        ("Petstore", "1.0.0")
    );
    assert_eq!(api.operations.len(), 2);
    let ids: Vec<&str> = api.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["op-listPets", "op-get-pets-petid"]);
    assert_eq!(api.groups.len(), 1);
    assert_eq!(api.groups[0].name, "pets");
    // The local parameter and response references are followed.
    let second = &api.operations[1];
    assert_eq!(second.parameters[0].name, "petId");
    assert!(second.parameters[0].required);
    assert_eq!(second.responses[0].status, "default");
    assert_eq!(
        second.responses[0].body.content[0].media_type,
        "application/json"
    );
    // The anchors are headings: links may target them and search indexes them.
    let anchors: Vec<&str> = page.anchors.iter().map(String::as_str).collect();
    assert_eq!(
        anchors,
        [
            "tag-pets",
            "op-listPets",
            "op-get-pets-petid",
            "schemas",
            "schema-Pet",
            "schema-Error"
        ]
    );
    assert_eq!(page.headings[1].text, "GET /pets — List pets");
    let SchemaBody::Array(items) = &api.operations[0].responses[0].body.content[0]
        .schema
        .as_ref()
        .unwrap()
        .body
    else {
        panic!("an array")
    };
    assert_eq!(
        items.body,
        SchemaBody::Ref {
            target: RefTarget::Local("schema-Pet".into()),
            name: "Pet".into()
        }
    );
}

#[test]
fn a_reference_to_another_file_is_a_link_at_the_ref_value() {
    let text = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '404': {$ref: 'common.yaml#/components/responses/NotFound'}
        '500':
          description: x
          content:
            application/json:
              schema: {$ref: 'common.yaml#/components/schemas/Error'}
        '400':
          description: y
          content:
            application/json:
              schema: {$ref: './schemas/address.yaml'}
";
    let (page, diags) = spec(text);
    assert!(diags.is_empty(), "{diags:?}");
    let dests: Vec<(&str, &str)> = page
        .links
        .iter()
        .map(|l| (l.dest.as_str(), &page.text[l.span.clone()]))
        .collect();
    assert_eq!(
        dests,
        [
            (
                "common.yaml",
                "'common.yaml#/components/responses/NotFound'"
            ),
            (
                "common.yaml#schema-Error",
                "'common.yaml#/components/schemas/Error'"
            ),
            ("./schemas/address.yaml", "'./schemas/address.yaml'"),
        ]
    );
    assert!(page
        .links
        .iter()
        .all(|l| l.kind == crate::model::LinkKind::Ref));
}

fn line_col(text: &str, at: usize) -> (usize, usize) {
    crate::diag::line_col(text, at)
}

#[test]
fn a_broken_local_ref_is_an_error_on_its_value_with_the_closest_name() {
    let text = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      parameters:
        - $ref: '#/components/parameters/Limt'
      responses:
        '200':
          description: x
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Usr'
components:
  parameters:
    Limit: {name: limit, in: query}
  schemas:
    User: {type: object}
";
    let (_, diags) = spec(text);
    assert_eq!(diags.len(), 2, "{diags:?}");
    let param = &diags[0];
    assert_eq!(param.code, "openapi-ref");
    let span = param.span.as_ref().unwrap();
    assert_eq!(line_col(text, span.range.start), (7, 17));
    assert_eq!(
        param.help.as_deref(),
        Some("did you mean `#/components/parameters/Limit`?")
    );
    let schema = &diags[1];
    assert_eq!(
        line_col(text, schema.span.as_ref().unwrap().range.start),
        (14, 23)
    );
    assert_eq!(
        schema.help.as_deref(),
        Some("did you mean `#/components/schemas/User`?")
    );
}

#[test]
fn reference_cycles_are_reported_or_cost_nothing() {
    // Parameters referring to each other: a cycle, reported once per use.
    let text = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      parameters:
        - $ref: '#/components/parameters/A'
      responses: {}
components:
  parameters:
    A: {$ref: '#/components/parameters/B'}
    B: {$ref: '#/components/parameters/A'}
  schemas:
    Node:
      type: object
      properties:
        self: {$ref: '#/components/schemas/Node'}
        next: {$ref: '#/components/schemas/Other'}
    Other:
      allOf:
        - $ref: '#/components/schemas/Node'
";
    let (page, diags) = spec(text);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0].message.contains("circle"), "{}", diags[0].message);
    // Schemas refer to each other freely: references are links, not expansions.
    assert_eq!(page.api.as_ref().unwrap().schemas.len(), 2);
}

#[test]
fn deep_nesting_is_cut_not_a_stack_overflow() {
    let mut text = String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Deep:\n");
    let mut indent = 6;
    for _ in 0..2_000 {
        text.push_str(&format!(
            "{}type: object\n{}properties:\n{}p:\n",
            " ".repeat(indent),
            " ".repeat(indent),
            " ".repeat(indent + 2)
        ));
        indent += 4;
    }
    text.push_str(&format!("{}type: string\n", " ".repeat(indent)));
    let (page, _) = spec(&text);
    let api = page.api.unwrap();
    let mut schema = &api.schemas[0].schema;
    let mut depth = 0;
    while let SchemaBody::Object { properties, .. } = &schema.body {
        schema = &properties[0].schema;
        depth += 1;
    }
    assert_eq!(schema.body, SchemaBody::TooDeep);
    assert_eq!(depth, schema::MAX_DEPTH + 1);
}

#[test]
fn an_alias_bomb_is_a_diagnostic_not_a_hang() {
    let mut text = String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-bomb:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!(
            "  a{i}: &a{i} [{}]\n",
            [prev.as_str(); 10].join(", ")
        ));
    }
    let started = std::time::Instant::now();
    let (page, diags) = spec(&text);
    // A hang guard (a debug build on a loaded machine takes seconds; a release build ~0.1 s).
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(
        diags[0].message.contains("alias bomb"),
        "{}",
        diags[0].message
    );
    assert_eq!(page.title, "x");
}

#[test]
fn an_invalid_spec_is_a_positioned_diagnostic_and_still_a_page() {
    let cases: &[(&str, &str, (usize, usize))] = &[
        ("openapi: 3.0.3\ninfo: {title: t\npaths: {}\n", "cannot be read", (3, 6)),
        ("openapi: 3.0.3\ninfo: [a]\npaths: {}\n", "`info` is not a mapping", (2, 7)),
        ("openapi: 3.0.3\npaths: {}\n", "has no `info`", (1, 10)),
        ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: [a]\n", "`paths` is a list", (3, 8)),
        ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\n", "has no `paths`", (1, 10)),
        ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - in: query\n      responses: {}\n", "needs `name` and `in`", (7, 11)),
        ("openapi: 2.5\ninfo: {title: t, version: '1'}\npaths: {}\n", "OpenAPI 3.0 and 3.1", (1, 10)),
    ];
    for (text, message, at) in cases {
        let (page, diags) = spec(text);
        let d = diags
            .first()
            .unwrap_or_else(|| panic!("no diagnostic for {text:?}"));
        assert!(d.message.contains(message), "{text:?}: {}", d.message);
        assert_eq!(d.code, "openapi");
        assert_eq!(
            line_col(text, d.span.as_ref().unwrap().range.start),
            *at,
            "{text:?}"
        );
        assert_eq!(page.kind, PageKind::Api);
    }
    // 3.1 may have no paths (webhooks or components only).
    let (_, diags) = spec("openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents: {}\n");
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn json_specs_read_with_positions() {
    let text = "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {\"title\": \"재고\", \"version\": \"1\"},\n  \"paths\": {\"/s\": {\"get\": {\"operationId\": \"getStock\", \"responses\": {\"200\": {\"$ref\": \"#/components/responses/Nope\"}}}}}\n}\n";
    let (page, diags) = page(file("inventory.json"), text.into());
    assert_eq!(page.api.as_ref().unwrap().operations[0].id, "op-getStock");
    assert_eq!(diags.len(), 1);
    assert_eq!(
        line_col(text, diags[0].span.as_ref().unwrap().range.start).0,
        4
    );
}

#[test]
fn combinations_nullable_types_and_additional_properties_are_kept() {
    let text = "openapi: 3.1.0
info: {title: t, version: '1'}
components:
  schemas:
    Pay:
      description: one of two
      oneOf:
        - {$ref: '#/components/schemas/Card'}
        - {type: object, properties: {iban: {type: string}}}
    Card:
      type: object
      properties:
        note: {type: [string, 'null']}
        extra: {type: object, additionalProperties: {type: integer}}
";
    let (page, diags) = spec(text);
    assert!(diags.is_empty(), "{diags:?}");
    let api = page.api.unwrap();
    let SchemaBody::Combined { how, parts, .. } = &api.schemas[0].schema.body else {
        panic!("combined")
    };
    assert_eq!((*how, parts.len()), (Combination::OneOf, 2));
    let SchemaBody::Object { properties, .. } = &api.schemas[1].schema.body else {
        panic!("object")
    };
    assert_eq!(
        (
            properties[0].schema.types.as_str(),
            properties[0].schema.nullable
        ),
        ("string", true)
    );
    let SchemaBody::Object { additional, .. } = &properties[1].schema.body else {
        panic!("object")
    };
    assert_eq!(additional.as_ref().unwrap().types, "integer");
}

#[test]
fn descriptions_are_markdown_with_html_as_text_and_script_links_dropped() {
    let text = "openapi: 3.0.3
info:
  title: t
  version: '1'
  description: |
    <script>alert(1)</script>

    See [the guide](guide.md) and [bad](javascript:alert(1)), <b onclick=x>bold</b>.
paths: {}
";
    let (page, diags) = spec(text);
    assert!(diags.is_empty(), "{diags:?}");
    let dests: Vec<&str> = page.links.iter().map(|l| l.dest.as_str()).collect();
    assert_eq!(dests, ["guide.md"]);
    assert_eq!(
        &page.text[page.links[0].span.clone()],
        "[the guide](guide.md)"
    );
    let html_events = page
        .document
        .events(&page.text)
        .filter(|(e, _)| {
            matches!(
                e,
                pulldown_cmark::Event::Html(_) | pulldown_cmark::Event::InlineHtml(_)
            )
        })
        .count();
    assert_eq!(html_events, 0);
}

#[test]
fn the_page_is_described_by_the_summary_or_the_first_paragraph() {
    let (page, _) = spec("openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\n  description: |\n    회원 **가입**과 [프로필](a.md).\n    둘째 줄.\n\n    다음 문단.\npaths: {}\n");
    assert_eq!(
        page.front.description.as_deref(),
        Some("회원 가입과 프로필. 둘째 줄.")
    );
    let (page, _) = spec("openapi: 3.1.0\ninfo: {title: t, version: '1', summary: 짧은 요약, description: 긴 설명}\n");
    assert_eq!(page.front.description.as_deref(), Some("짧은 요약"));
}
