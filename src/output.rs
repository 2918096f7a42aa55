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
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Name of the file that marks a folder as archsite's output, so that it may clean it.
pub const MARKER: &str = ".archsite-output";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputFile {
    Bytes(Vec<u8>),
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
}

impl Output {
    pub fn insert(&mut self, path: String, file: OutputFile) {
        self.files.insert(path, file);
    }

    pub fn insert_page(&mut self, path: String, file: OutputFile, key: u64) {
        self.page_keys.insert(path.clone(), key);
        self.files.insert(path, file);
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

pub fn write(
    output: &Output,
    dir: &Path,
    protected: &Protected,
    force: bool,
) -> Result<WriteStats, Diagnostic> {
    check_destination(dir, protected, force)?;
    fs::create_dir_all(dir).map_err(|e| io_error(dir, "create", &e))?;
    fs::write(
        dir.join(MARKER),
        "This folder is written by archsite. Files the build does not produce are removed.\n",
    )
    .map_err(|e| io_error(dir, "write", &e))?;
    let written = AtomicUsize::new(0);
    let result: Result<Vec<()>, Diagnostic> = output
        .files
        .par_iter()
        .map(|(rel, file)| {
            let dest = dir.join(rel);
            let bytes = match file {
                OutputFile::Bytes(b) => std::borrow::Cow::Borrowed(b.as_slice()),
                OutputFile::Copy(src) => {
                    std::borrow::Cow::Owned(fs::read(src).map_err(|e| io_error(src, "read", &e))?)
                }
                OutputFile::Kept | OutputFile::Same => return Ok(()),
                OutputFile::Staged(staged) => {
                    if let Some(parent) = dest.parent() {
                        fs::create_dir_all(parent).map_err(|e| io_error(parent, "create", &e))?;
                    }
                    fs::rename(staged, &dest).map_err(|e| io_error(&dest, "write", &e))?;
                    written.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
            };
            if fs::read(&dest).is_ok_and(|existing| existing == *bytes) {
                return Ok(());
            }
            write_atomic(&dest, &bytes).map_err(|e| io_error(&dest, "write", &e))?;
            written.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
        .collect();
    result?;
    let removed = remove_stale(dir, output).map_err(|e| io_error(dir, "clean", &e))?;
    let written = written.into_inner();
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

/// The pages of `output_dir` that are still exactly as the last build recorded them, with their
/// keys (empty when there is no usable record).
pub fn kept_pages(cache_dir: &Path, output_dir: &Path) -> std::collections::HashMap<String, u64> {
    let Ok(text) = fs::read_to_string(cache_dir.join(MANIFEST)) else {
        return Default::default();
    };
    let Ok(manifest) = serde_json::from_str::<Manifest>(&text) else {
        return Default::default();
    };
    if manifest.binary.is_empty()
        || manifest.binary != binary_identity()
        || manifest.output != output_dir.display().to_string()
        || !output_dir.join(MARKER).is_file()
    {
        return Default::default();
    }
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
    let manifest = Manifest {
        binary: binary_identity(),
        output: output_dir.display().to_string(),
        pages,
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
#[derive(Debug)]
pub struct Staging {
    output_dir: PathBuf,
    dir: PathBuf,
    counter: AtomicUsize,
    /// The output folder did not exist: a failed build removes it again.
    created_output: bool,
}

const STAGING_PREFIX: &str = ".archsite-staging-";

impl Staging {
    /// Checks, as `write` will, that archsite may write into `output_dir` at all.
    pub fn new(
        output_dir: &Path,
        protected: &Protected,
        force: bool,
    ) -> Result<Staging, Diagnostic> {
        check_destination(output_dir, protected, force)?;
        Ok(Staging {
            output_dir: output_dir.to_path_buf(),
            dir: output_dir.join(format!("{STAGING_PREFIX}{}", std::process::id())),
            counter: AtomicUsize::new(0),
            created_output: !output_dir.exists(),
        })
    }

    /// The output entry for `rel` with these bytes: `Same`, `Staged`, or (when staging fails,
    /// e.g. a read-only folder; `write` will then report it) the bytes themselves.
    pub fn stage(&self, rel: &str, bytes: Vec<u8>) -> OutputFile {
        if fs::read(self.output_dir.join(rel)).is_ok_and(|existing| existing == bytes) {
            return OutputFile::Same;
        }
        let path = self
            .dir
            .join(self.counter.fetch_add(1, Ordering::Relaxed).to_string());
        let staged = fs::create_dir_all(&self.dir).and_then(|()| fs::write(&path, &bytes));
        match staged {
            Ok(()) => OutputFile::Staged(path),
            Err(_) => OutputFile::Bytes(bytes),
        }
    }

    /// Removes what is left: everything after `write`, everything after a failed build.
    pub fn discard(&self) {
        let _ = fs::remove_dir_all(&self.dir);
        if self.created_output {
            // Only if still empty: a successful build has filled it.
            let _ = fs::remove_dir(&self.output_dir);
        }
    }
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
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(io::Error::other)?;
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
