//! Diagrams, behind one interface: every diagram of the site (fenced blocks and diagram files)
//! checked by the engine of its language, and what the rest of archsite needs to know of it.
//!
//! - A [`Language`] (one per engine: `mermaid/`, `plantuml/`) says which fences and file
//!   extensions are its, its diagnostic codes, a diagram file's title, the labels search
//!   indexes, and how a reader's page draws it ([`Drawing`]: in the browser by a script the
//!   site ships, as Mermaid is, or at build time as SVG, as PlantUML is); its [`Engine`]
//!   checks sources and gives a [`Verdict`] with the error's line and column.
//! - Written once for all engines: the [`Validator`] keeps every verdict by language and
//!   content hash, in memory (warm across `serve` rebuilds) and on disk in the cache folder
//!   (`<language>-verdicts.json`), so that a build of unchanged diagrams starts no engine;
//!   [`check_pages`] turns verdicts into diagnostics at the line of the `.md` or diagram file;
//!   a diagram file's page (`kinds/diagram.rs`, `x.mmd.html`), embeds (`![](x.mmd)`) and the
//!   figure (`render/diagram.rs`) are the same for every language.
//!
//! Adding an engine: a folder here with its `Language` (a `const`) and its `Engine`, one line
//! in [`LANGUAGES`], its codes in `diag/codes.rs`.

mod mermaid;
mod plantuml;

pub use mermaid::{paths, MERMAID, MERMAID_ASSET, MERMAID_BROWSER_JS, MERMAID_VERSION};
pub use plantuml::PLANTUML;

use crate::base::fence::fence_language;
use crate::diag::codes::Code;
use crate::diag::Diagnostic;
use crate::model::{hash_of, Diagram, Page};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Every diagram language archsite knows.
pub const LANGUAGES: &[&Language] = &[&MERMAID, &PLANTUML];

/// A diagram language: what archsite knows of it without running its engine.
pub struct Language {
    /// Its name: in messages, cache files and the figure's markup (`mermaid`).
    pub name: &'static str,
    /// The languages of its fenced blocks (```` ```mermaid ````), compared without case.
    pub fences: &'static [&'static str],
    /// The extensions of its files (`.mmd`), compared without case; each gets a page.
    pub extensions: &'static [&'static str],
    /// The code of a diagram its engine rejects.
    pub syntax: Code,
    /// The code of diagrams its engine could not check (reported once per build).
    pub unchecked: Code,
    /// What to do about it, in plain words.
    pub unchecked_help: &'static str,
    /// How a reader's page draws its diagrams.
    pub drawing: Drawing,
    /// The title of a diagram file's page, from its source (else the file name).
    pub title: fn(&str) -> Option<String>,
    /// The text of a diagram that search indexes (node and edge labels).
    pub labels: fn(&str) -> Vec<String>,
    /// The links written in a diagram (PlantUML's `[[url]]`): the byte range of each
    /// destination in the source. They are checked like any link of the page, and the drawing's
    /// `href`s are given the resolved ones.
    pub links: fn(&str) -> Vec<std::ops::Range<usize>>,
    /// The engine's own message (`DiagramError::detail`) with every line number it names
    /// rewritten by the function (an error box counts lines as the file does).
    pub renumber: fn(&str, &dyn Fn(usize) -> usize) -> String,
    /// Its engine (started on the first diagram that needs checking).
    pub engine: fn(&Settings) -> Box<dyn Engine>,
    /// What a cache of its verdicts must have been written by (a parser bundle, a version): a
    /// cache written by another is ignored.
    pub cache_id: &'static str,
    /// What else its verdicts depend on, found without starting the engine (for PlantUML: the
    /// jar or command found, its size and time): part of the cache's id.
    pub tool_id: fn(&Settings) -> String,
    /// The text its engine is given for a diagram of a file in folder `dir` (PlantUML: its
    /// `!include`s of files read and put in place), with where each line came from and the
    /// problems found on the way. Verdicts are cached by this text, so that an edit to an
    /// included file redraws its includers. `root`: the content folder, which no included
    /// file may be outside of (its text would be published in the drawing).
    pub prepare: fn(root: &Path, dir: &Path, source: &str) -> Prepared,
}

/// What an engine needs from the site's configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// The site's cache folder (engines may keep files there: PlantUML's class-data archive).
    pub cache_dir: Option<PathBuf>,
    /// The site folder: relative paths of the configuration are read from it.
    pub site_root: PathBuf,
    /// `plantuml:` in `archsite.yaml`.
    pub plantuml: Option<String>,
}

