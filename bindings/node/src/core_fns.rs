//! The core's pure functions: validation, canonical form, next runs, time zones, explain,
//! answer decoding and plans. No client needed.

use napi::Env;
use napi::bindgen_prelude::Either;
use napi_derive::napi;
use qualys_cs_core::{self as core, Error as CoreError, ScheduleRequest, Violation, jiff};
use serde_json::Value;

use crate::error::sync;
use crate::types::{LocalConversion, ValidationReport, ValidationRule};

/// Decodes a request object into the core type; wrong JSON types are a `validation` error.
pub(crate) fn request_from(value: &Value) -> Result<ScheduleRequest, CoreError> {
    ScheduleRequest::from_value(value)
}

/// An instant given as RFC 3339 text or epoch milliseconds.
pub(crate) fn instant(field: &str, v: &Either<String, f64>) -> Result<jiff::Timestamp, CoreError> {
    let bad = |why: String| {
        CoreError::validation(vec![Violation::new(
            format!("/{field}"),
            "invalid_timestamp",
            format!(
                "{field} must be RFC 3339 text such as \"2026-01-05T10:00:00Z\" or epoch milliseconds; {why}"
            ),
        )])
    };
    match v {
        Either::A(s) => s
            .trim()
            .parse::<jiff::Timestamp>()
            .map_err(|e| bad(format!("got {s:?} ({e})"))),
        Either::B(ms) if ms.is_finite() && ms.fract() == 0.0 => {
            jiff::Timestamp::from_millisecond(*ms as i64).map_err(|e| bad(e.to_string()))
        }
        Either::B(ms) => Err(bad(format!("got {ms}"))),
    }
}

/// Checks a schedule request (the API's JSON, as an object) against every documented rule
/// (spec §4) without a client and without sending anything. Every problem is reported at once,
/// each with a JSON pointer, a stable code and a message; wrong JSON types are `wrong_type`
/// errors (a value that is not an object is one at the root).
#[napi]
pub fn validate(#[napi(ts_arg_type = "ScheduleRequest")] request: Value) -> ValidationReport {
    core::validate_value(&request).into()
}

/// Like `validate`, for a raw request body (JSON text): text that does not parse is one
/// `invalid_json` error at the root; otherwise the decoded request is checked.
#[napi]
pub fn validate_json(text: String) -> ValidationReport {
    match ScheduleRequest::from_json(&text) {
        Ok(req) => core::validate(&req).into(),
        Err(e) => core::Report {
            errors: e.violations().to_vec(),
            warnings: Vec::new(),
        }
        .into(),
    }
}

/// Checks an update of the schedule `current` (as listed) to `next` (spec §3): only automatic
/// schedules, not while running, `onDemand`/`repo`/`tag`/`days` unchanged, plus every create
/// rule on `next`.
#[napi]
pub fn validate_update(
    env: Env,
    #[napi(ts_arg_type = "Schedule")] current: Value,
    #[napi(ts_arg_type = "ScheduleRequest")] next: Value,
) -> napi::Result<ValidationReport> {
    let current: core::Schedule = sync(
        &env,
        serde_json::from_value(current).map_err(|e| CoreError::Decode {
            message: format!("current is not a schedule as listed: {e}"),
            body: None,
        }),
    )?;
    Ok(match request_from(&next) {
        Ok(next) => core::validate_update(&current, &next).into(),
        Err(e) => core::Report {
            errors: e.violations().to_vec(),
            warnings: Vec::new(),
        }
        .into(),
    })
}

/// The canonical JSON of a request: spec names (aliases resolved), `onDemand` written, absent
/// `days`, `tag` and `numberOfTags` omitted (never `null`), unknown fields kept. Throws a
/// `validation` error for wrong JSON types (rules are `validate()`'s job).
#[napi(ts_return_type = "ScheduleRequest")]
pub fn normalize_request(
    env: Env,
    #[napi(ts_arg_type = "ScheduleRequest")] request: Value,
) -> napi::Result<Value> {
    sync(&env, request_from(&request).map(|r| r.to_value()))
}

