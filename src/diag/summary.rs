//! Human output that scales with the mess: the first few diagnostics of each code in full,
//! the rest of that code one line per file, and a closing table of counts by code. A folder
//! with 641 broken links of one kind gets five snippets and a list of where the others are,
//! not 6,000 lines. JSON and GitHub annotations still list every diagnostic.

use super::{Diagnostic, Severity, SourceMap};
use std::collections::BTreeMap;
use std::fmt::Write;

/// How many diagnostics of one code are shown in full.
pub const SHOWN_PER_CODE: usize = 5;
/// How many files the one-line-per-file list of a code's other diagnostics names.
const FILES_PER_CODE: usize = 10;

/// A code and severity: `config` is both an error and a warning.
type Group = (&'static str, Severity);

/// The diagnostics to show in full (in their order), and the rest, by code.
pub fn split(diags: &[Diagnostic]) -> (Vec<&Diagnostic>, BTreeMap<Group, Vec<&Diagnostic>>) {
    let mut seen: BTreeMap<Group, usize> = BTreeMap::new();
    let mut shown = Vec::new();
    let mut rest: BTreeMap<Group, Vec<&Diagnostic>> = BTreeMap::new();
    for diag in diags {
        let count = seen.entry((diag.code, diag.severity)).or_default();
        *count += 1;
        if *count <= SHOWN_PER_CODE {
            shown.push(diag);
        } else {
            rest.entry((diag.code, diag.severity))
                .or_default()
                .push(diag);
        }
    }
    (shown, rest)
}

/// For each code with more diagnostics than were shown: how many more, then one line per
/// file with their lines.
pub fn more(rest: &BTreeMap<Group, Vec<&Diagnostic>>, sources: &SourceMap) -> String {
    let mut out = String::new();
    for ((code, severity), diags) in rest {
        let kind = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let n = diags.len();
        let _ = writeln!(
            out,
            "{kind}[{code}]: and {n} more `{code}` {kind}{}: `--format json` lists all",
            plural(n)
        );
        let mut by_file: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for d in diags {
            let (file, line) = match &d.span {
                Some(span) => (
                    &*span.file,
                    sources
                        .line_col(&span.file, span.range.start)
                        .map_or(0, |(l, _)| l),
                ),
                None => ("(no file)", 0),
            };
            by_file.entry(file).or_default().push(line);
        }
        for (file, lines) in by_file.iter().take(FILES_PER_CODE) {
            let mut lines: Vec<String> = lines
                .iter()
                .filter(|&&l| l > 0)
                .map(usize::to_string)
                .collect();
            lines.dedup();
            let at = match lines.len() {
                0 => String::new(),
                1..=8 => format!(" (line{} {})", plural(lines.len()), lines.join(", ")),
                k => format!(" (lines {}, … and {} more)", lines[..6].join(", "), k - 6),
            };
            let count = by_file[file].len();
            let _ = writeln!(out, "    {file}: {count}{at}");
        }
        if by_file.len() > FILES_PER_CODE {
            let _ = writeln!(out, "    and {} more files", by_file.len() - FILES_PER_CODE);
        }
        out.push('\n');
    }
    out
}

/// The closing table: per code, its errors and warnings, most first.
pub fn table(diags: &[Diagnostic]) -> String {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for d in diags {
        let c = counts.entry(d.code).or_default();
        match d.severity {
            Severity::Error => c.0 += 1,
            Severity::Warning => c.1 += 1,
        }
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by_key(|(code, (e, w))| (std::cmp::Reverse(e + w), *code));
    let width = rows.iter().map(|(c, _)| c.len()).max().unwrap_or(4).max(4);
    let mut out = format!("{:width$}  {:>7}  {:>8}\n", "code", "errors", "warnings");
    for (code, (e, w)) in rows {
        let cell = |n: usize| if n == 0 { String::new() } else { n.to_string() };
        let row = format!("{code:width$}  {:>7}  {:>8}", cell(e), cell(w));
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::codes;

    fn many(n: usize) -> (Vec<Diagnostic>, SourceMap) {
        let mut sources = SourceMap::default();
        let text: String = (0..n).map(|i| format!("[x](missing-{i}.md)\n")).collect();
        sources.add("a.md".into(), text.clone().into());
        sources.add("b.md".into(), "[y](nope.md)\n".into());
        let mut diags: Vec<Diagnostic> = text
            .match_indices('[')
            .map(|(i, _)| {
                Diagnostic::new(codes::BROKEN_LINK, "does not exist").at(&"a.md".into(), i..i + 1)
            })
            .collect();
        diags.push(Diagnostic::new(codes::BROKEN_LINK, "x").at(&"b.md".into(), 0..1));
        diags.push(Diagnostic::new(codes::ORPHAN_PAGE, "y").at(&"b.md".into(), 0..1));
        (diags, sources)
    }

    #[test]
    fn the_first_of_each_code_in_full_the_rest_one_line_per_file() {
        let (diags, sources) = many(12);
        let (shown, rest) = split(&diags);
        assert_eq!(shown.len(), SHOWN_PER_CODE + 1);
        let text = more(&rest, &sources);
        assert_eq!(
            text,
            "error[broken-link]: and 8 more `broken-link` errors: `--format json` lists all\n    a.md: 7 (lines 6, 7, 8, 9, 10, 11, 12)\n    b.md: 1 (line 1)\n\n"
        );
        assert_eq!(
            table(&diags),
            "code          errors  warnings\nbroken-link       13\norphan-page                  1\n"
        );
    }
}
