//! Golden tests over fixture sites: the `<main>` of every page (ids, link rewriting, TOC,
//! breadcrumbs, backlinks, environment links, highlighting), the navigation script, and the
//! diagnostics of broken sites. Expected files live in `tests/fixtures/<case>/expected/`; an
//! expected file that the build no longer produces fails the test.

use super::support::*;
use archsite::config::SiteArgs;
use archsite::diag::{render_human, ColorMode};
use archsite::output::OutputFile;
use archsite::pipeline::build;
use std::collections::BTreeSet;
use std::path::Path;

fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("page has <main>");
    let end = html.find("</main>").expect("page has </main>") + "</main>".len();
    &html[start..end]
}

fn check_site(case: &str) {
    let dir = fixture(case);
    let built = build(&SiteArgs {
        path: Some(dir.join("site")),
        ..Default::default()
    });
    let diagnostics = render_human(&built.diagnostics, &built.sources, ColorMode::Never);
    assert!(!built.failed(), "{case} has errors:\n{diagnostics}");
    let expected_dir = dir.join("expected");
    let mut seen = BTreeSet::new();
    for (path, file) in built.output.iter() {
        let OutputFile::Bytes(bytes) = file else {
            continue;
        };
        let text = String::from_utf8_lossy(bytes);
        let golden = if path.ends_with(".html") {
            main_of(&text).to_string() + "\n"
        } else if path == "assets/nav.js" || path == "sitemap.xml" {
            text.into_owned()
        } else {
            continue;
        };
        assert_golden(&expected_dir.join(path), &golden);
        seen.insert(expected_dir.join(path));
    }
    if !blessing() {
        for entry in walkdir::WalkDir::new(&expected_dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            assert!(
                seen.contains(entry.path()),
                "unused expected file {} (the build no longer produces it)",
                entry.path().display()
            );
        }
    }
}

#[test]
fn basic_site_matches_golden_output() {
    check_site("basic");
}

#[test]
fn diagram_pages_and_figures_match_golden_output() {
    check_site("diagrams");
}

#[test]
fn design_folder_without_master_index_matches_golden_output() {
    check_site("design-folder");
}

#[test]
fn api_pages_match_golden_output() {
    check_site("api");
}

#[test]
fn bare_folder_without_config_matches_golden_output() {
    check_site("bare");
}

