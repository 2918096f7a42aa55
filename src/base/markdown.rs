//! The Markdown dialect archsite reads: CommonMark with GitHub's extensions. Every stage that
//! runs pulldown-cmark runs it with these options, so that they all see the same document.

use pulldown_cmark::Options;

/// Tables, footnotes, strikethrough, task lists, heading ids (`{#id}`) and GitHub's alerts.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}
