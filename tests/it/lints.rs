//! Link validation and lints: the exact set of diagnostics (code, file, line, column,
//! severity) for a fixture with one mistake of each kind and nothing reported for its valid
//! links; severity configuration, `--deny warnings` and the output formats.

use super::support::*;
use std::fs;

type Found = (String, String, u64, u64, String);

fn json_diagnostics(dir: &std::path::Path, args: &[&str]) -> Vec<Found> {
    let out = archsite(dir, args);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let d: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                d["code"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn expect(rows: &[(&str, &str, u64, u64, &str)]) -> Vec<Found> {
    rows.iter()
        .map(|(c, f, l, col, s)| (c.to_string(), f.to_string(), *l, *col, s.to_string()))
        .collect()
}

#[test]
fn every_mistake_is_reported_once_and_nothing_else() {
    let found = json_diagnostics(&fixture("lints"), &["check", "site", "--format", "json"]);
    let logical = "site/content/design/logical.md";
    let index = "site/content/index.md";
    assert_eq!(
        found,
        expect(&[
            ("broken-link", logical, 4, 5, "error"), // related: ./gone.md
            ("unclosed-fence", logical, 12, 1, "warning"), // ```yaml never closed
            ("unresolved-path", index, 4, 12, "warning"), // plain text reference/physical.md
            ("empty-link", index, 9, 8, "warning"),  // [빈 링크]()
            ("insecure-link", index, 9, 12, "warning"), // http:// on an https site
            ("broken-link", index, 11, 56, "error"), // <a href="design/nope.md">
            ("broken-link", index, 13, 11, "error"), // <img src="missing.png">
            ("broken-anchor", index, 15, 1, "error"), // [참조 링크][ref] → #없는-절
            ("duplicate-id", index, 21, 1, "warning"), // second {#dup}
            ("orphan-page", "site/content/lonely.md", 1, 1, "warning"),
        ])
    );
}

#[test]
fn lint_diagnostics_match_golden() {
    let dir = fixture("lints");
    let out = archsite(&dir, &["check", "site"]);
    assert_eq!(out.status.code(), Some(1));
    assert_golden(&dir.join("expected/diagnostics.txt"), &stderr(&out));
}

#[test]
fn valid_links_of_every_kind_are_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("lints/site"), tmp.path());
    // Fix every error, keep the warnings: the build then succeeds.
    let index = tmp.path().join("content/index.md");
    let text = fs::read_to_string(&index).unwrap();
    let text = text
        .replace("design/nope.md", "design/logical.md")
        .replace("missing.png", "design/logical.md")
        .replace("#없는-절", "#개요");
    fs::write(&index, text).unwrap();
    let logical = tmp.path().join("content/design/logical.md");
    fs::write(
        &logical,
        fs::read_to_string(&logical)
            .unwrap()
            .replace("  - ./gone.md\n", ""),
    )
    .unwrap();
    let out = archsite(tmp.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = fs::read_to_string(tmp.path().join("public/index.html")).unwrap();
    assert!(
        html.contains("논리 아키텍처: <a href=\"design/logical.html\">design/logical.md</a>"),
        "plain path linked"
    );
    assert!(
        html.contains("물리 아키텍처: reference/physical.md"),
        "unresolved plain path left as text"
    );
    assert!(
        html.contains("<code>reference/physical.md</code>"),
        "code is never linked"
    );
    assert!(
        html.contains("본문의 design/logical.md 는"),
        "prose outside lists is left alone"
    );
    assert!(
        html.contains("<a href=\"design/logical.html#개요\">원시 HTML 링크</a>"),
        "raw HTML href rewritten: {html}"
    );
    let page = fs::read_to_string(tmp.path().join("public/design/logical.html")).unwrap();
    assert!(
        page.contains("<section class=\"related\""),
        "related links shown"
    );
    assert!(page.contains("<a href=\"../index.html\">홈</a>"), "{page}");
}

#[test]
fn severity_configuration_and_deny_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("lints/site"), tmp.path());
    let config = tmp.path().join("archsite.yaml");
    let base = fs::read_to_string(&config).unwrap();
    fs::write(
        &config,
        format!(
            "{base}severity:\n  broken-link: warning\n  broken-anchor: off\n  orphan-page: error\n"
        ),
    )
    .unwrap();
    let found = json_diagnostics(tmp.path(), &["check", "--format", "json"]);
    let codes: Vec<(&str, &str)> = found.iter().map(|f| (f.0.as_str(), f.4.as_str())).collect();
    assert!(codes.contains(&("broken-link", "warning")));
    assert!(codes.contains(&("orphan-page", "error")));
    assert!(!codes.iter().any(|c| c.0 == "broken-anchor"));
    assert_eq!(
        archsite(tmp.path(), &["check"]).status.code(),
        Some(1),
        "orphan-page is now an error"
    );
    fs::write(&config, format!("{base}severity:\n  broken-link: warning\n  broken-anchor: off\n  orphan-page: warning\n")).unwrap();
    assert_eq!(
        archsite(tmp.path(), &["check"]).status.code(),
        Some(0),
        "only warnings left"
    );
    let denied = archsite(tmp.path(), &["check", "--deny", "warnings"]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(
        stderr(&denied).contains("error[orphan-page]"),
        "{}",
        stderr(&denied)
    );
    fs::write(&config, format!("{base}severity:\n  orphan-pages: off\n")).unwrap();
    let typo = archsite(tmp.path(), &["check"]);
    assert!(
        stderr(&typo).contains("did you mean `orphan-page`?"),
        "{}",
        stderr(&typo)
    );
}

