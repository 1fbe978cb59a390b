//! When an automatic schedule runs.
//!
//! **This is this project's reading of the Qualys docs**, which describe the fields but not an
//! exact firing rule. Qualys runs schedules in fixed UTC:
//!
//! * **Daily** (`scheduleIntervalInDays = 1`): every day at `schedule` (`HH:MM` UTC).
//! * **Weekly** (`scheduleIntervalInDays = 7` with `weekDay`): every `weekDay` at `schedule`
//!   when given (Qualys's own sample sends one), else at 00:00 UTC.
//! * **Every N days** (any other interval): counted from the schedule's creation. The k-th run
//!   (k ≥ 1) is on the creation date + k·N days, at `schedule` when given, else at the creation
//!   time of day.
//! * **On demand**: runs once at creation, never again: no future runs.
//!
//! Runs are returned strictly after `max(after, created_at)`.

use crate::error::{Error, Violation};
use crate::model::ScheduleRequest;
use crate::validate::{parse_hh_mm, validate};
use jiff::civil::{Date, Time};
use jiff::{Span, Timestamp, tz::Offset};

/// The time of day of `HH:MM` (already validated).
fn time_of(s: &str) -> Option<Time> {
    parse_hh_mm(s).and_then(|(h, m)| Time::new(h as i8, m as i8, 0, 0).ok())
}

fn at_utc(date: Date, time: Time) -> Result<Timestamp, Error> {
    Offset::UTC
        .to_timestamp(date.to_datetime(time))
        .map_err(|e| range_error(e.to_string()))
}

fn range_error(msg: String) -> Error {
    Error::validation(vec![Violation::new(
        "",
        "time_out_of_range",
        format!("the next run falls outside the supported time range: {msg}"),
    )])
}

/// The next `n` run instants (UTC) of `req`, strictly after `max(after, created_at)`.
///
/// Errors when `req` does not validate. On-demand schedules have no future runs.
pub fn next_runs(
    req: &ScheduleRequest,
    created_at: Timestamp,
    after: Timestamp,
    n: usize,
) -> Result<Vec<Timestamp>, Error> {
    validate(req).into_result()?;
    if req.on_demand || n == 0 {
        return Ok(Vec::new());
    }
    let interval = req.schedule_interval_in_days.unwrap_or(1);
    let from = after.max(created_at);
    let from_date = Offset::UTC.to_datetime(from).date();
    let mut out = Vec::with_capacity(n);

    match interval {
        1 | 7 => {
            let time = req
                .schedule
                .as_deref()
                .and_then(time_of)
                .unwrap_or(Time::midnight());
            let step: i64 = interval;
            // First candidate day.
            let mut day = from_date;
            if interval == 7 {
                let want = req
                    .week_day
                    .as_ref()
                    .and_then(|w| w.index_from_monday())
                    .unwrap_or(0) as i64;
                let have = i64::from(day.weekday().to_monday_zero_offset());
                let ahead = (want - have).rem_euclid(7);
                day = day
                    .checked_add(Span::new().days(ahead))
                    .map_err(|e| range_error(e.to_string()))?;
            }
            while out.len() < n {
                let t = at_utc(day, time)?;
                if t > from {
                    out.push(t);
                }
                day = day
                    .checked_add(Span::new().days(step))
                    .map_err(|e| range_error(e.to_string()))?;
            }
        }
        _ => {
            let created = Offset::UTC.to_datetime(created_at);
            let time = req
                .schedule
                .as_deref()
                .and_then(time_of)
                .unwrap_or_else(|| created.time());
            let mut k: i64 = 1;
            // Skip whole periods before `from` cheaply.
            let elapsed_days = (from.as_second() - created_at.as_second()) / 86_400;
            if elapsed_days > interval {
                k = (elapsed_days / interval).max(1);
            }
            while out.len() < n {
                let day = created
                    .date()
                    .checked_add(Span::new().days(k * interval))
                    .map_err(|e| range_error(e.to_string()))?;
                let t = at_utc(day, time)?;
                if t > from {
                    out.push(t);
                }
                k += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WeekDay;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn daily_runs_at_the_time_each_day() {
        let r = ScheduleRequest::daily("d", "19:30")
            .repo("a")
            .build_unchecked();
        let got = next_runs(
            &r,
            ts("2026-01-01T00:00:00Z"),
            ts("2026-01-05T20:00:00Z"),
            2,
        )
        .expect("runs");
        assert_eq!(
            got,
            [ts("2026-01-06T19:30:00Z"), ts("2026-01-07T19:30:00Z")]
        );
    }

    #[test]
    fn weekly_runs_on_the_weekday() {
        // 2026-01-01 is a Thursday.
        let r = ScheduleRequest::weekly("w", WeekDay::Thursday)
            .at("06:55")
            .repo("a")
            .build_unchecked();
        let got = next_runs(
            &r,
            ts("2026-01-01T07:00:00Z"),
            ts("2026-01-01T07:00:00Z"),
            2,
        )
        .expect("runs");
        assert_eq!(
            got,
            [ts("2026-01-08T06:55:00Z"), ts("2026-01-15T06:55:00Z")]
        );
        let r = ScheduleRequest::weekly("w", WeekDay::Monday)
            .repo("a")
            .build_unchecked();
        let got = next_runs(
            &r,
            ts("2026-01-01T07:00:00Z"),
            ts("2026-01-01T07:00:00Z"),
            1,
        )
        .expect("runs");
        assert_eq!(got, [ts("2026-01-05T00:00:00Z")]);
    }

    #[test]
    fn every_n_days_counts_from_creation() {
        let r = ScheduleRequest::every_days("e", 10)
            .repo("a")
            .build_unchecked();
        let got = next_runs(
            &r,
            ts("2026-01-01T08:15:00Z"),
            ts("2026-03-01T00:00:00Z"),
            2,
        )
        .expect("runs");
        assert_eq!(
            got,
            [ts("2026-03-02T08:15:00Z"), ts("2026-03-12T08:15:00Z")]
        );
    }

    #[test]
    fn on_demand_has_no_future_runs_and_invalid_is_an_error() {
        let r = ScheduleRequest::on_demand("o").repo("a").build_unchecked();
        let now = ts("2026-01-01T00:00:00Z");
        assert!(next_runs(&r, now, now, 3).expect("ok").is_empty());
        let bad = ScheduleRequest::daily("d", "7pm")
            .repo("a")
            .build_unchecked();
        assert_eq!(
            next_runs(&bad, now, now, 1).expect_err("bad").code(),
            "validation"
        );
    }
}
