//! What mermaid's answer means for a writer: turns the parser's raw error (jison or langium
//! message, cleaned-text lines, token names such as `SQE`) into a line of the diagram's source,
//! a short message and a hint. Pure; every rule is tested against the oracle corpus.

use super::engine::RawVerdict;
use super::hints;
use crate::diagram::{DiagramError, Verdict};

/// Diagram types mermaid 11 knows, for "did you mean" on an unknown first word.
const TYPES: &[&str] = &[
    "flowchart",
    "graph",
    "sequenceDiagram",
    "classDiagram",
    "stateDiagram",
    "stateDiagram-v2",
    "erDiagram",
    "journey",
    "gantt",
    "pie",
    "quadrantChart",
    "requirementDiagram",
    "gitGraph",
    "C4Context",
    "C4Container",
    "C4Component",
    "C4Dynamic",
    "C4Deployment",
    "mindmap",
    "timeline",
    "zenuml",
    "sankey-beta",
    "sankey",
    "xychart-beta",
    "xychart",
    "block-beta",
    "block",
    "packet-beta",
    "packet",
    "kanban",
    "architecture-beta",
    "architecture",
    "radar-beta",
    "treemap-beta",
];

/// Rewrites the line numbers in mermaid's own message ("Parse error on line 4:", "Lexer error
/// on line 3, column 14") with `line`, so that the message and archsite's own words count
/// lines the same way.
pub fn renumber_lines(detail: &str, line: impl Fn(usize) -> usize) -> String {
    const MARK: &str = "on line ";
    let mut out = String::with_capacity(detail.len() + 8);
    let mut rest = detail;
    while let Some(at) = rest.find(MARK) {
        let (before, after) = rest.split_at(at + MARK.len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&line(n).to_string()),
            Err(_) => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// The verdict on a diagram from mermaid's answer; every line number in it, mermaid's message
/// included, is a line of the diagram's source (mermaid counts the lines of the text it sees
/// after dropping front matter, directives and comments).
pub fn interpret(raw: &RawVerdict, source: &str) -> Verdict {
    let lines = source.lines().count();
    match interpret_lines(raw, source) {
        Verdict::Invalid(mut e) => {
            e.detail = renumber_lines(&e.detail, |n| source_line(raw, lines, n));
            Verdict::Invalid(e)
        }
        valid => valid,
    }
}

/// A line of the text mermaid's parser saw, as a line of the source.
fn source_line(raw: &RawVerdict, lines: usize, cleaned: usize) -> usize {
    raw.lines
        .as_ref()
        .and_then(|map| map.get(cleaned.saturating_sub(1)).copied())
        .unwrap_or(cleaned)
        .clamp(1, lines.max(1))
}

fn interpret_lines(raw: &RawVerdict, source: &str) -> Verdict {
    if raw.ok {
        let flowchart = raw
            .diagram_type
            .as_deref()
            .is_some_and(|t| t.starts_with("flowchart") || t == "graph");
        if let Some(e) = flowchart
            .then(|| super::layout::subgraph_cycle(source))
            .flatten()
        {
            return Verdict::Invalid(e);
        }
        return Verdict::Valid {
            kind: raw.diagram_type.clone().unwrap_or_default(),
            svg: None,
        };
    }
    let lines: Vec<&str> = source.lines().collect();
    let source_line = |cleaned: usize| source_line(raw, lines.len(), cleaned);
    let detail = raw.message.trim().to_string();
    let first_line = first_statement_line(&lines);

    if let (Some(line), true) = (
        number_after(&detail, "on line "),
        detail.contains(", column "),
    ) {
        // langium (pie, gitGraph, architecture, ...): "… on line 3, column 14: …".
        let column = number_after(&detail, "column ").map(|c| c.saturating_sub(1));
        let what = detail
            .strip_prefix("Parsing failed: ")
            .unwrap_or(&detail)
            .split(". Parse error")
            .next()
            .unwrap_or(&detail);
        let what = what.split_once(": ").map_or(what, |(_, rest)| rest);
        return Verdict::Invalid(DiagramError {
            message: format!("Mermaid syntax error: {}", what.trim()),
            line: source_line(line),
            column,
            label: "mermaid stopped here".into(),
            help: None,
            detail,
        });
    }
    if let Some(reported) = number_after(&detail, "error on line ") {
        return jison_error(raw, &lines, source_line(reported), &source_line, detail);
    }
    if detail.starts_with("No diagram type detected") {
        let word = lines
            .get(first_line - 1)
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("");
        let help = crate::diag::closest(word, TYPES.iter().copied())
            .map(|t| format!("did you mean `{t}`?"))
            .unwrap_or_else(|| {
                "start the diagram with its type, such as `flowchart TD`, `sequenceDiagram` or `classDiagram`".into()
            });
        let message = if word.is_empty() {
            "the diagram is empty".to_string()
        } else {
            format!("`{word}` is not a Mermaid diagram type")
        };
        return Verdict::Invalid(DiagramError {
            message,
            line: first_line,
            column: None,
            label: "unknown diagram type".into(),
            help: Some(help),
            detail,
        });
    }
    Verdict::Invalid(DiagramError {
        message: format!("mermaid cannot read this diagram: {detail}"),
        line: first_line,
        column: None,
        label: "in this diagram".into(),
        help: None,
        detail,
    })
}

fn jison_error(
    raw: &RawVerdict,
    lines: &[&str],
    reported: usize,
    source_line: &dyn Fn(usize) -> usize,
    detail: String,
) -> Verdict {
    let token = raw.token.as_deref().unwrap_or("");
    let at_end = matches!(token, "1" | "EOF" | "$end" | "EOF_IN_STRUCT");
    let expected: Vec<String> = raw
        .expected
        .iter()
        .flatten()
        .map(|e| e.trim_matches('\'').to_string())
        .collect();
    let expects = |t: &str| expected.iter().any(|e| e == t);
    let shifted = raw.loc.map(|l| (source_line(l.line), l.column));

    if detail.starts_with("Lexical error") {
        return Verdict::Invalid(DiagramError {
            message: "Mermaid syntax error: text mermaid does not recognise".into(),
            line: reported,
            column: None,
            label: "unrecognised text on this line".into(),
            help: None,
            detail,
        });
    }
    if at_end && (expects("end") || expects("STRUCT_STOP") || token == "EOF_IN_STRUCT") {
        if let Some((line, opener)) = unclosed_block(lines) {
            let closer = if opener == "{" { "}" } else { "end" };
            return Verdict::Invalid(DiagramError {
                message: format!(
                    "Mermaid syntax error: a block is never closed (missing `{closer}`)"
                ),
                line,
                column: None,
                label: format!("this `{opener}` has no matching `{closer}`"),
                help: Some(format!("add `{closer}` where the block should stop")),
                detail,
            });
        }
    }
    if let Some(line) = unclosed_quote(lines, reported) {
        if at_end || token == "STR" {
            return Verdict::Invalid(DiagramError {
                message: "Mermaid syntax error: a quoted label is never closed".into(),
                line,
                column: None,
                label: "this line opens a `\"` that is not closed".into(),
                help: Some("close the quote; a label cannot contain `\"` (write `#quot;`)".into()),
                detail,
            });
        }
    }
    // An opener left open on an earlier line makes the parser fail on a later one.
    if let Some((line, _)) = shifted.filter(|_| !at_end) {
        if let Some((open_line, bracket)) = unclosed_bracket(lines, line, reported) {
            return Verdict::Invalid(DiagramError {
                message: format!("Mermaid syntax error: `{bracket}` is never closed"),
                line: open_line,
                column: None,
                label: format!("this line opens a `{bracket}` that is not closed"),
                help: Some(format!(
                    "close it with `{}` on the same line",
                    closing(bracket)
                )),
                detail,
            });
        }
    }
    let expected_text = describe_expected(&expected);
    if at_end {
        // Something opened by the last token read is still open when the text ends.
        let (line, column) = shifted.unwrap_or((reported, 0));
        return Verdict::Invalid(DiagramError {
            message: "Mermaid syntax error: the diagram ends too early".into(),
            line,
            column: Some(column),
            label: "what starts here is never finished".into(),
            help: expected_text.map(|e| format!("mermaid expected {e}")),
            detail,
        });
    }
    let shifted_column = shifted.filter(|(l, _)| *l == reported).map(|(_, c)| c);
    let line_text = lines.get(reported - 1).copied().unwrap_or("");
    let unexpected = raw.text.as_deref().map(str::trim).unwrap_or("");
    // The caret goes on the unexpected token itself, found on the line from where the last
    // token read starts (mermaid's position is that token's, the start of a label).
    let at = unexpected_at(line_text, shifted_column.unwrap_or(0), unexpected);
    let column = at
        .map(|b| line_text[..b].chars().count())
        .or(shifted_column);
    let what = match raw.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) if text.chars().count() <= 40 => format!("`{text}`"),
        _ => token_name(token),
    };
    if let Some((message, help)) = at.and_then(|b| hints::help(line_text, b, unexpected)) {
        return Verdict::Invalid(DiagramError {
            message,
            line: reported,
            column,
            label: format!("mermaid did not expect {what} here"),
            help: Some(help),
            detail,
        });
    }
    let mut help = expected_text.map(|e| format!("mermaid expected {e}"));
    // `flowchartt TD`: the type's name itself is misspelt.
    if reported == first_statement_line(lines) {
        let word = lines
            .get(reported - 1)
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("");
        if !TYPES.contains(&word) {
            if let Some(t) = crate::diag::closest(word, TYPES.iter().copied()) {
                help = Some(format!("did you mean `{t}`?"));
            }
        }
    }
    Verdict::Invalid(DiagramError {
        message: format!("Mermaid syntax error: unexpected {what}"),
        line: reported,
        column,
        label: format!("mermaid did not expect {what} here"),
        help,
        detail,
    })
}

