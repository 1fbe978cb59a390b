//! Errors: every core [`CoreError`] becomes a JavaScript `QualysCsError` (a real subclass of
//! `Error`, declared in `dts-header.d.ts`) carrying the core code and the HTTP details; and the
//! bridge from Rust futures to Promises that reject with it.

use napi::bindgen_prelude::{
    FnArgs, Function, FunctionRef, Object, PromiseRaw, ToNapiValue, Unknown,
};
use napi::{Env, Status, sys};
use qualys_cs_core::{Error as CoreError, json_api};
use serde_json::{Value, json};
use std::future::Future;

/// The error of every failed call (fields in `dts-header.d.ts`). This empty struct only makes
/// napi export the name: at module start the export is replaced by a real subclass of `Error`.
#[napi_derive::napi]
pub struct QualysCsError {}

/// The class behind `QualysCsError`, defined once per environment: a plain subclass of `Error`
/// that copies the given fields onto the instance.
const ERROR_CLASS_SOURCE: &str = r#"(() => {
  class QualysCsError extends Error {
    constructor(message, fields) { super(message); if (fields != null) Object.assign(this, fields) }
  }
  Object.defineProperty(QualysCsError.prototype, 'name', { value: 'QualysCsError', writable: true, configurable: true })
  return QualysCsError
})()"#;

type ErrorClass = FunctionRef<FnArgs<(String, Value)>, Unknown<'static>>;

/// Defines the error class in this environment (kept as the environment's instance data) and
/// exports it as `QualysCsError`.
pub(crate) fn install(env: &Env, exports: &mut Object) -> napi::Result<()> {
    let class: Function<FnArgs<(String, Value)>, Unknown<'static>> =
        env.run_script(ERROR_CLASS_SOURCE)?;
    let error_class: ErrorClass = class.create_ref()?;
    exports.set("QualysCsError", class)?;
    env.set_instance_data(error_class, (), |_| {})
}

/// The fields of a core error as the class constructor copies them (the names of
/// docs/vocabulary.md, camelCase; no message, no `null`s; durations in milliseconds).
fn fields(e: &CoreError) -> Value {
    let mut o = json_api::error_fields(e);
    if let Some(m) = o.as_object_mut() {
        m.remove("message");
        m.retain(|k, v| !(v.is_null() || k == "status" && *v == 0));
        if let Some(s) = m.remove("retry_after").and_then(|s| s.as_f64()) {
            m.insert("retryAfterMs".into(), (s * 1000.0).into());
        }
    }
    o = json_api::camel_keys(o);
    o["violations"] = json!(e.violations());
    o
}

pub(crate) fn error_object<'env>(env: &'env Env, e: &CoreError) -> napi::Result<Unknown<'env>> {
    let state = env
        .get_instance_data::<ErrorClass>()?
        .ok_or_else(|| napi::Error::new(Status::GenericFailure, "qualys-cs is not initialised"))?;
    let class = state.borrow_back(env)?;
    class.new_instance((e.to_string(), fields(e)).into())
}

/// The `napi::Error` that throws (or rejects with) the `QualysCsError` for `e`.
pub(crate) fn js_error(env: &Env, e: &CoreError) -> napi::Error {
    match error_object(env, e) {
        Ok(obj) => napi::Error::from(obj),
        Err(fallback) => napi::Error::new(Status::GenericFailure, format!("{e} ({fallback})")),
    }
}

/// Maps a core result for a synchronous function: errors are thrown as `QualysCsError`.
pub(crate) fn sync<T>(env: &Env, r: Result<T, CoreError>) -> napi::Result<T> {
    r.map_err(|e| js_error(env, &e))
}

/// Runs `fut` on the async runtime and returns a Promise that resolves with its value and
/// rejects with a `QualysCsError`.
pub(crate) fn promise<'env, T, F>(env: &'env Env, fut: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = Result<T, CoreError>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, move |env, r| {
        r.map_err(|e| js_error(env, &e))
    })
}

/// A value or an error, converted on the JavaScript thread: the error becomes a thrown
/// `QualysCsError` (where napi converts a value itself: iterator items, callback results).
pub struct Fallible<T>(pub Result<T, CoreError>);

impl<T: ToNapiValue> ToNapiValue for Fallible<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            // SAFETY: forwarded unchanged from napi's own call.
            Ok(v) => unsafe { T::to_napi_value(env, v) },
            Err(e) => Err(js_error(&Env::from_raw(env), &e)),
        }
    }
}
