//! The ground floor: small pure helpers every stage uses, depending on nothing of the pipeline
//! (no `crate::` import here; `tests/it/architecture.rs` holds it so). HTML escaping, output
//! URLs and relative hrefs, link paths, GitHub heading ids, the language of a code block, the
//! Markdown dialect, Hangul composition, YAML with positions.
//!
//! Anything that needs the site model, a diagnostic or the configuration belongs to a stage,
//! not here.

pub mod fence;
pub mod hangul;
pub mod html;
pub mod markdown;
pub mod slug;
pub mod text;
pub mod urls;
pub mod yaml;

pub use html::escape_html;
