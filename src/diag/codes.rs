//! Every diagnostic code with its default severity: the one table the code reads. A check
//! names a `Code` (`Diagnostic::new(codes::BROKEN_LINK, …)`) and never a severity; the site's
//! overrides (`severity:` in `archsite.yaml`) and `--deny warnings` are applied once, at the
//! end of a build (`apply_levels`). The README's table of codes is checked against this one
//! (`tests/it/lints.rs`).
//!
//! A new check adds its code here (configurable ones among the configurable, in the order the
//! README lists them), then uses the constant.

use super::{Diagnostic, Severity};
use std::collections::BTreeMap;

/// A diagnostic code: its name (`broken-link`, shown as `error[broken-link]`), its severity
/// unless the site says otherwise, and whether the site may say otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub name: &'static str,
    pub default: Severity,
    /// Whether `severity:` in `archsite.yaml` may raise, lower or switch it off. Errors in the
    /// site's own configuration, templates or files cannot be switched off.
    pub configurable: bool,
}

impl Code {
    const fn configurable(name: &'static str, default: Severity) -> Code {
        Code {
            name,
            default,
            configurable: true,
        }
    }

    const fn fixed(name: &'static str, default: Severity) -> Code {
        Code {
            name,
            default,
            configurable: false,
        }
    }
}

use Severity::{Error, Warning};

// Links (resolve/links.rs).
pub const BROKEN_LINK: Code = Code::configurable("broken-link", Error);
pub const BROKEN_ANCHOR: Code = Code::configurable("broken-anchor", Error);
pub const LINK_CASE_MISMATCH: Code = Code::configurable("link-case-mismatch", Error);
pub const LINK_OUTSIDE_SITE: Code = Code::configurable("link-outside-site", Error);
pub const EMPTY_LINK: Code = Code::configurable("empty-link", Warning);
// Lints (lint/) and the parse of a page.
pub const UNCLOSED_FENCE: Code = Code::configurable("unclosed-fence", Warning);
pub const ORPHAN_PAGE: Code = Code::configurable("orphan-page", Warning);
pub const UNRESOLVED_PATH: Code = Code::configurable("unresolved-path", Warning);
pub const DUPLICATE_ID: Code = Code::configurable("duplicate-id", Warning);
pub const INSECURE_LINK: Code = Code::configurable("insecure-link", Warning);
pub const OUTSIDE_SITE: Code = Code::configurable("outside-site", Warning);
pub const FILE_NAME: Code = Code::configurable("file-name", Warning);
/// A folder with more than one index page (`index.md` and `README.md`): one is chosen.
pub const DUPLICATE_INDEX: Code = Code::configurable("duplicate-index", Warning);
/// A front-matter key that looks like a misspelling of one archsite reads (`wieght`).
pub const FRONT_MATTER_KEY: Code = Code::configurable("front-matter-key", Warning);
// `check --external` (external/).
pub const EXTERNAL_BROKEN: Code = Code::configurable("external-broken", Error);
pub const EXTERNAL_ANCHOR: Code = Code::configurable("external-anchor", Error);
pub const EXTERNAL_TIMEOUT: Code = Code::configurable("external-timeout", Error);
pub const EXTERNAL_UNREACHABLE: Code = Code::configurable("external-unreachable", Error);
pub const EXTERNAL_REDIRECT: Code = Code::configurable("external-redirect", Warning);
pub const EXTERNAL_CACHE: Code = Code::configurable("external-cache", Warning);
// Data tables and diagrams.
pub const DATA_REF: Code = Code::configurable("data-ref", Error);
pub const MERMAID_SYNTAX: Code = Code::configurable("mermaid-syntax", Error);
pub const MERMAID_UNCHECKED: Code = Code::configurable("mermaid-unchecked", Warning);
pub const PLANTUML_SYNTAX: Code = Code::configurable("plantuml-syntax", Error);
pub const PLANTUML_INCLUDE: Code = Code::configurable("plantuml-include", Error);
pub const PLANTUML_MISSING: Code = Code::configurable("plantuml-missing", Warning);
// OpenAPI specs (kinds/openapi/; a `$ref` that leads nowhere is reported by resolve/links.rs).
pub const OPENAPI_REF: Code = Code::configurable("openapi-ref", Error);
pub const OPENAPI: Code = Code::configurable("openapi", Error);
// The site's own files and settings: not configurable.
pub const FRONT_MATTER: Code = Code::fixed("front-matter", Error);
pub const DATA: Code = Code::fixed("data", Error);
pub const CONFIG: Code = Code::fixed("config", Error);
/// A `nav:` entry that names no top-level page or folder: the rest of the sidebar still works.
pub const CONFIG_NAV: Code = Code::fixed("config", Warning);
pub const SITE_NOT_FOUND: Code = Code::fixed("site-not-found", Error);
pub const INVALID_UTF8: Code = Code::fixed("invalid-utf8", Error);
pub const UNREADABLE: Code = Code::fixed("unreadable", Error);
/// A symlink loop, a named pipe or a device: skipped, with a warning.
pub const UNREADABLE_SKIPPED: Code = Code::fixed("unreadable", Warning);
pub const URL_CONFLICT: Code = Code::fixed("url-conflict", Error);
pub const TEMPLATE: Code = Code::fixed("template", Error);
pub const OUTPUT: Code = Code::fixed("output", Error);
pub const EMPTY_SITE: Code = Code::fixed("empty-site", Warning);

