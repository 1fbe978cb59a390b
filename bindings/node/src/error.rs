//! Errors: every core [`CoreError`] becomes a JavaScript `QualysCsError` (a subclass of `Error`)
//! carrying the core error code and the HTTP details. Also the bridge from Rust futures to
//! Promises that reject with those errors.

use napi::bindgen_prelude::{
    FnArgs, Function, FunctionRef, Object, PromiseRaw, ToNapiValue, Unknown,
};
use napi::{Env, Status, sys};
use napi_derive::napi;
use qualys_cs_core::Error as CoreError;
use std::future::Future;

/// The error of every failed call: a native `Error` (it has `message` and `stack`, and
/// `instanceof Error` holds) whose `code` is the stable, language-neutral code of the Rust core
/// (`validation`, `auth`, `permission`, `not_found`, `conflict`, `bad_request`, `rate_limited`,
/// `server`, `http`, `transport`, `timeout`, `decode`, `not_reported`, `config`).
///
/// Passwords and tokens never appear in any field, in `message`, in `util.inspect` or in
/// `JSON.stringify` of it.
///
/// ```js
/// try { await client.createSchedule(registryId, request) }
/// catch (e) { if (e instanceof QualysCsError && e.code === 'validation') console.log(e.violations) }
/// ```
//
// This struct only gives the class its TypeScript shape and documentation: at module start the
// export is replaced by a real JavaScript subclass of `Error` (`ERROR_CLASS_SOURCE`), whose
// instances carry these fields as own properties.
#[napi]
pub struct QualysCsError {
    /// The core error code; see the class description.
    #[napi(ts_type = "ErrorCode")]
    pub code: String,
    /// HTTP status of the answer (errors that come from an answer).
    pub status: Option<u32>,
    /// Request id the server sent back (`X-Request-Id`), when any.
    pub request_id: Option<String>,
    /// Qualys `errorCode` of the error body, e.g. `"403 FORBIDDEN"`.
    pub qualys_error_code: Option<String>,
    /// The server's message: Qualys `message` of the error body.
    pub server_message: Option<String>,
    /// The raw answer text when it was not a Qualys JSON error body (truncated).
    pub body: Option<String>,
    /// How long the server asked to wait (`rate_limited`), in milliseconds (as every duration
    /// of this package).
    pub retry_after_ms: Option<f64>,
    /// Every problem found (`validation`); empty for the other codes.
    #[napi(ts_type = "Violation[]")]
    pub violations: String,
    /// The setting at fault (`config`), e.g. `gateway_url`.
    pub field: Option<String>,
    /// True when the request certainly never reached the server (`transport`).
    pub not_sent: Option<bool>,
    /// The fields the server's answer left out (`not_reported`), e.g. `['weekDay']`.
    pub fields: Option<Vec<String>>,
}

/// Every value of `QualysCsError.code`.
#[napi(string_enum = "snake_case")]
pub enum ErrorCode {
    /// The request breaks documented rules; nothing was sent. See `violations`.
    Validation,
    /// Credentials were refused or the token is no longer valid (HTTP 401).
    Auth,
    /// The user lacks a permission (HTTP 403).
    Permission,
    /// The registry or schedule does not exist (HTTP 404, or an empty lookup).
    NotFound,
    /// The operation conflicts with the current state, e.g. the schedule is running.
    Conflict,
    /// The server refused the request as malformed (HTTP 400).
    BadRequest,
    /// Too many requests (HTTP 429). See `retryAfterMs`.
    RateLimited,
    /// The server failed (HTTP 5xx).
    Server,
    /// Any other unexpected HTTP status.
    Http,
    /// The connection failed or broke. See `notSent`.
    Transport,
    /// A request or an overall deadline ran out.
    Timeout,
    /// An answer could not be decoded. See `body`.
    Decode,
    /// The server's answer lacks fields a computation needs (e.g. the run times of a schedule
    /// listed without interval or weekday). See `fields`.
    NotReported,
    /// The SDK is configured wrongly. See `field`.
    Config,
}

/// The JavaScript class behind `QualysCsError`, defined once per environment: a plain subclass
/// of `Error` that copies the given fields onto the instance.
const ERROR_CLASS_SOURCE: &str = r#"(() => {
  class QualysCsError extends Error {
    constructor(message, fields) {
      super(message);
      if (fields != null) Object.assign(this, fields);
    }
  }
  Object.defineProperty(QualysCsError.prototype, 'name', { value: 'QualysCsError', writable: true, configurable: true });
  return QualysCsError;
})()"#;

