//! Registries as code: `POST /registry`, `PUT /registry/{id}`, `DELETE /registry/{id}`, bulk
//! `DELETE /registry`, `POST /registry/validate`, and the connector routes
//! (`GET /registry/{acr,aws,gcp}/connectors`, one connector, `GET /registry/aws-base`).
//!
//! Bodies are checked by core's [`qualys_cs_core::validate_registry_value`], never re-written
//! here; then the emulator's stand-ins for what the real service checks remotely (see
//! [`remote_problems`]). A password or token is never stored, logged or answered (the store
//! keeps a fingerprint; the journal redacts `credential`, `password`, `token` keys).

use super::AppState;
use super::errors::{ApiError, blocking, json_response};
use super::listing::Params;
use super::registries::parse_registry_id;
use crate::config::RegistryState;
use crate::managed::{
    ConnectorKind, RequestFields, StoredRegistry, aws_base, seeded_connectors, uri_key,
};
use crate::wire::WireProfile;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use qualys_cs_core::{Millis, RegistryDetails, RegistryId, RegistryType, validate_registry_value};
use serde_json::{Value, json};
use std::sync::Arc;

/// Parses a body as JSON (not JSON: 400 naming the problem, never echoing the body).
fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body is not valid JSON (line {}, column {}): send a RegistryRequest object (invalid_json)",
            e.line(),
            e.column()
        ))
    })
}

/// Core's rules: errors are a 400 listing `path: message (code)` lines.
fn check_rules(value: &Value) -> Result<RequestFields, ApiError> {
    let report = validate_registry_value(value);
    for w in &report.warnings {
        tracing::debug!(path = %w.path, code = %w.code, "registry request warning");
    }
    report
        .into_result()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(RequestFields::from_value(value))
}

/// The connectors of a kind: the seeded ones, plus (AWS) one per role ARN that registries
/// created through the API brought (the service creates a connector for a new ARN).
fn connectors(st: &AppState, kind: ConnectorKind) -> Vec<Value> {
    let mut out = seeded_connectors(kind);
    if kind == ConnectorKind::Aws {
        for r in st.registries() {
            let Some(aws) = &r.managed.aws else { continue };
            let Some(arn) = &aws.arn else { continue };
            if out.iter().any(|c| c["arn"].as_str() == Some(arn.as_str())) {
                continue;
            }
            out.push(json!({
                "name": format!("connector-{}", aws.account_id.as_deref().unwrap_or("aws")),
                "description": "AWS connector created with a registry",
                "arn": arn,
                "accountId": aws.account_id,
                "accountType": aws.account_type,
            }));
        }
    }
    out
}

/// The registry with the same URI and type, if any.
fn same_registry(st: &AppState, f: &RequestFields) -> Option<Arc<RegistryState>> {
    st.registries().into_iter().find(|r| same_in(r, f))
}

/// What the real service checks beyond the documented rules, as the emulator decides it
/// (deterministically): the connector named by `connectorId` exists (Azure: an ACR
/// connector; GCP and Google Artifact Registry: a GCP connector; `GET /registry/{acr,gcp}/connectors`
/// lists them), and the registry accepts the credentials ([`RequestFields::credential_refused`]).
fn remote_problems(st: &AppState, f: &RequestFields) -> Vec<String> {
    let mut out = Vec::new();
    let t = RegistryType::from_wire(&f.registry_type);
    if let Some(kind @ (ConnectorKind::Acr | ConnectorKind::Gcp)) = ConnectorKind::for_type(&t)
        && let Some(id) = &f.managed.connector_id
        && !connectors(st, kind).iter().any(|c| {
            c["connectorId"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(id))
        })
    {
        out.push(format!(
            "connectorId {id:?} names no {} connector; GET /csapi/v1.3/registry/{}/connectors lists them",
            kind.segment().to_ascii_uppercase(),
            kind.segment()
        ));
    }
    if let Some(refused) = f.credential_refused() {
        out.push(refused);
    }
    out
}

fn exists_message(r: &RegistryState) -> String {
    format!(
        "a {} registry with registryUri {} already exists: {}; update it (PUT /csapi/v1.3/registry/{}) instead of creating it again",
        r.details
            .registry
            .registry_type
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        r.details.registry.registry_uri.as_deref().unwrap_or(""),
        r.id(),
        r.id()
    )
}

