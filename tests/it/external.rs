//! The external link checker against a local HTTP server (127.0.0.1 only; no test touches the
//! internet). Each test starts its own server, so request counts do not mix.

use archsite::diag::{Diagnostic, Severity, Span};
use archsite::external::{check_external, ExternalConfig, ExternalLink, CACHE_FILE};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tiny_http::{Header, Response, Server};

const OK_HTML: &str = r#"<!doctype html><html><head><title>ok</title></head><body>
<h1 id="top-title">Title</h1><h2 id="section-1">Section 1</h2><p><a name="legacy"></a>old</p>
</body></html>"#;

/// Concurrency seen by one or more servers together.
#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    max: AtomicUsize,
}

struct TestServer {
    base: String,
    /// Path → arrival time of every request.
    hits: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
}

impl TestServer {
    fn start() -> TestServer {
        Self::start_with(Arc::new(Gauge::default()))
    }

    fn start_with(gauge: Arc<Gauge>) -> TestServer {
        let server = Server::http("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = server.server_addr().to_ip().expect("ip address").port();
        let hits: Arc<Mutex<HashMap<String, Vec<Instant>>>> = Arc::default();
        let hits2 = hits.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let path = request.url().to_string();
                let seen = {
                    let mut hits = hits2.lock().unwrap();
                    let times = hits.entry(path.clone()).or_default();
                    times.push(Instant::now());
                    times.len()
                };
                let gauge = gauge.clone();
                std::thread::spawn(move || {
                    let n = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
                    gauge.max.fetch_max(n, Ordering::SeqCst);
                    let response = respond(&path, seen);
                    // Leave before answering, so that the client cannot start its next request
                    // while this one still counts.
                    gauge.now.fetch_sub(1, Ordering::SeqCst);
                    let _ = request.respond(response);
                });
            }
        });
        TestServer {
            base: format!("http://127.0.0.1:{port}"),
            hits,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).map_or(0, Vec::len)
    }

    fn times(&self, path: &str) -> Vec<Instant> {
        self.hits
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }

    fn total_hits(&self) -> usize {
        self.hits.lock().unwrap().values().map(Vec::len).sum()
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
}

/// The answer to the `seen`-th request for `path`.
fn respond(path: &str, seen: usize) -> Response<std::io::Cursor<Vec<u8>>> {
    let html = |body: &str| {
        Response::from_string(body).with_header(header("Content-Type", "text/html; charset=utf-8"))
    };
    let redirect = |status: u16, to: &str| {
        Response::from_string("")
            .with_status_code(status)
            .with_header(header("Location", to))
    };
    match path {
        "/ok" | "/ok2" => html(OK_HTML),
        "/plain" => {
            Response::from_string("id=\"x\"").with_header(header("Content-Type", "text/plain"))
        }
        "/moved" => redirect(301, "/ok"),
        "/moved-twice" => redirect(308, "/moved"),
        "/temp" => redirect(302, "/ok"),
        "/temp-then-moved" => redirect(302, "/moved"),
        "/moved-gone" => redirect(301, "/gone"),
        "/gone" => html("gone").with_status_code(404),
        "/error" => html("error").with_status_code(500),
        "/flaky" if seen == 1 => html("later").with_status_code(503),
        "/flaky" => html(OK_HTML),
        "/limited" if seen == 1 => html("slow down")
            .with_status_code(429)
            .with_header(header("Retry-After", "1")),
        "/limited" => html(OK_HTML),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            html(OK_HTML)
        }
        "/loop" => redirect(301, "/loop"),
        "/ping" => redirect(302, "/pong"),
        "/pong" => redirect(302, "/ping"),
        p if p.starts_with("/busy/") => {
            std::thread::sleep(Duration::from_millis(150));
            html(OK_HTML)
        }
        _ => html("not found").with_status_code(404),
    }
}

fn link_in(file: &str, offset: usize, url: &str) -> ExternalLink {
    ExternalLink {
        url: url.to_string(),
        span: Span {
            file: Arc::from(file),
            range: offset..offset + url.len(),
        },
    }
}

fn link(url: &str) -> ExternalLink {
    link_in("docs/index.md", 0, url)
}

