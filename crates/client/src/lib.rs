//! # qualys-cs-client
//!
//! The async Rust client of the Qualys Container Security registry-schedule API (v1.3):
//! authentication with token renewal, validation before sending (by `qualys-cs-core`),
//! retries that never duplicate a schedule, a client-side rate limiter that learns the
//! server's budget, and paging. Every language binding wraps this crate.
//!
//! ```no_run
//! use qualys_cs_client::{Client, ListOptions, Platform, RegistryId, ScheduleRequest, WeekDay};
//!
//! # async fn run() -> Result<(), qualys_cs_core::Error> {
//! let client = Client::builder()
//!     .platform(Platform::Us2)
//!     .credentials("acme2ab", "s3cret")
//!     .build()?;
//! let registry = RegistryId::parse("fd05c5d5-7583-4e47-b538-c8b414bd9c86")?;
//! let request = ScheduleRequest::weekly("nightly", WeekDay::Thursday)
//!     .at("09:30")
//!     .repo("azuretest")
//!     .build()?;
//! let created = client.create_schedule(&registry, &request).await?;
//! let page = client.list_schedules(&registry, &ListOptions::new().page_size(10)).await?;
//! println!("{} -> {} schedules", created.schedule_uuid, page.count);
//! # Ok(()) }
//! ```
//!
//! The client is cheap to clone (an `Arc` inside), `Send + Sync`, and every future it returns
//! is `Send`. Errors are [`qualys_cs_core::Error`] with stable codes. Passwords and tokens are
//! never printed: `Debug` shows `***`, logs carry method, path, status, attempt and elapsed
//! time only.
//!
//! Logging uses `tracing` (target `qualys_cs_client`): `debug` for each request and retry,
//! `warn` for validation warnings and abandoned retries.

pub mod apply;
mod auth;
mod client_config;
mod config;
mod create;
mod http;
mod limiter;
mod ops;
mod paging;
mod platform;
mod registries;
mod secret;
pub mod wait;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
#[cfg(feature = "uniffi")]
mod ffi {
    //! The core's custom types the records of this crate use (feature `uniffi`).
    use qualys_cs_core::ffi::{Count, ExtraFields, JsonValue};
    uniffi::use_remote_type!(qualys_cs_core::Count);
    uniffi::use_remote_type!(qualys_cs_core::JsonValue);
    uniffi::use_remote_type!(qualys_cs_core::ExtraFields);
}

pub use auth::DEFAULT_TOKEN_LIFETIME;
pub use client_config::{CREATE_RECOVERY_NAMES, ClientConfig, KeyStyle};
pub use config::{
    ClientBuilder, CreateRecovery, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, ENV_VARS,
    RateLimitPolicy, RetryPolicy, install_crypto_provider,
};
pub use ops::{BulkSelector, Created};
pub use paging::{DEFAULT_PAGE_SIZE, ListOptions, Paged, collect_all};
pub use platform::Platform;
/// The core crate (models, validation, schedule semantics), re-exported.
pub use qualys_cs_core;
pub use qualys_cs_core::{
    AdditionalFilters, BulkCancelResponse, BulkDeleteResponse, Error, Filter, HttpDetails, Page,
    Registry, RegistryDetails, RegistryId, RegistryType, RepoTag, Repository, Schedule, ScheduleId,
    ScheduleRequest, ScheduleStatus, Violation, WeekDay,
};
pub use registries::{
    Connector, ConnectorKind, RegistryCreated, RegistryValidation, registry_uri_key,
};
pub use secret::Secret;

use std::fmt;
use std::sync::Arc;

/// Result with the project's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The client. Build one with [`Client::builder`] or [`Client::from_env`]; clone it freely
/// (clones share the connection pool, the token and the rate limiter).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    /// Gateway base URL, no trailing slash.
    pub base: String,
    /// `{base}/csapi/v1.3`.
    pub api_base: String,
    pub auth: auth::Auth,
    pub retry: RetryPolicy,
    pub limiter: limiter::Limiter,
    pub create_recovery: CreateRecovery,
    /// How long an ambiguous create is looked for before it is sent again.
    pub create_settle: std::time::Duration,
    /// The server clock offset and the ids returned by creates (see `create.rs`).
    pub created_state: create::CreateState,
    pub proxy_description: String,
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`,
    /// `QUALYS_PLATFORM` and `QUALYS_GATEWAY_URL` (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().build()
    }

    /// The gateway base URL in use (no trailing slash).
    pub fn gateway_url(&self) -> &str {
        &self.inner.base
    }

    /// The username, when the client logs in with credentials.
    pub fn username(&self) -> Option<&str> {
        self.inner.auth.username()
    }

    /// How many tokens this client (and its clones) fetched from `/auth` so far.
    pub fn token_fetches(&self) -> u64 {
        self.inner.auth.fetch_count()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Client");
        d.field("gateway_url", &i.base);
        match &i.auth.source {
            auth::AuthSource::Password { username, password } => {
                d.field("username", username).field("password", password);
            }
            auth::AuthSource::Fixed => {
                d.field("token", &Secret::new(""));
            }
        }
        d.field("retry", &i.retry)
            .field("create_recovery", &i.create_recovery)
            .field("proxy", &i.proxy_description)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn client_and_futures_are_send() {
        assert_send_sync::<Client>();
        let c = Client::builder()
            .gateway_url("http://127.0.0.1:9")
            .token("t")
            .build()
            .expect("client");
        let reg = RegistryId::new_random();
        let req = ScheduleRequest::on_demand("x").repo("r").build_unchecked();
        assert_send(&c.create_schedule(&reg, &req));
        assert_send(&c.list_schedules(&reg, &ListOptions::new()));
        assert_send(&c.list_schedules_all(&reg, ListOptions::new()));
        assert_send(&c.find_registry("x"));
        assert_send(&c.update_schedule(&reg, &ScheduleId::new_random(), &req));
        let plan = qualys_cs_core::plan::Plan::default();
        let desired = qualys_cs_core::desired::DesiredState::default();
        assert_send(&c.apply(&plan, &apply::ApplyOptions::default(), None));
        assert_send(&c.plan(&desired, Default::default()));
        assert_send(&c.wait_for_schedule(&reg, &ScheduleId::new_random(), &Default::default()));
    }
}

/// The README's Rust examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
