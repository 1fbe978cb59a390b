//! The `Emulator` class: the embedded Qualys CS emulator, in-process, for users' tests.

use napi::Env;
use napi::bindgen_prelude::{Either, PromiseRaw};
use napi_derive::napi;
use qualys_cs_client::ClientBuilder;
use qualys_cs_core::{Error as CoreError, HttpDetails};
use qualys_cs_emulator::{
    BlockingEmulatorHandle, DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, Emulator as RsEmulator,
    FaultRule, WireProfile,
};
use serde_json::Value;
use std::sync::Mutex;
use std::time::Duration;

use crate::client::{Client, ClientOptions, apply_options};
use crate::core_fns::instant;
use crate::error::{promise, sync};

/// A user of the emulator.
#[napi(object)]
pub struct EmulatorUser {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// The emulator's rate limit.
#[napi(object)]
pub struct EmulatorRateLimit {
    /// Calls allowed per window.
    pub limit: u32,
    /// The window, in milliseconds.
    pub window_ms: f64,
}

/// A TLS certificate and key (PEM) to serve `https://localhost:PORT` with.
#[napi(object)]
pub struct EmulatorTls {
    /// Certificate chain, PEM.
    pub cert_pem: String,
    /// Private key, PEM.
    pub key_pem: String,
}

/// Settings of `Emulator.start`. The defaults: 127.0.0.1 on a free port, in memory, the demo
/// user and registry, 4 h tokens, 1000 calls per 60 s, a virtual clock frozen until advanced.
#[napi(object)]
#[derive(Default)]
pub struct EmulatorOptions {
    /// Host to bind (default `127.0.0.1`).
    pub host: Option<String>,
    /// Port to bind (default 0: a free port).
    pub port: Option<u32>,
    /// Keep data in SQLite files in this folder instead of memory.
    pub data_dir: Option<String>,
    /// Extra users.
    pub users: Option<Vec<EmulatorUser>>,
    /// Users that get 403 on every Container Security route.
    pub users_without_permission: Option<Vec<EmulatorUser>>,
    /// Leave the demo user out.
    pub no_demo_user: Option<bool>,
    /// Token lifetime, in milliseconds (default 4 h).
    pub token_ttl_ms: Option<f64>,
    /// The rate limit (default 1000 calls per 60 s).
    pub rate_limit: Option<EmulatorRateLimit>,
    /// Run the clock in real time instead of a virtual clock moved by `advanceClock`.
    pub realtime_clock: Option<bool>,
    /// Serve HTTPS with this certificate.
    pub tls: Option<EmulatorTls>,
    /// A registries seed file (JSON or TOML).
    pub config_file: Option<String>,
    /// How long each job step takes on the emulator clock, in milliseconds (default 1000).
    pub job_step_ms: Option<f64>,
    /// Make every job end in `Failed` (with an entry in `errors`).
    pub fail_jobs: Option<bool>,
    /// Where the virtual clock starts (RFC 3339 text or epoch ms).
    pub clock_start: Option<Either<String, f64>>,
    /// The shape the emulator answers in: `'full'` (default: today's documentation) or
    /// `'oas2021'` (Qualys's 2021 OpenAPI file: schedule list items without
    /// `scheduleIntervalInDays`/`weekDay`/`forceScan`/`registryType`/`additionalFilters`,
    /// bare-string answers, no `registryName`, and a gateway that answers 422 to a `null` in a
    /// typed field). Anything else is a `config` error naming the valid values.
    #[napi(ts_type = "'full' | 'oas2021'")]
    pub wire: Option<String>,
}

/// A fault the emulator injects (as `POST /_emulator/faults`).
#[napi(object, object_to_js = false, object_from_js = false)]
pub struct FaultRuleInput {
    /// HTTP method to match (any when absent).
    pub method: Option<String>,
    /// Path glob (`*` = any characters), e.g. `/csapi/v1.3/registry/*/schedule`; absent = any
    /// Container Security route.
    pub path: Option<String>,
    /// `status` answers `status` instead of the real answer, `drop` closes the connection,
    /// `latency` waits `latencyMs` first.
    #[napi(ts_type = "'status' | 'drop' | 'latency'")]
    pub kind: String,
    /// The status to answer (kind `status`): 429, 500, 502 or 503.
    pub status: Option<u32>,
    /// `before` (the request is not processed, the default) or `after` (it is processed, then
    /// the answer is replaced or the connection closed).
    #[napi(ts_type = "'before' | 'after'")]
    pub stage: Option<String>,
    /// Added delay in ms (kind `latency`).
    pub latency_ms: Option<u32>,
    /// The next `count` matching requests (default 1 without a probability).
    pub count: Option<u32>,
    /// Fire with this probability per matching request (0..=1).
    pub probability: Option<f64>,
    /// Seed of the probability draws.
    pub seed: Option<u32>,
    /// For status 429: the value of the `Retry-After` and `X-RateLimit-ToWait-Sec` headers,
    /// whole seconds as on the wire (the client's error then says `retryAfterMs`).
    pub retry_after_sec: Option<u32>,
}

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
            format!("must be a number of milliseconds, 0 or more; got {ms}"),
        )
    })
}

fn stopped() -> CoreError {
    CoreError::config("emulator", "this emulator was stopped; start a new one")
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
    handle: Mutex<Option<BlockingEmulatorHandle>>,
    url: String,
    port: u32,
    wire: WireProfile,
}

