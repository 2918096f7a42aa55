//! The native path of the diagram check (mermaid's own jison grammars run in Rust,
//! `src/diagram/mermaid/native/`) against mermaid itself (its bundle in QuickJS): whenever the native
//! path decides, its verdict is mermaid's, byte for byte. On the oracle, on the real-sized
//! diagrams of a design folder (`tests/mermaid-native/`, made by `bench/designsite.py`) and the
//! sample site, and on thousands of mutants of them (tokens deleted, repeated, swapped,
//! brackets, quotes, keywords, Korean and emoji inserted): a bounded sample here, more with
//! `ARCHSITE_MUTANTS=N` (and `ARCHSITE_MUTANT_SEED=S` for another sample).

use archsite::diagram::paths::{self, Mermaid, RawVerdict};
use proptest::prelude::*;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every diagram the repository holds: the oracle, the design folder's, the sample site's and
/// the fixtures' (`.mmd` files and ```` ```mermaid ```` blocks).
fn seeds() -> Vec<String> {
    let mut out = Vec::new();
    for dir in [
        "tests/mermaid-oracle/valid",
        "tests/mermaid-oracle/invalid",
        "tests/mermaid-native",
        "content",
        "tests/fixtures",
    ] {
        for entry in walkdir::WalkDir::new(root().join(dir))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            let path = entry.path();
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            match path.extension().and_then(|e| e.to_str()) {
                Some("mmd") => out.push(text),
                Some("md") => {
                    let mut rest = text.as_str();
                    while let Some(at) = rest.find("```mermaid\n") {
                        let body = &rest[at + "```mermaid\n".len()..];
                        let Some(end) = body.find("```") else { break };
                        out.push(body[..end].to_string());
                        rest = &body[end..];
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// What a writer's slips and edits put into a diagram.
const PIECES: &[&str] = &[
    "-->",
    "---",
    "-.->",
    "==>",
    "--",
    "-",
    "--x",
    "<-->",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "((",
    "))",
    "[[",
    "]]",
    "{{",
    "}}",
    "[(",
    ")]",
    ">",
    "\"",
    "'",
    "|",
    "&",
    ":",
    ";",
    ",",
    "\n",
    "end",
    "subgraph",
    "subgraph X",
    "direction LR",
    "style",
    "classDef",
    "class",
    "linkStyle 0",
    "linkStyle 99",
    "click",
    "@{",
    "%%",
    "%% 주석",
    "<br/>",
    "#",
    "#35;",
    "`",
    "한글",
    "😀",
    "participant",
    "alt",
    "else",
    "loop",
    "Note",
    "->>",
    "-x",
    "A",
    " ",
    "\t",
    "default",
    "interpolate",
    "graph",
    "flowchart TD",
    "::",
    ":::",
    "A-->B",
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Splits a diagram into words (letters, digits, Hangul), runs of space and single other
/// characters, so that a mutation acts on whole tokens.
fn tokens(source: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            0
        } else if c == ' ' || c == '\t' {
            1
        } else {
            2
        }
    };
    for c in source.chars() {
        match out.last_mut() {
            Some(last) if class(c) != 2 && last.chars().last().map(class) == Some(class(c)) => {
                last.push(c)
            }
            _ => out.push(c.to_string()),
        }
    }
    out
}

fn mutant(rng: &mut Rng, seed: &str) -> String {
    let mut t = tokens(seed);
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(t.len() + 1);
        match rng.below(7) {
            0 if !t.is_empty() => {
                t.remove(at.min(t.len() - 1));
            }
            1 if !t.is_empty() => {
                let i = at.min(t.len() - 1);
                t.insert(i, t[i].clone());
            }
            2 => t.insert(at, PIECES[rng.below(PIECES.len())].to_string()),
            3 if !t.is_empty() => {
                let i = at.min(t.len() - 1);
                t[i] = PIECES[rng.below(PIECES.len())].to_string();
            }
            4 if t.len() > 1 => {
                let i = at.min(t.len() - 2);
                t.swap(i, i + 1);
            }
            5 => {
                // A whole line removed or repeated.
                let text: String = t.concat();
                let lines: Vec<&str> = text.split('\n').collect();
                let i = rng.below(lines.len());
                let mut new: Vec<&str> = lines.clone();
                if rng.below(2) == 0 {
                    new.remove(i);
                } else {
                    new.insert(i, lines[i]);
                }
                t = tokens(&new.join("\n"));
            }
            _ => t.insert(at, PIECES[rng.below(PIECES.len())].to_string()),
        }
    }
    t.concat()
}

struct Comparison {
    total: usize,
    /// Accepted by mermaid.
    valid: usize,
    /// Decided by the native path.
    native: usize,
    /// Valid, but left to mermaid by the native path, with the reasons.
    declined: std::collections::BTreeMap<&'static str, usize>,
    disagreements: Vec<String>,
}

/// Runs both paths on every source (mermaid on two engines at once).
fn compare(sources: &[String]) -> Comparison {
    let half = sources.len().div_ceil(2);
    let verdicts: Vec<RawVerdict> = std::thread::scope(|scope| {
        let parts: Vec<_> = sources
            .chunks(half.max(1))
            .map(|part| {
                scope.spawn(move || {
                    let mermaid = Mermaid::load().expect("the bundle loads");
                    part.iter().map(|s| mermaid.parse(s)).collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("a mermaid thread"))
            .collect()
    });
    let mut c = Comparison {
        total: sources.len(),
        valid: 0,
        native: 0,
        declined: Default::default(),
        disagreements: Vec::new(),
    };
    for (source, mermaid) in sources.iter().zip(&verdicts) {
        c.valid += usize::from(mermaid.ok);
        match paths::native(source) {
            Some(native) => {
                c.native += 1;
                if &native != mermaid {
                    c.disagreements.push(format!(
                        "native {native:?}\nmermaid {mermaid:?}\n---\n{source}\n---"
                    ));
                }
            }
            None if mermaid.ok => {
                let why = paths::native_undecided(source).unwrap_or("?");
                *c.declined.entry(why).or_default() += 1;
            }
            None => {}
        }
    }
    c
}

fn report(what: &str, c: &Comparison) {
    eprintln!(
        "{what}: {} diagrams, {} valid, {} decided natively ({} disagreements); valid ones left to mermaid: {:?}",
        c.total,
        c.valid,
        c.native,
        c.disagreements.len(),
        c.declined
    );
}

#[test]
fn native_verdicts_are_mermaids_on_every_diagram_of_the_repository() {
    let sources = seeds();
    assert!(sources.len() > 100, "{}", sources.len());
    let c = compare(&sources);
    report("repository", &c);
    assert!(c.disagreements.is_empty(), "{}", c.disagreements.join("\n"));
    // Every diagram of the design folder and of the sample site is decided natively.
    let real: Vec<(std::path::PathBuf, String)> = ["tests/mermaid-native", "content"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root().join(d)).unwrap())
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mmd"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    assert!(real.len() >= 20, "{}", real.len());
    for (path, text) in &real {
        assert_eq!(paths::native_undecided(text), None, "{}", path.display());
    }
}

#[test]
fn native_verdicts_are_mermaids_on_mutated_diagrams() {
    let n: usize = std::env::var("ARCHSITE_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1200);
    let seed: u64 = std::env::var("ARCHSITE_MUTANT_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seeds = seeds();
    let mut rng = Rng(seed);
    let sources: Vec<String> = (0..n)
        .map(|_| {
            let pick = rng.below(seeds.len());
            mutant(&mut rng, &seeds[pick])
        })
        .collect();
    let c = compare(&sources);
    report("mutants", &c);
    assert!(c.disagreements.is_empty(), "{}", c.disagreements.join("\n"));
    // Not vacuous: mutants mermaid accepts and the native path decides are many.
    assert!(c.native * 4 > c.valid, "{} of {}", c.native, c.valid);
}

/// A line of a flowchart, from pieces that combine into both valid and broken statements.
fn flow_line() -> impl Strategy<Value = String> {
    let id = prop::sample::select(vec!["A", "B", "서버", "db1", "end", "x_y", "C4"]);
    let arrow = prop::sample::select(vec![
        "-->",
        "---",
        "-.->",
        "==>",
        "--o",
        "--x",
        "<-->",
        "-- 설명 -->",
        "-->|라벨|",
        "~~~",
        "->",
    ]);
    let shape = prop::sample::select(vec![
        "",
        "[텍스트]",
        "(둥근)",
        "{판단}",
        "[(DB)]",
        "((원))",
        "[[서브]]",
        "{{육각}}",
        "[\"따옴표\"]",
        "[/기울임/]",
        ">깃발]",
        "[",
        "(\"",
        "@{ shape: rect }",
    ]);
    let other = prop::sample::select(vec![
        "subgraph S1 [\"그룹\"]",
        "subgraph",
        "end",
        "direction LR",
        "classDef c fill:#f9f",
        "class A c",
        "style A fill:#fff",
        "linkStyle 0 stroke:red",
        "linkStyle 7 stroke:red",
        "click A cb \"tip\"",
        "%% 주석",
        "A:::c",
        "A & B --> C",
    ]);
    prop_oneof![
        3 => (id.clone(), shape.clone(), arrow, id, shape)
            .prop_map(|(a, s, r, b, t)| format!("{a}{s} {r} {b}{t}")),
        1 => other.prop_map(str::to_string),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 120, ..ProptestConfig::default() })]

    /// Whatever flowchart the native path accepts, mermaid accepts, as the same type.
    #[test]
    fn a_flowchart_the_native_path_accepts_mermaid_accepts(
        header in prop::sample::select(vec!["flowchart TD", "graph LR", "flowchart", "graph"]),
        lines in prop::collection::vec(flow_line(), 1..14),
    ) {
        let source = format!("{header}\n  {}\n", lines.join("\n  "));
        if let Some(native) = paths::native(&source) {
            thread_local! {
                static MERMAID: Mermaid = Mermaid::load().expect("the bundle loads");
            }
            let mermaid = MERMAID.with(|m| m.parse(&source));
            prop_assert_eq!(native, mermaid, "{}", source);
        }
    }
}