/// Says in one sentence when a request runs (in UTC) and what it scans. Also takes a
/// schedule as listed (an object with `scheduleUuid`): then a timing the server did not report
/// (Qualys's OpenAPI list shape has no interval or weekday) is said, not guessed.
#[napi]
pub fn explain(
    env: Env,
    #[napi(ts_arg_type = "ScheduleRequest | Schedule")] request: Value,
) -> napi::Result<String> {
    if request.get("scheduleUuid").is_some() {
        return sync(
            &env,
            schedule_from(request).map(|s| core::explain::explain_schedule(&s)),
        );
    }
    sync(&env, request_from(&request).map(|r| core::explain(&r)))
}

fn schedule_from(v: Value) -> Result<core::Schedule, CoreError> {
    serde_json::from_value(v).map_err(|e| CoreError::Decode {
        message: format!("not a schedule as listed: {e}"),
        body: None,
    })
}

/// The next `n` runs of a schedule as listed (RFC 3339 UTC text), counted from its `created`
/// date (or `after` when it has none), strictly after `after`. Throws a `not_reported` error
/// whose `fields` name what the answer left out (e.g. `['weekDay']` for a weekly schedule
/// listed in Qualys's OpenAPI shape) instead of guessing.
#[napi]
pub fn schedule_next_runs(
    env: Env,
    #[napi(ts_arg_type = "Schedule")] schedule: Value,
    after: Either<String, f64>,
    n: u32,
) -> napi::Result<Vec<String>> {
    let run = || -> Result<Vec<String>, CoreError> {
        let s = schedule_from(schedule)?;
        let after = instant("after", &after)?;
        Ok(s.next_runs(after, n as usize)?
            .into_iter()
            .map(|t| t.to_string())
            .collect())
    };
    sync(&env, run())
}

/// The next `n` runs of an automatic schedule, as RFC 3339 UTC text (strictly after
/// `max(after, created)`), or, with `zone` (an IANA name), as local RFC 3339 text with the
/// zone's offset and name. On-demand schedules have no future runs. `created` and `after` are
/// RFC 3339 text or epoch milliseconds. Throws a `validation` error for an invalid request.
#[napi]
pub fn next_runs(
    env: Env,
    #[napi(ts_arg_type = "ScheduleRequest")] request: Value,
    created: Either<String, f64>,
    after: Either<String, f64>,
    n: u32,
    zone: Option<String>,
) -> napi::Result<Vec<String>> {
    let run = || -> Result<Vec<String>, CoreError> {
        let req = request_from(&request)?;
        let created = instant("created", &created)?;
        let after = instant("after", &after)?;
        match zone {
            Some(z) => core::next_runs_in_zone(&req, created, after, n as usize, &z),
            None => Ok(core::next_runs(&req, created, after, n as usize)?
                .into_iter()
                .map(|t| t.to_string())
                .collect()),
        }
    };
    sync(&env, run())
}

/// Converts a local run time (`HH:MM` in an IANA zone, optionally on a weekday) to the UTC
/// `schedule` (and shifted `weekDay`) Qualys runs on, with `dst_shift` warnings for each
/// daylight-saving change in the following year. `reference` (RFC 3339 text or epoch ms,
/// default now) is the instant whose offset is used.
#[napi]
pub fn local_to_utc(
    env: Env,
    local_time: String,
    #[napi(ts_arg_type = "WeekDay | null | undefined")] week_day: Option<String>,
    zone: String,
    reference: Option<Either<String, f64>>,
) -> napi::Result<LocalConversion> {
    let run = || -> Result<LocalConversion, CoreError> {
        let reference = match &reference {
            Some(r) => instant("reference", r)?,
            None => jiff::Timestamp::now(),
        };
        let day = week_day.as_deref().map(core::WeekDay::from_wire);
        core::local_to_utc(&local_time, day.as_ref(), &zone, reference).map(Into::into)
    };
    sync(&env, run())
}

