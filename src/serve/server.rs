//! A small HTTP/1.1 server for the preview, on std and httparse: one thread per connection
//! (bounded), one request per connection, `TCP_NODELAY`, read and write timeouts.
//!
//! It replaces tiny_http, which we measured failing here in two ways: its connection pool
//! queues new connections behind idle ones (the speculative connections a browser opens), so a
//! page's script could wait until another socket closed; and without `TCP_NODELAY` every
//! response on a reused connection waited ~40 ms for a delayed ACK. A preview server on
//! loopback needs neither keep-alive nor a pool: a connection per request costs microseconds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Open connections at most; more get a 503 at once (a flood cannot exhaust threads).
const MAX_CONNECTIONS: usize = 1024;
/// A client must send its whole request head within this time, in total (slow clients are
/// dropped).
const READ_TIMEOUT: Duration = Duration::from_secs(10);
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest request head accepted (request line and headers).
const MAX_HEAD: usize = 16 * 1024;

pub struct Request {
    pub method: String,
    /// The request target as sent: path and query, still percent-encoded.
    pub url: String,
    headers: Vec<(String, String)>,
    stream: TcpStream,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sends a complete response and closes the connection.
    pub fn respond(mut self, status: u16, headers: &[(&str, &str)], body: &[u8]) {
        let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        let send_body = self.method != "HEAD" && status != 304;
        // A client that went away is not the server's problem.
        let _ = self.stream.write_all(head.as_bytes()).and_then(|_| {
            if send_body {
                self.stream.write_all(body)
            } else {
                Ok(())
            }
        });
        let _ = self.stream.flush();
    }

    /// The connection, for a response that streams (Server-Sent Events).
    pub fn into_stream(self) -> TcpStream {
        // A stream may stay quiet for a long time; only writes are bounded.
        let _ = self.stream.set_read_timeout(None);
        self.stream
    }
}

/// A bounded number of things held at once (connections, event streams): a place is taken
/// and counted in one atomic step, so that a burst of takers cannot all see room and overshoot
/// the bound, and given back when its `Slot` is dropped.
#[derive(Debug)]
pub struct Slots {
    used: AtomicUsize,
    max: usize,
}

/// One place taken in `Slots`, given back on drop.
#[derive(Debug)]
pub struct Slot(Arc<Slots>);

impl Slots {
    pub fn new(max: usize) -> Arc<Slots> {
        Arc::new(Slots {
            used: AtomicUsize::new(0),
            max,
        })
    }

    /// A place, or `None` when all are taken.
    pub fn take(self: &Arc<Self>) -> Option<Slot> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(self.clone()))
    }

    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.used.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Accepts connections on `listener` until the process ends, calling `handle` for each
/// request on its own thread.
pub fn run(listener: TcpListener, handle: Arc<dyn Fn(Request) + Send + Sync>) {
    let open = Slots::new(MAX_CONNECTIONS);
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        let Some(slot) = open.take() else {
            let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            continue;
        };
        let handle = handle.clone();
        // Out of threads: the closure is dropped with its slot, so the count does not leak.
        let _ = std::thread::Builder::new().spawn(move || {
            match read_request(stream) {
                Ok(request) => handle(request),
                Err((mut stream, status)) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        reason(status)
                    );
                }
            }
            drop(slot);
        });
    }
}

/// A socket whose reads all end by one deadline: a client that sends its head a byte at a
/// time (slowloris) is cut off after `READ_TIMEOUT` in total, not per byte.
struct Deadline {
    stream: TcpStream,
    until: Instant,
}

impl Read for Deadline {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

fn read_request(stream: TcpStream) -> Result<Request, (TcpStream, u16)> {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => Deadline {
            stream: s,
            until: Instant::now() + READ_TIMEOUT,
        },
        Err(_) => return Err((stream, 500)),
    });
    let mut head = Vec::with_capacity(1024);
    loop {
        let before = head.len();
        match (&mut reader)
            .take((MAX_HEAD + 1 - head.len()) as u64)
            .read_until(b'\n', &mut head)
        {
            Ok(0) => return Err((stream, 400)),
            Ok(_) => {}
            Err(_) => return Err((stream, 408)),
        }
        if head.len() > MAX_HEAD {
            return Err((stream, 431));
        }
        let line = &head[before..];
        if line == b"\r\n" || line == b"\n" {
            break;
        }
    }
    match parse_head(&head) {
        Ok(Head {
            method,
            url,
            headers,
        }) => Ok(Request {
            method,
            url,
            headers,
            stream,
        }),
        Err(status) => Err((stream, status)),
    }
}

/// A request head as the server accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub method: String,
    /// The request target as sent: path and query, still percent-encoded.
    pub url: String,
    pub headers: Vec<(String, String)>,
}

/// Parses a complete request head (request line and headers, up to the blank line): pure, so
/// that it can be fuzzed. `Err` holds the status to answer with.
pub fn parse_head(head: &[u8]) -> Result<Head, u16> {
    if head.len() > MAX_HEAD {
        return Err(431);
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => return Err(431),
        _ => return Err(400),
    }
    let (Some(method), Some(url)) = (parsed.method, parsed.path) else {
        return Err(400);
    };
    if method != "GET" && method != "HEAD" {
        return Err(405);
    }
    let headers = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Ok(Head {
        method: method.to_string(),
        url: url.to_string(),
        headers,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_never_exceed_their_bound_under_a_burst() {
        let slots = Slots::new(50);
        let barrier = Arc::new(std::sync::Barrier::new(16));
        let held: Vec<Vec<Slot>> = std::thread::scope(|scope| {
            let takers: Vec<_> = (0..16)
                .map(|_| {
                    let (slots, barrier) = (slots.clone(), barrier.clone());
                    scope.spawn(move || {
                        barrier.wait();
                        (0..10).filter_map(|_| slots.take()).collect::<Vec<_>>()
                    })
                })
                .collect();
            takers.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert_eq!(held.iter().map(Vec::len).sum::<usize>(), 50);
        assert_eq!(slots.used(), 50);
        assert!(slots.take().is_none());
        drop(held);
        assert_eq!(slots.used(), 0, "every slot was given back");
        assert!(slots.take().is_some());
    }

    #[test]
    fn parse_head_accepts_get_and_head_only() {
        let head =
            parse_head(b"GET /a%20b.html?x=1 HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"t\"\r\n\r\n")
                .unwrap();
        assert_eq!(
            (head.method.as_str(), head.url.as_str()),
            ("GET", "/a%20b.html?x=1")
        );
        assert_eq!(head.headers[1], ("If-None-Match".into(), "\"t\"".into()));
        assert_eq!(
            parse_head(b"HEAD / HTTP/1.0\r\n\r\n").unwrap().method,
            "HEAD"
        );
        assert_eq!(parse_head(b"POST / HTTP/1.1\r\n\r\n"), Err(405));
        assert_eq!(parse_head(b"\x00\x01garbage\r\n\r\n"), Err(400));
        assert_eq!(parse_head(b"GET / HTTP/1.1\r\n"), Err(400), "incomplete");
        assert_eq!(
            parse_head(b"GET /\xff HTTP/1.1\r\n\r\n"),
            Err(400),
            "not a token"
        );
    }

    #[test]
    fn parse_head_refuses_oversized_heads_and_too_many_headers() {
        let many = format!("GET / HTTP/1.1\r\n{}\r\n", "X: y\r\n".repeat(65));
        assert_eq!(parse_head(many.as_bytes()), Err(431));
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(parse_head(long.as_bytes()), Err(431));
    }
}
