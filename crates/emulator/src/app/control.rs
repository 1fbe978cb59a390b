//! The control routes under `/_emulator` (reset, clock, faults, request journal, raw
//! schedules, settings); the control token is checked by the gateway's control gate.

use super::AppState;
use super::errors::{ApiError, blocking, finish, json_response};
use super::state::lock;
use crate::faults::FaultRule;
use crate::jobs::JobOutcome;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

fn control_json<T: for<'de> Deserialize<'de>>(body: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid {what} body: {e}")))
}

pub(super) async fn control_reset(State(st): State<Arc<AppState>>) -> Response {
    blocking(st, |st| {
        st.reset()?;
        Ok(json_response(StatusCode::OK, &json!({"reset": true})))
    })
    .await
}

pub(super) async fn control_clock(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &st.clock_json())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    seconds: f64,
}

pub(super) async fn control_advance(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
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

pub(super) async fn control_add_fault(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let r = (|| {
        let rule: FaultRule = control_json(&body, "fault rule")?;
        let id = lock(&st.faults)
            .add(rule)
            .map_err(|e| ApiError::bad_request(format!("invalid fault rule: {e}")))?;
        Ok(json_response(StatusCode::CREATED, &json!({ "id": id })))
    })();
    finish(&st, r)
}

pub(super) async fn control_list_faults(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &lock(&st.faults).list())
}

pub(super) async fn control_clear_faults(State(st): State<Arc<AppState>>) -> Response {
    lock(&st.faults).clear();
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn control_requests(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &lock(&st.journal).list())
}

pub(super) async fn control_request_stats(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &lock(&st.journal).stats())
}

pub(super) async fn control_clear_requests(State(st): State<Arc<AppState>>) -> Response {
    lock(&st.journal).clear();
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn control_schedules(State(st): State<Arc<AppState>>) -> Response {
    blocking(st, |st| {
        Ok(json_response(StatusCode::OK, &st.raw_schedules()?))
    })
    .await
}

/// `GET /_emulator/registries`: every registry served, with what the API left of its
/// requests: `emulator: {username, credentialRevision, aws, connectorId, ...}` (never a
/// password, a token or their fingerprint).
pub(super) async fn control_registries(State(st): State<Arc<AppState>>) -> Response {
    let list: Vec<Value> = st
        .registries()
        .iter()
        .map(|r| {
            let mut m = serde_json::to_value(&r.managed).unwrap_or_default();
            if let Value::Object(o) = &mut m {
                o.remove("secretFingerprint");
                o.insert(
                    "credentialStored".into(),
                    json!(r.managed.secret_fingerprint.is_some()),
                );
            }
            let mut v = serde_json::to_value(&r.details).unwrap_or_default();
            if let Value::Object(o) = &mut v {
                o.insert("emulator".into(), m);
            }
            v
        })
        .collect();
    json_response(StatusCode::OK, &list)
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

pub(super) async fn control_settings(State(st): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, &settings_json(&st))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SettingsBody {
    job_step_seconds: Option<f64>,
    job_outcome: Option<JobOutcome>,
}

pub(super) async fn control_put_settings(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
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
