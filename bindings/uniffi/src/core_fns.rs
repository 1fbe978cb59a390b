//! The core's pure functions: validation, decoding, schedule semantics, time zones, desired
//! state and plan. Each one converts, calls the core, converts back.

use crate::error::QualysCsError;
use crate::types::*;
use qualys_cs_core as qc;
use std::time::SystemTime;

fn req_in(r: ScheduleRequest) -> Result<qc::ScheduleRequest, QualysCsError> {
    r.try_into()
}

fn to_json_text<T: serde::Serialize>(v: &T) -> Result<String, QualysCsError> {
    serde_json::to_string(v).map_err(|e| {
        qc::Error::Decode {
            message: format!("could not encode as JSON: {e}"),
            body: None,
        }
        .into()
    })
}

/// Validates a request against every rule of spec §4 (all problems at once).
#[uniffi::export]
pub fn validate(request: ScheduleRequest) -> Result<Report, QualysCsError> {
    Ok(qc::validate(&req_in(request)?).into())
}

/// Validates a request given as JSON text: wrong JSON types are violations too. Text that is
/// not JSON at all is a `validation` error (`invalid_json`).
#[uniffi::export]
pub fn validate_json(json: String) -> Result<Report, QualysCsError> {
    match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(v) => Ok(qc::validate_value(&v).into()),
        Err(_) => Err(qc::ScheduleRequest::from_json(&json)
            .err()
            .map(Into::into)
            .unwrap_or_else(|| qc::Error::validation(Vec::new()).into())),
    }
}

/// Validates an update of `current` to `next` (spec §3), create rules included.
#[uniffi::export]
pub fn validate_update(current: Schedule, next: ScheduleRequest) -> Result<Report, QualysCsError> {
    let current: qc::Schedule = current.try_into()?;
    Ok(qc::validate_update(&current, &req_in(next)?).into())
}

/// Every validation rule of the core.
#[uniffi::export]
pub fn rules() -> Vec<Rule> {
    qc::RULES
        .iter()
        .map(|(code, sev, desc)| Rule {
            code: (*code).to_owned(),
            is_error: *sev == qc::Severity::Error,
            description: (*desc).to_owned(),
        })
        .collect()
}

/// Decodes a request from JSON text (aliases accepted); wrong JSON types are a `validation`
/// error naming each field. Rules are `validate`'s job.
#[uniffi::export]
pub fn parse_request_json(json: String) -> Result<ScheduleRequest, QualysCsError> {
    Ok(qc::ScheduleRequest::from_json(&json)?.into())
}

/// The canonical JSON of a request (spec names, aliases resolved), as sent on the wire.
#[uniffi::export]
pub fn request_to_json(request: ScheduleRequest) -> Result<String, QualysCsError> {
    to_json_text(&req_in(request)?.to_value())
}

/// One sentence saying when the schedule runs (UTC) and what it scans.
#[uniffi::export]
pub fn explain(request: ScheduleRequest) -> Result<String, QualysCsError> {
    Ok(qc::explain(&req_in(request)?))
}

/// One sentence saying when a schedule as listed runs and what it scans. When the answer
/// leaves out the fields that decide the timing (Qualys's OpenAPI list shape has no interval
/// or weekday), the sentence says so instead of guessing.
#[uniffi::export]
pub fn explain_schedule(schedule: Schedule) -> Result<String, QualysCsError> {
    Ok(qc::explain::explain_schedule(&schedule.try_into()?))
}

/// The fields that decide when a listed schedule runs but that the answer did not carry
/// (canonical names, e.g. `weekDay`); empty when its run times can be computed.
#[uniffi::export]
pub fn schedule_unreported_timing(schedule: Schedule) -> Result<Vec<String>, QualysCsError> {
    let s: qc::Schedule = schedule.try_into()?;
    Ok(s.unreported_timing()
        .into_iter()
        .map(str::to_owned)
        .collect())
}

/// The next `n` runs of a schedule as listed, counted from its `created` date, strictly after
/// `after`. A `NotReported` error (with `fields`) when the answer lacks the interval or
/// weekday.
#[uniffi::export]
pub fn schedule_next_runs(
    schedule: Schedule,
    after: SystemTime,
    n: u32,
) -> Result<Vec<SystemTime>, QualysCsError> {
    let s: qc::Schedule = schedule.try_into()?;
    Ok(s.next_runs(timestamp_in(after)?, n as usize)?
        .into_iter()
        .map(timestamp_out)
        .collect())
}

