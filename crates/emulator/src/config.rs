//! The configuration file (JSON or TOML): registries to seed, users, job timing and limits.
//! The format is documented in the crate README; [`ConfigFile::example_json`] prints one.

use crate::jobs::JobOutcome;
use crate::wire::WireProfile;
use qualys_cs_core::{Millis, RegistryDetails, RegistryId, RegistryType, Repository};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The fixed UUID of the demo registry, present unless the config sets `demoRegistry: false`.
pub const DEMO_REGISTRY_ID: &str = "d3e0c0de-5eed-4a11-9e57-0000000000d0";
/// The demo user's name (its 5th character `_` maps to platform US1, as real user names do).
pub const DEMO_USER: &str = "demo_user";
/// The demo user's password.
pub const DEMO_PASSWORD: &str = "demo-password";

fn yes() -> bool {
    true
}

/// The whole configuration file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigFile {
    /// Seed the demo registry (default true).
    #[serde(default = "yes")]
    pub demo_registry: bool,
    /// Keep the demo user (default true).
    #[serde(default = "yes")]
    pub demo_user: bool,
    /// Extra users.
    #[serde(default)]
    pub users: Vec<UserConfig>,
    /// Registries to seed.
    #[serde(default)]
    pub registries: Vec<RegistrySeed>,
    /// Job timing and outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<JobsConfig>,
    /// Token lifetime in seconds (default 14400 = 4 h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_ttl_secs: Option<u64>,
    /// Rate limit (default 1000 calls per 60 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitConfig>,
    /// Wire profile, `"full"` (default) or `"oas2021"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire: Option<WireProfile>,
}

/// A user of the configuration file.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserConfig {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Has the CS API permission (default true; false: every CS route answers 403).
    #[serde(default = "yes")]
    pub permission: bool,
}

impl std::fmt::Debug for UserConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserConfig")
            .field("username", &self.username)
            .field("password", &"***")
            .field("permission", &self.permission)
            .finish()
    }
}

/// Job settings of the configuration file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobsConfig {
    /// Clock seconds per job step (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_seconds: Option<f64>,
    /// How jobs end (default `Completed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<JobOutcome>,
}

/// Rate limit of the configuration file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Calls per window.
    pub limit: u64,
    /// Window length in seconds.
    pub window_secs: u64,
}

/// A registry to seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistrySeed {
    /// The registry's UUID (hyphenated).
    pub registry_uuid: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_name: Option<String>,
    /// URI, e.g. `https://registry.example.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_uri: Option<String>,
    /// Type (`V2`, `DockerHub`, `AWS`, ...; default `V2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_type: Option<String>,
    /// Credential type (default `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_type: Option<String>,
    /// Created, epoch ms (default: when the emulator starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<i64>,
    /// Repositories.
    #[serde(default)]
    pub repositories: Vec<RepositorySeed>,
}

/// A repository to seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RepositorySeed {
    /// Repository name, e.g. `library/nginx`.
    pub repo_name: String,
    /// Tags (the default `totalImages` is their number).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Images found (default: number of tags).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_images: Option<i64>,
    /// Images scanned (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_scanned_images: Option<i64>,
    /// Images with vulnerabilities (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_vulnerable_images: Option<i64>,
}

/// A registry as served.
#[derive(Clone, Debug, PartialEq)]
pub struct RegistryState {
    /// Details (without schedules).
    pub details: RegistryDetails,
    /// Repositories.
    pub repositories: Vec<Repository>,
    /// Tags per repository, in the order of `repositories`.
    pub tags: Vec<Vec<String>>,
    /// What a create/update request through the API left (no secret; empty for a
    /// configured registry never changed).
    pub managed: crate::managed::Managed,
}

impl RegistryState {
    /// The registry's id text.
    pub fn id(&self) -> &str {
        &self.details.registry.registry_uuid
    }
}