/// Every code, configurable ones first (in the order the README lists them).
pub const ALL: &[Code] = &[
    BROKEN_LINK,
    BROKEN_ANCHOR,
    LINK_CASE_MISMATCH,
    LINK_OUTSIDE_SITE,
    EMPTY_LINK,
    UNCLOSED_FENCE,
    ORPHAN_PAGE,
    UNRESOLVED_PATH,
    DUPLICATE_ID,
    INSECURE_LINK,
    OUTSIDE_SITE,
    FILE_NAME,
    DUPLICATE_INDEX,
    FRONT_MATTER_KEY,
    EXTERNAL_BROKEN,
    EXTERNAL_ANCHOR,
    EXTERNAL_TIMEOUT,
    EXTERNAL_UNREACHABLE,
    EXTERNAL_REDIRECT,
    EXTERNAL_CACHE,
    DATA_REF,
    MERMAID_SYNTAX,
    MERMAID_UNCHECKED,
    PLANTUML_SYNTAX,
    PLANTUML_INCLUDE,
    PLANTUML_MISSING,
    OPENAPI_REF,
    OPENAPI,
    FRONT_MATTER,
    DATA,
    CONFIG,
    CONFIG_NAV,
    SITE_NOT_FOUND,
    INVALID_UTF8,
    UNREADABLE,
    UNREADABLE_SKIPPED,
    URL_CONFLICT,
    TEMPLATE,
    OUTPUT,
    EMPTY_SITE,
];

/// The names of the codes a site may configure, in table order.
pub fn configurable() -> impl Iterator<Item = &'static str> + Clone {
    ALL.iter().filter(|c| c.configurable).map(|c| c.name)
}

/// A configured level: a severity, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Off,
}

/// Applies the site's severity overrides, then `--deny warnings` (every warning left becomes an
/// error, so that CI fails on it).
pub fn apply_levels(
    diags: Vec<Diagnostic>,
    levels: &BTreeMap<String, Level>,
    deny_warnings: bool,
) -> Vec<Diagnostic> {
    diags
        .into_iter()
        .filter_map(|mut d| {
            match levels.get(d.code) {
                Some(Level::Off) => return None,
                Some(Level::Error) => d.severity = Severity::Error,
                Some(Level::Warning) => d.severity = Severity::Warning,
                None => {}
            }
            if deny_warnings {
                d.severity = Severity::Error;
            }
            Some(d)
        })
        .collect()
}

pub fn is_configurable(code: &str) -> bool {
    configurable().any(|c| c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_then_deny() {
        let diags = vec![
            Diagnostic::new(ORPHAN_PAGE, "a"),
            Diagnostic::new(BROKEN_ANCHOR, "b"),
            Diagnostic::new(DUPLICATE_ID, "c"),
        ];
        let levels = BTreeMap::from([
            ("orphan-page".to_string(), Level::Off),
            ("broken-anchor".to_string(), Level::Warning),
        ]);
        let out = apply_levels(diags.clone(), &levels, false);
        assert_eq!(
            out.iter().map(|d| (d.code, d.severity)).collect::<Vec<_>>(),
            [
                ("broken-anchor", Severity::Warning),
                ("duplicate-id", Severity::Warning)
            ]
        );
        let denied = apply_levels(diags, &levels, true);
        assert!(denied.iter().all(|d| d.severity == Severity::Error));
    }

    #[test]
    fn a_name_has_one_entry_unless_its_severity_differs() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert!(
                    a.name != b.name || (a.default != b.default && !a.configurable),
                    "`{}` is in the table twice",
                    a.name
                );
            }
        }
    }

    #[test]
    fn configurable_codes_come_first() {
        let first_fixed = ALL.iter().position(|c| !c.configurable).unwrap();
        assert!(ALL[first_fixed..].iter().all(|c| !c.configurable));
    }
}
