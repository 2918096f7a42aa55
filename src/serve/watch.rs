//! File watching for the preview: notify with a debouncer (bursts of saves, editors that write
//! a temporary file and rename it), reduced by a pure filter to "something that matters
//! changed". Every rebuild reads the site afresh, so the kind of change does not matter, only
//! whether one happened.

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::path::{Path, PathBuf};
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

pub type Watcher = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Watches `root` and sends the relevant changed paths of each debounced batch to `changes`.
pub fn watch(
    root: &Path,
    ignored: Vec<PathBuf>,
    changes: Sender<Vec<PathBuf>>,
) -> Result<Watcher, String> {
    let root_for_filter = root.to_path_buf();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        // Events were lost (the kernel's queue overflowed, say): the whole site may have
        // changed, so report its root, which makes the next build walk and read everything.
        let Ok(events) = result else {
            let _ = changes.send(vec![root_for_filter.clone()]);
            return;
        };
        let paths: Vec<PathBuf> = events
            .iter()
            // The rebuild itself opens and reads every file: reads must not trigger rebuilds.
            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| e.paths.iter())
            .filter(|p| is_relevant(p, &root_for_filter, &ignored))
            .cloned()
            .collect();
        if !paths.is_empty() {
            let _ = changes.send(paths);
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    debouncer
        .watch(root, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch `{}`: {e}", root.display()))?;
    Ok(debouncer)
}

/// Whether a changed path can change the site: not in the output folder (or another ignored
/// one), not hidden, not an editor's temporary or backup file.
pub fn is_relevant(path: &Path, root: &Path, ignored: &[PathBuf]) -> bool {
    if ignored.iter().any(|i| path.starts_with(i)) {
        return false;
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let hidden = rel
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    !(hidden
        || is_temporary(&name)
        || rel
            .components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("target" | "node_modules"))))
}

fn is_temporary(name: &str) -> bool {
    name.ends_with('~')
        || name == "4913" // vim checks that it may create files in the folder
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
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

    #[test]
    fn filters_output_hidden_and_editor_files() {
        let root = Path::new("/site");
        let ignored = vec![PathBuf::from("/site/public")];
        let relevant = |p: &str| is_relevant(Path::new(p), root, &ignored);
        assert!(relevant("/site/content/index.md"));
        assert!(relevant("/site/archsite.yaml"));
        assert!(relevant("/site/templates/page.html"));
        assert!(relevant("/site/content/data/cost.yaml"));
        assert!(!relevant("/site/public/index.html"));
        assert!(!relevant("/site/.git/index"));
        assert!(!relevant("/site/content/.index.md.swp"));
        assert!(!relevant("/site/content/index.md~"));
        assert!(!relevant("/site/content/4913"));
        assert!(!relevant("/site/content/index.md___jb_tmp___"));
        assert!(!relevant("/site/content/#index.md#"));
        assert!(!relevant("/site/target/debug/x"));
        assert!(!relevant("/site/.archsite-cache/external-links.json"));
    }
}
