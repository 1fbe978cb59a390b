//! `Client` (blocking, GIL released while waiting) and `AsyncClient` (asyncio), both over the
//! one Rust `qualys_cs_client::Client`. Every method maps arguments, calls the Rust method and
//! maps the result: retries, validation and rate limiting are the Rust client's.

use crate::convert::{duration_from_secs, py_repr};
use crate::errors::{IntoPy as _, to_pyerr};
use crate::functions::RequestArg;
use crate::models::{
    ApplyProgress, ApplyReport, BulkCancelResponse, BulkDeleteResponse, Created, Page, Plan,
    Registry, RegistryDetails, Repository, Schedule, Violation,
};
use crate::runtime::{block_on, future_into_py};
use futures_util::StreamExt as _;
use pyo3::exceptions::{PyStopAsyncIteration, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyType};
use qualys_cs_client as qc;
use qualys_cs_core as core;
use std::future::Future;
use std::sync::{Arc, Mutex};

// ----------------------------------------------------------------------------------------
// Policies

/// How failed requests are retried (exponential backoff with full jitter); durations in seconds.
#[pyclass(module = "qualys_cs._native", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct RetryPolicy {
    pub inner: qc::RetryPolicy,
}

#[pymethods]
impl RetryPolicy {
    #[new]
    #[pyo3(signature = (*, max_attempts = None, base_delay = None, max_delay = None, max_elapsed = None))]
    fn new(
        max_attempts: Option<u32>,
        base_delay: Option<f64>,
        max_delay: Option<f64>,
        max_elapsed: Option<f64>,
    ) -> PyResult<Self> {
        let mut p = qc::RetryPolicy::default();
        if let Some(n) = max_attempts {
            p.max_attempts = n;
        }
        if let Some(s) = base_delay {
            p.base_delay = duration_from_secs(s, "base_delay")?;
        }
        if let Some(s) = max_delay {
            p.max_delay = duration_from_secs(s, "max_delay")?;
        }
        if let Some(s) = max_elapsed {
            p.max_elapsed = duration_from_secs(s, "max_elapsed")?;
        }
        Ok(RetryPolicy { inner: p })
    }
    /// A policy that never retries.
    #[staticmethod]
    fn none() -> Self {
        RetryPolicy {
            inner: qc::RetryPolicy::none(),
        }
    }
    /// Attempts in all, the first included.
    #[getter]
    fn max_attempts(&self) -> u32 {
        self.inner.max_attempts
    }
    /// Base of the exponential backoff (seconds).
    #[getter]
    fn base_delay(&self) -> f64 {
        self.inner.base_delay.as_secs_f64()
    }
    /// Cap of one backoff delay (seconds).
    #[getter]
    fn max_delay(&self) -> f64 {
        self.inner.max_delay.as_secs_f64()
    }
    /// Give up when the next retry would start later than this after the first attempt.
    #[getter]
    fn max_elapsed(&self) -> f64 {
        self.inner.max_elapsed.as_secs_f64()
    }
    fn __repr__(&self) -> String {
        format!(
            "RetryPolicy(max_attempts={}, base_delay={}, max_delay={}, max_elapsed={})",
            self.max_attempts(),
            self.base_delay(),
            self.max_delay(),
            self.max_elapsed()
        )
    }
}

/// The client-side rate limiter of `/csapi` calls; durations in seconds.
#[pyclass(module = "qualys_cs._native", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct RateLimitPolicy {
    pub inner: qc::RateLimitPolicy,
}

#[pymethods]
impl RateLimitPolicy {
    #[new]
    #[pyo3(signature = (*, max_concurrency = None, initial_limit = None, initial_window = None, enabled = None))]
    fn new(
        max_concurrency: Option<usize>,
        initial_limit: Option<u32>,
        initial_window: Option<f64>,
        enabled: Option<bool>,
    ) -> PyResult<Self> {
        let mut p = qc::RateLimitPolicy::default();
        if let Some(n) = max_concurrency {
            p.max_concurrency = n;
        }
        if let Some(n) = initial_limit {
            p.initial_limit = n;
        }
        if let Some(s) = initial_window {
            p.initial_window = duration_from_secs(s, "initial_window")?;
        }
        if let Some(e) = enabled {
            p.enabled = e;
        }
        Ok(RateLimitPolicy { inner: p })
    }
    /// A disabled limiter.
    #[staticmethod]
    fn disabled() -> Self {
        RateLimitPolicy {
            inner: qc::RateLimitPolicy::disabled(),
        }
    }
    /// Most requests in flight at once.
    #[getter]
    fn max_concurrency(&self) -> usize {
        self.inner.max_concurrency
    }
    /// Calls per window assumed until the server's headers say otherwise.
    #[getter]
    fn initial_limit(&self) -> u32 {
        self.inner.initial_limit
    }
    /// Window assumed until the server's headers say otherwise (seconds).
    #[getter]
    fn initial_window(&self) -> f64 {
        self.inner.initial_window.as_secs_f64()
    }
    /// False turns the limiter off.
    #[getter]
    fn enabled(&self) -> bool {
        self.inner.enabled
    }
    fn __repr__(&self) -> String {
        format!(
            "RateLimitPolicy(max_concurrency={}, initial_limit={}, initial_window={}, enabled={})",
            self.max_concurrency(),
            self.initial_limit(),
            self.initial_window(),
            if self.enabled() { "True" } else { "False" }
        )
    }
}

// ----------------------------------------------------------------------------------------
// Configuration

