//! Typed Python objects over the core models. Each wraps the Rust value as is: attributes are
//! read from it, `to_dict()` is its wire JSON, `from_dict()` decodes wire JSON with the core's
//! own decoder. No rule is checked here.

use crate::convert::{datetime_from_millis, from_value, py_repr, to_py, to_value};
use crate::errors::IntoPy as _;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyType};
use qualys_cs_core as core;
use serde_json::Value;

/// How a model is read from wire JSON.
pub trait Wire: Sized {
    /// Decodes the wire JSON (a `decode` or `validation` error when it does not fit).
    fn from_wire(v: Value) -> Result<Self, core::Error>;
}

macro_rules! wire_serde {
    ($($t:ty),* $(,)?) => {$(
        impl Wire for $t {
            fn from_wire(v: Value) -> Result<Self, core::Error> {
                serde_json::from_value(v).map_err(|e| core::Error::Decode {
                    message: e.to_string(),
                    body: None,
                })
            }
        }
    )*};
}

wire_serde!(
    core::Filter,
    core::RepoTag,
    core::AdditionalFilters,
    core::JobError,
    core::Schedule,
    core::Registry,
    core::RegistryDetails,
    core::Repository,
    core::BulkDeleteResponse,
    core::BulkCancelResponse,
    core::ErrorBody,
    core::Report,
    core::LocalConversion,
    core::plan::Plan,
    core::plan::PlanItem,
    core::plan::Change,
    core::plan::PlanSummary,
    core::desired::DesiredState,
    core::desired::DesiredRegistry,
    core::desired::DesiredSchedule,
);

impl Wire for core::ScheduleRequest {
    fn from_wire(v: Value) -> Result<Self, core::Error> {
        core::ScheduleRequest::from_value(&v)
    }
}

impl Wire for core::CreateResponse {
    fn from_wire(v: Value) -> Result<Self, core::Error> {
        core::CreateResponse::from_body(&v.to_string())
    }
}

/// `repr` of a model: its class name and the listed attributes (read from Python, so the repr
/// shows exactly what the attributes hold).
fn model_repr(obj: &Bound<'_, PyAny>, name: &str, attrs: &[&str]) -> PyResult<String> {
    let mut parts = Vec::with_capacity(attrs.len());
    for a in attrs {
        let v = obj.getattr(*a)?;
        if v.is_none() {
            continue;
        }
        parts.push(format!("{a}={}", v.repr()?.to_cow()?));
    }
    Ok(format!("{name}({})", parts.join(", ")))
}

macro_rules! model {
    (
        $(#[$doc:meta])*
        $name:ident($rust:ty), repr = [$($attr:literal),* $(,)?];
        { $($body:tt)* }
    ) => {
        $(#[$doc])*
        #[pyclass(module = "qualys_cs._native", frozen)]
        #[derive(Clone)]
        pub struct $name {
            /// The core value.
            pub inner: $rust,
        }

        impl From<$rust> for $name {
            fn from(inner: $rust) -> Self {
                Self { inner }
            }
        }

        #[pymethods]
        impl $name {
            /// The value as its wire-format dict (JSON names of the API).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                to_py(py, &self.inner)
            }

            /// Decodes a wire-format dict.
            #[classmethod]
            fn from_dict(_cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
                let v = to_value(data)?;
                <$rust as Wire>::from_wire(v).py_err().map(Self::from)
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other
                    .cast::<Self>()
                    .map(|o| o.get().inner == self.inner)
                    .unwrap_or(false)
            }

            fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
                model_repr(slf.as_any(), stringify!($name), &[$($attr),*])
            }

            fn __reduce__<'py>(
                slf: &Bound<'py, Self>,
            ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyAny>,))> {
                let py = slf.py();
                Ok((
                    slf.get_type().getattr("from_dict")?,
                    (to_py(py, &slf.get().inner)?,),
                ))
            }

            $($body)*
        }
    };
}

fn extra<'py>(py: Python<'py>, e: &core::Extra) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, e)
}

fn wrap<T: Clone, P: From<T>>(v: &[T]) -> Vec<P> {
    v.iter().cloned().map(P::from).collect()
}

// ----------------------------------------------------------------------------------------
// Violations and reports

/// One problem found by validation: a JSON pointer, a stable code and a message.
#[pyclass(module = "qualys_cs._native", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Violation {
    /// JSON pointer (RFC 6901) to the offending value; "" is the whole document.
    #[pyo3(get)]
    pub path: String,
    /// Stable snake_case code, e.g. `interval_out_of_range`.
    #[pyo3(get)]
    pub code: String,
    /// A sentence a person can act on.
    #[pyo3(get)]
    pub message: String,
}

impl From<core::Violation> for Violation {
    fn from(v: core::Violation) -> Self {
        Violation {
            path: v.path,
            code: v.code,
            message: v.message,
        }
    }
}

#[pymethods]
impl Violation {
    #[new]
    fn new(path: String, code: String, message: String) -> Self {
        Violation {
            path,
            code,
            message,
        }
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("path", &self.path)?;
        d.set_item("code", &self.code)?;
        d.set_item("message", &self.message)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Violation(path={}, code={}, message={})",
            py_repr(&self.path),
            py_repr(&self.code),
            py_repr(&self.message)
        )
    }

    fn __str__(&self) -> String {
        core::Violation::new(&self.path, &self.code, &self.message).to_string()
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, (String, String, String))> {
        let v = slf.get();
        Ok((
            slf.get_type(),
            (v.path.clone(), v.code.clone(), v.message.clone()),
        ))
    }
}

fn violations(v: &[core::Violation]) -> Vec<Violation> {
    v.iter().cloned().map(Violation::from).collect()
}

