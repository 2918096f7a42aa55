//! `!include` and `!includesub` of files, put in place before PlantUML sees the diagram, so
//! that (1) one PlantUML process serves diagrams of every folder (PlantUML would resolve a
//! relative include against its own working folder), (2) a diagram's cache key is the text
//! with its includes, so that an edit to `common-base.txt` redraws the diagrams that include
//! it and no other, (3) a missing include is an error at its line, like a broken link, and
//! (4) nothing is fetched: includes of URLs are refused (the build is offline).
//! `!include <std/lib>` (PlantUML's own library, inside the jar) is left to PlantUML.

use crate::diag::codes;
use crate::diagram::{DiagramError, IncludedLine, Prepared};
use std::path::Path;

/// Includes within includes, at most.
const MAX_DEPTH: usize = 8;

pub fn prepare(root: &Path, dir: &Path, source: &str) -> Prepared {
    if !source.contains("!include") && !source.contains("!import") {
        return Prepared::default();
    }
    let mut out = Expansion {
        root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
        ..Expansion::default()
    };
    for (i, line) in source.lines().enumerate() {
        let line_no = i + 1;
        match directive(line) {
            None => out.push(line, None),
            Some(inc) => {
                let mark = (out.text.len(), out.lines, out.included.len());
                match read_include(dir, &inc, line_no, line, 0, &mut out) {
                    Ok(()) => {}
                    Err(problem) => {
                        // What a nested include put in place before it failed goes.
                        out.text.truncate(mark.0);
                        out.lines = mark.1;
                        out.included.truncate(mark.2);
                        out.problems.push((codes::PLANTUML_INCLUDE, problem));
                        // The line stays, as a comment: the lines after it keep their numbers.
                        out.push(&format!("' {}", line.trim()), None);
                    }
                }
            }
        }
    }
    Prepared {
        text: Some(out.text),
        included: out.included,
        problems: out.problems,
    }
}

#[derive(Default)]
struct Expansion {
    text: String,
    lines: usize,
    included: Vec<IncludedLine>,
    problems: Vec<(crate::diag::codes::Code, DiagramError)>,
    once: Vec<std::path::PathBuf>,
    /// The content folder (canonical): included files must be inside it.
    root: std::path::PathBuf,
}

impl Expansion {
    fn push(&mut self, line: &str, from: Option<(usize, &str, usize)>) {
        self.text.push_str(line);
        self.text.push('\n');
        self.lines += 1;
        if let Some((include_line, file, file_line)) = from {
            self.included.push(IncludedLine {
                line: self.lines,
                include_line,
                file: file.to_string(),
                file_line,
            });
        }
    }
}

/// An include directive: its keyword and what it names.
struct Include<'a> {
    keyword: &'a str,
    target: &'a str,
    /// Column (in chars) of the target in the line.
    column: usize,
}

fn directive(line: &str) -> Option<Include<'_>> {
    let trimmed = line.trim_start();
    let keyword_end = trimmed.find(char::is_whitespace)?;
    let keyword = &trimmed[..keyword_end];
    let known = [
        "!include",
        "!include_once",
        "!include_many",
        "!includesub",
        "!includeurl",
        "!import",
    ];
    if !known.contains(&keyword.to_ascii_lowercase().as_str()) {
        return None;
    }
    let target = trimmed[keyword_end..].trim();
    let target = target.trim_matches('"');
    let column = line.find(target).map_or(0, |b| line[..b].chars().count());
    Some(Include {
        keyword,
        target,
        column,
    })
}

