//! Stage 5, output: the built site as data (output path → bytes or file to copy), and the one
//! place that decides what becomes of each file on disk.
//!
//! Stages hand the files they make to a [`Destination`]: [`Memory`] keeps them (`serve`,
//! `check`, tests), a build that writes gives its [`Staging`], which compares each with the
//! output folder and stages the changed ones beside it, and says which pages the folder already
//! holds from the same inputs (so that they are not made again). The states that result
//! (kept, same, staged) are private to this module: an [`OutputFile`] is only ever what to
//! write.
//!
//! The pipeline decides a build's success before calling `write`, so a failed build never
//! touches the output folder. `write` then changes only the files whose bytes differ, each
//! through a temporary file and a rename (a reader never sees a half-written file), and removes
//! files the build no longer produces. It refuses folders it did not create.

use crate::config::display_path;
use crate::diag::codes;
use crate::diag::Diagnostic;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

mod manifest;
mod staging;

use manifest::mtime_ns;
pub use manifest::{forget_manifest, save_manifest};
pub use staging::Staging;
use staging::STAGING_PREFIX;

/// Name of the file that marks a folder as archsite's output, so that it may clean it.
pub const MARKER: &str = ".archsite-output";

/// A file of the site as a stage made it: what to write. Nothing here says what the output
/// folder holds; that is `Entry`'s (and `output`'s alone).
#[derive(Debug, Clone, Eq)]
pub enum OutputFile {
    Bytes(Vec<u8>),
    /// Bytes shared with the preview's render cache: an unchanged page is not copied on every
    /// rebuild.
    Shared(std::sync::Arc<str>),
    /// A content file published as it is.
    Copy(PathBuf),
}

impl OutputFile {
    fn bytes(&self) -> Option<&[u8]> {
        match self {
            OutputFile::Bytes(b) => Some(b),
            OutputFile::Shared(s) => Some(s.as_bytes()),
            OutputFile::Copy(_) => None,
        }
    }
}

impl PartialEq for OutputFile {
    fn eq(&self, other: &Self) -> bool {
        use OutputFile::*;
        match (self, other) {
            // The preview compares every page with the last build's after each save: an
            // unchanged page is the very same string, and `Arc<str>`'s `==` (unlike a sized
            // `Arc<T>`'s) does not look at the pointers first. 10,000 pages: 15 ms → 0.
            (Shared(a), Shared(b)) => std::sync::Arc::ptr_eq(a, b) || a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (Copy(a), Copy(b)) => a == b,
            _ => false,
        }
    }
}

/// A file of the output: the file a stage made, or what the output folder's staging made of
/// it when the build writes (see `Destination`). Opaque outside `output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry(Held);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Held {
    /// In memory, written by `commit` (or served by `serve`).
    File(OutputFile),
    /// A page the output folder already holds, as an earlier build wrote it (see `Manifest`).
    Kept,
    /// Bytes equal to the file already in the output folder (compared when made).
    Same,
    /// Bytes already written to the staging folder (`Staging`), to be moved into place.
    Staged(PathBuf),
}

impl Entry {
    fn file(&self) -> Option<&OutputFile> {
        match &self.0 {
            Held::File(f) => Some(f),
            _ => None,
        }
    }
}

/// Where a stage hands each file as soon as it is made, and asks whether a file need be made
/// at all. A build that writes hands them to its `Staging` (compared with the output folder
/// and staged beside it, so that 10,000 pages are not all held in memory); every other build
/// to `Memory`. What comes back goes into the `Output`.
pub trait Destination: Sync {
    /// The entry of `path` when the output folder already holds it exactly as made from
    /// inputs with `key` by the last build (then it need not be made again).
    fn held(&self, path: &str, key: u64) -> Option<Entry>;
    /// The entries of the group `folder` (see `Output::set_group`) when the output folder
    /// holds all of it as made from inputs with `key`.
    fn held_group(&self, folder: &str, key: u64) -> Option<Vec<(String, Entry)>>;
    /// Takes a file as soon as it is made.
    fn place(&self, path: &str, file: OutputFile) -> Entry;
}

/// The destination of a build kept in memory: holds nothing, keeps every file.
pub struct Memory;

