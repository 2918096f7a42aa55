//! The only file that touches QuickJS (`rquickjs`). Loads the embedded parse-only mermaid
//! bundle once and answers `parse(source)` with what `mermaid.parse()` said, as plain data.
//!
//! QuickJS values are tied to their runtime and not `Send`, so an `Engine` lives on one
//! thread (a `Worker` of `Mermaid` in the module above, which owns that thread).

use rquickjs::{Context, Function, Runtime, Value};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// What the bundle's `__archsiteParse` leaves in `__archsiteResult` (see `js/parse-entry.mjs`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RawVerdict {
    pub ok: bool,
    #[serde(rename = "type")]
    pub diagram_type: Option<String>,
    #[serde(default)]
    pub message: String,
    /// jison: the lexer's line when the parser gave up (1-based, in the cleaned text).
    pub lexer_line: Option<usize>,
    /// jison: the last token shifted before the error.
    pub loc: Option<Loc>,
    pub token: Option<String>,
    /// jison: the text of the unexpected token.
    pub text: Option<String>,
    pub expected: Option<Vec<String>>,
    /// Per line of the text mermaid's parsers saw (after it drops front matter, directives and
    /// comments), the line of the source it came from.
    pub lines: Option<Vec<usize>>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Loc {
    pub line: usize,
    pub column: usize,
}

pub struct Engine {
    runtime: Runtime,
    context: Context,
    deadline: std::sync::Arc<std::sync::Mutex<Option<Instant>>>,
}

/// A pathological diagram must not hang a build: a parse that runs longer is stopped.
const PARSE_TIME_LIMIT: Duration = Duration::from_secs(20);
const MEMORY_LIMIT: usize = 1 << 30;

impl Engine {
    /// Loads the bundle from its bytecode (~80 ms), or compiles its source (~0.35 s) when
    /// there is no usable bytecode. Paid once per engine.
    pub fn load(bytecode: &[u8], bundle: &[u8]) -> Result<Engine, String> {
        let runtime = Runtime::new().map_err(|e| e.to_string())?;
        runtime.set_memory_limit(MEMORY_LIMIT);
        runtime.set_max_stack_size(16 << 20);
        let deadline = std::sync::Arc::new(std::sync::Mutex::new(None::<Instant>));
        let watch = deadline.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || {
            watch
                .lock()
                .ok()
                .and_then(|d| *d)
                .is_some_and(|d| Instant::now() > d)
        })));
        let context = Context::full(&runtime).map_err(|e| e.to_string())?;
        let from_bytecode = !bytecode.is_empty()
            && context.with(|ctx| {
                // SAFETY: the bytecode was written by this QuickJS version at build time
                // (build.rs) from the embedded bundle; it is never read from outside.
                let loaded = unsafe { rquickjs::Module::load(ctx.clone(), bytecode) };
                loaded
                    .and_then(|m| m.eval())
                    .and_then(|(_, promise)| promise.finish::<()>())
                    .is_ok()
            });
        if !from_bytecode {
            let bundle = std::str::from_utf8(bundle).map_err(|e| e.to_string())?;
            context.with(|ctx| {
                ctx.eval::<(), _>(bundle)
                    .map_err(|e| exception_text(&ctx, e))
            })?;
        }
        Ok(Engine {
            runtime,
            context,
            deadline,
        })
    }

    /// Runs `mermaid.parse(source)` to completion (it returns a promise; the job queue is
    /// drained here).
    pub fn parse(&self, source: &str) -> RawVerdict {
        if let Ok(mut d) = self.deadline.lock() {
            *d = Some(Instant::now() + PARSE_TIME_LIMIT);
        }
        let started = self.context.with(|ctx| {
            let parse: Function = ctx
                .globals()
                .get("__archsiteParse")
                .map_err(|e| e.to_string())?;
            parse
                .call::<_, ()>((source,))
                .map_err(|e| exception_text(&ctx, e))
        });
        let verdict = started.and_then(|()| {
            loop {
                match self.runtime.execute_pending_job() {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(_) => return Err("the parser was stopped".to_string()),
                }
            }
            self.context.with(|ctx| {
                let value: Value = ctx
                    .globals()
                    .get("__archsiteResult")
                    .map_err(|e| e.to_string())?;
                let json = ctx
                    .json_stringify(value)
                    .map_err(|e| exception_text(&ctx, e))?
                    .and_then(|s| s.to_string().ok())
                    .ok_or("the parser returned nothing")?;
                serde_json::from_str::<Option<RawVerdict>>(&json)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| "the parser did not finish".to_string())
            })
        });
        if let Ok(mut d) = self.deadline.lock() {
            *d = None;
        }
        verdict.unwrap_or_else(|message| RawVerdict {
            ok: false,
            message: if message.contains("interrupted") {
                format!("mermaid's parser ran for more than {PARSE_TIME_LIMIT:?}")
            } else {
                message
            },
            ..RawVerdict::default()
        })
    }
}

