//! Registries as code: the body of `POST /registry`, `PUT /registry/{registryId}` and
//! `POST /registry/validate` ([`RegistryRequest`]), and its validation
//! ([`validate_registry_request`], [`validate_registry_value`]).
//!
//! Field names are exactly those of Qualys's pages "Create a Registry", "Update a Registry" and
//! "Validate Registry Parameters" and of spec §6b. Every rule, its code and its source is in
//! [`REGISTRY_RULES`] and written out in `docs/registries.md`.
//!
//! Passwords and tokens are [`Secret`]s: `Debug` prints `***`; only `Serialize` (the wire body)
//! carries them. Use [`RegistryRequest::redacted_value`] for anything a person or a log sees.
//!
//! ```
//! use qualys_cs_core::registry::{RegistryRequest, validate_registry_value};
//!
//! let req = RegistryRequest::v2_private("https://registry.acme.example", "ci-bot", "s3cret");
//! assert!(qualys_cs_core::registry::validate_registry_request(&req).is_ok());
//! assert!(!format!("{req:?}").contains("s3cret"));
//!
//! let report = validate_registry_value(&serde_json::json!({
//!     "registryType": "AWS", "registryUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
//!     "aws": {"accountId": "123456789012", "region": "us-east-1"}
//! }));
//! let codes: Vec<_> = report.errors.iter().map(|v| (v.path.as_str(), v.code.as_str())).collect();
//! assert_eq!(codes, [("/aws/arn", "arn_required"), ("/aws/accountType", "account_type_required")]);
//! ```

use crate::decode::{json_type, pointer_token};
use crate::enums::RegistryType;
use crate::error::{Error, Violation, truncate_for_message};
use crate::model::Extra;
pub use crate::secret::Secret;
use crate::validate::{Report, Severity, suggest};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// AWS account type `Global` [doc].
pub const ACCOUNT_TYPE_GLOBAL: &str = "Global";
/// AWS account type `US_Gov` (GovCloud) [doc].
pub const ACCOUNT_TYPE_US_GOV: &str = "US_Gov";
/// The documented AWS account types.
pub const ACCOUNT_TYPES: &[&str] = &[ACCOUNT_TYPE_GLOBAL, ACCOUNT_TYPE_US_GOV];

/// Credentials of a registry reached by user name (V2, V2_PRIVATE, DockerHub and other
/// registries that are not cloud connectors).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Credential {
    /// User name [doc].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub username: Option<String>,
    /// Password [doc][oas]. Never printed.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::secret::expose_for_wire"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub password: Option<Secret>,
    /// Access token, "only applicable for JFrog" [doc]. Also read as `token`. Never printed.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::secret::expose_for_wire"
    )]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub access_token: Option<Secret>,
    /// Unknown fields, kept and sent as given.
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

impl Credential {
    /// User name and password.
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self {
            username: Some(username.into()),
            password: Some(password.into()),
            ..Default::default()
        }
    }

    /// True when a password or an access token is present.
    pub fn has_secret(&self) -> bool {
        self.password.is_some() || self.access_token.is_some()
    }
}

/// The AWS account of an ECR registry (`aws {...}`) [doc][oas].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AwsAccount {
    /// 12-digit AWS account id [doc].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// ARN of the role Qualys assumes [doc].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// AWS region, e.g. `us-east-1`; a GovCloud region for `US_Gov` [doc].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `Global` or `US_Gov` [doc].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of create, update and validate of a registry (spec §6b, Qualys "Create a
/// Registry").
///
/// `Serialize` writes the wire body **with** the secrets; `Debug` and
/// [`RegistryRequest::redacted_value`] never show them.
#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegistryRequest {
    /// Registry type: `V2`, `V2_PRIVATE`, `DockerHub`, `AWS`, `Azure`, `GCP`,
    /// `GOOGLE_ARTIFACT_REGISTRY` [doc][oas].
    pub registry_type: RegistryType,
    /// Registry URI, e.g. `https://registry.acme.example` [oas].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub registry_uri: Option<String>,
    /// Credential type [oas] (e.g. `BasicAuth`, `Token`); sent as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub credential_type: Option<String>,
    /// User name and password / token [doc][oas].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub credential: Option<Credential>,
    /// AWS ECR account [doc][oas].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub aws: Option<AwsAccount>,
    /// Connector id: Azure (ACR), GCP (GCR), GOOGLE_ARTIFACT_REGISTRY (GCAR) [doc].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub connector_id: Option<String>,
    /// GCP project id: GCP, GOOGLE_ARTIFACT_REGISTRY [doc].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub project_id: Option<String>,
    /// GCP location: GCP [doc].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub location: Option<String>,
    /// Artifact Registry repository name, e.g. `docker-v2-repo`: GOOGLE_ARTIFACT_REGISTRY [doc].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub registry: Option<String>,
    /// Docker Hub organisation [oas].
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub docker_hub_org_name: Option<String>,
    /// Unknown fields, kept and sent as given (validation warns about them).
    #[serde(flatten)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub extra: Extra,
}

