//! The `Client` class: every operation of the Rust client as a Promise, listings as async
//! iterators.

use futures_util::StreamExt as _;
use napi::Env;
use napi::bindgen_prelude::{AsyncGenerator, PromiseRaw};
use napi_derive::napi;
use qualys_cs_client::{
    self as rs, ClientBuilder, CreateRecovery, Paged, Platform, RateLimitPolicy, RetryPolicy,
};
use qualys_cs_core::{Error as CoreError, RegistryId, ScheduleId};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

use crate::error::{Fallible, promise, sync};
use crate::types::{BulkSelector, Created, ListOptions, Violation, violations};

/// How `createSchedule` makes sure a retried create never duplicates a schedule.
#[napi(string_enum = "snake_case")]
pub enum CreateRecoveryMode {
    /// Default. No call before the POST; after an ambiguous failure the schedules with the name
    /// created after the first send (by the server's clock), with the same content and an id
    /// not returned before, are this call's. Correct even when names repeat.
    CreationCutoff,
    /// List the schedules carrying the name once before the first POST; after a lost answer the
    /// one new schedule with the name and the same content is the created one.
    Snapshot,
    /// Like `creation_cutoff`, but a schedule with the name created after the first send is
    /// taken as this call's whatever its content. Only when names are unique in the registry.
    AssumeUniqueNames,
}

/// Retry settings (exponential backoff with full jitter; `Retry-After` is honoured).
#[napi(object)]
pub struct RetryOptions {
    /// Attempts in all, the first included (1 = never retry). Default 5.
    pub max_attempts: Option<u32>,
    /// Base of the exponential backoff, in ms. Default 200.
    pub base_delay_ms: Option<f64>,
    /// Cap of one backoff delay, in ms. Default 20000.
    pub max_delay_ms: Option<f64>,
    /// Give up when the next retry would start later than this after the first attempt, in
    /// ms. Default 60000.
    pub max_elapsed_ms: Option<f64>,
}

/// Client-side rate limiting of `/csapi` calls (it learns the server's budget from the
/// `X-RateLimit-*` headers).
#[napi(object)]
pub struct RateLimitOptions {
    /// Most requests in flight at once. Default 16.
    pub max_concurrency: Option<u32>,
    /// Calls per window assumed until the server's headers say otherwise. Default 1000.
    pub initial_limit: Option<u32>,
    /// Window assumed until the server's headers say otherwise, in ms. Default 60000.
    pub initial_window_ms: Option<f64>,
    /// `false` turns the limiter off. Default `true`.
    pub enabled: Option<bool>,
}

/// Settings of a `Client`. Give a `platform` or a `gatewayUrl`, and `username` + `password`
/// (the client gets and renews tokens) or a `token`.
#[napi(object)]
#[derive(Default)]
pub struct ClientOptions {
    /// The Qualys platform, e.g. `US2` or `EU1` (case-insensitive).
    pub platform: Option<String>,
    /// The gateway base URL (private clouds, the emulator); wins over `platform`. Plain
    /// `http://` only for loopback hosts unless `allowInsecureHttp`.
    pub gateway_url: Option<String>,
    /// Username (with `password`).
    pub username: Option<String>,
    /// Password (with `username`). Never printed.
    pub password: Option<String>,
    /// A ready token (JWT). Never printed.
    pub token: Option<String>,
    /// Timeout to establish a connection, in ms. Default 10000.
    pub connect_timeout_ms: Option<f64>,
    /// Timeout of one HTTP request, answer included, in ms. Default 60000.
    pub request_timeout_ms: Option<f64>,
    /// Send every request through this proxy (`http://`, `https://` or `socks5://`) instead of
    /// the `HTTPS_PROXY`/`NO_PROXY` environment.
    pub proxy: Option<String>,
    /// Use no proxy at all, whatever the environment says.
    pub no_proxy: Option<bool>,
    /// Extra CA certificates to trust (PEM), on top of the system's.
    pub root_certificates_pem: Option<Vec<String>>,
    /// Appended to the `User-Agent` header, e.g. `my-tool/1.2`.
    pub user_agent_suffix: Option<String>,
    /// Retry settings.
    pub retry: Option<RetryOptions>,
    /// Rate-limit settings.
    pub rate_limit: Option<RateLimitOptions>,
    /// Duplicate protection of retried creates. Default `creation_cutoff`.
    pub create_recovery: Option<CreateRecoveryMode>,
    /// After an ambiguous create failure, how long (ms) the client keeps looking for the
    /// schedule the server may still be making before it sends the create again. Default:
    /// twice the request timeout, between 5 s and 60 s.
    pub create_settle_window_ms: Option<f64>,
    /// Allow plain `http://` to a non-loopback gateway (credentials travel unencrypted).
    pub allow_insecure_http: Option<bool>,
}

