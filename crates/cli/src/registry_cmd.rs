//! `qualys-cs registry create|update|validate|delete|connectors`: registries as code from a
//! terminal or a CI job.
//!
//! A registry's password or token is never an argument (it would show in `ps`, shell history
//! and CI logs): it comes from an environment variable (`--password-env NAME`,
//! `--token-env NAME`) or the first line of standard input (`--registry-password-stdin`,
//! `--registry-token-stdin`; `--password-stdin` is the Qualys login's). `--password VALUE` is
//! refused before anything runs (see `main.rs`). The value goes into the request and nowhere
//! else: not in output, `--dry-run` bodies (`***`), errors or logs.

use crate::CliError;
use crate::args::{Global, OutputFormat};
use crate::connect;
use crate::output::{self, emit};
use clap::{Args, Subcommand};
use qualys_cs_client::{Client, ConnectorKind};
use qualys_cs_core::registry::{AwsAccount, Credential};
use qualys_cs_core::{Error, RegistryId, RegistryRequest, RegistryType, Secret};
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};

type R = Result<(), CliError>;

/// The registry write commands (`registry create|update|validate|delete|connectors`).
#[derive(Debug, Subcommand)]
pub enum RegistryWriteCmd {
    /// Create a registry (its secret from --password-env/--token-env or standard input).
    Create(RegistrySpec),
    /// Update a registry (name, URI or UUID); type and URI cannot change.
    Update {
        /// Registry name, URI or UUID.
        registry: String,
        #[command(flatten)]
        spec: RegistrySpec,
    },
    /// Ask the service whether it would accept this registry (connector, account,
    /// credentials, not existing yet). Exit 3 when it would not.
    Validate(RegistrySpec),
    /// Delete registries (name, URI or UUID) with their schedules; refused while one of
    /// their schedules is Running.
    Delete {
        /// Registry names, URIs or UUIDs.
        #[arg(required = true)]
        registries: Vec<String>,
        /// Delete without asking.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// List the connectors an Azure, AWS, GCP or Google Artifact Registry registry names.
    Connectors {
        /// acr, aws or gcp.
        kind: String,
    },
}

/// What a registry request is made of, as flags (names as the Qualys pages spell them).
#[derive(Debug, Args)]
pub struct RegistrySpec {
    /// Registry type: V2, V2_PRIVATE, DockerHub, AWS, Azure, GCP, GOOGLE_ARTIFACT_REGISTRY.
    #[arg(long = "type", value_name = "TYPE")]
    pub registry_type: String,
    /// Registry URI, e.g. https://registry.acme.example.
    #[arg(long)]
    pub uri: String,
    /// Credential type as the service names it (e.g. BasicAuth, Token); optional.
    #[arg(long)]
    pub credential_type: Option<String>,
    /// User name of the registry credential (`--username` is the Qualys login's).
    #[arg(long, value_name = "NAME")]
    pub registry_username: Option<String>,
    /// Read the registry password from this environment variable (its name, not its value).
    #[arg(long, value_name = "NAME", conflicts_with = "registry_password_stdin")]
    pub password_env: Option<String>,
    /// Read the registry password from the first line of standard input.
    #[arg(long)]
    pub registry_password_stdin: bool,
    /// Read the registry access token (JFrog) from this environment variable.
    #[arg(long, value_name = "NAME", conflicts_with = "registry_token_stdin")]
    pub token_env: Option<String>,
    /// Read the registry access token (JFrog) from the first line of standard input.
    #[arg(long, conflicts_with = "registry_password_stdin")]
    pub registry_token_stdin: bool,
    /// Connector id (Azure, GCP, GOOGLE_ARTIFACT_REGISTRY); see `registry connectors`.
    #[arg(long)]
    pub connector_id: Option<String>,
    /// AWS account id (12 digits).
    #[arg(long)]
    pub account_id: Option<String>,
    /// AWS role ARN.
    #[arg(long)]
    pub arn: Option<String>,
    /// AWS region.
    #[arg(long)]
    pub region: Option<String>,
    /// AWS account type: Global or US_Gov.
    #[arg(long)]
    pub account_type: Option<String>,
    /// GCP / Google Artifact Registry project id.
    #[arg(long)]
    pub project_id: Option<String>,
    /// GCP location.
    #[arg(long)]
    pub location: Option<String>,
    /// Google Artifact Registry repository (the request's `registry`).
    #[arg(long, value_name = "NAME")]
    pub gar_registry: Option<String>,
    /// Docker Hub organisation.
    #[arg(long)]
    pub docker_hub_org: Option<String>,
    /// Show the request (secrets as ***) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

fn usage(msg: impl Into<String>) -> CliError {
    CliError::Usage(msg.into())
}

/// A secret from the environment variable `name`, for `flag`: a missing or empty variable is
/// a configuration error naming the variable (never a value).
fn secret_from_env(flag: &str, name: &str) -> Result<Secret, CliError> {
    let name = name.trim();
    if name.is_empty() || name.contains('=') {
        return Err(usage(format!(
            "{flag} takes the NAME of an environment variable (e.g. {flag} ACME_REGISTRY_PASSWORD), not a value"
        )));
    }
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
        Ok(_) => Err(Error::config(
            flag,
            format!("the environment variable {name} named by {flag} is empty; set it to the secret"),
        )
        .into()),
        Err(_) => Err(Error::config(
            flag,
            format!("the environment variable {name} named by {flag} is not set; export it (e.g. from your CI's secret store)"),
        )
        .into()),
    }
}

fn secret_from_stdin(flag: &str, what: &str) -> Result<Secret, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::config(flag, format!("cannot read standard input: {e}")))?;
    let s = line.trim_end_matches(['\r', '\n']);
    if s.is_empty() {
        return Err(Error::config(
            flag,
            format!("standard input held no {what}; pipe it in, e.g. `printf %s \"$SECRET\" | qualys-cs registry create {flag} ...`"),
        )
        .into());
    }
    Ok(Secret::new(s))
}

