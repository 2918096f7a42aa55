//! `archsite serve` over real HTTP on 127.0.0.1: pages, content types, ETags and 304s, gzip,
//! the 404 page, traversal attempts, and the live preview: reload events after saves (also by
//! rename, as vim and JetBrains save), the error overlay and its clearing, bursts of saves, and
//! many open previews.

use super::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(super) struct Server {
    pub(super) child: Child,
    pub(super) addr: String,
    pub(super) log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// The terminal lines that report a rebuild ("Rebuilt in…", "Rebuild failed…").
    pub(super) fn rebuilds(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.starts_with("Rebuil"))
            .cloned()
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn start(site: &Path) -> Server {
    start_with(site, &[])
}

/// `archsite serve` on a free port with extra arguments.
pub(super) fn start_with(site: &Path, args: &[&str]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_archsite"));
    command.args(["serve", "--port", "0"]).args(args).arg(site);
    spawn(command)
}

/// `archsite serve` on a free port, run in `cwd` without a path: the site is `.`, as a writer
/// types it in the site's folder.
pub(super) fn start_in(cwd: &Path) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_archsite"));
    command.args(["serve", "--port", "0"]).current_dir(cwd);
    spawn(command)
}

fn spawn(mut command: Command) -> Server {
    let mut child = command
        .env("NO_COLOR", "1")
        .env(archsite::config::CACHE_ENV, test_cache_root())
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
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    Server { child, addr, log }
}

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) head: String,
    pub(super) body: Vec<u8>,
}

impl Reply {
    pub(super) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(super) fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// A raw HTTP/1.0 GET, so that paths reach the server exactly as written.
pub(super) fn get_with(addr: &str, path: &str, headers: &str) -> Reply {
    get_as(addr, addr, path, headers)
}

/// `get_with` for a request that names `host` in its `Host` header (connecting to `addr`).
pub(super) fn get_as(addr: &str, host: &str, path: &str, headers: &str) -> Reply {
    try_get_as(addr, host, path, headers).unwrap()
}

/// `get_as`, or why no answer came (no server listening, no answer within 10 s).
pub(super) fn try_get_as(
    addr: &str,
    host: &str,
    path: &str,
    headers: &str,
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\n{headers}\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let body = response.get(split + 4..).unwrap_or_default().to_vec();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok(Reply { status, head, body })
}

pub(super) fn get(addr: &str, path: &str) -> Reply {
    get_with(addr, path, "")
}

/// An open preview: reads Server-Sent Events.
pub(super) struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    pub(super) fn open(addr: &str, base: &str) -> Events {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(stream, "GET {base}__archsite/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        Events::from_reader(BufReader::new(stream))
    }

    /// The events of a stream whose response head is being read (past its status line, or
    /// not).
    pub(super) fn from_reader(mut reader: BufReader<TcpStream>) -> Events {
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
            line.clear();
        }
        Events { reader }
    }

    /// The next event as (name, data), skipping comments and `retry:`.
    pub(super) fn next(&mut self) -> (String, String) {
        let (mut name, mut data) = (String::new(), Vec::new());
        loop {
            let mut line = String::new();
            assert!(
                self.reader.read_line(&mut line).unwrap() > 0,
                "stream closed"
            );
            let line = line.trim_end_matches('\n');
            if line.is_empty() {
                if !name.is_empty() {
                    return (name, data.join("\n"));
                }
                continue;
            }
            if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data.push(v.to_string());
            }
        }
    }

    pub(super) fn next_named(&mut self, wanted: &str) -> String {
        loop {
            let (name, data) = self.next();
            if name == wanted {
                return data;
            }
        }
    }
}

fn copy_fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), tmp.path());
    tmp
}

/// A preview of a copy of the fixture site, with one page's event stream open past its
/// greeting: what a writer has before the first save.
fn preview_of(name: &str) -> (tempfile::TempDir, Server, Events) {
    let site = copy_fixture(name);
    let server = start(site.path());
    let mut events = Events::open(&server.addr, "/");
    assert_eq!(events.next().0, "hello");
    (site, server, events)
}

#[test]
fn serves_the_site_and_nothing_else() {
    let server = start(&fixture("bare/site"));
    let home = get(&server.addr, "/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert!(home.text().contains("<html lang=\"en\""));
    assert!(
        home.text()
            .contains("<script src=\"/__archsite/live.js\" defer></script></body>"),
        "live script injected"
    );
    let css = get(&server.addr, "/assets/archsite.css");
    assert_eq!(css.status, 200);
    assert_eq!(
        css.header("content-type").as_deref(),
        Some("text/css; charset=utf-8")
    );
    let js = get(&server.addr, "/__archsite/live.js");
    assert_eq!(
        js.header("content-type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    assert!(js.text().contains("EventSource"));
    assert_eq!(get(&server.addr, "/notes/storage.html#x").status, 200);
    let missing = get(&server.addr, "/no-such-page.html");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "the site's own 404 page"
    );
    for attack in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/notes/..%2f..%2fCargo.toml",
        "/..%5c..%5cCargo.toml",
        "//etc/passwd",
        "/notes/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/%00index.html",
    ] {
        let reply = get(&server.addr, attack);
        assert_eq!(reply.status, 404, "{attack}");
        assert!(
            !reply.text().contains("[package]") && !reply.text().contains("root:"),
            "{attack}"
        );
    }
}