fn millis(field: &str, ms: f64) -> Result<Duration, CoreError> {
    Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
        CoreError::config(
            field,
            format!("must be a number of milliseconds, 0 or more; got {ms}"),
        )
    })
}

/// Applies the options to a builder (the builder checks them in `build`).
pub(crate) fn apply_options(
    mut b: ClientBuilder,
    o: ClientOptions,
) -> Result<ClientBuilder, CoreError> {
    if let Some(p) = o.platform {
        b = b.platform(p.parse::<Platform>()?);
    }
    if let Some(g) = o.gateway_url {
        b = b.gateway_url(g);
    }
    match (o.username, o.password) {
        (Some(u), Some(p)) => b = b.credentials(u, p),
        (Some(u), None) => b = b.credentials(u, ""),
        (None, Some(p)) => b = b.credentials("", p),
        (None, None) => {}
    }
    if let Some(t) = o.token {
        b = b.token(t);
    }
    if let Some(ms) = o.connect_timeout_ms {
        b = b.connect_timeout(millis("connect_timeout_ms", ms)?);
    }
    if let Some(ms) = o.request_timeout_ms {
        b = b.request_timeout(millis("request_timeout_ms", ms)?);
    }
    if let Some(p) = o.proxy {
        b = b.proxy(p);
    }
    if o.no_proxy == Some(true) {
        b = b.no_proxy();
    }
    for pem in o.root_certificates_pem.unwrap_or_default() {
        b = b.add_root_certificate_pem(pem.as_bytes());
    }
    if let Some(s) = o.user_agent_suffix {
        b = b.user_agent_suffix(s);
    }
    if let Some(r) = o.retry {
        let mut p = RetryPolicy::default();
        if let Some(n) = r.max_attempts {
            p.max_attempts = n;
        }
        if let Some(ms) = r.base_delay_ms {
            p.base_delay = millis("retry.base_delay_ms", ms)?;
        }
        if let Some(ms) = r.max_delay_ms {
            p.max_delay = millis("retry.max_delay_ms", ms)?;
        }
        if let Some(ms) = r.max_elapsed_ms {
            p.max_elapsed = millis("retry.max_elapsed_ms", ms)?;
        }
        b = b.retry(p);
    }
    if let Some(r) = o.rate_limit {
        let mut p = RateLimitPolicy::default();
        if let Some(n) = r.max_concurrency {
            p.max_concurrency = n as usize;
        }
        if let Some(n) = r.initial_limit {
            p.initial_limit = n;
        }
        if let Some(ms) = r.initial_window_ms {
            p.initial_window = millis("rate_limit.initial_window_ms", ms)?;
        }
        if let Some(e) = r.enabled {
            p.enabled = e;
        }
        b = b.rate_limit(p);
    }
    if let Some(m) = o.create_recovery {
        b = b.create_recovery(match m {
            CreateRecoveryMode::CreationCutoff => CreateRecovery::CreationCutoff,
            CreateRecoveryMode::Snapshot => CreateRecovery::Snapshot,
            CreateRecoveryMode::AssumeUniqueNames => CreateRecovery::AssumeUniqueNames,
        });
    }
    if let Some(ms) = o.create_settle_window_ms {
        b = b.create_settle_window(millis("create_settle_window_ms", ms)?);
    }
    if let Some(a) = o.allow_insecure_http {
        b = b.allow_insecure_http(a);
    }
    Ok(b)
}

