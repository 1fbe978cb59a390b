//! Local time zones: daily and weekly schedules written as a local time in an IANA zone
//! ("every Monday 02:00 Europe/Berlin"), converted to the fixed UTC time (and, when the
//! conversion crosses midnight, the shifted weekday) that Qualys runs on.
//!
//! Qualys has no notion of zones: a UTC schedule stays put while the zone's offset moves with
//! daylight-saving time. [`local_to_utc`] therefore reports a `dst_shift` warning for each
//! offset change in the year after the reference instant, saying by how much the local run time
//! will move. The zone database is bundled (no file-system access).

use crate::builder::{DailyKind, ScheduleBuilder, WeeklyKind};
use crate::enums::WeekDay;
use crate::error::{Error, Violation};
use crate::model::ScheduleRequest;
use crate::validate::parse_hh_mm;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

/// The result of converting a local run time to Qualys's UTC fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LocalConversion {
    /// The IANA zone, e.g. `Europe/Berlin`.
    pub zone: String,
    /// The local time asked for, `HH:MM`.
    pub local_time: String,
    /// The local weekday asked for (weekly schedules).
    pub local_week_day: Option<WeekDay>,
    /// The UTC `schedule` value to send.
    pub utc_time: String,
    /// The UTC `weekDay` to send (weekly schedules; shifted when the conversion crosses midnight).
    pub utc_week_day: Option<WeekDay>,
    /// Days the UTC run is shifted from the local day: -1, 0 or +1.
    pub day_shift: i8,
    /// The zone's UTC offset used for the conversion, in minutes (at the first run after the
    /// reference instant).
    pub offset_minutes: i32,
    /// `dst_shift` warnings: when daylight-saving time moves the local run time, and by how much.
    pub warnings: Vec<Violation>,
}

fn zone_error(zone: &str) -> Error {
    Error::validation(vec![Violation::new(
        "/timezone",
        "unknown_time_zone",
        format!(
            "timezone {zone:?} is not an IANA time zone name; use a name such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\""
        ),
    )])
}

/// Looks up an IANA zone in the bundled database.
pub fn zone(name: &str) -> Result<TimeZone, Error> {
    if name.trim().is_empty() {
        return Err(zone_error(name));
    }
    jiff::tz::db()
        .get(name.trim())
        .map_err(|_| zone_error(name))
}

fn time_error(path: &str, s: &str) -> Error {
    Error::validation(vec![Violation::new(
        path,
        "invalid_schedule_time",
        format!("the local time must be HH:MM between 00:00 and 23:59, e.g. \"02:00\"; got {s:?}"),
    )])
}

fn hh_mm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn fmt_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

fn range(e: impl std::fmt::Display) -> Error {
    Error::validation(vec![Violation::new(
        "",
        "time_out_of_range",
        format!("date out of the supported range: {e}"),
    )])
}

fn weekday_of(d: Date) -> WeekDay {
    WeekDay::from_index_from_monday(d.weekday().to_monday_zero_offset() as u8)
}

/// Converts a local run time (`HH:MM` in `zone_name`, optionally on a weekday) to the UTC
/// fields Qualys needs, using the zone's offset at the first such run after `reference`.
pub fn local_to_utc(
    local_time: &str,
    week_day: Option<&WeekDay>,
    zone_name: &str,
    reference: Timestamp,
) -> Result<LocalConversion, Error> {
    let tz = zone(zone_name)?;
    let (h, m) = parse_hh_mm(local_time).ok_or_else(|| time_error("/schedule", local_time))?;
    let time = Time::new(h as i8, m as i8, 0, 0).map_err(range)?;
    if let Some(WeekDay::Other(s)) = week_day {
        return Err(Error::validation(vec![Violation::new(
            "/weekDay",
            "invalid_week_day",
            format!(
                "weekDay must be one of {}; got {s:?}",
                WeekDay::known_list()
            ),
        )]));
    }

    // The first local occurrence after the reference instant.
    let mut day = tz.to_datetime(reference).date();
    if let Some(wd) = week_day.and_then(|w| w.index_from_monday()) {
        let ahead =
            (i64::from(wd) - i64::from(day.weekday().to_monday_zero_offset())).rem_euclid(7);
        day = day.checked_add(Span::new().days(ahead)).map_err(range)?;
    }
    let step = if week_day.is_some() { 7 } else { 1 };
    let mut run = to_instant(&tz, day.to_datetime(time))?;
    if run <= reference {
        day = day.checked_add(Span::new().days(step)).map_err(range)?;
        run = to_instant(&tz, day.to_datetime(time))?;
    }

    let offset = tz.to_offset(run);
    let utc = Offset::UTC.to_datetime(run);
    let day_shift: i8 = match utc.date().cmp(&day) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    };
    let offset_minutes = offset.seconds() / 60;

    let mut warnings = Vec::new();
    let horizon = run
        .checked_add(jiff::SignedDuration::from_hours(24 * 366))
        .map_err(range)?;
    let mut last = offset;
    for tr in tz.following(run) {
        if tr.timestamp() > horizon {
            break;
        }
        let new = tr.offset();
        if new == last {
            continue;
        }
        let new_minutes = new.seconds() / 60;
        let delta = new_minutes - offset_minutes;
        let shifted = utc
            .time()
            .wrapping_add(Span::new().minutes(i64::from(new_minutes)));
        let moved = if delta == 0 {
            format!("runs at {local_time} local time again")
        } else {
            format!(
                "runs at {} local time instead of {local_time} ({}{} min)",
                hh_mm(shifted),
                if delta > 0 { "+" } else { "-" },
                delta.abs()
            )
        };
        warnings.push(Violation::new(
            "/timezone",
            "dst_shift",
            format!(
                "Qualys runs schedules in fixed UTC ({} UTC); from {} {zone_name} is {}, so the scan {moved}",
                hh_mm(utc.time()),
                tz.to_datetime(tr.timestamp()).date(),
                fmt_offset(new_minutes),
            ),
        ));
        last = new;
    }

    Ok(LocalConversion {
        zone: zone_name.trim().to_owned(),
        local_time: local_time.to_owned(),
        local_week_day: week_day.cloned(),
        utc_time: hh_mm(utc.time()),
        utc_week_day: week_day.map(|_| weekday_of(utc.date())),
        day_shift,
        offset_minutes,
        warnings,
    })
}

