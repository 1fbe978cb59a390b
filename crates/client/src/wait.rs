//! Waiters: poll a schedule until its status is terminal (or one of the statuses asked for).

use crate::{Client, Result};
use qualys_cs_core::{Error, RegistryId, Schedule, ScheduleId, ScheduleStatus};
use std::time::{Duration, Instant};

/// What to wait for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum WaitFor {
    /// A terminal status (Completed, Finished, Error, Failed, Canceled, BaselineCompleted).
    #[default]
    Terminal,
    /// Any of these statuses.
    Any(Vec<ScheduleStatus>),
}

impl WaitFor {
    fn reached(&self, s: &ScheduleStatus) -> bool {
        match self {
            WaitFor::Terminal => s.is_terminal(),
            WaitFor::Any(list) => list.contains(s),
        }
    }

    fn describe(&self) -> String {
        match self {
            WaitFor::Terminal => "a terminal status".into(),
            WaitFor::Any(list) => list
                .iter()
                .map(ScheduleStatus::as_str)
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

/// Waiter settings.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WaitOptions {
    /// What to wait for.
    pub until: WaitFor,
    /// Give up after this long (a `timeout` error naming the last status). Default 30 min.
    pub timeout: Duration,
    /// Time between polls. Default 10 s.
    pub interval: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            until: WaitFor::Terminal,
            timeout: Duration::from_secs(30 * 60),
            interval: Duration::from_secs(10),
        }
    }
}

impl Client {
    /// Polls the schedule until its status matches `options.until`, returning the schedule as
    /// last listed. A schedule that disappears is a `not_found` error; running out of time is a
    /// `timeout` error naming the last status seen. Each poll is one list call, under the rate
    /// limiter and the retry policy.
    pub async fn wait_for_schedule(
        &self,
        registry: &RegistryId,
        id: &ScheduleId,
        options: &WaitOptions,
    ) -> Result<Schedule> {
        let start = Instant::now();
        loop {
            let s = self.get_schedule(registry, id).await?;
            let status = s.status();
            if options.until.reached(&status) {
                return Ok(s);
            }
            let elapsed = start.elapsed();
            if elapsed >= options.timeout {
                return Err(Error::Timeout {
                    message: format!(
                        "schedule {id} is still {status} after {:.1} s (waiting for {})",
                        elapsed.as_secs_f64(),
                        options.until.describe()
                    ),
                });
            }
            let left = options.timeout.saturating_sub(elapsed);
            tokio::time::sleep(options.interval.min(left).max(Duration::from_millis(1))).await;
        }
    }
}
