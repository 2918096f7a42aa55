//! Which requests `archsite serve` answers, over real HTTP on 127.0.0.1: a foreign `Host` (DNS
//! rebinding) is refused with 403 and a message saying how to allow the name, the names the
//! preview is reached by pass, as do those allowed with `--allow-host` or in `archsite.yaml`
//! (applied live); the event stream refuses a foreign `Origin`; and the limit on open event
//! streams holds under a concurrent burst.

use super::serve::{get, get_as, start, start_with, Events};
use super::support::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// The limit on open event streams (`MAX_STREAMS` in src/serve/mod.rs).
const MAX_STREAMS: usize = 512;

fn port_of(addr: &str) -> &str {
    addr.rsplit(':').next().unwrap()
}

#[test]
fn a_foreign_host_is_refused_with_a_message() {
    let server = start(&fixture("bare/site"));
    let port = port_of(&server.addr);
    for host in [
        format!("attacker.example:{port}"),
        "attacker.example".to_string(),
        format!("localhost.attacker.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("192.168.1.5:{port}"),
        "".to_string(),
    ] {
        for path in [
            "/",
            "/notes/storage.html",
            "/assets/archsite.css",
            "/no-such-page",
            "/__archsite/live.js",
        ] {
            let reply = get_as(&server.addr, &host, path, "");
            assert_eq!(reply.status, 403, "Host `{host}` {path}");
            assert_eq!(
                reply.header("content-type").as_deref(),
                Some("text/plain; charset=utf-8")
            );
            let text = reply.text();
            assert!(text.contains("DNS rebinding"), "{text}");
            assert!(text.contains("--allow-host"), "{text}");
            assert!(!text.contains("<html"), "no page leaked: {text}");
        }
    }
    let events = raw_status(
        &server.addr,
        &format!("GET /__archsite/events HTTP/1.1\r\nHost: attacker.example:{port}\r\n\r\n"),
    );
    assert_eq!(events, "HTTP/1.1 403 Forbidden");
    // The writer is told once per host, in the terminal.
    let deadline = Instant::now() + Duration::from_secs(5);
    let told = || {
        server
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("refused a request for host `attacker.example:"))
            .count()
    };
    while told() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(told(), 1);
    let log = server.log.lock().unwrap();
    let line = log
        .iter()
        .find(|l| l.contains("refused a request for host"))
        .unwrap();
    assert!(!line.contains("  "), "a run of spaces in {line:?}");
}