fn read_include(
    dir: &Path,
    inc: &Include,
    line_no: usize,
    line: &str,
    depth: usize,
    out: &mut Expansion,
) -> Result<(), DiagramError> {
    let problem = |message: String, help: &str| DiagramError {
        message,
        line: line_no,
        column: Some(inc.column),
        label: "included here".into(),
        help: Some(help.to_string()),
        detail: String::new(),
    };
    let target = inc.target;
    if target.starts_with('<') {
        // PlantUML's standard library, inside the jar.
        out.push(line, (depth > 0).then_some((line_no, "", 0)));
        return Ok(());
    }
    let lower = target.to_ascii_lowercase();
    if inc.keyword.eq_ignore_ascii_case("!includeurl")
        || lower.starts_with("http:")
        || lower.starts_with("https:")
        || lower.starts_with("ftp:")
    {
        return Err(problem(
            format!("`{target}`: includes of URLs are refused (the build is offline and must not depend on a server)"),
            "copy the file into the site and include it by its path, relative to this diagram",
        ));
    }
    if inc.keyword.eq_ignore_ascii_case("!import") {
        return Err(problem(
            format!("`{target}`: `!import` of archives is not supported"),
            "include the files themselves with `!include`",
        ));
    }
    if depth >= MAX_DEPTH {
        return Err(problem(
            format!("`{target}`: includes nested more than {MAX_DEPTH} deep (a file that includes itself?)"),
            "remove the include that leads back",
        ));
    }
    // `file!NAME` (a sub-part of `!includesub`) or `file!3` (the n-th diagram of a file).
    let (path, part) = match target.rsplit_once('!') {
        Some((p, part)) if !p.is_empty() => (p, Some(part)),
        _ => (target, None),
    };
    let file = dir.join(path);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::NotFound {
            "does not exist".to_string()
        } else {
            format!("cannot be read ({e})")
        };
        problem(
            format!("included file `{path}` {why}"),
            "include a file of the site by its path, relative to this diagram's folder",
        )
    })?;
    let canonical = file.canonicalize().unwrap_or(file.clone());
    if !canonical.starts_with(&out.root) {
        return Err(problem(
            format!("included file `{path}` is outside the content folder"),
            "include a file of the site: its text is published in the drawing",
        ));
    }
    if inc.keyword.eq_ignore_ascii_case("!include_once") {
        if out.once.contains(&canonical) {
            // Inside an included file, the line is that file's, not one of the source.
            out.push(
                &format!("' {}", line.trim()),
                (depth > 0).then_some((line_no, "", 0)),
            );
            return Ok(());
        }
        out.once.push(canonical);
    }
    let sub = inc.keyword.eq_ignore_ascii_case("!includesub");
    let body: Vec<(usize, &str)> = if sub {
        let name = part.unwrap_or("");
        let lines = sub_part(&text, name);
        if lines.is_empty() {
            return Err(problem(
                format!("`{path}` has no `!startsub {name}`"),
                "name a part the file marks with `!startsub NAME` … `!endsub`",
            ));
        }
        lines
    } else {
        match part {
            None => nth_diagram(&text, "0").unwrap_or_default(),
            Some(part) => nth_diagram(&text, part).ok_or_else(|| DiagramError {
                // On the part after `!`: the file is there, the diagram is not.
                column: Some(inc.column + path.chars().count() + 1),
                ..problem(
                    format!("`{path}` has no diagram `{part}`"),
                    "a file's diagrams are numbered from 0 (`!include x.puml!1` is its second) or named by `@startuml(id=NAME)`",
                )
            })?,
        }
    };
    let here = file.parent().unwrap_or(dir).to_path_buf();
    let before = out.included.len();
    let mut emitted = 0;
    for (file_line, l) in body {
        match directive(l) {
            Some(nested) if !l.trim_start().starts_with("!startsub") => {
                read_include(&here, &nested, line_no, l, depth + 1, out).map_err(|mut e| {
                    e.message = format!("{} (in `{path}`, line {file_line})", e.message);
                    e.column = Some(inc.column);
                    e
                })?;
            }
            _ => out.push(l, Some((line_no, path, file_line))),
        }
        emitted += 1;
    }
    if emitted == 0 {
        // An empty file still stands for its line.
        out.push("", Some((line_no, path, 1)));
    }
    // Nested includes are reported at this include, naming the outer file.
    for inc_line in &mut out.included[before..] {
        inc_line.include_line = line_no;
        if depth == 0 && inc_line.file.is_empty() {
            inc_line.file = path.to_string();
        }
    }
    Ok(())
}

/// The lines of one of a file's `@start…`/`@end…` blocks, with their 1-based line numbers:
/// `part` is its number, from 0, or the `NAME` of its `@startuml(id=NAME)`, as PlantUML reads
/// `!include file!part`. A file without blocks is one diagram, all its lines; `None` when there
/// is no such block.
fn nth_diagram<'a>(text: &'a str, part: &str) -> Option<Vec<(usize, &'a str)>> {
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].1.trim_start().starts_with("@start"))
        .collect();
    let id = |i: &usize| {
        let line = lines[*i].1.replace(' ', "");
        line.split_once("(id=")
            .and_then(|(_, rest)| rest.split_once(')'))
            .is_some_and(|(id, _)| id == part)
    };
    let start = match part.parse::<usize>() {
        Ok(n) => starts.get(n).copied(),
        Err(_) => starts.iter().find(|i| id(i)).copied(),
    };
    match start {
        Some(s) => Some(
            lines[s + 1..]
                .iter()
                .take_while(|(_, l)| !l.trim_start().starts_with("@end"))
                .copied()
                .collect(),
        ),
        None if starts.is_empty() && part == "0" => Some(lines),
        None => None,
    }
}

