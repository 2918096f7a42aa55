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
    /// Where each page's lines start, computed when a suggestion names a line of it.
    line_starts: Vec<std::sync::OnceLock<Vec<usize>>>,
    /// Drafts left out of this build, so a link to one can say so.
    drafts: &'a [String],
    /// The content folder's path inside the repository (`design/backend`), for plain-text paths
    /// written from the repository root; `None` when the content folder is not inside it.
    repo_prefix: Option<String>,
}

impl<'a> LinkIndex<'a> {
    pub fn new(
        pages: &'a [Page],
        urls: &'a [String],
        files: &'a BTreeMap<String, PathBuf>,
        drafts: &'a [String],
        repo_prefix: Option<String>,
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
        LinkIndex {
            anchor_sets,
            line_starts: (0..pages.len()).map(|_| Default::default()).collect(),
            pages,
            urls,
            by_source,
            files,
            lowercase: Default::default(),
            composed: Default::default(),
            drafts,
            repo_prefix,
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

    fn page_in_folder(&self, folder: &str) -> Option<PageId> {
        ["index.md", "_index.md", "README.md", "readme.md"]
            .iter()
            .find_map(|name| {
                let path = if folder.is_empty() {
                    name.to_string()
                } else {
                    format!("{folder}/{name}")
                };
                self.by_source.get(path.as_str()).copied()
            })
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
        let decoded = decode(path_part);
        let Some(target_path) = join(parent(&page.file.rel), &decoded) else {
            let diag = self
                .error(from, link, codes::LINK_OUTSIDE_SITE, format!("`{decoded}` points outside the content folder"))
                .help("only files inside the content folder are published; move the file in, or link to its published URL");
            return (unchanged(LinkTarget::Unresolved), Some(diag));
        };
        let target_path = self.real_name(target_path);
        let from_url = &self.urls[from];
        let target_page = self
            .by_source
            .get(target_path.as_str())
            .copied()
            .or_else(|| {
                (decoded.ends_with('/') || !target_path.contains('.'))
                    .then(|| self.page_in_folder(&target_path))
                    .flatten()
            });
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
            Some(self.missing(from, link, &decoded, &target_path)),
        )
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
        if let Some(prefix) = &self.repo_prefix {
            let from_repo = written.trim_start_matches("./");
            let inside = if prefix.is_empty() {
                Some(from_repo)
            } else {
                from_repo.strip_prefix(&format!("{prefix}/"))
            };
            candidates.push(inside.map(str::to_string));
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
        (
            ResolvedLink {
                target: LinkTarget::Unresolved,
                href: link.dest.clone(),
            },
            Some(diag),
        )
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
        let is_folder = !self.by_source.keys().any(|k| *k == target_path)
            && self
                .by_source
                .keys()
                .any(|k| k.starts_with(&format!("{target_path}/")));
        if is_folder {
            return self
                .error(
                    from,
                    link,
                    codes::BROKEN_LINK,
                    format!("`{written}` is a folder without an index page"),
                )
                .help(format!(
                    "add `{target_path}/index.md`, or link to a page inside the folder"
                ));
        }
        let candidates = self
            .by_source
            .keys()
            .copied()
            .chain(self.files.keys().map(String::as_str));
        let help = closest(target_path, candidates).map(|best| {
            format!(
                "did you mean `{}`?",
                relative_to(parent(&self.pages[from].file.rel), best)
            )
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
        let known = match self.anchor_sets.get(&target) {
            Some(set) => set.contains(fragment),
            None => page.anchors.iter().any(|a| a == fragment),
        };
        if fragment.is_empty() || known {
            return None;
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
        Diagnostic::new(code, message)
            .at(&page.file.display, dest_span(page, link))
            .target(link.dest.clone())
    }
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
        let index = LinkIndex::new(&pages, &urls, &files, &[], Some("docs".into()));
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
            let index = LinkIndex::new(&pages, &urls, &files, &[], Some("docs".into()));
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

    proptest! {
        #[test]
        fn join_never_escapes_and_normalises(base in "[a-c]{1,2}(/[a-c]{1,2}){0,2}", link in "((\\.\\.|\\.|[a-c]{1,2})/){0,4}[a-c]{1,2}") {
            if let Some(joined) = join(&base, &link) {
                prop_assert!(!joined.split('/').any(|s| s == ".." || s == "." || s.is_empty()));
            }
        }
    }
}