/// A config for fast tests: short timeout, no cache unless a dir is given.
fn fast() -> ExternalConfig {
    ExternalConfig {
        timeout_secs: 1,
        ..ExternalConfig::default()
    }
}

/// `url as written → codes`, for links each written once.
fn codes_by_url(
    links: &[ExternalLink],
    diags: &[Diagnostic],
) -> HashMap<String, Vec<&'static str>> {
    let mut map: HashMap<String, Vec<&'static str>> =
        links.iter().map(|l| (l.url.clone(), Vec::new())).collect();
    for d in diags {
        let span = d.span.as_ref().expect("every diagnostic has a span");
        let link = links
            .iter()
            .find(|l| l.span == *span)
            .expect("diagnostic at a link");
        map.get_mut(&link.url).unwrap().push(d.code);
    }
    map
}

/// A port on which nothing listens.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn each_url_gets_the_right_code() {
    let s = TestServer::start();
    let dead = format!("http://127.0.0.1:{}/x", closed_port());
    let paths = [
        "/ok",
        "/moved",
        "/moved-twice",
        "/temp",
        "/temp-then-moved",
        "/moved-gone",
        "/gone",
        "/error",
        "/flaky",
        "/limited",
        "/loop",
        "/ping",
    ];
    let links: Vec<ExternalLink> = paths
        .iter()
        .map(|p| s.url(p))
        .chain([dead.clone()])
        .enumerate()
        .map(|(i, url)| link_in("docs/index.md", i * 100, &url))
        .collect();
    let started = Instant::now();
    let diags = check_external(&links, &fast(), None);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    let codes = codes_by_url(&links, &diags);
    let expect: &[(&str, &[&str])] = &[
        ("/ok", &[]),
        ("/moved", &["external-redirect"]),
        ("/moved-twice", &["external-redirect"]),
        ("/temp", &[]),
        ("/temp-then-moved", &[]),
        ("/moved-gone", &["external-broken"]),
        ("/gone", &["external-broken"]),
        ("/error", &["external-broken"]),
        ("/flaky", &[]),
        ("/limited", &[]),
        ("/loop", &["external-broken"]),
        ("/ping", &["external-broken"]),
    ];
    for (path, want) in expect {
        assert_eq!(codes[&s.url(path)], *want, "{path}: {diags:#?}");
    }
    assert_eq!(codes[&dead], ["external-unreachable"], "{diags:#?}");

    let find = |path: &str| {
        let url = s.url(path);
        diags
            .iter()
            .find(|d| d.message.contains(&format!("`{url}`")))
            .unwrap_or_else(|| panic!("no diagnostic for {path}: {diags:#?}"))
    };
    let moved = find("/moved");
    assert_eq!(moved.severity, Severity::Warning);
    assert_eq!(
        moved.help.as_deref(),
        Some(format!("update the link to {}", s.url("/ok")).as_str())
    );
    // 308 → 301 → 200: update straight to the end of the chain.
    assert_eq!(
        find("/moved-twice").help.as_deref(),
        Some(format!("update the link to {}", s.url("/ok")).as_str())
    );
    assert!(
        find("/gone").message.contains("answered 404 Not Found"),
        "{diags:#?}"
    );
    assert!(find("/error")
        .message
        .contains("answered 500 Internal Server Error"));
    assert!(find("/moved-gone")
        .message
        .contains("answered 404 Not Found"));
    assert!(find("/loop").message.contains("loop"));
    assert!(diags
        .iter()
        .all(|d| d.severity == Severity::Error || d.code == "external-redirect"));

    // Retries: 500 always → 1 + 2 retries; 503 once → 2; 404 is final → 1.
    assert_eq!(s.hits("/error"), 3);
    assert_eq!(s.hits("/flaky"), 2);
    assert_eq!(s.hits("/gone"), 2, "once directly, once via /moved-gone");
    let limited = s.times("/limited");
    assert_eq!(limited.len(), 2);
    let waited = limited[1] - limited[0];
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After not honoured: {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    // The loop is stopped at the first repeat, without retries.
    assert_eq!(s.hits("/loop"), 1);
    assert_eq!((s.hits("/ping"), s.hits("/pong")), (1, 1));
}

