//! Stage 5, output: the built site as data (output path → bytes or file to copy), and the one
//! function that writes it to disk.
//!
//! The pipeline decides a build's success before calling `write`, so a failed build never
//! touches the output folder. `write` then changes only the files whose bytes differ, each
//! through a temporary file and a rename (a reader never sees a half-written file), and removes
//! files the build no longer produces. It refuses folders it did not create.

use crate::config::display_path;
use crate::diag::Diagnostic;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Name of the file that marks a folder as archsite's output, so that it may clean it.
pub const MARKER: &str = ".archsite-output";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputFile {
    Bytes(Vec<u8>),
    /// Bytes shared with the preview's render cache: an unchanged page is not copied on every
    /// rebuild.
    Shared(std::sync::Arc<str>),
    /// A content file published as it is.
    Copy(PathBuf),
    /// A page the output folder already holds, as an earlier build wrote it (see `Manifest`).
    Kept,
    /// Bytes equal to the file already in the output folder (compared while rendering).
    Same,
    /// Bytes already written to the staging folder (`Staging`), to be moved into place.
    Staged(PathBuf),
}

#[derive(Debug, Default)]
pub struct Output {
    files: BTreeMap<String, OutputFile>,
    /// Per page: the key of everything its HTML depends on, for the next build's `Manifest`.
    page_keys: BTreeMap<String, u64>,
    /// A folder of files made together (the search index) and the key of everything they
    /// depend on: recorded in the `Manifest` so that the next build can keep them all.
    group: Option<(String, u64)>,
}

impl Output {
    pub fn insert(&mut self, path: String, file: OutputFile) {
        self.files.insert(path, file);
    }

    pub fn insert_page(&mut self, path: String, file: OutputFile, key: u64) {
        self.page_keys.insert(path.clone(), key);
        self.files.insert(path, file);
    }

    /// Marks the files under `folder` (e.g. `search`) as one group made from inputs whose key
    /// is `key` (see `kept_group`).
    pub fn set_group(&mut self, folder: &str, key: u64) {
        self.group = Some((folder.to_string(), key));
    }

