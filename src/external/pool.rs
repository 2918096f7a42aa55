//! The work queue and per-host limit. Workers take the first pending job whose host has a free
//! slot (so a busy host does not hold up the others); every request holds a `Slot` of its host
//! while it is in flight, and later requests of a job (retries, redirect hops, possibly to
//! other hosts) take one with `acquire`. Overall concurrency is the number of workers.

use std::collections::{HashMap, VecDeque};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

pub struct HostLimiter {
    per_host: usize,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    /// (job index, host key), in job order.
    pending: VecDeque<(usize, String)>,
    in_flight: HashMap<String, usize>,
}

/// A request slot for one host, released on drop.
pub struct Slot<'a> {
    limiter: &'a HostLimiter,
    host: String,
}

impl Slot<'_> {
    pub fn host(&self) -> &str {
        &self.host
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut state = self.limiter.lock();
        if let Some(n) = state.in_flight.get_mut(&self.host) {
            *n -= 1;
            if *n == 0 {
                state.in_flight.remove(&self.host);
            }
        }
        drop(state);
        self.limiter.freed.notify_all();
    }
}

impl HostLimiter {
    /// `hosts[i]` is the host key of job `i`.
    pub fn new(hosts: Vec<String>, per_host: usize) -> Self {
        HostLimiter {
            per_host: per_host.max(1),
            state: Mutex::new(State {
                pending: hosts.into_iter().enumerate().collect(),
                in_flight: HashMap::new(),
            }),
            freed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next job and a slot of its host; waits while every pending job's host is full;
    /// `None` when no job is left.
    pub fn next_job(&self) -> Option<(usize, Slot<'_>)> {
        let mut state = self.lock();
        loop {
            if state.pending.is_empty() {
                return None;
            }
            let free = state.pending.iter().position(|(_, host)| {
                state.in_flight.get(host).copied().unwrap_or(0) < self.per_host
            });
            if let Some(pos) = free {
                let (job, host) = state.pending.remove(pos).expect("position is in range");
                *state.in_flight.entry(host.clone()).or_default() += 1;
                return Some((
                    job,
                    Slot {
                        limiter: self,
                        host,
                    },
                ));
            }
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// A slot of `host`, waiting until one is free.
    pub fn acquire(&self, host: &str) -> Slot<'_> {
        let mut state = self.lock();
        while state.in_flight.get(host).copied().unwrap_or(0) >= self.per_host {
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *state.in_flight.entry(host.to_string()).or_default() += 1;
        Slot {
            limiter: self,
            host: host.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn never_more_than_per_host_in_flight() {
        let hosts: Vec<String> = (0..12).map(|i| format!("h{}", i % 2)).collect();
        let limiter = HostLimiter::new(hosts, 2);
        let now = [AtomicUsize::new(0), AtomicUsize::new(0)];
        let max = [AtomicUsize::new(0), AtomicUsize::new(0)];
        let done = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..6 {
                s.spawn(|| {
                    while let Some((job, slot)) = limiter.next_job() {
                        let h = job % 2;
                        assert_eq!(slot.host(), format!("h{h}"));
                        let n = now[h].fetch_add(1, Ordering::SeqCst) + 1;
                        max[h].fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(5));
                        now[h].fetch_sub(1, Ordering::SeqCst);
                        drop(slot);
                        let again = limiter.acquire(&format!("h{h}"));
                        drop(again);
                        done.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(done.load(Ordering::SeqCst), 12);
        assert!(max.iter().all(|m| m.load(Ordering::SeqCst) <= 2));
    }
}