model! {
    /// The result of validation: blocking `errors` and non-blocking `warnings`.
    Report(core::Report), repr = ["valid", "errors", "warnings"];
    {
        /// Problems that stop the request.
        #[getter]
        fn errors(&self) -> Vec<Violation> { violations(&self.inner.errors) }
        /// Problems reported but not blocking.
        #[getter]
        fn warnings(&self) -> Vec<Violation> { violations(&self.inner.warnings) }
        /// True when there is no error (warnings allowed).
        #[getter]
        fn valid(&self) -> bool { self.inner.is_valid() }
        fn __bool__(&self) -> bool { self.inner.is_valid() }
        /// Returns the warnings when valid; raises `ValidationError` with every error otherwise.
        fn raise_for_errors(&self) -> PyResult<Vec<Violation>> {
            self.inner.clone().into_result().py_err().map(|w| violations(&w))
        }
    }
}

// ----------------------------------------------------------------------------------------
// Requests

model! {
    /// One filter of a request: repositories (and tags) plus an optional image age.
    Filter(core::Filter), repr = ["days", "repo_tags"];
    {
        /// Only images created within this many days; None = no age filter.
        #[getter]
        fn days(&self) -> Option<i64> { self.inner.days }
        /// Repositories and their tags.
        #[getter]
        fn repo_tags(&self) -> Vec<RepoTag> { wrap(&self.inner.repo_tags) }
        /// Unknown fields, kept verbatim.
        #[getter]
        fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { extra(py, &self.inner.extra) }
    }
}

model! {
    /// A repository and, optionally, comma-separated tags (None = all tags).
    RepoTag(core::RepoTag), repr = ["repo", "tag"];
    {
        /// Repository name.
        #[getter]
        fn repo(&self) -> &str { &self.inner.repo }
        /// Comma-separated tags, or None for all tags.
        #[getter]
        fn tag(&self) -> Option<&str> { self.inner.tag.as_deref() }
        /// The tags as a list (trimmed); empty for all tags.
        fn tags(&self) -> Vec<String> { self.inner.tags().into_iter().map(str::to_owned).collect() }
        /// Unknown fields, kept verbatim.
        #[getter]
        fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { extra(py, &self.inner.extra) }
    }
}

model! {
    /// Limit the scan to the latest N tags (`additionalFilters`).
    AdditionalFilters(core::AdditionalFilters), repr = ["number_of_tags", "sort_criteria"];
    {
        /// How many tags.
        #[getter]
        fn number_of_tags(&self) -> Option<i64> { self.inner.number_of_tags }
        /// Ordering used to pick them (documented: `createdDate`).
        #[getter]
        fn sort_criteria(&self) -> Option<&str> { self.inner.sort_criteria.as_deref() }
        /// Unknown fields, kept verbatim.
        #[getter]
        fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { extra(py, &self.inner.extra) }
    }
}

fn week_day(s: &str) -> core::WeekDay {
    core::WeekDay::from_wire(s)
}

model! {
    /// The body of create and update. Build one with `ScheduleRequest.on_demand / every_days /
    /// weekly / daily(...)...build()`, or decode a wire dict with `ScheduleRequest.from_dict`.
    ScheduleRequest(core::ScheduleRequest), repr = [
        "name", "on_demand", "schedule_interval_in_days", "week_day", "schedule", "force_scan",
        "registry_type", "filters", "additional_filters",
    ];
    {
        /// Schedule name.
        #[getter]
        fn name(&self) -> &str { &self.inner.name }
        /// On an instance: True runs once now, False is an automatic (recurring) schedule.
        /// On the class: the builder constructor `ScheduleRequest.on_demand(name)`.
        #[classattr]
        fn on_demand() -> OnDemandAttr { OnDemandAttr }
        /// Automatic schedules: every N days.
        #[getter]
        fn schedule_interval_in_days(&self) -> Option<i64> { self.inner.schedule_interval_in_days }
        /// Weekly schedules: the day (`MONDAY`..`SUNDAY`).
        #[getter]
        fn week_day(&self) -> Option<&str> { self.inner.week_day.as_ref().map(|w| w.as_str()) }
        /// `HH:MM` in UTC.
        #[getter]
        fn schedule(&self) -> Option<&str> { self.inner.schedule.as_deref() }
        /// Rescan every image, not only new ones.
        #[getter]
        fn force_scan(&self) -> Option<bool> { self.inner.force_scan }
        /// Registry type.
        #[getter]
        fn registry_type(&self) -> Option<&str> { self.inner.registry_type.as_ref().map(|r| r.as_str()) }
        /// What to scan.
        #[getter]
        fn filters(&self) -> Vec<Filter> { wrap(&self.inner.filters) }
        /// Latest-N-tags filter.
        #[getter]
        fn additional_filters(&self) -> Option<AdditionalFilters> { self.inner.additional_filters.clone().map(AdditionalFilters::from) }
        /// Unknown fields, sent as given.
        #[getter]
        fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { extra(py, &self.inner.extra) }
        /// True for automatic (recurring) schedules.
        fn is_automatic(&self) -> bool { self.inner.is_automatic() }
        /// The canonical JSON text.
        fn to_json(&self) -> String { self.inner.to_value().to_string() }
        /// Decodes JSON text (wrong JSON types are a `ValidationError`; rules are `validate`'s job).
        #[classmethod]
        fn from_json(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
            core::ScheduleRequest::from_json(text).py_err().map(Self::from)
        }
        /// Checks every rule; returns the report.
        fn validate(&self) -> Report { core::validate(&self.inner).into() }
        /// One sentence saying when it runs and what it scans.
        fn explain(&self) -> String { core::explain(&self.inner) }
        /// The next `n` runs (UTC datetimes) strictly after max(after, created).
        #[pyo3(signature = (created, after, n = 5))]
        fn next_runs<'py>(&self, py: Python<'py>, created: &Bound<'py, PyAny>, after: &Bound<'py, PyAny>, n: usize) -> PyResult<Vec<Bound<'py, PyAny>>> {
            crate::functions::next_runs_impl(py, &self.inner, created, after, n)
        }

        /// A one-off scan that runs at once.
        #[staticmethod]
        fn on_demand_builder(name: String) -> OnDemandBuilder {
            OnDemandBuilder { b: core::ScheduleRequest::on_demand(name) }
        }
        /// An automatic scan every `days` days (1..=365).
        #[staticmethod]
        fn every_days(name: String, days: u16) -> EveryDaysBuilder {
            EveryDaysBuilder { b: core::ScheduleRequest::every_days(name, days) }
        }
        /// An automatic scan every week on `day` (`MONDAY`..`SUNDAY`), at 00:00 UTC unless `.at()`.
        #[staticmethod]
        fn weekly(name: String, day: &str) -> WeeklyBuilder {
            WeeklyBuilder { b: core::ScheduleRequest::weekly(name, week_day(day)) }
        }
        /// An automatic scan every day at `time` (`HH:MM`, UTC).
        #[staticmethod]
        fn daily(name: String, time: String) -> DailyBuilder {
            DailyBuilder { b: core::ScheduleRequest::daily(name, time) }
        }
        /// A daily scan at a local time in an IANA zone, converted to UTC at the offset in
        /// effect at the first run after `reference` (default: now).
        #[staticmethod]
        #[pyo3(signature = (name, local_time, zone, reference = None))]
        fn daily_in_zone(name: String, local_time: &str, zone: &str, reference: Option<&Bound<'_, PyAny>>) -> PyResult<(DailyBuilder, LocalConversion)> {
            let r = crate::functions::reference_or_now(reference)?;
            let (b, c) = core::ScheduleRequest::daily_in_zone(name, local_time, zone, r).py_err()?;
            Ok((DailyBuilder { b }, c.into()))
        }
        /// A weekly scan on a local weekday and time in an IANA zone (the UTC weekday shifts
        /// when the conversion crosses midnight).
        #[staticmethod]
        #[pyo3(signature = (name, day, local_time, zone, reference = None))]
        fn weekly_in_zone(name: String, day: &str, local_time: &str, zone: &str, reference: Option<&Bound<'_, PyAny>>) -> PyResult<(WeeklyBuilder, LocalConversion)> {
            let r = crate::functions::reference_or_now(reference)?;
            let (b, c) = core::ScheduleRequest::weekly_in_zone(name, week_day(day), local_time, zone, r).py_err()?;
            Ok((WeeklyBuilder { b }, c.into()))
        }
    }
}

