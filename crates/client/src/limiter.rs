//! The client-side rate limiter of `/csapi` calls; see [`crate::RateLimitPolicy`].
//!
//! A sliding log of send instants: at most `limit` sends within any `window` (+ a latency
//! margin of 25 ms that doubles after each 429, so the budget is spent in full). The limit and window are learned from `X-RateLimit-Limit` /
//! `X-RateLimit-Window-Sec`; `X-RateLimit-Remaining` below what the log allows adds
//! placeholder entries (budget used by someone else, or a server window not aligned with
//! ours), so `Remaining: 0` waits for the window; a 429 blocks every sender for
//! `X-RateLimit-ToWait-Sec` / `Retry-After`. A semaphore caps requests in flight.

use crate::config::RateLimitPolicy;
use reqwest::header::HeaderMap;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

struct State {
    limit: u32,
    window: Duration,
    /// An answer has been seen (until then one probe request at a time).
    learned: bool,
    probing: bool,
    /// Send instants with a weight (1 for our sends; more for budget used elsewhere).
    log: VecDeque<(Instant, u64)>,
    /// Sum of the weights in `log`.
    used: u64,
    blocked_until: Option<Instant>,
    /// Latency allowance added to the window: a send is counted by the server when it
    /// arrives, not when it leaves. Starts small so the budget is spent in full; every 429
    /// doubles it (up to a tenth of the window).
    margin: Duration,
}

/// The first latency allowance.
const MIN_MARGIN: Duration = Duration::from_millis(25);

impl State {
    fn horizon(&self) -> Duration {
        self.window + self.margin
    }

    fn prune(&mut self, now: Instant) {
        let horizon = self.horizon();
        while let Some(&(t, weight)) = self.log.front() {
            if now.saturating_duration_since(t) >= horizon {
                self.log.pop_front();
                self.used = self.used.saturating_sub(weight);
            } else {
                break;
            }
        }
    }

    fn record(&mut self, at: Instant, weight: u64) {
        self.log.push_back((at, weight));
        self.used = self.used.saturating_add(weight);
    }
}

pub(crate) struct Limiter {
    enabled: bool,
    semaphore: Arc<Semaphore>,
    state: Mutex<State>,
    probe_done: Notify,
}

/// Held while a request is in flight.
pub(crate) struct Permit<'a> {
    _slot: Option<OwnedSemaphorePermit>,
    probe: Option<&'a Limiter>,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(l) = self.probe {
            // The probe ended (answer seen, failed or cancelled): let the next one go.
            l.lock().probing = false;
            l.probe_done.notify_waiters();
        }
    }
}

enum Next {
    Go { probe: bool },
    Sleep(Duration),
    WaitProbe,
}

