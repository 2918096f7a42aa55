//! Link resolution: turns each link as written (`./prod.md#5-보안`, `<용어 사전.md>`,
//! `../api/x.yaml`) into its target and the relative href to write, or a diagnostic that says
//! what is wrong and how to fix it.

use crate::base::urls::{encode_fragment, is_external, join, parent, relative_href};
use crate::diag::codes::{self, Code};
use crate::diag::{closest, Diagnostic};
use crate::model::{Link, LinkKind, LinkTarget, Page, PageId, ResolvedLink};
use percent_encoding::percent_decode_str;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Pages with more ids than this get no "did you mean" for a broken anchor.
const MAX_SUGGESTION_CANDIDATES: usize = 10_000;

/// What a link may point at, indexed for lookups.
pub struct LinkIndex<'a> {
    pub pages: &'a [Page],
    pub urls: &'a [String],
    by_source: rustc_hash::FxHashMap<&'a str, PageId>,
    files: &'a BTreeMap<String, PathBuf>,
    /// Lowercased path → real path, for case-mismatch hints. Made on first need, like
    /// `composed`: most builds never miss a name.
    lowercase: std::sync::OnceLock<HashMap<String, String>>,
    /// Path with Hangul composed (NFC) → real path, for sources named in NFD.
    composed: std::sync::OnceLock<HashMap<String, String>>,
    /// The anchors of pages with many, as sets: a page with 100,000 headings linking to its
    /// own headings must not cost 100,000² comparisons.
    anchor_sets: HashMap<PageId, std::collections::HashSet<&'a str>>,
    /// Per page, the headings hidden by a code block never closed (made when a broken anchor
    /// to the page asks: a page with 20,000 broken anchors must not scan itself 20,000 times).
    hidden: Vec<std::sync::OnceLock<Vec<Hidden>>>,
    /// Where each page's lines start, computed when a suggestion names a line of it.
    line_starts: Vec<std::sync::OnceLock<Vec<usize>>>,
    /// Folder → the page published as its `index.html`.
    folder_index: HashMap<String, PageId>,
    /// Drafts left out of this build, so a link to one can say so.
    drafts: &'a [String],
    /// The names of the folders the content folder is in (`…/design/backend`), outermost
    /// first, for plain-text paths written from a folder above it.
    content_path: std::sync::Arc<[String]>,
}