/// `ScheduleRequest.on_demand` is both the builder constructor (on the class, as in Rust) and
/// the request's `on_demand` flag (on an instance): a descriptor tells the two apart.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct OnDemandAttr;

#[pymethods]
impl OnDemandAttr {
    fn __get__<'py>(
        &self,
        obj: Option<&Bound<'py, PyAny>>,
        owner: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match (obj, owner) {
            (Some(o), _) if !o.is_none() => {
                let r = o.cast::<ScheduleRequest>()?;
                Ok(pyo3::types::PyBool::new(o.py(), r.get().inner.on_demand)
                    .to_owned()
                    .into_any())
            }
            (_, Some(cls)) => cls.getattr("on_demand_builder"),
            _ => Err(pyo3::exceptions::PyAttributeError::new_err("on_demand")),
        }
    }
}

macro_rules! builder {
    (
        $(#[$doc:meta])*
        $name:ident($kind:ty)
        { $($body:tt)* }
    ) => {
        $(#[$doc])*
        #[pyclass(module = "qualys_cs._native")]
        pub struct $name {
            b: core::ScheduleBuilder<$kind>,
        }

        #[pymethods]
        impl $name {
            /// Scan every tag of `repo`.
            fn repo(mut slf: PyRefMut<'_, Self>, repo: String) -> PyRefMut<'_, Self> {
                slf.b = slf.b.clone().repo(repo);
                slf
            }
            /// Scan every tag of each repository.
            fn repos(mut slf: PyRefMut<'_, Self>, repos: Vec<String>) -> PyRefMut<'_, Self> {
                slf.b = slf.b.clone().repos(repos);
                slf
            }
            /// Scan the given tags of `repo`.
            fn repo_tags(mut slf: PyRefMut<'_, Self>, repo: String, tags: Vec<String>) -> PyRefMut<'_, Self> {
                slf.b = slf.b.clone().repo_tags(repo, tags);
                slf
            }
            /// Only images created within the last `days` days (documented: 1-7 or 14).
            fn created_within_days(mut slf: PyRefMut<'_, Self>, days: u16) -> PyRefMut<'_, Self> {
                slf.b = slf.b.clone().created_within_days(days);
                slf
            }
            /// The registry's type (e.g. `Azure`, `DockerHub`, `V2`).
            fn registry_type(mut slf: PyRefMut<'_, Self>, registry_type: String) -> PyRefMut<'_, Self> {
                slf.b = slf.b.clone().registry_type(core::RegistryType::from_wire(&registry_type));
                slf
            }
            /// Only the latest `n` tags, newest first by creation date.
            fn latest_tags(mut slf: PyRefMut<'_, Self>, n: u32) -> PyRefMut<'_, Self> {
                slf.b = slf.b.clone().latest_tags(n);
                slf
            }
            /// Validates and returns the request; raises `ValidationError` with every error.
            fn build(&self) -> PyResult<ScheduleRequest> {
                self.b.clone().build().py_err().map(ScheduleRequest::from)
            }
            /// The request as built, unchecked.
            fn build_unchecked(&self) -> ScheduleRequest {
                self.b.clone().build_unchecked().into()
            }
            fn __repr__(&self) -> String {
                format!(concat!(stringify!($name), "({})"), self.b.clone().build_unchecked().to_value())
            }
            $($body)*
        }
    };
}

builder! {
    /// Builder of an on-demand schedule (`ScheduleRequest.on_demand(name)`).
    OnDemandBuilder(core::builder::OnDemandKind)
    {
        /// Rescan every image, not only new ones.
        fn force_scan(mut slf: PyRefMut<'_, Self>, on: bool) -> PyRefMut<'_, Self> {
            slf.b = slf.b.clone().force_scan(on);
            slf
        }
    }
}

builder! {
    /// Builder of an every-N-days schedule (`ScheduleRequest.every_days(name, days)`).
    EveryDaysBuilder(core::builder::EveryDaysKind)
    {
        /// Rescan every image, not only new ones.
        fn force_scan(mut slf: PyRefMut<'_, Self>, on: bool) -> PyRefMut<'_, Self> {
            slf.b = slf.b.clone().force_scan(on);
            slf
        }
    }
}

builder! {
    /// Builder of a weekly schedule (`ScheduleRequest.weekly(name, day)`).
    WeeklyBuilder(core::builder::WeeklyKind)
    {
        /// Rescan every image, not only new ones.
        fn force_scan(mut slf: PyRefMut<'_, Self>, on: bool) -> PyRefMut<'_, Self> {
            slf.b = slf.b.clone().force_scan(on);
            slf
        }
        /// Run at `time` (`HH:MM`, UTC) on the weekday.
        fn at(mut slf: PyRefMut<'_, Self>, time: String) -> PyRefMut<'_, Self> {
            slf.b = slf.b.clone().at(time);
            slf
        }
    }
}

builder! {
    /// Builder of a daily schedule (`ScheduleRequest.daily(name, "HH:MM")`).
    DailyBuilder(core::builder::DailyKind)
    {}
}

// ----------------------------------------------------------------------------------------
// Answers

model! {
    /// One error reported on a schedule's job.
    JobError(core::JobError), repr = ["error_code", "error_message"];
    {
        /// Qualys error code (as sent: text or number).
        #[getter]
        fn error_code<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { opt_value(py, &self.inner.error_code) }
        /// Message.
        #[getter]
        fn error_message(&self) -> Option<&str> { self.inner.error_message.as_deref() }
        /// Parameters of the message.
        #[getter]
        fn context_params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { opt_value(py, &self.inner.context_params) }
        /// Unknown fields, kept verbatim.
        #[getter]
        fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { extra(py, &self.inner.extra) }
    }
}

fn opt_value<'py>(py: Python<'py>, v: &Option<Value>) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Some(v) => from_value(py, v),
        None => Ok(py.None().into_bound(py)),
    }
}

type Dt<'py> = PyResult<Option<Bound<'py, PyAny>>>;

model! {
    /// A schedule as listed. Unknown fields are kept in `extra`.
    Schedule(core::Schedule), repr = ["schedule_uuid", "name", "status", "on_demand", "schedule_interval_in_days", "week_day", "schedule"];
    {
        /// The schedule's id.
        #[getter]
        fn schedule_uuid(&self) -> &str { &self.inner.schedule_uuid }
        /// Name.
        #[getter]
        fn name(&self) -> &str { &self.inner.name }
        /// On demand or automatic (None when the answer did not say).
        #[getter]
        fn on_demand(&self) -> Option<bool> { self.inner.on_demand }
        /// Interval in days, when the answer carries it.
        #[getter]
        fn schedule_interval_in_days(&self) -> Option<i64> { self.inner.schedule_interval_in_days }
        /// Weekday, when the answer carries it.
        #[getter]
        fn week_day(&self) -> Option<&str> { self.inner.week_day.as_ref().map(|w| w.as_str()) }
        /// `HH:MM` UTC.
        #[getter]
        fn schedule(&self) -> Option<&str> { self.inner.schedule.as_deref() }
        /// Force scan, when the answer carries it.
        #[getter]
        fn force_scan(&self) -> Option<bool> { self.inner.force_scan }
        /// Registry type, when the answer carries it.
        #[getter]
        fn registry_type(&self) -> Option<&str> { self.inner.registry_type.as_ref().map(|r| r.as_str()) }
        /// Status of the schedule's job, as sent (e.g. `Running`, `Completed`).
        #[getter]
        fn status(&self) -> Option<&str> { self.inner.status.as_ref().map(|s| s.as_str()) }
        /// Filters.
        #[getter]
        fn filters(&self) -> Vec<Filter> { wrap(&self.inner.filters) }
        /// Latest-N-tags filter.
        #[getter]
        fn additional_filters(&self) -> Option<AdditionalFilters> { self.inner.additional_filters.clone().map(AdditionalFilters::from) }
        /// Errors of the last job.
        #[getter]
        fn errors(&self) -> Vec<JobError> { wrap(&self.inner.errors) }
        /// Created (UTC).
        #[getter]
        fn created<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.created) }
        /// Updated (UTC).
        #[getter]
        fn updated<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.updated) }
        /// Job started (UTC).
        #[getter]
        fn job_start_date<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.job_start_date) }
        /// Job completed (UTC).
        #[getter]
        fn job_completion_date<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.job_completion_date) }
        /// Listing phase started (UTC).
        #[getter]
        fn job_listing_start_date<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.job_listing_start_date) }
        /// Listing phase completed (UTC).
        #[getter]
        fn job_listing_completion_date<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.job_listing_completion_date) }
        /// Scanning phase started (UTC).
        #[getter]
        fn job_scanning_start_date<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.job_scanning_start_date) }
        /// Scanning phase completed (UTC).
        #[getter]
        fn job_scanning_completion_date<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.job_scanning_completion_date) }
        /// Unknown fields, kept verbatim.
        #[getter]
        fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { extra(py, &self.inner.extra) }
        /// A job is executing: the schedule can be neither updated nor deleted.
        fn is_running(&self) -> bool { self.inner.status().is_running() }
        /// A terminal status: nothing more happens to this job by itself.
        fn is_terminal(&self) -> bool { self.inner.status().is_terminal() }
        /// A single cancel accepts this status.
        fn can_cancel(&self) -> bool { self.inner.status().can_cancel() }
        /// True when on demand (absent counts as on demand).
        fn is_on_demand(&self) -> bool { self.inner.is_on_demand() }
        /// The request that would (re)create this schedule, as far as the answer tells.
        fn to_request(&self) -> ScheduleRequest { self.inner.to_request().into() }
        /// The fields that decide when it runs but that the answer did not carry (e.g.
        /// `["weekDay"]` for a weekly schedule listed in Qualys's OpenAPI shape); empty when
        /// its run times can be computed.
        fn unreported_timing(&self) -> Vec<&'static str> { self.inner.unreported_timing() }
        /// One sentence saying when it runs and what it scans; says what the answer did not
        /// report instead of guessing.
        fn explain(&self) -> String { core::explain::explain_schedule(&self.inner) }
        /// The next `n` runs (UTC datetimes) after `after`, counted from its `created` date.
        /// Raises `NotReportedError` (with `fields`) when the answer lacks the interval or
        /// weekday.
        #[pyo3(signature = (after, n = 5))]
        fn next_runs<'py>(&self, py: Python<'py>, after: &Bound<'py, PyAny>, n: usize) -> PyResult<Vec<Bound<'py, PyAny>>> {
            let after = crate::convert::timestamp_from_py(after, "after")?;
            self.inner
                .next_runs(after, n)
                .py_err()?
                .into_iter()
                .map(|t| crate::convert::datetime_from_timestamp(py, t))
                .collect()
        }
    }
}

