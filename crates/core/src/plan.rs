//! Plan: the difference between the desired state and what exists, as per-schedule actions.
//!
//! Pure and deterministic: registries in file order; in each, the desired schedules by name,
//! then deletions by name. Rules:
//!
//! * a desired schedule with no existing namesake → **create**;
//! * an existing one that matches → **unchanged**;
//! * only fields Qualys lets an update change differ (interval, weekday, time, force scan,
//!   registry type, latest-N-tags) on an automatic schedule → **update**;
//! * `onDemand`, a repository, a tag or the image age differ, or the existing schedule is on
//!   demand (not updatable) → **replace** (delete, then create);
//! * an existing schedule whose name is not in the file → **delete**, only when pruning;
//! * anything that would touch a Running schedule, a name shared by several existing
//!   schedules, or an unresolved registry → **skip**, with the reason.
//!
//! **A field the answer does not carry is unknown, never equal.** Qualys's own OpenAPI shape
//! (spec §6b) lists schedules without `scheduleIntervalInDays`, `weekDay`, `forceScan`,
//! `registryType` and `additionalFilters`. Such a field, when the desired state depends on it,
//! becomes a [`Change`] with `unknown: true`, and the schedule is **update**d (or
//! **replace**d where only a replace can set it: an on-demand schedule, or one whose mode was
//! not reported), with the reason `server does not report …`. **Unchanged** means every
//! compared field was seen and is equal. Against such a server a second apply of the same file
//! sends the same updates again: the result is the same schedule with the same content (an
//! update is idempotent), so the state converges, but the plan can never show "no change" for
//! fields the server hides.

use crate::desired::DesiredState;
use crate::error::Violation;
use crate::model::{Registry, Schedule, ScheduleRequest};
use crate::registry_state::{
    Ensure, RegistryPlanItem, RegistryPlanOptions, plan_registry, resolve_entry,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt::Write as _;

/// What exists in one registry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)] // read leniently: a missing `registry` or `schedules` is empty
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ActualRegistry {
    /// The registry.
    pub registry: Registry,
    /// Its schedules.
    pub schedules: Vec<Schedule>,
}

/// Plan options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PlanOptions {
    /// Delete existing schedules that the file does not list (in the registries it lists).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub prune: bool,
}

/// The action for one schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Action {
    /// Create a new schedule.
    Create,
    /// Update the existing schedule in place.
    Update,
    /// Delete the existing schedule, then create the desired one.
    Replace,
    /// Delete the existing schedule (pruning).
    Delete,
    /// Nothing to do.
    Unchanged,
    /// Left alone, see the reason.
    Skip,
}

impl Action {
    fn symbol(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Unchanged => "=",
            Action::Skip => "!",
        }
    }

    /// True when applying the action sends a write.
    pub fn is_change(self) -> bool {
        matches!(
            self,
            Action::Create | Action::Update | Action::Replace | Action::Delete
        )
    }
}

/// One changed field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Change {
    /// The request field (canonical JSON name).
    pub field: String,
    /// Its current value (`null` when absent).
    #[cfg_attr(feature = "uniffi", uniffi(name = "from_json"))]
    pub from: Value,
    /// Its desired value.
    #[cfg_attr(feature = "uniffi", uniffi(name = "to_json"))]
    pub to: Value,
    /// True when Qualys cannot update this field in place.
    pub forces_replacement: bool,
    /// True when the server's answer did not carry this field (`from` is then `null`): the
    /// current value is unknown, so the desired one is sent rather than assumed equal.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub unknown: bool,
}

/// One line of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PlanItem {
    /// The registry as the file names it.
    pub registry: String,
    /// The registry's UUID, when resolved.
    pub registry_id: Option<String>,
    /// The schedule's name.
    pub name: String,
    /// What to do.
    pub action: Action,
    /// The existing schedule's id (update, replace, delete, unchanged).
    pub schedule_id: Option<String>,
    /// The body to send (create, update, replace).
    pub request: Option<ScheduleRequest>,
    /// Fields that differ.
    pub changes: Vec<Change>,
    /// Why (skip), or a note.
    pub reason: Option<String>,
}

/// A whole plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Plan {
    /// Items in deterministic order.
    pub items: Vec<PlanItem>,
    /// Existing schedules that the file does not list and that were kept (no pruning).
    pub unmanaged: usize,
    /// Warnings carried over from the desired state.
    pub warnings: Vec<Violation>,
    /// Registry actions (entries with `manage:`), in file order. Apply runs creates and
    /// updates before any schedule item, and deletes after them.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub registries: Vec<RegistryPlanItem>,
}