impl Settings {
    pub fn of(config: &crate::config::Config) -> Settings {
        Settings {
            cache_dir: Some(config.cache_dir.clone()),
            site_root: config.site_root.clone(),
            plantuml: config.plantuml.clone(),
        }
    }
}

/// A diagram's text as its engine sees it (`Language::prepare`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prepared {
    /// `None`: the source itself.
    pub text: Option<String>,
    /// For each line of `text` from an included file: (its line in `text`, 1-based; the
    /// source's line of the include; the included file as written; its line there).
    pub included: Vec<IncludedLine>,
    /// Problems found on the way (a missing include), each at a line of the source.
    pub problems: Vec<(Code, DiagramError)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncludedLine {
    pub line: usize,
    pub include_line: usize,
    pub file: String,
    pub file_line: usize,
}

impl Prepared {
    /// The source's line and a note for line `line` of the prepared text (a line of an
    /// included file is reported at its include).
    pub fn origin(&self, line: usize) -> (usize, Option<String>) {
        let Some(text) = &self.text else {
            return (line, None);
        };
        if let Some(inc) = self.included.iter().find(|i| i.line == line) {
            return (
                inc.include_line,
                Some(format!("line {} of {}", inc.file_line, inc.file)),
            );
        }
        // Lines of the source keep their order: count the included ones before it.
        debug_assert!(line <= text.lines().count() + 1);
        // Each include line is replaced by its file's lines: the source's line is this line
        // less the included lines before it, plus the include lines they replaced.
        let before = self.included.iter().filter(|i| i.line < line).count();
        let includes_before: std::collections::BTreeSet<usize> = self
            .included
            .iter()
            .filter(|i| i.line < line)
            .map(|i| i.include_line)
            .collect();
        (line - before + includes_before.len(), None)
    }
}

/// `Language::prepare` of a language without includes.
pub fn as_written(_root: &Path, _dir: &Path, _source: &str) -> Prepared {
    Prepared::default()
}

/// How a reader's page draws a language's diagrams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawing {
    /// In the browser, by a script the site publishes when a page has such a diagram: the
    /// figure holds the escaped source in a `<pre class="{name}">`.
    Script {
        /// The script's path in the output (`assets/mermaid.min.js`).
        asset: &'static str,
        bytes: &'static [u8],
    },
    /// At build time: the figure holds the SVG its engine gave with the verdict.
    Svg,
}

/// A language's engine: checks diagrams; for a `Drawing::Svg` language it draws them too,
/// giving the SVG with the verdict (`Verdict::Valid::svg`), which is cached with it.
pub trait Engine: Send + Sync {
    /// The verdict of each source (with the key it came with) that the engine could check.
    /// Called only with sources whose verdict is not cached; slow engines batch and share the
    /// work among threads.
    fn check(&self, sources: Vec<(u64, Arc<str>)>) -> Vec<(u64, Verdict)>;
    /// Why the engine could not check, if it could not.
    fn failure(&self) -> Option<String>;
    /// Told that `parse` found `n` more diagrams of the language in a build with no verdict
    /// cached (a cold build): an engine that takes long to start may start now.
    fn saw_diagrams(&self, _n: usize) {}
    /// Starts the engine now (in `serve`, before the first edit needs it).
    fn prewarm(&self) {}
    /// The source with `error` stepped past (corrected, or its line left out, keeping the
    /// lines where they were), so that checking it again finds the diagram's next error; with
    /// the char of the error's line after which text moved, and by how many chars. `None`
    /// when the engine cannot step past it without making errors of its own.
    fn step_past(&self, _source: &str, _error: &DiagramError) -> Option<(String, usize, usize)> {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    Valid {
        /// The kind of diagram (`flowchart`, `sequence`), as the engine names it.
        kind: String,
        /// The SVG, for a language drawn at build time (`Drawing::Svg`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        svg: Option<String>,
    },
    Invalid(DiagramError),
    /// The validator itself could not run (reported once, not per diagram).
    Unchecked,
}

#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct DiagramError {
    /// One line: what is wrong.
    pub message: String,
    /// 1-based line of the diagram's source.
    pub line: usize,
    /// 0-based column (in chars) on that line, when the parser knows it.
    pub column: Option<usize>,
    /// Text under the caret.
    pub label: String,
    pub help: Option<String>,
    /// The engine's own message, unabridged (shown in the page under the short one).
    pub detail: String,
}

