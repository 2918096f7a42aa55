//! The `archsite` command as a user runs it: exit codes, init, output safety, rebuilds.

use super::support::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn basic_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic/site"), tmp.path());
    tmp
}

#[test]
fn usage_errors_exit_2_and_help_lists_commands() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        archsite(tmp.path(), &["build", "--no-such-flag"])
            .status
            .code(),
        Some(2)
    );
    let help = archsite(tmp.path(), &["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    for command in ["init", "build", "check", "serve"] {
        assert!(text.contains(command), "{text}");
    }
}

#[test]
fn init_creates_a_site_that_builds_cleanly() {
    for lang in ["ko", "en"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = archsite(tmp.path(), &["init", "my-arch", "--lang", lang]);
        assert!(out.status.success(), "{}", stderr(&out));
        let build = archsite(&tmp.path().join("my-arch"), &["build"]);
        assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
        assert!(
            stderr(&build).lines().next().unwrap().starts_with("Built "),
            "{}",
            stderr(&build)
        );
        let home = fs::read_to_string(tmp.path().join("my-arch/public/index.html")).unwrap();
        assert!(home.contains(&format!("<html lang=\"{lang}\"")));
        let again = archsite(tmp.path(), &["init", "my-arch"]);
        assert_eq!(
            again.status.code(),
            Some(1),
            "init must refuse a non-empty folder"
        );
    }
}

