//! One URL's check: GET (HEAD is answered wrongly by too many servers), redirects followed by
//! hand so that permanent ones can be told apart and loops caught, retries with exponential
//! backoff (or `Retry-After`) for timeouts, connection errors, 429 and 5xx, and the body read
//! (at most `MAX_BODY` bytes) only when an HTML page's ids are needed for fragments.

use super::fragment;
use super::pool::{HostLimiter, Slot};
use super::urls;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::time::{Duration, SystemTime};
use ureq::Agent;

pub const MAX_REDIRECTS: usize = 10;
const MAX_BODY: u64 = 5 * 1024 * 1024;
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
const USER_AGENT: &str = concat!(
    "Mozilla/5.0 (compatible; archsite-link-checker/",
    env!("CARGO_PKG_VERSION"),
    ")"
);
const ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// A page that answered with a success (after redirects); what the cache stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub status: u16,
    /// The URL that finally answered.
    pub final_url: String,
    /// Where the leading permanent (301/308) redirects lead, if there were any: the URL the
    /// link should be updated to.
    pub moved_to: Option<String>,
    /// Whether the response was `text/html` (or XHTML).
    pub html: bool,
    /// The page's ids, if its body was read for fragments.
    pub ids: Option<Vec<String>>,
    /// Whether the body was longer than what was read.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A 4xx/5xx final answer; `final_url` if redirects led elsewhere first.
    Status {
        status: u16,
        final_url: Option<String>,
    },
    Timeout {
        attempts: u32,
    },
    /// DNS, connection or TLS error.
    Unreachable(String),
    /// The URLs of the loop, back to the first repeated one.
    RedirectLoop(Vec<String>),
    TooManyRedirects,
    /// A bad URL or `Location`.
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Page(Page),
    Failed(Failure),
}

enum Step {
    Done(Outcome),
    /// A failure worth another attempt, after the server's `Retry-After` if it gave one.
    Retry(Failure, Option<Duration>),
}

pub struct Fetcher<'a> {
    /// Through the proxy of the environment (`HTTPS_PROXY`, `NO_PROXY`, …), if any.
    agent: Agent,
    /// Never through a proxy: for loopback hosts.
    direct: Agent,
    limiter: &'a HostLimiter,
    retries: u32,
}

impl<'a> Fetcher<'a> {
    pub fn new(limiter: &'a HostLimiter, timeout: Duration, retries: u32) -> Self {
        let config = || {
            Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_global(Some(timeout))
                .user_agent(USER_AGENT)
                .accept(ACCEPT)
        };
        Fetcher {
            agent: config().build().new_agent(),
            direct: config().proxy(None).build().new_agent(),
            limiter,
            retries,
        }
    }

    /// Checks `url` (no fragment), reading an HTML body for its ids if `want_ids`. `slot` is
    /// the slot of `url`'s host the first request uses.
    pub fn check(&self, url: &str, want_ids: bool, slot: Slot<'a>) -> Outcome {
        let mut slot = Some(slot);
        let mut attempt = 0;
        loop {
            let (failure, wait) = match self.follow(url, want_ids, &mut slot) {
                Step::Done(outcome) => return outcome,
                Step::Retry(failure, wait) => (failure, wait),
            };
            attempt += 1;
            if attempt > self.retries {
                return Outcome::Failed(match failure {
                    Failure::Timeout { .. } => Failure::Timeout { attempts: attempt },
                    other => other,
                });
            }
            std::thread::sleep(wait.unwrap_or_else(|| backoff(attempt - 1)));
        }
    }

