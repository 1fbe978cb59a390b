//! The routes: `/auth`, the CS routes under `/csapi/v1.3` (spec §3), the control routes under
//! `/_emulator` and `/openapi.json`; plus the gateway middleware that every client request
//! goes through (request id, journal, faults, auth, rate limit), the control-token check of
//! the control routes, and the `Date` header of every answer (from the clock's stamps).
//!
//! Everything that touches SQLite runs on tokio's blocking pool (`spawn_blocking`), never on
//! the async workers, so a long clock advance does not stall unrelated requests.

use crate::auth::{Auth, bearer};
use crate::clock::{Clock, ms_to_timestamp};
use crate::config::RegistryState;
use crate::faults::{self, Action, FaultRule, Faults, Plan, Stage, TwinMode};
use crate::jobs::{self, JobOutcome, JobSettings};
use crate::journal::{self, Entry, Journal};
use crate::query::{self, Filter, Matcher, Paging, QueryError, SortValue};
use crate::ratelimit::{Decision, RateLimiter};
use crate::store::{Narrow, ScheduleRow, Store, StoreError};
use crate::wire::{self, WireProfile};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use qualys_cs_core::{
    Page, Registry, RegistryDetails, RegistryId, Schedule, ScheduleId, ScheduleRequest,
    validate_update, validate_value,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The CS base path.
pub const BASE: &str = "/csapi/v1.3";
/// Largest request body accepted.
pub const MAX_BODY: usize = 1 << 20;
/// Default time a client has to send a whole request body.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The header that carries the control token (besides `Authorization: Bearer`).
pub const CONTROL_TOKEN_HEADER: &str = "x-emulator-control-token";
const CLOCK_KEY: &str = "clock_ms";

/// Filterable and sortable fields of each list.
pub const SCHEDULE_FILTER_FIELDS: &[&str] = &[
    "scheduleUuid",
    "name",
    "status",
    "onDemand",
    "registryType",
    "scheduleIntervalInDays",
    "weekDay",
];
/// Sortable schedule fields.
pub const SCHEDULE_SORT_FIELDS: &[&str] = &[
    "scheduleUuid",
    "name",
    "status",
    "onDemand",
    "registryType",
    "scheduleIntervalInDays",
    "weekDay",
    "created",
    "updated",
];
/// Filterable registry fields.
pub const REGISTRY_FILTER_FIELDS: &[&str] = &[
    "registryUuid",
    "registryName",
    "registryUri",
    "registryType",
];
/// Sortable registry fields.
pub const REGISTRY_SORT_FIELDS: &[&str] = &[
    "registryUuid",
    "registryName",
    "registryUri",
    "registryType",
    "created",
];
/// Filterable repository fields.
pub const REPOSITORY_FILTER_FIELDS: &[&str] = &["repoName"];
/// Sortable repository fields.
pub const REPOSITORY_SORT_FIELDS: &[&str] = &[
    "repoName",
    "totalImages",
    "totalScannedImages",
    "totalVulnerableImages",
];

/// Marker put on a response whose connection must be closed without an answer.
#[derive(Clone, Copy, Debug)]
pub struct DropConnection;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Counts a sync under way for as long as it lives.
struct Syncing<'a>(&'a AtomicUsize);

impl<'a> Syncing<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::AcqRel);
        Syncing(n)
    }
}

impl Drop for Syncing<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Everything the routes share.
#[derive(Debug)]
pub struct AppState {
    /// Schedules.
    pub store: Store,
    /// The clock.
    pub clock: Clock,
    /// Users and tokens.
    pub auth: Auth,
    /// Registries (from the configuration; not changed by the API).
    pub registries: Vec<RegistryState>,
    /// Fault rules.
    pub faults: Mutex<Faults>,
    /// Request journal.
    pub journal: Mutex<Journal>,
    /// CS rate limit.
    pub limiter: Mutex<RateLimiter>,
    /// Job timing and outcome.
    pub jobs: Mutex<JobSettings>,
    /// The shape of the answers.
    pub wire: WireProfile,
    /// The token the control routes require (`None`: open, loopback only).
    pub control_token: Option<String>,
    /// Time a client has to send a whole body (then 408 and the connection is closed).
    pub body_read_timeout: Duration,
    /// Time a client has to send the request line and headers (enforced by the server; kept
    /// here for the settings route).
    pub header_read_timeout: Duration,
    /// Earliest pending job event (ms), `i64::MAX` when none: lets requests skip the store
    /// when nothing is due.
    next_event: AtomicI64,
    /// Syncs under way (requests skip theirs meanwhile: the store lock orders them after it).
    syncing: AtomicUsize,
}

impl AppState {
    /// Assembles the state and computes the first pending event.
    pub fn new(
        store: Store,
        clock: Clock,
        auth: Auth,
        registries: Vec<RegistryState>,
        limiter: RateLimiter,
        jobs: JobSettings,
        wire: WireProfile,
    ) -> Result<Self, StoreError> {
        let next = store.read(|tx| tx.next_event())?.unwrap_or(i64::MAX);
        // Stamps of a previous run on this data directory stay in the past.
        if let Some(latest) = store.read(|tx| tx.latest_stamp())? {
            clock.stamps_after(latest);
        }
        Ok(AppState {
            store,
            clock,
            auth,
            registries,
            faults: Mutex::new(Faults::default()),
            journal: Mutex::new(Journal::default()),
            limiter: Mutex::new(limiter),
            jobs: Mutex::new(jobs),
            wire,
            control_token: None,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            header_read_timeout: crate::server::DEFAULT_HEADER_READ_TIMEOUT,
            next_event: AtomicI64::new(next),
            syncing: AtomicUsize::new(0),
        })
    }

    fn registry(&self, id: &str) -> Option<&RegistryState> {
        self.registries
            .iter()
            .find(|r| r.id().eq_ignore_ascii_case(id))
    }

    fn job_settings(&self) -> JobSettings {
        *lock(&self.jobs)
    }

    /// True when a job event is due by the clock (a sync has work to do).
    pub fn sync_due(&self) -> bool {
        self.clock.now_ms() >= self.next_event.load(Ordering::Acquire)
    }

    /// Applies every job event due by the clock (cheap when nothing is due). Blocks on the
    /// store: call it off the async workers.
    pub fn sync(&self) -> Result<(), StoreError> {
        let _syncing = Syncing::new(&self.syncing);
        self.sync_now()
    }

    /// [`sync`](Self::sync), unless one is under way: then the caller's later store access
    /// waits for it anyway (one lock), and a request that needs no store (a registry list,
    /// `/auth`) is not held up by a long clock advance.
    pub fn sync_unless_busy(&self) -> Result<(), StoreError> {
        if self.syncing.load(Ordering::Acquire) > 0 {
            return Ok(());
        }
        self.sync()
    }

