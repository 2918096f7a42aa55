//! archsite: a static site generator for architecture documentation.
//!
//! The build is a pipeline of stages over plain data (`model`), each returning values plus
//! diagnostics (`diag`, every code with its default severity in `diag::codes`), run in order by
//! `pipeline`:
//!
//! 1. `config`: find the site and read the optional `archsite.yaml`;
//! 2. `load`: walk the content folder; read Markdown, data files and the files other page kinds
//!    claim (`kinds`); list the files to publish;
//! 3. `parse`: each file on its own: front matter and the page's one pass over its Markdown
//!    (a `model::document::Document`: the events, each with what it is), data-table
//!    directives, data files; pages of other kinds (`kinds`: diagram files); then `diagram`
//!    checks every diagram with its language's engine;
//! 4. `resolve`: the whole site: URLs, links and anchors, navigation, backlinks, environments,
//!    and the data tables (`resolve::tables`); then `lint` runs the checks that only report;
//! 5. `render`: data tables and pages → HTML with the theme's Tera templates, each page handed
//!    to the build's `output::Destination`; beside it `search` indexes the pages' documents;
//! 6. `output`: decides what becomes of each file; writes only what changed, atomically, and
//!    only after a build without errors.
//!
//! `serve` and `cli` sit on top of the pipeline; nothing in the pipeline knows about them.
//! `base` is the ground floor (HTML escaping, URLs, slugs, a code block's language), using
//! nothing of the pipeline. `tests/it/architecture.rs` checks which module may use which;
//! docs/architecture.md says where each kind of change goes.

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
