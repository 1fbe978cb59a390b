//! # qualys-cs-emulator
//!
//! A local emulator of the Qualys Container Security registry-schedule API (v1.3): the same
//! routes, the same error shapes, and the same validation, because it calls
//! [`qualys_cs_core`]'s validators instead of re-writing them. On top: a virtual clock that
//! moves jobs through their statuses, injectable faults (statuses, latency, dropped
//! connections), the documented rate limit, a request journal and SQLite persistence.
//!
//! ```no_run
//! # async fn demo() -> Result<(), qualys_cs_emulator::Error> {
//! use qualys_cs_emulator::{Emulator, DEMO_REGISTRY_ID};
//! use std::time::Duration;
//!
//! let emu = Emulator::builder().user("alice", "s3cret").start().await?;
//! println!("gateway at {}; registry {}", emu.url(), DEMO_REGISTRY_ID);
//! emu.advance_clock(Duration::from_secs(86_400))?; // a day passes: automatic schedules fire
//! emu.stop().await;
//! # Ok(()) }
//! ```
//!
//! `created`, `updated`, error timestamps and the `Date` header of every answer come from the
//! clock's stamps ([`clock::Clock::stamp_ms`]): on the frozen virtual clock they still follow
//! real time, so a client can compare `Date` with `created`. Beyond loopback the control
//! routes need a token ([`EmulatorBuilder::control_token`]).
//!
//! It answers in one of two [wire profiles](WireProfile): `Full` (today's documentation, the
//! default) or `Oas2021` (the shape of Qualys's own 2021 OpenAPI file, with a
//! schema-validating gateway): `Emulator::builder().wire(WireProfile::Oas2021)`.
//!
//! The crate README documents the HTTP routes, the control routes, the wire profiles and the
//! config file.

// The hand-written OpenAPI document is one large `json!` literal.
#![recursion_limit = "256"]

pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod faults;
pub mod jobs;
pub mod journal;
pub mod managed;
pub mod openapi;
pub mod options;
pub mod query;
pub mod ratelimit;
pub mod schema;
pub mod server;
pub mod store;
pub mod wire;

pub use config::{ConfigFile, DEMO_PASSWORD, DEMO_REGISTRY_ID, DEMO_USER};
pub use faults::{FaultKind, FaultRule, Stage, TwinMode};
pub use jobs::JobOutcome;
pub use journal::JournalStats;
pub use wire::{ParseWireProfileError, WireProfile};

use app::AppState;
use auth::{Auth, User};
use clock::{Clock, ClockMode, real_now_ms};
use jobs::JobSettings;
use ratelimit::RateLimiter;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use store::{Store, StoreError};
use tokio::sync::watch;

/// Default token lifetime: 4 hours (spec §2).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(4 * 3600);
/// Default rate limit: 1000 calls (spec §7) ...
pub const DEFAULT_RATE_LIMIT: u64 = 1000;
/// ... per 60 seconds.
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(60);
/// How often the real-time clock mode moves jobs.
const REALTIME_TICK: Duration = Duration::from_millis(100);

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting or the config file is wrong (the message names it).
    #[error("configuration error: {0}")]
    Config(String),
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The TLS certificate or key is unusable.
    #[error("TLS error: {0}")]
    Tls(String),
    /// The runtime of a blocking handle failed.
    #[error("runtime error: {0}")]
    Runtime(String),
}

/// An emulator failure as the core's error, the one way every binding reports it: a port that
/// cannot be bound is `transport` (nothing was sent), anything else `config` naming the emulator.
impl From<Error> for qualys_cs_core::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Bind { .. } => qualys_cs_core::Error::Transport {
                message: e.to_string(),
                not_sent: true,
            },
            other => qualys_cs_core::Error::config("emulator", other.to_string()),
        }
    }
}

/// Entry point: `Emulator::builder()`.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: 127.0.0.1, port 0, in memory, demo user and registry,
    /// 4 h tokens, 1000 calls per 60 s, virtual clock, 1 s job steps.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Configures and starts an emulator.
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    host: String,
    port: u16,
    data_dir: Option<PathBuf>,
    users: Vec<User>,
    demo_user: bool,
    token_ttl: Option<Duration>,
    rate_limit: Option<(u64, Duration)>,
    realtime: bool,
    tls: Option<(String, String)>,
    config_file: Option<PathBuf>,
    config: Option<ConfigFile>,
    job_step: Option<Duration>,
    job_outcome: Option<JobOutcome>,
    clock_start: Option<jiff::Timestamp>,
    wire: Option<WireProfile>,
    control_token: Option<String>,
    header_read_timeout: Option<Duration>,
    body_read_timeout: Option<Duration>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            host: "127.0.0.1".into(),
            port: 0,
            data_dir: None,
            users: Vec::new(),
            demo_user: true,
            token_ttl: None,
            rate_limit: None,
            realtime: false,
            tls: None,
            config_file: None,
            config: None,
            job_step: None,
            job_outcome: None,
            clock_start: None,
            wire: None,
            control_token: None,
            header_read_timeout: None,
            body_read_timeout: None,
        }
    }
}

