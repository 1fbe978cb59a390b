//! The gateway middleware every request to `/auth` and the CS routes goes through: body read
//! (timeout, size limit), journal record, fault plan (latency, late, twin, status, drop),
//! job sync, auth check, rate limit and its headers; the control routes' gate (control token,
//! body read); and the `Date` header of every answer.

use super::errors::{ApiError, error_code, error_response, finish};
use super::state::lock;
use super::{AppState, CONTROL_TOKEN_HEADER, DropConnection, MAX_BODY};
use crate::auth::bearer;
use crate::faults::{self, Action, Plan, Stage};
use crate::journal::{self, Entry};
use crate::ratelimit::Decision;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every answer's `Date` (IMF-fixdate), from the clock's stamps: the same scale as `created`.
pub(super) async fn date_header(State(st): State<Arc<AppState>>, mut resp: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&crate::clock::http_date(st.clock.stamp_ms())) {
        resp.headers_mut().insert(header::DATE, v);
    }
    resp
}

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
pub(super) async fn gateway(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
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