impl Destination for Memory {
    fn held(&self, _: &str, _: u64) -> Option<Entry> {
        None
    }

    fn held_group(&self, _: &str, _: u64) -> Option<Vec<(String, Entry)>> {
        None
    }

    fn place(&self, _: &str, file: OutputFile) -> Entry {
        Entry(Held::File(file))
    }
}

#[derive(Debug, Default)]
pub struct Output {
    files: BTreeMap<String, Entry>,
    /// Per page: the key of everything its HTML depends on, for the next build's `Manifest`.
    page_keys: BTreeMap<String, u64>,
    /// A folder of files made together (the search index) and the key of everything they
    /// depend on: recorded in the `Manifest` so that the next build can keep them all.
    group: Option<(String, u64)>,
}

impl Output {
    pub fn insert(&mut self, path: String, file: OutputFile) {
        self.files.insert(path, Entry(Held::File(file)));
    }

    /// A file a `Destination` took.
    pub fn insert_entry(&mut self, path: String, entry: Entry) {
        self.files.insert(path, entry);
    }

    /// A page a `Destination` took, with the key of everything its HTML depends on.
    pub fn insert_page(&mut self, path: String, entry: Entry, key: u64) {
        self.page_keys.insert(path.clone(), key);
        self.files.insert(path, entry);
    }

    /// Marks the files under `folder` (e.g. `search`) as one group made from inputs whose key
    /// is `key` (see `Destination::held_group`).
    pub fn set_group(&mut self, folder: &str, key: u64) {
        self.group = Some((folder.to_string(), key));
    }

    /// The file at `path`, when the build holds it in memory (every file of a build that does
    /// not write).
    pub fn get(&self, path: &str) -> Option<&OutputFile> {
        self.files.get(path).and_then(Entry::file)
    }

    /// Whether the build produces `path` (in memory or placed in the output folder).
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files held in memory, by path (every file of a build that does not write).
    pub fn iter(&self) -> impl Iterator<Item = (&String, &OutputFile)> {
        self.files
            .iter()
            .filter_map(|(path, entry)| Some((path, entry.file()?)))
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Of the unchanged: pages kept from the last build without rendering them.
    pub kept: usize,
}

/// Folders archsite must never clean, whatever `--force` says.
pub struct Protected<'a> {
    pub content_dir: &'a Path,
    pub site_root: &'a Path,
}

/// How long a build waits for another build writing into the same folder.
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// Temporary files end with this; one left by a build that was killed is removed by the next.
const TMP_SUFFIX: &str = ".archsite-tmp";

/// Writes `output` into `dir` (see the module doc), taking the folder's lock for the time.
pub fn write(
    output: &Output,
    dir: &Path,
    protected: &Protected,
    force: bool,
) -> Result<WriteStats, Diagnostic> {
    let _lock = lock_output(dir, protected, force)?;
    commit(output, dir, None, false)
}

/// The output folder's lock: an exclusive advisory lock on its marker file, held while a build
/// compares with, stages into and writes the folder, so that concurrent builds into one folder
/// take turns. Released when dropped.
#[derive(Debug)]
pub struct OutputLock {
    _marker: fs::File,
}

/// Checks that archsite may write into `dir`, creates it with its marker and takes its lock,
/// waiting for another build to finish. File systems without locks are written without one.
pub fn lock_output(
    dir: &Path,
    protected: &Protected,
    force: bool,
) -> Result<OutputLock, Diagnostic> {
    check_destination(dir, protected, force)?;
    fs::create_dir_all(dir).map_err(|e| io_error(dir, "create", &e))?;
    let path = dir.join(MARKER);
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io_error(&path, "write", &e))?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Diagnostic::new(
                    codes::OUTPUT,
                    format!(
                        "another archsite build has been writing into `{}` for {} s",
                        display_path(dir),
                        LOCK_WAIT.as_secs()
                    ),
                )
                .help("wait for it to finish, or stop it"))
            }
            Err(fs::TryLockError::Error(_)) => break,
        }
    }
    let mut current = String::new();
    let _ = file.read_to_string(&mut current);
    if current != MARKER_TEXT {
        file.set_len(0)
            .and_then(|()| file.seek(io::SeekFrom::Start(0)))
            .and_then(|_| file.write_all(MARKER_TEXT.as_bytes()))
            .map_err(|e| io_error(&path, "write", &e))?;
    }
    Ok(OutputLock { _marker: file })
}

