//! The emulator's clock.
//!
//! *Virtual* (the default): frozen at its start time and moved only by
//! [`Clock::advance`] (`POST /_emulator/clock/advance`), so tests decide exactly when tokens
//! expire and jobs move. *Real time*: the machine's time plus every advance, for demos.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    /// Virtual: the current time. Real time: the offset added to the machine's time.
    value_ms: Mutex<i64>,
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
            value_ms: Mutex::new(value),
        }
    }

    /// The mode.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    fn value(&self) -> i64 {
        match self.value_ms.lock() {
            Ok(g) => *g,
            Err(p) => *p.into_inner(),
        }
    }

    /// Now, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        match self.mode {
            ClockMode::Virtual => self.value(),
            ClockMode::Realtime => real_now_ms().saturating_add(self.value()),
        }
    }

    /// Now, as a timestamp.
    pub fn now(&self) -> jiff::Timestamp {
        ms_to_timestamp(self.now_ms())
    }

    /// Moves the clock forward by `by`; returns the new time (ms).
    pub fn advance(&self, by: Duration) -> i64 {
        let add = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let mut g = match self.value_ms.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        *g = g.saturating_add(add);
        drop(g);
        self.now_ms()
    }
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
    fn realtime_clock_follows_the_machine_plus_advances() {
        let start = real_now_ms() + 3_600_000;
        let c = Clock::new(ClockMode::Realtime, start);
        assert!((c.now_ms() - start).abs() < 1_000);
        c.advance(Duration::from_secs(60));
        assert!((c.now_ms() - start - 60_000).abs() < 1_000);
    }
}
