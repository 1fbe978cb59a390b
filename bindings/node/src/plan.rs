//! Schedules as code: the desired-state file and the plan (core, pure).

use napi::Env;
use napi::bindgen_prelude::Either;
use napi_derive::napi;
use qualys_cs_core::desired::{DesiredState, Format};
use qualys_cs_core::plan as cplan;
use qualys_cs_core::{Error as CoreError, jiff};
use serde_json::Value;

use crate::core_fns::instant;
use crate::error::sync;
use crate::types::{Violation, violations};

/// What a plan does with one schedule.
#[napi(string_enum = "lowercase")]
#[derive(Clone, Copy)]
pub enum PlanAction {
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

impl From<cplan::Action> for PlanAction {
    fn from(a: cplan::Action) -> Self {
        match a {
            cplan::Action::Create => PlanAction::Create,
            cplan::Action::Update => PlanAction::Update,
            cplan::Action::Replace => PlanAction::Replace,
            cplan::Action::Delete => PlanAction::Delete,
            cplan::Action::Unchanged => PlanAction::Unchanged,
            cplan::Action::Skip => PlanAction::Skip,
        }
    }
}

impl From<PlanAction> for cplan::Action {
    fn from(a: PlanAction) -> Self {
        match a {
            PlanAction::Create => cplan::Action::Create,
            PlanAction::Update => cplan::Action::Update,
            PlanAction::Replace => cplan::Action::Replace,
            PlanAction::Delete => cplan::Action::Delete,
            PlanAction::Unchanged => cplan::Action::Unchanged,
            PlanAction::Skip => cplan::Action::Skip,
        }
    }
}

/// One changed field of a plan item.
#[napi(object)]
pub struct PlanChange {
    /// The request field (canonical JSON name), e.g. `scheduleIntervalInDays`.
    pub field: String,
    /// Its current value (`null` when absent).
    #[napi(ts_type = "unknown")]
    pub from: Value,
    /// Its desired value.
    #[napi(ts_type = "unknown")]
    pub to: Value,
    /// True when Qualys cannot update this field in place (the item is a replace).
    pub forces_replacement: bool,
    /// True when the server's answer did not carry this field (`from` is then `null`): the
    /// current value is unknown, so the desired one is sent rather than assumed equal.
    pub unknown: bool,
}

/// One line of a plan.
#[napi(object)]
pub struct PlanItem {
    /// The registry as the file names it.
    pub registry: String,
    /// The registry's UUID, when resolved.
    pub registry_id: Option<String>,
    /// The schedule's name.
    pub name: String,
    /// What to do.
    pub action: PlanAction,
    /// The existing schedule's id (update, replace, delete, unchanged).
    pub schedule_id: Option<String>,
    /// The body to send (create, update, replace).
    #[napi(ts_type = "ScheduleRequest")]
    pub request: Option<Value>,
    /// Fields that differ.
    pub changes: Vec<PlanChange>,
    /// Why (skip), or a note.
    pub reason: Option<String>,
}

/// Counts per action.
#[napi(object)]
pub struct PlanSummary {
    /// To create.
    pub create: u32,
    /// To update.
    pub update: u32,
    /// To replace.
    pub replace: u32,
    /// To delete.
    pub delete: u32,
    /// Unchanged.
    pub unchanged: u32,
    /// Skipped.
    pub skip: u32,
}

/// A whole plan: the difference between a desired-state file and what exists.
#[napi(object)]
pub struct Plan {
    /// Items in deterministic order (registries in file order; in each, desired schedules by
    /// name, then deletions by name).
    pub items: Vec<PlanItem>,
    /// Existing schedules that the file does not list and that were kept (no pruning).
    pub unmanaged: u32,
    /// Warnings of the desired state (validation warnings, DST shifts), each naming the file,
    /// the line and the field.
    pub warnings: Vec<Violation>,
    /// Counts per action.
    pub summary: PlanSummary,
    /// True when applying would send no write.
    pub empty: bool,
    /// A readable rendering, like a terraform plan.
    pub text: String,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<cplan::Plan> for Plan {
    fn from(p: cplan::Plan) -> Self {
        let s = p.summary();
        Plan {
            summary: PlanSummary {
                create: count(s.create),
                update: count(s.update),
                replace: count(s.replace),
                delete: count(s.delete),
                unchanged: count(s.unchanged),
                skip: count(s.skip),
            },
            empty: p.is_empty(),
            text: p.render_text(),
            unmanaged: count(p.unmanaged),
            warnings: violations(&p.warnings),
            items: p
                .items
                .into_iter()
                .map(|i| PlanItem {
                    registry: i.registry,
                    registry_id: i.registry_id,
                    name: i.name,
                    action: i.action.into(),
                    schedule_id: i.schedule_id,
                    request: i.request.map(|r| r.to_value()),
                    changes: i
                        .changes
                        .into_iter()
                        .map(|c| PlanChange {
                            field: c.field,
                            from: c.from,
                            to: c.to,
                            forces_replacement: c.forces_replacement,
                            unknown: c.unknown,
                        })
                        .collect(),
                    reason: i.reason,
                })
                .collect(),
        }
    }
}

/// The registries and schedules that exist, as `plan()` compares them.
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct ActualRegistry {
    /// The registry (as listed).
    #[napi(ts_type = "Registry")]
    pub registry: Value,
    /// Its schedules (as listed).
    #[napi(ts_type = "Schedule[]")]
    pub schedules: Value,
}

/// Options of `plan()` and `Client.plan()`.
#[napi(object)]
#[derive(Default)]
pub struct PlanOptions {
    /// Delete existing schedules the file does not list (in the registries it lists).
    pub prune: Option<bool>,
    /// The format of desired-state text: `yaml` (default; also reads JSON) or `json`.
    #[napi(ts_type = "'yaml' | 'json'")]
    pub format: Option<String>,
    /// The file name used in messages (and, without `format`, to choose it: `.json` is JSON).
    pub source: Option<String>,
    /// The instant local times are converted at (RFC 3339 text or epoch ms; default now).
    pub reference: Option<Either<String, f64>>,
}

/// Parses a desired-state document: YAML or JSON text, or the object form.
pub(crate) fn parse_desired(desired: Value, opts: &PlanOptions) -> Result<DesiredState, CoreError> {
    let reference = match &opts.reference {
        Some(r) => instant("reference", r)?,
        None => jiff::Timestamp::now(),
    };
    let (text, default_format, default_source) = match desired {
        Value::String(text) => (text, Format::Yaml, "desired state"),
        v => (v.to_string(), Format::Json, "desired state (object)"),
    };
    let source = opts.source.as_deref().unwrap_or(default_source);
    let format = match opts.format.as_deref() {
        Some(f) if f.eq_ignore_ascii_case("json") => Format::Json,
        Some(f) if f.eq_ignore_ascii_case("yaml") || f.eq_ignore_ascii_case("yml") => Format::Yaml,
        Some(other) => {
            return Err(CoreError::config(
                "format",
                format!("format must be \"yaml\" or \"json\", not {other:?}"),
            ));
        }
        None if opts.source.is_some() => Format::from_file_name(source),
        None => default_format,
    };
    DesiredState::parse(&text, format, source, reference)
}

/// Parses a desired-state document (YAML or JSON text, or the object form) and plans it
/// against what exists (`actual`, as the API lists it; `Client.plan` reads it for you). Every
/// problem of the document (syntax, unknown keys, wrong types, rule violations) is thrown at
/// once in one `validation` error naming the line and the field.
#[napi]
pub fn plan(
    env: Env,
    #[napi(ts_arg_type = "string | Record<string, unknown>")] desired: Value,
    #[napi(ts_arg_type = "ActualRegistry[]")] actual: Value,
    options: Option<PlanOptions>,
) -> napi::Result<Plan> {
    let run = || -> Result<Plan, CoreError> {
        let opts = options.unwrap_or_default();
        let state = parse_desired(desired, &opts)?;
        let actual: Vec<ActualRegistryWire> =
            serde_json::from_value(actual).map_err(|e| CoreError::Decode {
                message: format!(
                    "actual must be a list of {{registry, schedules}} as listed by the API: {e}"
                ),
                body: None,
            })?;
        let actual: Vec<cplan::ActualRegistry> = actual.into_iter().map(Into::into).collect();
        Ok(cplan::plan(
            &state,
            &actual,
            cplan::PlanOptions {
                prune: opts.prune.unwrap_or(false),
            },
        )
        .into())
    };
    sync(&env, run())
}

/// `ActualRegistry` with a lenient registry (the vectors give only schedules for it at times).
#[derive(serde::Deserialize)]
struct ActualRegistryWire {
    #[serde(default)]
    registry: qualys_cs_core::Registry,
    #[serde(default)]
    schedules: Vec<qualys_cs_core::Schedule>,
}

impl From<ActualRegistryWire> for cplan::ActualRegistry {
    fn from(a: ActualRegistryWire) -> Self {
        cplan::ActualRegistry {
            registry: a.registry,
            schedules: a.schedules,
        }
    }
}
