//! Hostile input: every file a careless or malicious author could put in a site, made at test
//! time in a temporary folder (nothing large is committed), built by the `archsite` binary
//! under a watchdog. Each case asserts the exact diagnostic (code, message, file, line,
//! column) or that the build succeeds; a panic, a crash or a hang fails the test.

use serde_json::Value;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run of `archsite` gave.
pub struct Run {
    pub code: Option<i32>,
    /// `--format json`: one object per diagnostic.
    pub diags: Vec<Value>,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    /// The diagnostics with `code`.
    pub fn with_code(&self, code: &str) -> Vec<&Value> {
        self.diags.iter().filter(|d| d["code"] == code).collect()
    }

    /// The only diagnostic with `code`, as `(message, file, line, column)`.
    pub fn one(&self, code: &str) -> (String, String, u64, u64) {
        let found = self.with_code(code);
        assert_eq!(found.len(), 1, "one `{code}` wanted: {:#?}", self.diags);
        let d = found[0];
        (
            d["message"].as_str().unwrap_or("").to_string(),
            d["file"].as_str().unwrap_or("").to_string(),
            d["line"].as_u64().unwrap_or(0),
            d["column"].as_u64().unwrap_or(0),
        )
    }

    pub fn codes(&self) -> Vec<&str> {
        self.diags
            .iter()
            .map(|d| d["code"].as_str().unwrap_or(""))
            .collect()
    }

    /// Exit code 0 and no diagnostic at all.
    pub fn assert_clean(&self) {
        assert_eq!(self.code, Some(0), "{}", self.stderr);
        assert!(self.diags.is_empty(), "{:#?}", self.diags);
    }
}

/// Runs `archsite ARGS --format json` in `cwd`, killing it (and failing the test) when it takes
/// longer than `limit`: a hang is a failure, never a stuck CI job.
pub fn run_json(cwd: &Path, args: &[&str], limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_archsite"))
        .args(args)
        .args(["--format", "json"])
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run archsite");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("archsite {args:?} did not finish within {limit:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = start.elapsed();
    let stdout = out_reader.join().unwrap();
    let stderr = err_reader.join().unwrap();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflowed its stack"),
        "archsite crashed: {stderr}"
    );
    assert!(
        matches!(status.code(), Some(0..=2)),
        "archsite died ({status}): {stderr}"
    );
    let diags = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    Run {
        code: status.code(),
        diags,
        stderr,
        took,
    }
}

const LIMIT: Duration = Duration::from_secs(60);

/// A site folder (`archsite.yaml` + `content/`) in a temporary directory.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("archsite.yaml"), "title: Hostile\n").unwrap();
        fs::create_dir_all(dir.path().join("content")).unwrap();
        Site { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    /// Writes `content/REL`.
    pub fn file(&self, rel: &str, bytes: impl AsRef<[u8]>) -> &Self {
        let path = self.content().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
        self
    }

    pub fn build(&self) -> Run {
        run_json(self.root(), &["build"], LIMIT)
    }

    pub fn check(&self) -> Run {
        run_json(self.root(), &["check"], LIMIT)
    }

    pub fn public(&self, rel: &str) -> String {
        fs::read_to_string(self.root().join("public").join(rel))
            .unwrap_or_else(|e| panic!("public/{rel}: {e}"))
    }
}

#[test]
fn invalid_utf8_is_an_error_at_the_bad_byte() {
    let site = Site::new();
    site.file("index.md", "# Home\n\n[a](a.md)\n");
    // EUC-KR "한글" on line 3.
    site.file("a.md", b"# A\n\nok \xc7\xd1\xb1\xdb\n".as_slice());
    let run = site.build();
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.one("invalid-utf8"),
        (
            "file is not valid UTF-8 (byte 8)".into(),
            "content/a.md".into(),
            3,
            4
        )
    );
    assert!(!site.root().join("public").exists(), "nothing written");
}

