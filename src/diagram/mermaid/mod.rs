//! Mermaid, checked by mermaid's own parser (the pinned version readers' browsers run) and
//! drawn in the reader's browser by the same mermaid.js, which the site ships.
//!
//! The parser is mermaid's JavaScript, run in QuickJS (`engine.rs`, the only file that knows
//! it), on threads of its own; `verdict.rs` turns its answer into a line, a message and a hint;
//! `labels.rs` reads the text search indexes. Loading the parser costs ~0.35 s, a diagram
//! ~10 ms: the validator (`diagram::Validator`) keeps verdicts by content hash, so that a build
//! of unchanged diagrams starts no engine.
//!
//! Before QuickJS is asked, `native/` runs mermaid's own jison grammars (flowchart, sequence;
//! their tables extracted from the same bundle at build time) in Rust, in microseconds. It only
//! ever answers "valid", and only where it follows mermaid exactly; every other diagram (another
//! type, front matter with configuration, a directive, shape data, any error) falls back to
//! mermaid in QuickJS, which stays the truth (`tests/it/mermaid_native.rs` holds the two paths
//! to the same verdicts).

mod engine;
mod hints;
mod labels;
mod layout;
mod native;
mod verdict;

use super::{Drawing, Engine, Language, Verdict};
use crate::diag::codes;
use engine::RawVerdict;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use verdict::interpret;

/// Mermaid, for the diagram interface.
pub const MERMAID: Language = Language {
    name: "mermaid",
    fences: &["mermaid"],
    extensions: &[".mmd"],
    syntax: codes::MERMAID_SYNTAX,
    unchecked: codes::MERMAID_UNCHECKED,
    unchecked_help: "report this as a bug: the parser is built into archsite",
    drawing: Drawing::Script {
        asset: MERMAID_ASSET,
        bytes: MERMAID_BROWSER_JS,
    },
    title,
    labels: labels::labels,
    // Mermaid's `click … href` links are drawn by mermaid.js in the browser, unchecked.
    links: |_| Vec::new(),
    renumber: |detail, line| verdict::renumber_lines(detail, line),
    engine: |_| Box::new(Mermaid::default()),
    cache_id: crate::theme::MERMAID_BUNDLE_ID,
    tool_id: |_| String::new(),
    prepare: super::as_written,
};