model! {
    /// A registry as listed.
    Registry(core::Registry), repr = ["registry_uuid", "registry_name", "registry_uri", "registry_type"];
    {
        /// The registry's id.
        #[getter]
        fn registry_uuid(&self) -> &str { &self.inner.registry_uuid }
        /// Display name.
        #[getter]
        fn registry_name(&self) -> Option<&str> { self.inner.registry_name.as_deref() }
        /// Registry URI.
        #[getter]
        fn registry_uri(&self) -> Option<&str> { self.inner.registry_uri.as_deref() }
        /// Registry type.
        #[getter]
        fn registry_type(&self) -> Option<&str> { self.inner.registry_type.as_ref().map(|r| r.as_str()) }
        /// Number of repositories.
        #[getter]
        fn repo_count(&self) -> Option<i64> { self.inner.repo_count }
        /// Created (UTC).
        #[getter]
        fn created<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.created) }
        /// Updated (UTC).
        #[getter]
        fn updated<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.updated) }
        /// Last scanned (UTC).
        #[getter]
        fn last_scanned<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.last_scanned) }
        /// Unknown fields, kept verbatim.
        #[getter]
        fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { extra(py, &self.inner.extra) }
    }
}

model! {
    /// A registry with its details.
    RegistryDetails(core::RegistryDetails), repr = ["registry_uuid", "registry_name", "registry_uri", "registry_type", "credential_type"];
    {
        /// The summary fields.
        #[getter]
        fn registry(&self) -> Registry { self.inner.registry.clone().into() }
        /// The registry's id.
        #[getter]
        fn registry_uuid(&self) -> &str { &self.inner.registry.registry_uuid }
        /// Display name.
        #[getter]
        fn registry_name(&self) -> Option<&str> { self.inner.registry.registry_name.as_deref() }
        /// Registry URI.
        #[getter]
        fn registry_uri(&self) -> Option<&str> { self.inner.registry.registry_uri.as_deref() }
        /// Registry type.
        #[getter]
        fn registry_type(&self) -> Option<&str> { self.inner.registry.registry_type.as_ref().map(|r| r.as_str()) }
        /// Credential type, e.g. `None`, `BasicAuth`, `Token`.
        #[getter]
        fn credential_type(&self) -> Option<&str> { self.inner.credential_type.as_deref() }
        /// Schedules of this registry, when the answer includes them.
        #[getter]
        fn schedules(&self) -> Option<Vec<Schedule>> { self.inner.schedules.as_deref().map(wrap) }
        /// Unknown fields, kept verbatim.
        #[getter]
        fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { extra(py, &self.inner.registry.extra) }
    }
}

