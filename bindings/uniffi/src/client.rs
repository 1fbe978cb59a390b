//! [`ClientBuilder`] (fills the client crate's one `ClientConfig`) and the async [`Client`]:
//! every operation as a `suspend fun` in Kotlin, `async` in Swift, run on tokio.

use crate::error::QualysCsError;
use crate::types::exports;
use crate::types::setters;
use crate::types::*;
use qualys_cs_client as qcc;
use qualys_cs_client::{
    CreateRecovery, Created, ListOptions, Platform, RateLimitPolicy, RetryPolicy,
};
use qualys_cs_core as qc;
use qualys_cs_core::{Registry, RegistryDetails, Repository, Schedule, ScheduleRequest, Violation};
use std::sync::Arc;
use std::time::Duration;

type R<T> = Result<T, QualysCsError>;

exports! {
    /// The platform's name as Qualys writes it, e.g. `"US2"`.
    fn platform_name(platform: Platform) -> String = platform.name().to_owned();
    /// The platform's API gateway base URL (no trailing slash).
    fn platform_gateway_url(platform: Platform) -> String = platform.gateway_url().to_owned();
    /// The platform a Qualys username belongs to (by its 5th character), when it tells.
    fn platform_from_username(username: String) -> Option<Platform> =
        Platform::from_username(&username);
    /// The default retry policy of the client.
    fn default_retry_policy() -> RetryPolicy = RetryPolicy::default();
}

/// A `config` error's setting in Kotlin/Swift spelling: `request_timeout` → `requestTimeout`.
fn localize(e: qc::Error) -> QualysCsError {
    match qcc::KeyStyle::CamelMillis.localize(e) {
        qc::Error::Config { field, message } => {
            let segs = field.split('.').map(|s| s.strip_suffix("Ms").unwrap_or(s));
            qc::Error::config(segs.collect::<Vec<_>>().join("."), message).into()
        }
        other => other.into(),
    }
}

/// Configures a [`Client`]: every setting lands in the client crate's one `ClientConfig`.
/// Immutable: each setter returns a new builder.
///
/// Kotlin: `ClientBuilder().gatewayUrl(url).credentials(user, password).build()`, or
/// `ClientBuilder.fromJson("""{"gatewayUrl": "…", "requestTimeoutMs": 2500}""")`.
/// `toString()` never shows the password or the token.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct ClientBuilder {
    from_env: bool,
    config: qcc::ClientConfig,
}

impl ClientBuilder {
    fn make(from_env: bool, config: qcc::ClientConfig) -> Arc<Self> {
        Arc::new(ClientBuilder { from_env, config })
    }

    fn with(&self, f: impl FnOnce(&mut qcc::ClientConfig)) -> Arc<Self> {
        let mut config = self.config.clone();
        f(&mut config);
        Self::make(self.from_env, config)
    }
}

#[uniffi::export]
impl ClientBuilder {
    /// An empty builder.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Self::make(false, Default::default())
    }

    /// A builder filled from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`,
    /// `QUALYS_PLATFORM` and `QUALYS_GATEWAY_URL`; settings given later win.
    #[uniffi::constructor]
    pub fn from_env() -> Arc<Self> {
        Self::make(true, Default::default())
    }

    /// Settings from a JSON object with the same keys as Node's options (`gatewayUrl`,
    /// `username`, `password`, `token`, `platform`, `requestTimeoutMs`, `retry`, …). An
    /// unknown key is a `config` error naming it and the nearest valid one.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> R<Arc<Self>> {
        let value = serde_json::from_str(&json).map_err(|e| {
            qc::Error::config("json", format!("the settings are not JSON text: {e}"))
        })?;
        let style = qcc::KeyStyle::CamelMillis;
        Ok(Self::make(false, qcc::ClientConfig::from_json(&value, style)?))
    }

    /// Checks the settings and builds the client; a `config` error names the setting and the
    /// fix.
    pub fn build(&self) -> R<Arc<Client>> {
        let base = match self.from_env {
            true => qcc::ClientBuilder::from_env(),
            false => qcc::ClientBuilder::new(),
        };
        let inner = base.apply_config(&self.config).build().map_err(localize)?;
        Ok(Arc::new(Client { inner }))
    }
}

