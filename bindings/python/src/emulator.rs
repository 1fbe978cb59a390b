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
use pyo3::types::PyDict;
use qualys_cs_core as core;
use qualys_cs_emulator as emu;
use serde_json::{Map, Value, json};
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
    /// The gateway base URL, e.g. `http://127.0.0.1:40123`.
    #[pyo3(get)]
    url: String,
    /// The bound port.
    #[pyo3(get)]
    port: u16,
    /// The wire profile it answers in: `"full"` (today's documentation) or `"oas2021"`
    /// (Qualys's 2021 OpenAPI shape).
    #[pyo3(get)]
    wire: &'static str,
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
    /// Starts an emulator; `options` are read by the emulator crate's one reader (snake_case,
    /// durations in seconds): an unknown or wrong option is a `ConfigError` naming it.
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut map = Map::new();
        for (k, v) in options.into_iter().flat_map(|o| o.iter()) {
            let v = match k.extract::<String>()?.as_str() {
                "clock_start" if !v.is_none() => {
                    json!(timestamp_from_py(&v, "clock_start")?.to_string())
                }
                _ => to_value(&v)?,
            };
            map.insert(k.extract()?, v);
        }
        let b = emu::options::builder_from_json(&map, emu::options::OptionStyle::SnakeSeconds)
            .map_err(to_pyerr)?;
        crate::logging::refresh(py);
        let handle = block_on(py, async move { b.start().await.map_err(emu_err) })?;
        Ok(Emulator {
            url: handle.url().to_owned(),
            port: handle.port(),
            wire: handle.wire().as_str(),
            pid: std::process::id(),
            handle: Mutex::new(Some(Arc::new(handle))),
        })
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
        match handle.map(|h| self.release(h)) {
            Some(Some(h)) => block_on(py, async move {
                h.stop().await;
                Ok(())
            }),
            _ => Ok(()),
        }
    }
}

impl Emulator {
    /// The handle to stop when this process owns its last reference; else `None`, and the
    /// handle is let go: another thread's drop shuts it down, and a forked child leaves the
    /// parent's server alone.
    fn release(&self, h: Arc<emu::EmulatorHandle>) -> Option<emu::EmulatorHandle> {
        if self.pid != std::process::id() {
            std::mem::forget(h);
            return None;
        }
        Arc::try_unwrap(h).ok()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let h = self
            .handle
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        // Dropping the handle signals the shutdown without waiting.
        drop(h.map(|h| self.release(h)));
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Emulator>()?;
    m.add("DEMO_USER", emu::DEMO_USER)?;
    m.add("DEMO_PASSWORD", emu::DEMO_PASSWORD)?;
    m.add("DEMO_REGISTRY_ID", emu::DEMO_REGISTRY_ID)?;
    Ok(())
}
