//! The `Client` class: every operation of the Rust client as a Promise, listings as async
//! iterators. Settings are read by `qualys_cs_client::ClientConfig` (camelCase keys, durations
//! in milliseconds); every argument through [`crate::convert`].

use futures_util::StreamExt as _;
use napi::Env;
use napi::bindgen_prelude::{AsyncGenerator, PromiseRaw, Unknown};
use napi_derive::napi;
use qualys_cs_client::{self as rs, ClientBuilder, ClientConfig, KeyStyle, Paged};
use qualys_cs_core::{Error as CoreError, RegistryId, ScheduleId, ScheduleRequest};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

use crate::convert::{Js, arg, camel, from_js, js, options};
use crate::error::{Fallible, promise, sync};

pub(crate) type Answer<'env> = napi::Result<PromiseRaw<'env, Js>>;

/// Reads client options (`ClientOptions`) through the client crate's one reader.
pub(crate) fn config(u: Unknown<'_>) -> Result<ClientConfig, CoreError> {
    ClientConfig::from_json(&from_js(u)?.unwrap_or(Value::Null), KeyStyle::CamelMillis)
}

/// Builds the client; setting names in errors are spelled as JavaScript spells them.
pub(crate) fn build(env: &Env, b: ClientBuilder) -> napi::Result<Client> {
    let inner = sync(
        env,
        b.build().map_err(|e| match e {
            // QUALYS_* variables keep their names.
            CoreError::Config { ref field, .. } if field.starts_with("QUALYS_") => e,
            e => KeyStyle::CamelMillis.localize(e),
        }),
    )?;
    Ok(Client { inner })
}

pub(crate) fn registry_id(u: Unknown<'_>) -> Result<RegistryId, CoreError> {
    RegistryId::parse(&arg::<String>("registryId", "a registry UUID (text)", u)?)
}

pub(crate) fn schedule_id(u: Unknown<'_>) -> Result<ScheduleId, CoreError> {
    ScheduleId::parse(&arg::<String>("scheduleId", "a schedule UUID (text)", u)?)
}

pub(crate) fn request(u: Unknown<'_>) -> Result<Value, CoreError> {
    from_js(u)?
        .ok_or_else(|| crate::convert::wrong("request", "a schedule request (an object)", None))
}

/// Page options (`ListOptions`).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListOpts {
    filter: Option<String>,
    page_number: Option<u32>,
    page_size: Option<u32>,
    sort: Option<String>,
    lenient: Option<bool>,
}

const LIST_KEYS: &[(&str, &str)] = &[
    ("filter", "a Qualys query (text)"),
    ("pageNumber", "a page number from 1"),
    ("pageSize", "a whole number of items"),
    ("sort", "text such as \"created:desc\""),
    ("lenient", "true or false"),
];

fn list_options(u: Option<Unknown<'_>>) -> Result<rs::ListOptions, CoreError> {
    let o: ListOpts = match u {
        Some(u) => options("listOptions", LIST_KEYS, u)?,
        None => ListOpts::default(),
    };
    Ok(rs::ListOptions {
        filter: o.filter,
        page_number: o.page_number,
        page_size: o.page_size,
        sort: o.sort,
        lenient: o.lenient.unwrap_or(false),
    })
}

/// A page as `{count, data, skipped}`: `skipped` always there, as in every language.
fn page<T: Serialize>(p: qualys_cs_core::Page<T>) -> Result<Js, CoreError> {
    let mut v = js(p)?;
    if let Value::Object(o) = &mut v.0 {
        let skipped = o.remove("skipped").map(camel).unwrap_or(json!([]));
        o.insert("skipped".into(), skipped);
    }
    Ok(v)
}

/// Which schedules a bulk call acts on.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Selector {
    schedule_ids: Option<Vec<String>>,
    filter: Option<String>,
}

const SELECTOR_KEYS: &[(&str, &str)] = &[
    ("scheduleIds", "a list of schedule UUIDs"),
    ("filter", "a Qualys query (text)"),
];

