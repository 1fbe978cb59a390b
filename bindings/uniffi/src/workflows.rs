//! Waiters and schedules as code (fetch what exists, plan, apply) on the [`Client`].

use crate::client::Client;
use crate::error::QualysCsError;
use crate::types::*;
use qualys_cs_client as qcc;
use qualys_cs_core as qc;
use std::sync::Arc;
use std::time::Duration;

/// What a waiter waits for.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum WaitFor {
    /// A terminal status (Completed, Finished, Error, Failed, Canceled, BaselineCompleted).
    Terminal,
    /// Any of these statuses.
    Any {
        /// The statuses that end the wait.
        statuses: Vec<ScheduleStatus>,
    },
}

/// Waiter settings.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct WaitOptions {
    /// What to wait for.
    pub until: WaitFor,
    /// Give up after this long, in ms (a `timeout` error naming the last status). Default
    /// 30 min.
    #[uniffi(default = 1800000)]
    pub timeout_ms: u64,
    /// Time between polls, in ms. Default 10 s.
    #[uniffi(default = 10000)]
    pub interval_ms: u64,
}

impl From<WaitOptions> for qcc::wait::WaitOptions {
    fn from(o: WaitOptions) -> Self {
        qcc::wait::WaitOptions {
            until: match o.until {
                WaitFor::Terminal => qcc::wait::WaitFor::Terminal,
                WaitFor::Any { statuses } => {
                    qcc::wait::WaitFor::Any(statuses.into_iter().map(Into::into).collect())
                }
            },
            timeout: Duration::from_millis(o.timeout_ms),
            interval: Duration::from_millis(o.interval_ms),
        }
    }
}

/// How to apply a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ApplyOptions {
    /// Items worked on at once (the rate limiter still bounds requests). Default 4.
    #[uniffi(default = 4)]
    pub concurrency: u32,
    /// Send nothing; report what would be sent.
    #[uniffi(default = false)]
    pub dry_run: bool,
}

impl From<ApplyOptions> for qcc::apply::ApplyOptions {
    fn from(o: ApplyOptions) -> Self {
        qcc::apply::ApplyOptions {
            concurrency: o.concurrency as usize,
            dry_run: o.dry_run,
        }
    }
}

/// Progress of an apply, given to the listener after each item.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ApplyProgress {
    /// Items finished so far.
    pub done: u64,
    /// Items in the plan.
    pub total: u64,
    /// The item just finished, as `registry/name`.
    pub item: String,
    /// Its action.
    pub action: Action,
    /// Whether it succeeded.
    pub ok: bool,
}

/// Receives the progress of an apply (implemented in Kotlin or Swift). Called from a worker
/// thread, once per item.
#[uniffi::export(with_foreign)]
pub trait ApplyProgressListener: Send + Sync {
    /// One more item finished.
    fn on_progress(&self, progress: ApplyProgress);
}

/// A request an item sends (or, in a dry run, would send).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PlannedRequest {
    /// HTTP method.
    pub method: String,
    /// Path under the API base, e.g. `/registry/{id}/schedule`.
    pub path: String,
    /// JSON body as text, when any.
    pub body_json: Option<String>,
}

/// What happened to one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Outcome {
    /// Done.
    Applied,
    /// Nothing to do (unchanged or skipped by the plan).
    NoOp,
    /// Dry run: nothing sent.
    DryRun,
    /// Failed: see the error.
    Failed,
}

/// The result of one plan item.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ItemResult {
    /// The registry as the file names it.
    pub registry: String,
    /// The schedule's name.
    pub name: String,
    /// The planned action.
    pub action: Action,
    /// What happened.
    pub outcome: Outcome,
    /// The schedule's id after the item (new id for create/replace).
    pub schedule_id: Option<String>,
    /// The requests sent (or, in a dry run, that would be sent), in order.
    pub requests: Vec<PlannedRequest>,
    /// The error, when it failed.
    pub error: Option<QualysCsError>,
}

