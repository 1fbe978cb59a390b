//! uniffi custom types of the models (feature `uniffi`, used by `bindings/uniffi`): how the
//! types that are not records cross to Kotlin and Swift. Nothing here has a rule of its own.
//!
//! - open enums (`WeekDay`, `RegistryType`, `ScheduleStatus`) travel as their wire text, so an
//!   unknown value is kept, never lost (Kotlin maps them to classes whose `toString()` is the
//!   wire value);
//! - [`Millis`] dates travel as instants (`java.time.Instant`, Swift `Date`), to the millisecond,
//!   and `jiff` timestamps to the nanosecond (an instant outside years -9999..=9999 is clamped);
//! - ids travel as their text;
//! - JSON values (unknown fields, job error codes, plan changes) travel as JSON text; text that
//!   is not JSON is taken as a JSON string, so a caller's `"team-a"` is not an error;
//! - counts (`usize`) travel as `u64`.

use crate::enums::{RegistryType, ScheduleStatus, WeekDay};
use crate::ids::{RegistryId, ScheduleId};
use crate::model::{Extra, Millis};
use crate::secret::Secret;
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A JSON value as JSON text.
pub type JsonValue = serde_json::Value;
/// Unknown fields: name → the field's JSON text.
pub type ExtraFields = Extra;
/// A count.
pub type Count = usize;

fn json_in(text: String) -> JsonValue {
    serde_json::from_str(&text).unwrap_or(JsonValue::String(text))
}

uniffi::custom_type!(JsonValue, String, {
    remote,
    lower: |v| v.to_string(),
    try_lift: |s| Ok(json_in(s)),
});

uniffi::custom_type!(ExtraFields, HashMap<String, String>, {
    remote,
    lower: |m| m.into_iter().map(|(k, v)| (k, v.to_string())).collect(),
    try_lift: |m| Ok(m.into_iter().map(|(k, v)| (k, json_in(v))).collect()),
});

uniffi::custom_type!(Count, u64, {
    remote,
    lower: |n| n as u64,
    try_lift: |n| Ok(usize::try_from(n).unwrap_or(usize::MAX)),
});

/// The instant of an epoch-millisecond count.
pub fn millis_to_system_time(ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH + d
    } else {
        UNIX_EPOCH - d
    }
}

/// The epoch-millisecond count of an instant (saturating far outside ±292 million years).
pub fn system_time_to_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            // round toward the past, as `Instant.toEpochMilli` does
            let ms = d.as_millis() + u128::from(d.subsec_nanos() % 1_000_000 != 0);
            i64::try_from(ms).map(|m| -m).unwrap_or(i64::MIN)
        }
    }
}

/// A `jiff` timestamp.
pub type Timestamp = jiff::Timestamp;

uniffi::custom_type!(Timestamp, SystemTime, {
    remote,
    lower: |t| SystemTime::try_from(t).unwrap_or_else(|_| millis_to_system_time(t.as_millisecond())),
    try_lift: |t| Ok(Timestamp::try_from(t).unwrap_or(if t < UNIX_EPOCH { Timestamp::MIN } else { Timestamp::MAX })),
});

uniffi::custom_type!(Millis, SystemTime, {
    lower: |m| millis_to_system_time(m.0),
    try_lift: |t| Ok(Millis(system_time_to_millis(t))),
});

uniffi::custom_type!(ScheduleId, String, {
    lower: |id| id.as_str().to_owned(),
    try_lift: |s| Ok(ScheduleId::parse(&s)?),
});

uniffi::custom_type!(RegistryId, String, {
    lower: |id| id.as_str().to_owned(),
    try_lift: |s| Ok(RegistryId::parse(&s)?),
});

uniffi::custom_type!(WeekDay, String, {
    lower: |v| v.as_str().to_owned(),
    try_lift: |s| Ok(WeekDay::from_wire(&s)),
});

uniffi::custom_type!(RegistryType, String, {
    lower: |v| v.as_str().to_owned(),
    try_lift: |s| Ok(RegistryType::from_wire(&s)),
});

uniffi::custom_type!(ScheduleStatus, String, {
    lower: |v| v.as_str().to_owned(),
    try_lift: |s| Ok(ScheduleStatus::from_wire(&s)),
});

// A password or token crosses as its text; Kotlin wraps it in `com.qualys.cs.Secret`, whose
// `toString()` is `***` (uniffi-bindgen.toml), so a printed record never shows it.
uniffi::custom_type!(Secret, String, {
    lower: |s| s.expose().to_owned(),
    try_lift: |s| Ok(Secret::new(s)),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_and_instants_agree_both_sides_of_the_epoch() {
        for ms in [0_i64, 1, 999, 1_700_000_000_123, -1, -1_500, -86_400_000] {
            assert_eq!(system_time_to_millis(millis_to_system_time(ms)), ms, "{ms}");
        }
        // 1.5 ms before the epoch is -2 ms, like Instant.toEpochMilli
        let t = UNIX_EPOCH - Duration::from_micros(1_500);
        assert_eq!(system_time_to_millis(t), -2);
    }

    #[test]
    fn timestamps_cross_to_the_nanosecond_and_clamp() {
        use uniffi::{Lift, Lower};
        type Tag = crate::UniFfiTag;
        let cross = |t: SystemTime| {
            <Timestamp as Lift<Tag>>::try_lift(<SystemTime as Lower<Tag>>::lower(t))
        };
        // (uniffi's own instant encoding loses the sign of an instant less than one second
        // before the epoch: seconds 0 carry no sign; every other instant crosses exactly)
        for s in ["2026-01-05T19:30:00.123456789Z", "1969-12-31T23:59:58.5Z"] {
            let t: Timestamp = s.parse().expect("valid");
            let out = <Timestamp as Lower<Tag>>::lower(t);
            let back = <Timestamp as Lift<Tag>>::try_lift(out).expect("lifts");
            assert_eq!(back, t, "{s}");
        }
        let far = UNIX_EPOCH + Duration::from_secs(400_000 * 365 * 86_400);
        assert_eq!(cross(far).expect("lifts"), Timestamp::MAX);
    }

    #[test]
    fn json_text_that_is_not_json_is_a_string() {
        assert_eq!(json_in("\"a\"".into()), JsonValue::String("a".into()));
        assert_eq!(json_in("team-a".into()), JsonValue::String("team-a".into()));
        assert_eq!(json_in("42".into()), serde_json::json!(42));
    }
}
