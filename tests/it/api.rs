//! OpenAPI specs as API reference pages, over `tests/fixtures/api` (a design folder's
//! `backend/api/`: four OpenAPI 3.0 specs, one 3.1, one JSON, `$ref`s across files, Korean
//! descriptions, a plain config and a data table that are not specs) and hostile specs made
//! at test time. The golden output is `golden.rs`'s `api_pages_match_golden_output`.

use super::hostile::{run_json, Site};
use super::support::*;
use archsite::config::SiteArgs;
use archsite::output::OutputFile;
use archsite::pipeline::build;
use archsite::search::index::{search, Technique};
use std::collections::BTreeMap;
use std::time::Duration;

const SPECS: &[&str] = &[
    "backend/api/common.yaml",
    "backend/api/user-service-api.yaml",
    "backend/api/order-service-api.yaml",
    "backend/api/payment-service-api.yaml",
    "backend/api/notification-service-api.yaml",
    "backend/api/inventory-service-api.json",
];

/// The fixture built in memory: output path → text.
fn built_fixture() -> BTreeMap<String, String> {
    let built = build(&SiteArgs {
        path: Some(fixture("api").join("site")),
        ..Default::default()
    });
    assert!(!built.failed(), "{:#?}", built.diagnostics);
    built
        .output
        .iter()
        .map(|(path, file)| match file {
            OutputFile::Bytes(b) => (path.to_string(), String::from_utf8_lossy(b).into_owned()),
            // A published file (copied as it is).
            _ => (path.to_string(), String::new()),
        })
        .collect()
}

/// Every operation of a spec (`METHOD path`), read with serde_yaml (JSON is YAML), not with
/// archsite's reader.
fn operations_in(spec: &str) -> Vec<String> {
    let text = std::fs::read_to_string(fixture("api").join("site/content").join(spec)).unwrap();
    let value: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut ops = Vec::new();
    if let Some(paths) = value.get("paths").and_then(|p| p.as_mapping()) {
        for (path, item) in paths {
            for method in [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ] {
                if item.get(method).is_some() {
                    ops.push(format!(
                        "{} {}",
                        method.to_uppercase(),
                        path.as_str().unwrap()
                    ));
                }
            }
        }
    }
    ops.sort();
    ops
}

/// The operations an API page shows (`METHOD path` of each operation's heading).
fn operations_on(html: &str) -> Vec<String> {
    let mut ops = Vec::new();
    for section in html.split("<section class=\"api-op").skip(1) {
        let method = between(section, "\">", "</span>", "<span class=\"method");
        let path = between(section, ">", "</code>", "<code class=\"api-path\"");
        ops.push(format!("{method} {}", path.replace("&#x2F;", "/")));
    }
    ops.sort();
    ops
}

fn between<'a>(text: &'a str, open: &str, close: &str, after: &str) -> &'a str {
    let from = text.find(after).unwrap() + after.len();
    let start = from + text[from..].find(open).unwrap() + open.len();
    let end = start + text[start..].find(close).unwrap();
    &text[start..end]
}

#[test]
fn every_operation_of_each_spec_is_on_its_page() {
    let site = built_fixture();
    let mut total = 0;
    for spec in SPECS {
        let html = &site[&format!("{spec}.html")];
        let expected = operations_in(spec);
        assert_eq!(operations_on(html), expected, "{spec}");
        total += expected.len();
        // The spec itself is still published, and the page links to it.
        assert!(site.contains_key(*spec), "{spec} published");
        let name = spec.rsplit('/').next().unwrap();
        assert!(
            html.contains(&format!("href=\"{name}\" download")),
            "{spec}: download link"
        );
    }
    assert_eq!(total, 15);
}

#[test]
fn yaml_and_json_that_are_not_specs_are_not_api_pages() {
    let site = built_fixture();
    // A config with an `openapi:` section of its own and a bare schema file: source pages
    // (the kind asked after OpenAPI's), not API pages; data tables: neither.
    for rel in [
        "backend/config/app-config.yaml",
        "backend/api/schemas/address.yaml",
    ] {
        assert!(site.contains_key(rel), "{rel} published");
        let page = &site[&format!("{rel}.html")];
        assert!(
            !page.contains("class=\"api-page\""),
            "{rel} is not an API page"
        );
    }
    assert!(!site
        .keys()
        .any(|k| k.starts_with("data/") && k.ends_with(".html")));
    for spec in SPECS {
        assert!(
            site[&format!("{spec}.html")].contains("class=\"api-page\""),
            "{spec}"
        );
    }
    let overview = &site["backend/api-overview.html"];
    assert!(overview.contains("href=\"config/app-config.yaml.html\""));
    assert!(overview.contains("href=\"api/user-service-api.yaml.html#op-getUserProfile\""));
    assert!(overview.contains("href=\"api/common.yaml.html#schema-Error\""));
}