/// The byte offset of the unexpected token's text on its line: the first occurrence from
/// column `from` (in chars), else from the start of the line.
fn unexpected_at(line: &str, from: usize, text: &str) -> Option<usize> {
    if text.is_empty() {
        return None;
    }
    let from = line.char_indices().nth(from).map_or(line.len(), |(i, _)| i);
    line[from..]
        .find(text)
        .map(|i| from + i)
        .or_else(|| line.find(text))
}

/// The number after the first `marker` in `text`.
fn number_after(text: &str, marker: &str) -> Option<usize> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The first line that is not blank, a `%%` comment or front matter (1-based).
fn first_statement_line(lines: &[&str]) -> usize {
    let mut in_front = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if i == 0 && t == "---" {
            in_front = true;
            continue;
        }
        if in_front {
            in_front = t != "---";
            continue;
        }
        if !t.is_empty() && !t.starts_with("%%") {
            return i + 1;
        }
    }
    1
}

/// The outermost block still open at the end: `subgraph`/`alt`/`loop`/… without `end`, or a
/// `{` without `}`. Returns its line and opener.
fn unclosed_block(lines: &[&str]) -> Option<(usize, &'static str)> {
    const OPENERS: &[&str] = &[
        "subgraph", "alt", "opt", "loop", "par", "critical", "break", "rect", "box",
    ];
    let mut stack: Vec<(usize, &'static str)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with("%%") {
            continue;
        }
        let first = t.split_whitespace().next().unwrap_or("");
        if let Some(op) = OPENERS.iter().find(|o| **o == first) {
            stack.push((i + 1, op));
        } else if first == "end" || first == "end;" {
            if let Some(pos) = stack.iter().rposition(|(_, o)| *o != "{") {
                stack.remove(pos);
            }
        }
        let unquoted = strip_quoted(t);
        for c in unquoted.chars() {
            match c {
                '{' => stack.push((i + 1, "{")),
                '}' => {
                    if let Some(pos) = stack.iter().rposition(|(_, o)| *o == "{") {
                        stack.remove(pos);
                    }
                }
                _ => {}
            }
        }
    }
    stack.first().copied()
}