const OPTION_NAMES: &[&str] = &[
    "gateway_url",
    "platform",
    "username",
    "password",
    "token",
    "connect_timeout",
    "request_timeout",
    "proxy",
    "no_proxy",
    "root_certificates",
    "user_agent_suffix",
    "retry",
    "rate_limit",
    "create_recovery",
    "create_settle_window",
    "allow_insecure_http",
];

fn pem_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<u8>>> {
    let one = |o: &Bound<'_, PyAny>| -> PyResult<Vec<u8>> {
        if let Ok(s) = o.cast::<PyString>() {
            Ok(s.to_cow()?.as_bytes().to_vec())
        } else if let Ok(b) = o.cast::<PyBytes>() {
            Ok(b.as_bytes().to_vec())
        } else {
            Err(PyTypeError::new_err(
                "root_certificates: give PEM text (str or bytes) or a list of them",
            ))
        }
    };
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Ok(vec![one(obj)?]);
    }
    obj.try_iter()?.map(|o| one(&o?)).collect()
}

/// Applies keyword options to a builder. Unknown names are a `TypeError`.
pub fn apply_options(
    mut b: qc::ClientBuilder,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<qc::ClientBuilder> {
    let Some(kw) = kwargs else { return Ok(b) };
    for k in kw.keys() {
        let k: String = k.extract()?;
        if !OPTION_NAMES.contains(&k.as_str()) {
            return Err(PyTypeError::new_err(format!(
                "unexpected keyword argument {k:?}; the options are {}",
                OPTION_NAMES.join(", ")
            )));
        }
    }
    let get = |name: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        Ok(kw.get_item(name)?.filter(|v| !v.is_none()))
    };
    let text = |name: &str| -> PyResult<Option<String>> {
        get(name)?.map(|v| v.extract::<String>()).transpose()
    };
    if let Some(u) = text("gateway_url")? {
        b = b.gateway_url(u);
    }
    if let Some(p) = text("platform")? {
        b = b.platform(p.parse::<qc::Platform>().py_err()?);
    }
    match (text("username")?, text("password")?) {
        (Some(u), Some(p)) => b = b.credentials(u, p),
        // Let the builder explain what is missing.
        (Some(u), None) => b = b.credentials(u, ""),
        (None, Some(p)) => b = b.credentials("", p),
        (None, None) => {}
    }
    if let Some(t) = text("token")? {
        b = b.token(t);
    }
    if let Some(v) = get("connect_timeout")? {
        b = b.connect_timeout(duration_from_secs(v.extract()?, "connect_timeout")?);
    }
    if let Some(v) = get("request_timeout")? {
        b = b.request_timeout(duration_from_secs(v.extract()?, "request_timeout")?);
    }
    if let Some(p) = text("proxy")? {
        b = b.proxy(p);
    }
    if get("no_proxy")?.map(|v| v.is_truthy()).transpose()? == Some(true) {
        b = b.no_proxy();
    }
    if let Some(v) = get("root_certificates")? {
        for pem in pem_list(&v)? {
            b = b.add_root_certificate_pem(&pem);
        }
    }
    if let Some(s) = text("user_agent_suffix")? {
        b = b.user_agent_suffix(s);
    }
    if let Some(v) = get("retry")? {
        let p = v.cast::<RetryPolicy>().map_err(|_| {
            PyTypeError::new_err("retry must be a RetryPolicy, e.g. RetryPolicy(max_attempts=3)")
        })?;
        b = b.retry(p.get().inner);
    }
    if let Some(v) = get("rate_limit")? {
        let p = v.cast::<RateLimitPolicy>().map_err(|_| {
            PyTypeError::new_err(
                "rate_limit must be a RateLimitPolicy, e.g. RateLimitPolicy(max_concurrency=8)",
            )
        })?;
        b = b.rate_limit(p.get().inner);
    }
    if let Some(m) = text("create_recovery")? {
        b = b.create_recovery(match m.as_str() {
            "creation_cutoff" => qc::CreateRecovery::CreationCutoff,
            "snapshot" => qc::CreateRecovery::Snapshot,
            "assume_unique_names" => qc::CreateRecovery::AssumeUniqueNames,
            other => {
                return Err(to_pyerr(core::Error::config(
                    "create_recovery",
                    format!("{other:?} is not a mode; use \"creation_cutoff\", \"snapshot\" or \"assume_unique_names\""),
                )));
            }
        });
    }
    if let Some(v) = get("create_settle_window")? {
        b = b.create_settle_window(duration_from_secs(v.extract()?, "create_settle_window")?);
    }
    if let Some(v) = get("allow_insecure_http")? {
        b = b.allow_insecure_http(v.is_truthy()?);
    }
    Ok(b)
}

/// The configured client of this process: rebuilt from the same settings in a child after
/// `fork()` (the parent's connections and token are not shared with a child).
#[derive(Clone)]
pub struct Shared {
    builder: qc::ClientBuilder,
    slot: Arc<Mutex<(u32, qc::Client)>>,
}

impl Shared {
    /// Builds the client now, so configuration errors surface at construction.
    pub fn new(builder: qc::ClientBuilder) -> PyResult<Self> {
        let client = builder.clone().build().py_err()?;
        Ok(Shared {
            builder,
            slot: Arc::new(Mutex::new((std::process::id(), client))),
        })
    }

    /// The Rust client for this process.
    pub fn client(&self) -> PyResult<qc::Client> {
        let pid = std::process::id();
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.0 != pid {
            *slot = (pid, self.builder.clone().build().py_err()?);
        }
        Ok(slot.1.clone())
    }

