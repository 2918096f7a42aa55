//! What a writer should do about the common Mermaid mistakes, in plain words, and how to step
//! past each one to find a diagram's next error. Pure.
//!
//! - A label with `(`, `)`, `[`, `]`, `{` or `}` in it, unquoted: mermaid reads the bracket as
//!   the end of the label (`fd[Azure Front Door (WAF)]`). The fix is to quote the label:
//!   `fd["Azure Front Door (WAF)"]`.
//! - `end` as a node: it closes a block. Mermaid's own advice is to capitalise it (`End`).
//! - `<br>` outside a label: a line break only exists inside one.

/// A label that holds a bracket and is not quoted: the node's id, the label as written, and
/// where it is on the line (byte offsets of the opening bracket and one past the closing one).
#[derive(Debug, PartialEq)]
pub struct UnquotedLabel<'a> {
    pub id: &'a str,
    pub open: &'a str,
    pub text: &'a str,
    pub close: &'a str,
    pub start: usize,
    pub end: usize,
}

impl UnquotedLabel<'_> {
    /// `fd["Azure Front Door (WAF)"]`.
    pub fn quoted(&self) -> String {
        format!("{}{}\"{}\"{}", self.id, self.open, self.text, self.close)
    }
}

/// Node shapes, longest opener first: `[(` before `[`.
const SHAPES: &[(&str, &str)] = &[
    ("(((", ")))"),
    ("([", "])"),
    ("[(", ")]"),
    ("[[", "]]"),
    ("((", "))"),
    ("{{", "}}"),
    ("[/", "/]"),
    ("[\\", "\\]"),
    ("[", "]"),
    ("(", ")"),
    ("{", "}"),
    (">", "]"),
];

fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == '.'
}

/// The unquoted label around byte `at` of `line` that holds a bracket of its own, if there
/// is one: the node id before it, its shape's opener, and its closer (the last one before the
/// next arrow or the end of the line).
pub fn unquoted_label(line: &str, at: usize) -> Option<UnquotedLabel<'_>> {
    let at = at.min(line.len());
    // The opener: the first bracket after an id, before `at`, not inside quotes.
    let mut search = 0;
    while search < at {
        let rel = line[search..at].find(['[', '(', '{', '>'])?;
        let open_at = search + rel;
        search = open_at + 1;
        let Some(id_start) = line[..open_at]
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_id_char(*c))
            .last()
            .map(|(i, _)| i)
        else {
            continue;
        };
        let id = &line[id_start..open_at];
        if id.is_empty() || id.starts_with('-') || id.ends_with('-') {
            continue;
        }
        let Some((open, close)) = SHAPES
            .iter()
            .copied()
            .find(|(o, _)| line[open_at..].starts_with(o))
        else {
            continue;
        };
        let inner_start = open_at + open.len();
        if let Some(quoted) = line[inner_start..].trim_start().strip_prefix('"') {
            // A quoted label: look on after it.
            let body = line.len() - quoted.len();
            search = quoted.find('"').map_or(line.len(), |i| body + i + 1);
            continue;
        }
        // A link between the opener and `at`: that label ended before it.
        if next_arrow(line, inner_start).is_some_and(|a| a < at) {
            continue;
        }
        // The label runs to the last closer before the next arrow after `at`.
        let limit = next_arrow(line, at).unwrap_or(line.len());
        let close_rel = line[inner_start..limit].rfind(close)?;
        let close_at = inner_start + close_rel;
        if close_at < at {
            continue;
        }
        let text = &line[inner_start..close_at];
        if !text.contains(['(', ')', '[', ']', '{', '}']) {
            continue;
        }
        return Some(UnquotedLabel {
            id,
            open,
            text,
            close,
            start: id_start,
            end: close_at + close.len(),
        });
    }
    None
}

/// Where the next link (`-->`, `---`, `-.->`, `==>`, `&`) starts at or after `from`.
fn next_arrow(line: &str, from: usize) -> Option<usize> {
    ["-->", "---", "-.-", "==>", "===", "--o", "--x", " & "]
        .iter()
        .filter_map(|a| line[from..].find(a).map(|i| from + i))
        .min()
}

/// The plain-words help for an unexpected token `text` at byte `at` of `line`, when it is one
/// of the common mistakes.
pub fn help(line: &str, at: usize, text: &str) -> Option<(String, String)> {
    if text.chars().all(|c| "()[]{}".contains(c)) && !text.is_empty() {
        let label = unquoted_label(line, at)?;
        return Some((
            format!(
                "Mermaid syntax error: `{text}` inside the label of `{}`",
                label.id
            ),
            format!(
                "quote the label: `{}` (an unquoted label ends at the first bracket)",
                label.quoted()
            ),
        ));
    }
    if text == "end" || text.eq_ignore_ascii_case("end") && text.len() == 3 {
        return Some((
            "Mermaid syntax error: `end` cannot name a node".into(),
            "`end` closes a block in Mermaid: capitalise it (`End`) or give the node another id with `end` as its label (`done[end]`)".into(),
        ));
    }
    if text.starts_with('<') && line[at..].to_ascii_lowercase().starts_with("<br") {
        return Some((
            "Mermaid syntax error: `<br>` outside a label".into(),
            "a line break only exists inside a label: put it in one (`A[\"first<br>second\"]`) or remove it".into(),
        ));
    }
    None
}

