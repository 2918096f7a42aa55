//! archsite: a static site generator for architecture documentation.
//!
//! The build is a pipeline of stages over plain data (`model`), each returning values plus
//! diagnostics (`diag`), run in order by `pipeline`:
//!
//! 1. `config`: find the site and read the optional `archsite.yaml`;
//! 2. `load`: walk the content folder, read Markdown, list files to publish; then `data::load`
//!    reads the YAML data tables;
//! 3. `parse`: per page: front matter, headings with GitHub ids, links, diagrams, with byte
//!    spans; then `diagram` checks every Mermaid diagram with mermaid's own parser;
//! 4. `resolve`: whole site: URLs, links and anchors, navigation, backlinks, environments; then
//!    `lint` runs the checks that only report (one file per check; every code and its default
//!    severity in `diag::codes`), and `data::resolve` checks and computes the data tables and
//!    inline values of every page;
//! 5. `render`: view models → HTML with the theme's Tera templates, as an in-memory `Output`;
//!    then `search` indexes the pages (sections, Korean-aware terms) into script shards;
//! 6. `output`: write only what changed, atomically, and only after a build without errors.
//!
//! `serve` sits on top of the pipeline; nothing in the pipeline knows about it. `base` is the
//! ground floor (HTML escaping, URLs, slugs), using nothing of the pipeline;
//! `tests/it/architecture.rs` checks which module may use which.

// Diagnostics travel in `Result`s on cold paths only (a failed file, a broken template); boxing
// them would cost every call site clarity for no measurable gain.
#![allow(clippy::result_large_err)]

pub mod alloc;
pub mod base;
pub mod cli;
pub mod config;
pub mod diag;
pub mod diagram;
pub mod external;
pub mod init;
pub mod kinds;
pub mod lint;
pub mod load;
pub mod model;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod render;
pub mod resolve;
pub mod search;
pub mod serve;
pub mod theme;