/// The next `n` run instants of `request`, strictly after `max(after, created)`. Errors when
/// the request does not validate; on-demand schedules have none.
#[uniffi::export]
pub fn next_runs(
    request: ScheduleRequest,
    created: SystemTime,
    after: SystemTime,
    n: u32,
) -> Result<Vec<SystemTime>, QualysCsError> {
    Ok(qc::next_runs(
        &req_in(request)?,
        timestamp_in(created)?,
        timestamp_in(after)?,
        n as usize,
    )?
    .into_iter()
    .map(timestamp_out)
    .collect())
}

/// The next `n` runs shown in an IANA zone, as RFC 3339 text with offset and zone name.
#[uniffi::export]
pub fn next_runs_in_zone(
    request: ScheduleRequest,
    created: SystemTime,
    after: SystemTime,
    n: u32,
    zone: String,
) -> Result<Vec<String>, QualysCsError> {
    Ok(qc::next_runs_in_zone(
        &req_in(request)?,
        timestamp_in(created)?,
        timestamp_in(after)?,
        n as usize,
        &zone,
    )?)
}

/// Converts a local run time (`HH:MM` in an IANA zone, optionally on a weekday) to the UTC
/// fields Qualys needs, at the zone's offset of the first such run after `reference`.
#[uniffi::export]
pub fn local_to_utc(
    local_time: String,
    week_day: Option<WeekDay>,
    zone: String,
    reference: SystemTime,
) -> Result<LocalConversion, QualysCsError> {
    let wd: Option<qc::WeekDay> = week_day.map(Into::into);
    Ok(qc::local_to_utc(&local_time, wd.as_ref(), &zone, timestamp_in(reference)?)?.into())
}

/// The wire spelling of a weekday, e.g. `MONDAY`.
#[uniffi::export]
pub fn week_day_wire(day: WeekDay) -> String {
    qc::WeekDay::from(day).as_str().to_owned()
}

/// A weekday from its exact wire spelling (anything else is `Other`).
#[uniffi::export]
pub fn week_day_from_wire(wire: String) -> WeekDay {
    qc::WeekDay::from_wire(&wire).into()
}

/// The wire spelling of a registry type, e.g. `DockerHub`.
#[uniffi::export]
pub fn registry_type_wire(registry_type: RegistryType) -> String {
    qc::RegistryType::from(registry_type).as_str().to_owned()
}

/// A registry type from its exact wire spelling (anything else is `Other`).
#[uniffi::export]
pub fn registry_type_from_wire(wire: String) -> RegistryType {
    qc::RegistryType::from_wire(&wire).into()
}

/// The wire spelling of a status, e.g. `BaselineRunning`.
#[uniffi::export]
pub fn schedule_status_wire(status: ScheduleStatus) -> String {
    qc::ScheduleStatus::from(status).as_str().to_owned()
}

/// A status from its exact wire spelling (anything else is `Other`).
#[uniffi::export]
pub fn schedule_status_from_wire(wire: String) -> ScheduleStatus {
    qc::ScheduleStatus::from_wire(&wire).into()
}

/// What a status allows.
#[uniffi::export]
pub fn status_traits(status: ScheduleStatus) -> StatusTraits {
    let s: qc::ScheduleStatus = status.into();
    StatusTraits {
        wire: s.as_str().to_owned(),
        is_running: s.is_running(),
        is_terminal: s.is_terminal(),
        can_cancel: s.can_cancel(),
        skipped_by_bulk_delete: s.skipped_by_bulk_delete(),
        skipped_by_bulk_cancel: s.skipped_by_bulk_cancel(),
    }
}

/// Decodes a schedule from JSON text (as the list endpoint returns one).
#[uniffi::export]
pub fn parse_schedule_json(json: String) -> Result<Schedule, QualysCsError> {
    Ok(qc::decode_body::<qc::Schedule>(&json)?.into())
}

/// A schedule as JSON text (spec names; dates as epoch-millisecond strings).
#[uniffi::export]
pub fn schedule_to_json(schedule: Schedule) -> Result<String, QualysCsError> {
    to_json_text(&qc::Schedule::try_from(schedule)?)
}

/// Decodes the answer to create: `{"scheduleUuid"}`, `{"scheduleId"}`, a JSON string or a
/// plain-text UUID.
#[uniffi::export]
pub fn decode_create_response(body: String) -> Result<CreateResponse, QualysCsError> {
    let r = qc::CreateResponse::from_body(&body)?;
    Ok(CreateResponse {
        schedule_uuid: r.schedule_uuid.as_str().to_owned(),
    })
}

