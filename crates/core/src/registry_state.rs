//! Registries in the desired state (`manage:`), and their part of a plan.
//!
//! A `registries:` entry of a desired-state file may say how the registry itself should be:
//!
//! ```yaml
//! registries:
//!   - registry: registry.acme.example          # matched by UUID, URI (or name where reported)
//!     manage:
//!       type: V2_PRIVATE
//!       uri: https://registry.acme.example     # optional: defaults to `registry`
//!       credential:
//!         username: ci-bot
//!         passwordEnv: ACME_REGISTRY_PASSWORD  # or passwordFile | tokenEnv | tokenFile
//!         rotatedAt: "2026-11-30T09:00:00Z"    # optional: when the secret last changed
//!       ensure: present                        # or absent
//!     schedules: [ ... ]
//! ```
//!
//! Credentials are only ever **references**; a literal `password` or `token` in the file is an
//! error naming the line. Resolving a reference is I/O, so the core never does it: callers pass
//! a [`SecretResolver`] (the client's reads the environment and files).
//!
//! **What a plan can know about a registry.** The server reports `registryUri`,
//! `registryType`, the `aws` account id, ARN and region, `dockerHubOrg` and
//! `credential.username` (spec §6b); it never reports a password or token, and Qualys's
//! documented answers do not carry `connectorId`, `projectId`, `location`, `registry`,
//! `aws.accountType` or `credentialType` either. A field the answer carries is compared; one it
//! does not carry is listed in [`RegistryPlanItem::unverified`] and is *not* taken as a change:
//! taking it as one would update every managed registry on every run and no plan would ever be
//! empty. A secret's change is known only when it is declared: `credential.rotatedAt` later
//! than the registry's `updated` time (which the server reports), or `update_credentials` for
//! one run. `docs/registries.md` gives the reasoning.

use crate::enums::RegistryType;
use crate::error::{Error, Violation};
use crate::lookup::{find_registry, uri_key};
use crate::model::{Millis, Registry};
use crate::plan::{Action, ActualRegistry, Change};
use crate::registry::{AwsAccount, Credential, RegistryRequest, check_registry_request};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Whether a managed registry should exist.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Ensure {
    /// Create it when missing, update it when it differs.
    #[default]
    Present,
    /// Delete it (after its schedules).
    Absent,
}

/// Where a secret comes from. The desired state never holds a secret itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SecretRef {
    /// A password in an environment variable (`passwordEnv`).
    PasswordEnv {
        /// Variable name.
        name: String,
    },
    /// A password in a file (`passwordFile`); one trailing newline is dropped.
    PasswordFile {
        /// File path, as written.
        path: String,
    },
    /// An access token (JFrog) in an environment variable (`tokenEnv`).
    TokenEnv {
        /// Variable name.
        name: String,
    },
    /// An access token (JFrog) in a file (`tokenFile`).
    TokenFile {
        /// File path, as written.
        path: String,
    },
}

impl SecretRef {
    /// True for `tokenEnv` / `tokenFile` (sent as `credential.accessToken`).
    pub fn is_token(&self) -> bool {
        matches!(
            self,
            SecretRef::TokenEnv { .. } | SecretRef::TokenFile { .. }
        )
    }

    /// The file key that set it (`passwordEnv`, ...).
    pub fn key(&self) -> &'static str {
        match self {
            SecretRef::PasswordEnv { .. } => "passwordEnv",
            SecretRef::PasswordFile { .. } => "passwordFile",
            SecretRef::TokenEnv { .. } => "tokenEnv",
            SecretRef::TokenFile { .. } => "tokenFile",
        }
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::PasswordEnv { name } | SecretRef::TokenEnv { name } => {
                write!(f, "environment variable {name}")
            }
            SecretRef::PasswordFile { path } | SecretRef::TokenFile { path } => {
                write!(f, "file {path}")
            }
        }
    }
}

/// Resolves a [`SecretRef`] to the secret (I/O: the client and the CLI supply one).
pub trait SecretResolver {
    /// The secret, or an error naming the reference (never its value).
    fn resolve(&self, r: &SecretRef) -> Result<Secret, Error>;
}

impl<F: Fn(&SecretRef) -> Result<Secret, Error>> SecretResolver for F {
    fn resolve(&self, r: &SecretRef) -> Result<Secret, Error> {
        self(r)
    }
}