    fn sync_now(&self) -> Result<(), StoreError> {
        if !self.sync_due() {
            return Ok(());
        }
        let settings = self.job_settings();
        self.store.write(|tx| {
            // Read inside the lock: a sync that waited for another sees its clock.
            let now = self.clock.now_ms();
            let (due, unreadable) = tx.due(now)?;
            for seq in unreadable {
                tx.park(seq)?;
            }
            for mut row in due {
                if jobs::advance(&mut row, now, settings) {
                    tx.update(&row)?;
                }
            }
            let next = tx.next_event()?.unwrap_or(i64::MAX);
            self.next_event.store(next, Ordering::Release);
            Ok(())
        })
    }

    /// Creates a schedule in `reg`: `created`/`updated` are a stamp of the clock, run times
    /// and job steps go by the clock's now. Returns its id. Blocks on the store.
    pub fn create_schedule(
        &self,
        reg: &RegistryState,
        req: ScheduleRequest,
    ) -> Result<String, StoreError> {
        let now = self.clock.now_ms();
        let id = ScheduleId::new_random().to_string();
        let mut row = jobs::new_row(
            id.clone(),
            reg.id().to_owned(),
            req,
            now,
            self.job_settings(),
        );
        self.store.write(|tx| {
            // Stamped inside the lock: creation order and `created` order agree.
            let stamp = self.clock.stamp_ms();
            row.created = stamp;
            row.updated = stamp;
            tx.insert(&mut row)?;
            if let Some(t) = jobs::next_event(&row) {
                self.next_event.fetch_min(t, Ordering::AcqRel);
            }
            Ok::<_, StoreError>(())
        })?;
        Ok(id)
    }

    /// The `twin` fault: another client creates a schedule named like the create request in
    /// `body` (`different`: on demand, repository `twin/other`; `identical`: the same body).
    /// Nothing happens when the path's registry is unknown or the body invalid (the request
    /// itself then fails). Returns the twin's id. Blocks on the store.
    pub fn create_twin(&self, registry_id: &str, body: &[u8], mode: TwinMode) -> Option<String> {
        let reg = RegistryId::parse(registry_id)
            .ok()
            .and_then(|id| self.registry(id.as_str()))?;
        let value: Value = serde_json::from_slice(body).ok()?;
        let req = match decode_request(&value) {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(error = %e.message, "twin fault: the request body is invalid; no twin");
                return None;
            }
        };
        let req = match mode {
            TwinMode::Identical => req,
            TwinMode::Different => ScheduleRequest::on_demand(req.name.clone())
                .repo("twin/other")
                .build()
                .ok()?,
        };
        match self.create_schedule(reg, req) {
            Ok(id) => {
                tracing::info!(schedule = %id, ?mode, "fault: twin schedule created");
                Some(id)
            }
            Err(e) => {
                tracing::warn!(error = %e, "twin fault: the twin could not be stored");
                None
            }
        }
    }

    /// Moves the clock forward and applies what became due; returns the new time (ms).
    /// Blocks on the store.
    pub fn advance_clock(&self, by: Duration) -> Result<i64, StoreError> {
        // Counted as syncing before the clock moves: a request arriving meanwhile leaves the
        // backlog to this call instead of taking it on itself.
        let _syncing = Syncing::new(&self.syncing);
        let now = self.clock.advance(by);
        self.store
            .write(|tx| tx.meta_set(CLOCK_KEY, &now.to_string()))?;
        self.sync_now()?;
        Ok(now)
    }

    /// The clock time saved by the last advance in this store, if any.
    pub fn saved_clock(store: &Store) -> Result<Option<i64>, StoreError> {
        Ok(store
            .read(|tx| tx.meta_get(CLOCK_KEY))?
            .and_then(|s| s.parse().ok()))
    }

    /// Clears schedules, faults, the journal and rate-limit counters.
    pub fn reset(&self) -> Result<(), StoreError> {
        self.store.write(|tx| {
            tx.delete_all()?;
            self.next_event.store(i64::MAX, Ordering::Release);
            Ok::<_, StoreError>(())
        })?;
        lock(&self.faults).clear();
        lock(&self.journal).clear();
        lock(&self.limiter).reset();
        Ok(())
    }

    /// Every schedule with its raw state (what `GET /_emulator/schedules` answers).
    pub fn raw_schedules(&self) -> Result<Vec<Value>, StoreError> {
        let rows = self.store.read(|tx| tx.all())?;
        Ok(rows.iter().map(|r| self.raw_schedule(r)).collect())
    }

    fn raw_schedule(&self, r: &ScheduleRow) -> Value {
        let reg_type = self
            .registry(&r.registry_id)
            .and_then(|g| g.details.registry.registry_type.clone());
        let mut v = serde_json::to_value(r.to_schedule(reg_type.as_ref())).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("registryUuid".into(), json!(r.registry_id));
            m.insert(
                "emulator".into(),
                json!({
                    "seq": r.seq,
                    "phase": r.phase.map(|p| format!("{p:?}")),
                    "nextStepMs": r.next_step,
                    "nextRunMs": r.next_fire,
                    "nextRun": r.next_fire.map(|t| ms_to_timestamp(t).to_string()),
                    "runs": r.runs,
                    "clockAtCreationMs": r.anchor,
                    "request": r.request.to_value(),
                    "unknownFields": r.extra,
                }),
            );
        }
        v
    }

    fn clock_json(&self) -> Value {
        let ms = self.clock.now_ms();
        let stamp = self.clock.stamp_ms();
        json!({
            "now": ms_to_timestamp(ms).to_string(),
            "nowMs": ms,
            "mode": self.clock.mode().as_str(),
            "stamp": ms_to_timestamp(stamp).to_string(),
            "stampMs": stamp,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Errors in the Qualys shape

/// An error answer in the Qualys shape (`{errorCode, message, timestamp}`).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    headers: Vec<(HeaderName, String)>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            headers: Vec::new(),
        }
    }
    fn bad_request(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, m)
    }
    fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, m)
    }
    fn conflict(m: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, m)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store failure");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {e}"),
        )
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        ApiError::bad_request(format!("invalid query parameter {e}"))
    }
}

/// `"400 BAD_REQUEST"` and the like.
pub fn error_code(status: StatusCode) -> String {
    let reason = status
        .canonical_reason()
        .unwrap_or("ERROR")
        .to_ascii_uppercase()
        .replace([' ', '-'], "_")
        .replace('\'', "");
    format!("{} {reason}", status.as_u16())
}

/// A Qualys-shaped error answer.
pub fn error_response(status: StatusCode, message: &str, now_ms: i64) -> Response {
    let body = json!({
        "errorCode": error_code(status),
        "message": message,
        "timestamp": now_ms,
    });
    (status, axum::Json(body)).into_response()
}