    fn repr(&self, class: &str) -> PyResult<String> {
        let c = self.client()?;
        let url = py_repr(c.gateway_url());
        Ok(match c.username() {
            Some(u) => format!(
                "{class}(gateway_url={url}, username={}, auth='password')",
                py_repr(u)
            ),
            None => format!("{class}(gateway_url={url}, auth='token')"),
        })
    }
}

fn registry_id(s: &str) -> PyResult<core::RegistryId> {
    core::RegistryId::parse(s).py_err()
}

fn schedule_id(s: &str) -> PyResult<core::ScheduleId> {
    core::ScheduleId::parse(s).py_err()
}

fn list_options(
    filter: Option<String>,
    page_number: Option<u32>,
    page_size: Option<u32>,
    sort: Option<String>,
) -> qc::ListOptions {
    qc::ListOptions {
        filter,
        page_number,
        page_size,
        sort,
        lenient: false,
    }
}

/// A schedule list's options; `lenient` skips (and logs) items that cannot be decoded.
fn schedule_list_options(
    filter: Option<String>,
    page_number: Option<u32>,
    page_size: Option<u32>,
    sort: Option<String>,
    lenient: bool,
) -> qc::ListOptions {
    list_options(filter, page_number, page_size, sort).lenient(lenient)
}

fn selector(
    schedule_ids: Option<Vec<String>>,
    filter: Option<String>,
) -> PyResult<qc::BulkSelector> {
    let ids = schedule_ids
        .unwrap_or_default()
        .iter()
        .map(|s| schedule_id(s))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(qc::BulkSelector {
        schedule_ids: ids,
        filter,
    })
}

type CoreResult<T> = Result<T, core::Error>;

// Each operation once: arguments mapped, then a `Send + 'static` future of the Rust call.
impl Shared {
    fn create_schedule(
        &self,
        registry: &str,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<impl Future<Output = CoreResult<Created>> + Send + 'static + use<>> {
        let c = self.client()?;
        let reg = registry_id(registry)?;
        let req = RequestArg::from_py(request)?;
        Ok(async move {
            match req {
                RequestArg::Typed(r) => c.create_schedule(&reg, &r).await,
                RequestArg::Value(v) => c.create_schedule_value(&reg, &v).await,
            }
            .map(Created::from)
        })
    }

    fn get_schedule(
        &self,
        registry: &str,
        schedule: &str,
    ) -> PyResult<impl Future<Output = CoreResult<Schedule>> + Send + 'static + use<>> {
        let c = self.client()?;
        let (reg, id) = (registry_id(registry)?, schedule_id(schedule)?);
        Ok(async move { c.get_schedule(&reg, &id).await.map(Schedule::from) })
    }

    fn update_schedule(
        &self,
        registry: &str,
        schedule: &str,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<impl Future<Output = CoreResult<Vec<Violation>>> + Send + 'static + use<>> {
        let c = self.client()?;
        let (reg, id) = (registry_id(registry)?, schedule_id(schedule)?);
        let req = RequestArg::from_py(request)?;
        Ok(async move {
            let req = req.into_request()?;
            c.update_schedule(&reg, &id, &req)
                .await
                .map(|w| w.into_iter().map(Violation::from).collect())
        })
    }

    fn delete_schedule(
        &self,
        registry: &str,
        schedule: &str,
    ) -> PyResult<impl Future<Output = CoreResult<()>> + Send + 'static + use<>> {
        let c = self.client()?;
        let (reg, id) = (registry_id(registry)?, schedule_id(schedule)?);
        Ok(async move { c.delete_schedule(&reg, &id).await })
    }

    fn cancel_schedule(
        &self,
        registry: &str,
        schedule: &str,
    ) -> PyResult<impl Future<Output = CoreResult<()>> + Send + 'static + use<>> {
        let c = self.client()?;
        let (reg, id) = (registry_id(registry)?, schedule_id(schedule)?);
        Ok(async move { c.cancel_schedule(&reg, &id).await })
    }

    fn bulk_delete_schedules(
        &self,
        registry: &str,
        schedule_ids: Option<Vec<String>>,
        filter: Option<String>,
    ) -> PyResult<impl Future<Output = CoreResult<BulkDeleteResponse>> + Send + 'static + use<>>
    {
        let c = self.client()?;
        let reg = registry_id(registry)?;
        let sel = selector(schedule_ids, filter)?;
        Ok(async move {
            c.bulk_delete_schedules(&reg, &sel)
                .await
                .map(BulkDeleteResponse::from)
        })
    }

    fn bulk_cancel_schedules(
        &self,
        registry: &str,
        schedule_ids: Option<Vec<String>>,
        filter: Option<String>,
    ) -> PyResult<impl Future<Output = CoreResult<BulkCancelResponse>> + Send + 'static + use<>>
    {
        let c = self.client()?;
        let reg = registry_id(registry)?;
        let sel = selector(schedule_ids, filter)?;
        Ok(async move {
            c.bulk_cancel_schedules(&reg, &sel)
                .await
                .map(BulkCancelResponse::from)
        })
    }

    fn get_registry(
        &self,
        registry: &str,
    ) -> PyResult<impl Future<Output = CoreResult<RegistryDetails>> + Send + 'static + use<>> {
        let c = self.client()?;
        let reg = registry_id(registry)?;
        Ok(async move { c.get_registry(&reg).await.map(RegistryDetails::from) })
    }

    fn find_registry(
        &self,
        name_or_uri: String,
    ) -> PyResult<impl Future<Output = CoreResult<Registry>> + Send + 'static + use<>> {
        let c = self.client()?;
        Ok(async move { c.find_registry(&name_or_uri).await.map(Registry::from) })
    }

    fn schedules_page(
        &self,
        registry: &str,
        o: qc::ListOptions,
    ) -> PyResult<
        impl Future<Output = CoreResult<core::Page<core::Schedule>>> + Send + 'static + use<>,
    > {
        let c = self.client()?;
        let reg = registry_id(registry)?;
        Ok(async move { c.list_schedules(&reg, &o).await })
    }

    fn registries_page(
        &self,
        o: qc::ListOptions,
    ) -> PyResult<
        impl Future<Output = CoreResult<core::Page<core::Registry>>> + Send + 'static + use<>,
    > {
        let c = self.client()?;
        Ok(async move { c.list_registries(&o).await })
    }

    fn repositories_page(
        &self,
        registry: &str,
        o: qc::ListOptions,
    ) -> PyResult<
        impl Future<Output = CoreResult<core::Page<core::Repository>>> + Send + 'static + use<>,
    > {
        let c = self.client()?;
        let reg = registry_id(registry)?;
        Ok(async move { c.list_repositories(&reg, &o).await })
    }

    fn plan(
        &self,
        desired: core::desired::DesiredState,
        prune: bool,
    ) -> PyResult<impl Future<Output = CoreResult<Plan>> + Send + 'static + use<>> {
        let c = self.client()?;
        Ok(async move {
            c.plan(&desired, core::plan::PlanOptions { prune })
                .await
                .map(Plan::from)
        })
    }

    fn apply(
        &self,
        plan: core::plan::Plan,
        concurrency: usize,
        dry_run: bool,
        progress: Option<qc::apply::ProgressFn>,
    ) -> PyResult<impl Future<Output = CoreResult<ApplyReport>> + Send + 'static + use<>> {
        let c = self.client()?;
        let options = qc::apply::ApplyOptions {
            concurrency,
            dry_run,
        };
        Ok(async move {
            let report = c.apply(&plan, &options, progress).await;
            Ok(ApplyReport::from(report))
        })
    }

    fn wait_for_schedule(
        &self,
        registry: &str,
        schedule: &str,
        until: Option<Vec<String>>,
        timeout: f64,
        interval: f64,
    ) -> PyResult<impl Future<Output = CoreResult<Schedule>> + Send + 'static + use<>> {
        let c = self.client()?;
        let (reg, id) = (registry_id(registry)?, schedule_id(schedule)?);
        let options = qc::wait::WaitOptions {
            until: match until {
                None => qc::wait::WaitFor::Terminal,
                Some(list) => qc::wait::WaitFor::Any(
                    list.iter()
                        .map(|s| core::ScheduleStatus::from_wire(s))
                        .collect(),
                ),
            },
            timeout: duration_from_secs(timeout, "timeout")?,
            interval: duration_from_secs(interval, "interval")?,
        };
        Ok(async move {
            c.wait_for_schedule(&reg, &id, &options)
                .await
                .map(Schedule::from)
        })
    }

    fn paged(
        &self,
        which: Listing,
        registry: Option<&str>,
        o: qc::ListOptions,
    ) -> PyResult<AnyPaged> {
        let c = self.client()?;
        Ok(match which {
            Listing::Schedules => {
                AnyPaged::Schedules(c.list_schedules_all(&registry_id(registry.unwrap_or(""))?, o))
            }
            Listing::Registries => AnyPaged::Registries(c.list_registries_all(o)),
            Listing::Repositories => AnyPaged::Repositories(
                c.list_repositories_all(&registry_id(registry.unwrap_or(""))?, o),
            ),
        })
    }
}