/// Counts per action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PlanSummary {
    /// To create.
    pub create: usize,
    /// To update.
    pub update: usize,
    /// To replace.
    pub replace: usize,
    /// To delete.
    pub delete: usize,
    /// Unchanged.
    pub unchanged: usize,
    /// Skipped.
    pub skip: usize,
}

impl Plan {
    /// True when applying would send no write.
    pub fn is_empty(&self) -> bool {
        !self.items.iter().any(|i| i.action.is_change())
            && !self.registries.iter().any(|r| r.action.is_change())
    }

    /// Counts per action of the registry items.
    pub fn registry_summary(&self) -> PlanSummary {
        let mut s = PlanSummary::default();
        for i in &self.registries {
            match i.action {
                Action::Create => s.create += 1,
                Action::Update => s.update += 1,
                Action::Replace => s.replace += 1,
                Action::Delete => s.delete += 1,
                Action::Unchanged => s.unchanged += 1,
                Action::Skip => s.skip += 1,
            }
        }
        s
    }

    /// Counts per action.
    pub fn summary(&self) -> PlanSummary {
        let mut s = PlanSummary::default();
        for i in &self.items {
            match i.action {
                Action::Create => s.create += 1,
                Action::Update => s.update += 1,
                Action::Replace => s.replace += 1,
                Action::Delete => s.delete += 1,
                Action::Unchanged => s.unchanged += 1,
                Action::Skip => s.skip += 1,
            }
        }
        s
    }

    /// The plan as JSON (stable field names).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// A readable rendering, like a terraform plan.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        if !self.registries.is_empty() {
            out.push_str("registries:\n");
        }
        for r in &self.registries {
            let verb = format!("{:?}", r.action).to_lowercase();
            let id = r
                .registry_id
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:>3} {verb:<9} {} ({}){id}",
                r.action.symbol(),
                r.registry,
                r.manage.registry_type
            );
            for c in &r.changes {
                if c.field == "credential" {
                    // Never a value: only that it changed, and why the plan knows.
                    let why = c.to.as_str().unwrap_or("changed");
                    let _ = writeln!(out, "        credential {why}");
                } else {
                    let _ = writeln!(out, "        {}: {} -> {}", c.field, c.from, c.to);
                }
            }
            if let Some(reason) = &r.reason {
                let _ = writeln!(out, "        {reason}");
            }
        }
        let mut current: Option<(&str, Option<&str>)> = None;
        for i in &self.items {
            let key = (i.registry.as_str(), i.registry_id.as_deref());
            if current != Some(key) {
                let _ = writeln!(
                    out,
                    "registry {}{}:",
                    i.registry,
                    i.registry_id
                        .as_deref()
                        .map(|id| format!(" ({id})"))
                        .unwrap_or_default()
                );
                current = Some(key);
            }
            let verb = format!("{:?}", i.action).to_lowercase();
            let id = i
                .schedule_id
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {:>3} {verb:<9} {}{id}", i.action.symbol(), i.name);
            if i.action == Action::Create
                && let Some(r) = &i.request
            {
                let _ = writeln!(out, "        {}", crate::explain(r));
            }
            for c in &i.changes {
                let from = if c.unknown {
                    "(not reported)".to_owned()
                } else {
                    c.from.to_string()
                };
                let _ = writeln!(
                    out,
                    "        {}: {} -> {}{}",
                    c.field,
                    from,
                    c.to,
                    if c.forces_replacement {
                        "  (forces replacement)"
                    } else {
                        ""
                    }
                );
            }
            if let Some(r) = &i.reason {
                let _ = writeln!(out, "        {r}");
            }
        }
        if !self.registries.is_empty() {
            let r = self.registry_summary();
            let _ = writeln!(
                out,
                "Registries: {} to create, {} to update, {} to delete, {} unchanged, {} skipped.",
                r.create, r.update, r.delete, r.unchanged, r.skip
            );
        }
        let s = self.summary();
        let _ = write!(
            out,
            "Plan: {} to create, {} to update, {} to replace, {} to delete, {} unchanged, {} skipped.",
            s.create, s.update, s.replace, s.delete, s.unchanged, s.skip
        );
        if self.unmanaged > 0 {
            let _ = write!(
                out,
                " {} existing schedule{} not in the file kept (prune to delete).",
                self.unmanaged,
                if self.unmanaged == 1 { "" } else { "s" }
            );
        }
        out.push('\n');
        out
    }
}

