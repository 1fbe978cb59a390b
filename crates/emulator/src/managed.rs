//! Registries managed through the API (`POST /registry`, `PUT /registry/{id}`): what a
//! request leaves in the emulator, the seeded connectors, and the emulator's deterministic
//! rules for what the real service checks remotely (`POST /registry/validate`).
//!
//! A password or token is **never stored**: only its SHA-256 fingerprint is kept, to tell a
//! changed credential from the same one (`credentialRevision` counts the changes). Nothing
//! here is ever answered beyond `credential: {username}`.

use qualys_cs_core::{RegistryDetails, RegistryType};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// What the emulator keeps of a registry's create/update request (no secret).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Managed {
    /// `credential.username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// SHA-256 (hex) of the password or token, to notice a change; never answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_fingerprint: Option<String>,
    /// How many times the credential changed since the registry was created.
    #[serde(default)]
    pub credential_revision: u32,
    /// `aws {accountId, arn, region, accountType}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<AwsInfo>,
    /// ACR / GCP / Google Artifact Registry connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<String>,
    /// GCP / GAR project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// GCP location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Google Artifact Registry repository (`registry`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gar_registry: Option<String>,
    /// `dockerHubOrgName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_hub_org_name: Option<String>,
}

impl std::fmt::Debug for Managed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Managed")
            .field("username", &self.username)
            .field("secret", &self.secret_fingerprint.as_ref().map(|_| "***"))
            .field("credential_revision", &self.credential_revision)
            .field("aws", &self.aws)
            .field("connector_id", &self.connector_id)
            .finish_non_exhaustive()
    }
}

/// An AWS account of a registry request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsInfo {
    /// 12-digit account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Role ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `Global` or `US_Gov`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
}

/// What the store keeps of a registry created or changed through the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredRegistry {
    /// The served details (without schedules).
    pub details: RegistryDetails,
    /// The request's non-secret fields.
    pub managed: Managed,
}

/// The fields of a registry request body the emulator uses, read from the JSON value after
/// core validated it (nested `acr`/`gcp`/`gcar` objects are read too).
#[derive(Clone, Default)]
pub struct RequestFields {
    /// `registryType`.
    pub registry_type: String,
    /// `registryUri`.
    pub registry_uri: String,
    /// `registryName`, when a client sends one (public clients do).
    pub registry_name: Option<String>,
    /// `credentialType`.
    pub credential_type: Option<String>,
    /// Everything but the secret.
    pub managed: Managed,
    /// The password or token, only to check the emulator's "credentials accepted" rule and
    /// to fingerprint it; dropped with the request.
    secret: Option<String>,
}

impl std::fmt::Debug for RequestFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestFields")
            .field("registry_type", &self.registry_type)
            .field("registry_uri", &self.registry_uri)
            .field("managed", &self.managed)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}

fn text(v: &Value, pointers: &[&str]) -> Option<String> {
    pointers
        .iter()
        .filter_map(|p| v.pointer(p))
        .filter_map(Value::as_str)
        .map(str::trim)
        .find(|s| !s.is_empty())
        .map(str::to_owned)
}