impl Default for RegistryRequest {
    fn default() -> Self {
        Self::of_type(RegistryType::Other(String::new()))
    }
}

impl RegistryRequest {
    /// An empty request of `registry_type`.
    pub fn of_type(registry_type: RegistryType) -> Self {
        Self {
            registry_type,
            registry_uri: None,
            credential_type: None,
            credential: None,
            aws: None,
            connector_id: None,
            project_id: None,
            location: None,
            registry: None,
            docker_hub_org_name: None,
            extra: Extra::new(),
        }
    }

    /// A public Docker V2 registry (no credential).
    pub fn v2(uri: impl Into<String>) -> Self {
        Self {
            registry_uri: Some(uri.into()),
            ..Self::of_type(RegistryType::V2)
        }
    }

    /// A private Docker V2 registry with user name and password.
    pub fn v2_private(
        uri: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        Self {
            registry_uri: Some(uri.into()),
            credential: Some(Credential::basic(username, password)),
            ..Self::of_type(RegistryType::V2Private)
        }
    }

    /// A Docker Hub registry with user name and password.
    pub fn docker_hub(
        uri: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        Self {
            registry_uri: Some(uri.into()),
            credential: Some(Credential::basic(username, password)),
            ..Self::of_type(RegistryType::DockerHub)
        }
    }

    /// An Azure Container Registry reached through an ACR connector.
    pub fn azure(uri: impl Into<String>, connector_id: impl Into<String>) -> Self {
        Self {
            registry_uri: Some(uri.into()),
            connector_id: Some(connector_id.into()),
            ..Self::of_type(RegistryType::Azure)
        }
    }

    /// An AWS ECR registry; `account_type` is `Global` or `US_Gov`.
    pub fn aws(
        uri: impl Into<String>,
        account_id: impl Into<String>,
        arn: impl Into<String>,
        region: impl Into<String>,
        account_type: impl Into<String>,
    ) -> Self {
        Self {
            registry_uri: Some(uri.into()),
            aws: Some(AwsAccount {
                account_id: Some(account_id.into()),
                arn: Some(arn.into()),
                region: Some(region.into()),
                account_type: Some(account_type.into()),
                extra: Extra::new(),
            }),
            ..Self::of_type(RegistryType::Aws)
        }
    }

    /// A Google Container Registry reached through a GCR connector.
    pub fn gcp(
        uri: impl Into<String>,
        connector_id: impl Into<String>,
        location: impl Into<String>,
        project_id: impl Into<String>,
    ) -> Self {
        Self {
            registry_uri: Some(uri.into()),
            connector_id: Some(connector_id.into()),
            location: Some(location.into()),
            project_id: Some(project_id.into()),
            ..Self::of_type(RegistryType::Gcp)
        }
    }

    /// A Google Artifact Registry repository reached through a GCAR connector.
    pub fn google_artifact_registry(
        uri: impl Into<String>,
        connector_id: impl Into<String>,
        project_id: impl Into<String>,
        registry: impl Into<String>,
    ) -> Self {
        Self {
            registry_uri: Some(uri.into()),
            connector_id: Some(connector_id.into()),
            project_id: Some(project_id.into()),
            registry: Some(registry.into()),
            ..Self::of_type(RegistryType::GoogleArtifactRegistry)
        }
    }

