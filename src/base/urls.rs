//! Output URLs and the relative hrefs between them. Every href archsite writes is relative, so
//! that a site works under any `base_url` and from `file://`.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Characters escaped in a path segment: everything that would end or change the path, plus
/// spaces; non-ASCII (Korean file names) is always percent-encoded as UTF-8.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']');

/// The output path of a Markdown source: `a/b.md` → `a/b.html`; `a/index.md`, `a/_index.md`
/// and `a/README.md` → `a/index.html`. (Other page kinds have their own rule: `kinds/`.)
pub fn page_url(rel: &str) -> String {
    let without_ext = rel.rsplit_once('.').map_or(rel, |(stem, _)| stem);
    let (dir, stem) = match without_ext.rsplit_once('/') {
        Some((dir, stem)) => (Some(dir), stem),
        None => (None, without_ext),
    };
    let name = if is_index_stem(stem) { "index" } else { stem };
    match dir {
        Some(dir) => format!("{dir}/{name}.html"),
        None => format!("{name}.html"),
    }
}

/// Which source is a folder's index page when it has several (`index.md` beside `README.md`):
/// the lowest rank wins, as in MkDocs (and Zola's `_index.md` before the code host's
/// `README.md`); `None` for a name that is not an index's.
pub fn index_rank(rel: &str) -> Option<usize> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let exact = ["index", "_index", "README", "readme"]
        .iter()
        .position(|n| *n == stem);
    exact.or_else(|| is_index_stem(stem).then_some(4))
}

/// The URL of the folder index page of `folder` (`""` at the top).
pub fn folder_index_url(folder: &str) -> String {
    if folder.is_empty() {
        "index.html".to_string()
    } else {
        format!("{folder}/index.html")
    }
}

pub fn is_index_stem(stem: &str) -> bool {
    matches!(
        stem.to_ascii_lowercase().as_str(),
        "index" | "_index" | "readme"
    )
}

/// The folder part of a `/`-separated path (`""` at the top).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `"../"` repeated once per folder of `url`: the way from a page back to the output root.
pub fn root_prefix(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// A relative, percent-encoded href from the page at output path `from` to output path `to`.
/// Called for every link and sidebar entry, so it builds the one string and nothing else.
pub fn relative_href(from: &str, to: &str) -> String {
    let from_dirs = || parent(from).split('/').filter(|s| !s.is_empty());
    // The folders of `to` are every segment but the last.
    let common = match to.rsplit_once('/') {
        Some((to_dir, _)) => from_dirs()
            .zip(to_dir.split('/'))
            .take_while(|(a, b)| a == b)
            .count(),
        None => 0,
    };
    let ups = from_dirs().count() - common;
    let mut href = String::with_capacity(3 * ups + to.len() + 8);
    for _ in 0..ups {
        href.push_str("../");
    }
    for (i, segment) in to.split('/').skip(common).enumerate() {
        if i > 0 {
            href.push('/');
        }
        href.extend(utf8_percent_encode(segment, SEGMENT));
    }
    href
}

pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// Fragments keep non-ASCII text as it is (readable `#21-환경별-특성`, valid in HTML), and
/// escape only the ASCII characters that would break the attribute or the URL.
pub fn encode_fragment(fragment: &str) -> String {
    let mut out = String::with_capacity(fragment.len());
    for c in fragment.chars() {
        if c.is_ascii_control() || matches!(c, ' ' | '"' | '<' | '>' | '`' | '%') {
            out.push_str(&format!("%{:02X}", c as u8));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a link leaves the site: it has a scheme (`https:`, `mailto:`) or is
/// protocol-relative (`//host/x`).
pub fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    let Some(colon) = dest.find(':') else {
        return false;
    };
    let scheme = &dest[..colon];
    !scheme.is_empty()
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Joins a link path to the folder of the linking page; a leading `/` means the content root.
/// `None` when `..` climbs out of the content folder.
pub fn join(base_dir: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let start = if link.starts_with('/') { "" } else { base_dir };
    for seg in start.split('/').chain(link.split('/')) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn page_urls() {
        assert_eq!(page_url("a.md"), "a.html");
        assert_eq!(page_url("README.md"), "index.html");
        assert_eq!(page_url("ref/_index.md"), "ref/index.html");
        assert_eq!(page_url("ref/아키텍처패턴.md"), "ref/아키텍처패턴.html");
    }

    #[test]
    fn hrefs_are_relative_and_encoded() {
        assert_eq!(
            relative_href("index.html", "ref/용어 사전.html"),
            "ref/%EC%9A%A9%EC%96%B4%20%EC%82%AC%EC%A0%84.html"
        );
        assert_eq!(relative_href("ref/a.html", "index.html"), "../index.html");
        assert_eq!(relative_href("ref/a.html", "ref/b.html"), "b.html");
        assert_eq!(relative_href("a/b/c.html", "a/x/y.html"), "../x/y.html");
        assert_eq!(relative_href("a.html", "a.html"), "a.html");
        assert_eq!(relative_href("a/b.html", "a/c/d.png"), "c/d.png");
        assert_eq!(root_prefix("a/b/c.html"), "../../");
        assert_eq!(root_prefix("c.html"), "");
    }

    fn resolve_href(from: &str, href: &str) -> String {
        let mut parts: Vec<&str> = parent(from).split('/').filter(|s| !s.is_empty()).collect();
        for seg in href.split('/') {
            match seg {
                ".." => {
                    parts.pop();
                }
                s => parts.push(s),
            }
        }
        let joined = parts.join("/");
        percent_encoding::percent_decode_str(&joined)
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    proptest! {
        /// Following the href from `from` lands exactly on `to`, whatever the folders and names.
        #[test]
        fn relative_href_round_trips(
            from in proptest::collection::vec("[a-z가-힣 #%?]{1,5}", 1..4),
            to in proptest::collection::vec("[a-z가-힣 #%?]{1,5}", 1..4),
        ) {
            let from = from.join("/") + ".html";
            let to = to.join("/") + ".html";
            let href = relative_href(&from, &to);
            prop_assert!(!href.contains(' ') && !href.contains('#') && !href.contains('?'));
            prop_assert_eq!(resolve_href(&from, &href), to);
        }
    }
}
