//! Stage 1, load: the only code that reads the site's input folders.
//!
//! Walks the content folder (skipping hidden files, the output folder and symlinks that leave the
//! site), reads Markdown files as UTF-8 text, lists every other file as an asset to publish, and
//! reads the site's theme overrides. Problems are diagnostics; the walk goes on.

use crate::config::{display_path, Config};
use crate::diag::codes;
use crate::diag::{Diagnostic, SourceMap};
use crate::model::data::is_data_file;
use crate::model::{Loaded, SourceFile};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use walkdir::WalkDir;

mod known;
pub mod rules;

/// The texts of the last load, by path, with the size and modification time their files had.
/// `serve` keeps one between rebuilds, so that a rebuild reads only what changed (reading and
/// checking the UTF-8 of every file was a quarter of a 10,000-page rebuild): a file the watcher
/// named (or a folder above it) is read again; any other is taken from the cache while its size
/// and modification time are unchanged. The watcher decides, not the times: tools that keep
/// modification times (`cp -p`, `tar x`, coarse-mtime file systems) change a file's text
/// without changing either.
#[derive(Debug, Default)]
pub struct TextCache {
    files: std::sync::Mutex<Texts>,
    /// The last walk, when it may be reused (see `known`).
    walk: std::sync::Mutex<Option<known::Walk>>,
    /// Paths the watcher reported since the last load; `None` when nobody said (walk and check
    /// every file).
    changes: std::sync::Mutex<Option<Vec<PathBuf>>>,
}

/// Path → (size, modification time, text).
type Texts = rustc_hash::FxHashMap<PathBuf, (u64, std::time::SystemTime, Arc<str>)>;

impl TextCache {
    /// Tells the next load which paths changed since the last one (all of them: `serve`'s
    /// watcher).
    pub fn note_changes(&self, paths: &[PathBuf]) {
        if let Ok(mut changes) = self.changes.lock() {
            changes
                .get_or_insert_with(Vec::new)
                .extend_from_slice(paths);
        }
    }

    /// The paths noted since the last load (`None`: nobody said; everything may have changed).
    fn take_changes(&self) -> Option<Vec<PathBuf>> {
        self.changes.lock().ok()?.take()
    }

    /// The last walk's files and diagnostics, and which of its files changed, when the changes
    /// noted since cannot have added or removed a file.
    fn reuse_walk(
        &self,
        config: &Config,
        changes: Option<&[PathBuf]>,
    ) -> Option<(known::Walk, std::collections::HashSet<String>)> {
        let walk = self.walk.lock().ok()?.clone()?;
        let changed = walk.changed_files(changes?, &config.content_dir, &config.output_dir)?;
        Some((walk, changed))
    }

    /// The file's text (from the cache when unchanged and not `named` by the watcher), recorded
    /// in `fresh`.
    fn read(
        &self,
        path: &Path,
        named: bool,
        fresh: &std::sync::Mutex<Texts>,
    ) -> Result<Arc<str>, Unreadable> {
        let id = std::fs::metadata(path)
            .ok()
            .and_then(|m| Some((m.len(), m.modified().ok()?)));
        let hit = id.filter(|_| !named).and_then(|(len, time)| {
            let files = self.files.lock().ok()?;
            let (l, t, text) = files.get(path)?;
            (*l == len && *t == time).then(|| text.clone())
        });
        let text = match hit {
            Some(text) => text,
            None => read_text(path)?,
        };
        if let (Some((len, time)), Ok(mut fresh)) = (id, fresh.lock()) {
            fresh.insert(path.to_path_buf(), (len, time, text.clone()));
        }
        Ok(text)
    }
}