impl EmulatorBuilder {
    /// Host to bind (default `127.0.0.1`).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// Port to bind (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Keep schedules in memory (the default).
    pub fn in_memory(mut self) -> Self {
        self.data_dir = None;
        self
    }

    /// Keep schedules in SQLite in `dir` (created when missing; WAL).
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Adds a user with the CS permission.
    pub fn user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.users.push(User::new(username, password, true));
        self
    }

    /// Adds a user who can log in but gets 403 on every CS route.
    pub fn user_without_permission(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.users.push(User::new(username, password, false));
        self
    }

    /// Removes the demo user.
    pub fn no_demo_user(mut self) -> Self {
        self.demo_user = false;
        self
    }

    /// Token lifetime (default 4 h), measured on the emulator clock.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = Some(ttl);
        self
    }

    /// `limit` CS calls per `window` (default 1000 per 60 s), real time.
    pub fn rate_limit(mut self, limit: u64, window: Duration) -> Self {
        self.rate_limit = Some((limit, window));
        self
    }

    /// Real-time clock (machine time plus advances) instead of the frozen virtual clock.
    pub fn realtime_clock(mut self, on: bool) -> Self {
        self.realtime = on;
        self
    }

    /// Serve HTTPS with this certificate chain and key (PEM); the URL becomes
    /// `https://localhost:PORT`.
    pub fn tls(mut self, cert_pem: impl Into<String>, key_pem: impl Into<String>) -> Self {
        self.tls = Some((cert_pem.into(), key_pem.into()));
        self
    }

    /// Read registries, users and settings from a JSON or TOML file (see the README).
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// Use this configuration (instead of a file).
    pub fn config(mut self, config: ConfigFile) -> Self {
        self.config = Some(config);
        self
    }

    /// Clock time per job step (default 1 s).
    pub fn job_step(mut self, step: Duration) -> Self {
        self.job_step = Some(step);
        self
    }

    /// How jobs end (default `Completed`).
    pub fn job_outcome(mut self, outcome: JobOutcome) -> Self {
        self.job_outcome = Some(outcome);
        self
    }

    /// Make every job fail (`Failed` with an error entry).
    pub fn fail_jobs(self, fail: bool) -> Self {
        self.job_outcome(if fail {
            JobOutcome::Failed
        } else {
            JobOutcome::Completed
        })
    }

    /// Start the clock at this instant (default: now, or the last saved clock of the data
    /// directory when later).
    pub fn clock_start(mut self, at: jiff::Timestamp) -> Self {
        self.clock_start = Some(at);
        self
    }

    /// The shape of the answers (default [`WireProfile::Full`]; overrides the config file's
    /// `wire`).
    pub fn wire(mut self, wire: WireProfile) -> Self {
        self.wire = Some(wire);
        self
    }

    /// Require this token on the control routes (`/_emulator/*`): `Authorization: Bearer
    /// <token>` or `X-Emulator-Control-Token: <token>`. Without one the control routes are
    /// open, and the emulator refuses to listen beyond loopback.
    pub fn control_token(mut self, token: impl Into<String>) -> Self {
        self.control_token = Some(token.into());
        self
    }

    /// Time a client has to send a request's line and headers (default 10 s); a connection
    /// that takes longer, or stays idle that long between requests, is closed.
    pub fn header_read_timeout(mut self, t: Duration) -> Self {
        self.header_read_timeout = Some(t);
        self
    }

    /// Time a client has to send a whole request body (default 30 s); then the answer is 408
    /// and the connection is closed.
    pub fn body_read_timeout(mut self, t: Duration) -> Self {
        self.body_read_timeout = Some(t);
        self
    }

    fn build_state(&self) -> Result<(AppState, Option<tokio_rustls::TlsAcceptor>), Error> {
        let cfg = match (&self.config, &self.config_file) {
            (Some(c), _) => {
                c.check().map_err(Error::Config)?;
                c.clone()
            }
            (None, Some(path)) => ConfigFile::load(path).map_err(Error::Config)?,
            (None, None) => serde_json::from_str("{}").map_err(|e| Error::Config(e.to_string()))?,
        };
        let store = match &self.data_dir {
            Some(dir) => Store::open_dir(dir)?,
            None => Store::open_in_memory()?,
        };
        let start_ms = match self.clock_start {
            Some(t) => t.as_millisecond(),
            None => {
                let saved = AppState::saved_clock(&store)?.unwrap_or(i64::MIN);
                real_now_ms().max(saved)
            }
        };
        let mode = if self.realtime {
            ClockMode::Realtime
        } else {
            ClockMode::Virtual
        };
        let clock = Clock::new(mode, start_ms);

        let mut users = Vec::new();
        if self.demo_user && cfg.demo_user {
            users.push(User::new(DEMO_USER, DEMO_PASSWORD, true));
        }
        users.extend(
            cfg.users
                .iter()
                .map(|u| User::new(&u.username, &u.password, u.permission)),
        );
        users.extend(self.users.iter().cloned());
        let ttl = self
            .token_ttl
            .map(|d| d.as_secs())
            .or(cfg.token_ttl_secs)
            .unwrap_or(DEFAULT_TOKEN_TTL.as_secs());
        if ttl == 0 {
            return Err(Error::Config("token TTL must be at least 1 second".into()));
        }
        let auth = Auth::new(users, i64::try_from(ttl).unwrap_or(i64::MAX));

        let (limit, window) = self
            .rate_limit
            .or(cfg
                .rate_limit
                .as_ref()
                .map(|r| (r.limit, Duration::from_secs(r.window_secs))))
            .unwrap_or((DEFAULT_RATE_LIMIT, DEFAULT_RATE_WINDOW));
        if window.is_zero() {
            return Err(Error::Config(
                "the rate-limit window must be above 0".into(),
            ));
        }

        let mut jobs = JobSettings::default();
        if let Some(step) = self.job_step.or(cfg
            .jobs
            .as_ref()
            .and_then(|j| j.step_seconds)
            .map(Duration::from_secs_f64))
        {
            if step.is_zero() {
                return Err(Error::Config("the job step must be above 0".into()));
            }
            jobs.step_ms = i64::try_from(step.as_millis()).unwrap_or(i64::MAX).max(1);
        }
        if let Some(o) = self
            .job_outcome
            .or(cfg.jobs.as_ref().and_then(|j| j.outcome))
        {
            jobs.outcome = o;
        }

        let tls = match &self.tls {
            Some((cert, key)) => Some(server::tls_acceptor(cert, key).map_err(Error::Tls)?),
            None => None,
        };
        if self.control_token.as_deref().is_some_and(str::is_empty) {
            return Err(Error::Config(
                "the control token must not be empty (--control-token / QUALYS_CS_EMULATOR_CONTROL_TOKEN)".into(),
            ));
        }
        for (what, t) in [
            ("header read timeout", self.header_read_timeout),
            ("body read timeout", self.body_read_timeout),
        ] {
            if t.is_some_and(|t| t.is_zero()) {
                return Err(Error::Config(format!("the {what} must be above 0")));
            }
        }
        let mut state = AppState::new(
            store,
            clock,
            auth,
            cfg.registries(start_ms),
            RateLimiter::new(limit, window),
            jobs,
            self.wire.or(cfg.wire).unwrap_or_default(),
        )?;
        state.control_token.clone_from(&self.control_token);
        if let Some(t) = self.body_read_timeout {
            state.body_read_timeout = t;
        }
        if let Some(t) = self.header_read_timeout {
            state.header_read_timeout = t;
        }
        Ok((state, tls))
    }

    /// Binds, starts serving and returns the handle.
    pub async fn start(self) -> Result<EmulatorHandle, Error> {
        let (state, tls) = self.build_state()?;
        let state = Arc::new(state);
        let addr = format!("{}:{}", self.host, self.port);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.clone(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| Error::Bind {
            addr: addr.clone(),
            source,
        })?;
        if !local.ip().is_loopback() && state.control_token.is_none() {
            drop(listener);
            return Err(Error::Config(format!(
                "refusing to listen on {local} (beyond loopback) without a control token: the control routes (/_emulator/*) reset data, move the clock and inject faults. Pass --control-token TOKEN (or set QUALYS_CS_EMULATOR_CONTROL_TOKEN; builder .control_token(..)), or listen on 127.0.0.1"
            )));
        }
        let url = if tls.is_some() {
            format!("https://localhost:{}", local.port())
        } else {
            match local {
                SocketAddr::V4(a) => format!("http://{}:{}", a.ip(), a.port()),
                SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
            }
        };
        let (tx, rx) = watch::channel(false);
        let app = app::router(state.clone());
        let opts = server::ServeOptions {
            header_read_timeout: state.header_read_timeout,
        };
        let server = tokio::spawn(server::serve(listener, tls, app, opts, rx.clone()));
        let ticker = (state.clock.mode() == ClockMode::Realtime)
            .then(|| tokio::spawn(realtime_ticker(state.clone(), rx)));
        tracing::info!(
            %url,
            wire = %state.wire,
            data = ?state.store.path(),
            control_token = state.control_token.is_some(),
            "emulator listening"
        );
        Ok(EmulatorHandle {
            url,
            addr: local,
            state,
            shutdown: tx,
            server: Some(server),
            ticker,
        })
    }

    /// Starts on a runtime thread of its own, for callers without tokio (bindings).
    pub fn start_blocking(self) -> Result<BlockingEmulatorHandle, Error> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("qualys-cs-emulator".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(Error::Runtime(e.to_string())));
                        return;
                    }
                };
                rt.block_on(async move {
                    match self.start().await {
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                        Ok(handle) => {
                            let info = (handle.url.clone(), handle.addr, handle.state.clone());
                            let _ = ready_tx.send(Ok(info));
                            let _ = stop_rx.await;
                            handle.stop().await;
                        }
                    }
                });
            })
            .map_err(|e| Error::Runtime(e.to_string()))?;
        let (url, addr, state) = ready_rx
            .recv()
            .map_err(|_| Error::Runtime("the emulator thread ended before starting".into()))??;
        Ok(BlockingEmulatorHandle {
            url,
            addr,
            state,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

async fn realtime_ticker(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(REALTIME_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if !state.sync_due() {
                    continue;
                }
                let s = state.clone();
                match tokio::task::spawn_blocking(move || s.sync()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e, "real-time clock tick failed"),
                    Err(e) => tracing::warn!(error = %e, "real-time clock tick did not finish"),
                }
            }
            r = shutdown.changed() => {
                if r.is_err() || *shutdown.borrow() {
                    return;
                }
            }
        }
    }
}

