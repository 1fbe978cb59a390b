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

fn report(r: Result<core::Report, CoreError>) -> Js {
    let r = r.unwrap_or_else(|e| core::Report {
        errors: e.violations().to_vec(),
        warnings: Vec::new(),
    });
    Js(json!({ "valid": r.is_valid(), "errors": r.errors, "warnings": r.warnings }))
}

fn request(u: Unknown<'_>) -> Result<ScheduleRequest, CoreError> {
    ScheduleRequest::from_value(&body(u)?)
}

fn schedule(name: &str, u: Unknown<'_>) -> Result<Schedule, CoreError> {
    arg(name, "a schedule as listed (an object)", u)
}

fn count(u: Unknown<'_>) -> Result<usize, CoreError> {
    arg::<u32>("n", "a whole number of runs", u).map(|n| n as usize)
}

fn dates(runs: Vec<jiff::Timestamp>) -> Vec<Date> {
    runs.into_iter().map(Date).collect()
}

/// Checks a schedule request (the API's JSON) against every documented rule (spec §4) without
/// sending anything: every problem at once, each with a JSON pointer, a stable code and a
/// message; wrong JSON types are `wrong_type` errors. Never throws.
#[napi(ts_return_type = "ValidationReport")]
pub fn validate(#[napi(ts_arg_type = "ScheduleRequest")] request: Unknown) -> Js {
    report(from_js(request).map(|v| core::validate_value(&v.unwrap_or(Value::Null))))
}

/// Like `validate`, for a raw request body (JSON text): text that does not parse is one
/// `invalid_json` error at the root.
#[napi(ts_return_type = "ValidationReport")]
pub fn validate_json(#[napi(ts_arg_type = "string")] text: Unknown) -> Js {
    let r = arg::<String>("text", "JSON text", text).and_then(|t| ScheduleRequest::from_json(&t));
    report(r.map(|req| core::validate(&req)))
}

/// Checks an update of the schedule `current` (as listed) to `next` (spec §3): only automatic
/// schedules, not while running, `onDemand`/`repo`/`tag`/`days` unchanged, plus every create
/// rule on `next`.
#[napi(ts_return_type = "ValidationReport")]
pub fn validate_update(
    env: Env,
    #[napi(ts_arg_type = "Schedule")] current: Unknown,
    #[napi(ts_arg_type = "ScheduleRequest")] next: Unknown,
) -> napi::Result<Js> {
    let current = sync(&env, schedule("current", current))?;
    Ok(report(
        request(next).map(|n| core::validate_update(&current, &n)),
    ))
}

/// The canonical JSON of a request: spec names (aliases resolved), `onDemand` written, absent
/// `days`, `tag` and `numberOfTags` omitted (never `null`), unknown fields kept. Throws a
/// `validation` error for wrong JSON types (rules are `validate()`'s job).
#[napi(ts_return_type = "ScheduleRequest")]
pub fn normalize_request(
    env: Env,
    #[napi(ts_arg_type = "ScheduleRequest")] request: Unknown,
) -> napi::Result<Js> {
    sync(&env, self::request(request).map(|r| Js(r.to_value())))
}

/// Says in one sentence when a request runs (in UTC) and what it scans. Also takes a schedule
/// as listed (with `scheduleUuid`): a timing the server did not report is said, not guessed.
#[napi]
pub fn explain(
    env: Env,
    #[napi(ts_arg_type = "ScheduleRequest | Schedule")] request: Unknown,
) -> napi::Result<String> {
    let listed = matches!(from_js(request), Ok(Some(v)) if v.get("scheduleUuid").is_some());
    let text = match listed {
        true => schedule("request", request).map(|s| core::explain::explain_schedule(&s)),
        false => self::request(request).map(|r| core::explain(&r)),
    };
    sync(&env, text)
}

/// The next `n` runs (`Date`s) of a schedule as listed, counted from its `created` date (or
/// `after` when it has none), strictly after `after` (a `Date`, epoch ms or RFC 3339 text).
/// Throws a `not_reported` error whose `fields` name what the answer left out (e.g.
/// `['weekDay']` for a schedule listed in Qualys's OpenAPI shape) instead of guessing.
#[napi(ts_return_type = "Date[]")]
pub fn schedule_next_runs(
    env: Env,
    #[napi(ts_arg_type = "Schedule")] schedule: Unknown,
    #[napi(ts_arg_type = "Date | number | string")] after: Unknown,
    #[napi(ts_arg_type = "number")] n: Unknown,
) -> napi::Result<Vec<Date>> {
    let run = || {
        Ok(dates(
            self::schedule("schedule", schedule)?.next_runs(instant("after", after)?, count(n)?)?,
        ))
    };
    sync(&env, run())
}

