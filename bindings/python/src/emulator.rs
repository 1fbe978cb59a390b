//! `Emulator`: the embedded Qualys CS emulator, started in-process on 127.0.0.1 (port 0 by
//! default), with its clock and fault controls, and clients already pointed at it.

use crate::client::{AsyncClient, Client, Shared, apply_options};
use crate::convert::{
    datetime_from_timestamp, duration_from_secs, from_value, py_repr, timestamp_from_py,
};
use crate::errors::to_pyerr;
use crate::runtime::block_on;
use pyo3::exceptions::{PyOSError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use qualys_cs_core as core;
use qualys_cs_emulator as emu;
use serde_json::{Map, Value};
use std::sync::{Arc, Mutex};

fn emu_err(e: emu::Error) -> PyErr {
    match e {
        emu::Error::Config(m) => to_pyerr(core::Error::config("emulator", m)),
        e @ emu::Error::Bind { .. } => PyOSError::new_err(e.to_string()),
        e => PyRuntimeError::new_err(e.to_string()),
    }
}

/// The Qualys CS emulator running in this process. Use it as a context manager:
/// `with Emulator() as emu: client = emu.client()`.
#[pyclass(module = "qualys_cs._native", frozen)]
pub struct Emulator {
    handle: Mutex<Option<Arc<emu::EmulatorHandle>>>,
    url: String,
    port: u16,
    wire: emu::WireProfile,
    pid: u32,
    http: reqwest::Client,
}

impl Emulator {
    /// Runs `f` on the handle (the lock is not held while `f` runs, so `f` may release the
    /// GIL).
    fn with_handle<T>(&self, f: impl FnOnce(&emu::EmulatorHandle) -> PyResult<T>) -> PyResult<T> {
        let handle = self
            .handle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match handle {
            Some(h) if self.pid == std::process::id() => f(&h),
            Some(_) => Err(PyRuntimeError::new_err(
                "this emulator runs in the parent process; control it from there",
            )),
            None => Err(PyRuntimeError::new_err("the emulator is stopped")),
        }
    }

    fn control(&self, py: Python<'_>, method: reqwest::Method, path: &str) -> PyResult<Value> {
        self.with_handle(|_| Ok(()))?;
        let req = self.http.request(method, format!("{}{path}", self.url));
        let text = block_on(py, async move {
            let resp = req.send().await.map_err(|e| {
                PyRuntimeError::new_err(format!("emulator control call failed: {e}"))
            })?;
            let status = resp.status();
            let text = resp.text().await.map_err(|e| {
                PyRuntimeError::new_err(format!("emulator control call failed: {e}"))
            })?;
            if status.is_success() {
                Ok(text)
            } else {
                Err(PyRuntimeError::new_err(format!(
                    "emulator control call {path} answered {status}: {text}"
                )))
            }
        })?;
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text)
            .map_err(|e| PyRuntimeError::new_err(format!("emulator answer is not JSON: {e}")))
    }

    fn client_builder(
        &self,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<qualys_cs_client::ClientBuilder> {
        let has = |k: &str| -> PyResult<bool> {
            Ok(match kwargs {
                Some(kw) => kw.contains(k)?,
                None => false,
            })
        };
        let mut b = qualys_cs_client::ClientBuilder::new().gateway_url(self.url.clone());
        if !has("username")? && !has("password")? && !has("token")? {
            b = b.credentials(emu::DEMO_USER, emu::DEMO_PASSWORD);
        }
        match kwargs {
            // A password alone is the demo user's (e.g. a wrong one, to test refusals).
            Some(kw) if has("password")? && !has("username")? => {
                let kw = kw.copy()?;
                kw.set_item("username", emu::DEMO_USER)?;
                apply_options(b, Some(&kw))
            }
            _ => apply_options(b, kwargs),
        }
    }
}

#[pymethods]
impl Emulator {
    #[new]
    #[pyo3(signature = (
        *, host = None, port = 0, users = None, users_without_permission = None, token_ttl = None,
        rate_limit = None, realtime_clock = false, tls = None, config_file = None, data_dir = None,
        job_step = None, fail_jobs = false, clock_start = None, wire = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        host: Option<String>,
        port: u16,
        users: Option<&Bound<'_, PyDict>>,
        users_without_permission: Option<&Bound<'_, PyDict>>,
        token_ttl: Option<f64>,
        rate_limit: Option<(u64, f64)>,
        realtime_clock: bool,
        tls: Option<(String, String)>,
        config_file: Option<String>,
        data_dir: Option<String>,
        job_step: Option<f64>,
        fail_jobs: bool,
        clock_start: Option<&Bound<'_, PyAny>>,
        wire: Option<&str>,
    ) -> PyResult<Self> {
        let wire = match wire {
            Some(w) => w.parse::<emu::WireProfile>().map_err(|e| {
                to_pyerr(core::Error::config(
                    "wire",
                    format!("{e} (valid: {})", emu::WireProfile::NAMES.join(", ")),
                ))
            })?,
            None => emu::WireProfile::default(),
        };
        let mut b = emu::Emulator::builder()
            .wire(wire)
            .host(host.unwrap_or_else(|| "127.0.0.1".to_owned()))
            .port(port)
            .realtime_clock(realtime_clock)
            .fail_jobs(fail_jobs);
        b = match data_dir {
            Some(d) => b.data_dir(d),
            None => b.in_memory(),
        };
        if let Some(u) = users {
            for (k, v) in u.iter() {
                b = b.user(k.extract::<String>()?, v.extract::<String>()?);
            }
        }
        if let Some(u) = users_without_permission {
            for (k, v) in u.iter() {
                b = b.user_without_permission(k.extract::<String>()?, v.extract::<String>()?);
            }
        }
        if let Some(t) = token_ttl {
            b = b.token_ttl(duration_from_secs(t, "token_ttl")?);
        }
        if let Some((limit, window)) = rate_limit {
            b = b.rate_limit(limit, duration_from_secs(window, "rate_limit window")?);
        }
        if let Some((cert, key)) = tls {
            b = b.tls(cert, key);
        }
        if let Some(f) = config_file {
            b = b.config_file(f);
        }
        if let Some(s) = job_step {
            b = b.job_step(duration_from_secs(s, "job_step")?);
        }
        if let Some(c) = clock_start {
            b = b.clock_start(timestamp_from_py(c, "clock_start")?);
        }
        crate::logging::refresh(py);
        let handle = block_on(py, async move { b.start().await.map_err(emu_err) })?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(Emulator {
            url: handle.url().to_owned(),
            port: handle.port(),
            wire: handle.wire(),
            pid: std::process::id(),
            handle: Mutex::new(Some(Arc::new(handle))),
            http,
        })
    }

    /// The gateway base URL, e.g. `http://127.0.0.1:40123`.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }
    /// The bound port.
    #[getter]
    fn port(&self) -> u16 {
        self.port
    }
    /// The wire profile it answers in: `"full"` (today's documentation) or `"oas2021"`
    /// (Qualys's 2021 OpenAPI shape).
    #[getter]
    fn wire(&self) -> &'static str {
        self.wire.as_str()
    }
    /// The demo user's name.
    #[getter]
    fn demo_username(&self) -> &'static str {
        emu::DEMO_USER
    }
    /// The demo user's password (never shown in `repr`).
    #[getter]
    fn demo_password(&self) -> &'static str {
        emu::DEMO_PASSWORD
    }
    /// The demo registry's id.
    #[getter]
    fn demo_registry_id(&self) -> &'static str {
        emu::DEMO_REGISTRY_ID
    }
    /// True until `stop()`.
    #[getter]
    fn running(&self) -> bool {
        self.handle.lock().map(|h| h.is_some()).unwrap_or(false)
    }

    /// The emulator clock now (UTC datetime).
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.with_handle(|h| Ok(h.now()))?;
        datetime_from_timestamp(py, t)
    }

    /// Moves the virtual clock forward by `seconds` (due automatic schedules fire, jobs move
    /// through their steps); returns the new time.
    fn advance_clock<'py>(&self, py: Python<'py>, seconds: f64) -> PyResult<Bound<'py, PyAny>> {
        let by = duration_from_secs(seconds, "seconds")?;
        crate::logging::refresh(py);
        let t = self.with_handle(|h| py.detach(|| h.advance_clock(by)).map_err(emu_err))?;
        datetime_from_timestamp(py, t)
    }

    /// Adds a fault rule; returns its id. `kind` is `status`, `drop` or `latency`; the other
    /// arguments are the rule's fields (see the emulator docs).
    #[pyo3(signature = (
        kind, *, method = None, path = None, status = None, stage = None, latency_ms = None,
        count = None, probability = None, seed = None, retry_after_sec = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn add_fault(
        &self,
        py: Python<'_>,
        kind: &str,
        method: Option<String>,
        path: Option<String>,
        status: Option<u16>,
        stage: Option<String>,
        latency_ms: Option<u64>,
        count: Option<u64>,
        probability: Option<f64>,
        seed: Option<u64>,
        retry_after_sec: Option<u64>,
    ) -> PyResult<String> {
        let mut m = Map::new();
        m.insert("kind".into(), kind.into());
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        };
        put("method", method.map(Value::from));
        put("path", path.map(Value::from));
        put("status", status.map(Value::from));
        put("stage", stage.map(Value::from));
        put("latencyMs", latency_ms.map(Value::from));
        put("count", count.map(Value::from));
        put("probability", probability.map(Value::from));
        put("seed", seed.map(Value::from));
        put("retryAfterSec", retry_after_sec.map(Value::from));
        let rule: emu::FaultRule = serde_json::from_value(Value::Object(m)).map_err(|e| {
            to_pyerr(core::Error::config(
                "fault",
                format!("not a fault rule: {e}"),
            ))
        })?;
        self.with_handle(|h| py.detach(|| h.add_fault(rule)).map_err(emu_err))
    }

    /// The active fault rules.
    fn faults<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.control(py, reqwest::Method::GET, "/_emulator/faults")?;
        from_value(py, &v)
    }

    /// Removes every fault rule.
    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        self.control(py, reqwest::Method::DELETE, "/_emulator/faults")
            .map(drop)
    }

    /// The request journal (passwords and tokens replaced by `***`).
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.control(py, reqwest::Method::GET, "/_emulator/requests")?;
        from_value(py, &v)
    }

    /// Empties the request journal.
    fn clear_requests(&self, py: Python<'_>) -> PyResult<()> {
        self.control(py, reqwest::Method::DELETE, "/_emulator/requests")
            .map(drop)
    }

    /// Every schedule of every registry, raw (for tests counting duplicates).
    fn schedules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with_handle(|h| py.detach(|| h.schedules()).map_err(emu_err))?;
        from_value(py, &Value::Array(v))
    }

    /// Clears schedules, faults, the journal and rate-limit counters (users and registries
    /// stay).
    fn reset(&self, py: Python<'_>) -> PyResult<()> {
        self.with_handle(|h| py.detach(|| h.reset()).map_err(emu_err))
    }

    /// A `Client` pointed at this emulator, logged in as the demo user unless `username` /
    /// `password` / `token` are given; other keyword arguments as for `Client`.
    #[pyo3(signature = (**kwargs))]
    fn client(&self, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Client> {
        Ok(Client {
            shared: Shared::new(self.client_builder(kwargs)?)?,
        })
    }

    /// An `AsyncClient` pointed at this emulator (see `client`).
    #[pyo3(signature = (**kwargs))]
    fn async_client(&self, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<AsyncClient> {
        Ok(AsyncClient {
            shared: Shared::new(self.client_builder(kwargs)?)?,
        })
    }

    /// Stops the server (open requests may finish) and waits for it.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let handle = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
        match handle {
            Some(h) if self.pid == std::process::id() => match Arc::try_unwrap(h) {
                Ok(h) => block_on(py, async move {
                    h.stop().await;
                    Ok(())
                }),
                // Another thread is using it right now: the last user's drop shuts it down.
                Err(shared) => {
                    drop(shared);
                    Ok(())
                }
            },
            // A forked child: the server lives in the parent; leave it alone.
            Some(h) => {
                std::mem::forget(h);
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<()> {
        // None: exceptions propagate (and type checkers know a `return` inside the block
        // ends the function).
        self.stop(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "Emulator(url={}, demo_registry_id={}, wire={}, running={})",
            py_repr(&self.url),
            py_repr(emu::DEMO_REGISTRY_ID),
            py_repr(self.wire.as_str()),
            if self.running() { "True" } else { "False" }
        )
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let h = self
            .handle
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(h) = h {
            if self.pid == std::process::id() {
                // Signals the shutdown without waiting.
                drop(h);
            } else {
                std::mem::forget(h);
            }
        }
    }
}

/// Registers the class and the demo constants.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Emulator>()?;
    m.add("DEMO_USER", emu::DEMO_USER)?;
    m.add("DEMO_PASSWORD", emu::DEMO_PASSWORD)?;
    m.add("DEMO_REGISTRY_ID", emu::DEMO_REGISTRY_ID)?;
    Ok(())
}
