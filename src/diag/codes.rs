//! Every diagnostic code whose severity a site may configure, with its default, and the
//! configured overrides applied once at the end of a build.

use super::{Diagnostic, Severity};
use std::collections::BTreeMap;

/// Codes a site may raise, lower or switch off in `archsite.yaml` (`severity:`), with their
/// default. Errors in the site's own configuration, templates or files cannot be switched off.
pub const CONFIGURABLE: &[(&str, Severity)] = &[
    ("broken-link", Severity::Error),
    ("broken-anchor", Severity::Error),
    ("link-case-mismatch", Severity::Error),
    ("link-outside-site", Severity::Error),
    ("empty-link", Severity::Warning),
    ("unclosed-fence", Severity::Warning),
    ("orphan-page", Severity::Warning),
    ("unresolved-path", Severity::Warning),
    ("duplicate-id", Severity::Warning),
    ("insecure-link", Severity::Warning),
    ("outside-site", Severity::Warning),
    ("file-name", Severity::Warning),
    ("external-broken", Severity::Error),
    ("external-anchor", Severity::Error),
    ("external-timeout", Severity::Error),
    ("external-unreachable", Severity::Error),
    ("external-redirect", Severity::Warning),
    ("external-cache", Severity::Warning),
    ("data-ref", Severity::Error),
    ("mermaid-syntax", Severity::Error),
    ("mermaid-unchecked", Severity::Warning),
];

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
    CONFIGURABLE.iter().any(|(c, _)| *c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_then_deny() {
        let diags = vec![
            Diagnostic::warning("orphan-page", "a"),
            Diagnostic::error("broken-anchor", "b"),
            Diagnostic::warning("duplicate-id", "c"),
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
}
