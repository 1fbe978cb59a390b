//! Registries as code: create, update, validate (the remote check), delete and bulk delete
//! registries, and list the ACR / AWS / GCP connectors (spec §6b; Qualys "Create a Registry",
//! "Update a Registry", "Validate Registry Parameters", "Delete Registries in Your Account").
//!
//! Every request is checked with core's [`validate_registry_request`] before it is sent: a
//! request with errors is never sent. Passwords and tokens are [`qualys_cs_core::Secret`]s:
//! they go on the wire and nowhere else (no `Debug`, log line or error text holds them).
//!
//! # A create is never duplicated (`docs/create-guarantee.md`, "Registries")
//!
//! Like a schedule create, a registry create has no idempotency key. It uses the same
//! machinery (`Call`/`send_once`, the retry policy, the failure classes, the settle window,
//! the ids this client returned): before the POST it reads which registries carry the
//! request's `registryUri` and `registryType` (URI compared without case, scheme and trailing
//! `/`); after an ambiguous failure (a timeout after sending, a connection closed before the
//! answer, a `5xx`, a `429`, an unreadable `2xx`) it looks for a registry with that URI and
//! type that was not there before and that this client has not returned already: one is this
//! call's (`recovered`); several are a `conflict` naming them; none: it looks again until the
//! settle window ends, then sends again.

use crate::Client;
use crate::http::{Call, FailKind, Failure, next_delay};
use crate::paging::ListOptions;
use qualys_cs_core::{
    BulkDeleteResponse, Error, Extra, HttpDetails, Registry, RegistryId, RegistryRequest,
    RegistryType, Violation, decode_body, validate_registry_request,
};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// The result of [`Client::create_registry`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegistryCreated {
    /// The new registry's id.
    pub registry_uuid: RegistryId,
    /// Validation warnings of the request (it was sent anyway; they are also logged).
    pub warnings: Vec<Violation>,
    /// True when the answer was lost and the registry was found instead (by URI and type,
    /// absent before the call).
    pub recovered: bool,
}

/// The result of [`Client::validate_registry`] (`POST /registry/validate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegistryValidation {
    /// True when the service accepts the parameters (connector, account, credentials, not a
    /// registry that exists already).
    pub valid: bool,
    /// Why not, when the service said (a `400` message); a bare `false` says nothing more.
    pub message: Option<String>,
    /// Local validation warnings of the request.
    pub warnings: Vec<Violation>,
}

/// Which connectors to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ConnectorKind {
    /// Azure Container Registry connectors (`GET /registry/acr/connectors`).
    Acr,
    /// AWS connectors (`GET /registry/aws/connectors`).
    Aws,
    /// GCP connectors, for GCR and Google Artifact Registry (`GET /registry/gcp/connectors`).
    Gcp,
}

impl ConnectorKind {
    /// Every kind.
    pub const ALL: [ConnectorKind; 3] =
        [ConnectorKind::Acr, ConnectorKind::Aws, ConnectorKind::Gcp];

    /// `acr`, `aws` or `gcp`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorKind::Acr => "acr",
            ConnectorKind::Aws => "aws",
            ConnectorKind::Gcp => "gcp",
        }
    }
}

impl std::str::FromStr for ConnectorKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "acr" | "azure" => Ok(ConnectorKind::Acr),
            "aws" | "ecr" => Ok(ConnectorKind::Aws),
            "gcp" | "gcr" | "gar" | "google_artifact_registry" => Ok(ConnectorKind::Gcp),
            _ => Err(Error::validation(vec![Violation::new(
                "/kind",
                "unknown_connector_kind",
                format!("connector kind {s:?} is not one of acr, aws, gcp"),
            )])),
        }
    }
}

/// A connector as the service lists it; fields the service does not send are `None`, unknown
/// ones are kept in `extra`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Connector {
    /// Connector id (ACR, GCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Role ARN (AWS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// AWS account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// `Global` or `US_Gov` (AWS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// GCP project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Other fields, as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `registryUri` compared as a registry's identity: case, scheme and a trailing `/` ignored.
pub fn registry_uri_key(uri: &str) -> String {
    let u = uri.trim().trim_end_matches('/').to_ascii_lowercase();
    u.strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .map(str::to_owned)
        .unwrap_or(u)
}

fn registry_path(id: &RegistryId) -> String {
    format!("/registry/{}", id.as_str())
}

fn encode(req: &RegistryRequest) -> Result<Vec<u8>, Error> {
    // The wire body, secrets included; it goes into the request and nowhere else.
    serde_json::to_vec(&req.to_wire_value()).map_err(|e| Error::Decode {
        message: format!("could not encode the registry request: {e}"),
        body: None,
    })
}

