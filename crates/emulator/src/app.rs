//! The routes: `/auth`, the CS routes under `/csapi/v1.3` (spec §3), the control routes under
//! `/_emulator` and `/openapi.json`; plus the gateway middleware that every client request
//! goes through (request id, journal, faults, auth, rate limit).

use crate::auth::{Auth, bearer};
use crate::clock::{Clock, ms_to_timestamp};
use crate::config::RegistryState;
use crate::faults::{Action, FaultRule, Faults, Stage};
use crate::jobs::{self, JobOutcome, JobSettings};
use crate::journal::{self, Entry, Journal};
use crate::query::{self, Filter, Paging, QueryError, SortValue};
use crate::ratelimit::{Decision, RateLimiter};
use crate::store::{ScheduleRow, Store, StoreError};
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
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The CS base path.
pub const BASE: &str = "/csapi/v1.3";
/// Largest request body accepted.
pub const MAX_BODY: usize = 1 << 20;
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
    /// Earliest pending job event (ms), `i64::MAX` when none: lets requests skip the store
    /// when nothing is due.
    next_event: AtomicI64,
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
            next_event: AtomicI64::new(next),
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

    /// Applies every job event due by the clock (cheap when nothing is due).
    pub fn sync(&self) -> Result<(), StoreError> {
        let now = self.clock.now_ms();
        if now < self.next_event.load(Ordering::Acquire) {
            return Ok(());
        }
        let settings = self.job_settings();
        self.store.write(|tx| {
            for mut row in tx.due(now)? {
                if jobs::advance(&mut row, now, settings) {
                    tx.update(&row)?;
                }
            }
            let next = tx.next_event()?.unwrap_or(i64::MAX);
            self.next_event.store(next, Ordering::Release);
            Ok(())
        })
    }

    /// Moves the clock forward and applies what became due; returns the new time (ms).
    pub fn advance_clock(&self, by: Duration) -> Result<i64, StoreError> {
        let now = self.clock.advance(by);
        self.store
            .write(|tx| tx.meta_set(CLOCK_KEY, &now.to_string()))?;
        self.sync()?;
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
                    "request": r.request.to_value(),
                    "unknownFields": r.extra,
                }),
            );
        }
        v
    }

    fn clock_json(&self) -> Value {
        let ms = self.clock.now_ms();
        json!({
            "now": ms_to_timestamp(ms).to_string(),
            "nowMs": ms,
            "mode": self.clock.mode().as_str(),
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
            let mut resp = error_response(e.status, &e.message, st.clock.now_ms());
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
        .with_state(st)
}

async fn not_found(State(st): State<Arc<AppState>>, req: Request) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        &format!(
            "no route for {} {}; see GET /openapi.json for the routes",
            req.method(),
            req.uri().path()
        ),
        st.clock.now_ms(),
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
        st.clock.now_ms(),
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
            st.clock.now_ms(),
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
                now,
            )),
        };
    };
    match st.auth.verify(token, now.div_euclid(1000)) {
        Err(e) => AuthOutcome {
            user: None,
            error: Some(error_response(
                StatusCode::UNAUTHORIZED,
                &e.to_string(),
                now,
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
                now,
            )),
        },
        Ok(u) => AuthOutcome {
            user: Some(u.username.clone()),
            error: None,
        },
    }
}

