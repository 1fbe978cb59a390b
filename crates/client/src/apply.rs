//! Schedules as code, the I/O half: read what exists, plan against a desired state
//! (`qualys_cs_core::plan`), and apply a plan with bounded concurrency under the client's
//! rate limiter, reporting progress and continuing past a failed item.

use crate::{Client, ListOptions, Result};
use futures_util::StreamExt as _;
use qualys_cs_core::desired::DesiredState;
use qualys_cs_core::plan::{
    Action, ActualRegistry, Plan, PlanItem, PlanOptions, plan as core_plan, resolve_registry,
};
use qualys_cs_core::{Error, RegistryId, ScheduleId, ScheduleRequest};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How to apply a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Items worked on at once (the rate limiter still bounds requests). Default 4.
    pub concurrency: usize,
    /// Send nothing; report what would be sent.
    pub dry_run: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            concurrency: 4,
            dry_run: false,
        }
    }
}

/// Progress of an apply, given to the callback after each item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApplyProgress {
    /// Items finished so far.
    pub done: usize,
    /// Items in the plan.
    pub total: usize,
    /// The item just finished, as `registry/name`.
    pub item: String,
    /// Its action.
    pub action: Action,
    /// Whether it succeeded.
    pub ok: bool,
}

/// A request an item sends (or, in a dry run, would send).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlannedRequest {
    /// HTTP method.
    pub method: String,
    /// Path under the API base, e.g. `/registry/{id}/schedule`.
    pub path: String,
    /// JSON body, when any.
    pub body: Option<serde_json::Value>,
}

/// What happened to one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Clone, Debug, Serialize)]
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
    /// The error, when it failed (`code()` and message).
    #[serde(serialize_with = "ser_error")]
    pub error: Option<Error>,
}

fn ser_error<S: serde::Serializer>(
    e: &Option<Error>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match e {
        None => s.serialize_none(),
        Some(e) => serde_json::json!({"code": e.code(), "message": e.to_string()}).serialize(s),
    }
}

/// The result of an apply: one entry per plan item, in plan order.
#[derive(Clone, Debug, Serialize)]
pub struct ApplyReport {
    /// Per-item results.
    pub items: Vec<ItemResult>,
}

impl ApplyReport {
    /// Items that failed.
    pub fn failed(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.outcome == Outcome::Failed)
            .count()
    }

    /// Items that were applied.
    pub fn applied(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.outcome == Outcome::Applied)
            .count()
    }

    /// True when nothing failed.
    pub fn is_success(&self) -> bool {
        self.failed() == 0
    }
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&ApplyProgress) + Send + Sync>;

fn schedules_path(r: &str) -> String {
    format!("/registry/{r}/schedule")
}

fn requests_of(item: &PlanItem) -> Vec<PlannedRequest> {
    let rid = item.registry_id.clone().unwrap_or_default();
    let sid = item.schedule_id.clone().unwrap_or_default();
    let body = item.request.as_ref().map(ScheduleRequest::to_value);
    let create = || PlannedRequest {
        method: "POST".into(),
        path: schedules_path(&rid),
        body: body.clone(),
    };
    let delete = || PlannedRequest {
        method: "DELETE".into(),
        path: format!("{}/{sid}", schedules_path(&rid)),
        body: None,
    };
    match item.action {
        Action::Create => vec![create()],
        Action::Update => vec![PlannedRequest {
            method: "PUT".into(),
            path: format!("{}/{sid}", schedules_path(&rid)),
            body: body.clone(),
        }],
        Action::Replace => vec![delete(), create()],
        Action::Delete => vec![delete()],
        Action::Unchanged | Action::Skip => Vec::new(),
    }
}

