//! The fuzz targets' checks (`fuzz/fuzz_targets/checks.rs`, shared source) run over every
//! committed input: the seed corpora (`fuzz/seeds/<target>/`) and the inputs of crashes that
//! fuzzing found (`fuzz/regressions/<target>/<what it guards>`). So each past crash stays a
//! regression test of the ordinary suite, on stable Rust, without libFuzzer.

#[path = "../../fuzz/fuzz_targets/checks.rs"]
mod checks;

use std::path::Path;

type Check = fn(&[u8]);

const TARGETS: &[(&str, Check)] = &[
    ("page", checks::page),
    ("table_directive", checks::table_directive),
    ("data_file", checks::data_file),
    ("links", checks::links),
    ("slug", checks::slug),
    ("serve_path", checks::serve_path),
    ("search_index", checks::search_index),
];

fn replay(folder: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(folder);
    let mut count = 0;
    for (target, check) in TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let name = file.display().to_string();
            let result = std::panic::catch_unwind(|| check(&bytes));
            assert!(result.is_ok(), "{target} panics on {name}");
            count += 1;
        }
    }
    count
}

#[test]
fn every_seed_input_passes_its_target_checks() {
    let n = replay("seeds");
    assert!(n > 100, "only {n} seeds");
}

#[test]
fn every_input_fuzzing_made_crash_is_fixed() {
    replay("regressions");
}