/// Runs a Rust call for the blocking client: GIL released, errors mapped.
fn run<T: Send>(py: Python<'_>, fut: impl Future<Output = CoreResult<T>> + Send) -> PyResult<T> {
    crate::logging::refresh(py);
    let out = block_on(py, async move { Ok(fut.await) })?;
    out.py_err()
}

/// Wraps a Rust call as an asyncio awaitable.
fn spawn<'py, T>(
    py: Python<'py>,
    fut: impl Future<Output = CoreResult<T>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    crate::logging::refresh(py);
    future_into_py(py, async move { fut.await.map_err(to_pyerr) })
}

fn page_of<T, P>(page: core::Page<T>) -> PyResult<Page>
where
    P: From<T> + pyo3::PyClass + Into<pyo3::PyClassInitializer<P>>,
{
    Python::attach(|py| Page::new::<T, P>(py, page))
}

fn plan_arg(plan: &Bound<'_, PyAny>) -> PyResult<core::plan::Plan> {
    plan.cast::<Plan>()
        .map(|p| p.get().inner.clone())
        .map_err(|_| PyTypeError::new_err("plan must be a Plan (from plan() or client.plan())"))
}

/// A progress callback run with the GIL (a raising callback is reported as unraisable and the
/// apply goes on). With `event_loop`, the call is scheduled on that loop's thread.
fn progress_fn(
    callback: Option<Py<PyAny>>,
    event_loop: Option<Py<PyAny>>,
) -> Option<qc::apply::ProgressFn> {
    let cb = callback?;
    Some(Arc::new(move |p: &qc::apply::ApplyProgress| {
        let _ = Python::try_attach(|py| {
            let arg = match Bound::new(py, ApplyProgress::from(p.clone())) {
                Ok(a) => a,
                Err(e) => return e.write_unraisable(py, None),
            };
            let result = match &event_loop {
                Some(l) => l
                    .bind(py)
                    .call_method1("call_soon_threadsafe", (cb.bind(py), arg))
                    .map(drop),
                None => cb.bind(py).call1((arg,)).map(drop),
            };
            if let Err(e) = result {
                e.write_unraisable(py, Some(cb.bind(py)));
            }
        });
    }))
}

