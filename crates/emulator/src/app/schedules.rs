//! The schedule routes under `/registry/{registry_id}/schedule`: list, create, update, delete,
//! cancel, bulk delete and bulk cancel; and the checks of a create/update body.

use super::AppState;
use super::errors::{ApiError, blocking, json_response};
use super::listing::{
    Params, SCHEDULE_FILTER_FIELDS, SCHEDULE_SORT_FIELDS, SEQ_SORT_KEY, narrow, page_mapped,
    page_of,
};
use super::registries::parse_registry_id;
use crate::config::RegistryState;
use crate::jobs;
use crate::query::{self, SortValue};
use crate::store::{Narrow, ScheduleRow, StoreError};
use crate::wire::{self, WireProfile};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qualys_cs_core::{Schedule, ScheduleId, ScheduleRequest, validate_update, validate_value};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn parse_schedule_id(raw: &str) -> Result<ScheduleId, ApiError> {
    ScheduleId::parse(raw).map_err(|e| ApiError::bad_request(e.to_string()))
}

fn schedule_not_found(id: &str, reg: &RegistryState) -> ApiError {
    ApiError::not_found(format!("schedule {id} not found in registry {}", reg.id()))
}

/// Parses a create/update body; not-JSON is core's `invalid_json` violation.
fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|_| {
        let text = String::from_utf8_lossy(body);
        match ScheduleRequest::from_json(&text) {
            Err(e) => ApiError::bad_request(e.to_string()),
            Ok(_) => ApiError::bad_request("the body is not valid JSON (invalid_json)"),
        }
    })
}

/// The Oas2021 gateway: a body that does not match the OpenAPI `ScheduleRequest` schema is
/// refused with 422 before the service sees it (spec §6b). Nothing happens in Full.
fn gateway_schema_check(st: &AppState, value: &Value) -> Result<(), ApiError> {
    if st.wire != WireProfile::Oas2021 {
        return Ok(());
    }
    let violations = crate::schema::check_schedule_request(value);
    if violations.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        crate::schema::message(&violations),
    ))
}

/// Validates a create/update body exactly as core does; the message lists
/// `path: message (code)` lines.
pub(super) fn decode_request(value: &Value) -> Result<ScheduleRequest, ApiError> {
    let report = validate_value(value);
    for w in &report.warnings {
        tracing::debug!(path = %w.path, code = %w.code, "validation warning");
    }
    report
        .into_result()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    ScheduleRequest::from_value(value).map_err(|e| ApiError::bad_request(e.to_string()))
}

pub(super) async fn list_schedules(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let reg = &*reg;
        let p = Params::from_uri(&uri);
        let filter = p.filter(SCHEDULE_FILTER_FIELDS)?;
        let sort = p.sort(SCHEDULE_SORT_FIELDS)?;
        let paging = p.paging()?;
        // Only the rows the indexed keys keep are read and decoded; the filter then runs on
        // them exactly as before.
        let rows = st
            .store
            .read(|tx| tx.list_narrowed(reg.id(), &narrow(&filter)))?;
        let t = reg.details.registry.registry_type.as_ref();
        let mut items: Vec<(i64, Schedule)> = rows
            .iter()
            .map(|r| (r.seq, r.to_schedule(t)))
            .filter(|(_, s)| filter.matches(|f| st.schedule_filter_value(s, f)))
            .collect();
        let mut sort = sort;
        // Stamps have millisecond resolution: schedules created (or updated) in the same
        // millisecond tie, and the tie goes by creation order in the key's direction, so
        // `sort=created:desc` always lists the latest create first.
        if let Some(k) = sort
            .iter()
            .find(|k| matches!(k.field, "created" | "updated"))
        {
            let direction = k.direction;
            sort.push(query::SortKey {
                field: SEQ_SORT_KEY,
                direction,
            });
        }
        query::sort_by_keys(&mut items, &sort, |(seq, s), f| match f {
            SEQ_SORT_KEY => SortValue::Num(*seq),
            f => st.schedule_sort_value(s, f),
        });
        let items: Vec<Schedule> = items.into_iter().map(|(_, s)| s).collect();
        match st.wire {
            WireProfile::Oas2021 => Ok(page_mapped(items, paging, wire::oas_schedule)),
            WireProfile::Full => Ok(page_of(items, paging)),
        }
    })
    .await
}