#[test]
fn references_link_to_the_schema_on_the_right_page() {
    let site = built_fixture();
    let order = &site["backend/api/order-service-api.yaml.html"];
    // Local, to another spec's schema, to a schema file, to another spec's response.
    for href in [
        "href=\"#schema-OrderRequest\"",
        "href=\"common.yaml.html#schema-Money\"",
        "href=\"common.yaml.html#schema-Error\"",
        "href=\"schemas/address.yaml.html\"",
        "href=\"common.yaml.html\"",
    ] {
        assert!(order.contains(href), "{href}");
    }
    // allOf and oneOf say so.
    assert!(order.contains("다음을 모두 만족 (allOf)"));
    assert!(order.contains("다음 중 정확히 하나 (oneOf)"));
    // common.yaml is referred to by the others: its backlinks say so.
    let common = &site["backend/api/common.yaml.html"];
    assert!(common.contains("주문 서비스 API"));
}

#[test]
fn search_finds_operations_and_schemas_at_their_anchors() {
    let args = SiteArgs {
        path: Some(fixture("api").join("site")),
        ..Default::default()
    };
    let index = archsite::pipeline::search_index(&args, Technique::StemsBigrams).unwrap();
    let first = |query: &str| {
        let hits = search(&index, query, Technique::StemsBigrams);
        let h = hits.first().unwrap_or_else(|| panic!("no hit for {query}"));
        let p = &index.pages[h.page as usize];
        format!("{}#{}", p.url, p.sections[h.sections[0].0 as usize].anchor)
    };
    assert_eq!(
        first("프로필 조회"),
        "backend/api/user-service-api.yaml.html#op-getUserProfile"
    );
    assert_eq!(
        first("/payments refund"),
        "backend/api/payment-service-api.yaml.html#op-post-payments-paymentid-refund"
    );
    assert_eq!(
        first("BankTransfer"),
        "backend/api/order-service-api.yaml.html#schema-BankTransfer"
    );
    assert_eq!(
        first("탈퇴한 사용자"),
        "backend/api/user-service-api.yaml.html#op-getUserProfile"
    );
}

/// The fixture in a temporary folder, with `content/REL` added.
fn fixture_with(files: &[(&str, &str)]) -> Site {
    let site = Site::new();
    copy_dir(&fixture("api").join("site/content"), &site.content());
    for (rel, text) in files {
        site.file(rel, text);
    }
    site
}

#[test]
fn links_to_operation_anchors_are_checked_with_did_you_mean() {
    let site = fixture_with(&[(
        "links.md",
        "# 링크\n\n[좋음](backend/api/order-service-api.yaml#op-createOrder)\n[틀림](backend/api/order-service-api.yaml#op-createOrdr)\n",
    )]);
    let run = run_json(site.root(), &["check"], Duration::from_secs(60));
    let broken = run.with_code("broken-anchor");
    assert_eq!(broken.len(), 1, "{:#?}", run.diags);
    let d = broken[0];
    assert_eq!(d["file"], "content/links.md");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(6))
    );
    assert_eq!(
        d["help"]
            .as_str()
            .unwrap()
            .split(" (heading")
            .next()
            .unwrap(),
        "did you mean `#op-createOrder`"
    );
}

#[test]
fn a_broken_ref_to_another_file_is_an_error_at_its_value() {
    let spec = "openapi: 3.0.3
info: {title: 깨진 참조, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: x
          content:
            application/json:
              schema:
                $ref: 'common.yaml#/components/schemas/Eror'
        '404':
          $ref: 'missing.yaml#/components/responses/NotFound'
";
    let site = fixture_with(&[("backend/api/broken-api.yaml", spec)]);
    let run = run_json(site.root(), &["check"], Duration::from_secs(60));
    let refs = run.with_code("openapi-ref");
    assert_eq!(refs.len(), 2, "{:#?}", run.diags);
    let at = |d: &serde_json::Value| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap());
    assert_eq!(at(refs[0]), (12, 23));
    assert_eq!(
        refs[0]["message"],
        "`$ref` to schema `Eror`, which `backend/api/common.yaml` does not define"
    );
    assert_eq!(
        refs[0]["help"],
        "did you mean `common.yaml#/components/schemas/Error`?"
    );
    assert_eq!(at(refs[1]), (14, 17));
    assert!(
        refs[1]["message"]
            .as_str()
            .unwrap()
            .contains("missing.yaml"),
        "{}",
        refs[1]
    );
    assert_eq!(run.code, Some(1));
}

#[test]
fn an_invalid_spec_is_a_diagnostic_and_the_others_still_check() {
    let site = fixture_with(&[
        (
            "backend/api/syntax-api.yaml",
            "openapi: 3.0.3\ninfo:\n  title: [unclosed\npaths: {}\n",
        ),
        (
            "backend/api/typed-api.yaml",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: [oops]\n",
        ),
    ]);
    let run = run_json(site.root(), &["check"], Duration::from_secs(60));
    let found = run.with_code("openapi");
    assert_eq!(found.len(), 2, "{:#?}", run.diags);
    let files: Vec<&str> = found.iter().map(|d| d["file"].as_str().unwrap()).collect();
    assert_eq!(
        files,
        [
            "content/backend/api/syntax-api.yaml",
            "content/backend/api/typed-api.yaml"
        ]
    );
    assert_eq!(found[1]["line"], 3);
    assert_eq!(found[1]["column"], 8);
    let errors = run
        .diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .count();
    assert_eq!(errors, 2, "no other error: {:#?}", run.diags);
}