model! {
    /// A repository of a registry.
    Repository(core::Repository), repr = ["repo_name", "total_images", "total_scanned_images", "total_vulnerable_images"];
    {
        /// Repository name.
        #[getter]
        fn repo_name(&self) -> &str { &self.inner.repo_name }
        /// Images found.
        #[getter]
        fn total_images(&self) -> Option<i64> { self.inner.total_images }
        /// Images scanned.
        #[getter]
        fn total_scanned_images(&self) -> Option<i64> { self.inner.total_scanned_images }
        /// Images with vulnerabilities.
        #[getter]
        fn total_vulnerable_images(&self) -> Option<i64> { self.inner.total_vulnerable_images }
        /// Unknown fields, kept verbatim.
        #[getter]
        fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { extra(py, &self.inner.extra) }
    }
}

model! {
    /// The decoded answer to create (`{"scheduleUuid": ...}` in any of its forms).
    CreateResponse(core::CreateResponse), repr = ["schedule_uuid"];
    {
        /// The new schedule's id.
        #[getter]
        fn schedule_uuid(&self) -> &str { self.inner.schedule_uuid.as_str() }
    }
}

model! {
    /// Answer of bulk delete.
    BulkDeleteResponse(core::BulkDeleteResponse), repr = ["deletion_job_id"];
    {
        /// The deletion job's id.
        #[getter]
        fn deletion_job_id(&self) -> &str { &self.inner.deletion_job_id }
    }
}

model! {
    /// Answer of bulk cancel.
    BulkCancelResponse(core::BulkCancelResponse), repr = ["cancel_job_id"];
    {
        /// The cancel job's id.
        #[getter]
        fn cancel_job_id(&self) -> &str { &self.inner.cancel_job_id }
    }
}

model! {
    /// The Qualys error body.
    ErrorBody(core::ErrorBody), repr = ["error_code", "message"];
    {
        /// e.g. `"403 FORBIDDEN"`.
        #[getter]
        fn error_code(&self) -> Option<&str> { self.inner.error_code.as_deref() }
        /// Message.
        #[getter]
        fn message(&self) -> Option<&str> { self.inner.message.as_deref() }
        /// When (UTC).
        #[getter]
        fn timestamp<'py>(&self, py: Python<'py>) -> Dt<'py> { datetime_from_millis(py, self.inner.timestamp) }
    }
}

