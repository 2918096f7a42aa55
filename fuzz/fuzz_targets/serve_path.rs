//! `serve`: a request head parsed as the server parses it, then its path mapped to the
//! in-memory site. Whatever the bytes, the answer is one of the site's files, its 404 page, or
//! a redirect to a path of the same site (never another host), and nothing is read from disk.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::serve_path(data));
