//! Schedules as code with a client (plan against what exists, apply with progress) and the
//! waiter.

use napi::bindgen_prelude::{Function, PromiseRaw, ToNapiValue};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{Env, Status, sys};
use napi_derive::napi;
use qualys_cs_client::apply::{self as rs, ApplyOptions as RsApplyOptions};
use qualys_cs_client::wait::{WaitFor, WaitOptions as RsWaitOptions};
use qualys_cs_core::plan as cplan;
use qualys_cs_core::{Error as CoreError, RegistryId, ScheduleId, ScheduleRequest, ScheduleStatus};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

use crate::client::Client;
use crate::error::{error_object, promise, sync};
use crate::plan::{Plan, PlanAction, PlanOptions, parse_desired};

/// How to apply a plan.
#[napi(object)]
#[derive(Default)]
pub struct ApplyOptions {
    /// Items worked on at once (the client's rate limiter still bounds the requests). Default 4.
    pub concurrency: Option<u32>,
    /// Send nothing; report what would be sent.
    pub dry_run: Option<bool>,
}

/// Progress of an apply, given to the callback after each item.
#[napi(object)]
pub struct ApplyProgress {
    /// Items finished so far.
    pub done: u32,
    /// Items in the plan.
    pub total: u32,
    /// The item just finished, as `registry/name`.
    pub item: String,
    /// Its action.
    pub action: PlanAction,
    /// Whether it succeeded.
    pub ok: bool,
}

/// A request a plan item sends (or, in a dry run, would send).
#[napi(object, object_from_js = false)]
pub struct PlannedRequest {
    /// HTTP method.
    pub method: String,
    /// Path under the API base, e.g. `/registry/{id}/schedule`.
    pub path: String,
    /// JSON body, when any.
    #[napi(ts_type = "ScheduleRequest")]
    pub body: Option<Value>,
}

/// What happened to one plan item.
#[napi(string_enum = "snake_case")]
pub enum ApplyOutcome {
    /// Done.
    Applied,
    /// Nothing to do (unchanged, or skipped by the plan).
    NoOp,
    /// Dry run: nothing sent.
    DryRun,
    /// Failed: see `error`.
    Failed,
}

/// A core error, converted to a `QualysCsError` on the JavaScript thread.
pub struct ErrorValue(CoreError);

impl ToNapiValue for ErrorValue {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(env);
        let obj = error_object(&env, &val.0)?;
        // SAFETY: a value just created in this environment.
        unsafe { ToNapiValue::to_napi_value(env.raw(), obj) }
    }
}

/// The result of one plan item.
#[napi(object, object_from_js = false)]
pub struct ItemResult {
    /// The registry as the file names it.
    pub registry: String,
    /// The schedule's name.
    pub name: String,
    /// The planned action.
    pub action: PlanAction,
    /// What happened.
    pub outcome: ApplyOutcome,
    /// The schedule's id after the item (the new id for create and replace).
    pub schedule_id: Option<String>,
    /// The requests sent (or, in a dry run, that would be sent), in order.
    pub requests: Vec<PlannedRequest>,
    /// The error, when the item failed.
    #[napi(ts_type = "QualysCsError")]
    pub error: Option<ErrorValue>,
}

/// The result of an apply: one entry per plan item, in plan order. A failed item does not stop
/// the others.
#[napi(object, object_from_js = false)]
pub struct ApplyReport {
    /// Per-item results.
    pub items: Vec<ItemResult>,
    /// Items applied.
    pub applied: u32,
    /// Items that failed.
    pub failed: u32,
    /// True when nothing failed.
    pub success: bool,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<rs::ApplyReport> for ApplyReport {
    fn from(r: rs::ApplyReport) -> Self {
        ApplyReport {
            applied: count(r.applied()),
            failed: count(r.failed()),
            success: r.is_success(),
            items: r
                .items
                .into_iter()
                .map(|i| ItemResult {
                    registry: i.registry,
                    name: i.name,
                    action: i.action.into(),
                    outcome: match i.outcome {
                        rs::Outcome::Applied => ApplyOutcome::Applied,
                        rs::Outcome::NoOp => ApplyOutcome::NoOp,
                        rs::Outcome::DryRun => ApplyOutcome::DryRun,
                        rs::Outcome::Failed => ApplyOutcome::Failed,
                    },
                    schedule_id: i.schedule_id,
                    requests: i
                        .requests
                        .into_iter()
                        .map(|q| PlannedRequest {
                            method: q.method,
                            path: q.path,
                            body: q.body,
                        })
                        .collect(),
                    error: i.error.map(ErrorValue),
                })
                .collect(),
        }
    }
}

/// A plan as `plan()` returned it, back to the core type.
fn core_plan(p: Plan) -> Result<cplan::Plan, CoreError> {
    let mut items = Vec::with_capacity(p.items.len());
    for (i, it) in p.items.into_iter().enumerate() {
        let request = match it.request {
            Some(v) => Some(ScheduleRequest::from_value(&v).map_err(|e| {
                CoreError::validation(
                    e.violations()
                        .iter()
                        .map(|v| {
                            qualys_cs_core::Violation::new(
                                format!("/items/{i}/request{}", v.path),
                                v.code.clone(),
                                v.message.clone(),
                            )
                        })
                        .collect(),
                )
            })?),
            None => None,
        };
        items.push(cplan::PlanItem {
            registry: it.registry,
            registry_id: it.registry_id,
            name: it.name,
            action: it.action.into(),
            schedule_id: it.schedule_id,
            request,
            changes: it
                .changes
                .into_iter()
                .map(|c| cplan::Change {
                    field: c.field,
                    from: c.from,
                    to: c.to,
                    forces_replacement: c.forces_replacement,
                    unknown: c.unknown,
                })
                .collect(),
            reason: it.reason,
        });
    }
    Ok(cplan::Plan {
        items,
        unmanaged: p.unmanaged as usize,
        warnings: p.warnings.into_iter().map(Into::into).collect(),
    })
}

/// What `waitForSchedule` waits for.
#[napi(object)]
#[derive(Default)]
pub struct WaitOptions {
    /// The statuses to wait for; absent = any terminal status (Completed, Finished, Error,
    /// Failed, Canceled, BaselineCompleted).
    #[napi(ts_type = "Array<ScheduleStatus | (string & {})>")]
    pub until: Option<Vec<String>>,
    /// Give up after this long, in ms (a `timeout` error naming the last status). Default 30
    /// minutes.
    pub timeout_ms: Option<f64>,
    /// Time between polls, in ms. Default 10000.
    pub interval_ms: Option<f64>,
}

fn millis(field: &str, ms: f64) -> Result<Duration, CoreError> {
    Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
        CoreError::config(
            field,
            format!("must be a number of milliseconds, 0 or more; got {ms}"),
        )
    })
}