fn finish(st: &AppState, r: Result<Response, ApiError>) -> Response {
    match r {
        Ok(resp) => resp,
        Err(e) => {
            let mut resp = error_response(e.status, &e.message, st.clock.stamp_ms());
            for (k, v) in e.headers {
                if let Ok(v) = HeaderValue::from_str(&v) {
                    resp.headers_mut().insert(k, v);
                }
            }
            resp
        }
    }
}

fn json_response(status: StatusCode, v: &impl serde::Serialize) -> Response {
    (status, axum::Json(v)).into_response()
}

/// Runs a handler's body on the blocking pool (it may wait for SQLite) and turns its result
/// into an answer.
async fn blocking(
    st: Arc<AppState>,
    f: impl FnOnce(&AppState) -> Result<Response, ApiError> + Send + 'static,
) -> Response {
    let st2 = st.clone();
    match tokio::task::spawn_blocking(move || {
        let r = f(&st2);
        finish(&st2, r)
    })
    .await
    {
        Ok(resp) => resp,
        Err(e) => finish(
            &st,
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("internal error: the request's work did not finish ({e})"),
            )),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Router

/// The whole application.
pub fn router(st: Arc<AppState>) -> Router {
    let schedules = get(list_schedules).post(create_schedule);
    // The 2021 OpenAPI file puts bulk delete at DELETE /schedule (spec §6b); the docs' path
    // `/schedule/bulk` is served in both profiles.
    let schedules = match st.wire {
        WireProfile::Oas2021 => schedules.delete(bulk_delete),
        WireProfile::Full => schedules,
    };
    let cs = Router::new()
        .route("/registry", get(list_registries))
        .route("/registry/{registry_id}", get(get_registry))
        .route("/registry/{registry_id}/repository", get(list_repositories))
        .route("/registry/{registry_id}/schedule", schedules)
        .route("/registry/{registry_id}/schedule/bulk", delete(bulk_delete))
        .route("/registry/{registry_id}/schedule/cancel", post(bulk_cancel))
        .route(
            "/registry/{registry_id}/schedule/{schedule_id}",
            axum::routing::put(update_schedule).delete(delete_schedule),
        )
        .route(
            "/registry/{registry_id}/schedule/{schedule_id}/cancel",
            post(cancel_schedule),
        );
    let control = Router::new()
        .route("/reset", post(control_reset))
        .route("/clock", get(control_clock))
        .route("/clock/advance", post(control_advance))
        .route(
            "/faults",
            post(control_add_fault)
                .get(control_list_faults)
                .delete(control_clear_faults),
        )
        .route(
            "/requests",
            get(control_requests).delete(control_clear_requests),
        )
        .route("/requests/stats", get(control_request_stats))
        .route("/schedules", get(control_schedules))
        .route("/settings", get(control_settings).put(control_put_settings));
    Router::new()
        .route("/auth", post(auth_token))
        .nest(BASE, cs)
        .nest("/_emulator", control)
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(st.clone(), gateway))
        .layer(middleware::map_response_with_state(st.clone(), date_header))
        .with_state(st)
}

/// Every answer's `Date` (IMF-fixdate), from the clock's stamps: the same scale as `created`.
async fn date_header(State(st): State<Arc<AppState>>, mut resp: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&crate::clock::http_date(st.clock.stamp_ms())) {
        resp.headers_mut().insert(header::DATE, v);
    }
    resp
}

async fn not_found(State(st): State<Arc<AppState>>, req: Request) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        &format!(
            "no route for {} {}; see GET /openapi.json for the routes",
            req.method(),
            req.uri().path()
        ),
        st.clock.stamp_ms(),
    )
}

async fn method_not_allowed(State(st): State<Arc<AppState>>, req: Request) -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!(
            "{} is not allowed on {}; see GET /openapi.json for the routes",
            req.method(),
            req.uri().path()
        ),
        st.clock.stamp_ms(),
    )
}

async fn openapi() -> Response {
    json_response(StatusCode::OK, &crate::openapi::document())
}

// ---------------------------------------------------------------------------------------------
// Gateway middleware

fn set_header(h: &mut HeaderMap, name: &'static str, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        h.insert(HeaderName::from_static(name), v);
    }
}

fn rate_headers(h: &mut HeaderMap, d: &Decision) {
    set_header(h, "x-ratelimit-limit", d.limit);
    set_header(h, "x-ratelimit-window-sec", d.window_secs);
    set_header(h, "x-ratelimit-remaining", d.remaining);
}

fn wait_headers(h: &mut HeaderMap, secs: u64) {
    set_header(h, "x-ratelimit-towait-sec", secs.max(1));
    set_header(h, "retry-after", secs.max(1));
}

/// The answer of a status fault: the Qualys shape for 429/500, gateway-style text for 502/503
/// (5xx bodies are undocumented and may not be JSON, spec §7).
fn fault_response(st: &AppState, status: u16, retry_after: Option<u64>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut resp = match status {
        429 | 500 => error_response(
            code,
            &format!("injected fault: {}", error_code(code)),
            st.clock.stamp_ms(),
        ),
        _ => (
            code,
            [(header::CONTENT_TYPE, "text/html")],
            format!(
                "<html><body><h1>{} {}</h1>injected fault</body></html>",
                status,
                code.canonical_reason().unwrap_or("")
            ),
        )
            .into_response(),
    };
    if status == 429 {
        wait_headers(resp.headers_mut(), retry_after.unwrap_or(1));
    }
    resp
}

struct AuthOutcome {
    user: Option<String>,
    error: Option<Response>,
}

fn check_auth(st: &AppState, headers: &HeaderMap) -> AuthOutcome {
    // Tokens go by the clock's now (deterministic); the error timestamps are stamps.
    let now = st.clock.now_ms();
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Some(token) = bearer(header) else {
        return AuthOutcome {
            user: None,
            error: Some(error_response(
                StatusCode::UNAUTHORIZED,
                "missing bearer token: send Authorization: Bearer <token> with a token from POST /auth",
                st.clock.stamp_ms(),
            )),
        };
    };
    match st.auth.verify(token, now.div_euclid(1000)) {
        Err(e) => AuthOutcome {
            user: None,
            error: Some(error_response(
                StatusCode::UNAUTHORIZED,
                &e.to_string(),
                st.clock.stamp_ms(),
            )),
        },
        Ok(u) if !u.permission => AuthOutcome {
            user: Some(u.username.clone()),
            error: Some(error_response(
                StatusCode::FORBIDDEN,
                &format!(
                    "user {} does not have the Container Security API access permission; ask your Qualys administrator to grant it",
                    u.username
                ),
                st.clock.stamp_ms(),
            )),
        },
        Ok(u) => AuthOutcome {
            user: Some(u.username.clone()),
            error: None,
        },
    }
}

