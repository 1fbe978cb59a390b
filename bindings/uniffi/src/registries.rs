//! Registries as code (issue 17): the core's registry validation and the client's registry
//! operations. The records are the core's and the client's own (`RegistryRequest`,
//! `Credential`, `AwsAccount`, `RegistryCreated`, `RegistryValidation`, `Connector`); a
//! password or token is a `Secret`, which Kotlin prints as `***`.

use crate::client::Client;
use crate::error::QualysCsError;
use qualys_cs_client::{Connector, ConnectorKind, RegistryCreated, RegistryValidation};
use qualys_cs_core::registry::{
    REGISTRY_RULES, RegistryRequest, check_registry_request, validate_registry_value,
};
use qualys_cs_core::{self as qc, BulkDeleteResponse, RegistryId, Report, Severity};

type R<T> = Result<T, QualysCsError>;

fn ids(ids: &[String]) -> R<Vec<RegistryId>> {
    Ok(ids.iter().map(|i| RegistryId::parse(i)).collect::<Result<_, _>>()?)
}

/// One registry validation rule: its stable code, `error` or `warning`, its source (`doc`:
/// Qualys's pages, `oas`: its OpenAPI file, `ours`) and what it checks.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct RegistryRule {
    pub code: String,
    pub severity: String,
    pub source: String,
    pub description: String,
}

/// Validates a registry request against every per-type rule (all problems at once).
#[uniffi::export]
pub fn validate_registry(request: RegistryRequest) -> Report {
    check_registry_request(&request)
}

/// Validates a registry request given as JSON text: wrong JSON types are violations too. Text
/// that is not JSON at all is a `validation` error (`invalid_json`).
#[uniffi::export]
pub fn validate_registry_json(json: String) -> R<Report> {
    Ok(validate_registry_value(&crate::core_fns::json_value(&json)?))
}

/// Decodes a registry request from JSON text (`token` read as `accessToken`); wrong JSON types
/// are a `validation` error naming each field. Rules are `validateRegistry`'s job.
#[uniffi::export]
pub fn parse_registry_request_json(json: String) -> R<RegistryRequest> {
    Ok(RegistryRequest::from_value(&crate::core_fns::json_value(&json)?)?)
}

/// The wire JSON of a registry request, **secrets included** (the body as sent).
#[uniffi::export]
pub fn registry_request_to_json(request: RegistryRequest) -> String {
    request.to_wire_value().to_string()
}

/// The wire JSON of a registry request with every password and token as `***`.
#[uniffi::export]
pub fn registry_request_redacted_json(request: RegistryRequest) -> String {
    request.redacted_value().to_string()
}

/// Every registry validation rule (`docs/registries.md`).
#[uniffi::export]
pub fn registry_rules() -> Vec<RegistryRule> {
    let rule = |(code, sev, source, description): &(&str, Severity, &str, &str)| RegistryRule {
        code: (*code).to_owned(),
        severity: if *sev == Severity::Error { "error" } else { "warning" }.to_owned(),
        source: (*source).to_owned(),
        description: (*description).to_owned(),
    };
    REGISTRY_RULES.iter().map(rule).collect()
}

#[uniffi::export(async_runtime = "tokio")]
impl Client {
    /// Creates a registry (`POST /registry`). Validated first (one with errors is never sent);
    /// a lost answer is recovered by finding the registry by URI and type, never created twice.
    pub async fn create_registry(&self, request: RegistryRequest) -> R<RegistryCreated> {
        Ok(self.inner.create_registry(&request).await?)
    }

    /// Replaces a registry's settings (`PUT /registry/{id}`; type and URI cannot change);
    /// validated first. Returns the warnings.
    pub async fn update_registry(
        &self, registry_id: String, request: RegistryRequest,
    ) -> R<Vec<qc::Violation>> {
        let id = RegistryId::parse(&registry_id)?;
        Ok(self.inner.update_registry(&id, &request).await?)
    }

    /// Asks the service whether it would accept the registry (`POST /registry/validate`); a
    /// refusal is `valid = false` with the service's reason.
    pub async fn validate_registry(&self, request: RegistryRequest) -> R<RegistryValidation> {
        Ok(self.inner.validate_registry(&request).await?)
    }

    /// Deletes a registry and its schedules (refused while one is Running: `conflict`).
    pub async fn delete_registry(&self, registry_id: String) -> R<()> {
        let id = RegistryId::parse(&registry_id)?;
        Ok(self.inner.delete_registry(&id).await?)
    }

    /// Deletes several registries (a deletion job); no ids is a `validation` error.
    pub async fn bulk_delete_registries(&self, registry_ids: Vec<String>) -> R<BulkDeleteResponse> {
        Ok(self.inner.bulk_delete_registries(&ids(&registry_ids)?).await?)
    }

    /// The connectors of a kind: what a registry's `connectorId` or `aws.arn` names.
    pub async fn list_connectors(&self, kind: ConnectorKind) -> R<Vec<Connector>> {
        Ok(self.inner.list_connectors(kind).await?)
    }
}