fn json<T: Serialize>(v: T) -> Result<Value, CoreError> {
    serde_json::to_value(v).map_err(|e| CoreError::Decode {
        message: format!("could not convert the answer: {e}"),
        body: None,
    })
}

/// Runs a one-page listing and converts the page to `{count, data, skipped}`: `skipped` is always
/// there (empty unless `lenient` skipped an item), as in every language of the SDK.
fn call_page<'env, T, F>(env: &'env Env, fut: F) -> napi::Result<PromiseRaw<'env, Value>>
where
    T: Serialize + Send + 'static,
    F: Future<Output = Result<qualys_cs_core::Page<T>, CoreError>> + Send + 'static,
{
    promise(
        env,
        async move {
            let mut v = json(fut.await?)?;
            if let Value::Object(o) = &mut v {
                o.entry("skipped")
                    .or_insert_with(|| Value::Array(Vec::new()));
            }
            Ok(v)
        },
        |_, v| Ok(v),
    )
}

/// Runs `op` on the client's runtime and converts its answer to the API's JSON.
fn call_json<'env, T, F>(env: &'env Env, fut: F) -> napi::Result<PromiseRaw<'env, Value>>
where
    T: Serialize + Send + 'static,
    F: Future<Output = Result<T, CoreError>> + Send + 'static,
{
    promise(env, async move { json(fut.await?) }, |_, v| Ok(v))
}

/// The Qualys Container Security registry-schedule client. Every method returns a Promise;
/// failures reject with a `QualysCsError`. Requests are validated before they are sent,
/// retried without ever duplicating a schedule, and paced by a client-side rate limiter. One
/// client is safe to use from many concurrent calls (they share the connection pool, the token
/// and the limiter). `util.inspect`, `JSON.stringify` and `String()` never show the password or
/// the token.
#[napi]
pub struct Client {
    pub(crate) inner: rs::Client,
}

#[napi]
impl Client {
    /// A client from explicit settings; throws a `config` `QualysCsError` naming the setting at
    /// fault.
    #[napi(constructor)]
    pub fn new(env: Env, options: ClientOptions) -> napi::Result<Self> {
        let inner = sync(
            &env,
            apply_options(ClientBuilder::new(), options).and_then(|b| b.build()),
        )?;
        Ok(Client { inner })
    }

    /// A client from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`, `QUALYS_PLATFORM` and
    /// `QUALYS_GATEWAY_URL` (empty values count as unset), read from `env` when given (e.g. a
    /// test's own object) or else from the process environment; `options` are applied on top.
    #[napi(factory)]
    pub fn from_env(
        env: Env,
        #[napi(ts_arg_type = "Record<string, string | undefined> | undefined | null")] vars: Option<
            HashMap<String, Option<String>>,
        >,
        options: Option<ClientOptions>,
    ) -> napi::Result<Self> {
        let builder = match vars {
            Some(vars) => ClientBuilder::from_env_with(|k| vars.get(k).cloned().flatten()),
            None => ClientBuilder::from_env(),
        };
        let inner = sync(
            &env,
            apply_options(builder, options.unwrap_or_default()).and_then(|b| b.build()),
        )?;
        Ok(Client { inner })
    }

    /// The gateway base URL in use (no trailing slash).
    #[napi(getter)]
    pub fn gateway_url(&self) -> String {
        self.inner.gateway_url().to_owned()
    }

    /// The username, when the client logs in with credentials.
    #[napi(getter)]
    pub fn username(&self) -> Option<String> {
        self.inner.username().map(str::to_owned)
    }