#[test]
fn github_annotations() {
    let out = archsite(&fixture("lints"), &["check", "site", "--format", "github"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("::error file=site/content/index.md,line=11,col=56,endLine=11,endColumn=70,title=broken-link::`design/nope.md` does not exist%0Ahelp: did you mean `design/logical.md`?\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 10);
}

#[test]
fn plain_paths_written_from_the_repository_root_resolve() {
    let repo = tempfile::tempdir().unwrap();
    fs::create_dir_all(repo.path().join(".git")).unwrap();
    let docs = repo.path().join("design/backend");
    fs::create_dir_all(docs.join("logical")).unwrap();
    fs::write(
        docs.join("index.md"),
        "# 설계\n\n- 논리: design/backend/logical/logical-architecture.md\n",
    )
    .unwrap();
    fs::write(docs.join("logical/logical-architecture.md"), "# 논리\n").unwrap();
    let out_dir = repo.path().join("site");
    let out = archsite(
        repo.path(),
        &[
            "build",
            "design/backend",
            "--output",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let html = fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(html.contains("<a href=\"logical/logical-architecture.html\">design/backend/logical/logical-architecture.md</a>"), "{html}");
}

/// The README's table of codes says what `diag::codes` says: each code's default severity,
/// and which codes a site may configure (the rows above `front-matter`).
#[test]
fn the_readme_table_of_codes_is_the_code_table() {
    use archsite::diag::codes::ALL;
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = readme
        .split("| code | default | meaning |")
        .nth(1)
        .expect("the README has a table of codes");
    let mut configurable = true;
    let mut rows = 0;
    for line in table.lines().skip(2).take_while(|l| l.starts_with('|')) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (names, default) = (cells[1], cells[2]);
        for name in names.split(", ").map(|n| n.trim_matches('`')) {
            if name == "front-matter" {
                configurable = false;
            }
            let code = ALL
                .iter()
                .find(|c| c.name == name && format!("{:?}", c.default).to_lowercase() == default)
                .unwrap_or_else(|| panic!("README: `{name}` ({default}) is not in diag::codes"));
            assert_eq!(code.configurable, configurable, "README: `{name}`");
            rows += 1;
        }
    }
    assert!(rows > 20, "only {rows} codes read from the README");
}
