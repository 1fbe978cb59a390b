//! Schedules as code: the desired-state file and the plan (pure), plan against what exists,
//! apply with progress, and the waiter.

use napi::bindgen_prelude::{Array, Function, Object, PromiseRaw, ToNapiValue, Unknown};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{Env, Status, ValueType, sys};
use napi_derive::napi;
use qualys_cs_client::apply::{self as rs, ApplyOptions as RsApplyOptions};
use qualys_cs_client::wait::{WaitFor, WaitOptions as RsWaitOptions};
use qualys_cs_core::desired::{DesiredState, Format};
use qualys_cs_core::plan as cplan;
use qualys_cs_core::{Error as CoreError, ScheduleStatus, jiff};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Answer, Client, registry_id, schedule_id};
use crate::convert::{Js, arg, camel, js, options, snake, wrong};
use crate::error::{error_object, promise, sync};

/// Options of `plan()` and `Client.plan()`.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlanOpts {
    prune: Option<bool>,
    format: Option<String>,
    source: Option<String>,
    reference: Option<Value>,
}

const PLAN_KEYS: &[(&str, &str)] = &[
    ("prune", "true or false"),
    ("format", "\"yaml\" or \"json\""),
    ("source", "a file name (text)"),
    ("reference", "a Date, epoch milliseconds or RFC 3339 text"),
];

/// Parses a desired-state document (YAML or JSON text, or the object form) with its options.
fn desired(
    desired: Unknown<'_>,
    opts: Option<Unknown<'_>>,
) -> Result<(DesiredState, bool), CoreError> {
    let o: PlanOpts = match opts {
        Some(u) => options("planOptions", PLAN_KEYS, u)?,
        None => PlanOpts::default(),
    };
    let reference = match &o.reference {
        None | Some(Value::Null) => jiff::Timestamp::now(),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| wrong("reference", "RFC 3339 text", o.reference.as_ref()))?,
        Some(v) => v
            .as_f64()
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms as i64).ok())
            .ok_or_else(|| {
                wrong(
                    "reference",
                    "a Date, epoch milliseconds or RFC 3339 text",
                    Some(v),
                )
            })?,
    };
    let (text, default_format, default_source) =
        match arg::<Value>("desired", "YAML or JSON text, or an object", desired)? {
            Value::String(text) => (text, Format::Yaml, "desired state"),
            v @ Value::Object(_) => (v.to_string(), Format::Json, "desired state (object)"),
            other => {
                return Err(wrong(
                    "desired",
                    "YAML or JSON text, or an object",
                    Some(&other),
                ));
            }
        };
    let source = o.source.as_deref().unwrap_or(default_source);
    let format = match o.format.as_deref() {
        Some(f) if f.eq_ignore_ascii_case("json") => Format::Json,
        Some(f) if f.eq_ignore_ascii_case("yaml") || f.eq_ignore_ascii_case("yml") => Format::Yaml,
        Some(other) => {
            return Err(CoreError::config(
                "format",
                format!("format must be \"yaml\" or \"json\", not {other:?}"),
            ));
        }
        None if o.source.is_some() => Format::from_file_name(source),
        None => default_format,
    };
    Ok((
        DesiredState::parse(&text, format, source, reference)?,
        o.prune.unwrap_or(false),
    ))
}

/// A plan for JavaScript: the core's plan with `summary`, `empty` and `text`, camelCase.
fn plan_js(p: cplan::Plan) -> Result<Js, CoreError> {
    let mut v = js(&p)?.0;
    v["summary"] = json!(p.summary());
    v["empty"] = p.is_empty().into();
    v["text"] = p.render_text().into();
    Ok(Js(camel(v)))
}

/// What exists in one registry, as `plan()` compares it (a lenient registry: the vectors give
/// only schedules at times).
#[derive(Deserialize)]
struct Actual {
    #[serde(default)]
    registry: qualys_cs_core::Registry,
    #[serde(default)]
    schedules: Vec<qualys_cs_core::Schedule>,
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
        let (state, prune) = self::desired(desired, options)?;
        let actual: Vec<Actual> = arg(
            "actual",
            "a list of {registry, schedules} as listed by the API",
            actual,
        )?;
        let actual: Vec<cplan::ActualRegistry> = actual
            .into_iter()
            .map(|a| cplan::ActualRegistry {
                registry: a.registry,
                schedules: a.schedules,
            })
            .collect();
        plan_js(cplan::plan(&state, &actual, cplan::PlanOptions { prune }))
    };
    sync(&env, run())
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApplyOpts {
    concurrency: Option<usize>,
    dry_run: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WaitOpts {
    until: Option<Vec<String>>,
    timeout_ms: Option<f64>,
    interval_ms: Option<f64>,
}

const WAIT_KEYS: &[(&str, &str)] = &[
    ("until", "a list of statuses such as [\"Completed\"]"),
    ("timeoutMs", "a number of milliseconds"),
    ("intervalMs", "a number of milliseconds"),
];

fn millis(field: &str, ms: Option<f64>, default: Duration) -> Result<Duration, CoreError> {
    ms.map_or(Ok(default), |ms| {
        Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
            CoreError::config(
                field,
                format!("{field} must be a number of milliseconds, 0 or more; got {ms}"),
            )
        })
    })
}