impl<'a> LinkIndex<'a> {
    pub fn new(
        pages: &'a [Page],
        urls: &'a [String],
        files: &'a BTreeMap<String, PathBuf>,
        drafts: &'a [String],
        content_path: std::sync::Arc<[String]>,
    ) -> Self {
        let by_source: rustc_hash::FxHashMap<&str, PageId> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.file.rel.as_str(), i))
            .collect();
        let anchor_sets = pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.anchors.len() > 64)
            .map(|(id, p)| (id, p.anchors.iter().map(String::as_str).collect()))
            .collect();
        let folder_index = pages
            .iter()
            .enumerate()
            .filter(|(id, p)| urls[*id] == crate::base::urls::folder_index_url(parent(&p.file.rel)))
            .map(|(id, p)| (parent(&p.file.rel).to_string(), id))
            .collect();
        LinkIndex {
            folder_index,
            anchor_sets,
            line_starts: (0..pages.len()).map(|_| Default::default()).collect(),
            hidden: (0..pages.len()).map(|_| Default::default()).collect(),
            pages,
            urls,
            by_source,
            files,
            lowercase: Default::default(),
            composed: Default::default(),
            drafts,
            content_path,
        }
    }

    /// Every page and file name, sorted: of names that differ only in case, hints name the
    /// first in sorted order, the same on every run.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .by_source
            .keys()
            .map(|k| k.to_string())
            .chain(self.files.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    fn lowercase(&self) -> &HashMap<String, String> {
        self.lowercase.get_or_init(|| {
            let mut lowercase = HashMap::new();
            for name in self.names() {
                lowercase.entry(name.to_lowercase()).or_insert(name);
            }
            lowercase
        })
    }

    fn composed(&self) -> &HashMap<String, String> {
        self.composed.get_or_init(|| {
            self.names()
                .into_iter()
                .filter_map(|k| match crate::base::hangul::compose_hangul(&k) {
                    std::borrow::Cow::Owned(nfc) => Some((nfc, k)),
                    std::borrow::Cow::Borrowed(_) => None,
                })
                .collect()
        })
    }

    /// The page published as the folder's `index.html` (resolve chose it among the folder's
    /// `index.md`, `_index.md` and `README.md`).
    fn page_in_folder(&self, folder: &str) -> Option<PageId> {
        self.folder_index.get(folder).copied()
    }

    pub fn resolve(&self, from: PageId, link: &Link) -> (ResolvedLink, Option<Diagnostic>) {
        if link.kind == LinkKind::PlainPath {
            return self.resolve_plain(from, link);
        }
        let page = &self.pages[from];
        let dest = link.dest.trim();
        let unchanged = |target| ResolvedLink {
            target,
            href: link.dest.clone(),
        };
        if dest.is_empty() {
            return (
                unchanged(LinkTarget::Unresolved),
                Some(
                    self.error(
                        from,
                        link,
                        codes::EMPTY_LINK,
                        "link has an empty target".into(),
                    )
                    .help("write the page or URL between the parentheses"),
                ),
            );
        }
        if is_external(dest) {
            return (unchanged(LinkTarget::External), None);
        }
        let (before_fragment, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(decode(f))),
            None => (dest, None),
        };
        let path_part = before_fragment
            .split_once('?')
            .map_or(before_fragment, |(p, _)| p);
        if path_part.is_empty() {
            // `#anchor` on this page.
            let fragment = fragment.unwrap_or_default();
            let diag = self.check_anchor(from, link, from, &fragment);
            let href = format!("#{}", encode_fragment(&fragment));
            return (
                ResolvedLink {
                    target: LinkTarget::Page {
                        page: from,
                        fragment: Some(fragment),
                    },
                    href,
                },
                diag,
            );
        }
        let written = decode(path_part);
        let decoded = zola_path(&written);
        let Some(target_path) = join(parent(&page.file.rel), &decoded) else {
            let diag = self
                .error(from, link, codes::LINK_OUTSIDE_SITE, format!("`{written}` points outside the content folder"))
                .help_opt(self.one_climb_less(from, &decoded).map(|fix| format!("did you mean `{fix}`? (it climbs one `../` less; only files inside the content folder are published)")))
                .help_if_none("only files inside the content folder are published; move the file in, or link to its published URL");
            return (unchanged(LinkTarget::Unresolved), Some(diag));
        };
        let target_path = self.real_name(target_path);
        let from_url = &self.urls[from];
        let exact = self
            .by_source
            .get(target_path.as_str())
            .copied()
            .or_else(|| {
                (decoded.ends_with('/') || !has_extension(&target_path))
                    .then(|| self.page_in_folder(&target_path))
                    .flatten()
            });
        let target_page = match exact {
            Some(page) => Some(page),
            None if self.files.contains_key(&target_path) => None,
            None => match self.url_form(from, &decoded).as_slice() {
                [] => None,
                [one] => Some(*one),
                several => {
                    let diag = self.ambiguous(from, link, &written, several);
                    return (unchanged(LinkTarget::Unresolved), Some(diag));
                }
            },
        };
        if let Some(target) = target_page {
            let diag = fragment
                .as_deref()
                .and_then(|f| self.check_anchor(from, link, target, f));
            let mut href = relative_href(from_url, &self.urls[target]);
            if let Some(f) = &fragment {
                href.push('#');
                href.push_str(&encode_fragment(f));
            }
            return (
                ResolvedLink {
                    target: LinkTarget::Page {
                        page: target,
                        fragment,
                    },
                    href,
                },
                diag,
            );
        }
        if self.files.contains_key(&target_path) {
            let mut href = relative_href(from_url, &target_path);
            if let Some(f) = &fragment {
                href.push('#');
                href.push_str(&encode_fragment(f));
            }
            return (
                ResolvedLink {
                    target: LinkTarget::File,
                    href,
                },
                None,
            );
        }
        (
            unchanged(LinkTarget::Unresolved),
            Some(self.missing(from, link, &written, &target_path)),
        )
    }

    /// The pages a link written as a published URL rather than a file may mean: `npm-team`,
    /// `npm-team/` or `npm-team.html` for `npm-team.md` or `npm-team/index.md`, read from the
    /// page's folder and, as sites with pretty URLs publish `a/b.md` at `a/b/`, from the page's
    /// own URL folder too (`../npm-team/` from `commands/npm-access.md`). Distinct pages, in
    /// the order found; the caller resolves the link only when there is exactly one.
    fn url_form(&self, from: PageId, decoded: &str) -> Vec<PageId> {
        let name = decoded
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        let stem = match name.strip_suffix(".html") {
            Some(stem) => stem,
            None if !name.contains('.') || decoded.ends_with('/') => name,
            None => return Vec::new(),
        };
        if stem.is_empty() && !decoded.ends_with('/') {
            return Vec::new();
        }
        let rel = &self.pages[from].file.rel;
        let own_dir = rel.rsplit_once('.').map_or(rel.as_str(), |(stem, _)| stem);
        let is_index = ["index", "_index", "README", "readme"]
            .iter()
            .any(|n| own_dir == *n || own_dir.ends_with(&format!("/{n}")));
        let mut bases = vec![parent(rel)];
        if !is_index && !decoded.starts_with('/') {
            bases.push(own_dir);
        }
        let written = match decoded.trim_end_matches('/').strip_suffix(".html") {
            Some(without) => without.to_string(),
            None => decoded.trim_end_matches('/').to_string(),
        };
        let mut found = Vec::new();
        for base in bases {
            let Some(path) = join(base, &written) else {
                continue;
            };
            let path = self.real_name(path);
            let hits = [format!("{path}.md"), format!("{path}.markdown")]
                .into_iter()
                .find_map(|p| self.by_source.get(p.as_str()).copied())
                .or_else(|| self.page_in_folder(&path));
            if let Some(page) = hits.filter(|p| !found.contains(p)) {
                found.push(page);
            }
        }
        found
    }

    fn ambiguous(&self, from: PageId, link: &Link, written: &str, pages: &[PageId]) -> Diagnostic {
        let dir = parent(&self.pages[from].file.rel);
        let names: Vec<String> = pages
            .iter()
            .map(|&p| format!("`{}`", relative_to(dir, &self.pages[p].file.rel)))
            .collect();
        self.error(
            from,
            link,
            codes::BROKEN_LINK,
            format!("`{written}` could be {}", names.join(" or ")),
        )
        .help(format!(
            "write the file you mean, with `.md`: {}",
            names.join(" or ")
        ))
    }

    /// For a link that climbs out of the content folder: the same link with one `../` less,
    /// when that names a page or a file (a document moved one folder up).
    fn one_climb_less(&self, from: PageId, decoded: &str) -> Option<String> {
        let shorter = decoded.strip_prefix("../")?;
        let dir = parent(&self.pages[from].file.rel);
        let path = join(dir, shorter)?;
        let path = path.split('#').next().unwrap_or(&path);
        (self.by_source.contains_key(path) || self.files.contains_key(path))
            .then(|| shorter.to_string())
    }

    /// The source named `path`, or, when there is none, the one whose name is the same Korean
    /// text in the other Unicode form (a file saved on macOS, a link typed on a keyboard).
    fn real_name(&self, path: String) -> String {
        let exists = |p: &str| self.by_source.contains_key(p) || self.files.contains_key(p);
        if exists(&path) {
            return path;
        }
        let nfc = crate::base::hangul::compose_hangul(&path);
        if exists(&nfc) {
            return nfc.into_owned();
        }
        match self.composed().get(nfc.as_ref()) {
            Some(real) => real.clone(),
            None => path,
        }
    }

    /// A path written as plain text: tried relative to the page, to the content folder and to the
    /// repository root. Linked when found; a warning otherwise (it may be prose, not a link).
    fn resolve_plain(&self, from: PageId, link: &Link) -> (ResolvedLink, Option<Diagnostic>) {
        let dir = parent(&self.pages[from].file.rel);
        let written = link.dest.as_str();
        let mut candidates = vec![join(dir, written), join("", written)];
        // Written from a folder above the content folder (the repository's root, wherever its
        // `.git` is): `design/backend/x.md` in a site whose content folder is `…/design/backend`.
        let segments: Vec<&str> = written.trim_start_matches("./").split('/').collect();
        for k in (1..segments.len()).rev() {
            let tail = self.content_path.len().checked_sub(k);
            let above = tail.is_some_and(|t| {
                self.content_path[t..]
                    .iter()
                    .zip(&segments[..k])
                    .all(|(a, b)| a == b)
            });
            if above {
                candidates.push(Some(segments[k..].join("/")));
            }
        }
        for candidate in candidates.into_iter().flatten() {
            if self.by_source.contains_key(candidate.as_str())
                || self.files.contains_key(&candidate)
            {
                let absolute = Link {
                    kind: LinkKind::Link,
                    dest: format!("/{candidate}"),
                    span: link.span.clone(),
                };
                return self.resolve(from, &absolute);
            }
        }
        let unresolved = ResolvedLink {
            target: LinkTarget::Unresolved,
            href: link.dest.clone(),
        };
        // A bare name in prose (`values-dev.yaml`, `Chart.yaml`) is linked when the site has
        // it, but not reported when not: only what is written as a path is meant as one.
        if !written.contains('/') {
            return (unresolved, None);
        }
        let candidates = self
            .by_source
            .keys()
            .copied()
            .chain(self.files.keys().map(String::as_str));
        let file_name = written.rsplit('/').next().unwrap_or(written);
        let help = candidates
            .clone()
            .find(|c| c.rsplit('/').next() == Some(file_name))
            .or_else(|| closest(written, candidates))
            .map(|best| format!("did you mean `{}`? (or write it as code, `{written}`, if it is not meant as a link)", relative_to(dir, best)));
        let diag = self
            .error(
                from,
                link,
                codes::UNRESOLVED_PATH,
                format!("`{written}` looks like a path, but the site has no such file"),
            )
            .help(help.unwrap_or_else(|| {
                format!("write it as code, `{written}`, if it is not meant as a link")
            }));
        (unresolved, Some(diag))
    }

    fn missing(&self, from: PageId, link: &Link, written: &str, target_path: &str) -> Diagnostic {
        if let Some(real) = self.lowercase().get(&target_path.to_lowercase()) {
            return self
                .error(
                    from,
                    link,
                    codes::LINK_CASE_MISMATCH,
                    format!("`{written}` differs in letter case from `{real}`"),
                )
                .help(format!(
                    "write `{}`: case-insensitive disks forgive this, web servers do not",
                    relative_to(parent(&self.pages[from].file.rel), real)
                ));
        }
        if self.drafts.iter().any(|d| d == target_path) {
            return self
                .error(
                    from,
                    link,
                    codes::BROKEN_LINK,
                    format!("`{written}` is a draft, left out of this build"),
                )
                .help("remove `draft: true` from its front matter, or build with `--drafts`");
        }
        let inside = format!("{target_path}/");
        let mut in_folder = self
            .by_source
            .keys()
            .copied()
            .chain(self.files.keys().map(String::as_str))
            .filter(|k| k.starts_with(&inside));
        if let Some(first) = in_folder.next() {
            let first_page = self
                .by_source
                .keys()
                .copied()
                .filter(|k| k.starts_with(&inside))
                .min();
            let dir = parent(&self.pages[from].file.rel);
            let instead = match first_page {
                Some(page) => format!(
                    ", or link to a page in it such as `{}`",
                    relative_to(dir, page)
                ),
                None => format!(
                    " (it holds files such as `{}`, but no page)",
                    relative_to(dir, first)
                ),
            };
            return self
                .error(
                    from,
                    link,
                    codes::BROKEN_LINK,
                    format!("`{written}` is a folder without an index page"),
                )
                .help(format!(
                    "add `{target_path}/index.md` (or `README.md`){instead}"
                ));
        }
        let candidates = self
            .by_source
            .keys()
            .copied()
            .chain(self.files.keys().map(String::as_str));
        let help = closest(target_path, candidates).map(|best| {
            if written.starts_with("@/") {
                format!("did you mean `@/{best}`?")
            } else {
                format!(
                    "did you mean `{}`?",
                    relative_to(parent(&self.pages[from].file.rel), best)
                )
            }
        });
        self.error(
            from,
            link,
            codes::BROKEN_LINK,
            format!("`{written}` does not exist"),
        )
        .help_opt(help)
    }

    fn check_anchor(
        &self,
        from: PageId,
        link: &Link,
        target: PageId,
        fragment: &str,
    ) -> Option<Diagnostic> {
        let page = &self.pages[target];
        if fragment.is_empty() {
            return None;
        }
        // A kind that knows its own places (a source page's lines) decides.
        if let Some(verdict) = crate::kinds::check_anchor(page, fragment) {
            return verdict.err().map(|(message, help)| {
                self.error(from, link, codes::BROKEN_ANCHOR, message)
                    .help(help)
            });
        }
        let known = match self.anchor_sets.get(&target) {
            Some(set) => set.contains(fragment),
            None => page.anchors.iter().any(|a| a == fragment),
        };
        if fragment.is_empty() || known {
            return None;
        }
        if link.kind == LinkKind::Ref {
            return Some(self.broken_schema_ref(from, link, target, fragment));
        }
        let by_text = page.headings.iter().map(|h| h.text.as_str());
        let by_id = page.anchors.iter().map(String::as_str);
        // An edit distance to each of a huge page's ids for each broken link would make a
        // hostile page quadratic: such pages get no suggestion.
        let searchable = page.anchors.len() <= MAX_SUGGESTION_CANDIDATES;
        let help = searchable
            .then(|| closest(fragment, by_id))
            .flatten()
            .and_then(|id| {
                page.headings.iter().find(|h| h.id == id).or_else(|| {
                    let text = closest(fragment, by_text.clone())?;
                    page.headings.iter().find(|h| h.text == text)
                })
            })
            .map(|h| {
                format!(
                    "did you mean `#{}` (heading \"{}\", line {})?",
                    h.id,
                    h.text,
                    self.line_of(target, h.span.start)
                )
            });
        let name = if target == from {
            "this page".to_string()
        } else {
            format!("`{}`", page.file.rel)
        };
        let hidden = self.hidden[target].get_or_init(|| hidden_headings(page));
        if let Some(Hidden {
            fence_at,
            heading_at,
            fence,
            ..
        }) = hidden.iter().find(|h| h.id == fragment)
        {
            let (fence_at, heading_at) = (*fence_at, *heading_at);
            let (fence_line, heading_line) = (
                self.line_of(target, fence_at),
                self.line_of(target, heading_at),
            );
            return Some(
                self.error(
                    from,
                    link,
                    codes::BROKEN_ANCHOR,
                    format!("{name} has no heading `#{fragment}`: its heading at line {heading_line} is inside a code block opened at line {fence_line} and never closed"),
                )
                .help(format!("close the code block that starts at line {fence_line} of {} with a line {fence}", page.file.rel)),
            );
        }
        Some(
            self.error(
                from,
                link,
                codes::BROKEN_ANCHOR,
                format!("{name} has no heading `#{fragment}`"),
            )
            .help_opt(help),
        )
    }

    /// An OpenAPI `$ref` to a schema another spec does not define (`common.yaml#schema-X`, as
    /// `kinds::openapi` wrote `common.yaml#/components/schemas/X`), said in the spec's terms.
    fn broken_schema_ref(
        &self,
        from: PageId,
        link: &Link,
        target: PageId,
        fragment: &str,
    ) -> Diagnostic {
        let page = &self.pages[target];
        let file = link.dest.split('#').next().unwrap_or("");
        let name = fragment.strip_prefix("schema-").unwrap_or(fragment);
        let names = page
            .anchors
            .iter()
            .filter_map(|a| a.strip_prefix("schema-"));
        let help = closest(name, names)
            .map(|best| format!("did you mean `{file}#/components/schemas/{best}`?"))
            .unwrap_or_else(|| {
                format!(
                    "point the reference at a schema of `components.schemas` in `{}`",
                    page.file.rel
                )
            });
        self.error(
            from,
            link,
            codes::OPENAPI_REF,
            format!(
                "`$ref` to schema `{name}`, which `{}` does not define",
                page.file.rel
            ),
        )
        .label("no such schema")
        .help(help)
    }

    /// The 1-based line of a byte offset in a page.
    fn line_of(&self, page: PageId, offset: usize) -> usize {
        let starts = self.line_starts[page].get_or_init(|| {
            std::iter::once(0)
                .chain(
                    self.pages[page]
                        .text
                        .match_indices('\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        });
        starts.partition_point(|&s| s <= offset)
    }

    fn error(&self, from: PageId, link: &Link, code: Code, message: String) -> Diagnostic {
        let page = &self.pages[from];
        // A spec's `$ref` that leads nowhere is the spec's error, however it fails.
        let code = if link.kind == LinkKind::Ref {
            codes::OPENAPI_REF
        } else {
            code
        };
        Diagnostic::new(code, message)
            .at(&page.file.display, dest_span(page, link))
            .target(link.dest.clone())
    }
}

/// A heading hidden in a code block that is never closed: its id, where the block opens and
/// where the heading is (byte offsets in the page), and the fence that would close the block.
struct Hidden {
    id: String,
    fence_at: usize,
    heading_at: usize,
    fence: String,
}

fn hidden_headings(page: &Page) -> Vec<Hidden> {
    use crate::model::document::Slot;
    let mut out = Vec::new();
    for slot in page.document.slots() {
        let Slot::Code {
            fenced: true, span, ..
        } = slot
        else {
            continue;
        };
        let range = span.start as usize..span.end as usize;
        let Some((indent, fence)) = crate::base::fence::unclosed_fence(&page.text, &range) else {
            continue;
        };
        let first_len = page.text[range.clone()]
            .find('\n')
            .map_or(range.len(), |i| i + 1);
        let mut offset = range.start + first_len;
        for line in page.text[range.start + first_len..range.end].split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with('#') {
                let text = t.trim_start_matches('#').trim();
                let text = text.split(" {#").next().unwrap_or(text);
                out.push(Hidden {
                    id: crate::base::slug::github_slug(text),
                    fence_at: range.start + indent,
                    heading_at: offset,
                    fence: fence.clone(),
                });
            }
            offset += line.len();
        }
    }
    out
}

/// The span of the destination inside the link's source text, when it can be found there
/// (it cannot for reference-style links, which then point at the whole link).
pub fn dest_span(page: &Page, link: &Link) -> std::ops::Range<usize> {
    let text = &page.text[link.span.clone()];
    let dest = link.dest.strip_prefix("mailto:").unwrap_or(&link.dest);
    match text
        .rfind(&format!("]({dest}"))
        .or_else(|| text.rfind(&format!("](<{dest}")))
    {
        Some(i) => {
            let start = link.span.start + i + 2 + usize::from(text[i + 2..].starts_with('<'));
            start..start + dest.len()
        }
        None => link.span.clone(),
    }
}

/// Zola's content-relative links (`@/blog/first.md`) are links from the content folder.
fn zola_path(decoded: &str) -> String {
    match decoded.strip_prefix("@/") {
        Some(rest) => format!("/{rest}"),
        None => decoded.to_string(),
    }
}

/// Whether the last segment of a path has an extension (a folder may have a dot in its name).
fn has_extension(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|name| name.contains('.'))
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// How to write `target` (content-relative) in a page of folder `dir`.
fn relative_to(dir: &str, target: &str) -> String {
    let href = relative_href(&format!("{dir}/x"), target);
    percent_encoding::percent_decode_str(&href)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinkKind, SourceFile};
    use crate::parse::parse_page;
    use proptest::prelude::*;

    fn page(rel: &str, text: &str) -> Page {
        let file = SourceFile {
            rel: rel.into(),
            abs: rel.into(),
            display: rel.into(),
        };
        parse_page(file, text.into(), false).0.unwrap()
    }

    fn site() -> (Vec<Page>, Vec<String>, BTreeMap<String, PathBuf>) {
        let pages = vec![
            page("index.md", "# 홈\n\n## 2.1 환경 특성 정의\n"),
            page("env/prod.md", "# 운영\n\n## 5. 보안\n"),
            page("ref/용어 사전.md", "# 용어\n"),
            page("ref/index.md", "# 참고\n"),
        ];
        let urls = pages
            .iter()
            .map(|p| crate::base::urls::page_url(&p.file.rel))
            .collect();
        let files = BTreeMap::from([("api/x.yaml".to_string(), PathBuf::from("api/x.yaml"))]);
        (pages, urls, files)
    }

    fn resolve(from: PageId, dest: &str) -> (ResolvedLink, Option<Diagnostic>) {
        let (pages, urls, files) = site();
        let index = LinkIndex::new(
            &pages,
            &urls,
            &files,
            &[],
            ["repo".to_string(), "docs".to_string()].into(),
        );
        index.resolve(
            from,
            &Link {
                kind: LinkKind::Link,
                dest: dest.into(),
                span: 0..0,
            },
        )
    }

    #[test]
    fn page_links_become_relative_html_links() {
        assert_eq!(
            resolve(0, "./env/prod.md#5-보안").0.href,
            "env/prod.html#5-보안"
        );
        assert_eq!(resolve(1, "../index.md").0.href, "../index.html");
        assert_eq!(resolve(1, "/ref/").0.href, "../ref/index.html");
        assert_eq!(
            resolve(0, "ref/%EC%9A%A9%EC%96%B4%20%EC%82%AC%EC%A0%84.md")
                .0
                .href,
            "ref/%EC%9A%A9%EC%96%B4%20%EC%82%AC%EC%A0%84.html"
        );
        assert_eq!(
            resolve(0, "ref/용어 사전.md").0.href,
            "ref/%EC%9A%A9%EC%96%B4%20%EC%82%AC%EC%A0%84.html"
        );
        assert_eq!(resolve(1, "../api/x.yaml").0.target, LinkTarget::File);
        assert_eq!(
            resolve(0, "https://example.com/a.md").0.target,
            LinkTarget::External
        );
    }

    #[test]
    fn broken_anchor_suggests_the_closest_heading() {
        let (_, diag) = resolve(1, "../index.md#21-환경-특성");
        let diag = diag.unwrap();
        assert_eq!(diag.code, "broken-anchor");
        assert_eq!(
            diag.help.as_deref(),
            Some("did you mean `#21-환경-특성-정의` (heading \"2.1 환경 특성 정의\", line 3)?")
        );
    }

    #[test]
    fn missing_file_case_mismatch_and_outside() {
        assert_eq!(
            resolve(0, "env/prd.md").1.unwrap().help.as_deref(),
            Some("did you mean `env/prod.md`?")
        );
        assert_eq!(
            resolve(0, "env/Prod.md").1.unwrap().code,
            "link-case-mismatch"
        );
        assert_eq!(
            resolve(0, "../../etc/passwd").1.unwrap().code,
            "link-outside-site"
        );
        assert_eq!(resolve(0, "").1.unwrap().code, "empty-link");
        assert_eq!(resolve(0, "#nope").1.unwrap().code, "broken-anchor");
        assert!(resolve(0, "#21-환경-특성-정의").1.is_none());
    }

    #[test]
    fn plain_paths_resolve_from_page_content_or_repository() {
        let plain = |from: PageId, dest: &str| {
            let (pages, urls, files) = site();
            let index = LinkIndex::new(
                &pages,
                &urls,
                &files,
                &[],
                ["repo".to_string(), "docs".to_string()].into(),
            );
            index.resolve(
                from,
                &Link {
                    kind: LinkKind::PlainPath,
                    dest: dest.into(),
                    span: 0..0,
                },
            )
        };
        assert_eq!(plain(1, "prod.md").0.href, "prod.html");
        assert_eq!(plain(1, "api/x.yaml").0.href, "../api/x.yaml");
        assert_eq!(plain(0, "docs/env/prod.md").0.href, "env/prod.html");
        let (_, diag) = plain(0, "design/env/prod.md");
        let diag = diag.unwrap();
        assert_eq!(
            (diag.code, diag.severity),
            ("unresolved-path", crate::diag::Severity::Warning)
        );
        assert!(diag
            .help
            .unwrap()
            .starts_with("did you mean `env/prod.md`?"));
    }

    fn resolve_in(
        pages: Vec<Page>,
        from: PageId,
        dest: &str,
    ) -> (ResolvedLink, Option<Diagnostic>) {
        let urls: Vec<String> = pages
            .iter()
            .map(|p| crate::base::urls::page_url(&p.file.rel))
            .collect();
        let files = BTreeMap::new();
        let index = LinkIndex::new(&pages, &urls, &files, &[], Default::default());
        let link = Link {
            kind: LinkKind::Link,
            dest: dest.into(),
            span: 0..0,
        };
        index.resolve(from, &link)
    }

    #[test]
    fn links_written_as_published_urls_resolve_when_one_page_matches() {
        let pages = || {
            vec![
                page("commands/npm-access.md", "# a\n"),
                page("commands/npm-team.md", "# t\n## Synopsis\n"),
                page("using-npm/config.md", "# c\n## registry\n"),
                page("guide/index.md", "# g\n"),
            ]
        };
        let href = |from, dest: &str| {
            let (r, d) = resolve_in(pages(), from, dest);
            assert!(d.is_none(), "{dest}: {d:?}");
            r.href
        };
        assert_eq!(href(0, "/commands/npm-team"), "npm-team.html");
        assert_eq!(href(0, "npm-team"), "npm-team.html");
        assert_eq!(href(0, "npm-team.html#synopsis"), "npm-team.html#synopsis");
        // Pretty URLs: `commands/npm-access.md` is served at `commands/npm-access/`.
        assert_eq!(href(0, "../npm-team/"), "npm-team.html");
        assert_eq!(
            href(0, "/using-npm/config#registry"),
            "../using-npm/config.html#registry"
        );
        assert_eq!(
            href(2, "@/commands/npm-team.md"),
            "../commands/npm-team.html"
        );
        assert_eq!(href(2, "/guide"), "../guide/index.html");
        let (_, diag) = resolve_in(pages(), 0, "/commands/npm-nope");
        assert_eq!(diag.unwrap().code, "broken-link");
    }

    #[test]
    fn two_pages_matching_a_url_is_an_error_naming_both() {
        let pages = vec![
            page("a/b.md", "# from\n"),
            page("a/x.md", "# one\n"),
            page("a/b/x.md", "# other\n"),
        ];
        let (_, diag) = resolve_in(pages, 0, "x/");
        let diag = diag.unwrap();
        assert_eq!(diag.message, "`x/` could be `x.md` or `b/x.md`");
    }

    #[test]
    fn one_climb_too_many_suggests_the_existing_target() {
        let pages = vec![
            page("design/a/overview.md", "# o\n"),
            page("high.md", "# h\n"),
        ];
        let (_, diag) = resolve_in(pages, 0, "../../../high.md");
        let diag = diag.unwrap();
        assert_eq!(diag.code, "link-outside-site");
        assert_eq!(diag.suggestion(), Some("../../high.md"));
    }

    #[test]
    fn an_anchor_hidden_by_an_unclosed_fence_says_where_both_are() {
        let pages = vec![
            page("a.md", "# a\n\n[x](b.md#기술-검토-결과)\n"),
            page("b.md", "# b\n\n```yaml\nkey: 1\n\n## 기술 검토 결과\n"),
        ];
        let (_, diag) = resolve_in(pages, 0, "b.md#기술-검토-결과");
        let diag = diag.unwrap();
        assert_eq!(
            diag.message,
            "`b.md` has no heading `#기술-검토-결과`: its heading at line 6 is inside a code block opened at line 3 and never closed"
        );
        assert_eq!(
            diag.help.as_deref(),
            Some("close the code block that starts at line 3 of b.md with a line ```")
        );
    }

    proptest! {
        #[test]
        fn join_never_escapes_and_normalises(base in "[a-c]{1,2}(/[a-c]{1,2}){0,2}", link in "((\\.\\.|\\.|[a-c]{1,2})/){0,4}[a-c]{1,2}") {
            if let Some(joined) = join(&base, &link) {
                prop_assert!(!joined.split('/').any(|s| s == ".." || s == "." || s.is_empty()));
            }
        }
    }
}
