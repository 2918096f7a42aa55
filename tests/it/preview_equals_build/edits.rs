//! Random edits of a site, as writers and their tools make them: pages, assets, data tables,
//! diagrams and the config created, edited (in place, by an editor's rename, keeping the size
//! and modification time), renamed and deleted, one at a time or in bursts. Every choice comes
//! from a seeded generator, so that a failing sequence can be replayed.

use super::harness::Differential;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// splitmix64: small, fast and good enough to pick edits.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

/// The site being edited, and what the edits know about it.
pub struct Editor {
    pub rng: Rng,
    /// A counter that makes every generated name and text new.
    n: usize,
    /// The content folder, relative to the site folder (`.` for a bare folder).
    content: String,
    /// Pages present at the start, content-relative: links point only at these, so that
    /// deleting generated files never breaks a link.
    originals: Vec<String>,
    /// Diagram texts present at the start (their verdicts are already cached, so a new copy
    /// does not start mermaid's engine in every reference build).
    diagrams: Vec<String>,
    /// The site's `base_url` when the edits began (a config edit may restore it).
    base_url: Option<String>,
    /// The first text of each data file edited.
    data_originals: std::collections::HashMap<String, String>,
}

/// Files a step wrote or removed, content-relative, for the log.
type Done = String;

impl Editor {
    pub fn new(site: &Differential, seed: u64) -> Editor {
        let content = if site.path("content").is_dir() {
            "content".to_string()
        } else {
            ".".to_string()
        };
        let mut editor = Editor {
            rng: Rng::new(seed),
            n: 0,
            content,
            originals: Vec::new(),
            diagrams: Vec::new(),
            base_url: config_value(&site.root, "base_url"),
            data_originals: Default::default(),
        };
        for rel in editor.files(site) {
            let text = std::fs::read_to_string(editor.abs(site, &rel)).unwrap_or_default();
            if rel.ends_with(".md") {
                // A link to a draft is an error: links point at published pages only.
                if !text.contains("draft: true") {
                    editor.originals.push(rel.clone());
                }
                for block in text.split("```mermaid\n").skip(1) {
                    if let Some(body) = block.split("```").next() {
                        editor.diagrams.push(body.to_string());
                    }
                }
            } else if rel.ends_with(".mmd") {
                editor.diagrams.push(text);
            }
        }
        editor
    }

    fn abs(&self, site: &Differential, rel: &str) -> PathBuf {
        site.root.join(&self.content).join(rel)
    }

    fn fresh(&mut self) -> usize {
        self.n += 1;
        self.n
    }

