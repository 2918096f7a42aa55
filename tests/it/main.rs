//! The one integration test binary: fixture sites with golden output, diagnostics goldens, and
//! the `archsite` command run as a user would.

mod cli;
mod external;
mod golden;
mod lints;
mod mermaid;
mod search;
mod serve;
mod support;
mod tables;