#[test]
fn failed_build_leaves_previous_output_byte_identical() {
    let site = basic_copy();
    let first = archsite(site.path(), &["build"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(&site.path().join("public"));
    let page = site.path().join("content/env/dev.md");
    let text = fs::read_to_string(&page).unwrap();
    fs::write(
        &page,
        text.replace("[운영환경](prod.md)", "[운영환경](prd.md)") + "\nNew text.\n",
    )
    .unwrap();
    let second = archsite(site.path(), &["build"]);
    assert_eq!(second.status.code(), Some(1));
    assert!(
        stderr(&second).contains("error[broken-link]"),
        "{}",
        stderr(&second)
    );
    assert!(stderr(&second).contains("Build failed: nothing was written."));
    assert_eq!(snapshot(&site.path().join("public")), before);
}

#[test]
fn unchanged_rebuild_writes_nothing_and_stale_files_go() {
    let site = basic_copy();
    assert!(archsite(site.path(), &["build"]).status.success());
    let again = archsite(site.path(), &["build"]);
    assert!(
        stderr(&again).contains("(0 files written"),
        "{}",
        stderr(&again)
    );
    fs::remove_file(site.path().join("content/env/prod.md")).unwrap();
    let text = fs::read_to_string(site.path().join("content/env/dev.md")).unwrap();
    fs::write(
        site.path().join("content/env/dev.md"),
        text.replace("[운영환경](prod.md)", ""),
    )
    .unwrap();
    let index = fs::read_to_string(site.path().join("content/index.md")).unwrap();
    fs::write(
        site.path().join("content/index.md"),
        index.replace("[운영 보안](env/prod.md#5-보안)", ""),
    )
    .unwrap();
    let third = archsite(site.path(), &["build"]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert!(!site.path().join("public/env/prod.html").exists());
}

#[test]
fn refuses_output_folders_it_did_not_create() {
    let site = basic_copy();
    let foreign = tempfile::tempdir().unwrap();
    fs::write(foreign.path().join("thesis.txt"), "precious").unwrap();
    let out_arg = foreign.path().to_str().unwrap();
    let refused = archsite(site.path(), &["build", "--output", out_arg]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("was not created by archsite"),
        "{}",
        stderr(&refused)
    );
    assert!(foreign.path().join("thesis.txt").exists());
    let forced = archsite(site.path(), &["build", "--output", out_arg, "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(foreign.path().join("index.html").exists());
    for dangerous in [".", "content"] {
        let out = archsite(site.path(), &["build", "--output", dangerous, "--force"]);
        assert_eq!(out.status.code(), Some(1), "{dangerous}: {}", stderr(&out));
    }
    assert!(site.path().join("content/index.md").exists());
}

#[test]
fn bare_folder_builds_with_output_option() {
    let out_dir = tempfile::tempdir().unwrap();
    let out_path = out_dir.path().join("site");
    let site = fixture("bare/site");
    let out = archsite(
        &site,
        &["build", ".", "--output", out_path.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let home = fs::read_to_string(out_path.join("index.html")).unwrap();
    assert!(home.contains("<html lang=\"en\""));
    assert!(home.contains("href=\"notes/storage.html\""));
    assert!(out_path.join("notes/api.html").exists());
}

#[test]
fn base_url_prefixes_the_404_page_and_sitemap() {
    let site = basic_copy();
    assert!(archsite(site.path(), &["build"]).status.success());
    let not_found = fs::read_to_string(site.path().join("public/404.html")).unwrap();
    assert!(
        not_found.contains("href=\"/docs/assets/archsite.css\""),
        "{not_found}"
    );
    let sitemap = fs::read_to_string(site.path().join("public/sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://example.com/docs/guide/%EC%95%84%ED%82%A4%ED%85%8D%EC%B2%98%ED%8C%A8%ED%84%B4.html</loc>"), "{sitemap}");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = fixture("broken");
    let plain = archsite(&dir, &["check", "site"]);
    assert!(!stderr(&plain).contains('\u{1b}'));
    let coloured = archsite(&dir, &["--color", "always", "check", "site"]);
    assert!(stderr(&coloured).contains('\u{1b}'));
}

#[test]
fn config_typo_is_reported_with_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("archsite.yaml"),
        "title: x\nbase_ur1: /docs/\n",
    )
    .unwrap();
    fs::write(tmp.path().join("index.md"), "# x\n").unwrap();
    let out = archsite(tmp.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains("archsite.yaml:2:1"), "{text}");
    assert!(text.contains("did you mean `base_url`?"), "{text}");
}

#[test]
fn template_override_and_template_error() {
    let site = basic_copy();
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(
        site.path().join("templates/404.html"),
        "<p>custom {{ t.not_found_title }}</p>",
    )
    .unwrap();
    assert!(archsite(site.path(), &["build"]).status.success());
    assert_eq!(
        fs::read_to_string(site.path().join("public/404.html")).unwrap(),
        "<p>custom 페이지를 찾을 수 없습니다</p>"
    );
    fs::write(site.path().join("templates/404.html"), "{% if %}").unwrap();
    let broken = archsite(site.path(), &["build"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stderr(&broken).contains("error[template]"),
        "{}",
        stderr(&broken)
    );
}

#[test]
fn named_theme_overrides_files_and_site_templates_win() {
    let site = basic_copy();
    let theme = site.path().join("themes/plain");
    fs::create_dir_all(theme.join("templates")).unwrap();
    fs::create_dir_all(theme.join("static/assets")).unwrap();
    fs::write(theme.join("templates/404.html"), "theme 404").unwrap();
    fs::write(theme.join("static/assets/archsite.css"), "body{}").unwrap();
    let config = fs::read_to_string(site.path().join("archsite.yaml")).unwrap();
    fs::write(site.path().join("archsite.yaml"), config + "theme: plain\n").unwrap();
    assert!(archsite(site.path(), &["build"]).status.success());
    assert_eq!(
        fs::read_to_string(site.path().join("public/404.html")).unwrap(),
        "theme 404"
    );
    assert_eq!(
        fs::read_to_string(site.path().join("public/assets/archsite.css")).unwrap(),
        "body{}"
    );
    // Pages still use the built-in page.html, which the theme did not replace.
    assert!(fs::read_to_string(site.path().join("public/index.html"))
        .unwrap()
        .contains("<main"));
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(site.path().join("templates/404.html"), "site 404").unwrap();
    assert!(archsite(site.path(), &["build"]).status.success());
    assert_eq!(
        fs::read_to_string(site.path().join("public/404.html")).unwrap(),
        "site 404"
    );
    let config = fs::read_to_string(site.path().join("archsite.yaml")).unwrap();
    fs::write(
        site.path().join("archsite.yaml"),
        config.replace("theme: plain", "theme: nope"),
    )
    .unwrap();
    let missing = archsite(site.path(), &["build"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("theme `nope` not found"),
        "{}",
        stderr(&missing)
    );
}

/// Pages kept from the last build (their inputs unchanged, their files as written) make the
/// same output as a build from scratch, and a page whose file was touched is written again.
#[test]
fn kept_pages_match_a_full_build_and_tampered_files_are_rewritten() {
    let site = basic_copy();
    assert!(archsite(site.path(), &["build"]).status.success());
    let dev = site.path().join("content/env/dev.md");
    let text = fs::read_to_string(&dev).unwrap();
    fs::write(&dev, format!("{text}\n추가된 문단입니다.\n")).unwrap();
    let second = archsite(site.path(), &["build"]);
    assert!(second.status.success(), "{}", stderr(&second));
    // Only the edited page is rendered again (its search index shards change with it).
    let pages = stderr(&second)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<usize>()
        .unwrap();
    assert!(
        stderr(&second).contains(&format!("; {} pages not rendered again)", pages - 1)),
        "{}",
        stderr(&second)
    );
    let incremental = snapshot(&site.path().join("public"));
    assert!(String::from_utf8_lossy(&incremental["env/dev.html"]).contains("추가된 문단입니다."));
    // A file changed or removed behind archsite's back is written again.
    fs::write(site.path().join("public/index.html"), "tampered").unwrap();
    fs::remove_file(site.path().join("public/env/prod.html")).unwrap();
    // Every page but the two touched is vouched for by the last build's record.
    let third = archsite(site.path(), &["build"]);
    assert!(
        stderr(&third).contains("(2 files written"),
        "{}",
        stderr(&third)
    );
    assert!(
        stderr(&third).contains(&format!("; {} pages not rendered again)", pages - 2)),
        "{}",
        stderr(&third)
    );
    assert_eq!(snapshot(&site.path().join("public")), incremental);
    // From scratch, into another folder: the same bytes.
    let fresh = archsite(site.path(), &["build", "--output", "fresh"]);
    assert!(fresh.status.success(), "{}", stderr(&fresh));
    assert_eq!(snapshot(&site.path().join("fresh")), incremental);
}

/// Pages are staged while they are rendered; a page that fails to render halfway through the
/// site leaves the output folder exactly as it was (no staged file left behind either).
#[test]
fn a_render_failure_halfway_leaves_the_output_untouched() {
    let site = basic_copy();
    assert!(archsite(site.path(), &["build"]).status.success());
    let before = snapshot(&site.path().join("public"));
    // Only the prod page trips over this template (the home page, which is rendered first to
    // check the templates, and the others do not); every page's HTML changes (the comment), so
    // the others are staged before the build fails.
    let page = include_str!("../../themes/default/templates/page.html").replace(
        "{{ page.content | safe }}",
        "<!-- v2 -->{% if page.url is ending_with(\"prod.html\") %}{{ no_such_value }}{% endif %}{{ page.content | safe }}",
    );
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(site.path().join("templates/page.html"), page).unwrap();
    let failed = archsite(site.path(), &["build"]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains("error[template]"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(snapshot(&site.path().join("public")), before);
    // Into a folder that did not exist: it still does not.
    let fresh = archsite(site.path(), &["build", "--output", "fresh"]);
    assert_eq!(fresh.status.code(), Some(1));
    assert!(!site.path().join("fresh").exists());
}
