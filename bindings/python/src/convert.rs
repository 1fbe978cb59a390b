//! Conversions between Python objects and JSON values, and between Python datetimes and
//! `jiff` timestamps. No rule lives here: a dict becomes the JSON value core decodes.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// A Python object (dict, list, str, int, float, bool, None) as a JSON value. Anything else is
/// a `TypeError` naming where it sits (JSON pointer).
pub fn to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let mut path = String::new();
    to_value_at(obj, &mut path)
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
            .ok_or_else(|| PyValueError::new_err(format!("{}: integer out of range", at(path))));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return Number::from_f64(v).map(Value::Number).ok_or_else(|| {
            PyValueError::new_err(format!(
                "{}: {v} is not a JSON number (NaN and infinity are not allowed)",
                at(path)
            ))
        });
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let key: String = match k.cast::<PyString>() {
                Ok(s) => s.to_cow()?.into_owned(),
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "{}: dict keys must be str, not {}",
                        at(path),
                        type_name(&k)
                    )));
                }
            };
            let len = path.len();
            path.push('/');
            path.push_str(&qualys_cs_core::decode::pointer_token(&key));
            let value = to_value_at(&v, path)?;
            path.truncate(len);
            m.insert(key, value);
        }
        return Ok(Value::Object(m));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return seq(l.iter(), l.len(), path);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return seq(t.iter(), t.len(), path);
    }
    // Our own models (ScheduleRequest, Schedule, ...) nested inside a dict or list.
    let ty = obj.get_type();
    if ty
        .module()
        .is_ok_and(|m| m.to_cow().is_ok_and(|m| m == "qualys_cs._native"))
        && let Ok(to_dict) = obj.getattr(pyo3::intern!(obj.py(), "to_dict"))
    {
        return to_value_at(&to_dict.call0()?, path);
    }
    Err(PyTypeError::new_err(format!(
        "{}: {} cannot be sent as JSON; use dict, list, str, int, float, bool or None",
        at(path),
        type_name(obj)
    )))
}

fn seq<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    path: &mut String,
) -> PyResult<Value> {
    let mut out = Vec::with_capacity(len);
    for (i, item) in items.enumerate() {
        let l = path.len();
        path.push('/');
        path.push_str(&i.to_string());
        out.push(to_value_at(&item, path)?);
        path.truncate(l);
    }
    Ok(Value::Array(out))
}

fn at(path: &str) -> String {
    if path.is_empty() {
        "the value".to_owned()
    } else {
        format!("the value at {path}")
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "this object".to_owned())
}

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
pub fn from_value<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(from_value(py, x)?)?;
            }
            l.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, from_value(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// Any serializable value as plain Python objects.
pub fn to_py<'py, T: serde::Serialize>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(v)
        .map_err(|e| PyValueError::new_err(format!("could not convert to a dict: {e}")))?;
    from_value(py, &value)
}

static DATETIME: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static UTC: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn datetime_cls(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    DATETIME
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("datetime")?.getattr("datetime")?.unbind())
        })
        .map(|d| d.bind(py))
}

fn utc(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    UTC.get_or_try_init(py, || {
        Ok::<_, PyErr>(
            py.import("datetime")?
                .getattr("timezone")?
                .getattr("utc")?
                .unbind(),
        )
    })
    .map(|d| d.bind(py))
}

/// A timestamp as an aware `datetime` in UTC (microsecond precision).
pub fn datetime_from_timestamp<'py>(
    py: Python<'py>,
    t: jiff::Timestamp,
) -> PyResult<Bound<'py, PyAny>> {
    let dt = jiff::tz::Offset::UTC.to_datetime(t);
    let kwargs = PyDict::new(py);
    kwargs.set_item("tzinfo", utc(py)?)?;
    datetime_cls(py)?.call(
        (
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            dt.subsec_nanosecond() / 1000,
        ),
        Some(&kwargs),
    )
}

/// Epoch milliseconds as an aware UTC `datetime` (None when out of range).
pub fn datetime_from_millis<'py>(
    py: Python<'py>,
    ms: Option<qualys_cs_core::Millis>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    match ms.and_then(|m| m.to_timestamp()) {
        Some(t) => datetime_from_timestamp(py, t).map(Some),
        None => Ok(None),
    }
}

/// A timezone-aware `datetime` or an RFC 3339 string as a timestamp. Naive datetimes are
/// refused: they name no instant.
pub fn timestamp_from_py(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<jiff::Timestamp> {
    let text: String = if let Ok(s) = obj.cast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if obj.is_instance(datetime_cls(obj.py())?)? {
        if obj.getattr("tzinfo")?.is_none() || obj.call_method0("utcoffset")?.is_none() {
            return Err(PyValueError::new_err(format!(
                "{field} must be a timezone-aware datetime (e.g. datetime.now(timezone.utc)); got a naive one"
            )));
        }
        obj.call_method0("isoformat")?.extract()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "{field} must be a timezone-aware datetime or an RFC 3339 string, not {}",
            type_name(obj)
        )));
    };
    text.parse::<jiff::Timestamp>().map_err(|e| {
        PyValueError::new_err(format!(
            "{field}: {text:?} is not an RFC 3339 instant such as 2026-01-05T10:00:00Z ({e})"
        ))
    })
}

/// Seconds (int or float, ≥ 0) as a duration.
pub fn duration_from_secs(secs: f64, field: &str) -> PyResult<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(secs).map_err(|_| {
        PyValueError::new_err(format!(
            "{field} must be a finite number of seconds, 0 or more; got {secs}"
        ))
    })
}

/// A string as Python's `repr` writes it (`'text'`, escapes included).
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else {
                    out.push_str(&format!("\\u{n:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