#[test]
fn slow_servers_time_out() {
    let s = TestServer::start();
    let links = [link(&s.url("/slow"))];
    let config = ExternalConfig {
        retries: 1,
        ..fast()
    };
    let started = Instant::now();
    let diags = check_external(&links, &config, None);
    let elapsed = started.elapsed();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "external-timeout");
    assert!(
        diags[0].message.contains("2 attempts"),
        "{}",
        diags[0].message
    );
    assert_eq!(s.hits("/slow"), 2);
    // 1 s + 0.5 s backoff + 1 s.
    assert!(elapsed >= Duration::from_millis(2400), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn fragments_are_checked_against_ids_and_names() {
    let s = TestServer::start();
    let links: Vec<ExternalLink> = [
        "/ok#section-1",
        "/ok#legacy",
        "/ok#section%2D1",
        "/ok#top",
        "/ok#:~:text=Title",
        "/ok#nope",
        "/ok#section-2",
        "/plain#whatever",
        "/moved#section-1",
    ]
    .iter()
    .enumerate()
    .map(|(i, p)| link_in("docs/a.md", i * 50, &s.url(p)))
    .collect();
    let diags = check_external(&links, &fast(), None);
    let codes = codes_by_url(&links, &diags);
    for (path, want) in [
        ("/ok#section-1", vec![]),
        ("/ok#legacy", vec![]),
        ("/ok#section%2D1", vec![]),
        ("/ok#top", vec![]),
        ("/ok#:~:text=Title", vec![]),
        ("/ok#nope", vec!["external-anchor"]),
        ("/ok#section-2", vec!["external-anchor"]),
        ("/plain#whatever", vec![]),
        ("/moved#section-1", vec!["external-redirect"]),
    ] {
        assert_eq!(codes[&s.url(path)], want, "{path}: {diags:#?}");
    }
    let anchor = diags
        .iter()
        .find(|d| d.code == "external-anchor" && d.message.contains("`section-2`"))
        .unwrap();
    assert_eq!(anchor.severity, Severity::Error);
    assert!(
        anchor.help.as_deref().unwrap().contains("`#section-1`"),
        "{anchor:?}"
    );
    // The redirect help keeps the fragment.
    let moved = diags
        .iter()
        .find(|d| d.code == "external-redirect")
        .unwrap();
    assert_eq!(
        moved.help.as_deref(),
        Some(format!("update the link to {}#section-1", s.url("/ok")).as_str())
    );
    // One fetch per URL, whatever the number of fragments.
    assert_eq!(s.hits("/ok"), 2, "once for /ok, once via /moved");

    // `check_fragments: false`: no anchor errors.
    let config = ExternalConfig {
        check_fragments: false,
        ..fast()
    };
    let diags = check_external(&links, &config, None);
    assert!(
        diags.iter().all(|d| d.code != "external-anchor"),
        "{diags:#?}"
    );
}

#[test]
fn a_url_written_three_times_is_fetched_once_and_reported_three_times() {
    let s = TestServer::start();
    let gone = s.url("/gone");
    let links = [
        link_in("docs/b.md", 40, &gone),
        link_in("docs/a.md", 90, &format!("{gone}#x")),
        link_in("docs/a.md", 10, &gone),
        link_in("docs/a.md", 50, "mailto:someone@example.org"),
        link_in("docs/b.md", 5, &s.url("/ok#nope")),
    ];
    let diags = check_external(&links, &fast(), None);
    assert_eq!(s.hits("/gone"), 1);
    let places: Vec<(&str, usize, &str)> = diags
        .iter()
        .map(|d| {
            let span = d.span.as_ref().unwrap();
            (&*span.file, span.range.start, d.code)
        })
        .collect();
    // Sorted by file and position.
    assert_eq!(
        places,
        [
            ("docs/a.md", 10, "external-broken"),
            ("docs/a.md", 90, "external-broken"),
            ("docs/b.md", 5, "external-anchor"),
            ("docs/b.md", 40, "external-broken"),
        ]
    );
    assert_eq!(diags[0].span.as_ref().unwrap().range, 10..10 + gone.len());
    // Deterministic: the same again.
    let again = check_external(&links, &fast(), None);
    assert_eq!(diags, again);
}

#[test]
fn skip_and_allow_patterns() {
    let s = TestServer::start();
    let links = [
        link_in("a.md", 0, &s.url("/gone")),
        link_in("a.md", 100, &s.url("/ok")),
    ];
    let skip = ExternalConfig {
        skip: vec![r"/gone$".into()],
        ..fast()
    };
    assert!(check_external(&links, &skip, None).is_empty());
    assert_eq!((s.hits("/gone"), s.hits("/ok")), (0, 1));

    let allow = ExternalConfig {
        allow: vec![r"^http://127\.0\.0\.1:\d+/ok".into()],
        ..fast()
    };
    assert!(check_external(&links, &allow, None).is_empty());
    assert_eq!((s.hits("/gone"), s.hits("/ok")), (0, 2));

    let invalid = ExternalConfig {
        skip: vec!["(unclosed".into()],
        ..fast()
    };
    let diags = check_external(&links, &invalid, None);
    assert_eq!(diags.len(), 1);
    assert_eq!(
        (diags[0].code, diags[0].severity),
        ("config", Severity::Error)
    );
    assert!(diags[0].message.contains("(unclosed"));
    assert_eq!(
        s.total_hits(),
        2,
        "nothing is fetched with an invalid pattern"
    );
}

#[test]
fn the_cache_avoids_refetching_until_entries_expire() {
    let s = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let cache = Some(dir.path());
    let config = fast();
    let ok = [link(&s.url("/ok"))];

    assert!(check_external(&ok, &config, cache).is_empty());
    assert!(check_external(&ok, &config, cache).is_empty());
    assert_eq!(s.hits("/ok"), 1);

    // A fragment needs the page's ids, which the first check did not keep.
    let nope = [link(&s.url("/ok#nope"))];
    assert_eq!(
        check_external(&nope, &config, cache)[0].code,
        "external-anchor"
    );
    assert_eq!(
        check_external(&nope, &config, cache)[0].code,
        "external-anchor"
    );
    assert!(check_external(&[link(&s.url("/ok#legacy"))], &config, cache).is_empty());
    assert_eq!(s.hits("/ok"), 2);

    // Redirect warnings come from the cache too.
    let moved = [link(&s.url("/moved"))];
    assert_eq!(
        check_external(&moved, &config, cache)[0].code,
        "external-redirect"
    );
    assert_eq!(
        check_external(&moved, &config, cache)[0].code,
        "external-redirect"
    );
    assert_eq!(s.hits("/moved"), 1);
    assert_eq!(s.hits("/ok"), 3, "/moved leads to /ok");

    // Failures are always re-checked.
    let gone = [link(&s.url("/gone"))];
    check_external(&gone, &config, cache);
    check_external(&gone, &config, cache);
    assert_eq!(s.hits("/gone"), 2);

    // `cache_hours: 0` disables the cache.
    let off = ExternalConfig {
        cache_hours: 0,
        ..fast()
    };
    check_external(&ok, &off, cache);
    assert_eq!(s.hits("/ok"), 4);

    // An entry older than `cache_hours` is checked again.
    let path = dir.path().join(CACHE_FILE);
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let entries = json["entries"].as_object_mut().unwrap();
    assert!(entries.contains_key(&s.url("/ok")));
    assert!(
        !entries.contains_key(&s.url("/gone")),
        "failures are not cached"
    );
    let two_days_ago = archsite_now() - 48 * 3600;
    entries[&s.url("/ok")]["checked_at"] = two_days_ago.into();
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    check_external(&ok, &config, cache);
    assert_eq!(s.hits("/ok"), 5);
    check_external(&ok, &config, cache);
    assert_eq!(s.hits("/ok"), 5);
}

fn archsite_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_corrupt_cache_is_ignored_and_overwritten() {
    let s = TestServer::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CACHE_FILE);
    let ok = [link(&s.url("/ok"))];
    for junk in [
        &b"{\"version\": 1, \"entries\": {\"x\": 3"[..],
        b"\xff\xfe garbage",
        b"",
    ] {
        std::fs::write(&path, junk).unwrap();
        assert!(check_external(&ok, &fast(), Some(dir.path())).is_empty());
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).expect("valid JSON again");
        assert!(json["entries"].get(s.url("/ok")).is_some());
    }
    assert_eq!(s.hits("/ok"), 3);
    // A cache folder that does not exist yet is created.
    let nested = dir.path().join("a/b");
    assert!(check_external(&[link(&s.url("/ok2"))], &fast(), Some(&nested)).is_empty());
    assert!(nested.join(CACHE_FILE).is_file());
}