const MARKER_TEXT: &str =
    "This folder is written by archsite. Files the build does not produce are removed.\n";

/// Writes `output` into `dir`, whose lock the caller holds. Every changed file is first staged
/// (pages rendered into `Staging` are already on the same disk); only when all are staged does
/// a rename put each in place. A failure before that (a full disk, a file in the way) removes
/// what was staged and leaves the folder as it was.
///
/// `staging` is the build's staging folder, laid out as the output (see `Staging`): a folder the
/// output does not have yet is moved into place whole, one rename for all it holds. `fresh`
/// says the output folder held nothing when its lock was taken, so there is nothing to compare
/// with and nothing stale to remove.
fn commit(
    output: &Output,
    dir: &Path,
    staging: Option<&Path>,
    fresh: bool,
) -> Result<WriteStats, Diagnostic> {
    for rel in output.files.keys() {
        if !is_inside(rel) {
            return Err(Diagnostic::new(
                codes::OUTPUT,
                format!("refusing to write `{rel}`: it is not a path inside the output folder"),
            ));
        }
    }
    let missing = check_folders(dir, output)?;
    // Without a staging folder the new folders are made here, each once; the set orders a
    // folder before the folders inside it.
    let mut created = Vec::new();
    if staging.is_none() {
        for folder in &missing {
            let path = dir.join(folder);
            if let Err(e) = fs::create_dir(&path) {
                roll_back(&[], created);
                return Err(io_error(&path, "create", &e));
            }
            created.push(path);
        }
    }
    let swaps = match staging {
        Some(staging) => swappable_folders(dir, staging, output, &missing),
        None => Vec::new(),
    };
    let swapped: HashSet<&str> = swaps.iter().map(|s| s.folder.as_str()).collect();
    let place = Place {
        dir,
        staging,
        missing: &missing,
        swapped: &swapped,
        fresh,
    };
    let prepared: Vec<Result<Option<Change>, Diagnostic>> = output
        .files
        .par_iter()
        .map(|(rel, file)| place.prepare(rel, file))
        .collect();
    let mut renames = Vec::new();
    let mut written = 0;
    let mut failure = None;
    for result in prepared {
        match result {
            Ok(Some(change)) => {
                written += 1;
                if let Change::Rename(r) = change {
                    renames.push(r);
                }
            }
            Ok(None) => {}
            Err(d) => failure = failure.or(Some(d)),
        }
    }
    if let Some(diag) = failure {
        roll_back(&renames, created);
        return Err(diag);
    }
    if let Some(staging) = staging {
        // The new folders that sit in an existing one, each with everything inside it.
        let folders: Vec<Rename> = missing
            .iter()
            .filter(|f| parent_folder(f).is_none_or(|p| !missing.contains(p)))
            .map(|f| Rename {
                from: staging.join(f),
                to: dir.join(f),
            })
            .collect();
        // A folder not moved stays in the staging folder and goes with it.
        if let Err((diag, _)) = rename_all(&folders, true) {
            roll_back(&renames, created);
            return Err(diag);
        }
    }
    let mut removed = 0;
    if let Some(staging) = staging {
        let swapped: Vec<Result<usize, Diagnostic>> = swaps
            .par_iter()
            .map(|s| s.swap(dir, staging, output))
            .collect();
        for result in swapped {
            match result {
                Ok(stale) => removed += stale,
                Err(diag) => {
                    roll_back(&renames, created);
                    return Err(diag);
                }
            }
        }
    }
    if let Err((diag, left)) = rename_all(&renames, false) {
        roll_back(&left, created);
        return Err(diag);
    }
    if !fresh {
        removed += remove_stale(dir, output).map_err(|e| io_error(dir, "clean", &e))?;
    }
    Ok(WriteStats {
        written,
        unchanged: output.len() - written,
        removed,
        kept: output
            .files
            .values()
            .filter(|e| matches!(e.0, Held::Kept))
            .count(),
    })
}

