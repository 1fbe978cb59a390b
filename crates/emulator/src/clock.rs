//! The emulator's clock.
//!
//! *Virtual* (the default): frozen at its start time and moved only by
//! [`Clock::advance`] (`POST /_emulator/clock/advance`), so tests decide exactly when tokens
//! expire and jobs move. *Real time*: the machine's time plus every advance, for demos.
//!
//! Besides [`Clock::now_ms`], which drives jobs and tokens, the clock gives **stamps**
//! ([`Clock::stamp_ms`]): the instants written into `created`/`updated`, error `timestamp`s,
//! the journal and the `Date` header of every answer. In real-time mode a stamp is the clock's
//! now; in virtual mode it is the virtual now plus the real time elapsed since the virtual
//! clock last changed, so two creates 1.2 s apart get `created` values 1.2 s apart even on a
//! frozen clock, and a client that learns the server's time from `Date` compares it with
//! `created` on one scale. Stamps never go back and never run ahead of the clock (a burst of
//! requests must not make the server's clock run fast: a client that learns the offset from
//! `Date` relies on it), and they never change what jobs and tokens do.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How the clock moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    /// Frozen until advanced.
    Virtual,
    /// Real time plus the sum of advances.
    Realtime,
}

impl ClockMode {
    /// `"virtual"` or `"realtime"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClockMode::Virtual => "virtual",
            ClockMode::Realtime => "realtime",
        }
    }
}

/// The machine's time in epoch milliseconds.
pub fn real_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A virtual or real-time clock with millisecond resolution.
#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Virtual: the current time. Real time: the offset added to the machine's time.
    value: i64,
    /// When `value` last changed (real time).
    changed_at: Instant,
    /// The last stamp given (stamps never go back).
    last_stamp: i64,
}

fn elapsed_ms(since: Instant) -> i64 {
    i64::try_from(since.elapsed().as_millis()).unwrap_or(i64::MAX)
}

impl Clock {
    /// A clock reading `start_ms` now.
    pub fn new(mode: ClockMode, start_ms: i64) -> Self {
        let value = match mode {
            ClockMode::Virtual => start_ms,
            ClockMode::Realtime => start_ms.saturating_sub(real_now_ms()),
        };
        Clock {
            mode,
            inner: Mutex::new(Inner {
                value,
                changed_at: Instant::now(),
                last_stamp: i64::MIN,
            }),
        }
    }

    /// The mode.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn now_of(&self, inner: &Inner) -> i64 {
        match self.mode {
            ClockMode::Virtual => inner.value,
            ClockMode::Realtime => real_now_ms().saturating_add(inner.value),
        }
    }

    /// Now, in epoch milliseconds (what jobs and tokens go by).
    pub fn now_ms(&self) -> i64 {
        let g = self.lock();
        self.now_of(&g)
    }

    /// A stamp (epoch ms) for `created`, `updated`, error timestamps, the journal and the
    /// `Date` header: virtual mode, the virtual now plus the real time elapsed since the
    /// virtual clock last changed; real-time mode, [`now_ms`](Self::now_ms). Never going
    /// back, never ahead of the clock.
    pub fn stamp_ms(&self) -> i64 {
        let mut g = self.lock();
        let candidate = match self.mode {
            ClockMode::Virtual => g.value.saturating_add(elapsed_ms(g.changed_at)),
            ClockMode::Realtime => self.now_of(&g),
        };
        let stamp = candidate.max(g.last_stamp);
        g.last_stamp = stamp;
        stamp
    }

    /// A stamp as a timestamp (see [`stamp_ms`](Self::stamp_ms)).
    pub fn stamp(&self) -> jiff::Timestamp {
        ms_to_timestamp(self.stamp_ms())
    }

    /// Makes every later stamp at least `ms` (a restart on a data directory whose
    /// schedules carry stamps of the previous run).
    pub fn stamps_after(&self, ms: i64) {
        let mut g = self.lock();
        g.last_stamp = g.last_stamp.max(ms);
    }

    /// Now, as a timestamp.
    pub fn now(&self) -> jiff::Timestamp {
        ms_to_timestamp(self.now_ms())
    }

    /// Moves the clock forward by `by`; returns the new time (ms).
    pub fn advance(&self, by: Duration) -> i64 {
        let add = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let mut g = self.lock();
        g.value = g.value.saturating_add(add);
        g.changed_at = Instant::now();
        self.now_of(&g)
    }
}

/// An HTTP `Date` value (IMF-fixdate, RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(ms: i64) -> String {
    jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&ms_to_timestamp(ms))
        .unwrap_or_else(|_| "Thu, 01 Jan 1970 00:00:00 GMT".to_owned())
}

/// Epoch ms to a timestamp, clamped to jiff's range.
pub fn ms_to_timestamp(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_moves_only_when_advanced() {
        let c = Clock::new(ClockMode::Virtual, 1_000);
        assert_eq!(c.now_ms(), 1_000);
        assert_eq!(c.advance(Duration::from_millis(1_500)), 2_500);
        assert_eq!(c.now_ms(), 2_500);
        assert_eq!(c.now().as_millisecond(), 2_500);
    }

    #[test]
    fn stamps_follow_real_time_on_a_frozen_clock_and_advances() {
        let c = Clock::new(ClockMode::Virtual, 1_000_000);
        let a = c.stamp_ms();
        assert!((1_000_000..1_000_050).contains(&a), "{a}");
        let b = c.stamp_ms();
        assert!(b >= a, "never back");
        // A burst does not make the clock run fast.
        let burst: Vec<i64> = (0..10_000).map(|_| c.stamp_ms()).collect();
        assert!(burst.windows(2).all(|w| w[1] >= w[0]));
        assert!(burst[9_999] - a < 50, "{a} {}", burst[9_999]);
        std::thread::sleep(Duration::from_millis(120));
        let d = c.stamp_ms();
        assert!((110..400).contains(&(d - a)), "{a} {d}");
        assert_eq!(c.now_ms(), 1_000_000, "the virtual now does not move");
        c.advance(Duration::from_secs(3_600));
        let e = c.stamp_ms();
        assert!((4_600_000..4_600_100).contains(&e), "{e}");
        c.stamps_after(e + 10_000);
        assert!(c.stamp_ms() >= e + 10_000);
        assert_eq!(http_date(784_111_777_000), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn realtime_clock_follows_the_machine_plus_advances() {
        let start = real_now_ms() + 3_600_000;
        let c = Clock::new(ClockMode::Realtime, start);
        assert!((c.now_ms() - start).abs() < 1_000);
        c.advance(Duration::from_secs(60));
        assert!((c.now_ms() - start - 60_000).abs() < 1_000);
    }
}