/// The language named `name`.
pub fn language(name: &str) -> Option<&'static Language> {
    LANGUAGES.iter().copied().find(|l| l.name == name)
}

/// The language of a fenced block, from its info string (```` ```mermaid ````).
pub fn of_fence(info: &str) -> Option<&'static Language> {
    let lang = fence_language(info);
    LANGUAGES
        .iter()
        .copied()
        .find(|l| l.fences.iter().any(|f| f.eq_ignore_ascii_case(lang)))
}

/// The language of a diagram file, from its path (`network.mmd`).
pub fn of_file(rel: &str) -> Option<&'static Language> {
    LANGUAGES.iter().copied().find(|l| {
        l.extensions.iter().any(|ext| {
            rel.len() > ext.len()
                && rel
                    .get(rel.len() - ext.len()..)
                    .is_some_and(|end| end.eq_ignore_ascii_case(ext))
        })
    })
}

/// Checks diagram sources of every language, keeping verdicts (and warm engines) between
/// calls, and on disk when given a cache folder.
pub struct Validator {
    languages: Vec<Checker>,
    settings: Settings,
}

/// One language's engine (started when first needed) and its verdicts.
struct Checker {
    language: &'static Language,
    engine: OnceLock<Box<dyn Engine>>,
    memo: Mutex<HashMap<u64, Verdict>>,
    disk: Option<PathBuf>,
    /// What its disk cache must have been written by (`Language::cache_id` and `tool_id`).
    cache_id: String,
    /// No verdict was known at the start (a cold build).
    cold: bool,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator").finish_non_exhaustive()
    }
}

impl Validator {
    /// `cache_dir`: where verdicts persist between processes (`None`: memory only).
    pub fn new(cache_dir: Option<&Path>) -> Validator {
        Validator::with_settings(Settings {
            cache_dir: cache_dir.map(Path::to_path_buf),
            ..Settings::default()
        })
    }

    /// A validator for a site: its cache folder and engine settings (`Settings::of`).
    pub fn with_settings(settings: Settings) -> Validator {
        let languages = LANGUAGES
            .iter()
            .map(|&language| {
                let disk = settings
                    .cache_dir
                    .as_deref()
                    .map(|d| d.join(format!("{}-verdicts.json", language.name)));
                let cache_id = format!("{}{}", language.cache_id, (language.tool_id)(&settings));
                let memo = disk
                    .as_deref()
                    .map(|p| read_disk_cache(p, &cache_id))
                    .unwrap_or_default();
                Checker {
                    language,
                    engine: OnceLock::new(),
                    cold: memo.is_empty(),
                    memo: Mutex::new(memo),
                    disk,
                    cache_id,
                }
            })
            .collect();
        Validator {
            languages,
            settings,
        }
    }

