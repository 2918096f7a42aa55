//! The preview's rebuilds: each batch of changed inputs from the watcher becomes one build with
//! the pipeline's cache, the site served is swapped for it when it has no errors, and open
//! pages are told what changed (by bytes: an image edited in place keeps its path). The search
//! index follows on a thread of its own. A config change is applied as it comes: the watcher
//! follows the new folders, and the next requests are answered with the new base path.

use super::{live::event, watch, Shared, SiteSettings, Snapshot};
use crate::config::{display_path, SiteArgs};
use crate::diag::{json_value, render_human, ColorMode, Diagnostic, Severity};
use crate::load::rules::{Changed, Inputs};
use crate::output::{Output, OutputFile};
use crate::pipeline::{build_preview, search_output, Build, Cache, SearchInputs};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use std::time::Instant;

/// What the index thread is told after a successful build: index these pages, or serve no
/// index (`search: false`).
pub(super) type IndexJob = Option<SearchInputs>;

/// The rebuild thread's state.
pub(super) struct Rebuilds {
    pub args: SiteArgs,
    pub cache: Cache,
    pub changes: Receiver<Vec<PathBuf>>,
    /// The sending end of `changes`, for a rebuild the loop asks of itself.
    pub again: Sender<Vec<PathBuf>>,
    pub watcher: watch::Watcher,
    pub to_index: Sender<IndexJob>,
    pub shared: Arc<Shared>,
    pub color: ColorMode,
    pub timings: bool,
}

impl Rebuilds {
    /// Waits for changes, folds every change that arrived meanwhile into one rebuild, swaps the
    /// site in when the build succeeded and tells the browsers.
    pub fn run(mut self) {
        let mut last_report = String::new();
        let mut copied = CopiedFiles::default();
        copied.update(&self.shared.current().output, &Changed::All);
        while let Ok(mut paths) = self.changes.recv() {
            // A checkout or a formatter touches many files over a while: wait until the events
            // stop, so that the burst is one rebuild.
            while let Ok(more) = self.changes.recv_timeout(watch::settle_after(paths.len())) {
                paths.extend(more);
            }
            let start = Instant::now();
            self.cache.note_changes(&paths);
            let mut build = build_preview(&self.args, &mut self.cache);
            let took = start.elapsed();
            if self.timings {
                let stages: Vec<String> = build
                    .timings
                    .iter()
                    .map(|(stage, t)| format!("{stage} {:.1} ms", t.as_secs_f64() * 1000.0))
                    .collect();
                eprintln!("  {}", stages.join(", "));
            }
            // Repeating the same warnings after every save would bury what changed.
            let text = render_human(&build.diagnostics, &build.sources, self.color);
            if text != last_report {
                eprint!("{text}");
                last_report = text;
            }
            let errors = overlay_payload(&build);
            let config = build.config.clone().filter(|_| errors.is_none());
            let search_inputs = build.search_inputs.take();
            let previous = self.shared.current();
            let next = match &config {
                Some(config) => Snapshot {
                    site: Arc::new(SiteSettings::of(config, &self.shared.hosts)),
                    output: Arc::new(build.output),
                    search: previous.search.clone(),
                    errors: None,
                },
                // Keep serving the last good pages under the overlay.
                None => Snapshot {
                    output: previous.output.clone(),
                    search: previous.search.clone(),
                    errors: errors.clone(),
                    site: previous.site.clone(),
                },
            };
            let changed = match &config {
                Some(config) => {
                    let named = Changed::of(&paths, &config.content_dir);
                    let mut changed = changed_files(&previous.output, &next.output);
                    changed.extend(copied.update(&next.output, &named));
                    changed.sort();
                    changed.dedup();
                    changed
                }
                None => Vec::new(),
            };
            {
                // The indexing thread may have swapped in a newer index meanwhile: keep it.
                let mut current = self.shared.snapshot.write().expect("snapshot lock");
                *current = Arc::new(Snapshot {
                    search: current.search.clone(),
                    ..next
                });
            }
            self.report(
                &paths,
                took,
                errors.as_deref(),
                previous.errors.is_some(),
                &changed,
            );
            if let Some(config) = &config {
                // The edited page is already on its way to the browser; the search index
                // follows on its own thread, so that the next save does not wait for it.
                // (`None` with `search: false`: the index of earlier builds is withdrawn.)
                let job = search_inputs.filter(|_| config.search);
                if self.to_index.send(job).is_err() {
                    return;
                }
            }
            // A build with errors read its config too: its folders are the ones to watch, or
            // the edit that fixes the errors would go unseen.
            if let Some(config) = &build.config {
                self.follow(config);
            }
            // The last build is gone: its memory goes back now rather than during the next one.
            drop(previous);
            crate::alloc::release_free_memory();
        }
    }

