//! Module-level functions: the core's pure API, JSON in and JSON out. The typed Python classes
//! (`qualys_cs._models`) wrap what these return; every rule stays in the core.

use crate::convert::{
    datetime_from_timestamp, from_value, invalid, json, timestamp_from_py, to_py, to_value,
};
use crate::errors::{IntoPy as _, exception};
use pyo3::prelude::*;
use qualys_cs_client as qc;
use qualys_cs_core::json_api::{self, plain_serde_message};
use qualys_cs_core::{self as core, Error, ScheduleRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;

type Obj<'py> = PyResult<Bound<'py, PyAny>>;

/// A Python value read as `T` (what does not fit: a `validation` error, in JSON's words).
pub fn from_py<T: DeserializeOwned>(obj: &Bound<'_, PyAny>) -> PyResult<T> {
    serde_json::from_value(to_value(obj)?).map_err(|e| {
        crate::errors::to_pyerr(invalid(
            "",
            "wrong_type",
            plain_serde_message(&e.to_string()),
        ))
    })
}

/// A request given as a `ScheduleRequest` or a wire dict (wrong JSON types: `validation`).
pub fn request(obj: &Bound<'_, PyAny>) -> PyResult<ScheduleRequest> {
    ScheduleRequest::from_value(&to_value(obj)?).py_err()
}

/// Decodes wire JSON as the core type `kind` and returns its canonical JSON.
#[pyfunction]
fn decode_as<'py>(py: Python<'py>, kind: &str, data: &Bound<'py, PyAny>) -> Obj<'py> {
    from_value(py, &json_api::decode_as(kind, to_value(data)?).py_err()?)
}

/// The validation report of a request: `typed` checks the decoded request, else the JSON as
/// given (wrong JSON types are `wrong_type` violations).
#[pyfunction]
fn validate<'py>(py: Python<'py>, data: &Bound<'py, PyAny>, typed: bool) -> Obj<'py> {
    let report = if typed {
        core::validate(&request(data)?)
    } else {
        core::validate_value(&to_value(data)?)
    };
    to_py(py, &report)
}

/// The report of a request given as JSON text (not JSON: one `invalid_json` violation).
#[pyfunction]
fn validate_json<'py>(py: Python<'py>, text: &str) -> Obj<'py> {
    let report = match serde_json::from_str::<Value>(text) {
        Ok(v) => core::validate_value(&v),
        Err(_) => match ScheduleRequest::from_json(text) {
            Err(e) => core::Report {
                errors: e.violations().to_vec(),
                warnings: Vec::new(),
            },
            Ok(r) => core::validate(&r),
        },
    };
    to_py(py, &report)
}

/// The report of updating `current` (a schedule in wire form) to `next`.
#[pyfunction]
fn validate_update<'py>(
    py: Python<'py>,
    current: &Bound<'py, PyAny>,
    next: &Bound<'py, PyAny>,
) -> Obj<'py> {
    let current: core::Schedule = from_py(current)?;
    to_py(py, &core::validate_update(&current, &request(next)?))
}

/// A report's warnings, or its `ValidationError` raised.
#[pyfunction]
fn report_result<'py>(py: Python<'py>, report: &Bound<'py, PyAny>) -> Obj<'py> {
    let r: core::Report = from_py(report)?;
    to_py(py, &r.into_result().py_err()?)
}

/// One sentence saying when a request (or a listed schedule) runs and what it scans.
#[pyfunction]
fn explain(data: &Bound<'_, PyAny>, schedule: bool) -> PyResult<String> {
    if schedule {
        let s: core::Schedule = from_py(data)?;
        return Ok(core::explain::explain_schedule(&s));
    }
    Ok(core::explain(&request(data)?))
}

fn datetimes<'py>(py: Python<'py>, r: Result<Vec<jiff::Timestamp>, Error>) -> Obj<'py> {
    let list: Vec<_> = r
        .py_err()?
        .into_iter()
        .map(|t| datetime_from_timestamp(py, t))
        .collect::<PyResult<_>>()?;
    Ok(pyo3::types::PyList::new(py, list)?.into_any())
}

/// The next `n` runs (UTC datetimes) of a request strictly after max(after, created).
#[pyfunction]
fn next_runs<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    created: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
    n: usize,
) -> Obj<'py> {
    let c = timestamp_from_py(created, "created")?;
    let a = timestamp_from_py(after, "after")?;
    datetimes(py, core::next_runs(&request(data)?, c, a, n))
}