fn log_warnings(op: &str, warnings: &[Violation]) {
    for w in warnings {
        tracing::warn!(op, path = %w.path, code = %w.code, "{}", w.message);
    }
}

/// The id in a create answer: `{"registryUuid": …}` [peer], a bare JSON string [oas],
/// `{"registryId"|"id": …}`, or a plain-text UUID.
fn created_id(body: &str) -> Result<RegistryId, Error> {
    let bad = |why: String| Error::Decode {
        message: format!("registry create answer {why}"),
        body: Some(body.chars().take(512).collect()),
    };
    let text = match serde_json::from_str::<Value>(body) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(m)) => ["registryUuid", "registryId", "uuid", "id"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_str))
            .map(str::to_owned)
            .ok_or_else(|| bad("holds no registryUuid".into()))?,
        Ok(other) => return Err(bad(format!("is not an id: {other}"))),
        Err(_) => body.trim().to_owned(),
    };
    RegistryId::parse(text.trim()).map_err(|e| bad(format!("holds no valid id: {e}")))
}

fn conflict(message: String) -> Error {
    Error::Conflict(HttpDetails {
        status: 409,
        message: Some(message),
        ..Default::default()
    })
}

fn registry_type_of(req: &RegistryRequest) -> RegistryType {
    req.registry_type.clone()
}

/// What one look after a lost create answer found.
enum Lookup {
    Ours(RegistryId),
    Nothing,
    Several(Vec<String>),
}

impl Client {
    /// Creates a registry (`POST /registry`).
    ///
    /// The request is validated first ([`validate_registry_request`]): a request with errors
    /// is never sent (a `validation` error lists every problem); warnings are logged and
    /// returned. Retries never make a second registry (see the module docs and
    /// `docs/create-guarantee.md`); a registry with the same URI and type that existed before
    /// is refused by the service (`conflict`).
    pub async fn create_registry(
        &self,
        request: &RegistryRequest,
    ) -> Result<RegistryCreated, Error> {
        let warnings = validate_registry_request(request)?;
        log_warnings("create_registry", &warnings);
        self.create_registry_checked(request, warnings).await
    }

    /// [`Client::create_registry`] from a JSON value (what Python dicts and JS objects become):
    /// wrong JSON types are `validation` violations naming the field.
    pub async fn create_registry_value(&self, request: &Value) -> Result<RegistryCreated, Error> {
        let request = RegistryRequest::from_value(request)?;
        self.create_registry(&request).await
    }

    /// The ids (lowercase) of the registries with the request's URI and type.
    async fn registries_like(&self, request: &RegistryRequest) -> Result<Vec<Registry>, Error> {
        let key = registry_uri_key(request.registry_uri.as_deref().unwrap_or(""));
        let t = registry_type_of(request);
        let all = self
            .list_registries_all(ListOptions::new().lenient(true))
            .collect_all()
            .await?;
        Ok(all
            .into_iter()
            .filter(|r| {
                r.registry_uri.as_deref().map(registry_uri_key).as_deref() == Some(key.as_str())
                    && r.registry_type.as_ref().is_none_or(|x| *x == t)
            })
            .collect())
    }

    async fn look_for_created_registry(
        &self,
        request: &RegistryRequest,
        before: &HashSet<String>,
    ) -> Result<Lookup, Error> {
        let state = &self.inner.created_state;
        let mut found: Vec<String> = self
            .registries_like(request)
            .await?
            .into_iter()
            .map(|r| r.registry_uuid.to_ascii_lowercase())
            .filter(|id| !before.contains(id) && !state.returned_before(id))
            .collect();
        found.dedup();
        Ok(match found.len() {
            0 => Lookup::Nothing,
            1 => match RegistryId::parse(&found[0]) {
                Ok(id) => Lookup::Ours(id),
                Err(_) => Lookup::Several(found),
            },
            _ => Lookup::Several(found),
        })
    }