/// A credential as the desired state gives it: a user name and a secret *reference*.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ManagedCredential {
    /// User name.
    pub username: Option<String>,
    /// Where the password or token comes from.
    pub secret: Option<SecretRef>,
    /// When the secret last changed, as the file declares (`rotatedAt`): a plan updates the
    /// registry when this is later than the registry's `updated` time.
    #[serde(default, deserialize_with = "opt_millis")]
    pub rotated_at: Option<Millis>,
}

/// How a registry should be (the `manage:` block of a desired-state entry).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ManagedRegistry {
    /// `registryType`.
    pub registry_type: RegistryType,
    /// `registryUri`: `manage.uri`, else the entry's `registry`.
    pub uri: String,
    /// `credentialType`, sent as given.
    pub credential_type: Option<String>,
    /// User name and secret reference.
    pub credential: Option<ManagedCredential>,
    /// AWS account (registryType AWS).
    pub aws: Option<AwsAccount>,
    /// `connectorId` (Azure, GCP, GOOGLE_ARTIFACT_REGISTRY).
    pub connector_id: Option<String>,
    /// `projectId` (GCP, GOOGLE_ARTIFACT_REGISTRY).
    pub project_id: Option<String>,
    /// `location` (GCP).
    pub location: Option<String>,
    /// `registry`: the Artifact Registry repository (GOOGLE_ARTIFACT_REGISTRY).
    pub registry: Option<String>,
    /// `dockerHubOrgName` (DockerHub).
    pub docker_hub_org_name: Option<String>,
    /// Present (default) or absent.
    pub ensure: Ensure,
    /// Line of the `manage:` key in the file, when known.
    pub line: Option<u64>,
}

impl ManagedRegistry {
    /// The request body with `secret` in the credential (`None`: no secret).
    pub fn to_request(&self, secret: Option<Secret>) -> RegistryRequest {
        let credential = self.credential.as_ref().map(|c| {
            let token = c.secret.as_ref().is_some_and(SecretRef::is_token);
            Credential {
                username: c.username.clone(),
                password: if token { None } else { secret.clone() },
                access_token: if token { secret.clone() } else { None },
                extra: Default::default(),
            }
        });
        RegistryRequest {
            registry_type: self.registry_type.clone(),
            registry_uri: Some(self.uri.clone()),
            credential_type: self.credential_type.clone(),
            credential,
            aws: self.aws.clone(),
            connector_id: self.connector_id.clone(),
            project_id: self.project_id.clone(),
            location: self.location.clone(),
            registry: self.registry.clone(),
            docker_hub_org_name: self.docker_hub_org_name.clone(),
            extra: Default::default(),
        }
    }

    /// The request body with the secret resolved, validated (every rule of
    /// [`crate::registry::REGISTRY_RULES`]). Errors name the reference, never the value.
    pub fn request_with(&self, resolver: &dyn SecretResolver) -> Result<RegistryRequest, Error> {
        let secret = match self.credential.as_ref().and_then(|c| c.secret.as_ref()) {
            Some(r) => Some(resolver.resolve(r)?),
            None => None,
        };
        let req = self.to_request(secret);
        check_registry_request(&req).into_result()?;
        Ok(req)
    }

    /// The secret reference, when the credential has one.
    pub fn secret_ref(&self) -> Option<&SecretRef> {
        self.credential.as_ref().and_then(|c| c.secret.as_ref())
    }
}

/// One registry line of a plan. It never holds a secret: apply resolves the reference.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegistryPlanItem {
    /// The registry as the file names it.
    pub registry: String,
    /// Its UUID, when it exists.
    pub registry_id: Option<String>,
    /// Create, Update, Delete, Unchanged or Skip.
    pub action: Action,
    /// How it should be (no secret values).
    pub manage: ManagedRegistry,
    /// Fields that differ. A credential change is the field `credential` with no values.
    pub changes: Vec<Change>,
    /// Fields the server's answer did not carry, so they could not be compared.
    pub unverified: Vec<String>,
    /// Why (skip), or a note.
    pub reason: Option<String>,
}

/// Registry plan options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RegistryPlanOptions {
    /// Send the credential of every managed registry that has one, even though no change can
    /// be seen (after a rotation the file did not declare with `rotatedAt`).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub update_credentials: bool,
}