/// Every request to `/auth` and the CS routes goes through here.
async fn gateway(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_emulator") || path == "/openapi.json" {
        return next.run(req).await;
    }
    let started = Instant::now();
    let is_cs = path.starts_with("/csapi/");
    let request_id = uuid::Uuid::new_v4().to_string();
    let method = req.method().clone();
    let time_ms = st.clock.now_ms();
    let seq = lock(&st.journal).next_seq();
    let query = req.uri().query().map(journal::redact_form);
    let authorization = req.headers().get(header::AUTHORIZATION).map(|v| {
        match v.to_str().ok().and_then(|s| s.split_once(' ')) {
            Some((scheme, _)) => format!("{scheme} ***"),
            None => "***".to_owned(),
        }
    });
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    let (parts, body) = req.into_parts();
    let mut user = None;
    let mut dropped = false;
    let mut rate: Option<Decision> = None;
    let (body_redacted, mut resp, fault_ids) = match axum::body::to_bytes(body, MAX_BODY).await {
        Err(_) => (
            None,
            error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the request body is larger than {MAX_BODY} bytes"),
                time_ms,
            ),
            Vec::new(),
        ),
        Ok(bytes) => {
            let body_redacted = journal::redact_body(content_type.as_deref(), &bytes);
            let plan = lock(&st.faults).plan(method.as_str(), &path);
            if plan.latency_ms > 0 {
                tokio::time::sleep(Duration::from_millis(plan.latency_ms)).await;
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
                    dropped = true;
                    StatusCode::NO_CONTENT.into_response()
                }
                _ => {
                    let mut early = None;
                    if is_cs {
                        if let Err(e) = st.sync() {
                            early = Some(finish(&st, Err(e.into())));
                        }
                        if early.is_none() {
                            let a = check_auth(&st, &parts.headers);
                            user = a.user;
                            early = a.error;
                        }
                        if early.is_none() {
                            let d = lock(&st.limiter).check();
                            rate = Some(d);
                            if !d.allowed {
                                let mut r = error_response(
                                    StatusCode::TOO_MANY_REQUESTS,
                                    &format!(
                                        "rate limit of {} calls per {} s exceeded; retry in {} s",
                                        d.limit, d.window_secs, d.wait_secs
                                    ),
                                    st.clock.now_ms(),
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
                            dropped = true;
                            resp
                        }
                        _ => resp,
                    }
                }
            };
            (body_redacted, resp, plan.rule_ids)
        }
    };

    let h = resp.headers_mut();
    set_header(h, "x-request-id", &request_id);
    if is_cs {
        let d = rate.unwrap_or_else(|| lock(&st.limiter).peek());
        rate_headers(h, &d);
    }
    let status = resp.status().as_u16();
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if dropped {
        tracing::info!(%method, %path, %request_id, "fault: connection dropped");
        resp.extensions_mut().insert(DropConnection);
    } else {
        tracing::debug!(%method, %path, status, ms, %request_id, "answered");
    }
    lock(&st.journal).push(Entry {
        seq,
        request_id,
        time_ms,
        method: method.to_string(),
        path,
        query,
        status: (!dropped).then_some(status),
        dropped,
        ms,
        user,
        authorization,
        faults: fault_ids,
        body_redacted,
    });
    resp
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
    let r = (|| {
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
    })();
    finish(&st, r)
}

async fn get_registry(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
) -> Response {
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
        if st.wire == WireProfile::Oas2021 {
            let rows = st.store.read(|tx| tx.list(reg.id()))?;
            return Ok(json_response(
                StatusCode::OK,
                &wire::oas_registry_details(reg, &rows),
            ));
        }
        let details = RegistryDetails {
            schedules: Some(schedules_of(&st, reg)?),
            ..reg.details.clone()
        };
        Ok(json_response(StatusCode::OK, &details))
    })();
    finish(&st, r)
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
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
        let p = Params::from_uri(&uri);
        let filter = p.filter(SCHEDULE_FILTER_FIELDS)?;
        let sort = p.sort(SCHEDULE_SORT_FIELDS)?;
        let paging = p.paging()?;
        let mut items: Vec<Schedule> = schedules_of(&st, reg)?
            .into_iter()
            .filter(|s| filter.matches(|f| st.schedule_filter_value(s, f)))
            .collect();
        query::sort_by_keys(&mut items, &sort, |s, f| st.schedule_sort_value(s, f));
        match st.wire {
            WireProfile::Oas2021 => Ok(page_mapped(items, paging, wire::oas_schedule)),
            WireProfile::Full => Ok(page_of(items, paging)),
        }
    })();
    finish(&st, r)
}