#[test]
fn a_byte_order_mark_is_ignored_in_pages_and_data() {
    let site = Site::new();
    site.file(
        "index.md",
        "\u{feff}---\ntitle: With BOM\n---\n# Heading\n\n`=t.a.dev`\n",
    );
    site.file(
        "data/environments.yaml",
        "\u{feff}environments:\n  - {id: dev}\n",
    );
    site.file(
        "data/t.yaml",
        "\u{feff}rows:\n  - {id: a, label: A, dev: 42}\n",
    );
    let run = site.build();
    run.assert_clean();
    let home = site.public("index.html");
    assert!(
        !home.contains("title: With BOM"),
        "front matter was not read"
    );
    assert!(site.public("assets/nav.js").contains("\"With BOM\""));
    assert!(home.contains(">42</span>"), "data was not read: {home}");
}

#[test]
fn crlf_and_mixed_line_endings_keep_positions_right() {
    let site = Site::new();
    site.file(
        "index.md",
        "---\r\ntitle: CRLF\r\n---\r\n# Home\r\n\r\nSee [b](b.md#nope).\r\n",
    );
    // Unix, Windows and old-Mac line ends in one file. Lines are counted by `\n`, as
    // codespan, grep and git count them (a lone `\r` does not start a line).
    site.file("b.md", "# B\n\r\n## Two\r\nText\rmore\n\n[x](missing.md)\n");
    let run = site.check();
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.one("broken-anchor"),
        (
            "`b.md` has no heading `#nope`".into(),
            "content/index.md".into(),
            6,
            9
        )
    );
    assert_eq!(
        run.one("broken-link"),
        (
            "`missing.md` does not exist".into(),
            "content/b.md".into(),
            6,
            5
        )
    );
    assert_eq!(run.diags.len(), 2, "{:#?}", run.diags);
}

#[test]
fn a_50_mb_page_builds_in_bounded_time() {
    let site = Site::new();
    let mut text = String::with_capacity(51 << 20);
    text.push_str("# Big\n\n");
    let mut i = 0;
    while text.len() < 50 << 20 {
        i += 1;
        text.push_str(&format!(
            "## Section {i}\n\nParagraph {i} with *emphasis*, `code`, a [link](#section-{i}) and 한글 텍스트. \
             Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.\n\n\
             - item one\n- item two with <span id=\"s{i}\">html</span>\n\n"
        ));
    }
    // One broken link, at the very end, must still be found and placed; as a warning, so
    // that the one run also renders and writes the page.
    text.push_str("[last](#no-such-heading)\n");
    let lines = text.lines().count() as u64;
    site.file("index.md", &text);
    fs::write(
        site.root().join("archsite.yaml"),
        "title: Big\nseverity:\n  broken-anchor: warning\n",
    )
    .unwrap();
    let run = run_json(site.root(), &["build"], Duration::from_secs(240));
    eprintln!("50 MB page: build took {:?}", run.took);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let (message, file, line, column) = run.one("broken-anchor");
    assert_eq!(
        (message.as_str(), file.as_str(), line, column),
        (
            "this page has no heading `#no-such-heading`",
            "content/index.md",
            lines,
            8
        )
    );
    assert_eq!(run.diags.len(), 1, "{:#?}", run.diags);
    let size = fs::metadata(site.root().join("public/index.html"))
        .unwrap()
        .len();
    assert!(size > 50 << 20, "{size}");
}

#[test]
fn ten_thousand_headings_get_unique_ids() {
    let site = Site::new();
    let mut text = String::from("# Many\n\n");
    for i in 0..10_000 {
        // Half of them repeat one title: ids `same`, `same-1`, ... `same-4999`.
        if i % 2 == 0 {
            text.push_str("## Same\n\n");
        } else {
            text.push_str(&format!("## Heading {i}\n\n"));
        }
    }
    text.push_str("[last](#same-4999) [first](#same)\n");
    site.file("index.md", &text);
    let run = site.build();
    run.assert_clean();
    let html = site.public("index.html");
    assert!(html.contains("id=\"same-4999\""));
    assert!(html.contains("id=\"heading-9999\""));
    assert_eq!(html.matches("<h2 id=\"same").count(), 5_000);
    assert_eq!(html.matches("<h2 id=\"heading-").count(), 5_000);
}

