//! The core's pure functions: validation, canonical form, next runs, time zones, explain,
//! answer decoding. No client needed.

use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use qualys_cs_core::{self as core, Error as CoreError, Schedule, ScheduleRequest, WeekDay, jiff};
use serde_json::{Value, json};

use crate::client::body;
use crate::convert::{Date, Js, arg, camel, from_js, instant, js, one_of};
use crate::error::sync;
use qualys_cs_core::json_api::{self, RESPONSE_KINDS};

fn report(r: Result<core::Report, CoreError>) -> Js {
    Js(json_api::report_value(r))
}

fn request(u: Unknown<'_>) -> Result<ScheduleRequest, CoreError> {
    ScheduleRequest::from_value(&body(u)?)
}

fn listed(u: Unknown<'_>) -> Result<Schedule, CoreError> {
    arg("schedule", "a schedule as listed (an object)", u)
}

fn count(u: Unknown<'_>) -> Result<usize, CoreError> {
    arg::<u32>("n", "a whole number of runs", u).map(|n| n as usize)
}

fn dates(runs: Vec<jiff::Timestamp>) -> Vec<Date> {
    runs.into_iter().map(Date).collect()
}

/// An optional argument as JSON (`None` for `undefined` and `null`).
fn maybe(u: Option<Unknown<'_>>) -> Result<Option<Value>, CoreError> {
    Ok(u.map(from_js)
        .transpose()?
        .flatten()
        .filter(|v| !v.is_null()))
}