impl RegistrySpec {
    /// The request the flags describe (secrets read here, from env or stdin).
    pub fn request(&self, g: &Global) -> Result<RegistryRequest, CliError> {
        if (self.registry_password_stdin || self.registry_token_stdin)
            && (g.password_stdin || g.token_stdin)
        {
            return Err(usage(
                "standard input can carry one secret: pass the Qualys login through QUALYS_PASSWORD/QUALYS_TOKEN, or the registry's through --password-env/--token-env",
            ));
        }
        let password = match (&self.password_env, self.registry_password_stdin) {
            (Some(n), _) => Some(secret_from_env("--password-env", n)?),
            (None, true) => Some(secret_from_stdin("--registry-password-stdin", "password")?),
            (None, false) => None,
        };
        let token = match (&self.token_env, self.registry_token_stdin) {
            (Some(n), _) => Some(secret_from_env("--token-env", n)?),
            (None, true) => Some(secret_from_stdin("--registry-token-stdin", "token")?),
            (None, false) => None,
        };
        let mut req = RegistryRequest::of_type(RegistryType::from_wire(self.registry_type.trim()));
        req.registry_uri = Some(self.uri.clone());
        req.credential_type.clone_from(&self.credential_type);
        if self.registry_username.is_some() || password.is_some() || token.is_some() {
            req.credential = Some(Credential {
                username: self.registry_username.clone(),
                password,
                access_token: token,
                ..Default::default()
            });
        }
        if self.account_id.is_some()
            || self.arn.is_some()
            || self.region.is_some()
            || self.account_type.is_some()
        {
            req.aws = Some(AwsAccount {
                account_id: self.account_id.clone(),
                arn: self.arn.clone(),
                region: self.region.clone(),
                account_type: self.account_type.clone(),
                ..Default::default()
            });
        }
        req.connector_id.clone_from(&self.connector_id);
        req.project_id.clone_from(&self.project_id);
        req.location.clone_from(&self.location);
        req.registry.clone_from(&self.gar_registry);
        req.docker_hub_org_name.clone_from(&self.docker_hub_org);
        Ok(req)
    }
}

/// Core's violations, with each path also naming the flag that sets it.
fn flag_of(path: &str) -> Option<&'static str> {
    Some(match path {
        "/registryType" => "--type",
        "/registryUri" => "--uri",
        "/credentialType" => "--credential-type",
        "/credential" | "/credential/username" => "--registry-username",
        "/credential/password" => "--password-env",
        "/credential/accessToken" => "--token-env",
        "/connectorId" => "--connector-id",
        "/aws" | "/aws/accountId" => "--account-id",
        "/aws/arn" => "--arn",
        "/aws/region" => "--region",
        "/aws/accountType" => "--account-type",
        "/projectId" => "--project-id",
        "/location" => "--location",
        "/registry" => "--gar-registry",
        "/dockerHubOrgName" => "--docker-hub-org",
        _ => return None,
    })
}

fn with_flags(e: Error) -> Error {
    match e {
        Error::Validation { violations } => Error::Validation {
            violations: violations
                .into_iter()
                .map(|mut v| {
                    if let Some(f) = flag_of(&v.path) {
                        v.message = format!("{} (flag {f})", v.message);
                    }
                    v
                })
                .collect(),
        },
        other => other,
    }
}

/// Checks locally (all problems at once, naming the flags); prints warnings.
fn check(req: &RegistryRequest) -> Result<(), CliError> {
    let warnings = qualys_cs_core::validate_registry_request(req).map_err(with_flags)?;
    if !warnings.is_empty() {
        output::problems(&[], &warnings);
    }
    Ok(())
}