/// The result of a create.
#[pyclass(module = "qualys_cs._native", frozen)]
#[derive(Clone)]
pub struct Created {
    inner: qualys_cs_client::Created,
}

impl From<qualys_cs_client::Created> for Created {
    fn from(inner: qualys_cs_client::Created) -> Self {
        Created { inner }
    }
}

#[pymethods]
impl Created {
    /// The new schedule's id.
    #[getter]
    fn schedule_uuid(&self) -> &str {
        self.inner.schedule_uuid.as_str()
    }
    /// Validation warnings of the request (it was sent anyway).
    #[getter]
    fn warnings(&self) -> Vec<Violation> {
        violations(&self.inner.warnings)
    }
    /// True when the answer was lost and the schedule was found by name instead.
    #[getter]
    fn recovered(&self) -> bool {
        self.inner.recovered
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        model_repr(
            slf.as_any(),
            "Created",
            &["schedule_uuid", "recovered", "warnings"],
        )
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Self>()
            .map(|o| o.get().inner == self.inner)
            .unwrap_or(false)
    }
}

/// One page of a list: `count` is the total across pages, `data` this page's items.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct Page {
    /// Total number of items matching, across all pages.
    #[pyo3(get)]
    count: u64,
    /// The items of this page.
    data: Py<PyList>,
    /// Items that could not be decoded and were skipped (lenient decoding only), as dicts.
    skipped: Py<PyList>,
}

impl Page {
    /// A page of converted items.
    pub fn new<'py, T, P>(py: Python<'py>, page: core::Page<T>) -> PyResult<Self>
    where
        P: From<T> + pyo3::PyClass + Into<pyo3::PyClassInitializer<P>>,
    {
        let list = PyList::empty(py);
        for item in page.data {
            list.append(Py::new(py, P::from(item))?)?;
        }
        let skipped = PyList::empty(py);
        for s in &page.skipped {
            skipped.append(to_py(py, s)?)?;
        }
        Ok(Page {
            count: page.count,
            data: list.unbind(),
            skipped: skipped.unbind(),
        })
    }
}

#[pymethods]
impl Page {
    #[new]
    #[pyo3(signature = (count, data, skipped = None))]
    fn py_new(count: u64, data: Bound<'_, PyList>, skipped: Option<Bound<'_, PyList>>) -> Self {
        let py = data.py();
        Page {
            count,
            data: data.unbind(),
            skipped: skipped.unwrap_or_else(|| PyList::empty(py)).unbind(),
        }
    }
    /// Items of the answer that could not be decoded and were skipped (lenient decoding):
    /// dicts with `index`, `message`, `raw` (and `pageNumber` when known). Empty otherwise.
    #[getter]
    fn skipped<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.skipped.bind(py).iter())
    }
    /// The items of this page (a new list each time).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.data.bind(py).iter())
    }
    fn __len__(&self, py: Python<'_>) -> usize {
        self.data.bind(py).len()
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.data.bind(py).as_any().try_iter().map(Bound::into_any)
    }
    fn __getitem__<'py>(&self, py: Python<'py>, i: isize) -> PyResult<Bound<'py, PyAny>> {
        self.data.bind(py).as_any().get_item(i)
    }
    /// `{"count": ..., "data": [item.to_dict(), ...]}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("count", self.count)?;
        let items = PyList::empty(py);
        for x in self.data.bind(py).iter() {
            items.append(x.call_method0("to_dict")?)?;
        }
        d.set_item("data", items)?;
        let skipped = self.skipped.bind(py);
        if !skipped.is_empty() {
            d.set_item("skipped", PyList::new(py, skipped.iter())?)?;
        }
        Ok(d)
    }
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Page(count={}, data={})",
            self.count,
            self.data.bind(py).repr()?.to_cow()?
        ))
    }
    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(
        Bound<'py, PyType>,
        (u64, Bound<'py, PyList>, Bound<'py, PyList>),
    )> {
        let p = slf.get();
        let py = slf.py();
        Ok((
            slf.get_type(),
            (p.count, p.data.bind(py).clone(), p.skipped.bind(py).clone()),
        ))
    }
    #[classmethod]
    fn __class_getitem__<'py>(
        cls: &Bound<'py, PyType>,
        _item: &Bound<'py, PyAny>,
    ) -> Bound<'py, PyType> {
        cls.clone()
    }
}

// ----------------------------------------------------------------------------------------
// Time zones, plans, desired state

model! {
    /// A local run time converted to the UTC fields Qualys needs.
    LocalConversion(core::LocalConversion), repr = ["zone", "local_time", "local_week_day", "utc_time", "utc_week_day", "day_shift", "offset_minutes"];
    {
        /// The IANA zone.
        #[getter]
        fn zone(&self) -> &str { &self.inner.zone }
        /// The local time asked for, `HH:MM`.
        #[getter]
        fn local_time(&self) -> &str { &self.inner.local_time }
        /// The local weekday asked for (weekly schedules).
        #[getter]
        fn local_week_day(&self) -> Option<&str> { self.inner.local_week_day.as_ref().map(|w| w.as_str()) }
        /// The UTC `schedule` value to send.
        #[getter]
        fn utc_time(&self) -> &str { &self.inner.utc_time }
        /// The UTC `weekDay` to send (weekly schedules).
        #[getter]
        fn utc_week_day(&self) -> Option<&str> { self.inner.utc_week_day.as_ref().map(|w| w.as_str()) }
        /// Days the UTC run is shifted from the local day: -1, 0 or +1.
        #[getter]
        fn day_shift(&self) -> i8 { self.inner.day_shift }
        /// The zone's UTC offset used, in minutes.
        #[getter]
        fn offset_minutes(&self) -> i32 { self.inner.offset_minutes }
        /// `dst_shift` warnings.
        #[getter]
        fn warnings(&self) -> Vec<Violation> { violations(&self.inner.warnings) }
    }
}

