//! Source names that one disk tells apart and another does not. Linux keeps `Guide.md` and
//! `guide.md` apart, and `한글.md` typed on a keyboard (NFC: one code point per syllable) apart
//! from the same name as macOS writes it (NFD: conjoining jamo); macOS and Windows see one
//! file in each pair. Pure: paths in, diagnostics out.
//!
//! Only Hangul is normalised here (its composition is arithmetic, no tables needed): it is the
//! case Korean sites meet. Other decomposed letters (`é` as `e` + U+0301) are left as they are.

use crate::diag::Diagnostic;
use std::borrow::Cow;
use std::sync::Arc;

const S_BASE: u32 = 0xAC00;
const L_BASE: u32 = 0x1100;
const V_BASE: u32 = 0x1161;
const T_BASE: u32 = 0x11A7;
const L_COUNT: u32 = 19;
const V_COUNT: u32 = 21;
const T_COUNT: u32 = 28;

/// `text` with its conjoining Hangul jamo composed into syllables (Unicode's canonical
/// composition for Hangul): the NFC form of a Korean name written in NFD.
pub fn compose_hangul(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_jamo) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last: Option<char> = None;
    for c in text.chars() {
        if let Some(prev) = last {
            let (p, n) = (prev as u32, c as u32);
            if (L_BASE..L_BASE + L_COUNT).contains(&p) && (V_BASE..V_BASE + V_COUNT).contains(&n) {
                let lv = S_BASE + ((p - L_BASE) * V_COUNT + (n - V_BASE)) * T_COUNT;
                last = char::from_u32(lv);
                continue;
            }
            let is_lv = (S_BASE..S_BASE + L_COUNT * V_COUNT * T_COUNT).contains(&p)
                && (p - S_BASE).is_multiple_of(T_COUNT);
            if is_lv && (T_BASE + 1..T_BASE + T_COUNT).contains(&n) {
                last = char::from_u32(p + (n - T_BASE));
                continue;
            }
            out.push(prev);
        }
        last = Some(c);
    }
    out.extend(last);
    Cow::Owned(out)
}

fn is_jamo(c: char) -> bool {
    ('\u{1100}'..='\u{11ff}').contains(&c)
}

/// Warnings for source files and folders whose names differ only in letter case or in Hangul
/// normalization. `sources` are content-relative paths with their display paths.
/// A path as written, and the file it belongs to (as shown).
type Named<'a> = (String, &'a Arc<str>);

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
                Diagnostic::warning("file-name", message)
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
    fn composes_hangul_syllables() {
        assert_eq!(compose_hangul(NFD), "한글");
        assert_eq!(compose_hangul("a/\u{1100}\u{1161}.md"), "a/가.md");
        assert!(matches!(compose_hangul("plain 한글"), Cow::Borrowed(_)));
        // A lone jamo or a jamo after a letter stays as it is.
        assert_eq!(compose_hangul("x\u{1161}\u{11ab}"), "x\u{1161}\u{11ab}");
    }

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