    /// How many tokens this client fetched from `/auth` so far.
    #[napi(getter)]
    pub fn token_fetches(&self) -> f64 {
        self.inner.token_fetches() as f64
    }

    /// The client's settings without secrets (`password: ***`).
    #[napi(js_name = "toString")]
    pub fn to_display(&self) -> String {
        format!("{:?}", self.inner)
    }

    /// What `util.inspect` shows: the settings without secrets.
    #[napi(symbol_for = "nodejs.util.inspect.custom")]
    pub fn inspect(&self) -> String {
        format!("{:?}", self.inner)
    }

    /// What `JSON.stringify` shows: the gateway and the username, never a secret.
    #[napi(
        js_name = "toJSON",
        ts_return_type = "{ gatewayUrl: string; username: string | null }"
    )]
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "gatewayUrl": self.inner.gateway_url(),
            "username": self.inner.username(),
        })
    }

    /// Creates a schedule in a registry. The request (the API's JSON, or a `ScheduleBuilder`
    /// result) is validated first: a request with errors is never sent (`validation` error
    /// listing every problem); warnings are returned. A lost answer is recovered by looking the
    /// schedule up by name, so a retry never creates it twice.
    #[napi(ts_return_type = "Promise<Created>")]
    pub fn create_schedule<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        #[napi(ts_arg_type = "ScheduleRequest")] request: Value,
    ) -> napi::Result<PromiseRaw<'env, Created>> {
        let c = self.inner.clone();
        promise(
            env,
            async move {
                let reg = RegistryId::parse(&registry_id)?;
                c.create_schedule_value(&reg, &request).await
            },
            |_, created| Ok(Created::from(created)),
        )
    }

    /// One page of the schedules of a registry.
    #[napi(ts_return_type = "Promise<SchedulePage>")]
    pub fn list_schedules<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        options: Option<ListOptions>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        call_page(env, async move {
            let reg = RegistryId::parse(&registry_id)?;
            c.list_schedules(&reg, &options.unwrap_or_default().into())
                .await
        })
    }

    /// Every schedule of a registry matching `options.filter`, fetched page after page
    /// (`options.pageSize` per page) as you iterate: `for await (const s of
    /// client.listSchedulesAll(id)) …`. An error rejects the iteration with a `QualysCsError`.
    #[napi]
    pub fn list_schedules_all(
        &self,
        registry_id: String,
        options: Option<ListOptions>,
    ) -> ScheduleIterator {
        let opts = options.unwrap_or_default().into();
        ScheduleIterator::new(match RegistryId::parse(&registry_id) {
            Ok(reg) => Source::Paged(self.inner.list_schedules_all(&reg, opts)),
            Err(e) => Source::Failed(Some(e)),
        })
    }

    /// One schedule (through the list: there is no call by id); `not_found` when the registry
    /// has no such schedule.
    #[napi(ts_return_type = "Promise<Schedule>")]
    pub fn get_schedule<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        schedule_id: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        call_json(env, async move {
            let reg = RegistryId::parse(&registry_id)?;
            let id = ScheduleId::parse(&schedule_id)?;
            c.get_schedule(&reg, &id).await
        })
    }

    /// Updates an automatic schedule. The current schedule is fetched and the change checked
    /// first (on-demand schedules, running jobs and changes of `onDemand`, a repo, a tag or
    /// `days` are refused before anything is sent). Resolves with the validation warnings.
    #[napi(ts_return_type = "Promise<Violation[]>")]
    pub fn update_schedule<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        schedule_id: String,
        #[napi(ts_arg_type = "ScheduleRequest")] request: Value,
    ) -> napi::Result<PromiseRaw<'env, Vec<Violation>>> {
        let c = self.inner.clone();
        promise(
            env,
            async move {
                let reg = RegistryId::parse(&registry_id)?;
                let id = ScheduleId::parse(&schedule_id)?;
                let req = crate::core_fns::request_from(&request)?;
                c.update_schedule(&reg, &id, &req).await
            },
            |_, w| Ok(violations(&w)),
        )
    }

    /// Deletes a schedule (refused by the server while its job runs: `conflict`). A retry that
    /// finds it already gone counts as success.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_schedule<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        schedule_id: String,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let c = self.inner.clone();
        promise(
            env,
            async move {
                let reg = RegistryId::parse(&registry_id)?;
                let id = ScheduleId::parse(&schedule_id)?;
                c.delete_schedule(&reg, &id).await
            },
            |_, ()| Ok(()),
        )
    }

    /// Cancels a schedule's job.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn cancel_schedule<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        schedule_id: String,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let c = self.inner.clone();
        promise(
            env,
            async move {
                let reg = RegistryId::parse(&registry_id)?;
                let id = ScheduleId::parse(&schedule_id)?;
                c.cancel_schedule(&reg, &id).await
            },
            |_, ()| Ok(()),
        )
    }

    /// Deletes schedules in bulk (a deletion job; Queued, Unknown and Running ones are skipped
    /// by the server). A selector with neither ids nor filter is a `validation` error.
    #[napi(ts_return_type = "Promise<BulkDeleteResponse>")]
    pub fn bulk_delete_schedules<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        selector: BulkSelector,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        call_json(env, async move {
            let reg = RegistryId::parse(&registry_id)?;
            c.bulk_delete_schedules(&reg, &bulk_selector(selector)?)
                .await
        })
    }

    /// Cancels schedules in bulk (a cancel job; Finished, Unknown and Error ones are skipped by
    /// the server). A selector with neither ids nor filter is a `validation` error.
    #[napi(ts_return_type = "Promise<BulkCancelResponse>")]
    pub fn bulk_cancel_schedules<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        selector: BulkSelector,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        call_json(env, async move {
            let reg = RegistryId::parse(&registry_id)?;
            c.bulk_cancel_schedules(&reg, &bulk_selector(selector)?)
                .await
        })
    }

    /// One page of registries.
    #[napi(ts_return_type = "Promise<RegistryPage>")]
    pub fn list_registries<'env>(
        &self,
        env: &'env Env,
        options: Option<ListOptions>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        call_page(env, async move {
            c.list_registries(&options.unwrap_or_default().into()).await
        })
    }

    /// Every registry, page after page, as you iterate (`for await`).
    #[napi]
    pub fn list_registries_all(&self, options: Option<ListOptions>) -> RegistryIterator {
        RegistryIterator::new(Source::Paged(
            self.inner
                .list_registries_all(options.unwrap_or_default().into()),
        ))
    }

    /// A registry with its details.
    #[napi(ts_return_type = "Promise<RegistryDetails>")]
    pub fn get_registry<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        call_json(env, async move {
            let reg = RegistryId::parse(&registry_id)?;
            c.get_registry(&reg).await
        })
    }

    /// The registry whose `registryName` or `registryUri` is exactly `nameOrUri` (or whose id
    /// it is): `not_found` when none, a `validation` error listing the candidates when several
    /// match.
    #[napi(ts_return_type = "Promise<Registry>")]
    pub fn find_registry<'env>(
        &self,
        env: &'env Env,
        name_or_uri: String,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        call_json(env, async move { c.find_registry(&name_or_uri).await })
    }

    /// One page of the repositories of a registry.
    #[napi(ts_return_type = "Promise<RepositoryPage>")]
    pub fn list_repositories<'env>(
        &self,
        env: &'env Env,
        registry_id: String,
        options: Option<ListOptions>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let c = self.inner.clone();
        call_page(env, async move {
            let reg = RegistryId::parse(&registry_id)?;
            c.list_repositories(&reg, &options.unwrap_or_default().into())
                .await
        })
    }

    /// Every repository of a registry, page after page, as you iterate (`for await`).
    #[napi]
    pub fn list_repositories_all(
        &self,
        registry_id: String,
        options: Option<ListOptions>,
    ) -> RepositoryIterator {
        let opts = options.unwrap_or_default().into();
        RepositoryIterator::new(match RegistryId::parse(&registry_id) {
            Ok(reg) => Source::Paged(self.inner.list_repositories_all(&reg, opts)),
            Err(e) => Source::Failed(Some(e)),
        })
    }
}