    /// Decodes a request from any JSON value; wrong JSON types are `validation` violations
    /// naming the field. Rule checks are [`validate_registry_request`]'s job.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let (req, problems) = decode_registry_request(value);
        if problems.is_empty() {
            Ok(req)
        } else {
            Err(Error::validation(problems))
        }
    }

    /// The wire body as JSON, **secrets included**: only for the request itself.
    pub fn to_wire_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The body with every password and token replaced by `"***"`: for logs, journals,
    /// plans and anything a person sees.
    pub fn redacted_value(&self) -> Value {
        let mut v = self.to_wire_value();
        redact_value(&mut v);
        v
    }

    /// The secrets this request carries (for callers that scrub text, e.g. a journal).
    pub fn secrets(&self) -> Vec<&Secret> {
        self.credential
            .iter()
            .flat_map(|c| c.password.iter().chain(c.access_token.iter()))
            .collect()
    }
}

impl std::fmt::Debug for RegistryRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Derived, except that a password in the URI's user-info is never shown.
        f.debug_struct("RegistryRequest")
            .field("registry_type", &self.registry_type)
            .field(
                "registry_uri",
                &self.registry_uri.as_deref().map(redact_uri),
            )
            .field("credential_type", &self.credential_type)
            .field("credential", &self.credential)
            .field("aws", &self.aws)
            .field("connector_id", &self.connector_id)
            .field("project_id", &self.project_id)
            .field("location", &self.location)
            .field("registry", &self.registry)
            .field("docker_hub_org_name", &self.docker_hub_org_name)
            .field("extra", &self.extra)
            .finish()
    }
}

/// A registry address with any `user:password@` replaced by `***@` (for display).
pub fn redact_uri(uri: &str) -> String {
    let (scheme, rest) = match uri.split_once("://") {
        Some((s, r)) => (format!("{s}://"), r),
        None => (String::new(), uri),
    };
    let end = rest.find('/').unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => uri.to_owned(),
    }
}

impl<'de> Deserialize<'de> for RegistryRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        RegistryRequest::from_value(&v).map_err(serde::de::Error::custom)
    }
}

/// Field names that hold secrets in a registry body (any depth): `password`, `accessToken`,
/// `token`.
pub const SECRET_FIELDS: &[&str] = &["password", "accessToken", "token"];

/// Replaces the value of every [`SECRET_FIELDS`] member, at any depth, with `"***"`.
/// For journals and logs of raw bodies that were never decoded.
pub fn redact_value(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if SECRET_FIELDS.contains(&k.as_str()) && !x.is_null() {
                    *x = Value::String("***".into());
                } else if let (true, Value::String(u)) = (k == "registryUri", &*x) {
                    *x = Value::String(redact_uri(u));
                } else {
                    redact_value(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_value),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding

const TOP_FIELDS: &[&str] = &[
    "registryType",
    "registryUri",
    "credentialType",
    "credential",
    "aws",
    "connectorId",
    "projectId",
    "location",
    "registry",
    "dockerHubOrgName",
];
const CREDENTIAL_FIELDS: &[&str] = &["username", "password", "accessToken", "token"];
const AWS_FIELDS: &[&str] = &["accountId", "arn", "region", "accountType"];

struct Dec {
    errors: Vec<Violation>,
}

impl Dec {
    fn string(&mut self, obj: &Map<String, Value>, base: &str, name: &str) -> Option<String> {
        match obj.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.errors.push(Violation::new(
                    format!("{base}/{}", pointer_token(name)),
                    "wrong_type",
                    format!("{name} must be a string, not {}", json_type(other)),
                ));
                None
            }
        }
    }

    fn object<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        base: &str,
        name: &str,
    ) -> Option<&'a Map<String, Value>> {
        match obj.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::Object(m)) => Some(m),
            Some(other) => {
                self.errors.push(Violation::new(
                    format!("{base}/{name}"),
                    "wrong_type",
                    format!("{name} must be an object, not {}", json_type(other)),
                ));
                None
            }
        }
    }
}