/// A line in `from..to` (1-based, `to` excluded) with a `[`, `(` or `{` not closed on it
/// (quoted text aside).
fn unclosed_bracket(lines: &[&str], from: usize, to: usize) -> Option<(usize, char)> {
    (from.max(1)..to).find_map(|n| {
        let line = lines.get(n - 1)?;
        if line.trim().starts_with("%%") {
            return None;
        }
        let mut open: Vec<char> = Vec::new();
        for c in strip_quoted(line).chars() {
            match c {
                '[' | '(' | '{' => open.push(c),
                ']' | ')' | '}' => {
                    open.pop();
                }
                _ => {}
            }
        }
        open.first().map(|c| (n, *c))
    })
}

fn closing(bracket: char) -> char {
    match bracket {
        '[' => ']',
        '(' => ')',
        _ => '}',
    }
}

fn strip_quoted(line: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// The last line up to `upto` with an odd number of `"`: a quote opened and never closed.
fn unclosed_quote(lines: &[&str], upto: usize) -> Option<usize> {
    lines
        .iter()
        .take(upto)
        .enumerate()
        .filter(|(_, l)| !l.trim().starts_with("%%"))
        .filter(|(_, l)| l.matches('"').count() % 2 == 1)
        .map(|(i, _)| i + 1)
        .next_back()
}

/// jison's token names, as a writer would recognise them.
fn token_name(token: &str) -> String {
    let text = match token {
        "1" | "EOF" | "$end" | "EOF_IN_STRUCT" => "the end of the diagram",
        "NEWLINE" | "NL" => "a line break",
        "SPACE" => "a space",
        "SEMI" => "`;`",
        "SQS" => "`[`",
        "SQE" => "`]`",
        "PS" => "`(`",
        "PE" => "`)`",
        "DIAMOND_START" => "`{`",
        "DIAMOND_STOP" | "STRUCT_STOP" => "`}`",
        "STRUCT_START" => "`{`",
        "PIPE" => "`|`",
        "STR" => "a quoted string",
        "MINUS" => "`-`",
        "AMP" => "`&`",
        "COLON" => "`:`",
        "COMMA" => "`,`",
        "LINK" | "START_LINK" => "an arrow",
        "NODE_STRING" | "ALPHA" | "ACTOR" | "ID" => "a name",
        "INVALID" => "text it cannot read",
        "end" => "`end`",
        other => return format!("`{other}`"),
    };
    text.to_string()
}

/// "one of `]`, `)`, … (and 12 more)" — the first few, in mermaid's order.
fn describe_expected(expected: &[String]) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for e in expected {
        let name = token_name(e);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.len() {
        0 => None,
        1 => Some(names.remove(0)),
        n if n <= 6 => Some(format!("one of {}", names.join(", "))),
        n => Some(format!(
            "one of {} (and {} more)",
            names[..5].join(", "),
            n - 5
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(message: &str, token: &str, lines: Vec<usize>) -> RawVerdict {
        RawVerdict {
            message: message.into(),
            token: Some(token.into()),
            lines: Some(lines),
            ..RawVerdict::default()
        }
    }

    fn error(v: Verdict) -> DiagramError {
        match v {
            Verdict::Invalid(e) => e,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn reported_lines_map_back_over_removed_comments() {
        let source = "graph TB\n  %% note\n  A --> B\n  B -> C\n";
        let e = error(interpret(
            &raw(
                "Parse error on line 3:\n...\nExpecting 'LINK', got 'MINUS'",
                "MINUS",
                vec![1, 3, 4],
            ),
            source,
        ));
        assert_eq!(e.line, 4);
        assert_eq!(e.message, "Mermaid syntax error: unexpected `-`");
        // mermaid's own message counts the same lines as archsite's.
        assert!(
            e.detail.starts_with("Parse error on line 4:\n"),
            "{}",
            e.detail
        );
    }

    #[test]
    fn a_missing_end_points_at_the_open_subgraph() {
        let source = "graph TB\n  subgraph A\n    subgraph B\n      x\n    end\n  y\n";
        let mut r = raw("Parse error on line 8:\n...", "1", vec![1, 2, 3, 4, 5, 6]);
        r.expected = Some(vec!["'end'".into(), "'SEMI'".into()]);
        let e = error(interpret(&r, source));
        assert_eq!(e.line, 2);
        assert!(e.label.contains("subgraph"), "{}", e.label);
    }

    #[test]
    fn unknown_types_suggest_the_closest() {
        let r = RawVerdict {
            message:
                "No diagram type detected matching given configuration for text: sequenceDiagarm"
                    .into(),
            ..RawVerdict::default()
        };
        let e = error(interpret(&r, "%% c\nsequenceDiagarm\n  A->>B: x\n"));
        assert_eq!(e.line, 2);
        assert_eq!(e.help.as_deref(), Some("did you mean `sequenceDiagram`?"));
    }

    #[test]
    fn langium_errors_keep_their_line_and_column() {
        let r = RawVerdict {
            message: "Parsing failed: Lexer error on line 3, column 14: unexpected character: ->l<- at offset: 32. Parse error on line 3, column 18: x".into(),
            lines: Some(vec![1, 2, 3]),
            ..RawVerdict::default()
        };
        let e = error(interpret(&r, "pie\n title P\n \"Dogs\" : lots\n"));
        assert_eq!((e.line, e.column), (3, Some(13)));
        assert!(e.message.contains("unexpected character"), "{}", e.message);
    }

    #[test]
    fn long_expectations_are_abridged() {
        let expected: Vec<String> = ["SQE", "PE", "DIAMOND_STOP", "PIPE", "TEXT", "TAGEND", "X"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            describe_expected(&expected).unwrap(),
            "one of `]`, `)`, `}`, `|`, `TEXT` (and 2 more)"
        );
    }
}