fn bulk_selector(s: BulkSelector) -> Result<rs::BulkSelector, CoreError> {
    let ids = s
        .schedule_ids
        .unwrap_or_default()
        .iter()
        .map(|id| ScheduleId::parse(id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rs::BulkSelector {
        schedule_ids: ids,
        filter: s.filter,
    })
}

/// Where an iterator's items come from.
pub enum Source<T> {
    /// Pages fetched as the iteration goes.
    Paged(Paged<T>),
    /// The arguments were wrong: the first `next()` rejects with this.
    Failed(Option<CoreError>),
}

impl<T: Serialize + Send + 'static> Source<T> {
    async fn next(&mut self) -> Option<Result<Value, CoreError>> {
        match self {
            Source::Paged(p) => p.next().await.map(|r| r.and_then(json)),
            Source::Failed(e) => e.take().map(Err),
        }
    }
}

/// Item types of the iterators: napi names the TypeScript yield type after the last segment of
/// its path, so these aliases carry the interface names.
pub mod item {
    /// A schedule, or the error that ended the iteration.
    pub type Schedule = crate::error::Fallible<serde_json::Value>;
    /// A registry, or the error that ended the iteration.
    pub type Registry = crate::error::Fallible<serde_json::Value>;
    /// A repository, or the error that ended the iteration.
    pub type Repository = crate::error::Fallible<serde_json::Value>;
}