/// An apply report: the core's report, camelCase, with each failed item's `error` a real
/// `QualysCsError`.
pub struct Report(rs::ApplyReport);

impl ToNapiValue for Report {
    unsafe fn to_napi_value(raw: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(raw);
        let r = val.0;
        let mut v = js(&r).map_err(|e| crate::error::js_error(&env, &e))?.0;
        for item in v["items"].as_array_mut().into_iter().flatten() {
            if let Some(o) = item.as_object_mut() {
                o.remove("error");
            }
        }
        v["applied"] = r.applied().into();
        v["failed"] = r.failed().into();
        v["success"] = r.is_success().into();
        let ptr = unsafe { Js::to_napi_value(raw, Js(camel(v)))? };
        let obj = Object::from_raw(raw, ptr);
        let items: Array = obj
            .get("items")?
            .ok_or_else(|| napi::Error::from_reason("no items"))?;
        for (i, item) in r.items.iter().enumerate() {
            if let (Some(e), Some(mut o)) = (&item.error, items.get::<Object>(i as u32)?) {
                o.set("error", error_object(&env, e)?)?;
            }
        }
        Ok(ptr)
    }
}

type ProgressCallback = ThreadsafeFunction<Js, (), Js, Status, false>;

#[napi]
impl Client {
    /// Plans a desired-state document (YAML or JSON text, or the object form) against what
    /// exists now: reads every registry (to resolve names and URIs) and the schedules of the
    /// ones the document names. Document problems reject with one `validation` error naming
    /// the line and the field.
    #[napi(ts_return_type = "Promise<Plan>")]
    pub fn plan<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string | Record<string, unknown>")] desired: Unknown,
        #[napi(ts_arg_type = "PlanOptions")] options: Option<Unknown>,
    ) -> Answer<'env> {
        let (c, d) = (self.inner.clone(), self::desired(desired, options));
        promise(env, async move {
            let (state, prune) = d?;
            plan_js(c.plan(&state, cplan::PlanOptions { prune }).await?)
        })
    }

    /// Applies a plan (as `plan()` returned it): items run `options.concurrency` at a time, a
    /// failed item does not stop the others, `onProgress` is called after each item (every call
    /// happens before the Promise resolves), and the report keeps plan order. With `dryRun`
    /// nothing is sent and each item lists the requests it would send. Applying the same
    /// document again gives an empty plan.
    #[napi(ts_return_type = "Promise<ApplyReport>")]
    pub fn apply<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "Plan")] plan: Unknown,
        #[napi(ts_arg_type = "ApplyOptions")] options: Option<Unknown>,
        #[napi(ts_arg_type = "(progress: ApplyProgress) => void")] on_progress: Option<Unknown>,
    ) -> napi::Result<PromiseRaw<'env, Report>> {
        let c = self.inner.clone();
        let plan = sync(
            env,
            arg::<Value>("plan", "a plan as plan() returned it", plan).and_then(|v| {
                serde_json::from_value::<cplan::Plan>(snake(v)).map_err(|e| {
                    wrong("plan", &format!("a plan as plan() returned it ({e})"), None)
                })
            }),
        )?;
        let keys = [
            ("concurrency", "a whole number, 1 or more"),
            ("dryRun", "true or false"),
        ];
        let o: ApplyOpts = match options {
            Some(u) => sync(env, self::options("applyOptions", &keys, u))?,
            None => ApplyOpts::default(),
        };
        let opts = RsApplyOptions {
            concurrency: o
                .concurrency
                .unwrap_or(RsApplyOptions::default().concurrency),
            dry_run: o.dry_run.unwrap_or(false),
        };
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
            let Some(tsfn) = callback else {
                return Ok(Report(c.apply(&plan, &opts, None).await));
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
            let (report, ()) = tokio::join!(c.apply(&plan, &opts, Some(progress)), forward);
            Ok(Report(report))
        })
    }

    /// Polls a schedule until its status is terminal (or one of `options.until`) and resolves
    /// with the schedule as last listed; a schedule that disappears is `not_found`, running out
    /// of time is `timeout` (naming the last status). Works with the emulator's virtual clock.
    #[napi(ts_return_type = "Promise<Schedule>")]
    pub fn wait_for_schedule<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "string")] schedule_id: Unknown,
        #[napi(ts_arg_type = "WaitOptions")] options: Option<Unknown>,
    ) -> Answer<'env> {
        let (c, reg, id) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            self::schedule_id(schedule_id),
        );
        let w = options
            .map_or(Ok(WaitOpts::default()), |u| {
                self::options("waitOptions", WAIT_KEYS, u)
            })
            .and_then(|o| {
                let d = RsWaitOptions::default();
                Ok(RsWaitOptions {
                    until: o.until.map_or(WaitFor::Terminal, |l| {
                        WaitFor::Any(l.iter().map(|s| ScheduleStatus::from_wire(s)).collect())
                    }),
                    timeout: millis("timeoutMs", o.timeout_ms, d.timeout)?,
                    interval: millis("intervalMs", o.interval_ms, d.interval)?,
                })
            });
        promise(env, async move {
            js(c.wait_for_schedule(&reg?, &id?, &w?).await?)
        })
    }
}
