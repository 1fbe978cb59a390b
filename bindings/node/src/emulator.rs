//! The `Emulator` class: the embedded Qualys CS emulator, in-process, for users' tests. Every
//! control call goes through the Rust `EmulatorHandle` (no HTTP to its own control routes).

use napi::Env;
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi_derive::napi;
use qualys_cs_client::ClientBuilder;
use qualys_cs_client::Secret;
use qualys_cs_core::Error as CoreError;
use qualys_cs_emulator::{
    DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, EmulatorHandle, FaultRule, WireProfile,
};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Mutex;
use std::time::Duration;

use crate::client::{Client, build, config};
use crate::convert::{Date, Js, arg, options};
use crate::error::{promise, sync};

/// A user of the emulator.
#[derive(Deserialize)]
struct User {
    username: String,
    password: String,
}

/// The emulator's rate limit: `limit` calls per `windowMs`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RateLimit {
    limit: u64,
    window_ms: f64,
}

/// A TLS certificate and key (PEM).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Tls {
    cert_pem: String,
    key_pem: String,
}

/// Settings of `Emulator.start` (`EmulatorOptions` in TypeScript).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    host: Option<String>,
    port: Option<u16>,
    data_dir: Option<String>,
    users: Option<Vec<User>>,
    users_without_permission: Option<Vec<User>>,
    no_demo_user: Option<bool>,
    token_ttl_ms: Option<f64>,
    rate_limit: Option<RateLimit>,
    realtime_clock: Option<bool>,
    tls: Option<Tls>,
    config_file: Option<String>,
    job_step_ms: Option<f64>,
    fail_jobs: Option<bool>,
    clock_start: Option<Value>,
    wire: Option<String>,
}

const KEYS: &[(&str, &str)] = &[
    ("host", "a host name or address (text)"),
    ("port", "a port number 0-65535 (0 = a free port)"),
    ("dataDir", "a folder (text)"),
    ("users", "a list of {username, password}"),
    ("usersWithoutPermission", "a list of {username, password}"),
    ("noDemoUser", "true or false"),
    ("tokenTtlMs", "a number of milliseconds"),
    ("rateLimit", "{limit, windowMs}"),
    ("realtimeClock", "true or false"),
    ("tls", "{certPem, keyPem}"),
    ("configFile", "a file path (text)"),
    ("jobStepMs", "a number of milliseconds"),
    ("failJobs", "true or false"),
    ("clockStart", "a Date, epoch milliseconds or RFC 3339 text"),
    ("wire", "\"full\" or \"oas2021\""),
];

const FAULT_KEYS: [&str; 11] = [
    "method",
    "path",
    "kind",
    "status",
    "stage",
    "latencyMs",
    "twin",
    "count",
    "probability",
    "seed",
    "retryAfterSec",
];

fn emulator_error(e: qualys_cs_emulator::Error) -> CoreError {
    match e {
        qualys_cs_emulator::Error::Bind { .. } => CoreError::Transport {
            message: e.to_string(),
            not_sent: true,
        },
        other => CoreError::config("emulator", other.to_string()),
    }
}

fn millis(field: &str, ms: f64) -> Result<Duration, CoreError> {
    Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
        CoreError::config(
            field,
            format!("{field} must be a number of milliseconds, 0 or more; got {ms}"),
        )
    })
}

/// The embedded emulator of the Qualys CS API, started in this process on 127.0.0.1 and a free
/// port, for tests: same routes, same validation, same error shapes, a virtual clock and
/// injectable faults.
///
/// ```ts
/// const emu = await Emulator.start()
/// const client = emu.client()
/// await client.createSchedule(emu.demoRegistryId, request)
/// await emu.stop()
/// ```
#[napi]
pub struct Emulator {
    handle: Mutex<Option<EmulatorHandle>>,
    url: String,
    port: u32,
    wire: WireProfile,
}

impl Emulator {
    fn with<T>(
        &self,
        env: &Env,
        f: impl FnOnce(&EmulatorHandle) -> Result<T, CoreError>,
    ) -> napi::Result<T> {
        let guard = self.handle.lock().unwrap_or_else(|p| p.into_inner());
        let stopped =
            || CoreError::config("emulator", "this emulator was stopped; start a new one");
        sync(env, guard.as_ref().ok_or_else(stopped).and_then(f))
    }
}

