//! Schedules as code: the desired-state file and the plan (pure), apply with progress, and the
//! readers of `Client.plan` and `Client.waitForSchedule` (operations in [`crate::client`]).

use napi::bindgen_prelude::{Array, Function, Object, ToNapiValue, Unknown};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{Env, Status, ValueType, sys};
use napi_derive::napi;
use qualys_cs_client::apply::{self as rs, ApplyOptions};
use qualys_cs_client::wait::{WaitFor, WaitOptions};
use qualys_cs_core::desired::DesiredState;
use qualys_cs_core::json_api;
use qualys_cs_core::plan as cplan;
use qualys_cs_core::{Error as CoreError, ScheduleStatus, jiff};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::client::{Answer, Client};
use crate::convert::{Js, Opts, arg, camel, instant_of, js, opts, snake, wrong};
use crate::error::{error_object, js_error, promise, sync};

/// Options of `plan()` and `Client.plan()` (`PlanOptions`).
pub(crate) fn plan_options(u: Option<Unknown<'_>>) -> Result<Opts, CoreError> {
    opts("planOptions", &PLAN_OPTIONS, u)
}

const PLAN_OPTIONS: [&str; 4] = ["prune", "format", "source", "reference"];
const APPLY_OPTIONS: [&str; 2] = ["concurrency", "dryRun"];

/// A desired-state document: YAML or JSON text, or the object form.
pub(crate) fn document(u: Unknown<'_>) -> Result<Value, CoreError> {
    let what = "YAML or JSON text, or an object";
    arg::<Value>("desired", what, u).and_then(|v| match v {
        Value::String(_) | Value::Object(_) => Ok(v),
        other => Err(wrong("desired", what, Some(&other))),
    })
}

/// How messages name a document given without `source`: as text, as an object.
const UNNAMED: (&str, &str) = ("desired state", "desired state (object)");

/// Parses a desired-state document with its options; every problem in one `validation` error.
pub(crate) fn parse(
    desired: Value,
    o: &Opts,
) -> Result<(DesiredState, cplan::PlanOptions), CoreError> {
    let reference =
        match o.get::<Value>("reference", "a Date, epoch milliseconds or RFC 3339 text")? {
            None => jiff::Timestamp::now(),
            Some(r) => instant_of("reference", Some(&r))?,
        };
    let source: Option<String> = o.get("source", "a file name (text)")?;
    let format: Option<String> = o.get("format", "\"yaml\" or \"json\"")?;
    let prune = o.get("prune", "true or false")?.unwrap_or(false);
    Ok((
        json_api::desired_state(
            desired,
            format.as_deref(),
            source.as_deref(),
            UNNAMED,
            reference,
        )?,
        cplan::PlanOptions { prune },
    ))
}

/// A plan for JavaScript: the core's plan with `summary`, `empty` and `text`, camelCase.
pub(crate) fn plan_js(p: cplan::Plan) -> Result<Js, CoreError> {
    let mut v = js(&p)?.0;
    (v["summary"], v["empty"], v["text"]) = (
        json!(p.summary()),
        p.is_empty().into(),
        p.render_text().into(),
    );
    Ok(Js(camel(v)))
}

/// What `waitForSchedule` waits for (`WaitOptions`).
pub(crate) fn wait_options(u: Option<Unknown<'_>>) -> Result<WaitOptions, CoreError> {
    let o = opts("waitOptions", &["until", "timeoutMs", "intervalMs"], u)?;
    let until: Option<Vec<String>> =
        o.get("until", "a list of statuses such as [\"Completed\"]")?;
    let (d, statuses) = (WaitOptions::default(), |l: Vec<String>| {
        l.iter().map(|s| ScheduleStatus::from_wire(s)).collect()
    });
    Ok(WaitOptions {
        until: until.map_or(WaitFor::Terminal, |l| WaitFor::Any(statuses(l))),
        timeout: o.millis("timeoutMs")?.unwrap_or(d.timeout),
        interval: o.millis("intervalMs")?.unwrap_or(d.interval),
    })
}

/// Parses a desired-state document (YAML or JSON text, or the object form) and plans it
/// against what exists (`actual`, as the API lists it; `Client.plan` reads it for you). Every
/// problem of the document (syntax, unknown keys, wrong types, rule violations) is thrown at
/// once in one `validation` error naming the line and the field.
#[napi(ts_return_type = "Plan")]
pub fn plan(
    env: Env,
    #[napi(ts_arg_type = "string | Record<string, unknown>")] desired: Unknown,
    #[napi(ts_arg_type = "ActualRegistry[]")] actual: Unknown,
    #[napi(ts_arg_type = "PlanOptions")] options: Option<Unknown>,
) -> napi::Result<Js> {
    let run = || {
        let (state, opts) = parse(document(desired)?, &plan_options(options)?)?;
        let what = "a list of {registry, schedules} as listed";
        let actual: Vec<cplan::ActualRegistry> = arg("actual", what, actual)?;
        plan_js(cplan::plan(&state, &actual, opts))
    };
    sync(&env, run())
}