#[test]
fn ten_thousand_deep_lists_and_blockquotes_do_not_overflow_the_stack() {
    let site = Site::new();
    let depth = 10_000;
    let quotes = format!("{} deep quote\n", "> ".repeat(depth));
    // `- - - item` nests a list per marker; indented items nest too (1,000 deep: the
    // indentation grows quadratically).
    let mut list = format!(
        "{}item\n\n{}item\n\n",
        "- ".repeat(depth),
        "1. ".repeat(depth)
    );
    for i in 0..1000 {
        list.push_str(&" ".repeat(2 * i));
        list.push_str("- nested\n");
    }
    let brackets = format!("{}x{}\n", "[".repeat(depth), "](a.md)".repeat(depth));
    let emphasis = format!("{}x{}\n", "*_".repeat(depth), "_*".repeat(depth));
    let html = format!("{}x{}\n", "<div>".repeat(depth), "</div>".repeat(depth));
    site.file("index.md", "# Deep\n\n[q](q.md) [l](l.md) [o](o.md)\n");
    site.file("q.md", format!("# Q\n\n{quotes}"));
    site.file("l.md", format!("# L\n\n{list}"));
    site.file("o.md", format!("# O\n\n{brackets}\n{emphasis}\n{html}"));
    site.file("a.md", "# A\n");
    let run = site.build();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(site.public("q.html").contains("deep quote"));
    assert!(site.public("l.html").matches("<li>").count() >= 2 * depth);
}

fn alias_bomb(indent: &str) -> String {
    let mut text = format!("{indent}a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("{indent}a{i}: &a{i} [{refs}]\n"));
    }
    text
}

#[test]
fn yaml_alias_bombs_are_refused_everywhere() {
    let site = Site::new();
    site.file("index.md", "# Home\n");
    site.file("data/bomb.yaml", alias_bomb(""));
    site.file(
        "fm.md",
        format!(
            "---\nextra:\n{}---\n# Front matter bomb\n",
            alias_bomb("  ")
        ),
    );
    let run = site.check();
    assert_eq!(run.code, Some(1));
    let (message, file, line, column) = run.one("data");
    assert_eq!(
        (message.as_str(), file.as_str(), line),
        (
            "aliases expand past 100000 values (an alias bomb?); refusing to expand",
            "content/data/bomb.yaml",
            5
        )
    );
    assert!(column > 1);
    let (message, file, line, _) = run.one("front-matter");
    assert_eq!((file.as_str(), line), ("content/fm.md", 2), "{message}");
    assert!(message.contains("repetition limit"), "{message}");
    assert!(run.took < Duration::from_secs(20), "{:?}", run.took);

    // The site's own archsite.yaml.
    fs::write(
        site.root().join("archsite.yaml"),
        format!("title: x\nexternal:\n  skip:\n{}", alias_bomb("    - ")),
    )
    .unwrap();
    let run = site.check();
    assert_eq!(run.code, Some(1));
    assert_eq!(run.codes(), ["config"], "{:#?}", run.diags);
}

#[test]
fn duplicate_yaml_keys_are_errors_at_the_second_key() {
    let site = Site::new();
    site.file(
        "index.md",
        "---\ntitle: One\nweight: 1\ntitle: Two\n---\n# Home\n",
    );
    site.file("data/environments.yaml", "environments:\n  - {id: dev}\n");
    site.file(
        "data/t.yaml",
        "rows:\n  - id: a\n    label: A\n    dev: 1\n    label: B\n",
    );
    let run = site.check();
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.one("data"),
        (
            "the key `label` appears twice in this mapping".into(),
            "content/data/t.yaml".into(),
            5,
            5
        )
    );
    let (message, file, line, column) = run.one("front-matter");
    assert_eq!((file.as_str(), line, column), ("content/index.md", 4, 1));
    assert!(message.contains("duplicate"), "{message}");
}

#[test]
fn front_matter_without_its_closing_line() {
    let site = Site::new();
    site.file(
        "index.md",
        "---\ntitle: Open\n\n# Home\n\nNo closing line.\n",
    );
    let run = site.check();
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.one("front-matter"),
        (
            "front matter has no closing `---`".into(),
            "content/index.md".into(),
            1,
            1
        )
    );
}