fn extra_of(obj: &Map<String, Value>, known: &[&str]) -> Extra {
    obj.iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Decodes leniently: what could be read, and every wrong JSON type.
pub fn decode_registry_request(value: &Value) -> (RegistryRequest, Vec<Violation>) {
    let mut d = Dec { errors: Vec::new() };
    let mut req = RegistryRequest::default();
    let Value::Object(obj) = value else {
        d.errors.push(Violation::new(
            "",
            "wrong_type",
            format!(
                "the registry request must be a JSON object, not {}",
                json_type(value)
            ),
        ));
        return (req, d.errors);
    };
    req.extra = extra_of(obj, TOP_FIELDS);
    if let Some(t) = d.string(obj, "", "registryType") {
        req.registry_type = RegistryType::from_wire(&t);
    }
    req.registry_uri = d.string(obj, "", "registryUri");
    req.credential_type = d.string(obj, "", "credentialType");
    if let Some(c) = d.object(obj, "", "credential") {
        let access = d.string(c, "/credential", "accessToken");
        let token = d.string(c, "/credential", "token");
        if let (Some(a), Some(t)) = (&access, &token)
            && a != t
        {
            d.errors.push(Violation::new(
                "/credential/token",
                "conflicting_fields",
                "token and accessToken are two spellings of the same field with different values; send only accessToken",
            ));
        }
        req.credential = Some(Credential {
            username: d.string(c, "/credential", "username"),
            password: d.string(c, "/credential", "password").map(Secret::new),
            access_token: access.or(token).map(Secret::new),
            extra: extra_of(c, CREDENTIAL_FIELDS),
        });
    }
    if let Some(a) = d.object(obj, "", "aws") {
        req.aws = Some(AwsAccount {
            account_id: d.string(a, "/aws", "accountId"),
            arn: d.string(a, "/aws", "arn"),
            region: d.string(a, "/aws", "region"),
            account_type: d.string(a, "/aws", "accountType"),
            extra: extra_of(a, AWS_FIELDS),
        });
    }
    req.connector_id = d.string(obj, "", "connectorId");
    req.project_id = d.string(obj, "", "projectId");
    req.location = d.string(obj, "", "location");
    req.registry = d.string(obj, "", "registry");
    req.docker_hub_org_name = d.string(obj, "", "dockerHubOrgName");
    (req, d.errors)
}

// ---------------------------------------------------------------------------------------------
// Rules

/// Every registry validation code with its severity, its source and a one-line description.
/// Sources as in spec §4: `doc` (Qualys's pages), `oas` (Qualys's OpenAPI file), `ours`.
pub const REGISTRY_RULES: &[(&str, Severity, &str, &str)] = &[
    (
        "wrong_type",
        Severity::Error,
        "ours",
        "a field has the wrong JSON type",
    ),
    (
        "conflicting_fields",
        Severity::Error,
        "ours",
        "accessToken and its alias token disagree",
    ),
    (
        "registry_type_required",
        Severity::Error,
        "doc",
        "registryType is missing or blank",
    ),
    (
        "invalid_registry_type",
        Severity::Error,
        "ours",
        "registryType is a misspelling of a known type",
    ),
    (
        "unknown_registry_type",
        Severity::Warning,
        "oas",
        "registryType is not a known value (sent as given)",
    ),
    (
        "registry_uri_required",
        Severity::Error,
        "ours",
        "registryUri missing for V2, V2_PRIVATE or DockerHub",
    ),
    (
        "registry_uri_recommended",
        Severity::Warning,
        "ours",
        "registryUri missing for a connector type: a lost create cannot be found again",
    ),
    (
        "invalid_registry_uri",
        Severity::Error,
        "ours",
        "registryUri has whitespace, a scheme other than http/https, or is blank",
    ),
    (
        "registry_uri_credentials",
        Severity::Error,
        "ours",
        "registryUri embeds user:password@; use credential instead",
    ),
    (
        "credential_required",
        Severity::Error,
        "doc",
        "V2_PRIVATE or DockerHub without a credential",
    ),
    (
        "username_required",
        Severity::Error,
        "doc",
        "credential without a username",
    ),
    (
        "password_required",
        Severity::Error,
        "doc",
        "credential without a password (or accessToken)",
    ),
    (
        "credential_not_used",
        Severity::Warning,
        "ours",
        "credential given for a connector type (Azure, AWS, GCP, GOOGLE_ARTIFACT_REGISTRY)",
    ),
    (
        "connector_id_required",
        Severity::Error,
        "doc",
        "Azure, GCP or GOOGLE_ARTIFACT_REGISTRY without connectorId",
    ),
    (
        "aws_required",
        Severity::Error,
        "doc",
        "AWS without the aws object",
    ),
    (
        "account_id_required",
        Severity::Error,
        "doc",
        "AWS without aws.accountId",
    ),
    (
        "invalid_account_id",
        Severity::Error,
        "ours",
        "aws.accountId is not 12 digits",
    ),
    (
        "arn_required",
        Severity::Error,
        "doc",
        "AWS without aws.arn",
    ),
    (
        "invalid_arn",
        Severity::Error,
        "ours",
        "aws.arn does not start with arn:",
    ),
    (
        "region_required",
        Severity::Error,
        "doc",
        "AWS without aws.region",
    ),
    (
        "account_type_required",
        Severity::Error,
        "doc",
        "AWS without aws.accountType",
    ),
    (
        "invalid_account_type",
        Severity::Error,
        "doc",
        "aws.accountType is not Global or US_Gov",
    ),
    (
        "region_not_gov_cloud",
        Severity::Error,
        "doc",
        "accountType US_Gov with a region that is not a GovCloud region (us-gov-*)",
    ),
    (
        "location_required",
        Severity::Error,
        "doc",
        "GCP without location",
    ),
    (
        "project_id_required",
        Severity::Error,
        "doc",
        "GCP or GOOGLE_ARTIFACT_REGISTRY without projectId",
    ),
    (
        "registry_name_required",
        Severity::Error,
        "doc",
        "GOOGLE_ARTIFACT_REGISTRY without registry (the repository name)",
    ),
    (
        "field_not_for_type",
        Severity::Warning,
        "ours",
        "a field that only another registryType uses",
    ),
    (
        "unknown_field",
        Severity::Warning,
        "ours",
        "a field this SDK does not know (sent as given)",
    ),
];

fn quoted(s: &str) -> String {
    format!("{:?}", truncate_for_message(s, 60))
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn push(r: &mut Report, path: &str, code: &str, message: String) {
    let sev = REGISTRY_RULES
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, s, ..)| *s);
    debug_assert!(sev.is_some(), "{code} is missing from REGISTRY_RULES");
    let sev = sev.unwrap_or(Severity::Error);
    let v = Violation::new(path, code, message);
    match sev {
        Severity::Error => r.errors.push(v),
        Severity::Warning => r.warnings.push(v),
    }
}