#[test]
fn per_host_and_overall_concurrency_are_limited() {
    let one = Arc::new(Gauge::default());
    let s = TestServer::start_with(one.clone());
    let links: Vec<ExternalLink> = (0..10)
        .map(|i| link_in("a.md", i * 10, &s.url(&format!("/busy/{i}"))))
        .collect();
    let config = ExternalConfig {
        per_host: 2,
        concurrency: 8,
        ..fast()
    };
    let started = Instant::now();
    assert!(check_external(&links, &config, None).is_empty());
    assert_eq!(s.total_hits(), 10);
    assert!(
        one.max.load(Ordering::SeqCst) <= 2,
        "max {}",
        one.max.load(Ordering::SeqCst)
    );
    // 10 × 150 ms, 2 at a time, is at least 750 ms.
    assert!(started.elapsed() >= Duration::from_millis(700));

    // Two hosts (ports) sharing one gauge: 3 overall, however many per host.
    let both = Arc::new(Gauge::default());
    let a = TestServer::start_with(both.clone());
    let b = TestServer::start_with(both.clone());
    let links: Vec<ExternalLink> = (0..8)
        .flat_map(|i| [a.url(&format!("/busy/{i}")), b.url(&format!("/busy/{i}"))])
        .enumerate()
        .map(|(i, url)| link_in("a.md", i * 100, &url))
        .collect();
    let config = ExternalConfig {
        per_host: 4,
        concurrency: 3,
        ..fast()
    };
    assert!(check_external(&links, &config, None).is_empty());
    assert_eq!(a.total_hits() + b.total_hits(), 16);
    assert!(
        both.max.load(Ordering::SeqCst) <= 3,
        "max {}",
        both.max.load(Ordering::SeqCst)
    );
}

