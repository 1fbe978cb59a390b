//! `Emulator`: the embedded Qualys CS emulator, started in-process on 127.0.0.1 (port 0 by
//! default), with its clock, fault and journal controls (all through the Rust handle). The
//! Python subclass adds `client()` / `async_client()`.

use crate::convert::{
    datetime_from_timestamp, duration_from_secs, from_value, timestamp_from_py, to_value,
};
use crate::errors::to_pyerr;
use crate::runtime::block_on;
use pyo3::exceptions::{PyOSError, PyRuntimeError};
use pyo3::prelude::*;
use qualys_cs_core as core;
use qualys_cs_emulator as emu;
use serde_json::{Number, Value, json};
use std::collections::HashMap;
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
#[pyclass(module = "qualys_cs._native", frozen, subclass)]
pub struct Emulator {
    handle: Mutex<Option<Arc<emu::EmulatorHandle>>>,
    url: String,
    port: u16,
    wire: emu::WireProfile,
    pid: u32,
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
        users: Option<HashMap<String, String>>,
        users_without_permission: Option<HashMap<String, String>>,
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
        // One reader for every language: the emulator crate's (a wrong value: `ConfigError`).
        let clock_start = clock_start
            .map(|c| timestamp_from_py(c, "clock_start"))
            .transpose()?;
        // Not finite: text, which the reader refuses (JSON would make it null, i.e. unset).
        let secs = |s: Option<f64>| {
            s.map(|s| Number::from_f64(s).map_or(json!(s.to_string()), Value::Number))
        };
        let options = json!({"host": host, "port": port, "users": users, "users_without_permission":
            users_without_permission, "token_ttl": secs(token_ttl), "rate_limit": rate_limit.map(|(l, w)| (l, secs(Some(w)))),
            "realtime_clock": realtime_clock, "tls": tls, "config_file": config_file, "data_dir": data_dir,
            "job_step": secs(job_step), "fail_jobs": fail_jobs, "clock_start": clock_start.map(|t| t.to_string()),
            "wire": wire});
        let options = options.as_object().cloned().unwrap_or_default();
        let b = emu::options::builder_from_json(&options, emu::options::OptionStyle::SnakeSeconds)
            .map_err(to_pyerr)?;
        crate::logging::refresh(py);
        let handle = block_on(py, async move { b.start().await.map_err(emu_err) })?;
        Ok(Emulator {
            url: handle.url().to_owned(),
            port: handle.port(),
            wire: handle.wire(),
            pid: std::process::id(),
            handle: Mutex::new(Some(Arc::new(handle))),
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

    /// Adds a fault rule given in the emulator's JSON (`{"kind": "status", "status": 503,
    /// ...}`, as `POST /_emulator/faults` takes it); returns its id.
    fn add_fault_rule(&self, py: Python<'_>, rule: &Bound<'_, PyAny>) -> PyResult<String> {
        let bad = |e| {
            to_pyerr(core::Error::config(
                "fault",
                format!("not a fault rule: {e}"),
            ))
        };
        let rule: emu::FaultRule = serde_json::from_value(to_value(rule)?).map_err(bad)?;
        self.with_handle(|h| py.detach(|| h.add_fault(rule)).map_err(emu_err))
    }

    /// The active fault rules.
    fn faults<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_value(py, &self.with_handle(|h| Ok(h.faults()))?)
    }

    /// Removes every fault rule.
    fn clear_faults(&self) -> PyResult<()> {
        self.with_handle(|h| {
            h.clear_faults();
            Ok(())
        })
    }

    /// The request journal (passwords and tokens replaced by `***`).
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_value(py, &self.with_handle(|h| Ok(h.requests()))?)
    }

    /// Empties the request journal.
    fn clear_requests(&self) -> PyResult<()> {
        self.with_handle(|h| {
            h.clear_requests();
            Ok(())
        })
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
