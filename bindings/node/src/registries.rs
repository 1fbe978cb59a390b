//! Registries as code (issue 17): the core's registry validation as module functions and the
//! client's registry operations as `Client` methods. Arguments are read as JSON into the core
//! types (wrong types: `validation` errors naming the argument); every rule is the core's.

use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use qualys_cs_client::ConnectorKind;
use qualys_cs_core::registry::{REGISTRY_RULES, RegistryRequest, validate_registry_value};
use qualys_cs_core::{Error as CoreError, RegistryId, Severity};
use serde_json::{Value, json};

use crate::client::{Answer, Client, operations, rid};
use crate::convert::{Js, arg, camel, from_js, js, wrong};
use crate::error::{promise, sync};

fn request(u: Unknown<'_>) -> Result<RegistryRequest, CoreError> {
    let v = from_js(u)?.ok_or_else(|| wrong("request", "a registry request (an object)", None))?;
    RegistryRequest::from_value(&v)
}

fn ids(u: Unknown<'_>) -> Result<Vec<RegistryId>, CoreError> {
    let ids: Vec<String> = arg("registryIds", "a list of registry UUIDs", u)?;
    ids.iter().map(|i| RegistryId::parse(i)).collect()
}

fn kind(u: Unknown<'_>) -> Result<ConnectorKind, CoreError> {
    arg::<String>("kind", "'acr', 'aws' or 'gcp'", u)?.parse()
}

/// Checks a registry request (the API's JSON: `POST /registry`, `PUT /registry/{id}`) against
/// every per-type rule without sending anything: every problem at once, each with a JSON
/// pointer, a stable code and a message; wrong JSON types are `wrong_type` errors. Never throws.
#[napi(ts_return_type = "ValidationReport")]
pub fn validate_registry(#[napi(ts_arg_type = "Record<string, unknown>")] request: Unknown) -> Js {
    let r = from_js(request).map(|v| validate_registry_value(&v.unwrap_or(Value::Null)));
    let r = r.unwrap_or_else(|e| qualys_cs_core::Report {
        errors: e.violations().to_vec(),
        warnings: Vec::new(),
    });
    Js(json!({ "valid": r.is_valid(), "errors": r.errors, "warnings": r.warnings }))
}

/// The canonical wire JSON of a registry request (**secrets included**: the body as sent).
/// Throws a `validation` error for wrong JSON types (rules are `validateRegistry()`'s job).
#[napi(ts_return_type = "Record<string, unknown>")]
pub fn normalize_registry_request(
    env: Env,
    #[napi(ts_arg_type = "Record<string, unknown>")] request: Unknown,
) -> napi::Result<Js> {
    sync(&env, self::request(request).map(|r| Js(r.to_wire_value())))
}

/// A registry request with every password and token replaced by `'***'`: what to log or show.
/// Throws a `validation` error for wrong JSON types.
#[napi(ts_return_type = "Record<string, unknown>")]
pub fn redact_registry_request(
    env: Env,
    #[napi(ts_arg_type = "Record<string, unknown>")] request: Unknown,
) -> napi::Result<Js> {
    sync(&env, self::request(request).map(|r| Js(r.redacted_value())))
}

/// Every registry validation code with its severity, its source (`doc`: Qualys's pages, `oas`:
/// its OpenAPI file, `ours`) and a one-line description (`docs/registries.md`).
#[napi(
    ts_return_type = "Array<{ code: string; severity: 'error' | 'warning'; source: string; description: string }>"
)]
pub fn registry_rules() -> Js {
    let rule = |(code, sev, source, description): &(&str, Severity, &str, &str)| {
        let severity = if *sev == Severity::Error {
            "error"
        } else {
            "warning"
        };
        json!({ "code": code, "severity": severity, "source": source, "description": description })
    };
    Js(REGISTRY_RULES.iter().map(rule).collect())
}

operations! {
    ["Creates a registry (`POST /registry`). The request is validated first (a request with"
     "errors is never sent); a lost answer is recovered by finding the registry by URI and"
     "type, so a retry never creates it twice. Passwords and tokens are never logged."]
    create_registry(request: Unknown = "Record<string, unknown>" => self::request)
        -> Js = "Promise<{ registryUuid: string; warnings: Violation[]; recovered: boolean }>"
        |c| Ok(Js(camel(js(c.create_registry(&request).await?)?.0)));
    ["Replaces a registry's settings (`PUT /registry/{id}`; type and URI cannot change)."
     "Validated first like a create; resolves with the warnings."]
    update_registry(registry_id: Unknown = "string" => rid, request: Unknown = "Record<string, unknown>"
        => self::request) -> Js = "Promise<Violation[]>"
        |c| js(c.update_registry(&registry_id, &request).await?);
    ["Asks the service whether it would accept the registry (`POST /registry/validate`):"
     "connector or account, credentials, not existing yet. A refusal resolves with"
     "`valid: false` and the service's reason."]
    validate_registry(request: Unknown = "Record<string, unknown>" => self::request)
        -> Js = "Promise<{ valid: boolean; message: string | null; warnings: Violation[] }>"
        |c| js(c.validate_registry(&request).await?);
    ["Deletes a registry and its schedules (refused while one is Running: `conflict`); a"
     "retry that finds it gone counts as success."]
    delete_registry(registry_id: Unknown = "string" => rid) -> () = "Promise<void>"
        |c| c.delete_registry(&registry_id).await;
    ["Deletes several registries (a deletion job). No ids is a `validation` error."]
    bulk_delete_registries(registry_ids: Unknown = "string[]" => ids) -> Js = "Promise<BulkDeleteResponse>"
        |c| js(c.bulk_delete_registries(&registry_ids).await?);
    ["The connectors of a kind (`GET /registry/{acr,aws,gcp}/connectors`): what a registry's"
     "`connectorId` or `aws.arn` names."]
    list_connectors(kind: Unknown = "'acr' | 'aws' | 'gcp'" => self::kind)
        -> Js = "Promise<Array<Record<string, unknown>>>" |c| js(c.list_connectors(kind).await?);
}
