//! File watching for the preview: notify's events, gathered into batches (bursts of saves,
//! editors that write a temporary file and rename it) and reduced to the changed paths that a
//! build reads. Which paths those are is decided by `load::rules::Inputs`, the rules the build's
//! walk applies, so the preview sees every file the build publishes and nothing else (not the
//! output folder that `archsite build` writes while the preview runs).
//!
//! The batches name every path that had an event, as the kernel reported it. A debouncer that
//! merges events by what they mean loses paths: vim's save renames `a.md` to `a.md~`, writes
//! `a.md` anew and removes the backup, and when `a.md` was then deleted in the same moment,
//! notify-debouncer-full reported only "`a.md~` removed", a path the build does not read.
//!
//! The inputs follow the config: when `content:`, `output:` or `theme:` change, the watching
//! starts afresh on the new folders.

use crate::load::rules::Inputs;
use notify::{self, Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Short enough that a save reaches the browser well under 100 ms after the debounce, long
/// enough to fold an editor's write-rename-chmod sequence into one event.
pub const DEBOUNCE: Duration = Duration::from_millis(15);

/// After a batch, how long the rebuild waits for more before it starts (a `git checkout` sends
/// its events over several debounce periods).
pub const SETTLE: Duration = Duration::from_millis(10);

/// The same wait once a burst has named `BURST` paths or more: no save touches that many files,
/// and a checkout or generator writing them on a busy machine pauses longer than `SETTLE`
/// between files (a 200-file burst then became three rebuilds).
pub const BURST_SETTLE: Duration = Duration::from_millis(50);
pub const BURST: usize = 8;

/// How long to wait for more changes after `paths` changes.
pub fn settle_after(paths: usize) -> Duration {
    if paths >= BURST {
        BURST_SETTLE
    } else {
        SETTLE
    }
}

/// Watches the inputs of one site and sends the changed input paths of each batch.
pub struct Watcher {
    /// Kept for its drop, which stops the watching (and the batching thread with it).
    _watcher: RecommendedWatcher,
    inputs: Inputs,
    changes: Sender<Vec<PathBuf>>,
}

/// The longest a batch waits while events keep coming (a file written to without pause must
/// not hold back the rebuild for ever).
const LONGEST_BATCH: Duration = Duration::from_millis(500);

impl Watcher {
    pub fn new(inputs: Inputs, changes: Sender<Vec<PathBuf>>) -> Result<Watcher, String> {
        let (raw_tx, raw_rx) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = raw_tx.send(event);
        })
        .map_err(|e| format!("cannot watch files: {e}"))?;
        for root in &inputs.roots() {
            watcher
                .watch(root, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch `{}`: {e}", root.display()))?;
        }
        let (filter, sender) = (inputs.clone(), changes.clone());
        std::thread::Builder::new()
            .name("archsite-watch".into())
            .spawn(move || batches(&raw_rx, &filter, &sender))
            .map_err(|e| format!("cannot watch files: {e}"))?;
        Ok(Watcher {
            _watcher: watcher,
            inputs,
            changes,
        })
    }

    /// Follows a change of the site's inputs (its config changed) and returns whether they
    /// changed. Until now the old inputs filtered the events, so a change to a new input since
    /// the build that read the new config was not reported: the caller then builds once more,
    /// reading everything.
    ///
    /// The watching starts afresh rather than adding and removing folders: the kernel watches
    /// folders, not paths, so a content folder moved from outside the site into it
    /// (`content: ../docs` to `content: docs`) keeps its old watch, reported under its old path,
    /// and removing the old path would stop the watching of the new one.
    pub fn follow(&mut self, inputs: Inputs) -> Result<bool, String> {
        if self.inputs == inputs {
            return Ok(false);
        }
        *self = Watcher::new(inputs, self.changes.clone())?;
        Ok(true)
    }

    /// The folders watched: reported as changed, they make the next build read everything.
    pub fn roots(&self) -> Vec<PathBuf> {
        self.inputs.roots()
    }
}