impl ConfigFile {
    /// Reads a JSON or TOML file (by extension: `.toml` is TOML, anything else JSON).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
        let is_toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        let cfg: ConfigFile = if is_toml {
            toml::from_str(&text)
                .map_err(|e| format!("config file {} is not valid: {e}", path.display()))?
        } else {
            serde_json::from_str(&text)
                .map_err(|e| format!("config file {} is not valid: {e}", path.display()))?
        };
        cfg.check()
            .map_err(|e| format!("config file {}: {e}", path.display()))?;
        Ok(cfg)
    }

    /// Checks values serde cannot; errors name the field.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, r) in self.registries.iter().enumerate() {
            RegistryId::parse(&r.registry_uuid).map_err(|_| {
                format!(
                    "registries[{i}].registryUuid must be a hyphenated UUID; got {:?}",
                    r.registry_uuid
                )
            })?;
            if !seen.insert(r.registry_uuid.to_ascii_lowercase()) {
                return Err(format!(
                    "registries[{i}].registryUuid {} appears twice",
                    r.registry_uuid
                ));
            }
            if self.demo_registry && r.registry_uuid.eq_ignore_ascii_case(DEMO_REGISTRY_ID) {
                return Err(format!(
                    "registries[{i}].registryUuid is the demo registry's id; set demoRegistry to false to redefine it"
                ));
            }
            for (j, repo) in r.repositories.iter().enumerate() {
                if repo.repo_name.trim().is_empty() {
                    return Err(format!(
                        "registries[{i}].repositories[{j}].repoName must not be blank"
                    ));
                }
            }
        }
        for (i, u) in self.users.iter().enumerate() {
            if u.username.is_empty() || u.username.contains(':') {
                return Err(format!(
                    "users[{i}].username must be non-empty and hold no ':'"
                ));
            }
        }
        if let Some(j) = &self.jobs
            && let Some(s) = j.step_seconds
            && !(s.is_finite() && s > 0.0 && s <= 86_400.0)
        {
            return Err(format!(
                "jobs.stepSeconds must be between 0 and 86400 (exclusive of 0); got {s}"
            ));
        }
        if let Some(r) = &self.rate_limit
            && r.window_secs == 0
        {
            return Err("rateLimit.windowSecs must be at least 1".into());
        }
        Ok(())
    }

    /// The registries to serve (demo first when enabled), created at `now_ms` unless given.
    pub fn registries(&self, now_ms: i64) -> Vec<RegistryState> {
        let mut out = Vec::new();
        if self.demo_registry {
            out.push(build_registry(&demo_registry(), now_ms));
        }
        out.extend(self.registries.iter().map(|r| build_registry(r, now_ms)));
        out
    }

    /// An example file (JSON), the same as the README's.
    pub fn example_json() -> String {
        let cfg = ConfigFile {
            demo_registry: true,
            demo_user: true,
            users: vec![
                UserConfig {
                    username: "alice".into(),
                    password: "s3cret".into(),
                    permission: true,
                },
                UserConfig {
                    username: "bob".into(),
                    password: "pw".into(),
                    permission: false,
                },
            ],
            registries: vec![RegistrySeed {
                registry_uuid: "6f1c2a8e-3b7d-4e59-a0c4-1d2e3f4a5b6c".into(),
                registry_name: Some("acr-prod".into()),
                registry_uri: Some("https://prod.azurecr.io".into()),
                registry_type: Some("Azure".into()),
                credential_type: Some("Token".into()),
                created: None,
                repositories: vec![RepositorySeed {
                    repo_name: "azuretest".into(),
                    tags: vec!["latest".into(), "v2".into()],
                    total_images: None,
                    total_scanned_images: Some(1),
                    total_vulnerable_images: Some(1),
                }],
            }],
            jobs: Some(JobsConfig {
                step_seconds: Some(1.0),
                outcome: Some(JobOutcome::Completed),
            }),
            token_ttl_secs: Some(14_400),
            rate_limit: Some(RateLimitConfig {
                limit: 1000,
                window_secs: 60,
            }),
            wire: Some(WireProfile::Full),
        };
        serde_json::to_string_pretty(&cfg).unwrap_or_default()
    }
}

/// The demo registry: fixed id, a few repositories and tags.
pub fn demo_registry() -> RegistrySeed {
    let repo = |name: &str, tags: &[&str], scanned: i64, vulnerable: i64| RepositorySeed {
        repo_name: name.into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        total_images: None,
        total_scanned_images: Some(scanned),
        total_vulnerable_images: Some(vulnerable),
    };
    RegistrySeed {
        registry_uuid: DEMO_REGISTRY_ID.into(),
        registry_name: Some("demo-registry".into()),
        registry_uri: Some("https://registry.demo.example".into()),
        registry_type: Some("V2".into()),
        credential_type: Some("None".into()),
        created: Some(1_735_689_600_000), // 2025-01-01T00:00:00Z
        repositories: vec![
            repo("library/nginx", &["latest", "1.27", "1.26"], 3, 2),
            repo("library/alpine", &["latest", "3.20"], 2, 0),
            repo("team/app", &["main", "v1.0.0", "v1.1.0"], 1, 1),
            repo("team/api", &["latest"], 0, 0),
        ],
    }
}