    /// One attempt: requests along the redirect chain until an answer that is not a redirect.
    fn follow(&self, url: &str, want_ids: bool, first_slot: &mut Option<Slot<'a>>) -> Step {
        let mut current = url.to_string();
        let mut chain = vec![current.clone()];
        let mut moved_to = None;
        let mut permanent_so_far = true;
        for _ in 0..=MAX_REDIRECTS {
            let host = urls::host_key(&current);
            let _slot = match first_slot.take() {
                Some(slot) if slot.host() == host => slot,
                _ => self.limiter.acquire(&host),
            };
            let agent = if is_loopback(&urls::host_name(&current)) {
                &self.direct
            } else {
                &self.agent
            };
            let mut response = match agent.get(&urls::for_request(&current)).call() {
                Ok(r) => r,
                Err(e) => return classify(e),
            };
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let Some(location) = header("location") else {
                    return Step::Done(Outcome::Failed(Failure::Invalid(format!(
                        "answered {} without a `Location`",
                        status_text(status)
                    ))));
                };
                let next = urls::resolve(&current, &location);
                if urls::split_http(&next).is_none() {
                    return Step::Done(Outcome::Failed(Failure::Invalid(format!(
                        "redirects to `{next}`, which is not an http(s) URL"
                    ))));
                }
                let seen = chain.iter().position(|u| *u == next);
                chain.push(next.clone());
                if let Some(first) = seen {
                    return Step::Done(Outcome::Failed(Failure::RedirectLoop(
                        chain.split_off(first),
                    )));
                }
                if permanent_so_far && matches!(status, 301 | 308) {
                    moved_to = Some(next.clone());
                } else {
                    permanent_so_far = false;
                }
                current = next;
                continue;
            }
            let final_url = (current != url).then(|| current.clone());
            if status == 429 || status >= 500 {
                let wait = header("retry-after").and_then(|v| retry_after(&v, SystemTime::now()));
                return Step::Retry(Failure::Status { status, final_url }, wait);
            }
            if status >= 400 {
                return Step::Done(Outcome::Failed(Failure::Status { status, final_url }));
            }
            let html = header("content-type").is_some_and(|t| {
                let mime = t
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "text/html" || mime == "application/xhtml+xml"
            });
            let (mut ids, mut truncated) = (None, false);
            if want_ids && html {
                let mut body = Vec::new();
                let read = response
                    .body_mut()
                    .as_reader()
                    .take(MAX_BODY + 1)
                    .read_to_end(&mut body);
                if let Err(e) = read {
                    return if e.kind() == std::io::ErrorKind::TimedOut {
                        Step::Retry(Failure::Timeout { attempts: 1 }, None)
                    } else {
                        Step::Retry(Failure::Unreachable(e.to_string()), None)
                    };
                }
                truncated = body.len() as u64 > MAX_BODY;
                body.truncate(MAX_BODY as usize);
                let github = fragment::is_github(&urls::host_name(&current));
                ids = Some(fragment::collect_ids(
                    &String::from_utf8_lossy(&body),
                    github,
                ));
            }
            return Step::Done(Outcome::Page(Page {
                status,
                final_url: current,
                moved_to,
                html,
                ids,
                truncated,
            }));
        }
        Step::Done(Outcome::Failed(Failure::TooManyRedirects))
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Which failures are worth another attempt.
fn classify(error: ureq::Error) -> Step {
    use ureq::Error as E;
    let timeout = Failure::Timeout { attempts: 1 };
    match error {
        E::Timeout(_) => Step::Retry(timeout, None),
        E::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => Step::Retry(timeout, None),
        // The system resolver's errors come as plain I/O errors.
        E::Io(e) if e.to_string().contains("lookup address") => {
            let failure = Failure::Unreachable(format!("host not found ({e})"));
            if e.to_string().contains("Temporary failure") {
                Step::Retry(failure, None)
            } else {
                Step::Done(Outcome::Failed(failure))
            }
        }
        E::Io(e) => Step::Retry(Failure::Unreachable(e.to_string()), None),
        E::ConnectionFailed => Step::Retry(Failure::Unreachable("connection failed".into()), None),
        E::HostNotFound => Step::Done(Outcome::Failed(Failure::Unreachable(
            "host not found (DNS lookup failed)".into(),
        ))),
        e @ (E::Tls(_) | E::Rustls(_) | E::Pem(_) | E::TlsRequired) => Step::Done(Outcome::Failed(
            Failure::Unreachable(format!("TLS error: {e}")),
        )),
        e @ (E::BadUri(_) | E::Http(_)) => Step::Done(Outcome::Failed(Failure::Invalid(format!(
            "is not a valid URL: {e}"
        )))),
        e => Step::Done(Outcome::Failed(Failure::Unreachable(e.to_string()))),
    }
}

/// 0.5 s, 1 s, 2 s, … capped at `MAX_BACKOFF`, before retry number `n + 1`.
pub fn backoff(n: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << n.min(16))).min(MAX_BACKOFF)
}

/// A `Retry-After` value (seconds or an HTTP date), capped at `MAX_RETRY_AFTER`.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            at.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// `404 Not Found`.
pub fn status_text(status: u16) -> String {
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let ms: Vec<u128> = (0..6).map(|n| backoff(n).as_millis()).collect();
        assert_eq!(ms, [500, 1000, 2000, 4000, 8000, 8000]);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(retry_after(" 120 ", now), Some(MAX_RETRY_AFTER));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(5));
        assert_eq!(retry_after(&later, now), Some(Duration::from_secs(5)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn status_texts() {
        assert_eq!(status_text(404), "404 Not Found");
        assert_eq!(status_text(999), "999");
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("127.0.0.1") && is_loopback("localhost") && is_loopback("[::1]"));
        assert!(!is_loopback("example.org") && !is_loopback("10.0.0.1"));
    }
}