    /// Tells the terminal and the open pages how the rebuild went.
    fn report(
        &self,
        paths: &[PathBuf],
        took: std::time::Duration,
        errors: Option<&str>,
        had_errors: bool,
        changed: &[String],
    ) {
        let shown: Vec<String> = paths.iter().take(3).map(|p| display_path(p)).collect();
        let hub = &self.shared.hub;
        match errors {
            Some(payload) => {
                eprintln!(
                    "Rebuild failed in {} ms ({}): the last good site is still served",
                    took.as_millis(),
                    shown.join(", ")
                );
                hub.broadcast(&event("errors", payload));
            }
            None => {
                eprintln!(
                    "Rebuilt in {} ms ({}): {} files changed",
                    took.as_millis(),
                    shown.join(", "),
                    changed.len()
                );
                if had_errors {
                    hub.broadcast(&event("ok", ""));
                }
                if !changed.is_empty() {
                    let list = serde_json::to_string(changed).unwrap_or_else(|_| "[]".into());
                    hub.broadcast(&event("reload", &list));
                }
            }
        }
    }

    /// Watches the folders of the config just built (`content:` may have moved), and builds
    /// once more, reading everything, when they changed.
    fn follow(&mut self, config: &crate::config::Config) {
        match self.watcher.follow(Inputs::of(config)) {
            Ok(true) => {
                let _ = self.again.send(self.watcher.roots());
            }
            Ok(false) => {}
            Err(message) => eprintln!("warning: {message}"),
        }
    }
}

/// Builds the search index of each successful rebuild, newest first: builds that arrive while
/// one is being indexed replace each other, and only the last is indexed (or none, when the
/// last build has search switched off).
///
/// Indexing runs on threads of its own at the lowest CPU priority: on a 2-core laptop the index
/// of 10,000 pages takes as long as a rebuild, and the next save's rebuild must not share the
/// CPU with it.
pub(super) fn index_loop(
    builds: Receiver<IndexJob>,
    cache: &crate::search::IndexCache,
    shared: &Shared,
) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "archsite-index".into())
        .start_handler(|_| lowest_priority())
        .build();
    lowest_priority();
    while let Ok(mut job) = builds.recv() {
        while let Ok(newer) = builds.try_recv() {
            job = newer;
        }
        let search = Arc::new(match &job {
            Some(inputs) => {
                let index = || search_output(inputs, cache);
                match &pool {
                    Ok(pool) => pool.install(index),
                    Err(_) => index(),
                }
            }
            None => Output::default(),
        });
        drop(job);
        let replaced = {
            let mut current = shared.snapshot.write().expect("snapshot lock");
            let next = Arc::new(Snapshot {
                output: current.output.clone(),
                search,
                errors: current.errors.clone(),
                site: current.site.clone(),
            });
            std::mem::replace(&mut *current, next)
        };
        drop(replaced);
        crate::alloc::release_free_memory();
    }
}

/// Lowers the calling thread's CPU priority to nice 19 (Linux gives threads their own).
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread's id; no memory is shared.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}

/// Output paths whose bytes differ between two builds (added and removed ones included). Both
/// outputs iterate in path order, so one merge pass compares them (lookups of 20,000 paths cost
/// a fifth of a rebuild). Files published by copy compare by their source's path here; their
/// bytes are `CopiedFiles`' business.
pub fn changed_files(old: &Output, new: &Output) -> Vec<String> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let mut changed = Vec::new();
    let (mut old, mut new) = (old.iter().peekable(), new.iter().peekable());
    loop {
        match (old.peek(), new.peek()) {
            (None, None) => break,
            (Some((path, _)), None) => {
                changed.push((*path).clone());
                old.next();
            }
            (None, Some((path, _))) => {
                changed.push((*path).clone());
                new.next();
            }
            (Some((a, fa)), Some((b, fb))) => match a.cmp(b) {
                Less => {
                    changed.push((*a).clone());
                    old.next();
                }
                Greater => {
                    changed.push((*b).clone());
                    new.next();
                }
                Equal => {
                    if fa != fb {
                        changed.push((*b).clone());
                    }
                    old.next();
                    new.next();
                }
            },
        }
    }
    changed
}