/// The lines between `!startsub NAME` and `!endsub`.
fn sub_part<'a>(text: &'a str, name: &str) -> Vec<(usize, &'a str)> {
    let mut inside = false;
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if let Some(n) = t.strip_prefix("!startsub") {
            inside = n.trim() == name;
            continue;
        }
        if t.starts_with("!endsub") {
            inside = false;
            continue;
        }
        if inside {
            out.push((i + 1, l));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_are_put_in_place_and_lines_traced_back() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::write(d.join("common-base.txt"), "skinparam a b\n!theme mono\n").unwrap();
        std::fs::write(
            d.join("parts.iuml"),
            "@startuml\n!startsub ACTORS\nactor 사용자\n!endsub\n!startsub OTHER\nactor X\n!endsub\n@enduml\n",
        )
        .unwrap();
        let src =
            "@startuml\n!include common-base.txt\n!includesub parts.iuml!ACTORS\nA -> B\n@enduml\n";
        let p = prepare(d, d, src);
        assert_eq!(
            p.text.as_deref(),
            Some("@startuml\nskinparam a b\n!theme mono\nactor 사용자\nA -> B\n@enduml\n")
        );
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.origin(1), (1, None));
        assert_eq!(p.origin(3), (2, Some("line 2 of common-base.txt".into())));
        assert_eq!(p.origin(4), (3, Some("line 3 of parts.iuml".into())));
        assert_eq!(p.origin(5), (4, None));
        assert_eq!(p.origin(6), (5, None));
    }

    #[test]
    fn a_skipped_include_once_inside_an_included_file_keeps_later_lines_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::write(d.join("c.txt"), "X -> Y\n").unwrap();
        std::fs::write(d.join("a.txt"), "!include_once c.txt\n").unwrap();
        std::fs::write(d.join("b.txt"), "!include_once c.txt\nZ -> W\n").unwrap();
        let src = "@startuml\n!include a.txt\n!include b.txt\nfoo -> bar\n@enduml\n";
        let p = prepare(d, d, src);
        assert_eq!(
            p.text.as_deref(),
            Some("@startuml\nX -> Y\n' !include_once c.txt\nZ -> W\nfoo -> bar\n@enduml\n")
        );
        assert_eq!(p.origin(4), (3, Some("line 2 of b.txt".into())));
        assert_eq!(p.origin(5), (4, None));
        assert_eq!(p.origin(6), (5, None));
    }

    #[test]
    fn a_numbered_or_named_diagram_of_a_file_is_the_one_included() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::write(
            d.join("many.puml"),
            "@startuml\nactor 첫째\n@enduml\n\n@startuml(id=DB)\ndatabase 둘째\n@enduml\n",
        )
        .unwrap();
        let text = |src: &str| prepare(d, d, src).text.unwrap();
        let first = "@startuml\nactor 첫째\n@enduml\n";
        assert_eq!(text("@startuml\n!include many.puml\n@enduml\n"), first);
        assert_eq!(text("@startuml\n!include many.puml!0\n@enduml\n"), first);
        let second = "@startuml\ndatabase 둘째\n@enduml\n";
        assert_eq!(text("@startuml\n!include many.puml!1\n@enduml\n"), second);
        assert_eq!(text("@startuml\n!include many.puml!DB\n@enduml\n"), second);
        let p = prepare(d, d, "@startuml\n!include many.puml!2\n@enduml\n");
        assert_eq!(p.problems.len(), 1);
        let problem = &p.problems[0].1;
        // 0-based, on the `2`.
        assert_eq!((problem.line, problem.column), (2, Some(19)));
        assert!(
            problem.message.contains("no diagram `2`"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn missing_files_and_urls_are_errors_at_their_line() {
        let tmp = tempfile::tempdir().unwrap();
        let src = "@startuml\n  !include nothere.txt\n!include https://example.com/x.puml\n!include <C4/C4_Container>\nA -> B\n@enduml\n";
        let p = prepare(tmp.path(), tmp.path(), src);
        let problems: Vec<(usize, Option<usize>, &str)> = p
            .problems
            .iter()
            .map(|(_, e)| (e.line, e.column, e.message.as_str()))
            .collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].0, 2);
        assert_eq!(problems[0].1, Some(11));
        assert!(problems[0].2.contains("`nothere.txt` does not exist"));
        assert_eq!(problems[1].0, 3);
        assert!(problems[1].2.contains("URLs are refused"));
        // Lines keep their numbers; the standard library is PlantUML's.
        let text = p.text.clone().unwrap();
        assert_eq!(text.lines().count(), 6);
        assert!(text.contains("!include <C4/C4_Container>"));
        assert_eq!(p.origin(5), (5, None));
    }

    #[test]
    fn files_outside_the_content_folder_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let content = tmp.path().join("content");
        std::fs::create_dir_all(content.join("flows")).unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "A -> B : 비밀\n").unwrap();
        std::fs::write(content.join("base.txt"), "A -> B : 공통\n").unwrap();
        let p = prepare(
            &content,
            &content.join("flows"),
            "@startuml\n!include ../../secret.txt\n!include ../base.txt\n@enduml\n",
        );
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert!(p.problems[0]
            .1
            .message
            .contains("outside the content folder"));
        assert_eq!(p.problems[0].1.line, 2);
        let text = p.text.unwrap();
        assert!(!text.contains("비밀") && text.contains("공통"), "{text}");
    }

    #[test]
    fn a_file_that_includes_itself_stops() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("loop.txt"), "!include loop.txt\n").unwrap();
        let p = prepare(
            tmp.path(),
            tmp.path(),
            "@startuml\n!include loop.txt\n@enduml\n",
        );
        assert_eq!(p.problems.len(), 1);
        assert!(
            p.problems[0].1.message.contains("nested more than"),
            "{:?}",
            p.problems
        );
        assert_eq!(p.problems[0].1.line, 2);
    }

    #[test]
    fn a_diagram_without_includes_is_given_as_written() {
        assert_eq!(
            prepare(
                Path::new("."),
                Path::new("."),
                "@startuml\nA -> B\n@enduml\n"
            ),
            Prepared::default()
        );
    }
}