#[napi]
impl Emulator {
    /// Starts an emulator (resolves once it listens). A misspelt option is a `config` error
    /// naming it and the nearest valid one.
    #[napi(ts_return_type = "Promise<Emulator>")]
    pub fn start<'env>(
        env: &'env Env,
        #[napi(ts_arg_type = "EmulatorOptions")] options: Option<Unknown>,
    ) -> napi::Result<PromiseRaw<'env, Emulator>> {
        let builder = match options {
            Some(o) => self::options("emulatorOptions", KEYS, o).and_then(builder),
            None => builder(Options::default()),
        };
        promise(env, async move {
            let handle = builder?.start().await.map_err(emulator_error)?;
            Ok(Emulator {
                url: handle.url().to_owned(),
                port: u32::from(handle.port()),
                wire: handle.wire(),
                handle: Mutex::new(Some(handle)),
            })
        })
    }

    /// The gateway base URL, e.g. `http://127.0.0.1:41234`.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The bound port.
    #[napi(getter)]
    pub fn port(&self) -> u32 {
        self.port
    }

    /// The wire profile it answers in: `'full'` or `'oas2021'`.
    #[napi(getter, ts_return_type = "'full' | 'oas2021'")]
    pub fn wire(&self) -> String {
        self.wire.as_str().to_owned()
    }

    /// The demo registry's id.
    #[napi(getter)]
    pub fn demo_registry_id(&self) -> String {
        DEMO_REGISTRY_ID.to_owned()
    }

    /// The demo user's name.
    #[napi(getter)]
    pub fn demo_username(&self) -> String {
        DEMO_USER.to_owned()
    }

    /// The demo user's password (a public test value of the emulator).
    #[napi(getter)]
    pub fn demo_password(&self) -> String {
        DEMO_PASSWORD.to_owned()
    }

    /// A client of this emulator logged in as the demo user; `options` (as `new Client`) are
    /// applied on top (e.g. `retry`, or `username`/`password` of another user).
    #[napi]
    pub fn client(
        &self,
        env: Env,
        #[napi(ts_arg_type = "ClientOptions")] options: Option<Unknown>,
    ) -> napi::Result<Client> {
        let mut c = match options {
            Some(o) => sync(&env, config(o))?,
            None => Default::default(),
        };
        if c.gateway_url.is_none() && c.platform.is_none() {
            c.gateway_url = Some(self.url.clone());
        }
        if c.username.is_none() && c.token.is_none() {
            c.username = Some(DEMO_USER.to_owned());
            c.password = Some(Secret::new(DEMO_PASSWORD));
        }
        build(&env, ClientBuilder::from_config(&c))
    }

    /// The emulator clock now.
    #[napi]
    pub fn now(&self, env: Env) -> napi::Result<Date> {
        self.with(&env, |h| Ok(Date(h.now())))
    }

    /// Moves the virtual clock forward by `ms` milliseconds: due automatic schedules fire and
    /// jobs move through their statuses. Returns the new time.
    #[napi]
    pub fn advance_clock(
        &self,
        env: Env,
        #[napi(ts_arg_type = "number")] ms: Unknown,
    ) -> napi::Result<Date> {
        self.with(&env, |h| {
            let by = millis("ms", arg("ms", "a number of milliseconds", ms)?)?;
            h.advance_clock(by).map(Date).map_err(emulator_error)
        })
    }

    /// Adds a fault rule; returns its id. A wrong rule throws a `config` error naming the field.
    #[napi]
    pub fn add_fault(
        &self,
        env: Env,
        #[napi(ts_arg_type = "FaultRule")] rule: Unknown,
    ) -> napi::Result<String> {
        self.with(&env, |h| {
            let v: Value = arg("rule", "a fault rule (an object)", rule)?;
            if let Some((k, _)) = v
                .as_object()
                .and_then(|o| o.iter().find(|(k, _)| !FAULT_KEYS.contains(&k.as_str())))
            {
                let hint = qualys_cs_core::validate::suggest(k, &FAULT_KEYS)
                    .map(|n| format!("did you mean {n}? "))
                    .unwrap_or_default();
                return Err(CoreError::config(
                    k.as_str(),
                    format!(
                        "{k:?} is not a field of a fault rule; {hint}the fields are {}",
                        FAULT_KEYS.join(", ")
                    ),
                ));
            }
            let rule: FaultRule =
                serde_json::from_value(v).map_err(|e| CoreError::config("fault", e.to_string()))?;
            h.add_fault(rule).map_err(emulator_error)
        })
    }

    /// The active fault rules.
    #[napi(ts_return_type = "FaultRule[]")]
    pub fn faults(&self, env: Env) -> napi::Result<Js> {
        self.with(&env, |h| Ok(Js(h.faults())))
    }

    /// Removes every fault rule.
    #[napi]
    pub fn clear_faults(&self, env: Env) -> napi::Result<()> {
        self.with(&env, |h| Ok(h.clear_faults()))
    }

    /// The request journal, oldest first, secrets redacted: `{method, path, query, status,
    /// bodyRedacted, …}` per request.
    #[napi(ts_return_type = "JournalEntry[]")]
    pub fn requests(&self, env: Env) -> napi::Result<Value> {
        self.with(&env, |h| Ok(h.requests()))
    }

    /// Empties the request journal.
    #[napi]
    pub fn clear_requests(&self, env: Env) -> napi::Result<()> {
        self.with(&env, |h| Ok(h.clear_requests()))
    }

    /// The emulator's own record of every schedule (every field, whatever the wire profile).
    #[napi(ts_return_type = "Array<Record<string, unknown>>")]
    pub fn schedules(&self, env: Env) -> napi::Result<Value> {
        self.with(&env, |h| {
            h.schedules().map(Value::Array).map_err(emulator_error)
        })
    }

    /// Clears schedules, faults, the request journal and rate-limit counters (users and
    /// registries stay).
    #[napi]
    pub fn reset(&self, env: Env) -> napi::Result<()> {
        self.with(&env, |h| h.reset().map_err(emulator_error))
    }

    /// Stops the server (open requests may finish) and frees the port. Idempotent.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn stop<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, ()>> {
        let handle = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
        promise(env, async move {
            if let Some(h) = handle {
                h.stop().await;
            }
            Ok(())
        })
    }

    /// What `util.inspect` shows.
    #[napi(symbol_for = "nodejs.util.inspect.custom")]
    pub fn inspect(&self) -> String {
        format!(
            "Emulator {{ url: '{}', wire: '{}' }}",
            self.url,
            self.wire.as_str()
        )
    }
}