macro_rules! iterator_class {
    ($doc:literal, $name:ident, $core:ty, $item:ident, $ts_all:literal) => {
        #[doc = $doc]
        #[napi(async_iterator)]
        pub struct $name {
            source: Arc<Mutex<Source<$core>>>,
        }

        impl $name {
            fn new(source: Source<$core>) -> Self {
                $name {
                    source: Arc::new(Mutex::new(source)),
                }
            }
        }

        #[napi]
        impl AsyncGenerator for $name {
            type Yield = item::$item;
            type Next = ();
            type Return = ();

            fn next(
                &mut self,
                _value: Option<Self::Next>,
            ) -> impl Future<Output = napi::Result<Option<Self::Yield>>> + Send + 'static {
                let source = self.source.clone();
                async move { Ok(source.lock().await.next().await.map(Fallible)) }
            }
        }

        #[napi]
        impl $name {
            /// Every remaining item, in one array (fetching every remaining page).
            #[napi(ts_return_type = $ts_all)]
            pub fn collect<'env>(
                &self,
                env: &'env Env,
            ) -> napi::Result<PromiseRaw<'env, Vec<Value>>> {
                let source = self.source.clone();
                promise(
                    env,
                    async move {
                        let mut source = source.lock().await;
                        let mut out = Vec::new();
                        while let Some(item) = source.next().await {
                            out.push(item?);
                        }
                        Ok(out)
                    },
                    |_, v| Ok(v),
                )
            }
        }
    };
}

iterator_class!(
    "The schedules of a registry, page after page (`for await … of`).",
    ScheduleIterator,
    qualys_cs_core::Schedule,
    Schedule,
    "Promise<Schedule[]>"
);
iterator_class!(
    "The registries, page after page (`for await … of`).",
    RegistryIterator,
    qualys_cs_core::Registry,
    Registry,
    "Promise<Registry[]>"
);
iterator_class!(
    "The repositories of a registry, page after page (`for await … of`).",
    RepositoryIterator,
    qualys_cs_core::Repository,
    Repository,
    "Promise<Repository[]>"
);
