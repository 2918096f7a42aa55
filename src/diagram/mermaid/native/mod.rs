//! mermaid's own jison grammars, run natively: the fast path of the diagram check.
//!
//! mermaid's parse of a flowchart costs 10–50 ms in QuickJS (docs/benchmarks.md), nearly all
//! of it interpreter overhead. Here the same parse — mermaid's preprocessing, its type
//! detection, its jison LR table and lexer rules (extracted from the bundle at build time by
//! `js/extract-grammars.mjs`), and the checks its grammar actions make — runs in Rust in tens of
//! microseconds. It only ever answers "valid": a diagram it rejects, or one whose verdict
//! depends on something it does not follow exactly (front matter, `%%{init}%%` directives,
//! shape data, a rule or action it does not know, a type other than flowchart), is `None`, and
//! the caller asks mermaid in QuickJS, which gives the verdict, the message and the place.
//! `tests/it/mermaid_native.rs` holds the two paths to the same verdicts on the oracle and on
//! thousands of mutated real-sized diagrams.

mod flowchart;
mod jison;
mod jsregex;
mod sequence;

use super::engine::RawVerdict;
pub use jison::Undecided;
use std::sync::OnceLock;

/// The grammars the build extracted from the bundle (`js/extract-grammars.mjs`).
static GRAMMARS_JSON: &str = crate::theme::MERMAID_GRAMMARS_JSON;

/// A diagram type's grammar and what each of its actions does, both read once, on first use.
struct Parser<H> {
    grammar: jison::Grammar,
    handlers: H,
}

/// A type's grammar from the extracted JSON (each loaded on first use, ~1–2 ms).
fn grammar(kind: &str) -> Option<jison::Grammar> {
    let mut all: std::collections::HashMap<String, jison::RawGrammar> =
        serde_json::from_str(GRAMMARS_JSON).ok()?;
    jison::Grammar::load(all.remove(kind)?).ok()
}

/// The flowchart grammar; `None` if it cannot be run natively.
fn flow() -> Option<&'static Parser<flowchart::Handlers>> {
    static FLOW: OnceLock<Option<Parser<flowchart::Handlers>>> = OnceLock::new();
    FLOW.get_or_init(|| {
        let grammar = grammar("flowchart-v2")?;
        // mermaid's flowchart parser first trims the space after `}` at the end of lines; any
        // other wrapper is not known here.
        let entry: String = grammar.entry.split_whitespace().collect();
        (entry == FLOW_ENTRY).then(|| Parser {
            handlers: flowchart::Handlers::of(&grammar.action_bodies),
            grammar,
        })
    })
    .as_ref()
}

/// The sequence grammar (called by mermaid as jison made it, with no wrapper).
fn sequence_parser() -> Option<&'static Parser<sequence::Handlers>> {
    static SEQUENCE: OnceLock<Option<Parser<sequence::Handlers>>> = OnceLock::new();
    SEQUENCE
        .get_or_init(|| {
            let grammar = grammar("sequence").filter(|g| g.entry == "jison")?;
            Some(Parser {
                handlers: sequence::Handlers::of(&grammar.action_bodies),
                grammar,
            })
        })
        .as_ref()
}

/// `flowParser.ts`'s `parse`, as the bundle has it (whitespace removed).
const FLOW_ENTRY: &str =
    "(src)=>{constnewSrc=src.replace(/}\\s*\\n/g,\"}\\n\");returnflow_default.parse(newSrc);}";

/// The verdict of `mermaid.parse(source)` when it can be decided natively: always a valid one.
pub fn check(source: &str) -> Option<RawVerdict> {
    decide(source).ok()
}

/// `check`, with the reason when mermaid must decide.
pub fn decide(source: &str) -> Result<RawVerdict, Undecided> {
    let code = preprocess(source).ok_or(Undecided("front matter, a directive or a character"))?;
    match detect(&code).ok_or(Undecided("a diagram type not run natively"))? {
        Kind::Flowchart => {
            let flow = flow().ok_or(Undecided("the flowchart grammar cannot run natively"))?;
            let text = format!("{}\n", encode_entities(&code));
            let text = regexes().flow_braces.replace_all(&text, "}\n");
            let mut db = flowchart::Flowchart::new(&flow.handlers);
            flow.grammar.parse(&text, &mut db)?;
            Ok(RawVerdict {
                ok: true,
                diagram_type: Some("flowchart-v2".into()),
                ..RawVerdict::default()
            })
        }
        Kind::Sequence => {
            let sequence =
                sequence_parser().ok_or(Undecided("the sequence grammar cannot run natively"))?;
            let text = format!("{}\n", encode_entities(&code));
            let mut db = sequence::Sequence::new(&sequence.handlers);
            sequence.grammar.parse(&text, &mut db)?;
            Ok(RawVerdict {
                ok: true,
                diagram_type: Some("sequence".into()),
                ..RawVerdict::default()
            })
        }
    }
}

enum Kind {
    Flowchart,
    Sequence,
}