/// The bytes of the files the site publishes by copy (images, data files, specs), as hashes:
/// such a file edited in place keeps its path, so only its bytes say that the pages showing it
/// must reload. A file is hashed again only when the watcher named it (or a folder above it).
#[derive(Debug, Default)]
struct CopiedFiles {
    /// Output path → the file it is copied from and the hash of its bytes.
    hashes: HashMap<String, (PathBuf, u64)>,
}

impl CopiedFiles {
    /// Records the copied files of `output` and returns those whose bytes changed since the
    /// last call (new and removed ones are `changed_files`' business).
    fn update(&mut self, output: &Output, named: &Changed) -> Vec<String> {
        let mut changed = Vec::new();
        let mut next = HashMap::with_capacity(self.hashes.len());
        for (path, file) in output.iter() {
            let OutputFile::Copy(source) = file else {
                continue;
            };
            let known = self.hashes.remove(path);
            let hash = match &known {
                Some((from, hash)) if from == source && !named.covers(path) => *hash,
                _ => hash_file(source),
            };
            if known.is_some_and(|(_, old)| old != hash) {
                changed.push(path.clone());
            }
            next.insert(path.clone(), (source.clone(), hash));
        }
        self.hashes = next;
        changed
    }
}

/// A hash of a file's bytes, read a piece at a time (a published video need not be held in
/// memory); 0 when it cannot be read: it is served as missing then too.
fn hash_file(path: &std::path::Path) -> u64 {
    use std::hash::Hasher;
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return 0;
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return hasher.finish(),
            Ok(n) => hasher.write(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return 0,
        }
    }
}

pub(super) fn overlay_payload(build: &Build) -> Option<String> {
    let errors: Vec<&Diagnostic> = build
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if errors.is_empty() && build.config.is_some() {
        return None;
    }
    let values: Vec<serde_json::Value> = errors
        .iter()
        .map(|d| json_value(d, &build.sources))
        .collect();
    Some(serde_json::Value::Array(values).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(files: &[(&str, &str)]) -> Output {
        let mut out = Output::default();
        for (path, text) in files {
            out.insert(
                path.to_string(),
                OutputFile::Bytes(text.as_bytes().to_vec()),
            );
        }
        out
    }

    #[test]
    fn changed_files_lists_added_removed_and_edited_paths_in_order() {
        let old = output(&[
            ("a.html", "1"),
            ("b.html", "2"),
            ("c.html", "3"),
            ("e.html", "5"),
        ]);
        let new = output(&[
            ("b.html", "2!"),
            ("c.html", "3"),
            ("d.html", "4"),
            ("f.html", "6"),
        ]);
        assert_eq!(
            changed_files(&old, &new),
            ["a.html", "b.html", "d.html", "e.html", "f.html"]
        );
        assert!(changed_files(&new, &new).is_empty());
        assert_eq!(changed_files(&Output::default(), &old).len(), 4);
        assert_eq!(changed_files(&old, &Output::default()).len(), 4);
    }

    #[test]
    fn copied_files_change_by_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().canonicalize().unwrap();
        let image = content.join("img/a.png");
        std::fs::create_dir_all(image.parent().unwrap()).unwrap();
        std::fs::write(&image, b"one").unwrap();
        let mut out = Output::default();
        out.insert("img/a.png".into(), OutputFile::Copy(image.clone()));
        let mut copied = CopiedFiles::default();
        assert!(copied.update(&out, &Changed::All).is_empty(), "first sight");
        // Named, but with the same bytes (touched): nothing to reload.
        let named = |p: &str| Changed::of(&[content.join(p)], &content);
        assert!(copied.update(&out, &named("img/a.png")).is_empty());
        std::fs::write(&image, b"two").unwrap();
        assert!(
            copied.update(&out, &named("other.md")).is_empty(),
            "not named"
        );
        assert_eq!(copied.update(&out, &named("img/a.png")), ["img/a.png"]);
        std::fs::write(&image, b"333").unwrap();
        assert_eq!(
            copied.update(&out, &named("img")),
            ["img/a.png"],
            "its folder"
        );
    }
}
