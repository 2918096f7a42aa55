//! The reload channel: Server-Sent Events to every open page. A hub keeps one bounded queue
//! per client, written without blocking; each client's own thread drains its queue to the
//! socket (with keep-alive comments, so a dead client is noticed). A slow or vanished client
//! never blocks the others or the rebuilds: when its queue is full it is dropped.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Mutex;
use std::time::Duration;

/// The script the preview adds to every page it serves (never written by `build`): idiomorph
/// (pinned by `js/package-lock.json`, fetched by `build.rs` into `OUT_DIR`), which morphs a
/// page's new version into the open one, then `live.js`, which uses it.
pub const LIVE_JS: &str = concat!(
    include_str!(concat!(env!("OUT_DIR"), "/js/dist/idiomorph.min.js")),
    "\n",
    include_str!("live.js")
);

/// How many events may wait for one client before it counts as stuck and is dropped.
const QUEUE: usize = 64;
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<SyncSender<String>>>,
}

impl Hub {
    /// Registers a client; `first` is sent to it before anything else (the current state).
    pub fn subscribe(&self, first: Option<String>) -> EventStream {
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        if let Some(event) = first {
            let _ = tx.try_send(event);
        }
        self.clients.lock().expect("hub lock").push(tx);
        EventStream { rx }
    }

    /// Sends an event to every client; clients that are gone or stuck are dropped.
    pub fn broadcast(&self, event: &str) {
        self.clients
            .lock()
            .expect("hub lock")
            .retain(|tx| match tx.try_send(event.to_string()) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => false,
            });
    }

    pub fn len(&self) -> usize {
        self.clients.lock().expect("hub lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One SSE event in wire format.
pub fn event(name: &str, data: &str) -> String {
    let mut out = format!("event: {name}\n");
    for line in data.lines() {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    if data.is_empty() {
        out.push_str("data: \n");
    }
    out.push('\n');
    out
}

/// One client's queue of events.
pub struct EventStream {
    rx: Receiver<String>,
}

impl EventStream {
    /// The next bytes to send: an event, or after a quiet while a comment line that keeps
    /// proxies from closing the stream and fails the write once the browser has gone.
    /// `None` when the hub is gone.
    pub fn next_message(&mut self) -> Option<String> {
        match self.rx.recv_timeout(KEEP_ALIVE) {
            Ok(event) => Some(event),
            Err(RecvTimeoutError::Timeout) => Some(": keep-alive\n\n".to_string()),
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_reach_every_client_and_stuck_ones_are_dropped() {
        let hub = Hub::default();
        let mut a = hub.subscribe(Some(event("hello", "1")));
        let _stuck = hub.subscribe(None);
        for i in 0..QUEUE {
            hub.broadcast(&event("reload", &i.to_string()));
            assert!(a.next_message().unwrap().starts_with("event: "));
        }
        hub.broadcast(&event("reload", "x"));
        assert_eq!(hub.len(), 1, "the client that never read was dropped");
    }

    #[test]
    fn multi_line_data() {
        assert_eq!(
            event("errors", "a\nb"),
            "event: errors\ndata: a\ndata: b\n\n"
        );
    }
}
