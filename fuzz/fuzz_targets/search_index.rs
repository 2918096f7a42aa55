//! The search index of a small site: valid JSON in every file, nothing that ends an inline
//! script, whatever the text; queries never panic.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::search_index(data));