/// `POST /registry/validate`: core's rules (400 with the violations), then the emulator's
/// remote checks and "already exists". All good: 200 `true`. A remote problem: `full` 400
/// naming each one; `oas2021` 200 `false` (the OpenAPI file types the answer as a boolean).
pub(super) async fn validate_registry(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    blocking(st, move |st| {
        let value = parse_json(&body)?;
        let f = check_rules(&value)?;
        let mut problems = remote_problems(st, &f);
        if let Some(r) = same_registry(st, &f) {
            problems.push(exists_message(&r));
        }
        if problems.is_empty() {
            return Ok(json_response(StatusCode::OK, &true));
        }
        match st.wire {
            WireProfile::Oas2021 => Ok(json_response(StatusCode::OK, &false)),
            WireProfile::Full => Err(ApiError::bad_request(format!(
                "registry parameters not accepted: {}",
                problems.join("; ")
            ))),
        }
    })
    .await
}

/// `POST /registry`: 200 with the new id (`full`: `{"registryUuid": id}`; `oas2021`: the id
/// as a bare JSON string); 400 for a rule or remote problem; 409 when a registry with the same
/// URI and type exists.
pub(super) async fn create_registry(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    blocking(st, move |st| {
        let value = parse_json(&body)?;
        let f = check_rules(&value)?;
        let problems = remote_problems(st, &f);
        if !problems.is_empty() {
            return Err(ApiError::bad_request(problems.join("; ")));
        }
        let id = RegistryId::new_random().to_string();
        let created = st.change_registries(|regs, tx| {
            // Checked under the lock (`regs`, never `st.registries()` here): two creates of
            // one registry cannot both pass.
            if let Some(r) = regs.iter().find(|r| same_in(r, &f)).cloned() {
                return Err(ApiError::conflict(exists_message(&r)));
            }
            let stamp = st.clock.stamp_ms();
            let mut details = RegistryDetails::default();
            let reg = &mut details.registry;
            reg.registry_uuid = id.clone();
            reg.registry_name = f.registry_name.clone();
            reg.registry_uri = Some(f.registry_uri.clone()).filter(|u| !u.trim().is_empty());
            reg.registry_type = Some(RegistryType::from_wire(&f.registry_type));
            reg.repo_count = Some(0);
            reg.created = Some(Millis(stamp));
            reg.updated = Some(Millis(stamp));
            details.credential_type = Some(f.credential_type());
            let state = RegistryState {
                details,
                repositories: Vec::new(),
                tags: Vec::new(),
                managed: f.managed.clone(),
            };
            store_state(tx, &state)?;
            regs.push(Arc::new(state));
            Ok(id.clone())
        })?;
        tracing::debug!(registry = %created, "registry created");
        Ok(match st.wire {
            WireProfile::Oas2021 => json_response(StatusCode::OK, &created),
            WireProfile::Full => json_response(StatusCode::OK, &json!({ "registryUuid": created })),
        })
    })
    .await
}

/// Same URI (compared by [`uri_key`]) and type; a request without a URI (connector types)
/// is never "the same" as another.
fn same_in(r: &RegistryState, f: &RequestFields) -> bool {
    if f.registry_uri.trim().is_empty() {
        return false;
    }
    let reg = &r.details.registry;
    reg.registry_uri.as_deref().map(uri_key) == Some(uri_key(&f.registry_uri))
        && reg.registry_type.as_ref() == Some(&RegistryType::from_wire(&f.registry_type))
}

fn store_state(tx: &crate::store::Tx<'_>, r: &RegistryState) -> Result<(), ApiError> {
    let stored = StoredRegistry {
        details: r.details.clone(),
        managed: r.managed.clone(),
    };
    let text = serde_json::to_string(&stored).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: cannot store the registry: {e}"),
        )
    })?;
    tx.registry_put(r.id(), &text)?;
    Ok(())
}