/// Compares in time independent of where the first difference is.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// True when the request carries the control token (`Authorization: Bearer <token>` or
/// `X-Emulator-Control-Token: <token>`).
fn has_control_token(expected: &str, headers: &HeaderMap) -> bool {
    let bearer_ok = headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| bearer(Some(v)))
        .any(|t| same_secret(t.as_bytes(), expected.as_bytes()));
    bearer_ok
        || headers
            .get_all(CONTROL_TOKEN_HEADER)
            .iter()
            .any(|v| same_secret(v.as_bytes(), expected.as_bytes()))
}

/// Reads a whole body within the body read timeout and the size limit; the error is the
/// answer (408 with `Connection: close`, 413, or 400 when the client broke off).
async fn read_body(st: &AppState, body: Body) -> Result<Bytes, Response> {
    match tokio::time::timeout(st.body_read_timeout, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(e)) if e.to_string().contains("length limit") => Err(error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the request body is larger than {MAX_BODY} bytes"),
            st.clock.stamp_ms(),
        )),
        Ok(Err(e)) => Err(error_response(
            StatusCode::BAD_REQUEST,
            &format!("the request body could not be read: {e}"),
            st.clock.stamp_ms(),
        )),
        Err(_) => {
            let mut r = error_response(
                StatusCode::REQUEST_TIMEOUT,
                &format!(
                    "the request body did not arrive within {} s; the connection is closed",
                    st.body_read_timeout.as_secs_f64()
                ),
                st.clock.stamp_ms(),
            );
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            Err(r)
        }
    }
}

/// The control routes: the control token when one is set, the body read timeout; no journal,
/// no rate limit.
async fn control_gate(st: Arc<AppState>, req: Request, next: Next) -> Response {
    if let Some(expected) = &st.control_token
        && !has_control_token(expected, req.headers())
    {
        let mut r = error_response(
            StatusCode::UNAUTHORIZED,
            "the control routes need the emulator's control token: send Authorization: Bearer <control token> or X-Emulator-Control-Token: <control token> (the token given with --control-token or QUALYS_CS_EMULATOR_CONTROL_TOKEN)",
            st.clock.stamp_ms(),
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"qualys-cs-emulator control\""),
        );
        return r;
    }
    let (parts, body) = req.into_parts();
    match read_body(&st, body).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(resp) => resp,
    }
}

/// What the journal will say about one request, filled in as it goes.
struct Record {
    started: Instant,
    is_cs: bool,
    seq: u64,
    request_id: String,
    time_ms: i64,
    method: String,
    path: String,
    query: Option<String>,
    authorization: Option<String>,
    headers: BTreeMap<String, String>,
    body: Option<String>,
    faults: Vec<String>,
    user: Option<String>,
    rate: Option<Decision>,
    dropped: bool,
}

/// Sets the common headers, marks a dropped connection, journals the request.
fn conclude(st: &AppState, rec: Record, mut resp: Response) -> Response {
    let h = resp.headers_mut();
    set_header(h, "x-request-id", &rec.request_id);
    if rec.is_cs {
        let d = rec.rate.unwrap_or_else(|| lock(&st.limiter).peek());
        rate_headers(h, &d);
    }
    let status = resp.status().as_u16();
    let ms = u64::try_from(rec.started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (method, path, request_id) = (&rec.method, &rec.path, &rec.request_id);
    if rec.dropped {
        tracing::info!(%method, %path, %request_id, "fault: connection dropped");
        resp.extensions_mut().insert(DropConnection);
    } else {
        tracing::debug!(%method, %path, status, ms, %request_id, "answered");
    }
    lock(&st.journal).push_json(
        Entry {
            seq: rec.seq,
            request_id: rec.request_id,
            time_ms: rec.time_ms,
            method: rec.method,
            path: rec.path,
            query: rec.query,
            status: (!rec.dropped).then_some(status),
            dropped: rec.dropped,
            ms,
            user: rec.user,
            authorization: rec.authorization,
            headers: rec.headers,
            faults: rec.faults,
            body_redacted: None,
        },
        rec.body,
    );
    resp
}

/// Applies due job events off the async workers (skipped when a sync is under way).
async fn sync_off_workers(st: &Arc<AppState>) -> Result<(), ApiError> {
    if !st.sync_due() {
        return Ok(());
    }
    let s = st.clone();
    match tokio::task::spawn_blocking(move || s.sync_unless_busy()).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(e) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: the clock sync did not finish ({e})"),
        )),
    }
}

/// Every request to `/auth` and the CS routes goes through here (the control routes through
/// [`control_gate`]).
async fn gateway(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_emulator") {
        return control_gate(st, req, next).await;
    }
    if path == "/openapi.json" {
        return next.run(req).await;
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut rec = Record {
        started: Instant::now(),
        is_cs: path.starts_with("/csapi/"),
        seq: lock(&st.journal).next_seq(),
        request_id: uuid::Uuid::new_v4().to_string(),
        time_ms: st.clock.stamp_ms(),
        method: req.method().to_string(),
        query: req.uri().query().map(journal::redact_form),
        authorization: req.headers().get(header::AUTHORIZATION).map(|v| {
            match v.to_str().ok().and_then(|s| s.split_once(' ')) {
                Some((scheme, _)) => format!("{scheme} ***"),
                None => "***".to_owned(),
            }
        }),
        headers: journal::redact_headers(req.headers()),
        path,
        body: None,
        faults: Vec::new(),
        user: None,
        rate: None,
        dropped: false,
    };

    let (parts, body) = req.into_parts();
    let bytes = match read_body(&st, body).await {
        Ok(b) => b,
        Err(resp) => return conclude(&st, rec, resp),
    };
    rec.body = journal::redact_body_json(content_type.as_deref(), &bytes);
    let plan = lock(&st.faults).plan(&rec.method, &rec.path);
    rec.faults.clone_from(&plan.rule_ids);
    if plan.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(plan.latency_ms)).await;
    }
    let late = plan.late_ms;
    let work = process(st.clone(), rec, parts, bytes, plan, next);
    if late == 0 {
        return work.await;
    }
    // A `late` fault: the work runs apart from the connection, so it happens even when the
    // client gives up first (its answer then goes nowhere); a client still waiting gets it.
    let task = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(late)).await;
        work.await
    });
    match task.await {
        Ok(resp) => resp,
        Err(e) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("internal error: the request's work did not finish ({e})"),
            st.clock.stamp_ms(),
        ),
    }
}

