//! `qualys_cs._native`: the Python binding of qualys-cs (pyo3).
//!
//! A thin mapping of the Rust API: Python values in, the core / client / emulator call, Python
//! values out, errors mapped to the exception of their code. No rule, retry or validation
//! logic lives here. The Python package `qualys_cs` (in `python/`) re-exports everything.

mod client;
mod convert;
mod emulator;
mod errors;
mod functions;
mod logging;
mod models;
mod runtime;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    models::register(m)?;
    models::register_apply(m)?;
    functions::register(m)?;
    client::register(m)?;
    emulator::register(m)?;
    logging::install();
    Ok(())
}
