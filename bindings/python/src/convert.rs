//! Conversions between Python objects and JSON values, and between Python datetimes and
//! `jiff` timestamps. No rule lives here: a dict becomes the JSON value core decodes. A value
//! that is not JSON is a `validation` error naming where it sits (JSON pointer) and the fix.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use qualys_cs_core::{Error, Violation};
use serde_json::{Map, Number, Value};

pub fn invalid(path: &str, code: &str, message: impl Into<String>) -> Error {
    Error::Validation {
        violations: vec![Violation::new(path, code, message.into())],
    }
}

/// A Python object (dict, list, str, int, float, bool, None, or one of our models) as a JSON
/// value.
pub fn to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let mut path = String::new();
    to_value_at(obj, &mut path)
}

fn wrong(path: &str, what: String) -> PyErr {
    crate::errors::to_pyerr(invalid(path, "wrong_type", what))
}

fn to_value_at(obj: &Bound<'_, PyAny>, path: &mut String) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        // Beyond 64 bits: keep the magnitude as a float (validation then reports the range).
        let f: f64 = obj.extract()?;
        return Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| wrong(path, "integer out of range".to_owned()));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return Number::from_f64(v).map(Value::Number).ok_or_else(|| {
            wrong(
                path,
                format!("{v} is not a JSON number; use a finite number"),
            )
        });
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key: String = match k.cast::<PyString>() {
                Ok(s) => s.to_cow()?.into_owned(),
                Err(_) => {
                    let t = type_name(&k);
                    return Err(wrong(path, format!("dict keys must be str, not {t}")));
                }
            };
            let value = child(&v, path, &qualys_cs_core::decode::pointer_token(&key))?;
            m.insert(key, value);
        }
        return Ok(Value::Object(m));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items = obj.try_iter()?.enumerate();
        let items = items.map(|(i, item)| child(&item?, path, &i.to_string()));
        return items.collect::<PyResult<_>>().map(Value::Array);
    }
    // Our own models (ScheduleRequest, Schedule, enums, ...) nested inside a dict or list.
    let py = obj.py();
    if obj
        .get_type()
        .module()
        .is_ok_and(|m| m.to_cow().is_ok_and(|m| m.starts_with("qualys_cs")))
    {
        if let Ok(to_dict) = obj.getattr(pyo3::intern!(py, "to_dict")) {
            return to_value_at(&to_dict.call0()?, path);
        }
        if let Ok(value) = obj.getattr(pyo3::intern!(py, "value")) {
            return to_value_at(&value, path);
        }
    }
    Err(wrong(
        path,
        format!(
            "{} cannot be sent as JSON; use dict, list, str, int, float, bool or None",
            type_name(obj)
        ),
    ))
}

/// `obj`, found at `path` + `/token` (the path as it was on return).
fn child(obj: &Bound<'_, PyAny>, path: &mut String, token: &str) -> PyResult<Value> {
    let len = path.len();
    path.push('/');
    path.push_str(token);
    let value = to_value_at(obj, path);
    path.truncate(len);
    value
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "this object".to_owned())
}

static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None), built by the
/// standard library's `json.loads` in one call (integers stay `int`, other numbers `float`).
pub fn from_value<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    let get = || Ok::<_, PyErr>(py.import("json")?.getattr("loads")?.unbind());
    LOADS
        .get_or_try_init(py, get)?
        .bind(py)
        .call1((v.to_string(),))
}

/// Any serializable value as JSON (our types always serialize).
pub fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub fn to_py<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    from_value(py, &json(v))
}

static DATETIME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn datetime_cls(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    let get = || Ok::<_, PyErr>(py.import("datetime")?.getattr("datetime")?.unbind());
    DATETIME.get_or_try_init(py, get).map(|d| d.bind(py))
}

/// A timestamp as an aware `datetime` in UTC (microsecond precision).
pub fn datetime_from_timestamp<'py>(
    py: Python<'py>,
    t: jiff::Timestamp,
) -> PyResult<Bound<'py, PyAny>> {
    let (secs, micros) = (t.strftime("%Y-%m-%dT%H:%M:%S"), t.subsec_microsecond());
    let text = format!("{secs}.{:06}+00:00", micros.rem_euclid(1_000_000));
    datetime_cls(py)?.call_method1("fromisoformat", (text,))
}

/// A timezone-aware `datetime` or an RFC 3339 string as a timestamp. Naive datetimes are
/// refused: they name no instant.
pub fn timestamp_from_py(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<jiff::Timestamp> {
    let bad = |m: String| crate::errors::to_pyerr(invalid(&format!("/{field}"), "wrong_type", m));
    let text: String = if let Ok(s) = obj.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if obj.is_instance(datetime_cls(obj.py())?)? {
        if obj.call_method0("utcoffset")?.is_none() {
            return Err(bad(format!(
                "{field} must be a timezone-aware datetime (e.g. datetime.now(timezone.utc)); got a naive one"
            )));
        }
        obj.call_method0("isoformat")?.extract()?
    } else {
        return Err(bad(format!(
            "{field} must be a timezone-aware datetime or an RFC 3339 string, not {}",
            type_name(obj)
        )));
    };
    text.parse::<jiff::Timestamp>().map_err(|_| {
        bad(format!(
            "{field}: {text:?} is not an RFC 3339 instant; write it like 2026-01-05T10:00:00Z"
        ))
    })
}

/// Seconds (int or float, 0 or more) as a duration.
pub fn duration_from_secs(secs: f64, field: &str) -> PyResult<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(secs).map_err(|_| {
        crate::errors::to_pyerr(invalid(
            &format!("/{field}"),
            "out_of_range",
            format!("{field} must be a finite number of seconds, 0 or more; got {secs}"),
        ))
    })
}
