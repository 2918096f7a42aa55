//! Shared helpers: fixture paths, copying a fixture to a temp folder, running the binary, and
//! comparing with golden files (`ARCHSITE_BLESS=1` rewrites them).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Where the tests' runs of the binary keep their caches (under cargo's target folder, not the
/// user's cache folder).
pub fn test_cache_root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("archsite-cache")
}

/// Runs `archsite` with `args` in `cwd`, without colour.
pub fn archsite(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsite"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env(archsite::config::CACHE_ENV, test_cache_root())
        .output()
        .expect("run archsite")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn blessing() -> bool {
    std::env::var_os("ARCHSITE_BLESS").is_some()
}

/// Compares `actual` with the golden file, or writes it when blessing.
pub fn assert_golden(path: &Path, actual: &str) {
    if blessing() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {} (run with ARCHSITE_BLESS=1)",
            path.display()
        )
    });
    if expected != actual {
        let diff = first_difference(&expected, actual);
        panic!(
            "{} differs from the output (run with ARCHSITE_BLESS=1 to accept):\n{diff}",
            path.display()
        );
    }
}

fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n- {e}\n+ {a}", i + 1);
        }
    }
    format!(
        "line counts differ: {} expected, {} actual",
        expected.lines().count(),
        actual.lines().count()
    )
}