/// The next `n` runs shown in an IANA zone (RFC 3339 text with offset and zone name).
#[pyfunction]
fn next_runs_in_zone(
    data: &Bound<'_, PyAny>,
    created: &Bound<'_, PyAny>,
    after: &Bound<'_, PyAny>,
    n: usize,
    zone: &str,
) -> PyResult<Vec<String>> {
    let c = timestamp_from_py(created, "created")?;
    let a = timestamp_from_py(after, "after")?;
    core::next_runs_in_zone(&request(data)?, c, a, n, zone).py_err()
}

/// What a listed schedule says about itself: status flags, the request that would recreate
/// it, the timing fields the answer lacks, its sentence; with `after`, its next `n` runs.
#[pyfunction]
#[pyo3(signature = (data, after = None, n = 0))]
fn schedule_facts<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    after: Option<&Bound<'py, PyAny>>,
    n: usize,
) -> Obj<'py> {
    let s: core::Schedule = from_py(data)?;
    if let Some(after) = after {
        return datetimes(py, s.next_runs(timestamp_from_py(after, "after")?, n));
    }
    let st = s.status();
    let facts = serde_json::json!({
        "running": st.is_running(), "terminal": st.is_terminal(), "can_cancel": st.can_cancel(),
        "on_demand": s.is_on_demand(), "request": s.to_request().to_value(),
        "unreported_timing": s.unreported_timing(),
    });
    from_value(py, &facts)
}

/// A local run time converted to the UTC fields Qualys needs.
#[pyfunction]
#[pyo3(signature = (local_time, zone, week_day = None, reference = None))]
fn local_to_utc<'py>(
    py: Python<'py>,
    local_time: &str,
    zone: &str,
    week_day: Option<&str>,
    reference: Option<&Bound<'py, PyAny>>,
) -> Obj<'py> {
    let wd = week_day.map(core::WeekDay::from_wire);
    let r = reference_or_now(reference)?;
    to_py(
        py,
        &core::local_to_utc(local_time, wd.as_ref(), zone, r).py_err()?,
    )
}

/// `reference`, or now.
pub fn reference_or_now(reference: Option<&Bound<'_, PyAny>>) -> PyResult<jiff::Timestamp> {
    match reference {
        Some(r) if !r.is_none() => timestamp_from_py(r, "reference"),
        _ => Ok(jiff::Timestamp::now()),
    }
}

/// Builds a request: the core builder of `kind` with `ops` replayed in order
/// (`json_api::build_request`); `checked` validates it (every error at once).
#[pyfunction]
fn build<'py>(
    py: Python<'py>,
    kind: &str,
    name: &Bound<'py, PyAny>,
    first: &Bound<'py, PyAny>,
    ops: &Bound<'py, PyAny>,
    checked: bool,
) -> Obj<'py> {
    let (name, first, ops) = (to_value(name)?, to_value(first)?, to_value(ops)?);
    from_value(
        py,
        &json_api::build_request(kind, name, first, ops, checked).py_err()?,
    )
}

/// The decoded answer body of one kind of call, as canonical JSON (a page: count, data,
/// skipped).
#[pyfunction]
fn decode_response<'py>(py: Python<'py>, kind: &str, body: &str) -> Obj<'py> {
    from_value(py, &json_api::decode_response(kind, body, None).py_err()?)
}

/// The exception (returned, not raised) the client raises for an HTTP error answer.
#[pyfunction]
#[pyo3(signature = (status, body, request_id = None, retry_after = None))]
fn http_error<'py>(
    py: Python<'py>,
    status: u16,
    body: &str,
    request_id: Option<String>,
    retry_after: Option<f64>,
) -> Obj<'py> {
    let retry_after = retry_after
        .map(|s| crate::convert::duration_from_secs(s, "retry_after"))
        .transpose()?;
    exception(py, &Error::from_http(status, request_id, body, retry_after))
}

/// A desired state: document text (YAML or JSON after `file_name`) or the document as a dict.
pub fn desired(
    source: &Bound<'_, PyAny>,
    file_name: Option<&str>,
    reference: Option<&Bound<'_, PyAny>>,
) -> PyResult<core::desired::DesiredState> {
    let doc = to_value(source)?;
    let format = (!doc.is_string()).then_some("json"); // a dict is JSON, whatever its name
    let unnamed = ("desired.yaml", "<dict>");
    json_api::desired_state(
        doc,
        format,
        file_name,
        unnamed,
        reference_or_now(reference)?,
    )
    .py_err()
}