/// The next `n` runs of an automatic schedule as `Date`s, strictly after `max(after, created)`
/// (`Date`s, epoch ms or RFC 3339 text); none for on demand. `zone` (an IANA name) is checked
/// (unknown: a `validation` error); show the Dates in it with `toLocaleString(…, { timeZone })`.
#[napi(ts_return_type = "Date[]")]
pub fn next_runs(
    env: Env,
    #[napi(ts_arg_type = "ScheduleRequest")] request: Unknown,
    #[napi(ts_arg_type = "Date | number | string")] created: Unknown,
    #[napi(ts_arg_type = "Date | number | string")] after: Unknown,
    #[napi(ts_arg_type = "number")] n: Unknown,
    #[napi(ts_arg_type = "string | null")] zone: Option<Unknown>,
) -> napi::Result<Vec<Date>> {
    let run = || {
        let req = self::request(request)?;
        let (created, after, n) = (
            instant("created", created)?,
            instant("after", after)?,
            count(n)?,
        );
        let zone = zone.map(|z| arg::<Option<String>>("zone", "an IANA time zone name", z));
        if let Some(zone) = zone.transpose()?.flatten() {
            core::next_runs_in_zone(&req, created, after, n, &zone)?;
        }
        Ok(dates(core::next_runs(&req, created, after, n)?))
    };
    sync(&env, run())
}

/// Converts a local run time (`HH:MM` in an IANA zone, optionally on a weekday) to the UTC
/// `schedule` (and shifted `weekDay`) Qualys runs on, with `dst_shift` warnings for each
/// daylight-saving change in the following year, at `reference` (a `Date`, epoch ms or RFC
/// 3339 text; default now).
#[napi(ts_return_type = "LocalConversion")]
pub fn local_to_utc(
    env: Env,
    #[napi(ts_arg_type = "string")] local_time: Unknown,
    #[napi(ts_arg_type = "WeekDay | null")] week_day: Unknown,
    #[napi(ts_arg_type = "string")] zone: Unknown,
    #[napi(ts_arg_type = "Date | number | string | null")] reference: Option<Unknown>,
) -> napi::Result<Js> {
    let run = || {
        let time: String = arg("localTime", "a time HH:MM (text)", local_time)?;
        let day: Option<String> =
            arg("weekDay", "a weekday such as \"MONDAY\", or null", week_day)?;
        let zone: String = arg("zone", "an IANA time zone name (text)", zone)?;
        let reference = match reference {
            Some(r) if !matches!(from_js(r)?, None | Some(Value::Null)) => instant("reference", r)?,
            _ => jiff::Timestamp::now(),
        };
        let day = day.map(|d| WeekDay::from_wire(&d));
        Ok(Js(camel(
            js(core::local_to_utc(&time, day.as_ref(), &zone, reference)?)?.0,
        )))
    };
    sync(&env, run())
}

/// Every validation rule of the core: code, severity (`error` or `warning`) and what it checks.
#[napi(ts_return_type = "ValidationRule[]")]
pub fn validation_rules() -> Js {
    let rule = |(code, severity, description): &(&str, core::Severity, &str)| {
        let severity = if matches!(severity, core::Severity::Error) {
            "error"
        } else {
            "warning"
        };
        json!({ "code": code, "severity": severity, "description": description })
    };
    Js(core::RULES.iter().map(rule).collect())
}

/// Decodes an answer body exactly as the client does and returns the API's JSON as decoded
/// (canonical names, unknown fields kept, dates as on the wire; `create` gives
/// `{scheduleUuid}`). Throws a `decode` error for a body that cannot be read, and for
/// `http_error` the error the status and body map to. For tools and the shared test vectors.
#[napi(ts_return_type = "any")]
pub fn decode_response(
    env: Env,
    #[napi(ts_arg_type = "ResponseKind")] kind: Unknown,
    #[napi(ts_arg_type = "string")] body: Unknown,
    #[napi(ts_arg_type = "number | null")] status: Option<Unknown>,
) -> napi::Result<Value> {
    use core::{BulkCancelResponse, BulkDeleteResponse, CreateResponse, ErrorBody, Registry};
    use core::{RegistryDetails, Repository, decode_body as one, decode_page as page};
    const KINDS: [&str; 10] = [
        "create",
        "schedule_page",
        "schedule_page_lenient",
        "registry_page",
        "registry",
        "repository_page",
        "bulk_delete",
        "bulk_cancel",
        "error_body",
        "http_error",
    ];
    fn plain<T: serde::Serialize>(v: T) -> Result<Value, CoreError> {
        js(v).map(|j| j.0)
    }
    let run = || {
        let kind = one_of("kind", "invalid_value", &KINDS, kind)?;
        let body: String = arg("body", "the answer's body (text)", body)?;
        let status: Option<u16> = status
            .map(|s| arg("status", "an HTTP status number", s))
            .transpose()?
            .flatten();
        match kind {
            "create" => CreateResponse::from_body(&body)
                .map(|c| json!({ "scheduleUuid": c.schedule_uuid.as_str() })),
            "schedule_page" => page::<Schedule>(&body, false).and_then(|p| plain(p.0)),
            "schedule_page_lenient" => page::<Schedule>(&body, true).and_then(|p| plain(p.0)),
            "registry_page" => page::<Registry>(&body, false).and_then(|p| plain(p.0)),
            "registry" => one::<RegistryDetails>(&body).and_then(plain),
            "repository_page" => page::<Repository>(&body, false).and_then(|p| plain(p.0)),
            "bulk_delete" => one::<BulkDeleteResponse>(&body).and_then(plain),
            "bulk_cancel" => one::<BulkCancelResponse>(&body).and_then(plain),
            "error_body" => one::<ErrorBody>(&body).and_then(plain),
            _ => Err(CoreError::from_http(status.unwrap_or(0), None, &body, None)),
        }
    };
    sync(&env, run())
}