#[test]
fn a_symlink_loop_in_content_is_reported_and_skipped() {
    let site = Site::new();
    site.file("index.md", "# Home\n\n[g](guide/a.md)\n");
    site.file("guide/a.md", "# A\n");
    std::os::unix::fs::symlink("..", site.content().join("guide/loop")).unwrap();
    std::os::unix::fs::symlink("self.md", site.content().join("self.md")).unwrap();
    let run = site.build();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let messages: Vec<&str> = run
        .with_code("unreadable")
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "symlink loop at `content/guide/loop`",
            "cannot read `content/self.md`: Too many levels of symbolic links (os error 40)"
        ],
        "{:#?}",
        run.diags
    );
    assert!(site.public("guide/a.html").contains("<h1"));
}

#[test]
fn a_symlink_to_a_file_outside_the_site_is_not_published() {
    let site = Site::new();
    let secret = tempfile::tempdir().unwrap();
    fs::write(secret.path().join("secret.txt"), "the secret").unwrap();
    fs::write(secret.path().join("secret.md"), "# the secret\n").unwrap();
    site.file("index.md", "# Home\n");
    std::os::unix::fs::symlink(
        secret.path().join("secret.txt"),
        site.content().join("s.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(secret.path().join("secret.md"), site.content().join("s.md"))
        .unwrap();
    std::os::unix::fs::symlink(secret.path(), site.content().join("dir")).unwrap();
    let run = site.build();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let outside: Vec<&str> = run
        .with_code("outside-site")
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        outside,
        [
            "`content/dir` is a symlink to a folder outside the content folder; it is not published",
            "`content/s.md` is a symlink to a file outside the content folder; it is not published",
            "`content/s.txt` is a symlink to a file outside the content folder; it is not published",
        ]
    );
    for leaked in ["s.txt", "s.html", "dir/secret.txt", "dir/secret.html"] {
        assert!(
            !site.root().join("public").join(leaked).exists(),
            "{leaked}"
        );
    }
    let all = snapshot_text(&site.root().join("public"));
    assert!(!all.contains("the secret"));
}

fn snapshot_text(dir: &Path) -> String {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| String::from_utf8_lossy(&fs::read(e.path()).unwrap()).into_owned())
        .collect()
}

#[test]
fn file_names_with_spaces_hash_and_percent() {
    let site = Site::new();
    site.file(
        "index.md",
        "# Home\n\n[a](<a b.md#two>) [b](a%20b.md) [c](c%23.md) [d](100%25.md) [e](<100%.md>)\n",
    );
    site.file("a b.md", "# A B\n\n## Two\n");
    site.file("c#.md", "# C sharp\n");
    site.file("100%.md", "# Percent\n");
    let run = site.build();
    run.assert_clean();
    let home = site.public("index.html");
    for href in [
        "href=\"a%20b.html#two\"",
        "href=\"a%20b.html\"",
        "href=\"c%23.html\"",
        "href=\"100%25.html\"",
    ] {
        assert!(home.contains(href), "{href} in {home}");
    }
    for page in ["a b.html", "c#.html", "100%.html"] {
        assert!(site.root().join("public").join(page).exists(), "{page}");
    }
    // A `#` not encoded starts the fragment: `c#.md` names `c`, which does not exist.
    site.file("index.md", "# Home\n\n[c](c#.md) [a](a b.md)\n");
    let run = site.check();
    assert_eq!(run.code, Some(1));
    assert_eq!(run.with_code("broken-link").len(), 1, "{:#?}", run.diags);
}

/// `한글` as macOS writes file names (NFD: conjoining jamo) and as keyboards type it (NFC).
const NFD: &str = "\u{1112}\u{1161}\u{11ab}\u{1100}\u{1173}\u{11af}";
const NFC: &str = "\u{d55c}\u{ae00}";