/// A create answer as JSON text (`{"schedule_uuid"}`, as the core serialises it).
#[uniffi::export]
pub fn create_response_to_json(response: CreateResponse) -> Result<String, QualysCsError> {
    let r = qc::CreateResponse {
        schedule_uuid: qc::ScheduleId::parse(&response.schedule_uuid)?,
    };
    to_json_text(&r)
}

/// Decodes a page of schedules item by item (a key repeated in an item takes its last
/// value; both spellings of an aliased field are read). An unreadable item is a `decode`
/// error naming its index, or, with `lenient`, is left out and listed in `skipped`.
#[uniffi::export(default(lenient = false))]
pub fn decode_schedule_page(body: String, lenient: bool) -> Result<SchedulePage, QualysCsError> {
    Ok(qc::decode_page::<qc::Schedule>(&body, lenient)?.0.into())
}

/// A page of schedules as JSON text.
#[uniffi::export]
pub fn schedule_page_to_json(page: SchedulePage) -> Result<String, QualysCsError> {
    to_json_text(&qc::Page::<qc::Schedule>::try_from(page)?)
}

/// Decodes a page of registries.
#[uniffi::export]
pub fn decode_registry_page(body: String) -> Result<RegistryPage, QualysCsError> {
    Ok(qc::decode_page::<qc::Registry>(&body, false)?.0.into())
}

/// A page of registries as JSON text.
#[uniffi::export]
pub fn registry_page_to_json(page: RegistryPage) -> Result<String, QualysCsError> {
    to_json_text(&qc::Page::<qc::Registry>::try_from(page)?)
}

/// Decodes a registry with its details.
#[uniffi::export]
pub fn decode_registry_details(body: String) -> Result<RegistryDetails, QualysCsError> {
    Ok(qc::decode_body::<qc::RegistryDetails>(&body)?.into())
}

/// Registry details as JSON text.
#[uniffi::export]
pub fn registry_details_to_json(details: RegistryDetails) -> Result<String, QualysCsError> {
    to_json_text(&qc::RegistryDetails::try_from(details)?)
}

/// Decodes a page of repositories.
#[uniffi::export]
pub fn decode_repository_page(body: String) -> Result<RepositoryPage, QualysCsError> {
    Ok(qc::decode_page::<qc::Repository>(&body, false)?.0.into())
}

/// A page of repositories as JSON text.
#[uniffi::export]
pub fn repository_page_to_json(page: RepositoryPage) -> Result<String, QualysCsError> {
    to_json_text(&qc::Page::<qc::Repository>::try_from(page)?)
}

/// Decodes the answer to bulk delete.
#[uniffi::export]
pub fn decode_bulk_delete(body: String) -> Result<BulkDeleteResponse, QualysCsError> {
    let r = qc::decode_body::<qc::BulkDeleteResponse>(&body)?;
    Ok(BulkDeleteResponse {
        deletion_job_id: r.deletion_job_id,
    })
}

/// A bulk-delete answer as JSON text (`{"deletionJobId"}`).
#[uniffi::export]
pub fn bulk_delete_to_json(response: BulkDeleteResponse) -> Result<String, QualysCsError> {
    to_json_text(&qc::BulkDeleteResponse {
        deletion_job_id: response.deletion_job_id,
    })
}

/// Decodes the answer to bulk cancel.
#[uniffi::export]
pub fn decode_bulk_cancel(body: String) -> Result<BulkCancelResponse, QualysCsError> {
    let r = qc::decode_body::<qc::BulkCancelResponse>(&body)?;
    Ok(BulkCancelResponse {
        cancel_job_id: r.cancel_job_id,
    })
}

/// A bulk-cancel answer as JSON text (`{"CancelJobId"}`, capital C as on the wire).
#[uniffi::export]
pub fn bulk_cancel_to_json(response: BulkCancelResponse) -> Result<String, QualysCsError> {
    to_json_text(&qc::BulkCancelResponse {
        cancel_job_id: response.cancel_job_id,
    })
}

/// Decodes a Qualys error body.
#[uniffi::export]
pub fn decode_error_body(body: String) -> Result<ErrorBody, QualysCsError> {
    Ok(qc::decode_body::<qc::ErrorBody>(&body)?.into())
}

