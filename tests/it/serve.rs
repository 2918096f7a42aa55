//! `archsite serve` over real HTTP on 127.0.0.1: pages, content types, folders, the 404 page,
//! and traversal attempts.

use super::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(site: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_archsite"))
        .args(["serve", "--port", "0"])
        .arg(site)
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start archsite serve");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.strip_prefix("Serving on http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    Server { child, addr }
}

/// A raw HTTP/1.0 GET, so that paths reach the server exactly as written.
fn get(addr: &str, path: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

#[test]
fn serves_the_site_and_nothing_else() {
    let server = start(&fixture("bare/site"));
    let (status, head, body) = get(&server.addr, "/");
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase()
            .contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("<html lang=\"en\""));
    let (status, head, _) = get(&server.addr, "/assets/archsite.css");
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("text/css"), "{head}");
    assert_eq!(get(&server.addr, "/notes/storage.html#x").0, 200);
    let (status, _, body) = get(&server.addr, "/no-such-page.html");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the site's own 404 page");
    for attack in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/notes/..%2f..%2fCargo.toml",
        "/..%5c..%5cCargo.toml",
        "//etc/passwd",
    ] {
        let (status, _, body) = get(&server.addr, attack);
        assert_eq!(status, 404, "{attack}");
        assert!(!body.contains("[package]"), "{attack}");
    }
}

#[test]
fn honours_base_url_and_redirects_folders() {
    // The basic fixture is deployed under https://example.com/docs/.
    let server = start(&fixture("basic/site"));
    assert_eq!(get(&server.addr, "/docs/").0, 200);
    let (status, head, _) = get(&server.addr, "/docs/guide");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /docs/guide/"), "{head}");
    assert_eq!(get(&server.addr, "/docs/guide/").0, 200);
    assert_eq!(
        get(
            &server.addr,
            "/docs/guide/%EC%9A%A9%EC%96%B4%20%EC%82%AC%EC%A0%84.html"
        )
        .0,
        200
    );
    assert_eq!(get(&server.addr, "/index.html").0, 404);
}

#[test]
fn serve_refuses_a_broken_site() {
    let out = archsite(&fixture("broken"), &["serve", "site", "--port", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Build failed"));
}