/// The request after its body and fault plan: before-faults, the twin, sync, auth, rate
/// limit, the route, after-faults, then [`conclude`].
async fn process(
    st: Arc<AppState>,
    mut rec: Record,
    parts: axum::http::request::Parts,
    bytes: Bytes,
    plan: Plan,
    next: Next,
) -> Response {
    // The other client acts whatever happens to this request (a before-fault too: this
    // client's POST may be lost while the other's lands).
    if let (Some(mode), Some(reg)) = (plan.twin, faults::schedule_create_registry(&rec.path)) {
        let (s, reg, body) = (st.clone(), reg.to_owned(), bytes.clone());
        let _ = tokio::task::spawn_blocking(move || s.create_twin(&reg, &body, mode)).await;
    }
    let resp = match plan.action {
        Some(Action::Status {
            status,
            stage: Stage::Before,
            retry_after_sec,
        }) => fault_response(&st, status, retry_after_sec),
        Some(Action::Drop {
            stage: Stage::Before,
        }) => {
            rec.dropped = true;
            StatusCode::NO_CONTENT.into_response()
        }
        _ => {
            let mut early = None;
            if rec.is_cs {
                if let Err(e) = sync_off_workers(&st).await {
                    early = Some(finish(&st, Err(e)));
                }
                if early.is_none() {
                    let a = check_auth(&st, &parts.headers);
                    rec.user = a.user;
                    early = a.error;
                }
                if early.is_none() {
                    let d = lock(&st.limiter).check();
                    rec.rate = Some(d);
                    if !d.allowed {
                        let mut r = error_response(
                            StatusCode::TOO_MANY_REQUESTS,
                            &format!(
                                "rate limit of {} calls per {} s exceeded; retry in {} s",
                                d.limit, d.window_secs, d.wait_secs
                            ),
                            st.clock.stamp_ms(),
                        );
                        wait_headers(r.headers_mut(), d.wait_secs);
                        early = Some(r);
                    }
                }
            }
            let resp = match early {
                Some(r) => r,
                None => {
                    next.run(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
            };
            match plan.action {
                Some(Action::Status {
                    status,
                    stage: Stage::After,
                    retry_after_sec,
                }) => fault_response(&st, status, retry_after_sec),
                Some(Action::Drop {
                    stage: Stage::After,
                }) => {
                    rec.dropped = true;
                    resp
                }
                _ => resp,
            }
        }
    };
    conclude(&st, rec, resp)
}

// ---------------------------------------------------------------------------------------------
// /auth

async fn auth_token(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let r = (|| {
        let mut username = None;
        let mut password = None;
        let mut token = None;
        for (k, v) in url::form_urlencoded::parse(&body) {
            match k.as_ref() {
                "username" => username = Some(v.into_owned()),
                "password" => password = Some(v.into_owned()),
                "token" => token = Some(v.into_owned()),
                _ => {}
            }
        }
        let (Some(username), Some(password)) = (username, password) else {
            return Err(ApiError::bad_request(
                "username and password are required as form fields (application/x-www-form-urlencoded), with token=true",
            ));
        };
        if token.as_deref() != Some("true") {
            return Err(ApiError::bad_request(
                "token=true is required: this endpoint only issues tokens",
            ));
        }
        let Some(user) = st.auth.login(&username, &password) else {
            tracing::info!(%username, "login refused");
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid credentials: the user name or password is wrong",
            ));
        };
        let jwt = st.auth.issue(user, st.clock.now_ms().div_euclid(1000));
        tracing::info!(%username, "token issued");
        Ok((
            StatusCode::CREATED,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            jwt,
        )
            .into_response())
    })();
    finish(&st, r)
}

// ---------------------------------------------------------------------------------------------
// Query helpers

struct Params(Vec<(String, String)>);

impl Params {
    fn from_uri(uri: &axum::http::Uri) -> Self {
        Params(
            url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    fn filter(&self, allowed: &[&'static str]) -> Result<Filter, QueryError> {
        query::parse_filter(self.one("filter").unwrap_or(""), allowed)
    }
    fn sort(&self, allowed: &[&'static str]) -> Result<Vec<query::SortKey>, QueryError> {
        query::parse_sort(self.one("sort").unwrap_or(""), allowed)
    }
    fn paging(&self) -> Result<Paging, QueryError> {
        Paging::parse(self.one("pageNumber"), self.one("pageSize"))
    }
}

fn page_of<T: serde::Serialize>(items: Vec<T>, paging: Paging) -> Response {
    let count = items.len() as u64;
    json_response(
        StatusCode::OK,
        &Page {
            count,
            data: paging.apply(items),
            ..Default::default()
        },
    )
}

/// A page whose items are turned into JSON after paging (only the page's items are mapped).
fn page_mapped<T>(items: Vec<T>, paging: Paging, f: impl Fn(&T) -> Value) -> Response {
    let count = items.len() as u64;
    let data: Vec<Value> = paging.apply(items).iter().map(f).collect();
    json_response(
        StatusCode::OK,
        &Page {
            count,
            data,
            ..Default::default()
        },
    )
}

fn parse_registry_id<'a>(st: &'a AppState, raw: &str) -> Result<&'a RegistryState, ApiError> {
    let id = RegistryId::parse(raw).map_err(|e| ApiError::bad_request(e.to_string()))?;
    st.registry(id.as_str()).ok_or_else(|| {
        ApiError::not_found(format!(
            "registry {id} not found; GET {BASE}/registry lists the registries"
        ))
    })
}

fn parse_schedule_id(raw: &str) -> Result<ScheduleId, ApiError> {
    ScheduleId::parse(raw).map_err(|e| ApiError::bad_request(e.to_string()))
}

fn schedule_not_found(id: &str, reg: &RegistryState) -> ApiError {
    ApiError::not_found(format!("schedule {id} not found in registry {}", reg.id()))
}

/// The internal sort key of creation order (ties of `created`/`updated`).
const SEQ_SORT_KEY: &str = "\u{0}seq";

/// Fields an Oas2021 schedule list item does not carry: a filter on them matches nothing and
/// a sort on them sorts as if absent.
const OAS_HIDDEN_SCHEDULE_FIELDS: &[&str] = &["registryType", "scheduleIntervalInDays", "weekDay"];
/// Fields an Oas2021 registry list item does not carry.
const OAS_HIDDEN_REGISTRY_FIELDS: &[&str] = &["registryName"];

impl AppState {
    fn hides(&self, hidden: &[&str], field: &str) -> bool {
        self.wire == WireProfile::Oas2021 && hidden.contains(&field)
    }

    /// A schedule's value for a filter, as the current profile shows it.
    fn schedule_filter_value(&self, s: &Schedule, field: &str) -> Option<String> {
        if self.hides(OAS_HIDDEN_SCHEDULE_FIELDS, field) {
            return None;
        }
        schedule_field(s, field)
    }

    fn schedule_sort_value(&self, s: &Schedule, field: &str) -> SortValue {
        if self.hides(OAS_HIDDEN_SCHEDULE_FIELDS, field) {
            return SortValue::Null;
        }
        schedule_sort_value(s, field)
    }

    fn registry_value(&self, r: &Registry, field: &str) -> Option<String> {
        if self.hides(OAS_HIDDEN_REGISTRY_FIELDS, field) {
            return None;
        }
        registry_field(r, field)
    }
}

fn schedule_field(s: &Schedule, field: &str) -> Option<String> {
    Some(match field {
        "scheduleUuid" => s.schedule_uuid.clone(),
        "name" => s.name.clone(),
        "status" => s.status.as_ref()?.to_string(),
        "onDemand" => s.on_demand?.to_string(),
        "registryType" => s.registry_type.as_ref()?.to_string(),
        "scheduleIntervalInDays" => s.schedule_interval_in_days?.to_string(),
        "weekDay" => s.week_day.as_ref()?.to_string(),
        _ => return None,
    })
}

fn schedule_sort_value(s: &Schedule, field: &str) -> SortValue {
    match field {
        "created" => s.created.map_or(SortValue::Null, |m| SortValue::Num(m.0)),
        "updated" => s.updated.map_or(SortValue::Null, |m| SortValue::Num(m.0)),
        "scheduleIntervalInDays" => s
            .schedule_interval_in_days
            .map_or(SortValue::Null, SortValue::Num),
        "weekDay" => s
            .week_day
            .as_ref()
            .and_then(|w| w.index_from_monday())
            .map_or(SortValue::Null, |i| SortValue::Num(i64::from(i))),
        f => schedule_field(s, f).map_or(SortValue::Null, SortValue::Text),
    }
}

fn registry_field(r: &Registry, field: &str) -> Option<String> {
    match field {
        "registryUuid" => Some(r.registry_uuid.clone()),
        "registryName" => r.registry_name.clone(),
        "registryUri" => r.registry_uri.clone(),
        "registryType" => r.registry_type.as_ref().map(ToString::to_string),
        _ => None,
    }
}

/// What SQL can narrow a schedule list to: the equality terms (no `*`) on the fields with an
/// indexed key. Exact, so the full filter on the rows left gives the same answer as on all.
fn narrow(filter: &Filter) -> Narrow {
    let mut n = Narrow::default();
    for t in &filter.terms {
        let Matcher::Value(v) = &t.matcher else {
            continue; // field:* — these fields always have a value
        };
        if v.contains('*') {
            continue;
        }
        match t.field {
            "scheduleUuid" => n.id(v),
            "name" => n.name(v),
            "status" => n.status(v),
            "onDemand" => n.on_demand(v),
            _ => {}
        }
    }
    n
}

fn schedules_of(st: &AppState, reg: &RegistryState) -> Result<Vec<Schedule>, ApiError> {
    let rows = st.store.read(|tx| tx.list(reg.id()))?;
    let t = reg.details.registry.registry_type.as_ref();
    Ok(rows.iter().map(|r| r.to_schedule(t)).collect())
}

/// Parses a create/update body; not-JSON is core's `invalid_json` violation.
fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|_| {
        let text = String::from_utf8_lossy(body);
        match ScheduleRequest::from_json(&text) {
            Err(e) => ApiError::bad_request(e.to_string()),
            Ok(_) => ApiError::bad_request("the body is not valid JSON (invalid_json)"),
        }
    })
}

