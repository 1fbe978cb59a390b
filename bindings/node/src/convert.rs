//! Values across the boundary, one way for every function.
//!
//! In: any JavaScript value becomes a `serde_json::Value` the way `JSON.stringify` sees it
//! (`undefined`, functions and symbols left out), except that a `Date` becomes epoch
//! milliseconds; then serde reads it into the core type. A value of the wrong type is our
//! `validation` error naming the argument; an unknown option key is a `config` error naming the
//! key and the nearest valid one. Never a napi status or a Rust type name.
//!
//! Out: the core's JSON, with the API's dates (`created`, `jobStartDate`, …) as `Date` and the
//! wire value kept next to each as `<name>Raw` (epoch milliseconds as text, as Qualys sends it).

use napi::JsDate;
use napi::bindgen_prelude::{Array, Object, ToNapiValue, Unknown};
use napi::{Env, JsValue, ValueType, sys};
use qualys_cs_core::validate::suggest;
use qualys_cs_core::{Error as CoreError, Violation, jiff};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The date fields of the API's answers (schedules, registries).
const DATE_KEYS: [&str; 9] = [
    "created",
    "updated",
    "lastScanned",
    "jobStartDate",
    "jobCompletionDate",
    "jobListingStartDate",
    "jobListingCompletionDate",
    "jobScanningStartDate",
    "jobScanningCompletionDate",
];

/// Deeper than any request or schedule: a cyclic object stops here.
const MAX_DEPTH: u32 = 64;

/// A JavaScript value as JSON; `None` for `undefined` (and functions, symbols).
pub(crate) fn from_js(u: Unknown<'_>) -> Result<Option<Value>, CoreError> {
    read(u, MAX_DEPTH).map_err(|e| {
        CoreError::validation(vec![Violation::new(
            "",
            "wrong_type",
            format!("the value cannot be read as JSON: {}", e.reason),
        )])
    })
}

fn read(u: Unknown<'_>, depth: u32) -> napi::Result<Option<Value>> {
    let nested = |u: Unknown<'_>| {
        if depth == 0 {
            return Err(napi::Error::from_reason(
                "it is nested too deeply (a cycle?)",
            ));
        }
        read(u, depth - 1)
    };
    Ok(Some(match u.get_type()? {
        ValueType::Undefined | ValueType::Function | ValueType::Symbol | ValueType::External => {
            return Ok(None);
        }
        // SAFETY (the casts): the type was checked just before.
        ValueType::Object if u.is_date()? => {
            Value::from(unsafe { u.cast::<JsDate>() }?.value_of()?)
        }
        ValueType::Object if u.is_array()? => {
            let a: Array = unsafe { u.cast() }?;
            let mut out = Vec::with_capacity(a.len() as usize);
            for i in 0..a.len() {
                let item = a.get::<Unknown>(i)?.map(nested).transpose()?.flatten();
                out.push(item.unwrap_or(Value::Null));
            }
            Value::Array(out)
        }
        ValueType::Object => {
            let o: Object = unsafe { u.cast() }?;
            let mut out = Map::new();
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

/// How a value shows in a message: `undefined`, `null`, `"text"`, `5`, `an object`.
pub(crate) fn shown(v: Option<&Value>) -> String {
    match v {
        None => "undefined".into(),
        Some(Value::Array(_)) => "a list".into(),
        Some(Value::Object(_)) => "an object".into(),
        Some(v) => qualys_cs_core::error::truncate_for_message(&v.to_string(), 60),
    }
}

/// The `validation` error of an argument of the wrong type.
pub(crate) fn wrong(name: &str, expect: &str, got: Option<&Value>) -> CoreError {
    CoreError::validation(vec![Violation::new(
        format!("/{name}"),
        "wrong_type",
        format!("{name} must be {expect}; got {}", shown(got)),
    )])
}

/// Reads argument `name` into `T`; `expect` says what it must be (e.g. `"a registry UUID
/// (text)"`). `undefined` reads as `null`, so optional arguments are `Option`s.
pub(crate) fn arg<T: DeserializeOwned>(
    name: &str,
    expect: &str,
    u: Unknown<'_>,
) -> Result<T, CoreError> {
    let v = from_js(u)?;
    serde_json::from_value(v.clone().unwrap_or(Value::Null))
        .map_err(|_| wrong(name, expect, v.as_ref()))
}

/// Reads an options object (absent = `T::default()`): every key must be one of `keys` (the
/// camelCase name and what it takes); an unknown key is a `config` error naming the nearest
/// valid one, a value of the wrong type one saying what the key takes.
pub(crate) fn options<T: DeserializeOwned + Default>(
    name: &str,
    keys: &[(&str, &str)],
    u: Unknown<'_>,
) -> Result<T, CoreError> {
    let map = match from_js(u)? {
        None | Some(Value::Null) => return Ok(T::default()),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(CoreError::config(
                name,
                format!("{name} must be an object; got {}", shown(Some(&other))),
            ));
        }
    };
    let names: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
    for (k, v) in &map {
        let Some((_, expect)) = keys.iter().find(|(n, _)| n == k) else {
            let hint = suggest(k, &names)
                .map(|n| format!("did you mean {n}? "))
                .unwrap_or_default();
            return Err(CoreError::config(
                k.as_str(),
                format!(
                    "{k:?} is not an option of {name}; {hint}the options are {}",
                    names.join(", ")
                ),
            ));
        };
        let one = Value::Object(Map::from_iter([(k.clone(), v.clone())]));
        if serde_json::from_value::<T>(one).is_err() {
            return Err(CoreError::config(
                k.as_str(),
                format!("{k} must be {expect}; got {}", shown(Some(v))),
            ));
        }
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| CoreError::config(name, e.to_string()))
}

/// An enum value given as text: one of `known`, else a `validation` error at `/name` naming the
/// valid values and the nearest.
pub(crate) fn one_of<'k>(
    name: &str,
    code: &str,
    known: &[&'k str],
    u: Unknown<'_>,
) -> Result<&'k str, CoreError> {
    let v = from_js(u)?;
    let text = v.as_ref().and_then(Value::as_str).unwrap_or_default();
    known.iter().find(|k| **k == text).copied().ok_or_else(|| {
        let hint = suggest(text, known)
            .map(|n| format!(" (did you mean {n}?)"))
            .unwrap_or_default();
        CoreError::validation(vec![Violation::new(
            format!("/{name}"),
            code,
            format!(
                "{name} must be one of {}; got {}{hint}",
                known.join(", "),
                shown(v.as_ref())
            ),
        )])
    })
}

/// An instant given as a `Date`, epoch milliseconds or RFC 3339 text.
pub(crate) fn instant(name: &str, u: Unknown<'_>) -> Result<jiff::Timestamp, CoreError> {
    let v = from_js(u)?;
    let t = match &v {
        Some(Value::String(s)) => s.trim().parse::<jiff::Timestamp>().ok(),
        Some(Value::Number(n)) => n
            .as_f64()
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms as i64).ok()),
        _ => None,
    };
    t.ok_or_else(|| {
        CoreError::validation(vec![Violation::new(
            format!("/{name}"),
            "invalid_timestamp",
            format!(
                "{name} must be a Date, epoch milliseconds or RFC 3339 text such as \"2026-01-05T10:00:00Z\"; got {}",
                shown(v.as_ref())
            ),
        )])
    })
}

