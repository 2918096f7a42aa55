//! `archsite serve`: builds the site in memory and serves it over HTTP. Sits on top of the
//! pipeline; the build knows nothing of it.
//!
//! Files are looked up by key in the in-memory output, never on disk by a path taken from the
//! request, so no URL can reach a file outside the site. (File watching and live reload are
//! the preview issue's work.)

use crate::output::{Output, OutputFile};
use std::borrow::Cow;

/// What to answer for a request path.
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
pub fn respond<'a>(output: &'a Output, base_path: &str, request_path: &str) -> Response<'a> {
    let path = request_path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let Some(rel) = decoded
        .strip_prefix(base_path.trim_end_matches('/'))
        .and_then(|r| r.strip_prefix('/').or(Some(r).filter(|r| r.is_empty())))
    else {
        return not_found(output);
    };
    if rel
        .split('/')
        .any(|seg| seg == ".." || seg.contains('\\') || seg.contains('\0'))
    {
        return not_found(output);
    }
    let key = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if let Some(file) = output.get(&key) {
        return file_response(200, &key, file);
    }
    if output.get(&format!("{rel}/index.html")).is_some() {
        return Response::Redirect(format!("{path}/"));
    }
    not_found(output)
}

fn not_found(output: &Output) -> Response<'_> {
    match output.get("404.html") {
        Some(file) => file_response(404, "404.html", file),
        None => Response::File {
            status: 404,
            content_type: "text/plain; charset=utf-8",
            body: Cow::Borrowed(b"not found"),
        },
    }
}

fn file_response<'a>(status: u16, key: &str, file: &'a OutputFile) -> Response<'a> {
    let body = match file {
        OutputFile::Bytes(b) => Cow::Borrowed(b.as_slice()),
        OutputFile::Copy(src) => Cow::Owned(std::fs::read(src).unwrap_or_default()),
    };
    Response::File {
        status,
        content_type: content_type(key),
        body,
    }
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
        "yaml" | "yml" | "md" | "mmd" | "txt" | "sql" | "puml" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves `output` until the process is stopped.
pub fn serve(output: Output, base_path: &str, bind: &str, port: u16) -> Result<(), String> {
    let server = tiny_http::Server::http((bind, port))
        .map_err(|e| format!("cannot listen on {bind}:{port}: {e}"))?;
    let addr = server
        .server_addr()
        .to_ip()
        .map(|a| a.to_string())
        .unwrap_or_else(|| format!("{bind}:{port}"));
    eprintln!("Serving on http://{addr}{base_path}  (Ctrl-C to stop)");
    for request in server.incoming_requests() {
        let response = respond(&output, base_path, request.url());
        let result = match response {
            Response::Redirect(location) => {
                let header = tiny_http::Header::from_bytes("Location", location.as_bytes())
                    .expect("valid header");
                request.respond(tiny_http::Response::empty(301).with_header(header))
            }
            Response::File {
                status,
                content_type,
                body,
            } => {
                let header = tiny_http::Header::from_bytes("Content-Type", content_type)
                    .expect("valid header");
                request.respond(
                    tiny_http::Response::from_data(body.into_owned())
                        .with_status_code(status)
                        .with_header(header),
                )
            }
        };
        // A client that went away is not the server's problem.
        let _ = result;
    }
    Ok(())
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
        match respond(out, base, path) {
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
        ] {
            assert_eq!(status(&o, "/", p).0, 404, "{p}");
        }
    }
}