pub(super) async fn create_schedule(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    body: Bytes,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let reg = &*reg;
        let value = parse_body(&body)?;
        gateway_schema_check(st, &value)?;
        let req = decode_request(&value)?;
        let id = st.create_schedule(reg, req)?.ok_or_else(|| {
            ApiError::not_found(format!(
                "registry {} was deleted; GET {}/registry lists the registries",
                reg.id(),
                super::BASE
            ))
        })?;
        tracing::debug!(schedule = %id, registry = %reg.id(), "schedule created");
        Ok(match st.wire {
            // The 2021 OpenAPI file: 200 with the id as a bare JSON string (spec §5, §6b).
            WireProfile::Oas2021 => json_response(StatusCode::OK, &id),
            WireProfile::Full => json_response(StatusCode::OK, &json!({ "scheduleUuid": id })),
        })
    })
    .await
}

pub(super) async fn update_schedule(
    State(st): State<Arc<AppState>>,
    Path((registry_id, schedule_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let reg = &*reg;
        let sid = parse_schedule_id(&schedule_id)?;
        let value = parse_body(&body)?;
        gateway_schema_check(st, &value)?;
        st.store.write(|tx| {
            let Some(mut row) = tx.get(reg.id(), sid.as_str())? else {
                return Err(schedule_not_found(sid.as_str(), reg));
            };
            if row.status.is_running() {
                return Err(ApiError::conflict(format!(
                    "schedule {sid} cannot be updated while its job is {}; wait for it to finish or cancel it first",
                    row.status
                )));
            }
            let mut req = decode_request(&value)?;
            let current = row.to_schedule(reg.details.registry.registry_type.as_ref());
            validate_update(&current, &req)
                .into_result()
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            let now = st.clock.now_ms();
            // The update replaces the whole request, unknown fields included.
            row.extra = std::mem::take(&mut req.extra);
            row.request = req;
            row.updated = st.clock.stamp_ms();
            if row.request.is_automatic() {
                row.next_fire = jobs::next_fire(&row.request, row.anchor, now);
            }
            tx.update(&row)?;
            if let Some(t) = jobs::next_event(&row) {
                st.next_event.fetch_min(t, Ordering::AcqRel);
            }
            Ok(())
        })?;
        Ok(match st.wire {
            // The 2021 OpenAPI file: 201 with an empty body (spec §6b).
            WireProfile::Oas2021 => StatusCode::CREATED.into_response(),
            WireProfile::Full => {
                json_response(StatusCode::OK, &json!({ "scheduleUuid": sid.as_str() }))
            }
        })
    })
    .await
}

pub(super) async fn delete_schedule(
    State(st): State<Arc<AppState>>,
    Path((registry_id, schedule_id)): Path<(String, String)>,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let reg = &*reg;
        let sid = parse_schedule_id(&schedule_id)?;
        st.store.write(|tx| {
            // The status alone decides: even a row that cannot be decoded can be deleted.
            let Some(status) = tx.status_of(reg.id(), sid.as_str())? else {
                return Err(schedule_not_found(sid.as_str(), reg));
            };
            if status.is_running() {
                return Err(ApiError::conflict(format!(
                    "schedule {sid} cannot be deleted while its job is {status}; wait for it to finish or cancel it first"
                )));
            }
            tx.delete(sid.as_str())?;
            Ok(())
        })?;
        Ok(match st.wire {
            // The 2021 OpenAPI file: 200 with a JSON string (the id) (spec §6b).
            WireProfile::Oas2021 => json_response(StatusCode::OK, &sid.as_str()),
            WireProfile::Full => StatusCode::NO_CONTENT.into_response(),
        })
    })
    .await
}

pub(super) async fn cancel_schedule(
    State(st): State<Arc<AppState>>,
    Path((registry_id, schedule_id)): Path<(String, String)>,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let reg = &*reg;
        let sid = parse_schedule_id(&schedule_id)?;
        st.store.write(|tx| {
            let Some(mut row) = tx.get(reg.id(), sid.as_str())? else {
                return Err(schedule_not_found(sid.as_str(), reg));
            };
            if !row.status.can_cancel() {
                return Err(ApiError::conflict(format!(
                    "schedule {sid} is {}; only Created, Queued, Paused, Running, BaselineQueued and BaselineRunning schedules can be canceled",
                    row.status
                )));
            }
            jobs::cancel(&mut row, st.clock.now_ms());
            tx.update(&row)?;
            Ok(())
        })?;
        Ok(match st.wire {
            // The 2021 OpenAPI file: 200 with a JSON string (the id) (spec §6b).
            WireProfile::Oas2021 => json_response(StatusCode::OK, &sid.as_str()),
            WireProfile::Full => StatusCode::CREATED.into_response(),
        })
    })
    .await
}