/// A JSON value on its way to JavaScript (dates as `Date`, see the module docs).
pub struct Js(pub Value);

/// Serializes a core value for JavaScript.
pub(crate) fn js<T: Serialize>(v: T) -> Result<Js, CoreError> {
    serde_json::to_value(v)
        .map(Js)
        .map_err(|e| CoreError::Decode {
            message: format!("could not convert the answer: {e}"),
            body: None,
        })
}

/// Keys whose values are the API's own JSON (camelCase already, unknown fields kept as given):
/// re-casing stops there.
const WIRE_KEYS: [&str; 5] = ["request", "body", "from", "to", "raw"];

fn recase(v: Value, key: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.into_iter().map(|x| recase(x, key)).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| {
                    let x = if WIRE_KEYS.contains(&k.as_str()) {
                        x
                    } else {
                        recase(x, key)
                    };
                    (key(&k), x)
                })
                .collect(),
        ),
        other => other,
    }
}

/// The SDK's own results (snake_case in Rust) with JavaScript's camelCase keys.
pub(crate) fn camel(v: Value) -> Value {
    recase(v, &|k| {
        let mut parts = k.split('_');
        let first = parts.next().unwrap_or_default().to_owned();
        parts.fold(first, |mut out, p| {
            let mut c = p.chars();
            if let Some(h) = c.next() {
                out.extend(h.to_uppercase());
                out.push_str(c.as_str());
            }
            out
        })
    })
}

/// The reverse of [`camel`], for results given back (a plan to apply).
pub(crate) fn snake(v: Value) -> Value {
    recase(v, &|k| {
        k.chars()
            .flat_map(|c| {
                let lower = c.is_ascii_uppercase().then_some('_');
                lower
                    .into_iter()
                    .chain(std::iter::once(c.to_ascii_lowercase()))
            })
            .collect()
    })
}

/// An instant as a JavaScript `Date`.
pub struct Date(pub jiff::Timestamp);

impl ToNapiValue for Date {
    unsafe fn to_napi_value(raw: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(raw);
        Ok(env.create_date(val.0.as_millisecond() as f64)?.raw())
    }
}

fn wire_millis(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.trim().parse::<i64>().ok().map(|n| n as f64),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

impl ToNapiValue for Js {
    unsafe fn to_napi_value(raw: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(raw);
        match val.0 {
            Value::Array(items) => unsafe {
                Vec::<Js>::to_napi_value(raw, items.into_iter().map(Js).collect())
            },
            Value::Object(map) => {
                let mut o = Object::new(&env)?;
                for (k, v) in map {
                    if DATE_KEYS.contains(&k.as_str()) && !v.is_object() {
                        match wire_millis(&v) {
                            Some(ms) => o.set(&k, env.create_date(ms)?)?,
                            None => o.set(&k, &Value::Null)?,
                        }
                        o.set(format!("{k}Raw"), Js(v))?;
                    } else if k == "raw" {
                        o.set(&k, &v)?; // an item as received (`skipped`): left as it came
                    } else {
                        o.set(&k, Js(v))?;
                    }
                }
                unsafe { Object::to_napi_value(raw, o) }
            }
            other => unsafe { <&Value>::to_napi_value(raw, &other) },
        }
    }
}
