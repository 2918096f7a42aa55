//! The record of what a build wrote into an output folder, so that the next build can keep it.

use super::{lock, write_atomic, Held, Output, Staging, MARKER};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

/// What the last successful `archsite build` wrote into an output folder: per page, the key of
/// everything its HTML depends on, and the size and modification time of the file. Kept in the
/// cache folder. A page whose key is unchanged and whose file is still as written is neither
/// rendered nor compared again, so a build with nothing changed does almost no work.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Manifest {
    /// The archsite binary that wrote it (a new archsite may render the same inputs otherwise).
    binary: String,
    output: String,
    /// URL → (page key, file size, modification time in ns since the epoch).
    pub(super) pages: BTreeMap<String, (u64, u64, u64)>,
    /// The group of files made together (`Output::set_group`), if any.
    #[serde(default)]
    pub(super) group: Option<GroupRecord>,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct GroupRecord {
    pub(super) folder: String,
    pub(super) key: u64,
    /// Path → (file size, modification time in ns since the epoch).
    pub(super) files: BTreeMap<String, (u64, u64)>,
}

const MANIFEST: &str = "output-manifest.json";

fn binary_identity() -> String {
    std::env::current_exe()
        .and_then(|exe| {
            let meta = fs::metadata(&exe)?;
            Ok(format!(
                "{} {} {}",
                exe.display(),
                meta.len(),
                mtime_ns(&meta)
            ))
        })
        .unwrap_or_default()
}

pub(super) fn mtime_ns(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64)
}

pub(super) fn identity(path: &Path) -> Option<(u64, u64)> {
    let meta = fs::metadata(path).ok()?;
    Some((meta.len(), mtime_ns(&meta)))
}

/// The manifest of `output_dir`, when it was written by this archsite for this folder.
pub(super) fn usable_manifest(cache_dir: &Path, output_dir: &Path) -> Option<Manifest> {
    let text = fs::read_to_string(cache_dir.join(MANIFEST)).ok()?;
    let manifest = serde_json::from_str::<Manifest>(&text).ok()?;
    let usable = !manifest.binary.is_empty()
        && manifest.binary == binary_identity()
        && manifest.output == output_dir.display().to_string()
        && output_dir.join(MARKER).is_file();
    usable.then_some(manifest)
}

/// Records the pages just written (after a successful `write`). Best effort: without a record
/// the next build only renders everything again. The files that went through `staging` are
/// recorded as it saw them (a rename keeps size and time); only the others are looked at.
pub fn save_manifest(
    cache_dir: &Path,
    output_dir: &Path,
    output: &Output,
    staging: Option<&Staging>,
) {
    let seen = staging.map_or_else(HashMap::new, |s| std::mem::take(&mut *lock(&s.seen)));
    let identity = |path: &String| {
        let through_staging = matches!(
            output.files.get(path).map(|e| &e.0),
            Some(Held::Staged(_) | Held::Same | Held::Kept)
        );
        match seen.get(path) {
            Some(&id) if through_staging => Some(id),
            _ => identity(&output_dir.join(path)),
        }
    };
    let pages = output
        .page_keys
        .par_iter()
        .filter_map(|(url, key)| {
            let (size, mtime) = identity(url)?;
            Some((url.clone(), (*key, size, mtime)))
        })
        .collect();
    // A group is recorded whole or not at all.
    let group = output.group.as_ref().and_then(|(folder, key)| {
        let prefix = format!("{folder}/");
        let files: Option<BTreeMap<String, (u64, u64)>> = output
            .files
            .par_iter()
            .filter(|(path, _)| path.starts_with(&prefix))
            .map(|(path, _)| Some((path.clone(), identity(path)?)))
            .collect();
        Some(GroupRecord {
            folder: folder.clone(),
            key: *key,
            files: files?,
        })
    });
    let manifest = Manifest {
        binary: binary_identity(),
        output: output_dir.display().to_string(),
        pages,
        group,
    };
    let Ok(json) = serde_json::to_vec(&manifest) else {
        return;
    };
    let _ =
        fs::create_dir_all(cache_dir).and_then(|()| write_atomic(&cache_dir.join(MANIFEST), &json));
}

/// Forgets the record, before the output folder is changed (a build that stops halfway must
/// not leave a record that vouches for files it did not finish).
pub fn forget_manifest(cache_dir: &Path) {
    let _ = fs::remove_file(cache_dir.join(MANIFEST));
}
