//! The core's pure functions: validation, decoding, schedule semantics, time zones, desired
//! state and plan. The records are the core's own, so each function only calls the core.

use crate::error::QualysCsError;
use crate::types::exports;
use crate::types::*;
use qualys_cs_core as qc;
use qualys_cs_core::desired::{DesiredState, Format};
use qualys_cs_core::ffi::JsonValue;
use qualys_cs_core::jiff::Timestamp;
use qualys_cs_core::plan::{ActualRegistry, Plan, PlanOptions, PlanSummary};
use qualys_cs_core::{
    BulkCancelResponse, BulkDeleteResponse, CreateResponse, ErrorBody, LocalConversion,
    RegistryDetails, RegistryType, Report, Schedule, ScheduleRequest, ScheduleStatus, WeekDay,
};

type R<T> = Result<T, QualysCsError>;

fn json<T: serde::Serialize>(v: &T) -> R<String> {
    serde_json::to_string(v).map_err(|e| {
        let message = format!("could not encode as JSON: {e}");
        qc::Error::Decode { message, body: None }.into()
    })
}

/// A strict enum value: the known spelling, or a `validation` error at `/field` naming the
/// valid values and the nearest one.
fn strict<T>(field: &str, text: &str, value: Option<T>, known: &[&str]) -> R<T> {
    value.ok_or_else(|| {
        let near = known.iter().find(|k| k.eq_ignore_ascii_case(text.trim()));
        let hint = near.copied().or_else(|| qc::validate::suggest(text, known));
        let hint = hint.map(|k| format!(" (did you mean {k}?)")).unwrap_or_default();
        let list = known.join(", ");
        let message = format!("{field} must be one of {list}; got {text:?}{hint}");
        let code = format!("invalid_{}", field.to_ascii_lowercase());
        qc::Error::validation(vec![qc::Violation::new(format!("/{field}"), code, message)]).into()
    })
}

