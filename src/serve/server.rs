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
use std::time::Duration;

/// Open connections at most; more get a 503 at once (a flood cannot exhaust threads).
const MAX_CONNECTIONS: usize = 1024;
/// A client must send its whole request head within this time (slow clients are dropped).
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

/// Accepts connections on `listener` until the process ends, calling `handle` for each
/// request on its own thread.
pub fn run(listener: TcpListener, handle: Arc<dyn Fn(Request) + Send + Sync>) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_nodelay(true);
        let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        if open.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
            let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            continue;
        }
        open.fetch_add(1, Ordering::Relaxed);
        let (count, handle) = (open.clone(), handle.clone());
        let spawned = std::thread::Builder::new().spawn(move || {
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
            count.fetch_sub(1, Ordering::Relaxed);
        });
        if spawned.is_err() {
            // Out of threads: the connection is dropped; the counter must not leak.
            open.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

fn read_request(stream: TcpStream) -> Result<Request, (TcpStream, u16)> {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
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
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err((stream, 400)),
    }
    let (Some(method), Some(url)) = (parsed.method, parsed.path) else {
        return Err((stream, 400));
    };
    if method != "GET" && method != "HEAD" {
        return Err((stream, 405));
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
    Ok(Request {
        method: method.to_string(),
        url: url.to_string(),
        headers,
        stream,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}
