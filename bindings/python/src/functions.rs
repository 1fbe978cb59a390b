//! Module-level functions: the core's pure API (validation, decoding, schedule semantics, time
//! zones, desired state, plan), each a direct call.

use crate::convert::{datetime_from_timestamp, timestamp_from_py, to_value};
use crate::errors::{IntoPy as _, exception};
use crate::models::{
    CreateResponse, DesiredState, ErrorBody, LocalConversion, Page, Plan, Registry,
    RegistryDetails, Report, Repository, Schedule, ScheduleRequest,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use qualys_cs_core as core;
use serde_json::Value;

/// A request given as a `ScheduleRequest` or as a wire dict (decoded by the core; wrong JSON
/// types raise `ValidationError`).
pub fn request_from_py(obj: &Bound<'_, PyAny>) -> PyResult<core::ScheduleRequest> {
    if let Ok(r) = obj.cast::<ScheduleRequest>() {
        return Ok(r.get().inner.clone());
    }
    core::ScheduleRequest::from_value(&to_value(obj)?).py_err()
}

/// A request as the client takes it: typed, or a wire JSON value (checked by the client with
/// `validate_value`, wrong types included).
pub enum RequestArg {
    /// A `ScheduleRequest`.
    Typed(core::ScheduleRequest),
    /// A dict, as JSON.
    Value(Value),
}

impl RequestArg {
    /// Reads the argument.
    pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(r) = obj.cast::<ScheduleRequest>() {
            return Ok(RequestArg::Typed(r.get().inner.clone()));
        }
        Ok(RequestArg::Value(to_value(obj)?))
    }

    /// As a typed request (the core decodes a dict; wrong types are a `validation` error).
    pub fn into_request(self) -> Result<core::ScheduleRequest, core::Error> {
        match self {
            RequestArg::Typed(r) => Ok(r),
            RequestArg::Value(v) => core::ScheduleRequest::from_value(&v),
        }
    }
}

pub fn reference_or_now(reference: Option<&Bound<'_, PyAny>>) -> PyResult<jiff::Timestamp> {
    match reference {
        Some(r) if !r.is_none() => timestamp_from_py(r, "reference"),
        _ => Ok(jiff::Timestamp::now()),
    }
}

pub fn next_runs_impl<'py>(
    py: Python<'py>,
    req: &core::ScheduleRequest,
    created: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
    n: usize,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let created = timestamp_from_py(created, "created")?;
    let after = timestamp_from_py(after, "after")?;
    core::next_runs(req, created, after, n)
        .py_err()?
        .into_iter()
        .map(|t| datetime_from_timestamp(py, t))
        .collect()
}

/// Validates a request without a client: a `ScheduleRequest`, or any JSON-like value (a wire
/// dict; wrong JSON types are reported as `wrong_type` violations). Returns the report; never
/// raises for an invalid request.
#[pyfunction]
pub fn validate(request: &Bound<'_, PyAny>) -> PyResult<Report> {
    if let Ok(r) = request.cast::<ScheduleRequest>() {
        return Ok(core::validate(&r.get().inner).into());
    }
    Ok(core::validate_value(&to_value(request)?).into())
}

/// Validates a request given as JSON text (a body that is not JSON is one `invalid_json`
/// violation at the root).
#[pyfunction]
pub fn validate_json(text: &str) -> Report {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => core::validate_value(&v),
        Err(_) => match core::ScheduleRequest::from_json(text) {
            Err(e) => core::Report {
                errors: e.violations().to_vec(),
                warnings: Vec::new(),
            },
            Ok(r) => core::validate(&r),
        },
    }
    .into()
}

/// Validates an update of `current` (a listed `Schedule` or its wire dict) to `next`.
#[pyfunction]
pub fn validate_update(current: &Bound<'_, PyAny>, next: &Bound<'_, PyAny>) -> PyResult<Report> {
    let current: core::Schedule = if let Ok(s) = current.cast::<Schedule>() {
        s.get().inner.clone()
    } else {
        serde_json::from_value(to_value(current)?).map_err(|e| {
            PyValueError::new_err(format!("current is not a schedule in wire form: {e}"))
        })?
    };
    let next = request_from_py(next)?;
    Ok(core::validate_update(&current, &next).into())
}

