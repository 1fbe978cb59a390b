//! The embedded emulator, for tests: 127.0.0.1, a free port, its own thread; ready clients.

use crate::client::{Client, ClientBuilder};
use crate::error::QualysCsError;
use qualys_cs_core::ffi::JsonValue;
use qualys_cs_core::jiff::Timestamp;
use qualys_cs_emulator as emu;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

type R<T> = Result<T, QualysCsError>;

/// Settings of an emulator (all optional).
#[derive(Clone, Debug, Default, PartialEq, uniffi::Record)]
pub struct EmulatorOptions {
    /// Token lifetime (default 4 h).
    #[uniffi(default)]
    pub token_ttl: Option<Duration>,
    /// Calls allowed per rate window (default 1000).
    #[uniffi(default)]
    pub rate_limit: Option<u64>,
    /// The rate window (default 60 s).
    #[uniffi(default)]
    pub rate_window: Option<Duration>,
    /// `true` runs the clock in real time; default `false`: a virtual clock (`advance_clock`).
    #[uniffi(default)]
    pub realtime_clock: bool,
    /// Clock time per job step (default 1 s).
    #[uniffi(default)]
    pub job_step: Option<Duration>,
    /// Make every job fail (`Failed` with an error entry).
    #[uniffi(default)]
    pub fail_jobs: bool,
    /// Start the clock at this instant (default now).
    #[uniffi(default)]
    pub clock_start: Option<Timestamp>,
    /// The shape it answers in: `"full"` (default: today's documentation) or `"oas2021"`
    /// (Qualys's 2021 OpenAPI file); another value is a `config` error naming the valid ones.
    #[uniffi(default)]
    pub wire: Option<String>,
}

/// Parses a wire profile name (`full`, `oas2021`); a `config` error names the valid ones.
fn wire_profile(name: &str) -> R<emu::WireProfile> {
    let valid = emu::WireProfile::NAMES.join(", ");
    let e = |e| qualys_cs_core::Error::config("wire", format!("{e} (valid: {valid})")).into();
    name.parse::<emu::WireProfile>().map_err(e)
}

/// `f(b, v)` when `v` is set, else `b`.
fn opt<B, T>(b: B, v: Option<T>, f: impl FnOnce(B, T) -> B) -> B {
    match v {
        Some(v) => f(b, v),
        None => b,
    }
}

/// A running emulator of the Qualys API. Stops when closed or collected.
#[derive(uniffi::Object)]
pub struct Emulator {
    url: String,
    port: u16,
    wire: String,
    handle: Mutex<Option<emu::BlockingEmulatorHandle>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").field("url", &self.url).finish()
    }
}

impl Emulator {
    fn handle(&self) -> MutexGuard<'_, Option<emu::BlockingEmulatorHandle>> {
        self.handle.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with_handle<T>(
        &self, f: impl FnOnce(&emu::BlockingEmulatorHandle) -> Result<T, emu::Error>,
    ) -> R<T> {
        match self.handle().as_ref() {
            Some(h) => Ok(f(h)?),
            None => Err(qualys_cs_core::Error::config(
                "emulator",
                "the emulator was stopped; start a new one",
            )
            .into()),
        }
    }
}

#[uniffi::export]
impl Emulator {
    /// Starts an emulator with the defaults: in memory, demo user and registry, virtual clock.
    #[uniffi::constructor]
    pub fn new() -> R<Arc<Self>> {
        Self::start(EmulatorOptions::default())
    }