#[test]
fn the_names_the_preview_is_reached_by_are_answered() {
    let server = start(&fixture("bare/site"));
    let port = port_of(&server.addr);
    for host in [
        server.addr.clone(),
        format!("localhost:{port}"),
        format!("LocalHost.:{port}"),
        format!("docs.localhost:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_string(),
    ] {
        let reply = get_as(&server.addr, &host, "/notes/storage.html", "");
        assert_eq!(reply.status, 200, "Host `{host}`");
        assert!(reply.text().contains("</html>"));
    }
}

#[test]
fn names_allowed_on_the_command_line_or_in_the_config_are_answered() {
    let server = start_with(
        &fixture("bare/site"),
        &[
            "--allow-host",
            "docs.internal",
            "--allow-host",
            ".tunnel.example",
        ],
    );
    for (host, status) in [
        ("docs.internal:8080", 200),
        ("docs.internal", 200),
        ("x.docs.internal", 403),
        ("tunnel.example", 200),
        ("abc.tunnel.example:443", 200),
        ("eviltunnel.example", 403),
    ] {
        assert_eq!(get_as(&server.addr, host, "/", "").status, status, "{host}");
    }
    let out = archsite(
        &fixture("bare"),
        &["serve", "site", "--allow-host", "http://x:1"],
    );
    assert_eq!(out.status.code(), Some(2), "a URL is not a host name");
    assert!(
        stderr(&out).contains("without scheme, port or path"),
        "{}",
        stderr(&out)
    );

    // The config's list is read on every rebuild: a name added while serving is answered.
    let site = tempfile::tempdir().unwrap();
    copy_dir(&fixture("basic/site"), site.path());
    let server = start(site.path());
    assert_eq!(
        get_as(&server.addr, "docs.team.example", "/docs/", "").status,
        403
    );
    let config = site.path().join("archsite.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}serve:\n  allowed_hosts: [docs.team.example]\n"),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while get_as(&server.addr, "docs.team.example", "/docs/", "").status != 200 {
        assert!(
            Instant::now() < deadline,
            "the config's allowed_hosts was not applied"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        get_as(&server.addr, "other.example", "/docs/", "").status,
        403
    );
}

/// The status line of a raw request (the connection is dropped after it).
fn raw_status(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut line = String::new();
    let _ = BufReader::new(stream).read_line(&mut line);
    line.trim_end().to_string()
}

fn events_request(addr: &str, origin: Option<&str>) -> String {
    let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
    format!("GET /__archsite/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n{origin}\r\n")
}

#[test]
fn the_event_stream_answers_its_own_origin_only() {
    let server = start(&fixture("bare/site"));
    let port = port_of(&server.addr);
    for origin in [
        "http://attacker.example".to_string(),
        format!("http://attacker.example:{port}"),
        format!("http://127.0.0.1:{}", port.parse::<u16>().unwrap() ^ 1),
        format!("https://{}", server.addr),
        "null".to_string(),
    ] {
        assert_eq!(
            raw_status(&server.addr, &events_request(&server.addr, Some(&origin))),
            "HTTP/1.1 403 Forbidden",
            "Origin {origin}"
        );
    }
    let own = format!("http://{}", server.addr);
    for origin in [Some(own.as_str()), None] {
        assert_eq!(
            raw_status(&server.addr, &events_request(&server.addr, origin)),
            "HTTP/1.1 200 OK",
            "Origin {origin:?}"
        );
    }
    // A page may fetch the site from another origin's script only as the browser allows
    // (no CORS headers are sent); the pages themselves are not refused for an Origin.
    let page = get_as(
        &server.addr,
        &server.addr,
        "/",
        "Origin: http://attacker.example\r\n",
    );
    assert_eq!(page.status, 200);
    assert_eq!(page.header("access-control-allow-origin"), None);
}

/// Lets this process (and the server it starts) hold the sockets of a burst on machines whose
/// default limit is 1,024 open files.
fn raise_open_files_limit(wanted: u64) {
    // SAFETY: reads and sets this process's own resource limit.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < wanted {
            limit.rlim_cur = wanted.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

#[test]
fn the_stream_limit_holds_under_a_concurrent_burst() {
    raise_open_files_limit(4096);
    let site = tempfile::tempdir().unwrap();
    copy_dir(&fixture("bare/site"), site.path());
    let server = start(site.path());
    let (threads, each) = (40, 18);
    let barrier = Arc::new(Barrier::new(threads));
    let began = Instant::now();
    let openers: Vec<_> = (0..threads)
        .map(|_| {
            let (addr, barrier) = (server.addr.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut sockets: Vec<TcpStream> = (0..each)
                    .map(|_| TcpStream::connect(&addr).unwrap())
                    .collect();
                barrier.wait();
                let request = events_request(&addr, None);
                for socket in &mut sockets {
                    socket.write_all(request.as_bytes()).unwrap();
                }
                sockets
                    .into_iter()
                    .map(|socket| {
                        socket
                            .set_read_timeout(Some(Duration::from_secs(20)))
                            .unwrap();
                        let mut reader = BufReader::new(socket);
                        let mut status = String::new();
                        reader.read_line(&mut status).unwrap();
                        (status.trim_end().to_string(), reader)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let answers: Vec<_> = openers
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let accepted = answers
        .iter()
        .filter(|(s, _)| s == "HTTP/1.1 200 OK")
        .count();
    let refused = answers
        .iter()
        .filter(|(s, _)| s == "HTTP/1.1 503 Service Unavailable")
        .count();
    eprintln!(
        "stream burst: {} requests from {threads} threads: {accepted} streams, {refused} refused, in {:?}",
        answers.len(),
        began.elapsed()
    );
    assert_eq!(
        accepted + refused,
        threads * each,
        "every request was answered"
    );
    assert_eq!(accepted, MAX_STREAMS, "exactly the limit was let in");

    // The streams that were let in are live: each hears the next rebuild.
    let page = site.path().join("notes/storage.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("35 days", "36 days")).unwrap();
    let mut heard = 0;
    for (status, reader) in answers.into_iter() {
        if status != "HTTP/1.1 200 OK" {
            continue;
        }
        let mut events = Events::from_reader(reader);
        events.next_named("reload");
        heard += 1;
    }
    assert_eq!(heard, MAX_STREAMS);
    // Gone clients give their places back once a write to them fails (the next events): new
    // previews are let in again.
    std::fs::write(&page, text.replace("35 days", "37 days")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut round = 0;
    loop {
        if raw_status(&server.addr, &events_request(&server.addr, None)) == "HTTP/1.1 200 OK" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the places of closed streams were not given back"
        );
        round += 1;
        let days = format!("{} days", 40 + round);
        std::fs::write(&page, text.replace("35 days", &days)).unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }
    assert_eq!(get(&server.addr, "/").status, 200);
}
