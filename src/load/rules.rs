//! What a build reads, as rules: the walk of the content folder applies them to decide what it
//! publishes, and `serve`'s watcher applies the same rules to decide which changed paths can
//! change the site. One set of rules for both is what makes the preview see exactly the files
//! the build publishes (a second list in the watcher once hid `target/` folders, which the
//! build publishes, and showed nothing of a content folder outside the site folder).

use crate::config::{Config, CONFIG_FILE};
use std::path::{Component, Path, PathBuf};

/// Names a bare folder (a site whose content is the site folder itself) keeps for the site's
/// own configuration and theme, or that hold no content: not published from its top level.
const BARE_FOLDER_SITE_NAMES: &[&str] =
    &[CONFIG_FILE, "templates", "themes", "static", "node_modules"];

/// Whether the walk of the content folder skips an entry named `name` at `depth` (1: directly
/// in the content folder), with everything below it: hidden names (`.git`, editors' swap
/// files), backups (`notes.md~`), and in a bare folder the site's own files.
pub fn skips(name: &str, depth: usize, bare_folder: bool) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (bare_folder && depth == 1 && BARE_FOLDER_SITE_NAMES.contains(&name))
}

/// Every place a build of one configuration reads, with paths made absolute and free of
/// symlinks (the watcher reports paths below the folders it watches, spelled from them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    site_root: PathBuf,
    content: PathBuf,
    bare_folder: bool,
    config_file: PathBuf,
    /// `templates/` and `static/` of the site and of its theme: read whole.
    theme: Vec<PathBuf>,
    /// The output folder and the cache folder: written by builds, never read as input.
    written: Vec<PathBuf>,
}

impl Inputs {
    pub fn of(config: &Config) -> Inputs {
        let site_root = canonical(&config.site_root);
        let mut theme = vec![site_root.join("templates"), site_root.join("static")];
        if let Some(name) = &config.theme {
            let dir = site_root.join("themes").join(name);
            theme.extend([dir.join("templates"), dir.join("static")]);
        }
        Inputs {
            content: canonical(&config.content_dir),
            bare_folder: config.content_dir == config.site_root,
            config_file: site_root.join(CONFIG_FILE),
            theme,
            written: vec![canonical(&config.output_dir), canonical(&config.cache_dir)],
            site_root,
        }
    }

    /// The folders to watch, recursively: the site folder (its config, theme and usually its
    /// content) and the content folder when it lies outside (`content: ../docs`).
    pub fn roots(&self) -> Vec<PathBuf> {
        let mut roots = vec![self.site_root.clone()];
        if !self.content.starts_with(&self.site_root) {
            roots.push(self.content.clone());
        }
        roots
    }

    /// Whether a change at `path` (created, written, removed or renamed) can change what a
    /// build reads.
    pub fn is_input(&self, path: &Path) -> bool {
        let path = canonical(path);
        if self.written.iter().any(|w| path.starts_with(w)) {
            return false;
        }
        if path == self.config_file
            || self.content.starts_with(&path)
            || self
                .theme
                .iter()
                .any(|t| path.starts_with(t) || t.starts_with(&path))
        {
            return true;
        }
        let Ok(rel) = path.strip_prefix(&self.content) else {
            return false;
        };
        rel.components().enumerate().all(|(i, part)| {
            let name = part.as_os_str().to_string_lossy();
            !skips(&name, i + 1, self.bare_folder)
        })
    }
}

/// Content-relative paths (`/`-separated) that changed, as the watcher named them: a file, or a
/// folder and everything below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// The content folder itself, or a folder above it: anything may have changed.
    All,
    Under(std::collections::HashSet<String>),
}

impl Changed {
    /// The paths of `changes` inside the content folder `content` (paths elsewhere, such as the
    /// config, change no file of it).
    pub fn of(changes: &[PathBuf], content: &Path) -> Changed {
        let content = canonical(content);
        let mut rels = std::collections::HashSet::new();
        for path in changes {
            let path = canonical(path);
            if content.starts_with(&path) {
                return Changed::All;
            }
            if let Ok(rel) = path.strip_prefix(&content) {
                rels.insert(
                    rel.to_string_lossy()
                        .replace(std::path::MAIN_SEPARATOR, "/"),
                );
            }
        }
        Changed::Under(rels)
    }

    /// Whether the content-relative path `rel` was named, or a folder above it (a lookup per
    /// folder of the path: a walk of 10,000 files after a 200-file burst asks 10,000 times).
    pub fn covers(&self, rel: &str) -> bool {
        match self {
            Changed::All => true,
            Changed::Under(rels) => {
                rels.contains(rel)
                    || rel
                        .match_indices('/')
                        .any(|(at, _)| rels.contains(&rel[..at]))
            }
        }
    }
}

