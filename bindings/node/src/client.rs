//! The `Client` class: every operation of the Rust client as a Promise, listings as async
//! iterators. Settings are read by `qualys_cs_client::ClientConfig` (camelCase keys, durations
//! in milliseconds); every argument through [`crate::convert`].

use futures_util::StreamExt as _;
use napi::Env;
use napi::bindgen_prelude::{AsyncGenerator, PromiseRaw, Unknown};
use napi_derive::napi;
use qualys_cs_client::{self as rs, ClientBuilder, ClientConfig, KeyStyle, Paged};
use qualys_cs_core::{Error as CoreError, Page, RegistryId, ScheduleId, ScheduleRequest};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

use crate::convert::{Js, arg, camel, from_js, js, opts, wrong};
use crate::error::{Fallible, promise, sync};
use crate::plan;

pub(crate) type Answer<'env, T = Js> = napi::Result<PromiseRaw<'env, T>>;

/// Reads client options (`ClientOptions`) through the client crate's one reader.
pub(crate) fn config(u: Option<Unknown<'_>>) -> Result<ClientConfig, CoreError> {
    let v = u.map(from_js).transpose()?.flatten().unwrap_or(Value::Null);
    ClientConfig::from_json(&v, KeyStyle::CamelMillis)
}

/// Builds the client; setting names in errors are spelled as JavaScript spells them
/// (`QUALYS_*` variables keep their names).
pub(crate) fn build(env: &Env, b: ClientBuilder) -> napi::Result<Client> {
    let inner = b.build().map_err(|e| KeyStyle::CamelMillis.localize(e));
    Ok(Client {
        inner: sync(env, inner)?,
    })
}

pub(crate) fn rid(u: Unknown<'_>) -> Result<RegistryId, CoreError> {
    RegistryId::parse(&arg::<String>("registryId", "a registry UUID (text)", u)?)
}

pub(crate) fn sid(u: Unknown<'_>) -> Result<ScheduleId, CoreError> {
    ScheduleId::parse(&arg::<String>("scheduleId", "a schedule UUID (text)", u)?)
}

/// A request object (the API's JSON).
pub(crate) fn body(u: Unknown<'_>) -> Result<Value, CoreError> {
    from_js(u)?.ok_or_else(|| wrong("request", "a schedule request (an object)", None))
}

fn typed(u: Unknown<'_>) -> Result<ScheduleRequest, CoreError> {
    ScheduleRequest::from_value(&body(u)?)
}

fn text(u: Unknown<'_>) -> Result<String, CoreError> {
    arg("nameOrUri", "a registry name, URI or id (text)", u)
}

/// Page options (`ListOptions`).
fn list(u: Option<Unknown<'_>>) -> Result<rs::ListOptions, CoreError> {
    let o = opts(
        "listOptions",
        &["filter", "pageNumber", "pageSize", "sort", "lenient"],
        u,
    )?;
    Ok(rs::ListOptions {
        filter: o.get("filter", "a Qualys query (text)")?,
        page_number: o.get("pageNumber", "a page number from 1")?,
        page_size: o.get("pageSize", "a whole number of items")?,
        sort: o.get("sort", "text such as \"created:desc\"")?,
        lenient: o.get("lenient", "true or false")?.unwrap_or(false),
    })
}

/// A page as `{count, data, skipped}`: `skipped` always there, as in every language.
fn page<T: Serialize>(p: Page<T>) -> Result<Js, CoreError> {
    let mut v = js(p)?.0;
    v["skipped"] = camel(v.get("skipped").cloned().unwrap_or(json!([])));
    Ok(Js(v))
}

/// Which schedules a bulk call acts on (`BulkSelector`).
fn ids(u: Unknown<'_>) -> Result<rs::BulkSelector, CoreError> {
    let o = opts("selector", &["scheduleIds", "filter"], Some(u))?;
    let ids: Option<Vec<String>> = o.get("scheduleIds", "a list of schedule UUIDs")?;
    Ok(rs::BulkSelector {
        schedule_ids: ids
            .iter()
            .flatten()
            .map(|i| ScheduleId::parse(i))
            .collect::<Result<_, _>>()?,
        filter: o.get("filter", "a Qualys query (text)")?,
    })
}