#[test]
fn html_and_script_in_every_text_field_are_escaped() {
    let x = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let spec = format!(
        "openapi: 3.0.3
info:
  title: '{x}'
  version: '{x}'
  description: '{x} [a](javascript:alert(3))'
servers:
  - url: '{x}'
    description: '{x}'
tags:
  - name: '{x}'
    description: '{x}'
paths:
  '/a/{x}':
    get:
      tags: ['{x}']
      operationId: '{x}'
      summary: '{x}'
      description: '{x}'
      security: [{{'{x}': []}}]
      parameters:
        - name: '{x}'
          in: query
          description: '{x}'
          schema: {{type: '{x}', format: '{x}', enum: ['{x}'], default: '{x}', example: '{x}', pattern: '{x}'}}
      responses:
        '{x}':
          description: '{x}'
          content:
            '{x}':
              schema: {{$ref: '#/components/schemas/X'}}
              example: {{'{x}': '{x}'}}
components:
  schemas:
    X:
      description: '{x}'
      properties:
        '{x}': {{type: string, description: '{x}'}}
"
    );
    let site = Site::new();
    site.file("evil-api.yaml", &spec);
    let run = run_json(site.root(), &["build"], Duration::from_secs(60));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let html = std::fs::read_to_string(site.root().join("public/evil-api.yaml.html")).unwrap();
    let main = &html[html.find("<main").unwrap()..];
    assert!(!main.contains("<script>"), "a script tag survived");
    assert!(!main.contains("<img"), "an img tag survived");
    assert!(
        !main.contains("href=\"javascript"),
        "a script link survived"
    );
    assert!(
        main.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || main.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
}

#[test]
fn a_spec_of_thousands_of_operations_builds_quickly() {
    let mut spec = String::from("openapi: 3.0.3\ninfo: {title: 대형 API, version: '1'}\ntags:\n");
    for t in 0..40 {
        spec.push_str(&format!(
            "  - name: tag{t}\n    description: 태그 {t}의 설명\n"
        ));
    }
    spec.push_str("paths:\n");
    let operations = 3_000;
    for i in 0..operations / 2 {
        spec.push_str(&format!(
            "  /items{i}/{{id}}:
    get:
      tags: [tag{t}]
      operationId: get{i}
      summary: 항목 {i} 조회
      description: 항목 {i}을 돌려준다. **굵게** `code`.
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses:
        '200':
          description: 항목
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Item{t}'}}
    delete:
      tags: [tag{t}]
      summary: 항목 {i} 삭제
      responses:
        '204': {{description: 삭제됨}}
",
            t = i % 40
        ));
    }
    spec.push_str("components:\n  schemas:\n");
    for t in 0..40 {
        spec.push_str(&format!("    Item{t}:\n      type: object\n      properties:\n        id: {{type: string}}\n        name: {{type: string, description: 이름}}\n"));
    }
    let site = Site::new();
    site.file("big-api.yaml", &spec);
    let run = run_json(site.root(), &["build"], Duration::from_secs(120));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let html = std::fs::read_to_string(site.root().join("public/big-api.yaml.html")).unwrap();
    assert_eq!(html.matches("<section class=\"api-op").count(), operations);
    eprintln!(
        "a {operations}-operation spec ({} KB) built in {:?}: page {} KB",
        spec.len() / 1024,
        run.took,
        html.len() / 1024
    );
    // Generous for a loaded 2-core machine: it takes well under a second alone.
    assert!(run.took < Duration::from_secs(60), "{:?}", run.took);
}

/// The table of contents names the section of schemas and the untagged operations in the
/// site's language, as the page's body does.
#[test]
fn the_table_of_contents_speaks_the_sites_language() {
    let site = fixture_with(&[(
        "backend/api/untagged.yaml",
        "openapi: 3.0.3\ninfo:\n  title: 태그 없는 API\n  version: '1'\npaths:\n  /ping:\n    get:\n      summary: 상태 확인\n      responses:\n        '200':\n          description: 정상\ncomponents:\n  schemas:\n    Pong:\n      type: object\n",
    )]);
    let run = site.build();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let page = site.public("backend/api/untagged.yaml.html");
    let toc = between(&page, "class=\"toc", "</nav>", "");
    assert!(toc.contains(">스키마</a>"), "{toc}");
    assert!(toc.contains(">기타</a>"), "{toc}");
    assert!(
        !toc.contains(">Schemas<") && !toc.contains(">default<"),
        "{toc}"
    );
}