    async fn look_until_registry(
        &self,
        request: &RegistryRequest,
        before: &HashSet<String>,
        settle: Duration,
    ) -> Result<Lookup, Error> {
        let deadline = Instant::now() + settle;
        let mut pause = Duration::from_millis(200);
        loop {
            let found = self.look_for_created_registry(request, before).await?;
            let now = Instant::now();
            if !matches!(found, Lookup::Nothing) || now >= deadline {
                return Ok(found);
            }
            tokio::time::sleep(pause.min(deadline - now)).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    async fn create_registry_checked(
        &self,
        request: &RegistryRequest,
        warnings: Vec<Violation>,
    ) -> Result<RegistryCreated, Error> {
        let inner = &self.inner;
        let state = &inner.created_state;
        let mut call = Call::new(Method::POST, "/registry".to_owned());
        call.body = Some(encode(request)?);
        // Which registries with this URI and type exist before the first send (none to read
        // without a URI: such a create is never sent twice, see below).
        let before: HashSet<String> = if request
            .registry_uri
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty())
        {
            self.registries_like(request)
                .await?
                .into_iter()
                .map(|r| r.registry_uuid.to_ascii_lowercase())
                .collect()
        } else {
            HashSet::new()
        };
        let done = |id: RegistryId, recovered: bool| {
            state.remember(id.as_str());
            RegistryCreated {
                registry_uuid: id,
                warnings: warnings.clone(),
                recovered,
            }
        };
        let identifiable = request
            .registry_uri
            .as_deref()
            .is_some_and(|u| !u.trim().is_empty());
        let first = Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let (failure, answered_2xx) = match inner.send_once(&call, attempt).await {
                Ok(answer) => match created_id(&answer.body) {
                    Ok(id) => return Ok(done(id, false)),
                    Err(error) => (
                        Failure {
                            error,
                            kind: FailKind::MaybeSent,
                            retry_after: None,
                        },
                        true,
                    ),
                },
                Err(f) => (f, false),
            };
            let rate_limited = failure.error.code() == "rate_limited";
            let delay = next_delay(&inner.retry, &failure, attempt, first);
            match failure.kind {
                FailKind::Final => return Err(failure.error),
                FailKind::NotSent if !rate_limited => match delay {
                    Some(d) => {
                        tracing::debug!(
                            attempt,
                            code = failure.error.code(),
                            "registry create not sent; retrying"
                        );
                        tokio::time::sleep(d).await;
                    }
                    None => return Err(failure.error),
                },
                FailKind::NotSent | FailKind::MaybeSent if !identifiable => {
                    // No registryUri (a connector type): a registry this call may have made
                    // cannot be told from others, so it is never sent again (core warns about
                    // this: registry_uri_recommended).
                    tracing::warn!(
                        attempt,
                        code = failure.error.code(),
                        "registry create may have been processed and has no registryUri to find it by; not sending again"
                    );
                    return Err(failure.error);
                }
                FailKind::NotSent | FailKind::MaybeSent => {
                    if let Some(d) = delay {
                        tokio::time::sleep(d).await;
                    }
                    let settle = if rate_limited || answered_2xx || delay.is_none() {
                        Duration::ZERO
                    } else {
                        inner.create_settle
                    };
                    tracing::debug!(
                        attempt,
                        code = failure.error.code(),
                        settle_ms = settle.as_millis() as u64,
                        "registry create may have been processed; looking for it"
                    );
                    match self.look_until_registry(request, &before, settle).await {
                        Ok(Lookup::Ours(id)) => {
                            tracing::info!(attempt, registry = %id, "registry create recovered after: {}", failure.error);
                            return Ok(done(id, true));
                        }
                        Ok(Lookup::Several(ids)) => {
                            return Err(conflict(format!(
                                "the answer to a registry create was lost ({}) and {} registries with this registryUri and registryType appeared since the call began: {}; check them and delete the extra ones",
                                failure.error,
                                ids.len(),
                                ids.join(", ")
                            )));
                        }
                        Ok(Lookup::Nothing) => {
                            if answered_2xx || delay.is_none() {
                                return Err(failure.error);
                            }
                            tracing::debug!(attempt, "no registry of this call: sending again");
                        }
                        Err(lookup) => {
                            tracing::warn!(
                                code = lookup.code(),
                                "could not look for the registry after a failed create: {lookup}"
                            );
                            return Err(failure.error);
                        }
                    }
                }
            }
        }
    }

    /// Updates a registry (`PUT /registry/{id}`) with a whole request; `registryType` and
    /// `registryUri` are required and cannot change (the service refuses a change). Validated
    /// first like a create. Returns the warnings.
    pub async fn update_registry(
        &self,
        registry: &RegistryId,
        request: &RegistryRequest,
    ) -> Result<Vec<Violation>, Error> {
        let warnings = validate_registry_request(request)?;
        log_warnings("update_registry", &warnings);
        let mut call = Call::new(Method::PUT, registry_path(registry));
        call.body = Some(encode(request)?);
        self.inner.execute(&call).await?;
        Ok(warnings)
    }

