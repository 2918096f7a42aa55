//! Lint `file-name`: source names that one disk tells apart and another does not. Linux
//! keeps `Guide.md` and `guide.md` apart, and `한글.md` typed on a keyboard (NFC) apart from the
//! same name as macOS writes it (NFD, see `base::hangul`); macOS and Windows see one file in
//! each pair. Pure: paths in, diagnostics out.

use super::Site;
use crate::base::hangul::{compose_hangul, is_jamo};
use crate::diag::codes;
use crate::diag::Diagnostic;
use std::sync::Arc;

/// Every page and published file of the site, checked as one set of names.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let sources: Vec<(&str, &Arc<str>)> = site
        .pages
        .iter()
        .map(|p| &p.file)
        .chain(site.assets)
        .map(|f| (f.rel.as_str(), &f.display))
        .collect();
    name_conflicts(&sources)
}

/// A path as written, and the file it belongs to (as shown).
type Named<'a> = (String, &'a Arc<str>);

/// Warnings for source files and folders whose names differ only in letter case or in Hangul
/// normalization. `sources` are content-relative paths with their display paths.
pub fn name_conflicts(sources: &[(&str, &Arc<str>)]) -> Vec<Diagnostic> {
    // Every file and every folder above it, by the name macOS would see.
    let mut by_key: rustc_hash::FxHashMap<String, Vec<Named>> = Default::default();
    for (rel, display) in sources {
        let mut end = 0;
        for segment in rel.split('/') {
            end += segment.len();
            let path = &rel[..end];
            let key = compose_hangul(path).to_lowercase();
            let names = by_key.entry(key).or_default();
            if !names.iter().any(|(n, _)| n == path) {
                names.push((path.to_string(), display));
            }
            end += 1;
        }
    }
    let is_folder = |name: &str| !sources.iter().any(|(rel, _)| *rel == name);
    let mut diags = Vec::new();
    let mut clashes: Vec<(String, Vec<Named>)> =
        by_key.into_iter().filter(|(_, n)| n.len() > 1).collect();
    clashes.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, names) in &mut clashes {
        names.sort();
        let (first, _) = &names[0];
        for (other, display) in &names[1..] {
            let kind = if is_folder(other) { "folder" } else { "file" };
            let (message, help) = if compose_hangul(first) == compose_hangul(other) {
                (
                    format!(
                        "`{first}` ({}) and `{other}` ({}) differ only in Unicode normalization: on macOS they are one {kind}",
                        form(first),
                        form(other)
                    ),
                    "rename the NFD one (macOS writes decomposed names; `git config core.precomposeUnicode true` avoids it)",
                )
            } else {
                (
                    format!(
                        "`{first}` and `{other}` differ only in letter case: on macOS and Windows they are one {kind}"
                    ),
                    "rename one of them: a checkout on macOS or Windows keeps only one",
                )
            };
            diags.push(
                Diagnostic::new(codes::FILE_NAME, message)
                    .in_file(display)
                    .help(help),
            );
        }
    }
    diags
}

fn form(name: &str) -> &'static str {
    if name.chars().any(is_jamo) {
        "NFD"
    } else {
        "NFC"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NFD: &str = "\u{1112}\u{1161}\u{11ab}\u{1100}\u{1173}\u{11af}";

    #[test]
    fn finds_case_and_normalization_twins_of_files_and_folders() {
        let d: Arc<str> = "d".into();
        let nfd = format!("{NFD}.md");
        let sources = [
            ("Guide/a.md", &d),
            ("guide/b.md", &d),
            ("한글.md", &d),
            (nfd.as_str(), &d),
            ("same.md", &d),
        ];
        let diags = name_conflicts(&sources);
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("`Guide` and `guide` differ only in letter case"));
        assert!(messages[1].contains("differ only in Unicode normalization"));
    }
}