fn builder(o: Options) -> Result<qualys_cs_emulator::EmulatorBuilder, CoreError> {
    let mut b = qualys_cs_emulator::Emulator::builder();
    if let Some(w) = o.wire {
        let valid = WireProfile::NAMES.join(", ");
        b = b.wire(
            w.parse()
                .map_err(|e| CoreError::config("wire", format!("{e} (valid: {valid})")))?,
        );
    }
    if let Some(h) = o.host {
        b = b.host(h);
    }
    if let Some(p) = o.port {
        b = b.port(p);
    }
    if let Some(d) = o.data_dir {
        b = b.data_dir(d);
    }
    for u in o.users.unwrap_or_default() {
        b = b.user(u.username, u.password);
    }
    for u in o.users_without_permission.unwrap_or_default() {
        b = b.user_without_permission(u.username, u.password);
    }
    if o.no_demo_user == Some(true) {
        b = b.no_demo_user();
    }
    if let Some(ms) = o.token_ttl_ms {
        b = b.token_ttl(millis("tokenTtlMs", ms)?);
    }
    if let Some(r) = o.rate_limit {
        b = b.rate_limit(r.limit, millis("rateLimit.windowMs", r.window_ms)?);
    }
    if let Some(r) = o.realtime_clock {
        b = b.realtime_clock(r);
    }
    if let Some(t) = o.tls {
        b = b.tls(t.cert_pem, t.key_pem);
    }
    if let Some(f) = o.config_file {
        b = b.config_file(f);
    }
    if let Some(ms) = o.job_step_ms {
        b = b.job_step(millis("jobStepMs", ms)?);
    }
    if let Some(f) = o.fail_jobs {
        b = b.fail_jobs(f);
    }
    if let Some(c) = o.clock_start {
        let t = match c {
            Value::String(s) => s.trim().parse().ok(),
            Value::Number(n) => n
                .as_f64()
                .and_then(|ms| qualys_cs_core::jiff::Timestamp::from_millisecond(ms as i64).ok()),
            _ => None,
        };
        b = b.clock_start(t.ok_or_else(|| {
            CoreError::config(
                "clockStart",
                "clockStart must be a Date, epoch milliseconds or RFC 3339 text",
            )
        })?);
    }
    Ok(b)
}
