//! Fragments: which ones name an element at all, the `id`s and `name`s of an HTML page (a
//! lenient tag scanner, not a parser: it never fails, and finding too much only makes the check
//! more forgiving), and whether a page has the element a fragment names.

use percent_encoding::percent_decode_str;

/// The element name a fragment asks for, or `None` for fragments that name no element: empty,
/// `top`, a text fragment (`#:~:text=…`) or a single-page-app route (`#/…`, `#!…`).
pub fn anchor_of(fragment: &str) -> Option<&str> {
    let anchor = fragment.find(":~:").map_or(fragment, |i| &fragment[..i]);
    if anchor.is_empty()
        || anchor.eq_ignore_ascii_case("top")
        || anchor.starts_with('/')
        || anchor.starts_with('!')
    {
        return None;
    }
    Some(anchor)
}

/// Whether github.com-specific rules apply to a page on `host`.
pub fn is_github(host: &str) -> bool {
    host == "github.com" || host == "www.github.com"
}

/// Whether a page with these (sorted) `ids` has the element `anchor` (as written, raw or
/// percent-decoded) names.
pub fn has_anchor(ids: &[String], anchor: &str, github: bool) -> bool {
    let decoded = percent_decode_str(anchor).decode_utf8_lossy();
    let has = |id: &str| ids.binary_search_by(|x| x.as_str().cmp(id)).is_ok();
    if has(anchor) || has(&decoded) {
        return true;
    }
    if github {
        // GitHub prefixes the ids of rendered Markdown and matches case-insensitively; `L12`
        // and `L12-L20` are line anchors made by JavaScript.
        let lower = decoded.to_lowercase();
        if has(&format!("user-content-{decoded}")) || has(&format!("user-content-{lower}")) {
            return true;
        }
        if is_line_anchor(&decoded) {
            return true;
        }
    }
    false
}

fn is_line_anchor(s: &str) -> bool {
    s.split('-').all(|part| {
        let Some(rest) = part.strip_prefix('L') else {
            return false;
        };
        let line = rest.split_once('C').map_or(rest, |(l, _)| l);
        !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The ids to suggest from, without GitHub's prefix.
pub fn suggestions(ids: &[String], github: bool) -> Vec<&str> {
    ids.iter()
        .map(|id| {
            if github {
                id.strip_prefix("user-content-").unwrap_or(id)
            } else {
                id
            }
        })
        .collect()
}

/// The values of every `id` and `name` attribute in `html`, sorted and deduplicated. For
/// GitHub pages, also the `user-content-…` ids inside JSON payloads (`id=\"user-content-x\"`).
pub fn collect_ids(html: &str, github: bool) -> Vec<String> {
    let mut ids = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(html.len(), |e| i + e + 3);
            continue;
        }
        if !bytes.get(i).is_some_and(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        i = scan_tag(html, i, &mut ids);
    }
    if github {
        let mut rest = html;
        while let Some(off) = rest.find("id=\\\"user-content-") {
            rest = &rest[off + 5..];
            let end = rest.find("\\\"").unwrap_or(rest.len());
            ids.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// Scans the attributes of a tag whose name starts at `i`; returns where the tag ends.
fn scan_tag(html: &str, mut i: usize, ids: &mut Vec<String>) -> usize {
    let bytes = html.as_bytes();
    let len = bytes.len();
    // Tag name.
    while i < len && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/' {
        i += 1;
    }
    loop {
        while i < len && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= len || bytes[i] == b'>' || bytes[i] == b'<' {
            return i;
        }
        let name_start = i;
        while i < len && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = &html[name_start..i];
        while i < len && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= len || bytes[i] != b'=' {
            continue;
        }
        i += 1;
        while i < len && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let start = i + 1;
                let end = html[start..].find(q as char).map_or(len, |e| start + e);
                i = (end + 1).min(len);
                &html[start..end]
            }
            // `id=\"x\"` inside a JSON or script string.
            Some(b'\\') if html[i..].starts_with("\\\"") => {
                let start = i + 2;
                let end = html[start..].find("\\\"").map_or(len, |e| start + e);
                i = (end + 2).min(len);
                &html[start..end]
            }
            _ => {
                let start = i;
                while i < len && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                &html[start..i]
            }
        };
        if name.eq_ignore_ascii_case("id") || name.eq_ignore_ascii_case("name") {
            let value = unescape(value);
            if !value.is_empty() {
                ids.push(value);
            }
        }
    }
}

/// Decodes the character references that plausibly appear in ids.
fn unescape(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&e| e <= 10).and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let num = entity.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ids_and_names() {
        let html = r#"<!doctype html><html><body>
            <h2 id="section-1">S</h2><a name='legacy'></a><div data-id="no" ID=Upper>
            <!-- <p id="commented"> --><p id="a&amp;b" class=x><img src=x id="&#x48;i"/>
            <span id = "spaced" ></span><p id="">x < y</p><input name="q">"#;
        assert_eq!(
            collect_ids(html, false),
            ["Hi", "Upper", "a&b", "legacy", "q", "section-1", "spaced"]
        );
    }

    #[test]
    fn never_panics_on_broken_html() {
        for html in [
            "<",
            "<a",
            "<a id",
            "<a id=",
            "<a id=\"x",
            "<!--",
            "<a id='한글'",
            "&#",
        ] {
            let _ = collect_ids(html, true);
        }
        assert_eq!(collect_ids("<a id='한글'>", false), ["한글"]);
    }

    #[test]
    fn anchors() {
        assert_eq!(anchor_of("top"), None);
        assert_eq!(anchor_of(""), None);
        assert_eq!(anchor_of(":~:text=x"), None);
        assert_eq!(anchor_of("/route"), None);
        assert_eq!(anchor_of("s:~:text=x"), Some("s"));
        let ids = collect_ids(r#"<h1 id="5-보안"><h2 id="a b">"#, false);
        assert!(has_anchor(&ids, "5-%EB%B3%B4%EC%95%88", false));
        assert!(has_anchor(&ids, "a%20b", false));
        assert!(!has_anchor(&ids, "nope", false));
    }

    #[test]
    fn github_rules() {
        let html = r#"<h2 id="user-content-install">x</h2>
            <script>{"richText":"<h3 id=\"user-content-usage\">"}</script>"#;
        let ids = collect_ids(html, true);
        assert!(has_anchor(&ids, "install", true));
        assert!(has_anchor(&ids, "Usage", true));
        assert!(has_anchor(&ids, "L10-L20", true));
        assert!(!has_anchor(&ids, "install", false));
        assert!(!has_anchor(&ids, "L10-x", true));
        assert_eq!(suggestions(&ids, true), ["install", "usage"]);
    }
}