    /// The content folder's files as the build publishes them (hidden names and backups
    /// skipped), content-relative; in a bare folder, without the site's own files.
    fn files(&self, site: &Differential) -> Vec<String> {
        let content = site.root.join(&self.content);
        let bare = self.content == ".";
        walkdir::WalkDir::new(&content)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                !(name.starts_with('.')
                    || name.ends_with('~')
                    || (bare
                        && e.depth() == 1
                        && matches!(
                            &*name,
                            "archsite.yaml" | "templates" | "static" | "themes" | "public"
                        )))
            })
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&content)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    fn generated(&self, site: &Differential) -> Vec<String> {
        self.files(site)
            .into_iter()
            .filter(|f| f.rsplit('/').next().unwrap_or("").contains("gen-"))
            .collect()
    }

    /// One step: a single edit, or a burst of up to five, sometimes with pauses in between
    /// (so that a burst spans several of the watcher's batches).
    pub fn step(&mut self, site: &mut Differential) {
        let edits = if self.rng.chance(30) {
            2 + self.rng.below(4)
        } else {
            1
        };
        let pauses = self.rng.chance(40);
        for _ in 0..edits {
            let done = self.edit(site);
            site.note(done);
            if pauses {
                std::thread::sleep(Duration::from_millis(self.rng.below(40) as u64));
            }
        }
    }

    fn edit(&mut self, site: &mut Differential) -> Done {
        match self.rng.below(100) {
            0..=29 => self.edit_page(site),
            30..=41 => self.new_page(site),
            42..=49 => self.delete_generated(site),
            50..=56 => self.rename_generated(site),
            57..=69 => self.asset(site),
            70..=76 => self.data(site),
            77..=83 => self.diagram(site),
            84..=93 => self.config(site),
            _ => self.static_file(site),
        }
    }

    fn edit_page(&mut self, site: &Differential) -> Done {
        let pages: Vec<String> = self
            .files(site)
            .into_iter()
            .filter(|f| f.ends_with(".md"))
            .collect();
        let Some(page) = self.rng.pick(&pages).cloned() else {
            return self.new_page(site);
        };
        let path = self.abs(site, &page);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let n = self.fresh();
        let (what, new) = match self.rng.below(8) {
            0 | 1 => ("a paragraph", format!("{text}\nEdit {n} of the text.\n")),
            2 => {
                let target = self.rng.pick(&self.originals).cloned().unwrap_or_default();
                ("a link", format!("{text}\n[Link {n}](</{target}>)\n"))
            }
            3 => (
                "a heading",
                format!("{text}\n## Section {n}\n\nBody {n}.\n"),
            ),
            4 if !self.diagrams.is_empty() => {
                let body = self.rng.pick(&self.diagrams).cloned().unwrap_or_default();
                ("a diagram", format!("{text}\n```mermaid\n{body}```\n"))
            }
            5 if self.rng.chance(50) => (
                "a broken link",
                format!("{text}\n[Gone {n}](/missing-{n}.md) <!--broken-->\n"),
            ),
            5 | 6 => (
                "broken links removed",
                text.lines()
                    .filter(|l| !l.contains("<!--broken-->"))
                    .map(|l| format!("{l}\n"))
                    .collect(),
            ),
            _ => return self.same_size_same_time(site, &page),
        };
        let style = self.save(&path, new.as_bytes());
        format!("edit {page}: {what} ({style})")
    }

    /// A rewrite that keeps the size and the modification time (`cp -p`, `tar x`, a file
    /// system with coarse times): one digit changed, the time put back.
    fn same_size_same_time(&mut self, site: &Differential, rel: &str) -> Done {
        let path = self.abs(site, rel);
        let Ok(mut bytes) = std::fs::read(&path) else {
            return format!("(nothing to rewrite at {rel})");
        };
        let digits: Vec<usize> = (0..bytes.len())
            .filter(|&i| bytes[i].is_ascii_digit())
            .collect();
        let Some(&at) = self.rng.pick(&digits) else {
            return format!("(no digit to change in {rel})");
        };
        bytes[at] = b'0' + ((bytes[at] - b'0' + 1 + self.rng.below(8) as u8) % 10);
        let time = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::fs::write(&path, &bytes).unwrap();
        set_modified(&path, time);
        format!("rewrite {rel} keeping its size and time (byte {at})")
    }

    /// Writes a file as one of the common editors does.
    fn save(&mut self, path: &Path, bytes: &[u8]) -> &'static str {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let folder = path.parent().unwrap();
        match self.rng.below(4) {
            0 => {
                // JetBrains: a temporary file, the original moved away, the new one moved in.
                let tmp = folder.join(format!("{name}___jb_tmp___"));
                let old = folder.join(format!("{name}___jb_old___"));
                std::fs::write(&tmp, bytes).unwrap();
                let _ = std::fs::rename(path, &old);
                std::fs::rename(&tmp, path).unwrap();
                let _ = std::fs::remove_file(&old);
                "JetBrains save"
            }
            1 => {
                // vim: a probe file, a backup by rename, the file written anew.
                let probe = folder.join("4913");
                if !probe.exists() {
                    std::fs::write(&probe, b"").unwrap();
                    std::fs::remove_file(&probe).unwrap();
                }
                let backup = folder.join(format!("{name}~"));
                let _ = std::fs::rename(path, &backup);
                std::fs::write(path, bytes).unwrap();
                let _ = std::fs::remove_file(&backup);
                "vim save"
            }
            2 => {
                // VS Code and most tools: a hidden temporary file renamed over the original.
                let tmp = folder.join(format!(".{name}.tmp"));
                std::fs::write(&tmp, bytes).unwrap();
                std::fs::rename(&tmp, path).unwrap();
                "atomic save"
            }
            _ => {
                std::fs::write(path, bytes).unwrap();
                "in-place write"
            }
        }
    }

    /// A folder for a new file: an existing one, or a new one (`target` and `node_modules`
    /// are common names of content folders in architecture documents).
    fn folder(&mut self, site: &Differential) -> String {
        let mut folders: Vec<String> = self
            .files(site)
            .iter()
            .filter_map(|f| f.rsplit_once('/').map(|(d, _)| d.to_string()))
            .collect();
        folders.sort();
        folders.dedup();
        folders.extend(["".into(), "target".into(), "node_modules".into()]);
        let n = self.n;
        folders.push(format!("gen-folder-{n}"));
        folders.push("notes/target".into());
        self.rng.pick(&folders).cloned().unwrap_or_default()
    }

    fn in_folder(folder: &str, name: &str) -> String {
        if folder.is_empty() {
            name.to_string()
        } else {
            format!("{folder}/{name}")
        }
    }

    fn new_page(&mut self, site: &Differential) -> Done {
        let n = self.fresh();
        let folder = self.folder(site);
        let rel = Self::in_folder(&folder, &format!("gen-{n}.md"));
        let target = self.rng.pick(&self.originals).cloned().unwrap_or_default();
        let path = self.abs(site, &rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            format!("# Generated {n}\n\nA page made while serving. [Back](</{target}>)\n"),
        )
        .unwrap();
        format!("new page {rel}")
    }

    fn delete_generated(&mut self, site: &Differential) -> Done {
        let generated = self.generated(site);
        let Some(rel) = self.rng.pick(&generated).cloned() else {
            return self.new_page(site);
        };
        std::fs::remove_file(self.abs(site, &rel)).unwrap();
        self.unlink(site, &rel);
        format!("delete {rel}")
    }

    /// Removes the lines of every page that link to the generated file `rel`.
    fn unlink(&self, site: &Differential, rel: &str) {
        let marker = format!("<!--asset {rel}-->");
        for page in self.files(site).iter().filter(|f| f.ends_with(".md")) {
            let path = self.abs(site, page);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if text.contains(&marker) {
                let kept: String = text
                    .lines()
                    .filter(|l| !l.contains(&marker))
                    .map(|l| format!("{l}\n"))
                    .collect();
                std::fs::write(&path, kept).unwrap();
            }
        }
    }

    fn rename_generated(&mut self, site: &Differential) -> Done {
        let generated = self.generated(site);
        let Some(rel) = self.rng.pick(&generated).cloned() else {
            return self.new_page(site);
        };
        let n = self.fresh();
        // A whole generated folder, or one file into another folder.
        if let Some((folder, _)) = rel.split_once('/').filter(|(f, _)| f.starts_with("gen-")) {
            let to = format!("gen-folder-moved-{n}");
            let from = self.abs(site, folder);
            if self.rng.chance(50) {
                let inside = format!("{folder}/");
                for file in self
                    .generated(site)
                    .iter()
                    .filter(|f| f.starts_with(&inside))
                {
                    self.unlink(site, file);
                }
                std::fs::rename(from, self.abs(site, &to)).unwrap();
                return format!("rename folder {folder} to {to}");
            }
        }
        let extension = rel.rsplit_once('.').map_or("", |(_, e)| e);
        let folder = self.folder(site);
        let to = Self::in_folder(&folder, &format!("gen-{n}-renamed.{extension}"));
        let dest = self.abs(site, &to);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        self.unlink(site, &rel);
        std::fs::rename(self.abs(site, &rel), dest).unwrap();
        format!("rename {rel} to {to}")
    }

    /// Images and other published files: new ones (some with names that look like editors'
    /// temporary files, which the build publishes all the same), in-place edits, edits that
    /// keep the size and time, and links to them from a page.
    fn asset(&mut self, site: &Differential) -> Done {
        let generated: Vec<String> = self
            .generated(site)
            .into_iter()
            .filter(|f| !f.ends_with(".md") && !f.ends_with(".mmd"))
            .collect();
        if !generated.is_empty() && self.rng.chance(50) {
            let rel = self.rng.pick(&generated).cloned().unwrap();
            if self.rng.chance(40) {
                return self.same_size_same_time(site, &rel);
            }
            let bytes = self.bytes();
            let style = self.save(&self.abs(site, &rel), &bytes);
            return format!("edit asset {rel} ({style})");
        }
        let n = self.fresh();
        let name = match self.rng.below(7) {
            0 => format!("gen-{n}.tmp"),
            1 => format!("#gen-{n}.md#"),
            2 => format!("gen-{n}.md___jb_tmp___"),
            3 => format!("gen-{n}.swp"),
            4 => format!("gen-{n}.yaml"),
            _ => format!("gen-{n}.png"),
        };
        let folder = self.folder(site);
        let rel = Self::in_folder(&folder, &name);
        let path = self.abs(site, &rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let bytes = self.bytes();
        std::fs::write(&path, bytes).unwrap();
        if self.rng.chance(50) {
            let pages: Vec<String> = self.originals.clone();
            if let Some(page) = self.rng.pick(&pages) {
                let page_path = self.abs(site, page);
                if let Ok(text) = std::fs::read_to_string(&page_path) {
                    let link = percent_encoding::utf8_percent_encode(
                        &rel,
                        percent_encoding::NON_ALPHANUMERIC,
                    )
                    .to_string()
                    .replace("%2F", "/")
                    .replace("%2E", ".")
                    .replace("%2D", "-");
                    std::fs::write(
                        &page_path,
                        format!("{text}\n[File {n}](/{link}) <!--asset {rel}-->\n"),
                    )
                    .unwrap();
                    return format!("new asset {rel}, linked from {page}");
                }
            }
        }
        format!("new asset {rel}")
    }

    /// Random bytes with digits among them (so that a same-size rewrite finds one).
    fn bytes(&mut self) -> Vec<u8> {
        let len = 1 + self.rng.below(3000);
        (0..len)
            .map(|i| {
                if i % 7 == 0 {
                    b'0' + (self.rng.below(10) as u8)
                } else {
                    self.rng.next() as u8
                }
            })
            .collect()
    }

    fn data(&mut self, site: &Differential) -> Done {
        let tables: Vec<String> = self
            .files(site)
            .into_iter()
            .filter(|f| f.starts_with("data/") && f.ends_with(".yaml") && !f.contains("gen-"))
            .filter(|f| !f.ends_with("environments.yaml"))
            .collect();
        let Some(rel) = self.rng.pick(&tables).cloned() else {
            return self.edit_page(site);
        };
        let path = self.abs(site, &rel);
        let text = std::fs::read_to_string(&path).unwrap();
        // Back to the text it had at the start, sometimes: a value a table refuses (a range
        // turned upside down, say) must not leave the site failing to the end.
        let original = self
            .data_originals
            .entry(rel.clone())
            .or_insert(text.clone());
        if *original != text && self.rng.chance(30) {
            let original = original.clone();
            let style = self.save(&path, original.as_bytes());
            return format!("data {rel}: back to its first text ({style})");
        }
        // A number alone on its line after a key (`prod: 450`), replaced by another.
        let spots: Vec<usize> = text
            .match_indices(": ")
            .map(|(i, _)| i + 2)
            .filter(|&i| {
                let rest = &text[i..];
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                digits > 0 && rest[digits..].starts_with('\n')
            })
            .collect();
        let Some(&at) = self.rng.pick(&spots) else {
            return format!("(no number in {rel})");
        };
        let digits = text[at..].bytes().take_while(u8::is_ascii_digit).count();
        let value = 1 + self.rng.below(999);
        let new = format!("{}{value}{}", &text[..at], &text[at + digits..]);
        let style = self.save(&path, new.as_bytes());
        format!("data {rel}: a value becomes {value} ({style})")
    }

    fn diagram(&mut self, site: &Differential) -> Done {
        let Some(body) = self.rng.pick(&self.diagrams).cloned() else {
            return self.edit_page(site);
        };
        let files: Vec<String> = self
            .files(site)
            .into_iter()
            .filter(|f| f.ends_with(".mmd"))
            .collect();
        if let Some(rel) = self
            .rng
            .pick(&files)
            .cloned()
            .filter(|_| self.rng.chance(60))
        {
            let style = self.save(&self.abs(site, &rel), body.as_bytes());
            return format!("diagram {rel} rewritten ({style})");
        }
        let n = self.fresh();
        let folder = self.folder(site);
        let rel = Self::in_folder(&folder, &format!("gen-{n}.mmd"));
        let path = self.abs(site, &rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, body).unwrap();
        format!("new diagram {rel}")
    }

    /// The config: search on and off, the title, `base_url`, and the content folder moved
    /// (with `content:` following it).
    fn config(&mut self, site: &mut Differential) -> Done {
        let n = self.fresh();
        match self.rng.below(5) {
            0 => {
                let off = config_value(&site.root, "search").as_deref() != Some("false");
                set_config(&site.root, "search", off.then_some("false"));
                format!("config: search {}", if off { "off" } else { "on" })
            }
            1 => {
                set_config(&site.root, "title", Some(&format!("Generated title {n}")));
                format!("config: title {n}")
            }
            2 => {
                let choices = [
                    None,
                    Some("/handbook/"),
                    Some("https://example.com/team/docs/"),
                ];
                let mut value = self
                    .rng
                    .pick(&choices)
                    .cloned()
                    .flatten()
                    .map(str::to_string);
                if self.rng.chance(30) {
                    value = self.base_url.clone();
                }
                set_config(&site.root, "base_url", value.as_deref());
                format!("config: base_url {value:?}")
            }
            3 if self.content != "." => {
                let to = if self.rng.chance(30) {
                    format!("../outside-{n}")
                } else {
                    format!("docs-{n}")
                };
                std::fs::rename(site.root.join(&self.content), site.root.join(&to)).unwrap();
                set_config(&site.root, "content", Some(&to));
                let from = std::mem::replace(&mut self.content, to.clone());
                format!("config: content moved from {from} to {to}")
            }
            _ => {
                let description = format!("Description {n}");
                set_config(&site.root, "description", Some(&description));
                format!("config: description {n}")
            }
        }
    }

    /// A file of the site's own `static/` folder (published beside the theme's assets).
    fn static_file(&mut self, site: &Differential) -> Done {
        if self.content == "." {
            return self.edit_page(site);
        }
        let folder = site.root.join("static");
        let existing: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        if let Some(path) = self
            .rng
            .pick(&existing)
            .cloned()
            .filter(|_| self.rng.chance(40))
        {
            std::fs::remove_file(&path).unwrap();
            return format!("delete {}", path.display());
        }
        let n = self.fresh();
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(format!("gen-{n}.css"));
        std::fs::write(&path, format!("/* {n} */ .gen-{n} {{ color: red; }}\n")).unwrap();
        format!("new static/gen-{n}.css")
    }
}

/// A top-level `key: value` of the site's `archsite.yaml`.
pub fn config_value(root: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(root.join("archsite.yaml")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().to_string())
}

/// Sets (or with `None` removes) a top-level `key: value` of the site's `archsite.yaml`.
pub fn set_config(root: &Path, key: &str, value: Option<&str>) {
    let path = root.join("archsite.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let prefix = format!("{key}:");
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with(&prefix))
        .map(str::to_string)
        .collect();
    if let Some(value) = value {
        lines.push(format!("{key}: {value}"));
    }
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

pub fn set_modified(path: &Path, time: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}
