//! The native client: each operation once, as a [`Call`] that the blocking `Client` waits for
//! (GIL released) and the `AsyncClient` awaits (both Python classes in `qualys_cs._client`).
//! Settings go through the client crate's `ClientConfig`; retries, validation, rate limiting
//! and paging are the Rust client's. Results are canonical JSON, wrapped in Python.

use crate::convert::{duration_from_secs, from_value, json, to_value};
use crate::errors::{IntoPy as _, error_value, to_pyerr};
use crate::functions::{from_py, request};
use crate::runtime::{block_on, future_into_py};
use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, StreamExt as _};
use pyo3::exceptions::{PyStopAsyncIteration, PyStopIteration};
use pyo3::prelude::*;
use qualys_cs_client as qc;
use qualys_cs_core::json_api::arg;
use qualys_cs_core::{self as core, Error, RegistryId, ScheduleId};
use serde_json::Value;
use std::sync::{Arc, Mutex};

type Fut = BoxFuture<'static, Result<Value, Error>>;

/// One pending operation: `wait()` blocks (GIL released), `future()` is an asyncio awaitable.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct Call(Mutex<Option<Fut>>);

impl Call {
    fn new(f: impl Future<Output = Result<Value, Error>> + Send + 'static) -> Self {
        Call(Mutex::new(Some(Box::pin(f))))
    }

    fn take(&self) -> PyResult<Fut> {
        let taken = self.0.lock().unwrap_or_else(|p| p.into_inner()).take();
        taken.ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("this call already ran"))
    }
}

#[pymethods]
impl Call {
    /// Runs the call to completion on this thread (the GIL is released while it waits).
    fn wait<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let f = self.take()?;
        crate::logging::refresh(py);
        let v = block_on(py, async move { Ok(f.await) })?.py_err()?;
        from_value(py, &v)
    }

    /// The call as an awaitable of the running event loop.
    fn future<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let f = self.take()?;
        crate::logging::refresh(py);
        future_into_py(py, async move { unbound(f.await.map_err(to_pyerr)?) })
    }
}

/// A JSON value as Python objects, from any thread.
fn unbound(v: Value) -> PyResult<Py<PyAny>> {
    Python::attach(|py| from_value(py, &v).map(Bound::unbind))
}

fn text(obj: &Bound<'_, PyAny>, path: &str, what: &str) -> PyResult<String> {
    arg(&[to_value(obj)?], 0, path, &format!("{what} as a string")).py_err()
}

pub(crate) fn registry_id(obj: &Bound<'_, PyAny>) -> PyResult<RegistryId> {
    RegistryId::parse(&text(obj, "/registryId", "the registry id")?).py_err()
}

fn schedule_id(obj: &Bound<'_, PyAny>) -> PyResult<ScheduleId> {
    ScheduleId::parse(&text(obj, "/scheduleId", "the schedule id")?).py_err()
}

/// The configured client of this process: rebuilt from the same settings in a child after
/// `fork()` (the parent's connections and token are not shared with a child).
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct NativeClient {
    builder: qc::ClientBuilder,
    slot: Arc<Mutex<(u32, qc::Client)>>,
}

impl NativeClient {
    fn client(&self) -> PyResult<qc::Client> {
        let pid = std::process::id();
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.0 != pid {
            *slot = (pid, self.builder.clone().build().py_err()?);
        }
        Ok(slot.1.clone())
    }

    pub(crate) fn run<T, F>(&self, f: impl FnOnce(qc::Client) -> F) -> PyResult<Call>
    where
        T: serde::Serialize,
        F: Future<Output = Result<T, Error>> + Send + 'static,
    {
        let fut = f(self.client()?);
        Ok(Call::new(async move { fut.await.map(|t| json(&t)) }))
    }
}