/// Every validation rule of the core: code, severity and what it checks.
#[napi]
pub fn validation_rules() -> Vec<ValidationRule> {
    core::RULES
        .iter()
        .map(|(code, severity, description)| ValidationRule {
            code: (*code).to_owned(),
            severity: match severity {
                core::Severity::Error => "error",
                core::Severity::Warning => "warning",
            }
            .to_owned(),
            description: (*description).to_owned(),
        })
        .collect()
}

/// Kinds of answers `decodeResponse` reads.
#[napi(string_enum = "snake_case")]
pub enum ResponseKind {
    /// The answer to create: `{scheduleUuid}`, `{scheduleId}`, a JSON string or plain text.
    Create,
    /// A page of schedules (an unreadable item is a `decode` error naming its index).
    SchedulePage,
    /// A page of schedules, skipping unreadable items: they are listed in `skipped` with their
    /// index, the reason and the raw item.
    SchedulePageLenient,
    /// A page of registries.
    RegistryPage,
    /// A registry with its details.
    Registry,
    /// A page of repositories.
    RepositoryPage,
    /// The answer of a bulk delete.
    BulkDelete,
    /// The answer of a bulk cancel.
    BulkCancel,
    /// A Qualys error body (`{errorCode, message, timestamp}`).
    ErrorBody,
    /// An HTTP error answer (give `status`): always throws the error it maps to.
    HttpError,
}

fn to_json<T: serde::Serialize>(v: T) -> Result<Value, CoreError> {
    serde_json::to_value(v).map_err(|e| CoreError::Decode {
        message: e.to_string(),
        body: None,
    })
}

/// Decodes an answer body exactly as the client does and returns the API's JSON (canonical
/// names, unknown fields kept; `create` gives `{scheduleUuid}`). Throws a `decode` error for a
/// body that cannot be read, and for `http_error` the error the status and body map to (with
/// `status`, `qualysErrorCode`, `serverMessage`, `body`). For tools and the shared test vectors.
#[napi(ts_return_type = "any")]
pub fn decode_response(
    env: Env,
    kind: ResponseKind,
    body: String,
    status: Option<u32>,
) -> napi::Result<Value> {
    use core::{
        BulkCancelResponse, BulkDeleteResponse, CreateResponse, ErrorBody, Registry,
        RegistryDetails, Repository, Schedule, decode_body, decode_page,
    };
    let r = match kind {
        ResponseKind::Create => CreateResponse::from_body(&body)
            .map(|c| serde_json::json!({ "scheduleUuid": c.schedule_uuid.as_str() })),
        ResponseKind::SchedulePage => {
            decode_page::<Schedule>(&body, false).and_then(|p| to_json(p.0))
        }
        ResponseKind::SchedulePageLenient => {
            decode_page::<Schedule>(&body, true).and_then(|p| to_json(p.0))
        }
        ResponseKind::RegistryPage => {
            decode_page::<Registry>(&body, false).and_then(|p| to_json(p.0))
        }
        ResponseKind::Registry => decode_body::<RegistryDetails>(&body).and_then(to_json),
        ResponseKind::RepositoryPage => {
            decode_page::<Repository>(&body, false).and_then(|p| to_json(p.0))
        }
        ResponseKind::BulkDelete => decode_body::<BulkDeleteResponse>(&body).and_then(to_json),
        ResponseKind::BulkCancel => decode_body::<BulkCancelResponse>(&body).and_then(to_json),
        ResponseKind::ErrorBody => decode_body::<ErrorBody>(&body).and_then(to_json),
        ResponseKind::HttpError => Err(CoreError::from_http(
            status.map_or(0, |s| u16::try_from(s).unwrap_or(u16::MAX)),
            None,
            &body,
            None,
        )),
    };
    sync(&env, r)
}