/// A diagram's title: front matter `title:` (YAML, read as mermaid reads it), else an
/// `accTitle:` line, else the comment at its top (`%% 운영환경 네트워크: …`, up to the colon).
fn title(source: &str) -> Option<String> {
    let mut rest = source;
    let first = source.trim_start().lines().next();
    if first.is_some_and(|l| l.trim() == "---") {
        let body_start = source.len() - source.trim_start().len();
        let after_open = source[body_start..]
            .find('\n')
            .map_or(source.len(), |i| body_start + i + 1);
        let mut at = after_open;
        let mut closed = None;
        for line in source[after_open..].split_inclusive('\n') {
            if line.trim() == "---" {
                closed = Some((at, at + line.len()));
                break;
            }
            at += line.len();
        }
        // Front matter that is never closed hides the whole diagram, as it does in mermaid.
        let (end, after) = closed?;
        let front = serde_yaml::from_str::<serde_yaml::Value>(&source[after_open..end]).ok();
        let title = front.as_ref().and_then(|f| match f.get("title")? {
            serde_yaml::Value::String(t) => Some(t.trim().to_string()),
            serde_yaml::Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        if let Some(t) = title.filter(|t| !t.is_empty()) {
            return Some(t);
        }
        rest = &source[after..];
    }
    // The comment among the first lines (before the second statement: after the type line at
    // the latest), used when there is no title proper.
    let mut comment = None;
    let mut statements = 0;
    for line in rest.lines().map(str::trim) {
        if let Some(t) = line.strip_prefix("accTitle:") {
            return Some(t.trim().to_string()).filter(|t| !t.is_empty());
        }
        if line.is_empty() || line.starts_with("%%{") {
            continue;
        }
        match line.strip_prefix("%%") {
            Some(c) if comment.is_none() && statements < 2 => comment = comment_title(c),
            Some(_) => {}
            None => statements += 1,
        }
    }
    comment
}

/// `운영환경 네트워크: 용도별 서브넷, NSG` → `운영환경 네트워크`: a comment's words up to a
/// colon that is followed by more; the whole comment when it has none.
fn comment_title(comment: &str) -> Option<String> {
    let comment = comment.trim();
    let title = match comment.split_once(": ") {
        Some((head, _)) if !head.trim().is_empty() => head.trim(),
        _ => comment.trim_end_matches(':').trim(),
    };
    (!title.is_empty()).then(|| title.to_string())
}

/// The mermaid version archsite ships and validates against.
pub const MERMAID_VERSION: &str = crate::theme::MERMAID_VERSION;
/// The browser build written into sites with diagrams.
pub const MERMAID_BROWSER_JS: &[u8] = crate::theme::MERMAID_BROWSER_JS;
pub const MERMAID_ASSET: &str = "assets/mermaid.min.js";

/// Mermaid's engine: a pool of QuickJS parsers on threads of their own, started as needed.
#[derive(Default)]
pub struct Mermaid {
    workers: Mutex<Vec<Worker>>,
    /// Engines that failed to load (reported once).
    broken: Mutex<Option<String>>,
    /// Diagrams found so far by `parse`, for `saw_diagrams`.
    seen: std::sync::atomic::AtomicUsize,
}

type Job = (Vec<(u64, Arc<str>)>, mpsc::Sender<(u64, RawVerdict)>);

struct Worker {
    jobs: mpsc::Sender<Job>,
}

/// A batch this size or larger is shared among more engines. An engine costs ~70 ms of CPU to
/// load and a diagram 10–50 ms to parse (docs/benchmarks.md): from a handful of diagrams on, a
/// second core's engine shortens the stage.
const DIAGRAMS_PER_EXTRA_ENGINE: usize = 6;

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

impl Engine for Mermaid {
    /// Told by `parse` (on any thread) of `n` more diagrams found. A validator with no verdict
    /// at all, as in a cold build, starts loading the engines `run` will want now, so that they
    /// load while the rest of the site is parsed; with verdicts on disk it waits to know which
    /// diagrams are new.
    fn saw_diagrams(&self, n: usize) {
        // With the native path, most diagrams need no engine: engines start in `check`, for
        // the diagrams left to mermaid.
        if native_on() {
            return;
        }
        let seen = self.seen.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        let wanted = (seen / DIAGRAMS_PER_EXTRA_ENGINE + 1).min(cores());
        let mut workers = self.workers.lock().expect("validator lock");
        while workers.len() < wanted {
            workers.push(Worker::spawn());
        }
    }

    /// Starts loading an engine now (in `serve`, before the first edit needs it).
    fn prewarm(&self) {
        let mut workers = self.workers.lock().expect("validator lock");
        if workers.is_empty() {
            workers.push(Worker::spawn());
        }
    }

    fn check(&self, sources: Vec<(u64, Arc<str>)>) -> Vec<(u64, Verdict)> {
        let by_key: std::collections::HashMap<u64, Arc<str>> = sources.iter().cloned().collect();
        let (mut raw, left) = decide_natively(sources);
        if !left.is_empty() {
            raw.extend(self.run(left));
        }
        raw.into_iter()
            .map(|(k, raw)| {
                let verdict = if raw.message.is_empty() && !raw.ok {
                    Verdict::Unchecked
                } else {
                    interpret(&raw, by_key.get(&k).map_or("", |s| &**s))
                };
                (k, verdict)
            })
            .collect()
    }

    fn step_past(
        &self,
        source: &str,
        error: &super::DiagramError,
    ) -> Option<(String, usize, usize)> {
        // What mermaid reports at the end of the text, or about the diagram's type, is not a
        // line to step past; nor is the drawing's cycle, which is checked last.
        let last = error.message.contains("ends too early")
            || error.message.contains("never closed")
            || error.message.contains("diagram type")
            || error.message.contains("is empty")
            || error.message.starts_with("Mermaid cannot draw");
        if last {
            return None;
        }
        hints::step_past(source, error.line, error.column)
    }

    /// Why the validator could not run, if it could not.
    fn failure(&self) -> Option<String> {
        self.broken.lock().expect("validator lock").clone()
    }
}

impl Mermaid {
    fn run(&self, missing: Vec<(u64, Arc<str>)>) -> Vec<(u64, RawVerdict)> {
        let engines = (missing.len() / DIAGRAMS_PER_EXTRA_ENGINE + 1).min(cores());
        let (tx, rx) = mpsc::channel();
        let total = missing.len();
        {
            let mut workers = self.workers.lock().expect("validator lock");
            while workers.len() < engines {
                workers.push(Worker::spawn());
            }
            // Round-robin: neighbouring diagrams tend to be alike in size.
            // Engines started early (`saw_diagrams`) all take a share.
            let engines = workers.len().max(engines);
            let mut batches: Vec<Vec<(u64, Arc<str>)>> = vec![Vec::new(); engines];
            for (i, item) in missing.into_iter().enumerate() {
                batches[i % engines].push(item);
            }
            for (worker, batch) in workers.iter().zip(batches) {
                if !batch.is_empty() && worker.jobs.send((batch, tx.clone())).is_err() {
                    *self.broken.lock().expect("validator lock") =
                        Some("the diagram validator stopped".into());
                }
            }
        }
        drop(tx);
        let results: Vec<(u64, RawVerdict)> = rx.into_iter().collect();
        if let Some((_, failed)) = results.iter().find(|(k, _)| *k == ENGINE_FAILED) {
            *self.broken.lock().expect("validator lock") = Some(failed.message.clone());
        }
        let results: Vec<_> = results
            .into_iter()
            .filter(|(k, _)| *k != ENGINE_FAILED)
            .collect();
        debug_assert!(results.len() <= total);
        results
    }
}

/// Whether mermaid's grammars run natively first (`native/`). `ARCHSITE_MERMAID_NATIVE=0` turns
/// it off, so that a benchmark compares the two paths with one binary.
fn native_on() -> bool {
    static ON: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| {
        std::env::var_os("ARCHSITE_MERMAID_NATIVE").is_none_or(|v| v != "0")
    });
    *ON
}

/// The verdicts the native path gives, and the sources it leaves to mermaid in QuickJS.
#[allow(clippy::type_complexity)]
fn decide_natively(
    sources: Vec<(u64, Arc<str>)>,
) -> (Vec<(u64, RawVerdict)>, Vec<(u64, Arc<str>)>) {
    if !native_on() {
        return (Vec::new(), sources);
    }
    // A diagram costs tens of microseconds: threads pay off only for many.
    let decided: Vec<Option<RawVerdict>> = if sources.len() >= 64 {
        use rayon::prelude::*;
        sources.par_iter().map(|(_, s)| native::check(s)).collect()
    } else {
        sources.iter().map(|(_, s)| native::check(s)).collect()
    };
    let mut verdicts = Vec::with_capacity(sources.len());
    let mut left = Vec::new();
    for (item, verdict) in sources.into_iter().zip(decided) {
        match verdict {
            Some(v) => verdicts.push((item.0, v)),
            None => left.push(item),
        }
    }
    (verdicts, left)
}

/// The two ways a diagram is checked, each on its own, for the tests that hold them to the same
/// verdicts and for benchmarks. A build uses the engine, which combines them.
pub mod paths {
    pub use super::engine::RawVerdict;

    /// The verdict of mermaid's grammar run natively, when it can decide (only "valid").
    pub fn native(source: &str) -> Option<RawVerdict> {
        super::native::check(source)
    }

    /// Why the native path leaves `source` to mermaid (`None`: it decides).
    pub fn native_undecided(source: &str) -> Option<&'static str> {
        super::native::decide(source).err().map(|u| u.0)
    }

    /// mermaid itself, in QuickJS.
    pub struct Mermaid(super::engine::Engine);

    impl Mermaid {
        pub fn load() -> Result<Mermaid, String> {
            super::engine::Engine::load(
                crate::theme::MERMAID_PARSE_BYTECODE,
                crate::theme::MERMAID_PARSE_JS,
            )
            .map(Mermaid)
        }

        pub fn parse(&self, source: &str) -> RawVerdict {
            self.0.parse(source)
        }
    }
}