impl Limiter {
    pub fn new(policy: RateLimitPolicy) -> Self {
        Limiter {
            enabled: policy.enabled,
            semaphore: Arc::new(Semaphore::new(policy.max_concurrency.max(1))),
            state: Mutex::new(State {
                limit: policy.initial_limit.max(1),
                window: policy.initial_window,
                learned: false,
                probing: false,
                log: VecDeque::new(),
                used: 0,
                blocked_until: None,
                margin: MIN_MARGIN,
            }),
            probe_done: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state inconsistent enough to
        // matter: keep going with it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a concurrency slot and room in the budget.
    pub async fn acquire(&self) -> Permit<'_> {
        if !self.enabled {
            return Permit {
                _slot: None,
                probe: None,
            };
        }
        // The semaphore is never closed, so this only fails if that changes: go without a slot.
        let slot = self.semaphore.clone().acquire_owned().await.ok();
        loop {
            let notified = self.probe_done.notified();
            let next = {
                let mut st = self.lock();
                let now = Instant::now();
                st.prune(now);
                if let Some(b) = st.blocked_until.filter(|b| *b > now) {
                    Next::Sleep(b - now)
                } else if !st.learned && st.probing {
                    Next::WaitProbe
                } else if st.used < u64::from(st.limit) {
                    st.record(now, 1);
                    let probe = !st.learned;
                    if probe {
                        st.probing = true;
                    }
                    Next::Go { probe }
                } else {
                    let oldest = st.log.front().map_or(now, |e| e.0);
                    Next::Sleep(
                        (oldest + st.horizon())
                            .saturating_duration_since(now)
                            .max(Duration::from_millis(1)),
                    )
                }
            };
            match next {
                Next::Go { probe } => {
                    return Permit {
                        _slot: slot,
                        probe: probe.then_some(self),
                    };
                }
                Next::Sleep(d) => {
                    tracing::trace!(
                        wait_ms = d.as_millis() as u64,
                        "rate limiter: waiting for budget"
                    );
                    tokio::time::sleep(d).await;
                }
                Next::WaitProbe => {
                    let _ = tokio::time::timeout(Duration::from_millis(250), notified).await;
                }
            }
        }
    }

    /// Learns from an answer's headers (and a 429).
    pub fn observe(&self, status: u16, headers: &HeaderMap) {
        if !self.enabled {
            return;
        }
        let get = |name: &str| -> Option<f64> {
            headers
                .get(name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
        };
        let mut st = self.lock();
        let now = Instant::now();
        st.learned = true;
        if let Some(limit) = get("x-ratelimit-limit").filter(|l| *l >= 1.0) {
            st.limit = limit.min(f64::from(u32::MAX)) as u32;
        }
        if let Some(w) = get("x-ratelimit-window-sec").filter(|w| *w > 0.0) {
            st.window = Duration::from_secs_f64(w.min(86_400.0));
        }
        st.prune(now);
        if let Some(remaining) = get("x-ratelimit-remaining") {
            let remaining = remaining.min(f64::from(u32::MAX)) as u64;
            let ours = u64::from(st.limit).saturating_sub(st.used);
            if remaining < ours {
                // The server has less budget left than our own sends explain.
                st.record(now, ours - remaining);
                tracing::debug!(
                    remaining,
                    "rate limiter: server budget lower than ours; adjusting"
                );
            }
        }
        if status == 429 {
            st.margin = (st.margin * 2).min((st.window / 10).max(MIN_MARGIN));
            let wait = crate::http::retry_after(headers).unwrap_or(st.window);
            let until = now + wait;
            if st.blocked_until.is_none_or(|b| b < until) {
                st.blocked_until = Some(until);
            }
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "rate limiter: 429, pausing every sender"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(limit: &str, window: &str, remaining: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            "x-ratelimit-limit",
            HeaderValue::from_str(limit).expect("v"),
        );
        h.insert(
            "x-ratelimit-window-sec",
            HeaderValue::from_str(window).expect("v"),
        );
        h.insert(
            "x-ratelimit-remaining",
            HeaderValue::from_str(remaining).expect("v"),
        );
        h
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_limit_per_window() {
        let l = Limiter::new(RateLimitPolicy {
            max_concurrency: 100,
            ..Default::default()
        });
        // Probe, then learn 5 per 1 s.
        drop(l.acquire().await);
        l.observe(200, &headers("5", "1", "4"));
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..12 {
            drop(l.acquire().await);
            at.push(start.elapsed());
        }
        // 4 more fit in the first window (the probe used one), then 5 per window.
        assert!(at[3] < Duration::from_millis(10), "{at:?}");
        assert!(at[4] >= Duration::from_secs(1), "{at:?}");
        assert!(at[9] >= Duration::from_secs(2), "{at:?}");
        for w in at.windows(6) {
            assert!(
                w[5] - w[0] >= Duration::from_secs(1),
                "6 sends within one window: {at:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn remaining_zero_waits_for_the_window_and_429_blocks() {
        let l = Limiter::new(RateLimitPolicy::default());
        drop(l.acquire().await);
        l.observe(200, &headers("100", "2", "0"));
        let start = Instant::now();
        drop(l.acquire().await);
        assert!(
            start.elapsed() >= Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );

        let mut h = headers("100", "2", "50");
        h.insert("x-ratelimit-towait-sec", HeaderValue::from_static("3"));
        l.observe(429, &h);
        let start = Instant::now();
        drop(l.acquire().await);
        assert!(
            start.elapsed() >= Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_limit_with_nothing_remaining_is_cheap() {
        let l = Limiter::new(RateLimitPolicy::default());
        drop(l.acquire().await);
        l.observe(200, &headers("4000000000", "1", "0"));
        let start = Instant::now();
        drop(l.acquire().await);
        assert!(start.elapsed() >= Duration::from_secs(1));
        assert!(l.lock().log.len() <= 3);
    }

    #[tokio::test(start_paused = true)]
    async fn one_probe_until_the_first_answer() {
        let l = Arc::new(Limiter::new(RateLimitPolicy::default()));
        let probe = l.acquire().await;
        let l2 = l.clone();
        let second = tokio::spawn(async move {
            let _p = l2.acquire().await;
            Instant::now()
        });
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(
            !second.is_finished(),
            "a second request went out before the probe ended"
        );
        let released = Instant::now();
        l.observe(200, &headers("10", "60", "9"));
        drop(probe);
        let t = second.await.expect("join");
        assert!(t >= released);
    }
}
