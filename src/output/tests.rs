use super::manifest::{identity, usable_manifest};
use super::*;

fn site(files: &[(&str, &str)]) -> Output {
    let mut out = Output::default();
    for (p, b) in files {
        out.insert(p.to_string(), OutputFile::Bytes(b.as_bytes().to_vec()));
    }
    out
}

/// A temporary folder holding a site (`site/`, content in `site/content/`) that no write
/// may touch.
struct Fixture {
    tmp: tempfile::TempDir,
    content: PathBuf,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        Fixture {
            content: root.join("content"),
            root,
            tmp,
        }
    }

    fn protected(&self) -> Protected<'_> {
        Protected {
            content_dir: &self.content,
            site_root: &self.root,
        }
    }
}

#[test]
fn writes_only_changed_files_and_removes_stale_ones() {
    let fx = Fixture::new();
    let (tmp, p) = (&fx.tmp, fx.protected());
    let out = tmp.path().join("public");
    let first = write(
        &site(&[("a.html", "1"), ("d/b.html", "2")]),
        &out,
        &p,
        false,
    )
    .unwrap();
    assert_eq!(
        first,
        WriteStats {
            written: 2,
            unchanged: 0,
            removed: 0,
            kept: 0
        }
    );
    fs::write(out.join(".nojekyll"), "").unwrap();
    let second = write(&site(&[("a.html", "1"), ("c.html", "3")]), &out, &p, false).unwrap();
    assert_eq!(
        second,
        WriteStats {
            written: 1,
            unchanged: 1,
            removed: 1,
            kept: 0
        }
    );
    assert!(!out.join("d").exists());
    assert!(out.join(".nojekyll").exists());
}

#[test]
fn output_paths_must_stay_inside_the_folder() {
    for bad in [
        "../x.html",
        "a/../../x",
        "/etc/passwd",
        "a//b",
        "./a",
        "a\\..\\x",
        "",
    ] {
        assert!(!is_inside(bad), "{bad}");
    }
    assert!(is_inside("a/b c/한글.html"));
    let fx = Fixture::new();
    let (tmp, p) = (&fx.tmp, fx.protected());
    let out = tmp.path().join("deep/public");
    let err = write(&site(&[("../escaped.html", "x")]), &out, &p, false).unwrap_err();
    assert!(err.message.contains("not a path inside"), "{}", err.message);
    assert!(!tmp.path().join("deep/escaped.html").exists());
}

#[test]
fn refuses_foreign_folders_and_the_sources() {
    let fx = Fixture::new();
    let (tmp, p, content, root) = (&fx.tmp, fx.protected(), &fx.content, &fx.root);
    fs::create_dir_all(content).unwrap();
    let foreign = tmp.path().join("mine");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("keep.txt"), "x").unwrap();
    assert!(write(&site(&[("a.html", "1")]), &foreign, &p, false).is_err());
    assert!(foreign.join("keep.txt").exists());
    assert!(write(&site(&[("a.html", "1")]), root, &p, true).is_err());
    assert!(write(&site(&[("a.html", "1")]), tmp.path(), &p, true).is_err());
    assert!(write(&site(&[("a.html", "1")]), Path::new("/"), &p, true).is_err());
}

fn staged_build(out: &Path, p: &Protected, files: &[(&str, &str)]) -> WriteStats {
    let staging = Staging::new(out, &out.join("../cache"), p, false).unwrap();
    let mut output = Output::default();
    for (rel, text) in files {
        let entry = staging.stage(rel, bytes(text));
        output.insert_entry(rel.to_string(), entry);
    }
    let stats = staging.write(&output).unwrap();
    staging.discard();
    stats
}

fn bytes(text: &str) -> OutputFile {
    OutputFile::Bytes(text.as_bytes().to_vec())
}

