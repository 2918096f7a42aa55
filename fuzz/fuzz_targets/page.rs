//! Front matter + Markdown → page model (`parse_page`), then the page body rendered to HTML
//! and every diagnostic rendered against the text. Any panic is a bug; so is a span outside
//! the text.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::page(data));