#[test]
fn korean_names_in_nfc_and_nfd_forms() {
    let site = Site::new();
    // A file named in NFD, linked in NFC (and the other way round): the link works and its
    // href names the real file.
    site.file(
        "index.md",
        format!("# Home\n\n[a]({NFC}.md#개요) [b](docs/{NFD}.md)\n"),
    );
    site.file(&format!("{NFD}.md"), "# 한글\n\n## 개요\n");
    site.file(&format!("docs/{NFC}.md"), "# 문서\n");
    let run = site.build();
    run.assert_clean();
    let home = site.public("index.html");
    let encoded = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    assert!(
        home.contains(&format!(
            "href=\"{}.html#%EA%B0%9C%EC%9A%94\"",
            encoded(NFD)
        )),
        "{home}"
    );
    assert!(
        home.contains(&format!("href=\"docs/{}.html\"", encoded(NFC))),
        "{home}"
    );
    assert!(site.root().join(format!("public/{NFD}.html")).exists());

    // Two files whose names differ only in normalization are one file on macOS.
    site.file(&format!("docs/{NFD}.md"), "# 다른 문서\n");
    let run = site.check();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let (message, file, _, _) = run.one("file-name");
    assert_eq!(
        message,
        format!("`docs/{NFD}.md` (NFD) and `docs/{NFC}.md` (NFC) differ only in Unicode normalization: on macOS they are one file")
    );
    assert_eq!(file, format!("content/docs/{NFC}.md"));
}

#[test]
fn names_differing_only_in_case() {
    let site = Site::new();
    site.file(
        "index.md",
        "# Home\n\n[a](guide.md) [b](Guide.md) [c](GUIDE.md)\n",
    );
    site.file("guide.md", "# lower\n");
    site.file("Guide.md", "# upper\n");
    let run = site.check();
    assert_eq!(run.code, Some(1));
    let (message, file, _, _) = run.one("file-name");
    assert_eq!(
        message,
        "`Guide.md` and `guide.md` differ only in letter case: on macOS and Windows they are one file"
    );
    assert_eq!(file, "content/guide.md");
    // Both pages exist on a case-sensitive disk; the third spelling matches neither.
    let (message, file, line, column) = run.one("link-case-mismatch");
    assert_eq!(
        (message.as_str(), file.as_str(), line, column),
        (
            "`GUIDE.md` differs in letter case from `Guide.md`",
            "content/index.md",
            3,
            33
        )
    );
}

#[test]
fn an_empty_content_folder_is_a_warning_and_a_site() {
    let site = Site::new();
    let run = site.build();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.one("empty-site"),
        ("no Markdown files in `content`".into(), "".into(), 0, 0)
    );
    assert!(site.public("index.html").contains("<html"));
}

/// A command prefix that runs as an unprivileged user, when the tests run as root (as CI
/// does) and `setpriv` can drop privileges; `None` otherwise.
fn unprivileged() -> Option<Vec<&'static str>> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some(Vec::new());
    }
    let ok = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| {
        vec![
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ]
    })
}

