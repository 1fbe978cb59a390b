//! The life of a schedule's jobs, driven by the emulator clock (pure: no I/O).
//!
//! On demand: `Created` → `Queued` → `Running` (listing, then scanning) → `Completed` (or
//! `Failed`), one step of clock time apart (1 s by default), so a job takes four steps.
//! Automatic: `Created` until the first run time of [`qualys_cs_core::next_runs`]; each run
//! time fires a job (`Queued` → `Running` → `Completed`/`Failed`), and the next run time is
//! computed again. A run time that comes while a job is still going is skipped.

use crate::store::{Phase, ScheduleRow};
use qualys_cs_core::{JobError, ScheduleRequest, ScheduleStatus, next_runs};
use serde::{Deserialize, Serialize};

/// How jobs end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobOutcome {
    /// `Completed`.
    #[default]
    Completed,
    /// `Failed`, with an entry in `errors`.
    Failed,
}

/// Job timing and outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobSettings {
    /// Clock milliseconds per step (at least 1).
    pub step_ms: i64,
    /// How jobs end.
    pub outcome: JobOutcome,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            step_ms: 1_000,
            outcome: JobOutcome::Completed,
        }
    }
}

/// Most events one schedule may go through in one clock move (a guard against advancing a
/// daily schedule by centuries).
pub const MAX_EVENTS_PER_SYNC: usize = 200_000;

/// The first run time strictly after `after_ms` (None for on-demand schedules).
pub fn next_fire(req: &ScheduleRequest, created_ms: i64, after_ms: i64) -> Option<i64> {
    let created = crate::clock::ms_to_timestamp(created_ms);
    let after = crate::clock::ms_to_timestamp(after_ms);
    next_runs(req, created, after, 1)
        .ok()?
        .first()
        .map(|t| t.as_millisecond())
}

/// A new schedule's row at `now_ms` (the clock's now: `created`, `updated` and `anchor`; the
/// caller may then stamp `created`/`updated`); the request's unknown fields go to `row.extra`.
pub fn new_row(
    id: String,
    registry_id: String,
    mut request: ScheduleRequest,
    now_ms: i64,
    settings: JobSettings,
) -> ScheduleRow {
    let extra = std::mem::take(&mut request.extra);
    let mut row = ScheduleRow {
        seq: 0,
        id,
        registry_id,
        status: ScheduleStatus::Created,
        phase: None,
        created: now_ms,
        updated: now_ms,
        anchor: now_ms,
        dates: Default::default(),
        errors: Vec::new(),
        next_step: None,
        next_fire: None,
        runs: 0,
        request,
        extra,
    };
    if row.request.on_demand {
        row.phase = Some(Phase::Created);
        row.next_step = Some(now_ms.saturating_add(settings.step_ms));
    } else {
        row.next_fire = next_fire(&row.request, now_ms, now_ms);
    }
    row
}

