//! The `Emulator` class: the embedded Qualys CS emulator, in-process, for users' tests. Every
//! control call goes through the Rust `EmulatorHandle` (no HTTP to its own control routes).

use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use qualys_cs_client::{ClientBuilder, Secret};
use qualys_cs_core::Error as CoreError;
use qualys_cs_emulator::options::{OptionStyle, builder_from_json};
use qualys_cs_emulator::{DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER};
use qualys_cs_emulator::{EmulatorBuilder, EmulatorHandle, FaultRule};
use serde_json::Value;
use std::sync::Mutex;

use crate::client::{Answer, Client, build, config};
use crate::convert::{Date, arg, millis, opts, wrong};
use crate::error::{promise, sync};

/// The fields of a fault rule (`FaultRule`).
const FAULT_FIELDS: &str =
    "method path kind status stage latencyMs twin count probability seed retryAfterSec";

/// The emulator builder for `EmulatorOptions` (the emulator crate's reader; a misspelt key
/// names the nearest valid one).
fn builder(options: Option<Unknown<'_>>) -> Result<EmulatorBuilder, CoreError> {
    let names = OptionStyle::CamelMillis.names();
    let o = opts(
        "emulatorOptions",
        &names.iter().map(String::as_str).collect::<Vec<_>>(),
        options,
    )?;
    builder_from_json(&o.0, OptionStyle::CamelMillis)
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
    /// The gateway base URL, e.g. `http://127.0.0.1:41234`.
    #[napi(readonly)]
    pub url: String,
    /// The bound port.
    #[napi(readonly)]
    pub port: u32,
    /// The wire profile it answers in.
    #[napi(readonly, ts_type = "'full' | 'oas2021'")]
    pub wire: String,
    /// The demo registry's id.
    #[napi(readonly)]
    pub demo_registry_id: String,
    /// The demo user's name.
    #[napi(readonly)]
    pub demo_username: String,
    /// The demo user's password (a public test value of the emulator).
    #[napi(readonly)]
    pub demo_password: String,
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
            Ok(Emulator {
                url: handle.url().to_owned(),
                port: u32::from(handle.port()),
                wire: handle.wire().as_str().to_owned(),
                demo_registry_id: DEMO_REGISTRY_ID.to_owned(),
                demo_username: DEMO_USER.to_owned(),
                demo_password: DEMO_PASSWORD.to_owned(),
                handle: Mutex::new(Some(handle)),
            })
        })
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
        format!("Emulator {{ url: '{}', wire: '{}' }}", self.url, self.wire)
    }
}

/// Control calls on the running emulator: `name(argument: "TS type", …) -> output = "TS type"
/// |handle| body`; a stopped emulator throws a `config` error.
macro_rules! controls {
    ($([$($doc:tt)*] $name:ident($($a:ident: $ts:literal),*) -> $out:ty = $ret:literal
        |$h:ident| $body:expr;)*) => {
        #[napi]
        impl Emulator {$(
            $(#[doc = $doc])*
            #[napi(ts_return_type = $ret)]
            pub fn $name(&self, env: Env, $(#[napi(ts_arg_type = $ts)] $a: Unknown),*) -> napi::Result<$out> {
                self.with(&env, |$h| $body)
            }
        )*}
    };
}

controls! {
    ["The emulator clock now."]
    now() -> Date = "Date" |h| Ok(Date(h.now()));
    ["Moves the virtual clock forward by `ms` milliseconds: due automatic schedules fire and"
     "jobs move through their statuses. Returns the new time."]
    advance_clock(ms: "number") -> Date = "Date" |h| {
        let what = "a number of milliseconds, 0 or more";
        let ms: f64 = arg("ms", what, ms)?;
        let by = millis(ms, || wrong("ms", what, Some(&ms.into())))?;
        h.advance_clock(by).map(Date).map_err(emulator_error)
    };
    ["Adds a fault rule; returns its id. A wrong rule throws a `config` error naming the field."]
    add_fault(rule: "FaultRule") -> String = "string" |h| {
        let fields: Vec<&str> = FAULT_FIELDS.split_whitespace().collect();
        let o = opts("rule", &fields, Some(rule))?;
        let rule: FaultRule = serde_json::from_value(Value::Object(o.0)).map_err(|e| CoreError::config("rule", e.to_string()))?;
        h.add_fault(rule).map_err(emulator_error)
    };
    ["The request journal, oldest first, secrets redacted (`{method, path, query, status,"
     "bodyRedacted, …}` per request)."]
    requests() -> Value = "JournalEntry[]" |h| Ok(h.requests());
    ["Empties the request journal."]
    clear_requests() -> () = "void" |h| {
        h.clear_requests();
        Ok(())
    };
    ["The emulator's own record of every schedule (every field, whatever the wire profile)."]
    schedules() -> Value = "Array<Record<string, unknown>>" |h| h.schedules().map(Value::Array).map_err(emulator_error);
    ["Clears schedules, faults, the request journal and rate-limit counters (users and"
     "registries stay)."]
    reset() -> () = "void" |h| h.reset().map_err(emulator_error);
}
