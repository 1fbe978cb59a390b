//! Client configuration ([`ClientBuilder`]) and the async [`Client`]: every operation of the
//! Rust client as an async method (a `suspend fun` in Kotlin, `async` in Swift), run on tokio.

use crate::error::QualysCsError;
use crate::types::*;
use qualys_cs_client as qcc;
use qualys_cs_core as qc;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A Qualys platform (shared cloud pod); each has one API gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Platform {
    /// US Platform 1.
    Us1,
    /// US Platform 2.
    Us2,
    /// US Platform 3.
    Us3,
    /// US Platform 4.
    Us4,
    /// EU Platform 1.
    Eu1,
    /// EU Platform 2.
    Eu2,
    /// EU Platform 3.
    Eu3,
    /// India Platform 1.
    In1,
    /// Canada Platform 1.
    Ca1,
    /// UAE Platform 1.
    Ae1,
    /// UK Platform 1.
    Uk1,
    /// Australia Platform 1.
    Au1,
    /// KSA Platform 1.
    Ksa1,
    /// US Government Platform 1.
    Gov1,
}

const PLATFORMS: [Platform; 14] = [
    Platform::Us1,
    Platform::Us2,
    Platform::Us3,
    Platform::Us4,
    Platform::Eu1,
    Platform::Eu2,
    Platform::Eu3,
    Platform::In1,
    Platform::Ca1,
    Platform::Ae1,
    Platform::Uk1,
    Platform::Au1,
    Platform::Ksa1,
    Platform::Gov1,
];

impl From<Platform> for qcc::Platform {
    fn from(p: Platform) -> Self {
        use qcc::Platform as P;
        match p {
            Platform::Us1 => P::Us1,
            Platform::Us2 => P::Us2,
            Platform::Us3 => P::Us3,
            Platform::Us4 => P::Us4,
            Platform::Eu1 => P::Eu1,
            Platform::Eu2 => P::Eu2,
            Platform::Eu3 => P::Eu3,
            Platform::In1 => P::In1,
            Platform::Ca1 => P::Ca1,
            Platform::Ae1 => P::Ae1,
            Platform::Uk1 => P::Uk1,
            Platform::Au1 => P::Au1,
            Platform::Ksa1 => P::Ksa1,
            Platform::Gov1 => P::Gov1,
        }
    }
}

fn platform_out(p: qcc::Platform) -> Option<Platform> {
    PLATFORMS
        .iter()
        .copied()
        .find(|m| qcc::Platform::from(*m) == p)
}

/// The platform's name as Qualys writes it, e.g. `"US2"`.
#[uniffi::export]
pub fn platform_name(platform: Platform) -> String {
    qcc::Platform::from(platform).name().to_owned()
}

/// The platform's API gateway base URL (no trailing slash).
#[uniffi::export]
pub fn platform_gateway_url(platform: Platform) -> String {
    qcc::Platform::from(platform).gateway_url().to_owned()
}

/// The platform a Qualys username belongs to (by its 5th character), when it tells.
#[uniffi::export]
pub fn platform_from_username(username: String) -> Option<Platform> {
    qcc::Platform::from_username(&username).and_then(platform_out)
}

/// How failed requests are retried (exponential backoff with full jitter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry). Default 5.
    #[uniffi(default = 5)]
    pub max_attempts: u32,
    /// Base of the exponential backoff, in ms. Default 200.
    #[uniffi(default = 200)]
    pub base_delay_ms: u64,
    /// Cap of one backoff delay, in ms. Default 20000.
    #[uniffi(default = 20000)]
    pub max_delay_ms: u64,
    /// Give up when the next retry would start later than this after the first attempt, in
    /// ms. Default 60000.
    #[uniffi(default = 60000)]
    pub max_elapsed_ms: u64,
}