async fn create_schedule(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    body: Bytes,
) -> Response {
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
        let value = parse_body(&body)?;
        gateway_schema_check(&st, &value)?;
        let req = decode_request(&value)?;
        let now = st.clock.now_ms();
        let id = ScheduleId::new_random().to_string();
        let mut row = jobs::new_row(id.clone(), reg.id().to_owned(), req, now, st.job_settings());
        st.store.write(|tx| {
            tx.insert(&mut row)?;
            if let Some(t) = jobs::next_event(&row) {
                st.next_event.fetch_min(t, Ordering::AcqRel);
            }
            Ok::<_, StoreError>(())
        })?;
        tracing::debug!(schedule = %id, registry = %reg.id(), "schedule created");
        Ok(match st.wire {
            // The 2021 OpenAPI file: 200 with the id as a bare JSON string (spec §5, §6b).
            WireProfile::Oas2021 => json_response(StatusCode::OK, &id),
            WireProfile::Full => json_response(StatusCode::OK, &json!({ "scheduleUuid": id })),
        })
    })();
    finish(&st, r)
}

async fn update_schedule(
    State(st): State<Arc<AppState>>,
    Path((registry_id, schedule_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
        let sid = parse_schedule_id(&schedule_id)?;
        let value = parse_body(&body)?;
        gateway_schema_check(&st, &value)?;
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
            row.updated = now;
            if row.request.is_automatic() {
                row.next_fire = jobs::next_fire(&row.request, row.created, now);
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
    })();
    finish(&st, r)
}

async fn delete_schedule(
    State(st): State<Arc<AppState>>,
    Path((registry_id, schedule_id)): Path<(String, String)>,
) -> Response {
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
        let sid = parse_schedule_id(&schedule_id)?;
        st.store.write(|tx| {
            let Some(row) = tx.get(reg.id(), sid.as_str())? else {
                return Err(schedule_not_found(sid.as_str(), reg));
            };
            if row.status.is_running() {
                return Err(ApiError::conflict(format!(
                    "schedule {sid} cannot be deleted while its job is {}; wait for it to finish or cancel it first",
                    row.status
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
    })();
    finish(&st, r)
}

async fn cancel_schedule(
    State(st): State<Arc<AppState>>,
    Path((registry_id, schedule_id)): Path<(String, String)>,
) -> Response {
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
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
    })();
    finish(&st, r)
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
    let rows = st.store.read(|tx| tx.list(reg.id()))?;
    if !ids.is_empty() {
        return Ok(rows
            .into_iter()
            .filter(|r| ids.iter().any(|i| i.as_str().eq_ignore_ascii_case(&r.id)))
            .collect());
    }
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
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
        let targets = bulk_targets(&st, reg, &uri, "bulk delete")?;
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
    })();
    finish(&st, r)
}

async fn bulk_cancel(
    State(st): State<Arc<AppState>>,
    Path(registry_id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    let r = (|| {
        let reg = parse_registry_id(&st, &registry_id)?;
        let targets = bulk_targets(&st, reg, &uri, "bulk cancel")?;
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
    })();
    finish(&st, r)
}

// ---------------------------------------------------------------------------------------------
// Control routes

fn control_json<T: for<'de> Deserialize<'de>>(body: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid {what} body: {e}")))
}

async fn control_reset(State(st): State<Arc<AppState>>) -> Response {
    let r = st
        .reset()
        .map(|()| json_response(StatusCode::OK, &json!({"reset": true})))
        .map_err(ApiError::from);
    finish(&st, r)
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
    let r = (|| {
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
    })();
    finish(&st, r)
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

async fn control_clear_requests(State(st): State<Arc<AppState>>) -> Response {
    lock(&st.journal).clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn control_schedules(State(st): State<Arc<AppState>>) -> Response {
    let r = st
        .raw_schedules()
        .map(|v| json_response(StatusCode::OK, &v))
        .map_err(ApiError::from);
    finish(&st, r)
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