impl Client {
    /// Reads what exists for the registries a desired state names: every registry (to resolve
    /// names and URIs), then every schedule of each resolved one. Unresolved registries are
    /// left out (the plan skips them with the reason).
    pub async fn fetch_actual(&self, desired: &DesiredState) -> Result<Vec<ActualRegistry>> {
        let registries = self
            .list_registries_all(ListOptions::new())
            .collect_all()
            .await?;
        let all: Vec<ActualRegistry> = registries
            .into_iter()
            .map(|registry| ActualRegistry {
                registry,
                schedules: Vec::new(),
            })
            .collect();
        let mut out: Vec<ActualRegistry> = Vec::new();
        for d in &desired.registries {
            let Ok(found) = resolve_registry(&d.registry, &all) else {
                continue;
            };
            if out
                .iter()
                .any(|a| a.registry.registry_uuid == found.registry.registry_uuid)
            {
                continue;
            }
            let id = RegistryId::parse(&found.registry.registry_uuid)?;
            let schedules = self
                .list_schedules_all(&id, ListOptions::new().page_size(100))
                .collect_all()
                .await?;
            out.push(ActualRegistry {
                registry: found.registry.clone(),
                schedules,
            });
        }
        // Keep unresolved-by-this-pass registries out, but keep every registry for resolution
        // messages: ambiguous references need the whole list.
        for a in all {
            if !out
                .iter()
                .any(|o| o.registry.registry_uuid == a.registry.registry_uuid)
            {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Plans a desired state against what exists now.
    pub async fn plan(&self, desired: &DesiredState, options: PlanOptions) -> Result<Plan> {
        let actual = self.fetch_actual(desired).await?;
        Ok(core_plan(desired, &actual, options))
    }

    /// Applies a plan: items run `options.concurrency` at a time (the rate limiter bounds the
    /// requests), a failed item does not stop the others, `progress` is called after each
    /// item, and the report keeps plan order. A replace deletes, then creates; when the
    /// create fails the error says so, and applying the same file again creates it.
    pub async fn apply(
        &self,
        plan: &Plan,
        options: &ApplyOptions,
        progress: Option<ProgressFn>,
    ) -> ApplyReport {
        let total = plan.items.len();
        let done = Arc::new(AtomicUsize::new(0));
        let concurrency = options.concurrency.max(1);
        let dry_run = options.dry_run;
        // Everything the per-item futures hold is owned, so the whole future is `Send`
        // (bindings run it on their runtimes).
        let results = futures_util::stream::iter(plan.items.clone().into_iter().enumerate())
            .map(move |(i, item)| {
                let done = done.clone();
                let progress = progress.clone();
                let client = self.clone();
                async move {
                    let r = client.apply_item(&item, dry_run).await;
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if let Some(cb) = progress {
                        cb(&ApplyProgress {
                            done: n,
                            total,
                            item: format!("{}/{}", item.registry, item.name),
                            action: item.action,
                            ok: r.outcome != Outcome::Failed,
                        });
                    }
                    (i, r)
                }
            })
            .buffer_unordered(concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut results = results;
        results.sort_by_key(|(i, _)| *i);
        ApplyReport {
            items: results.into_iter().map(|(_, r)| r).collect(),
        }
    }

    async fn apply_item(&self, item: &PlanItem, dry_run: bool) -> ItemResult {
        let requests = requests_of(item);
        let mut res = ItemResult {
            registry: item.registry.clone(),
            name: item.name.clone(),
            action: item.action,
            outcome: Outcome::NoOp,
            schedule_id: item.schedule_id.clone(),
            requests,
            error: None,
        };
        if !item.action.is_change() {
            return res;
        }
        if dry_run {
            res.outcome = Outcome::DryRun;
            return res;
        }
        match self.run_item(item).await {
            Ok(id) => {
                res.outcome = Outcome::Applied;
                res.schedule_id = id;
            }
            Err(e) => {
                res.outcome = Outcome::Failed;
                res.error = Some(e);
            }
        }
        res
    }

    async fn run_item(&self, item: &PlanItem) -> Result<Option<String>> {
        let rid = RegistryId::parse(item.registry_id.as_deref().unwrap_or_default())?;
        let sid = || ScheduleId::parse(item.schedule_id.as_deref().unwrap_or_default());
        let request = || {
            item.request.clone().ok_or_else(|| {
                Error::config(
                    "plan",
                    format!("plan item {} has no request body", item.name),
                )
            })
        };
        match item.action {
            Action::Create => {
                let c = self.create_schedule(&rid, &request()?).await?;
                Ok(Some(c.schedule_uuid.to_string()))
            }
            Action::Update => {
                let id = sid()?;
                self.update_schedule(&rid, &id, &request()?).await?;
                Ok(Some(id.to_string()))
            }
            Action::Replace => {
                let id = sid()?;
                let req = request()?;
                self.delete_schedule(&rid, &id).await?;
                match self.create_schedule(&rid, &req).await {
                    Ok(c) => Ok(Some(c.schedule_uuid.to_string())),
                    Err(e) => Err(replace_failed(e, &item.name)),
                }
            }
            Action::Delete => {
                self.delete_schedule(&rid, &sid()?).await?;
                Ok(None)
            }
            Action::Unchanged | Action::Skip => Ok(item.schedule_id.clone()),
        }
    }
}

/// The create half of a replace failed after the delete: say so, keeping the error's class.
fn replace_failed(e: Error, name: &str) -> Error {
    let note = format!(
        "replace of {name:?}: the old schedule was deleted but the new one was not created; apply the same file again to create it"
    );
    match e {
        Error::Transport { message, not_sent } => Error::Transport {
            message: format!("{note}: {message}"),
            not_sent,
        },
        Error::Timeout { message } => Error::Timeout {
            message: format!("{note}: {message}"),
        },
        Error::Server(mut d) => {
            d.message = Some(format!("{note}: {}", d.message.unwrap_or_default()));
            Error::Server(d)
        }
        other => other,
    }
}
