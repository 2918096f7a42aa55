//! Stage 2b, diagrams: every Mermaid diagram of the site (```` ```mermaid ```` blocks and `.mmd`
//! files) checked by mermaid's own parser, the pinned version readers' browsers run. Input: the
//! parsed pages (each with its `diagrams`); output: a verdict per distinct source and a
//! diagnostic per broken diagram, at the line of the `.md` or `.mmd` file.
//!
//! The parser is mermaid's JavaScript, run in QuickJS (`engine.rs`, the only file that knows
//! it). Loading it costs ~0.35 s, a diagram ~10 ms, so verdicts are kept by content hash: in
//! memory for the life of a `Validator` (warm across `serve` rebuilds), and on disk in the
//! cache folder, so that a build of unchanged diagrams loads no engine at all.

mod engine;
mod verdict;

pub use engine::RawVerdict;
pub use verdict::{interpret, renumber_lines, DiagramError, Verdict};

use crate::diag::codes;
use crate::diag::Diagnostic;
use crate::model::{hash_of, Page};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// The mermaid version archsite ships and validates against.
pub const MERMAID_VERSION: &str = crate::theme::MERMAID_VERSION;
/// The browser build written into sites with diagrams.
pub const MERMAID_BROWSER_JS: &[u8] = crate::theme::MERMAID_BROWSER_JS;
pub const MERMAID_ASSET: &str = "assets/mermaid.min.js";

/// Checks diagram sources, keeping verdicts and warm engines between calls.
pub struct Validator {
    memo: Mutex<HashMap<u64, RawVerdict>>,
    workers: Mutex<Vec<Worker>>,
    disk: Option<PathBuf>,
    /// Engines that failed to load (reported once).
    broken: Mutex<Option<String>>,
    /// No verdict known at the start (a cold build): engines start loading as soon as `parse`
    /// finds diagrams (`saw_diagrams`).
    cold: bool,
    /// Diagrams found so far by `parse`, for `saw_diagrams`.
    seen: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator").finish_non_exhaustive()
    }
}