model! {
    /// One changed field of a plan item.
    Change(core::plan::Change), repr = ["field", "from_", "to", "forces_replacement", "unknown"];
    {
        /// The request field (canonical JSON name).
        #[getter]
        fn field(&self) -> &str { &self.inner.field }
        /// Its current value (None when absent).
        #[getter]
        fn from_<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { from_value(py, &self.inner.from) }
        /// Its desired value.
        #[getter]
        fn to<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { from_value(py, &self.inner.to) }
        /// True when Qualys cannot update this field in place.
        #[getter]
        fn forces_replacement(&self) -> bool { self.inner.forces_replacement }
        /// True when the server's answer did not carry this field (`from_` is then None): the
        /// current value is unknown, so the desired one is sent rather than assumed equal.
        #[getter]
        fn unknown(&self) -> bool { self.inner.unknown }
    }
}

fn action_name(a: core::plan::Action) -> &'static str {
    match a {
        core::plan::Action::Create => "create",
        core::plan::Action::Update => "update",
        core::plan::Action::Replace => "replace",
        core::plan::Action::Delete => "delete",
        core::plan::Action::Unchanged => "unchanged",
        core::plan::Action::Skip => "skip",
    }
}

model! {
    /// One line of a plan.
    PlanItem(core::plan::PlanItem), repr = ["registry", "name", "action", "schedule_id", "reason"];
    {
        /// The registry as the file names it.
        #[getter]
        fn registry(&self) -> &str { &self.inner.registry }
        /// The registry's UUID, when resolved.
        #[getter]
        fn registry_id(&self) -> Option<&str> { self.inner.registry_id.as_deref() }
        /// The schedule's name.
        #[getter]
        fn name(&self) -> &str { &self.inner.name }
        /// `create`, `update`, `replace`, `delete`, `unchanged` or `skip`.
        #[getter]
        fn action(&self) -> &'static str { action_name(self.inner.action) }
        /// True when applying the action sends a write.
        fn is_change(&self) -> bool { self.inner.action.is_change() }
        /// The existing schedule's id.
        #[getter]
        fn schedule_id(&self) -> Option<&str> { self.inner.schedule_id.as_deref() }
        /// The body to send (create, update, replace).
        #[getter]
        fn request(&self) -> Option<ScheduleRequest> { self.inner.request.clone().map(ScheduleRequest::from) }
        /// Fields that differ.
        #[getter]
        fn changes(&self) -> Vec<Change> { wrap(&self.inner.changes) }
        /// Why (skip), or a note.
        #[getter]
        fn reason(&self) -> Option<&str> { self.inner.reason.as_deref() }
    }
}

model! {
    /// Counts per action.
    PlanSummary(core::plan::PlanSummary), repr = ["create", "update", "replace", "delete", "unchanged", "skip"];
    {
        /// To create.
        #[getter]
        fn create(&self) -> usize { self.inner.create }
        /// To update.
        #[getter]
        fn update(&self) -> usize { self.inner.update }
        /// To replace.
        #[getter]
        fn replace(&self) -> usize { self.inner.replace }
        /// To delete.
        #[getter]
        fn delete(&self) -> usize { self.inner.delete }
        /// Unchanged.
        #[getter]
        fn unchanged(&self) -> usize { self.inner.unchanged }
        /// Skipped.
        #[getter]
        fn skip(&self) -> usize { self.inner.skip }
    }
}

model! {
    /// A whole plan: what applying the desired state would do.
    Plan(core::plan::Plan), repr = ["items", "unmanaged"];
    {
        /// Items in deterministic order.
        #[getter]
        fn items(&self) -> Vec<PlanItem> { wrap(&self.inner.items) }
        /// Existing schedules not in the file that were kept (no pruning).
        #[getter]
        fn unmanaged(&self) -> usize { self.inner.unmanaged }
        /// Warnings carried over from the desired state.
        #[getter]
        fn warnings(&self) -> Vec<Violation> { violations(&self.inner.warnings) }
        /// True when applying would send no write.
        fn is_empty(&self) -> bool { self.inner.is_empty() }
        /// Counts per action.
        fn summary(&self) -> PlanSummary { self.inner.summary().into() }
        /// A readable rendering, like a terraform plan.
        fn render_text(&self) -> String { self.inner.render_text() }
    }
}

model! {
    /// One wanted schedule of a desired-state file.
    DesiredSchedule(core::desired::DesiredSchedule), repr = ["name", "line", "request"];
    {
        /// Name (the key matched against existing schedules).
        #[getter]
        fn name(&self) -> &str { &self.inner.name }
        /// The request to send (UTC, time zones resolved).
        #[getter]
        fn request(&self) -> ScheduleRequest { self.inner.request.clone().into() }
        /// The local-time conversion, when a timezone was given.
        #[getter]
        fn conversion(&self) -> Option<LocalConversion> { self.inner.conversion.clone().map(LocalConversion::from) }
        /// Line in the file where the schedule starts (1-based), when known.
        #[getter]
        fn line(&self) -> Option<usize> { self.inner.line }
    }
}

model! {
    /// The schedules wanted in one registry.
    DesiredRegistry(core::desired::DesiredRegistry), repr = ["registry", "schedules"];
    {
        /// The registry's name, URI or UUID, as written.
        #[getter]
        fn registry(&self) -> &str { &self.inner.registry }
        /// Wanted schedules, in file order.
        #[getter]
        fn schedules(&self) -> Vec<DesiredSchedule> { wrap(&self.inner.schedules) }
    }
}

