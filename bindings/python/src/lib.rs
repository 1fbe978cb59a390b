//! `qualys_cs._native`: the Python binding of qualys-cs (pyo3).
//!
//! A thin mapping of the Rust API: JSON-like Python values in, the core / client / emulator
//! call, canonical JSON out (the typed Python classes of `qualys_cs` wrap it), errors mapped to
//! the exception of their code. No rule, retry or validation logic lives here.

mod client;
mod convert;
mod emulator;
mod errors;
mod functions;
mod logging;
mod registries;
mod runtime;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    functions::register(m)?;
    client::register(m)?;
    emulator::register(m)?;
    registries::register(m)?;
    logging::install();
    Ok(())
}