    /// Starts an emulator with these settings.
    #[uniffi::constructor]
    pub fn start(options: EmulatorOptions) -> R<Arc<Self>> {
        let o = options;
        let wire = o.wire.as_deref().map(wire_profile).transpose()?.unwrap_or_default();
        let b = emu::Emulator::builder().wire(wire).host("127.0.0.1").port(0).in_memory();
        let b = b.realtime_clock(o.realtime_clock).fail_jobs(o.fail_jobs);
        let rate = o.rate_limit.is_some() || o.rate_window.is_some();
        let (limit, window) = (o.rate_limit.unwrap_or(emu::DEFAULT_RATE_LIMIT), o.rate_window);
        let b =
            if rate { b.rate_limit(limit, window.unwrap_or(emu::DEFAULT_RATE_WINDOW)) } else { b };
        let b = opt(b, o.token_ttl, emu::EmulatorBuilder::token_ttl);
        let b = opt(b, o.job_step, emu::EmulatorBuilder::job_step);
        let h = opt(b, o.clock_start, emu::EmulatorBuilder::clock_start).start_blocking()?;
        Ok(Arc::new(Emulator {
            url: h.url().to_owned(),
            port: h.port(),
            wire: h.wire().as_str().to_owned(),
            handle: Mutex::new(Some(h)),
        }))
    }

    /// The gateway base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The wire profile it answers in: `full` or `oas2021`.
    pub fn wire(&self) -> String {
        self.wire.clone()
    }

    /// The id of the demo registry every emulator has.
    pub fn demo_registry_id(&self) -> String {
        emu::DEMO_REGISTRY_ID.to_owned()
    }

    /// The demo user's name.
    pub fn demo_username(&self) -> String {
        emu::DEMO_USER.to_owned()
    }

    /// The demo user's password (a fixed, public test value).
    pub fn demo_password(&self) -> String {
        emu::DEMO_PASSWORD.to_owned()
    }

    /// A builder set up for this emulator with the demo credentials; adjust it, then build.
    pub fn client_builder(&self) -> Arc<ClientBuilder> {
        ClientBuilder::new()
            .gateway_url(self.url.clone())
            .credentials(emu::DEMO_USER.to_owned(), emu::DEMO_PASSWORD.to_owned())
            .no_proxy()
    }

    /// A ready client of this emulator, logged in as the demo user.
    pub fn client(&self) -> R<Arc<Client>> {
        self.client_builder().build()
    }

    /// Moves the virtual clock forward by `by` (fires due schedules, moves jobs); returns the
    /// new time.
    pub fn advance_clock(&self, by: Duration) -> R<Timestamp> {
        self.with_handle(|h| h.advance_clock(by))
    }

    /// The emulator clock now.
    pub fn now(&self) -> R<Timestamp> {
        self.with_handle(|h| Ok(h.now()))
    }

    /// Adds a fault rule given as JSON (as `POST /_emulator/faults`); returns its id.
    pub fn add_fault_json(&self, rule_json: String) -> R<String> {
        let rule: emu::FaultRule = serde_json::from_str(&rule_json).map_err(|e| {
            QualysCsError::from(qualys_cs_core::Error::config(
                "ruleJson",
                format!("not a fault rule ({e}); see the emulator's /openapi.json"),
            ))
        })?;
        self.with_handle(|h| h.add_fault(rule))
    }

    /// Clears schedules, faults, the journal and rate-limit counters.
    pub fn reset(&self) -> R<()> {
        self.with_handle(|h| h.reset())
    }

    /// Every schedule's stored state, each as JSON text (the emulator's own record).
    pub fn schedules(&self) -> R<Vec<JsonValue>> {
        self.with_handle(|h| h.schedules())
    }

    /// The request journal as JSON text (a list; secrets redacted). `clear` empties it after.
    pub fn requests(&self, clear: bool) -> R<JsonValue> {
        self.with_handle(|h| Ok((h.requests(), clear.then(|| h.clear_requests())).0))
    }

    /// The active fault rules as JSON text. `clear` removes them after.
    pub fn faults(&self, clear: bool) -> R<JsonValue> {
        self.with_handle(|h| Ok((h.faults(), clear.then(|| h.clear_faults())).0))
    }

    /// Stops the server (idempotent).
    pub fn stop(&self) {
        let h = self.handle().take();
        if let Some(h) = h {
            h.stop();
        }
    }
}
