//! The data loader: `data/*.yaml` tables (and `data/environments.yaml`) validated into the data
//! model, with a diagnostic at each bad key or value. The input is one table file; with a NUL
//! byte, the part before it is `environments.yaml` instead of the fixed one.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::data_file(data));