// ----------------------------------------------------------------------------------------
// Listing iterators

#[derive(Clone, Copy)]
enum Listing {
    Schedules,
    Registries,
    Repositories,
}

enum AnyPaged {
    Schedules(qc::Paged<core::Schedule>),
    Registries(qc::Paged<core::Registry>),
    Repositories(qc::Paged<core::Repository>),
}

enum AnyItem {
    Schedule(Box<core::Schedule>),
    Registry(core::Registry),
    Repository(core::Repository),
}

impl<'py> IntoPyObject<'py> for AnyItem {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self {
            AnyItem::Schedule(s) => Bound::new(py, Schedule::from(*s))?.into_any(),
            AnyItem::Registry(r) => Bound::new(py, Registry::from(r))?.into_any(),
            AnyItem::Repository(r) => Bound::new(py, Repository::from(r))?.into_any(),
        })
    }
}

impl AnyPaged {
    async fn next(&mut self) -> Option<CoreResult<AnyItem>> {
        match self {
            AnyPaged::Schedules(p) => p
                .next()
                .await
                .map(|r| r.map(|s| AnyItem::Schedule(Box::new(s)))),
            AnyPaged::Registries(p) => p.next().await.map(|r| r.map(AnyItem::Registry)),
            AnyPaged::Repositories(p) => p.next().await.map(|r| r.map(AnyItem::Repository)),
        }
    }
}

/// Every item of a list, page after page (pages are fetched as the iteration goes).
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct ListIterator {
    paged: Arc<tokio::sync::Mutex<AnyPaged>>,
}

#[pymethods]
impl ListIterator {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<AnyItem>> {
        let paged = self.paged.clone();
        run(py, async move {
            match paged.lock().await.next().await {
                None => Ok(None),
                Some(r) => r.map(Some),
            }
        })
    }
    #[classmethod]
    fn __class_getitem__<'py>(
        cls: &Bound<'py, PyType>,
        _item: &Bound<'py, PyAny>,
    ) -> Bound<'py, PyType> {
        cls.clone()
    }
}

/// Every item of a list, page after page, for `async for`.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct AsyncListIterator {
    paged: Arc<tokio::sync::Mutex<AnyPaged>>,
}

#[pymethods]
impl AsyncListIterator {
    fn __aiter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }
    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let paged = self.paged.clone();
        crate::logging::refresh(py);
        future_into_py(py, async move {
            match paged.lock().await.next().await {
                None => Err(PyStopAsyncIteration::new_err(())),
                Some(r) => r.map_err(to_pyerr),
            }
        })
    }
    #[classmethod]
    fn __class_getitem__<'py>(
        cls: &Bound<'py, PyType>,
        _item: &Bound<'py, PyAny>,
    ) -> Bound<'py, PyType> {
        cls.clone()
    }
}

fn iterator(p: AnyPaged) -> Arc<tokio::sync::Mutex<AnyPaged>> {
    Arc::new(tokio::sync::Mutex::new(p))
}

// ----------------------------------------------------------------------------------------
// The clients

