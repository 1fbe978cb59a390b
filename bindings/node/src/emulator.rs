//! The `Emulator` class: the embedded Qualys CS emulator, in-process, for users' tests. Every
//! control call goes through the Rust `EmulatorHandle` (no HTTP to its own control routes).

use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use qualys_cs_client::{ClientBuilder, Secret};
use qualys_cs_core::Error as CoreError;
use qualys_cs_emulator::{
    DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER, EmulatorBuilder, EmulatorHandle, WireProfile,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Mutex;
use std::time::Duration;

use crate::client::{Answer, Client, build, config};
use crate::convert::{Date, Js, arg, instant_of, opts, wrong};
use crate::error::{promise, sync};

/// The options of `Emulator.start` (`EmulatorOptions` in `dts-header.d.ts`), in that order.
const OPTIONS: [&str; 15] = [
    "host",
    "port",
    "dataDir",
    "users",
    "usersWithoutPermission",
    "noDemoUser",
    "tokenTtlMs",
    "rateLimit",
    "realtimeClock",
    "tls",
    "configFile",
    "jobStepMs",
    "failJobs",
    "clockStart",
    "wire",
];

/// The fields of a fault rule (`FaultRule`).
const FAULT_FIELDS: [&str; 11] = [
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

/// One option's value as `T`, or a `config` error naming the option and what it takes.
fn read<T: DeserializeOwned>(key: &str, what: &str, v: &Value) -> Result<T, CoreError> {
    serde_json::from_value(v.clone())
        .map_err(|_| CoreError::config(key, format!("{key} must be {what}")))
}

fn millis(key: &str, v: &Value) -> Result<Duration, CoreError> {
    let ms: f64 = read(key, "a number of milliseconds", v)?;
    Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
        CoreError::config(
            key,
            format!("{key} must be a number of milliseconds, 0 or more"),
        )
    })
}

type Users = Vec<(String, String)>;

fn users(key: &str, v: &Value) -> Result<Users, CoreError> {
    let list: Vec<serde_json::Map<String, Value>> = read(key, "a list of {username, password}", v)?;
    let field = |u: &serde_json::Map<String, Value>, f: &str| {
        u.get(f).and_then(Value::as_str).map(str::to_owned)
    };
    let pair = |u| Some((field(u, "username")?, field(u, "password")?));
    let bad = || {
        CoreError::config(
            key,
            format!("each of {key} needs a username and a password (text)"),
        )
    };
    list.iter().map(|u| pair(u).ok_or_else(bad)).collect()
}