/// The time of the row's next event, if any.
pub fn next_event(row: &ScheduleRow) -> Option<i64> {
    match (row.next_step, row.next_fire) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Applies every event due at or before `now_ms`, in time order. Returns true when the row
/// changed.
pub fn advance(row: &mut ScheduleRow, now_ms: i64, settings: JobSettings) -> bool {
    let mut changed = false;
    for _ in 0..MAX_EVENTS_PER_SYNC {
        let step_due = row.next_step.filter(|t| *t <= now_ms);
        let fire_due = row.next_fire.filter(|t| *t <= now_ms);
        match (step_due, fire_due) {
            (None, None) => return changed,
            // A step at the same time as a fire goes first: it may finish the previous job.
            (Some(s), Some(f)) if s <= f => step(row, s, settings),
            (Some(s), None) => step(row, s, settings),
            (_, Some(f)) => fire(row, f, settings),
        }
        changed = true;
    }
    tracing::warn!(
        schedule = %row.id,
        "more than {MAX_EVENTS_PER_SYNC} job events in one clock move; the rest wait for the next move"
    );
    changed
}

fn step(row: &mut ScheduleRow, t: i64, settings: JobSettings) {
    let next = Some(t.saturating_add(settings.step_ms));
    match row.phase {
        Some(Phase::Created) => {
            row.phase = Some(Phase::Queued);
            row.status = ScheduleStatus::Queued;
            row.next_step = next;
        }
        Some(Phase::Queued) => {
            row.phase = Some(Phase::Listing);
            row.status = ScheduleStatus::Running;
            row.dates.start = Some(t);
            row.dates.listing_start = Some(t);
            row.next_step = next;
        }
        Some(Phase::Listing) => {
            row.phase = Some(Phase::Scanning);
            row.dates.listing_completion = Some(t);
            row.dates.scanning_start = Some(t);
            row.next_step = next;
        }
        Some(Phase::Scanning) => {
            row.phase = None;
            row.next_step = None;
            row.dates.scanning_completion = Some(t);
            row.dates.completion = Some(t);
            row.runs += 1;
            match settings.outcome {
                JobOutcome::Completed => row.status = ScheduleStatus::Completed,
                JobOutcome::Failed => {
                    row.status = ScheduleStatus::Failed;
                    row.errors = vec![JobError {
                        error_code: Some(serde_json::json!("EMULATED_SCAN_FAILURE")),
                        error_message: Some(
                            "the emulator is configured to fail jobs (jobs.outcome = Failed)"
                                .into(),
                        ),
                        context_params: Some(serde_json::json!([])),
                        extra: Default::default(),
                    }];
                }
            }
        }
        None => row.next_step = None,
    }
}

fn fire(row: &mut ScheduleRow, t: i64, settings: JobSettings) {
    if row.phase.is_none() {
        row.phase = Some(Phase::Queued);
        row.status = ScheduleStatus::Queued;
        row.dates = Default::default();
        row.errors.clear();
        row.next_step = Some(t.saturating_add(settings.step_ms));
    } else {
        tracing::debug!(schedule = %row.id, "run time reached while a job is going: skipped");
    }
    row.next_fire = next_fire(&row.request, row.anchor, t);
}

/// Cancels the job at `now_ms` (the schedule itself keeps its run times).
pub fn cancel(row: &mut ScheduleRow, now_ms: i64) {
    if row.dates.start.is_some() && row.dates.completion.is_none() {
        row.dates.completion = Some(now_ms);
    }
    row.phase = None;
    row.next_step = None;
    row.status = ScheduleStatus::Canceled;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const DAY: i64 = 86_400_000;

    fn t0() -> i64 {
        "2026-01-01T00:00:00Z"
            .parse::<jiff::Timestamp>()
            .expect("ts")
            .as_millisecond()
    }

    #[test]
    fn on_demand_moves_one_status_per_step() {
        let req = ScheduleRequest::on_demand("o")
            .repo("a")
            .build()
            .expect("valid");
        let s = JobSettings::default();
        let mut row = new_row("id".into(), "r".into(), req, t0(), s);
        let mut seen = vec![row.status.to_string()];
        for k in 1..=4 {
            assert!(advance(&mut row, t0() + k * 1_000, s));
            seen.push(row.status.to_string());
        }
        assert_eq!(
            seen,
            ["Created", "Queued", "Running", "Running", "Completed"]
        );
        assert_eq!(row.dates.start, Some(t0() + 2_000));
        assert_eq!(row.dates.listing_completion, Some(t0() + 3_000));
        assert_eq!(row.dates.completion, Some(t0() + 4_000));
        assert!(!advance(&mut row, t0() + DAY, s));
        assert_eq!(next_event(&row), None);
    }

    #[test]
    fn daily_schedule_fires_each_day_and_can_fail() {
        let req = ScheduleRequest::daily("d", "06:00")
            .repo("a")
            .build()
            .expect("valid");
        let s = JobSettings {
            step_ms: 60_000,
            outcome: JobOutcome::Failed,
        };
        let mut row = new_row("id".into(), "r".into(), req, t0(), s);
        assert_eq!(row.next_fire, Some(t0() + 6 * 3_600_000));
        advance(&mut row, t0() + 6 * 3_600_000, s);
        assert_eq!(row.status, ScheduleStatus::Queued);
        advance(&mut row, t0() + DAY, s);
        assert_eq!(row.status, ScheduleStatus::Failed);
        assert_eq!(row.errors.len(), 1);
        assert_eq!(row.runs, 1);
        advance(&mut row, t0() + 3 * DAY, s);
        assert_eq!(row.runs, 3);
        assert_eq!(row.next_fire, Some(t0() + 3 * DAY + 6 * 3_600_000));
        assert_eq!(
            row.dates.start,
            Some(t0() + 2 * DAY + 6 * 3_600_000 + 60_000)
        );
    }

    #[test]
    fn cancel_stops_the_job_but_not_the_schedule() {
        let req = ScheduleRequest::daily("d", "00:30")
            .repo("a")
            .build()
            .expect("valid");
        let s = JobSettings::default();
        let mut row = new_row("id".into(), "r".into(), req, t0(), s);
        advance(&mut row, t0() + 30 * 60_000 + 1_500, s);
        assert_eq!(row.status, ScheduleStatus::Running);
        cancel(&mut row, t0() + 30 * 60_000 + 1_600);
        assert_eq!(row.status, ScheduleStatus::Canceled);
        assert_eq!(row.dates.completion, Some(t0() + 30 * 60_000 + 1_600));
        assert_eq!(next_event(&row), Some(t0() + DAY + 30 * 60_000));
    }
}