/// A list's options (`lenient` skips and reports items that cannot be decoded).
fn list_options(options: &Bound<'_, PyAny>) -> PyResult<qc::ListOptions> {
    let v = to_value(options)?;
    let get = |k: &str| [v.get(k).cloned().unwrap_or(Value::Null)];
    let text = |k: &str| arg(&get(k), 0, &format!("/{k}"), "text").py_err();
    let count = |k: &str| arg(&get(k), 0, &format!("/{k}"), "a whole number").py_err();
    let lenient: Option<bool> = arg(&get("lenient"), 0, "/lenient", "True or False").py_err()?;
    Ok(qc::ListOptions {
        filter: text("filter")?,
        page_number: count("page_number")?,
        page_size: count("page_size")?,
        sort: text("sort")?,
        lenient: lenient.unwrap_or(false),
    })
}

/// Items as canonical JSON, whatever the listing.
type Items = BoxStream<'static, Result<Value, Error>>;

fn items<T: serde::Serialize + Send + 'static>(p: qc::Paged<T>) -> Items {
    p.map(|r| r.map(|t| json(&t))).boxed()
}

/// Every item of a list, page after page (pages are fetched as the iteration goes).
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct Paged(Arc<tokio::sync::Mutex<Items>>);

#[pymethods]
impl Paged {
    /// The next item (blocking), or `StopIteration`.
    fn next<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let p = self.0.clone();
        crate::logging::refresh(py);
        match block_on(py, async move { Ok(p.lock().await.next().await) })? {
            None => Err(PyStopIteration::new_err(())),
            Some(r) => from_value(py, &r.py_err()?),
        }
    }

    /// An awaitable of the next item, or of `StopAsyncIteration`.
    fn anext<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let p = self.0.clone();
        crate::logging::refresh(py);
        future_into_py(py, async move {
            match p.lock().await.next().await {
                None => Err(PyStopAsyncIteration::new_err(())),
                Some(r) => unbound(r.map_err(to_pyerr)?),
            }
        })
    }
}

/// A progress callback run with the GIL (a raising callback is reported as unraisable and the
/// apply goes on). With `event_loop`, the call is scheduled on that loop's thread.
fn progress_fn(cb: Py<PyAny>, event_loop: Option<Py<PyAny>>) -> qc::apply::ProgressFn {
    Arc::new(move |p: &qc::apply::ApplyProgress| {
        let _ = Python::try_attach(|py| {
            let r = from_value(py, &json(p)).and_then(|arg| match &event_loop {
                Some(l) => l
                    .bind(py)
                    .call_method1("call_soon_threadsafe", (cb.bind(py), arg))
                    .map(drop),
                None => cb.bind(py).call1((arg,)).map(drop),
            });
            if let Err(e) = r {
                e.write_unraisable(py, Some(cb.bind(py)));
            }
        });
    })
}

#[pymethods]
impl NativeClient {
    /// A client from settings (snake_case keys, seconds), on top of the environment's
    /// `QUALYS_*` variables when `from_env` (read from `env` when given).
    #[new]
    #[pyo3(signature = (settings, from_env = false, env = None))]
    fn new(
        settings: &Bound<'_, PyAny>,
        from_env: bool,
        env: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let config = qc::ClientConfig::from_json(&to_value(settings)?, qc::KeyStyle::SnakeSeconds)
            .py_err()?;
        let base = match (from_env, env) {
            (false, _) => qc::ClientBuilder::new(),
            (true, None) => qc::ClientBuilder::from_env(),
            (true, Some(mapping)) => {
                let mut vars = std::collections::HashMap::new();
                for k in qc::ENV_VARS {
                    if let Value::String(v) = to_value(&mapping.call_method1("get", (k,))?)? {
                        vars.insert(k.to_owned(), v);
                    }
                }
                qc::ClientBuilder::from_env_with(move |k| vars.get(k).cloned())
            }
        };
        let builder = base.apply_config(&config);
        let client = builder.clone().build().py_err()?;
        Ok(NativeClient {
            builder,
            slot: Arc::new(Mutex::new((std::process::id(), client))),
        })
    }

