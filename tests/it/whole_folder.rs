//! Issue 17, items 2–5, on a folder shaped like a real team's design folder without a master
//! index (`tests/fixtures/design-folder`): source pages and their line anchors, every
//! generated page in the sidebar, `sitemap.html` and `sitemap.xml`, the generated home page,
//! environments paired by file name. Its golden output is checked in `golden.rs`.

use super::support::*;
use archsite::config::SiteArgs;
use archsite::diag::{render_human, ColorMode};
use archsite::output::OutputFile;
use archsite::pipeline::{build, Build as Built};
use std::fs;
use std::path::Path;

fn built(site: &Path) -> Built {
    build(&SiteArgs {
        path: Some(site.to_path_buf()),
        ..Default::default()
    })
}

fn text(built: &Built, path: &str) -> String {
    match built.output.iter().find(|(p, _)| p.as_str() == path) {
        Some((_, OutputFile::Bytes(b))) => String::from_utf8_lossy(b).into_owned(),
        Some((_, OutputFile::Shared(s))) => s.to_string(),
        other => panic!("{path}: {:?}", other.map(|(p, _)| p)),
    }
}

fn design() -> Built {
    let built = built(&fixture("design-folder/site"));
    let diags = render_human(&built.diagnostics, &built.sources, ColorMode::Never);
    assert!(!built.failed(), "{diags}");
    built
}

#[test]
fn source_files_get_pages_with_line_anchors_and_the_raw_file_stays() {
    let built = design();
    let page = text(&built, "design/database/schema.sql.html");
    let lines = fs::read_to_string(fixture("design-folder/site/design/database/schema.sql"))
        .unwrap()
        .lines()
        .count();
    for n in 1..=lines {
        assert!(page.contains(&format!("id=\"L{n}\"")), "line {n}");
    }
    assert!(!page.contains(&format!("id=\"L{}\"", lines + 1)));
    assert!(
        page.contains("href=\"schema.sql\" download"),
        "download link"
    );
    assert!(page.contains("데이터베이스 설계"), "the page linking to it");
    let paths: Vec<&str> = built.output.iter().map(|(p, _)| p.as_str()).collect();
    for raw in [
        "design/database/schema.sql",
        "design/database/migrations/V2__orders.psql",
        "design/backend/config/application.yaml",
        "design/database/legacy-notes.txt",
    ] {
        assert!(paths.contains(&raw), "{raw} still published");
    }
    assert!(paths.contains(&"design/database/migrations/V2__orders.psql.html"));
    assert!(paths.contains(&"design/backend/config/application.yaml.html"));
    // Not UTF-8: published as it is, without a page and without an error.
    assert!(!paths.contains(&"design/database/legacy-notes.txt.html"));
    // Links in documents go to the page, with their line anchors.
    let doc = text(&built, "design/database/database-design.html");
    assert!(doc.contains("href=\"schema.sql.html#L3\""), "{doc}");
    assert!(doc.contains("href=\"migrations/V2__orders.psql.html\""));
}

fn site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_line_anchor_past_the_end_is_an_error_at_the_link() {
    let dir = site_with(&[
        (
            "index.md",
            "# 홈\n\n[좋음](db/a.sql#L2-L3) [넘침](db/a.sql#L4) [이름](db/a.sql#users)\n",
        ),
        ("db/a.sql", "select 1;\nselect 2;\nselect 3;\n"),
    ]);
    let out = archsite(dir.path(), &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`db/a.sql` has 3 lines: `#L4` is past its end"),
        "{err}"
    );
    // The column of the link's destination on line 3.
    let col = "[좋음](db/a.sql#L2-L3) [넘침](".chars().count() + 1;
    assert!(err.contains(&format!("index.md:3:{col}")), "{err}");
    assert!(err.contains("`#L1` … `#L3`"), "the fix: {err}");
    assert!(
        err.contains("anchor `#users`: a source page's anchors are its lines"),
        "{err}"
    );
    assert!(!err.contains("#L2-L3`"), "a good range is no error: {err}");
}

/// The pages a sidebar, `sitemap.html` or `sitemap.xml` lists.
fn listed(built: &Built) -> (String, String, String) {
    (
        text(built, "assets/nav.js"),
        text(built, "sitemap.html"),
        text(built, "sitemap.xml"),
    )
}