fn selector(u: Unknown<'_>) -> Result<rs::BulkSelector, CoreError> {
    let s: Selector = options("selector", SELECTOR_KEYS, u)?;
    let ids = s.schedule_ids.unwrap_or_default();
    Ok(rs::BulkSelector {
        schedule_ids: ids
            .iter()
            .map(|i| ScheduleId::parse(i))
            .collect::<Result<_, _>>()?,
        filter: s.filter,
    })
}

/// The Qualys Container Security registry-schedule client. Every method returns a Promise;
/// failures reject with a `QualysCsError`. Requests are validated before they are sent,
/// retried without ever duplicating a schedule, and paced by a client-side rate limiter. One
/// client is safe to use from many concurrent calls. `util.inspect`, `JSON.stringify` and
/// `String()` never show the password or the token.
#[napi]
pub struct Client {
    pub(crate) inner: rs::Client,
}

#[napi]
impl Client {
    /// A client from explicit settings. A wrong or misspelt setting throws a `config`
    /// `QualysCsError` naming it (and the nearest valid name).
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "ClientOptions")] options: Unknown,
    ) -> napi::Result<Self> {
        let c = sync(&env, config(options))?;
        build(&env, ClientBuilder::from_config(&c))
    }

    /// A client from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`, `QUALYS_PLATFORM` and
    /// `QUALYS_GATEWAY_URL` (empty values count as unset), read from `vars` when given (e.g. a
    /// test's own object) or else from the process environment; `options` are applied on top.
    #[napi(factory)]
    pub fn from_env(
        env: Env,
        #[napi(ts_arg_type = "Record<string, string | undefined> | null")] vars: Option<Unknown>,
        #[napi(ts_arg_type = "ClientOptions")] options: Option<Unknown>,
    ) -> napi::Result<Self> {
        let vars: Option<HashMap<String, Value>> = match vars {
            Some(v) => sync(&env, arg("vars", "an object of environment variables", v))?,
            None => None,
        };
        let c = match options {
            Some(o) => sync(&env, config(o))?,
            None => ClientConfig::default(),
        };
        let b = match vars {
            Some(vars) => ClientBuilder::from_env_with(|k| {
                vars.get(k).and_then(Value::as_str).map(str::to_owned)
            }),
            None => ClientBuilder::from_env(),
        };
        build(&env, b.apply_config(&c))
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

    /// The client without secrets: `Client { gatewayUrl: '…', username: '…', password: *** }`.
    #[napi(js_name = "toString")]
    pub fn to_display(&self) -> String {
        let auth = match self.inner.username() {
            Some(u) => format!("username: {}, password: ***", json!(u)),
            None => "token: ***".to_owned(),
        };
        format!(
            "Client {{ gatewayUrl: {}, {auth}, tokenFetches: {} }}",
            json!(self.inner.gateway_url()),
            self.inner.token_fetches()
        )
    }

    /// What `util.inspect` shows: the same as `toString()`.
    #[napi(symbol_for = "nodejs.util.inspect.custom")]
    pub fn inspect(&self) -> String {
        self.to_display()
    }

    /// What `JSON.stringify` shows: the gateway and the username, never a secret.
    #[napi(
        js_name = "toJSON",
        ts_return_type = "{ gatewayUrl: string; username: string | null }"
    )]
    pub fn to_json(&self) -> Js {
        Js(json!({ "gatewayUrl": self.inner.gateway_url(), "username": self.inner.username() }))
    }

    /// Creates a schedule in a registry. The request (the API's JSON, or a `ScheduleBuilder`
    /// result) is validated first: a request with errors is never sent (`validation` error
    /// listing every problem); warnings are returned. A lost answer is recovered by looking the
    /// schedule up, so a retry never creates it twice.
    #[napi(ts_return_type = "Promise<Created>")]
    pub fn create_schedule<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "ScheduleRequest")] request: Unknown,
    ) -> Answer<'env> {
        let (c, reg, req) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            self::request(request),
        );
        promise(env, async move {
            Ok(Js(camel(
                js(c.create_schedule_value(&reg?, &req?).await?)?.0,
            )))
        })
    }

    /// One page of the schedules of a registry: `{count, data, skipped}`.
    #[napi(ts_return_type = "Promise<SchedulePage>")]
    pub fn list_schedules<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "ListOptions")] options: Option<Unknown>,
    ) -> Answer<'env> {
        let (c, reg, o) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            list_options(options),
        );
        promise(
            env,
            async move { page(c.list_schedules(&reg?, &o?).await?) },
        )
    }

    /// Every schedule of a registry matching `options.filter`, fetched page after page as you
    /// iterate: `for await (const s of client.listSchedulesAll(id)) …`, or `.collect()`.
    #[napi]
    pub fn list_schedules_all(
        &self,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "ListOptions")] options: Option<Unknown>,
    ) -> ScheduleIterator {
        let c = &self.inner;
        ScheduleIterator::new(registry_id_and(registry_id, options, |r, o| {
            c.list_schedules_all(&r, o)
        }))
    }

    /// One schedule (through the list: there is no call by id); `not_found` when the registry
    /// has no such schedule.
    #[napi(ts_return_type = "Promise<Schedule>")]
    pub fn get_schedule<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "string")] schedule_id: Unknown,
    ) -> Answer<'env> {
        let (c, reg, id) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            self::schedule_id(schedule_id),
        );
        promise(env, async move { js(c.get_schedule(&reg?, &id?).await?) })
    }

    /// Updates an automatic schedule. The current schedule is fetched and the change checked
    /// first (on-demand schedules, running jobs and changes of `onDemand`, a repo, a tag or
    /// `days` are refused before anything is sent). Resolves with the validation warnings.
    #[napi(ts_return_type = "Promise<Violation[]>")]
    pub fn update_schedule<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "string")] schedule_id: Unknown,
        #[napi(ts_arg_type = "ScheduleRequest")] request: Unknown,
    ) -> Answer<'env> {
        let (c, reg, id) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            self::schedule_id(schedule_id),
        );
        let req = self::request(request).and_then(|r| ScheduleRequest::from_value(&r));
        promise(env, async move {
            js(c.update_schedule(&reg?, &id?, &req?).await?)
        })
    }

    /// Deletes a schedule (refused by the server while its job runs: `conflict`). A retry that
    /// finds it already gone counts as success.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn delete_schedule<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "string")] schedule_id: Unknown,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let (c, reg, id) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            self::schedule_id(schedule_id),
        );
        promise(env, async move { c.delete_schedule(&reg?, &id?).await })
    }

    /// Cancels a schedule's job.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn cancel_schedule<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "string")] schedule_id: Unknown,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let (c, reg, id) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            self::schedule_id(schedule_id),
        );
        promise(env, async move { c.cancel_schedule(&reg?, &id?).await })
    }

    /// Deletes schedules in bulk (a deletion job; Queued, Unknown and Running ones are skipped
    /// by the server). A selector with neither ids nor filter is a `validation` error.
    #[napi(ts_return_type = "Promise<BulkDeleteResponse>")]
    pub fn bulk_delete_schedules<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "BulkSelector")] selector: Unknown,
    ) -> Answer<'env> {
        let (c, reg, sel) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            self::selector(selector),
        );
        promise(env, async move {
            js(c.bulk_delete_schedules(&reg?, &sel?).await?)
        })
    }

    /// Cancels schedules in bulk (a cancel job; Finished, Unknown and Error ones are skipped by
    /// the server). A selector with neither ids nor filter is a `validation` error.
    #[napi(ts_return_type = "Promise<BulkCancelResponse>")]
    pub fn bulk_cancel_schedules<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "BulkSelector")] selector: Unknown,
    ) -> Answer<'env> {
        let (c, reg, sel) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            self::selector(selector),
        );
        promise(env, async move {
            js(c.bulk_cancel_schedules(&reg?, &sel?).await?)
        })
    }

    /// One page of registries: `{count, data, skipped}`.
    #[napi(ts_return_type = "Promise<RegistryPage>")]
    pub fn list_registries<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "ListOptions")] options: Option<Unknown>,
    ) -> Answer<'env> {
        let (c, o) = (self.inner.clone(), list_options(options));
        promise(env, async move { page(c.list_registries(&o?).await?) })
    }

    /// Every registry, page after page, as you iterate (`for await`).
    #[napi]
    pub fn list_registries_all(
        &self,
        #[napi(ts_arg_type = "ListOptions")] options: Option<Unknown>,
    ) -> RegistryIterator {
        RegistryIterator::new(match list_options(options) {
            Ok(o) => Source::Paged(self.inner.list_registries_all(o)),
            Err(e) => Source::Failed(Some(e)),
        })
    }

    /// A registry with its details.
    #[napi(ts_return_type = "Promise<RegistryDetails>")]
    pub fn get_registry<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
    ) -> Answer<'env> {
        let (c, reg) = (self.inner.clone(), self::registry_id(registry_id));
        promise(env, async move { js(c.get_registry(&reg?).await?) })
    }

    /// The registry whose `registryName` or `registryUri` is exactly `nameOrUri` (or whose id
    /// it is): `not_found` when none, a `validation` error listing the candidates when several
    /// match.
    #[napi(ts_return_type = "Promise<Registry>")]
    pub fn find_registry<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] name_or_uri: Unknown,
    ) -> Answer<'env> {
        let c = self.inner.clone();
        let name = arg::<String>(
            "nameOrUri",
            "a registry name, URI or id (text)",
            name_or_uri,
        );
        promise(env, async move { js(c.find_registry(&name?).await?) })
    }

    /// One page of the repositories of a registry: `{count, data, skipped}`.
    #[napi(ts_return_type = "Promise<RepositoryPage>")]
    pub fn list_repositories<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "ListOptions")] options: Option<Unknown>,
    ) -> Answer<'env> {
        let (c, reg, o) = (
            self.inner.clone(),
            self::registry_id(registry_id),
            list_options(options),
        );
        promise(
            env,
            async move { page(c.list_repositories(&reg?, &o?).await?) },
        )
    }

    /// Every repository of a registry, page after page, as you iterate (`for await`).
    #[napi]
    pub fn list_repositories_all(
        &self,
        #[napi(ts_arg_type = "string")] registry_id: Unknown,
        #[napi(ts_arg_type = "ListOptions")] options: Option<Unknown>,
    ) -> RepositoryIterator {
        let c = &self.inner;
        RepositoryIterator::new(registry_id_and(registry_id, options, |r, o| {
            c.list_repositories_all(&r, o)
        }))
    }
}

