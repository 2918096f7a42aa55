//! The text a reader sees in a Mermaid diagram, read from its source, for search. Pure.
//!
//! Node labels (`A[label]`, `A(label)`, `A{label}`, `A(["label"])`, any quoted string), edge
//! labels (`-->|label|`, `-- label -->`), subgraph titles and sequence-diagram messages. Ids,
//! keywords, arrows, styles and comments are not text. Used for ```` ```mermaid ```` blocks in
//! pages and for `.mmd` diagram pages (`Language::labels`).

use regex::Regex;
use std::sync::OnceLock;

/// The labels of a Mermaid source, in source order, cleaned of `<br/>` and markup.
pub fn labels(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in src.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("%%") {
            continue;
        }
        let first = line
            .split(|c: char| c.is_whitespace() || c == ';')
            .next()
            .unwrap_or("");
        if matches!(
            first,
            "graph"
                | "flowchart"
                | "classDef"
                | "class"
                | "style"
                | "linkStyle"
                | "click"
                | "end"
                | "direction"
                | "sequenceDiagram"
                | "autonumber"
                | "activate"
                | "deactivate"
        ) {
            continue;
        }
        if let Some(rest) = line.strip_prefix("subgraph ") {
            if !bracketed(rest, &mut out) {
                push(&mut out, rest);
            }
            continue;
        }
        if let Some(rest) = ["participant ", "actor "]
            .iter()
            .find_map(|k| line.strip_prefix(k))
        {
            // `participant A as 사용자`: the alias is what is shown.
            let shown = rest.split_once(" as ").map_or(rest, |(_, alias)| alias);
            push(&mut out, shown);
            continue;
        }
        let sequence = line.starts_with("Note ") || line.contains("->>") || line.contains("-)");
        if sequence {
            if let Some((_, message)) = line.split_once(':') {
                push(&mut out, message);
                continue;
            }
        }
        bracketed(line, &mut out);
        edge_text(line, &mut out);
    }
    out
}

/// Pushes the labels of node shapes, `|edge|` labels and quoted strings of `line`; whether it
/// found any.
fn bracketed(line: &str, out: &mut Vec<String>) -> bool {
    let chars: Vec<char> = line.chars().collect();
    let before = out.len();
    let mut i = 0;
    while i < chars.len() {
        let close = match chars[i] {
            '[' => ']',
            '(' => ')',
            '{' => '}',
            '|' => '|',
            '"' => '"',
            _ => {
                i += 1;
                continue;
            }
        };
        let mut j = i + 1;
        // Nested shape openers: ([ ]), [( )], (( )), {{ }}, [[ ]], [/ /].
        if close != '"' && close != '|' {
            while j < chars.len() && matches!(chars[j], '[' | '(' | '{' | '/' | '\\') {
                j += 1;
            }
        }
        let body_start = j;
        let mut quoted = None;
        while j < chars.len() && chars[j] != close {
            if chars[j] == '"' && close != '"' {
                // A quoted label may hold the closing bracket: take it whole.
                let q = j + 1;
                let end = chars[q..].iter().position(|&c| c == '"').map(|p| q + p);
                match end {
                    Some(end) => {
                        quoted = Some(chars[q..end].iter().collect::<String>());
                        j = end + 1;
                        continue;
                    }
                    None => break,
                }
            }
            j += 1;
        }
        match quoted {
            Some(q) => push(out, &q),
            None => {
                let text: String = chars[body_start..j.min(chars.len())].iter().collect();
                push(out, text.trim_end_matches(['/', '\\', ')', ']', '}']));
            }
        }
        // Skip the rest of a nested closer: ]), )], )), }}.
        j += 1;
        while j < chars.len() && matches!(chars[j], ']' | ')' | '}') {
            j += 1;
        }
        i = j;
    }
    out.len() > before
}

/// `A -- label --> B`, `A == label ==> B`, `A -. label .-> B`.
fn edge_text(line: &str, out: &mut Vec<String>) {
    static EDGE: OnceLock<Regex> = OnceLock::new();
    let re = EDGE.get_or_init(|| {
        Regex::new(r"(?:--|==|-\.)\s+([^\s\-=.|>][^|>]*?)\s+(?:-->|==>|\.->|---|--x|--o)")
            .expect("valid regex")
    });
    for c in re.captures_iter(line) {
        push(out, &c[1]);
    }
}

fn push(out: &mut Vec<String>, raw: &str) {
    static BR: OnceLock<Regex> = OnceLock::new();
    let br = BR.get_or_init(|| Regex::new(r"(?i)<br\s*/?>|<[^>]*>").expect("valid regex"));
    let text = br
        .replace_all(raw, " ")
        .replace("#quot;", "\"")
        .replace("#amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let text = text.trim_matches(|c: char| c == '"' || c.is_whitespace());
    if !text.is_empty() {
        out.push(text.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flowchart_node_edge_and_subgraph_labels() {
        let src = r#"graph TB
    %% 주석은 텍스트가 아니다
    Internet["🌐 인터넷"]
    subgraph VNet["🔷 vnet-travel-dev"]
        PIP["📍 공인 IP<br/>Standard Load Balancer"]
        DATA[("💾 PostgreSQL / Redis Pod")]
    end
    subgraph 데이터 계층
        DB[(데이터베이스)]
    end
    Internet -->|"443"| PIP
    PIP -->|허용| GW{게이트웨이}
    GW -- 인증 후 --> SVC(서비스)
    classDef hot fill:#f96
    style GW fill:#fff"#;
        assert_eq!(
            labels(src),
            [
                "🌐 인터넷",
                "🔷 vnet-travel-dev",
                "📍 공인 IP Standard Load Balancer",
                "💾 PostgreSQL / Redis Pod",
                "데이터 계층",
                "데이터베이스",
                "443",
                "허용",
                "게이트웨이",
                "서비스",
                "인증 후",
            ]
        );
    }

    #[test]
    fn quoted_labels_may_hold_brackets() {
        assert_eq!(
            labels(r#"A["배열 [0] (첫 값)"] --> B(["둥근 {라벨}"])"#),
            ["배열 [0] (첫 값)", "둥근 {라벨}"]
        );
    }

    #[test]
    fn sequence_diagram_messages_and_aliases() {
        let src = "sequenceDiagram\n    participant U as 사용자\n    U->>API: 일정 생성 요청\n    Note over API: 큐에 적재";
        assert_eq!(labels(src), ["사용자", "일정 생성 요청", "큐에 적재"]);
    }

    #[test]
    fn ids_and_keywords_are_not_labels() {
        assert!(labels("graph LR\n  A --> B\n  B --> C;").is_empty());
    }
}