#[test]
fn every_generated_page_is_in_the_sidebar_and_both_sitemaps() {
    for site in [fixture("design-folder/site"), fixture("tables/site")] {
        let built = built(&site);
        assert!(!built.failed());
        let (nav, html, xml) = listed(&built);
        let pages: Vec<&str> = built
            .output
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| {
                p.ends_with(".html") && !["404.html", "sitemap.html", "index.html"].contains(p)
            })
            .collect();
        assert!(pages.len() >= 4, "{pages:?}");
        for page in pages {
            let escaped = page.replace('/', "\\/");
            assert!(
                nav.contains(&format!("\"{page}\"")) || nav.contains(&format!("\"{escaped}\"")),
                "{page} not in the sidebar"
            );
            let name = page.rsplit('/').next().unwrap();
            assert!(
                html.contains(&format!("{name}\"")),
                "{page} not in sitemap.html"
            );
            assert!(
                xml.contains(&format!("/{page}</loc>")),
                "{page} not in sitemap.xml"
            );
        }
    }
    let tables = built(&fixture("tables/site"));
    assert!(listed(&tables).0.contains("environment-diff.html"));
}

#[test]
fn the_generated_home_page_names_the_project_and_lists_sections_diagrams_and_environments() {
    let built = design();
    let home = text(&built, "index.html");
    assert!(
        home.contains("<title>주문 플랫폼 설계</title>"),
        "the README's H1"
    );
    for part in [
        "id=\"home-documents\"",
        "id=\"home-diagrams\"",
        "id=\"home-environments\"",
        // A description from front matter, one from the first paragraph.
        "주문 데이터베이스의 테이블과 마이그레이션",
        "주문을 받고 결제 서비스와 재고 서비스를 호출하는 백엔드 서비스입니다.",
        "href=\"design/architecture/logical.mmd.html\"",
        "배포 구성",
        "href=\"design/infra/infra-dev.html\"",
    ] {
        assert!(home.contains(part), "{part} missing:\n{home}");
    }
    assert!(
        !home.contains("id=\"home-apis\""),
        "no API section without APIs"
    );
    assert!(!home.contains("이 문서를 참조하는 문서가 없습니다"));
    assert!(!home.contains("load-test.html\"><") || !home.contains("env-badge\">테스트"));
}

#[test]
fn documents_named_by_environment_pair_up_and_a_lone_one_does_not() {
    let built = design();
    let dev = text(&built, "design/infra/infra-dev.html");
    assert!(dev.contains("class=\"env-switch\""), "the switcher");
    assert!(
        dev.contains("infra-prod.html#1-네트워크") || dev.contains("infra-prod.html#1-%EB"),
        "this section in prod"
    );
    let lone = text(&built, "design/infra/load-test.html");
    assert!(
        !lone.contains("class=\"env-switch\""),
        "load-test.md is no environment"
    );
}

#[test]
fn a_master_index_stays_the_home_page() {
    let dir = site_with(&[
        ("index.md", "# 마스터 인덱스\n\n[a](a.md)\n"),
        ("a.md", "# A\n\n[b](a.mmd)\n"),
        ("a.mmd", "graph TB\n  A --> B\n"),
    ]);
    let built = built(dir.path());
    let home = text(&built, "index.html");
    assert!(home.contains("마스터 인덱스"));
    assert!(!home.contains("home-documents"));
}