/// The Qualys Container Security registry-schedule client. Every method returns a Promise;
/// failures reject with a `QualysCsError` (arguments of the wrong type too). Requests are
/// validated before they are sent, retried without ever duplicating a schedule, and paced by a
/// client-side rate limiter. One client is safe to use from many concurrent calls.
/// `util.inspect`, `JSON.stringify` and `String()` never show the password or the token.
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
        build(
            &env,
            ClientBuilder::from_config(&sync(&env, config(Some(options)))?),
        )
    }

    /// A client from `QUALYS_USERNAME`, `QUALYS_PASSWORD`, `QUALYS_TOKEN`, `QUALYS_PLATFORM` and
    /// `QUALYS_GATEWAY_URL` (empty values count as unset), read from `vars` when given or else
    /// from the process environment; `options` are applied on top.
    #[napi(factory)]
    pub fn from_env(
        env: Env,
        #[napi(ts_arg_type = "Record<string, string | undefined> | null")] vars: Option<Unknown>,
        #[napi(ts_arg_type = "ClientOptions")] options: Option<Unknown>,
    ) -> napi::Result<Self> {
        let vars = vars.map(|v| arg::<HashMap<String, Value>>("vars", "an object", v));
        let b = match sync(&env, vars.transpose())? {
            Some(v) => ClientBuilder::from_env_with(|k| v.get(k)?.as_str().map(str::to_owned)),
            None => ClientBuilder::from_env(),
        };
        build(&env, b.apply_config(&sync(&env, config(options))?))
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

    /// The client without secrets: `Client { gatewayUrl: '…', username: '…', password: *** }`;
    /// also what `util.inspect` shows.
    #[napi(js_name = "toString")]
    pub fn to_display(&self) -> String {
        let (url, n) = (json!(self.inner.gateway_url()), self.inner.token_fetches());
        let auth = match self.inner.username() {
            Some(u) => format!("username: {}, password: ***", json!(u)),
            None => "token: ***".to_owned(),
        };
        format!("Client {{ gatewayUrl: {url}, {auth}, tokenFetches: {n} }}").replace('"', "'")
    }

    /// What `util.inspect` shows.
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
}