#[test]
fn etags_give_304_and_text_is_gzipped_when_accepted() {
    let server = start(&fixture("bare/site"));
    let first = get(&server.addr, "/notes/storage.html");
    let tag = first.header("etag").expect("an ETag");
    let again = get_with(
        &server.addr,
        "/notes/storage.html",
        &format!("If-None-Match: {tag}\r\n"),
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let zipped = get_with(
        &server.addr,
        "/assets/archsite.css",
        "Accept-Encoding: gzip, deflate\r\n",
    );
    assert_eq!(zipped.header("content-encoding").as_deref(), Some("gzip"));
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&zipped.body[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, get(&server.addr, "/assets/archsite.css").body);
}

#[test]
fn honours_base_url_and_redirects_folders() {
    // The basic fixture is deployed under https://example.com/docs/.
    let server = start(&fixture("basic/site"));
    assert_eq!(get(&server.addr, "/docs/").status, 200);
    let folder = get(&server.addr, "/docs/guide");
    assert_eq!(folder.status, 301);
    assert_eq!(folder.header("location").as_deref(), Some("/docs/guide/"));
    assert_eq!(get(&server.addr, "/docs/guide/").status, 200);
    assert_eq!(
        get(
            &server.addr,
            "/docs/guide/%EC%9A%A9%EC%96%B4%20%EC%82%AC%EC%A0%84.html"
        )
        .status,
        200
    );
    assert_eq!(get(&server.addr, "/index.html").status, 404);
    assert!(get(&server.addr, "/docs/")
        .text()
        .contains("/docs/__archsite/live.js"));
}

#[test]
fn a_save_reloads_the_page_with_the_new_text() {
    let (site, server, mut events) = preview_of("bare/site");
    let page = site.path().join("notes/storage.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("35 days", "90 days")).unwrap();
    let changed: Vec<String> = serde_json::from_str(&events.next_named("reload")).unwrap();
    assert!(
        changed.contains(&"notes/storage.html".to_string()),
        "{changed:?}"
    );
    assert!(get(&server.addr, "/notes/storage.html")
        .text()
        .contains("90 days"));
}

#[test]
fn editor_rename_saves_are_seen() {
    let (site, server, mut events) = preview_of("bare/site");
    let page = site.path().join("notes/storage.md");
    let text = std::fs::read_to_string(&page).unwrap();
    // JetBrains: write a temporary file, move the original away, move the new one in.
    let tmp = site.path().join("notes/storage.md___jb_tmp___");
    let old = site.path().join("notes/storage.md___jb_old___");
    std::fs::write(&tmp, text.replace("35 days", "10 days")).unwrap();
    std::fs::rename(&page, &old).unwrap();
    std::fs::rename(&tmp, &page).unwrap();
    std::fs::remove_file(&old).unwrap();
    events.next_named("reload");
    assert!(get(&server.addr, "/notes/storage.html")
        .text()
        .contains("10 days"));
    // vim: probe file 4913, backup with ~, then write the file anew.
    std::fs::write(site.path().join("notes/4913"), "").unwrap();
    std::fs::remove_file(site.path().join("notes/4913")).unwrap();
    std::fs::rename(&page, site.path().join("notes/storage.md~")).unwrap();
    std::fs::write(&page, text.replace("35 days", "20 days")).unwrap();
    std::fs::remove_file(site.path().join("notes/storage.md~")).unwrap();
    events.next_named("reload");
    assert!(get(&server.addr, "/notes/storage.html")
        .text()
        .contains("20 days"));
}

#[test]
fn a_broken_edit_shows_the_overlay_and_keeps_the_last_good_page() {
    let (site, server, mut events) = preview_of("bare/site");
    let page = site.path().join("overview.md");
    let good = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        good.replace(
            "notes/storage.md#retention-policy",
            "notes/storage.md#retention",
        ),
    )
    .unwrap();
    let payload: serde_json::Value = serde_json::from_str(&events.next_named("errors")).unwrap();
    let first = &payload[0];
    assert_eq!(first["code"], "broken-anchor");
    assert_eq!(first["file"], display_of(site.path().join("overview.md")));
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(17))
    );
    assert!(first["help"]
        .as_str()
        .unwrap()
        .contains("#retention-policy"));
    assert!(first["snippet"]
        .as_str()
        .unwrap()
        .contains("notes/storage.md#retention"));
    // The last good page is still served, and a page opened now learns about the errors.
    assert!(get(&server.addr, "/overview.html")
        .text()
        .contains("#retention-policy"));
    let mut late = Events::open(&server.addr, "/");
    assert_eq!(late.next().0, "errors");
    std::fs::write(&page, good).unwrap();
    events.next_named("ok");
    assert_eq!(late.next_named("ok"), "");
}