/// SHA-256 of a secret, hex.
pub fn fingerprint(secret: &str) -> String {
    let d = Sha256::digest(secret.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

impl RequestFields {
    /// Reads the fields of a (validated) request body.
    pub fn from_value(v: &Value) -> Self {
        let aws = AwsInfo {
            account_id: text(v, &["/aws/accountId"]),
            arn: text(v, &["/aws/arn"]),
            region: text(v, &["/aws/region"]),
            account_type: text(v, &["/aws/accountType"]),
        };
        let secret = text(
            v,
            &[
                "/credential/password",
                "/credential/accessToken",
                "/credential/token",
                "/accessToken",
                "/token",
            ],
        );
        let managed = Managed {
            username: text(v, &["/credential/username", "/username"]),
            secret_fingerprint: secret.as_deref().map(fingerprint),
            credential_revision: 0,
            aws: (aws != AwsInfo::default()).then_some(aws),
            connector_id: text(
                v,
                &[
                    "/connectorId",
                    "/acr/connectorId",
                    "/gcp/connectorId",
                    "/gcar/connectorId",
                ],
            ),
            project_id: text(v, &["/projectId", "/gcp/projectId", "/gcar/projectId"]),
            location: text(v, &["/location", "/gcp/location"]),
            gar_registry: text(v, &["/registry", "/gcar/registry"]),
            docker_hub_org_name: text(v, &["/dockerHubOrgName"]),
        };
        RequestFields {
            registry_type: text(v, &["/registryType"]).unwrap_or_default(),
            registry_uri: text(v, &["/registryUri"]).unwrap_or_default(),
            registry_name: text(v, &["/registryName"]),
            credential_type: text(v, &["/credentialType"]),
            managed,
            secret,
        }
    }

    /// The credential type to serve: the request's, else from what it carries.
    pub fn credential_type(&self) -> String {
        if let Some(t) = &self.credential_type {
            return t.clone();
        }
        match (&self.managed.username, &self.secret) {
            _ if self.managed.aws.is_some() => "AWS".into(),
            (Some(_), Some(_)) => "BasicAuth".into(),
            (None, Some(_)) => "Token".into(),
            _ => "None".into(),
        }
    }

    /// The emulator's rule for "the registry accepted these credentials" (the real service
    /// logs in to the registry): a password or token that starts with `reject` is refused;
    /// anything else is accepted. Returns the refusal.
    pub fn credential_refused(&self) -> Option<String> {
        let s = self.secret.as_deref()?;
        s.to_ascii_lowercase().starts_with("reject").then(|| {
            format!(
                "the registry {} refused the credentials{} (emulator rule: a password or token starting with \"reject\" is refused); check the password or token",
                self.registry_uri,
                self.managed
                    .username
                    .as_deref()
                    .map(|u| format!(" of user {u:?}"))
                    .unwrap_or_default()
            )
        })
    }
}

/// `registryUri` compared as the service would: case, a trailing `/` and the scheme ignored.
pub fn uri_key(uri: &str) -> String {
    let u = uri.trim().trim_end_matches('/').to_ascii_lowercase();
    u.strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .map(str::to_owned)
        .unwrap_or(u)
}

/// The connector kinds with a listing route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectorKind {
    /// Azure Container Registry: `GET /registry/acr/connectors`.
    Acr,
    /// AWS: `GET /registry/aws/connectors`.
    Aws,
    /// GCP (GCR and Google Artifact Registry): `GET /registry/gcp/connectors`.
    Gcp,
}

impl ConnectorKind {
    /// The route segment (`acr`, `aws`, `gcp`).
    pub fn segment(self) -> &'static str {
        match self {
            ConnectorKind::Acr => "acr",
            ConnectorKind::Aws => "aws",
            ConnectorKind::Gcp => "gcp",
        }
    }

    /// The kind a registry type needs a connector of (None: no connector).
    pub fn for_type(t: &RegistryType) -> Option<Self> {
        match t.as_str() {
            "Azure" => Some(ConnectorKind::Acr),
            "AWS" => Some(ConnectorKind::Aws),
            "GCP" | "GOOGLE_ARTIFACT_REGISTRY" => Some(ConnectorKind::Gcp),
            _ => None,
        }
    }
}

/// The seeded ACR connector's id.
pub const DEMO_ACR_CONNECTOR_ID: &str = "a0c0a0c0-5eed-4a11-9e57-0000000000a1";
/// The seeded GCP connector's id (GCR and Google Artifact Registry).
pub const DEMO_GCP_CONNECTOR_ID: &str = "9c9c9c9c-5eed-4a11-9e57-0000000000c1";
/// The seeded AWS connector's account.
pub const DEMO_AWS_ACCOUNT_ID: &str = "123456789012";
/// The seeded AWS connector's role ARN.
pub const DEMO_AWS_ARN: &str = "arn:aws:iam::123456789012:role/qualys-cs-demo";

/// The seeded connectors of a kind (the same at every start).
pub fn seeded_connectors(kind: ConnectorKind) -> Vec<Value> {
    match kind {
        ConnectorKind::Acr => vec![json!({
            "connectorId": DEMO_ACR_CONNECTOR_ID,
            "name": "demo-acr-connector",
            "description": "ACR connector seeded by the emulator",
            "tenantId": "00000000-5eed-4a11-9e57-00000000a2e0",
            "subscriptionId": "00000000-5eed-4a11-9e57-00000000a5b0",
        })],
        ConnectorKind::Aws => vec![json!({
            "name": "demo-aws-connector",
            "description": "AWS connector seeded by the emulator",
            "arn": DEMO_AWS_ARN,
            "accountId": DEMO_AWS_ACCOUNT_ID,
            "accountType": "Global",
        })],
        ConnectorKind::Gcp => vec![json!({
            "connectorId": DEMO_GCP_CONNECTOR_ID,
            "name": "demo-gcp-connector",
            "description": "GCP connector seeded by the emulator",
            "projectId": "cs-registry",
        })],
    }
}

/// `GET /registry/aws-base`: the account Qualys assumes roles from, and the external id.
pub fn aws_base() -> Value {
    json!({"accountId": "805950163170", "externalId": "1234567890123"})
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn fields_keep_no_secret_and_debug_hides_the_fingerprint() {
        let v = json!({"registryType": "V2_PRIVATE", "registryUri": "https://r.example/",
            "credential": {"username": "ci", "password": "hunter2-secret"}});
        let f = RequestFields::from_value(&v);
        assert_eq!(f.credential_type(), "BasicAuth");
        assert_eq!(f.managed.username.as_deref(), Some("ci"));
        let stored = serde_json::to_string(&f.managed).unwrap();
        assert!(!stored.contains("hunter2"), "{stored}");
        assert!(!format!("{f:?}").contains("hunter2"));
        assert!(!format!("{f:?}").contains(&fingerprint("hunter2-secret")));
        assert_eq!(f.credential_refused(), None);
        let bad = RequestFields::from_value(
            &json!({"registryUri": "u", "credential": {"password": "Rejected-1"}}),
        );
        let msg = bad.credential_refused().expect("refused");
        assert!(!msg.contains("Rejected-1"), "{msg}");
        assert_eq!(uri_key("HTTPS://R.example/"), uri_key("r.example"));
    }
}