impl From<RetryPolicy> for qcc::RetryPolicy {
    fn from(p: RetryPolicy) -> Self {
        qcc::RetryPolicy {
            max_attempts: p.max_attempts,
            base_delay: Duration::from_millis(p.base_delay_ms),
            max_delay: Duration::from_millis(p.max_delay_ms),
            max_elapsed: Duration::from_millis(p.max_elapsed_ms),
        }
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The default retry policy of the client.
#[uniffi::export]
pub fn default_retry_policy() -> RetryPolicy {
    let p = qcc::RetryPolicy::default();
    RetryPolicy {
        max_attempts: p.max_attempts,
        base_delay_ms: ms(p.base_delay),
        max_delay_ms: ms(p.max_delay),
        max_elapsed_ms: ms(p.max_elapsed),
    }
}

/// The client-side rate limiter of `/csapi` calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct RateLimitPolicy {
    /// Most requests in flight at once. Default 16.
    #[uniffi(default = 16)]
    pub max_concurrency: u32,
    /// Calls per window assumed until the server's headers say otherwise. Default 1000.
    #[uniffi(default = 1000)]
    pub initial_limit: u32,
    /// Window assumed until the server's headers say otherwise, in ms. Default 60000.
    #[uniffi(default = 60000)]
    pub initial_window_ms: u64,
    /// `false` turns the limiter off. Default `true`.
    #[uniffi(default = true)]
    pub enabled: bool,
}

impl From<RateLimitPolicy> for qcc::RateLimitPolicy {
    fn from(p: RateLimitPolicy) -> Self {
        qcc::RateLimitPolicy {
            max_concurrency: p.max_concurrency as usize,
            initial_limit: p.initial_limit,
            initial_window: Duration::from_millis(p.initial_window_ms),
            enabled: p.enabled,
        }
    }
}

/// How a create makes sure a retried create never duplicates a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum CreateRecovery {
    /// Default. No call before the POST; after an ambiguous failure the schedules with the
    /// name created after the first send (by the server's clock), with the same content and
    /// an id not returned before, are this call's. Correct even when names repeat.
    CreationCutoff,
    /// List the schedules carrying the name before the first POST; after a lost answer the
    /// one new schedule with the name and the same content is the created one.
    Snapshot,
    /// Like `CreationCutoff`, but a schedule with the name created after the first send is
    /// taken as this call's whatever its content (names unique in the registry).
    AssumeUniqueNames,
}

impl From<CreateRecovery> for qcc::CreateRecovery {
    fn from(c: CreateRecovery) -> Self {
        match c {
            CreateRecovery::CreationCutoff => qcc::CreateRecovery::CreationCutoff,
            CreateRecovery::Snapshot => qcc::CreateRecovery::Snapshot,
            CreateRecovery::AssumeUniqueNames => qcc::CreateRecovery::AssumeUniqueNames,
        }
    }
}

/// Configures a [`Client`]. Immutable: each setter returns a new builder.
///
/// Kotlin: `ClientBuilder().gatewayUrl(url).credentials(user, password).build()`.
/// `toString()` never shows the password or the token.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct ClientBuilder {
    inner: qcc::ClientBuilder,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The core builder's Debug redacts secrets.
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl ClientBuilder {
    fn with(&self, f: impl FnOnce(qcc::ClientBuilder) -> qcc::ClientBuilder) -> Arc<Self> {
        Arc::new(ClientBuilder {
            inner: f(self.inner.clone()),
        })
    }

    pub(crate) fn from_inner(inner: qcc::ClientBuilder) -> Arc<Self> {
        Arc::new(ClientBuilder { inner })
    }
}