/// What both handles offer.
fn advance(state: &AppState, by: Duration) -> Result<jiff::Timestamp, Error> {
    Ok(clock::ms_to_timestamp(state.advance_clock(by)?))
}

/// A running emulator. Dropping it shuts the server down (in the background); [`stop`]
/// waits for that.
///
/// [`stop`]: EmulatorHandle::stop
#[derive(Debug)]
pub struct EmulatorHandle {
    url: String,
    addr: SocketAddr,
    state: Arc<AppState>,
    shutdown: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl EmulatorHandle {
    /// The gateway base URL: `http://127.0.0.1:PORT` (`https://localhost:PORT` with TLS).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The demo registry's id ([`DEMO_REGISTRY_ID`]).
    pub fn demo_registry_id(&self) -> &'static str {
        DEMO_REGISTRY_ID
    }

    /// The wire profile it answers in.
    pub fn wire(&self) -> WireProfile {
        self.state.wire
    }

    /// Moves the clock forward (as `POST /_emulator/clock/advance`); returns the new time.
    pub fn advance_clock(&self, by: Duration) -> Result<jiff::Timestamp, Error> {
        advance(&self.state, by)
    }

    /// The emulator clock now.
    pub fn now(&self) -> jiff::Timestamp {
        self.state.clock.now()
    }