/// Every file under `dir` (hidden ones included) with its text.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy();
            (rel.into_owned(), fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn a_cold_build_moves_new_folders_into_place_whole() {
    let fx = Fixture::new();
    let (tmp, p) = (&fx.tmp, fx.protected());
    let out = tmp.path().join("public");
    let files = [
        ("index.html", "home"),
        ("a/b/c.html", "c"),
        ("a/d.html", "d"),
        ("e/f.html", "f"),
    ];
    let staging = Staging::new(&out, &tmp.path().join("cache"), &p, false).unwrap();
    assert!(staging.fresh);
    let mut output = site(&[("a/b/bytes.html", "not staged"), ("top.txt", "t")]);
    for (rel, text) in files {
        let entry = staging.stage(rel, bytes(text));
        assert_eq!(entry, Entry(Held::Staged(staging.dir.join(rel))));
        output.insert_entry(rel.to_string(), entry);
    }
    // Nothing outside the staging folder changes before `write`.
    assert!(tree(&out)
        .keys()
        .all(|rel| rel == MARKER || rel.starts_with(STAGING_PREFIX)));
    let stats = staging.write(&output).unwrap();
    staging.discard();
    assert_eq!((stats.written, stats.unchanged, stats.removed), (6, 0, 0));
    let mut want: BTreeMap<String, String> = files
        .iter()
        .map(|(rel, text)| (rel.to_string(), text.to_string()))
        .collect();
    want.insert("a/b/bytes.html".into(), "not staged".into());
    want.insert("top.txt".into(), "t".into());
    want.insert(MARKER.into(), MARKER_TEXT.into());
    assert_eq!(tree(&out), want);
}

#[test]
fn a_rebuild_writes_only_the_changed_file_and_new_folders() {
    let fx = Fixture::new();
    let (tmp, p) = (&fx.tmp, fx.protected());
    let out = tmp.path().join("public");
    let v1 = [
        ("index.html", "home"),
        ("a/b.html", "b1"),
        ("a/c.html", "c"),
    ];
    staged_build(&out, &p, &v1);
    let mtime = |rel: &str| fs::metadata(out.join(rel)).unwrap().modified().unwrap();
    let (home, c) = (mtime("index.html"), mtime("a/c.html"));
    std::thread::sleep(Duration::from_millis(20));
    fs::create_dir(out.join("empty")).unwrap();
    let v2 = [
        ("index.html", "home"),
        ("a/b.html", "b2"),
        ("a/c.html", "c"),
        ("n/m/new.html", "new"),
    ];
    let stats = staged_build(&out, &p, &v2);
    assert_eq!((stats.written, stats.unchanged, stats.removed), (2, 2, 0));
    assert_eq!((mtime("index.html"), mtime("a/c.html")), (home, c));
    assert_eq!(fs::read_to_string(out.join("a/b.html")).unwrap(), "b2");
    assert_eq!(fs::read_to_string(out.join("n/m/new.html")).unwrap(), "new");
    assert!(!out.join("empty").exists(), "an empty folder is swept");
    // And one file fewer: it goes, its folder with it, the others stay.
    let stats = staged_build(&out, &p, &v2[..3]);
    assert_eq!(stats.removed, 1);
    assert!(!out.join("n").exists());
    assert_eq!(tree(&out).len(), 4);
}

#[test]
fn a_failed_rename_removes_what_was_not_renamed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut renames = Vec::new();
    for i in 0..50 {
        let from = dir.join(format!("staged-{i}"));
        fs::write(&from, i.to_string()).unwrap();
        renames.push(Rename {
            from,
            to: dir.join(format!("page-{i}")),
        });
    }
    // A folder that holds something cannot be replaced by a file.
    fs::create_dir_all(dir.join("page-7/inside")).unwrap();
    let (diag, left) = rename_all(&renames, false).unwrap_err();
    assert!(diag.message.contains("page-7"), "{}", diag.message);
    assert!(left.iter().any(|r| r.to.ends_with("page-7")));
    let made = dir.join("made");
    fs::create_dir(&made).unwrap();
    roll_back(&left, vec![made.clone()]);
    for (i, r) in renames.iter().enumerate() {
        assert!(!r.from.exists(), "staged-{i} is left");
        let renamed = !left.iter().any(|l| l.from == r.from);
        assert_eq!(r.to.is_file(), renamed && i != 7, "page-{i}");
    }
    assert!(dir.join("page-7/inside").is_dir());
    assert!(!made.exists());
}

#[test]
fn a_failed_build_leaves_a_new_folder_removed_and_stages_nothing_outside() {
    let fx = Fixture::new();
    let (tmp, p) = (&fx.tmp, fx.protected());
    let out = tmp.path().join("public");
    let staging = Staging::new(&out, &tmp.path().join("cache"), &p, false).unwrap();
    assert!(matches!(
        staging.stage("../x.html", bytes("x")).0,
        Held::File(OutputFile::Bytes(_))
    ));
    assert!(matches!(
        staging.stage("a/b.html", bytes("b")).0,
        Held::Staged(_)
    ));
    assert!(!tmp.path().join("x.html").exists());
    staging.discard();
    assert!(!out.exists());
}

