//! The ```` ```table ```` directive of a page: its YAML body parsed into a directive, with a
//! span for every key and value. Spans must lie inside the page's text.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::table_directive(data));