    /// A stamp of the emulator clock: what `created`, `updated` and the `Date` header say now
    /// (virtual clock: its now plus the real time since it last moved; never going back).
    pub fn stamp(&self) -> jiff::Timestamp {
        self.state.clock.stamp()
    }

    /// Entries and bytes of the request journal, with its bounds.
    pub fn journal_stats(&self) -> JournalStats {
        journal_stats(&self.state)
    }

    /// Adds a fault rule (as `POST /_emulator/faults`); returns its id.
    pub fn add_fault(&self, rule: FaultRule) -> Result<String, Error> {
        app_fault(&self.state, rule)
    }

    /// Clears schedules, faults, the journal and rate-limit counters.
    pub fn reset(&self) -> Result<(), Error> {
        Ok(self.state.reset()?)
    }

    /// Every schedule's raw state (as `GET /_emulator/schedules`).
    pub fn schedules(&self) -> Result<Vec<serde_json::Value>, Error> {
        Ok(self.state.raw_schedules()?)
    }

    /// The active fault rules (as `GET /_emulator/faults`).
    pub fn faults(&self) -> serde_json::Value {
        locked(&self.state.faults, |f| serde_json::to_value(f.list())).unwrap_or_default()
    }

    /// Removes every fault rule (as `DELETE /_emulator/faults`).
    pub fn clear_faults(&self) {
        locked(&self.state.faults, |f| f.clear());
    }