/// Whether a front matter's YAML is nothing but `title: <plain text>`, which js-yaml loads as
/// a string or a scalar without fail and which mermaid only shows.
fn plain_title_only(yaml: &str) -> bool {
    let mut titles = 0;
    for line in yaml.split('\n') {
        if line.trim_matches(jsregex::is_js_space).is_empty() {
            continue;
        }
        let Some(value) = line.strip_prefix("title: ") else {
            return false;
        };
        titles += 1;
        let plain = !value.is_empty()
            && value == value.trim_matches(jsregex::is_js_space)
            && !value.starts_with([
                '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"',
                '%', '@', '`',
            ])
            && !value.ends_with(':')
            && !value.contains(": ")
            && !value.contains(" #")
            && !value.contains('\t')
            && !value.chars().any(|c| c.is_control());
        if !plain {
            return false;
        }
    }
    // A repeated key is an error for js-yaml.
    titles == 1
}

struct Regexes {
    html_tag: regex::Regex,
    html_attribute: regex::Regex,
    comment_line: regex::Regex,
    style_entity: regex::Regex,
    class_def_entity: regex::Regex,
    entity: regex::Regex,
    flow_braces: regex::Regex,
    front_matter: fancy_regex::Regex,
}

/// mermaid's preprocessing regexes (`preprocess.ts`, `comments.ts`, `utils.ts`), translated
/// with JavaScript's meaning of `.`, `\s` and `\w`.
fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| {
        let js = |source: &str| {
            let t = jsregex::translate(source, "g").expect("a translatable regex");
            regex::Regex::new(&t.pattern).expect("a valid translation")
        };
        let space = jsregex::translate(r"\s", "")
            .expect("\\s translates")
            .pattern;
        Regexes {
            html_tag: js(r"<(\w+)([^>]*)>"),
            html_attribute: js(r#"="([^"]*)""#),
            // `/^\s*%%(?!{)[^\n]+\n?/gm`: the text holds no `%%{` (see `preprocess`) and no
            // line separators other than `\n`, so `(?!{)` always holds and `^` is `(?m:^)`.
            comment_line: regex::Regex::new(&format!(r"(?m:^){space}*%%[^\n]+\n?"))
                .expect("a valid regex"),
            style_entity: js(r"style.*:\S*#.*;"),
            class_def_entity: js(r"classDef.*:\S*#.*;"),
            entity: js(r"#\w+;"),
            flow_braces: js(r"}\s*\n"),
            // `frontMatterRegex` (`/^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+/s`): a
            // back-reference, so written out here with JavaScript's `\s`.
            front_matter: fancy_regex::Regex::new(&format!(
                r"(?s)^([{inline}]*)-{{3}}{space}*[\n\r](.*?)[\n\r]\1-{{3}}{space}*[\n\r]+",
                inline = space
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .replace(r"\x{9}-\x{D}", r"\x{9}\x{B}\x{C}")
            ))
            .expect("a valid regex"),
        }
    })
}

/// What `mermaid.parse` hands the diagram's parser (`preprocessDiagram` and `getDiagramFromText`),
/// as JavaScript code units (`jsregex::transcode`). `None` when the text has front matter or
/// directives (mermaid's configuration would then depend on them) or characters whose
/// treatment is not followed here.
fn preprocess(source: &str) -> Option<String> {
    let r = regexes();
    // `cleanupText`: CRLF and CR become LF.
    let text = source.replace("\r\n", "\n").replace('\r', "\n");
    // JavaScript's `^` in multi-line mode also starts after U+2028 and U+2029.
    if text.contains(['\u{2028}', '\u{2029}']) || text.contains("%%{") {
        return None;
    }
    let text = jsregex::transcode(&text)?.into_owned();
    // `<tag a="x">` becomes `<tag a='x'>`.
    let text = r.html_tag.replace_all(&text, |c: &regex::Captures| {
        let attributes = r.html_attribute.replace_all(&c[2], "='$1'");
        format!("<{}{}>", &c[1], attributes)
    });
    // Front matter (`---` first, possibly indented): mermaid reads it with js-yaml. Only a
    // front matter of a plain `title:` is followed here (a `config:` changes how mermaid
    // parses; other YAML can fail to load).
    let mut text = text.into_owned();
    if text
        .trim_start_matches(|c: char| jsregex::is_js_space(c) && c != '\n' && c != '\r')
        .starts_with("---")
    {
        let m = r.front_matter.captures(&text).ok()??;
        if !m[1].is_empty() || !plain_title_only(&m[2]) {
            return None;
        }
        let end = m.get(0)?.end();
        text.replace_range(..end, "");
    }
    let text = r.comment_line.replace_all(&text, "");
    Some(text.trim_start_matches(jsregex::is_js_space).to_string())
}

/// `detectType` for the types run natively; `None` for every other.
fn detect(code: &str) -> Option<Kind> {
    // The C4 detector (tried before flowcharts) matches these anywhere in the text.
    if ["C4Container", "C4Component", "C4Dynamic", "C4Deployment"]
        .iter()
        .any(|w| code.contains(w))
    {
        return None;
    }
    if code.starts_with("flowchart-elk") {
        return None;
    }
    // `graph` is a flowchart-v2 with mermaid's default `flowchart.defaultRenderer`.
    if code.starts_with("flowchart") || code.starts_with("graph") {
        return Some(Kind::Flowchart);
    }
    if code.starts_with("sequenceDiagram") {
        return Some(Kind::Sequence);
    }
    None
}