/// The schedules a bulk call targets: `scheduleIds` (repeated or comma-separated) win over
/// `filter`; one of them is required.
fn bulk_targets(
    st: &AppState,
    reg: &RegistryState,
    uri: &axum::http::Uri,
    what: &str,
) -> Result<Vec<ScheduleRow>, ApiError> {
    let p = Params::from_uri(uri);
    let mut ids = Vec::new();
    for raw in p.all("scheduleIds") {
        for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            ids.push(
                ScheduleId::parse(part)
                    .map_err(|e| ApiError::bad_request(format!("scheduleIds: {e}")))?,
            );
        }
    }
    let filter_text = p.one("filter").unwrap_or("").trim();
    // A filter is checked even when the ids win: a malformed one is still an error.
    let filter = query::parse_filter(filter_text, SCHEDULE_FILTER_FIELDS)?;
    if ids.is_empty() && filter.terms.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{what} needs scheduleIds (repeat the parameter for several) or filter (e.g. filter=scheduleUuid:* for all)"
        )));
    }
    if !ids.is_empty() {
        // One indexed lookup per id; an id named twice is one target.
        let mut rows: Vec<ScheduleRow> = Vec::new();
        st.store.read(|tx| {
            for i in &ids {
                let mut n = Narrow::default();
                n.id(i.as_str());
                for r in tx.list_narrowed(reg.id(), &n)? {
                    if !rows.iter().any(|x| x.seq == r.seq) {
                        rows.push(r);
                    }
                }
            }
            Ok::<_, StoreError>(())
        })?;
        rows.sort_by_key(|r| r.seq);
        return Ok(rows);
    }
    let rows = st
        .store
        .read(|tx| tx.list_narrowed(reg.id(), &narrow(&filter)))?;
    let t = reg.details.registry.registry_type.as_ref();
    Ok(rows
        .into_iter()
        .filter(|r| {
            let s = r.to_schedule(t);
            filter.matches(|f| st.schedule_filter_value(&s, f))
        })
        .collect())
}

pub(super) async fn bulk_delete(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let reg = &*reg;
        let targets = bulk_targets(st, reg, &uri, "bulk delete")?;
        let (mut deleted, mut skipped) = (0, 0);
        st.store.write(|tx| {
            for t in &targets {
                // Re-read inside the transaction: the status may have moved.
                match tx.get(reg.id(), &t.id)? {
                    Some(row) if !row.status.skipped_by_bulk_delete() => {
                        tx.delete(&row.id)?;
                        deleted += 1;
                    }
                    _ => skipped += 1,
                }
            }
            Ok::<_, StoreError>(())
        })?;
        let job = uuid::Uuid::new_v4().to_string();
        tracing::debug!(%job, deleted, skipped, "bulk delete");
        Ok(json_response(
            StatusCode::OK,
            &json!({ "deletionJobId": job }),
        ))
    })
    .await
}

pub(super) async fn bulk_cancel(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let reg = &*reg;
        let targets = bulk_targets(st, reg, &uri, "bulk cancel")?;
        let now = st.clock.now_ms();
        let (mut canceled, mut skipped) = (0, 0);
        st.store.write(|tx| {
            for t in &targets {
                match tx.get(reg.id(), &t.id)? {
                    Some(mut row)
                        if row.status.can_cancel() && !row.status.skipped_by_bulk_cancel() =>
                    {
                        jobs::cancel(&mut row, now);
                        tx.update(&row)?;
                        canceled += 1;
                    }
                    _ => skipped += 1,
                }
            }
            Ok::<_, StoreError>(())
        })?;
        let job = uuid::Uuid::new_v4().to_string();
        tracing::debug!(%job, canceled, skipped, "bulk cancel");
        Ok(json_response(
            StatusCode::OK,
            &json!({ "CancelJobId": job }),
        ))
    })
    .await
}