#[test]
fn an_unlinked_diagram_is_an_orphan_only_when_no_generated_home_lists_it() {
    let files = [
        ("a.md", "# A\n\n[b](b.md)\n"),
        ("b.md", "# B\n\n[a](a.md)\n"),
        ("old.mmd", "%% 예전 구성\ngraph TB\n  A --> B\n"),
        ("db/schema.sql", "select 1;\n"),
    ];
    let without = site_with(&files);
    let out = archsite(without.path(), &["check", "--format", "json"]);
    let json = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !json.contains("orphan-page"),
        "the home page lists it: {json}"
    );
    let mut with_index = files.to_vec();
    with_index.push(("index.md", "# 홈\n\n[a](a.md)\n"));
    let with = site_with(&with_index);
    let out = archsite(with.path(), &["check", "--format", "json"]);
    let diags: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let orphans: Vec<&serde_json::Value> = diags
        .iter()
        .filter(|d| d["code"] == "orphan-page")
        .collect();
    // The diagram, at its first line; never a source page.
    assert_eq!(orphans.len(), 1, "{diags:?}");
    assert!(orphans[0]["file"].as_str().unwrap().ends_with("old.mmd"));
    assert_eq!(
        (orphans[0]["line"].as_u64(), orphans[0]["column"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn a_document_reached_by_its_environment_peers_switcher_is_no_orphan() {
    let files = [
        ("index.md", "# 홈\n\n[인프라](infra/infra-dev.md)\n"),
        ("infra/infra-dev.md", "# 인프라 — 개발\n\n## 비용\n"),
        ("infra/infra-prod.md", "# 인프라 — 운영\n\n## 비용\n"),
        ("infra/legacy.md", "# 예전 인프라\n"),
    ];
    let site = site_with(&files);
    let built = built(site.path());
    // The switcher on the development document names the production one.
    assert!(text(&built, "infra/infra-dev.html").contains("infra-prod.html"));
    let out = archsite(site.path(), &["check", "--format", "json"]);
    let orphans: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|d| d["code"] == "orphan-page")
        .map(|d| d["file"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(orphans.len(), 1, "{orphans:?}");
    assert!(orphans[0].ends_with("legacy.md"), "{orphans:?}");
}

#[test]
fn a_written_home_page_says_no_backlinks_only_when_it_has_some() {
    let files = [
        ("README.md", "# 여행 플래너 설계\n\n[인프라](infra.md)\n"),
        ("infra.md", "# 인프라\n"),
        ("lonely.md", "# 외톨이\n"),
    ];
    let site = site_with(&files);
    let built = built(site.path());
    let home = text(&built, "index.html");
    assert!(
        home.contains("여행 플래너 설계"),
        "the README is the home page"
    );
    assert!(!home.contains("class=\"backlinks"), "{home}");
    // Elsewhere the empty section stays: it tells a writer nothing links there.
    assert!(text(&built, "lonely.html").contains("backlinks-empty"));
    // A home page something links to lists it.
    let mut linked = files.to_vec();
    linked[1] = ("infra.md", "# 인프라\n\n[홈](README.md)\n");
    let site = site_with(&linked);
    assert!(text(&self::built(site.path()), "index.html").contains("class=\"backlinks"));
}

#[test]
fn a_huge_or_binary_source_file_stays_a_file_without_a_page() {
    let dir = site_with(&[("index.md", "# 홈\n\n[로그](app.log) [덤프](dump.json)\n")]);
    fs::write(dir.path().join("app.log"), "line\n".repeat(300_000)).unwrap();
    fs::write(dir.path().join("dump.json"), b"{\"a\": \"\0\"}").unwrap();
    let built = built(dir.path());
    assert!(!built.failed());
    let paths: Vec<&str> = built.output.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"app.log") && paths.contains(&"dump.json"));
    assert!(!paths.contains(&"app.log.html"), "1.5 MB: not read");
    assert!(!paths.contains(&"dump.json.html"), "a NUL byte: binary");
    let home = text(&built, "index.html");
    assert!(home.contains("href=\"app.log\"") && home.contains("href=\"dump.json\""));
}

#[test]
fn the_generated_home_page_lists_each_api_with_its_operation_count() {
    let dir = site_with(&[
        ("docs/overview.md", "# 개요\n\n[API](../api/orders.yaml)\n"),
        (
            "api/orders.yaml",
            "openapi: 3.0.3\ninfo:\n  title: 주문 API\n  version: 1.2.0\npaths:\n  /orders:\n    get:\n      operationId: listOrders\n      responses:\n        '200':\n          description: OK\n    post:\n      operationId: createOrder\n      responses:\n        '201':\n          description: 생성됨\n  /orders/{id}:\n    get:\n      operationId: getOrder\n      parameters:\n        - name: id\n          in: path\n          required: true\n          schema:\n            type: string\n      responses:\n        '200':\n          description: OK\n",
        ),
        ("api/app-config.yaml", "server:\n  port: 8080\n"),
    ]);
    let built = built(dir.path());
    let diags = render_human(&built.diagnostics, &built.sources, ColorMode::Never);
    assert!(!built.failed(), "{diags}");
    let home = text(&built, "index.html");
    let apis = &home[home.find("id=\"home-apis\"").expect("an API section")..];
    let apis = &apis[..apis.find("</section>").unwrap()];
    assert!(apis.contains("href=\"api/orders.yaml.html\""), "{apis}");
    assert!(apis.contains("v1.2.0"), "{apis}");
    assert!(
        apis.contains("API 3개") || apis.contains("3 operations"),
        "{apis}"
    );
    // A config file is a source page, not an API.
    assert!(!apis.contains("app-config"), "{apis}");
}