fn print_dry_run(g: &Global, method: &str, path: &str, req: &RegistryRequest) {
    let body = req.redacted_value();
    match g.output {
        OutputFormat::Table => {
            println!("dry run: {method} {path} (nothing sent; secrets shown as ***)");
            println!(
                "{}",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            );
        }
        _ => emit(
            g.output,
            &json!({"dryRun": true, "method": method, "path": path, "body": body}),
            String::new,
        ),
    }
}

fn confirm(question: &str, yes: bool) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(usage(format!(
            "{question}: pass --yes to confirm when not running in a terminal"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    if matches!(line.trim(), "y" | "Y" | "yes" | "YES") {
        Ok(())
    } else {
        eprintln!("nothing done");
        Err(CliError::Exit(1))
    }
}

async fn resolve(client: &Client, r: &str) -> Result<RegistryId, CliError> {
    let arg = crate::args::RegistryArg {
        registry: Some(r.to_owned()),
    };
    Ok(connect::registry(client, &arg).await?)
}

/// Runs a registry write command.
pub async fn run(g: &Global, c: RegistryWriteCmd) -> R {
    match c {
        RegistryWriteCmd::Create(spec) => {
            let req = spec.request(g)?;
            check(&req)?;
            if spec.dry_run {
                print_dry_run(g, "POST", "/csapi/v1.3/registry", &req);
                return Ok(());
            }
            let conn = connect::connect(g).await?;
            let created = conn.client.create_registry(&req).await?;
            let v = json!({
                "registryUuid": created.registry_uuid,
                "registryUri": req.registry_uri,
                "registryType": req.registry_type.to_string(),
                "recovered": created.recovered,
                "warnings": created.warnings,
            });
            emit(g.output, &v, || {
                format!(
                    "created registry {}{}\n",
                    created.registry_uuid,
                    if created.recovered {
                        " (the answer was lost; found it by URI and type)"
                    } else {
                        ""
                    }
                )
            });
        }
        RegistryWriteCmd::Update { registry, spec } => {
            let req = spec.request(g)?;
            check(&req)?;
            let conn = connect::connect(g).await?;
            let id = resolve(&conn.client, &registry).await?;
            if spec.dry_run {
                print_dry_run(g, "PUT", &format!("/csapi/v1.3/registry/{id}"), &req);
                return Ok(());
            }
            let warnings = conn.client.update_registry(&id, &req).await?;
            emit(
                g.output,
                &json!({"registryUuid": id.as_str(), "updated": true, "warnings": warnings}),
                || format!("updated registry {id}\n"),
            );
        }
        RegistryWriteCmd::Validate(spec) => {
            let req = spec.request(g)?;
            check(&req)?;
            if spec.dry_run {
                print_dry_run(g, "POST", "/csapi/v1.3/registry/validate", &req);
                return Ok(());
            }
            let conn = connect::connect(g).await?;
            let v = conn.client.validate_registry(&req).await?;
            emit(g.output, &v, || {
                if v.valid {
                    "valid: the service would accept this registry\n".to_owned()
                } else {
                    format!(
                        "not valid: {}\n",
                        v.message.as_deref().unwrap_or(
                            "the service would refuse this registry (it gave no reason)"
                        )
                    )
                }
            });
            if !v.valid {
                return Err(CliError::Exit(3));
            }
        }
        RegistryWriteCmd::Delete { registries, yes } => {
            let conn = connect::connect(g).await?;
            let mut ids = Vec::new();
            for r in &registries {
                ids.push(resolve(&conn.client, r).await?);
            }
            let list = ids
                .iter()
                .map(RegistryId::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            confirm(
                &format!(
                    "delete {} registr{} ({list}) and all their schedules",
                    ids.len(),
                    if ids.len() == 1 { "y" } else { "ies" }
                ),
                yes,
            )?;
            for id in &ids {
                conn.client.delete_registry(id).await?;
            }
            emit(
                g.output,
                &json!({"deleted": ids.iter().map(RegistryId::as_str).collect::<Vec<_>>()}),
                || format!("deleted {list}\n"),
            );
        }
        RegistryWriteCmd::Connectors { kind } => {
            let kind: ConnectorKind = kind.parse()?;
            let conn = connect::connect(g).await?;
            let items = conn.client.list_connectors(kind).await?;
            emit(g.output, &items, || {
                let mut t = output::table(&["CONNECTOR", "NAME", "ARN / PROJECT", "DESCRIPTION"]);
                for c in &items {
                    t.add_row(vec![
                        c.connector_id.clone().unwrap_or_default(),
                        c.name.clone().unwrap_or_default(),
                        c.arn
                            .clone()
                            .or_else(|| c.project_id.clone())
                            .unwrap_or_default(),
                        c.description.clone().unwrap_or_default(),
                    ]);
                }
                output::render(&t)
            });
        }
    }
    Ok(())
}

/// The way to pass a registry secret, for the refusal of `--password VALUE` after `registry`.
pub const SECRET_HINT: &str = "for a registry's password use --password-env NAME or --registry-password-stdin, for its token --token-env NAME or --registry-token-stdin";