model! {
    /// A parsed desired-state file (schedules as code).
    DesiredState(core::desired::DesiredState), repr = ["source", "registries"];
    {
        /// Where it came from (file name).
        #[getter]
        fn source(&self) -> &str { &self.inner.source }
        /// Registries, in file order.
        #[getter]
        fn registries(&self) -> Vec<DesiredRegistry> { wrap(&self.inner.registries) }
        /// Warnings (validation warnings, DST shifts), each naming file, line and field.
        #[getter]
        fn warnings(&self) -> Vec<Violation> { violations(&self.inner.warnings) }
    }
}

/// Registers every model class.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Violation>()?;
    m.add_class::<Report>()?;
    m.add_class::<Filter>()?;
    m.add_class::<RepoTag>()?;
    m.add_class::<AdditionalFilters>()?;
    m.add_class::<ScheduleRequest>()?;
    m.add_class::<OnDemandBuilder>()?;
    m.add_class::<EveryDaysBuilder>()?;
    m.add_class::<WeeklyBuilder>()?;
    m.add_class::<DailyBuilder>()?;
    m.add_class::<JobError>()?;
    m.add_class::<Schedule>()?;
    m.add_class::<Registry>()?;
    m.add_class::<RegistryDetails>()?;
    m.add_class::<Repository>()?;
    m.add_class::<CreateResponse>()?;
    m.add_class::<BulkDeleteResponse>()?;
    m.add_class::<BulkCancelResponse>()?;
    m.add_class::<ErrorBody>()?;
    m.add_class::<Created>()?;
    m.add_class::<Page>()?;
    m.add_class::<LocalConversion>()?;
    m.add_class::<Change>()?;
    m.add_class::<PlanItem>()?;
    m.add_class::<PlanSummary>()?;
    m.add_class::<Plan>()?;
    m.add_class::<DesiredSchedule>()?;
    m.add_class::<DesiredRegistry>()?;
    m.add_class::<DesiredState>()?;
    Ok(())
}

// ----------------------------------------------------------------------------------------
// Apply

fn outcome_name(o: &qualys_cs_client::apply::Outcome) -> &'static str {
    use qualys_cs_client::apply::Outcome;
    match o {
        Outcome::Applied => "applied",
        Outcome::NoOp => "no_op",
        Outcome::DryRun => "dry_run",
        Outcome::Failed => "failed",
    }
}

/// Progress of an apply, given to the `progress` callback after each item.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct ApplyProgress {
    inner: qualys_cs_client::apply::ApplyProgress,
}

impl From<qualys_cs_client::apply::ApplyProgress> for ApplyProgress {
    fn from(inner: qualys_cs_client::apply::ApplyProgress) -> Self {
        ApplyProgress { inner }
    }
}

#[pymethods]
impl ApplyProgress {
    /// Items finished so far.
    #[getter]
    fn done(&self) -> usize {
        self.inner.done
    }
    /// Items in the plan.
    #[getter]
    fn total(&self) -> usize {
        self.inner.total
    }
    /// The item just finished, as `registry/name`.
    #[getter]
    fn item(&self) -> &str {
        &self.inner.item
    }
    /// Its action.
    #[getter]
    fn action(&self) -> &'static str {
        action_name(self.inner.action)
    }
    /// Whether it succeeded.
    #[getter]
    fn ok(&self) -> bool {
        self.inner.ok
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        model_repr(
            slf.as_any(),
            "ApplyProgress",
            &["done", "total", "item", "action", "ok"],
        )
    }
}

/// The result of one plan item.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct ItemResult {
    inner: qualys_cs_client::apply::ItemResult,
}

#[pymethods]
impl ItemResult {
    /// The registry as the file names it.
    #[getter]
    fn registry(&self) -> &str {
        &self.inner.registry
    }
    /// The schedule's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// The planned action.
    #[getter]
    fn action(&self) -> &'static str {
        action_name(self.inner.action)
    }
    /// `applied`, `no_op`, `dry_run` or `failed`.
    #[getter]
    fn outcome(&self) -> &'static str {
        outcome_name(&self.inner.outcome)
    }
    /// The schedule's id after the item (the new id for create / replace).
    #[getter]
    fn schedule_id(&self) -> Option<&str> {
        self.inner.schedule_id.as_deref()
    }
    /// The requests sent (or, in a dry run, that would be sent): `{method, path, body}`.
    #[getter]
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.requests)
    }
    /// The error (a `QualysCsError`), when the item failed.
    #[getter]
    fn error<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .error
            .as_ref()
            .map(|e| crate::errors::exception(py, e))
            .transpose()
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        model_repr(
            slf.as_any(),
            "ItemResult",
            &[
                "registry",
                "name",
                "action",
                "outcome",
                "schedule_id",
                "error",
            ],
        )
    }
}

/// The result of an apply: one entry per plan item, in plan order.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct ApplyReport {
    inner: qualys_cs_client::apply::ApplyReport,
}

impl From<qualys_cs_client::apply::ApplyReport> for ApplyReport {
    fn from(inner: qualys_cs_client::apply::ApplyReport) -> Self {
        ApplyReport { inner }
    }
}

#[pymethods]
impl ApplyReport {
    /// Per-item results, in plan order.
    #[getter]
    fn items(&self) -> Vec<ItemResult> {
        self.inner
            .items
            .iter()
            .cloned()
            .map(|inner| ItemResult { inner })
            .collect()
    }
    /// Items that failed.
    fn failed(&self) -> usize {
        self.inner.failed()
    }
    /// Items that were applied.
    fn applied(&self) -> usize {
        self.inner.applied()
    }
    /// True when nothing failed.
    fn is_success(&self) -> bool {
        self.inner.is_success()
    }
    fn __bool__(&self) -> bool {
        self.inner.is_success()
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "ApplyReport(items={}, applied={}, failed={})",
            self.inner.items.len(),
            self.inner.applied(),
            self.inner.failed()
        )
    }
}

/// Registers the apply result classes.
pub fn register_apply(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ApplyProgress>()?;
    m.add_class::<ItemResult>()?;
    m.add_class::<ApplyReport>()?;
    Ok(())
}
