//! The one integration test binary: fixture sites with golden output, diagnostics goldens, and
//! the `archsite` command run as a user would.

mod api;
mod architecture;
mod cli;
mod cold_warm;
mod corpus;
mod escaping;
mod external;
mod fuzz_replay;
mod golden;
mod hostile;
mod lints;
mod mermaid;
mod mermaid_native;
mod output_safety;
mod plantuml;
mod preview_equals_build;
mod search;
mod serve;
mod serve_attack;
mod serve_guard;
mod support;
mod tables;
mod whole_folder;