#[test]
fn check_folders_looks_at_each_folder_once_and_reports_the_missing() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("a/b")).unwrap();
    let output = site(&[("a/b/c/d.html", ""), ("a/b/e.html", ""), ("x/y/z.html", "")]);
    let missing = check_folders(tmp.path(), &output).unwrap();
    assert_eq!(
        missing.into_iter().collect::<Vec<_>>(),
        ["a/b/c", "x", "x/y"]
    );
    let clash = site(&[("x", ""), ("x/y.html", "")]);
    assert!(check_folders(tmp.path(), &clash).is_err());
}

#[test]
fn the_manifest_records_what_staging_saw_and_keeps_only_untouched_pages() {
    let fx = Fixture::new();
    let (tmp, p) = (&fx.tmp, fx.protected());
    let (out, cache) = (tmp.path().join("public"), tmp.path().join("cache"));
    let build = |pages: &[(&str, &str)]| {
        let staging = Staging::new(&out, &cache, &p, false).unwrap();
        let kept = staging.kept_pages();
        let mut output = Output::default();
        for (url, text) in pages {
            let entry = if kept.get(*url) == Some(&7) {
                Entry(Held::Kept)
            } else {
                staging.stage(url, bytes(text))
            };
            output.insert_page(url.to_string(), entry, 7);
        }
        staging.write(&output).unwrap();
        save_manifest(&cache, &out, &output, Some(&staging));
        staging.discard();
        kept
    };
    let pages = [("a.html", "a"), ("d/b.html", "b"), ("d/c.html", "c")];
    assert!(build(&pages).is_empty());
    let recorded = usable_manifest(&cache, &out).unwrap().pages;
    for (url, (_, size, mtime)) in &recorded {
        assert_eq!(identity(&out.join(url)), Some((*size, *mtime)), "{url}");
    }
    std::thread::sleep(Duration::from_millis(20));
    fs::write(out.join("d/b.html"), "tampered").unwrap();
    let kept = build(&pages);
    assert_eq!(kept.len(), 2);
    assert!(!kept.contains_key("d/b.html"));
    assert_eq!(fs::read_to_string(out.join("d/b.html")).unwrap(), "b");
    assert_eq!(build(&pages).len(), 3);
}

#[test]
fn a_folder_whose_files_nearly_all_change_is_swapped_whole() {
    use std::os::unix::fs::MetadataExt;
    let fx = Fixture::new();
    let (tmp, p) = (&fx.tmp, fx.protected());
    let out = tmp.path().join("public");
    let names: Vec<String> = (0..40).map(|i| format!("s/{i}.js")).collect();
    let v1: Vec<(&str, String)> = names
        .iter()
        .map(|n| (n.as_str(), format!("1 {n}")))
        .collect();
    // Two files stay as they were, one goes, the rest change.
    let v2: Vec<(&str, String)> = v1[..39]
        .iter()
        .enumerate()
        .map(|(i, (n, t))| (*n, if i < 2 { t.clone() } else { format!("2 {n}") }))
        .collect();
    fn text<'a>(v: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
        v.iter().map(|(n, t)| (*n, t.as_str())).collect()
    }
    for hidden in [false, true] {
        let _ = fs::remove_dir_all(&out);
        staged_build(&out, &p, &text(&v1));
        if hidden {
            fs::write(out.join("s/.keep"), "").unwrap();
        }
        let folder = fs::metadata(out.join("s")).unwrap().ino();
        let kept = fs::metadata(out.join("s/0.js")).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let stats = staged_build(&out, &p, &text(&v2));
        assert_eq!((stats.written, stats.unchanged, stats.removed), (37, 2, 1));
        let mut want: BTreeMap<String, String> =
            v2.iter().map(|(n, t)| (n.to_string(), t.clone())).collect();
        want.insert(MARKER.into(), MARKER_TEXT.into());
        if hidden {
            want.insert("s/.keep".into(), String::new());
        }
        assert_eq!(tree(&out), want);
        let now = fs::metadata(out.join("s/0.js")).unwrap();
        assert_eq!(
            (now.ino(), now.mtime_nsec()),
            (kept.ino(), kept.mtime_nsec())
        );
        // Swapped unless a hidden file must stay.
        let swapped = fs::metadata(out.join("s")).unwrap().ino() != folder;
        assert_eq!(swapped, !hidden);
    }
}