/// `encodeEntities` (mermaid's `utils.ts`), applied before a diagram is parsed.
fn encode_entities(text: &str) -> String {
    let r = regexes();
    let drop_last = |c: &regex::Captures| {
        let s = &c[0];
        s[..s.len() - 1].to_string()
    };
    let text = r.style_entity.replace_all(text, drop_last);
    let text = r.class_def_entity.replace_all(&text, drop_last);
    r.entity
        .replace_all(&text, |c: &regex::Captures| {
            let inner = &c[0][1..c[0].len() - 1];
            if inner.bytes().all(|b| b.is_ascii_digit()) {
                format!("ﬂ°°{inner}¶ß")
            } else {
                format!("ﬂ°{inner}¶ß")
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flowchart_rule_and_action_is_known() {
        let flow = flow().expect("the bundled flowchart grammar runs natively");
        assert_eq!(
            flowchart::Flowchart::unknown_actions(&flow.grammar.action_bodies)
                .iter()
                .filter(|b| !b.starts_with("yy.addVertex(") && !b.contains("yy.setLink("))
                .collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "actions other than shape data and links, which mermaid decides"
        );
    }

    #[test]
    fn every_rule_of_the_native_lexers_runs() {
        assert_eq!(flow().unwrap().grammar.lexer_gaps(), Vec::<String>::new());
        assert_eq!(
            sequence_parser().unwrap().grammar.lexer_gaps(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_sequence_action_is_known() {
        let g = &sequence_parser()
            .expect("the bundled sequence grammar runs natively")
            .grammar;
        assert_eq!(
            sequence::Sequence::unknown_actions(&g.action_bodies)
                .iter()
                .filter(|b| !b.contains("parseBoxData") && !b.contains("addDetails"))
                .collect::<Vec<_>>(),
            Vec::<&String>::new(),
        );
    }

    #[test]
    fn valid_flowcharts_are_decided_natively() {
        for source in [
            "graph TB\n  A[\"웹 서버\"] --> B\n",
            "flowchart LR\n  A & B --> C & D\n  C -- text --> D\n  linkStyle 0 stroke:#f00\n  linkStyle 1,2 stroke:red;\n",
            "flowchart TD\n  subgraph one [\"하나\"]\n    a1 --> a2\n  end\n  %% comment\n  click a1 callback \"tip\"\n",
            "---\ntitle: 개발환경 네트워크 구성도\n---\nflowchart LR\n  A --> B\n",
            "sequenceDiagram\n  autonumber\n  actor U as 사용자\n  U->>+S: 요청\n  alt ok\n    S-->>-U: 응답\n  else no\n    S--xU: 실패\n  end\n  Note over U,S: 끝\n",
            "graph LR\n  A((\"😀\")) -.-> B{{hex}}\n  B ==> C[(db)]\n  classDef x fill:#f9f,stroke:#333;\n  class A x\n",
        ] {
            assert_eq!(decide(source).map(|v| v.ok), Ok(true), "{source}");
        }
    }

    #[test]
    fn what_mermaid_must_decide_is_left_to_it() {
        for source in [
            "graph TB\n  A --> B\n  B -> C\n",
            "flowchart TD\n  subgraph\n    a\n  end\n",
            "flowchart TD\n  A --> B\n  linkStyle 1 stroke:#f00\n",
            "flowchart TD\n  A --> B\n  linkStyle 00 stroke:#f00\n",
            "flowchart TD\n  A@{ shape: rect }\n",
            "flowchart TD\n  A --> B\n  click A \"http://x/%zz\"\n",
            "---\ntitle: x\nconfig:\n  theme: dark\n---\nflowchart TD\n  A --> B\n",
            "---\ntitle: \"x\\q\"\n---\nflowchart TD\n  A --> B\n",
            "---\ntitle: a\ntitle: b\n---\nflowchart TD\n  A --> B\n",
            "%%{init: {\"theme\": \"dark\"}}%%\nflowchart TD\n  A --> B\n",
            "flowchart TD\n  A --> C4Container\n",
            "sequenceDiagram\n  A->>B: hi\n  deactivate A\n",
            "sequenceDiagram\n  create participant B\n  A->>C: hi\n",
            "sequenceDiagram\n  box Aqua Group\n  participant A\n  end\n",
        ] {
            assert_eq!(check(source), None, "{source}");
        }
        let many: String = (0..501)
            .map(|i| format!("  n{i} --> n{}\n", i + 1))
            .collect();
        assert_eq!(check(&format!("flowchart TD\n{many}")), None);
        let fine: String = (0..500)
            .map(|i| format!("  n{i} --> n{}\n", i + 1))
            .collect();
        assert!(check(&format!("flowchart TD\n{fine}")).is_some());
    }
}
