//! Folders nobody here wrote, in the shapes teams keep: npm's docs (custom front matter, links
//! written as site URLs), a Zola site (TOML `+++` front matter, `@/` links), a crate's `doc/`
//! folder (`README.md` beside `index.md`), a design folder (`.mmd` files, no master index,
//! paths in prose). Each is checked with no configuration, and what archsite says about it is
//! a golden file (`tests/fixtures/corpus/expected/<shape>.txt`): the true problems each folder
//! has, at their place, and nothing else. Also: the output of a folder with hundreds of
//! diagnostics is summarised, and what the templates see of front matter archsite does not read.

use super::support::*;
use std::fs;
use std::path::Path;

fn corpus() -> std::path::PathBuf {
    fixture("corpus")
}

/// `archsite check` on a shape, run from the corpus folder so that paths are short; its
/// human output against the golden file, its JSON counted by code.
fn check_shape(shape: &str, dir: &str, exit: i32) -> Vec<serde_json::Value> {
    let out = archsite(&corpus(), &["check", dir]);
    assert_eq!(out.status.code(), Some(exit), "{}", stderr(&out));
    assert_golden(
        &corpus().join(format!("expected/{shape}.txt")),
        &stderr(&out),
    );
    let json = archsite(&corpus(), &["check", dir, "--format", "json"]);
    String::from_utf8(json.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn codes(diags: &[serde_json::Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| {
            format!(
                "{}[{}]",
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn npm_docs_custom_front_matter_and_site_links_need_no_config() {
    // `section:` on every page is kept, not refused; `/commands/npm-team`, `../npm-install/`
    // and `/configuring-npm/package-json` resolve to the one page each names. What is left
    // is npm's own broken link, to a page that is not in the folder.
    let diags = check_shape("npm-docs", "npm-docs/site", 1);
    assert_eq!(codes(&diags), ["error[broken-link]"]);
    assert_eq!(
        diags[0]["target"],
        "/about-access-tokens#about-legacy-tokens"
    );
}

#[test]
fn zola_site_toml_front_matter_and_content_links() {
    let diags = check_shape("zola", "zola/site", 1);
    assert_eq!(
        codes(&diags),
        ["warning[orphan-page]", "error[broken-link]"]
    );
    assert_eq!(diags[1]["suggestion"], "@/blog/first.md");
}

#[test]
fn crate_doc_readme_beside_index_is_a_warning_that_says_which_wins() {
    let diags = check_shape("crate-doc", "crate-doc/site", 0);
    assert_eq!(
        codes(&diags),
        ["warning[duplicate-index]", "warning[orphan-page]"]
    );
    // Both are published: the folder's index, and the README under its own name.
    let tmp = tempfile::tempdir().unwrap();
    let out = archsite(
        &corpus(),
        &[
            "build",
            "crate-doc/site",
            "--output",
            tmp.path().to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let index = fs::read_to_string(tmp.path().join("index.html")).unwrap();
    assert!(index.contains("mycrate docs"));
    let readme = fs::read_to_string(tmp.path().join("README.html")).unwrap();
    assert!(readme.contains("Read on GitHub"));
    // `guide/` goes to the guide's README, the only index of that folder.
    assert!(index.contains("href=\"guide/index.html\""), "{index}");
}

#[test]
fn design_folder_diagnostics_are_true_and_placed() {
    let diags = check_shape("design", "design/docs", 1);
    assert_eq!(
        codes(&diags),
        [
            "warning[unresolved-path]",
            "error[broken-link]",
            "error[link-outside-site]"
        ]
    );
    // `architecture/legacy.mmd`, which no document shows, is no orphan: the folder has no
    // master index, and the generated home page's gallery links every diagram page
    // (`whole_folder.rs` checks that with a master index it is one, at its first line).
    // Bare names in prose (`values-dev.yaml`, `Chart.yaml`) are not paths.
    assert!(diags.iter().all(|d| d["target"] != "values-dev.yaml"));
}

#[test]
fn where_git_is_changes_nothing() {
    let run = |with_git: bool| {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&corpus().join("design/docs"), &tmp.path().join("docs"));
        if with_git {
            fs::create_dir(tmp.path().join(".git")).unwrap();
        }
        let out = archsite(tmp.path(), &["check", "docs", "--format", "json"]);
        String::from_utf8(out.stdout).unwrap()
    };
    let (with, without) = (run(true), run(false));
    assert!(with.contains("deploy/helm/values-dev.yaml"));
    assert_eq!(with, without);
}

/// A folder with one mistake made 40 times (a link to a page that moved) and 8 forgotten
/// pages: five of each code in full, the rest one line per file, a table of counts.
fn messy_site(root: &Path) {
    let content = root.join("content");
    fs::create_dir_all(&content).unwrap();
    fs::write(
        content.join("index.md"),
        "# Home\n\n[a](a.md) [b](b.md) [c](c.md)\n",
    )
    .unwrap();
    for name in ["a", "b", "c"] {
        let body: String = (0..13)
            .map(|i| format!("- [old {i}](moved/page-{i}.md)\n"))
            .collect();
        fs::write(
            content.join(format!("{name}.md")),
            format!("# {name}\n\n{body}"),
        )
        .unwrap();
    }
    fs::write(content.join("d.md"), "# d\n\n[gone](gone.md)\n").unwrap();
    for i in 0..8 {
        fs::write(
            content.join(format!("lost-{i}.md")),
            format!("# lost {i}\n"),
        )
        .unwrap();
    }
}

#[test]
fn many_diagnostics_of_one_code_are_summarised() {
    let tmp = tempfile::tempdir().unwrap();
    messy_site(&tmp.path().join("mess"));
    let out = archsite(tmp.path(), &["check", "mess"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert_golden(&corpus().join("expected/summary.txt"), &text);
    assert_eq!(text.matches("error[broken-link]: `moved/").count(), 5);
    assert!(text.contains("and 35 more `broken-link` errors: `--format json` lists all"));
    // Every diagnostic is still in the machine formats.
    let json = archsite(tmp.path(), &["check", "mess", "--format", "json"]);
    let json = String::from_utf8(json.stdout).unwrap();
    assert_eq!(
        json.lines()
            .filter(|l| l.contains("\"broken-link\""))
            .count(),
        40
    );
    let github = archsite(tmp.path(), &["check", "mess", "--format", "github"]);
    let github = String::from_utf8(github.stdout).unwrap();
    assert_eq!(github.matches("broken-link").count(), 40, "{github}");
}

#[test]
fn templates_read_front_matter_archsite_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::create_dir_all(root.join("content")).unwrap();
    fs::create_dir_all(root.join("templates")).unwrap();
    fs::write(
        root.join("content/index.md"),
        "---\ntitle: npm-team\nsection: 1\ntags: [cli, teams]\n---\n# npm-team\n",
    )
    .unwrap();
    fs::write(
        root.join("content/post.md"),
        "+++\ntitle = \"Post\"\ndate = 2024-01-01\n[extra]\nicon = \"pen\"\n+++\n[home](@/index.md)\n",
    )
    .unwrap();
    fs::write(
        root.join("templates/page.html"),
        "{% if page %}[{{ page.title }}|{{ page.meta.section | default(value='-') }}|{% if page.meta.tags %}{{ page.meta.tags | join(sep=',') }}{% endif %}|{{ page.meta.date | default(value='-') }}|{{ page.extra.icon | default(value='-') }}]{% endif %}",
    )
    .unwrap();
    let out_dir = root.join("public");
    let out = archsite(root, &["build", "--output", out_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let read = |p: &str| fs::read_to_string(out_dir.join(p)).unwrap();
    assert_eq!(read("index.html"), "[npm-team|1|cli,teams|-|-]");
    assert_eq!(read("post.html"), "[Post|-||2024-01-01|pen]");
}

/// Each diagnostic of a `--format json` run as `file:line:col: message | help`.
fn compact(json: &str) -> String {
    json.lines()
        .map(|l| {
            let d: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{}:{}:{}: {} | {}\n",
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["message"].as_str().unwrap(),
                d["help"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn mermaid_mistakes_are_each_reported_at_their_character_with_the_fix() {
    // Seven unquoted labels in one diagram (two on one line, one at column 95 of a long
    // line), `end` as a node, `<br>` outside a label, a node inside its namesake subgraph
    // (which parses but cannot be drawn): all in one run, each caret on the offending
    // character, each help the concrete fix.
    let dir = corpus().join("mermaid");
    let out = archsite(&dir, &["check", "docs", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let text = compact(&String::from_utf8(out.stdout).unwrap());
    assert_golden(&corpus().join("expected/mermaid.txt"), &text);
    let network: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("docs/network-prod.mmd"))
        .collect();
    assert_eq!(network.len(), 7, "{text}");
    let source = fs::read_to_string(dir.join("docs/network-prod.mmd")).unwrap();
    for line in &network {
        let (place, _) = line.split_once(": ").unwrap();
        let mut parts = place.rsplit(':');
        let column: usize = parts.next().unwrap().parse().unwrap();
        let row: usize = parts.next().unwrap().parse().unwrap();
        let at = source.lines().nth(row - 1).unwrap().chars().nth(column - 1);
        assert_eq!(at, Some('('), "{line}");
    }
    // Applying every help makes a diagram mermaid accepts: the errors were all there was.
    let mut fixed = source.clone();
    for line in &network {
        let quoted = line
            .split("quote the label: `")
            .nth(1)
            .unwrap()
            .split("` (")
            .next()
            .unwrap();
        let (id, rest) = quoted.split_once('[').unwrap();
        let unquoted = format!(
            "{id}[{}]",
            rest.trim_start_matches('"')
                .trim_end_matches(']')
                .trim_end_matches('"')
        );
        assert!(fixed.contains(&unquoted), "{unquoted}");
        fixed = fixed.replacen(&unquoted, quoted, 1);
    }
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("network-prod.mmd"), &fixed).unwrap();
    let out = archsite(tmp.path(), &["check", "."]);
    assert!(out.status.success(), "{}\n{fixed}", stderr(&out));
}