/// Finds the registry a file names (see [`crate::lookup::find_registry`]).
pub fn resolve_registry<'a>(
    reference: &str,
    actual: &'a [ActualRegistry],
) -> Result<&'a ActualRegistry, String> {
    let registries: Vec<Registry> = actual.iter().map(|a| a.registry.clone()).collect();
    let found = crate::lookup::find_registry(reference, &registries).map_err(|e| e.to_string())?;
    actual
        .iter()
        .find(|a| a.registry.registry_uuid == found.registry_uuid)
        .ok_or_else(|| format!("registry {reference:?} was not found"))
}

fn tags_norm(t: &Option<String>) -> Value {
    match t {
        None => Value::Null,
        Some(s) => Value::from(
            s.split(',')
                .map(|x| x.trim().to_owned())
                .collect::<Vec<_>>(),
        ),
    }
}

fn filters_norm(r: &ScheduleRequest) -> Value {
    Value::from(
        r.filters
            .iter()
            .map(|f| {
                serde_json::json!({
                    "days": f.days,
                    "repoTags": f.repo_tags.iter().map(|t| serde_json::json!({"repo": t.repo, "tag": tags_norm(&t.tag)})).collect::<Vec<_>>(),
                })
            })
            .collect::<Vec<_>>(),
    )
}

/// True when the answer carries the request-only fields of the richer shape (spec §6): a
/// server that reports any of `scheduleIntervalInDays`, `weekDay`, `forceScan`, `registryType`
/// or `additionalFilters` is taken to report each of them, so an absent `additionalFilters`
/// there means "none". The OpenAPI shape (spec §6b) reports none of them.
pub fn reports_request_fields(actual: &Schedule) -> bool {
    actual.schedule_interval_in_days.is_some()
        || actual.week_day.is_some()
        || actual.force_scan.is_some()
        || actual.registry_type.is_some()
        || actual.additional_filters.is_some()
}

/// The request fields the server did not report for `actual` but that the plan must compare
/// for `desired` (canonical names, in request order). Such a field is *unknown*, never equal.
///
/// An answer in the richer shape ([`reports_request_fields`]) reports what is set, so there an
/// absent field means "not set". An answer in the OpenAPI shape reports none of them: then the
/// interval and weekday (automatic schedules), `forceScan`, `additionalFilters` and a
/// `registryType` the file asks for are unknown. `onDemand` is unknown when absent.
pub fn unreported_fields(actual: &Schedule, desired: &ScheduleRequest) -> Vec<&'static str> {
    let mut out = Vec::new();
    if actual.on_demand.is_none() {
        out.push("onDemand");
    }
    if reports_request_fields(actual) {
        return out;
    }
    if !desired.on_demand {
        out.push("scheduleIntervalInDays");
        out.push("weekDay");
    }
    out.push("forceScan");
    if desired.registry_type.is_some() {
        out.push("registryType");
    }
    out.push("additionalFilters");
    out
}

