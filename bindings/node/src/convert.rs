//! Values across the boundary, one way for every function.
//!
//! In: a JavaScript value becomes a `serde_json::Value` as `JSON.stringify` sees it
//! (`undefined`, functions and symbols left out), except that a `Date` becomes epoch
//! milliseconds; serde then reads it into the core type. A value of the wrong type is our
//! `validation` error naming the argument; an unknown option key a `config` error naming the
//! key and the nearest valid one. Never a napi status or a Rust type name.
//!
//! Out: the core's JSON, with the API's dates (`created`, `jobStartDate`, …) as `Date` and the
//! wire value kept next to each as `<name>Raw` (epoch milliseconds as text, as Qualys sends it).

use napi::bindgen_prelude::{Array, Object, ToNapiValue, Unknown};
use napi::{Env, JsDate, JsValue, ValueType, sys};
use qualys_cs_core::error::truncate_for_message;
use qualys_cs_core::validate::suggest;
use qualys_cs_core::{Error as CoreError, Violation, jiff};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::time::Duration;

/// The date fields of the API's answers (schedules, registries).
const DATE_KEYS: &str = "created updated lastScanned jobStartDate jobCompletionDate \
    jobListingStartDate jobListingCompletionDate jobScanningStartDate jobScanningCompletionDate";

/// A JavaScript value as JSON; `None` for `undefined` (and functions, symbols).
pub(crate) fn from_js(u: Unknown<'_>) -> Result<Option<Value>, CoreError> {
    read(u, 64).map_err(|_| {
        let why = "the value cannot be read as JSON (nested too deeply, or a cycle?)";
        CoreError::validation(vec![Violation::new("", "wrong_type", why)])
    })
}

fn read(u: Unknown<'_>, depth: u32) -> napi::Result<Option<Value>> {
    let nested = |u: Unknown<'_>| match depth {
        0 => Err(napi::Error::from_reason("too deep")),
        _ => read(u, depth - 1),
    };
    // SAFETY (every cast): the type was checked just before.
    Ok(Some(match u.get_type()? {
        ValueType::Undefined | ValueType::Function | ValueType::Symbol | ValueType::External => {
            return Ok(None);
        }
        ValueType::Object if u.is_date()? => {
            Value::from(unsafe { u.cast::<JsDate>() }?.value_of()?)
        }
        ValueType::Object if u.is_array()? => {
            let a: Array = unsafe { u.cast() }?;
            let item = |i| Ok(a.get::<Unknown>(i)?.map(nested).transpose()?.flatten());
            let items = (0..a.len()).map(|i| item(i).map(|v| v.unwrap_or(Value::Null)));
            Value::Array(items.collect::<napi::Result<_>>()?)
        }
        ValueType::Object => {
            let (o, mut out) = (unsafe { u.cast::<Object>() }?, Map::new());
            for k in Object::keys(&o)? {
                if let Some(v) = o.get::<Unknown>(&k)?.map(nested).transpose()?.flatten() {
                    out.insert(k, v);
                }
            }
            Value::Object(out)
        }
        // JSON.stringify writes NaN and the infinities as null.
        ValueType::Number if !unsafe { u.cast::<f64>() }?.is_finite() => Value::Null,
        _ => unsafe { u.cast::<Value>() }?,
    }))
}

/// ` (did you mean X?)` for the known name nearest to `text`, or nothing.
fn nearest(text: &str, known: &[&str]) -> String {
    suggest(text, known)
        .map(|n| format!(" (did you mean {n}?)"))
        .unwrap_or_default()
}

/// Milliseconds (as JavaScript gives durations) as a `Duration`; `bad` when negative.
pub(crate) fn millis(ms: f64, bad: impl FnOnce() -> CoreError) -> Result<Duration, CoreError> {
    Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| bad())
}

/// How a value shows in a message: `undefined`, `null`, `"text"`, `5`, `an object`.
fn shown(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::Array(_)) => "a list".into(),
        Some(Value::Object(_)) => "an object".into(),
        Some(v) => truncate_for_message(&v.to_string(), 60),
    }
}

/// The `validation` error of an argument of the wrong type.
pub(crate) fn wrong(name: &str, expect: &str, got: Option<&Value>) -> CoreError {
    let message = format!("{name} must be {expect}; got {}", shown(got));
    CoreError::validation(vec![Violation::new(
        format!("/{name}"),
        "wrong_type",
        message,
    )])
}

/// Reads argument `name` into `T`; `expect` says what it must be (`"a registry UUID (text)"`).
/// `undefined` reads as `null`, so optional arguments are `Option`s.
pub(crate) fn arg<T: DeserializeOwned>(
    name: &str,
    expect: &str,
    u: Unknown<'_>,
) -> Result<T, CoreError> {
    let v = from_js(u)?;
    serde_json::from_value(v.clone().unwrap_or(Value::Null))
        .map_err(|_| wrong(name, expect, v.as_ref()))
}

/// An options object whose keys are checked against the valid names: an unknown key is a
/// `config` error naming the nearest valid one. Read each with [`Opts::get`].
pub(crate) struct Opts(pub(crate) Map<String, Value>);