fn builder_from(
    from_env: bool,
    env: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<qc::ClientBuilder> {
    let base = match (from_env, env) {
        (false, _) => qc::ClientBuilder::new(),
        (true, None) => qc::ClientBuilder::from_env(),
        (true, Some(mapping)) => {
            let mut vars = std::collections::HashMap::new();
            for k in qc::ENV_VARS {
                if let Some(v) = mapping
                    .call_method1("get", (k,))?
                    .extract::<Option<String>>()?
                {
                    vars.insert(k.to_owned(), v);
                }
            }
            qc::ClientBuilder::from_env_with(move |k| vars.get(k).cloned())
        }
    };
    apply_options(base, kwargs)
}

/// The blocking client. Every call releases the GIL while it waits, so threads can share one
/// client. Configure it with keyword arguments (see the stub) or `Client.from_env()`.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct Client {
    pub shared: Shared,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (**kwargs))]
    fn new(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Ok(Client {
            shared: Shared::new(builder_from(false, None, kwargs)?)?,
        })
    }

    /// A client configured from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`,
    /// `QUALYS_PLATFORM` and `QUALYS_GATEWAY_URL` (read from `env` when given, else the
    /// process environment); keyword arguments override.
    #[classmethod]
    #[pyo3(signature = (env = None, **kwargs))]
    fn from_env(
        _cls: &Bound<'_, PyType>,
        env: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        Ok(Client {
            shared: Shared::new(builder_from(true, env, kwargs)?)?,
        })
    }

    /// Creates a schedule (a `ScheduleRequest` or a wire dict); validated first, never
    /// duplicated by a retry.
    fn create_schedule(
        &self,
        py: Python<'_>,
        registry_id: &str,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<Created> {
        run(py, self.shared.create_schedule(registry_id, request)?)
    }
    /// One schedule (`NotFoundError` when absent).
    fn get_schedule(
        &self,
        py: Python<'_>,
        registry_id: &str,
        schedule_id: &str,
    ) -> PyResult<Schedule> {
        run(py, self.shared.get_schedule(registry_id, schedule_id)?)
    }
    /// Updates an automatic schedule (checked against the current one first); returns the
    /// warnings.
    fn update_schedule(
        &self,
        py: Python<'_>,
        registry_id: &str,
        schedule_id: &str,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<Violation>> {
        run(
            py,
            self.shared
                .update_schedule(registry_id, schedule_id, request)?,
        )
    }
    /// Deletes a schedule.
    fn delete_schedule(
        &self,
        py: Python<'_>,
        registry_id: &str,
        schedule_id: &str,
    ) -> PyResult<()> {
        run(py, self.shared.delete_schedule(registry_id, schedule_id)?)
    }
    /// Cancels a schedule's job.
    fn cancel_schedule(
        &self,
        py: Python<'_>,
        registry_id: &str,
        schedule_id: &str,
    ) -> PyResult<()> {
        run(py, self.shared.cancel_schedule(registry_id, schedule_id)?)
    }
    /// Deletes schedules in bulk (by ids, or by a Qualys filter such as `scheduleUuid:*`).
    #[pyo3(signature = (registry_id, *, schedule_ids = None, filter = None))]
    fn bulk_delete_schedules(
        &self,
        py: Python<'_>,
        registry_id: &str,
        schedule_ids: Option<Vec<String>>,
        filter: Option<String>,
    ) -> PyResult<BulkDeleteResponse> {
        run(
            py,
            self.shared
                .bulk_delete_schedules(registry_id, schedule_ids, filter)?,
        )
    }
    /// Cancels schedules in bulk (by ids, or by a Qualys filter).
    #[pyo3(signature = (registry_id, *, schedule_ids = None, filter = None))]
    fn bulk_cancel_schedules(
        &self,
        py: Python<'_>,
        registry_id: &str,
        schedule_ids: Option<Vec<String>>,
        filter: Option<String>,
    ) -> PyResult<BulkCancelResponse> {
        run(
            py,
            self.shared
                .bulk_cancel_schedules(registry_id, schedule_ids, filter)?,
        )
    }
    /// A registry with its details.
    fn get_registry(&self, py: Python<'_>, registry_id: &str) -> PyResult<RegistryDetails> {
        run(py, self.shared.get_registry(registry_id)?)
    }
    /// The registry whose name, URI or id is exactly `name_or_uri`.
    fn find_registry(&self, py: Python<'_>, name_or_uri: String) -> PyResult<Registry> {
        run(py, self.shared.find_registry(name_or_uri)?)
    }
    /// One page of the schedules of a registry. With `lenient=True` an item that cannot be
    /// decoded is skipped and listed in `Page.skipped` (else it is a `DecodeError` naming it).
    #[pyo3(signature = (registry_id, *, filter = None, page_number = None, page_size = None, sort = None, lenient = false))]
    #[allow(clippy::too_many_arguments)]
    fn list_schedules(
        &self,
        py: Python<'_>,
        registry_id: &str,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
        lenient: bool,
    ) -> PyResult<Page> {
        page_of::<_, Schedule>(run(
            py,
            self.shared.schedules_page(
                registry_id,
                schedule_list_options(filter, page_number, page_size, sort, lenient),
            )?,
        )?)
    }
    /// One page of registries.
    #[pyo3(signature = (*, filter = None, page_number = None, page_size = None, sort = None))]
    fn list_registries(
        &self,
        py: Python<'_>,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
    ) -> PyResult<Page> {
        page_of::<_, Registry>(run(
            py,
            self.shared
                .registries_page(list_options(filter, page_number, page_size, sort))?,
        )?)
    }
    /// One page of the repositories of a registry.
    #[pyo3(signature = (registry_id, *, filter = None, page_number = None, page_size = None, sort = None))]
    fn list_repositories(
        &self,
        py: Python<'_>,
        registry_id: &str,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
    ) -> PyResult<Page> {
        page_of::<_, Repository>(run(
            py,
            self.shared.repositories_page(
                registry_id,
                list_options(filter, page_number, page_size, sort),
            )?,
        )?)
    }
    /// Plans a desired state (a `DesiredState`, document text or a dict) against what exists
    /// now: reads the registries and their schedules, sends no write.
    #[pyo3(signature = (desired, *, prune = false, file_name = None, reference = None))]
    fn plan(
        &self,
        py: Python<'_>,
        desired: &Bound<'_, PyAny>,
        prune: bool,
        file_name: Option<&str>,
        reference: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Plan> {
        let d = crate::functions::desired_from_py(desired, file_name, reference)?;
        run(py, self.shared.plan(d, prune)?)
    }
    /// Applies a plan: `concurrency` items at a time, a failed item does not stop the others,
    /// `progress(ApplyProgress)` is called after each item (from a worker thread, with the
    /// GIL). Never raises for a failed item: see the report.
    #[pyo3(signature = (plan, *, concurrency = 4, dry_run = false, progress = None))]
    fn apply(
        &self,
        py: Python<'_>,
        plan: &Bound<'_, PyAny>,
        concurrency: usize,
        dry_run: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<ApplyReport> {
        let p = plan_arg(plan)?;
        run(
            py,
            self.shared
                .apply(p, concurrency, dry_run, progress_fn(progress, None))?,
        )
    }
    /// Polls a schedule until its status is terminal (or one of `until`), every `interval`
    /// seconds, for at most `timeout` seconds (then `RequestTimeoutError`).
    #[pyo3(signature = (registry_id, schedule_id, *, until = None, timeout = 1800.0, interval = 10.0))]
    fn wait_for_schedule(
        &self,
        py: Python<'_>,
        registry_id: &str,
        schedule_id: &str,
        until: Option<Vec<String>>,
        timeout: f64,
        interval: f64,
    ) -> PyResult<Schedule> {
        run(
            py,
            self.shared
                .wait_for_schedule(registry_id, schedule_id, until, timeout, interval)?,
        )
    }
    /// Every schedule of a registry matching `filter`, page after page (`lenient=True`: items
    /// that cannot be decoded are skipped and logged).
    #[pyo3(signature = (registry_id, *, filter = None, page_number = None, page_size = None, sort = None, lenient = false))]
    #[allow(clippy::too_many_arguments)]
    fn list_schedules_all(
        &self,
        registry_id: &str,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
        lenient: bool,
    ) -> PyResult<ListIterator> {
        Ok(ListIterator {
            paged: iterator(self.shared.paged(
                Listing::Schedules,
                Some(registry_id),
                schedule_list_options(filter, page_number, page_size, sort, lenient),
            )?),
        })
    }
    /// Every registry, page after page.
    #[pyo3(signature = (*, filter = None, page_number = None, page_size = None, sort = None))]
    fn list_registries_all(
        &self,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
    ) -> PyResult<ListIterator> {
        Ok(ListIterator {
            paged: iterator(self.shared.paged(
                Listing::Registries,
                None,
                list_options(filter, page_number, page_size, sort),
            )?),
        })
    }
    /// Every repository of a registry, page after page.
    #[pyo3(signature = (registry_id, *, filter = None, page_number = None, page_size = None, sort = None))]
    fn list_repositories_all(
        &self,
        registry_id: &str,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
    ) -> PyResult<ListIterator> {
        Ok(ListIterator {
            paged: iterator(self.shared.paged(
                Listing::Repositories,
                Some(registry_id),
                list_options(filter, page_number, page_size, sort),
            )?),
        })
    }

    /// The gateway base URL in use.
    #[getter]
    fn gateway_url(&self) -> PyResult<String> {
        Ok(self.shared.client()?.gateway_url().to_owned())
    }
    /// The username, when the client logs in with credentials.
    #[getter]
    fn username(&self) -> PyResult<Option<String>> {
        Ok(self.shared.client()?.username().map(str::to_owned))
    }
    /// How many tokens this client fetched from `/auth` so far (in this process).
    #[getter]
    fn token_fetches(&self) -> PyResult<u64> {
        Ok(self.shared.client()?.token_fetches())
    }
    /// An `AsyncClient` with the same settings.
    fn to_async(&self) -> AsyncClient {
        AsyncClient {
            shared: Shared {
                builder: self.shared.builder.clone(),
                slot: self.shared.slot.clone(),
            },
        }
    }
    fn __repr__(&self) -> PyResult<String> {
        self.shared.repr("Client")
    }
    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }
    fn __exit__(
        &self,
        _t: Option<&Bound<'_, PyAny>>,
        _v: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) {
        // None: exceptions propagate (and type checkers know a `return` inside the block
        // ends the function).
    }
}

/// The asyncio client: the same methods as `Client`, each returning an awaitable (call them
/// with a running event loop). Listing returns an async iterator.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct AsyncClient {
    pub shared: Shared,
}

#[pymethods]
impl AsyncClient {
    #[new]
    #[pyo3(signature = (**kwargs))]
    fn new(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Ok(AsyncClient {
            shared: Shared::new(builder_from(false, None, kwargs)?)?,
        })
    }

    /// Like `Client.from_env`.
    #[classmethod]
    #[pyo3(signature = (env = None, **kwargs))]
    fn from_env(
        _cls: &Bound<'_, PyType>,
        env: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        Ok(AsyncClient {
            shared: Shared::new(builder_from(true, env, kwargs)?)?,
        })
    }

    /// Creates a schedule.
    fn create_schedule<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, self.shared.create_schedule(registry_id, request)?)
    }
    /// One schedule.
    fn get_schedule<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        schedule_id: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, self.shared.get_schedule(registry_id, schedule_id)?)
    }
    /// Updates an automatic schedule; returns the warnings.
    fn update_schedule<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        schedule_id: &str,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
            py,
            self.shared
                .update_schedule(registry_id, schedule_id, request)?,
        )
    }
    /// Deletes a schedule.
    fn delete_schedule<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        schedule_id: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, self.shared.delete_schedule(registry_id, schedule_id)?)
    }
    /// Cancels a schedule's job.
    fn cancel_schedule<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        schedule_id: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, self.shared.cancel_schedule(registry_id, schedule_id)?)
    }
    /// Deletes schedules in bulk.
    #[pyo3(signature = (registry_id, *, schedule_ids = None, filter = None))]
    fn bulk_delete_schedules<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        schedule_ids: Option<Vec<String>>,
        filter: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
            py,
            self.shared
                .bulk_delete_schedules(registry_id, schedule_ids, filter)?,
        )
    }
    /// Cancels schedules in bulk.
    #[pyo3(signature = (registry_id, *, schedule_ids = None, filter = None))]
    fn bulk_cancel_schedules<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        schedule_ids: Option<Vec<String>>,
        filter: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
            py,
            self.shared
                .bulk_cancel_schedules(registry_id, schedule_ids, filter)?,
        )
    }
    /// A registry with its details.
    fn get_registry<'py>(&self, py: Python<'py>, registry_id: &str) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, self.shared.get_registry(registry_id)?)
    }
    /// The registry whose name, URI or id is exactly `name_or_uri`.
    fn find_registry<'py>(
        &self,
        py: Python<'py>,
        name_or_uri: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, self.shared.find_registry(name_or_uri)?)
    }
    /// One page of the schedules of a registry. With `lenient=True` an item that cannot be
    /// decoded is skipped and listed in `Page.skipped` (else it is a `DecodeError` naming it).
    #[pyo3(signature = (registry_id, *, filter = None, page_number = None, page_size = None, sort = None, lenient = false))]
    #[allow(clippy::too_many_arguments)]
    fn list_schedules<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
        lenient: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let f = self.shared.schedules_page(
            registry_id,
            schedule_list_options(filter, page_number, page_size, sort, lenient),
        )?;
        crate::logging::refresh(py);
        future_into_py(py, async move {
            page_of::<_, Schedule>(f.await.map_err(to_pyerr)?)
        })
    }
    /// One page of registries.
    #[pyo3(signature = (*, filter = None, page_number = None, page_size = None, sort = None))]
    fn list_registries<'py>(
        &self,
        py: Python<'py>,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let f = self
            .shared
            .registries_page(list_options(filter, page_number, page_size, sort))?;
        crate::logging::refresh(py);
        future_into_py(py, async move {
            page_of::<_, Registry>(f.await.map_err(to_pyerr)?)
        })
    }
    /// One page of the repositories of a registry.
    #[pyo3(signature = (registry_id, *, filter = None, page_number = None, page_size = None, sort = None))]
    fn list_repositories<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let f = self.shared.repositories_page(
            registry_id,
            list_options(filter, page_number, page_size, sort),
        )?;
        crate::logging::refresh(py);
        future_into_py(py, async move {
            page_of::<_, Repository>(f.await.map_err(to_pyerr)?)
        })
    }
    /// Plans a desired state against what exists now (see `Client.plan`).
    #[pyo3(signature = (desired, *, prune = false, file_name = None, reference = None))]
    fn plan<'py>(
        &self,
        py: Python<'py>,
        desired: &Bound<'py, PyAny>,
        prune: bool,
        file_name: Option<&str>,
        reference: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let d = crate::functions::desired_from_py(desired, file_name, reference)?;
        spawn(py, self.shared.plan(d, prune)?)
    }
    /// Applies a plan (see `Client.apply`); `progress` is called on the event loop's thread.
    #[pyo3(signature = (plan, *, concurrency = 4, dry_run = false, progress = None))]
    fn apply<'py>(
        &self,
        py: Python<'py>,
        plan: &Bound<'py, PyAny>,
        concurrency: usize,
        dry_run: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let p = plan_arg(plan)?;
        let event_loop =
            pyo3_async_runtimes::generic::get_current_loop::<crate::runtime::QcsRuntime>(py)?
                .unbind();
        spawn(
            py,
            self.shared.apply(
                p,
                concurrency,
                dry_run,
                progress_fn(progress, Some(event_loop)),
            )?,
        )
    }
    /// Polls a schedule until its status is terminal (or one of `until`).
    #[pyo3(signature = (registry_id, schedule_id, *, until = None, timeout = 1800.0, interval = 10.0))]
    fn wait_for_schedule<'py>(
        &self,
        py: Python<'py>,
        registry_id: &str,
        schedule_id: &str,
        until: Option<Vec<String>>,
        timeout: f64,
        interval: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(
            py,
            self.shared
                .wait_for_schedule(registry_id, schedule_id, until, timeout, interval)?,
        )
    }
    /// Every schedule of a registry matching `filter`, page after page (`async for`).
    #[pyo3(signature = (registry_id, *, filter = None, page_number = None, page_size = None, sort = None, lenient = false))]
    #[allow(clippy::too_many_arguments)]
    fn list_schedules_all(
        &self,
        registry_id: &str,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
        lenient: bool,
    ) -> PyResult<AsyncListIterator> {
        Ok(AsyncListIterator {
            paged: iterator(self.shared.paged(
                Listing::Schedules,
                Some(registry_id),
                schedule_list_options(filter, page_number, page_size, sort, lenient),
            )?),
        })
    }
    /// Every registry, page after page (`async for`).
    #[pyo3(signature = (*, filter = None, page_number = None, page_size = None, sort = None))]
    fn list_registries_all(
        &self,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
    ) -> PyResult<AsyncListIterator> {
        Ok(AsyncListIterator {
            paged: iterator(self.shared.paged(
                Listing::Registries,
                None,
                list_options(filter, page_number, page_size, sort),
            )?),
        })
    }
    /// Every repository of a registry, page after page (`async for`).
    #[pyo3(signature = (registry_id, *, filter = None, page_number = None, page_size = None, sort = None))]
    fn list_repositories_all(
        &self,
        registry_id: &str,
        filter: Option<String>,
        page_number: Option<u32>,
        page_size: Option<u32>,
        sort: Option<String>,
    ) -> PyResult<AsyncListIterator> {
        Ok(AsyncListIterator {
            paged: iterator(self.shared.paged(
                Listing::Repositories,
                Some(registry_id),
                list_options(filter, page_number, page_size, sort),
            )?),
        })
    }

    /// The gateway base URL in use.
    #[getter]
    fn gateway_url(&self) -> PyResult<String> {
        Ok(self.shared.client()?.gateway_url().to_owned())
    }
    /// The username, when the client logs in with credentials.
    #[getter]
    fn username(&self) -> PyResult<Option<String>> {
        Ok(self.shared.client()?.username().map(str::to_owned))
    }
    /// How many tokens this client fetched from `/auth` so far (in this process).
    #[getter]
    fn token_fetches(&self) -> PyResult<u64> {
        Ok(self.shared.client()?.token_fetches())
    }
    /// A blocking `Client` with the same settings.
    fn to_sync(&self) -> Client {
        Client {
            shared: Shared {
                builder: self.shared.builder.clone(),
                slot: self.shared.slot.clone(),
            },
        }
    }
    fn __repr__(&self) -> PyResult<String> {
        self.shared.repr("AsyncClient")
    }
}

/// Registers the client classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RetryPolicy>()?;
    m.add_class::<RateLimitPolicy>()?;
    m.add_class::<Client>()?;
    m.add_class::<AsyncClient>()?;
    m.add_class::<ListIterator>()?;
    m.add_class::<AsyncListIterator>()?;
    Ok(())
}
