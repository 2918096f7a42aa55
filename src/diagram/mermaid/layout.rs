//! Errors mermaid's parser does not see but its drawing does: found by reading the parsed
//! structure of a flowchart. Pure.
//!
//! A node inside a subgraph of the same id (`subgraph Internet` … `Internet[사용자]`) makes the
//! node its own parent: mermaid parses the diagram, then fails to draw it with "Setting
//! Internet as parent of Internet would create a cycle", and readers see an error box.

use crate::diagram::DiagramError;
use regex::Regex;
use std::sync::OnceLock;

/// Lines that name nodes without placing them in the subgraph they are in.
const NOT_PLACING: &[&str] = &[
    "style",
    "classDef",
    "class",
    "click",
    "linkStyle",
    "direction",
    "%%",
];

/// The first node that sits inside a subgraph with its own id, as mermaid's drawing would
/// report it.
pub fn subgraph_cycle(source: &str) -> Option<DiagramError> {
    let mut open: Vec<String> = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let t = line.trim();
        let first = t.split_whitespace().next().unwrap_or("");
        if first == "subgraph" {
            open.push(subgraph_id(t));
            continue;
        }
        if first == "end" || first == "end;" {
            open.pop();
            continue;
        }
        if open.is_empty() || NOT_PLACING.iter().any(|k| first.starts_with(k)) {
            continue;
        }
        for (at, id) in node_ids(line) {
            if let Some(sg) = open.iter().find(|sg| **sg == id) {
                return Some(DiagramError {
                    message: format!(
                        "Mermaid cannot draw this: `{id}` is a node inside the subgraph `{sg}`"
                    ),
                    line: i + 1,
                    column: Some(line[..at].chars().count()),
                    label: format!("the node `{id}` inside the subgraph `{sg}`"),
                    help: Some(format!(
                        "give the node an id of its own (`{id}Node`, keeping its label) or rename the subgraph: mermaid would make `{id}` its own parent and show an error box instead of the diagram"
                    )),
                    detail: format!("Setting {id} as parent of {sg} would create a cycle"),
                });
            }
        }
    }
    None
}

/// `subgraph Internet [인터넷]`, `subgraph "title"`, `subgraph id["title"]`: the id mermaid
/// gives it.
fn subgraph_id(line: &str) -> String {
    let rest = line["subgraph".len()..].trim();
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '[' || c == '(' || c == '{')
        .unwrap_or(rest.len());
    rest[..end].trim_matches('"').to_string()
}

/// The node ids a statement names, with their byte offsets: labels (`[…]`, `(…)`, `{…}`,
/// quoted text, `|…|`) removed first, then each word that starts a piece between links.
fn node_ids(line: &str) -> Vec<(usize, String)> {
    static LABEL: OnceLock<Regex> = OnceLock::new();
    static ID: OnceLock<Regex> = OnceLock::new();
    let label = LABEL.get_or_init(|| {
        Regex::new(r#""[^"]*"|\|[^|]*\||\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|:::[\w-]+"#).unwrap()
    });
    let id = ID.get_or_init(|| {
        Regex::new(r"(?:^|[\s&;>ox-])([\p{L}\p{N}_][\p{L}\p{N}_.]*)\s*(?:$|[\s&;\[({<-])").unwrap()
    });
    // Same length, so offsets stay those of the line.
    let blanked = label.replace_all(line, |c: &regex::Captures| " ".repeat(c[0].len()));
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = id.captures_at(&blanked, at) {
        let m = c.get(1).expect("group 1");
        let word = m.as_str();
        if !matches!(word, "o" | "x" | "end") || m.start() == 0 {
            out.push((m.start(), word.to_string()));
        }
        at = m.end();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_inside_its_namesake_subgraph_is_found_at_its_line() {
        let src = "flowchart TB\n  subgraph Internet\n    Internet[인터넷 사용자] --> fw[방화벽]\n  end\n  fw --> app\n";
        let e = subgraph_cycle(src).unwrap();
        assert_eq!((e.line, e.column), (3, Some(4)));
        assert_eq!(
            e.detail,
            "Setting Internet as parent of Internet would create a cycle"
        );
    }

    #[test]
    fn links_to_a_subgraph_from_outside_and_labels_naming_it_are_fine() {
        let src = "flowchart TB\n  subgraph Internet\n    user[Internet user] --> fw\n  end\n  fw --> Internet\n  lb -->|Internet| fw\n";
        assert_eq!(subgraph_cycle(src), None);
    }

    #[test]
    fn ids_between_links() {
        let ids: Vec<String> = node_ids("  a[x (y)] --> b & c -.->|t| d((z))")
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
    }
}