/// The emulator builder for `EmulatorOptions`, every key read in turn.
fn builder(options: Option<Unknown<'_>>) -> Result<EmulatorBuilder, CoreError> {
    let mut b = qualys_cs_emulator::Emulator::builder();
    let o = opts("emulatorOptions", &OPTIONS, options)?;
    for (k, v) in o.iter() {
        let (text, flag) = (
            || read::<String>(k, "text", v),
            || read::<bool>(k, "true or false", v),
        );
        b = match k.as_str() {
            "host" => b.host(text()?),
            "port" => b.port(read(k, "a port number 0-65535 (0 = a free port)", v)?),
            "dataDir" => b.data_dir(text()?),
            "users" => users(k, v)?.into_iter().fold(b, |b, (u, p)| b.user(u, p)),
            "usersWithoutPermission" => users(k, v)?
                .into_iter()
                .fold(b, |b, (u, p)| b.user_without_permission(u, p)),
            "noDemoUser" if flag()? => b.no_demo_user(),
            "noDemoUser" => b,
            "tokenTtlMs" => b.token_ttl(millis(k, v)?),
            "rateLimit" => {
                let limit = read(
                    k,
                    "{limit, windowMs}",
                    v.get("limit").unwrap_or(&Value::Null),
                )?;
                b.rate_limit(
                    limit,
                    millis(
                        "rateLimit.windowMs",
                        v.get("windowMs").unwrap_or(&Value::Null),
                    )?,
                )
            }
            "realtimeClock" => b.realtime_clock(flag()?),
            "tls" => {
                let pem = |f: &str| {
                    read::<String>(
                        &format!("tls.{f}"),
                        "PEM text",
                        v.get(f).unwrap_or(&Value::Null),
                    )
                };
                b.tls(pem("certPem")?, pem("keyPem")?)
            }
            "configFile" => b.config_file(text()?),
            "jobStepMs" => b.job_step(millis(k, v)?),
            "failJobs" => b.fail_jobs(flag()?),
            "clockStart" => b.clock_start(
                instant_of(k, Some(v)).map_err(|e| CoreError::config(k, e.to_string()))?,
            ),
            "wire" => {
                let valid = WireProfile::NAMES.join(", ");
                let wire = text()?
                    .parse()
                    .map_err(|e| CoreError::config(k, format!("{e} (valid: {valid})")))?;
                b.wire(wire)
            }
            _ => b, // every other key is refused by opts()
        };
    }
    Ok(b)
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
    ) -> Answer<'env, Emulator> {
        let b = builder(options);
        promise(env, async move {
            let handle = b?.start().await.map_err(emulator_error)?;
            let (url, port, wire) = (
                handle.url().to_owned(),
                u32::from(handle.port()),
                handle.wire(),
            );
            Ok(Emulator {
                url,
                port,
                wire,
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
        let mut c = sync(&env, config(options))?;
        if c.gateway_url.is_none() && c.platform.is_none() {
            c.gateway_url = Some(self.url.clone());
        }
        if c.username.is_none() && c.token.is_none() {
            (c.username, c.password) =
                (Some(DEMO_USER.to_owned()), Some(Secret::new(DEMO_PASSWORD)));
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
        let what = "a number of milliseconds, 0 or more";
        let by = arg::<f64>("ms", what, ms).and_then(|ms| {
            Duration::try_from_secs_f64(ms / 1000.0)
                .map_err(|_| wrong("ms", what, Some(&ms.into())))
        });
        self.with(&env, |h| {
            h.advance_clock(by?).map(Date).map_err(emulator_error)
        })
    }

    /// Adds a fault rule; returns its id. A wrong rule throws a `config` error naming the field.
    #[napi]
    pub fn add_fault(
        &self,
        env: Env,
        #[napi(ts_arg_type = "FaultRule")] rule: Unknown,
    ) -> napi::Result<String> {
        let rule = opts("rule", &FAULT_FIELDS, Some(rule)).and_then(|o| {
            serde_json::from_value(Value::Object(o.0))
                .map_err(|e| CoreError::config("rule", e.to_string()))
        });
        self.with(&env, |h| h.add_fault(rule?).map_err(emulator_error))
    }

    /// The active fault rules.
    #[napi(ts_return_type = "FaultRule[]")]
    pub fn faults(&self, env: Env) -> napi::Result<Js> {
        self.with(&env, |h| Ok(Js(h.faults())))
    }

    /// Removes every fault rule.
    #[napi]
    pub fn clear_faults(&self, env: Env) -> napi::Result<()> {
        self.with(&env, |h| {
            h.clear_faults();
            Ok(())
        })
    }

    /// The request journal, oldest first, secrets redacted (`{method, path, query, status,
    /// bodyRedacted, …}` per request).
    #[napi(ts_return_type = "JournalEntry[]")]
    pub fn requests(&self, env: Env) -> napi::Result<Value> {
        self.with(&env, |h| Ok(h.requests()))
    }

    /// Empties the request journal.
    #[napi]
    pub fn clear_requests(&self, env: Env) -> napi::Result<()> {
        self.with(&env, |h| {
            h.clear_requests();
            Ok(())
        })
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
    pub fn stop<'env>(&self, env: &'env Env) -> Answer<'env, ()> {
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