fn is_connector_type(t: &RegistryType) -> bool {
    matches!(
        t,
        RegistryType::Azure | RegistryType::Aws | RegistryType::Gcp
    ) || *t == RegistryType::GoogleArtifactRegistry
}

/// Checks every rule of [`REGISTRY_RULES`]; all problems at once.
pub fn check_registry_request(req: &RegistryRequest) -> Report {
    let mut r = Report::default();
    let t = &req.registry_type;
    let tname = t.as_str().to_owned();

    // registryType
    match t {
        RegistryType::Other(s) if s.trim().is_empty() => push(
            &mut r,
            "/registryType",
            "registry_type_required",
            format!(
                "registryType is required; set it to one of {}",
                RegistryType::known_list()
            ),
        ),
        RegistryType::Other(s) => {
            let known: Vec<&str> = RegistryType::KNOWN
                .iter()
                .map(RegistryType::as_str)
                .collect();
            let near = RegistryType::parse_loose(s)
                .map(|k| k.as_str().to_owned())
                .or_else(|| suggest(s, &known).map(str::to_owned));
            match near {
                Some(k) => push(
                    &mut r,
                    "/registryType",
                    "invalid_registry_type",
                    format!(
                        "registryType {} is not a registry type (did you mean {k}?); use one of {}",
                        quoted(s),
                        RegistryType::known_list()
                    ),
                ),
                None => push(
                    &mut r,
                    "/registryType",
                    "unknown_registry_type",
                    format!(
                        "registryType {} is not one this SDK knows ({}); it is sent as given and its fields are not checked",
                        quoted(s),
                        RegistryType::known_list()
                    ),
                ),
            }
        }
        _ => {}
    }

    // registryUri
    match &req.registry_uri {
        None => {
            if matches!(
                t,
                RegistryType::V2 | RegistryType::V2Private | RegistryType::DockerHub
            ) {
                push(
                    &mut r,
                    "/registryUri",
                    "registry_uri_required",
                    format!(
                        "registryUri is required for registryType {tname}; set it to the registry's address, e.g. \"https://registry.example.com\""
                    ),
                );
            } else if is_connector_type(t) {
                push(
                    &mut r,
                    "/registryUri",
                    "registry_uri_recommended",
                    "registryUri is not set: without it a create whose answer was lost cannot be found again, so the client will not retry it; set it to the registry's address".to_owned(),
                );
            }
        }
        Some(uri) => check_uri(&mut r, uri),
    }

    // credential
    let needs_credential = matches!(t, RegistryType::V2Private | RegistryType::DockerHub);
    match &req.credential {
        None if needs_credential => push(
            &mut r,
            "/credential",
            "credential_required",
            format!(
                "registryType {tname} needs a credential; set credential.username and credential.password (or credential.accessToken for JFrog)"
            ),
        ),
        None => {}
        Some(c) if is_connector_type(t) => {
            let _ = c;
            push(
                &mut r,
                "/credential",
                "credential_not_used",
                format!(
                    "registryType {tname} reaches the registry through its connector, not a user name and password; remove credential"
                ),
            );
        }
        Some(c) => {
            if blank(&c.username) {
                push(
                    &mut r,
                    "/credential/username",
                    "username_required",
                    "credential.username is required and must not be blank; set the user Qualys logs in to the registry as".to_owned(),
                );
            }
            let secret_ok = c.password.as_ref().is_some_and(|p| !p.is_blank())
                || c.access_token.as_ref().is_some_and(|p| !p.is_blank());
            if !secret_ok {
                push(
                    &mut r,
                    "/credential/password",
                    "password_required",
                    "credential.password is required and must not be blank (JFrog: credential.accessToken); pass it from an environment variable or a file, never in code".to_owned(),
                );
            }
            unknown_fields(&mut r, "/credential", &c.extra, CREDENTIAL_FIELDS);
        }
    }

    // per-type connector fields
    let needs_connector = matches!(t, RegistryType::Azure | RegistryType::Gcp)
        || *t == RegistryType::GoogleArtifactRegistry;
    if needs_connector && blank(&req.connector_id) {
        push(
            &mut r,
            "/connectorId",
            "connector_id_required",
            format!(
                "connectorId is required for registryType {tname}; set it to the id of the connector Qualys uses to reach the registry (list them with the connector listing)"
            ),
        );
    }
    if *t == RegistryType::Gcp && blank(&req.location) {
        push(
            &mut r,
            "/location",
            "location_required",
            "location is required for registryType GCP; set it to the location of the GCP account, e.g. \"us\"".to_owned(),
        );
    }
    if (*t == RegistryType::Gcp || *t == RegistryType::GoogleArtifactRegistry)
        && blank(&req.project_id)
    {
        push(
            &mut r,
            "/projectId",
            "project_id_required",
            format!(
                "projectId is required for registryType {tname}; set it to the GCP project id, e.g. \"cs-registry\""
            ),
        );
    }
    if *t == RegistryType::GoogleArtifactRegistry && blank(&req.registry) {
        push(
            &mut r,
            "/registry",
            "registry_name_required",
            "registry is required for registryType GOOGLE_ARTIFACT_REGISTRY; set it to the Artifact Registry repository name, e.g. \"docker-v2-repo\"".to_owned(),
        );
    }

    // AWS
    if *t == RegistryType::Aws {
        match &req.aws {
            None => push(
                &mut r,
                "/aws",
                "aws_required",
                "registryType AWS needs aws {accountId, arn, region, accountType}; add the aws object".to_owned(),
            ),
            Some(a) => check_aws(&mut r, a),
        }
    }

    // fields of other types
    let other = |r: &mut Report, present: bool, path: &str, field: &str, types: &str| {
        if present {
            push(
                r,
                path,
                "field_not_for_type",
                format!(
                    "{field} is only used with registryType {types}, not {tname}; remove it (it is sent as given)"
                ),
            );
        }
    };
    if t.is_known() {
        other(
            &mut r,
            req.aws.is_some() && *t != RegistryType::Aws,
            "/aws",
            "aws",
            "AWS",
        );
        other(
            &mut r,
            req.connector_id.is_some() && !needs_connector,
            "/connectorId",
            "connectorId",
            "Azure, GCP or GOOGLE_ARTIFACT_REGISTRY",
        );
        other(
            &mut r,
            req.location.is_some() && *t != RegistryType::Gcp,
            "/location",
            "location",
            "GCP",
        );
        other(
            &mut r,
            req.project_id.is_some()
                && !(*t == RegistryType::Gcp || *t == RegistryType::GoogleArtifactRegistry),
            "/projectId",
            "projectId",
            "GCP or GOOGLE_ARTIFACT_REGISTRY",
        );
        other(
            &mut r,
            req.registry.is_some() && *t != RegistryType::GoogleArtifactRegistry,
            "/registry",
            "registry",
            "GOOGLE_ARTIFACT_REGISTRY",
        );
        other(
            &mut r,
            req.docker_hub_org_name.is_some() && *t != RegistryType::DockerHub,
            "/dockerHubOrgName",
            "dockerHubOrgName",
            "DockerHub",
        );
    }

    unknown_fields(&mut r, "", &req.extra, TOP_FIELDS);
    r
}