/// The decoded answer body of one kind of call: `create`, `schedule_page`,
/// `schedule_page_lenient` (unreadable items skipped and listed in `Page.skipped`),
/// `registry_page`, `repository_page`, `registry`, `bulk_delete`, `bulk_cancel` or
/// `error_body`. Raises `DecodeError` when the body does not fit (for a page, naming the
/// unreadable item's index).
#[pyfunction]
pub fn decode_response<'py>(
    py: Python<'py>,
    kind: &str,
    body: &str,
) -> PyResult<Bound<'py, PyAny>> {
    fn obj<'py, T: pyo3::PyClass + Into<pyo3::PyClassInitializer<T>>>(
        py: Python<'py>,
        v: T,
    ) -> PyResult<Bound<'py, PyAny>> {
        Ok(Bound::new(py, v)?.into_any())
    }
    match kind {
        "create" => obj(
            py,
            CreateResponse::from(core::CreateResponse::from_body(body).py_err()?),
        ),
        "schedule_page" | "schedule_page_lenient" => obj(
            py,
            Page::new::<_, Schedule>(
                py,
                core::decode_page::<core::Schedule>(body, kind == "schedule_page_lenient")
                    .py_err()?
                    .0,
            )?,
        ),
        "registry_page" => obj(
            py,
            Page::new::<_, Registry>(
                py,
                core::decode_page::<core::Registry>(body, false).py_err()?.0,
            )?,
        ),
        "repository_page" => obj(
            py,
            Page::new::<_, Repository>(
                py,
                core::decode_page::<core::Repository>(body, false)
                    .py_err()?
                    .0,
            )?,
        ),
        "registry" => obj(
            py,
            RegistryDetails::from(core::decode_body::<core::RegistryDetails>(body).py_err()?),
        ),
        "bulk_delete" => obj(
            py,
            crate::models::BulkDeleteResponse::from(
                core::decode_body::<core::BulkDeleteResponse>(body).py_err()?,
            ),
        ),
        "bulk_cancel" => obj(
            py,
            crate::models::BulkCancelResponse::from(
                core::decode_body::<core::BulkCancelResponse>(body).py_err()?,
            ),
        ),
        "error_body" => obj(
            py,
            ErrorBody::from(core::decode_body::<core::ErrorBody>(body).py_err()?),
        ),
        other => Err(PyValueError::new_err(format!(
            "unknown kind {other:?}; use one of create, schedule_page, registry_page, repository_page, registry, bulk_delete, bulk_cancel, error_body"
        ))),
    }
}

/// The exception (returned, not raised) the client raises for an HTTP error answer.
#[pyfunction]
#[pyo3(signature = (status, body, request_id = None, retry_after = None))]
pub fn http_error<'py>(
    py: Python<'py>,
    status: u16,
    body: &str,
    request_id: Option<String>,
    retry_after: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let retry_after = retry_after
        .map(|s| crate::convert::duration_from_secs(s, "retry_after"))
        .transpose()?;
    exception(
        py,
        &core::Error::from_http(status, request_id, body, retry_after),
    )
}

/// The next `n` runs (UTC datetimes) of a request strictly after max(after, created).
#[pyfunction]
#[pyo3(signature = (request, created, after, n = 5))]
pub fn next_runs<'py>(
    py: Python<'py>,
    request: &Bound<'py, PyAny>,
    created: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
    n: usize,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    next_runs_impl(py, &request_from_py(request)?, created, after, n)
}

/// The next `n` runs shown in an IANA zone, as RFC 3339 text with the zone's offset and name.
#[pyfunction]
#[pyo3(signature = (request, created, after, n, zone))]
pub fn next_runs_in_zone(
    request: &Bound<'_, PyAny>,
    created: &Bound<'_, PyAny>,
    after: &Bound<'_, PyAny>,
    n: usize,
    zone: &str,
) -> PyResult<Vec<String>> {
    let req = request_from_py(request)?;
    let created = timestamp_from_py(created, "created")?;
    let after = timestamp_from_py(after, "after")?;
    core::next_runs_in_zone(&req, created, after, n, zone).py_err()
}

/// Converts a local run time (`HH:MM` in an IANA zone, optionally on a weekday) to the UTC
/// fields Qualys needs, at the zone's offset at the first such run after `reference` (now).
#[pyfunction]
#[pyo3(signature = (local_time, zone, week_day = None, reference = None))]
pub fn local_to_utc(
    local_time: &str,
    zone: &str,
    week_day: Option<&str>,
    reference: Option<&Bound<'_, PyAny>>,
) -> PyResult<LocalConversion> {
    let wd = week_day.map(core::WeekDay::from_wire);
    core::local_to_utc(local_time, wd.as_ref(), zone, reference_or_now(reference)?)
        .py_err()
        .map(LocalConversion::from)
}

/// One sentence saying when a request runs and what it scans. Also takes a listed
/// `Schedule`: then a timing the server did not report is said, not guessed.
#[pyfunction]
pub fn explain(request: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = request.cast::<Schedule>() {
        return Ok(core::explain::explain_schedule(&s.get().inner));
    }
    Ok(core::explain(&request_from_py(request)?))
}