    /// Asks the service whether it would accept this registry (`POST /registry/validate`):
    /// the connector or account exists, the credentials work, the registry does not exist
    /// yet. Validated locally first (a request with errors is a `validation` error, never
    /// sent). A refusal is `valid: false` with the service's reason, not an error.
    pub async fn validate_registry(
        &self,
        request: &RegistryRequest,
    ) -> Result<RegistryValidation, Error> {
        let warnings = validate_registry_request(request)?;
        let mut call = Call::new(Method::POST, "/registry/validate".to_owned());
        call.body = Some(encode(request)?);
        match self.inner.execute(&call).await {
            Ok(a) => {
                let valid = match serde_json::from_str::<Value>(&a.body) {
                    Ok(Value::Bool(b)) => b,
                    Ok(Value::Object(m)) => m
                        .get("valid")
                        .or_else(|| m.get("isValid"))
                        .and_then(Value::as_bool)
                        .unwrap_or(true),
                    // 200 with an empty or other body: accepted.
                    _ => !a.body.trim().eq_ignore_ascii_case("false"),
                };
                Ok(RegistryValidation {
                    valid,
                    message: None,
                    warnings,
                })
            }
            Err(Error::BadRequest(d)) => Ok(RegistryValidation {
                valid: false,
                message: d.message.or(d.body),
                warnings,
            }),
            Err(e) => Err(e),
        }
    }

    /// Deletes a registry and its schedules (`DELETE /registry/{id}`); refused by the service
    /// while one of its schedules is Running (`conflict`). A retry that finds it gone counts
    /// as success.
    pub async fn delete_registry(&self, registry: &RegistryId) -> Result<(), Error> {
        let mut call = Call::new(Method::DELETE, registry_path(registry));
        call.gone_is_done = true;
        self.inner.execute(&call).await.map(drop)
    }

    /// Deletes several registries (`DELETE /registry?registryIds=…`): a deletion job; the
    /// service skips registries with a Running schedule. No ids is a `validation` error.
    pub async fn bulk_delete_registries(
        &self,
        registries: &[RegistryId],
    ) -> Result<BulkDeleteResponse, Error> {
        if registries.is_empty() {
            return Err(Error::validation(vec![Violation::new(
                "/registryIds",
                "registry_ids_required",
                "give at least one registry id to delete",
            )]));
        }
        let mut call = Call::new(Method::DELETE, "/registry".to_owned());
        call.query = registries
            .iter()
            .map(|id| ("registryIds", id.as_str().to_owned()))
            .collect();
        let a = self.inner.execute(&call).await?;
        decode_body(&a.body)
    }

    /// The connectors of a kind (`GET /registry/{acr,aws,gcp}/connectors`): what an Azure,
    /// AWS, GCP or Google Artifact Registry registry's `connectorId` / `aws.arn` names.
    pub async fn list_connectors(&self, kind: ConnectorKind) -> Result<Vec<Connector>, Error> {
        let call = Call::new(
            Method::GET,
            format!("/registry/{}/connectors", kind.as_str()),
        );
        let a = self.inner.execute(&call).await?;
        let v: Value = decode_body(&a.body)?;
        let items = match v {
            Value::Array(items) => items,
            Value::Object(mut m) => match m.remove("data") {
                Some(Value::Array(items)) => items,
                _ => vec![Value::Object(m)],
            },
            Value::Null => Vec::new(),
            other => {
                return Err(Error::Decode {
                    message: format!("the connector list is not an array: {other}"),
                    body: None,
                });
            }
        };
        items
            .into_iter()
            .map(|i| {
                serde_json::from_value(i).map_err(|e| Error::Decode {
                    message: format!("a connector could not be read: {e}"),
                    body: None,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn create_answers_in_every_seen_shape() {
        let id = "6f1c2a8e-3b7d-4e59-a0c4-1d2e3f4a5b6c";
        for body in [
            format!(r#"{{"registryUuid":"{id}"}}"#),
            format!(r#""{id}""#),
            format!(r#"{{"id":"{id}"}}"#),
            format!("{id}\n"),
        ] {
            assert_eq!(created_id(&body).expect(&body).as_str(), id);
        }
        assert_eq!(created_id("{}").unwrap_err().code(), "decode");
        assert_eq!(created_id("42").unwrap_err().code(), "decode");
    }

    #[test]
    fn uri_keys_and_kinds() {
        assert_eq!(
            registry_uri_key("HTTPS://R.example/"),
            registry_uri_key("r.example")
        );
        assert_ne!(
            registry_uri_key("r.example/a"),
            registry_uri_key("r.example")
        );
        assert_eq!(
            "Azure".parse::<ConnectorKind>().unwrap(),
            ConnectorKind::Acr
        );
        let e = "oci".parse::<ConnectorKind>().unwrap_err();
        assert_eq!(e.violations()[0].code, "unknown_connector_kind");
    }
}