impl Emulator {
    fn with<T>(
        &self,
        f: impl FnOnce(&BlockingEmulatorHandle) -> Result<T, CoreError>,
    ) -> Result<T, CoreError> {
        let guard = self.handle.lock().map_err(|_| stopped())?;
        match guard.as_ref() {
            Some(h) => f(h),
            None => Err(stopped()),
        }
    }
}

#[napi]
impl Emulator {
    /// Starts an emulator (resolves once it listens).
    #[napi(ts_return_type = "Promise<Emulator>")]
    pub fn start<'env>(
        env: &'env Env,
        options: Option<EmulatorOptions>,
    ) -> napi::Result<PromiseRaw<'env, Emulator>> {
        let builder = build(options.unwrap_or_default());
        promise(
            env,
            async move {
                let builder = builder?;
                tokio::task::spawn_blocking(move || builder.start_blocking())
                    .await
                    .map_err(|e| CoreError::config("emulator", e.to_string()))?
                    .map_err(emulator_error)
            },
            |_, handle| {
                Ok(Emulator {
                    url: handle.url().to_owned(),
                    port: u32::from(handle.port()),
                    wire: handle.wire(),
                    handle: Mutex::new(Some(handle)),
                })
            },
        )
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

    /// A client of this emulator logged in as the demo user; `options` are applied on top
    /// (e.g. `retry`, or `username`/`password` of another user).
    #[napi]
    pub fn client(&self, env: Env, options: Option<ClientOptions>) -> napi::Result<Client> {
        let mut o = options.unwrap_or_default();
        if o.gateway_url.is_none() && o.platform.is_none() {
            o.gateway_url = Some(self.url.clone());
        }
        if o.username.is_none() && o.token.is_none() {
            o.username = Some(DEMO_USER.to_owned());
            o.password = Some(DEMO_PASSWORD.to_owned());
        }
        let inner = sync(
            &env,
            apply_options(ClientBuilder::new(), o).and_then(|b| b.build()),
        )?;
        Ok(Client { inner })
    }

    /// The emulator clock now (RFC 3339).
    #[napi]
    pub fn now(&self, env: Env) -> napi::Result<String> {
        sync(&env, self.with(|h| Ok(h.now().to_string())))
    }

    /// Moves the virtual clock forward by `ms` milliseconds: due automatic schedules fire and
    /// jobs move through their statuses. Returns the new time (RFC 3339).
    #[napi]
    pub fn advance_clock(&self, env: Env, ms: f64) -> napi::Result<String> {
        sync(
            &env,
            self.with(|h| {
                let by = millis("ms", ms)?;
                h.advance_clock(by)
                    .map(|t| t.to_string())
                    .map_err(emulator_error)
            }),
        )
    }

    /// Adds a fault rule; returns its id. A wrong rule throws a `config` error naming the field.
    #[napi]
    pub fn add_fault(
        &self,
        env: Env,
        #[napi(ts_arg_type = "FaultRuleInput")] rule: Value,
    ) -> napi::Result<String> {
        sync(
            &env,
            self.with(|h| {
                let rule: FaultRule = serde_json::from_value(rule)
                    .map_err(|e| CoreError::config("fault", e.to_string()))?;
                h.add_fault(rule).map_err(emulator_error)
            }),
        )
    }

    /// Clears schedules, faults, the request journal and rate-limit counters (users and
    /// registries stay).
    #[napi]
    pub fn reset(&self, env: Env) -> napi::Result<()> {
        sync(&env, self.with(|h| h.reset().map_err(emulator_error)))
    }

    /// Stops the server (open requests may finish) and frees the port. Idempotent.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn stop<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, ()>> {
        let handle = self.handle.lock().ok().and_then(|mut g| g.take());
        promise(
            env,
            async move {
                if let Some(h) = handle {
                    tokio::task::spawn_blocking(move || h.stop())
                        .await
                        .map_err(|e| {
                            CoreError::Server(HttpDetails {
                                message: Some(format!("the emulator did not stop cleanly: {e}")),
                                ..Default::default()
                            })
                        })?;
                }
                Ok(())
            },
            |_, ()| Ok(()),
        )
    }

    /// What `util.inspect` shows.
    #[napi(symbol_for = "nodejs.util.inspect.custom")]
    pub fn inspect(&self) -> String {
        format!(
            "Emulator {{ url: {:?}, wire: {:?} }}",
            self.url,
            self.wire.as_str()
        )
    }
}

fn build(o: EmulatorOptions) -> Result<qualys_cs_emulator::EmulatorBuilder, CoreError> {
    let mut b = RsEmulator::builder();
    if let Some(w) = o.wire {
        b = b.wire(w.parse::<WireProfile>().map_err(|e| {
            CoreError::config(
                "wire",
                format!("{e} (valid: {})", WireProfile::NAMES.join(", ")),
            )
        })?);
    }
    if let Some(h) = o.host {
        b = b.host(h);
    }
    if let Some(p) = o.port {
        b = b.port(u16::try_from(p).map_err(|_| {
            CoreError::config(
                "port",
                format!("must be 0..=65535 (0 = a free port), not {p}"),
            )
        })?);
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
        b = b.token_ttl(millis("token_ttl_ms", ms)?);
    }
    if let Some(r) = o.rate_limit {
        b = b.rate_limit(
            u64::from(r.limit),
            millis("rate_limit.window_ms", r.window_ms)?,
        );
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
        b = b.job_step(millis("job_step_ms", ms)?);
    }
    if let Some(f) = o.fail_jobs {
        b = b.fail_jobs(f);
    }
    if let Some(c) = o.clock_start {
        b = b.clock_start(instant("clock_start", &c)?);
    }
    Ok(b)
}