#[uniffi::export]
impl ClientBuilder {
    /// An empty builder.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Self::from_inner(qcc::ClientBuilder::new())
    }

    /// A builder filled from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`,
    /// `QUALYS_PLATFORM` and `QUALYS_GATEWAY_URL`.
    #[uniffi::constructor]
    pub fn from_env() -> Arc<Self> {
        Self::from_inner(qcc::ClientBuilder::from_env())
    }

    /// Use the gateway of this Qualys platform.
    pub fn platform(&self, platform: Platform) -> Arc<Self> {
        self.with(|b| b.platform(platform.into()))
    }

    /// Use this gateway base URL (private clouds, the emulator); wins over `platform`.
    pub fn gateway_url(&self, url: String) -> Arc<Self> {
        self.with(|b| b.gateway_url(url))
    }

    /// Log in with a username and password; the client gets and renews tokens itself.
    pub fn credentials(&self, username: String, password: String) -> Arc<Self> {
        self.with(|b| b.credentials(username, password))
    }

    /// Use a ready token (JWT).
    pub fn token(&self, token: String) -> Arc<Self> {
        self.with(|b| b.token(token))
    }

    /// Timeout to establish a connection, in ms. Default 10 s.
    pub fn connect_timeout_ms(&self, ms: u64) -> Arc<Self> {
        self.with(|b| b.connect_timeout(Duration::from_millis(ms)))
    }

    /// Timeout of one HTTP request, answer included, in ms. Default 60 s.
    pub fn request_timeout_ms(&self, ms: u64) -> Arc<Self> {
        self.with(|b| b.request_timeout(Duration::from_millis(ms)))
    }

    /// Send every request through this proxy URL instead of the environment's.
    pub fn proxy(&self, url: String) -> Arc<Self> {
        self.with(|b| b.proxy(url))
    }

    /// Use no proxy at all, whatever the environment says.
    pub fn no_proxy(&self) -> Arc<Self> {
        self.with(|b| b.no_proxy())
    }

    /// Trust these extra CA certificates (PEM), on top of the system's.
    pub fn add_root_certificate_pem(&self, pem: String) -> Arc<Self> {
        self.with(|b| b.add_root_certificate_pem(pem.as_bytes()))
    }

    /// Appended to the `User-Agent` header.
    pub fn user_agent_suffix(&self, suffix: String) -> Arc<Self> {
        self.with(|b| b.user_agent_suffix(suffix))
    }

    /// Retry settings.
    pub fn retry(&self, policy: RetryPolicy) -> Arc<Self> {
        self.with(|b| b.retry(policy.into()))
    }

    /// Rate-limit settings.
    pub fn rate_limit(&self, policy: RateLimitPolicy) -> Arc<Self> {
        self.with(|b| b.rate_limit(policy.into()))
    }

    /// How creates are protected against duplicates when retried.
    pub fn create_recovery(&self, mode: CreateRecovery) -> Arc<Self> {
        self.with(|b| b.create_recovery(mode.into()))
    }

    /// After an ambiguous create failure, how long (ms) to keep looking for the schedule the
    /// server may still be making before sending the create again. Default: twice the request
    /// timeout, between 5 s and 60 s.
    pub fn create_settle_window_ms(&self, ms: u64) -> Arc<Self> {
        self.with(|b| b.create_settle_window(Duration::from_millis(ms)))
    }

    /// Allow plain `http://` to a non-loopback gateway. Default `false`.
    pub fn allow_insecure_http(&self, allow: bool) -> Arc<Self> {
        self.with(|b| b.allow_insecure_http(allow))
    }

    /// Checks the settings and builds the client; a `config` error names the setting and
    /// the fix.
    pub fn build(&self) -> Result<Arc<Client>, QualysCsError> {
        Ok(Arc::new(Client {
            inner: self.inner.clone().build()?,
        }))
    }
}

fn registry_id(id: &str) -> Result<qc::RegistryId, QualysCsError> {
    Ok(qc::RegistryId::parse(id)?)
}

fn schedule_id(id: &str) -> Result<qc::ScheduleId, QualysCsError> {
    Ok(qc::ScheduleId::parse(id)?)
}

