//! Registries as code (issue 17): the core's registry validation and the client's registry
//! operations, JSON in and JSON out like the rest of the module. The typed Python side is
//! `qualys_cs._registries`; every rule stays in the core and the client.

use crate::client::{Call, NativeClient, registry_id};
use crate::convert::{invalid, to_py, to_value};
use crate::errors::{IntoPy as _, to_pyerr};
use crate::functions::severity;
use pyo3::prelude::*;
use qualys_cs_client::ConnectorKind;
use qualys_cs_core::Error;
use qualys_cs_core::registry::{REGISTRY_RULES, RegistryRequest, validate_registry_value};
use serde_json::Value;

type Obj<'py> = PyResult<Bound<'py, PyAny>>;

fn registry_request(obj: &Bound<'_, PyAny>) -> PyResult<RegistryRequest> {
    RegistryRequest::from_value(&to_value(obj)?).py_err()
}

/// The report of a registry request given as JSON-like data (`validate_registry_value`).
#[pyfunction]
fn validate_registry<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> Obj<'py> {
    to_py(py, &validate_registry_value(&to_value(data)?))
}

/// `(wire, redacted)`: the request's wire body (secrets included, to send) and the same body
/// with every secret as `***` (for repr). Wrong JSON types: `ValidationError`.
#[pyfunction]
fn registry_request_forms<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let r = registry_request(data)?;
    Ok((
        to_py(py, &r.to_wire_value())?,
        to_py(py, &r.redacted_value())?,
    ))
}

/// One registry operation of `client`: `create`, `update`, `validate`, `delete`, `bulk_delete`
/// or `connectors`, with its arguments (`a`: a request, an id, ids or a connector kind; `b`:
/// the request of an update).
#[pyfunction]
#[pyo3(signature = (client, op, a, b = None))]
fn registry_call(
    client: &NativeClient,
    op: &str,
    a: &Bound<'_, PyAny>,
    b: Option<&Bound<'_, PyAny>>,
) -> PyResult<Call> {
    match op {
        "create" => {
            let r = registry_request(a)?;
            client.run(move |c| async move { c.create_registry(&r).await })
        }
        "update" => {
            let (id, r) = (registry_id(a)?, registry_request(b.unwrap_or(a))?);
            client.run(move |c| async move { c.update_registry(&id, &r).await })
        }
        "validate" => {
            let r = registry_request(a)?;
            client.run(move |c| async move { c.validate_registry(&r).await })
        }
        "delete" => {
            let id = registry_id(a)?;
            client.run(move |c| async move { c.delete_registry(&id).await })
        }
        "bulk_delete" => {
            let ids = a
                .try_iter()?
                .map(|id| registry_id(&id?))
                .collect::<PyResult<Vec<_>>>()?;
            client.run(move |c| async move { c.bulk_delete_registries(&ids).await })
        }
        "connectors" => {
            let kind = match to_value(a)? {
                Value::String(s) => s.parse::<ConnectorKind>().py_err()?,
                v => Err(to_pyerr(invalid(
                    "/kind",
                    "wrong_type",
                    format!("give the connector kind as \"acr\", \"aws\" or \"gcp\", not {v}"),
                )))?,
            };
            client.run(move |c| async move { c.list_connectors(kind).await })
        }
        other => Err(to_pyerr(Error::validation(vec![
            qualys_cs_core::Violation::new(
                "/op",
                "unknown_operation",
                format!("{other:?} is not a registry operation"),
            ),
        ]))),
    }
}

/// Registers the functions and `REGISTRY_RULES` (code, severity, source, description).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate_registry, m)?)?;
    m.add_function(wrap_pyfunction!(registry_request_forms, m)?)?;
    m.add_function(wrap_pyfunction!(registry_call, m)?)?;
    let rules = REGISTRY_RULES.iter();
    let rules: Vec<_> = rules
        .map(|(c, sev, src, desc)| (*c, severity(sev), *src, *desc))
        .collect();
    m.add("REGISTRY_RULES", rules)?;
    Ok(())
}