/// `PUT /registry/{id}`: the body is a whole RegistryRequest; `registryType` and
/// `registryUri` are required by core's rules but cannot change (the OpenAPI file: "required
/// even though they are not updatable"): a different value is a 400. A credential without a
/// password or token keeps the stored one. `full`: 200 `{"registryUuid": id}`; `oas2021`: 200
/// with the id as a bare JSON string.
pub(super) async fn update_registry(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    body: Bytes,
) -> Response {
    blocking(st, move |st| {
        let current = parse_registry_id(st, &registry_id)?;
        let value = parse_json(&body)?;
        let f = check_rules(&value)?;
        let reg = &current.details.registry;
        let mut fixed = Vec::new();
        if reg.registry_type.as_ref() != Some(&RegistryType::from_wire(&f.registry_type)) {
            fixed.push(format!(
                "registryType cannot change ({} -> {}): send {}; to change it, delete the registry and create it again",
                reg.registry_type.as_ref().map(ToString::to_string).unwrap_or_default(),
                f.registry_type,
                reg.registry_type.as_ref().map(ToString::to_string).unwrap_or_default(),
            ));
        }
        if reg.registry_uri.as_deref().map(uri_key).unwrap_or_default() != uri_key(&f.registry_uri)
        {
            fixed.push(format!(
                "registryUri cannot change ({} -> {}): send {}; to change it, delete the registry and create it again",
                reg.registry_uri.as_deref().unwrap_or(""),
                f.registry_uri,
                reg.registry_uri.as_deref().unwrap_or(""),
            ));
        }
        if !fixed.is_empty() {
            return Err(ApiError::bad_request(fixed.join("; ")));
        }
        let problems = remote_problems(st, &f);
        if !problems.is_empty() {
            return Err(ApiError::bad_request(problems.join("; ")));
        }
        let id = current.id().to_owned();
        st.change_registries(|regs, tx| {
            let Some(slot) = regs.iter_mut().find(|r| r.id().eq_ignore_ascii_case(&id)) else {
                return Err(ApiError::not_found(format!("registry {id} not found")));
            };
            let mut next = RegistryState::clone(slot);
            let old = &next.managed;
            let mut m = f.managed.clone();
            m.credential_revision = old.credential_revision;
            match (&m.secret_fingerprint, &old.secret_fingerprint) {
                (None, _) => m.secret_fingerprint.clone_from(&old.secret_fingerprint),
                (Some(new), Some(prev)) if new == prev => {}
                (Some(_), _) => m.credential_revision = old.credential_revision + 1,
            }
            if m.username.is_none() {
                m.username.clone_from(&old.username);
            }
            next.managed = m;
            next.details.credential_type = Some(f.credential_type());
            if f.registry_name.is_some() {
                next.details.registry.registry_name.clone_from(&f.registry_name);
            }
            next.details.registry.updated = Some(Millis(st.clock.stamp_ms()));
            store_state(tx, &next)?;
            *slot = Arc::new(next);
            Ok(())
        })?;
        tracing::debug!(registry = %id, "registry updated");
        Ok(match st.wire {
            WireProfile::Oas2021 => json_response(StatusCode::OK, &id),
            WireProfile::Full => json_response(StatusCode::OK, &json!({ "registryUuid": id })),
        })
    })
    .await
}

/// Deletes one registry and its schedules inside `change_registries`; refused (409) while one
/// of its schedules is `Running` (the docs: "you cannot delete a registry whose schedules are
/// in the Running state").
fn delete_one(
    regs: &mut Vec<Arc<RegistryState>>,
    tx: &crate::store::Tx<'_>,
    id: &str,
) -> Result<usize, ApiError> {
    let running = tx.running_in(id)?;
    if running > 0 {
        return Err(ApiError::conflict(format!(
            "registry {id} has {running} Running schedule{}; cancel {} first (POST /csapi/v1.3/registry/{id}/schedule/cancel?filter=status:Running) or wait until {} finished",
            if running == 1 { "" } else { "s" },
            if running == 1 { "it" } else { "them" },
            if running == 1 { "it has" } else { "they have" },
        )));
    }
    let removed = tx.registry_delete(id)?;
    regs.retain(|r| !r.id().eq_ignore_ascii_case(id));
    Ok(removed)
}

/// `DELETE /registry/{id}`: the registry and its schedules go. `full`: 204; `oas2021`: 200
/// with the id as a bare JSON string. 409 while a schedule of it is Running.
pub(super) async fn delete_registry(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let id = reg.id().to_owned();
        let removed = st.change_registries(|regs, tx| delete_one(regs, tx, &id))?;
        tracing::debug!(registry = %id, schedules = removed, "registry deleted");
        Ok(match st.wire {
            WireProfile::Oas2021 => json_response(StatusCode::OK, &id),
            WireProfile::Full => StatusCode::NO_CONTENT.into_response(),
        })
    })
    .await
}

