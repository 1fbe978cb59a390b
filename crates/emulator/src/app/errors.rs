//! Errors in the Qualys shape ([`ApiError`], `{errorCode, message, timestamp}`), and turning a
//! handler's result into an answer: `finish`, `json_response`, `blocking` (the handler's body
//! on the blocking pool).

use super::AppState;
use crate::query::QueryError;
use crate::store::StoreError;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

/// An error answer in the Qualys shape (`{errorCode, message, timestamp}`).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    pub(super) message: String,
    headers: Vec<(HeaderName, String)>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            headers: Vec::new(),
        }
    }
    pub(super) fn bad_request(m: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, m)
    }
    pub(super) fn not_found(m: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, m)
    }
    pub(super) fn conflict(m: impl Into<String>) -> Self {
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

pub(super) fn finish(st: &AppState, r: Result<Response, ApiError>) -> Response {
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

pub(super) fn json_response(status: StatusCode, v: &impl serde::Serialize) -> Response {
    (status, axum::Json(v)).into_response()
}

/// Runs a handler's body on the blocking pool (it may wait for SQLite) and turns its result
/// into an answer.
pub(super) async fn blocking(
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