setters! { ClientBuilder, c;
    /// Use the gateway of this Qualys platform.
    fn platform(platform: Platform) c.platform = Some(platform);
    /// Use this gateway base URL (private clouds, the emulator); wins over `platform`.
    fn gateway_url(url: String) c.gateway_url = Some(url);
    /// Log in with a username and password; the client gets and renews tokens itself.
    fn credentials(username: String, password: String)
        (c.username, c.password) = (Some(username), Some(qcc::Secret::new(password)));
    /// Use a ready token (JWT).
    fn token(token: String) c.token = Some(qcc::Secret::new(token));
    /// Timeout to establish a connection. Default 10 s.
    fn connect_timeout(timeout: Duration) c.connect_timeout = Some(timeout);
    /// Timeout of one HTTP request, answer included. Default 60 s.
    fn request_timeout(timeout: Duration) c.request_timeout = Some(timeout);
    /// Send every request through this proxy URL instead of the environment's.
    fn proxy(url: String) c.proxy = Some(url);
    /// Use no proxy at all, whatever the environment says.
    fn no_proxy() c.no_proxy = Some(true);
    /// Trust these extra CA certificates (PEM), on top of the system's.
    fn add_root_certificate_pem(pem: String) c.root_certificates.push(pem);
    /// Appended to the `User-Agent` header.
    fn user_agent_suffix(suffix: String) c.user_agent_suffix = Some(suffix);
    /// Retry settings.
    fn retry(policy: RetryPolicy) c.retry = Some(policy);
    /// Rate-limit settings.
    fn rate_limit(policy: RateLimitPolicy) c.rate_limit = Some(policy);
    /// How creates are protected against duplicates when retried.
    fn create_recovery(mode: CreateRecovery) c.create_recovery = Some(mode);
    /// After an ambiguous create failure, how long to look for the schedule before sending
    /// again (default: twice the request timeout, 5-60 s).
    fn create_settle_window(window: Duration) c.create_settle_window = Some(window);
    /// Allow plain `http://` to a non-loopback gateway. Default `false`.
    fn allow_insecure_http(allow: bool) c.allow_insecure_http = Some(allow);
}

fn registry_id(id: &str) -> R<qc::RegistryId> {
    Ok(qc::RegistryId::parse(id)?)
}

fn ids(registry_id: &str, schedule_id: &str) -> R<(qc::RegistryId, qc::ScheduleId)> {
    Ok((self::registry_id(registry_id)?, qc::ScheduleId::parse(schedule_id)?))
}

/// The client of the registry-schedule API. Thread-safe; share one per gateway.
/// `toString()` never shows the password or the token.
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Client {
    pub(crate) inner: qcc::Client,
}