    /// The request journal, secrets redacted (as `GET /_emulator/requests`).
    pub fn requests(&self) -> serde_json::Value {
        locked(&self.state.journal, |j| serde_json::to_value(j.list())).unwrap_or_default()
    }

    /// Empties the request journal (as `DELETE /_emulator/requests`).
    pub fn clear_requests(&self) {
        locked(&self.state.journal, |j| j.clear());
    }

    /// Stops accepting, lets open requests finish (up to 5 s) and waits.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
        if let Some(t) = self.ticker.take() {
            let _ = t.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

fn journal_stats(state: &AppState) -> JournalStats {
    match state.journal.lock() {
        Ok(j) => j.stats(),
        Err(p) => p.into_inner().stats(),
    }
}

/// Runs `f` on the value behind a mutex (a poisoned lock is used as is).
fn locked<T, R>(m: &std::sync::Mutex<T>, f: impl FnOnce(&mut T) -> R) -> R {
    f(&mut m.lock().unwrap_or_else(|p| p.into_inner()))
}

fn app_fault(state: &AppState, rule: FaultRule) -> Result<String, Error> {
    match state.faults.lock() {
        Ok(mut f) => f.add(rule),
        Err(p) => p.into_inner().add(rule),
    }
    .map_err(Error::Config)
}

/// A running emulator on a thread of its own (see [`EmulatorBuilder::start_blocking`]).
#[derive(Debug)]
pub struct BlockingEmulatorHandle {
    url: String,
    addr: SocketAddr,
    state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BlockingEmulatorHandle {
    /// The gateway base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The demo registry's id.
    pub fn demo_registry_id(&self) -> &'static str {
        DEMO_REGISTRY_ID
    }

    /// The wire profile it answers in.
    pub fn wire(&self) -> WireProfile {
        self.state.wire
    }

    /// Moves the clock forward; returns the new time.
    pub fn advance_clock(&self, by: Duration) -> Result<jiff::Timestamp, Error> {
        advance(&self.state, by)
    }

    /// The emulator clock now.
    pub fn now(&self) -> jiff::Timestamp {
        self.state.clock.now()
    }

    /// A stamp of the emulator clock (what `created` and `Date` say now).
    pub fn stamp(&self) -> jiff::Timestamp {
        self.state.clock.stamp()
    }

    /// Entries and bytes of the request journal, with its bounds.
    pub fn journal_stats(&self) -> JournalStats {
        journal_stats(&self.state)
    }

    /// Adds a fault rule; returns its id.
    pub fn add_fault(&self, rule: FaultRule) -> Result<String, Error> {
        app_fault(&self.state, rule)
    }

    /// Clears schedules, faults, the journal and rate-limit counters.
    pub fn reset(&self) -> Result<(), Error> {
        Ok(self.state.reset()?)
    }

    /// Every schedule's raw state (as `GET /_emulator/schedules`).
    pub fn schedules(&self) -> Result<Vec<serde_json::Value>, Error> {
        Ok(self.state.raw_schedules()?)
    }

    /// The active fault rules (as `GET /_emulator/faults`).
    pub fn faults(&self) -> serde_json::Value {
        locked(&self.state.faults, |f| serde_json::to_value(f.list())).unwrap_or_default()
    }

    /// Removes every fault rule (as `DELETE /_emulator/faults`).
    pub fn clear_faults(&self) {
        locked(&self.state.faults, |f| f.clear());
    }

    /// The request journal, secrets redacted (as `GET /_emulator/requests`).
    pub fn requests(&self) -> serde_json::Value {
        locked(&self.state.journal, |j| serde_json::to_value(j.list())).unwrap_or_default()
    }

    /// Empties the request journal (as `DELETE /_emulator/requests`).
    pub fn clear_requests(&self) {
        locked(&self.state.journal, |j| j.clear());
    }

    /// Stops the server and joins its thread.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for BlockingEmulatorHandle {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}