fn to_instant(tz: &TimeZone, dt: DateTime) -> Result<Timestamp, Error> {
    // A local time in a DST gap resolves to the later offset ("compatible" rule).
    tz.to_ambiguous_timestamp(dt).compatible().map_err(range)
}

impl ScheduleRequest {
    /// A daily schedule at a local time in an IANA zone, converted to UTC at the offset in
    /// effect at the first run after `reference` (usually now). The conversion carries the
    /// DST warnings.
    pub fn daily_in_zone(
        name: impl Into<String>,
        local_time: &str,
        zone_name: &str,
        reference: Timestamp,
    ) -> Result<(ScheduleBuilder<DailyKind>, LocalConversion), Error> {
        let c = local_to_utc(local_time, None, zone_name, reference)?;
        Ok((ScheduleRequest::daily(name, c.utc_time.clone()), c))
    }

    /// A weekly schedule on a local weekday and time in an IANA zone; the UTC weekday shifts
    /// when the conversion crosses midnight.
    pub fn weekly_in_zone(
        name: impl Into<String>,
        day: WeekDay,
        local_time: &str,
        zone_name: &str,
        reference: Timestamp,
    ) -> Result<(ScheduleBuilder<WeeklyKind>, LocalConversion), Error> {
        let c = local_to_utc(local_time, Some(&day), zone_name, reference)?;
        let utc_day = c.utc_week_day.clone().unwrap_or(day);
        Ok((
            ScheduleRequest::weekly(name, utc_day).at(c.utc_time.clone()),
            c,
        ))
    }
}

/// The next `n` runs (see [`crate::next_runs`]) shown in a zone, as RFC 3339 text with the
/// zone's offset and name, e.g. `2026-12-03T10:30:00+01:00[Europe/Berlin]`.
pub fn next_runs_in_zone(
    req: &ScheduleRequest,
    created_at: Timestamp,
    after: Timestamp,
    n: usize,
    zone_name: &str,
) -> Result<Vec<String>, Error> {
    let tz = zone(zone_name)?;
    Ok(crate::next_runs(req, created_at, after, n)?
        .into_iter()
        .map(|t| t.to_zoned_datetime(tz.clone()).to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("ts")
    }

    #[test]
    fn monday_early_morning_in_berlin_is_sunday_in_utc() {
        let (b, c) = ScheduleRequest::weekly_in_zone(
            "w",
            WeekDay::Monday,
            "00:30",
            "Europe/Berlin",
            ts("2026-01-10T00:00:00Z"),
        )
        .expect("converts");
        assert_eq!(c.utc_time, "23:30");
        assert_eq!(c.utc_week_day, Some(WeekDay::Sunday));
        assert_eq!(c.day_shift, -1);
        assert_eq!(c.offset_minutes, 60);
        let req = b.repo("a").build().expect("valid");
        assert_eq!(req.week_day, Some(WeekDay::Sunday));
        assert_eq!(req.schedule.as_deref(), Some("23:30"));
        // Winter reference: the spring change moves the local run an hour later.
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(
            c.warnings[0]
                .message
                .contains("01:30 local time instead of 00:30 (+60 min)")
        );
        assert!(c.warnings[0].message.contains("2026-03-29"));
    }

    #[test]
    fn utc_and_fixed_zones_have_no_dst_warning() {
        let c =
            local_to_utc("19:30", None, "Asia/Kolkata", ts("2026-06-01T00:00:00Z")).expect("ok");
        assert_eq!(c.utc_time, "14:00");
        assert!(c.warnings.is_empty());
        let c = local_to_utc("19:30", None, "UTC", ts("2026-06-01T00:00:00Z")).expect("ok");
        assert_eq!(c.utc_time, "19:30");
    }

    #[test]
    fn bad_zone_and_time_name_the_field() {
        let e = local_to_utc("19:30", None, "Mars/Olympus", ts("2026-06-01T00:00:00Z"))
            .expect_err("bad");
        assert_eq!(e.violations()[0].code, "unknown_time_zone");
        let e = local_to_utc("7pm", None, "UTC", ts("2026-06-01T00:00:00Z")).expect_err("bad");
        assert_eq!(e.violations()[0].path, "/schedule");
    }
}