pub fn load(
    config: &Config,
    sources: &mut SourceMap,
    texts: Option<&TextCache>,
) -> (Loaded, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let changes = texts.and_then(TextCache::take_changes);
    let reused = texts.and_then(|c| c.reuse_walk(config, changes.as_deref()));
    // Which files to read again whatever their size and time say.
    let mut named = match &changes {
        Some(paths) => rules::Changed::of(paths, &config.content_dir),
        None => rules::Changed::All,
    };
    let (files, changed) = match reused {
        Some((walk, changed)) => {
            diags.extend(walk.diags);
            (walk.files, Some(changed))
        }
        None => {
            let mut walk_diags = Vec::new();
            let (files, saw_symlinks) = walk_content(config, &mut walk_diags);
            // Behind a symlink a file has two paths, and the watcher may name the other one.
            if saw_symlinks {
                named = rules::Changed::All;
            }
            if let Some(cache) = texts {
                let walk = known::Walk::new(
                    files.clone(),
                    walk_diags.clone(),
                    &config.content_dir,
                    &config.output_dir,
                    saw_symlinks,
                );
                if let Ok(mut last) = cache.walk.lock() {
                    *last = walk;
                }
                // Changes noted from now on are relative to this walk.
                if let Ok(mut changes) = cache.changes.lock() {
                    *changes = None;
                }
            }
            diags.extend(walk_diags);
            (files, None)
        }
    };
    // With a reused walk no file is gone: the texts of the files the watcher did not name are
    // taken as they are, from the cache's map, read without a lock.
    let known: Texts = match (texts, &changed) {
        (Some(cache), Some(_)) => cache
            .files
            .lock()
            .map(|mut f| std::mem::take(&mut *f))
            .unwrap_or_default(),
        _ => Texts::default(),
    };
    let (markdown, assets): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| is_markdown(&f.rel));
    // Files of other page kinds (diagram files: they get a page) and data files (they make
    // tables) are read and stay assets (the source is published too).
    let kind_pages = assets
        .iter()
        .filter(|f| {
            crate::kinds::claim(&f.rel).is_some()
                && std::fs::metadata(&f.abs).is_ok_and(|m| crate::kinds::reads(&f.rel, m.len()))
        })
        .cloned();
    let data = assets.iter().filter(|f| is_data_file(&f.rel)).cloned();
    let fresh = std::sync::Mutex::new(Texts::default());
    let read: Vec<_> = markdown
        .into_iter()
        .map(|f| (Kind::Markdown, f))
        .chain(kind_pages.map(|f| (Kind::Page, f)))
        .chain(data.map(|f| (Kind::Data, f)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(kind, f)| {
            let unchanged = changed.as_ref().is_some_and(|c| !c.contains(&f.rel));
            let text = match texts {
                Some(_) if unchanged && known.contains_key(&f.abs) => Ok(known[&f.abs].2.clone()),
                Some(cache) => cache.read(&f.abs, named.covers(&f.rel), &fresh),
                None => read_text(&f.abs),
            };
            (text, kind, f)
        })
        .collect();
    if let (Some(cache), Ok(fresh)) = (texts, fresh.into_inner()) {
        // Only this load's files: deleted ones are forgotten.
        let mut texts = if changed.is_some() {
            known
        } else {
            Texts::default()
        };
        texts.extend(fresh);
        if let Ok(mut files) = cache.files.lock() {
            *files = texts;
        }
    }
    let mut loaded = Loaded {
        assets,
        ..Default::default()
    };
    for (result, kind, file) in read {
        // A source file that is not text stays a published file, without a page.
        if matches!(
            (&result, kind),
            (Err(Unreadable::NotUtf8 { .. }), Kind::Page)
        ) && crate::kinds::optional(&file.rel)
        {
            continue;
        }
        match (accept(&file, result, sources), kind) {
            (Ok(text), Kind::Markdown) => loaded.markdown.push((file, text)),
            (Ok(text), Kind::Page) => loaded.kind_pages.push((file, text)),
            (Ok(text), Kind::Data) => loaded.data.push((file, text)),
            (Err(diag), _) => diags.push(diag),
        }
    }
    loaded.theme_overrides = theme_overrides(config, &mut diags);
    (loaded, diags)
}

/// What a file that `load` reads is for.
#[derive(Clone, Copy)]
enum Kind {
    Markdown,
    /// A file of another page kind (`kinds/`).
    Page,
    Data,
}