/// The Promise-returning operations: `name(argument: type = "TS type" => reader, …) -> output =
/// "TS type" |client| body`. Each argument is read on the JavaScript thread; a wrong one
/// rejects the Promise with its `validation` error; the body runs on the async runtime.
macro_rules! operations {
    ($([$($doc:tt)*] $name:ident($($a:ident: $ty:ty = $ts:literal => $read:expr),*)
        -> $out:ty = $ret:literal |$c:ident| $body:expr;)*) => {
        #[napi]
        impl Client {$(
            $(#[doc = $doc])*
            #[napi(ts_return_type = $ret)]
            pub fn $name<'env>(&self, env: &'env Env, $(#[napi(ts_arg_type = $ts)] $a: $ty),*)
                -> Answer<'env, $out> {
                let $c = self.inner.clone();
                $(let $a = ($read)($a);)*
                promise(env, async move { $(let $a = $a?;)* $body })
            }
        )*}
    };
}
// (also used by crate::registries)
pub(crate) use operations;

operations! {
    ["Creates a schedule in a registry. The request (the API's JSON, or a `ScheduleBuilder`"
     "result) is validated first: a request with errors is never sent (`validation` error"
     "listing every problem); warnings are returned. A lost answer is recovered by looking the"
     "schedule up, so a retry never creates it twice."]
    create_schedule(registry_id: Unknown = "string" => rid, request: Unknown = "ScheduleRequest" => body)
        -> Js = "Promise<Created>"
        |c| Ok(Js(camel(js(c.create_schedule_value(&registry_id, &request).await?)?.0)));
    ["One page of the schedules of a registry: `{count, data, skipped}`."]
    list_schedules(registry_id: Unknown = "string" => rid, options: Option<Unknown> = "ListOptions" => list)
        -> Js = "Promise<SchedulePage>" |c| page(c.list_schedules(&registry_id, &options).await?);
    ["One schedule (through the list: there is no call by id); `not_found` when the registry"
     "has no such schedule."]
    get_schedule(registry_id: Unknown = "string" => rid, schedule_id: Unknown = "string" => sid)
        -> Js = "Promise<Schedule>" |c| js(c.get_schedule(&registry_id, &schedule_id).await?);
    ["Updates an automatic schedule. The current schedule is fetched and the change checked"
     "first (on-demand schedules, running jobs and changes of `onDemand`, a repo, a tag or"
     "`days` are refused before anything is sent). Resolves with the validation warnings."]
    update_schedule(registry_id: Unknown = "string" => rid, schedule_id: Unknown = "string" => sid,
        request: Unknown = "ScheduleRequest" => typed) -> Js = "Promise<Violation[]>"
        |c| js(c.update_schedule(&registry_id, &schedule_id, &request).await?);
    ["Deletes a schedule (refused by the server while its job runs: `conflict`). A retry that"
     "finds it already gone counts as success."]
    delete_schedule(registry_id: Unknown = "string" => rid, schedule_id: Unknown = "string" => sid)
        -> () = "Promise<void>" |c| c.delete_schedule(&registry_id, &schedule_id).await;
    ["Cancels a schedule's job."]
    cancel_schedule(registry_id: Unknown = "string" => rid, schedule_id: Unknown = "string" => sid)
        -> () = "Promise<void>" |c| c.cancel_schedule(&registry_id, &schedule_id).await;
    ["Deletes schedules in bulk (a deletion job; Queued, Unknown and Running ones are skipped"
     "by the server). A selector with neither ids nor filter is a `validation` error."]
    bulk_delete_schedules(registry_id: Unknown = "string" => rid, selector: Unknown = "BulkSelector"
        => ids) -> Js = "Promise<BulkDeleteResponse>"
        |c| js(c.bulk_delete_schedules(&registry_id, &selector).await?);
    ["Cancels schedules in bulk (a cancel job; Finished, Unknown and Error ones are skipped by"
     "the server). A selector with neither ids nor filter is a `validation` error."]
    bulk_cancel_schedules(registry_id: Unknown = "string" => rid, selector: Unknown = "BulkSelector"
        => ids) -> Js = "Promise<BulkCancelResponse>"
        |c| js(c.bulk_cancel_schedules(&registry_id, &selector).await?);
    ["One page of registries: `{count, data, skipped}`."]
    list_registries(options: Option<Unknown> = "ListOptions" => list) -> Js = "Promise<RegistryPage>"
        |c| page(c.list_registries(&options).await?);
    ["A registry with its details."]
    get_registry(registry_id: Unknown = "string" => rid) -> Js = "Promise<RegistryDetails>"
        |c| js(c.get_registry(&registry_id).await?);
    ["The registry whose `registryName` or `registryUri` is exactly `nameOrUri` (or whose id"
     "it is): `not_found` when none, a `validation` error listing the candidates when several."]
    find_registry(name_or_uri: Unknown = "string" => text) -> Js = "Promise<Registry>"
        |c| js(c.find_registry(&name_or_uri).await?);
    ["Polls a schedule until its status is terminal (or one of `options.until`) and resolves"
     "with the schedule as last listed; a schedule that disappears is `not_found`, running out"
     "of time is `timeout` (naming the last status). Works with the emulator's virtual clock."]
    wait_for_schedule(registry_id: Unknown = "string" => rid, schedule_id: Unknown = "string" => sid,
        options: Option<Unknown> = "WaitOptions" => plan::wait_options) -> Js = "Promise<Schedule>"
        |c| js(c.wait_for_schedule(&registry_id, &schedule_id, &options).await?);
    ["Plans a desired-state document (YAML or JSON text, or the object form) against what"
     "exists now: reads every registry and the schedules of the ones the document names."
     "Document problems reject with one `validation` error naming the line and the field."]
    plan(desired: Unknown = "string | Record<string, unknown>" => plan::document,
        options: Option<Unknown> = "PlanOptions" => plan::plan_options) -> Js = "Promise<Plan>"
        |c| { let (state, o) = plan::parse(desired, &options)?; plan::plan_js(c.plan(&state, o).await?) };
    ["One page of the repositories of a registry: `{count, data, skipped}`."]
    list_repositories(registry_id: Unknown = "string" => rid, options: Option<Unknown> = "ListOptions"
        => list) -> Js = "Promise<RepositoryPage>"
        |c| page(c.list_repositories(&registry_id, &options).await?);
}

/// Where an iterator's items come from: pages fetched as the iteration goes, or the error of
/// wrong arguments (the first `next()` rejects with it).
pub struct Source<T>(Option<Result<Paged<T>, CoreError>>);

impl<T: Serialize + Send + 'static> Source<T> {
    async fn next(&mut self) -> Option<Result<Js, CoreError>> {
        match &mut self.0 {
            Some(Ok(p)) => p.next().await.map(|r| r.and_then(js)),
            Some(Err(_)) => self.0.take().and_then(|r| r.err()).map(Err),
            None => None,
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

/// The listings of every item: `method(argument: type = "TS type" => reader, …) -> Class(item
/// type, yield alias) = "TS type of collect()" |client| paged listing`. A wrong argument rejects
/// the first `next()` (and `collect()`).
macro_rules! iterators {
    ($([$($doc:tt)*] $method:ident($($a:ident: $ty:ty = $ts:literal => $read:expr),*)
        -> $name:ident($core:ty, $item:ident) = $all:literal |$c:ident| $open:expr;)*) => {$(
        #[doc = "Items page after page (`for await … of`), or all of them with `collect()`."]
        #[napi(async_iterator)]
        pub struct $name(Arc<Mutex<Source<$core>>>);

        #[napi]
        impl AsyncGenerator for $name {
            type Yield = item::$item;
            type Next = ();
            type Return = ();

            fn next(&mut self, _value: Option<()>)
                -> impl Future<Output = napi::Result<Option<Self::Yield>>> + Send + 'static {
                let source = self.0.clone();
                async move { Ok(source.lock().await.next().await.map(Fallible)) }
            }
        }

        #[napi]
        impl $name {
            /// Every remaining item, in one array (fetching every remaining page).
            #[napi(ts_return_type = $all)]
            pub fn collect<'env>(&self, env: &'env Env) -> Answer<'env, Vec<Js>> {
                let source = self.0.clone();
                promise(env, async move {
                    let (mut source, mut out) = (source.lock().await, Vec::new());
                    while let Some(item) = source.next().await {
                        out.push(item?);
                    }
                    Ok(out)
                })
            }
        }

        #[napi]
        impl Client {
            $(#[doc = $doc])*
            #[napi]
            pub fn $method(&self, $(#[napi(ts_arg_type = $ts)] $a: $ty),*) -> $name {
                let $c = &self.inner;
                let open = || -> Result<_, CoreError> { $(let $a = ($read)($a)?;)* Ok($open) };
                $name(Arc::new(Mutex::new(Source(Some(open())))))
            }
        }
    )*};
}

iterators! {
    ["Every schedule of a registry matching `options.filter`, fetched page after page as you"
     "iterate: `for await (const s of client.listSchedulesAll(id)) …`, or `.collect()`."]
    list_schedules_all(registry_id: Unknown = "string" => rid, options: Option<Unknown> = "ListOptions"
        => list) -> ScheduleIterator(qualys_cs_core::Schedule, Schedule) = "Promise<Schedule[]>"
        |c| c.list_schedules_all(&registry_id, options);
    ["Every registry, page after page, as you iterate (`for await`), or `.collect()`."]
    list_registries_all(options: Option<Unknown> = "ListOptions" => list)
        -> RegistryIterator(qualys_cs_core::Registry, Registry) = "Promise<Registry[]>"
        |c| c.list_registries_all(options);
    ["Every repository of a registry, page after page, as you iterate (`for await`)."]
    list_repositories_all(registry_id: Unknown = "string" => rid, options: Option<Unknown> = "ListOptions"
        => list) -> RepositoryIterator(qualys_cs_core::Repository, Repository) = "Promise<Repository[]>"
        |c| c.list_repositories_all(&registry_id, options);
}