fn check_uri(r: &mut Report, uri: &str) {
    let u = uri.trim();
    if u.is_empty() || uri.chars().any(char::is_whitespace) {
        push(
            r,
            "/registryUri",
            "invalid_registry_uri",
            format!(
                "registryUri must be an address without spaces, e.g. \"https://registry.example.com\"; got {}",
                quoted(uri)
            ),
        );
        return;
    }
    let rest = match u.split_once("://") {
        Some((scheme, rest)) => {
            if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
                push(
                    r,
                    "/registryUri",
                    "invalid_registry_uri",
                    format!(
                        "registryUri must use https:// (or http://), not {scheme}://; e.g. \"https://registry.example.com\""
                    ),
                );
            }
            rest
        }
        None => u,
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        // Never echo the URI: it holds a password.
        push(
            r,
            "/registryUri",
            "registry_uri_credentials",
            "registryUri must not contain user:password@; remove them from the address and set credential.username and credential.password instead".to_owned(),
        );
    } else if authority.is_empty() {
        push(
            r,
            "/registryUri",
            "invalid_registry_uri",
            format!(
                "registryUri has no host; e.g. \"https://registry.example.com\"; got {}",
                quoted(uri)
            ),
        );
    }
}

fn check_aws(r: &mut Report, a: &AwsAccount) {
    match a.account_id.as_deref().map(str::trim) {
        None | Some("") => push(
            r,
            "/aws/accountId",
            "account_id_required",
            "aws.accountId is required for registryType AWS; set it to the 12-digit AWS account id"
                .to_owned(),
        ),
        Some(id) if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) => push(
            r,
            "/aws/accountId",
            "invalid_account_id",
            format!(
                "aws.accountId must be the 12-digit AWS account id; got {}",
                quoted(id)
            ),
        ),
        Some(_) => {}
    }
    match a.arn.as_deref().map(str::trim) {
        None | Some("") => push(
            r,
            "/aws/arn",
            "arn_required",
            "aws.arn is required for registryType AWS; set it to the ARN of the role Qualys assumes, e.g. \"arn:aws:iam::123456789012:role/qualys-cs\"".to_owned(),
        ),
        Some(arn) if !arn.starts_with("arn:") => push(
            r,
            "/aws/arn",
            "invalid_arn",
            format!(
                "aws.arn must be an ARN starting with \"arn:\", e.g. \"arn:aws:iam::123456789012:role/qualys-cs\"; got {}",
                quoted(arn)
            ),
        ),
        Some(_) => {}
    }
    if blank(&a.region) {
        push(
            r,
            "/aws/region",
            "region_required",
            "aws.region is required for registryType AWS; set it to the region of the registry, e.g. \"us-east-1\"".to_owned(),
        );
    }
    match a.account_type.as_deref() {
        None => push(
            r,
            "/aws/accountType",
            "account_type_required",
            "aws.accountType is required for registryType AWS; set it to Global or US_Gov"
                .to_owned(),
        ),
        Some(k) if !ACCOUNT_TYPES.contains(&k) => {
            let hint = ACCOUNT_TYPES
                .iter()
                .find(|a| a.eq_ignore_ascii_case(k.trim()))
                .copied()
                .or_else(|| suggest(k, ACCOUNT_TYPES))
                .map(|n| format!(" (did you mean {n}?)"))
                .unwrap_or_default();
            push(
                r,
                "/aws/accountType",
                "invalid_account_type",
                format!(
                    "aws.accountType must be Global or US_Gov; got {}{hint}",
                    quoted(k)
                ),
            );
        }
        Some(k) => {
            if k == ACCOUNT_TYPE_US_GOV
                && let Some(region) = a.region.as_deref().filter(|s| !s.trim().is_empty())
                && !region.trim().starts_with("us-gov-")
            {
                push(
                    r,
                    "/aws/region",
                    "region_not_gov_cloud",
                    format!(
                        "aws.accountType US_Gov needs a US GovCloud region (us-gov-west-1 or us-gov-east-1); got {}",
                        quoted(region)
                    ),
                );
            }
        }
    }
    unknown_fields(r, "/aws", &a.extra, AWS_FIELDS);
}