/// The client of the registry-schedule API. Thread-safe; share one per gateway.
/// `toString()` never shows the password or the token.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Client {
    pub(crate) inner: qcc::Client,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Client {
    /// A client configured from the `QUALYS_*` environment variables.
    #[uniffi::constructor]
    pub fn from_env() -> Result<Arc<Self>, QualysCsError> {
        Ok(Arc::new(Client {
            inner: qcc::Client::from_env()?,
        }))
    }

    /// The gateway base URL in use (no trailing slash).
    pub fn gateway_url(&self) -> String {
        self.inner.gateway_url().to_owned()
    }

    /// The username, when the client logs in with credentials.
    pub fn username(&self) -> Option<String> {
        self.inner.username().map(str::to_owned)
    }

    /// How many tokens this client fetched from `/auth` so far.
    pub fn token_fetches(&self) -> u64 {
        self.inner.token_fetches()
    }

    /// Creates a schedule in the registry. The request is validated first: one with errors
    /// is never sent (a `validation` error lists every problem); warnings are returned.
    /// Retries never duplicate a schedule.
    pub async fn create_schedule(
        &self,
        registry_id: String,
        request: ScheduleRequest,
    ) -> Result<Created, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let req: qc::ScheduleRequest = request.try_into()?;
        Ok(self.inner.create_schedule(&reg, &req).await?.into())
    }

    /// Creates a schedule from JSON text (wrong JSON types are `validation` errors too).
    pub async fn create_schedule_json(
        &self,
        registry_id: String,
        request_json: String,
    ) -> Result<Created, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let value: serde_json::Value = match serde_json::from_str(&request_json) {
            Ok(v) => v,
            Err(_) => {
                // The core's own `invalid_json` violation.
                qc::ScheduleRequest::from_json(&request_json)?;
                serde_json::Value::Null
            }
        };
        Ok(self.inner.create_schedule_value(&reg, &value).await?.into())
    }

    /// One page of the schedules of the registry.
    pub async fn list_schedules(
        &self,
        registry_id: String,
        options: ListOptions,
    ) -> Result<SchedulePage, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        Ok(self
            .inner
            .list_schedules(&reg, &options.into())
            .await?
            .into())
    }

    /// Every schedule of the registry matching `options.filter`, page after page.
    pub async fn list_schedules_all(
        &self,
        registry_id: String,
        options: ListOptions,
    ) -> Result<Vec<Schedule>, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let all = self
            .inner
            .list_schedules_all(&reg, options.into())
            .collect_all()
            .await?;
        Ok(all.into_iter().map(Schedule::from).collect())
    }

    /// One schedule (`not_found` when the registry has no such schedule).
    pub async fn get_schedule(
        &self,
        registry_id: String,
        schedule_id: String,
    ) -> Result<Schedule, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let id = self::schedule_id(&schedule_id)?;
        Ok(self.inner.get_schedule(&reg, &id).await?.into())
    }

    /// Updates an automatic schedule; the change is checked with the update rules first.
    /// Returns the warnings.
    pub async fn update_schedule(
        &self,
        registry_id: String,
        schedule_id: String,
        request: ScheduleRequest,
    ) -> Result<Vec<Violation>, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let id = self::schedule_id(&schedule_id)?;
        let req: qc::ScheduleRequest = request.try_into()?;
        Ok(violations_out(
            self.inner.update_schedule(&reg, &id, &req).await?,
        ))
    }

    /// Deletes a schedule (`conflict` while its job runs).
    pub async fn delete_schedule(
        &self,
        registry_id: String,
        schedule_id: String,
    ) -> Result<(), QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let id = self::schedule_id(&schedule_id)?;
        Ok(self.inner.delete_schedule(&reg, &id).await?)
    }

    /// Cancels a schedule's job.
    pub async fn cancel_schedule(
        &self,
        registry_id: String,
        schedule_id: String,
    ) -> Result<(), QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let id = self::schedule_id(&schedule_id)?;
        Ok(self.inner.cancel_schedule(&reg, &id).await?)
    }

    /// Deletes schedules in bulk (a deletion job).
    pub async fn bulk_delete_schedules(
        &self,
        registry_id: String,
        selector: BulkSelector,
    ) -> Result<BulkDeleteResponse, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let sel: qcc::BulkSelector = selector.try_into()?;
        let r = self.inner.bulk_delete_schedules(&reg, &sel).await?;
        Ok(BulkDeleteResponse {
            deletion_job_id: r.deletion_job_id,
        })
    }

    /// Cancels schedules in bulk (a cancel job).
    pub async fn bulk_cancel_schedules(
        &self,
        registry_id: String,
        selector: BulkSelector,
    ) -> Result<BulkCancelResponse, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let sel: qcc::BulkSelector = selector.try_into()?;
        let r = self.inner.bulk_cancel_schedules(&reg, &sel).await?;
        Ok(BulkCancelResponse {
            cancel_job_id: r.cancel_job_id,
        })
    }

    /// One page of registries.
    pub async fn list_registries(
        &self,
        options: ListOptions,
    ) -> Result<RegistryPage, QualysCsError> {
        Ok(self.inner.list_registries(&options.into()).await?.into())
    }

    /// Every registry, page after page.
    pub async fn list_registries_all(
        &self,
        options: ListOptions,
    ) -> Result<Vec<Registry>, QualysCsError> {
        let all = self
            .inner
            .list_registries_all(options.into())
            .collect_all()
            .await?;
        Ok(all.into_iter().map(Registry::from).collect())
    }

    /// A registry with its details.
    pub async fn get_registry(
        &self,
        registry_id: String,
    ) -> Result<RegistryDetails, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        Ok(self.inner.get_registry(&reg).await?.into())
    }

    /// The registry whose name or URI is exactly `name_or_uri` (or whose id it is).
    pub async fn find_registry(&self, name_or_uri: String) -> Result<Registry, QualysCsError> {
        Ok(self.inner.find_registry(&name_or_uri).await?.into())
    }

    /// One page of the repositories of the registry.
    pub async fn list_repositories(
        &self,
        registry_id: String,
        options: ListOptions,
    ) -> Result<RepositoryPage, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        Ok(self
            .inner
            .list_repositories(&reg, &options.into())
            .await?
            .into())
    }

    /// Every repository of the registry, page after page.
    pub async fn list_repositories_all(
        &self,
        registry_id: String,
        options: ListOptions,
    ) -> Result<Vec<Repository>, QualysCsError> {
        let reg = self::registry_id(&registry_id)?;
        let all = self
            .inner
            .list_repositories_all(&reg, options.into())
            .collect_all()
            .await?;
        Ok(all.into_iter().map(Repository::from).collect())
    }
}