fn wait_options(o: WaitOptions) -> Result<RsWaitOptions, CoreError> {
    let mut w = RsWaitOptions::default();
    if let Some(list) = o.until {
        w.until = WaitFor::Any(list.iter().map(|s| ScheduleStatus::from_wire(s)).collect());
    }
    if let Some(ms) = o.timeout_ms {
        w.timeout = millis("timeout_ms", ms)?;
    }
    if let Some(ms) = o.interval_ms {
        w.interval = millis("interval_ms", ms)?;
    }
    Ok(w)
}

type ProgressCallback = ThreadsafeFunction<ApplyProgress, (), ApplyProgress, Status, false>;

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
        #[napi(ts_arg_type = "string | Record<string, unknown>")] desired: Value,
        options: Option<PlanOptions>,
    ) -> napi::Result<PromiseRaw<'env, Plan>> {
        let c = self.inner.clone();
        let opts = options.unwrap_or_default();
        let prune = opts.prune.unwrap_or(false);
        let desired = parse_desired(desired, &opts);
        promise(
            env,
            async move { c.plan(&desired?, cplan::PlanOptions { prune }).await },
            |_, p| Ok(Plan::from(p)),
        )
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
        plan: Plan,
        options: Option<ApplyOptions>,
        #[napi(ts_arg_type = "(progress: ApplyProgress) => void")] on_progress: Option<
            Function<'env, ApplyProgress, ()>,
        >,
    ) -> napi::Result<PromiseRaw<'env, ApplyReport>> {
        let c = self.inner.clone();
        let plan = sync(env, core_plan(plan))?;
        let o = options.unwrap_or_default();
        let opts = RsApplyOptions {
            concurrency: o
                .concurrency
                .map_or(RsApplyOptions::default().concurrency, |n| n as usize),
            dry_run: o.dry_run.unwrap_or(false),
        };
        let callback: Option<Arc<ProgressCallback>> = match on_progress {
            Some(f) => Some(Arc::new(
                f.build_threadsafe_function::<ApplyProgress>()
                    .callee_handled::<false>()
                    .build()?,
            )),
            None => None,
        };
        promise(
            env,
            async move {
                let Some(tsfn) = callback else {
                    return Ok(c.apply(&plan, &opts, None).await);
                };
                // Progress goes through a channel and each JavaScript call is awaited, so every
                // call has run when the Promise resolves.
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<rs::ApplyProgress>();
                let progress: rs::ProgressFn = Arc::new(move |p: &rs::ApplyProgress| {
                    let _ = tx.send(p.clone());
                });
                let forward = async move {
                    while let Some(p) = rx.recv().await {
                        let js = ApplyProgress {
                            done: count(p.done),
                            total: count(p.total),
                            item: p.item,
                            action: p.action.into(),
                            ok: p.ok,
                        };
                        // A throwing callback is ignored: it must not stop the apply.
                        let _ = tsfn.call_async_catch(js).await;
                    }
                };
                let (report, ()) = tokio::join!(c.apply(&plan, &opts, Some(progress)), forward);
                Ok(report)
            },
            |_, r| Ok(ApplyReport::from(r)),
        )
    }

    /// Polls a schedule until its status is terminal (or one of `options.until`) and resolves
    /// with the schedule as last listed; a schedule that disappears is `not_found`, running out
    /// of time is `timeout` (naming the last status). Works with the emulator's virtual clock.
    #[napi(ts_return_type = "Promise<Schedule>")]
    pub fn wait_for_schedule<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        schedule_id: String,
        options: Option<WaitOptions>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        promise(
            env,
            async move {
                let reg = RegistryId::parse(&registry_id)?;
                let id = ScheduleId::parse(&schedule_id)?;
                let w = wait_options(options.unwrap_or_default())?;
                let s = c.wait_for_schedule(&reg, &id, &w).await?;
                serde_json::to_value(s).map_err(|e| CoreError::Decode {
                    message: format!("could not convert the answer: {e}"),
                    body: None,
                })
            },
            |_, v| Ok(v),
        )
    }
}