fn build_registry(seed: &RegistrySeed, now_ms: i64) -> RegistryState {
    let created = Millis(seed.created.unwrap_or(now_ms));
    let repositories: Vec<Repository> = seed
        .repositories
        .iter()
        .map(|r| Repository {
            repo_name: r.repo_name.clone(),
            total_images: Some(
                r.total_images
                    .unwrap_or(i64::try_from(r.tags.len()).unwrap_or(i64::MAX)),
            ),
            total_scanned_images: Some(r.total_scanned_images.unwrap_or(0)),
            total_vulnerable_images: Some(r.total_vulnerable_images.unwrap_or(0)),
            extra: Default::default(),
        })
        .collect();
    let mut details = RegistryDetails::default();
    let reg = &mut details.registry;
    reg.registry_uuid = seed.registry_uuid.to_ascii_lowercase();
    reg.registry_name = seed.registry_name.clone();
    reg.registry_uri = seed.registry_uri.clone();
    reg.registry_type = Some(RegistryType::from_wire(
        seed.registry_type.as_deref().unwrap_or("V2"),
    ));
    reg.repo_count = Some(i64::try_from(repositories.len()).unwrap_or(i64::MAX));
    reg.created = Some(created);
    reg.updated = Some(created);
    details.credential_type = Some(
        seed.credential_type
            .clone()
            .unwrap_or_else(|| "None".into()),
    );
    RegistryState {
        details,
        tags: seed.repositories.iter().map(|r| r.tags.clone()).collect(),
        repositories,
        managed: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_example_parses_as_json_and_toml() {
        let json = ConfigFile::example_json();
        let cfg: ConfigFile = serde_json::from_str(&json).expect("json");
        cfg.check().expect("valid");
        assert_eq!(cfg.registries(0).len(), 2);
        assert_eq!(cfg.registries(0)[0].id(), DEMO_REGISTRY_ID);
        let toml_text = toml::to_string(&cfg).expect("to toml");
        let back: ConfigFile = toml::from_str(&toml_text).expect("toml");
        assert_eq!(back, cfg);
        assert!(!format!("{cfg:?}").contains("s3cret"));
    }

    /// The README's JSON and TOML examples are valid configurations.
    #[test]
    fn readme_examples_load() {
        let all = include_str!("../README.md");
        let readme = &all[all.find("## Config file").expect("section")..];
        let block = |lang: &str| {
            let start = readme.find(&format!("```{lang}\n")).expect(lang) + lang.len() + 4;
            let len = readme[start..].find("```").expect("closing fence");
            readme[start..start + len].to_owned()
        };
        let dir = tempfile::tempdir().expect("dir");
        for (name, text) in [("c.json", block("json")), ("c.toml", block("toml"))] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            let cfg = ConfigFile::load(&path).expect(name);
            assert_eq!(cfg.registries(0).len(), 2, "{name}");
            assert_eq!(
                cfg.registries(0)[1]
                    .details
                    .registry
                    .registry_name
                    .as_deref(),
                Some("acr-prod")
            );
            assert_eq!(cfg.users[0].username, "alice");
        }
    }

    #[test]
    fn bad_files_name_the_field() {
        let bad = |json: &str| {
            let cfg: ConfigFile = serde_json::from_str(json).expect("parses");
            cfg.check().expect_err(json)
        };
        assert!(
            bad(r#"{"registries":[{"registryUuid":"nope"}]}"#)
                .contains("registries[0].registryUuid")
        );
        assert!(
            bad(&format!(
                r#"{{"registries":[{{"registryUuid":"{DEMO_REGISTRY_ID}"}}]}}"#
            ))
            .contains("demo")
        );
        assert!(bad(r#"{"jobs":{"stepSeconds":0}}"#).contains("jobs.stepSeconds"));
        assert!(serde_json::from_str::<ConfigFile>(r#"{"registry":[]}"#).is_err());
        let demo = demo_registry();
        let r = build_registry(&demo, 0);
        assert_eq!(r.repositories[0].total_images, Some(3));
        assert_eq!(r.details.registry.repo_count, Some(4));
    }
}