#[test]
fn broken_site_diagnostics_match_golden() {
    let dir = fixture("broken");
    // Diagnostics show paths relative to the working folder: run from the fixture folder.
    let out = archsite(&dir, &["check", "site"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_golden(&dir.join("expected/diagnostics.txt"), &stderr(&out));
}

#[test]
fn broken_site_json_diagnostics_have_positions() {
    let dir = fixture("broken");
    let out = archsite(&dir, &["check", "site", "--format", "json"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let diags: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let anchor = diags
        .iter()
        .find(|d| d["code"] == "broken-anchor" && d["file"] == "site/content/index.md")
        .expect("broken anchor reported");
    assert_eq!(
        (anchor["line"].as_u64(), anchor["column"].as_u64()),
        (Some(3), Some(19))
    );
    assert_eq!(
        anchor["help"],
        "did you mean `#21-환경-특성-정의` (heading \"2.1 환경 특성 정의\", line 7)?"
    );
    let codes: BTreeSet<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    for code in [
        "broken-link",
        "broken-anchor",
        "link-case-mismatch",
        "link-outside-site",
        "empty-link",
        "front-matter",
        "invalid-utf8",
    ] {
        assert!(codes.contains(code), "missing {code} in {codes:?}");
    }
}

#[test]
fn builds_are_deterministic() {
    let args = SiteArgs {
        path: Some(fixture("basic").join("site")),
        ..Default::default()
    };
    let a = build(&args);
    let b = build(&args);
    let files = |x: &archsite::pipeline::Build| {
        x.output
            .iter()
            .map(|(p, f)| (p.clone(), f.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(files(&a), files(&b));
}

#[test]
fn sample_site_builds_without_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let built = build(&SiteArgs {
        path: Some(root.to_path_buf()),
        ..Default::default()
    });
    let text = render_human(&built.diagnostics, &built.sources, ColorMode::Never);
    assert!(built.diagnostics.is_empty(), "{text}");
    assert!(built.pages >= 8);
    assert!(built.output.get("index.html").is_some());
}

/// The preview's cache must never change what is built: after edits that touch titles (and so
/// the navigation, breadcrumbs and backlinks of other pages), links and templates, a cached
/// rebuild gives the same bytes as a fresh build.
#[test]
fn cached_rebuilds_equal_fresh_builds() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic/site"), tmp.path());
    let args = SiteArgs {
        path: Some(tmp.path().to_path_buf()),
        ..Default::default()
    };
    // By bytes: the preview shares page bytes with its cache (`OutputFile::Shared`).
    let bytes = |f: &OutputFile| match f {
        OutputFile::Bytes(b) => b.clone(),
        OutputFile::Shared(s) => s.as_bytes().to_vec(),
        other => format!("{other:?}").into_bytes(),
    };
    let files = |x: &archsite::pipeline::Build| {
        x.output
            .iter()
            .map(|(p, f)| (p.clone(), bytes(f)))
            .collect::<Vec<_>>()
    };
    // Diagnostics as a reader sees them: the same messages, places and snippets.
    let report =
        |x: &archsite::pipeline::Build| render_human(&x.diagnostics, &x.sources, ColorMode::Never);
    let fresh = || {
        let b = build(&args);
        (files(&b), report(&b))
    };
    // What `serve` does: pages first, the search index after.
    let preview = |cache: &mut archsite::pipeline::Cache| {
        let mut b = archsite::pipeline::build_preview(&args, cache);
        assert!(!b.failed());
        let search = archsite::pipeline::search_output(
            &b.search_inputs.take().unwrap(),
            &cache.search_cache(),
        );
        let mut all: Vec<_> = files(&b)
            .into_iter()
            .chain(search.iter().map(|(p, f)| (p.clone(), bytes(f))))
            .collect();
        all.sort();
        (all, report(&b))
    };
    let mut cache = archsite::pipeline::Cache::default();
    assert_eq!(preview(&mut cache), fresh());
    let edits: [(&str, &str, &str); 7] = [
        (
            "content/env/prod.md",
            "# 운영환경",
            "# 운영환경 (이름 바꿈)",
        ),
        (
            "content/guide/index.md",
            "[패턴](아키텍처패턴.md)",
            "[패턴](아키텍처패턴.md#cache-aside-패턴)",
        ),
        ("content/env/dev.md", "## 5. 보안", "## 5. 보안 정책"),
        // Prose only: every other page is taken from the last build as it was.
        (
            "content/env/dev.md",
            "기본 Network Policy.",
            "기본 Network Policy, 네임스페이스별로.",
        ),
        // The glossary loses its only two links: its backlinks go, and it becomes an orphan.
        (
            "content/index.md",
            "- 공백 파일 (꺾쇠): [용어 사전](<guide/용어 사전.md>)\n- 공백 파일 (인코딩): [용어](guide/%EC%9A%A9%EC%96%B4%20%EC%82%AC%EC%A0%84.md#aks)\n",
            "",
        ),
        // Prose above the orphan's first heading: the warning points at its new line.
        ("content/guide/용어 사전.md", "# 용어 사전", "머리말.\n\n# 용어 사전"),
        // A link back: the warning goes.
        (
            "content/env/prod.md",
            "[마스터](../index.md#21-환경별-특성-비교)",
            "[마스터](../index.md#21-환경별-특성-비교) · [용어](<../guide/용어 사전.md>)",
        ),
    ];
    for (step, (file, from, to)) in edits.into_iter().enumerate() {
        let path = tmp.path().join(file);
        std::fs::write(
            &path,
            std::fs::read_to_string(&path).unwrap().replace(from, to),
        )
        .unwrap();
        let fresh = fresh();
        // The orphan edits above do what they say (steps 4 and 5 leave one, 6 removes it).
        let orphan = fresh.1.contains("no page links to `guide/용어 사전.md`");
        assert_eq!(orphan, matches!(step, 4 | 5), "step {step}: {}", fresh.1);
        if step == 5 {
            assert!(fresh.1.contains("용어 사전.md:7:"), "{}", fresh.1);
        }
        assert_eq!(preview(&mut cache), fresh, "preview after editing {file}");
        // Nothing changed since: every page comes from the cache.
        assert_eq!(preview(&mut cache), fresh, "after editing {file}");
    }
    std::fs::create_dir_all(tmp.path().join("templates")).unwrap();
    std::fs::write(
        tmp.path().join("templates/404.html"),
        "<p>{{ t.not_found_title }}</p>",
    )
    .unwrap();
    let theme = archsite::theme::THEME_FILES
        .iter()
        .find(|(p, _)| *p == "templates/page.html")
        .unwrap()
        .1;
    let page = String::from_utf8(theme.to_vec())
        .unwrap()
        .replace("<main", "<main data-edited=\"yes\"");
    std::fs::write(tmp.path().join("templates/page.html"), page).unwrap();
    let cached = preview(&mut cache);
    assert_eq!(cached, fresh(), "after a template change");
    let (_, html) = cached.0.iter().find(|(p, _)| p == "index.html").unwrap();
    assert!(String::from_utf8_lossy(html).contains("data-edited"));
}