    /// The same client (settings, token, connections) as a new handle.
    fn share(&self) -> Self {
        NativeClient {
            builder: self.builder.clone(),
            slot: self.slot.clone(),
        }
    }

    /// The gateway base URL in use.
    #[getter]
    fn gateway_url(&self) -> PyResult<String> {
        Ok(self.client()?.gateway_url().to_owned())
    }
    /// The username, when the client logs in with credentials.
    #[getter]
    fn username(&self) -> PyResult<Option<String>> {
        Ok(self.client()?.username().map(str::to_owned))
    }
    /// How many tokens this client fetched from `/auth` so far (in this process).
    #[getter]
    fn token_fetches(&self) -> PyResult<u64> {
        Ok(self.client()?.token_fetches())
    }

    fn create_schedule(
        &self,
        reg: &Bound<'_, PyAny>,
        req: &Bound<'_, PyAny>,
        typed: bool,
    ) -> PyResult<Call> {
        let reg = registry_id(reg)?;
        if typed {
            let r = request(req)?;
            return self.run(move |c| async move { c.create_schedule(&reg, &r).await });
        }
        let v = to_value(req)?;
        self.run(move |c| async move { c.create_schedule_value(&reg, &v).await })
    }
    fn get_schedule(&self, reg: &Bound<'_, PyAny>, id: &Bound<'_, PyAny>) -> PyResult<Call> {
        let (reg, id) = (registry_id(reg)?, schedule_id(id)?);
        self.run(move |c| async move { c.get_schedule(&reg, &id).await })
    }
    fn update_schedule(
        &self,
        reg: &Bound<'_, PyAny>,
        id: &Bound<'_, PyAny>,
        req: &Bound<'_, PyAny>,
    ) -> PyResult<Call> {
        let (reg, id, req) = (registry_id(reg)?, schedule_id(id)?, request(req)?);
        self.run(move |c| async move { c.update_schedule(&reg, &id, &req).await })
    }
    fn delete_schedule(&self, reg: &Bound<'_, PyAny>, id: &Bound<'_, PyAny>) -> PyResult<Call> {
        let (reg, id) = (registry_id(reg)?, schedule_id(id)?);
        self.run(move |c| async move { c.delete_schedule(&reg, &id).await })
    }
    fn cancel_schedule(&self, reg: &Bound<'_, PyAny>, id: &Bound<'_, PyAny>) -> PyResult<Call> {
        let (reg, id) = (registry_id(reg)?, schedule_id(id)?);
        self.run(move |c| async move { c.cancel_schedule(&reg, &id).await })
    }
    /// Bulk delete (`cancel=False`) or cancel, by ids or by a Qualys filter.
    fn bulk(
        &self,
        reg: &Bound<'_, PyAny>,
        ids: &Bound<'_, PyAny>,
        filter: Option<String>,
        cancel: bool,
    ) -> PyResult<Call> {
        let reg = registry_id(reg)?;
        let ids = ids.try_iter()?.map(|id| schedule_id(&id?));
        let schedule_ids = ids.collect::<PyResult<_>>()?;
        let sel = qc::BulkSelector {
            schedule_ids,
            filter,
        };
        if cancel {
            return self.run(move |c| async move { c.bulk_cancel_schedules(&reg, &sel).await });
        }
        self.run(move |c| async move { c.bulk_delete_schedules(&reg, &sel).await })
    }
    fn get_registry(&self, reg: &Bound<'_, PyAny>) -> PyResult<Call> {
        let reg = registry_id(reg)?;
        self.run(move |c| async move { c.get_registry(&reg).await })
    }
    fn find_registry(&self, name: &Bound<'_, PyAny>) -> PyResult<Call> {
        let name = text(name, "/registry", "the registry's name, URI or id")?;
        self.run(move |c| async move { c.find_registry(&name).await })
    }
    /// One page of `schedules`, `registries` or `repositories`.
    fn page(
        &self,
        which: &str,
        reg: &Bound<'_, PyAny>,
        options: &Bound<'_, PyAny>,
    ) -> PyResult<Call> {
        let o = list_options(options)?;
        if which == "registries" {
            return self.run(move |c| async move { c.list_registries(&o).await });
        }
        let reg = registry_id(reg)?;
        if which == "schedules" {
            return self.run(move |c| async move { c.list_schedules(&reg, &o).await });
        }
        self.run(move |c| async move { c.list_repositories(&reg, &o).await })
    }
    /// Every item of `schedules`, `registries` or `repositories`, page after page.
    fn pages(
        &self,
        which: &str,
        reg: &Bound<'_, PyAny>,
        options: &Bound<'_, PyAny>,
    ) -> PyResult<Paged> {
        let (c, o) = (self.client()?, list_options(options)?);
        let p = match which {
            "registries" => items(c.list_registries_all(o)),
            "schedules" => items(c.list_schedules_all(&registry_id(reg)?, o)),
            _ => items(c.list_repositories_all(&registry_id(reg)?, o)),
        };
        Ok(Paged(Arc::new(tokio::sync::Mutex::new(p))))
    }
    /// Plans a desired state (parsed, as JSON) against what exists now.
    fn plan(&self, desired: &Bound<'_, PyAny>, prune: bool) -> PyResult<Call> {
        let d: core::desired::DesiredState = from_py(desired)?;
        let o = core::plan::PlanOptions { prune };
        self.run(move |c| async move { c.plan(&d, o).await })
    }
    /// Applies a plan (as JSON); `progress(dict)` after each item, on `event_loop` when given.
    #[pyo3(signature = (plan, concurrency, dry_run, progress = None, event_loop = None))]
    fn apply(
        &self,
        plan: &Bound<'_, PyAny>,
        concurrency: usize,
        dry_run: bool,
        progress: Option<Py<PyAny>>,
        event_loop: Option<Py<PyAny>>,
    ) -> PyResult<Call> {
        let p: core::plan::Plan = from_py(plan)?;
        let o = qc::apply::ApplyOptions {
            concurrency,
            dry_run,
        };
        let progress = progress.map(|cb| progress_fn(cb, event_loop));
        let c = self.client()?;
        Ok(Call::new(async move {
            let report = c.apply(&p, &o, progress).await;
            let mut v = json(&report);
            // Each failed item's error with every field (the report's own JSON has code and
            // message only).
            for (item, r) in report
                .items
                .iter()
                .zip(v["items"].as_array_mut().into_iter().flatten())
            {
                if let Some(e) = &item.error {
                    r["error"] = error_value(e);
                }
            }
            Ok(v)
        }))
    }
    /// Polls a schedule until its status is terminal (or one of `until`).
    fn wait_for_schedule(
        &self,
        reg: &Bound<'_, PyAny>,
        id: &Bound<'_, PyAny>,
        until: Option<Vec<String>>,
        timeout: f64,
        interval: f64,
    ) -> PyResult<Call> {
        let (reg, id) = (registry_id(reg)?, schedule_id(id)?);
        let statuses = |l: Vec<String>| {
            l.iter()
                .map(|s| core::ScheduleStatus::from_wire(s))
                .collect()
        };
        let options = qc::wait::WaitOptions {
            until: until.map_or(qc::wait::WaitFor::Terminal, |l| {
                qc::wait::WaitFor::Any(statuses(l))
            }),
            timeout: duration_from_secs(timeout, "timeout")?,
            interval: duration_from_secs(interval, "interval")?,
        };
        self.run(move |c| async move { c.wait_for_schedule(&reg, &id, &options).await })
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeClient>()?;
    m.add_class::<Call>()?;
    m.add_class::<Paged>()?;
    Ok(())
}
