//! The CS rate limit (spec §7): a fixed window of N calls per W seconds for the whole
//! subscription (every user together), in real time. `/auth` and the control routes are not
//! counted.

use std::time::Duration;
use tokio::time::Instant;

/// The outcome of counting one call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The call may go on.
    pub allowed: bool,
    /// `X-RateLimit-Limit`.
    pub limit: u64,
    /// `X-RateLimit-Window-Sec`.
    pub window_secs: u64,
    /// `X-RateLimit-Remaining` after this call.
    pub remaining: u64,
    /// Whole seconds until the window resets (at least 1): `X-RateLimit-ToWait-Sec`,
    /// `Retry-After`.
    pub wait_secs: u64,
}

/// A fixed-window counter.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u64,
    window: Duration,
    window_start: Option<Instant>,
    used: u64,
}

impl RateLimiter {
    /// `limit` calls per `window` (a zero window counts as one second).
    pub fn new(limit: u64, window: Duration) -> Self {
        RateLimiter {
            limit,
            window: window.max(Duration::from_millis(1)),
            window_start: None,
            used: 0,
        }
    }

    /// The limit and window.
    pub fn config(&self) -> (u64, Duration) {
        (self.limit, self.window)
    }

    fn roll(&mut self, now: Instant) {
        match self.window_start {
            Some(s) if now.duration_since(s) < self.window => {}
            _ => {
                self.window_start = Some(now);
                self.used = 0;
            }
        }
    }

    fn decision(&self, now: Instant, allowed: bool) -> Decision {
        let elapsed = self
            .window_start
            .map(|s| now.duration_since(s))
            .unwrap_or_default();
        let left = self.window.saturating_sub(elapsed);
        Decision {
            allowed,
            limit: self.limit,
            window_secs: self.window.as_secs_f64().ceil() as u64,
            remaining: self.limit.saturating_sub(self.used),
            wait_secs: (left.as_secs_f64().ceil() as u64).max(1),
        }
    }

    /// Counts one call now.
    pub fn check(&mut self) -> Decision {
        let now = Instant::now();
        self.roll(now);
        if self.used < self.limit {
            self.used += 1;
            self.decision(now, true)
        } else {
            self.decision(now, false)
        }
    }

    /// The state without counting a call (for answers that are not counted, e.g. 401).
    pub fn peek(&mut self) -> Decision {
        let now = Instant::now();
        self.roll(now);
        self.decision(now, true)
    }

    /// Forgets every call.
    pub fn reset(&mut self) {
        self.window_start = None;
        self.used = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn counts_calls_per_window_and_resets() {
        let mut r = RateLimiter::new(2, Duration::from_secs(10));
        assert_eq!(r.check().remaining, 1);
        tokio::time::advance(Duration::from_millis(3_500)).await;
        let d = r.check();
        assert!(d.allowed);
        assert_eq!(d.remaining, 0);
        let d = r.check();
        assert!(!d.allowed);
        assert_eq!(d.wait_secs, 7);
        assert_eq!(r.peek().remaining, 0);
        tokio::time::advance(Duration::from_secs(7)).await;
        let d = r.check();
        assert!(d.allowed);
        assert_eq!((d.limit, d.window_secs, d.remaining), (2, 10, 1));
        r.reset();
        assert_eq!(r.peek().remaining, 2);
    }
}