#[test]
fn an_unreadable_file_is_an_error_at_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let Some(prefix) = unprivileged() else {
        eprintln!("skipped: running as root without `setpriv`, and root reads mode-000 files");
        return;
    };
    let site = Site::new();
    site.file("index.md", "# Home\n\n[s](secret.md)\n");
    site.file("secret.md", "# Secret\n");
    site.file("data/environments.yaml", "environments: [{id: dev}]\n");
    site.file("data/t.yaml", "rows: []\n");
    for path in ["secret.md", "data/t.yaml"] {
        fs::set_permissions(site.content().join(path), fs::Permissions::from_mode(0o000)).unwrap();
    }
    // The unprivileged user must reach the site.
    for dir in [
        site.root().to_path_buf(),
        site.content(),
        site.content().join("data"),
    ] {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut args: Vec<&str> = prefix.clone();
    args.extend([env!("CARGO_BIN_EXE_archsite"), "check", "--format", "json"]);
    let out = Command::new(args[0])
        .args(&args[1..])
        .current_dir(site.root())
        .output()
        .unwrap();
    let diags: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.status.code(), Some(1), "{diags:#?}");
    let unreadable: Vec<(&str, &str)> = diags
        .iter()
        .filter(|d| d["code"] == "unreadable")
        .map(|d| (d["message"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    assert_eq!(
        unreadable,
        [
            (
                "cannot read file: Permission denied (os error 13)",
                "content/data/t.yaml"
            ),
            (
                "cannot read file: Permission denied (os error 13)",
                "content/secret.md"
            ),
        ],
        "{diags:#?}"
    );
}

#[test]
fn a_named_pipe_or_device_in_content_does_not_hang_the_build() {
    let site = Site::new();
    site.file("index.md", "# Home\n");
    let fifo = site.content().join("pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", site.content().join("zero.md")).unwrap();
    std::os::unix::fs::symlink("/dev/urandom", site.content().join("random.png")).unwrap();
    let run = site.build();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let (message, file, _, _) = run.one("unreadable");
    assert_eq!(
        (message.as_str(), file.as_str()),
        (
            "`content/pipe.md` is not a regular file; it is skipped",
            "content/pipe.md"
        )
    );
    // Symlinks to devices lead outside the content folder: never opened.
    let outside: Vec<&str> = run
        .with_code("outside-site")
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(outside, ["content/random.png", "content/zero.md"]);
    assert!(site.public("index.html").contains("Home"));
}

#[test]
fn a_template_with_a_syntax_error_is_reported_at_its_line() {
    let site = Site::new();
    site.file("index.md", "# Home\n");
    fs::create_dir_all(site.root().join("templates")).unwrap();
    fs::write(
        site.root().join("templates/page.html"),
        "<html>\n<body>\n{% if page.title %}\n{{ page.title | nosuchfilter }}\n{% endif\n</body>\n",
    )
    .unwrap();
    let run = site.build();
    assert_eq!(run.code, Some(1));
    let (message, file, line, column) = run.one("template");
    // Where the parser noticed: `{% endif` runs on into the next line.
    assert_eq!(
        (file.as_str(), line),
        ("templates/page.html", 6),
        "{message}"
    );
    assert!(column >= 1);
    assert!(message.starts_with("Failed to parse"), "{message}");
    assert!(!site.root().join("public").exists());
}

#[test]
fn backslashes_and_non_utf8_in_file_names_are_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::new();
    site.file("index.md", "# Home\n");
    // On Windows this name climbs out of the output folder.
    site.file("x\\..\\..\\escape.md", "# Escape\n");
    site.file("a\\b.png", "png");
    let bad = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    fs::write(site.content().join(bad), "# Latin-1 name\n").unwrap();
    let run = site.build();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let messages: Vec<&str> = run
        .with_code("file-name")
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "`content/a\\b.png` has a backslash in its name, a folder separator on Windows; it is skipped",
            "`content/caf\u{fffd}.md` has a name that is not valid UTF-8; it is skipped",
            "`content/x\\..\\..\\escape.md` has a backslash in its name, a folder separator on Windows; it is skipped",
        ],
        "{:#?}",
        run.diags
    );
    assert!(!site.root().join("escape.html").exists());
}

#[test]
fn forty_thousand_broken_links_in_one_page_are_all_placed() {
    let site = Site::new();
    let mut text = String::from("# Big\n\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "Paragraph {i} lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do \
             eiusmod tempor. [x](#nope-{i}) [y](missing-{i}.md)\n\n"
        ));
    }
    site.file("index.md", &text);
    for format in ["json", "human", "github"] {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_archsite"))
            .args(["check", "--format", format])
            .current_dir(site.root())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        eprintln!("40,000 diagnostics as {format}: {:?}", start.elapsed());
        assert_eq!(out.status.code(), Some(1));
        assert!(start.elapsed() < LIMIT, "{format}: {:?}", start.elapsed());
        let printed = String::from_utf8_lossy(if format == "human" {
            &out.stderr
        } else {
            &out.stdout
        });
        if format == "json" {
            let last: Value = serde_json::from_str(printed.lines().last().unwrap()).unwrap();
            assert_eq!(printed.lines().count(), 40_000);
            assert_eq!(
                (&last["message"], &last["line"], &last["column"]),
                (
                    &Value::from("`missing-19999.md` does not exist"),
                    &Value::from(40_001),
                    &Value::from(118)
                )
            );
        }
    }
}

#[test]
fn a_page_a_thousand_folders_deep() {
    // The sidebar, breadcrumbs, sitemap and reading order all walk the folder tree.
    let site = Site::new();
    let deep = vec!["d"; 1000].join("/");
    site.file("index.md", format!("# Home\n\n[deep]({deep}/page.md)\n"));
    site.file(
        &format!("{deep}/page.md"),
        "# Deep\n\n[home](/index.md) [self](#deep)\n",
    );
    let run = site.build();
    run.assert_clean();
    let page = site.public(&format!("{deep}/page.html"));
    assert!(page.contains(&format!("href=\"{}index.html\"", "../".repeat(1000))));
    assert!(site.public("sitemap.html").contains("Deep"));
}