fn exception_text(ctx: &rquickjs::Ctx, error: rquickjs::Error) -> String {
    if !matches!(error, rquickjs::Error::Exception) {
        return error.to_string();
    }
    let caught = ctx.catch();
    match caught.as_exception() {
        Some(ex) => ex.message().unwrap_or_else(|| "exception".to_string()),
        None => caught
            .as_string()
            .and_then(|s| s.to_string().ok())
            .unwrap_or_else(|| "exception".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::load(
            crate::theme::MERMAID_PARSE_BYTECODE,
            crate::theme::MERMAID_PARSE_JS,
        )
        .expect("the embedded bundle loads")
    }

    #[test]
    fn accepts_a_flowchart_and_reports_an_error_with_its_place() {
        let e = engine();
        let ok = e.parse("graph TB\n  A[\"웹 서버\"] --> B\n");
        assert!(ok.ok, "{ok:?}");
        assert_eq!(ok.diagram_type.as_deref(), Some("flowchart-v2"));
        let bad = e.parse("graph TB\n  %% comment\n  A --> B\n  B -> C\n");
        assert!(!bad.ok);
        assert!(bad.message.contains("Parse error"), "{}", bad.message);
        assert_eq!(bad.token.as_deref(), Some("MINUS"));
        // The parser saw three lines (the comment dropped); they came from lines 1, 3, 4.
        assert_eq!(bad.lines.as_deref(), Some(&[1, 3, 4, 5][..]));
    }

    #[test]
    fn the_embedded_bytecode_loads_on_its_own() {
        let e = Engine::load(crate::theme::MERMAID_PARSE_BYTECODE, b"")
            .expect("bytecode made by build.rs loads without the source");
        assert!(e.parse("sequenceDiagram\n  A->>B: hi\n").ok);
    }

    #[test]
    fn the_source_is_compiled_when_there_is_no_bytecode() {
        let e = Engine::load(&[], crate::theme::MERMAID_PARSE_JS).unwrap();
        assert!(e.parse("pie\n  \"a\" : 1\n").ok);
        let e = Engine::load(b"not bytecode", crate::theme::MERMAID_PARSE_JS).unwrap();
        assert!(e.parse("graph LR\n  a --> b\n").ok);
    }

    #[test]
    fn unknown_types_are_rejected() {
        let bad = engine().parse("networkDiagram\n  A --> B\n");
        assert!(!bad.ok);
        assert!(bad.message.contains("No diagram type"), "{}", bad.message);
    }

    /// Runs `code` (which ends with a string expression) in the engine's context.
    fn eval_string(e: &Engine, code: &str) -> String {
        e.context.with(|ctx| {
            ctx.eval::<String, _>(code)
                .map_err(|err| exception_text(&ctx, err))
                .expect("the script runs")
        })
    }

    /// `js/quickjs-env.mjs`'s `__archsiteAssignFresh` against mermaid's own `assignWithDepth`
    /// into a fresh object: the same keys in the same order, the same property attributes and
    /// prototypes, the same values, and the same objects shared with the source (none of the
    /// two copied levels, the same ones below), on mermaid's real configuration and on random
    /// objects with awkward keys and values.
    #[test]
    fn the_config_merge_shortcut_equals_mermaids_own() {
        let original = crate::theme::MERMAID_ASSIGN_WITH_DEPTH;
        assert!(
            !original.is_empty(),
            "build.rs found no assignWithDepth in the bundle"
        );
        let e = engine();
        let script = format!(
            r#"
const __original = {original};
function describe(x, inSource) {{
  if (x === null || (typeof x !== 'object' && typeof x !== 'function')) {{
    return [typeof x, Object.is(x, -0) ? '-0' : String(x)];
  }}
  if (typeof x === 'function') return ['function', inSource.has(x)];
  const proto = Object.getPrototypeOf(x);
  return {{
    shared: inSource.has(x),
    proto: proto === Object.prototype ? 'Object' : proto === Array.prototype ? 'Array'
      : proto === null ? 'null' : inSource.has(proto) ? 'an object of the source' : 'another object',
    keys: Reflect.ownKeys(x).map((k) => {{
      const d = Object.getOwnPropertyDescriptor(x, k);
      return [String(k), d.writable, d.enumerable, d.configurable, describe(d.value, inSource)];
    }}),
  }};
}}
function reachable(x, seen = new Set()) {{
  if (x !== null && (typeof x === 'object' || typeof x === 'function') && !seen.has(x)) {{
    seen.add(x);
    if (typeof x === 'object') for (const k of Reflect.ownKeys(x)) reachable(x[k], seen);
  }}
  return seen;
}}
let seed = 12345;
const random = () => {{ seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; }};
const pick = (xs) => xs[Math.floor(random() * xs.length)];
const KEYS = ['a', 'b', 'theme', 'flowchart', '__proto__', 'constructor', 'toString', '0', '1', 'length', 'x-y', '한글'];
const shared = {{ deep: [1, 2] }};
function value(depth) {{
  const r = random();
  if (depth > 3 || r < 0.35) return pick([0, -0, 1.5, NaN, '', 'text', true, false, null, undefined, () => 1, shared]);
  if (r < 0.55) {{
    const xs = [];
    const n = Math.floor(random() * 5);
    for (let i = 0; i < n; i++) xs.push(random() < 0.3 && xs.length ? xs[0] : value(depth + 1));
    if (random() < 0.2) xs[n + 2] = 'after a hole';
    return xs;
  }}
  const o = {{}};
  const n = Math.floor(random() * 6);
  for (let i = 0; i < n; i++) {{
    Object.defineProperty(o, pick(KEYS), {{ value: value(depth + 1), writable: true, enumerable: random() < 0.9, configurable: true }});
  }}
  return o;
}}
const inputs = [globalThis.__archsiteMermaid.mermaidAPI.getConfig(), globalThis.__archsiteMermaid.mermaidAPI.getSiteConfig(), {{}}];
for (let i = 0; i < 400; i++) {{ const v = value(0); if (v && typeof v === 'object' && !Array.isArray(v)) inputs.push(v); }}
const differ = [];
inputs.forEach((src, i) => {{
  const inSource = reachable(src);
  const mine = JSON.stringify(describe(globalThis.__archsiteAssignFresh({{}}, src), inSource));
  const theirs = JSON.stringify(describe(__original({{}}, src), inSource));
  if (mine !== theirs) differ.push(i + ': ' + mine.slice(0, 300) + ' <> ' + theirs.slice(0, 300));
}});
// Cases the shortcut must leave to mermaid's code.
const declined = [[{{ a: 1 }}, {{}}], [[], {{}}], [{{}}, []], [Object.create(null), {{}}], [{{}}, null]]
  .filter(([d, s]) => globalThis.__archsiteAssignFresh(d, s) !== undefined).length;
JSON.stringify({{ inputs: inputs.length, differ, declined }});
"#
        );
        let report: serde_json::Value = serde_json::from_str(&eval_string(&e, &script)).unwrap();
        assert!(report["inputs"].as_u64().unwrap() > 100, "{report}");
        assert_eq!(report["differ"], serde_json::json!([]), "{report}");
        assert_eq!(report["declined"], 0, "{report}");
    }

    /// The bundle with its shortcuts (`js/quickjs-env.mjs`, spliced in by build.rs) and without
    /// them (mermaid's own code, which they stand in for, runs when they are switched off) give
    /// the same verdict, message, place and expected tokens for every oracle diagram and for
    /// broken variants of them (characters cut, tokens inserted, lines repeated).
    #[test]
    fn the_shortcuts_change_no_verdict() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid-oracle");
        let mut sources: Vec<String> = ["valid", "invalid"]
            .iter()
            .flat_map(|d| std::fs::read_dir(dir.join(d)).unwrap())
            .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
            .collect();
        sources.sort();
        let pieces = [
            "-->",
            "---",
            "-.->",
            "[",
            "]",
            "(",
            ")",
            "{",
            "}",
            "\"",
            "|",
            "&",
            ":",
            ";",
            "\n",
            "end",
            "subgraph X",
            "%%",
            "<br/>",
            "->>",
            "+",
            "-",
            "@{",
            "#",
            "`",
            "한글",
            "😀",
        ];
        let mut state: u64 = 7;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % n.max(1)
        };
        let originals = sources.len();
        for _ in 0..80 {
            let mut s: Vec<char> = sources[next(originals)].chars().collect();
            for _ in 0..1 + next(3) {
                let at = next(s.len() + 1);
                match next(3) {
                    0 => s
                        .splice(at..at, pieces[next(pieces.len())].chars())
                        .for_each(drop),
                    1 => {
                        let to = (at + 1 + next(8)).min(s.len());
                        s.drain(at..to).for_each(drop)
                    }
                    _ => {
                        let line: String = s
                            .iter()
                            .collect::<String>()
                            .lines()
                            .nth(next(8))
                            .unwrap_or("")
                            .to_string();
                        s.splice(at..at, format!("\n{line}\n").chars())
                            .for_each(drop)
                    }
                }
            }
            sources.push(s.into_iter().collect());
        }
        let e = engine();
        let with: Vec<RawVerdict> = sources.iter().map(|s| e.parse(s)).collect();
        eval_string(
            &e,
            "globalThis.__archsiteAssignFresh = () => undefined; \
             globalThis.__archsiteFirstRule = () => undefined; 'off'",
        );
        let mut rejected = 0;
        for (s, with) in sources.iter().zip(&with) {
            let without = e.parse(s);
            assert_eq!(with, &without, "{s}");
            rejected += usize::from(!without.ok);
        }
        assert!(rejected > 40 && rejected < sources.len(), "{rejected}");
    }
}