/// `path`, absolute and with the symlinks of its longest existing ancestor resolved; the rest
/// (a file or folder that is gone) is appended as written, without `.` and `..` tricks.
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(name) => out.push(name),
                    _ => {}
                }
            }
            return out;
        }
        let (Some(parent), Some(last)) = (existing.parent(), existing.components().next_back())
        else {
            return absolute;
        };
        rest.push(last);
        existing = parent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SiteArgs;
    use crate::diag::SourceMap;

    fn config_of(site: &Path) -> Config {
        let args = SiteArgs {
            path: Some(site.to_path_buf()),
            ..Default::default()
        };
        Config::discover(&args, &mut SourceMap::default()).unwrap()
    }

    #[test]
    fn hidden_backup_and_bare_folder_site_names_are_skipped() {
        assert!(skips(".git", 1, false));
        assert!(skips(".index.md.swp", 3, false));
        assert!(skips("index.md~", 1, false));
        assert!(skips("templates", 1, true));
        assert!(skips("node_modules", 1, true));
        assert!(!skips("templates", 2, true));
        assert!(!skips("templates", 1, false));
        for published in [
            "target",
            "node_modules",
            "notes.tmp",
            "4913",
            "#a#",
            "a___jb_tmp___",
        ] {
            assert!(!skips(published, 2, true), "{published}");
        }
    }

    #[test]
    fn the_watcher_sees_what_the_build_reads() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        std::fs::create_dir_all(site.join("content/target")).unwrap();
        std::fs::write(site.join(CONFIG_FILE), "theme: corp\n").unwrap();
        let inputs = Inputs::of(&config_of(&site));
        let site = canonical(&site);
        let input = |p: &str| inputs.is_input(&site.join(p));
        for yes in [
            "archsite.yaml",
            "content/index.md",
            "content/target/plan.md",
            "content/node_modules/x.md",
            "content/notes.tmp",
            "content/4913",
            "content/#notes.md#",
            "content/a.md___jb_tmp___",
            "content/new-folder",
            "templates/page.html",
            "static/logo.png",
            "themes/corp/templates/page.html",
            "themes",
            "",
        ] {
            assert!(input(yes), "{yes}");
        }
        for no in [
            "public/index.html",
            "public",
            ".archsite-cache/x",
            "content/.git/index",
            "content/.index.md.swp",
            "content/index.md~",
            "content/a/.hidden/b.md",
            "target/debug/archsite",
            "node_modules/x/index.js",
            "README.md",
            "themes/other/templates/page.html",
        ] {
            assert!(!input(no), "{no}");
        }
        // A relative spelling of a path, and a path whose folder is gone.
        assert!(inputs.is_input(&site.join("content/../content/index.md")));
        assert!(inputs.is_input(&site.join("content/gone/deeper/x.md")));
        assert_eq!(inputs.roots(), std::slice::from_ref(&site));
    }

    #[test]
    fn a_bare_folder_and_a_content_folder_outside_the_site() {
        let tmp = tempfile::tempdir().unwrap();
        let bare = tmp.path().join("bare");
        std::fs::create_dir_all(&bare).unwrap();
        let inputs = Inputs::of(&config_of(&bare));
        let bare = canonical(&bare);
        assert!(inputs.is_input(&bare.join("notes/target/a.md")));
        assert!(inputs.is_input(&bare.join("templates/page.html")));
        assert!(inputs.is_input(&bare.join("archsite.yaml")));
        assert!(!inputs.is_input(&bare.join("node_modules/x.js")));
        assert!(inputs.is_input(&bare.join("notes/node_modules/x.md")));
        assert!(!inputs.is_input(&bare.join("public/index.html")));

        let site = tmp.path().join("site");
        let docs = tmp.path().join("docs");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(site.join(CONFIG_FILE), "content: ../docs\n").unwrap();
        let inputs = Inputs::of(&config_of(&site));
        let (site, docs) = (canonical(&site), canonical(&docs));
        assert_eq!(inputs.roots(), [site.clone(), docs.clone()]);
        assert!(inputs.is_input(&docs.join("index.md")));
        assert!(inputs.is_input(&site.join("archsite.yaml")));
        assert!(!inputs.is_input(&site.join("index.md")));
        assert!(!inputs.is_input(&tmp.path().join("other/index.md")));
    }

    #[test]
    fn changed_paths_cover_their_files_and_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let content = canonical(tmp.path()).join("content");
        std::fs::create_dir_all(content.join("env")).unwrap();
        let changed = Changed::of(
            &[
                content.join("env/prod.md"),
                content.join("moved-in"),
                content.parent().unwrap().join("archsite.yaml"),
            ],
            &content,
        );
        assert!(changed.covers("env/prod.md"));
        assert!(changed.covers("moved-in/a/b.md"));
        assert!(!changed.covers("env/prod.md.bak"));
        assert!(!changed.covers("moved-in-too.md"));
        assert!(!changed.covers("index.md"));
        assert_eq!(
            Changed::of(std::slice::from_ref(&content), &content),
            Changed::All
        );
        assert_eq!(
            Changed::of(&[content.parent().unwrap().to_path_buf()], &content),
            Changed::All
        );
        assert!(Changed::All.covers("anything.md"));
    }

    #[test]
    fn canonical_paths_of_files_that_are_gone() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().canonicalize().unwrap();
        assert_eq!(canonical(&real.join("a/b/../c.md")), real.join("a/c.md"));
        assert_eq!(canonical(&real.join("gone.md")), real.join("gone.md"));
        assert_eq!(canonical(tmp.path()), real);
    }
}