impl Default for Validator {
    fn default() -> Self {
        Validator::new(None)
    }
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

impl Validator {
    /// `cache_dir`: where verdicts persist between processes (`None`: memory only).
    pub fn new(cache_dir: Option<&Path>) -> Validator {
        let disk = cache_dir.map(|d| d.join("mermaid-verdicts.json"));
        let memo: HashMap<u64, RawVerdict> =
            disk.as_deref().map(read_disk_cache).unwrap_or_default();
        Validator {
            cold: memo.is_empty(),
            memo: Mutex::new(memo),
            workers: Mutex::new(Vec::new()),
            disk,
            broken: Mutex::new(None),
            seen: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Told by `parse` (on any thread) of `n` more diagrams found. A validator with no verdict
    /// at all, as in a cold build, starts loading the engines `run` will want now, so that they
    /// load while the rest of the site is parsed; with verdicts on disk it waits to know which
    /// diagrams are new.
    pub fn saw_diagrams(&self, n: usize) {
        if !self.cold || n == 0 {
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
    pub fn prewarm(&self) {
        let mut workers = self.workers.lock().expect("validator lock");
        if workers.is_empty() {
            workers.push(Worker::spawn());
        }
    }

    /// The raw verdict of each source, in order. Sources seen before cost nothing.
    pub fn check(&self, sources: &[Arc<str>]) -> Vec<RawVerdict> {
        let keys: Vec<u64> = sources.iter().map(|s| key(s)).collect();
        let mut missing: Vec<(u64, Arc<str>)> = Vec::new();
        {
            let memo = self.memo.lock().expect("validator lock");
            for (k, s) in keys.iter().zip(sources) {
                if !memo.contains_key(k) && !missing.iter().any(|(m, _)| m == k) {
                    missing.push((*k, s.clone()));
                }
            }
        }
        if !missing.is_empty() {
            let fresh = self.run(missing);
            let mut memo = self.memo.lock().expect("validator lock");
            memo.extend(fresh);
            if let Some(path) = &self.disk {
                write_disk_cache(path, &memo);
            }
        }
        let memo = self.memo.lock().expect("validator lock");
        keys.iter()
            .map(|k| memo.get(k).cloned().unwrap_or_default())
            .collect()
    }

    /// Why the validator could not run, if it could not.
    pub fn failure(&self) -> Option<String> {
        self.broken.lock().expect("validator lock").clone()
    }

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

/// Cache key of a source (the parser bundle is checked per cache file).
fn key(source: &str) -> u64 {
    // 0 is reserved for ENGINE_FAILED.
    hash_of(source).max(1)
}

/// The verdicts file: valid only for the parser bundle that wrote it.
#[derive(serde::Serialize, serde::Deserialize)]
struct DiskCache {
    bundle: String,
    verdicts: std::collections::BTreeMap<String, RawVerdict>,
}

fn read_disk_cache(path: &Path) -> HashMap<u64, RawVerdict> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let Ok(stored) = serde_json::from_str::<DiskCache>(&text) else {
        return HashMap::new();
    };
    if stored.bundle != crate::theme::MERMAID_BUNDLE_ID {
        return HashMap::new();
    }
    stored
        .verdicts
        .into_iter()
        .filter_map(|(k, v)| Some((u64::from_str_radix(&k, 16).ok()?, v)))
        .collect()
}

/// Best effort: a cache that cannot be written only costs time on the next build.
fn write_disk_cache(path: &Path, memo: &HashMap<u64, RawVerdict>) {
    let stored = DiskCache {
        bundle: crate::theme::MERMAID_BUNDLE_ID.to_string(),
        verdicts: memo
            .iter()
            .map(|(k, v)| (format!("{k:016x}"), v.clone()))
            .collect(),
    };
    let Ok(json) = serde_json::to_string(&stored) else {
        return;
    };
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = path.with_extension(format!("json.{}", std::process::id()));
    if std::fs::write(&tmp, json).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Verdicts of every diagram of the site, by source hash, for `render`.
#[derive(Debug, Default)]
pub struct Verdicts {
    by_source: HashMap<u64, Verdict>,
}

impl Verdicts {
    /// A hash of every verdict, the same whatever the map's order.
    pub fn fingerprint(&self) -> u64 {
        let mut all: Vec<(&u64, &Verdict)> = self.by_source.iter().collect();
        all.sort_by_key(|(k, _)| **k);
        crate::model::hash_of(&all)
    }

    pub fn get(&self, source: &str) -> Option<&Verdict> {
        self.by_source.get(&key(source))
    }
}

/// Checks every diagram of `pages`: verdicts for `render`, and an error at the right line of
/// the right file for each broken one.
pub fn check_pages(pages: &[Page], validator: &Validator) -> (Verdicts, Vec<Diagnostic>) {
    let mut sources: Vec<Arc<str>> = Vec::new();
    for page in pages {
        for d in page.diagrams.iter() {
            sources.push(d.source.clone());
        }
    }
    let mut verdicts = Verdicts::default();
    let mut diags = Vec::new();
    if sources.is_empty() {
        return (verdicts, diags);
    }
    let raws = validator.check(&sources);
    if let Some(why) = validator.failure() {
        diags.push(
            Diagnostic::new(
                codes::MERMAID_UNCHECKED,
                format!("diagrams were not checked: {why}"),
            )
            .help("report this as a bug: the parser is built into archsite"),
        );
    }
    let mut raws = raws.into_iter();
    for page in pages {
        for d in page.diagrams.iter() {
            let raw = raws.next().unwrap_or_default();
            let verdict = if raw.message.is_empty() && !raw.ok {
                Verdict::Unchecked
            } else {
                interpret(&raw, &d.source)
            };
            if let Verdict::Invalid(e) = &verdict {
                diags.push(diagnostic(page, d, e));
            }
            verdicts.by_source.insert(key(&d.source), verdict);
        }
    }
    (verdicts, diags)
}

fn diagnostic(page: &Page, d: &crate::model::Diagram, e: &DiagramError) -> Diagnostic {
    let range = source_range(&page.text, d, e.line, e.column);
    Diagnostic::new(codes::MERMAID_SYNTAX, e.message.clone())
        .at(&page.file.display, range)
        .label(e.label.clone())
        .help_opt(e.help.clone())
}

/// The byte range in the page's text of line `line` (1-based) of diagram `d`, narrowed to the
/// column when known. Lines of a fenced block may be indented in the file (inside a list), so
/// the diagram's line is looked for in the file's line.
pub fn source_range(
    text: &str,
    d: &crate::model::Diagram,
    line: usize,
    column: Option<usize>,
) -> std::ops::Range<usize> {
    let mut start = d.start.min(text.len());
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) if start + i < d.end => start += i + 1,
            _ => break,
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let file_line = &text[start..end];
    let wanted = d.source.lines().nth(line.saturating_sub(1)).unwrap_or("");
    // A fenced block inside a list is indented in the file but not in the diagram.
    let leading = |l: &str| l.len() - l.trim_start().len();
    let indent = leading(file_line).saturating_sub(leading(wanted));
    let from = match column {
        Some(c) => wanted
            .char_indices()
            .nth(c)
            .map_or(wanted.len(), |(i, _)| i),
        None => wanted.len() - wanted.trim_start().len(),
    };
    let s = (start + indent + from).min(end);
    // Point at the rest of the line: the caret then underlines what mermaid read there.
    let e = if column.is_some() {
        let token_end = file_line[(s - start)..]
            .find(char::is_whitespace)
            .map_or(end, |i| s + i);
        token_end.max((s + 1).min(end))
    } else {
        (start + file_line.trim_end().len()).max(s)
    };
    s..e
}