/// Finds the existing registry a desired entry names: its `registry` reference, then (for a
/// managed entry) `manage.uri`. `Ok(None)` when nothing matches; `Err` when ambiguous.
pub fn resolve_entry<'a>(
    reference: &str,
    manage: Option<&ManagedRegistry>,
    actual: &'a [ActualRegistry],
) -> Result<Option<&'a ActualRegistry>, String> {
    let registries: Vec<Registry> = actual.iter().map(|a| a.registry.clone()).collect();
    let by = |r: &str| match find_registry(r, &registries) {
        Ok(found) => Ok(actual
            .iter()
            .find(|a| a.registry.registry_uuid == found.registry_uuid)),
        Err(crate::lookup::RegistryLookupError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.to_string()),
    };
    match by(reference)? {
        Some(a) => Ok(Some(a)),
        None => match manage {
            Some(m) if uri_key(&m.uri) != uri_key(reference) => by(&m.uri),
            _ => Ok(None),
        },
    }
}

/// A field of the server's answer (from the registry's `extra`), by JSON pointer; the first
/// pointer that holds a non-null value wins.
fn reported(r: &Registry, pointers: &[&str]) -> Option<Value> {
    let extra = Value::Object(r.extra.clone().into_iter().collect());
    pointers
        .iter()
        .find_map(|p| extra.pointer(p).filter(|v| !v.is_null()).cloned())
}

fn text(v: Option<Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The registry part of a plan for one desired entry with `manage:`.
pub fn plan_registry(
    reference: &str,
    m: &ManagedRegistry,
    found: Result<Option<&ActualRegistry>, String>,
    opts: &RegistryPlanOptions,
) -> RegistryPlanItem {
    let mut item = RegistryPlanItem {
        registry: reference.to_owned(),
        registry_id: None,
        action: Action::Unchanged,
        manage: m.clone(),
        changes: Vec::new(),
        unverified: Vec::new(),
        reason: None,
    };
    let existing = match found {
        Err(reason) => {
            item.action = Action::Skip;
            item.reason = Some(reason);
            return item;
        }
        Ok(None) => {
            match m.ensure {
                Ensure::Present => item.action = Action::Create,
                Ensure::Absent => {
                    item.reason = Some("absent, as the file asks".into());
                }
            }
            return item;
        }
        Ok(Some(a)) => a,
    };
    let r = &existing.registry;
    item.registry_id = Some(r.registry_uuid.clone());
    if m.ensure == Ensure::Absent {
        let running: Vec<&str> = existing
            .schedules
            .iter()
            .filter(|s| s.status().is_running())
            .map(|s| s.name.as_str())
            .collect();
        if running.is_empty() {
            item.action = Action::Delete;
        } else {
            item.action = Action::Skip;
            item.reason = Some(format!(
                "ensure: absent, but schedule{} {} {} running: a registry whose schedules are Running cannot be deleted; apply again when the job has finished",
                if running.len() == 1 { "" } else { "s" },
                running.join(", "),
                if running.len() == 1 { "is" } else { "are" },
            ));
        }
        return item;
    }
    if let Some(t) = &r.registry_type
        && *t != m.registry_type
    {
        item.action = Action::Skip;
        item.reason = Some(format!(
            "the registry exists with registryType {t}, the file says {}: a registry's type is not changed in place; correct the file, or delete the registry and apply again",
            m.registry_type
        ));
        return item;
    }

    if let Some(u) = &r.registry_uri
        && uri_key(u) != uri_key(&m.uri)
    {
        item.action = Action::Skip;
        item.reason = Some(format!(
            "the registry exists with registryUri {u}, the file says {}: a registry's URI is not changed in place; correct the file, or delete the registry and apply again",
            m.uri
        ));
        return item;
    }

    if r.registry_uri.is_none() {
        item.unverified.push("registryUri".into());
    }
    let mut compare = |field: &str, want: Option<String>, got: Option<String>, shown: bool| {
        let Some(want) = want else { return };
        match got {
            None => item.unverified.push(field.to_owned()),
            Some(g) if g != want => item.changes.push(Change {
                field: field.to_owned(),
                from: if shown { Value::from(g) } else { Value::Null },
                to: if shown {
                    Value::from(want)
                } else {
                    Value::from("changed")
                },
                forces_replacement: false,
                unknown: false,
            }),
            Some(_) => {}
        }
    };
    if let Some(a) = &m.aws {
        compare(
            "aws.accountId",
            a.account_id.clone(),
            text(reported(r, &["/aws/accountId", "/awsAccountId"])),
            true,
        );
        compare(
            "aws.arn",
            a.arn.clone(),
            text(reported(r, &["/aws/arn"])),
            true,
        );
        compare(
            "aws.region",
            a.region.clone(),
            text(reported(r, &["/aws/region", "/awsRegion"])),
            true,
        );
        compare(
            "aws.accountType",
            a.account_type.clone(),
            text(reported(r, &["/aws/accountType"])),
            true,
        );
    }
    compare(
        "connectorId",
        m.connector_id.clone(),
        text(reported(r, &["/connectorId"])),
        true,
    );
    compare(
        "projectId",
        m.project_id.clone(),
        text(reported(r, &["/projectId"])),
        true,
    );
    compare(
        "location",
        m.location.clone(),
        text(reported(r, &["/location"])),
        true,
    );
    compare(
        "registry",
        m.registry.clone(),
        text(reported(r, &["/registry"])),
        true,
    );
    compare(
        "dockerHubOrgName",
        m.docker_hub_org_name.clone(),
        text(reported(r, &["/dockerHubOrgName", "/dockerHubOrg"])),
        true,
    );
    compare(
        "credentialType",
        m.credential_type.clone(),
        text(reported(r, &["/credentialType"])),
        true,
    );
    // The credential: the user name is reported (RegistryDetails `credential {username}`);
    // a password or token never is. The plan shows "credential changed", never values.
    let mut credential_reasons: Vec<String> = Vec::new();
    if let Some(c) = &m.credential {
        if let Some(u) = &c.username {
            match text(reported(r, &["/credential/username"])) {
                Some(g) if g != *u => credential_reasons.push("username".into()),
                Some(_) => {}
                None => item.unverified.push("credential.username".into()),
            }
        }
        if let Some(secret) = &c.secret {
            let what = if secret.is_token() {
                "credential.accessToken"
            } else {
                "credential.password"
            };
            match (c.rotated_at, r.updated) {
                (Some(at), Some(updated)) if at > updated => credential_reasons.push(format!(
                    "rotatedAt {} is later than the registry's last update {}",
                    show_millis(at),
                    show_millis(updated)
                )),
                (Some(_), None) => credential_reasons.push(
                    "rotatedAt is set and the server does not report when the registry was last updated"
                        .into(),
                ),
                _ => {}
            }
            if opts.update_credentials && credential_reasons.is_empty() {
                credential_reasons.push("update of credentials requested".into());
            }
            if credential_reasons.is_empty() {
                item.unverified.push(what.to_owned());
            }
        }
    }
    if !credential_reasons.is_empty() {
        item.changes.push(Change {
            field: "credential".into(),
            from: Value::Null,
            to: Value::from(format!("changed ({})", credential_reasons.join("; "))),
            forces_replacement: false,
            unknown: false,
        });
    }
    if !item.changes.is_empty() {
        item.action = Action::Update;
    }
    if !item.unverified.is_empty() {
        item.reason = Some(format!(
            "not compared, the server does not report {}",
            item.unverified.join(", ")
        ));
    }
    item
}

fn opt_millis<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Millis>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().map(Millis),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .map(Millis)
            .or_else(|| parse_rotated_at(&s)),
        _ => None,
    })
}

