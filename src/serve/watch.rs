//! File watching for the preview: notify with a debouncer (bursts of saves, editors that write
//! a temporary file and rename it), reduced to the changed paths that a build reads. Which
//! paths those are is decided by `load::rules::Inputs`, the rules the build's walk applies, so
//! the preview sees every file the build publishes and nothing else (not the output folder
//! that `archsite build` writes while the preview runs).
//!
//! The inputs follow the config: when `content:`, `output:` or `theme:` change, the watcher
//! starts watching the new folders.

use crate::load::rules::Inputs;
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::time::Duration;

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

/// Watches the inputs of one site and sends the changed input paths of each debounced batch.
pub struct Watcher {
    /// Kept for its drop, which stops the watching.
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    inputs: Inputs,
    roots: Vec<PathBuf>,
    changes: Sender<Vec<PathBuf>>,
}

impl Watcher {
    pub fn new(inputs: Inputs, changes: Sender<Vec<PathBuf>>) -> Result<Watcher, String> {
        let roots = inputs.roots();
        let filter = inputs.clone();
        let sender = changes.clone();
        let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
            let inputs = &filter;
            // Events were lost (the kernel's queue overflowed, say): the whole site may have
            // changed, so report the watched folders, which makes the next build walk and read
            // everything.
            let Ok(events) = result else {
                let _ = sender.send(inputs.roots());
                return;
            };
            let paths: Vec<PathBuf> = events
                .iter()
                // The rebuild itself opens and reads every file: reads must not trigger rebuilds.
                .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                .flat_map(|e| e.paths.iter())
                .filter(|p| inputs.is_input(p))
                .cloned()
                .collect();
            if !paths.is_empty() {
                let _ = sender.send(paths);
            }
        })
        .map_err(|e| format!("cannot watch files: {e}"))?;
        for root in &roots {
            debouncer
                .watch(root, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch `{}`: {e}", root.display()))?;
        }
        Ok(Watcher {
            _debouncer: debouncer,
            inputs,
            roots,
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
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_settles_briefly_a_burst_longer() {
        assert_eq!(settle_after(1), SETTLE);
        assert_eq!(settle_after(2), SETTLE);
        assert_eq!(settle_after(BURST), BURST_SETTLE);
        assert_eq!(settle_after(200), BURST_SETTLE);
    }
}
