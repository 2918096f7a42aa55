//! What `serve` knows between two loads: the last walk of the content folder and the paths the
//! file watcher reported since. When those changes cannot have added or removed a file, the
//! next load takes the last walk's file list instead of walking again, and checks only the
//! reported files for new text (a walk and a `stat` of every file were most of a 10,000-page
//! rebuild's load).

use crate::diag::Diagnostic;
use crate::model::SourceFile;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// One walk of the content folder, and where it was made.
#[derive(Debug, Clone)]
pub struct Walk {
    pub files: Vec<SourceFile>,
    pub diags: Vec<Diagnostic>,
    content_dir: PathBuf,
    output_dir: PathBuf,
    /// `content_dir` with every symlink resolved: watcher paths are compared below it.
    canonical: PathBuf,
}

impl Walk {
    /// `None` when the walk cannot be reused safely: a content folder with symlinks (a path the
    /// watcher reports may then name a file by another path).
    pub fn new(
        files: Vec<SourceFile>,
        diags: Vec<Diagnostic>,
        content_dir: &Path,
        output_dir: &Path,
        saw_symlinks: bool,
    ) -> Option<Walk> {
        if saw_symlinks {
            return None;
        }
        Some(Walk {
            files,
            diags,
            content_dir: content_dir.to_path_buf(),
            output_dir: output_dir.to_path_buf(),
            canonical: content_dir.canonicalize().ok()?,
        })
    }

    /// The content-relative paths of the files among `changed`, when no change can have added
    /// or removed a file of this walk; `None` when the folder must be walked again.
    pub fn changed_files(
        &self,
        changed: &[PathBuf],
        content_dir: &Path,
        output_dir: &Path,
    ) -> Option<HashSet<String>> {
        if content_dir != self.content_dir || output_dir != self.output_dir {
            return None;
        }
        // An edit names a path or two: a scan of the list is cheaper than a map of it.
        let by_rel: Option<HashMap<&str, &SourceFile>> =
            (changed.len() > 16).then(|| self.files.iter().map(|f| (f.rel.as_str(), f)).collect());
        let known = |rel: &str| match &by_rel {
            Some(map) => map.get(rel).copied(),
            None => self.files.iter().find(|f| f.rel == rel),
        };
        let mut files = HashSet::new();
        for path in changed {
            let path = super::rules::canonical(path);
            // The content folder itself or a folder above it (the watcher's "everything may
            // have changed").
            if self.canonical.starts_with(&path) {
                return None;
            }
            let Ok(rel) = path.strip_prefix(&self.canonical) else {
                // Outside the content folder (the config, templates): read every build anyway.
                continue;
            };
            let rel = rel.to_str()?.replace(std::path::MAIN_SEPARATOR, "/");
            match known(rel.as_str()) {
                // Edited in place: still a regular file.
                Some(f) if std::fs::symlink_metadata(&f.abs).is_ok_and(|m| m.is_file()) => {
                    files.insert(rel);
                }
                Some(_) => return None,
                None => {
                    let folder_of_known = format!("{rel}/");
                    // A new file or folder, or a removed folder: walk again. A vanished
                    // unknown path (an editor's temporary file) changes nothing.
                    if path.exists()
                        || self
                            .files
                            .iter()
                            .any(|f| f.rel.starts_with(&folder_of_known))
                    {
                        return None;
                    }
                }
            }
        }
        Some(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk_of(content: &Path, rels: &[&str]) -> Walk {
        let files = rels
            .iter()
            .map(|rel| SourceFile {
                rel: rel.to_string(),
                abs: content.join(rel),
                display: rel.to_string().into(),
            })
            .collect();
        Walk::new(files, Vec::new(), content, &content.join("public"), false).unwrap()
    }

    #[test]
    fn in_place_edits_reuse_the_walk_anything_else_walks_again() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().canonicalize().unwrap();
        let content = site.join("content");
        std::fs::create_dir_all(content.join("env")).unwrap();
        std::fs::write(content.join("index.md"), "# a").unwrap();
        std::fs::write(content.join("env/prod.md"), "# b").unwrap();
        let walk = walk_of(&content, &["index.md", "env/prod.md"]);
        let out = content.join("public");
        let changed = |paths: &[PathBuf]| walk.changed_files(paths, &content, &out);

        let edited = changed(&[content.join("env/prod.md")]).unwrap();
        assert_eq!(edited, HashSet::from(["env/prod.md".to_string()]));
        // A relative spelling of the same file, as a watcher on "." reports it.
        let relative = changed(&[content.join("env/../env/prod.md")]).unwrap();
        assert_eq!(relative, edited);
        // An editor's temporary file that is gone again, and the config beside the content.
        std::fs::write(site.join("archsite.yaml"), "title: x").unwrap();
        let quiet = changed(&[content.join("index.md.3f2a"), site.join("archsite.yaml")]);
        assert_eq!(quiet.unwrap(), HashSet::new());

        std::fs::write(content.join("new.md"), "# c").unwrap();
        assert!(changed(&[content.join("new.md")]).is_none(), "a new file");
        std::fs::remove_file(content.join("new.md")).unwrap();
        assert!(
            changed(std::slice::from_ref(&site)).is_none(),
            "the watcher lost events"
        );
        assert!(
            changed(std::slice::from_ref(&content)).is_none(),
            "the content folder itself"
        );
        std::fs::remove_file(content.join("env/prod.md")).unwrap();
        assert!(
            changed(&[content.join("env/prod.md")]).is_none(),
            "a removed file"
        );
        std::fs::remove_dir(content.join("env")).unwrap();
        assert!(
            changed(&[content.join("env")]).is_none(),
            "a removed folder"
        );
        assert!(
            walk.changed_files(&[], &site, &out).is_none(),
            "another content folder"
        );
    }
}