    /// The settings its engines were made with: a preview whose `archsite.yaml` changed them
    /// needs a new validator (another PlantUML, another cache folder).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn checker(&self, language: &Language) -> &Checker {
        self.languages
            .iter()
            .find(|c| c.language.name == language.name)
            .expect("every language has its checker")
    }

    /// Told by `parse` (on any thread) of `n` more diagrams of `language` found: in a cold
    /// build its engine may start loading now, while the rest of the site is parsed; with
    /// verdicts cached it waits to know which diagrams are new.
    pub fn saw_diagrams(&self, language: &Language, n: usize) {
        let checker = self.checker(language);
        if checker.cold && n > 0 {
            checker.engine(&self.settings).saw_diagrams(n);
        }
    }

    /// Starts the engine of each language that has diagrams (verdicts known) now (in
    /// `serve`, before the first edit needs one): a site without PlantUML starts no Java.
    pub fn prewarm(&self) {
        for checker in &self.languages {
            if !checker.memo.lock().expect("validator lock").is_empty() {
                checker.engine(&self.settings).prewarm();
            }
        }
    }

    /// The verdict of each source of `language`, in order. Sources seen before cost nothing.
    pub fn check(&self, language: &Language, sources: &[Arc<str>]) -> Vec<Verdict> {
        let checker = self.checker(language);
        let keys: Vec<u64> = sources.iter().map(|s| key(s)).collect();
        let mut missing: Vec<(u64, Arc<str>)> = Vec::new();
        {
            let memo = checker.memo.lock().expect("validator lock");
            for (k, s) in keys.iter().zip(sources) {
                if !memo.contains_key(k) && !missing.iter().any(|(m, _)| m == k) {
                    missing.push((*k, s.clone()));
                }
            }
        }
        if !missing.is_empty() {
            let fresh = checker.engine(&self.settings).check(missing);
            let mut memo = checker.memo.lock().expect("validator lock");
            memo.extend(fresh);
            if let Some(path) = &checker.disk {
                write_disk_cache(path, &checker.cache_id, &memo);
            }
        }
        let memo = checker.memo.lock().expect("validator lock");
        keys.iter()
            .map(|k| memo.get(k).cloned().unwrap_or(Verdict::Unchecked))
            .collect()
    }

    /// The errors of a diagram after `first`, each as its engine reports it once the ones before
    /// it are fixed: the engine steps past an error (`Engine::step_past`) and checks again, up
    /// to `MORE_ERRORS` times, so that one check round shows a writer every unquoted label of
    /// a diagram, not one per round. Positions are the source's.
    pub fn more_errors(
        &self,
        language: &Language,
        source: &Arc<str>,
        first: &DiagramError,
    ) -> Vec<DiagramError> {
        let engine = self.checker(language).engine(&self.settings);
        let mut more: Vec<DiagramError> = Vec::new();
        let mut current: Arc<str> = source.clone();
        let mut error = first.clone();
        // Per step: the line, the char after which text moved, and by how many.
        let mut moves: Vec<(usize, usize, usize)> = Vec::new();
        for _ in 0..MORE_ERRORS {
            let Some((next, after, shift)) = engine.step_past(&current, &error) else {
                break;
            };
            moves.push((error.line, after, shift));
            current = next.into();
            let Some(Verdict::Invalid(found)) = self.check(language, &[current.clone()]).pop()
            else {
                break;
            };
            let mut placed = found.clone();
            for &(line, after, shift) in moves.iter().rev() {
                if placed.line == line {
                    placed.column =
                        placed
                            .column
                            .map(|c| if c >= after + shift { c - shift } else { c });
                }
            }
            let seen = std::iter::once(first)
                .chain(&more)
                .any(|e| (e.line, e.column) == (placed.line, placed.column));
            if seen {
                break;
            }
            more.push(placed);
            error = found;
        }
        more
    }

    /// Why `language`'s engine could not run, if it could not (and was started).
    pub fn failure(&self, language: &Language) -> Option<String> {
        self.checker(language).engine.get()?.failure()
    }
}

impl Checker {
    fn engine(&self, settings: &Settings) -> &dyn Engine {
        self.engine
            .get_or_init(|| (self.language.engine)(settings))
            .as_ref()
    }
}

/// Cache key of a source (the engine is checked per cache file). Never 0, which engines may
/// use among themselves.
fn key(source: &str) -> u64 {
    hash_of(source).max(1)
}

/// A verdicts file: valid only for what wrote it (`Language::cache_id`).
#[derive(Serialize, Deserialize)]
struct DiskCache {
    bundle: String,
    verdicts: std::collections::BTreeMap<String, Verdict>,
}

fn read_disk_cache(path: &Path, cache_id: &str) -> HashMap<u64, Verdict> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let Ok(stored) = serde_json::from_str::<DiskCache>(&text) else {
        return HashMap::new();
    };
    if stored.bundle != cache_id {
        return HashMap::new();
    }
    stored
        .verdicts
        .into_iter()
        .filter_map(|(k, v)| Some((u64::from_str_radix(&k, 16).ok()?, v)))
        .collect()
}