fn show_millis(m: Millis) -> String {
    m.to_timestamp()
        .map(|t| t.to_string())
        .unwrap_or_else(|| m.0.to_string())
}

/// Parses a `rotatedAt` value: RFC 3339 text.
pub fn parse_rotated_at(s: &str) -> Option<Millis> {
    s.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(Millis::from_timestamp)
}

/// Violations of the request a managed entry makes, as far as the file can tell (the secret
/// is a placeholder: its value is only known when it is resolved).
pub fn check_managed(m: &ManagedRegistry) -> crate::validate::Report {
    let placeholder = m
        .secret_ref()
        .map(|_| Secret::new("placeholder-of-a-secret-reference"));
    check_registry_request(&m.to_request(placeholder))
}

/// Maps a request pointer (`/credential/password`) to the `manage:` key that sets it.
pub fn manage_path(req_path: &str, mp: &str) -> String {
    match req_path {
        "/registryType" => format!("{mp}/type"),
        "/registryUri" => format!("{mp}/uri"),
        "/credential/password" | "/credential/accessToken" => {
            format!("{mp}/credential/passwordEnv")
        }
        p => format!("{mp}{p}"),
    }
}

/// A violation at a `manage:` path (helper for the desired-state parser).
pub fn at_manage(v: Violation, mp: &str) -> Violation {
    Violation::new(manage_path(&v.path, mp), v.code, v.message)
}