/// Gathers notify's events into batches, `DEBOUNCE` after the last one, and sends the input
/// paths among them; ends when the watcher is dropped.
fn batches(raw: &Receiver<notify::Result<Event>>, inputs: &Inputs, changes: &Sender<Vec<PathBuf>>) {
    while let Ok(first) = raw.recv() {
        let began = Instant::now();
        let mut paths = Vec::new();
        let mut lost = take(first, inputs, &mut paths);
        while began.elapsed() < LONGEST_BATCH {
            match raw.recv_timeout(DEBOUNCE) {
                Ok(event) => lost |= take(event, inputs, &mut paths),
                // (Disconnected: the watcher is gone; this batch is the last.)
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        // Events were lost (the kernel's queue overflowed, say): the whole site may have
        // changed, so report the watched folders, which makes the next build walk and read
        // everything.
        if lost {
            paths.extend(inputs.roots());
        }
        paths.sort();
        paths.dedup();
        if !paths.is_empty() && changes.send(paths).is_err() {
            return;
        }
    }
}

/// Adds the input paths of one event to `paths`; true when events were lost.
fn take(event: notify::Result<Event>, inputs: &Inputs, paths: &mut Vec<PathBuf>) -> bool {
    let Ok(event) = event else {
        return true;
    };
    if event.need_rescan() {
        return true;
    }
    // The rebuild itself opens and reads every file: reads must not trigger rebuilds.
    if !matches!(event.kind, EventKind::Access(_)) {
        paths.extend(event.paths.into_iter().filter(|p| inputs.is_input(p)));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_names_every_input_path_of_its_events() {
        use notify::event::{AccessKind, ModifyKind, RenameMode};
        let tmp = tempfile::tempdir().unwrap();
        let site = crate::load::rules::canonical(tmp.path());
        std::fs::create_dir_all(site.join("content")).unwrap();
        let args = crate::config::SiteArgs {
            path: Some(site.clone()),
            ..Default::default()
        };
        let config =
            crate::config::Config::discover(&args, &mut crate::diag::SourceMap::default()).unwrap();
        let inputs = Inputs::of(&config);
        let (raw_tx, raw_rx) = mpsc::channel();
        let (tx, rx) = mpsc::channel();
        let page = site.join("content/a.md");
        let backup = site.join("content/a.md~");
        // vim's save: the page renamed to its backup, written anew, the backup removed; and
        // a read, which is no change; then the page removed.
        let events = [
            Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
                .add_path(page.clone())
                .add_path(backup.clone()),
            Event::new(EventKind::Create(notify::event::CreateKind::File)).add_path(page.clone()),
            Event::new(EventKind::Access(AccessKind::Any)).add_path(site.join("content/b.md")),
            Event::new(EventKind::Remove(notify::event::RemoveKind::File)).add_path(backup),
            Event::new(EventKind::Remove(notify::event::RemoveKind::File)).add_path(page.clone()),
            Event::new(EventKind::Create(notify::event::CreateKind::File))
                .add_path(site.join("public/index.html")),
        ];
        for event in events {
            raw_tx.send(Ok(event)).unwrap();
        }
        drop(raw_tx);
        batches(&raw_rx, &inputs, &tx);
        assert_eq!(rx.try_recv().unwrap(), [page]);
        assert!(rx.try_recv().is_err());

        // Lost events: everything is named.
        let (raw_tx, raw_rx) = mpsc::channel();
        raw_tx
            .send(Ok(
                Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan)
            ))
            .unwrap();
        raw_tx
            .send(Err(notify::Error::generic("queue overflow")))
            .unwrap();
        drop(raw_tx);
        batches(&raw_rx, &inputs, &tx);
        assert_eq!(rx.try_recv().unwrap(), inputs.roots());
    }

    #[test]
    fn a_save_settles_briefly_a_burst_longer() {
        assert_eq!(settle_after(1), SETTLE);
        assert_eq!(settle_after(2), SETTLE);
        assert_eq!(settle_after(BURST), BURST_SETTLE);
        assert_eq!(settle_after(200), BURST_SETTLE);
    }
}