/// Parses a desired-state document; every problem at once in one `ValidationError`.
#[pyfunction]
#[pyo3(signature = (source, file_name = None, reference = None))]
fn load_desired_state<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    file_name: Option<&str>,
    reference: Option<&Bound<'py, PyAny>>,
) -> Obj<'py> {
    to_py(py, &desired(source, file_name, reference)?)
}

/// The plan of applying `desired` (a parsed state, in JSON) to `actual`
/// (`[{"registry": ..., "schedules": [...]}]` in wire form). Pure: nothing is sent.
#[pyfunction]
fn plan<'py>(
    py: Python<'py>,
    desired: &Bound<'py, PyAny>,
    actual: &Bound<'py, PyAny>,
    prune: bool,
) -> Obj<'py> {
    let d: core::desired::DesiredState = from_py(desired)?;
    let a: Vec<core::plan::ActualRegistry> = from_py(actual)?;
    to_py(
        py,
        &core::plan::plan(&d, &a, core::plan::PlanOptions { prune }),
    )
}

/// A plan's text rendering and its counts per action.
#[pyfunction]
fn plan_facts<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> Obj<'py> {
    let p: core::plan::Plan = from_py(data)?;
    from_value(py, &json_api::plan_facts(&p))
}

/// Checks client settings (snake_case keys, seconds) with the client crate's reader.
#[pyfunction]
fn check_settings(settings: &Bound<'_, PyAny>) -> PyResult<()> {
    let v = to_value(settings)?;
    qc::ClientConfig::from_json(&v, qc::KeyStyle::SnakeSeconds)
        .py_err()
        .map(drop)
}

/// `error` or `warning`.
pub fn severity(s: &core::Severity) -> String {
    json(s).as_str().unwrap_or_default().to_owned()
}

/// Registers the functions and the constants (known enum values, error codes, rules).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    for f in [
        wrap_pyfunction!(decode_as, m)?,
        wrap_pyfunction!(validate, m)?,
        wrap_pyfunction!(validate_json, m)?,
        wrap_pyfunction!(validate_update, m)?,
        wrap_pyfunction!(report_result, m)?,
        wrap_pyfunction!(explain, m)?,
        wrap_pyfunction!(next_runs, m)?,
        wrap_pyfunction!(next_runs_in_zone, m)?,
        wrap_pyfunction!(schedule_facts, m)?,
        wrap_pyfunction!(local_to_utc, m)?,
        wrap_pyfunction!(build, m)?,
        wrap_pyfunction!(decode_response, m)?,
        wrap_pyfunction!(http_error, m)?,
        wrap_pyfunction!(load_desired_state, m)?,
        wrap_pyfunction!(plan, m)?,
        wrap_pyfunction!(plan_facts, m)?,
        wrap_pyfunction!(check_settings, m)?,
    ] {
        m.add_function(f)?;
    }
    let (r, l) = (qc::RetryPolicy::default(), qc::RateLimitPolicy::default());
    let retry = serde_json::json!({"max_attempts": r.max_attempts, "base_delay": r.base_delay.as_secs_f64(),
        "max_delay": r.max_delay.as_secs_f64(), "max_elapsed": r.max_elapsed.as_secs_f64()});
    m.add("RETRY_DEFAULTS", from_value(m.py(), &retry)?)?;
    let limit = serde_json::json!({"max_concurrency": l.max_concurrency, "initial_limit": l.initial_limit,
        "initial_window": l.initial_window.as_secs_f64(), "enabled": l.enabled});
    m.add("RATE_LIMIT_DEFAULTS", from_value(m.py(), &limit)?)?;
    m.add(
        "WEEK_DAYS",
        from_value(m.py(), &json(&core::WeekDay::KNOWN))?,
    )?;
    m.add(
        "REGISTRY_TYPES",
        from_value(m.py(), &json(&core::RegistryType::KNOWN))?,
    )?;
    m.add(
        "SCHEDULE_STATUSES",
        from_value(m.py(), &json(&core::ScheduleStatus::KNOWN))?,
    )?;
    m.add("ERROR_CODES", Error::CODES.to_vec())?;
    let rules = core::RULES
        .iter()
        .map(|(code, s, desc)| (*code, severity(s), *desc));
    m.add("RULES", rules.collect::<Vec<_>>())?;
    let platforms = qc::Platform::ALL
        .iter()
        .map(|p| (p.name(), p.gateway_url()));
    m.add("PLATFORMS", platforms.collect::<Vec<_>>())?;
    Ok(())
}