/// The functions: `name(argument: type = "TS type" => reader, …) -> output = "TS type" body`.
/// Each argument is read first (a wrong one throws its `validation` error); a failing body
/// throws its `QualysCsError`.
macro_rules! functions {
    ($([$($doc:tt)*] $name:ident($($a:ident: $ty:ty = $ts:literal => $read:expr),*)
        -> $out:ty = $ret:literal $body:block)*) => {$(
        $(#[doc = $doc])*
        #[napi(ts_return_type = $ret)]
        pub fn $name(env: Env, $(#[napi(ts_arg_type = $ts)] $a: $ty),*) -> napi::Result<$out> {
            let run = || -> Result<$out, CoreError> { $(let $a = ($read)($a)?;)* $body };
            sync(&env, run())
        }
    )*};
}

functions! {
    ["Checks a schedule request (the API's JSON) against every documented rule (spec §4)"
     "without sending anything: every problem at once, each with a JSON pointer, a stable code"
     "and a message; wrong JSON types are `wrong_type` errors. Never throws."]
    validate(request: Unknown = "ScheduleRequest" => Ok::<_, CoreError>) -> Js = "ValidationReport" {
        Ok(report(from_js(request).map(|v| core::validate_value(&v.unwrap_or(Value::Null)))))
    }
    ["Like `validate`, for a raw request body (JSON text): text that does not parse is one"
     "`invalid_json` error at the root."]
    validate_json(text: Unknown = "string" => Ok::<_, CoreError>) -> Js = "ValidationReport" {
        let r = arg::<String>("text", "JSON text", text).and_then(|t| ScheduleRequest::from_json(&t));
        Ok(report(r.map(|req| core::validate(&req))))
    }
    ["Checks an update of the schedule `current` (as listed) to `next` (spec §3): only"
     "automatic schedules, not while running, `onDemand`/`repo`/`tag`/`days` unchanged, plus"
     "every create rule on `next`."]
    validate_update(current: Unknown = "Schedule" => listed, next: Unknown = "ScheduleRequest"
        => Ok::<_, CoreError>) -> Js = "ValidationReport" {
        Ok(report(request(next).map(|n| core::validate_update(&current, &n))))
    }
    ["The canonical JSON of a request: spec names (aliases resolved), `onDemand` written,"
     "absent `days`, `tag` and `numberOfTags` omitted (never `null`), unknown fields kept."
     "Throws a `validation` error for wrong JSON types (rules are `validate()`'s job)."]
    normalize_request(request: Unknown = "ScheduleRequest" => self::request) -> Js = "ScheduleRequest" {
        Ok(Js(request.to_value()))
    }
    ["Says in one sentence when a request runs (in UTC) and what it scans. Also takes a"
     "schedule as listed (with `scheduleUuid`): a timing the server did not report is said,"
     "not guessed."]
    explain(request: Unknown = "ScheduleRequest | Schedule" => Ok::<_, CoreError>) -> String = "string" {
        match from_js(request)? {
            Some(v) if v.get("scheduleUuid").is_some() => Ok(core::explain::explain_schedule(&listed(request)?)),
            _ => Ok(core::explain(&self::request(request)?)),
        }
    }
    ["The next `n` runs (`Date`s) of a schedule as listed, counted from its `created` date (or"
     "`after` when it has none), strictly after `after` (a `Date`, epoch ms or RFC 3339 text)."
     "Throws a `not_reported` error whose `fields` name what the answer left out (e.g."
     "`['weekDay']` for a schedule listed in Qualys's OpenAPI shape) instead of guessing."]
    schedule_next_runs(schedule: Unknown = "Schedule" => listed, after: Unknown = "Date | number | string"
        => |u| instant("after", u), n: Unknown = "number" => count) -> Vec<Date> = "Date[]" {
        Ok(dates(schedule.next_runs(after, n)?))
    }
    ["The next `n` runs of an automatic schedule as `Date`s, strictly after `max(after,"
     "created)` (`Date`s, epoch ms or RFC 3339 text); none for on demand. `zone` (an IANA"
     "name) is checked (unknown: `validation`); show the Dates in it with `toLocaleString`."]
    next_runs(request: Unknown = "ScheduleRequest" => self::request,
        created: Unknown = "Date | number | string" => |u| instant("created", u),
        after: Unknown = "Date | number | string" => |u| instant("after", u), n: Unknown = "number" => count,
        zone: Option<Unknown> = "string | null" => maybe) -> Vec<Date> = "Date[]" {
        if let Some(zone) = zone {
            let zone: String = serde_json::from_value(zone).map_err(|_| crate::convert::wrong("zone", "text", None))?;
            core::next_runs_in_zone(&request, created, after, n, &zone)?;
        }
        Ok(dates(core::next_runs(&request, created, after, n)?))
    }
    ["Converts a local run time (`HH:MM` in an IANA zone, optionally on a weekday) to the UTC"
     "`schedule` (and shifted `weekDay`) Qualys runs on, with `dst_shift` warnings for each"
     "daylight-saving change in the following year, at `reference` (default now)."]
    local_to_utc(local_time: Unknown = "string" => |u| arg::<String>("localTime", "a time HH:MM (text)", u),
        week_day: Unknown = "WeekDay | null" => |u| arg::<Option<String>>("weekDay", "a weekday or null", u),
        zone: Unknown = "string" => |u| arg::<String>("zone", "an IANA time zone name (text)", u),
        reference: Option<Unknown> = "Date | number | string | null" => maybe) -> Js = "LocalConversion" {
        let reference = match reference {
            Some(r) => crate::convert::instant_of("reference", Some(&r))?,
            None => jiff::Timestamp::now(),
        };
        let day = week_day.map(|d| WeekDay::from_wire(&d));
        Ok(Js(camel(js(core::local_to_utc(&local_time, day.as_ref(), &zone, reference)?)?.0)))
    }
    ["Decodes an answer body exactly as the client does and returns the API's JSON as decoded"
     "(canonical names, unknown fields kept, dates as on the wire; `create` gives"
     "`{scheduleUuid}`). Throws a `decode` error for a body that cannot be read, and for"
     "`http_error` the error the status and body map to. For tools and the shared vectors."]
    decode_response(kind: Unknown = "ResponseKind" => |u| one_of("kind", "invalid_value", &RESPONSE_KINDS, u),
        body: Unknown = "string" => |u| arg::<String>("body", "the answer's body (text)", u),
        status: Option<Unknown> = "number | null" => maybe) -> Value = "any" {
        let status = status.and_then(|s| s.as_u64()).map(|s| u16::try_from(s).unwrap_or(u16::MAX));
        let decoded = json_api::decode_response(kind, &body, Some(status.unwrap_or(0)))?;
        Ok(if kind == "create" { camel(decoded) } else { decoded })
    }
}

/// Every validation rule of the core: code, severity (`error` or `warning`) and what it checks.
#[napi(ts_return_type = "ValidationRule[]")]
pub fn validation_rules() -> Js {
    let rule = |(code, severity, description): &(&str, core::Severity, &str)| json!({ "code": code, "severity": severity, "description": description });
    Js(core::RULES.iter().map(rule).collect())
}