/// `archsite check --external` end to end: links found in Markdown and raw HTML, the config's
/// `external:` section, positions in the page, the cache folder kept out of the site.
#[test]
fn check_external_from_the_command_line() {
    let server = TestServer::start();
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("archsite.yaml"),
        "external:\n  timeout_secs: 2\n  retries: 0\n  skip: ['/skipped']\n",
    )
    .unwrap();
    let page = format!(
        "# 외부 링크\n\n[정상]({ok}) [없음]({gone})\n\n<a href=\"{anchor}\">앵커</a> [건너뜀]({skipped})\n",
        ok = server.url("/ok#section-1"),
        gone = server.url("/gone"),
        anchor = server.url("/ok#nope"),
        skipped = server.url("/skipped"),
    );
    std::fs::write(site.path().join("index.md"), &page).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_archsite"))
            .args(args)
            .current_dir(site.path())
            .env("NO_COLOR", "1")
            .env(archsite::config::CACHE_ENV, cache.path())
            .output()
            .expect("run archsite")
    };
    let out = run(&["check", "--external", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let found: Vec<(String, u64, u64)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let d: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let line = page.lines().nth(2).unwrap();
    let gone_col = line[..line.find(&server.url("/gone")).unwrap()]
        .chars()
        .count() as u64
        + 1;
    assert_eq!(
        found,
        [
            ("external-broken".to_string(), 3, gone_col),
            ("external-anchor".to_string(), 5, 10)
        ]
    );
    assert_eq!(server.hits("/skipped"), 0);
    // The cache is in the user's cache folder, one folder per site; never in the site.
    let cached: Vec<_> = walkdir::WalkDir::new(cache.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == CACHE_FILE)
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let build = run(&["build"]);
    assert!(build.status.success(), "{}", super::support::stderr(&build));
    let names: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| ["archsite.yaml", "index.md", "public"].contains(&n.as_str())),
        "{names:?}"
    );
    assert_eq!(
        server.hits("/ok"),
        1,
        "plain build and check never fetch; check fetched once"
    );
}
