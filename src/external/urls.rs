//! Just enough URL handling for the checker: which links are `http(s)`, their host, resolving a
//! `Location` against the URL that answered with it (RFC 3986 §5.2), and escaping what an
//! HTTP request line cannot carry.

/// `(url without fragment, fragment)` for an `http`/`https` URL (scheme in any case, or
/// protocol-relative `//host/…`, taken as `https`); `None` for any other scheme or no host.
pub fn split_http(url: &str) -> Option<(String, Option<String>)> {
    let url = url.trim();
    let url = if url.starts_with("//") {
        format!("https:{url}")
    } else {
        url.to_string()
    };
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f.to_string())),
        None => (url.as_str(), None),
    };
    if authority(rest).is_empty() {
        return None;
    }
    Some((base.to_string(), fragment))
}

/// The authority part after `scheme://`, up to the path, query or fragment.
fn authority(after_scheme: &str) -> &str {
    let end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    &after_scheme[..end]
}

/// The key concurrency is limited by: lowercase `host[:port]`, without user info.
pub fn host_key(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let auth = authority(rest);
    let host = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    host.to_ascii_lowercase()
}

/// The host name alone (no port), lowercase.
pub fn host_name(url: &str) -> String {
    let key = host_key(url);
    if key.starts_with('[') {
        return key
            .split_once(']')
            .map_or(key.clone(), |(h, _)| format!("{h}]"));
    }
    key.split_once(':')
        .map_or(key.clone(), |(h, _)| h.to_string())
}

struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
}

/// RFC 3986 appendix B, without the fragment (which the caller has dropped).
fn parts(reference: &str) -> Parts<'_> {
    let reference = reference.split_once('#').map_or(reference, |(r, _)| r);
    let (scheme, rest) = match reference.find(':') {
        Some(i)
            if reference[..i]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && reference[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            (Some(&reference[..i]), &reference[i + 1..])
        }
        _ => (None, reference),
    };
    let (authority, rest) = match rest.strip_prefix("//") {
        Some(r) => {
            let a = authority(r);
            (Some(a), &r[a.len()..])
        }
        None => (None, rest),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    Parts {
        scheme,
        authority,
        path,
        query,
    }
}

/// Resolves `reference` (a `Location` header) against `base`; the result has no fragment.
pub fn resolve(base: &str, reference: &str) -> String {
    let b = parts(base);
    let r = parts(reference.trim());
    let (scheme, authority, path, query);
    if let Some(s) = r.scheme {
        (scheme, authority, path, query) = (s, r.authority, remove_dots(r.path), r.query);
    } else if r.authority.is_some() {
        (scheme, authority, path, query) = (
            b.scheme.unwrap_or("https"),
            r.authority,
            remove_dots(r.path),
            r.query,
        );
    } else if r.path.is_empty() {
        (scheme, authority, path, query) = (
            b.scheme.unwrap_or("https"),
            b.authority,
            b.path.to_string(),
            r.query.or(b.query),
        );
    } else if r.path.starts_with('/') {
        (scheme, authority, path, query) = (
            b.scheme.unwrap_or("https"),
            b.authority,
            remove_dots(r.path),
            r.query,
        );
    } else {
        let merged = if b.authority.is_some() && b.path.is_empty() {
            format!("/{}", r.path)
        } else {
            let dir = b.path.rfind('/').map_or("", |i| &b.path[..=i]);
            format!("{dir}{}", r.path)
        };
        (scheme, authority, path, query) = (
            b.scheme.unwrap_or("https"),
            b.authority,
            remove_dots(&merged),
            r.query,
        );
    }
    let mut out = format!("{scheme}:");
    if let Some(a) = authority {
        out.push_str("//");
        out.push_str(a);
    }
    out.push_str(&path);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// RFC 3986 §5.2.4.
fn remove_dots(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if path.starts_with('/') && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Percent-encodes what may not appear in a request target (spaces, non-ASCII, `"<>` …), so
/// that links written as IRIs (`https://de.wikipedia.org/wiki/Straße`) can be fetched.
pub fn for_request(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii_graphic()
            && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_only_http() {
        assert_eq!(
            split_http("HTTPS://x.org/a#b"),
            Some(("HTTPS://x.org/a".into(), Some("b".into())))
        );
        assert_eq!(
            split_http("http://x.org"),
            Some(("http://x.org".into(), None))
        );
        assert_eq!(
            split_http("//x.org/p"),
            Some(("https://x.org/p".into(), None))
        );
        assert_eq!(split_http("mailto:a@b"), None);
        assert_eq!(split_http("ftp://x.org/"), None);
        assert_eq!(split_http("http:///path"), None);
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host_key("http://U:p@Example.org:8080/x"),
            "example.org:8080"
        );
        assert_eq!(host_key("https://a.b?q"), "a.b");
        assert_eq!(host_name("http://127.0.0.1:8080/"), "127.0.0.1");
        assert_eq!(host_name("http://[::1]:80/"), "[::1]");
        assert_eq!(host_name("https://GitHub.com/a"), "github.com");
    }

    #[test]
    fn resolves_rfc3986_examples() {
        let base = "http://a/b/c/d;p?q";
        for (r, want) in [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("https://other/x#f", "https://other/x"),
        ] {
            assert_eq!(resolve(base, r), want, "{r}");
        }
        assert_eq!(resolve("http://h:1", "x"), "http://h:1/x");
    }

    #[test]
    fn escapes_for_requests() {
        assert_eq!(
            for_request("https://x.org/a b/Straße?q=\"1\""),
            "https://x.org/a%20b/Stra%C3%9Fe?q=%221%22"
        );
        assert_eq!(for_request("https://x.org/a%20b"), "https://x.org/a%20b");
    }
}
