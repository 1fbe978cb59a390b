//! `qualys_cs_core::Error` → the Python exception of its code (classes in `qualys_cs.errors`).

use crate::models::Violation;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};
use qualys_cs_core::Error;

static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Bound<'_, PyDict>> {
    CLASSES
        .get_or_try_init(py, || {
            let m = py.import("qualys_cs.errors")?;
            Ok::<_, PyErr>(m.getattr("ERROR_CLASSES")?.cast_into::<PyDict>()?.unbind())
        })
        .map(|d| d.bind(py))
}

/// The exception object (not raised) for an error.
pub fn exception<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    let cls = classes(py)?
        .get_item(e.code())?
        .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(e.code()))?;
    let kw = PyDict::new(py);
    if let Some(d) = e.http() {
        kw.set_item("status", d.status)?;
        kw.set_item("request_id", d.request_id.as_deref())?;
        kw.set_item("qualys_error_code", d.qualys_error_code.as_deref())?;
        kw.set_item("server_message", d.message.as_deref())?;
        kw.set_item("body", d.body.as_deref())?;
    }
    match e {
        Error::Validation { violations } => {
            let list = PyList::empty(py);
            for v in violations {
                list.append(Violation::from(v.clone()))?;
            }
            kw.set_item("violations", list)?;
        }
        Error::RateLimited { retry_after, .. } => {
            kw.set_item("retry_after", retry_after.map(|d| d.as_secs_f64()))?;
        }
        Error::Transport { not_sent, .. } => kw.set_item("not_sent", *not_sent)?,
        Error::Decode { body, .. } => kw.set_item("body", body.as_deref())?,
        Error::Config { field, .. } => kw.set_item("field", field)?,
        Error::NotReported { fields, .. } => kw.set_item("fields", fields.clone())?,
        _ => {}
    }
    cls.call((e.to_string(),), Some(&kw))
}

/// The Python exception to raise for an error.
pub fn to_pyerr(e: Error) -> PyErr {
    Python::attach(|py| match exception(py, &e) {
        Ok(obj) => PyErr::from_value(obj),
        Err(err) => err,
    })
}

/// `?`-friendly conversion of core results.
pub trait IntoPy<T> {
    /// Maps the core error to its Python exception.
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_pyerr)
    }
}