pub fn desired_from_py(
    source: &Bound<'_, PyAny>,
    file_name: Option<&str>,
    reference: Option<&Bound<'_, PyAny>>,
) -> PyResult<core::desired::DesiredState> {
    if let Ok(d) = source.cast::<DesiredState>() {
        return Ok(d.get().inner.clone());
    }
    let reference = reference_or_now(reference)?;
    if let Ok(s) = source.cast::<PyString>() {
        let name = file_name.unwrap_or("desired.yaml");
        return core::desired::DesiredState::parse_file_text(&s.to_cow()?, name, reference)
            .py_err();
    }
    let text = to_value(source)?.to_string();
    core::desired::DesiredState::parse(
        &text,
        core::desired::Format::Json,
        file_name.unwrap_or("<dict>"),
        reference,
    )
    .py_err()
}

/// Parses a desired-state document (schedules as code): YAML or JSON text (the format follows
/// `file_name`, default YAML), or the same document as a dict. Every problem is reported at
/// once in one `ValidationError`.
#[pyfunction]
#[pyo3(signature = (source, file_name = None, reference = None))]
pub fn load_desired_state(
    source: &Bound<'_, PyAny>,
    file_name: Option<&str>,
    reference: Option<&Bound<'_, PyAny>>,
) -> PyResult<DesiredState> {
    desired_from_py(source, file_name, reference).map(DesiredState::from)
}

/// Reads `actual`: a list of `{"registry": Registry | dict, "schedules": [Schedule | dict]}`.
pub fn actual_from_py(actual: &Bound<'_, PyAny>) -> PyResult<Vec<core::plan::ActualRegistry>> {
    serde_json::from_value(to_value(actual)?).map_err(|e| {
        PyValueError::new_err(format!(
            "actual must be a list of {{\"registry\": ..., \"schedules\": [...]}} in wire form: {e}"
        ))
    })
}

/// The plan: what applying `desired` to what exists (`actual`) would do. Pure: nothing is
/// sent. `desired` is a `DesiredState`, document text or a dict.
#[pyfunction]
#[pyo3(signature = (desired, actual, prune = false, file_name = None, reference = None))]
pub fn plan(
    desired: &Bound<'_, PyAny>,
    actual: &Bound<'_, PyAny>,
    prune: bool,
    file_name: Option<&str>,
    reference: Option<&Bound<'_, PyAny>>,
) -> PyResult<Plan> {
    let desired = desired_from_py(desired, file_name, reference)?;
    let actual = actual_from_py(actual)?;
    Ok(core::plan::plan(&desired, &actual, core::plan::PlanOptions { prune }).into())
}

/// Module constants: known enum values, error codes and validation rules (from the core).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(validate_json, m)?)?;
    m.add_function(wrap_pyfunction!(validate_update, m)?)?;
    m.add_function(wrap_pyfunction!(decode_response, m)?)?;
    m.add_function(wrap_pyfunction!(http_error, m)?)?;
    m.add_function(wrap_pyfunction!(next_runs, m)?)?;
    m.add_function(wrap_pyfunction!(next_runs_in_zone, m)?)?;
    m.add_function(wrap_pyfunction!(local_to_utc, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(load_desired_state, m)?)?;
    m.add_function(wrap_pyfunction!(plan, m)?)?;
    m.add(
        "WEEK_DAYS",
        core::WeekDay::KNOWN
            .iter()
            .map(|w| w.as_str().to_owned())
            .collect::<Vec<_>>(),
    )?;
    m.add(
        "REGISTRY_TYPES",
        core::RegistryType::KNOWN
            .iter()
            .map(|w| w.as_str().to_owned())
            .collect::<Vec<_>>(),
    )?;
    m.add(
        "SCHEDULE_STATUSES",
        core::ScheduleStatus::KNOWN
            .iter()
            .map(|w| w.as_str().to_owned())
            .collect::<Vec<_>>(),
    )?;
    m.add("ERROR_CODES", core::Error::CODES.to_vec())?;
    m.add(
        "RULES",
        core::RULES
            .iter()
            .map(|(code, sev, desc)| {
                (
                    *code,
                    match sev {
                        core::Severity::Error => "error",
                        core::Severity::Warning => "warning",
                    },
                    *desc,
                )
            })
            .collect::<Vec<_>>(),
    )?;
    m.add(
        "PLATFORMS",
        qualys_cs_client::Platform::ALL
            .iter()
            .map(|p| (p.name(), p.gateway_url()))
            .collect::<Vec<_>>(),
    )?;
    Ok(())
}