/// The differences between an existing schedule and a desired request.
///
/// A field the answer did not carry (see [`unreported_fields`]) is a [`Change`] with
/// `unknown: true` and `from: null`: the plan cannot tell whether it differs, so it must not
/// call the schedule unchanged.
pub fn diff(actual: &Schedule, desired: &ScheduleRequest) -> Vec<Change> {
    let unknown = unreported_fields(actual, desired);
    let mut out = Vec::new();
    let mut push = |field: &'static str, from: Value, to: Value, replace: bool| {
        if unknown.contains(&field) {
            out.push(Change {
                field: field.to_owned(),
                from: Value::Null,
                to,
                forces_replacement: replace,
                unknown: true,
            });
        } else if from != to {
            out.push(Change {
                field: field.to_owned(),
                from,
                to,
                forces_replacement: replace,
                unknown: false,
            });
        }
    };
    push(
        "onDemand",
        actual.on_demand.map_or(Value::Null, Value::from),
        Value::from(desired.on_demand),
        true,
    );
    let a = actual.to_request();
    push("filters", filters_norm(&a), filters_norm(desired), true);
    // An on-demand schedule cannot be updated: any change replaces it. So can a schedule
    // whose mode the answer did not tell.
    let replace = actual.on_demand != Some(false);
    if !desired.on_demand || actual.schedule_interval_in_days.is_some() {
        push(
            "scheduleIntervalInDays",
            Value::from(actual.schedule_interval_in_days),
            Value::from(desired.schedule_interval_in_days),
            replace,
        );
    }
    if !desired.on_demand || actual.week_day.is_some() {
        let wd = |w: &Option<crate::WeekDay>| {
            w.as_ref().map_or(Value::Null, |d| Value::from(d.as_str()))
        };
        push(
            "weekDay",
            wd(&actual.week_day),
            wd(&desired.week_day),
            replace,
        );
    }
    if !desired.on_demand {
        // Weekly without a time runs at 00:00 (see `semantics`). When the answer does not
        // report the interval, the interval is compared (as unknown) on its own.
        let interval = a
            .schedule_interval_in_days
            .or(desired.schedule_interval_in_days);
        let norm = |s: &Option<String>, interval: Option<i64>| match (s, interval) {
            (None, Some(7)) => Value::from("00:00"),
            (s, _) => s.as_deref().map_or(Value::Null, Value::from),
        };
        push(
            "schedule",
            norm(&actual.schedule, interval),
            norm(&desired.schedule, desired.schedule_interval_in_days),
            replace,
        );
    }
    push(
        "forceScan",
        Value::from(actual.force_scan.unwrap_or(false)),
        Value::from(desired.force_scan.unwrap_or(false)),
        replace,
    );
    if let Some(dr) = &desired.registry_type {
        push(
            "registryType",
            actual
                .registry_type
                .as_ref()
                .map_or(Value::Null, |r| Value::from(r.as_str())),
            Value::from(dr.as_str()),
            replace,
        );
    }
    let af = |x: &Option<crate::AdditionalFilters>| {
        x.as_ref().map_or(Value::Null, |a| {
            serde_json::json!({"numberOfTags": a.number_of_tags, "sortCriteria": a.sort_criteria})
        })
    };
    push(
        "additionalFilters",
        af(&actual.additional_filters),
        af(&desired.additional_filters),
        replace,
    );
    out
}

/// The note on an item whose changes include fields the server did not report.
fn unknown_reason(changes: &[Change]) -> Option<String> {
    let fields: Vec<&str> = changes
        .iter()
        .filter(|c| c.unknown)
        .map(|c| c.field.as_str())
        .collect();
    (!fields.is_empty()).then(|| {
        format!(
            "server does not report {}: sending the desired value{} (unknown is never taken as equal)",
            fields.join(", "),
            if fields.len() == 1 { "" } else { "s" }
        )
    })
}

/// Computes the plan from the desired state and what exists.
pub fn plan(desired: &DesiredState, actual: &[ActualRegistry], opts: PlanOptions) -> Plan {
    plan_with(desired, actual, opts, &RegistryPlanOptions::default())
}