/// Whether an output path stays inside the output folder: relative, no `..`, no empty or `.`
/// segment, no backslash (a separator on Windows).
fn is_inside(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains(['\\', '\0'])
        && rel.split('/').all(|s| !matches!(s, "" | "." | ".."))
}

/// The folder an output path is in (`None` for the output folder itself).
fn parent_folder(rel: &str) -> Option<&str> {
    rel.rfind('/').map(|i| &rel[..i])
}

/// Refuses to write through a symlink: every existing folder on the way to an output file
/// must be a real folder inside `dir`, or the site would be written where the link points.
/// Returns the folders the output needs that do not exist yet. Each folder is looked at once,
/// and not at all below one that is missing.
fn check_folders(dir: &Path, output: &Output) -> Result<BTreeSet<String>, Diagnostic> {
    let mut exists: HashMap<&str, bool> = HashMap::new();
    let mut missing = BTreeSet::new();
    for rel in output.files.keys() {
        let mut above_missing = false;
        for (end, _) in rel.match_indices('/') {
            let folder = &rel[..end];
            let here = match exists.get(folder) {
                Some(&here) => here,
                None => {
                    let here = !above_missing && existing_folder(dir, folder)?;
                    exists.insert(folder, here);
                    if !here {
                        missing.insert(folder.to_string());
                    }
                    here
                }
            };
            above_missing = !here;
        }
    }
    // The site itself needs a file where it needs a folder.
    if let Some(folder) = missing.iter().find(|f| output.files.contains_key(*f)) {
        return Err(in_the_way(&dir.join(folder), "a folder", "a file"));
    }
    Ok(missing)
}

/// Whether `folder` exists in `dir`, refusing a symlink or a file in its place.
fn existing_folder(dir: &Path, folder: &str) -> Result<bool, Diagnostic> {
    let path = dir.join(folder);
    match fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => Err(Diagnostic::new(
            codes::OUTPUT,
            format!(
                "refusing to write into `{}`: it is a symlink, and would take the site outside `{}`",
                display_path(&path),
                display_path(dir)
            ),
        )
        .help("remove the symlink; archsite writes only inside the output folder")),
        Ok(m) if !m.is_dir() => Err(in_the_way(&path, "a file", "a folder")),
        Ok(_) => Ok(true),
        Err(_) => Ok(false),
    }
}

fn in_the_way(path: &Path, what: &str, wanted: &str) -> Diagnostic {
    Diagnostic::new(
        codes::OUTPUT,
        format!(
            "cannot write `{}`: {what} is in the way where the site needs {wanted}",
            display_path(path)
        ),
    )
    .help("remove it and build again; nothing was written")
}

/// A file ready to be moved to its destination.
#[derive(Clone)]
struct Rename {
    from: PathBuf,
    to: PathBuf,
}

/// What `commit` does with a changed file.
enum Change {
    /// It is in the staging folder inside a new folder, and moves into place with that folder.
    WithFolder,
    Rename(Rename),
}

/// Where `commit` puts the files: the output folder, what it holds, the staging folder.
struct Place<'a> {
    dir: &'a Path,
    staging: Option<&'a Path>,
    /// Folders the output needs that do not exist (`check_folders`).
    missing: &'a BTreeSet<String>,
    /// Folders that `Swap` replaces whole.
    swapped: &'a HashSet<&'a str>,
    fresh: bool,
}