#[uniffi::export(async_runtime = "tokio")]
impl Client {
    /// A client configured from the `QUALYS_*` environment variables.
    #[uniffi::constructor]
    pub fn from_env() -> R<Arc<Self>> {
        ClientBuilder::from_env().build()
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

    /// Creates a schedule in the registry. The request is validated first: one with errors is
    /// never sent (a `validation` error lists every problem); warnings are returned. Retries
    /// never duplicate a schedule.
    pub async fn create_schedule(
        &self, registry_id: String, request: ScheduleRequest,
    ) -> R<Created> {
        let reg = self::registry_id(&registry_id)?;
        Ok(self.inner.create_schedule(&reg, &request).await?)
    }

    /// Creates a schedule from JSON text (wrong JSON types are `validation` errors too).
    pub async fn create_schedule_json(
        &self, registry_id: String, request_json: String,
    ) -> R<Created> {
        let reg = self::registry_id(&registry_id)?;
        let value = crate::core_fns::json_value(&request_json)?;
        Ok(self.inner.create_schedule_value(&reg, &value).await?)
    }

    /// One page of the schedules of the registry.
    pub async fn list_schedules(
        &self, registry_id: String, options: ListOptions,
    ) -> R<SchedulePage> {
        let reg = self::registry_id(&registry_id)?;
        Ok(self.inner.list_schedules(&reg, &options).await?.into())
    }

    /// Every schedule of the registry matching `options.filter`, page after page.
    pub async fn list_schedules_all(
        &self, registry_id: String, options: ListOptions,
    ) -> R<Vec<Schedule>> {
        let reg = self::registry_id(&registry_id)?;
        Ok(self.inner.list_schedules_all(&reg, options).collect_all().await?)
    }

    /// One schedule (`not_found` when the registry has no such schedule).
    pub async fn get_schedule(&self, registry_id: String, schedule_id: String) -> R<Schedule> {
        let (reg, id) = ids(&registry_id, &schedule_id)?;
        Ok(self.inner.get_schedule(&reg, &id).await?)
    }

    /// Updates an automatic schedule; the change is checked with the update rules first.
    /// Returns the warnings.
    pub async fn update_schedule(
        &self, registry_id: String, schedule_id: String, request: ScheduleRequest,
    ) -> R<Vec<Violation>> {
        let (reg, id) = ids(&registry_id, &schedule_id)?;
        Ok(self.inner.update_schedule(&reg, &id, &request).await?)
    }

    /// Deletes a schedule (`conflict` while its job runs).
    pub async fn delete_schedule(&self, registry_id: String, schedule_id: String) -> R<()> {
        let (reg, id) = ids(&registry_id, &schedule_id)?;
        Ok(self.inner.delete_schedule(&reg, &id).await?)
    }

    /// Cancels a schedule's job.
    pub async fn cancel_schedule(&self, registry_id: String, schedule_id: String) -> R<()> {
        let (reg, id) = ids(&registry_id, &schedule_id)?;
        Ok(self.inner.cancel_schedule(&reg, &id).await?)
    }

    /// Deletes schedules in bulk (a deletion job).
    pub async fn bulk_delete_schedules(
        &self, registry_id: String, selector: BulkSelector,
    ) -> R<qc::BulkDeleteResponse> {
        let (reg, sel) = (self::registry_id(&registry_id)?, selector.try_into()?);
        Ok(self.inner.bulk_delete_schedules(&reg, &sel).await?)
    }

    /// Cancels schedules in bulk (a cancel job).
    pub async fn bulk_cancel_schedules(
        &self, registry_id: String, selector: BulkSelector,
    ) -> R<qc::BulkCancelResponse> {
        let (reg, sel) = (self::registry_id(&registry_id)?, selector.try_into()?);
        Ok(self.inner.bulk_cancel_schedules(&reg, &sel).await?)
    }

    /// One page of registries.
    pub async fn list_registries(&self, options: ListOptions) -> R<RegistryPage> {
        Ok(self.inner.list_registries(&options).await?.into())
    }

    /// Every registry, page after page.
    pub async fn list_registries_all(&self, options: ListOptions) -> R<Vec<Registry>> {
        Ok(self.inner.list_registries_all(options).collect_all().await?)
    }

    /// A registry with its details.
    pub async fn get_registry(&self, registry_id: String) -> R<RegistryDetails> {
        let reg = self::registry_id(&registry_id)?;
        Ok(self.inner.get_registry(&reg).await?)
    }

    /// The registry whose name or URI is exactly `name_or_uri` (or whose id it is).
    pub async fn find_registry(&self, name_or_uri: String) -> R<Registry> {
        Ok(self.inner.find_registry(&name_or_uri).await?)
    }

    /// One page of the repositories of the registry.
    pub async fn list_repositories(
        &self, registry_id: String, options: ListOptions,
    ) -> R<RepositoryPage> {
        let reg = self::registry_id(&registry_id)?;
        Ok(self.inner.list_repositories(&reg, &options).await?.into())
    }

    /// Every repository of the registry, page after page.
    pub async fn list_repositories_all(
        &self, registry_id: String, options: ListOptions,
    ) -> R<Vec<Repository>> {
        let reg = self::registry_id(&registry_id)?;
        Ok(self.inner.list_repositories_all(&reg, options).collect_all().await?)
    }
}