fn unknown_fields(r: &mut Report, base: &str, extra: &Extra, known: &[&str]) {
    for k in extra.keys() {
        let hint = suggest(k, known)
            .map(|n| format!("; did you mean {n}?"))
            .unwrap_or_default();
        push(
            r,
            &format!("{base}/{}", pointer_token(k)),
            "unknown_field",
            format!("{k} is not a field this SDK knows; it is sent as given{hint}"),
        );
    }
}

/// Validates a registry request: `Ok(warnings)`, or the `validation` error with every problem.
pub fn validate_registry_request(req: &RegistryRequest) -> Result<Vec<Violation>, Error> {
    check_registry_request(req).into_result()
}

/// Decodes and validates arbitrary JSON (what Python dicts, JS objects and the emulator's
/// request bodies are): type errors and rule errors together, all at once.
pub fn validate_registry_value(value: &Value) -> Report {
    let (req, type_errors) = decode_registry_request(value);
    if !value.is_object() {
        return Report {
            errors: type_errors,
            warnings: Vec::new(),
        };
    }
    let mut r = check_registry_request(&req);
    if !type_errors.is_empty() {
        // A field of the wrong type was read as absent: drop the "required" error its absence
        // caused at the same path, keep the type error.
        let typed: Vec<&str> = type_errors.iter().map(|v| v.path.as_str()).collect();
        r.errors.retain(|e| !typed.contains(&e.path.as_str()));
        let mut all = type_errors;
        all.append(&mut r.errors);
        r.errors = all;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(r: &Report) -> Vec<(&str, &str)> {
        r.errors
            .iter()
            .map(|v| (v.path.as_str(), v.code.as_str()))
            .collect()
    }

    #[test]
    fn constructors_are_valid() {
        for req in [
            RegistryRequest::v2("https://registry.example.com"),
            RegistryRequest::v2_private("https://registry.example.com", "u", "p"),
            RegistryRequest::docker_hub("https://registry-1.docker.io", "u", "p"),
            RegistryRequest::azure("acme.azurecr.io", "c-1"),
            RegistryRequest::aws(
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                "123456789012",
                "arn:aws:iam::123456789012:role/q",
                "us-east-1",
                "Global",
            ),
            RegistryRequest::gcp("gcr.io", "c-2", "us", "cs-registry"),
            RegistryRequest::google_artifact_registry(
                "us-docker.pkg.dev",
                "c-3",
                "cs-registry",
                "docker-v2-repo",
            ),
        ] {
            let r = check_registry_request(&req);
            assert_eq!(r.errors, [], "{}", req.registry_type);
            assert_eq!(r.warnings, [], "{}", req.registry_type);
        }
    }

    #[test]
    fn secrets_go_on_the_wire_but_never_print() {
        let req = RegistryRequest::v2_private("https://r.example", "bot", "pa55-w0rd");
        assert!(!format!("{req:?}").contains("pa55-w0rd"));
        assert!(!req.redacted_value().to_string().contains("pa55-w0rd"));
        assert_eq!(req.to_wire_value()["credential"]["password"], "pa55-w0rd");
        let back: RegistryRequest = serde_json::from_value(req.to_wire_value()).expect("reads");
        assert_eq!(back, req);
    }

    #[test]
    fn misspelt_type_is_an_error_with_a_hint_unknown_type_a_warning() {
        let r = validate_registry_value(&json!({"registryType": "dockerhub", "registryUri": "x"}));
        assert_eq!(codes(&r), [("/registryType", "invalid_registry_type")]);
        assert!(r.errors[0].message.contains("did you mean DockerHub?"));
        let r = validate_registry_value(&json!({"registryType": "QUAY", "registryUri": "x"}));
        assert_eq!(codes(&r), []);
        assert_eq!(r.warnings[0].code, "unknown_registry_type");
    }

    #[test]
    fn uri_with_password_is_refused_without_echoing_it() {
        let r = validate_registry_value(&json!({
            "registryType": "V2", "registryUri": "https://bot:hunter2@r.example"
        }));
        assert_eq!(codes(&r), [("/registryUri", "registry_uri_credentials")]);
        assert!(!r.errors[0].message.contains("hunter2"));
    }
}
