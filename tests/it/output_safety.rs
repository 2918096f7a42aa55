//! Output safety with real faults: a write that fails halfway (a file-size limit, as a full
//! disk fails it; a file in the way) leaves the previous `public/` byte-identical; the site is
//! never written through a symlink out of the output folder; concurrent builds into one folder
//! take turns and leave one complete site.

use super::hostile::Site;
use super::support::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every file below `dir`, hidden ones included, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// A site of `pages` pages under `guide/`, one of them about `big` bytes long.
fn site_with(pages: usize, big: usize, version: &str) -> Site {
    let site = Site::new();
    let mut index = format!("# Home {version}\n\n");
    for i in 0..pages {
        index.push_str(&format!("- [Page {i}](guide/p{i}.md)\n"));
        site.file(
            &format!("guide/p{i}.md"),
            format!("# Page {i} {version}\n\nText of page {i}, {version}.\n"),
        );
    }
    index.push_str("- [Big](big.md)\n");
    site.file("index.md", index);
    site.file(
        "big.md",
        format!(
            "# Big {version}\n\n{}\n",
            "All work and no play. ".repeat(big / 22)
        ),
    );
    site
}

/// Runs `archsite build` under a shell prefix (limits), with a watchdog.
fn build_limited(site: &Path, shell: &str) -> (Option<i32>, String) {
    let script = format!("{shell}; exec \"$0\" build");
    let mut child = Command::new("bash")
        .args(["-c", &script, env!("CARGO_BIN_EXE_archsite")])
        .current_dir(site)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(60), "build hung");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_write_that_fails_halfway_leaves_the_previous_output_byte_identical() {
    let site = site_with(200, 300_000, "v1");
    let first = site.build();
    first.assert_clean();
    let before = snapshot(&site.root().join("public"));
    // Version 2 changes every page. The big page cannot be written: a file-size limit makes
    // its write fail with EFBIG (ignored SIGXFSZ stays ignored across exec), as a full disk
    // would, while the small pages are written fine.
    let v2 = site_with(200, 300_000, "v2");
    fs::remove_dir_all(site.content()).unwrap();
    copy_dir(&v2.content(), &site.content());
    let (code, stderr) = build_limited(site.root(), "trap '' XFSZ; ulimit -f 128");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error[output]: cannot write `public/big.html`: File too large (os error 27)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("Build failed: nothing was written."),
        "{stderr}"
    );
    assert!(
        snapshot(&site.root().join("public")) == before,
        "public/ changed"
    );
    // Without the limit the same build goes through.
    let (code, stderr) = build_limited(site.root(), "true");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(site.public("guide/p7.html").contains("v2"));
}

#[test]
fn a_file_in_the_way_of_a_folder_fails_before_anything_is_written() {
    let site = site_with(20, 1000, "v1");
    site.build().assert_clean();
    site.file("newdir/x.md", "# New\n\n[home](../index.md)\n");
    let index = fs::read_to_string(site.content().join("index.md")).unwrap();
    site.file("index.md", format!("{index}- [new](newdir/x.md)\n"));
    fs::write(site.root().join("public/newdir"), "in the way").unwrap();
    let before = snapshot(&site.root().join("public"));
    let run = site.build();
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.one("output").0,
        "cannot write `public/newdir`: a file is in the way where the site needs a folder"
    );
    assert!(snapshot(&site.root().join("public")) == before);
    // And a folder where a file goes.
    fs::remove_file(site.root().join("public/newdir")).unwrap();
    site.build().assert_clean();
    site.file("big.md", "# Big again\n");
    fs::remove_file(site.root().join("public/big.html")).unwrap();
    fs::create_dir_all(site.root().join("public/big.html/inside")).unwrap();
    let before = snapshot(&site.root().join("public"));
    let run = site.build();
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.one("output").0,
        "cannot write `public/big.html`: a folder is in the way where the site needs a file"
    );
    assert!(snapshot(&site.root().join("public")) == before);
}

#[test]
fn the_site_is_never_written_through_a_symlink_out_of_the_output_folder() {
    let site = site_with(5, 100, "v1");
    site.build().assert_clean();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(elsewhere.path().join("keep.txt"), "mine").unwrap();
    fs::remove_dir_all(site.root().join("public/guide")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), site.root().join("public/guide")).unwrap();
    let run = site.build();
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.one("output").0,
        "refusing to write into `public/guide`: it is a symlink, and would take the site outside `public`"
    );
    assert_eq!(
        snapshot(elsewhere.path()).len(),
        1,
        "nothing written through the link"
    );
}

#[test]
fn a_temporary_file_left_by_a_killed_build_is_swept() {
    let site = site_with(3, 100, "v1");
    site.build().assert_clean();
    let left = site.root().join("public/guide/.p1.html.999-0.archsite-tmp");
    fs::write(&left, "half").unwrap();
    fs::write(site.root().join("public/.nojekyll"), "").unwrap();
    site.build().assert_clean();
    assert!(!left.exists());
    assert!(
        site.root().join("public/.nojekyll").exists(),
        "other hidden files stay"
    );
}

#[test]
fn concurrent_builds_into_one_folder_leave_one_complete_site() {
    // Two different sites built at once into the same folder, several times: each time the
    // folder ends as exactly one of the two sites, never a mix, and no build fails.
    let one = site_with(400, 20_000, "one");
    let two = site_with(400, 20_000, "two");
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("shared");
    let reference = |site: &Site| {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ref");
        let run = super::hostile::run_json(
            site.root(),
            &["build", "--output", target.to_str().unwrap()],
            Duration::from_secs(60),
        );
        run.assert_clean();
        let s = snapshot(&target);
        (dir, s)
    };
    let (_d1, expect_one) = reference(&one);
    let (_d2, expect_two) = reference(&two);
    for round in 0..6 {
        let spawn = |site: &Site| {
            Command::new(env!("CARGO_BIN_EXE_archsite"))
                .args(["build", "--output", out.to_str().unwrap()])
                .current_dir(site.root())
                .env("NO_COLOR", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = if round % 2 == 0 {
            (spawn(&one), spawn(&two))
        } else {
            (spawn(&two), spawn(&one))
        };
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let got = snapshot(&out);
        assert!(
            got == expect_one || got == expect_two,
            "round {round}: the folder is a mix of two builds ({} files; {} and {} expected)",
            got.len(),
            expect_one.len(),
            expect_two.len()
        );
    }
}

#[test]
fn a_build_waits_while_another_holds_the_output_folder() {
    let site = site_with(3, 100, "v1");
    site.build().assert_clean();
    let marker = site.root().join("public/.archsite-output");
    // Another writer holds the folder's lock (flock(1) takes the same lock archsite takes).
    let Ok(mut holder) = Command::new("flock")
        .arg(&marker)
        .args(["sleep", "2"])
        .spawn()
    else {
        eprintln!("skipped: no flock(1) on this machine");
        return;
    };
    std::thread::sleep(Duration::from_millis(300));
    site.file("guide/p1.md", "# Page 1 changed\n\nText.\n");
    let start = Instant::now();
    let run = site.build();
    let waited = start.elapsed();
    holder.wait().unwrap();
    run.assert_clean();
    assert!(
        waited >= Duration::from_millis(1500),
        "did not wait: {waited:?}"
    );
    assert!(site.public("guide/p1.html").contains("Page 1 changed"));
}
