//! What search indexes of a PlantUML diagram (participants, messages, classes, entities and
//! their fields, notes), and its title: read from the source line by line, as PlantUML's
//! keywords mark them, without running PlantUML.

/// `title …` (the first line of a `title` … `end title` block), else `@startuml NAME`.
pub fn title(source: &str) -> Option<String> {
    let mut name = None;
    let mut lines = source.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let lower = line.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("@startuml") {
            let rest = line[line.len() - rest.len()..].trim();
            if !rest.is_empty() && !rest.starts_with('(') {
                name = Some(rest.trim_matches('"').to_string());
            }
        } else if lower == "title" {
            let first = lines.find(|l| !l.is_empty())?;
            if !first.eq_ignore_ascii_case("end title") {
                return Some(clean(first));
            }
        } else if lower.starts_with("title ") || lower.starts_with("title:") {
            let t = clean(line[6..].trim_start_matches(':'));
            if !t.is_empty() {
                return Some(t);
            }
        }
    }
    name.filter(|n| !n.is_empty())
}

/// Declared participants, message texts, class and entity names and fields, notes.
pub fn labels(source: &str) -> Vec<String> {
    const DECLARE: &[&str] = &[
        "participant",
        "actor",
        "boundary",
        "control",
        "entity",
        "database",
        "collections",
        "queue",
        "class",
        "abstract",
        "interface",
        "enum",
        "table",
        "object",
        "component",
        "package",
        "node",
        "rectangle",
        "usecase",
        "state",
    ];
    let mut out = Vec::new();
    let mut in_body = false;
    for line in source.lines().map(str::trim) {
        if line.is_empty()
            || line.starts_with('\'')
            || line.starts_with('!')
            || line.starts_with('@')
        {
            continue;
        }
        if in_body {
            if line.starts_with('}') {
                in_body = false;
            } else if !line.starts_with("--") && !line.starts_with("==") && !line.starts_with("..")
            {
                let field = line.trim_start_matches(['*', '+', '-', '#', '~', ' ']);
                out.push(clean(field));
            }
            continue;
        }
        let first = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if DECLARE.contains(&first.as_str()) {
            let rest = line[first.len()..].trim();
            let name = match rest.strip_prefix('"') {
                Some(q) => q.split('"').next().unwrap_or(""),
                None => rest
                    .split(|c: char| c.is_whitespace() || c == '{' || c == '<')
                    .next()
                    .unwrap_or(""),
            };
            out.push(clean(name));
            if let Some((_, alias_of)) = rest.split_once(" as ") {
                let alias = alias_of.trim().trim_matches('"');
                if rest.starts_with('"') && !alias.is_empty() {
                    // `participant "웹 서버" as W`: the name is the quoted text.
                } else if let Some(q) = alias_of.trim().strip_prefix('"') {
                    out.push(clean(q.split('"').next().unwrap_or("")));
                }
            }
            in_body = line.ends_with('{');
            continue;
        }
        if first == "title" || first.starts_with("note") || first == "legend" {
            if let Some((_, text)) = line.split_once(':') {
                out.push(clean(text));
            } else if first == "title" {
                out.push(clean(&line[5..]));
            }
            continue;
        }
        // A message: `A -> B : text`, `A --> B: text`, `A <- B : text`.
        let arrow = line.contains("->")
            || line.contains("<-")
            || line.contains("..>")
            || line.contains("--");
        if arrow {
            if let Some((_, text)) = line.split_once(':') {
                out.push(clean(text));
            }
        }
    }
    out.retain(|l| !l.is_empty());
    out
}

/// The destinations of `[[url]]`, `[[url label]]` and `[[url{tooltip} label]]` links: their
/// byte ranges in the source. Comments (`'` lines) are skipped.
pub fn links(source: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        if !line.trim_start().starts_with('\'') {
            let mut from = 0;
            while let Some(i) = line[from..].find("[[") {
                let start = from + i + 2;
                let rest = &line[start..];
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == ']' || c == '{' || c == '|')
                    .unwrap_or(rest.len());
                if end > 0 {
                    out.push(at + start..at + start + end);
                }
                from = start + end;
            }
        }
        at += line.len();
    }
    out
}

/// PlantUML's `\n` and markup marks out of a label.
fn clean(text: &str) -> String {
    let text = text
        .replace("\\n", " ")
        .replace("**", "")
        .replace("__", "")
        .replace('"', "");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_with_their_place() {
        let src = "A -> B : [[../api.md#login 로그인]]\n' [[commented.md]]\nclass X [[x.puml{툴팁}]]\nB -> A : [[https://e.com]]\n";
        let found: Vec<&str> = links(src).into_iter().map(|r| &src[r]).collect();
        assert_eq!(found, ["../api.md#login", "x.puml", "https://e.com"]);
    }

    #[test]
    fn title_then_the_start_name() {
        assert_eq!(
            title("@startuml login\n!theme mono\ntitle 로그인 플로우\nA -> B\n@enduml").as_deref(),
            Some("로그인 플로우")
        );
        assert_eq!(
            title("@startuml 주문_처리\nA -> B\n@enduml").as_deref(),
            Some("주문_처리")
        );
        assert_eq!(
            title("@startuml\ntitle\n 여러 줄 제목\nend title\n@enduml").as_deref(),
            Some("여러 줄 제목")
        );
        assert_eq!(title("@startuml\nA -> B\n@enduml"), None);
    }

    #[test]
    fn participants_messages_entities_and_fields() {
        let l = labels(
            "@startuml\nactor 사용자 as U\nparticipant \"인증 서버\" as A\nU -> A : 로그인 요청\nA --> U: 토큰 발급\nnote right of A : 만료 30분\nentity 주문 {\n  * order_id : number\n  --\n  상태 : text\n}\n@enduml\n",
        );
        for want in [
            "사용자",
            "인증 서버",
            "로그인 요청",
            "토큰 발급",
            "만료 30분",
            "주문",
            "order_id : number",
            "상태 : text",
        ] {
            assert!(l.iter().any(|x| x == want), "{want} not in {l:?}");
        }
    }
}