impl Place<'_> {
    /// Stages one file (unless it is unchanged): `None` for an unchanged file.
    fn prepare(&self, rel: &str, entry: &Entry) -> Result<Option<Change>, Diagnostic> {
        if parent_folder(rel).is_some_and(|p| self.swapped.contains(p)) {
            // Only staged and unchanged files are in such a folder (`swappable_folders`).
            return Ok(matches!(entry.0, Held::Staged(_)).then_some(Change::WithFolder));
        }
        let dest = self.dir.join(rel);
        // In a new folder (or a fresh output folder) nothing can be in the way or equal.
        let new_folder = parent_folder(rel).is_some_and(|p| self.missing.contains(p));
        let nothing_there = self.fresh || new_folder;
        let bytes = match &entry.0 {
            Held::File(OutputFile::Bytes(b)) => std::borrow::Cow::Borrowed(b.as_slice()),
            Held::File(OutputFile::Shared(s)) => std::borrow::Cow::Borrowed(s.as_bytes()),
            Held::File(OutputFile::Copy(src)) => {
                std::borrow::Cow::Owned(fs::read(src).map_err(|e| io_error(src, "read", &e))?)
            }
            Held::Kept | Held::Same => return Ok(None),
            // Rendered into the staging folder already: only its place needs checking.
            Held::Staged(staged) => {
                if new_folder && self.staging.is_some_and(|s| *staged == s.join(rel)) {
                    return Ok(Some(Change::WithFolder));
                }
                if !nothing_there && fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) {
                    return Err(in_the_way(&dest, "a folder", "a file"));
                }
                return Ok(Some(Change::Rename(Rename {
                    from: staged.clone(),
                    to: dest,
                })));
            }
        };
        if let (true, Some(staging)) = (new_folder, self.staging) {
            // Into the staging folder's copy of the new folder, which moves into place whole.
            let path = staging.join(rel);
            return write_creating(&path, &bytes)
                .map(|_| Some(Change::WithFolder))
                .map_err(|e| io_error(&dest, "write", &e));
        }
        if !nothing_there {
            match fs::symlink_metadata(&dest) {
                Ok(m) if m.is_dir() => return Err(in_the_way(&dest, "a folder", "a file")),
                Ok(m)
                    if m.is_file()
                        && m.len() == bytes.len() as u64
                        && fs::read(&dest).is_ok_and(|existing| existing == *bytes) =>
                {
                    return Ok(None);
                }
                _ => {}
            }
        }
        let tmp = tmp_path(&dest);
        match fs::write(&tmp, &bytes) {
            Ok(()) => Ok(Some(Change::Rename(Rename {
                from: tmp,
                to: dest,
            }))),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(io_error(&dest, "write", &e))
            }
        }
    }
}

/// Writes `path`, making its folder first if it is missing (the first file of a folder
/// pays for it, the others do not look). Returns the file, still open.
fn write_creating(path: &Path, bytes: &[u8]) -> io::Result<fs::File> {
    let mut file = match fs::File::create(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
            fs::File::create(path)?
        }
        other => other?,
    };
    file.write_all(bytes)?;
    Ok(file)
}

/// Fewest changed files for which an existing folder is swapped whole (`Swap`).
const SWAP_MIN: usize = 16;

/// An existing folder whose files (nearly) all changed, replaced whole by its copy in the
/// staging folder: one call instead of a rename for each file, and renames from the staging
/// folder into many folders take turns on one lock of the kernel's (the search index: 10,000
/// files in one folder, almost all changed when a page is added).
struct Swap {
    folder: String,
    /// Files in the folder that the site no longer has: they leave with the old folder.
    stale: usize,
}

/// The folders to `Swap`: each holds only files, none hidden, and no folder of the site, and
/// the site's files in it are staged or unchanged, at most one unchanged for four changed.
/// The unchanged ones are linked into the staged copy (the same file, so its time stays).
fn swappable_folders(
    dir: &Path,
    staging: &Path,
    output: &Output,
    missing: &BTreeSet<String>,
) -> Vec<Swap> {
    // Per folder: staged files, unchanged files, and whether it cannot be swapped.
    let mut folders: BTreeMap<&str, (usize, usize, bool)> = BTreeMap::new();
    for (rel, file) in &output.files {
        let Some(folder) = parent_folder(rel) else {
            continue;
        };
        let mut up = folder;
        while let Some(outer) = parent_folder(up) {
            folders.entry(outer).or_default().2 = true;
            up = outer;
        }
        let counts = folders.entry(folder).or_default();
        match &file.0 {
            Held::Staged(path) if *path == staging.join(rel) => counts.0 += 1,
            Held::Same | Held::Kept => counts.1 += 1,
            _ => counts.2 = true,
        }
    }
    let candidates: Vec<&str> = folders
        .into_iter()
        .filter(|&(folder, (staged, same, other))| {
            !other && staged >= SWAP_MIN && same * 4 <= staged && !missing.contains(folder)
        })
        .map(|(folder, _)| folder)
        .collect();
    candidates
        .into_par_iter()
        .filter_map(|folder| {
            let mut stale = 0;
            let mut unchanged = Vec::new();
            for entry in fs::read_dir(dir.join(folder)).ok()? {
                let entry = entry.ok()?;
                let name = entry.file_name();
                let name = name.to_str()?;
                if name.starts_with('.') || !entry.file_type().ok()?.is_file() {
                    return None;
                }
                let rel = format!("{folder}/{name}");
                match output.files.get(&rel).map(|e| &e.0) {
                    None => stale += 1,
                    Some(Held::Staged(_)) => {}
                    Some(_) => unchanged.push(rel),
                }
            }
            for rel in &unchanged {
                fs::hard_link(dir.join(rel), staging.join(rel)).ok()?;
            }
            Some(Swap {
                folder: folder.to_string(),
                stale,
            })
        })
        .collect()
}