macro_rules! strict_parse {
    ($(#[$m:meta])* $fn:ident, $t:ident, $field:literal) => {
        $(#[$m])*
        #[uniffi::export]
        pub fn $fn(text: String) -> R<$t> {
            let known: Vec<&str> = $t::KNOWN.iter().map($t::as_str).collect();
            let v = Some($t::from_wire(&text)).filter($t::is_known);
            strict($field, &text, v, &known)
        }
    };
}

strict_parse!(
    /// A weekday from its wire spelling (`THURSDAY`); anything else is a `validation` error at
    /// `/weekDay` with a did-you-mean (`thursdy` → THURSDAY).
    parse_week_day, WeekDay, "weekDay"
);
strict_parse!(
    /// A registry type from its wire spelling (`DockerHub`); else a `validation` error.
    parse_registry_type, RegistryType, "registryType"
);
strict_parse!(
    /// A status from its wire spelling (`Running`); else a `validation` error.
    parse_schedule_status, ScheduleStatus, "status"
);

exports! {
    /// Validates a request against every rule of spec §4 (all problems at once).
    fn validate(request: ScheduleRequest) -> Report = qc::validate(&request);
    /// Validates a request given as JSON text: wrong JSON types are violations too. Text that is
    /// not JSON at all is a `validation` error (`invalid_json`).
    fn validate_json(json: String) -> R<Report> = Ok(qc::validate_value(&json_value(&json)?));
    /// Validates an update of `current` to `next` (spec §3), create rules included.
    fn validate_update(current: Schedule, next: ScheduleRequest) -> Report =
        qc::validate_update(&current, &next);
    /// Decodes a request from JSON text (aliases accepted); wrong JSON types are a `validation`
    /// error naming each field. Rules are `validate`'s job.
    fn parse_request_json(json: String) -> R<ScheduleRequest> =
        Ok(qc::ScheduleRequest::from_json(&json)?);
    /// The canonical JSON of a request (spec names, aliases resolved), as sent on the wire.
    fn request_to_json(request: ScheduleRequest) -> R<String> = json(&request.to_value());
    /// One sentence saying when the schedule runs (UTC) and what it scans.
    fn explain(request: ScheduleRequest) -> String = qc::explain(&request);
    /// One sentence saying when a schedule as listed runs and what it scans; when the answer
    /// leaves out the fields that decide the timing, the sentence says so instead of guessing.
    fn explain_schedule(schedule: Schedule) -> String = qc::explain::explain_schedule(&schedule);
    /// The next `n` runs of a schedule as listed, counted from its `created` date, strictly after
    /// `after`. A `NotReported` error (with `fields`) when the answer lacks the interval or weekday.
    fn schedule_next_runs(schedule: Schedule, after: Timestamp, n: u32) -> R<Vec<Timestamp>> =
        Ok(schedule.next_runs(after, n as usize)?);
    /// The next `n` run instants of `request`, strictly after `max(after, created)`. Errors when
    /// the request does not validate; on-demand schedules have none.
    fn next_runs(request: ScheduleRequest, created: Timestamp, after: Timestamp, n: u32)
        -> R<Vec<Timestamp>> = Ok(qc::next_runs(&request, created, after, n as usize)?);
    /// The next `n` runs shown in an IANA zone, as RFC 3339 text with offset and zone name.
    fn next_runs_in_zone(
        request: ScheduleRequest, created: Timestamp, after: Timestamp, n: u32, zone: String
    ) -> R<Vec<String>> = Ok(qc::next_runs_in_zone(&request, created, after, n as usize, &zone)?);
    /// Parses a registry as JSON text (as the list endpoint returns one).
    fn parse_registry_json(json: String) -> R<qc::Registry> = Ok(qc::decode_body(&json)?);
    /// A page of schedules as JSON text.
    fn schedule_page_to_json(page: SchedulePage) -> R<String> = json(&page);
    /// Parses a desired-state file (YAML or JSON). `reference` is the instant local times are
    /// converted at (usually now). Every problem is reported at once in one `validation` error.
    fn parse_desired_state(text: String, format: Format, source: String, reference: Timestamp)
        -> R<DesiredState> = Ok(DesiredState::parse(&text, format, &source, reference)?);
    /// Computes the plan: the difference between the desired state and what exists.
    fn plan(desired: DesiredState, actual: Vec<ActualRegistry>, options: PlanOptions) -> Plan =
        qc::plan::plan(&desired, &actual, options);
    /// Counts per action of a plan.
    fn plan_summary(plan: Plan) -> PlanSummary = plan.summary();
    /// A plan rendered for people, like a terraform plan.
    fn plan_render_text(plan: Plan) -> String = plan.render_text();
    /// A plan as JSON text (stable field names).
    fn plan_to_json(plan: Plan) -> R<String> = json(&plan.to_json());
    /// True when applying the plan would send no write.
    fn plan_is_empty(plan: Plan) -> bool = plan.is_empty();
}

/// JSON text as a value; text that is not JSON is the core's `invalid_json` violation.
pub(crate) fn json_value(text: &str) -> R<serde_json::Value> {
    serde_json::from_str(text).map_err(|_| match qc::ScheduleRequest::from_json(text) {
        Err(e) => e.into(),
        Ok(_) => qc::Error::validation(Vec::new()).into(),
    })
}

/// A request from the core's typed builder (`kind`: `on_demand`, `every_days`, `weekly`,
/// `daily`; `first`: its days, weekday or time; `ops`: `[[call, [arguments…]], …]` replayed in
/// order): the Kotlin builder's `build()`. `checked` validates it (every error at once).
#[uniffi::export]
pub fn build_request(
    kind: String, name: JsonValue, first: JsonValue, ops: JsonValue, checked: bool,
) -> R<ScheduleRequest> {
    let req = qc::json_api::build_request(&kind, name, first, ops, checked)?;
    Ok(qc::ScheduleRequest::from_value(&req)?)
}

/// Every validation rule of the core.
#[uniffi::export]
pub fn rules() -> Vec<Rule> {
    let rule = |(code, sev, desc): &(&str, qc::Severity, &str)| Rule {
        code: (*code).to_owned(),
        is_error: *sev == qc::Severity::Error,
        description: (*desc).to_owned(),
    };
    qc::RULES.iter().map(rule).collect()
}

exports! {
    /// The fields that decide when a listed schedule runs but that the answer did not carry
    /// (canonical names, e.g. `weekDay`); empty when its run times can be computed.
    fn schedule_unreported_timing(schedule: Schedule) -> Vec<String> =
        schedule.unreported_timing().into_iter().map(str::to_owned).collect();
    /// Converts a local run time (`HH:MM` in an IANA zone, optionally on a weekday) to the UTC
    /// fields Qualys needs, at the zone's offset of the first such run after `reference`.
    fn local_to_utc(local_time: String, week_day: Option<WeekDay>, zone: String, reference: Timestamp)
        -> R<LocalConversion> = Ok(qc::local_to_utc(&local_time, week_day.as_ref(), &zone, reference)?);
    /// What a status allows.
    fn status_traits(status: ScheduleStatus) -> StatusTraits = StatusTraits {
        wire: status.as_str().to_owned(), is_running: status.is_running(),
        is_terminal: status.is_terminal(), can_cancel: status.can_cancel(),
        skipped_by_bulk_delete: status.skipped_by_bulk_delete(),
        skipped_by_bulk_cancel: status.skipped_by_bulk_cancel(),
    };
}

macro_rules! codec {
    ($(#[$d:meta])* $decode:ident, $(#[$e:meta])* $encode:ident, $t:ty, |$body:ident| $read:expr) => {
        $(#[$d])*
        #[uniffi::export]
        pub fn $decode($body: String) -> R<$t> {
            Ok($read)
        }

        $(#[$e])*
        #[uniffi::export]
        pub fn $encode(value: $t) -> R<String> {
            json(&value)
        }
    };
}

/// Decodes the answer to create: `{"scheduleUuid"}`, `{"scheduleId"}`, a JSON string or a
/// plain-text UUID.
#[uniffi::export]
pub fn decode_create_response(body: String) -> R<CreateResponse> {
    Ok(CreateResponse::from_body(&body)?)
}

codec!(
    /// Decodes a page of registries.
    decode_registry_page,
    /// A page of registries as JSON text.
    registry_page_to_json, RegistryPage, |body| qc::decode_page(&body, false)?.0.into()
);
codec!(
    /// Decodes a registry with its details.
    decode_registry_details,
    /// Registry details as JSON text.
    registry_details_to_json, RegistryDetails, |body| qc::decode_body(&body)?
);
codec!(
    /// Decodes a page of repositories.
    decode_repository_page,
    /// A page of repositories as JSON text.
    repository_page_to_json, RepositoryPage, |body| qc::decode_page(&body, false)?.0.into()
);
codec!(
    /// Decodes the answer to bulk delete.
    decode_bulk_delete,
    /// A bulk-delete answer as JSON text (`{"deletionJobId"}`).
    bulk_delete_to_json, BulkDeleteResponse, |body| qc::decode_body(&body)?
);
codec!(
    /// Decodes the answer to bulk cancel.
    decode_bulk_cancel,
    /// A bulk-cancel answer as JSON text (`{"CancelJobId"}`, capital C as on the wire).
    bulk_cancel_to_json, BulkCancelResponse, |body| qc::decode_body(&body)?
);
codec!(
    /// Decodes a Qualys error body.
    decode_error_body,
    /// A Qualys error body as JSON text.
    error_body_to_json, ErrorBody, |body| qc::decode_body(&body)?
);
codec!(
    /// Decodes a schedule from JSON text (as the list endpoint returns one).
    parse_schedule_json,
    /// A schedule as JSON text (spec names; dates as epoch-millisecond strings).
    schedule_to_json, Schedule, |body| qc::decode_body(&body)?
);

/// Decodes a page of schedules item by item. An unreadable item is a `decode` error naming
/// its index, or, with `lenient`, is left out and listed in `skipped`.
#[uniffi::export(default(lenient = false))]
pub fn decode_schedule_page(body: String, lenient: bool) -> R<SchedulePage> {
    Ok(qc::decode_page::<Schedule>(&body, lenient)?.0.into())
}