/// The Oas2021 gateway: a body that does not match the OpenAPI `ScheduleRequest` schema is
/// refused with 422 before the service sees it (spec §6b). Nothing happens in Full.
fn gateway_schema_check(st: &AppState, value: &Value) -> Result<(), ApiError> {
    if st.wire != WireProfile::Oas2021 {
        return Ok(());
    }
    let violations = crate::schema::check_schedule_request(value);
    if violations.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        crate::schema::message(&violations),
    ))
}

/// Validates a create/update body exactly as core does; the message lists
/// `path: message (code)` lines.
fn decode_request(value: &Value) -> Result<ScheduleRequest, ApiError> {
    let report = validate_value(value);
    for w in &report.warnings {
        tracing::debug!(path = %w.path, code = %w.code, "validation warning");
    }
    report
        .into_result()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    ScheduleRequest::from_value(value).map_err(|e| ApiError::bad_request(e.to_string()))
}

// ---------------------------------------------------------------------------------------------
// CS routes

async fn list_registries(State(st): State<Arc<AppState>>, uri: axum::http::Uri) -> Response {
    blocking(st, move |st| {
        let p = Params::from_uri(&uri);
        let filter = p.filter(REGISTRY_FILTER_FIELDS)?;
        let sort = p.sort(REGISTRY_SORT_FIELDS)?;
        let paging = p.paging()?;
        let mut items: Vec<&RegistryState> = st
            .registries
            .iter()
            .filter(|r| filter.matches(|f| st.registry_value(&r.details.registry, f)))
            .collect();
        query::sort_by_keys(&mut items, &sort, |r, f| match f {
            "created" => r
                .details
                .registry
                .created
                .map_or(SortValue::Null, |m| SortValue::Num(m.0)),
            f => st
                .registry_value(&r.details.registry, f)
                .map_or(SortValue::Null, SortValue::Text),
        });
        match st.wire {
            WireProfile::Oas2021 => {
                let rows = st.store.read(|tx| tx.all())?;
                Ok(page_mapped(items, paging, |r| wire::oas_registry(r, &rows)))
            }
            WireProfile::Full => {
                let items: Vec<Registry> = items
                    .into_iter()
                    .map(|r| r.details.registry.clone())
                    .collect();
                Ok(page_of(items, paging))
            }
        }
    })
    .await
}

async fn get_registry(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        if st.wire == WireProfile::Oas2021 {
            let rows = st.store.read(|tx| tx.list(reg.id()))?;
            return Ok(json_response(
                StatusCode::OK,
                &wire::oas_registry_details(reg, &rows),
            ));
        }
        let details = RegistryDetails {
            schedules: Some(schedules_of(st, reg)?),
            ..reg.details.clone()
        };
        Ok(json_response(StatusCode::OK, &details))
    })
    .await
}

async fn list_repositories(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
        let p = Params::from_uri(&uri);
        let filter = p.filter(REPOSITORY_FILTER_FIELDS)?;
        let sort = p.sort(REPOSITORY_SORT_FIELDS)?;
        let paging = p.paging()?;
        let mut items: Vec<_> = reg
            .repositories
            .iter()
            .filter(|r| filter.matches(|_| Some(r.repo_name.clone())))
            .cloned()
            .collect();
        query::sort_by_keys(&mut items, &sort, |r, f| {
            let n = |v: Option<i64>| v.map_or(SortValue::Null, SortValue::Num);
            match f {
                "totalImages" => n(r.total_images),
                "totalScannedImages" => n(r.total_scanned_images),
                "totalVulnerableImages" => n(r.total_vulnerable_images),
                _ => SortValue::Text(r.repo_name.clone()),
            }
        });
        Ok(page_of(items, paging))
    })();
    finish(&st, r)
}