type ErrorClass = FunctionRef<FnArgs<(String, serde_json::Value)>, Unknown<'static>>;

/// Per-environment state: the error class.
pub(crate) struct EnvState {
    error_class: ErrorClass,
}

/// Defines the error class in this environment, exports it as `QualysCsError` and keeps it for
/// [`js_error`].
pub(crate) fn install(env: &Env, exports: &mut Object) -> napi::Result<()> {
    let class: Function<FnArgs<(String, serde_json::Value)>, Unknown<'static>> =
        env.run_script(ERROR_CLASS_SOURCE)?;
    let error_class = class.create_ref()?;
    exports.set("QualysCsError", class)?;
    env.set_instance_data(EnvState { error_class }, (), |_| {})?;
    Ok(())
}

/// The plain-object fields of a core error, as the class constructor copies them.
fn fields(e: &CoreError) -> serde_json::Value {
    let mut o = serde_json::Map::new();
    o.insert("code".into(), e.code().into());
    if let Some(d) = e.http() {
        if d.status != 0 {
            o.insert("status".into(), d.status.into());
        }
        for (k, v) in [
            ("requestId", &d.request_id),
            ("qualysErrorCode", &d.qualys_error_code),
            ("serverMessage", &d.message),
            ("body", &d.body),
        ] {
            if let Some(v) = v {
                o.insert(k.into(), v.as_str().into());
            }
        }
    }
    o.insert(
        "violations".into(),
        serde_json::to_value(e.violations()).unwrap_or_default(),
    );
    match e {
        CoreError::RateLimited {
            retry_after: Some(d),
            ..
        } => {
            o.insert("retryAfterMs".into(), (d.as_secs_f64() * 1000.0).into());
        }
        CoreError::Transport { not_sent, .. } => {
            o.insert("notSent".into(), (*not_sent).into());
        }
        CoreError::Decode { body: Some(b), .. } => {
            o.insert("body".into(), b.as_str().into());
        }
        CoreError::Config { field, .. } => {
            o.insert("field".into(), field.as_str().into());
        }
        CoreError::NotReported { fields, .. } => {
            o.insert("fields".into(), fields.clone().into());
        }
        _ => {}
    }
    serde_json::Value::Object(o)
}

/// Builds the `QualysCsError` instance for `e`.
pub(crate) fn error_object<'env>(env: &'env Env, e: &CoreError) -> napi::Result<Unknown<'env>> {
    let state = env
        .get_instance_data::<EnvState>()?
        .ok_or_else(|| napi::Error::new(Status::GenericFailure, "qualys-cs is not initialised"))?;
    let class = state.error_class.borrow_back(env)?;
    class.new_instance((e.to_string(), fields(e)).into())
}

/// The `napi::Error` that throws (or rejects with) the `QualysCsError` for `e`.
pub(crate) fn js_error(env: &Env, e: &CoreError) -> napi::Error {
    match error_object(env, e) {
        Ok(obj) => napi::Error::from(obj),
        Err(fallback) => napi::Error::new(
            Status::GenericFailure,
            format!("{e} (and the error object could not be built: {fallback})"),
        ),
    }
}

/// Maps a core result for a synchronous function: errors are thrown as `QualysCsError`.
pub(crate) fn sync<T>(env: &Env, r: Result<T, CoreError>) -> napi::Result<T> {
    r.map_err(|e| js_error(env, &e))
}

/// Runs `fut` on the async runtime and returns a Promise: it resolves with `map(value)` and
/// rejects with a `QualysCsError`.
pub(crate) fn promise<'env, T, V, F, M>(
    env: &'env Env,
    fut: F,
    map: M,
) -> napi::Result<PromiseRaw<'env, V>>
where
    T: Send + 'static,
    V: ToNapiValue,
    F: Future<Output = Result<T, CoreError>> + Send + 'static,
    M: FnOnce(&'env Env, T) -> napi::Result<V> + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, move |env, r| match r {
        Ok(v) => map(env, v),
        Err(e) => Err(js_error(env, &e)),
    })
}

/// A value or an error, converted on the JavaScript thread: the error becomes a thrown
/// `QualysCsError` (used where napi converts a value itself, e.g. async iterator items).
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