/// The result of an apply: one entry per plan item, in plan order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ApplyReport {
    /// Per-item results.
    pub items: Vec<ItemResult>,
    /// Items that were applied.
    pub applied: u64,
    /// Items that failed.
    pub failed: u64,
}

impl From<qcc::apply::ApplyReport> for ApplyReport {
    fn from(r: qcc::apply::ApplyReport) -> Self {
        let applied = r.applied() as u64;
        let failed = r.failed() as u64;
        ApplyReport {
            items: r
                .items
                .into_iter()
                .map(|i| ItemResult {
                    registry: i.registry,
                    name: i.name,
                    action: i.action.into(),
                    outcome: match i.outcome {
                        qcc::apply::Outcome::Applied => Outcome::Applied,
                        qcc::apply::Outcome::NoOp => Outcome::NoOp,
                        qcc::apply::Outcome::DryRun => Outcome::DryRun,
                        qcc::apply::Outcome::Failed => Outcome::Failed,
                    },
                    schedule_id: i.schedule_id,
                    requests: i
                        .requests
                        .into_iter()
                        .map(|p| PlannedRequest {
                            method: p.method,
                            path: p.path,
                            body_json: p.body.as_ref().map(json_text),
                        })
                        .collect(),
                    error: i.error.map(Into::into),
                })
                .collect(),
            applied,
            failed,
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Client {
    /// Polls the schedule until its status matches `options.until`; returns the schedule as
    /// last listed. `not_found` when it disappears, `timeout` (naming the last status) when
    /// time runs out.
    pub async fn wait_for_schedule(
        &self,
        registry_id: String,
        schedule_id: String,
        options: WaitOptions,
    ) -> Result<Schedule, QualysCsError> {
        let reg = qc::RegistryId::parse(&registry_id)?;
        let id = qc::ScheduleId::parse(&schedule_id)?;
        Ok(self
            .inner
            .wait_for_schedule(&reg, &id, &options.into())
            .await?
            .into())
    }

    /// Reads what exists for the registries a desired state names (input of `plan`).
    pub async fn fetch_actual(
        &self,
        desired: DesiredState,
    ) -> Result<Vec<ActualRegistry>, QualysCsError> {
        let desired: qc::desired::DesiredState = desired.try_into()?;
        Ok(self
            .inner
            .fetch_actual(&desired)
            .await?
            .into_iter()
            .map(|a| ActualRegistry {
                registry: a.registry.into(),
                schedules: a.schedules.into_iter().map(Schedule::from).collect(),
            })
            .collect())
    }

    /// Plans a desired state against what exists now.
    pub async fn plan(
        &self,
        desired: DesiredState,
        options: PlanOptions,
    ) -> Result<Plan, QualysCsError> {
        let desired: qc::desired::DesiredState = desired.try_into()?;
        let opts = qc::plan::PlanOptions {
            prune: options.prune,
        };
        Ok(self.inner.plan(&desired, opts).await?.into())
    }

    /// Applies a plan with bounded concurrency, continuing past a failed item; `progress`
    /// hears about each finished item.
    pub async fn apply(
        &self,
        plan: Plan,
        options: ApplyOptions,
        progress: Option<Arc<dyn ApplyProgressListener>>,
    ) -> Result<ApplyReport, QualysCsError> {
        let plan: qc::plan::Plan = plan.try_into()?;
        let progress: Option<qcc::apply::ProgressFn> = progress.map(|l| {
            let f: qcc::apply::ProgressFn = Arc::new(move |p: &qcc::apply::ApplyProgress| {
                l.on_progress(ApplyProgress {
                    done: p.done as u64,
                    total: p.total as u64,
                    item: p.item.clone(),
                    action: p.action.into(),
                    ok: p.ok,
                })
            });
            f
        });
        let options: qcc::apply::ApplyOptions = options.into();
        let report = self.inner.apply(&plan, &options, progress).await;
        Ok(report.into())
    }
}