impl Swap {
    /// Swaps the folder with its staged copy (the old one is left in the staging folder, which
    /// goes). Where the file system cannot swap, each staged file is renamed instead, and the
    /// stale ones are left to `remove_stale`. Returns the stale files removed.
    fn swap(&self, dir: &Path, staging: &Path, output: &Output) -> Result<usize, Diagnostic> {
        let (from, to) = (staging.join(&self.folder), dir.join(&self.folder));
        match exchange(&from, &to) {
            Ok(()) => return Ok(self.stale),
            Err(e)
                if !matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS))
                    && e.kind() != io::ErrorKind::Unsupported =>
            {
                return Err(io_error(&to, "write", &e));
            }
            Err(_) => {}
        }
        let prefix = format!("{}/", self.folder);
        let renames: Vec<Rename> = output
            .files
            .range(prefix.clone()..)
            .take_while(|(rel, _)| rel.starts_with(&prefix))
            .filter(|(_, entry)| matches!(entry.0, Held::Staged(_)))
            .map(|(rel, _)| Rename {
                from: staging.join(rel),
                to: dir.join(rel),
            })
            .collect();
        rename_all(&renames, false).map_err(|(diag, _)| diag)?;
        Ok(0)
    }
}

/// Swaps two folders in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are NUL-terminated paths that live across the call.
    let done = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Renames everything, in parallel: renames into different folders need not wait on each
/// other. After a failure no further rename starts; the error comes back with what was not
/// renamed. With `folders`, a folder missing from the staging folder (no file of it was
/// staged there) is made empty in its place instead.
fn rename_all(renames: &[Rename], folders: bool) -> Result<(), (Diagnostic, Vec<Rename>)> {
    let failed = AtomicBool::new(false);
    let done: Vec<Result<bool, Diagnostic>> = renames
        .par_iter()
        .map(|r| {
            if failed.load(Ordering::Relaxed) {
                return Ok(false);
            }
            let renamed = match fs::rename(&r.from, &r.to) {
                Err(e) if folders && e.kind() == io::ErrorKind::NotFound => fs::create_dir(&r.to),
                other => other,
            };
            renamed.map(|()| true).map_err(|e| {
                failed.store(true, Ordering::Relaxed);
                io_error(&r.to, "write", &e)
            })
        })
        .collect();
    let mut first = None;
    let mut left = Vec::new();
    for (r, result) in renames.iter().zip(done) {
        match result {
            Ok(true) => continue,
            Ok(false) => {}
            Err(d) => first = first.or(Some(d)),
        }
        left.push(r.clone());
    }
    match first {
        None => Ok(()),
        Some(diag) => Err((diag, left)),
    }
}

fn tmp_path(dest: &Path) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!(
        ".{name}.{}-{}{TMP_SUFFIX}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Removes the files not renamed (a staging folder's go with it) and the folders made for
/// them (deepest first; a folder that holds anything else stays).
fn roll_back(left: &[Rename], mut folders: Vec<PathBuf>) {
    for r in left {
        let _ = fs::remove_file(&r.from);
    }
    folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
    for folder in folders {
        let _ = fs::remove_dir(folder);
    }
}

/// The size and modification time of the file at `path` when it holds exactly `bytes` (its
/// size is compared before its bytes are read).
fn same_file(path: &Path, bytes: &[u8]) -> Option<(u64, u64)> {
    let mut file = fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() != bytes.len() as u64 {
        return None;
    }
    let mut existing = Vec::with_capacity(bytes.len());
    file.read_to_end(&mut existing).ok()?;
    (existing == bytes).then(|| (meta.len(), mtime_ns(&meta)))
}

/// A poisoned lock only means another thread panicked; the map is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `dir` holds nothing a build could find as a page: only the marker and staging
/// folders. Stops at the first other entry, so a full folder costs one read.
fn holds_nothing(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|e| {
            let name = e.file_name();
            name == MARKER || name.to_string_lossy().starts_with(STAGING_PREFIX)
        })
    })
}