    pub fn get(&self, path: &str) -> Option<&OutputFile> {
        self.files.get(path)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &OutputFile)> {
        self.files.iter()
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
    commit(output, dir)
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
                return Err(Diagnostic::error(
                    "output",
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
/// beside its destination (pages rendered into `Staging` are already on the same disk); only
/// when all are staged does a rename put each in place. A failure before that (a full disk, a
/// file in the way) removes what was staged and leaves the folder as it was.
fn commit(output: &Output, dir: &Path) -> Result<WriteStats, Diagnostic> {
    for rel in output.files.keys() {
        if !is_inside(rel) {
            return Err(Diagnostic::error(
                "output",
                format!("refusing to write `{rel}`: it is not a path inside the output folder"),
            ));
        }
    }
    check_folders(dir, output)?;
    let staged: Vec<Result<Option<Staged>, Diagnostic>> = output
        .files
        .par_iter()
        .map(|(rel, file)| stage(dir, rel, file))
        .collect();
    let mut ready = Vec::new();
    let mut failure = None;
    for result in staged {
        match result {
            Ok(Some(s)) => ready.push(s),
            Ok(None) => {}
            Err(d) => failure = failure.or(Some(d)),
        }
    }
    if let Some(diag) = failure {
        roll_back(&ready);
        return Err(diag);
    }
    let written = ready.len();
    for (i, s) in ready.iter().enumerate() {
        if let Err(e) = fs::rename(&s.tmp, &s.dest) {
            roll_back(&ready[i..]);
            return Err(io_error(&s.dest, "write", &e));
        }
    }
    let removed = remove_stale(dir, output).map_err(|e| io_error(dir, "clean", &e))?;
    Ok(WriteStats {
        written,
        unchanged: output.len() - written,
        removed,
        kept: output
            .files
            .values()
            .filter(|f| matches!(f, OutputFile::Kept))
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

/// Refuses to write through a symlink: every existing folder on the way to an output file
/// must be a real folder inside `dir`, or the site would be written where the link points.
fn check_folders(dir: &Path, output: &Output) -> Result<(), Diagnostic> {
    let mut checked = std::collections::HashSet::new();
    for rel in output.files.keys() {
        let mut path = dir.to_path_buf();
        let mut segments: Vec<&str> = rel.split('/').collect();
        segments.pop();
        for segment in segments {
            path.push(segment);
            if !checked.insert(path.clone()) {
                continue;
            }
            match fs::symlink_metadata(&path) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Diagnostic::error(
                        "output",
                        format!(
                            "refusing to write into `{}`: it is a symlink, and would take the site outside `{}`",
                            display_path(&path),
                            display_path(dir)
                        ),
                    )
                    .help("remove the symlink; archsite writes only inside the output folder"));
                }
                Ok(m) if !m.is_dir() => {
                    return Err(in_the_way(&path, "a file", "a folder"));
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    Ok(())
}

fn in_the_way(path: &Path, what: &str, wanted: &str) -> Diagnostic {
    Diagnostic::error(
        "output",
        format!(
            "cannot write `{}`: {what} is in the way where the site needs {wanted}",
            display_path(path)
        ),
    )
    .help("remove it and build again; nothing was written")
}

/// A changed file written under a temporary name beside its destination, and the folders
/// created for it.
struct Staged {
    tmp: PathBuf,
    dest: PathBuf,
    created: Vec<PathBuf>,
}

fn stage(dir: &Path, rel: &str, file: &OutputFile) -> Result<Option<Staged>, Diagnostic> {
    let dest = dir.join(rel);
    let bytes = match file {
        OutputFile::Bytes(b) => std::borrow::Cow::Borrowed(b.as_slice()),
        OutputFile::Shared(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
        OutputFile::Copy(src) => {
            std::borrow::Cow::Owned(fs::read(src).map_err(|e| io_error(src, "read", &e))?)
        }
        OutputFile::Kept | OutputFile::Same => return Ok(None),
        // Rendered into the staging folder already: only its place needs preparing.
        OutputFile::Staged(staged) => {
            if fs::symlink_metadata(&dest).is_ok_and(|m| m.is_dir()) {
                return Err(in_the_way(&dest, "a folder", "a file"));
            }
            let parent = dest.parent().unwrap_or(dir);
            let created = missing_folders(dir, parent);
            return match fs::create_dir_all(parent) {
                Ok(()) => Ok(Some(Staged {
                    tmp: staged.clone(),
                    dest,
                    created,
                })),
                Err(e) => {
                    roll_back_folders(created);
                    Err(io_error(&dest, "write", &e))
                }
            };
        }
    };
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
    let parent = dest.parent().unwrap_or(dir);
    let created = missing_folders(dir, parent);
    let tmp = tmp_path(&dest);
    let staged = fs::create_dir_all(parent).and_then(|()| fs::write(&tmp, &bytes));
    match staged {
        Ok(()) => Ok(Some(Staged { tmp, dest, created })),
        Err(e) => {
            roll_back(&[Staged {
                tmp,
                dest: dest.clone(),
                created,
            }]);
            Err(io_error(&dest, "write", &e))
        }
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

/// The folders between `dir` and `parent` that do not exist yet (deepest first).
fn missing_folders(dir: &Path, parent: &Path) -> Vec<PathBuf> {
    parent
        .ancestors()
        .take_while(|a| *a != dir && !a.exists())
        .map(Path::to_path_buf)
        .collect()
}

/// Removes staged files and the folders made for them (deepest first; a folder that holds
/// anything else stays).
fn roll_back(staged: &[Staged]) {
    let mut folders = Vec::new();
    for s in staged {
        let _ = fs::remove_file(&s.tmp);
        folders.extend(s.created.iter().cloned());
    }
    roll_back_folders(folders);
}

fn roll_back_folders(mut folders: Vec<PathBuf>) {
    folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
    folders.dedup();
    for folder in folders {
        let _ = fs::remove_dir(folder);
    }
}

/// What the last successful `archsite build` wrote into an output folder: per page, the key of
/// everything its HTML depends on, and the size and modification time of the file. Kept in the
/// cache folder. A page whose key is unchanged and whose file is still as written is neither
/// rendered nor compared again, so a build with nothing changed does almost no work.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Manifest {
    /// The archsite binary that wrote it (a new archsite may render the same inputs otherwise).
    binary: String,
    output: String,
    /// URL → (page key, file size, modification time in ns since the epoch).
    pages: BTreeMap<String, (u64, u64, u64)>,
    /// The group of files made together (`Output::set_group`), if any.
    #[serde(default)]
    group: Option<GroupRecord>,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct GroupRecord {
    folder: String,
    key: u64,
    /// Path → (file size, modification time in ns since the epoch).
    files: BTreeMap<String, (u64, u64)>,
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

fn mtime_ns(meta: &fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64)
}

fn identity(path: &Path) -> Option<(u64, u64)> {
    let meta = fs::metadata(path).ok()?;
    Some((meta.len(), mtime_ns(&meta)))
}

/// The manifest of `output_dir`, when it was written by this archsite for this folder.
fn usable_manifest(cache_dir: &Path, output_dir: &Path) -> Option<Manifest> {
    let text = fs::read_to_string(cache_dir.join(MANIFEST)).ok()?;
    let manifest = serde_json::from_str::<Manifest>(&text).ok()?;
    let usable = !manifest.binary.is_empty()
        && manifest.binary == binary_identity()
        && manifest.output == output_dir.display().to_string()
        && output_dir.join(MARKER).is_file();
    usable.then_some(manifest)
}

/// The files of the group `folder` (see `Output::set_group`) when the last build made them
/// from inputs with this `key` and every one of them is still exactly as it was written:
/// they need not be made again. `None` otherwise.
pub fn kept_group(
    cache_dir: &Path,
    output_dir: &Path,
    folder: &str,
    key: u64,
) -> Option<Vec<String>> {
    let group = usable_manifest(cache_dir, output_dir)?.group?;
    if group.folder != folder || group.key != key || group.files.is_empty() {
        return None;
    }
    let intact = group
        .files
        .par_iter()
        .all(|(path, &(size, mtime))| identity(&output_dir.join(path)) == Some((size, mtime)));
    intact.then(|| group.files.into_keys().collect())
}

/// The pages of `output_dir` that are still exactly as the last build recorded them, with their
/// keys (empty when there is no usable record).
pub fn kept_pages(cache_dir: &Path, output_dir: &Path) -> std::collections::HashMap<String, u64> {
    let Some(manifest) = usable_manifest(cache_dir, output_dir) else {
        return Default::default();
    };
    manifest
        .pages
        .into_par_iter()
        .filter(|(url, (_, size, mtime))| identity(&output_dir.join(url)) == Some((*size, *mtime)))
        .map(|(url, (key, _, _))| (url, key))
        .collect()
}

/// Records the pages just written (after a successful `write`). Best effort: without a record
/// the next build only renders everything again.
pub fn save_manifest(cache_dir: &Path, output_dir: &Path, output: &Output) {
    let pages = output
        .page_keys
        .par_iter()
        .filter_map(|(url, key)| {
            let (size, mtime) = identity(&output_dir.join(url))?;
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
            .map(|(path, _)| Some((path.clone(), identity(&output_dir.join(path))?)))
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

/// Where a build that writes puts each rendered page as soon as it is rendered, so that the
/// pages' HTML is not all held in memory at once: a hidden folder inside the output folder (so
/// that moving a page into place is a rename on the same disk). Pages whose bytes equal the
/// file already there are not staged at all. Nothing outside the staging folder changes until
/// `write`, which runs only for a build without errors; a failed build removes the folder.
/// The output folder's lock is held from the start, so that what is compared with the folder
/// is still there when the build writes.
#[derive(Debug)]
pub struct Staging {
    output_dir: PathBuf,
    dir: PathBuf,
    counter: AtomicUsize,
    /// The output folder did not exist: a failed build removes it again.
    created_output: bool,
    /// The output folder held nothing but its marker (and staging folders) when the lock was
    /// taken: there is nothing to compare a page with, and the lock keeps it so.
    fresh: bool,
    _lock: OutputLock,
}

const STAGING_PREFIX: &str = ".archsite-staging-";

impl Staging {
    /// Checks, as `write` will, that archsite may write into `output_dir` at all, and takes
    /// its lock (waiting for another build writing there).
    pub fn new(
        output_dir: &Path,
        protected: &Protected,
        force: bool,
    ) -> Result<Staging, Diagnostic> {
        let created_output = !output_dir.exists();
        let lock = lock_output(output_dir, protected, force)?;
        let fresh = created_output || holds_nothing(output_dir);
        let dir = output_dir.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        // Made once here rather than on every `stage`; if it cannot be made, `stage` fails and
        // hands the bytes to `write`, which reports the error.
        let _ = fs::create_dir(&dir);
        Ok(Staging {
            output_dir: output_dir.to_path_buf(),
            dir,
            counter: AtomicUsize::new(0),
            created_output,
            fresh,
            _lock: lock,
        })
    }

    /// Writes the build (with the lock this staging holds).
    pub fn write(&self, output: &Output) -> Result<WriteStats, Diagnostic> {
        commit(output, &self.output_dir)
    }

    /// The output entry for `rel` with these bytes: `Same`, `Staged`, or (when staging fails,
    /// e.g. a read-only folder; `write` will then report it) the bytes themselves.
    pub fn stage(&self, rel: &str, bytes: Vec<u8>) -> OutputFile {
        if !self.fresh
            && fs::read(self.output_dir.join(rel)).is_ok_and(|existing| existing == bytes)
        {
            return OutputFile::Same;
        }
        let path = self
            .dir
            .join(self.counter.fetch_add(1, Ordering::Relaxed).to_string());
        match fs::write(&path, &bytes) {
            Ok(()) => OutputFile::Staged(path),
            Err(_) => OutputFile::Bytes(bytes),
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
        Err(Diagnostic::error(
            "output",
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
            return Err(Diagnostic::error(
                "output",
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
    let mut removed = 0;
    let mut folders = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !name.starts_with('.') || name.ends_with(TMP_SUFFIX)
        });
    for entry in walker {
        let entry = entry.map_err(io::Error::other)?;
        // Left by a build that was killed while staging (this build holds the lock).
        if entry.file_type().is_file() && entry.file_name().to_string_lossy().ends_with(TMP_SUFFIX)
        {
            fs::remove_file(entry.path())?;
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if entry.file_type().is_dir() {
            folders.push(entry.path().to_path_buf());
        } else if output.get(&rel).is_none() {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    for folder in folders.iter().rev() {
        // Fails, harmlessly, when the folder still has files.
        let _ = fs::remove_dir(folder);
    }
    Ok(removed)
}

fn io_error(path: &Path, action: &str, err: &io::Error) -> Diagnostic {
    Diagnostic::error(
        "output",
        format!("cannot {action} `{}`: {err}", display_path(path)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Output {
        let mut out = Output::default();
        for (p, b) in files {
            out.insert(p.to_string(), OutputFile::Bytes(b.as_bytes().to_vec()));
        }
        out
    }

    fn protected(dir: &Path) -> (PathBuf, PathBuf) {
        (dir.join("site/content"), dir.join("site"))
    }

    #[test]
    fn writes_only_changed_files_and_removes_stale_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let (content, root) = protected(tmp.path());
        let p = Protected {
            content_dir: &content,
            site_root: &root,
        };
        let out = tmp.path().join("public");
        let first = write(
            &site(&[("a.html", "1"), ("d/b.html", "2")]),
            &out,
            &p,
            false,
        )
        .unwrap();
        assert_eq!(
            first,
            WriteStats {
                written: 2,
                unchanged: 0,
                removed: 0,
                kept: 0
            }
        );
        fs::write(out.join(".nojekyll"), "").unwrap();
        let second = write(&site(&[("a.html", "1"), ("c.html", "3")]), &out, &p, false).unwrap();
        assert_eq!(
            second,
            WriteStats {
                written: 1,
                unchanged: 1,
                removed: 1,
                kept: 0
            }
        );
        assert!(!out.join("d").exists());
        assert!(out.join(".nojekyll").exists());
    }

    #[test]
    fn output_paths_must_stay_inside_the_folder() {
        for bad in [
            "../x.html",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            "./a",
            "a\\..\\x",
            "",
        ] {
            assert!(!is_inside(bad), "{bad}");
        }
        assert!(is_inside("a/b c/한글.html"));
        let tmp = tempfile::tempdir().unwrap();
        let (content, root) = protected(tmp.path());
        let p = Protected {
            content_dir: &content,
            site_root: &root,
        };
        let out = tmp.path().join("deep/public");
        let err = write(&site(&[("../escaped.html", "x")]), &out, &p, false).unwrap_err();
        assert!(err.message.contains("not a path inside"), "{}", err.message);
        assert!(!tmp.path().join("deep/escaped.html").exists());
    }

    #[test]
    fn refuses_foreign_folders_and_the_sources() {
        let tmp = tempfile::tempdir().unwrap();
        let (content, root) = protected(tmp.path());
        fs::create_dir_all(&content).unwrap();
        let p = Protected {
            content_dir: &content,
            site_root: &root,
        };
        let foreign = tmp.path().join("mine");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("keep.txt"), "x").unwrap();
        assert!(write(&site(&[("a.html", "1")]), &foreign, &p, false).is_err());
        assert!(foreign.join("keep.txt").exists());
        assert!(write(&site(&[("a.html", "1")]), &root, &p, true).is_err());
        assert!(write(&site(&[("a.html", "1")]), tmp.path(), &p, true).is_err());
        assert!(write(&site(&[("a.html", "1")]), Path::new("/"), &p, true).is_err());
    }
}