/// A Qualys error body as JSON text.
#[uniffi::export]
pub fn error_body_to_json(body: ErrorBody) -> Result<String, QualysCsError> {
    to_json_text(&qc::ErrorBody::from(body))
}

/// Parses a desired-state file (YAML or JSON). `reference` is the instant local times are
/// converted at (usually now). Every problem is reported at once in one `validation` error.
#[uniffi::export]
pub fn parse_desired_state(
    text: String,
    format: DesiredFormat,
    source: String,
    reference: SystemTime,
) -> Result<DesiredState, QualysCsError> {
    Ok(
        qc::desired::DesiredState::parse(&text, format.into(), &source, timestamp_in(reference)?)?
            .into(),
    )
}

/// Computes the plan: the difference between the desired state and what exists.
#[uniffi::export]
pub fn plan(
    desired: DesiredState,
    actual: Vec<ActualRegistry>,
    options: PlanOptions,
) -> Result<Plan, QualysCsError> {
    let desired: qc::desired::DesiredState = desired.try_into()?;
    let actual: Vec<qc::plan::ActualRegistry> = actual
        .into_iter()
        .map(TryInto::try_into)
        .collect::<Result<_, _>>()?;
    Ok(qc::plan::plan(
        &desired,
        &actual,
        qc::plan::PlanOptions {
            prune: options.prune,
        },
    )
    .into())
}

/// Counts per action of a plan.
#[uniffi::export]
pub fn plan_summary(plan: Plan) -> Result<PlanSummary, QualysCsError> {
    Ok(qc::plan::Plan::try_from(plan)?.summary().into())
}

/// A plan rendered for people, like a terraform plan.
#[uniffi::export]
pub fn plan_render_text(plan: Plan) -> Result<String, QualysCsError> {
    Ok(qc::plan::Plan::try_from(plan)?.render_text())
}

/// A plan as JSON text (stable field names).
#[uniffi::export]
pub fn plan_to_json(plan: Plan) -> Result<String, QualysCsError> {
    to_json_text(&qc::plan::Plan::try_from(plan)?.to_json())
}

/// True when applying the plan would send no write.
#[uniffi::export]
pub fn plan_is_empty(plan: Plan) -> Result<bool, QualysCsError> {
    Ok(qc::plan::Plan::try_from(plan)?.is_empty())
}

/// Parses a registry as JSON text (as the list endpoint returns one).
#[uniffi::export]
pub fn parse_registry_json(json: String) -> Result<Registry, QualysCsError> {
    Ok(qc::decode_body::<qc::Registry>(&json)?.into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn request_round_trips_through_the_record_with_unknown_fields() {
        let text = r#"{"name":"n","onDemand":false,"scheduleIntervalInDays":7,"weekDay":"MONDAY",
            "filters":[{"days":null,"repoTags":[{"repo":"a","tag":null,"x":[1]}],"y":{"z":2}}],
            "owner":"team"}"#;
        let rec = parse_request_json(text.into()).unwrap();
        assert_eq!(rec.week_day, Some(WeekDay::Monday));
        assert_eq!(rec.extra.get("owner").map(String::as_str), Some("\"team\""));
        let back: serde_json::Value = serde_json::from_str(&request_to_json(rec).unwrap()).unwrap();
        let want = qc::ScheduleRequest::from_json(text).unwrap().to_value();
        assert_eq!(back, want);
    }

    #[test]
    fn bad_extra_json_names_the_field() {
        let mut rec =
            parse_request_json(r#"{"name":"n","filters":[{"repoTags":[{"repo":"a"}]}]}"#.into())
                .unwrap();
        rec.filters[0].extra.insert("k/x".into(), "not json".into());
        let err = validate(rec).unwrap_err();
        assert_eq!(err.code(), "validation");
        assert_eq!(err.violations()[0].path, "/filters/0/k~1x");
        assert_eq!(err.violations()[0].code, "invalid_json");
    }

    #[test]
    fn validate_json_reports_invalid_json_as_an_error() {
        let err = validate_json("{nope".into()).unwrap_err();
        assert_eq!(err.violations()[0].code, "invalid_json");
    }

    #[test]
    fn times_cross_unchanged() {
        for s in [
            "2026-01-05T19:30:00Z",
            "1969-12-31T23:59:59.5Z",
            "1970-01-01T00:00:00Z",
        ] {
            let t: qc::jiff::Timestamp = s.parse().unwrap();
            assert_eq!(timestamp_in(timestamp_out(t)).unwrap(), t, "{s}");
        }
    }
}