fn check_destination(dir: &Path, protected: &Protected, force: bool) -> Result<(), Diagnostic> {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let out = canonical(dir);
    let content = canonical(protected.content_dir);
    let site = canonical(protected.site_root);
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .map(|h| canonical(&h));
    let refuse = |why: &str| {
        Err(Diagnostic::new(
            codes::OUTPUT,
            format!(
                "refusing to write the site into `{}`: {why}",
                display_path(dir)
            ),
        )
        .help("choose an empty folder or one archsite created, e.g. `--output public`"))
    };
    if out.parent().is_none() || Some(&out) == home.as_ref() {
        return refuse("it is the root or home folder");
    }
    if content.starts_with(&out) || out == site {
        return refuse("it holds the site's sources, which cleaning would delete");
    }
    if !force && out.is_dir() && !out.join(MARKER).exists() {
        // A staging folder is this very build's.
        let has_files = fs::read_dir(&out)
            .map(|d| {
                d.flatten()
                    .any(|e| !e.file_name().to_string_lossy().starts_with(STAGING_PREFIX))
            })
            .unwrap_or(false);
        if has_files {
            return Err(Diagnostic::new(
                codes::OUTPUT,
                format!("`{}` is not empty and was not created by archsite", display_path(dir)),
            )
            .help("archsite removes files it did not produce from its output folder; pass `--force` if that is what you want"));
        }
    }
    Ok(())
}

fn write_atomic(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let parent = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, dest).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Removes files (and then empty folders) that this build did not produce. Hidden entries,
/// such as a deployment's `.git` or `.nojekyll`, are left alone.
fn remove_stale(dir: &Path, output: &Output) -> io::Result<usize> {
    sweep(dir, "", output).map(|(removed, _)| removed)
}

/// `remove_stale` in `folder` (`rel` in the output, "" for the output folder itself), its
/// folders in parallel: how many files it removed, and whether it left `folder` empty. Only a
/// folder left empty is removed, so a folder that keeps files costs no failing call.
fn sweep(folder: &Path, rel: &str, output: &Output) -> io::Result<(usize, bool)> {
    let entries = fs::read_dir(folder)?.collect::<io::Result<Vec<_>>>()?;
    let swept = entries
        .par_iter()
        .map(|entry| -> io::Result<(usize, bool)> {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let kind = entry.file_type()?;
            if name.starts_with('.') {
                // Left by a build that was killed while staging (this build holds the lock).
                if name.ends_with(TMP_SUFFIX) && kind.is_file() {
                    fs::remove_file(entry.path())?;
                    return Ok((0, true));
                }
                return Ok((0, false));
            }
            let path = if rel.is_empty() {
                name.into_owned()
            } else {
                format!("{rel}/{name}")
            };
            if kind.is_dir() {
                let (removed, empty) = sweep(&entry.path(), &path, output)?;
                Ok((removed, empty && fs::remove_dir(entry.path()).is_ok()))
            } else if !output.contains(&path) {
                fs::remove_file(entry.path())?;
                Ok((1, true))
            } else {
                Ok((0, false))
            }
        })
        .collect::<io::Result<Vec<_>>>()?;
    Ok(swept
        .into_iter()
        .fold((0, true), |(n, empty), (removed, gone)| {
            (n + removed, empty && gone)
        }))
}

fn io_error(path: &Path, action: &str, err: &io::Error) -> Diagnostic {
    Diagnostic::new(
        codes::OUTPUT,
        format!("cannot {action} `{}`: {err}", display_path(path)),
    )
}

#[cfg(test)]
mod tests;
