//! The staging folder: where a build puts each page as soon as it is rendered.

use super::manifest::{identity, mtime_ns, usable_manifest, Manifest};
use super::{
    commit, holds_nothing, is_inside, lock, lock_output, same_file, write_creating, Destination,
    Entry, Held, Output, OutputFile, OutputLock, Protected, WriteStats, MARKER,
};
use crate::diag::Diagnostic;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where a build that writes puts each rendered page as soon as it is rendered, so that the
/// pages' HTML is not all held in memory at once: a hidden folder inside the output folder (so
/// that moving a page into place is a rename on the same disk), laid out as the output, so
/// that a folder the output does not have yet moves into place whole. Pages whose bytes equal
/// the file already there are not staged at all. Nothing outside the staging folder changes until
/// `write`, which runs only for a build without errors; a failed build removes the folder.
/// The output folder's lock is held from the start, so that what is compared with the folder
/// is still there when the build writes.
#[derive(Debug)]
pub struct Staging {
    output_dir: PathBuf,
    pub(super) dir: PathBuf,
    /// The output folder did not exist: a failed build removes it again.
    created_output: bool,
    /// The output folder held nothing but its marker (and staging folders) when the lock was
    /// taken: there is nothing to compare a page with, and the lock keeps it so.
    pub(super) fresh: bool,
    /// The last build's record (`Manifest`), read under the lock; `kept_pages` and
    /// `kept_group` take their parts.
    manifest: Mutex<Option<Manifest>>,
    /// The pages still as the record says (`kept_pages`), looked at on the first question.
    kept: std::sync::OnceLock<HashMap<String, u64>>,
    /// Output path → size and modification time of the files this build keeps, finds equal or
    /// stages, as seen then: `save_manifest` need not look at them again.
    pub(super) seen: Mutex<HashMap<String, (u64, u64)>>,
    _lock: OutputLock,
}

pub(super) const STAGING_PREFIX: &str = ".archsite-staging-";

impl Staging {
    /// Checks, as `write` will, that archsite may write into `output_dir` at all, and takes
    /// its lock (waiting for another build writing there).
    pub fn new(
        output_dir: &Path,
        cache_dir: &Path,
        protected: &Protected,
        force: bool,
    ) -> Result<Staging, Diagnostic> {
        let created_output = !output_dir.exists();
        let lock = lock_output(output_dir, protected, force)?;
        let fresh = created_output || holds_nothing(output_dir);
        let dir = output_dir.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        // Made once here rather than on every `stage`; if it cannot be made, `stage` fails and
        // hands the bytes to `write`, which reports the error. One of the same name was left by
        // a killed build: what it holds must not move into the output with a new folder.
        if fs::create_dir(&dir).is_err_and(|e| e.kind() == io::ErrorKind::AlreadyExists) {
            let _ = fs::remove_dir_all(&dir).and_then(|()| fs::create_dir(&dir));
        }
        Ok(Staging {
            output_dir: output_dir.to_path_buf(),
            dir,
            created_output,
            fresh,
            // A fresh folder keeps nothing: its record, if any, is of files no longer there.
            manifest: Mutex::new(if fresh {
                None
            } else {
                usable_manifest(cache_dir, output_dir)
            }),
            seen: Mutex::default(),
            kept: std::sync::OnceLock::new(),
            _lock: lock,
        })
    }

    /// The pages of the output folder that are still exactly as the last build recorded them,
    /// with their keys (empty when there is no usable record).
    pub(super) fn kept_pages(&self) -> HashMap<String, u64> {
        let Some(pages) = lock(&self.manifest)
            .as_mut()
            .map(|m| std::mem::take(&mut m.pages))
        else {
            return HashMap::new();
        };
        let kept: Vec<(String, u64, (u64, u64))> = pages
            .into_par_iter()
            .filter(|(url, (_, size, mtime))| {
                identity(&self.output_dir.join(url)) == Some((*size, *mtime))
            })
            .map(|(url, (key, size, mtime))| (url, key, (size, mtime)))
            .collect();
        let mut seen = lock(&self.seen);
        kept.into_iter()
            .map(|(url, key, id)| {
                seen.insert(url.clone(), id);
                (url, key)
            })
            .collect()
    }

    /// The files of the group `folder` (see `Output::set_group`) when the last build made them
    /// from inputs with this `key` and every one of them is still exactly as it was written:
    /// they need not be made again. `None` otherwise.
    pub(super) fn kept_group(&self, folder: &str, key: u64) -> Option<Vec<String>> {
        let group = lock(&self.manifest).as_mut()?.group.take()?;
        if group.folder != folder || group.key != key || group.files.is_empty() {
            return None;
        }
        let intact = group.files.par_iter().all(|(path, &(size, mtime))| {
            identity(&self.output_dir.join(path)) == Some((size, mtime))
        });
        if !intact {
            return None;
        }
        let mut seen = lock(&self.seen);
        seen.extend(group.files.iter().map(|(p, &id)| (p.clone(), id)));
        Some(group.files.into_keys().collect())
    }

    /// Writes the build (with the lock this staging holds).
    pub fn write(&self, output: &Output) -> Result<WriteStats, Diagnostic> {
        commit(output, &self.output_dir, Some(&self.dir), self.fresh)
    }

    /// The output entry for `rel` with these bytes: `Same`, `Staged`, or (when staging fails,
    /// e.g. a read-only folder; `write` will then report it) the file itself.
    pub fn stage(&self, rel: &str, file: OutputFile) -> Entry {
        // `write` refuses such a path; it must not be staged outside the staging folder either.
        // A file to copy is copied when written.
        let Some(bytes) = file.bytes().filter(|_| is_inside(rel)) else {
            return Entry(Held::File(file));
        };
        if !self.fresh {
            if let Some(id) = same_file(&self.output_dir.join(rel), bytes) {
                lock(&self.seen).insert(rel.to_string(), id);
                return Entry(Held::Same);
            }
        }
        let path = self.dir.join(rel);
        match write_creating(&path, bytes).and_then(|file| file.metadata()) {
            Ok(meta) => {
                lock(&self.seen).insert(rel.to_string(), (meta.len(), mtime_ns(&meta)));
                Entry(Held::Staged(path))
            }
            Err(_) => Entry(Held::File(file)),
        }
    }

    /// Removes what is left: everything after `write`, everything after a failed build.
    pub fn discard(&self) {
        let _ = fs::remove_dir_all(&self.dir);
        // A folder made for a build that failed holds only the marker: remove both.
        let only_marker = fs::read_dir(&self.output_dir)
            .is_ok_and(|entries| entries.flatten().all(|e| e.file_name() == MARKER));
        if self.created_output && only_marker {
            let _ = fs::remove_file(self.output_dir.join(MARKER));
            let _ = fs::remove_dir(&self.output_dir);
        }
    }
}

impl Destination for Staging {
    fn held(&self, path: &str, key: u64) -> Option<Entry> {
        let kept = self.kept.get_or_init(|| self.kept_pages());
        (kept.get(path) == Some(&key)).then_some(Entry(Held::Kept))
    }

    fn held_group(&self, folder: &str, key: u64) -> Option<Vec<(String, Entry)>> {
        let paths = self.kept_group(folder, key)?;
        Some(paths.into_iter().map(|p| (p, Entry(Held::Same))).collect())
    }

    fn place(&self, path: &str, file: OutputFile) -> Entry {
        self.stage(path, file)
    }
}