async fn list_schedules(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let p = Params::from_uri(&uri);
        let filter = p.filter(SCHEDULE_FILTER_FIELDS)?;
        let sort = p.sort(SCHEDULE_SORT_FIELDS)?;
        let paging = p.paging()?;
        // Only the rows the indexed keys keep are read and decoded; the filter then runs on
        // them exactly as before.
        let rows = st
            .store
            .read(|tx| tx.list_narrowed(reg.id(), &narrow(&filter)))?;
        let t = reg.details.registry.registry_type.as_ref();
        let mut items: Vec<(i64, Schedule)> = rows
            .iter()
            .map(|r| (r.seq, r.to_schedule(t)))
            .filter(|(_, s)| filter.matches(|f| st.schedule_filter_value(s, f)))
            .collect();
        let mut sort = sort;
        // Stamps have millisecond resolution: schedules created (or updated) in the same
        // millisecond tie, and the tie goes by creation order in the key's direction, so
        // `sort=created:desc` always lists the latest create first.
        if let Some(k) = sort
            .iter()
            .find(|k| matches!(k.field, "created" | "updated"))
        {
            let direction = k.direction;
            sort.push(query::SortKey {
                field: SEQ_SORT_KEY,
                direction,
            });
        }
        query::sort_by_keys(&mut items, &sort, |(seq, s), f| match f {
            SEQ_SORT_KEY => SortValue::Num(*seq),
            f => st.schedule_sort_value(s, f),
        });
        let items: Vec<Schedule> = items.into_iter().map(|(_, s)| s).collect();
        match st.wire {
            WireProfile::Oas2021 => Ok(page_mapped(items, paging, wire::oas_schedule)),
            WireProfile::Full => Ok(page_of(items, paging)),
        }
    })
    .await
}

async fn create_schedule(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    body: Bytes,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let value = parse_body(&body)?;
        gateway_schema_check(st, &value)?;
        let req = decode_request(&value)?;
        let id = st.create_schedule(reg, req)?;
        tracing::debug!(schedule = %id, registry = %reg.id(), "schedule created");
        Ok(match st.wire {
            // The 2021 OpenAPI file: 200 with the id as a bare JSON string (spec §5, §6b).
            WireProfile::Oas2021 => json_response(StatusCode::OK, &id),
            WireProfile::Full => json_response(StatusCode::OK, &json!({ "scheduleUuid": id })),
        })
    })
    .await
}

async fn update_schedule(
    State(st): State<Arc<AppState>>,
    Path((registry_id, schedule_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let sid = parse_schedule_id(&schedule_id)?;
        let value = parse_body(&body)?;
        gateway_schema_check(st, &value)?;
        st.store.write(|tx| {
            let Some(mut row) = tx.get(reg.id(), sid.as_str())? else {
                return Err(schedule_not_found(sid.as_str(), reg));
            };
            if row.status.is_running() {
                return Err(ApiError::conflict(format!(
                    "schedule {sid} cannot be updated while its job is {}; wait for it to finish or cancel it first",
                    row.status
                )));
            }
            let mut req = decode_request(&value)?;
            let current = row.to_schedule(reg.details.registry.registry_type.as_ref());
            validate_update(&current, &req)
                .into_result()
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            let now = st.clock.now_ms();
            // The update replaces the whole request, unknown fields included.
            row.extra = std::mem::take(&mut req.extra);
            row.request = req;
            row.updated = st.clock.stamp_ms();
            if row.request.is_automatic() {
                row.next_fire = jobs::next_fire(&row.request, row.anchor, now);
            }
            tx.update(&row)?;
            if let Some(t) = jobs::next_event(&row) {
                st.next_event.fetch_min(t, Ordering::AcqRel);
            }
            Ok(())
        })?;
        Ok(match st.wire {
            // The 2021 OpenAPI file: 201 with an empty body (spec §6b).
            WireProfile::Oas2021 => StatusCode::CREATED.into_response(),
            WireProfile::Full => {
                json_response(StatusCode::OK, &json!({ "scheduleUuid": sid.as_str() }))
            }
        })
    })
    .await
}

async fn delete_schedule(
    State(st): State<Arc<AppState>>,
    Path((registry_id, schedule_id)): Path<(String, String)>,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let sid = parse_schedule_id(&schedule_id)?;
        st.store.write(|tx| {
            // The status alone decides: even a row that cannot be decoded can be deleted.
            let Some(status) = tx.status_of(reg.id(), sid.as_str())? else {
                return Err(schedule_not_found(sid.as_str(), reg));
            };
            if status.is_running() {
                return Err(ApiError::conflict(format!(
                    "schedule {sid} cannot be deleted while its job is {status}; wait for it to finish or cancel it first"
                )));
            }
            tx.delete(sid.as_str())?;
            Ok(())
        })?;
        Ok(match st.wire {
            // The 2021 OpenAPI file: 200 with a JSON string (the id) (spec §6b).
            WireProfile::Oas2021 => json_response(StatusCode::OK, &sid.as_str()),
            WireProfile::Full => StatusCode::NO_CONTENT.into_response(),
        })
    })
    .await
}

async fn cancel_schedule(
    State(st): State<Arc<AppState>>,
    Path((registry_id, schedule_id)): Path<(String, String)>,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let sid = parse_schedule_id(&schedule_id)?;
        st.store.write(|tx| {
            let Some(mut row) = tx.get(reg.id(), sid.as_str())? else {
                return Err(schedule_not_found(sid.as_str(), reg));
            };
            if !row.status.can_cancel() {
                return Err(ApiError::conflict(format!(
                    "schedule {sid} is {}; only Created, Queued, Paused, Running, BaselineQueued and BaselineRunning schedules can be canceled",
                    row.status
                )));
            }
            jobs::cancel(&mut row, st.clock.now_ms());
            tx.update(&row)?;
            Ok(())
        })?;
        Ok(match st.wire {
            // The 2021 OpenAPI file: 200 with a JSON string (the id) (spec §6b).
            WireProfile::Oas2021 => json_response(StatusCode::OK, &sid.as_str()),
            WireProfile::Full => StatusCode::CREATED.into_response(),
        })
    })
    .await
}

/// The schedules a bulk call targets: `scheduleIds` (repeated or comma-separated) win over
/// `filter`; one of them is required.
fn bulk_targets(
    st: &AppState,
    reg: &RegistryState,
    uri: &axum::http::Uri,
    what: &str,
) -> Result<Vec<ScheduleRow>, ApiError> {
    let p = Params::from_uri(uri);
    let mut ids = Vec::new();
    for raw in p.all("scheduleIds") {
        for part in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            ids.push(
                ScheduleId::parse(part)
                    .map_err(|e| ApiError::bad_request(format!("scheduleIds: {e}")))?,
            );
        }
    }
    let filter_text = p.one("filter").unwrap_or("").trim();
    // A filter is checked even when the ids win: a malformed one is still an error.
    let filter = query::parse_filter(filter_text, SCHEDULE_FILTER_FIELDS)?;
    if ids.is_empty() && filter.terms.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{what} needs scheduleIds (repeat the parameter for several) or filter (e.g. filter=scheduleUuid:* for all)"
        )));
    }
    if !ids.is_empty() {
        // One indexed lookup per id; an id named twice is one target.
        let mut rows: Vec<ScheduleRow> = Vec::new();
        st.store.read(|tx| {
            for i in &ids {
                let mut n = Narrow::default();
                n.id(i.as_str());
                for r in tx.list_narrowed(reg.id(), &n)? {
                    if !rows.iter().any(|x| x.seq == r.seq) {
                        rows.push(r);
                    }
                }
            }
            Ok::<_, StoreError>(())
        })?;
        rows.sort_by_key(|r| r.seq);
        return Ok(rows);
    }
    let rows = st
        .store
        .read(|tx| tx.list_narrowed(reg.id(), &narrow(&filter)))?;
    let t = reg.details.registry.registry_type.as_ref();
    Ok(rows
        .into_iter()
        .filter(|r| {
            let s = r.to_schedule(t);
            filter.matches(|f| st.schedule_filter_value(&s, f))
        })
        .collect())
}

