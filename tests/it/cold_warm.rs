//! Cold means cold, and warm changes nothing: a build with no cache anywhere (a fresh copy of
//! the site, an empty cache folder) and builds that find the caches of an earlier one (Mermaid
//! verdicts, the output manifest) write the same bytes; and the caches live in the user's cache
//! folder, so that `check` and `build` write nothing into the site folder but the output.

use super::support::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Every file under `dir` (relative path → bytes).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Runs archsite in `site` with `cache` as the cache root.
fn run(site: &Path, cache: &Path, args: &[&str]) -> std::process::Output {
    run_with(site, cache, args, &[])
}

fn run_with(
    site: &Path,
    cache: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_archsite"))
        .args(args)
        .current_dir(site)
        .env("NO_COLOR", "1")
        .env(archsite::config::CACHE_ENV, cache)
        .envs(env.iter().copied())
        .output()
        .expect("run archsite");
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

fn assert_same(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    let names = |t: &BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(a), names(b), "{what}: the same files");
    for (name, bytes) in a {
        assert!(bytes == &b[name], "{what}: {name} differs");
    }
}

/// Copies of the fixture sites with valid diagrams, and with broken ones published with their
/// errors (severity lowered), so that both kinds of verdict are built.
fn diagram_sites() -> Vec<(&'static str, tempfile::TempDir)> {
    [
        ("diagrams", ""),
        ("diagrams-broken", "severity:\n  mermaid-syntax: warning\n"),
    ]
    .into_iter()
    .map(|(name, config)| {
        let site = tempfile::tempdir().unwrap();
        copy_dir(&fixture(name).join("site"), site.path());
        std::fs::write(site.path().join("archsite.yaml"), config).unwrap();
        (name, site)
    })
    .collect()
}

#[test]
fn cold_and_warm_builds_write_identical_bytes() {
    // Valid diagrams, and broken ones published with their errors (severity lowered): both
    // kinds of verdict come from the cache in the warm builds.
    for (name, site) in diagram_sites() {
        let cache = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let (cold, warm) = (out.path().join("cold"), out.path().join("warm"));

        run(
            site.path(),
            cache.path(),
            &["build", "--output", cold.to_str().unwrap()],
        );
        let cold_files = tree(&cold);
        let cached = tree(cache.path());
        assert!(
            cached.keys().any(|k| k.ends_with("mermaid-verdicts.json")),
            "{name}: the cold build left its verdicts for the next: {:?}",
            cached.keys()
        );

        // Warm: the verdicts come from the cache, into a new output folder.
        run(
            site.path(),
            cache.path(),
            &["build", "--output", warm.to_str().unwrap()],
        );
        assert_same(&cold_files, &tree(&warm), name);
        // Warm again, into the first output folder (pages kept by the manifest).
        run(
            site.path(),
            cache.path(),
            &["build", "--output", cold.to_str().unwrap()],
        );
        assert_same(&cold_files, &tree(&cold), name);
        // And a second cold build (a new, empty cache) gives the same bytes once more.
        let fresh = tempfile::tempdir().unwrap();
        let again = out.path().join("again");
        run(
            site.path(),
            fresh.path(),
            &["build", "--output", again.to_str().unwrap()],
        );
        assert_same(&cold_files, &tree(&again), name);
    }
}

/// The native path (mermaid's grammars run in Rust) changes no byte of a site: a cold build
/// with it and one with every diagram left to mermaid in QuickJS (`ARCHSITE_MERMAID_NATIVE=0`)
/// write the same files, valid and broken diagrams alike.
#[test]
fn builds_with_and_without_the_native_grammars_write_identical_bytes() {
    for (name, site) in diagram_sites() {
        let out = tempfile::tempdir().unwrap();
        let mut trees = Vec::new();
        for native in ["1", "0"] {
            let cache = tempfile::tempdir().unwrap();
            let dest = out.path().join(native);
            run_with(
                site.path(),
                cache.path(),
                &["build", "--output", dest.to_str().unwrap()],
                &[("ARCHSITE_MERMAID_NATIVE", native)],
            );
            trees.push(tree(&dest));
        }
        assert_same(&trees[0], &trees[1], name);
    }
}

#[test]
fn check_and_build_write_nothing_into_the_site_folder() {
    let site = tempfile::tempdir().unwrap();
    copy_dir(&fixture("diagrams").join("site"), site.path());
    let cache = tempfile::tempdir().unwrap();
    let before = tree(site.path());
    run(site.path(), cache.path(), &["check"]);
    assert_same(&before, &tree(site.path()), "after check");
    assert!(
        !tree(cache.path()).is_empty(),
        "check kept its verdicts in the cache folder"
    );
    run(site.path(), cache.path(), &["build"]);
    let after: BTreeMap<_, _> = tree(site.path())
        .into_iter()
        .filter(|(k, _)| !k.starts_with("public/") && !k.starts_with("public\\"))
        .collect();
    assert_same(&before, &after, "after build (output aside)");
}
