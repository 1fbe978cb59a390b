//! Waiters and schedules as code (fetch what exists, plan, apply) on the [`Client`]. The
//! options and progress records are the client crate's; only the apply report is ours (its
//! items carry the binding's error).

use crate::client::Client;
use crate::error::QualysCsError;
use qualys_cs_client::apply::{ApplyOptions, ApplyProgress, Outcome, PlannedRequest, ProgressFn};
use qualys_cs_client::wait::WaitOptions;
use qualys_cs_core as qc;
use qualys_cs_core::desired::DesiredState;
use qualys_cs_core::plan::{Action, ActualRegistry, Plan, PlanOptions};
use std::sync::Arc;

type R<T> = Result<T, QualysCsError>;

/// Receives the progress of an apply (implemented in Kotlin or Swift). Called from a worker
/// thread, once per item.
#[uniffi::export(with_foreign)]
pub trait ApplyProgressListener: Send + Sync {
    /// One more item finished.
    fn on_progress(&self, progress: ApplyProgress);
}

/// The result of one plan item.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
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
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct ApplyReport {
    /// Per-item results.
    pub items: Vec<ItemResult>,
    /// Items that were applied.
    pub applied: u64,
    /// Items that failed.
    pub failed: u64,
}

#[uniffi::export(async_runtime = "tokio")]
impl Client {
    /// Polls the schedule until its status matches `options.until`; returns the schedule as
    /// last listed. `not_found` when it disappears, `timeout` (naming the last status) when
    /// time runs out.
    pub async fn wait_for_schedule(
        &self, registry_id: String, schedule_id: String, options: WaitOptions,
    ) -> R<qc::Schedule> {
        let reg = qc::RegistryId::parse(&registry_id)?;
        let id = qc::ScheduleId::parse(&schedule_id)?;
        Ok(self.inner.wait_for_schedule(&reg, &id, &options).await?)
    }

    /// Reads what exists for the registries a desired state names (input of `plan`).
    pub async fn fetch_actual(&self, desired: DesiredState) -> R<Vec<ActualRegistry>> {
        Ok(self.inner.fetch_actual(&desired).await?)
    }

    /// Plans a desired state against what exists now.
    pub async fn plan(&self, desired: DesiredState, options: PlanOptions) -> R<Plan> {
        Ok(self.inner.plan(&desired, options).await?)
    }

    /// Applies a plan with bounded concurrency, continuing past a failed item; `progress`
    /// hears about each finished item.
    pub async fn apply(
        &self, plan: Plan, options: ApplyOptions, progress: Option<Arc<dyn ApplyProgressListener>>,
    ) -> R<ApplyReport> {
        let progress =
            progress.map(|l| -> ProgressFn { Arc::new(move |p| l.on_progress(p.clone())) });
        let report = self.inner.apply(&plan, &options, progress).await;
        let (applied, failed) = (report.applied() as u64, report.failed() as u64);
        let item = |i: qualys_cs_client::apply::ItemResult| ItemResult {
            registry: i.registry,
            name: i.name,
            action: i.action,
            outcome: i.outcome,
            schedule_id: i.schedule_id,
            requests: i.requests,
            error: i.error.map(Into::into),
        };
        let items = report.items.into_iter().map(item).collect();
        Ok(ApplyReport { items, applied, failed })
    }
}
