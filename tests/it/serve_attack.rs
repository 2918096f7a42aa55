//! `archsite serve` under attack and load, over real HTTP on 127.0.0.1 (raw TCP where the
//! request must reach the server exactly as written): path traversal in every spelling, huge
//! URLs and headers, slow clients, 100 open previews with a request flood, and rebuilds while
//! a page is read (no half-written page is ever served). Every loop is bounded in count and
//! time; figures are printed for the record (`cargo test serve_attack -- --nocapture`).

use super::serve::{get, raw, start, Events};
use super::support::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A site whose folder also holds a file that must never be served.
fn site_with_secret() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic/site"), tmp.path());
    std::fs::write(tmp.path().join("secret.txt"), "TOP-SECRET").unwrap();
    std::fs::write(tmp.path().join("content/secret-link.txt"), "visible").unwrap();
    tmp
}

/// Status line and whole response of raw request bytes.
fn exchange(addr: &str, request: &[u8]) -> (String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    (text.lines().next().unwrap_or("").to_string(), text)
}

#[test]
fn traversal_in_every_spelling_is_refused() {
    let site = site_with_secret();
    let server = start(site.path());
    let secret = site.path().join("secret.txt");
    let absolute = secret.to_str().unwrap();
    let attacks = [
        "/docs/../secret.txt".to_string(),
        "/docs/../../secret.txt".into(),
        "/docs/%2e%2e/secret.txt".into(),
        "/docs/%2E%2E/%2e%2E/secret.txt".into(),
        "/docs/.%2e/secret.txt".into(),
        "/docs/%252e%252e/secret.txt".into(),
        "/docs/%25%32%65%25%32%65/secret.txt".into(),
        "/docs/..%5csecret.txt".into(),
        "/docs/..%5c..%5csecret.txt".into(),
        "/docs/..\\secret.txt".into(),
        "/docs/%c0%ae%c0%ae/secret.txt".into(),
        "/docs/%e0%80%ae%e0%80%ae/secret.txt".into(),
        "/docs/%c0%af..%c0%afsecret.txt".into(),
        "/docs/..%c0%af..%c0%afsecret.txt".into(),
        "/docs/..%2fsecret.txt".into(),
        "/docs/guide/..%2f..%2f..%2fsecret.txt".into(),
        format!("/docs/{absolute}"),
        format!("/docs/%2f{}", absolute.trim_start_matches('/')),
        format!("/docs//{}", absolute.trim_start_matches('/')),
        "/docs/%00../secret.txt".into(),
        "/docs/index.html%00.txt".into(),
        "/docs/secret.txt%00".into(),
        "/docs/archsite.yaml".into(),
        "/docs/../archsite.yaml".into(),
        "/docs/content/index.md".into(),
        "/docs/C:%5cWindows%5cwin.ini".into(),
        "/docs/\u{ff0e}\u{ff0e}/secret.txt".into(),
        format!("http://127.0.0.1/docs/../{}", "secret.txt"),
    ];
    let mut refused = 0;
    for attack in &attacks {
        let request = format!("GET {attack} HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr);
        let (status, whole) = exchange(&server.addr, request.as_bytes());
        assert!(
            status == "HTTP/1.1 404 Not Found" || status == "HTTP/1.1 400 Bad Request",
            "{attack}: {status}"
        );
        assert!(!whole.contains("TOP-SECRET"), "{attack} leaked the secret");
        assert!(!whole.contains("base_url"), "{attack} leaked archsite.yaml");
        refused += 1;
    }
    // Raw bytes that no client should send: a NUL in the path, a bare CR.
    for request in [
        b"GET /docs/\x00/../secret.txt HTTP/1.1\r\n\r\n".as_slice(),
        b"GET /docs/\r/../secret.txt HTTP/1.1\r\n\r\n",
        b"GET /docs/\xc0\xae\xc0\xae/secret.txt HTTP/1.1\r\n\r\n",
    ] {
        let (status, whole) = exchange(&server.addr, request);
        assert_eq!(status, "HTTP/1.1 400 Bad Request", "{request:?}");
        assert!(!whole.contains("TOP-SECRET"));
        refused += 1;
    }
    eprintln!("traversal: {refused} spellings refused");
    // The site itself is still served, and a published content file too.
    assert_eq!(get(&server.addr, "/docs/").status, 200);
    assert_eq!(get(&server.addr, "/docs/secret-link.txt").text(), "visible");
}

#[test]
fn very_long_urls_and_headers_are_bounded() {
    let server = start(&fixture("bare/site"));
    let long = |n: usize| format!("GET /{} HTTP/1.1\r\nHost: localhost\r\n\r\n", "a".repeat(n));
    assert_eq!(
        raw(&server.addr, long(15_000).as_bytes()),
        "HTTP/1.1 404 Not Found"
    );
    assert_eq!(
        raw(&server.addr, long(16 * 1024).as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    assert_eq!(
        raw(&server.addr, long(1 << 20).as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    let header = format!("GET / HTTP/1.1\r\nX-Long: {}\r\n\r\n", "b".repeat(20_000));
    assert_eq!(
        raw(&server.addr, header.as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    let many = format!("GET / HTTP/1.1\r\n{}\r\n", "X: y\r\n".repeat(100));
    assert_eq!(
        raw(&server.addr, many.as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    // A line without its end, then the client goes away: no answer needed, no harm done.
    let mut half = TcpStream::connect(&server.addr).unwrap();
    half.write_all(b"GET / HT").unwrap();
    drop(half);
    assert_eq!(get(&server.addr, "/").status, 200);
}

#[test]
fn slow_clients_are_cut_off_and_do_not_block_others() {
    let server = start(&fixture("bare/site"));
    let start_time = Instant::now();
    // 50 slowloris clients: a byte of the head every 500 ms, never the blank line.
    let stop = Arc::new(AtomicBool::new(false));
    let cut_off = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..50)
        .map(|_| {
            let addr = server.addr.clone();
            let (stop, cut_off) = (stop.clone(), cut_off.clone());
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&addr).unwrap();
                let begun = Instant::now();
                let head = b"GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
                for byte in head.iter().cycle() {
                    if stop.load(Ordering::Relaxed) || begun.elapsed() > Duration::from_secs(20) {
                        return;
                    }
                    if stream.write_all(&[*byte]).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
                // The server closed the connection (after its 408).
                cut_off.lock().unwrap().push(begun.elapsed());
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let t = Instant::now();
        assert_eq!(get(&server.addr, "/notes/api.html").status, 200);
        slowest = slowest.max(t.elapsed());
    }
    assert!(
        slowest < Duration::from_secs(2),
        "a request took {slowest:?}"
    );
    for c in clients {
        c.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let cut_off = cut_off.lock().unwrap();
    assert_eq!(cut_off.len(), 50, "every slow client was cut off");
    let longest = cut_off.iter().max().unwrap();
    // The head deadline is 10 s in total; writes fail once the server has closed.
    assert!(*longest < Duration::from_secs(15), "{longest:?}");
    eprintln!(
        "slowloris: 50 clients cut off after at most {longest:?}; other requests at most {slowest:?} (test {:?})",
        start_time.elapsed()
    );
}

/// VmRSS and VmHWM (peak) of a process, in KiB.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[test]
fn a_hundred_previews_and_a_request_flood() {
    let site = tempfile::tempdir().unwrap();
    copy_dir(&fixture("bare/site"), site.path());
    let server = start(site.path());
    let pid = server.child.id();
    let (rss_before, _) = memory_kib(pid);
    let mut previews: Vec<Events> = (0..100).map(|_| Events::open(&server.addr, "/")).collect();
    for p in &mut previews {
        assert_eq!(p.next().0, "hello");
    }
    // The flood: 8 clients, 2,000 requests in all, each a new connection.
    let paths = [
        "/",
        "/notes/api.html",
        "/notes/storage.html",
        "/assets/archsite.css",
        "/nope",
    ];
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(2000)));
    let errors = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (addr, latencies, errors) =
                (server.addr.clone(), latencies.clone(), errors.clone());
            std::thread::spawn(move || {
                for i in 0..250 {
                    let path = paths[(w + i) % paths.len()];
                    let t = Instant::now();
                    let reply = get(&addr, path);
                    let took = t.elapsed();
                    let expected = if path == "/nope" { 404 } else { 200 };
                    if reply.status != expected || reply.body.is_empty() {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                    latencies.lock().unwrap().push(took);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let wall = began.elapsed();
    let mut latencies = latencies.lock().unwrap().clone();
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let (rss, peak) = memory_kib(pid);
    let errors = errors.load(Ordering::Relaxed);
    eprintln!(
        "flood: {} requests in {wall:?} ({:.0}/s) with 100 previews open, {errors} errors, \
         p50 {:?}, p99 {:?}, max {:?}; server memory {} KiB before, {} KiB after, peak {} KiB",
        latencies.len(),
        latencies.len() as f64 / wall.as_secs_f64(),
        p(0.5),
        p(0.99),
        latencies.last().unwrap(),
        rss_before,
        rss,
        peak
    );
    assert_eq!(errors, 0);
    assert!(p(0.99) < Duration::from_secs(1), "p99 {:?}", p(0.99));
    assert!(peak < 512 * 1024, "peak memory {peak} KiB");
    // Every preview still hears the next rebuild.
    let page = site.path().join("notes/storage.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("35 days", "36 days")).unwrap();
    for p in &mut previews {
        let changed: Vec<String> = serde_json::from_str(&p.next_named("reload")).unwrap();
        assert!(changed.contains(&"notes/storage.html".to_string()));
    }
}

#[test]
fn a_rebuild_during_requests_never_serves_a_partial_page() {
    let site = tempfile::tempdir().unwrap();
    copy_dir(&fixture("bare/site"), site.path());
    // A page big enough that a half-written copy would show.
    let version = |n: usize| {
        format!(
            "# Versioned\n\nBEGIN-{n}\n\n{}\n\nEND-{n}\n",
            format!("Paragraph of version {n}. ").repeat(20_000)
        )
    };
    let page = site.path().join("notes/versioned.md");
    std::fs::write(&page, version(0)).unwrap();
    let server = start(site.path());
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(std::collections::BTreeSet::new()));
    let served = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (addr, stop, seen, served) = (
                server.addr.clone(),
                stop.clone(),
                seen.clone(),
                served.clone(),
            );
            std::thread::spawn(move || {
                let began = Instant::now();
                while !stop.load(Ordering::Relaxed) && began.elapsed() < Duration::from_secs(60) {
                    let reply = get(&addr, "/notes/versioned.html");
                    assert_eq!(reply.status, 200);
                    let length: usize = reply.header("content-length").unwrap().parse().unwrap();
                    assert_eq!(length, reply.body.len(), "body cut short");
                    let text = reply.text();
                    let marker = |m: &str| {
                        text.split(m)
                            .nth(1)
                            .and_then(|r| r.split("</p>").next())
                            .map(str::to_string)
                    };
                    let (begin, end) = (marker("<p>BEGIN-"), marker("<p>END-"));
                    assert!(
                        begin.is_some() && begin == end,
                        "a partial page: {begin:?} / {end:?}"
                    );
                    assert!(text.trim_end().ends_with("</html>"), "a page cut short");
                    seen.lock().unwrap().insert(begin.unwrap());
                    served.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // Rewrite the source 20 times, as an editor saves (a new file renamed over the old).
    for n in 1..=20 {
        let tmp = site.path().join("notes/.versioned.md.tmp");
        std::fs::write(&tmp, version(n)).unwrap();
        std::fs::rename(&tmp, &page).unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
    // Wait until the last version is served.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !get(&server.addr, "/notes/versioned.html")
        .text()
        .contains("BEGIN-20")
    {
        assert!(Instant::now() < deadline, "the last version never came");
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }
    let seen = seen.lock().unwrap();
    eprintln!(
        "rebuild under load: {} complete pages served, {} versions seen, none partial",
        served.load(Ordering::Relaxed),
        seen.len()
    );
    assert!(seen.len() >= 3, "{seen:?}");
}