/// An apply report: the core's report, camelCase, with `applied`, `failed`, `success`, and
/// each failed item's `error` a real `QualysCsError`.
pub struct Report(rs::ApplyReport);

impl ToNapiValue for Report {
    unsafe fn to_napi_value(raw: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let (env, r) = (Env::from_raw(raw), val.0);
        let mut v = js(&r).map_err(|e| js_error(&env, &e))?.0;
        // Schedule items get a real QualysCsError below; no `error` key where none failed.
        for list in ["items", "registries"] {
            for item in v
                .get_mut(list)
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object_mut)
            {
                if list == "items" || item.get("error").is_some_and(Value::is_null) {
                    item.remove("error");
                }
            }
        }
        (v["applied"], v["failed"], v["success"]) =
            (r.applied().into(), r.failed().into(), r.is_success().into());
        let ptr = unsafe { Js::to_napi_value(raw, Js(camel(v)))? };
        let items: Option<Array> = Object::from_raw(raw, ptr).get("items")?;
        for (i, item) in r.items.iter().enumerate() {
            if let (Some(e), Some(mut o)) = (
                &item.error,
                items.and_then(|a| a.get::<Object>(i as u32).ok().flatten()),
            ) {
                o.set("error", error_object(&env, e)?)?;
            }
        }
        Ok(ptr)
    }
}

type ProgressCallback = ThreadsafeFunction<Js, (), Js, Status, false>;

#[napi]
impl Client {
    /// Applies a plan (as `plan()` returned it): items run `options.concurrency` at a time, a
    /// failed item does not stop the others, `onProgress` is called after each item (every call
    /// happens before the Promise resolves), and the report keeps plan order. With `dryRun`
    /// nothing is sent and each item lists the requests it would send.
    #[napi(ts_return_type = "Promise<ApplyReport>")]
    pub fn apply<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "Plan")] plan: Unknown,
        #[napi(ts_arg_type = "ApplyOptions")] options: Option<Unknown>,
        #[napi(ts_arg_type = "(progress: ApplyProgress) => void")] on_progress: Option<Unknown>,
    ) -> Answer<'env, Report> {
        let what = "a plan as plan() returned it";
        let plan = arg::<Value>("plan", what, plan).and_then(|v| {
            let bad = |v: &Value| wrong("plan", what, Some(v));
            serde_json::from_value::<cplan::Plan>(snake(v.clone())).map_err(|_| bad(&v))
        });
        let (mut settings, c) = (ApplyOptions::default(), self.inner.clone());
        let o = sync(env, opts("applyOptions", &APPLY_OPTIONS, options))?;
        let concurrency = o.get("concurrency", "a whole number, 1 or more");
        settings.concurrency = sync(env, concurrency)?.unwrap_or(settings.concurrency);
        settings.dry_run = sync(env, o.get("dryRun", "true or false"))?.unwrap_or(false);
        let callback: Option<Arc<ProgressCallback>> = match on_progress {
            Some(f) if f.get_type()? == ValueType::Function => {
                // SAFETY: checked to be a function just before.
                let f: Function<Js, ()> = unsafe { f.cast() }?;
                Some(Arc::new(
                    f.build_threadsafe_function::<Js>()
                        .callee_handled::<false>()
                        .build()?,
                ))
            }
            Some(f) if !matches!(f.get_type()?, ValueType::Undefined | ValueType::Null) => {
                return sync(env, Err(wrong("onProgress", "a function", None)));
            }
            _ => None,
        };
        promise(env, async move {
            let plan = plan?;
            let Some(tsfn) = callback else {
                return Ok(Report(c.apply(&plan, &settings, None).await));
            };
            // Progress goes through a channel and each JavaScript call is awaited, so every
            // call has run when the Promise resolves.
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<rs::ApplyProgress>();
            let progress: rs::ProgressFn = Arc::new(move |p: &rs::ApplyProgress| {
                let _ = tx.send(p.clone());
            });
            let forward = async move {
                while let Some(p) = rx.recv().await {
                    if let Ok(v) = js(&p) {
                        // A throwing callback is ignored: it must not stop the apply.
                        let _ = tsfn.call_async_catch(Js(camel(v.0))).await;
                    }
                }
            };
            let (report, ()) = tokio::join!(c.apply(&plan, &settings, Some(progress)), forward);
            Ok(Report(report))
        })
    }
}