fn display_of(path: std::path::PathBuf) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn a_burst_of_saves_is_one_or_two_rebuilds() {
    let (site, server, mut events) = preview_of("bare/site");
    for i in 0..200 {
        std::fs::write(
            site.path().join(format!("notes/generated-{i:03}.md")),
            format!("# Page {i}\n\n[Overview](../overview.md)\n"),
        )
        .unwrap();
    }
    events.next_named("reload");
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline && get(&server.addr, "/notes/generated-199.html").status != 200
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(get(&server.addr, "/notes/generated-199.html").status, 200);
    std::thread::sleep(Duration::from_millis(300));
    let rebuilds = server.rebuilds();
    assert!(
        rebuilds.len() <= 2,
        "{} rebuilds for one burst: {rebuilds:?}",
        rebuilds.len()
    );
}

#[test]
fn many_open_previews_do_not_starve_page_requests() {
    let server = start(&fixture("bare/site"));
    let previews: Vec<Events> = (0..100).map(|_| Events::open(&server.addr, "/")).collect();
    let start = Instant::now();
    for _ in 0..50 {
        assert_eq!(get(&server.addr, "/notes/api.html").status, 200);
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "50 requests took {:?} with 100 previews open",
        start.elapsed()
    );
    drop(previews);
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let server = start(&fixture("bare/site"));
    let port = server.addr.rsplit(':').next().unwrap();
    let out = archsite(&fixture("bare"), &["serve", "site", "--port", port]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already in use"), "{}", stderr(&out));
}

/// Raw bytes in, status line out.
pub(super) fn raw(addr: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[test]
fn malformed_oversized_and_unsupported_requests_are_refused() {
    let server = start(&fixture("bare/site"));
    assert_eq!(
        raw(&server.addr, b"POST / HTTP/1.1\r\nHost: x\r\n\r\n"),
        "HTTP/1.1 405 Method Not Allowed"
    );
    assert_eq!(
        raw(&server.addr, b"\x00\x01garbage\r\n\r\n"),
        "HTTP/1.1 400 Bad Request"
    );
    let long = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(20_000));
    assert_eq!(
        raw(&server.addr, long.as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    let many = format!("GET / HTTP/1.1\r\n{}\r\n", "X-A: b\r\n".repeat(3000));
    assert_eq!(
        raw(&server.addr, many.as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    // The server is still fine afterwards.
    assert_eq!(get(&server.addr, "/").status, 200);
}

#[test]
fn a_broken_diagram_edit_is_reported_at_its_line_and_its_fix_reloads() {
    let (site, server, mut events) = preview_of("diagrams/site");
    let diagram = site.path().join("content/architecture.mmd");
    let good = std::fs::read_to_string(&diagram).unwrap();
    // Line 8 of the file: `-->` becomes `->`.
    std::fs::write(&diagram, good.replace("AKS --> Redis", "AKS -> Redis")).unwrap();
    let payload: serde_json::Value = serde_json::from_str(&events.next_named("errors")).unwrap();
    let first = &payload[0];
    assert_eq!(first["code"], "mermaid-syntax", "{payload}");
    assert_eq!(first["file"], display_of(diagram.clone()));
    assert_eq!(first["line"].as_u64(), Some(8), "{payload}");
    assert!(first["snippet"].as_str().unwrap().contains("AKS -> Redis"));
    // Fixed: the diagram page and the page embedding it are rebuilt.
    std::fs::write(&diagram, good.replace("AKS --> Redis", "AKS ==> Redis")).unwrap();
    events.next_named("ok");
    let changed: Vec<String> = serde_json::from_str(&events.next_named("reload")).unwrap();
    for page in ["architecture.mmd.html", "index.html"] {
        assert!(changed.contains(&page.to_string()), "{changed:?}");
        assert!(get(&server.addr, &format!("/{page}"))
            .text()
            .contains("AKS ==&gt; Redis"));
    }
}

/// Saves that only edit files reuse the last walk of the content folder; a new or deleted page
/// must still be seen (the watcher's paths decide whether to walk again).
#[test]
fn new_and_deleted_pages_are_seen_between_in_place_edits() {
    let (site, server, mut events) = preview_of("bare/site");
    let page = site.path().join("notes/storage.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("35 days", "40 days")).unwrap();
    events.next_named("reload");
    let added = site.path().join("notes/quokka.md");
    std::fs::write(&added, "# Quokka\n\nA page added while serving.\n").unwrap();
    events.next_named("reload");
    assert!(get(&server.addr, "/notes/quokka.html")
        .text()
        .contains("A page added while serving."));
    std::fs::write(&page, text.replace("35 days", "45 days")).unwrap();
    events.next_named("reload");
    assert!(get(&server.addr, "/notes/storage.html")
        .text()
        .contains("45 days"));
    assert_eq!(get(&server.addr, "/notes/quokka.html").status, 200);
    std::fs::remove_file(&added).unwrap();
    events.next_named("reload");
    assert_eq!(get(&server.addr, "/notes/quokka.html").status, 404);
}
