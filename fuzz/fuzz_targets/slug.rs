//! GitHub heading ids: `github_slug` and the per-page de-duplication. Properties: no spaces, no
//! ASCII uppercase or punctuation but `-` and `_`, idempotent, and ids unique on a page.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::slug(data));