/// Best effort: a cache that cannot be written only costs time on the next build.
fn write_disk_cache(path: &Path, cache_id: &str, memo: &HashMap<u64, Verdict>) {
    let stored = DiskCache {
        bundle: cache_id.to_string(),
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

/// How many errors of one diagram are reported after its first.
const MORE_ERRORS: usize = 12;

/// Verdicts of every diagram of the site, by language and source hash, for `render`.
#[derive(Debug, Default)]
pub struct Verdicts {
    by_source: HashMap<(&'static str, u64), Verdict>,
    /// Diagrams whose text the engine saw differs from their source (PlantUML's includes put
    /// in place): by place, since the same source includes other files in another folder.
    by_place: HashMap<(String, usize), Verdict>,
}

impl Verdicts {
    /// A hash of every verdict, the same whatever the map's order.
    pub fn fingerprint(&self) -> u64 {
        let mut all: Vec<(&(&str, u64), &Verdict)> = self.by_source.iter().collect();
        all.sort_by_key(|(k, _)| **k);
        let mut placed: Vec<(&(String, usize), &Verdict)> = self.by_place.iter().collect();
        placed.sort_by(|a, b| a.0.cmp(b.0));
        crate::model::hash_of(&(all, placed))
    }

    /// The verdict of diagram `diagram` of `page`.
    pub fn get(&self, page: &Page, diagram: &Diagram) -> Option<&Verdict> {
        if !self.by_place.is_empty() {
            if let Some(v) = self.by_place.get(&(page.file.rel.clone(), diagram.start)) {
                return Some(v);
            }
        }
        self.by_source
            .get(&(diagram.language, key(&diagram.source)))
    }
}

/// Checks every diagram of `pages`, each by its language's engine: verdicts for `render`, and
/// an error at the right line of the right file for each broken one.
pub fn check_pages(pages: &[Page], validator: &Validator) -> (Verdicts, Vec<Diagnostic>) {
    let mut verdicts = Verdicts::default();
    let mut diags = Vec::new();
    for &language in LANGUAGES {
        let of_language: Vec<(&Page, &Diagram)> = pages
            .iter()
            .flat_map(|page| {
                page.diagrams
                    .iter()
                    .filter(|d| d.language == language.name)
                    .map(move |d| (page, d))
            })
            .collect();
        if of_language.is_empty() {
            continue;
        }
        let prepared: Vec<Prepared> = of_language
            .iter()
            .map(|(page, d)| {
                let dir = page.file.abs.parent().unwrap_or(Path::new("."));
                (language.prepare)(&content_root(page), dir, &d.source)
            })
            .collect();
        let sources: Vec<Arc<str>> = of_language
            .iter()
            .zip(&prepared)
            .map(|((_, d), p)| match &p.text {
                Some(text) => Arc::from(text.as_str()),
                None => d.source.clone(),
            })
            .collect();
        let checked = validator.check(language, &sources);
        if let Some(why) = validator.failure(language) {
            diags.push(
                Diagnostic::new(
                    language.unchecked,
                    format!("diagrams were not drawn: {why}"),
                )
                .help(language.unchecked_help),
            );
        }
        let with_sources = of_language
            .into_iter()
            .zip(checked)
            .zip(prepared)
            .zip(&sources);
        for ((((page, d), verdict), prepared), source) in with_sources {
            for (code, problem) in &prepared.problems {
                diags.push(diagnostic(*code, page, d, problem));
            }
            let verdict = match verdict {
                Verdict::Invalid(e) => {
                    let more = validator.more_errors(language, source, &e);
                    let e = at_source_line(e, &prepared);
                    diags.push(diagnostic(language.syntax, page, d, &e));
                    for m in more {
                        let m = at_source_line(m, &prepared);
                        diags.push(diagnostic(language.syntax, page, d, &m));
                    }
                    Verdict::Invalid(e)
                }
                other => other,
            };
            if prepared.text.is_some() {
                verdicts
                    .by_place
                    .insert((page.file.rel.clone(), d.start), verdict);
            } else {
                verdicts
                    .by_source
                    .insert((language.name, key(&d.source)), verdict);
            }
        }
    }
    (verdicts, diags)
}

/// The content folder a page's file is in: its path less its path relative to that folder.
fn content_root(page: &Page) -> PathBuf {
    let mut root = page.file.abs.clone();
    for _ in page.file.rel.split('/') {
        root.pop();
    }
    root
}

/// An error of the prepared text, placed at the source's line (an error in an included file
/// at its include, saying where in that file).
fn at_source_line(mut e: DiagramError, prepared: &Prepared) -> DiagramError {
    let (line, note) = prepared.origin(e.line);
    if line != e.line {
        e.column = None;
    }
    e.line = line;
    if let Some(note) = note {
        e.message = format!("{} (at {note}, included here)", e.message);
        e.column = None;
    }
    e
}

fn diagnostic(code: Code, page: &Page, d: &Diagram, e: &DiagramError) -> Diagnostic {
    let range = source_range(&page.text, d, e.line, e.column);
    Diagnostic::new(code, e.message.clone())
        .at(&page.file.display, range)
        .label(e.label.clone())
        .help_opt(e.help.clone())
}

/// The byte range in the page's text of line `line` (1-based) of diagram `d`, narrowed to the
/// column when known. Lines of a fenced block may be indented in the file (inside a list), so
/// the diagram's line is looked for in the file's line.
pub fn source_range(
    text: &str,
    d: &Diagram,
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