/// `DELETE /registry`: `registryIds` in the query (repeated or comma-separated) or a body
/// `{"registryIds": [...]}` (the query wins when both); one of them is required. Unknown ids
/// and registries with a Running schedule are skipped silently. 200 `{"deletionJobId": uuid}`.
pub(super) async fn bulk_delete_registries(
    State(st): State<Arc<AppState>>,
    uri: axum::http::Uri,
    body: Bytes,
) -> Response {
    blocking(st, move |st| {
        let p = Params::from_uri(&uri);
        let mut raw: Vec<String> = p
            .all("registryIds")
            .into_iter()
            .flat_map(|s| s.split(',').map(str::trim).map(str::to_owned).collect::<Vec<_>>())
            .filter(|s| !s.is_empty())
            .collect();
        if raw.is_empty() && !body.iter().all(u8::is_ascii_whitespace) {
            let v = parse_json(&body)?;
            let list = v
                .get("registryIds")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "the body must be {\"registryIds\": [\"<uuid>\", ...]}",
                    )
                })?;
            for x in list {
                let s = x.as_str().ok_or_else(|| {
                    ApiError::bad_request("registryIds must be an array of UUID strings")
                })?;
                raw.push(s.trim().to_owned());
            }
        }
        if raw.is_empty() {
            return Err(ApiError::bad_request(
                "bulk delete of registries needs registryIds (repeat the parameter for several, or send {\"registryIds\": [...]})",
            ));
        }
        let mut ids = Vec::new();
        for r in &raw {
            let id = RegistryId::parse(r)
                .map_err(|e| ApiError::bad_request(format!("registryIds: {e}")))?;
            ids.push(id.as_str().to_owned());
        }
        st.change_registries(|regs, tx| {
            for id in &ids {
                if !regs.iter().any(|r| r.id().eq_ignore_ascii_case(id)) {
                    continue;
                }
                match delete_one(regs, tx, id) {
                    Ok(n) => tracing::debug!(registry = %id, schedules = n, "registry deleted (bulk)"),
                    Err(e) => tracing::debug!(registry = %id, "skipped by bulk delete: {}", e.message),
                }
            }
            Ok(())
        })?;
        Ok(json_response(
            StatusCode::OK,
            &json!({ "deletionJobId": uuid::Uuid::new_v4().to_string() }),
        ))
    })
    .await
}

/// `GET /registry/{acr,aws,gcp}/connectors`: a JSON array.
pub(super) async fn list_connectors(
    State(st): State<Arc<AppState>>,
    Path(kind): Path<String>,
) -> Response {
    let r = connector_kind(&kind).map(|k| json_response(StatusCode::OK, &connectors(&st, k)));
    super::errors::finish(&st, r)
}

fn connector_kind(segment: &str) -> Result<ConnectorKind, ApiError> {
    match segment {
        "acr" => Ok(ConnectorKind::Acr),
        "aws" => Ok(ConnectorKind::Aws),
        "gcp" => Ok(ConnectorKind::Gcp),
        other => Err(ApiError::not_found(format!(
            "no connectors of kind {other:?}; the kinds are acr, aws and gcp"
        ))),
    }
}

/// `GET /registry/acr/connector/{id}`, `GET /registry/gcp/connector/{id}`: one connector;
/// `GET /registry/aws/connectors/{accountId}` goes through [`aws_connectors_of`].
pub(super) async fn get_connector(
    State(st): State<Arc<AppState>>,
    Path((kind, id)): Path<(String, String)>,
) -> Response {
    let r = (|| {
        let k = connector_kind(&kind)?;
        if k == ConnectorKind::Aws {
            return Err(ApiError::not_found(
                "AWS connectors are listed by account: GET /csapi/v1.3/registry/aws/connectors/{accountId}",
            ));
        }
        connectors(&st, k)
            .into_iter()
            .find(|c| {
                c["connectorId"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(&id))
            })
            .map(|c| json_response(StatusCode::OK, &c))
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "no {} connector {id:?}; GET /csapi/v1.3/registry/{kind}/connectors lists them",
                    kind.to_ascii_uppercase()
                ))
            })
    })();
    super::errors::finish(&st, r)
}

/// `GET /registry/aws/connectors/{accountId}`: the AWS connectors of one account.
pub(super) async fn aws_connectors_of(
    State(st): State<Arc<AppState>>,
    Path(account): Path<String>,
) -> Response {
    let list: Vec<Value> = connectors(&st, ConnectorKind::Aws)
        .into_iter()
        .filter(|c| c["accountId"].as_str() == Some(account.trim()))
        .collect();
    json_response(StatusCode::OK, &list)
}

/// `GET /registry/aws-base`: `{accountId, externalId}` (fixed).
pub(super) async fn get_aws_base() -> Response {
    json_response(StatusCode::OK, &aws_base())
}
