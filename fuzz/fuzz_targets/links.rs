//! Link and anchor resolution over a whole small site: pages (`=== path ===` separates files
//! in the input) parsed, then `resolve` (URLs, every link and anchor, navigation, backlinks,
//! environments) and the data tables' directives and inline values resolved against data files
//! of the same input. Diagnostics are rendered against the sources.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::links(data));
