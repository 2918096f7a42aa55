//! Request → response for the preview, as pure functions over the built site: path mapping
//! (lookups by key in the in-memory output, so no URL can name a file outside the site),
//! content types, ETags and 304s, gzip, and the injection of the live-reload script.

use crate::output::{Output, OutputFile};
use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

/// Paths under this prefix (after the base path) belong to the preview server itself.
pub const INTERNAL: &str = "__archsite/";

#[derive(Debug, PartialEq, Eq)]
pub enum Response<'a> {
    File {
        status: u16,
        content_type: &'static str,
        body: Cow<'a, [u8]>,
    },
    Redirect(String),
}

/// Maps a request path (`/docs/a%20b.html?x`) to a response from the built site.
/// `content_dir` confines files published by copy (a symlink swapped in after the build must
/// not lead outside).
pub fn respond<'a>(
    output: &'a Output,
    base_path: &str,
    request_path: &str,
    content_dir: &Path,
) -> Response<'a> {
    let path = request_path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let Some(rel) = strip_base(&decoded, base_path) else {
        return not_found(output, content_dir);
    };
    if rel
        .split('/')
        .any(|seg| seg == ".." || seg.contains('\\') || seg.contains('\0'))
    {
        return not_found(output, content_dir);
    }
    let key = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if let Some(file) = output.get(&key) {
        if let Some(response) = file_response(200, &key, file, content_dir) {
            return response;
        }
    }
    if output.get(&format!("{rel}/index.html")).is_some() {
        return Response::Redirect(format!("{path}/"));
    }
    not_found(output, content_dir)
}

/// The part of `path` below the base path, or `None` when it is not below it.
pub fn strip_base<'p>(path: &'p str, base_path: &str) -> Option<&'p str> {
    let base = base_path.trim_end_matches('/');
    let rest = path.strip_prefix(base)?;
    if rest.is_empty() {
        Some("")
    } else {
        rest.strip_prefix('/')
    }
}

fn not_found<'a>(output: &'a Output, content_dir: &Path) -> Response<'a> {
    output
        .get("404.html")
        .and_then(|file| file_response(404, "404.html", file, content_dir))
        .unwrap_or(Response::File {
            status: 404,
            content_type: "text/plain; charset=utf-8",
            body: Cow::Borrowed(b"not found"),
        })
}

fn file_response<'a>(
    status: u16,
    key: &str,
    file: &'a OutputFile,
    content_dir: &Path,
) -> Option<Response<'a>> {
    let body = match file {
        OutputFile::Bytes(b) => Cow::Borrowed(b.as_slice()),
        OutputFile::Shared(s) => Cow::Borrowed(s.as_bytes()),
        OutputFile::Copy(src) => {
            let real = src.canonicalize().ok()?;
            if !real.starts_with(content_dir.canonicalize().ok()?) {
                return None;
            }
            // A named pipe swapped in after the build would block this thread for ever.
            if !std::fs::metadata(&real).ok()?.is_file() {
                return None;
            }
            Cow::Owned(std::fs::read(real).ok()?)
        }
    };
    Some(Response::File {
        status,
        content_type: content_type(key),
        body,
    })
}

pub fn content_type(path: &str) -> &'static str {
    match path
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "pdf" => "application/pdf",
        "yaml" | "yml" | "md" | "mmd" | "txt" | "sql" | "puml" | "csv" => {
            "text/plain; charset=utf-8"
        }
        _ => "application/octet-stream",
    }
}

pub fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.contains("json")
        || content_type.contains("xml")
        || content_type.contains("svg")
}

/// A strong validator for a body: its hash.
pub fn etag(body: &[u8]) -> String {
    format!("\"{:016x}\"", crate::model::hash_of(body))
}

/// Whether an `If-None-Match` header value matches `etag`.
pub fn not_modified(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

pub fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    accept_encoding.is_some_and(|v| {
        v.split(',').any(|e| {
            let mut parts = e.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            (name == "gzip" || name == "*") && !refused
        })
    })
}

pub fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 3),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// Adds the live-reload script to an HTML page, just before `</body>` (or at the end).
pub fn inject_live_script(html: &[u8], base_path: &str) -> Vec<u8> {
    let tag = format!("<script src=\"{base_path}{INTERNAL}live.js\" defer></script>");
    let text = String::from_utf8_lossy(html);
    let at = text.rfind("</body>").unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + tag.len());
    out.push_str(&text[..at]);
    out.push_str(&tag);
    out.push_str(&text[at..]);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Output {
        let mut o = Output::default();
        for p in ["index.html", "a b.html", "d/index.html", "404.html"] {
            o.insert(p.into(), OutputFile::Bytes(p.as_bytes().to_vec()));
        }
        o
    }

    fn status(out: &Output, base: &str, path: &str) -> (u16, String) {
        match respond(out, base, path, Path::new(".")) {
            Response::File { status, body, .. } => {
                (status, String::from_utf8(body.into_owned()).unwrap())
            }
            Response::Redirect(to) => (301, to),
        }
    }

    #[test]
    fn maps_paths_folders_and_base_path() {
        let o = site();
        assert_eq!(status(&o, "/", "/"), (200, "index.html".into()));
        assert_eq!(status(&o, "/", "/a%20b.html?x=1"), (200, "a b.html".into()));
        assert_eq!(status(&o, "/", "/d"), (301, "/d/".into()));
        assert_eq!(status(&o, "/", "/d/"), (200, "d/index.html".into()));
        assert_eq!(status(&o, "/docs/", "/docs/"), (200, "index.html".into()));
        assert_eq!(status(&o, "/docs/", "/docs"), (200, "index.html".into()));
        assert_eq!(status(&o, "/docs/", "/docsx/index.html").0, 404);
        assert_eq!(status(&o, "/docs/", "/index.html").0, 404);
    }

    #[test]
    fn traversal_is_refused() {
        let o = site();
        for p in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/d/..%5c..%5cx",
            "/%00",
            "/d/%2e%2e/%2e%2e/x",
        ] {
            assert_eq!(status(&o, "/", p).0, 404, "{p}");
        }
    }

    #[test]
    fn copied_files_must_stay_in_the_content_folder() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        let mut o = Output::default();
        o.insert(
            "x.txt".into(),
            OutputFile::Copy(dir.path().join("secret.txt")),
        );
        assert!(matches!(
            respond(&o, "/", "/x.txt", &content),
            Response::File { status: 404, .. }
        ));
    }

    #[test]
    fn conditional_and_compressed() {
        let tag = etag(b"abc");
        assert!(not_modified(Some(&tag), &tag));
        assert!(not_modified(Some(&format!("\"x\", {tag}")), &tag));
        assert!(!not_modified(Some("\"x\""), &tag));
        assert!(accepts_gzip(Some("br, gzip;q=0.8")));
        assert!(!accepts_gzip(Some("gzip;q=0")));
        assert!(!accepts_gzip(None));
        let packed = gzip(&b"hello ".repeat(100));
        assert!(packed.len() < 100);
    }

    #[test]
    fn live_script_goes_before_body_end() {
        let html = inject_live_script(b"<html><body><p>x</p></body></html>", "/docs/");
        assert_eq!(String::from_utf8(html).unwrap(), "<html><body><p>x</p><script src=\"/docs/__archsite/live.js\" defer></script></body></html>");
    }
}
