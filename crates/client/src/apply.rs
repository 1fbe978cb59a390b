//! Schedules as code, the I/O half: read what exists, plan against a desired state
//! (`qualys_cs_core::plan`), and apply a plan with bounded concurrency under the client's
//! rate limiter, reporting progress and continuing past a failed item.
//!
//! Registries the file manages (`manage:`, `docs/registries.md`) are applied in three phases:
//! registry creates and updates first, then every schedule item (schedules of a registry just
//! created get its id), then registry deletes — each only when every schedule item of its
//! registry succeeded. Secrets are resolved at apply time by a [`SecretResolver`]
//! ([`EnvFileSecretResolver`] by default) and go nowhere but the request body: reports show
//! redacted bodies.

use crate::{Client, ListOptions, Result};
use futures_util::StreamExt as _;
use qualys_cs_core::desired::DesiredState;
use qualys_cs_core::plan::{
    Action, ActualRegistry, Plan, PlanItem, PlanOptions, plan_with as core_plan_with,
    resolve_registry,
};
use qualys_cs_core::registry_state::{
    RegistryPlanItem, RegistryPlanOptions, SecretRef, SecretResolver, resolve_entry,
};
use qualys_cs_core::{Error, RegistryId, ScheduleId, ScheduleRequest, Secret};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How to apply a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ApplyOptions {
    /// Items worked on at once (the rate limiter still bounds requests). Default 4.
    #[cfg_attr(feature = "uniffi", uniffi(default = 4))]
    pub concurrency: usize,
    /// Send nothing; report what would be sent.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
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
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PlannedRequest {
    /// HTTP method.
    pub method: String,
    /// Path under the API base, e.g. `/registry/{id}/schedule`.
    pub path: String,
    /// JSON body, when any.
    #[cfg_attr(feature = "uniffi", uniffi(name = "body_json"))]
    pub body: Option<serde_json::Value>,
}

/// What happened to one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
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

/// The result of one registry item of a plan (`manage:`).
#[derive(Clone, Debug, Serialize)]
pub struct RegistryResult {
    /// The registry as the file names it.
    pub registry: String,
    /// The registry's id after the item (the new id for a create).
    pub registry_id: Option<String>,
    /// The planned action.
    pub action: Action,
    /// What happened.
    pub outcome: Outcome,
    /// The requests sent (or that would be sent), with every secret shown as `***`.
    pub requests: Vec<PlannedRequest>,
    /// The error, when it failed (`code()` and message).
    #[serde(serialize_with = "ser_error")]
    pub error: Option<Error>,
}

/// The result of an apply: one entry per plan item, in plan order.
#[derive(Clone, Debug, Serialize)]
pub struct ApplyReport {
    /// Per-item results.
    pub items: Vec<ItemResult>,
    /// Per-registry results (entries with `manage:`), in plan order.
    pub registries: Vec<RegistryResult>,
}

impl ApplyReport {
    /// Items (schedules and registries) that failed.
    pub fn failed(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.outcome == Outcome::Failed)
            .count()
            + self
                .registries
                .iter()
                .filter(|i| i.outcome == Outcome::Failed)
                .count()
    }

    /// Items (schedules and registries) that were applied.
    pub fn applied(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.outcome == Outcome::Applied)
            .count()
            + self
                .registries
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

/// A secret resolver that apply can share across its tasks.
pub type SharedSecretResolver = Arc<dyn SecretResolver + Send + Sync>;

/// Resolves secret references from the process environment (`passwordEnv`, `tokenEnv`) and
/// from files (`passwordFile`, `tokenFile`; one trailing newline is dropped). Errors name the
/// variable or file, never a value.
#[derive(Clone, Copy, Debug, Default)]
pub struct EnvFileSecretResolver;

impl SecretResolver for EnvFileSecretResolver {
    fn resolve(&self, r: &SecretRef) -> Result<Secret> {
        match r {
            SecretRef::PasswordEnv { name } | SecretRef::TokenEnv { name } => {
                match std::env::var(name) {
                    Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
                    Ok(_) => Err(Error::config(
                        r.key(),
                        format!(
                            "environment variable {name} is empty; set it to the registry's secret"
                        ),
                    )),
                    Err(_) => Err(Error::config(
                        r.key(),
                        format!(
                            "environment variable {name} is not set; export it with the registry's secret (the file names it in {})",
                            r.key()
                        ),
                    )),
                }
            }
            SecretRef::PasswordFile { path } | SecretRef::TokenFile { path } => {
                match std::fs::read_to_string(path) {
                    Ok(text) => {
                        let v = text
                            .strip_suffix('\n')
                            .map(|t| t.strip_suffix('\r').unwrap_or(t))
                            .unwrap_or(&text);
                        Ok(Secret::new(v))
                    }
                    // The I/O error's kind only: never any content.
                    Err(e) => Err(Error::config(
                        r.key(),
                        format!("cannot read the secret file {path}: {}", e.kind()),
                    )),
                }
            }
        }
    }
}

fn registry_path(id: &str) -> String {
    format!("/registry/{id}")
}

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
            let found = match &d.manage {
                None => resolve_registry(&d.registry, &all).ok(),
                Some(m) => resolve_entry(&d.registry, Some(m), &all).ok().flatten(),
            };
            let Some(found) = found else {
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
            let mut registry = found.registry.clone();
            if d.manage.is_some() {
                // A managed registry is compared with what its details report
                // (`credential {username}`, `aws {...}`, `credentialType`).
                let details = self.get_registry(&id).await?;
                let mut detailed = details.registry;
                if let Some(t) = details.credential_type {
                    detailed
                        .extra
                        .insert("credentialType".into(), serde_json::Value::from(t));
                }
                for (k, v) in registry.extra {
                    detailed.extra.entry(k).or_insert(v);
                }
                detailed.registry_uri = detailed.registry_uri.or(registry.registry_uri);
                detailed.registry_type = detailed.registry_type.or(registry.registry_type);
                detailed.updated = detailed.updated.or(registry.updated);
                registry = detailed;
            }
            out.push(ActualRegistry {
                registry,
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
        self.plan_with(desired, options, &RegistryPlanOptions::default())
            .await
    }

    /// [`Client::plan`] with options for the registries the file manages.
    pub async fn plan_with(
        &self,
        desired: &DesiredState,
        options: PlanOptions,
        registry_options: &RegistryPlanOptions,
    ) -> Result<Plan> {
        let actual = self.fetch_actual(desired).await?;
        Ok(core_plan_with(desired, &actual, options, registry_options))
    }

    /// Applies a plan: items run `options.concurrency` at a time (the rate limiter bounds the
    /// requests), a failed item does not stop the others, `progress` is called after each
    /// item, and the report keeps plan order. A replace deletes, then creates; when the
    /// create fails the error says so, and applying the same file again creates it.
    ///
    /// Secrets of managed registries are read with [`EnvFileSecretResolver`]; see
    /// [`Client::apply_with_secrets`].
    pub async fn apply(
        &self,
        plan: &Plan,
        options: &ApplyOptions,
        progress: Option<ProgressFn>,
    ) -> ApplyReport {
        self.apply_with_secrets(plan, options, progress, Arc::new(EnvFileSecretResolver))
            .await
    }

    /// [`Client::apply`] with the resolver that turns the secret references of managed
    /// registries into secrets. Phases: registry creates and updates, then schedule items,
    /// then registry deletes (only when every schedule item of that registry succeeded).
    pub async fn apply_with_secrets(
        &self,
        plan: &Plan,
        options: &ApplyOptions,
        progress: Option<ProgressFn>,
        secrets: SharedSecretResolver,
    ) -> ApplyReport {
        let total = plan.items.len() + plan.registries.len();
        let done = Arc::new(AtomicUsize::new(0));
        let concurrency = options.concurrency.max(1);
        let dry_run = options.dry_run;
        let tick = |item: String, action: Action, ok: bool| {
            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(cb) = &progress {
                cb(&ApplyProgress {
                    done: n,
                    total,
                    item,
                    action,
                    ok,
                });
            }
        };

        // Phase 1: registry creates and updates, one at a time (few, and schedules wait).
        let mut registries: Vec<Option<RegistryResult>> = vec![None; plan.registries.len()];
        let mut new_ids: HashMap<String, std::result::Result<String, String>> = HashMap::new();
        for (i, r) in plan.registries.iter().enumerate() {
            if !matches!(r.action, Action::Create | Action::Update) {
                continue;
            }
            let res = self.apply_registry(r, dry_run, secrets.as_ref()).await;
            if r.action == Action::Create {
                let id = match (&res.outcome, &res.registry_id, &res.error) {
                    (Outcome::Applied, Some(id), _) => Ok(id.clone()),
                    (_, _, Some(e)) => Err(e.to_string()),
                    _ => Err("dry run: not created".to_owned()),
                };
                new_ids.insert(r.registry.clone(), id);
            }
            tick(
                format!("registry {}", r.registry),
                r.action,
                res.outcome != Outcome::Failed,
            );
            registries[i] = Some(res);
        }

        // Phase 2: schedule items. A schedule of a registry just created gets its id.
        let mut items: Vec<std::result::Result<PlanItem, ItemResult>> = Vec::new();
        for item in &plan.items {
            let mut item = item.clone();
            if item.registry_id.is_none()
                && let Some(created) = new_ids.get(&item.registry)
            {
                match created {
                    Ok(id) => item.registry_id = Some(id.clone()),
                    Err(why) if dry_run => {
                        let _ = why;
                        item.registry_id = Some(format!("<id of new registry {}>", item.registry));
                    }
                    Err(why) => {
                        let e = Error::config(
                            "registry",
                            format!(
                                "schedule {:?} was not created: its registry {} could not be created ({why})",
                                item.name, item.registry
                            ),
                        );
                        let mut res = ItemResult {
                            registry: item.registry.clone(),
                            name: item.name.clone(),
                            action: item.action,
                            outcome: Outcome::Failed,
                            schedule_id: None,
                            requests: Vec::new(),
                            error: Some(e),
                        };
                        if dry_run {
                            res.outcome = Outcome::DryRun;
                            res.error = None;
                        }
                        items.push(Err(res));
                        continue;
                    }
                }
            }
            items.push(Ok(item));
        }
        let tick_ref = &tick;
        // Everything the per-item futures hold is owned, so the whole future is `Send`
        // (bindings run it on their runtimes).
        let results = futures_util::stream::iter(items.into_iter().enumerate())
            .map(move |(i, item)| {
                let client = self.clone();
                async move {
                    let (r, label, action) = match item {
                        Ok(item) => (
                            client.apply_item(&item, dry_run).await,
                            format!("{}/{}", item.registry, item.name),
                            item.action,
                        ),
                        Err(done) => {
                            let label = format!("{}/{}", done.registry, done.name);
                            let action = done.action;
                            (done, label, action)
                        }
                    };
                    tick_ref(label, action, r.outcome != Outcome::Failed);
                    (i, r)
                }
            })
            .buffer_unordered(concurrency)
            .collect::<Vec<_>>()
            .await;
        let mut results = results;
        results.sort_by_key(|(i, _)| *i);
        let items: Vec<ItemResult> = results.into_iter().map(|(_, r)| r).collect();

        // Phase 3: registry deletes, after every schedule item of the registry succeeded.
        for (i, r) in plan.registries.iter().enumerate() {
            if r.action != Action::Delete {
                continue;
            }
            let blocked: Vec<&str> = plan
                .items
                .iter()
                .zip(&items)
                .filter(|(p, res)| {
                    p.registry_id.is_some()
                        && p.registry_id == r.registry_id
                        && (res.outcome == Outcome::Failed || p.action == Action::Skip)
                })
                .map(|(p, _)| p.name.as_str())
                .collect();
            let res = if blocked.is_empty() {
                self.apply_registry(r, dry_run, secrets.as_ref()).await
            } else {
                RegistryResult {
                    registry: r.registry.clone(),
                    registry_id: r.registry_id.clone(),
                    action: r.action,
                    outcome: Outcome::Failed,
                    requests: Vec::new(),
                    error: Some(Error::config(
                        "registry",
                        format!(
                            "registry {} was not deleted: its schedule{} {} could not be deleted first",
                            r.registry,
                            if blocked.len() == 1 { "" } else { "s" },
                            blocked.join(", ")
                        ),
                    )),
                }
            };
            tick(
                format!("registry {}", r.registry),
                r.action,
                res.outcome != Outcome::Failed,
            );
            registries[i] = Some(res);
        }
        let registries = plan
            .registries
            .iter()
            .zip(registries)
            .map(|(r, res)| {
                res.unwrap_or_else(|| RegistryResult {
                    registry: r.registry.clone(),
                    registry_id: r.registry_id.clone(),
                    action: r.action,
                    outcome: Outcome::NoOp,
                    requests: Vec::new(),
                    error: None,
                })
            })
            .collect();
        ApplyReport { items, registries }
    }

    /// Applies one registry item (create, update or delete).
    async fn apply_registry(
        &self,
        r: &RegistryPlanItem,
        dry_run: bool,
        secrets: &(dyn SecretResolver + Send + Sync),
    ) -> RegistryResult {
        let mut res = RegistryResult {
            registry: r.registry.clone(),
            registry_id: r.registry_id.clone(),
            action: r.action,
            outcome: Outcome::NoOp,
            requests: Vec::new(),
            error: None,
        };
        let id = r.registry_id.clone().unwrap_or_default();
        let shown_body = r.manage.to_request(None).redacted_value();
        let shown_body = || {
            let mut b = shown_body.clone();
            if r.manage.secret_ref().is_some()
                && let Some(c) = b.get_mut("credential").and_then(|c| c.as_object_mut())
            {
                let key = if r.manage.secret_ref().is_some_and(SecretRef::is_token) {
                    "accessToken"
                } else {
                    "password"
                };
                c.insert(key.into(), serde_json::Value::from("***"));
            }
            Some(b)
        };
        res.requests = match r.action {
            Action::Create => vec![PlannedRequest {
                method: "POST".into(),
                path: "/registry".into(),
                body: shown_body(),
            }],
            Action::Update => vec![PlannedRequest {
                method: "PUT".into(),
                path: registry_path(&id),
                body: shown_body(),
            }],
            Action::Delete => vec![PlannedRequest {
                method: "DELETE".into(),
                path: registry_path(&id),
                body: None,
            }],
            _ => Vec::new(),
        };
        if !r.action.is_change() {
            return res;
        }
        if dry_run {
            res.outcome = Outcome::DryRun;
            return res;
        }
        let outcome: Result<Option<String>> = async {
            match r.action {
                Action::Create => {
                    let req = r.manage.request_with(secrets)?;
                    let c = self.create_registry(&req).await?;
                    Ok(Some(c.registry_uuid.to_string()))
                }
                Action::Update => {
                    let req = r.manage.request_with(secrets)?;
                    let rid = RegistryId::parse(&id)?;
                    self.update_registry(&rid, &req).await?;
                    Ok(Some(id.clone()))
                }
                Action::Delete => {
                    let rid = RegistryId::parse(&id)?;
                    self.delete_registry(&rid).await?;
                    Ok(None)
                }
                _ => Ok(r.registry_id.clone()),
            }
        }
        .await;
        match outcome {
            Ok(id) => {
                res.outcome = Outcome::Applied;
                res.registry_id = id;
            }
            Err(e) => {
                res.outcome = Outcome::Failed;
                res.error = Some(e);
            }
        }
        res
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_env_and_file_resolver_reads_values_and_names_only_the_reference() {
        let dir = std::env::temp_dir().join(format!("qcs-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let file = dir.join("pw");
        std::fs::write(&file, "file-secret-9\n").unwrap_or_default();
        let path = file.display().to_string();
        let got = EnvFileSecretResolver
            .resolve(&SecretRef::PasswordFile { path: path.clone() })
            .map(|s| s.expose().to_owned());
        assert_eq!(
            got,
            Ok("file-secret-9".to_owned()),
            "one trailing newline dropped"
        );

        let missing = dir.join("absent").display().to_string();
        let e = EnvFileSecretResolver
            .resolve(&SecretRef::TokenFile {
                path: missing.clone(),
            })
            .err()
            .map(|e| (e.code(), e.to_string()));
        assert!(
            matches!(&e, Some(("config", m)) if m.contains(&missing) && m.contains("tokenFile")),
            "{e:?}"
        );

        let e = EnvFileSecretResolver
            .resolve(&SecretRef::PasswordEnv {
                name: "QCS_TEST_SURELY_UNSET_VARIABLE_17".into(),
            })
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|m| m
                    .contains("environment variable QCS_TEST_SURELY_UNSET_VARIABLE_17 is not set")),
            "{e:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