pub fn is_markdown(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// The files of the content folder, and whether any path on the way was a symlink.
fn walk_content(config: &Config, diags: &mut Vec<Diagnostic>) -> (Vec<SourceFile>, bool) {
    let cwd = std::env::current_dir().ok();
    let shown =
        |path: &Path| -> Arc<str> { crate::config::display_path_from(path, cwd.as_deref()).into() };
    // A file that is not published: a warning at it, "`path` what".
    let skipped = |path: &Path, code: codes::Code, what: &str, help: &str| {
        let at = shown(path);
        Diagnostic::new(code, format!("`{at}` {what}"))
            .in_file(&at)
            .help(help)
    };
    let mut saw_symlinks = false;
    let root = &config.content_dir;
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.clone());
    let output = config.output_dir.canonicalize().ok();
    let bare_folder = config.content_dir == config.site_root;
    let mut files = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    // Symlinked folders that lead out of the content folder: not entered.
    let mut outside = Vec::new();
    let walker = walker.filter_entry(|e| {
        if e.depth() == 0 {
            return true;
        }
        saw_symlinks |= e.path_is_symlink();
        let name = e.file_name().to_string_lossy();
        if rules::skips(&name, e.depth(), bare_folder) {
            return false;
        }
        if e.path_is_symlink()
            && e.file_type().is_dir()
            && !e
                .path()
                .canonicalize()
                .is_ok_and(|p| p.starts_with(&canonical_root))
        {
            let shown: Arc<str> = display_path(e.path()).into();
            outside.push(
                Diagnostic::new(
                    codes::OUTSIDE_SITE,
                    format!("`{shown}` is a symlink to a folder outside the content folder; it is not published"),
                )
                .in_file(&shown)
                .help("copy the folder into the content folder if it should be published"),
            );
            return false;
        }
        // Only a folder can be the output folder; resolving every file's path would cost a
        // `realpath` per file on every rebuild.
        !(e.file_type().is_dir()
            && output
                .as_deref()
                .is_some_and(|out| e.path().canonicalize().is_ok_and(|p| p == out)))
    });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path: Arc<str> = err.path().map(display_path).unwrap_or_default().into();
                let message = match (err.loop_ancestor(), err.io_error()) {
                    (Some(_), _) => format!("symlink loop at `{path}`"),
                    (None, Some(io)) => format!("cannot read `{path}`: {io}"),
                    (None, None) => format!("cannot read `{path}`: {err}"),
                };
                diags.push(Diagnostic::new(codes::UNREADABLE_SKIPPED, message).in_file(&path));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        if entry.path_is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .is_ok_and(|p| p.starts_with(&canonical_root));
            if !inside {
                diags.push(skipped(
                    entry.path(),
                    codes::OUTSIDE_SITE,
                    "is a symlink to a file outside the content folder; it is not published",
                    "copy the file into the content folder if it should be published",
                ));
                continue;
            }
        }
        // A named pipe would block the build for ever on reading, a device would never end.
        if !entry.file_type().is_file() {
            diags.push(skipped(
                entry.path(),
                codes::UNREADABLE_SKIPPED,
                "is not a regular file; it is skipped",
                "named pipes, sockets and devices cannot be published",
            ));
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        if let Some(why) = unusable_name(rel) {
            let what = format!("{why}; it is skipped");
            diags.push(skipped(
                entry.path(),
                codes::FILE_NAME,
                &what,
                "rename the file",
            ));
            continue;
        }
        let rel = rel
            .to_string_lossy()
            .replace(std::path::MAIN_SEPARATOR, "/");
        files.push(SourceFile {
            rel,
            abs: entry.path().to_path_buf(),
            display: shown(entry.path()),
        });
    }
    diags.extend(outside);
    (files, saw_symlinks)
}

/// A file's text, registered in `sources` (also when it is not UTF-8, so that the diagnostic
/// can show the line with the bad byte).
fn accept(
    file: &SourceFile,
    result: Result<Arc<str>, Unreadable>,
    sources: &mut SourceMap,
) -> Result<Arc<str>, Diagnostic> {
    match result {
        Ok(text) => {
            sources.add(file.display.clone(), text.clone());
            Ok(text)
        }
        Err(Unreadable::Io(diag)) => Err(diag.in_file(&file.display)),
        Err(Unreadable::NotUtf8 { lossy, at }) => {
            // Up to the bad byte the lossy text is exact, so the snippet points at it.
            sources.add(file.display.clone(), lossy.into());
            Err(
                Diagnostic::new(codes::INVALID_UTF8, format!("file is not valid UTF-8 (byte {at})"))
                    .at(&file.display, at..at + 1)
                    .label("not UTF-8")
                    .help("save the file as UTF-8 (editors call it \"UTF-8\" or \"Unicode\"; EUC-KR and CP949 are not)"),
            )
        }
    }
}

/// Why a content-relative path cannot name a page or file of the site, if it cannot: a name
/// that is not UTF-8 would be shown and linked as something else, and a backslash (a folder
/// separator on Windows) would make a path that climbs out of the output folder there.
fn unusable_name(rel: &Path) -> Option<&'static str> {
    match rel.to_str() {
        None => Some("has a name that is not valid UTF-8"),
        Some(text) if std::path::MAIN_SEPARATOR != '\\' && text.contains('\\') => {
            Some("has a backslash in its name, a folder separator on Windows")
        }
        Some(_) => None,
    }
}

enum Unreadable {
    Io(Diagnostic),
    NotUtf8 { lossy: String, at: usize },
}

fn read_text(path: &Path) -> Result<Arc<str>, Unreadable> {
    let bytes = read_shared(path).map_err(|e| {
        Unreadable::Io(Diagnostic::new(
            codes::UNREADABLE,
            format!("cannot read file: {e}"),
        ))
    })?;
    // SIMD validation: checking the UTF-8 of every page was a tenth of `archsite check`.
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        if let Some(rest) = bytes.strip_prefix("\u{feff}".as_bytes()) {
            return Ok(std::str::from_utf8(rest).unwrap_or_default().into());
        }
        // SAFETY: the bytes were validated as UTF-8 just above, and `str` has the layout of
        // `[u8]`, so the allocation is a valid `Arc<str>`.
        return Ok(unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) });
    }
    let error = std::str::from_utf8(&bytes).err();
    let at = error.map_or(0, |e| e.valid_up_to());
    Err(Unreadable::NotUtf8 {
        lossy: String::from_utf8_lossy(&bytes).into_owned(),
        at,
    })
}