/// Sent instead of verdicts when an engine cannot load.
const ENGINE_FAILED: u64 = 0;

impl Worker {
    fn spawn() -> Worker {
        let (jobs, inbox) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("mermaid".into())
            .stack_size(32 << 20)
            .spawn(move || {
                let engine = engine::Engine::load(
                    crate::theme::MERMAID_PARSE_BYTECODE,
                    crate::theme::MERMAID_PARSE_JS,
                );
                for (batch, reply) in inbox {
                    match &engine {
                        Ok(engine) => {
                            for (k, source) in batch {
                                let _ = reply.send((k, engine.parse(&source)));
                            }
                        }
                        Err(e) => {
                            let _ = reply.send((
                                ENGINE_FAILED,
                                RawVerdict {
                                    message: format!("mermaid's parser could not start: {e}"),
                                    ..RawVerdict::default()
                                },
                            ));
                        }
                    }
                }
            })
            .expect("spawn the mermaid thread");
        Worker { jobs }
    }
}

#[cfg(test)]
mod tests {
    use super::title;

    #[test]
    fn titles_come_from_front_matter_then_acc_title_then_the_first_comment() {
        assert_eq!(
            title("---\ntitle: 운영환경 구성도\n---\ngraph TB\n%% 주석\n").as_deref(),
            Some("운영환경 구성도")
        );
        assert_eq!(
            title("---\ntitle: \"a: b\"\nconfig:\n  theme: dark\n---\ngraph TB\n").as_deref(),
            Some("a: b")
        );
        assert_eq!(
            title("graph TB\n  accTitle: 접근 제목\n%% 주석\n").as_deref(),
            Some("접근 제목")
        );
        assert_eq!(
            title("graph TB\n    %% 운영환경 네트워크: 용도별 서브넷, NSG\n    A --> B\n")
                .as_deref(),
            Some("운영환경 네트워크")
        );
        assert_eq!(
            title("%%{init: {}}%%\n%% 흐름도\nflowchart LR\n").as_deref(),
            Some("흐름도")
        );
        // A comment further down describes a part of the diagram, not the diagram.
        assert_eq!(
            title("graph TB\n  A --> B\n  %% 여기부터 데이터 계층\n"),
            None
        );
        assert_eq!(
            title("---\nconfig:\n  title: nested\n---\nflowchart LR\n"),
            None
        );
        assert_eq!(title("---\ntitle: never closed\ngraph TB\n"), None);
    }
}