fn registry_id_and<T>(
    registry_id: Unknown<'_>,
    options: Option<Unknown<'_>>,
    f: impl FnOnce(RegistryId, rs::ListOptions) -> Paged<T>,
) -> Source<T> {
    match self::registry_id(registry_id).and_then(|r| Ok((r, list_options(options)?))) {
        Ok((r, o)) => Source::Paged(f(r, o)),
        Err(e) => Source::Failed(Some(e)),
    }
}

/// Where an iterator's items come from.
pub enum Source<T> {
    /// Pages fetched as the iteration goes.
    Paged(Paged<T>),
    /// The arguments were wrong: the first `next()` rejects with this.
    Failed(Option<CoreError>),
}

impl<T: Serialize + Send + 'static> Source<T> {
    async fn next(&mut self) -> Option<Result<Js, CoreError>> {
        match self {
            Source::Paged(p) => p.next().await.map(|r| r.and_then(js)),
            Source::Failed(e) => e.take().map(Err),
        }
    }
}

/// Item types of the iterators: napi names the TypeScript yield type after the last segment of
/// its path, so these aliases carry the interface names.
pub mod item {
    /// A schedule, or the error that ended the iteration.
    pub type Schedule = crate::error::Fallible<crate::convert::Js>;
    /// A registry, or the error that ended the iteration.
    pub type Registry = crate::error::Fallible<crate::convert::Js>;
    /// A repository, or the error that ended the iteration.
    pub type Repository = crate::error::Fallible<crate::convert::Js>;
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
            pub fn collect<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Vec<Js>>> {
                let source = self.source.clone();
                promise(env, async move {
                    let mut source = source.lock().await;
                    let mut out = Vec::new();
                    while let Some(item) = source.next().await {
                        out.push(item?);
                    }
                    Ok(out)
                })
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