/// A file's bytes, read straight into the shared allocation the pages keep: reading into a
/// `Vec` and copying it into an `Arc` touched twice the memory (a tenth of `archsite check` at
/// 10,000 pages went to the copy and the page faults of the second buffer).
fn read_shared(path: &Path) -> std::io::Result<Arc<[u8]>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
    let mut bytes: Arc<[u8]> = std::iter::repeat_n(0, len).collect();
    let buffer = Arc::get_mut(&mut bytes).expect("not shared yet");
    // A file that changes while it is read: whatever a plain read sees now.
    let mut probe = [0u8; 1];
    if file.read_exact(buffer).is_err() || file.read(&mut probe)? != 0 {
        return std::fs::read(path).map(Arc::from);
    }
    Ok(bytes)
}

/// Theme files from the site, by theme-relative path: `themes/<theme>/` first, then the site's
/// own `templates/` and `static/`, which win.
fn theme_overrides(config: &Config, diags: &mut Vec<Diagnostic>) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut roots: Vec<(PathBuf, &str)> = Vec::new();
    if let Some(theme) = &config.theme {
        let dir = config.site_root.join("themes").join(theme);
        if !dir.is_dir() && theme != "default" {
            diags.push(
                Diagnostic::new(
                    codes::CONFIG,
                    format!("theme `{theme}` not found at `{}`", display_path(&dir)),
                )
                .help("create the folder, or remove `theme` to use the built-in theme"),
            );
        }
        roots.push((dir.join("templates"), "templates"));
        roots.push((dir.join("static"), "static"));
    }
    roots.push((config.site_root.join("templates"), "templates"));
    roots.push((config.site_root.join("static"), "static"));
    for (dir, prefix) in roots {
        if !dir.is_dir() {
            continue;
        }
        for entry in WalkDir::new(&dir).sort_by_file_name().into_iter().flatten() {
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            match std::fs::read(entry.path()) {
                Ok(bytes) => {
                    files.insert(format!("{prefix}/{rel}"), bytes);
                }
                Err(e) => diags.push(Diagnostic::new(
                    codes::UNREADABLE,
                    format!("cannot read `{}`: {e}", display_path(entry.path())),
                )),
            }
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_read_whole_without_their_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&[u8], Option<&str>); 4] = [
            (b"", Some("")),
            ("# 한글\n".as_bytes(), Some("# 한글\n")),
            ("\u{feff}# bom".as_bytes(), Some("# bom")),
            (b"ok \xff", None),
        ];
        for (i, (bytes, text)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("{i}.md"));
            std::fs::write(&path, bytes).unwrap();
            let read = read_text(&path).ok();
            assert_eq!(read.as_deref(), text, "case {i}");
        }
        assert!(read_text(&dir.path().join("missing.md")).is_err());
    }

    #[test]
    fn cached_texts_are_reused_only_while_their_file_is_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "# one\n").unwrap();
        let cache = TextCache::default();
        let fresh = std::sync::Mutex::new(Texts::default());
        let first = cache.read(&path, false, &fresh).ok().unwrap();
        *cache.files.lock().unwrap() = fresh.into_inner().unwrap();
        let fresh = std::sync::Mutex::new(Texts::default());
        let again = cache.read(&path, false, &fresh).ok().unwrap();
        assert!(Arc::ptr_eq(&first, &again), "unchanged: not read again");
        *cache.files.lock().unwrap() = fresh.into_inner().unwrap();
        std::fs::write(&path, "# two, longer\n").unwrap();
        let fresh = std::sync::Mutex::new(Texts::default());
        assert_eq!(
            &*cache.read(&path, false, &fresh).ok().unwrap(),
            "# two, longer\n"
        );
    }

    /// `cp -p`, `tar x`: new text, same size and modification time. Only the watcher knows.
    #[test]
    fn a_named_file_is_read_again_whatever_its_time_says() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "# one\n").unwrap();
        let time = std::fs::metadata(&path).unwrap().modified().unwrap();
        let cache = TextCache::default();
        let fresh = std::sync::Mutex::new(Texts::default());
        cache.read(&path, false, &fresh).ok().unwrap();
        *cache.files.lock().unwrap() = fresh.into_inner().unwrap();
        std::fs::write(&path, "# two\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(time)
            .unwrap();
        let fresh = std::sync::Mutex::new(Texts::default());
        assert_eq!(
            &*cache.read(&path, false, &fresh).ok().unwrap(),
            "# one\n",
            "unnamed: trusted"
        );
        assert_eq!(&*cache.read(&path, true, &fresh).ok().unwrap(), "# two\n");
    }
}
