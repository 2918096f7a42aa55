//! The only file that touches QuickJS (`rquickjs`). Loads the embedded parse-only mermaid
//! bundle once and answers `parse(source)` with what `mermaid.parse()` said, as plain data.
//!
//! QuickJS values are tied to their runtime and not `Send`, so an `Engine` lives on one
//! thread (see `Validator` in the module above, which owns that thread).

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
}