/// [`plan`], with options for the registries the file manages (`manage:`).
pub fn plan_with(
    desired: &DesiredState,
    actual: &[ActualRegistry],
    opts: PlanOptions,
    registry_opts: &RegistryPlanOptions,
) -> Plan {
    let mut p = Plan {
        warnings: desired.warnings.clone(),
        ..Default::default()
    };
    for dr in &desired.registries {
        if let Some(m) = &dr.manage {
            let found = resolve_entry(&dr.registry, Some(m), actual);
            p.registries
                .push(plan_registry(&dr.registry, m, found, registry_opts));
        }
    }
    for dr in &desired.registries {
        let mut wanted: Vec<_> = dr.schedules.iter().collect();
        wanted.sort_by(|a, b| a.name.cmp(&b.name));
        let resolved = match &dr.manage {
            None => resolve_registry(&dr.registry, actual).map(Some),
            Some(m) => resolve_entry(&dr.registry, Some(m), actual),
        };
        let ensure = dr.manage.as_ref().map(|m| m.ensure);
        let reg = match resolved {
            Ok(Some(r)) if ensure == Some(Ensure::Absent) => {
                // The registry goes: every schedule it has goes first, listed or not.
                let mut all: Vec<&Schedule> = r.schedules.iter().collect();
                all.sort_by(|a, b| {
                    a.name
                        .cmp(&b.name)
                        .then(a.schedule_uuid.cmp(&b.schedule_uuid))
                });
                for x in all {
                    let running = x.status().is_running();
                    p.items.push(PlanItem {
                        registry: dr.registry.clone(),
                        registry_id: Some(r.registry.registry_uuid.clone()),
                        name: x.name.clone(),
                        action: if running { Action::Skip } else { Action::Delete },
                        schedule_id: Some(x.schedule_uuid.clone()),
                        request: None,
                        changes: Vec::new(),
                        reason: Some(if running {
                            format!("its registry is to be deleted (ensure: absent), but it is {}: apply again when its job has finished", x.status())
                        } else {
                            "its registry is to be deleted (ensure: absent): deleted first".to_owned()
                        }),
                    });
                }
                continue;
            }
            Ok(Some(r)) => Ok(r),
            Ok(None) if ensure == Some(Ensure::Absent) => continue,
            Ok(None) if ensure == Some(Ensure::Present) => {
                for s in wanted {
                    p.items.push(PlanItem {
                        registry: dr.registry.clone(),
                        registry_id: None,
                        name: s.name.clone(),
                        action: Action::Create,
                        schedule_id: None,
                        request: Some(s.request.clone()),
                        changes: Vec::new(),
                        reason: Some(format!(
                            "created once its registry {} is created",
                            dr.registry
                        )),
                    });
                }
                continue;
            }
            Ok(None) => Err(format!("registry {:?} was not found", dr.registry)),
            Err(e) => Err(e),
        };
        let reg = match reg {
            Ok(r) => r,
            Err(reason) => {
                for s in wanted {
                    p.items.push(PlanItem {
                        registry: dr.registry.clone(),
                        registry_id: None,
                        name: s.name.clone(),
                        action: Action::Skip,
                        schedule_id: None,
                        request: Some(s.request.clone()),
                        changes: Vec::new(),
                        reason: Some(reason.clone()),
                    });
                }
                continue;
            }
        };
        let rid = Some(reg.registry.registry_uuid.clone());
        let item = |name: &str,
                    action,
                    sid: Option<&Schedule>,
                    req: Option<&ScheduleRequest>,
                    changes,
                    reason| PlanItem {
            registry: dr.registry.clone(),
            registry_id: rid.clone(),
            name: name.to_owned(),
            action,
            schedule_id: sid.map(|s| s.schedule_uuid.clone()),
            request: req.cloned(),
            changes,
            reason,
        };
        for s in &wanted {
            let existing: Vec<&Schedule> =
                reg.schedules.iter().filter(|x| x.name == s.name).collect();
            let it = match existing.as_slice() {
                [] => item(
                    &s.name,
                    Action::Create,
                    None,
                    Some(&s.request),
                    Vec::new(),
                    None,
                ),
                [one] => {
                    let changes = diff(one, &s.request);
                    if changes.is_empty() {
                        item(&s.name, Action::Unchanged, Some(one), None, changes, None)
                    } else {
                        let replace = changes.iter().any(|c| c.forces_replacement);
                        let status = one.status();
                        if status.is_running() {
                            item(
                                &s.name,
                                Action::Skip,
                                Some(one),
                                Some(&s.request),
                                changes,
                                Some(format!(
                                    "the schedule is {status}: it can be neither updated nor deleted now; apply again when its job has finished"
                                )),
                            )
                        } else {
                            let reason = unknown_reason(&changes);
                            let action = if replace {
                                Action::Replace
                            } else {
                                Action::Update
                            };
                            item(
                                &s.name,
                                action,
                                Some(one),
                                Some(&s.request),
                                changes,
                                reason,
                            )
                        }
                    }
                }
                many => item(
                    &s.name,
                    Action::Skip,
                    None,
                    Some(&s.request),
                    Vec::new(),
                    Some(format!(
                        "{} existing schedules are named {:?} ({}); names must be unique for a plan: delete the extra ones",
                        many.len(),
                        s.name,
                        many.iter()
                            .map(|x| x.schedule_uuid.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                ),
            };
            p.items.push(it);
        }
        let mut extra: Vec<&Schedule> = reg
            .schedules
            .iter()
            .filter(|x| !dr.schedules.iter().any(|s| s.name == x.name))
            .collect();
        extra.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then(a.schedule_uuid.cmp(&b.schedule_uuid))
        });
        for x in extra {
            if !opts.prune {
                p.unmanaged += 1;
                continue;
            }
            let status = x.status();
            let it = if status.is_running() {
                item(
                    &x.name,
                    Action::Skip,
                    Some(x),
                    None,
                    Vec::new(),
                    Some(format!(
                        "not in the file, but it is {status}: it cannot be deleted now; apply again when its job has finished"
                    )),
                )
            } else {
                item(&x.name, Action::Delete, Some(x), None, Vec::new(), None)
            };
            p.items.push(it);
        }
    }
    p
}
