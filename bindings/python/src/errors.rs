//! `qualys_cs_core::Error` → the Python exception of its code: the error as a dict, built into
//! its class by `qualys_cs.errors._from_native`.

use crate::convert::from_value;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use qualys_cs_core::Error;
/// Every field of an error, by the names of the Python exception's attributes.
pub use qualys_cs_core::json_api::error_fields as error_value;

static FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The exception object (not raised) for an error.
pub fn exception<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    let factory = FACTORY.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("qualys_cs.errors")?
                .getattr("_from_native")?
                .unbind(),
        )
    })?;
    factory.bind(py).call1((from_value(py, &error_value(e))?,))
}

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