async fn bulk_delete(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let targets = bulk_targets(st, reg, &uri, "bulk delete")?;
        let (mut deleted, mut skipped) = (0, 0);
        st.store.write(|tx| {
            for t in &targets {
                // Re-read inside the transaction: the status may have moved.
                match tx.get(reg.id(), &t.id)? {
                    Some(row) if !row.status.skipped_by_bulk_delete() => {
                        tx.delete(&row.id)?;
                        deleted += 1;
                    }
                    _ => skipped += 1,
                }
            }
            Ok::<_, StoreError>(())
        })?;
        let job = uuid::Uuid::new_v4().to_string();
        tracing::debug!(%job, deleted, skipped, "bulk delete");
        Ok(json_response(
            StatusCode::OK,
            &json!({ "deletionJobId": job }),
        ))
    })
    .await
}

async fn bulk_cancel(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    blocking(st, move |st| {
        let reg = parse_registry_id(st, &registry_id)?;
        let targets = bulk_targets(st, reg, &uri, "bulk cancel")?;
        let now = st.clock.now_ms();
        let (mut canceled, mut skipped) = (0, 0);
        st.store.write(|tx| {
            for t in &targets {
                match tx.get(reg.id(), &t.id)? {
                    Some(mut row)
                        if row.status.can_cancel() && !row.status.skipped_by_bulk_cancel() =>
                    {
                        jobs::cancel(&mut row, now);
                        tx.update(&row)?;
                        canceled += 1;
                    }
                    _ => skipped += 1,
                }
            }
            Ok::<_, StoreError>(())
        })?;
        let job = uuid::Uuid::new_v4().to_string();
        tracing::debug!(%job, canceled, skipped, "bulk cancel");
        Ok(json_response(
            StatusCode::OK,
            &json!({ "CancelJobId": job }),
        ))
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Control routes

fn control_json<T: for<'de> Deserialize<'de>>(body: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid {what} body: {e}")))
}

async fn control_reset(State(st): State<Arc<AppState>>) -> Response {
    blocking(st, |st| {
        st.reset()?;
        Ok(json_response(StatusCode::OK, &json!({"reset": true})))
    })
    .await
}

async fn control_clock(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &st.clock_json())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    seconds: f64,
}

async fn control_advance(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    blocking(st, move |st| {
        let b: AdvanceBody =
            control_json(&body, "clock advance (expected {\"seconds\": <number>})")?;
        if !(b.seconds.is_finite() && (0.0..=3.2e9).contains(&b.seconds)) {
            return Err(ApiError::bad_request(format!(
                "seconds must be a number between 0 and 3.2e9 (about 100 years); got {}",
                b.seconds
            )));
        }
        st.advance_clock(Duration::from_secs_f64(b.seconds))?;
        Ok(json_response(StatusCode::OK, &st.clock_json()))
    })
    .await
}

async fn control_add_fault(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let r = (|| {
        let rule: FaultRule = control_json(&body, "fault rule")?;
        let id = lock(&st.faults)
            .add(rule)
            .map_err(|e| ApiError::bad_request(format!("invalid fault rule: {e}")))?;
        Ok(json_response(StatusCode::CREATED, &json!({ "id": id })))
    })();
    finish(&st, r)
}

async fn control_list_faults(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &lock(&st.faults).list())
}

async fn control_clear_faults(State(st): State<Arc<AppState>>) -> Response {
    lock(&st.faults).clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn control_requests(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &lock(&st.journal).list())
}

async fn control_request_stats(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &lock(&st.journal).stats())
}

async fn control_clear_requests(State(st): State<Arc<AppState>>) -> Response {
    lock(&st.journal).clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn control_schedules(State(st): State<Arc<AppState>>) -> Response {
    blocking(st, |st| {
        Ok(json_response(StatusCode::OK, &st.raw_schedules()?))
    })
    .await
}

fn settings_json(st: &AppState) -> Value {
    let s = st.job_settings();
    let (limit, window) = lock(&st.limiter).config();
    json!({
        "jobStepSeconds": s.step_ms as f64 / 1000.0,
        "jobOutcome": s.outcome,
        "tokenTtlSecs": st.auth.ttl_secs,
        "rateLimit": {"limit": limit, "windowSecs": window.as_secs_f64()},
        "clockMode": st.clock.mode().as_str(),
        "wire": st.wire,
        "controlToken": st.control_token.is_some(),
        "headerReadTimeoutSecs": st.header_read_timeout.as_secs_f64(),
        "bodyReadTimeoutSecs": st.body_read_timeout.as_secs_f64(),
        "users": st.auth.usernames(),
        "dataFile": st.store.path().map(|p| p.display().to_string()),
    })
}

async fn control_settings(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &settings_json(&st))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SettingsBody {
    job_step_seconds: Option<f64>,
    job_outcome: Option<JobOutcome>,
}

async fn control_put_settings(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let r = (|| {
        let b: SettingsBody = control_json(&body, "settings")?;
        let mut s = st.job_settings();
        if let Some(secs) = b.job_step_seconds {
            if !(secs.is_finite() && secs > 0.0 && secs <= 86_400.0) {
                return Err(ApiError::bad_request(format!(
                    "jobStepSeconds must be above 0 and at most 86400; got {secs}"
                )));
            }
            s.step_ms = ((secs * 1000.0).round() as i64).max(1);
        }
        if let Some(o) = b.job_outcome {
            s.outcome = o;
        }
        *lock(&st.jobs) = s;
        Ok(json_response(StatusCode::OK, &settings_json(&st)))
    })();
    finish(&st, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_read_like_qualys() {
        assert_eq!(error_code(StatusCode::FORBIDDEN), "403 FORBIDDEN");
        assert_eq!(
            error_code(StatusCode::TOO_MANY_REQUESTS),
            "429 TOO_MANY_REQUESTS"
        );
        assert_eq!(error_code(StatusCode::BAD_REQUEST), "400 BAD_REQUEST");
        assert_eq!(error_code(StatusCode::UNAUTHORIZED), "401 UNAUTHORIZED");
    }
}