/// `line` with the mistake at byte `at` corrected as the help says (the label quoted, `end`
/// capitalised): the new line, the byte offset in the old line after which text moved, and by
/// how many bytes; `None` when the mistake is not one of these.
pub fn corrected(line: &str, at: usize, text: &str) -> Option<(String, usize, usize)> {
    if text.chars().all(|c| "()[]{}".contains(c)) && !text.is_empty() {
        let label = unquoted_label(line, at)?;
        let fixed = format!(
            "{}{}{}",
            &line[..label.start],
            label.quoted(),
            &line[label.end..]
        );
        return Some((fixed, label.end, 2));
    }
    if text == "end" && line[at..].starts_with("end") {
        return Some((format!("{}End{}", &line[..at], &line[at + 3..]), at, 0));
    }
    None
}

/// Block openers and closers: a line holding one is never commented out to look further (the
/// blocks would no longer match, and mermaid would report what archsite made).
const STRUCTURE: &[&str] = &[
    "subgraph",
    "end",
    "end;",
    "alt",
    "else",
    "opt",
    "loop",
    "par",
    "and",
    "critical",
    "option",
    "break",
    "rect",
    "box",
    "state",
    "class",
    "namespace",
];

/// The diagram with its error at `line` (1-based) and char `column` stepped past, so that
/// checking it again finds the next error: the mistake corrected when it is a common one,
/// else the line commented out (`%%`), when that leaves the blocks as they were. Also says
/// after which char of that line the text moved, and by how many chars.
pub fn step_past(
    source: &str,
    line: usize,
    column: Option<usize>,
) -> Option<(String, usize, usize)> {
    let pieces: Vec<&str> = source.split_inclusive('\n').collect();
    let piece = *pieces.get(line.checked_sub(1)?)?;
    // The type's line (the first statement) is never left out: without it nothing parses.
    let mut in_front = false;
    let before_is_preamble = pieces[..line - 1].iter().enumerate().all(|(i, p)| {
        let t = p.trim();
        if i == 0 && t == "---" {
            in_front = true;
        } else if in_front {
            in_front = t != "---";
        }
        in_front || t == "---" || t.is_empty() || t.starts_with("%%")
    });
    if before_is_preamble {
        return None;
    }
    let body = piece.trim_end_matches(['\n', '\r']);
    let ending = &piece[body.len()..];
    let at = column.and_then(|c| body.char_indices().nth(c).map(|(i, _)| i));
    let token: String = match at {
        Some(at) if body[at..].starts_with("end") => "end".into(),
        Some(at) => body[at..]
            .chars()
            .take_while(|c| "()[]{}".contains(*c))
            .collect(),
        None => String::new(),
    };
    let (new_line, after, shift) = match at.and_then(|at| corrected(body, at, &token)) {
        Some((fixed, after, shift)) => (fixed, body[..after].chars().count(), shift),
        None => {
            let t = body.trim();
            let first = t.split_whitespace().next().unwrap_or("");
            if t.is_empty() || STRUCTURE.contains(&first) || t.contains(['{', '}']) {
                return None;
            }
            (format!("%%{body}"), 0, 2)
        }
    };
    let mut out = String::with_capacity(source.len() + 4);
    for (i, p) in pieces.iter().enumerate() {
        if i + 1 == line {
            out.push_str(&new_line);
            out.push_str(ending);
        } else {
            out.push_str(p);
        }
    }
    Some((out, after, shift))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_unquoted_label_around_a_bracket() {
        let line = "    fd[Azure Front Door (WAF)] --> agw[App Gateway]";
        let at = line.find('(').unwrap();
        let label = unquoted_label(line, at).unwrap();
        assert_eq!((label.id, label.text), ("fd", "Azure Front Door (WAF)"));
        assert_eq!(label.quoted(), "fd[\"Azure Front Door (WAF)\"]");
        let line = "  b --> c[(Cache (Redis))]";
        let label = unquoted_label(line, line.find("(Redis").unwrap()).unwrap();
        assert_eq!(label.quoted(), "c[(\"Cache (Redis)\")]");
        assert!(unquoted_label("  a[\"x (y)\"] --> b", 8).is_none());
        let line = "  a[\"Load Balancer (L7)\"] --> b[API (v2)]";
        let label = unquoted_label(line, line.find("(v2").unwrap()).unwrap();
        assert_eq!(label.quoted(), "b[\"API (v2)\"]");
        let line = "  a[Load Balancer (L7)] --> b[API (v2)]";
        let label = unquoted_label(line, line.find("(v2").unwrap()).unwrap();
        assert_eq!(label.quoted(), "b[\"API (v2)\"]");
    }

    #[test]
    fn the_help_names_the_fix() {
        let line = "  a[Load Balancer (L7)] --> b[API (v2)]";
        let at = line.find("(v2").unwrap();
        let (message, help) = help(line, at, "(").unwrap();
        assert_eq!(message, "Mermaid syntax error: `(` inside the label of `b`");
        assert_eq!(
            help,
            "quote the label: `b[\"API (v2)\"]` (an unquoted label ends at the first bracket)"
        );
        let (fixed, _, _) = corrected(line, at, "(").unwrap();
        assert_eq!(fixed, "  a[Load Balancer (L7)] --> b[\"API (v2)\"]");
        let source = format!("flowchart LR\n{line}\n  b --> c\n");
        let column = line[..at].chars().count();
        let (next, after, shift) = step_past(&source, 2, Some(column)).unwrap();
        assert_eq!(next, format!("flowchart LR\n{fixed}\n  b --> c\n"));
        assert_eq!((after, shift), (line.chars().count(), 2));
        // Neither the type's line nor a line that opens a block is stepped past.
        assert_eq!(step_past("%% c\nflowchartt TD\n  A --> B\n", 2, None), None);
        assert_eq!(
            step_past("flowchart LR\n  subgraph A(x\n  end\n", 2, None),
            None
        );
        assert!(help_for_end());
    }

    fn help_for_end() -> bool {
        let (_, h) = help("  start --> end", 12, "end").unwrap();
        h.contains("`End`")
    }
}