pub(crate) fn opts(name: &str, keys: &[&str], u: Option<Unknown<'_>>) -> Result<Opts, CoreError> {
    let map = match u.map(from_js).transpose()?.flatten() {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m,
        Some(v) => {
            return Err(CoreError::config(
                name,
                format!("{name} must be an object; got {}", shown(Some(&v))),
            ));
        }
    };
    if let Some(k) = map.keys().find(|k| !keys.contains(&k.as_str())) {
        let (hint, all) = (nearest(k, keys), keys.join(", "));
        let message = format!("{k:?} is not an option of {name}{hint}; the options are {all}");
        return Err(CoreError::config(k, message));
    }
    Ok(Opts(map))
}

impl Opts {
    /// The value of `key` (`None` when absent or `null`), or a `config` error saying what it
    /// takes.
    pub(crate) fn get<T: DeserializeOwned>(
        &self,
        key: &str,
        what: &str,
    ) -> Result<Option<T>, CoreError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v.clone()).map_err(|_| {
                CoreError::config(key, format!("{key} must be {what}; got {}", shown(Some(v))))
            }),
        }
    }

    /// A duration in milliseconds (`None` when absent).
    pub(crate) fn millis(&self, key: &str) -> Result<Option<Duration>, CoreError> {
        let what = "a number of milliseconds, 0 or more";
        let bad =
            |ms: f64| move || CoreError::config(key, format!("{key} must be {what}; got {ms}"));
        let ms: Option<f64> = self.get(key, what)?;
        ms.map(|ms| millis(ms, bad(ms))).transpose()
    }
}

/// A value among `known`, else a `validation` error (`code`) at `/name` naming the valid values
/// and the nearest.
pub(crate) fn one_of<'k>(
    name: &str,
    code: &str,
    known: &[&'k str],
    u: Unknown<'_>,
) -> Result<&'k str, CoreError> {
    let v = from_js(u)?;
    let text = v.as_ref().and_then(Value::as_str).unwrap_or_default();
    known.iter().find(|k| **k == text).copied().ok_or_else(|| {
        let (all, got, hint) = (known.join(", "), shown(v.as_ref()), nearest(text, known));
        let message = format!("{name} must be one of {all}; got {got}{hint}");
        CoreError::validation(vec![Violation::new(format!("/{name}"), code, message)])
    })
}

/// An instant given as a `Date`, epoch milliseconds or RFC 3339 text (JSON already read).
pub(crate) fn instant_of(name: &str, v: Option<&Value>) -> Result<jiff::Timestamp, CoreError> {
    v.and_then(json_api::instant).ok_or_else(|| {
        wrong(
            name,
            "a Date, epoch milliseconds or RFC 3339 text such as \"2026-01-05T10:00:00Z\"",
            v,
        )
    })
}

/// An instant argument (see [`instant_of`]).
pub(crate) fn instant(name: &str, u: Unknown<'_>) -> Result<jiff::Timestamp, CoreError> {
    instant_of(name, from_js(u)?.as_ref())
}

pub(crate) use qualys_cs_core::json_api::{self, camel_keys as camel, snake_keys as snake};

/// A JSON value on its way to JavaScript (dates as `Date`, see the module docs).
pub struct Js(pub Value);

pub(crate) fn js<T: Serialize>(v: T) -> Result<Js, CoreError> {
    serde_json::to_value(v)
        .map(Js)
        .map_err(|e| CoreError::Decode {
            message: format!("could not convert the answer: {e}"),
            body: None,
        })
}

impl ToNapiValue for Js {
    unsafe fn to_napi_value(raw: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(raw);
        let Value::Object(map) = val.0 else {
            return match val.0 {
                Value::Array(a) => unsafe {
                    Vec::to_napi_value(raw, a.into_iter().map(Js).collect())
                },
                other => unsafe { <&Value>::to_napi_value(raw, &other) },
            };
        };
        let mut o = Object::new(&env)?;
        for (k, v) in map {
            if k == "raw" {
                o.set(&k, &v)?; // an item as received (`skipped`): left as it came
            } else if DATE_KEYS.split_whitespace().any(|d| d == k) && !v.is_object() {
                let ms = match &v {
                    Value::String(s) => s.trim().parse::<i64>().ok().map(|n| n as f64),
                    other => other.as_f64(),
                };
                match ms {
                    Some(ms) => o.set(&k, env.create_date(ms)?)?,
                    None => o.set(&k, &Value::Null)?,
                }
                o.set(format!("{k}Raw"), &v)?;
            } else {
                o.set(&k, Js(v))?;
            }
        }
        unsafe { Object::to_napi_value(raw, o) }
    }
}

/// An instant as a JavaScript `Date`.
pub struct Date(pub jiff::Timestamp);

impl ToNapiValue for Date {
    unsafe fn to_napi_value(raw: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        Ok(Env::from_raw(raw)
            .create_date(val.0.as_millisecond() as f64)?
            .raw())
    }
}
